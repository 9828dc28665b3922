/*
 * chargery-top: a live cell table for a Chargery BMS on a serial port.
 *
 * Data flows one way: link (bytes) -> framer (frames) -> decoder (records)
 * -> pack (state) -> a view (the ncurses table, or JSON lines). One ppoll()
 * loop waits on the port, the keyboard and a 1 s tick; signals are blocked
 * outside ppoll() so a Ctrl-C, SIGTERM or SSH hang-up is seen at one place
 * and the terminal is always given back.
 */
/* ppoll(): atomically unblocks the quit signals only while waiting. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "decoder.h"
#include "demo.h"
#include "framer.h"
#include "json.h"
#include "link.h"
#include "pack.h"
#include "ports.h"
#include "tui.h"

#define PROGRAM "chargery-top"
#define TICK_MS 1000
#define RETRY_MS 1000
#define LINK_QUIET_MS 3000  /* no bytes/frames this long changes the state */
#define REDRAW_MIN_MS 100   /* coalesce bursts of frames into one redraw */
#define READ_CHUNK 4096
#define FPS_WINDOW_S 10

struct options {
	const char *port;
	int baud;
	int cells;
	bool list;
	bool json;
	bool demo;
	bool ascii;
	bool no_color;
};

/* Frames per second over the last FPS_WINDOW_S ticks. */
struct rate {
	uint64_t per_tick[FPS_WINDOW_S];
	unsigned head;
	unsigned filled;
	uint64_t last_total;
};

struct app {
	struct options opt;
	struct cg_link link;
	bool link_open;
	bool ended; /* EOF on a capture or stdin */
	char link_detail[256];
	uint64_t retry_at_ms;
	uint64_t opened_at_ms;
	uint64_t last_byte_ms;  /* 0 = none since the link opened */
	uint64_t last_frame_ms; /* 0 = none since the link opened */

	struct cg_framer framer;
	struct cg_pack pack;
	uint64_t implausible;
	uint64_t rejected_by[5]; /* by -cg_decode_result */
	struct rate rate;

	bool tui;
	int key_fd;
	bool paused, zoom, help, show_events, show_inspector;
	struct cg_pack frozen;  /* what the paused table shows */
	uint64_t paused_at_ms;
	bool dirty;
	uint64_t drawn_at_ms;
	pid_t demo_pid;
};

static volatile sig_atomic_t quit_signal;

static void on_quit_signal(int sig)
{
	quit_signal = sig;
}

static void usage(FILE *to)
{
	fprintf(to,
		"Usage: " PROGRAM " [OPTIONS] [PORT]\n"
		"Live cell table for a Chargery BMS8T/16T/24T on its COM3 port.\n"
		"\n"
		"PORT is /dev/ttyUSB0, /dev/serial/by-id/..., a pty (socat,\n"
		"ser2net), a raw capture file, or - for stdin. Without PORT the\n"
		"only USB serial port is used.\n"
		"\n"
		"  -b, --baud N    line speed (default 115200, 8N1, no flow control)\n"
		"  -l, --list      list serial ports and exit\n"
		"      --cells N   number of wired cells (default: from the 0x58\n"
		"                  frame, else channels reading 1.0 V or more)\n"
		"      --json      no screen: one JSON object per frame on stdout\n"
		"      --demo      run the table against the built-in simulator\n"
		"      --ascii     ASCII bars even in a UTF-8 locale\n"
		"      --no-color  no colour (also when NO_COLOR is set)\n"
		"  -h, --help      this help\n"
		"  -V, --version   version\n"
		"\n"
		"Keys: q quit, ? or h help, p pause, r reset min/max, z zoom.\n"
		"Exit codes: 0 ok, 64 usage, 66 no such port, 69 port busy or\n"
		"unavailable, 74 I/O error, 77 permission denied (see README).\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROGRAM ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '" PROGRAM " --help' for more information.\n");
	return EX_USAGE;
}

static bool parse_int(const char *s, long min, long max, int *out)
{
	char *end;

	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = (int)v;
	return true;
}

