/*
 * bench_framer: framer + decoder throughput on a realistic byte stream.
 *
 * The stream is what chargery-sim sends (16 cells, V1.26, the vendor junk
 * between frames) with, in addition, one frame in 200 hit by line noise (a
 * byte flipped), so the resync path is exercised as on a real cable.
 *
 *   bench_framer            times framer+decoder over 64 MiB, 4 KiB reads
 *                           (as chargery-top reads the port), median of 9
 *   bench_framer --once N   processes N MiB once, for callgrind: only
 *                           bench_process() is counted (--toggle-collect)
 *   bench_framer --headers N  the framer's worst case: N MiB of fake
 *                           "24 24 56 3D" headers (each one a plausible
 *                           61-byte 0x56 that never sums right), 5 runs;
 *                           the cost per byte must not grow with N
 *
 * Prints "key value" lines for tests/bench.sh to pick up.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decoder.h"
#include "framer.h"
#include "sim.h"

#define MIB (1024u * 1024u)
#define READ_CHUNK 4096 /* what chargery-top asks the port for */
#define TILE_MIB 4      /* unique stream, repeated to the full size */
#define RUNS 9
#define WORST_RUNS 5
#define NOISE_ONE_IN 200

struct totals {
	uint64_t frames;
	uint64_t decoded;
	uint64_t junk;
};

/* Fills buf with sim output, whole frames only, and returns its length. */
static size_t make_stream(uint8_t *buf, size_t cap)
{
	struct cg_sim_config config;
	struct cg_sim sim;
	uint8_t out[2048];
	uint64_t now = 0;
	uint32_t rng = 12345;
	size_t len = 0;

	cg_sim_default_config(&config);
	cg_sim_init(&sim, &config, now);
	for (;;) {
		now += 1000;
		size_t n = cg_sim_run(&sim, now, out, sizeof(out));
		if (len + n > cap)
			break;
		memcpy(buf + len, out, n);
		rng = rng * 1103515245u + 12345u;
		if (n > 8 && (rng >> 16) % NOISE_ONE_IN == 0)
			buf[len + n / 2] ^= 0x10; /* lands inside a frame */
		len += n;
	}
	return len;
}

/* The work measured: what consume() in chargery-top does up to the pack. */
__attribute__((noinline)) static void bench_process(const uint8_t *data,
						    size_t len,
						    struct totals *t)
{
	struct cg_framer framer;
	struct cg_frame frame;
	struct cg_record rec;

	cg_framer_init(&framer);
	while (len > 0) {
		size_t chunk = len < READ_CHUNK ? len : READ_CHUNK;
		const uint8_t *p = data;
		size_t left = chunk;

		while (cg_framer_next(&framer, &p, &left, &frame))
			t->decoded += cg_decode(&frame, &rec) == CG_DECODE_OK;
		data += chunk;
		len -= chunk;
	}
	t->frames = framer.stats.frames;
	t->junk = framer.stats.junk_bytes;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The fake-header stream, timed: median and fastest ns per byte. */
static int worst_case(size_t mib)
{
	static const uint8_t fake[] = { 0x24, 0x24, 0x56, 0x3D };
	size_t len = mib * MIB;
	uint8_t *stream = malloc(len);
	double secs[WORST_RUNS];
	struct totals t = { 0 };

	if (!stream) {
		fprintf(stderr, "bench_framer: out of memory for %zu MiB\n",
			mib);
		return 71;
	}
	for (size_t i = 0; i < len; i++)
		stream[i] = fake[i % sizeof(fake)];
	for (int i = 0; i < WORST_RUNS; i++) {
		memset(&t, 0, sizeof(t));
		double t0 = now_s();
		bench_process(stream, len, &t);
		secs[i] = now_s() - t0;
	}
	qsort(secs, WORST_RUNS, sizeof(secs[0]), cmp_double);
	printf("bytes %zu\nframes %llu\njunk_bytes %llu\n", len,
	       (unsigned long long)t.frames, (unsigned long long)t.junk);
	printf("ns_per_byte %.3f\nmin_ns_per_byte %.3f\n",
	       secs[WORST_RUNS / 2] * 1e9 / (double)len,
	       secs[0] * 1e9 / (double)len);
	free(stream);
	return 0;
}

int main(int argc, char **argv)
{
	size_t total_mib = 64;
	int once = argc == 3 && strcmp(argv[1], "--once") == 0;
	int headers = argc == 3 && strcmp(argv[1], "--headers") == 0;

	if (once || headers)
		total_mib = (size_t)atoi(argv[2]);
	if (total_mib == 0 || (argc > 1 && !once && !headers)) {
		fprintf(stderr,
			"usage: bench_framer [--once MIB | --headers MIB]\n");
		return 64;
	}
	if (headers)
		return worst_case(total_mib);

	size_t tile_cap = (total_mib < TILE_MIB ? total_mib : TILE_MIB) * MIB;
	uint8_t *stream = malloc(total_mib * MIB);
	if (!stream) {
		fprintf(stderr, "bench_framer: out of memory for %zu MiB\n",
			total_mib);
		return 71;
	}
	size_t tile = make_stream(stream, tile_cap);
	size_t len = tile;
	while (len + tile <= total_mib * MIB) {
		memcpy(stream + len, stream, tile);
		len += tile;
	}

	struct totals t = { 0 };
	if (once) {
		bench_process(stream, len, &t);
		printf("bytes %zu\nframes %llu\ndecoded %llu\njunk_bytes %llu\n",
		       len, (unsigned long long)t.frames,
		       (unsigned long long)t.decoded,
		       (unsigned long long)t.junk);
		free(stream);
		return 0;
	}

	double secs[RUNS];
	bench_process(stream, len, &t); /* warm the caches and the pages */
	for (int i = 0; i < RUNS; i++) {
		memset(&t, 0, sizeof(t));
		double t0 = now_s();
		bench_process(stream, len, &t);
		secs[i] = now_s() - t0;
	}
	qsort(secs, RUNS, sizeof(secs[0]), cmp_double);
	double median = secs[RUNS / 2];
	printf("bytes %zu\nframes %llu\ndecoded %llu\njunk_bytes %llu\n", len,
	       (unsigned long long)t.frames, (unsigned long long)t.decoded,
	       (unsigned long long)t.junk);
	printf("median_s %.6f\nmin_s %.6f\nmax_s %.6f\n", median, secs[0],
	       secs[RUNS - 1]);
	printf("gb_per_s %.3f\n", (double)len / median / 1e9);
	free(stream);
	return 0;
}
