/*
 * screens: what the live view is made of, one file per screen, each with a
 * draw and a key function; tui.c picks the screen and routes the keys.
 *
 *   screen_table.c      the cells with their bars, the pack figures above
 *                       (figures.c builds those), or "too small" with the
 *                       size it needs; z toggles the zoom scale
 *   screen_inspector.c  counters, rejects, firmware, the last frame of each
 *                       kind in hex beside its decoded fields; scrolls
 *   screen_events.c     the event list, newest first
 *   screen_help.c       the keys, in a box over whatever is shown
 *   statusbar.c         the status line and the link doctor's lines
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

#define CG_DIAG_LINES_MAX 2 /* the link doctor's advice, above the status */

/* ---- Shared by the screens (tui.c) ---- */

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

/* ---- figures.c: the pack figures above the table ---- */

void cg_figures_build(const struct cg_view *v, const struct cg_scale *s,
		      struct cg_items *it);

/* ---- screen_table.c ---- */

/* Draws the table in lines 0 .. body - 1, or, when it does not fit the
 * screen less the doctor's diag_lines, the "too small" message over the
 * whole screen. Returns false in that case (no status line then). */
bool cg_screen_table_draw(const struct cg_view *v, int diag_lines);
bool cg_screen_table_key(enum cg_key_action action); /* z */

/* ---- screen_inspector.c ---- */

void cg_screen_inspector_draw(const struct cg_view *v, int bottom);
/* Scroll keys, within what the last draw showed; CG_KEY_TOP on opening. */
bool cg_screen_inspector_key(enum cg_key_action action);

/* ---- screen_events.c ---- */

void cg_screen_events_draw(const struct cg_view *v, int bottom);
bool cg_screen_events_key(enum cg_key_action action);

/* ---- screen_help.c ---- */

void cg_screen_help_draw(void);
bool cg_screen_help_key(enum cg_key_action action);

/* ---- statusbar.c ---- */

/* The link doctor's words wrapped to the width: how many lines (0..2). */
int cg_statusbar_diagnosis(const struct cg_view *v,
			   wchar_t out[CG_DIAG_LINES_MAX][CG_TEXT_MAX]);
void cg_statusbar_draw_diagnosis(int y,
				 wchar_t lines[CG_DIAG_LINES_MAX][CG_TEXT_MAX],
				 int n);
/* The status line, in the terminal's last line. */
void cg_statusbar_draw(const struct cg_view *v);

#endif
