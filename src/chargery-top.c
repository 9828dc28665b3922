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
#include <fcntl.h>
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

#include "alarm.h"
#include "args.h"
#include "clock.h"
#include "csvlog.h"
#include "decoder.h"
#include "demo.h"
#include "doctor.h"
#include "events.h"
#include "framer.h"
#include "json.h"
#include "link.h"
#include "pack.h"
#include "ports.h"
#include "probe.h"
#include "record.h"
#include "snapshot.h"
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
	const char *events_path; /* --events */
	const char *record_path; /* --record */
	const char *replay_path; /* --replay */
	double speed;            /* --speed; 0 = not given */
	const char *log_path;    /* --log */
	bool once;               /* --once: one picture, then exit */
	bool csv;                /* --once --csv */
	int timeout_s;           /* --once: how long to wait */
	bool headless;           /* no table: only --log/--record/--events */
	struct cg_alarm_config alarm;
	bool bell;
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
	char link_detail[1024];
	uint64_t retry_at_ms;
	uint64_t opened_at_ms;
	uint64_t last_byte_ms;  /* 0 = none since the link opened */
	uint64_t last_frame_ms; /* 0 = none since the link opened */

	struct cg_framer framer;
	struct cg_pack pack;
	uint64_t implausible;
	struct rate rate;

	bool tui;
	int key_fd;
	bool paused;
	struct cg_pack frozen;  /* what the paused table shows */
	uint64_t paused_at_ms;
	bool dirty;
	uint64_t drawn_at_ms;
	pid_t demo_pid;

	uint64_t data_wall_ms; /* when the bytes being decoded were received */
	struct cg_alarms alarms;
	struct cg_events events;
	int events_fd; /* --events file, -1 if none */
	struct cg_inspect inspect;
	uint16_t worst_delta_seen_mv;
	uint64_t worst_delta_wall_ms;
	bool bell_due;

	struct cg_recorder recorder;
	bool recording;

	bool replaying;
	bool replay_unpaced; /* no screen and no --speed: as fast as it decodes */
	struct cg_replay replay;
	struct cg_replay_clock replay_clock;
	struct cg_replay_chunk chunk; /* the next chunk to play */
	bool have_chunk;
	struct cg_replay_view replay_view;
	char port_label[PATH_MAX + 16];

	struct cg_doctor doctor;
	bool doctoring; /* a live link: files and replays need no doctor */
	enum cg_diagnosis diagnosis;

	struct cg_csvlog log;
	bool logging;
	uint64_t once_deadline_ms;
	int fatal;            /* an EX_ code that ends the run, 0 = none */
	struct cg_error fatal_error; /* printed once the terminal is back */
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
		"only USB serial port is used (with several, the one carrying\n"
		"Chargery frames).\n"
		"\n"
		"  -b, --baud N        line speed (default 115200, 8N1, no flow control)\n"
		"  -l, --list          list serial ports, mark the one with Chargery frames\n"
		"      --cells N       number of wired cells (default: from the 0x58\n"
		"                      frame, else channels reading 1.0 V or more)\n"
		"      --json          no table: one JSON object per frame on stdout\n"
		"      --demo          run the table against the built-in simulator\n"
		"      --ascii         ASCII bars even in a UTF-8 locale\n"
		"      --no-color      no colour (also when NO_COLOR is set)\n"
		"\n"
		"Field troubleshooting:\n"
		"      --record FILE   append every byte received, timestamped, to FILE\n"
		"      --replay FILE   play a recording or a raw dump instead of a port\n"
		"      --speed X       replay X times faster (keys + and - change it)\n"
		"      --log FILE.csv  a CSV row per cell frame (appends to a matching file)\n"
		"      --events FILE   append link, mode, protection and alarm events\n"
		"      --headless      no table: only log, record and write events\n"
		"      --once          print one complete picture and exit: 0 fresh and\n"
		"                      within limits, 1 no or stale data, 2 an alarm\n"
		"      --csv           with --once: the CSV header and one row\n"
		"      --timeout S     with --once: how long to wait (default 10)\n"
		"      --alarm-high V  cell high limit in volts (default: BMS charge-end)\n"
		"      --alarm-low V   cell low limit (default: BMS discharge-end)\n"
		"      --alarm-delta MV  high-low limit in mV (default 100)\n"
		"      --bell          ring the terminal bell once per new alarm\n"
		"\n"
		"  -h, --help          this help\n"
		"  -V, --version       version\n"
		"\n"
		"Keys: q quit, ? or h help, p pause, r reset min/max, z zoom,\n"
		"e events, i inspector, + and - replay speed.\n"
		"Exit codes: 0 ok, 64 usage, 65 bad data file, 66 no such port,\n"
		"69 port busy or unavailable, 73 cannot create a file, 74 I/O error,\n"
		"77 permission denied, 128+N stopped by signal N (see README).\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROGRAM ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '" PROGRAM " --help' for more information.\n");
	return EX_USAGE;
}

