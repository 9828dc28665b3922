/*
 * mqttsub: the pure half of reading a pack from an MQTT broker (the
 * mqtt:// source, source_mqtt.c, and --list mqtt://): what is published
 * by another chargery-top's --mqtt (mqttfmt.h), read back.
 *
 *   mqtt://[USER@]HOST[:PORT]/PREFIX/NAME   one BMS, PREFIX/NAME/...
 *   mqtt://[USER@]HOST[:PORT]/PREFIX/+      every BMS announced under
 *                                           PREFIX (PREFIX/+/availability)
 *   mqtts://...                             the same over TLS
 *
 * The remote pack's clock. A frame carries its receive time on the
 * publisher's wall clock (ms since the epoch). The reader's pack ages by
 * its own monotonic clock, so a frame is placed at now_mono minus its age
 * (the reader's wall clock now minus the frame's time): a frame that took
 * 3 s through the broker is 3 s old on arrival, and a retained or queued
 * one is not fresh. A frame stamped in the future (clocks apart) is taken
 * as received now. Ages are right as far as both hosts keep time (NTP).
 *
 * Pure: no I/O, no allocation, no globals. Calls that can fail return -1
 * and fill struct cg_error.
 */
#ifndef CG_MQTTSUB_H
#define CG_MQTTSUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "mqttfmt.h"

#define CG_MQTT_EVERY "+"

struct cg_mqtt_src_url {
	struct cg_mqtt_url broker;   /* host, port, tls, user; its prefix is
				      * PREFIX (one level or several) */
	char name[CG_MQTT_NAME_MAX]; /* NAME, or "+" */
	bool every;                  /* NAME is "+": every BMS announced */
};

/* Reads an mqtt:// or mqtts:// source. -1 with EX_USAGE and what a good
 * one looks like (PREFIX and NAME are both needed). */
int cg_mqtt_src_url_parse(const char *url, struct cg_mqtt_src_url *out,
			  struct cg_error *err);

/* True when url names an MQTT broker (mqtt:// or mqtts://). */
bool cg_mqtt_is_url(const char *url);

/* Splits topic "PREFIX/NAME/LEAF" under prefix: 0 with NAME copied into
 * name (cap bytes) and *leaf pointing into topic; -1 when topic is not
 * under prefix, NAME is not a valid level or LEAF has levels. */
int cg_mqtt_topic_split(const char *topic, const char *prefix, char *name,
			size_t cap, const char **leaf);

/* The frames payload read: its receive time and the frame's bytes (which
 * point into payload). -1 when it is too short to hold a frame (8 + 1
 * bytes) or longer than any frame (CG_MQTT_FRAMES_MAX). */
int cg_mqtt_frames_parse(const uint8_t *payload, size_t len,
			 uint64_t *wall_ms, const uint8_t **bytes,
			 size_t *n);

/* An availability payload: 1 "online", 0 "offline", -1 anything else. */
int cg_mqtt_availability_parse(const void *payload, size_t len);

/* The reader's monotonic time for a frame received at frame_wall_ms on
 * the publisher (see above); never above mono_now_ms, never 0. */
uint64_t cg_mqtt_remote_ms(uint64_t frame_wall_ms, uint64_t wall_now_ms,
			   uint64_t mono_now_ms);

#endif
