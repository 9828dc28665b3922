/*
 * replay: the replay reader. Reads the file with pread() into one fixed
 * buffer; recordings are walked block by block, raw dumps are cut after
 * each 0x57 frame the framer finds.
 */
#include "replay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#define US_PER_S 1000000ULL

/* A warning carries a path of up to PATH_MAX: cutting one short is fine. */
__attribute__((format(printf, 2, 3)))
static void warn(struct cg_replay *r, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(r->warning, sizeof(r->warning), fmt, args);
	va_end(args);
}

/* Reads up to cap bytes at off, retrying short reads and EINTR. Returns
 * the bytes read (fewer only at the end of the file), or -1. */
static ssize_t read_at(int fd, uint8_t *buf, size_t cap, size_t off)
{
	size_t got = 0;

	while (got < cap) {
		ssize_t n = pread(fd, buf + got, cap - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int cg_rec_scan_fd(int fd, size_t size, uint8_t *buf, size_t cap,
		   struct cg_rec_scan *out, const char *path,
		   struct cg_error *err)
{
	ssize_t n = read_at(fd, buf, size < cap ? size : cap, 0);

	if (n < 0)
		goto failed;
	cg_rec_scan_begin(out, buf, (size_t)n, size);
	while (!out->done) {
		size_t want = size - out->at < cap ? size - out->at : cap;
		n = read_at(fd, buf, want, out->at);
		if (n < 0)
			goto failed;
		if ((size_t)n < want) /* shrank meanwhile: the rest is gone */
			out->size = size = out->at + (size_t)n;
		cg_rec_scan_more(out, buf, (size_t)n);
	}
	return 0;
failed:
	return cg_error_set(err, EX_IOERR, "%s: cannot read the recording "
			    "(%s).", path, strerror(errno));
}

/* Makes buf hold the file from off on (as much as fits). */
/* The file's size and modification time, for telling whether it changed
 * since the scan; -1s when it cannot be asked. */
static void identity(int fd, long long *size, long long *mtime_ns)
{
	struct stat st;

	*size = *mtime_ns = -1;
	if (fd >= 0 && fstat(fd, &st) == 0) {
		*size = (long long)st.st_size;
		*mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL +
			    st.st_mtim.tv_nsec;
	}
}

static int fill(struct cg_replay *r, size_t off)
{
	size_t want = r->size - off < sizeof(r->buf) ? r->size - off
						     : sizeof(r->buf);
	ssize_t n = read_at(r->fd, r->buf, want, off);

	if (n < 0 || (size_t)n < want) {
		if (!r->failed)
			warn(r, "%s: reading stopped at byte %zu (%s)", r->path,
			     off, n < 0 ? strerror(errno) : "the file shrank");
		r->failed = true;
		return -1;
	}
	r->buf_off = off;
	r->buf_len = (size_t)n;
	long long size, mtime_ns;
	identity(r->fd, &size, &mtime_ns);
	r->unchanged = size >= 0 && size == r->scanned_size &&
		       mtime_ns == r->scanned_mtime_ns;
	return 0;
}

/*
 * Raw dumps: the end of the next chunk, just after the next 0x57 frame, at
 * the end of the buffer when no frame comes before it, or at the end of the
 * file. The framer reads on from r->scan_at and keeps its state across
 * chunks. It may have read past the frame it returned: bytes of a rejected
 * frame that it rescans sit in its replay buffer, and they come after the
 * frame in the stream, so the cut is that far back. *framed: the cut is
 * after a 0x57 frame. Returns 0, or -1 if a read failed.
 */
static int raw_cut(struct cg_replay *r, size_t *cut, bool *framed)
{
	struct cg_frame frame;

	*framed = false;
	for (;;) {
		size_t end = r->buf_off + r->buf_len;
		if (r->scan_at >= end) {
			if (end >= r->size) {
				*cut = r->size;
				return 0;
			}
			if (r->pos > r->buf_off || r->buf_len == 0) {
				if (fill(r, r->pos) < 0)
					return -1;
				continue;
			}
			*cut = end; /* a chunk as big as the buffer */
			return 0;
		}
		const uint8_t *p = r->buf + (r->scan_at - r->buf_off);
		size_t left = end - r->scan_at;
		while (cg_framer_next(&r->framer, &p, &left, &frame)) {
			if (frame.bytes[2] != CG_CMD_STATUS)
				continue;
			size_t c = r->buf_off + (size_t)(p - r->buf) -
				   cg_framer_rescan_pending(&r->framer);
			if (c > r->pos) {
				r->scan_at = r->buf_off + (size_t)(p - r->buf);
				*cut = c;
				*framed = true;
				return 0;
			}
		}
		r->scan_at = end;
	}
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

static void raw_rewind(struct cg_replay *r)
{
	cg_framer_init(&r->framer);
	r->pos = r->scan_at = 0;
	r->buf_off = r->buf_len = 0;
	r->frames = 0;
}

static int open_raw(struct cg_replay *r, time_t mtime, struct cg_error *err)
{
	uint64_t last_index = 0;

	/* Count the chunks first: the length and the times depend on it. */
	raw_rewind(r);
	while (r->pos < r->size) {
		size_t cut;
		bool framed;
		if (raw_cut(r, &cut, &framed) < 0)
			return cg_error_set(err, EX_IOERR, "%s", r->warning);
		last_index = r->frames;
		r->frames += framed;
		r->pos = cut;
		r->chunks++;
	}
	/* The dump was last written about when its last chunk arrived. */
	uint64_t end_us = mtime > 0 ? (uint64_t)mtime * US_PER_S : 0;
	uint64_t span_us = last_index * US_PER_S;
	r->first_us = end_us > span_us ? end_us - span_us : 0;
	r->last_us = r->first_us + span_us;
	raw_rewind(r);
	return 0;
}

int cg_replay_open(struct cg_replay *r, const char *path,
		   struct cg_error *err)
{
	struct stat st;

	memset(r, 0, offsetof(struct cg_replay, buf));
	r->fd = -1;
	snprintf(r->path, sizeof(r->path), "%s", path);
	if (stat(path, &st) < 0) {
		int e = errno;
		if (e == EACCES)
			return cg_error_set(err, EX_NOPERM, "%s: permission "
					    "denied; make it readable, or copy "
					    "it somewhere you can read it", path);
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
		r->fd = fd;
	}

	/* Asked before the scan: a change while it reads is seen later. */
	identity(r->fd, &r->scanned_size, &r->scanned_mtime_ns);
	if (cg_rec_scan_fd(r->fd, r->size, r->buf, sizeof(r->buf), &r->scan,
			   path, err) < 0) {
		cg_replay_close(r);
		return -1;
	}
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
		if (open_raw(r, st.st_mtime, err) < 0) {
			cg_replay_close(r);
			return -1;
		}
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
	if (r->failed)
		return 0;
	if (r->kind == CG_REPLAY_RAW) {
		size_t cut;
		bool framed;
		if (r->pos >= r->size || raw_cut(r, &cut, &framed) < 0)
			return 0;
		out->data = r->buf + (r->pos - r->buf_off);
		out->len = cut - r->pos;
		out->time_us = r->first_us + r->frames * US_PER_S;
		out->synthetic_time = true;
		r->frames += framed;
		r->pos = cut;
		r->handed++;
		return 1;
	}

	struct cg_rec_block block;

	/* Everything before scan.end decoded at open; skip other tags. */
	while (r->pos < r->scan.end) {
		size_t need = r->scan.end - r->pos;
		if (need > CG_REC_BLOCK_MAX)
			need = CG_REC_BLOCK_MAX;
		if ((r->pos < r->buf_off || r->pos + need >
		     r->buf_off + r->buf_len) && fill(r, r->pos) < 0)
			return 0;
		size_t at = r->pos - r->buf_off;
		size_t avail = r->buf_len - at;
		if (avail > r->scan.end - r->pos)
			avail = r->scan.end - r->pos;
		if ((r->unchanged
		     ? cg_rec_decode_checked(r->buf + at, avail, &block)
		     : cg_rec_decode_block(r->buf + at, avail, &block)) !=
		    CG_REC_BLOCK_OK) {
			/* Good at open: the file changed since. */
			warn(r, "%s changed while it was replayed: the replay "
			     "stops at byte %zu", r->path, r->pos);
			r->failed = true;
			return 0;
		}
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

void cg_replay_start_at(struct cg_replay *r, uint64_t first_us)
{
	if (r->kind != CG_REPLAY_RAW)
		return;
	r->last_us = first_us + (r->last_us - r->first_us);
	r->first_us = first_us;
}

double cg_replay_length_s(const struct cg_replay *r)
{
	if (r->chunks < 2 || r->last_us <= r->first_us)
		return 0.0;
	return (double)(r->last_us - r->first_us) / (double)US_PER_S;
}

void cg_replay_close(struct cg_replay *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->size = 0;
	r->pos = 0;
}