static bool parse_int(const char *s, int min, int max, int *out)
{
	long long v;

	if (!cg_args_integer(s, min, max, &v))
		return false;
	*out = (int)v;
	return true;
}

/* "3.65" -> 3650 mV; at most three decimals, 0.5 to 5 V. */
static bool parse_volts(const char *s, uint16_t *out_mv)
{
	double v;

	if (!cg_args_number(s, 0.5, 5.0, &v))
		return false;
	*out_mv = (uint16_t)(v * 1000.0 + 0.5);
	return true;
}

/* Returns -1 to go on, or an exit code. */
static int parse_options(int argc, char **argv, struct options *opt)
{
	enum {
		OPT_CELLS = 256, OPT_JSON, OPT_DEMO, OPT_ASCII, OPT_NO_COLOR,
		OPT_EVENTS, OPT_ALARM_HIGH, OPT_ALARM_LOW, OPT_ALARM_DELTA, OPT_BELL,
		OPT_RECORD, OPT_REPLAY, OPT_SPEED, OPT_LOG, OPT_ONCE, OPT_CSV,
		OPT_TIMEOUT, OPT_HEADLESS,
	};
	static const struct option longopts[] = {
		{ "baud", required_argument, NULL, 'b' },
		{ "list", no_argument, NULL, 'l' },
		{ "cells", required_argument, NULL, OPT_CELLS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "demo", no_argument, NULL, OPT_DEMO },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "no-colour", no_argument, NULL, OPT_NO_COLOR },
		{ "events", required_argument, NULL, OPT_EVENTS },
		{ "alarm-high", required_argument, NULL, OPT_ALARM_HIGH },
		{ "alarm-low", required_argument, NULL, OPT_ALARM_LOW },
		{ "alarm-delta", required_argument, NULL, OPT_ALARM_DELTA },
		{ "bell", no_argument, NULL, OPT_BELL },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "headless", no_argument, NULL, OPT_HEADLESS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, n;
	uint16_t mv;

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
		case OPT_EVENTS:
			opt->events_path = optarg;
			break;
		case OPT_ALARM_HIGH:
		case OPT_ALARM_LOW:
			if (!parse_volts(optarg, &mv))
				return usage_error("%s needs a cell voltage in volts such as 3.65",
						   c == OPT_ALARM_HIGH ? "--alarm-high" : "--alarm-low");
			if (c == OPT_ALARM_HIGH)
				opt->alarm.high_mv = mv;
			else
				opt->alarm.low_mv = mv;
			break;
		case OPT_ALARM_DELTA:
			if (!parse_int(optarg, 1, 5000, &n))
				return usage_error("--alarm-delta needs millivolts from 1 to 5000, not '%s'", optarg);
			opt->alarm.delta_mv = (uint16_t)n;
			break;
		case OPT_BELL:
			opt->bell = true;
			break;
		case OPT_RECORD:
			opt->record_path = optarg;
			break;
		case OPT_REPLAY:
			opt->replay_path = optarg;
			break;
		case OPT_LOG:
			opt->log_path = optarg;
			break;
		case OPT_ONCE:
			opt->once = true;
			break;
		case OPT_CSV:
			opt->csv = true;
			break;
		case OPT_TIMEOUT:
			if (!parse_int(optarg, 1, 86400, &opt->timeout_s))
				return usage_error("--timeout needs seconds from 1 to 86400, not '%s'", optarg);
			break;
		case OPT_HEADLESS:
			opt->headless = true;
			break;
		case OPT_SPEED:
			if (!cg_args_number(optarg, CG_REPLAY_SPEED_MIN,
					    CG_REPLAY_SPEED_MAX, &opt->speed))
				return usage_error("--speed needs a factor from 0.125 to 1024, not '%s'", optarg);
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
	if (opt->replay_path && (opt->port || opt->demo))
		return usage_error("--replay plays %s instead of a port; drop the port or --demo", opt->replay_path);
	if (opt->replay_path && opt->record_path)
		return usage_error("--record records a live port; it cannot record the replay of %s", opt->replay_path);
	if (opt->speed && !opt->replay_path)
		return usage_error("--speed %s goes with --replay FILE", "X");
	if (opt->csv && !opt->once)
		return usage_error("%s goes with --once (for a running log use --log FILE.csv)", "--csv");
	if (opt->csv && opt->json)
		return usage_error("%s: pick one of --json and --csv", "--once");
	if (opt->timeout_s && !opt->once)
		return usage_error("%s goes with --once", "--timeout");
	if (opt->headless && opt->json)
		return usage_error("%s: --json already runs without the table", "--headless");
	if (!opt->timeout_s)
		opt->timeout_s = 10;
	return -1;
}

