/*
 * mqttclient: a subscriber kept up from the main loop (mqttclient.h).
 */
/* ppoll(): the caller's signal mask while waiting. */
#define _GNU_SOURCE
#include "mqttclient.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "clock.h"
#include "mqtt.h"
#include "mqttlib.h"
#include "resolve.h"

#define mq cg_mosq

/* RESOLVING: the broker's name is being looked up (resolve.h), its pipe
 * polled like the socket; then libmosquitto gets the address. */
enum state { DOWN, RESOLVING, CONNECTING, UP };

struct cg_mqttc {
	struct mosquitto *mosq;
	struct cg_mqtt_url url;
	char topics[CG_MQTTC_TOPICS][CG_MQTT_TOPIC_MAX];
	unsigned ntopics;
	char what[32];

	enum state state;
	struct cg_resolve lookup;
	bool lookup_failed; /* failed_rc is ours: the name was not found */
	uint64_t retry_at_ms, connect_by_ms, misc_at_ms, backoff_ms;
	int connack;      /* from the callback; -1 none yet */
	bool lost;        /* the callback saw a disconnect */
	int failed_rc;    /* a read or write failed with this */
	int failed_errno;
	bool read_this_turn;

	struct cg_mqttc_msg ring[CG_MQTTC_RING];
	unsigned head, count;
	uint64_t dropped;
};

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)mosq;
	((struct cg_mqttc *)obj)->connack = rc;
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)mosq;
	(void)rc;
	((struct cg_mqttc *)obj)->lost = true;
}

static void on_message(struct mosquitto *mosq, void *obj,
		       const struct mosquitto_message *m)
{
	struct cg_mqttc *c = obj;
	(void)mosq;

	if (m->payloadlen < 0 || (size_t)m->payloadlen > CG_MQTTC_PAYLOAD_MAX ||
	    strlen(m->topic) >= CG_MQTT_TOPIC_MAX)
		return;
	if (c->count == CG_MQTTC_RING) {
		c->head = (c->head + 1) % CG_MQTTC_RING;
		c->count--;
		c->dropped++;
	}
	struct cg_mqttc_msg *q = &c->ring[(c->head + c->count) % CG_MQTTC_RING];
	snprintf(q->topic, sizeof(q->topic), "%s", m->topic);
	memcpy(q->payload, m->payload, (size_t)m->payloadlen);
	q->len = (size_t)m->payloadlen;
	q->retained = m->retain;
	c->count++;
}

/* Why a try failed, in words and a code the doctor reads. */
static void why_down(struct cg_mqttc *c, int rc, int e, struct cg_error *err)
{
	const char *host = c->url.host;
	int port = c->url.port;

	if (rc == MOSQ_ERR_EAI && c->lookup_failed &&
	    c->lookup.gai == EAI_AGAIN)
		cg_error_set(err, EX_NOHOST, "%s: broker %.200s: no answer "
			     "from the name server (%s); check the network",
			     c->what, host, c->lookup.why);
	else if (rc == MOSQ_ERR_EAI && c->lookup_failed)
		cg_error_set(err, EX_NOHOST, "%s: broker %.200s: name not found "
			     "(%s); check the host name", c->what, host,
			     c->lookup.why);
	else if (rc == MOSQ_ERR_EAI)
		cg_error_set(err, EX_NOHOST, "%s: broker %.200s: name not found; "
			     "check the host name", c->what, host);
	else if (rc == MOSQ_ERR_ERRNO && e == ECONNREFUSED)
		cg_error_set(err, EX_UNAVAILABLE, "%s: broker %.200s:%d refused "
			     "the connection: is the broker running there?",
			     c->what, host, port);
	else if (rc == MOSQ_ERR_ERRNO && (e == ETIMEDOUT || e == EHOSTUNREACH ||
					  e == ENETUNREACH))
		cg_error_set(err, EX_TEMPFAIL, "%s: broker %.200s:%d: %s; check "
			     "the network", c->what, host, port, strerror(e));
	else if (rc == MOSQ_ERR_ERRNO)
		cg_error_set(err, EX_IOERR, "%s: broker %.200s:%d: %s", c->what,
			     host, port, strerror(e));
	else
		cg_error_set(err, EX_IOERR, "%s: broker %.200s:%d: %s", c->what,
			     host, port, mq.mosquitto_strerror(rc));
}

