/*
 * Unit tests for alarm: limits from the BMS's own settings or the command
 * line, raise at the limit, clear only past the hysteresis, open leads
 * left out, the change array capped, and the exact texts the event list
 * and the bell's log show.
 *
 * Packs are built from hand-made records so a decoder bug cannot hide an
 * alarm bug. The cell values are the vendor's 16-cell frame (frames.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alarm.h"
#include "frames.h"

#define NOW 100000

struct fixture {
	struct cg_pack pack;
	struct cg_alarms alarms;
	struct cg_alarm_config config;
	uint16_t mv[CG_MAX_CELLS];
	unsigned count;
	struct cg_alarm_change out[CG_MAX_CELLS * 2 + 1];
};

static void set_cells(struct fixture *f)
{
	struct cg_record rec = { .type = CG_REC_CELLS };

	rec.u.cells.count = (uint8_t)f->count;
	memcpy(rec.u.cells.mv, f->mv, sizeof(f->mv));
	cg_pack_apply(&f->pack, &rec, NOW);
}

/* The vendor's charge status (charge-end 3.620 V), with or without the
 * V1.26 protection fields (discharge-end 2.900 V). */
static void set_status(struct fixture *f, bool v126)
{
	struct cg_record rec = { .type = CG_REC_STATUS };

	rec.u.status.charge_end_mv = 3620;
	rec.u.status.mode = CG_MODE_CHARGE;
	rec.u.status.current_da = 230;
	rec.u.status.t1_dc = 129;
	rec.u.status.t2_dc = 132;
	rec.u.status.soc_pct = 91;
	rec.u.status.has_soc = true;
	rec.u.status.has_mode = true;
	rec.u.status.has_protection = v126;
	rec.u.status.discharge_end_mv = v126 ? 2900 : 0;
	cg_pack_apply(&f->pack, &rec, NOW);
}

static void setup(struct fixture *f, unsigned cells_option)
{
	struct cg_pack_config pc = { .cells = (uint8_t)cells_option };

	memset(f, 0, sizeof(*f));
	cg_pack_init(&f->pack, &pc);
	cg_alarms_init(&f->alarms);
	f->count = 16;
	memcpy(f->mv, vendor_cells16_mv, sizeof(vendor_cells16_mv));
	set_cells(f);
}

static size_t update(struct fixture *f)
{
	return cg_alarms_update(&f->alarms, &f->config, &f->pack, f->out,
				sizeof(f->out) / sizeof(f->out[0]));
}

static void set_cell(struct fixture *f, unsigned index, uint16_t mv)
{
	f->mv[index] = mv;
	set_cells(f);
}

static void check_change(const struct cg_alarm_change *c,
			 enum cg_alarm_kind kind, int cell, bool raised,
			 unsigned value, unsigned limit, const char *text)
{
	char buf[96];

	assert_int_equal(c->kind, kind);
	assert_int_equal(c->cell, cell);
	assert_int_equal(c->raised, raised);
	assert_int_equal(c->value_mv, value);
	assert_int_equal(c->limit_mv, limit);
	assert_int_equal(cg_alarm_change_text(c, buf, sizeof(buf)),
			 strlen(text));
	assert_string_equal(buf, text);
}

