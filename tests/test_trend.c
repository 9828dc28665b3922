/*
 * Unit tests for trend: a deviation's level on the shared scale (0 mV in
 * the middle, clamped at the ends, symmetric), and the trends built from
 * a history: a cell that pulls away shows high in the columns after it
 * did and the others a little low, a balanced pack stays in the middle,
 * the scale never shrinks below CG_TREND_MIN_SPAN_MV, and no sample means
 * no level.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pack.h"
#include "trend.h"

#define T0 1767225600000ull /* 2026-01-01T00:00:00Z */

static struct cg_hist h; /* about a megabyte: off the stack */
static struct cg_trend t;

static void test_level(void **state)
{
	static const struct {
		int32_t dev, span;
		int level;
	} cases[] = {
		{ 0, 5, 3 },    { 5, 5, 6 },     { -5, 5, 0 },
		{ 1, 5, 4 },    { -1, 5, 2 },    { 100, 5, 6 },
		{ -100, 5, 0 }, { 30, 30, 6 },   { -10, 30, 2 },
		{ 0, 30, 3 },   { 0, 0, 3 },     { 7, 0, 6 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(cg_trend_level(cases[i].dev, cases[i].span),
				 cases[i].level);
}

/* Four cells, a 0x56 every 2 s from T0 to T0 + 300 s; after 150 s cell 2
 * reads offset mV above the others. */
static void four_cells(int32_t offset)
{
	struct cg_pack pack;
	struct cg_record rec = { .type = CG_REC_CELLS };

	cg_pack_init(&pack, NULL);
	cg_hist_init(&h);
	rec.u.cells.count = 8;
	for (uint64_t s = 0; s <= 300; s += 2) {
		for (unsigned i = 0; i < 4; i++)
			rec.u.cells.mv[i] = 3300;
		if (s > 150)
			rec.u.cells.mv[1] = (uint16_t)(3300 + offset);
		cg_pack_apply(&pack, &rec, s * 1000);
		cg_hist_apply(&h, &pack, CG_REC_CELLS, T0 + s * 1000);
	}
}

static void test_a_cell_pulls_away(void **state)
{
	(void)state;
	four_cells(40);
	/* 10 columns of 30 s over the 300 s up to the newest sample (so from
	 * T0 + 1 ms): 0-4 up to 150 s, 5-9 after. After, the average is
	 * 3310 mV: cell 2 is +30, the others -10, so the scale is +-30 mV. */
	cg_trend_build(&t, &h, 4, 10, CG_TREND_WINDOW_MS);
	assert_int_equal(t.ncols, 10);
	assert_int_equal(t.cells, 4);
	assert_int_equal(t.span_mv, 30);
	for (unsigned c = 0; c < 4; c++)
		for (int k = 0; k < 10; k++) {
			int want = k < 5 ? 3 : (c == 1 ? 6 : 2);

			assert_int_equal(t.level[c][k], want);
		}
	/* Cells past those asked for have no level. */
	assert_int_equal(t.level[4][0], -1);
}

static void test_balanced_pack_stays_flat(void **state)
{
	(void)state;
	four_cells(0);
	cg_trend_build(&t, &h, 4, 15, CG_TREND_WINDOW_MS);
	assert_int_equal(t.span_mv, CG_TREND_MIN_SPAN_MV);
	for (unsigned c = 0; c < 4; c++)
		for (int k = 0; k < 15; k++)
			assert_int_equal(t.level[c][k], 3);

	/* A 2 mV difference stays small on the 5 mV floor of the scale. */
	four_cells(2);
	cg_trend_build(&t, &h, 4, 15, CG_TREND_WINDOW_MS);
	assert_int_equal(t.span_mv, CG_TREND_MIN_SPAN_MV);
	assert_int_equal(t.level[1][14], cg_trend_level(2 - 0, 5));
}

static void test_no_samples(void **state)
{
	(void)state;
	cg_hist_init(&h);
	cg_trend_build(&t, &h, 4, 15, CG_TREND_WINDOW_MS);
	for (unsigned c = 0; c < CG_MAX_CELLS; c++)
		for (int k = 0; k < CG_TREND_COLS_MAX; k++)
			assert_int_equal(t.level[c][k], -1);

	/* A window longer than the session: the columns that start before
	 * its first sample are empty (20 of 30 s over 600 s: the first ten,
	 * the tenth only partly before it), the rest answered. */
	four_cells(0);
	cg_trend_build(&t, &h, 4, 20, 600000);
	for (int k = 0; k < 20; k++)
		assert_int_equal(t.level[0][k], k < 10 ? -1 : 3);

	/* More columns or cells than there is room for are cut. */
	cg_trend_build(&t, &h, 99, 99, CG_TREND_WINDOW_MS);
	assert_int_equal(t.ncols, CG_TREND_COLS_MAX);
	assert_int_equal(t.cells, CG_MAX_CELLS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level),
		cmocka_unit_test(test_a_cell_pulls_away),
		cmocka_unit_test(test_balanced_pack_stays_flat),
		cmocka_unit_test(test_no_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
