/*
 * screen_table: the cells, one row each with a bar, under the pack
 * figures; in as many columns as the terminal needs (screens.h).
 */
#include "screen_table.h"

#include "figures.h"
#include "statusbar.h"
#include "trend.h"

/* z: the scale other than the one shown; AUTO until z is pressed. */
static enum cg_scale_choice choice = CG_SCALE_AUTO;
static struct cg_scale shown; /* the scale last drawn */
static struct cg_trend trend; /* the cells' trends, for this draw */

static bool is_open(const struct cg_pack *p, unsigned i)
{
	return i < 32 && (p->open_mask >> i & 1u);
}

static bool in_mask(uint32_t mask, unsigned i)
{
	return i < 32 && (mask >> i & 1u);
}

/* "lost (was 3.300 V)", or "lost" for a cell never read live. */
static void lost_text(const struct cg_pack *p, unsigned c, wchar_t *buf,
		      size_t cap)
{
	wchar_t was[16];

	if (c < CG_MAX_CELLS && p->last_live_mv[c]) {
		cg_fmt_mv(was, 16, p->last_live_mv[c]);
		swprintf(buf, cap, L"lost (was %ls V)", was);
	} else {
		swprintf(buf, cap, L"lost");
	}
}

static unsigned unwired_rows(const struct cg_pack *p)
{
	if (!cg_view_have(p, CG_REC_CELLS) || p->cells.count <= p->wired)
		return 0;
	return p->cells.count - p->wired;
}

/* A peak-hold mark: the session minimum or maximum of one cell, drawn over
 * the bar at its own place. A mark on the bar's tip would only hide the
 * tip, and one off the scale (zoom) sits at the end, pointing outwards. */
static void draw_peak_mark(int y, int x, int w, unsigned mv, int tip,
			   const struct cg_scale *s)
{
	wchar_t c = cg_crt_utf8() ? 0x2503 : L'|';
	int col;

	if (mv == 0)
		return;
	if (mv < s->lo_mv) {
		col = 0;
		c = L'<';
	} else if (mv > s->hi_mv) {
		col = w - 1;
		c = L'>';
	} else {
		col = (int)(cg_scale_eighths(mv, s, w) / 8);
		if (col > w - 1)
			col = w - 1;
	}
	if (col == tip)
		return;
	cg_crt_put_repeat(y, x + col, x + w, CG_A_BOLD, 0, c, 1);
}

static void draw_bar(int y, int x, int w, unsigned mv, const struct cg_scale *s,
		     cg_attr attr, enum cg_role pair, unsigned min_mv, unsigned max_mv)
{
	unsigned long eighths = cg_scale_eighths(mv, s, w);
	int full, part, tip;

	tip = (int)(eighths / 8);
	if (tip > w - 1)
		tip = w - 1;
	if (!cg_crt_utf8()) {
		full = (int)((eighths + 4) / 8);
		int bx = cg_crt_put_repeat(y, x, x + w, attr, pair, L'#', full);
		cg_crt_put_repeat(y, bx, x + w, CG_A_DIM, 0, L'.', w - full);
	} else {
		full = (int)(eighths / 8);
		part = (int)(eighths % 8);
		int end = x + w, bx;
		bx = cg_crt_put_repeat(y, x, end, attr, pair, 0x2588, full);
		if (part)
			bx = cg_crt_put_repeat(y, bx, end, attr, pair,
					(wchar_t)(0x2590 - part), 1);
		cg_crt_put_repeat(y, bx, end, CG_A_DIM, 0, 0x00b7, end - bx);
	}
	if (min_mv && max_mv && min_mv == max_mv)
		max_mv = 0; /* one mark is enough */
	draw_peak_mark(y, x, w, min_mv, tip, s);
	draw_peak_mark(y, x, w, max_mv, tip, s);
}

/* Where a row's trend starts, the row starting at x. */
static int trend_x(const struct cg_layout *l, int x)
{
	return x + CG_W_INDEX + 1 + CG_W_VOLTS + 1 + l->bar_w + 1 + CG_W_DEV +
	       1 + CG_W_MARK + (l->imp_col ? CG_W_IMP : 0) +
	       (l->session_col ? CG_W_SESSION : 0);
}

