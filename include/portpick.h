/*
 * portpick: which port to read when the user names none, and --list.
 *
 * With one USB serial port, that one; with several, the one carrying
 * Chargery frames after listening to all of them at once (probe.h); with
 * none, or several and none carrying frames, a message that lists what
 * there is. Never sends anything to a port.
 */
#ifndef CG_PORTPICK_H
#define CG_PORTPICK_H

#include <stddef.h>

/* --list: prints the serial ports, listens on the USB ones and marks the
 * one carrying Chargery frames. Returns an exit code (EX_OSERR when the
 * ports cannot be listed). */
int cg_portpick_list(int baud);

/* --list mqtt://HOST[:PORT][/PREFIX]: the BMS names announced on the
 * broker under PREFIX (chargery if none; a last level + is the same),
 * with their availability and the age of their last frame, after
 * listening CG_PORTPICK_MQTT_MS for the retained messages and frames.
 * cafile: for mqtts:// (NULL: the system's CAs). Returns an exit code:
 * EX_UNAVAILABLE when none is announced, the broker's when it cannot be
 * reached. */
#define CG_PORTPICK_MQTT_MS 2000
int cg_portpick_list_mqtt(const char *url, const char *cafile);

/* No PORT named: writes the port to read into path and returns -1, or
 * prints why none can be chosen and returns EX_USAGE. */
int cg_portpick_choose(char *path, size_t cap, int baud);

#endif
