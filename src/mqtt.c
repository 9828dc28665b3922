/*
 * mqtt: libmosquitto driven from the main loop (see mqtt.h).
 *
 * Like mosquitto's own clients without a thread: the socket is polled by
 * the caller, mosquitto_loop_read() runs when it is readable,
 * mosquitto_loop_write() when libmosquitto wants to write and it is
 * writable, mosquitto_loop_misc() (keepalive) on each tick. Messages wait
 * in our own bounded queue and are handed to libmosquitto only while it
 * has nothing left to write, so its own queue never grows behind a slow
 * broker.
 */
#include "mqtt.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "clock.h"
#include "json.h"
#include "mqttfmt.h"
#include "mqttlib.h"
#include "resolve.h"

/* libmosquitto through mqttlib.h's table, loaded by cg_mqtt_open. */
#define mq cg_mosq

#define CONNECT_TIMEOUT_MS 10000 /* no CONNACK this long: try again */
#define NOTES 4

struct qmsg {
	char *topic;
	void *payload;
	int len;
};

/* RESOLVING: the broker's name is being looked up in a child
 * (resolve.h), its pipe polled like the socket; libmosquitto then gets
 * the address, so that its connect never waits for a name server. */
enum state { DOWN, RESOLVING, CONNECTING, UP };

struct cg_mqtt {
	struct mosquitto *mosq;
	struct cg_mqtt_url url;
	char name[CG_MQTT_NAME_MAX];
	char dprefix[CG_MQTT_PREFIX_MAX];
	char avail[CG_MQTT_TOPIC_MAX];
	struct cg_mqtt_ha ha;
	bool discovery;

	enum state state;
	struct cg_resolve lookup; /* RESOLVING */
	uint64_t retry_at_ms;     /* DOWN: the next try */
	uint64_t connect_by_ms;   /* CONNECTING: give up then */
	uint64_t backoff_ms;
	uint64_t misc_at_ms;
	int connack;              /* from the callback, -1 none */
	bool lost;                /* the callback saw a disconnect */
	char failure[CG_MQTT_NOTE_MAX]; /* the last failure noted */

	bool online_due, discovery_due, link_due;
	unsigned discovery_cells; /* cells the published configs describe */
	int link;                 /* the link state published, -1 none */

	struct qmsg q[CG_MQTT_QUEUE_MAX];
	unsigned head, count;
	uint64_t dropped, dropped_noted;

	char notes[NOTES][CG_MQTT_NOTE_MAX];
	unsigned nnotes;
};

static void note(struct cg_mqtt *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct cg_mqtt *m, const char *fmt, ...)
{
	va_list ap;

	if (m->nnotes == NOTES) /* the oldest goes */
		memmove(m->notes[0], m->notes[1], sizeof(m->notes[0]) * (NOTES - 1)),
			m->nnotes--;
	va_start(ap, fmt);
	vsnprintf(m->notes[m->nnotes++], CG_MQTT_NOTE_MAX, fmt, ap);
	va_end(ap);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)mosq;
	((struct cg_mqtt *)obj)->connack = rc;
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)mosq;
	(void)rc;
	((struct cg_mqtt *)obj)->lost = true;
}

static void qmsg_free(struct qmsg *q)
{
	free(q->topic);
	free(q->payload);
	q->topic = NULL;
	q->payload = NULL;
}

static void enqueue(struct cg_mqtt *m, const char *topic, const void *payload,
		    size_t len)
{
	struct qmsg q = { strdup(topic), malloc(len ? len : 1), (int)len };

	if (!q.topic || !q.payload) {
		qmsg_free(&q);
		m->dropped++;
		return;
	}
	memcpy(q.payload, payload, len);
	if (m->count == CG_MQTT_QUEUE_MAX) { /* drop the oldest */
		qmsg_free(&m->q[m->head]);
		m->head = (m->head + 1) % CG_MQTT_QUEUE_MAX;
		m->count--;
		m->dropped++;
	}
	m->q[(m->head + m->count) % CG_MQTT_QUEUE_MAX] = q;
	m->count++;
}

/* The connection is gone (why: for the event): try again after the
 * backoff. Only a new reason is an event, not every failed try. */
