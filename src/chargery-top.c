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
#include "app.h"
#include "appendfile.h"
#include "bank.h"
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
#include "mqttwatch.h"
#include "options.h"
#include "pack.h"
#include "packname.h"
#include "plotfile.h"
#include "portpick.h"
#include "quitsig.h"
#include "record.h"
#include "say.h"
#include "snapshot.h"
#include "source.h"
#include "tui.h"

#define PROGRAM CG_PROGRAM
#define TICK_MS 1000
#define REDRAW_MIN_MS 100   /* coalesce bursts of frames into one redraw */



static volatile sig_atomic_t quit_signal;

static void on_quit_signal(int sig)
{
	quit_signal = sig;
}

/* --once on live ports answers as soon as each has cells and
 * measurements; files are read to the end for the newest picture. */
static bool once_ready(const struct app *a)
{
	bool waiting = false;

	for (int i = 0; i < a->n; i++) {
		const struct cg_bms *b = &a->bms[i];
		if (b->ended)
			continue;
		waiting = true;
		if (!b->src->live || !b->pack.have[CG_REC_CELLS] ||
		    !b->pack.have[CG_REC_STATUS])
			return false;
	}
	return waiting; /* all ended: end_of_input() answers */
}

/* Prints the --once picture of every pack. Returns the worst status: 0
 * fresh and within limits, 1 no or stale data, 2 an alarm (as
 * cg_snapshot_status says), or an exit code when printing failed. */
static int print_once(struct app *a)
{
	int worst = CG_SNAPSHOT_OK;

	for (int i = 0; i < a->n; i++) {
		struct cg_bms *b = &a->bms[i];
		int rc = b->ended && b->src->end_empty ? CG_SNAPSHOT_NODATA
						       : cg_bms_print_once(b);
		if (rc > CG_SNAPSHOT_ALARM)
			return rc;
		if (rc > worst)
			worst = rc;
	}
	return worst;
}

static bool all_ended(const struct app *a)
{
	if (a->nwatch) /* PREFIX/+: more packs may come */
		return false;
	for (int i = 0; i < a->n; i++)
		if (!a->bms[i].ended)
			return false;
	return true;
}

/* The inputs ended without the table: says why on stderr, answers
 * --once, and exits 65 after what was readable when an input was
 * damaged. */
static int end_of_input(struct app *a)
{
	int rc = EX_OK;

	for (int i = 0; i < a->n; i++) {
		const struct cg_source *src = a->bms[i].src;
		if (src->text[0] && a->n > 1)
			cg_sayf("%s: %s", a->bms[i].label, src->text);
		else if (src->text[0])
			cg_say(src->text);
	}
	if (a->opt.once)
		rc = print_once(a);
	for (int i = 0; i < a->n; i++)
		if (a->bms[i].src->end_code && rc != EX_IOERR)
			return a->bms[i].src->end_code;
	return rc;
}

/* The first pack that asks the run to end (an output failed), or 0. */
static int packs_stop(const struct app *a)
{
	for (int i = 0; i < a->n; i++)
		if (a->bms[i].stop)
			return a->bms[i].stop;
	return 0;
}

/* The one loop: every pack's source, the keys and the 1 s tick in one
 * ppoll(). Returns an exit code. */
