/*
 * eventlog: the --events FILE, one line per event ("ISO-time text\n"),
 * appended through appendfile.h like the CSV log and the recording: each
 * line whole or not at all, fdatasync at most every CG_EVENTLOG_SYNC_MS
 * from the caller's tick and on close. The events themselves (events.h)
 * stay pure; this is only their file.
 *
 * I/O module. Functions that can fail return 0, or -1 with the <sysexits.h>
 * code and what to do in *err (error.h).
 */
#ifndef CG_EVENTLOG_H
#define CG_EVENTLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "appendfile.h"
#include "error.h"

#define CG_EVENTLOG_SYNC_MS 1000

struct cg_eventlog {
	struct cg_appendfile file; /* fd -1 when closed */
	bool need_newline; /* the file ends in a cut line: end it first */
};

/* Opens or creates path for appending. An existing, non-empty regular file
 * must be an events file (its first line starts with our time stamp), or
 * the open fails with EX_DATAERR and the file is left alone, as --log does
 * with another CSV. Fails with EX_NOPERM, EX_CANTCREAT, EX_DATAERR or
 * EX_IOERR (appendfile.h). */
int cg_eventlog_open(struct cg_eventlog *log, const char *path,
		     struct cg_error *err);

/* Appends "ISO-time text\n" for wall_ms (milliseconds since the epoch).
 * Fails with EX_IOERR (nothing of the line stays on the file). */
int cg_eventlog_write(struct cg_eventlog *log, uint64_t wall_ms,
		      const char *text, struct cg_error *err);

/* fdatasync if lines are waiting and it is time; now_ms is monotonic. */
int cg_eventlog_sync_due(struct cg_eventlog *log, uint64_t now_ms,
			 struct cg_error *err);

/* Syncs and closes. Safe on a closed log. */
int cg_eventlog_close(struct cg_eventlog *log, struct cg_error *err);

#endif
