/* clock: the two times the program uses, behind one small interface. */
#ifndef CG_CLOCK_H
#define CG_CLOCK_H

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

#endif
