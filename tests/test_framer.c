/*
 * Unit tests for the framer: vendor frames in chunks of every size, junk
 * between and inside frames, every single-byte corruption of every vendor
 * frame, and the statistics counters.
 *
 * Expected frames are the vendor bytes from frames.h; a frame that comes
 * out is compared byte for byte with a frame that was really sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "framer.h"
#include "frames.h"
#include "sim.h"

#define MAX_COLLECTED 64
#define STREAM_MAX 1024

struct collected {
	size_t count;
	struct cg_frame frames[MAX_COLLECTED];
};

/*
 * Feeds one chunk and keeps every frame that comes out. Also checks the
 * calling contract: false only once the chunk is used up, and never an
 * endless run of frames from a finite chunk.
 */
static void feed(struct cg_framer *framer, const uint8_t *data, size_t len,
		 struct collected *got)
{
	const uint8_t *cursor = data;
	size_t left = len;
	struct cg_frame frame;
	unsigned guard = 0;

	while (cg_framer_next(framer, &cursor, &left, &frame)) {
		assert_true(frame.len >= 4 && frame.len <= CG_FRAME_MAX);
		assert_true(got->count < MAX_COLLECTED);
		got->frames[got->count++] = frame;
		assert_true(++guard < 1000);
		assert_true(left <= len);
	}
	assert_int_equal(left, 0);
	assert_ptr_equal(cursor, data + len);
}

static bool frame_is(const struct cg_frame *frame, const uint8_t *bytes,
		     size_t len)
{
	return frame->len == len && memcmp(frame->bytes, bytes, len) == 0;
}

static void assert_frame_is(const struct cg_frame *frame,
			    const uint8_t *bytes, size_t len)
{
	assert_int_equal(frame->len, len);
	assert_memory_equal(frame->bytes, bytes, len);
}

/* All five vendor frames back to back, in frames.h order. */
static size_t all_vendor_frames(uint8_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++) {
		memcpy(out + n, vendor_frames[i].bytes, vendor_frames[i].len);
		n += vendor_frames[i].len;
	}
	return n;
}

static void assert_got_all_vendor_frames(const struct collected *got)
{
	assert_int_equal(got->count, VENDOR_FRAME_COUNT);
	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++)
		assert_frame_is(&got->frames[i], vendor_frames[i].bytes,
				vendor_frames[i].len);
}

static uint64_t rejected(const struct cg_framer_stats *stats)
{
	return stats->junk_bytes + stats->bad_checksum + stats->bad_length +
	       stats->unknown_cmd;
}

static void test_checksum_of_vendor_frames(void **state)
{
	(void)state;
	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++) {
		const struct vendor_frame *v = &vendor_frames[i];

		assert_int_equal(cg_checksum(v->bytes, v->len - 1),
				 v->bytes[v->len - 1]);
	}
	assert_int_equal(cg_checksum(vendor_status_charge, 0), 0);

	/* 0xFF + 0xFF + 0x03 = 0x201: only the low byte counts. */
	const uint8_t wrap[] = { 0xFF, 0xFF, 0x03 };

	assert_int_equal(cg_checksum(wrap, 3), 0x01);
}

static void test_length_allowed(void **state)
{
	(void)state;
	/* 0x56: 8T, 16T, 24T on V1.24+, and the old 16T with one extra byte. */
	assert_true(cg_frame_length_allowed(0x56, 29));
	assert_true(cg_frame_length_allowed(0x56, 45));
	assert_true(cg_frame_length_allowed(0x56, 61));
	assert_true(cg_frame_length_allowed(0x56, 38));
	const uint8_t bad56[] = { 0, 4, 13, 15, 19, 28, 30, 37, 39, 40,
				  44, 46, 60, 62, 63, 64, 65, 255 };
	for (size_t i = 0; i < sizeof(bad56); i++)
		assert_false(cg_frame_length_allowed(0x56, bad56[i]));

	/* 0x57: 15 before V1.26, 19 from V1.26. */
	assert_true(cg_frame_length_allowed(0x57, 15));
	assert_true(cg_frame_length_allowed(0x57, 19));
	const uint8_t bad57[] = { 0, 4, 14, 16, 17, 18, 20, 29, 45, 255 };
	for (size_t i = 0; i < sizeof(bad57); i++)
		assert_false(cg_frame_length_allowed(0x57, bad57[i]));

	/* 0x58: 8 + 2N for N = 1..24 cells; never odd, never beyond 24. */
	for (unsigned n = 1; n <= 24; n++)
		assert_true(cg_frame_length_allowed(0x58, (uint8_t)(8 + 2 * n)));
	const uint8_t bad58[] = { 0, 4, 7, 9, 11, 15, 29, 39, 41, 55,
				  58, 60, 62, 64, 255 };
	for (size_t i = 0; i < sizeof(bad58); i++)
		assert_false(cg_frame_length_allowed(0x58, bad58[i]));

	/* Any other command: no length is right. */
	const uint8_t other_cmds[] = { 0x00, 0x24, 0x55, 0x59, 0xFF };
	const uint8_t lengths[] = { 15, 19, 29, 38, 40, 45, 61 };
	for (size_t c = 0; c < sizeof(other_cmds); c++)
		for (size_t l = 0; l < sizeof(lengths); l++)
			assert_false(cg_frame_length_allowed(other_cmds[c],
							     lengths[l]));
}

