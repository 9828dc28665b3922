/*
 * Unit tests for csvlog (the rows' text is test_csv.c's): the file rules
 * with real files under /tmp: a new file gets one header, a matching file
 * is appended to, a mismatching one is refused with a message saying what
 * to do, a full disk is reported, and a second logger on one file is
 * refused. How rows are batched is in tests/test_csvlog_batch.c.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "csvlog.h"
#include "csv_fixture.h"
#include "csvlog_fixture.h"

static void test_file_new_then_append(void **state)
{
	struct tmp t;
	struct cg_csvlog log;
	struct cg_pack pack;
	struct cg_error err;
	char got[4096];
	struct stat st;
	(void)state;

	make_tmp(&t, NULL); /* empty, as a fresh --log file */
	vendor_pack(&pack, 0);
	assert_int_equal(cg_csvlog_open(&log, t.path, 0, &err), 0);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	assert_int_equal(cg_csvlog_close(&log, &err), 0);
	read_file(t.path, got, sizeof(got));
	assert_string_equal(got, HEADER16 ROW16);
	assert_int_equal(stat(t.path, &st), 0);

	/* Reopened (with and without --cells 16): rows go on, no 2nd header. */
	assert_int_equal(cg_csvlog_open(&log, t.path, 16, &err), 0);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	cg_csvlog_close(&log, &err);
	assert_int_equal(cg_csvlog_open(&log, t.path, 0, &err), 0);
	apply_status(&pack, false, NOW);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	assert_int_equal(log.rows, 1);
	cg_csvlog_close(&log, &err);
	read_file(t.path, got, sizeof(got));
	assert_string_equal(got, HEADER16 ROW16 ROW16 ISO ",53.294,-1.2,0,"
			    "-22.3,-22.3,3.343,3.323,20," CELLS16);
	unlink(t.path);
}

