/*
 * doctor: each diagnosis produced from a stream that causes it, on a
 * synthetic clock: the simulator's bytes as they are, complemented,
 * corrupted, replaced by line noise, or absent; link errors; the baud
 * hunt against a fake port that only makes sense at 57600; and the link
 * state. Bridges that strip XON/XOFF are in tests/test_doctor_xonxoff.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "doctor.h"
#include "framer.h"
#include "frames.h"
#include "sim.h"
#include "doctor_fixture.h"

static void test_healthy_stream_is_ok(void **state)
{
	static struct rig r;

	(void)state;
	rig_init(&r, HEALTHY, true);
	run_for(&r, 30000);
	assert_int_equal(diagnose(&r), CG_DIAG_OK);
	assert_null(cg_doctor_text(&r.doctor));
	assert_int_equal(r.switch_count, 0);
}

static void test_waiting_right_after_open(void **state)
{
	static struct rig r;

	(void)state;
	rig_init(&r, SILENT, true);
	run_for(&r, 500);
	assert_int_equal(diagnose(&r), CG_DIAG_WAITING);
	assert_text_has(&r, "listening at 115200");
}

static void test_silence_counts_seconds(void **state)
{
	static struct rig r;

	(void)state;
	rig_init(&r, SILENT, true);
	run_for(&r, 2000);
	assert_int_equal(diagnose(&r), CG_DIAG_WAITING);
	run_for(&r, 10300);
	assert_int_equal(diagnose(&r), CG_DIAG_SILENT);
	assert_text_has(&r, "open but silent for 12 s");
	assert_text_has(&r, "COM3 wire and pin, is the BMS on?");
	assert_text_has(&r, "it sends only while its display unit is on");
	assert_int_equal(r.switch_count, 0); /* nothing to hunt with */
}

static void test_stream_that_stops_is_silent(void **state)
{
	static struct rig r;

	(void)state;
	rig_init(&r, HEALTHY, true);
	run_for(&r, 10000);
	assert_int_equal(diagnose(&r), CG_DIAG_OK);
	r.stream = SILENT;
	run_for(&r, 5000);
	assert_int_equal(diagnose(&r), CG_DIAG_SILENT);
	assert_text_has(&r, "no bytes for ");
	assert_text_has(&r, "display unit is on");
}

static void test_complemented_bytes_are_inverted(void **state)
{
	static struct rig r;

	(void)state;
	rig_init(&r, INVERTED, true);
	run_for(&r, 10000);
	assert_int_equal(diagnose(&r), CG_DIAG_INVERTED);
	assert_text_has(&r, "inverted");
	assert_text_has(&r, "TTL adapter needs an inverter");
	/* The rate is not the problem: no hunting. */
	assert_int_equal(r.switch_count, 0);
	assert_int_equal(r.framer.stats.frames, 0);
}

static void test_line_noise_is_no_sync(void **state)
{
	static struct rig r;

	(void)state;
	rig_init(&r, NOISE, false); /* a capture: no rate to change */
	run_for(&r, 2000);
	assert_int_equal(diagnose(&r), CG_DIAG_WAITING);
	run_for(&r, 3000);
	assert_int_equal(diagnose(&r), CG_DIAG_NO_SYNC);
	assert_text_has(&r, "bytes but no frames at 115200 baud");
	assert_int_equal(r.switch_count, 0);
}

static void test_corrupted_checksums(void **state)
{
	static struct rig r;
	const char *text;
	int percent;

	(void)state;
	rig_init(&r, CORRUPT, true);
	run_for(&r, 20000);
	assert_true(r.framer.stats.bad_checksum >= 3);
	assert_int_equal(diagnose(&r), CG_DIAG_CHECKSUM);
	assert_text_has(&r, "% of frames fail checksum: noise, grounding or isolation");
	text = cg_doctor_text(&r.doctor);
	percent = atoi(text);
	/* One burst in three carries one or two frames, one damaged. */
	assert_in_range(percent, 15, 40);
	assert_int_equal(r.switch_count, 0);

	/* A clean line again: the window forgets within its 10 s. */
	r.stream = HEALTHY;
	run_for(&r, 11000);
	assert_int_equal(diagnose(&r), CG_DIAG_OK);
}

