/*
 * bms: one Chargery's pipeline, from its source to its outputs (bms.h).
 */
#include "bms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "decoder.h"
#include "json.h"
#include "sanitize.h"
#include "say.h"
#include "snapshot.h"

#define PROGRAM CG_PROGRAM

static void rate_tick(struct cg_bms_rate *r, uint64_t total)
{
	r->per_tick[r->head] = total - r->last_total;
	r->head = (r->head + 1) % CG_BMS_FPS_WINDOW_S;
	if (r->filled < CG_BMS_FPS_WINDOW_S)
		r->filled++;
	r->last_total = total;
}

static double rate_per_s(const struct cg_bms_rate *r)
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
static void output_failed(struct cg_bms *b, const struct cg_error *err,
			  bool *active)
{
	struct cg_error ignored;

	if (active == &b->writing_events)
		cg_eventlog_close(&b->eventlog, &ignored);
	else
		cg_recorder_close(&b->recorder, &ignored);
	*active = false;
	cg_sanitize(b->link_detail, sizeof(b->link_detail), err->message);
	if (b->opt->headless) {
		if (!b->stop) {
			b->fatal_error = *err;
			b->stop = err->exit_code ? err->exit_code : EX_IOERR;
		}
		return;
	}
	if (!b->tui)
		cg_say(err->message);
}

/* Appends an event to the list and to the --events file. */
void cg_bms_note_event(struct cg_bms *b, const char *raw)
{
	char text[CG_EVENT_TEXT_MAX];

	/* Events quote ports, paths and libraries' words: shown on the
	 * table and written to --events, they must not carry controls. */
	cg_sanitize(text, sizeof(text), raw);
	cg_events_add(&b->events, b->data_wall_ms, text);
	if (b->keeping_history)
		cg_hist_mark(&b->hist,
			     b->synthetic ? b->synthetic_ms : b->data_wall_ms,
			     cg_hist_mark_kind_of(text), text);
	b->dirty = true;
	if (!b->writing_events)
		return;

	struct cg_error err;
	if (cg_eventlog_write(&b->eventlog, b->data_wall_ms, text, &err) < 0)
		output_failed(b, &err, &b->writing_events);
}

/* Mode and protection changes, alarms raised and cleared, the bell. */
static void note_changes(struct cg_bms *b, const struct cg_record *rec,
			 const struct cg_status *before)
{
	char lines[4][CG_EVENT_TEXT_MAX];
	struct cg_alarm_change changes[2 * CG_MAX_CELLS + 1];
	char text[CG_EVENT_TEXT_MAX];

	if (rec->type == CG_REC_STATUS) {
		size_t n = cg_events_status_changes(before, &rec->u.status,
						    lines, 4);
		for (size_t i = 0; i < n; i++)
			cg_bms_note_event(b, lines[i]);
	}
	size_t n = cg_alarms_update(&b->alarms, &b->opt->alarm, &b->pack,
				    changes, sizeof(changes) / sizeof(changes[0]));
	for (size_t i = 0; i < n; i++) {
		cg_alarm_change_text(&changes[i], text, sizeof(text));
		cg_bms_note_event(b, text);
		if (changes[i].raised && b->opt->bell)
			b->bell_due = true;
	}
	if (b->pack.session_worst_delta_mv > b->worst_delta_seen_mv) {
		b->worst_delta_seen_mv = b->pack.session_worst_delta_mv;
		b->worst_delta_wall_ms = b->data_wall_ms;
	}
}

int cg_bms_stdout_failed(struct cg_bms *b, int e)
{
	if (e == EPIPE)
		return EX_IOERR;
	cg_error_set(&b->fatal_error, EX_IOERR, "cannot write to standard "
		     "output: %s; %s", strerror(e),
		     e == ENOSPC ? "free some space or redirect it to another "
				   "disk" : "check where it is redirected");
	return EX_IOERR;
}

/* Into stdout's buffer: run() flushes it before the loop waits, so a
 * replay writes in big blocks and a live line still leaves this turn. */
