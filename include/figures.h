/*
 * figures: the pack figures above the cell table (voltages, current, SOC,
 * temperatures, protection, ages, the bar scale, impedances, limits) as
 * items the layout packs into lines, each with the level at which it
 * gives way on a small terminal. Unknown values read "--", never 0.
 */
#ifndef CG_FIGURES_H
#define CG_FIGURES_H

#include <stdbool.h>

#include "screens.h"

void cg_figures_build(const struct cg_view *v, const struct cg_scale *s,
		      struct cg_items *it);

#endif
