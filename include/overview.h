/*
 * overview: the bank of several packs in numbers, and where it goes on
 * the screen, worked out before anything is drawn (screen_overview.c
 * draws it).
 *
 * The bank: the total current of the packs that report a fresh one, the
 * mean, and how it is shared: a pack carrying more than 20 % above the
 * mean (in the direction of the bank's current) is marked HIGH, more than
 * 20 % below LOW; under 1 A of mean current nothing is marked (idle
 * packs share nothing worth judging). The worst pack: one with an alarm
 * first, then the largest delta; its worst cell is whichever of its low
 * and high cell is farther from its average (the low on a tie). The
 * lowest cell of the whole bank.
 *
 * The layout: one line per pack with every column when the width allows,
 * else a block of two lines per pack (the cells' figures on the second)
 * while the height allows, else one line with columns left out, least
 * needed first, as the table's figures give way (layout.h). Packs that do
 * not fit in the height scroll (first_visible keeps the selected one in
 * view). The bank's lines under the packs give way before the packs do.
 *
 * Pure: no I/O, no allocation, no globals.
 */
#ifndef CG_OVERVIEW_H
#define CG_OVERVIEW_H

#include <stdbool.h>
#include <stdint.h>

#define CG_OV_MAX 9               /* packs at most (keys 1-9) */
#define CG_OV_SHARE_PCT 20        /* beyond +/- this of the mean: marked */
#define CG_OV_SHARE_MIN_DA 10     /* 1 A: below this mean, no marking */
#define CG_OV_BANK_LINES 3        /* the bank's lines under the packs */

/* One pack, in the numbers the bank needs. */
struct cg_ov_pack {
	bool cells;          /* fresh cell voltages */
	bool current;        /* a fresh current */
	bool alarm;          /* an alarm is active */
	int32_t current_da;  /* 0.1 A, negative discharging */
	uint16_t low_mv, high_mv, average_mv;
	uint8_t low_cell, high_cell; /* 1-based */
};

enum cg_ov_share {
	CG_OV_SHARE_NONE, /* no current, or the bank idle */
	CG_OV_SHARE_EVEN, /* within +/- 20 % of the mean */
	CG_OV_SHARE_HIGH, /* carries more than its share */
	CG_OV_SHARE_LOW,  /* carries less */
};

struct cg_ov_bank {
	int with_current;    /* packs with a fresh current */
	int32_t total_da;
	int32_t mean_da;
	enum cg_ov_share share[CG_OV_MAX];
	int share_pct[CG_OV_MAX]; /* of the total, when with_current > 1 */
	int worst;           /* the worst pack, -1 = none */
	bool worst_high;     /* its worst cell is its high cell */
	int lowest;          /* the pack with the bank's lowest cell, -1 */
};

/* Works out the bank of n packs (n <= CG_OV_MAX). */
void cg_ov_bank(const struct cg_ov_pack *packs, int n, struct cg_ov_bank *out);

/* The columns, in their order on a line. */
enum cg_ov_col {
	CG_OV_NUM,     /* 1-9, the key that opens it */
	CG_OV_LABEL,
	CG_OV_LINK,
	CG_OV_VOLTS,   /* pack voltage */
	CG_OV_CURRENT, /* signed */
	CG_OV_SHARE,   /* of the bank's current, marked */
	CG_OV_SOC,
	CG_OV_LOW,     /* lowest cell: number and voltage */
	CG_OV_HIGH,
	CG_OV_DELTA,
	CG_OV_TEMP,
	CG_OV_ALARM,
	CG_OV_AGE,     /* of the newest data */
	CG_OV_COLS,
};

/* Each column's width and header text. */
extern const int cg_ov_col_width[CG_OV_COLS];
extern const char *const cg_ov_col_title[CG_OV_COLS];

struct cg_ov_layout {
	int pack_lines;      /* 1, or 2 (a block per pack) */
	bool show[CG_OV_COLS];
	int line[CG_OV_COLS]; /* 0 or 1: which line of the block */
	int x[CG_OV_COLS];   /* column where it starts */
	int label_w;         /* the label's width (it shrinks first) */
	int visible;         /* packs that fit */
	int first_visible;   /* the first pack drawn (scrolling) */
	int bank_lines;      /* 0 .. CG_OV_BANK_LINES */
	int header_y;        /* the column titles' line; packs below it */
	int bank_y;          /* the bank's first line */
};

/* Lays out n packs in width x height (the status line not counted),
 * selected (0-based) in view. False when not even one pack's essential
 * columns fit. */
bool cg_ov_layout(int n, int selected, int width, int height,
		  struct cg_ov_layout *out);

#endif
