/*
 * mqtt: publishes the pack to an MQTT broker (--mqtt), with Home Assistant
 * discovery, through libmosquitto driven from the main loop's own poll:
 * no thread, never mosquitto_loop_start(). Topics and payloads are
 * mqttfmt.h's.
 *
 * The broker never hurts the battery's own record: nothing here blocks
 * (the connect is asynchronous; a broker that is down, slow or refuses us
 * costs a reconnect try now and then, with a backoff of 1 s doubling to
 * 30 s). What is published while disconnected, or while the broker is
 * slower than the BMS, waits in a bounded queue of CG_MQTT_QUEUE_MAX
 * messages; when it is full the oldest is dropped and counted.
 *
 * libmosquitto is loaded (dlopen) by cg_mqtt_open only: a run without
 * --mqtt carries neither it nor its TLS libraries. Without it installed,
 * cg_mqtt_open fails with EX_UNAVAILABLE saying which package to install.
 *
 * The broker's name is looked up in a child process (resolve.h) whose
 * pipe is the fd to poll meanwhile; libmosquitto is then given the
 * address. One exception: mqtts:// hands it the name (the certificate
 * check needs it), so it looks the name up again inside the connect call,
 * which a name server that stopped answering since our lookup can hold
 * for its timeout; an address or a name in /etc/hosts avoids that.
 *
 * The main loop:
 *   m = cg_mqtt_open(&config, now, &err)           once, after the source
 *   fd = cg_mqtt_poll_fd(m, &events)               each turn, -1 for none
 *   wake = min(wake, cg_mqtt_due_ms(m, now))
 *   cg_mqtt_io(m, revents, now)                    after the poll
 *   cg_mqtt_publish_record(m, pack, alarms, rec, frame, wall_ms, pack_ms)
 *   cg_mqtt_tick(m, link_state, now)               after the poll, too
 *   while (cg_mqtt_note(m, text, cap)) note_event(text)
 *   cg_mqtt_close(m)                               at exit: "offline"
 */
#ifndef CG_MQTT_H
#define CG_MQTT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alarm.h"
#include "decoder.h"
#include "doctor.h"
#include "error.h"
#include "framer.h"
#include "pack.h"

#define CG_MQTT_QUEUE_MAX 512     /* messages waiting for the broker */
#define CG_MQTT_BACKOFF_MIN_MS 1000
#define CG_MQTT_BACKOFF_MAX_MS 30000
#define CG_MQTT_KEEPALIVE_S 30
#define CG_MQTT_CLOSE_MS 1000     /* what an exit waits for "offline" */
#define CG_MQTT_NOTE_MAX 160

struct cg_mqtt_config {
	const char *url;              /* --mqtt */
	const char *cafile;           /* --mqtt-cafile (mqtts) */
	const char *password_file;    /* --mqtt-password-file */
	const char *password;         /* CHARGERY_MQTT_PASSWORD, or NULL */
	const char *name;             /* --name, else the default below */
	const char *default_name;     /* the adapter's USB serial, "" none */
	const char *discovery_prefix; /* NULL: "homeassistant" */
	bool no_discovery;
	const char *version;          /* for the device's sw_version */
};

struct cg_mqtt;

/* Reads the URL and the password, checks the name and starts the first
 * connect (which may fail: then it is retried). Returns NULL with err
 * filled (EX_USAGE, EX_NOINPUT for the password file, EX_UNAVAILABLE
 * without libmosquitto, EX_SOFTWARE). */
struct cg_mqtt *cg_mqtt_open(const struct cg_mqtt_config *config,
			     uint64_t now_ms, struct cg_error *err);

/* The socket to poll now and the events wanted (POLLIN, and POLLOUT
 * while libmosquitto has bytes to write), the lookup's pipe (POLLIN)
 * while the broker's name is looked up; -1 while disconnected. */
int cg_mqtt_poll_fd(const struct cg_mqtt *m, short *events);

/* When cg_mqtt_tick wants to run without input (keepalive, a reconnect
 * try), in monotonic ms. */
uint64_t cg_mqtt_due_ms(const struct cg_mqtt *m, uint64_t now_ms);

/* The socket's revents from the last poll (0 if it was not polled). */
void cg_mqtt_io(struct cg_mqtt *m, short revents, uint64_t now_ms);

/* One decoded record: its --json object, the pack picture, the raw frame
 * with wall_ms (receive time, ms since the epoch). pack_ms is the pack's
 * clock (freshness). Queued; never blocks. */
void cg_mqtt_publish_record(struct cg_mqtt *m, const struct cg_pack *pack,
			    const struct cg_alarms *alarms,
			    const struct cg_record *record,
			    const struct cg_frame *frame, uint64_t wall_ms,
			    uint64_t pack_ms);

/* Keepalive, reconnect tries, the queue, and the link state (published
 * when it changes). */
void cg_mqtt_tick(struct cg_mqtt *m, enum cg_link_state link,
		  uint64_t now_ms);

/* Something worth an event (connected, lost, refused, messages dropped):
 * true and the text, once each. */
bool cg_mqtt_note(struct cg_mqtt *m, char *out, size_t cap);

bool cg_mqtt_connected(const struct cg_mqtt *m);

/* Messages dropped from the full queue since the start. */
uint64_t cg_mqtt_dropped(const struct cg_mqtt *m);

/* "offline" (retained), a clean disconnect within CG_MQTT_CLOSE_MS, and
 * everything freed. Safe with NULL. */
void cg_mqtt_close(struct cg_mqtt *m);

#endif
