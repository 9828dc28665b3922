/*
 * screens: what every screen of the live view shares. The view is made of
 * one file per screen, each with a draw and a key function, and tui.c
 * picks the screen and routes the keys:
 *
 *   screen_table.h      the cells with their bars under the pack figures
 *                       (figures.h), or "too small"; z toggles the zoom
 *   screen_inspector.h  counters, rejects, firmware, the last frames; scrolls
 *   screen_events.h     the event list, newest first
 *   screen_history.h    graphs of the session from the history (t)
 *   screen_help.h       the keys, in a box over whatever is shown
 *   statusbar.h         the status line and the link doctor's lines
 *
 * Screens draw through crt (crt.h) only, from a struct cg_view; they own no
 * data but their own view state (zoom, scroll). A key function returns true
 * when the key meant something to that screen.
 */
#ifndef CG_SCREENS_H
#define CG_SCREENS_H

#include <stdbool.h>
#include <wchar.h>

#include "crt.h"
#include "layout.h"
#include "scale.h"
#include "textfmt.h"
#include "tui.h"

/* Shared by the screens (in tui.c). */

/* Draws the items of this level flowed into width columns from column x0,
 * line y; nothing at or past line ymax. Returns how many lines they take. */
int cg_screen_items(const struct cg_items *it, int level, int x0, int width,
		    int y, int ymax);

static inline bool cg_view_have(const struct cg_pack *p,
				enum cg_record_type t)
{
	return p && p->have[t];
}

static inline bool cg_view_stale(const struct cg_view *v,
				 enum cg_record_type t)
{
	return cg_view_have(v->pack, t) &&
	       cg_pack_freshness(v->pack, t, v->now_ms) == CG_STALE;
}

/* High and low are worth marking only when they differ. */
static inline bool cg_view_marks_extremes(const struct cg_pack *p)
{
	return cg_view_have(p, CG_REC_CELLS) && p->counted > 1 &&
	       p->delta_mv > 0;
}

#endif
