/*
 * alarm: which cells are past the user's or the BMS's limits, and what
 * changed since the last look (raised or cleared), so the table can mark
 * them, the bell can ring once per new alarm and the event list can say so.
 *
 * Pure: no I/O, no allocation, no globals. A raised alarm clears only once
 * the value is CG_ALARM_HYSTERESIS_MV back inside the limit, so a cell
 * sitting on the threshold does not flood the event list.
 *
 * A wired cell reading under 1 V (pack.h's open_mask: from --cells, a
 * confirmed 0x58, or a channel that read a cell voltage earlier) is an
 * alarm of its own, CG_ALARM_LOST: a sense lead or the cell is gone.
 *
 * The low limit: --alarm-low, else the BMS's discharge-end (V1.26), else a
 * guess from the chemistry (cg_alarm_guess_low_mv), flagged low_guessed.
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
	uint16_t low_mv;   /* default: the BMS's discharge-end voltage, else
			    * the chemistry guess */
	uint16_t delta_mv; /* default: CG_ALARM_DELTA_DEFAULT_MV */
};

enum cg_alarm_kind {
	CG_ALARM_HIGH,  /* a cell at or above the high limit */
	CG_ALARM_LOW,   /* a cell at or below the low limit */
	CG_ALARM_DELTA, /* high - low at or above the delta limit */
	CG_ALARM_LOST,  /* a wired cell reads under 1 V: lead or cell lost */
};

struct cg_alarm_change {
	enum cg_alarm_kind kind;
	int cell;        /* 0-based; -1 for delta */
	bool raised;     /* false: cleared */
	uint16_t value_mv;
	uint16_t limit_mv; /* CG_ALARM_LOST: its last reading >= 1 V, 0 none */
	bool guessed;      /* the limit is the chemistry guess */
};

struct cg_alarms {
	/* Limits in force after the last update; 0 = none known yet. */
	uint16_t high_mv, low_mv, delta_mv;
	uint32_t high_mask; /* bit i: cell i is past the high limit */
	uint32_t low_mask;
	bool delta;
	uint32_t lost_mask; /* bit i: wired cell i reads < 1 V */
	bool low_guessed;   /* low_mv is the chemistry guess */
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

/*
 * The low limit when neither the user nor the BMS gives one: the low end
 * of the chemistry guess (chem.h: from the BMS's charge-end voltage if
 * known, else from the pack's average cell voltage; LTO 1.800 V, LiFePO4
 * 2.500 V, Li-ion 3.000 V). 0 when nothing is known.
 */
uint16_t cg_alarm_guess_low_mv(const struct cg_pack *pack);

/* "cell 5 high: 3.652 V (limit 3.650 V)", "delta cleared: 42 mV",
 * "cell 5 low: 2.400 V (limit 2.500 V, guessed)",
 * "cell 14: 0.020 V, was 3.300 V: sense lead or cell lost" */
size_t cg_alarm_change_text(const struct cg_alarm_change *change, char *out,
			    size_t cap);

#endif