static void went_down(struct cg_mqtt *m, const char *reason, uint64_t now)
{
	char text[CG_MQTT_NOTE_MAX], why[96];

	/* libmosquitto's sentences end in '.'; ours go on. */
	snprintf(why, sizeof(why), "%s", reason);
	size_t len = strlen(why);
	if (len && why[len - 1] == '.')
		why[len - 1] = '\0';

	if (m->state == UP)
		snprintf(text, sizeof(text), "mqtt: lost %.48s:%d: %.60s",
			 m->url.host, m->url.port, why);
	else
		snprintf(text, sizeof(text), "mqtt: %.48s:%d: %.60s",
			 m->url.host, m->url.port, why);
	if (m->state == UP || strcmp(why, m->failure)) {
		note(m, "%.140s; retrying", text);
		snprintf(m->failure, sizeof(m->failure), "%s", why);
	}
	if (m->state == UP)
		m->backoff_ms = CG_MQTT_BACKOFF_MIN_MS;
	m->state = DOWN;
	m->retry_at_ms = now + m->backoff_ms;
	m->backoff_ms *= 2;
	if (m->backoff_ms > CG_MQTT_BACKOFF_MAX_MS)
		m->backoff_ms = CG_MQTT_BACKOFF_MAX_MS;
}

/* Hands libmosquitto the broker at host: an address, or the name for
 * TLS, whose certificate check needs it. */
static void connect_to(struct cg_mqtt *m, const char *host, uint64_t now)
{
	int rc = mq.mosquitto_connect_async(m->mosq, host, m->url.port,
					 CG_MQTT_KEEPALIVE_S);
	if (rc != MOSQ_ERR_SUCCESS) {
		went_down(m, cg_mosq_why(rc), now);
		return;
	}
	m->state = CONNECTING;
	m->connect_by_ms = now + CONNECT_TIMEOUT_MS;
	m->misc_at_ms = now + 1000;
}

/* The lookup ended: the connect, or why not. */
static void looked_up(struct cg_mqtt *m, uint64_t now)
{
	char addr[64], why[CG_RESOLVE_WHY_MAX + 40];

	if (m->lookup.state != CG_RESOLVE_DONE) {
		snprintf(why, sizeof(why), "%s (%s)",
			 m->lookup.gai == EAI_AGAIN
				 ? "no answer from the name server"
				 : "name not found",
			 m->lookup.why);
		went_down(m, why, now);
		return;
	}
	/* Each try the next address (resolve.h). */
	if (m->url.tls ||
	    cg_resolve_next_text(&m->lookup, addr, sizeof(addr)) < 0)
		connect_to(m, m->url.host, now);
	else
		connect_to(m, addr, now);
}

/* A try: the name looked up first, unless it is an address. */
static void try_connect(struct cg_mqtt *m, uint64_t now)
{
	char port[8];

	m->connack = -1;
	m->lost = false;
	snprintf(port, sizeof(port), "%d", m->url.port);
	if (cg_resolve_start(&m->lookup, m->url.host, port, SOCK_STREAM, now) ==
	    CG_RESOLVE_RUNNING) {
		m->state = RESOLVING;
		return;
	}
	looked_up(m, now);
}

/* A lookup in progress: its answer, or its timeout. */
static void resolving(struct cg_mqtt *m, uint64_t now)
{
	if (cg_resolve_step(&m->lookup, now) != CG_RESOLVE_RUNNING)
		looked_up(m, now);
}

static void publish_now(struct cg_mqtt *m, const char *topic,
			const void *payload, size_t len, int qos, bool retain)
{
	int rc = mq.mosquitto_publish(m->mosq, NULL, topic, (int)len, payload,
				   qos, retain);
	if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_OVERSIZE_PACKET)
		m->lost = true;
}

static void publish_discovery(struct cg_mqtt *m)
{
	static char json[CG_MQTT_DISCOVERY_MAX];
	char topic[CG_MQTT_TOPIC_MAX];
	unsigned n = cg_mqtt_discovery_count();
	unsigned old = m->ha.cells; /* what the last configs described */

	m->ha.cells = m->discovery_cells;
	for (unsigned i = 0; i < n; i++) {
		int len = cg_mqtt_discovery(&m->ha, i, topic, sizeof(topic),
					    json, sizeof(json));
		/* An empty config (a cell no longer wired) only after configs
		 * for more cells went out: no churn at every start. */
		if (len < 0 || (len == 0 && old <= m->ha.cells))
			continue;
		publish_now(m, topic, json, (size_t)len, 1, true);
	}
}

/* Connected: what is due first, then the queue while libmosquitto has
 * nothing of its own to write. */