static void test_defaults_from_bms(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f, 0);
	/* No status yet: the low limit is guessed from the cells (3.331 V
	 * average: LiFePO4, 2.500 V); no high limit. */
	assert_int_equal(update(&f), 0);
	assert_int_equal(f.alarms.high_mv, 0);
	assert_int_equal(f.alarms.low_mv, 2500);
	assert_true(f.alarms.low_guessed);
	assert_int_equal(f.alarms.delta_mv, CG_ALARM_DELTA_DEFAULT_MV);

	/* Old firmware: charge-end only, no discharge-end: guessed from the
	 * charge-end (3.620 V: LiFePO4). */
	set_status(&f, false);
	assert_int_equal(update(&f), 0);
	assert_int_equal(f.alarms.high_mv, 3620);
	assert_int_equal(f.alarms.low_mv, 2500);
	assert_true(f.alarms.low_guessed);

	/* A guessed limit says so in its alarm. */
	set_cell(&f, 3, 2450);
	assert_int_equal(update(&f), 2); /* cell 4 low, and the delta */
	check_change(&f.out[0], CG_ALARM_LOW, 3, true, 2450, 2500,
		     "cell 4 low: 2.450 V (limit 2.500 V, guessed)");
	assert_true(f.out[0].guessed);
	set_cell(&f, 3, 3330);
	assert_int_equal(update(&f), 2);

	/* V1.26 adds the discharge-end. */
	set_status(&f, true);
	assert_int_equal(update(&f), 0);
	assert_int_equal(f.alarms.high_mv, 3620);
	assert_int_equal(f.alarms.low_mv, 2900);
	assert_false(f.alarms.low_guessed);
	assert_false(cg_alarms_any(&f.alarms));
}

/* The chemistry guess: charge-end first, else the average cell. */
static void test_guess_low(void **state)
{
	static const struct {
		unsigned charge_end_mv; /* 0: no status */
		uint16_t cell_mv;       /* all 4 cells; 0: no cells */
		unsigned want;
	} cases[] = {
		{ 0, 0, 0 },       { 0, 2400, 1800 },    { 0, 2899, 1800 },
		{ 0, 2900, 2500 }, { 0, 3400, 2500 },    { 0, 3401, 3000 },
		{ 2750, 0, 1800 }, { 2999, 3300, 1800 }, { 3000, 2400, 2500 },
		{ 3700, 0, 2500 }, { 3701, 0, 3000 },    { 4200, 3300, 3000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cg_pack pack;
		struct cg_record rec = { .type = CG_REC_CELLS };

		cg_pack_init(&pack, NULL);
		if (cases[i].cell_mv) {
			rec.u.cells.count = 4;
			for (unsigned c = 0; c < 4; c++)
				rec.u.cells.mv[c] = cases[i].cell_mv;
			cg_pack_apply(&pack, &rec, NOW);
		}
		if (cases[i].charge_end_mv) {
			rec = (struct cg_record){ .type = CG_REC_STATUS };
			rec.u.status.charge_end_mv =
				(uint16_t)cases[i].charge_end_mv;
			cg_pack_apply(&pack, &rec, NOW);
		}
		assert_int_equal(cg_alarm_guess_low_mv(&pack), cases[i].want);
	}
}

static void test_high_raise_and_hysteresis(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f, 0);
	set_status(&f, false);
	f.config.delta_mv = 1000; /* keep the spread out of this test */
	assert_int_equal(update(&f), 0);

	set_cell(&f, 4, 3619); /* one below: nothing */
	assert_int_equal(update(&f), 0);

	set_cell(&f, 4, 3620); /* at the limit raises */
	assert_int_equal(update(&f), 1);
	check_change(&f.out[0], CG_ALARM_HIGH, 4, true, 3620, 3620,
		     "cell 5 high: 3.620 V (limit 3.620 V)");
	assert_true(f.alarms.high_mask == (1u << 4));
	assert_true(cg_alarms_any(&f.alarms));

	set_cell(&f, 4, 3652); /* still high: no second event */
	assert_int_equal(update(&f), 0);

	set_cell(&f, 4, 3611); /* inside, but not by the hysteresis */
	assert_int_equal(update(&f), 0);
	assert_true(f.alarms.high_mask == (1u << 4));

	set_cell(&f, 4, 3610); /* limit - 10 mV clears */
	assert_int_equal(update(&f), 1);
	check_change(&f.out[0], CG_ALARM_HIGH, 4, false, 3610, 3620,
		     "cell 5 high cleared: 3.610 V");
	assert_false(cg_alarms_any(&f.alarms));

	set_cell(&f, 4, 3619); /* back near, below the limit: quiet */
	assert_int_equal(update(&f), 0);
}

