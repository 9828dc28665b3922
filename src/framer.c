/*
 * framer: header hunt, length check and checksum over a byte stream.
 *
 * One byte-wise state machine decides everything. It keeps at most one
 * frame in buf. When a frame is rejected, its bytes after the first are
 * moved to replay and fed again before new input: a header that began
 * inside the damaged frame (the usual result of a dropped byte) is found on
 * the next pass instead of being lost. Every byte is therefore dropped at
 * most once, which keeps junk_bytes exact, and each rejection drops at least
 * one byte of a window of at most CG_FRAME_MAX, so no byte is scanned more
 * than CG_FRAME_MAX times: the cost stays linear in the input, even for a
 * stream made only of plausible headers.
 *
 * The line carries about 40 bytes a second; the only shortcut is a memchr
 * over junk while no frame is being assembled.
 */
#include "framer.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool cmd_known(uint8_t cmd)
{
	return cmd == CG_CMD_CELLS || cmd == CG_CMD_STATUS ||
	       cmd == CG_CMD_IMPEDANCE;
}

/* Whether byte, after the three recent ones, completes the header of a
 * known cmd with a length not allowed for it: a variant to watch for. */
static inline bool starts_variant(uint32_t recent, uint8_t byte)
{
	uint8_t cmd = (uint8_t)recent;

	return (recent >> 8) == (CG_HEADER_BYTE << 8 | CG_HEADER_BYTE) &&
	       cmd_known(cmd) && byte >= 5 && byte <= CG_FRAME_MAX &&
	       !cg_frame_length_allowed(cmd, byte);
}

uint8_t cg_checksum(const uint8_t *bytes, size_t n)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + bytes[i]);
	return sum;
}

void cg_framer_init(struct cg_framer *framer)
{
	memset(framer, 0, sizeof(*framer));
}

/* Drops the first buffered byte and queues the rest to be scanned again. */
static void resync(struct cg_framer *f)
{
	uint8_t rest = (uint8_t)(f->fill - 1);
	uint8_t pending = (uint8_t)(f->replay_len - f->replay_pos);

	/* Bytes still waiting in replay came after buf; keep their order. */
	memmove(f->replay + rest, f->replay + f->replay_pos, pending);
	memcpy(f->replay, f->buf + 1, rest);
	f->replay_len = (uint8_t)(rest + pending);
	f->replay_pos = 0;
	f->fill = 0;
	f->stats.junk_bytes++;
	f->stats.resyncs++;
}

/* buf holds a whole frame and sum is the sum of its bytes but the last:
 * whether that last byte agrees. A frame with a wrong sum is counted and
 * its bytes rescanned. */
static bool sum_agrees(struct cg_framer *f, uint8_t sum)
{
	if (sum != f->buf[f->fill - 1]) {
		f->stats.bad_checksum++;
		resync(f);
		return false;
	}
	return true;
}

/* Whether buf now holds a whole frame whose sum is right. */
static bool frame_complete(struct cg_framer *f)
{
	if (f->fill < 4 || f->fill < f->buf[3])
		return false;
	return sum_agrees(f, cg_checksum(f->buf, f->fill - 1u));
}

/* Takes one byte into the frame being assembled. Returns true when the
 * buffer holds a complete, checked frame. */
static inline bool take(struct cg_framer *f, uint8_t byte)
{
	if (f->fill >= 4) { /* inside a frame: most bytes */
		f->buf[f->fill++] = byte;
		return f->fill >= f->buf[3] && frame_complete(f);
	}
	switch (f->fill) {
	case 0:
		if (byte != CG_HEADER_BYTE) {
			f->stats.junk_bytes++;
			return false;
		}
		break;
	case 1:
		if (byte != CG_HEADER_BYTE) {
			/* A lone 0x24 was junk, and so is this byte, which
			 * is no 0x24 to start a header either. */
			f->stats.junk_bytes += 2;
			f->fill = 0;
			return false;
		}
		break;
	case 2:
		/* "24 24 24 ..." : the first 0x24 was junk. */
		if (byte == CG_HEADER_BYTE) {
			f->stats.junk_bytes++;
			return false;
		}
		break;
	default:
		break;
	}
	f->buf[f->fill++] = byte;

	if (f->fill == 3 && !cmd_known(byte)) {
		f->stats.unknown_cmd++;
		resync(f);
		return false;
	}
	if (f->fill == 4 && !cg_frame_length_allowed(f->buf[2], byte)) {
		f->stats.bad_length++;
		resync(f);
		return false;
	}
	return frame_complete(f);
}

static bool emit(struct cg_framer *f, struct cg_frame *out)
{
	out->len = f->fill;
	memcpy(out->bytes, f->buf, f->fill);
	f->fill = 0;
	f->stats.frames++;
	return true;
}

static void count_variant(struct cg_framer_stats *st, uint8_t cmd,
			  uint8_t len)
{
	st->unknown_variants++;
	for (unsigned i = 0; i < CG_FRAMER_VARIANTS; i++) {
		struct cg_framer_variant *v = &st->variants[i];

		if (v->count && (v->cmd != cmd || v->len != len))
			continue;
		v->cmd = cmd;
		v->len = len;
		v->count++;
		return;
	}
}

/*
 * Every input byte (not the rescanned ones: each is seen once): a header
 * of a known cmd whose length is not allowed starts a watch, which counts
 * it as an unknown variant if its last byte is the sum of the rest. At
 * most four at a time; a fifth is not watched.
 */
