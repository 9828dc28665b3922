/*
 * screen_history: key t, how the pack moved over the session (or the
 * whole replay), from the history (history.h) in struct cg_view: graphs of
 * the cell voltages (high and low envelope, the average, and the selected
 * cell drawn over them in bold), the current (charge above the zero line,
 * discharge below), the delta, the SOC and T1/T2, with the alarms, mode
 * changes and disconnects marked under them (A, M, L) above a time axis
 * labelled in local time, as the event list is. Braille dots (2 x 4 per
 * character) in a UTF-8 locale, ASCII elsewhere (braille.h).
 *
 * Keys: Up/Down choose the cell; [ and ] widen and narrow the window (5
 * min, 15 min, 1 h, 6 h, 24 h, the whole session); Left/Right pan it back
 * and forth in time when it is shorter than the data. Live, a window not
 * panned follows the newest data; a panned one stays where it was put. A larger terminal
 * gives the graphs more rows; a smaller one fewer graphs (histview.h).
 */
#ifndef CG_SCREEN_HISTORY_H
#define CG_SCREEN_HISTORY_H

#include <stdbool.h>

#include "screens.h"

/* Draws in lines 0 .. bottom - 1. */
void cg_screen_history_draw(const struct cg_view *v, int bottom);

/* Up/Down, Left/Right, [ and ]; true when the key was one of them. */
bool cg_screen_history_key(enum cg_key_action action);

/* Back to the whole session, following the newest (on opening). */
void cg_screen_history_reset(void);

#endif
