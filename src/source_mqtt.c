/*
 * source_mqtt: a pack read from an MQTT broker, as another chargery-top's
 * --mqtt publishes it (source.h, mqttsub.h): PREFIX/NAME/frames carries
 * each checked frame with its receive time, PREFIX/NAME/availability
 * says whether that chargery-top is running. The frames' bytes go through
 * this run's own framer, decoder and pack, like a port's.
 *
 * Link events: the broker that cannot be reached is an OPEN_FAILED (then
 * retried, 1 s doubling to 30 s); a broker connection that goes is a
 * LOST; "offline" is a LOST "the remote chargery-top is offline" followed
 * by an OPEN_FAILED EX_NOUSER, which the doctor words (cg_doctor_remote:
 * the bank tells it what this source is); "online" after
 * any of those is a BACK. A change of PREFIX/NAME/link (the publisher's
 * own port: its BMS silent, its adapter unplugged) is a NOTE.
 */
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "clock.h"
#include "framer.h"
#include "mqttclient.h"
#include "mqttsub.h"

struct mqtt_state {
	struct cg_mqttc *client;
	struct cg_mqtt_src_url url;
	char frames[CG_MQTT_TOPIC_MAX];
	char avail[CG_MQTT_TOPIC_MAX];
	char link[CG_MQTT_TOPIC_MAX];
	char remote_link[32]; /* the publisher's link state in words */
	bool down_told;      /* a LOST or OPEN_FAILED went out: BACK is due */
	bool offline_due;    /* the OPEN_FAILED after an "offline" LOST */
	uint8_t buf[CG_FRAME_MAX];
};

static int mqtt_poll_fd(const struct cg_source *src)
{
	const struct mqtt_state *m = src->state;

	return cg_mqttc_fd(m->client);
}

static uint64_t mqtt_due_ms(const struct cg_source *src, uint64_t now_ms)
{
	const struct mqtt_state *m = src->state;

	return m->offline_due ? now_ms : cg_mqttc_due_ms(m->client, now_ms);
}

static enum cg_source_event on_message(struct cg_source *src,
				       const struct cg_mqttc_msg *msg,
				       uint64_t now, struct cg_source_chunk *chunk)
{
	struct mqtt_state *m = src->state;

	if (strcmp(msg->topic, m->frames) == 0) {
		uint64_t wall;
		const uint8_t *bytes;
		size_t n;
		if (cg_mqtt_frames_parse(msg->payload, msg->len, &wall, &bytes,
					 &n) < 0)
			return CG_SOURCE_IDLE;
		memcpy(m->buf, bytes, n);
		*chunk = (struct cg_source_chunk){
			.data = m->buf,
			.len = n,
			.data_ms = cg_mqtt_remote_ms(wall, cg_clock_wall_ms(), now),
			.wall_ms = wall,
		};
		return CG_SOURCE_DATA;
	}
	if (strcmp(msg->topic, m->link) == 0) {
		/* The publisher's own port: its BMS silent, its adapter
		 * unplugged. An event when it changes (not the first
		 * "connected"). */
		char text[sizeof(m->remote_link)];
		snprintf(text, sizeof(text), "%.*s", (int)msg->len,
			 (const char *)msg->payload);
		if (strcmp(text, m->remote_link) == 0)
			return CG_SOURCE_IDLE;
		bool first = !m->remote_link[0];
		snprintf(m->remote_link, sizeof(m->remote_link), "%s", text);
		if (first && strcmp(text, "connected") == 0)
			return CG_SOURCE_IDLE;
		snprintf(src->text, sizeof(src->text), "the remote chargery-top's "
			 "link: %s", text);
		return CG_SOURCE_NOTE;
	}
	if (strcmp(msg->topic, m->avail) != 0)
		return CG_SOURCE_IDLE;
	int online = cg_mqtt_availability_parse(msg->payload, msg->len);
	if (online == 1 && m->down_told) {
		m->down_told = false;
		m->offline_due = false;
		return CG_SOURCE_BACK;
	}
	if (online == 0 && !m->down_told) {
		m->down_told = true;
		m->offline_due = true;
		snprintf(src->text, sizeof(src->text), "the remote chargery-top "
			 "is offline");
		return CG_SOURCE_LOST;
	}
	return CG_SOURCE_IDLE;
}

