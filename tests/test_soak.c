/*
 * Soak test: a day of simulated BMS traffic, played in a fraction of a
 * second, through a dirty line.
 *
 * The simulator's clean stream is framed once to list the genuine frames and
 * where each sits. A copy of it is then damaged: 0.1 % of its bytes flipped
 * at random, and bursts of random junk (rich in 0x24, some ending in a whole
 * header) pushed in between frames. The damaged copy goes through framer,
 * decoder and pack in reads of random sizes, and what comes out must be
 * exactly the genuine frames that arrived whole, in order, from where they
 * lie, byte for byte: none lost, none made up, none damaged let through.
 * The pack's figures are rechecked after every record.
 *
 * What an 8-bit sum cannot catch is kept out on purpose, since no reader
 * could: junk is put between frames, not inside one (a frame's head plus a
 * junk tail passes the checksum one time in 256, and Wh/Ah have no
 * plausibility bounds to fall back on), and a junk header whose following
 * bytes happen to sum right is spoilt (counted as "defused"). A single
 * flipped byte always changes the sum; two flips in one frame could cancel,
 * which the fixed seeds here do not produce.
 *
 * The damage is drawn from fixed seeds, so a failure repeats, and prints the
 * frames and bytes around it.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decoder.h"
#include "framer.h"
#include "frames.h"
#include "pack.h"
#include "sim.h"

#define CORRUPT_ONE_IN 1000 /* 0.1 % of bytes */
#define BURST_ONE_IN 20     /* a junk burst before one frame in 20 */
#define BURST_MAX 160
#define READ_MAX 1024       /* largest read the link hands on at once */

struct soak_config {
	const char *name;
	struct cg_sim_config sim;
	uint64_t seconds; /* simulated time */
	uint64_t seed;    /* of the damage and the read sizes */
};

struct genuine {
	size_t at;   /* offset in the clean stream */
	size_t dirty_at; /* and in the damaged one */
	uint8_t len;
	bool touched; /* a byte flipped or junk pushed in between its bytes */
};

struct soak {
	uint8_t *clean;
	size_t clean_len;
	uint8_t *dirty;
	size_t dirty_len, dirty_cap;
	struct genuine *frames;
	size_t frame_count;
	size_t touched;
	uint64_t flipped, bursts, burst_bytes, headers_defused;
	uint64_t rng;
};

