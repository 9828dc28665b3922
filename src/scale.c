/*
 * scale: the ends of the bars and the eighth-block arithmetic (scale.h).
 */
#include "scale.h"

#include "chem.h"

static const wchar_t *guess_name(enum cg_chem chem)
{
	switch (chem) {
	case CG_CHEM_LTO:
		return L"LTO guess";
	case CG_CHEM_LFP:
		return L"LiFePO4 guess";
	case CG_CHEM_LIION:
	case CG_CHEM_UNKNOWN:
		break;
	}
	return L"Li-ion guess";
}

struct cg_scale cg_scale_guess(unsigned avg_mv)
{
	struct cg_chem_guess g = cg_chem_guess(0, avg_mv);

	return (struct cg_scale){ g.low_mv, g.high_mv, guess_name(g.chem),
				  false };
}

static bool have(const struct cg_pack *p, enum cg_record_type t)
{
	return p && p->have[t];
}

struct cg_scale cg_scale_for(const struct cg_pack *p, bool zoom)
{
	struct cg_scale s, guess;
	bool status = have(p, CG_REC_STATUS);

	guess = cg_scale_guess(have(p, CG_REC_CELLS) ? p->average_mv : 0);

	if (zoom && have(p, CG_REC_CELLS) && p->counted > 0) {
		unsigned lo = p->cells.mv[p->low_index];
		unsigned hi = p->cells.mv[p->high_index];
		unsigned margin = (hi - lo) / 8;

		if (margin < 2)
			margin = 2;
		/* An even spread still needs room to show a change, and a
		 * millivolt of noise must not fill a bar. */
		while (hi - lo + 2 * margin < CG_ZOOM_MIN_SPAN_MV)
			margin++;
		s.lo_mv = lo > margin ? lo - margin : 0;
		s.hi_mv = hi + margin;
		s.name = L"zoom";
		s.zoom = true;
		return s;
	}

	s = guess;
	if (status && p->status.charge_end_mv > 0)
		s.hi_mv = p->status.charge_end_mv;
	if (s.lo_mv >= s.hi_mv)
		return guess;
	if (status && p->status.has_protection &&
	    p->status.discharge_end_mv > 0) {
		s.lo_mv = p->status.discharge_end_mv;
	} else if (status && p->status.charge_end_mv > 0) {
		/* The low end the alarms guess too (chem.h: from the
		 * charge-end), so the bars and "LO (guessed)" agree. */
		s.lo_mv = cg_chem_guess(p->status.charge_end_mv, 0).low_mv;
	}
	if (s.lo_mv >= s.hi_mv)
		return guess;
	if (s.hi_mv != guess.hi_mv || s.lo_mv != guess.lo_mv) {
		bool both = status && p->status.has_protection;
		s.name = both ? L"BMS ends" : L"BMS charge-end, low end guessed";
	}
	return s;
}

unsigned long cg_scale_eighths(unsigned mv, const struct cg_scale *s, int w)
{
	unsigned span = s->hi_mv - s->lo_mv;

	if (mv <= s->lo_mv)
		return 0;
	if (mv >= s->hi_mv)
		return (unsigned long)w * 8;
	return ((unsigned long)(mv - s->lo_mv) * (unsigned long)w * 8 +
		span / 2) / span;
}

bool cg_scale_blurs(const struct cg_pack *p, const struct cg_scale *s, int w)
{
	if (w < 1 || !have(p, CG_REC_CELLS))
		return false;
	for (unsigned i = 0; i < p->wired && i < CG_MAX_CELLS; i++) {
		if (!cg_pack_cell_counted(p, i))
			continue;
		for (unsigned j = i + 1; j < p->wired && j < CG_MAX_CELLS; j++) {
			if (!cg_pack_cell_counted(p, j) ||
			    p->cells.mv[i] == p->cells.mv[j])
				continue;
			if (cg_scale_eighths(p->cells.mv[i], s, w) ==
			    cg_scale_eighths(p->cells.mv[j], s, w))
				return true;
		}
	}
	return false;
}

struct cg_scale cg_scale_pick(const struct cg_pack *p,
			      enum cg_scale_choice choice, int w)
{
	struct cg_scale ends = cg_scale_for(p, false);

	if (choice == CG_SCALE_ENDS)
		return ends;
	if (choice == CG_SCALE_ZOOM || cg_scale_blurs(p, &ends, w))
		return cg_scale_for(p, true);
	return ends;
}

enum cg_scale_choice cg_scale_toggle(const struct cg_scale *shown)
{
	return shown->zoom ? CG_SCALE_ENDS : CG_SCALE_ZOOM;
}