static enum cg_source_event mqtt_pump(struct cg_source *src, uint64_t now,
				      bool readable,
				      struct cg_source_chunk *chunk)
{
	struct mqtt_state *m = src->state;
	struct cg_mqttc_msg msg;
	bool was_up;

	if (m->offline_due) {
		m->offline_due = false;
		/* EX_NOUSER: the doctor's "offline" (doctor.h), not a
		 * broker that refused (EX_UNAVAILABLE). */
		cg_error_set(&src->err, EX_NOUSER, "the remote chargery-top "
			     "(%.100s/%.60s) is offline; waiting for it to come "
			     "back", m->url.broker.prefix, m->url.name);
		return CG_SOURCE_OPEN_FAILED;
	}
	uint64_t dropped = cg_mqttc_take_dropped(m->client);
	if (dropped) {
		snprintf(src->text, sizeof(src->text), "mqtt: %llu messages "
			 "dropped: this run read slower than the broker sent",
			 (unsigned long long)dropped);
		return CG_SOURCE_NOTE;
	}
	for (;;) {
		switch (cg_mqttc_step(m->client, now, readable, &msg, &was_up,
				      &src->err)) {
		case CG_MQTTC_IDLE:
			return CG_SOURCE_IDLE;
		case CG_MQTTC_UP:
			/* BACK waits for "online" (retained: it comes first). */
			readable = false;
			continue;
		case CG_MQTTC_DOWN:
			if (was_up && !m->down_told) {
				m->down_told = true;
				snprintf(src->text, sizeof(src->text), "%.400s; "
					 "reconnecting", src->err.message);
				return CG_SOURCE_LOST;
			}
			m->down_told = true;
			return CG_SOURCE_OPEN_FAILED;
		case CG_MQTTC_MESSAGE: {
			enum cg_source_event e = on_message(src, &msg, now, chunk);
			if (e != CG_SOURCE_IDLE)
				return e;
			readable = false;
			continue;
		}
		}
	}
}

static void mqtt_close(struct cg_source *src)
{
	struct mqtt_state *m = src->state;

	cg_mqttc_close(m->client);
}

static const struct cg_source_ops mqtt_ops = {
	.poll_fd = mqtt_poll_fd,
	.due_ms = mqtt_due_ms,
	.pump = mqtt_pump,
	.close = mqtt_close,
};

struct cg_source *cg_source_mqtt_open(const char *url_text, const char *cafile,
				      uint64_t now_ms, struct cg_error *err)
{
	struct cg_source *src = calloc(1, sizeof(*src));
	struct mqtt_state *m = calloc(1, sizeof(*m));

	if (!src || !m) {
		free(src);
		free(m);
		cg_error_set(err, EX_OSERR, "out of memory opening %s", url_text);
		return NULL;
	}
	if (cg_mqtt_src_url_parse(url_text, &m->url, err) < 0)
		goto fail;
	if (m->url.every) {
		cg_error_set(err, EX_SOFTWARE, "%.200s: every BMS (+) is opened "
			     "by the bank, one source per name", url_text);
		goto fail;
	}
	if (!cg_mqtt_topic(m->frames, sizeof(m->frames), m->url.broker.prefix,
			   m->url.name, "frames") ||
	    !cg_mqtt_topic(m->avail, sizeof(m->avail), m->url.broker.prefix,
			   m->url.name, "availability") ||
	    !cg_mqtt_topic(m->link, sizeof(m->link), m->url.broker.prefix,
			   m->url.name, "link")) {
		cg_error_set(err, EX_USAGE, "%.200s: too long a topic", url_text);
		goto fail;
	}
	struct cg_mqttc_config config = {
		.url = &m->url.broker,
		.topics = { m->frames, m->avail, m->link },
		.cafile = cafile,
		.password = getenv("CHARGERY_MQTT_PASSWORD"),
		.what = "mqtt",
	};
	if (!(m->client = cg_mqttc_open(&config, now_ms, err)))
		goto fail;
	src->ops = &mqtt_ops;
	src->state = m;
	src->live = true;
	src->paced = true;
	src->network = true;
	snprintf(src->label, sizeof(src->label), "%s", url_text);
	snprintf(src->remote, sizeof(src->remote), "%.100s/%.60s",
		 m->url.broker.prefix, m->url.name);
	return src;
fail:
	free(src);
	free(m);
	return NULL;
}
