/*
 * Unit tests for pack: which channels are wired (option, 0x58 count,
 * threshold), open sense leads, the figures over counted cells, freshness
 * at its boundaries, session extremes, and per-type counts.
 *
 * Records are built by hand here rather than decoded, so that a decoder
 * bug cannot hide or fake a pack bug. Averages are expected rounded half
 * up: (total + counted / 2) / counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pack.h"
#include "frames.h"

static void make_cells(struct cg_record *rec, unsigned n, const uint16_t *mv)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = CG_REC_CELLS;
	rec->u.cells.count = (uint8_t)n;
	memcpy(rec->u.cells.mv, mv, n * sizeof(mv[0]));
	rec->u.cells.has_energy = true;
	rec->u.cells.energy_mwh = 47578742;
	rec->u.cells.charge_mah = 922723;
}

static void make_status(struct cg_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = CG_REC_STATUS;
	rec->u.status.charge_end_mv = 3620;
	rec->u.status.mode = CG_MODE_CHARGE;
	rec->u.status.current_da = 230;
	rec->u.status.t1_dc = 129;
	rec->u.status.t2_dc = 132;
	rec->u.status.soc_pct = 91;
}

static void make_impedance(struct cg_record *rec, unsigned count)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = CG_REC_IMPEDANCE;
	rec->u.impedance.mode = CG_MODE_CHARGE;
	rec->u.impedance.current_da = 228;
	rec->u.impedance.count = (uint8_t)count;
	for (unsigned i = 0; i < count; i++)
		rec->u.impedance.impedance_dmohm[i] = (uint16_t)(i + 1);
}

static void init_pack(struct cg_pack *pack, unsigned cells_option)
{
	struct cg_pack_config config = { .cells = (uint8_t)cells_option };

	memset(pack, 0xA5, sizeof(*pack));
	cg_pack_init(pack, &config);
}

static void apply_cells(struct cg_pack *pack, unsigned n, const uint16_t *mv,
			uint64_t now_ms)
{
	struct cg_record rec;

	make_cells(&rec, n, mv);
	cg_pack_apply(pack, &rec, now_ms);
}

static void apply_impedance(struct cg_pack *pack, unsigned count,
			    uint64_t now_ms)
{
	struct cg_record rec;

	make_impedance(&rec, count);
	cg_pack_apply(pack, &rec, now_ms);
}

static void assert_figures(const struct cg_pack *pack, unsigned counted,
			   uint32_t total, unsigned average, unsigned high,
			   unsigned low, unsigned delta)
{
	assert_int_equal(pack->counted, counted);
	assert_int_equal(pack->total_mv, total);
	assert_int_equal(pack->average_mv, average);
	assert_int_equal(pack->high_index, high);
	assert_int_equal(pack->low_index, low);
	assert_int_equal(pack->delta_mv, delta);
}

static void test_init_knows_nothing(void **state)
{
	struct cg_pack pack;

	(void)state;
	init_pack(&pack, 0);
	assert_int_equal(pack.config.cells, 0);
	for (int t = 0; t < CG_REC_TYPES; t++) {
		assert_false(pack.have[t]);
		assert_int_equal(pack.count[t], 0);
		assert_int_equal(cg_pack_freshness(&pack, t, 0), CG_NEVER);
		assert_int_equal(cg_pack_freshness(&pack, t, 1000000), CG_NEVER);
	}
	assert_int_equal(pack.wired_source, CG_WIRED_UNKNOWN);
	for (unsigned i = 0; i < CG_MAX_CELLS; i++) {
		assert_int_equal(pack.session_min_mv[i], 0);
		assert_int_equal(pack.session_max_mv[i], 0);
		assert_false(cg_pack_cell_counted(&pack, i));
	}
	assert_int_equal(pack.session_worst_delta_mv, 0);

	init_pack(&pack, 12);
	assert_int_equal(pack.config.cells, 12);
}

static const uint16_t open_leads_mv[8] = { 3500, 999, 3600, 5, 1000, 0, 7, 0 };

/*
 * Which channels are wired and what the figures over the counted cells
 * are, for one cell frame after an optional --cells and 0x58 count.
 * Channel i is counted exactly when it is wired and not an open lead.
 */
