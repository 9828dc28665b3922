/*
 * tui: the live table, drawn with ncurses (wide-character build).
 *
 * Every frame is laid out from scratch for the current terminal size: the
 * pack figures are short items packed into lines, the cells go in one
 * column when they fit and in several when they do not, and the richest
 * layout that fits wins. erase() + draw + refresh() lets ncurses send only
 * the cells of the screen that changed.
 *
 * All text is built as wide strings whose characters are one column each,
 * so clipping to the width is a matter of counting characters. Non-ASCII
 * glyphs are used only in UTF-8 locales; elsewhere every glyph has an
 * ASCII stand-in.
 */
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#define MIN_COLS 40
#define MIN_LINES 10
#define COLUMN_GAP 2
#define ITEM_GAP 2
#define BAR_MIN 11 /* room for both end values above it */
#define BAR_EXTRAS_MIN 20 /* keep the bar at least this long for extras */
#define BAR_MAX 64 /* longer only moves the figures away */
#define TEXT_MAX 160
#define ITEMS_MAX 40
#define DIAG_LINES_MAX 2 /* the link doctor's advice, above the status */
#define DECODED_MIN_W 28 /* inspector: decoded fields beside the hex */

/* Widths of the fixed parts of a cell row. */
#define W_INDEX 2
#define W_VOLTS 5
#define W_DEV 8
#define W_MARK 6
#define W_IMP 7
#define W_SESSION 12
#define ROW_FIXED (W_INDEX + 1 + W_VOLTS + 1 + 1 + W_DEV + 1 + W_MARK)

enum pair {
	PAIR_NONE,
	PAIR_HIGH,
	PAIR_LOW,
	PAIR_BAR,
	PAIR_WARN,
	PAIR_ALERT,
};

/* The one terminal this process draws on. */
static struct {
	SCREEN *screen;
	FILE *tty; /* /dev/tty when stdin or stdout is not the terminal */
	bool utf8;
	bool color;
	/* Scrolled drawing (the inspector): put() draws line y at row
	 * y - origin, and only rows clip_top..clip_bottom - 1. */
	int origin;
	int clip_top, clip_bottom;
	/* The inspector's scroll, and what its last draw measured. */
	int scroll;
	int scroll_max;
	int scroll_page;
} tui = { .clip_bottom = INT_MAX };

/* A short piece of the pack figures, e.g. "SOC 91 %". */
struct item {
	wchar_t text[TEXT_MAX];
	attr_t attr;
	short pair;
	int level;	/* 0 essential, 1 normal, 2 when there is room */
	bool new_line; /* starts a new group of figures */
	bool tight;    /* one space from the item before, as in a list */
};

struct items {
	struct item item[ITEMS_MAX];
	int n;
};

struct scale {
	unsigned lo_mv, hi_mv;
	const wchar_t *name; /* what the ends come from */
};

struct layout {
	int level;
	int fig_lines;
	int ncols;
	int colw;
	int rows; /* cell rows per column */
	bool unwired;
	bool imp_col, session_col;
	int bar_w;
};

/* ---- Text helpers --------------------------------------------------- */

/* Port names and error details come from the system, not the line, but a
 * stray byte in them must still not reach the terminal raw. */
static void widen_ascii(wchar_t *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 1 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		out[n++] = (c >= 0x20 && c < 0x7f) ? (wchar_t)c : L'?';
	}
	out[n] = L'\0';
}

/* Text made by other modules (events, the link doctor, the firmware name)
 * may hold any character of the locale; only printable one-column ones are
 * kept, so the column arithmetic stays right and nothing steers the
 * terminal. */
static void widen_text(wchar_t *out, size_t cap, const char *s)
{
	mbstate_t state;
	size_t n = 0, left = s ? strlen(s) : 0;

	memset(&state, 0, sizeof(state));
	while (left > 0 && n + 1 < cap) {
		wchar_t wc;
		size_t used = mbrtowc(&wc, s, left, &state);

		if (used == (size_t)-1 || used == (size_t)-2 || used == 0) {
			memset(&state, 0, sizeof(state));
			wc = L'?';
			used = 1;
		} else if (!iswprint((wint_t)wc) || wcwidth(wc) != 1) {
			wc = L'?';
		}
		out[n++] = wc;
		s += used;
		left -= used;
	}
	out[n] = L'\0';
}

/* Local wall-clock time of day, e.g. "14:02:11". */
static void fmt_clock(wchar_t *buf, size_t cap, uint64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm)) {
		swprintf(buf, cap, L"--:--:--");
		return;
	}
	swprintf(buf, cap, L"%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
		 tm.tm_sec);
}

