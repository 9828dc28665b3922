/*
 * link: opening, reading, losing and getting back a port, checked on ptys
 * (the machine has no serial hardware) and on plain files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include "link.h"

#define BAUD 115200

struct pty {
	int master;
	char slave_path[64];
};

/* A pty with no slave held open, so only the link under test holds it. */
static void pty_open(struct pty *pty, mode_t slave_mode)
{
	int slave;

	assert_int_equal(openpty(&pty->master, &slave, NULL, NULL, NULL), 0);
	assert_int_equal(ttyname_r(slave, pty->slave_path,
				   sizeof(pty->slave_path)),
			 0);
	if (slave_mode)
		assert_int_equal(fchmod(slave, slave_mode), 0);
	close(slave);
}

static void pty_close(struct pty *pty)
{
	if (pty->master >= 0)
		close(pty->master);
	pty->master = -1;
}

static void write_all(int fd, const char *text)
{
	size_t length = strlen(text);

	assert_int_equal(write(fd, text, length), (ssize_t)length);
}

/* Reads until want bytes arrived or a second passed without any. */
static size_t read_until(struct cg_link *link, char *buf, size_t want)
{
	size_t got = 0;

	while (got < want) {
		struct pollfd ready = { .fd = link->fd, .events = POLLIN };
		ssize_t count;

		if (poll(&ready, 1, 1000) <= 0)
			break;
		count = cg_link_read(link, buf + got, want - got);
		if (count < 0)
			break;
		got += (size_t)count;
	}
	return got;
}

static int count_open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *entry;
	int count = 0;

	assert_non_null(dir);
	while ((entry = readdir(dir)))
		count += entry->d_name[0] != '.';
	closedir(dir);
	return count;
}

static void make_temp_dir(char *path, size_t cap)
{
	snprintf(path, cap, "/tmp/test_link.XXXXXX");
	assert_non_null(mkdtemp(path));
}

/* Points link_path at target, atomically, as socat does with link=. */
static void retarget_symlink(const char *link_path, const char *target)
{
	char temporary[PATH_MAX];

	snprintf(temporary, sizeof(temporary), "%s.new", link_path);
	unlink(temporary);
	assert_int_equal(symlink(target, temporary), 0);
	assert_int_equal(rename(temporary, link_path), 0);
}

static void test_pty_opens_and_reads(void **state)
{
	struct cg_link link;
	struct cg_error err;
	struct pty pty;
	char buf[16] = "";

	(void)state;
	pty_open(&pty, 0);
	assert_int_equal(cg_link_open(&link, pty.slave_path, BAUD, &err), 0);
	assert_int_equal(link.kind, CG_LINK_TTY);
	assert_true(link.fd >= 0);
	assert_string_equal(link.resolved, pty.slave_path);

	assert_int_equal(cg_link_read(&link, buf, sizeof(buf)), CG_LINK_AGAIN);
	/* Raw mode: \r and \n and 0xff must arrive untouched. */
	write_all(pty.master, "\x24\x24\r\n\xff");
	assert_int_equal(read_until(&link, buf, 5), 5);
	assert_memory_equal(buf, "\x24\x24\r\n\xff", 5);

	cg_link_close(&link);
	assert_int_equal(link.fd, -1);
	cg_link_close(&link);
	pty_close(&pty);
}

/*
 * The slave cooked as hostile as a tty gets: XON/XOFF would eat 0x11 and
 * 0x13, ISTRIP clear bit 7, ICRNL/INLCR/IGNCR turn or drop \r and \n,
 * PARMRK double 0xff, ICANON hold bytes back until a newline, ISIG eat ^C,
 * IEXTEN eat ^V. Set before the link opens the port, as a getty, stty or
 * an earlier program may have left it. What the test writes into the
 * master passes one line discipline only, the slave's input side, whose
 * settings are the link's to make (on Linux, termios requests on a master
 * act on its slave too): so these settings are exactly what is tested.
 */
