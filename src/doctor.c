/*
 * doctor: a few hypotheses about a link that does not deliver frames, each
 * tested on the bytes themselves rather than guessed from a timeout alone.
 *
 *  - silence: no byte for CG_DOCTOR_SILENT_MS. A BMS sends every second,
 *    so three seconds of nothing is a wire, a pin or a BMS that is off.
 *  - inverted: a second framer gets the complement of every byte. A TTL
 *    adapter on the BMS's RS232-level port sees the bits upside down; if
 *    the complement makes frames while the real stream does not, say so.
 *  - wrong baud: at the wrong rate a UART still hands out bytes, just never
 *    a frame. On a real tty the doctor asks the main loop to listen at the
 *    other common rates in turn and keeps the first one that gives frames.
 *  - checksum failures: frames that are framed right but fail their sum
 *    point at noise on the line: grounding, a long wire, no isolation.
 *  - XON/XOFF upstream: when the failures are mostly frames exactly one
 *    byte short that a 0x11 or 0x13 put back would make check, a bridge
 *    with software flow control on is eating those bytes.
 */
#include "doctor.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

/* Most likely first: half and quarter speed are what a mis-set unit or
 * adapter usually ends up at; 230400 last as nobody picks it by mistake. */
static const int hunt_rates[CG_DOCTOR_RATES] = {
	115200, 57600, 38400, 19200, 9600, 230400,
};

#define UNSYNCED_BYTES_MIN 8   /* fewer is a stray glitch, not a stream */
/* Failures in the window to raise the checksum diagnosis, and to keep it:
 * at 30 % damage a 10 s window sometimes holds only two, and a status line
 * that flickers between "ok" and "noise" helps nobody. */
#define CHECKSUM_FAILURES_RAISE 3
#define CHECKSUM_FAILURES_KEEP 1
#define CHECKSUM_PERCENT_MAX 5 /* more than this fail: a noisy line */

static void copy_line(char *to, size_t cap, const char *from)
{
	size_t n = 0;

	while (from && from[n] && from[n] != '\n' && n + 1 < cap) {
		to[n] = from[n];
		n++;
	}
	to[n] = '\0';
}

static void forget_sync(struct cg_doctor *d)
{
	d->unsynced_since_ms = 0;
	d->unsynced_bytes = 0;
	d->inverted_frames = 0;
	/* Called for every frame: the inverted framer is emptied only when
	 * it was fed since (a healthy link never feeds it). */
	if (d->inverted_fed) {
		cg_framer_init(&d->inverted);
		d->inverted_fed = false;
	}
}

void cg_doctor_init(struct cg_doctor *d, const char *port, int baud,
		    bool can_hunt)
{
	memset(d, 0, sizeof(*d));
	copy_line(d->port, sizeof(d->port), port);
	d->user_baud = baud;
	d->baud = baud;
	d->can_hunt = can_hunt;
	cg_framer_init(&d->inverted);
	d->diagnosis = CG_DIAG_WAITING;
}

void cg_doctor_network(struct cg_doctor *d)
{
	d->network = true;
	d->can_hunt = false;
}

void cg_doctor_remote(struct cg_doctor *d, const char *remote)
{
	cg_doctor_network(d);
	d->remote = true;
	copy_line(d->port, sizeof(d->port), remote); /* the texts' name */
}

void cg_doctor_opened(struct cg_doctor *d, uint64_t now_ms)
{
	d->open = true;
	d->open_exit_code = 0;
	d->open_error[0] = '\0';
	d->opened_ms = now_ms;
	d->last_byte_ms = 0;
	d->last_frame_ms = 0;
	d->frames_since_open = 0;
	d->variants_since_open = 0;
	d->bad_since_open = 0;
	d->exhausted = false;
	forget_sync(d);
	d->xonxoff.fill = 0; /* a partial frame from before is not continued */
	/* A reopen mid-hunt comes back at the rate being tried (the link
	 * keeps its last speed): give that rate a full listen. */
	d->hunt_since_ms = now_ms;
}

void cg_doctor_open_failed(struct cg_doctor *d, int exit_code,
			   const char *message, uint64_t now_ms)
{
	d->open = false;
	d->open_exit_code = exit_code ? exit_code : EX_IOERR;
	copy_line(d->open_error, sizeof(d->open_error), message);
	d->open_error_ms = now_ms;
}

void cg_doctor_lost(struct cg_doctor *d, uint64_t now_ms)
{
	d->open = false;
	d->open_exit_code = EX_NOINPUT;
	d->open_error[0] = '\0';
	d->open_error_ms = now_ms;
}

