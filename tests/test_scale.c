/*
 * Unit tests for scale: the chemistry guessed from the average cell, the
 * BMS's own ends when it sends them, zoom over the cells' low..high, and
 * the eighth-block arithmetic at its edges. Expected values are worked out
 * by hand in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "alarm.h"
#include "scale.h"

static void assert_scale(struct cg_scale s, unsigned lo, unsigned hi,
			 const wchar_t *name)
{
	assert_int_equal(s.lo_mv, lo);
	assert_int_equal(s.hi_mv, hi);
	assert_non_null(s.name);
	assert_true(wcscmp(s.name, name) == 0);
}

static void apply_cells(struct cg_pack *p, unsigned n, const uint16_t *mv)
{
	struct cg_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = CG_REC_CELLS;
	rec.u.cells.count = (uint8_t)n;
	memcpy(rec.u.cells.mv, mv, n * sizeof(mv[0]));
	cg_pack_apply(p, &rec, 1000);
}

static void apply_status(struct cg_pack *p, unsigned charge_end,
			 bool protection, unsigned discharge_end)
{
	struct cg_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = CG_REC_STATUS;
	rec.u.status.charge_end_mv = (uint16_t)charge_end;
	rec.u.status.mode = CG_MODE_CHARGE;
	rec.u.status.soc_pct = 50;
	rec.u.status.has_protection = protection;
	rec.u.status.discharge_end_mv = (uint16_t)discharge_end;
	cg_pack_apply(p, &rec, 1000);
}

static void lfp_pack(struct cg_pack *p)
{
	/* average 3305 mV, low #2 3293, high #3 3323 */
	static const uint16_t mv[3] = { 3300, 3293, 3323 };
	struct cg_pack_config config = { .cells = 3 };

	cg_pack_init(p, &config);
	apply_cells(p, 3, mv);
}

static void test_guess_by_average(void **state)
{
	(void)state;
	assert_scale(cg_scale_guess(2400), 1800, 2800, L"LTO guess");
	assert_scale(cg_scale_guess(2899), 1800, 2800, L"LTO guess");
	assert_scale(cg_scale_guess(2900), 2500, 3650, L"LiFePO4 guess");
	assert_scale(cg_scale_guess(3300), 2500, 3650, L"LiFePO4 guess");
	assert_scale(cg_scale_guess(3400), 2500, 3650, L"LiFePO4 guess");
	/* NMC and other Li-ion */
	assert_scale(cg_scale_guess(3401), 3000, 4200, L"Li-ion guess");
	assert_scale(cg_scale_guess(3700), 3000, 4200, L"Li-ion guess");
	/* Nothing known: the widest common range, not LTO. */
	assert_scale(cg_scale_guess(0), 3000, 4200, L"Li-ion guess");
}

static void test_no_pack_is_a_guess(void **state)
{
	struct cg_pack p;
	(void)state;

	assert_scale(cg_scale_for(NULL, false), 3000, 4200, L"Li-ion guess");
	cg_pack_init(&p, NULL);
	assert_scale(cg_scale_for(&p, true), 3000, 4200, L"Li-ion guess");
}

static void test_guess_from_cells(void **state)
{
	static const uint16_t lto[2] = { 2400, 2410 };
	struct cg_pack p;
	(void)state;

	lfp_pack(&p);
	assert_scale(cg_scale_for(&p, false), 2500, 3650, L"LiFePO4 guess");
	cg_pack_init(&p, NULL);
	apply_cells(&p, 2, lto);
	assert_scale(cg_scale_for(&p, false), 1800, 2800, L"LTO guess");
}

static void test_bms_ends(void **state)
{
	struct cg_pack p;
	(void)state;

	lfp_pack(&p);
	apply_status(&p, 3650, true, 2800);
	assert_scale(cg_scale_for(&p, false), 2800, 3650, L"BMS ends");
}

static void test_old_firmware_charge_end_only(void **state)
{
	struct cg_pack p;
	(void)state;

	lfp_pack(&p);
	apply_status(&p, 3620, false, 0);
	assert_scale(cg_scale_for(&p, false), 2500, 3620,
		     L"BMS charge-end, low end guessed");
	/* The same ends as the guess: the guess's name stays. */
	apply_status(&p, 3650, false, 0);
	assert_scale(cg_scale_for(&p, false), 2500, 3650, L"LiFePO4 guess");
}

