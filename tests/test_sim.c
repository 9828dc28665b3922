/*
 * Unit tests for the simulated BMS, checked by pushing hours of its stream
 * through the real framer and decoder: every frame must pass, the cadence
 * must be the BMS's, every reversal of the current must be followed by a
 * 0x58, and every value must look like a real pack. The encoder it uses
 * is tested in tests/test_encode.c.
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

#define HOUR_MS (3600 * 1000ULL)

/* ------------------------------------------------------------------ */
/* The simulated stream through the framer and decoder                 */

/* What a run of the simulator showed, frame by frame. */
struct stream_report {
	struct cg_framer framer;
	unsigned frames[CG_REC_TYPES];
	unsigned rejected;          /* frames the decoder refused */
	unsigned reversals;         /* 0x57 entering charge or discharge */
	unsigned orphan_impedance;  /* 0x58 not right after a reversal */
	unsigned missing_impedance; /* reversal not followed by a 0x58 */
	unsigned mode_frames[3];
	unsigned status_without_mode; /* 0x57 of 13 bytes */
	unsigned balancing_phases, balanced_phases;

	/* running state */
	bool have_status;
	enum cg_mode mode;
	bool expect_impedance;
	bool have_cells;
	uint16_t last_mv[CG_MAX_CELLS];
	int32_t phase_start_excess; /* high cell above average at start */
	int32_t excess;
	bool phase_has_cells;
};

/* The high cell's excess over the average of the wired cells, in mV. */
static int32_t high_cell_excess(const struct cg_cells *cells, unsigned wired)
{
	int32_t sum = 0, high = 0;

	for (unsigned i = 0; i < wired; i++) {
		sum += cells->mv[i];
		if (cells->mv[i] > high)
			high = cells->mv[i];
	}
	return high - sum / (int32_t)wired;
}

static void check_cells(struct stream_report *r,
			const struct cg_sim_config *config,
			const struct cg_cells *cells)
{
	const struct cg_firmware_layout *fw =
		cg_firmware_layout(config->firmware);

	assert_int_equal(cells->count, config->slots);
	assert_int_equal(cells->has_energy, fw->cells_energy);
	/* Without Wh/Ah the byte after the cells is read as the SOC: the
	 * pack's from V1.22 on, 0x00 before. */
	assert_int_equal(cells->has_soc, !fw->cells_energy);
	if (fw->cells_soc)
		assert_in_range(cells->soc_pct, 1, 100);
	else
		assert_int_equal(cells->soc_pct, 0);
	for (unsigned i = 0; i < cells->count; i++) {
		if (i < config->cells) {
			assert_in_range(cells->mv[i], 2500, 3650);
			/* Smooth: only a current reversal moves a cell by
			 * more than a few mV between two frames. */
			if (r->have_cells)
				assert_true(abs(cells->mv[i] - r->last_mv[i]) <=
					    50);
		} else {
			assert_in_range(cells->mv[i], 0, 30);
		}
		r->last_mv[i] = cells->mv[i];
	}
	r->have_cells = true;
	if (cells->has_energy) {
		assert_in_range(cells->charge_mah, 0, 100000);
		assert_true(cells->energy_mwh > 0);
	}
	r->excess = high_cell_excess(cells, config->cells);
	if (r->have_status && r->mode == CG_MODE_CHARGE &&
	    !r->phase_has_cells) {
		r->phase_start_excess = r->excess;
		r->phase_has_cells = true;
	}
}

/* A charge phase ends: did the balancer bring the high cell down? */
static void end_phase(struct stream_report *r)
{
	if (r->mode != CG_MODE_CHARGE || !r->phase_has_cells)
		return;
	if (r->phase_start_excess > 3) {
		r->balancing_phases++;
		if (r->excess < r->phase_start_excess)
			r->balanced_phases++;
	}
	r->phase_has_cells = false;
}

