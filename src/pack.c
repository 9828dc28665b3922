/*
 * pack: latest records plus the figures derived from them.
 *
 * The derived figures are recomputed from scratch on every update: with at
 * most 24 cells that costs nothing and leaves no incremental state to drift.
 */
#include "pack.h"

#include <string.h>

void cg_pack_init(struct cg_pack *pack, const struct cg_pack_config *config)
{
	memset(pack, 0, sizeof(*pack));
	if (config)
		pack->config = *config;
}

void cg_pack_reset_session(struct cg_pack *pack)
{
	memset(pack->session_min_mv, 0, sizeof(pack->session_min_mv));
	memset(pack->session_max_mv, 0, sizeof(pack->session_max_mv));
	pack->session_worst_delta_mv = 0;
	pack->session_worst_delta_at_ms = 0;
}

/* One past the highest channel that has read CG_WIRED_MIN_MV. */
static uint8_t highest_live(uint32_t live_seen_mask)
{
	uint8_t n = CG_MAX_CELLS;

	while (n > 0 && !(live_seen_mask & (UINT32_C(1) << (n - 1))))
		n--;
	return n;
}

static void find_wired(struct cg_pack *p)
{
	const struct cg_cells *c = &p->cells;
	uint8_t live = highest_live(p->live_seen_mask);

	if (p->config.cells) {
		p->wired = p->config.cells;
		p->wired_source = CG_WIRED_OPTION;
	} else if (p->impedance_wired && p->impedance_wired >= live) {
		/* A count below a channel that has read a cell voltage is
		 * contradicted by the cells themselves. */
		p->wired = p->impedance_wired;
		p->wired_source = CG_WIRED_IMPEDANCE;
	} else {
		/* Unwired channels read 0 or a few mV; cells are wired from
		 * channel 1 up, so the highest channel that has been live
		 * ends the pack, even once it reads nothing. */
		p->wired = live;
		p->wired_source = CG_WIRED_THRESHOLD;
	}
	if (p->wired > c->count)
		p->wired = c->count;
}

/* The figures are worked out in locals and stored once: stored through p
 * as they go, each uint16_t store could alias the pack's other fields,
 * which the compiler would then load again for every cell. */
static void derive_figures(struct cg_pack *p, uint64_t now_ms)
{
	const struct cg_cells *c = &p->cells;
	uint32_t live = p->live_seen_mask;

	for (unsigned i = 0; i < c->count; i++)
		if (c->mv[i] >= CG_WIRED_MIN_MV) {
			live |= UINT32_C(1) << i;
			p->last_live_mv[i] = c->mv[i];
		}
	p->live_seen_mask = live;
	find_wired(p);

	const unsigned wired = p->wired;
	uint32_t open = 0, high_mask = 0, low_mask = 0, total = 0;
	unsigned counted = 0, high_index = 0, low_index = 0;
	uint16_t high = 0, low = 0;

	for (unsigned i = 0; i < wired; i++) {
		uint16_t mv = c->mv[i];

		if (mv < CG_WIRED_MIN_MV) {
			open |= UINT32_C(1) << i;
			continue;
		}
		if (counted == 0 || mv > high) {
			high = mv;
			high_index = i;
		}
		if (counted == 0 || mv < low) {
			low = mv;
			low_index = i;
		}
		counted++;
		total += mv;

		if (p->session_min_mv[i] == 0 || mv < p->session_min_mv[i])
			p->session_min_mv[i] = mv;
		if (mv > p->session_max_mv[i])
			p->session_max_mv[i] = mv;
	}
	for (unsigned i = 0; counted && i < wired; i++) {
		if (open & (UINT32_C(1) << i))
			continue;
		if (c->mv[i] == high)
			high_mask |= UINT32_C(1) << i;
		if (c->mv[i] == low)
			low_mask |= UINT32_C(1) << i;
	}
	p->open_mask = open;
	p->high_mask = high_mask;
	p->low_mask = low_mask;
	p->counted = (uint8_t)counted;
	p->total_mv = total;
	p->high_index = (uint8_t)high_index;
	p->low_index = (uint8_t)low_index;
	p->average_mv = 0;
	p->delta_mv = 0;
	if (counted == 0)
		return;
	p->average_mv = (uint16_t)((total + counted / 2) / counted);
	p->delta_mv = (uint16_t)(high - low);
	if (p->delta_mv > p->session_worst_delta_mv) {
		p->session_worst_delta_mv = p->delta_mv;
		p->session_worst_delta_at_ms = now_ms;
	}
}

