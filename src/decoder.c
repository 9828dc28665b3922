/*
 * decoder: field layouts of 0x56, 0x57 and 0x58 (see ../shared/protocol.md).
 *
 * Note the mixed byte orders: cell voltages and 0x57 fields are big-endian,
 * while Wh/Ah in 0x56 and everything in 0x58 are little-endian. The vendor
 * documents say so and the example frames confirm it.
 *
 * Every frame the framer passes comes through cg_decode_framed, so the
 * decoder is on the per-byte budget too (BENCHMARKS.md): it writes only the
 * fields of the frame's own type (all of them, array tails zeroed, so a
 * record is fully defined for whoever copies it), checks the cells in one
 * pass that also counts the live channels, and tests the 0x57 ranges all
 * at once. On x86-64 (SSE2 is always there) those take 8 cells or a whole
 * 0x57 per step; elsewhere they go a field at a time.
 */
#include "decoder.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define PAYLOAD 4 /* header (2), cmd, len */

#ifndef __SSE2__ /* with SSE2, big-endian fields are swapped 8 at a time */
static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
#endif

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int32_t signed_current(uint8_t mode, uint16_t magnitude_da)
{
	return mode == CG_MODE_DISCHARGE ? -(int32_t)magnitude_da
					 : (int32_t)magnitude_da;
}

/*
 * Reads count big-endian cell voltages (a multiple of 8) into mv, zeroes
 * the slots after them, and in the same pass notes whether any is above
 * CG_CELL_MV_MAX. Returns the channels at or above CG_LIVE_CHANNEL_MV.
 */
static inline __attribute__((always_inline)) unsigned
read_cells(const uint8_t *p, unsigned count, uint16_t *mv, bool *too_high)
{
#ifdef __SSE2__
	const __m128i zero = _mm_setzero_si128();
	const __m128i max = _mm_set1_epi16(CG_CELL_MV_MAX);
	const __m128i dead = _mm_set1_epi16(CG_LIVE_CHANNEL_MV - 1);
	__m128i above = zero, dead_lanes = zero;

	/* Blocks of 8 written out, not looped: count is a constant at most
	 * calls, so each call keeps just the blocks it needs. */
	for (unsigned i = 0; i < CG_MAX_CELLS; i += 8) {
		if (i >= count) {
			_mm_storeu_si128((__m128i *)(mv + i), zero);
			continue;
		}
		__m128i v = _mm_loadu_si128((const __m128i *)(p + 2 * i));

		/* Swap the bytes of each 16-bit lane: big-endian to x86. */
		v = _mm_or_si128(_mm_slli_epi16(v, 8), _mm_srli_epi16(v, 8));
		_mm_storeu_si128((__m128i *)(mv + i), v);
		/* Unsigned saturating subtract: nonzero only above the max. */
		above = _mm_or_si128(above, _mm_subs_epu16(v, max));
		/* -1 per lane under CG_LIVE_CHANNEL_MV: subtracting counts. */
		dead_lanes = _mm_sub_epi16(dead_lanes,
					   _mm_cmpeq_epi16(_mm_subs_epu16(v, dead),
							   zero));
	}
	*too_high = _mm_movemask_epi8(_mm_cmpeq_epi8(above, zero)) != 0xffff;
	/* Each lane is at most 3: the byte sums are the lane sums. */
	dead_lanes = _mm_sad_epu8(dead_lanes, zero);
	dead_lanes = _mm_add_epi64(dead_lanes,
				   _mm_unpackhi_epi64(dead_lanes, dead_lanes));
	return count - (unsigned)_mm_cvtsi128_si32(dead_lanes);
#else
	unsigned live = 0;
	bool above = false;

	for (unsigned i = 0; i < count; i++) {
		mv[i] = be16(p + 2 * i);
		above |= mv[i] > CG_CELL_MV_MAX;
		live += mv[i] >= CG_LIVE_CHANNEL_MV;
	}
	memset(mv + count, 0, (CG_MAX_CELLS - count) * sizeof(*mv));
	*too_high = above;
	return live;
#endif
}

