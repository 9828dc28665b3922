/*
 * The vendor's 16-cell pack and the CSV text it gives, shared by the CSV
 * row tests (test_csv.c) and the log file tests (test_csvlog.c).
 */
#ifndef CG_TEST_CSV_FIXTURE_H
#define CG_TEST_CSV_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "csv.h"
#include "frames.h"
#include "pack.h"

#define NOW 100000
#define ISO "2026-11-24T06:20:00.123Z"

#define HEADER16 \
	"time,pack_v,current_a,soc_pct,t1_c,t2_c,high_v,low_v,delta_mv," \
	"cell1_v,cell2_v,cell3_v,cell4_v,cell5_v,cell6_v,cell7_v,cell8_v," \
	"cell9_v,cell10_v,cell11_v,cell12_v,cell13_v,cell14_v,cell15_v," \
	"cell16_v\n"

/* Hand-checked from protocol.md: total 53294 mV, high cell 15 3.343 V,
 * low cell 14 3.323 V, delta 20 mV; the status is vendor_status_charge. */
#define CELLS16 \
	"3.325,3.332,3.332,3.330,3.331,3.332,3.334,3.329," \
	"3.336,3.330,3.333,3.326,3.334,3.323,3.343,3.324\n"
#define ROW16 ISO ",53.294,23.0,91,12.9,13.2,3.343,3.323,20," CELLS16

static inline void apply_cells(struct cg_pack *pack, const uint16_t *mv,
			unsigned n, uint64_t at)
{
	struct cg_record rec = { .type = CG_REC_CELLS };

	rec.u.cells.count = (uint8_t)n;
	memcpy(rec.u.cells.mv, mv, n * sizeof(mv[0]));
	rec.u.cells.has_energy = true;
	rec.u.cells.energy_mwh = 47578742;
	rec.u.cells.charge_mah = 922723;
	cg_pack_apply(pack, &rec, at);
}

static inline void apply_status(struct cg_pack *pack, bool charging, uint64_t at)
{
	struct cg_record rec = { .type = CG_REC_STATUS };
	struct cg_status *s = &rec.u.status;

	if (charging) { /* vendor_status_charge */
		s->charge_end_mv = 3620;
		s->mode = CG_MODE_CHARGE;
		s->current_da = 230;
		s->t1_dc = 129;
		s->t2_dc = 132;
		s->soc_pct = 91;
		s->has_soc = true;
		s->has_mode = true;
	} else { /* vendor_status_discharge */
		s->charge_end_mv = 4200;
		s->mode = CG_MODE_DISCHARGE;
		s->current_da = -12;
		s->t1_dc = -223;
		s->t2_dc = -223;
		s->soc_pct = 0;
		s->has_soc = true;
		s->has_mode = true;
	}
	cg_pack_apply(pack, &rec, at);
}

static inline void vendor_pack(struct cg_pack *pack, unsigned cells_option)
{
	struct cg_pack_config config = { .cells = (uint8_t)cells_option };

	cg_pack_init(pack, &config);
	apply_cells(pack, vendor_cells16_mv, 16, NOW);
	apply_status(pack, true, NOW);
}

#endif