static void check_status(struct stream_report *r,
			 const struct cg_sim_config *config,
			 const struct cg_status *status)
{
	const struct cg_firmware_layout *fw =
		cg_firmware_layout(config->firmware);
	int32_t magnitude = abs(status->current_da);

	assert_int_equal(status->has_protection, fw->status_len == 19);
	if (fw->status_len == 13) {
		/* Before V1.21: no mode, no SOC, the current unsigned, so
		 * no reversal can be seen in the stream. */
		assert_false(status->has_mode);
		assert_int_equal(status->mode, CG_MODE_UNKNOWN);
		assert_false(status->has_soc);
		assert_int_equal(status->soc_pct, 0);
		assert_true(status->current_da >= 0);
		assert_true(status->current_da == 0 ||
			    status->current_da >= 50);
		assert_in_range(status->current_da, 0, 400);
		assert_in_range(status->t1_dc, 150, 250);
		assert_in_range(status->t2_dc, 150, 250);
		r->status_without_mode++;
		return;
	}
	assert_true(status->has_mode);
	assert_true(status->has_soc);
	assert_in_range(status->mode, CG_MODE_DISCHARGE, CG_MODE_STORAGE);
	if (status->mode == CG_MODE_STORAGE)
		assert_int_equal(status->current_da, 0);
	else
		assert_in_range(magnitude, 50, 400);
	assert_in_range(status->t1_dc, 150, 250);
	assert_in_range(status->t2_dc, 150, 250);
	assert_in_range(status->soc_pct, 0, 100);
	r->mode_frames[status->mode]++;

	if (r->have_status && status->mode != r->mode) {
		end_phase(r);
		if (status->mode != CG_MODE_STORAGE) {
			r->reversals++;
			r->expect_impedance = fw->impedance;
		}
	}
	r->mode = status->mode;
	r->have_status = true;
}

static void check_impedance(const struct cg_sim_config *config,
			    const struct cg_impedance *imp,
			    const struct stream_report *r)
{
	assert_int_equal(imp->count, config->cells);
	assert_int_equal(imp->mode, r->mode);
	assert_true(imp->mode != CG_MODE_STORAGE);
	assert_in_range(abs(imp->current_da), 50, 400);
	for (unsigned i = 0; i < imp->count; i++)
		assert_in_range(imp->impedance_dmohm[i], 1, 6);
}

static void check_frame(struct stream_report *r,
			const struct cg_sim_config *config,
			const struct cg_frame *frame)
{
	struct cg_record rec;
	bool was_expected = r->expect_impedance;

	if (cg_decode(frame, &rec) != CG_DECODE_OK) {
		r->rejected++;
		return;
	}
	r->frames[rec.type]++;
	r->expect_impedance = false;

	switch (rec.type) {
	case CG_REC_CELLS:
		check_cells(r, config, &rec.u.cells);
		break;
	case CG_REC_STATUS:
		check_status(r, config, &rec.u.status);
		break;
	case CG_REC_IMPEDANCE:
		check_impedance(config, &rec.u.impedance, r);
		if (!was_expected)
			r->orphan_impedance++;
		return;
	default:
		fail_msg("unknown record type %d", rec.type);
	}
	if (was_expected)
		r->missing_impedance++;
}

/* Feeds the stream through the framer in chunks of varying size. */
static void feed(struct stream_report *r, const struct cg_sim_config *config,
		 const uint8_t *bytes, size_t len)
{
	size_t pos = 0, chunk = 1;

	while (pos < len) {
		const uint8_t *cursor = bytes + pos;
		size_t left = chunk < len - pos ? chunk : len - pos;
		struct cg_frame frame;

		pos += left;
		while (cg_framer_next(&r->framer, &cursor, &left, &frame))
			check_frame(r, config, &frame);
		chunk = chunk % 97 + 7;
	}
}

/* Runs the simulator for duration_ms, polled every step_ms. */
static void run_sim(const struct cg_sim_config *config, uint64_t duration_ms,
		    uint64_t step_ms, struct stream_report *r)
{
	struct cg_sim sim;
	uint8_t buf[512];

	memset(r, 0, sizeof(*r));
	cg_framer_init(&r->framer);
	cg_sim_init(&sim, config, 0);
	for (uint64_t now = 0; now < duration_ms; now += step_ms) {
		size_t n = cg_sim_run(&sim, now, buf, sizeof(buf));

		feed(r, config, buf, n);
		assert_true(cg_sim_next_due_ms(&sim) > now);
	}
}

