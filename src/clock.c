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

/* Offset of the milliseconds in "YYYY-MM-DDTHH:MM:SS.mmmZ". */
#define ISO_MS_AT 20

const char *cg_clock_iso8601_cached(struct cg_iso_cache *cache,
				    uint64_t wall_ms)
{
	uint64_t second = wall_ms / 1000u;
	unsigned ms = (unsigned)(wall_ms % 1000u);

	if (!cache->set || cache->second != second) {
		cg_clock_format_iso8601(wall_ms, cache->text);
		cache->set = true;
		cache->second = second;
		/* The fallback text says .000 whatever the milliseconds;
		 * no time since 1970 is in the year 0000 otherwise. */
		cache->fixed = memcmp(cache->text, "0000-", 5) == 0;
		return cache->text;
	}
	if (!cache->fixed) {
		cache->text[ISO_MS_AT] = (char)('0' + ms / 100u);
		cache->text[ISO_MS_AT + 1] = (char)('0' + ms / 10u % 10u);
		cache->text[ISO_MS_AT + 2] = (char)('0' + ms % 10u);
	}
	return cache->text;
}

void cg_clock_iso8601(char out[CG_ISO_TIME_MAX])
{
	cg_clock_format_iso8601(cg_clock_wall_ms(), out);
}
