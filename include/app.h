/*
 * app: the state of one run of chargery-top, shared by its main loop
 * (chargery-top.c: phases, the ppoll loop, --once) and its view glue
 * (app_view.c: what the screens are shown of the packs, and what the keys
 * do to them). Not a library: the program's own two halves.
 */
#ifndef CG_APP_H
#define CG_APP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bms.h"
#include "mqttwatch.h"
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
	/* Sources mqtt://.../PREFIX/+: each adds a pack per BMS announced
	 * (mqttwatch.h). */
	struct cg_mqttwatch *watch[CG_MAX_SOURCES];
	int nwatch;
	/* The last note of a watch while no pack is there to take it (the
	 * broker lost), for the waiting screen; sanitised. */
	char watch_note[CG_MQTTWATCH_NOTE_MAX];
};

/* app_grow.c: packs that arrive while the run goes on (a source
 * mqtt://.../PREFIX/+, mqttwatch.h). */

/* A history is kept only where it is drawn (--plot, the table). */
bool cg_app_keep_history(const struct app *a);

/* Splits the n sources: each PREFIX/+ becomes a watch (a->watch), the
 * rest are copied to packs (*np of them). -1 with err filled. */
int cg_app_open_watches(struct app *a, const struct cg_source_arg *args,
			int n, struct cg_source_arg *packs, int *np,
			struct cg_error *err);

/* After the bank is open: the BMSes each watch finds announced within
 * its first moments become packs too. It waits with wait_mask as the
 * signal mask, so a quit signal stops it. A watch with nobody online is
 * no error: the run waits for them (said once on stderr without the
 * table); but --once with no pack at all is -1, EX_UNAVAILABLE. -1 with
 * err filled (a broker that cannot be reached, a signal). */
int cg_app_gather(struct app *a, const sigset_t *wait_mask,
		  struct cg_error *err);

/* With no pack yet, where the run waits for them ("PREFIX/+ on HOST",
 * each watch's), written into out; NULL when there is a pack or no
 * watch. */
const char *cg_app_waiting(const struct app *a, char *out, size_t cap);

/* With no pack yet, what was last said of a watch whose broker is down
 * now (a->watch_note); else NULL. */
const char *cg_app_waiting_note(const struct app *a);

/* Moves watch w on in the main loop: a BMS newly online is one more pack,
 * outputs opened and on the table at once. Returns 0, or the exit code
 * of an output that cannot be opened (the reason in its fatal_error). */
int cg_app_watch(struct app *a, int w, uint64_t now_ms, bool readable);

/* Draws the view of the packs now (the overview, or one pack's screens). */
void cg_app_draw(struct app *a, uint64_t now_ms);

/* Reads the pending keys and acts on them; true when the user quits. */
bool cg_app_handle_keys(struct app *a);

#endif