static void test_fresh_framer_has_zero_stats(void **state)
{
	struct cg_framer framer;
	struct cg_framer_stats zero;

	(void)state;
	memset(&framer, 0xA5, sizeof(framer));
	cg_framer_init(&framer);
	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(&framer.stats, &zero, sizeof(zero));
}

static void test_empty_input_gives_nothing(void **state)
{
	struct cg_framer framer;
	struct collected got = { 0 };

	(void)state;
	cg_framer_init(&framer);
	feed(&framer, vendor_status_charge, 0, &got);
	assert_int_equal(got.count, 0);
	assert_int_equal(framer.stats.bytes, 0);
}

/*
 * A real BMS24T capture (chargery2PERL): a 0x56 start cut off after two
 * cells, then 0x57 frames, whose 54 bytes sum right by chance. The
 * decoder refuses it (cell 2 would be 0x2424 mV); handed back with
 * cg_framer_reject, the four 0x57 frames that began inside it come out,
 * fed in one chunk or byte by byte.
 */
static void test_reject_finds_frames_inside(void **state)
{
	static const uint8_t capture[64] = {
		0x24, 0x24, 0x56, 0x36, 0x09, 0xF0, 0x24, 0x24, 0x57, 0x0D,
		0x0A, 0xBE, 0x00, 0x00, 0x00, 0x75, 0x00, 0x71, 0x5A, 0x24,
		0x24, 0x57, 0x0D, 0x0A, 0xBE, 0x00, 0x00, 0x00, 0x75, 0x00,
		0x71, 0x5A, 0x68, 0x3A, 0x3A, 0x33, 0x0D, 0x0A, 0x24, 0x24,
		0x57, 0x0D, 0x0A, 0xBE, 0x00, 0x00, 0x00, 0x75, 0x00, 0x71,
		0x5A, 0x24, 0x24, 0x57, 0x0D, 0x0A, 0xBE, 0x00, 0x00, 0x00,
		0x75, 0x00, 0x71, 0x5A,
	};
	static const size_t at[4] = { 6, 19, 38, 51 };

	(void)state;
	for (size_t step = 1; step <= sizeof(capture); step += 63) {
		struct cg_framer framer;
		struct cg_frame frame;
		size_t good = 0, refused = 0;

		cg_framer_init(&framer);
		for (size_t off = 0; off < sizeof(capture); off += step) {
			const uint8_t *p = capture + off;
			size_t left = sizeof(capture) - off < step
					      ? sizeof(capture) - off
					      : step;

			while (cg_framer_next(&framer, &p, &left, &frame)) {
				if (frame.bytes[2] == CG_CMD_CELLS) {
					assert_int_equal(frame.len, 54);
					refused++;
					cg_framer_reject(&framer, &frame);
					continue;
				}
				assert_true(good < 4);
				assert_frame_is(&frame, capture + at[good], 13);
				good++;
			}
		}
		assert_int_equal(refused, 1);
		assert_int_equal(good, 4);
		assert_int_equal(framer.stats.frames, 4);
		assert_int_equal(framer.stats.rejected, 1);
		/* Junk: the refused frame's first byte, the 5 left of its
		 * cut start (24 56 36 09 F0 begin no frame) and 6 between. */
		assert_int_equal(framer.stats.bytes, 64);
		assert_int_equal(framer.stats.junk_bytes, 64 - 4 * 13);
	}
}

