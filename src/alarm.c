/*
 * alarm: limits per cell and for the spread, with hysteresis on the way
 * back so a cell sitting on a threshold raises one alarm, not one per frame.
 *
 * Limits are worked out again on every update: the user's value wins, else
 * the BMS's own setting from its last 0x57 frame. That way a pack whose
 * charge-end is changed at the BMS moves the alarm with it.
 */
#include "alarm.h"

#include "chem.h"

#include <stdio.h>
#include <string.h>

void cg_alarms_init(struct cg_alarms *alarms)
{
	memset(alarms, 0, sizeof(*alarms));
}

struct changes {
	struct cg_alarm_change *out;
	size_t cap;
	size_t n;
	bool low_guessed;
};

static void note(struct changes *c, enum cg_alarm_kind kind, int cell,
		 bool raised, uint16_t value_mv, uint16_t limit_mv)
{
	if (c->n >= c->cap)
		return; /* the caller's array is full: the state still moves on */
	c->out[c->n++] = (struct cg_alarm_change){
		.kind = kind,
		.cell = cell,
		.raised = raised,
		.value_mv = value_mv,
		.limit_mv = limit_mv,
		.guessed = c->low_guessed && kind == CG_ALARM_LOW,
	};
}

uint16_t cg_alarm_guess_low_mv(const struct cg_pack *pack)
{
	unsigned charge_end = pack->have[CG_REC_STATUS] ?
			      pack->status.charge_end_mv : 0;
	unsigned avg = pack->have[CG_REC_CELLS] && pack->counted ?
		       pack->average_mv : 0;
	struct cg_chem_guess g = cg_chem_guess(charge_end, avg);

	return g.chem == CG_CHEM_UNKNOWN ? 0 : g.low_mv;
}

/* Wired cells under 1 V: raised when one appears, cleared when it reads
 * again, in cell order, before the high and low alarms. */
static void update_lost(struct cg_alarms *a, const struct cg_pack *pack,
			struct changes *c)
{
	uint32_t now = pack->have[CG_REC_CELLS] ? pack->open_mask : 0;
	uint32_t changed = now ^ a->lost_mask;

	while (changed) {
		unsigned i = (unsigned)__builtin_ctz(changed);
		uint32_t bit = UINT32_C(1) << i;

		changed &= changed - 1;
		note(c, CG_ALARM_LOST, (int)i, (now & bit) != 0,
		     pack->cells.mv[i], pack->last_live_mv[i]);
	}
	a->lost_mask = now;
}

static void find_limits(struct cg_alarms *a, const struct cg_alarm_config *config,
			const struct cg_pack *pack)
{
	const struct cg_status *s = &pack->status;
	bool have_status = pack->have[CG_REC_STATUS];

	a->high_mv = config && config->high_mv ? config->high_mv :
		     have_status ? s->charge_end_mv : 0;
	a->low_guessed = false;
	if (config && config->low_mv) {
		a->low_mv = config->low_mv;
	} else if (have_status && s->has_protection) {
		a->low_mv = s->discharge_end_mv;
	} else {
		a->low_mv = cg_alarm_guess_low_mv(pack);
		a->low_guessed = a->low_mv != 0;
	}
	a->delta_mv = config && config->delta_mv ? config->delta_mv :
		      CG_ALARM_DELTA_DEFAULT_MV;
}

/*
 * A raised high alarm clears at limit - hysteresis or below; a low one at
 * limit + hysteresis or above. Limits below the hysteresis cannot clear by
 * subtraction, so they clear at 0 instead of wrapping round.
 */
static bool high_cleared(uint16_t mv, uint16_t limit)
{
	return limit < CG_ALARM_HYSTERESIS_MV ? mv == 0
					      : mv <= limit - CG_ALARM_HYSTERESIS_MV;
}

static bool low_cleared(uint16_t mv, uint16_t limit)
{
	return (uint32_t)mv >= (uint32_t)limit + CG_ALARM_HYSTERESIS_MV;
}

/* The full rule for one counted cell: raise at the limit, clear past the
 * hysteresis. Cells are visited in order, high before low, so events come
 * in the same order however many cells are looked at. */
static void update_cell(struct cg_alarms *a, unsigned i, uint16_t mv,
			struct changes *c)
{
	uint32_t bit = UINT32_C(1) << i;

	/* A limit of 0 is not known: it neither raises nor keeps one (the
	 * caller has cleared its mask). */
	if (a->high_mv) {
		if (!(a->high_mask & bit) && mv >= a->high_mv) {
			a->high_mask |= bit;
			note(c, CG_ALARM_HIGH, (int)i, true, mv, a->high_mv);
		} else if ((a->high_mask & bit) &&
			   high_cleared(mv, a->high_mv)) {
			a->high_mask &= ~bit;
			note(c, CG_ALARM_HIGH, (int)i, false, mv, a->high_mv);
		}
	}
	if (a->low_mv) {
		if (!(a->low_mask & bit) && mv <= a->low_mv) {
			a->low_mask |= bit;
			note(c, CG_ALARM_LOW, (int)i, true, mv, a->low_mv);
		} else if ((a->low_mask & bit) && low_cleared(mv, a->low_mv)) {
			a->low_mask &= ~bit;
			note(c, CG_ALARM_LOW, (int)i, false, mv, a->low_mv);
		}
	}
}

