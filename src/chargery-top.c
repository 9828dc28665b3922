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
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "alarm.h"
#include "appendfile.h"
#include "clock.h"
#include "csvlog.h"
#include "decoder.h"
#include "demo.h"
#include "doctor.h"
#include "eventlog.h"
#include "events.h"
#include "framer.h"
#include "json.h"
#include "options.h"
#include "pack.h"
#include "portpick.h"
#include "record.h"
#include "sanitize.h"
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
	char link_detail[1024];
	uint64_t opened_at_ms;

	struct cg_framer framer;
	struct cg_pack pack;
	uint64_t implausible;
	struct rate rate;

	bool tui;
	int key_fd;
	bool paused, zoom, help, show_events, show_inspector;
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
	char firmware[96];
	bool fw_cells_known, fw_cells_energy;
	bool fw_status_known, fw_status_protection;
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
	uint64_t once_deadline_ms;
	int stop;             /* an EX_ code an output failure asks the loop
			       * to end with, 0 = none (message in
			       * fatal_error) */
	int fatal;            /* an EX_ code that ends the run, 0 = none */
	struct cg_error fatal_error; /* printed once the terminal is back */
};

static volatile sig_atomic_t quit_signal;

static void on_quit_signal(int sig)
{
	quit_signal = sig;
}

/* Every message goes to stderr through here: it may quote a path, a
 * process name or a library's words, none of which may drive the
 * terminal. */
static void say(const char *message)
{
	char safe[2 * CG_ERROR_MAX];

	cg_sanitize_message(safe, sizeof(safe), message);
	fprintf(stderr, PROGRAM ": %s\n", safe);
}

