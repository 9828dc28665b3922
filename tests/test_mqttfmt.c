/*
 * Unit tests for mqttfmt (--mqtt's pure half): broker URLs good and bad,
 * names as topic levels, topics, the binary frames payload, the link
 * state in words, the pack payload (the snapshot plus alarm flags and
 * power) and the Home Assistant discovery configs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <cmocka.h>

#include "mqttfmt.h"

static void test_url_good(void **state)
{
	(void)state;
	struct cg_mqtt_url u;
	struct cg_error err;

	assert_int_equal(cg_mqtt_url_parse("mqtt://broker.lan", &u, &err), 0);
	assert_false(u.tls);
	assert_string_equal(u.host, "broker.lan");
	assert_int_equal(u.port, 1883);
	assert_string_equal(u.user, "");
	assert_string_equal(u.prefix, "chargery");

	assert_int_equal(cg_mqtt_url_parse("mqtts://pi@10.0.0.2:8884/home/bms",
					   &u, &err), 0);
	assert_true(u.tls);
	assert_string_equal(u.host, "10.0.0.2");
	assert_int_equal(u.port, 8884);
	assert_string_equal(u.user, "pi");
	assert_string_equal(u.prefix, "home/bms");

	assert_int_equal(cg_mqtt_url_parse("mqtts://[::1]", &u, &err), 0);
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 8883);
	assert_int_equal(cg_mqtt_url_parse("mqtt://[fe80::1]:1884/x", &u, &err), 0);
	assert_string_equal(u.host, "fe80::1");
	assert_int_equal(u.port, 1884);
	assert_string_equal(u.prefix, "x");
	/* A trailing slash keeps the default prefix. */
	assert_int_equal(cg_mqtt_url_parse("mqtt://h/", &u, &err), 0);
	assert_string_equal(u.prefix, "chargery");
}

static void test_url_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"http://broker", "broker:1883", "mqtt://", "mqtt://:1883",
		"mqtt://h:0", "mqtt://h:65536", "mqtt://h:12x", "mqtt://h:",
		"mqtt://u:secret@h", "mqtt://@h", "mqtt://h/a+b", "mqtt://h/a/#",
		"mqtt://h/a//b", "mqtt://[::1", "mqtt://[::1]x",
	};
	struct cg_mqtt_url u;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cg_error err = { 0 };
		if (cg_mqtt_url_parse(bad[i], &u, &err) != -1)
			fail_msg("'%s' was accepted", bad[i]);
		assert_int_equal(err.exit_code, EX_USAGE);
		/* The message says what a good one looks like. */
		assert_non_null(strstr(err.message, "mqtt://[USER@]HOST"));
	}
	struct cg_error err = { 0 };
	cg_mqtt_url_parse("mqtt://u:pw@h", &u, &err);
	assert_non_null(strstr(err.message, "CHARGERY_MQTT_PASSWORD"));
}

static void test_names(void **state)
{
	(void)state;
	struct cg_error err = { 0 };

	assert_true(cg_mqtt_level_ok("pi-garage"));
	assert_true(cg_mqtt_level_ok("A906XYZ"));
	assert_true(cg_mqtt_level_ok("shed 2"));
	assert_false(cg_mqtt_level_ok(""));
	assert_false(cg_mqtt_level_ok("a/b"));
	assert_false(cg_mqtt_level_ok("a+"));
	assert_false(cg_mqtt_level_ok("#"));
	assert_false(cg_mqtt_level_ok("tab\there"));
	char longname[CG_MQTT_NAME_MAX + 1];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[CG_MQTT_NAME_MAX] = '\0';
	assert_false(cg_mqtt_level_ok(longname));
	longname[CG_MQTT_NAME_MAX - 1] = '\0';
	assert_true(cg_mqtt_level_ok(longname));

	assert_int_equal(cg_mqtt_name_check("ok", "--name", &err), 0);
	assert_int_equal(cg_mqtt_name_check("a/b", "--name", &err), -1);
	assert_int_equal(err.exit_code, EX_USAGE);
	assert_non_null(strstr(err.message, "--name 'a/b'"));
}

static void test_topic(void **state)
{
	(void)state;
	char t[32];

	assert_int_equal(cg_mqtt_topic(t, sizeof(t), "chargery", "pi1", "cells"),
			 strlen("chargery/pi1/cells"));
	assert_string_equal(t, "chargery/pi1/cells");
	assert_int_equal(cg_mqtt_topic(t, 10, "chargery", "pi1", "cells"), 0);
	assert_string_equal(t, "");
}

