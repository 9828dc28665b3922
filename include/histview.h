/*
 * histview: the arithmetic of the history screen (screen_history.h), kept
 * apart from the drawing so it can be tested: which graphs fit at a
 * terminal size and where, the window of time shown for a zoom level and
 * a pan, the value scale of a graph, and the ticks and clock labels of the
 * time axis.
 *
 * Times are wall-clock milliseconds since the epoch, as in history.h; the
 * labels are clock times shifted by tz_offset_ms (the screen passes the
 * local time zone's offset, as the event list shows local time).
 *
 * Pure: no I/O, no allocation, no globals.
 */
#ifndef CG_HISTVIEW_H
#define CG_HISTVIEW_H

#include <stdbool.h>
#include <stdint.h>

/* The graphs, most important first: a small terminal drops from the end. */
enum cg_histview_kind {
	CG_HV_CELLS,   /* high and low envelope, average, the selected cell */
	CG_HV_CURRENT, /* signed: charge above the zero line */
	CG_HV_DELTA,
	CG_HV_SOC,
	CG_HV_TEMP,    /* T1 and T2 */
	CG_HV_KINDS
};

#define CG_HV_GUTTER 7      /* columns left of the graphs: scale labels */
#define CG_HV_MIN_COLS 30   /* below this: a line saying what is needed */
#define CG_HV_CELLS_MIN 3   /* graph rows of the cell graph at least */
#define CG_HV_OTHER_MIN 2   /* and of the others */
#define CG_HV_ROWS_MAX 64   /* graph rows at most (braille.h's canvas) */
#define CG_HV_WIDTH_MAX 256 /* graph columns at most */

struct cg_histview_panel {
	enum cg_histview_kind kind;
	int title_y;  /* the line naming the graph and its latest values */
	int y, h;     /* the graph's lines: y .. y + h - 1 */
};

struct cg_histview_layout {
	int n;        /* graphs that fit, 0: the terminal is too small */
	struct cg_histview_panel panel[CG_HV_KINDS];
	int x0, width;         /* the graphs' columns: x0 .. x0 + width - 1 */
	int marks_y;           /* the line of marks (alarm, mode, link) */
	int axis_y, labels_y;  /* the time axis and its clock labels */
};

/*
 * Lays out a history screen of cols x lines (line 0 is its title, the
 * lines from `lines` on belong to others). The graphs go in the order of
 * enum cg_histview_kind while each gets its title and its minimum rows;
 * the rows left over go to them all, the cell graph taking twice its
 * share. Returns the number of graphs (0 when not even the cell graph
 * fits, or cols < CG_HV_MIN_COLS).
 */
int cg_histview_layout(int cols, int lines, struct cg_histview_layout *out);

/* The zoom levels: 0 .. CG_HV_ZOOMS - 1, the narrowest first; the last
 * is the whole session. */
#define CG_HV_ZOOMS 6
/* The window's length at a level, 0 for the whole session. */
uint64_t cg_histview_span_ms(int level);
/* Its name: "5 min", ..., "24 h", "session". */
const char *cg_histview_span_name(int level);

/*
 * The window [*from, *to) shown for data from first_ms to last_ms, a
 * window of span_ms (0: all of the data) ending back_ms before the newest
 * second. back_ms is clamped so the window stays over the data (never
 * before first_ms when the data is longer than the window, 0 when not);
 * the clamped value is returned, for the next pan to start from.
 */
uint64_t cg_histview_window(uint64_t first_ms, uint64_t last_ms,
			    uint64_t span_ms, uint64_t back_ms,
			    uint64_t *from_ms, uint64_t *to_ms);

/*
 * The value range of a graph from the data's lo..hi: at least min_range
 * wide (widened about its middle), 0 inside it when with_zero, and a
 * little room above and below so a line at the edge is seen as one.
 */
void cg_histview_scale(int32_t lo, int32_t hi, int32_t min_range,
		       bool with_zero, int32_t *out_lo, int32_t *out_hi);

#define CG_HV_TICKS_MAX 32

struct cg_histview_tick {
	int col;       /* 0 .. width - 1: where the tick is */
	char text[9];  /* "14:05" or, for steps under a minute, "14:05:30";
			* the label starts at col */
};

/*
 * The ticks of the axis of width columns for [from_ms, to_ms): at round
 * clock times (1 s ... 24 h apart, the smallest step whose labels stay two
 * columns apart), each label wholly inside the width. Returns how many
 * (at most max).
 */
int cg_histview_ticks(uint64_t from_ms, uint64_t to_ms, int width,
		      int64_t tz_offset_ms, struct cg_histview_tick *ticks,
		      int max);

/* The column 0 .. width - 1 of time t in [from_ms, to_ms), or -1 if
 * outside. */
int cg_histview_col(uint64_t from_ms, uint64_t to_ms, int width,
		    uint64_t t_ms);

#endif
