/*
 * record: the --record file format, the recorder and the replay reader.
 *
 * The format is described in record.h. The two rules that keep a recording
 * readable whatever happens to the machine: a block reaches the file with
 * one write(2), so a killed process leaves whole blocks only, and a reader
 * decides "torn tail" versus "damage" by whether any good block follows the
 * bad one, so a crash costs the tail and never the rest.
 */
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "framer.h"

/* Times outside 2000..2100 are not a real receipt time: used only to skip
 * candidate blocks quickly while looking for a good block after damage. */
#define PLAUSIBLE_MIN_US 946684800000000ULL
#define PLAUSIBLE_MAX_US 4102444800000000ULL

#define US_PER_S 1000000ULL

/*
 * Readers map the whole file, and every page of it they touch counts in
 * their RSS until unmapped. So a walk over the file hands the pages it has
 * passed back to the kernel (madvise) in steps of this much: the memory a
 * replay holds stays under a step or two of the file, whatever its length.
 * A multiple of any page size.
 */
#define RELEASE_STEP (256u * 1024u)

/* Told now and then how far a walk over a file image has got: the pages
 * before that will not be read again by this walk. */
typedef void walked_fn(void *ctx, size_t done);

/* ------------------------------------------------------------------ */
/* Pure part                                                           */

/* Reflected CRC-32 (polynomial 0xEDB88320) four bits at a time: a table of
 * 16 is small enough to write out and fast enough for tens of MB. */
static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
	0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
	0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t cg_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc_nibble[crc & 0x0f];
		crc = (crc >> 4) ^ crc_nibble[crc & 0x0f];
	}
	return ~crc;
}

