/*
 * Unit tests: recordings under attack. A recording from a Pi without a
 * clock (times near 1970), damage anywhere, files that only look like a
 * recording, and a file crafted to make the scan slow. The recorder must
 * never cut a good block nor touch a file it refuses; the scan must stay
 * linear in the file size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "recfiles.h"

#define IMAGE_MAX (2u * 1024u * 1024u)

static uint8_t image[IMAGE_MAX];
static uint8_t back[IMAGE_MAX];

/* A recording of count blocks of 27 bytes each, timed from base_us a
 * second apart; offsets[i] is where block i starts. Returns the size. */
static size_t make_recording(uint8_t *out, size_t cap, uint64_t base_us,
			     size_t count, size_t *offsets)
{
	uint8_t data[27];
	size_t pos = CG_REC_MAGIC_LEN;

	memcpy(out, CG_REC_MAGIC, CG_REC_MAGIC_LEN);
	for (size_t i = 0; i < count; i++) {
		for (size_t j = 0; j < sizeof(data); j++)
			data[j] = (uint8_t)(i * 31 + j);
		offsets[i] = pos;
		size_t n = cg_rec_encode_block(CG_REC_TAG_BYTES,
					       base_us + i * 1000000u, data,
					       sizeof(data), out + pos,
					       cap - pos);
		assert_true(n > 0);
		pos += n;
	}
	return pos;
}

/* The recorder refuses path, with EX_DATAERR and want in the message, and
 * leaves it byte-identical. */
static void assert_refused_untouched(const char *path, const uint8_t *data,
				     size_t size, const char *want)
{
	struct cg_recorder rec;
	struct cg_error err;

	write_file(path, data, size);
	assert_int_equal(cg_recorder_open(&rec, path, 0, &err), -1);
	assert_int_equal(err.exit_code, EX_DATAERR);
	if (want && !strstr(err.message, want))
		fail_msg("\"%s\" does not say \"%s\"", err.message, want);
	assert_int_equal(read_file(path, back, sizeof(back)), size);
	assert_memory_equal(back, data, size);
}

/* Issue 11.1: the times in the blocks do not decide what is torn. */
static void test_damage_with_1970_times_is_refused(void **state)
{
	size_t offsets[40];
	struct cg_rec_scan scan;
	char path[64];

	(void)state;
	temp_path(path);
	/* 1970 and far future: both outside 2000..2100. */
	const uint64_t bases[] = { 5000000u, 4200000000000000ULL };
	for (size_t b = 0; b < 2; b++) {
		size_t size = make_recording(image, sizeof(image), bases[b], 40,
					     offsets);
		image[offsets[20] + CG_REC_HEADER_LEN + 3] ^= 0x01;

		cg_rec_scan(image, size, &scan);
		assert_int_equal(scan.kind, CG_REC_FILE_RECORDING);
		assert_true(scan.damaged);
		assert_int_equal(scan.end, offsets[20]);
		assert_int_equal(scan.good_after, offsets[21]);
		assert_int_equal(scan.data_blocks, 20);
		assert_refused_untouched(path, image, size, "damaged");
	}
	unlink(path);
}

/* A bad CRC in the last block, ending exactly at the end of the file, is
 * not a torn write (that runs past the end): refused, not cut. */
static void test_bad_last_block_is_damage(void **state)
{
	size_t offsets[10];
	struct cg_rec_scan scan;
	char path[64];

	(void)state;
	temp_path(path);
	size_t size = make_recording(image, sizeof(image), 5000000u, 10,
				     offsets);
	image[size - 1] ^= 0x80;
	cg_rec_scan(image, size, &scan);
	assert_true(scan.damaged);
	assert_int_equal(scan.end, offsets[9]);
	assert_refused_untouched(path, image, size, "damaged");

	/* A damaged time in the last block: damage too. */
	size = make_recording(image, sizeof(image), 5000000u, 10, offsets);
	image[offsets[9] + 1] ^= 0x01;
	cg_rec_scan(image, size, &scan);
	assert_true(scan.damaged);
	unlink(path);
}

/* A torn last block with 1970 times is still cut, and only it. */
static void test_torn_tail_with_1970_times_is_cut(void **state)
{
	size_t offsets[10];
	struct cg_recorder rec;
	struct cg_error err;
	char path[64];

	(void)state;
	temp_path(path);
	size_t size = make_recording(image, sizeof(image), 5000000u, 10,
				     offsets);
	for (size_t cut = offsets[9] + 1; cut < size; cut += 7) {
		write_file(path, image, cut);
		assert_int_equal(cg_recorder_open(&rec, path, 0, &err), 0);
		assert_int_equal(rec.cut_bytes, cut - offsets[9]);
		assert_int_equal(rec.file.size, offsets[9]);
		assert_int_equal(cg_recorder_close(&rec, &err), 0);
		assert_int_equal(read_file(path, back, sizeof(back)),
				 offsets[9]);
		assert_memory_equal(back, image, offsets[9]);
	}
	unlink(path);
}