/* Returns -1 to go on, or an exit code. */
static int parse_options(int argc, char **argv, struct options *opt)
{
	enum { OPT_CELLS = 256, OPT_JSON, OPT_DEMO, OPT_ASCII, OPT_NO_COLOR };
	static const struct option longopts[] = {
		{ "baud", required_argument, NULL, 'b' },
		{ "list", no_argument, NULL, 'l' },
		{ "cells", required_argument, NULL, OPT_CELLS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "demo", no_argument, NULL, OPT_DEMO },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "no-colour", no_argument, NULL, OPT_NO_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opt->baud = 115200;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:lhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!parse_int(optarg, 1, 4000000, &opt->baud))
				return usage_error("--baud needs a line speed such as 115200, not '%s'", optarg);
			break;
		case 'l':
			opt->list = true;
			break;
		case OPT_CELLS:
			if (!parse_int(optarg, 1, CG_MAX_CELLS, &opt->cells))
				return usage_error("--cells needs a number from 1 to 24, not '%s'", optarg);
			break;
		case OPT_JSON:
			opt->json = true;
			break;
		case OPT_DEMO:
			opt->demo = true;
			break;
		case OPT_ASCII:
			opt->ascii = true;
			break;
		case OPT_NO_COLOR:
			opt->no_color = true;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			printf(PROGRAM " " CG_VERSION "\n");
			return EX_OK;
		case ':':
			return usage_error("%s needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		opt->port = argv[optind++];
	if (optind < argc)
		return usage_error("one PORT only; '%s' is one too many", argv[optind]);
	if (opt->demo && opt->port)
		return usage_error("--demo uses its own simulated port; drop '%s'", opt->port);
	return -1;
}

static int list_ports(void)
{
	struct cg_port_info ports[CG_PORTS_MAX];
	int n = cg_ports_list(ports, CG_PORTS_MAX);

	if (n < 0) {
		fprintf(stderr, PROGRAM ": cannot list serial ports (is /sys mounted?)\n");
		return EX_OSERR;
	}
	cg_ports_print(stdout, ports, n);
	return EX_OK;
}

/* No PORT given: the only USB serial port, else list them and stop. */
static int choose_port(char *path, size_t cap)
{
	struct cg_port_info ports[CG_PORTS_MAX];
	int n = cg_ports_list(ports, CG_PORTS_MAX);
	int usb = 0, pick = -1;

	for (int i = 0; i < n; i++)
		if (ports[i].usb) {
			usb++;
			pick = i;
		}
	if (usb == 1) {
		snprintf(path, cap, "%s", ports[pick].path);
		return -1;
	}
	if (usb == 0)
		fprintf(stderr, PROGRAM ": no USB serial port found. Plug in the "
			"USB-RS232 adapter, or name a PORT (try --demo to see the "
			"table without a BMS).\n");
	else
		fprintf(stderr, PROGRAM ": %d USB serial ports found; name the "
			"one wired to the BMS's COM3:\n", usb);
	if (n > 0)
		cg_ports_print(stderr, ports, n > 0 ? n : 0);
	return EX_USAGE;
}

static void rate_tick(struct rate *r, uint64_t total)
{
	r->per_tick[r->head] = total - r->last_total;
	r->head = (r->head + 1) % FPS_WINDOW_S;
	if (r->filled < FPS_WINDOW_S)
		r->filled++;
	r->last_total = total;
}

static double rate_per_s(const struct rate *r)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < r->filled; i++)
		sum += r->per_tick[i];
	return r->filled ? (double)sum / r->filled : 0.0;
}

static enum cg_link_state link_state(const struct app *a, uint64_t now)
{
	if (a->ended)
		return CG_LINK_STATE_ENDED;
	if (!a->link_open)
		return CG_LINK_STATE_DISCONNECTED;
	if (a->last_frame_ms && now - a->last_frame_ms <= LINK_QUIET_MS)
		return CG_LINK_STATE_CONNECTED;
	if (a->last_byte_ms && now - a->last_byte_ms <= LINK_QUIET_MS &&
	    now - a->opened_at_ms > LINK_QUIET_MS / 2)
		return CG_LINK_STATE_NO_SYNC;
	return CG_LINK_STATE_WAITING;
}

static int emit_json(const struct cg_record *rec)
{
	char line[CG_JSON_LINE_MAX];
	char when[CG_ISO_TIME_MAX];

	cg_clock_iso8601(when);
	size_t n = cg_json_format(line, sizeof(line), rec, when);
	if (n == 0 || fwrite(line, 1, n, stdout) != n || fflush(stdout) != 0)
		return -1;
	return 0;
}

/* Framer -> decoder -> pack (and JSON). Returns -1 if stdout failed. */
static int consume(struct app *a, const uint8_t *data, size_t len,
		   uint64_t now)
{
	struct cg_frame frame;
	struct cg_record rec;

	while (cg_framer_next(&a->framer, &data, &len, &frame)) {
		enum cg_decode_result r = cg_decode(&frame, &rec);

		if (r != CG_DECODE_OK) {
			a->implausible++;
			a->rejected_by[-r]++;
			continue;
		}
		a->last_frame_ms = now;
		cg_pack_apply(&a->pack, &rec, now);
		a->dirty = true;
		if (a->opt.json && emit_json(&rec) < 0)
			return -1;
	}
	return 0;
}

