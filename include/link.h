/*
 * link: the byte source. Opens what the user named as PORT and hands out a
 * file descriptor to poll and bytes to read; never writes to the BMS.
 *
 *  - a USB or built-in serial port: through libserialport (realpath() first,
 *    read-only, baud 8N1, no flow control), with an exclusive flock() as tio
 *    and picocom take, so two readers never split one stream;
 *  - a pty or other tty libserialport cannot open (socat, ser2net): plain
 *    termios, same settings;
 *  - a regular file (a raw capture), read as fast as it decodes;
 *  - "-": standard input.
 *
 * A serial port or tty is always raw, whatever it was set to before: no
 * XON/XOFF (hardware or software), no CR/NL mapping, stripping, parity
 * marking, line editing, echo or signal characters; every byte value 0..255
 * is handed out as it arrived. Whatever the tty buffered before the open
 * (or reopen) is dropped: bytes are only ever news.
 *
 * Functions return 0 on success and -1 on failure, like the system calls
 * they wrap, with the exit code and what to do in a struct cg_error.
 */
#ifndef CG_LINK_H
#define CG_LINK_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct sp_port;

enum cg_link_kind {
	CG_LINK_SERIAL, /* opened through libserialport */
	CG_LINK_TTY,    /* a tty opened through termios (ptys) */
	CG_LINK_FILE,   /* a regular file: a capture */
	CG_LINK_STDIN,
};

struct cg_link {
	char path[PATH_MAX];     /* as the user gave it */
	char resolved[PATH_MAX]; /* after realpath() at the last open */
	char usb_serial[128];    /* of the USB adapter, "" if none/unknown */
	int baud;
	enum cg_link_kind kind;
	int fd; /* -1 while closed */
	struct sp_port *port;
};

/* Opens path at baud. On failure fills *err and returns -1. */
int cg_link_open(struct cg_link *link, const char *path, int baud,
		 struct cg_error *err);

/* Results of cg_link_read() besides a byte count. */
#define CG_LINK_AGAIN 0 /* nothing to read right now */
#define CG_LINK_EOF (-1) /* end of a capture file or of stdin */
#define CG_LINK_LOST (-2) /* the device went away (unplug, hang-up) */

/* Reads up to cap bytes without blocking. Returns the count (> 0) or one
 * of CG_LINK_AGAIN, CG_LINK_EOF, CG_LINK_LOST. After CG_LINK_LOST the link
 * is closed; call cg_link_reopen() (about once a second) to get it back. */
ssize_t cg_link_read(struct cg_link *link, void *buf, size_t cap);

/* Tries once to open the same device again: the same path, or an adapter
 * with the same USB serial number under a new name. 0 when back. */
int cg_link_reopen(struct cg_link *link, struct cg_error *err);

/* Changes the speed of an open serial port or tty (baud hunting) and drops
 * what was received at the old speed. A reopen comes back at this speed.
 * Files and stdin have no speed: EX_USAGE. On failure the speed is as
 * before. */
int cg_link_set_baud(struct cg_link *link, int baud,
		     struct cg_error *err);

void cg_link_close(struct cg_link *link);

#endif
