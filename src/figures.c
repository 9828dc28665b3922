/*
 * figures: the pack figures above the cell table, as items the layout
 * packs into lines (screens.h): voltages, current, SOC, temperatures,
 * protection, ages, the bar scale, impedances, limits.
 */
#include "figures.h"

#include <string.h>

static void voltage_items(const struct cg_view *v, struct cg_items *it)
{
	const struct cg_pack *p = v->pack;
	bool known = cg_view_have(p, CG_REC_CELLS) && p->counted > 0;
	bool mark = cg_view_marks_extremes(p);
	wchar_t a[32], b[32];
	struct cg_item *i;

	i = cg_items_add(it, 0, true, CG_A_NORMAL, 0);
	cg_fmt_volts(i->text, L"Total", known, p->total_mv);
	i = cg_items_add(it, 0, false, CG_A_NORMAL, 0);
	cg_fmt_volts(i->text, L"Avg", known, p->average_mv);

	i = cg_items_add(it, 0, false, mark ? CG_A_BOLD : CG_A_NORMAL, CG_ROLE_HIGH);
	if (known) {
		cg_fmt_mv(a, 32, p->cells.mv[p->high_index]);
		swprintf(i->text, CG_TEXT_MAX, L"%ls #%u %ls V",
			 cg_crt_glyph(L"\u25b2 High", L"^ High"),
			 p->high_index + 1u, a);
	} else {
		wcscpy(i->text, L"High --");
	}

	i = cg_items_add(it, 0, false, mark ? CG_A_BOLD : CG_A_NORMAL, CG_ROLE_LOW);
	if (known) {
		cg_fmt_mv(b, 32, p->cells.mv[p->low_index]);
		swprintf(i->text, CG_TEXT_MAX, L"%ls #%u %ls V",
			 cg_crt_glyph(L"\u25bc Low", L"v Low"), p->low_index + 1u, b);
	} else {
		wcscpy(i->text, L"Low --");
	}

	/* Past the delta limit: a word and reverse video, not colour alone. */
	if (known && v->alarms && v->alarms->delta) {
		i = cg_items_add(it, 0, false, CG_A_BOLD | CG_A_REVERSE, CG_ROLE_ALERT);
		swprintf(i->text, CG_TEXT_MAX, L"Delta %u mV !ALARM", p->delta_mv);
	} else {
		i = cg_items_add(it, 0, false, CG_A_BOLD, 0);
		if (known)
			swprintf(i->text, CG_TEXT_MAX, L"Delta %u mV",
				 p->delta_mv);
		else
			wcscpy(i->text, L"Delta -- mV");
	}
}

/* The alarm limits in force, so a marked cell can be read against them. */
static void limits_item(const struct cg_view *v, struct cg_items *it)
{
	const struct cg_alarms *al = v->alarms;
	wchar_t hi[24], lo[24], delta[24];
	struct cg_item *i;

	if (!al)
		return;
	cg_fmt_limit(hi, 24, al->high_mv, true);
	cg_fmt_limit(lo, 24, al->low_mv, true);
	cg_fmt_limit(delta, 24, al->delta_mv, false);
	i = cg_items_add(it, 2, false, CG_A_NORMAL, 0);
	/* HI and LO as on the marked cells (and not the words the high and
	 * low cell markers use). */
	swprintf(i->text, CG_TEXT_MAX, L"limits: HI %ls  LO %ls  delta %ls", hi,
		 lo, delta);
}

/* The worst spread seen since start or the last reset (key r). */
static void worst_item(const struct cg_view *v, struct cg_items *it)
{
	const struct cg_pack *p = v->pack;
	struct cg_item *i;

	if (!cg_view_have(p, CG_REC_CELLS) || p->session_worst_delta_mv == 0)
		return;
	i = cg_items_add(it, 2, false, CG_A_NORMAL, 0);
	if (v->worst_delta_wall_ms) {
		wchar_t at[16];

		cg_fmt_clock(at, 16, v->worst_delta_wall_ms);
		swprintf(i->text, CG_TEXT_MAX, L"worst delta %u mV at %ls",
			 p->session_worst_delta_mv, at);
	} else {
		swprintf(i->text, CG_TEXT_MAX, L"worst delta %u mV",
			 p->session_worst_delta_mv);
	}
}

static void status_items(const struct cg_view *v, struct cg_items *it)
{
	const struct cg_pack *p = v->pack;
	const struct cg_status *st = &p->status;
	bool known = cg_view_have(p, CG_REC_STATUS);
	const wchar_t *deg = cg_crt_glyph(L"\u00b0C", L"C");
	wchar_t a[32], b[32];
	struct cg_item *i;

	i = cg_items_add(it, 0, true, CG_A_NORMAL, 0);
	if (known) {
		const char *mode = cg_mode_name(st->mode);
		wchar_t m[16];

		cg_widen_ascii(m, 16, mode);
		cg_fmt_tenths(a, 32, st->current_da, true);
		swprintf(i->text, CG_TEXT_MAX, L"Current %ls A %ls", a, m);
	} else {
		wcscpy(i->text, L"Current -- A");
	}

	i = cg_items_add(it, 0, false, CG_A_NORMAL, 0);
	if (known)
		swprintf(i->text, CG_TEXT_MAX, L"SOC %u %%", st->soc_pct);
	else
		wcscpy(i->text, L"SOC -- %");

	i = cg_items_add(it, 1, false, CG_A_NORMAL, 0);
	if (known) {
		cg_fmt_tenths(a, 32, st->t1_dc, false);
		cg_fmt_tenths(b, 32, st->t2_dc, false);
		swprintf(i->text, CG_TEXT_MAX, L"T1 %ls %ls  T2 %ls %ls", a, deg,
			 b, deg);
	} else {
		swprintf(i->text, CG_TEXT_MAX, L"T1 -- %ls  T2 -- %ls", deg, deg);
	}

	if (cg_view_have(p, CG_REC_CELLS) && p->cells.has_energy) {
		i = cg_items_add(it, 1, false, CG_A_NORMAL, 0);
		swprintf(i->text, CG_TEXT_MAX, L"%lu.%03lu Ah  %lu.%03lu Wh",
			 (unsigned long)(p->cells.charge_mah / 1000),
			 (unsigned long)(p->cells.charge_mah % 1000),
			 (unsigned long)(p->cells.energy_mwh / 1000),
			 (unsigned long)(p->cells.energy_mwh % 1000));
	} else {
		i = cg_items_add(it, 2, false, CG_A_NORMAL, 0);
		wcscpy(i->text, L"-- Ah  -- Wh");
	}
}

