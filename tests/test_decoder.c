/*
 * Unit tests for the decoder: every vendor frame field by field, every
 * firmware variant of 0x56 and 0x57, and the refusals for a bad checksum,
 * a bad length and an unknown command. The plausibility limits are in
 * tests/test_decoder_plausible.c.
 *
 * Expected values were decoded by hand from the bytes (see frames.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decoder.h"
#include "frames.h"
#include "decoder_fixture.h"

/* The two vendor 0x57 frames, field by field (values from frames.h). */
static const struct vendor_status_case {
	const uint8_t *bytes;
	unsigned charge_end_mv;
	enum cg_mode mode;
	int current_da;
	int t1_dc, t2_dc;
	unsigned soc_pct;
} vendor_status_cases[] = {
	{ vendor_status_charge, 3620, CG_MODE_CHARGE, 230, 129, 132, 91 },
	/* Magnitude 12 on the wire; discharging makes it negative. */
	{ vendor_status_discharge, 4200, CG_MODE_DISCHARGE, -12, -223, -223, 0 },
};

static void test_vendor_status(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vendor_status_cases) /
				   sizeof(vendor_status_cases[0]); i++) {
		const struct vendor_status_case *c = &vendor_status_cases[i];
		struct cg_record rec;

		assert_int_equal(decode_bytes(c->bytes, 15, &rec),
				 CG_DECODE_OK);
		assert_int_equal(rec.type, CG_REC_STATUS);
		assert_int_equal(rec.u.status.charge_end_mv, c->charge_end_mv);
		assert_int_equal(rec.u.status.mode, c->mode);
		assert_int_equal(rec.u.status.current_da, c->current_da);
		assert_int_equal(rec.u.status.t1_dc, c->t1_dc);
		assert_int_equal(rec.u.status.t2_dc, c->t2_dc);
		assert_int_equal(rec.u.status.soc_pct, c->soc_pct);
		assert_false(rec.u.status.has_protection);
	}
}

static void test_vendor_cells16(void **state)
{
	struct cg_record rec;

	(void)state;
	assert_int_equal(decode_bytes(vendor_cells16, 45, &rec), CG_DECODE_OK);
	assert_int_equal(rec.type, CG_REC_CELLS);
	assert_int_equal(rec.u.cells.count, 16);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(rec.u.cells.mv[i], vendor_cells16_mv[i]);
	assert_true(rec.u.cells.has_energy);
	assert_int_equal(rec.u.cells.energy_mwh, 47578742);
	assert_int_equal(rec.u.cells.charge_mah, 922723);
}

static void test_vendor_impedance16(void **state)
{
	struct cg_record rec;

	(void)state;
	assert_int_equal(decode_bytes(vendor_impedance16, 40, &rec),
			 CG_DECODE_OK);
	assert_int_equal(rec.type, CG_REC_IMPEDANCE);
	assert_int_equal(rec.u.impedance.mode, CG_MODE_CHARGE);
	assert_int_equal(rec.u.impedance.current_da, 228);
	assert_int_equal(rec.u.impedance.count, 16);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(rec.u.impedance.impedance_dmohm[i],
				 vendor_impedance16_dmohm[i]);
}

static void test_vendor_cells_old_firmware(void **state)
{
	struct cg_record rec;

	(void)state;
	assert_int_equal(decode_bytes(vendor_cells_old, 38, &rec),
			 CG_DECODE_OK);
	assert_int_equal(rec.type, CG_REC_CELLS);
	/* Every channel the frame carries, wired or not. */
	assert_int_equal(rec.u.cells.count, 16);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(rec.u.cells.mv[i], vendor_cells_old_mv[i]);
	assert_int_equal(rec.u.cells.mv[0], 3932);
	assert_int_equal(rec.u.cells.mv[1], 3948);
	assert_int_equal(rec.u.cells.mv[2], 3942);
	assert_false(rec.u.cells.has_energy);
}

