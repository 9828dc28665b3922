/*
 * Unit tests for portdiag, called directly (test_link reaches it through
 * real opens): each errno gets its exit code, a quiet diagnosis stays one
 * line, a verbose one lists the ports, and a busy port with no holder to
 * name says how to look for one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sysexits.h>

#include <cmocka.h>

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "portdiag.h"

static void test_missing_port(void **state)
{
	struct cg_error err;
	(void)state;

	assert_int_equal(cg_portdiag_errno("/dev/ttyNOPE9", "/dev/ttyNOPE9",
					   ENOENT, false, &err), -1);
	assert_int_equal(err.exit_code, EX_NOINPUT);
	assert_string_equal(err.message, "no such port /dev/ttyNOPE9");

	assert_int_equal(cg_portdiag_errno("/dev/ttyNOPE9", "/dev/ttyNOPE9",
					   ENODEV, true, &err), -1);
	assert_int_equal(err.exit_code, EX_NOINPUT);
	assert_non_null(strstr(err.message, "Check that the adapter is "
			       "plugged in"));
}

static void test_other_errors(void **state)
{
	struct cg_error err;
	(void)state;

	assert_int_equal(cg_portdiag_errno("/dev/x", "/dev/x", EIO, true,
					   &err), -1);
	assert_int_equal(err.exit_code, EX_IOERR);
	assert_non_null(strstr(err.message, "cannot open /dev/x: "));

	/* Permission on a path that is not there: ask its owner. */
	assert_int_equal(cg_portdiag_errno("/nonexistent-cg", "/nonexistent-cg",
					   EACCES, true, &err), -1);
	assert_int_equal(err.exit_code, EX_NOPERM);
	assert_non_null(strstr(err.message, "permission denied on "
			       "/nonexistent-cg"));
}

static void test_busy_without_holders(void **state)
{
	struct cg_error err;
	(void)state;

	/* Not a character device: nobody can be named. */
	assert_int_equal(cg_portdiag_busy("/tmp", "/tmp", false, &err), -1);
	assert_int_equal(err.exit_code, EX_UNAVAILABLE);
	assert_non_null(strstr(err.message, "in use by another program"));
	assert_non_null(strstr(err.message, "sudo lsof /tmp"));
}

/* A holder whose name is an escape sequence (clear the screen, set the
 * window title) is named with the sequence defused. */
static void test_busy_holder_name_is_sanitised(void **state)
{
	struct cg_error err;
	int master, slave, ready[2];
	char path[64], go;
	(void)state;

	assert_int_equal(openpty(&master, &slave, path, NULL, NULL), 0);
	assert_int_equal(pipe(ready), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		prctl(PR_SET_NAME, "\x1b[2J\x1b]0;PWN\a", 0, 0, 0);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &go, 1), 1); /* named, holding it */
	close(ready[0]);

	cg_portdiag_busy(path, path, false, &err);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(slave);
	close(master);
	assert_int_equal(err.exit_code, EX_UNAVAILABLE);
	assert_non_null(strstr(err.message, "?[2J?]0;PWN? (pid "));
	assert_null(strchr(err.message, '\x1b'));
	assert_null(strchr(err.message, '\a'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_port),
		cmocka_unit_test(test_other_errors),
		cmocka_unit_test(test_busy_without_holders),
		cmocka_unit_test(test_busy_holder_name_is_sanitised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
