/*
 * json: one line per record. Decimal places are fixed by the unit the BMS
 * sends (0.1 A, 0.1 degC, 0.001 Wh), and printed from integers, so a value
 * never gains digits it does not have nor turns into "-0.0".
 */
#include "json.h"

#include "strbuf.h"

static void put_cells(struct cg_strbuf *o, const struct cg_cells *c)
{
	cg_strbuf_printf(o, "\"frame\":\"cells\",\"cells_mv\":[");
	for (unsigned i = 0; i < c->count; i++)
		cg_strbuf_printf(o, "%s%u", i ? "," : "", c->mv[i]);
	cg_strbuf_printf(o, "],\"wh\":");
	if (c->has_energy)
		cg_strbuf_thousandths(o, c->energy_mwh);
	else
		cg_strbuf_printf(o, "null");
	cg_strbuf_printf(o, ",\"ah\":");
	if (c->has_energy)
		cg_strbuf_thousandths(o, c->charge_mah);
	else
		cg_strbuf_printf(o, "null");
}

static const char *json_bool(bool value)
{
	return value ? "true" : "false";
}

static void put_status(struct cg_strbuf *o, const struct cg_status *s)
{
	cg_strbuf_printf(o, "\"frame\":\"status\",\"charge_end_mv\":%u,", s->charge_end_mv);
	if (s->has_protection)
		cg_strbuf_printf(o, "\"discharge_end_mv\":%u,", s->discharge_end_mv);
	else
		cg_strbuf_printf(o, "\"discharge_end_mv\":null,");
	cg_strbuf_printf(o, "\"mode\":\"%s\",\"current_a\":", cg_mode_name(s->mode));
	cg_strbuf_tenths(o, s->current_da);
	cg_strbuf_printf(o, ",\"t1_c\":");
	cg_strbuf_tenths(o, s->t1_dc);
	cg_strbuf_printf(o, ",\"t2_c\":");
	cg_strbuf_tenths(o, s->t2_dc);
	cg_strbuf_printf(o, ",\"soc_pct\":%u,", s->soc_pct);
	if (s->has_protection)
		cg_strbuf_printf(o, "\"charge_protect\":%s,\"discharge_protect\":%s",
		    json_bool(s->charge_protect),
		    json_bool(s->discharge_protect));
	else
		cg_strbuf_printf(o, "\"charge_protect\":null,\"discharge_protect\":null");
}

static void put_impedance(struct cg_strbuf *o, const struct cg_impedance *imp)
{
	cg_strbuf_printf(o, "\"frame\":\"impedance\",\"mode\":\"%s\",\"current_a\":",
	    cg_mode_name(imp->mode));
	cg_strbuf_tenths(o, imp->current_da);
	cg_strbuf_printf(o, ",\"impedance_mohm\":[");
	for (unsigned i = 0; i < imp->count; i++) {
		cg_strbuf_printf(o, "%s", i ? "," : "");
		cg_strbuf_tenths(o, imp->impedance_dmohm[i]);
	}
	cg_strbuf_printf(o, "]");
}

size_t cg_json_format(char *out, size_t cap, const struct cg_record *record,
		      const char *iso_time)
{
	struct cg_strbuf o;

	cg_strbuf_init(&o, out, cap);

	cg_strbuf_printf(&o, "{\"time\":\"%s\",", iso_time);
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
	cg_strbuf_printf(&o, "}\n");
return cg_strbuf_finish(&o);
}
