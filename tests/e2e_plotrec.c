/*
 * e2e_plotrec: writes a recording (--record format) of a steady pack with
 * one known spike, for tests/e2e_plot.sh and the plot benchmark: 16 cells
 * at 3.300..3.315 V, a 0x57 status every second (charging 10.0 A, or
 * discharging in the second half), a 0x56 every two seconds, and at
 * SPIKE seconds one 0x56 in which cell 6 reads SPIKE_MV. One block per
 * second, stamped from 2026-01-01T00:00:00Z on.
 *
 *   e2e_plotrec FILE SECONDS SPIKE [SPIKE_MV]     (SPIKE_MV default 4200)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "mkrec.h"

int main(int argc, char **argv)
{
	uint8_t data[2 * CG_FRAME_MAX];
	struct cg_cells cells = { .count = 16, .has_energy = true,
				  .energy_mwh = 5000000, .charge_mah = 100000 };
	struct cg_status st = { .charge_end_mv = 3650, .mode = CG_MODE_CHARGE,
				.current_da = 100, .t1_dc = 201, .t2_dc = 215,
				.soc_pct = 50, .has_protection = true,
				.discharge_end_mv = 2800 };
	struct mkrec rec;
	int rc;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: e2e_plotrec FILE SECONDS SPIKE [SPIKE_MV]\n");
		return 64;
	}
	unsigned long seconds = strtoul(argv[2], NULL, 10);
	unsigned long spike = strtoul(argv[3], NULL, 10);
	unsigned long spike_mv = argc > 4 ? strtoul(argv[4], NULL, 10) : 4200;
	if ((rc = mkrec_open(&rec, argv[1])) != 0)
		return rc;
	for (unsigned long s = 0; s < seconds; s++) {
		size_t len = 0;
		bool discharging = s >= seconds / 2;
		st.mode = discharging ? CG_MODE_DISCHARGE : CG_MODE_CHARGE;
		st.current_da = discharging ? -150 : 100;
		st.soc_pct = (uint8_t)(discharging ? 80 - 60 * (s - seconds / 2) / seconds
						   : 50 + 60 * s / seconds);
		len += cg_encode_status(&st, CG_FW_V126, data + len);
		if (s % 2 == 0 || s == spike) {
			for (unsigned i = 0; i < 16; i++)
				cells.mv[i] = (uint16_t)(3300 + i);
			if (s == spike)
				cells.mv[5] = (uint16_t)spike_mv;
			len += cg_encode_cells(&cells, CG_FW_V126, data + len);
		}
		if ((rc = mkrec_block(&rec, s, data, len)) != 0)
			return rc;
	}
	return mkrec_close(&rec);
}
