/*
 * portpick: choosing the port when none is named, and --list (see
 * portpick.h).
 */
#include "portpick.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "clock.h"
#include "mqttclient.h"
#include "mqttsub.h"
#include "options.h"
#include "ports.h"
#include "probe.h"
#include "sanitize.h"
#include "say.h"

#define PROGRAM CG_PROGRAM

/* Listens on every USB serial port at once for CG_PROBE_LISTEN_MS.
 * Returns the index in ports of the one carrying the most Chargery frames,
 * or -1; *usb counts the USB ports. */
static int probe_usb_ports(const struct cg_port_info *ports, int n, int baud,
			   int *usb, struct cg_probe_result *results,
			   int *map)
{
	const char *paths[CG_PORTS_MAX];
	int count = 0;

	for (int i = 0; i < n; i++)
		if (ports[i].usb) {
			map[count] = i;
			paths[count++] = ports[i].path;
		}
	*usb = count;
	if (count == 0)
		return -1;
	int best = cg_probe_ports(paths, count, baud, CG_PROBE_LISTEN_MS,
				  results);
	return best >= 0 && results[best].frames > 0 ? map[best] : -1;
}

int cg_portpick_list(int baud)
{
	struct cg_port_info ports[CG_PORTS_MAX];
	struct cg_probe_result results[CG_PORTS_MAX];
	int map[CG_PORTS_MAX], usb;
	int n = cg_ports_list(ports, CG_PORTS_MAX);

	if (n < 0) {
		fprintf(stderr, PROGRAM ": cannot list serial ports (is /sys mounted?)\n");
		return EX_OSERR;
	}
	cg_ports_print(stdout, ports, n);
	if (n > 0 && isatty(STDERR_FILENO))
		fprintf(stderr, "(listening %d s on USB ports for Chargery frames...)\n",
			CG_PROBE_LISTEN_MS / 1000);
	probe_usb_ports(ports, n, baud, &usb, results, map);
	for (int j = 0; j < usb; j++) {
		const struct cg_probe_result *r = &results[j];
		char path[sizeof(ports[0].path)], error[sizeof(r->error)];
		cg_sanitize(path, sizeof(path), ports[map[j]].path);
		cg_sanitize(error, sizeof(error), r->error);
		printf("%s: %s\n", path,
		       !r->opened ? error :
		       r->frames ? "Chargery frames  <- this one" :
		       r->inverted_frames ? "inverted Chargery frames (a TTL adapter?)" :
		       r->bytes ? "bytes, but no Chargery frames" : "silent");
	}
	return EX_OK;
}

/* No PORT given: the only USB serial port, else list them and stop. */
int cg_portpick_choose(char *path, size_t cap, int baud)
{
	struct cg_port_info ports[CG_PORTS_MAX];
	int n = cg_ports_list(ports, CG_PORTS_MAX);
	int usb = 0, pick = -1;

	for (int i = 0; i < n; i++)
		if (ports[i].usb) {
			usb++;
			pick = i;
		}
	if (usb == 1) {
		snprintf(path, cap, "%s", ports[pick].path);
		return -1;
	}
	if (usb > 1) {
		struct cg_probe_result results[CG_PORTS_MAX];
		int map[CG_PORTS_MAX];
		int found = probe_usb_ports(ports, n, baud, &usb, results, map);
		if (found >= 0) {
			char safe[sizeof(ports[0].path)];
			cg_sanitize(safe, sizeof(safe), ports[found].path);
			fprintf(stderr, PROGRAM ": %d USB serial ports; Chargery "
				"frames found on %s, using it\n", usb, safe);
			snprintf(path, cap, "%s", ports[found].path);
			return -1;
		}
	}
	if (usb == 0)
		fprintf(stderr, PROGRAM ": no USB serial port found. Plug in the "
			"USB-RS232 adapter, or name a PORT (try --demo to see the "
			"table without a BMS).\n");
	else
		fprintf(stderr, PROGRAM ": %d USB serial ports found and none "
			"carries Chargery frames; name the one wired to the BMS's "
			"COM3:\n", usb);
	if (n > 0)
		cg_ports_print(stderr, ports, n);
	return EX_USAGE;
}


/* --list mqtt://: what one broker carries. */
#define MQTT_LIST_MAX 64

struct announced {
	char name[CG_MQTT_NAME_MAX];
	int online;          /* 1, 0, -1 not said */
	uint64_t frame_wall; /* the last frame's receive time, 0 none */
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct announced *)a)->name,
		      ((const struct announced *)b)->name);
}

static struct announced *find_name(struct announced *list, int *n,
				   const char *name)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(list[i].name, name) == 0)
			return &list[i];
	if (*n == MQTT_LIST_MAX)
		return NULL;
	struct announced *a = &list[(*n)++];
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->online = -1;
	a->frame_wall = 0;
	return a;
}

