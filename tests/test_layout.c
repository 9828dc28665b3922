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

#include "figures.h"
#include "inspect.h"
#include "layout.h"
#include "pack.h"

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

static const struct cg_layout_need cells16 = { 16, 0, true };
static const struct cg_layout_need cells24 = { 24, 0, true };

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

static void test_unwired_listed_when_they_fit(void **state)
{
	struct cg_layout_need need = { 12, 4, false };
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
	struct cg_layout_need one = { 1, 0, false };
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
		struct cg_layout_need need = { n, 0, true };

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
				struct cg_layout_need need = { n, 0, true };
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

/* A 24-cell V1.26 unit as the table sees it: cells with Wh/Ah, a 0x57 of
 * 19 bytes, and the inspector's firmware guess from those lengths. */
struct unit24 {
	struct cg_pack pack;
	struct cg_inspect inspect;
	struct cg_view view;
};

static void unit24_start(struct unit24 *u)
{
	struct cg_record rec;

	memset(u, 0, sizeof(*u));
	cg_pack_init(&u->pack, NULL);
	cg_inspect_init(&u->inspect);
	memset(&rec, 0, sizeof(rec));
	rec.type = CG_REC_CELLS;
	rec.u.cells.count = 24;
	rec.u.cells.has_energy = true;
	rec.u.cells.energy_mwh = 3322935;
	rec.u.cells.charge_mah = 62905;
	for (unsigned i = 0; i < 24; i++)
		rec.u.cells.mv[i] = (uint16_t)(3290 + (i * 13) % 31);
	cg_pack_apply(&u->pack, &rec, 1000);
	memset(&rec, 0, sizeof(rec));
	rec.type = CG_REC_STATUS;
	rec.u.status.charge_end_mv = 3650;
	rec.u.status.mode = CG_MODE_CHARGE;
	rec.u.status.current_da = 192;
	rec.u.status.soc_pct = 63;
	rec.u.status.t1_dc = 204;
	rec.u.status.t2_dc = 206;
	rec.u.status.has_protection = true;
	rec.u.status.discharge_end_mv = 2800;
	cg_pack_apply(&u->pack, &rec, 1000);
	/* What the frame lengths told the inspector. */
	u->inspect.firmware = (struct cg_firmware_seen){
		.seen = true, .cells_known = true, .cells_energy = true,
		.status_known = true, .status_protection = true,
	};
	u->view = (struct cg_view){
		.pack = &u->pack,
		.inspect = &u->inspect,
		.now_ms = 1500,
	};
}

static void unit24_impedance(struct unit24 *u)
{
	struct cg_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = CG_REC_IMPEDANCE;
	rec.u.impedance.mode = CG_MODE_CHARGE;
	rec.u.impedance.current_da = 228;
	rec.u.impedance.count = 24;
	for (unsigned i = 0; i < 24; i++)
		rec.u.impedance.impedance_dmohm[i] = (uint16_t)(1 + i % 6);
	cg_pack_apply(&u->pack, &rec, 1400);
}

static void table_layout(const struct cg_view *v, int w, int h,
			 struct cg_layout *l)
{
	static struct cg_items it;
	struct cg_scale s = cg_scale_for(v->pack, true);
	struct cg_layout_need need = cg_figures_need(v);

	cg_figures_build(v, &s, &it);
	memset(l, 0, sizeof(*l));
	assert_true(cg_layout_fit(&need, &it, w, h, l));
}

static void assert_same_layout(const struct cg_layout *a,
			       const struct cg_layout *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->level, b->level);
	assert_int_equal(a->fig_lines, b->fig_lines);
	assert_int_equal(a->ncols, b->ncols);
	assert_int_equal(a->rows, b->rows);
	assert_int_equal(a->imp_col, b->imp_col);
	assert_int_equal(a->session_col, b->session_col);
	assert_int_equal(a->bar_w, b->bar_w);
}

static void test_24_cells_80x30_does_not_jump_at_0x58(void **state)
{
	static struct unit24 u;
	struct cg_layout before, after;
	(void)state;

	unit24_start(&u);
	assert_true(cg_figures_expect_impedance(&u.view));
	assert_true(cg_figures_need(&u.view).impedance);
	table_layout(&u.view, 80, 30, &before);
	unit24_impedance(&u);
	table_layout(&u.view, 80, 30, &after);
	assert_same_layout(&before, &after);
	/* ... and one column of 24, with the mOhm column waiting. */
	assert_int_equal(after.ncols, 1);
	assert_int_equal(after.rows, 24);
	assert_true(after.imp_col);
	/* At the other common sizes too. */
	static const int sizes[][2] = { { 80, 24 }, { 132, 43 }, { 100, 30 },
					{ 60, 20 }, { 40, 12 } };
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unit24_start(&u);
		table_layout(&u.view, sizes[k][0], sizes[k][1], &before);
		unit24_impedance(&u);
		table_layout(&u.view, sizes[k][0], sizes[k][1], &after);
		assert_same_layout(&before, &after);
	}
}

