/*
 * Unit tests for json: the --json line of every vendor frame compared as an
 * exact string with the contract (key order, no spaces, one decimal for
 * amperes, degrees and milliohms, three for Wh and Ah, null where the
 * firmware sends nothing, a trailing newline), number formatting at its
 * edges, and refusal to overrun a small buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decoder.h"
#include "frames.h"
#include "json.h"

#define T "2026-11-24T06:20:00.123Z"

static const char vendor_cells16_json[] =
	"{\"time\":\"" T "\",\"frame\":\"cells\",\"cells_mv\":[3325,3332,3332,"
	"3330,3331,3332,3334,3329,3336,3330,3333,3326,3334,3323,3343,3324],"
	"\"wh\":47578.742,\"ah\":922.723,\"soc_pct\":null}\n";

static const char vendor_cells_old_json[] =
	"{\"time\":\"" T "\",\"frame\":\"cells\",\"cells_mv\":[3932,3948,3942,"
	"0,6,9,18,9,25,14,20,17,0,27,0,19],\"wh\":null,\"ah\":null,"
	"\"soc_pct\":0}\n";

static const char vendor_status_charge_json[] =
	"{\"time\":\"" T "\",\"frame\":\"status\",\"charge_end_mv\":3620,"
	"\"discharge_end_mv\":null,\"mode\":\"charge\",\"current_a\":23.0,"
	"\"t1_c\":12.9,\"t2_c\":13.2,\"soc_pct\":91,\"charge_protect\":null,"
	"\"discharge_protect\":null}\n";

static const char vendor_status_discharge_json[] =
	"{\"time\":\"" T "\",\"frame\":\"status\",\"charge_end_mv\":4200,"
	"\"discharge_end_mv\":null,\"mode\":\"discharge\",\"current_a\":-1.2,"
	"\"t1_c\":-22.3,\"t2_c\":-22.3,\"soc_pct\":0,\"charge_protect\":null,"
	"\"discharge_protect\":null}\n";

static const char vendor_impedance16_json[] =
	"{\"time\":\"" T "\",\"frame\":\"impedance\",\"mode\":\"charge\","
	"\"current_a\":22.8,\"impedance_mohm\":[0.1,0.3,0.3,0.3,0.2,0.3,0.0,"
	"0.0,0.1,0.1,0.1,0.0,0.5,0.2,0.3,0.3]}\n";

/* Records as the decoder should produce them, built by hand. */
static void rec_cells(struct cg_record *rec, const uint16_t *mv, unsigned n,
		      bool has_energy, uint32_t mwh, uint32_t mah)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = CG_REC_CELLS;
	rec->u.cells.count = (uint8_t)n;
	memcpy(rec->u.cells.mv, mv, n * sizeof(mv[0]));
	rec->u.cells.has_energy = has_energy;
	rec->u.cells.energy_mwh = mwh;
	rec->u.cells.charge_mah = mah;
}

static void rec_status(struct cg_record *rec, unsigned charge_end_mv,
		       enum cg_mode mode, int32_t current_da, int t1, int t2,
		       unsigned soc)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = CG_REC_STATUS;
	rec->u.status.charge_end_mv = (uint16_t)charge_end_mv;
	rec->u.status.mode = mode;
	rec->u.status.current_da = current_da;
	rec->u.status.t1_dc = (int16_t)t1;
	rec->u.status.t2_dc = (int16_t)t2;
	rec->u.status.has_mode = true;
	rec->u.status.has_soc = true;
	rec->u.status.soc_pct = (uint8_t)soc;
}

static void rec_impedance(struct cg_record *rec, enum cg_mode mode,
			  int32_t current_da, const uint16_t *dmohm, unsigned n)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = CG_REC_IMPEDANCE;
	rec->u.impedance.mode = mode;
	rec->u.impedance.current_da = current_da;
	rec->u.impedance.count = (uint8_t)n;
	memcpy(rec->u.impedance.impedance_dmohm, dmohm, n * sizeof(dmohm[0]));
}

static void assert_json(const struct cg_record *rec, const char *expected)
{
	char out[CG_JSON_LINE_MAX];
	size_t n;

	memset(out, 'X', sizeof(out));
	n = cg_json_format(out, sizeof(out), rec, T);
	assert_string_equal(out, expected);
	assert_int_equal(n, strlen(expected));
}