static void test_low_from_config_overrides_bms(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f, 0);
	set_status(&f, true);
	f.config.high_mv = 3650;
	f.config.low_mv = 3000;
	f.config.delta_mv = 1000;
	assert_int_equal(update(&f), 0);
	assert_int_equal(f.alarms.high_mv, 3650);
	assert_int_equal(f.alarms.low_mv, 3000);

	set_cell(&f, 4, 3620); /* the BMS's limit, not ours */
	assert_int_equal(update(&f), 0);
	set_cell(&f, 4, 3652);
	assert_int_equal(update(&f), 1);
	check_change(&f.out[0], CG_ALARM_HIGH, 4, true, 3652, 3650,
		     "cell 5 high: 3.652 V (limit 3.650 V)");

	set_cell(&f, 10, 3000);
	assert_int_equal(update(&f), 1);
	check_change(&f.out[0], CG_ALARM_LOW, 10, true, 3000, 3000,
		     "cell 11 low: 3.000 V (limit 3.000 V)");
	assert_true(f.alarms.low_mask == (1u << 10));

	set_cell(&f, 10, 3009);
	assert_int_equal(update(&f), 0);
	set_cell(&f, 10, 3010);
	set_cell(&f, 4, 3640);
	assert_int_equal(update(&f), 2);
	check_change(&f.out[0], CG_ALARM_HIGH, 4, false, 3640, 3650,
		     "cell 5 high cleared: 3.640 V");
	check_change(&f.out[1], CG_ALARM_LOW, 10, false, 3010, 3000,
		     "cell 11 low cleared: 3.010 V");
	assert_false(cg_alarms_any(&f.alarms));
}

static void test_delta(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f, 0); /* spread 20 mV: cell 15 3.343, cell 14 3.323 */
	assert_int_equal(update(&f), 0);

	set_cell(&f, 14, 3427); /* 3427 - 3323 = 104 */
	assert_int_equal(update(&f), 1);
	check_change(&f.out[0], CG_ALARM_DELTA, -1, true, 104, 100,
		     "delta 104 mV (limit 100 mV)");
	assert_true(f.alarms.delta);

	set_cell(&f, 14, 3414); /* 91: not yet */
	assert_int_equal(update(&f), 0);
	set_cell(&f, 14, 3403); /* 80 */
	assert_int_equal(update(&f), 1);
	check_change(&f.out[0], CG_ALARM_DELTA, -1, false, 80, 100,
		     "delta cleared: 80 mV");
	assert_false(cg_alarms_any(&f.alarms));

	/* Exactly at the limit raises too. */
	f.config.delta_mv = 80;
	assert_int_equal(update(&f), 1);
	assert_true(f.out[0].raised);
}

/* A limit below the hysteresis (--alarm-delta 5) must not clear on the
 * next update while the value stays past it: it clears at 0 only. */
static void test_small_limit_stays_raised(void **state)
{
	struct fixture f;
	(void)state;

	setup(&f, 0); /* spread 20 mV */
	f.config.delta_mv = 5;
	assert_int_equal(update(&f), 1);
	assert_true(f.out[0].raised);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(update(&f), 0);
		assert_true(f.alarms.delta);
	}
	assert_true(cg_alarms_any(&f.alarms));
}