/* A span of seconds as "01:02:03". */
static void fmt_hms(wchar_t *buf, size_t cap, double seconds)
{
	unsigned long s = seconds > 0 ? (unsigned long)seconds : 0;

	swprintf(buf, cap, L"%02lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
}

static void fmt_mv(wchar_t *buf, size_t cap, unsigned mv)
{
	swprintf(buf, cap, L"%u.%03u", mv / 1000, mv % 1000);
}

/* "Total 53.294 V", or "Total -- V" when unknown: never a made-up 0. */
static void volts_text(wchar_t *text, const wchar_t *label, bool known,
		       unsigned mv)
{
	wchar_t v[32];

	if (known)
		fmt_mv(v, 32, mv);
	else
		wcscpy(v, L"--");
	swprintf(text, TEXT_MAX, L"%ls %ls V", label, v);
}

/* Tenths (0.1 A, 0.1 degC, 0.1 mOhm) with their sign. */
static void fmt_tenths(wchar_t *buf, size_t cap, long v, bool plus)
{
	const wchar_t *sign = v < 0 ? L"-" : (plus && v > 0 ? L"+" : L"");
	unsigned long a = v < 0 ? (unsigned long)-v : (unsigned long)v;

	swprintf(buf, cap, L"%ls%lu.%lu", sign, a / 10, a % 10);
}

static void fmt_age(wchar_t *buf, size_t cap, uint64_t now, uint64_t at)
{
	uint64_t ms = now > at ? now - at : 0;

	if (ms < 10000)
		swprintf(buf, cap, L"%u.%u s", (unsigned)(ms / 1000),
			 (unsigned)(ms % 1000 / 100));
	else if (ms < 120000)
		swprintf(buf, cap, L"%u s", (unsigned)(ms / 1000));
	else if (ms < 7200000)
		swprintf(buf, cap, L"%u min", (unsigned)(ms / 60000));
	else
		swprintf(buf, cap, L"%llu h",
			 (unsigned long long)(ms / 3600000));
}

static const wchar_t *glyph(const wchar_t *utf8, const wchar_t *ascii)
{
	return tui.utf8 ? utf8 : ascii;
}

/* Writes at most xend - x columns; returns the column after the text. */
static int put(int y, int x, int xend, attr_t attr, short pair,
	       const wchar_t *s)
{
	int n = (int)wcslen(s);

	y -= tui.origin;
	if (y < tui.clip_top || y >= tui.clip_bottom || y >= LINES || x < 0 ||
	    x >= xend)
		return x;
	if (xend > COLS)
		xend = COLS;
	if (n > xend - x)
		n = xend - x;
	if (n <= 0)
		return x;
	attr_set(attr, tui.color ? pair : 0, NULL);
	mvaddnwstr(y, x, s, n);
	return x + n;
}

static int put_repeat(int y, int x, int xend, attr_t attr, short pair,
		      wchar_t c, int count)
{
	wchar_t s[2] = { c, L'\0' };

	while (count-- > 0 && x < xend)
		x = put(y, x, xend, attr, pair, s);
	return x;
}

/* ---- What the pack knows -------------------------------------------- */

static bool have(const struct cg_pack *p, enum cg_record_type t)
{
	return p && p->have[t];
}

static bool is_stale(const struct cg_view *v, enum cg_record_type t)
{
	return have(v->pack, t) &&
	       cg_pack_freshness(v->pack, t, v->now_ms) == CG_STALE;
}

static bool is_open(const struct cg_pack *p, unsigned i)
{
	return i < 32 && (p->open_mask >> i & 1u);
}

/* High and low are worth marking only when they differ. */
static bool marks_extremes(const struct cg_pack *p)
{
	return have(p, CG_REC_CELLS) && p->counted > 1 && p->delta_mv > 0;
}

/* The cell count and rows worth a place in the table. */
static unsigned wired_rows(const struct cg_pack *p)
{
	if (!have(p, CG_REC_CELLS) || p->wired == 0)
		return 1; /* the "waiting" line */
	return p->wired;
}

static unsigned unwired_rows(const struct cg_pack *p)
{
	if (!have(p, CG_REC_CELLS) || p->cells.count <= p->wired)
		return 0;
	return p->cells.count - p->wired;
}

static void guess_chemistry(unsigned avg_mv, struct scale *s)
{
	if (avg_mv && avg_mv < 2900) {
		*s = (struct scale){ 1800, 2800, L"LTO guess" };
	} else if (avg_mv && avg_mv <= 3400) {
		*s = (struct scale){ 2500, 3650, L"LiFePO4 guess" };
	} else {
		*s = (struct scale){ 3000, 4200, L"Li-ion guess" };
	}
}

/* The ends of the bars: zoom, the BMS's own settings, or a guess. */
static struct scale bar_scale(const struct cg_view *v)
{
	const struct cg_pack *p = v->pack;
	struct scale s, guess;
	bool status = have(p, CG_REC_STATUS);

	guess_chemistry(have(p, CG_REC_CELLS) ? p->average_mv : 0, &guess);

	if (v->zoom && have(p, CG_REC_CELLS) && p->counted > 0) {
		unsigned lo = p->cells.mv[p->low_index];
		unsigned hi = p->cells.mv[p->high_index];
		unsigned margin = (hi - lo) / 8;

		if (margin < 2)
			margin = 2;
		/* An even spread still needs room to show a change. */
		while (hi - lo + 2 * margin < 10)
			margin++;
		s.lo_mv = lo > margin ? lo - margin : 0;
		s.hi_mv = hi + margin;
		s.name = L"zoom";
		return s;
	}

	s = guess;
	if (status && p->status.charge_end_mv > 0)
		s.hi_mv = p->status.charge_end_mv;
	if (status && p->status.has_protection &&
	    p->status.discharge_end_mv > 0)
		s.lo_mv = p->status.discharge_end_mv;
	if (s.lo_mv >= s.hi_mv)
		return guess;
	if (s.hi_mv != guess.hi_mv || s.lo_mv != guess.lo_mv) {
		bool both = status && p->status.has_protection;
		s.name = both ? L"BMS ends" : L"BMS charge-end, low end guessed";
	}
	return s;
}

/* ---- The pack figures ----------------------------------------------- */

static struct item *add(struct items *it, int level, bool new_line,
			attr_t attr, short pair)
{
	struct item *i;

	if (it->n >= ITEMS_MAX)
		return &it->item[ITEMS_MAX - 1]; /* never: a fixed list */
	i = &it->item[it->n++];
	i->level = level;
	i->new_line = new_line;
	i->tight = false;
	i->attr = attr;
	i->pair = pair;
	i->text[0] = L'\0';
	return i;
}

static void voltage_items(const struct cg_view *v, struct items *it)
{
	const struct cg_pack *p = v->pack;
	bool known = have(p, CG_REC_CELLS) && p->counted > 0;
	bool mark = marks_extremes(p);
	wchar_t a[32], b[32];
	struct item *i;

	i = add(it, 0, true, A_NORMAL, 0);
	volts_text(i->text, L"Total", known, p->total_mv);
	i = add(it, 0, false, A_NORMAL, 0);
	volts_text(i->text, L"Avg", known, p->average_mv);

	i = add(it, 0, false, mark ? A_BOLD : A_NORMAL, PAIR_HIGH);
	if (known) {
		fmt_mv(a, 32, p->cells.mv[p->high_index]);
		swprintf(i->text, TEXT_MAX, L"%ls #%u %ls V",
			 glyph(L"\u25b2 High", L"^ High"),
			 p->high_index + 1u, a);
	} else {
		wcscpy(i->text, L"High --");
	}

	i = add(it, 0, false, mark ? A_BOLD : A_NORMAL, PAIR_LOW);
	if (known) {
		fmt_mv(b, 32, p->cells.mv[p->low_index]);
		swprintf(i->text, TEXT_MAX, L"%ls #%u %ls V",
			 glyph(L"\u25bc Low", L"v Low"), p->low_index + 1u, b);
	} else {
		wcscpy(i->text, L"Low --");
	}

	/* Past the delta limit: a word and reverse video, not colour alone. */
	if (known && v->alarms && v->alarms->delta) {
		i = add(it, 0, false, A_BOLD | A_REVERSE, PAIR_ALERT);
		swprintf(i->text, TEXT_MAX, L"Delta %u mV !ALARM", p->delta_mv);
	} else {
		i = add(it, 0, false, A_BOLD, 0);
		if (known)
			swprintf(i->text, TEXT_MAX, L"Delta %u mV",
				 p->delta_mv);
		else
			wcscpy(i->text, L"Delta -- mV");
	}
}

static void fmt_limit(wchar_t *buf, size_t cap, unsigned mv, bool volts)
{
	wchar_t a[16];

	if (mv == 0) {
		swprintf(buf, cap, L"--");
	} else if (volts) {
		fmt_mv(a, 16, mv);
		swprintf(buf, cap, L"%ls V", a);
	} else {
		swprintf(buf, cap, L"%u mV", mv);
	}
}

/* The alarm limits in force, so a marked cell can be read against them. */
static void limits_item(const struct cg_view *v, struct items *it)
{
	const struct cg_alarms *al = v->alarms;
	wchar_t hi[24], lo[24], delta[24];
	struct item *i;

	if (!al)
		return;
	fmt_limit(hi, 24, al->high_mv, true);
	fmt_limit(lo, 24, al->low_mv, true);
	fmt_limit(delta, 24, al->delta_mv, false);
	i = add(it, 2, false, A_NORMAL, 0);
	/* HI and LO as on the marked cells (and not the words the high and
	 * low cell markers use). */
	swprintf(i->text, TEXT_MAX, L"limits: HI %ls  LO %ls  delta %ls", hi,
		 lo, delta);
}

/* The worst spread seen since start or the last reset (key r). */
static void worst_item(const struct cg_view *v, struct items *it)
{
	const struct cg_pack *p = v->pack;
	struct item *i;

	if (!have(p, CG_REC_CELLS) || p->session_worst_delta_mv == 0)
		return;
	i = add(it, 2, false, A_NORMAL, 0);
	if (v->worst_delta_wall_ms) {
		wchar_t at[16];

		fmt_clock(at, 16, v->worst_delta_wall_ms);
		swprintf(i->text, TEXT_MAX, L"worst delta %u mV at %ls",
			 p->session_worst_delta_mv, at);
	} else {
		swprintf(i->text, TEXT_MAX, L"worst delta %u mV",
			 p->session_worst_delta_mv);
	}
}

static void status_items(const struct cg_view *v, struct items *it)
{
	const struct cg_pack *p = v->pack;
	const struct cg_status *st = &p->status;
	bool known = have(p, CG_REC_STATUS);
	const wchar_t *deg = glyph(L"\u00b0C", L"C");
	wchar_t a[32], b[32];
	struct item *i;

	i = add(it, 0, true, A_NORMAL, 0);
	if (known) {
		const char *mode = cg_mode_name(st->mode);
		wchar_t m[16];

		widen_ascii(m, 16, mode);
		fmt_tenths(a, 32, st->current_da, true);
		swprintf(i->text, TEXT_MAX, L"Current %ls A %ls", a, m);
	} else {
		wcscpy(i->text, L"Current -- A");
	}

	i = add(it, 0, false, A_NORMAL, 0);
	if (known)
		swprintf(i->text, TEXT_MAX, L"SOC %u %%", st->soc_pct);
	else
		wcscpy(i->text, L"SOC -- %");

	i = add(it, 1, false, A_NORMAL, 0);
	if (known) {
		fmt_tenths(a, 32, st->t1_dc, false);
		fmt_tenths(b, 32, st->t2_dc, false);
		swprintf(i->text, TEXT_MAX, L"T1 %ls %ls  T2 %ls %ls", a, deg,
			 b, deg);
	} else {
		swprintf(i->text, TEXT_MAX, L"T1 -- %ls  T2 -- %ls", deg, deg);
	}

	if (have(p, CG_REC_CELLS) && p->cells.has_energy) {
		i = add(it, 1, false, A_NORMAL, 0);
		swprintf(i->text, TEXT_MAX, L"%lu.%03lu Ah  %lu.%03lu Wh",
			 (unsigned long)(p->cells.charge_mah / 1000),
			 (unsigned long)(p->cells.charge_mah % 1000),
			 (unsigned long)(p->cells.energy_mwh / 1000),
			 (unsigned long)(p->cells.energy_mwh % 1000));
	} else {
		i = add(it, 2, false, A_NORMAL, 0);
		wcscpy(i->text, L"-- Ah  -- Wh");
	}
}

static void protection_items(const struct cg_view *v, struct items *it)
{
	const struct cg_pack *p = v->pack;
	const struct cg_status *st = &p->status;
	bool known = have(p, CG_REC_STATUS);
	bool prot = known && st->has_protection;
	struct item *i;

	i = add(it, 1, true, A_NORMAL, 0);
	volts_text(i->text, L"Charge-end", known, st->charge_end_mv);
	i = add(it, 1, false, A_NORMAL, 0);
	volts_text(i->text, L"Discharge-end", prot, st->discharge_end_mv);

	/* An active protection is the one figure that must jump out. */
	if (!prot) {
		i = add(it, 1, false, A_NORMAL, 0);
		wcscpy(i->text, L"Protection --");
	} else if (!st->charge_protect && !st->discharge_protect) {
		i = add(it, 1, false, A_NORMAL, 0);
		wcscpy(i->text, L"Protection: none active");
	} else {
		i = add(it, 0, false, A_BOLD | A_REVERSE, PAIR_ALERT);
		swprintf(i->text, TEXT_MAX, L"%ls protection ACTIVE",
			 !st->discharge_protect ? L"Charge" :
			 !st->charge_protect	 ? L"Discharge" :
						   L"Charge and discharge");
	}
}

static void impedance_summary(const struct cg_view *v, struct items *it,
			      bool new_line)
{
	const struct cg_pack *p = v->pack;
	const struct cg_impedance *imp = &p->impedance;
	unsigned long sum = 0;
	unsigned n = 0, worst = 0, worst_i = 0;
	wchar_t a[32], b[32];
	struct item *i;

	if (!have(p, CG_REC_IMPEDANCE))
		return;
	for (unsigned c = 0; c < imp->count && c < CG_MAX_CELLS; c++) {
		if (c < p->wired && !cg_pack_cell_counted(p, c))
			continue;
		sum += imp->impedance_dmohm[c];
		n++;
		if (n == 1 || imp->impedance_dmohm[c] > worst) {
			worst = imp->impedance_dmohm[c];
			worst_i = c;
		}
	}
	if (n == 0)
		return;
	fmt_tenths(a, 32, (long)((sum + n / 2) / n), false);
	fmt_tenths(b, 32, (long)worst, false);
	i = add(it, 2, new_line, A_NORMAL, 0);
	swprintf(i->text, TEXT_MAX, L"Impedance avg %ls, max %ls %ls #%u", a,
		 b, glyph(L"m\u03a9", L"mOhm"), worst_i + 1);
}

static void age_item(const struct cg_view *v, struct items *it,
		     enum cg_record_type t, const wchar_t *name, bool new_line,
		     bool periodic)
{
	const struct cg_pack *p = v->pack;
	wchar_t a[32];
	struct item *i;

	if (!have(p, t)) {
		i = add(it, periodic ? 1 : 2, new_line, A_DIM, 0);
		swprintf(i->text, TEXT_MAX, L"%ls never", name);
		return;
	}
	fmt_age(a, 32, v->now_ms, p->at_ms[t]);
	if (periodic && is_stale(v, t)) {
		i = add(it, 0, new_line, A_BOLD | A_REVERSE, PAIR_WARN);
		swprintf(i->text, TEXT_MAX, L"STALE %ls %ls ago", name, a);
		return;
	}
	i = add(it, 1, new_line, A_NORMAL, 0);
	swprintf(i->text, TEXT_MAX, L"%ls %ls ago", name, a);
}

/* The end values are over the bars; this says where they come from. */
static void scale_item(struct items *it, const struct scale *s)
{
	struct item *i = add(it, 1, false, A_NORMAL, 0);

	swprintf(i->text, TEXT_MAX, L"bars: %ls", s->name);
}

static void build_items(const struct cg_view *v, const struct scale *s,
			struct items *it)
{
	it->n = 0;
	voltage_items(v, it);
	status_items(v, it);
	protection_items(v, it);
	age_item(v, it, CG_REC_CELLS, L"cells", true, true);
	age_item(v, it, CG_REC_STATUS, L"status", false, true);
	age_item(v, it, CG_REC_IMPEDANCE, L"impedance", false, false);
	if (have(v->pack, CG_REC_CELLS))
		scale_item(it, s);
	impedance_summary(v, it, false);
	worst_item(v, it);
	limits_item(v, it);
}

/* Packs the items of this level into lines of width columns from column
 * x0; draws them from line y (not at or past line ymax) when draw is set.
 * Returns how many lines they take. */
static int place_items_at(const struct items *it, int level, int x0,
			  int width, bool draw, int y, int ymax)
{
	int lines = 0, x = 0;

	for (int k = 0; k < it->n; k++) {
		const struct item *i = &it->item[k];
		int len = (int)wcslen(i->text);
		int gap = i->tight ? 1 : ITEM_GAP;

		if (i->level > level)
			continue;
		if (lines == 0 || i->new_line || x + gap + len > width) {
			lines++;
			x = 0;
		} else {
			x += gap;
		}
		if (draw && y + lines - 1 < ymax)
			put(y + lines - 1, x0 + x, x0 + width, i->attr, i->pair,
			    i->text);
		x += len;
	}
	return lines;
}

static int place_items(const struct items *it, int level, int width,
		       bool draw, int y)
{
	return place_items_at(it, level, 0, width, draw, y, LINES);
}

/* ---- Layout --------------------------------------------------------- */

static int div_up(int a, int b)
{
	return (a + b - 1) / b;
}

/* Tries one arrangement; fills *l and returns true when it fits. */
static bool try_layout(const struct cg_view *v, const struct items *it,
		       int level, int ncols, bool unwired, int width,
		       int height, struct layout *l)
{
	const struct cg_pack *p = v->pack;
	int n = (int)wired_rows(p) + (unwired ? (int)unwired_rows(p) : 0);
	int colw = (width - (ncols - 1) * COLUMN_GAP) / ncols;
	int extra = colw - ROW_FIXED;

	if (extra < BAR_MIN)
		return false;
	l->level = level;
	l->ncols = ncols;
	l->colw = colw;
	l->unwired = unwired;
	l->rows = div_up(n, ncols);
	l->fig_lines = place_items(it, level, width, false, 0);
	if (l->fig_lines + 1 + l->rows + 1 > height)
		return false;
	l->imp_col = have(p, CG_REC_IMPEDANCE) &&
		     extra - W_IMP >= BAR_EXTRAS_MIN;
	if (l->imp_col)
		extra -= W_IMP;
	l->session_col = level >= 1 && extra - W_SESSION >= BAR_EXTRAS_MIN;
	if (l->session_col)
		extra -= W_SESSION;
	l->bar_w = extra < BAR_MAX ? extra : BAR_MAX;
	return true;
}

static bool choose_layout(const struct cg_view *v, const struct items *it,
			  int width, int height, struct layout *l)
{
	/* Richer figures first, then one column, then fewer figures. */
	static const struct {
		int level;
		bool multi;
	} order[] = { { 2, false }, { 1, false }, { 2, true },
		      { 1, true },  { 0, false }, { 0, true } };
	int max_cols = (width + COLUMN_GAP) / (ROW_FIXED + BAR_MIN + COLUMN_GAP);

	if (width < MIN_COLS || height < MIN_LINES)
		return false;
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
		if (!order[o].multi) {
			if (unwired_rows(v->pack) &&
			    try_layout(v, it, order[o].level, 1, true, width,
				       height, l))
				return true;
			if (try_layout(v, it, order[o].level, 1, false, width,
				       height, l))
				return true;
			continue;
		}
		for (int c = 2; c <= max_cols; c++)
			if (try_layout(v, it, order[o].level, c, false, width,
				       height, l))
				return true;
	}
	return false;
}

