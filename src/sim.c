/*
 * sim: a simulated Chargery BMS with a LiFePO4 pack behind it.
 *
 * The physics only moves at frame times (every 1000 ms), never at the times
 * the caller happens to ask, so the byte stream depends on the seed alone:
 * two callers that poll at different rates get the same bytes.
 *
 * Each cell's voltage is the pack's open-circuit voltage for the current
 * SOC, plus the cell's own offset (its imbalance, which drifts), plus the
 * drop across its internal resistance. Only the absolute voltage is stored
 * (cell_uv); the offset is recovered from it at each step, so the state
 * holds nothing that could disagree with what was sent.
 */
#include "sim.h"

#include <string.h>

#include "encode.h"
#include "framer.h"

#define STATUS_PERIOD_MS 1000
#define CELLS_PERIOD_MS 2000

#define CAPACITY_UAH 100000000LL /* a 100 Ah pack */
#define SOC_FULL 100000          /* soc_milli at 100 % */
#define CHARGE_END_MV 3650
#define DISCHARGE_END_MV 2800

/* Charge/discharge phases last 30-60 s, rests ("storage") 15-40 s. */
#define ACTIVE_MIN_MS 30000
#define ACTIVE_MAX_MS 60000
#define STORAGE_MIN_MS 15000
#define STORAGE_MAX_MS 40000
#define CURRENT_MIN_DA 50  /* 5 A */
#define CURRENT_MAX_DA 400 /* 40 A */

/* Cell imbalance, in microvolts. The spread a real pack shows is +/-15 mV;
 * each cell leans one way by up to DRIFT_MAX_UV per second (different
 * self-discharge), jitters by NOISE_UV and is pulled back towards zero by
 * 1/REVERT_DIV of its offset per second so that hours of drift stay
 * bounded. While charging, the balancer bleeds the highest cell. */
#define START_SPREAD_UV 15000
#define DRIFT_MAX_UV 15
#define NOISE_UV 100
#define REVERT_DIV 1024
#define BALANCE_START_UV 5000 /* above the average before bleeding */
#define BALANCE_UV 250        /* per second */

#define UNWIRED_MAX_MV 30 /* what an open channel reads */

#define TEMP_MIN_DC 150
#define TEMP_MAX_DC 250
#define TEMP_AMBIENT_DC 200

/* Junk between frames: the vendor dumps show this line of text. */
static const uint8_t vendor_junk[] = { 0x68, 0x3a, 0x3a, 0x33, 0x0d, 0x0a };
#define JUNK_ONE_IN 10  /* frames preceded by junk */
#define STRAY_MAX 6     /* stray bytes in one burst */
#define JUNK_MAX 8      /* no junk burst is longer */

/* LiFePO4 open-circuit voltage against SOC: steep at the ends, a long flat
 * plateau around 3.30 V in the middle. */
static const struct {
	int32_t soc_milli;
	int32_t uv;
} ocv_curve[] = {
	{ 0, 2900000 },	     { 5000, 3150000 },	  { 10000, 3220000 },
	{ 20000, 3260000 },  { 40000, 3285000 },  { 60000, 3300000 },
	{ 80000, 3320000 },  { 90000, 3335000 },  { 97000, 3380000 },
	{ 100000, 3450000 },
};

enum sim_event {
	EVENT_IMPEDANCE,
	EVENT_STATUS,
	EVENT_CELLS,
};

/* Spreads a seed's bits so that nearby seeds give unrelated streams. */
static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

/* xorshift32: small, fast and the same on every platform. */
static uint32_t rng_next(struct cg_sim *sim)
{
	uint32_t x = sim->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	sim->rng = x;
	return x;
}

/* A number in [lo, hi]; the modulo bias is irrelevant here. */
static int32_t rng_range(struct cg_sim *sim, int32_t lo, int32_t hi)
{
	return lo + (int32_t)(rng_next(sim) % (uint32_t)(hi - lo + 1));
}

static bool rng_one_in(struct cg_sim *sim, uint32_t n)
{
	return rng_next(sim) % n == 0;
}

static int32_t clamp32(int32_t value, int32_t lo, int32_t hi)
{
	return value < lo ? lo : value > hi ? hi : value;
}

static int64_t clamp64(int64_t value, int64_t lo, int64_t hi)
{
	return value < lo ? lo : value > hi ? hi : value;
}