static void test_crossed_ends_fall_back_to_guess(void **state)
{
	struct cg_pack p;
	(void)state;

	lfp_pack(&p);
	/* A charge-end under the guessed low end cannot make a scale. */
	apply_status(&p, 2400, false, 0);
	assert_scale(cg_scale_for(&p, false), 2500, 3650, L"LiFePO4 guess");
}

/* Old firmware on a LiFePO4 pack near the top of its charge: the average
 * (3.450 V) looks like Li-ion, the charge-end (3.650 V) says LiFePO4. The
 * bars' low end is the low limit the alarms guess, not a second guess. */
static void test_low_end_agrees_with_the_alarm_guess(void **state)
{
	static const uint16_t top[3] = { 3440, 3450, 3460 };
	struct cg_pack p;
	struct cg_pack_config config = { .cells = 3 };
	(void)state;

	cg_pack_init(&p, &config);
	apply_cells(&p, 3, top);
	assert_scale(cg_scale_for(&p, false), 3000, 4200, L"Li-ion guess");
	apply_status(&p, 3650, false, 0);
	assert_int_equal(cg_alarm_guess_low_mv(&p), 2500);
	assert_scale(cg_scale_for(&p, false), 2500, 3650,
		     L"BMS charge-end, low end guessed");
	/* A V1.26 unit's own discharge-end wins over any guess. */
	apply_status(&p, 3650, true, 2800);
	assert_scale(cg_scale_for(&p, false), 2800, 3650, L"BMS ends");
}

static void test_zoom_over_low_high(void **state)
{
	static const uint16_t even[2] = { 3300, 3300 };
	struct cg_pack p;
	(void)state;

	lfp_pack(&p);
	apply_status(&p, 3650, true, 2800);
	/* low 3293, high 3323: margin 30 / 8 = 3 */
	assert_scale(cg_scale_for(&p, true), 3290, 3326, L"zoom");

	/* An even spread: margin 2, widened until the span is 20 mV. */
	cg_pack_init(&p, NULL);
	apply_cells(&p, 2, even);
	assert_scale(cg_scale_for(&p, true), 3290, 3310, L"zoom");
	assert_true(cg_scale_for(&p, true).zoom);
	assert_false(cg_scale_for(&p, false).zoom);
}

static void test_zoom_near_zero_stays_unsigned(void **state)
{
	static const uint16_t low[2] = { 1001, 1003 };
	struct cg_pack p;
	struct cg_scale s;
	(void)state;

	cg_pack_init(&p, NULL);
	apply_cells(&p, 2, low);
	s = cg_scale_for(&p, true);
	assert_true(s.lo_mv < 1001 && s.hi_mv > 1003);
	assert_true(s.hi_mv - s.lo_mv >= CG_ZOOM_MIN_SPAN_MV);
}

/* 24 cells of a balanced LiFePO4 pack, 3.290 .. 3.320 V, with BMS ends. */
static void balanced24(struct cg_pack *p)
{
	uint16_t mv[24];
	struct cg_pack_config config = { .cells = 24 };

	for (unsigned i = 0; i < 24; i++)
		mv[i] = (uint16_t)(3290 + (i * 13) % 31);
	cg_pack_init(p, &config);
	apply_cells(p, 24, mv);
	apply_status(p, 3650, true, 2800);
}

static void test_ends_blur_short_bars(void **state)
{
	struct cg_pack p;
	struct cg_scale ends;
	(void)state;

	balanced24(&p);
	ends = cg_scale_for(&p, false);
	assert_scale(ends, 2800, 3650, L"BMS ends");
	/* 14 columns = 112 eighths over 850 mV: 7.6 mV an eighth, so 3.290
	 * and 3.291 V draw the same bar. */
	assert_int_equal(cg_scale_eighths(3290, &ends, 14),
			 cg_scale_eighths(3291, &ends, 14));
	assert_true(cg_scale_blurs(&p, &ends, 14));
	/* The zoom tells every millivolt apart at the same width. */
	struct cg_scale z = cg_scale_for(&p, true);
	assert_false(cg_scale_blurs(&p, &z, 14));
}

