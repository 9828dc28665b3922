/*
 * history: min/max/average per time bucket in tiers (see history.h).
 */
#include "history.h"

#include <string.h>

static const struct {
	uint64_t interval_ms;
	unsigned cap;
} tiers[CG_HIST_TIERS] = {
	{ 1000, 600 },
	{ 10000, 720 },
	{ 60000, 720 },
	{ 600000, 1008 },
};

void cg_hist_init(struct cg_hist *h)
{
	memset(h, 0, sizeof(*h));
	cg_hist_init_zeroed(h);
}

void cg_hist_init_zeroed(struct cg_hist *h)
{
	unsigned base = 0;

	for (unsigned t = 0; t < CG_HIST_TIERS; t++) {
		h->tier[t].interval_ms = tiers[t].interval_ms;
		h->tier[t].cap = tiers[t].cap;
		h->tier[t].base = base;
		h->tier[t].grows = t == CG_HIST_TIERS - 1;
		base += tiers[t].cap;
	}
}

static struct cg_hist_bucket *slot(struct cg_hist *h,
				   const struct cg_hist_tier *t, unsigned i)
{
	return &h->pool[t->base + i];
}

static const struct cg_hist_bucket *
slot_c(const struct cg_hist *h, const struct cg_hist_tier *t, unsigned i)
{
	return &h->pool[t->base + i];
}

/* Index of the oldest bucket a tier holds. */
static uint64_t oldest_index(const struct cg_hist_tier *t)
{
	if (t->grows || t->newest < t->cap)
		return t->first;
	uint64_t ring = t->newest - t->cap + 1;
	return ring > t->first ? ring : t->first;
}

/* The bucket holding index in tier t, or NULL. */
static const struct cg_hist_bucket *
find(const struct cg_hist *h, const struct cg_hist_tier *t, uint64_t index)
{
	const struct cg_hist_bucket *b;

	if (!t->any || index < oldest_index(t) || index > t->newest)
		return NULL;
	if (t->grows)
		b = slot_c(h, t, (unsigned)(index - t->first));
	else
		b = slot_c(h, t, (unsigned)(index % t->cap));
	return b->used && b->index == index ? b : NULL;
}

static void merge_cell(struct cg_hist_bucket *dst,
		       const struct cg_hist_bucket *src, unsigned s)
{
	if (!src->n[s])
		return;
	if (!dst->n[s]) {
		dst->n[s] = src->n[s];
		dst->s[s] = src->s[s];
		return;
	}
	int64_t sum = (int64_t)dst->s[s].sum + src->s[s].sum;
	uint32_t n = (uint32_t)dst->n[s] + src->n[s];
	while (n > UINT16_MAX) {
		n = (n + 1) / 2;
		sum /= 2;
	}
	dst->n[s] = (uint16_t)n;
	dst->s[s].sum = (int32_t)sum;
	if (src->s[s].min < dst->s[s].min)
		dst->s[s].min = src->s[s].min;
	if (src->s[s].max > dst->s[s].max)
		dst->s[s].max = src->s[s].max;
}

static void merge_bucket(struct cg_hist_bucket *dst,
			 const struct cg_hist_bucket *src)
{
	for (unsigned s = 0; s < CG_HIST_SERIES; s++)
		merge_cell(dst, src, s);
	dst->marks |= src->marks;
	dst->flags |= src->flags;
}

/* The growing tier is full: merge neighbours, double the interval. */
static void halve(struct cg_hist *h, struct cg_hist_tier *t)
{
	uint64_t first = t->first / 2;
	long last_k = -1;

	for (unsigned j = 0; j < t->cap; j++) {
		struct cg_hist_bucket *src = slot(h, t, j);
		uint64_t index = (t->first + j) / 2;
		unsigned k = (unsigned)(index - first);
		struct cg_hist_bucket *dst = slot(h, t, k);
		if ((long)k != last_k) {
			if (src->used) {
				if (dst != src)
					*dst = *src;
				dst->index = index;
			} else {
				memset(dst, 0, sizeof(*dst));
			}
			last_k = k;
		} else if (src->used) {
			if (!dst->used) {
				*dst = *src;
				dst->index = index;
			} else {
				merge_bucket(dst, src);
			}
		}
	}
	for (unsigned k = (unsigned)(last_k + 1); k < t->cap; k++)
		memset(slot(h, t, k), 0, sizeof(struct cg_hist_bucket));
	t->first = first;
	t->newest /= 2;
	t->interval_ms *= 2;
}

