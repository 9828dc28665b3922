/*
 * mqttwatch: the names announced under PREFIX/+ (mqttwatch.h).
 */
#include "mqttwatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "clock.h"
#include "mqttclient.h"
#include "mqttsub.h"

struct seen {
	char name[CG_MQTT_NAME_MAX];
	char url[CG_MQTTWATCH_URL_MAX + CG_MQTT_NAME_MAX]; /* base + name */
	bool handed;  /* given to the bank */
};

struct cg_mqttwatch {
	struct cg_mqttc *client;
	struct cg_mqtt_src_url url;
	char base[CG_MQTTWATCH_URL_MAX]; /* the URL without its "+" */
	char avail[CG_MQTT_TOPIC_MAX];
	char where[CG_MQTTWATCH_WHERE_MAX]; /* "PREFIX/+ on HOST[:PORT]" */
	struct seen seen[CG_MAX_SOURCES];
	int nseen;
	bool full_said;
};

struct cg_mqttwatch *cg_mqttwatch_open(const char *url, const char *cafile,
				       uint64_t now_ms, struct cg_error *err)
{
	struct cg_mqttwatch *w = calloc(1, sizeof(*w));

	if (!w) {
		cg_error_set(err, EX_OSERR, "out of memory opening %s", url);
		return NULL;
	}
	if (cg_mqtt_src_url_parse(url, &w->url, err) < 0)
		goto fail;
	size_t len = strlen(url);
	if (!w->url.every || len >= sizeof(w->base)) {
		cg_error_set(err, EX_USAGE, "%.200s: every BMS is PREFIX/+", url);
		goto fail;
	}
	memcpy(w->base, url, len - 1); /* keeps the '/' */
	w->base[len - 1] = '\0';
	/* The port only when it is not the usual one: the user's words. */
	const struct cg_mqtt_url *b = &w->url.broker;
	char port[16] = "";
	if (b->port != (b->tls ? CG_MQTTS_PORT : CG_MQTT_PORT))
		snprintf(port, sizeof(port), ":%d", b->port);
	bool v6 = port[0] && strchr(b->host, ':');
	snprintf(w->where, sizeof(w->where), "%.120s/+ on %s%.200s%s%s",
		 b->prefix, v6 ? "[" : "", b->host, v6 ? "]" : "", port);
	cg_mqtt_topic(w->avail, sizeof(w->avail), w->url.broker.prefix, "+",
		      "availability");
	struct cg_mqttc_config config = {
		.url = &w->url.broker,
		.topics = { w->avail },
		.cafile = cafile,
		.password = getenv("CHARGERY_MQTT_PASSWORD"),
		.what = "mqtt",
	};
	if (!(w->client = cg_mqttc_open(&config, now_ms, err)))
		goto fail;
	return w;
fail:
	free(w);
	return NULL;
}

const char *cg_mqttwatch_where(const struct cg_mqttwatch *w)
{
	return w->where;
}

bool cg_mqttwatch_up(const struct cg_mqttwatch *w)
{
	return cg_mqttc_up(w->client);
}

int cg_mqttwatch_none(const struct cg_mqttwatch *w, struct cg_error *err)
{
	size_t len = strlen(w->base);

	return cg_error_set(err, EX_UNAVAILABLE, "no BMS is online under %s "
			    "yet: start chargery-top --mqtt on its machine; "
			    "--list %.*s shows what is announced there",
			    w->where, (int)(len ? len - 1 : 0), w->base);
}

int cg_mqttwatch_fd(const struct cg_mqttwatch *w)
{
	return cg_mqttc_fd(w->client);
}

uint64_t cg_mqttwatch_due_ms(const struct cg_mqttwatch *w, uint64_t now_ms)
{
	for (int i = 0; i < w->nseen; i++)
		if (!w->seen[i].handed)
			return now_ms;
	return cg_mqttc_due_ms(w->client, now_ms);
}

