/*
 * chargery-top: a live cell table for a Chargery BMS on a serial port.
 *
 * Data flows one way: link (bytes) -> framer (frames) -> decoder (records)
 * -> pack (state) -> a view (the ncurses table, or JSON lines). One ppoll()
 * loop waits on the port, the keyboard and a 1 s tick; signals are blocked
 * outside ppoll() so a Ctrl-C, SIGTERM or SSH hang-up is seen at one place
 * and the terminal is always given back.
 */
/* ppoll(): atomically unblocks the quit signals only while waiting. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "alarm.h"
#include "clock.h"
#include "csvlog.h"
#include "decoder.h"
#include "demo.h"
#include "doctor.h"
#include "eventlog.h"
#include "events.h"
#include "framer.h"
#include "history.h"
#include "json.h"
#include "mqtt.h"
#include "options.h"
#include "pack.h"
#include "plotfile.h"
#include "portpick.h"
#include "record.h"
#include "snapshot.h"
#include "source.h"
#include "tui.h"

#define PROGRAM CG_PROGRAM
#define TICK_MS 1000
#define REDRAW_MIN_MS 100   /* coalesce bursts of frames into one redraw */
#define FPS_WINDOW_S 10

/* Frames per second over the last FPS_WINDOW_S ticks. */
struct rate {
	uint64_t per_tick[FPS_WINDOW_S];
	unsigned head;
	unsigned filled;
	uint64_t last_total;
};

struct app {
	struct cg_options opt;
	struct cg_source *src;
	bool ended; /* the source has no more input */
	bool time_derived; /* the chunk's time is derived (a raw dump) */
	char link_detail[1024];
	uint64_t opened_at_ms;

	struct cg_framer framer;
	struct cg_pack pack;
	struct cg_hist hist; /* how the pack moved: --plot */
	bool keeping_history; /* someone will look at it: --plot, the table */
	bool plotting;       /* --plot, and the run started */
	bool synthetic;      /* a raw dump: data times are made up, 1 s per
			      * 0x57 frame, and the history runs on them */
	uint64_t synthetic_ms;
	uint64_t implausible;
	struct rate rate;

	bool tui;
	int key_fd;
	bool paused;
	struct cg_pack frozen;  /* what the paused table shows */
	uint64_t paused_at_ms;
	bool dirty;
	uint64_t drawn_at_ms;
	pid_t demo_pid;

	uint64_t data_wall_ms; /* when the bytes being decoded were received */
	struct cg_iso_cache stamp; /* data_wall_ms as text, for JSON and --log */
	struct cg_alarms alarms;
	struct cg_events events;
	struct cg_eventlog eventlog; /* --events file */
	bool writing_events;
	struct cg_inspect inspect;
	uint16_t worst_delta_seen_mv;
	uint64_t worst_delta_wall_ms;
	bool bell_due;

	struct cg_recorder recorder;
	bool recording;

	struct cg_replay_view replay_view;

	struct cg_doctor doctor;
	bool doctoring; /* a live source: its diagnosis is shown; files and
			 * replays keep the doctor for the link state only */
	enum cg_diagnosis diagnosis;

	struct cg_csvlog log;
	bool logging;
	struct cg_mqtt *mqtt; /* --mqtt, NULL without */
	uint64_t once_deadline_ms;
	int fatal;            /* an EX_ code that ends the run, 0 = none */
	struct cg_error fatal_error; /* printed once the terminal is back */
};

static volatile sig_atomic_t quit_signal;

static void on_quit_signal(int sig)
{
	quit_signal = sig;
}

static void rate_tick(struct rate *r, uint64_t total)
{
	r->per_tick[r->head] = total - r->last_total;
	r->head = (r->head + 1) % FPS_WINDOW_S;
	if (r->filled < FPS_WINDOW_S)
		r->filled++;
	r->last_total = total;
}

static double rate_per_s(const struct rate *r)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < r->filled; i++)
		sum += r->per_tick[i];
	return r->filled ? (double)sum / r->filled : 0.0;
}