static void test_vendor_cells16(void **state)
{
	struct cg_record rec;

	(void)state;
	rec_cells(&rec, vendor_cells16_mv, 16, true, 47578742, 922723);
	assert_json(&rec, vendor_cells16_json);
}

static void test_vendor_cells_old(void **state)
{
	struct cg_record rec;

	(void)state;
	rec_cells(&rec, vendor_cells_old_mv, 16, false, 0, 0);
	rec.u.cells.has_soc = true; /* V1.22: the byte after the cells, 0 */
	assert_json(&rec, vendor_cells_old_json);
}

static void test_vendor_status_charge(void **state)
{
	struct cg_record rec;

	(void)state;
	rec_status(&rec, 3620, CG_MODE_CHARGE, 230, 129, 132, 91);
	assert_json(&rec, vendor_status_charge_json);
}

static void test_vendor_status_discharge(void **state)
{
	struct cg_record rec;

	(void)state;
	rec_status(&rec, 4200, CG_MODE_DISCHARGE, -12, -223, -223, 0);
	assert_json(&rec, vendor_status_discharge_json);
}

static void test_vendor_impedance16(void **state)
{
	struct cg_record rec;

	(void)state;
	rec_impedance(&rec, CG_MODE_CHARGE, 228, vendor_impedance16_dmohm, 16);
	assert_json(&rec, vendor_impedance16_json);
}

/* V1.26: the discharge-end voltage and both protections as booleans. */
static void test_status_v126(void **state)
{
	struct cg_record rec;

	(void)state;
	rec_status(&rec, 3650, CG_MODE_STORAGE, 0, 0, -5, 100);
	rec.u.status.has_protection = true;
	rec.u.status.discharge_end_mv = 2800;
	rec.u.status.charge_protect = false;
	rec.u.status.discharge_protect = true;
	assert_json(&rec,
		    "{\"time\":\"" T "\",\"frame\":\"status\","
		    "\"charge_end_mv\":3650,\"discharge_end_mv\":2800,"
		    "\"mode\":\"storage\",\"current_a\":0.0,\"t1_c\":0.0,"
		    "\"t2_c\":-0.5,\"soc_pct\":100,\"charge_protect\":false,"
		    "\"discharge_protect\":true}\n");

	rec.u.status.charge_protect = true;
	rec.u.status.discharge_protect = false;
	assert_json(&rec,
		    "{\"time\":\"" T "\",\"frame\":\"status\","
		    "\"charge_end_mv\":3650,\"discharge_end_mv\":2800,"
		    "\"mode\":\"storage\",\"current_a\":0.0,\"t1_c\":0.0,"
		    "\"t2_c\":-0.5,\"soc_pct\":100,\"charge_protect\":true,"
		    "\"discharge_protect\":false}\n");
}

/*
 * One decimal at the edges: below one in magnitude and negative (where
 * integer division loses the sign), whole numbers, and the limits.
 */
static void test_one_decimal_edges(void **state)
{
	struct cg_record rec;

	(void)state;
	rec_status(&rec, 1000, CG_MODE_DISCHARGE, -5, -9, 1500, 1);
	assert_json(&rec,
		    "{\"time\":\"" T "\",\"frame\":\"status\","
		    "\"charge_end_mv\":1000,\"discharge_end_mv\":null,"
		    "\"mode\":\"discharge\",\"current_a\":-0.5,\"t1_c\":-0.9,"
		    "\"t2_c\":150.0,\"soc_pct\":1,\"charge_protect\":null,"
		    "\"discharge_protect\":null}\n");

	rec_status(&rec, 5000, CG_MODE_DISCHARGE, -20000, -500, -10, 50);
	assert_json(&rec,
		    "{\"time\":\"" T "\",\"frame\":\"status\","
		    "\"charge_end_mv\":5000,\"discharge_end_mv\":null,"
		    "\"mode\":\"discharge\",\"current_a\":-2000.0,"
		    "\"t1_c\":-50.0,\"t2_c\":-1.0,\"soc_pct\":50,"
		    "\"charge_protect\":null,\"discharge_protect\":null}\n");

	static const uint16_t dmohm[4] = { 10, 123, 65535, 9 };

	rec_impedance(&rec, CG_MODE_DISCHARGE, -291, dmohm, 4);
	assert_json(&rec,
		    "{\"time\":\"" T "\",\"frame\":\"impedance\","
		    "\"mode\":\"discharge\",\"current_a\":-29.1,"
		    "\"impedance_mohm\":[1.0,12.3,6553.5,0.9]}\n");
}

