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
 * the count carried by the last 0x58 frame, else every channel up to the
 * highest one reading at least CG_WIRED_MIN_MV. A channel inside the wired
 * range that reads below CG_WIRED_MIN_MV is flagged as an open sense lead
 * and left out of the figures rather than shown as the low cell.
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
	CG_WIRED_IMPEDANCE, /* the count of the last 0x58 frame */
	CG_WIRED_THRESHOLD, /* channels reading >= CG_WIRED_MIN_MV */
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
	uint16_t delta_mv;

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

/* True when channel i (0-based) is wired and has a reading in the figures. */
bool cg_pack_cell_counted(const struct cg_pack *pack, unsigned i);

#endif
