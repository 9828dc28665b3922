/*
 * alarm: which cells are past the user's or the BMS's limits, and what
 * changed since the last look (raised or cleared), so the table can mark
 * them, the bell can ring once per new alarm and the event list can say so.
 *
 * Pure: no I/O, no allocation, no globals. A raised alarm clears only once
 * the value is CG_ALARM_HYSTERESIS_MV back inside the limit, so a cell
 * sitting on the threshold does not flood the event list.
 */
#ifndef CG_ALARM_H
#define CG_ALARM_H

#include <stddef.h>
#include <stdint.h>

#include "pack.h"

#define CG_ALARM_HYSTERESIS_MV 10
#define CG_ALARM_DELTA_DEFAULT_MV 100

/* From the command line; 0 means "use the default". */
struct cg_alarm_config {
	uint16_t high_mv;  /* default: the BMS's charge-end voltage */
	uint16_t low_mv;   /* default: the BMS's discharge-end voltage */
	uint16_t delta_mv; /* default: CG_ALARM_DELTA_DEFAULT_MV */
};

enum cg_alarm_kind {
	CG_ALARM_HIGH,  /* a cell at or above the high limit */
	CG_ALARM_LOW,   /* a cell at or below the low limit */
	CG_ALARM_DELTA, /* high - low at or above the delta limit */
};

struct cg_alarm_change {
	enum cg_alarm_kind kind;
	int cell;        /* 0-based; -1 for delta */
	bool raised;     /* false: cleared */
	uint16_t value_mv;
	uint16_t limit_mv;
};

struct cg_alarms {
	/* Limits in force after the last update; 0 = none known yet. */
	uint16_t high_mv, low_mv, delta_mv;
	uint32_t high_mask; /* bit i: cell i is past the high limit */
	uint32_t low_mask;
	bool delta;
};

void cg_alarms_init(struct cg_alarms *alarms);

/* Re-evaluates counted cells of the pack. Writes what changed into out (at
 * most cap; a full array drops the rest, never overflows) and returns the
 * number written, in cell order (high before low), delta last. Costs a few
 * compares while the pack's high and low cells are inside the limits and
 * no alarm is up; otherwise it looks at the cells that may change. */
size_t cg_alarms_update(struct cg_alarms *alarms,
			const struct cg_alarm_config *config,
			const struct cg_pack *pack, struct cg_alarm_change *out,
			size_t cap);

bool cg_alarms_any(const struct cg_alarms *alarms);

/* "cell 5 high 3.652 V (limit 3.650 V)", "delta cleared 42 mV ..." */
size_t cg_alarm_change_text(const struct cg_alarm_change *change, char *out,
			    size_t cap);

#endif
