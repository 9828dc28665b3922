/*
 * net: network PORTs as URLs and the websocket upgrade (see net.h).
 */
#include "net.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <nettle/base64.h>
#include <nettle/sha1.h>

/* RFC 6455 section 1.3: appended to the key before hashing. */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

static const struct {
	const char *prefix;
	enum cg_net_scheme scheme;
} schemes[] = {
	{ "tcp://", CG_NET_TCP },
	{ "ws://", CG_NET_WS },
};

enum cg_net_scheme cg_net_scheme_of(const char *port)
{
	if (!port)
		return CG_NET_NONE;
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncasecmp(port, schemes[i].prefix,
				strlen(schemes[i].prefix)) == 0)
			return schemes[i].scheme;
	return CG_NET_NONE;
}

static int bad_url(struct cg_error *err, const char *text, const char *why)
{
	return cg_error_set(err, EX_USAGE,
			    "%.300s: %s. Write tcp://HOST:PORT or "
			    "ws://HOST:PORT/PATH (IPv6 as [::1]).",
			    text, why);
}

int cg_net_url_parse(const char *text, struct cg_net_url *url,
		     struct cg_error *err)
{
	const char *p, *host, *host_end, *port = NULL, *port_end;
	size_t n;

	memset(url, 0, sizeof(*url));
	url->scheme = cg_net_scheme_of(text);
	if (url->scheme == CG_NET_NONE) {
		if (text && strncasecmp(text, "wss://", 6) == 0)
			return bad_url(err, text, "wss:// (TLS) is not "
				       "supported; bridges speak ws://");
		return bad_url(err, text ? text : "(null)", "not a tcp:// "
			       "or ws:// address");
	}
	p = strstr(text, "://") + 3;
	if (*p == '[') {
		host = p + 1;
		host_end = strchr(host, ']');
		if (!host_end)
			return bad_url(err, text, "no ] after the IPv6 address");
		p = host_end + 1;
	} else {
		host = p;
		while (*p && *p != ':' && *p != '/')
			p++;
		host_end = p;
	}
	n = (size_t)(host_end - host);
	if (n == 0)
		return bad_url(err, text, "no host");
	if (n >= sizeof(url->host))
		return bad_url(err, text, "host name too long");
	for (const char *c = host; c < host_end; c++)
		if (!isalnum((unsigned char)*c) && !strchr(".-_:%", *c))
			return bad_url(err, text, "bad character in the host");
	memcpy(url->host, host, n);
	if (*p == ':') {
		unsigned long v = 0;

		port = ++p;
		while (isdigit((unsigned char)*p) && v <= 65535)
			v = v * 10 + (unsigned long)(*p++ - '0');
		port_end = p;
		if (port_end == port || v == 0 || v > 65535 ||
		    (*p && *p != '/'))
			return bad_url(err, text, "the port must be a number "
				       "from 1 to 65535");
		snprintf(url->port, sizeof(url->port), "%lu", v);
	} else if (*p && *p != '/') {
		return bad_url(err, text, "unexpected text after the host");
	}
	if (url->scheme == CG_NET_TCP) {
		if (!port)
			return bad_url(err, text, "tcp:// needs a port");
		if (*p && strcmp(p, "/") != 0)
			return bad_url(err, text, "tcp:// takes no path");
	} else {
		if (!port)
			snprintf(url->port, sizeof(url->port), "80");
		if (strlen(p) >= sizeof(url->path))
			return bad_url(err, text, "path too long");
		for (const char *c = p; *c; c++)
			if ((unsigned char)*c <= ' ' || *c == 0x7f)
				return bad_url(err, text, "space or control "
					       "character in the path");
		snprintf(url->path, sizeof(url->path), "%s", *p ? p : "/");
	}
	snprintf(url->authority, sizeof(url->authority), "%s%s%s:%s",
		 strchr(url->host, ':') ? "[" : "", url->host,
		 strchr(url->host, ':') ? "]" : "", url->port);
	return 0;
}

void cg_ws_key(const uint8_t nonce[CG_WS_NONCE_LEN],
	       char key[CG_WS_KEY_LEN + 1])
{
	base64_encode_raw(key, CG_WS_NONCE_LEN, nonce);
	key[CG_WS_KEY_LEN] = '\0';
}

void cg_ws_accept(const char *key, char accept[CG_WS_ACCEPT_LEN + 1])
{
	struct sha1_ctx sha;
	uint8_t digest[SHA1_DIGEST_SIZE];

	sha1_init(&sha);
	sha1_update(&sha, strlen(key), (const uint8_t *)key);
	sha1_update(&sha, sizeof(ws_guid) - 1, (const uint8_t *)ws_guid);
	sha1_digest(&sha, sizeof(digest), digest);
	base64_encode_raw(accept, sizeof(digest), digest);
	accept[CG_WS_ACCEPT_LEN] = '\0';
}

