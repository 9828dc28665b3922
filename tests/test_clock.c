/*
 * Unit tests for clock's ISO-8601 cache: the text is exactly what
 * cg_clock_format_iso8601 (gmtime, strftime) writes, across second, minute, day, month,
 * year and leap-day boundaries, with time going back, and at the year
 * 10000 fallback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"

#define Y2026 1767225600000ull /* 2026-01-01T00:00:00.000Z */
#define Y10000 253402300800000ull /* 10000-01-01T00:00:00.000Z */

static void check(struct cg_iso_cache *cache, uint64_t wall_ms,
		  const char *want)
{
	char plain[CG_ISO_TIME_MAX];

	cg_clock_format_iso8601(wall_ms, plain);
	assert_string_equal(plain, want);
	assert_string_equal(cg_clock_iso8601_cached(cache, wall_ms), want);
}

static void test_boundaries(void **state)
{
	struct cg_iso_cache cache = { 0 };
	(void)state;

	check(&cache, 0, "1970-01-01T00:00:00.000Z");
	check(&cache, 7, "1970-01-01T00:00:00.007Z");
	check(&cache, 999, "1970-01-01T00:00:00.999Z");
	check(&cache, 1000, "1970-01-01T00:00:01.000Z");
	/* The last millisecond of 2025 and the first of 2026. */
	check(&cache, Y2026 - 1, "2025-12-31T23:59:59.999Z");
	check(&cache, Y2026, "2026-01-01T00:00:00.000Z");
	check(&cache, Y2026 + 59999, "2026-01-01T00:00:59.999Z");
	check(&cache, Y2026 + 60000, "2026-01-01T00:01:00.000Z");
	/* Day and month: 2026-01-31 to 02-01. */
	check(&cache, Y2026 + 31 * 86400000ull - 1, "2026-01-31T23:59:59.999Z");
	check(&cache, Y2026 + 31 * 86400000ull, "2026-02-01T00:00:00.000Z");
	/* A leap day: 2028-02-29. */
	check(&cache, 1835395200000ull + 500, "2028-02-29T00:00:00.500Z");
	check(&cache, 1835395200000ull + 86400000ull - 1,
	      "2028-02-29T23:59:59.999Z");
	check(&cache, 1835395200000ull + 86400000ull, "2028-03-01T00:00:00.000Z");
	/* Back in time, within the same second and to an earlier one. */
	check(&cache, 1835395200000ull + 86400000ull - 998,
	      "2028-02-29T23:59:59.002Z");
	check(&cache, Y2026 + 1, "2026-01-01T00:00:00.001Z");
}

/* Every millisecond of two seconds either side of a new year, in order. */
static void test_every_millisecond(void **state)
{
	struct cg_iso_cache cache = { 0 };
	char plain[CG_ISO_TIME_MAX];
	(void)state;

	for (uint64_t t = Y2026 - 2000; t < Y2026 + 2000; t++) {
		cg_clock_format_iso8601(t, plain);
		assert_string_equal(cg_clock_iso8601_cached(&cache, t), plain);
	}
}

/* Every second of two days (and a leap day), at changing milliseconds:
 * the time of day written from integers is gmtime's. */
static void test_every_second_of_two_days(void **state)
{
	struct cg_iso_cache cache = { 0 };
	char plain[CG_ISO_TIME_MAX];
	const uint64_t start = 1835308800000ull; /* 2028-02-28T00:00:00Z */
	(void)state;

	for (uint64_t s = 0; s < 2 * 86400u; s++) {
		uint64_t t = start + s * 1000u + (s * 7u) % 1000u;

		cg_clock_format_iso8601(t, plain);
		assert_string_equal(cg_clock_iso8601_cached(&cache, t), plain);
	}
	assert_string_equal(cache.text, "2028-02-29T23:59:59.593Z");
}

/* Past year 9999 the text says so, with no made-up milliseconds. */
static void test_year_10000(void **state)
{
	struct cg_iso_cache cache = { 0 };
	(void)state;

	check(&cache, Y10000 - 1, "9999-12-31T23:59:59.999Z");
	check(&cache, Y10000 + 123, "0000-00-00T00:00:00.000Z");
	check(&cache, Y10000 + 456, "0000-00-00T00:00:00.000Z");
	check(&cache, Y10000 - 2, "9999-12-31T23:59:59.998Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_every_millisecond),
		cmocka_unit_test(test_every_second_of_two_days),
		cmocka_unit_test(test_year_10000),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