static int run(struct app *a, const sigset_t *wait_mask)
{
	uint64_t next_tick = cg_clock_ms() + TICK_MS;

	for (;;) {
		uint64_t now = cg_clock_ms();
		struct pollfd fds[3 * CG_MAX_SOURCES + 1];
		nfds_t nfds = 0;
		int link_slot[CG_MAX_SOURCES], mqtt_slot[CG_MAX_SOURCES];
		int key_slot = -1, rc;
		bool any_live = false, all_live = true, dirty = a->dirty;

		for (int i = 0; i < a->n; i++) {
			int fd = cg_source_poll_fd(a->bms[i].src);
			link_slot[i] = -1;
			if (fd >= 0) {
				link_slot[i] = (int)nfds;
				fds[nfds++] = (struct pollfd){ .fd = fd, .events = POLLIN };
			}
			any_live |= a->bms[i].src->live;
			all_live &= a->bms[i].src->live;
			dirty |= a->bms[i].dirty;
		}
		if (a->tui) {
			key_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ .fd = a->key_fd, .events = POLLIN };
		}
		/* Each pack's broker connection, where it publishes. */
		for (int i = 0; i < a->n; i++) {
			short events = 0;
			int fd = cg_mqtt_poll_fd(a->bms[i].mqtt, &events);
			mqtt_slot[i] = -1;
			if (fd >= 0) {
				mqtt_slot[i] = (int)nfds;
				fds[nfds++] = (struct pollfd){ .fd = fd, .events = events };
			}
		}
		/* The brokers that announce packs (PREFIX/+). */
		int watch_slot[CG_MAX_SOURCES];
		for (int i = 0; i < a->nwatch; i++) {
			int fd = cg_mqttwatch_fd(a->watch[i]);
			watch_slot[i] = -1;
			if (fd >= 0) {
				watch_slot[i] = (int)nfds;
				fds[nfds++] = (struct pollfd){ .fd = fd, .events = POLLIN };
			}
		}
		/* --json lines of the last turn go out before the loop waits
		 * (or ends): one write(2) per turn, not per line. */
		if (a->opt.json) {
			errno = 0;
			if (fflush(stdout) != 0 || ferror(stdout))
				return cg_bms_stdout_failed(&a->bms[0],
							    errno ? errno : EIO);
		}
		/* So do the --log rows, whole, in one write per pack. */
		for (int i = 0; i < a->n; i++)
			if (a->bms[i].logging &&
			    cg_csvlog_flush(&a->bms[i].log,
					    &a->bms[i].fatal_error) < 0)
				return a->bms[i].fatal_error.exit_code;
		if ((rc = packs_stop(a)) != 0)
			return rc;
		if (!a->tui && all_ended(a)) {
			/* --json on captures: done at EOF */
			if (!a->opt.once)
				for (int i = 0; i < a->n; i++)
					cg_bms_say_variants(&a->bms[i], stderr,
							    PROGRAM ": ");
			return end_of_input(a);
		}
		/* Files are read to the end however long it takes. */
		bool once_timed = a->opt.once && any_live;
		if (once_timed && now >= a->once_deadline_ms)
			return print_once(a);

		uint64_t wake = next_tick;
		if (once_timed && a->once_deadline_ms < wake)
			wake = a->once_deadline_ms;
		/* A redraw put off to coalesce frames gets a wakeup of its
		 * own; with several live packs, whose frames arrive all
		 * through the second, it waits for the next one's bytes or
		 * the tick instead (a key redraws at once: drawn_at_ms 0). */
		if (a->tui && dirty && (a->n == 1 || !all_live || a->drawn_at_ms == 0)) {
			uint64_t at = a->drawn_at_ms + REDRAW_MIN_MS;
			if (at < wake)
				wake = at;
		}
		for (int i = 0; i < a->n; i++) {
			uint64_t due = cg_source_due_ms(a->bms[i].src, now);
			if (due < wake)
				wake = due;
			if (a->bms[i].mqtt &&
			    cg_mqtt_due_ms(a->bms[i].mqtt, now) < wake)
				wake = cg_mqtt_due_ms(a->bms[i].mqtt, now);
		}
		for (int i = 0; i < a->nwatch; i++)
			if (cg_mqttwatch_due_ms(a->watch[i], now) < wake)
				wake = cg_mqttwatch_due_ms(a->watch[i], now);
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
		int pending = cg_quitsig_pending();
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

		/* Each pack on its own: one that is lost or silent only
		 * waits for its own reconnect. */
		for (int i = 0; i < a->n; i++) {
			rc = cg_bms_pump(&a->bms[i], now, ready > 0 &&
					 link_slot[i] >= 0 &&
					 fds[link_slot[i]].revents);
			if (rc)
				return rc;
		}
		for (int i = 0; i < a->nwatch; i++)
			if ((rc = cg_app_watch(a, i, now, ready > 0 &&
					      watch_slot[i] >= 0 &&
					      fds[watch_slot[i]].revents)) != 0)
				return rc;
		if (a->opt.once && once_ready(a))
			return print_once(a);
		/* A resize arrives as SIGWINCH (EINTR) and waits in getch(). */
		if (a->tui && (ready < 0 || (ready > 0 && fds[key_slot].revents))) {
			if (cg_app_handle_keys(a))
				return EX_OK;
		}
		if (now >= next_tick) {
			next_tick += TICK_MS;
			if (next_tick <= now)
				next_tick = now + TICK_MS;
			a->dirty = true; /* ages move on */
			for (int i = 0; i < a->n; i++)
				if ((rc = cg_bms_tick(&a->bms[i], now)) != 0)
					return rc;
		}
		if ((rc = packs_stop(a)) != 0)
			return rc;
		dirty = a->dirty;
		for (int i = 0; i < a->n; i++) {
			struct cg_bms *b = &a->bms[i];
			cg_bms_consult_doctor(b, now);
			if (b->mqtt) {
				char note[CG_MQTT_NOTE_MAX];
				cg_mqtt_io(b->mqtt, ready > 0 && mqtt_slot[i] >= 0 ?
					   fds[mqtt_slot[i]].revents : 0, now);
				cg_mqtt_tick(b->mqtt,
					     cg_doctor_link_state(&b->doctor, now), now);
				while (cg_mqtt_note(b->mqtt, note, sizeof(note))) {
					b->data_wall_ms = cg_clock_wall_ms();
					cg_bms_note_event(b, note);
				}
			}
			dirty |= b->dirty;
		}
		if (a->tui && dirty && now >= a->drawn_at_ms + REDRAW_MIN_MS)
			cg_app_draw(a, now);
	}
}