static const struct wiring_case {
	const char *what;
	unsigned option;    /* --cells, 0 for none */
	unsigned impedance; /* count of two 0x58 before the cells, 0 for none */
	unsigned n;
	const uint16_t *mv;
	unsigned wired;
	enum cg_wired_source source;
	uint32_t open_mask;
	unsigned counted;
	uint32_t total;
	unsigned average, high, low, delta;
} wiring_cases[] = {
	/* All 16 wired by threshold. Total 53294 mV, average 3330.875 ->
	 * 3331, high cell 15 (index 14, 3343 mV), low cell 14 (index 13,
	 * 3323 mV), delta 20 mV. */
	{ "vendor 16 cells", 0, 0, 16, vendor_cells16_mv, 16,
	  CG_WIRED_THRESHOLD, 0, 16, 53294, 3331, 14, 13, 20 },
	/* Old firmware: channels 1-3 read 3932 3948 3942, the rest a few mV,
	 * so the threshold finds 3 wired cells and no open lead. Total 11822,
	 * average 3940.67 -> 3941, high index 1, low index 0, delta 16. */
	{ "old firmware by threshold", 0, 0, 16, vendor_cells_old_mv, 3,
	  CG_WIRED_THRESHOLD, 0, 3, 11822, 3941, 1, 0, 16 },
	/* Wired up to the highest channel reading >= 1000 mV (exactly 1000
	 * counts); the ones below 1000 inside that range are open leads.
	 * 3500 + 3600 + 1000 = 8100, / 3 = 2700. */
	{ "threshold with open leads", 0, 0, 8, open_leads_mv, 5,
	  CG_WIRED_THRESHOLD, 1u << 1 | 1u << 3, 3, 8100, 2700, 2, 4, 2600 },
	/* --cells wins over everything. 12 of the vendor 16: total 39970,
	 * average 3330.83 -> 3331, high index 8 (3336), low index 0 (3325),
	 * delta 11. */
	{ "--cells 12", 12, 0, 16, vendor_cells16_mv, 12, CG_WIRED_OPTION, 0,
	  12, 39970, 3331, 8, 0, 11 },
	/* --cells 4 on the old frame: channel 4 reads 0 mV, an open lead. */
	{ "--cells 4 with an open lead", 4, 0, 16, vendor_cells_old_mv, 4,
	  CG_WIRED_OPTION, 1u << 3, 3, 11822, 3941, 1, 0, 16 },
	/* The 0x58 count comes next. 16 on the old frame: channels 4-16 are
	 * wired but read a few mV, so all 13 are open leads. */
	{ "0x58 count before the cells", 0, 16, 16, vendor_cells_old_mv, 16,
	  CG_WIRED_IMPEDANCE, 0xFFF8, 3, 11822, 3941, 1, 0, 16 },
	/* A wired count larger than the channels the frame carries is cut to
	 * them. 8 of the vendor 16: total 26645, average 3331, high index 6,
	 * low index 0, delta 9. */
	{ "--cells 24 on 16 channels", 24, 0, 16, vendor_cells16_mv, 16,
	  CG_WIRED_OPTION, 0, 16, 53294, 3331, 14, 13, 20 },
	{ "0x58 count 24 on 8 channels", 0, 24, 8, vendor_cells16_mv, 8,
	  CG_WIRED_IMPEDANCE, 0, 8, 26645, 3331, 6, 0, 9 },
};

static void test_wiring_and_figures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(wiring_cases) / sizeof(wiring_cases[0]);
	     i++) {
		const struct wiring_case *c = &wiring_cases[i];
		struct cg_pack pack;

		print_message("%s\n", c->what);
		init_pack(&pack, c->option);
		if (c->impedance) { /* two that agree: a confirmed count */
			apply_impedance(&pack, c->impedance, 400);
			apply_impedance(&pack, c->impedance, 500);
		}
		apply_cells(&pack, c->n, c->mv, 1000);
		assert_true(pack.have[CG_REC_CELLS]);
		assert_int_equal(pack.cells.count, c->n);
		assert_memory_equal(pack.cells.mv, c->mv, c->n * sizeof(c->mv[0]));
		assert_int_equal(pack.cells.energy_mwh, 47578742);
		assert_int_equal(pack.wired, c->wired);
		assert_int_equal(pack.wired_source, c->source);
		assert_int_equal(pack.open_mask, c->open_mask);
		assert_figures(&pack, c->counted, c->total, c->average, c->high,
			       c->low, c->delta);
		for (unsigned ch = 0; ch < CG_MAX_CELLS; ch++)
			assert_int_equal(cg_pack_cell_counted(&pack, ch),
					 ch < c->wired &&
						 !(c->open_mask >> ch & 1u));
	}
}

