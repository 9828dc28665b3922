/*
 * Unit tests for csvlog's batches, with real files under /tmp: rows go to
 * the file whole, at a flush or when the buffer is full; a batch the file
 * refuses part of is taken back whole; and the file is synced at most
 * every 10 s.
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

static off_t size_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* Rows wait in the buffer until a flush, then go in one write. */
static void test_rows_go_in_batches(void **state)
{
	struct tmp t;
	struct cg_csvlog log;
	struct cg_pack pack;
	struct cg_error err;
	char got[4096];
	(void)state;

	make_tmp(&t, NULL);
	vendor_pack(&pack, 0);
	assert_int_equal(cg_csvlog_open(&log, t.path, 0, &err), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err),
				 0);
	assert_int_equal(size_of(t.path), 0);
	assert_int_equal(log.file.records, 0);
	assert_int_equal(log.rows, 3);

	assert_int_equal(cg_csvlog_flush(&log, &err), 0);
	assert_int_equal(log.file.records, 1); /* one write(2) */
	assert_int_equal(log.used, 0);
	read_file(t.path, got, sizeof(got));
	assert_string_equal(got, HEADER16 ROW16 ROW16 ROW16);
	/* Nothing waiting: a flush writes nothing. */
	assert_int_equal(cg_csvlog_flush(&log, &err), 0);
	assert_int_equal(log.file.records, 1);

	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	assert_int_equal(size_of(t.path),
			 (off_t)strlen(HEADER16 ROW16 ROW16 ROW16));
	assert_int_equal(cg_csvlog_close(&log, &err), 0);
	read_file(t.path, got, sizeof(got));
	assert_string_equal(got, HEADER16 ROW16 ROW16 ROW16 ROW16);
	unlink(t.path);
}

/* Without a flush, a full buffer is written before the row that would not
 * fit: the file only ever holds whole rows, and a flush writes the rest. */
static void test_full_buffer_writes_whole_rows(void **state)
{
	struct tmp t;
	struct cg_csvlog log;
	struct cg_pack pack;
	struct cg_error err;
	const size_t head = strlen(HEADER16), row = strlen(ROW16);
	const unsigned rows = 3 * CG_CSVLOG_BUF / (unsigned)strlen(ROW16);
	uint64_t writes = 0;
	(void)state;

	make_tmp(&t, NULL);
	vendor_pack(&pack, 0);
	assert_int_equal(cg_csvlog_open(&log, t.path, 0, &err), 0);
	for (unsigned i = 0; i < rows; i++) {
		assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err),
				 0);
		off_t size = size_of(t.path);
		if (log.file.records != writes) {
			writes = log.file.records;
			/* Whole rows, and as many as the buffer holds:
			 * each batch left less room than a row needs. */
			assert_int_equal(((size_t)size - head) % row, 0);
			assert_true((size_t)size >= writes *
				    (CG_CSVLOG_BUF - 2 * CG_CSV_LINE_MAX - 1));
			assert_int_equal(log.used, row);
		}
		assert_true(log.used <= CG_CSVLOG_BUF);
	}
	assert_in_range(writes, 2, 3);
	assert_int_equal(cg_csvlog_flush(&log, &err), 0);
	assert_int_equal(size_of(t.path), (off_t)(head + rows * row));
	assert_int_equal(cg_csvlog_close(&log, &err), 0);
	unlink(t.path);
}

/* Writes the buffered rows under a file size limit of limit bytes; the
 * flush's result. */
