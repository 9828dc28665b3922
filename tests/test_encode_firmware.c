/*
 * Every firmware the simulator can play, against the decoder: a record
 * made the way that firmware has it (the fields it lacks cleared, as the
 * decoder gives them) is encoded, decoded and must come back field for
 * field, for a BMS8T, 16T and 24T; the frame lengths are those of the
 * firmware history (../shared/real/README.md); and the inspector names
 * the right era from the frames alone, also from the simulator's stream.
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
#include "inspect.h"
#include "sim.h"

static const uint8_t slot_options[] = { 8, 16, 24 };

/* What each firmware must look like on the wire and to the inspector. */
static const struct expected {
	enum cg_firmware fw;
	const char *name;
	uint8_t cells_len_8; /* 0x56 of a BMS8T; +16 per 8 more slots */
	uint8_t status_len;
	bool impedance;
	const char *era; /* the inspector's words for it */
} expected[] = {
	{ CG_FW_V126, "v126", 29, 19, true,
	  "V1.26 or later (0x56 with Wh/Ah, 0x57 of 19 bytes)" },
	{ CG_FW_V125, "v125", 29, 15, true,
	  "V1.24 or V1.25 (0x56 with Wh/Ah, 0x57 of 15 bytes)" },
	{ CG_FW_V124, "v124", 29, 15, false,
	  "V1.24 or V1.25 (0x56 with Wh/Ah, 0x57 of 15 bytes)" },
	{ CG_FW_V122, "v122", 22, 15, false,
	  "before V1.24 (0x56 without Wh/Ah, 0x57 of 15 bytes)" },
	{ CG_FW_V120, "v120", 22, 13, false,
	  "before V1.21 (0x56 without Wh/Ah, 0x57 of 13 bytes)" },
};
#define EXPECTED_N (sizeof(expected) / sizeof(expected[0]))

static void to_frame(const uint8_t *bytes, size_t len, struct cg_frame *frame)
{
	assert_in_range(len, 5, CG_FRAME_MAX);
	memcpy(frame->bytes, bytes, len);
	frame->len = (uint8_t)len;
}

/* A 0x56 record as firmware fw sends it and the decoder reads it. */
static void make_cells(enum cg_firmware fw, uint8_t slots,
		       struct cg_cells *c)
{
	const struct cg_firmware_layout *layout = cg_firmware_layout(fw);

	memset(c, 0, sizeof(*c));
	c->count = slots;
	uint32_t pack_mv = 0;

	for (unsigned i = 0; i < slots; i++) {
		c->mv[i] = (uint16_t)(i + 2u < slots ? 3200 + 7 * i : 3 + i);
		pack_mv += c->mv[i];
	}
	c->has_energy = layout->cells_energy;
	if (c->has_energy) {
		/* Wh / Ah near the pack's voltage, as the decoder checks. */
		c->charge_mah = 87654;
		c->energy_mwh = (uint32_t)(87654ull * pack_mv / 1000);
	}
	/* 6 + 2N bytes: the decoder reads the byte after the cells as the
	 * SOC whatever the era; before V1.22 it is 0x00. */
	c->has_soc = !layout->cells_energy;
	c->soc_pct = layout->cells_soc ? 57 : 0;
}

static void make_status(enum cg_firmware fw, struct cg_status *s)
{
	const struct cg_firmware_layout *layout = cg_firmware_layout(fw);
	bool modern = layout->status_len > 13;

	memset(s, 0, sizeof(*s));
	s->charge_end_mv = 3650;
	s->has_mode = modern;
	s->mode = modern ? CG_MODE_DISCHARGE : CG_MODE_UNKNOWN;
	s->current_da = modern ? -1234 : 1234; /* unsigned before V1.21 */
	s->t1_dc = -55;
	s->t2_dc = 301;
	s->has_soc = modern;
	s->soc_pct = modern ? 57 : 0;
	s->has_protection = layout->status_len == 19;
	if (s->has_protection) {
		s->discharge_end_mv = 2800;
		s->charge_protect = false;
		s->discharge_protect = true;
	}
}

static void assert_cells_equal(const struct cg_cells *a,
			       const struct cg_cells *b)
{
	assert_int_equal(a->count, b->count);
	assert_memory_equal(a->mv, b->mv, sizeof(a->mv));
	assert_int_equal(a->has_soc, b->has_soc);
	assert_int_equal(a->soc_pct, b->soc_pct);
	assert_int_equal(a->has_energy, b->has_energy);
	assert_int_equal(a->energy_mwh, b->energy_mwh);
	assert_int_equal(a->charge_mah, b->charge_mah);
}

