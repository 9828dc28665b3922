/*
 * Unit tests for snapshot (--once): the exact JSON object for the vendor's
 * 16-cell pack, nulls for what was never received, open leads and active
 * alarms, the key lines of the text block, the CSV, and the exit status
 * (0 fresh and within limits, 1 no or stale data, 2 an alarm).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "frames.h"
#include "snapshot.h"

#define NOW 100000
#define ISO "2026-11-24T06:20:00.123Z"

#define CELLS_MV \
	"[3325,3332,3332,3330,3331,3332,3334,3329," \
	"3336,3330,3333,3326,3334,3323,3343,3324]"

static void apply_cells(struct cg_pack *pack, const uint16_t *mv)
{
	struct cg_record rec = { .type = CG_REC_CELLS };

	rec.u.cells.count = 16;
	memcpy(rec.u.cells.mv, mv, 16 * sizeof(mv[0]));
	rec.u.cells.has_energy = true;
	rec.u.cells.energy_mwh = 47578742;
	rec.u.cells.charge_mah = 922723;
	cg_pack_apply(pack, &rec, NOW);
}

/* vendor_status_charge, optionally with V1.26 fields added. */
static void apply_status(struct cg_pack *pack, bool v126)
{
	struct cg_record rec = { .type = CG_REC_STATUS };
	struct cg_status *s = &rec.u.status;

	s->charge_end_mv = 3620;
	s->mode = CG_MODE_CHARGE;
	s->current_da = 230;
	s->t1_dc = 129;
	s->t2_dc = 132;
	s->soc_pct = 91;
	s->has_soc = true;
	s->has_mode = true;
	s->has_protection = v126;
	s->discharge_end_mv = v126 ? 2900 : 0;
	s->charge_protect = v126;
	cg_pack_apply(pack, &rec, NOW);
}

struct fixture {
	struct cg_pack pack;
	struct cg_alarms alarms;
	struct cg_alarm_config config;
	char out[CG_SNAPSHOT_MAX];
};

static void vendor(struct fixture *f, bool v126)
{
	memset(f, 0, sizeof(*f));
	cg_pack_init(&f->pack, NULL);
	apply_cells(&f->pack, vendor_cells16_mv);
	apply_status(&f->pack, v126);
	cg_alarms_init(&f->alarms);
	cg_alarms_update(&f->alarms, &f->config, &f->pack, NULL, 0);
}

static void test_json_vendor_pack(void **state)
{
	struct fixture f;
	static const char want[] =
		"{\"time\":\"" ISO "\",\"cells_mv\":" CELLS_MV ","
		"\"total_mv\":53294,\"average_mv\":3331,\"high_cell\":15,"
		"\"low_cell\":14,\"high_cells\":[15],\"low_cells\":[14],"
		"\"delta_mv\":20,\"mode\":\"charge\","
		"\"current_a\":23.0,\"soc_pct\":91,\"t1_c\":12.9,\"t2_c\":13.2,"
		"\"charge_end_mv\":3620,\"discharge_end_mv\":null,"
		"\"charge_protect\":null,\"discharge_protect\":null,"
		"\"wh\":47578.742,\"ah\":922.723,\"alarms\":[],\"fresh\":true}\n";
	(void)state;

	vendor(&f, false);
	assert_int_equal(cg_snapshot_json(f.out, sizeof(f.out), &f.pack,
					  &f.alarms, ISO, NOW), strlen(want));
	assert_string_equal(f.out, want);
	/* Too small: nothing rather than a cut object. */
	assert_int_equal(cg_snapshot_json(f.out, strlen(want), &f.pack,
					  &f.alarms, ISO, NOW), 0);
	assert_string_equal(f.out, "");
}

static void test_json_v126_and_alarms(void **state)
{
	struct fixture f;
	(void)state;

	vendor(&f, true);
	f.config.high_mv = 3340;
	f.config.delta_mv = 20;
	cg_alarms_update(&f.alarms, &f.config, &f.pack, NULL, 0);
	cg_snapshot_json(f.out, sizeof(f.out), &f.pack, &f.alarms, ISO,
			 NOW + 3000);
	assert_non_null(strstr(f.out, "\"charge_end_mv\":3620,"
			       "\"discharge_end_mv\":2900,\"charge_protect\":"
			       "true,\"discharge_protect\":false,"));
	/* Status 3 s old is stale: the values stay, fresh says so. */
	assert_non_null(strstr(f.out, "\"alarms\":[\"cell 15 high: 3.343 V "
			       "(limit 3.340 V)\",\"delta 20 mV (limit 20 mV)\"],"
			       "\"fresh\":false}\n"));
	assert_non_null(strstr(f.out, "\"current_a\":23.0,"));
}