/* Appends an event to the list and to the --events file. */
static void note_event(struct app *a, const char *text)
{
	cg_events_add(&a->events, a->data_wall_ms, text);
	if (a->keeping_history)
		cg_hist_mark(&a->hist,
			     a->synthetic ? a->synthetic_ms : a->data_wall_ms,
			     cg_hist_mark_kind_of(text), text);
	a->dirty = true;
	if (!a->writing_events)
		return;

	struct cg_error err, ignored;
	if (cg_eventlog_write(&a->eventlog, a->data_wall_ms, text, &err) < 0) {
		snprintf(a->link_detail, sizeof(a->link_detail), "%.1000s",
			 err.message);
		cg_eventlog_close(&a->eventlog, &ignored);
		a->writing_events = false;
	}
}

/* Mode and protection changes, alarms raised and cleared, the bell. */
static void note_changes(struct app *a, const struct cg_record *rec,
			 const struct cg_status *before)
{
	char lines[4][CG_EVENT_TEXT_MAX];
	struct cg_alarm_change changes[2 * CG_MAX_CELLS + 1];
	char text[CG_EVENT_TEXT_MAX];

	if (rec->type == CG_REC_STATUS) {
		size_t n = cg_events_status_changes(before, &rec->u.status,
						    lines, 4);
		for (size_t i = 0; i < n; i++)
			note_event(a, lines[i]);
	}
	size_t n = cg_alarms_update(&a->alarms, &a->opt.alarm, &a->pack,
				    changes, sizeof(changes) / sizeof(changes[0]));
	for (size_t i = 0; i < n; i++) {
		cg_alarm_change_text(&changes[i], text, sizeof(text));
		note_event(a, text);
		if (changes[i].raised && a->opt.bell)
			a->bell_due = true;
	}
	if (a->pack.session_worst_delta_mv > a->worst_delta_seen_mv) {
		a->worst_delta_seen_mv = a->pack.session_worst_delta_mv;
		a->worst_delta_wall_ms = a->data_wall_ms;
	}
}

/* Into stdout's buffer: run() flushes it before the loop waits, so a
 * replay writes in big blocks and a live line still leaves this turn. */
static int emit_json(struct app *a, const struct cg_record *rec)
{
	char line[CG_JSON_LINE_MAX];
	const char *when = cg_clock_iso8601_cached(&a->stamp, a->data_wall_ms);

	size_t n = cg_json_format(line, sizeof(line), rec, when);
	if (n == 0)
		return -1;
	if (a->time_derived) {
		/* A raw dump's times are derived: say so after "time". */
		size_t head = sizeof("{\"time\":\"\",") - 1 + strlen(when);
		if (fwrite(line, 1, head, stdout) != head ||
		    fputs("\"time_derived\":true,", stdout) == EOF)
			return -1;
		return fwrite(line + head, 1, n - head, stdout) == n - head ? 0 : -1;
	}
	if (fwrite(line, 1, n, stdout) != n)
		return -1;
	return 0;
}

/* One frame from the framer: decoder -> pack (and JSON, the CSV log). */
static int use_frame(struct app *a, const struct cg_frame *frame,
		     uint64_t data_ms)
{
	struct cg_record rec;
	enum cg_decode_result r = cg_decode(frame, &rec);

	if (r != CG_DECODE_OK) {
		a->implausible++;
		cg_inspect_reject(&a->inspect, r);
		/* Frames that began inside it are scanned for again. */
		cg_framer_reject(&a->framer, frame);
		return 0;
	}
	struct cg_status before = a->pack.status;
	bool had_status = a->pack.have[CG_REC_STATUS];
	cg_pack_apply(&a->pack, &rec, data_ms);
	if (a->keeping_history)
		cg_hist_apply(&a->hist, &a->pack, rec.type,
			      a->synthetic ? a->synthetic_ms : a->data_wall_ms);
	cg_inspect_frame(&a->inspect, frame, &rec);
	note_changes(a, &rec, had_status ? &before : NULL);
	if (a->mqtt)
		cg_mqtt_publish_record(a->mqtt, &a->pack, &a->alarms, &rec,
				       frame, a->data_wall_ms, data_ms);
	a->dirty = true;
	if (a->logging && rec.type == CG_REC_CELLS) {
		const char *when = cg_clock_iso8601_cached(&a->stamp,
							   a->data_wall_ms);
		if (cg_csvlog_write(&a->log, &a->pack, when, data_ms,
				    &a->fatal_error) < 0)
			return a->fatal_error.exit_code;
		if (a->log.note[0]) { /* the cell count changed */
			note_event(a, a->log.note);
			a->log.note[0] = '\0';
		}
	}
	if (a->opt.json && !a->opt.once && emit_json(a, &rec) < 0)
		return EX_IOERR;
	return 0;
}

