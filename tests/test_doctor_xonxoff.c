/*
 * doctor: frames that lost a 0x11 or 0x13 to a bridge or tty doing XON/XOFF
 * flow control are said to be flow control, and nothing else is: frames
 * one byte short of something else, damaged in place, and a real capture
 * from a tty with XON/XOFF on.
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

/* ---- XON/XOFF upstream ------------------------------------------------------ */

/* A doctor and the main loop's framer, fed whole chunks at given times. */
struct plain {
	struct cg_doctor doctor;
	struct cg_framer framer;
	uint64_t now;
};

static void plain_init(struct plain *p)
{
	memset(p, 0, sizeof(*p));
	p->now = START_MS;
	cg_framer_init(&p->framer);
	cg_doctor_init(&p->doctor, PORT, 115200, true);
	cg_doctor_opened(&p->doctor, p->now);
}

static void plain_feed(struct plain *p, const uint8_t *bytes, size_t n)
{
	const uint8_t *cursor = bytes;
	size_t left = n;
	struct cg_frame frame;

	while (cg_framer_next(&p->framer, &cursor, &left, &frame))
		;
	cg_doctor_feed(&p->doctor, bytes, n, &p->framer.stats, p->now);
}

/* The vendor's 0x57 frame with its current's low byte set to value, summed
 * again: a frame that checks. */
static size_t status_with(uint8_t *out, uint8_t value)
{
	size_t n = sizeof(vendor_status_charge);

	memcpy(out, vendor_status_charge, n);
	out[8] = value;
	out[n - 1] = cg_checksum(out, n - 1);
	return n;
}

/* The frame with byte at dropped left out, as a stripping bridge sends it. */
static size_t without(uint8_t *frame, size_t n, size_t dropped)
{
	memmove(frame + dropped, frame + dropped + 1, n - dropped - 1);
	return n - 1;
}

/* One second of a bridge eating the byte `eaten` (0x11 or 0x13): a good
 * frame, then one that carried the byte and arrives without it, then
 * another good one right behind, as the BMS sends them. */
static void second_of_stripping(struct plain *p, uint8_t eaten,
				bool checksum_eaten)
{
	uint8_t buf[3 * CG_FRAME_MAX];
	size_t n = 0, len;

	n += status_with(buf + n, 0x40);
	if (checksum_eaten) {
		/* A frame whose checksum is the eaten byte: find the current
		 * that makes it so, then leave the checksum out. */
		uint8_t value = 0;

		do
			len = status_with(buf + n, value++);
		while (buf[n + len - 1] != eaten);
		n += len - 1;
	} else {
		len = status_with(buf + n, eaten);
		n += without(buf + n, len, 8);
	}
	n += status_with(buf + n, 0x41);
	p->now += 1000;
	plain_feed(p, buf, n);
}

static void test_frames_one_xon_short_are_flow_control(void **state)
{
	static struct plain p;

	(void)state;
	plain_init(&p);
	second_of_stripping(&p, 0x11, false);
	/* One such frame could be chance. */
	assert_int_not_equal(cg_doctor_diagnose(&p.doctor, p.now),
			     CG_DIAG_XONXOFF);
	second_of_stripping(&p, 0x13, false);
	second_of_stripping(&p, 0x13, true);
	assert_int_equal(p.framer.stats.bad_checksum, 3);
	assert_int_equal(cg_doctor_diagnose(&p.doctor, p.now),
			 CG_DIAG_XONXOFF);
	assert_non_null(strstr(cg_doctor_text(&p.doctor),
			       "XON/XOFF flow control is eating bytes "
			       "upstream"));
	assert_string_equal(cg_diagnosis_name(CG_DIAG_XONXOFF), "xonxoff");
	/* The link itself is fine: frames keep arriving. */
	assert_int_equal(cg_doctor_link_state(&p.doctor, p.now),
			 CG_LINK_STATE_CONNECTED);
	assert_int_equal(cg_doctor_want_baud(&p.doctor, p.now), 0);

	/* Stripping stops (the bridge was fixed): it is forgotten. */
	for (int i = 0; i < CG_DOCTOR_XONXOFF_S + 1; i++) {
		uint8_t buf[CG_FRAME_MAX];

		p.now += 1000;
		plain_feed(&p, buf, status_with(buf, 0x11));
	}
	assert_int_equal(cg_doctor_diagnose(&p.doctor, p.now), CG_DIAG_OK);
}