static void test_lost_cell_is_an_alarm(void **state)
{
	struct fixture f;
	(void)state;

	/* --cells 16 with a lead off cell 7: it reads 4 mV. Out of the
	 * figures, and an alarm that says what it read before. */
	setup(&f, 16);
	set_status(&f, true);
	set_cell(&f, 6, 4);
	assert_true(f.pack.open_mask == (1u << 6));
	assert_int_equal(update(&f), 1);
	check_change(&f.out[0], CG_ALARM_LOST, 6, true, 4, 3334,
		     "cell 7: 0.004 V, was 3.334 V: sense lead or cell lost");
	assert_true(cg_alarms_any(&f.alarms));
	assert_int_equal(f.alarms.lost_mask, 1u << 6);
	assert_int_equal(f.pack.delta_mv, 20); /* not 3343 - 4 */
	assert_int_equal(update(&f), 0); /* raised once */

	/* Back: cleared. */
	set_cell(&f, 6, 3329);
	assert_int_equal(update(&f), 1);
	check_change(&f.out[0], CG_ALARM_LOST, 6, false, 3329, 3329,
		     "cell 7 back: 3.329 V");
	assert_false(cg_alarms_any(&f.alarms));

	/* A cell in low alarm whose lead then comes off: the low alarm
	 * ends quietly, the lost one is raised. */
	f.config.low_mv = 3330;
	update(&f);
	assert_true(f.alarms.low_mask & (1u << 6));
	set_cell(&f, 6, 0);
	assert_int_equal(update(&f), 1);
	assert_int_equal(f.out[0].kind, CG_ALARM_LOST);
	assert_false(f.alarms.low_mask & (1u << 6));

	/* Never read 1 V, beyond any wired count: not connected, no alarm. */
	setup(&f, 0);
	set_cell(&f, 15, 3);
	assert_int_equal(f.pack.wired, 16); /* channel 16 was live */
	update(&f);
	assert_int_equal(f.alarms.lost_mask, 1u << 15);
	struct cg_pack pack;
	struct cg_alarms alarms;
	struct cg_record rec = { .type = CG_REC_CELLS };
	struct cg_alarm_change out[4];
	cg_pack_init(&pack, NULL);
	cg_alarms_init(&alarms);
	rec.u.cells.count = 16;
	for (unsigned c = 0; c < 16; c++)
		rec.u.cells.mv[c] = c < 12 ? 3300 : 5;
	cg_pack_apply(&pack, &rec, NOW);
	assert_int_equal(cg_alarms_update(&alarms, NULL, &pack, out, 4), 0);
	assert_int_equal(alarms.lost_mask, 0);
}

static void test_changes_capped(void **state)
{
	struct fixture f;
	struct cg_alarm_change two[3];
	(void)state;

	setup(&f, 0);
	set_status(&f, false);
	f.config.high_mv = 3300; /* every one of the 16 cells is above */
	memset(two, 0x5A, sizeof(two));
	assert_int_equal(cg_alarms_update(&f.alarms, &f.config, &f.pack, two,
					  2), 2);
	assert_int_equal(two[0].cell, 0);
	assert_int_equal(two[1].cell, 1);
	assert_int_equal(two[2].cell, 0x5A5A5A5A); /* untouched */
	/* The state moved on for all 16 even though 2 changes fit. */
	assert_true(f.alarms.high_mask == 0xFFFFu);
	assert_int_equal(update(&f), 0);

	/* NULL out with any cap: state still updates, nothing written. */
	f.config.high_mv = 4000;
	assert_int_equal(cg_alarms_update(&f.alarms, &f.config, &f.pack, NULL,
					  5), 0);
	assert_false(cg_alarms_any(&f.alarms));
}

/*
 * The rule as first written, one pass over every channel: the model the
 * update must match event for event, whichever cells it chooses to visit.
 */