static void assert_clean_stream(const struct stream_report *r,
				const struct cg_sim_config *config,
				uint64_t duration_ms)
{
	const struct cg_framer_stats *stats = &r->framer.stats;
	const struct cg_firmware_layout *fw =
		cg_firmware_layout(config->firmware);

	assert_int_equal(r->rejected, 0);
	assert_int_equal(stats->bad_checksum, 0);
	assert_int_equal(stats->bad_length, 0);
	assert_int_equal(r->frames[CG_REC_STATUS], duration_ms / 1000);
	assert_int_equal(r->frames[CG_REC_CELLS], duration_ms / 2000);
	assert_int_equal(stats->frames, r->frames[CG_REC_STATUS] +
				r->frames[CG_REC_CELLS] +
				r->frames[CG_REC_IMPEDANCE]);

	/* A 0x58 right after every reversal, and only then; none at all
	 * before V1.25. Before V1.21 no 0x57 says the mode. */
	if (fw->status_len == 13) {
		assert_int_equal(r->status_without_mode,
				 r->frames[CG_REC_STATUS]);
		assert_int_equal(r->reversals, 0);
	} else {
		assert_int_equal(r->status_without_mode, 0);
		assert_true(r->reversals > 0);
	}
	assert_int_equal(r->frames[CG_REC_IMPEDANCE],
			 fw->impedance ? r->reversals : 0);
	assert_int_equal(r->orphan_impedance, 0);
	assert_int_equal(r->missing_impedance, 0);

	if (config->junk) {
		assert_true(stats->junk_bytes > 0);
	} else {
		assert_int_equal(stats->junk_bytes, 0);
		assert_int_equal(stats->unknown_cmd, 0);
		assert_int_equal(stats->resyncs, 0);
	}
}

static void test_sim_hour_default(void **state)
{
	struct cg_sim_config config;
	struct stream_report r;

	(void)state;
	cg_sim_default_config(&config);
	assert_int_equal(config.slots, 16);
	assert_int_equal(config.cells, 16);
	assert_int_equal(config.firmware, CG_FW_V126);
	assert_true(config.junk);

	run_sim(&config, HOUR_MS, 250, &r);
	assert_clean_stream(&r, &config, HOUR_MS);

	/* Phases of 30-60 s: about 60-120 reversals in an hour. */
	assert_in_range(r.reversals, 40, 130);
	assert_true(r.mode_frames[CG_MODE_CHARGE] > 600);
	assert_true(r.mode_frames[CG_MODE_DISCHARGE] > 600);
	assert_true(r.mode_frames[CG_MODE_STORAGE] > 0);

	/* The balancer bleeds the high cell during most charge phases. */
	assert_true(r.balancing_phases > 5);
	assert_true(r.balanced_phases * 3 > r.balancing_phases * 2);
}

/* Every unit, firmware and wiring the simulator offers. */
static void test_sim_variants(void **state)
{
	static const uint8_t slot_options[] = { 8, 16, 24 };
	struct cg_sim_config config;
	struct stream_report r;
	const uint64_t duration = 20 * 60 * 1000;

	(void)state;
	for (size_t s = 0; s < 3; s++) {
		for (int fw = 0; fw < CG_FW_COUNT; fw++) {
			for (int junk = 0; junk <= 1; junk++) {
				cg_sim_default_config(&config);
				config.slots = slot_options[s];
				config.cells = slot_options[s] - 3 * junk;
				config.firmware = (enum cg_firmware)fw;
				config.junk = junk;
				config.seed = 1000 + s * 10 + fw * 2 + junk;
				run_sim(&config, duration, 1000, &r);
				assert_clean_stream(&r, &config, duration);
			}
		}
	}
}

static void test_sim_many_seeds(void **state)
{
	struct cg_sim_config config;
	struct stream_report r;
	const uint64_t duration = 10 * 60 * 1000;

	(void)state;
	cg_sim_default_config(&config);
	for (uint32_t seed = 0; seed < 40; seed++) {
		config.seed = seed * 2654435761U;
		config.cells = 4 + seed % 13;
		run_sim(&config, duration, 700, &r);
		assert_clean_stream(&r, &config, duration);
	}
}