/* Framer -> decoder -> pack (and JSON, the CSV log). data_ms is the clock
 * the pack ages by: the monotonic time when live, the recorded time during
 * a replay. Returns 0, or an EX_ code that
 * ends the run (stdout gone, the log refused a row). */
static int consume(struct app *a, const uint8_t *data, size_t len,
		   uint64_t data_ms)
{
	struct cg_frame frame;

	while (cg_framer_next(&a->framer, &data, &len, &frame)) {
		int rc = use_frame(a, &frame, data_ms);
		if (rc)
			return rc;
	}
	return 0;
}

static void stop_recording(struct app *a, const struct cg_error *err)
{
	struct cg_error ignored;

	snprintf(a->link_detail, sizeof(a->link_detail), "%.1000s", err->message);
	note_event(a, "recording stopped: write failed");
	if (!a->tui)
		fprintf(stderr, PROGRAM ": %s\n", err->message);
	cg_recorder_close(&a->recorder, &ignored);
	a->recording = false;
}

/* Bytes from the source: framer and the rest, the doctor, the recorder.
 * Returns 0 or an EX_ code (see consume). */
static int use_chunk(struct app *a, const struct cg_source_chunk *chunk,
		     uint64_t now)
{
	a->data_wall_ms = chunk->wall_ms;
	a->synthetic = chunk->synthetic_time;
	a->synthetic_ms = chunk->data_ms;
	a->time_derived = chunk->synthetic_time;
	int rc = consume(a, chunk->data, chunk->len, chunk->data_ms);
	cg_doctor_feed(&a->doctor, a->doctoring ? chunk->data : NULL,
		       chunk->len, &a->framer.stats, now);
	if (a->recording) {
		struct cg_error err;
		if (cg_recorder_write(&a->recorder, chunk->data, chunk->len,
				      chunk->wall_ms * 1000u, now, &err) < 0)
			stop_recording(a, &err);
	}
	return rc;
}

/* Pumps the source until it is idle, acting on what it hands out.
 * Returns 0 or an EX_ code that ends the run. */
static int pump_source(struct app *a, uint64_t now, bool readable)
{
	struct cg_source *src = a->src;
	struct cg_source_chunk chunk;
	char text[CG_EVENT_TEXT_MAX];

	for (;;) {
		switch (cg_source_pump(src, now, readable, &chunk)) {
		case CG_SOURCE_IDLE:
			return 0;
		case CG_SOURCE_DATA: {
			int rc = use_chunk(a, &chunk, now);
			if (rc)
				return rc;
			break;
		}
		case CG_SOURCE_LOST:
			cg_doctor_lost(&a->doctor, now);
			snprintf(a->link_detail, sizeof(a->link_detail), "%s",
				 src->text);
			a->data_wall_ms = cg_clock_wall_ms();
			snprintf(text, sizeof(text), "link lost: %.80s", src->text);
			note_event(a, text);
			if (!a->tui)
				fprintf(stderr, PROGRAM ": %s: %s; retrying every second\n",
					src->label, src->text);
			break;
		case CG_SOURCE_BACK:
			cg_doctor_opened(&a->doctor, now);
			a->opened_at_ms = now;
			a->link_detail[0] = '\0';
			a->data_wall_ms = cg_clock_wall_ms();
			note_event(a, "link back: reconnected");
			if (!a->tui)
				fprintf(stderr, PROGRAM ": %s: reconnected\n",
					src->label);
			break;
		case CG_SOURCE_OPEN_FAILED:
			cg_doctor_open_failed(&a->doctor, src->err.exit_code,
					      src->err.message, now);
			break;
		case CG_SOURCE_NOTE:
			note_event(a, src->text);
			break;
		case CG_SOURCE_END:
			a->ended = true;
			a->dirty = true;
			cg_doctor_ended(&a->doctor);
			if (src->text[0]) {
				snprintf(a->link_detail, sizeof(a->link_detail),
					 "%.1000s", src->text);
				note_event(a, src->text);
			}
			break;
		}
	}
}

/* Asks the doctor what is wrong; a change of diagnosis is an event (and a
 * line on stderr when there is no table to show it). */
