/*
 * Unit tests for the decoder's plausibility limits: each field of 0x57
 * spoiled one at a time, vendor frames edited past what a pack can show,
 * cells at the limit and unwired, and the energy counters and impedances.
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

static void expect_status(const struct status_fields *f,
			  enum cg_decode_result expected, const char *what)
{
	struct cg_frame frame;
	struct cg_record rec;
	enum cg_decode_result got;

	build_status(&frame, f);
	got = decode_checked(&frame, &rec);
	if (got != expected)
		fail_msg("0x57 with %s: decoded as %d, expected %d", what, got,
			 expected);
}

/* One field of 0x57 set to a value, in both layouts (V1.26 and older). */
enum status_field { MODE, SOC, T1, T2, CHARGE_END, CURRENT };

static const struct spoil_case {
	enum status_field field;
	int value;
	enum cg_decode_result expected;
} spoil_cases[] = {
	{ MODE, 3, CG_DECODE_IMPLAUSIBLE },
	{ MODE, 0xFF, CG_DECODE_IMPLAUSIBLE },
	{ SOC, 101, CG_DECODE_IMPLAUSIBLE },
	{ SOC, 255, CG_DECODE_IMPLAUSIBLE },
	{ SOC, 100, CG_DECODE_OK },
	{ T1, -600, CG_DECODE_IMPLAUSIBLE }, /* -60.0 degC */
	{ T1, 2000, CG_DECODE_IMPLAUSIBLE }, /* 200.0 degC */
	{ T2, -600, CG_DECODE_IMPLAUSIBLE },
	{ T2, 2000, CG_DECODE_IMPLAUSIBLE },
	{ T1, CG_TEMP_DC_MIN - 1, CG_DECODE_IMPLAUSIBLE },
	{ T1, CG_TEMP_DC_MAX + 1, CG_DECODE_IMPLAUSIBLE },
	{ T2, CG_TEMP_DC_MIN, CG_DECODE_OK },
	{ T2, CG_TEMP_DC_MAX, CG_DECODE_OK },
	{ CHARGE_END, 500, CG_DECODE_IMPLAUSIBLE },
	{ CHARGE_END, CG_END_MV_MIN - 1, CG_DECODE_IMPLAUSIBLE },
	{ CHARGE_END, CG_END_MV_MAX + 1, CG_DECODE_IMPLAUSIBLE },
	{ CHARGE_END, CG_END_MV_MAX, CG_DECODE_OK },
	{ CURRENT, CG_CURRENT_DA_MAX + 1, CG_DECODE_IMPLAUSIBLE },
	{ CURRENT, 0xFFFF, CG_DECODE_IMPLAUSIBLE },
	{ CURRENT, CG_CURRENT_DA_MAX, CG_DECODE_OK },
};

static void spoil(struct status_fields *f, enum status_field field, int value)
{
	switch (field) {
	case MODE:
		f->mode = (unsigned)value;
		break;
	case SOC:
		f->soc = (unsigned)value;
		break;
	case T1:
		f->t1_dc = value;
		break;
	case T2:
		f->t2_dc = value;
		break;
	case CHARGE_END:
		f->charge_end_mv = (unsigned)value;
		break;
	case CURRENT:
		f->current_da = (unsigned)value;
		break;
	}
}

/* Each field of 0x57 outside what a real pack can show, one at a time. */
static void test_status_implausible(void **state)
{
	static const char *const names[] = { "mode", "soc", "t1_dc", "t2_dc",
					     "charge_end_mv", "current_da" };
	struct status_fields f;
	char what[64];

	(void)state;
	expect_status(&sane_v126, CG_DECODE_OK, "sane fields");

	for (size_t i = 0; i < sizeof(spoil_cases) / sizeof(spoil_cases[0]);
	     i++) {
		const struct spoil_case *c = &spoil_cases[i];

		for (int v126 = 1; v126 >= 0; v126--) {
			f = sane_v126;
			f.v126 = v126;
			spoil(&f, c->field, c->value);
			snprintf(what, sizeof(what), "%s = %d%s",
				 names[c->field], c->value,
				 v126 ? "" : " (old)");
			expect_status(&f, c->expected, what);
		}
	}

	/* The V1.26-only fields: only a V1.26 frame carries them. */
	f = sane_v126;
	f.discharge_end_mv = 500;
	expect_status(&f, CG_DECODE_IMPLAUSIBLE, "discharge-end 500 mV");
	f.discharge_end_mv = 6000;
	expect_status(&f, CG_DECODE_IMPLAUSIBLE, "discharge-end 6000 mV");
	/* The lowest settings both ends may take (discharge-end below
	 * charge-end, as on a real unit). */
	f = sane_v126;
	f.v126 = false;
	f.charge_end_mv = CG_END_MV_MIN;
	expect_status(&f, CG_DECODE_OK, "charge-end at the minimum (old)");
	f = sane_v126;
	f.charge_end_mv = CG_END_MV_MIN + 1;
	f.discharge_end_mv = CG_END_MV_MIN;
	expect_status(&f, CG_DECODE_OK, "both ends near the minimum");
	f = sane_v126;
	f.charge_status = 2;
	expect_status(&f, CG_DECODE_IMPLAUSIBLE, "charge status 2");
	f = sane_v126;
	f.discharge_status = 2;
	expect_status(&f, CG_DECODE_IMPLAUSIBLE, "discharge status 2");
	f = sane_v126;
	f.charge_status = 1;
	f.discharge_status = 1;
	expect_status(&f, CG_DECODE_OK, "both protections active");
}

