/*
 * Unit tests for overview: the bank of several packs (current shared,
 * worst cell, lowest cell) and the overview's layout at the sizes people
 * use, with 4 packs and with more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "overview.h"

/* A pack with cells around 3.300 V and current da. */
static struct cg_ov_pack pack(int32_t da, uint16_t low, uint16_t high)
{
	struct cg_ov_pack p = {
		.cells = true, .current = true, .current_da = da,
		.low_mv = low, .high_mv = high,
		.average_mv = (uint16_t)((low + high) / 2),
		.low_cell = 3, .high_cell = 7,
	};
	return p;
}

static void test_share_marking(void **state)
{
	struct cg_ov_pack p[4] = {
		pack(200, 3290, 3310), pack(200, 3290, 3310),
		pack(250, 3290, 3310), pack(150, 3290, 3310),
	};
	struct cg_ov_bank b;

	(void)state;
	/* mean 20.0 A: 25.0 A is +25 % (high), 15.0 A -25 % (low). */
	cg_ov_bank(p, 4, &b);
	assert_int_equal(b.with_current, 4);
	assert_int_equal(b.total_da, 800);
	assert_int_equal(b.mean_da, 200);
	assert_int_equal(b.share[0], CG_OV_SHARE_EVEN);
	assert_int_equal(b.share[1], CG_OV_SHARE_EVEN);
	assert_int_equal(b.share[2], CG_OV_SHARE_HIGH);
	assert_int_equal(b.share[3], CG_OV_SHARE_LOW);
	assert_int_equal(b.share_pct[2], 31);

	/* Exactly 20 % off is not beyond it. */
	p[2].current_da = 240;
	p[3].current_da = 160;
	cg_ov_bank(p, 4, &b);
	assert_int_equal(b.share[2], CG_OV_SHARE_EVEN);
	assert_int_equal(b.share[3], CG_OV_SHARE_EVEN);

	/* Discharging: the pack giving more current carries more. */
	for (int i = 0; i < 4; i++)
		p[i].current_da = -p[i].current_da;
	p[2].current_da = -300;
	cg_ov_bank(p, 4, &b);
	assert_true(b.total_da < 0);
	assert_int_equal(b.share[2], CG_OV_SHARE_HIGH);
	assert_int_equal(b.share[0], CG_OV_SHARE_EVEN);

	/* A pack charging while the bank discharges carries less. */
	p[1].current_da = 50;
	cg_ov_bank(p, 4, &b);
	assert_int_equal(b.share[1], CG_OV_SHARE_LOW);
}

static void test_share_idle_and_missing(void **state)
{
	struct cg_ov_pack p[3] = {
		pack(3, 3290, 3310), pack(-2, 3290, 3310), pack(8, 3290, 3310),
	};
	struct cg_ov_bank b;

	(void)state;
	/* Mean under 1 A: nothing judged. */
	cg_ov_bank(p, 3, &b);
	for (int i = 0; i < 3; i++)
		assert_int_equal(b.share[i], CG_OV_SHARE_NONE);

	/* A pack without a fresh current is left out of the mean. */
	p[0].current_da = 100;
	p[1].current_da = 100;
	p[2].current = false;
	p[2].current_da = 900;
	cg_ov_bank(p, 3, &b);
	assert_int_equal(b.with_current, 2);
	assert_int_equal(b.total_da, 200);
	assert_int_equal(b.share[0], CG_OV_SHARE_EVEN);
	assert_int_equal(b.share[2], CG_OV_SHARE_NONE);

	/* One pack alone has nothing to share with. */
	p[1].current = false;
	cg_ov_bank(p, 3, &b);
	assert_int_equal(b.share[0], CG_OV_SHARE_NONE);
}

static void test_worst_and_lowest(void **state)
{
	struct cg_ov_pack p[4] = {
		pack(100, 3290, 3310), /* delta 20 */
		pack(100, 3250, 3330), /* delta 80 */
		pack(100, 3280, 3300), /* delta 20, lowest? no */
		pack(100, 3200, 3215), /* delta 15, the lowest cell */
	};
	struct cg_ov_bank b;

	(void)state;
	cg_ov_bank(p, 4, &b);
	assert_int_equal(b.worst, 1);
	assert_int_equal(b.lowest, 3);
	assert_false(b.worst_high); /* a tie: the low cell */

	/* Its high cell farther from the average. */
	p[1].average_mv = 3270;
	cg_ov_bank(p, 4, &b);
	assert_true(b.worst_high);

	/* An alarm wins over a larger delta. */
	p[2].alarm = true;
	cg_ov_bank(p, 4, &b);
	assert_int_equal(b.worst, 2);

	/* Packs without cells are neither. */
	for (int i = 0; i < 4; i++)
		p[i].cells = false;
	cg_ov_bank(p, 4, &b);
	assert_int_equal(b.worst, -1);
	assert_int_equal(b.lowest, -1);
}

