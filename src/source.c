/*
 * source: the calls every kind of source shares (see source.h).
 */
#include "source.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net.h"

static struct cg_source *tcp_open(const char *url, const char *cafile,
				  uint64_t now_ms, struct cg_error *err)
{
	(void)cafile;
	return cg_source_tcp_open(url, now_ms, err);
}

static struct cg_source *ws_open(const char *url, const char *cafile,
				 uint64_t now_ms, struct cg_error *err)
{
	(void)cafile;
	return cg_source_ws_open(url, now_ms, err);
}

/* Network PORTs by scheme; anything else is a port, pty or file. */
static const struct {
	const char *prefix;
	struct cg_source *(*open)(const char *url, const char *cafile,
				  uint64_t now_ms, struct cg_error *err);
} net_sources[] = {
	{ "tcp://", tcp_open },
	{ "ws://", ws_open },
	{ "mqtt://", cg_source_mqtt_open },
	{ "mqtts://", cg_source_mqtt_open },
};

struct cg_source *cg_source_open(const char *port, int baud,
				 const char *label, const char *cafile,
				 uint64_t now_ms, struct cg_error *err)
{
	for (size_t i = 0; port && i < sizeof(net_sources) /
						sizeof(net_sources[0]); i++)
		if (strncasecmp(port, net_sources[i].prefix,
				strlen(net_sources[i].prefix)) == 0)
			return net_sources[i].open(port, cafile, now_ms, err);
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