static void model_update(struct cg_alarms *a, const struct cg_alarm_config *cfg,
			 const struct cg_pack *p, struct cg_alarm_change *out,
			 size_t *n)
{
	const struct cg_status *s = &p->status;
	bool st = p->have[CG_REC_STATUS];

	*n = 0;
	a->high_mv = cfg->high_mv ? cfg->high_mv : st ? s->charge_end_mv : 0;
	a->low_mv = cfg->low_mv ? cfg->low_mv :
		    st && s->has_protection ? s->discharge_end_mv : 0;
	a->low_guessed = false;
	if (!a->low_mv) {
		/* The chemistry guess: from charge-end, else the average. */
		unsigned ref = st && s->charge_end_mv ? s->charge_end_mv :
			       p->counted ? p->average_mv : 0;
		unsigned lto = st && s->charge_end_mv ? 3000 : 2900;
		unsigned lfp = st && s->charge_end_mv ? 3700 : 3400;
		a->low_mv = !ref ? 0 : ref < lto ? 1800 : ref <= lfp ? 2500 : 3000;
		a->low_guessed = a->low_mv != 0;
	}
	a->delta_mv = cfg->delta_mv ? cfg->delta_mv : CG_ALARM_DELTA_DEFAULT_MV;
	/* Wired cells under 1 V come first, raised and cleared. */
	for (unsigned i = 0; i < CG_MAX_CELLS; i++) {
		uint32_t bit = UINT32_C(1) << i;
		bool lost = p->have[CG_REC_CELLS] && (p->open_mask & bit);

		if (lost != ((a->lost_mask & bit) != 0))
			out[(*n)++] = (struct cg_alarm_change){ CG_ALARM_LOST,
				(int)i, lost, p->cells.mv[i],
				p->last_live_mv[i], false };
		a->lost_mask = lost ? a->lost_mask | bit : a->lost_mask & ~bit;
	}
	for (unsigned i = 0; i < CG_MAX_CELLS; i++) {
		uint32_t bit = UINT32_C(1) << i;
		uint16_t mv = p->cells.mv[i];

		if (!cg_pack_cell_counted(p, i)) {
			a->high_mask &= ~bit;
			a->low_mask &= ~bit;
			continue;
		}
		if (!a->high_mv) {
			a->high_mask &= ~bit;
		} else if (!(a->high_mask & bit) && mv >= a->high_mv) {
			a->high_mask |= bit;
			out[(*n)++] = (struct cg_alarm_change){ CG_ALARM_HIGH,
				(int)i, true, mv, a->high_mv, false };
		} else if ((a->high_mask & bit) &&
			   (a->high_mv < CG_ALARM_HYSTERESIS_MV ? mv == 0 :
			    mv <= a->high_mv - CG_ALARM_HYSTERESIS_MV)) {
			a->high_mask &= ~bit;
			out[(*n)++] = (struct cg_alarm_change){ CG_ALARM_HIGH,
				(int)i, false, mv, a->high_mv, false };
		}
		if (!a->low_mv) {
			a->low_mask &= ~bit;
		} else if (!(a->low_mask & bit) && mv <= a->low_mv) {
			a->low_mask |= bit;
			out[(*n)++] = (struct cg_alarm_change){ CG_ALARM_LOW,
				(int)i, true, mv, a->low_mv, a->low_guessed };
		} else if ((a->low_mask & bit) &&
			   (uint32_t)mv >= (uint32_t)a->low_mv + CG_ALARM_HYSTERESIS_MV) {
			a->low_mask &= ~bit;
			out[(*n)++] = (struct cg_alarm_change){ CG_ALARM_LOW,
				(int)i, false, mv, a->low_mv, a->low_guessed };
		}
	}
	if (!p->have[CG_REC_CELLS] || p->counted < 2) {
		a->delta = false;
	} else if (!a->delta && p->delta_mv >= a->delta_mv) {
		a->delta = true;
		out[(*n)++] = (struct cg_alarm_change){ CG_ALARM_DELTA, -1, true,
			p->delta_mv, a->delta_mv, false };
	} else if (a->delta && (a->delta_mv < CG_ALARM_HYSTERESIS_MV ?
				p->delta_mv == 0 :
				p->delta_mv <= a->delta_mv - CG_ALARM_HYSTERESIS_MV)) {
		a->delta = false;
		out[(*n)++] = (struct cg_alarm_change){ CG_ALARM_DELTA, -1, false,
			p->delta_mv, a->delta_mv, false };
	}
}

/*
 * One cell at a time, over and back across every limit and into open
 * leads, with status frames (and so the limits) changing in between: the
 * same masks and the same events, in the same order, as the model.
 */
