/*
 * source_ws: a websocket from a network bridge as a source (source.h),
 * such as the "Web to Serial" port of a USR-TCP232-410S. RFC 6455 as a
 * client: the HTTP upgrade is checked by net.h (Sec-WebSocket-Accept),
 * the framing (masking, fragments, ping/pong, the close handshake) is
 * libwslay's, driven over netconn.h's non-blocking socket. Binary and
 * text messages carry the byte stream; nothing is ever sent but the
 * upgrade request, pongs and the close frame.
 */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include <wslay/wslay.h>

#include "clock.h"
#include "net.h"
#include "netconn.h"

#define READ_BUDGET 16384        /* socket bytes per loop turn */
#define MSG_MAX 65536            /* a longer message is refused (1009) */
#define HANDSHAKE_TIMEOUT_MS 5000
#define WRITE_RETRY_MS 20        /* a pong or close that did not fit */
/* What one turn can complete: the bytes after the upgrade answer, the
 * turn's reads, and a message wslay held from earlier turns. */
#define OUT_MAX (CG_WS_RESPONSE_MAX + READ_BUDGET + MSG_MAX)

enum ws_phase {
	WS_CONNECT,   /* netconn is connecting or waiting to retry */
	WS_HANDSHAKE, /* the upgrade request went out; reading the answer */
	WS_OPEN,      /* frames */
};

struct ws_state {
	struct cg_netconn conn;
	struct cg_net_url url;
	enum ws_phase phase;
	bool down_told;      /* a LOST or OPEN_FAILED went out: BACK is due */
	bool read_this_turn; /* one chunk, then IDLE, per loop turn */
	bool lost_pending;   /* LOST (src->text) after the last chunk */

	char accept[CG_WS_ACCEPT_LEN + 1];
	char resp[CG_WS_RESPONSE_MAX];
	size_t resp_len;
	uint64_t handshake_deadline_ms;

	wslay_event_context_ptr ctx;
	const uint8_t *early;  /* frames that came with the upgrade answer */
	size_t early_len;
	size_t budget;         /* socket bytes the recv callback may read */
	bool eof;
	int sock_errno;

	uint8_t out[OUT_MAX];  /* the payloads of this turn's messages */
	size_t out_len;
	bool out_overflow;
};

static void random_bytes(uint8_t *buf, size_t len)
{
	ssize_t n = getrandom(buf, len, GRND_NONBLOCK);

	if (n == (ssize_t)len)
		return;
	/* No entropy yet at early boot: the clock still varies the mask,
	 * which only has to keep proxies from reading frames as HTTP. */
	uint64_t x = cg_clock_ms() ^ (cg_clock_wall_ms() << 20) ^
		     (uint64_t)(uintptr_t)buf;
	for (size_t i = 0; i < len; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		buf[i] = (uint8_t)(x >> 56);
	}
}

