/*
 * mqttfmt: the pure half of --mqtt (mqtt.h is the libmosquitto glue). It
 * reads the broker URL, checks names used as topic levels, builds topic
 * names, the payloads that are not --json lines (the derived pack picture,
 * the binary frames payload, the link state in words) and the Home
 * Assistant discovery configs.
 *
 * Pure: no I/O, no allocation, no globals. Writes into the caller's
 * buffers; a call that can fail returns -1 and fills struct cg_error.
 *
 * Topics, under PREFIX/NAME/ (README, "MQTT"):
 *   cells, status, impedance  the --json object of each frame (json.h)
 *   pack          the --once --json picture (snapshot.h) plus "alarm"
 *                 (high, low, delta, lost as booleans) and "power_w"
 *   frames        binary: u64 little-endian ms since the epoch (receive
 *                 time), then the checked frame's bytes as received
 *   link          the doctor's link state in words
 *   availability  "online" / "offline" (retained; offline is the Will)
 */
#ifndef CG_MQTTFMT_H
#define CG_MQTTFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alarm.h"
#include "doctor.h"
#include "error.h"
#include "framer.h"
#include "pack.h"

#define CG_MQTT_PORT 1883
#define CG_MQTTS_PORT 8883
#define CG_MQTT_DEFAULT_PREFIX "chargery"
#define CG_MQTT_DEFAULT_DISCOVERY "homeassistant"
#define CG_MQTT_HOST_MAX 256
#define CG_MQTT_USER_MAX 128
#define CG_MQTT_PREFIX_MAX 128
#define CG_MQTT_NAME_MAX 64
#define CG_MQTT_TOPIC_MAX 512
#define CG_MQTT_FRAMES_MAX (8 + CG_FRAME_MAX)
#define CG_MQTT_PACK_MAX 8448       /* the snapshot plus the extra keys */
#define CG_MQTT_DISCOVERY_MAX 1536  /* one discovery config */
#define CG_MQTT_EXPIRE_S 60         /* sensors go unavailable after this */

/* mqtt://[USER@]HOST[:PORT][/PREFIX] or mqtts://... */
struct cg_mqtt_url {
	bool tls;
	char host[CG_MQTT_HOST_MAX]; /* brackets of an IPv6 literal removed */
	int port;                    /* 1883, 8883 (mqtts) or as given */
	char user[CG_MQTT_USER_MAX]; /* "" = anonymous */
	char prefix[CG_MQTT_PREFIX_MAX]; /* "chargery" unless given; may
					  * hold several levels (a/b) */
};

/* Reads url into *out. -1 with EX_USAGE and what a valid one looks like. */
int cg_mqtt_url_parse(const char *url, struct cg_mqtt_url *out,
		      struct cg_error *err);

/* True when name can be one topic level: not empty, at most
 * CG_MQTT_NAME_MAX - 1 bytes, no '+', '#', '/' or control character. */
bool cg_mqtt_level_ok(const char *name);

/* The same as a call that fails with EX_USAGE saying what is wrong;
 * what names the option ("--name"). */
int cg_mqtt_name_check(const char *name, const char *what,
		       struct cg_error *err);

/* "PREFIX/NAME/LEAF" into out. Returns its length, 0 if cap is too small. */
size_t cg_mqtt_topic(char *out, size_t cap, const char *prefix,
		     const char *name, const char *leaf);

/* The frames payload: wall_ms as u64 little-endian, then the frame bytes.
 * Returns its length (8 + frame->len), 0 if cap is too small. */
size_t cg_mqtt_frames_payload(uint8_t *out, size_t cap, uint64_t wall_ms,
			      const struct cg_frame *frame);

/* "waiting", "connected", "no sync", "disconnected", "ended". */
const char *cg_mqtt_link_text(enum cg_link_state state);

/* The pack topic's JSON (no trailing newline). Returns its length, 0 if
 * cap is too small. */
size_t cg_mqtt_pack_payload(char *out, size_t cap, const struct cg_pack *pack,
			    const struct cg_alarms *alarms,
			    const char *iso_time, uint64_t now_ms);

/* What the discovery configs describe. */
struct cg_mqtt_ha {
	const char *discovery_prefix; /* "homeassistant" */
	const char *prefix;           /* the state topics' PREFIX */
	const char *name;             /* NAME */
	unsigned cells;               /* wired cells: one sensor each */
	const char *version;          /* sw_version of the device */
};

/* How many configs there are for up to CG_MAX_CELLS cells; entity i of
 * that many exists for every i, cells beyond ha->cells have an empty
 * config (which removes the entity in Home Assistant). */
unsigned cg_mqtt_discovery_count(void);

/* Entity i's retained config topic and JSON payload. Returns the payload
 * length (0 for an empty payload, the removal of a cell beyond
 * ha->cells), or -1 if a buffer is too small or i is out of range. */
int cg_mqtt_discovery(const struct cg_mqtt_ha *ha, unsigned i, char *topic,
		      size_t topic_cap, char *json, size_t json_cap);

#endif