static void test_frames_payload(void **state)
{
	(void)state;
	struct cg_frame f = { .len = 4, .bytes = { 0x24, 0x24, 0x57, 0x0f } };
	uint8_t out[CG_MQTT_FRAMES_MAX];
	/* 2026-11-24T06:20:00.123Z */
	uint64_t ms = 1795501200123ull;

	assert_int_equal(cg_mqtt_frames_payload(out, sizeof(out), ms, &f), 12);
	uint64_t back = 0;
	for (int i = 7; i >= 0; i--)
		back = back << 8 | out[i];
	assert_true(back == ms);
	assert_int_equal(out[0], ms & 0xff); /* little-endian */
	assert_memory_equal(out + 8, f.bytes, 4);
	assert_int_equal(cg_mqtt_frames_payload(out, 11, ms, &f), 0);
}

static void test_link_text(void **state)
{
	(void)state;
	assert_string_equal(cg_mqtt_link_text(CG_LINK_STATE_CONNECTED), "connected");
	assert_string_equal(cg_mqtt_link_text(CG_LINK_STATE_DISCONNECTED),
			    "disconnected");
	assert_string_equal(cg_mqtt_link_text(CG_LINK_STATE_NO_SYNC), "no sync");
	assert_string_equal(cg_mqtt_link_text(CG_LINK_STATE_WAITING), "waiting");
	assert_string_equal(cg_mqtt_link_text(CG_LINK_STATE_ENDED), "ended");
}

static void make_pack(struct cg_pack *p, int32_t current_da)
{
	struct cg_pack_config config = { 0 };
	struct cg_record rec = { .type = CG_REC_CELLS };

	cg_pack_init(p, &config);
	rec.u.cells.count = 4;
	rec.u.cells.mv[0] = 3300;
	rec.u.cells.mv[1] = 3310;
	rec.u.cells.mv[2] = 3290;
	rec.u.cells.mv[3] = 3305;
	cg_pack_apply(p, &rec, 1000);
	rec = (struct cg_record){ .type = CG_REC_STATUS };
	rec.u.status.charge_end_mv = 3650;
	rec.u.status.has_mode = true;
	rec.u.status.mode = current_da < 0 ? CG_MODE_DISCHARGE : CG_MODE_CHARGE;
	rec.u.status.current_da = current_da;
	cg_pack_apply(p, &rec, 1000);
}

static void test_pack_payload(void **state)
{
	(void)state;
	static char out[CG_MQTT_PACK_MAX];
	struct cg_pack p;
	struct cg_alarms al;

	make_pack(&p, -105); /* 13.205 V x -10.5 A = -138.65 W */
	cg_alarms_init(&al);
	al.delta = true;
	al.lost_mask = 0;
	size_t n = cg_mqtt_pack_payload(out, sizeof(out), &p, &al,
					"2026-11-24T06:20:00.123Z", 1500);
	assert_true(n > 0);
	assert_int_equal(strlen(out), n);
	assert_int_equal(out[0], '{');
	assert_int_equal(out[n - 1], '}'); /* no newline in a payload */
	assert_non_null(strstr(out, "\"total_mv\":13205"));
	assert_non_null(strstr(out, "\"alarm\":{\"high\":false,\"low\":false,"
				    "\"delta\":true,\"lost\":false}"));
	assert_non_null(strstr(out, "\"power_w\":-138.7}"));
	assert_non_null(strstr(out, "\"fresh\":true"));

	make_pack(&p, 250);
	cg_alarms_init(&al);
	cg_mqtt_pack_payload(out, sizeof(out), &p, &al, "T", 1500);
	assert_non_null(strstr(out, "\"power_w\":330.1}"));

	/* No status yet: no power. */
	struct cg_pack_config config = { 0 };
	cg_pack_init(&p, &config);
	cg_mqtt_pack_payload(out, sizeof(out), &p, &al, "T", 1500);
	assert_non_null(strstr(out, "\"power_w\":null}"));
	assert_int_equal(cg_mqtt_pack_payload(out, 40, &p, &al, "T", 1500), 0);
}

