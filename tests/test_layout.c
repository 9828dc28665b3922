/*
 * Unit tests for layout: the figures packed into lines, and the cells into
 * columns, at the terminal sizes people use (80x24 over SSH, 132x43 on a
 * laptop) and below the minimum. The figures are those of the README's
 * 80x24 screenshot, so the expected arrangement can be checked by eye
 * against it (widths worked out in the comments).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "layout.h"

static void item(struct cg_items *it, int level, bool new_line,
		 const wchar_t *text)
{
	struct cg_item *i = cg_items_add(it, level, new_line, 0, 0);

	wcscpy(i->text, text);
}

/* The README's figures, as levels: 0 essential, 1 normal, 2 extra. */
static void readme_figures(struct cg_items *it)
{
	it->n = 0;
	/* 14 + 2 + 11 + 2 + 18 + 2 + 16 + 2 + 11 = 78 */
	item(it, 0, true, L"Total 52.919 V");
	item(it, 0, false, L"Avg 3.307 V");
	item(it, 0, false, L"^ High #15 3.323 V");
	item(it, 0, false, L"v Low #5 3.293 V");
	item(it, 0, false, L"Delta 30 mV");
	/* 22 + 2 + 8 + 2 + 20 + 2 + 22 = 78 */
	item(it, 0, true, L"Current +19.2 A charge");
	item(it, 0, false, L"SOC 63 %");
	item(it, 1, false, L"T1 20.4 C  T2 20.6 C");
	item(it, 1, false, L"62.905 Ah  3322.935 Wh");
	/* 18 + 2 + 21 + 2 + 23 = 66 */
	item(it, 1, true, L"Charge-end 3.650 V");
	item(it, 1, false, L"Discharge-end 2.800 V");
	item(it, 1, false, L"Protection: none active");
	/* 15 + 2 + 16 + 2 + 19 + 2 + 14 = 70, then 34, 29 and 44 wide */
	item(it, 1, true, L"cells 1.0 s ago");
	item(it, 1, false, L"status 0.0 s ago");
	item(it, 1, false, L"impedance 1.0 s ago");
	item(it, 1, false, L"bars: BMS ends");
	item(it, 2, false, L"Impedance avg 0.3, max 0.6 mOhm #3");
	item(it, 2, false, L"worst delta 30 mV at 14:02:11");
	item(it, 2, false, L"limits: HI 3.650 V  LO 2.800 V  delta 100 mV");
}

static const struct cg_layout_need cells16 = { 16, 0, true, false };
static const struct cg_layout_need cells24 = { 24, 0, true, false };

static void test_flow_packs_and_wraps(void **state)
{
	struct cg_items it;
	int line[CG_ITEMS_MAX], col[CG_ITEMS_MAX];
	(void)state;

	readme_figures(&it);
	/* Level 2 at 80: lines of 78, 78, 66, 70, 34 + 2 + 29, 44. */
	assert_int_equal(cg_items_flow(&it, 2, 80, line, col), 6);
	assert_int_equal(line[4], 0);
	assert_int_equal(col[4], 67); /* "Delta" after 14+2+11+2+18+2+16+2 */
	assert_int_equal(line[16], 4);
	assert_int_equal(col[16], 0);
	assert_int_equal(line[17], 4);
	assert_int_equal(col[17], 36);
	assert_int_equal(line[18], 5);
	/* Level 0 leaves the rest out. */
	assert_int_equal(cg_items_flow(&it, 0, 80, line, col), 2);
	assert_int_equal(line[7], -1);
	assert_int_equal(col[9], -1);
	/* At 132 the extras share a line: 70 + 2 + 34 + 2 + 29 > 132. */
	assert_int_equal(cg_items_flow(&it, 2, 132, NULL, NULL), 5);
	/* At 30 the first group takes three lines, the second two. */
	assert_int_equal(cg_items_flow(&it, 0, 30, NULL, NULL), 4 + 1);
}

static void test_flow_tight_items(void **state)
{
	struct cg_items it = { .n = 0 };
	int line[CG_ITEMS_MAX], col[CG_ITEMS_MAX];
	(void)state;

	item(&it, 0, true, L"mV:");
	item(&it, 0, false, L"3325");
	it.item[1].tight = true;
	item(&it, 0, false, L"3332");
	it.item[2].tight = true;
	item(&it, 0, false, L"Wh");
	assert_int_equal(cg_items_flow(&it, 0, 80, line, col), 1);
	assert_int_equal(col[1], 4);  /* one space after "mV:" */
	assert_int_equal(col[2], 9);
	assert_int_equal(col[3], 15); /* two spaces: not tight */
	/* A tight item that does not fit still goes to the next line. */
	assert_int_equal(cg_items_flow(&it, 0, 12, line, col), 2);
	assert_int_equal(line[2], 1);
	assert_int_equal(col[2], 0);
}

