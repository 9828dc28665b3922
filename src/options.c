/*
 * options: chargery-top's command line (see options.h).
 */
#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "args.h"
#include "mqttfmt.h"
#include "mqttsub.h"
#include "packname.h"
#include "pack.h"
#include "record.h"

#define PROGRAM CG_PROGRAM

void cg_options_usage(FILE *to)
{
	fprintf(to,
		"Usage: " PROGRAM " [OPTIONS] [PORT...]\n"
		"Live cell table for a Chargery BMS8T/16T/24T on its COM3 port.\n"
		"\n"
		"PORT is /dev/ttyUSB0, /dev/serial/by-id/..., a pty (socat,\n"
		"ser2net), a raw capture file, or - for stdin. Without PORT the\n"
		"only USB serial port is used (with several, the one carrying\n"
		"Chargery frames).\n"
		"A network bridge is a PORT too, reconnected when it drops:\n"
		"  tcp://HOST:PORT     raw TCP (USR box in TCP-server mode, ser2net\n"
		"                      raw, esp-link); IPv6 as tcp://[::1]:4001\n"
		"  ws://HOST:PORT/PATH websocket (USR \"Web to Serial\", e.g.\n"
		"                      ws://192.168.0.7:6432)\n"
		"A pack another chargery-top publishes with --mqtt is a PORT too:\n"
		"  mqtt://HOST[:PORT]/PREFIX/NAME  that BMS's frames, through the\n"
		"                      broker (mqtts:// with --mqtt-cafile; the\n"
		"                      password from CHARGERY_MQTT_PASSWORD)\n"
		"  mqtt://HOST/PREFIX/+  every BMS announced there, one pack each,\n"
		"                      joining as they come online\n"
		"\n"
		"Several packs: give several PORTs (and --replay FILEs), up to 9,\n"
		"each as NAME=PORT to label it (bank1=/dev/ttyUSB0; default: the\n"
		"by-id name, the bridge's host, the file name). The table opens on\n"
		"an overview of all; Enter or 1-9 shows one pack, Esc goes back.\n"
		"--log, --record, --events and --plot then take a pattern with %%n\n"
		"for the label (--log bms-%%n.csv), one file per pack; --json lines\n"
		"carry \"bms\":\"NAME\"; --once prints every pack and exits with\n"
		"the worst status.\n"
		"\n"
		"  -b, --baud N        line speed (default 115200, 8N1, no flow control)\n"
		"  -l, --list          list serial ports, mark the one with Chargery frames\n"
		"      --list mqtt://HOST[:PORT][/PREFIX]  the BMS names announced on\n"
		"                      a broker, online or not, and their last frame\n"
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
		"                      (again for several; NAME=FILE labels it)\n"
		"      --speed X       replay X times faster (keys + and - change it)\n"
		"      --start TIME    a raw dump's first frame was at TIME (UTC, 2026-01-31T14:05:00Z)\n"
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
		"Pictures:\n"
		"      --plot FILE.svg the cells, delta, current, SOC, temperatures and\n"
		"                      events over time as SVG, written at exit (with\n"
		"                      --replay: at the end of the recording, no table)\n"
		"      --from T, --to T  the span to plot: 2026-01-01T06:00[:SS][Z] or\n"
		"                      HH:MM[:SS] on the day of the data (UTC)\n"
		"\n"
		"MQTT (Home Assistant, Grafana, Node-RED; see README):\n"
		"      --mqtt URL      publish to a broker: mqtt://[USER@]HOST[:PORT][/PREFIX]\n"
		"                      or mqtts://...; the password comes from\n"
		"                      CHARGERY_MQTT_PASSWORD or --mqtt-password-file\n"
		"      --mqtt-cafile F the CA (PEM) that signed an mqtts:// broker\n"
		"      --mqtt-password-file F  the broker password on F's first line\n"
		"      --name NAME     this BMS in topics and Home Assistant (default:\n"
		"                      the adapter's USB serial number, else the host name)\n"
		"      --mqtt-discovery-prefix P  Home Assistant's (default homeassistant)\n"
		"      --no-discovery  no Home Assistant discovery configs\n"
		"\n"
		"  -h, --help          this help\n"
		"  -V, --version       version\n"
		"\n"
		"Keys: q quit, ? or h help, p pause, r reset min/max, z zoom,\n"
		"e events, i inspector, t history, + and - replay speed; with several\n"
		"packs Enter or 1-9 open a pack, Esc back to the overview.\n"
		"Exit codes: (README and the man page say more)\n"
		"   0  ok (--once: fresh data within limits)\n"
		"   1  --once: no data or stale data\n"
		"   2  --once: a cell or the delta past its limit\n"
		"  64  bad command line; no PORT and none or several USB ports\n"
		"  65  a --log, --record or --events file of another kind\n"
		"  66  no such port\n"
		"  68  a bridge's or broker's host name was not found, or no\n"
		"      name server answered for it\n"
		"  69  port busy, no terminal to draw the table on, or --once\n"
		"      on mqtt://HOST/PREFIX/+ with no BMS online\n"
		"  70  an internal limit was hit (please report it)\n"
		"  71  the system refused something basic (/sys, the demo)\n"
		"  73  an output file cannot be created or opened\n"
		"  74  reading the port or writing an output failed (also\n"
		"      stdout: --json | head -1 ends with 74 when head leaves)\n"
		"  75  the --record or --log file is written by another program\n"
		"  77  permission denied (port or output file)\n"
		"  128+N  stopped by signal N (130 SIGINT, 143 SIGTERM)\n");
}

