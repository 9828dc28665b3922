/*
 * scale: the ends of the bars and the eighth-block arithmetic (scale.h).
 */
#include "scale.h"

struct cg_scale cg_scale_guess(unsigned avg_mv)
{
	if (avg_mv && avg_mv < 2900)
		return (struct cg_scale){ 1800, 2800, L"LTO guess" };
	if (avg_mv && avg_mv <= 3400)
		return (struct cg_scale){ 2500, 3650, L"LiFePO4 guess" };
	return (struct cg_scale){ 3000, 4200, L"Li-ion guess" };
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
