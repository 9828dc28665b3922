/*
 * options: chargery-top's command line, read into struct cg_options, and
 * its --help text. Every rule about which options go together lives here,
 * so main() only acts on options that are known to make sense.
 *
 * No I/O but the usage text and the messages of a refused command line
 * (on stdout for --help and --version, on stderr for mistakes).
 */
#ifndef CG_OPTIONS_H
#define CG_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "alarm.h"
#include "plot.h"

#define CG_PROGRAM "chargery-top"
#define CG_MAX_SOURCES 9 /* packs at once: keys 1-9 open each */

/* One source of several: a PORT or a --replay FILE, in the order given.
 * name is the label the user gave (NAME=PATH), or NULL. */
struct cg_source_arg {
	const char *path;
	char name[33];           /* CG_PACKNAME_MAX; "" = not given */
	bool replay;             /* --replay FILE */
};

struct cg_options {
	/* Every source, ports and replays, in the order given (nsources is
	 * 0 without PORT: the demo or the port picked). With one source,
	 * port or replay_path is its path as well (NULL with several). The
	 * output paths are patterns with several (%n, packname.h). */
	struct cg_source_arg sources[CG_MAX_SOURCES];
	int nsources;
	bool growing;    /* a source mqtt://.../PREFIX/+: packs arrive while
			  * the run goes on (mqttwatch.h), so outputs are
			  * patterns and every pack is labelled */
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
	uint64_t start_us;       /* --start: a raw dump's first frame, wall
				  * µs since the epoch; 0 = not given */
	const char *log_path;    /* --log */
	bool once;               /* --once: one picture, then exit */
	bool csv;                /* --once --csv */
	int timeout_s;           /* --once: how long to wait */
	bool headless;           /* no table: only --log/--record/--events */
	struct cg_alarm_config alarm;
	bool bell;
	const char *plot_path;   /* --plot FILE.svg, written at exit */
	struct cg_plot_time plot_from, plot_to; /* --from, --to */
	const char *mqtt_url;         /* --mqtt URL (checked, mqttfmt.h) */
	const char *mqtt_cafile;      /* --mqtt-cafile */
	const char *mqtt_password_file; /* --mqtt-password-file */
	const char *name;             /* --name: this BMS in topics and HA */
	const char *mqtt_discovery_prefix; /* --mqtt-discovery-prefix */
	bool no_discovery;            /* --no-discovery */
};

/* Reads argv into *opt (which the caller zeroes). Returns -1 when the
 * program should go on, or the exit code to end with: EX_OK after --help
 * or --version, EX_USAGE (64) after a message on stderr. */
int cg_options_parse(int argc, char **argv, struct cg_options *opt);

/* Whether the run draws the table: not with --json, --once or
 * --headless. */
bool cg_options_table(const struct cg_options *opt);

/* Writes the --help text. */
void cg_options_usage(FILE *to);

#endif