/* The smallest height that fits at this width, with the fewest figures. */
static int height_needed(const struct cg_view *v, const struct items *it,
			 int width)
{
	int n = (int)wired_rows(v->pack);
	int figs = place_items(it, 0, width, false, 0);
	int max_cols = (width + COLUMN_GAP) / (ROW_FIXED + BAR_MIN + COLUMN_GAP);
	int h;

	if (max_cols < 1)
		max_cols = 1;
	h = figs + 1 + div_up(n, max_cols) + 1;
	return h < MIN_LINES ? MIN_LINES : h;
}

/* ---- Drawing -------------------------------------------------------- */

/* Where a voltage falls on a bar w columns long, in eighths of a column. */
static unsigned long bar_eighths(unsigned mv, const struct scale *s, int w)
{
	unsigned span = s->hi_mv - s->lo_mv;

	if (mv <= s->lo_mv)
		return 0;
	if (mv >= s->hi_mv)
		return (unsigned long)w * 8;
	return ((unsigned long)(mv - s->lo_mv) * (unsigned long)w * 8 +
		span / 2) / span;
}

/* A peak-hold mark: the session minimum or maximum of one cell, drawn over
 * the bar at its own place. A mark on the bar's tip would only hide the
 * tip, and one off the scale (zoom) sits at the end, pointing outwards. */
