/*
 * probe: one poll() over every candidate port, a framer per port, and a
 * count of what each one delivered. The ports are opened all at once so
 * that the whole probe takes listen_ms however many ports there are.
 */
#include "probe.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "framer.h"
#include "link.h"

struct probed {
	struct cg_link link;
	struct cg_framer framer;
	struct cg_framer inverted; /* the complemented bytes */
};

static void copy_line(char *to, size_t cap, const char *from)
{
	size_t n = 0;

	while (from[n] && from[n] != '\n' && n + 1 < cap) {
		to[n] = from[n];
		n++;
	}
	to[n] = '\0';
}

static uint64_t count_frames(struct cg_framer *framer, const uint8_t *data,
			     size_t len)
{
	struct cg_frame frame;
	uint64_t frames = 0;

	while (cg_framer_next(framer, &data, &len, &frame))
		frames++;
	return frames;
}

/* Reads what port i has. Returns false when the port is gone or ended. */
static bool drain(struct probed *port, struct cg_probe_result *result)
{
	uint8_t buf[1024];
	ssize_t count;

	while ((count = cg_link_read(&port->link, buf, sizeof(buf))) > 0) {
		size_t len = (size_t)count;

		result->bytes += len;
		result->frames += count_frames(&port->framer, buf, len);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)~buf[i];
		result->inverted_frames +=
			count_frames(&port->inverted, buf, len);
	}
	return count == CG_LINK_AGAIN;
}

int cg_probe_ports(const char *const paths[], int n, int baud, int listen_ms,
		   struct cg_probe_result results[])
{
	/* struct cg_link holds two PATH_MAX buffers: too big for the stack
	 * once there are a few dozen ports. */
	struct probed *ports = calloc(n > 0 ? (size_t)n : 1, sizeof(*ports));
	struct pollfd *fds = calloc(n > 0 ? (size_t)n : 1, sizeof(*fds));
	uint64_t end_ms = cg_clock_ms() + (uint64_t)(listen_ms > 0 ? listen_ms : 0);
	int best = -1;

	for (int i = 0; i < n; i++)
		memset(&results[i], 0, sizeof(results[i]));
	if (!ports || !fds) {
		free(ports);
		free(fds);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct cg_error err;

		ports[i].link.fd = -1;
		fds[i].fd = -1; /* poll() skips negative descriptors */
		if (cg_link_open(&ports[i].link, paths[i], baud, &err) != 0) {
			results[i].exit_code = err.exit_code;
			copy_line(results[i].error, sizeof(results[i].error),
				  err.message);
			continue;
		}
		results[i].opened = true;
		cg_framer_init(&ports[i].framer);
		cg_framer_init(&ports[i].inverted);
		fds[i].fd = ports[i].link.fd;
		fds[i].events = POLLIN;
	}

	for (;;) {
		uint64_t now = cg_clock_ms();
		int ready, listening = 0;

		for (int i = 0; i < n; i++)
			listening += fds[i].fd >= 0;
		if (now >= end_ms || !listening)
			break;
		ready = poll(fds, (nfds_t)n, (int)(end_ms - now));
		if (ready < 0 && errno != EINTR)
			break;
		for (int i = 0; ready > 0 && i < n; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			/* A file or stdin ends, a pty hangs up: stop
			 * polling it, keep what it gave. */
			if (!drain(&ports[i], &results[i]))
				fds[i].fd = -1;
		}
	}

	for (int i = 0; i < n; i++) {
		if (results[i].opened)
			cg_link_close(&ports[i].link);
		if (results[i].frames > 0 &&
		    (best < 0 || results[i].frames > results[best].frames))
			best = i;
	}
	free(ports);
	free(fds);
	return best;
}
