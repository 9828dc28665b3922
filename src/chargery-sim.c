/*
 * chargery-sim: a simulated Chargery BMS on a pseudo-terminal, so that
 * chargery-top (or any reader) can be tried without hardware:
 *
 *   chargery-sim --link /tmp/bms &   then   chargery-top /tmp/bms
 *
 * The stream comes from sim.c and the options from sim_options.c; this file
 * owns the pty (or stdout) and paces the simulated clock against the
 * monotonic clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "encode.h"
#include "framer.h"
#include "sim.h"
#include "sim_options.h"

#define PROGRAM CG_SIM_PROGRAM

/* Above this many unread bytes on the pty nobody is reading: the stale
 * ones are dropped so that a reader who connects later sees the present
 * (a real BMS does not queue minutes of old frames either). About 10 s. */
#define PTY_BACKLOG_MAX 512

/* From this speed on, --stdout generates without sleeping at all. */
#define SPEED_UNPACED 1000.0

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal must cut the current sleep short. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A closed stdout pipe shows up as EPIPE from write() instead. */
	signal(SIGPIPE, SIG_IGN);
}

/* The pty, and the symlink to it if any; what cleanup has to undo. */
struct output {
	int fd;        /* stdout or the pty master */
	int slave_fd;  /* held open: keeps the settings and our view of the
			* backlog while readers come and go; -1 for stdout */
	char slave_path[PATH_MAX];
	const char *link_path;
};

static int open_pty(struct output *out)
{
	struct termios tio;
	int flags;

	if (openpty(&out->fd, &out->slave_fd, out->slave_path, NULL, NULL)) {
		fprintf(stderr,
			PROGRAM ": cannot create a pseudo-terminal: %s.\n"
			"Check that /dev/ptmx exists and devpts is mounted, or use --stdout.\n",
			strerror(errno));
		return EX_OSERR;
	}
	/* Raw on the slave: a serial line carries bytes, so no CR/LF
	 * translation, no echo back into the stream, no line buffering. */
	if (tcgetattr(out->slave_fd, &tio) == 0) {
		cfmakeraw(&tio);
		cfsetispeed(&tio, B115200);
		cfsetospeed(&tio, B115200);
		tcsetattr(out->slave_fd, TCSANOW, &tio);
	}
	flags = fcntl(out->fd, F_GETFL);
	fcntl(out->fd, F_SETFL, flags | O_NONBLOCK);
	return EX_OK;
}

static int make_link(struct output *out, const char *link_path)
{
	struct stat st;

	if (symlink(out->slave_path, link_path) == 0) {
		out->link_path = link_path;
		return EX_OK;
	}
	/* Like socat's link=: a symlink left by an earlier run is replaced,
	 * anything else at that path is not ours to delete. */
	if (errno == EEXIST && lstat(link_path, &st) == 0 &&
	    S_ISLNK(st.st_mode) && unlink(link_path) == 0 &&
	    symlink(out->slave_path, link_path) == 0) {
		out->link_path = link_path;
		return EX_OK;
	}
	fprintf(stderr,
		PROGRAM ": cannot create the symlink %s -> %s: %s.\n"
		"Pick another --link path, or remove what is there if it is not needed.\n",
		link_path, out->slave_path,
		errno == EEXIST ? "a file that is not a symlink is in the way"
				: strerror(errno));
	return EX_CANTCREAT;
}

/* Removes the symlink, unless someone else has pointed it elsewhere. */
static void remove_link(struct output *out)
{
	char target[PATH_MAX];
	ssize_t n;

	if (!out->link_path)
		return;
	n = readlink(out->link_path, target, sizeof(target) - 1);
	if (n >= 0) {
		target[n] = '\0';
		if (!strcmp(target, out->slave_path))
			unlink(out->link_path);
	}
	out->link_path = NULL;
}

/* Writes to stdout, blocking; the reader sets the pace. */
static int write_stdout(const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR) {
			if (stop_signal)
				return EX_OK;
			continue;
		}
		if (n < 0 && errno == EPIPE)
			return -1; /* the reader is gone: a normal end */
		if (n < 0) {
			fprintf(stderr,
				PROGRAM ": cannot write to stdout: %s.\n"
				"Check the disk or the program reading the stream.\n",
				strerror(errno));
			return EX_IOERR;
		}
		buf += n;
		len -= (size_t)n;
	}
	return EX_OK;
}

/* Writes to the pty master without ever blocking: what nobody reads is
 * dropped, and the backlog is capped so a late reader is not fed history. */
