/*
 * Writes the seed corpus for tests/fuzz_protocol.c into a directory: the
 * vendor frames from frames.h, alone and run together with junk, and a few
 * seconds of simulator output in each firmware layout and unit size. Built
 * and run by `make fuzz` (tests/fuzz.mk), so no binary file is kept in git.
 *
 * Every seed starts with the chunking byte fuzz_protocol.c expects: 0 (one
 * piece) or something else (small pieces).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "sim.h"

#define SEED_MAX 4096 /* the -max_len the fuzzer runs with */

static const char *dir;
static unsigned written;

static void write_seed(const char *name, uint8_t chunking,
		       const uint8_t *bytes, size_t len)
{
	char path[4096];
	FILE *f;

	if (len + 1 > SEED_MAX)
		len = SEED_MAX - 1;
	snprintf(path, sizeof(path), "%s/%s-%u", dir, name, chunking);
	f = fopen(path, "wb");
	if (!f || fputc(chunking, f) == EOF ||
	    fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "fuzz_seeds: cannot write %s: %s\n", path,
			strerror(errno));
		exit(73); /* EX_CANTCREAT */
	}
	written++;
}

static void write_both(const char *name, const uint8_t *bytes, size_t len)
{
	write_seed(name, 0, bytes, len);
	write_seed(name, 0x5a, bytes, len);
}

static void write_sim(const char *name, uint8_t slots, uint8_t cells,
		      enum cg_firmware firmware, uint64_t seconds)
{
	static uint8_t stream[SEED_MAX];
	struct cg_sim_config config;
	struct cg_sim sim;
	uint8_t step[512];
	size_t len = 0;

	cg_sim_default_config(&config);
	config.slots = slots;
	config.cells = cells;
	config.firmware = firmware;
	config.seed = 7;
	cg_sim_init(&sim, &config, 0);
	for (uint64_t ms = 1000; ms <= seconds * 1000; ms += 1000) {
		size_t n = cg_sim_run(&sim, ms, step, sizeof(step));

		if (len + n > sizeof(stream) - 1)
			break;
		memcpy(stream + len, step, n);
		len += n;
	}
	write_both(name, stream, len);
}

int main(int argc, char **argv)
{
	static const uint8_t junk[] = { 0x68, 0x3a, 0x3a, 0x33, 0x0d, 0x0a,
					0x24, 0x24, 0x24 };
	uint8_t all[1024];
	size_t len = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_seeds DIRECTORY\n");
		return 64; /* EX_USAGE */
	}
	dir = argv[1];

	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++) {
		const struct vendor_frame *v = &vendor_frames[i];

		write_both(v->name, v->bytes, v->len);
		memcpy(all + len, junk, sizeof(junk));
		len += sizeof(junk);
		memcpy(all + len, v->bytes, v->len);
		len += v->len;
		/* The same frame cut short, so the next one starts inside. */
		memcpy(all + len, v->bytes, v->len / 2);
		len += v->len / 2;
	}
	write_both("vendor_all", all, len);

	write_sim("sim16_v126", 16, 16, CG_FW_V126, 30);
	write_sim("sim16_old_12", 16, 12, CG_FW_OLD, 30);
	write_sim("sim8_v126", 8, 8, CG_FW_V126, 30);
	write_sim("sim24_old", 24, 20, CG_FW_OLD, 30);
	write_sim("sim24_v126", 24, 24, CG_FW_V126, 60);
	printf("fuzz_seeds: %u seeds in %s\n", written, dir);
	return 0;
}
