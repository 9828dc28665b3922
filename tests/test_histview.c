/*
 * Unit tests for histview: which graphs fit at a size and where, the
 * window of a zoom and a pan, the value scale, and the time axis's ticks
 * and clock labels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "histview.h"

#define T0 1767225600000ull /* 2026-01-01T00:00:00Z */
#define MIN 60000ull
#define HOUR 3600000ull

/* Every graph inside lines 1 .. lines - 4, in order, none overlapping,
 * with the marks, the axis and its labels on the last three lines. */
static void assert_layout_sane(const struct cg_histview_layout *l, int cols,
			       int lines)
{
	int y = 1;

	for (int i = 0; i < l->n; i++) {
		const struct cg_histview_panel *p = &l->panel[i];
		assert_int_equal(p->kind, i);
		assert_int_equal(p->title_y, y);
		assert_int_equal(p->y, y + 1);
		assert_true(p->h >= (i == 0 ? CG_HV_CELLS_MIN : CG_HV_OTHER_MIN));
		y = p->y + p->h;
	}
	assert_int_equal(l->marks_y, y);
	assert_int_equal(l->axis_y, y + 1);
	assert_int_equal(l->labels_y, y + 2);
	assert_true(l->labels_y <= lines - 1);
	assert_int_equal(l->x0, CG_HV_GUTTER);
	assert_true(l->x0 + l->width <= cols);
}

static void test_layout_80x24_all_graphs(void **state)
{
	struct cg_histview_layout l;
	(void)state;
	/* 24 lines less the status line */
	assert_int_equal(cg_histview_layout(80, 23, &l), CG_HV_KINDS);
	assert_layout_sane(&l, 80, 23);
	/* every line used: the labels on the last */
	assert_int_equal(l.labels_y, 22);
	assert_int_equal(l.width, 80 - CG_HV_GUTTER - 1);
	/* the cell graph is the tallest */
	for (int i = 1; i < l.n; i++)
		assert_true(l.panel[0].h > l.panel[i].h);
}

static void test_layout_larger_uses_rows(void **state)
{
	struct cg_histview_layout small, big;
	(void)state;
	cg_histview_layout(80, 23, &small);
	assert_int_equal(cg_histview_layout(132, 42, &big), CG_HV_KINDS);
	assert_layout_sane(&big, 132, 42);
	assert_int_equal(big.labels_y, 41);
	for (int i = 0; i < big.n; i++)
		assert_true(big.panel[i].h > small.panel[i].h);
	assert_true(big.width > small.width);
}

static void test_layout_degrades(void **state)
{
	struct cg_histview_layout l;
	int prev = CG_HV_KINDS;
	(void)state;
	/* fewer lines: fewer graphs, never more, and the cells the last */
	for (int lines = 23; lines >= 1; lines--) {
		int n = cg_histview_layout(80, lines, &l);
		assert_true(n <= prev);
		assert_int_equal(n, l.n);
		if (n)
			assert_layout_sane(&l, 80, lines);
		prev = n;
	}
	assert_int_equal(cg_histview_layout(80, 8, &l), 1);
	assert_int_equal(l.panel[0].kind, CG_HV_CELLS);
	assert_int_equal(cg_histview_layout(80, 7, &l), 0);
	assert_int_equal(cg_histview_layout(CG_HV_MIN_COLS - 1, 23, &l), 0);
	assert_int_equal(cg_histview_layout(CG_HV_MIN_COLS, 23, &l), CG_HV_KINDS);
	/* a wide terminal: the canvas's width at most */
	cg_histview_layout(400, 23, &l);
	assert_int_equal(l.width, CG_HV_WIDTH_MAX);
	/* a tall one: the canvas's rows at most */
	cg_histview_layout(80, 300, &l);
	assert_true(l.panel[0].h <= CG_HV_ROWS_MAX);
	assert_layout_sane(&l, 80, 300);
}