static int emit_json(struct cg_bms *b, const struct cg_record *rec)
{
	char line[CG_JSON_LINE_MAX];
	const char *when = cg_clock_iso8601_cached(&b->stamp, b->data_wall_ms);

	size_t n = cg_json_format(line, sizeof(line), rec, when);
	size_t from = 0;
	if (n == 0)
		return -1;
	if (b->labelled) {
		/* One of several packs: which, first ("bms" is a label,
		 * letters, digits, '.', '_' and '-' only). */
		if (fprintf(stdout, "{\"bms\":\"%s\",", b->label) < 0)
			return -1;
		from = 1;
	}
	if (b->time_derived) {
		/* A raw dump's times are derived: say so after "time". */
		size_t head = sizeof("{\"time\":\"\",") - 1 + strlen(when);
		if (fwrite(line + from, 1, head - from, stdout) != head - from ||
		    fputs("\"time_derived\":true,", stdout) == EOF)
			return -1;
		return fwrite(line + head, 1, n - head, stdout) == n - head ? 0 : -1;
	}
	if (fwrite(line + from, 1, n - from, stdout) != n - from)
		return -1;
	return 0;
}

/* One frame from the framer: decoder -> pack (and JSON, the CSV log). */
static int use_frame(struct cg_bms *b, const struct cg_frame *frame,
		     uint64_t data_ms)
{
	struct cg_record rec;
	enum cg_decode_result r = cg_decode(frame, &rec);

	if (r != CG_DECODE_OK) {
		b->implausible++;
		cg_inspect_reject(&b->inspect, r);
		/* Frames that began inside it are scanned for again. */
		cg_framer_reject(&b->framer, frame);
		return 0;
	}
	/* What the frame cannot tell alone (an old 0x56's SOC byte), for
	 * every output alike: the pack, JSON, MQTT, the history. */
	cg_decode_in_context(&rec, b->pack.have[CG_REC_STATUS]
					   ? &b->pack.status : NULL);
	struct cg_status before = b->pack.status;
	bool had_status = b->pack.have[CG_REC_STATUS];
	cg_pack_apply(&b->pack, &rec, data_ms);
	if (b->keeping_history)
		cg_hist_apply(&b->hist, &b->pack, rec.type,
			      b->synthetic ? b->synthetic_ms : b->data_wall_ms);
	cg_inspect_frame(&b->inspect, frame, &rec);
	note_changes(b, &rec, had_status ? &before : NULL);
	if (b->mqtt)
		cg_mqtt_publish_record(b->mqtt, &b->pack, &b->alarms, &rec,
				       frame, b->data_wall_ms, data_ms);
	b->dirty = true;
	if (b->logging && rec.type == CG_REC_CELLS) {
		const char *when = cg_clock_iso8601_cached(&b->stamp,
							   b->data_wall_ms);
		if (cg_csvlog_write(&b->log, &b->pack, when, data_ms,
				    &b->fatal_error) < 0)
			return b->fatal_error.exit_code;
		if (b->log.note[0]) { /* the cell count changed */
			cg_bms_note_event(b, b->log.note);
			b->log.note[0] = '\0';
		}
	}
	if (b->opt->json && !b->opt->once) {
		errno = 0;
		if (emit_json(b, &rec) < 0)
			return cg_bms_stdout_failed(b, errno ? errno : EIO);
	}
	return 0;
}

/* Framer -> decoder -> pack (and JSON, the CSV log). data_ms is the clock
 * the pack ages by: the monotonic time when live, the recorded time during
 * a replay. Returns 0, or an EX_ code that
 * ends the run (stdout gone, the log refused a row). */
static int consume(struct cg_bms *b, const uint8_t *data, size_t len,
		   uint64_t data_ms)
{
	struct cg_frame frame;

	while (cg_framer_next(&b->framer, &data, &len, &frame)) {
		int rc = use_frame(b, &frame, data_ms);
		if (rc)
			return rc;
	}
	return 0;
}

