/*
 * source: the calls every kind of source shares (see source.h).
 */
#include "source.h"

#include <stdlib.h>
#include <string.h>

#include "net.h"

/* Network PORTs by scheme; anything else is a port, pty or file. */
static const struct {
	enum cg_net_scheme scheme;
	struct cg_source *(*open)(const char *url, uint64_t now_ms,
				  struct cg_error *err);
} net_sources[] = {
	{ CG_NET_TCP, cg_source_tcp_open },
	{ CG_NET_WS, cg_source_ws_open },
};

struct cg_source *cg_source_open(const char *port, int baud,
				 const char *label, uint64_t now_ms,
				 struct cg_error *err)
{
	enum cg_net_scheme scheme = cg_net_scheme_of(port);

	for (size_t i = 0; i < sizeof(net_sources) / sizeof(net_sources[0]);
	     i++)
		if (net_sources[i].scheme == scheme)
			return net_sources[i].open(port, now_ms, err);
	if (port && strstr(port, "://")) { /* wss://, http://: say why not */
		struct cg_net_url url;
		cg_net_url_parse(port, &url, err);
		return NULL;
	}
	return cg_source_port_open(port, baud, label, err);
}

void cg_source_position(const struct cg_source *src, uint64_t now_ms,
			struct cg_source_position *out)
{
	if (src->ops->position) {
		src->ops->position(src, now_ms, out);
		return;
	}
	memset(out, 0, sizeof(*out));
}

void cg_source_close(struct cg_source *src)
{
	if (!src)
		return;
	src->ops->close(src);
	free(src->state);
	free(src);
}
