/*
 * layout: figures packed into lines and the cells into columns (layout.h).
 */
#include "layout.h"

struct cg_item *cg_items_add(struct cg_items *it, int level, bool new_line,
			     unsigned attr, int role)
{
	struct cg_item *i;

	if (it->n >= CG_ITEMS_MAX)
		return &it->item[CG_ITEMS_MAX - 1]; /* never: a fixed list */
	i = &it->item[it->n++];
	i->level = level;
	i->new_line = new_line;
	i->tight = false;
	i->reserve = 0;
	i->attr = attr;
	i->role = role;
	i->text[0] = L'\0';
	return i;
}

int cg_items_flow(const struct cg_items *it, int level, int width,
		  int line[CG_ITEMS_MAX], int col[CG_ITEMS_MAX])
{
	int lines = 0, x = 0;

	for (int k = 0; k < it->n && k < CG_ITEMS_MAX; k++) {
		const struct cg_item *i = &it->item[k];
		int len = (int)wcslen(i->text);
		int gap = i->tight ? 1 : CG_ITEM_GAP;

		if (len < i->reserve)
			len = i->reserve;

		if (line)
			line[k] = -1;
		if (col)
			col[k] = -1;
		if (i->level > level)
			continue;
		if (lines == 0 || i->new_line || x + gap + len > width) {
			lines++;
			x = 0;
		} else {
			x += gap;
		}
		if (line)
			line[k] = lines - 1;
		if (col)
			col[k] = x;
		x += len;
	}
	return lines;
}

static int div_up(int a, int b)
{
	return (a + b - 1) / b;
}

static int max_columns(int width)
{
	return (width + CG_COLUMN_GAP) /
	       (CG_ROW_FIXED + CG_BAR_MIN + CG_COLUMN_GAP);
}

/* Tries one arrangement of bars under fig_lines lines of figures (or,
 * when fig_lines < 0, all the figures of that level); fills *l and returns
 * true when it fits. */
static bool try_bars(const struct cg_layout_need *need,
		     const struct cg_items *it, int level, int fig_lines,
		     int ncols, bool unwired, int width, int height,
		     struct cg_layout *l)
{
	int n = need->wired_rows + (unwired ? need->unwired_rows : 0);
	int colw = (width - (ncols - 1) * CG_COLUMN_GAP) / ncols;
	int extra = colw - CG_ROW_FIXED;

	if (extra < CG_BAR_MIN)
		return false;
	l->kind = CG_LAYOUT_BARS;
	l->summary = false;
	l->status = true;
	l->level = level;
	l->ncols = ncols;
	l->colw = colw;
	l->unwired = unwired;
	l->rows = div_up(n, ncols);
	l->fig_lines = fig_lines >= 0 ? fig_lines
				      : cg_items_flow(it, level, width, NULL, NULL);
	if (l->fig_lines + 1 + l->rows + 1 > height)
		return false;
	l->imp_col = need->impedance &&
		     extra - CG_W_IMP >= CG_BAR_EXTRAS_MIN;
	if (l->imp_col)
		extra -= CG_W_IMP;
	l->session_col =
		level >= 1 && extra - CG_W_SESSION >= CG_BAR_EXTRAS_MIN;
	if (l->session_col)
		extra -= CG_W_SESSION;
	l->trend_col = need->trend && l->session_col &&
		       extra - CG_W_TREND >= CG_BAR_TREND_MIN;
	if (l->trend_col)
		extra -= CG_W_TREND;
	l->bar_w = extra < CG_BAR_MAX ? extra : CG_BAR_MAX;
	return true;
}

static bool try_layout(const struct cg_layout_need *need,
		       const struct cg_items *it, int level, int ncols,
		       bool unwired, int width, int height, struct cg_layout *l)
{
	return try_bars(need, it, level, -1, ncols, unwired, width, height, l);
}

bool cg_layout_choose(const struct cg_layout_need *need,
		      const struct cg_items *it, int width, int height,
		      struct cg_layout *l)
{
	/* Richer figures first, then one column, then fewer figures. */
	static const struct {
		int level;
		bool multi;
	} order[] = { { 2, false }, { 1, false }, { 2, true },
		      { 1, true },  { 0, false }, { 0, true } };
	int max_cols = max_columns(width);

