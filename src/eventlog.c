/*
 * eventlog: timestamped event lines, appended whole.
 */
#include "eventlog.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

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

int cg_eventlog_open(struct cg_eventlog *log, const char *path,
		     struct cg_error *err)
{
	return cg_appendfile_open(&log->file, path, &events_file, err);
}

int cg_eventlog_write(struct cg_eventlog *log, uint64_t wall_ms,
		      const char *text, struct cg_error *err)
{
	char when[CG_ISO_TIME_MAX], line[CG_ISO_TIME_MAX + CG_EVENT_TEXT_MAX + 2];

	cg_clock_format_iso8601(wall_ms, when);
	int n = snprintf(line, sizeof(line), "%s %.*s\n", when,
			 CG_EVENT_TEXT_MAX - 1, text);
	if (n < 0 || (size_t)n >= sizeof(line))
		return cg_error_set(err, EX_SOFTWARE, "an event line did not "
				    "fit in %zu bytes", sizeof(line));
	return cg_appendfile_write(&log->file, line, (size_t)n, err);
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