/* 8T (29 bytes) and 24T (61 bytes) built by hand. */
static void test_cells_8_and_24(void **state)
{
	uint16_t mv[24];
	struct cg_frame frame;
	struct cg_record rec;

	(void)state;
	for (unsigned i = 0; i < 24; i++)
		mv[i] = (uint16_t)(3000 + 37 * i);

	/* Distinct bytes show the byte order; Wh/Ah = 12.4 V for 8 live
	 * cells, which the energy consistency check accepts. */
	build_cells(&frame, 8, mv, true, 0x00A1B2C3, 0x000D0E0F);
	assert_int_equal(frame.len, 29);
	assert_int_equal(decode_checked(&frame, &rec), CG_DECODE_OK);
	assert_int_equal(rec.type, CG_REC_CELLS);
	assert_int_equal(rec.u.cells.count, 8);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(rec.u.cells.mv[i], mv[i]);
	assert_true(rec.u.cells.has_energy);
	assert_int_equal(rec.u.cells.energy_mwh, 0x00A1B2C3);
	assert_int_equal(rec.u.cells.charge_mah, 0x000D0E0F);

	build_cells(&frame, 24, mv, true, 12345, 678);
	assert_int_equal(frame.len, 61);
	assert_int_equal(decode_checked(&frame, &rec), CG_DECODE_OK);
	assert_int_equal(rec.u.cells.count, 24);
	for (unsigned i = 0; i < 24; i++)
		assert_int_equal(rec.u.cells.mv[i], mv[i]);
	assert_int_equal(rec.u.cells.energy_mwh, 12345);
	assert_int_equal(rec.u.cells.charge_mah, 678);
}

/* V1.26 0x57 (19 bytes): the three extra fields are decoded. */
static void test_status_v126(void **state)
{
	struct cg_frame frame;
	struct cg_record rec;

	(void)state;
	build_status(&frame, &sane_v126);
	assert_int_equal(frame.len, 19);
	assert_int_equal(decode_checked(&frame, &rec), CG_DECODE_OK);
	assert_int_equal(rec.type, CG_REC_STATUS);
	assert_int_equal(rec.u.status.charge_end_mv, 3650);
	assert_int_equal(rec.u.status.mode, CG_MODE_CHARGE);
	assert_int_equal(rec.u.status.current_da, 150);
	assert_int_equal(rec.u.status.t1_dc, 251);
	assert_int_equal(rec.u.status.t2_dc, -45);
	assert_int_equal(rec.u.status.soc_pct, 77);
	assert_true(rec.u.status.has_protection);
	assert_int_equal(rec.u.status.discharge_end_mv, 2800);
	assert_false(rec.u.status.charge_protect);
	assert_true(rec.u.status.discharge_protect);

	/* And the other way round, discharging. */
	struct status_fields f = sane_v126;

	f.mode = 0;
	f.current_da = 1999;
	f.charge_status = 1;
	f.discharge_status = 0;
	build_status(&frame, &f);
	assert_int_equal(decode_checked(&frame, &rec), CG_DECODE_OK);
	assert_int_equal(rec.u.status.mode, CG_MODE_DISCHARGE);
	assert_int_equal(rec.u.status.current_da, -1999);
	assert_true(rec.u.status.has_protection);
	assert_true(rec.u.status.charge_protect);
	assert_false(rec.u.status.discharge_protect);
}

/*
 * The exact vendor 0x57 charge frame with the four V1.26 bytes added by hand:
 * 24 24 57 13 0E 24 01 00 E6 00 81 00 84 5B | 0A F0 00 01 | checksum.
 * 0x0AF0 = 2800 mV; charge released, discharge protection active.
 */
static void test_status_v126_from_vendor_bytes(void **state)
{
	uint8_t bytes[19];
	struct cg_record rec;

	(void)state;
	memcpy(bytes, vendor_status_charge, 14);
	bytes[3] = 0x13;
	bytes[14] = 0x0A;
	bytes[15] = 0xF0;
	bytes[16] = 0x00;
	bytes[17] = 0x01;
	test_fix_checksum(bytes, 19);
	assert_int_equal(bytes[18], 0x26); /* 0x27 + 4 + 0x0A + 0xF0 + 0x01 */
	assert_int_equal(decode_bytes(bytes, 19, &rec), CG_DECODE_OK);
	assert_int_equal(rec.u.status.charge_end_mv, 3620);
	assert_int_equal(rec.u.status.current_da, 230);
	assert_int_equal(rec.u.status.soc_pct, 91);
	assert_true(rec.u.status.has_protection);
	assert_int_equal(rec.u.status.discharge_end_mv, 2800);
	assert_false(rec.u.status.charge_protect);
	assert_true(rec.u.status.discharge_protect);
}

