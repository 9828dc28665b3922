/*
 * source_port: a live serial port or pty, a raw capture file, or standard
 * input, through link.h, as a source (source.h). A lost port is tried
 * again every CG_SOURCE_RETRY_MS, by path or by its adapter's USB serial
 * number. One read per loop turn, so a capture file read as fast as it
 * decodes still lets the loop see signals and keys between reads.
 */
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "clock.h"
#include "link.h"

#define READ_CHUNK 4096

struct port_state {
	struct cg_link link;
	bool open;
	bool ended;
	bool read_this_turn; /* one read, then IDLE, per loop turn */
	uint64_t retry_at_ms;
	uint8_t buf[READ_CHUNK];
};

static int port_poll_fd(const struct cg_source *src)
{
	const struct port_state *p = src->state;

	return p->open ? p->link.fd : -1;
}

static uint64_t port_due_ms(const struct cg_source *src, uint64_t now_ms)
{
	const struct port_state *p = src->state;

	(void)now_ms;
	return p->open || p->ended ? UINT64_MAX : p->retry_at_ms;
}

static enum cg_source_event port_pump(struct cg_source *src, uint64_t now_ms,
				      bool readable,
				      struct cg_source_chunk *chunk)
{
	struct port_state *p = src->state;

	if (p->ended)
		return CG_SOURCE_IDLE;
	if (!p->open) {
		if (now_ms < p->retry_at_ms)
			return CG_SOURCE_IDLE;
		p->retry_at_ms = now_ms + CG_SOURCE_RETRY_MS;
		if (cg_link_reopen(&p->link, &src->err) < 0)
			return CG_SOURCE_OPEN_FAILED;
		p->open = true;
		src->baud = p->link.baud;
		return CG_SOURCE_BACK;
	}
	if (!readable || p->read_this_turn) {
		p->read_this_turn = false;
		return CG_SOURCE_IDLE;
	}

	ssize_t n = cg_link_read(&p->link, p->buf, sizeof(p->buf));
	if (n > 0) {
		p->read_this_turn = true;
		*chunk = (struct cg_source_chunk){
			.data = p->buf,
			.len = (size_t)n,
			.data_ms = now_ms,
			.wall_ms = cg_clock_wall_ms(),
		};
		return CG_SOURCE_DATA;
	}
	if (n == CG_LINK_EOF) {
		cg_link_close(&p->link);
		p->open = false;
		p->ended = true;
		src->text[0] = '\0';
		return CG_SOURCE_END;
	}
	if (n == CG_LINK_LOST) {
		cg_link_close(&p->link);
		p->open = false;
		p->retry_at_ms = now_ms + CG_SOURCE_RETRY_MS;
		snprintf(src->text, sizeof(src->text), "device disconnected");
		return CG_SOURCE_LOST;
	}
	return CG_SOURCE_IDLE;
}

static int port_set_baud(struct cg_source *src, int baud,
			 struct cg_error *err)
{
	struct port_state *p = src->state;

	if (cg_link_set_baud(&p->link, baud, err) < 0)
		return -1;
	src->baud = baud;
	return 0;
}

static void port_close(struct cg_source *src)
{
	struct port_state *p = src->state;

	cg_link_close(&p->link);
	p->open = false;
}

static const struct cg_source_ops port_ops = {
	.poll_fd = port_poll_fd,
	.due_ms = port_due_ms,
	.pump = port_pump,
	.set_baud = port_set_baud,
	.close = port_close,
};

struct cg_source *cg_source_port_open(const char *path, int baud,
				      const char *label, struct cg_error *err)
{
	struct cg_source *src = calloc(1, sizeof(*src));
	struct port_state *p = calloc(1, sizeof(*p));

	if (!src || !p) {
		free(src);
		free(p);
		cg_error_set(err, EX_OSERR, "out of memory opening %s", path);
		return NULL;
	}
	if (cg_link_open(&p->link, path, baud, err) < 0) {
		free(src);
		free(p);
		return NULL;
	}
	p->open = true;
	src->ops = &port_ops;
	src->state = p;
	src->baud = p->link.kind == CG_LINK_SERIAL ||
		    p->link.kind == CG_LINK_TTY ? baud : 0;
	src->live = p->link.kind != CG_LINK_FILE;
	src->can_hunt = src->baud != 0;
	src->paced = src->live;
	snprintf(src->label, sizeof(src->label), "%s", label ? label : path);
	return src;
}

const char *cg_source_port_usb_serial(const struct cg_source *src)
{
	const struct port_state *p = src->state;

	return src->ops == &port_ops ? p->link.usb_serial : "";
}
