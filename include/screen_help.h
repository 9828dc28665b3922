/*
 * screen_help: key ? or h, the keys and the markers, in a box centred
 * over whatever screen is shown, cut to the terminal when it is smaller.
 */
#ifndef CG_SCREEN_HELP_H
#define CG_SCREEN_HELP_H

#include <stdbool.h>

#include "screens.h"

void cg_screen_help_draw(void);
bool cg_screen_help_key(enum cg_key_action action);

#endif