static void test_status_storage_mode(void **state)
{
	struct status_fields f = sane_v126;
	struct cg_frame frame;
	struct cg_record rec;

	(void)state;
	f.mode = 2;
	f.current_da = 0;
	f.v126 = false;
	build_status(&frame, &f);
	assert_int_equal(decode_checked(&frame, &rec), CG_DECODE_OK);
	assert_int_equal(rec.u.status.mode, CG_MODE_STORAGE);
	assert_int_equal(rec.u.status.current_da, 0);
	assert_false(rec.u.status.has_protection);
}

/* 0x58 while discharging: current negative, as in cg_status. 4S = 0x10. */
static void test_impedance_discharge_4s(void **state)
{
	struct cg_frame frame;
	struct cg_record rec;

	(void)state;
	test_frame_begin(&frame, 0x58, 0x10);
	frame.bytes[4] = 0;
	test_put_le16(&frame.bytes[5], 0x0123); /* 291 dA */
	test_put_le16(&frame.bytes[7], 12);
	test_put_le16(&frame.bytes[9], 300);
	test_put_le16(&frame.bytes[11], 0x0102);
	test_put_le16(&frame.bytes[13], 7);
	test_frame_seal(&frame);

	assert_int_equal(decode_checked(&frame, &rec), CG_DECODE_OK);
	assert_int_equal(rec.type, CG_REC_IMPEDANCE);
	assert_int_equal(rec.u.impedance.mode, CG_MODE_DISCHARGE);
	assert_int_equal(rec.u.impedance.current_da, -291);
	assert_int_equal(rec.u.impedance.count, 4);
	assert_int_equal(rec.u.impedance.impedance_dmohm[0], 12);
	assert_int_equal(rec.u.impedance.impedance_dmohm[1], 300);
	assert_int_equal(rec.u.impedance.impedance_dmohm[2], 258);
	assert_int_equal(rec.u.impedance.impedance_dmohm[3], 7);
}

static void test_bad_checksum(void **state)
{
	(void)state;
	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++) {
		const struct vendor_frame *v = &vendor_frames[i];
		uint8_t bytes[CG_FRAME_MAX];
		struct cg_record rec;

		memcpy(bytes, v->bytes, v->len);
		bytes[v->len - 1] ^= 0x40;
		assert_int_equal(decode_bytes(bytes, v->len, &rec),
				 CG_DECODE_BAD_CHECKSUM);

		/* A damaged payload byte, checksum left as it was. */
		memcpy(bytes, v->bytes, v->len);
		bytes[5] ^= 0x01;
		assert_int_equal(decode_bytes(bytes, v->len, &rec),
				 CG_DECODE_BAD_CHECKSUM);
	}
}

