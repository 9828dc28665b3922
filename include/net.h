/*
 * net: the pure parts of reading a Chargery through a network bridge
 * (a serial-to-Ethernet box, ser2net, esp-link): the PORT as a URL, and
 * the websocket client's HTTP upgrade (RFC 6455 section 4).
 *
 *   tcp://HOST:PORT           a raw TCP stream (source_tcp.c)
 *   ws://HOST[:PORT][/PATH]   a websocket (source_ws.c); port 80 if none
 *
 * HOST is a name, an IPv4 address or an IPv6 address in brackets
 * ([::1]). The socket side lives in netconn.h and the two sources.
 *
 * Pure: no I/O, no allocation, no globals. SHA-1 and base64 come from
 * nettle. Functions that can fail return -1 and fill a struct cg_error.
 */
#ifndef CG_NET_H
#define CG_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define CG_NET_HOST_MAX 256
#define CG_NET_PATH_MAX 256
#define CG_WS_NONCE_LEN 16  /* random bytes in Sec-WebSocket-Key */
#define CG_WS_KEY_LEN 24    /* their base64 */
#define CG_WS_ACCEPT_LEN 28 /* base64 of a SHA-1 */
#define CG_WS_RESPONSE_MAX 8192 /* a longer upgrade answer is refused */

enum cg_net_scheme {
	CG_NET_NONE, /* not a network PORT: a device, a file or "-" */
	CG_NET_TCP,
	CG_NET_WS,
};

struct cg_net_url {
	enum cg_net_scheme scheme;
	char host[CG_NET_HOST_MAX]; /* without the brackets of an IPv6 */
	char port[6];               /* decimal, 1..65535 */
	char path[CG_NET_PATH_MAX]; /* "/" at least, for ws:// */
	char authority[CG_NET_HOST_MAX + 8]; /* host:port as written, for
					      * the Host header and texts */
};

/* The scheme a PORT names by its prefix ("tcp://", "ws://"), or
 * CG_NET_NONE. Case-insensitive, as URL schemes are. */
enum cg_net_scheme cg_net_scheme_of(const char *port);

/* Parses a tcp:// or ws:// PORT. A missing or bad port number, an empty
 * host, a path on tcp://, wss:// and other schemes fail with EX_USAGE. */
int cg_net_url_parse(const char *text, struct cg_net_url *url,
		     struct cg_error *err);

/* Sec-WebSocket-Key: the base64 of 16 random bytes the caller drew. */
void cg_ws_key(const uint8_t nonce[CG_WS_NONCE_LEN],
	       char key[CG_WS_KEY_LEN + 1]);

/* The Sec-WebSocket-Accept a server must answer key with: the base64 of
 * the SHA-1 of key and the RFC's GUID. */
void cg_ws_accept(const char *key, char accept[CG_WS_ACCEPT_LEN + 1]);

/* The upgrade request for url with key. Returns its length, or 0 if it
 * does not fit in cap (with its terminating NUL). */
size_t cg_ws_request(char *buf, size_t cap, const struct cg_net_url *url,
		     const char *key);

/*
 * Reads the server's answer to the upgrade, as received so far (len
 * bytes, not NUL-terminated). Returns 0 while the header is incomplete; 1
 * when it is complete and accepts the upgrade (HTTP 101, Upgrade:
 * websocket, Connection: Upgrade, the right Sec-WebSocket-Accept, no
 * extension asked for), with *header_len its length: the bytes after it
 * are already websocket frames; -1 when it refuses or is not HTTP, with
 * err filled (EX_PROTOCOL; the HTTP status in the message).
 */
int cg_ws_response(const char *buf, size_t len, const char *accept,
		   size_t *header_len, struct cg_error *err);

/*
 * A text message's payload as the bytes it carries, in place; returns the
 * new length. A bridge that puts serial bytes into a text message writes
 * each byte as the character of that code (U+0000..U+00FF, as JavaScript
 * and Python do with Latin-1): those are turned back into bytes. A
 * payload that is not such UTF-8 is left as it is.
 */
size_t cg_ws_text_bytes(uint8_t *data, size_t len);

#endif