/* Per-cell constants are hashed from the seed rather than stored. */
static uint32_t cell_hash(const struct cg_sim *sim, unsigned cell,
			  uint32_t salt)
{
	return mix32(sim->config.seed ^ mix32((cell + 1) * 0x9e3779b9U ^ salt));
}

/* Internal resistance, 0.2-0.5 milliohm as in the vendor's 0x58 dump. */
static int32_t cell_impedance_dmohm(const struct cg_sim *sim, unsigned cell)
{
	return 2 + cell_hash(sim, cell, 0x1b873593U) % 4;
}

static int32_t cell_drift_uv(const struct cg_sim *sim, unsigned cell)
{
	return (int32_t)(cell_hash(sim, cell, 0xcc9e2d51U) %
			 (2 * DRIFT_MAX_UV + 1)) - DRIFT_MAX_UV;
}

static int32_t ocv_uv(uint32_t soc_milli)
{
	size_t n = sizeof(ocv_curve) / sizeof(ocv_curve[0]);
	int32_t soc = clamp32(soc_milli, 0, SOC_FULL);

	for (size_t i = 1; i < n; i++) {
		if (soc > ocv_curve[i].soc_milli)
			continue;
		int32_t s0 = ocv_curve[i - 1].soc_milli;
		int32_t s1 = ocv_curve[i].soc_milli;
		int32_t v0 = ocv_curve[i - 1].uv;
		int32_t v1 = ocv_curve[i].uv;
		return v0 + (int32_t)((int64_t)(v1 - v0) * (soc - s0) /
				      (s1 - s0));
	}
	return ocv_curve[n - 1].uv;
}

/* A cell's voltage without its imbalance: OCV plus the IR drop (current
 * in 0.1 A times resistance in 0.1 milliohm is 10 microvolts). */
static int32_t cell_base_uv(const struct cg_sim *sim, unsigned cell)
{
	return ocv_uv(sim->soc_milli) +
	       sim->current_da * cell_impedance_dmohm(sim, cell) * 10;
}

static void load_offsets(const struct cg_sim *sim, int32_t *offset_uv)
{
	for (unsigned i = 0; i < sim->config.cells; i++)
		offset_uv[i] = sim->cell_uv[i] - cell_base_uv(sim, i);
}

static void store_offsets(struct cg_sim *sim, const int32_t *offset_uv)
{
	for (unsigned i = 0; i < sim->config.cells; i++)
		sim->cell_uv[i] = cell_base_uv(sim, i) + offset_uv[i];
}

static int32_t pack_mv(const struct cg_sim *sim)
{
	int64_t sum_uv = 0;

	for (unsigned i = 0; i < sim->config.cells; i++)
		sum_uv += sim->cell_uv[i];
	return (int32_t)(sum_uv / 1000);
}

static void set_charge(struct cg_sim *sim, int64_t charge_uah)
{
	sim->charge_uah = clamp64(charge_uah, 0, CAPACITY_UAH);
	sim->soc_milli = (uint32_t)(sim->charge_uah * SOC_FULL / CAPACITY_UAH);
}

/* Temperatures wander by 0.1 degC now and then, leaning back to ambient. */
static int16_t temperature_step(struct cg_sim *sim, int16_t dc)
{
	switch (rng_next(sim) % 8) {
	case 0:
		dc++;
		break;
	case 1:
		dc--;
		break;
	case 2:
		dc += dc < TEMP_AMBIENT_DC ? 1 : -1;
		break;
	default:
		break;
	}
	return (int16_t)clamp32(dc, TEMP_MIN_DC, TEMP_MAX_DC);
}

/* Drift, noise and the pull back to zero; then the balancer, which like
 * the real one sees only voltages: it bleeds whichever cell reads highest,
 * so under charge a cell with a high resistance gets bled too. */
static void step_offsets(struct cg_sim *sim, int32_t *offset_uv)
{
	unsigned cells = sim->config.cells;
	unsigned highest = 0;
	int64_t sum_uv = 0;

	for (unsigned i = 0; i < cells; i++) {
		sum_uv += sim->cell_uv[i];
		if (sim->cell_uv[i] > sim->cell_uv[highest])
			highest = i;
		offset_uv[i] += cell_drift_uv(sim, i) +
				rng_range(sim, -NOISE_UV, NOISE_UV);
		offset_uv[i] -= offset_uv[i] / REVERT_DIV;
	}
	if (sim->mode == CG_MODE_CHARGE && cells > 1 &&
	    sim->cell_uv[highest] > sum_uv / cells + BALANCE_START_UV)
		offset_uv[highest] -= BALANCE_UV;
}