void cg_doctor_ended(struct cg_doctor *d)
{
	d->ended = true;
}

enum cg_link_state cg_doctor_link_state(const struct cg_doctor *d,
					uint64_t now_ms)
{
	if (d->ended)
		return CG_LINK_STATE_ENDED;
	if (!d->open)
		return CG_LINK_STATE_DISCONNECTED;
	if (d->last_frame_ms && now_ms - d->last_frame_ms <= CG_DOCTOR_QUIET_MS)
		return CG_LINK_STATE_CONNECTED;
	if (d->last_byte_ms && now_ms - d->last_byte_ms <= CG_DOCTOR_QUIET_MS &&
	    now_ms - d->opened_ms > CG_DOCTOR_QUIET_MS / 2)
		return CG_LINK_STATE_NO_SYNC;
	return CG_LINK_STATE_WAITING;
}

/* The window slot for this second, emptied if it held an older second. */
static unsigned window_slot(struct cg_doctor *d, uint64_t now_ms)
{
	uint64_t second = now_ms / 1000;
	unsigned slot = (unsigned)(second % CG_DOCTOR_WINDOW_S);

	if (d->window_second[slot] != second) {
		d->window_second[slot] = second;
		d->window_frames[slot] = 0;
		d->window_bad[slot] = 0;
	}
	return slot;
}

static void feed_inverted(struct cg_doctor *d, const uint8_t *data, size_t len)
{
	uint8_t flipped[256];
	struct cg_frame frame;

	d->inverted_fed = true;
	while (len > 0) {
		size_t n = len < sizeof(flipped) ? len : sizeof(flipped);
		const uint8_t *p = flipped;
		size_t left = n;

		for (size_t i = 0; i < n; i++)
			flipped[i] = (uint8_t)~data[i];
		while (cg_framer_next(&d->inverted, &p, &left, &frame))
			d->inverted_frames++;
		data += n;
		len -= n;
	}
}

static enum cg_diagnosis xonxoff_diagnosis(struct cg_doctor *d)
{
	snprintf(d->text, sizeof(d->text),
		 "XON/XOFF flow control is eating bytes upstream: frames "
		 "arrive one 0x11/0x13 short; turn software flow control off "
		 "in the bridge (ser2net, socat, serial server)");
	return CG_DIAG_XONXOFF;
}

/* ---- feeding ---------------------------------------------------------------- */

void cg_doctor_feed(struct cg_doctor *d, const uint8_t *data, size_t len,
		    const struct cg_framer_stats *stats, uint64_t now_ms)
{
	uint64_t frames, bad, variants;
	unsigned slot;

	/* A framer that was reset starts again from zero. */
	if (stats->frames < d->seen.frames ||
	    stats->bad_checksum < d->seen.bad_checksum ||
	    stats->unknown_variants < d->seen.unknown_variants)
		memset(&d->seen, 0, sizeof(d->seen));
	frames = stats->frames - d->seen.frames;
	bad = stats->bad_checksum - d->seen.bad_checksum;
	variants = stats->unknown_variants - d->seen.unknown_variants;
	d->seen = *stats;
	d->variants_since_open += variants;

	if (data)
		cg_doctor_xonxoff_feed(&d->xonxoff, data, len, now_ms);
	slot = window_slot(d, now_ms);
	d->window_frames[slot] += (uint32_t)frames;
	d->window_bad[slot] += (uint32_t)bad;
	d->bad_since_open += bad;

	if (len > 0)
		d->last_byte_ms = now_ms;
	/* Good frames this version cannot read still prove the link. */
	if (frames > 0 || variants > 0) {
		d->last_frame_ms = now_ms;
		d->frames_since_open += frames;
		d->exhausted = false;
		forget_sync(d);
		if (d->hunting) {
			/* Stay here: this is the rate the BMS talks at. */
			d->hunting = false;
			if (d->baud != d->user_baud)
				d->found_baud = d->baud;
		}
		return;
	}
	if (len == 0)
		return;
	if (!d->unsynced_since_ms)
		d->unsynced_since_ms = now_ms;
	d->unsynced_bytes += len;
	if (data)
		feed_inverted(d, data, len);
}

static bool silent(const struct cg_doctor *d, uint64_t now_ms)
{
	uint64_t since = d->last_byte_ms ? d->last_byte_ms : d->opened_ms;

	return now_ms - since >= CG_DOCTOR_SILENT_MS;
}