static void consult_doctor(struct app *a, uint64_t now)
{
	if (!a->doctoring)
		return;

	int baud = cg_doctor_want_baud(&a->doctor, now);
	if (baud && a->src->ops->set_baud) {
		struct cg_error err;
		a->src->ops->set_baud(a->src, baud, &err);
	}
	enum cg_diagnosis d = cg_doctor_diagnose(&a->doctor, now);
	if (d == a->diagnosis)
		return;
	a->diagnosis = d;
	a->dirty = true;
	const char *text = cg_doctor_text(&a->doctor);
	char line[CG_EVENT_TEXT_MAX];
	snprintf(line, sizeof(line), "link: %s", text ? text : "frames arriving");
	a->data_wall_ms = cg_clock_wall_ms();
	note_event(a, line);
	if (!a->tui)
		fprintf(stderr, PROGRAM ": %s\n", line);
}

static void draw(struct app *a, uint64_t now)
{
	struct cg_view v = {
		.pack = a->paused ? &a->frozen : &a->pack,
		.framer = &a->framer.stats,
		.implausible = a->implausible,
		.port = a->src->label,
		.baud = a->src->baud, /* after a baud hunt, the speed found */
		.link = cg_doctor_link_state(&a->doctor, now),
		.link_detail = a->link_detail[0] ? a->link_detail : NULL,
		.diagnosis = a->doctoring ? cg_doctor_text(&a->doctor) : NULL,
		.frames_per_s = rate_per_s(&a->rate),
		.paused = a->paused,
		.alarms = &a->alarms,
		.events = &a->events,
		.inspect = &a->inspect,
		.worst_delta_wall_ms = a->worst_delta_wall_ms,
		/* Paused ages stay as they were when p was pressed. */
		.now_ms = a->paused ? a->paused_at_ms : now,
		/* What is written, and a write that stopped on an error. */
		.record = { a->opt.record_path,
			    a->recording ? a->recorder.file.size : 0,
			    a->opt.record_path && !a->recording },
		.csv_log = { a->opt.log_path, a->logging ? a->log.file.size : 0,
			     a->opt.log_path && !a->logging },
		.event_log = { a->opt.events_path, 0,
			       a->opt.events_path && !a->writing_events },
	};

	struct cg_source_position pos;
	cg_source_position(a->src, now, &pos);
	if (pos.replay) {
		a->replay_view = (struct cg_replay_view){
			.speed = pos.speed,
			.paused = pos.paused,
			.position_s = pos.position_s,
			.length_s = pos.length_s,
			.timestamped = pos.timestamped,
			.ended = a->ended,
			.path = a->opt.replay_path,
		};
		v.replay = &a->replay_view;
		/* Ages in a replay run on the recorded clock. */
		v.now_ms = pos.now_us / 1000u;
	}

	cg_tui_draw(&v);
	if (a->bell_due) {
		cg_tui_bell();
		a->bell_due = false;
	}
	a->dirty = false;
	a->drawn_at_ms = now;
}

/* Returns true when the user asked to quit. */
static bool handle_keys(struct app *a)
{
	for (;;) {
		enum cg_key_action action = cg_tui_key();
		switch (action) {
		case CG_KEY_NONE:
			return false;
		case CG_KEY_QUIT:
			return true;
		case CG_KEY_PAUSE:
			if (a->src->ops->pause) { /* pause the replay, not the view */
				a->src->ops->pause(a->src, cg_clock_ms());
				break;
			}
			a->paused = !a->paused;
			a->frozen = a->pack;
			a->paused_at_ms = cg_clock_ms();
			break;
		case CG_KEY_RESET:
			cg_pack_reset_session(&a->pack);
			a->worst_delta_seen_mv = 0;
			a->worst_delta_wall_ms = 0;
			break;
		case CG_KEY_FASTER:
		case CG_KEY_SLOWER:
			if (a->src->ops->speed_step)
				a->src->ops->speed_step(a->src,
							action == CG_KEY_FASTER,
							cg_clock_ms());
			break;
		default: /* what is shown (help, e, i, z, scrolling): tui's */
			break;
		}
		a->dirty = true;
		a->drawn_at_ms = 0; /* answer a key at once */
	}
}