/* Frames one byte short of something else, or damaged in place, are not
 * flow control. */
static void test_other_short_or_damaged_frames_are_not_flow_control(
	void **state)
{
	static struct plain p;
	static struct rig r;

	(void)state;
	plain_init(&p);
	for (int i = 0; i < 6; i++) {
		uint8_t buf[3 * CG_FRAME_MAX];
		size_t n = 0, len;

		n += status_with(buf + n, 0x40);
		len = status_with(buf + n, 0x42);
		n += without(buf + n, len, 8); /* 0x42 lost: not XON/XOFF */
		n += status_with(buf + n, 0x41);
		p.now += 1000;
		plain_feed(&p, buf, n);
	}
	assert_int_equal(p.framer.stats.bad_checksum, 6);
	assert_int_equal(cg_doctor_diagnose(&p.doctor, p.now),
			 CG_DIAG_CHECKSUM);

	/* Mostly damage of another kind, and one frame short by chance. */
	plain_init(&p);
	for (int i = 0; i < 3; i++) {
		uint8_t buf[2 * CG_FRAME_MAX];
		size_t n = status_with(buf, 0x40);

		buf[5] ^= 0x10;
		if (i == 0) {
			size_t len = status_with(buf + n, 0x11);

			n += without(buf + n, len, 8);
		}
		p.now += 1000;
		plain_feed(&p, buf, n);
	}
	assert_int_equal(p.framer.stats.bad_checksum, 4);
	assert_int_not_equal(cg_doctor_diagnose(&p.doctor, p.now),
			     CG_DIAG_XONXOFF);

	/* The simulator's stream with every frame damaged in place. */
	rig_init(&r, CORRUPT_ALL, true);
	run_for(&r, 20000);
	assert_int_equal(diagnose(&r), CG_DIAG_CHECKSUM);
}

/* Where the real captures are: ../shared/real beside the checkout, or
 * CG_REAL_DIR. Absent on most machines: the test then says it skipped. */
static size_t read_real(const char *name, uint8_t *buf, size_t cap)
{
	const char *dir = getenv("CG_REAL_DIR");
	char path[512];
	FILE *file;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "../shared/real",
		 name);
	file = fopen(path, "rb");
	if (!file) {
		printf("# SKIP needs the real capture %s (set CG_REAL_DIR)\n",
		       path);
		return 0;
	}
	n = fread(buf, 1, cap, file);
	fclose(file);
	return n;
}

/* A user's BMS8T through a tty with XON/XOFF on: two of its frames lost a
 * 0x11 or 0x13. Fed at a frame a second, as the BMS sends them. */
static void test_real_capture_with_xonxoff_on(void **state)
{
	static struct plain p;
	uint8_t capture[4096];
	size_t n = read_real("diysolarforum-3469-post297466-od.raw", capture,
			     sizeof(capture));

	(void)state;
	if (n == 0) {
		skip();
		return;
	}
	plain_init(&p);
	for (size_t at = 0; at < n; at += 24) {
		p.now += 1000;
		plain_feed(&p, capture + at, n - at < 24 ? n - at : 24);
	}
	assert_int_equal(p.framer.stats.bad_checksum, 2);
	assert_true(p.framer.stats.frames >= 8);
	assert_int_equal(cg_doctor_diagnose(&p.doctor, p.now),
			 CG_DIAG_XONXOFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_one_xon_short_are_flow_control),
		cmocka_unit_test(test_other_short_or_damaged_frames_are_not_flow_control),
		cmocka_unit_test(test_real_capture_with_xonxoff_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
