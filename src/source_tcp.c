/*
 * source_tcp: a raw TCP stream from a network bridge as a source
 * (source.h): ser2net in raw mode, esp-link, a USR-TCP232 box in
 * TCP-server mode. netconn.h keeps the connection up; this file only
 * reads, one read per loop turn, and never writes.
 */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include "clock.h"
#include "net.h"
#include "netconn.h"

#define READ_CHUNK 4096

struct tcp_state {
	struct cg_netconn conn;
	bool down_told;      /* a LOST or OPEN_FAILED went out: BACK is due */
	bool read_this_turn; /* one read, then IDLE, per loop turn */
	uint8_t buf[READ_CHUNK];
};

static int tcp_poll_fd(const struct cg_source *src)
{
	const struct tcp_state *t = src->state;

	return cg_netconn_fd(&t->conn);
}

static uint64_t tcp_due_ms(const struct cg_source *src, uint64_t now_ms)
{
	const struct tcp_state *t = src->state;

	return cg_netconn_due_ms(&t->conn, now_ms);
}

static enum cg_source_event lost(struct cg_source *src, uint64_t now_ms,
				 const char *why)
{
	struct tcp_state *t = src->state;

	cg_netconn_drop(&t->conn, now_ms);
	t->down_told = true;
	snprintf(src->text, sizeof(src->text), "%s", why);
	return CG_SOURCE_LOST;
}

static enum cg_source_event tcp_pump(struct cg_source *src, uint64_t now_ms,
				     bool readable,
				     struct cg_source_chunk *chunk)
{
	struct tcp_state *t = src->state;

	if (t->conn.state != CG_NETCONN_UP) {
		int rc = cg_netconn_step(&t->conn, now_ms, &src->err);
		if (rc < 0) {
			t->down_told = true;
			return CG_SOURCE_OPEN_FAILED;
		}
		if (rc == 0)
			return CG_SOURCE_IDLE;
		t->read_this_turn = false;
		if (t->down_told) {
			t->down_told = false;
			return CG_SOURCE_BACK;
		}
		/* The first connect: the caller counts the source as
		 * opened already. Look for bytes on the next wait. */
		return CG_SOURCE_IDLE;
	}
	if (!readable || t->read_this_turn) {
		t->read_this_turn = false;
		return CG_SOURCE_IDLE;
	}

	ssize_t n = recv(t->conn.fd, t->buf, sizeof(t->buf), 0);
	if (n > 0) {
		t->read_this_turn = true;
		cg_netconn_healthy(&t->conn);
		*chunk = (struct cg_source_chunk){
			.data = t->buf,
			.len = (size_t)n,
			.data_ms = now_ms,
			.wall_ms = cg_clock_wall_ms(),
		};
		return CG_SOURCE_DATA;
	}
	if (n == 0)
		return lost(src, now_ms, "closed by the bridge");
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return CG_SOURCE_IDLE;
	if (errno == ECONNRESET)
		return lost(src, now_ms, "connection reset by the bridge");
	char why[128];
	snprintf(why, sizeof(why), "connection broken: %s", strerror(errno));
	return lost(src, now_ms, why);
}

static void tcp_close(struct cg_source *src)
{
	struct tcp_state *t = src->state;

	cg_netconn_close(&t->conn);
}

static const struct cg_source_ops tcp_ops = {
	.poll_fd = tcp_poll_fd,
	.due_ms = tcp_due_ms,
	.pump = tcp_pump,
	.close = tcp_close,
};

struct cg_source *cg_source_tcp_open(const char *url_text, uint64_t now_ms,
				     struct cg_error *err)
{
	struct cg_net_url url;
	struct cg_source *src;
	struct tcp_state *t;

	if (cg_net_url_parse(url_text, &url, err) < 0)
		return NULL;
	src = calloc(1, sizeof(*src));
	t = calloc(1, sizeof(*t));
	if (!src || !t) {
		free(src);
		free(t);
		cg_error_set(err, EX_OSERR, "out of memory opening %s", url_text);
		return NULL;
	}
	if (cg_netconn_init(&t->conn, &url, "is the box in TCP-server mode "
			    "on that port?", now_ms, err) < 0) {
		free(src);
		free(t);
		return NULL;
	}
	src->ops = &tcp_ops;
	src->state = t;
	src->live = true;
	src->paced = true;
	src->network = true;
	snprintf(src->label, sizeof(src->label), "%s", url_text);
	return src;
}