static void set_soc(struct cg_pack *p, enum cg_record_type from, uint8_t soc,
		    uint64_t now_ms)
{
	p->have_soc = true;
	p->soc_from = from;
	p->soc_pct = soc;
	p->soc_at_ms = now_ms;
}

void cg_pack_apply(struct cg_pack *pack, const struct cg_record *record,
		   uint64_t now_ms)
{
	switch (record->type) {
	case CG_REC_CELLS:
		pack->cells = record->u.cells;
		if (record->u.cells.has_soc &&
		    cg_decode_cells_soc_trusted(pack->have[CG_REC_STATUS]
							? &pack->status : NULL))
			set_soc(pack, CG_REC_CELLS, record->u.cells.soc_pct, now_ms);
		break;
	case CG_REC_STATUS:
		pack->status = record->u.status;
		if (record->u.status.has_soc)
			set_soc(pack, CG_REC_STATUS, record->u.status.soc_pct, now_ms);
		else if (pack->soc_from == CG_REC_CELLS &&
			 !cg_decode_cells_soc_trusted(&record->u.status))
			pack->have_soc = false; /* it was no SOC after all */
		break;
	case CG_REC_IMPEDANCE:
		/* One 0x58 could be a corrupted one that summed right: its
		 * count counts once the next one says the same. */
		if (pack->have[CG_REC_IMPEDANCE] &&
		    pack->impedance.count == record->u.impedance.count)
			pack->impedance_wired = record->u.impedance.count;
		pack->impedance = record->u.impedance;
		break;
	default:
		return;
	}
	pack->have[record->type] = true;
	pack->at_ms[record->type] = now_ms;
	pack->count[record->type]++;

	/* A 0x58 can change the wired count; figures are over cells. */
	if (pack->have[CG_REC_CELLS] && record->type != CG_REC_STATUS)
		derive_figures(pack, now_ms);
}

enum cg_freshness cg_pack_freshness(const struct cg_pack *pack,
				    enum cg_record_type type, uint64_t now_ms)
{
	uint64_t period;

	if (type >= CG_REC_TYPES || !pack->have[type])
		return CG_NEVER;
	switch (type) {
	case CG_REC_STATUS:
		period = CG_STATUS_PERIOD_MS;
		break;
	case CG_REC_CELLS:
		period = CG_CELLS_PERIOD_MS;
		break;
	default:
		return CG_FRESH; /* 0x58 comes only on a mode change */
	}
	/* now_ms may predate the frame if the caller read its clock first. */
	if (now_ms > pack->at_ms[type] &&
	    now_ms - pack->at_ms[type] > period * CG_STALE_PERIODS_X10 / 10)
		return CG_STALE;
	return CG_FRESH;
}

bool cg_pack_cell_counted(const struct cg_pack *pack, unsigned i)
{
	return pack->have[CG_REC_CELLS] && i < pack->wired &&
	       !(pack->open_mask & (UINT32_C(1) << i));
}

bool cg_pack_soc_fresh(const struct cg_pack *pack, uint64_t now_ms)
{
	uint64_t period = pack->soc_from == CG_REC_STATUS ? CG_STATUS_PERIOD_MS
							   : CG_CELLS_PERIOD_MS;

	return pack->have_soc &&
	       (now_ms <= pack->soc_at_ms ||
		now_ms - pack->soc_at_ms <= period * CG_STALE_PERIODS_X10 / 10);
}

unsigned cg_pack_cells_beyond_unit(const struct cg_pack *p)
{
	if (!p->config.cells || !p->have[CG_REC_CELLS] ||
	    p->config.cells <= p->cells.count)
		return 0;
	return p->cells.count;
}