static uint64_t next_random(uint64_t *state)
{
	/* splitmix64: well mixed, and fixed for every platform. */
	uint64_t z = (*state += 0x9E3779B97F4A7C15u);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

static unsigned random_below(uint64_t *state, unsigned n)
{
	return (unsigned)(next_random(state) % n);
}

/* The day from the simulator, stepped at uneven intervals as a real read
 * loop would call it. */
static void make_clean_stream(struct soak *s, const struct soak_config *cfg)
{
	struct cg_sim sim;
	uint64_t step_rng = cfg->seed ^ 0x5157;
	size_t cap = cfg->seconds * 80 + 4096; /* > 64 bytes a second */

	s->clean = malloc(cap);
	assert_non_null(s->clean);
	cg_sim_init(&sim, &cfg->sim, 0);
	for (uint64_t ms = 0; ms < cfg->seconds * 1000;) {
		ms += 1 + random_below(&step_rng, 1000);
		assert_true(s->clean_len + 512 <= cap);
		s->clean_len += cg_sim_run(&sim, ms, s->clean + s->clean_len,
					   512);
	}
}

/* Frames the clean stream: these are the genuine frames, all of which must
 * decode, in the numbers the simulated time calls for. */
static void list_genuine(struct soak *s, const struct soak_config *cfg)
{
	struct cg_framer framer;
	struct cg_frame frame;
	struct cg_record rec;
	const uint8_t *cursor = s->clean;
	size_t left = s->clean_len;
	size_t cap = s->clean_len / 15 + 1;
	uint64_t per_type[CG_REC_TYPES] = { 0 };

	s->frames = calloc(cap, sizeof(*s->frames));
	assert_non_null(s->frames);
	cg_framer_init(&framer);
	while (cg_framer_next(&framer, &cursor, &left, &frame)) {
		struct genuine *g = &s->frames[s->frame_count++];

		assert_true(s->frame_count <= cap);
		g->len = frame.len;
		g->at = (size_t)(cursor - s->clean) - frame.len;
		assert_memory_equal(s->clean + g->at, frame.bytes, frame.len);
		assert_int_equal(cg_decode(&frame, &rec), CG_DECODE_OK);
		per_type[rec.type]++;
	}
	assert_int_equal(framer.stats.bad_checksum, 0);
	/* 0x57 every second, 0x56 every two: none may be missing. */
	assert_in_range(per_type[CG_REC_STATUS], cfg->seconds - 2,
			cfg->seconds + 1);
	assert_in_range(per_type[CG_REC_CELLS], cfg->seconds / 2 - 2,
			cfg->seconds / 2 + 1);
	/* 0x58 at current reversals from V1.25 on, never before. */
	if (cg_firmware_layout(cfg->sim.firmware)->impedance)
		assert_true(per_type[CG_REC_IMPEDANCE] > 0);
	else
		assert_int_equal(per_type[CG_REC_IMPEDANCE], 0);
}

static void dirty_put(struct soak *s, uint8_t byte)
{
	assert_true(s->dirty_len < s->dirty_cap);
	s->dirty[s->dirty_len++] = byte;
}

static bool has_frame(const uint8_t *bytes, size_t len)
{
	struct cg_framer framer;
	struct cg_frame frame;

	cg_framer_init(&framer);
	return cg_framer_next(&framer, &bytes, &len, &frame);
}

/*
 * Random bytes, rich in 0x24 so the header hunt has work, and now and then
 * ending in a whole header with an allowed length: the framer then takes
 * the genuine bytes after it as that frame's body, and must give them back
 * when the checksum fails. Returns where such a header starts in dirty, or
 * SIZE_MAX.
 */
static size_t push_burst(struct soak *s)
{
	static const struct {
		uint8_t cmd, len;
	} headers[] = {
		{ CG_CMD_STATUS, 15 }, { CG_CMD_STATUS, 19 },
		{ CG_CMD_CELLS, 29 }, { CG_CMD_CELLS, 45 },
		{ CG_CMD_CELLS, 61 }, { CG_CMD_CELLS, 38 },
		{ CG_CMD_IMPEDANCE, 40 }, { CG_CMD_IMPEDANCE, 56 },
	};
	uint8_t burst[BURST_MAX];
	unsigned n;
	size_t header = SIZE_MAX;

	do {
		n = 1 + random_below(&s->rng, BURST_MAX);
		for (unsigned i = 0; i < n; i++) {
			unsigned r = random_below(&s->rng, 256 + 32);

			burst[i] = r >= 256 ? CG_HEADER_BYTE : (uint8_t)r;
		}
	} while (has_frame(burst, n)); /* by chance: not junk then */

	for (unsigned i = 0; i < n; i++)
		dirty_put(s, burst[i]);
	if (random_below(&s->rng, 4) == 0) {
		unsigned pick = random_below(&s->rng, sizeof(headers) /
						      sizeof(headers[0]));

		header = s->dirty_len;
		dirty_put(s, CG_HEADER_BYTE);
		dirty_put(s, CG_HEADER_BYTE);
		dirty_put(s, headers[pick].cmd);
		dirty_put(s, headers[pick].len);
		n += 4;
	}
	s->bursts++;
	s->burst_bytes += n;
	return header;
}

/*
 * A junk header followed by bytes whose sum happens to match would be a
 * frame made of junk: one in 256 of them pass the checksum. That is the
 * limit of the protocol, not something a framer can see, so such a header
 * is spoilt here (its command made unknown) to keep the junk junk.
 */
static void defuse_headers(struct soak *s, const size_t *headers,
			   size_t count)
{
	for (size_t i = 0; i < count; i++) {
		uint8_t *h = s->dirty + headers[i];
		uint8_t len = h[3];

		if (headers[i] + len <= s->dirty_len &&
		    cg_checksum(h, len - 1u) == h[len - 1]) {
			h[2] = 0x00;
			s->headers_defused++;
		}
	}
}

static void make_dirty_stream(struct soak *s, const struct soak_config *cfg)
{
	size_t next = 0; /* first genuine frame not yet passed */
	size_t *headers;
	size_t header_count = 0;

	s->rng = cfg->seed;
	s->dirty_cap = s->clean_len + s->clean_len / 15 / BURST_ONE_IN * 2 *
		       (BURST_MAX + 8) + 4096;
	s->dirty = malloc(s->dirty_cap);
	headers = malloc(s->clean_len / 15 / BURST_ONE_IN * 2 * sizeof(*headers) +
			 sizeof(*headers));
	assert_non_null(s->dirty);
	assert_non_null(headers);

	for (size_t i = 0; i < s->clean_len; i++) {
		struct genuine *g;
		uint8_t byte = s->clean[i];

		while (next < s->frame_count &&
		       s->frames[next].at + s->frames[next].len <= i)
			next++;
		g = next < s->frame_count ? &s->frames[next] : NULL;

		/* Junk comes between frames; damage inside them is the flips'
		 * job (see the top of the file). */
		if (g && i == g->at &&
		    random_below(&s->rng, BURST_ONE_IN) == 0) {
			size_t header = push_burst(s);

			if (header != SIZE_MAX) {
				assert_true(header_count <
					    s->clean_len / 15 / BURST_ONE_IN * 2);
				headers[header_count++] = header;
			}
		}
		if (random_below(&s->rng, CORRUPT_ONE_IN) == 0) {
			byte ^= (uint8_t)(1 + random_below(&s->rng, 255));
			s->flipped++;
		}
		dirty_put(s, byte);
		if (g && i == g->at + g->len - 1)
			g->dirty_at = s->dirty_len - g->len;
	}
	defuse_headers(s, headers, header_count);
	free(headers);

	/*
	 * Judged by the bytes rather than by where damage fell: junk pushed
	 * in after a frame's first 0x24 that itself ends in 0x24 leaves the
	 * frame whole, and whole it must come out.
	 */
	for (size_t i = 0; i < s->frame_count; i++) {
		struct genuine *g = &s->frames[i];

		g->touched = memcmp(s->dirty + g->dirty_at, s->clean + g->at,
				    g->len) != 0;
		s->touched += g->touched;
	}
}

/* pack.h's figures, recomputed the slow way after every record. */
static void check_pack(const struct cg_pack *p, uint8_t wired)
{
	uint32_t total = 0;
	uint16_t high = 0, low = UINT16_MAX;

	if (!p->have[CG_REC_CELLS])
		return;
	assert_int_equal(p->wired, wired);
	assert_int_equal(p->open_mask, 0);
	assert_int_equal(p->counted, wired);
	for (unsigned i = 0; i < wired; i++) {
		uint16_t mv = p->cells.mv[i];

		assert_true(cg_pack_cell_counted(p, i));
		assert_in_range(mv, CG_WIRED_MIN_MV, CG_CELL_MV_MAX);
		total += mv;
		high = mv > high ? mv : high;
		low = mv < low ? mv : low;
		assert_in_range(mv, p->session_min_mv[i], p->session_max_mv[i]);
	}
	assert_false(cg_pack_cell_counted(p, wired));
	assert_int_equal(p->total_mv, total);
	assert_int_equal(p->cells.mv[p->high_index], high);
	assert_int_equal(p->cells.mv[p->low_index], low);
	assert_int_equal(p->delta_mv, high - low);
	assert_in_range(p->average_mv, low, high);
	assert_true(p->session_worst_delta_mv >= p->delta_mv);
	if (p->have[CG_REC_STATUS])
		assert_true(p->status.soc_pct <= 100);
}

static void dump(const char *what, const uint8_t *bytes, size_t len)
{
	fprintf(stderr, "# %s:", what);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, " %02x", bytes[i]);
	fprintf(stderr, "\n");
}