/* Listens on every USB serial port at once for CG_PROBE_LISTEN_MS.
 * Returns the index in ports of the one carrying the most Chargery frames,
 * or -1; *usb counts the USB ports. */
static int probe_usb_ports(const struct cg_port_info *ports, int n, int baud,
			   int *usb, struct cg_probe_result *results,
			   int *map)
{
	const char *paths[CG_PORTS_MAX];
	int count = 0;

	for (int i = 0; i < n; i++)
		if (ports[i].usb) {
			map[count] = i;
			paths[count++] = ports[i].path;
		}
	*usb = count;
	if (count == 0)
		return -1;
	int best = cg_probe_ports(paths, count, baud, CG_PROBE_LISTEN_MS,
				  results);
	return best >= 0 && results[best].frames > 0 ? map[best] : -1;
}

static int list_ports(int baud)
{
	struct cg_port_info ports[CG_PORTS_MAX];
	struct cg_probe_result results[CG_PORTS_MAX];
	int map[CG_PORTS_MAX], usb;
	int n = cg_ports_list(ports, CG_PORTS_MAX);

	if (n < 0) {
		fprintf(stderr, PROGRAM ": cannot list serial ports (is /sys mounted?)\n");
		return EX_OSERR;
	}
	cg_ports_print(stdout, ports, n);
	if (n > 0 && isatty(STDERR_FILENO))
		fprintf(stderr, "(listening %d s on USB ports for Chargery frames...)\n",
			CG_PROBE_LISTEN_MS / 1000);
	probe_usb_ports(ports, n, baud, &usb, results, map);
	for (int j = 0; j < usb; j++) {
		const struct cg_probe_result *r = &results[j];
		printf("%s: %s\n", ports[map[j]].path,
		       !r->opened ? r->error :
		       r->frames ? "Chargery frames  <- this one" :
		       r->inverted_frames ? "inverted Chargery frames (a TTL adapter?)" :
		       r->bytes ? "bytes, but no Chargery frames" : "silent");
	}
	return EX_OK;
}

/* No PORT given: the only USB serial port, else list them and stop. */
static int choose_port(char *path, size_t cap, int baud)
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
	if (usb > 1) {
		struct cg_probe_result results[CG_PORTS_MAX];
		int map[CG_PORTS_MAX];
		int found = probe_usb_ports(ports, n, baud, &usb, results, map);
		if (found >= 0) {
			fprintf(stderr, PROGRAM ": %d USB serial ports; Chargery "
				"frames found on %s, using it\n", usb,
				ports[found].path);
			snprintf(path, cap, "%s", ports[found].path);
			return -1;
		}
	}
	if (usb == 0)
		fprintf(stderr, PROGRAM ": no USB serial port found. Plug in the "
			"USB-RS232 adapter, or name a PORT (try --demo to see the "
			"table without a BMS).\n");
	else
		fprintf(stderr, PROGRAM ": %d USB serial ports found and none "
			"carries Chargery frames; name the one wired to the BMS's "
			"COM3:\n", usb);
	if (n > 0)
		cg_ports_print(stderr, ports, n);
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
	if (!a->link_open && !a->replaying)
		return CG_LINK_STATE_DISCONNECTED;
	if (a->last_frame_ms && now - a->last_frame_ms <= LINK_QUIET_MS)
		return CG_LINK_STATE_CONNECTED;
	if (a->last_byte_ms && now - a->last_byte_ms <= LINK_QUIET_MS &&
	    now - a->opened_at_ms > LINK_QUIET_MS / 2)
		return CG_LINK_STATE_NO_SYNC;
	return CG_LINK_STATE_WAITING;
}

/* Appends an event to the list and to the --events file. */
static void note_event(struct app *a, const char *text)
{
	cg_events_add(&a->events, a->data_wall_ms, text);
	a->dirty = true;
	if (a->events_fd < 0)
		return;

	char when[CG_ISO_TIME_MAX], line[CG_ISO_TIME_MAX + CG_EVENT_TEXT_MAX + 2];
	cg_clock_format_iso8601(a->data_wall_ms, when);
	int n = snprintf(line, sizeof(line), "%s %s\n", when, text);
	/* One write per line: a signal or a crash never leaves half a line. */
	if (n > 0 && write(a->events_fd, line, (size_t)n) != n) {
		snprintf(a->link_detail, sizeof(a->link_detail),
			 "cannot write the events file: %s", strerror(errno));
		close(a->events_fd);
		a->events_fd = -1;
	}
}