/* Moves the pack from last_ms to now_ms (called once per frame time). */
static void advance(struct cg_sim *sim, uint64_t now_ms)
{
	int32_t offset_uv[CG_MAX_CELLS];
	int64_t dt_ms, delta_uah;

	if (now_ms <= sim->last_ms)
		return;
	dt_ms = (int64_t)(now_ms - sim->last_ms);
	sim->last_ms = now_ms;
	load_offsets(sim, offset_uv);

	if (sim->mode != CG_MODE_STORAGE) {
		int32_t magnitude = sim->current_da < 0 ? -sim->current_da
							: sim->current_da;
		magnitude = clamp32(magnitude + rng_range(sim, -4, 4),
				    CURRENT_MIN_DA, CURRENT_MAX_DA);
		sim->current_da = sim->mode == CG_MODE_CHARGE ? magnitude
							      : -magnitude;
	}

	/* 0.1 A for 1 ms is 100000 uA / 3600000 ms/h = 1/36 uAh. */
	delta_uah = sim->current_da * dt_ms / 36;
	if ((int64_t)sim->charge_uah + delta_uah < 0)
		delta_uah = -(int64_t)sim->charge_uah;
	if ((int64_t)sim->charge_uah + delta_uah > CAPACITY_UAH)
		delta_uah = CAPACITY_UAH - (int64_t)sim->charge_uah;
	sim->energy_uwh = clamp64((int64_t)sim->energy_uwh +
				  delta_uah * pack_mv(sim) / 1000,
				  0, INT64_MAX);
	set_charge(sim, (int64_t)sim->charge_uah + delta_uah);

	sim->t1_dc = temperature_step(sim, sim->t1_dc);
	sim->t2_dc = temperature_step(sim, sim->t2_dc);

	step_offsets(sim, offset_uv);
	store_offsets(sim, offset_uv);
}

static bool mode_must_end(const struct cg_sim *sim, uint64_t now_ms)
{
	if (now_ms >= sim->mode_until_ms)
		return true;
	/* A full pack stops charging, an empty one discharging. */
	if (sim->mode == CG_MODE_CHARGE && sim->soc_milli >= 97000)
		return true;
	return sim->mode == CG_MODE_DISCHARGE && sim->soc_milli <= 8000;
}

static enum cg_mode pick_next_mode(struct cg_sim *sim)
{
	enum cg_mode next;

	if (sim->mode != CG_MODE_STORAGE && rng_one_in(sim, 5))
		return CG_MODE_STORAGE;
	if (sim->mode == CG_MODE_CHARGE)
		next = CG_MODE_DISCHARGE;
	else if (sim->mode == CG_MODE_DISCHARGE)
		next = CG_MODE_CHARGE;
	else
		next = rng_one_in(sim, 2) ? CG_MODE_CHARGE : CG_MODE_DISCHARGE;

	if (sim->soc_milli >= 90000)
		next = CG_MODE_DISCHARGE;
	else if (sim->soc_milli <= 15000)
		next = CG_MODE_CHARGE;
	return next;
}

static void set_mode(struct cg_sim *sim, enum cg_mode mode, uint64_t now_ms)
{
	int32_t offset_uv[CG_MAX_CELLS];
	int32_t magnitude = rng_range(sim, CURRENT_MIN_DA, CURRENT_MAX_DA);

	/* The current jumps, so every cell's IR drop jumps with it. */
	load_offsets(sim, offset_uv);
	sim->mode = mode;
	if (mode == CG_MODE_STORAGE) {
		sim->current_da = 0;
		sim->mode_until_ms = now_ms +
			rng_range(sim, STORAGE_MIN_MS, STORAGE_MAX_MS);
	} else {
		sim->current_da = mode == CG_MODE_CHARGE ? magnitude
							 : -magnitude;
		sim->mode_until_ms = now_ms +
			rng_range(sim, ACTIVE_MIN_MS, ACTIVE_MAX_MS);
	}
	store_offsets(sim, offset_uv);
}

