/*
 * Unit tests for appendfile: a record the file refuses part of is taken
 * back whole (RLIMIT_FSIZE makes the short write), /dev/full reports a full
 * disk, open failures map to one exit code each with the kind's advice, the
 * sync policy, and the device+inode same-file check.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "appendfile.h"

static const struct cg_appendfile_kind kind = {
	.option = "--test",
	.verb = "test",
	.example = "test.out",
	.stopped = "; testing stopped",
	.sync_ms = 1000,
	.flags = 0,
};

static void temp_path(char *path, size_t cap)
{
	snprintf(path, cap, "/tmp/test_appendfile.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

static off_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void test_appends_whole_records(void **state)
{
	struct cg_appendfile f;
	struct cg_error err;
	char path[64], back[32];
	(void)state;

	temp_path(path, sizeof(path));
	assert_int_equal(cg_appendfile_open(&f, path, &kind, &err), 0);
	assert_true(f.regular);
	assert_false(f.created); /* mkstemp made it */
	assert_int_equal(cg_appendfile_write(&f, "one\n", 4, &err), 0);
	assert_int_equal(cg_appendfile_write(&f, "two\n", 4, &err), 0);
	assert_int_equal(f.size, 8);
	assert_int_equal(f.records, 2);
	assert_int_equal(cg_appendfile_close(&f, &err), 0);
	assert_int_equal(f.fd, -1);
	assert_int_equal(cg_appendfile_close(&f, &err), 0); /* closed: ok */

	/* A second open appends after what is there. */
	assert_int_equal(cg_appendfile_open(&f, path, &kind, &err), 0);
	assert_int_equal(f.size, 8);
	assert_int_equal(cg_appendfile_write(&f, "3\n", 2, &err), 0);
	assert_int_equal(cg_appendfile_close(&f, &err), 0);
	FILE *in = fopen(path, "r");
	assert_non_null(in);
	size_t n = fread(back, 1, sizeof(back), in);
	fclose(in);
	assert_int_equal(n, 10);
	assert_memory_equal(back, "one\ntwo\n3\n", 10);
	unlink(path);
}

/* The file size limit lets part of the record through, then refuses the
 * rest: the part must be taken back so the file ends on a whole record. */
static void test_short_write_is_rolled_back(void **state)
{
	static char big[3000];
	struct cg_appendfile f;
	struct cg_error err;
	struct rlimit old, limit;
	char path[64];
	(void)state;

	memset(big, 'x', sizeof(big));
	temp_path(path, sizeof(path));
	assert_int_equal(cg_appendfile_open(&f, path, &kind, &err), 0);
	assert_int_equal(cg_appendfile_write(&f, "head\n", 5, &err), 0);

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	limit = old;
	limit.rlim_cur = 5 + 1000; /* room for a third of big */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &limit), 0);
	int rc = cg_appendfile_write(&f, big, sizeof(big), &err);
	off_t after = file_size(path);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);

	assert_int_equal(rc, -1);
	assert_int_equal(err.exit_code, EX_IOERR);
	assert_non_null(strstr(err.message, "as large as this file system "
				"allows; test to a new file"));
	assert_non_null(strstr(err.message, "; testing stopped"));
	assert_int_equal(after, 5); /* not 1005: the part was taken back */
	assert_int_equal(f.size, 5);
	assert_int_equal(f.records, 1);
	/* The file still takes whole records after the failure. */
	assert_int_equal(cg_appendfile_write(&f, "tail\n", 5, &err), 0);
	assert_int_equal(file_size(path), 10);
	cg_appendfile_close(&f, &err);
	unlink(path);
}

static void test_disk_full(void **state)
{
	struct cg_appendfile f;
	struct cg_error err;
	(void)state;

	assert_int_equal(cg_appendfile_open(&f, "/dev/full", &kind, &err), 0);
	assert_false(f.regular);
	assert_int_equal(cg_appendfile_write(&f, "row\n", 4, &err), -1);
	assert_int_equal(err.exit_code, EX_IOERR);
	assert_string_equal(err.message, "cannot write /dev/full: disk full; "
			    "free some space or test to another disk; "
			    "testing stopped");
	assert_int_equal(f.records, 0);
	assert_false(f.unsynced);
	assert_int_equal(cg_appendfile_close(&f, &err), 0);
}

/* One rule: a missing right is EX_NOPERM, anything else the file system
 * refuses is EX_CANTCREAT; each message says what to do. */