/* Mode and protection changes, alarms raised and cleared, the bell. */
static void note_changes(struct app *a, const struct cg_record *rec,
			 const struct cg_status *before)
{
	char lines[4][CG_EVENT_TEXT_MAX];
	struct cg_alarm_change changes[2 * CG_MAX_CELLS + 1];
	char text[CG_EVENT_TEXT_MAX];

	if (rec->type == CG_REC_STATUS) {
		size_t n = cg_events_status_changes(before, &rec->u.status,
						    lines, 4);
		for (size_t i = 0; i < n; i++)
			note_event(a, lines[i]);
	}
	size_t n = cg_alarms_update(&a->alarms, &a->opt.alarm, &a->pack,
				    changes, sizeof(changes) / sizeof(changes[0]));
	for (size_t i = 0; i < n; i++) {
		cg_alarm_change_text(&changes[i], text, sizeof(text));
		note_event(a, text);
		if (changes[i].raised && a->opt.bell)
			a->bell_due = true;
	}
	if (a->pack.session_worst_delta_mv > a->worst_delta_seen_mv) {
		a->worst_delta_seen_mv = a->pack.session_worst_delta_mv;
		a->worst_delta_wall_ms = a->data_wall_ms;
	}
}

static int emit_json(const struct app *a, const struct cg_record *rec)
{
	char line[CG_JSON_LINE_MAX];
	char when[CG_ISO_TIME_MAX];

	cg_clock_format_iso8601(a->data_wall_ms, when);
	size_t n = cg_json_format(line, sizeof(line), rec, when);
	if (n == 0 || fwrite(line, 1, n, stdout) != n || fflush(stdout) != 0)
		return -1;
	return 0;
}

/* One frame from the framer: decoder -> pack (and JSON, the CSV log). */
static int use_frame(struct app *a, const struct cg_frame *frame,
		     uint64_t now, uint64_t data_ms)
{
	struct cg_record rec;
	enum cg_decode_result r = cg_decode_framed(frame, &rec);

	if (r != CG_DECODE_OK) {
		a->implausible++;
		cg_inspect_reject(&a->inspect, r);
		return 0;
	}
	a->last_frame_ms = now;
	struct cg_status before = a->pack.status;
	bool had_status = a->pack.have[CG_REC_STATUS];
	cg_pack_apply(&a->pack, &rec, data_ms);
	cg_inspect_frame(&a->inspect, frame, &rec);
	note_changes(a, &rec, had_status ? &before : NULL);
	a->dirty = true;
	if (a->logging && rec.type == CG_REC_CELLS) {
		char when[CG_ISO_TIME_MAX];
		cg_clock_format_iso8601(a->data_wall_ms, when);
		if (cg_csvlog_write(&a->log, &a->pack, when, data_ms,
				    &a->fatal_error) < 0)
			return a->fatal_error.exit_code;
	}
	if (a->opt.json && !a->opt.once && emit_json(a, &rec) < 0)
		return EX_IOERR;
	return 0;
}

/* Framer -> decoder -> pack (and JSON, the CSV log). now is the monotonic
 * time of the link; data_ms is the clock the pack ages by: the same when
 * live, the recorded time during a replay. Returns 0, or an EX_ code that
 * ends the run (stdout gone, the log refused a row). */
static int consume(struct app *a, const uint8_t *data, size_t len,
		   uint64_t now, uint64_t data_ms)
{
	/* A read of a few KiB holds up to ~150 frames: taking them in
	 * batches costs one framer call per batch, not per frame. */
	enum { BATCH = 32 };
	struct cg_frame frames[BATCH];
	size_t n;

	do {
		n = cg_framer_take(&a->framer, &data, &len, frames, BATCH);
		for (size_t i = 0; i < n; i++) {
			int rc = use_frame(a, &frames[i], now, data_ms);
			if (rc)
				return rc;
		}
	} while (n == BATCH);
	return 0;
}

static void note_link_lost(struct app *a, uint64_t now, const char *why)
{
	cg_link_close(&a->link);
	a->link_open = false;
	a->retry_at_ms = now + RETRY_MS;
	snprintf(a->link_detail, sizeof(a->link_detail), "%s", why);
	a->data_wall_ms = cg_clock_wall_ms();
	char text[CG_EVENT_TEXT_MAX];
	snprintf(text, sizeof(text), "link lost: %s", why);
	note_event(a, text);
	if (!a->tui)
		fprintf(stderr, PROGRAM ": %s: %s; retrying every second\n",
			a->link.path, why);
}

static void stop_recording(struct app *a, const struct cg_error *err)
{
	struct cg_error ignored;

	snprintf(a->link_detail, sizeof(a->link_detail), "%.1000s", err->message);
	note_event(a, "recording stopped: write failed");
	if (!a->tui)
		fprintf(stderr, PROGRAM ": %s\n", err->message);
	cg_recorder_close(&a->recorder, &ignored);
	a->recording = false;
}

/* Plays the chunks that are due. A replay without a screen and without
 * --speed goes as fast as it decodes, a bounded batch per loop turn so
 * signals are still seen. Returns 0 or an EX_ code (see consume). */
