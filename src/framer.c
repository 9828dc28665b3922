/*
 * framer: header hunt, length check and checksum over a byte stream.
 *
 * The state machine keeps at most one frame in buf. When a frame is
 * rejected, its bytes after the first are moved to replay and fed again
 * before new input: a header that began inside the damaged frame (the usual
 * result of a dropped byte) is found on the next pass instead of being lost.
 * Every byte is therefore dropped at most once, which keeps junk_bytes exact.
 */
#include "framer.h"

#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define HEADER_LEN 2

static bool cmd_known(uint8_t cmd)
{
	return cmd == CG_CMD_CELLS || cmd == CG_CMD_STATUS ||
	       cmd == CG_CMD_IMPEDANCE;
}

/*
 * Every byte of every frame is summed twice (framer, then decoder), so this
 * is the hot loop. On x86-64 (SSE2 is always there) PSADBW adds 16 bytes in
 * one instruction, and a frame's last few bytes are taken as the last 16
 * bytes with the ones already counted masked off, rather than one by one.
 */
#ifdef __SSE2__
static inline unsigned sum_sse2(const uint8_t *bytes, size_t n)
{
	const __m128i zero = _mm_setzero_si128();
	__m128i acc = zero;
	size_t i = 0;

	for (; i + 16 <= n; i += 16) {
		__m128i block = _mm_loadu_si128((const __m128i *)(bytes + i));

		acc = _mm_add_epi64(acc, _mm_sad_epu8(block, zero));
	}
	if (i < n) {
		/* 16 zeros then 16 ones: read from n - i, it keeps the last
		 * n - i bytes of the 16. */
		static const uint8_t keep_last[32] = {
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		};
		__m128i last = _mm_loadu_si128((const __m128i *)(bytes + n - 16));
		__m128i keep = _mm_loadu_si128((const __m128i *)(keep_last + (n - i)));

		acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_and_si128(last, keep),
						      zero));
	}
	acc = _mm_add_epi64(acc, _mm_unpackhi_epi64(acc, acc));
	return (unsigned)_mm_cvtsi128_si32(acc);
}
#endif

/*
 * Elsewhere, 8 bytes at a time in four 16-bit lanes. Only the sum modulo
 * 256 matters, so each lane is cut back to 8 bits after each step and can
 * never carry into its neighbour.
 */
static inline uint8_t checksum(const uint8_t *bytes, size_t n)
{
	const uint64_t even = 0x00ff00ff00ff00ffull;
	uint64_t lanes = 0;
	unsigned sum;
	size_t i = 0;

#ifdef __SSE2__
	if (n >= 16)
		return (uint8_t)sum_sse2(bytes, n);
#endif
	for (; i + 8 <= n; i += 8) {
		uint64_t word;

		memcpy(&word, bytes + i, sizeof(word));
		lanes = (lanes + (word & even) + (word >> 8 & even)) & even;
	}
	/* Adds the four lanes into the top 16 bits. */
	sum = (unsigned)((lanes * 0x0001000100010001ull) >> 48);
	for (; i < n; i++)
		sum += bytes[i];
	return (uint8_t)sum;
}