/* A cell's sparkline: one glyph a column, the middle its average. */
static void draw_trend(int y, int x, int end, unsigned c, cg_attr attr)
{
	static const char ascii[] = "__.-~^^";
	_Static_assert(sizeof(ascii) == CG_TREND_LEVELS + 1, "a glyph a level");
	wchar_t line[CG_TREND_COLS_MAX + 2];
	int n = 0;

	line[n++] = L' ';
	for (int k = 0; k < trend.ncols && c < trend.cells; k++) {
		int lv = trend.level[c][k];

		if (lv < 0)
			line[n++] = L' ';
		else
			line[n++] = cg_crt_utf8() ? (wchar_t)(0x2581 + lv)
						  : (wchar_t)ascii[lv];
	}
	line[n] = L'\0';
	cg_crt_put(y, x, end, attr, 0, line);
}

static void draw_header(const struct cg_layout *l, int y, int x,
			const struct cg_scale *s)
{
	const int x0 = x;
	int end = x + l->colw;
	wchar_t lo[16], hi[16];
	int bx = x + CG_W_INDEX + 1 + CG_W_VOLTS + 1;
	int gap;

	cg_crt_put(y, x, end, CG_A_BOLD, 0, L" # volts");
	cg_fmt_mv(lo, 16, s->lo_mv);
	cg_fmt_mv(hi, 16, s->hi_mv);
	gap = l->bar_w - (int)wcslen(lo) - (int)wcslen(hi);
	if (gap >= 1) {
		int lx = cg_crt_put(y, bx, end, CG_A_BOLD, 0, lo);
		cg_crt_put(y, lx + gap, end, CG_A_BOLD, 0, hi);
		if (gap >= (int)wcslen(s->name) + 2)
			cg_crt_put(y, lx + (gap - (int)wcslen(s->name)) / 2, end, CG_A_DIM,
			    0, s->name);
	}
	x = bx + l->bar_w + 1;
	x = cg_crt_put(y, x, end, CG_A_BOLD, 0, L"  dev mV") + 1;
	x += CG_W_MARK;
	if (l->imp_col)
		x = cg_crt_put(y, x, end, CG_A_BOLD, 0,
			cg_crt_glyph(L"     m\u03a9", L"   mOhm"));
	if (l->session_col)
		cg_crt_put(y, x, end, CG_A_BOLD, 0, L" session");
	if (l->trend_col)
		cg_crt_put(y, trend_x(l, x0), end, CG_A_BOLD, 0,
			   L" trend 5 min");
}

