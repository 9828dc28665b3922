/*
 * screen_history: key t, the graphs of the history (screen_history.h).
 * The arithmetic (layout, window, scale, axis) is histview's; this file
 * queries the history, rasterises with braille and draws through crt.
 */
#include "screen_history.h"

#include <string.h>
#include <time.h>

#include "braille.h"
#include "history.h"
#include "histview.h"

/* The view state: zoom level, pan and the cell chosen. */
static struct {
	int zoom;         /* histview level; the last is the whole session */
	uint64_t end_ms;  /* a panned window's end, held still while live
			   * data comes; 0: following the newest */
	uint64_t newest;  /* the end of the data at the last draw */
	int cell;         /* 0-based */
	int cells;        /* cells known at the last draw */
} hs = { CG_HV_ZOOMS - 1, 0, 0, 0, 0 };

/* Scratch for one draw: the canvases and the columns of a query. */
static struct cg_braille canvas, over;
static struct cg_hist_column cols[2 * CG_HV_WIDTH_MAX];
static struct cg_hist_column extra[2 * CG_HV_WIDTH_MAX];

void cg_screen_history_reset(void)
{
	hs.zoom = CG_HV_ZOOMS - 1;
	hs.end_ms = 0;
}

bool cg_screen_history_key(enum cg_key_action action)
{
	uint64_t span = cg_histview_span_ms(hs.zoom), step = span / 4;

	switch (action) {
	case CG_KEY_LINE_UP:
		if (hs.cell > 0)
			hs.cell--;
		return true;
	case CG_KEY_LINE_DOWN:
		if (hs.cell + 1 < hs.cells)
			hs.cell++;
		return true;
	case CG_KEY_WIDER:
		if (hs.zoom + 1 < CG_HV_ZOOMS)
			hs.zoom++;
		return true;
	case CG_KEY_NARROWER:
		if (hs.zoom > 0)
			hs.zoom--;
		return true;
	case CG_KEY_LEFT: /* clamped to the data by the next draw */
		if (step)
			hs.end_ms = (hs.end_ms ? hs.end_ms : hs.newest) - step;
		return true;
	case CG_KEY_RIGHT:
		if (hs.end_ms && hs.end_ms + step < hs.newest)
			hs.end_ms += step;
		else
			hs.end_ms = 0; /* back to following the newest */
		return true;
	default:
		return false;
	}
}

/* The local time zone's offset at t, so the labels read as the event
 * list's clock does. */
static int64_t tz_offset_ms(uint64_t t_ms)
{
	time_t t = (time_t)(t_ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return 0;
	return (int64_t)tm.tm_gmtoff * 1000;
}

/* A value of a graph's scale as its unit writes it. */
static void fmt_value(wchar_t *buf, size_t cap, enum cg_histview_kind k,
		      int32_t v)
{
	switch (k) {
	case CG_HV_CELLS:
		cg_fmt_mv(buf, cap, v < 0 ? 0u : (unsigned)v);
		break;
	case CG_HV_CURRENT:
		cg_fmt_tenths(buf, cap, v, true);
		break;
	case CG_HV_TEMP:
		cg_fmt_tenths(buf, cap, v, false);
		break;
	default:
		swprintf(buf, cap, L"%ld", (long)v);
		break;
	}
}

/* The range of the columns' mins and maxes; false when none has data. */
static bool range_of(const struct cg_hist_column *c, size_t n, int32_t *lo,
		     int32_t *hi)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		if (!c[i].have)
			continue;
		if (!any || c[i].min < *lo)
			*lo = c[i].min;
		if (!any || c[i].max > *hi)
			*hi = c[i].max;
		any = true;
	}
	return any;
}

/* Queries series a into cols and b into extra over [from, to) in n
 * columns, and the range both span into *lo..*hi. False when neither has
 * a sample. */