static void note_link_lost(struct app *a, uint64_t now, const char *why)
{
	cg_link_close(&a->link);
	a->link_open = false;
	a->retry_at_ms = now + RETRY_MS;
	snprintf(a->link_detail, sizeof(a->link_detail), "%s", why);
	a->dirty = true;
	if (!a->tui)
		fprintf(stderr, PROGRAM ": %s: %s; retrying every second\n",
			a->link.path, why);
}

/* Reads what the port has. Returns -1 if output failed. */
static int read_link(struct app *a, uint64_t now)
{
	uint8_t buf[READ_CHUNK];
	ssize_t n = cg_link_read(&a->link, buf, sizeof(buf));

	if (n > 0) {
		a->last_byte_ms = now;
		return consume(a, buf, (size_t)n, now);
	}
	if (n == CG_LINK_EOF) {
		cg_link_close(&a->link);
		a->link_open = false;
		a->ended = true;
		a->dirty = true;
	} else if (n == CG_LINK_LOST) {
		note_link_lost(a, now, "device disconnected");
	}
	return 0;
}

static void try_reopen(struct app *a, uint64_t now)
{
	struct cg_link_error err;

	if (cg_link_reopen(&a->link, &err) == 0) {
		a->link_open = true;
		a->opened_at_ms = now;
		a->last_byte_ms = 0;
		a->last_frame_ms = 0;
		a->link_detail[0] = '\0';
		a->dirty = true;
		if (!a->tui)
			fprintf(stderr, PROGRAM ": %s: reconnected\n",
				a->link.path);
		return;
	}
	a->retry_at_ms = now + RETRY_MS;
}

static void draw(struct app *a, uint64_t now)
{
	struct cg_view v = {
		.pack = a->paused ? &a->frozen : &a->pack,
		.framer = &a->framer.stats,
		.implausible = a->implausible,
		.port = a->opt.demo ? "demo (simulator)" : a->link.path,
		.baud = a->opt.baud,
		.link = link_state(a, now),
		.link_detail = a->link_detail[0] ? a->link_detail : NULL,
		.frames_per_s = rate_per_s(&a->rate),
		.paused = a->paused,
		.zoom = a->zoom,
		.help = a->help,
		.show_events = a->show_events,
		.show_inspector = a->show_inspector,
		/* Paused ages stay as they were when p was pressed. */
		.now_ms = a->paused ? a->paused_at_ms : now,
	};

	cg_tui_draw(&v);
	a->dirty = false;
	a->drawn_at_ms = now;
}

/* Returns true when the user asked to quit. */
static bool handle_keys(struct app *a)
{
	for (;;) {
		switch (cg_tui_key()) {
		case CG_KEY_NONE:
			return false;
		case CG_KEY_QUIT:
			return true;
		case CG_KEY_HELP:
			a->help = !a->help;
			break;
		case CG_KEY_PAUSE:
			a->paused = !a->paused;
			a->frozen = a->pack;
			a->paused_at_ms = cg_clock_ms();
			break;
		case CG_KEY_RESET:
			cg_pack_reset_session(&a->pack);
			break;
		case CG_KEY_ZOOM:
			a->zoom = !a->zoom;
			break;
		case CG_KEY_EVENTS:
			a->show_events = !a->show_events;
			a->show_inspector = false;
			break;
		case CG_KEY_INSPECTOR:
			a->show_inspector = !a->show_inspector;
			a->show_events = false;
			break;
		case CG_KEY_FASTER:
		case CG_KEY_SLOWER:
		case CG_KEY_RESIZE:
			break;
		}
		a->dirty = true;
		a->drawn_at_ms = 0; /* answer a key at once */
	}
}

