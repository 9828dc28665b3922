/*
 * overview: the bank of several packs in numbers, and its layout
 * (overview.h).
 */
#include "overview.h"

#include <stdlib.h>
#include <string.h>

/* One line per pack. */
const int cg_ov_col_width[CG_OV_COLS] = {
	[CG_OV_NUM] = 1,     [CG_OV_LABEL] = 12, [CG_OV_LINK] = 12,
	[CG_OV_VOLTS] = 8,   [CG_OV_CURRENT] = 8, [CG_OV_SHARE] = 5,
	[CG_OV_SOC] = 4,     [CG_OV_LOW] = 10,   [CG_OV_HIGH] = 10,
	[CG_OV_DELTA] = 6,   [CG_OV_TEMP] = 9,   [CG_OV_ALARM] = 5,
	[CG_OV_AGE] = 5,
};

const char *const cg_ov_col_title[CG_OV_COLS] = {
	[CG_OV_NUM] = "#",       [CG_OV_LABEL] = "pack",
	[CG_OV_LINK] = "link",   [CG_OV_VOLTS] = "volts",
	[CG_OV_CURRENT] = "current", [CG_OV_SHARE] = "share",
	[CG_OV_SOC] = "SOC",     [CG_OV_LOW] = "low cell",
	[CG_OV_HIGH] = "high",   [CG_OV_DELTA] = "delta",
	[CG_OV_TEMP] = "temp",   [CG_OV_ALARM] = "alarm",
	[CG_OV_AGE] = "age",
};

/* In a block of two lines the second holds the cells' figures, each
 * with its word ("low #5 3.293 V"): wider. */
static const int block_width[CG_OV_COLS] = {
	[CG_OV_LOW] = 16, [CG_OV_HIGH] = 17, [CG_OV_DELTA] = 13,
	[CG_OV_TEMP] = 11,
};
#define BLOCK_INDENT 2

/* Which columns give way first on one line, least needed first. */
static const enum cg_ov_col give_way[] = {
	CG_OV_TEMP, CG_OV_LINK, CG_OV_SHARE, CG_OV_AGE, CG_OV_HIGH,
	CG_OV_SOC, CG_OV_LABEL /* shrinks */, CG_OV_VOLTS, CG_OV_CURRENT,
};
#define LABEL_MIN 6

void cg_ov_bank(const struct cg_ov_pack *p, int n, struct cg_ov_bank *out)
{
	memset(out, 0, sizeof(*out));
	out->worst = out->lowest = -1;
	if (n > CG_OV_MAX)
		n = CG_OV_MAX;

	for (int i = 0; i < n; i++)
		if (p[i].current) {
			out->with_current++;
			out->total_da += p[i].current_da;
		}
	if (out->with_current)
		out->mean_da = out->total_da / out->with_current;

	int64_t total = out->total_da, k = out->with_current;
	int64_t mag = llabs(total), sign = total < 0 ? -1 : 1;
	bool judged = k > 1 && llabs(out->mean_da) >= CG_OV_SHARE_MIN_DA;
	for (int i = 0; i < n; i++) {
		if (!p[i].current || k < 2)
			continue;
		if (total)
			out->share_pct[i] = (int)((int64_t)p[i].current_da * 100 /
						  total);
		if (!judged)
			continue;
		/* (I - mean) / |mean|, in the bank's direction, times k. */
		int64_t dev = ((int64_t)p[i].current_da * k - total) * sign;
		out->share[i] = dev * 100 > mag * CG_OV_SHARE_PCT
				? CG_OV_SHARE_HIGH
				: dev * 100 < -mag * CG_OV_SHARE_PCT
				? CG_OV_SHARE_LOW : CG_OV_SHARE_EVEN;
	}

	for (int i = 0; i < n; i++) {
		if (!p[i].cells)
			continue;
		if (out->lowest < 0 || p[i].low_mv < p[out->lowest].low_mv)
			out->lowest = i;
		int w = out->worst;
		unsigned delta = (unsigned)(p[i].high_mv - p[i].low_mv);
		if (w < 0 || (p[i].alarm && !p[w].alarm) ||
		    (p[i].alarm == p[w].alarm &&
		     delta > (unsigned)(p[w].high_mv - p[w].low_mv)))
			out->worst = i;
	}
	if (out->worst >= 0) {
		const struct cg_ov_pack *w = &p[out->worst];
		out->worst_high = w->high_mv - w->average_mv >
				  w->average_mv - w->low_mv;
	}
}

/* Places the shown columns of line ln from x0; returns the width used. */
static int place(struct cg_ov_layout *o, int ln, int x0, const int *widths)
{
	int x = x0;

	for (int c = 0; c < CG_OV_COLS; c++) {
		if (!o->show[c] || o->line[c] != ln)
			continue;
		int w = c == CG_OV_LABEL ? o->label_w : widths[c];
		if (ln == 1 && block_width[c])
			w = block_width[c];
		if (x > x0)
			x++; /* one space between columns */
		o->x[c] = x;
		x += w;
	}
	return x;
}

static bool fits_one_line(struct cg_ov_layout *o, int width)
{
	for (int c = 0; c < CG_OV_COLS; c++)
		o->line[c] = 0;
	return place(o, 0, 0, cg_ov_col_width) <= width;
}

bool cg_ov_layout(int n, int selected, int width, int height,
		  struct cg_ov_layout *o)
{
	memset(o, 0, sizeof(*o));
	if (n < 1 || height < 2)
		return false;
	for (int c = 0; c < CG_OV_COLS; c++)
		o->show[c] = true;
	o->label_w = cg_ov_col_width[CG_OV_LABEL];
	o->pack_lines = 1;

	bool ok = fits_one_line(o, width);
	if (!ok && 1 + 2 * n + CG_OV_BANK_LINES <= height) {
		/* A block: the cells' figures on a second line. */
		const enum cg_ov_col second[] = { CG_OV_LOW, CG_OV_HIGH,
						  CG_OV_DELTA, CG_OV_TEMP };
		for (size_t i = 0; i < sizeof(second) / sizeof(second[0]); i++)
			o->line[second[i]] = 1;
		if (place(o, 0, 0, cg_ov_col_width) <= width &&
		    place(o, 1, BLOCK_INDENT, cg_ov_col_width) <= width) {
			o->pack_lines = 2;
			ok = true;
		}
	}
	for (size_t g = 0; !ok && g < sizeof(give_way) / sizeof(give_way[0]);
	     g++) {
		if (give_way[g] == CG_OV_LABEL)
			o->label_w = LABEL_MIN;
		else
			o->show[give_way[g]] = false;
		ok = fits_one_line(o, width);
	}
	if (!ok)
		return false;

	int pl = o->pack_lines;
	o->bank_lines = height - 1 - n * pl;
	if (o->bank_lines > CG_OV_BANK_LINES)
		o->bank_lines = CG_OV_BANK_LINES;
	if (o->bank_lines < 0)
		o->bank_lines = 0;
	o->visible = (height - 1 - o->bank_lines) / pl;
	if (o->visible > n)
		o->visible = n;
	if (o->visible < 1)
		return false;
	if (selected >= o->visible)
		o->first_visible = selected - o->visible + 1;
	if (o->first_visible > n - o->visible)
		o->first_visible = n - o->visible;
	o->header_y = 0;
	o->bank_y = 1 + o->visible * pl;
	return true;
}
