/*
 * resolve: getaddrinfo() in a child process, read from a pipe (see
 * resolve.h).
 */
/* ppoll(), pipe2(): waiting with the quit signals unblocked. */
#define _GNU_SOURCE
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "quitsig.h"

/* What the child writes, in one write(2) (less than PIPE_BUF, so whole):
 * getaddrinfo's code, the count, then the addresses. */
struct answer_head {
	int gai;
	int n;
};

void cg_resolve_init(struct cg_resolve *r)
{
	memset(r, 0, sizeof(*r));
	r->state = CG_RESOLVE_IDLE;
	r->pid = -1;
	r->fd = -1;
}

static int lookup(const char *host, const char *port, int socktype,
		  int flags, struct addrinfo **out)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = socktype,
		.ai_flags = flags | AI_NUMERICSERV,
	};

	return getaddrinfo(host, port, &hints, out);
}

/* Copies up to CG_RESOLVE_MAX addresses. */
static unsigned keep(struct cg_resolve_addr *to, const struct addrinfo *ai)
{
	unsigned n = 0;

	for (; ai && n < CG_RESOLVE_MAX; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(to[n].addr))
			continue;
		to[n] = (struct cg_resolve_addr){
			.family = ai->ai_family,
			.socktype = ai->ai_socktype,
			.protocol = ai->ai_protocol,
			.len = ai->ai_addrlen,
		};
		memcpy(&to[n].addr, ai->ai_addr, ai->ai_addrlen);
		n++;
	}
	return n;
}

bool cg_resolve_numeric(const char *host)
{
	struct addrinfo *ai = NULL;

	if (lookup(host, "0", SOCK_STREAM, AI_NUMERICHOST, &ai) != 0)
		return false;
	freeaddrinfo(ai);
	return true;
}

static void failed(struct cg_resolve *r, int gai, const char *why)
{
	r->state = CG_RESOLVE_FAILED;
	r->gai = gai;
	snprintf(r->why, sizeof(r->why), "%s", why);
}

/* The child: looks the name up, writes the answer, exits. Never returns;
 * _exit() so that nothing of the parent (stdio buffers, atexit) runs. */
static void child(int wfd, pid_t parent, const char *host, const char *port,
		  int socktype)
{
	struct addrinfo *ai = NULL;
	struct answer_head head = { 0, 0 };
	struct cg_resolve_addr addr[CG_RESOLVE_MAX];
	unsigned char out[sizeof(head) + sizeof(addr)];
	int rc;

	/* Not outliving a parent killed hard (SIGKILL). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	rc = lookup(host, port, socktype, AI_ADDRCONFIG, &ai);
	if (rc == EAI_NONAME) {
		/* AI_ADDRCONFIG hides ::1 on a host with no IPv6 address
		 * but loopback; ask again without it. */
		rc = lookup(host, port, socktype, 0, &ai);
	}
	head.gai = rc;
	if (rc == 0) {
		head.n = (int)keep(addr, ai);
		freeaddrinfo(ai);
	}
	memcpy(out, &head, sizeof(head));
	memcpy(out + sizeof(head), addr,
	       (size_t)head.n * sizeof(addr[0]));
	ssize_t w = write(wfd, out, sizeof(head) +
			  (size_t)head.n * sizeof(addr[0]));
	_exit(w < 0);
}

enum cg_resolve_state cg_resolve_start(struct cg_resolve *r, const char *host,
				       const char *port, int socktype,
				       uint64_t now_ms)
{
	struct addrinfo *ai = NULL;
	int p[2];

	cg_resolve_cancel(r);
	r->n = 0;
	r->got = 0;
	r->gai = 0;
	r->why[0] = '\0';
	if (lookup(host, port, socktype, AI_NUMERICHOST, &ai) == 0) {
		r->n = keep(r->addr, ai);
		freeaddrinfo(ai);
		r->state = CG_RESOLVE_DONE;
		return r->state;
	}
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		failed(r, EAI_SYSTEM, strerror(errno));
		return r->state;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		failed(r, EAI_SYSTEM, strerror(errno));
		close(p[0]);
		close(p[1]);
		return r->state;
	}
	if (pid == 0) {
		close(p[0]);
		child(p[1], parent, host, port, socktype);
	}
	close(p[1]);
	r->pid = pid;
	r->fd = p[0];
	r->deadline_ms = now_ms + CG_RESOLVE_TIMEOUT_MS;
	r->state = CG_RESOLVE_RUNNING;
	return r->state;
}