/* Generates duration_ms of stream, polling every step_ms with at most cap
 * bytes per call; returns the length. */
static size_t generate(const struct cg_sim_config *config,
		       uint64_t duration_ms, uint64_t step_ms, size_t cap,
		       uint8_t *out, size_t out_cap)
{
	struct cg_sim sim;
	size_t len = 0;
	uint64_t now = 0;

	cg_sim_init(&sim, config, 0);
	for (;;) {
		size_t n;

		do {
			assert_true(out_cap - len >= cap);
			n = cg_sim_run(&sim, now, out + len, cap);
			assert_true(n <= cap);
			len += n;
		} while (n > 0);
		if (now == duration_ms - 1)
			return len;
		now = now + step_ms < duration_ms ? now + step_ms
						  : duration_ms - 1;
	}
}

static size_t count_pattern(const uint8_t *bytes, size_t len,
			    const uint8_t *pattern, size_t pattern_len)
{
	size_t count = 0;

	for (size_t i = 0; i + pattern_len <= len; i++)
		count += memcmp(bytes + i, pattern, pattern_len) == 0;
	return count;
}

/* The junk looks like the vendor dumps: their text line, and lone 0x24
 * bytes right before a header, which a framer must skip without losing
 * the frame (assert_clean_stream() checks that none is lost). */
static void test_sim_junk_shapes(void **state)
{
	static const uint8_t vendor_text[] = { 0x68, 0x3A, 0x3A, 0x33,
					       0x0D, 0x0A };
	static const uint8_t triple_header[] = { 0x24, 0x24, 0x24 };
	static uint8_t with[64 * 1024], without[64 * 1024];
	struct cg_sim_config config;
	const uint64_t duration = 10 * 60 * 1000;
	size_t len_with, len_without;

	(void)state;
	cg_sim_default_config(&config);
	len_with = generate(&config, duration, 1000, 512, with, sizeof(with));
	config.junk = false;
	len_without = generate(&config, duration, 1000, 512, without,
			       sizeof(without));

	assert_true(len_with > len_without);
	assert_true(count_pattern(with, len_with, vendor_text,
				  sizeof(vendor_text)) > 0);
	assert_int_equal(count_pattern(without, len_without, vendor_text,
				       sizeof(vendor_text)), 0);
	assert_true(count_pattern(with, len_with, triple_header,
				  sizeof(triple_header)) >
		    count_pattern(without, len_without, triple_header,
				  sizeof(triple_header)));
}

/* Same seed, same bytes, however the caller slices time or space. */
static void test_sim_deterministic(void **state)
{
	static uint8_t a[64 * 1024], b[64 * 1024], c[64 * 1024];
	struct cg_sim_config config;
	const uint64_t duration = 10 * 60 * 1000;
	size_t len_a, len_b, len_c;

	(void)state;
	cg_sim_default_config(&config);
	config.seed = 42;
	len_a = generate(&config, duration, 1000, 512, a, sizeof(a));
	len_b = generate(&config, duration, 37, 512, b, sizeof(b));
	/* 70 bytes: a 0x56 (45) with junk often does not fit after a 0x57. */
	len_c = generate(&config, duration, 5000, 70, c, sizeof(c));
	assert_true(len_a > 10000);
	assert_int_equal(len_a, len_b);
	assert_memory_equal(a, b, len_a);
	assert_int_equal(len_a, len_c);
	assert_memory_equal(a, c, len_a);

	config.seed = 43;
	len_b = generate(&config, duration, 1000, 512, b, sizeof(b));
	assert_true(len_b != len_a || memcmp(a, b, len_a) != 0);
}