static void test_one_cell_at_a_time(void **state)
{
	struct fixture f;
	struct cg_alarms model;
	struct cg_alarm_change want[CG_MAX_CELLS * 2 + 1];
	uint32_t seed = 12345;
	unsigned raised = 0, cleared = 0;
	(void)state;

	setup(&f, 0);
	cg_alarms_init(&model);
	for (unsigned step = 0; step < 200000; step++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = seed >> 8;

		if (step % 5000 == 0)
			/* Now and then a user limit, or the BMS's own. */
			f.config = (struct cg_alarm_config){
				.high_mv = (uint16_t)(r % 3 ? 0 : 3500 + r % 200),
				.low_mv = (uint16_t)(r % 4 ? 0 : 3000 + r % 200),
				.delta_mv = (uint16_t)(r % 5 ? 0 : 5 + r % 300),
			};
		if (r % 7 == 0) {
			struct cg_record rec = { .type = CG_REC_STATUS };
			rec.u.status.charge_end_mv = (uint16_t)(r % 50 ? 3550 + r % 100 : r % 8);
			rec.u.status.has_protection = (r >> 4) % 3 != 0;
			rec.u.status.discharge_end_mv = (uint16_t)(3000 + (r >> 6) % 100);
			cg_pack_apply(&f.pack, &rec, NOW);
		} else {
			unsigned cell = (r >> 3) % f.count;
			uint16_t mv = f.mv[cell];
			int step_mv = (int)((r >> 10) % 41) - 20;
			static const int edge[] = { -10, -9, -1, 0, 1, 9, 10 };
			uint16_t limit = (r >> 14) % 2 ? model.high_mv : model.low_mv;

			if ((r >> 20) % 200 == 0)
				mv = (uint16_t)((r >> 12) % 2 ? 0 : 3300); /* lead off, back */
			else if ((r >> 20) % 8 == 1 && limit > 100)
				/* Right on a limit or its hysteresis, or one off. */
				mv = (uint16_t)(limit + edge[(r >> 15) % 7]);
			else
				mv = (uint16_t)(mv + step_mv < 2900 ? 2900 :
						mv + step_mv > 3800 ? 3800 : mv + step_mv);
			set_cell(&f, cell, mv);
		}
		size_t n = update(&f), m;
		model_update(&model, &f.config, &f.pack, want, &m);
		assert_int_equal(n, m);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(f.out[i].kind, want[i].kind);
			assert_int_equal(f.out[i].cell, want[i].cell);
			assert_int_equal(f.out[i].raised, want[i].raised);
			assert_int_equal(f.out[i].value_mv, want[i].value_mv);
			assert_int_equal(f.out[i].limit_mv, want[i].limit_mv);
		}
		assert_int_equal(f.alarms.high_mask, model.high_mask);
		assert_int_equal(f.alarms.low_mask, model.low_mask);
		assert_int_equal(f.alarms.delta, model.delta);
		assert_int_equal(f.alarms.lost_mask, model.lost_mask);
		assert_int_equal(f.alarms.low_guessed, model.low_guessed);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(f.out[i].guessed, want[i].guessed);
		assert_int_equal(f.alarms.high_mv, model.high_mv);
		assert_int_equal(f.alarms.low_mv, model.low_mv);
		for (size_t i = 0; i < n; i++) {
			raised += f.out[i].raised;
			cleared += !f.out[i].raised;
		}
	}
	/* The walk did cross the limits, many times each way. */
	assert_true(raised > 100);
	assert_true(cleared > 100);
}

static void test_text_truncates(void **state)
{
	struct cg_alarm_change c = {
		.kind = CG_ALARM_LOW, .cell = 23, .raised = true,
		.value_mv = 2501, .limit_mv = 2600,
	};
	char buf[10];
	(void)state;

	assert_int_equal(cg_alarm_change_text(&c, buf, sizeof(buf)), 9);
	assert_string_equal(buf, "cell 24 l");
	assert_int_equal(cg_alarm_change_text(&c, buf, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_from_bms),
		cmocka_unit_test(test_high_raise_and_hysteresis),
		cmocka_unit_test(test_low_from_config_overrides_bms),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_small_limit_stays_raised),
		cmocka_unit_test(test_lost_cell_is_an_alarm),
		cmocka_unit_test(test_guess_low),
		cmocka_unit_test(test_changes_capped),
		cmocka_unit_test(test_text_truncates),
		cmocka_unit_test(test_one_cell_at_a_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
