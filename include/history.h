/*
 * history: how the pack moved over the session, in fixed memory, for the
 * pictures (--plot SVG, and the on-screen history view to come).
 *
 * Every series (high, low and average cell, each cell, delta, current,
 * SOC, T1, T2) is kept per time bucket as min, max and average, in tiers:
 *
 *   tier 0   1 s buckets, the last 10 minutes        (600 buckets)
 *   tier 1  10 s buckets, the last 2 hours           (720)
 *   tier 2   1 min buckets, the last 12 hours        (720)
 *   tier 3  10 min buckets from the start of the session (1008, a week);
 *           when full, neighbouring buckets are merged pairwise and the
 *           interval doubles, so it always covers the whole session.
 *
 * Every sample goes into the current bucket of every tier, so memory is
 * the same after a minute or a year (sizeof(struct cg_hist)), and a spike
 * is never lost: a bucket, merged or not, keeps the min and the max of all
 * it took in. The average is kept as sum and count; at 65,535 samples in
 * one bucket both are halved, which keeps the average and its weight
 * roughly right for sessions longer than two years.
 *
 * Marks (alarms, mode changes, disconnects) go on the time axis: each
 * bucket keeps a bit per kind of mark (so a mark is never lost either, at
 * the resolution of the tier), and a ring of the newest CG_HIST_MARKS
 * marks keeps their exact time and a short text.
 *
 * Times are wall-clock milliseconds since the epoch (the recorded time in
 * a replay). Samples must come in order; one older than the newest sample
 * by more than a second goes into the newest bucket (clock steps back).
 *
 * Pure: no I/O, no allocation, no globals.
 */
#ifndef CG_HISTORY_H
#define CG_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decoder.h"
#include "pack.h"

/* The series. Units: mV for the cell voltages and delta, 0.1 A for the
 * current (signed: negative while discharging), % for SOC, 0.1 degC for
 * the temperatures. */
enum cg_hist_series {
	CG_HIST_HIGH,
	CG_HIST_LOW,
	CG_HIST_AVG,
	CG_HIST_DELTA,
	CG_HIST_CURRENT,
	CG_HIST_SOC,
	CG_HIST_T1,
	CG_HIST_T2,
	CG_HIST_CELL0, /* CG_HIST_CELL0 + i: cell i (0-based) */
	CG_HIST_SERIES = CG_HIST_CELL0 + CG_MAX_CELLS
};

/* Kinds of marks, also bits in a bucket's and a column's marks. */
enum cg_hist_mark_kind {
	CG_HIST_MARK_ALARM = 1u << 0,
	CG_HIST_MARK_MODE = 1u << 1,  /* mode or protection change */
	CG_HIST_MARK_LINK = 1u << 2,  /* disconnect or reconnect */
	CG_HIST_MARK_OTHER = 1u << 3,
};

/* Bucket flags. */
#define CG_HIST_CURRENT_UNKNOWN 1u /* some current sample had no known
				    * direction (storage mode: magnitude) */

#define CG_HIST_TIERS 4
#define CG_HIST_BUCKETS (600 + 720 + 720 + 1008)
#define CG_HIST_MARKS 128
#define CG_HIST_MARK_TEXT 48

struct cg_hist_cell {
	int16_t min, max;
	int32_t sum;
};

struct cg_hist_bucket {
	uint64_t index;    /* start time / tier interval; valid when any n */
	uint16_t n[CG_HIST_SERIES];
	struct cg_hist_cell s[CG_HIST_SERIES];
	uint8_t marks;     /* enum cg_hist_mark_kind bits */
	uint8_t flags;     /* CG_HIST_CURRENT_UNKNOWN */
	bool used;
};

struct cg_hist_tier {
	uint64_t interval_ms;
	unsigned cap;       /* buckets in use for this tier */
	bool grows;         /* the last tier: merges instead of dropping */
	bool any;           /* has taken a sample or mark */
	uint64_t first;     /* ring tiers: index of the oldest bucket held;
			     * the growing tier: index of slot 0 */
	uint64_t newest;    /* index of the newest bucket */
	unsigned base;      /* its buckets: pool[base .. base + cap) */
};

struct cg_hist_mark {
	uint64_t wall_ms;
	uint8_t kind;
	char text[CG_HIST_MARK_TEXT];
};

struct cg_hist {
	struct cg_hist_tier tier[CG_HIST_TIERS];
	struct cg_hist_bucket pool[CG_HIST_BUCKETS];
	struct cg_hist_mark marks[CG_HIST_MARKS];
	unsigned mark_head, mark_count;
	uint64_t marks_total;
	bool any;                    /* a sample was taken */
	uint64_t first_ms, last_ms;  /* span of the samples */
	uint8_t cells;               /* most wired cells seen */
};

/* One column of a query: the min, max and average of the buckets that
 * overlap it, and the marks in them. */
struct cg_hist_column {
	bool have;     /* any sample in the column */
	int32_t min, max, avg;
	uint8_t marks;
	uint8_t flags;
};

/* Empties h: every byte written, about a megabyte. */
void cg_hist_init(struct cg_hist *h);

/* The same for an h whose bytes are all zero already (static storage, or
 * calloc): only the tier headers are written, so the bucket pool's pages
 * are touched - and count in the process's memory - as data fills them. */
void cg_hist_init_zeroed(struct cg_hist *h);

/* One value of one series at wall_ms. */
void cg_hist_add(struct cg_hist *h, enum cg_hist_series series,
		 int32_t value, uint64_t wall_ms);

/* What a record just applied to the pack adds: a cell record the cells,
 * high, low, average and delta (counted cells only); a status record the
 * current, SOC and temperatures. Impedance records add nothing. */
void cg_hist_apply(struct cg_hist *h, const struct cg_pack *pack,
		   enum cg_record_type type, uint64_t wall_ms);

/* A mark at wall_ms; text may be NULL, and is cut to fit. Marks of kind
 * CG_HIST_MARK_OTHER go in the ring only, not on the time axis. */
void cg_hist_mark(struct cg_hist *h, uint64_t wall_ms,
		  enum cg_hist_mark_kind kind, const char *text);

/* The i-th oldest mark still in the ring (0 = oldest), or NULL. */
const struct cg_hist_mark *cg_hist_mark_get(const struct cg_hist *h,
					    unsigned i);

/* The kind a change of the event list is: "alarm"/"limit" texts are
 * alarms, "mode"/"protection" changes, "link" the link. */
enum cg_hist_mark_kind cg_hist_mark_kind_of(const char *event_text);

/*
 * Fills cols[0..ncols) for the window [from_ms, to_ms), split into ncols
 * equal columns. Each column is answered from the finest tier that still
 * holds its start; a bucket wider than a column shows in every column it
 * overlaps. Returns how many columns have data.
 */
size_t cg_hist_query(const struct cg_hist *h, enum cg_hist_series series,
		     uint64_t from_ms, uint64_t to_ms,
		     struct cg_hist_column *cols, size_t ncols);

/* The interval of the buckets that answer for a window starting at
 * from_ms (the finest tier holding it), for "1 column = 10 s" labels. */
uint64_t cg_hist_resolution_ms(const struct cg_hist *h, uint64_t from_ms);

#endif