static void test_open_error_mapping(void **state)
{
	static const struct {
		int e;
		int code;
		const char *advice;
	} table[] = {
		{ EACCES, EX_NOPERM, "permission denied; test to a directory "
				     "you own" },
		{ EPERM, EX_NOPERM, "permission denied" },
		{ ENOENT, EX_CANTCREAT, "create the directory or test "
					"somewhere else" },
		{ ENOTDIR, EX_CANTCREAT, "directory does not exist" },
		{ EROFS, EX_CANTCREAT, "read-only; test somewhere else" },
		{ EISDIR, EX_CANTCREAT, "such as /x/test.out" },
		{ ENOSPC, EX_CANTCREAT, "disk full" },
		{ ELOOP, EX_CANTCREAT, "give --test another file name" },
	};
	struct cg_error err;
	(void)state;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		assert_int_equal(cg_appendfile_open_error("/x", &kind,
							  table[i].e, &err),
				 -1);
		assert_int_equal(err.exit_code, table[i].code);
		if (!strstr(err.message, table[i].advice))
			fail_msg("errno %d: \"%s\" lacks \"%s\"", table[i].e,
				 err.message, table[i].advice);
	}
}

static void test_open_failures(void **state)
{
	static const struct cg_appendfile_kind regular = {
		.option = "--test", .verb = "test", .example = "test.out",
		.stopped = "", .sync_ms = 1000,
		.flags = CG_APPEND_REGULAR_ONLY | CG_APPEND_LOCK,
	};
	struct cg_appendfile f, g;
	struct cg_error err;
	char path[64];
	(void)state;

	assert_int_equal(cg_appendfile_open(&f, "/nonexistent-cg/x", &kind,
					    &err), -1);
	assert_int_equal(err.exit_code, EX_CANTCREAT);
	assert_int_equal(f.fd, -1);
	assert_int_equal(cg_appendfile_open(&f, "/tmp", &kind, &err), -1);
	assert_int_equal(err.exit_code, EX_CANTCREAT);
	assert_string_equal(err.message, "/tmp is a directory: name a file in "
			    "it, such as /tmp/test.out");
	/* Regular files only: a device is refused before it is opened. */
	assert_int_equal(cg_appendfile_open(&f, "/dev/null", &regular, &err),
			 -1);
	assert_int_equal(err.exit_code, EX_CANTCREAT);
	assert_non_null(strstr(err.message, "not a regular file"));

	/* A locked file is refused to a second writer; a file the failed
	 * open did not create is left in place. */
	temp_path(path, sizeof(path));
	assert_int_equal(cg_appendfile_open(&f, path, &regular, &err), 0);
	assert_int_equal(cg_appendfile_open(&g, path, &regular, &err), -1);
	assert_int_equal(err.exit_code, EX_TEMPFAIL);
	assert_int_equal(access(path, F_OK), 0);
	cg_appendfile_close(&f, &err);
	unlink(path);

	/* A new file is created, and says so. */
	assert_int_equal(cg_appendfile_open(&f, path, &kind, &err), 0);
	assert_true(f.created);
	cg_appendfile_close(&f, &err);
	unlink(path);
}

static void test_sync_policy(void **state)
{
	struct cg_appendfile f;
	struct cg_error err;
	char path[64];
	(void)state;

	temp_path(path, sizeof(path));
	assert_int_equal(cg_appendfile_open(&f, path, &kind, &err), 0);
	/* Nothing written: nothing to sync. */
	assert_int_equal(cg_appendfile_sync_due(&f, 100, &err), 0);
	assert_int_equal(f.syncs, 0);
	/* The first data is synced at the first tick... */
	assert_int_equal(cg_appendfile_write(&f, "a\n", 2, &err), 0);
	assert_true(f.unsynced);
	assert_int_equal(cg_appendfile_sync_due(&f, 200, &err), 0);
	assert_int_equal(f.syncs, 1);
	assert_false(f.unsynced);
	/* ...then at most every sync_ms. */
	assert_int_equal(cg_appendfile_write(&f, "b\n", 2, &err), 0);
	assert_int_equal(cg_appendfile_sync_due(&f, 1199, &err), 0);
	assert_int_equal(f.syncs, 1);
	assert_int_equal(cg_appendfile_sync_due(&f, 1200, &err), 0);
	assert_int_equal(f.syncs, 2);
	assert_int_equal(f.synced_at_ms, 1200);
	/* Close syncs what waits. */
	assert_int_equal(cg_appendfile_write(&f, "c\n", 2, &err), 0);
	assert_int_equal(cg_appendfile_close(&f, &err), 0);
	assert_int_equal(f.syncs, 3);
	unlink(path);
}

static void test_same_file(void **state)
{
	struct cg_appendfile a, b, c;
	struct cg_error err;
	char one[64], two[64], alias[80];
	(void)state;

	temp_path(one, sizeof(one));
	temp_path(two, sizeof(two));
	snprintf(alias, sizeof(alias), "%s.link", one);
	assert_int_equal(symlink(one, alias), 0);

	assert_int_equal(cg_appendfile_open(&a, one, &kind, &err), 0);
	assert_int_equal(cg_appendfile_open(&b, alias, &kind, &err), 0);
	assert_int_equal(cg_appendfile_open(&c, two, &kind, &err), 0);
	assert_true(cg_appendfile_same(&a, &b)); /* another name, one file */
	assert_false(cg_appendfile_same(&a, &c));
	assert_true(cg_appendfile_is(&a, alias));
	assert_false(cg_appendfile_is(&a, two));
	assert_false(cg_appendfile_is(&a, "/nonexistent-cg/x"));
	cg_appendfile_close(&b, &err);
	assert_false(cg_appendfile_same(&a, &b)); /* closed: no longer */

	cg_appendfile_close(&a, &err);
	cg_appendfile_close(&c, &err);
	unlink(alias);
	unlink(one);
	unlink(two);
}

