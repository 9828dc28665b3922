/*
 * clock: monotonic milliseconds for everything that measures an interval
 * (so a wall-clock jump from NTP never makes a link look stale), and UTC
 * wall-clock time only for stamping what is written out.
 */
#include "clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

uint64_t cg_clock_ms(void)
{
	struct timespec now;

	/* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

uint64_t cg_clock_wall_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

void cg_clock_format_iso8601(uint64_t wall_ms, char out[CG_ISO_TIME_MAX])
{
	time_t secs = (time_t)(wall_ms / 1000u);
	struct tm utc;
	char seconds[20]; /* "YYYY-MM-DDTHH:MM:SS" */

	if (!gmtime_r(&secs, &utc) ||
	    !strftime(seconds, sizeof(seconds), "%Y-%m-%dT%H:%M:%S", &utc)) {
		/* Only a year beyond 9999 gets here; say so rather than lie. */
		snprintf(out, CG_ISO_TIME_MAX, "%s", "0000-00-00T00:00:00.000Z");
		return;
	}
	snprintf(out, CG_ISO_TIME_MAX, "%s.%03uZ", seconds,
		 (unsigned)(wall_ms % 1000u));
}

/* Where the time of day starts in "YYYY-MM-DDTHH:MM:SS.mmmZ". */
#define ISO_HOUR_AT 11

static void two_digits(char *at, unsigned value)
{
	at[0] = (char)('0' + value / 10u);
	at[1] = (char)('0' + value % 10u);
}

const char *cg_clock_iso8601_cached(struct cg_iso_cache *cache,
				    uint64_t wall_ms)
{
	uint64_t day = wall_ms / 86400000u;
	unsigned ms_of_day = (unsigned)(wall_ms % 86400000u);

	/* UTC days are all 86,400 s long (gmtime knows no leap seconds), so
	 * within a day the time of day is plain arithmetic. */
	if (!cache->set || cache->day != day) {
		cg_clock_format_iso8601(wall_ms, cache->text);
		cache->set = true;
		cache->day = day;
		/* The fallback text says 00:00:00.000 whatever the time; no
		 * time since 1970 is in the year 0000 otherwise. */
		cache->fixed = memcmp(cache->text, "0000-", 5) == 0;
		return cache->text;
	}
	if (!cache->fixed) {
		char *t = cache->text + ISO_HOUR_AT;
		unsigned ms = ms_of_day % 1000u, s = ms_of_day / 1000u;

		two_digits(t, s / 3600u);
		two_digits(t + 3, s / 60u % 60u);
		two_digits(t + 6, s % 60u);
		t[9] = (char)('0' + ms / 100u);
		two_digits(t + 10, ms % 100u);
	}
	return cache->text;
}

void cg_clock_iso8601(char out[CG_ISO_TIME_MAX])
{
	cg_clock_format_iso8601(cg_clock_wall_ms(), out);
}
