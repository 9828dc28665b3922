/*
 * plotfile: writes the --plot picture (plot.h) to a file, whole or not at
 * all: the SVG goes to FILE.tmp beside it, is synced, then renamed over
 * FILE, so a reader never sees half a picture and a failed run leaves the
 * old picture in place.
 *
 * I/O module. Returns 0, or -1 with the <sysexits.h> code and what to do
 * in *err (error.h): EX_NOPERM or EX_CANTCREAT when the file cannot be
 * created (the messages of appendfile.h), EX_IOERR when writing fails.
 */
#ifndef CG_PLOTFILE_H
#define CG_PLOTFILE_H

#include <stdint.h>

#include "error.h"
#include "history.h"
#include "plot.h"

int cg_plotfile_write(const char *path, const struct cg_hist *h,
		      const struct cg_plot_meta *meta, uint64_t from_ms,
		      uint64_t to_ms, struct cg_error *err);

#endif