/* --cells holds against a later 0x58 count, frame after frame. */
static void test_option_wins_over_impedance(void **state)
{
	struct cg_pack pack;

	(void)state;
	init_pack(&pack, 12);
	apply_cells(&pack, 16, vendor_cells16_mv, 1000);
	assert_figures(&pack, 12, 39970, 3331, 8, 0, 11);

	/* A 0x58 saying 16 does not override the option. */
	apply_impedance(&pack, 16, 2000);
	apply_cells(&pack, 16, vendor_cells16_mv, 3000);
	assert_int_equal(pack.wired, 12);
	assert_int_equal(pack.wired_source, CG_WIRED_OPTION);
	assert_figures(&pack, 12, 39970, 3331, 8, 0, 11);
}

/*
 * A 0x58 count counts once two in a row agree, and never below a channel
 * that has read a cell voltage: one corrupted 0x58 must not hide cells.
 */
static void test_impedance_count_after_cells(void **state)
{
	static const uint16_t eight_live[16] = { 3325, 3332, 3332, 3330, 3331,
						 3332, 3334, 3329 };
	struct cg_pack pack;

	(void)state;
	init_pack(&pack, 0);
	apply_cells(&pack, 16, vendor_cells16_mv, 1000);
	assert_int_equal(pack.wired_source, CG_WIRED_THRESHOLD);
	assert_int_equal(pack.wired, 16);

	/* Two 0x58 saying 8 while 16 channels read cells: contradicted. */
	apply_impedance(&pack, 8, 1500);
	apply_impedance(&pack, 8, 1600);
	apply_cells(&pack, 16, vendor_cells16_mv, 3000);
	assert_int_equal(pack.wired, 16);
	assert_int_equal(pack.wired_source, CG_WIRED_THRESHOLD);
	assert_figures(&pack, 16, 53294, 3331, 14, 13, 20);

	/* On a fresh pack of 8 live channels: one 0x58 saying 12 is not
	 * taken, a second one that agrees is, at once. */
	init_pack(&pack, 0);
	apply_cells(&pack, 16, eight_live, 1000);
	assert_int_equal(pack.wired, 8);
	apply_impedance(&pack, 12, 1500);
	assert_int_equal(pack.wired, 8);
	assert_int_equal(pack.wired_source, CG_WIRED_THRESHOLD);
	apply_impedance(&pack, 11, 1600); /* disagrees: still nothing */
	assert_int_equal(pack.wired, 8);
	apply_impedance(&pack, 11, 1700);
	assert_int_equal(pack.wired, 11);
	assert_int_equal(pack.wired_source, CG_WIRED_IMPEDANCE);
	/* Channels 9-11 wired but reading nothing: open (an alarm). */
	assert_int_equal(pack.open_mask, 0x700);
	assert_figures(&pack, 8, 26645, 3331, 6, 0, 9);

	/* And it stays with the next cell frame. */
	apply_cells(&pack, 16, eight_live, 3000);
	assert_int_equal(pack.wired, 11);
	assert_int_equal(pack.wired_source, CG_WIRED_IMPEDANCE);
}

/* A cell that collapses stays wired (an open-lead alarm); only channels
 * that never read 1 V beyond the wired count are not connected. */
