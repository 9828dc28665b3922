/*
 * doctor_xonxoff: the doctor's test for software flow control upstream.
 *
 * A bridge (ser2net, socat, a serial server) with software flow control
 * on strips every 0x11 and 0x13, so frames arrive one byte short. The
 * doctor frames the bytes itself and keeps the last few frames that failed
 * their checksum, noting for each whether it is exactly one byte short and
 * a 0x11 or 0x13 put back would make it check.
 *
 * Pure: no I/O, no allocation, no globals, time passed in.
 */
#ifndef CG_DOCTOR_XONXOFF_H
#define CG_DOCTOR_XONXOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "framer.h"

#define CG_DOCTOR_XONXOFF_FRAMES 8 /* recent rejected frames kept */
#define CG_DOCTOR_XONXOFF_S 60     /* ... at most this old */

struct cg_doctor_xonxoff {
	uint8_t buf[CG_FRAME_MAX]; /* the frame being assembled */
	uint8_t fill;
	uint64_t at_ms[CG_DOCTOR_XONXOFF_FRAMES]; /* 0: slot empty */
	bool one_short[CG_DOCTOR_XONXOFF_FRAMES];
	unsigned next; /* the slot the next rejected frame goes to */
};

/* The bytes as they came from the link (not the rescanned ones). */
void cg_doctor_xonxoff_feed(struct cg_doctor_xonxoff *x, const uint8_t *data,
			    size_t len, uint64_t now_ms);

/* Whether the rejected frames of the last CG_DOCTOR_XONXOFF_S seconds say
 * XON/XOFF is on upstream: at least two one byte short, and more than
 * half of them. */
bool cg_doctor_xonxoff_upstream(const struct cg_doctor_xonxoff *x,
				uint64_t now_ms);

#endif