/*
 * A frame of a known command whose sum is right but whose length this
 * version cannot read is counted by command and length (a firmware variant
 * to ask a recording of), without delaying the frames around it; one with
 * a wrong sum is not counted.
 */
static void test_unknown_variants_counted(void **state)
{
	uint8_t stream[512];
	size_t n = 0;
	char text[160];
	static const struct {
		uint8_t cmd, len;
		bool sum_right;
	} odd[] = {
		{ 0x57, 17, true }, { 0x57, 17, true }, { 0x56, 30, true },
		{ 0x57, 17, false }, { 0x58, 11, true }, { 0x57, 17, true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		uint8_t *f = stream + n;

		memset(f, 0, odd[i].len);
		f[0] = f[1] = 0x24;
		f[2] = odd[i].cmd;
		f[3] = odd[i].len;
		f[4] = (uint8_t)(0x10 + i);
		f[odd[i].len - 1] = (uint8_t)(cg_checksum(f, odd[i].len - 1u) +
					     !odd[i].sum_right);
		n += odd[i].len;
		memcpy(stream + n, vendor_status_charge, 15);
		n += 15;
	}
	for (size_t step = 1; step <= n; step += n - 1) {
		struct cg_framer framer;
		struct collected got = { 0 };

		cg_framer_init(&framer);
		for (size_t off = 0; off < n; off += step)
			feed(&framer, stream + off, off + step > n ? n - off : step,
			     &got);
		assert_int_equal(got.count, 6); /* every good frame */
		for (size_t i = 0; i < got.count; i++)
			assert_frame_is(&got.frames[i], vendor_status_charge, 15);
		assert_int_equal(framer.stats.unknown_variants, 5);
		assert_int_equal(framer.stats.variants[0].cmd, 0x57);
		assert_int_equal(framer.stats.variants[0].len, 17);
		assert_int_equal(framer.stats.variants[0].count, 3);
		assert_int_equal(framer.stats.variants[1].cmd, 0x56);
		assert_int_equal(framer.stats.variants[1].len, 30);
		assert_int_equal(framer.stats.variants[1].count, 1);
		assert_int_equal(framer.stats.variants[2].cmd, 0x58);
		assert_int_equal(framer.stats.variants[2].count, 1);
		assert_int_equal(framer.stats.variants[3].count, 0);
		assert_true(cg_framer_variant_text(&framer.stats, 0, text,
						   sizeof(text)) > 0);
		assert_string_equal(text, "3 checksum-valid 0x57 frames of 17 "
				    "bytes that this version cannot read: "
				    "please send a recording (--record)");
		cg_framer_variant_text(&framer.stats, 1, text, sizeof(text));
		assert_string_equal(text, "1 checksum-valid 0x56 frame of 30 "
				    "bytes that this version cannot read: "
				    "please send a recording (--record)");
		assert_int_equal(cg_framer_variant_text(&framer.stats, 3, text,
							sizeof(text)), 0);
	}
}

static void test_each_vendor_frame_alone(void **state)
{
	(void)state;
	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++) {
		const struct vendor_frame *v = &vendor_frames[i];
		struct cg_framer framer;
		struct collected got = { 0 };

		cg_framer_init(&framer);
		feed(&framer, v->bytes, v->len, &got);
		assert_int_equal(got.count, 1);
		assert_frame_is(&got.frames[0], v->bytes, v->len);
		assert_int_equal(framer.stats.bytes, v->len);
		assert_int_equal(framer.stats.frames, 1);
		assert_int_equal(framer.stats.junk_bytes, 0);
		assert_int_equal(framer.stats.bad_checksum, 0);
		assert_int_equal(framer.stats.bad_length, 0);
		assert_int_equal(framer.stats.unknown_cmd, 0);
		assert_int_equal(framer.stats.resyncs, 0);
	}
}

static void test_all_vendor_frames_in_one_chunk(void **state)
{
	uint8_t stream[STREAM_MAX];
	size_t n = all_vendor_frames(stream);
	struct cg_framer framer;
	struct collected got = { 0 };

	(void)state;
	assert_int_equal(n, 15 + 15 + 45 + 40 + 38);
	cg_framer_init(&framer);
	feed(&framer, stream, n, &got);
	assert_got_all_vendor_frames(&got);
	assert_int_equal(framer.stats.bytes, 153);
	assert_int_equal(framer.stats.frames, 5);
	assert_int_equal(rejected(&framer.stats), 0);
	assert_int_equal(framer.stats.resyncs, 0);
}

