/*
 * layout: what fits on the screen at a given size, worked out before
 * anything is drawn.
 *
 * The pack figures are short items ("SOC 91 %") packed into lines; each
 * has a level (0 essential, 1 normal, 2 when there is room) and the richest
 * level that fits wins. The cells go in one column when they fit and in
 * several when they do not; the bar takes the room left, and the mOhm and
 * session columns come when the bar stays long enough beside them; on a
 * wide terminal, last, a trend of each cell over the last minutes.
 *
 * A terminal too small for that still shows something (cg_layout_fit):
 * first the figures give up lines (down to the voltages, then one summary
 * line: pack, high, low, delta), then the bars go and the cells are listed
 * compactly (number and voltage) in several columns, and last of all the
 * summary line alone. The layout is chosen from what the table has to make
 * room for (struct cg_layout_need), which the caller works out from what
 * can come, so it does not jump when a frame arrives.
 *
 * Pure: no I/O, no allocation, no globals. Widths are in columns, one per
 * character of an item's text.
 */
#ifndef CG_LAYOUT_H
#define CG_LAYOUT_H

#include <stdbool.h>
#include <wchar.h>

#include "textfmt.h"

#define CG_LAYOUT_MIN_COLS 40  /* below this no bars with all the figures */
#define CG_LAYOUT_MIN_LINES 10
#define CG_LINE_MIN_COLS 16    /* below this not even the summary line */
#define CG_COLUMN_GAP 2        /* between columns of cells */
#define CG_ITEM_GAP 2          /* between figures on a line */
#define CG_BAR_MIN 11          /* room for both end values above it */
#define CG_BAR_EXTRAS_MIN 20   /* keep the bar this long for extras */
#define CG_BAR_MAX 64          /* longer only moves the figures away */
#define CG_ITEMS_MAX 40

/* Widths of the fixed parts of a cell row. */
#define CG_W_INDEX 2
#define CG_W_VOLTS 5
#define CG_W_DEV 8
#define CG_W_MARK 6
#define CG_W_IMP 7
#define CG_W_SESSION 12
#define CG_W_TREND 16          /* a space and the sparkline (trend.h) */
#define CG_BAR_TREND_MIN 40    /* the bar keeps this before a trend comes */
#define CG_ROW_FIXED                                                   \
	(CG_W_INDEX + 1 + CG_W_VOLTS + 1 + 1 + CG_W_DEV + 1 + CG_W_MARK)
/* A compact cell: number, voltage and a one-character high/low mark. */
#define CG_W_COMPACT (CG_W_INDEX + 1 + CG_W_VOLTS + 1 + 1)

/* A short piece of text, e.g. "SOC 91 %". attr and role are the crt's
 * cg_attr and cg_role, carried for the drawing, not read here. */
struct cg_item {
	wchar_t text[CG_TEXT_MAX];
	unsigned attr;
	int role;
	int level;     /* 0 essential, 1 normal, 2 when there is room */
	bool new_line; /* starts a new group of figures */
	bool tight;    /* one space from the item before, as in a list */
	int reserve;   /* columns kept for it however short its text is now,
			* so a figure whose text changes (an age, one that
			* has not come yet) does not move the others */
};

struct cg_items {
	struct cg_item item[CG_ITEMS_MAX];
	int n;
};

/* Appends an empty item; past CG_ITEMS_MAX the last one is reused. */
struct cg_item *cg_items_add(struct cg_items *it, int level, bool new_line,
			     unsigned attr, int role);

/* Packs the items of level <= level into lines width columns wide. Fills
 * line[k] and col[k] (when not NULL) for each item k shown, -1 for those
 * left out. Returns how many lines they take. */
int cg_items_flow(const struct cg_items *it, int level, int width,
		  int line[CG_ITEMS_MAX], int col[CG_ITEMS_MAX]);

/* What the cell table has to show. */
struct cg_layout_need {
	int wired_rows;      /* wired cells, or 1 for a "waiting" line */
	int unwired_rows;    /* channels in the frame past the wired ones */
	bool impedance;      /* 0x58 frames came or will (the firmware):
			      * room for a mOhm column */
	bool trend;          /* a history to draw trends from */
};

enum cg_layout_kind {
	CG_LAYOUT_BARS,    /* a row with a bar for each cell */
	CG_LAYOUT_COMPACT, /* number and voltage, in several columns */
	CG_LAYOUT_LINE,    /* the summary line alone */
};

struct cg_layout {
	enum cg_layout_kind kind;
	bool summary;  /* one summary line stands in for the figures */
	bool status;   /* the status line fits under the rest */
	int level;     /* figures of this level and below are shown */
	int fig_lines; /* lines the figures take (the first fig_lines of
			* them, when they had to give up some) */
	int ncols;     /* columns of cells */
	int colw;      /* width of each */
	int rows;      /* cell rows per column */
	bool unwired;  /* the unwired channels are listed too */
	bool imp_col, session_col;
	bool trend_col; /* CG_W_TREND columns after the session column */
	int bar_w;     /* 0 but in CG_LAYOUT_BARS */
};

/* The richest arrangement that fits width x height (figures, a header,
 * the rows, the status line): richer figures first, then one column, then
 * fewer figures. False when nothing fits (below the minimum size too). */
bool cg_layout_choose(const struct cg_layout_need *need,
		      const struct cg_items *figures, int width, int height,
		      struct cg_layout *out);

/* What fits width x height, however small: cg_layout_choose() when it
 * can, else the steps down described above. False only below
 * CG_LINE_MIN_COLS x 1 ("too small" is all that fits). */
bool cg_layout_fit(const struct cg_layout_need *need,
		   const struct cg_items *figures, int width, int height,
		   struct cg_layout *out);

/* The smallest height that fits at this width, with the fewest figures;
 * at least CG_LAYOUT_MIN_LINES. */
int cg_layout_height_needed(const struct cg_layout_need *need,
			    const struct cg_items *figures, int width);

#endif
