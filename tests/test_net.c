/*
 * net: the pure parts of the network bridges: PORT URLs, the websocket
 * key and accept (RFC 6455's own example), the upgrade request, the
 * parser of the server's answer fed whole and byte by byte, text
 * payloads as bytes, and the doctor's words for network failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sysexits.h>

#include "doctor.h"
#include "net.h"

static void url_ok(const char *text, enum cg_net_scheme scheme,
		   const char *host, const char *port, const char *path,
		   const char *authority)
{
	struct cg_net_url u;
	struct cg_error err = { 0 };

	assert_int_equal(cg_net_url_parse(text, &u, &err), 0);
	assert_int_equal(u.scheme, scheme);
	assert_string_equal(u.host, host);
	assert_string_equal(u.port, port);
	assert_string_equal(u.path, path);
	assert_string_equal(u.authority, authority);
}

static void url_bad(const char *text, const char *why)
{
	struct cg_net_url u;
	struct cg_error err = { 0 };

	assert_int_equal(cg_net_url_parse(text, &u, &err), -1);
	assert_int_equal(err.exit_code, EX_USAGE);
	assert_non_null(strstr(err.message, why));
}

static void test_urls(void **state)
{
	(void)state;
	url_ok("tcp://192.168.0.7:8899", CG_NET_TCP, "192.168.0.7", "8899", "",
	       "192.168.0.7:8899");
	url_ok("TCP://bms.local:23/", CG_NET_TCP, "bms.local", "23", "",
	       "bms.local:23");
	url_ok("tcp://[::1]:4001", CG_NET_TCP, "::1", "4001", "", "[::1]:4001");
	url_ok("ws://192.168.0.7:6432", CG_NET_WS, "192.168.0.7", "6432", "/",
	       "192.168.0.7:6432");
	url_ok("ws://box/serial?port=1", CG_NET_WS, "box", "80",
	       "/serial?port=1", "box:80");
	url_ok("ws://[fe80::1%eth0]:6432/x", CG_NET_WS, "fe80::1%eth0", "6432",
	       "/x", "[fe80::1%eth0]:6432");

	url_bad("tcp://box", "needs a port");
	url_bad("tcp://box:0", "from 1 to 65535");
	url_bad("tcp://box:65536", "from 1 to 65535");
	url_bad("tcp://box:99999999999999999999", "from 1 to 65535");
	url_bad("tcp://box:80x", "from 1 to 65535");
	url_bad("tcp://box:80/path", "takes no path");
	url_bad("tcp://:80", "no host");
	url_bad("tcp://[::1:80", "no ]");
	url_bad("tcp://b x:80", "bad character");
	url_bad("ws://box:80/a b", "space");
	url_bad("wss://box:443/", "not supported");
	url_bad("http://box/", "not a tcp://");

	assert_int_equal(cg_net_scheme_of("/dev/ttyUSB0"), CG_NET_NONE);
	assert_int_equal(cg_net_scheme_of("-"), CG_NET_NONE);
	assert_int_equal(cg_net_scheme_of("Ws://x"), CG_NET_WS);
}

/* RFC 6455 section 1.3's example. */
static void test_accept(void **state)
{
	char accept[CG_WS_ACCEPT_LEN + 1];
	char key[CG_WS_KEY_LEN + 1];
	const uint8_t nonce[16] = "the sample nonce";

	(void)state;
	cg_ws_key(nonce, key);
	assert_string_equal(key, "dGhlIHNhbXBsZSBub25jZQ==");
	cg_ws_accept(key, accept);
	assert_string_equal(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

static void test_request(void **state)
{
	struct cg_net_url u;
	struct cg_error err;
	char buf[512];

	(void)state;
	assert_int_equal(cg_net_url_parse("ws://[::1]:6432/bms", &u, &err), 0);
	size_t n = cg_ws_request(buf, sizeof(buf), &u, "dGhlIHNhbXBsZSBub25jZQ==");
	assert_int_equal(n, strlen(buf));
	assert_memory_equal(buf, "GET /bms HTTP/1.1\r\nHost: [::1]:6432\r\n", 37);
	assert_non_null(strstr(buf, "\r\nUpgrade: websocket\r\n"));
	assert_non_null(strstr(buf, "\r\nConnection: Upgrade\r\n"));
	assert_non_null(strstr(buf, "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
	assert_non_null(strstr(buf, "\r\nSec-WebSocket-Version: 13\r\n"));
	assert_string_equal(buf + n - 4, "\r\n\r\n");
	assert_int_equal(cg_ws_request(buf, 40, &u, "k"), 0);
}

static const char ACCEPT[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
static const char GOOD[] =
	"HTTP/1.1 101 Switching Protocols\r\n"
	"upgrade: WebSocket\r\n"
	"Connection: keep-alive, Upgrade\r\n"
	"Sec-WebSocket-Accept:   s3pPLMBiTxaQ9kYGzzhZRbK+xOo=  \r\n"
	"\r\n"
	"\x82\x02hi";

static void test_response_good(void **state)
{
	struct cg_error err = { 0 };
	size_t header = 0, whole = strlen(GOOD);

	(void)state;
	assert_int_equal(cg_ws_response(GOOD, whole, ACCEPT, &header, &err), 1);
	assert_int_equal(header, whole - 4); /* the frame after it is kept */
	/* Byte by byte: incomplete until the blank line. */
	for (size_t len = 0; len < header; len++)
		assert_int_equal(cg_ws_response(GOOD, len, ACCEPT, &header,
						&err), 0);
	assert_int_equal(cg_ws_response(GOOD, header, ACCEPT, &header, &err), 1);
}

static void refused(const char *answer, const char *why)
{
	struct cg_error err = { 0 };
	size_t header = 0;

	assert_int_equal(cg_ws_response(answer, strlen(answer), ACCEPT, &header,
					&err), -1);
	assert_int_equal(err.exit_code, EX_PROTOCOL);
	assert_non_null(strstr(err.message, "websocket handshake refused"));
	assert_non_null(strstr(err.message, why));
}

static void test_response_refused(void **state)
{
	(void)state;
	refused("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
		"HTTP 404 Not Found");
	refused("HTTP/1.0 200\r\n\r\n", "HTTP 200");
	refused("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		"Connection: Upgrade\r\nSec-WebSocket-Accept: "
		"dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", "wrong Sec-WebSocket-Accept");
	refused("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		"Connection: Upgrade\r\n\r\n", "no Sec-WebSocket-Accept");
	refused("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
		"without Upgrade");
	refused("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
		"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
		"extension");
	refused("\x24\x24\x57\x0f\x0e\x24", "does not answer HTTP");
	refused("HTTP/1.1 101 Switching\r\nbroken header\r\n\r\n", "colon");
	refused("HTTP/1.1 1x1\r\n\r\n", "not HTTP");

	/* An endless header is cut off, not waited for. */
	static char endless[CG_WS_RESPONSE_MAX + 16];
	memset(endless, 'a', sizeof(endless) - 1);
	memcpy(endless, "HTTP/1.1 101 X\r\nX-Long: ", 24);
	refused(endless, "too long");
}

static void test_text_bytes(void **state)
{
	uint8_t latin[] = { 'A', 0xc3, 0xbf, 0xc2, 0x80, 0x00, 0xc2, 0xa4 };
	uint8_t raw[] = { 0x24, 0xff, 0x57 }; /* not UTF-8: left alone */
	uint8_t other[] = { 0xe2, 0x82, 0xac }; /* U+20AC: not a byte */

	(void)state;
	assert_int_equal(cg_ws_text_bytes(latin, sizeof(latin)), 5);
	assert_memory_equal(latin, "A\xff\x80\x00\xa4", 5);
	assert_int_equal(cg_ws_text_bytes(raw, sizeof(raw)), 3);
	assert_memory_equal(raw, "\x24\xff\x57", 3);
	assert_int_equal(cg_ws_text_bytes(other, sizeof(other)), 3);
	assert_memory_equal(other, "\xe2\x82\xac", 3);
}

static void diagnosis(int exit_code, const char *message, bool lost,
		      enum cg_diagnosis want, const char *words)
{
	struct cg_doctor d;

	cg_doctor_init(&d, "tcp://box:4001", 115200, false);
	cg_doctor_network(&d);
	cg_doctor_opened(&d, 1000);
	if (lost)
		cg_doctor_lost(&d, 2000);
	else
		cg_doctor_open_failed(&d, exit_code, message, 2000);
	assert_int_equal(cg_doctor_diagnose(&d, 2100), want);
	assert_non_null(strstr(cg_doctor_text(&d), words));
	assert_int_equal(cg_doctor_link_state(&d, 2100),
			 CG_LINK_STATE_DISCONNECTED);
}

static void test_doctor_network(void **state)
{
	struct cg_doctor d;

	(void)state;
	diagnosis(EX_UNAVAILABLE, "connection refused by box:4001: is the box "
		  "in TCP-server mode on that port?", false, CG_DIAG_REFUSED,
		  "TCP-server mode");
	diagnosis(EX_NOHOST, "name not found: box", false, CG_DIAG_NO_HOST,
		  "name not found");
	diagnosis(EX_TEMPFAIL, "no answer from box:4001 within 5 s", false,
		  CG_DIAG_UNREACHABLE, "no answer");
	diagnosis(EX_PROTOCOL, "websocket handshake refused: HTTP 404 Not "
		  "Found", false, CG_DIAG_HANDSHAKE, "HTTP 404");
	diagnosis(0, NULL, true, CG_DIAG_CLOSED, "closed by the bridge");
	assert_string_equal(cg_diagnosis_name(CG_DIAG_REFUSED), "refused");
	assert_string_equal(cg_diagnosis_name(CG_DIAG_HANDSHAKE), "handshake");

	/* Connected, then nothing: the bridge's serial side, not COM3's
	 * wire, and never a baud hunt. */
	cg_doctor_init(&d, "ws://box:6432/", 115200, true);
	cg_doctor_network(&d);
	cg_doctor_opened(&d, 1000);
	assert_int_equal(cg_doctor_diagnose(&d, 1500), CG_DIAG_WAITING);
	assert_non_null(strstr(cg_doctor_text(&d), "waiting for frames"));
	assert_int_equal(cg_doctor_diagnose(&d, 1000 + CG_DOCTOR_SILENT_MS),
			 CG_DIAG_SILENT);
	assert_non_null(strstr(cg_doctor_text(&d), "connected but silent"));
	assert_int_equal(cg_doctor_want_baud(&d, 60000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_response_good),
		cmocka_unit_test(test_response_refused),
		cmocka_unit_test(test_text_bytes),
		cmocka_unit_test(test_doctor_network),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