static int play_replay(struct app *a, uint64_t now)
{
	const uint64_t gap_us = 10u * 1000000u;
	unsigned budget = 256;

	while (a->have_chunk && budget--) {
		if (!a->replay_unpaced &&
		    cg_replay_clock_due_ms(&a->replay_clock, a->chunk.time_us) > now)
			break;
		uint64_t played_us = a->chunk.time_us;
		a->data_wall_ms = a->chunk.synthetic_time ? cg_clock_wall_ms()
							  : played_us / 1000u;
		a->last_byte_ms = now;
		int rc = consume(a, a->chunk.data, a->chunk.len, now,
				 played_us / 1000u);
		if (rc)
			return rc;
		a->have_chunk = cg_replay_next(&a->replay, &a->chunk) == 1;
		/* A recording appended to days later would stall the table:
		 * skip long silences, and say so. */
		if (a->have_chunk && !a->replay_unpaced &&
		    a->chunk.time_us > played_us + gap_us) {
			char text[CG_EVENT_TEXT_MAX];
			snprintf(text, sizeof(text), "replay skips %llu s without data",
				 (unsigned long long)((a->chunk.time_us - played_us) / 1000000u));
			note_event(a, text);
			cg_replay_clock_jump(&a->replay_clock,
					     a->chunk.time_us - 1000000u, now);
		}
	}
	if (!a->have_chunk) {
		a->ended = true;
		a->dirty = true;
		if (a->replay.warning[0])
			snprintf(a->link_detail, sizeof(a->link_detail), "%.1000s",
				 a->replay.warning);
	}
	return 0;
}

/* Reads what the port has. Returns 0 or an EX_ code (see consume). */
static int read_link(struct app *a, uint64_t now)
{
	uint8_t buf[READ_CHUNK];
	ssize_t n = cg_link_read(&a->link, buf, sizeof(buf));

	if (n > 0) {
		a->last_byte_ms = now;
		a->data_wall_ms = cg_clock_wall_ms();
		int rc = consume(a, buf, (size_t)n, now, now);
		if (a->doctoring)
			cg_doctor_feed(&a->doctor, buf, (size_t)n,
				       &a->framer.stats, now);
		if (a->recording) {
			struct cg_error err;
			if (cg_recorder_write(&a->recorder, buf, (size_t)n,
					      a->data_wall_ms * 1000u, now, &err) < 0)
				stop_recording(a, &err);
		}
		return rc;
	}
	if (n == CG_LINK_EOF) {
		cg_link_close(&a->link);
		a->link_open = false;
		a->ended = true;
		a->dirty = true;
	} else if (n == CG_LINK_LOST) {
		note_link_lost(a, now, "device disconnected");
		if (a->doctoring)
			cg_doctor_lost(&a->doctor, now);
	}
	return 0;
}

static void try_reopen(struct app *a, uint64_t now)
{
	struct cg_error err;

	if (cg_link_reopen(&a->link, &err) == 0) {
		if (a->doctoring)
			cg_doctor_opened(&a->doctor, now);
		a->link_open = true;
		a->opened_at_ms = now;
		a->last_byte_ms = 0;
		a->last_frame_ms = 0;
		a->link_detail[0] = '\0';
		a->data_wall_ms = cg_clock_wall_ms();
		note_event(a, "link back: reconnected");
		if (!a->tui)
			fprintf(stderr, PROGRAM ": %s: reconnected\n",
				a->link.path);
		return;
	}
	if (a->doctoring)
		cg_doctor_open_failed(&a->doctor, err.exit_code, err.message, now);
	a->retry_at_ms = now + RETRY_MS;
}

/* Asks the doctor what is wrong; a change of diagnosis is an event (and a
 * line on stderr when there is no table to show it). */
static void consult_doctor(struct app *a, uint64_t now)
{
	if (!a->doctoring)
		return;

	int baud = cg_doctor_want_baud(&a->doctor, now);
	if (baud && a->link_open) {
		struct cg_error err;
		cg_link_set_baud(&a->link, baud, &err);
	}
	enum cg_diagnosis d = cg_doctor_diagnose(&a->doctor, now);
	if (d == a->diagnosis)
		return;
	a->diagnosis = d;
	a->dirty = true;
	const char *text = cg_doctor_text(&a->doctor);
	char line[CG_EVENT_TEXT_MAX];
	snprintf(line, sizeof(line), "link: %s", text ? text : "frames arriving");
	a->data_wall_ms = cg_clock_wall_ms();
	note_event(a, line);
	if (!a->tui)
		fprintf(stderr, PROGRAM ": %s\n", line);
}

