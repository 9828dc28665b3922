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

/* No PORT named: writes the port to read into path and returns -1, or
 * prints why none can be chosen and returns EX_USAGE. */
int cg_portpick_choose(char *path, size_t cap, int baud);

#endif
