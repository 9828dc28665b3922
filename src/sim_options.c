/*
 * sim_options: chargery-sim's command line (sim_options.h).
 */
#include "sim_options.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "args.h"
#include "baud.h"
#include "encode.h"

void cg_sim_usage(FILE *out)
{
	fprintf(out,
		"Usage: " CG_SIM_PROGRAM " [OPTION]...\n"
		"Simulates a Chargery BMS8T/16T/24T: writes the byte stream the unit\n"
		"sends on its COM3 port to a pseudo-terminal and prints that pty's path.\n"
		"\n"
		"  --stdout             write the raw stream to stdout instead of a pty\n"
		"  --link PATH          also make PATH a symlink to the pty (replaced if it\n"
		"                       is a symlink already, removed on exit)\n"
		"  --cells N            wired cells, 1..slots (default: all slots)\n"
		"  --slots 8|16|24      channels of the unit: BMS8T, 16T or 24T (default 16)\n"
		"  --firmware NAME      the frames of a firmware (default v126):\n"
		"                         v126  V1.26: 0x56 with Wh/Ah, 0x57 of 19 bytes\n"
		"                               (discharge end, protection), 0x58\n"
		"                         v125  V1.25: 0x56 with Wh/Ah, 0x57 of 15, 0x58\n"
		"                         v124  V1.24: 0x56 with Wh/Ah, 0x57 of 15, no 0x58\n"
		"                         v122  V1.22/V1.23: SOC in the byte after the\n"
		"                               cells of 0x56 and in 0x57 of 15, no Wh/Ah\n"
		"                         v120  before V1.21: 0x57 of 13 (no mode, no SOC,\n"
		"                               the current unsigned), 0x56 without Wh/Ah\n"
		"                         old   the same as v122\n"
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
		"Example: " CG_SIM_PROGRAM " --link /tmp/bms &  chargery-top /tmp/bms\n"
		"         " CG_SIM_PROGRAM " --stdout --speed 1000 --duration 60 > capture.bin\n");
}

static void die_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Says what is wrong with the command line, naming the option. */
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, CG_SIM_PROGRAM ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" CG_SIM_PROGRAM " --help' for the options.\n");
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

void cg_sim_options_parse(int argc, char **argv, struct cg_sim_options *opt)
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
			if (!cg_firmware_by_name(optarg, &opt->sim.firmware))
				die_usage("--firmware '%s' must be one of "
					  CG_FIRMWARE_NAMES ".",
					  optarg);
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
			cg_sim_usage(stdout);
			exit(EX_OK);
		case OPT_VERSION:
			printf(CG_SIM_PROGRAM " " CG_VERSION "\n");
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
