/*
 * Unit tests for plot and plottime: --from/--to forms and how they meet
 * the data, and the SVG text: whole, escaped, in chunks, small for a
 * week, the spike of a week ago in its column, events marked and listed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <cmocka.h>

#include "plot.h"

#define T0 1767225600000ull /* 2026-01-01T00:00:00Z */
#define S 1000ull
#define DAY (86400 * S)
#define WEEK (7 * DAY)

static struct cg_hist h;
static char svg[4 << 20];

struct sink {
	size_t len, biggest, calls;
	int fail_after; /* calls before failing; -1 never */
};

static int sink_write(void *ctx, const char *text, size_t len)
{
	struct sink *s = ctx;

	if (s->fail_after >= 0 && (int)s->calls >= s->fail_after)
		return -1;
	s->calls++;
	if (len > s->biggest)
		s->biggest = len;
	assert_true(s->len + len < sizeof(svg));
	memcpy(svg + s->len, text, len);
	s->len += len;
	svg[s->len] = '\0';
	return 0;
}

static void test_parse_time(void **state)
{
	static const struct { const char *text; bool clock; uint64_t ms; } good[] = {
		{ "06:00", true, 6 * 3600 * S },
		{ "23:59:59", true, (23 * 3600 + 59 * 60 + 59) * S },
		{ "2026-01-01T00:00", false, T0 },
		{ "2026-01-01T06:30:15Z", false, T0 + (6 * 3600 + 30 * 60 + 15) * S },
		{ "2026-03-01 12:00", false, T0 + 59 * DAY + 12 * 3600 * S },
		{ "2028-02-29T00:00Z", false, T0 + (365 + 365 + 31 + 28) * DAY },
	};
	static const char *const bad[] = {
		"noon", "6:00", "24:00", "12:60", "12:00:61", "2026-01-01",
		"2026-02-29T00:00", "2026-13-01T00:00", "2026-01-01T00:00+01",
		"2026-01-01T00:00ZZ", "", "12:00 ",
	};
	struct cg_plot_time t;
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&t, 0, sizeof(t));
		if (!cg_plot_parse_time(good[i].text, &t))
			fail_msg("refused %s", good[i].text);
		assert_true(t.set);
		assert_int_equal(t.clock, good[i].clock);
		assert_int_equal(t.ms, good[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cg_plot_parse_time(bad[i], &t))
			fail_msg("took %s", bad[i]);
}

static void test_window(void **state)
{
	struct cg_plot_time from = { 0 }, to = { 0 };
	struct cg_error err = { 0 };
	uint64_t f, t;
	(void)state;

	cg_hist_init(&h);
	assert_int_equal(cg_plot_window(&h, &from, &to, &f, &t, &err), -1);
	assert_int_equal(err.exit_code, EX_DATAERR);

	/* Data from 22:00 on the 1st to 02:00 on the 2nd. */
	for (uint64_t u = T0 + 22 * 3600 * S; u <= T0 + 26 * 3600 * S; u += 10 * S)
		cg_hist_add(&h, CG_HIST_AVG, 3300, u);
	assert_int_equal(cg_plot_window(&h, &from, &to, &f, &t, &err), 0);
	assert_int_equal(f, T0 + 22 * 3600 * S);
	assert_int_equal(t, T0 + 26 * 3600 * S + S);

	/* 23:00 to 01:00: the --to clock time lands on the next day. */
	assert_true(cg_plot_parse_time("23:00", &from));
	assert_true(cg_plot_parse_time("01:00", &to));
	assert_int_equal(cg_plot_window(&h, &from, &to, &f, &t, &err), 0);
	assert_int_equal(f, T0 + 23 * 3600 * S);
	assert_int_equal(t, T0 + 25 * 3600 * S);

	/* Outside the data: says where the data is. */
	assert_true(cg_plot_parse_time("2026-01-05T00:00", &from));
	to.set = false;
	assert_int_equal(cg_plot_window(&h, &from, &to, &f, &t, &err), -1);
	assert_int_equal(err.exit_code, EX_DATAERR);
	assert_non_null(strstr(err.message, "2026-01-01 22:00:00 to 2026-01-02 02:00:00 UTC"));

	/* --to before --from. */
	assert_true(cg_plot_parse_time("2026-01-01T23:00", &from));
	assert_true(cg_plot_parse_time("2026-01-01T22:30", &to));
	assert_int_equal(cg_plot_window(&h, &from, &to, &f, &t, &err), -1);
	assert_int_equal(err.exit_code, EX_USAGE);
}

