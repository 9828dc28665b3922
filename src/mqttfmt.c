/*
 * mqttfmt: URL, names, topics and payloads of --mqtt (see mqttfmt.h).
 */
#include "mqttfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "snapshot.h"
#include "strbuf.h"

#define URL_HINT "give mqtt://[USER@]HOST[:PORT][/PREFIX] or mqtts://..., " \
	"e.g. mqtt://pi@broker.lan/chargery"

static bool copy(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		return false;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return true;
}

bool cg_mqtt_level_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= CG_MQTT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '+' || c == '#' || c == '/' || c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

int cg_mqtt_name_check(const char *name, const char *what,
		       struct cg_error *err)
{
	if (cg_mqtt_level_ok(name))
		return 0;
	return cg_error_set(err, EX_USAGE,
		"%s '%.80s' cannot be an MQTT topic level: give 1 to %d "
		"characters without + # / or control characters",
		what, name, CG_MQTT_NAME_MAX - 1);
}

/* PREFIX: levels separated by '/', each a valid level. */
static bool prefix_ok(const char *prefix)
{
	char level[CG_MQTT_NAME_MAX];
	const char *p = prefix;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (!copy(level, sizeof(level), p, len) ||
		    !cg_mqtt_level_ok(level))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

int cg_mqtt_url_parse(const char *url, struct cg_mqtt_url *out,
		      struct cg_error *err)
{
	const char *p;

	memset(out, 0, sizeof(*out));
	if (strncmp(url, "mqtt://", 7) == 0) {
		p = url + 7;
		out->port = CG_MQTT_PORT;
	} else if (strncmp(url, "mqtts://", 8) == 0) {
		p = url + 8;
		out->tls = true;
		out->port = CG_MQTTS_PORT;
	} else {
		return cg_error_set(err, EX_USAGE,
				    "--mqtt '%.200s': not an MQTT URL; " URL_HINT,
				    url);
	}
	const char *slash = strchr(p, '/');
	size_t auth_len = slash ? (size_t)(slash - p) : strlen(p);
	const char *at = memchr(p, '@', auth_len);
	if (at) {
		if (at == p || !copy(out->user, sizeof(out->user), p,
				     (size_t)(at - p)) ||
		    strchr(out->user, ':'))
			return cg_error_set(err, EX_USAGE,
				"--mqtt '%.200s': bad user (the password goes in "
				"CHARGERY_MQTT_PASSWORD or --mqtt-password-file, "
				"never the URL); " URL_HINT, url);
		auth_len -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	const char *host = p, *host_end, *colon;
	if (*p == '[') {
		const char *close = memchr(p, ']', auth_len);
		if (!close)
			return cg_error_set(err, EX_USAGE,
				"--mqtt '%.200s': an IPv6 address needs its ']'; "
				URL_HINT, url);
		host = p + 1;
		host_end = close;
		colon = close + 1 < p + auth_len ? close + 1 : NULL;
		if (colon && *colon != ':')
			return cg_error_set(err, EX_USAGE,
				"--mqtt '%.200s': expected ':PORT' after ']'; "
				URL_HINT, url);
	} else {
		colon = memchr(p, ':', auth_len);
		host_end = colon ? colon : p + auth_len;
	}
	if (host_end == host ||
	    !copy(out->host, sizeof(out->host), host, (size_t)(host_end - host)))
		return cg_error_set(err, EX_USAGE,
				    "--mqtt '%.200s': no broker host; " URL_HINT,
				    url);
	if (colon) {
		char digits[8];
		size_t n = (size_t)(p + auth_len - colon - 1);
		char *end;
		if (n == 0 || !copy(digits, sizeof(digits), colon + 1, n) ||
		    strspn(digits, "0123456789") != n)
			return cg_error_set(err, EX_USAGE,
				"--mqtt '%.200s': the port must be a number "
				"from 1 to 65535; " URL_HINT, url);
		long port = strtol(digits, &end, 10);
		if (port < 1 || port > 65535)
			return cg_error_set(err, EX_USAGE,
				"--mqtt '%.200s': the port must be a number "
				"from 1 to 65535; " URL_HINT, url);
		out->port = (int)port;
	}
	const char *prefix = slash && slash[1] ? slash + 1
					       : CG_MQTT_DEFAULT_PREFIX;
	if (!copy(out->prefix, sizeof(out->prefix), prefix, strlen(prefix)) ||
	    !prefix_ok(out->prefix))
		return cg_error_set(err, EX_USAGE,
			"--mqtt '%.200s': the prefix must be topic levels "
			"separated by '/', none empty, without + or #; "
			URL_HINT, url);
	return 0;
}

size_t cg_mqtt_topic(char *out, size_t cap, const char *prefix,
		     const char *name, const char *leaf)
{
	int n = snprintf(out, cap, "%s/%s/%s", prefix, name, leaf);

	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			out[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

size_t cg_mqtt_frames_payload(uint8_t *out, size_t cap, uint64_t wall_ms,
			      const struct cg_frame *frame)
{
	size_t n = 8u + frame->len;

	if (cap < n)
		return 0;
	for (unsigned i = 0; i < 8; i++)
		out[i] = (uint8_t)(wall_ms >> (8 * i));
	memcpy(out + 8, frame->bytes, frame->len);
	return n;
}

const char *cg_mqtt_link_text(enum cg_link_state state)
{
	switch (state) {
	case CG_LINK_STATE_WAITING:
		return "waiting";
	case CG_LINK_STATE_CONNECTED:
		return "connected";
	case CG_LINK_STATE_NO_SYNC:
		return "no sync";
	case CG_LINK_STATE_DISCONNECTED:
		return "disconnected";
	case CG_LINK_STATE_ENDED:
		return "ended";
	}
	return "unknown";
}

size_t cg_mqtt_pack_payload(char *out, size_t cap, const struct cg_pack *pack,
			    const struct cg_alarms *alarms,
			    const char *iso_time, uint64_t now_ms)
{
	size_t n = cg_snapshot_json(out, cap, pack, alarms, iso_time, now_ms);

	/* The snapshot ends in "}\n": the extra keys go before the '}'. */
	if (n < 2 || out[n - 2] != '}')
		return 0;
	struct cg_strbuf t = { .buf = out, .cap = cap, .len = n - 2 };
	cg_strbuf_printf(&t, ",\"alarm\":{\"high\":%s,\"low\":%s,"
			 "\"delta\":%s,\"lost\":%s},\"power_w\":",
			 alarms->high_mask ? "true" : "false",
			 alarms->low_mask ? "true" : "false",
			 alarms->delta ? "true" : "false",
			 alarms->lost_mask ? "true" : "false");
	if (pack->have[CG_REC_CELLS] && pack->have[CG_REC_STATUS] &&
	    pack->counted) {
		/* mV x 0.1 A = 0.0001 W: printed in tenths of a watt. */
		long long w = (long long)pack->total_mv * pack->status.current_da;
		long long tenths = (w >= 0 ? w + 500 : w - 500) / 1000;
		cg_strbuf_tenths(&t, (long)tenths);
	} else {
		cg_strbuf_printf(&t, "null");
	}
	cg_strbuf_printf(&t, "}");
	return cg_strbuf_finish(&t);
}

/* The discovery table. Cell and impedance entities repeat per cell. */
enum entity_kind { FIXED, CELL, IMPEDANCE };

struct entity {
	enum entity_kind kind;
	bool binary;
	const char *key;      /* unique id and topic suffix ("cell" + N) */
	const char *name;
	const char *leaf;     /* state topic */
	const char *template; /* %u: the 0-based cell for CELL/IMPEDANCE */
	const char *device_class;
	const char *unit;
	const char *state_class;
	bool expires;
};

static const struct entity entities[] = {
	{ FIXED, false, "voltage", "Pack voltage", "pack",
	  "{{ value_json.total_mv / 1000 }}", "voltage", "V", "measurement", true },
	{ FIXED, false, "current", "Current", "status",
	  "{{ value_json.current_a }}", "current", "A", "measurement", true },
	{ FIXED, false, "power", "Power", "pack",
	  "{{ value_json.power_w }}", "power", "W", "measurement", true },
	{ FIXED, false, "soc", "State of charge", "status",
	  "{{ value_json.soc_pct }}", "battery", "%", "measurement", true },
	{ FIXED, false, "t1", "Temperature 1", "status",
	  "{{ value_json.t1_c }}", "temperature", "\u00b0C", "measurement", true },
	{ FIXED, false, "t2", "Temperature 2", "status",
	  "{{ value_json.t2_c }}", "temperature", "\u00b0C", "measurement", true },
	{ FIXED, false, "delta", "Cell delta", "pack",
	  "{{ value_json.delta_mv }}", "voltage", "mV", "measurement", true },
	{ FIXED, false, "high_cell", "Highest cell", "pack",
	  "{{ value_json.high_cell }}", NULL, NULL, NULL, true },
	{ FIXED, false, "low_cell", "Lowest cell", "pack",
	  "{{ value_json.low_cell }}", NULL, NULL, NULL, true },
	{ FIXED, false, "energy", "Energy", "cells",
	  "{{ value_json.wh }}", "energy", "Wh", "total", true },
	{ FIXED, false, "charge", "Charge", "cells",
	  "{{ value_json.ah }}", NULL, "Ah", "total", true },
	{ FIXED, true, "alarm_high", "Cell high alarm", "pack",
	  "{{ 'ON' if value_json.alarm.high else 'OFF' }}", "problem", NULL, NULL, true },
	{ FIXED, true, "alarm_low", "Cell low alarm", "pack",
	  "{{ 'ON' if value_json.alarm.low else 'OFF' }}", "problem", NULL, NULL, true },
	{ FIXED, true, "alarm_delta", "Cell delta alarm", "pack",
	  "{{ 'ON' if value_json.alarm.delta else 'OFF' }}", "problem", NULL, NULL, true },
	{ FIXED, true, "alarm_lost", "Cell lost alarm", "pack",
	  "{{ 'ON' if value_json.alarm.lost else 'OFF' }}", "problem", NULL, NULL, true },
	{ FIXED, true, "charge_protect", "Charge protection", "status",
	  "{{ 'ON' if value_json.charge_protect else 'OFF' }}", "problem", NULL, NULL, true },
	{ FIXED, true, "discharge_protect", "Discharge protection", "status",
	  "{{ 'ON' if value_json.discharge_protect else 'OFF' }}", "problem", NULL, NULL, true },
	{ CELL, false, "cell", "Cell %u", "cells",
	  "{{ value_json.cells_mv[%u] / 1000 }}", "voltage", "V", "measurement", true },
	/* 0x58 comes only while the BMS measures: no expiry. */
	{ IMPEDANCE, false, "impedance", "Cell %u impedance", "impedance",
	  "{{ value_json.impedance_mohm[%u] }}", NULL, "m\u03a9", "measurement", false },
};

#define FIXED_COUNT 17u
_Static_assert(sizeof(entities) / sizeof(entities[0]) == FIXED_COUNT + 2,
	       "the fixed entities, then one per cell and one per impedance");

unsigned cg_mqtt_discovery_count(void)
{
	return FIXED_COUNT + 2u * CG_MAX_CELLS;
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(struct cg_strbuf *t, const char *s)
{
	cg_strbuf_put(t, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			cg_strbuf_printf(t, "\\%c", c);
		else if (c < 0x20)
			cg_strbuf_printf(t, "\\u%04x", c);
		else
			cg_strbuf_put(t, s, 1);
	}
	cg_strbuf_put(t, "\"", 1);
}

/* NAME as a Home Assistant node id and unique id part: [A-Za-z0-9_-]. */
static void node_id(char *out, size_t cap, const char *name)
{
	size_t i = 0;

	for (; name[i] && i + 1 < cap; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_';
		out[i] = ok ? c : '_';
	}
	out[i] = '\0';
}

int cg_mqtt_discovery(const struct cg_mqtt_ha *ha, unsigned i, char *topic,
		      size_t topic_cap, char *json, size_t json_cap)
{
	const struct entity *e;
	unsigned cell = 0;
	char node[CG_MQTT_NAME_MAX], key[64], name[64], tmpl[128];
	char state[CG_MQTT_TOPIC_MAX], avail[CG_MQTT_TOPIC_MAX];

	if (i >= cg_mqtt_discovery_count())
		return -1;
	if (i < FIXED_COUNT) {
		e = &entities[i];
	} else {
		unsigned j = i - FIXED_COUNT;
		e = &entities[FIXED_COUNT + j / CG_MAX_CELLS];
		cell = j % CG_MAX_CELLS;
	}
	node_id(node, sizeof(node), ha->name);
	if (e->kind == FIXED) {
		snprintf(key, sizeof(key), "%s", e->key);
		snprintf(name, sizeof(name), "%s", e->name);
		snprintf(tmpl, sizeof(tmpl), "%s", e->template);
	} else {
		snprintf(key, sizeof(key), "%s%u", e->key, cell + 1);
		snprintf(name, sizeof(name), e->name, cell + 1);
		snprintf(tmpl, sizeof(tmpl), e->template, cell);
	}
	int n = snprintf(topic, topic_cap, "%s/%s/chargery_%s/%s/config",
			 ha->discovery_prefix,
			 e->binary ? "binary_sensor" : "sensor", node, key);
	if (n < 0 || (size_t)n >= topic_cap || json_cap == 0)
		return -1;
	json[0] = '\0';
	if (e->kind != FIXED && cell >= ha->cells)
		return 0; /* an empty retained config removes the entity */
	if (!cg_mqtt_topic(state, sizeof(state), ha->prefix, ha->name, e->leaf) ||
	    !cg_mqtt_topic(avail, sizeof(avail), ha->prefix, ha->name,
			   "availability"))
		return -1;

	struct cg_strbuf t;
	cg_strbuf_init(&t, json, json_cap);
	cg_strbuf_printf(&t, "{\"name\":");
	json_str(&t, name);
	cg_strbuf_printf(&t, ",\"unique_id\":\"chargery_%s_%s\","
			 "\"object_id\":\"chargery_%s_%s\",\"state_topic\":",
			 node, key, node, key);
	json_str(&t, state);
	cg_strbuf_printf(&t, ",\"value_template\":");
	json_str(&t, tmpl);
	if (e->device_class)
		cg_strbuf_printf(&t, ",\"device_class\":\"%s\"", e->device_class);
	if (e->unit)
		cg_strbuf_printf(&t, ",\"unit_of_measurement\":\"%s\"", e->unit);
	if (e->state_class)
		cg_strbuf_printf(&t, ",\"state_class\":\"%s\"", e->state_class);
	if (e->expires)
		cg_strbuf_printf(&t, ",\"expire_after\":%d", CG_MQTT_EXPIRE_S);
	cg_strbuf_printf(&t, ",\"availability_topic\":");
	json_str(&t, avail);
	cg_strbuf_printf(&t, ",\"payload_available\":\"online\","
			 "\"payload_not_available\":\"offline\","
			 "\"device\":{\"identifiers\":[\"chargery_%s\"],"
			 "\"name\":", node);
	char device[CG_MQTT_NAME_MAX + 16];
	snprintf(device, sizeof(device), "Chargery %s", ha->name);
	json_str(&t, device);
	cg_strbuf_printf(&t, ",\"manufacturer\":\"Chargery\","
			 "\"model\":\"BMS8T/16T/24T\",\"sw_version\":");
	json_str(&t, ha->version ? ha->version : "");
	cg_strbuf_printf(&t, "}}");
	size_t len = cg_strbuf_finish(&t);
	return len ? (int)len : -1;
}
