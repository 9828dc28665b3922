/*
 * histview: the layout, window, scale and time axis of the history
 * screen (histview.h).
 */
#include "histview.h"

#include <stdio.h>

#define MIN_MS 60000ull
#define HOUR_MS 3600000ull

static int min_rows(enum cg_histview_kind k)
{
	return k == CG_HV_CELLS ? CG_HV_CELLS_MIN : CG_HV_OTHER_MIN;
}

int cg_histview_layout(int cols, int lines, struct cg_histview_layout *out)
{
	/* Line 0 the title; at the bottom the marks, the axis, the labels. */
	int avail = lines - 1 - 3, used = 0, n = 0, extra;

	*out = (struct cg_histview_layout){ 0 };
	out->x0 = CG_HV_GUTTER;
	out->width = cols - CG_HV_GUTTER - 1;
	if (out->width > CG_HV_WIDTH_MAX)
		out->width = CG_HV_WIDTH_MAX;
	if (cols < CG_HV_MIN_COLS || avail <= 0)
		return 0;
	for (int k = 0; k < CG_HV_KINDS; k++) {
		int need = 1 + min_rows((enum cg_histview_kind)k);
		if (used + need > avail)
			break;
		out->panel[n].kind = (enum cg_histview_kind)k;
		out->panel[n].h = need - 1;
		used += need;
		n++;
	}
	if (n == 0)
		return 0;
	/* The rows left over: the cell graph twice the share of another. */
	extra = avail - used;
	int share = extra / (n + 1), left = extra;
	for (int i = 1; i < n; i++) {
		out->panel[i].h += share;
		left -= share;
	}
	out->panel[0].h += left;
	int y = 1;
	for (int i = 0; i < n; i++) {
		if (out->panel[i].h > CG_HV_ROWS_MAX)
			out->panel[i].h = CG_HV_ROWS_MAX;
		out->panel[i].title_y = y;
		out->panel[i].y = y + 1;
		y += 1 + out->panel[i].h;
	}
	out->marks_y = y;
	out->axis_y = y + 1;
	out->labels_y = y + 2;
	out->n = n;
	return n;
}

static const uint64_t spans[CG_HV_ZOOMS] = {
	5 * MIN_MS, 15 * MIN_MS, HOUR_MS, 6 * HOUR_MS, 24 * HOUR_MS, 0,
};
static const char *const span_names[CG_HV_ZOOMS] = {
	"5 min", "15 min", "1 h", "6 h", "24 h", "session",
};

uint64_t cg_histview_span_ms(int level)
{
	if (level < 0 || level >= CG_HV_ZOOMS)
		return 0;
	return spans[level];
}

const char *cg_histview_span_name(int level)
{
	if (level < 0 || level >= CG_HV_ZOOMS)
		return span_names[CG_HV_ZOOMS - 1];
	return span_names[level];
}

uint64_t cg_histview_window(uint64_t first_ms, uint64_t last_ms,
			    uint64_t span_ms, uint64_t back_ms,
			    uint64_t *from_ms, uint64_t *to_ms)
{
	uint64_t end = last_ms + 1000, length;

	if (last_ms < first_ms)
		first_ms = last_ms;
	length = end - first_ms;
	if (span_ms == 0) {
		*from_ms = first_ms;
		*to_ms = end;
		return 0;
	}
	if (span_ms >= length) {
		/* All the data fits: the newest at the right edge. */
		*to_ms = end;
		*from_ms = end > span_ms ? end - span_ms : 0;
		return 0;
	}
	if (back_ms > length - span_ms)
		back_ms = length - span_ms;
	*to_ms = end - back_ms;
	*from_ms = *to_ms - span_ms;
	return back_ms;
}

void cg_histview_scale(int32_t lo, int32_t hi, int32_t min_range,
		       bool with_zero, int32_t *out_lo, int32_t *out_hi)
{
	int64_t l = lo, h = hi, pad;

	if (l > h) {
		int64_t t = l;
		l = h;
		h = t;
	}
	if (with_zero) {
		if (l > 0)
			l = 0;
		if (h < 0)
			h = 0;
	}
	if (h - l < min_range) {
		int64_t grow = min_range - (h - l);
		l -= grow / 2;
		h += grow - grow / 2;
		if (with_zero && lo >= 0 && hi >= 0 && l < 0) {
			h -= l;
			l = 0;
		}
	}
	pad = (h - l) / 20;
	if (pad < 1)
		pad = 1;
	if (!(with_zero && l == 0))
		l -= pad;
	h += pad;
	*out_lo = l < INT32_MIN ? INT32_MIN : (int32_t)l;
	*out_hi = h > INT32_MAX ? INT32_MAX : (int32_t)h;
}

int cg_histview_col(uint64_t from_ms, uint64_t to_ms, int width,
		    uint64_t t_ms)
{
	if (width <= 0 || to_ms <= from_ms || t_ms < from_ms || t_ms >= to_ms)
		return -1;
	return (int)((t_ms - from_ms) * (uint64_t)width / (to_ms - from_ms));
}

static const uint64_t steps[] = {
	1000, 2000, 5000, 10000, 15000, 30000,
	MIN_MS, 2 * MIN_MS, 5 * MIN_MS, 10 * MIN_MS, 15 * MIN_MS, 30 * MIN_MS,
	HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS,
	24 * HOUR_MS,
};

int cg_histview_ticks(uint64_t from_ms, uint64_t to_ms, int width,
		      int64_t tz_offset_ms, struct cg_histview_tick *ticks,
		      int max)
{
	size_t nsteps = sizeof(steps) / sizeof(steps[0]);
	uint64_t span, step = steps[nsteps - 1];
	int len = 5, n = 0;

	if (width <= 0 || to_ms <= from_ms || max <= 0)
		return 0;
	span = to_ms - from_ms;
	for (size_t i = 0; i < nsteps; i++) {
		int l = steps[i] < MIN_MS ? 8 : 5;
		/* columns between two ticks, rounded down */
		if (steps[i] * (uint64_t)width / span >= (uint64_t)(l + 2)) {
			step = steps[i];
			len = l;
			break;
		}
	}
	/* The first round local time at or after from_ms. */
	int64_t local = (int64_t)from_ms + tz_offset_ms;
	int64_t s = (int64_t)step;
	int64_t first = local >= 0 ? (local + s - 1) / s * s : local / s * s;
	for (int64_t t = first - tz_offset_ms; t < (int64_t)to_ms && n < max;
	     t += s) {
		if (t < (int64_t)from_ms)
			continue;
		int col = cg_histview_col(from_ms, to_ms, width, (uint64_t)t);
		if (col < 0 || col + len > width)
			continue;
		uint64_t day = (uint64_t)(t + tz_offset_ms) % 86400000ull;
		unsigned hh = (unsigned)(day / HOUR_MS);
		unsigned mm = (unsigned)(day / MIN_MS % 60);
		unsigned ss = (unsigned)(day / 1000 % 60);
		struct cg_histview_tick *k = &ticks[n++];
		k->col = col;
		if (len == 8)
			snprintf(k->text, sizeof(k->text), "%02u:%02u:%02u",
				 hh % 100, mm % 100, ss % 100);
		else
			snprintf(k->text, sizeof(k->text), "%02u:%02u",
				 hh % 100, mm % 100);
	}
	return n;
}