/*
 * Wh / Ah is the pack's average voltage over the integration (the vendor
 * frame: 47578.742 Wh / 922.723 Ah = 51.6 V for 16 cells at 3.33 V), so it
 * must lie between 1 V and 5 V per live channel. A frame whose tail was
 * replaced by junk that happened to sum right fails this: the soak found
 * one claiming four million Ah. Counters under 1 Ah are only bounded above.
 */
static bool energy_consistent(const struct cg_cells *c, uint64_t live)
{
	if (live == 0)
		return true; /* nothing to judge by */

	uint64_t ah = c->charge_mah < 1000 ? 1000 : c->charge_mah;
	uint64_t wh = c->energy_mwh;
	if (wh > CG_CELL_MV_MAX / 1000 * live * ah)
		return false;
	return c->charge_mah < 1000 || wh >= live * ah;
}

/* The fields of a 0x56 of count slots, with or without Wh and Ah. */
static inline __attribute__((always_inline)) enum cg_decode_result
cells_fields(const uint8_t *p, unsigned count, bool has_energy,
	     struct cg_cells *out)
{
	bool too_high;

	out->count = (uint8_t)count;
	out->has_energy = has_energy;
	unsigned live = read_cells(p, count, out->mv, &too_high);
	if (too_high)
		return CG_DECODE_IMPLAUSIBLE;
	if (!has_energy) {
		out->energy_mwh = 0;
		out->charge_mah = 0;
		return CG_DECODE_OK;
	}
	p += 2 * count;
	out->energy_mwh = le32(p);
	out->charge_mah = le32(p + 4);
	return energy_consistent(out, live) ? CG_DECODE_OK
					    : CG_DECODE_IMPLAUSIBLE;
}

/*
 * V1.24+: N cells, Wh, Ah, checksum: 13 + 2N. Older: N cells, one spare
 * byte, checksum: 6 + 2N, always even. N is 8, 16 or 24; the current
 * layouts each get straight code for their N, the old one a loop. Any
 * other length is refused by the table of lengths, before any read.
 */
static enum cg_decode_result decode_cells(const uint8_t *f, uint8_t len,
					  struct cg_cells *out)
{
	const uint8_t *p = f + PAYLOAD;

	switch (len) {
	case 13 + 2 * 8:
		return cells_fields(p, 8, true, out);
	case 13 + 2 * 16:
		return cells_fields(p, 16, true, out);
	case 13 + 2 * 24:
		return cells_fields(p, 24, true, out);
	default:
		if (!cg_frame_length_allowed(CG_CMD_CELLS, len))
			return CG_DECODE_BAD_LENGTH;
		return cells_fields(p, (len - 6u) / 2, false, out);
	}
}

#ifdef __SSE2__
/* The 16-bit lanes of v with their bytes swapped: big-endian to x86. */
static inline __m128i swap16(__m128i v)
{
	return _mm_or_si128(_mm_slli_epi16(v, 8), _mm_srli_epi16(v, 8));
}

/*
 * A 0x57 decoded and range-tested in a few vector steps: it comes every
 * second, and a load, swap and branch per field cost more than the rest of
 * its decoding. p is the payload; its 17 bytes from p on lie inside the
 * frame's array. Bytes outside the fields are masked to 0 first, and 0
 * passes every test. The fields then come out of two vectors of 16-bit
 * lanes in host order: one read from p, one from p + 1.
 *   bytes:       mode <= 2, SOC <= 100, protection flags <= 1
 *   from p:      charge-end (and discharge-end) 1000..5000 mV
 *   from p + 1:  current <= 2000.0 A, T1 and T2 -50.0..150.0 degC
 * Each range test adds a bias and checks the sum is at most a limit: the
 * saturating subtract of the limit leaves nonzero only where it is not.
 * protection (V1.26: discharge-end and the flags at 10..13) is a constant
 * at both calls, so each gets its own straight code.
 */
