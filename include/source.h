/*
 * source: where a pack's bytes come from, behind one small interface. A
 * live serial port or pty, a raw capture file, standard input and the
 * replay of a recording are sources (source_port.c, source_replay.c);
 * network bridges and brokers plug in the same way, as one more file.
 *
 * The main loop asks each source what to wait for (a file descriptor to
 * poll, a time it is due), then pumps it until it is idle. A pump hands
 * out one thing at a time: a chunk of bytes with its times, or what
 * happened to the link (lost, back, a failed reopen, the end, a note for
 * the event list). The main loop acts on each: framer, doctor, recorder,
 * events. A source never decodes, draws or writes output.
 *
 * Times: *_ms arguments are the caller's monotonic milliseconds
 * (cg_clock_ms()). A chunk carries two clocks: data_ms, the clock the pack
 * ages by (monotonic when live, the recorded time in a replay), and
 * wall_ms, the wall-clock time its outputs are stamped with.
 *
 * Functions that can fail return -1 and fill a struct cg_error.
 */
#ifndef CG_SOURCE_H
#define CG_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define CG_SOURCE_LABEL_MAX 256
#define CG_SOURCE_TEXT_MAX 512
#define CG_SOURCE_RETRY_MS 1000 /* a lost link is tried again this often */

enum cg_source_event {
	CG_SOURCE_IDLE,        /* nothing more now: wait again */
	CG_SOURCE_DATA,        /* bytes in the chunk */
	CG_SOURCE_LOST,        /* the link went away; text says why */
	CG_SOURCE_BACK,        /* the link is open again */
	CG_SOURCE_OPEN_FAILED, /* a reopen failed; err says why */
	CG_SOURCE_NOTE,        /* text is worth an event (e.g. a skipped gap) */
	CG_SOURCE_END,         /* no more input, ever; text may say why */
};

struct cg_source_chunk {
	const uint8_t *data; /* valid until the next pump */
	size_t len;
	uint64_t data_ms;    /* the clock the pack ages by */
	uint64_t wall_ms;    /* wall-clock time for outputs */
	bool synthetic_time; /* wall_ms is derived, not received or recorded */
};

/* What the status bar shows of a replay. */
struct cg_source_position {
	bool replay;         /* false: a live source, nothing below applies */
	double speed;        /* 1.0 = real pace */
	bool paused;
	double position_s;   /* recorded seconds played */
	double length_s;     /* recorded seconds in the file; 0 = unknown */
	bool timestamped;    /* false: a raw dump paced by its 0x57 frames */
	uint64_t now_us;     /* the recorded time being played */
	uint64_t start_us;   /* the recorded time of its first chunk */
};

struct cg_source;

struct cg_source_ops {
	/* The fd to poll for input now, or -1. */
	int (*poll_fd)(const struct cg_source *src);
	/* When the source wants a pump without input (a replay chunk due, a
	 * reconnect try), in monotonic ms; UINT64_MAX for never. */
	uint64_t (*due_ms)(const struct cg_source *src, uint64_t now_ms);
	/* One thing that happened; call until CG_SOURCE_IDLE. readable: the
	 * poll fd had input (or an error) in the last wait. */
	enum cg_source_event (*pump)(struct cg_source *src, uint64_t now_ms,
				     bool readable,
				     struct cg_source_chunk *chunk);
	/* Listens at another speed (the doctor's baud hunt); NULL where a
	 * source has no speed. */
	int (*set_baud)(struct cg_source *src, int baud, struct cg_error *err);
	/* Replays: pause/resume and speed; NULL for live sources. */
	void (*pause)(struct cg_source *src, uint64_t now_ms);
	void (*speed_step)(struct cg_source *src, bool faster, uint64_t now_ms);
	void (*position)(const struct cg_source *src, uint64_t now_ms,
			 struct cg_source_position *out);
	void (*close)(struct cg_source *src);
};

struct cg_source {
	const struct cg_source_ops *ops;
	char label[CG_SOURCE_LABEL_MAX]; /* for the status bar and messages */
	char text[CG_SOURCE_TEXT_MAX];   /* with LOST, NOTE and END */
	struct cg_error err;             /* with OPEN_FAILED */
	int end_code;    /* with END: 0, or the exit code the end calls for
			  * (EX_DATAERR: the input was damaged) */
	bool end_empty;  /* with END: nothing readable was in the input */
	int baud;        /* the speed in use; 0 where there is none */
	bool live;       /* a port or pipe that can go silent, be lost, be
			  * diagnosed; false for files and replays */
	bool can_hunt;   /* a tty whose speed can change */
	bool paced;      /* data arrives in real time (live, or a paced replay) */
	bool network;    /* a network bridge: its open failures and losses
			  * carry netconn.h's exit codes */
	char remote[CG_SOURCE_LABEL_MAX]; /* another chargery-top through a
					   * broker: "PREFIX/NAME"; else "" */
	void *state;     /* the kind's own */
};