static void draw_peak_mark(int y, int x, int w, unsigned mv, int tip,
			   const struct scale *s)
{
	wchar_t c = tui.utf8 ? 0x2503 : L'|';
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
		col = (int)(bar_eighths(mv, s, w) / 8);
		if (col > w - 1)
			col = w - 1;
	}
	if (col == tip)
		return;
	put_repeat(y, x + col, x + w, A_BOLD, 0, c, 1);
}

static void draw_bar(int y, int x, int w, unsigned mv, const struct scale *s,
		     attr_t attr, short pair, unsigned min_mv, unsigned max_mv)
{
	unsigned long eighths = bar_eighths(mv, s, w);
	int full, part, tip;

	tip = (int)(eighths / 8);
	if (tip > w - 1)
		tip = w - 1;
	if (!tui.utf8) {
		full = (int)((eighths + 4) / 8);
		int bx = put_repeat(y, x, x + w, attr, pair, L'#', full);
		put_repeat(y, bx, x + w, A_DIM, 0, L'.', w - full);
	} else {
		full = (int)(eighths / 8);
		part = (int)(eighths % 8);
		int end = x + w, bx;
		bx = put_repeat(y, x, end, attr, pair, 0x2588, full);
		if (part)
			bx = put_repeat(y, bx, end, attr, pair,
					(wchar_t)(0x2590 - part), 1);
		put_repeat(y, bx, end, A_DIM, 0, 0x00b7, end - bx);
	}
	if (min_mv && max_mv && min_mv == max_mv)
		max_mv = 0; /* one mark is enough */
	draw_peak_mark(y, x, w, min_mv, tip, s);
	draw_peak_mark(y, x, w, max_mv, tip, s);
}

static void draw_header(const struct layout *l, int y, int x,
			const struct scale *s)
{
	int end = x + l->colw;
	wchar_t lo[16], hi[16];
	int bx = x + W_INDEX + 1 + W_VOLTS + 1;
	int gap;

	put(y, x, end, A_BOLD, 0, L" # volts");
	fmt_mv(lo, 16, s->lo_mv);
	fmt_mv(hi, 16, s->hi_mv);
	gap = l->bar_w - (int)wcslen(lo) - (int)wcslen(hi);
	if (gap >= 1) {
		int lx = put(y, bx, end, A_BOLD, 0, lo);
		put(y, lx + gap, end, A_BOLD, 0, hi);
		if (gap >= (int)wcslen(s->name) + 2)
			put(y, lx + (gap - (int)wcslen(s->name)) / 2, end, A_DIM,
			    0, s->name);
	}
	x = bx + l->bar_w + 1;
	x = put(y, x, end, A_BOLD, 0, L"  dev mV") + 1;
	x += W_MARK;
	if (l->imp_col)
		x = put(y, x, end, A_BOLD, 0,
			glyph(L"     m\u03a9", L"   mOhm"));
	if (l->session_col)
		put(y, x, end, A_BOLD, 0, L" session");
}

static void draw_cell(const struct cg_view *v, const struct layout *l,
		      const struct scale *s, unsigned c, int y, int x)
{
	const struct cg_pack *p = v->pack;
	int end = x + l->colw;
	int bx = x + W_INDEX + 1 + W_VOLTS + 1;
	bool stale = is_stale(v, CG_REC_CELLS);
	bool in_frame = c < p->cells.count;
	bool wired = c < p->wired;
	attr_t base = stale ? A_DIM : A_NORMAL;
	attr_t attr = base;
	short pair = 0, bar_pair = PAIR_BAR;
	const wchar_t *mark = L"";
	const wchar_t *alarm = NULL;
	wchar_t buf[48], num[16];

	if (v->alarms && c < 32 && cg_pack_cell_counted(p, c)) {
		if (v->alarms->high_mask >> c & 1u)
			alarm = L"!HI";
		else if (v->alarms->low_mask >> c & 1u)
			alarm = L"!LO";
	}
	if (marks_extremes(p) && cg_pack_cell_counted(p, c)) {
		if (c == p->high_index) {
			attr = base | A_BOLD;
			pair = bar_pair = PAIR_HIGH;
			mark = glyph(L"\u25b2 high", L"^ high");
		} else if (c == p->low_index) {
			attr = base | A_BOLD | A_UNDERLINE;
			pair = bar_pair = PAIR_LOW;
			mark = glyph(L"\u25bc low", L"v low");
		}
	}

	swprintf(buf, 48, L"%2u", c + 1);
	put(y, x, end, wired ? attr : A_DIM, pair, buf);

	if (!in_frame) {
		put(y, x + W_INDEX + 1, end, A_DIM, 0, L"   --  no data");
		return;
	}
	fmt_mv(num, 16, p->cells.mv[c]);
	if (!wired) {
		put(y, x + W_INDEX + 1, end, A_DIM, 0, num);
		put(y, bx, end, A_DIM, 0, L"not connected");
		return;
	}
	if (is_open(p, c) || !cg_pack_cell_counted(p, c)) {
		/* A broken sense lead, not a flat cell: never the low one. */
		put(y, x + W_INDEX + 1, end, base | A_BOLD, PAIR_WARN, num);
		put_repeat(y, bx, bx + l->bar_w, A_DIM, 0, L' ', l->bar_w);
		put(y, bx + l->bar_w + 1, end, base, 0, L"      --");
		put(y, bx + l->bar_w + 1 + W_DEV + 1, end, base | A_BOLD,
		    PAIR_WARN, L"open?");
		return;
	}

	/* A cell past a limit: reverse video and a word, seen on any screen. */
	put(y, x + W_INDEX + 1, end,
	    alarm ? attr | A_BOLD | A_REVERSE : attr, alarm ? PAIR_ALERT : pair,
	    num);
	draw_bar(y, bx, l->bar_w, p->cells.mv[c], s, attr, bar_pair,
		 p->session_min_mv[c], p->session_max_mv[c]);
	x = bx + l->bar_w + 1;
	int dev = (int)p->cells.mv[c] - (int)p->average_mv;
	swprintf(buf, 48, dev ? L"%+d mV" : L"%d mV", dev);
	swprintf(num, 16, L"%*ls", W_DEV, buf);
	x = put(y, x, end, attr, pair, num) + 1;
	if (alarm) {
		/* "▲ !HI": the alarm replaces the word, the arrow stays. */
		wchar_t arrow[3] = { mark[0], L' ', L'\0' };

		if (*mark)
			put(y, x, end, attr, pair, arrow);
		put(y, x + 2, end, A_BOLD | A_REVERSE, PAIR_ALERT, alarm);
	} else {
		put(y, x, end, attr, pair, mark);
	}
	x += W_MARK;

	if (l->imp_col) {
		const struct cg_impedance *imp = &p->impedance;
		if (c < imp->count) {
			fmt_tenths(num, 16, imp->impedance_dmohm[c], false);
			swprintf(buf, 48, L"%*ls", W_IMP, num);
		} else {
			swprintf(buf, 48, L"%*ls", W_IMP, L"--");
		}
		x = put(y, x, end, base, 0, buf);
	}
	if (l->session_col) {
		unsigned lo = p->session_min_mv[c], hi = p->session_max_mv[c];
		wchar_t a[16], b[16];

		if (lo && hi) {
			fmt_mv(a, 16, lo);
			fmt_mv(b, 16, hi);
			swprintf(buf, 48, L" %ls-%ls", a, b);
		} else {
			wcscpy(buf, L"      --");
		}
		put(y, x, end, base, 0, buf);
	}
}

static void draw_cells(const struct cg_view *v, const struct layout *l,
		       const struct scale *s, int top)
{
	const struct cg_pack *p = v->pack;
	unsigned n = p->wired + (l->unwired ? unwired_rows(p) : 0);

	for (int col = 0; col < l->ncols; col++)
		draw_header(l, top, col * (l->colw + COLUMN_GAP), s);
	for (unsigned c = 0; c < n; c++) {
		int col = (int)c / l->rows, row = (int)c % l->rows;
		draw_cell(v, l, s, c, top + 1 + row,
			  col * (l->colw + COLUMN_GAP));
	}
}