static bool query_pair(const struct cg_hist *h, enum cg_hist_series a,
		       enum cg_hist_series b, uint64_t from, uint64_t to,
		       size_t n, int32_t *lo, int32_t *hi)
{
	int32_t l2 = 0, h2 = 0;
	bool any;

	cg_hist_query(h, a, from, to, cols, n);
	any = range_of(cols, n, lo, hi);
	cg_hist_query(h, b, from, to, extra, n);
	if (range_of(extra, n, &l2, &h2)) {
		*lo = any && *lo < l2 ? *lo : l2;
		*hi = any && *hi > h2 ? *hi : h2;
		any = true;
	}
	return any;
}

/* Draws the canvas at line y, column x0; cells where `over` has dots in
 * bold (and the high cell's colour): the series drawn over the others. */
static void put_canvas(int y, int x0, int xend)
{
	bool utf8 = cg_crt_utf8();

	for (unsigned cy = 0; cy < canvas.h; cy++) {
		for (unsigned cx = 0; cx < canvas.w; cx++) {
			bool top = over.bits[cy][cx] != 0;
			wchar_t ch;

			if (!canvas.bits[cy][cx]) {
				cg_crt_put_repeat(y + (int)cy, x0 + (int)cx,
						  xend, CG_A_NORMAL, 0, L' ', 1);
				continue;
			}
			ch = utf8 ? (wchar_t)cg_braille_codepoint(&canvas, cx, cy)
				  : (wchar_t)cg_braille_ascii(&canvas, cx, cy);
			cg_crt_put_repeat(y + (int)cy, x0 + (int)cx, xend,
					  top ? CG_A_BOLD : CG_A_NORMAL,
					  top ? CG_ROLE_HIGH : CG_ROLE_BAR, ch,
					  1);
		}
	}
}

/* Averages as one dot per column. */
static void dots_at_avg(struct cg_braille *c, const struct cg_hist_column *col,
			size_t n, int32_t lo, int32_t hi)
{
	for (size_t i = 0; i < n; i++)
		if (col[i].have)
			cg_braille_dot(c, (unsigned)i,
				       cg_braille_row(c, col[i].avg, lo, hi));
}

/* Both canvases gain the columns (the overlay only when on_top). */
static void strokes(const struct cg_hist_column *col, size_t n, int32_t lo,
		    int32_t hi, bool on_top)
{
	cg_braille_columns(&canvas, col, n, lo, hi);
	if (on_top)
		cg_braille_columns(&over, col, n, lo, hi);
}

