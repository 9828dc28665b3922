/*
 * figures: the pack figures above the cell table, as items the layout
 * packs into lines (screens.h): voltages, current, SOC, temperatures,
 * protection, ages, the bar scale, impedances, limits.
 */
#include "figures.h"

#include <string.h>

/* The cells of mask as "#3 #10", at most shown of them and "+N" for the
 * rest; fallback (0-based) when the mask is empty. */
static void fmt_cell_list(wchar_t *buf, size_t cap, uint32_t mask,
			  unsigned fallback, int shown)
{
	size_t n = 0;
	int listed = 0, more = 0;

	buf[0] = L'\0';
	if (!mask)
		mask = UINT32_C(1) << (fallback & 31u);
	for (unsigned i = 0; i < 32 && n + 1 < cap; i++) {
		if (!(mask >> i & 1u))
			continue;
		if (listed == shown) {
			more++;
			continue;
		}
		int w = swprintf(buf + n, cap - n, listed ? L" #%u" : L"#%u",
				 i + 1);
		if (w < 0)
			break;
		n += (size_t)w;
		listed++;
	}
	if (more && n + 1 < cap)
		swprintf(buf + n, cap - n, L" +%d", more);
}

/* "High #3 #10 3.320 V": every cell at the value, "+N" past three. */
static void extreme_text(wchar_t *text, const wchar_t *label, uint32_t mask,
			 unsigned index, unsigned mv)
{
	wchar_t cells[48], volts[16];

	fmt_cell_list(cells, 48, mask, index, CG_FIGURES_TIES_SHOWN);
	cg_fmt_mv(volts, 16, mv);
	swprintf(text, CG_TEXT_MAX, L"%ls %ls %ls V", label, cells, volts);
}

/* Wired cells that collapsed under 1 V: an alarm the header names,
 * "LOST #14 (was 3.300 V)", or "LOST #14 #15 +2" for several. */
static void lost_item(const struct cg_view *v, struct cg_items *it)
{
	const struct cg_pack *p = v->pack;
	uint32_t lost = cg_view_have(p, CG_REC_CELLS) ? p->open_mask : 0;
	wchar_t cells[48], was[16];
	struct cg_item *i;

	if (!lost)
		return;
	i = cg_items_add(it, 0, false, CG_A_BOLD | CG_A_REVERSE, CG_ROLE_ALERT);
	fmt_cell_list(cells, 48, lost, 0, CG_FIGURES_TIES_SHOWN);
	if ((lost & (lost - 1)) == 0) {
		unsigned c = (unsigned)__builtin_ctz(lost);

		if (c < CG_MAX_CELLS && p->last_live_mv[c]) {
			cg_fmt_mv(was, 16, p->last_live_mv[c]);
			swprintf(i->text, CG_TEXT_MAX, L"!LOST %ls (was %ls V)",
				 cells, was);
			return;
		}
	}
	swprintf(i->text, CG_TEXT_MAX, L"!LOST %ls", cells);
}