static void draw_cell(const struct cg_view *v, const struct cg_layout *l,
		      const struct cg_scale *s, unsigned c, int y, int x)
{
	const struct cg_pack *p = v->pack;
	const int row_x = x;
	int end = x + l->colw;
	int bx = x + CG_W_INDEX + 1 + CG_W_VOLTS + 1;
	bool stale = cg_view_stale(v, CG_REC_CELLS);
	bool in_frame = c < p->cells.count;
	bool wired = c < p->wired;
	cg_attr base = stale ? CG_A_DIM : CG_A_NORMAL;
	cg_attr attr = base;
	enum cg_role pair = 0, bar_pair = CG_ROLE_BAR;
	const wchar_t *mark = L"";
	const wchar_t *alarm = NULL;
	wchar_t buf[48], num[16];

	if (v->alarms && c < 32 && cg_pack_cell_counted(p, c)) {
		if (v->alarms->high_mask >> c & 1u)
			alarm = L"!HI";
		else if (v->alarms->low_mask >> c & 1u)
			alarm = L"!LO";
	}
	if (cg_view_marks_extremes(p) && cg_pack_cell_counted(p, c)) {
		if (in_mask(p->high_mask, c)) {
			attr = base | CG_A_BOLD;
			pair = bar_pair = CG_ROLE_HIGH;
			mark = cg_crt_glyph(L"\u25b2 high", L"^ high");
		} else if (in_mask(p->low_mask, c)) {
			attr = base | CG_A_BOLD | CG_A_UNDERLINE;
			pair = bar_pair = CG_ROLE_LOW;
			mark = cg_crt_glyph(L"\u25bc low", L"v low");
		}
	}

	swprintf(buf, 48, L"%2u", c + 1);
	cg_crt_put(y, x, end, wired ? attr : CG_A_DIM, pair, buf);

	if (!in_frame) {
		cg_crt_put(y, x + CG_W_INDEX + 1, end, CG_A_DIM, 0, L"   --  no data");
		return;
	}
	cg_fmt_mv(num, 16, p->cells.mv[c]);
	if (!wired) {
		cg_crt_put(y, x + CG_W_INDEX + 1, end, CG_A_DIM, 0, num);
		cg_crt_put(y, bx, end, CG_A_DIM, 0, L"not connected");
		return;
	}
	if (is_open(p, c) || !cg_pack_cell_counted(p, c)) {
		/* A wired cell that collapsed (pack.h): an alarm, never the
		 * low cell, with the last voltage it read, over its bar. */
		cg_attr alert = CG_A_BOLD | CG_A_REVERSE;
		int tx;

		lost_text(p, c, buf, 48);
		cg_crt_put(y, x + CG_W_INDEX + 1, end, alert, CG_ROLE_ALERT, num);
		cg_crt_put_repeat(y, bx, bx + l->bar_w, CG_A_DIM, 0, L' ', l->bar_w);
		tx = cg_crt_put(y, bx, end, alert, CG_ROLE_ALERT, buf);
		if (tx < bx + l->bar_w + 1)
			cg_crt_put(y, bx + l->bar_w + 1, end, base, 0, L"      --");
		return;
	}

	/* A cell past a limit: reverse video and a word, seen on any screen. */
	cg_crt_put(y, x + CG_W_INDEX + 1, end,
	    alarm ? attr | CG_A_BOLD | CG_A_REVERSE : attr, alarm ? CG_ROLE_ALERT : pair,
	    num);
	draw_bar(y, bx, l->bar_w, p->cells.mv[c], s, attr, bar_pair,
		 p->session_min_mv[c], p->session_max_mv[c]);
	x = bx + l->bar_w + 1;
	int dev = (int)p->cells.mv[c] - (int)p->average_mv;
	swprintf(buf, 48, dev ? L"%+d mV" : L"%d mV", dev);
	swprintf(num, 16, L"%*ls", CG_W_DEV, buf);
	x = cg_crt_put(y, x, end, attr, pair, num) + 1;
	if (alarm) {
		/* "▲ !HI": the alarm replaces the word, the arrow stays. */
		wchar_t arrow[3] = { mark[0], L' ', L'\0' };

		if (*mark)
			cg_crt_put(y, x, end, attr, pair, arrow);
		cg_crt_put(y, x + 2, end, CG_A_BOLD | CG_A_REVERSE, CG_ROLE_ALERT, alarm);
	} else {
		cg_crt_put(y, x, end, attr, pair, mark);
	}
	x += CG_W_MARK;

	if (l->imp_col) {
		const struct cg_impedance *imp = &p->impedance;
		if (c < imp->count) {
			cg_fmt_tenths(num, 16, imp->impedance_dmohm[c], false);
			swprintf(buf, 48, L"%*ls", CG_W_IMP, num);
		} else {
			swprintf(buf, 48, L"%*ls", CG_W_IMP, L"--");
		}
		x = cg_crt_put(y, x, end, base, 0, buf);
	}
	if (l->session_col) {
		unsigned lo = p->session_min_mv[c], hi = p->session_max_mv[c];
		wchar_t a[16], b[16];

		if (lo && hi) {
			cg_fmt_mv(a, 16, lo);
			cg_fmt_mv(b, 16, hi);
			swprintf(buf, 48, L" %ls-%ls", a, b);
		} else {
			wcscpy(buf, L"      --");
		}
		cg_crt_put(y, x, end, base, 0, buf);
	}
	if (l->trend_col)
		draw_trend(y, trend_x(l, row_x), end, c, base);
}