static void graph(const struct cg_view *v, const struct cg_histview_layout *l,
		  const struct cg_histview_panel *p, uint64_t from, uint64_t to)
{
	const struct cg_hist *h = v->hist;
	size_t n = 2 * (size_t)l->width;
	int xend = l->x0 + l->width;
	int32_t lo = 0, hi = 0, slo, shi;
	wchar_t title[CG_TEXT_MAX], a[32], b[32];
	bool any = false;

	cg_braille_init(&canvas, (unsigned)l->width, (unsigned)p->h);
	cg_braille_init(&over, (unsigned)l->width, (unsigned)p->h);
	title[0] = L'\0';
	switch (p->kind) {
	case CG_HV_CELLS: {
		enum cg_hist_series sel = (enum cg_hist_series)(CG_HIST_CELL0 + hs.cell);

		/* The scale: the envelope and the selected cell */
		any = query_pair(h, CG_HIST_LOW, CG_HIST_HIGH, from, to, n,
				 &lo, &hi);
		cg_histview_scale(lo, hi, 20, false, &slo, &shi);
		strokes(cols, n, slo, shi, false);
		strokes(extra, n, slo, shi, false);
		cg_hist_query(h, CG_HIST_AVG, from, to, cols, n);
		dots_at_avg(&canvas, cols, n, slo, shi);
		cg_hist_query(h, sel, from, to, cols, n);
		strokes(cols, n, slo, shi, true);
		if (v->pack && v->pack->have[CG_REC_CELLS] &&
		    hs.cell < v->pack->cells.count)
			cg_fmt_mv(a, 32, v->pack->cells.mv[hs.cell]);
		else
			swprintf(a, 32, L"--");
		swprintf(title, CG_TEXT_MAX,
			 L"Cells V: high/low, avg; cell %d %ls V bold (Up/Down)",
			 hs.cell + 1, a);
		break;
	}
	case CG_HV_CURRENT: {
		bool unknown = false;

		cg_hist_query(h, CG_HIST_CURRENT, from, to, cols, n);
		any = range_of(cols, n, &lo, &hi);
		cg_histview_scale(lo, hi, 10, true, &slo, &shi);
		/* The zero line, dotted: charge above it, discharge below */
		unsigned zero = cg_braille_row(&canvas, 0, slo, shi);
		for (unsigned x = 0; x < n; x += 4)
			cg_braille_dot(&canvas, x, zero);
		strokes(cols, n, slo, shi, false);
		for (size_t i = 0; i < n; i++)
			unknown |= (cols[i].flags & CG_HIST_CURRENT_UNKNOWN) != 0;
		if (v->pack && v->pack->have[CG_REC_STATUS])
			cg_fmt_tenths(a, 32, v->pack->status.current_da, true);
		else
			swprintf(a, 32, L"--");
		swprintf(title, CG_TEXT_MAX,
			 L"Current A %ls: + charge above the dotted 0, - discharge below%ls",
			 a, unknown ? L" (some: size only)" : L"");
		break;
	}
	case CG_HV_DELTA:
		cg_hist_query(h, CG_HIST_DELTA, from, to, cols, n);
		any = range_of(cols, n, &lo, &hi);
		cg_histview_scale(lo, hi, 10, true, &slo, &shi);
		strokes(cols, n, slo, shi, false);
		if (v->pack && v->pack->have[CG_REC_CELLS])
			swprintf(a, 32, L"%u", (unsigned)v->pack->delta_mv);
		else
			swprintf(a, 32, L"--");
		swprintf(title, CG_TEXT_MAX, L"Delta mV %ls", a);
		break;
	case CG_HV_SOC:
		cg_hist_query(h, CG_HIST_SOC, from, to, cols, n);
		any = range_of(cols, n, &lo, &hi);
		slo = 0;
		shi = 100;
		strokes(cols, n, slo, shi, false);
		if (v->pack && v->pack->have_soc)
			swprintf(a, 32, L"%u", (unsigned)v->pack->soc_pct);
		else
			swprintf(a, 32, L"--");
		swprintf(title, CG_TEXT_MAX, L"SOC %% %ls", a);
		break;
	default: { /* CG_HV_TEMP */
		any = query_pair(h, CG_HIST_T1, CG_HIST_T2, from, to, n,
				 &lo, &hi);
		cg_histview_scale(lo, hi, 20, false, &slo, &shi);
		strokes(cols, n, slo, shi, false);
		strokes(extra, n, slo, shi, true);
		if (v->pack && v->pack->have[CG_REC_STATUS]) {
			cg_fmt_tenths(a, 32, v->pack->status.t1_dc, false);
			cg_fmt_tenths(b, 32, v->pack->status.t2_dc, false);
		} else {
			swprintf(a, 32, L"--");
			swprintf(b, 32, L"--");
		}
		swprintf(title, CG_TEXT_MAX, L"T1 %ls, T2 %ls bold (degC)", a, b);
		break;
	}
	}
	cg_crt_put(p->title_y, 0, cg_crt_cols(), CG_A_BOLD, 0, title);
	if (!any) {
		cg_crt_put(p->y, l->x0, xend, CG_A_DIM, 0, L"no data in this window");
		return;
	}
	fmt_value(a, 32, p->kind, shi);
	cg_crt_put(p->y, 0, l->x0 - 1, CG_A_DIM, 0, a);
	if (p->h > 1) {
		fmt_value(a, 32, p->kind, slo);
		cg_crt_put(p->y + p->h - 1, 0, l->x0 - 1, CG_A_DIM, 0, a);
	}
	put_canvas(p->y, l->x0, xend);
}