static void service(struct cg_mqtt *m, uint64_t now)
{
	if (m->state == CONNECTING && m->connack >= 0) {
		if (m->connack != 0) {
			char why[CG_MQTT_NOTE_MAX];
			const char *text = mq.mosquitto_connack_string(m->connack);
			/* "Connection Refused: not authorised." */
			const char *colon = strchr(text, ':');
			if (colon)
				for (text = colon + 1; *text == ' '; text++)
					;
			snprintf(why, sizeof(why), "broker refused: %s", text);
			mq.mosquitto_disconnect(m->mosq);
			went_down(m, why, now);
			return;
		}
		m->state = UP;
		m->backoff_ms = CG_MQTT_BACKOFF_MIN_MS;
		m->failure[0] = '\0';
		m->online_due = m->discovery_due = m->link_due = true;
		note(m, "mqtt: connected to %.100s:%d", m->url.host, m->url.port);
	}
	if (m->state == CONNECTING && (m->lost || now >= m->connect_by_ms)) {
		went_down(m, m->lost ? "connection closed" :
			  "no answer from the broker", now);
		return;
	}
	if (m->state != UP)
		return;
	if (m->online_due) {
		publish_now(m, m->avail, "online", 6, 1, true);
		m->online_due = false;
	}
	if (m->discovery_due && m->discovery && m->discovery_cells) {
		publish_discovery(m);
		m->discovery_due = false;
	}
	while (m->count && !m->lost && !mq.mosquitto_want_write(m->mosq)) {
		struct qmsg *q = &m->q[m->head];
		publish_now(m, q->topic, q->payload, (size_t)q->len, 0, false);
		qmsg_free(q);
		m->head = (m->head + 1) % CG_MQTT_QUEUE_MAX;
		m->count--;
	}
	if (m->dropped > m->dropped_noted) {
		note(m, "mqtt: %llu messages dropped while the broker was "
		     "away or slow", (unsigned long long)(m->dropped -
							   m->dropped_noted));
		m->dropped_noted = m->dropped;
	}
	if (m->lost)
		went_down(m, "connection lost", now);
}

