/*
 * sim_options: chargery-sim's command line, read into struct
 * cg_sim_options, and its --help text. Every rule about which options go
 * together lives here, so the simulator's main() only acts on options that
 * make sense.
 *
 * No I/O but the usage text and the message of a refused command line (on
 * stdout for --help and --version, on stderr for mistakes); --help and
 * --version exit 0, a mistake exits 64 (EX_USAGE).
 */
#ifndef CG_SIM_OPTIONS_H
#define CG_SIM_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include <termios.h>

#include "sim.h"

#define CG_SIM_PROGRAM "chargery-sim"

struct cg_sim_options {
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

/* The --help text. */
void cg_sim_usage(FILE *out);

/* Fills *opt from the command line, defaults first; on a mistake says what
 * is wrong, naming the option, and exits 64. */
void cg_sim_options_parse(int argc, char **argv, struct cg_sim_options *opt);

#endif
