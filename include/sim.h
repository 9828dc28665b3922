/*
 * sim: a simulated Chargery BMS. Produces the byte stream a real unit sends:
 * cells drifting and being balanced, 0x57 every second, 0x56 every two,
 * 0x58 when the current flips between charge and discharge (from V1.25
 * on), and junk bytes between frames as seen in vendor dumps. Each frame
 * has the layout of the configured firmware (encode.h), and its fields are
 * the ones that firmware has: before V1.21 no mode and no SOC, V1.22/V1.23
 * the SOC also in the byte after the cells of 0x56.
 *
 * Pure: no I/O, no allocation, no globals, no clock. The caller says what
 * time it is; the same seed and the same times give the same bytes.
 */
#ifndef CG_SIM_H
#define CG_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decoder.h"
#include "encode.h"

struct cg_sim_config {
	uint8_t slots;  /* channels per 0x56 frame: 8, 16 or 24 */
	uint8_t cells;  /* wired cells, <= slots; the rest read a few mV */
	enum cg_firmware firmware; /* the frame layouts sent */
	bool junk;      /* put junk bytes between frames */
	uint32_t seed;
};

struct cg_sim {
	struct cg_sim_config config;
	uint32_t rng;
	uint64_t next_status_ms;
	uint64_t next_cells_ms;
	uint64_t mode_until_ms;    /* when the current flips next */
	bool impedance_due;
	enum cg_mode mode;
	int32_t current_da;
	int32_t cell_uv[CG_MAX_CELLS]; /* microvolts, for smooth drift */
	uint64_t energy_uwh;       /* microwatt-hours */
	uint64_t charge_uah;
	uint32_t soc_milli;        /* 0.001 % */
	int16_t t1_dc, t2_dc;
	uint64_t last_ms;
};

/* Sensible defaults: 16 slots, 16 cells, V1.26, junk on, seed 1. */
void cg_sim_default_config(struct cg_sim_config *config);

void cg_sim_init(struct cg_sim *sim, const struct cg_sim_config *config,
		 uint64_t now_ms);

/* Writes into out the bytes due at or before now_ms (frames, junk) and
 * returns how many. cap of 512 bytes always suffices for one call that
 * follows the previous one by at most a second. */
size_t cg_sim_run(struct cg_sim *sim, uint64_t now_ms, uint8_t *out,
		  size_t cap);

/* The time at which the next frame is due. */
uint64_t cg_sim_next_due_ms(const struct cg_sim *sim);

#endif