static uint8_t soc_pct(const struct cg_sim *sim)
{
	return (uint8_t)((sim->soc_milli + 500) / 1000);
}

/* The record as the decoder gives it back for this firmware. */
static size_t build_status(struct cg_sim *sim, uint8_t *out)
{
	const struct cg_firmware_layout *layout =
		cg_firmware_layout(sim->config.firmware);
	bool has_mode = layout->status_len > 13;
	struct cg_status status = {
		.charge_end_mv = CHARGE_END_MV,
		.has_mode = has_mode,
		.mode = has_mode ? sim->mode : CG_MODE_UNKNOWN,
		.current_da = has_mode || sim->current_da >= 0
				      ? sim->current_da
				      : -sim->current_da,
		.t1_dc = sim->t1_dc,
		.t2_dc = sim->t2_dc,
		.has_soc = has_mode,
		.soc_pct = has_mode ? soc_pct(sim) : 0,
		.has_protection = layout->status_len == 19,
		.discharge_end_mv = DISCHARGE_END_MV,
	};

	return cg_encode_status(&status, sim->config.firmware, out);
}

static size_t build_cells(struct cg_sim *sim, uint8_t *out)
{
	const struct cg_firmware_layout *layout =
		cg_firmware_layout(sim->config.firmware);
	struct cg_cells cells = {
		.count = sim->config.slots,
		.has_soc = layout->cells_soc,
		.soc_pct = layout->cells_soc ? soc_pct(sim) : 0,
		.has_energy = layout->cells_energy,
		.energy_mwh = (uint32_t)clamp64(sim->energy_uwh / 1000, 0,
						UINT32_MAX),
		.charge_mah = (uint32_t)(sim->charge_uah / 1000),
	};

	for (unsigned i = 0; i < sim->config.slots; i++) {
		if (i < sim->config.cells)
			cells.mv[i] = (uint16_t)clamp32(
				(sim->cell_uv[i] + 500) / 1000, 0,
				CG_CELL_MV_MAX);
		else
			cells.mv[i] = (uint16_t)rng_range(sim, 0,
							  UNWIRED_MAX_MV);
	}
	return cg_encode_cells(&cells, sim->config.firmware, out);
}

static size_t build_impedance(struct cg_sim *sim, uint8_t *out)
{
	struct cg_impedance imp = {
		.mode = sim->mode,
		.current_da = sim->current_da,
		.count = sim->config.cells,
	};

	for (unsigned i = 0; i < sim->config.cells; i++)
		imp.impedance_dmohm[i] = (uint16_t)clamp32(
			cell_impedance_dmohm(sim, i) + rng_range(sim, -1, 1),
			0, UINT16_MAX);
	return cg_encode_impedance(&imp, out);
}

/*
 * Junk as the vendor dumps show it. It never contains two 0x24 in a row
 * and the only 0x24 it ever has sits right before a frame's own header, so
 * it reads "24 24 24 cmd": a framer must skip one byte, not the frame, and
 * no junk can ever pass for a header.
 */
static size_t build_junk(struct cg_sim *sim, uint8_t *out)
{
	size_t n = 0;

	if (!sim->config.junk || !rng_one_in(sim, JUNK_ONE_IN))
		return 0;

	switch (rng_next(sim) % 6) {
	case 0:
	case 1:
	case 2:
		memcpy(out, vendor_junk, sizeof(vendor_junk));
		return sizeof(vendor_junk);
	case 3:
	case 4:
		n = rng_range(sim, 1, STRAY_MAX);
		for (size_t i = 0; i < n; i++) {
			uint8_t byte = rng_next(sim) % 255;
			out[i] = byte >= CG_HEADER_BYTE ? byte + 1 : byte;
		}
		return n;
	default:
		out[0] = CG_HEADER_BYTE;
		return 1;
	}
}

static enum sim_event next_event(const struct cg_sim *sim, uint64_t *at_ms)
{
	if (sim->impedance_due) {
		*at_ms = sim->last_ms;
		return EVENT_IMPEDANCE;
	}
	/* On a tie the status goes first, so a 0x58 follows its 0x57. */
	if (sim->next_status_ms <= sim->next_cells_ms) {
		*at_ms = sim->next_status_ms;
		return EVENT_STATUS;
	}
	*at_ms = sim->next_cells_ms;
	return EVENT_CELLS;
}

