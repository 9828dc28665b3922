/*
 * screen_table: the cells, one row each with a bar, a deviation, the high
 * and low marked by word as well as colour, impedance and session columns
 * when there is room; under the pack figures; in as many columns as the
 * terminal needs. Too small for even that: what size it needs.
 */
#ifndef CG_SCREEN_TABLE_H
#define CG_SCREEN_TABLE_H

#include <stdbool.h>

#include "screens.h"

/* Draws the table above the status line, or, when it does not fit the
 * screen less the doctor's diag_lines, the "too small" message over the
 * whole screen. Returns false in that case (no status line then). */
bool cg_screen_table_draw(const struct cg_view *v, int diag_lines);

/* z: bars over the cells' own low..high, or back to the BMS's ends. */
bool cg_screen_table_key(enum cg_key_action action);

#endif
