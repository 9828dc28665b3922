/*
 * layout: what fits on the screen at a given size, worked out before
 * anything is drawn.
 *
 * The pack figures are short items ("SOC 91 %") packed into lines; each
 * has a level (0 essential, 1 normal, 2 when there is room) and the richest
 * level that fits wins. The cells go in one column when they fit and in
 * several when they do not; the bar takes the room left, and the mOhm and
 * session columns come when the bar stays long enough beside them.
 *
 * Pure: no I/O, no allocation, no globals. Widths are in columns, one per
 * character of an item's text.
 */
#ifndef CG_LAYOUT_H
#define CG_LAYOUT_H

#include <stdbool.h>
#include <wchar.h>

#include "textfmt.h"

#define CG_LAYOUT_MIN_COLS 40  /* below this nothing but "too small" */
#define CG_LAYOUT_MIN_LINES 10
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
#define CG_ROW_FIXED                                                   \
	(CG_W_INDEX + 1 + CG_W_VOLTS + 1 + 1 + CG_W_DEV + 1 + CG_W_MARK)

/* A short piece of text, e.g. "SOC 91 %". attr and role are the crt's
 * cg_attr and cg_role, carried for the drawing, not read here. */
struct cg_item {
	wchar_t text[CG_TEXT_MAX];
	unsigned attr;
	int role;
	int level;     /* 0 essential, 1 normal, 2 when there is room */
	bool new_line; /* starts a new group of figures */
	bool tight;    /* one space from the item before, as in a list */
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
	bool have_impedance; /* a 0x58 frame arrived: a mOhm column */
};

struct cg_layout {
	int level;     /* figures of this level and below are shown */
	int fig_lines; /* lines the figures take */
	int ncols;     /* columns of cells */
	int colw;      /* width of each */
	int rows;      /* cell rows per column */
	bool unwired;  /* the unwired channels are listed too */
	bool imp_col, session_col;
	int bar_w;
};

/* The richest arrangement that fits width x height (figures, a header,
 * the rows, the status line): richer figures first, then one column, then
 * fewer figures. False when nothing fits (below the minimum size too). */
bool cg_layout_choose(const struct cg_layout_need *need,
		      const struct cg_items *figures, int width, int height,
		      struct cg_layout *out);

/* The smallest height that fits at this width, with the fewest figures;
 * at least CG_LAYOUT_MIN_LINES. */
int cg_layout_height_needed(const struct cg_layout_need *need,
			    const struct cg_items *figures, int width);

#endif
