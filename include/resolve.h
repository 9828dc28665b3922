/*
 * resolve: a host name looked up without blocking the caller, so that a
 * quit signal (Ctrl-C, SIGTERM) is never held up by a name server that
 * does not answer.
 *
 * getaddrinfo() has no timeout of its own and cannot be interrupted: it
 * runs in a child process (fork) that writes the addresses to a pipe and
 * exits. The caller polls the pipe (cg_resolve_fd) like any other fd and
 * steps the lookup when it is readable or due; a lookup that is cancelled
 * or takes longer than CG_RESOLVE_TIMEOUT_MS has its child killed and
 * reaped at once. A numeric address (127.0.0.1, ::1) is read in place:
 * no child, done at start.
 *
 * At most CG_RESOLVE_MAX addresses are kept, in the resolver's order.
 * Failures leave gai (getaddrinfo's EAI_ code; EAI_AGAIN for our own
 * timeout, EAI_SYSTEM when no child could be started) and why, words for
 * a message. No allocation: the struct holds everything.
 *
 * Not pure: fork, pipes, the name service (in the child).
 */
#ifndef CG_RESOLVE_H
#define CG_RESOLVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define CG_RESOLVE_MAX 8
#define CG_RESOLVE_TIMEOUT_MS 12000 /* no answer this long: EAI_AGAIN */
#define CG_RESOLVE_WHY_MAX 96

enum cg_resolve_state {
	CG_RESOLVE_IDLE,    /* nothing started, or cancelled */
	CG_RESOLVE_RUNNING, /* the child is looking the name up */
	CG_RESOLVE_DONE,    /* addresses in addr[0..n) */
	CG_RESOLVE_FAILED,  /* gai and why say why */
};

struct cg_resolve_addr {
	int family, socktype, protocol;
	socklen_t len;
	struct sockaddr_storage addr;
};

struct cg_resolve {
	enum cg_resolve_state state;
	pid_t pid;            /* the child while running, else -1 */
	int fd;               /* the pipe's read end while running, else -1 */
	uint64_t deadline_ms; /* of the running lookup */
	int gai;              /* with FAILED */
	char why[CG_RESOLVE_WHY_MAX];
	unsigned n;
	struct cg_resolve_addr addr[CG_RESOLVE_MAX];
	unsigned turn;        /* cg_resolve_next_text's next; kept across
			       * lookups, so tries go round the list */
	size_t got;           /* bytes of the answer read so far */
	unsigned char buf[sizeof(int) * 2 +
			  CG_RESOLVE_MAX * sizeof(struct cg_resolve_addr)];
};

/* An IDLE lookup. Call once before anything else. */
void cg_resolve_init(struct cg_resolve *r);

/* True when host is a numeric IPv4 or IPv6 address. */
bool cg_resolve_numeric(const char *host);

/* Starts looking host up for port (a number, as text) and socktype
 * (SOCK_STREAM), at now_ms; a lookup still running is cancelled first.
 * Returns the new state: DONE at once for a numeric address, RUNNING, or
 * FAILED (no child could be started, or a bad numeric address). */
enum cg_resolve_state cg_resolve_start(struct cg_resolve *r, const char *host,
				       const char *port, int socktype,
				       uint64_t now_ms);

/* The fd to poll for input while RUNNING, else -1. */
int cg_resolve_fd(const struct cg_resolve *r);

/* When a step is due without input: the timeout; UINT64_MAX when not
 * running. */
uint64_t cg_resolve_due_ms(const struct cg_resolve *r);

/* Reads what the child wrote (never blocks), or fails the lookup when
 * past its deadline. Returns the state: RUNNING until it is DONE or
 * FAILED; the child is reaped by then. */
enum cg_resolve_state cg_resolve_step(struct cg_resolve *r, uint64_t now_ms);

/* Waits for a running lookup to end, but not past until_ms (monotonic;
 * UINT64_MAX: its own timeout), with the quit signals (SIGINT, SIGTERM,
 * SIGHUP) unblocked while it waits, whatever the caller's mask: a caller
 * that blocks them for its main loop can still be stopped here (its
 * handler sees the signal). Returns the state: still RUNNING at until_ms,
 * or IDLE when a signal came (the lookup is then cancelled). For a lookup
 * that has to end before the main loop starts (a bridge's address). */
enum cg_resolve_state cg_resolve_wait(struct cg_resolve *r,
				      uint64_t until_ms);

/* The address as text for a numeric host ("192.0.2.7", "::1"), into out.
 * Returns 0, or -1 when it does not fit. */
int cg_resolve_text(const struct cg_resolve_addr *a, char *out, size_t cap);

/* A DONE lookup's address for the next try, as text: each call the next
 * of addr[0..n), round the list, also across lookups of the same name
 * ("localhost" is often ::1 first, and a server may listen on 127.0.0.1
 * alone). Returns 0, or -1 when there is none (not DONE) or it does not
 * fit. */
int cg_resolve_next_text(struct cg_resolve *r, char *out, size_t cap);

/* Kills and reaps a running child; the lookup is IDLE again. Safe at any
 * state. */
void cg_resolve_cancel(struct cg_resolve *r);

#endif
