/*
 * scale: where the bars start and end, and where a voltage falls on one.
 *
 * The ends are, in order of preference: the cells' own low..high with a
 * margin (zoom, for balancing work); the BMS's discharge-end and
 * charge-end settings when it sends them; a range guessed from the
 * chemistry the average cell voltage suggests. A bar is measured in
 * eighths of a column, the resolution of the Unicode block elements.
 *
 * Pure: no I/O, no allocation, no globals.
 */
#ifndef CG_SCALE_H
#define CG_SCALE_H

#include <stdbool.h>
#include <wchar.h>

#include "pack.h"

struct cg_scale {
	unsigned lo_mv, hi_mv; /* lo_mv < hi_mv */
	const wchar_t *name;   /* where the ends come from: "BMS ends", ... */
};

/* The chemistry an average cell voltage suggests: under 2.9 V LTO
 * (1.8..2.8 V), up to 3.4 V LiFePO4 (2.5..3.65 V), else Li-ion
 * (3.0..4.2 V); avg_mv 0 (unknown) guesses Li-ion. */
struct cg_scale cg_scale_guess(unsigned avg_mv);

/* The ends for this pack: zoom when asked and there are cell figures, else
 * the BMS's own ends (the guess fills what it does not send), else the
 * guess. pack may be NULL (the guess for no data). */
struct cg_scale cg_scale_for(const struct cg_pack *pack, bool zoom);

/* Where mv falls on a bar w columns long, in eighths of a column, rounded:
 * 0 at or below lo_mv, w * 8 at or above hi_mv. */
unsigned long cg_scale_eighths(unsigned mv, const struct cg_scale *s, int w);

#endif
