/*
 * probe and baud changes on ptys (the machine has no serial hardware):
 * one pty carries simulator frames, one line noise, one the complemented
 * frames, one nothing; the probe must pick the first and tell the others
 * apart. And cg_link_set_baud() must reach the pty's settings where the
 * master (chargery-sim --baud) can see them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "framer.h"
#include "link.h"
#include "probe.h"
#include "sim.h"

struct pty {
	int master;
	char slave_path[64];
};

/* A pty with no slave held open, so only the link under test holds it. */
static void pty_open(struct pty *pty)
{
	int slave;

	assert_int_equal(openpty(&pty->master, &slave, NULL, NULL, NULL), 0);
	assert_int_equal(ttyname_r(slave, pty->slave_path,
				   sizeof(pty->slave_path)),
			 0);
	close(slave);
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) != 0)
		;
}

enum { SIM, NOISE, INVERTED, QUIET, PTYS };

/* The BMS side, in a child: a second of simulated time every 100 ms, so
 * the probe sees plenty of frames in its listening time. */
static void feed_ptys(const struct pty ptys[PTYS], int ms)
{
	struct cg_sim_config config;
	struct cg_sim sim;
	uint32_t rng = 99;

	cg_sim_default_config(&config);
	cg_sim_init(&sim, &config, 0);
	for (int t = 100; t <= ms; t += 100) {
		uint8_t buf[2048], flipped[2048], noise[64];
		size_t n = 0;

		/* At most a second per call, as cg_sim_run asks. */
		for (int step = 1; step <= 4; step++)
			n += cg_sim_run(&sim, (uint64_t)(t * 10 - 1000 +
							 step * 250),
					buf + n, sizeof(buf) - n);
		for (size_t i = 0; i < n; i++)
			flipped[i] = (uint8_t)~buf[i];
		for (size_t i = 0; i < sizeof(noise); i++) {
			rng ^= rng << 13;
			rng ^= rng >> 17;
			rng ^= rng << 5;
			noise[i] = (uint8_t)rng == CG_HEADER_BYTE ? 0 : (uint8_t)rng;
		}
		if (write(ptys[SIM].master, buf, n) < 0 ||
		    write(ptys[INVERTED].master, flipped, n) < 0 ||
		    write(ptys[NOISE].master, noise, sizeof(noise)) < 0)
			_exit(1);
		sleep_ms(100);
	}
	_exit(0);
}

static void test_probe_picks_the_port_with_frames(void **state)
{
	struct pty ptys[PTYS];
	const char *paths[PTYS + 1];
	struct cg_probe_result results[PTYS + 1];
	int status, best;
	pid_t child;

	(void)state;
	for (int i = 0; i < PTYS; i++) {
		pty_open(&ptys[i]);
		paths[i] = ptys[i].slave_path;
	}
	paths[PTYS] = "/dev/ttyUSB-not-there";

	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		sleep_ms(200); /* let the probe open the ports first */
		feed_ptys(ptys, 1500);
	}
	best = cg_probe_ports(paths, PTYS + 1, 115200, 2000, results);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	assert_int_equal(best, SIM);
	for (int i = 0; i < PTYS; i++)
		assert_true(results[i].opened);
	assert_true(results[SIM].frames >= 10);
	assert_int_equal(results[SIM].inverted_frames, 0);
	assert_true(results[NOISE].bytes > 0);
	assert_int_equal(results[NOISE].frames, 0);
	assert_true(results[INVERTED].bytes > 0);
	assert_int_equal(results[INVERTED].frames, 0);
	assert_true(results[INVERTED].inverted_frames >= 10);
	assert_int_equal(results[QUIET].bytes, 0);
	assert_false(results[PTYS].opened);
	assert_int_equal(results[PTYS].exit_code, EX_NOINPUT);
	assert_non_null(strstr(results[PTYS].error, "no such port"));

	/* Every port was closed again: the lock is free for the reader. */
	for (int i = 0; i < PTYS; i++) {
		struct cg_link link;
		struct cg_error err;

		assert_int_equal(cg_link_open(&link, paths[i], 115200, &err), 0);
		cg_link_close(&link);
		close(ptys[i].master);
	}
}

static void test_probe_without_frames_is_minus_one(void **state)
{
	struct pty pty;
	const char *paths[1];
	struct cg_probe_result result;

	(void)state;
	pty_open(&pty);
	paths[0] = pty.slave_path;
	assert_int_equal(cg_probe_ports(paths, 1, 115200, 300, &result), -1);
	assert_true(result.opened);
	assert_int_equal(result.bytes, 0);
	assert_int_equal(cg_probe_ports(paths, 0, 115200, 300, &result), -1);
	close(pty.master);
}

static speed_t master_speed(int master)
{
	struct termios tio;

	assert_int_equal(tcgetattr(master, &tio), 0);
	return cfgetispeed(&tio);
}

/* What chargery-sim --baud relies on: the reader's speed change shows in
 * tcgetattr() on the master, and queued old-speed bytes are dropped. */
static void test_set_baud_shows_on_the_master(void **state)
{
	struct pty pty;
	struct cg_link link;
	struct cg_error err;
	char buf[16];

	(void)state;
	pty_open(&pty);
	assert_int_equal(cg_link_open(&link, pty.slave_path, 115200, &err), 0);
	assert_int_equal(master_speed(pty.master), B115200);

	assert_int_equal(write(pty.master, "old", 3), 3);
	sleep_ms(50);
	assert_int_equal(cg_link_set_baud(&link, 57600, &err), 0);
	assert_int_equal(link.baud, 57600);
	assert_int_equal(master_speed(pty.master), B57600);
	assert_int_equal(cg_link_read(&link, buf, sizeof(buf)), CG_LINK_AGAIN);

	assert_int_equal(cg_link_set_baud(&link, 12345, &err), -1);
	assert_int_equal(err.exit_code, EX_USAGE);
	assert_int_equal(link.baud, 57600);
	assert_int_equal(master_speed(pty.master), B57600);

	cg_link_close(&link);
	assert_int_equal(cg_link_set_baud(&link, 9600, &err), -1);
	close(pty.master);
}

static void test_set_baud_on_a_file_is_usage_error(void **state)
{
	char path[] = "/tmp/test_probe.XXXXXX";
	int fd = mkstemp(path);
	struct cg_link link;
	struct cg_error err;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(cg_link_open(&link, path, 115200, &err), 0);
	assert_int_equal(cg_link_set_baud(&link, 57600, &err), -1);
	assert_int_equal(err.exit_code, EX_USAGE);
	assert_non_null(strstr(err.message, "no baud rate"));
	cg_link_close(&link);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_picks_the_port_with_frames),
		cmocka_unit_test(test_probe_without_frames_is_minus_one),
		cmocka_unit_test(test_set_baud_shows_on_the_master),
		cmocka_unit_test(test_set_baud_on_a_file_is_usage_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
