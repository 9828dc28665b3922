/*
 * braille: a canvas of dots for pictures in a terminal. Each character
 * cell holds 2 x 4 dots and is drawn as one Unicode braille pattern
 * (U+2800 + the dots' bits), or, where the terminal has no UTF-8, as an
 * ASCII character that says roughly where its dots are:
 *   ' ' none, '.' bottom half only, '\'' top half only, ':' both halves,
 *   '|' a dot in every row (a full-height stroke).
 *
 * Dot coordinates: x from 0 at the left to 2 * width - 1, y from 0 at the
 * top to 4 * height - 1. Drawing outside the canvas is ignored.
 *
 * Min/max columns from the history (cg_hist_query, one per dot column)
 * become vertical strokes, so a spike is one dot column tall at least:
 * what the coming history screen draws.
 *
 * Pure: no I/O, no allocation, no globals.
 */
#ifndef CG_BRAILLE_H
#define CG_BRAILLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"

#define CG_BRAILLE_MAX_W 256 /* character cells */
#define CG_BRAILLE_MAX_H 64
#define CG_BRAILLE_BASE 0x2800u

struct cg_braille {
	unsigned w, h; /* character cells */
	uint8_t bits[CG_BRAILLE_MAX_H][CG_BRAILLE_MAX_W];
};

/* An empty canvas of w x h character cells (cut to the maxima). */
void cg_braille_init(struct cg_braille *c, unsigned w, unsigned h);

/* One dot. */
void cg_braille_dot(struct cg_braille *c, unsigned x, unsigned y);

/* The dots of column x from row y0 to y1, both included, either order. */
void cg_braille_vline(struct cg_braille *c, unsigned x, unsigned y0,
		      unsigned y1);

/* The dot row of value v on a scale from lo (bottom row) to hi (top
 * row); clamped to the canvas. */
unsigned cg_braille_row(const struct cg_braille *c, int32_t v, int32_t lo,
			int32_t hi);

/* Column i of cols (i < 2 * width) as a stroke from its min to its max,
 * on the scale lo..hi; columns without data stay empty. */
void cg_braille_columns(struct cg_braille *c,
			const struct cg_hist_column *cols, size_t n,
			int32_t lo, int32_t hi);

/* The code point of character cell (cx, cy): U+2800 to U+28FF. */
uint32_t cg_braille_codepoint(const struct cg_braille *c, unsigned cx,
			      unsigned cy);

/* The ASCII stand-in of character cell (cx, cy), as above. */
char cg_braille_ascii(const struct cg_braille *c, unsigned cx, unsigned cy);

/* Row cy as text, UTF-8 braille or ASCII, NUL-terminated. Returns the
 * bytes written, or 0 if cap is too small (3 bytes per cell in UTF-8,
 * 1 in ASCII, plus the NUL). */
size_t cg_braille_text(const struct cg_braille *c, unsigned cy, bool ascii,
		       char *out, size_t cap);

#endif
