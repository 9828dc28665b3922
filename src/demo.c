/*
 * demo: fork + openpty. The child never returns into the caller's code: it
 * paces the simulator on absolute deadlines and exits when the parent goes
 * away (PR_SET_PDEATHSIG), so a killed chargery-top leaves no orphan.
 */
#include "demo.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "sim.h"

static void sleep_until_ms(uint64_t deadline_ms)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ms / 1000),
		.tv_nsec = (long)(deadline_ms % 1000) * 1000000L,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

static void feed_forever(int master)
{
	struct cg_sim_config config;
	struct cg_sim sim;
	uint8_t buf[512];

	cg_sim_default_config(&config);
	cg_sim_init(&sim, &config, cg_clock_ms());
	for (;;) {
		size_t n = cg_sim_run(&sim, cg_clock_ms(), buf, sizeof(buf));

		/* A full pty (nobody reading) drops bytes, as a real line
		 * would; the reader resynchronises. */
		if (n && write(master, buf, n) < 0 && errno != EAGAIN)
			_exit(0);
		sleep_until_ms(cg_sim_next_due_ms(&sim));
	}
}

pid_t cg_demo_start(char *path, size_t path_cap, struct cg_error *err)
{
	int master, slave;
	struct termios raw;
	pid_t parent = getpid();

	if (openpty(&master, &slave, NULL, NULL, NULL) < 0) {
		cg_error_set(err, EX_OSERR,
			     "cannot create a pty for the demo: %s",
			     strerror(errno));
		return -1;
	}
	/* Raw before anyone reads: no echo back into the master, no CR/LF
	 * rewriting of frame bytes. */
	if (tcgetattr(slave, &raw) == 0) {
		cfmakeraw(&raw);
		tcsetattr(slave, TCSANOW, &raw);
	}
	if (ttyname_r(slave, path, path_cap) != 0) {
		cg_error_set(err, EX_OSERR, "cannot name the demo pty: %s",
			     strerror(errno));
		close(master);
		close(slave);
		return -1;
	}

	pid_t pid = fork();
	if (pid < 0) {
		cg_error_set(err, EX_OSERR, "cannot start the demo feeder: %s",
			     strerror(errno));
		close(master);
		close(slave);
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(0);
		/* The parent's handlers only set a flag and its mask blocks
		 * them outside ppoll(). Reset the handlers first, then
		 * unblock: a SIGTERM already pending must kill the feeder, not
		 * run an inherited handler that leaves it feeding for ever. */
		signal(SIGINT, SIG_IGN); /* Ctrl-C is for the parent */
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		close(slave);
		fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
		feed_forever(master);
	}
	close(master);
	/* Keep no slave open here: the reader opens it by path, and a hang-up
	 * must reach it when the feeder dies. */
	close(slave);
	return pid;
}

void cg_demo_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