/* Every frame cut in two at every byte boundary, including 0 and len. */
static void test_each_frame_split_at_every_boundary(void **state)
{
	(void)state;
	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++) {
		const struct vendor_frame *v = &vendor_frames[i];

		for (size_t cut = 0; cut <= v->len; cut++) {
			struct cg_framer framer;
			struct collected got = { 0 };

			cg_framer_init(&framer);
			feed(&framer, v->bytes, cut, &got);
			/* Only the last byte can complete the frame. */
			assert_int_equal(got.count, cut == v->len ? 1 : 0);
			feed(&framer, v->bytes + cut, v->len - cut, &got);
			assert_int_equal(got.count, 1);
			assert_frame_is(&got.frames[0], v->bytes, v->len);
			assert_int_equal(framer.stats.bytes, v->len);
			assert_int_equal(framer.stats.frames, 1);
			assert_int_equal(rejected(&framer.stats), 0);
		}
	}
}

/* The whole five-frame stream cut in two at every boundary. */
static void test_stream_split_at_every_boundary(void **state)
{
	uint8_t stream[STREAM_MAX];
	size_t n = all_vendor_frames(stream);

	(void)state;
	for (size_t cut = 0; cut <= n; cut++) {
		struct cg_framer framer;
		struct collected got = { 0 };

		cg_framer_init(&framer);
		feed(&framer, stream, cut, &got);
		feed(&framer, stream + cut, n - cut, &got);
		assert_got_all_vendor_frames(&got);
		assert_int_equal(framer.stats.frames, 5);
		assert_int_equal(rejected(&framer.stats), 0);
	}
}

/* One byte per call: each frame comes out exactly on its last byte. */
static void test_one_byte_at_a_time(void **state)
{
	uint8_t stream[STREAM_MAX];
	size_t n = all_vendor_frames(stream);
	struct cg_framer framer;
	struct collected got = { 0 };
	size_t frame_end = 0, next_frame = 0;

	(void)state;
	cg_framer_init(&framer);
	for (size_t i = 0; i < n; i++) {
		size_t before = got.count;

		feed(&framer, stream + i, 1, &got);
		if (next_frame < VENDOR_FRAME_COUNT &&
		    i + 1 == frame_end + vendor_frames[next_frame].len) {
			assert_int_equal(got.count, before + 1);
			frame_end = i + 1;
			next_frame++;
		} else {
			assert_int_equal(got.count, before);
		}
	}
	assert_got_all_vendor_frames(&got);
	assert_int_equal(framer.stats.bytes, n);
	assert_int_equal(rejected(&framer.stats), 0);
}

/*
 * A few pieces of stream (junk, damaged frames, good frames) and what must
 * come of them: the good frames, and the counters. Each case is fed twice,
 * as one chunk and a piece per call, with the same result.
 */
#define SCENARIO_PIECES 5
#define SCENARIO_FRAMES 2

struct piece {
	const uint8_t *bytes;
	size_t len;
};

struct scenario {
	const char *name;
	struct piece pieces[SCENARIO_PIECES];
	struct piece frames[SCENARIO_FRAMES]; /* what must come out */
	uint64_t junk_min, junk_max;
	uint64_t bad_checksum, bad_length, unknown_cmd;
	uint64_t resyncs_min; /* a resync may be counted more than once */
};

#define PIECE(array) { array, sizeof(array) }

/* Seen in vendor dumps, before, between and after frames. */
static const uint8_t vendor_junk[] = { 0x68, 0x3A, 0x3A, 0x33, 0x0D, 0x0A };
/* A byte that is not 0x24 right after a lone 0x24: both are junk. */
static const uint8_t half_header[] = { 0x24, 0x57, 0x24, 0x00 };
static const uint8_t lone_header[] = { 0x24 };
/* Damaged frames, made by make_damaged_frames(). */
static uint8_t bad_sum_frame[15];     /* vendor 0x57, last byte ^ 1 */
static uint8_t bad_length_frame[16];  /* 24 24 57 10: no 16-byte 0x57 */
static uint8_t unknown_cmd_frame[15]; /* vendor 0x57 as 0x59, sum right */

