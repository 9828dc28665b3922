/*
 * json: one line per record. Decimal places are fixed by the unit the BMS
 * sends (0.1 A, 0.1 degC, 0.001 Wh), and printed from integers, so a value
 * never gains digits it does not have nor turns into "-0.0".
 */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct out {
	char *buf;
	size_t cap;
	size_t len;
	bool overflow;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->len < o->cap ? o->cap - o->len : 0;

	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		o->overflow = true;
		return;
	}
	o->len += (size_t)n;
}

/* A value in tenths, e.g. -12 -> "-1.2". */
static void put_tenths(struct out *o, long tenths)
{
	long mag = labs(tenths);

	put(o, "%s%ld.%ld", tenths < 0 ? "-" : "", mag / 10, mag % 10);
}

static void put_thousandths(struct out *o, unsigned long thousandths)
{
	put(o, "%lu.%03lu", thousandths / 1000, thousandths % 1000);
}

static void put_cells(struct out *o, const struct cg_cells *c)
{
	put(o, "\"frame\":\"cells\",\"cells_mv\":[");
	for (unsigned i = 0; i < c->count; i++)
		put(o, "%s%u", i ? "," : "", c->mv[i]);
	put(o, "],\"wh\":");
	if (c->has_energy)
		put_thousandths(o, c->energy_mwh);
	else
		put(o, "null");
	put(o, ",\"ah\":");
	if (c->has_energy)
		put_thousandths(o, c->charge_mah);
	else
		put(o, "null");
}

static const char *json_bool(bool value)
{
	return value ? "true" : "false";
}

static void put_status(struct out *o, const struct cg_status *s)
{
	put(o, "\"frame\":\"status\",\"charge_end_mv\":%u,", s->charge_end_mv);
	if (s->has_protection)
		put(o, "\"discharge_end_mv\":%u,", s->discharge_end_mv);
	else
		put(o, "\"discharge_end_mv\":null,");
	put(o, "\"mode\":\"%s\",\"current_a\":", cg_mode_name(s->mode));
	put_tenths(o, s->current_da);
	put(o, ",\"t1_c\":");
	put_tenths(o, s->t1_dc);
	put(o, ",\"t2_c\":");
	put_tenths(o, s->t2_dc);
	put(o, ",\"soc_pct\":%u,", s->soc_pct);
	if (s->has_protection)
		put(o, "\"charge_protect\":%s,\"discharge_protect\":%s",
		    json_bool(s->charge_protect),
		    json_bool(s->discharge_protect));
	else
		put(o, "\"charge_protect\":null,\"discharge_protect\":null");
}

static void put_impedance(struct out *o, const struct cg_impedance *imp)
{
	put(o, "\"frame\":\"impedance\",\"mode\":\"%s\",\"current_a\":",
	    cg_mode_name(imp->mode));
	put_tenths(o, imp->current_da);
	put(o, ",\"impedance_mohm\":[");
	for (unsigned i = 0; i < imp->count; i++) {
		put(o, "%s", i ? "," : "");
		put_tenths(o, imp->impedance_dmohm[i]);
	}
	put(o, "]");
}

size_t cg_json_format(char *out, size_t cap, const struct cg_record *record,
		      const char *iso_time)
{
	struct out o = { .buf = out, .cap = cap };

	put(&o, "{\"time\":\"%s\",", iso_time);
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
	put(&o, "}\n");
	if (o.overflow) {
		if (cap)
			out[0] = '\0';
		return 0;
	}
	return o.len;
}