static bool unsynced(const struct cg_doctor *d, uint64_t now_ms)
{
	return d->last_byte_ms && !silent(d, now_ms) &&
	       d->unsynced_since_ms &&
	       now_ms - d->unsynced_since_ms >= CG_DOCTOR_NO_SYNC_MS &&
	       d->unsynced_bytes >= UNSYNCED_BYTES_MIN;
}

/* Moves to the next rate worth trying. Returns it, or 0 when none is left. */
static int next_rate(struct cg_doctor *d)
{
	while (++d->hunt_index < CG_DOCTOR_RATES)
		if (hunt_rates[d->hunt_index] != d->user_baud)
			return hunt_rates[d->hunt_index];
	return 0;
}

static int switch_to(struct cg_doctor *d, int baud, uint64_t now_ms)
{
	d->baud = baud;
	d->hunt_since_ms = now_ms;
	forget_sync(d);
	return baud;
}

int cg_doctor_want_baud(struct cg_doctor *d, uint64_t now_ms)
{
	int baud;

	if (!d->open || !d->can_hunt)
		return 0;
	if (d->hunting) {
		if (now_ms - d->hunt_since_ms < CG_DOCTOR_DWELL_MS)
			return 0;
		baud = next_rate(d);
		if (baud) {
			d->hunt_step++;
			return switch_to(d, baud, now_ms);
		}
		/* Nothing worked: back to what the user asked for. */
		d->hunting = false;
		d->exhausted = true;
		return switch_to(d, d->user_baud, now_ms);
	}
	/* Frames at this rate, even once, mean the rate is right; so do
	 * frames whose header and length fit but whose checksum fails (that
	 * is noise). An inverted line is not a baud problem either. */
	if (d->found_baud || d->exhausted || d->frames_since_open ||
	    d->variants_since_open || d->bad_since_open || d->inverted_frames || !unsynced(d, now_ms))
		return 0;
	d->hunting = true;
	d->hunt_index = -1;
	d->hunt_step = 1;
	d->hunt_steps = 0;
	for (int i = 0; i < CG_DOCTOR_RATES; i++)
		if (hunt_rates[i] != d->user_baud)
			d->hunt_steps++;
	baud = next_rate(d);
	return switch_to(d, baud, now_ms);
}

/* "minicom (pid 12)" out of link.c's "X is in use by minicom (pid 12).
 * Close it, ..." */
static void holders(char *out, size_t cap, const char *message)
{
	static const char marker[] = "in use by ";
	const char *from = strstr(message, marker);
	const char *end;
	size_t n;

	if (!from) {
		snprintf(out, cap, "another program has it open");
		return;
	}
	from += sizeof(marker) - 1;
	end = strstr(from, ". ");
	n = end ? (size_t)(end - from) : strlen(from);
	snprintf(out, cap, "%.*s", (int)n, from);
}

/* A bridge that is not connected, in plain words. The netconn.h and
 * source_ws.c messages already name the cause and what to check. */
static enum cg_diagnosis closed_network(struct cg_doctor *d)
{
	char *t = d->text;
	size_t cap = sizeof(d->text);
	const char *m = d->open_error;

	switch (d->open_exit_code) {
	case 0:
		snprintf(t, cap, "connecting to %s", d->port);
		return CG_DIAG_WAITING;
	case EX_NOINPUT: /* cg_doctor_lost */
		snprintf(t, cap, "closed by the bridge at %s; reconnecting",
			 d->port);
		return CG_DIAG_CLOSED;
	case EX_NOHOST:
		snprintf(t, cap, "%s", m[0] ? m : "name not found");
		return CG_DIAG_NO_HOST;
	case EX_UNAVAILABLE:
		snprintf(t, cap, "%s", m[0] ? m : "connection refused");
		return CG_DIAG_REFUSED;
	case EX_TEMPFAIL:
		snprintf(t, cap, "%s", m[0] ? m : "no route or no answer");
		return CG_DIAG_UNREACHABLE;
	case EX_PROTOCOL:
		snprintf(t, cap, "%s", m[0] ? m : "websocket handshake refused");
		return CG_DIAG_HANDSHAKE;
	default:
		snprintf(t, cap, "%s", m[0] ? m : "cannot connect");
		return CG_DIAG_OPEN_ERROR;
	}
}

static enum cg_diagnosis closed_diagnosis(struct cg_doctor *d)
{
	char *t = d->text;
	size_t cap = sizeof(d->text);
	char who[sizeof(d->open_error)];