static int pending_quit_signal(void)
{
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return 0;
	if (sigismember(&pending, SIGINT))
		return SIGINT;
	if (sigismember(&pending, SIGTERM))
		return SIGTERM;
	if (sigismember(&pending, SIGHUP))
		return SIGHUP;
	return 0;
}

/* --once on a live port answers as soon as it has cells and measurements;
 * on a file it reads to the end for the newest picture. */
static bool once_ready(const struct app *a)
{
	return a->src->live && a->pack.have[CG_REC_CELLS] &&
	       a->pack.have[CG_REC_STATUS];
}

/* Good frames of a length this version cannot read, one line each, with
 * prefix before each (the framer counts them). Returns how many. */
static unsigned say_variants(const struct app *a, FILE *to,
			     const char *prefix)
{
	char line[CG_DOCTOR_TEXT_MAX];
	unsigned n = 0;

	for (unsigned i = 0; i < CG_FRAMER_VARIANTS; i++)
		if (cg_framer_variant_text(&a->framer.stats, i, line,
					   sizeof(line))) {
			fprintf(to, "%s%s\n", prefix, line);
			n++;
		}
	return n;
}

/* Prints the --once picture. Returns 0 fresh and within limits, 1 no or
 * stale data, 2 an alarm (as cg_snapshot_status says). */
static int print_once(struct app *a)
{
	static char out[CG_SNAPSHOT_MAX];
	char when[CG_ISO_TIME_MAX];
	struct cg_source_position pos;
	cg_source_position(a->src, cg_clock_ms(), &pos);
	uint64_t data_now = pos.replay ? pos.now_us / 1000u : cg_clock_ms();

	if (!a->pack.have[CG_REC_CELLS] && !a->pack.have[CG_REC_STATUS]) {
		/* Never "no frames" while good frames arrive. */
		if (!say_variants(a, stderr, PROGRAM ": "))
			fprintf(stderr, PROGRAM ": no frames from %s within "
				"%d s\n", a->src->label, a->opt.timeout_s);
		return CG_SNAPSHOT_NODATA;
	}
	cg_clock_format_iso8601(a->data_wall_ms, when);
	size_t n = a->opt.json
		? cg_snapshot_json(out, sizeof(out), &a->pack, &a->alarms, when, data_now)
		: a->opt.csv
		? cg_snapshot_csv(out, sizeof(out), &a->pack, when, data_now)
		: cg_snapshot_text(out, sizeof(out), &a->pack, &a->alarms, when, data_now);
	if (n == 0 || fwrite(out, 1, n, stdout) != n)
		return EX_IOERR;
	if (a->opt.json || a->opt.csv)
		say_variants(a, stderr, PROGRAM ": ");
	else
		say_variants(a, stdout, "Unknown  ");
	if (fflush(stdout) != 0)
		return EX_IOERR;
	return cg_snapshot_status(&a->pack, &a->alarms, data_now);
}

/* The input ended without the table: says why on stderr, answers --once,
 * and exits 65 after what was readable when the input was damaged. */
static int end_of_input(struct app *a)
{
	int rc = EX_OK;

	if (a->src->text[0])
		fprintf(stderr, PROGRAM ": %s\n", a->src->text);
	if (a->opt.once)
		rc = a->src->end_empty ? CG_SNAPSHOT_NODATA : print_once(a);
	if (a->src->end_code && rc != EX_IOERR)
		return a->src->end_code;
	return rc;
}