static void draw_cells(const struct cg_view *v, const struct cg_layout *l,
		       const struct cg_scale *s, int top)
{
	const struct cg_pack *p = v->pack;
	unsigned n = p->wired + (l->unwired ? unwired_rows(p) : 0);

	if (l->trend_col && v->hist)
		cg_trend_build(&trend, v->hist, p->wired, CG_W_TREND - 1,
			       CG_TREND_WINDOW_MS);
	for (int col = 0; col < l->ncols; col++)
		draw_header(l, top, col * (l->colw + CG_COLUMN_GAP), s);
	for (unsigned c = 0; c < n; c++) {
		int col = (int)c / l->rows, row = (int)c % l->rows;
		draw_cell(v, l, s, c, top + 1 + row,
			  col * (l->colw + CG_COLUMN_GAP));
	}
}

/* Word-wraps a message into the screen, from line y. */
static int draw_wrapped(int y, cg_attr attr, const wchar_t *msg)
{
	const wchar_t *s = msg;

	while (*s && y < cg_crt_lines()) {
		int len = (int)wcslen(s), cut = len;

		if (len > cg_crt_cols()) {
			cut = cg_crt_cols();
			while (cut > 0 && s[cut] != L' ')
				cut--;
			if (cut == 0)
				cut = cg_crt_cols();
		}
		wchar_t line[CG_TEXT_MAX];
		swprintf(line, CG_TEXT_MAX, L"%.*ls", cut, s);
		cg_crt_put(y++, 0, cg_crt_cols(), attr, 0, line);
		s += cut;
		while (*s == L' ')
			s++;
	}
	return y;
}

/* Narrower than even the summary line. */
static void draw_too_small(const struct cg_view *v)
{
	wchar_t msg[CG_TEXT_MAX];
	int y;

	swprintf(msg, CG_TEXT_MAX,
		 L"terminal %dx%d is too small: need at least %d columns",
		 cg_crt_cols(), cg_crt_lines(), CG_LINE_MIN_COLS);
	y = draw_wrapped(0, CG_A_BOLD, msg);
	y = draw_wrapped(y + 1, CG_A_NORMAL, L"q quits");
	if (v->diagnosis && *v->diagnosis) {
		wchar_t doctor[CG_TEXT_MAX];

		cg_widen_text(doctor, CG_TEXT_MAX, v->diagnosis);
		draw_wrapped(y + 1, CG_A_BOLD, doctor);
	}
}

/* A compact cell: number, voltage and one character, '^' high, 'v' low,
 * '!' past a limit or lost; attributes as on the full rows. */
static void draw_compact_cell(const struct cg_view *v, unsigned c, int y,
			      int x)
{
	const struct cg_pack *p = v->pack;
	int end = x + CG_W_COMPACT;
	cg_attr attr = cg_view_stale(v, CG_REC_CELLS) ? CG_A_DIM : CG_A_NORMAL;
	enum cg_role pair = 0;
	wchar_t buf[32], num[16], mark = L' ';

	if (c >= p->cells.count) {
		swprintf(buf, 32, L"%2u    --", c + 1);
		cg_crt_put(y, x, end, CG_A_DIM, 0, buf);
		return;
	}
	cg_fmt_mv(num, 16, p->cells.mv[c]);
	if (is_open(p, c) || !cg_pack_cell_counted(p, c)) {
		attr |= CG_A_BOLD | CG_A_REVERSE;
		pair = CG_ROLE_ALERT;
		mark = L'!';
	} else if (v->alarms && c < 32 &&
		   ((v->alarms->high_mask | v->alarms->low_mask) >> c & 1u)) {
		attr |= CG_A_BOLD | CG_A_REVERSE;
		pair = CG_ROLE_ALERT;
		mark = L'!';
	} else if (cg_view_marks_extremes(p) && in_mask(p->high_mask, c)) {
		attr |= CG_A_BOLD;
		pair = CG_ROLE_HIGH;
		mark = cg_crt_utf8() ? 0x25b2 : L'^';
	} else if (cg_view_marks_extremes(p) && in_mask(p->low_mask, c)) {
		attr |= CG_A_BOLD | CG_A_UNDERLINE;
		pair = CG_ROLE_LOW;
		mark = cg_crt_utf8() ? 0x25bc : L'v';
	}
	swprintf(buf, 32, L"%2u %ls %lc", c + 1, num, mark);
	cg_crt_put(y, x, end, attr, pair, buf);
}

