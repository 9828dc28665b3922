/*
 * Unit tests for inspect and the decoder's firmware reading: the last good
 * frame of each kind is kept beside the record decoded from it, rejects are
 * counted by reason, and the firmware is read from the frame lengths as
 * protocol.md describes them (0x56 with Wh/Ah from V1.24, 0x57 of 19 bytes
 * from V1.26). Frames are the vendor's examples (frames.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "encode.h"
#include "frames.h"
#include "inspect.h"

/* Decodes a frame the way chargery-top does and hands it to inspect. */
static void take(struct cg_inspect *in, const uint8_t *bytes, size_t len)
{
	struct cg_frame frame;
	struct cg_record rec;

	test_frame_from(&frame, bytes, len);
	assert_int_equal(cg_decode(&frame, &rec), CG_DECODE_OK);
	cg_inspect_frame(in, &frame, &rec);
}

/* A V1.26 0x57: 19 bytes with the protection fields. */
static void status_v126(struct cg_frame *frame)
{
	struct cg_status st = {
		.charge_end_mv = 3650, .mode = CG_MODE_CHARGE,
		.current_da = 192, .t1_dc = 204, .t2_dc = 206, .soc_pct = 63,
		.has_protection = true, .discharge_end_mv = 2800,
	};

	memset(frame, 0, sizeof(*frame));
	frame->len = (uint8_t)cg_encode_status(&st, CG_FW_V126, frame->bytes);
	assert_int_equal(frame->len, 19);
}

static void test_init_knows_nothing(void **state)
{
	struct cg_inspect in;
	(void)state;

	memset(&in, 0xA5, sizeof(in));
	cg_inspect_init(&in);
	assert_null(cg_inspect_firmware(&in));
	for (int t = 0; t < CG_REC_TYPES; t++)
		assert_false(in.have_last[t]);
	assert_int_equal(cg_inspect_rejected(&in, CG_DECODE_IMPLAUSIBLE), 0);
}

static void test_rejects_by_reason(void **state)
{
	struct cg_inspect in;
	(void)state;

	cg_inspect_init(&in);
	cg_inspect_reject(&in, CG_DECODE_IMPLAUSIBLE);
	cg_inspect_reject(&in, CG_DECODE_IMPLAUSIBLE);
	cg_inspect_reject(&in, CG_DECODE_BAD_LENGTH);
	/* Not reasons: never counted, never out of bounds. */
	cg_inspect_reject(&in, CG_DECODE_OK);
	cg_inspect_reject(&in, (enum cg_decode_result)-5);
	cg_inspect_reject(&in, (enum cg_decode_result)3);
	assert_int_equal(cg_inspect_rejected(&in, CG_DECODE_IMPLAUSIBLE), 2);
	assert_int_equal(cg_inspect_rejected(&in, CG_DECODE_BAD_LENGTH), 1);
	assert_int_equal(cg_inspect_rejected(&in, CG_DECODE_BAD_CHECKSUM), 0);
	assert_int_equal(cg_inspect_rejected(&in, CG_DECODE_UNKNOWN_CMD), 0);
	assert_int_equal(cg_inspect_rejected(&in, CG_DECODE_OK), 0);
}

static void test_keeps_bytes_beside_record(void **state)
{
	struct cg_inspect in;
	(void)state;

	cg_inspect_init(&in);
	take(&in, vendor_cells16, sizeof(vendor_cells16));
	take(&in, vendor_impedance16, sizeof(vendor_impedance16));
	assert_true(in.have_last[CG_REC_CELLS]);
	assert_true(in.have_last[CG_REC_IMPEDANCE]);
	assert_false(in.have_last[CG_REC_STATUS]);

	assert_int_equal(in.last[CG_REC_CELLS].len, sizeof(vendor_cells16));
	assert_memory_equal(in.last[CG_REC_CELLS].bytes, vendor_cells16,
			    sizeof(vendor_cells16));
	/* The record is the one decoded from those bytes: values as the
	 * document gives them, not as the pack made of them later. */
	assert_int_equal(in.decoded[CG_REC_CELLS].type, CG_REC_CELLS);
	assert_int_equal(in.decoded[CG_REC_CELLS].u.cells.count, 16);
	assert_memory_equal(in.decoded[CG_REC_CELLS].u.cells.mv,
			    vendor_cells16_mv, sizeof(vendor_cells16_mv));
	assert_int_equal(in.decoded[CG_REC_CELLS].u.cells.energy_mwh,
			 47578742);
	assert_int_equal(in.decoded[CG_REC_IMPEDANCE].u.impedance.current_da,
			 228);

	/* A newer frame of a kind replaces the last one, bytes and record. */
	take(&in, vendor_cells_old, sizeof(vendor_cells_old));
	assert_int_equal(in.last[CG_REC_CELLS].len, sizeof(vendor_cells_old));
	assert_false(in.decoded[CG_REC_CELLS].u.cells.has_energy);
	assert_int_equal(in.decoded[CG_REC_CELLS].u.cells.mv[0], 3932);
	/* ... and leaves the others alone. */
	assert_int_equal(in.last[CG_REC_IMPEDANCE].len,
			 sizeof(vendor_impedance16));
}