/* Produces the junk and frame of one event; returns their length. */
static size_t emit_event(struct cg_sim *sim, enum sim_event event,
			 uint64_t at_ms, uint8_t *out)
{
	size_t n;
	enum cg_mode before;

	advance(sim, at_ms);
	n = build_junk(sim, out);

	switch (event) {
	case EVENT_IMPEDANCE:
		sim->impedance_due = false;
		return n + build_impedance(sim, out + n);
	case EVENT_STATUS:
		before = sim->mode;
		if (mode_must_end(sim, at_ms))
			set_mode(sim, pick_next_mode(sim), at_ms);
		/* The BMS measures impedances when the current reverses;
		 * a pack starting from rest counts as reversing too. */
		if (sim->mode != before && sim->mode != CG_MODE_STORAGE &&
		    cg_firmware_layout(sim->config.firmware)->impedance)
			sim->impedance_due = true;
		sim->next_status_ms += STATUS_PERIOD_MS;
		return n + build_status(sim, out + n);
	case EVENT_CELLS:
	default:
		sim->next_cells_ms += CELLS_PERIOD_MS;
		return n + build_cells(sim, out + n);
	}
}

void cg_sim_default_config(struct cg_sim_config *config)
{
	*config = (struct cg_sim_config){
		.slots = 16,
		.cells = 16,
		.firmware = CG_FW_V126,
		.junk = true,
		.seed = 1,
	};
}

void cg_sim_init(struct cg_sim *sim, const struct cg_sim_config *config,
		 uint64_t now_ms)
{
	memset(sim, 0, sizeof(*sim));
	sim->config = *config;

	/* Only the three real units exist; round anything else up. */
	if (sim->config.slots <= 8)
		sim->config.slots = 8;
	else if (sim->config.slots <= 16)
		sim->config.slots = 16;
	else
		sim->config.slots = 24;
	sim->config.cells = clamp32(sim->config.cells, 1, sim->config.slots);

	sim->rng = mix32(sim->config.seed ^ 0x5eed5eedU);
	if (sim->rng == 0) /* xorshift's one fixed point */
		sim->rng = 0x9e3779b9U;

	sim->last_ms = now_ms;
	sim->next_status_ms = now_ms;
	sim->next_cells_ms = now_ms;
	sim->t1_dc = (int16_t)rng_range(sim, 180, 220);
	sim->t2_dc = (int16_t)clamp32(sim->t1_dc + rng_range(sim, -10, 10),
				      TEMP_MIN_DC, TEMP_MAX_DC);
	set_charge(sim, CAPACITY_UAH * rng_range(sim, 40, 80) / 100);

	for (unsigned i = 0; i < sim->config.cells; i++)
		sim->cell_uv[i] = cell_base_uv(sim, i) +
				  rng_range(sim, -START_SPREAD_UV,
					    START_SPREAD_UV);
	sim->energy_uwh = sim->charge_uah * (uint64_t)pack_mv(sim) / 1000;

	/* The first phase starts before the simulation does: no 0x58 yet. */
	sim->mode = rng_one_in(sim, 2) ? CG_MODE_CHARGE : CG_MODE_DISCHARGE;
	set_mode(sim, sim->mode, now_ms);
}

size_t cg_sim_run(struct cg_sim *sim, uint64_t now_ms, uint8_t *out,
		  size_t cap)
{
	size_t used = 0;

	for (;;) {
		uint8_t chunk[JUNK_MAX + CG_FRAME_MAX];
		struct cg_sim saved = *sim;
		uint64_t at_ms;
		enum sim_event event = next_event(sim, &at_ms);
		size_t n;

		if (at_ms > now_ms)
			break;
		n = emit_event(sim, event, at_ms, chunk);
		if (n > cap - used) {
			/* Undo, so the frame is still due next time and the
			 * stream stays the same whatever the caller's cap. */
			*sim = saved;
			break;
		}
		memcpy(out + used, chunk, n);
		used += n;
	}
	return used;
}

uint64_t cg_sim_next_due_ms(const struct cg_sim *sim)
{
	uint64_t at_ms;

	next_event(sim, &at_ms);
	return at_ms;
}
