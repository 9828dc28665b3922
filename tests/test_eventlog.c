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
#include <sys/stat.h>
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
	assert_int_equal(write(fd, "2023-11-14T22:13:19.000Z old\n", 29), 29);
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
		 "2023-11-14T22:13:19.000Z old\n"
		 "2023-11-14T22:13:20.123Z opened x\n"
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

static void make_file(char *path, size_t cap, const char *content)
{
	snprintf(path, cap, "/tmp/test_eventlog.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)),
			 (ssize_t)strlen(content));
	close(fd);
}

static void read_back(const char *path, char *buf, size_t cap)
{
	FILE *in = fopen(path, "r");
	assert_non_null(in);
	size_t n = fread(buf, 1, cap - 1, in);
	fclose(in);
	buf[n] = '\0';
}

/* A file that is not an events file is refused, like the CSV header
 * check, and left as it was. */
static void test_other_file_refused(void **state)
{
	struct cg_eventlog log;
	struct cg_error err;
	char path[64], back[64];
	(void)state;

	make_file(path, sizeof(path), "time,pack_v\n1,2\n");
	assert_int_equal(cg_eventlog_open(&log, path, &err), -1);
	assert_int_equal(err.exit_code, EX_DATAERR);
	assert_non_null(strstr(err.message, "not a chargery-top events file"));
	assert_non_null(strstr(err.message, "--events"));
	read_back(path, back, sizeof(back));
	assert_string_equal(back, "time,pack_v\n1,2\n");
	unlink(path);

	/* Empty files and devices are fine. */
	make_file(path, sizeof(path), "");
	assert_int_equal(cg_eventlog_open(&log, path, &err), 0);
	cg_eventlog_close(&log, &err);
	unlink(path);
	assert_int_equal(cg_eventlog_open(&log, "/dev/null", &err), 0);
	cg_eventlog_close(&log, &err);
}

/* A cut last line (a crash of an older version, a full disk) is ended
 * before the next line, so every line after it is whole. */
static void test_cut_line_is_ended(void **state)
{
	struct cg_eventlog log;
	struct cg_error err;
	char path[64], back[160];
	(void)state;

	make_file(path, sizeof(path), "2023-11-14T22:13:19.000Z a\n"
		  "2023-11-14T22:1");
	assert_int_equal(cg_eventlog_open(&log, path, &err), 0);
	assert_int_equal(cg_eventlog_write(&log, 1700000000123ull, "b", &err),
			 0);
	assert_int_equal(cg_eventlog_write(&log, 1700000000124ull, "c", &err),
			 0);
	cg_eventlog_close(&log, &err);
	read_back(path, back, sizeof(back));
	assert_string_equal(back, "2023-11-14T22:13:19.000Z a\n"
			    "2023-11-14T22:1\n"
			    "2023-11-14T22:13:20.123Z b\n"
			    "2023-11-14T22:13:20.124Z c\n");
	unlink(path);
}

/* A full disk is an error with advice, never silence. */
static void test_disk_full(void **state)
{
	struct cg_eventlog log;
	struct cg_error err;
	(void)state;

	assert_int_equal(cg_eventlog_open(&log, "/dev/full", &err), 0);
	assert_int_equal(cg_eventlog_write(&log, 1700000000123ull, "x", &err),
			 -1);
	assert_int_equal(err.exit_code, EX_IOERR);
	assert_non_null(strstr(err.message, "disk full; free some space or "
			       "write events to another disk"));
	cg_eventlog_close(&log, &err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_open_failure),
		cmocka_unit_test(test_other_file_refused),
		cmocka_unit_test(test_cut_line_is_ended),
		cmocka_unit_test(test_disk_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
