/*
 * clock: monotonic milliseconds for everything that measures an interval
 * (so a wall-clock jump from NTP never makes a link look stale), and UTC
 * wall-clock time only for stamping what is written out.
 */
#include "clock.h"

#include <stdio.h>
#include <time.h>

uint64_t cg_clock_ms(void)
{
	struct timespec now;

	/* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

void cg_clock_iso8601(char out[CG_ISO_TIME_MAX])
{
	struct timespec now;
	struct tm utc;
	char seconds[20]; /* "YYYY-MM-DDTHH:MM:SS" */
	unsigned millis;

	clock_gettime(CLOCK_REALTIME, &now);
	if (!gmtime_r(&now.tv_sec, &utc) ||
	    !strftime(seconds, sizeof(seconds), "%Y-%m-%dT%H:%M:%S", &utc)) {
		/* Only a year beyond 9999 gets here; say so rather than lie. */
		snprintf(out, CG_ISO_TIME_MAX, "%s", "0000-00-00T00:00:00.000Z");
		return;
	}
	/* The modulo only tells the compiler the range; tv_nsec < 1e9. */
	millis = (unsigned)(now.tv_nsec / 1000000L) % 1000u;
	snprintf(out, CG_ISO_TIME_MAX, "%s.%03uZ", seconds, millis);
}
