/*
 * Unit tests for the SOC byte of an old 0x56 (decoder.h,
 * cg_decode_cells_soc_trusted): taken for the SOC from V1.22 units, and
 * while no 0x57 has said otherwise, but not from a unit whose 0x57 has no
 * SOC (13 bytes, before V1.21), whose byte after the cells is something
 * else: the record loses it, and the pack drops a SOC it had from it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decoder.h"
#include "encode.h"
#include "framer.h"
#include "pack.h"

/* A record decoded from the frame the encoder makes for fw. */
static struct cg_record decoded_cells(enum cg_firmware fw, uint8_t soc)
{
	struct cg_cells cells = { .count = 8, .has_soc = true,
				  .soc_pct = soc };
	struct cg_frame frame;
	struct cg_record rec;

	for (unsigned i = 0; i < 8; i++)
		cells.mv[i] = (uint16_t)(3300 + i);
	frame.len = (uint8_t)cg_encode_cells(&cells, fw, frame.bytes);
	assert_int_equal(cg_decode(&frame, &rec), CG_DECODE_OK);
	assert_int_equal(rec.type, CG_REC_CELLS);
	return rec;
}

static struct cg_record decoded_status(enum cg_firmware fw, uint8_t soc)
{
	struct cg_status st = { .charge_end_mv = 3650, .has_mode = true,
				.mode = CG_MODE_DISCHARGE, .current_da = -50,
				.t1_dc = 200, .t2_dc = 210, .has_soc = true,
				.soc_pct = soc, .discharge_end_mv = 2800,
				.has_protection = fw == CG_FW_V126 };
	struct cg_frame frame;
	struct cg_record rec;

	frame.len = (uint8_t)cg_encode_status(&st, fw, frame.bytes);
	assert_int_equal(cg_decode(&frame, &rec), CG_DECODE_OK);
	assert_int_equal(rec.type, CG_REC_STATUS);
	return rec;
}

static void test_trusted_by_the_last_status(void **state)
{
	(void)state;
	struct cg_record old = decoded_status(CG_FW_V120, 0);
	struct cg_record v122 = decoded_status(CG_FW_V122, 70);

	assert_false(old.u.status.has_soc);
	assert_true(cg_decode_cells_soc_trusted(NULL));
	assert_true(cg_decode_cells_soc_trusted(&v122.u.status));
	assert_false(cg_decode_cells_soc_trusted(&old.u.status));

	/* The record: kept with a V1.22 status or none, lost with a 13-byte
	 * one; a status record is never touched. */
	struct cg_record rec = decoded_cells(CG_FW_V122, 64);
	cg_decode_in_context(&rec, NULL);
	assert_true(rec.u.cells.has_soc);
	assert_int_equal(rec.u.cells.soc_pct, 64);
	cg_decode_in_context(&rec, &v122.u.status);
	assert_true(rec.u.cells.has_soc);
	cg_decode_in_context(&rec, &old.u.status);
	assert_false(rec.u.cells.has_soc);
	assert_int_equal(rec.u.cells.soc_pct, 0);

	struct cg_record st = v122;
	cg_decode_in_context(&st, &old.u.status);
	assert_true(st.u.status.has_soc);
	assert_int_equal(st.u.status.soc_pct, 70);

	/* A 0x56 with Wh/Ah has no SOC byte to judge. */
	struct cg_record energy = decoded_cells(CG_FW_V124, 0);
	assert_false(energy.u.cells.has_soc);
	cg_decode_in_context(&energy, &old.u.status);
	assert_false(energy.u.cells.has_soc);
}

static void test_pack_drops_an_untrusted_soc(void **state)
{
	struct cg_pack pack;
	(void)state;
	struct cg_record cells = decoded_cells(CG_FW_V120, 0);
	struct cg_record old = decoded_status(CG_FW_V120, 0);

	/* Before any 0x57: the byte is taken for the SOC... */
	cg_pack_init(&pack, NULL);
	cg_pack_apply(&pack, &cells, 1000);
	assert_true(pack.have_soc);
	assert_true(cg_pack_soc_fresh(&pack, 1000));
	/* ... until a 0x57 without SOC says the unit has none. */
	cg_pack_apply(&pack, &old, 1500);
	assert_false(pack.have_soc);
	assert_false(cg_pack_soc_fresh(&pack, 1500));
	/* Later 0x56 from it do not bring it back. */
	cg_pack_apply(&pack, &cells, 3000);
	assert_false(pack.have_soc);

	/* A V1.22 unit keeps its SOC from both frames. */
	struct cg_record cells22 = decoded_cells(CG_FW_V122, 64);
	struct cg_record st22 = decoded_status(CG_FW_V122, 65);
	cg_pack_init(&pack, NULL);
	cg_pack_apply(&pack, &st22, 1000);
	cg_pack_apply(&pack, &cells22, 2000);
	assert_true(pack.have_soc);
	assert_int_equal(pack.soc_pct, 64);
	assert_int_equal(pack.soc_from, CG_REC_CELLS);
	cg_pack_apply(&pack, &st22, 3000);
	assert_int_equal(pack.soc_pct, 65);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trusted_by_the_last_status),
		cmocka_unit_test(test_pack_drops_an_untrusted_soc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
