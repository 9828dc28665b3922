/*
 * eventlog: timestamped event lines, appended whole.
 */
#include "eventlog.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "clock.h"
#include "events.h"

static const struct cg_appendfile_kind events_file = {
	.option = "--events",
	.verb = "write events",
	.example = "events.log",
	.stopped = "; events are no longer written",
	.sync_ms = CG_EVENTLOG_SYNC_MS,
	.flags = 0,
};

/* "2023-11-14T22:13:20.123Z ": the start of every line we write. */
static bool starts_with_stamp(const char *line, size_t len)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ ";

	if (len < sizeof(shape) - 1)
		return false;
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)line[i])
				    : line[i] != shape[i])
			return false;
	}
	return true;
}

/* An existing file must be one of ours: its first line starts with our
 * time stamp. Also notes a cut last line, to be ended before ours. */
static int check_existing(struct cg_eventlog *log, struct cg_error *err)
{
	const char *path = log->file.path;
	char first[64], last;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == EACCES ?
		       cg_error_set(err, EX_NOPERM, "cannot read %s to check "
				    "it is an events file: permission denied; "
				    "make it readable or give --events a new "
				    "file", path) :
		       cg_error_set(err, EX_IOERR, "cannot read %s: %s; give "
				    "--events a new file", path,
				    strerror(errno));
	ssize_t n = pread(fd, first, sizeof(first), 0);
	if (n > 0 && pread(fd, &last, 1, (off_t)log->file.size - 1) == 1)
		log->need_newline = last != '\n';
	int read_errno = errno;
	close(fd);
	if (n < 0)
		return cg_error_set(err, EX_IOERR, "cannot read %s: %s; give "
				    "--events a new file", path,
				    strerror(read_errno));
	if (!starts_with_stamp(first, (size_t)n))
		return cg_error_set(err, EX_DATAERR, "%s is not a chargery-top "
				    "events file (its first line is not a "
				    "time stamp and an event): give --events "
				    "a new file", path);
	return 0;
}

int cg_eventlog_open(struct cg_eventlog *log, const char *path,
		     struct cg_error *err)
{
	struct cg_error ignored;

	log->need_newline = false;
	if (cg_appendfile_open(&log->file, path, &events_file, err) < 0)
		return -1;
	if (log->file.regular && log->file.size > 0 &&
	    check_existing(log, err) < 0) {
		cg_appendfile_close(&log->file, &ignored);
		return -1;
	}
	return 0;
}

int cg_eventlog_write(struct cg_eventlog *log, uint64_t wall_ms,
		      const char *text, struct cg_error *err)
{
	char when[CG_ISO_TIME_MAX], line[CG_ISO_TIME_MAX + CG_EVENT_TEXT_MAX + 3];

	cg_clock_format_iso8601(wall_ms, when);
	int n = snprintf(line, sizeof(line), "%s%s %.*s\n",
			 log->need_newline ? "\n" : "", when,
			 CG_EVENT_TEXT_MAX - 1, text);
	if (n < 0 || (size_t)n >= sizeof(line))
		return cg_error_set(err, EX_SOFTWARE, "an event line did not "
				    "fit in %zu bytes", sizeof(line));
	if (cg_appendfile_write(&log->file, line, (size_t)n, err) < 0)
		return -1;
	log->need_newline = false;
	return 0;
}

int cg_eventlog_sync_due(struct cg_eventlog *log, uint64_t now_ms,
			 struct cg_error *err)
{
	return cg_appendfile_sync_due(&log->file, now_ms, err);
}

int cg_eventlog_close(struct cg_eventlog *log, struct cg_error *err)
{
	return cg_appendfile_close(&log->file, err);
}
