/*
 * textfmt: the figures as the screens write them, as wide strings of
 * one-column characters (volts with three decimals, tenths with their sign,
 * ages, clock times), and the one way text from elsewhere (port names,
 * events, the link doctor) is made safe to draw.
 *
 * Pure: no I/O, no allocation, no globals (the clock time is local time,
 * as the C library gives it).
 */
#ifndef CG_TEXTFMT_H
#define CG_TEXTFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/* Room for one piece of text on a screen line. */
#define CG_TEXT_MAX 160

/* ASCII from the system (port names, error details): any byte outside
 * printable ASCII becomes '?', so nothing steers the terminal. */
void cg_widen_ascii(wchar_t *out, size_t cap, const char *s);

/* Text in the locale's encoding (events, the doctor's words): only
 * printable one-column characters are kept, others become '?'. */
void cg_widen_text(wchar_t *out, size_t cap, const char *s);

/* Local wall-clock time of day, e.g. "14:02:11". */
void cg_fmt_clock(wchar_t *buf, size_t cap, uint64_t wall_ms);

/* A span of seconds as "01:02:03". */
void cg_fmt_hms(wchar_t *buf, size_t cap, double seconds);

/* 3325 -> "3.325". */
void cg_fmt_mv(wchar_t *buf, size_t cap, unsigned mv);

/* "Total 53.294 V", or "Total -- V" when unknown: never a made-up 0.
 * text holds CG_TEXT_MAX characters. */
void cg_fmt_volts(wchar_t *text, const wchar_t *label, bool known,
		  unsigned mv);

/* Tenths (0.1 A, 0.1 degC, 0.1 mOhm) with their sign; plus: "+" too. */
void cg_fmt_tenths(wchar_t *buf, size_t cap, long v, bool plus);

/* How long ago: "1.2 s", "34 s", "5 min", "3 h". */
void cg_fmt_age(wchar_t *buf, size_t cap, uint64_t now_ms, uint64_t at_ms);

/* An alarm limit: "3.650 V" (volts) or "100 mV", "--" when 0 (none). */
void cg_fmt_limit(wchar_t *buf, size_t cap, unsigned mv, bool volts);

#endif