static void put_le(uint8_t *out, uint64_t value, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		out[i] = (uint8_t)(value >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, unsigned bytes)
{
	uint64_t value = 0;

	for (unsigned i = 0; i < bytes; i++)
		value |= (uint64_t)in[i] << (8 * i);
	return value;
}

size_t cg_rec_encode_block(uint8_t tag, uint64_t time_us, const uint8_t *data,
			   size_t len, uint8_t *out, size_t cap)
{
	size_t size = CG_REC_OVERHEAD + len;

	if (len > CG_REC_DATA_MAX || cap < size)
		return 0;
	out[0] = tag;
	put_le(out + 1, time_us, 8);
	put_le(out + 9, len, 2);
	if (len)
		memcpy(out + CG_REC_HEADER_LEN, data, len);
	put_le(out + CG_REC_HEADER_LEN + len,
	       cg_crc32(0, out, CG_REC_HEADER_LEN + len), 4);
	return size;
}

enum cg_rec_decode_result cg_rec_decode_block(const uint8_t *buf, size_t avail,
					      struct cg_rec_block *out)
{
	if (avail < CG_REC_HEADER_LEN)
		return CG_REC_BLOCK_SHORT;
	size_t len = (size_t)get_le(buf + 9, 2);
	if (avail < CG_REC_OVERHEAD + len)
		return CG_REC_BLOCK_SHORT;
	uint32_t want = (uint32_t)get_le(buf + CG_REC_HEADER_LEN + len, 4);
	if (cg_crc32(0, buf, CG_REC_HEADER_LEN + len) != want)
		return CG_REC_BLOCK_BAD_CRC;

	out->tag = buf[0];
	out->time_us = get_le(buf + 1, 8);
	out->len = (uint16_t)len;
	out->data = buf + CG_REC_HEADER_LEN;
	out->size = CG_REC_OVERHEAD + len;
	return CG_REC_BLOCK_OK;
}

static enum cg_rec_file_kind classify(const uint8_t *file, size_t size)
{
	const size_t stem = sizeof(CG_REC_MAGIC_STEM) - 1;

	if (size == 0)
		return CG_REC_FILE_EMPTY;
	if (size < CG_REC_MAGIC_LEN)
		return memcmp(file, CG_REC_MAGIC, size) == 0 ?
			CG_REC_FILE_TORN_MAGIC : CG_REC_FILE_OTHER;
	if (memcmp(file, CG_REC_MAGIC, CG_REC_MAGIC_LEN) == 0)
		return CG_REC_FILE_RECORDING;
	if (memcmp(file, CG_REC_MAGIC_STEM, stem) == 0 &&
	    file[stem] >= '1' && file[stem] <= '9')
		return CG_REC_FILE_NEWER;
	return CG_REC_FILE_OTHER;
}

/* The offset of the first good data block after a bad one at pos, or 0.
 * Only 'B' blocks with a plausible time are tried, so garbage costs a byte
 * compare per offset rather than a CRC. */
static size_t good_block_after(const uint8_t *file, size_t size, size_t pos,
			       walked_fn *walked, void *ctx)
{
	struct cg_rec_block block;

	for (size_t q = pos + 1; q + CG_REC_OVERHEAD <= size; q++) {
		if (walked && q % RELEASE_STEP == 0)
			walked(ctx, q);
		if (file[q] != CG_REC_TAG_BYTES)
			continue;
		uint64_t t = get_le(file + q + 1, 8);
		if (t < PLAUSIBLE_MIN_US || t > PLAUSIBLE_MAX_US)
			continue;
		if (cg_rec_decode_block(file + q, size - q, &block) ==
		    CG_REC_BLOCK_OK)
			return q;
	}
	return 0;
}

static void scan_image(const uint8_t *file, size_t size,
		       struct cg_rec_scan *out, walked_fn *walked, void *ctx)
{
	struct cg_rec_block block;
	size_t told = 0;

	memset(out, 0, sizeof(*out));
	out->kind = classify(file, size);
	if (out->kind == CG_REC_FILE_TORN_MAGIC)
		out->ignored = size;
	if (out->kind != CG_REC_FILE_RECORDING)
		return;

	size_t pos = CG_REC_MAGIC_LEN;
	while (pos < size) {
		if (walked && pos - told >= RELEASE_STEP) {
			walked(ctx, pos);
			told = pos;
		}
		if (cg_rec_decode_block(file + pos, size - pos, &block) !=
		    CG_REC_BLOCK_OK) {
			out->good_after = good_block_after(file, size, pos,
							   walked, ctx);
			out->damaged = out->good_after != 0;
			out->ignored = size - pos;
			break;
		}
		out->blocks++;
		if (block.tag == CG_REC_TAG_BYTES) {
			if (out->data_blocks++ == 0)
				out->first_us = block.time_us;
			out->last_us = block.time_us;
		}
		pos += block.size;
	}
	out->end = pos;
}

void cg_rec_scan(const uint8_t *file, size_t size, struct cg_rec_scan *out)
{
	scan_image(file, size, out, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* Replay clock                                                        */

static double clamp_speed(double speed)
{
	if (speed != speed) /* NaN */
		return 1.0;
	if (speed < CG_REPLAY_SPEED_MIN)
		return CG_REPLAY_SPEED_MIN;
	if (speed > CG_REPLAY_SPEED_MAX)
		return CG_REPLAY_SPEED_MAX;
	return speed;
}

void cg_replay_clock_start(struct cg_replay_clock *clock, uint64_t first_us,
			   uint64_t now_ms, double speed)
{
	clock->anchor_us = first_us;
	clock->anchor_ms = now_ms;
	clock->speed = clamp_speed(speed);
	clock->paused = false;
}

uint64_t cg_replay_clock_position_us(const struct cg_replay_clock *clock,
				     uint64_t now_ms)
{
	if (clock->paused || now_ms <= clock->anchor_ms)
		return clock->anchor_us;
	double played_us = (double)(now_ms - clock->anchor_ms) * 1000.0 *
			   clock->speed;
	return clock->anchor_us + (uint64_t)(played_us + 0.5);
}

void cg_replay_clock_set_speed(struct cg_replay_clock *clock, double speed,
			       uint64_t now_ms)
{
	clock->anchor_us = cg_replay_clock_position_us(clock, now_ms);
	clock->anchor_ms = now_ms;
	clock->speed = clamp_speed(speed);
}

void cg_replay_clock_pause(struct cg_replay_clock *clock, uint64_t now_ms)
{
	if (clock->paused)
		return;
	clock->anchor_us = cg_replay_clock_position_us(clock, now_ms);
	clock->anchor_ms = now_ms;
	clock->paused = true;
}

void cg_replay_clock_resume(struct cg_replay_clock *clock, uint64_t now_ms)
{
	if (!clock->paused)
		return;
	clock->anchor_ms = now_ms;
	clock->paused = false;
}

void cg_replay_clock_jump(struct cg_replay_clock *clock, uint64_t recorded_us,
			  uint64_t now_ms)
{
	clock->anchor_us = recorded_us;
	clock->anchor_ms = now_ms;
}

uint64_t cg_replay_clock_due_ms(const struct cg_replay_clock *clock,
				uint64_t recorded_us)
{
	if (clock->paused)
		return UINT64_MAX;
	if (recorded_us <= clock->anchor_us)
		return clock->anchor_ms;
	double wait_ms = (double)(recorded_us - clock->anchor_us) /
			 (1000.0 * clock->speed);
	/* Round up, so the position has reached recorded_us when due; the
	 * slack keeps an exact 1000.0 from becoming 1001 by rounding noise. */
	uint64_t whole = (uint64_t)wait_ms;
	if ((double)whole < wait_ms - 1e-6)
		whole++;
	return clock->anchor_ms + whole;
}

double cg_replay_speed_step(double speed, bool faster)
{
	double step;

	speed = clamp_speed(speed);
	if (faster) {
		for (step = CG_REPLAY_SPEED_MIN; step < CG_REPLAY_SPEED_MAX;
		     step *= 2)
			if (step > speed * (1 + 1e-9))
				break;
	} else {
		for (step = CG_REPLAY_SPEED_MAX; step > CG_REPLAY_SPEED_MIN;
		     step /= 2)
			if (step < speed * (1 - 1e-9))
				break;
	}
	return step;
}

/* ------------------------------------------------------------------ */
/* Recorder                                                            */

/* A warning carries a path of up to PATH_MAX: cutting one short is fine. */
__attribute__((format(printf, 2, 3)))
static void warn(struct cg_replay *r, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(r->warning, sizeof(r->warning), fmt, args);
	va_end(args);
}

uint64_t cg_rec_wall_us(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (uint64_t)now.tv_sec * US_PER_S + (uint64_t)now.tv_nsec / 1000u;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new file's name must survive a power cut too, not only its data. */
static void sync_directory(const char *path)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", path);
	int dir = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		fsync(dir);
		close(dir);
	}
}

static int write_error(struct cg_recorder *rec, struct cg_error *err,
		       int saved_errno)
{
	if (saved_errno == ENOSPC || saved_errno == EDQUOT)
		return cg_error_set(err, EX_IOERR, "%s: the disk is full "
				    "(%s); recording stopped. The recording "
				    "is intact up to here: free some space "
				    "and record again.", rec->path,
				    strerror(saved_errno));
	if (saved_errno == EFBIG)
		return cg_error_set(err, EX_IOERR, "%s: the file cannot grow "
				    "any more (%s); recording stopped. Record "
				    "to a new file.", rec->path,
				    strerror(saved_errno));
	return cg_error_set(err, EX_IOERR, "%s: cannot write the recording "
			    "(%s); recording stopped. Check the disk, then "
			    "record to a new file.", rec->path,
			    strerror(saved_errno));
}

static int sync_now(struct cg_recorder *rec, uint64_t now_ms,
		    struct cg_error *err)
{
	rec->synced_at_ms = now_ms;
	rec->unsynced = false;
	rec->syncs++;
	if (fdatasync(rec->fd) < 0)
		return write_error(rec, err, errno);
	return 0;
}

static int start_file(struct cg_recorder *rec, struct cg_error *err)
{
	if (ftruncate(rec->fd, 0) < 0 ||
	    write_all(rec->fd, CG_REC_MAGIC, CG_REC_MAGIC_LEN) < 0 ||
	    fdatasync(rec->fd) < 0)
		return write_error(rec, err, errno);
	rec->size = CG_REC_MAGIC_LEN;
	sync_directory(rec->path);
	return 0;
}

/*
 * Gives back the pages of map before upto, in whole RELEASE_STEPs, beyond
 * those *released already. They stay readable: touched again, they come
 * back from the page cache. A failure only costs memory, so it is ignored.
 */
static void release_pages(const uint8_t *map, size_t *released, size_t upto)
{
	size_t to = upto / RELEASE_STEP * RELEASE_STEP;

	if (!map || to <= *released)
		return;
	madvise((void *)(uintptr_t)(map + *released), to - *released,
		MADV_DONTNEED);
	*released = to;
}

struct pager {
	const uint8_t *map;
	size_t released;
};

static void pager_walked(void *ctx, size_t done)
{
	struct pager *pager = ctx;

	release_pages(pager->map, &pager->released, done);
}

/*
 * A file written in a few big write()s (a copy made by a script, say) can
 * sit in the page cache in folios of up to 2 MiB, which a read fault maps
 * whole, and a huge page cannot be given back a step at a time. Asking for
 * small pages keeps the steps above meaningful; advice only, so a failure
 * is ignored.
 */
static void map_small_pages(const uint8_t *map, size_t size)
{
#ifdef MADV_NOHUGEPAGE
	if (map)
		madvise((void *)(uintptr_t)map, size, MADV_NOHUGEPAGE);
#else
	(void)map;
	(void)size;
#endif
}

/* cg_rec_scan() of a mapped file, letting go of the pages it has read. */
static void scan_mapped(const uint8_t *map, size_t size,
			struct cg_rec_scan *out)
{
	struct pager pager = { .map = map, .released = 0 };

	scan_image(map, size, out, pager_walked, &pager);
}

/* Checks an existing file and cuts its torn tail. */
static int adopt_file(struct cg_recorder *rec, size_t size,
		      struct cg_error *err)
{
	struct cg_rec_scan scan;
	void *map = mmap(NULL, size, PROT_READ, MAP_SHARED, rec->fd, 0);

	if (map == MAP_FAILED)
		return cg_error_set(err, EX_IOERR, "%s: cannot read the "
				    "existing recording (%s); record to a new "
				    "file.", rec->path, strerror(errno));
	map_small_pages(map, size);
	scan_mapped(map, size, &scan);
	munmap(map, size);

	switch (scan.kind) {
	case CG_REC_FILE_EMPTY:
	case CG_REC_FILE_TORN_MAGIC:
		rec->cut_bytes = scan.ignored;
		return start_file(rec, err);
	case CG_REC_FILE_OTHER:
		return cg_error_set(err, EX_DATAERR, "%s is not a "
				    "chargery-top recording; pick a new name "
				    "for --record (nothing was written to it).",
				    rec->path);
	case CG_REC_FILE_NEWER:
		return cg_error_set(err, EX_DATAERR, "%s was recorded by a "
				    "newer chargery-top; pick a new name for "
				    "--record.", rec->path);
	case CG_REC_FILE_RECORDING:
		break;
	}
	if (scan.damaged) {
		return cg_error_set(err, EX_DATAERR, "%s is a damaged "
				    "recording: a bad block at byte %zu, good "
				    "blocks again from byte %zu. Pick a new "
				    "name for --record; --replay still plays "
				    "it up to the damage.", rec->path, scan.end,
				    scan.good_after);
	}
	rec->size = scan.end;
	if (scan.ignored) {
		/* A torn block from a crash; new blocks must not follow it. */
		if (ftruncate(rec->fd, (off_t)scan.end) < 0 ||
		    fdatasync(rec->fd) < 0)
			return write_error(rec, err, errno);
		rec->cut_bytes = scan.ignored;
	}
	return 0;
}

int cg_recorder_open(struct cg_recorder *rec, const char *path,
		     uint64_t now_ms, struct cg_error *err)
{
	struct stat st;
	bool created;

	memset(rec, 0, sizeof(*rec));
	rec->fd = -1;
	if ((size_t)snprintf(rec->path, sizeof(rec->path), "%s", path) >=
	    sizeof(rec->path))
		return cg_error_set(err, EX_CANTCREAT, "--record: the file "
				    "name is too long; pick a shorter one");

	/* Look before opening: opening a tty or FIFO has side effects. */
	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return cg_error_set(err, EX_CANTCREAT, "%s is not a "
					    "regular file; give --record a "
					    "new file name, such as bms.rec",
					    path);
		created = false;
	} else {
		created = true;
	}

	rec->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC |
			     O_NOCTTY, 0644);
	if (rec->fd < 0) {
		int e = errno;
		if (e == EACCES || e == EPERM)
			return cg_error_set(err, EX_NOPERM, "%s: permission "
					    "denied (%s); record into a "
					    "directory you can write, such as "
					    "your home.", path, strerror(e));
		if (e == ENOENT)
			return cg_error_set(err, EX_CANTCREAT, "%s: the "
					    "directory does not exist (%s); "
					    "create it or pick another name.",
					    path, strerror(e));
		return cg_error_set(err, EX_CANTCREAT, "%s: cannot create the "
				    "recording (%s); pick another name.", path,
				    strerror(e));
	}
	if (flock(rec->fd, LOCK_EX | LOCK_NB) < 0) {
		close(rec->fd);
		rec->fd = -1;
		return cg_error_set(err, EX_TEMPFAIL, "%s is being recorded "
				    "by another program right now; pick "
				    "another name.", path);
	}
	if (fstat(rec->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(rec->fd);
		rec->fd = -1;
		return cg_error_set(err, EX_CANTCREAT, "%s is not a regular "
				    "file; give --record a file name.", path);
	}

	int rc = st.st_size == 0 ? start_file(rec, err) :
		 adopt_file(rec, (size_t)st.st_size, err);
	if (rc < 0) {
		close(rec->fd);
		rec->fd = -1;
		if (created)
			unlink(path);
		return -1;
	}
	rec->synced_at_ms = now_ms;
	return 0;
}

int cg_recorder_write(struct cg_recorder *rec, const uint8_t *data,
		      size_t len, uint64_t time_us, uint64_t now_ms,
		      struct cg_error *err)
{
	uint8_t block[CG_REC_OVERHEAD + CG_REC_WRITE_MAX];

	if (rec->fd < 0)
		return cg_error_set(err, EX_SOFTWARE, "%s: the recording is %s",
				    rec->path, "closed");
	while (len > 0) {
		size_t part = len < CG_REC_WRITE_MAX ? len : CG_REC_WRITE_MAX;
		size_t size = cg_rec_encode_block(CG_REC_TAG_BYTES, time_us,
						  data, part, block,
						  sizeof(block));
		ssize_t n;

		do
			n = write(rec->fd, block, size);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)size) {
			/* A short write leaves half a block: take it back so
			 * the file ends on a whole block. */
			int e = n < 0 ? errno : ENOSPC;
			if (n > 0 && ftruncate(rec->fd, (off_t)rec->size) < 0)
				e = errno;
			return write_error(rec, err, e);
		}
		rec->size += size;
		rec->blocks++;
		rec->bytes += part;
		rec->unsynced = true;
		data += part;
		len -= part;
	}
	return cg_recorder_tick(rec, now_ms, err);
}

