/*
 * csvlog: spreadsheet rows (formatted by csv.c straight into the batch
 * buffer) appended whole, a batch per write(2).
 */
#include "csvlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>


static const struct cg_appendfile_kind csv_file = {
	.option = "--log",
	.verb = "log",
	.example = "chargery.csv",
	.stopped = "",
	.sync_ms = CG_CSVLOG_SYNC_MS,
	/* A second logger would interleave its rows with ours. */
	.flags = CG_APPEND_LOCK,
};

/* Which of our headers line is, as its cell count; 0 if none. */
static unsigned header_columns(const char *line, size_t len)
{
	char want[CG_CSV_LINE_MAX];

	for (unsigned n = 1; n <= CG_MAX_CELLS; n++) {
		size_t wlen = cg_csv_header(want, sizeof(want), n);
		if (wlen == len && memcmp(want, line, len) == 0)
			return n;
	}
	return 0;
}

/*
 * Reads the first line of an existing log (through its own read-only
 * descriptor: ours is O_WRONLY) and whether the file ends mid-line, which
 * an older program or a full disk may have left.
 */
static int check_existing(struct cg_csvlog *log, off_t size,
			  unsigned cells_hint, struct cg_error *err)
{
	char first[CG_CSV_LINE_MAX];
	int fd = open(log->path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char last;

	if (fd < 0)
		return errno == EACCES ?
		       cg_error_set(err, EX_NOPERM, "cannot read %s to check "
				    "its columns: permission denied; make it "
				    "readable or log to a new file",
				    log->path) :
		       cg_error_set(err, EX_IOERR, "cannot read %s: %s",
				    log->path, strerror(errno));
	n = pread(fd, first, sizeof(first), 0);
	if (n > 0 && pread(fd, &last, 1, size - 1) == 1)
		log->need_newline = last != '\n';
	int read_errno = errno;
	close(fd);
	if (n < 0)
		return cg_error_set(err, EX_IOERR, "cannot read %s: %s",
				    log->path, strerror(read_errno));

	char *end = memchr(first, '\n', (size_t)n);
	unsigned columns = end ? header_columns(first, (size_t)(end - first + 1)) : 0;
	if (!columns)
		return cg_error_set(err, EX_DATAERR, "%s is not a "
				    "chargery-top log (its first line is not "
				    "our header): log to a new file",
				    log->path);
	if (cells_hint && columns != cells_hint)
		return cg_error_set(err, EX_DATAERR, "%s has columns for %u "
				    "cells but --cells says %u: log to a new "
				    "file or pass --cells %u", log->path,
				    columns, cells_hint, columns);
	log->columns = columns;
	log->header_on_file = true;
	return 0;
}

/* The buffer is empty: what the log knows is what the file holds. */
static void mark_flushed(struct cg_csvlog *log)
{
	log->flushed_header_on_file = log->header_on_file;
	log->flushed_need_newline = log->need_newline;
	log->flushed_rows = log->rows;
}

int cg_csvlog_open(struct cg_csvlog *log, const char *path,
		   unsigned cells_hint, struct cg_error *err)
{
	struct cg_error ignored;
	int rc;

	memset(log, 0, sizeof(*log));
	log->path = path;
	if (cg_appendfile_open(&log->file, path, &csv_file, err) < 0)
		return -1;
	/* A pipe or terminal (--log /dev/stdout) has no header to check. */
	if (log->file.regular && log->file.size > 0) {
		rc = check_existing(log, (off_t)log->file.size, cells_hint,
				    err);
		if (rc) {
			cg_appendfile_close(&log->file, &ignored);
			return rc;
		}
	}
	mark_flushed(log);
	return 0;
}

/* "dir/pack.csv" -> "dir/pack-16cells.csv"; without ".csv", the suffix is
 * added to the whole name. */
static int beside(const char *path, unsigned cells, char *out, size_t cap)
{
	size_t len = strlen(path);
	size_t stem = len >= 4 && strcmp(path + len - 4, ".csv") == 0 ? len - 4
								     : len;
	int n = snprintf(out, cap, "%.*s-%ucells.csv", (int)stem, path, cells);

	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* The cell count outgrew the file: go on in a file beside it. */
static int switch_file(struct cg_csvlog *log, unsigned cells,
		       struct cg_error *err)
{
	char next[PATH_MAX];
	const char *was = log->path;
	unsigned was_columns = log->columns;
	struct cg_error ignored;

	if (!log->file.regular) {
		/* A pipe or terminal: a new header line says it. */
		log->columns = cells;
		log->header_on_file = false;
		snprintf(log->note, sizeof(log->note), "log: %u cells now "
			 "(was %u): a new header line in %s", cells,
			 was_columns, was);
		return 0;
	}
	if (beside(log->path, cells, next, sizeof(next)) < 0)
		return cg_error_set(err, EX_CANTCREAT, "%s: a name for the "
				    "%u-cell log is too long: log to a shorter "
				    "path", log->path, cells);
	if (cg_csvlog_close(log, err) < 0)
		return -1;
	memcpy(log->path_buf, next, sizeof(next));
	snprintf(log->note, sizeof(log->note), "log: %u cells now (was %u): "
		 "rows go on in %s", cells, was_columns, log->path_buf);
	log->path = log->path_buf;
	log->columns = 0;
	log->header_on_file = false;
	log->need_newline = false;
	log->rows = 0;
	if (cg_appendfile_open(&log->file, log->path, &csv_file, err) < 0)
		return -1;
	if (log->file.regular && log->file.size > 0 &&
	    check_existing(log, (off_t)log->file.size, cells, err) < 0) {
		cg_appendfile_close(&log->file, &ignored);
		return -1;
	}
	log->columns = cells;
	mark_flushed(log);
	return 0;
}

int cg_csvlog_write(struct cg_csvlog *log, const struct cg_pack *pack,
		    const char *iso_time, uint64_t now_ms,
		    struct cg_error *err)
{
	/* A cut line's end, a header and a row at most. */
	const size_t room = 2 * CG_CSV_LINE_MAX + 1;
	size_t len = 0;

	if (log->file.fd < 0)
		return cg_error_set(err, EX_SOFTWARE, "%s is not open",
				    log->path ? log->path : "the log");
	if (!pack->have[CG_REC_CELLS] || pack->wired == 0)
		return 0; /* no columns to give yet */

	if (!log->columns)
		log->columns = pack->wired;
	/* An existing file must match from the start; later, a pack with
	 * fewer wired cells just leaves the last columns empty, and one with
	 * more goes on in a file beside this one (the rows before it go to
	 * the old file as the switch closes it). */
	if ((log->header_on_file && log->rows == 0 &&
	     pack->wired != log->columns) || pack->wired > log->columns) {
		if (switch_file(log, pack->wired, err) < 0)
			return -1;
	}
	if (sizeof(log->buf) - log->used < room &&
	    cg_csvlog_flush(log, err) < 0)
		return -1;

	char *out = log->buf + log->used;
	if (log->need_newline)
		out[len++] = '\n';
	if (!log->header_on_file)
		len += cg_csv_header(out + len, room - len, log->columns);
	size_t row = cg_csv_row(out + len, room - len, pack, log->columns,
				iso_time, now_ms);
	if (!row)
		return cg_error_set(err, EX_SOFTWARE, "a log row did not fit "
				    "in %zu bytes", room);
	log->used += len + row;
	log->need_newline = false;
	log->header_on_file = true;
	log->rows++;
	return 0;
}

int cg_csvlog_flush(struct cg_csvlog *log, struct cg_error *err)
{
	size_t len = log->used;

	if (!len)
		return 0;
	log->used = 0;
	if (cg_appendfile_write(&log->file, log->buf, len, err) < 0) {
		/* appendfile took the batch back off: the file is as it was
		 * at the last flush, and the log goes on from there. */
		log->header_on_file = log->flushed_header_on_file;
		log->need_newline = log->flushed_need_newline;
		log->rows = log->flushed_rows;
		return -1;
	}
	mark_flushed(log);
	return 0;
}

int cg_csvlog_sync_due(struct cg_csvlog *log, uint64_t now_ms,
		       struct cg_error *err)
{
	if (cg_csvlog_flush(log, err) < 0)
		return -1;
	return cg_appendfile_sync_due(&log->file, now_ms, err);
}

int cg_csvlog_close(struct cg_csvlog *log, struct cg_error *err)
{
	struct cg_error later;
	int rc;

	if (log->file.fd < 0) {
		log->used = 0;
		return 0;
	}
	rc = cg_csvlog_flush(log, err);
	/* Closed either way; the first error is the one to tell. */
	if (cg_appendfile_close(&log->file, rc ? &later : err) < 0)
		rc = -1;
	return rc;
}