static void test_json_nothing_known(void **state)
{
	struct fixture f;
	(void)state;

	memset(&f, 0, sizeof(f));
	cg_pack_init(&f.pack, NULL);
	cg_snapshot_json(f.out, sizeof(f.out), &f.pack, NULL, ISO, NOW);
	assert_string_equal(f.out,
		"{\"time\":\"" ISO "\",\"cells_mv\":[],\"total_mv\":null,"
		"\"average_mv\":null,\"high_cell\":null,\"low_cell\":null,"
		"\"high_cells\":[],\"low_cells\":[],\"delta_mv\":null,\"mode\":null,\"current_a\":null,"
		"\"soc_pct\":null,\"t1_c\":null,\"t2_c\":null,"
		"\"charge_end_mv\":null,\"discharge_end_mv\":null,"
		"\"charge_protect\":null,\"discharge_protect\":null,"
		"\"wh\":null,\"ah\":null,\"alarms\":[],\"fresh\":false}\n");
}

static void test_json_open_lead_is_null(void **state)
{
	struct fixture f;
	uint16_t mv[16];
	(void)state;

	/* --cells 4 on the old frame: three cells and an open lead. */
	memset(&f, 0, sizeof(f));
	struct cg_pack_config config = { .cells = 4 };
	cg_pack_init(&f.pack, &config);
	memcpy(mv, vendor_cells_old_mv, sizeof(mv));
	apply_cells(&f.pack, mv);
	cg_snapshot_json(f.out, sizeof(f.out), &f.pack, NULL, ISO, NOW);
	assert_non_null(strstr(f.out, "\"cells_mv\":[3932,3948,3942,null],"
			       "\"total_mv\":11822,\"average_mv\":3941,"
			       "\"high_cell\":2,\"low_cell\":1,"
			       "\"high_cells\":[2],\"low_cells\":[1],"
			       "\"delta_mv\":16,"));
}

/* Numbers at their edges in the JSON snapshot: zero current, negative
 * tenths under one, the largest cell reading, protection on. */
static void test_json_edge_values(void **state)
{
	struct fixture f;
	struct cg_record rec = { .type = CG_REC_STATUS };
	uint16_t mv[16] = { 65535, 1000 };
	(void)state;

	memset(&f, 0, sizeof(f));
	struct cg_pack_config config = { .cells = 2 };
	cg_pack_init(&f.pack, &config);
	apply_cells(&f.pack, mv);
	rec.u.status.mode = CG_MODE_DISCHARGE;
	rec.u.status.current_da = 0;
	rec.u.status.t1_dc = -9;
	rec.u.status.t2_dc = -32768;
	rec.u.status.soc_pct = 255;
	rec.u.status.has_soc = true;
	rec.u.status.has_mode = true;
	rec.u.status.charge_end_mv = 65535;
	rec.u.status.has_protection = true;
	rec.u.status.discharge_protect = true;
	cg_pack_apply(&f.pack, &rec, NOW);
	cg_snapshot_json(f.out, sizeof(f.out), &f.pack, NULL, NULL, NOW);
	assert_string_equal(f.out,
		"{\"time\":\"\",\"cells_mv\":[65535,1000],\"total_mv\":66535,"
		"\"average_mv\":33268,\"high_cell\":1,\"low_cell\":2,"
		"\"high_cells\":[1],\"low_cells\":[2],\"delta_mv\":64535,\"mode\":\"discharge\",\"current_a\":0.0,"
		"\"soc_pct\":255,\"t1_c\":-0.9,\"t2_c\":-3276.8,"
		"\"charge_end_mv\":65535,\"discharge_end_mv\":0,"
		"\"charge_protect\":false,\"discharge_protect\":true,"
		"\"wh\":47578.742,\"ah\":922.723,\"alarms\":[],"
		"\"fresh\":true}\n");
}

static void test_text_vendor_pack(void **state)
{
	struct fixture f;
	(void)state;

	vendor(&f, true);
	f.config.high_mv = 3340;
	cg_alarms_update(&f.alarms, &f.config, &f.pack, NULL, 0);
	assert_true(cg_snapshot_text(f.out, sizeof(f.out), &f.pack, &f.alarms,
				     ISO, NOW) > 0);
	static const char *const lines[] = {
		"Chargery BMS at " ISO " (fresh)\n",
		"\nPack     53.294 V  16 cells, average 3.331 V\n",
		"\nHigh     #15 3.343 V\n",
		"\nLow      #14 3.323 V\n",
		"\nDelta    20 mV\n",
		"\nCurrent  23.0 A charging, mode charge\n",
		"\nSOC      91 %\n",
		"\nTemp     T1 12.9 C  T2 13.2 C\n",
		"\nLimits   charge end 3.620 V, discharge end 2.900 V\n",
		"\nProtect  charge ACTIVE, discharge released\n",
		"\nEnergy   47578.742 Wh, 922.723 Ah\n",
		"\ncell  1  3.325 V    -6 mV\n",
		"\ncell  5  3.331 V     0 mV\n",
		"\ncell 14  3.323 V    -8 mV  low\n",
		"\ncell 15  3.343 V   +12 mV  ALARM high\n",
		"\ncell 16  3.324 V    -7 mV\nALARM    cell 15 high: 3.343 V "
		"(limit 3.340 V)\n",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!strstr(f.out, lines[i]))
			fail_msg("missing %s in:\n%s", lines[i], f.out);
}

