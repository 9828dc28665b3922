/*
 * csv: header and rows, formatted from integers with no printf: a replay
 * with --log writes one row per 0x56 frame, tens of thousands a second.
 *
 * Line ends are '\n' alone: LibreOffice and Excel both read them, and
 * every Unix tool (grep, awk, tail -f, gnuplot) handles them without the
 * stray '\r' a CRLF file leaves in the last column. No field ever needs
 * quoting: the time and numbers hold no comma, quote or newline.
 */
#include "csv.h"

#include <string.h>

#include "strbuf.h"

/* Fixed columns before the cells; their order is the file format. */
#define FIXED_COLUMNS \
	"time,pack_v,current_a,soc_pct,t1_c,t2_c,high_v,low_v,delta_mv"

/* The longest time column taken: an ISO-8601 stamp is 24 bytes. */
#define TIME_MAX 64

/* A row is written with one pointer and no check per field: it cannot be
 * longer than this (the time, 9 figures, a cell column each, '\n', NUL). */
#define ROW_MAX \
	(TIME_MAX + 9 * (1 + CG_DIGITS_MAX) + CG_MAX_CELLS * 7 + 2)
_Static_assert(ROW_MAX <= CG_CSV_LINE_MAX, "a row fits CG_CSV_LINE_MAX");

/* ",3.325": a cell, high or low (at most ",65.535") or the pack. */
static char *put_volts(char *p, unsigned long mv)
{
	*p = ',';
	return cg_digits_thousandths(p + 1, mv);
}

static char *put_tenths(char *p, long tenths)
{
	*p = ',';
	return cg_digits_tenths(p + 1, tenths);
}

static char *put_uint(char *p, unsigned long value)
{
	*p = ',';
	return cg_digits_uint(p + 1, value);
}

static char *put_empty(char *p, unsigned fields)
{
	memset(p, ',', fields);
	return p + fields;
}

static size_t finish(struct cg_strbuf *l)
{
	CG_STRBUF_LIT(l, "\n");
	return cg_strbuf_finish(l);
}

size_t cg_csv_header(char *out, size_t cap, unsigned cells)
{
	struct cg_strbuf l;

	cg_strbuf_init(&l, out, cap);
	CG_STRBUF_LIT(&l, FIXED_COLUMNS);
	for (unsigned i = 1; i <= cells; i++) {
		CG_STRBUF_LIT(&l, ",cell");
		cg_strbuf_uint(&l, i);
		CG_STRBUF_LIT(&l, "_v");
	}
	return finish(&l);
}

size_t cg_csv_row(char *out, size_t cap, const struct cg_pack *pack,
		  unsigned columns, const char *iso_time, uint64_t now_ms)
{
	char spare[ROW_MAX];
	bool cells = cg_pack_freshness(pack, CG_REC_CELLS, now_ms) == CG_FRESH;
	bool status = cg_pack_freshness(pack, CG_REC_STATUS, now_ms) == CG_FRESH;
	bool figures = cells && pack->counted > 0;
	const struct cg_status *s = &pack->status;
	const uint16_t *mv = pack->cells.mv;
	size_t time_len = iso_time ? strlen(iso_time) : 0;

	if (cap)
		out[0] = '\0';
	if (columns > CG_MAX_CELLS || time_len > TIME_MAX)
		return 0;
	/* Straight into out when any row fits, else beside it first. */
	char *row = cap >= ROW_MAX ? out : spare;
	char *p = row;

	memcpy(p, iso_time ? iso_time : "", time_len);
	p += time_len;
	p = figures ? put_volts(p, pack->total_mv) : put_empty(p, 1);
	/* a magnitude without mode on firmware before V1.21 */
	p = status ? put_tenths(p, s->current_da) : put_empty(p, 1);
	p = cg_pack_soc_fresh(pack, now_ms) ? put_uint(p, pack->soc_pct)
					    : put_empty(p, 1);
	if (status) {
		p = put_tenths(p, s->t1_dc);
		p = put_tenths(p, s->t2_dc);
	} else {
		p = put_empty(p, 2);
	}
	if (figures) {
		p = put_volts(p, mv[pack->high_index]);
		p = put_volts(p, mv[pack->low_index]);
		p = put_uint(p, pack->delta_mv);
	} else {
		p = put_empty(p, 3);
	}
	for (unsigned i = 0; i < columns; i++)
		/* A wired channel reading < 1 V (open_mask) shows it. */
		p = cells && i < pack->wired ? put_volts(p, mv[i])
					     : put_empty(p, 1);
	*p++ = '\n';

	size_t len = (size_t)(p - row);
	if (len >= cap)
		return 0;
	if (row != out)
		memcpy(out, row, len);
	out[len] = '\0';
	return len;
}