bool cg_options_table(const struct cg_options *opt)
{
	return !(opt->json || opt->once || opt->headless);
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

/* One more PORT or --replay FILE, as NAME=PATH or PATH. Returns -1 to go
 * on, or an exit code. */
static int add_source(struct cg_options *opt, const char *arg, bool replay)
{
	if (opt->nsources >= CG_MAX_SOURCES)
		return usage_error("at most 9 packs at once; '%s' is one too many", arg);
	struct cg_source_arg *s = &opt->sources[opt->nsources];
	s->path = cg_packname_split(arg, s->name);
	s->replay = replay;
	for (int i = 0; i < opt->nsources; i++)
		if (s->name[0] && strcmp(opt->sources[i].name, s->name) == 0)
			return usage_error("two packs are named '%s': give each its own name", s->name);
	opt->nsources++;
	return -1;
}

/* "YYYY-MM-DDTHH:MM:SS", a 'T' or a space between, an optional "Z": UTC,
 * as --json writes it. Sets *us to microseconds since the epoch. */
static bool parse_utc(const char *text, uint64_t *us)
{
	int y, mo, d, h, mi, sec, used = 0;
	char sep;

	if (sscanf(text, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h,
		   &mi, &sec, &used) != 7 || (sep != 'T' && sep != ' '))
		return false;
	if (text[used] == 'Z')
		used++;
	if (text[used] || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60 || h < 0 || mi < 0 || sec < 0)
		return false;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = sec };
	time_t t = timegm(&tm);
	if (t <= 0)
		return false;
	*us = (uint64_t)t * 1000000u;
	return true;
}