static int read_password_file(const char *path, char *out, size_t cap,
			      struct cg_error *err)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return cg_error_set(err, EX_NOINPUT,
			"--mqtt-password-file %.400s: %s; give a file holding "
			"the broker password on its first line", path,
			strerror(errno));
	if (!fgets(out, (int)cap, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static void pick_name(char *out, size_t cap, const struct cg_mqtt_config *c)
{
	char host[256] = "";

	if (c->default_name && cg_mqtt_level_ok(c->default_name)) {
		snprintf(out, cap, "%s", c->default_name);
		return;
	}
	/* A valid level is shorter than CG_MQTT_NAME_MAX: nothing is cut. */
	if (gethostname(host, sizeof(host) - 1) == 0 && cg_mqtt_level_ok(host))
		snprintf(out, cap, "%.*s", CG_MQTT_NAME_MAX - 1, host);
	else
		snprintf(out, cap, "chargery");
}

struct cg_mqtt *cg_mqtt_open(const struct cg_mqtt_config *c, uint64_t now_ms,
			     struct cg_error *err)
{
	char password[256] = "";
	struct cg_mqtt *m = calloc(1, sizeof(*m));

	if (!m) {
		cg_error_set(err, EX_OSERR, "--mqtt: out of memory");
		return NULL;
	}
	if (cg_mqtt_url_parse(c->url, &m->url, err) < 0 ||
	    (c->name && cg_mqtt_name_check(c->name, "--name", err) < 0) ||
	    (c->discovery_prefix &&
	     cg_mqtt_name_check(c->discovery_prefix, "--mqtt-discovery-prefix",
				err) < 0))
		goto fail;
	if (c->name)
		snprintf(m->name, sizeof(m->name), "%s", c->name);
	else
		pick_name(m->name, sizeof(m->name), c);
	snprintf(m->dprefix, sizeof(m->dprefix), "%s",
		 c->discovery_prefix ? c->discovery_prefix
				     : CG_MQTT_DEFAULT_DISCOVERY);
	cg_mqtt_topic(m->avail, sizeof(m->avail), m->url.prefix, m->name,
		      "availability");
	m->ha = (struct cg_mqtt_ha){ m->dprefix, m->url.prefix, m->name, 0,
				     c->version };
	m->discovery = !c->no_discovery;
	m->link = -1;
	m->backoff_ms = CG_MQTT_BACKOFF_MIN_MS;
	cg_resolve_init(&m->lookup);
	if (c->password_file &&
	    read_password_file(c->password_file, password, sizeof(password),
			       err) < 0)
		goto fail;
	if (!c->password_file && c->password)
		snprintf(password, sizeof(password), "%s", c->password);
	if (password[0] && !m->url.user[0]) {
		cg_error_set(err, EX_USAGE, "--mqtt: a password needs a user: "
			     "give mqtt://USER@%s/...", m->url.host);
		goto fail;
	}

	if (cg_mosq_load("--mqtt", err) < 0)
		goto fail;
	mq.mosquitto_lib_init();
	m->mosq = mq.mosquitto_new(NULL, true, m);
	if (!m->mosq) {
		cg_error_set(err, EX_OSERR, "--mqtt: libmosquitto: %s",
			     strerror(errno));
		mq.mosquitto_lib_cleanup();
		goto fail;
	}
	mq.mosquitto_connect_callback_set(m->mosq, on_connect);
	mq.mosquitto_disconnect_callback_set(m->mosq, on_disconnect);
	if (mq.mosquitto_will_set(m->mosq, m->avail, 7, "offline", 1, true) ||
	    (m->url.user[0] &&
	     mq.mosquitto_username_pw_set(m->mosq, m->url.user,
				       password[0] ? password : NULL))) {
		cg_error_set(err, EX_SOFTWARE, "--mqtt: libmosquitto refused "
			     "the will or the user");
		goto fail_mosq;
	}
	if (m->url.tls && cg_mosq_tls(m->mosq, c->cafile, err) < 0)
		goto fail_mosq;
	memset(password, 0, sizeof(password));
	try_connect(m, now_ms);
	return m;

fail_mosq:
	mq.mosquitto_destroy(m->mosq);
	mq.mosquitto_lib_cleanup();
fail:
	memset(password, 0, sizeof(password));
	free(m);
	return NULL;
}

int cg_mqtt_poll_fd(const struct cg_mqtt *m, short *events)
{
	if (!m || m->state == DOWN)
		return -1;
	if (m->state == RESOLVING) {
		*events = POLLIN;
		return cg_resolve_fd(&m->lookup);
	}
	int fd = mq.mosquitto_socket(m->mosq);
	*events = POLLIN;
	if (mq.mosquitto_want_write(m->mosq))
		*events |= POLLOUT;
	return fd;
}

uint64_t cg_mqtt_due_ms(const struct cg_mqtt *m, uint64_t now_ms)
{
	(void)now_ms;
	if (m->state == DOWN)
		return m->retry_at_ms;
	if (m->state == RESOLVING)
		return cg_resolve_due_ms(&m->lookup);
	if (m->state == CONNECTING && m->connect_by_ms < m->misc_at_ms)
		return m->connect_by_ms;
	return m->misc_at_ms;
}

void cg_mqtt_io(struct cg_mqtt *m, short revents, uint64_t now_ms)
{
	if (m->state == DOWN || !revents)
		return;
	if (m->state == RESOLVING) {
		resolving(m, now_ms);
		return;
	}
	int rc = MOSQ_ERR_SUCCESS;
	if (revents & (POLLIN | POLLHUP | POLLERR))
		rc = mq.mosquitto_loop_read(m->mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS && (revents & (POLLOUT | POLLERR)) &&
	    mq.mosquitto_want_write(m->mosq))
		rc = mq.mosquitto_loop_write(m->mosq, 1);
	if (rc != MOSQ_ERR_SUCCESS && m->connack <= 0) {
		went_down(m, cg_mosq_why(rc), now_ms);
		return;
	}
	service(m, now_ms); /* a refusal (CONNACK) is said there */
}

void cg_mqtt_publish_record(struct cg_mqtt *m, const struct cg_pack *pack,
			    const struct cg_alarms *alarms,
			    const struct cg_record *record,
			    const struct cg_frame *frame, uint64_t wall_ms,
			    uint64_t pack_ms)
{
	static const char *leaf[CG_REC_TYPES] = { "cells", "status",
						  "impedance" };
	static char pack_json[CG_MQTT_PACK_MAX];
	char line[CG_JSON_LINE_MAX], when[CG_ISO_TIME_MAX];
	char topic[CG_MQTT_TOPIC_MAX];
	uint8_t raw[CG_MQTT_FRAMES_MAX];

	cg_clock_format_iso8601(wall_ms, when);
	size_t n = cg_json_format(line, sizeof(line), record, when);
	if (n && line[n - 1] == '\n')
		n--;
	if (n && cg_mqtt_topic(topic, sizeof(topic), m->url.prefix, m->name,
			       leaf[record->type]))
		enqueue(m, topic, line, n);
	n = cg_mqtt_pack_payload(pack_json, sizeof(pack_json), pack, alarms,
				 when, pack_ms);
	if (n && cg_mqtt_topic(topic, sizeof(topic), m->url.prefix, m->name,
			       "pack"))
		enqueue(m, topic, pack_json, n);
	n = cg_mqtt_frames_payload(raw, sizeof(raw), wall_ms, frame);
	if (n && cg_mqtt_topic(topic, sizeof(topic), m->url.prefix, m->name,
			       "frames"))
		enqueue(m, topic, raw, n);
	if (pack->have[CG_REC_CELLS] && pack->wired != m->discovery_cells) {
		m->discovery_cells = pack->wired;
		m->discovery_due = true;
	}
	if (m->state == UP)
		service(m, cg_clock_ms());
}

void cg_mqtt_tick(struct cg_mqtt *m, enum cg_link_state link, uint64_t now_ms)
{
	if ((int)link != m->link) {
		m->link = (int)link;
		m->link_due = true;
	}
	if (m->state == DOWN) {
		if (now_ms >= m->retry_at_ms)
			try_connect(m, now_ms);
		return;
	}
	if (m->state == RESOLVING) {
		resolving(m, now_ms);
		return;
	}
	if (now_ms >= m->misc_at_ms) {
		m->misc_at_ms = now_ms + 1000;
		int rc = mq.mosquitto_loop_misc(m->mosq);
		if (rc != MOSQ_ERR_SUCCESS) {
			went_down(m, cg_mosq_why(rc), now_ms);
			return;
		}
	}
	service(m, now_ms);
	if (m->state == UP && m->link_due) {
		char topic[CG_MQTT_TOPIC_MAX];
		const char *text = cg_mqtt_link_text(link);
		if (cg_mqtt_topic(topic, sizeof(topic), m->url.prefix, m->name,
				  "link"))
			publish_now(m, topic, text, strlen(text), 1, true);
		m->link_due = false;
	}
}

bool cg_mqtt_note(struct cg_mqtt *m, char *out, size_t cap)
{
	if (!m || !m->nnotes)
		return false;
	snprintf(out, cap, "%s", m->notes[0]);
	memmove(m->notes[0], m->notes[1], sizeof(m->notes[0]) * (NOTES - 1));
	m->nnotes--;
	return true;
}

bool cg_mqtt_connected(const struct cg_mqtt *m)
{
	return m && m->state == UP;
}

uint64_t cg_mqtt_dropped(const struct cg_mqtt *m)
{
	return m ? m->dropped : 0;
}

/* Lets libmosquitto write what it holds, for at most until deadline. */
static void drain(struct cg_mqtt *m, uint64_t deadline)
{
	for (;;) {
		uint64_t now = cg_clock_ms();
		int fd = mq.mosquitto_socket(m->mosq);
		if (fd < 0 || !mq.mosquitto_want_write(m->mosq) || now >= deadline)
			return;
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		if (poll(&p, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			return;
		if (p.revents && mq.mosquitto_loop_write(m->mosq, 1))
			return;
	}
}

void cg_mqtt_close(struct cg_mqtt *m)
{
	if (!m)
		return;
	if (m->state == UP) {
		uint64_t deadline = cg_clock_ms() + CG_MQTT_CLOSE_MS;
		/* What is queued still goes out if the broker takes it. */
		service(m, cg_clock_ms());
		publish_now(m, m->avail, "offline", 7, 1, true);
		drain(m, deadline);
		mq.mosquitto_disconnect(m->mosq);
		drain(m, deadline);
	}
	cg_resolve_cancel(&m->lookup);
	while (m->count) {
		qmsg_free(&m->q[m->head]);
		m->head = (m->head + 1) % CG_MQTT_QUEUE_MAX;
		m->count--;
	}
	mq.mosquitto_destroy(m->mosq);
	mq.mosquitto_lib_cleanup();
	free(m);
}