static void test_pick_zooms_only_when_the_ends_blur(void **state)
{
	static const uint16_t apart[3] = { 3200, 3300, 3400 };
	struct cg_pack p;
	struct cg_scale s;
	(void)state;

	balanced24(&p);
	s = cg_scale_pick(&p, CG_SCALE_AUTO, 14);
	assert_true(s.zoom);
	assert_scale(s, 3287, 3323, L"zoom"); /* 3290..3320, margin 30/8 */
	/* Asked for: the ends, blurred or not. */
	assert_scale(cg_scale_pick(&p, CG_SCALE_ENDS, 14), 2800, 3650,
		     L"BMS ends");

	/* 100 mV apart: the ends tell them apart, and stay. */
	cg_pack_init(&p, NULL);
	apply_cells(&p, 3, apart);
	apply_status(&p, 3650, true, 2800);
	s = cg_scale_pick(&p, CG_SCALE_AUTO, 14);
	assert_false(s.zoom);
	assert_scale(s, 2800, 3650, L"BMS ends");
	assert_true(cg_scale_pick(&p, CG_SCALE_ZOOM, 14).zoom);

	/* Equal cells differ in nothing: no reason to zoom. */
	static const uint16_t even[3] = { 3300, 3300, 3300 };
	cg_pack_init(&p, NULL);
	apply_cells(&p, 3, even);
	assert_false(cg_scale_pick(&p, CG_SCALE_AUTO, 14).zoom);
	/* No data: the guess. */
	assert_false(cg_scale_pick(NULL, CG_SCALE_AUTO, 14).zoom);
}

static void test_toggle_shows_the_other_scale(void **state)
{
	struct cg_pack p;
	(void)state;

	balanced24(&p);
	struct cg_scale shown = cg_scale_pick(&p, CG_SCALE_AUTO, 14);
	enum cg_scale_choice c = cg_scale_toggle(&shown);

	assert_int_equal(c, CG_SCALE_ENDS);
	shown = cg_scale_pick(&p, c, 14);
	assert_false(shown.zoom);
	c = cg_scale_toggle(&shown);
	assert_int_equal(c, CG_SCALE_ZOOM);
	assert_true(cg_scale_pick(&p, c, 14).zoom);
}

static void test_eighths_edges(void **state)
{
	struct cg_scale s = { 2800, 3650, L"BMS ends", false };
	(void)state;

	assert_int_equal(cg_scale_eighths(0, &s, 36), 0);
	assert_int_equal(cg_scale_eighths(2800, &s, 36), 0);
	assert_int_equal(cg_scale_eighths(3650, &s, 36), 36 * 8);
	assert_int_equal(cg_scale_eighths(5000, &s, 36), 36 * 8);
	/* README row 1: 3.311 V on 36 columns = (511 * 288 + 425) / 850
	 * = 173 eighths: 21 full blocks and a five-eighths one. */
	assert_int_equal(cg_scale_eighths(3311, &s, 36), 173);
	/* One mV over the low end still rounds to nothing on a short bar. */
	assert_int_equal(cg_scale_eighths(2801, &s, 11), 0);
	/* ... and one under the top end rounds to the full bar. */
	assert_int_equal(cg_scale_eighths(3649, &s, 11), 88);
}

static void test_eighths_rounding(void **state)
{
	struct cg_scale s = { 0, 16, L"test", false };
	(void)state;

	/* 1 mV of 16 on one column: 8 / 16 = 0.5 eighth rounds up. */
	assert_int_equal(cg_scale_eighths(1, &s, 1), 1);
	assert_int_equal(cg_scale_eighths(8, &s, 1), 4);
	assert_int_equal(cg_scale_eighths(15, &s, 1), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guess_by_average),
		cmocka_unit_test(test_no_pack_is_a_guess),
		cmocka_unit_test(test_guess_from_cells),
		cmocka_unit_test(test_bms_ends),
		cmocka_unit_test(test_old_firmware_charge_end_only),
		cmocka_unit_test(test_crossed_ends_fall_back_to_guess),
		cmocka_unit_test(test_low_end_agrees_with_the_alarm_guess),
		cmocka_unit_test(test_zoom_over_low_high),
		cmocka_unit_test(test_zoom_near_zero_stays_unsigned),
		cmocka_unit_test(test_ends_blur_short_bars),
		cmocka_unit_test(test_pick_zooms_only_when_the_ends_blur),
		cmocka_unit_test(test_toggle_shows_the_other_scale),
		cmocka_unit_test(test_eighths_edges),
		cmocka_unit_test(test_eighths_rounding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