static void make_damaged_frames(void)
{
	memcpy(bad_sum_frame, vendor_status_charge, 15);
	bad_sum_frame[14] ^= 0x01;

	/* Valid sum all the same. */
	memset(bad_length_frame, 0, 16);
	bad_length_frame[0] = bad_length_frame[1] = 0x24;
	bad_length_frame[2] = 0x57;
	bad_length_frame[3] = 0x10;
	test_fix_checksum(bad_length_frame, 16);

	memcpy(unknown_cmd_frame, vendor_status_charge, 15);
	unknown_cmd_frame[2] = 0x59;
	test_fix_checksum(unknown_cmd_frame, 15);
}

static const struct scenario scenarios[] = {
	{ "vendor junk before, between and after frames",
	  { PIECE(vendor_junk), PIECE(vendor_status_charge), PIECE(vendor_junk),
	    PIECE(vendor_cells16), PIECE(vendor_junk) },
	  { PIECE(vendor_status_charge), PIECE(vendor_cells16) },
	  18, 18, 0, 0, 0, 0 },
	{ "half a header is junk",
	  { PIECE(half_header), PIECE(vendor_status_discharge) },
	  { PIECE(vendor_status_discharge) },
	  4, 4, 0, 0, 0, 0 },
	{ "a lone 0x24 between two frames",
	  { PIECE(vendor_status_charge), PIECE(lone_header),
	    PIECE(vendor_status_discharge) },
	  { PIECE(vendor_status_charge), PIECE(vendor_status_discharge) },
	  1, 1, 0, 0, 0, 0 },
	/* The rescanned bytes of the damaged frame hold no header: dropped.
	 * Whether its first 0x24 also counts as junk is the framer's choice. */
	{ "a wrong checksum, counted once",
	  { PIECE(bad_sum_frame), PIECE(vendor_status_discharge) },
	  { PIECE(vendor_status_discharge) },
	  14, 15, 1, 0, 0, 1 },
	{ "a length not allowed for the command, refused at the length byte",
	  { PIECE(bad_length_frame), PIECE(vendor_status_charge) },
	  { PIECE(vendor_status_charge) },
	  12, 16, 0, 1, 0, 1 },
	{ "a well-formed frame of command 0x59, counted as unknown",
	  { PIECE(unknown_cmd_frame), PIECE(vendor_status_discharge) },
	  { PIECE(vendor_status_discharge) },
	  12, 15, 0, 0, 1, 1 },
};

static void check_scenario(const struct scenario *c, bool piecewise)
{
	uint8_t stream[STREAM_MAX];
	size_t n = 0, want = 0;
	struct cg_framer framer;
	struct collected got = { 0 };
	const struct cg_framer_stats *st = &framer.stats;

	cg_framer_init(&framer);
	for (size_t p = 0; p < SCENARIO_PIECES && c->pieces[p].bytes; p++) {
		if (piecewise)
			feed(&framer, c->pieces[p].bytes, c->pieces[p].len,
			     &got);
		memcpy(stream + n, c->pieces[p].bytes, c->pieces[p].len);
		n += c->pieces[p].len;
	}
	if (!piecewise)
		feed(&framer, stream, n, &got);

	while (want < SCENARIO_FRAMES && c->frames[want].bytes)
		want++;
	if (got.count != want || st->bytes != n || st->frames != want ||
	    st->bad_checksum != c->bad_checksum ||
	    st->bad_length != c->bad_length ||
	    st->unknown_cmd != c->unknown_cmd ||
	    st->junk_bytes < c->junk_min || st->junk_bytes > c->junk_max ||
	    st->resyncs < c->resyncs_min)
		fail_msg("%s (%s): %zu frames out of %zu, bytes %llu of %zu, "
			 "junk %llu, bad sum %llu, bad length %llu, unknown "
			 "%llu, resyncs %llu", c->name,
			 piecewise ? "piece by piece" : "one chunk", got.count,
			 want, (unsigned long long)st->bytes, n,
			 (unsigned long long)st->junk_bytes,
			 (unsigned long long)st->bad_checksum,
			 (unsigned long long)st->bad_length,
			 (unsigned long long)st->unknown_cmd,
			 (unsigned long long)st->resyncs);
	for (size_t f = 0; f < want; f++)
		assert_frame_is(&got.frames[f], c->frames[f].bytes,
				c->frames[f].len);
}

static void test_scenarios(void **state)
{
	(void)state;
	make_damaged_frames();
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		check_scenario(&scenarios[i], false);
		check_scenario(&scenarios[i], true);
	}
}

/*
 * Prefixes that share bytes with a header: a lone 0x24, a header pair, a
 * run of them, a header pair followed by garbage. The vendor frames that
 * follow must all come out, and something must have been counted as
 * rejected.
 */