static void assert_status_equal(const struct cg_status *a,
				const struct cg_status *b)
{
	assert_int_equal(a->charge_end_mv, b->charge_end_mv);
	assert_int_equal(a->has_mode, b->has_mode);
	assert_int_equal(a->mode, b->mode);
	assert_int_equal(a->current_da, b->current_da);
	assert_int_equal(a->t1_dc, b->t1_dc);
	assert_int_equal(a->t2_dc, b->t2_dc);
	assert_int_equal(a->has_soc, b->has_soc);
	assert_int_equal(a->soc_pct, b->soc_pct);
	assert_int_equal(a->has_protection, b->has_protection);
	assert_int_equal(a->discharge_end_mv, b->discharge_end_mv);
	assert_int_equal(a->charge_protect, b->charge_protect);
	assert_int_equal(a->discharge_protect, b->discharge_protect);
}

/* Every firmware x every unit: encode, decode, the same record back. */
static void test_round_trip_every_firmware(void **state)
{
	(void)state;
	assert_int_equal(EXPECTED_N, CG_FW_COUNT);
	for (size_t e = 0; e < EXPECTED_N; e++) {
		enum cg_firmware fw = expected[e].fw;

		for (size_t k = 0; k < 3; k++) {
			uint8_t slots = slot_options[k];
			uint8_t bytes[CG_FRAME_MAX];
			struct cg_frame frame;
			struct cg_record rec;
			struct cg_cells cells;
			struct cg_status status;
			struct cg_impedance imp = {
				.mode = CG_MODE_CHARGE,
				.current_da = 321,
				.count = (uint8_t)(slots - 2),
			};

			print_message("# %s, %u slots\n", expected[e].name,
				      slots);
			make_cells(fw, slots, &cells);
			to_frame(bytes, cg_encode_cells(&cells, fw, bytes),
				 &frame);
			assert_int_equal(frame.len, expected[e].cells_len_8 +
						2 * (slots - 8));
			assert_int_equal(cg_decode(&frame, &rec),
					 CG_DECODE_OK);
			assert_int_equal(rec.type, CG_REC_CELLS);
			assert_cells_equal(&rec.u.cells, &cells);

			make_status(fw, &status);
			to_frame(bytes, cg_encode_status(&status, fw, bytes),
				 &frame);
			assert_int_equal(frame.len, expected[e].status_len);
			assert_int_equal(cg_decode(&frame, &rec),
					 CG_DECODE_OK);
			assert_int_equal(rec.type, CG_REC_STATUS);
			assert_status_equal(&rec.u.status, &status);

			/* 0x58 is one layout; it round-trips wherever the
			 * firmware has it. */
			for (unsigned i = 0; i < imp.count; i++)
				imp.impedance_dmohm[i] = (uint16_t)(2 + i % 5);
			to_frame(bytes, cg_encode_impedance(&imp, bytes),
				 &frame);
			assert_int_equal(cg_decode(&frame, &rec),
					 CG_DECODE_OK);
			assert_int_equal(rec.u.impedance.count, imp.count);
			assert_int_equal(rec.u.impedance.current_da, 321);
			assert_memory_equal(rec.u.impedance.impedance_dmohm,
					    imp.impedance_dmohm,
					    sizeof(imp.impedance_dmohm));
		}
	}
}

/* Before V1.21 the status carries the magnitude: a discharge current
 * goes out without its sign, and no mode or SOC byte is written. */
static void test_v120_status_drops_mode_and_soc(void **state)
{
	static const uint8_t want[] = {
		0x24, 0x24, 0x57, 0x0D,
		0x0E, 0x42, /* charge end 3650 mV */
		0x00, 0x7B, /* 12.3 A, no direction */
		0x00, 0xC8, /* 20.0 degC */
		0xFF, 0xF6, /* -1.0 degC */
		0x00,	    /* checksum, below */
	};
	struct cg_status status = {
		.charge_end_mv = 3650, .has_mode = true,
		.mode = CG_MODE_DISCHARGE, .current_da = -123,
		.t1_dc = 200, .t2_dc = -10, .has_soc = true, .soc_pct = 80,
	};
	uint8_t expected_bytes[sizeof(want)], out[CG_FRAME_MAX];

	(void)state;
	memcpy(expected_bytes, want, sizeof(want));
	expected_bytes[sizeof(want) - 1] =
		cg_checksum(expected_bytes, sizeof(want) - 1);
	assert_int_equal(cg_encode_status(&status, CG_FW_V120, out),
			 sizeof(want));
	assert_memory_equal(out, expected_bytes, sizeof(want));
}

