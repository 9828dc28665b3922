/*
 * plottime: the clock of the pictures: --from / --to read and resolved
 * against the data, and times written the way the plot labels them (UTC,
 * proleptic Gregorian calendar, computed from integers: no time zone, no
 * libc calendar state).
 *
 * Pure: no I/O, no allocation, no globals.
 */
#ifndef CG_PLOTTIME_H
#define CG_PLOTTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "history.h"

#define CG_MS_DAY 86400000ull

/* A --from / --to time as given: an absolute time, or a clock time of
 * day (HH:MM[:SS], UTC) placed on the day of the data. */
struct cg_plot_time {
	bool set;
	bool clock;           /* a time of day */
	uint64_t ms;          /* absolute: ms since the epoch; clock: ms
			       * since midnight */
};

/* Reads "2026-01-01T06:00[:SS][Z]" (also with a space for T), or
 * "HH:MM[:SS]". Returns false if it is neither. */
bool cg_plot_parse_time(const char *text, struct cg_plot_time *out);

/* The window to draw, [*from_ms, *to_ms): --from and --to resolved against
 * the data (a clock time lands on the day of the first sample, and a --to
 * clock time before --from on the day after); unset ends are the data's
 * (to: one second after the last sample). Fails with EX_DATAERR when there
 * is no data, or none in the window; EX_USAGE when --to is not after
 * --from. */
int cg_plot_window(const struct cg_hist *h, const struct cg_plot_time *from,
		   const struct cg_plot_time *to, uint64_t *from_ms,
		   uint64_t *to_ms, struct cg_error *err);

/* "2026-01-01" for ms since the epoch. */
void cg_plottime_date(char *out, size_t cap, uint64_t ms);

/* "06:00" or, with seconds, "06:00:05". */
void cg_plottime_clock(char *out, size_t cap, uint64_t ms, bool seconds);

/* A length of time for people: "3 d 4 h", "1 h 0 min", "12 s", "550 ms". */
void cg_plottime_span(char *out, size_t cap, uint64_t ms);

#endif