static void watch_byte(struct cg_framer *f, uint8_t byte)
{
	for (unsigned i = 0; i < f->watching;) {
		struct cg_framer_watch *w = &f->watch[i];

		if (++w->got < w->len) {
			w->sum = (uint8_t)(w->sum + byte);
			i++;
			continue;
		}
		if (w->sum == byte)
			count_variant(&f->stats, w->cmd, w->len);
		f->watch[i] = f->watch[--f->watching];
	}
	uint32_t recent = f->recent;

	if (starts_variant(recent, byte) &&
	    f->watching < sizeof(f->watch) / sizeof(f->watch[0]))
		f->watch[f->watching++] = (struct cg_framer_watch){
			.cmd = (uint8_t)recent,
			.len = byte,
			.got = 4,
			.sum = (uint8_t)(2 * CG_HEADER_BYTE + (uint8_t)recent +
					 byte),
		};
	f->recent = (recent << 8 | byte) & 0xffffffu;
}

size_t cg_framer_variant_text(const struct cg_framer_stats *stats,
			      unsigned i, char *out, size_t cap)
{
	const struct cg_framer_variant *v;
	int n;

	if (!cap)
		return 0;
	out[0] = '\0';
	if (i >= CG_FRAMER_VARIANTS || !stats->variants[i].count)
		return 0;
	v = &stats->variants[i];
	n = snprintf(out, cap, "%lu checksum-valid 0x%02X frame%s of %u bytes "
		     "that this version cannot read: please send a recording "
		     "(--record)", (unsigned long)v->count, v->cmd,
		     v->count == 1 ? "" : "s", v->len);
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

/*
 * The body of a frame, from the input, while no header is watched: most of
 * the stream. The same steps as watch_byte() and take() for fill >= 4, one
 * byte at a time, with the state in locals: through f, each byte stored
 * into buf could alias fill and recent, and the compiler would reload and
 * store them again for every byte. Stops at the frame's end, at the end of
 * the input, or after a byte that starts a watch (watch_byte() then takes
 * the bytes after it). Returns what take() would for the last byte.
 */
static bool take_body(struct cg_framer *f, const uint8_t **data, size_t *len)
{
	const uint8_t *p = *data;
	const uint8_t *end = p + *len;
	const uint8_t need = f->buf[3];
	uint8_t fill = f->fill;
	uint32_t recent = f->recent;
	uint8_t sum = cg_checksum(f->buf, fill); /* usually just the header */

	while (fill < need && p < end) {
		uint8_t byte = *p++;

		sum = (uint8_t)(sum + byte);
		f->buf[fill++] = byte;
		if (starts_variant(recent, byte)) {
			f->recent = recent;
			watch_byte(f, byte); /* starts it, moves recent on */
			recent = f->recent;
			break;
		}
		recent = (recent << 8 | byte) & 0xffffffu;
	}
	f->stats.bytes += (size_t)(p - *data);
	f->fill = fill;
	f->recent = recent;
	*len -= (size_t)(p - *data);
	*data = p;
	return fill >= need &&
	       sum_agrees(f, (uint8_t)(sum - f->buf[fill - 1]));
}

/* Nothing buffered, nothing to replay: drops the input up to the next
 * header byte at once, as take() would one by one. */
static void skip_junk(struct cg_framer *f, const uint8_t **data, size_t *len)
{
	if (f->watching)
		return; /* the watched headers need every byte */

	const uint8_t *hit = memchr(*data, CG_HEADER_BYTE, *len);
	size_t skip = hit ? (size_t)(hit - *data) : *len;

	/* The last skipped bytes are the recent input (none is 0x24). */
	for (size_t k = skip > 3 ? skip - 3 : 0; k < skip; k++)
		f->recent = (f->recent << 8 | (*data)[k]) & 0xffffffu;
	f->stats.bytes += skip;
	f->stats.junk_bytes += skip;
	*data += skip;
	*len -= skip;
}

bool cg_framer_next(struct cg_framer *f, const uint8_t **data, size_t *len,
		    struct cg_frame *out)
{
	/* The input position in locals: through the pointers, every byte
	 * would load and store them again (f's stores might alias them). */
	const uint8_t *p = *data;
	size_t n = *len;
	bool done = false;

	for (;;) {
		if (f->replay_pos < f->replay_len) {
			if (take(f, f->replay[f->replay_pos++])) {
				done = true;
				break;
			}
			continue;
		}
		if (f->fill == 0)
			skip_junk(f, &p, &n);
		if (n == 0)
			break;
		if (f->fill >= 4 && !f->watching) {
			if (take_body(f, &p, &n)) {
				done = true;
				break;
			}
			continue;
		}
		uint8_t byte = *p++;
		n--;
		f->stats.bytes++;
		watch_byte(f, byte);
		if (take(f, byte)) {
			done = true;
			break;
		}
	}
	*data = p;
	*len = n;
	return done && emit(f, out);
}

/* The frame's bytes were the buffer's (fill is 0 since emit): each came
 * either from replay, which then still holds what followed it, or from the
 * input once replay was empty. Either way rest + pending fits in replay,
 * as it did before the frame was taken. */
void cg_framer_reject(struct cg_framer *f, const struct cg_frame *frame)
{
	uint8_t pending = (uint8_t)(f->replay_len - f->replay_pos);
	uint8_t rest;

	if (frame->len < 2 || frame->len > CG_FRAME_MAX)
		return;
	rest = (uint8_t)(frame->len - 1);
	if ((size_t)rest + pending > sizeof(f->replay))
		return; /* not the frame just returned: nothing to redo */
	memmove(f->replay + rest, f->replay + f->replay_pos, pending);
	memcpy(f->replay, frame->bytes + 1, rest);
	f->replay_len = (uint8_t)(rest + pending);
	f->replay_pos = 0;
	f->stats.junk_bytes++;
	if (f->stats.frames)
		f->stats.frames--;
	f->stats.rejected++;
}