static void go_down(struct cg_mqttc *c, uint64_t now)
{
	if (c->state == UP)
		c->backoff_ms = CG_MQTT_BACKOFF_MIN_MS;
	c->state = DOWN;
	c->retry_at_ms = now + c->backoff_ms;
	c->backoff_ms *= 2;
	if (c->backoff_ms > CG_MQTT_BACKOFF_MAX_MS)
		c->backoff_ms = CG_MQTT_BACKOFF_MAX_MS;
}

/* Hands libmosquitto the broker at host (an address, or the name for
 * TLS, whose certificate check needs it). */
static int connect_to(struct cg_mqttc *c, const char *host, uint64_t now)
{
	errno = 0;
	int rc = mq.mosquitto_connect_async(c->mosq, host, c->url.port,
					 CG_MQTT_KEEPALIVE_S);
	if (rc != MOSQ_ERR_SUCCESS) {
		c->state = DOWN;
		c->failed_rc = rc;
		c->failed_errno = errno;
		return -1;
	}
	c->state = CONNECTING;
	c->connect_by_ms = now + CG_MQTTC_CONNECT_MS;
	c->misc_at_ms = now + 1000;
	return 0;
}

/* The lookup ended (DONE or FAILED): the connect, or why not. */
static int looked_up(struct cg_mqttc *c, uint64_t now)
{
	char addr[64];

	if (c->lookup.state != CG_RESOLVE_DONE) {
		c->state = DOWN;
		c->failed_rc = MOSQ_ERR_EAI;
		c->lookup_failed = true;
		return -1;
	}
	/* Each try the next address (resolve.h). */
	if (c->url.tls ||
	    cg_resolve_next_text(&c->lookup, addr, sizeof(addr)) < 0)
		return connect_to(c, c->url.host, now);
	return connect_to(c, addr, now);
}

/* Starts a try: the name looked up first (unless it is an address), in
 * a child, so that nothing here waits for a name server. */
static int try_connect(struct cg_mqttc *c, uint64_t now)
{
	char port[8];

	c->connack = -1;
	c->lost = false;
	c->failed_rc = 0;
	c->lookup_failed = false;
	snprintf(port, sizeof(port), "%d", c->url.port);
	if (cg_resolve_start(&c->lookup, c->url.host, port, SOCK_STREAM, now) ==
	    CG_RESOLVE_RUNNING) {
		c->state = RESOLVING;
		return 0;
	}
	return looked_up(c, now);
}

struct cg_mqttc *cg_mqttc_open(const struct cg_mqttc_config *cfg,
			       uint64_t now_ms, struct cg_error *err)
{
	struct cg_mqttc *c = calloc(1, sizeof(*c));

	if (!c) {
		cg_error_set(err, EX_OSERR, "%s: out of memory", cfg->what);
		return NULL;
	}
	c->url = *cfg->url;
	snprintf(c->what, sizeof(c->what), "%s", cfg->what);
	for (unsigned i = 0; i < CG_MQTTC_TOPICS && cfg->topics[i]; i++)
		snprintf(c->topics[c->ntopics++], CG_MQTT_TOPIC_MAX, "%s",
			 cfg->topics[i]);
	c->backoff_ms = CG_MQTT_BACKOFF_MIN_MS;
	cg_resolve_init(&c->lookup);
	if (cfg->password && cfg->password[0] && !c->url.user[0]) {
		cg_error_set(err, EX_USAGE, "%s: a password needs a user: give "
			     "mqtt://USER@%s/...", cfg->what, c->url.host);
		goto fail;
	}
	if (cg_mosq_load(cfg->what, err) < 0)
		goto fail;
	mq.mosquitto_lib_init();
	c->mosq = mq.mosquitto_new(NULL, true, c);
	if (!c->mosq) {
		cg_error_set(err, EX_OSERR, "%s: libmosquitto: %s", cfg->what,
			     strerror(errno));
		mq.mosquitto_lib_cleanup();
		goto fail;
	}
	mq.mosquitto_connect_callback_set(c->mosq, on_connect);
	mq.mosquitto_disconnect_callback_set(c->mosq, on_disconnect);
	mq.mosquitto_message_callback_set(c->mosq, on_message);
	if (c->url.user[0] &&
	    mq.mosquitto_username_pw_set(c->mosq, c->url.user,
					 cfg->password && cfg->password[0]
					 ? cfg->password : NULL)) {
		cg_error_set(err, EX_SOFTWARE, "%s: libmosquitto refused the "
			     "user", cfg->what);
		goto fail_mosq;
	}
	if (c->url.tls && cg_mosq_tls(c->mosq, cfg->cafile, err) < 0)
		goto fail_mosq;
	if (try_connect(c, now_ms) < 0)
		/* Said by the first step, as every later failure is. */
		c->retry_at_ms = now_ms;
	return c;

fail_mosq:
	mq.mosquitto_destroy(c->mosq);
	mq.mosquitto_lib_cleanup();
fail:
	free(c);
	return NULL;
}

