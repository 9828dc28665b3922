/*
 * Unit tests for history: bounded memory for any session length, min and
 * max kept across downsampling, a one-sample spike visible at every zoom
 * after a week, averages, marks kept, and what a pack record adds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "history.h"

#define T0 1767225600000ull /* 2026-01-01T00:00:00Z */
#define S 1000ull
#define DAY (86400 * S)
#define WEEK (7 * DAY)

static struct cg_hist h; /* about a megabyte: off the stack */
static struct cg_hist_column cols[2048];

/* Which column of ncols over [from, to) holds time t. */
static size_t col_of(uint64_t from, uint64_t to, size_t ncols, uint64_t t)
{
	return (size_t)((t - from) * ncols / (to - from));
}

static void test_memory_bounded(void **state)
{
	(void)state;
	/* Fixed size, about a megabyte, whatever the session length. */
	assert_true(sizeof(struct cg_hist) < 1200u * 1024u);

	cg_hist_init(&h);
	/* Three years, one sample a minute: the growing tier halves again
	 * and again but still covers the very first sample. */
	uint64_t end = T0 + 3 * 365 * DAY;
	for (uint64_t t = T0; t < end; t += 60 * S)
		cg_hist_add(&h, CG_HIST_AVG, t == T0 ? 4000 : 3300, t);
	const struct cg_hist_tier *last = &h.tier[CG_HIST_TIERS - 1];
	assert_true(last->interval_ms > 600 * S);
	assert_true(last->newest - last->first < last->cap);
	assert_int_equal(cg_hist_query(&h, CG_HIST_AVG, T0, end, cols, 100),
			 100);
	assert_int_equal(cols[0].max, 4000);
	assert_int_equal(cols[99].max, 3300);
	assert_int_equal(cols[50].min, 3300);
	/* The finest tier holds only the last 10 minutes. */
	assert_int_equal(cg_hist_resolution_ms(&h, end - 5 * 60 * S), 1000);
	assert_true(cg_hist_resolution_ms(&h, T0) > 600 * S);
}

static void test_minmax_across_downsampling(void **state)
{
	(void)state;
	cg_hist_init(&h);
	/* Two days of a saw tooth 3200..3399 mV at 1 Hz. */
	for (uint64_t i = 0; i < 2 * 86400; i++)
		cg_hist_add(&h, CG_HIST_CELL0 + 3, 3200 + (int32_t)(i % 200),
			    T0 + i * S);
	/* The first hour is only in the coarse tiers by now. */
	assert_int_equal(cg_hist_query(&h, CG_HIST_CELL0 + 3, T0,
				       T0 + 3600 * S, cols, 3), 3);
	for (int c = 0; c < 3; c++) {
		assert_int_equal(cols[c].min, 3200);
		assert_int_equal(cols[c].max, 3399);
		assert_true(cols[c].avg >= 3290 && cols[c].avg <= 3310);
	}
	/* Another series never given has no data. */
	assert_int_equal(cg_hist_query(&h, CG_HIST_CELL0, T0, T0 + DAY, cols,
				       10), 0);
	assert_false(cols[0].have);
}

static void test_average(void **state)
{
	(void)state;
	cg_hist_init(&h);
	for (int i = 0; i < 10; i++)
		cg_hist_add(&h, CG_HIST_CURRENT, i < 5 ? -100 : 300,
			    T0 + (uint64_t)i * S);
	assert_int_equal(cg_hist_query(&h, CG_HIST_CURRENT, T0, T0 + 10 * S,
				       cols, 1), 1);
	assert_int_equal(cols[0].min, -100);
	assert_int_equal(cols[0].max, 300);
	assert_int_equal(cols[0].avg, 100);
	/* At full resolution, one column per second. */
	assert_int_equal(cg_hist_query(&h, CG_HIST_CURRENT, T0, T0 + 10 * S,
				       cols, 10), 10);
	assert_int_equal(cols[4].max, -100);
	assert_int_equal(cols[5].min, 300);
}

/* A week at 1 Hz with one 1-sample spike at spike_t: every zoom that
 * contains it shows it in the right column (or its neighbour, when a
 * bucket is wider than a column), and no column far from it does. */
static void spike_visible(uint64_t spike_t)
{
	static const uint64_t spans[] = { 60 * S, 600 * S, 3600 * S, DAY,
					  WEEK };
	static const size_t widths[] = { 80, 500, 1100 };
	uint64_t end = T0 + WEEK;

	cg_hist_init(&h);
	for (uint64_t t = T0; t < end; t += S)
		cg_hist_add(&h, CG_HIST_HIGH, t == spike_t ? 4100 : 3350, t);
	for (size_t i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		uint64_t from = spike_t > T0 + spans[i] / 3 ?
				spike_t - spans[i] / 3 : T0;
		uint64_t to = from + spans[i];
		if (to > end) {
			to = end;
			from = end - spans[i];
		}
		for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
			size_t n = widths[w];
			cg_hist_query(&h, CG_HIST_HIGH, from, to, cols, n);
			size_t at = col_of(from, to, n, spike_t);
			size_t found = n, seen = 0;
			for (size_t c = 0; c < n; c++)
				if (cols[c].have && cols[c].max == 4100) {
					if (found == n)
						found = c;
					seen++;
				}
			if (found == n)
				fail_msg("spike lost: span %llu s, %zu columns",
					 (unsigned long long)(spans[i] / S), n);
			/* The spike's column is among those showing it, and
			 * they span at most one bucket of the tier used. */
			uint64_t res = cg_hist_resolution_ms(&h, from);
			size_t bucket_cols = (size_t)(res * n / (to - from)) + 2;
			assert_true(at >= found && at < found + seen);
			assert_true(seen <= bucket_cols);
		}
	}
}

