/*
 * replay: the replay reader. Maps the whole file read-only; recordings are
 * walked block by block, raw dumps are cut after each 0x57 frame the framer
 * finds.
 */
#include "replay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#define US_PER_S 1000000ULL

/*
 * Readers map the whole file, and every page of it they touch counts in
 * their RSS until unmapped. So a walk over the file hands the pages it has
 * passed back to the kernel (madvise) in steps of CG_REC_WALK_STEP: the
 * memory a replay holds stays under a step or two of the file, whatever
 * its length. A multiple of any page size.
 */
#define RELEASE_STEP CG_REC_WALK_STEP

/* A warning carries a path of up to PATH_MAX: cutting one short is fine. */
__attribute__((format(printf, 2, 3)))
static void warn(struct cg_replay *r, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(r->warning, sizeof(r->warning), fmt, args);
	va_end(args);
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

void cg_rec_scan_mapped(const uint8_t *map, size_t size,
			struct cg_rec_scan *out)
{
	struct pager pager = { .map = map, .released = 0 };

	map_small_pages(map, size);
	cg_rec_scan_walk(map, size, out, pager_walked, &pager);
}



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
		size_t cut = (size_t)(p - base) -
			     cg_framer_rescan_pending(framer);
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
	}

	cg_rec_scan_mapped(r->map, r->size, &r->scan);
	switch (r->scan.kind) {
	case CG_REC_FILE_NEWER:
		cg_replay_close(r);
		return cg_error_set(err, EX_DATAERR, "%s was recorded by a "
				    "newer chargery-top; replay it with that "
				    "version.", path);
	case CG_REC_FILE_MANGLED:
		cg_replay_close(r);
		return cg_error_set(err, EX_DATAERR, "%s is not a recording "
				    "(its line endings were changed?); copy it "
				    "again as a binary file.", path);
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
	/* The chunk handed out last is done with (see replay.h). */
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
