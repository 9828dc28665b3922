/*
 * figures: the pack figures above the cell table (voltages, current, SOC,
 * temperatures, protection, ages, the bar scale, impedances, limits) as
 * items the layout packs into lines, each with the level at which it
 * gives way on a small terminal. Unknown values read "--", never 0.
 *
 * What the frames this firmware sends will show is reserved from the
 * start (the impedance figures of a unit that sends 0x58), so the layout
 * does not jump when they arrive. Figures of data gone stale are dimmed,
 * and the stale age is said.
 *
 * What the firmware does not say is not made up: every cell tied at the
 * high or low value is named ("High #3 #10 3.320 V", "+N" past
 * CG_FIGURES_TIES_SHOWN); a wired cell that collapsed is an alarm naming
 * it ("!LOST #14 (was 3.300 V)"); a low limit that is the chemistry guess
 * says "(guessed)"; a current from firmware before V1.21 has no sign and
 * no mode ("Current 23.0 A, direction unknown"); SOC comes from whichever
 * frame carries one (pack.h), "--" when none does.
 */
#ifndef CG_FIGURES_H
#define CG_FIGURES_H

#include <stdbool.h>

#include "screens.h"

/* Tied high or low cells named in the header before "+N" says the rest. */
#define CG_FIGURES_TIES_SHOWN 3

void cg_figures_build(const struct cg_view *v, const struct cg_scale *s,
		      struct cg_items *it);

/* What the cell table has to make room for: the cells, and the mOhm
 * column when 0x58 frames came or the firmware sends them (V1.25 and on:
 * a 0x57 of 19 bytes or a 0x56 with Wh/Ah, as the inspector saw). */
struct cg_layout_need cg_figures_need(const struct cg_view *v);

/* True when the firmware seen sends 0x58 frames (or one arrived). */
bool cg_figures_expect_impedance(const struct cg_view *v);

/* The pack in one line of at most width columns (pack, high, low, delta;
 * said shorter the narrower it is), for a terminal too small for the
 * figures. Returns the attributes to draw it with (dim when stale). */
cg_attr cg_figures_summary(const struct cg_view *v, int width,
			   wchar_t out[CG_TEXT_MAX]);

#endif