static void test_file_created_with_mode(void **state)
{
	char path[64];
	struct cg_csvlog log;
	struct cg_pack pack;
	struct cg_error err;
	struct stat st;
	(void)state;

	/* A path that does not exist yet: created on open. */
	snprintf(path, sizeof(path), "/tmp/test_csvlog.%d.csv", (int)getpid());
	unlink(path);
	mode_t old = umask(022);
	assert_int_equal(cg_csvlog_open(&log, path, 0, &err), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* No wired cells known yet: nothing is written, not even a header. */
	cg_pack_init(&pack, NULL);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	cg_csvlog_close(&log, &err);
	assert_int_equal(log.file.fd, -1);
	assert_int_equal(cg_csvlog_close(&log, &err), 0);
	unlink(path);
}

static void test_file_mismatch_goes_beside(void **state)
{
	struct tmp t;
	struct cg_csvlog log;
	struct cg_pack pack;
	struct cg_error err;
	int rc;
	char want[CG_ERROR_MAX];
	char got[4096];
	(void)state;

	make_tmp(&t, HEADER16 ROW16);

	/* --cells 12 against a 16-cell file: refused at once. */
	rc = cg_csvlog_open(&log, t.path, 12, &err);
	assert_int_equal(exit_code_of(rc, &err), EX_DATAERR);
	snprintf(want, sizeof(want), "%s has columns for 16 cells but --cells "
		 "says 12: log to a new file or pass --cells 16", t.path);
	assert_string_equal(err.message, want);
	assert_int_equal(log.file.fd, -1);

	/* No --cells: opens, and the first row finds 12 wired: the rows
	 * go to a file beside it, and the note says so. */
	assert_int_equal(cg_csvlog_open(&log, t.path, 0, &err), 0);
	struct cg_pack_config config = { .cells = 12 };
	cg_pack_init(&pack, &config);
	apply_cells(&pack, vendor_cells16_mv, 16, NOW);
	assert_int_equal(pack.wired, 12);
	rc = cg_csvlog_write(&log, &pack, ISO, NOW, &err);
	assert_int_equal(rc, 0);
	char beside[128];
	snprintf(beside, sizeof(beside), "%s-12cells.csv", t.path);
	snprintf(want, sizeof(want), "log: 12 cells now (was 16): rows go on "
		 "in %s", beside);
	assert_string_equal(log.note, want);
	assert_string_equal(log.path, beside);
	cg_csvlog_close(&log, &err);

	read_file(t.path, got, sizeof(got));
	assert_string_equal(got, HEADER16 ROW16); /* untouched */
	read_file(beside, got, sizeof(got));
	char header12[CG_CSV_LINE_MAX];
	cg_csv_header(header12, sizeof(header12), 12);
	assert_memory_equal(got, header12, strlen(header12));
	assert_non_null(strstr(got + strlen(header12), ISO ",39.970,"));
	unlink(beside);
	unlink(t.path);
}

static void test_file_not_ours_refused(void **state)
{
	struct tmp t;
	struct cg_csvlog log;
	struct cg_error err;
	int rc;
	char want[CG_ERROR_MAX];
	(void)state;

	make_tmp(&t, "date,amount\n2026-01-01,5\n");
	rc = cg_csvlog_open(&log, t.path, 0, &err);
	assert_int_equal(exit_code_of(rc, &err), EX_DATAERR);
	snprintf(want, sizeof(want), "%s is not a chargery-top log (its first "
		 "line is not our header): log to a new file", t.path);
	assert_string_equal(err.message, want);
	unlink(t.path);
}

static void test_file_growing_pack_goes_on_beside(void **state)
{
	struct tmp t;
	struct cg_csvlog log;
	struct cg_pack pack;
	struct cg_error err;
	int rc;
	char got[4096];
	uint16_t mv[16];
	(void)state;

	make_tmp(&t, NULL);
	memcpy(mv, vendor_cells16_mv, sizeof(mv));
	mv[15] = 3; /* cell 16 unplugged: threshold finds 15 */
	cg_pack_init(&pack, NULL);
	apply_cells(&pack, mv, 16, NOW);
	apply_status(&pack, true, NOW);
	assert_int_equal(pack.wired, 15);
	assert_int_equal(cg_csvlog_open(&log, t.path, 0, &err), 0);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	assert_int_equal(log.columns, 15);

	/* The lead goes back on: 16 wired, a column the file lacks. The log
	 * goes on in a file beside it, twice in a row the same one. */
	apply_cells(&pack, vendor_cells16_mv, 16, NOW);
	rc = cg_csvlog_write(&log, &pack, ISO, NOW, &err);
	assert_int_equal(rc, 0);
	char beside[128], want[256];
	snprintf(beside, sizeof(beside), "%s-16cells.csv", t.path);
	snprintf(want, sizeof(want), "log: 16 cells now (was 15): rows go on "
		 "in %s", beside);
	assert_string_equal(log.note, want);
	log.note[0] = '\0';
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	assert_string_equal(log.note, "");
	cg_csvlog_close(&log, &err);
	read_file(t.path, got, sizeof(got));
	char header[CG_CSV_LINE_MAX];
	cg_csv_header(header, sizeof(header), 15);
	/* One header, one row. */
	assert_memory_equal(got, header, strlen(header));
	assert_int_equal(strchr(strchr(got, '\n') + 1, '\n')[1], '\0');
	read_file(beside, got, sizeof(got));
	assert_string_equal(got, HEADER16 ROW16 ROW16);
	unlink(beside);
	unlink(t.path);
}

static void test_file_collapsed_cell_keeps_its_voltage(void **state)
{
	struct tmp t;
	struct cg_csvlog log;
	struct cg_pack pack;
	struct cg_error err;
	char got[4096];
	uint16_t mv[16];
	(void)state;

	make_tmp(&t, NULL);
	vendor_pack(&pack, 0);
	assert_int_equal(cg_csvlog_open(&log, t.path, 0, &err), 0);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	/* Cell 16 collapses mid-run (lead or cell lost): it stays wired,
	 * out of the figures, and its column shows what it reads. */
	memcpy(mv, vendor_cells16_mv, sizeof(mv));
	mv[15] = 3;
	apply_cells(&pack, mv, 16, NOW);
	assert_int_equal(pack.wired, 16);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	cg_csvlog_close(&log, &err);
	read_file(t.path, got, sizeof(got));
	assert_string_equal(got, HEADER16 ROW16 ISO ",49.970,23.0,91,12.9,13.2,"
			    "3.343,3.323,20,3.325,3.332,3.332,3.330,3.331,3.332,"
			    "3.334,3.329,3.336,3.330,3.333,3.326,3.334,3.323,"
			    "3.343,0.003\n");
	unlink(t.path);
}

static void test_file_cut_line_is_ended(void **state)
{
	struct tmp t;
	struct cg_csvlog log;
	struct cg_pack pack;
	struct cg_error err;
	char got[4096];
	(void)state;

	/* An earlier run died mid-row (not ours: we write rows whole). */
	make_tmp(&t, HEADER16 ISO ",53.2");
	vendor_pack(&pack, 0);
	assert_int_equal(cg_csvlog_open(&log, t.path, 0, &err), 0);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	cg_csvlog_close(&log, &err);
	read_file(t.path, got, sizeof(got));
	assert_string_equal(got, HEADER16 ISO ",53.2\n" ROW16);
	unlink(t.path);
}

static void test_open_errors(void **state)
{
	struct cg_csvlog log;
	struct cg_error err;
	int rc;
	char dir[64];
	char path[96];
	(void)state;

	rc = cg_csvlog_open(&log, "/tmp/no-such-dir-cg/x/log.csv", 0, &err);
	assert_int_equal(exit_code_of(rc, &err), EX_CANTCREAT);
	assert_string_equal(err.message,
			    "cannot create /tmp/no-such-dir-cg/x/log.csv: its "
			    "directory does not exist; create the directory or "
			    "log somewhere else");

	rc = cg_csvlog_open(&log, "/tmp", 0, &err);
	assert_int_equal(exit_code_of(rc, &err), EX_CANTCREAT);
	assert_string_equal(err.message, "/tmp is a directory: name a file "
			    "in it, such as /tmp/chargery.csv");

	/* Root writes anywhere, so permission is only testable as a user. */
	snprintf(dir, sizeof(dir), "/tmp/test_csvlog.XXXXXX");
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0500);
	snprintf(path, sizeof(path), "%s/log.csv", dir);
	rc = cg_csvlog_open(&log, path, 0, &err);
	if (geteuid() != 0) {
		assert_int_equal(exit_code_of(rc, &err), EX_NOPERM);
		assert_non_null(strstr(err.message, "permission denied"));
	} else if (rc == 0) {
		cg_csvlog_close(&log, &err);
		unlink(path);
	}
	rmdir(dir);
}

