/*
 * json: one line per record. Decimal places are fixed by the unit the BMS
 * sends (0.1 A, 0.1 degC, 0.001 Wh), and printed from integers, so a value
 * never gains digits it does not have nor turns into "-0.0". No printf:
 * --json on a capture formats hundreds of thousands of lines a second.
 */
#include "json.h"

#include "strbuf.h"

#define LIT(o, text) CG_STRBUF_LIT(o, text)

static void put_mode(struct cg_strbuf *o, enum cg_mode mode)
{
	LIT(o, "\"mode\":\"");
	cg_strbuf_str(o, cg_mode_name(mode));
	LIT(o, "\",");
}

static void put_bool(struct cg_strbuf *o, bool value)
{
	if (value)
		LIT(o, "true");
	else
		LIT(o, "false");
}

static void put_cells(struct cg_strbuf *o, const struct cg_cells *c)
{
	LIT(o, "\"frame\":\"cells\",\"cells_mv\":[");
	for (unsigned i = 0; i < c->count; i++) {
		if (i)
			LIT(o, ",");
		cg_strbuf_uint(o, c->mv[i]);
	}
	if (c->has_energy) {
		LIT(o, "],\"wh\":");
		cg_strbuf_thousandths(o, c->energy_mwh);
		LIT(o, ",\"ah\":");
		cg_strbuf_thousandths(o, c->charge_mah);
	} else {
		LIT(o, "],\"wh\":null,\"ah\":null");
	}
	LIT(o, ",\"soc_pct\":");
	if (c->has_soc)
		cg_strbuf_uint(o, c->soc_pct);
	else
		LIT(o, "null");
}

static void put_status(struct cg_strbuf *o, const struct cg_status *s)
{
	LIT(o, "\"frame\":\"status\",\"charge_end_mv\":");
	cg_strbuf_uint(o, s->charge_end_mv);
	if (s->has_protection) {
		LIT(o, ",\"discharge_end_mv\":");
		cg_strbuf_uint(o, s->discharge_end_mv);
		LIT(o, ",");
	} else {
		LIT(o, ",\"discharge_end_mv\":null,");
	}
	if (s->has_mode)
		put_mode(o, s->mode);
	else
		LIT(o, "\"mode\":null,");
	/* Without the mode (before V1.21) this is the magnitude. */
	LIT(o, "\"current_a\":");
	cg_strbuf_tenths(o, s->current_da);
	LIT(o, ",\"t1_c\":");
	cg_strbuf_tenths(o, s->t1_dc);
	LIT(o, ",\"t2_c\":");
	cg_strbuf_tenths(o, s->t2_dc);
	LIT(o, ",\"soc_pct\":");
	if (s->has_soc)
		cg_strbuf_uint(o, s->soc_pct);
	else
		LIT(o, "null");
	if (s->has_protection) {
		LIT(o, ",\"charge_protect\":");
		put_bool(o, s->charge_protect);
		LIT(o, ",\"discharge_protect\":");
		put_bool(o, s->discharge_protect);
	} else {
		LIT(o, ",\"charge_protect\":null,\"discharge_protect\":null");
	}
}

static void put_impedance(struct cg_strbuf *o, const struct cg_impedance *imp)
{
	LIT(o, "\"frame\":\"impedance\",");
	put_mode(o, imp->mode);
	LIT(o, "\"current_a\":");
	cg_strbuf_tenths(o, imp->current_da);
	LIT(o, ",\"impedance_mohm\":[");
	for (unsigned i = 0; i < imp->count; i++) {
		if (i)
			LIT(o, ",");
		cg_strbuf_tenths(o, imp->impedance_dmohm[i]);
	}
	LIT(o, "]");
}

size_t cg_json_format(char *out, size_t cap, const struct cg_record *record,
		      const char *iso_time)
{
	struct cg_strbuf o;

	cg_strbuf_init(&o, out, cap);
	LIT(&o, "{\"time\":\"");
	cg_strbuf_str(&o, iso_time);
	LIT(&o, "\",");
	switch (record->type) {
	case CG_REC_CELLS:
		put_cells(&o, &record->u.cells);
		break;
	case CG_REC_STATUS:
		put_status(&o, &record->u.status);
		break;
	default:
		put_impedance(&o, &record->u.impedance);
		break;
	}
	LIT(&o, "}\n");
	return cg_strbuf_finish(&o);
}