static void install_signals(sigset_t *wait_mask)
{
	cg_quitsig_install(on_quit_signal);
	signal(SIGPIPE, SIG_IGN);
	/* Delivered only inside ppoll(): one place to notice them. */
	cg_quitsig_block(wait_mask);
}

/* Phase: the sources. The demo's simulator, the port the user named (or
 * the one chosen for them), the replays, or several of them (bank.h).
 * Returns -1 or an exit code. */
static int open_sources(struct app *a, const sigset_t *wait_mask,
			struct cg_error *err)
{
	static char port[PATH_MAX];
	static struct cg_source_arg one;
	const struct cg_source_arg *args = a->opt.sources;
	int n = a->opt.nsources, rc;

	if (a->opt.demo) {
		a->demo_pid = cg_demo_start(port, sizeof(port), err);
		if (a->demo_pid < 0)
			return err->exit_code;
	} else if (n == 0) {
		if ((rc = cg_portpick_choose(port, sizeof(port), a->opt.baud)) >= 0)
			return rc;
	}
	if (n == 0) {
		a->opt.port = one.path = port;
		args = &one;
		n = 1;
	}
	/* PREFIX/+ on a broker is no pack itself but a watch that opens
	 * one per BMS announced (app_grow.c). */
	static struct cg_source_arg packs[CG_MAX_SOURCES];
	int np = 0;
	if (cg_app_open_watches(a, args, n, packs, &np, err) < 0 ||
	    cg_bank_open(a->bms, &a->n, packs, np, &a->opt, cg_clock_ms(),
			 err) < 0 ||
	    cg_app_gather(a, wait_mask, err) < 0)
		return err->exit_code;
	return -1;
}

/* Phase: the files the run writes. Returns -1 or an exit code. */
static int open_outputs(struct app *a, struct cg_error *err)
{
	if (cg_bank_check_outputs(a->bms, a->n, a->opt.demo, err) < 0)
		return err->exit_code;
	for (int i = 0; i < a->n; i++)
		if (cg_bms_open_outputs(&a->bms[i], err) < 0)
			return err->exit_code;
	return -1;
}

