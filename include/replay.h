/*
 * replay: --replay FILE plays a recording (recfile.h) or a plain raw dump
 * made with `cat /dev/ttyUSB0 > dump.bin` back through the normal pipeline:
 * it maps the file and hands it out a chunk at a time, with the time each
 * chunk arrived (a raw dump gets 1 s per 0x57 frame).
 *
 * I/O at open and close, madvise as it moves on, so its memory stays
 * bounded however long the file. Functions that can fail return 0, or -1
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
 * data points into the replay's mapping of the file. Read it before the
 * next cg_replay_next(): that call hands the pages behind it back to the
 * kernel, so the replay's memory stays bounded however long the file. (The
 * bytes stay readable until cg_replay_close(), but an old chunk read again
 * is paged in again, which is what the bound is there to avoid.)
 */
struct cg_replay_chunk {
	const uint8_t *data; /* see above: until the next cg_replay_next() */
	size_t len;
	uint64_t time_us;    /* recorded (or synthetic) wall time */
	bool synthetic_time; /* true for a raw dump: 1 s per 0x57 frame */
};

struct cg_replay {
	char path[PATH_MAX];
	enum cg_replay_kind kind;
	const uint8_t *map; /* the whole file, read-only; NULL if empty */
	size_t size;
	size_t pos;          /* next byte to hand out */
	size_t released;     /* pages before this were given back */
	uint64_t chunks;     /* in the file (known at open) */
	uint64_t handed;     /* chunks handed out so far */
	uint64_t first_us, last_us;
	struct cg_rec_scan scan;   /* recordings: what open found */
	struct cg_framer framer;   /* raw dumps: finds the 0x57 frames */
	const uint8_t *scan_at;    /* raw dumps: how far the framer read */
	char warning[512];   /* "" or why the replay ends early; show it */
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

/* Recorded seconds from the first chunk to the last (0 if fewer than 2). */
double cg_replay_length_s(const struct cg_replay *replay);

void cg_replay_close(struct cg_replay *replay);

/* cg_rec_scan() of a file mapped read-only, giving back the pages it has
 * read as it goes (and asking for small pages, so they can be given back
 * a step at a time). For the recorder's check of an existing file too. */
void cg_rec_scan_mapped(const uint8_t *map, size_t size,
			struct cg_rec_scan *out);

#endif
