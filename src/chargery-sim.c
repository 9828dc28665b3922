/*
 * chargery-sim: a simulated Chargery BMS on a pseudo-terminal, so that
 * chargery-top (or any reader) can be tried without hardware:
 *
 *   chargery-sim --link /tmp/bms &   then   chargery-top /tmp/bms
 *
 * The stream comes from sim.c; this file only parses options, owns the pty
 * (or stdout) and paces the simulated clock against the monotonic clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "baud.h"
#include "framer.h"
#include "sim.h"

#define PROGRAM "chargery-sim"

/* Above this many unread bytes on the pty nobody is reading: the stale
 * ones are dropped so that a reader who connects later sees the present
 * (a real BMS does not queue minutes of old frames either). About 10 s. */
#define PTY_BACKLOG_MAX 512

/* From this speed on, --stdout generates without sleeping at all. */
#define SPEED_UNPACED 1000.0

struct options {
	struct cg_sim_config sim;
	bool to_stdout;
	const char *link_path;
	double speed;
	double duration_s; /* 0: run until stopped */
	bool cells_given;
	/* Faults, to test how a reader diagnoses them. */
	bool invert;          /* every byte complemented, as a TTL line */
	unsigned corrupt_pct; /* frames with one byte flipped */
	int baud;             /* frames only when the reader is at this rate */
	speed_t baud_constant;
	bool silent;          /* the pty stays quiet */
};

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROGRAM " [OPTION]...\n"
		"Simulates a Chargery BMS8T/16T/24T: writes the byte stream the unit\n"
		"sends on its COM3 port to a pseudo-terminal and prints that pty's path.\n"
		"\n"
		"  --stdout             write the raw stream to stdout instead of a pty\n"
		"  --link PATH          also make PATH a symlink to the pty (replaced if it\n"
		"                       is a symlink already, removed on exit)\n"
		"  --cells N            wired cells, 1..slots (default: all slots)\n"
		"  --slots 8|16|24      channels of the unit: BMS8T, 16T or 24T (default 16)\n"
		"  --firmware v126|old  frame layout: V1.26 (default) or V1.22 and older\n"
		"  --no-junk            no junk bytes between frames\n"
		"  --seed N             seed of the simulation (default 1); same seed, same bytes\n"
		"  --speed X            run the simulated clock X times faster (default 1)\n"
		"  --duration SECONDS   stop after this much simulated time\n"
		"\n"
		"Faults, to see how a reader copes:\n"
		"  --invert             complement every byte (a TTL adapter on an RS232 line)\n"
		"  --corrupt PCT        flip one byte in PCT %% of frames so their checksum fails\n"
		"  --baud N             act as a BMS at N baud: frames only while the reader's\n"
		"                       pty is set to N, line noise otherwise (pty only)\n"
		"  --silent             open the pty but send nothing (a loose wire)\n"
		"  --help               show this help and exit\n"
		"  --version            show the version and exit\n"
		"\n"
		"Example: " PROGRAM " --link /tmp/bms &  chargery-top /tmp/bms\n"
		"         " PROGRAM " --stdout --speed 1000 --duration 60 > capture.bin\n");
}

static void die_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Says what is wrong with the command line, naming the option. */
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROGRAM ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" PROGRAM " --help' for the options.\n");
	exit(EX_USAGE);
}

static unsigned long parse_ulong(const char *option, const char *arg,
				 unsigned long min, unsigned long max)
{
	long long value;

	if (!cg_args_integer(arg, (long long)min, (long long)max, &value))
		die_usage("%s '%s' must be a whole number from %lu to %lu.",
			  option, arg, min, max);
	return (unsigned long)value;
}

/* Bounded so that times stay far inside 64-bit nanoseconds. */
static double parse_number(const char *option, const char *arg, double min,
			   double max)
{
	double value;

	if (!cg_args_number(arg, min, max, &value))
		die_usage("%s '%s' must be a number from %g to %g.", option,
			  arg, min, max);
	return value;
}