static inline __attribute__((always_inline)) enum cg_decode_result
status_fields(const uint8_t *p, struct cg_status *out, bool protection)
{
#define X16(a, b, c, d, e, f, g, h)                                         \
	{ (uint16_t)(a), (uint16_t)(b), (uint16_t)(c), (uint16_t)(d),       \
	  (uint16_t)(e), (uint16_t)(f), (uint16_t)(g), (uint16_t)(h) }
	static const uint8_t keep_even[2][16] = {
		{ 255, 255, 255, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0 },
		{ 255, 255, 255, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 0, 0 },
	};
	static const uint8_t byte_max[16] = {
		255, 255, 2, 255, 255, 255, 255, 255,
		255, 100, 255, 255, 1, 1, 255, 255,
	};
	static const uint16_t even_bias[2][8] = {
		X16(-CG_END_MV_MIN, 0, 0, 0, 0, 0, 0, 0),
		X16(-CG_END_MV_MIN, 0, 0, 0, 0, -CG_END_MV_MIN, 0, 0),
	};
	static const uint16_t even_max[8] =
		X16(CG_END_MV_MAX - CG_END_MV_MIN, -1, -1, -1, -1,
		    CG_END_MV_MAX - CG_END_MV_MIN, -1, -1);
	/* From p + 1: current at lane 1, T1 and T2 at lanes 2 and 3. */
	static const uint8_t keep_odd[16] = {
		0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint16_t odd_bias[8] =
		X16(0, 0, -CG_TEMP_DC_MIN, -CG_TEMP_DC_MIN, 0, 0, 0, 0);
	static const uint16_t odd_max[8] =
		X16(0, CG_CURRENT_DA_MAX, CG_TEMP_DC_MAX - CG_TEMP_DC_MIN,
		    CG_TEMP_DC_MAX - CG_TEMP_DC_MIN, 0, 0, 0, 0);
#undef X16
#define LOAD(a) _mm_loadu_si128((const __m128i *)(const void *)(a))
	__m128i even = _mm_and_si128(LOAD(p), LOAD(keep_even[protection]));
	__m128i odd = _mm_and_si128(LOAD(p + 1), LOAD(keep_odd));
	__m128i over = _mm_subs_epu8(even, LOAD(byte_max));
	/* The flags, bytes 12 and 13: 0 without protection (masked). */
	unsigned flags = (unsigned)_mm_extract_epi16(even, 6);
	uint8_t mode = p[2];

	even = swap16(even);
	odd = swap16(odd);
	uint16_t charge_end = (uint16_t)_mm_extract_epi16(even, 0);
	uint16_t discharge_end = (uint16_t)_mm_extract_epi16(even, 5);
	out->charge_end_mv = charge_end;
	out->mode = (enum cg_mode)mode;
	out->current_da = signed_current(mode,
					 (uint16_t)_mm_extract_epi16(odd, 1));
	out->t1_dc = (int16_t)_mm_extract_epi16(odd, 2);
	out->t2_dc = (int16_t)_mm_extract_epi16(odd, 3);
	out->soc_pct = p[9];
	out->has_protection = protection;
	out->discharge_end_mv = discharge_end;
	out->charge_protect = (flags & 0xff) == 1;
	out->discharge_protect = flags >> 8 == 1;

	even = _mm_add_epi16(even, LOAD(even_bias[protection]));
	over = _mm_or_si128(over, _mm_subs_epu16(even, LOAD(even_max)));
	odd = _mm_add_epi16(odd, LOAD(odd_bias));
	over = _mm_or_si128(over, _mm_subs_epu16(odd, LOAD(odd_max)));
#undef LOAD
	if (_mm_movemask_epi8(_mm_cmpeq_epi8(over, _mm_setzero_si128())) !=
	    0xffff)
		return CG_DECODE_IMPLAUSIBLE;
	if (protection && discharge_end >= charge_end)
		return CG_DECODE_IMPLAUSIBLE;
	return CG_DECODE_OK;
}

/* V1.26 sends 19 bytes, with the protection fields; V1.24 sends 15. The
 * table of lengths is asked only when it is not the usual 19. */
static inline __attribute__((always_inline)) enum cg_decode_result
decode_status(const uint8_t *f, uint8_t len, struct cg_status *out)
{
	if (len == 19)
		return status_fields(f + PAYLOAD, out, true);
	if (!cg_frame_length_allowed(CG_CMD_STATUS, len))
		return CG_DECODE_BAD_LENGTH;
	return status_fields(f + PAYLOAD, out, false);
}
#else
/* lo <= value <= hi in one compare: below lo wraps to a huge value. */
static bool within(int32_t value, int32_t lo, int32_t hi)
{
	return (uint32_t)(value - lo) <= (uint32_t)(hi - lo);
}

static enum cg_decode_result decode_status(const uint8_t *f, uint8_t len,
					   struct cg_status *out)
{
	const uint8_t *p = f + PAYLOAD;
	uint8_t mode = p[2];
	uint16_t current = be16(p + 3);
	bool bad;

	if (!cg_frame_length_allowed(CG_CMD_STATUS, len))
		return CG_DECODE_BAD_LENGTH;
	out->charge_end_mv = be16(p);
	out->mode = (enum cg_mode)mode;
	out->current_da = signed_current(mode, current);
	out->t1_dc = (int16_t)be16(p + 5);
	out->t2_dc = (int16_t)be16(p + 7);
	out->soc_pct = p[9];
	/* All the tests at once: | rather than ||, no branch per field. */
	bad = mode > CG_MODE_STORAGE;
	bad |= !within(out->charge_end_mv, CG_END_MV_MIN, CG_END_MV_MAX);
	bad |= current > CG_CURRENT_DA_MAX;
	bad |= !within(out->t1_dc, CG_TEMP_DC_MIN, CG_TEMP_DC_MAX);
	bad |= !within(out->t2_dc, CG_TEMP_DC_MIN, CG_TEMP_DC_MAX);
	bad |= out->soc_pct > 100;

	out->has_protection = len == 19;
	if (out->has_protection) {
		out->discharge_end_mv = be16(p + 10);
		out->charge_protect = p[12] == 1;
		out->discharge_protect = p[13] == 1;
		bad |= p[12] > 1 || p[13] > 1;
		bad |= !within(out->discharge_end_mv, CG_END_MV_MIN,
			       CG_END_MV_MAX);
		bad |= out->discharge_end_mv >= out->charge_end_mv;
	} else {
		out->discharge_end_mv = 0;
		out->charge_protect = false;
		out->discharge_protect = false;
	}
	return bad ? CG_DECODE_IMPLAUSIBLE : CG_DECODE_OK;
}
#endif

static enum cg_decode_result decode_impedance(const uint8_t *f, uint8_t len,
					      struct cg_impedance *out)
{
	const uint8_t *p = f + PAYLOAD;
	uint16_t current = le16(p + 1);

	if (p[0] > CG_MODE_STORAGE || current > CG_CURRENT_DA_MAX)
		return CG_DECODE_IMPLAUSIBLE;
	out->mode = (enum cg_mode)p[0];
	out->current_da = signed_current(p[0], current);
	out->count = (uint8_t)((len - 8) / 2);
	for (unsigned i = 0; i < out->count; i++)
		out->impedance_dmohm[i] = le16(p + 3 + 2 * i);
	memset(out->impedance_dmohm + out->count, 0,
	       (CG_MAX_CELLS - out->count) * sizeof(out->impedance_dmohm[0]));
	return CG_DECODE_OK;
}

/* The length for the command, then the values, for a frame whose header
 * and checksum are right. One switch for both: with cmd known, each length
 * test is a bit test against a constant. */
static inline __attribute__((always_inline)) enum cg_decode_result
decode_values(const uint8_t *f, uint8_t len, struct cg_record *out)
{
	switch (f[2]) {
	case CG_CMD_STATUS:
		/* Two frames in three: decoded right here, not in a call;
		 * decode_status checks the length. */
		out->type = CG_REC_STATUS;
		return decode_status(f, len, &out->u.status);
	case CG_CMD_CELLS:
		/* decode_cells checks the length. */
		out->type = CG_REC_CELLS;
		return decode_cells(f, len, &out->u.cells);
	case CG_CMD_IMPEDANCE:
		if (!cg_frame_length_allowed(CG_CMD_IMPEDANCE, len))
			return CG_DECODE_BAD_LENGTH;
		out->type = CG_REC_IMPEDANCE;
		return decode_impedance(f, len, &out->u.impedance);
	default:
		return CG_DECODE_UNKNOWN_CMD;
	}
}

/*
 * The checks come in the documented order (length and header, command,
 * length for the command, checksum, then the values), so a frame that
 * fails several gets the same answer as ever.
 */
enum cg_decode_result cg_decode(const struct cg_frame *frame,
				struct cg_record *out)
{
	const uint8_t *f = frame->bytes;
	uint8_t len = frame->len;

	if (len < PAYLOAD + 1 || len > CG_FRAME_MAX || f[3] != len ||
	    f[0] != CG_HEADER_BYTE || f[1] != CG_HEADER_BYTE)
		return CG_DECODE_BAD_LENGTH;
	if (f[2] != CG_CMD_CELLS && f[2] != CG_CMD_STATUS &&
	    f[2] != CG_CMD_IMPEDANCE)
		return CG_DECODE_UNKNOWN_CMD;
	if (!cg_frame_length_allowed(f[2], len))
		return CG_DECODE_BAD_LENGTH;
	if (cg_checksum(f, len - 1u) != f[len - 1])
		return CG_DECODE_BAD_CHECKSUM;
	return decode_values(f, len, out);
}

/*
 * The framer has checked the header and the sum; only the length for the
 * command is asked again, because every read below is sized by it: a frame
 * that did not come from the framer can then get a wrong answer, never an
 * out-of-bounds read.
 */
enum cg_decode_result cg_decode_framed(const struct cg_frame *frame,
				       struct cg_record *out)
{
	return decode_values(frame->bytes, frame->len, out);
}

const char *cg_mode_name(enum cg_mode mode)
{
	switch (mode) {
	case CG_MODE_DISCHARGE:
		return "discharge";
	case CG_MODE_CHARGE:
		return "charge";
	case CG_MODE_STORAGE:
		return "storage";
	}
	return "unknown";
}

const char *cg_decode_result_name(enum cg_decode_result result)
{
	switch (result) {
	case CG_DECODE_OK:
		return "ok";
	case CG_DECODE_UNKNOWN_CMD:
		return "unknown command";
	case CG_DECODE_BAD_LENGTH:
		return "bad length";
	case CG_DECODE_BAD_CHECKSUM:
		return "bad checksum";
	case CG_DECODE_IMPLAUSIBLE:
		return "implausible values";
	}
	return "unknown";
}

/* Appended on its own, apart from the decoding above. */
#include <stdio.h>

bool cg_decode_firmware(const struct cg_frame *frame, struct cg_firmware_seen *fw)
{
	struct cg_firmware_seen now = *fw;

	now.seen = true;
	if (frame->len > 2 && frame->bytes[2] == CG_CMD_CELLS) {
		now.cells_known = true;
		now.cells_energy = frame->len % 2 == 1;
	} else if (frame->len > 2 && frame->bytes[2] == CG_CMD_STATUS) {
		now.status_known = true;
		now.status_protection = frame->len == 19;
	}
	if (now.seen == fw->seen && now.cells_known == fw->cells_known &&
	    now.cells_energy == fw->cells_energy &&
	    now.status_known == fw->status_known &&
	    now.status_protection == fw->status_protection)
		return false;
	*fw = now;
	return true;
}

size_t cg_firmware_text(const struct cg_firmware_seen *fw, char *buf, size_t cap)
{
	const char *version = "unknown yet";
	int n;

	if (cap == 0)
		return 0;
	if (!fw->seen) {
		buf[0] = '\0';
		return 0;
	}
	if (fw->status_known && fw->status_protection)
		version = "V1.26 or later";
	else if (fw->cells_known && fw->cells_energy)
		version = "V1.24 or V1.25";
	else if (fw->cells_known || fw->status_known)
		version = "before V1.24";
	n = snprintf(buf, cap, "%s (0x56 %s, 0x57 %s)", version,
		     !fw->cells_known ? "not seen" :
		     fw->cells_energy ? "with Wh/Ah" : "without Wh/Ah",
		     !fw->status_known ? "not seen" :
		     fw->status_protection ? "of 19 bytes" : "of 15 bytes");
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n < cap ? (size_t)n : cap - 1;
}
