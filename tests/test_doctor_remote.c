/*
 * doctor: the words for another chargery-top read through a broker
 * (cg_doctor_remote, an mqtt:// source): silent, offline with how long,
 * the broker's connection lost, and the broker's own failures kept in
 * their words; never a serial bridge's wording, never a baud hunt.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sysexits.h>

#include "doctor.h"

static void remote(struct cg_doctor *d)
{
	cg_doctor_init(d, "mqtt://broker.lan/chargery/pi1", 115200, true);
	cg_doctor_remote(d, "chargery/pi1");
	cg_doctor_opened(d, 1000);
}

#define assert_text_has(d, words) \
	assert_non_null(strstr(cg_doctor_text(d), (words)))
#define assert_text_lacks(d, words) \
	assert_null(strstr(cg_doctor_text(d), (words)))

static void test_silent_remote(void **state)
{
	struct cg_doctor d;

	(void)state;
	remote(&d);
	assert_int_equal(cg_doctor_diagnose(&d, 1500), CG_DIAG_WAITING);
	assert_text_has(&d, "waiting for frames from the remote chargery-top "
			    "(chargery/pi1)");
	assert_int_equal(cg_doctor_diagnose(&d, 13000), CG_DIAG_SILENT);
	assert_text_has(&d, "the remote chargery-top (chargery/pi1) sends no "
			    "frames (for 12 s): is its BMS's display on?");
	assert_text_lacks(&d, "bridge");
	assert_text_lacks(&d, "COM3");
	assert_int_equal(cg_doctor_want_baud(&d, 60000), 0);
	assert_int_equal(cg_doctor_link_state(&d, 13000),
			 CG_LINK_STATE_WAITING);
}

/* Frames, then none: counted from the last one. */
static void test_remote_that_stops(void **state)
{
	static const uint8_t frame[] = { 0x24, 0x24, 0x57 };
	struct cg_framer_stats stats = { .frames = 1 };
	struct cg_doctor d;

	(void)state;
	remote(&d);
	cg_doctor_feed(&d, frame, sizeof(frame), &stats, 2000);
	assert_int_equal(cg_doctor_diagnose(&d, 2500), CG_DIAG_OK);
	assert_null(cg_doctor_text(&d));
	assert_int_equal(cg_doctor_diagnose(&d, 2000 + 150 * 1000),
			 CG_DIAG_SILENT);
	assert_text_has(&d, "sends no frames (for 2 min)");
}

/* "offline" (source_mqtt's EX_NOUSER), with how long it has been. */
static void test_offline_remote(void **state)
{
	struct cg_doctor d;

	(void)state;
	remote(&d);
	cg_doctor_lost(&d, 5000);
	cg_doctor_open_failed(&d, EX_NOUSER, "the remote chargery-top "
			      "(chargery/pi1) is offline", 5000);
	assert_int_equal(cg_doctor_diagnose(&d, 5000), CG_DIAG_OFFLINE);
	assert_string_equal(cg_diagnosis_name(CG_DIAG_OFFLINE), "offline");
	assert_text_has(&d, "the remote chargery-top (chargery/pi1) is "
			    "offline (for 0 s)");
	assert_text_lacks(&d, "bridge");
	assert_int_equal(cg_doctor_link_state(&d, 5000),
			 CG_LINK_STATE_DISCONNECTED);
	cg_doctor_diagnose(&d, 5000 + 42 * 1000);
	assert_text_has(&d, "offline (for 42 s)");
	cg_doctor_diagnose(&d, 5000 + 15 * 60 * 1000);
	assert_text_has(&d, "offline (for 15 min)");
	cg_doctor_diagnose(&d, 5000 + (3 * 3600 + 7 * 60 + 5) * 1000ULL);
	assert_text_has(&d, "offline (for 3 h 07 min)");
	/* Back: frames again. */
	cg_doctor_opened(&d, 900000);
	assert_int_equal(cg_doctor_diagnose(&d, 900100), CG_DIAG_WAITING);
	assert_text_has(&d, "waiting for frames from the remote");
}

static void test_broker_words(void **state)
{
	struct cg_doctor d;

	(void)state;
	/* The broker's connection went: not "closed by the bridge". */
	remote(&d);
	cg_doctor_lost(&d, 2000);
	assert_int_equal(cg_doctor_diagnose(&d, 2100), CG_DIAG_CLOSED);
	assert_text_has(&d, "the connection to the broker was lost; "
			    "reconnecting for the remote chargery-top "
			    "(chargery/pi1)");
	assert_text_lacks(&d, "bridge");
	/* The broker's own refusal keeps its words, and its diagnosis. */
	remote(&d);
	cg_doctor_open_failed(&d, EX_UNAVAILABLE, "mqtt: broker broker.lan:"
			      "1883 refused the connection: is the broker "
			      "running there?", 2000);
	assert_int_equal(cg_doctor_diagnose(&d, 2100), CG_DIAG_REFUSED);
	assert_text_has(&d, "is the broker running there?");
	remote(&d);
	cg_doctor_open_failed(&d, EX_NOHOST, "mqtt: broker nosuch.lan: name "
			      "not found", 2000);
	assert_int_equal(cg_doctor_diagnose(&d, 2100), CG_DIAG_NO_HOST);
	assert_text_has(&d, "name not found");
}

/* A serial bridge keeps its own words (cg_doctor_network alone). */
static void test_bridge_unchanged(void **state)
{
	struct cg_doctor d;

	(void)state;
	cg_doctor_init(&d, "tcp://box:4001", 115200, false);
	cg_doctor_network(&d);
	cg_doctor_opened(&d, 1000);
	assert_int_equal(cg_doctor_diagnose(&d, 13000), CG_DIAG_SILENT);
	assert_text_has(&d, "connected but silent for 12 s");
	assert_text_lacks(&d, "remote");
	cg_doctor_open_failed(&d, EX_NOUSER, "odd", 14000);
	assert_int_not_equal(cg_doctor_diagnose(&d, 14000), CG_DIAG_OFFLINE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_silent_remote),
		cmocka_unit_test(test_remote_that_stops),
		cmocka_unit_test(test_offline_remote),
		cmocka_unit_test(test_broker_words),
		cmocka_unit_test(test_bridge_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
