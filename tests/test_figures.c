/*
 * Unit tests for figures: what the table makes room for (the layout does
 * not jump when a 0x58 arrives on a unit that sends them), stale figures
 * dimmed with their age, and the summary line a small terminal shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "alarm.h"
#include "figures.h"
#include "inspect.h"
#include "layout.h"
#include "pack.h"

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
	rec.u.status.has_mode = true; /* V1.21 on */
	rec.u.status.mode = CG_MODE_CHARGE;
	rec.u.status.current_da = 192;
	rec.u.status.has_soc = true; /* V1.22 on */
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

/* A pack of n cells (--cells n) at these voltages, at time 1000 ms. */
static void small_pack(struct cg_pack *p, struct cg_view *v, unsigned n,
		       const uint16_t *mv)
{
	struct cg_pack_config config = { .cells = (uint8_t)n };
	struct cg_record rec;

	cg_pack_init(p, &config);
	memset(&rec, 0, sizeof(rec));
	rec.type = CG_REC_CELLS;
	rec.u.cells.count = (uint8_t)n;
	memcpy(rec.u.cells.mv, mv, n * sizeof(mv[0]));
	cg_pack_apply(p, &rec, 1000);
	*v = (struct cg_view){ .pack = p, .now_ms = 1200 };
}

/* A 0x57 as firmware before V1.21 sends it (13 bytes): no mode, no SOC,
 * the current a magnitude. */
static void old_status(struct cg_pack *p, unsigned charge_end_mv,
		       int32_t current_da)
{
	struct cg_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = CG_REC_STATUS;
	rec.u.status.charge_end_mv = (uint16_t)charge_end_mv;
	rec.u.status.has_mode = false;
	rec.u.status.mode = CG_MODE_UNKNOWN;
	rec.u.status.current_da = current_da;
	rec.u.status.t1_dc = 200;
	rec.u.status.t2_dc = 210;
	cg_pack_apply(p, &rec, 1000);
}

static const wchar_t *item_text(const struct cg_items *it,
				const wchar_t *prefix)
{
	const struct cg_item *i = find_item(it, prefix);

	assert_non_null(i);
	return i->text;
}

static void test_ties_are_all_named(void **state)
{
	static const uint16_t two[4] = { 3300, 3320, 3290, 3320 };
	static const uint16_t many[8] = { 3320, 3320, 3290, 3320,
					  3320, 3320, 3290, 3300 };
	static struct cg_items it;
	struct cg_scale s = { 2800, 3650, L"BMS ends", false };
	struct cg_pack p;
	struct cg_view v;
	(void)state;

	small_pack(&p, &v, 4, two);
	cg_figures_build(&v, &s, &it);
	assert_true(wcscmp(item_text(&it, L"^ High"), L"^ High #2 #4 3.320 V") == 0);
	assert_true(wcscmp(item_text(&it, L"v Low"), L"v Low #3 3.290 V") == 0);
	/* Five at the top, two at the bottom: three named, "+2" the rest. */
	small_pack(&p, &v, 8, many);
	cg_figures_build(&v, &s, &it);
	assert_true(wcscmp(item_text(&it, L"^ High"),
			   L"^ High #1 #2 #4 +2 3.320 V") == 0);
	assert_true(wcscmp(item_text(&it, L"v Low"), L"v Low #3 #7 3.290 V") == 0);
	/* The summary line names them as the header does, when it can. */
	wchar_t line[CG_TEXT_MAX];
	cg_figures_summary(&v, 200, line);
	assert_non_null(wcsstr(line, L"High #1 #2 #4 +2 3.320 V"));
	assert_non_null(wcsstr(line, L"Low #3 #7 3.290 V"));
}

static void test_lost_cell_is_an_alarm_in_the_header(void **state)
{
	static const uint16_t live[4] = { 3300, 3310, 3305, 3300 };
	static const uint16_t gone[4] = { 3300, 20, 3305, 10 };
	static struct cg_items it;
	struct cg_scale s = { 2800, 3650, L"BMS ends", false };
	struct cg_record rec;
	struct cg_pack p;
	struct cg_view v;
	const struct cg_item *i;
	(void)state;

	small_pack(&p, &v, 4, live);
	cg_figures_build(&v, &s, &it);
	assert_null(find_item(&it, L"!LOST"));
	/* Cell 2 collapses: named, with its last good voltage. */
	memset(&rec, 0, sizeof(rec));
	rec.type = CG_REC_CELLS;
	rec.u.cells.count = 4;
	memcpy(rec.u.cells.mv, live, sizeof(live));
	rec.u.cells.mv[1] = 20;
	cg_pack_apply(&p, &rec, 3000);
	v.now_ms = 3100;
	cg_figures_build(&v, &s, &it);
	i = find_item(&it, L"!LOST");
	assert_non_null(i);
	assert_true(wcscmp(i->text, L"!LOST #2 (was 3.310 V)") == 0);
	assert_int_equal(i->role, CG_ROLE_ALERT);
	assert_int_equal(i->level, 0);
	assert_true(i->attr & CG_A_REVERSE);
	/* Two of them: both named. */
	memcpy(rec.u.cells.mv, gone, sizeof(gone));
	cg_pack_apply(&p, &rec, 5000);
	v.now_ms = 5100;
	cg_figures_build(&v, &s, &it);
	assert_true(wcscmp(item_text(&it, L"!LOST"), L"!LOST #2 #4") == 0);
	/* The summary line of a small terminal says it too, at any width. */
	wchar_t line[CG_TEXT_MAX];
	cg_figures_summary(&v, 200, line);
	assert_non_null(wcsstr(line, L"!LOST #2 #4"));
	for (int w = 30; w <= 120; w++) {
		cg_figures_summary(&v, w, line);
		assert_true((int)wcslen(line) <= w);
		assert_true(line[0] == L'!');
	}
}

