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

#include "record.h"
#include "sim.h"

#define START_US 1767225600000000ull /* 2026-01-01T00:00:00Z */

int main(int argc, char **argv)
{
	struct cg_sim_config config;
	struct cg_sim sim;
	uint8_t data[4096], block[4096 + CG_REC_OVERHEAD];
	size_t len = 0;
	unsigned long seconds = argc > 2 ? strtoul(argv[2], NULL, 10) : 86400;
	FILE *out;

	if (argc < 2 || seconds < 2) {
		fprintf(stderr, "usage: bench_mkrec FILE [SECONDS]\n");
		return 64;
	}
	out = fopen(argv[1], "wb");
	if (!out) {
		perror(argv[1]);
		return 73;
	}
	fputs(CG_REC_MAGIC, out);
	cg_sim_default_config(&config);
	cg_sim_init(&sim, &config, 0);
	for (unsigned long s = 0; s <= seconds; s++) {
		len += cg_sim_run(&sim, s * 1000, data + len, sizeof(data) - len);
		if (s < 2 || len == 0)
			continue;
		size_t n = cg_rec_encode_block(CG_REC_TAG_BYTES,
					       START_US + s * 1000000ull, data,
					       len, block, sizeof(block));
		if (n == 0 || fwrite(block, 1, n, out) != n) {
			perror(argv[1]);
			return 74;
		}
		len = 0;
	}
	if (fclose(out) != 0) {
		perror(argv[1]);
		return 74;
	}
	return 0;
}
