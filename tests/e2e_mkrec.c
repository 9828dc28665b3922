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

#include "mkrec.h"
#include "sim.h"

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
	uint8_t data[MKREC_DATA_MAX];
	unsigned long good, bad;
	struct mkrec rec;
	int rc;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: e2e_mkrec FILE GOOD BAD [SEED]\n");
		return 64;
	}
	good = strtoul(argv[2], NULL, 10);
	bad = strtoul(argv[3], NULL, 10);
	if ((rc = mkrec_open(&rec, argv[1])) != 0)
		return rc;
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
		if ((rc = mkrec_block(&rec, s, data, len)) != 0)
			return rc;
	}
	return mkrec_close(&rec);
}
