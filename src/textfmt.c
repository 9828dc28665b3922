/*
 * textfmt: figures and foreign text as the screens write them (textfmt.h).
 */
#include "textfmt.h"

#include <string.h>
#include <time.h>
#include <wctype.h>

/* Port names and error details come from the system, not the line, but a
 * stray byte in them must still not reach the terminal raw. */
void cg_widen_ascii(wchar_t *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 1 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		out[n++] = (c >= 0x20 && c < 0x7f) ? (wchar_t)c : L'?';
	}
	out[n] = L'\0';
}

/* Text made by other modules (events, the link doctor, the firmware name)
 * may hold any character of the locale; only printable one-column ones are
 * kept, so the column arithmetic stays right and nothing steers the
 * terminal. */
void cg_widen_text(wchar_t *out, size_t cap, const char *s)
{
	mbstate_t state;
	size_t n = 0, left = s ? strlen(s) : 0;

	memset(&state, 0, sizeof(state));
	while (left > 0 && n + 1 < cap) {
		wchar_t wc;
		size_t used = mbrtowc(&wc, s, left, &state);

		if (used == (size_t)-1 || used == (size_t)-2 || used == 0) {
			memset(&state, 0, sizeof(state));
			wc = L'?';
			used = 1;
		} else if (!iswprint((wint_t)wc) || wcwidth(wc) != 1) {
			wc = L'?';
		}
		out[n++] = wc;
		s += used;
		left -= used;
	}
	out[n] = L'\0';
}

/* Local wall-clock time of day, e.g. "14:02:11". */
void cg_fmt_clock(wchar_t *buf, size_t cap, uint64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm)) {
		swprintf(buf, cap, L"--:--:--");
		return;
	}
	swprintf(buf, cap, L"%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
		 tm.tm_sec);
}

/* A span of seconds as "01:02:03". */
void cg_fmt_hms(wchar_t *buf, size_t cap, double seconds)
{
	unsigned long s = seconds > 0 ? (unsigned long)seconds : 0;

	swprintf(buf, cap, L"%02lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
}

void cg_fmt_mv(wchar_t *buf, size_t cap, unsigned mv)
{
	swprintf(buf, cap, L"%u.%03u", mv / 1000, mv % 1000);
}

/* "Total 53.294 V", or "Total -- V" when unknown: never a made-up 0. */
void cg_fmt_volts(wchar_t *text, const wchar_t *label, bool known,
		       unsigned mv)
{
	wchar_t v[32];

	if (known)
		cg_fmt_mv(v, 32, mv);
	else
		wcscpy(v, L"--");
	swprintf(text, CG_TEXT_MAX, L"%ls %ls V", label, v);
}

/* Tenths (0.1 A, 0.1 degC, 0.1 mOhm) with their sign. */
void cg_fmt_tenths(wchar_t *buf, size_t cap, long v, bool plus)
{
	const wchar_t *sign = v < 0 ? L"-" : (plus && v > 0 ? L"+" : L"");
	unsigned long a = v < 0 ? (unsigned long)-v : (unsigned long)v;

	swprintf(buf, cap, L"%ls%lu.%lu", sign, a / 10, a % 10);
}

void cg_fmt_age(wchar_t *buf, size_t cap, uint64_t now_ms, uint64_t at_ms)
{
	uint64_t ms = now_ms > at_ms ? now_ms - at_ms : 0;

	if (ms < 10000)
		swprintf(buf, cap, L"%u.%u s", (unsigned)(ms / 1000),
			 (unsigned)(ms % 1000 / 100));
	else if (ms < 120000)
		swprintf(buf, cap, L"%u s", (unsigned)(ms / 1000));
	else if (ms < 7200000)
		swprintf(buf, cap, L"%u min", (unsigned)(ms / 60000));
	else
		swprintf(buf, cap, L"%llu h",
			 (unsigned long long)(ms / 3600000));
}

void cg_fmt_limit(wchar_t *buf, size_t cap, unsigned mv, bool volts)
{
	wchar_t a[16];

	if (mv == 0) {
		swprintf(buf, cap, L"--");
	} else if (volts) {
		cg_fmt_mv(a, 16, mv);
		swprintf(buf, cap, L"%ls V", a);
	} else {
		swprintf(buf, cap, L"%u mV", mv);
	}
}