static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf,
		       size_t len, int flags, void *user)
{
	struct ws_state *w = user;
	ssize_t n;

	(void)flags;
	if (w->early_len) {
		n = (ssize_t)(len < w->early_len ? len : w->early_len);
		memcpy(buf, w->early, (size_t)n);
		w->early += n;
		w->early_len -= (size_t)n;
		return n;
	}
	if (w->budget == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (len > w->budget)
		len = w->budget;
	n = recv(w->conn.fd, buf, len, 0);
	if (n > 0) {
		w->budget -= (size_t)n;
		return n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR)) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (n == 0)
		w->eof = true;
	else
		w->sock_errno = errno;
	wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

static ssize_t on_send(wslay_event_context_ptr ctx, const uint8_t *data,
		       size_t len, int flags, void *user)
{
	struct ws_state *w = user;
	ssize_t n;

	(void)flags;
	n = send(w->conn.fd, data, len, MSG_NOSIGNAL);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
	else
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

static int on_genmask(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
		      void *user)
{
	(void)ctx;
	(void)user;
	random_bytes(buf, len);
	return 0;
}

static void on_msg(wslay_event_context_ptr ctx,
		   const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
	struct ws_state *w = user;
	uint8_t *to = w->out + w->out_len;

	(void)ctx;
	if (arg->opcode != WSLAY_BINARY_FRAME && arg->opcode != WSLAY_TEXT_FRAME)
		return; /* pings are answered by wslay, pongs unasked for */
	/* An empty message carries no bytes, and may carry no pointer. */
	if (arg->msg_length == 0)
		return;
	if (arg->msg_length > sizeof(w->out) - w->out_len) {
		w->out_overflow = true;
		return;
	}
	memcpy(to, arg->msg, arg->msg_length);
	w->out_len += arg->opcode == WSLAY_TEXT_FRAME
			      ? cg_ws_text_bytes(to, arg->msg_length)
			      : arg->msg_length;
}

static const struct wslay_event_callbacks callbacks = {
	.recv_callback = on_recv,
	.send_callback = on_send,
	.genmask_callback = on_genmask,
	.on_msg_recv_callback = on_msg,
};

static void end_session(struct ws_state *w)
{
	if (w->ctx)
		wslay_event_context_free(w->ctx);
	w->ctx = NULL;
	w->early_len = 0;
	w->phase = WS_CONNECT;
}

static enum cg_source_event open_failed(struct cg_source *src,
					uint64_t now_ms)
{
	struct ws_state *w = src->state;

	end_session(w);
	cg_netconn_drop(&w->conn, now_ms);
	w->down_told = true;
	return CG_SOURCE_OPEN_FAILED;
}

static int ws_poll_fd(const struct cg_source *src)
{
	const struct ws_state *w = src->state;

	return cg_netconn_fd(&w->conn);
}

static uint64_t ws_due_ms(const struct cg_source *src, uint64_t now_ms)
{
	const struct ws_state *w = src->state;

	if (w->lost_pending || w->early_len)
		return now_ms;
	switch (w->phase) {
	case WS_CONNECT:
		return cg_netconn_due_ms(&w->conn, now_ms);
	case WS_HANDSHAKE:
		return w->handshake_deadline_ms;
	case WS_OPEN:
		if (wslay_event_want_write(w->ctx))
			return now_ms + WRITE_RETRY_MS;
		break;
	}
	return UINT64_MAX;
}

/* Connected: the upgrade request. */
static int send_request(struct ws_state *w, uint64_t now_ms,
			struct cg_error *err)
{
	uint8_t nonce[CG_WS_NONCE_LEN];
	char key[CG_WS_KEY_LEN + 1];
	char req[CG_NET_PATH_MAX + CG_NET_HOST_MAX + 256];
	size_t len;

	random_bytes(nonce, sizeof(nonce));
	cg_ws_key(nonce, key);
	cg_ws_accept(key, w->accept);
	len = cg_ws_request(req, sizeof(req), &w->url, key);
	/* A fresh socket's buffer takes a few hundred bytes whole. */
	if (len == 0 || send(w->conn.fd, req, len, MSG_NOSIGNAL) !=
				(ssize_t)len)
		return cg_error_set(err, EX_IOERR, "cannot send the websocket "
				    "upgrade to %s: %s", w->conn.where,
				    strerror(errno));
	w->resp_len = 0;
	w->handshake_deadline_ms = now_ms + HANDSHAKE_TIMEOUT_MS;
	w->phase = WS_HANDSHAKE;
	return 0;
}

/* The upgrade answer so far. Returns 1 accepted, 0 not yet, -1 refused. */
static int read_answer(struct ws_state *w, bool readable, uint64_t now_ms,
		       struct cg_error *err)
{
	size_t header_len = 0;
	int rc;

	if (readable) {
		ssize_t n = recv(w->conn.fd, w->resp + w->resp_len,
				 sizeof(w->resp) - w->resp_len, 0);
		if (n == 0)
			return cg_error_set(err, EX_PROTOCOL, "websocket "
					    "handshake refused: %s closed the "
					    "connection without an answer",
					    w->conn.where);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return cg_error_set(err, EX_IOERR, "websocket "
					    "handshake with %s failed: %s",
					    w->conn.where, strerror(errno));
		if (n > 0)
			w->resp_len += (size_t)n;
	}
	rc = cg_ws_response(w->resp, w->resp_len, w->accept, &header_len, err);
	if (rc == 0 && now_ms >= w->handshake_deadline_ms)
		return cg_error_set(err, EX_PROTOCOL, "websocket handshake "
				    "refused: no answer from %s within %d s",
				    w->conn.where, HANDSHAKE_TIMEOUT_MS / 1000);
	if (rc <= 0)
		return rc;
	if (wslay_event_context_client_init(&w->ctx, &callbacks, w) != 0)
		return cg_error_set(err, EX_OSERR, "out of memory for the "
				    "websocket");
	wslay_event_config_set_max_recv_msg_length(w->ctx, MSG_MAX);
	w->early = (const uint8_t *)w->resp + header_len;
	w->early_len = w->resp_len - header_len;
	w->eof = false;
	w->sock_errno = 0;
	w->phase = WS_OPEN;
	return 1;
}

/* Why an open websocket ended, into src->text. */
static void why_ended(struct cg_source *src, int rc)
{
	struct ws_state *w = src->state;
	unsigned code;

	if (wslay_event_get_close_received(w->ctx)) {
		code = wslay_event_get_status_code_received(w->ctx);
		snprintf(src->text, sizeof(src->text), "closed by the bridge "
			 "(websocket close %u)", code);
	} else if (w->eof) {
		snprintf(src->text, sizeof(src->text), "closed by the bridge");
	} else if (w->sock_errno == ECONNRESET) {
		snprintf(src->text, sizeof(src->text),
			 "connection reset by the bridge");
	} else if (w->sock_errno) {
		snprintf(src->text, sizeof(src->text), "connection broken: %s",
			 strerror(w->sock_errno));
	} else if (w->out_overflow) {
		snprintf(src->text, sizeof(src->text), "websocket message "
			 "too long to take in");
	} else if (wslay_event_get_close_sent(w->ctx)) {
		code = wslay_event_get_status_code_sent(w->ctx);
		snprintf(src->text, sizeof(src->text), "websocket protocol "
			 "error from the bridge (closed with %u)", code);
	} else {
		snprintf(src->text, sizeof(src->text), "websocket error %d",
			 rc);
	}
}

static enum cg_source_event pump_open(struct cg_source *src,
				      uint64_t now_ms, bool readable,
				      struct cg_source_chunk *chunk)
{
	struct ws_state *w = src->state;
	int rc = 0;

	if (w->read_this_turn) {
		w->read_this_turn = false;
		return CG_SOURCE_IDLE;
	}
	if (!readable && !w->early_len) {
		if (wslay_event_want_write(w->ctx))
			wslay_event_send(w->ctx);
		return CG_SOURCE_IDLE;
	}
	w->out_len = 0;
	w->budget = READ_BUDGET;
	rc = wslay_event_recv(w->ctx);
	if (rc == 0 && w->out_overflow)
		wslay_event_queue_close(w->ctx, WSLAY_CODE_MESSAGE_TOO_BIG,
					NULL, 0);
	if (rc == 0 && wslay_event_want_write(w->ctx))
		rc = wslay_event_send(w->ctx);
	if (rc < 0 || w->eof || w->out_overflow ||
	    (!wslay_event_want_read(w->ctx) &&
	     !wslay_event_want_write(w->ctx))) {
		why_ended(src, rc);
		end_session(w);
		cg_netconn_drop(&w->conn, now_ms);
		w->down_told = true;
		w->out_overflow = false;
		if (w->out_len == 0)
			return CG_SOURCE_LOST;
		w->lost_pending = true;
	}
	if (w->out_len == 0)
		return CG_SOURCE_IDLE;
	w->read_this_turn = true;
	cg_netconn_healthy(&w->conn);
	*chunk = (struct cg_source_chunk){
		.data = w->out,
		.len = w->out_len,
		.data_ms = now_ms,
		.wall_ms = cg_clock_wall_ms(),
	};
	return CG_SOURCE_DATA;
}

static enum cg_source_event ws_pump(struct cg_source *src, uint64_t now_ms,
				    bool readable,
				    struct cg_source_chunk *chunk)
{
	struct ws_state *w = src->state;
	int rc;

	if (w->lost_pending) {
		w->lost_pending = false;
		w->read_this_turn = false;
		return CG_SOURCE_LOST;
	}
	switch (w->phase) {
	case WS_CONNECT:
		rc = cg_netconn_step(&w->conn, now_ms, &src->err);
		if (rc < 0) {
			w->down_told = true;
			return CG_SOURCE_OPEN_FAILED;
		}
		if (rc == 0)
			return CG_SOURCE_IDLE;
		if (send_request(w, now_ms, &src->err) < 0)
			return open_failed(src, now_ms);
		return CG_SOURCE_IDLE;
	case WS_HANDSHAKE:
		rc = read_answer(w, readable, now_ms, &src->err);
		if (rc < 0)
			return open_failed(src, now_ms);
		if (rc == 0)
			return CG_SOURCE_IDLE;
		w->read_this_turn = false;
		if (w->down_told) {
			w->down_told = false;
			return CG_SOURCE_BACK;
		}
		return CG_SOURCE_IDLE;
	case WS_OPEN:
		return pump_open(src, now_ms, readable, chunk);
	}
	return CG_SOURCE_IDLE;
}

static void ws_close(struct cg_source *src)
{
	struct ws_state *w = src->state;

	/* Going away: one try at the close frame, without waiting. */
	if (w->phase == WS_OPEN && w->ctx &&
	    wslay_event_queue_close(w->ctx, WSLAY_CODE_GOING_AWAY, NULL, 0) == 0)
		wslay_event_send(w->ctx);
	end_session(w);
	cg_netconn_close(&w->conn);
}

static const struct cg_source_ops ws_ops = {
	.poll_fd = ws_poll_fd,
	.due_ms = ws_due_ms,
	.pump = ws_pump,
	.close = ws_close,
};

struct cg_source *cg_source_ws_open(const char *url_text, uint64_t now_ms,
				    struct cg_error *err)
{
	struct cg_source *src;
	struct ws_state *w;

	src = calloc(1, sizeof(*src));
	w = calloc(1, sizeof(*w));
	if (!src || !w) {
		free(src);
		free(w);
		cg_error_set(err, EX_OSERR, "out of memory opening %s", url_text);
		return NULL;
	}
	if (cg_net_url_parse(url_text, &w->url, err) < 0 ||
	    cg_netconn_init(&w->conn, &w->url, "is the websocket server "
			    "on that port?", now_ms,
			    err) < 0) {
		free(src);
		free(w);
		return NULL;
	}
	w->phase = WS_CONNECT;
	src->ops = &ws_ops;
	src->state = w;
	src->live = true;
	src->paced = true;
	src->network = true;
	snprintf(src->label, sizeof(src->label), "%s", url_text);
	return src;
}
