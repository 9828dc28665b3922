/*
 * Unit tests for csvlog (the rows' text is test_csv.c's): the file rules
 * with real files under /tmp: a new file gets one header, a matching file
 * is appended to, a mismatching one is refused with a message saying what
 * to do, and a full disk is reported. Rows go to the file whole, in
 * batches: at a flush, or when the buffer is full, and a batch the file
 * refuses part of is taken back whole.
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

struct tmp {
	char path[64];
};

static void make_tmp(struct tmp *t, const char *content)
{
	snprintf(t->path, sizeof(t->path), "/tmp/test_csvlog.XXXXXX");
	int fd = mkstemp(t->path);
	assert_true(fd >= 0);
	if (content)
		assert_int_equal(write(fd, content, strlen(content)),
				 (ssize_t)strlen(content));
	close(fd);
}

/* A call's result as an exit code: 0, or the code it put in err. */
static int exit_code_of(int rc, const struct cg_error *err)
{
	assert_true(rc == 0 || rc == -1);
	return rc == 0 ? 0 : err->exit_code;
}

static void read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

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
		cmocka_unit_test(test_rows_go_in_batches),
		cmocka_unit_test(test_full_buffer_writes_whole_rows),
		cmocka_unit_test(test_refused_batch_is_taken_back),
		cmocka_unit_test(test_sync_at_most_every_10s),
		cmocka_unit_test(test_second_logger_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
