/* trend: see include/trend.h. */
#include "trend.h"

#include <string.h>

int cg_trend_level(int32_t dev_mv, int32_t span_mv)
{
	if (span_mv < 1)
		span_mv = 1;
	if (dev_mv < -span_mv)
		dev_mv = -span_mv;
	if (dev_mv > span_mv)
		dev_mv = span_mv;
	/* -span .. +span onto 0 .. LEVELS - 1, rounded to nearest. */
	int32_t top = CG_TREND_LEVELS - 1;
	return (int)(((int64_t)(dev_mv + span_mv) * top + span_mv) /
		     (2 * span_mv));
}

void cg_trend_build(struct cg_trend *t, const struct cg_hist *h,
		    unsigned cells, int ncols, uint64_t window_ms)
{
	struct cg_hist_column avg[CG_TREND_COLS_MAX], cell[CG_TREND_COLS_MAX];
	int32_t dev[CG_MAX_CELLS][CG_TREND_COLS_MAX];
	int32_t span = CG_TREND_MIN_SPAN_MV;

	if (cells > CG_MAX_CELLS)
		cells = CG_MAX_CELLS;
	if (ncols > CG_TREND_COLS_MAX)
		ncols = CG_TREND_COLS_MAX;
	if (ncols < 0)
		ncols = 0;
	memset(t->level, -1, sizeof(t->level));
	t->ncols = ncols;
	t->cells = cells;
	t->span_mv = span;
	if (!h->any || ncols == 0)
		return;

	uint64_t to = h->last_ms + 1;
	uint64_t from = to > window_ms ? to - window_ms : 0;
	uint64_t width = (to - from) / (uint64_t)ncols;
	size_t skip = 0;

	/* Columns before the session's first sample stay empty: asked for,
	 * the history would answer them from a coarser tier, whose bucket
	 * holds the whole session. */
	if (width == 0)
		return;
	if (h->first_ms > from)
		skip = (size_t)((h->first_ms - from + width - 1) / width);
	if (skip >= (size_t)ncols)
		skip = (size_t)ncols - 1;
	from += skip * width;

	size_t n = (size_t)ncols - skip;

	if (!cg_hist_query(h, CG_HIST_AVG, from, to, avg, n))
		return;
	for (unsigned c = 0; c < cells; c++) {
		cg_hist_query(h, (enum cg_hist_series)(CG_HIST_CELL0 + c),
			      from, to, cell, n);
		for (size_t k = 0; k < n; k++) {
			bool have = cell[k].have && avg[k].have;

			dev[c][k] = have ? cell[k].avg - avg[k].avg : 0;
			t->level[c][skip + k] = have ? 0 : -1; /* set below */
			if (have && dev[c][k] > span)
				span = dev[c][k];
			if (have && -dev[c][k] > span)
				span = -dev[c][k];
		}
	}
	t->span_mv = span;
	for (unsigned c = 0; c < cells; c++)
		for (size_t k = 0; k < n; k++)
			if (t->level[c][skip + k] == 0)
				t->level[c][skip + k] = (int8_t)cg_trend_level(
					dev[c][k], span);
}