static void test_old_firmware_reserves_no_impedance(void **state)
{
	static struct unit24 u;
	(void)state;

	unit24_start(&u);
	/* Before V1.24: 0x57 of 15 bytes, 0x56 without Wh/Ah: no 0x58. */
	u.inspect.firmware.cells_energy = false;
	u.inspect.firmware.status_protection = false;
	assert_false(cg_figures_expect_impedance(&u.view));
	assert_false(cg_figures_need(&u.view).impedance);
	u.view.inspect = NULL;
	assert_false(cg_figures_need(&u.view).impedance);
	/* Once one arrives, it has its column whatever the firmware. */
	unit24_impedance(&u);
	assert_true(cg_figures_need(&u.view).impedance);
}

/* The item whose text starts with prefix, or NULL. */
static const struct cg_item *find_item(const struct cg_items *it,
				       const wchar_t *prefix)
{
	for (int k = 0; k < it->n; k++)
		if (wcsncmp(it->item[k].text, prefix, wcslen(prefix)) == 0)
			return &it->item[k];
	return NULL;
}

static void test_stale_figures_dimmed_with_their_age(void **state)
{
	static struct unit24 u;
	static struct cg_items it;
	struct cg_scale s = { 2800, 3650, L"BMS ends", false };
	const wchar_t *names[] = { L"Total", L"Avg", L"^ High", L"v Low",
				   L"Delta", L"Current" };
	(void)state;

	unit24_start(&u);
	cg_figures_build(&u.view, &s, &it);
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		assert_non_null(find_item(&it, names[k]));
		assert_false(find_item(&it, names[k])->attr & CG_A_DIM);
	}
	assert_null(wcsstr(find_item(&it, L"Delta")->text, L"old"));

	/* 12 s later nothing came: cells (2 s period) and status (1 s) are
	 * overdue. */
	u.view.now_ms = 13000;
	cg_figures_build(&u.view, &s, &it);
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		assert_true(find_item(&it, names[k])->attr & CG_A_DIM);
	assert_non_null(wcsstr(find_item(&it, L"Delta")->text, L"12 s old"));
	assert_non_null(wcsstr(find_item(&it, L"Current")->text, L"12 s old"));

	/* The summary line says it too. */
	wchar_t line[CG_TEXT_MAX];
	assert_true(cg_figures_summary(&u.view, 80, line) & CG_A_DIM);
	assert_non_null(wcsstr(line, L"STALE 12 s"));
	u.view.now_ms = 1500;
	assert_false(cg_figures_summary(&u.view, 80, line) & CG_A_DIM);
	assert_null(wcsstr(line, L"STALE"));
}

static void test_summary_fits_the_width(void **state)
{
	static struct unit24 u;
	wchar_t line[CG_TEXT_MAX];
	(void)state;

	unit24_start(&u);
	/* Cells 3.290 (#1) .. 3.320 (#20), pack 79.3xx V. */
	for (int w = CG_LINE_MIN_COLS; w <= 120; w++) {
		cg_figures_summary(&u.view, w, line);
		if (w >= 30)
			assert_true((int)wcslen(line) <= w);
		/* Pack, high, low and delta, however short. */
		assert_non_null(wcsstr(line, L"3.320"));
		assert_non_null(wcsstr(line, L"3.290"));
		assert_non_null(wcsstr(line, L"30"));
	}
	cg_figures_summary(&u.view, 200, line);
	assert_non_null(wcsstr(line, L"High #20 3.320 V"));
	assert_non_null(wcsstr(line, L"Delta 30 mV"));
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
		cmocka_unit_test(test_unwired_listed_when_they_fit),
		cmocka_unit_test(test_fewer_figures_before_too_small),
		cmocka_unit_test(test_below_minimum_size),
		cmocka_unit_test(test_height_needed_is_the_least_that_fits),
		cmocka_unit_test(test_no_layout_wider_than_the_screen),
		cmocka_unit_test(test_60x20_drops_figure_lines_not_the_cells),
		cmocka_unit_test(test_40x12_compact_columns),
		cmocka_unit_test(test_30x5_one_summary_line),
		cmocka_unit_test(test_fit_never_overflows),
		cmocka_unit_test(test_24_cells_80x30_does_not_jump_at_0x58),
		cmocka_unit_test(test_old_firmware_reserves_no_impedance),
		cmocka_unit_test(test_stale_figures_dimmed_with_their_age),
		cmocka_unit_test(test_summary_fits_the_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