int cg_resolve_fd(const struct cg_resolve *r)
{
	return r->state == CG_RESOLVE_RUNNING ? r->fd : -1;
}

uint64_t cg_resolve_due_ms(const struct cg_resolve *r)
{
	return r->state == CG_RESOLVE_RUNNING ? r->deadline_ms : UINT64_MAX;
}

static void reap(struct cg_resolve *r, bool kill_it)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	if (r->pid > 0) {
		if (kill_it)
			kill(r->pid, SIGKILL);
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	r->pid = -1;
}

int cg_resolve_text(const struct cg_resolve_addr *a, char *out, size_t cap)
{
	char host[NI_MAXHOST];

	if (getnameinfo((const struct sockaddr *)&a->addr, a->len, host,
			sizeof(host), NULL, 0, NI_NUMERICHOST) != 0 ||
	    strlen(host) >= cap)
		return -1;
	memcpy(out, host, strlen(host) + 1);
	return 0;
}

int cg_resolve_next_text(struct cg_resolve *r, char *out, size_t cap)
{
	if (r->state != CG_RESOLVE_DONE || r->n == 0)
		return -1;
	return cg_resolve_text(&r->addr[r->turn++ % r->n], out, cap);
}

void cg_resolve_cancel(struct cg_resolve *r)
{
	if (r->state == CG_RESOLVE_RUNNING)
		r->state = CG_RESOLVE_IDLE;
	reap(r, true);
}

/* The child's whole answer is in: addresses or the resolver's error. */
static void answer(struct cg_resolve *r)
{
	struct answer_head head;

	if (r->got < sizeof(head)) {
		failed(r, EAI_SYSTEM, "the lookup ended without an answer");
		return;
	}
	memcpy(&head, r->buf, sizeof(head));
	if (head.gai != 0) {
		failed(r, head.gai, gai_strerror(head.gai));
		return;
	}
	if (head.n <= 0 || head.n > CG_RESOLVE_MAX ||
	    r->got != sizeof(head) + (size_t)head.n * sizeof(r->addr[0])) {
		failed(r, EAI_NONAME, "no address");
		return;
	}
	r->n = (unsigned)head.n;
	memcpy(r->addr, r->buf + sizeof(head), r->n * sizeof(r->addr[0]));
	r->state = CG_RESOLVE_DONE;
}

enum cg_resolve_state cg_resolve_step(struct cg_resolve *r, uint64_t now_ms)
{
	if (r->state != CG_RESOLVE_RUNNING)
		return r->state;
	for (;;) {
		ssize_t n = read(r->fd, r->buf + r->got, sizeof(r->buf) - r->got);
		if (n > 0) {
			r->got += (size_t)n;
			if (r->got < sizeof(r->buf))
				continue;
			n = 0; /* full: nothing more can come */
		}
		if (n == 0) {
			reap(r, false);
			answer(r);
			return r->state;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		int e = errno;
		reap(r, true);
		failed(r, EAI_SYSTEM, strerror(e));
		return r->state;
	}
	if (now_ms >= r->deadline_ms) {
		char why[CG_RESOLVE_WHY_MAX];
		reap(r, true);
		snprintf(why, sizeof(why), "no answer from the name server "
			 "within %d s", CG_RESOLVE_TIMEOUT_MS / 1000);
		failed(r, EAI_AGAIN, why);
	}
	return r->state;
}

enum cg_resolve_state cg_resolve_wait(struct cg_resolve *r,
				      uint64_t until_ms)
{
	sigset_t mask;

	cg_quitsig_wait_mask(&mask);
	while (r->state == CG_RESOLVE_RUNNING) {
		uint64_t now = cg_clock_ms();
		if (cg_resolve_step(r, now) != CG_RESOLVE_RUNNING)
			break;
		if (now >= until_ms)
			break;
		uint64_t end = until_ms < r->deadline_ms ? until_ms
							 : r->deadline_ms;
		uint64_t wait_ms = end > now ? end - now : 0;
		struct timespec timeout = {
			.tv_sec = (time_t)(wait_ms / 1000),
			.tv_nsec = (long)(wait_ms % 1000) * 1000000L,
		};
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		if (ppoll(&p, 1, &timeout, &mask) < 0 && errno == EINTR) {
			/* A quit signal: its handler has seen it. */
			cg_resolve_cancel(r);
			break;
		}
	}
	return r->state;
}