	if (width < CG_LAYOUT_MIN_COLS || height < CG_LAYOUT_MIN_LINES)
		return false;
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
		if (!order[o].multi) {
			if (need->unwired_rows &&
			    try_layout(need, it, order[o].level, 1, true,
				       width, height, l))
				return true;
			if (try_layout(need, it, order[o].level, 1, false,
				       width, height, l))
				return true;
			continue;
		}
		for (int c = 2; c <= max_cols; c++)
			if (try_layout(need, it, order[o].level, c, false,
				       width, height, l))
				return true;
	}
	return false;
}

/* Lines the first group of figures (the voltages) takes at level 0. */
static int first_group_lines(const struct cg_items *it, int width)
{
	int line[CG_ITEMS_MAX];
	int lines = cg_items_flow(it, 0, width, line, NULL);

	for (int k = 1; k < it->n && k < CG_ITEMS_MAX; k++)
		if (line[k] >= 0 && it->item[k].new_line)
			return line[k];
	return lines;
}

/* The next step down from fig lines of figures: a line fewer while the
 * voltages (the first group lines) stay whole, then 0 (the summary line
 * instead), then -1 (none left). */
static int fewer_figures(int fig, int first)
{
	if (fig - 1 >= first && fig - 1 > 0)
		return fig - 1;
	return fig > 0 ? 0 : -1;
}

/* Compact cells under fig_lines lines of figures, or the summary line when
 * fig_lines is 0; the fewest columns that fit. */
static bool try_compact(const struct cg_layout_need *need, int fig_lines,
			int width, int height, struct cg_layout *l)
{
	int max_cols = (width + CG_COLUMN_GAP) / (CG_W_COMPACT + CG_COLUMN_GAP);
	int head = fig_lines > 0 ? fig_lines : 1;

	for (int c = 1; c <= max_cols; c++) {
		int rows = div_up(need->wired_rows, c);

		if (head + rows + 1 > height)
			continue;
		*l = (struct cg_layout){
			.kind = CG_LAYOUT_COMPACT,
			.summary = fig_lines == 0,
			.status = true,
			.level = 0,
			.fig_lines = head,
			.ncols = c,
			.colw = CG_W_COMPACT,
			.rows = rows,
		};
		return true;
	}
	return false;
}

bool cg_layout_fit(const struct cg_layout_need *need,
		   const struct cg_items *it, int width, int height,
		   struct cg_layout *l)
{
	int all, first;

	if (cg_layout_choose(need, it, width, height, l))
		return true;
	if (width < CG_LINE_MIN_COLS || height < 1)
		return false;
	all = cg_items_flow(it, 0, width, NULL, NULL);
	first = first_group_lines(it, width);

	/* The bars under fewer lines of figures, down to the voltages, then
	 * under the summary line (fig 0). */
	for (int fig = all; fig >= 0;
	     fig = fewer_figures(fig, first)) {
		int lines = fig > 0 ? fig : 1;

		for (int c = 1; c <= max_columns(width); c++)
			if (try_bars(need, it, 0, lines, c, false, width,
				     height, l)) {
				l->summary = fig == 0;
				return true;
			}
	}
	/* No bars: the cells compactly, under the same steps of figures. */
	for (int fig = all; fig >= 0; fig = fewer_figures(fig, first))
		if (try_compact(need, fig, width, height, l))
			return true;
	*l = (struct cg_layout){
		.kind = CG_LAYOUT_LINE,
		.summary = true,
		.status = height >= 2,
		.fig_lines = 1,
	};
	return true;
}

int cg_layout_height_needed(const struct cg_layout_need *need,
			    const struct cg_items *it, int width)
{
	int figs = cg_items_flow(it, 0, width, NULL, NULL);
	int max_cols = max_columns(width);
	int h;

	if (max_cols < 1)
		max_cols = 1;
	h = figs + 1 + div_up(need->wired_rows, max_cols) + 1;
	return h < CG_LAYOUT_MIN_LINES ? CG_LAYOUT_MIN_LINES : h;
}