static void protection_items(const struct cg_view *v, struct cg_items *it)
{
	const struct cg_pack *p = v->pack;
	const struct cg_status *st = &p->status;
	bool known = cg_view_have(p, CG_REC_STATUS);
	bool prot = known && st->has_protection;
	struct cg_item *i;

	i = cg_items_add(it, 1, true, CG_A_NORMAL, 0);
	cg_fmt_volts(i->text, L"Charge-end", known, st->charge_end_mv);
	i = cg_items_add(it, 1, false, CG_A_NORMAL, 0);
	cg_fmt_volts(i->text, L"Discharge-end", prot, st->discharge_end_mv);

	/* An active protection is the one figure that must jump out. */
	if (!prot) {
		i = cg_items_add(it, 1, false, CG_A_NORMAL, 0);
		wcscpy(i->text, L"Protection --");
	} else if (!st->charge_protect && !st->discharge_protect) {
		i = cg_items_add(it, 1, false, CG_A_NORMAL, 0);
		wcscpy(i->text, L"Protection: none active");
	} else {
		i = cg_items_add(it, 0, false, CG_A_BOLD | CG_A_REVERSE, CG_ROLE_ALERT);
		swprintf(i->text, CG_TEXT_MAX, L"%ls protection ACTIVE",
			 !st->discharge_protect ? L"Charge" :
			 !st->charge_protect	 ? L"Discharge" :
						   L"Charge and discharge");
	}
}

static void impedance_summary(const struct cg_view *v, struct cg_items *it,
			      bool new_line)
{
	const struct cg_pack *p = v->pack;
	const struct cg_impedance *imp = &p->impedance;
	unsigned long sum = 0;
	unsigned n = 0, worst = 0, worst_i = 0;
	wchar_t a[32], b[32];
	struct cg_item *i;

	if (!cg_view_have(p, CG_REC_IMPEDANCE))
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
	cg_fmt_tenths(a, 32, (long)((sum + n / 2) / n), false);
	cg_fmt_tenths(b, 32, (long)worst, false);
	i = cg_items_add(it, 2, new_line, CG_A_NORMAL, 0);
	swprintf(i->text, CG_TEXT_MAX, L"Impedance avg %ls, max %ls %ls #%u", a,
		 b, cg_crt_glyph(L"m\u03a9", L"mOhm"), worst_i + 1);
}

static void age_item(const struct cg_view *v, struct cg_items *it,
		     enum cg_record_type t, const wchar_t *name, bool new_line,
		     bool periodic)
{
	const struct cg_pack *p = v->pack;
	wchar_t a[32];
	struct cg_item *i;

	if (!cg_view_have(p, t)) {
		i = cg_items_add(it, periodic ? 1 : 2, new_line, CG_A_DIM, 0);
		swprintf(i->text, CG_TEXT_MAX, L"%ls never", name);
		return;
	}
	cg_fmt_age(a, 32, v->now_ms, p->at_ms[t]);
	if (periodic && cg_view_stale(v, t)) {
		i = cg_items_add(it, 0, new_line, CG_A_BOLD | CG_A_REVERSE, CG_ROLE_WARN);
		swprintf(i->text, CG_TEXT_MAX, L"STALE %ls %ls ago", name, a);
		return;
	}
	i = cg_items_add(it, 1, new_line, CG_A_NORMAL, 0);
	swprintf(i->text, CG_TEXT_MAX, L"%ls %ls ago", name, a);
}

/* The end values are over the bars; this says where they come from. */
static void scale_item(struct cg_items *it, const struct cg_scale *s)
{
	struct cg_item *i = cg_items_add(it, 1, false, CG_A_NORMAL, 0);

	swprintf(i->text, CG_TEXT_MAX, L"bars: %ls", s->name);
}

void cg_figures_build(const struct cg_view *v, const struct cg_scale *s,
		      struct cg_items *it)
{
	it->n = 0;
	voltage_items(v, it);
	status_items(v, it);
	protection_items(v, it);
	age_item(v, it, CG_REC_CELLS, L"cells", true, true);
	age_item(v, it, CG_REC_STATUS, L"status", false, true);
	age_item(v, it, CG_REC_IMPEDANCE, L"impedance", false, false);
	if (cg_view_have(v->pack, CG_REC_CELLS))
		scale_item(it, s);
	impedance_summary(v, it, false);
	worst_item(v, it);
	limits_item(v, it);
}
