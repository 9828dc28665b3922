/*
 * Unit tests for the framer: vendor frames alone and in chunks of every
 * size, lengths and checksums, frames found inside rejected bytes, and the
 * statistics counters. Junk, damage and resynchronisation are in
 * tests/test_framer_resync.c.
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

/*
 * A variant's header inside the body of a good frame (cell bytes can read
 * 24 24 57 11): the good frame still comes out whole, and the variant is
 * counted once its bytes sum right, wherever the body holds it and however
 * the input is cut.
 */
static void test_variant_inside_a_frame_body(void **state)
{
	static const uint8_t starts[] = { 4, 12, 27 }; /* 27 + 17 = 44 */
	(void)state;

	for (size_t s = 0; s < sizeof(starts); s++) {
		uint8_t stream[45 + 15];
		uint8_t *f = stream, *v = stream + starts[s];

		memcpy(f, vendor_cells16, 45);
		v[0] = v[1] = 0x24;
		v[2] = 0x57;
		v[3] = 17;
		v[16] = cg_checksum(v, 16);
		f[44] = cg_checksum(f, 44);
		memcpy(stream + 45, vendor_status_charge, 15);
		for (size_t step = 1; step <= sizeof(stream); step++) {
			struct cg_framer framer;
			struct collected got = { 0 };

			cg_framer_init(&framer);
			for (size_t off = 0; off < sizeof(stream); off += step)
				feed(&framer, stream + off,
				     off + step > sizeof(stream)
					     ? sizeof(stream) - off : step,
				     &got);
			assert_int_equal(got.count, 2);
			assert_frame_is(&got.frames[0], f, 45);
			assert_frame_is(&got.frames[1], vendor_status_charge, 15);
			assert_int_equal(framer.stats.unknown_variants, 1);
			assert_int_equal(framer.stats.variants[0].cmd, 0x57);
			assert_int_equal(framer.stats.variants[0].len, 17);
			assert_int_equal(framer.stats.bytes, sizeof(stream));
			assert_int_equal(framer.stats.junk_bytes, 0);
		}
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
		cmocka_unit_test(test_variant_inside_a_frame_body),
		cmocka_unit_test(test_all_vendor_frames_in_one_chunk),
		cmocka_unit_test(test_each_frame_split_at_every_boundary),
		cmocka_unit_test(test_stream_split_at_every_boundary),
		cmocka_unit_test(test_one_byte_at_a_time),
		cmocka_unit_test(test_partial_frame_waits_for_rest),
		cmocka_unit_test(test_stats_accumulate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
