/* doctor_xonxoff: see include/doctor_xonxoff.h. */
#include "doctor_xonxoff.h"

#include <string.h>

#define XON 0x11
#define XOFF 0x13
/* Of the recent rejected frames, this many one byte short, and more than
 * half of them: one such frame is chance (about 1 in 60 damaged frames
 * looks like it), two out of few are a pattern. */
#define XONXOFF_SHORT_MIN 2

/* Whether a frame that failed its checksum is one of ours: len bytes were
 * taken, but the frame was one shorter, its last byte (len - 1) is the
 * next one's, and one 0x11 or 0x13 was lost. Where that byte sat cannot
 * be told and does not matter to an 8-bit sum: a data byte was lost if the
 * checksum at len - 2 is off by exactly XON or XOFF; the checksum itself
 * was lost if the len - 1 bytes before it sum to XON or XOFF. */
static bool one_short_of_xonxoff(const uint8_t *frame, uint8_t len)
{
	uint8_t sum = cg_checksum(frame, (size_t)len - 2);
	uint8_t tail = frame[len - 2];
	uint8_t all = (uint8_t)(sum + tail);

	return tail == (uint8_t)(sum + XON) || tail == (uint8_t)(sum + XOFF) ||
	       all == XON || all == XOFF;
}

static void xonxoff_drop(struct cg_doctor_xonxoff *x, uint8_t n)
{
	memmove(x->buf, x->buf + n, (size_t)(x->fill - n));
	x->fill = (uint8_t)(x->fill - n);
}

/* Frames what x->buf holds as far as it goes, like the framer: a header,
 * a command and a length the command allows, then the whole frame. A frame
 * that fails its checksum is noted, and the bytes after its first are
 * scanned again for the frame that really started inside it. */
static void xonxoff_settle(struct cg_doctor_xonxoff *x, uint64_t now_ms)
{
	while (x->fill > 0) {
		const uint8_t *b = x->buf;
		uint8_t len;

		if (b[0] != CG_HEADER_BYTE ||
		    (x->fill > 1 && b[1] != CG_HEADER_BYTE) ||
		    (x->fill > 3 && !cg_frame_length_allowed(b[2], b[3]))) {
			xonxoff_drop(x, 1);
			continue;
		}
		if (x->fill < 4 || x->fill < b[3])
			return;
		len = b[3];
		if (cg_checksum(b, (size_t)len - 1) == b[len - 1]) {
			xonxoff_drop(x, len);
			continue;
		}
		x->at_ms[x->next] = now_ms ? now_ms : 1;
		x->one_short[x->next] = one_short_of_xonxoff(b, len);
		x->next = (x->next + 1) % CG_DOCTOR_XONXOFF_FRAMES;
		xonxoff_drop(x, 1);
	}
}

void cg_doctor_xonxoff_feed(struct cg_doctor_xonxoff *x, const uint8_t *data,
			    size_t len, uint64_t now_ms)
{
	for (size_t i = 0; i < len; i++) {
		x->buf[x->fill++] = data[i];
		xonxoff_settle(x, now_ms);
	}
}

bool cg_doctor_xonxoff_upstream(const struct cg_doctor_xonxoff *x,
				uint64_t now_ms)
{
	unsigned rejected = 0, one_short = 0;

	for (unsigned i = 0; i < CG_DOCTOR_XONXOFF_FRAMES; i++) {
		if (!x->at_ms[i] ||
		    now_ms - x->at_ms[i] > CG_DOCTOR_XONXOFF_S * 1000u)
			continue;
		rejected++;
		one_short += x->one_short[i];
	}
	return one_short >= XONXOFF_SHORT_MIN && one_short * 2 > rejected;
}