static const wchar_t *link_words(enum cg_link_state s)
{
	switch (s) {
	case CG_LINK_STATE_WAITING:
		return L"waiting for data";
	case CG_LINK_STATE_CONNECTED:
		return L"connected";
	case CG_LINK_STATE_NO_SYNC:
		return L"no frames in sync";
	case CG_LINK_STATE_DISCONNECTED:
		return L"disconnected, retrying";
	case CG_LINK_STATE_ENDED:
		return L"end of capture";
	}
	return L"--";
}

static const wchar_t *wired_words(enum cg_wired_source s)
{
	switch (s) {
	case CG_WIRED_OPTION:
		return L"from --cells";
	case CG_WIRED_IMPEDANCE:
		return L"from 0x58";
	case CG_WIRED_THRESHOLD:
		return L"reading over 1 V";
	case CG_WIRED_UNKNOWN:
		break;
	}
	return L"not known yet";
}

/* One part of the status line, with a shorter form for narrow screens. */
struct piece {
	wchar_t full[128];
	wchar_t brief[48]; /* empty: dropped instead of shortened */
	attr_t attr;
	short pair;
	bool use_brief;
	bool dropped;
};

static int pieces_width(const struct piece *pc, int n, int sep)
{
	int w = 0, shown = 0;

	for (int i = 0; i < n; i++) {
		if (pc[i].dropped)
			continue;
		w += (int)wcslen(pc[i].use_brief ? pc[i].brief : pc[i].full);
		shown++;
	}
	return w + (shown > 1 ? (shown - 1) * sep : 0) + 1;
}

static const wchar_t *wired_brief(enum cg_wired_source s)
{
	switch (s) {
	case CG_WIRED_OPTION:
		return L"--cells";
	case CG_WIRED_IMPEDANCE:
		return L"0x58";
	case CG_WIRED_THRESHOLD:
		return L"> 1 V";
	case CG_WIRED_UNKNOWN:
		break;
	}
	return L"?";
}

static void draw_status_line(const struct cg_view *v)
{
	enum { PAUSED, REPLAY, PORT, LINK, DETAIL, FPS, REJECTED, CELLS, HELP,
	       N };
	/* Which piece gives way first when the line is too long: the first
	 * time a piece is named it takes its brief form, the next time it
	 * goes. The link state and PAUSED never give way. */
	static const int give_way[] = { HELP,	  PORT,	 CELLS,	 FPS,
					REJECTED, CELLS, FPS,	 PORT,
					DETAIL,	  REPLAY, REJECTED };
	const struct cg_replay_view *rp = v->replay;
	const struct cg_pack *p = v->pack;
	const wchar_t *sep = glyph(L" \u2502 ", L" | ");
	uint64_t rejected = v->implausible;
	struct piece pc[N];
	wchar_t port[64];
	int y = LINES - 1, x = 0;

	memset(pc, 0, sizeof(pc));
	for (int i = 0; i < N; i++)
		pc[i].attr = A_REVERSE;
	if (v->framer)
		rejected += v->framer->bad_checksum + v->framer->bad_length +
			    v->framer->unknown_cmd;
	widen_ascii(port, 64, v->port ? v->port : "--");

	wcscpy(pc[PAUSED].full, L"PAUSED");
	pc[PAUSED].attr = A_REVERSE | A_BOLD;
	pc[PAUSED].pair = PAIR_WARN;
	pc[PAUSED].dropped = !v->paused && !(rp && rp->paused);

	pc[REPLAY].dropped = !rp;
	if (rp) {
		wchar_t pos[16], len[16];

		fmt_hms(pos, 16, rp->position_s);
		if (!rp->timestamped)
			wcscpy(len, L"raw dump");
		else if (rp->length_s > 0)
			fmt_hms(len, 16, rp->length_s);
		else
			wcscpy(len, L"--:--:--");
		swprintf(pc[REPLAY].full, 128, L"replay %gx %ls / %ls",
			 rp->speed, pos, len);
		swprintf(pc[REPLAY].brief, 48, L"%gx %ls", rp->speed, pos);
	}

	swprintf(pc[PORT].full, 128, L"%ls %d baud", port, v->baud);
	swprintf(pc[PORT].brief, 48, L"%ls %d", port, v->baud);

	wcscpy(pc[LINK].full, link_words(v->link));
	pc[LINK].attr = A_REVERSE | A_BOLD;
	pc[LINK].pair = v->link == CG_LINK_STATE_CONNECTED ? 0 : PAIR_WARN;

	widen_ascii(pc[DETAIL].full, 128, v->link_detail);
	pc[DETAIL].dropped = !pc[DETAIL].full[0];

	swprintf(pc[FPS].full, 128, L"%.1f frames/s", v->frames_per_s);
	swprintf(pc[FPS].brief, 48, L"%.1f/s", v->frames_per_s);

	swprintf(pc[REJECTED].full, 128, L"%llu rejected",
		 (unsigned long long)rejected);
	swprintf(pc[REJECTED].brief, 48, L"%llu rej",
		 (unsigned long long)rejected);

	if (have(p, CG_REC_CELLS) && p->wired) {
		swprintf(pc[CELLS].full, 128, L"%u cells (%ls)", p->wired,
			 wired_words(p->wired_source));
		swprintf(pc[CELLS].brief, 48, L"%u cells (%ls)", p->wired,
			 wired_brief(p->wired_source));
	} else {
		wcscpy(pc[CELLS].full, L"cells not known yet");
	}
	wcscpy(pc[HELP].full, L"? help");

	for (size_t g = 0; g < sizeof(give_way) / sizeof(give_way[0]); g++) {
		struct piece *q = &pc[give_way[g]];

		if (pieces_width(pc, N, (int)wcslen(sep)) <= COLS)
			break;
		if (q->brief[0] && !q->use_brief)
			q->use_brief = true;
		else
			q->dropped = true;
	}

	put_repeat(y, 0, COLS, A_REVERSE, 0, L' ', COLS);
	x = 1;
	for (int i = 0; i < N; i++) {
		if (pc[i].dropped)
			continue;
		if (x > 1)
			x = put(y, x, COLS, A_REVERSE, 0, sep);
		x = put(y, x, COLS, pc[i].attr, pc[i].pair,
			pc[i].use_brief ? pc[i].brief : pc[i].full);
	}
}

/* Word-wraps a message into the screen, from line y. */
static int draw_wrapped(int y, attr_t attr, const wchar_t *msg)
{
	const wchar_t *s = msg;

	while (*s && y < LINES) {
		int len = (int)wcslen(s), cut = len;

		if (len > COLS) {
			cut = COLS;
			while (cut > 0 && s[cut] != L' ')
				cut--;
			if (cut == 0)
				cut = COLS;
		}
		wchar_t line[TEXT_MAX];
		swprintf(line, TEXT_MAX, L"%.*ls", cut, s);
		put(y++, 0, COLS, attr, 0, line);
		s += cut;
		while (*s == L' ')
			s++;
	}
	return y;
}

static void draw_too_small(const struct cg_view *v, const struct items *it)
{
	unsigned n = have(v->pack, CG_REC_CELLS) ? v->pack->wired : 0;
	int w = COLS < MIN_COLS ? MIN_COLS : COLS;
	int h = height_needed(v, it, w);
	wchar_t msg[TEXT_MAX];
	int y;

	/* A narrow terminal that needs many rows is better off wider. */
	if (w < 80 && h > (LINES > 24 ? LINES : 24)) {
		w = 80;
		h = height_needed(v, it, w);
	}
	/* The link doctor's lines above the status line. */
	if (v->diagnosis && *v->diagnosis)
		h += (int)strlen(v->diagnosis) > w - 2 ? DIAG_LINES_MAX : 1;
	if (n)
		swprintf(msg, TEXT_MAX,
			 L"terminal %dx%d is too small: need at least %dx%d "
			 L"for %u cells",
			 COLS, LINES, w, h, n);
	else
		swprintf(msg, TEXT_MAX,
			 L"terminal %dx%d is too small: need at least %dx%d",
			 COLS, LINES, w, h);
	y = draw_wrapped(0, A_BOLD, msg);
	y = draw_wrapped(y + 1, A_NORMAL, L"q quits");
	if (v->diagnosis && *v->diagnosis) {
		wchar_t doctor[TEXT_MAX];

		widen_text(doctor, TEXT_MAX, v->diagnosis);
		draw_wrapped(y + 1, A_BOLD, doctor);
	}
}

