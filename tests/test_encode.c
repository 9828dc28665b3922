/*
 * Unit tests for the encoder, checked byte for byte against the vendor's
 * example frames (frames.h) from values written out by hand, so it is held
 * to the document and not to the decoder; and the layout of every length
 * protocol.md lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decoder.h"
#include "encode.h"
#include "framer.h"
#include "frames.h"
#include "sim.h"

static void assert_encoded(const uint8_t *got, size_t got_len,
			   const uint8_t *want, size_t want_len)
{
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
}

/* ------------------------------------------------------------------ */
/* Encoder against the vendor frames                                   */

static void test_encode_vendor_status_charge(void **state)
{
	struct cg_status status = {
		.charge_end_mv = 3620,
		.mode = CG_MODE_CHARGE,
		.current_da = 230,
		.t1_dc = 129,
		.t2_dc = 132,
		.soc_pct = 91,
	};
	uint8_t out[CG_FRAME_MAX];
	size_t n;

	(void)state;
	n = cg_encode_status(&status, CG_FW_OLD, out);
	assert_encoded(out, n, vendor_status_charge,
		       sizeof(vendor_status_charge));
}

/* Negative current (discharge) and negative temperatures: the wire holds
 * the magnitude and two's-complement temperatures. */
static void test_encode_vendor_status_discharge(void **state)
{
	struct cg_status status = {
		.charge_end_mv = 4200,
		.mode = CG_MODE_DISCHARGE,
		.current_da = -12,
		.t1_dc = -223,
		.t2_dc = -223,
		.soc_pct = 0,
	};
	uint8_t out[CG_FRAME_MAX];
	size_t n;

	(void)state;
	n = cg_encode_status(&status, CG_FW_OLD, out);
	assert_encoded(out, n, vendor_status_discharge,
		       sizeof(vendor_status_discharge));
}

static void test_encode_vendor_cells16(void **state)
{
	struct cg_cells cells = {
		.count = 16,
		.has_energy = true,
		.energy_mwh = 47578742,
		.charge_mah = 922723,
	};
	uint8_t out[CG_FRAME_MAX];
	size_t n;

	(void)state;
	memcpy(cells.mv, vendor_cells16_mv, sizeof(vendor_cells16_mv));
	n = cg_encode_cells(&cells, CG_FW_V126, out);
	assert_encoded(out, n, vendor_cells16, sizeof(vendor_cells16));
}

static void test_encode_vendor_cells_old(void **state)
{
	struct cg_cells cells = { .count = 16 };
	uint8_t out[CG_FRAME_MAX];
	size_t n;

	(void)state;
	memcpy(cells.mv, vendor_cells_old_mv, sizeof(vendor_cells_old_mv));
	n = cg_encode_cells(&cells, CG_FW_OLD, out);
	assert_encoded(out, n, vendor_cells_old, sizeof(vendor_cells_old));
}

static void test_encode_vendor_impedance16(void **state)
{
	struct cg_impedance imp = {
		.mode = CG_MODE_CHARGE,
		.current_da = 228,
		.count = 16,
	};
	uint8_t out[CG_FRAME_MAX];
	size_t n;

	(void)state;
	memcpy(imp.impedance_dmohm, vendor_impedance16_dmohm,
	       sizeof(vendor_impedance16_dmohm));
	n = cg_encode_impedance(&imp, out);
	assert_encoded(out, n, vendor_impedance16, sizeof(vendor_impedance16));
}

/* The lengths for every unit and firmware, as protocol.md lists them. */
static void test_encode_lengths(void **state)
{
	static const struct {
		uint8_t slots;
		size_t v126, old;
	} cell_lengths[] = { { 8, 29, 22 }, { 16, 45, 38 }, { 24, 61, 54 } };
	struct cg_cells cells = { 0 };
	struct cg_status status = { .charge_end_mv = 3650 };
	struct cg_impedance imp = { 0 };
	uint8_t out[CG_FRAME_MAX];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		cells.count = cell_lengths[i].slots;
		assert_int_equal(cg_encode_cells(&cells, CG_FW_V126, out),
				 cell_lengths[i].v126);
		assert_int_equal(out[3], cell_lengths[i].v126);
		assert_int_equal(cg_encode_cells(&cells, CG_FW_OLD, out),
				 cell_lengths[i].old);
		assert_int_equal(out[3], cell_lengths[i].old);
	}
	assert_int_equal(cg_encode_status(&status, CG_FW_V126, out), 19);
	assert_int_equal(cg_encode_status(&status, CG_FW_OLD, out), 15);
	for (uint8_t count = 1; count <= CG_MAX_CELLS; count++) {
		imp.count = count;
		assert_int_equal(cg_encode_impedance(&imp, out), 8 + 2 * count);
	}
}

/* No vendor dump of a V1.26 0x57 exists: check its layout field by field
 * and that the decoder reads back what went in. */
static void test_encode_status_v126(void **state)
{
	static const uint8_t want[] = {
		0x24, 0x24, 0x57, 0x13,
		0x0E, 0x42,	/* charge end 3650 mV, big-endian */
		0x00,		/* discharge */
		0x01, 0x90,	/* 40.0 A, magnitude only */
		0xFF, 0x9C,	/* -10.0 degC */
		0x00, 0xFA,	/* 25.0 degC */
		0x32,		/* 50 % */
		0x0A, 0xF0,	/* discharge end 2800 mV */
		0x01, 0x00,	/* charge protection on, discharge off */
		0x00,		/* checksum, filled below */
	};
	uint8_t expected[sizeof(want)];
	struct cg_status status = {
		.charge_end_mv = 3650,
		.mode = CG_MODE_DISCHARGE,
		.current_da = -400,
		.t1_dc = -100,
		.t2_dc = 250,
		.soc_pct = 50,
		.has_protection = true,
		.discharge_end_mv = 2800,
		.charge_protect = true,
		.discharge_protect = false,
	};
	struct cg_frame frame;
	struct cg_record rec;
	size_t n;

	(void)state;
	memcpy(expected, want, sizeof(want));
	test_fix_checksum(expected, sizeof(expected));
	n = cg_encode_status(&status, CG_FW_V126, frame.bytes);
	assert_encoded(frame.bytes, n, expected, sizeof(expected));

	frame.len = (uint8_t)n;
	assert_int_equal(cg_decode(&frame, &rec), CG_DECODE_OK);
	assert_int_equal(rec.type, CG_REC_STATUS);
	assert_int_equal(rec.u.status.charge_end_mv, 3650);
	assert_int_equal(rec.u.status.mode, CG_MODE_DISCHARGE);
	assert_int_equal(rec.u.status.current_da, -400);
	assert_int_equal(rec.u.status.t1_dc, -100);
	assert_int_equal(rec.u.status.t2_dc, 250);
	assert_int_equal(rec.u.status.soc_pct, 50);
	assert_true(rec.u.status.has_protection);
	assert_int_equal(rec.u.status.discharge_end_mv, 2800);
	assert_true(rec.u.status.charge_protect);
	assert_false(rec.u.status.discharge_protect);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_vendor_status_charge),
		cmocka_unit_test(test_encode_vendor_status_discharge),
		cmocka_unit_test(test_encode_vendor_cells16),
		cmocka_unit_test(test_encode_vendor_cells_old),
		cmocka_unit_test(test_encode_vendor_impedance16),
		cmocka_unit_test(test_encode_lengths),
		cmocka_unit_test(test_encode_status_v126),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
