/*
 * framer: header hunt, length check and checksum over a byte stream.
 *
 * The state machine keeps at most one frame in buf. When a frame is
 * rejected, its bytes after the first are moved to replay and fed again
 * before new input: a header that began inside the damaged frame (the usual
 * result of a dropped byte) is found on the next pass instead of being lost.
 * Every byte is therefore dropped at most once, which keeps junk_bytes exact.
 *
 * That state machine decides what the framer does. take_fast() only does
 * the same faster where the input allows it (a whole frame's worth in hand,
 * nothing buffered): frames are checked and copied where they lie, and its
 * drops mirror take() and resync() counter for counter. The tests feed the
 * same streams both ways and compare.
 */
#include "framer.h"

#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static bool cmd_known(uint8_t cmd)
{
	return cmd == CG_CMD_CELLS || cmd == CG_CMD_STATUS ||
	       cmd == CG_CMD_IMPEDANCE;
}

/*
 * Any buffer, any length: 8 bytes at a time in four 16-bit lanes. Only the
 * sum modulo 256 matters, so each lane is cut back to 8 bits after each
 * step and can never carry into its neighbour.
 */
static inline uint8_t checksum(const uint8_t *bytes, size_t n)
{
	const uint64_t even = 0x00ff00ff00ff00ffull;
	uint64_t lanes = 0;
	unsigned sum;
	size_t i = 0;

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

/*
 * The hot case: a frame of n bytes (4 <= n <= CG_FRAME_MAX) at src, with
 * CG_FRAME_MAX bytes readable from src (input with that much left).
 * Copies the frame to dst (whole 16-byte blocks: dst has CG_FRAME_MAX
 * bytes, and those past n are no part of the frame) and returns whether
 * its checksum is right. The copy is two or four moves, and on
 * x86-64 (SSE2 is always there) the sum reuses the loaded blocks: PSADBW
 * adds 16 bytes at once, bytes from n - 1 on are masked off rather than
 * summed in a tail loop, and blocks past the frame are not summed at all.
 */
static inline bool copy_and_check(const uint8_t *src, uint8_t *dst,
				  unsigned n)
{
#ifdef __SSE2__
	/* 64 ones then 64 zeros: from CG_FRAME_MAX - k on, block j's 16
	 * bytes of mask keep exactly the bytes before k. */
	static const uint8_t ones_then_zeros[2 * CG_FRAME_MAX] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	const uint8_t *mask = ones_then_zeros + CG_FRAME_MAX + 1 - n;
	const __m128i zero = _mm_setzero_si128();
	const __m128i *from = (const __m128i *)src;
	__m128i *to = (__m128i *)dst;
	__m128i b0 = _mm_loadu_si128(from), b1 = _mm_loadu_si128(from + 1);
	__m128i acc;

#define MASKED_SUM(b, j) _mm_sad_epu8(_mm_and_si128(b,                      \
		_mm_loadu_si128((const __m128i *)(mask + 16 * (j)))), zero)
	_mm_storeu_si128(to, b0);
	_mm_storeu_si128(to + 1, b1);
	acc = _mm_add_epi64(MASKED_SUM(b0, 0), MASKED_SUM(b1, 1));
	if (n > 32) {
		__m128i b2 = _mm_loadu_si128(from + 2);
		__m128i b3 = _mm_loadu_si128(from + 3);

		_mm_storeu_si128(to + 2, b2);
		_mm_storeu_si128(to + 3, b3);
		acc = _mm_add_epi64(acc, _mm_add_epi64(MASKED_SUM(b2, 2),
						       MASKED_SUM(b3, 3)));
	}
#undef MASKED_SUM
	/* The two 64-bit halves added: swap them, add. */
	acc = _mm_add_epi64(acc,
			    _mm_shuffle_epi32(acc, _MM_SHUFFLE(1, 0, 3, 2)));
	return (uint8_t)_mm_cvtsi128_si32(acc) == (src + n)[-1];
#else
	memcpy(dst, src, CG_FRAME_MAX);
	return checksum(src, n - 1u) == src[n - 1];
#endif
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

/* Whether buf now holds a whole frame whose sum is right. A whole frame
 * with a wrong sum is counted and its bytes rescanned. */