static void test_flow_reserved_room(void **state)
{
	struct cg_items it = { .n = 0 };
	int line[CG_ITEMS_MAX], col[CG_ITEMS_MAX];
	(void)state;

	item(&it, 0, true, L"cells never");
	it.item[0].reserve = 20;
	item(&it, 0, false, L"bars: zoom");
	/* The item after a reserved one starts past the room kept. */
	assert_int_equal(cg_items_flow(&it, 0, 40, line, col), 1);
	assert_int_equal(col[1], 22);
	/* ... and wraps as if the reserved text were there. */
	assert_int_equal(cg_items_flow(&it, 0, 31, line, col), 2);
	assert_int_equal(line[1], 1);
	/* A text longer than its reserve takes its own length. */
	wcscpy(it.item[0].text, L"cells 0.1 s ago, and more than 20");
	assert_int_equal(cg_items_flow(&it, 0, 80, line, col), 1);
	assert_int_equal(col[1], 35);
}

static void test_16_cells_fit_80x24_with_bars(void **state)
{
	struct cg_items it;
	struct cg_layout l;
	(void)state;

	readme_figures(&it);
	assert_true(cg_layout_choose(&cells16, &it, 80, 24, &l));
	assert_int_equal(l.ncols, 1);
	assert_int_equal(l.rows, 16);
	assert_int_equal(l.level, 2);
	assert_int_equal(l.fig_lines, 6); /* 6 + header + 16 + status = 24 */
	/* 80 - 25 fixed = 55; less 7 for mOhm and 12 for session = 36, the
	 * bar of the README's screenshot. */
	assert_true(l.imp_col);
	assert_true(l.session_col);
	assert_int_equal(l.bar_w, 36);
}

static void test_24_cells_80x24_two_columns(void **state)
{
	struct cg_items it;
	struct cg_layout l;
	(void)state;

	readme_figures(&it);
	assert_true(cg_layout_choose(&cells24, &it, 80, 24, &l));
	/* One column needs 4 + 1 + 24 + 1 = 30 lines even at level 1. */
	assert_int_equal(l.ncols, 2);
	assert_int_equal(l.rows, 12);
	assert_int_equal(l.level, 2);
	assert_int_equal(l.colw, 39); /* (80 - 2) / 2 */
	assert_int_equal(l.bar_w, 39 - 25);
	assert_false(l.imp_col); /* 14 - 7 leaves less than 20 for the bar */
	assert_false(l.session_col);
}

static void test_24_cells_132x43_one_column_with_extras(void **state)
{
	struct cg_items it;
	struct cg_layout l;
	(void)state;

	readme_figures(&it);
	assert_true(cg_layout_choose(&cells24, &it, 132, 43, &l));
	assert_int_equal(l.ncols, 1);
	assert_int_equal(l.rows, 24);
	assert_int_equal(l.level, 2);
	assert_int_equal(l.fig_lines, 5);
	assert_true(l.imp_col);
	assert_true(l.session_col);
	assert_int_equal(l.bar_w, CG_BAR_MAX); /* 132 - 25 - 7 - 12 = 88 */
}

/* The trend comes last, on a wide terminal, when the pack has a history
 * and the bar keeps CG_BAR_TREND_MIN beside it; never at 80 columns. */
static void test_trend_column_where_width_allows(void **state)
{
	static const struct {
		int width;
		bool history, trend;
		int bar_w;
	} cases[] = {
		{ 80, true, false, 36 },   /* the README's screen: unchanged */
		{ 99, true, false, 55 },   /* 99 - 25 - 19 - 16 = 39 < 40 */
		{ 100, true, true, 40 },
		{ 132, true, true, CG_BAR_MAX },
		{ 132, false, false, CG_BAR_MAX },
	};
	struct cg_items it;
	struct cg_layout l;
	(void)state;

	readme_figures(&it);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cg_layout_need need = cells16;

		need.trend = cases[i].history;
		assert_true(cg_layout_choose(&need, &it, cases[i].width, 30, &l));
		assert_int_equal(l.ncols, 1);
		assert_true(l.session_col);
		assert_int_equal(l.trend_col, cases[i].trend);
		assert_int_equal(l.bar_w, cases[i].bar_w);
		/* Everything on the row fits the width. */
		assert_true(CG_ROW_FIXED + l.bar_w + CG_W_IMP + CG_W_SESSION +
				    (l.trend_col ? CG_W_TREND : 0) <=
			    cases[i].width);
	}
}

