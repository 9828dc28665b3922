/*
 * Unit tests for error: the one failure convention (return -1, fill a
 * struct cg_error), including messages longer than the buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sysexits.h>

#include <cmocka.h>

#include "error.h"

static void test_set_fills_and_returns_minus_one(void **state)
{
	struct cg_error err;

	(void)state;
	memset(&err, 'x', sizeof(err));
	assert_int_equal(cg_error_set(&err, EX_NOINPUT, "no such port %s",
				      "/dev/ttyUSB9"), -1);
	assert_int_equal(err.exit_code, EX_NOINPUT);
	assert_string_equal(err.message, "no such port /dev/ttyUSB9");
}

static void test_append_adds_to_the_message(void **state)
{
	struct cg_error err;

	(void)state;
	cg_error_set(&err, EX_UNAVAILABLE, "%s is in use by ", "/dev/ttyUSB0");
	cg_error_append(&err, "%s (pid %d)", "picocom", 4242);
	cg_error_append(&err, ".");
	assert_int_equal(err.exit_code, EX_UNAVAILABLE);
	assert_string_equal(err.message,
			    "/dev/ttyUSB0 is in use by picocom (pid 4242).");
}

/* A message longer than the buffer is cut, ended, and appending to a
 * full one changes nothing. */
static void test_long_messages_are_cut_not_overrun(void **state)
{
	static char long_path[3 * CG_ERROR_MAX];
	struct cg_error err;
	char before[CG_ERROR_MAX];

	(void)state;
	memset(long_path, 'p', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	cg_error_set(&err, EX_CANTCREAT, "cannot open %s", long_path);
	assert_int_equal(strlen(err.message), CG_ERROR_MAX - 1);
	assert_memory_equal(err.message, "cannot open ppp", 15);

	memcpy(before, err.message, sizeof(before));
	cg_error_append(&err, "; more");
	assert_memory_equal(err.message, before, sizeof(before));

	cg_error_set(&err, EX_IOERR, "short");
	cg_error_append(&err, " %s", long_path);
	assert_int_equal(strlen(err.message), CG_ERROR_MAX - 1);
	assert_memory_equal(err.message, "short ppp", 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_fills_and_returns_minus_one),
		cmocka_unit_test(test_append_adds_to_the_message),
		cmocka_unit_test(test_long_messages_are_cut_not_overrun),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
