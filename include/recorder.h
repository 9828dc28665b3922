/*
 * recorder: --record FILE keeps every byte the BMS sent, with the time it
 * arrived, in the format of recfile.h. Blocks are only ever appended, each
 * whole or not at all, through appendfile.h (which also decides when to
 * fdatasync: at most every CG_REC_SYNC_MS): a kill -9 loses nothing already
 * written and a power cut at most the last second. An existing recording
 * is checked before anything is appended: a torn tail is cut off, damage or
 * anything else is refused.
 *
 * I/O module. Functions that can fail return 0, or -1 with an exit code
 * from <sysexits.h> and what to do in *err (error.h). Times: *_us are
 * wall-clock microseconds, *_ms the caller's monotonic milliseconds.
 */
#ifndef CG_RECORDER_H
#define CG_RECORDER_H

#include <stddef.h>
#include <stdint.h>

#include "appendfile.h"
#include "error.h"
#include "recfile.h"

#define CG_REC_SYNC_MS 1000   /* fdatasync at most this often */

struct cg_recorder {
	struct cg_appendfile file; /* path, fd (-1 when closed), size,
				    * syncs */
	uint64_t blocks;       /* blocks this session wrote */
	uint64_t bytes;        /* BMS bytes this session recorded */
	size_t cut_bytes;      /* torn tail cut off at open */
};

uint64_t cg_rec_wall_us(void);

/*
 * Opens path for recording (a regular file only, locked against a second
 * recorder): creates it with the magic, or checks that an
 * existing file is a recording, cuts off a torn tail (rec->cut_bytes says
 * how much) and appends after it. Refuses anything else (EX_DATAERR), a
 * recording locked by another recorder (EX_TEMPFAIL), and reports open
 * failures (EX_NOPERM, EX_CANTCREAT) and I/O errors (EX_IOERR). A file
 * this call created is removed again when it fails. Opening syncs, so the
 * sync clock starts at now_ms.
 */
int cg_recorder_open(struct cg_recorder *rec, const char *path,
		     uint64_t now_ms, struct cg_error *err);

/*
 * Appends len bytes received at wall time time_us: one block per
 * CG_REC_WRITE_MAX bytes, each whole or not at all; then fdatasync() if the last
 * one is CG_REC_SYNC_MS old. On failure (a full disk, EIO) the block being
 * written is taken back so the file stays a clean recording; the caller
 * should say err->message and cg_recorder_close().
 */
int cg_recorder_write(struct cg_recorder *rec, const uint8_t *data,
		      size_t len, uint64_t time_us, uint64_t now_ms,
		      struct cg_error *err);

/* Call from a periodic tick: syncs what the last writes left unsynced once
 * it is CG_REC_SYNC_MS old, so the tail is safe even when the BMS stops. */
int cg_recorder_tick(struct cg_recorder *rec, uint64_t now_ms,
		     struct cg_error *err);

/* fdatasync() and close. Safe on a closed recorder (returns 0). */
int cg_recorder_close(struct cg_recorder *rec, struct cg_error *err);

#endif