static void test_spans(void **state)
{
	(void)state;
	assert_int_equal(cg_histview_span_ms(0), 5 * MIN);
	assert_int_equal(cg_histview_span_ms(2), HOUR);
	assert_int_equal(cg_histview_span_ms(CG_HV_ZOOMS - 1), 0);
	assert_string_equal(cg_histview_span_name(1), "15 min");
	assert_string_equal(cg_histview_span_name(CG_HV_ZOOMS - 1), "session");
	for (int i = 1; i < CG_HV_ZOOMS - 1; i++)
		assert_true(cg_histview_span_ms(i) > cg_histview_span_ms(i - 1));
}

static void test_window(void **state)
{
	uint64_t from, to;
	(void)state;
	/* the whole session: first sample to a second after the last */
	assert_int_equal(cg_histview_window(T0, T0 + HOUR - 1000, 0, 5 * MIN,
					    &from, &to), 0);
	assert_int_equal(from, T0);
	assert_int_equal(to, T0 + HOUR);
	/* 5 minutes, following: the newest at the right */
	assert_int_equal(cg_histview_window(T0, T0 + HOUR - 1000, 5 * MIN, 0,
					    &from, &to), 0);
	assert_int_equal(from, T0 + 55 * MIN);
	assert_int_equal(to, T0 + HOUR);
	/* panned back 10 minutes */
	assert_int_equal(cg_histview_window(T0, T0 + HOUR - 1000, 5 * MIN,
					    10 * MIN, &from, &to), 10 * MIN);
	assert_int_equal(from, T0 + 45 * MIN);
	assert_int_equal(to, T0 + 50 * MIN);
	/* panned past the start: stops at the first sample */
	assert_int_equal(cg_histview_window(T0, T0 + HOUR - 1000, 5 * MIN,
					    2 * HOUR, &from, &to), 55 * MIN);
	assert_int_equal(from, T0);
	assert_int_equal(to, T0 + 5 * MIN);
	/* a window longer than the data: no pan, the newest at the right */
	assert_int_equal(cg_histview_window(T0, T0 + MIN - 1000, 15 * MIN,
					    MIN, &from, &to), 0);
	assert_int_equal(to, T0 + MIN);
	assert_int_equal(from, T0 + MIN - 15 * MIN);
}