static void test_collapsed_cell_stays_wired(void **state)
{
	uint16_t mv[16];
	struct cg_pack pack;

	(void)state;
	for (unsigned i = 0; i < 16; i++)
		mv[i] = i < 14 ? 3300 : 3;
	init_pack(&pack, 0);
	apply_cells(&pack, 16, mv, 1000);
	assert_int_equal(pack.wired, 14);
	assert_int_equal(pack.open_mask, 0);

	mv[13] = 20; /* cell 14, the last one, collapses */
	apply_cells(&pack, 16, mv, 3000);
	assert_int_equal(pack.wired, 14);
	assert_int_equal(pack.open_mask, 1u << 13);
	assert_int_equal(pack.last_live_mv[13], 3300);
	assert_int_equal(pack.counted, 13);
	assert_false(cg_pack_cell_counted(&pack, 13));
	assert_false(cg_pack_cell_counted(&pack, 14));
}

/* Ties: every cell at the high value is high, every one at the low low. */
static void test_ties(void **state)
{
	static const struct {
		uint16_t mv[6];
		uint32_t high, low;
		unsigned high_index, low_index;
	} cases[] = {
		{ { 3300, 3320, 3310, 3300, 3320, 3305 }, 0x12, 0x09, 1, 0 },
		{ { 3300, 3300, 3300, 3300, 3300, 3300 }, 0x3F, 0x3F, 0, 0 },
		{ { 3310, 3300, 3320, 3300, 3300, 3321 }, 0x20, 0x1A, 5, 1 },
		/* An open lead is neither, even at 0 mV among 0 mV. */
		{ { 3300, 0, 3300, 3290, 3300, 3290 }, 0x15, 0x28, 0, 3 },
	};
	struct cg_pack pack;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		init_pack(&pack, 6);
		apply_cells(&pack, 6, cases[i].mv, 1000);
		assert_int_equal(pack.high_mask, cases[i].high);
		assert_int_equal(pack.low_mask, cases[i].low);
		assert_int_equal(pack.high_index, cases[i].high_index);
		assert_int_equal(pack.low_index, cases[i].low_index);
	}
}

/* SOC from whichever frame brought one last; none from old firmware
 * (nor from its 0x56 byte after the cells: test_soc_context.c). */
static void test_soc_sources(void **state)
{
	struct cg_pack pack;
	struct cg_record rec;

	(void)state;
	init_pack(&pack, 0);
	make_status(&rec);
	rec.u.status.has_soc = false; /* before V1.21 */
	rec.u.status.soc_pct = 0;
	cg_pack_apply(&pack, &rec, 1000);
	assert_false(pack.have_soc);

	make_cells(&rec, 16, vendor_cells16_mv);
	rec.u.cells.has_energy = false;
	rec.u.cells.has_soc = true;
	rec.u.cells.soc_pct = 64;
	cg_pack_apply(&pack, &rec, 1500);
	assert_false(pack.have_soc);
	struct cg_record cells = rec;
	make_status(&rec);
	rec.u.status.has_soc = true; /* V1.22: 91 % */
	cg_pack_apply(&pack, &rec, 1800);
	cg_pack_apply(&pack, &cells, 2000);
	assert_true(pack.have_soc);
	assert_int_equal(pack.soc_pct, 64);
	assert_int_equal(pack.soc_at_ms, 2000);

	make_status(&rec);
	rec.u.status.has_soc = true; /* 91 % */
	cg_pack_apply(&pack, &rec, 3000);
	assert_int_equal(pack.soc_pct, 91);

	make_cells(&rec, 16, vendor_cells16_mv); /* V1.24+: no SOC byte */
	cg_pack_apply(&pack, &rec, 4000);
	assert_int_equal(pack.soc_pct, 91);
	assert_int_equal(pack.soc_at_ms, 3000);
}

/* Round half up: x.5 goes up, x.33 down, x.67 up. */
static void test_average_rounding(void **state)
{
	static const uint16_t half[2] = { 3300, 3301 };
	static const uint16_t third[3] = { 3300, 3300, 3301 };
	static const uint16_t two_thirds[3] = { 3300, 3301, 3301 };
	static const struct {
		const uint16_t *mv;
		unsigned n;
		uint32_t total;
		unsigned average;
	} cases[] = {
		{ half, 2, 6601, 3301 },
		{ third, 3, 9901, 3300 },
		{ two_thirds, 3, 9902, 3301 },
	};
	struct cg_pack pack;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		init_pack(&pack, 0);
		apply_cells(&pack, cases[i].n, cases[i].mv, 1000);
		assert_int_equal(pack.total_mv, cases[i].total);
		assert_int_equal(pack.average_mv, cases[i].average);
	}
}

