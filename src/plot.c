/*
 * plot: the history as an SVG picture (see plot.h).
 */
#include "plot.h"
#include "plottime.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#define TITLE_H 70
#define MARK_ROWS 36 /* a row of letters per kind of mark */
#define PANEL_GAP 36
#define AXIS_H 44
#define LIST_LINE 16
#define MARKS_LISTED 12

/* ---- output in chunks ---- */

struct out {
	cg_plot_write_fn write;
	void *ctx;
	int failed;
	size_t len;
	char buf[CG_PLOT_CHUNK];
};

static void flush(struct out *o)
{
	if (o->len && !o->failed && o->write(o->ctx, o->buf, o->len) < 0)
		o->failed = 1;
	o->len = 0;
}

static void put(struct out *o, const char *s, size_t n)
{
	while (n) {
		if (o->len == sizeof(o->buf))
			flush(o);
		size_t room = sizeof(o->buf) - o->len;
		size_t k = n < room ? n : room;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

/* A string literal, its length known at compile time. */
#define LIT(o, lit) put((o), "" lit, sizeof(lit) - 1)

static void outf(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void outf(struct out *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	put(o, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* Text content or an attribute value, XML-escaped. */
static void escaped(struct out *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': LIT(o, "&amp;"); break;
		case '<': LIT(o, "&lt;"); break;
		case '>': LIT(o, "&gt;"); break;
		case '"': LIT(o, "&quot;"); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				put(o, s, 1);
		}
	}
}

/* ---- scales and panels ---- */

struct scale {
	int32_t lo, hi, step;
};

static int32_t floor_to(int32_t v, int32_t step)
{
	int32_t q = v / step;
	if (v % step && v < 0)
		q--;
	return q * step;
}

static struct scale make_scale(int32_t min, int32_t max, int32_t min_step)
{
	static const int32_t base[] = { 1, 2, 5 };
	struct scale s;
	int32_t range, step = 0;

	if (max < min) {
		min = 0;
		max = min_step;
	}
	range = max - min;
	for (int32_t mag = 1; !step && mag <= 100000000; mag *= 10)
		for (int i = 0; i < 3 && !step; i++)
			if (base[i] * mag >= min_step && base[i] * mag * 4 >= range)
				step = base[i] * mag;
	if (!step)
		step = 100000000;
	s.step = step;
	s.lo = floor_to(min, step);
	s.hi = floor_to(max, step);
	if (s.hi < max || s.hi == s.lo)
		s.hi += step;
	return s;
}

static int ymap(const struct scale *s, const struct cg_plot_box *b, int32_t v)
{
	int64_t off = (int64_t)(v - s->lo) * b->h / (s->hi - s->lo);
	return b->y + b->h - (int)off;
}

typedef void (*label_fn)(char *out, size_t cap, int32_t v);

static void label_volts(char *out, size_t cap, int32_t mv)
{
	snprintf(out, cap, "%d.%03d", mv / 1000, mv % 1000);
}

static void label_int(char *out, size_t cap, int32_t v)
{
	snprintf(out, cap, "%d", v);
}

static void label_tenths(char *out, size_t cap, int32_t v)
{
	snprintf(out, cap, "%s%d.%d", v < 0 ? "-" : "", (v < 0 ? -v : v) / 10,
		 (v < 0 ? -v : v) % 10);
}

/* Range of the min and max of some columns. */
static void range_of(const struct cg_hist_column *c, size_t n, int32_t *min,
		     int32_t *max)
{
	for (size_t i = 0; i < n; i++) {
		if (!c[i].have)
			continue;
		if (c[i].min < *min)
			*min = c[i].min;
		if (c[i].max > *max)
			*max = c[i].max;
	}
}

/* The panel's box, grid, value labels and title. */
static void frame(struct out *o, const struct cg_plot_box *b,
		  const struct scale *s, const char *title, label_fn label)
{
	char text[32];

	outf(o, "<text x=\"%d\" y=\"%d\" class=\"h\">", b->x, b->y - 8);
	escaped(o, title);
	LIT(o, "</text>\n");
	outf(o, "<g class=\"grid\">");
	for (int32_t v = s->lo; v <= s->hi; v += s->step) {
		int y = ymap(s, b, v);
		outf(o, "<path d=\"M%d %d.5H%d\"/>", b->x, y, b->x + b->w);
		label(text, sizeof(text), v);
		outf(o, "<text x=\"%d\" y=\"%d\" class=\"v\">%s</text>",
		     b->x - 6, y + 4, text);
	}
	LIT(o, "</g>\n");
}

/* min..max of each column as a 1 px vertical stroke. */
static void band(struct out *o, const struct cg_plot_box *b,
		 const struct scale *s, const struct cg_hist_column *lo_c,
		 const struct cg_hist_column *hi_c, size_t n, const char *cls)
{
	outf(o, "<path class=\"%s\" d=\"", cls);
	for (size_t i = 0; i < n; i++) {
		if (!lo_c[i].have || !hi_c[i].have)
			continue;
		int top = ymap(s, b, hi_c[i].max), bottom = ymap(s, b, lo_c[i].min);
		outf(o, "M%d.5 %dV%d", b->x + (int)i, top, bottom + 1);
	}
	LIT(o, "\"/>\n");
}

/* The average of each column as a line, broken where there is none. */
static void line(struct out *o, const struct cg_plot_box *b,
		 const struct scale *s, const struct cg_hist_column *c,
		 size_t n, const char *cls)
{
	bool pen = false;

	outf(o, "<path class=\"%s\" d=\"", cls);
	for (size_t i = 0; i < n; i++) {
		if (!c[i].have) {
			pen = false;
			continue;
		}
		outf(o, "%c%d.5 %d", pen ? 'L' : 'M', b->x + (int)i,
		     ymap(s, b, c[i].avg));
		pen = true;
	}
	LIT(o, "\"/>\n");
}

/* Current: charge solid above zero, discharge dashed below, unknown
 * direction grey. */
static void current(struct out *o, const struct cg_plot_box *b,
		    const struct scale *s, const struct cg_hist_column *c,
		    size_t n)
{
	static const char *const cls[] = { "chg", "dis", "unk" };
	int zero = ymap(s, b, 0);

	for (int k = 0; k < 3; k++) {
		outf(o, "<path class=\"%s\" d=\"", cls[k]);
		for (size_t i = 0; i < n; i++) {
			if (!c[i].have)
				continue;
			bool unknown = c[i].flags & CG_HIST_CURRENT_UNKNOWN;
			int x = b->x + (int)i;
			if (k == 2 && unknown)
				outf(o, "M%d.5 %dV%d", x, ymap(s, b, c[i].max),
				     ymap(s, b, c[i].min) + 1);
			if (unknown || k == 2)
				continue;
			if (k == 0 && c[i].max > 0)
				outf(o, "M%d.5 %dV%d", x, ymap(s, b, c[i].max),
				     c[i].min > 0 ? ymap(s, b, c[i].min) + 1 : zero);
			if (k == 1 && c[i].min < 0)
				outf(o, "M%d.5 %dV%d", x,
				     c[i].max < 0 ? ymap(s, b, c[i].max) : zero,
				     ymap(s, b, c[i].min) + 1);
			if (k == 0 && c[i].max == 0 && c[i].min == 0)
				outf(o, "M%d.5 %dV%d", x, zero - 1, zero + 1);
		}
		LIT(o, "\"/>\n");
	}
	outf(o, "<path class=\"zero\" d=\"M%d %d.5H%d\"/>\n", b->x, zero,
	     b->x + b->w);
	outf(o, "<text x=\"%d\" y=\"%d\" class=\"k\">charge (solid) above 0, "
	     "discharge (dashed) below</text>\n", b->x + b->w, b->y - 8);
}

/* ---- the time axis and marks ---- */

static uint64_t time_step(uint64_t span)
{
	static const uint64_t steps[] = {
		1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000,
		600000, 900000, 1800000, 3600000, 7200000, 10800000, 21600000,
		43200000, CG_MS_DAY, 2 * CG_MS_DAY, 7 * CG_MS_DAY, 14 * CG_MS_DAY,
		28 * CG_MS_DAY, 56 * CG_MS_DAY, 112 * CG_MS_DAY, 364 * CG_MS_DAY,
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (span / steps[i] <= 8)
			return steps[i];
	return span / 8 / CG_MS_DAY * CG_MS_DAY + CG_MS_DAY;
}

static int xmap(uint64_t from, uint64_t to, uint64_t t)
{
	return CG_PLOT_LEFT +
	       (int)((t - from) * CG_PLOT_COLUMNS / (to - from));
}

static void time_grid(struct out *o, uint64_t from, uint64_t to, int top,
		      int bottom)
{
	uint64_t step = time_step(to - from);
	uint64_t t = (from + step - 1) / step * step;
	int64_t last_day = -1;
	char clock[16], date[16];

	LIT(o, "<g class=\"grid\">");
	for (uint64_t u = t; u < to; u += step)
		outf(o, "<path d=\"M%d.5 %dV%d\"/>", xmap(from, to, u), top,
		     bottom);
	LIT(o, "</g>\n<g class=\"t\">");
	for (uint64_t u = t; u < to; u += step) {
		int x = xmap(from, to, u);
		int64_t day = (int64_t)(u / CG_MS_DAY);
		cg_plottime_clock(clock, sizeof(clock), u, step < 60000);
		outf(o, "<text x=\"%d\" y=\"%d\">%s</text>", x, bottom + 16,
		     clock);
		if (day != last_day) {
			cg_plottime_date(date, sizeof(date), u);
			outf(o, "<text x=\"%d\" y=\"%d\">%s</text>", x,
			     bottom + 32, date);
			last_day = day;
		}
	}
	outf(o, "</g>\n<text x=\"%d\" y=\"%d\" class=\"k\">time (UTC)</text>\n",
	     CG_PLOT_LEFT + CG_PLOT_COLUMNS, bottom + 32);
}

/* One event line through every panel, its letter on top. */
static void mark_at(struct out *o, int x, int top, int bottom, unsigned k,
		    const char *letter)
{
	outf(o, "<path d=\"M%d.5 %dV%d\"/>", x, top, bottom);
	outf(o, "<text x=\"%d\" y=\"%d\">%s</text>", x,
	     top - PANEL_GAP - 24 + 11 * (int)k, letter);
}

/* Events: at their exact time while the history's ring still holds them;
 * older ones once per run of marked columns (their buckets' bits). */
static void marks(struct out *o, const struct cg_hist *h,
		  const struct cg_hist_column *c, size_t n, uint64_t from,
		  uint64_t to, int top, int bottom)
{
	static const struct {
		uint8_t bit;
		const char *cls, *letter, *what;
	} kinds[] = {
		{ CG_HIST_MARK_ALARM, "ma", "A", "alarm" },
		{ CG_HIST_MARK_MODE, "mm", "M", "mode or protection change" },
		{ CG_HIST_MARK_LINK, "ml", "L", "link lost or back" },
	};
	/* Every mark is in the ring until it overflows; then the ring's
	 * oldest is where exact times begin. */
	const struct cg_hist_mark *oldest = cg_hist_mark_get(h, 0);
	uint64_t exact_from = 0;
	if (h->marks_total > h->mark_count)
		exact_from = oldest->wall_ms;

	for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		outf(o, "<g class=\"%s\"><title>%s</title>", kinds[k].cls,
		     kinds[k].what);
		for (unsigned i = 0; cg_hist_mark_get(h, i); i++) {
			const struct cg_hist_mark *m = cg_hist_mark_get(h, i);
			if (m->kind == kinds[k].bit && m->wall_ms >= from &&
			    m->wall_ms < to)
				mark_at(o, xmap(from, to, m->wall_ms), top,
					bottom, k, kinds[k].letter);
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t t = from + (to - from) * i / n;
			if (t >= exact_from)
				break;
			if ((c[i].marks & kinds[k].bit) &&
			    (i == 0 || !(c[i - 1].marks & kinds[k].bit)))
				mark_at(o, CG_PLOT_LEFT + (int)i, top, bottom,
					k, kinds[k].letter);
		}
		LIT(o, "</g>\n");
	}
}

/* ---- the document ---- */

static const char style[] =
	"<style>\n"
	"text{font-family:sans-serif;font-size:12px;fill:#222}\n"
	".title{font-size:17px;font-weight:bold}.h{font-weight:bold}\n"
	".v{text-anchor:end;font-size:11px}.k{text-anchor:end;font-size:11px}\n"
	".t text{text-anchor:middle;font-size:11px}\n"
	".grid path{stroke:#e4e4e4;stroke-width:1;fill:none}\n"
	".box{fill:none;stroke:#888}\n"
	"path{fill:none;stroke-width:1}\n"
	".env{stroke:#c8c8c8}.hi{stroke:#d00000}.lo{stroke:#0030d0}\n"
	".avg{stroke:#000;stroke-width:1.2}.band{stroke:#9a9a9a}\n"
	".chg{stroke:#006000}.dis{stroke:#a03000;stroke-dasharray:2 2}\n"
	".unk{stroke:#aaa}.zero{stroke:#000}\n"
	".t2{stroke:#000;stroke-dasharray:5 3}\n"
	".ma path{stroke:#ff8000;stroke-dasharray:4 3}.ma text{fill:#c05000}\n"
	".mm path{stroke:#7050c0;stroke-dasharray:1 3}.mm text{fill:#7050c0}\n"
	".ml path{stroke:#555;stroke-dasharray:8 2}.ml text{fill:#555}\n"
	".ma text,.mm text,.ml text{text-anchor:middle;font-weight:bold;font-size:11px}\n"
	"</style>\n";

static const struct {
	const char *title;
	int h;
} panels[] = {
	{ "Cells (V): grey all cells, red highest, blue lowest, black average", 270 },
	{ "Delta (mV): highest - lowest cell", 90 },
	{ "Current (A)", 120 },
	{ "SOC (%)", 80 },
	{ "Temperature (\xc2\xb0" "C): T1 solid, T2 dashed", 100 },
};

#define PANELS (sizeof(panels) / sizeof(panels[0]))

static struct cg_plot_box box_of(unsigned p)
{
	struct cg_plot_box b = { CG_PLOT_LEFT, TITLE_H + MARK_ROWS + PANEL_GAP,
				 CG_PLOT_COLUMNS, panels[0].h };

	for (unsigned i = 0; i < p; i++)
		b.y += panels[i].h + PANEL_GAP;
	b.h = panels[p].h;
	return b;
}

struct cg_plot_box cg_plot_cells_box(void)
{
	return box_of(0);
}

static void title(struct out *o, const struct cg_hist *h,
		  const struct cg_plot_meta *meta, uint64_t from, uint64_t to)
{
	char d0[16], c0[16], d1[16], c1[16], span[32], res[32], kept[32];
	unsigned cells = meta->cells ? meta->cells : h->cells;

	cg_plottime_date(d0, sizeof(d0), from);
	cg_plottime_clock(c0, sizeof(c0), from, true);
	cg_plottime_date(d1, sizeof(d1), to);
	cg_plottime_clock(c1, sizeof(c1), to, true);
	cg_plottime_span(span, sizeof(span), to - from);
	cg_plottime_span(res, sizeof(res), (to - from) / CG_PLOT_COLUMNS);
	cg_plottime_span(kept, sizeof(kept), cg_hist_resolution_ms(h, from));
	LIT(o, "<text x=\"10\" y=\"24\" class=\"title\">Chargery BMS");
	if (meta->source) {
		LIT(o, ": ");
		escaped(o, meta->source);
	}
	outf(o, "</text>\n<text x=\"10\" y=\"44\">%s %s to %s%s%s UTC (%s)",
	     d0, c0, strcmp(d0, d1) ? d1 : "", strcmp(d0, d1) ? " " : "", c1,
	     span);
	if (cells)
		outf(o, ", %u cells", cells);
	if (meta->firmware) {
		LIT(o, ", firmware ");
		escaped(o, meta->firmware);
	}
	outf(o, "</text>\n<text x=\"10\" y=\"62\" class=\"s\">Each band is the "
	     "lowest to the highest value in one pixel column (%s; data kept "
	     "in %s steps from the start); lines are averages. Events: A alarm, "
	     "M mode or protection, L link.</text>\n", res, kept);
}

/* The newest marks in the window, listed with their times. */
static int mark_list(struct out *o, const struct cg_hist *h,
		     const struct cg_plot_meta *meta, uint64_t from,
		     uint64_t to, int y)
{
	unsigned want = meta->marks_listed ? meta->marks_listed : MARKS_LISTED;
	unsigned total = 0;
	char date[16], clock[16];

	for (unsigned i = 0; cg_hist_mark_get(h, i); i++) {
		const struct cg_hist_mark *m = cg_hist_mark_get(h, i);
		if (m->wall_ms >= from && m->wall_ms < to &&
		    m->kind != CG_HIST_MARK_OTHER)
			total++;
	}
	if (!total)
		return y;
	outf(o, "<text x=\"10\" y=\"%d\" class=\"h\">Events (%s%u)</text>\n", y,
	     total > want ? "newest of " : "", total);
	y += LIST_LINE + 2;
	for (unsigned i = 0, seen = 0; cg_hist_mark_get(h, i); i++) {
		const struct cg_hist_mark *m = cg_hist_mark_get(h, i);
		if (m->wall_ms < from || m->wall_ms >= to ||
		    m->kind == CG_HIST_MARK_OTHER)
			continue;
		if (seen++ < (total > want ? total - want : 0))
			continue;
		cg_plottime_date(date, sizeof(date), m->wall_ms);
		cg_plottime_clock(clock, sizeof(clock), m->wall_ms, true);
		outf(o, "<text x=\"10\" y=\"%d\">%s %s  %s  ", y, date, clock,
		     m->kind == CG_HIST_MARK_ALARM ? "A" :
		     m->kind == CG_HIST_MARK_MODE ? "M" : "L");
		escaped(o, m->text);
		LIT(o, "</text>\n");
		y += LIST_LINE;
	}
	return y;
}

int cg_plot_svg(const struct cg_hist *h, const struct cg_plot_meta *meta,
		uint64_t from, uint64_t to, cg_plot_write_fn write, void *ctx)
{
	static const struct cg_plot_meta none = { 0 };
	struct out o = { .write = write, .ctx = ctx };
	struct cg_hist_column a[CG_PLOT_COLUMNS], b[CG_PLOT_COLUMNS],
		m[CG_PLOT_COLUMNS];
	const size_t n = CG_PLOT_COLUMNS;
	struct cg_plot_box box;
	struct scale s;
	int32_t lo, hi;

	if (!meta)
		meta = &none;
	if (to <= from)
		to = from + 1000;
	struct cg_plot_box last = box_of(PANELS - 1);
	int bottom = last.y + last.h;
	int list_lines = (int)(meta->marks_listed ? meta->marks_listed
						  : MARKS_LISTED);
	int height = bottom + AXIS_H + 8 + (list_lines + 1) * LIST_LINE + 10;

	outf(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	     "height=\"%d\" viewBox=\"0 0 %d %d\">\n", CG_PLOT_WIDTH, height,
	     CG_PLOT_WIDTH, height);
	put(&o, style, sizeof(style) - 1);
	outf(&o, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n",
	     CG_PLOT_WIDTH, height);
	title(&o, h, meta, from, to);
	time_grid(&o, from, to, box_of(0).y, bottom);

	/* Cells: all cells' band, the high and low cells, the average. */
	box = box_of(0);
	cg_hist_query(h, CG_HIST_HIGH, from, to, a, n);
	cg_hist_query(h, CG_HIST_LOW, from, to, b, n);
	lo = INT32_MAX, hi = INT32_MIN;
	range_of(a, n, &lo, &hi);
	range_of(b, n, &lo, &hi);
	s = make_scale(lo, hi, 5);
	frame(&o, &box, &s, panels[0].title, label_volts);
	band(&o, &box, &s, b, a, n, "env");
	band(&o, &box, &s, a, a, n, "hi");
	band(&o, &box, &s, b, b, n, "lo");
	cg_hist_query(h, CG_HIST_AVG, from, to, m, n);
	line(&o, &box, &s, m, n, "avg");
	outf(&o, "<g id=\"cells\" data-x=\"%d\" data-y=\"%d\" data-w=\"%d\" "
	     "data-h=\"%d\" data-from-ms=\"%llu\" data-to-ms=\"%llu\"/>\n",
	     box.x, box.y, box.w, box.h, (unsigned long long)from,
	     (unsigned long long)to);

	/* Marks come with every column, whatever the series. */
	cg_hist_query(h, CG_HIST_HIGH, from, to, m, n);
	for (unsigned p = 1; p < PANELS; p++) {
		static const enum cg_hist_series series[] = {
			CG_HIST_HIGH, CG_HIST_DELTA, CG_HIST_CURRENT,
			CG_HIST_SOC, CG_HIST_T1,
		};
		static const label_fn labels[] = {
			label_volts, label_int, label_tenths, label_int,
			label_tenths,
		};
		static const int32_t min_step[] = { 5, 1, 10, 1, 10 };
		box = box_of(p);
		cg_hist_query(h, series[p], from, to, a, n);
		lo = p == 2 ? 0 : INT32_MAX; /* current: zero always shown */
		hi = p == 2 ? 0 : INT32_MIN;
		range_of(a, n, &lo, &hi);
		if (p == 4) {
			cg_hist_query(h, CG_HIST_T2, from, to, b, n);
			range_of(b, n, &lo, &hi);
		}
		if (p == 3 && lo != INT32_MAX) {
			lo = 0;
			hi = 100;
		}
		s = make_scale(lo, hi, min_step[p]);
		if (p == 3)
			s.step = 25;
		frame(&o, &box, &s, panels[p].title, labels[p]);
		if (p == 2) {
			current(&o, &box, &s, a, n);
			continue;
		}
		band(&o, &box, &s, a, a, n, "band");
		line(&o, &box, &s, a, n, "avg");
		if (p == 4) {
			band(&o, &box, &s, b, b, n, "band");
			line(&o, &box, &s, b, n, "t2");
		}
	}
	for (unsigned p = 0; p < PANELS; p++) {
		box = box_of(p);
		outf(&o, "<rect class=\"box\" x=\"%d\" y=\"%d\" width=\"%d\" "
		     "height=\"%d\"/>\n", box.x, box.y, box.w, box.h);
	}
	marks(&o, h, m, n, from, to, box_of(0).y, bottom);
	mark_list(&o, h, meta, from, to, bottom + AXIS_H + 8);
	LIT(&o, "</svg>\n");
	flush(&o);
	return o.failed ? -1 : 0;
}
