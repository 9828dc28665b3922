/*
 * screen_events: key e, what happened (link, mode, protection, alarms),
 * newest first, each with its local time of day, and how many are kept.
 */
#ifndef CG_SCREEN_EVENTS_H
#define CG_SCREEN_EVENTS_H

#include <stdbool.h>

#include "screens.h"

/* Draws in lines 0 .. bottom - 1. */
void cg_screen_events_draw(const struct cg_view *v, int bottom);
bool cg_screen_events_key(enum cg_key_action action);

#endif