/* The one loop. Returns an exit code. */
static int run(struct app *a, const sigset_t *wait_mask)
{
	uint64_t next_tick = cg_clock_ms() + TICK_MS;

	for (;;) {
		uint64_t now = cg_clock_ms();
		struct pollfd fds[3];
		nfds_t nfds = 0;
		int link_slot = -1, key_slot = -1, mqtt_slot = -1;
		short mqtt_events = 0;
		int mqtt_fd = cg_mqtt_poll_fd(a->mqtt, &mqtt_events);
		int src_fd = cg_source_poll_fd(a->src);

		if (src_fd >= 0) {
			link_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ .fd = src_fd, .events = POLLIN };
		}
		if (a->tui) {
			key_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ .fd = a->key_fd, .events = POLLIN };
		}
		if (mqtt_fd >= 0) {
			mqtt_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ .fd = mqtt_fd, .events = mqtt_events };
		}
		/* --json lines of the last turn go out before the loop waits
		 * (or ends): one write(2) per turn, not per line. */
		if (a->opt.json && (fflush(stdout) != 0 || ferror(stdout)))
			return EX_IOERR;
		if (!a->tui && a->ended) {
			/* --json on a capture: done at EOF */
			if (!a->opt.once)
				say_variants(a, stderr, PROGRAM ": ");
			return end_of_input(a);
		}
		/* Files are read to the end however long it takes. */
		bool once_timed = a->opt.once && a->src->live;
		if (once_timed && now >= a->once_deadline_ms)
			return print_once(a);

		uint64_t wake = next_tick;
		if (once_timed && a->once_deadline_ms < wake)
			wake = a->once_deadline_ms;
		bool redraw_pending = a->tui && a->dirty;
		if (redraw_pending) {
			uint64_t at = a->drawn_at_ms + REDRAW_MIN_MS;
			if (at < wake)
				wake = at;
		}
		uint64_t due = cg_source_due_ms(a->src, now);
		if (due < wake)
			wake = due;
		if (a->mqtt && cg_mqtt_due_ms(a->mqtt, now) < wake)
			wake = cg_mqtt_due_ms(a->mqtt, now);
		uint64_t wait_ms = wake > now ? wake - now : 0;
		struct timespec timeout = {
			.tv_sec = (time_t)(wait_ms / 1000),
			.tv_nsec = (long)(wait_ms % 1000) * 1000000L,
		};

		int ready = ppoll(fds, nfds, &timeout, wait_mask);
		if (quit_signal)
			return 128 + quit_signal;
		/* ppoll() returning ready fds restores the mask without
		 * delivering a signal that is pending: look for it, or a
		 * busy fd would hide SIGTERM for ever. */
		int pending = pending_quit_signal();
		if (pending)
			return 128 + pending;
		/* The terminal went away (SSH drop, closed window). */
		if (ready > 0 && key_slot >= 0 &&
		    (fds[key_slot].revents & (POLLHUP | POLLERR | POLLNVAL)))
			return 128 + SIGHUP;
		if (ready < 0 && errno != EINTR) {
			fprintf(stderr, PROGRAM ": poll: %s\n", strerror(errno));
			return EX_OSERR;
		}
		now = cg_clock_ms();

		int rc = pump_source(a, now, ready > 0 && link_slot >= 0 &&
				     fds[link_slot].revents);
		if (rc)
			return rc;
		if (a->opt.once && once_ready(a))
			return print_once(a);
		/* A resize arrives as SIGWINCH (EINTR) and waits in getch(). */
		if (a->tui && (ready < 0 || (ready > 0 && fds[key_slot].revents))) {
			if (handle_keys(a))
				return EX_OK;
		}
		if (now >= next_tick) {
			rate_tick(&a->rate, a->framer.stats.frames);
			next_tick += TICK_MS;
			if (next_tick <= now)
				next_tick = now + TICK_MS;
			a->dirty = true; /* ages move on */
			if (a->recording) {
				struct cg_error err;
				if (cg_recorder_tick(&a->recorder, now, &err) < 0)
					stop_recording(a, &err);
			}
			if (a->writing_events) {
				struct cg_error eerr, ignored;
				if (cg_eventlog_sync_due(&a->eventlog, now,
							 &eerr) < 0) {
					snprintf(a->link_detail,
						 sizeof(a->link_detail),
						 "%.1000s", eerr.message);
					cg_eventlog_close(&a->eventlog,
							  &ignored);
					a->writing_events = false;
				}
			}
			if (a->logging &&
			    cg_csvlog_sync_due(&a->log, now, &a->fatal_error) < 0)
				return a->fatal_error.exit_code;
		}
		consult_doctor(a, now);
		if (a->mqtt) {
			char note[CG_MQTT_NOTE_MAX];
			cg_mqtt_io(a->mqtt, ready > 0 && mqtt_slot >= 0 ?
				   fds[mqtt_slot].revents : 0, now);
			cg_mqtt_tick(a->mqtt, cg_doctor_link_state(&a->doctor, now), now);
			while (cg_mqtt_note(a->mqtt, note, sizeof(note))) {
				a->data_wall_ms = cg_clock_wall_ms();
				note_event(a, note);
			}
		}
		if (a->tui && a->dirty && now >= a->drawn_at_ms + REDRAW_MIN_MS)
			draw(a, now);
	}
}