static void test_rare_checksum_failure_is_ok(void **state)
{
	static struct rig r;

	(void)state;
	rig_init(&r, CORRUPT, true);
	run_for(&r, 1000); /* the first burst is damaged */
	r.stream = HEALTHY;
	run_for(&r, 8000);
	assert_int_equal(r.framer.stats.bad_checksum, 1);
	assert_int_equal(diagnose(&r), CG_DIAG_OK);
}

/* Straight from framer statistics: one frame a second, a failure at
 * seconds 2, 4 and 6 raises the diagnosis; one left in the window keeps
 * it; none clears it. */
static void test_checksum_diagnosis_does_not_flicker(void **state)
{
	static const uint8_t byte = 0x00;
	struct cg_framer_stats stats = { 0 };
	struct cg_doctor d;

	(void)state;
	cg_doctor_init(&d, PORT, 115200, true);
	cg_doctor_opened(&d, 500);
	for (uint64_t second = 1; second <= 17; second++) {
		uint64_t now = second * 1000;

		stats.frames++;
		if (second == 2 || second == 4 || second == 6)
			stats.bad_checksum++;
		cg_doctor_feed(&d, &byte, 1, &stats, now);
		cg_doctor_diagnose(&d, now);
		if (second == 5)
			assert_int_equal(d.diagnosis, CG_DIAG_OK);
		if (second >= 6 && second <= 15)
			assert_int_equal(d.diagnosis, CG_DIAG_CHECKSUM);
		if (second == 16)
			assert_int_equal(d.diagnosis, CG_DIAG_OK);
	}
	/* Seen fresh, one failure in ten frames is not enough to say so. */
	cg_doctor_init(&d, PORT, 115200, true);
	cg_doctor_opened(&d, 500);
	stats = (struct cg_framer_stats){ 0 };
	for (uint64_t second = 1; second <= 10; second++) {
		stats.frames++;
		stats.bad_checksum += second == 6;
		cg_doctor_feed(&d, &byte, 1, &stats, second * 1000);
	}
	assert_int_equal(cg_doctor_diagnose(&d, 10000), CG_DIAG_OK);
}

static void test_link_errors(void **state)
{
	struct cg_doctor d;

	(void)state;
	cg_doctor_init(&d, PORT, 115200, true);
	cg_doctor_open_failed(&d, EX_NOINPUT,
			      "no such port /dev/ttyUSB0. Check that the "
			      "adapter is plugged in (dmesg shows it), then "
			      "name one of these:\n/dev/ttyS0 ...",
			      1000);
	assert_int_equal(cg_doctor_diagnose(&d, 1000), CG_DIAG_NO_DEVICE);
	assert_string_equal(cg_doctor_text(&d),
			    "no device at /dev/ttyUSB0 (unplugged?)");

	cg_doctor_open_failed(&d, EX_NOPERM,
			      "permission denied on /dev/ttyUSB0 (owner group "
			      "dialout, mode 660). Add yourself to that "
			      "group:\n    sudo usermod -aG dialout me",
			      2000);
	assert_int_equal(cg_doctor_diagnose(&d, 2000), CG_DIAG_PERMISSION);
	assert_string_equal(cg_doctor_text(&d),
			    "permission denied on /dev/ttyUSB0 (see README)");

	cg_doctor_open_failed(&d, EX_UNAVAILABLE,
			      "/dev/ttyUSB0 is in use by minicom (pid 12). "
			      "Close it, or stop ModemManager if it is probing "
			      "the port (sudo systemctl stop ModemManager).",
			      3000);
	assert_int_equal(cg_doctor_diagnose(&d, 3000), CG_DIAG_BUSY);
	assert_string_equal(cg_doctor_text(&d), "busy: minicom (pid 12)");

	cg_doctor_open_failed(&d, EX_UNAVAILABLE,
			      "/dev/ttyUSB0 is in use by another program. "
			      "Close it (see which with: sudo lsof "
			      "/dev/ttyUSB0), or stop ModemManager.",
			      3500);
	assert_int_equal(cg_doctor_diagnose(&d, 3500), CG_DIAG_BUSY);
	assert_string_equal(cg_doctor_text(&d), "busy: another program");

	cg_doctor_open_failed(&d, EX_IOERR,
			      "cannot open /dev/ttyUSB0: Input/output error\n"
			      "second line", 4000);
	assert_int_equal(cg_doctor_diagnose(&d, 4000), CG_DIAG_OPEN_ERROR);
	assert_string_equal(cg_doctor_text(&d),
			    "cannot open /dev/ttyUSB0: Input/output error");

	cg_doctor_opened(&d, 5000);
	assert_int_equal(cg_doctor_diagnose(&d, 5000), CG_DIAG_WAITING);
	cg_doctor_lost(&d, 6000);
	assert_int_equal(cg_doctor_diagnose(&d, 6000), CG_DIAG_NO_DEVICE);
	assert_int_equal(cg_doctor_want_baud(&d, 6000), 0);
}