static void draw(struct app *a, uint64_t now)
{
	struct cg_view v = {
		.pack = a->paused ? &a->frozen : &a->pack,
		.framer = &a->framer.stats,
		.implausible = a->implausible,
		.port = a->port_label,
		.baud = a->opt.baud,
		.link = link_state(a, now),
		.link_detail = a->link_detail[0] ? a->link_detail : NULL,
		.diagnosis = a->doctoring ? cg_doctor_text(&a->doctor) : NULL,
		.frames_per_s = rate_per_s(&a->rate),
		.paused = a->paused,
		.alarms = &a->alarms,
		.events = &a->events,
		.inspect = &a->inspect,
		.worst_delta_wall_ms = a->worst_delta_wall_ms,
		/* Paused ages stay as they were when p was pressed. */
		.now_ms = a->paused ? a->paused_at_ms : now,
	};

	if (a->replaying) {
		uint64_t pos_us = a->ended || a->replay_unpaced
			? a->replay.last_us
			: cg_replay_clock_position_us(&a->replay_clock, now);
		if (pos_us < a->replay.first_us)
			pos_us = a->replay.first_us;
		if (pos_us > a->replay.last_us)
			pos_us = a->replay.last_us;
		a->replay_view.speed = a->replay_clock.speed;
		a->replay_view.paused = a->replay_clock.paused;
		a->replay_view.position_s = (double)(pos_us - a->replay.first_us) / 1e6;
		a->replay_view.length_s = cg_replay_length_s(&a->replay);
		a->replay_view.timestamped = a->replay.kind == CG_REPLAY_RECORDING;
		v.replay = &a->replay_view;
		/* Ages in a replay run on the recorded clock. */
		v.now_ms = pos_us / 1000u;
	}

	cg_tui_draw(&v);
	if (a->bell_due) {
		cg_tui_bell();
		a->bell_due = false;
	}
	a->dirty = false;
	a->drawn_at_ms = now;
}

/* Returns true when the user asked to quit. */
static bool handle_keys(struct app *a)
{
	for (;;) {
		enum cg_key_action action = cg_tui_key();
		switch (action) {
		case CG_KEY_NONE:
			return false;
		case CG_KEY_QUIT:
			return true;
		case CG_KEY_PAUSE:
			if (a->replaying) { /* pause the replay, not the view */
				uint64_t now = cg_clock_ms();
				if (a->replay_clock.paused)
					cg_replay_clock_resume(&a->replay_clock, now);
				else
					cg_replay_clock_pause(&a->replay_clock, now);
				break;
			}
			a->paused = !a->paused;
			a->frozen = a->pack;
			a->paused_at_ms = cg_clock_ms();
			break;
		case CG_KEY_RESET:
			cg_pack_reset_session(&a->pack);
			a->worst_delta_seen_mv = 0;
			a->worst_delta_wall_ms = 0;
			break;
		case CG_KEY_FASTER:
		case CG_KEY_SLOWER:
			if (a->replaying)
				cg_replay_clock_set_speed(&a->replay_clock,
					cg_replay_speed_step(a->replay_clock.speed,
							     action == CG_KEY_FASTER),
					cg_clock_ms());
			break;
		default: /* what is shown (help, e, i, z, scrolling): tui's */
			break;
		}
		a->dirty = true;
		a->drawn_at_ms = 0; /* answer a key at once */
	}
}

static int pending_quit_signal(void)
{
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return 0;
	if (sigismember(&pending, SIGINT))
		return SIGINT;
	if (sigismember(&pending, SIGTERM))
		return SIGTERM;
	if (sigismember(&pending, SIGHUP))
		return SIGHUP;
	return 0;
}

/* --once on a live port answers as soon as it has cells and measurements;
 * on a file it reads to the end for the newest picture. */
static bool once_ready(const struct app *a)
{
	bool file = a->replaying || a->link.kind == CG_LINK_FILE;

	return !file && a->pack.have[CG_REC_CELLS] &&
	       a->pack.have[CG_REC_STATUS];
}

/* Prints the --once picture. Returns 0 fresh and within limits, 1 no or
 * stale data, 2 an alarm (as cg_snapshot_status says). */
