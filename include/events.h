/*
 * events: what happened and when (link up and down, mode and protection
 * changes, alarms raised and cleared), kept as a ring of the newest
 * CG_EVENTS_MAX for the event list view. Writing them to a file is the
 * caller's business (--events).
 *
 * Pure: no I/O, no allocation, no globals. Times are wall-clock
 * milliseconds since the epoch as given by the caller (the recorded time
 * during a replay).
 */
#ifndef CG_EVENTS_H
#define CG_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "decoder.h"

#define CG_EVENTS_MAX 64
#define CG_EVENT_TEXT_MAX 96

struct cg_event {
	uint64_t wall_ms;
	char text[CG_EVENT_TEXT_MAX];
};

struct cg_events {
	struct cg_event ring[CG_EVENTS_MAX];
	unsigned head;  /* where the next event goes */
	unsigned count; /* events held, <= CG_EVENTS_MAX */
	uint64_t total; /* events ever added */
};

void cg_events_init(struct cg_events *events);

/* Adds an event; text longer than CG_EVENT_TEXT_MAX - 1 is cut. */
void cg_events_add(struct cg_events *events, uint64_t wall_ms,
		   const char *text);

/* The i-th newest event (0 = newest), or NULL past the end. */
const struct cg_event *cg_events_get(const struct cg_events *events,
				     unsigned i);

/* Describes what changed between two status records (mode, charge and
 * discharge protection). before may be NULL (first record: nothing is
 * reported). Writes up to cap lines into out; returns how many. */
size_t cg_events_status_changes(const struct cg_status *before,
				const struct cg_status *after,
				char out[][CG_EVENT_TEXT_MAX], size_t cap);

#endif
