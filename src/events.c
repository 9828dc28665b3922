/*
 * events: a fixed ring of the newest events. Old ones are overwritten, so
 * a week-long session costs the same memory as a minute-long one.
 */
#include "events.h"

#include <stdio.h>
#include <string.h>

void cg_events_init(struct cg_events *events)
{
	memset(events, 0, sizeof(*events));
}

void cg_events_add(struct cg_events *events, uint64_t wall_ms,
		   const char *text)
{
	struct cg_event *e = &events->ring[events->head];

	e->wall_ms = wall_ms;
	snprintf(e->text, sizeof(e->text), "%s", text ? text : "");
	events->head = (events->head + 1) % CG_EVENTS_MAX;
	if (events->count < CG_EVENTS_MAX)
		events->count++;
	events->total++;
}

const struct cg_event *cg_events_get(const struct cg_events *events,
				     unsigned i)
{
	if (i >= events->count)
		return NULL;
	return &events->ring[(events->head + CG_EVENTS_MAX - 1 - i) %
			     CG_EVENTS_MAX];
}

static void add_line(char out[][CG_EVENT_TEXT_MAX], size_t cap, size_t *n,
		     const char *what, bool active)
{
	if (*n >= cap)
		return;
	snprintf(out[*n], CG_EVENT_TEXT_MAX, "%s protection %s", what,
		 active ? "ACTIVE" : "released");
	(*n)++;
}

size_t cg_events_status_changes(const struct cg_status *before,
				const struct cg_status *after,
				char out[][CG_EVENT_TEXT_MAX], size_t cap)
{
	size_t n = 0;

	if (!before || !after)
		return 0;
	if (before->mode != after->mode && n < cap) {
		snprintf(out[n], CG_EVENT_TEXT_MAX, "mode %s -> %s",
			 cg_mode_name(before->mode), cg_mode_name(after->mode));
		n++;
	}
	/* Older firmware does not send the flags: no news is not a change. */
	if (!before->has_protection || !after->has_protection)
		return n;
	if (before->charge_protect != after->charge_protect)
		add_line(out, cap, &n, "charge", after->charge_protect);
	if (before->discharge_protect != after->discharge_protect)
		add_line(out, cap, &n, "discharge", after->discharge_protect);
	return n;
}
