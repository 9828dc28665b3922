/*
 * Unit tests for strbuf's numbers: the unchecked digit writers each
 * formatter uses, at every change of digit count and at their types'
 * edges, and the checked strbuf versions of them, which write all or
 * nothing.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"

enum kind { UINT, TENTHS, THOUSANDTHS };

static const struct {
	enum kind kind;
	long long value; /* unsigned ones as their bits */
	const char *text;
	bool lp64; /* an edge of a 64-bit long: not tried where it is 32 */
} cases[] = {
	{ UINT, 0, "0", false },
	{ UINT, 9, "9", false },
	{ UINT, 10, "10", false },
	{ UINT, 99, "99", false },
	{ UINT, 100, "100", false },
	{ UINT, 65535, "65535", false },
	{ UINT, 4294967295ll, "4294967295", false },
	{ UINT, -1, "18446744073709551615", true }, /* ULONG_MAX on LP64 */
	{ TENTHS, 0, "0.0", false },
	{ TENTHS, 5, "0.5", false },
	{ TENTHS, -1, "-0.1", false },
	{ TENTHS, -10, "-1.0", false },
	{ TENTHS, 230, "23.0", false },
	{ TENTHS, -32768, "-3276.8", false },
	{ TENTHS, LONG_MIN, "-922337203685477580.8", true }, /* LP64 */
	{ TENTHS, LONG_MAX, "922337203685477580.7", true },
	{ THOUSANDTHS, 0, "0.000", false },
	{ THOUSANDTHS, 1, "0.001", false },
	{ THOUSANDTHS, 999, "0.999", false },
	{ THOUSANDTHS, 1000, "1.000", false },
	{ THOUSANDTHS, 3325, "3.325", false },
	{ THOUSANDTHS, 9999, "9.999", false },
	{ THOUSANDTHS, 10000, "10.000", false },
	{ THOUSANDTHS, 65535, "65.535", false },
	{ THOUSANDTHS, 1572840, "1572.840", false },
	{ THOUSANDTHS, -1, "18446744073709551.615", true }, /* ULONG_MAX */
};

static char *write_digits(char *p, enum kind kind, long long value)
{
	switch (kind) {
	case UINT:
		return cg_digits_uint(p, (unsigned long)value);
	case TENTHS:
		return cg_digits_tenths(p, (long)value);
	default:
		return cg_digits_thousandths(p, (unsigned long)value);
	}
}

static void put_checked(struct cg_strbuf *sb, enum kind kind, long long value)
{
	switch (kind) {
	case UINT:
		cg_strbuf_uint(sb, (unsigned long)value);
		break;
	case TENTHS:
		cg_strbuf_tenths(sb, (long)value);
		break;
	default:
		cg_strbuf_thousandths(sb, (unsigned long)value);
		break;
	}
}

/* Exactly the text, within CG_DIGITS_MAX, and not a byte past its end. */
static void test_digits(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[CG_DIGITS_MAX + 8];

		if (cases[i].lp64 && sizeof(long) != 8)
			continue;
		size_t want = strlen(cases[i].text);

		memset(buf, '#', sizeof(buf));
		char *end = write_digits(buf, cases[i].kind, cases[i].value);
		assert_int_equal((size_t)(end - buf), want);
		assert_true(want <= CG_DIGITS_MAX);
		assert_memory_equal(buf, cases[i].text, want);
		for (size_t k = want; k < sizeof(buf); k++)
			assert_int_equal(buf[k], '#');
	}
}

/* The checked versions: the same text when it fits with its NUL, and
 * nothing (overflow, the buffer as it was) one byte short. */
static void test_strbuf_numbers_all_or_nothing(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];

		if (cases[i].lp64 && sizeof(long) != 8)
			continue;
		struct cg_strbuf sb;
		size_t want = strlen(cases[i].text);

		cg_strbuf_init(&sb, buf, want + 1);
		put_checked(&sb, cases[i].kind, cases[i].value);
		assert_int_equal(cg_strbuf_finish(&sb), want);
		assert_string_equal(buf, cases[i].text);

		cg_strbuf_init(&sb, buf, want);
		put_checked(&sb, cases[i].kind, cases[i].value);
		assert_true(sb.overflow);
		assert_int_equal(cg_strbuf_finish(&sb), 0);
		assert_string_equal(buf, "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_strbuf_numbers_all_or_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
