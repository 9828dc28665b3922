/*
 * mqttsub: the mqtt:// source's URL, topics and payloads (mqttsub.h).
 */
#include "mqttsub.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#define SRC_HINT "give mqtt://[USER@]HOST[:PORT]/PREFIX/NAME (NAME + for " \
	"every BMS), e.g. mqtt://broker.lan/chargery/pi1"

bool cg_mqtt_is_url(const char *url)
{
	return url && (strncmp(url, "mqtt://", 7) == 0 ||
		       strncmp(url, "mqtts://", 8) == 0);
}

int cg_mqtt_src_url_parse(const char *url, struct cg_mqtt_src_url *out,
			  struct cg_error *err)
{
	char broker[CG_MQTT_HOST_MAX + CG_MQTT_USER_MAX + CG_MQTT_PREFIX_MAX + 16];

	memset(out, 0, sizeof(*out));
	if (!cg_mqtt_is_url(url))
		return cg_error_set(err, EX_USAGE, "'%.200s': not an MQTT URL; "
				    SRC_HINT, url);
	const char *auth = strstr(url, "://") + 3;
	const char *first = strchr(auth, '/');
	const char *last = strrchr(auth, '/');
	if (!first || last - first < 2 || !last[1])
		return cg_error_set(err, EX_USAGE, "'%.200s': which BMS? the "
				    "URL needs a PREFIX and a NAME; " SRC_HINT, url);
	size_t len = (size_t)(last - url);
	if (len >= sizeof(broker) || strlen(last + 1) >= sizeof(out->name))
		return cg_error_set(err, EX_USAGE, "'%.200s': too long; "
				    SRC_HINT, url);
	memcpy(broker, url, len);
	broker[len] = '\0';
	snprintf(out->name, sizeof(out->name), "%s", last + 1);
	out->every = strcmp(out->name, CG_MQTT_EVERY) == 0;
	if (!out->every && !cg_mqtt_level_ok(out->name))
		return cg_error_set(err, EX_USAGE, "'%.200s': the NAME '%s' "
				    "cannot be a topic level (no # or control "
				    "characters; + alone means every BMS); "
				    SRC_HINT, url, out->name);
	struct cg_error why;
	if (cg_mqtt_url_parse(broker, &out->broker, &why) < 0) {
		/* "--mqtt 'URL': REASON; hint": keep the reason. */
		const char *reason = strstr(why.message, "': ");
		char text[160];
		snprintf(text, sizeof(text), "%.150s", reason ? reason + 3 : why.message);
		char *semi = strchr(text, ';');
		if (semi)
			*semi = '\0';
		return cg_error_set(err, EX_USAGE, "'%.200s': %s; " SRC_HINT,
				    url, text);
	}
	return 0;
}

int cg_mqtt_topic_split(const char *topic, const char *prefix, char *name,
			size_t cap, const char **leaf)
{
	size_t plen = strlen(prefix);

	if (strncmp(topic, prefix, plen) != 0 || topic[plen] != '/')
		return -1;
	const char *n = topic + plen + 1;
	const char *slash = strchr(n, '/');
	if (!slash || (size_t)(slash - n) >= cap || strchr(slash + 1, '/') ||
	    !slash[1])
		return -1;
	memcpy(name, n, (size_t)(slash - n));
	name[slash - n] = '\0';
	if (!cg_mqtt_level_ok(name))
		return -1;
	*leaf = slash + 1;
	return 0;
}

int cg_mqtt_frames_parse(const uint8_t *payload, size_t len,
			 uint64_t *wall_ms, const uint8_t **bytes, size_t *n)
{
	if (len < 9 || len > CG_MQTT_FRAMES_MAX)
		return -1;
	uint64_t t = 0;
	for (unsigned i = 0; i < 8; i++)
		t |= (uint64_t)payload[i] << (8 * i);
	*wall_ms = t;
	*bytes = payload + 8;
	*n = len - 8;
	return 0;
}

int cg_mqtt_availability_parse(const void *payload, size_t len)
{
	if (len == 6 && memcmp(payload, "online", 6) == 0)
		return 1;
	if (len == 7 && memcmp(payload, "offline", 7) == 0)
		return 0;
	return -1;
}

uint64_t cg_mqtt_remote_ms(uint64_t frame_wall_ms, uint64_t wall_now_ms,
			   uint64_t mono_now_ms)
{
	uint64_t age = wall_now_ms > frame_wall_ms ? wall_now_ms - frame_wall_ms
						   : 0;
	if (age >= mono_now_ms)
		return 1;
	return mono_now_ms - age;
}