static void test_baud_hunt_finds_57600(void **state)
{
	static struct rig r;

	(void)state;
	rig_init(&r, BAUD_57600, true);
	run_for(&r, 2000);
	assert_int_equal(r.switch_count, 0);
	assert_int_equal(diagnose(&r), CG_DIAG_WAITING);

	/* Three seconds of bytes without a frame: listen at 57600. */
	run_for(&r, 1200);
	assert_int_equal(r.switch_count, 1);
	assert_int_equal(r.switches[0], 57600);
	/* The first frames at 57600 end the hunt at once. */
	run_for(&r, 2000);
	assert_true(r.framer.stats.frames > 0);
	assert_int_equal(diagnose(&r), CG_DIAG_WRONG_BAUD);
	assert_string_equal(cg_doctor_text(&r.doctor),
			    "no frames at 115200; frames found at 57600 "
			    "baud (set -b 57600)");

	/* It stays at the working rate. */
	run_for(&r, 30000);
	assert_int_equal(r.switch_count, 1);
	assert_int_equal(r.port_baud, 57600);
	assert_int_equal(diagnose(&r), CG_DIAG_WRONG_BAUD);
}

static void test_baud_hunt_gives_up(void **state)
{
	static const int expected[] = { 57600, 38400, 19200, 9600, 230400,
					 115200 };
	static struct rig r;
	bool saw_hunting = false;

	(void)state;
	rig_init(&r, NOISE, true);
	run_for(&r, 3200);
	assert_int_equal(r.switch_count, 1);
	assert_int_equal(diagnose(&r), CG_DIAG_HUNTING);
	assert_text_has(&r, "bytes but no frames at 115200: listening at "
			    "57600 baud (1 of 5)");
	for (int i = 0; i < 60; i++) {
		run_for(&r, 500);
		saw_hunting |= diagnose(&r) == CG_DIAG_HUNTING &&
			       strstr(cg_doctor_text(&r.doctor), "(5 of 5)");
	}
	assert_true(saw_hunting);
	assert_int_equal(r.switch_count, 6);
	assert_memory_equal(r.switches, expected, sizeof(expected));
	assert_int_equal(r.port_baud, 115200);
	assert_int_equal(diagnose(&r), CG_DIAG_NO_RATE);
	assert_string_equal(cg_doctor_text(&r.doctor),
			    "bytes but no frames at any common rate: "
			    "inverted signal or wrong pin?");
}

static void test_no_hunt_once_frames_came(void **state)
{
	static struct rig r;

	(void)state;
	rig_init(&r, HEALTHY, true);
	run_for(&r, 5000);
	r.stream = NOISE; /* say, a wire working loose */
	run_for(&r, 10000);
	assert_int_equal(r.switch_count, 0);
	assert_int_equal(diagnose(&r), CG_DIAG_NO_SYNC);
}

/*
 * Frames whose header and length are right but whose checksum fails prove
 * the baud rate right: the fault is noise, and hunting other rates would
 * only lose the line.
 */
static void test_no_hunt_when_only_checksums_fail(void **state)
{
	static struct rig r;

	(void)state;
	rig_init(&r, CORRUPT_ALL, true);
	run_for(&r, 10000);
	assert_int_equal(r.framer.stats.frames, 0);
	assert_true(r.framer.stats.bad_checksum >= 10);
	assert_int_equal(r.switch_count, 0);
	assert_int_equal(diagnose(&r), CG_DIAG_CHECKSUM);
}

/* The status bar's link state, as the doctor tracks it: the one owner of
 * the last byte, the last frame and the quiet threshold. */