static void test_header_like_junk_before_frames(void **state)
{
	static const uint8_t lone[] = { 0x24 };
	static const uint8_t pair[] = { 0x24, 0x24 };
	static const uint8_t triple[] = { 0x24, 0x24, 0x24 };
	static const uint8_t pair_garbage[] = { 0x24, 0x24, 0xFF, 0x13, 0x00 };
	static const uint8_t pair_bad_len[] = { 0x24, 0x24, 0x57, 0x99, 0x01 };
	uint8_t flood[100];
	const struct {
		const uint8_t *bytes;
		size_t len;
	} prefixes[] = {
		{ lone, sizeof(lone) },
		{ pair, sizeof(pair) },
		{ triple, sizeof(triple) },
		{ pair_garbage, sizeof(pair_garbage) },
		{ pair_bad_len, sizeof(pair_bad_len) },
		{ flood, sizeof(flood) },
	};

	(void)state;
	memset(flood, 0x24, sizeof(flood));
	for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
		uint8_t stream[STREAM_MAX];
		size_t n;
		struct cg_framer framer;
		struct collected got = { 0 };

		memcpy(stream, prefixes[p].bytes, prefixes[p].len);
		n = prefixes[p].len;
		n += all_vendor_frames(stream + n);

		/* Whole, then one byte at a time. */
		cg_framer_init(&framer);
		feed(&framer, stream, n, &got);
		assert_got_all_vendor_frames(&got);
		assert_int_equal(framer.stats.bytes, n);
		assert_true(rejected(&framer.stats) > 0);

		memset(&got, 0, sizeof(got));
		cg_framer_init(&framer);
		for (size_t i = 0; i < n; i++)
			feed(&framer, stream + i, 1, &got);
		assert_got_all_vendor_frames(&got);
		assert_true(rejected(&framer.stats) > 0);
	}
}

/*
 * Every vendor frame cut off after every possible number of bytes, then
 * all five vendor frames: the cut frame never comes out, the five do.
 */
static void test_cut_off_frame_then_good_frames(void **state)
{
	(void)state;
	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++) {
		const struct vendor_frame *v = &vendor_frames[i];

		for (size_t cut = 1; cut < v->len; cut++) {
			uint8_t stream[STREAM_MAX];
			size_t n = cut;
			struct cg_framer framer;
			struct collected got = { 0 };

			memcpy(stream, v->bytes, cut);
			n += all_vendor_frames(stream + n);
			cg_framer_init(&framer);
			feed(&framer, stream, n, &got);
			if (got.count != VENDOR_FRAME_COUNT)
				fail_msg("%s cut after %zu bytes: %zu frames out, "
					 "5 expected", v->name, cut, got.count);
			assert_got_all_vendor_frames(&got);
			assert_true(rejected(&framer.stats) > 0);
		}
	}
}

static bool is_genuine(const struct cg_frame *frame)
{
	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++)
		if (frame_is(frame, vendor_frames[i].bytes,
			     vendor_frames[i].len))
			return true;
	return false;
}

static void check_corrupted_stream(const uint8_t *stream, size_t n,
				   bool bytewise, const char *name,
				   size_t pos, unsigned value)
{
	struct cg_framer framer;
	struct collected got = { 0 };

	cg_framer_init(&framer);
	if (bytewise) {
		for (size_t i = 0; i < n; i++)
			feed(&framer, stream + i, 1, &got);
	} else {
		feed(&framer, stream, n, &got);
	}

	for (size_t f = 0; f < got.count; f++)
		if (!is_genuine(&got.frames[f]))
			fail_msg("%s byte %zu set to 0x%02X%s: frame %zu out "
				 "(cmd 0x%02X len %u) was never sent",
				 name, pos, value, bytewise ? " (bytewise)" : "",
				 f, got.frames[f].bytes[2], got.frames[f].len);
	if (got.count != VENDOR_FRAME_COUNT)
		fail_msg("%s byte %zu set to 0x%02X%s: %zu frames out, the 5 "
			 "good frames after it expected", name, pos, value,
			 bytewise ? " (bytewise)" : "", got.count);
	assert_got_all_vendor_frames(&got);
	if (rejected(&framer.stats) == 0)
		fail_msg("%s byte %zu set to 0x%02X: no rejection counted",
			 name, pos, value);
	assert_int_equal(framer.stats.frames, VENDOR_FRAME_COUNT);
	assert_int_equal(framer.stats.bytes, n);
}