/* The top y of the "hi" band's stroke in pixel column x, or -1. */
static int hi_top(int x)
{
	char key[32];
	const char *band = strstr(svg, "<path class=\"hi\" d=\"");
	assert_non_null(band);
	const char *end = strstr(band, "\"/>");
	snprintf(key, sizeof(key), "M%d.5 ", x);
	const char *at = strstr(band, key);
	if (!at || at > end)
		return -1;
	return atoi(at + strlen(key));
}

static void test_week_svg(void **state)
{
	const uint64_t spike = T0 + 12345 * S;
	struct sink sink = { .fail_after = -1 };
	struct cg_plot_meta meta = { .source = "pack <A&B> \"shed\"",
				     .firmware = "V1.26 or later" };
	(void)state;

	cg_hist_init(&h);
	for (uint64_t u = T0; u < T0 + WEEK; u += S) {
		int32_t high = u == spike ? 4100 : 3350;
		cg_hist_add(&h, CG_HIST_HIGH, high, u);
		cg_hist_add(&h, CG_HIST_LOW, 3300, u);
		cg_hist_add(&h, CG_HIST_AVG, 3320, u);
		cg_hist_add(&h, CG_HIST_CURRENT, u < T0 + DAY ? 250 : -120, u);
	}
	h.cells = 16;
	cg_hist_mark(&h, T0 + 3 * DAY, CG_HIST_MARK_LINK, "link lost: gone");
	cg_hist_mark(&h, T0 + 3 * DAY, CG_HIST_MARK_OTHER, "opened x");

	assert_int_equal(cg_plot_svg(&h, &meta, T0, T0 + WEEK, sink_write,
				     &sink), 0);
	assert_true(sink.biggest <= CG_PLOT_CHUNK);
	assert_true(sink.calls > 1);
	assert_true(sink.len < 2000000);
	assert_memory_equal(svg, "<?xml", 5);
	assert_string_equal(svg + sink.len - 7, "</svg>\n");
	assert_non_null(strstr(svg, "Chargery BMS: pack &lt;A&amp;B&gt; &quot;shed&quot;</text>"));
	assert_non_null(strstr(svg, "2026-01-01 00:00:00 to 2026-01-08 00:00:00 UTC (7 d 0 h), 16 cells, firmware V1.26 or later"));
	/* Day labels on the clock axis. */
	assert_non_null(strstr(svg, ">2026-01-04<"));
	/* The link event, at its x, listed; the other event is not. */
	char line[64];
	snprintf(line, sizeof(line), "<path d=\"M%d.5 ",
		 CG_PLOT_LEFT + (int)(3 * DAY * CG_PLOT_COLUMNS / WEEK));
	assert_non_null(strstr(strstr(svg, "<g class=\"ml\">"), line));
	assert_non_null(strstr(svg, "2026-01-04 00:00:00  L  link lost: gone"));
	assert_null(strstr(svg, "opened x"));
	/* Both directions of current drawn. */
	assert_non_null(strstr(svg, "<path class=\"chg\" d=\"M"));
	assert_non_null(strstr(svg, "<path class=\"dis\" d=\"M"));

	/* The spike, a week old, is the highest stroke, in its column. */
	int at = CG_PLOT_LEFT + (int)((spike - T0) * CG_PLOT_COLUMNS / WEEK);
	int best = -1, best_y = 1 << 30;
	for (int x = CG_PLOT_LEFT; x < CG_PLOT_LEFT + CG_PLOT_COLUMNS; x++) {
		int y = hi_top(x);
		if (y >= 0 && y < best_y) {
			best_y = y;
			best = x;
		}
	}
	assert_in_range(best, at - 1, at + 1);
	assert_true(hi_top(at + 20) > best_y + 100);
}

static void test_write_fails(void **state)
{
	struct sink sink = { .fail_after = 1 };
	(void)state;

	cg_hist_init(&h);
	for (uint64_t u = T0; u < T0 + DAY; u += 10 * S)
		cg_hist_add(&h, CG_HIST_HIGH, 3350, u);
	assert_int_equal(cg_plot_svg(&h, NULL, T0, T0 + DAY, sink_write,
				     &sink), -1);
	assert_int_equal(sink.calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_week_svg),
		cmocka_unit_test(test_write_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
