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
	/* No status yet: only the delta limit is known. */
	assert_int_equal(update(&f), 0);
	assert_int_equal(f.alarms.high_mv, 0);
	assert_int_equal(f.alarms.low_mv, 0);
	assert_int_equal(f.alarms.delta_mv, CG_ALARM_DELTA_DEFAULT_MV);

	/* Old firmware: charge-end only, no discharge-end. */
	set_status(&f, false);
	assert_int_equal(update(&f), 0);
	assert_int_equal(f.alarms.high_mv, 3620);
	assert_int_equal(f.alarms.low_mv, 0);

	/* V1.26 adds the discharge-end. */
	set_status(&f, true);
	assert_int_equal(update(&f), 0);
	assert_int_equal(f.alarms.high_mv, 3620);
	assert_int_equal(f.alarms.low_mv, 2900);
	assert_false(cg_alarms_any(&f.alarms));
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

static void test_open_leads_ignored(void **state)
{
	struct fixture f;
	(void)state;

	/* --cells 16 with a lead off cell 7: it reads 4 mV. */
	setup(&f, 16);
	set_status(&f, true);
	set_cell(&f, 6, 4);
	assert_true(f.pack.open_mask == (1u << 6));
	assert_int_equal(update(&f), 0);
	assert_false(cg_alarms_any(&f.alarms));
	assert_int_equal(f.pack.delta_mv, 20); /* not 3343 - 4 */

	/* A cell in alarm whose lead then comes off drops out quietly. */
	f.config.low_mv = 3330;
	set_cell(&f, 6, 3329);
	size_t n = update(&f);
	assert_true(f.alarms.low_mask & (1u << 6));
	assert_true(n >= 1);
	set_cell(&f, 6, 0);
	update(&f);
	assert_false(f.alarms.low_mask & (1u << 6));
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
		cmocka_unit_test(test_open_leads_ignored),
		cmocka_unit_test(test_changes_capped),
		cmocka_unit_test(test_text_truncates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