/* say() with a format. */
__attribute__((format(printf, 1, 2)))
static void sayf(const char *format, ...)
{
	char text[CG_ERROR_MAX];
	va_list ap;

	va_start(ap, format);
	vsnprintf(text, sizeof(text), format, ap);
	va_end(ap);
	say(text);
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

/* --events or --record could not write: the file is closed and the run
 * goes on without it, said on the status line or stderr; under --headless,
 * where the files are the whole point, the run ends with err's code (74).
 * *active is the output's flag. */
static void output_failed(struct app *a, const struct cg_error *err,
			  bool *active)
{
	struct cg_error ignored;

	if (active == &a->writing_events)
		cg_eventlog_close(&a->eventlog, &ignored);
	else
		cg_recorder_close(&a->recorder, &ignored);
	*active = false;
	cg_sanitize(a->link_detail, sizeof(a->link_detail), err->message);
	if (a->opt.headless) {
		if (!a->stop) {
			a->fatal_error = *err;
			a->stop = err->exit_code ? err->exit_code : EX_IOERR;
		}
		return;
	}
	if (!a->tui)
		say(err->message);
}

/* Appends an event to the list and to the --events file. */
static void note_event(struct app *a, const char *raw)
{
	char text[CG_EVENT_TEXT_MAX];

	/* Events quote ports, paths and libraries' words: shown on the
	 * table and written to --events, they must not carry controls. */
	cg_sanitize(text, sizeof(text), raw);
	cg_events_add(&a->events, a->data_wall_ms, text);
	a->dirty = true;
	if (!a->writing_events)
		return;

	struct cg_error err;
	if (cg_eventlog_write(&a->eventlog, a->data_wall_ms, text, &err) < 0)
		output_failed(a, &err, &a->writing_events);
}

/* What the frame lengths say about the firmware, for the inspector. */
static void note_firmware(struct app *a, const struct cg_frame *frame)
{
	bool cells_known = a->fw_cells_known, energy = a->fw_cells_energy;
	bool status_known = a->fw_status_known, protection = a->fw_status_protection;

	if (frame->bytes[2] == CG_CMD_CELLS) {
		cells_known = true;
		energy = frame->len % 2 == 1;
	} else if (frame->bytes[2] == CG_CMD_STATUS) {
		status_known = true;
		protection = frame->len == 19;
	}
	/* Per frame this is a compare; the text changes once or twice. */
	if (a->inspect.firmware && cells_known == a->fw_cells_known &&
	    energy == a->fw_cells_energy && status_known == a->fw_status_known &&
	    protection == a->fw_status_protection)
		return;
	a->fw_cells_known = cells_known;
	a->fw_cells_energy = energy;
	a->fw_status_known = status_known;
	a->fw_status_protection = protection;

	const char *version = "unknown yet";
	if (a->fw_status_known && a->fw_status_protection)
		version = "V1.26 or later";
	else if (a->fw_cells_known && a->fw_cells_energy)
		version = "V1.24 or V1.25";
	else if (a->fw_cells_known || a->fw_status_known)
		version = "before V1.24";
	snprintf(a->firmware, sizeof(a->firmware), "%s (0x56 %s, 0x57 %s)",
		 version,
		 !a->fw_cells_known ? "not seen" :
		 a->fw_cells_energy ? "with Wh/Ah" : "without Wh/Ah",
		 !a->fw_status_known ? "not seen" :
		 a->fw_status_protection ? "of 19 bytes" : "of 15 bytes");
	a->inspect.firmware = a->firmware;
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

/* Standard output refused what it was given (errno e): exit 74. A reader
 * that went away (head -1, a closed pipe) chose to: that ends the run
 * quietly; anything else (a full disk) is said with what to do. */
static int stdout_failed(struct app *a, int e)
{
	if (e == EPIPE)
		return EX_IOERR;
	cg_error_set(&a->fatal_error, EX_IOERR, "cannot write to standard "
		     "output: %s; %s", strerror(e),
		     e == ENOSPC ? "free some space or redirect it to another "
				   "disk" : "check where it is redirected");
	return EX_IOERR;
}

/* Into stdout's buffer: run() flushes it before the loop waits, so a
 * replay writes in big blocks and a live line still leaves this turn. */
static int emit_json(struct app *a, const struct cg_record *rec)
{
	char line[CG_JSON_LINE_MAX];
	const char *when = cg_clock_iso8601_cached(&a->stamp, a->data_wall_ms);

	size_t n = cg_json_format(line, sizeof(line), rec, when);
	if (n == 0 || fwrite(line, 1, n, stdout) != n)
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
		a->inspect.rejected_by[-r]++;
		return 0;
	}
	struct cg_status before = a->pack.status;
	bool had_status = a->pack.have[CG_REC_STATUS];
	cg_pack_apply(&a->pack, &rec, data_ms);
	a->inspect.last[rec.type] = *frame;
	a->inspect.have_last[rec.type] = true;
	note_firmware(a, frame);
	note_changes(a, &rec, had_status ? &before : NULL);
	a->dirty = true;
	if (a->logging && rec.type == CG_REC_CELLS) {
		const char *when = cg_clock_iso8601_cached(&a->stamp,
							   a->data_wall_ms);
		if (cg_csvlog_write(&a->log, &a->pack, when, data_ms,
				    &a->fatal_error) < 0)
			return a->fatal_error.exit_code;
	}
	if (a->opt.json && !a->opt.once) {
		errno = 0;
		if (emit_json(a, &rec) < 0)
			return stdout_failed(a, errno ? errno : EIO);
	}
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
	note_event(a, "recording stopped: write failed");
	output_failed(a, err, &a->recording);
}

/* Bytes from the source: framer and the rest, the doctor, the recorder.
 * Returns 0 or an EX_ code (see consume). */
static int use_chunk(struct app *a, const struct cg_source_chunk *chunk,
		     uint64_t now)
{
	a->data_wall_ms = chunk->wall_ms;
	int rc = consume(a, chunk->data, chunk->len, chunk->data_ms);
	cg_doctor_feed(&a->doctor, chunk->data, chunk->len, &a->framer.stats,
		       now);
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
			cg_sanitize(a->link_detail, sizeof(a->link_detail), src->text);
			a->data_wall_ms = cg_clock_wall_ms();
			snprintf(text, sizeof(text), "link lost: %.80s", src->text);
			note_event(a, text);
			if (!a->tui)
				sayf("%s: %s; retrying every second",
				     src->label, src->text);
			break;
		case CG_SOURCE_BACK:
			cg_doctor_opened(&a->doctor, now);
			a->opened_at_ms = now;
			a->link_detail[0] = '\0';
			a->data_wall_ms = cg_clock_wall_ms();
			note_event(a, "link back: reconnected");
			if (!a->tui)
				sayf("%s: reconnected", src->label);
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
			if (src->text[0])
				cg_sanitize(a->link_detail, sizeof(a->link_detail), src->text);
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
		say(line);
}

static void draw(struct app *a, uint64_t now)
{
	struct cg_view v = {
		.pack = a->paused ? &a->frozen : &a->pack,
		.framer = &a->framer.stats,
		.implausible = a->implausible,
		.port = a->src->label,
		.baud = a->opt.baud,
		.link = cg_doctor_link_state(&a->doctor, now),
		.link_detail = a->link_detail[0] ? a->link_detail : NULL,
		.diagnosis = a->doctoring ? cg_doctor_text(&a->doctor) : NULL,
		.frames_per_s = rate_per_s(&a->rate),
		.paused = a->paused,
		.zoom = a->zoom,
		.help = a->help,
		.alarms = &a->alarms,
		.events = &a->events,
		.inspect = &a->inspect,
		.worst_delta_wall_ms = a->worst_delta_wall_ms,
		.show_events = a->show_events,
		.show_inspector = a->show_inspector,
		/* Paused ages stay as they were when p was pressed. */
		.now_ms = a->paused ? a->paused_at_ms : now,
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
		case CG_KEY_HELP:
			a->help = !a->help;
			break;
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
		case CG_KEY_ZOOM:
			a->zoom = !a->zoom;
			break;
		case CG_KEY_EVENTS:
			a->show_events = !a->show_events;
			a->show_inspector = false;
			break;
		case CG_KEY_INSPECTOR:
			a->show_inspector = !a->show_inspector;
			a->show_events = false;
			cg_tui_scroll(CG_KEY_TOP);
			break;
		case CG_KEY_LINE_UP:
		case CG_KEY_LINE_DOWN:
		case CG_KEY_PAGE_UP:
		case CG_KEY_PAGE_DOWN:
		case CG_KEY_TOP:
		case CG_KEY_BOTTOM:
			if (a->show_inspector)
				cg_tui_scroll(action);
			break;
		case CG_KEY_FASTER:
		case CG_KEY_SLOWER:
			if (a->src->ops->speed_step)
				a->src->ops->speed_step(a->src,
							action == CG_KEY_FASTER,
							cg_clock_ms());
			break;
		case CG_KEY_RESIZE:
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
		sayf("no frames from %s within %d s", a->src->label,
		     a->opt.timeout_s);
		return CG_SNAPSHOT_NODATA;
	}
	cg_clock_format_iso8601(a->data_wall_ms, when);
	size_t n = a->opt.json
		? cg_snapshot_json(out, sizeof(out), &a->pack, &a->alarms, when, data_now)
		: a->opt.csv
		? cg_snapshot_csv(out, sizeof(out), &a->pack, when, data_now)
		: cg_snapshot_text(out, sizeof(out), &a->pack, &a->alarms, when, data_now);
	if (n == 0)
		return EX_SOFTWARE;
	errno = 0;
	if (fwrite(out, 1, n, stdout) != n || fflush(stdout) != 0)
		return stdout_failed(a, errno ? errno : EIO);
	return cg_snapshot_status(&a->pack, &a->alarms, data_now);
}

/* The one loop. Returns an exit code. */
static int run(struct app *a, const sigset_t *wait_mask)
{
	uint64_t next_tick = cg_clock_ms() + TICK_MS;

	for (;;) {
		uint64_t now = cg_clock_ms();
		struct pollfd fds[2];
		nfds_t nfds = 0;
		int link_slot = -1, key_slot = -1;
		int src_fd = cg_source_poll_fd(a->src);

		if (src_fd >= 0) {
			link_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ .fd = src_fd, .events = POLLIN };
		}
		if (a->tui) {
			key_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ .fd = a->key_fd, .events = POLLIN };
		}
		/* --json lines of the last turn go out before the loop waits
		 * (or ends): one write(2) per turn, not per line. */
		if (a->opt.json) {
			errno = 0;
			if (fflush(stdout) != 0 || ferror(stdout))
				return stdout_failed(a, errno ? errno : EIO);
		}
		if (a->stop)
			return a->stop;
		if (!a->tui && a->ended)
			/* --json on a capture: done at EOF */
			return a->opt.once ? print_once(a) : EX_OK;
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
				struct cg_error eerr;
				if (cg_eventlog_sync_due(&a->eventlog, now,
							 &eerr) < 0)
					output_failed(a, &eerr,
						      &a->writing_events);
			}
			if (a->logging &&
			    cg_csvlog_sync_due(&a->log, now, &a->fatal_error) < 0)
				return a->fatal_error.exit_code;
		}
		if (a->stop)
			return a->stop;
		consult_doctor(a, now);
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
		a->src = cg_source_port_open(a->opt.port, a->opt.baud,
			a->opt.demo ? "demo (simulator)" : NULL, err);
	if (!a->src)
		return err->exit_code;
	a->opened_at_ms = now;
	/* Every source has a doctor for its link state; only a live one
	 * gets its diagnosis shown. */
	a->doctoring = a->src->live;
	cg_doctor_init(&a->doctor, a->opt.replay_path ? a->opt.replay_path
						      : a->opt.port,
		       a->opt.baud, a->src->can_hunt);
	cg_doctor_opened(&a->doctor, now);
	a->diagnosis = cg_doctor_diagnose(&a->doctor, now);
	return -1;
}

