/*
 * Unit tests for the framer's resynchronisation: junk between and inside
 * frames, frames cut off, every single-byte corruption of every vendor
 * frame, and a long simulator stream whose frames must not depend on how
 * it is cut into chunks.
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
#include "framer_fixture.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_header_like_junk_before_frames),
		cmocka_unit_test(test_cut_off_frame_then_good_frames),
		cmocka_unit_test(test_every_single_byte_corruption),
		cmocka_unit_test(test_chunking_does_not_matter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