static void test_firmware_from_lengths(void **state)
{
	struct cg_inspect in;
	struct cg_frame st;
	struct cg_record rec;
	(void)state;

	cg_inspect_init(&in);
	take(&in, vendor_impedance16, sizeof(vendor_impedance16));
	assert_string_equal(cg_inspect_firmware(&in),
			    "unknown yet (0x56 not seen, 0x57 not seen)");
	take(&in, vendor_status_charge, sizeof(vendor_status_charge));
	assert_string_equal(cg_inspect_firmware(&in),
			    "before V1.24 (0x56 not seen, 0x57 of 15 bytes)");
	take(&in, vendor_cells16, sizeof(vendor_cells16));
	assert_string_equal(cg_inspect_firmware(&in),
			    "V1.24 or V1.25 (0x56 with Wh/Ah, 0x57 of 15 bytes)");
	status_v126(&st);
	assert_int_equal(cg_decode(&st, &rec), CG_DECODE_OK);
	cg_inspect_frame(&in, &st, &rec);
	assert_string_equal(cg_inspect_firmware(&in),
			    "V1.26 or later (0x56 with Wh/Ah, 0x57 of 19 bytes)");
	/* A later 0x56 without Wh/Ah is said as it is. */
	take(&in, vendor_cells_old, sizeof(vendor_cells_old));
	assert_string_equal(cg_inspect_firmware(&in),
		"V1.26 or later (0x56 without Wh/Ah, 0x57 of 19 bytes)");

	/* Before V1.21 the 0x57 has 13 bytes (no mode byte): said so, and
	 * not as "of 15 bytes". */
	static const uint8_t status13[] = {
		0x24, 0x24, 0x57, 0x0D, 0x0A, 0xBE, 0x00, 0x00, 0x00, 0x76,
		0x00, 0x70, 0x5A };
	cg_inspect_init(&in);
	take(&in, vendor_cells_old, sizeof(vendor_cells_old));
	take(&in, status13, sizeof(status13));
	assert_string_equal(cg_inspect_firmware(&in),
		"before V1.21 (0x56 without Wh/Ah, 0x57 of 13 bytes)");
}

static void test_decode_firmware_says_when_it_changed(void **state)
{
	struct cg_firmware_seen fw;
	struct cg_frame a, b;
	(void)state;

	memset(&fw, 0, sizeof(fw));
	test_frame_from(&a, vendor_cells16, sizeof(vendor_cells16));
	test_frame_from(&b, vendor_impedance16, sizeof(vendor_impedance16));
	assert_true(cg_decode_firmware(&a, &fw));
	assert_true(fw.seen && fw.cells_known && fw.cells_energy);
	assert_false(fw.status_known);
	assert_false(cg_decode_firmware(&a, &fw)); /* the same again */
	assert_false(cg_decode_firmware(&b, &fw)); /* 0x58 says nothing */

	memset(&fw, 0, sizeof(fw));
	assert_true(cg_decode_firmware(&b, &fw)); /* but it is a frame */
	assert_true(fw.seen);
	assert_false(fw.cells_known || fw.status_known);
}

static void test_firmware_text_fits_its_buffer(void **state)
{
	struct cg_firmware_seen fw = { .seen = true, .status_known = true,
				       .status_protection = true };
	char buf[10];
	(void)state;

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(cg_firmware_text(&fw, buf, sizeof(buf)), 9);
	assert_string_equal(buf, "V1.26 or ");
	memset(&fw, 0, sizeof(fw));
	assert_int_equal(cg_firmware_text(&fw, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(cg_firmware_text(&fw, buf, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_knows_nothing),
		cmocka_unit_test(test_rejects_by_reason),
		cmocka_unit_test(test_keeps_bytes_beside_record),
		cmocka_unit_test(test_firmware_from_lengths),
		cmocka_unit_test(test_decode_firmware_says_when_it_changed),
		cmocka_unit_test(test_firmware_text_fits_its_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