static void test_scale(void **state)
{
	int32_t lo, hi;
	(void)state;
	/* 3.300 .. 4.200 V: room above and below */
	cg_histview_scale(3300, 4200, 20, false, &lo, &hi);
	assert_true(lo < 3300 && lo >= 3200);
	assert_true(hi > 4200 && hi <= 4300);
	/* flat data widened to the minimum range, about its middle */
	cg_histview_scale(3300, 3300, 20, false, &lo, &hi);
	assert_true(hi - lo >= 20);
	assert_true(lo < 3300 && hi > 3300);
	assert_int_equal(3300 - lo, hi - 3300);
	/* current while charging only: zero is the bottom */
	cg_histview_scale(50, 100, 10, true, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_true(hi > 100);
	/* discharging only: zero at the top */
	cg_histview_scale(-150, -100, 10, true, &lo, &hi);
	assert_true(lo < -150);
	assert_true(hi >= 0);
	/* both: both signs */
	cg_histview_scale(-150, 100, 10, true, &lo, &hi);
	assert_true(lo < -150 && hi > 100);
	/* nothing moved at zero: still a range */
	cg_histview_scale(0, 0, 10, true, &lo, &hi);
	assert_true(hi - lo >= 10);
	assert_int_equal(lo, 0);
	/* swapped ends are put right */
	cg_histview_scale(4200, 3300, 20, false, &lo, &hi);
	assert_true(lo < 3300 && hi > 4200);
}

static void test_col(void **state)
{
	(void)state;
	assert_int_equal(cg_histview_col(T0, T0 + HOUR, 60, T0), 0);
	assert_int_equal(cg_histview_col(T0, T0 + HOUR, 60, T0 + 30 * MIN), 30);
	assert_int_equal(cg_histview_col(T0, T0 + HOUR, 60, T0 + HOUR - 1), 59);
	assert_int_equal(cg_histview_col(T0, T0 + HOUR, 60, T0 + HOUR), -1);
	assert_int_equal(cg_histview_col(T0, T0 + HOUR, 60, T0 - 1), -1);
	assert_int_equal(cg_histview_col(T0, T0, 60, T0), -1);
}

static void test_ticks_hour_in_72(void **state)
{
	struct cg_histview_tick t[CG_HV_TICKS_MAX];
	(void)state;
	/* An hour in 72 columns: 5 min steps are 6 columns, too close for
	 * "00:05" and a gap; 10 min are 12. */
	int n = cg_histview_ticks(T0, T0 + HOUR, 72, 0, t, CG_HV_TICKS_MAX);
	assert_int_equal(n, 6);
	assert_string_equal(t[0].text, "00:00");
	assert_int_equal(t[0].col, 0);
	assert_string_equal(t[1].text, "00:10");
	assert_int_equal(t[1].col, 12);
	assert_string_equal(t[3].text, "00:30");
	assert_int_equal(t[3].col, 36);
	assert_string_equal(t[5].text, "00:50");
	/* labels apart and inside */
	for (int i = 0; i < n; i++) {
		assert_true(t[i].col + 5 <= 72);
		if (i)
			assert_true(t[i].col >= t[i - 1].col + 5 + 2);
	}
}

static void test_ticks_seconds_and_offset(void **state)
{
	struct cg_histview_tick t[CG_HV_TICKS_MAX];
	(void)state;
	/* 5 minutes from 00:00:10 in 72 columns: 1 min steps would be 14
	 * columns, 30 s 7, too few for "00:00:30" and a gap: minutes */
	int n = cg_histview_ticks(T0 + 10000, T0 + 10000 + 5 * MIN, 72, 0, t,
				  CG_HV_TICKS_MAX);
	assert_true(n >= 4);
	assert_string_equal(t[0].text, "00:01");
	assert_int_equal(t[0].col, (int)(50000ull * 72 / (5 * MIN)));
	/* 1 minute in 200 columns: seconds shown */
	n = cg_histview_ticks(T0, T0 + MIN, 200, 0, t, CG_HV_TICKS_MAX);
	assert_true(n >= 4);
	assert_int_equal((int)strlen(t[1].text), 8);
	assert_string_equal(t[0].text, "00:00:00");
	/* local time two hours east of UTC: labels say 02:xx */
	n = cg_histview_ticks(T0, T0 + HOUR, 72, 2 * (int64_t)HOUR, t,
			      CG_HV_TICKS_MAX);
	assert_string_equal(t[0].text, "02:00");
	/* half-hour zone: round local times, not round UTC */
	n = cg_histview_ticks(T0, T0 + HOUR, 72, 30 * (int64_t)MIN, t,
			      CG_HV_TICKS_MAX);
	assert_string_equal(t[0].text, "00:30");
	assert_int_equal(t[0].col, 0);
	/* a day in 60 columns: hours apart enough; too narrow: none */
	n = cg_histview_ticks(T0, T0 + 24 * HOUR, 60, 0, t, CG_HV_TICKS_MAX);
	assert_true(n >= 3);
	assert_int_equal(cg_histview_ticks(T0, T0 + HOUR, 4, 0, t,
					   CG_HV_TICKS_MAX), 0);
	/* never more than asked for */
	assert_int_equal(cg_histview_ticks(T0, T0 + HOUR, 72, 0, t, 2), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_80x24_all_graphs),
		cmocka_unit_test(test_layout_larger_uses_rows),
		cmocka_unit_test(test_layout_degrades),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_col),
		cmocka_unit_test(test_ticks_hour_in_72),
		cmocka_unit_test(test_ticks_seconds_and_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
