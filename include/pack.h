/*
 * pack: what is known about the battery right now, built from decoded
 * records, with the figures a person wants (total, average, high, low,
 * delta) computed over wired cells only.
 *
 * Pure: no I/O, no allocation, no globals, no clock. Every call that needs
 * the time takes it as now_ms, a monotonic millisecond count supplied by the
 * caller, so tests can play hours of traffic in microseconds.
 *
 * Which channels are wired: --cells N if given (cg_pack_config.cells), else
 * the count of 0x58 frames once two in a row agree and it is not below a
 * channel that has read at least CG_WIRED_MIN_MV this session, else every
 * channel up to the highest one that has read CG_WIRED_MIN_MV this session
 * (so a cell that collapses stays wired). A channel inside the wired range
 * that reads below CG_WIRED_MIN_MV is in open_mask: left out of the
 * figures, and an alarm (sense lead or cell lost, see alarm.h). Only
 * channels beyond the wired count are "not connected".
 *
 * Ties: every counted cell at the high value is in high_mask, every one at
 * the low value in low_mask; high_index/low_index are the lowest of each.
 *
 * SOC: from 0x57 (V1.22+) or from the byte after the cells in 0x56
 * (V1.22/V1.23), whichever arrived last; have_soc false when neither
 * carries one (firmware before V1.21).
 */
#ifndef CG_PACK_H
#define CG_PACK_H

#include <stdbool.h>
#include <stdint.h>

#include "decoder.h"

#define CG_WIRED_MIN_MV 1000
#define CG_STATUS_PERIOD_MS 1000 /* 0x57 is due every second */
#define CG_CELLS_PERIOD_MS 2000  /* 0x56 every two */
#define CG_STALE_PERIODS_X10 25  /* overdue after 2.5 periods */

enum cg_wired_source {
	CG_WIRED_UNKNOWN,   /* no cell frame yet */
	CG_WIRED_OPTION,    /* --cells */
	CG_WIRED_IMPEDANCE, /* the count of two agreeing 0x58 frames */
	CG_WIRED_THRESHOLD, /* channels that read >= CG_WIRED_MIN_MV */
};

enum cg_freshness {
	CG_NEVER, /* no frame of that type yet */
	CG_FRESH,
	CG_STALE, /* overdue: older than 2.5 periods */
};

struct cg_pack_config {
	uint8_t cells; /* wired cells from the command line; 0 = detect */
};

struct cg_pack {
	struct cg_pack_config config;

	bool have[CG_REC_TYPES];
	uint64_t at_ms[CG_REC_TYPES]; /* when each type last arrived */
	uint64_t count[CG_REC_TYPES]; /* how many of each type arrived */
	struct cg_cells cells;
	struct cg_status status;
	struct cg_impedance impedance;

	/* Derived from the above on every update; valid when have cells. */
	uint8_t wired;
	enum cg_wired_source wired_source;
	uint32_t open_mask; /* bit i: channel i is wired but reads < 1 V */
	uint8_t counted;    /* wired cells with a reading, used in figures */
	uint32_t total_mv;
	uint16_t average_mv;
	uint8_t high_index; /* 0-based channel; valid when counted > 0 */
	uint8_t low_index;
	uint32_t high_mask; /* bit i: counted cell i is at the high value */
	uint32_t low_mask;  /* bit i: counted cell i is at the low value */
	uint16_t delta_mv;

	/* The session's knowledge of the wiring (not cleared by a reset). */
	uint32_t live_seen_mask; /* bit i: channel i has read >= 1 V */
	uint16_t last_live_mv[CG_MAX_CELLS]; /* its last reading >= 1 V */
	uint8_t impedance_wired; /* confirmed 0x58 count; 0 = none */

	/* SOC from whichever frame brought one last. */
	bool have_soc;
	uint8_t soc_pct;
	uint64_t soc_at_ms;
	enum cg_record_type soc_from; /* ages by that frame's period */

	/* Session extremes, cleared by cg_pack_reset_session(). */
	uint16_t session_min_mv[CG_MAX_CELLS]; /* 0 = none yet */
	uint16_t session_max_mv[CG_MAX_CELLS];
	uint16_t session_worst_delta_mv;
	uint64_t session_worst_delta_at_ms;
};

void cg_pack_init(struct cg_pack *pack, const struct cg_pack_config *config);

/* Takes in one decoded record received at now_ms. */
void cg_pack_apply(struct cg_pack *pack, const struct cg_record *record,
		   uint64_t now_ms);

/* Forgets session minimum, maximum and worst delta (key r). */
void cg_pack_reset_session(struct cg_pack *pack);

/* How old the data of one record type is. */
enum cg_freshness cg_pack_freshness(const struct cg_pack *pack,
				    enum cg_record_type type, uint64_t now_ms);

/* Whether the pack's SOC is known and fresh (2.5 periods of its frame). */
bool cg_pack_soc_fresh(const struct cg_pack *pack, uint64_t now_ms);

/* --cells asked for more cells than the unit has channels (--cells 24 on
 * a 16-channel unit): the channels the unit sends, else 0. */
unsigned cg_pack_cells_beyond_unit(const struct cg_pack *pack);

/* True when channel i (0-based) is wired and has a reading in the figures. */
bool cg_pack_cell_counted(const struct cg_pack *pack, unsigned i);

#endif
