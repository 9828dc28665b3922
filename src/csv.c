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

#include "strbuf.h"

/* Fixed columns before the cells; their order is the file format. */
#define FIXED_COLUMNS \
	"time,pack_v,current_a,soc_pct,t1_c,t2_c,high_v,low_v,delta_mv"

/* -12 -> ",-1.2": integer arithmetic, so never "-0.0" nor 0.30000001. */
static void add_tenths(struct cg_strbuf *l, long tenths)
{
	CG_STRBUF_LIT(l, ",");
	cg_strbuf_tenths(l, tenths);
}

static void add_volts(struct cg_strbuf *l, unsigned long mv)
{
	/* A cell, high or low: ",3.325", written in place (the bulk of
	 * every row, so no piece is built and copied). */
	if (mv < 10000 && !l->overflow && l->cap - l->len > 6) {
		char *p = l->buf + l->len;
		unsigned v = (unsigned)mv, d;

		d = v / 1000;
		v -= d * 1000;
		p[0] = ',';
		p[1] = (char)('0' + d);
		p[2] = '.';
		d = v / 100;
		v -= d * 100;
		p[3] = (char)('0' + d);
		d = v / 10;
		p[4] = (char)('0' + d);
		p[5] = (char)('0' + (v - d * 10));
		p[6] = '\0';
		l->len += 6;
		return;
	}
	CG_STRBUF_LIT(l, ",");
	cg_strbuf_thousandths(l, mv);
}

static void add_uint(struct cg_strbuf *l, unsigned long value)
{
	CG_STRBUF_LIT(l, ",");
	cg_strbuf_uint(l, value);
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
	struct cg_strbuf l;
	bool cells = cg_pack_freshness(pack, CG_REC_CELLS, now_ms) == CG_FRESH;
	bool status = cg_pack_freshness(pack, CG_REC_STATUS, now_ms) == CG_FRESH;
	bool figures = cells && pack->counted > 0;
	const struct cg_status *s = &pack->status;

	cg_strbuf_init(&l, out, cap);
	if (iso_time)
		cg_strbuf_str(&l, iso_time);
	if (figures)
		add_volts(&l, pack->total_mv);
	else
		CG_STRBUF_LIT(&l, ",");
	if (status)
		add_tenths(&l, s->current_da); /* a magnitude without mode */
	else
		CG_STRBUF_LIT(&l, ",");
	if (cg_pack_soc_fresh(pack, now_ms))
		add_uint(&l, pack->soc_pct);
	else
		CG_STRBUF_LIT(&l, ",");
	if (status) {
		add_tenths(&l, s->t1_dc);
		add_tenths(&l, s->t2_dc);
	} else {
		CG_STRBUF_LIT(&l, ",,");
	}
	if (figures) {
		add_volts(&l, pack->cells.mv[pack->high_index]);
		add_volts(&l, pack->cells.mv[pack->low_index]);
		add_uint(&l, pack->delta_mv);
	} else {
		CG_STRBUF_LIT(&l, ",,,");
	}
	for (unsigned i = 0; i < columns; i++) {
		/* A wired channel reading < 1 V (open_mask) shows it. */
		if (cells && i < pack->wired)
			add_volts(&l, pack->cells.mv[i]);
		else
			CG_STRBUF_LIT(&l, ",");
	}
	return finish(&l);
}