/* 24 cells near 4.2 V: the total no longer fits in 16 bits. */
static void test_24_cells_total(void **state)
{
	uint16_t mv[24];
	struct cg_pack pack;
	uint32_t total = 0;

	(void)state;
	for (unsigned i = 0; i < 24; i++) {
		mv[i] = (uint16_t)(4150 + i);
		total += mv[i];
	}
	init_pack(&pack, 0);
	apply_cells(&pack, 24, mv, 1000);
	assert_int_equal(pack.wired, 24);
	/* 99876 / 24 = 4161.5 -> 4162 */
	assert_int_equal(total, 99876);
	assert_figures(&pack, 24, 99876, 4162, 23, 0, 23);
}

/*
 * Status is due every 1000 ms and cells every 2000 ms; stale after 2.5
 * periods: exactly 2500 (5000) ms old is still fresh, one more ms is not.
 */
static void test_freshness_boundaries(void **state)
{
	struct cg_pack pack;
	struct cg_record rec;

	(void)state;
	init_pack(&pack, 0);
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_STATUS, 10000),
			 CG_NEVER);
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_CELLS, 10000),
			 CG_NEVER);

	make_status(&rec);
	cg_pack_apply(&pack, &rec, 10000);
	assert_int_equal(pack.at_ms[CG_REC_STATUS], 10000);
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_STATUS, 10000),
			 CG_FRESH);
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_STATUS, 12500),
			 CG_FRESH);
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_STATUS, 12501),
			 CG_STALE);
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_STATUS, 99999999),
			 CG_STALE);
	/* Cells still never seen. */
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_CELLS, 12501),
			 CG_NEVER);

	apply_cells(&pack, 16, vendor_cells16_mv, 20000);
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_CELLS, 20000),
			 CG_FRESH);
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_CELLS, 25000),
			 CG_FRESH);
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_CELLS, 25001),
			 CG_STALE);

	/* A new status frame makes it fresh again. */
	cg_pack_apply(&pack, &rec, 30000);
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_STATUS, 32500),
			 CG_FRESH);
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_STATUS, 32501),
			 CG_STALE);
}

/*
 * A caller that read its clock just before a frame arrived asks about a
 * moment earlier than the frame: the data is brand new, not "stale" from an
 * unsigned wrap-around.
 */
static void test_freshness_clock_read_before_frame(void **state)
{
	struct cg_pack pack;
	struct cg_record rec;

	(void)state;
	init_pack(&pack, 0);
	make_status(&rec);
	cg_pack_apply(&pack, &rec, 30000);
	assert_int_equal(cg_pack_freshness(&pack, CG_REC_STATUS, 29999),
			 CG_FRESH);
}

/* Per-cell session minimum and maximum, the worst delta and when it was. */
static void test_session_extremes_and_reset(void **state)
{
	uint16_t mv[4] = { 3300, 3310, 3320, 3330 }; /* delta 30 */
	struct cg_pack pack;

	(void)state;
	init_pack(&pack, 0);
	apply_cells(&pack, 4, mv, 1000);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(pack.session_min_mv[i], mv[i]);
		assert_int_equal(pack.session_max_mv[i], mv[i]);
	}
	assert_int_equal(pack.session_worst_delta_mv, 30);
	assert_int_equal(pack.session_worst_delta_at_ms, 1000);

	mv[0] = 3250; /* low drops: delta 3335 - 3250 = 85 */
	mv[3] = 3335;
	apply_cells(&pack, 4, mv, 3000);
	mv[0] = 3340; /* now cell 1 is the high: delta 30 */
	mv[3] = 3315;
	apply_cells(&pack, 4, mv, 5000);
	assert_int_equal(pack.delta_mv, 30);
	assert_int_equal(pack.high_index, 0);
	assert_int_equal(pack.low_index, 1);

	assert_int_equal(pack.session_min_mv[0], 3250);
	assert_int_equal(pack.session_max_mv[0], 3340);
	assert_int_equal(pack.session_min_mv[1], 3310);
	assert_int_equal(pack.session_max_mv[1], 3310);
	assert_int_equal(pack.session_min_mv[3], 3315);
	assert_int_equal(pack.session_max_mv[3], 3335);
	assert_int_equal(pack.session_worst_delta_mv, 85);
	assert_int_equal(pack.session_worst_delta_at_ms, 3000);

	cg_pack_reset_session(&pack);
	for (unsigned i = 0; i < CG_MAX_CELLS; i++) {
		assert_int_equal(pack.session_min_mv[i], 0);
		assert_int_equal(pack.session_max_mv[i], 0);
	}
	assert_int_equal(pack.session_worst_delta_mv, 0);
	/* The live figures survive the reset. */
	assert_int_equal(pack.delta_mv, 30);
	assert_int_equal(pack.counted, 4);

	apply_cells(&pack, 4, mv, 7000);
	assert_int_equal(pack.session_min_mv[0], 3340);
	assert_int_equal(pack.session_max_mv[0], 3340);
	assert_int_equal(pack.session_worst_delta_mv, 30);
	assert_int_equal(pack.session_worst_delta_at_ms, 7000);
}