	if (d->network)
		return closed_network(d);
	switch (d->open_exit_code) {
	case 0:
		snprintf(t, cap, "opening %s", d->port);
		return CG_DIAG_WAITING;
	case EX_NOINPUT:
		snprintf(t, cap, "no device at %s (unplugged?)", d->port);
		return CG_DIAG_NO_DEVICE;
	case EX_NOPERM:
		snprintf(t, cap, "permission denied on %s (see README)",
			 d->port);
		return CG_DIAG_PERMISSION;
	case EX_UNAVAILABLE:
		holders(who, sizeof(who), d->open_error);
		snprintf(t, cap, "busy: %s", who);
		return CG_DIAG_BUSY;
	default:
		if (d->open_error[0])
			snprintf(t, cap, "%s", d->open_error);
		else
			snprintf(t, cap, "cannot open %s", d->port);
		return CG_DIAG_OPEN_ERROR;
	}
}

/* Percentage of checksum failures over the window, or -1 if too few. */
static int checksum_failure_percent(const struct cg_doctor *d,
				    uint64_t now_ms)
{
	uint64_t second = now_ms / 1000;
	uint64_t frames = 0, bad = 0;

	for (unsigned i = 0; i < CG_DOCTOR_WINDOW_S; i++) {
		if (d->window_second[i] + CG_DOCTOR_WINDOW_S <= second ||
		    d->window_second[i] > second)
			continue;
		frames += d->window_frames[i];
		bad += d->window_bad[i];
	}
	if (bad < (d->diagnosis == CG_DIAG_CHECKSUM ? CHECKSUM_FAILURES_KEEP
						    : CHECKSUM_FAILURES_RAISE) ||
	    bad * 100 <= CHECKSUM_PERCENT_MAX * (frames + bad))
		return -1;
	return (int)((bad * 100 + (frames + bad) / 2) / (frames + bad));
}

static enum cg_diagnosis open_diagnosis(struct cg_doctor *d, uint64_t now_ms)
{
	char *t = d->text;
	size_t cap = sizeof(d->text);
	int percent;

	if (d->hunting) {
		snprintf(t, cap, "bytes but no frames at %d: listening at %d "
				 "baud (%d of %d)",
			 d->user_baud, d->baud, d->hunt_step, d->hunt_steps);
		return CG_DIAG_HUNTING;
	}
	if (silent(d, now_ms)) {
		uint64_t since = d->last_byte_ms ? d->last_byte_ms
						 : d->opened_ms;

		if (d->network) {
			snprintf(t, cap, "connected but silent for %llu s: is "
					 "the bridge's serial side at the "
					 "BMS's baud and wired to COM3?",
				 (unsigned long long)((now_ms - since) / 1000));
			return CG_DIAG_SILENT;
		}
		/* The BMS talks only while its display unit is on: a unit
		 * that went to sleep looks exactly like a broken wire. */
		snprintf(t, cap, "%s %llu s: check the COM3 wire and pin, is "
				 "the BMS on? (it sends only while its "
				 "display unit is on)",
			 d->last_byte_ms ? "no bytes for"
					 : "open but silent for",
			 (unsigned long long)((now_ms - since) / 1000));
		return CG_DIAG_SILENT;
	}
	if (d->exhausted) {
		snprintf(t, cap, "bytes but no frames at any common rate: "
				 "inverted signal or wrong pin?");
		return CG_DIAG_NO_RATE;
	}
	/* Frames one 0x11/0x13 short are the most telling of all. */
	if (cg_doctor_xonxoff_upstream(&d->xonxoff, now_ms))
		return xonxoff_diagnosis(d);
	/* Frames that fail their checksum are more telling than no frames:
	 * header and length fit, so the rate is right and the line noisy. */
	percent = checksum_failure_percent(d, now_ms);
	if (percent >= 0) {
		snprintf(t, cap, "%d%% of frames fail checksum: noise, "
				 "grounding or isolation",
			 percent);
		return CG_DIAG_CHECKSUM;
	}
	if (unsynced(d, now_ms)) {
		if (d->inverted_frames) {
			snprintf(t, cap, "bytes but no frames: the signal is "
					 "inverted (a TTL adapter needs an "
					 "inverter; use an RS232 adapter)");
			return CG_DIAG_INVERTED;
		}
		snprintf(t, cap, "bytes but no frames at %d baud: inverted "
				 "signal, a TTL adapter, or the wrong baud?",
			 d->baud);
		return CG_DIAG_NO_SYNC;
	}
	if (d->found_baud) {
		snprintf(t, cap, "no frames at %d; frames found at %d baud "
				 "(set -b %d)",
			 d->user_baud, d->found_baud, d->found_baud);
		return CG_DIAG_WRONG_BAUD;
	}
	if (d->variants_since_open &&
	    cg_framer_variant_text(&d->seen, 0, t, cap))
		return CG_DIAG_UNKNOWN_VARIANT;
	if (!d->frames_since_open) {
		if (d->network)
			snprintf(t, cap, "connected to %s, waiting for frames",
				 d->port);
		else
			snprintf(t, cap, "listening at %d baud", d->baud);
		return CG_DIAG_WAITING;
	}
	return CG_DIAG_OK;
}