/*
 * Vendor frames with one field edited and the checksum fixed: what a frame
 * damaged past its 8-bit sum looks like. Each must be refused as
 * implausible, or, at the edge of a limit, still pass.
 */
enum field_kind { BYTE, BE16, LE16, LE32 };

static const struct edit_case {
	const char *what;
	const uint8_t *from;
	size_t len;
	size_t at;
	enum field_kind kind;
	uint32_t value;
	enum cg_decode_result expected;
} edit_cases[] = {
	/* 0x56 cells: over 5 V is implausible; 5000 mV is the limit itself. */
	{ "cell 5 at 6000 mV", vendor_cells16, 45, 4 + 2 * 4, BE16, 6000,
	  CG_DECODE_IMPLAUSIBLE },
	{ "old layout, last channel at 6000 mV", vendor_cells_old, 38,
	  4 + 2 * 15, BE16, 6000, CG_DECODE_IMPLAUSIBLE },
	{ "cell 1 at the limit", vendor_cells16, 45, 4, BE16, CG_CELL_MV_MAX,
	  CG_DECODE_OK },
	{ "cell 1 one past the limit", vendor_cells16, 45, 4, BE16,
	  CG_CELL_MV_MAX + 1, CG_DECODE_IMPLAUSIBLE },
	/*
	 * Wh / Ah is the average pack voltage over the integration (the vendor
	 * frame: 47578.742 Wh / 922.723 Ah = 51.6 V for 16 cells near 3.33 V).
	 * A frame whose tail was replaced by junk and still summed right, seen
	 * in the soak, said 4,045,022 Ah: the ratio gives it away.
	 */
	{ "Ah at 0xF11A24D9 mAh", vendor_cells16, 45, 40, LE32, 0xF11A24D9u,
	  CG_DECODE_IMPLAUSIBLE },
	{ "Wh over 5 V per live cell (81 V for 16)", vendor_cells16, 45, 36,
	  LE32, 922723u * 81u, CG_DECODE_IMPLAUSIBLE },
	{ "Wh at 5 V per live cell", vendor_cells16, 45, 36, LE32,
	  922723u * 80u, CG_DECODE_OK },
	{ "Wh at 1 V per live cell", vendor_cells16, 45, 36, LE32,
	  922723u * 16u, CG_DECODE_OK },
	/* 0x58: mode and current are checked as in 0x57. */
	{ "impedance mode 3", vendor_impedance16, 40, 4, BYTE, 3,
	  CG_DECODE_IMPLAUSIBLE },
	{ "impedance current past the limit", vendor_impedance16, 40, 5, LE16,
	  CG_CURRENT_DA_MAX + 1, CG_DECODE_IMPLAUSIBLE },
};

static void test_edited_vendor_frames(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(edit_cases) / sizeof(edit_cases[0]); i++) {
		const struct edit_case *c = &edit_cases[i];
		uint8_t bytes[CG_FRAME_MAX];
		struct cg_record rec;
		enum cg_decode_result got;

		memcpy(bytes, c->from, c->len);
		switch (c->kind) {
		case BYTE:
			bytes[c->at] = (uint8_t)c->value;
			break;
		case BE16:
			test_put_be16(&bytes[c->at], c->value);
			break;
		case LE16:
			test_put_le16(&bytes[c->at], c->value);
			break;
		case LE32:
			test_put_le32(&bytes[c->at], c->value);
			break;
		}
		test_fix_checksum(bytes, c->len);
		got = decode_bytes(bytes, c->len, &rec);
		if (got != c->expected)
			fail_msg("%s: %s, expected %s", c->what,
				 cg_decode_result_name(got),
				 cg_decode_result_name(c->expected));
	}
}