static void test_spike_recent(void **state)
{
	(void)state;
	spike_visible(T0 + WEEK - 300 * S);
}

static void test_spike_week_old(void **state)
{
	(void)state;
	spike_visible(T0 + 12345 * S);
}

static void test_marks_kept(void **state)
{
	(void)state;
	cg_hist_init(&h);
	cg_hist_mark(&h, T0 + 30 * S, CG_HIST_MARK_ALARM,
		     "cell 5 high: 3.652 V (limit 3.650 V) and a long tail");
	for (uint64_t t = T0; t < T0 + WEEK; t += 10 * S)
		cg_hist_add(&h, CG_HIST_DELTA, 20, t);
	cg_hist_mark(&h, T0 + WEEK - 1 * S, CG_HIST_MARK_LINK, "link lost");
	cg_hist_query(&h, CG_HIST_DELTA, T0, T0 + WEEK, cols, 700);
	assert_int_equal(cols[0].marks, CG_HIST_MARK_ALARM);
	assert_int_equal(cols[699].marks, CG_HIST_MARK_LINK);
	for (int c = 2; c < 697; c++)
		assert_int_equal(cols[c].marks, 0);
	const struct cg_hist_mark *m = cg_hist_mark_get(&h, 0);
	assert_non_null(m);
	assert_int_equal(m->wall_ms, T0 + 30 * S);
	assert_int_equal(strlen(m->text), CG_HIST_MARK_TEXT - 1);
	assert_memory_equal(m->text, "cell 5 high", 11);
	assert_string_equal(cg_hist_mark_get(&h, 1)->text, "link lost");
	assert_null(cg_hist_mark_get(&h, 2));
	/* The ring keeps the newest when it overflows. */
	for (unsigned i = 0; i < CG_HIST_MARKS + 5; i++)
		cg_hist_mark(&h, T0 + WEEK + i * S, CG_HIST_MARK_MODE, "mode");
	assert_int_equal(h.mark_count, CG_HIST_MARKS);
	assert_int_equal(cg_hist_mark_get(&h, 0)->wall_ms, T0 + WEEK + 5 * S);
}

static void test_mark_kinds(void **state)
{
	(void)state;
	assert_int_equal(cg_hist_mark_kind_of("cell 5 high: 3.652 V (limit 3.650 V)"),
			 CG_HIST_MARK_ALARM);
	assert_int_equal(cg_hist_mark_kind_of("delta 120 mV (limit 100 mV)"),
			 CG_HIST_MARK_ALARM);
	assert_int_equal(cg_hist_mark_kind_of("mode discharge -> charge"),
			 CG_HIST_MARK_MODE);
	assert_int_equal(cg_hist_mark_kind_of("charge protection ACTIVE"),
			 CG_HIST_MARK_MODE);
	assert_int_equal(cg_hist_mark_kind_of("link lost: gone"),
			 CG_HIST_MARK_LINK);
	assert_int_equal(cg_hist_mark_kind_of("opened x.rec"),
			 CG_HIST_MARK_OTHER);
}

static void test_apply_pack(void **state)
{
	struct cg_pack pack;
	struct cg_pack_config config = { 0 };
	struct cg_record rec = { .type = CG_REC_CELLS };
	(void)state;

	cg_hist_init(&h);
	cg_pack_init(&pack, &config);
	rec.u.cells.count = 8;
	for (int i = 0; i < 8; i++)
		rec.u.cells.mv[i] = (uint16_t)(3300 + i);
	rec.u.cells.mv[6] = 10; /* not wired: below 1 V at the end */
	rec.u.cells.mv[7] = 10;
	cg_pack_apply(&pack, &rec, 1000);
	cg_hist_apply(&h, &pack, CG_REC_CELLS, T0);

	struct cg_record st = { .type = CG_REC_STATUS };
	st.u.status.mode = CG_MODE_STORAGE;
	st.u.status.current_da = 12;
	st.u.status.soc_pct = 77;
	st.u.status.t1_dc = -15;
	st.u.status.t2_dc = 201;
	cg_pack_apply(&pack, &st, 1500);
	cg_hist_apply(&h, &pack, CG_REC_STATUS, T0 + 500);

	assert_int_equal(h.cells, 6);
	struct { enum cg_hist_series s; int32_t v; } want[] = {
		{ CG_HIST_HIGH, 3305 }, { CG_HIST_LOW, 3300 },
		{ CG_HIST_AVG, 3303 }, { CG_HIST_DELTA, 5 },
		{ CG_HIST_CELL0 + 2, 3302 }, { CG_HIST_SOC, 77 },
		{ CG_HIST_T1, -15 }, { CG_HIST_T2, 201 },
		{ CG_HIST_CURRENT, 12 },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(cg_hist_query(&h, want[i].s, T0, T0 + S, cols,
					       1), 1);
		assert_int_equal(cols[0].max, want[i].v);
	}
	assert_int_equal(cols[0].flags, CG_HIST_CURRENT_UNKNOWN);
	assert_int_equal(cg_hist_query(&h, CG_HIST_CELL0 + 6, T0, T0 + S,
				       cols, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_bounded),
		cmocka_unit_test(test_minmax_across_downsampling),
		cmocka_unit_test(test_average),
		cmocka_unit_test(test_spike_recent),
		cmocka_unit_test(test_spike_week_old),
		cmocka_unit_test(test_marks_kept),
		cmocka_unit_test(test_mark_kinds),
		cmocka_unit_test(test_apply_pack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