static void test_bad_length(void **state)
{
	uint8_t bytes[CG_FRAME_MAX];
	struct cg_record rec;

	(void)state;
	/* A vendor frame's first bytes under a length byte not allowed for
	 * its command, zero-padded, checksum right. */
	static const struct {
		const uint8_t *from;
		size_t keep;
		uint8_t len;
	} cases[] = {
		{ vendor_status_charge, 14, 16 }, /* 0x57: one byte too many */
		{ vendor_cells16, 43, 44 },       /* 0x56 of 44 */
		{ vendor_impedance16, 39, 41 },   /* 0x58 of 41 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(bytes, 0, sizeof(bytes));
		memcpy(bytes, cases[i].from, cases[i].keep);
		bytes[3] = cases[i].len;
		test_fix_checksum(bytes, cases[i].len);
		if (decode_bytes(bytes, cases[i].len, &rec) !=
		    CG_DECODE_BAD_LENGTH)
			fail_msg("cmd 0x%02X of %u bytes not refused as bad "
				 "length", bytes[2], cases[i].len);
	}

	/* The length byte says one thing and the frame holds another. */
	memcpy(bytes, vendor_status_charge, 15);
	bytes[3] = 19;
	test_fix_checksum(bytes, 15);
	assert_int_not_equal(decode_bytes(bytes, 15, &rec), CG_DECODE_OK);
}

static void test_unknown_cmd(void **state)
{
	uint8_t bytes[15];
	struct cg_record rec;

	(void)state;
	memcpy(bytes, vendor_status_charge, 15);
	bytes[2] = 0x59;
	test_fix_checksum(bytes, 15);
	assert_int_equal(decode_bytes(bytes, 15, &rec), CG_DECODE_UNKNOWN_CMD);
}

/* Lengths no frame may have are refused before any field is read: every
 * read is sized by the length, so it must be one the table allows. The
 * sums are wrong too; the length is judged first. */
static void test_refuses_lengths_before_reading(void **state)
{
	struct cg_frame frame;
	struct cg_record rec;

	(void)state;
	memset(&frame, 0, sizeof(frame));
	frame.bytes[0] = frame.bytes[1] = 0x24;
	frame.bytes[2] = CG_CMD_CELLS;
	frame.len = frame.bytes[3] = 5; /* (5 - 13) / 2 cells */
	assert_int_equal(cg_decode(&frame, &rec), CG_DECODE_BAD_LENGTH);
	frame.bytes[2] = CG_CMD_IMPEDANCE;
	frame.len = frame.bytes[3] = 6;
	assert_int_equal(cg_decode(&frame, &rec), CG_DECODE_BAD_LENGTH);
	frame.len = frame.bytes[3] = 64;
	assert_int_equal(cg_decode(&frame, &rec), CG_DECODE_BAD_LENGTH);
	frame.bytes[2] = 0x59;
	frame.len = frame.bytes[3] = 15;
	assert_int_equal(cg_decode(&frame, &rec), CG_DECODE_UNKNOWN_CMD);
}

/*
 * Firmware before V1.21: 0x57 of 13 bytes, no mode and no SOC; the
 * current is a magnitude. Bytes from a real BMS24T (chargery2PERL) and
 * built ones, decoded by hand: 0x0ABE = 2750 mV, 0x0075 = 11.7 C.
 */
static void test_status_before_v121(void **state)
{
	static const struct {
		uint8_t bytes[13];
		unsigned charge_end_mv, current_da;
		int t1_dc, t2_dc;
	} cases[] = {
		{ { 0x24, 0x24, 0x57, 0x0D, 0x0A, 0xBE, 0x00, 0x00, 0x00, 0x76,
		    0x00, 0x70, 0x5A }, 2750, 0, 118, 112 },
		{ { 0x24, 0x24, 0x57, 0x0D, 0x0E, 0x24, 0x00, 0xE6, 0x00, 0x81,
		    0xFF, 0x21, 0 }, 3620, 230, 129, -223 },
		{ { 0x24, 0x24, 0x57, 0x0D, 0x10, 0x68, 0x4E, 0x20, 0x00, 0x00,
		    0x05, 0xDC, 0 }, 4200, 20000, 0, 1500 },
	};
	struct cg_record rec;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[13];

		memcpy(b, cases[i].bytes, 13);
		test_fix_checksum(b, 13);
		assert_int_equal(decode_bytes(b, 13, &rec), CG_DECODE_OK);
		assert_int_equal(rec.type, CG_REC_STATUS);
		assert_false(rec.u.status.has_mode);
		assert_int_equal(rec.u.status.mode, CG_MODE_UNKNOWN);
		assert_false(rec.u.status.has_soc);
		assert_int_equal(rec.u.status.soc_pct, 0);
		assert_false(rec.u.status.has_protection);
		assert_int_equal(rec.u.status.charge_end_mv,
				 cases[i].charge_end_mv);
		assert_int_equal(rec.u.status.current_da, cases[i].current_da);
		assert_int_equal(rec.u.status.t1_dc, cases[i].t1_dc);
		assert_int_equal(rec.u.status.t2_dc, cases[i].t2_dc);
	}
	/* The same plausibility limits: current and temperature. */
	uint8_t b[13];
	memcpy(b, cases[2].bytes, 13);
	b[7] = 0x21; /* 0x4E21 = 20001 dA */
	test_fix_checksum(b, 13);
	assert_int_equal(decode_bytes(b, 13, &rec), CG_DECODE_IMPLAUSIBLE);
	memcpy(b, cases[2].bytes, 13);
	b[11] = 0xDD; /* 1501 dC */
	test_fix_checksum(b, 13);
	assert_int_equal(decode_bytes(b, 13, &rec), CG_DECODE_IMPLAUSIBLE);
	/* The 15-byte frame says it has both. */
	assert_int_equal(decode_bytes(vendor_status_charge, 15, &rec),
			 CG_DECODE_OK);
	assert_true(rec.u.status.has_mode);
	assert_true(rec.u.status.has_soc);
}