static void draw_compact(const struct cg_view *v, const struct cg_layout *l,
			 int top)
{
	const struct cg_pack *p = v->pack;

	for (unsigned c = 0; c < p->wired; c++) {
		int col = (int)c / l->rows, row = (int)c % l->rows;

		draw_compact_cell(v, c, top + row,
				  col * (CG_W_COMPACT + CG_COLUMN_GAP));
	}
}

/* The figures, or the summary line standing in for them. */
static void draw_head(const struct cg_view *v, const struct cg_items *items,
		      const struct cg_layout *l)
{
	if (l->summary) {
		wchar_t line[CG_TEXT_MAX];
		cg_attr attr = cg_figures_summary(v, cg_crt_cols(), line);

		cg_crt_put(0, 0, cg_crt_cols(), attr | CG_A_BOLD, 0, line);
		return;
	}
	cg_screen_items(items, l->level, 0, cg_crt_cols(), 0, l->fig_lines);
}

/* The layout and scale for this screen: the scale depends on the bar's
 * length (AUTO zooms when the ends would blur the cells) and the figures
 * name the scale, so a zoom lays the figures out once more. */
static void plan(const struct cg_view *v, struct cg_items *items, int height,
		 struct cg_layout *l, bool *fits, struct cg_scale *s)
{
	struct cg_layout_need need = cg_figures_need(v);
	struct cg_scale again;

	*s = cg_scale_pick(v->pack, choice, 0);
	cg_figures_build(v, s, items);
	*fits = cg_layout_fit(&need, items, cg_crt_cols(), height, l);
	if (!*fits || l->kind != CG_LAYOUT_BARS)
		return;
	again = cg_scale_pick(v->pack, choice, l->bar_w);
	if (again.zoom == s->zoom)
		return;
	*s = again;
	cg_figures_build(v, s, items);
	*fits = cg_layout_fit(&need, items, cg_crt_cols(), height, l);
}

bool cg_screen_table_draw(const struct cg_view *v, int diag_lines)
{
	static struct cg_items items; /* large; one screen at a time */
	bool cells = cg_view_have(v->pack, CG_REC_CELLS) && v->pack->wired;
	int height = cg_crt_lines() - diag_lines;
	struct cg_scale s;
	struct cg_layout l;
	bool fits;
	int top;

	plan(v, &items, height, &l, &fits, &s);
	if (!fits) {
		draw_too_small(v);
		return false;
	}
	shown = s;
	draw_head(v, &items, &l);
	top = l.fig_lines;
	if (l.kind == CG_LAYOUT_LINE)
		return l.status;
	if (!cells) {
		cg_crt_put(top, 0, cg_crt_cols(), CG_A_DIM, 0,
			   L"waiting for cell voltages (0x56 frames)");
		return l.status;
	}
	if (l.kind == CG_LAYOUT_COMPACT) {
		if (top + l.rows + 2 <= height)
			top++;
		draw_compact(v, &l, top);
		return l.status;
	}
	/* A blank line between figures and table, when there is room. */
	if (top + 1 + l.rows + 2 <= height)
		top++;
	draw_cells(v, &l, &s, top);
	return l.status;
}

bool cg_screen_table_key(enum cg_key_action action)
{
	if (action != CG_KEY_ZOOM)
		return false;
	choice = cg_scale_toggle(&shown);
	return true;
}
