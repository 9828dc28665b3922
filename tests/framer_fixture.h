/*
 * What the framer tests share: feed() runs one chunk through a framer and
 * keeps the frames that come out (checking the calling contract as it
 * goes), and comparisons against the vendor frames of frames.h.
 * Used by tests/test_framer.c and tests/test_framer_resync.c.
 */
#ifndef CG_TEST_FRAMER_FIXTURE_H
#define CG_TEST_FRAMER_FIXTURE_H

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
static inline void feed(struct cg_framer *framer, const uint8_t *data,
			size_t len, struct collected *got)
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

static inline bool frame_is(const struct cg_frame *frame, const uint8_t *bytes,
			    size_t len)
{
	return frame->len == len && memcmp(frame->bytes, bytes, len) == 0;
}

static inline void assert_frame_is(const struct cg_frame *frame,
				   const uint8_t *bytes, size_t len)
{
	assert_int_equal(frame->len, len);
	assert_memory_equal(frame->bytes, bytes, len);
}

/* All five vendor frames back to back, in frames.h order. */
static inline size_t all_vendor_frames(uint8_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++) {
		memcpy(out + n, vendor_frames[i].bytes, vendor_frames[i].len);
		n += vendor_frames[i].len;
	}
	return n;
}

static inline void assert_got_all_vendor_frames(const struct collected *got)
{
	assert_int_equal(got->count, VENDOR_FRAME_COUNT);
	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++)
		assert_frame_is(&got->frames[i], vendor_frames[i].bytes,
				vendor_frames[i].len);
}

static inline uint64_t rejected(const struct cg_framer_stats *stats)
{
	return stats->junk_bytes + stats->bad_checksum + stats->bad_length +
	       stats->unknown_cmd;
}

#endif