/* Two outputs on one file would interleave two formats, and an output on
 * the port or the replay would write into the input: refused before any
 * file is opened, whatever names they go by (device and inode). Two
 * outputs on one character device other than the port (/dev/null, a
 * terminal) are fine. */
static int check_outputs_apart(const struct app *a, struct cg_error *err)
{
	const struct { const char *option, *path; } out[] = {
		{ "--record", a->opt.record_path },
		{ "--events", a->opt.events_path },
		{ "--log", a->opt.log_path },
	};
	const size_t n = sizeof(out) / sizeof(out[0]);
	const char *port = a->opt.demo || !a->opt.port ||
			   strcmp(a->opt.port, "-") == 0 ? NULL : a->opt.port;

	for (size_t i = 0; i < n; i++) {
		if (!out[i].path)
			continue;
		/* Devices (/dev/null, a terminal) take lines from anyone. */
		struct stat st;
		bool device = stat(out[i].path, &st) == 0 &&
			      S_ISCHR(st.st_mode);
		for (size_t j = i + 1; j < n && !device; j++)
			if (out[j].path &&
			    cg_appendfile_same_path(out[i].path, out[j].path))
				return cg_error_set(err, EX_USAGE, "%s %s and "
					"%s %s are one file: give each its "
					"own file", out[i].option, out[i].path,
					out[j].option, out[j].path);
		if (port && cg_appendfile_same_path(out[i].path, port))
			return cg_error_set(err, EX_USAGE, "%s %s is the port "
				"being read: give %s a file of its own",
				out[i].option, out[i].path, out[i].option);
		if (a->opt.replay_path &&
		    cg_appendfile_same_path(out[i].path, a->opt.replay_path))
			return cg_error_set(err, EX_USAGE, "%s %s is the "
				"recording being replayed: give %s a file of "
				"its own", out[i].option, out[i].path,
				out[i].option);
	}
	return 0;
}

