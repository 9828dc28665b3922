/*
 * app_view: what the screens are shown of the packs, and what the keys do
 * to them (see app.h).
 */
#include "app.h"

#include <string.h>

#include "clock.h"
#include "doctor.h"
#include "mqtt.h"
#include "source.h"

/* The view of pack i, paused or not. */
static void pack_view(struct app *a, int i, uint64_t now, struct cg_view *v)
{
	struct cg_bms *b = &a->bms[i];

	*v = (struct cg_view){
		.pack = a->paused ? &a->frozen[i] : &b->pack,
		.framer = &b->framer.stats,
		.implausible = b->implausible,
		/* With several, the status line names the pack by its
		 * label (the path is in its events, "opened ..."). */
		.port = a->n > 1 ? b->label : b->src->label,
		.label = b->label,
		.baud = b->src->baud, /* after a baud hunt, the speed found */
		.link = cg_doctor_link_state(&b->doctor, now),
		.link_detail = b->link_detail[0] ? b->link_detail : NULL,
		.diagnosis = b->doctoring ? cg_doctor_text(&b->doctor) : NULL,
		.frames_per_s = cg_bms_frames_per_s(b),
		.paused = a->paused,
		.alarms = &b->alarms,
		.events = &b->events,
		.inspect = &b->inspect,
		.worst_delta_wall_ms = b->worst_delta_wall_ms,
		.hist = &b->hist,
		/* Paused ages stay as they were when p was pressed. */
		.now_ms = a->paused ? a->paused_at_ms : now,
		/* What is written, and a write that stopped on an error. */
		.record = { b->record_path[0] ? b->record_path : NULL,
			    b->recording ? b->recorder.file.size : 0,
			    b->record_path[0] && !b->recording },
		/* The rows of this turn count before their write. */
		.csv_log = { b->log_path[0] ? b->log_path : NULL,
			     b->logging ? b->log.file.size + b->log.used : 0,
			     b->log_path[0] && !b->logging },
		.event_log = { b->events_path[0] ? b->events_path : NULL, 0,
			       b->events_path[0] && !b->writing_events },
		.mqtt = { b->mqtt != NULL, b->mqtt && cg_mqtt_connected(b->mqtt),
			  b->mqtt ? cg_mqtt_dropped(b->mqtt) : 0 },
	};

	struct cg_source_position pos;
	cg_source_position(b->src, now, &pos);
	if (pos.replay) {
		a->replay_view[i] = (struct cg_replay_view){
			.speed = pos.speed,
			.paused = pos.paused,
			.position_s = pos.position_s,
			.length_s = pos.length_s,
			.timestamped = pos.timestamped,
			.ended = b->ended,
			.path = b->path,
		};
		v->replay = &a->replay_view[i];
		/* Ages in a replay run on the recorded clock. */
		v->now_ms = pos.now_us / 1000u;
	}
}

void cg_app_draw(struct app *a, uint64_t now)
{
	static struct cg_view bank[CG_MAX_SOURCES];
	static char waiting[CG_MAX_SOURCES * CG_MQTTWATCH_WHERE_MAX];
	struct cg_view v;
	int shown = cg_tui_pack();
	bool bell = false;

	if (a->n == 0) {
		/* PREFIX/+ with nobody online yet: the overview waits. */
		v = (struct cg_view){ .bank = bank, .now_ms = now,
			.waiting = cg_app_waiting(a, waiting, sizeof(waiting)),
			.waiting_note = cg_app_waiting_note(a) };
	} else if (shown < 0 || shown >= a->n) {
		/* The overview: every pack's view. */
		for (int i = 0; i < a->n; i++)
			pack_view(a, i, now, &bank[i]);
		v = bank[0];
		v.bank = bank;
		v.bank_n = a->n;
	} else {
		pack_view(a, shown, now, &v);
	}
	cg_tui_draw(&v);
	for (int i = 0; i < a->n; i++) {
		bell |= a->bms[i].bell_due;
		a->bms[i].bell_due = false;
		a->bms[i].dirty = false;
	}
	if (bell)
		cg_tui_bell();
	a->dirty = false;
	a->drawn_at_ms = now;
}

/* A key acts on the pack shown, or on every pack from the overview. */
static void act_on_packs(struct app *a, enum cg_key_action action)
{
	int shown = cg_tui_pack();
	int from = shown < 0 || shown >= a->n ? 0 : shown;
	int to = shown < 0 || shown >= a->n ? a->n : shown + 1;
	bool replays = false;

	for (int i = from; i < to; i++) {
		struct cg_bms *b = &a->bms[i];
		switch (action) {
		case CG_KEY_PAUSE:
			if (b->src->ops->pause) { /* pause the replay, not the view */
				b->src->ops->pause(b->src, cg_clock_ms());
				replays = true;
			}
			break;
		case CG_KEY_RESET:
			cg_pack_reset_session(&b->pack);
			b->worst_delta_seen_mv = 0;
			b->worst_delta_wall_ms = 0;
			break;
		case CG_KEY_FASTER:
		case CG_KEY_SLOWER:
			if (b->src->ops->speed_step)
				b->src->ops->speed_step(b->src,
							action == CG_KEY_FASTER,
							cg_clock_ms());
			break;
		default:
			break;
		}
	}
	if (action == CG_KEY_PAUSE && !replays) {
		/* Live packs: the view stands still, data keeps coming. */
		a->paused = !a->paused;
		for (int i = 0; i < a->n; i++)
			a->frozen[i] = a->bms[i].pack;
		a->paused_at_ms = cg_clock_ms();
	}
}

/* Returns true when the user asked to quit. */
bool cg_app_handle_keys(struct app *a)
{
	for (;;) {
		enum cg_key_action action = cg_tui_key();
		switch (action) {
		case CG_KEY_NONE:
			return false;
		case CG_KEY_QUIT:
			return true;
		case CG_KEY_PAUSE:
		case CG_KEY_RESET:
		case CG_KEY_FASTER:
		case CG_KEY_SLOWER:
			act_on_packs(a, action);
			break;
		default: /* what is shown (help, e, i, z, scrolling, the
			  * pack opened): tui's */
			break;
		}
		a->dirty = true;
		a->drawn_at_ms = 0; /* answer a key at once */
	}
}
