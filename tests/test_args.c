/*
 * Unit tests for args: what both programs accept as a number in an option,
 * and what they refuse.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "args.h"

static void test_integers(void **state)
{
	long long v = 7;

	(void)state;
	assert_true(cg_args_integer("115200", 1, 4000000, &v));
	assert_int_equal(v, 115200);
	assert_true(cg_args_integer("4294967295", 0, 4294967295LL, &v));
	assert_int_equal(v, 4294967295LL); /* --seed, even where long is 32 bits */
	assert_true(cg_args_integer("1", 1, 24, &v));
	assert_true(cg_args_integer("24", 1, 24, &v));

	v = 7;
	assert_false(cg_args_integer("0", 1, 24, &v));
	assert_false(cg_args_integer("25", 1, 24, &v));
	assert_false(cg_args_integer("-1", 0, 24, &v));
	assert_false(cg_args_integer("", 0, 24, &v));
	assert_false(cg_args_integer("12abc", 0, 24, &v));
	assert_false(cg_args_integer("1.5", 0, 24, &v));
	assert_false(cg_args_integer("99999999999999999999", 0, 24, &v));
	assert_int_equal(v, 7); /* untouched on refusal */
}

static void test_numbers(void **state)
{
	double v = 7;

	(void)state;
	assert_true(cg_args_number("3.65", 0.5, 5.0, &v));
	assert_true(v > 3.6499 && v < 3.6501);
	assert_true(cg_args_number("0.125", 0.125, 1024, &v));
	assert_true(cg_args_number("1024", 0.125, 1024, &v));

	v = 7;
	assert_false(cg_args_number("0.1", 0.125, 1024, &v));
	assert_false(cg_args_number("1025", 0.125, 1024, &v));
	assert_false(cg_args_number("inf", 0, 1e300, &v));
	assert_false(cg_args_number("nan", 0, 1e300, &v));
	assert_false(cg_args_number("1e999", 0, 1e300, &v));
	assert_false(cg_args_number("2x", 0, 5, &v));
	assert_false(cg_args_number("", 0, 5, &v));
	assert_true(v == 7);
}

/* A refusal must not leave errno set for the caller to misread. */
static void test_errno_is_kept(void **state)
{
	long long i;
	double d;

	(void)state;
	errno = EINTR;
	assert_false(cg_args_integer("99999999999999999999", 0, 1, &i));
	assert_false(cg_args_number("1e999", 0, 1, &d));
	assert_int_equal(errno, EINTR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_errno_is_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
