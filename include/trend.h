/*
 * trend: each cell's deviation from the pack's average over the last few
 * minutes, as a row of levels for a sparkline beside the cell's row in the
 * table (where the terminal is wide enough: layout.h's trend column).
 *
 * The window ends at the history's newest sample and is split into ncols
 * equal columns; a column's value is the cell's average minus the pack's
 * average over the samples in it (history.h), so a cell drifting away
 * from the others shows as a line moving off the middle. One scale serves
 * every cell, so rows compare: +-span_mv, the largest deviation seen in
 * the window, never less than CG_TREND_MIN_SPAN_MV (a quiet, balanced pack
 * stays a flat line instead of blowing up its noise).
 *
 * Pure: no I/O, no allocation, no globals.
 */
#ifndef CG_TREND_H
#define CG_TREND_H

#include <stdint.h>

#include "decoder.h"
#include "history.h"

#define CG_TREND_LEVELS 7 /* 0 lowest .. 6 highest; 3, the middle, is 0 mV */
#define CG_TREND_COLS_MAX 32
#define CG_TREND_WINDOW_MS (5u * 60u * 1000u)
#define CG_TREND_MIN_SPAN_MV 5

struct cg_trend {
	int ncols;
	unsigned cells;
	int32_t span_mv;
	/* level[c][k]: cell c in column k (oldest first), 0 ..
	 * CG_TREND_LEVELS - 1, or -1 where there is no sample. */
	int8_t level[CG_MAX_CELLS][CG_TREND_COLS_MAX];
};

/* The trend of the first cells cells (at most CG_MAX_CELLS) over the
 * window_ms up to h's newest sample, in ncols columns (at most
 * CG_TREND_COLS_MAX). With no sample at all every level is -1. */
void cg_trend_build(struct cg_trend *t, const struct cg_hist *h,
		    unsigned cells, int ncols, uint64_t window_ms);

/* The level of a deviation of dev_mv on a scale of +-span_mv. */
int cg_trend_level(int32_t dev_mv, int32_t span_mv);

#endif