static void voltage_items(const struct cg_view *v, struct cg_items *it)
{
	const struct cg_pack *p = v->pack;
	bool known = cg_view_have(p, CG_REC_CELLS) && p->counted > 0;
	bool mark = cg_view_marks_extremes(p);
	/* Old figures must not pass for live ones: dimmed (and the ages
	 * line says STALE and how old). */
	cg_attr base = cg_view_stale(v, CG_REC_CELLS) ? CG_A_DIM : CG_A_NORMAL;
	cg_attr em = mark ? base | CG_A_BOLD : base;
	wchar_t a[32];
	struct cg_item *i;

	i = cg_items_add(it, 0, true, base, 0);
	cg_fmt_volts(i->text, L"Total", known, p->total_mv);
	i = cg_items_add(it, 0, false, base, 0);
	cg_fmt_volts(i->text, L"Avg", known, p->average_mv);

	i = cg_items_add(it, 0, false, em, CG_ROLE_HIGH);
	if (known)
		extreme_text(i->text, cg_crt_glyph(L"\u25b2 High", L"^ High"),
			     p->high_mask, p->high_index,
			     p->cells.mv[p->high_index]);
	else
		wcscpy(i->text, L"High --");

	i = cg_items_add(it, 0, false, em, CG_ROLE_LOW);
	if (known)
		extreme_text(i->text, cg_crt_glyph(L"\u25bc Low", L"v Low"),
			     p->low_mask, p->low_index,
			     p->cells.mv[p->low_index]);
	else
		wcscpy(i->text, L"Low --");

	/* Past the delta limit: a word and reverse video, not colour alone. */
	if (known && v->alarms && v->alarms->delta) {
		i = cg_items_add(it, 0, false, CG_A_BOLD | CG_A_REVERSE, CG_ROLE_ALERT);
		swprintf(i->text, CG_TEXT_MAX, L"Delta %u mV !ALARM", p->delta_mv);
	} else {
		i = cg_items_add(it, 0, false, base | CG_A_BOLD, 0);
		if (known && base == CG_A_DIM) {
			cg_fmt_age(a, 32, v->now_ms, p->at_ms[CG_REC_CELLS]);
			swprintf(i->text, CG_TEXT_MAX, L"Delta %u mV, %ls old",
				 p->delta_mv, a);
		} else if (known)
			swprintf(i->text, CG_TEXT_MAX, L"Delta %u mV",
				 p->delta_mv);
		else
			wcscpy(i->text, L"Delta -- mV");
	}
	lost_item(v, it);
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
	swprintf(i->text, CG_TEXT_MAX, L"limits: HI %ls  LO %ls%ls  delta %ls",
		 hi, lo, al->low_mv && al->low_guessed ? L" (guessed)" : L"",
		 delta);
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
	cg_attr base = cg_view_stale(v, CG_REC_STATUS) ? CG_A_DIM : CG_A_NORMAL;
	const wchar_t *deg = cg_crt_glyph(L"\u00b0C", L"C");
	wchar_t a[32], b[32];
	struct cg_item *i;

	i = cg_items_add(it, 0, true, base, 0);
	if (known && st->has_mode) {
		const char *mode = cg_mode_name(st->mode);
		wchar_t m[16];

		cg_widen_ascii(m, 16, mode);
		cg_fmt_tenths(a, 32, st->current_da, true);
		swprintf(i->text, CG_TEXT_MAX, L"Current %ls A %ls", a, m);
	} else if (known) {
		/* Before V1.21: a magnitude, no sign and no mode to show. */
		cg_fmt_tenths(a, 32, st->current_da, false);
		swprintf(i->text, CG_TEXT_MAX, L"Current %ls A, direction unknown",
			 a);
	} else {
		wcscpy(i->text, L"Current -- A");
	}
	if (known && base == CG_A_DIM) {
		size_t n = wcslen(i->text);

		cg_fmt_age(b, 32, v->now_ms, p->at_ms[CG_REC_STATUS]);
		swprintf(i->text + n, CG_TEXT_MAX - n, L", %ls old", b);
	}
	if (known && !st->has_mode) {
		i = cg_items_add(it, 2, false, base, 0);
		i->tight = true;
		wcscpy(i->text, L"(firmware before V1.21)");
	}

	/* From whichever frame brought one last (pack.h). */
	i = cg_items_add(it, 0, false,
			 p->have_soc && !cg_pack_soc_fresh(p, v->now_ms) ?
				 CG_A_DIM : CG_A_NORMAL, 0);
	if (p->have_soc)
		swprintf(i->text, CG_TEXT_MAX, L"SOC %u %%", p->soc_pct);
	else
		wcscpy(i->text, L"SOC -- %");

	i = cg_items_add(it, 1, false, base, 0);
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

/* "Impedance avg 99.9, max 99.9 mOhm #24": room for it before it comes. */
#define IMPEDANCE_RESERVE 37
/* " 10 min ago" after the name: an age that grows moves nothing. */
#define AGE_RESERVE 11
#define SCALE_RESERVE 20 /* "bars: LiFePO4 guess" */

static void impedance_summary(const struct cg_view *v, struct cg_items *it,
			      bool new_line)
{
	const struct cg_pack *p = v->pack;
	const struct cg_impedance *imp = &p->impedance;
	unsigned long sum = 0;
	unsigned n = 0, worst = 0, worst_i = 0;
	wchar_t a[32], b[32];
	struct cg_item *i;

	if (!cg_view_have(p, CG_REC_IMPEDANCE)) {
		/* Its place, so the figures do not move when it comes. */
		if (!cg_figures_expect_impedance(v))
			return;
		i = cg_items_add(it, 2, new_line, CG_A_DIM, 0);
		i->reserve = IMPEDANCE_RESERVE;
		swprintf(i->text, CG_TEXT_MAX, L"Impedance avg --, max -- %ls",
			 cg_crt_glyph(L"m\u03a9", L"mOhm"));
		return;
	}
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
	i->reserve = IMPEDANCE_RESERVE;
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
		/* An impedance the firmware will send has its place already. */
		bool coming = t == CG_REC_IMPEDANCE && cg_figures_expect_impedance(v);

		i = cg_items_add(it, periodic || coming ? 1 : 2, new_line, CG_A_DIM, 0);
		i->reserve = (int)wcslen(name) + AGE_RESERVE;
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
	i->reserve = (int)wcslen(name) + AGE_RESERVE;
	swprintf(i->text, CG_TEXT_MAX, L"%ls %ls ago", name, a);
}

/* The end values are over the bars; this says where they come from. */
static void scale_item(struct cg_items *it, const struct cg_scale *s)
{
	/* A zoomed bar magnifies: it must say so even on a small screen. */
	struct cg_item *i = cg_items_add(it, s->zoom ? 0 : 1, false,
					 CG_A_NORMAL, 0);

	i->reserve = SCALE_RESERVE; /* zoom and ends take the same room */
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

bool cg_figures_expect_impedance(const struct cg_view *v)
{
	const struct cg_firmware_seen *fw = v->inspect ? &v->inspect->firmware
						       : NULL;

	return cg_view_have(v->pack, CG_REC_IMPEDANCE) ||
	       (fw && ((fw->status_known && fw->status_protection) ||
		       (fw->cells_known && fw->cells_energy)));
}

struct cg_layout_need cg_figures_need(const struct cg_view *v)
{
	const struct cg_pack *p = v->pack;
	bool cells = cg_view_have(p, CG_REC_CELLS) && p->wired > 0;
	struct cg_layout_need need = {
		.wired_rows = cells ? p->wired : 1, /* 1: the "waiting" line */
		.unwired_rows = cells && p->cells.count > p->wired
					? p->cells.count - p->wired
					: 0,
		.impedance = cg_figures_expect_impedance(v),
		.trend = v->hist != NULL,
	};

	return need;
}

cg_attr cg_figures_summary(const struct cg_view *v, int width,
			   wchar_t out[CG_TEXT_MAX])
{
	const struct cg_pack *p = v->pack;
	bool stale = cg_view_stale(v, CG_REC_CELLS);
	wchar_t total[16], hi[16], lo[16], age[32] = L"", lost[64] = L"";
	wchar_t his[48], los[48];
	const wchar_t *up = cg_crt_glyph(L"\u25b2", L"^");
	const wchar_t *down = cg_crt_glyph(L"\u25bc", L"v");
	unsigned h, l;

	if (!cg_view_have(p, CG_REC_CELLS) || p->counted == 0) {
		swprintf(out, CG_TEXT_MAX, L"%ls",
			 width >= 24 ? L"waiting for cell voltages" : L"no cells yet");
		return CG_A_DIM;
	}
	h = p->high_index + 1u;
	l = p->low_index + 1u;
	cg_fmt_mv(total, 16, p->total_mv);
	cg_fmt_mv(hi, 16, p->cells.mv[p->high_index]);
	cg_fmt_mv(lo, 16, p->cells.mv[p->low_index]);
	fmt_cell_list(his, 48, p->high_mask, p->high_index,
		      CG_FIGURES_TIES_SHOWN);
	fmt_cell_list(los, 48, p->low_mask, p->low_index,
		      CG_FIGURES_TIES_SHOWN);
	if (p->open_mask) {
		wchar_t cells[48];

		fmt_cell_list(cells, 48, p->open_mask, 0, CG_FIGURES_TIES_SHOWN);
		swprintf(lost, 64, L"!LOST %ls  ", cells);
	}
	if (stale) {
		wchar_t a[24];

		cg_fmt_age(a, 24, v->now_ms, p->at_ms[CG_REC_CELLS]);
		swprintf(age, 32, L"  STALE %ls", a);
	}
	/* Longest first; the first that fits wins. */
	for (int form = 0; form < 4; form++) {
		switch (form) {
		case 0:
			swprintf(out, CG_TEXT_MAX,
				 L"%lsPack %ls V  %ls High %ls %ls V  %ls Low %ls %ls V  "
				 L"Delta %u mV%ls",
				 lost, total, up, his, hi, down, los, lo,
				 p->delta_mv, age);
			break;
		case 1:
			swprintf(out, CG_TEXT_MAX,
				 L"%ls%ls V  %ls#%u %ls  %ls#%u %ls  delta %u mV%ls",
				 lost, total, up, h, hi, down, l, lo, p->delta_mv,
				 age);
			break;
		case 2:
			swprintf(out, CG_TEXT_MAX, L"%ls%ls%lsV %ls%u %ls %ls%u %ls d%umV",
				 p->open_mask ? L"!LOST " : L"",
				 stale ? L"STALE " : L"", total, up, h, hi, down,
				 l, lo, p->delta_mv);
			break;
		default: /* 52.919 -> 52.9: the pack cut to a tenth */
			total[wcslen(total) > 2 ? wcslen(total) - 2 : 0] = L'\0';
			swprintf(out, CG_TEXT_MAX, L"%ls%lsV %ls%u %ls %ls%u %ls d%u",
				 stale || p->open_mask ? L"!" : L"", total, up,
				 h, hi, down, l, lo, p->delta_mv);
			break;
		}
		if ((int)wcslen(out) <= width)
			break;
	}
	return stale ? CG_A_DIM : CG_A_NORMAL;
}
