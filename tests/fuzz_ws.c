/*
 * libFuzzer over what a websocket server sends the client: the upgrade
 * answer (cg_ws_response), then, when it is accepted, frames through
 * libwslay driven as source_ws.c drives it, and text payloads through
 * cg_ws_text_bytes. The first input byte picks how the rest is cut into
 * reads. Build and run: make fuzz-ws (tests/fuzz.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <wslay/wslay.h>

#include "net.h"

struct feed {
	const uint8_t *data;
	size_t len;
	size_t step; /* bytes per read */
};

static ssize_t feed_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
			 int flags, void *user)
{
	struct feed *f = user;

	(void)flags;
	if (f->len == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (len > f->step)
		len = f->step;
	if (len > f->len)
		len = f->len;
	memcpy(buf, f->data, len);
	f->data += len;
	f->len -= len;
	return (ssize_t)len;
}

static ssize_t drop_send(wslay_event_context_ptr ctx, const uint8_t *data,
			 size_t len, int flags, void *user)
{
	(void)ctx;
	(void)data;
	(void)flags;
	(void)user;
	return (ssize_t)len;
}

static int zero_mask(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
		     void *user)
{
	(void)ctx;
	(void)user;
	memset(buf, 0, len);
	return 0;
}

static void on_msg(wslay_event_context_ptr ctx,
		   const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
	static uint8_t copy[65536];

	(void)ctx;
	(void)user;
	/* An empty message may come with no payload pointer at all. */
	if (arg->opcode == WSLAY_TEXT_FRAME && arg->msg_length > 0 &&
	    arg->msg_length <= sizeof(copy)) {
		memcpy(copy, arg->msg, arg->msg_length);
		size_t n = cg_ws_text_bytes(copy, arg->msg_length);
		if (n > arg->msg_length)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
	char accept[CG_WS_ACCEPT_LEN + 1];
	struct cg_error err;
	size_t header = 0;
	struct feed f;

	if (size < 1)
		return 0;
	f.step = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	cg_ws_accept(key, accept);
	/* As source_ws.c reads it: growing prefixes until an answer. */
	int rc = 0;
	size_t have = 0;
	while (rc == 0 && have < size && have < CG_WS_RESPONSE_MAX) {
		have += f.step;
		if (have > size)
			have = size;
		rc = cg_ws_response((const char *)data, have, accept, &header,
				    &err);
	}
	if (rc != 1)
		return 0;
	if (header > have)
		__builtin_trap();

	static const struct wslay_event_callbacks cb = {
		.recv_callback = feed_recv,
		.send_callback = drop_send,
		.genmask_callback = zero_mask,
		.on_msg_recv_callback = on_msg,
	};
	wslay_event_context_ptr ctx;
	f.data = data + header;
	f.len = size - header;
	if (wslay_event_context_client_init(&ctx, &cb, &f) != 0)
		return 0;
	wslay_event_config_set_max_recv_msg_length(ctx, 65536);
	while (f.len > 0 && wslay_event_want_read(ctx)) {
		if (wslay_event_recv(ctx) != 0)
			break;
		wslay_event_send(ctx);
	}
	wslay_event_context_free(ctx);
	return 0;
}