/* --cells 24 on a unit that sends 16 channels is said, not hidden. */
static void test_text_cells_beyond_the_unit(void **state)
{
	struct fixture f;
	struct cg_pack_config pc = { .cells = 24 };
	(void)state;

	memset(&f, 0, sizeof(f));
	cg_pack_init(&f.pack, &pc);
	apply_cells(&f.pack, vendor_cells16_mv);
	apply_status(&f.pack, true);
	cg_alarms_init(&f.alarms);
	cg_alarms_update(&f.alarms, &f.config, &f.pack, NULL, 0);
	assert_int_equal(cg_pack_cells_beyond_unit(&f.pack), 16);
	assert_true(cg_snapshot_text(f.out, sizeof(f.out), &f.pack, &f.alarms,
				     ISO, NOW) > 0);
	if (!strstr(f.out, "\nNote     --cells 24, but this unit sends 16 channels\n"))
		fail_msg("no note in:\n%s", f.out);

	/* --cells within the unit's channels says nothing. */
	pc.cells = 12;
	cg_pack_init(&f.pack, &pc);
	apply_cells(&f.pack, vendor_cells16_mv);
	assert_int_equal(cg_pack_cells_beyond_unit(&f.pack), 0);
	assert_true(cg_snapshot_text(f.out, sizeof(f.out), &f.pack, &f.alarms,
				     ISO, NOW) > 0);
	assert_null(strstr(f.out, "Note"));
}

static void test_text_nothing_and_stale(void **state)
{
	struct fixture f;
	(void)state;

	memset(&f, 0, sizeof(f));
	cg_pack_init(&f.pack, NULL);
	cg_snapshot_text(f.out, sizeof(f.out), &f.pack, NULL, ISO, NOW);
	assert_string_equal(f.out,
		"Chargery BMS at " ISO " (no cells yet, no status yet)\n"
		"Cells    unknown\n"
		"Status   unknown\n"
		"Alarms   none\n");

	vendor(&f, false);
	cg_snapshot_text(f.out, sizeof(f.out), &f.pack, NULL, ISO, NOW + 6000);
	assert_non_null(strstr(f.out, "(STALE: cells 6 s old, status 6 s old)\n"));
	assert_non_null(strstr(f.out, "\nLimits   charge end 3.620 V, "
			       "discharge end unknown\n"));
	assert_null(strstr(f.out, "Protect"));
}

static void test_csv(void **state)
{
	struct fixture f;
	char header[CG_CSV_LINE_MAX], row[CG_CSV_LINE_MAX];
	(void)state;

	vendor(&f, false);
	cg_csv_header(header, sizeof(header), 16);
	cg_csv_row(row, sizeof(row), &f.pack, 16, ISO, NOW);
	assert_int_equal(cg_snapshot_csv(f.out, sizeof(f.out), &f.pack, ISO,
					 NOW), strlen(header) + strlen(row));
	assert_memory_equal(f.out, header, strlen(header));
	assert_string_equal(f.out + strlen(header), row);
	assert_non_null(strstr(f.out, "\n" ISO ",53.294,23.0,91,12.9,13.2,"
			       "3.343,3.323,20,3.325,"));
}