int cg_recorder_tick(struct cg_recorder *rec, uint64_t now_ms,
		     struct cg_error *err)
{
	if (rec->fd < 0 || !rec->unsynced ||
	    now_ms - rec->synced_at_ms < CG_REC_SYNC_MS)
		return 0;
	return sync_now(rec, now_ms, err);
}

int cg_recorder_close(struct cg_recorder *rec, struct cg_error *err)
{
	int rc = 0;

	if (rec->fd < 0)
		return 0;
	if (rec->unsynced)
		rc = sync_now(rec, rec->synced_at_ms, err);
	if (close(rec->fd) < 0 && rc == 0)
		rc = write_error(rec, err, errno);
	rec->fd = -1;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Replay reader                                                       */

/*
 * Raw dumps: the end of the next chunk, just after the next 0x57 frame (or
 * the end of the file). The framer reads on from *scan_at and keeps its
 * state across chunks. It may have read past the frame it returned: bytes
 * of a rejected frame that it rescans sit in its replay buffer, and they
 * come after the frame in the stream, so the cut is that far back.
 */
static size_t raw_cut(struct cg_framer *framer, const uint8_t *base,
		      size_t size, const uint8_t **scan_at, size_t start)
{
	const uint8_t *p = *scan_at;
	size_t left = size - (size_t)(p - base);
	struct cg_frame frame;

	while (cg_framer_next(framer, &p, &left, &frame)) {
		if (frame.bytes[2] != CG_CMD_STATUS)
			continue;
		size_t pending = (size_t)(framer->replay_len -
					  framer->replay_pos);
		size_t cut = (size_t)(p - base) - pending;
		if (cut > start) {
			*scan_at = p;
			return cut;
		}
	}
	*scan_at = p;
	return size;
}

static void describe_recording(struct cg_replay *r)
{
	const struct cg_rec_scan *s = &r->scan;

	if (s->kind == CG_REC_FILE_TORN_MAGIC)
		warn(r, "%s holds only the "
			 "start of a recording: nothing to play", r->path);
	else if (s->damaged)
		warn(r, "%s is damaged at byte "
			 "%zu: the replay stops there, %zu bytes after it are "
			 "left out", r->path, s->end, s->ignored);
	else if (s->ignored)
		warn(r, "%s ends in %zu bytes "
			 "of an unfinished block (cut off by a crash or power "
			 "loss); they are left out", r->path, s->ignored);
}

static void open_raw(struct cg_replay *r, time_t mtime)
{
	struct cg_framer counter;
	const uint8_t *scan_at = r->map;
	size_t pos = 0, released = 0;

	/* Count the chunks first: the length and the times depend on it. */
	cg_framer_init(&counter);
	while (pos < r->size) {
		release_pages(r->map, &released, pos);
		pos = raw_cut(&counter, r->map, r->size, &scan_at, pos);
		r->chunks++;
	}
	/* The dump was last written about when its last chunk arrived. */
	uint64_t end_us = mtime > 0 ? (uint64_t)mtime * US_PER_S : 0;
	uint64_t span_us = r->chunks ? (r->chunks - 1) * US_PER_S : 0;
	r->first_us = end_us > span_us ? end_us - span_us : 0;
	r->last_us = r->first_us + span_us;

	cg_framer_init(&r->framer);
	r->scan_at = r->map;
}

int cg_replay_open(struct cg_replay *r, const char *path,
		   struct cg_error *err)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	if (stat(path, &st) < 0) {
		int e = errno;
		if (e == EACCES)
			return cg_error_set(err, EX_NOPERM, "%s: permission "
					    "denied (%s)", path, strerror(e));
		return cg_error_set(err, EX_NOINPUT, "%s: cannot open the "
				    "recording (%s); check the name.", path,
				    strerror(e));
	}
	if (!S_ISREG(st.st_mode))
		return cg_error_set(err, EX_DATAERR, "%s is not a file; "
				    "--replay plays a recording or raw dump. "
				    "To read a port live, give it as PORT.",
				    path);
	if ((uint64_t)st.st_size > SIZE_MAX)
		return cg_error_set(err, EX_DATAERR, "%s is too big to replay.",
				    path);

	r->size = (size_t)st.st_size;
	if (r->size > 0) {
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			int e = errno;
			return cg_error_set(err,
					    e == EACCES ? EX_NOPERM : EX_NOINPUT,
					    "%s: cannot open the recording "
					    "(%s).", path, strerror(e));
		}
		void *map = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, fd, 0);
		int e = errno;
		close(fd);
		if (map == MAP_FAILED)
			return cg_error_set(err, EX_IOERR, "%s: cannot read "
					    "the recording (%s).", path,
					    strerror(e));
		r->map = map;
		map_small_pages(r->map, r->size);
	}

	scan_mapped(r->map, r->size, &r->scan);
	switch (r->scan.kind) {
	case CG_REC_FILE_NEWER:
		cg_replay_close(r);
		return cg_error_set(err, EX_DATAERR, "%s was recorded by a "
				    "newer chargery-top; replay it with that "
				    "version.", path);
	case CG_REC_FILE_OTHER:
		r->kind = CG_REPLAY_RAW;
		open_raw(r, st.st_mtime);
		break;
	case CG_REC_FILE_EMPTY:
	case CG_REC_FILE_TORN_MAGIC:
	case CG_REC_FILE_RECORDING:
		r->kind = CG_REPLAY_RECORDING;
		r->pos = r->scan.kind == CG_REC_FILE_RECORDING ?
			 CG_REC_MAGIC_LEN : r->size;
		r->chunks = r->scan.data_blocks;
		r->first_us = r->scan.first_us;
		r->last_us = r->scan.last_us;
		describe_recording(r);
		break;
	}
	return 0;
}