static void install_signals(sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = on_quit_signal };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Delivered only inside ppoll(): one place to notice them. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGHUP);
}

/* Phase: the source. The demo's simulator, the port the user named (or
 * the one chosen for them), or the replay. Returns -1 or an exit code. */
static int open_source(struct app *a, struct cg_error *err)
{
	static char port[PATH_MAX];
	uint64_t now = cg_clock_ms();
	int rc;

	if (a->opt.demo) {
		a->demo_pid = cg_demo_start(port, sizeof(port), err);
		if (a->demo_pid < 0)
			return err->exit_code;
		a->opt.port = port;
	} else if (!a->opt.port && !a->opt.replay_path) {
		if ((rc = cg_portpick_choose(port, sizeof(port), a->opt.baud)) >= 0)
			return rc;
		a->opt.port = port;
	}
	if (a->opt.replay_path)
		/* Nobody watches a run without the table: no pacing. */
		a->src = cg_source_replay_open(a->opt.replay_path,
			!((a->opt.json || a->opt.once || a->opt.headless) &&
			  !a->opt.speed),
			a->opt.speed, now, err);
	else
		a->src = cg_source_open(a->opt.port, a->opt.baud,
			a->opt.demo ? "demo (simulator)" : NULL, now, err);
	if (!a->src)
		return err->exit_code;
	if (a->opt.start_us)
		cg_source_replay_start_at(a->src, a->opt.start_us, now);
	a->opened_at_ms = now;
	/* Every source has a doctor for its link state; only a live one
	 * gets its diagnosis shown. */
	a->doctoring = a->src->live;
	cg_doctor_init(&a->doctor, a->opt.replay_path ? a->opt.replay_path
						      : a->opt.port,
		       a->opt.baud, a->src->can_hunt);
	if (a->src->network)
		cg_doctor_network(&a->doctor);
	cg_doctor_opened(&a->doctor, now);
	a->diagnosis = cg_doctor_diagnose(&a->doctor, now);
	return -1;
}

/* Phase: the files the run writes. Returns -1 or an exit code. */
static int open_outputs(struct app *a, struct cg_error *err)
{
	if (a->opt.record_path) {
		if (cg_recorder_open(&a->recorder, a->opt.record_path,
				     a->opened_at_ms, err) < 0)
			return err->exit_code;
		a->recording = true;
	}
	if (a->opt.events_path) {
		if (cg_eventlog_open(&a->eventlog, a->opt.events_path, err) < 0)
			return err->exit_code;
		a->writing_events = true;
	}
	if (a->opt.log_path) {
		if (cg_csvlog_open(&a->log, a->opt.log_path,
				   (unsigned)a->opt.cells, err) < 0)
			return err->exit_code;
		a->logging = true;
	}
	if (a->opt.mqtt_url) {
		struct cg_mqtt_config mc = {
			a->opt.mqtt_url, a->opt.mqtt_cafile,
			a->opt.mqtt_password_file, getenv("CHARGERY_MQTT_PASSWORD"),
			a->opt.name, cg_source_port_usb_serial(a->src),
			a->opt.mqtt_discovery_prefix, a->opt.no_discovery,
			PROGRAM " " CG_VERSION,
		};
		if (!(a->mqtt = cg_mqtt_open(&mc, cg_clock_ms(), err)))
			return err->exit_code;
	}
	return -1;
}

/* Phase: the pipeline's state, empty. */
static void init_state(struct app *a)
{
	char text[CG_EVENT_TEXT_MAX];
	struct cg_pack_config config = { .cells = (uint8_t)a->opt.cells };

	cg_framer_init(&a->framer);
	cg_alarms_init(&a->alarms);
	cg_events_init(&a->events);
	cg_inspect_init(&a->inspect);
	cg_pack_init(&a->pack, &config);
	cg_hist_init(&a->hist);
	/* A history costs a few lookups per value: kept only where it is
	 * drawn (--plot now, the table's history view later). */
	a->keeping_history = a->opt.plot_path ||
			     !(a->opt.json || a->opt.once || a->opt.headless);
	a->plotting = a->opt.plot_path != NULL;
	a->data_wall_ms = cg_clock_wall_ms();
	snprintf(text, sizeof(text), "opened %.80s",
		 a->opt.demo ? "the demo simulator" :
		 a->opt.replay_path ? a->opt.replay_path : a->opt.port);
	note_event(a, text);
	a->once_deadline_ms = a->opened_at_ms + (uint64_t)a->opt.timeout_s * 1000u;
}

