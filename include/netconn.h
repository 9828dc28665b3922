/*
 * netconn: one TCP connection to a network bridge that is kept up: a
 * non-blocking connect with a timeout, tried address by address, and
 * after a refusal, a timeout or a loss the next try after a backoff of 1 s
 * doubling to 30 s. The main loop is never held up: the caller polls the
 * socket (cg_netconn_fd) and pumps when it is readable or due.
 *
 * The name is looked up once, at cg_netconn_init, before the main loop,
 * in a child process (resolve.h) whose answer is waited for with the quit
 * signals deliverable: a name server that does not answer never holds up
 * Ctrl-C or SIGTERM. A numeric address is not looked up at all.
 * Errors say what to do, with an exit code the doctor reads
 * (cg_doctor_network in doctor.h):
 *   EX_NOHOST       the name was not found
 *   EX_UNAVAILABLE  the connection was refused
 *   EX_TEMPFAIL     no route, or no answer within the timeout
 *   EX_IOERR        any other reason
 * Not pure: sockets and the name service.
 */
#ifndef CG_NETCONN_H
#define CG_NETCONN_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "net.h"
#include "resolve.h"

#define CG_NETCONN_TIMEOUT_MS 5000   /* a connect without answer fails */
#define CG_NETCONN_BACKOFF_MS 1000   /* first wait before a new try */
#define CG_NETCONN_BACKOFF_MAX_MS 30000
#define CG_NETCONN_CHECK_MS 20       /* a connect in progress is looked at */
#define CG_NETCONN_SAY_LOOKUP_MS 300 /* a lookup this slow is said on stderr */

enum cg_netconn_state {
	CG_NETCONN_DOWN,       /* waiting for retry_at_ms */
	CG_NETCONN_CONNECTING, /* a connect is in progress */
	CG_NETCONN_UP,         /* connected: fd reads and writes */
};

struct cg_netconn {
	enum cg_netconn_state state;
	int fd;                 /* -1 unless connecting or up */
	struct cg_resolve lookup; /* the looked-up addresses */
	unsigned next;          /* the address being tried, in lookup.addr */
	int first_errno;        /* of the first address that failed this try */
	uint64_t deadline_ms;   /* of the connect in progress */
	uint64_t retry_at_ms;   /* of the next try, when down */
	uint64_t backoff_ms;    /* the wait after the next failure */
	char where[CG_NET_HOST_MAX + 8]; /* host:port, for messages */
	const char *refused_hint; /* said after "connection refused" */
};

/* Looks up url's host (once, waiting for the answer with the quit
 * signals deliverable; a lookup slower than CG_NETCONN_SAY_LOOKUP_MS is
 * said on stderr, "looking up HOST for HOST:PORT") and schedules the
 * first connect at now_ms. Returns -1 with err filled: EX_NOHOST when the
 * name is not found or the name server did not answer within
 * CG_RESOLVE_TIMEOUT_MS, EX_TEMPFAIL when a quit signal came (the
 * caller's handler has seen it). */
int cg_netconn_init(struct cg_netconn *nc, const struct cg_net_url *url,
		    const char *refused_hint, uint64_t now_ms,
		    struct cg_error *err);

/* The fd to poll for input: the socket while connecting or up, else -1. */
int cg_netconn_fd(const struct cg_netconn *nc);

/* When a pump is wanted without input: a connect to look at, a retry. */
uint64_t cg_netconn_due_ms(const struct cg_netconn *nc, uint64_t now_ms);

/*
 * Moves the connection on: starts a due retry, looks at a connect in
 * progress. Returns 1 when it just came up, 0 when nothing changed (or
 * it is up already, or not due), -1 when a try failed (err filled; the
 * next try is scheduled after the backoff).
 */
int cg_netconn_step(struct cg_netconn *nc, uint64_t now_ms,
		    struct cg_error *err);

/* Closes the socket; the next try comes after the backoff. */
void cg_netconn_drop(struct cg_netconn *nc, uint64_t now_ms);

/* The link proved good (data arrived): the next backoff is 1 s again. */
void cg_netconn_healthy(struct cg_netconn *nc);

/* Closes the socket; ends a lookup still running. */
void cg_netconn_close(struct cg_netconn *nc);

#endif