static void test_discovery(void **state)
{
	(void)state;
	struct cg_mqtt_ha ha = { "homeassistant", "home/bms", "shed \"2\"", 16,
				 "chargery-top 0.1.0" };
	char topic[CG_MQTT_TOPIC_MAX], json[CG_MQTT_DISCOVERY_MAX];
	unsigned n = cg_mqtt_discovery_count();
	unsigned cells = 0, impedances = 0, binary = 0, empty = 0;

	assert_int_equal(n, 17 + 2 * CG_MAX_CELLS);
	for (unsigned i = 0; i < n; i++) {
		int len = cg_mqtt_discovery(&ha, i, topic, sizeof(topic), json,
					    sizeof(json));
		assert_true(len >= 0);
		assert_int_equal(strncmp(topic, "homeassistant/", 14), 0);
		/* The node id keeps only characters HA takes. */
		assert_non_null(strstr(topic, "/chargery_shed__2_/"));
		assert_non_null(strstr(topic, "/config"));
		if (strstr(topic, "/binary_sensor/"))
			binary++;
		if (len == 0) {
			empty++;
			continue;
		}
		if (strstr(topic, "/cell"))
			cells++;
		if (strstr(topic, "/impedance"))
			impedances++;
		assert_int_equal(strlen(json), (size_t)len);
		assert_non_null(strstr(json, "\"unique_id\":\"chargery_shed__2__"));
		assert_non_null(strstr(json, "\"state_topic\":\"home/bms/shed \\\"2\\\"/"));
		assert_non_null(strstr(json, "\"availability_topic\":"
					     "\"home/bms/shed \\\"2\\\"/availability\""));
		assert_non_null(strstr(json, "\"device\":{\"identifiers\":"
					     "[\"chargery_shed__2_\"]"));
		assert_non_null(strstr(json, "\"name\":\"Chargery shed \\\"2\\\"\""));
	}
	assert_int_equal(binary, 6);
	assert_int_equal(cells, 16);
	assert_int_equal(impedances, 16);
	assert_int_equal(empty, 2 * (CG_MAX_CELLS - 16));

	/* Entity 0: the pack voltage, fully. */
	ha.name = "pi1";
	ha.prefix = "chargery";
	int len = cg_mqtt_discovery(&ha, 0, topic, sizeof(topic), json,
				    sizeof(json));
	assert_true(len > 0);
	assert_string_equal(topic, "homeassistant/sensor/chargery_pi1/voltage/config");
	assert_string_equal(json,
		"{\"name\":\"Pack voltage\",\"unique_id\":\"chargery_pi1_voltage\","
		"\"object_id\":\"chargery_pi1_voltage\","
		"\"state_topic\":\"chargery/pi1/pack\","
		"\"value_template\":\"{{ value_json.total_mv / 1000 }}\","
		"\"device_class\":\"voltage\",\"unit_of_measurement\":\"V\","
		"\"state_class\":\"measurement\",\"expire_after\":60,"
		"\"availability_topic\":\"chargery/pi1/availability\","
		"\"payload_available\":\"online\","
		"\"payload_not_available\":\"offline\","
		"\"device\":{\"identifiers\":[\"chargery_pi1\"],"
		"\"name\":\"Chargery pi1\",\"manufacturer\":\"Chargery\","
		"\"model\":\"BMS8T/16T/24T\","
		"\"sw_version\":\"chargery-top 0.1.0\"}}");
	/* The current is signed, the cell voltage indexes its cell. */
	cg_mqtt_discovery(&ha, 1, topic, sizeof(topic), json, sizeof(json));
	assert_non_null(strstr(json, "\"device_class\":\"current\""));
	assert_non_null(strstr(json, "value_json.current_a"));
	cg_mqtt_discovery(&ha, 17 + 4, topic, sizeof(topic), json, sizeof(json));
	assert_string_equal(topic, "homeassistant/sensor/chargery_pi1/cell5/config");
	assert_non_null(strstr(json, "value_json.cells_mv[4] / 1000"));
	assert_non_null(strstr(json, "\"state_topic\":\"chargery/pi1/cells\""));
	cg_mqtt_discovery(&ha, 17 + CG_MAX_CELLS, topic, sizeof(topic), json,
			  sizeof(json));
	assert_string_equal(topic,
			    "homeassistant/sensor/chargery_pi1/impedance1/config");
	assert_null(strstr(json, "expire_after"));
	cg_mqtt_discovery(&ha, 11, topic, sizeof(topic), json, sizeof(json));
	assert_string_equal(topic,
		"homeassistant/binary_sensor/chargery_pi1/alarm_high/config");
	assert_non_null(strstr(json, "\"device_class\":\"problem\""));

	/* Out of range, or buffers too small. */
	assert_int_equal(cg_mqtt_discovery(&ha, n, topic, sizeof(topic), json,
					   sizeof(json)), -1);
	assert_int_equal(cg_mqtt_discovery(&ha, 0, topic, 10, json,
					   sizeof(json)), -1);
	assert_int_equal(cg_mqtt_discovery(&ha, 0, topic, sizeof(topic), json,
					   100), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_good),
		cmocka_unit_test(test_url_bad),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_topic),
		cmocka_unit_test(test_frames_payload),
		cmocka_unit_test(test_link_text),
		cmocka_unit_test(test_pack_payload),
		cmocka_unit_test(test_discovery),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