/* A frame that does not fit stays due; nothing is half-written. */
static void test_sim_respects_cap(void **state)
{
	struct cg_sim_config config;
	struct cg_sim sim;
	uint8_t buf[512];

	(void)state;
	cg_sim_default_config(&config);
	config.junk = false;
	cg_sim_init(&sim, &config, 1000);
	assert_int_equal(cg_sim_next_due_ms(&sim), 1000);

	/* At the start a 0x57 (19) and a 0x56 (45) are both due. */
	assert_int_equal(cg_sim_run(&sim, 1000, buf, 18), 0);
	assert_int_equal(cg_sim_run(&sim, 1000, buf, 19), 19);
	assert_int_equal(buf[2], CG_CMD_STATUS);
	assert_int_equal(cg_sim_next_due_ms(&sim), 1000);
	assert_int_equal(cg_sim_run(&sim, 1000, buf, 44), 0);
	assert_int_equal(cg_sim_run(&sim, 1000, buf, sizeof(buf)), 45);
	assert_int_equal(buf[2], CG_CMD_CELLS);
	assert_int_equal(cg_sim_next_due_ms(&sim), 2000);
	assert_int_equal(cg_sim_run(&sim, 1999, buf, sizeof(buf)), 0);
	assert_int_equal(cg_sim_run(&sim, 2000, buf, sizeof(buf)), 19);
}

/* Pushes the pack towards full or empty with a phase that would last for
 * hours: the simulator must turn around before it gets there. The
 * simulated pack holds 100 Ah, so 0.001 % of SOC is 1000 uAh. */
static void run_towards_limit(enum cg_mode mode, uint32_t start_soc_milli,
			      uint32_t *min_soc, uint32_t *max_soc)
{
	struct cg_sim_config config;
	struct cg_sim sim;
	uint8_t buf[512];

	cg_sim_default_config(&config);
	cg_sim_init(&sim, &config, 0);
	sim.mode = mode;
	sim.current_da = mode == CG_MODE_CHARGE ? 400 : -400;
	sim.mode_until_ms = 10 * HOUR_MS;
	sim.soc_milli = start_soc_milli;
	sim.charge_uah = start_soc_milli * 1000ULL;
	*min_soc = *max_soc = start_soc_milli;
	for (uint64_t now = 0; now < 2 * HOUR_MS; now += 1000) {
		cg_sim_run(&sim, now, buf, sizeof(buf));
		if (sim.soc_milli < *min_soc)
			*min_soc = sim.soc_milli;
		if (sim.soc_milli > *max_soc)
			*max_soc = sim.soc_milli;
	}
}

static void test_sim_turns_before_full_or_empty(void **state)
{
	uint32_t min_soc, max_soc;

	(void)state;
	run_towards_limit(CG_MODE_CHARGE, 95000, &min_soc, &max_soc);
	assert_in_range(max_soc, 96900, 97100); /* stops charging at 97 % */
	assert_true(min_soc < 95000);           /* and goes down again */

	run_towards_limit(CG_MODE_DISCHARGE, 10000, &min_soc, &max_soc);
	assert_in_range(min_soc, 7900, 8100); /* stops discharging at 8 % */
	assert_true(max_soc > 10000);
}

/* Out-of-range configurations are brought to a real unit, not trusted. */
static void test_sim_config_is_sanitised(void **state)
{
	struct cg_sim_config config;
	struct cg_sim sim;

	(void)state;
	cg_sim_default_config(&config);
	config.slots = 12;
	config.cells = 40;
	config.seed = 0;
	cg_sim_init(&sim, &config, 0);
	assert_int_equal(sim.config.slots, 16);
	assert_int_equal(sim.config.cells, 16);
	assert_true(sim.rng != 0);

	config.slots = 0;
	config.cells = 0;
	cg_sim_init(&sim, &config, 0);
	assert_int_equal(sim.config.slots, 8);
	assert_int_equal(sim.config.cells, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_hour_default),
		cmocka_unit_test(test_sim_variants),
		cmocka_unit_test(test_sim_many_seeds),
		cmocka_unit_test(test_sim_deterministic),
		cmocka_unit_test(test_sim_junk_shapes),
		cmocka_unit_test(test_sim_respects_cap),
		cmocka_unit_test(test_sim_turns_before_full_or_empty),
		cmocka_unit_test(test_sim_config_is_sanitised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