static int write_pty(struct output *out, const uint8_t *buf, size_t len)
{
	int queued = 0;

	if (ioctl(out->slave_fd, FIONREAD, &queued) == 0 &&
	    queued > PTY_BACKLOG_MAX)
		tcflush(out->slave_fd, TCIFLUSH);
	while (len > 0) {
		ssize_t n = write(out->fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return EX_OK;
		if (n < 0) {
			fprintf(stderr,
				PROGRAM ": cannot write to the pty %s: %s.\n"
				"Restart " PROGRAM ".\n",
				out->slave_path, strerror(errno));
			return EX_IOERR;
		}
		buf += n;
		len -= (size_t)n;
	}
	return EX_OK;
}

static struct timespec timespec_add_ns(struct timespec t, int64_t ns)
{
	t.tv_sec += ns / 1000000000;
	t.tv_nsec += ns % 1000000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

static int64_t timespec_diff_ns(struct timespec a, struct timespec b)
{
	return (int64_t)(a.tv_sec - b.tv_sec) * 1000000000 +
	       (a.tv_nsec - b.tv_nsec);
}

/*
 * Runs the simulation. Simulated time starts at 0 and maps to the
 * monotonic clock as start + sim_ms / speed; every wake-up is an absolute
 * deadline, so pacing does not drift however long the writes take.
 */
static uint32_t next_random(uint32_t *state)
{
	/* xorshift32: enough to pick frames and make noise, reproducibly. */
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/* Flips one data byte (not the header or the length, so the frame still
 * looks whole) in about pct % of the frames in buf: their sum fails. */
static void corrupt_frames(uint8_t *buf, size_t n, unsigned pct,
			   uint32_t *rng)
{
	const uint8_t *p = buf;
	size_t left = n;
	struct cg_framer framer;
	struct cg_frame frame;

	cg_framer_init(&framer);
	while (cg_framer_next(&framer, &p, &left, &frame)) {
		size_t end = (size_t)(p - buf);
		uint8_t *start;

		/* Only frames lying whole in buf can be damaged here. */
		if (frame.len > end)
			continue;
		start = buf + end - frame.len;
		if (memcmp(start, frame.bytes, frame.len) ||
		    next_random(rng) % 100 >= pct)
			continue;
		start[4 + next_random(rng) % (frame.len - 5u)] ^=
			(uint8_t)(1u << (next_random(rng) % 8));
	}
}

/* Random bytes as a UART at the wrong speed hands out. Never 0x24 (or its
 * complement 0xDB), so no reader can find a frame header in them. */
static void make_noise(uint8_t *buf, size_t n, uint32_t *rng)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t byte = (uint8_t)next_random(rng);

		if (byte == CG_HEADER_BYTE || byte == (uint8_t)~CG_HEADER_BYTE)
			byte ^= 0x01;
		buf[i] = byte;
	}
}

/* Whether the reader has set the pty to the speed the BMS talks at. On
 * Linux tcgetattr() on the master returns the slave's settings, which the
 * reader changes with its own tcsetattr(). */
static bool reader_at_speed(const struct output *out, speed_t speed)
{
	struct termios tio;

	if (tcgetattr(out->fd, &tio) != 0)
		return true; /* cannot tell: talk */
	return cfgetispeed(&tio) == speed;
}

static void add_faults(const struct cg_sim_options *opt, const struct output *out,
		       uint32_t *rng, uint8_t *buf, size_t n)
{
	if (opt->baud && !reader_at_speed(out, opt->baud_constant)) {
		make_noise(buf, n, rng);
		return;
	}
	if (opt->corrupt_pct)
		corrupt_frames(buf, n, opt->corrupt_pct, rng);
	if (opt->invert)
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)~buf[i];
}

static int run(const struct cg_sim_options *opt, struct output *out)
{
	uint32_t rng = opt->sim.seed * 2654435761u | 1u;
	uint64_t end_ms = (uint64_t)(opt->duration_s * 1000.0 + 0.5);
	bool unpaced = opt->to_stdout && opt->speed >= SPEED_UNPACED;
	struct cg_sim sim;
	struct timespec start, now;
	uint8_t buf[512];

	cg_sim_init(&sim, &opt->sim, 0);
	clock_gettime(CLOCK_MONOTONIC, &start);

	while (!stop_signal) {
		uint64_t due_ms = cg_sim_next_due_ms(&sim);
		uint64_t now_ms;
		size_t n;
		int rc;

		/* --duration D covers simulated times [0, D). */
		if (opt->duration_s > 0 && due_ms >= end_ms)
			due_ms = end_ms;

		if (unpaced) {
			now_ms = due_ms;
		} else {
			struct timespec deadline = timespec_add_ns(
				start, (int64_t)(due_ms * 1e6 / opt->speed));

			if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
					    &deadline, NULL))
				continue; /* a signal: check stop_signal */
			clock_gettime(CLOCK_MONOTONIC, &now);
			/* After a stall, catch up at once rather than late. */
			now_ms = (uint64_t)(timespec_diff_ns(now, start) / 1e6 *
					    opt->speed);
			/* Rounding must not leave the due frame for later. */
			if (now_ms < due_ms)
				now_ms = due_ms;
		}
		if (opt->duration_s > 0 && now_ms >= end_ms) {
			if (due_ms >= end_ms)
				return EX_OK;
			now_ms = end_ms - 1;
		}

		n = cg_sim_run(&sim, now_ms, buf, sizeof(buf));
		if (n == 0 || opt->silent)
			continue;
		add_faults(opt, out, &rng, buf, n);
		rc = opt->to_stdout ? write_stdout(buf, n)
				    : write_pty(out, buf, n);
		if (rc < 0)
			return EX_OK;
		if (rc != EX_OK)
			return rc;
	}
	return EX_OK;
}

int main(int argc, char **argv)
{
	struct cg_sim_options opt = { 0 };
	struct output out = { .fd = STDOUT_FILENO, .slave_fd = -1 };
	int rc;

	cg_sim_options_parse(argc, argv, &opt);
	install_signal_handlers();

	if (!opt.to_stdout) {
		rc = open_pty(&out);
		if (rc != EX_OK)
			return rc;
		if (opt.link_path) {
			rc = make_link(&out, opt.link_path);
			if (rc != EX_OK)
				return rc;
		}
		printf("%s\n", out.slave_path);
		fflush(stdout);
		if (isatty(STDERR_FILENO))
			fprintf(stderr,
				PROGRAM ": a BMS%uT with %u cells (firmware %s) on %s%s%s; stop with Ctrl-C.\n",
				opt.sim.slots, opt.sim.cells,
				cg_firmware_layout(opt.sim.firmware)->version,
				opt.link_path ? opt.link_path : out.slave_path,
				opt.link_path ? " -> " : "",
				opt.link_path ? out.slave_path : "");
	}

	rc = run(&opt, &out);
	remove_link(&out);
	return rc;
}