int cg_mqttc_fd(const struct cg_mqttc *c)
{
	if (c->state == RESOLVING)
		return cg_resolve_fd(&c->lookup);
	return c->state == DOWN ? -1 : mq.mosquitto_socket(c->mosq);
}

uint64_t cg_mqttc_due_ms(const struct cg_mqttc *c, uint64_t now_ms)
{
	if (c->count || c->failed_rc)
		return now_ms;
	if (c->state == DOWN)
		return c->retry_at_ms;
	if (c->state == RESOLVING)
		return cg_resolve_due_ms(&c->lookup);
	uint64_t due = c->misc_at_ms;
	if (c->state == CONNECTING && c->connect_by_ms < due)
		due = c->connect_by_ms;
	if (mq.mosquitto_want_write(c->mosq) && now_ms + CG_MQTTC_CHECK_MS < due)
		due = now_ms + CG_MQTTC_CHECK_MS;
	return due;
}

enum cg_mqttc_event cg_mqttc_step(struct cg_mqttc *c, uint64_t now,
				  bool readable, struct cg_mqttc_msg *msg,
				  bool *was_up, struct cg_error *err)
{
	*was_up = false;
	if (c->count) {
		*msg = c->ring[c->head];
		c->head = (c->head + 1) % CG_MQTTC_RING;
		c->count--;
		return CG_MQTTC_MESSAGE;
	}
	if (c->state == DOWN) {
		if (c->failed_rc) { /* the try at open or at the last step */
			why_down(c, c->failed_rc, c->failed_errno, err);
			c->failed_rc = 0;
			go_down(c, now);
			return CG_MQTTC_DOWN;
		}
		if (now < c->retry_at_ms)
			return CG_MQTTC_IDLE;
		if (try_connect(c, now) < 0) {
			why_down(c, c->failed_rc, c->failed_errno, err);
			c->failed_rc = 0;
			go_down(c, now);
			return CG_MQTTC_DOWN;
		}
		if (c->state == CONNECTING)
			readable = false;
	}
	if (c->state == RESOLVING) {
		if (cg_resolve_step(&c->lookup, now) == CG_RESOLVE_RUNNING)
			return CG_MQTTC_IDLE;
		if (looked_up(c, now) < 0) {
			why_down(c, c->failed_rc, c->failed_errno, err);
			c->failed_rc = 0;
			go_down(c, now);
			return CG_MQTTC_DOWN;
		}
		readable = false;
	}
	int rc = MOSQ_ERR_SUCCESS;
	errno = 0;
	if (readable && !c->read_this_turn) {
		c->read_this_turn = true;
		rc = mq.mosquitto_loop_read(c->mosq, 1);
	} else {
		c->read_this_turn = false;
	}
	if (rc == MOSQ_ERR_SUCCESS && mq.mosquitto_want_write(c->mosq))
		rc = mq.mosquitto_loop_write(c->mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS && now >= c->misc_at_ms) {
		c->misc_at_ms = now + 1000;
		rc = mq.mosquitto_loop_misc(c->mosq);
	}
	int e = errno;
	if (c->state == CONNECTING && c->connack > 0) {
		const char *text = mq.mosquitto_connack_string(c->connack);
		const char *colon = strchr(text, ':');
		if (colon)
			for (text = colon + 1; *text == ' '; text++)
				;
		/* "not authorised." goes on into our hint. */
		int len = (int)strcspn(text, ".");
		/* Short: the status line keeps 127 characters of it. */
		cg_error_set(err, EX_NOPERM, "broker %.60s:%d refused us: %.*s; "
			     "check USER@ and CHARGERY_MQTT_PASSWORD",
			     c->url.host, c->url.port, len > 40 ? 40 : len, text);
		mq.mosquitto_disconnect(c->mosq);
		go_down(c, now);
		return CG_MQTTC_DOWN;
	}
	if (c->state == CONNECTING && c->connack == 0 && !c->lost &&
	    rc == MOSQ_ERR_SUCCESS) {
		for (unsigned i = 0; i < c->ntopics; i++)
			mq.mosquitto_subscribe(c->mosq, NULL, c->topics[i], 0);
		mq.mosquitto_loop_write(c->mosq, 1);
		c->state = UP;
		c->backoff_ms = CG_MQTT_BACKOFF_MIN_MS;
		return CG_MQTTC_UP;
	}
	if (rc != MOSQ_ERR_SUCCESS || c->lost ||
	    (c->state == CONNECTING && now >= c->connect_by_ms)) {
		*was_up = c->state == UP;
		if (c->state == CONNECTING && rc == MOSQ_ERR_SUCCESS && !c->lost)
			cg_error_set(err, EX_TEMPFAIL, "%s: no answer from the "
				     "broker at %.200s:%d; check the host and "
				     "port", c->what, c->url.host, c->url.port);
		else if (*was_up)
			cg_error_set(err, EX_IOERR, "broker %.200s:%d: connection "
				     "lost", c->url.host, c->url.port);
		else if (rc == MOSQ_ERR_SUCCESS || rc == MOSQ_ERR_CONN_LOST ||
			 rc == MOSQ_ERR_NO_CONN)
			cg_error_set(err, EX_UNAVAILABLE, "%s: broker %.200s:%d "
				     "closed the connection: is it an MQTT "
				     "broker?", c->what, c->url.host,
				     c->url.port);
		else
			why_down(c, rc, e, err);
		mq.mosquitto_disconnect(c->mosq);
		go_down(c, now);
		return CG_MQTTC_DOWN;
	}
	if (c->count) {
		*msg = c->ring[c->head];
		c->head = (c->head + 1) % CG_MQTTC_RING;
		c->count--;
		return CG_MQTTC_MESSAGE;
	}
	return CG_MQTTC_IDLE;
}