static void pty_open_cooked(struct pty *pty)
{
	struct termios settings;
	int slave;

	pty_open(pty, 0);
	slave = open(pty->slave_path, O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	assert_int_equal(tcgetattr(slave, &settings), 0);
	settings.c_iflag |= IXON | IXOFF | IXANY | ICRNL | INLCR | IGNCR |
			    ISTRIP | PARMRK | INPCK;
	settings.c_lflag |= ICANON | ECHO | ISIG | IEXTEN;
	assert_int_equal(tcsetattr(slave, TCSANOW, &settings), 0);
	close(slave);
}

static void assert_raw(int fd)
{
	struct termios settings;

	assert_int_equal(tcgetattr(fd, &settings), 0);
	assert_int_equal(settings.c_iflag & (IXON | IXOFF | IXANY | ICRNL |
					     INLCR | IGNCR | ISTRIP | PARMRK),
			 0);
	assert_int_equal(settings.c_lflag & (ICANON | ECHO | ISIG | IEXTEN),
			 0);
}

static void test_every_byte_value_arrives_unchanged(void **state)
{
	struct cg_link link;
	struct cg_error err;
	struct pty pty;
	unsigned char sent[256], got[256];

	(void)state;
	for (size_t i = 0; i < sizeof(sent); i++)
		sent[i] = (unsigned char)i;
	pty_open_cooked(&pty);
	assert_int_equal(cg_link_open(&link, pty.slave_path, BAUD, &err), 0);
	assert_int_equal(link.kind, CG_LINK_TTY);
	assert_raw(link.fd);
	assert_int_equal(write(pty.master, sent, sizeof(sent)),
			 (ssize_t)sizeof(sent));
	assert_int_equal(read_until(&link, (char *)got, sizeof(got)),
			 sizeof(got));
	assert_memory_equal(got, sent, sizeof(sent));

	/* A baud change (the doctor's hunt) keeps it raw. */
	assert_int_equal(cg_link_set_baud(&link, 57600, &err), 0);
	assert_raw(link.fd);
	assert_int_equal(write(pty.master, sent, sizeof(sent)),
			 (ssize_t)sizeof(sent));
	assert_int_equal(read_until(&link, (char *)got, sizeof(got)),
			 sizeof(got));
	assert_memory_equal(got, sent, sizeof(sent));
	cg_link_close(&link);
	pty_close(&pty);
}

/* Bytes the pty held before the open are old news: only what is written
 * after it arrives, on the first open and on a reopen alike. */
static void test_bytes_from_before_the_open_are_dropped(void **state)
{
	struct cg_link link;
	struct cg_error err;
	struct pty pty;
	char buf[64];
	int holder;

	(void)state;
	pty_open(&pty, 0);
	/* Someone must hold the slave, or the pty drops what is written. */
	holder = open(pty.slave_path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	assert_true(holder >= 0);
	write_all(pty.master, "old frames, a minute of them\n");
	assert_int_equal(cg_link_open(&link, pty.slave_path, BAUD, &err), 0);
	write_all(pty.master, "new");
	assert_int_equal(read_until(&link, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "new", 3);

	write_all(pty.master, "old again");
	assert_int_equal(cg_link_reopen(&link, &err), 0);
	write_all(pty.master, "fresh");
	assert_int_equal(read_until(&link, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "fresh", 5);
	cg_link_close(&link);
	close(holder);
	pty_close(&pty);
}

static void test_master_close_is_lost(void **state)
{
	struct cg_link link;
	struct cg_error err;
	struct pollfd hangup;
	struct pty pty;
	char buf[16];

	(void)state;
	pty_open(&pty, 0);
	assert_int_equal(cg_link_open(&link, pty.slave_path, BAUD, &err), 0);
	pty_close(&pty);

	hangup = (struct pollfd){ .fd = link.fd, .events = POLLIN };
	assert_int_equal(poll(&hangup, 1, 1000), 1);
	assert_int_equal(cg_link_read(&link, buf, sizeof(buf)), CG_LINK_LOST);
	assert_int_equal(link.fd, -1);

	/* The pty is gone for good: reopening fails, quietly. Linux gives a
	 * new pty the lowest free number, so a test running beside this one
	 * may have taken this one's at once: then there is a device there
	 * again, and opening it is right (rare; said in the output). */
	if (cg_link_reopen(&link, &err) == 0) {
		print_message("%s was taken again by another pty\n", pty.slave_path);
		assert_int_equal(access(pty.slave_path, F_OK), 0);
	} else {
		assert_int_equal(err.exit_code, EX_NOINPUT);
		assert_null(strchr(err.message, '\n'));
	}
	cg_link_close(&link);
}

static void test_reopen_follows_retargeted_symlink(void **state)
{
	struct cg_link link;
	struct cg_error err;
	struct pty first, second;
	char dir[64], link_path[128], buf[16] = "";

	(void)state;
	make_temp_dir(dir, sizeof(dir));
	snprintf(link_path, sizeof(link_path), "%s/bms", dir);
	pty_open(&first, 0);
	retarget_symlink(link_path, first.slave_path);

	assert_int_equal(cg_link_open(&link, link_path, BAUD, &err), 0);
	assert_string_equal(link.path, link_path);
	assert_string_equal(link.resolved, first.slave_path);
	pty_close(&first);
	assert_int_equal(read_until(&link, buf, 1), 0);
	assert_int_equal(link.fd, -1);

	/* Unplugged: udev removes the link, and there is nothing to reopen.
	 * (Left pointing at the closed pty, the link could find that pty
	 * number taken again by another program's new pty: the tests run
	 * side by side.) */
	assert_int_equal(unlink(link_path), 0);
	assert_int_equal(cg_link_reopen(&link, &err), -1);

	pty_open(&second, 0);
	retarget_symlink(link_path, second.slave_path);
	assert_int_equal(cg_link_reopen(&link, &err), 0);
	assert_string_equal(link.path, link_path);
	assert_string_equal(link.resolved, second.slave_path);
	assert_int_equal(link.kind, CG_LINK_TTY);
	write_all(second.master, "back");
	assert_int_equal(read_until(&link, buf, 4), 4);
	assert_memory_equal(buf, "back", 4);

	cg_link_close(&link);
	pty_close(&second);
	unlink(link_path);
	rmdir(dir);
}

static void test_second_open_is_busy_and_names_holder(void **state)
{
	struct cg_link first, second;
	struct cg_error err;
	struct pty pty;
	char comm[64] = "", holder[128];
	struct termios settings;
	FILE *file;
	int fds_before;

	(void)state;
	file = fopen("/proc/self/comm", "r");
	assert_non_null(file);
	assert_non_null(fgets(comm, sizeof(comm), file));
	fclose(file);
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(holder, sizeof(holder), "%s (pid %ld)", comm, (long)getpid());

	pty_open(&pty, 0);
	assert_int_equal(cg_link_open(&first, pty.slave_path, BAUD, &err), 0);
	fds_before = count_open_fds();
	assert_int_equal(cg_link_open(&second, pty.slave_path, BAUD, &err), -1);
	assert_int_equal(err.exit_code, EX_UNAVAILABLE);
	assert_int_equal(second.fd, -1);
	assert_non_null(strstr(err.message, "in use by"));
	assert_non_null(strstr(err.message, holder));
	assert_non_null(strstr(err.message, pty.slave_path));
	assert_int_equal(count_open_fds(), fds_before);

	/* Turned away before touching the settings of the first one's port. */
	assert_int_equal(cg_link_open(&second, pty.slave_path, 9600, &err), -1);
	assert_int_equal(err.exit_code, EX_UNAVAILABLE);
	assert_int_equal(tcgetattr(first.fd, &settings), 0);
	assert_int_equal(cfgetispeed(&settings), B115200);

	/* Once the first lets go the port is free again. */
	cg_link_close(&first);
	assert_int_equal(cg_link_open(&second, pty.slave_path, BAUD, &err), 0);
	cg_link_close(&second);
	pty_close(&pty);
}

static void test_missing_port_lists_ports(void **state)
{
	struct cg_link link;
	struct cg_error err;

	(void)state;
	assert_int_equal(cg_link_open(&link, "/dev/ttyUSB_no_such_test_port",
				      BAUD, &err),
			 -1);
	assert_int_equal(err.exit_code, EX_NOINPUT);
	assert_int_equal(link.fd, -1);
	assert_non_null(strstr(err.message,
			       "no such port /dev/ttyUSB_no_such_test_port"));
	/* Either the table's header or the word that there are none. */
	assert_true(strstr(err.message, "PORT") ||
		    strstr(err.message, "no serial ports found"));
}

static void test_directory_is_usage_error(void **state)
{
	struct cg_link link;
	struct cg_error err;
	char dir[64];

	(void)state;
	make_temp_dir(dir, sizeof(dir));
	assert_int_equal(cg_link_open(&link, dir, BAUD, &err), -1);
	assert_int_equal(err.exit_code, EX_USAGE);
	assert_non_null(strstr(err.message, "directory"));
	rmdir(dir);
}

static void test_non_tty_device_is_usage_error(void **state)
{
	struct cg_link link;
	struct cg_error err;
	int fds_before = count_open_fds();

	(void)state;
	assert_int_equal(cg_link_open(&link, "/dev/null", BAUD, &err), -1);
	assert_int_equal(err.exit_code, EX_USAGE);
	assert_non_null(strstr(err.message, "not a serial port"));
	assert_int_equal(count_open_fds(), fds_before);
}

static void test_unsupported_baud_on_tty(void **state)
{
	struct cg_link link;
	struct cg_error err;
	struct pty pty;

	(void)state;
	pty_open(&pty, 0);
	assert_int_equal(cg_link_open(&link, pty.slave_path, 12345, &err), -1);
	assert_int_equal(err.exit_code, EX_USAGE);
	assert_non_null(strstr(err.message, "12345"));
	assert_int_equal(link.fd, -1);
	pty_close(&pty);
}

static void test_regular_file_reads_to_eof(void **state)
{
	struct cg_link link;
	struct cg_error err;
	char path[] = "/tmp/test_link.capture.XXXXXX";
	unsigned char written[3000], read_back[3000];
	size_t got = 0;
	ssize_t count;
	int fd;

	(void)state;
	for (size_t i = 0; i < sizeof(written); i++)
		written[i] = (unsigned char)(i * 7);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, written, sizeof(written)),
			 (ssize_t)sizeof(written));
	close(fd);

	assert_int_equal(cg_link_open(&link, path, BAUD, &err), 0);
	assert_int_equal(link.kind, CG_LINK_FILE);
	while ((count = cg_link_read(&link, read_back + got, 1000)) > 0)
		got += (size_t)count;
	assert_int_equal(count, CG_LINK_EOF);
	assert_int_equal(got, sizeof(written));
	assert_memory_equal(read_back, written, sizeof(written));
	assert_int_equal(cg_link_read(&link, read_back, 1), CG_LINK_EOF);
	cg_link_close(&link);
	cg_link_close(&link);
	unlink(path);
}

static void test_stdin_reads_to_eof(void **state)
{
	struct cg_link link;
	struct cg_error err;
	int saved_stdin = dup(STDIN_FILENO), pipe_fds[2];
	char buf[8] = "";

	(void)state;
	assert_true(saved_stdin >= 0);
	assert_int_equal(pipe(pipe_fds), 0);
	assert_int_equal(dup2(pipe_fds[0], STDIN_FILENO), STDIN_FILENO);
	close(pipe_fds[0]);

	assert_int_equal(cg_link_open(&link, "-", BAUD, &err), 0);
	assert_int_equal(link.kind, CG_LINK_STDIN);
	assert_int_equal(cg_link_read(&link, buf, sizeof(buf)), CG_LINK_AGAIN);
	write_all(pipe_fds[1], "abc");
	close(pipe_fds[1]);
	assert_int_equal(cg_link_read(&link, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "abc", 3);
	assert_int_equal(cg_link_read(&link, buf, sizeof(buf)), CG_LINK_EOF);
	cg_link_close(&link);
	/* Standard input is handed back blocking, as it was. */
	assert_false(fcntl(STDIN_FILENO, F_GETFL) & O_NONBLOCK);

	assert_int_equal(dup2(saved_stdin, STDIN_FILENO), STDIN_FILENO);
	close(saved_stdin);
}

static void test_permission_denied(void **state)
{
	struct cg_link link;
	struct cg_error err;
	struct pty pty;

	(void)state;
	if (getuid() == 0) {
		print_message("skipping: root opens any tty, so permission "
			      "denied cannot be provoked (run as a user)\n");
		skip();
	}
	/* Group may read, the owner (us) may not: the owner class wins. */
	pty_open(&pty, 0040);
	assert_int_equal(cg_link_open(&link, pty.slave_path, BAUD, &err), -1);
	assert_int_equal(err.exit_code, EX_NOPERM);
	assert_non_null(strstr(err.message, "permission denied"));
	assert_non_null(strstr(err.message, "99-chargery.rules"));
	if (strstr(err.message, "usermod")) {
		struct passwd *user = getpwuid(getuid());

		assert_non_null(user);
		assert_non_null(strstr(err.message, "sudo usermod -aG "));
		assert_non_null(strstr(err.message, user->pw_name));
		assert_non_null(strstr(err.message, "log out and back in"));
	}
	pty_close(&pty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pty_opens_and_reads),
		cmocka_unit_test(test_every_byte_value_arrives_unchanged),
		cmocka_unit_test(test_bytes_from_before_the_open_are_dropped),
		cmocka_unit_test(test_master_close_is_lost),
		cmocka_unit_test(test_reopen_follows_retargeted_symlink),
		cmocka_unit_test(test_second_open_is_busy_and_names_holder),
		cmocka_unit_test(test_missing_port_lists_ports),
		cmocka_unit_test(test_directory_is_usage_error),
		cmocka_unit_test(test_non_tty_device_is_usage_error),
		cmocka_unit_test(test_unsupported_baud_on_tty),
		cmocka_unit_test(test_regular_file_reads_to_eof),
		cmocka_unit_test(test_stdin_reads_to_eof),
		cmocka_unit_test(test_permission_denied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
