/*
 * Unit tests for mqttsub (the mqtt:// source's pure half): source URLs
 * good and bad, topics split under a prefix, the frames payload read back
 * (round trip with mqttfmt's writer), availability payloads and the
 * remote pack's clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <cmocka.h>

#include "mqttsub.h"

static void test_url_good(void **state)
{
	(void)state;
	struct cg_mqtt_src_url u;
	struct cg_error err = { 0 };

	assert_int_equal(cg_mqtt_src_url_parse("mqtt://127.0.0.1:1999/test/pi1",
					       &u, &err), 0);
	assert_string_equal(u.broker.host, "127.0.0.1");
	assert_int_equal(u.broker.port, 1999);
	assert_false(u.broker.tls);
	assert_string_equal(u.broker.prefix, "test");
	assert_string_equal(u.name, "pi1");
	assert_false(u.every);

	assert_int_equal(cg_mqtt_src_url_parse("mqtts://bob@broker.lan/a/b/+",
					       &u, &err), 0);
	assert_true(u.broker.tls);
	assert_int_equal(u.broker.port, 8883);
	assert_string_equal(u.broker.user, "bob");
	assert_string_equal(u.broker.prefix, "a/b");
	assert_string_equal(u.name, "+");
	assert_true(u.every);

	assert_int_equal(cg_mqtt_src_url_parse("mqtt://[::1]/chargery/van-2",
					       &u, &err), 0);
	assert_string_equal(u.broker.host, "::1");
	assert_int_equal(u.broker.port, 1883);
	assert_string_equal(u.name, "van-2");
}

static void test_url_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"tcp://host:1/a/b",         /* not mqtt */
		"mqtt://host",              /* no prefix, no name */
		"mqtt://host/pi1",          /* a name without its prefix */
		"mqtt://host/chargery/",    /* an empty name */
		"mqtt://host/chargery/a#",  /* # in the name */
		"mqtt://host/char+gery/x",  /* + in the prefix */
		"mqtt://host//x",           /* an empty prefix level */
		"mqtt://host:0/chargery/x", /* port out of range */
		"mqtt://:1883/chargery/x",  /* no host */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cg_mqtt_src_url u;
		struct cg_error err = { 0 };
		if (cg_mqtt_src_url_parse(bad[i], &u, &err) != -1)
			fail_msg("accepted %s", bad[i]);
		assert_int_equal(err.exit_code, EX_USAGE);
		assert_non_null(strstr(err.message, "PREFIX/NAME"));
	}
	assert_true(cg_mqtt_is_url("mqtts://x"));
	assert_false(cg_mqtt_is_url("/dev/ttyUSB0"));
	assert_false(cg_mqtt_is_url(NULL));
}

static void test_topic_split(void **state)
{
	(void)state;
	char name[CG_MQTT_NAME_MAX];
	const char *leaf = NULL;

	assert_int_equal(cg_mqtt_topic_split("a/b/pi1/frames", "a/b", name,
					     sizeof(name), &leaf), 0);
	assert_string_equal(name, "pi1");
	assert_string_equal(leaf, "frames");
	assert_int_equal(cg_mqtt_topic_split("chargery/x/availability",
					     "chargery", name, sizeof(name),
					     &leaf), 0);
	assert_string_equal(leaf, "availability");
	/* Not under the prefix, a prefix that only starts the same, too
	 * few or too many levels, an empty name. */
	assert_int_equal(cg_mqtt_topic_split("other/pi1/frames", "a", name,
					     sizeof(name), &leaf), -1);
	assert_int_equal(cg_mqtt_topic_split("ab/pi1/frames", "a", name,
					     sizeof(name), &leaf), -1);
	assert_int_equal(cg_mqtt_topic_split("a/pi1", "a", name,
					     sizeof(name), &leaf), -1);
	assert_int_equal(cg_mqtt_topic_split("a/pi1/x/y", "a", name,
					     sizeof(name), &leaf), -1);
	assert_int_equal(cg_mqtt_topic_split("a//frames", "a", name,
					     sizeof(name), &leaf), -1);
	assert_int_equal(cg_mqtt_topic_split("a/pi1/frames", "a", name, 3,
					     &leaf), -1);
}

static void test_frames_round_trip(void **state)
{
	(void)state;
	struct cg_frame f = { .len = 5, .bytes = { 0x24, 0x24, 0x57, 0x0f, 9 } };
	uint8_t raw[CG_MQTT_FRAMES_MAX];
	uint64_t ms = 1795501200123ull, back = 0;
	const uint8_t *bytes = NULL;
	size_t n = 0, len = cg_mqtt_frames_payload(raw, sizeof(raw), ms, &f);

	assert_int_equal(len, 13);
	assert_int_equal(cg_mqtt_frames_parse(raw, len, &back, &bytes, &n), 0);
	assert_true(back == ms);
	assert_int_equal(n, 5);
	assert_memory_equal(bytes, f.bytes, 5);
	assert_ptr_equal(bytes, raw + 8);
	/* A time alone, or more than a frame, is not a frames payload. */
	assert_int_equal(cg_mqtt_frames_parse(raw, 8, &back, &bytes, &n), -1);
	assert_int_equal(cg_mqtt_frames_parse(raw, 0, &back, &bytes, &n), -1);
	assert_int_equal(cg_mqtt_frames_parse(raw, CG_MQTT_FRAMES_MAX + 1,
					      &back, &bytes, &n), -1);
}

static void test_availability(void **state)
{
	(void)state;
	assert_int_equal(cg_mqtt_availability_parse("online", 6), 1);
	assert_int_equal(cg_mqtt_availability_parse("offline", 7), 0);
	assert_int_equal(cg_mqtt_availability_parse("online\n", 7), -1);
	assert_int_equal(cg_mqtt_availability_parse("", 0), -1);
	assert_int_equal(cg_mqtt_availability_parse("ONLINE", 6), -1);
}

static void test_remote_clock(void **state)
{
	(void)state;
	/* 250 ms through the broker: 250 ms old on the reader's clock. */
	assert_true(cg_mqtt_remote_ms(1000000, 1000250, 50000) == 49750);
	/* Stamped in the future (clocks apart): taken as now. */
	assert_true(cg_mqtt_remote_ms(1000900, 1000250, 50000) == 50000);
	/* Older than the reader's clock goes back: the oldest time, not 0
	 * (which a pack reads as "never"). */
	assert_true(cg_mqtt_remote_ms(0, 1000250, 50000) == 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_good),
		cmocka_unit_test(test_url_bad),
		cmocka_unit_test(test_topic_split),
		cmocka_unit_test(test_frames_round_trip),
		cmocka_unit_test(test_availability),
		cmocka_unit_test(test_remote_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