static void test_link_state(void **state)
{
	static struct rig r;

	(void)state;
	rig_init(&r, HEALTHY, true);
	assert_int_equal(cg_doctor_link_state(&r.doctor, r.now),
			 CG_LINK_STATE_WAITING);
	run_for(&r, 5000);
	assert_int_equal(cg_doctor_link_state(&r.doctor, r.now),
			 CG_LINK_STATE_CONNECTED);
	/* Frames stop: connected for the quiet time, then waiting. */
	r.stream = SILENT;
	run_for(&r, CG_DOCTOR_QUIET_MS - TICK_MS);
	assert_int_equal(cg_doctor_link_state(&r.doctor, r.now),
			 CG_LINK_STATE_CONNECTED);
	run_for(&r, 2 * TICK_MS);
	assert_int_equal(cg_doctor_link_state(&r.doctor, r.now),
			 CG_LINK_STATE_WAITING);
	/* Bytes without frames: no sync. */
	r.stream = NOISE;
	run_for(&r, 2000);
	assert_int_equal(cg_doctor_link_state(&r.doctor, r.now),
			 CG_LINK_STATE_NO_SYNC);
	cg_doctor_lost(&r.doctor, r.now);
	assert_int_equal(cg_doctor_link_state(&r.doctor, r.now),
			 CG_LINK_STATE_DISCONNECTED);
	cg_doctor_opened(&r.doctor, r.now);
	assert_int_equal(cg_doctor_link_state(&r.doctor, r.now),
			 CG_LINK_STATE_WAITING);
	/* Right after a reopen, bytes alone are not yet "no sync". */
	run_for(&r, 1000);
	assert_int_equal(cg_doctor_link_state(&r.doctor, r.now),
			 CG_LINK_STATE_WAITING);
	cg_doctor_ended(&r.doctor);
	assert_int_equal(cg_doctor_link_state(&r.doctor, r.now),
			 CG_LINK_STATE_ENDED);
}

/* Good frames of a length this version cannot read: the link is fine and
 * the doctor asks for a recording, never "no frames", never hunts. */
static void test_unknown_variant_is_said(void **state)
{
	static struct cg_doctor d;
	struct cg_framer framer;
	uint8_t f[17] = { 0x24, 0x24, 0x57, 17, 0x0E, 0x24, 0x01 };
	uint64_t now = 1000;

	(void)state;
	f[16] = cg_checksum(f, 16);
	cg_doctor_init(&d, "/dev/ttyUSB0", 115200, true);
	cg_doctor_opened(&d, now);
	cg_framer_init(&framer);
	for (unsigned s = 0; s < 12; s++) {
		const uint8_t *p = f;
		size_t left = sizeof(f);
		struct cg_frame frame;

		now += 1000;
		while (cg_framer_next(&framer, &p, &left, &frame))
			fail_msg("a 0x57 of 17 bytes passed the framer");
		cg_doctor_feed(&d, f, sizeof(f), &framer.stats, now);
		assert_int_equal(cg_doctor_want_baud(&d, now), 0);
	}
	assert_int_equal(cg_doctor_diagnose(&d, now), CG_DIAG_UNKNOWN_VARIANT);
	assert_string_equal(cg_doctor_text(&d),
			    "12 checksum-valid 0x57 frames of 17 bytes that "
			    "this version cannot read: please send a recording "
			    "(--record)");
	assert_string_equal(cg_diagnosis_name(CG_DIAG_UNKNOWN_VARIANT),
			    "unknown-variant");
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(cg_diagnosis_name(CG_DIAG_OK), "ok");
	assert_string_equal(cg_diagnosis_name(CG_DIAG_INVERTED), "inverted");
	assert_string_equal(cg_diagnosis_name(CG_DIAG_CHECKSUM), "checksum");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_stream_is_ok),
		cmocka_unit_test(test_waiting_right_after_open),
		cmocka_unit_test(test_silence_counts_seconds),
		cmocka_unit_test(test_stream_that_stops_is_silent),
		cmocka_unit_test(test_complemented_bytes_are_inverted),
		cmocka_unit_test(test_line_noise_is_no_sync),
		cmocka_unit_test(test_corrupted_checksums),
		cmocka_unit_test(test_no_hunt_when_only_checksums_fail),
		cmocka_unit_test(test_rare_checksum_failure_is_ok),
		cmocka_unit_test(test_checksum_diagnosis_does_not_flicker),
		cmocka_unit_test(test_link_errors),
		cmocka_unit_test(test_baud_hunt_finds_57600),
		cmocka_unit_test(test_baud_hunt_gives_up),
		cmocka_unit_test(test_no_hunt_once_frames_came),
		cmocka_unit_test(test_link_state),
		cmocka_unit_test(test_unknown_variant_is_said),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
