/*
 * doctor: each diagnosis produced from a stream that causes it, on a
 * synthetic clock: the simulator's bytes as they are, complemented,
 * corrupted, replaced by line noise, or absent; link errors; and the baud
 * hunt against a fake port that only makes sense at 57600.
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

#define PORT "/dev/ttyUSB0"
#define TICK_MS 100
#define START_MS 5000 /* the monotonic clock is never 0 in real life */

enum stream {
	HEALTHY,
	INVERTED,
	CORRUPT,  /* the first frame of every third burst damaged */
	CORRUPT_ALL, /* every frame damaged: a noisy line at the right baud */
	NOISE,    /* what a UART at the wrong baud hands out */
	SILENT,
	BAUD_57600, /* frames only while the port is at 57600, else noise */
};

/* What the main loop would hold: the port's rate, its framer, and the
 * doctor it feeds. */
struct rig {
	struct cg_doctor doctor;
	struct cg_framer framer;
	struct cg_sim sim;
	enum stream stream;
	int port_baud;
	uint32_t rng;
	unsigned bursts;
	uint64_t now;
	int switches[16];
	int switch_count;
};

static void rig_init(struct rig *r, enum stream stream, bool can_hunt)
{
	struct cg_sim_config config;

	memset(r, 0, sizeof(*r));
	cg_sim_default_config(&config);
	config.junk = true;
	cg_sim_init(&r->sim, &config, 0);
	cg_framer_init(&r->framer);
	r->stream = stream;
	r->port_baud = 115200;
	r->rng = 12345;
	r->now = START_MS;
	cg_doctor_init(&r->doctor, PORT, 115200, can_hunt);
	cg_doctor_opened(&r->doctor, r->now);
}

static uint8_t noise_byte(struct rig *r)
{
	uint8_t byte;

	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 17;
	r->rng ^= r->rng << 5;
	byte = (uint8_t)r->rng;
	/* Neither a header nor the complement of one. */
	if (byte == CG_HEADER_BYTE || byte == (uint8_t)~CG_HEADER_BYTE)
		byte ^= 0x01;
	return byte;
}

/* The bytes the port hands out during one tick ending at r->now. */
static size_t port_bytes(struct rig *r, uint8_t *buf, size_t cap)
{
	size_t n = cg_sim_run(&r->sim, r->now - START_MS, buf, cap);
	bool noise = r->stream == NOISE ||
		     (r->stream == BAUD_57600 && r->port_baud != 57600);

	if (r->stream == SILENT)
		return 0;
	if (noise) {
		n = 40; /* about what 115200 baud of garbage fills per tick */
		for (size_t i = 0; i < n; i++)
			buf[i] = noise_byte(r);
		return n;
	}
	if (n == 0)
		return 0;
	if (r->stream == INVERTED)
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)~buf[i];
	if (r->stream == CORRUPT_ALL) {
		for (size_t i = 0; i + 5 < n; i++)
			if (buf[i] == CG_HEADER_BYTE &&
			    buf[i + 1] == CG_HEADER_BYTE)
				buf[i + 5] ^= 0x10;
		return n;
	}
	if (r->stream == CORRUPT && r->bursts++ % 3 == 0) {
		/* Junk may come first: damage the first frame's data. */
		uint8_t *frame = memchr(buf, CG_HEADER_BYTE, n);

		assert_non_null(frame);
		frame[5] ^= 0x10;
	}
	return n;
}

/* Runs the main loop's part for ms of synthetic time. */
static void run_for(struct rig *r, uint64_t ms)
{
	uint64_t end = r->now + ms;

	while (r->now < end) {
		uint8_t buf[512];
		const uint8_t *p = buf;
		size_t n, left;
		struct cg_frame frame;
		int baud;

		r->now += TICK_MS;
		n = port_bytes(r, buf, sizeof(buf));
		left = n;
		while (cg_framer_next(&r->framer, &p, &left, &frame))
			;
		if (n > 0)
			cg_doctor_feed(&r->doctor, buf, n, &r->framer.stats,
				       r->now);
		baud = cg_doctor_want_baud(&r->doctor, r->now);
		if (baud) {
			assert_true(r->switch_count < 16);
			r->switches[r->switch_count++] = baud;
			r->port_baud = baud;
		}
	}
}

static enum cg_diagnosis diagnose(struct rig *r)
{
	return cg_doctor_diagnose(&r->doctor, r->now);
}

static void assert_text_has(const struct rig *r, const char *part)
{
	const char *text = cg_doctor_text(&r->doctor);

	assert_non_null(text);
	if (!strstr(text, part))
		fail_msg("'%s' does not contain '%s'", text, part);
}

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
		cmocka_unit_test(test_frames_one_xon_short_are_flow_control),
		cmocka_unit_test(
			test_other_short_or_damaged_frames_are_not_flow_control),
		cmocka_unit_test(test_real_capture_with_xonxoff_on),
		cmocka_unit_test(test_unknown_variant_is_said),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