/* A FIFO nobody reads is refused at once (never a blocking open, which
 * signals cannot end); one with a reader is written in blocking mode. */
static void test_fifo(void **state)
{
	struct cg_appendfile f;
	struct cg_error err;
	char path[64];
	(void)state;

	temp_path(path, sizeof(path));
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(cg_appendfile_open(&f, path, &kind, &err), -1);
	assert_int_equal(err.exit_code, EX_CANTCREAT);
	assert_non_null(strstr(err.message, "no program is reading it"));
	assert_int_equal(f.fd, -1);

	int reader = open(path, O_RDONLY | O_NONBLOCK);
	assert_true(reader >= 0);
	assert_int_equal(cg_appendfile_open(&f, path, &kind, &err), 0);
	assert_int_equal(fcntl(f.fd, F_GETFL) & O_NONBLOCK, 0);
	assert_int_equal(cg_appendfile_write(&f, "x\n", 2, &err), 0);
	char back[4];
	assert_int_equal(read(reader, back, sizeof(back)), 2);
	cg_appendfile_close(&f, &err);
	close(reader);
	unlink(path);
}

/* A directory that exists but takes no new files (/proc) is not said to
 * be missing; the permission message does not repeat itself. */
static void test_open_messages_are_true(void **state)
{
	struct cg_appendfile f;
	struct cg_error err;
	(void)state;

	assert_int_equal(cg_appendfile_open(&f, "/proc/x.csv", &kind, &err),
			 -1);
	assert_int_equal(err.exit_code, EX_CANTCREAT);
	assert_null(strstr(err.message, "does not exist"));
	assert_non_null(strstr(err.message, "/proc"));
	assert_non_null(strstr(err.message, "test somewhere else"));

	assert_int_equal(cg_appendfile_open(&f, "/nonexistent-cg/x", &kind,
					    &err), -1);
	assert_non_null(strstr(err.message, "its directory does not exist"));

	cg_appendfile_open_error("/x", &kind, EACCES, &err);
	assert_null(strstr(err.message, "(Permission denied)"));

	/* Every write error says what to do, not only the common ones. */
	struct cg_appendfile w = { .path = "/x", .kind = &kind, .fd = -1 };
	cg_appendfile_write_error(&w, EIO, &err);
	assert_int_equal(err.exit_code, EX_IOERR);
	assert_non_null(strstr(err.message, "test somewhere else"));
	cg_appendfile_write_error(&w, EPIPE, &err);
	assert_non_null(strstr(err.message, "start the reader first"));
}

/* Two names for one file, whether it exists yet or not. */
static void test_same_path(void **state)
{
	char one[64], alias[80], other[64], spelt[96], fresh[96], fresh2[96];
	(void)state;

	temp_path(one, sizeof(one));
	temp_path(other, sizeof(other));
	snprintf(alias, sizeof(alias), "%s.link", one);
	assert_int_equal(symlink(one, alias), 0);
	snprintf(spelt, sizeof(spelt), "/tmp/./%s", one + 5);
	snprintf(fresh, sizeof(fresh), "%s.new", one);
	snprintf(fresh2, sizeof(fresh2), "/tmp/../tmp/%s.new", one + 5);

	assert_true(cg_appendfile_same_path(one, alias));
	assert_true(cg_appendfile_same_path(one, spelt));
	assert_false(cg_appendfile_same_path(one, other));
	assert_true(cg_appendfile_same_path(fresh, fresh2)); /* neither yet */
	assert_false(cg_appendfile_same_path(fresh, one));
	assert_false(cg_appendfile_same_path("/nonexistent-cg/a",
					     "/nonexistent-cg/b"));
	assert_true(cg_appendfile_same_path("/dev/null", "/dev/./null"));
	/* A link to a file not there yet names that file. */
	char dangling[112];
	snprintf(dangling, sizeof(dangling), "%s.dangling", one);
	assert_int_equal(symlink(fresh, dangling), 0);
	assert_true(cg_appendfile_same_path(dangling, fresh2));
	unlink(dangling);
	unlink(alias);
	unlink(one);
	unlink(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appends_whole_records),
		cmocka_unit_test(test_short_write_is_rolled_back),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_open_error_mapping),
		cmocka_unit_test(test_open_failures),
		cmocka_unit_test(test_sync_policy),
		cmocka_unit_test(test_same_file),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_open_messages_are_true),
		cmocka_unit_test(test_same_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