static void test_unwired_listed_when_they_fit(void **state)
{
	struct cg_layout_need need = { 12, 4, false, false };
	struct cg_items it;
	struct cg_layout l;
	(void)state;

	readme_figures(&it);
	assert_true(cg_layout_choose(&need, &it, 80, 24, &l));
	assert_true(l.unwired);
	assert_int_equal(l.rows, 16);
	assert_false(l.imp_col); /* no 0x58 yet */
	/* Two lines fewer: the unwired ones give way, not the figures. */
	assert_true(cg_layout_choose(&need, &it, 80, 22, &l));
	assert_false(l.unwired);
	assert_int_equal(l.rows, 12);
	assert_int_equal(l.level, 2);
}

static void test_fewer_figures_before_too_small(void **state)
{
	struct cg_items it;
	struct cg_layout l;
	(void)state;

	readme_figures(&it);
	/* 16 rows at 40 columns: one column only; level 0 is 2 + 2 lines
	 * (line one wraps at 40), so 4 + 1 + 16 + 1 = 22. */
	assert_true(cg_layout_choose(&cells16, &it, 40, 22, &l));
	assert_int_equal(l.level, 0);
	assert_int_equal(l.ncols, 1);
	assert_false(cg_layout_choose(&cells16, &it, 40, 21, &l));
	assert_int_equal(cg_layout_height_needed(&cells16, &it, 40), 22);
}

static void test_below_minimum_size(void **state)
{
	struct cg_layout_need one = { 1, 0, false, false };
	struct cg_items it = { .n = 0 };
	struct cg_layout l;
	(void)state;

	/* Even a single "waiting" line is refused below 40x10. */
	assert_true(cg_layout_choose(&one, &it, 40, 10, &l));
	assert_false(cg_layout_choose(&one, &it, 39, 24, &l));
	assert_false(cg_layout_choose(&one, &it, 80, 9, &l));
	assert_int_equal(cg_layout_height_needed(&one, &it, 40), 10);
}

static void test_height_needed_is_the_least_that_fits(void **state)
{
	struct cg_items it;
	struct cg_layout l;
	(void)state;

	readme_figures(&it);
	for (int n = 8; n <= 24; n += 8) {
		struct cg_layout_need need = { n, 0, true, false };

		for (int w = CG_LAYOUT_MIN_COLS; w <= 200; w++) {
			int h = cg_layout_height_needed(&need, &it, w);

			assert_true(cg_layout_choose(&need, &it, w, h, &l));
			if (h > CG_LAYOUT_MIN_LINES)
				assert_false(cg_layout_choose(&need, &it, w,
							      h - 1, &l));
		}
	}
}

static void test_no_layout_wider_than_the_screen(void **state)
{
	struct cg_items it;
	struct cg_layout l;
	(void)state;

	readme_figures(&it);
	for (int w = CG_LAYOUT_MIN_COLS; w <= 200; w++)
		for (int h = CG_LAYOUT_MIN_LINES; h <= 60; h += 7) {
			if (!cg_layout_choose(&cells24, &it, w, h, &l))
				continue;
			int row = CG_ROW_FIXED + l.bar_w +
				  (l.imp_col ? CG_W_IMP : 0) +
				  (l.session_col ? CG_W_SESSION : 0);
			assert_true(row <= l.colw);
			assert_true(l.ncols * l.colw +
					    (l.ncols - 1) * CG_COLUMN_GAP <= w);
			assert_true(l.bar_w >= CG_BAR_MIN);
			assert_true(l.ncols * l.rows >= 24);
		}
}

static void test_60x20_drops_figure_lines_not_the_cells(void **state)
{
	struct cg_items it;
	struct cg_layout l;
	(void)state;

	readme_figures(&it);
	/* The richest table needs 3 lines of figures at 60 (the voltages
	 * wrap to two) + header + 16 + status = 21. */
	assert_false(cg_layout_choose(&cells16, &it, 60, 20, &l));
	assert_true(cg_layout_fit(&cells16, &it, 60, 20, &l));
	assert_int_equal(l.kind, CG_LAYOUT_BARS);
	assert_false(l.summary);
	assert_true(l.status);
	assert_int_equal(l.fig_lines, 2); /* the voltages, whole */
	assert_int_equal(l.ncols, 1);
	assert_int_equal(l.rows, 16);
	assert_true(l.bar_w >= CG_BAR_MIN);
	/* A line fewer: the summary line stands in for the voltages. */
	assert_true(cg_layout_fit(&cells16, &it, 60, 19, &l));
	assert_int_equal(l.kind, CG_LAYOUT_BARS);
	assert_true(l.summary);
	assert_int_equal(l.fig_lines, 1);
	assert_int_equal(l.rows, 16);
}

