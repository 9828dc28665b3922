/*
 * screen_table: the cells, one row each with a bar, a deviation, the high
 * and low marked by word as well as colour (every cell tied at either),
 * a lost cell as a red "lost (was 3.300 V)" alarm instead of a bar,
 * impedance and session columns when there is room; under the pack figures; in as many columns as the
 * terminal needs. On a smaller terminal it steps down as cg_layout_fit()
 * says: fewer figure lines, a summary line, compact cells without bars,
 * the summary line alone; narrower than that, what size it needs.
 */
#ifndef CG_SCREEN_TABLE_H
#define CG_SCREEN_TABLE_H

#include <stdbool.h>

#include "screens.h"

/* Draws the table above the status line, in the screen less the doctor's
 * diag_lines, or, when not even the summary line fits, the "too small"
 * message over the whole screen. Returns false when there is no room for
 * the status line (then it is not drawn). */
bool cg_screen_table_draw(const struct cg_view *v, int diag_lines);

/* z: the scale other than the one shown (zoom or the end voltages). Until
 * z is pressed the bars zoom when the ends would blur cells that differ. */
bool cg_screen_table_key(enum cg_key_action action);

#endif