static void test_exit_status(void **state)
{
	struct fixture f;
	(void)state;

	vendor(&f, false);
	assert_int_equal(cg_snapshot_status(&f.pack, &f.alarms, NOW),
			 CG_SNAPSHOT_OK);
	assert_int_equal(cg_snapshot_status(&f.pack, NULL, NOW), 0);

	/* Status overdue (2.5 s) while cells are still fresh. */
	assert_int_equal(cg_snapshot_status(&f.pack, &f.alarms, NOW + 2600),
			 CG_SNAPSHOT_NODATA);

	/* Nothing yet; cells without status; status without cells. */
	struct cg_pack empty;
	cg_pack_init(&empty, NULL);
	assert_int_equal(cg_snapshot_status(&empty, NULL, NOW), 1);
	apply_cells(&empty, vendor_cells16_mv);
	assert_int_equal(cg_snapshot_status(&empty, NULL, NOW), 1);
	cg_pack_init(&empty, NULL);
	apply_status(&empty, true);
	assert_int_equal(cg_snapshot_status(&empty, NULL, NOW), 1);

	/* An alarm is 2, and stays 2 when the data then goes stale. */
	f.config.delta_mv = 15;
	cg_alarms_update(&f.alarms, &f.config, &f.pack, NULL, 0);
	assert_int_equal(cg_snapshot_status(&f.pack, &f.alarms, NOW),
			 CG_SNAPSHOT_ALARM);
	assert_int_equal(cg_snapshot_status(&f.pack, &f.alarms, NOW + 60000),
			 CG_SNAPSHOT_ALARM);
}

/* Ties, a cell lost, and firmware before V1.21 (no mode, no SOC, no
 * discharge-end: the low limit guessed). */
static void test_ties_lost_cell_old_firmware(void **state)
{
	struct fixture f;
	uint16_t mv[16];
	struct cg_record rec = { .type = CG_REC_STATUS };
	(void)state;

	memset(&f, 0, sizeof(f));
	cg_pack_init(&f.pack, NULL);
	for (unsigned i = 0; i < 16; i++)
		mv[i] = 3300;
	mv[2] = mv[9] = 3320;
	mv[4] = mv[5] = mv[11] = 3290;
	apply_cells(&f.pack, mv);
	rec.u.status.charge_end_mv = 3650;
	rec.u.status.mode = CG_MODE_UNKNOWN;
	rec.u.status.current_da = 230;
	rec.u.status.t1_dc = 117;
	rec.u.status.t2_dc = 112;
	cg_pack_apply(&f.pack, &rec, NOW);
	cg_alarms_init(&f.alarms);
	cg_alarms_update(&f.alarms, &f.config, &f.pack, NULL, 0);
	assert_true(cg_snapshot_text(f.out, sizeof(f.out), &f.pack, &f.alarms,
				     ISO, NOW) > 0);
	static const char *const lines[] = {
		"\nHigh     #3 #10 3.320 V\n",
		"\nLow      #5 #6 #12 3.290 V\n",
		"\nCurrent  23.0 A, direction unknown (firmware before V1.21 "
		"sends no mode)\n",
		"\nSOC      not sent (firmware before V1.22)\n",
		"\nAlarm    low 2.500 V (guessed from the chemistry)\n",
		"\ncell  3  3.320 V   +19 mV  high\n",
		"\ncell 10  3.320 V   +19 mV  high\n",
		"\ncell 12  3.290 V   -11 mV  low\n",
		"\nAlarms   none\n",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!strstr(f.out, lines[i]))
			fail_msg("missing %s in:\n%s", lines[i], f.out);
	cg_snapshot_json(f.out, sizeof(f.out), &f.pack, &f.alarms, ISO, NOW);
	assert_non_null(strstr(f.out, "\"high_cells\":[3,10],"
			       "\"low_cells\":[5,6,12],"));
	assert_non_null(strstr(f.out, "\"mode\":null,\"current_a\":23.0,"
			       "\"soc_pct\":null,"));
	assert_int_equal(cg_snapshot_status(&f.pack, &f.alarms, NOW),
			 CG_SNAPSHOT_OK);

	/* Cell 14 collapses: an alarm, --once exits 2. */
	mv[13] = 20;
	apply_cells(&f.pack, mv);
	cg_pack_apply(&f.pack, &rec, NOW);
	cg_alarms_update(&f.alarms, &f.config, &f.pack, NULL, 0);
	cg_snapshot_text(f.out, sizeof(f.out), &f.pack, &f.alarms, ISO, NOW);
	assert_non_null(strstr(f.out, "\ncell 14  0.020 V  ALARM sense lead or "
			       "cell lost (was 3.300 V)\n"));
	assert_non_null(strstr(f.out, "\nALARM    cell 14: 0.020 V, was "
			       "3.300 V: sense lead or cell lost\n"));
	assert_int_equal(cg_snapshot_status(&f.pack, &f.alarms, NOW),
			 CG_SNAPSHOT_ALARM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_vendor_pack),
		cmocka_unit_test(test_json_v126_and_alarms),
		cmocka_unit_test(test_json_nothing_known),
		cmocka_unit_test(test_json_open_lead_is_null),
		cmocka_unit_test(test_json_edge_values),
		cmocka_unit_test(test_text_vendor_pack),
		cmocka_unit_test(test_text_cells_beyond_the_unit),
		cmocka_unit_test(test_text_nothing_and_stale),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_ties_lost_cell_old_firmware),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