static int print_once(struct app *a)
{
	static char out[CG_SNAPSHOT_MAX];
	char when[CG_ISO_TIME_MAX];
	uint64_t data_now = a->replaying ? a->replay.last_us / 1000u
					 : cg_clock_ms();

	if (!a->pack.have[CG_REC_CELLS] && !a->pack.have[CG_REC_STATUS]) {
		fprintf(stderr, PROGRAM ": no frames from %s within %d s\n",
			a->port_label, a->opt.timeout_s);
		return CG_SNAPSHOT_NODATA;
	}
	cg_clock_format_iso8601(a->data_wall_ms, when);
	size_t n = a->opt.json
		? cg_snapshot_json(out, sizeof(out), &a->pack, &a->alarms, when, data_now)
		: a->opt.csv
		? cg_snapshot_csv(out, sizeof(out), &a->pack, when, data_now)
		: cg_snapshot_text(out, sizeof(out), &a->pack, &a->alarms, when, data_now);
	if (n == 0 || fwrite(out, 1, n, stdout) != n || fflush(stdout) != 0)
		return EX_IOERR;
	return cg_snapshot_status(&a->pack, &a->alarms, data_now);
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
		if (!a->tui && a->ended)
			/* --json on a capture: done at EOF */
			return a->opt.once ? print_once(a) : EX_OK;
		/* Files are read to the end however long it takes. */
		bool once_timed = a->opt.once && !a->replaying &&
				  a->link.kind != CG_LINK_FILE;
		if (once_timed && now >= a->once_deadline_ms)
			return print_once(a);

		uint64_t wake = next_tick;
		if (once_timed && a->once_deadline_ms < wake)
			wake = a->once_deadline_ms;
		bool redraw_pending = a->tui && a->dirty;
		if (redraw_pending) {
			uint64_t at = a->drawn_at_ms + REDRAW_MIN_MS;
			if (at < wake)
				wake = at;
		}
		if (!a->link_open && !a->replaying && !a->ended &&
		    a->retry_at_ms < wake)
			wake = a->retry_at_ms;
		if (a->replaying && a->have_chunk) {
			uint64_t due = a->replay_unpaced ? now
				: cg_replay_clock_due_ms(&a->replay_clock, a->chunk.time_us);
			if (due < wake)
				wake = due;
		}
		uint64_t wait_ms = wake > now ? wake - now : 0;
		struct timespec timeout = {
			.tv_sec = (time_t)(wait_ms / 1000),
			.tv_nsec = (long)(wait_ms % 1000) * 1000000L,
		};

		int ready = ppoll(fds, nfds, &timeout, wait_mask);
		if (quit_signal)
			return 128 + quit_signal;
		/* ppoll() returning ready fds restores the mask without
		 * delivering a signal that is pending: look for it, or a
		 * busy fd would hide SIGTERM for ever. */
		int pending = pending_quit_signal();
		if (pending)
			return 128 + pending;
		/* The terminal went away (SSH drop, closed window). */
		if (ready > 0 && key_slot >= 0 &&
		    (fds[key_slot].revents & (POLLHUP | POLLERR | POLLNVAL)))
			return 128 + SIGHUP;
		if (ready < 0 && errno != EINTR) {
			fprintf(stderr, PROGRAM ": poll: %s\n", strerror(errno));
			return EX_OSERR;
		}
		now = cg_clock_ms();

		int rc = 0;
		if (ready > 0 && link_slot >= 0 && fds[link_slot].revents)
			rc = read_link(a, now);
		if (!rc && a->replaying && a->have_chunk)
			rc = play_replay(a, now);
		if (rc)
			return rc;
		if (a->opt.once && once_ready(a))
			return print_once(a);
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
			if (a->recording) {
				struct cg_error err;
				if (cg_recorder_tick(&a->recorder, now, &err) < 0)
					stop_recording(a, &err);
			}
			if (a->logging &&
			    cg_csvlog_sync_due(&a->log, now, &a->fatal_error) < 0)
				return a->fatal_error.exit_code;
		}
		if (!a->link_open && !a->replaying && !a->ended &&
		    now >= a->retry_at_ms)
			try_reopen(a, now);
		consult_doctor(a, now);
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
	struct cg_error err;
	struct cg_error link_err;
	sigset_t wait_mask;
	int rc;

	if ((rc = parse_options(argc, argv, &a->opt)) >= 0)
		return rc;
	if (a->opt.list)
		return list_ports(a->opt.baud);

	install_signals(&wait_mask);
	if (a->opt.demo) {
		a->demo_pid = cg_demo_start(port, sizeof(port), &err);
		if (a->demo_pid < 0) {
			fprintf(stderr, PROGRAM ": %s\n", err.message);
			return err.exit_code;
		}
		a->opt.port = port;
	} else if (!a->opt.port && !a->opt.replay_path) {
		if ((rc = choose_port(port, sizeof(port), a->opt.baud)) >= 0)
			return rc;
		a->opt.port = port;
	}

	if (a->opt.replay_path) {
		struct cg_error rerr;
		if (cg_replay_open(&a->replay, a->opt.replay_path, &rerr) < 0) {
			fprintf(stderr, PROGRAM ": %s\n", rerr.message);
			return rerr.exit_code;
		}
		a->replaying = true;
		/* Nobody watches a run without the table: no pacing. */
		a->replay_unpaced = (a->opt.json || a->opt.once ||
				     a->opt.headless) && !a->opt.speed;
		a->have_chunk = cg_replay_next(&a->replay, &a->chunk) == 1;
		cg_replay_clock_start(&a->replay_clock, a->replay.first_us,
				      cg_clock_ms(), a->opt.speed ? a->opt.speed : 1.0);
		snprintf(a->port_label, sizeof(a->port_label), "replay %.4000s",
			 a->opt.replay_path);
	} else {
		if (cg_link_open(&a->link, a->opt.port, a->opt.baud, &link_err) < 0) {
			fprintf(stderr, PROGRAM ": %s\n", link_err.message);
			cg_demo_stop(a->demo_pid);
			return link_err.exit_code;
		}
		a->link_open = true;
		snprintf(a->port_label, sizeof(a->port_label), "%.4000s",
			 a->opt.demo ? "demo (simulator)" : a->link.path);
	}
	a->opened_at_ms = cg_clock_ms();
	if (a->link_open && a->link.kind != CG_LINK_FILE) {
		a->doctoring = true;
		cg_doctor_init(&a->doctor, a->link.path, a->opt.baud,
			       a->link.kind == CG_LINK_SERIAL ||
			       a->link.kind == CG_LINK_TTY);
		cg_doctor_opened(&a->doctor, a->opened_at_ms);
		a->diagnosis = cg_doctor_diagnose(&a->doctor, a->opened_at_ms);
	}
	if (a->opt.record_path) {
		struct cg_error rerr;
		if (cg_recorder_open(&a->recorder, a->opt.record_path,
				     a->opened_at_ms, &rerr) < 0) {
			fprintf(stderr, PROGRAM ": %s\n", rerr.message);
			cg_link_close(&a->link);
			cg_demo_stop(a->demo_pid);
			return rerr.exit_code;
		}
		a->recording = true;
	}

	cg_framer_init(&a->framer);
	cg_alarms_init(&a->alarms);
	cg_events_init(&a->events);
	cg_inspect_init(&a->inspect);
	a->events_fd = -1;
	if (a->opt.events_path) {
		a->events_fd = open(a->opt.events_path,
				    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (a->events_fd < 0) {
			fprintf(stderr, PROGRAM ": cannot open the events file %s: %s\n",
				a->opt.events_path, strerror(errno));
			cg_link_close(&a->link);
			cg_demo_stop(a->demo_pid);
			return errno == EACCES ? EX_NOPERM : EX_CANTCREAT;
		}
	}
	a->data_wall_ms = cg_clock_wall_ms();
	{
		char text[CG_EVENT_TEXT_MAX];
		snprintf(text, sizeof(text), "opened %.80s", a->opt.demo ? "the demo simulator" : a->link.path);
		note_event(a, text);
	}
	struct cg_pack_config config = { .cells = (uint8_t)a->opt.cells };
	cg_pack_init(&a->pack, &config);

	if (a->opt.log_path) {
		struct cg_error log_err;
		if (cg_csvlog_open(&a->log, a->opt.log_path,
				   (unsigned)a->opt.cells, &log_err) < 0) {
			fprintf(stderr, PROGRAM ": %s\n", log_err.message);
			cg_link_close(&a->link);
			cg_demo_stop(a->demo_pid);
			return log_err.exit_code;
		}
		a->logging = true;
	}
	a->once_deadline_ms = a->opened_at_ms + (uint64_t)a->opt.timeout_s * 1000u;

	if (a->opt.json || a->opt.once || a->opt.headless) {
		setvbuf(stdout, NULL, _IOLBF, 0);
	} else {
		struct cg_tui_options topt = {
			.ascii = a->opt.ascii,
			.no_color = a->opt.no_color,
		};
		a->key_fd = cg_tui_start(&topt, &err);
		if (a->key_fd < 0) {
			fprintf(stderr, PROGRAM ": %s\n", err.message);
			cg_link_close(&a->link);
			cg_demo_stop(a->demo_pid);
			return err.exit_code;
		}
		a->tui = true;
		a->dirty = true;
	}

	rc = run(a, &wait_mask);
	if (rc != EX_OK && a->fatal_error.message[0] && rc < 128)
		a->fatal = rc;

	if (a->tui)
		cg_tui_stop();
	cg_link_close(&a->link);
	cg_demo_stop(a->demo_pid);
	if (a->replaying)
		cg_replay_close(&a->replay);
	if (a->recording) {
		struct cg_error rerr;
		if (cg_recorder_close(&a->recorder, &rerr) < 0) {
			fprintf(stderr, PROGRAM ": %s\n", rerr.message);
			if (rc == EX_OK)
				rc = rerr.exit_code;
		}
	}
	if (a->events_fd >= 0) {
		fsync(a->events_fd);
		close(a->events_fd);
	}
	if (a->logging) {
		struct cg_error log_err;
		if (cg_csvlog_close(&a->log, &log_err) < 0 && !a->fatal) {
			fprintf(stderr, PROGRAM ": %s\n", log_err.message);
			if (rc == EX_OK)
				rc = log_err.exit_code;
		}
	}
	if (a->fatal)
		fprintf(stderr, PROGRAM ": %s\n", a->fatal_error.message);
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