/* A cell at the limit is decoded as it is; unwired channels reading 0
 * are fine, not implausible. */
static void test_cells_at_limit_and_unwired(void **state)
{
	uint8_t bytes[CG_FRAME_MAX];
	struct cg_record rec;

	(void)state;
	memcpy(bytes, vendor_cells16, 45);
	test_put_be16(&bytes[4], CG_CELL_MV_MAX);
	test_fix_checksum(bytes, 45);
	assert_int_equal(decode_bytes(bytes, 45, &rec), CG_DECODE_OK);
	assert_int_equal(rec.u.cells.mv[0], CG_CELL_MV_MAX);

	uint16_t mv[8] = { 3300, 3301, 0, 0, 0, 0, 0, 0 };
	struct cg_frame frame;

	build_cells(&frame, 8, mv, true, 0, 0);
	assert_int_equal(decode_checked(&frame, &rec), CG_DECODE_OK);
	assert_int_equal(rec.u.cells.mv[2], 0);
}

/* A new energy counter (both zero, or under 1 Ah) is not judged. */
static void test_new_energy_counter_not_judged(void **state)
{
	uint16_t mv[8] = { 3300, 3301, 3302, 3303, 0, 0, 0, 0 };
	struct cg_frame frame;
	struct cg_record rec;

	(void)state;
	build_cells(&frame, 8, mv, true, 0, 0);
	assert_int_equal(decode_checked(&frame, &rec), CG_DECODE_OK);
	build_cells(&frame, 8, mv, true, 12000, 900);
	assert_int_equal(decode_checked(&frame, &rec), CG_DECODE_OK);
}

/* Wh/Ah are judged with no live channel too, and an impedance no cell
 * can have rejects its 0x58. */
static void test_counters_and_impedance_ranges(void **state)
{
	static const uint16_t dead[8] = { 5, 0, 20, 999, 0, 0, 0, 3 };
	static const struct {
		uint32_t mwh, mah;
		enum cg_decode_result want;
	} energy[] = {
		{ 4294967295u, 1000000, CG_DECODE_IMPLAUSIBLE },
		{ 4294967295u, 4294967295u, CG_DECODE_IMPLAUSIBLE },
		{ 0, 4294967295u, CG_DECODE_IMPLAUSIBLE },
		{ 40000001, 1000000, CG_DECODE_IMPLAUSIBLE }, /* > 5 V x 8 */
		{ 40000000, 1000000, CG_DECODE_OK },
		{ 26000000, 1000000, CG_DECODE_OK },
		{ 0, 0, CG_DECODE_OK },
	};
	static const struct {
		uint16_t dmohm;
		enum cg_decode_result want;
	} imp[] = {
		{ CG_IMPEDANCE_DMOHM_MAX, CG_DECODE_OK },
		{ CG_IMPEDANCE_DMOHM_MAX + 1, CG_DECODE_IMPLAUSIBLE },
		{ 0xFFFF, CG_DECODE_IMPLAUSIBLE },
	};
	struct cg_frame frame;
	struct cg_record rec;

	(void)state;
	for (size_t i = 0; i < sizeof(energy) / sizeof(energy[0]); i++) {
		build_cells(&frame, 8, dead, true, energy[i].mwh, energy[i].mah);
		if (decode_checked(&frame, &rec) != energy[i].want)
			fail_msg("no live cell, %u mWh %u mAh: not %s",
				 energy[i].mwh, energy[i].mah,
				 cg_decode_result_name(energy[i].want));
	}
	for (size_t i = 0; i < sizeof(imp) / sizeof(imp[0]); i++) {
		uint8_t b[40];

		memcpy(b, vendor_impedance16, 40);
		test_put_le16(&b[4 + 3 + 2 * 15], imp[i].dmohm); /* cell 16 */
		test_fix_checksum(b, 40);
		assert_int_equal(decode_bytes(b, 40, &rec), imp[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_implausible),
		cmocka_unit_test(test_edited_vendor_frames),
		cmocka_unit_test(test_cells_at_limit_and_unwired),
		cmocka_unit_test(test_new_energy_counter_not_judged),
		cmocka_unit_test(test_counters_and_impedance_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
