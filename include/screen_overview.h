/*
 * screen_overview: several packs at once, the first screen when more than
 * one source is read. One line (or a block of two) per pack: its number
 * (the key that opens it), name, link state, pack voltage, signed
 * current and its share of the bank's, SOC, lowest and highest cell,
 * delta, temperatures, alarms and the age of its data; the worst pack's
 * worst cell stands out (bold, marked, in colour). Under them the bank:
 * total current, who carries more or less than a fair share, the lowest
 * cell of the whole bank. Laid out by overview.h; arrows move the
 * selection, Enter opens the selected pack (tui.c acts on it).
 */
#ifndef CG_SCREEN_OVERVIEW_H
#define CG_SCREEN_OVERVIEW_H

#include <stdbool.h>

#include "screens.h"

/* Draws the overview of v->bank (v->bank_n packs) and its status line,
 * selected marked. With no pack (bank_n 0), says in plain words where
 * they are waited for (v->waiting) instead. */
void cg_screen_overview_draw(const struct cg_view *v, int selected);

/* Up and down move the selection among n packs; true when the key meant
 * something here. */
bool cg_screen_overview_key(enum cg_key_action action, int n, int *selected);

#endif