/* The bucket of tier t that a sample at wall_ms goes into, made ready. */
static struct cg_hist_bucket *bucket_for(struct cg_hist *h,
					 struct cg_hist_tier *t,
					 uint64_t wall_ms)
{
	uint64_t index = wall_ms / t->interval_ms;
	struct cg_hist_bucket *b;

	if (!t->any) {
		t->any = true;
		t->first = index;
		t->newest = index;
	}
	if (index < t->newest) {
		/* Late: its own bucket if still held, else the newest. */
		b = (struct cg_hist_bucket *)find(h, t, index);
		if (b)
			return b;
		index = t->newest;
	}
	if (t->grows) {
		if (index < t->first)
			index = t->first;
		while (index - t->first >= t->cap) {
			halve(h, t);
			index = wall_ms / t->interval_ms;
			if (index < t->newest)
				index = t->newest;
		}
		b = slot(h, t, (unsigned)(index - t->first));
	} else {
		b = slot(h, t, (unsigned)(index % t->cap));
	}
	if (!b->used || b->index != index) {
		memset(b, 0, sizeof(*b));
		b->used = true;
		b->index = index;
	}
	if (index > t->newest)
		t->newest = index;
	return b;
}

static int16_t clamp16(int32_t v)
{
	return v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN
							  : (int16_t)v;
}

static void add_flagged(struct cg_hist *h, enum cg_hist_series series,
			int32_t value, uint64_t wall_ms, uint8_t flags)
{
	int16_t v = clamp16(value);

	if ((unsigned)series >= CG_HIST_SERIES)
		return;
	if (!h->any) {
		h->any = true;
		h->first_ms = wall_ms;
		h->last_ms = wall_ms;
	}
	if (wall_ms > h->last_ms)
		h->last_ms = wall_ms;
	if (wall_ms < h->first_ms)
		h->first_ms = wall_ms;
	for (unsigned i = 0; i < CG_HIST_TIERS; i++) {
		struct cg_hist_bucket *b = bucket_for(h, &h->tier[i], wall_ms);
		struct cg_hist_cell *c = &b->s[series];
		b->flags |= flags;
		if (!b->n[series]) {
			c->min = c->max = v;
			c->sum = v;
			b->n[series] = 1;
			continue;
		}
		if (b->n[series] == UINT16_MAX) {
			b->n[series] /= 2;
			c->sum /= 2;
		}
		b->n[series]++;
		c->sum += v;
		if (v < c->min)
			c->min = v;
		if (v > c->max)
			c->max = v;
	}
}

void cg_hist_add(struct cg_hist *h, enum cg_hist_series series,
		 int32_t value, uint64_t wall_ms)
{
	add_flagged(h, series, value, wall_ms, 0);
}

void cg_hist_apply(struct cg_hist *h, const struct cg_pack *pack,
		   enum cg_record_type type, uint64_t wall_ms)
{
	if (type == CG_REC_CELLS) {
		if (!pack->counted)
			return;
		for (unsigned i = 0; i < pack->wired && i < CG_MAX_CELLS; i++)
			if (cg_pack_cell_counted(pack, i))
				cg_hist_add(h, CG_HIST_CELL0 + i,
					    pack->cells.mv[i], wall_ms);
		cg_hist_add(h, CG_HIST_HIGH,
			    pack->cells.mv[pack->high_index], wall_ms);
		cg_hist_add(h, CG_HIST_LOW, pack->cells.mv[pack->low_index],
			    wall_ms);
		cg_hist_add(h, CG_HIST_AVG, pack->average_mv, wall_ms);
		cg_hist_add(h, CG_HIST_DELTA, pack->delta_mv, wall_ms);
		if (pack->wired > h->cells)
			h->cells = pack->wired;
	} else if (type == CG_REC_STATUS) {
		const struct cg_status *s = &pack->status;
		add_flagged(h, CG_HIST_CURRENT, s->current_da, wall_ms,
			    s->mode == CG_MODE_STORAGE ? CG_HIST_CURRENT_UNKNOWN
						       : 0);
		cg_hist_add(h, CG_HIST_SOC, s->soc_pct, wall_ms);
		cg_hist_add(h, CG_HIST_T1, s->t1_dc, wall_ms);
		cg_hist_add(h, CG_HIST_T2, s->t2_dc, wall_ms);
	}
}