bool cg_mqttc_up(const struct cg_mqttc *c)
{
	return c && c->state == UP;
}

uint64_t cg_mqttc_take_dropped(struct cg_mqttc *c)
{
	uint64_t n = c->dropped;

	c->dropped = 0;
	return n;
}

void cg_mqttc_close(struct cg_mqttc *c)
{
	if (!c)
		return;
	cg_resolve_cancel(&c->lookup);
	if (c->state == CONNECTING || c->state == UP)
		mq.mosquitto_disconnect(c->mosq);
	mq.mosquitto_destroy(c->mosq);
	mq.mosquitto_lib_cleanup();
	free(c);
}

int cg_mqttc_wait(const struct cg_mqttc *c, uint64_t deadline_ms,
		  const sigset_t *wait_mask)
{
	uint64_t now = cg_clock_ms();
	uint64_t due = cg_mqttc_due_ms(c, now);
	int fd = cg_mqttc_fd(c);

	if (due > deadline_ms)
		due = deadline_ms;
	uint64_t wait_ms = due > now ? due - now : 0;
	struct timespec timeout = {
		.tv_sec = (time_t)(wait_ms / 1000),
		.tv_nsec = (long)(wait_ms % 1000) * 1000000L,
	};
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ready = ppoll(&p, fd >= 0 ? 1 : 0, &timeout, wait_mask);

	if (ready < 0)
		return errno == EINTR ? -1 : 0;
	return ready > 0 && p.revents != 0;
}