uint8_t cg_checksum(const uint8_t *bytes, size_t n)
{
	return checksum(bytes, n);
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

/* Takes one byte into the frame being assembled. Returns true when the
 * buffer holds a complete, checked frame. */
static bool take(struct cg_framer *f, uint8_t byte)
{
	switch (f->fill) {
	case 0:
		if (byte != CG_HEADER_BYTE) {
			f->stats.junk_bytes++;
			return false;
		}
		break;
	case 1:
		if (byte != CG_HEADER_BYTE) {
			/* A lone 0x24 was junk; this byte may start a header. */
			f->stats.junk_bytes++;
			f->fill = 0;
			return take(f, byte);
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
	if (f->fill < 4 || f->fill < f->buf[3])
		return false;

	if (cg_checksum(f->buf, f->fill - 1u) != f->buf[f->fill - 1]) {
		f->stats.bad_checksum++;
		resync(f);
		return false;
	}
	return true;
}

static bool emit(struct cg_framer *f, struct cg_frame *out)
{
	out->len = f->fill;
	memcpy(out->bytes, f->buf, f->fill);
	f->fill = 0;
	f->stats.frames++;
	return true;
}

/*
 * The whole frame starting at p is in the input and passes every check
 * take() would make byte by byte (header, cmd, length, checksum): take it
 * in one go. Anything else returns false and goes the byte-by-byte way,
 * which is what decides in every unusual case, so the two paths cannot
 * disagree.
 */
static inline bool whole_frame(const uint8_t *p, size_t avail,
			       struct cg_frame *out)
{
	uint8_t len;

	/* A cmd of 0x24 ("24 24 24") is not allowed any length either. */
	if (avail < 4 || p[0] != CG_HEADER_BYTE || p[1] != CG_HEADER_BYTE)
		return false;
	len = p[3];
	if (len > avail || !cg_frame_length_allowed(p[2], len) ||
	    checksum(p, len - 1u) != p[len - 1])
		return false;
	out->len = len;
	/* A copy of fixed size is a few moves, not a call; the bytes after
	 * len are outside the frame and never read. */
	if (avail >= CG_FRAME_MAX)
		memcpy(out->bytes, p, CG_FRAME_MAX);
	else
		memcpy(out->bytes, p, len);
	return true;
}

/* Moves the rest of a frame whose length is known into buf at once: no
 * byte after the length byte can change the state until the last one. */
static bool take_body(struct cg_framer *f, const uint8_t **data, size_t *len)
{
	size_t want = (size_t)f->buf[3] - f->fill;
	size_t n = *len < want ? *len : want;

	memcpy(f->buf + f->fill, *data, n);
	f->fill = (uint8_t)(f->fill + n);
	f->stats.bytes += n;
	*data += n;
	*len -= n;
	if (f->fill < f->buf[3])
		return false;
	if (checksum(f->buf, f->fill - 1u) != f->buf[f->fill - 1]) {
		f->stats.bad_checksum++;
		resync(f);
		return false;
	}
	return true;
}

/* Everything but a clean frame at the start of the input: replays, junk,
 * frames cut by the end of a read, rejected headers. */
__attribute__((noinline))
static bool next_slow(struct cg_framer *f, const uint8_t **data, size_t *len,
		      struct cg_frame *out)
{
	for (;;) {
		if (f->replay_pos < f->replay_len) {
			if (take(f, f->replay[f->replay_pos++]))
				return emit(f, out);
			continue;
		}
		if (*len == 0)
			return false;

		if (f->fill == 0) {
			/* Hunting: skip straight to the next header byte. */
			const uint8_t *hit = memchr(*data, CG_HEADER_BYTE, *len);
			size_t skip = hit ? (size_t)(hit - *data) : *len;

			f->stats.bytes += skip;
			f->stats.junk_bytes += skip;
			*data += skip;
			*len -= skip;
			if (*len == 0)
				return false;
			if (whole_frame(*data, *len, out)) {
				f->stats.bytes += out->len;
				f->stats.frames++;
				*data += out->len;
				*len -= out->len;
				return true;
			}
		} else if (f->fill >= 4) {
			if (take_body(f, data, len))
				return emit(f, out);
			continue;
		}
		f->stats.bytes++;
		(*len)--;
		if (take(f, *(*data)++))
			return emit(f, out);
	}
}

bool cg_framer_next(struct cg_framer *f, const uint8_t **data, size_t *len,
		    struct cg_frame *out)
{
	/* The common case, kept short: between frames, nothing to replay,
	 * and the next bytes are a good frame. */
	if (f->fill == 0 && f->replay_pos == f->replay_len &&
	    whole_frame(*data, *len, out)) {
		f->stats.bytes += out->len;
		f->stats.frames++;
		*data += out->len;
		*len -= out->len;
		return true;
	}
	return next_slow(f, data, len, out);
}