/* The frames around the one due and the bytes around where it was due,
 * enough to tell a framer bug from the checksum's limit. */
static void describe_mismatch(const struct soak *s, size_t due,
			      const struct cg_frame *frame, size_t end)
{
	size_t from = end > frame->len + 80u ? end - frame->len - 80 : 0;

	fprintf(stderr, "# decoded a frame ending at damaged offset %zu:\n",
		end);
	dump("decoded", frame->bytes, frame->len);
	for (size_t i = due > 3 ? due - 3 : 0; i < s->frame_count &&
	     i < due + 4; i++)
		fprintf(stderr, "# %s genuine frame %zu: clean %zu, damaged "
			"%zu..%zu, %s\n", i == due ? "due" : "   ", i,
			s->frames[i].at, s->frames[i].dirty_at,
			s->frames[i].dirty_at + s->frames[i].len,
			s->frames[i].touched ? "damaged" : "whole");
	dump("damaged stream from 80 bytes before the decoded frame",
	     s->dirty + from, end - from);
}

/*
 * Finds which genuine frame a decoded one is, looking forward from the one
 * due. It is the next whole frame, taken from where that lies in the
 * damaged stream; or, before that, a damaged one that chance rebuilt (junk
 * that happens to hold the very byte it displaced). Consecutive 0x57 frames
 * are often identical, hence the positions: bytes alone would let a lost
 * frame pass for its twin. Returns the index, or SIZE_MAX if the frame is
 * none of them: made up, or a whole one was lost before it.
 */
