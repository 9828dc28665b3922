/*
 * What the recording tests share: a session of simulated BMS bytes cut
 * into read()-like chunks (make_session), recording chunks of it through
 * the real recorder, replaying a file and checking each chunk against the
 * session, and the block offsets of a recording image.
 * Used by tests/test_recfile.c, tests/test_record.c and tests/test_replay.c.
 */
#ifndef CG_TEST_RECORD_FIXTURE_H
#define CG_TEST_RECORD_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "decoder.h"
#include "framer.h"
#include "record.h"
#include "sim.h"
#include "recfiles.h"

#define SESSION_MAX 65536
#define CHUNKS_MAX 2048
#define FRAMES_MAX 1024
#define BASE_US 1764000000000000ULL /* Nov 2025, a plausible wall time */

struct session {
	uint8_t bytes[SESSION_MAX];
	size_t len;
	size_t chunk_end[CHUNKS_MAX]; /* offset just after each chunk */
	uint64_t chunk_us[CHUNKS_MAX];
	size_t chunks;
};

struct frames {
	struct cg_frame frame[FRAMES_MAX];
	size_t count;
};

/* Seconds of simulated BMS, cut into read()-like chunks that also split
 * frames, as a serial port does. */
static inline void make_session(struct session *s, unsigned seconds,
				uint32_t seed)
{
	struct cg_sim_config config;
	struct cg_sim sim;
	uint8_t buf[512];
	uint32_t rng = seed;

	memset(s, 0, sizeof(*s));
	cg_sim_default_config(&config);
	config.seed = seed;
	cg_sim_init(&sim, &config, 0);
	for (uint64_t t = 250; t <= seconds * 1000ULL; t += 250) {
		size_t n = cg_sim_run(&sim, t, buf, sizeof(buf));
		size_t done = 0;

		while (done < n) {
			rng = rng * 1103515245u + 12345u;
			size_t part = 1 + (rng >> 16) % 40;
			if (part > n - done)
				part = n - done;
			assert_true(s->len + part <= SESSION_MAX);
			assert_true(s->chunks < CHUNKS_MAX);
			memcpy(s->bytes + s->len, buf + done, part);
			s->len += part;
			done += part;
			s->chunk_end[s->chunks] = s->len;
			s->chunk_us[s->chunks] = BASE_US + t * 1000 +
						 s->chunks % 7;
			s->chunks++;
		}
	}
	assert_true(s->chunks > 10);
}

static inline size_t chunk_start(const struct session *s, size_t i)
{
	return i ? s->chunk_end[i - 1] : 0;
}

static inline void frames_feed(struct cg_framer *framer, struct frames *out,
			       const uint8_t *data, size_t len)
{
	struct cg_frame frame;

	while (cg_framer_next(framer, &data, &len, &frame)) {
		assert_true(out->count < FRAMES_MAX);
		out->frame[out->count++] = frame;
	}
}

/* Records chunks [from, to) of the session into path (appending). */
static inline void record_chunks(const char *path, const struct session *s,
				 size_t from, size_t to)
{
	struct cg_recorder rec;
	struct cg_error err;

	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), 0);
	for (size_t i = from; i < to; i++) {
		size_t start = chunk_start(s, i);
		uint64_t now_ms = (s->chunk_us[i] - BASE_US) / 1000;

		assert_int_equal(cg_recorder_write(&rec, s->bytes + start,
						   s->chunk_end[i] - start,
						   s->chunk_us[i], now_ms, &err),
				 0);
	}
	assert_int_equal(cg_recorder_close(&rec, &err), 0);
}

/* The number of chunks a replay of path hands out, checking each against
 * the session chunk of the same index. */
static inline size_t replay_count(const char *path, const struct session *s,
				  struct cg_replay *replay)
{
	struct cg_replay_chunk chunk;
	struct cg_error err;
	size_t n = 0;

	assert_int_equal(cg_replay_open(replay, path, &err), 0);
	assert_int_equal(replay->kind, CG_REPLAY_RECORDING);
	while (cg_replay_next(replay, &chunk) == 1) {
		size_t start = chunk_start(s, n);

		assert_true(n < s->chunks);
		assert_int_equal(chunk.len, s->chunk_end[n] - start);
		assert_memory_equal(chunk.data, s->bytes + start, chunk.len);
		assert_true(chunk.time_us == s->chunk_us[n]);
		assert_false(chunk.synthetic_time);
		n++;
	}
	assert_int_equal(cg_replay_next(replay, &chunk), 0);
	return n;
}

/* Offset of each block in a recording image; returns the count. */
static inline size_t block_offsets(const uint8_t *file, size_t size,
				   size_t *out, size_t cap)
{
	struct cg_rec_block block;
	size_t pos = CG_REC_MAGIC_LEN, n = 0;

	while (pos < size &&
	       cg_rec_decode_block(file + pos, size - pos, &block) ==
		       CG_REC_BLOCK_OK) {
		assert_true(n < cap);
		out[n++] = pos;
		pos += block.size;
	}
	assert_int_equal(pos, size);
	return n;
}

#endif
