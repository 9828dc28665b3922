/*
 * bank: the packs of one run, opened from the command line. Each source
 * (a port, bridge or replay) is opened into its struct cg_bms with its
 * doctor, given its label (the name given, else the by-id name, the host,
 * the file name; packname.h) and its output file names (%n made the
 * label). Outputs are checked apart before any is opened: two outputs on
 * one file would interleave two formats or two packs, and an output on a
 * port or a replay would write into an input, whatever names they go by
 * (device and inode); two on one character device other than a port
 * (/dev/null, a terminal) are fine. A pack read from a broker goes by
 * its NAME.
 *
 * Calls that can fail return -1 and fill err (sysexits.h codes).
 */
#ifndef CG_BANK_H
#define CG_BANK_H

#include <stdbool.h>
#include <stdint.h>

#include "bms.h"
#include "error.h"
#include "options.h"

/* Opens the n sources of args into bms[0..n-1], in order; *opened says
 * how many were (to close them whatever happens). now_ms: monotonic. */
int cg_bank_open(struct cg_bms *bms, int *opened,
		 const struct cg_source_arg *args, int n,
		 const struct cg_options *opt, uint64_t now_ms,
		 struct cg_error *err);

/* One more pack while the run goes on (a BMS announced under an
 * mqtt://.../+, mqttwatch.h): its source opened into bms[*n], labelled
 * (its NAME, made unique among the others) and its file names made;
 * *n grows by one. Its outputs are not opened (cg_bms_open_outputs).
 * Refused at CG_MAX_SOURCES packs. path must outlive the pack. */
int cg_bank_add(struct cg_bms *bms, int *n, const char *path,
		const struct cg_options *opt, uint64_t now_ms,
		struct cg_error *err);

/* Refuses outputs that share a file or write into an input (demo: the
 * port is the demo's own pty). */
int cg_bank_check_outputs(const struct cg_bms *bms, int n, bool demo,
			  struct cg_error *err);

#endif