int cg_portpick_list_mqtt(const char *text, const char *cafile)
{
	static struct announced list[MQTT_LIST_MAX];
	char url_text[CG_MQTT_HOST_MAX + CG_MQTT_PREFIX_MAX + 64];
	char avail[CG_MQTT_TOPIC_MAX], frames[CG_MQTT_TOPIC_MAX];
	struct cg_mqtt_url url;
	struct cg_error err = { 0 };
	int n = 0;

	/* mqtt://HOST/PREFIX/+ lists the same as mqtt://HOST/PREFIX. */
	snprintf(url_text, sizeof(url_text), "%s", text);
	size_t len = strlen(url_text);
	if (len > 2 && strcmp(url_text + len - 2, "/+") == 0)
		url_text[len - 2] = '\0';
	if (cg_mqtt_url_parse(url_text, &url, &err) < 0) {
		cg_say(err.message);
		return EX_USAGE;
	}
	cg_mqtt_topic(avail, sizeof(avail), url.prefix, "+", "availability");
	cg_mqtt_topic(frames, sizeof(frames), url.prefix, "+", "frames");
	struct cg_mqttc_config config = {
		.url = &url,
		.topics = { avail, frames },
		.cafile = cafile,
		.password = getenv("CHARGERY_MQTT_PASSWORD"),
		.what = "--list",
	};
	struct cg_mqttc *c = cg_mqttc_open(&config, cg_clock_ms(), &err);
	if (!c) {
		cg_say(err.message);
		return err.exit_code;
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "(listening %d s on %s:%d for %s/...)\n",
			CG_PORTPICK_MQTT_MS / 1000, url.host, url.port,
			url.prefix);
	uint64_t deadline = UINT64_MAX;
	for (;;) {
		/* Before any signal handler: Ctrl-C ends --list at once. */
		int ready = cg_mqttc_wait(c, deadline, NULL);
		uint64_t now = cg_clock_ms();
		struct cg_mqttc_msg msg;
		bool was_up, readable = ready > 0;
		enum cg_mqttc_event e;
		while ((e = cg_mqttc_step(c, now, readable, &msg, &was_up,
					  &err)) != CG_MQTTC_IDLE) {
			readable = false;
			if (e == CG_MQTTC_DOWN) {
				cg_mqttc_close(c);
				cg_say(err.message);
				return err.exit_code;
			}
			if (e == CG_MQTTC_UP) {
				deadline = now + CG_PORTPICK_MQTT_MS;
				continue;
			}
			char name[CG_MQTT_NAME_MAX];
			const char *leaf;
			if (e != CG_MQTTC_MESSAGE ||
			    cg_mqtt_topic_split(msg.topic, url.prefix, name,
						sizeof(name), &leaf) < 0)
				continue;
			struct announced *a = NULL;
			uint64_t wall;
			const uint8_t *bytes;
			size_t nbytes;
			if (strcmp(leaf, "availability") == 0 &&
			    (a = find_name(list, &n, name)))
				a->online = cg_mqtt_availability_parse(msg.payload,
								       msg.len);
			else if (strcmp(leaf, "frames") == 0 &&
				 cg_mqtt_frames_parse(msg.payload, msg.len, &wall,
						      &bytes, &nbytes) == 0 &&
				 (a = find_name(list, &n, name)) &&
				 wall > a->frame_wall)
				a->frame_wall = wall;
		}
		if (now >= deadline)
			break;
	}
	cg_mqttc_close(c);
	if (n == 0) {
		cg_sayf("nothing announced on %s:%d under %s/ (no %s/+/availability): "
			"is a chargery-top publishing there with --mqtt?",
			url.host, url.port, url.prefix, url.prefix);
		return EX_UNAVAILABLE;
	}
	qsort(list, (size_t)n, sizeof(list[0]), by_name);
	uint64_t wall_now = cg_clock_wall_ms();
	printf("%-24s %-9s %s\n", "NAME", "AVAILABLE", "LAST FRAME");
	for (int i = 0; i < n; i++) {
		char name[CG_MQTT_NAME_MAX], age[48];
		cg_sanitize(name, sizeof(name), list[i].name);
		if (!list[i].frame_wall)
			snprintf(age, sizeof(age), "none in %d s",
				 CG_PORTPICK_MQTT_MS / 1000);
		else
			snprintf(age, sizeof(age), "%.1f s ago",
				 wall_now > list[i].frame_wall
				 ? (double)(wall_now - list[i].frame_wall) / 1000.0
				 : 0.0);
		printf("%-24s %-9s %s\n", name,
		       list[i].online == 1 ? "online" :
		       list[i].online == 0 ? "offline" : "unknown", age);
	}
	return EX_OK;
}