static void test_guessed_low_limit_says_so(void **state)
{
	static const uint16_t lfp[4] = { 3300, 3310, 3305, 3300 };
	static struct cg_items it;
	struct cg_scale s = { 2500, 3650, L"LiFePO4 guess", false };
	struct cg_alarms al;
	struct cg_alarm_config config = { 0 };
	struct cg_pack p;
	struct cg_view v;
	(void)state;

	small_pack(&p, &v, 4, lfp);
	old_status(&p, 3650, 230);
	cg_alarms_init(&al);
	cg_alarms_update(&al, &config, &p, NULL, 0);
	assert_true(al.low_guessed);
	v.alarms = &al;
	cg_figures_build(&v, &s, &it);
	assert_non_null(wcsstr(item_text(&it, L"limits:"),
			       L"LO 2.500 V (guessed)"));
	/* The user's own limit is not a guess. */
	config.low_mv = 2800;
	cg_alarms_update(&al, &config, &p, NULL, 0);
	cg_figures_build(&v, &s, &it);
	assert_non_null(wcsstr(item_text(&it, L"limits:"), L"LO 2.800 V  "));
	assert_null(wcsstr(item_text(&it, L"limits:"), L"guessed"));
}

static void test_current_without_mode_has_no_direction(void **state)
{
	static const uint16_t lfp[4] = { 3300, 3310, 3305, 3300 };
	static struct cg_items it;
	struct cg_scale s = { 2500, 3650, L"LiFePO4 guess", false };
	struct cg_pack p;
	struct cg_view v;
	const wchar_t *cur;
	(void)state;

	small_pack(&p, &v, 4, lfp);
	old_status(&p, 3650, 230);
	cg_figures_build(&v, &s, &it);
	cur = item_text(&it, L"Current");
	assert_true(wcscmp(cur, L"Current 23.0 A, direction unknown") == 0);
	assert_null(wcschr(cur, L'+'));
	assert_null(wcschr(cur, L'-'));
	/* Why, when there is room, right after it. */
	const struct cg_item *why = find_item(&it, L"(firmware before V1.21)");
	assert_non_null(why);
	assert_true(why->tight);
	assert_true(why - find_item(&it, L"Current") == 1);
	/* Nor a made-up SOC: the 13-byte frame carries none. */
	assert_true(wcscmp(item_text(&it, L"SOC"), L"SOC -- %") == 0);
}

static void test_soc_from_either_frame(void **state)
{
	static const uint16_t lfp[4] = { 3300, 3310, 3305, 3300 };
	static struct cg_items it;
	struct cg_scale s = { 2500, 3650, L"LiFePO4 guess", false };
	struct cg_record rec;
	struct cg_pack p;
	struct cg_view v;
	(void)state;

	/* V1.22/V1.23: the SOC rides in the 0x56 too (here before any 0x57
	 * has come). A unit whose 0x57 has no SOC (13 bytes, before V1.21)
	 * has none in its 0x56 either: see the end. */
	small_pack(&p, &v, 4, lfp);
	memset(&rec, 0, sizeof(rec));
	rec.type = CG_REC_CELLS;
	rec.u.cells.count = 4;
	memcpy(rec.u.cells.mv, lfp, sizeof(lfp));
	rec.u.cells.has_soc = true;
	rec.u.cells.soc_pct = 77;
	cg_pack_apply(&p, &rec, 1000);
	assert_true(p.have_soc);
	cg_figures_build(&v, &s, &it);
	assert_true(wcscmp(item_text(&it, L"SOC"), L"SOC 77 %") == 0);
	assert_false(find_item(&it, L"SOC")->attr & CG_A_DIM);
	/* Long gone: dimmed, never passed off as live. */
	v.now_ms = 60000;
	cg_figures_build(&v, &s, &it);
	assert_true(find_item(&it, L"SOC")->attr & CG_A_DIM);

	/* A 0x57 without SOC: the byte was no SOC; none is shown. */
	v.now_ms = 1000;
	old_status(&p, 3650, 230);
	assert_false(p.have_soc);
	cg_figures_build(&v, &s, &it);
	assert_true(find_item(&it, L"SOC") == NULL ||
		    wcsstr(item_text(&it, L"SOC"), L"77") == NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_24_cells_80x30_does_not_jump_at_0x58),
		cmocka_unit_test(test_old_firmware_reserves_no_impedance),
		cmocka_unit_test(test_stale_figures_dimmed_with_their_age),
		cmocka_unit_test(test_summary_fits_the_width),
		cmocka_unit_test(test_ties_are_all_named),
		cmocka_unit_test(test_lost_cell_is_an_alarm_in_the_header),
		cmocka_unit_test(test_guessed_low_limit_says_so),
		cmocka_unit_test(test_current_without_mode_has_no_direction),
		cmocka_unit_test(test_soc_from_either_frame),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
