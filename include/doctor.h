/*
 * doctor: names what is wrong with the link in plain words for the status
 * line: no device, no permission, port busy, a port that is open but
 * silent, bytes that never make a frame (inverted signal, wrong baud),
 * frames that fail their checksum, frames one byte short because XON/XOFF
 * flow control upstream ate a 0x11 or 0x13.
 *
 * Pure: no I/O, no allocation, no globals, no clock. The main loop feeds
 * it what happens (opens, open failures, the bytes read with the framer's
 * statistics after them) with monotonic times, and asks on each tick:
 *
 *   cg_doctor_init(&doc, path, baud, link.kind == CG_LINK_SERIAL ||
 *                                    link.kind == CG_LINK_TTY);
 *   cg_doctor_opened(&doc, now)               after each successful open
 *   cg_doctor_open_failed(&doc, err.exit_code, err.message, now)
 *   cg_doctor_lost(&doc, now)                 on CG_LINK_LOST
 *   cg_doctor_feed(&doc, buf, n, &framer.stats, now)   after the framer
 *   baud = cg_doctor_want_baud(&doc, now)     each tick: if not 0, call
 *                                             cg_link_set_baud(&link, baud)
 *   cg_doctor_diagnose(&doc, now); text = cg_doctor_text(&doc)
 *
 * Wrong-baud hunting is passive: the BMS only talks, so the doctor only
 * listens at the other common rates in turn (each for CG_DOCTOR_DWELL_MS)
 * and keeps the first one at which frames arrive.
 */
#ifndef CG_DOCTOR_H
#define CG_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doctor_xonxoff.h"
#include "framer.h"

#define CG_DOCTOR_TEXT_MAX 256
#define CG_DOCTOR_SILENT_MS 3000  /* no bytes this long: silent */
#define CG_DOCTOR_NO_SYNC_MS 3000 /* bytes but no frame this long */
#define CG_DOCTOR_DWELL_MS 2500   /* listening time at each hunted rate */
#define CG_DOCTOR_WINDOW_S 10     /* checksum failures are counted over this */
#define CG_DOCTOR_RATES 6

/* What the status bar says of the link. The doctor owns it: it sees every
 * open, loss, byte and frame, for a live port and a replay alike. */
enum cg_link_state {
	CG_LINK_STATE_WAITING,      /* open, no bytes yet */
	CG_LINK_STATE_CONNECTED,    /* frames arriving */
	CG_LINK_STATE_NO_SYNC,      /* bytes arriving, but no frame */
	CG_LINK_STATE_DISCONNECTED, /* lost; retrying every second */
	CG_LINK_STATE_ENDED,        /* end of a capture file or stdin */
};

#define CG_DOCTOR_QUIET_MS 3000 /* no byte or frame this long: the state moves on */

enum cg_diagnosis {
	CG_DIAG_OK,         /* frames arrive and check out */
	CG_DIAG_WAITING,    /* just opened: too early to say anything */
	CG_DIAG_NO_DEVICE,  /* the port is not there (unplugged?) */
	CG_DIAG_PERMISSION, /* the port is there but not ours to open */
	CG_DIAG_BUSY,       /* another program has the port */
	CG_DIAG_OPEN_ERROR, /* any other reason the port did not open */
	CG_DIAG_SILENT,     /* open, but no byte for a while */
	CG_DIAG_NO_SYNC,    /* bytes, never a frame */
	CG_DIAG_INVERTED,   /* bytes whose complement makes frames */
	CG_DIAG_HUNTING,    /* bytes, no frames: listening at other rates */
	CG_DIAG_WRONG_BAUD, /* frames found at another rate (now used) */
	CG_DIAG_NO_RATE,    /* no frames at any common rate either */
	CG_DIAG_CHECKSUM,   /* too many frames fail their checksum */
	CG_DIAG_XONXOFF,    /* rejected frames are one 0x11/0x13 short */
	CG_DIAG_UNKNOWN_VARIANT, /* good frames of a length not known yet */
	/* Network bridges (cg_doctor_network): */
	CG_DIAG_NO_HOST,    /* the bridge's name was not found */
	CG_DIAG_REFUSED,    /* the connection was refused */
	CG_DIAG_UNREACHABLE, /* no route, or no answer in time */
	CG_DIAG_CLOSED,     /* the bridge closed or reset the connection */
	CG_DIAG_HANDSHAKE,  /* the websocket upgrade was refused */
	/* Another chargery-top read through a broker (cg_doctor_remote): */
	CG_DIAG_OFFLINE,    /* it said offline (or its Last Will did) */
};

struct cg_doctor {
	char port[128];    /* for the texts */
	int user_baud;     /* what the user asked for */
	int baud;          /* what the link is set to now */
	bool can_hunt;     /* a real tty whose speed can change */

	bool open;
	int open_exit_code;   /* of the last failed open, 0 if none */
	char open_error[128]; /* first line of its message */
	uint64_t open_error_ms;

