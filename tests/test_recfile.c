/*
 * Unit tests for the recording format (recfile.c, pure): the CRC against
 * a known vector and a bitwise reference, and blocks encoded and decoded.
 */
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
#include "record_fixture.h"

/* ------------------------------------------------------------------ */
/* Pure: CRC and blocks                                                */

static void test_crc_known_vector(void **state)
{
	(void)state;
	assert_int_equal(cg_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(cg_crc32(0, "", 0), 0);
	/* Continued over pieces, as a streaming caller would. */
	assert_int_equal(cg_crc32(cg_crc32(0, "1234", 4), "56789", 5),
			 0xCBF43926u);
}

/* The CRC the slow way, a bit at a time, straight from the polynomial. */
static uint32_t crc32_bitwise(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* Four bytes at a time, then the rest: the same CRC as the bitwise one at
 * every length and start alignment, on data that reaches every entry of
 * every table (about 50,000 lookups per table). */
static void test_crc_matches_bitwise(void **state)
{
	static uint8_t data[4096];
	uint32_t x = 2463534242u;
	(void)state;

	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (uint8_t)x;
	}
	for (size_t start = 0; start < 4; start++)
		for (size_t len = 0; len <= 300; len++)
			assert_int_equal(cg_crc32(0, data + start, len),
					 crc32_bitwise(0, data + start, len));
	for (size_t start = 0; start < 4; start++)
		assert_int_equal(cg_crc32(0x12345678u, data + start,
					  sizeof(data) - start),
				 crc32_bitwise(0x12345678u, data + start,
					       sizeof(data) - start));
}

static void test_block_round_trip(void **state)
{
	uint8_t data[300], block[400];
	struct cg_rec_block got;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	size_t size = cg_rec_encode_block('B', BASE_US + 123456, data,
					  sizeof(data), block, sizeof(block));
	assert_int_equal(size, CG_REC_OVERHEAD + sizeof(data));
	assert_int_equal(block[0], 'B');
	assert_int_equal(block[9], sizeof(data) & 0xff); /* LE length */
	assert_int_equal(block[10], sizeof(data) >> 8);

	assert_int_equal(cg_rec_decode_block(block, size, &got),
			 CG_REC_BLOCK_OK);
	assert_int_equal(got.tag, 'B');
	assert_true(got.time_us == BASE_US + 123456);
	assert_int_equal(got.len, sizeof(data));
	assert_ptr_equal(got.data, block + CG_REC_HEADER_LEN);
	assert_memory_equal(got.data, data, sizeof(data));
	assert_int_equal(got.size, size);

	/* Every cut is "short", never a false block. */
	for (size_t cut = 0; cut < size; cut++)
		assert_int_equal(cg_rec_decode_block(block, cut, &got),
				 CG_REC_BLOCK_SHORT);
	/* Every single-bit error in the time, data or CRC is caught. */
	for (size_t bit = 8; bit < size * 8; bit++) {
		if (bit / 8 == 9 || bit / 8 == 10)
			continue; /* the length: short or bad, either way */
		block[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(cg_rec_decode_block(block, size, &got),
				 CG_REC_BLOCK_BAD_CRC);
		block[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}

	/* Limits: too long for the length field, too small a buffer. */
	assert_int_equal(cg_rec_encode_block('B', 0, data, CG_REC_DATA_MAX + 1,
					     block, SIZE_MAX), 0);
	assert_int_equal(cg_rec_encode_block('B', 0, data, 10, block,
					     CG_REC_OVERHEAD + 9), 0);
	/* An empty block is still a well-formed block. */
	size = cg_rec_encode_block('N', 5, NULL, 0, block, sizeof(block));
	assert_int_equal(size, CG_REC_OVERHEAD);
	assert_int_equal(cg_rec_decode_block(block, size, &got),
			 CG_REC_BLOCK_OK);
	assert_int_equal(got.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_known_vector),
		cmocka_unit_test(test_crc_matches_bitwise),
		cmocka_unit_test(test_block_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
