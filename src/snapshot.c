/*
 * snapshot: the whole pack in one go. Numbers are printed from the
 * integers the BMS sent (see json.c for why), so a forum post and a
 * monitoring graph show exactly what the BMS reported.
 */
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "strbuf.h"

static bool have_figures(const struct cg_pack *p)
{
	return p->have[CG_REC_CELLS] && p->counted > 0;
}

static bool data_fresh(const struct cg_pack *p, uint64_t now_ms)
{
	return cg_pack_freshness(p, CG_REC_CELLS, now_ms) == CG_FRESH &&
	       cg_pack_freshness(p, CG_REC_STATUS, now_ms) == CG_FRESH;
}

static bool cell_in(uint32_t mask, unsigned i)
{
	return mask & (UINT32_C(1) << i);
}

size_t cg_snapshot_alarm_lines(const struct cg_pack *pack,
			       const struct cg_alarms *alarms,
			       char out[][CG_SNAPSHOT_ALARM_TEXT_MAX],
			       size_t cap)
{
	size_t n = 0;

	if (!alarms)
		return 0;
	for (unsigned i = 0; i < CG_MAX_CELLS && n < cap; i++) {
		struct cg_alarm_change c = {
			.cell = (int)i,
			.raised = true,
			.value_mv = pack->cells.mv[i],
		};
		if (cell_in(alarms->lost_mask, i)) {
			c.kind = CG_ALARM_LOST;
			c.limit_mv = pack->last_live_mv[i];
		} else if (cell_in(alarms->high_mask, i)) {
			c.kind = CG_ALARM_HIGH;
			c.limit_mv = alarms->high_mv;
		} else if (cell_in(alarms->low_mask, i)) {
			c.kind = CG_ALARM_LOW;
			c.limit_mv = alarms->low_mv;
			c.guessed = alarms->low_guessed;
		} else {
			continue;
		}
		cg_alarm_change_text(&c, out[n++], CG_SNAPSHOT_ALARM_TEXT_MAX);
	}
	if (alarms->delta && n < cap) {
		struct cg_alarm_change c = {
			.kind = CG_ALARM_DELTA,
			.cell = -1,
			.raised = true,
			.value_mv = pack->delta_mv,
			.limit_mv = alarms->delta_mv,
		};
		cg_alarm_change_text(&c, out[n++], CG_SNAPSHOT_ALARM_TEXT_MAX);
	}
	return n;
}

/* " #3 #10": every cell of a mask (ties), 1-based. */
static void put_cell_list(struct cg_strbuf *t, uint32_t mask)
{
	for (unsigned i = 0; i < CG_MAX_CELLS; i++)
		if (cell_in(mask, i))
			cg_strbuf_printf(t, " #%u", i + 1);
}

/* ",[3,10]" style JSON array of the cells of a mask, 1-based. */
static void json_cell_list(struct cg_strbuf *t, uint32_t mask)
{
	const char *sep = "";

	CG_STRBUF_LIT(t, "[");
	for (unsigned i = 0; i < CG_MAX_CELLS; i++)
		if (cell_in(mask, i)) {
			cg_strbuf_str(t, sep);
			cg_strbuf_uint(t, i + 1);
			sep = ",";
		}
	CG_STRBUF_LIT(t, "]");
}

/* "fresh", or what is missing or stale: "STALE: cells 6 s old, no status yet". */
static void put_freshness(struct cg_strbuf *t, const struct cg_pack *p,
			  uint64_t now_ms)
{
	static const char *const names[] = { "cells", "status" };
	static const enum cg_record_type types[] = { CG_REC_CELLS, CG_REC_STATUS };
	const char *sep = "";

	if (data_fresh(p, now_ms)) {
		cg_strbuf_printf(t, "fresh");
		return;
	}
	for (unsigned k = 0; k < 2; k++)
		if (cg_pack_freshness(p, types[k], now_ms) == CG_STALE) {
			cg_strbuf_printf(t, "STALE: ");
			break;
		}
	for (unsigned k = 0; k < 2; k++) {
		enum cg_freshness f = cg_pack_freshness(p, types[k], now_ms);

		if (f == CG_NEVER)
			cg_strbuf_printf(t, "%sno %s yet", sep, names[k]);
		else if (f == CG_STALE)
			cg_strbuf_printf(t, "%s%s %llu s old", sep, names[k],
			    (unsigned long long)((now_ms - p->at_ms[types[k]]) /
						 1000));
		else
			continue;
		sep = ", ";
	}
}

