/*
 * bench_mkrec: writes a day-long recording (--record format) of the
 * simulated BMS, as chargery-top --record would have made it: one block per
 * second of data. The first block holds the first two seconds, so the very
 * first screen of a replay already has every figure and every cell.
 *
 *   bench_mkrec FILE [SECONDS]      (default 86400: a day, ~130,000 frames)
 */
#include <stdio.h>
#include <stdlib.h>

#include "mkrec.h"
#include "sim.h"

int main(int argc, char **argv)
{
	struct cg_sim_config config;
	struct cg_sim sim;
	uint8_t data[MKREC_DATA_MAX];
	size_t len = 0;
	unsigned long seconds = argc > 2 ? strtoul(argv[2], NULL, 10) : 86400;
	struct mkrec rec;
	int rc;

	if (argc < 2 || seconds < 2) {
		fprintf(stderr, "usage: bench_mkrec FILE [SECONDS]\n");
		return 64;
	}
	if ((rc = mkrec_open(&rec, argv[1])) != 0)
		return rc;
	cg_sim_default_config(&config);
	cg_sim_init(&sim, &config, 0);
	for (unsigned long s = 0; s <= seconds; s++) {
		len += cg_sim_run(&sim, s * 1000, data + len, sizeof(data) - len);
		if (s < 2 || len == 0)
			continue;
		if ((rc = mkrec_block(&rec, s, data, len)) != 0)
			return rc;
		len = 0;
	}
	return mkrec_close(&rec);
}