	uint64_t opened_ms;
	uint64_t last_byte_ms;   /* 0: none since the link opened */
	uint64_t last_frame_ms;  /* 0: none since the link opened */
	uint64_t unsynced_since_ms; /* first byte after the last frame, 0 */
	uint64_t unsynced_bytes;    /* bytes since the last frame */
	uint64_t frames_since_open;
	/* Checksum-valid frames of a length this version cannot read (the
	 * framer's unknown_variants): the link is fine, the firmware new. */
	uint64_t variants_since_open;
	uint64_t bad_since_open; /* frames failing checksum: the rate is right */

	/* The same bytes complemented: frames here mean an inverted line. */
	struct cg_framer inverted;
	bool inverted_fed;        /* bytes went into it since it was emptied */
	uint64_t inverted_frames; /* since the last real frame */

	/* The caller's framer statistics as last seen, for the deltas. */
	struct cg_framer_stats seen;

	/* Frames and checksum failures per second, for the sliding window. */
	uint64_t window_second[CG_DOCTOR_WINDOW_S];
	uint32_t window_frames[CG_DOCTOR_WINDOW_S];
	uint32_t window_bad[CG_DOCTOR_WINDOW_S];

	/* Baud hunting. */
	bool hunting;
	int hunt_index;          /* into the rates tried, see doctor.c */
	int hunt_step, hunt_steps; /* "2 of 5" for the text */
	uint64_t hunt_since_ms;  /* when the current rate was set */
	int found_baud;          /* a hunted rate that gave frames, or 0 */
	bool exhausted;          /* every rate tried, none gave frames */
	int return_baud;         /* a switch still to hand out, or 0 */

	bool ended;              /* end of a capture, stdin or replay */
	bool network;            /* a bridge: see cg_doctor_network */
	bool remote;             /* a broker's: see cg_doctor_remote */

	struct cg_doctor_xonxoff xonxoff;

	enum cg_diagnosis diagnosis;
	char text[CG_DOCTOR_TEXT_MAX];
};

/* can_hunt: the link is a serial port or tty (not a file or stdin). */
void cg_doctor_init(struct cg_doctor *doctor, const char *port, int baud,
		    bool can_hunt);

/* The port is a network bridge (source.h's network): open failures are
 * read by netconn.h's exit codes (EX_NOHOST name not found, EX_UNAVAILABLE
 * refused, EX_TEMPFAIL no route or timeout, EX_PROTOCOL a refused
 * websocket upgrade), a loss is the bridge closing the connection, and
 * silence is a bridge connected but with nothing on its serial side. */
void cg_doctor_network(struct cg_doctor *doctor);

/* The port is another chargery-top's --mqtt read through a broker (an
 * mqtt:// source, source.h); remote is its PREFIX/NAME, which the texts
 * name. As cg_doctor_network (no baud hunt, the broker's open failures
 * said in its own words), and the words are of what it is: silence is a
 * remote chargery-top that sends no frames (its BMS's display off?), an
 * open failure EX_NOUSER is that chargery-top offline (CG_DIAG_OFFLINE,
 * said with how long), a loss is the broker's connection gone. */
void cg_doctor_remote(struct cg_doctor *doctor, const char *remote);

/* The link (re)opened; it is at the doctor's current rate. */
void cg_doctor_opened(struct cg_doctor *doctor, uint64_t now_ms);

/* An open or reopen failed with this error (from link.h). */
void cg_doctor_open_failed(struct cg_doctor *doctor, int exit_code,
			   const char *message, uint64_t now_ms);

/* The device went away (CG_LINK_LOST). */
void cg_doctor_lost(struct cg_doctor *doctor, uint64_t now_ms);

/* The input ended for good (end of a capture file, stdin or replay). */
void cg_doctor_ended(struct cg_doctor *doctor);

/*
 * Bytes just read, after they went through the caller's framer: stats are
 * that framer's statistics now (they may be reset to zero at any time).
 * len may be 0 to pass on statistics alone. data may be NULL: the bytes
 * then count for the link state only and are not analysed (a capture or
 * a replay, whose diagnosis nobody is shown, need not pay for it).
 */
void cg_doctor_feed(struct cg_doctor *doctor, const uint8_t *data,
		    size_t len, const struct cg_framer_stats *stats,
		    uint64_t now_ms);

/*
 * Call on every tick. Returns a baud the link should be switched to now
 * (cg_link_set_baud), or 0. The doctor takes the switch as done; when it
 * fails, the doctor listens in vain for a dwell and moves on.
 */
int cg_doctor_want_baud(struct cg_doctor *doctor, uint64_t now_ms);

/* Works out the diagnosis now; its text is then cg_doctor_text(). */
enum cg_diagnosis cg_doctor_diagnose(struct cg_doctor *doctor,
				     uint64_t now_ms);

/* The link's state now: connected while frames came within
 * CG_DOCTOR_QUIET_MS, no sync while only bytes did (and the link has been
 * open half that long), waiting otherwise; disconnected while closed. */
enum cg_link_state cg_doctor_link_state(const struct cg_doctor *doctor,
					uint64_t now_ms);

/* Plain words for the status line, or NULL when all is well. */
const char *cg_doctor_text(const struct cg_doctor *doctor);

/* A short name of the diagnosis ("silent", "inverted"), for JSON and logs. */
const char *cg_diagnosis_name(enum cg_diagnosis diagnosis);

#endif