void cg_bms_stop_recording(struct cg_bms *b, const struct cg_error *err)
{
	cg_bms_note_event(b, "recording stopped: write failed");
	output_failed(b, err, &b->recording);
}

/* Bytes from the source: framer and the rest, the doctor, the recorder.
 * Returns 0 or an EX_ code (see consume). */
static int use_chunk(struct cg_bms *b, const struct cg_source_chunk *chunk,
		     uint64_t now)
{
	b->data_wall_ms = chunk->wall_ms;
	b->synthetic = chunk->synthetic_time;
	b->synthetic_ms = chunk->data_ms;
	b->time_derived = chunk->synthetic_time;
	int rc = consume(b, chunk->data, chunk->len, chunk->data_ms);
	cg_doctor_feed(&b->doctor, b->doctoring ? chunk->data : NULL,
		       chunk->len, &b->framer.stats, now);
	if (b->recording) {
		struct cg_error err;
		if (cg_recorder_write(&b->recorder, chunk->data, chunk->len,
				      chunk->wall_ms * 1000u, now, &err) < 0)
			cg_bms_stop_recording(b, &err);
	}
	return rc;
}

/* Pumps the source until it is idle, acting on what it hands out.
 * Returns 0 or an EX_ code that ends the run. */
int cg_bms_pump(struct cg_bms *b, uint64_t now, bool readable)
{
	struct cg_source *src = b->src;
	struct cg_source_chunk chunk;
	char text[CG_EVENT_TEXT_MAX];

	for (;;) {
		switch (cg_source_pump(src, now, readable, &chunk)) {
		case CG_SOURCE_IDLE:
			return 0;
		case CG_SOURCE_DATA: {
			int rc = use_chunk(b, &chunk, now);
			if (rc)
				return rc;
			break;
		}
		case CG_SOURCE_LOST:
			cg_doctor_lost(&b->doctor, now);
			cg_sanitize(b->link_detail, sizeof(b->link_detail),
				    src->text);
			b->data_wall_ms = cg_clock_wall_ms();
			snprintf(text, sizeof(text), "link lost: %.80s", src->text);
			cg_bms_note_event(b, text);
			if (!b->tui)
				cg_sayf("%s: %s; retrying every second",
					src->label, src->text);
			break;
		case CG_SOURCE_BACK:
			cg_doctor_opened(&b->doctor, now);
			b->opened_at_ms = now;
			b->link_detail[0] = '\0';
			b->data_wall_ms = cg_clock_wall_ms();
			cg_bms_note_event(b, "link back: reconnected");
			if (!b->tui)
				cg_sayf("%s: reconnected", src->label);
			break;
		case CG_SOURCE_OPEN_FAILED:
			cg_doctor_open_failed(&b->doctor, src->err.exit_code,
					      src->err.message, now);
			break;
		case CG_SOURCE_NOTE:
			cg_bms_note_event(b, src->text);
			break;
		case CG_SOURCE_END:
			b->ended = true;
			b->dirty = true;
			cg_doctor_ended(&b->doctor);
			if (src->text[0]) {
				cg_sanitize(b->link_detail,
					    sizeof(b->link_detail), src->text);
				cg_bms_note_event(b, src->text);
			}
			break;
		}
	}
}

/* Asks the doctor what is wrong; a change of diagnosis is an event (and a
 * line on stderr when there is no table to show it). */
void cg_bms_consult_doctor(struct cg_bms *b, uint64_t now)
{
	if (!b->doctoring)
		return;

	int baud = cg_doctor_want_baud(&b->doctor, now);
	if (baud && b->src->ops->set_baud) {
		struct cg_error err;
		b->src->ops->set_baud(b->src, baud, &err);
	}
	enum cg_diagnosis d = cg_doctor_diagnose(&b->doctor, now);
	if (d == b->diagnosis)
		return;
	b->diagnosis = d;
	b->dirty = true;
	const char *text = cg_doctor_text(&b->doctor);
	char line[CG_EVENT_TEXT_MAX];
	snprintf(line, sizeof(line), "link: %s", text ? text : "frames arriving");
	b->data_wall_ms = cg_clock_wall_ms();
	cg_bms_note_event(b, line);
	if (!b->tui)
		cg_say(line);
}

