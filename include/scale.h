/*
 * scale: where the bars start and end, and where a voltage falls on one.
 *
 * The ends are, in order of preference: the cells' own low..high with a
 * margin and a span of at least CG_ZOOM_MIN_SPAN_MV (zoom, for balancing
 * work); the BMS's discharge-end and charge-end settings when it sends
 * them; a range guessed from the chemistry the average cell voltage
 * suggests. A bar is measured in eighths of a column, the resolution of
 * the Unicode block elements.
 *
 * By default (CG_SCALE_AUTO) the bars zoom when the end-voltage scale
 * would draw cells that differ with bars of the same length: a balanced
 * LiFePO4 pack on short bars. Key z picks the other scale explicitly.
 *
 * Pure: no I/O, no allocation, no globals.
 */
#ifndef CG_SCALE_H
#define CG_SCALE_H

#include <stdbool.h>
#include <wchar.h>

#include "pack.h"

#define CG_ZOOM_MIN_SPAN_MV 20 /* zoom never magnifies noise past this */

/* Which scale the bars use: chosen (auto) or asked for (key z). */
enum cg_scale_choice {
	CG_SCALE_AUTO, /* the ends, unless they blur cells that differ */
	CG_SCALE_ENDS,
	CG_SCALE_ZOOM,
};

struct cg_scale {
	unsigned lo_mv, hi_mv; /* lo_mv < hi_mv */
	const wchar_t *name;   /* where the ends come from: "BMS ends", ... */
	bool zoom;             /* the cells' own low..high */
};

/* The chemistry an average cell voltage suggests (chem.h): under 2.9 V
 * LTO (1.8..2.8 V), up to 3.4 V LiFePO4 (2.5..3.65 V), else Li-ion
 * (3.0..4.2 V); avg_mv 0 (unknown) guesses Li-ion. */
struct cg_scale cg_scale_guess(unsigned avg_mv);

/* The ends for this pack: zoom when asked and there are cell figures, else
 * the BMS's own ends, else the guess from the average. A charge-end sent
 * without a discharge-end (before V1.26) gets the low end the alarms guess
 * from it (cg_alarm_guess_low_mv, chem.h); a charge-end at or under the
 * average's guessed low end is not believed. pack may be NULL (the guess
 * for no data). */
struct cg_scale cg_scale_for(const struct cg_pack *pack, bool zoom);

/* True when two counted cells that differ would get bars of the same
 * length on a bar w columns long over s (w < 1: never). */
bool cg_scale_blurs(const struct cg_pack *pack, const struct cg_scale *s,
		    int w);

/* The scale the bars of w columns use: zoom or the ends as asked; AUTO
 * zooms exactly when the ends blur cells that differ. */
struct cg_scale cg_scale_pick(const struct cg_pack *pack,
			      enum cg_scale_choice choice, int w);

/* What key z turns the choice into: the scale other than the one shown. */
enum cg_scale_choice cg_scale_toggle(const struct cg_scale *shown);

/* Where mv falls on a bar w columns long, in eighths of a column, rounded:
 * 0 at or below lo_mv, w * 8 at or above hi_mv. */
unsigned long cg_scale_eighths(unsigned mv, const struct cg_scale *s, int w);

#endif