/* Phase: the view, the table or lines on stdout. Returns -1 or an exit
 * code. */
static int start_view(struct app *a, struct cg_error *err)
{
	if (a->opt.json && !a->opt.once) {
		static char json_buffer[64 * 1024];
		setvbuf(stdout, json_buffer, _IOFBF, sizeof(json_buffer));
		return -1;
	}
	if (a->opt.json || a->opt.once || a->opt.headless) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		return -1;
	}
	struct cg_tui_options topt = {
		.ascii = a->opt.ascii,
		.no_color = a->opt.no_color,
	};
	a->key_fd = cg_tui_start(&topt, err);
	if (a->key_fd < 0)
		return err->exit_code;
	a->tui = true;
	a->dirty = true;
	return -1;
}

/* --plot: the history of the run as a picture. */
static int write_plot(struct app *a, struct cg_error *err)
{
	struct cg_plot_meta meta = {
		.source = a->opt.replay_path ? a->opt.replay_path : a->src->label,
		.firmware = cg_inspect_firmware(&a->inspect),
		.cells = a->pack.wired,
	};
	uint64_t from, to;

	if (cg_plot_window(&a->hist, &a->opt.plot_from, &a->opt.plot_to,
			   &from, &to, err) < 0)
		return -1;
	return cg_plotfile_write(a->opt.plot_path, &a->hist, &meta, from, to,
				 err);
}

/* The one cleanup path, for every phase that was reached: gives the
 * terminal back, closes the source, syncs and closes the files. Returns
 * the exit code, which a failing close may change from EX_OK. */
static int finish(struct app *a, int rc)
{
	struct cg_error err;

	if (rc != EX_OK && a->fatal_error.message[0] && rc < 128)
		a->fatal = rc;
	if (a->tui)
		cg_tui_stop();
	if (a->plotting && write_plot(a, &err) < 0) {
		fprintf(stderr, PROGRAM ": %s\n", err.message);
		if (rc == EX_OK)
			rc = err.exit_code;
	}
	cg_mqtt_close(a->mqtt);
	cg_source_close(a->src);
	cg_demo_stop(a->demo_pid);
	if (a->recording && cg_recorder_close(&a->recorder, &err) < 0) {
		fprintf(stderr, PROGRAM ": %s\n", err.message);
		if (rc == EX_OK)
			rc = err.exit_code;
	}
	if (a->writing_events) {
		struct cg_error eerr;
		if (cg_eventlog_close(&a->eventlog, &eerr) < 0)
			fprintf(stderr, PROGRAM ": %s\n", eerr.message);
	}
	if (a->logging && cg_csvlog_close(&a->log, &err) < 0 && !a->fatal) {
		fprintf(stderr, PROGRAM ": %s\n", err.message);
		if (rc == EX_OK)
			rc = err.exit_code;
	}
	if (a->fatal)
		fprintf(stderr, PROGRAM ": %s\n", a->fatal_error.message);
	if (rc > 128) {
		/* Die of the same signal, so a shell or systemd sees why. */
		int sig = rc - 128;
		signal(sig, SIG_DFL);
		sigset_t unblock;
		sigemptyset(&unblock);
		sigaddset(&unblock, sig);
		raise(sig);
		sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	}
	return rc;
}

int main(int argc, char **argv)
{
	static struct app app; /* large; keep it off the stack */
	struct app *a = &app;
	struct cg_error err = { 0 };
	sigset_t wait_mask;
	int rc;

	if ((rc = cg_options_parse(argc, argv, &a->opt)) >= 0)
		return rc;
	if (a->opt.list)
		return cg_portpick_list(a->opt.baud);
	install_signals(&wait_mask);

	if ((rc = open_source(a, &err)) < 0 &&
	    (rc = open_outputs(a, &err)) < 0) {
		init_state(a);
		if ((rc = start_view(a, &err)) < 0)
			rc = run(a, &wait_mask);
	}
	if (rc >= 0 && rc != EX_OK && rc < 128 && err.message[0] &&
	    !a->fatal_error.message[0])
		fprintf(stderr, PROGRAM ": %s\n", err.message);
	return finish(a, rc);
}
