/*
 * e2e_mkrec: writes a recording (--record format) of the simulated BMS in
 * simulated time, for the end-to-end tests: GOOD seconds of frames as the
 * simulator sends them, then BAD seconds of the same traffic with one byte
 * of every frame flipped, so every frame after GOOD fails its checksum.
 * One block per second, stamped from 2026-01-01T00:00:00Z on.
 *
 *   e2e_mkrec FILE GOOD BAD [SEED]
 */
#include <stdio.h>
#include <stdlib.h>

#include "record.h"
#include "sim.h"

#define START_US 1767225600000000ull /* 2026-01-01T00:00:00Z */

/* Flips the first data byte of every frame ("$$", command, length, data). */
static void damage(uint8_t *data, size_t len)
{
	for (size_t i = 0; i + 4 < len; i++)
		if (data[i] == 0x24 && data[i + 1] == 0x24 && data[i + 2] >= 0x56 &&
		    data[i + 2] <= 0x58)
			data[i + 4] ^= 0x01;
}

int main(int argc, char **argv)
{
	struct cg_sim_config config;
	struct cg_sim sim;
	uint8_t data[4096], block[4096 + CG_REC_OVERHEAD];
	unsigned long good, bad;
	FILE *out;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: e2e_mkrec FILE GOOD BAD [SEED]\n");
		return 64;
	}
	good = strtoul(argv[2], NULL, 10);
	bad = strtoul(argv[3], NULL, 10);
	out = fopen(argv[1], "wb");
	if (!out) {
		perror(argv[1]);
		return 73;
	}
	fputs(CG_REC_MAGIC, out);
	cg_sim_default_config(&config);
	if (argc > 4)
		config.seed = (uint32_t)strtoul(argv[4], NULL, 10);
	cg_sim_init(&sim, &config, 0);
	for (unsigned long s = 1; s <= good + bad; s++) {
		size_t len = cg_sim_run(&sim, s * 1000, data, sizeof(data));
		if (len == 0)
			continue;
		if (s > good)
			damage(data, len);
		size_t n = cg_rec_encode_block(CG_REC_TAG_BYTES,
					       START_US + s * 1000000ull, data,
					       len, block, sizeof(block));
		if (n == 0 || fwrite(block, 1, n, out) != n) {
			perror(argv[1]);
			return 74;
		}
	}
	if (fclose(out) != 0) {
		perror(argv[1]);
		return 74;
	}
	return 0;
}
