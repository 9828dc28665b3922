/*
 * plot: the history (history.h) as an SVG picture, for --plot FILE.svg.
 *
 * One picture, 1200 px wide, panels stacked on one clock axis: the cell
 * voltages (the band from the lowest to the highest cell, the high and low
 * cells' own min..max, the average cell as a line), delta mV, current
 * (charge drawn solid above the zero line, discharge dashed below it, so
 * the two differ without colour; a current of unknown direction, storage
 * mode, grey), SOC and the two temperatures (T1 solid, T2 dashed). Events
 * are vertical lines through every panel with a letter on top: A alarm,
 * M mode or protection change, L link lost or back; the newest few are
 * listed under the picture with their times. The title says the source, the
 * time span, the cell count and the firmware; clock labels are UTC.
 *
 * Every series is drawn as min..max per pixel column (cg_hist_query), so a
 * one-second spike in a week still shows, and the text stays about 100-300
 * kB however long the span.
 *
 * The clock of --from and --to is in plottime.h.
 *
 * Pure: no I/O, no allocation, no globals. Text goes out through the
 * caller's write function in pieces of up to CG_PLOT_CHUNK bytes.
 */
#ifndef CG_PLOT_H
#define CG_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "history.h"
#include "plottime.h"

#define CG_PLOT_WIDTH 1200
#define CG_PLOT_LEFT 80     /* x of the first data column */
#define CG_PLOT_COLUMNS 1090 /* data columns, one per pixel */
#define CG_PLOT_CHUNK 16384

/* Where a panel is drawn: the pixel box of its data, for tests that look
 * at the picture. */
struct cg_plot_box {
	int x, y, w, h;
};

/* What the title says; any field may be NULL / 0 when unknown. */
struct cg_plot_meta {
	const char *source;   /* port, BMS name or recording */
	const char *firmware; /* "V1.26 or later (...)" */
	unsigned cells;       /* wired cells; 0: from the history */
	unsigned marks_listed; /* newest events listed under the picture;
				* 0: the default (12) */
};

/* Receives the SVG text; returns 0, or -1 to stop (then cg_plot_svg
 * returns -1). */
typedef int (*cg_plot_write_fn)(void *ctx, const char *text, size_t len);

/* Writes the whole SVG document for [from_ms, to_ms). Returns 0, or -1
 * when write did. */
int cg_plot_svg(const struct cg_hist *h, const struct cg_plot_meta *meta,
		uint64_t from_ms, uint64_t to_ms, cg_plot_write_fn write,
		void *ctx);

/* The data box of the cell-voltage panel (the first), for tests. */
struct cg_plot_box cg_plot_cells_box(void);

#endif