/* The marks under the graphs: A alarm, L link, M mode, one per column. */
static void marks_line(const struct cg_view *v,
		       const struct cg_histview_layout *l, uint64_t from,
		       uint64_t to)
{
	cg_hist_query(v->hist, CG_HIST_HIGH, from, to, cols, (size_t)l->width);
	cg_crt_put(l->marks_y, 0, l->x0 - 1, CG_A_DIM, 0, L"marks");
	for (int x = 0; x < l->width; x++) {
		uint8_t m = cols[x].marks;
		wchar_t c = L' ';
		enum cg_role role = 0;

		if (m & CG_HIST_MARK_ALARM) {
			c = L'A';
			role = CG_ROLE_ALERT;
		} else if (m & CG_HIST_MARK_LINK) {
			c = L'L';
			role = CG_ROLE_WARN;
		} else if (m & CG_HIST_MARK_MODE) {
			c = L'M';
		}
		cg_crt_put_repeat(l->marks_y, l->x0 + x, l->x0 + l->width,
				  c == L' ' ? CG_A_NORMAL : CG_A_BOLD, role, c, 1);
	}
}

static void axis(const struct cg_histview_layout *l, uint64_t from,
		 uint64_t to)
{
	struct cg_histview_tick t[CG_HV_TICKS_MAX];
	int n = cg_histview_ticks(from, to, l->width, tz_offset_ms(from), t,
				  CG_HV_TICKS_MAX);
	int xend = l->x0 + l->width;

	cg_crt_put_repeat(l->axis_y, l->x0, xend, CG_A_DIM, 0,
			  cg_crt_utf8() ? 0x2500 : L'-', l->width);
	cg_crt_put(l->labels_y, 0, l->x0 - 1, CG_A_DIM, 0, L"local");
	for (int i = 0; i < n; i++) {
		wchar_t text[16];

		cg_crt_put_repeat(l->axis_y, l->x0 + t[i].col, xend, CG_A_DIM,
				  0, cg_crt_utf8() ? 0x252c : L'+', 1);
		cg_widen_ascii(text, 16, t[i].text);
		cg_crt_put(l->labels_y, l->x0 + t[i].col, xend, CG_A_NORMAL, 0,
			   text);
	}
}

void cg_screen_history_draw(const struct cg_view *v, int bottom)
{
	const struct cg_hist *h = v->hist;
	struct cg_histview_layout l;
	wchar_t head[CG_TEXT_MAX], a[16], b[16];
	uint64_t from, to, back;
	int x;

	x = cg_crt_put(0, 0, cg_crt_cols(), CG_A_BOLD, 0, L"History (t to return)");
	if (!h || !h->any) {
		cg_crt_put(2, 0, cg_crt_cols(), CG_A_DIM, 0,
			   h ? L"no data yet: the graphs start with the first cells"
			     : L"no history kept in this mode");
		return;
	}
	hs.cells = h->cells ? h->cells : 1;
	if (hs.cell >= hs.cells)
		hs.cell = hs.cells - 1;
	if (!cg_histview_layout(cg_crt_cols(), bottom, &l)) {
		swprintf(head, CG_TEXT_MAX, L" too small: need %dx%d",
			 CG_HV_MIN_COLS, 1 + 3 + 1 + CG_HV_CELLS_MIN + 1);
		cg_crt_put(0, x, cg_crt_cols(), CG_A_NORMAL, CG_ROLE_WARN, head);
		return;
	}
	hs.newest = h->last_ms + 1000;
	back = hs.end_ms && hs.end_ms < hs.newest ? hs.newest - hs.end_ms : 0;
	back = cg_histview_window(h->first_ms, h->last_ms,
				  cg_histview_span_ms(hs.zoom), back, &from, &to);
	hs.end_ms = back ? to : 0;
	cg_fmt_clock(a, 16, from);
	cg_fmt_clock(b, 16, to);
	swprintf(head, CG_TEXT_MAX, L"  %s %ls-%ls  [ ] zoom%ls",
		 cg_histview_span_name(hs.zoom), a, b,
		 back ? L", <- -> pan" :
		 cg_histview_span_ms(hs.zoom) ? L", <- pan" : L"");
	cg_crt_put(0, x, cg_crt_cols(), CG_A_NORMAL, 0, head);
	for (int i = 0; i < l.n; i++)
		graph(v, &l, &l.panel[i], from, to);
	marks_line(v, &l, from, to);
	axis(&l, from, to);
}