static void text_cells(struct cg_strbuf *t, const struct cg_pack *p,
		       const struct cg_alarms *a)
{
	for (unsigned i = 0; i < p->wired; i++) {
		uint16_t mv = p->cells.mv[i];

		cg_strbuf_printf(t, "cell %2u  ", i + 1);
		if (!cg_pack_cell_counted(p, i)) {
			cg_strbuf_printf(t, "%u.%03u V  ALARM sense lead or cell "
					 "lost", mv / 1000u, mv % 1000u);
			if (p->last_live_mv[i])
				cg_strbuf_printf(t, " (was %u.%03u V)",
						 p->last_live_mv[i] / 1000u,
						 p->last_live_mv[i] % 1000u);
			cg_strbuf_printf(t, "\n");
			continue;
		}
		int diff = (int)mv - (int)p->average_mv;
		char signed_diff[16];
		snprintf(signed_diff, sizeof(signed_diff), "%s%d",
			 diff > 0 ? "+" : "", diff);
		cg_strbuf_printf(t, "%u.%03u V %5s mV", mv / 1000u, mv % 1000u, signed_diff);
		if (a && cell_in(a->high_mask, i))
			cg_strbuf_printf(t, "  ALARM high");
		else if (a && cell_in(a->low_mask, i))
			cg_strbuf_printf(t, "  ALARM low");
		else if (cell_in(p->high_mask, i) && p->delta_mv)
			cg_strbuf_printf(t, "  high");
		else if (cell_in(p->low_mask, i) && p->delta_mv)
			cg_strbuf_printf(t, "  low");
		cg_strbuf_printf(t, "\n");
	}
}

size_t cg_snapshot_text(char *out, size_t cap, const struct cg_pack *pack,
			const struct cg_alarms *alarms, const char *iso_time,
			uint64_t now_ms)
{
	struct cg_strbuf t = { .buf = out, .cap = cap };
	const struct cg_pack *p = pack;
	const struct cg_status *s = &p->status;
	const struct cg_cells *c = &p->cells;
	const struct cg_alarms *a = alarms;
	char lines[2 * CG_MAX_CELLS + 1][CG_SNAPSHOT_ALARM_TEXT_MAX];

	cg_strbuf_printf(&t, "Chargery BMS at %s (", iso_time ? iso_time : "?");
	put_freshness(&t, p, now_ms);
	cg_strbuf_printf(&t, ")\n");

	if (have_figures(p)) {
		cg_strbuf_printf(&t, "Pack     ");
		cg_strbuf_thousandths(&t, p->total_mv);
		if (p->counted == p->wired)
			cg_strbuf_printf(&t, " V  %u cells, average ", p->counted);
		else
			cg_strbuf_printf(&t, " V  %u of %u cells (open lead), average ",
			    p->counted, p->wired);
		cg_strbuf_thousandths(&t, p->average_mv);
		cg_strbuf_printf(&t, " V\n");
		cg_strbuf_printf(&t, "High    ");
		put_cell_list(&t, p->high_mask);
		cg_strbuf_printf(&t, " ");
		cg_strbuf_thousandths(&t, c->mv[p->high_index]);
		cg_strbuf_printf(&t, " V\nLow     ");
		put_cell_list(&t, p->low_mask);
		cg_strbuf_printf(&t, " ");
		cg_strbuf_thousandths(&t, c->mv[p->low_index]);
		cg_strbuf_printf(&t, " V\n");
		cg_strbuf_printf(&t, "Delta    %u mV\n", p->delta_mv);
		if (cg_pack_cells_beyond_unit(p))
			cg_strbuf_printf(&t, "Note     --cells %u, but this unit "
					 "sends %u channels\n", p->config.cells,
					 cg_pack_cells_beyond_unit(p));
	} else {
		cg_strbuf_printf(&t, "Cells    unknown\n");
	}

	if (p->have[CG_REC_STATUS]) {
		cg_strbuf_printf(&t, "Current  ");
		cg_strbuf_tenths(&t, s->current_da);
		if (s->has_mode)
			cg_strbuf_printf(&t, " A %s, mode %s\n",
			    s->current_da > 0 ? "charging" :
			    s->current_da < 0 ? "discharging" : "idle",
			    cg_mode_name(s->mode));
		else
			cg_strbuf_printf(&t, " A, direction unknown (firmware "
					 "before V1.21 sends no mode)\n");
		if (p->have_soc)
			cg_strbuf_printf(&t, "SOC      %u %%\n", p->soc_pct);
		else
			cg_strbuf_printf(&t, "SOC      not sent (firmware "
					 "before V1.22)\n");
		cg_strbuf_printf(&t, "Temp     T1 ");
		cg_strbuf_tenths(&t, s->t1_dc);
		cg_strbuf_printf(&t, " C  T2 ");
		cg_strbuf_tenths(&t, s->t2_dc);
		cg_strbuf_printf(&t, " C\n");
		cg_strbuf_printf(&t, "Limits   charge end ");
		cg_strbuf_thousandths(&t, s->charge_end_mv);
		cg_strbuf_printf(&t, " V, discharge end ");
		if (s->has_protection) {
			cg_strbuf_thousandths(&t, s->discharge_end_mv);
			cg_strbuf_printf(&t, " V\n");
			cg_strbuf_printf(&t, "Protect  charge %s, discharge %s\n",
			    s->charge_protect ? "ACTIVE" : "released",
			    s->discharge_protect ? "ACTIVE" : "released");
		} else {
			cg_strbuf_printf(&t, "unknown\n");
		}
		if (a && a->low_mv && a->low_guessed) {
			cg_strbuf_printf(&t, "Alarm    low ");
			cg_strbuf_thousandths(&t, a->low_mv);
			cg_strbuf_printf(&t, " V (guessed from the chemistry)\n");
		}
	} else {
		cg_strbuf_printf(&t, "Status   unknown\n");
	}

	if (p->have[CG_REC_CELLS] && c->has_energy) {
		cg_strbuf_printf(&t, "Energy   ");
		cg_strbuf_thousandths(&t, c->energy_mwh);
		cg_strbuf_printf(&t, " Wh, ");
		cg_strbuf_thousandths(&t, c->charge_mah);
		cg_strbuf_printf(&t, " Ah\n");
	}

	if (p->have[CG_REC_CELLS])
		text_cells(&t, p, alarms);

	size_t n = cg_snapshot_alarm_lines(p, alarms, lines,
					   sizeof(lines) / sizeof(lines[0]));
	if (n == 0)
		cg_strbuf_printf(&t, "Alarms   none\n");
	for (size_t i = 0; i < n; i++)
		cg_strbuf_printf(&t, "ALARM    %s\n", lines[i]);
	return cg_strbuf_finish(&t);
}