/* Phase: the pipelines' state, empty. */
static void init_state(struct app *a)
{
	bool keep = cg_app_keep_history(a);

	for (int i = 0; i < a->n; i++)
		cg_bms_init(&a->bms[i], keep, a->opt.demo ?
			    "the demo simulator" : a->bms[i].path);
	a->plotting = a->opt.plot_path != NULL;
	a->once_deadline_ms = a->bms[0].opened_at_ms +
			      (uint64_t)a->opt.timeout_s * 1000u;
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
	if (!cg_options_table(&a->opt)) {
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
	cg_tui_set_packs(a->n);
	a->tui = true;
	for (int i = 0; i < a->n; i++)
		a->bms[i].tui = true;
	a->dirty = true;
	return -1;
}

/* --plot: the history of a pack's run as a picture. */
static int write_plot(struct app *a, struct cg_bms *b, struct cg_error *err)
{
	struct cg_plot_meta meta = {
		.source = b->replay ? b->path : b->src->label,
		.firmware = cg_inspect_firmware(&b->inspect),
		.cells = b->pack.wired,
	};
	uint64_t from, to;

	if (cg_plot_window(&b->hist, &a->opt.plot_from, &a->opt.plot_to,
			   &from, &to, err) < 0)
		return -1;
	return cg_plotfile_write(b->plot_path, &b->hist, &meta, from, to, err);
}

/* The pack whose file ended the run, or NULL. */
static const struct cg_bms *fatal_pack(const struct app *a)
{
	for (int i = 0; i < a->n; i++)
		if (a->bms[i].fatal_error.message[0])
			return &a->bms[i];
	return NULL;
}

/* The one cleanup path, for every phase that was reached: gives the
 * terminal back, closes the sources, syncs and closes the files. Returns
 * the exit code, which a failing close may change from EX_OK. */
static int finish(struct app *a, int rc)
{
	struct cg_error err;
	const struct cg_bms *why = fatal_pack(a);

	if (rc != EX_OK && why && rc < 128)
		a->fatal = rc;
	if (a->tui)
		cg_tui_stop();
	for (int i = 0; a->plotting && i < a->n; i++)
		if (write_plot(a, &a->bms[i], &err) < 0) {
			cg_say(err.message);
			if (rc == EX_OK)
				rc = err.exit_code;
		}
	for (int i = 0; i < a->n; i++) {
		cg_mqtt_close(a->bms[i].mqtt);
		cg_source_close(a->bms[i].src);
	}
	for (int i = 0; i < a->nwatch; i++)
		cg_mqttwatch_close(a->watch[i]);
	cg_demo_stop(a->demo_pid);
	for (int i = 0; i < a->n; i++) {
		struct cg_bms *b = &a->bms[i];
		if (b->recording && cg_recorder_close(&b->recorder, &err) < 0) {
			cg_say(err.message);
			if (rc == EX_OK)
				rc = err.exit_code;
		}
		if (b->writing_events) {
			struct cg_error eerr;
			if (cg_eventlog_close(&b->eventlog, &eerr) < 0)
				cg_say(eerr.message);
		}
		if (b->logging && cg_csvlog_close(&b->log, &err) < 0 &&
		    !a->fatal) {
			cg_say(err.message);
			if (rc == EX_OK)
				rc = err.exit_code;
		}
	}
	if (a->fatal)
		cg_say(why->fatal_error.message);
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
	if (a->opt.list && a->opt.nsources)
		return cg_portpick_list_mqtt(a->opt.sources[0].path,
					     a->opt.mqtt_cafile);
	if (a->opt.list)
		return cg_portpick_list(a->opt.baud);
	install_signals(&wait_mask);

	if ((rc = open_sources(a, &wait_mask, &err)) < 0 &&
	    (rc = open_outputs(a, &err)) < 0) {
		init_state(a);
		if ((rc = start_view(a, &err)) < 0)
			rc = run(a, &wait_mask);
	}
	/* A quit signal seen in a wait before the loop (gathering a
	 * broker's packs) ends the run as it would in the loop. */
	if (quit_signal && rc < 128)
		rc = 128 + quit_signal;
	if (rc >= 0 && rc != EX_OK && rc < 128 && err.message[0] &&
	    !fatal_pack(a))
		cg_say(err.message);
	return finish(a, rc);
}