/*
 * Only the cells that can change are looked at: those with an alarm (they
 * may clear) and, when the pack's high or low cell is past a limit, the
 * counted cells (one may be raised). A pack well inside its limits, the
 * usual case, costs a few compares whatever its size.
 */
static void update_cells(struct cg_alarms *a, const struct cg_pack *pack,
			 struct changes *c)
{
	uint32_t counted = 0;

	if (pack->have[CG_REC_CELLS] && pack->wired)
		counted = (UINT32_C(0xffffffff) >> (32 - pack->wired)) &
			  ~pack->open_mask;
	/*
	 * A cell that left the figures (open lead, fewer wired) or a limit
	 * no longer known ends its alarm without an event: there is no
	 * reading that "came back inside", and the table already shows the
	 * open lead.
	 */
	a->high_mask &= a->high_mv ? counted : 0;
	a->low_mask &= a->low_mv ? counted : 0;

	uint32_t visit = a->high_mask | a->low_mask;
	if (pack->counted > 0) {
		const uint16_t *mv = pack->cells.mv;
		if ((a->high_mv && mv[pack->high_index] >= a->high_mv) ||
		    (a->low_mv && mv[pack->low_index] <= a->low_mv))
			visit |= counted;
	}
	while (visit) {
		unsigned i = (unsigned)__builtin_ctz(visit); /* lowest first */

		visit &= visit - 1;
		update_cell(a, i, pack->cells.mv[i], c);
	}
}

static void update_delta(struct cg_alarms *a, const struct cg_pack *pack,
			 struct changes *c)
{
	uint16_t delta = pack->delta_mv;

	/* One counted cell has no spread; none has no figures at all. */
	if (!pack->have[CG_REC_CELLS] || pack->counted < 2) {
		a->delta = false;
		return;
	}
	if (!a->delta && delta >= a->delta_mv) {
		a->delta = true;
		note(c, CG_ALARM_DELTA, -1, true, delta, a->delta_mv);
	} else if (a->delta && high_cleared(delta, a->delta_mv)) {
		a->delta = false;
		note(c, CG_ALARM_DELTA, -1, false, delta, a->delta_mv);
	}
}

size_t cg_alarms_update(struct cg_alarms *alarms,
			const struct cg_alarm_config *config,
			const struct cg_pack *pack, struct cg_alarm_change *out,
			size_t cap)
{
	struct changes c = { .out = out, .cap = out ? cap : 0 };

	find_limits(alarms, config, pack);
	c.low_guessed = alarms->low_guessed;
	update_lost(alarms, pack, &c);
	update_cells(alarms, pack, &c);
	update_delta(alarms, pack, &c);
	return c.n;
}

bool cg_alarms_any(const struct cg_alarms *alarms)
{
	return alarms->high_mask || alarms->low_mask || alarms->delta ||
	       alarms->lost_mask;
}

static const char *kind_name(enum cg_alarm_kind kind)
{
	return kind == CG_ALARM_LOW ? "low" : "high";
}

size_t cg_alarm_change_text(const struct cg_alarm_change *change, char *out,
			    size_t cap)
{
	const struct cg_alarm_change *ch = change;
	int n;

	if (!cap)
		return 0;
	if (ch->kind == CG_ALARM_LOST) {
		if (ch->raised && ch->limit_mv)
			n = snprintf(out, cap, "cell %d: %u.%03u V, was %u.%03u "
				     "V: sense lead or cell lost", ch->cell + 1,
				     ch->value_mv / 1000u, ch->value_mv % 1000u,
				     ch->limit_mv / 1000u, ch->limit_mv % 1000u);
		else if (ch->raised)
			n = snprintf(out, cap, "cell %d: %u.%03u V: sense lead "
				     "or cell lost", ch->cell + 1,
				     ch->value_mv / 1000u, ch->value_mv % 1000u);
		else
			n = snprintf(out, cap, "cell %d back: %u.%03u V",
				     ch->cell + 1, ch->value_mv / 1000u,
				     ch->value_mv % 1000u);
	} else if (ch->kind == CG_ALARM_DELTA) {
		if (ch->raised)
			n = snprintf(out, cap, "delta %u mV (limit %u mV)",
				     ch->value_mv, ch->limit_mv);
		else
			n = snprintf(out, cap, "delta cleared: %u mV",
				     ch->value_mv);
	} else if (ch->raised) {
		n = snprintf(out, cap, "cell %d %s: %u.%03u V (limit %u.%03u V%s)",
			     ch->cell + 1, kind_name(ch->kind),
			     ch->value_mv / 1000u, ch->value_mv % 1000u,
			     ch->limit_mv / 1000u, ch->limit_mv % 1000u,
			     ch->guessed ? ", guessed" : "");
	} else {
		n = snprintf(out, cap, "cell %d %s cleared: %u.%03u V",
			     ch->cell + 1, kind_name(ch->kind),
			     ch->value_mv / 1000u, ch->value_mv % 1000u);
	}
	if (n < 0) {
		out[0] = '\0';
		return 0;
	}
	/* Cut to fit, like the event list does with its own lines. */
	return (size_t)n < cap ? (size_t)n : cap - 1;
}