static void draw_help(void)
{
	static const wchar_t *const text[] = {
		L"chargery-top keys",
		L"",
		L"q      quit",
		L"? h    show or hide this help",
		L"p      pause or resume the display (and a replay)",
		L"r      reset session min/max (marks on the bars)",
		L"z      zoom bars to the cells' low..high",
		L"e      event list; e again returns to the cells",
		L"i      inspector: counters, firmware, last frames",
		L"       (arrows, PgUp/PgDn, g/G scroll it)",
		L"+ -    replay faster or slower (also > <)",
		L"",
		L"open?  sense lead reads under 1 V:",
		L"       left out of the figures",
		L"!HI !LO  cell past the alarm limit",
		L"STALE  data overdue: check the link",
	};
	int n = (int)(sizeof(text) / sizeof(text[0]));
	int w = 0, h = n + 2, x0, y0;

	for (int i = 0; i < n; i++)
		if ((int)wcslen(text[i]) > w)
			w = (int)wcslen(text[i]);
	w += 4;
	if (w > COLS)
		w = COLS;
	if (h > LINES)
		h = LINES;
	x0 = (COLS - w) / 2;
	y0 = (LINES - h) / 2;

	for (int y = 0; y < h; y++) {
		bool edge_y = y == 0 || y == h - 1;
		for (int x = 0; x < w; x++) {
			bool edge_x = x == 0 || x == w - 1;
			wchar_t c = L' ';

			if (edge_y && edge_x)
				c = glyph(L"\u250c\u2510\u2514\u2518",
					  L"++++")[(y ? 2 : 0) + (x ? 1 : 0)];
			else if (edge_y)
				c = tui.utf8 ? 0x2500 : L'-';
			else if (edge_x)
				c = tui.utf8 ? 0x2502 : L'|';
			put_repeat(y0 + y, x0 + x, COLS, A_NORMAL, 0, c, 1);
		}
	}
	for (int i = 0; i < n && i + 1 < h - 1; i++)
		put(y0 + 1 + i, x0 + 2, x0 + w - 1, i == 0 ? A_BOLD : A_NORMAL,
		    0, text[i]);
}

/* ---- Link doctor, event list, inspector ----------------------------- */


/* Cuts msg at spaces into at most max lines of width columns; text that
 * does not fit ends the last line with an ellipsis. Returns the lines. */
static int wrap_text(const wchar_t *msg, int width, wchar_t out[][TEXT_MAX],
		     int max)
{
	const wchar_t *s = msg;
	int n = 0;

	if (width > TEXT_MAX - 1)
		width = TEXT_MAX - 1;
	if (width < 4 || max < 1)
		return 0;
	while (*s == L' ')
		s++;
	while (*s && n < max) {
		int len = (int)wcslen(s), cut = len;

		if (len > width) {
			cut = width;
			while (cut > 0 && s[cut] != L' ')
				cut--;
			if (cut == 0)
				cut = width;
		}
		wmemcpy(out[n], s, (size_t)cut);
		out[n][cut] = L'\0';
		s += cut;
		while (*s == L' ')
			s++;
		n++;
	}
	if (*s && n > 0) {
		const wchar_t *more = glyph(L"\u2026", L"...");
		int room = width - (int)wcslen(more);
		wchar_t *last = out[n - 1];

		if ((int)wcslen(last) > room)
			last[room] = L'\0';
		wcscat(last, more);
	}
	return n;
}

/* The link doctor's words, wrapped to fit above the status line. */
static int diagnosis_lines(const struct cg_view *v,
			   wchar_t out[DIAG_LINES_MAX][TEXT_MAX])
{
	wchar_t msg[512];

	if (!v->diagnosis || !*v->diagnosis)
		return 0;
	widen_text(msg, 512, v->diagnosis);
	return wrap_text(msg, COLS - 2, out, DIAG_LINES_MAX);
}

static void draw_diagnosis(int y, wchar_t lines[DIAG_LINES_MAX][TEXT_MAX],
			   int n)
{
	for (int i = 0; i < n; i++) {
		put_repeat(y + i, 0, COLS, A_BOLD | A_REVERSE, PAIR_WARN, L' ',
			   COLS);
		put(y + i, 1, COLS, A_BOLD | A_REVERSE, PAIR_WARN, lines[i]);
	}
}

/* Key e: what happened, newest first, in lines 0 .. bottom - 1. */
static void draw_events(const struct cg_view *v, int bottom)
{
	const struct cg_events *ev = v->events;
	unsigned shown = 0;
	wchar_t note[TEXT_MAX];
	int x, y = 2;

	x = put(0, 0, COLS, A_BOLD, 0, L"Events (e to return)");
	if (!ev || ev->count == 0) {
		put(y, 0, COLS, A_DIM, 0, L"no events yet");
		return;
	}
	for (; y < bottom; y++) {
		const struct cg_event *e = cg_events_get(ev, shown);
		char raw[CG_EVENT_TEXT_MAX];
		wchar_t at[16], text[CG_EVENT_TEXT_MAX];

		if (!e)
			break;
		/* The ring is another module's: never trust a terminator. */
		memcpy(raw, e->text, sizeof(raw));
		raw[sizeof(raw) - 1] = '\0';
		widen_text(text, CG_EVENT_TEXT_MAX, raw);
		fmt_clock(at, 16, e->wall_ms);
		put(y, 0, COLS, A_BOLD, 0, at);
		put(y, 9, COLS, A_NORMAL, 0, text);
		shown++;
	}
	if (ev->total > ev->count)
		swprintf(note, TEXT_MAX,
			 L"  newest first, %u of %u kept (%llu in all)", shown,
			 ev->count, (unsigned long long)ev->total);
	else
		swprintf(note, TEXT_MAX, L"  newest first, %u of %u", shown,
			 ev->count);
	put(0, x, COLS, A_DIM, 0, note);
}

static struct item *count_item(struct items *it, bool new_line,
			       const wchar_t *label, uint64_t n)
{
	struct item *i = add(it, 0, new_line, A_NORMAL, 0);

	swprintf(i->text, TEXT_MAX, L"%ls %llu", label, (unsigned long long)n);
	return i;
}

/* Where the bytes went: framer, decoder, frame types and firmware. */
static void inspector_counters(const struct cg_view *v, struct items *it)
{
	static const wchar_t *const type_names[CG_REC_TYPES] = {
		L"0x56 cells", L"0x57 status", L"0x58 impedance"
	};
	const struct cg_framer_stats *f = v->framer;
	const struct cg_inspect *in = v->inspect;
	wchar_t name[TEXT_MAX], fw[TEXT_MAX];
	struct item *i;

	it->n = 0;
	if (f) {
		count_item(it, true, L"framer: bytes", f->bytes);
		count_item(it, false, L"frames", f->frames);
		count_item(it, false, L"junk bytes", f->junk_bytes);
		count_item(it, false, L"bad checksum", f->bad_checksum);
		count_item(it, false, L"bad length", f->bad_length);
		count_item(it, false, L"unknown cmd", f->unknown_cmd);
		count_item(it, false, L"resyncs", f->resyncs);
	} else {
		i = add(it, 0, true, A_DIM, 0);
		wcscpy(i->text, L"framer: no counters");
	}

	/* The framer already drops the malformed frames, so the decoder's
	 * other reasons are listed only when they happen. */
	i = add(it, 0, true, A_NORMAL, 0);
	wcscpy(i->text, L"decoder rejected:");
	for (int k = 1, first = 1; k <= 4; k++) {
		uint64_t n = in ? in->rejected_by[k] : 0;

		if (!in && k == -CG_DECODE_IMPLAUSIBLE)
			n = v->implausible;
		if (n == 0 && k != -CG_DECODE_IMPLAUSIBLE)
			continue;
		widen_ascii(name, TEXT_MAX,
			    cg_decode_result_name((enum cg_decode_result)-k));
		count_item(it, false, name, n)->tight = first;
		first = 0;
	}

	for (int t = 0; t < CG_REC_TYPES; t++) {
		swprintf(name, TEXT_MAX, L"%ls%ls", t ? L"" : L"frames: ",
			 type_names[t]);
		count_item(it, t == 0, name, v->pack->count[t]);
	}

	i = add(it, 0, true, A_NORMAL, 0);
	if (in && in->firmware && *in->firmware) {
		widen_text(fw, TEXT_MAX - 16, in->firmware);
		swprintf(i->text, TEXT_MAX, L"firmware: %ls", fw);
	} else {
		wcscpy(i->text, L"firmware: unknown yet");
	}
}