#define LIT(o, text) CG_STRBUF_LIT(o, text)

static void json_bool(struct cg_strbuf *t, bool value)
{
	if (value)
		LIT(t, "true");
	else
		LIT(t, "false");
}

/* ,"key":value for an unsigned integer; key as a literal with quotes. */
#define JSON_UINT(t, key, value) do { \
		LIT(t, key ":"); \
		cg_strbuf_uint(t, value); \
	} while (0)

/* The JSON snapshot, printf-free like json.c (monitoring polls it often). */
size_t cg_snapshot_json(char *out, size_t cap, const struct cg_pack *pack,
			const struct cg_alarms *alarms, const char *iso_time,
			uint64_t now_ms)
{
	struct cg_strbuf t;
	const struct cg_pack *p = pack;
	const struct cg_status *s = &p->status;
	const struct cg_cells *c = &p->cells;
	bool status = p->have[CG_REC_STATUS];
	bool protection = status && s->has_protection;
	bool energy = p->have[CG_REC_CELLS] && c->has_energy;
	char lines[2 * CG_MAX_CELLS + 1][CG_SNAPSHOT_ALARM_TEXT_MAX];

	cg_strbuf_init(&t, out, cap);
	LIT(&t, "{\"time\":\"");
	if (iso_time)
		cg_strbuf_str(&t, iso_time);
	LIT(&t, "\",\"cells_mv\":[");
	for (unsigned i = 0; p->have[CG_REC_CELLS] && i < p->wired; i++) {
		if (i)
			LIT(&t, ",");
		if (cg_pack_cell_counted(p, i))
			cg_strbuf_uint(&t, c->mv[i]);
		else
			LIT(&t, "null");
	}
	LIT(&t, "],");
	if (have_figures(p)) {
		JSON_UINT(&t, "\"total_mv\"", p->total_mv);
		JSON_UINT(&t, ",\"average_mv\"", p->average_mv);
		JSON_UINT(&t, ",\"high_cell\"", p->high_index + 1u);
		JSON_UINT(&t, ",\"low_cell\"", p->low_index + 1u);
		LIT(&t, ",\"high_cells\":");
		json_cell_list(&t, p->high_mask);
		LIT(&t, ",\"low_cells\":");
		json_cell_list(&t, p->low_mask);
		JSON_UINT(&t, ",\"delta_mv\"", p->delta_mv);
		LIT(&t, ",");
	} else {
		LIT(&t, "\"total_mv\":null,\"average_mv\":null,"
		    "\"high_cell\":null,\"low_cell\":null,"
		    "\"high_cells\":[],\"low_cells\":[],\"delta_mv\":null,");
	}
	if (status) {
		if (s->has_mode) {
			LIT(&t, "\"mode\":\"");
			cg_strbuf_str(&t, cg_mode_name(s->mode));
			LIT(&t, "\",\"current_a\":");
		} else {
			LIT(&t, "\"mode\":null,\"current_a\":");
		}
		cg_strbuf_tenths(&t, s->current_da);
		if (p->have_soc)
			JSON_UINT(&t, ",\"soc_pct\"", p->soc_pct);
		else
			LIT(&t, ",\"soc_pct\":null");
		LIT(&t, ",\"t1_c\":");
		cg_strbuf_tenths(&t, s->t1_dc);
		LIT(&t, ",\"t2_c\":");
		cg_strbuf_tenths(&t, s->t2_dc);
		JSON_UINT(&t, ",\"charge_end_mv\"", s->charge_end_mv);
		LIT(&t, ",");
	} else {
		LIT(&t, "\"mode\":null,\"current_a\":null,\"soc_pct\":null,"
		    "\"t1_c\":null,\"t2_c\":null,\"charge_end_mv\":null,");
	}
	if (protection) {
		JSON_UINT(&t, "\"discharge_end_mv\"", s->discharge_end_mv);
		LIT(&t, ",\"charge_protect\":");
		json_bool(&t, s->charge_protect);
		LIT(&t, ",\"discharge_protect\":");
		json_bool(&t, s->discharge_protect);
		LIT(&t, ",");
	} else {
		LIT(&t, "\"discharge_end_mv\":null,\"charge_protect\":null,"
		    "\"discharge_protect\":null,");
	}
	if (energy) {
		LIT(&t, "\"wh\":");
		cg_strbuf_thousandths(&t, c->energy_mwh);
		LIT(&t, ",\"ah\":");
		cg_strbuf_thousandths(&t, c->charge_mah);
	} else {
		LIT(&t, "\"wh\":null,\"ah\":null");
	}
	LIT(&t, ",\"alarms\":[");
	size_t n = cg_snapshot_alarm_lines(p, alarms, lines,
					   sizeof(lines) / sizeof(lines[0]));
	/* Alarm texts hold only letters, digits, spaces, '.', ':' and '()'. */
	for (size_t i = 0; i < n; i++) {
		if (i)
			LIT(&t, ",");
		LIT(&t, "\"");
		cg_strbuf_str(&t, lines[i]);
		LIT(&t, "\"");
	}
	LIT(&t, "],\"fresh\":");
	json_bool(&t, data_fresh(p, now_ms));
	LIT(&t, "}\n");
	return cg_strbuf_finish(&t);
}

size_t cg_snapshot_csv(char *out, size_t cap, const struct cg_pack *pack,
		       const char *iso_time, uint64_t now_ms)
{
	unsigned columns = pack->have[CG_REC_CELLS] ? pack->wired : 0;
	size_t head = cg_csv_header(out, cap, columns);

	if (!head)
		return 0;
	size_t row = cg_csv_row(out + head, cap - head, pack, columns,
				iso_time, now_ms);
	if (!row) {
		out[0] = '\0';
		return 0;
	}
	return head + row;
}

enum cg_snapshot_status cg_snapshot_status(const struct cg_pack *pack,
					   const struct cg_alarms *alarms,
					   uint64_t now_ms)
{
	/* A cell past its limit matters more than a quiet status frame. */
	if (alarms && cg_alarms_any(alarms))
		return CG_SNAPSHOT_ALARM;
	if (!data_fresh(pack, now_ms) || pack->counted == 0)
		return CG_SNAPSHOT_NODATA;
	return CG_SNAPSHOT_OK;
}