/* Issue 11.5: what only looks like a recording is never touched. */
static void test_not_a_recording_is_never_touched(void **state)
{
	char path[64];
	static const char crlf[] = "CHARGERY-REC 1\r\nB0123456789abcdef";

	(void)state;
	temp_path(path);
	assert_refused_untouched(path, (const uint8_t *)"C", 1, NULL);
	assert_refused_untouched(path, (const uint8_t *)"CHARGERY", 8, NULL);
	assert_refused_untouched(path, (const uint8_t *)"CHARGERY-REC 1", 14,
				 NULL);
	assert_refused_untouched(path, (const uint8_t *)crlf, sizeof(crlf) - 1,
				 "line endings were changed");

	struct cg_rec_scan scan;
	cg_rec_scan((const uint8_t *)crlf, sizeof(crlf) - 1, &scan);
	assert_int_equal(scan.kind, CG_REC_FILE_MANGLED);
	cg_rec_scan((const uint8_t *)"CHARGERY-REC 12\n", 16, &scan);
	assert_int_equal(scan.kind, CG_REC_FILE_NEWER);

	/* The replay says the same, instead of "a newer chargery-top". */
	struct cg_replay replay;
	struct cg_error err;
	write_file(path, crlf, sizeof(crlf) - 1);
	assert_int_equal(cg_replay_open(&replay, path, &err), -1);
	assert_int_equal(err.exit_code, EX_DATAERR);
	assert_non_null(strstr(err.message, "line endings were changed"));
	assert_null(strstr(err.message, "newer"));
	unlink(path);
}

/* Issue 11.4: a file crafted so every offset after damage looks like a
 * block with a plausible time and a 60 kB length: the scan stays linear. */
static void test_crafted_file_scans_in_linear_time(void **state)
{
	struct cg_rec_scan scan;
	size_t size = 1024u * 1024u;

	(void)state;
	memcpy(image, CG_REC_MAGIC, CG_REC_MAGIC_LEN);
	memset(image + CG_REC_MAGIC_LEN, 0, size - CG_REC_MAGIC_LEN);
	for (size_t q = CG_REC_MAGIC_LEN; q + 16 <= size; q += 16) {
		uint64_t t = 1764000000000000ULL;
		image[q] = CG_REC_TAG_BYTES;
		for (unsigned i = 0; i < 8; i++)
			image[q + 1 + i] = (uint8_t)(t >> (8 * i));
		image[q + 9] = 0x60; /* len 0xea60 = 60000 */
		image[q + 10] = 0xea;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cg_rec_scan(image, size, &scan);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(scan.damaged);
	assert_int_equal(scan.end, CG_REC_MAGIC_LEN);
	assert_int_equal(scan.data_blocks, 0);
	/* Quadratic took 30 s; the capped search takes milliseconds. */
	if (s > 3.0)
		fail_msg("scan of a crafted 1 MB file took %.1f s", s);
}

/* Issue 11.6: the replay reads through one fixed buffer. A raw dump with no
 * 0x57 frame comes out in chunks no bigger than the buffer, every byte in
 * order; a recording bigger than the buffer scans as its image does. */
static void test_replay_reads_through_a_fixed_buffer(void **state)
{
	struct cg_replay replay;
	struct cg_replay_chunk chunk;
	struct cg_rec_scan scan;
	struct cg_error err;
	size_t offsets[20000];
	char path[64];

	(void)state;
	temp_path(path);
	size_t size = 3 * CG_REPLAY_BUF + 123;
	for (size_t i = 0; i < size; i++)
		image[i] = (uint8_t)(i * 7 + (i >> 9));
	write_file(path, image, size);
	assert_int_equal(cg_replay_open(&replay, path, &err), 0);
	assert_int_equal(replay.kind, CG_REPLAY_RAW);
	size_t at = 0;
	while (cg_replay_next(&replay, &chunk) == 1) {
		assert_true(chunk.len > 0 && chunk.len <= CG_REPLAY_BUF);
		assert_memory_equal(chunk.data, image + at, chunk.len);
		at += chunk.len;
	}
	assert_int_equal(at, size);
	cg_replay_close(&replay);

	/* A recording several buffers long, then zeros past a buffer. */
	size = make_recording(image, sizeof(image), 5000000u, 20000, offsets);
	assert_true(size > 3 * CG_REPLAY_BUF);
	size_t zeros = 2 * CG_REPLAY_BUF;
	memset(image + size, 0, zeros);
	write_file(path, image, size + zeros);
	cg_rec_scan(image, size + zeros, &scan);
	assert_int_equal(cg_replay_open(&replay, path, &err), 0);
	assert_int_equal(replay.scan.end, size);
	assert_int_equal(replay.scan.data_blocks, 20000);
	assert_false(replay.scan.damaged);
	assert_int_equal(replay.scan.ignored, zeros);
	assert_int_equal(scan.end, size);
	assert_false(scan.damaged);
	size_t n = 0;
	while (cg_replay_next(&replay, &chunk) == 1) {
		assert_int_equal(chunk.len, 27);
		assert_memory_equal(chunk.data,
				    image + offsets[n] + CG_REC_HEADER_LEN, 27);
		n++;
	}
	assert_int_equal(n, 20000);
	cg_replay_close(&replay);

	/* Something not zero far after the bad block: damage. */
	image[size + zeros - 1] = 1;
	write_file(path, image, size + zeros);
	assert_int_equal(cg_replay_open(&replay, path, &err), 0);
	assert_true(replay.scan.damaged);
	assert_int_equal(replay.scan.end, size);
	cg_replay_close(&replay);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_damage_with_1970_times_is_refused),
		cmocka_unit_test(test_bad_last_block_is_damage),
		cmocka_unit_test(test_torn_tail_with_1970_times_is_cut),
		cmocka_unit_test(test_not_a_recording_is_never_touched),
		cmocka_unit_test(test_crafted_file_scans_in_linear_time),
		cmocka_unit_test(test_replay_reads_through_a_fixed_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