static int flush_limited(struct cg_csvlog *log, rlim_t limit,
			 struct cg_error *err)
{
	struct rlimit old, lim;

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = limit;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = cg_csvlog_flush(log, err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	return rc;
}

/* A batch the file takes only part of is taken back whole, and the log
 * goes on from what the file holds: the header again if it was cut off,
 * a cut line's end again, never a half row. */
static void test_refused_batch_is_taken_back(void **state)
{
	struct tmp t;
	struct cg_csvlog log;
	struct cg_pack pack;
	struct cg_error err;
	char got[4096];
	int rc;
	(void)state;

	/* The first batch, header included, cut after 10 bytes. */
	make_tmp(&t, NULL);
	vendor_pack(&pack, 0);
	assert_int_equal(cg_csvlog_open(&log, t.path, 0, &err), 0);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	rc = flush_limited(&log, 10, &err);
	assert_int_equal(exit_code_of(rc, &err), EX_IOERR);
	assert_non_null(strstr(err.message, "as large as this file system "
				"allows; log to a new file"));
	assert_int_equal(size_of(t.path), 0);
	assert_int_equal(log.rows, 0);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	assert_int_equal(cg_csvlog_close(&log, &err), 0);
	read_file(t.path, got, sizeof(got));
	assert_string_equal(got, HEADER16 ROW16);

	/* A later batch of three rows, cut inside its second row. */
	assert_int_equal(cg_csvlog_open(&log, t.path, 0, &err), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err),
				 0);
	off_t before = size_of(t.path);
	rc = flush_limited(&log, (rlim_t)before + strlen(ROW16) * 3 / 2, &err);
	assert_int_equal(exit_code_of(rc, &err), EX_IOERR);
	assert_int_equal(size_of(t.path), before);
	assert_int_equal(log.rows, 0);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	assert_int_equal(cg_csvlog_close(&log, &err), 0);
	read_file(t.path, got, sizeof(got));
	assert_string_equal(got, HEADER16 ROW16 ROW16);
	unlink(t.path);

	/* A file that ended in a cut line: its end goes with the batch, and
	 * comes back with the next one when the batch is refused. */
	make_tmp(&t, HEADER16 ISO ",53.2");
	assert_int_equal(cg_csvlog_open(&log, t.path, 0, &err), 0);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	before = size_of(t.path);
	rc = flush_limited(&log, (rlim_t)before + 20, &err);
	assert_int_equal(exit_code_of(rc, &err), EX_IOERR);
	assert_int_equal(size_of(t.path), before);
	assert_int_equal(cg_csvlog_write(&log, &pack, ISO, NOW, &err), 0);
	assert_int_equal(cg_csvlog_close(&log, &err), 0);
	read_file(t.path, got, sizeof(got));
	assert_string_equal(got, HEADER16 ISO ",53.2\n" ROW16);
	unlink(t.path);
}

/*
 * Rows are synced by the caller's tick on the real clock, never by the
 * write: a fast replay hands write() recorded times hours apart, and must
 * not turn into an fdatasync per row.
 */
static void test_sync_at_most_every_10s(void **state)
{
	struct tmp t;
	struct cg_csvlog log;
	struct cg_pack pack;
	struct cg_error err;
	(void)state;

	make_tmp(&t, NULL);
	vendor_pack(&pack, 0);
	assert_int_equal(cg_csvlog_open(&log, t.path, 0, &err), 0);
	cg_csvlog_write(&log, &pack, ISO, NOW, &err);
	assert_int_equal(cg_csvlog_flush(&log, &err), 0);
	assert_true(log.file.unsynced);
	/* An hour of recorded time later: still the tick's business. */
	cg_csvlog_write(&log, &pack, ISO, NOW + 3600000, &err);
	assert_int_equal(cg_csvlog_flush(&log, &err), 0);
	assert_true(log.file.unsynced);

	/* The first tick with rows waiting syncs them and starts the clock. */
	assert_int_equal(cg_csvlog_sync_due(&log, 500, &err), 0);
	assert_false(log.file.unsynced);
	assert_int_equal(log.file.synced_at_ms, 500);

	/* A row still in the buffer: the tick writes it, then syncs it
	 * when the time has come. */
	cg_csvlog_write(&log, &pack, ISO, NOW, &err);
	assert_int_equal(cg_csvlog_sync_due(&log, 10499, &err), 0);
	assert_int_equal(log.used, 0);
	assert_true(log.file.unsynced);
	assert_int_equal(cg_csvlog_sync_due(&log, 10500, &err), 0);
	assert_false(log.file.unsynced);
	assert_int_equal(log.file.synced_at_ms, 10500);
	/* Nothing new written: no sync however late. */
	cg_csvlog_sync_due(&log, 60000, &err);
	assert_int_equal(log.file.synced_at_ms, 10500);
	assert_int_equal(cg_csvlog_close(&log, &err), 0);
	unlink(t.path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_go_in_batches),
		cmocka_unit_test(test_full_buffer_writes_whole_rows),
		cmocka_unit_test(test_refused_batch_is_taken_back),
		cmocka_unit_test(test_sync_at_most_every_10s),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
