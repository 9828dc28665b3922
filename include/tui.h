/*
 * tui: the live view, drawn with ncurses (wide-character build).
 *
 * A view only: it reads a snapshot of the state (struct cg_view) and draws
 * it; it owns no data. It picks the screen (the cell table, the event list,
 * the inspector, the history, help over any of them; see screens.h) and
 * routes the keys
 * that belong to the screens; the terminal itself is crt's (crt.h). It
 * draws eighth-block bars in UTF-8 locales and ASCII elsewhere, honours
 * NO_COLOR and --no-color, keeps the terminal's own background, and marks
 * the high and low cells with an attribute and a marker as well as colour
 * so they stand out on monochrome screens.
 */
#ifndef CG_TUI_H
#define CG_TUI_H

#include <stdbool.h>
#include <stdint.h>

#include "alarm.h"
#include "crt.h"
#include "doctor.h"
#include "error.h"
#include "events.h"
#include "framer.h"
#include "history.h"
#include "inspect.h"
#include "pack.h"

/* A replay in progress (--replay); NULL in the view when live. */
struct cg_replay_view {
	double speed;        /* 1.0 = real pace */
	bool paused;
	double position_s;   /* recorded seconds played */
	double length_s;     /* recorded seconds in the file; 0 = unknown */
	bool timestamped;    /* false: a raw dump paced by its 0x57 frames */
	bool ended;          /* played to the end */
	const char *path;    /* the file played (its name is shown) */
};

/* A file being written (--record, --log, --events). */
struct cg_output_view {
	const char *path;    /* NULL: not asked for, nothing shown */
	uint64_t bytes;      /* its size, shown when not 0 */
	bool failed;         /* writing it stopped on an error */
};

struct cg_view {
	const struct cg_pack *pack;
	const char *label;     /* the pack's name (several packs), or NULL */
	/* Several packs, on the overview: the view of each, bank_n of them
	 * (this view is the first's); NULL when one pack is shown. */
	const struct cg_view *bank;
	int bank_n;
	/* No pack yet (mqtt://HOST/PREFIX/+ with nobody online): where the
	 * overview waits for them, "PREFIX/+ on HOST"; else NULL. */
	const char *waiting;
	/* ... and, while a broker is lost, what was said of it; else NULL. */
	const char *waiting_note;
	const struct cg_framer_stats *framer;
	uint64_t implausible;  /* frames rejected by the decoder */
	const char *port;
	int baud;              /* the speed in use; 0 where there is none
				* (files, replays): not shown */
	enum cg_link_state link;
	const char *link_detail; /* e.g. the last error; may be NULL */
	double frames_per_s;
	bool paused;
	uint64_t now_ms;

	/* Field troubleshooting. Any pointer may be NULL: not shown. */
	const char *diagnosis;  /* the link doctor's plain words, or NULL */
	const struct cg_alarms *alarms;
	const struct cg_events *events;
	const struct cg_inspect *inspect;
	const struct cg_replay_view *replay;
	uint64_t worst_delta_wall_ms;     /* wall time of the worst delta */
	const struct cg_hist *hist;       /* how the pack moved: key t */

	/* What is being written, said in the status line ("REC bms.rec
	 * 1.2 MB", "LOG cells.csv"), and a write that failed. */
	struct cg_output_view record, csv_log, event_log;
	/* --mqtt: the broker's state and the messages the bounded queue
	 * dropped while it was away; not shown when publishing is off. */
	struct {
		bool on;
		bool connected;
		uint64_t dropped;
	} mqtt;
};

struct cg_tui_options {
	bool ascii;    /* force ASCII bars */
	bool no_color; /* --no-color; NO_COLOR is read by cg_tui_start */
};

/* Takes over the terminal. Uses /dev/tty when stdin is not a terminal (PORT
 * "-"). Returns the fd to poll for keys, or -1 with err filled
 * (EX_UNAVAILABLE: no terminal, or one that cannot draw the table). */
int cg_tui_start(const struct cg_tui_options *options, struct cg_error *err);

/* The number of packs read: with more than one the view opens on the
 * overview (screen_overview.h). */
void cg_tui_set_packs(int n);

/* The pack to draw and to act on: -1 for the overview (every pack), else
 * its index. Enter or 1-9 opens a pack from the overview, Esc goes back. */
int cg_tui_pack(void);

/* Draws the view; only what changed reaches the terminal. */
void cg_tui_draw(const struct cg_view *view);

/* Reads one pending key (call when the key fd is readable). The keys
 * that only change what is shown are acted on here: ? and h (help), e (the
 * event list), i (the inspector, from its top), t (the history, over
 * the whole session), z (zoom), the scroll keys,
 * and Esc and q over help, the event list or the inspector, which close it
 * (q is then returned as CG_KEY_BACK, so only q on the table quits); + and
 * - outside a replay say in the status line that they apply to replays.
 * Every key is returned, so the caller redraws and acts on the rest
 * (q, p, r, + and -); CG_KEY_NONE when none is pending. */
enum cg_key_action cg_tui_key(void);

/* Rings the terminal's bell (or flashes it): once per new alarm. */
void cg_tui_bell(void);

/* Gives the terminal back as it was. Safe to call twice. */
void cg_tui_stop(void);

#endif