/* V1.22/V1.23 put the SOC after the cells; V1.20 a 0x00 there. */
static void test_soc_byte_after_the_cells(void **state)
{
	struct cg_cells cells = { .count = 8, .has_soc = true,
				  .soc_pct = 93 };
	uint8_t out[CG_FRAME_MAX];

	(void)state;
	assert_int_equal(cg_encode_cells(&cells, CG_FW_V122, out), 22);
	assert_int_equal(out[20], 93);
	cells.has_soc = false;
	assert_int_equal(cg_encode_cells(&cells, CG_FW_V120, out), 22);
	assert_int_equal(out[20], 0x00);
}

static void test_names(void **state)
{
	enum cg_firmware fw;

	(void)state;
	for (size_t e = 0; e < EXPECTED_N; e++) {
		fw = CG_FW_COUNT;
		assert_true(cg_firmware_by_name(expected[e].name, &fw));
		assert_int_equal(fw, expected[e].fw);
		assert_string_equal(cg_firmware_layout(fw)->name,
				    expected[e].name);
		assert_int_equal(cg_firmware_layout(fw)->status_len,
				 expected[e].status_len);
		assert_int_equal(cg_firmware_layout(fw)->impedance,
				 expected[e].impedance);
	}
	/* "old" keeps meaning V1.22. */
	assert_true(cg_firmware_by_name("old", &fw));
	assert_int_equal(fw, CG_FW_V122);
	fw = CG_FW_V124;
	assert_false(cg_firmware_by_name("v121", &fw));
	assert_false(cg_firmware_by_name("V126", &fw));
	assert_false(cg_firmware_by_name("", &fw));
	assert_int_equal(fw, CG_FW_V124);
	/* Out of range: V1.26's layout, never a crash. */
	assert_string_equal(cg_firmware_layout(CG_FW_COUNT)->name, "v126");
}

static void inspect_bytes(struct cg_inspect *in, struct cg_framer *framer,
			  const uint8_t *bytes, size_t len, unsigned *frames)
{
	struct cg_frame frame;
	struct cg_record rec;

	while (cg_framer_next(framer, &bytes, &len, &frame)) {
		assert_int_equal(cg_decode(&frame, &rec), CG_DECODE_OK);
		cg_inspect_frame(in, &frame, &rec);
		frames[rec.type]++;
	}
}

/* The inspector's firmware guess, from the encoder's frames and from two
 * minutes of the simulator's stream for each firmware and unit. */
static void test_inspector_names_the_era(void **state)
{
	(void)state;
	for (size_t e = 0; e < EXPECTED_N; e++) {
		enum cg_firmware fw = expected[e].fw;

		for (size_t k = 0; k < 3; k++) {
			struct cg_sim_config config;
			struct cg_sim sim;
			struct cg_inspect in;
			struct cg_framer framer;
			unsigned frames[CG_REC_TYPES] = { 0 };
			uint8_t buf[512];

			cg_sim_default_config(&config);
			config.firmware = fw;
			config.slots = slot_options[k];
			config.cells = slot_options[k];
			config.seed = 77 + (uint32_t)(e * 3 + k);
			cg_sim_init(&sim, &config, 0);
			cg_inspect_init(&in);
			cg_framer_init(&framer);
			assert_null(cg_inspect_firmware(&in));
			/* Long enough for several reversals (30-60 s). */
			for (uint64_t t = 0; t < 10 * 60 * 1000; t += 1000)
				inspect_bytes(&in, &framer, buf,
					      cg_sim_run(&sim, t, buf,
							 sizeof(buf)),
					      frames);
			print_message("# %s, %u slots: %s\n",
				      expected[e].name, config.slots,
				      cg_inspect_firmware(&in));
			assert_non_null(cg_inspect_firmware(&in));
			assert_string_equal(cg_inspect_firmware(&in),
					    expected[e].era);
			assert_int_equal(frames[CG_REC_STATUS], 600);
			assert_int_equal(frames[CG_REC_CELLS], 300);
			if (expected[e].impedance)
				assert_true(frames[CG_REC_IMPEDANCE] > 0);
			else
				assert_int_equal(frames[CG_REC_IMPEDANCE], 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_firmware),
		cmocka_unit_test(test_v120_status_drops_mode_and_soc),
		cmocka_unit_test(test_soc_byte_after_the_cells),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_inspector_names_the_era),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