/* Three decimals, zero-padded, up to the largest u32. */
static void test_three_decimal_edges(void **state)
{
	static const uint16_t mv[1] = { 3300 };
	struct cg_record rec;

	(void)state;
	rec_cells(&rec, mv, 1, true, 5, 1000);
	assert_json(&rec, "{\"time\":\"" T "\",\"frame\":\"cells\","
			  "\"cells_mv\":[3300],\"wh\":0.005,\"ah\":1.000,\"soc_pct\":null}\n");
	rec_cells(&rec, mv, 1, true, 0, 4294967295u);
	assert_json(&rec, "{\"time\":\"" T "\",\"frame\":\"cells\","
			  "\"cells_mv\":[3300],\"wh\":0.000,"
			  "\"ah\":4294967.295,\"soc_pct\":null}\n");
	rec_cells(&rec, mv, 1, true, 10050, 999);
	assert_json(&rec, "{\"time\":\"" T "\",\"frame\":\"cells\","
			  "\"cells_mv\":[3300],\"wh\":10.050,\"ah\":0.999,\"soc_pct\":null}\n");
}

/*
 * The integer formatting at the limits of each field's type: the most
 * negative and largest current, zero everywhere, the largest u16 cell and
 * limit, a cells frame of no cells, and both protection flags each way.
 */
static void test_integer_edges(void **state)
{
	static const uint16_t mv[3] = { 0, 65535, 10 };
	struct cg_record rec;

	(void)state;
	rec_status(&rec, 65535, CG_MODE_DISCHARGE, INT32_MIN, -32768, 32767,
		   255);
	rec.u.status.has_protection = true;
	rec.u.status.discharge_end_mv = 0;
	rec.u.status.charge_protect = true;
	assert_json(&rec,
		    "{\"time\":\"" T "\",\"frame\":\"status\","
		    "\"charge_end_mv\":65535,\"discharge_end_mv\":0,"
		    "\"mode\":\"discharge\",\"current_a\":-214748364.8,"
		    "\"t1_c\":-3276.8,\"t2_c\":3276.7,\"soc_pct\":255,"
		    "\"charge_protect\":true,\"discharge_protect\":false}\n");

	rec_status(&rec, 0, CG_MODE_CHARGE, INT32_MAX, 0, -1, 0);
	rec.u.status.has_protection = true;
	rec.u.status.discharge_end_mv = 65535;
	rec.u.status.discharge_protect = true;
	assert_json(&rec,
		    "{\"time\":\"" T "\",\"frame\":\"status\","
		    "\"charge_end_mv\":0,\"discharge_end_mv\":65535,"
		    "\"mode\":\"charge\",\"current_a\":214748364.7,"
		    "\"t1_c\":0.0,\"t2_c\":-0.1,\"soc_pct\":0,"
		    "\"charge_protect\":false,\"discharge_protect\":true}\n");

	rec_cells(&rec, mv, 3, true, 0, 0);
	assert_json(&rec, "{\"time\":\"" T "\",\"frame\":\"cells\","
			  "\"cells_mv\":[0,65535,10],\"wh\":0.000,"
			  "\"ah\":0.000,\"soc_pct\":null}\n");
	rec_cells(&rec, mv, 0, false, 0, 0);
	assert_json(&rec, "{\"time\":\"" T "\",\"frame\":\"cells\","
			  "\"cells_mv\":[],\"wh\":null,\"ah\":null,\"soc_pct\":null}\n");

	static const uint16_t dmohm[2] = { 0, 65535 };

	rec_impedance(&rec, CG_MODE_CHARGE, 0, dmohm, 2);
	assert_json(&rec, "{\"time\":\"" T "\",\"frame\":\"impedance\","
			  "\"mode\":\"charge\",\"current_a\":0.0,"
			  "\"impedance_mohm\":[0.0,6553.5]}\n");
	rec_impedance(&rec, CG_MODE_DISCHARGE, INT32_MIN, dmohm, 0);
	assert_json(&rec, "{\"time\":\"" T "\",\"frame\":\"impedance\","
			  "\"mode\":\"discharge\",\"current_a\":-214748364.8,"
			  "\"impedance_mohm\":[]}\n");
}

