/*
 * csvlog: the --log FILE.csv spreadsheet log, one row per cell-voltage
 * frame with the latest measurements.
 *
 * The columns and their text are csv.h's (cg_csv_header, cg_csv_row: pure,
 * shared with --once --csv). This module (cg_csvlog_*) keeps whole rows in
 * a buffer of CG_CSVLOG_BUF bytes and appends them through appendfile.h in
 * one write, a batch that goes whole or not at all: when the next row would
 * not fit, on cg_csvlog_flush (the caller's loop calls it before it waits,
 * so a live row reaches the file in the turn it came in), on the periodic
 * sync and on close. Whatever kills the program, the file holds whole rows
 * only; a crash loses at most the rows of the turn it happened in. It calls
 * fdatasync at most every CG_CSVLOG_SYNC_MS while rows are being written
 * and on close, to spare SD cards. Functions that can fail return 0, or -1
 * with the <sysexits.h> code and what to do in *err (error.h).
 */
#ifndef CG_CSVLOG_H
#define CG_CSVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>

#include "appendfile.h"
#include "csv.h"
#include "error.h"
#include "pack.h"

#define CG_CSVLOG_SYNC_MS 10000
#define CG_CSVLOG_BUF 65536 /* rows waiting for one write; holds hundreds */

struct cg_csvlog {
	struct cg_appendfile file; /* fd (-1 when closed), unsynced,
				    * synced_at_ms: see appendfile.h */
	const char *path; /* as given; must outlive the log */
	unsigned columns; /* cell columns of the file's header; 0 = not yet */
	/* What the file holds once the buffer is written: */
	bool header_on_file; /* false: the first row brings the header */
	bool need_newline;   /* the file ends in a cut line: end it first */
	uint64_t rows;       /* rows written by us, buffered ones included */
	/* The same, as the file holds them now (a refused batch goes back). */
	bool flushed_header_on_file;
	bool flushed_need_newline;
	uint64_t flushed_rows;
	size_t used;             /* bytes waiting in buf */
	char buf[CG_CSVLOG_BUF]; /* whole lines only */
	char path_buf[PATH_MAX]; /* the file beside it, once switched */
	/* Set when the cell count changed and rows went on in a new file:
	 * what to put in the events; the caller empties it. */
	char note[PATH_MAX + 96];
};

/*
 * Opens or creates path for appending (mode 0644 before umask). An
 * existing, non-empty file must start with our header: if cells_hint > 0
 * (--cells) it must have cells_hint cell columns or the open fails now
 * with EX_DATAERR; otherwise the first row checks it against the wired
 * count. A new or empty file gets its header with the first row.
 * Fails with EX_CANTCREAT, EX_NOPERM, EX_DATAERR or EX_IOERR.
 */
int cg_csvlog_open(struct cg_csvlog *log, const char *path,
		   unsigned cells_hint, struct cg_error *err);

/*
 * Adds one row for the pack (call on each 0x56 frame) to the buffer,
 * writing the rows before it first if it would not fit. Does nothing
 * until the pack knows its wired cells. Fewer wired cells than the file
 * has columns leave the last columns empty. More (a cell count that grew
 * while running, or an existing file with fewer columns) never stops the
 * log: the rows go on in a file beside it named for the count (pack.csv
 * -> pack-16cells.csv, appended to if it holds the same header), and
 * log->note says so for the events. A pipe gets a new header line.
 * Fails with EX_IOERR on a write error (e.g. disk full; the batch is
 * taken back off the file, whole, and its rows are dropped), or what
 * opening the new file fails with.
 */
int cg_csvlog_write(struct cg_csvlog *log, const struct cg_pack *pack,
		    const char *iso_time, uint64_t now_ms,
		    struct cg_error *err);

/* Writes the buffered rows, if any, in one write(2): all of them or, on an
 * error, none (the batch is cut back off the file and dropped, so the log
 * goes on from what the file holds). Fails with EX_IOERR. */
int cg_csvlog_flush(struct cg_csvlog *log, struct cg_error *err);

/* Flushes, then fdatasync if rows are waiting and CG_CSVLOG_SYNC_MS has
 * passed since the last one (the first rows at once). Call it from a
 * periodic tick with the monotonic clock: cg_csvlog_write never syncs,
 * since its now_ms is the pack's clock, which a fast replay runs hours
 * ahead. Fails with EX_IOERR. */
int cg_csvlog_sync_due(struct cg_csvlog *log, uint64_t now_ms,
		       struct cg_error *err);

/* Flushes, syncs what is unsynced and closes. Safe on a closed log. Fails
 * with EX_IOERR (the file is closed either way; rows it could not write
 * are dropped). */
int cg_csvlog_close(struct cg_csvlog *log, struct cg_error *err);

#endif