static struct item *field(struct items *it, bool tight, const wchar_t *fmt,
			  ...)
{
	struct item *i = add(it, 0, false, A_NORMAL, 0);
	va_list ap;

	va_start(ap, fmt);
	vswprintf(i->text, TEXT_MAX, fmt, ap);
	va_end(ap);
	i->tight = tight;
	return i;
}

/* The fields of one frame, decoded again here so what is shown is what
 * these very bytes say, whatever the pack made of them since. */
static void decoded_items(const struct cg_frame *fr, struct items *it)
{
	const wchar_t *deg = glyph(L"\u00b0C", L"C");
	struct cg_record rec;
	enum cg_decode_result r = cg_decode(fr, &rec);
	wchar_t a[32], b[32];

	it->n = 0;
	if (r != CG_DECODE_OK) {
		struct item *i = add(it, 0, false, A_BOLD, PAIR_WARN);
		wchar_t why[48];

		widen_ascii(why, 48, cg_decode_result_name(r));
		swprintf(i->text, TEXT_MAX, L"does not decode: %ls", why);
		return;
	}
	switch (rec.type) {
	case CG_REC_CELLS: {
		const struct cg_cells *c = &rec.u.cells;

		field(it, false, L"%u channels, mV:", c->count);
		for (unsigned k = 0; k < c->count && k < CG_MAX_CELLS; k++)
			field(it, k > 0, L"%u", c->mv[k]);
		if (c->has_energy) {
			field(it, false, L"%lu.%03lu Wh",
			      (unsigned long)(c->energy_mwh / 1000),
			      (unsigned long)(c->energy_mwh % 1000));
			field(it, false, L"%lu.%03lu Ah",
			      (unsigned long)(c->charge_mah / 1000),
			      (unsigned long)(c->charge_mah % 1000));
		} else {
			field(it, false, L"no Wh/Ah (before V1.24)");
		}
		break;
	}
	case CG_REC_STATUS: {
		const struct cg_status *st = &rec.u.status;

		fmt_mv(a, 32, st->charge_end_mv);
		field(it, false, L"charge-end %ls V", a);
		widen_ascii(b, 32, cg_mode_name(st->mode));
		fmt_tenths(a, 32, st->current_da, true);
		field(it, false, L"%ls %ls A", b, a);
		field(it, false, L"SOC %u %%", st->soc_pct);
		fmt_tenths(a, 32, st->t1_dc, false);
		fmt_tenths(b, 32, st->t2_dc, false);
		field(it, false, L"T1 %ls %ls", a, deg);
		field(it, false, L"T2 %ls %ls", b, deg);
		if (st->has_protection) {
			fmt_mv(a, 32, st->discharge_end_mv);
			field(it, false, L"discharge-end %ls V", a);
			field(it, false, L"charge prot %ls",
			      st->charge_protect ? L"ON" : L"off");
			field(it, false, L"discharge prot %ls",
			      st->discharge_protect ? L"ON" : L"off");
		} else {
			field(it, false, L"no protection fields (before V1.26)");
		}
		break;
	}
	case CG_REC_IMPEDANCE: {
		const struct cg_impedance *imp = &rec.u.impedance;

		widen_ascii(b, 32, cg_mode_name(imp->mode));
		fmt_tenths(a, 32, imp->current_da, true);
		field(it, false, L"%ls %ls A", b, a);
		field(it, false, L"%u cells, %ls:", imp->count,
		      glyph(L"m\u03a9", L"mOhm"));
		for (unsigned k = 0; k < imp->count && k < CG_MAX_CELLS; k++) {
			fmt_tenths(a, 32, imp->impedance_dmohm[k], false);
			field(it, k > 0, L"%ls", a);
		}
		break;
	}
	case CG_REC_TYPES:
		break;
	}
}

/* One frame: its bytes in hex (never raw), its fields beside them when
 * there is room, else below. Returns the line after it. */
static int draw_frame(const wchar_t *name, const struct cg_frame *fr, int y,
		      int bottom)
{
	static struct items fields;
	int len = fr->len <= CG_FRAME_MAX ? fr->len : CG_FRAME_MAX;
	int per_line = 16, hex_lines, dx, dy, dl;
	wchar_t title[TEXT_MAX];
	bool beside;

	if (COLS < per_line * 3 - 1 + 2 + DECODED_MIN_W) {
		per_line = (COLS + 1) / 3 / 4 * 4;
		if (per_line > 16)
			per_line = 16;
		if (per_line < 4)
			per_line = 4;
	}
	beside = COLS >= per_line * 3 - 1 + 2 + DECODED_MIN_W;
	hex_lines = len ? div_up(len, per_line) : 1;

	swprintf(title, TEXT_MAX, L"%ls, %d bytes", name, len);
	put(y++, 0, COLS, A_BOLD, 0, title);
	for (int line = 0; line < hex_lines && y + line < bottom; line++) {
		wchar_t hex[16 * 3 + 1];
		int n = 0;

		for (int k = line * per_line; k < len && k < (line + 1) * per_line;
		     k++)
			n += swprintf(hex + n, 4, n ? L" %02X" : L"%02X",
				      fr->bytes[k]);
		hex[n] = L'\0';
		put(y + line, 0, COLS, A_NORMAL, 0, hex);
	}

	decoded_items(fr, &fields);
	dx = beside ? per_line * 3 - 1 + 2 : 0;
	dy = beside ? y : y + hex_lines;
	dl = place_items_at(&fields, 0, dx, COLS - dx, true, dy, bottom);
	return (dy + dl > y + hex_lines ? dy + dl : y + hex_lines);
}

/* The inspector's lines from y on, as if the screen had no bottom (put()
 * clips). Returns the line after the last. */
static int inspector_body(const struct cg_view *v, int y)
{
	static const wchar_t *const type_names[CG_REC_TYPES] = {
		L"last 0x56 cells", L"last 0x57 status", L"last 0x58 impedance"
	};
	static struct items counters;
	const struct cg_inspect *in = v->inspect;
	const int no_bottom = INT_MAX / 2;

	inspector_counters(v, &counters);
	y += place_items_at(&counters, 0, 0, COLS, true, y, no_bottom);
	for (int t = 0; t < CG_REC_TYPES; t++) {
		if (!in || !in->have_last[t]) {
			wchar_t none[TEXT_MAX];

			swprintf(none, TEXT_MAX, L"%ls: none yet",
				 type_names[t]);
			put(y++, 0, COLS, A_DIM, 0, none);
			continue;
		}
		y = draw_frame(type_names[t], &in->last[t], y, no_bottom);
	}
	return y;
}

/*
 * Key i: counters, firmware and the last frame of each type. A 24-cell
 * unit's frames do not fit 24 lines, so below the title the body scrolls
 * (arrows, PgUp/PgDn, Home/End), and the title says where it stands.
 */
static void draw_inspector(const struct cg_view *v, int bottom)
{
	wchar_t title[TEXT_MAX];
	int total;

	/* Measure first (nothing drawn), so the scroll can be clamped. */
	tui.clip_top = tui.clip_bottom = 0;
	total = inspector_body(v, 1) - 1;
	tui.scroll_page = bottom - 1 > 1 ? bottom - 1 : 1;
	tui.scroll_max = total > tui.scroll_page ? total - tui.scroll_page : 0;
	if (tui.scroll > tui.scroll_max)
		tui.scroll = tui.scroll_max;

	tui.origin = tui.scroll;
	tui.clip_top = 1;
	tui.clip_bottom = bottom;
	inspector_body(v, 1);
	tui.origin = 0;
	tui.clip_top = 0;
	tui.clip_bottom = INT_MAX;

	if (tui.scroll_max == 0)
		swprintf(title, TEXT_MAX, L"Inspector (i to return)");
	else
		swprintf(title, TEXT_MAX, L"Inspector (i to return; lines %d-%d "
			 "of %d: arrows, PgUp/PgDn, g/G scroll)",
			 tui.scroll + 1, tui.scroll + tui.scroll_page, total);
	put(0, 0, COLS, A_BOLD, 0, title);
}

void cg_tui_scroll(enum cg_key_action action)
{
	int to = tui.scroll;

	switch (action) {
	case CG_KEY_LINE_UP:
		to--;
		break;
	case CG_KEY_LINE_DOWN:
		to++;
		break;
	case CG_KEY_PAGE_UP:
		to -= tui.scroll_page;
		break;
	case CG_KEY_PAGE_DOWN:
		to += tui.scroll_page;
		break;
	case CG_KEY_TOP:
		to = 0;
		break;
	case CG_KEY_BOTTOM:
		to = tui.scroll_max;
		break;
	default:
		return;
	}
	tui.scroll = to < 0 ? 0 : to > tui.scroll_max ? tui.scroll_max : to;
}