/* A name said online: remembered (once), to be handed out. */
static void online(struct cg_mqttwatch *w, const char *name, char *note,
		   size_t cap, bool *noted)
{
	for (int i = 0; i < w->nseen; i++)
		if (strcmp(w->seen[i].name, name) == 0)
			return;
	if (w->nseen == CG_MAX_SOURCES) {
		if (!w->full_said) {
			snprintf(note, cap, "mqtt: %.60s and any more BMS "
				 "announced are left out: %d packs at most",
				 name, CG_MAX_SOURCES);
			w->full_said = *noted = true;
		}
		return;
	}
	struct seen *s = &w->seen[w->nseen++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->url, sizeof(s->url), "%s%s", w->base, name);
	s->handed = false;
}

/* A message on the watched prefix: a name said online is remembered. */
static void take_message(struct cg_mqttwatch *w, const struct cg_mqttc_msg *msg,
			 char *note, size_t cap, bool *noted)
{
	char n[CG_MQTT_NAME_MAX];
	const char *leaf;

	if (cg_mqtt_topic_split(msg->topic, w->url.broker.prefix, n, sizeof(n),
				&leaf) == 0 &&
	    strcmp(leaf, "availability") == 0 &&
	    cg_mqtt_availability_parse(msg->payload, msg->len) == 1)
		online(w, n, note, cap, noted);
}

bool cg_mqttwatch_step(struct cg_mqttwatch *w, uint64_t now, bool readable,
		       const char **url, const char **name, char *note,
		       size_t cap)
{
	struct cg_mqttc_msg msg;
	struct cg_error err;
	bool was_up, noted = false;

	*url = *name = NULL;
	for (int i = 0; i < w->nseen; i++)
		if (!w->seen[i].handed) {
			w->seen[i].handed = true;
			*url = w->seen[i].url;
			*name = w->seen[i].name;
			return true;
		}
	for (;;) {
		enum cg_mqttc_event e = cg_mqttc_step(w->client, now, readable,
						      &msg, &was_up, &err);
		readable = false;
		switch (e) {
		case CG_MQTTC_IDLE:
			return false;
		case CG_MQTTC_UP:
			continue;
		case CG_MQTTC_DOWN:
			/* The packs' own sources say it for each; once here. */
			if (!was_up)
				continue;
			snprintf(note, cap, "mqtt: watching %.100s/+: %.80s",
				 w->url.broker.prefix, err.message);
			return true;
		case CG_MQTTC_MESSAGE: {
			take_message(w, &msg, note, cap, &noted);
			if (noted)
				return true;
			for (int i = 0; i < w->nseen; i++)
				if (!w->seen[i].handed)
					return cg_mqttwatch_step(w, now, false,
								 url, name,
								 note, cap);
			continue;
		}
		}
	}
}

int cg_mqttwatch_gather(struct cg_mqttwatch *w, uint64_t wait_ms,
			const sigset_t *wait_mask, struct cg_error *err)
{
	uint64_t deadline = cg_clock_ms() + CG_MQTTC_CONNECT_MS + wait_ms;
	bool up = false;

	for (;;) {
		uint64_t now = cg_clock_ms();
		if (now >= deadline)
			break;
		int ready = cg_mqttc_wait(w->client, deadline, wait_mask);
		if (ready < 0)
			return cg_error_set(err, EX_TEMPFAIL, "mqtt://: stopped "
					    "while waiting for the broker");
		now = cg_clock_ms();
		struct cg_mqttc_msg msg;
		bool was_up, readable = ready > 0, noted = false;
		char note[CG_MQTTWATCH_NOTE_MAX];
		enum cg_mqttc_event e;
		while ((e = cg_mqttc_step(w->client, now, readable, &msg,
					  &was_up, err)) != CG_MQTTC_IDLE) {
			readable = false;
			if (e == CG_MQTTC_DOWN)
				return -1;
			if (e == CG_MQTTC_UP && !up) {
				up = true;
				deadline = now + wait_ms;
			}
			if (e == CG_MQTTC_MESSAGE)
				take_message(w, &msg, note, sizeof(note),
					     &noted);
		}
	}
	if (!up)
		return cg_error_set(err, EX_TEMPFAIL, "mqtt://: no answer from "
				    "the broker at %.200s:%d; check the host and "
				    "port", w->url.broker.host, w->url.broker.port);
	return 0;
}

void cg_mqttwatch_close(struct cg_mqttwatch *w)
{
	if (!w)
		return;
	cg_mqttc_close(w->client);
	free(w);
}