/* Phase: the files the run writes. Returns -1 or an exit code. */
static int open_outputs(struct app *a, struct cg_error *err)
{
	if (check_outputs_apart(a, err) < 0)
		return err->exit_code;
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
	cg_pack_init(&a->pack, &config);
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
	cg_source_close(a->src);
	cg_demo_stop(a->demo_pid);
	if (a->recording && cg_recorder_close(&a->recorder, &err) < 0) {
		say(err.message);
		if (rc == EX_OK)
			rc = err.exit_code;
	}
	if (a->writing_events) {
		struct cg_error eerr;
		if (cg_eventlog_close(&a->eventlog, &eerr) < 0)
			say(eerr.message);
	}
	if (a->logging && cg_csvlog_close(&a->log, &err) < 0 && !a->fatal) {
		say(err.message);
		if (rc == EX_OK)
			rc = err.exit_code;
	}
	if (a->fatal)
		say(a->fatal_error.message);
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

/* Started with stdin, stdout or stderr closed, the next file opened would
 * take its number: the port as fd 0 would be read for keys, a log as fd 2
 * would get our messages. /dev/null holds them first. */
static void keep_standard_fds(void)
{
	for (;;) {
		int fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			return;
		if (fd > STDERR_FILENO) {
			close(fd);
			return;
		}
	}
}

int main(int argc, char **argv)
{
	static struct app app; /* large; keep it off the stack */
	struct app *a = &app;
	struct cg_error err = { 0 };
	sigset_t wait_mask;
	int rc;

	keep_standard_fds();
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
		say(err.message);
	return finish(a, rc);
}