size_t cg_ws_request(char *buf, size_t cap, const struct cg_net_url *url,
		     const char *key)
{
	int n = snprintf(buf, cap,
			 "GET %s HTTP/1.1\r\n"
			 "Host: %s\r\n"
			 "Upgrade: websocket\r\n"
			 "Connection: Upgrade\r\n"
			 "Sec-WebSocket-Key: %s\r\n"
			 "Sec-WebSocket-Version: 13\r\n"
			 "User-Agent: chargery-top\r\n"
			 "\r\n",
			 url->path, url->authority, key);

	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* The header's end (after the blank line), or NULL. */
static const char *header_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
			return buf + i + 4;
	return NULL;
}

/* Does the comma-separated list [v, end) hold token (any case)? */
static bool has_token(const char *v, const char *end, const char *token)
{
	size_t n = strlen(token);

	while (v < end) {
		while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
			v++;
		const char *t = v;
		while (v < end && *v != ',')
			v++;
		const char *te = v;
		while (te > t && (te[-1] == ' ' || te[-1] == '\t'))
			te--;
		if ((size_t)(te - t) == n && strncasecmp(t, token, n) == 0)
			return true;
	}
	return false;
}

static int refused(struct cg_error *err, const char *why)
{
	return cg_error_set(err, EX_PROTOCOL, "websocket handshake refused: %s",
			    why);
}

int cg_ws_response(const char *buf, size_t len, const char *accept,
		   size_t *header_len, struct cg_error *err)
{
	const char *end = header_end(buf, len), *line, *eol;
	bool upgrade = false, connection = false, accepted = false;
	bool wrong_accept = false;
	int status = 0;
	char reason[64] = "";

	if (len >= 5 && memcmp(buf, "HTTP/", 5) != 0)
		return refused(err, "the bridge does not answer HTTP (a raw "
			       "TCP port? try tcp://)");
	if (!end) {
		if (len >= CG_WS_RESPONSE_MAX)
			return refused(err, "the answer's header is too long");
		return 0;
	}
	*header_len = (size_t)(end - buf);
	/* Status line: HTTP/1.x SP 3DIGIT SP reason */
	eol = memchr(buf, '\r', (size_t)(end - buf));
	line = memchr(buf, ' ', (size_t)(eol - buf));
	if (!line || eol - line < 4 || !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]) || !isdigit((unsigned char)line[3]))
		return refused(err, "the bridge's answer is not HTTP");
	status = (line[1] - '0') * 100 + (line[2] - '0') * 10 + (line[3] - '0');
	if (eol - line > 5) {
		size_t n = (size_t)(eol - line - 5);
		if (n >= sizeof(reason))
			n = sizeof(reason) - 1;
		for (size_t i = 0; i < n; i++)
			reason[i] = isprint((unsigned char)line[5 + i])
					    ? line[5 + i] : '?';
		reason[n] = '\0';
	}
	if (status != 101) {
		char why[160];
		snprintf(why, sizeof(why), "HTTP %d%s%s (check the path after "
			 "the port)", status, reason[0] ? " " : "", reason);
		return refused(err, why);
	}
	for (line = eol + 2; line < end - 2; line = eol + 2) {
		const char *colon, *v, *ve;

		eol = memchr(line, '\r', (size_t)(end - line));
		colon = memchr(line, ':', (size_t)(eol - line));
		if (!colon)
			return refused(err, "a header line without a colon");
		v = colon + 1;
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		ve = eol;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
#define IS(name) ((size_t)(colon - line) == sizeof(name) - 1 && \
		  strncasecmp(line, name, sizeof(name) - 1) == 0)
		if (IS("Upgrade"))
			upgrade = has_token(v, ve, "websocket");
		else if (IS("Connection"))
			connection = has_token(v, ve, "upgrade");
		else if (IS("Sec-WebSocket-Accept")) {
			size_t n = strlen(accept);
			accepted = (size_t)(ve - v) == n &&
				   memcmp(v, accept, n) == 0;
			wrong_accept = !accepted;
		} else if (IS("Sec-WebSocket-Extensions") && ve > v)
			return refused(err, "the server chose an extension "
				       "nobody asked for");
#undef IS
	}
	if (!upgrade || !connection)
		return refused(err, "HTTP 101 without Upgrade: websocket");
	if (wrong_accept)
		return refused(err, "wrong Sec-WebSocket-Accept (not a "
			       "websocket server?)");
	if (!accepted)
		return refused(err, "no Sec-WebSocket-Accept in the answer");
	return 1;
}

size_t cg_ws_text_bytes(uint8_t *data, size_t len)
{
	size_t i = 0, out = 0;

	/* Only Latin-1 as UTF-8: ASCII, or C2/C3 and one continuation. */
	while (i < len) {
		if (data[i] < 0x80) {
			i++;
		} else if ((data[i] == 0xc2 || data[i] == 0xc3) && i + 1 < len &&
			   (data[i + 1] & 0xc0) == 0x80) {
			i += 2;
		} else {
			return len;
		}
	}
	for (i = 0; i < len; out++) {
		if (data[i] < 0x80) {
			data[out] = data[i++];
		} else {
			data[out] = (uint8_t)(((data[i] & 0x03) << 6) |
					      (data[i + 1] & 0x3f));
			i += 2;
		}
	}
	return out;
}
