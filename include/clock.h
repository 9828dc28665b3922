/* clock: the two times the program uses, behind one small interface. */
#ifndef CG_CLOCK_H
#define CG_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Milliseconds on the monotonic clock: for ages, rates and timeouts. */
uint64_t cg_clock_ms(void);

/* Wall-clock time now as ISO-8601 UTC with milliseconds,
 * e.g. "2026-11-24T06:20:00.123Z". out must hold CG_ISO_TIME_MAX bytes. */
#define CG_ISO_TIME_MAX 32
void cg_clock_iso8601(char out[CG_ISO_TIME_MAX]);

/* Wall-clock milliseconds since the epoch: for stamping, never intervals. */
uint64_t cg_clock_wall_ms(void);

/* A given wall-clock time (ms since the epoch) in the same format: what a
 * replay stamps its output with is the recorded time, not now. */
void cg_clock_format_iso8601(uint64_t wall_ms, char out[CG_ISO_TIME_MAX]);

/*
 * The same text for a stream of times, at the cost of one calendar
 * conversion per day of data: the date of the last day is kept and the
 * time of day and milliseconds are written again from integers. Owned by
 * the caller, zeroed to start (nothing cached). Pure: no I/O, no globals.
 */
struct cg_iso_cache {
	bool set;          /* text holds a time of the day below */
	bool fixed;        /* the "0000-..." text of an unformattable year */
	uint64_t day;      /* wall_ms / 86,400,000 of text */
	char text[CG_ISO_TIME_MAX];
};

/* wall_ms as cg_clock_format_iso8601 writes it. Returns cache->text,
 * valid until the next call with this cache. */
const char *cg_clock_iso8601_cached(struct cg_iso_cache *cache,
				    uint64_t wall_ms);

#endif
