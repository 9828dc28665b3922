/*
 * tui: the live table, drawn with ncurses (wide-character build).
 *
 * A view only: it reads a snapshot of the state (struct cg_view) and draws
 * it; it owns no data. It draws eighth-block bars in UTF-8 locales and ASCII
 * elsewhere, honours NO_COLOR and --no-color, keeps the terminal's own
 * background, and marks the high and low cells with an attribute and a
 * marker as well as colour so they stand out on monochrome screens.
 */
#ifndef CG_TUI_H
#define CG_TUI_H

#include <stdbool.h>
#include <stdint.h>

#include "alarm.h"
#include "doctor.h"
#include "error.h"
#include "events.h"
#include "framer.h"
#include "pack.h"

/* What the inspector (key i) shows besides the framer's counters. */
struct cg_inspect {
	uint64_t rejected_by[5];  /* indexed by -cg_decode_result */
	const char *firmware;     /* e.g. "V1.26 (0x56 with Wh/Ah, 0x57 of 19 bytes)" */
	struct cg_frame last[CG_REC_TYPES]; /* last good frame of each type */
	bool have_last[CG_REC_TYPES];
};

/* A replay in progress (--replay); NULL in the view when live. */
struct cg_replay_view {
	double speed;        /* 1.0 = real pace */
	bool paused;
	double position_s;   /* recorded seconds played */
	double length_s;     /* recorded seconds in the file; 0 = unknown */
	bool timestamped;    /* false: a raw dump paced by its 0x57 frames */
};

struct cg_view {
	const struct cg_pack *pack;
	const struct cg_framer_stats *framer;
	uint64_t implausible;  /* frames rejected by the decoder */
	const char *port;
	int baud;
	enum cg_link_state link;
	const char *link_detail; /* e.g. the last error; may be NULL */
	double frames_per_s;
	bool paused;
	bool zoom;
	bool help;
	uint64_t now_ms;

	/* Field troubleshooting. Any pointer may be NULL: not shown. */
	const char *diagnosis;  /* the link doctor's plain words, or NULL */
	const struct cg_alarms *alarms;
	const struct cg_events *events;
	const struct cg_inspect *inspect;
	const struct cg_replay_view *replay;
	uint64_t worst_delta_wall_ms;     /* wall time of the worst delta */
	bool show_events;       /* key e: the event list instead of the cells */
	bool show_inspector;    /* key i: the inspector instead of the cells */
};

struct cg_tui_options {
	bool ascii;    /* force ASCII bars */
	bool no_color; /* --no-color; NO_COLOR is read by cg_tui_start */
};

enum cg_key_action {
	CG_KEY_NONE,
	CG_KEY_QUIT,
	CG_KEY_HELP,
	CG_KEY_PAUSE,
	CG_KEY_RESET,
	CG_KEY_ZOOM,
	CG_KEY_RESIZE,
	CG_KEY_EVENTS,    /* e */
	CG_KEY_INSPECTOR, /* i */
	CG_KEY_FASTER,    /* + or > (replay) */
	CG_KEY_SLOWER,    /* - or < (replay) */
	CG_KEY_LINE_UP,   /* arrows, page keys, Home and End: scroll the */
	CG_KEY_LINE_DOWN, /* inspector when it is longer than the screen */
	CG_KEY_PAGE_UP,
	CG_KEY_PAGE_DOWN,
	CG_KEY_TOP,
	CG_KEY_BOTTOM,
};

/* Takes over the terminal. Uses /dev/tty when stdin is not a terminal (PORT
 * "-"). Returns the fd to poll for keys, or -1 with err filled
 * (EX_UNAVAILABLE: no terminal, or one that cannot draw the table). */
int cg_tui_start(const struct cg_tui_options *options, struct cg_error *err);

/* Draws the view; only what changed reaches the terminal. */
void cg_tui_draw(const struct cg_view *view);

/* Reads one pending key (call when the key fd is readable). */
enum cg_key_action cg_tui_key(void);

/* Scrolls the inspector by one of the CG_KEY_LINE_UP .. CG_KEY_BOTTOM
 * actions, within what the last draw showed; CG_KEY_TOP also on opening
 * it. Redraw afterwards. */
void cg_tui_scroll(enum cg_key_action action);

/* Rings the terminal's bell (or flashes it): once per new alarm. */
void cg_tui_bell(void);

/* Gives the terminal back as it was. Safe to call twice. */
void cg_tui_stop(void);

#endif