/* Every shown column lies inside width and none overlap on a line. */
static void assert_columns_fit(const struct cg_ov_layout *o, int width)
{
	for (int c = 0; c < CG_OV_COLS; c++) {
		if (!o->show[c])
			continue;
		assert_true(o->x[c] >= 0);
		assert_true(o->x[c] < width);
		for (int d = c + 1; d < CG_OV_COLS; d++)
			if (o->show[d] && o->line[d] == o->line[c])
				assert_true(o->x[d] > o->x[c]);
	}
}

static void test_layout_80x24_four_packs(void **state)
{
	struct cg_ov_layout o;

	(void)state;
	/* 24 lines less the status line. */
	assert_true(cg_ov_layout(4, 0, 80, 23, &o));
	assert_int_equal(o.pack_lines, 2);
	assert_int_equal(o.visible, 4);
	assert_int_equal(o.bank_lines, CG_OV_BANK_LINES);
	for (int c = 0; c < CG_OV_COLS; c++)
		assert_true(o.show[c]); /* nothing left out */
	assert_int_equal(o.line[CG_OV_LOW], 1);
	assert_int_equal(o.line[CG_OV_VOLTS], 0);
	assert_columns_fit(&o, 80);
	assert_true(o.bank_y + o.bank_lines <= 23);
}

static void test_layout_132x43(void **state)
{
	struct cg_ov_layout o;

	(void)state;
	assert_true(cg_ov_layout(4, 3, 132, 42, &o));
	assert_int_equal(o.pack_lines, 1);
	assert_int_equal(o.visible, 4);
	assert_int_equal(o.first_visible, 0);
	for (int c = 0; c < CG_OV_COLS; c++) {
		assert_true(o.show[c]);
		assert_int_equal(o.line[c], 0);
	}
	assert_columns_fit(&o, 132);
	assert_int_equal(o.bank_y, 5);
}

static void test_layout_more_packs(void **state)
{
	struct cg_ov_layout o;

	(void)state;
	/* Nine packs still fit in blocks at 80x24. */
	assert_true(cg_ov_layout(9, 0, 80, 23, &o));
	assert_int_equal(o.pack_lines, 2);
	assert_int_equal(o.visible, 9);

	/* Six packs on 80x16: one line each, columns given up. */
	assert_true(cg_ov_layout(6, 0, 80, 15, &o));
	assert_int_equal(o.pack_lines, 1);
	assert_int_equal(o.visible, 6);
	assert_false(o.show[CG_OV_TEMP]);
	assert_true(o.show[CG_OV_LOW]);
	assert_true(o.show[CG_OV_DELTA]);
	assert_true(o.show[CG_OV_ALARM]);
	assert_columns_fit(&o, 80);

	/* Too few lines: the bank's lines go first, then packs scroll,
	 * keeping the selected one in view. */
	assert_true(cg_ov_layout(9, 8, 80, 8, &o));
	assert_int_equal(o.bank_lines, 0);
	assert_int_equal(o.visible, 7);
	assert_int_equal(o.first_visible, 2);
	assert_true(cg_ov_layout(9, 1, 80, 8, &o));
	assert_int_equal(o.first_visible, 0);

	/* 40 columns: the label shrinks, the essentials stay. */
	assert_true(cg_ov_layout(5, 0, 40, 9, &o));
	assert_true(o.show[CG_OV_NUM] && o.show[CG_OV_LOW] &&
		    o.show[CG_OV_DELTA] && o.show[CG_OV_ALARM]);
	assert_int_equal(o.label_w, 6);
	assert_columns_fit(&o, 40);

	/* Nothing fits: said, not drawn over. */
	assert_false(cg_ov_layout(5, 0, 20, 9, &o));
	assert_false(cg_ov_layout(5, 0, 80, 1, &o));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_marking),
		cmocka_unit_test(test_share_idle_and_missing),
		cmocka_unit_test(test_worst_and_lowest),
		cmocka_unit_test(test_layout_80x24_four_packs),
		cmocka_unit_test(test_layout_132x43),
		cmocka_unit_test(test_layout_more_packs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
