/*
 * mqttclient: a subscribing MQTT connection kept up from the main loop,
 * through libmosquitto (mqttlib.h) without a thread, for the readers of a
 * broker: the mqtt:// source (source_mqtt.c), the watch for packs under
 * PREFIX/+ and --list mqtt://.
 *
 * The connect is asynchronous; a refusal, a timeout or a loss is said
 * once as CG_MQTTC_DOWN (err: what to do, with the exit code the doctor
 * reads: EX_NOHOST, EX_UNAVAILABLE refused, EX_TEMPFAIL no answer,
 * EX_NOPERM the broker refused us, EX_IOERR lost), and the next try comes
 * after a backoff of 1 s doubling to 30 s. Each (re)connect subscribes to
 * the topics again; retained messages then arrive first.
 *
 * Messages wait in a ring of CG_MQTTC_RING; when the caller is slower the
 * oldest go and are counted. Payloads longer than CG_MQTTC_PAYLOAD_MAX
 * are dropped (the readers only want small topics).
 *
 * Not pure: sockets. The broker's name is looked up at each try in a
 * child process (resolve.h): cg_mqttc_fd is its pipe meanwhile, and a
 * name not found (or not answered within CG_RESOLVE_TIMEOUT_MS) is a DOWN
 * with EX_NOHOST. Without TLS libmosquitto is then given the address;
 * mqtts:// gives it the name (for the certificate check), which it looks
 * up once more itself (see mqtt.h).
 */
#ifndef CG_MQTTCLIENT_H
#define CG_MQTTCLIENT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "mqttfmt.h"

#define CG_MQTTC_RING 128
#define CG_MQTTC_PAYLOAD_MAX 96
#define CG_MQTTC_TOPICS 4
#define CG_MQTTC_CONNECT_MS 5000 /* no CONNACK this long: try again */
#define CG_MQTTC_CHECK_MS 20     /* libmosquitto has bytes to write */

enum cg_mqttc_event {
	CG_MQTTC_IDLE,    /* nothing more now */
	CG_MQTTC_UP,      /* connected and subscribed */
	CG_MQTTC_DOWN,    /* a try failed or the connection went; err */
	CG_MQTTC_MESSAGE, /* msg filled */
};

struct cg_mqttc_msg {
	char topic[CG_MQTT_TOPIC_MAX];
	uint8_t payload[CG_MQTTC_PAYLOAD_MAX];
	size_t len;
	bool retained;
};

struct cg_mqttc_config {
	const struct cg_mqtt_url *url;
	const char *topics[CG_MQTTC_TOPICS]; /* subscriptions; NULL ends */
	const char *cafile;   /* mqtts: the CA; NULL: the system's */
	const char *password; /* CHARGERY_MQTT_PASSWORD, or NULL */
	const char *what;     /* names the caller in messages ("mqtt://") */
};

struct cg_mqttc;

/* Loads libmosquitto and starts the first connect. NULL with err filled:
 * EX_UNAVAILABLE without libmosquitto, EX_USAGE (a password without a
 * user, an unreadable CA file), EX_OSERR. */
struct cg_mqttc *cg_mqttc_open(const struct cg_mqttc_config *config,
			       uint64_t now_ms, struct cg_error *err);

/* The socket to poll for input (the lookup's pipe while the name is
 * looked up), -1 while down. */
int cg_mqttc_fd(const struct cg_mqttc *c);

/* When cg_mqttc_step wants to run without input (keepalive, a retry, a
 * connect to look at, bytes to write). */
uint64_t cg_mqttc_due_ms(const struct cg_mqttc *c, uint64_t now_ms);

/* Waits, blocking, for the client's input or its due time, but not past
 * deadline_ms; while it waits the signal mask is wait_mask (NULL: as it
 * is), so a caller whose quit signals are blocked can still be stopped.
 * Returns 1 when its socket is readable, 0 when the time came, -1 when a
 * signal came (the caller's handler has seen it). For waits outside a
 * main loop: --list, and gathering a broker's names before it starts. */
int cg_mqttc_wait(const struct cg_mqttc *c, uint64_t deadline_ms,
		  const sigset_t *wait_mask);

/* Moves on: reads (once per loop turn, when readable), writes, keeps
 * alive, retries. Returns one thing at a time; call until IDLE. was_up
 * (DOWN): the connection had been up (a loss, not a failed try). */
enum cg_mqttc_event cg_mqttc_step(struct cg_mqttc *c, uint64_t now_ms,
				  bool readable, struct cg_mqttc_msg *msg,
				  bool *was_up, struct cg_error *err);

bool cg_mqttc_up(const struct cg_mqttc *c);

/* Messages dropped from the full ring since the last call. */
uint64_t cg_mqttc_take_dropped(struct cg_mqttc *c);

/* Disconnects and frees. Safe with NULL. */
void cg_mqttc_close(struct cg_mqttc *c);

#endif