/* The largest line there is fits in CG_JSON_LINE_MAX. */
static void test_longest_lines_fit(void **state)
{
	uint16_t mv[CG_MAX_CELLS], dmohm[CG_MAX_CELLS];
	char out[CG_JSON_LINE_MAX];
	struct cg_record rec;
	size_t n;

	(void)state;
	for (unsigned i = 0; i < CG_MAX_CELLS; i++) {
		mv[i] = 65535;
		dmohm[i] = 65535;
	}
	rec_cells(&rec, mv, CG_MAX_CELLS, true, 4294967295u, 4294967295u);
	n = cg_json_format(out, sizeof(out), &rec, T);
	assert_true(n > 0);
	assert_int_equal(n, strlen(out));
	assert_int_equal(out[n - 1], '\n');

	rec_impedance(&rec, CG_MODE_DISCHARGE, -20000, dmohm, CG_MAX_CELLS);
	n = cg_json_format(out, sizeof(out), &rec, T);
	assert_true(n > 0);
	assert_int_equal(n, strlen(out));
	assert_int_equal(out[n - 1], '\n');
}

/*
 * Exactly enough room (the line, its newline and the NUL) works; one byte
 * less returns 0. Nothing is ever written past cap.
 */
static void test_small_cap(void **state)
{
	struct cg_record rec;
	const size_t need = strlen(vendor_status_charge_json) + 1;
	char out[CG_JSON_LINE_MAX + 16];

	(void)state;
	rec_status(&rec, 3620, CG_MODE_CHARGE, 230, 129, 132, 91);

	memset(out, '#', sizeof(out));
	assert_int_equal(cg_json_format(out, need, &rec, T), need - 1);
	assert_string_equal(out, vendor_status_charge_json);
	assert_int_equal(out[need], '#');

	const size_t caps[] = { need - 1, need - 2, need / 2, 10, 1, 0 };

	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		memset(out, '#', sizeof(out));
		assert_int_equal(cg_json_format(out, caps[c], &rec, T), 0);
		for (size_t i = caps[c]; i < sizeof(out); i++)
			assert_int_equal(out[i], '#');
	}

	/* Same for a cells line, whose length comes from an array. */
	rec_cells(&rec, vendor_cells16_mv, 16, true, 47578742, 922723);
	const size_t cells_need = strlen(vendor_cells16_json) + 1;

	memset(out, '#', sizeof(out));
	assert_int_equal(cg_json_format(out, cells_need - 1, &rec, T), 0);
	for (size_t i = cells_need - 1; i < sizeof(out); i++)
		assert_int_equal(out[i], '#');
	assert_int_equal(cg_json_format(out, cells_need, &rec, T),
			 cells_need - 1);
	assert_string_equal(out, vendor_cells16_json);
}

/* Vendor bytes through the decoder and out as JSON: the whole pipeline. */
static void test_vendor_frames_decoded(void **state)
{
	const char *expected[VENDOR_FRAME_COUNT] = {
		vendor_status_charge_json,
		vendor_status_discharge_json,
		vendor_cells16_json,
		vendor_impedance16_json,
		vendor_cells_old_json,
	};

	(void)state;
	for (size_t i = 0; i < VENDOR_FRAME_COUNT; i++) {
		struct cg_frame frame;
		struct cg_record rec;

		test_frame_from(&frame, vendor_frames[i].bytes,
				vendor_frames[i].len);
		assert_int_equal(cg_decode(&frame, &rec), CG_DECODE_OK);
		assert_json(&rec, expected[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vendor_cells16),
		cmocka_unit_test(test_vendor_cells_old),
		cmocka_unit_test(test_vendor_status_charge),
		cmocka_unit_test(test_vendor_status_discharge),
		cmocka_unit_test(test_vendor_impedance16),
		cmocka_unit_test(test_status_v126),
		cmocka_unit_test(test_one_decimal_edges),
		cmocka_unit_test(test_three_decimal_edges),
		cmocka_unit_test(test_integer_edges),
		cmocka_unit_test(test_longest_lines_fit),
		cmocka_unit_test(test_small_cap),
		cmocka_unit_test(test_vendor_frames_decoded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
