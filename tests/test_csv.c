/*
 * Unit tests for csv: the exact header and row for the vendor's 16-cell
 * frame, empty fields for what is unknown, stale or an open lead, numbers
 * at their edges, and a buffer too small at every size.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "csv_fixture.h"

static void test_header(void **state)
{
	char buf[CG_CSV_LINE_MAX];
	(void)state;

	assert_int_equal(cg_csv_header(buf, sizeof(buf), 16), strlen(HEADER16));
	assert_string_equal(buf, HEADER16);
	cg_csv_header(buf, sizeof(buf), 1);
	assert_string_equal(buf, "time,pack_v,current_a,soc_pct,t1_c,t2_c,"
			    "high_v,low_v,delta_mv,cell1_v\n");
	/* 24 cells fit the documented maximum line. */
	assert_true(cg_csv_header(buf, sizeof(buf), 24) > 0);
	assert_int_equal(cg_csv_header(buf, 20, 16), 0);
	assert_string_equal(buf, "");
}

static void test_row_vendor_pack(void **state)
{
	struct cg_pack pack;
	char buf[CG_CSV_LINE_MAX];
	(void)state;

	vendor_pack(&pack, 0);
	assert_int_equal(cg_csv_row(buf, sizeof(buf), &pack, 16, ISO, NOW),
			 strlen(ROW16));
	assert_string_equal(buf, ROW16);
	/* One byte short of the row and its NUL: nothing, not half a row. */
	assert_int_equal(cg_csv_row(buf, strlen(ROW16), &pack, 16, ISO, NOW), 0);
	assert_string_equal(buf, "");
}

/* At every size too small, wherever the row is cut: nothing (an empty
 * string), and not a byte written past the size given. */
static void test_row_never_overruns(void **state)
{
	struct cg_pack pack;
	char buf[CG_CSV_LINE_MAX + 16];
	const size_t whole = strlen(ROW16);
	(void)state;

	vendor_pack(&pack, 0);
	for (size_t cap = 1; cap <= whole + 1; cap++) {
		memset(buf, '#', sizeof(buf));
		size_t n = cg_csv_row(buf, cap, &pack, 16, ISO, NOW);
		if (cap <= whole) {
			assert_int_equal(n, 0);
			assert_string_equal(buf, "");
		} else {
			assert_int_equal(n, whole);
			assert_string_equal(buf, ROW16);
		}
		for (size_t i = cap; i < sizeof(buf); i++)
			assert_int_equal(buf[i], '#');
	}
}

static void test_row_negative_current(void **state)
{
	struct cg_pack pack;
	char buf[CG_CSV_LINE_MAX];
	(void)state;

	vendor_pack(&pack, 0);
	apply_status(&pack, false, NOW);
	cg_csv_row(buf, sizeof(buf), &pack, 16, ISO, NOW);
	assert_string_equal(buf, ISO ",53.294,-1.2,0,-22.3,-22.3,3.343,3.323,20,"
			    CELLS16);
}

static void test_row_unknown_and_stale_are_empty(void **state)
{
	struct cg_pack pack;
	char buf[CG_CSV_LINE_MAX];
	(void)state;

	/* Cells but no status yet. */
	cg_pack_init(&pack, NULL);
	apply_cells(&pack, vendor_cells16_mv, 16, NOW);
	cg_csv_row(buf, sizeof(buf), &pack, 16, ISO, NOW);
	assert_string_equal(buf, ISO ",53.294,,,,,3.343,3.323,20," CELLS16);

	/* Status 2.6 s old is stale (2.5 periods of 1 s); cells are not. */
	apply_status(&pack, true, NOW);
	cg_csv_row(buf, sizeof(buf), &pack, 16, ISO, NOW + 2600);
	assert_string_equal(buf, ISO ",53.294,,,,,3.343,3.323,20," CELLS16);

	/* 5.1 s: cells stale too; every value empty, the columns stay. */
	cg_csv_row(buf, sizeof(buf), &pack, 16, ISO, NOW + 5100);
	assert_string_equal(buf, ISO ",,,,,,,,,,,,,,,,,,,,,,,,\n");

	/* Nothing at all, 2 columns. */
	cg_pack_init(&pack, NULL);
	cg_csv_row(buf, sizeof(buf), &pack, 2, ISO, NOW);
	assert_string_equal(buf, ISO ",,,,,,,,,,\n");
}

/* Each number at its type's edge: the largest cell, zero and tiny negative
 * current, the coldest and hottest int16 temperatures, a full byte of SOC. */
static void test_row_edge_values(void **state)
{
	static const uint16_t mv[2] = { 65535, 1000 };
	struct cg_pack pack;
	char buf[CG_CSV_LINE_MAX];
	struct cg_record rec = { .type = CG_REC_STATUS };
	(void)state;

	cg_pack_init(&pack, NULL);
	apply_cells(&pack, mv, 2, NOW);
	rec.u.status.current_da = -1;
	rec.u.status.t1_dc = 0;
	rec.u.status.t2_dc = -32768;
	rec.u.status.soc_pct = 255;
	rec.u.status.has_soc = true;
	rec.u.status.has_mode = true;
	cg_pack_apply(&pack, &rec, NOW);
	assert_int_equal(cg_csv_row(buf, sizeof(buf), &pack, 2, ISO, NOW),
			 strlen(ISO ",66.535,-0.1,255,0.0,-3276.8,65.535,1.000,"
				"64535,65.535,1.000\n"));
	assert_string_equal(buf, ISO ",66.535,-0.1,255,0.0,-3276.8,65.535,"
			    "1.000,64535,65.535,1.000\n");

	rec.u.status.current_da = 0;
	rec.u.status.t1_dc = 32767;
	rec.u.status.t2_dc = -5;
	rec.u.status.soc_pct = 0;
	rec.u.status.has_soc = true;
	rec.u.status.has_mode = true;
	cg_pack_apply(&pack, &rec, NOW);
	cg_csv_row(buf, sizeof(buf), &pack, 2, NULL, NOW);
	assert_string_equal(buf, ",66.535,0.0,0,3276.7,-0.5,65.535,1.000,"
			    "64535,65.535,1.000\n");

	/* Nothing known at all: the time, then every field empty. */
	cg_pack_init(&pack, NULL);
	cg_csv_row(buf, sizeof(buf), &pack, 3, ISO, NOW);
	assert_string_equal(buf, ISO ",,,,,,,,,,,\n");

	/* The widest header: 24 cells, each name in full. */
	size_t n = cg_csv_header(buf, sizeof(buf), 24);
	assert_int_equal(n, strlen(buf));
	assert_non_null(strstr(buf, ",cell9_v,cell10_v,"));
	assert_non_null(strstr(buf, ",cell23_v,cell24_v\n"));
}