static void parse_options(int argc, char **argv, struct options *opt)
{
	enum {
		OPT_STDOUT = 256, OPT_LINK, OPT_CELLS, OPT_SLOTS,
		OPT_FIRMWARE, OPT_NO_JUNK, OPT_SEED, OPT_SPEED, OPT_DURATION,
		OPT_HELP, OPT_VERSION, OPT_INVERT, OPT_CORRUPT, OPT_BAUD,
		OPT_SILENT,
	};
	static const struct option longopts[] = {
		{ "stdout", no_argument, NULL, OPT_STDOUT },
		{ "link", required_argument, NULL, OPT_LINK },
		{ "cells", required_argument, NULL, OPT_CELLS },
		{ "slots", required_argument, NULL, OPT_SLOTS },
		{ "firmware", required_argument, NULL, OPT_FIRMWARE },
		{ "no-junk", no_argument, NULL, OPT_NO_JUNK },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "invert", no_argument, NULL, OPT_INVERT },
		{ "corrupt", required_argument, NULL, OPT_CORRUPT },
		{ "baud", required_argument, NULL, OPT_BAUD },
		{ "silent", no_argument, NULL, OPT_SILENT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long slots;
	int c;

	cg_sim_default_config(&opt->sim);
	opt->speed = 1.0;

	/* Leading ':' so that getopt leaves the messages to us. */
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STDOUT:
			opt->to_stdout = true;
			break;
		case OPT_LINK:
			if (!optarg[0])
				die_usage("--link needs a path, got ''.");
			opt->link_path = optarg;
			break;
		case OPT_CELLS:
			opt->sim.cells = parse_ulong("--cells", optarg, 1,
						     CG_MAX_CELLS);
			opt->cells_given = true;
			break;
		case OPT_SLOTS:
			slots = parse_ulong("--slots", optarg, 1, 255);
			if (slots != 8 && slots != 16 && slots != 24)
				die_usage("--slots '%s' must be 8, 16 or 24 (BMS8T, 16T, 24T).",
					  optarg);
			opt->sim.slots = slots;
			break;
		case OPT_FIRMWARE:
			if (!strcmp(optarg, "v126"))
				opt->sim.firmware = CG_FW_V126;
			else if (!strcmp(optarg, "old"))
				opt->sim.firmware = CG_FW_OLD;
			else
				die_usage("%s '%s' must be v126 or old.",
					  "--firmware", optarg);
			break;
		case OPT_NO_JUNK:
			opt->sim.junk = false;
			break;
		case OPT_SEED:
			opt->sim.seed = parse_ulong("--seed", optarg, 0,
						    UINT32_MAX);
			break;
		case OPT_SPEED:
			opt->speed = parse_number("--speed", optarg, 0.01, 1e6);
			break;
		case OPT_DURATION:
			opt->duration_s = parse_number("--duration", optarg,
						       0.001, 1e7);
			break;
		case OPT_INVERT:
			opt->invert = true;
			break;
		case OPT_CORRUPT:
			opt->corrupt_pct = parse_ulong("--corrupt", optarg, 0,
						       100);
			break;
		case OPT_BAUD:
			opt->baud = (int)parse_ulong("--baud", optarg, 1,
						     4000000);
			opt->baud_constant = cg_baud_speed(opt->baud);
			if (opt->baud_constant == B0)
				die_usage("--baud '%s' is not a standard rate (9600, 19200, 38400, 57600, 115200, 230400, ...).",
					  optarg);
			break;
		case OPT_SILENT:
			opt->silent = true;
			break;
		case OPT_HELP:
			usage(stdout);
			exit(EX_OK);
		case OPT_VERSION:
			printf(PROGRAM " " CG_VERSION "\n");
			exit(EX_OK);
		case ':':
			die_usage("%s needs a value.", argv[optind - 1]);
			break;
		default:
			die_usage("unknown option '%s'.", argv[optind - 1]);
			break;
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'; all settings are options.",
			  argv[optind]);
	if (opt->to_stdout && opt->link_path)
		die_usage("--link makes a symlink to a pty; it cannot go with --stdout.");
	if (opt->to_stdout && opt->baud)
		die_usage("--baud watches the speed the reader sets on the pty; it cannot go with --stdout.");

	if (!opt->cells_given)
		opt->sim.cells = opt->sim.slots;
	if (opt->sim.cells > opt->sim.slots)
		die_usage("--cells %u is more than the %u slots of a BMS%uT; give more --slots or fewer cells.",
			  opt->sim.cells, opt->sim.slots, opt->sim.slots);
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

static void add_faults(const struct options *opt, const struct output *out,
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

static int run(const struct options *opt, struct output *out)
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
	struct options opt = { 0 };
	struct output out = { .fd = STDOUT_FILENO, .slave_fd = -1 };
	int rc;

	parse_options(argc, argv, &opt);
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
				opt.sim.firmware == CG_FW_V126 ? "V1.26" : "V1.22",
				opt.link_path ? opt.link_path : out.slave_path,
				opt.link_path ? " -> " : "",
				opt.link_path ? out.slave_path : "");
	}

	rc = run(&opt, &out);
	remove_link(&out);
	return rc;
}
