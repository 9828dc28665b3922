/*
 * screen_inspector: key i, where the bytes went: the framer's counters
 * (and the frames of a firmware variant it cannot read yet, counted by
 * command and length), the decoder's rejects by reason, the firmware the frame lengths reveal,
 * and the last good frame of each kind in hex (never raw) beside the fields
 * the decoder read from it, all from the inspection module (inspect.h).
 * Longer than the screen, it scrolls, and its title says where it stands.
 */
#ifndef CG_SCREEN_INSPECTOR_H
#define CG_SCREEN_INSPECTOR_H

#include <stdbool.h>

#include "screens.h"

/* Draws in lines 0 .. bottom - 1. */
void cg_screen_inspector_draw(const struct cg_view *v, int bottom);

/* The scroll keys (arrows, PgUp/PgDn, Home/End, g/G), within what the
 * last draw measured; CG_KEY_TOP on opening. */
bool cg_screen_inspector_key(enum cg_key_action action);

#endif