/* The one loop. Returns an exit code. */
static int run(struct app *a, const sigset_t *wait_mask)
{
	uint64_t next_tick = cg_clock_ms() + TICK_MS;

	for (;;) {
		uint64_t now = cg_clock_ms();
		struct pollfd fds[2];
		nfds_t nfds = 0;
		int link_slot = -1, key_slot = -1;

		if (a->link_open) {
			link_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ .fd = a->link.fd, .events = POLLIN };
		}
		if (a->tui) {
			key_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ .fd = a->key_fd, .events = POLLIN };
		}
		if (!a->tui && !a->link_open && a->ended)
			return EX_OK; /* --json on a capture: done at EOF */

		uint64_t wake = next_tick;
		bool redraw_pending = a->tui && a->dirty;
		if (redraw_pending) {
			uint64_t at = a->drawn_at_ms + REDRAW_MIN_MS;
			if (at < wake)
				wake = at;
		}
		if (!a->link_open && !a->ended && a->retry_at_ms < wake)
			wake = a->retry_at_ms;
		uint64_t wait_ms = wake > now ? wake - now : 0;
		struct timespec timeout = {
			.tv_sec = (time_t)(wait_ms / 1000),
			.tv_nsec = (long)(wait_ms % 1000) * 1000000L,
		};

		int ready = ppoll(fds, nfds, &timeout, wait_mask);
		if (quit_signal)
			return 128 + quit_signal;
		if (ready < 0 && errno != EINTR) {
			fprintf(stderr, PROGRAM ": poll: %s\n", strerror(errno));
			return EX_OSERR;
		}
		now = cg_clock_ms();

		if (ready > 0 && link_slot >= 0 && fds[link_slot].revents) {
			if (read_link(a, now) < 0)
				return EX_IOERR; /* stdout gone (a closed pipe) */
		}
		/* A resize arrives as SIGWINCH (EINTR) and waits in getch(). */
		if (a->tui && (ready < 0 || (ready > 0 && fds[key_slot].revents))) {
			if (handle_keys(a))
				return EX_OK;
		}
		if (now >= next_tick) {
			rate_tick(&a->rate, a->framer.stats.frames);
			next_tick += TICK_MS;
			if (next_tick <= now)
				next_tick = now + TICK_MS;
			a->dirty = true; /* ages move on */
		}
		if (!a->link_open && !a->ended && now >= a->retry_at_ms)
			try_reopen(a, now);
		if (a->tui && a->dirty && now >= a->drawn_at_ms + REDRAW_MIN_MS)
			draw(a, now);
	}
}

static void install_signals(sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = on_quit_signal };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Delivered only inside ppoll(): one place to notice them. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGHUP);
}

int main(int argc, char **argv)
{
	static struct app app; /* large; keep it off the stack */
	struct app *a = &app;
	char port[PATH_MAX];
	char err[512];
	struct cg_link_error link_err;
	sigset_t wait_mask;
	int rc;

	if ((rc = parse_options(argc, argv, &a->opt)) >= 0)
		return rc;
	if (a->opt.list)
		return list_ports();

	install_signals(&wait_mask);
	if (a->opt.demo) {
		a->demo_pid = cg_demo_start(port, sizeof(port), err, sizeof(err));
		if (a->demo_pid < 0) {
			fprintf(stderr, PROGRAM ": %s\n", err);
			return EX_OSERR;
		}
		a->opt.port = port;
	} else if (!a->opt.port) {
		if ((rc = choose_port(port, sizeof(port))) >= 0)
			return rc;
		a->opt.port = port;
	}

	if (cg_link_open(&a->link, a->opt.port, a->opt.baud, &link_err) < 0) {
		fprintf(stderr, PROGRAM ": %s\n", link_err.message);
		cg_demo_stop(a->demo_pid);
		return link_err.exit_code;
	}
	a->link_open = true;
	a->opened_at_ms = cg_clock_ms();

	cg_framer_init(&a->framer);
	struct cg_pack_config config = { .cells = (uint8_t)a->opt.cells };
	cg_pack_init(&a->pack, &config);

	if (a->opt.json) {
		setvbuf(stdout, NULL, _IOLBF, 0);
	} else {
		struct cg_tui_options topt = {
			.ascii = a->opt.ascii,
			.no_color = a->opt.no_color,
		};
		a->key_fd = cg_tui_start(&topt, err, sizeof(err));
		if (a->key_fd < 0) {
			fprintf(stderr, PROGRAM ": %s\n", err);
			cg_link_close(&a->link);
			cg_demo_stop(a->demo_pid);
			return EX_UNAVAILABLE;
		}
		a->tui = true;
		a->dirty = true;
	}

	rc = run(a, &wait_mask);

	if (a->tui)
		cg_tui_stop();
	cg_link_close(&a->link);
	cg_demo_stop(a->demo_pid);
	if (rc > 128) {
		/* Die of the same signal, so a shell or systemd sees why. */
		int sig = rc - 128;
		signal(sig, SIG_DFL);
		sigset_t unblock;
		sigemptyset(&unblock);
		sigaddset(&unblock, sig);
		raise(sig);
		sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	}
	return rc;
}
