/*
 * replay: --replay FILE plays a recording (recfile.h) or a plain raw dump
 * made with `cat /dev/ttyUSB0 > dump.bin` back through the normal pipeline:
 * it reads the file with pread() into one fixed buffer and hands it out a
 * chunk at a time, with the time each chunk arrived (a raw dump gets 1 s
 * per 0x57 frame).
 *
 * I/O: pread() at open (the scan) and as it moves on; the buffer inside
 * struct cg_replay is all it holds of the file, so its memory is bounded
 * however long the file and however the page cache holds it. Functions that can fail return 0, or -1
 * with an exit code from <sysexits.h> and what to do in *err (error.h).
 * cg_replay_next() returns 1 for a chunk and 0 at the end.
 */
#ifndef CG_REPLAY_H
#define CG_REPLAY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "framer.h"
#include "recfile.h"

enum cg_replay_kind {
	CG_REPLAY_RECORDING, /* timestamped blocks */
	CG_REPLAY_RAW,       /* a raw dump, paced by its 0x57 frames */
};

/*
 * data points into the replay's buffer: read it before the next
 * cg_replay_next(), which may read the file over it. A chunk is at most
 * CG_REPLAY_BUF bytes (a raw dump without 0x57 frames is cut there).
 */
#define CG_REPLAY_BUF (128u * 1024u) /* >= CG_REC_BLOCK_MAX */
struct cg_replay_chunk {
	const uint8_t *data; /* see above: until the next cg_replay_next() */
	size_t len;
	uint64_t time_us;    /* recorded (or derived) wall time */
	bool synthetic_time; /* true for a raw dump: derived, 1 s per 0x57
			      * frame from its start (cg_replay_start_at, or
			      * its mtime less its paced length) */
};

struct cg_replay {
	char path[PATH_MAX];
	enum cg_replay_kind kind;
	int fd;              /* -1 when closed or empty */
	size_t size;
	size_t pos;          /* next byte to hand out */
	uint64_t chunks;     /* in the file (known at open) */
	uint64_t handed;     /* chunks handed out so far */
	uint64_t first_us, last_us;
	struct cg_rec_scan scan;   /* recordings: what open found */
	struct cg_framer framer;   /* raw dumps: finds the 0x57 frames */
	size_t scan_at;            /* raw dumps: how far the framer read */
	uint64_t frames;           /* raw dumps: 0x57 cuts handed out */
	bool failed;               /* a read failed: the replay ends */
	/* The file as the scan at open found it: while it is still so (same
	 * size and modification time), its blocks' CRCs, checked then, are
	 * not computed again. A file appended to or rewritten since gets
	 * every block checked. */
	long long scanned_size;
	long long scanned_mtime_ns;
	bool unchanged;
	char warning[512];   /* "" or why the replay ends early; show it */
	size_t buf_off, buf_len;   /* the file's bytes in buf */
	uint8_t buf[CG_REPLAY_BUF];
};

/*
 * Opens a recording or raw dump. Fails for a missing or unreadable file
 * (EX_NOINPUT, EX_NOPERM), something that is not a regular file or a
 * recording of a later version (EX_DATAERR). A torn tail or damage is not
 * a failure: replay->warning says what will be left out.
 */
int cg_replay_open(struct cg_replay *replay, const char *path,
		   struct cg_error *err);

/* Hands out the next chunk in file order. 1: *out is set; 0: the end. */
int cg_replay_next(struct cg_replay *replay, struct cg_replay_chunk *out);

/* A raw dump's time axis starts at first_us (--start) instead of its
 * mtime less its paced length. No effect on a recording. */
void cg_replay_start_at(struct cg_replay *replay, uint64_t first_us);

/* Recorded seconds from the first chunk to the last (0 if fewer than 2). */
double cg_replay_length_s(const struct cg_replay *replay);

void cg_replay_close(struct cg_replay *replay);

/* cg_rec_scan() of an open file of size bytes, read with pread() through
 * buf (cap >= CG_REC_BLOCK_MAX). For the recorder's check of an existing
 * file too. Returns 0, or -1 (EX_IOERR) if a read failed. */
int cg_rec_scan_fd(int fd, size_t size, uint8_t *buf, size_t cap,
		   struct cg_rec_scan *out, const char *path,
		   struct cg_error *err);

#endif
