/*
 * Writing a recording (--record format) for the test and benchmark
 * programs that make one (tests/e2e_mkrec.c, tests/e2e_plotrec.c,
 * tests/bench_mkrec.c): the magic, then one 'B' block per call stamped
 * a whole number of seconds after 2026-01-01T00:00:00Z.
 *
 * Each call says what went wrong on stderr (perror with the file's name)
 * and returns the sysexits.h code for the program to exit with: 73 when
 * the file cannot be created, 74 when it cannot be written; 0 otherwise.
 */
#ifndef CG_TEST_MKREC_H
#define CG_TEST_MKREC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sysexits.h>

#include "record.h"

#define MKREC_START_US 1767225600000000ull /* 2026-01-01T00:00:00Z */
#define MKREC_DATA_MAX 4096 /* the most bytes one block holds here */

struct mkrec {
	const char *path;
	FILE *out;
};

static inline int mkrec_open(struct mkrec *m, const char *path)
{
	m->path = path;
	m->out = fopen(path, "wb");
	if (!m->out || fputs(CG_REC_MAGIC, m->out) == EOF) {
		perror(path);
		return EX_CANTCREAT;
	}
	return 0;
}

/* One block of len bytes (at most MKREC_DATA_MAX), stamped second s. */
static inline int mkrec_block(struct mkrec *m, unsigned long s,
			      const uint8_t *data, size_t len)
{
	uint8_t block[MKREC_DATA_MAX + CG_REC_OVERHEAD];
	size_t n = len > MKREC_DATA_MAX ? 0 :
		   cg_rec_encode_block(CG_REC_TAG_BYTES,
				       MKREC_START_US + s * 1000000ull, data,
				       len, block, sizeof(block));

	if (n == 0 || fwrite(block, 1, n, m->out) != n) {
		perror(m->path);
		return EX_IOERR;
	}
	return 0;
}

static inline int mkrec_close(struct mkrec *m)
{
	if (fclose(m->out) != 0) {
		perror(m->path);
		return EX_IOERR;
	}
	return 0;
}

#endif
