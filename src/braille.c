/*
 * braille: 2 x 4 dots per character cell (see braille.h).
 */
#include "braille.h"

#include <string.h>

/* The bit of the dot at (column dx, row dy) inside a cell: dots 1-2-3-7
 * down the left, 4-5-6-8 down the right. */
static const uint8_t dot_bit[2][4] = {
	{ 0x01, 0x02, 0x04, 0x40 },
	{ 0x08, 0x10, 0x20, 0x80 },
};

void cg_braille_init(struct cg_braille *c, unsigned w, unsigned h)
{
	memset(c, 0, sizeof(*c));
	c->w = w < CG_BRAILLE_MAX_W ? w : CG_BRAILLE_MAX_W;
	c->h = h < CG_BRAILLE_MAX_H ? h : CG_BRAILLE_MAX_H;
}

void cg_braille_dot(struct cg_braille *c, unsigned x, unsigned y)
{
	if (x >= 2 * c->w || y >= 4 * c->h)
		return;
	c->bits[y / 4][x / 2] |= dot_bit[x % 2][y % 4];
}

void cg_braille_vline(struct cg_braille *c, unsigned x, unsigned y0,
		      unsigned y1)
{
	if (y0 > y1) {
		unsigned t = y0;
		y0 = y1;
		y1 = t;
	}
	for (unsigned y = y0; y <= y1 && y < 4 * c->h; y++)
		cg_braille_dot(c, x, y);
}

unsigned cg_braille_row(const struct cg_braille *c, int32_t v, int32_t lo,
			int32_t hi)
{
	unsigned rows = 4 * c->h;

	if (!rows)
		return 0;
	if (hi <= lo || v >= hi)
		return 0;
	if (v <= lo)
		return rows - 1;
	/* Round to the nearest row: top row is hi, bottom row is lo. */
	int64_t span = (int64_t)hi - lo;
	int64_t r = (((int64_t)hi - v) * (rows - 1) * 2 + span) / (2 * span);
	return (unsigned)r;
}

void cg_braille_columns(struct cg_braille *c,
			const struct cg_hist_column *cols, size_t n,
			int32_t lo, int32_t hi)
{
	for (size_t i = 0; i < n && i < 2 * c->w; i++)
		if (cols[i].have)
			cg_braille_vline(c, (unsigned)i,
					 cg_braille_row(c, cols[i].max, lo, hi),
					 cg_braille_row(c, cols[i].min, lo, hi));
}

static uint8_t bits_at(const struct cg_braille *c, unsigned cx, unsigned cy)
{
	return cx < c->w && cy < c->h ? c->bits[cy][cx] : 0;
}

uint32_t cg_braille_codepoint(const struct cg_braille *c, unsigned cx,
			      unsigned cy)
{
	return CG_BRAILLE_BASE + bits_at(c, cx, cy);
}

char cg_braille_ascii(const struct cg_braille *c, unsigned cx, unsigned cy)
{
	uint8_t b = bits_at(c, cx, cy);
	unsigned rows = 0;

	for (unsigned dy = 0; dy < 4; dy++)
		if (b & (dot_bit[0][dy] | dot_bit[1][dy]))
			rows |= 1u << dy;
	if (!rows)
		return ' ';
	if (rows == 0xF)
		return '|';
	if (!(rows & 0x3))
		return '.';
	if (!(rows & 0xC))
		return '\'';
	return ':';
}

size_t cg_braille_text(const struct cg_braille *c, unsigned cy, bool ascii,
		       char *out, size_t cap)
{
	size_t need = (size_t)c->w * (ascii ? 1 : 3) + 1, n = 0;

	if (cap < need) {
		if (cap)
			out[0] = '\0';
		return 0;
	}
	for (unsigned cx = 0; cx < c->w; cx++) {
		if (ascii) {
			out[n++] = cg_braille_ascii(c, cx, cy);
			continue;
		}
		/* U+2800..U+28FF in UTF-8: E2, A0 + (bits >> 6), 80 + low 6. */
		uint8_t b = bits_at(c, cx, cy);
		out[n++] = (char)0xE2;
		out[n++] = (char)(0xA0 | b >> 6);
		out[n++] = (char)(0x80 | (b & 0x3F));
	}
	out[n] = '\0';
	return n;
}
