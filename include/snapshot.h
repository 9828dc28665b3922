/*
 * snapshot: one complete picture of the pack for --once, as text for a
 * person (forum posts, a terminal), one JSON object for monitoring, or a
 * CSV header and row (the --log columns) for a cron job's spreadsheet.
 *
 * Pure: no I/O, no allocation, no globals. Every function takes the time
 * (iso_time for the output, now_ms on the pack's monotonic clock for
 * freshness) from the caller.
 *
 * Text and JSON show the last values received, null (JSON) or "unknown"
 * (text) only when never known, and say whether they are fresh: a
 * snapshot is read once, and the last reading with its age is worth more
 * than nothing. The CSV follows the --log rule instead (stale = empty),
 * so rows from --once and --log can be mixed in one sheet.
 */
#ifndef CG_SNAPSHOT_H
#define CG_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "alarm.h"
#include "pack.h"

#define CG_SNAPSHOT_MAX 8192 /* text, JSON or CSV for 24 cells, alarms all on */
#define CG_SNAPSHOT_ALARM_TEXT_MAX 64

/* Exit statuses of --once: monitoring plugins read 0 / 1 / 2. */
enum cg_snapshot_status {
	CG_SNAPSHOT_OK = 0,    /* cells and status fresh, no alarm */
	CG_SNAPSHOT_NODATA = 1, /* no data, or some of it stale */
	CG_SNAPSHOT_ALARM = 2, /* an alarm is active (wins over stale) */
};

/* Each writes a NUL-terminated block ending in '\n' and returns its
 * length, or 0 (out = "") if cap is too small. alarms may be NULL. */
size_t cg_snapshot_text(char *out, size_t cap, const struct cg_pack *pack,
			const struct cg_alarms *alarms, const char *iso_time,
			uint64_t now_ms);

/* One JSON object on one line. Keys: time, cells_mv, total_mv,
 * average_mv, high_cell, low_cell (1-based, the lowest of ties),
 * high_cells, low_cells (every cell at the high / low value), delta_mv,
 * mode (null before V1.21: current_a is then the magnitude), current_a,
 * soc_pct, t1_c, t2_c, charge_end_mv, discharge_end_mv, charge_protect,
 * discharge_protect, wh, ah, alarms, fresh. */
size_t cg_snapshot_json(char *out, size_t cap, const struct cg_pack *pack,
			const struct cg_alarms *alarms, const char *iso_time,
			uint64_t now_ms);

/* The csvlog header for pack->wired cells, then one row. */
size_t cg_snapshot_csv(char *out, size_t cap, const struct cg_pack *pack,
		       const char *iso_time, uint64_t now_ms);

/* Active alarms as lines in the cg_alarm_change_text style, e.g.
 * "cell 5 high: 3.652 V (limit 3.650 V)". Returns how many were written
 * (at most cap). */
size_t cg_snapshot_alarm_lines(const struct cg_pack *pack,
			       const struct cg_alarms *alarms,
			       char out[][CG_SNAPSHOT_ALARM_TEXT_MAX],
			       size_t cap);

enum cg_snapshot_status cg_snapshot_status(const struct cg_pack *pack,
					   const struct cg_alarms *alarms,
					   uint64_t now_ms);

#endif