/* Follows the terminal's size even when the SIGWINCH was taken by the
 * caller's poll and no key read has run since. */
static void follow_resize(void)
{
	struct winsize ws;
	int fd = tui.tty ? fileno(tui.tty) : STDOUT_FILENO;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
}

void cg_tui_draw(const struct cg_view *view)
{
	static struct items items; /* large; one screen at a time */
	wchar_t diag[DIAG_LINES_MAX][TEXT_MAX];
	struct layout l;
	struct scale s;
	int nd, body;

	if (!tui.screen || !view || !view->pack)
		return;
	follow_resize();
	erase();

	s = bar_scale(view);
	build_items(view, &s, &items);
	/* The link doctor's advice takes lines from the table, above the
	 * status line, where it cannot be missed. */
	nd = diagnosis_lines(view, diag);
	body = LINES - 1 - nd;

	if ((view->show_events || view->show_inspector) && COLS >= MIN_COLS &&
	    LINES >= MIN_LINES) {
		if (view->show_inspector)
			draw_inspector(view, body);
		else
			draw_events(view, body);
		draw_diagnosis(body, diag, nd);
		draw_status_line(view);
	} else if (!choose_layout(view, &items, COLS, LINES - nd, &l)) {
		draw_too_small(view, &items);
	} else {
		int top = l.fig_lines;

		/* A blank line between figures and table, when there is room. */
		if (top > 0 && top + 1 + l.rows + 2 + nd <= LINES)
			top++;
		place_items(&items, l.level, COLS, true, 0);
		if (have(view->pack, CG_REC_CELLS) && view->pack->wired)
			draw_cells(view, &l, &s, top);
		else
			put(top, 0, COLS, A_DIM, 0,
			    L"waiting for cell voltages (0x56 frames)");
		draw_diagnosis(body, diag, nd);
		draw_status_line(view);
	}
	if (view->help)
		draw_help();
	attr_set(A_NORMAL, 0, NULL);
	refresh();
}

/* ---- Keys ----------------------------------------------------------- */

/* A closed SSH session or terminal window leaves the key fd readable
 * forever with nothing to read: without this the caller's poll would spin
 * (and a ppoll that always finds a ready fd never delivers the SIGHUP). */
static bool terminal_gone(void)
{
	struct pollfd pfd = {
		.fd = tui.tty ? fileno(tui.tty) : STDIN_FILENO,
		.events = POLLIN,
	};

	return poll(&pfd, 1, 0) == 1 &&
	       (pfd.revents & (POLLHUP | POLLERR | POLLNVAL));
}

enum cg_key_action cg_tui_key(void)
{
	int ch;

	if (!tui.screen)
		return CG_KEY_NONE;
	/* Skip keys that mean nothing here so they do not pile up. */
	while ((ch = getch()) != ERR) {
		switch (ch) {
		case 'q':
		case 'Q':
			return CG_KEY_QUIT;
		case '?':
		case 'h':
		case 'H':
			return CG_KEY_HELP;
		case 'p':
		case 'P':
			return CG_KEY_PAUSE;
		case 'r':
		case 'R':
			return CG_KEY_RESET;
		case 'z':
		case 'Z':
			return CG_KEY_ZOOM;
		case 'e':
		case 'E':
			return CG_KEY_EVENTS;
		case 'i':
		case 'I':
			return CG_KEY_INSPECTOR;
		case '+':
		case '>':
		case '=': /* + without shift on most layouts */
			return CG_KEY_FASTER;
		case '-':
		case '<':
			return CG_KEY_SLOWER;
		case KEY_UP:
			return CG_KEY_LINE_UP;
		case KEY_DOWN:
			return CG_KEY_LINE_DOWN;
		case KEY_PPAGE:
			return CG_KEY_PAGE_UP;
		case KEY_NPAGE:
		case ' ':
			return CG_KEY_PAGE_DOWN;
		case KEY_HOME:
		case 'g': /* as in less */
			return CG_KEY_TOP;
		case KEY_END:
		case 'G':
			return CG_KEY_BOTTOM;
		case KEY_RESIZE:
			return CG_KEY_RESIZE;
		default:
			break;
		}
	}
	if (terminal_gone())
		return CG_KEY_QUIT;
	return CG_KEY_NONE;
}

/* ---- Bell ----------------------------------------------------------- */

void cg_tui_bell(void)
{
	if (!tui.screen)
		return;
	/* beep() falls back to flash() where the terminal has no bell. */
	beep();
}

/* ---- Start and stop ------------------------------------------------- */

static void init_colors(void)
{
	short bg = COLOR_BLACK;

	start_color();
	if (use_default_colors() == OK)
		bg = -1; /* keep the terminal's own background */
	init_pair(PAIR_HIGH, COLOR_RED, bg);
	init_pair(PAIR_LOW, COLOR_CYAN, bg);
	init_pair(PAIR_BAR, COLOR_GREEN, bg);
	init_pair(PAIR_WARN, COLOR_YELLOW, bg);
	init_pair(PAIR_ALERT, COLOR_RED, bg);
}

/*
 * Home and End as common terminals send them, whatever the terminfo of
 * TERM says: PuTTY and tmux send ESC [1~ and ESC [4~ under TERM=xterm,
 * whose terminfo expects ESC OH and ESC OF. Sequences TERM already binds
 * are left alone.
 */
static void define_home_end(void)
{
	static const struct {
		const char *sequence;
		int key;
	} keys[] = {
		{ "\033[1~", KEY_HOME }, { "\033[4~", KEY_END },
		{ "\033[7~", KEY_HOME }, { "\033[8~", KEY_END },
		{ "\033[H", KEY_HOME },  { "\033[F", KEY_END },
		{ "\033OH", KEY_HOME },  { "\033OF", KEY_END },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (key_defined(keys[i].sequence) == 0)
			define_key(keys[i].sequence, keys[i].key);
}

int cg_tui_start(const struct cg_tui_options *options, struct cg_error *err)
{
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");
	FILE *out = stdout, *in = stdin;
	char *cup;

	if (tui.screen)
		return tui.tty ? fileno(tui.tty) : STDIN_FILENO;

	setlocale(LC_ALL, "");
	/* Figures are formatted by hand; keep any printf elsewhere in the
	 * program writing "3.5", not "3,5", whatever the user's locale. */
	setlocale(LC_NUMERIC, "C");
	tui.utf8 = !(options && options->ascii) &&
		   strcmp(nl_langinfo(CODESET), "UTF-8") == 0;

	if (!term || !*term) {
		cg_error_set(err, EX_UNAVAILABLE, "TERM is not set, so the "
			     "table cannot be drawn: use --json, or set TERM "
			     "(e.g. TERM=xterm-256color)");
		return -1;
	}
	if (strcmp(term, "dumb") == 0) {
		cg_error_set(err, EX_UNAVAILABLE, "TERM=dumb cannot draw the "
			     "table: use --json, or set TERM=xterm-256color");
		return -1;
	}

	/* PORT "-" reads the BMS from stdin; keys then come from the tty. */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		tui.tty = fopen("/dev/tty", "r+");
		if (!tui.tty) {
			cg_error_set(err, EX_UNAVAILABLE, "no terminal to "
				     "draw the table on (/dev/tty: %s): use "
				     "--json", strerror(errno));
			return -1;
		}
		out = in = tui.tty;
	}

	tui.screen = newterm(NULL, out, in);
	if (!tui.screen) {
		cg_error_set(err, EX_UNAVAILABLE, "cannot use terminal type "
			     "\"%s\": use --json, or set TERM=xterm-256color",
			     term);
		cg_tui_stop();
		return -1;
	}
	set_term(tui.screen);

	cup = tigetstr("cup");
	if (!cup || cup == (char *)-1) {
		cg_tui_stop();
		cg_error_set(err, EX_UNAVAILABLE, "TERM=%s cannot move the "
			     "cursor, so the table cannot be drawn: use "
			     "--json, or set TERM=xterm-256color", term);
		return -1;
	}

	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	define_home_end();
	nodelay(stdscr, TRUE);
	curs_set(0);

	tui.color = has_colors() && !(options && options->no_color) &&
		    !(no_color && *no_color);
	if (tui.color)
		init_colors();

	return tui.tty ? fileno(tui.tty) : STDIN_FILENO;
}

void cg_tui_stop(void)
{
	if (tui.screen) {
		endwin();
		delscreen(tui.screen);
		tui.screen = NULL;
	}
	if (tui.tty) {
		fclose(tui.tty);
		tui.tty = NULL;
	}
}
