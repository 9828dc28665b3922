/*
 * netconn: a kept-up TCP connection to a bridge (see netconn.h).
 */
#include "netconn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include "clock.h"
#include "say.h"

int cg_netconn_init(struct cg_netconn *nc, const struct cg_net_url *url,
		    const char *refused_hint, uint64_t now_ms,
		    struct cg_error *err)
{
	struct cg_resolve *r = &nc->lookup;

	memset(nc, 0, sizeof(*nc));
	nc->fd = -1;
	nc->backoff_ms = CG_NETCONN_BACKOFF_MS;
	nc->refused_hint = refused_hint;
	snprintf(nc->where, sizeof(nc->where), "%s", url->authority);
	cg_resolve_init(r);
	cg_resolve_start(r, url->host, url->port, SOCK_STREAM, now_ms);
	if (cg_resolve_wait(r, cg_clock_ms() + CG_NETCONN_SAY_LOOKUP_MS) ==
	    CG_RESOLVE_RUNNING) {
		cg_sayf("looking up %s for %s (Ctrl-C stops)", url->host,
			nc->where);
		cg_resolve_wait(r, UINT64_MAX);
	}
	switch (r->state) {
	case CG_RESOLVE_DONE:
		break;
	case CG_RESOLVE_FAILED:
		if (r->gai == EAI_AGAIN) /* not "no such name": no answer */
			return cg_error_set(err, EX_NOHOST,
					    "no answer from the name server "
					    "for %s (%s). Check the network "
					    "and /etc/resolv.conf, or give "
					    "the bridge's IP address.",
					    url->host, r->why);
		return cg_error_set(err, EX_NOHOST,
				    "name not found: %s (%s). Check the "
				    "bridge's name, or give its IP address.",
				    url->host, r->why);
	default:
		return cg_error_set(err, EX_TEMPFAIL, "stopped while looking "
				    "up %s", url->host);
	}
	nc->state = CG_NETCONN_DOWN;
	nc->retry_at_ms = now_ms;
	return 0;
}

int cg_netconn_fd(const struct cg_netconn *nc)
{
	return nc->state == CG_NETCONN_DOWN ? -1 : nc->fd;
}

uint64_t cg_netconn_due_ms(const struct cg_netconn *nc, uint64_t now_ms)
{
	switch (nc->state) {
	case CG_NETCONN_DOWN:
		return nc->retry_at_ms;
	case CG_NETCONN_CONNECTING: {
		uint64_t at = now_ms + CG_NETCONN_CHECK_MS;
		return at < nc->deadline_ms ? at : nc->deadline_ms;
	}
	case CG_NETCONN_UP:
		break;
	}
	return UINT64_MAX;
}

static void close_fd(struct cg_netconn *nc)
{
	if (nc->fd >= 0)
		close(nc->fd);
	nc->fd = -1;
}

void cg_netconn_drop(struct cg_netconn *nc, uint64_t now_ms)
{
	close_fd(nc);
	nc->state = CG_NETCONN_DOWN;
	nc->retry_at_ms = now_ms + nc->backoff_ms;
	nc->backoff_ms *= 2;
	if (nc->backoff_ms > CG_NETCONN_BACKOFF_MAX_MS)
		nc->backoff_ms = CG_NETCONN_BACKOFF_MAX_MS;
}

void cg_netconn_healthy(struct cg_netconn *nc)
{
	nc->backoff_ms = CG_NETCONN_BACKOFF_MS;
}

/* Starts a connect to nc->next. Returns 0 in progress (or done), or an
 * errno. */
static int start(struct cg_netconn *nc)
{
	const struct cg_resolve_addr *ai = &nc->lookup.addr[nc->next];
	int one = 1;

	nc->fd = socket(ai->family,
			ai->socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->protocol);
	if (nc->fd < 0)
		return errno;
	/* Small writes (pongs, the close frame) go out at once. */
	setsockopt(nc->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(nc->fd, (const struct sockaddr *)&ai->addr, ai->len) < 0 &&
	    errno != EINPROGRESS) {
		int e = errno;
		close_fd(nc);
		return e;
	}
	return 0;
}

/* The error of a failed try, in plain words. */
static int failed(struct cg_netconn *nc, int e, uint64_t now_ms,
		  struct cg_error *err)
{
	cg_netconn_drop(nc, now_ms);
	switch (e) {
	case ECONNREFUSED:
		return cg_error_set(err, EX_UNAVAILABLE,
				    "connection refused by %s: %s", nc->where,
				    nc->refused_hint);
	case ETIMEDOUT:
		return cg_error_set(err, EX_TEMPFAIL,
				    "no answer from %s within %d s: is the "
				    "bridge on, and at that address?",
				    nc->where, CG_NETCONN_TIMEOUT_MS / 1000);
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EADDRNOTAVAIL:
		return cg_error_set(err, EX_TEMPFAIL,
				    "no route to %s: is this machine on the "
				    "bridge's network?", nc->where);
	default:
		return cg_error_set(err, EX_IOERR, "cannot connect to %s: %s",
				    nc->where, strerror(e));
	}
}

/* Tries the addresses from nc->next on until one is in progress. Returns
 * 0, or -1 when none is left. */
static int try_from(struct cg_netconn *nc, uint64_t now_ms)
{
	for (; nc->next < nc->lookup.n; nc->next++) {
		int e = start(nc);
		if (e == 0) {
			nc->state = CG_NETCONN_CONNECTING;
			nc->deadline_ms = now_ms + CG_NETCONN_TIMEOUT_MS;
			return 0;
		}
		if (!nc->first_errno)
			nc->first_errno = e;
	}
	return -1;
}

int cg_netconn_step(struct cg_netconn *nc, uint64_t now_ms,
		    struct cg_error *err)
{
	if (nc->state == CG_NETCONN_DOWN) {
		if (now_ms < nc->retry_at_ms)
			return 0;
		nc->next = 0;
		nc->first_errno = 0;
		if (try_from(nc, now_ms) < 0)
			return failed(nc, nc->first_errno, now_ms, err);
	}
	if (nc->state != CG_NETCONN_CONNECTING)
		return 0;

	struct pollfd pfd = { .fd = nc->fd, .events = POLLOUT };
	int e = 0;
	socklen_t len = sizeof(e);

	if (poll(&pfd, 1, 0) <= 0) {
		if (now_ms < nc->deadline_ms)
			return 0;
		e = ETIMEDOUT;
	} else if (getsockopt(nc->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0) {
		e = errno;
	}
	if (e == 0) {
		nc->state = CG_NETCONN_UP;
		return 1;
	}
	/* This address failed: the next one, if any. */
	if (!nc->first_errno)
		nc->first_errno = e;
	close_fd(nc);
	nc->next++;
	if (try_from(nc, now_ms) == 0)
		return 0;
	return failed(nc, nc->first_errno, now_ms, err);
}

void cg_netconn_close(struct cg_netconn *nc)
{
	close_fd(nc);
	cg_resolve_cancel(&nc->lookup);
	nc->state = CG_NETCONN_DOWN;
}