int cg_bms_tick(struct cg_bms *b, uint64_t now)
{
	rate_tick(&b->rate, b->framer.stats.frames);
	if (b->recording) {
		struct cg_error err;
		if (cg_recorder_tick(&b->recorder, now, &err) < 0)
			cg_bms_stop_recording(b, &err);
	}
	if (b->writing_events) {
		struct cg_error eerr;
		if (cg_eventlog_sync_due(&b->eventlog, now, &eerr) < 0)
			output_failed(b, &eerr, &b->writing_events);
	}
	if (b->logging &&
	    cg_csvlog_sync_due(&b->log, now, &b->fatal_error) < 0)
		return b->fatal_error.exit_code;
	return 0;
}

double cg_bms_frames_per_s(const struct cg_bms *b)
{
	return rate_per_s(&b->rate);
}

int cg_bms_set_paths(struct cg_bms *b, const struct cg_options *opt,
		     struct cg_error *err)
{
	const struct { const char *option, *pattern; char *out; } f[] = {
		{ "--record", opt->record_path, b->record_path },
		{ "--events", opt->events_path, b->events_path },
		{ "--log", opt->log_path, b->log_path },
		{ "--plot", opt->plot_path, b->plot_path },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		f[i].out[0] = '\0';
		if (f[i].pattern &&
		    cg_packname_expand(f[i].pattern, b->label, f[i].out,
				       PATH_MAX) < 0)
			return cg_error_set(err, EX_USAGE, "%s %.200s: the "
				"file name for %s is too long; use a shorter "
				"name", f[i].option, f[i].pattern, b->label);
	}
	return 0;
}

void cg_bms_init(struct cg_bms *b, bool keep_history, const char *what)
{
	char text[CG_EVENT_TEXT_MAX];
	struct cg_pack_config config = { .cells = (uint8_t)b->opt->cells };

	cg_framer_init(&b->framer);
	cg_alarms_init(&b->alarms);
	cg_events_init(&b->events);
	cg_inspect_init(&b->inspect);
	cg_pack_init(&b->pack, &config);
	/* A history costs a megabyte and a few lookups per value: kept
	 * only where it is drawn. */
	b->keeping_history = keep_history;
	if (keep_history)
		/* The packs live in static storage: all zero, so the
		 * history's pages are only touched as data fills them. */
		cg_hist_init_zeroed(&b->hist);
	/* A replay's events all run on its recorded clock, so the list's
	 * newest-first order is the order of their times. */
	struct cg_source_position pos;
	cg_source_position(b->src, cg_clock_ms(), &pos);
	b->data_wall_ms = pos.replay ? pos.start_us / 1000u : cg_clock_wall_ms();
	snprintf(text, sizeof(text), "opened %.80s", what);
	cg_bms_note_event(b, text);
}

int cg_bms_open_outputs(struct cg_bms *b, struct cg_error *err)
{
	if (b->record_path[0]) {
		if (cg_recorder_open(&b->recorder, b->record_path,
				     b->opened_at_ms, err) < 0)
			return -1;
		b->recording = true;
	}
	if (b->events_path[0]) {
		if (cg_eventlog_open(&b->eventlog, b->events_path, err) < 0)
			return -1;
		b->writing_events = true;
	}
	if (b->log_path[0]) {
		if (cg_csvlog_open(&b->log, b->log_path,
				   (unsigned)b->opt->cells, err) < 0)
			return -1;
		b->logging = true;
	}
	if (b->opt->mqtt_url) {
		/* One of several packs publishes under its own label. */
		struct cg_mqtt_config mc = {
			b->opt->mqtt_url, b->opt->mqtt_cafile,
			b->opt->mqtt_password_file, getenv("CHARGERY_MQTT_PASSWORD"),
			b->labelled ? b->label : b->opt->name,
			cg_source_port_usb_serial(b->src),
			b->opt->mqtt_discovery_prefix, b->opt->no_discovery,
			CG_PROGRAM " " CG_VERSION,
		};
		if (!(b->mqtt = cg_mqtt_open(&mc, cg_clock_ms(), err)))
			return -1;
	}
	return 0;
}