int cg_replay_next(struct cg_replay *r, struct cg_replay_chunk *out)
{
	/* The chunk handed out last is done with (see record.h). */
	release_pages(r->map, &r->released, r->pos);
	if (r->kind == CG_REPLAY_RAW) {
		if (r->pos >= r->size)
			return 0;
		size_t cut = raw_cut(&r->framer, r->map, r->size, &r->scan_at,
				     r->pos);
		out->data = r->map + r->pos;
		out->len = cut - r->pos;
		out->time_us = r->first_us + r->handed * US_PER_S;
		out->synthetic_time = true;
		r->pos = cut;
		r->handed++;
		return 1;
	}

	struct cg_rec_block block;

	/* Everything before scan.end decoded at open; skip other tags. */
	while (r->pos < r->scan.end &&
	       cg_rec_decode_block(r->map + r->pos, r->scan.end - r->pos,
				   &block) == CG_REC_BLOCK_OK) {
		r->pos += block.size;
		if (block.tag != CG_REC_TAG_BYTES)
			continue;
		out->data = block.data;
		out->len = block.len;
		out->time_us = block.time_us;
		out->synthetic_time = false;
		r->handed++;
		return 1;
	}
	return 0;
}

double cg_replay_length_s(const struct cg_replay *r)
{
	if (r->chunks < 2 || r->last_us <= r->first_us)
		return 0.0;
	return (double)(r->last_us - r->first_us) / (double)US_PER_S;
}

void cg_replay_close(struct cg_replay *r)
{
	if (r->map)
		munmap((void *)r->map, r->size);
	r->map = NULL;
	r->size = 0;
	r->pos = 0;
}
