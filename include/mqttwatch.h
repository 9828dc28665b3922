/*
 * mqttwatch: every BMS announced on a broker, for a source
 * mqtt://HOST[:PORT]/PREFIX/+ (mqttsub.h). It subscribes to
 * PREFIX/+/availability and hands out each NAME that says "online" for
 * the first time, as the URL of its own source (mqtt://.../PREFIX/NAME):
 * the bank opens one pack per NAME (bank.h). A pack is never taken away:
 * once its NAME goes offline its own source says so (the pack shows as
 * disconnected, keeps its history and its key) and comes back with it.
 * At most CG_MAX_SOURCES names are handed out over the run; a name past
 * that is said once as a note and left out. None online at the start is
 * no error: the run waits for them (cg_mqttwatch_where says where), but
 * for one that must answer at once (cg_mqttwatch_none).
 *
 * The main loop polls cg_mqttwatch_fd, wakes at cg_mqttwatch_due_ms and
 * calls cg_mqttwatch_step until it returns false. Not pure: sockets (as
 * mqttclient.h).
 */
#ifndef CG_MQTTWATCH_H
#define CG_MQTTWATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "mqttfmt.h"
#include "options.h"

#define CG_MQTTWATCH_URL_MAX 600
#define CG_MQTTWATCH_NOTE_MAX 200
#define CG_MQTTWATCH_WHERE_MAX 400

struct cg_mqttwatch;

/* url ends in "/+". Starts the connection. NULL with err filled (EX_USAGE
 * for a bad URL; as cg_mqttc_open). */
struct cg_mqttwatch *cg_mqttwatch_open(const char *url, const char *cafile,
				       uint64_t now_ms, struct cg_error *err);

/* Waits (blocking, up to CG_MQTTC_CONNECT_MS for the broker, then
 * wait_ms) for the names announced already (retained), with wait_mask as
 * the signal mask while waiting (the main loop's: a quit signal stops the
 * wait). Returns 0, or -1 with err filled when the broker cannot be
 * reached or a signal came. */
int cg_mqttwatch_gather(struct cg_mqttwatch *w, uint64_t wait_ms,
			const sigset_t *wait_mask, struct cg_error *err);

/* Where it waits for packs, in words: "PREFIX/+ on HOST" (":PORT" when
 * not the usual one). Valid until cg_mqttwatch_close. */
const char *cg_mqttwatch_where(const struct cg_mqttwatch *w);

/* Whether its broker connection is up now. */
bool cg_mqttwatch_up(const struct cg_mqttwatch *w);

/* The answer when a run that must not wait (--once) found nobody: -1
 * with err filled, EX_UNAVAILABLE and what to do. */
int cg_mqttwatch_none(const struct cg_mqttwatch *w, struct cg_error *err);

int cg_mqttwatch_fd(const struct cg_mqttwatch *w);
uint64_t cg_mqttwatch_due_ms(const struct cg_mqttwatch *w, uint64_t now_ms);

/* Moves on. True with a NAME newly online: *url is its source's URL and
 * *name the NAME (both valid until cg_mqttwatch_close); or true with
 * *url NULL and note filled (the broker lost or back, a name left out).
 * False when there is nothing more now. */
bool cg_mqttwatch_step(struct cg_mqttwatch *w, uint64_t now_ms,
		       bool readable, const char **url, const char **name,
		       char *note, size_t cap);

/* Closes and frees; the URLs handed out go with it. Safe with NULL. */
void cg_mqttwatch_close(struct cg_mqttwatch *w);

#endif