unsigned cg_bms_say_variants(const struct cg_bms *b, FILE *to,
			     const char *prefix)
{
	char line[CG_DOCTOR_TEXT_MAX];
	unsigned n = 0;

	for (unsigned i = 0; i < CG_FRAMER_VARIANTS; i++)
		if (cg_framer_variant_text(&b->framer.stats, i, line,
					   sizeof(line))) {
			fprintf(to, "%s%s%s%s\n", prefix,
				b->labelled ? b->label : "",
				b->labelled ? ": " : "", line);
			n++;
		}
	return n;
}

/* out, n bytes, on stdout; with a label, each line of a CSV starts with
 * it (a "bms" column) and a JSON object with "bms". */
static int put_labelled(const struct cg_bms *b, const char *out, size_t n)
{
	if (!b->labelled)
		return fwrite(out, 1, n, stdout) == n ? 0 : -1;
	if (b->opt->json)
		return fprintf(stdout, "{\"bms\":\"%s\",%.*s", b->label,
			       (int)(n - 1), out + 1) < 0 ? -1 : 0;
	if (b->opt->csv) {
		const char *nl = memchr(out, '\n', n);
		size_t head = nl ? (size_t)(nl - out) + 1 : n;
		return fprintf(stdout, "bms,%.*s%s,%.*s", (int)head, out,
			       b->label, (int)(n - head), out + head) < 0
			       ? -1 : 0;
	}
	return fprintf(stdout, "BMS      %s\n%.*s\n", b->label, (int)n,
		       out) < 0 ? -1 : 0;
}

int cg_bms_print_once(struct cg_bms *b)
{
	static char out[CG_SNAPSHOT_MAX];
	char when[CG_ISO_TIME_MAX];
	struct cg_source_position pos;
	const struct cg_options *o = b->opt;
	cg_source_position(b->src, cg_clock_ms(), &pos);
	uint64_t data_now = pos.replay ? pos.now_us / 1000u : cg_clock_ms();

	if (!b->pack.have[CG_REC_CELLS] && !b->pack.have[CG_REC_STATUS]) {
		/* Never "no frames" while good frames arrive. */
		if (!cg_bms_say_variants(b, stderr, PROGRAM ": "))
			cg_sayf("no frames from %s within %d s",
				b->src->label, o->timeout_s);
		return CG_SNAPSHOT_NODATA;
	}
	cg_clock_format_iso8601(b->data_wall_ms, when);
	size_t n = o->json
		? cg_snapshot_json(out, sizeof(out), &b->pack, &b->alarms, when, data_now)
		: o->csv
		? cg_snapshot_csv(out, sizeof(out), &b->pack, when, data_now)
		: cg_snapshot_text(out, sizeof(out), &b->pack, &b->alarms, when, data_now);
	if (n == 0)
		return EX_SOFTWARE;
	errno = 0;
	if (put_labelled(b, out, n) < 0)
		return cg_bms_stdout_failed(b, errno ? errno : EIO);
	if (o->json || o->csv) {
		cg_bms_say_variants(b, stderr, PROGRAM ": ");
		if (cg_pack_cells_beyond_unit(&b->pack))
			cg_sayf("--cells %u, but this unit sends %u channels",
				b->pack.config.cells,
				cg_pack_cells_beyond_unit(&b->pack));
	} else {
		cg_bms_say_variants(b, stdout, "Unknown  ");
	}
	errno = 0;
	if (fflush(stdout) != 0)
		return cg_bms_stdout_failed(b, errno ? errno : EIO);
	return cg_snapshot_status(&b->pack, &b->alarms, data_now);
}