static void test_40x12_compact_columns(void **state)
{
	struct cg_items it;
	struct cg_layout l;
	(void)state;

	readme_figures(&it);
	/* Level 0 takes 4 lines at 40; 16 bars do not fit in 12 lines, 16
	 * compact cells in 3 columns of 6 rows do: 4 + 6 + 1 = 11. */
	assert_true(cg_layout_fit(&cells16, &it, 40, 12, &l));
	assert_int_equal(l.kind, CG_LAYOUT_COMPACT);
	assert_int_equal(l.fig_lines, 4);
	assert_int_equal(l.ncols, 3);
	assert_int_equal(l.rows, 6);
	assert_true(l.status);
	assert_true(l.ncols * l.colw + (l.ncols - 1) * CG_COLUMN_GAP <= 40);
	/* 24 cells: 8 rows; the current line gives way (3 + 8 + 1). */
	assert_true(cg_layout_fit(&cells24, &it, 40, 12, &l));
	assert_int_equal(l.kind, CG_LAYOUT_COMPACT);
	assert_int_equal(l.fig_lines, 3);
	assert_int_equal(l.rows, 8);
	assert_false(l.summary);
}

static void test_30x5_one_summary_line(void **state)
{
	struct cg_items it;
	struct cg_layout l;
	(void)state;

	readme_figures(&it);
	assert_true(cg_layout_fit(&cells16, &it, 30, 5, &l));
	assert_int_equal(l.kind, CG_LAYOUT_LINE);
	assert_true(l.summary);
	assert_true(l.status);
	assert_int_equal(l.fig_lines, 1);
	/* One line: the summary, no status line. */
	assert_true(cg_layout_fit(&cells16, &it, 30, 1, &l));
	assert_int_equal(l.kind, CG_LAYOUT_LINE);
	assert_false(l.status);
	/* Narrower than the summary line: nothing fits. */
	assert_false(cg_layout_fit(&cells16, &it, CG_LINE_MIN_COLS - 1, 24, &l));
}

static void test_fit_never_overflows(void **state)
{
	struct cg_items it;
	struct cg_layout l;
	(void)state;

	readme_figures(&it);
	for (int n = 1; n <= 24; n += 23 - n > 7 ? 7 : 1)
		for (int w = CG_LINE_MIN_COLS; w <= 140; w += 3)
			for (int h = 1; h <= 45; h++) {
				struct cg_layout_need need = { n, 0, true, false };
				int used;

				assert_true(cg_layout_fit(&need, &it, w, h, &l));
				used = l.fig_lines + (l.status ? 1 : 0);
				if (l.kind == CG_LAYOUT_BARS)
					used += 1 + l.rows;
				if (l.kind == CG_LAYOUT_COMPACT)
					used += l.rows;
				assert_true(used <= h);
				if (l.kind != CG_LAYOUT_LINE) {
					assert_true(l.ncols * l.rows >= n);
					assert_true(l.ncols * l.colw +
						    (l.ncols - 1) * CG_COLUMN_GAP <= w);
				}
				/* Where the full table fits, it is chosen. */
				if (cg_layout_choose(&need, &it, w, h, &l))
					assert_int_equal(l.kind, CG_LAYOUT_BARS);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_packs_and_wraps),
		cmocka_unit_test(test_flow_tight_items),
		cmocka_unit_test(test_flow_reserved_room),
		cmocka_unit_test(test_16_cells_fit_80x24_with_bars),
		cmocka_unit_test(test_24_cells_80x24_two_columns),
		cmocka_unit_test(test_24_cells_132x43_one_column_with_extras),
		cmocka_unit_test(test_trend_column_where_width_allows),
		cmocka_unit_test(test_unwired_listed_when_they_fit),
		cmocka_unit_test(test_fewer_figures_before_too_small),
		cmocka_unit_test(test_below_minimum_size),
		cmocka_unit_test(test_height_needed_is_the_least_that_fits),
		cmocka_unit_test(test_no_layout_wider_than_the_screen),
		cmocka_unit_test(test_60x20_drops_figure_lines_not_the_cells),
		cmocka_unit_test(test_40x12_compact_columns),
		cmocka_unit_test(test_30x5_one_summary_line),
		cmocka_unit_test(test_fit_never_overflows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