void cg_hist_mark(struct cg_hist *h, uint64_t wall_ms,
		  enum cg_hist_mark_kind kind, const char *text)
{
	struct cg_hist_mark *m = &h->marks[h->mark_head];

	/* Other events (a file opened) are stamped with the clock, not the
	 * data's time: they stay out of the buckets. */
	for (unsigned i = 0; kind != CG_HIST_MARK_OTHER && i < CG_HIST_TIERS;
	     i++)
		bucket_for(h, &h->tier[i], wall_ms)->marks |= (uint8_t)kind;
	m->wall_ms = wall_ms;
	m->kind = (uint8_t)kind;
	m->text[0] = '\0';
	if (text) {
		size_t n = strlen(text);
		if (n >= sizeof(m->text))
			n = sizeof(m->text) - 1;
		memcpy(m->text, text, n);
		m->text[n] = '\0';
	}
	h->mark_head = (h->mark_head + 1) % CG_HIST_MARKS;
	if (h->mark_count < CG_HIST_MARKS)
		h->mark_count++;
	h->marks_total++;
}

const struct cg_hist_mark *cg_hist_mark_get(const struct cg_hist *h,
					    unsigned i)
{
	if (i >= h->mark_count)
		return NULL;
	unsigned oldest = (h->mark_head + CG_HIST_MARKS - h->mark_count) %
			  CG_HIST_MARKS;
	return &h->marks[(oldest + i) % CG_HIST_MARKS];
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum cg_hist_mark_kind cg_hist_mark_kind_of(const char *text)
{
	if (starts(text, "cell ") || starts(text, "delta "))
		return CG_HIST_MARK_ALARM;
	if (starts(text, "mode ") || strstr(text, " protection "))
		return CG_HIST_MARK_MODE;
	if (starts(text, "link"))
		return CG_HIST_MARK_LINK;
	return CG_HIST_MARK_OTHER;
}

/* The finest tier holding wall_ms, else the coarsest. */
static const struct cg_hist_tier *tier_for(const struct cg_hist *h,
					   uint64_t wall_ms)
{
	for (unsigned i = 0; i < CG_HIST_TIERS; i++) {
		const struct cg_hist_tier *t = &h->tier[i];
		if (t->any && oldest_index(t) * t->interval_ms <= wall_ms)
			return t;
	}
	return &h->tier[CG_HIST_TIERS - 1];
}

uint64_t cg_hist_resolution_ms(const struct cg_hist *h, uint64_t from_ms)
{
	return tier_for(h, from_ms)->interval_ms;
}

size_t cg_hist_query(const struct cg_hist *h, enum cg_hist_series series,
		     uint64_t from_ms, uint64_t to_ms,
		     struct cg_hist_column *cols, size_t ncols)
{
	size_t have = 0;

	if (!ncols)
		return 0;
	memset(cols, 0, ncols * sizeof(*cols));
	if (to_ms <= from_ms || (unsigned)series >= CG_HIST_SERIES)
		return 0;
	uint64_t span = to_ms - from_ms;
	for (size_t c = 0; c < ncols; c++) {
		uint64_t t0 = from_ms + span * c / ncols;
		uint64_t t1 = from_ms + span * (c + 1) / ncols;
		if (t1 <= t0)
			t1 = t0 + 1;
		const struct cg_hist_tier *t = tier_for(h, t0);
		if (!t->any)
			continue;
		uint64_t lo = t0 / t->interval_ms, hi = (t1 - 1) / t->interval_ms;
		uint64_t old = oldest_index(t);
		if (lo < old)
			lo = old;
		if (hi > t->newest)
			hi = t->newest;
		struct cg_hist_column *col = &cols[c];
		int64_t sum = 0;
		uint64_t n = 0;
		for (uint64_t i = lo; i <= hi && lo <= hi; i++) {
			const struct cg_hist_bucket *b = find(h, t, i);
			if (!b)
				continue;
			col->marks |= b->marks;
			if (!b->n[series])
				continue;
			col->flags |= b->flags;
			const struct cg_hist_cell *s = &b->s[series];
			if (!col->have || s->min < col->min)
				col->min = s->min;
			if (!col->have || s->max > col->max)
				col->max = s->max;
			col->have = true;
			sum += s->sum;
			n += b->n[series];
		}
		if (col->have) {
			col->avg = (int32_t)(sum / (int64_t)n);
			have++;
		}
	}
	return have;
}