/* Volts either side of each change in digit count, cells and figures. */
static void test_row_volts_at_digit_edges(void **state)
{
	static const uint16_t mv[6] = { 9999, 10000, 1, 999, 12345, 1000 };
	struct cg_pack pack;
	char buf[CG_CSV_LINE_MAX];
	(void)state;

	cg_pack_init(&pack, NULL);
	apply_cells(&pack, mv, 6, NOW);
	cg_csv_row(buf, sizeof(buf), &pack, 6, ISO, NOW);
	/* Cells under 1 V are out of the figures: 9999 + 10000 + 1000 +
	 * 12345 = 33344 mV, high 12.345, low 1.000. */
	assert_string_equal(buf, ISO ",33.344,,,,,12.345,1.000,11345,"
			    "9.999,10.000,0.001,0.999,12.345,1.000\n");
}

static void test_row_open_lead_and_extra_columns(void **state)
{
	struct cg_pack pack;
	uint16_t mv[16];
	char buf[CG_CSV_LINE_MAX];
	(void)state;

	/* --cells 4 on the old-firmware frame: 3 cells, cell 4 reads 0
	 * (sense lead or cell lost): out of the figures, its column says 0. */
	struct cg_pack_config config = { .cells = 4 };
	memcpy(mv, vendor_cells_old_mv, sizeof(mv));
	cg_pack_init(&pack, &config);
	apply_cells(&pack, mv, 16, NOW);
	apply_status(&pack, true, NOW);
	assert_int_equal(pack.wired, 4);
	cg_csv_row(buf, sizeof(buf), &pack, 4, ISO, NOW);
	assert_string_equal(buf, ISO ",11.822,23.0,91,12.9,13.2,3.948,3.932,16,"
			    "3.932,3.948,3.942,0.000\n");
	/* A file with 6 columns: the cells the pack lacks are empty. */
	cg_csv_row(buf, sizeof(buf), &pack, 6, ISO, NOW);
	assert_string_equal(buf, ISO ",11.822,23.0,91,12.9,13.2,3.948,3.932,16,"
			    "3.932,3.948,3.942,0.000,,\n");
}

/* The widest row there can be: 24 cells at 65.535 V, the most negative
 * current, a 64-byte time. It fits CG_CSV_LINE_MAX, and the row is the
 * same written straight into a buffer that just fits it. A longer time or
 * more columns than cells: nothing. */
static void test_row_widest(void **state)
{
	uint16_t mv[CG_MAX_CELLS];
	char time[66];
	struct cg_pack pack;
	char buf[CG_CSV_LINE_MAX], exact[CG_CSV_LINE_MAX];
	struct cg_record rec = { .type = CG_REC_STATUS };
	(void)state;

	for (unsigned i = 0; i < CG_MAX_CELLS; i++)
		mv[i] = 65535;
	memset(time, '9', 64);
	time[64] = '\0';
	cg_pack_init(&pack, NULL);
	apply_cells(&pack, mv, CG_MAX_CELLS, NOW);
	rec.u.status.current_da = INT32_MIN;
	rec.u.status.t1_dc = INT16_MIN;
	rec.u.status.t2_dc = INT16_MIN;
	rec.u.status.has_soc = true;
	rec.u.status.soc_pct = 255;
	cg_pack_apply(&pack, &rec, NOW);

	size_t n = cg_csv_row(buf, sizeof(buf), &pack, CG_MAX_CELLS, time, NOW);
	assert_true(n > 0);
	assert_int_equal(n, strlen(buf));
	assert_memory_equal(buf, time, 64);
	assert_non_null(strstr(buf, ",1572.840,-214748364.8,255,-3276.8,"
				"-3276.8,65.535,65.535,0,65.535,"));
	assert_int_equal(cg_csv_row(exact, n + 1, &pack, CG_MAX_CELLS, time,
				    NOW), n);
	assert_string_equal(exact, buf);

	time[64] = '9';
	time[65] = '\0';
	assert_int_equal(cg_csv_row(buf, sizeof(buf), &pack, CG_MAX_CELLS,
				    time, NOW), 0);
	assert_string_equal(buf, "");
	assert_int_equal(cg_csv_row(buf, sizeof(buf), &pack, CG_MAX_CELLS + 1,
				    ISO, NOW), 0);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_row_vendor_pack),
		cmocka_unit_test(test_row_never_overruns),
		cmocka_unit_test(test_row_negative_current),
		cmocka_unit_test(test_row_unknown_and_stale_are_empty),
		cmocka_unit_test(test_row_edge_values),
		cmocka_unit_test(test_row_volts_at_digit_edges),
		cmocka_unit_test(test_row_open_lead_and_extra_columns),
		cmocka_unit_test(test_row_widest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
