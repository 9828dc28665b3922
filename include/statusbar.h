/*
 * statusbar: the status line in the terminal's last line (port and baud,
 * link state, detail, files being written, frames per second, rejects,
 * cells, replay position),
 * whose pieces shorten and then give way on a narrow terminal, the link
 * state and PAUSED last; and the link doctor's advice above it, wrapped to
 * at most CG_DIAG_LINES_MAX lines.
 */
#ifndef CG_STATUSBAR_H
#define CG_STATUSBAR_H

#include <stdbool.h>
#include <wchar.h>

#include "screens.h"

#define CG_DIAG_LINES_MAX 2

/* The link doctor's words wrapped to the width: how many lines (0..2). */
int cg_statusbar_diagnosis(const struct cg_view *v,
			   wchar_t out[CG_DIAG_LINES_MAX][CG_TEXT_MAX]);
void cg_statusbar_draw_diagnosis(int y,
				 wchar_t lines[CG_DIAG_LINES_MAX][CG_TEXT_MAX],
				 int n);

/* The status line, in the terminal's last line; notice (may be NULL) is
 * a word about the last key, e.g. "speed applies to replays". A replay
 * shows its file, position, length and speed, paused or end, and no baud;
 * files being written show as "REC bms.rec 1.2 MB", "LOG cells.csv",
 * "EVENTS ev.log", or FAILED. */
void cg_statusbar_draw(const struct cg_view *v, const wchar_t *notice);

#endif