static size_t match_genuine(const struct soak *s, size_t due,
			    const struct cg_frame *frame, size_t end)
{
	size_t whole = due;

	while (whole < s->frame_count && s->frames[whole].touched)
		whole++;
	if (whole < s->frame_count &&
	    s->frames[whole].dirty_at + s->frames[whole].len == end &&
	    s->frames[whole].len == frame->len &&
	    !memcmp(s->clean + s->frames[whole].at, frame->bytes, frame->len))
		return whole;
	if (whole < s->frame_count && end > s->frames[whole].dirty_at)
		return SIZE_MAX;
	for (size_t i = due; i < whole; i++)
		if (s->frames[i].len == frame->len &&
		    !memcmp(s->clean + s->frames[i].at, frame->bytes,
			    frame->len))
			return i;
	return SIZE_MAX;
}

/* Plays the dirty stream through the receive path in random-sized reads. */
static void play_dirty_stream(struct soak *s, const struct soak_config *cfg)
{
	struct cg_framer framer;
	struct cg_pack pack;
	struct cg_pack_config pack_config = { .cells = 0 };
	uint64_t read_rng = cfg->seed ^ 0xC0FFEE;
	uint64_t decoded = 0, rejected = 0, cells_decoded = 0;
	uint64_t rebuilt = 0;
	size_t due = 0, pos = 0;
	uint64_t now_ms = 0;

	cg_framer_init(&framer);
	cg_pack_init(&pack, &pack_config);
	while (pos < s->dirty_len) {
		size_t chunk = 1 + random_below(&read_rng, READ_MAX);
		const uint8_t *cursor = s->dirty + pos;
		size_t left;
		struct cg_frame frame;
		struct cg_record rec;

		/* Reads are mostly short at 115200 baud with low latency. */
		if (random_below(&read_rng, 4))
			chunk = 1 + chunk % 32;
		if (chunk > s->dirty_len - pos)
			chunk = s->dirty_len - pos;
		left = chunk;
		pos += chunk;
		now_ms += 10;

		while (cg_framer_next(&framer, &cursor, &left, &frame)) {
			size_t match;
			/* A frame found in rescanned bytes ends before the
			 * read position, by the bytes still to rescan. */
			size_t end = (size_t)(cursor - s->dirty) -
				     (size_t)(framer.replay_len -
					      framer.replay_pos) -
				     framer.fill;

			if (cg_decode(&frame, &rec) != CG_DECODE_OK) {
				rejected++;
				continue;
			}
			match = match_genuine(s, due, &frame, end);
			if (match == SIZE_MAX) {
				describe_mismatch(s, due, &frame, end);
				fail_msg("decoded frame %" PRIu64 " is not the "
					 "next whole genuine frame", decoded);
			}
			rebuilt += s->frames[match].touched;
			due = match + 1;
			decoded++;
			cells_decoded += rec.type == CG_REC_CELLS;
			cg_pack_apply(&pack, &rec, now_ms);
			check_pack(&pack, cfg->sim.cells);
		}
	}
	while (due < s->frame_count && s->frames[due].touched)
		due++;
	if (due != s->frame_count)
		fail_msg("genuine frame %zu (clean offset %zu) never came out",
			 due, s->frames[due].at);

	assert_int_equal(decoded, s->frame_count - s->touched + rebuilt);
	assert_int_equal(pack.count[CG_REC_CELLS], cells_decoded);
	assert_int_equal(framer.stats.frames, decoded + rejected);
	assert_int_equal(framer.stats.bytes, s->dirty_len);
	/* The damage must have been real for the test to mean anything. */
	assert_true(framer.stats.bad_checksum > s->touched / 2);
	assert_true(s->touched > s->frame_count / 100);

	printf("# %s: %zu genuine frames, %zu damaged, %" PRIu64 " decoded, "
	       "%" PRIu64 " rejected by the decoder, %" PRIu64 " damaged but "
	       "rebuilt by chance; %" PRIu64 " bytes flipped, "
	       "%" PRIu64 " junk bursts (%" PRIu64 " bytes, %" PRIu64
	       " defused headers); framer: %" PRIu64 " bad checksum, %" PRIu64
	       " bad length, %" PRIu64 " unknown cmd, %" PRIu64 " junk bytes\n",
	       cfg->name, s->frame_count, s->touched, decoded, rejected, rebuilt,
	       s->flipped, s->bursts, s->burst_bytes, s->headers_defused,
	       framer.stats.bad_checksum, framer.stats.bad_length,
	       framer.stats.unknown_cmd, framer.stats.junk_bytes);
}

