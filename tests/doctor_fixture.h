/*
 * What the doctor tests share: a rig that plays the main loop (a port at
 * some rate handing out one kind of stream, its framer, and the doctor it
 * feeds) on a synthetic clock, and checks on what the doctor says.
 * Used by tests/test_doctor.c and tests/test_doctor_xonxoff.c.
 */
#ifndef CG_TEST_DOCTOR_FIXTURE_H
#define CG_TEST_DOCTOR_FIXTURE_H

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

static inline void rig_init(struct rig *r, enum stream stream, bool can_hunt)
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

static inline uint8_t noise_byte(struct rig *r)
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
static inline size_t port_bytes(struct rig *r, uint8_t *buf, size_t cap)
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
static inline void run_for(struct rig *r, uint64_t ms)
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

static inline enum cg_diagnosis diagnose(struct rig *r)
{
	return cg_doctor_diagnose(&r->doctor, r->now);
}

static inline void assert_text_has(const struct rig *r, const char *part)
{
	const char *text = cg_doctor_text(&r->doctor);

	assert_non_null(text);
	if (!strstr(text, part))
		fail_msg("'%s' does not contain '%s'", text, part);
}

#endif
