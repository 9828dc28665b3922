/*
 * ports: what serial ports this machine has (for --list, for choosing the
 * port when none is named, and for finding an adapter again by its USB
 * serial number after it comes back under a new ttyUSB number).
 */
#ifndef CG_PORTS_H
#define CG_PORTS_H

#include <stdbool.h>
#include <stdio.h>

#define CG_PORTS_MAX 64

struct cg_port_info {
	char path[128];  /* /dev/ttyUSB0 */
	char by_id[256]; /* /dev/serial/by-id/... or "" */
	bool usb;
	int vid, pid;    /* valid when usb */
	char manufacturer[128];
	char product[128];
	char serial[128];
};

/* Fills out with up to cap ports, sorted by path. Returns the count, or -1
 * when the ports cannot be listed. */
int cg_ports_list(struct cg_port_info *out, int cap);

/* Prints ports as a table, one per line, for --list and error messages. */
void cg_ports_print(FILE *to, const struct cg_port_info *ports, int count);

#endif
