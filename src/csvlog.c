/*
 * csvlog: spreadsheet rows (formatted by csv.c) appended whole.
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

static int open_error(const char *path, int e, struct cg_error *err)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return cg_error_set(err, EX_CANTCREAT, "cannot create %s: its "
				    "directory does not exist; create the "
				    "directory or log somewhere else", path);
	case EACCES:
	case EPERM:
		return cg_error_set(err, EX_NOPERM, "cannot write %s: "
				    "permission denied; log to a directory "
				    "you own (e.g. your home) or fix its "
				    "permissions", path);
	case EISDIR:
		return cg_error_set(err, EX_CANTCREAT, "%s is a directory: "
				    "name a file in it, such as "
				    "%s/chargery.csv", path, path);
	case EROFS:
		return cg_error_set(err, EX_CANTCREAT, "cannot write %s: the "
				    "file system is read-only; log somewhere "
				    "else", path);
	case ENOSPC:
	case EDQUOT:
		return cg_error_set(err, EX_CANTCREAT, "cannot create %s: "
				    "disk full; free some space or log to "
				    "another disk", path);
	default:
		return cg_error_set(err, EX_CANTCREAT, "cannot open %s: %s",
				    path, strerror(e));
	}
}

static int write_error(const char *path, int e, struct cg_error *err)
{
	if (e == ENOSPC || e == EDQUOT)
		return cg_error_set(err, EX_IOERR, "cannot write %s: disk "
				    "full; free some space or log to another "
				    "disk", path);
	if (e == EFBIG)
		return cg_error_set(err, EX_IOERR, "cannot write %s: the file "
				    "is as large as this file system allows; "
				    "log to a new file", path);
	return cg_error_set(err, EX_IOERR, "cannot write %s: %s", path,
			    strerror(e));
}

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

int cg_csvlog_open(struct cg_csvlog *log, const char *path,
		   unsigned cells_hint, struct cg_error *err)
{
	struct stat st;
	int rc;

	memset(log, 0, sizeof(*log));
	log->fd = -1;
	log->path = path;

	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return open_error(path, errno, err);
	if (fstat(fd, &st) < 0) {
		rc = cg_error_set(err, EX_IOERR, "cannot stat %s: %s", path,
				  strerror(errno));
		close(fd);
		return rc;
	}
	log->fd = fd;
	/* A pipe or terminal (--log /dev/stdout) has no header to check. */
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		rc = check_existing(log, st.st_size, cells_hint, err);
		if (rc) {
			close(fd);
			log->fd = -1;
			return rc;
		}
	}
	return 0;
}

/*
 * Writes all of buf. One write(2) nearly always does it; if it comes up
 * short (a full disk) the part already written is cut off again, so the
 * file never keeps half a row.
 */
static int append(struct cg_csvlog *log, const char *buf, size_t len,
		  struct cg_error *err)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(log->fd, buf + done, len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		int e = n < 0 ? errno : ENOSPC;
		struct stat st;
		if (done && fstat(log->fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    (uint64_t)st.st_size >= done) {
			if (ftruncate(log->fd, st.st_size - (off_t)done) < 0) {
				/* Then a cut row stays; the next open sees
				 * it and ends it before appending. */
			}
		}
		return write_error(log->path, e, err);
	}
	return 0;
}

int cg_csvlog_write(struct cg_csvlog *log, const struct cg_pack *pack,
		    const char *iso_time, uint64_t now_ms,
		    struct cg_error *err)
{
	char buf[2 * CG_CSV_LINE_MAX + 1];
	size_t len = 0;

	if (log->fd < 0)
		return cg_error_set(err, EX_SOFTWARE, "%s is not open",
				    log->path ? log->path : "the log");
	if (!pack->have[CG_REC_CELLS] || pack->wired == 0)
		return 0; /* no columns to give yet */

	if (!log->columns)
		log->columns = pack->wired;
	/* An existing file must match from the start; later, a pack that
	 * loses a cell (a lead came off) just leaves its column empty. */
	if ((log->header_on_file && log->rows == 0 &&
	     pack->wired != log->columns) || pack->wired > log->columns)
		return cg_error_set(err, EX_DATAERR, "%s has columns for %u "
				    "cells but the pack has %u wired: log to "
				    "a new file or pass --cells %u", log->path,
				    log->columns, pack->wired, log->columns);

	if (log->need_newline)
		buf[len++] = '\n';
	if (!log->header_on_file)
		len += cg_csv_header(buf + len, sizeof(buf) - len, log->columns);
	size_t row = cg_csv_row(buf + len, sizeof(buf) - len, pack,
				log->columns, iso_time, now_ms);
	if (!row)
		return cg_error_set(err, EX_SOFTWARE, "a log row did not fit "
				    "in %zu bytes", sizeof(buf));
	len += row;

	int rc = append(log, buf, len, err);
	if (rc)
		return rc;
	log->need_newline = false;
	log->header_on_file = true;
	log->rows++;
	log->unsynced = true;
	return 0;
}

static int sync_now(struct cg_csvlog *log, struct cg_error *err)
{
	log->unsynced = false;
	if (fdatasync(log->fd) == 0)
		return 0;
	/* Pipes, terminals and /dev/null cannot be synced, nor need it. */
	if (errno == EINVAL || errno == EROFS)
		return 0;
	return write_error(log->path, errno, err);
}

int cg_csvlog_sync_due(struct cg_csvlog *log, uint64_t now_ms,
		       struct cg_error *err)
{
	if (log->fd < 0 || !log->unsynced)
		return 0;
	/* The first rows are synced at once; after that every 10 s. */
	if (log->sync_clock_set &&
	    now_ms - log->synced_at_ms < CG_CSVLOG_SYNC_MS)
		return 0;
	log->sync_clock_set = true;
	log->synced_at_ms = now_ms;
	return sync_now(log, err);
}

int cg_csvlog_close(struct cg_csvlog *log, struct cg_error *err)
{
	int rc = 0;

	if (log->fd < 0)
		return 0;
	if (log->unsynced)
		rc = sync_now(log, err);
	if (close(log->fd) < 0 && !rc)
		rc = write_error(log->path, errno, err);
	log->fd = -1;
	return rc;
}
