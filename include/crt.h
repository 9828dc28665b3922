/*
 * crt: the one terminal this process draws on (as htop's CRT.c).
 *
 * It alone talks to ncurses: it starts and stops the terminal (/dev/tty
 * when stdin or stdout is not one), reads keys and maps them to actions,
 * holds the colour roles and the glyph choice (UTF-8 or ASCII), follows
 * resizes, rings the bell, and draws clipped text. Screens draw through
 * cg_crt_put() and never include curses.h.
 *
 * Text given to cg_crt_put() must be wide characters of one column each,
 * so clipping to the width is a matter of counting characters.
 */
#ifndef CG_CRT_H
#define CG_CRT_H

#include <limits.h>
#include <stdbool.h>
#include <wchar.h>

#include "error.h"

/* Attributes, combined with |; crt maps them to the terminal's. */
typedef unsigned cg_attr;
#define CG_A_NORMAL 0u
#define CG_A_BOLD 1u
#define CG_A_DIM 2u
#define CG_A_REVERSE 4u
#define CG_A_UNDERLINE 8u

/* Colour roles; shown as colour only when the terminal has it and neither
 * NO_COLOR nor --no-color says otherwise. Never the only cue. */
enum cg_role {
	CG_ROLE_NONE,
	CG_ROLE_HIGH,  /* the high cell */
	CG_ROLE_LOW,   /* the low cell */
	CG_ROLE_BAR,   /* an ordinary bar */
	CG_ROLE_WARN,  /* stale data, open leads, the link doctor */
	CG_ROLE_ALERT, /* an alarm or an active protection */
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
	CG_KEY_BACK,      /* Esc: close help or the screen shown */
	CG_KEY_HISTORY,   /* t */
	CG_KEY_LEFT,      /* arrows left and right: pan the history */
	CG_KEY_RIGHT,
	CG_KEY_WIDER,     /* [ : the history over a longer time */
	CG_KEY_NARROWER,  /* ] : over a shorter time */
	CG_KEY_OPEN,      /* Enter: open what is selected (a pack) */
	CG_KEY_PACK_1,    /* 1 to 9: open that pack; CG_KEY_PACK_1 + k */
	CG_KEY_PACK_9 = CG_KEY_PACK_1 + 8,
};

/* Takes over the terminal. Returns the fd to poll for keys, or -1 with err
 * filled (EX_UNAVAILABLE: no terminal, or one that cannot draw). */
int cg_crt_start(bool ascii, bool no_color, struct cg_error *err);

/* Gives the terminal back as it was. Safe to call twice. */
void cg_crt_stop(void);

bool cg_crt_active(void);

/* The terminal's size, as of the last cg_crt_begin(). */
int cg_crt_cols(void);
int cg_crt_lines(void);

/* True when non-ASCII glyphs may be drawn (a UTF-8 locale, no --ascii). */
bool cg_crt_utf8(void);

/* utf8 in a UTF-8 locale, else its ASCII stand-in. */
const wchar_t *cg_crt_glyph(const wchar_t *utf8, const wchar_t *ascii);

/* Starts a frame: follows the terminal's size (even when the caller's poll
 * took the SIGWINCH) and clears. cg_crt_end() sends what changed. */
void cg_crt_begin(void);
void cg_crt_end(void);

/* Writes at most xend - x columns of s at line y; returns the column after
 * the text. Lines outside the clip window are not drawn (see below). */
int cg_crt_put(int y, int x, int xend, cg_attr attr, enum cg_role role,
	       const wchar_t *s);

/* count copies of c, clipped as cg_crt_put(). */
int cg_crt_put_repeat(int y, int x, int xend, cg_attr attr,
		      enum cg_role role, wchar_t c, int count);

/* Scrolled drawing: from now on cg_crt_put() draws line y at row
 * y - origin, and only rows top .. bottom - 1. cg_crt_unclip() undoes it. */
void cg_crt_clip(int origin, int top, int bottom);
void cg_crt_unclip(void);

/* Reads one pending key (call when the key fd is readable); keys that mean
 * nothing are skipped. CG_KEY_QUIT too when the terminal went away. */
enum cg_key_action cg_crt_key(void);

/* Rings the terminal's bell (or flashes it). */
void cg_crt_bell(void);

#endif