/* A live port, pty, capture file or "-" for stdin (link.h), at baud;
 * label is what the status bar calls it (NULL: the path). Lost ports are
 * tried again every CG_SOURCE_RETRY_MS. Returns NULL with err filled. */
struct cg_source *cg_source_port_open(const char *path, int baud,
				      const char *label, struct cg_error *err);

/* The USB serial number of a port source's adapter ("" if none). */
const char *cg_source_port_usb_serial(const struct cg_source *src);

/* A recording or raw dump (record.h). paced: played at speed (1.0 when
 * 0) in real time; unpaced, as fast as it decodes. Returns NULL with err
 * filled. text holds a warning about damage found at open, or "". */
struct cg_source *cg_source_replay_open(const char *path, bool paced,
					double speed, uint64_t now_ms,
					struct cg_error *err);

/* A raw TCP stream from a bridge, PORT tcp://HOST:PORT (net.h). The name
 * is looked up now, in a child (resolve.h), the wait letting the quit
 * signals through (NULL with EX_TEMPFAIL when one came); the connection
 * is made from the main loop, without
 * blocking it, and made again after a loss with a backoff of 1 s doubling
 * to 30 s. Every failed try is an OPEN_FAILED; the first success after
 * one (or after a LOST) is a BACK. Returns NULL with err filled. */
struct cg_source *cg_source_tcp_open(const char *url, uint64_t now_ms,
				     struct cg_error *err);

/* The same over a websocket, PORT ws://HOST[:PORT][/PATH]: binary and
 * text messages carry the byte stream; pings are answered, a close is
 * returned, and nothing else is ever sent. A refused upgrade is an
 * OPEN_FAILED with EX_PROTOCOL and the HTTP status in its message. */
struct cg_source *cg_source_ws_open(const char *url, uint64_t now_ms,
				    struct cg_error *err);

/* A pack read from an MQTT broker, PORT mqtt://HOST[:PORT]/PREFIX/NAME
 * or mqtts://... (mqttsub.h), as another chargery-top's --mqtt publishes
 * it: its frames go through this run's framer, decoder and pack. The
 * chunk's wall_ms is the frame's receive time on the publisher, data_ms
 * that time on this run's monotonic clock (cg_mqtt_remote_ms): ages are
 * the frames' true ages. "offline" on PREFIX/NAME/availability is a LOST
 * (then an OPEN_FAILED saying so), "online" a BACK; a broker that cannot
 * be reached is an OPEN_FAILED, one that goes a LOST, tried again after
 * 1 s doubling to 30 s. cafile: the CA of an mqtts:// broker (NULL: the
 * system's); the password comes from CHARGERY_MQTT_PASSWORD. The NAME +
 * (every BMS) is the bank's (bank.h), not a source. */
struct cg_source *cg_source_mqtt_open(const char *url, const char *cafile,
				      uint64_t now_ms, struct cg_error *err);

/* Opens whatever port names: a tcp://, ws:// or mqtt(s):// source by its
 * scheme (a table in source.c), else a port, pty, file or "-" as
 * cg_source_port_open. cafile: for mqtts:// (NULL: the system's CAs). */
struct cg_source *cg_source_open(const char *port, int baud,
				 const char *label, const char *cafile,
				 uint64_t now_ms, struct cg_error *err);

/* A raw dump replayed: its derived times start at start_us (--start). */
void cg_source_replay_start_at(struct cg_source *src, uint64_t start_us,
			       uint64_t now_ms);

/* The kind-independent calls. */
static inline int cg_source_poll_fd(const struct cg_source *src)
{
	return src->ops->poll_fd(src);
}

static inline uint64_t cg_source_due_ms(const struct cg_source *src,
					uint64_t now_ms)
{
	return src->ops->due_ms(src, now_ms);
}

static inline enum cg_source_event
cg_source_pump(struct cg_source *src, uint64_t now_ms, bool readable,
	       struct cg_source_chunk *chunk)
{
	return src->ops->pump(src, now_ms, readable, chunk);
}

/* Fills out; out->replay is false for live sources. */
void cg_source_position(const struct cg_source *src, uint64_t now_ms,
			struct cg_source_position *out);

/* Closes and frees. Safe with NULL. */
void cg_source_close(struct cg_source *src);

#endif