int cg_options_parse(int argc, char **argv, struct cg_options *opt)
{
	enum {
		OPT_CELLS = 256, OPT_JSON, OPT_DEMO, OPT_ASCII, OPT_NO_COLOR,
		OPT_EVENTS, OPT_ALARM_HIGH, OPT_ALARM_LOW, OPT_ALARM_DELTA, OPT_BELL,
		OPT_RECORD, OPT_REPLAY, OPT_SPEED, OPT_START, OPT_LOG, OPT_ONCE,
		OPT_CSV, OPT_TIMEOUT, OPT_HEADLESS, OPT_PLOT, OPT_FROM, OPT_TO,
		OPT_MQTT, OPT_MQTT_CAFILE, OPT_MQTT_PASSWORD_FILE, OPT_NAME,
		OPT_MQTT_DISCOVERY_PREFIX, OPT_NO_DISCOVERY,
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
		{ "start", required_argument, NULL, OPT_START },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "headless", no_argument, NULL, OPT_HEADLESS },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "mqtt", required_argument, NULL, OPT_MQTT },
		{ "mqtt-cafile", required_argument, NULL, OPT_MQTT_CAFILE },
		{ "mqtt-password-file", required_argument, NULL,
		  OPT_MQTT_PASSWORD_FILE },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "mqtt-discovery-prefix", required_argument, NULL,
		  OPT_MQTT_DISCOVERY_PREFIX },
		{ "no-discovery", no_argument, NULL, OPT_NO_DISCOVERY },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, n, rc;
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
				return usage_error(c == OPT_ALARM_HIGH ?
					"--alarm-high needs a cell voltage from 0.5 to 5 V, not '%s'" :
					"--alarm-low needs a cell voltage from 0.5 to 5 V, not '%s'",
					optarg);
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
			if ((rc = add_source(opt, optarg, true)) >= 0)
				return rc;
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
		case OPT_PLOT:
			opt->plot_path = optarg;
			break;
		case OPT_FROM:
		case OPT_TO:
			if (!cg_plot_parse_time(optarg, c == OPT_FROM ?
						&opt->plot_from : &opt->plot_to))
				return usage_error(c == OPT_FROM ?
					"--from needs a time such as 2026-01-01T06:00Z or 06:00 (UTC), not '%s'" :
					"--to needs a time such as 2026-01-01T18:00Z or 18:00 (UTC), not '%s'",
					optarg);
			break;
		case OPT_SPEED:
			if (!cg_args_number(optarg, CG_REPLAY_SPEED_MIN,
					    CG_REPLAY_SPEED_MAX, &opt->speed))
				return usage_error("--speed needs a factor from 0.125 to 1024, not '%s'", optarg);
			break;
		case OPT_START:
			if (!parse_utc(optarg, &opt->start_us))
				return usage_error("--start needs a UTC time such as 2026-01-31T14:05:00Z, not '%s'", optarg);
			break;
		case OPT_MQTT: {
			struct cg_mqtt_url url;
			struct cg_error err;
			if (cg_mqtt_url_parse(optarg, &url, &err) < 0)
				return usage_error("%s", err.message);
			opt->mqtt_url = optarg;
			break;
		}
		case OPT_MQTT_CAFILE:
			opt->mqtt_cafile = optarg;
			break;
		case OPT_MQTT_PASSWORD_FILE:
			opt->mqtt_password_file = optarg;
			break;
		case OPT_NAME:
		case OPT_MQTT_DISCOVERY_PREFIX: {
			struct cg_error err;
			if (cg_mqtt_name_check(optarg, c == OPT_NAME ? "--name" :
					       "--mqtt-discovery-prefix", &err) < 0)
				return usage_error("%s", err.message);
			if (c == OPT_NAME)
				opt->name = optarg;
			else
				opt->mqtt_discovery_prefix = optarg;
			break;
		}
		case OPT_NO_DISCOVERY:
			opt->no_discovery = true;
			break;
		case 'h':
			cg_options_usage(stdout);
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
	/* The PORTs after the --replay FILEs: getopt gathers operands at
	 * the end. */
	while (optind < argc)
		if ((rc = add_source(opt, argv[optind++], false)) >= 0)
			return rc;
	bool any_replay = false;
	for (int i = 0; i < opt->nsources; i++)
		any_replay |= opt->sources[i].replay;
	if (opt->nsources == 1) {
		if (opt->sources[0].replay)
			opt->replay_path = opt->sources[0].path;
		else
			opt->port = opt->sources[0].path;
	}
	if (opt->demo && opt->nsources)
		return usage_error("--demo uses its own simulated port; drop '%s'", opt->sources[0].path);
	if (any_replay && opt->record_path)
		return usage_error("--record records a live port; it cannot record the replay of %s",
				   opt->replay_path ? opt->replay_path : "a recording");
	if (opt->start_us && !any_replay)
		return usage_error("--start %s goes with --replay FILE (a raw dump)", "TIME");
	if (opt->speed && !any_replay)
		return usage_error("--speed %s goes with --replay FILE", "X");
	if (opt->csv && !opt->once)
		return usage_error("%s goes with --once (for a running log use --log FILE.csv)", "--csv");
	if (opt->csv && opt->json)
		return usage_error("%s: pick one of --json and --csv", "--once");
	if (opt->timeout_s && !opt->once)
		return usage_error("%s goes with --once", "--timeout");
	if (opt->headless && opt->json)
		return usage_error("%s: --json already runs without the table", "--headless");
	if (opt->list && opt->nsources == 1 && cg_mqtt_is_url(opt->sources[0].path))
		; /* --list mqtt://: the BMSes announced on a broker */
	else if (opt->list && opt->nsources)
		return usage_error("--list lists every port and takes no PORT; drop '%s'", opt->sources[0].path);
	for (int i = 0; i < opt->nsources; i++) {
		size_t len = strlen(opt->sources[i].path);
		opt->growing |= cg_mqtt_is_url(opt->sources[i].path) && len > 2 &&
				strcmp(opt->sources[i].path + len - 2, "/+") == 0;
	}
	if (opt->nsources > 1 || (opt->growing && !opt->list)) {
		const struct { const char *option, *path; } out[] = {
			{ "--log", opt->log_path },
			{ "--record", opt->record_path },
			{ "--events", opt->events_path },
			{ "--plot", opt->plot_path },
		};
		for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
			if (out[i].path && !cg_packname_is_pattern(out[i].path)) {
				char text[160];
				snprintf(text, sizeof(text), "%s %.120s", out[i].option, out[i].path);
				return usage_error("%s: with several packs each writes its own file; "
						   "put %%n (the pack's name) in it, e.g. pack-%%n.csv", text);
			}
	}
	if (opt->headless && !opt->log_path && !opt->record_path &&
	    !opt->events_path && !opt->once && !opt->plot_path &&
	    !opt->mqtt_url)
		return usage_error("%s runs without the table and writes only "
				   "files: give it --log FILE.csv, --record FILE or "
				   "--events FILE, or publish with --mqtt URL (or use --json for lines on stdout)",
				   "--headless");
	if (opt->alarm.low_mv && opt->alarm.high_mv &&
	    opt->alarm.low_mv >= opt->alarm.high_mv) {
		char text[96];
		snprintf(text, sizeof(text), "--alarm-low %u.%03u V is not below "
			 "--alarm-high %u.%03u V", opt->alarm.low_mv / 1000u,
			 opt->alarm.low_mv % 1000u, opt->alarm.high_mv / 1000u,
			 opt->alarm.high_mv % 1000u);
		return usage_error("%s: swap them, or give the low limit below the high one", text);
	}
	if ((opt->plot_from.set || opt->plot_to.set) && !opt->plot_path)
		return usage_error("%s choose the span of --plot FILE.svg", "--from and --to");
	if (opt->plot_path && opt->once)
		return usage_error("--plot draws a whole run; --once takes one picture of now: drop one of them%s", "");
	if (opt->plot_from.set && opt->plot_to.set && !opt->plot_from.clock &&
	    !opt->plot_to.clock && opt->plot_to.ms <= opt->plot_from.ms)
		return usage_error("--to must come after --from%s", "");
	/* An mqtts:// source takes the broker's CA too. */
	bool mqtts_source = false;
	for (int i = 0; i < opt->nsources; i++)
		mqtts_source |= strncmp(opt->sources[i].path, "mqtts://", 8) == 0;
	if (!opt->mqtt_url && ((opt->mqtt_cafile && !mqtts_source) ||
			       opt->mqtt_password_file ||
			       opt->name || opt->mqtt_discovery_prefix ||
			       opt->no_discovery))
		return usage_error("%s go with --mqtt URL", "--mqtt-cafile, "
				   "--mqtt-password-file, --name, "
				   "--mqtt-discovery-prefix and --no-discovery");
	if (opt->mqtt_cafile && opt->mqtt_url && strncmp(opt->mqtt_url, "mqtts://", 8))
		return usage_error("--mqtt-cafile goes with an mqtts:// broker, not '%s'", opt->mqtt_url);
	if (opt->mqtt_url && opt->once)
		return usage_error("--mqtt publishes a running pack; --once takes one picture%s", "");
	/* A recording to a picture: nobody needs the table. */
	if (opt->plot_path && any_replay && opt->nsources == 1 && !opt->json)
		opt->headless = true;
	if (!opt->timeout_s)
		opt->timeout_s = 10;
	return -1;
}