static void test_disk_full(void **state)
{
	struct cg_csvlog log;
	struct cg_pack pack;
	struct cg_error err;
	int rc;
	(void)state;

	/* /dev/full answers every write with ENOSPC: the row waits in the
	 * buffer, and its write, at the flush, says the disk is full. */
	vendor_pack(&pack, 0);
	assert_int_equal(cg_csvlog_open(&log, "/dev/full", 0, &err),
			 0);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	rc = cg_csvlog_flush(&log, &err);
	assert_int_equal(exit_code_of(rc, &err), EX_IOERR);
	assert_string_equal(err.message, "cannot write /dev/full: disk full; "
			    "free some space or log to another disk");
	assert_int_equal(log.used, 0); /* dropped, not written again */
	assert_int_equal(log.rows, 0);

	/* Rows still waiting at close: close says the disk is full. */
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	memset(&err, 0, sizeof(err));
	rc = cg_csvlog_close(&log, &err);
	assert_int_equal(exit_code_of(rc, &err), EX_IOERR);
	assert_string_equal(err.message, "cannot write /dev/full: disk full; "
			    "free some space or log to another disk");
	assert_int_equal(log.file.fd, -1);

	/* The periodic sync writes what waits first, and says so too. */
	assert_int_equal(cg_csvlog_open(&log, "/dev/full", 0, &err), 0);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	rc = cg_csvlog_sync_due(&log, 500, &err);
	assert_int_equal(exit_code_of(rc, &err), EX_IOERR);
	assert_non_null(strstr(err.message, "disk full"));
	cg_csvlog_close(&log, &err);
}

/* Two loggers on one CSV would interleave rows: the second is refused,
 * like a second recorder (EX_TEMPFAIL), and the file left alone. */
static void test_second_logger_refused(void **state)
{
	struct tmp t;
	struct cg_csvlog one, two;
	struct cg_error err;
	(void)state;

	make_tmp(&t, NULL);
	assert_int_equal(cg_csvlog_open(&one, t.path, 0, &err), 0);
	assert_int_equal(exit_code_of(cg_csvlog_open(&two, t.path, 0, &err),
				      &err), EX_TEMPFAIL);
	assert_non_null(strstr(err.message, "--log"));
	assert_int_equal(access(t.path, F_OK), 0);
	cg_csvlog_close(&one, &err);
	assert_int_equal(cg_csvlog_open(&two, t.path, 0, &err), 0);
	cg_csvlog_close(&two, &err);
	unlink(t.path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_new_then_append),
		cmocka_unit_test(test_file_created_with_mode),
		cmocka_unit_test(test_file_mismatch_goes_beside),
		cmocka_unit_test(test_file_not_ours_refused),
		cmocka_unit_test(test_file_growing_pack_goes_on_beside),
		cmocka_unit_test(test_file_collapsed_cell_keeps_its_voltage),
		cmocka_unit_test(test_file_cut_line_is_ended),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_second_logger_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