static void soak(const struct soak_config *cfg)
{
	struct soak s;

	memset(&s, 0, sizeof(s));
	make_clean_stream(&s, cfg);
	list_genuine(&s, cfg);
	make_dirty_stream(&s, cfg);
	play_dirty_stream(&s, cfg);
	free(s.clean);
	free(s.dirty);
	free(s.frames);
}

static void test_day_16_cells_v126(void **state)
{
	struct soak_config cfg = { .name = "a day, BMS16T, V1.26",
				   .seconds = 86400, .seed = 20261124 };

	(void)state;
	cg_sim_default_config(&cfg.sim);
	soak(&cfg);
}

static void test_quarter_day_24_slots_old_firmware(void **state)
{
	struct soak_config cfg = { .name = "6 h, BMS24T, 20 cells, V1.22",
				   .seconds = 6 * 3600, .seed = 7 };

	(void)state;
	cg_sim_default_config(&cfg.sim);
	cfg.sim.slots = 24;
	cfg.sim.cells = 20;
	cfg.sim.firmware = CG_FW_OLD;
	cfg.sim.seed = 99;
	soak(&cfg);
}

static void test_quarter_day_8_slots(void **state)
{
	struct soak_config cfg = { .name = "6 h, BMS8T, V1.26",
				   .seconds = 6 * 3600, .seed = 31337 };

	(void)state;
	cg_sim_default_config(&cfg.sim);
	cfg.sim.slots = 8;
	cfg.sim.cells = 8;
	cfg.sim.seed = 5;
	soak(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_16_cells_v126),
		cmocka_unit_test(test_quarter_day_24_slots_old_firmware),
		cmocka_unit_test(test_quarter_day_8_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