/* A remote chargery-top through a broker (cg_doctor_remote): what the
 * bridge's words would say of it, said of what it is. The broker's own
 * failures keep their words (they name the broker and what to check). */
static enum cg_diagnosis remote_diagnosis(struct cg_doctor *d,
					  enum cg_diagnosis diag,
					  uint64_t now_ms)
{
	char *t = d->text, len[32];
	size_t cap = sizeof(d->text);
	uint64_t since = d->open ? (d->last_byte_ms ? d->last_byte_ms
						    : d->opened_ms)
				 : d->open_error_ms;
	unsigned long long s = now_ms > since ? (now_ms - since) / 1000 : 0;

	if (s < 120)
		snprintf(len, sizeof(len), "%llu s", s);
	else if (s < 120 * 60)
		snprintf(len, sizeof(len), "%llu min", s / 60);
	else
		snprintf(len, sizeof(len), "%llu h %02llu min", s / 3600,
			 s / 60 % 60);
	if (d->open && diag == CG_DIAG_SILENT)
		snprintf(t, cap, "the remote chargery-top (%.100s) sends no frames "
			 "(for %s): is its BMS's display on? is it online?",
			 d->port, len);
	else if (d->open && diag == CG_DIAG_WAITING)
		snprintf(t, cap, "waiting for frames from the remote "
			 "chargery-top (%.100s)", d->port);
	else if (!d->open && d->open_exit_code == 0)
		snprintf(t, cap, "connecting to the broker for the remote "
			 "chargery-top (%.100s)", d->port);
	else if (!d->open && d->open_exit_code == EX_NOINPUT)
		snprintf(t, cap, "the connection to the broker was lost; "
			 "reconnecting for the remote chargery-top (%.100s)", d->port);
	else if (!d->open && d->open_exit_code == EX_NOUSER) {
		snprintf(t, cap, "the remote chargery-top (%.100s) is offline (for "
			 "%s): is its machine up? it is read again as soon as "
			 "it is back", d->port, len);
		return CG_DIAG_OFFLINE;
	}
	return diag;
}

enum cg_diagnosis cg_doctor_diagnose(struct cg_doctor *d, uint64_t now_ms)
{
	d->text[0] = '\0';
	d->diagnosis = d->open ? open_diagnosis(d, now_ms)
			       : closed_diagnosis(d);
	if (d->remote)
		d->diagnosis = remote_diagnosis(d, d->diagnosis, now_ms);
	return d->diagnosis;
}
const char *cg_doctor_text(const struct cg_doctor *d)
{
	return d->diagnosis == CG_DIAG_OK ? NULL : d->text;
}

const char *cg_diagnosis_name(enum cg_diagnosis diagnosis)
{
	switch (diagnosis) {
	case CG_DIAG_OK:         return "ok";
	case CG_DIAG_WAITING:    return "waiting";
	case CG_DIAG_NO_DEVICE:  return "no-device";
	case CG_DIAG_PERMISSION: return "permission";
	case CG_DIAG_BUSY:       return "busy";
	case CG_DIAG_OPEN_ERROR: return "open-error";
	case CG_DIAG_SILENT:     return "silent";
	case CG_DIAG_NO_SYNC:    return "no-sync";
	case CG_DIAG_INVERTED:   return "inverted";
	case CG_DIAG_HUNTING:    return "hunting";
	case CG_DIAG_WRONG_BAUD: return "wrong-baud";
	case CG_DIAG_NO_RATE:    return "no-rate";
	case CG_DIAG_CHECKSUM:   return "checksum";
	case CG_DIAG_XONXOFF:    return "xonxoff";
	case CG_DIAG_UNKNOWN_VARIANT: return "unknown-variant";
	case CG_DIAG_NO_HOST:    return "no-host";
	case CG_DIAG_REFUSED:    return "refused";
	case CG_DIAG_UNREACHABLE: return "unreachable";
	case CG_DIAG_CLOSED:     return "closed";
	case CG_DIAG_HANDSHAKE:  return "handshake";
	case CG_DIAG_OFFLINE:    return "offline";
	}
	return "?";
}
