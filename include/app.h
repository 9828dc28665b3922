/*
 * app: the state of one run of chargery-top, shared by its main loop
 * (chargery-top.c: phases, the ppoll loop, --once) and its view glue
 * (app_view.c: what the screens are shown of the packs, and what the keys
 * do to them). Not a library: the program's own two halves.
 */
#ifndef CG_APP_H
#define CG_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bms.h"
#include "options.h"
#include "pack.h"
#include "tui.h"

struct app {
	struct cg_options opt;
	/* The packs, one pipeline each (bms.h): the sources given, in their
	 * order, or the one the demo or the port picker found. */
	struct cg_bms bms[CG_MAX_SOURCES];
	int n;
	bool plotting;     /* --plot, and the run started */

	bool tui;
	int key_fd;
	bool paused;
	struct cg_pack frozen[CG_MAX_SOURCES];  /* what the paused view shows */
	uint64_t paused_at_ms;
	bool dirty;
	uint64_t drawn_at_ms;
	pid_t demo_pid;

	struct cg_replay_view replay_view[CG_MAX_SOURCES];
	uint64_t once_deadline_ms;
	int fatal;            /* an EX_ code that ends the run, 0 = none */
};

/* Draws the view of the packs now (the overview, or one pack's screens). */
void cg_app_draw(struct app *a, uint64_t now_ms);

/* Reads the pending keys and acts on them; true when the user quits. */
bool cg_app_handle_keys(struct app *a);

#endif