static bool frame_complete(struct cg_framer *f)
{
	if (f->fill < 4 || f->fill < f->buf[3])
		return false;
	if (checksum(f->buf, f->fill - 1u) != f->buf[f->fill - 1]) {
		f->stats.bad_checksum++;
		resync(f);
		return false;
	}
	return true;
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

/*
 * Near the end of the input (less than CG_FRAME_MAX left, so no block
 * reads): the whole frame starting at p is in the input and passes every
 * check take() would make byte by byte (header, cmd, length, checksum):
 * take it in one go. Anything else returns false and goes the byte-by-byte way,
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
	return frame_complete(f);
}

/* How many of the 16 bytes at p come before the first header byte (16
 * when none is one). With SSE2, one compare instead of a loop. */
static inline unsigned junk_run(const uint8_t *p)
{
#ifdef __SSE2__
	__m128i block = _mm_loadu_si128((const __m128i *)p);
	unsigned hits = (unsigned)_mm_movemask_epi8(
		_mm_cmpeq_epi8(block, _mm_set1_epi8(CG_HEADER_BYTE)));

	return hits ? (unsigned)__builtin_ctz(hits) : 16;
#else
	unsigned i = 0;

	while (i < 16 && p[i] != CG_HEADER_BYTE)
		i++;
	return i;
#endif
}

/*
 * The common case, in registers: nothing buffered or to replay, and at
 * least CG_FRAME_MAX bytes of input in hand, so every read below (a frame,
 * or 16 bytes scanned for a header) stays inside it. Takes good frames
 * into out[] (up to max) and drops junk, stray header bytes and damaged
 * frames exactly as take() and resync() would, counter for counter, until
 * the input runs short; the rest is next_slow()'s. Returns the frames
 * taken.
 */
static size_t take_fast(struct cg_framer *f, const uint8_t **data,
			size_t *len, struct cg_frame *out, size_t max)
{
	const uint8_t *start = *data, *p = start;
	const uint8_t *last = start + *len - CG_FRAME_MAX;
	struct cg_frame *next = out, *end = out + max;

	while (p <= last && next < end) {
		if (p[0] != CG_HEADER_BYTE) {
			unsigned skip = junk_run(p);

			f->stats.junk_bytes += skip;
			p += skip;
			continue;
		}
		uint8_t n = p[3];
		if (p[1] == CG_HEADER_BYTE &&
		    cg_frame_length_allowed(p[2], n)) {
			if (copy_and_check(p, next->bytes, n)) {
				next->len = n;
				next++;
				p += n;
				continue;
			}
			f->stats.bad_checksum++;
			f->stats.resyncs++;
		} else if (p[1] == CG_HEADER_BYTE && p[2] != CG_HEADER_BYTE) {
			if (cmd_known(p[2]))
				f->stats.bad_length++;
			else
				f->stats.unknown_cmd++;
			f->stats.resyncs++;
		}
		/* A lone 0x24, the first of "24 24 24", or the start of a
		 * rejected frame: dropped, and scanning goes on after it. */
		f->stats.junk_bytes++;
		p++;
	}
	f->stats.bytes += (size_t)(p - start);
	f->stats.frames += (size_t)(next - out);
	*len -= (size_t)(p - start);
	*data = p;
	return (size_t)(next - out);
}

/* Everything but the common case: replays, frames cut by the end of a
 * read, headers that take() must judge byte by byte. */
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

		if (f->fill == 0 && *len >= CG_FRAME_MAX) {
			if (take_fast(f, data, len, out, 1) == 1)
				return true;
			continue;
		}
		if (f->fill == 0 && *len < CG_FRAME_MAX) {
			/* Hunting near the end of the input. */
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

size_t cg_framer_take(struct cg_framer *f, const uint8_t **data, size_t *len,
		      struct cg_frame *out, size_t max)
{
	size_t got = 0;

	while (got < max) {
		if (f->fill == 0 && f->replay_pos == f->replay_len &&
		    *len >= CG_FRAME_MAX) {
			got += take_fast(f, data, len, out + got, max - got);
			if (got == max)
				break;
		}
		if (!next_slow(f, data, len, &out[got]))
			break;
		got++;
	}
	return got;
}

bool cg_framer_next(struct cg_framer *f, const uint8_t **data, size_t *len,
		    struct cg_frame *out)
{
	return cg_framer_take(f, data, len, out, 1) == 1;
}