/* Channels that are not cells leave no session extremes. */
static void test_session_ignores_unwired_channels(void **state)
{
	struct cg_pack pack;

	(void)state;
	init_pack(&pack, 0);
	apply_cells(&pack, 16, vendor_cells_old_mv, 1000);
	assert_int_equal(pack.session_min_mv[0], 3932);
	assert_int_equal(pack.session_max_mv[1], 3948);
	for (unsigned i = 3; i < CG_MAX_CELLS; i++) {
		assert_int_equal(pack.session_min_mv[i], 0);
		assert_int_equal(pack.session_max_mv[i], 0);
	}
	assert_int_equal(pack.session_worst_delta_mv, 16);
}

static void test_counts_per_type(void **state)
{
	struct cg_pack pack;
	struct cg_record status;

	(void)state;
	init_pack(&pack, 0);
	make_status(&status);
	apply_cells(&pack, 16, vendor_cells16_mv, 1000);
	cg_pack_apply(&pack, &status, 1100);
	cg_pack_apply(&pack, &status, 2100);
	apply_cells(&pack, 16, vendor_cells16_mv, 3000);
	cg_pack_apply(&pack, &status, 3100);
	apply_impedance(&pack, 16, 3200);
	apply_cells(&pack, 16, vendor_cells16_mv, 5000);

	assert_int_equal(pack.count[CG_REC_CELLS], 3);
	assert_int_equal(pack.count[CG_REC_STATUS], 3);
	assert_int_equal(pack.count[CG_REC_IMPEDANCE], 1);
	for (int t = 0; t < CG_REC_TYPES; t++)
		assert_true(pack.have[t]);
	assert_int_equal(pack.at_ms[CG_REC_CELLS], 5000);
	assert_int_equal(pack.at_ms[CG_REC_STATUS], 3100);
	assert_int_equal(pack.at_ms[CG_REC_IMPEDANCE], 3200);

	/* The records themselves are kept as given. */
	assert_int_equal(pack.status.charge_end_mv, 3620);
	assert_int_equal(pack.status.current_da, 230);
	assert_int_equal(pack.status.soc_pct, 91);
	assert_int_equal(pack.impedance.count, 16);
	assert_int_equal(pack.impedance.impedance_dmohm[15], 16);

	/* A session reset leaves the counts alone. */
	cg_pack_reset_session(&pack);
	assert_int_equal(pack.count[CG_REC_CELLS], 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_knows_nothing),
		cmocka_unit_test(test_freshness_clock_read_before_frame),
		cmocka_unit_test(test_wiring_and_figures),
		cmocka_unit_test(test_option_wins_over_impedance),
		cmocka_unit_test(test_impedance_count_after_cells),
		cmocka_unit_test(test_average_rounding),
		cmocka_unit_test(test_24_cells_total),
		cmocka_unit_test(test_freshness_boundaries),
		cmocka_unit_test(test_session_extremes_and_reset),
		cmocka_unit_test(test_session_ignores_unwired_channels),
		cmocka_unit_test(test_collapsed_cell_stays_wired),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_soc_sources),
		cmocka_unit_test(test_counts_per_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
