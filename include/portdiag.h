/*
 * portdiag: why a serial port cannot be opened, said so the user can act:
 * which programs hold it (from /proc/locks or /proc/PID/fd), the ports
 * there are when it is missing, the device's group and the usermod command
 * or udev rule when permission is denied.
 *
 * Exit codes (sysexits.h): EX_NOINPUT missing, EX_NOPERM no permission,
 * EX_UNAVAILABLE held by another program, EX_IOERR anything else. Reads
 * /proc, /dev and the user database; writes nothing but *err. Both
 * functions fill *err and return -1.
 */
#ifndef CG_PORTDIAG_H
#define CG_PORTDIAG_H

#include <stdbool.h>

#include "error.h"

/* A failed open() or realpath() of path (resolved: its realpath, or path)
 * with errno error. verbose: the first open explains at length (the list
 * of ports); the once-a-second reopen only needs a status line. */
int cg_portdiag_errno(const char *path, const char *resolved, int error,
		      bool verbose, struct cg_error *err);

/* The port is held by another program. locked: flock() refused (the lock
 * holders are named); else open() said EBUSY (TIOCEXCL: whoever has the
 * device open is named). */
int cg_portdiag_busy(const char *path, const char *resolved, bool locked,
		     struct cg_error *err);

#endif
