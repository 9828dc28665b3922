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
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "alarm.h"
#include "appendfile.h"
#include "bms.h"
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
#include "say.h"
#include "snapshot.h"
#include "source.h"
#include "tui.h"

#define PROGRAM CG_PROGRAM
#define TICK_MS 1000
#define REDRAW_MIN_MS 100   /* coalesce bursts of frames into one redraw */


struct app {
	struct cg_options opt;
	struct cg_bms bms; /* the one pack: source, pipeline, outputs */
	bool plotting;     /* --plot, and the run started */

	bool tui;
	int key_fd;
	bool paused;
	struct cg_pack frozen;  /* what the paused table shows */
	uint64_t paused_at_ms;
	bool dirty;
	uint64_t drawn_at_ms;
	pid_t demo_pid;

	struct cg_replay_view replay_view;
	uint64_t once_deadline_ms;
	int fatal;            /* an EX_ code that ends the run, 0 = none */
};

static volatile sig_atomic_t quit_signal;

static void on_quit_signal(int sig)
{
	quit_signal = sig;
}












static void draw(struct app *a, uint64_t now)
{
	struct cg_view v = {
		.pack = a->paused ? &a->frozen : &a->bms.pack,
		.framer = &a->bms.framer.stats,
		.implausible = a->bms.implausible,
		.port = a->bms.src->label,
		.baud = a->bms.src->baud, /* after a baud hunt, the speed found */
		.link = cg_doctor_link_state(&a->bms.doctor, now),
		.link_detail = a->bms.link_detail[0] ? a->bms.link_detail : NULL,
		.diagnosis = a->bms.doctoring ? cg_doctor_text(&a->bms.doctor) : NULL,
		.frames_per_s = cg_bms_frames_per_s(&a->bms),
		.paused = a->paused,
		.alarms = &a->bms.alarms,
		.events = &a->bms.events,
		.inspect = &a->bms.inspect,
		.worst_delta_wall_ms = a->bms.worst_delta_wall_ms,
		.hist = &a->bms.hist,
		/* Paused ages stay as they were when p was pressed. */
		.now_ms = a->paused ? a->paused_at_ms : now,
		/* What is written, and a write that stopped on an error. */
		.record = { a->opt.record_path,
			    a->bms.recording ? a->bms.recorder.file.size : 0,
			    a->opt.record_path && !a->bms.recording },
		/* The rows of this turn count before their write. */
		.csv_log = { a->opt.log_path, a->bms.logging ?
			     a->bms.log.file.size + a->bms.log.used : 0,
			     a->opt.log_path && !a->bms.logging },
		.event_log = { a->opt.events_path, 0,
			       a->opt.events_path && !a->bms.writing_events },
	};

	struct cg_source_position pos;
	cg_source_position(a->bms.src, now, &pos);
	if (pos.replay) {
		a->replay_view = (struct cg_replay_view){
			.speed = pos.speed,
			.paused = pos.paused,
			.position_s = pos.position_s,
			.length_s = pos.length_s,
			.timestamped = pos.timestamped,
			.ended = a->bms.ended,
			.path = a->opt.replay_path,
		};
		v.replay = &a->replay_view;
		/* Ages in a replay run on the recorded clock. */
		v.now_ms = pos.now_us / 1000u;
	}

	cg_tui_draw(&v);
	if (a->bms.bell_due) {
		cg_tui_bell();
		a->bms.bell_due = false;
	}
	a->dirty = false;
	a->bms.dirty = false;
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
			if (a->bms.src->ops->pause) { /* pause the replay, not the view */
				a->bms.src->ops->pause(a->bms.src, cg_clock_ms());
				break;
			}
			a->paused = !a->paused;
			a->frozen = a->bms.pack;
			a->paused_at_ms = cg_clock_ms();
			break;
		case CG_KEY_RESET:
			cg_pack_reset_session(&a->bms.pack);
			a->bms.worst_delta_seen_mv = 0;
			a->bms.worst_delta_wall_ms = 0;
			break;
		case CG_KEY_FASTER:
		case CG_KEY_SLOWER:
			if (a->bms.src->ops->speed_step)
				a->bms.src->ops->speed_step(a->bms.src,
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
	return a->bms.src->live && a->bms.pack.have[CG_REC_CELLS] &&
	       a->bms.pack.have[CG_REC_STATUS];
}

/* Good frames of a length this version cannot read, one line each, with
 * prefix before each (the framer counts them). Returns how many. */
static unsigned say_variants(const struct app *a, FILE *to,
			     const char *prefix)
{
	char line[CG_DOCTOR_TEXT_MAX];
	unsigned n = 0;

	for (unsigned i = 0; i < CG_FRAMER_VARIANTS; i++)
		if (cg_framer_variant_text(&a->bms.framer.stats, i, line,
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
	cg_source_position(a->bms.src, cg_clock_ms(), &pos);
	uint64_t data_now = pos.replay ? pos.now_us / 1000u : cg_clock_ms();

	if (!a->bms.pack.have[CG_REC_CELLS] && !a->bms.pack.have[CG_REC_STATUS]) {
		/* Never "no frames" while good frames arrive. */
		if (!say_variants(a, stderr, PROGRAM ": "))
			cg_sayf("no frames from %s within %d s",
				a->bms.src->label, a->opt.timeout_s);
		return CG_SNAPSHOT_NODATA;
	}
	cg_clock_format_iso8601(a->bms.data_wall_ms, when);
	size_t n = a->opt.json
		? cg_snapshot_json(out, sizeof(out), &a->bms.pack, &a->bms.alarms, when, data_now)
		: a->opt.csv
		? cg_snapshot_csv(out, sizeof(out), &a->bms.pack, when, data_now)
		: cg_snapshot_text(out, sizeof(out), &a->bms.pack, &a->bms.alarms, when, data_now);
	if (n == 0)
		return EX_SOFTWARE;
	errno = 0;
	if (fwrite(out, 1, n, stdout) != n)
		return cg_bms_stdout_failed(&a->bms, errno ? errno : EIO);
	if (a->opt.json || a->opt.csv) {
		say_variants(a, stderr, PROGRAM ": ");
		if (cg_pack_cells_beyond_unit(&a->bms.pack))
			cg_sayf("--cells %u, but this unit sends %u channels",
				a->bms.pack.config.cells,
				cg_pack_cells_beyond_unit(&a->bms.pack));
	}
	else
		say_variants(a, stdout, "Unknown  ");
	errno = 0;
	if (fflush(stdout) != 0)
		return cg_bms_stdout_failed(&a->bms, errno ? errno : EIO);
	return cg_snapshot_status(&a->bms.pack, &a->bms.alarms, data_now);
}

/* The input ended without the table: says why on stderr, answers --once,
 * and exits 65 after what was readable when the input was damaged. */
static int end_of_input(struct app *a)
{
	int rc = EX_OK;

	if (a->bms.src->text[0])
		cg_say(a->bms.src->text);
	if (a->opt.once)
		rc = a->bms.src->end_empty ? CG_SNAPSHOT_NODATA : print_once(a);
	if (a->bms.src->end_code && rc != EX_IOERR)
		return a->bms.src->end_code;
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
		int mqtt_fd = cg_mqtt_poll_fd(a->bms.mqtt, &mqtt_events);
		int src_fd = cg_source_poll_fd(a->bms.src);

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
		if (a->opt.json) {
			errno = 0;
			if (fflush(stdout) != 0 || ferror(stdout))
				return cg_bms_stdout_failed(&a->bms,
							    errno ? errno : EIO);
		}
		/* So do the --log rows, whole, in one write. */
		if (a->bms.logging &&
		    cg_csvlog_flush(&a->bms.log, &a->bms.fatal_error) < 0)
			return a->bms.fatal_error.exit_code;
		if (a->bms.stop)
			return a->bms.stop;
		if (!a->tui && a->bms.ended) {
			/* --json on a capture: done at EOF */
			if (!a->opt.once)
				say_variants(a, stderr, PROGRAM ": ");
			return end_of_input(a);
		}
		/* Files are read to the end however long it takes. */
		bool once_timed = a->opt.once && a->bms.src->live;
		if (once_timed && now >= a->once_deadline_ms)
			return print_once(a);

		uint64_t wake = next_tick;
		if (once_timed && a->once_deadline_ms < wake)
			wake = a->once_deadline_ms;
		bool redraw_pending = a->tui && (a->dirty || a->bms.dirty);
		if (redraw_pending) {
			uint64_t at = a->drawn_at_ms + REDRAW_MIN_MS;
			if (at < wake)
				wake = at;
		}
		uint64_t due = cg_source_due_ms(a->bms.src, now);
		if (due < wake)
			wake = due;
		if (a->bms.mqtt && cg_mqtt_due_ms(a->bms.mqtt, now) < wake)
			wake = cg_mqtt_due_ms(a->bms.mqtt, now);
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
			cg_sayf("poll: %s", strerror(errno));
			return EX_OSERR;
		}
		now = cg_clock_ms();

		int rc = cg_bms_pump(&a->bms, now, ready > 0 && link_slot >= 0 &&
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
			next_tick += TICK_MS;
			if (next_tick <= now)
				next_tick = now + TICK_MS;
			a->dirty = true; /* ages move on */
			if ((rc = cg_bms_tick(&a->bms, now)) != 0)
				return rc;
		}
		if (a->bms.stop)
			return a->bms.stop;
		cg_bms_consult_doctor(&a->bms, now);
		if (a->bms.mqtt) {
			char note[CG_MQTT_NOTE_MAX];
			cg_mqtt_io(a->bms.mqtt, ready > 0 && mqtt_slot >= 0 ?
				   fds[mqtt_slot].revents : 0, now);
			cg_mqtt_tick(a->bms.mqtt,
				     cg_doctor_link_state(&a->bms.doctor, now), now);
			while (cg_mqtt_note(a->bms.mqtt, note, sizeof(note))) {
				a->bms.data_wall_ms = cg_clock_wall_ms();
				cg_bms_note_event(&a->bms, note);
			}
		}
		if (a->tui && (a->dirty || a->bms.dirty) &&
		    now >= a->drawn_at_ms + REDRAW_MIN_MS)
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
		a->bms.src = cg_source_replay_open(a->opt.replay_path,
			!((a->opt.json || a->opt.once || a->opt.headless) &&
			  !a->opt.speed),
			a->opt.speed, now, err);
	else
		a->bms.src = cg_source_open(a->opt.port, a->opt.baud,
			a->opt.demo ? "demo (simulator)" : NULL, now, err);
	if (!a->bms.src)
		return err->exit_code;
	if (a->opt.start_us)
		cg_source_replay_start_at(a->bms.src, a->opt.start_us, now);
	a->bms.opened_at_ms = now;
	/* Every source has a doctor for its link state; only a live one
	 * gets its diagnosis shown. */
	a->bms.doctoring = a->bms.src->live;
	cg_doctor_init(&a->bms.doctor, a->opt.replay_path ? a->opt.replay_path
						      : a->opt.port,
		       a->opt.baud, a->bms.src->can_hunt);
	if (a->bms.src->network)
		cg_doctor_network(&a->bms.doctor);
	cg_doctor_opened(&a->bms.doctor, now);
	a->bms.diagnosis = cg_doctor_diagnose(&a->bms.doctor, now);
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
		if (cg_recorder_open(&a->bms.recorder, a->opt.record_path,
				     a->bms.opened_at_ms, err) < 0)
			return err->exit_code;
		a->bms.recording = true;
	}
	if (a->opt.events_path) {
		if (cg_eventlog_open(&a->bms.eventlog, a->opt.events_path, err) < 0)
			return err->exit_code;
		a->bms.writing_events = true;
	}
	if (a->opt.log_path) {
		if (cg_csvlog_open(&a->bms.log, a->opt.log_path,
				   (unsigned)a->opt.cells, err) < 0)
			return err->exit_code;
		a->bms.logging = true;
	}
	if (a->opt.mqtt_url) {
		struct cg_mqtt_config mc = {
			a->opt.mqtt_url, a->opt.mqtt_cafile,
			a->opt.mqtt_password_file, getenv("CHARGERY_MQTT_PASSWORD"),
			a->opt.name, cg_source_port_usb_serial(a->bms.src),
			a->opt.mqtt_discovery_prefix, a->opt.no_discovery,
			PROGRAM " " CG_VERSION,
		};
		if (!(a->bms.mqtt = cg_mqtt_open(&mc, cg_clock_ms(), err)))
			return err->exit_code;
	}
	return -1;
}

/* Phase: the pipeline's state, empty. */
static void init_state(struct app *a)
{
	char text[CG_EVENT_TEXT_MAX];
	struct cg_pack_config config = { .cells = (uint8_t)a->opt.cells };

	cg_framer_init(&a->bms.framer);
	cg_alarms_init(&a->bms.alarms);
	cg_events_init(&a->bms.events);
	cg_inspect_init(&a->bms.inspect);
	cg_pack_init(&a->bms.pack, &config);
	cg_hist_init(&a->bms.hist);
	/* A history costs a few lookups per value: kept only where it is
	 * drawn (--plot now, the table's history view later). */
	a->bms.keeping_history = a->opt.plot_path ||
			     !(a->opt.json || a->opt.once || a->opt.headless);
	a->plotting = a->opt.plot_path != NULL;
	a->bms.data_wall_ms = cg_clock_wall_ms();
	snprintf(text, sizeof(text), "opened %.80s",
		 a->opt.demo ? "the demo simulator" :
		 a->opt.replay_path ? a->opt.replay_path : a->opt.port);
	cg_bms_note_event(&a->bms, text);
	a->once_deadline_ms = a->bms.opened_at_ms + (uint64_t)a->opt.timeout_s * 1000u;
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
	a->bms.tui = true;
	a->dirty = true;
	return -1;
}

/* --plot: the history of the run as a picture. */
static int write_plot(struct app *a, struct cg_error *err)
{
	struct cg_plot_meta meta = {
		.source = a->opt.replay_path ? a->opt.replay_path : a->bms.src->label,
		.firmware = cg_inspect_firmware(&a->bms.inspect),
		.cells = a->bms.pack.wired,
	};
	uint64_t from, to;

	if (cg_plot_window(&a->bms.hist, &a->opt.plot_from, &a->opt.plot_to,
			   &from, &to, err) < 0)
		return -1;
	return cg_plotfile_write(a->opt.plot_path, &a->bms.hist, &meta, from, to,
				 err);
}

/* The one cleanup path, for every phase that was reached: gives the
 * terminal back, closes the source, syncs and closes the files. Returns
 * the exit code, which a failing close may change from EX_OK. */
static int finish(struct app *a, int rc)
{
	struct cg_error err;

	if (rc != EX_OK && a->bms.fatal_error.message[0] && rc < 128)
		a->fatal = rc;
	if (a->tui)
		cg_tui_stop();
	if (a->plotting && write_plot(a, &err) < 0) {
		cg_say(err.message);
		if (rc == EX_OK)
			rc = err.exit_code;
	}
	cg_mqtt_close(a->bms.mqtt);
	cg_source_close(a->bms.src);
	cg_demo_stop(a->demo_pid);
	if (a->bms.recording && cg_recorder_close(&a->bms.recorder, &err) < 0) {
		cg_say(err.message);
		if (rc == EX_OK)
			rc = err.exit_code;
	}
	if (a->bms.writing_events) {
		struct cg_error eerr;
		if (cg_eventlog_close(&a->bms.eventlog, &eerr) < 0)
			cg_say(eerr.message);
	}
	if (a->bms.logging && cg_csvlog_close(&a->bms.log, &err) < 0 && !a->fatal) {
		cg_say(err.message);
		if (rc == EX_OK)
			rc = err.exit_code;
	}
	if (a->fatal)
		cg_say(a->bms.fatal_error.message);
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
	a->bms.opt = &a->opt;
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
	    !a->bms.fatal_error.message[0])
		cg_say(err.message);
	return finish(a, rc);
}
