/*
 * Unit tests for eventlog: lines are "ISO-time text\n", appended after
 * what the file holds, with an over-long text cut as the event list cuts
 * it; open failures say what to do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "eventlog.h"
#include "events.h"

static void test_lines(void **state)
{
	struct cg_eventlog log;
	struct cg_error err;
	char path[64], back[512], longtext[300];
	(void)state;

	snprintf(path, sizeof(path), "/tmp/test_eventlog.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old\n", 4), 4);
	close(fd);

	memset(longtext, 'z', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	assert_int_equal(cg_eventlog_open(&log, path, &err), 0);
	assert_int_equal(cg_eventlog_write(&log, 1700000000123ull, "opened x",
					   &err), 0);
	assert_int_equal(cg_eventlog_write(&log, 1700000001000ull, longtext,
					   &err), 0);
	assert_int_equal(cg_eventlog_close(&log, &err), 0);

	FILE *in = fopen(path, "r");
	assert_non_null(in);
	size_t n = fread(back, 1, sizeof(back) - 1, in);
	fclose(in);
	back[n] = '\0';
	char want[512];
	snprintf(want, sizeof(want),
		 "old\n2023-11-14T22:13:20.123Z opened x\n"
		 "2023-11-14T22:13:21.000Z %.*s\n", CG_EVENT_TEXT_MAX - 1,
		 longtext);
	assert_string_equal(back, want);
	unlink(path);
}

static void test_open_failure(void **state)
{
	struct cg_eventlog log;
	struct cg_error err;
	(void)state;

	assert_int_equal(cg_eventlog_open(&log, "/nonexistent-cg/ev.log", &err),
			 -1);
	assert_int_equal(err.exit_code, EX_CANTCREAT);
	assert_non_null(strstr(err.message, "create the directory or write "
			       "events somewhere else"));
	assert_int_equal(cg_eventlog_open(&log, "/tmp", &err), -1);
	assert_string_equal(err.message, "/tmp is a directory: name a file in "
			    "it, such as /tmp/events.log");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_open_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
