/*
 * demo: the built-in simulator on a pty, for --demo. A child process feeds
 * the pty at the BMS's real pace, so the table reads it through the same
 * tty path as a socat or ser2net bridge: the demo exercises the real code.
 */
#ifndef CG_DEMO_H
#define CG_DEMO_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Starts the feeder. Writes the pty's path into path and returns the
 * child's pid, or -1 with err filled (EX_OSERR). */
pid_t cg_demo_start(char *path, size_t path_cap, struct cg_error *err);

/* Stops the feeder and reaps it. Safe with pid <= 0. */
void cg_demo_stop(pid_t pid);

#endif