/*
 * Every single-byte corruption (every position, each of the 255 other
 * values) of every vendor frame, followed by the five good frames. The
 * damaged frame must never come out; the five good ones must.
 */
static void test_every_single_byte_corruption(void **state)
{
	(void)state;
	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++) {
		const struct vendor_frame *v = &vendor_frames[i];

		for (size_t pos = 0; pos < v->len; pos++) {
			for (unsigned value = 0; value < 256; value++) {
				uint8_t stream[STREAM_MAX];
				size_t n = v->len;

				if (value == v->bytes[pos])
					continue;
				memcpy(stream, v->bytes, v->len);
				stream[pos] = (uint8_t)value;
				n += all_vendor_frames(stream + n);
				check_corrupted_stream(stream, n, false,
						       v->name, pos, value);
				check_corrupted_stream(stream, n, true,
						       v->name, pos, value);
			}
		}
	}
}

/*
 * However the input is cut, the framer must give the same frames and the
 * same counters. A sim stream with its junk, plus damage of every kind, is
 * fed a byte at a time, whole, and in odd-sized pieces.
 */
#define MIXED_MAX 8192
#define MIXED_FRAMES 512

struct mixed_run {
	struct cg_framer framer;
	size_t count;
	struct cg_frame frames[MIXED_FRAMES];
};

static size_t mixed_stream(uint8_t *out)
{
	static const uint8_t oddities[][6] = {
		{ 0x24, 0x24, 0x24 },             /* third header byte */
		{ 0x24, 0x68, 0x24 },             /* lone header byte */
		{ 0x24, 0x24, 0x99, 0x05 },       /* unknown cmd */
		{ 0x24, 0x24, 0x57, 0x30 },       /* length not for 0x57 */
		{ 0x24, 0x24, 0x56, 0x2d, 0x0c }, /* cut-off 0x56 */
	};
	struct cg_sim_config config;
	struct cg_sim sim;
	uint8_t chunk[2048];
	size_t len = 0;
	unsigned event = 0;

	cg_sim_default_config(&config);
	cg_sim_init(&sim, &config, 0);
	for (uint64_t now = 1000; len + sizeof(chunk) < MIXED_MAX; now += 1000) {
		size_t n = cg_sim_run(&sim, now, chunk, sizeof(chunk));

		memcpy(out + len, chunk, n);
		if (n > 8 && event % 7 == 3)
			out[len + n / 2] ^= 0x40; /* a bad sum, mid-stream */
		len += n;
		if (event % 5 == 1) {
			memcpy(out + len, oddities[event / 5 % 5], 6);
			len += 6;
		}
		if (event % 11 == 6) {
			memset(out + len, 0x55, 21); /* longer than a scan */
			len += 21;
		}
		event++;
	}
	return len;
}

static void keep_frame(struct mixed_run *run, const struct cg_frame *frame)
{
	assert_true(run->count < MIXED_FRAMES);
	run->frames[run->count++] = *frame;
}

static void feed_next(struct mixed_run *run, const uint8_t *data,
		      size_t len)
{
	struct cg_frame frame;

	while (cg_framer_next(&run->framer, &data, &len, &frame))
		keep_frame(run, &frame);
	assert_int_equal(len, 0);
}

static void assert_same_run(const struct mixed_run *want,
			    const struct mixed_run *got, const char *how)
{
	if (memcmp(&want->framer.stats, &got->framer.stats,
		   sizeof(want->framer.stats)) != 0)
		fail_msg("%s: counters differ from byte by byte (frames %llu "
			 "vs %llu, junk %llu vs %llu)", how,
			 (unsigned long long)want->framer.stats.frames,
			 (unsigned long long)got->framer.stats.frames,
			 (unsigned long long)want->framer.stats.junk_bytes,
			 (unsigned long long)got->framer.stats.junk_bytes);
	assert_int_equal(got->count, want->count);
	for (size_t i = 0; i < want->count; i++)
		assert_frame_is(&got->frames[i], want->frames[i].bytes,
				want->frames[i].len);
}

