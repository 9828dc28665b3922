/*
 * quitsig: the signals that end a run (SIGINT, SIGTERM, SIGHUP), named in
 * one place. chargery-top blocks them from start-up on and lets them in
 * only while it waits (the mask it gives ppoll), so a signal is noticed
 * at one point of the loop; a wait before the loop (a name lookup) uses
 * the same mask.
 *
 * Not pure: signal dispositions and the process's mask.
 */
#ifndef CG_QUITSIG_H
#define CG_QUITSIG_H

#include <signal.h>

/* handler for each quit signal (no SA_RESTART). */
void cg_quitsig_install(void (*handler)(int));

/* Blocks them; *wait_mask is the mask from before, less them: what a
 * wait (ppoll) runs with. */
void cg_quitsig_block(sigset_t *wait_mask);

/* The calling thread's mask now, less the quit signals. */
void cg_quitsig_wait_mask(sigset_t *wait_mask);

/* A quit signal pending (blocked, not yet delivered), or 0. */
int cg_quitsig_pending(void);

#endif