/* V1.22/V1.23 0x56 (6 + 2N bytes): the byte after the cells is the SOC.
 * The 8T frame is a real one (diysolarforum, SOC 0x64 = 100 %). */
static void test_cells_soc_byte(void **state)
{
	static const uint8_t bms8t[22] = {
		0x24, 0x24, 0x56, 0x16, 0x0E, 0x14, 0x0D, 0x10, 0x0D, 0x0D,
		0x0D, 0x10, 0x0D, 0x12, 0x0D, 0x1A, 0x0D, 0x2E, 0x0D, 0xB4,
		0x64, 0xD0,
	};
	static const uint16_t bms8t_mv[8] = { 3604, 3344, 3341, 3344,
					      3346, 3354, 3374, 3508 };
	static const struct {
		unsigned n;
		uint8_t soc;
		enum cg_decode_result want;
	} cases[] = {
		{ 8, 0, CG_DECODE_OK },    { 16, 57, CG_DECODE_OK },
		{ 24, 100, CG_DECODE_OK }, { 24, 101, CG_DECODE_IMPLAUSIBLE },
		{ 8, 255, CG_DECODE_IMPLAUSIBLE },
	};
	struct cg_frame frame;
	struct cg_record rec;
	uint16_t mv[24];

	(void)state;
	assert_int_equal(decode_bytes(bms8t, 22, &rec), CG_DECODE_OK);
	assert_int_equal(rec.u.cells.count, 8);
	assert_memory_equal(rec.u.cells.mv, bms8t_mv, sizeof(bms8t_mv));
	assert_true(rec.u.cells.has_soc);
	assert_int_equal(rec.u.cells.soc_pct, 100);
	assert_false(rec.u.cells.has_energy);

	for (unsigned i = 0; i < 24; i++)
		mv[i] = (uint16_t)(2500 + i);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build_cells(&frame, cases[i].n, mv, false, 0, 0);
		frame.bytes[4 + 2 * cases[i].n] = cases[i].soc;
		test_frame_seal(&frame);
		assert_int_equal(decode_checked(&frame, &rec), cases[i].want);
		if (cases[i].want != CG_DECODE_OK)
			continue;
		assert_int_equal(rec.u.cells.count, cases[i].n);
		assert_true(rec.u.cells.has_soc);
		assert_int_equal(rec.u.cells.soc_pct, cases[i].soc);
	}
	/* V1.24+ carries Wh/Ah there instead: no SOC. */
	assert_int_equal(decode_bytes(vendor_cells16, 45, &rec), CG_DECODE_OK);
	assert_false(rec.u.cells.has_soc);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(cg_mode_name(CG_MODE_DISCHARGE), "discharge");
	assert_string_equal(cg_mode_name(CG_MODE_CHARGE), "charge");
	assert_string_equal(cg_mode_name(CG_MODE_STORAGE), "storage");
	assert_string_equal(cg_mode_name(CG_MODE_UNKNOWN), "unknown");

	const enum cg_decode_result results[] = {
		CG_DECODE_OK, CG_DECODE_UNKNOWN_CMD, CG_DECODE_BAD_LENGTH,
		CG_DECODE_BAD_CHECKSUM, CG_DECODE_IMPLAUSIBLE,
	};
	for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++) {
		const char *name = cg_decode_result_name(results[i]);

		assert_non_null(name);
		assert_true(name[0] != '\0');
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(
				name, cg_decode_result_name(results[j]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vendor_status),
		cmocka_unit_test(test_vendor_cells16),
		cmocka_unit_test(test_vendor_impedance16),
		cmocka_unit_test(test_vendor_cells_old_firmware),
		cmocka_unit_test(test_cells_8_and_24),
		cmocka_unit_test(test_status_v126),
		cmocka_unit_test(test_status_v126_from_vendor_bytes),
		cmocka_unit_test(test_status_storage_mode),
		cmocka_unit_test(test_impedance_discharge_4s),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_bad_length),
		cmocka_unit_test(test_unknown_cmd),
		cmocka_unit_test(test_refuses_lengths_before_reading),
		cmocka_unit_test(test_status_before_v121),
		cmocka_unit_test(test_cells_soc_byte),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