static void test_chunking_does_not_matter(void **state)
{
	static uint8_t stream[MIXED_MAX];
	static struct mixed_run bytewise, run;
	size_t len = mixed_stream(stream);
	char how[64];

	(void)state;
	cg_framer_init(&bytewise.framer);
	bytewise.count = 0;
	for (size_t i = 0; i < len; i++)
		feed_next(&bytewise, stream + i, 1);
	/* The stream really holds what it is meant to test. */
	assert_true(bytewise.count > 100);
	assert_true(bytewise.framer.stats.bad_checksum > 5);
	assert_true(bytewise.framer.stats.unknown_cmd > 0);
	assert_true(bytewise.framer.stats.bad_length > 0);

	cg_framer_init(&run.framer);
	run.count = 0;
	feed_next(&run, stream, len);
	assert_same_run(&bytewise, &run, "whole");

	/* Odd pieces, and reads as big as a port gives. */
	static const size_t pieces[] = { 2, 21, 40, 59, 78, 97, 80, 320, 1280,
					 4096 };
	for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
		size_t piece = pieces[k];

		cg_framer_init(&run.framer);
		run.count = 0;
		for (size_t at = 0; at < len; at += piece)
			feed_next(&run, stream + at,
				  len - at < piece ? len - at : piece);
		snprintf(how, sizeof(how), "pieces of %zu", piece);
		assert_same_run(&bytewise, &run, how);
	}
}

/* A frame cut short: nothing comes out until the rest arrives. */
static void test_partial_frame_waits_for_rest(void **state)
{
	struct cg_framer framer;
	struct collected got = { 0 };

	(void)state;
	cg_framer_init(&framer);
	feed(&framer, vendor_cells16, 44, &got);
	assert_int_equal(got.count, 0);
	assert_int_equal(framer.stats.bytes, 44);
	assert_int_equal(framer.stats.frames, 0);
	assert_int_equal(rejected(&framer.stats), 0);
	feed(&framer, vendor_cells16 + 44, 1, &got);
	assert_int_equal(got.count, 1);
	assert_frame_is(&got.frames[0], vendor_cells16, 45);
	assert_int_equal(framer.stats.frames, 1);
}

/* Counters keep adding up over many frames and many kinds of damage. */
static void test_stats_accumulate(void **state)
{
	static const uint8_t junk[] = { 0x68, 0x3A, 0x3A, 0x33, 0x0D, 0x0A };
	uint8_t bad_sum[15];
	struct cg_framer framer;
	struct collected got = { 0 };

	(void)state;
	memcpy(bad_sum, vendor_status_charge, 15);
	bad_sum[14] = (uint8_t)(bad_sum[14] + 1);

	cg_framer_init(&framer);
	for (int round = 0; round < 10; round++) {
		feed(&framer, junk, sizeof(junk), &got);
		feed(&framer, vendor_cells16, 45, &got);
		feed(&framer, bad_sum, 15, &got);
		feed(&framer, vendor_status_discharge, 15, &got);
	}
	assert_int_equal(got.count, 20);
	for (size_t i = 0; i < got.count; i += 2) {
		assert_frame_is(&got.frames[i], vendor_cells16, 45);
		assert_frame_is(&got.frames[i + 1], vendor_status_discharge, 15);
	}
	assert_int_equal(framer.stats.bytes, 10 * (6 + 45 + 15 + 15));
	assert_int_equal(framer.stats.frames, 20);
	assert_int_equal(framer.stats.bad_checksum, 10);
	assert_int_equal(framer.stats.bad_length, 0);
	assert_int_equal(framer.stats.unknown_cmd, 0);
	assert_in_range(framer.stats.junk_bytes, 10 * (6 + 14), 10 * (6 + 15));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_of_vendor_frames),
		cmocka_unit_test(test_length_allowed),
		cmocka_unit_test(test_fresh_framer_has_zero_stats),
		cmocka_unit_test(test_empty_input_gives_nothing),
		cmocka_unit_test(test_each_vendor_frame_alone),
		cmocka_unit_test(test_reject_finds_frames_inside),
		cmocka_unit_test(test_unknown_variants_counted),
		cmocka_unit_test(test_all_vendor_frames_in_one_chunk),
		cmocka_unit_test(test_each_frame_split_at_every_boundary),
		cmocka_unit_test(test_stream_split_at_every_boundary),
		cmocka_unit_test(test_one_byte_at_a_time),
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_header_like_junk_before_frames),
		cmocka_unit_test(test_cut_off_frame_then_good_frames),
		cmocka_unit_test(test_every_single_byte_corruption),
		cmocka_unit_test(test_chunking_does_not_matter),
		cmocka_unit_test(test_partial_frame_waits_for_rest),
		cmocka_unit_test(test_stats_accumulate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
