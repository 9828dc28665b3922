/*
 * libFuzzer target over the receive path: framer -> decoder -> pack -> JSON.
 *
 * Input layout: byte 0 seeds the chunk sizes (0 = the whole stream in one
 * call), the rest is the byte stream as it would come off the wire. Splitting
 * the stream differently must never change what comes out, so every input is
 * fed twice, once in one piece and once in the chunks byte 0 picks, and the
 * two runs must agree frame for frame and counter for counter.
 *
 * Every property below is a promise one of the headers makes; a violation
 * aborts, which libFuzzer reports as a crash with the input that caused it.
 * Build and run with `make fuzz` (tests/fuzz.mk).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decoder.h"
#include "encode.h"
#include "framer.h"
#include "json.h"
#include "pack.h"

/* More frames than an input of -max_len=4096 (tests/fuzz.mk) can hold. */
#define MAX_FRAMES 4096

#define require(cond) \
	do { \
		if (!(cond)) \
			fail(__FILE__, __LINE__, #cond); \
	} while (0)

static void fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

struct run {
	struct cg_framer framer;
	struct cg_pack pack;
	size_t frame_count;
	uint64_t frame_bytes; /* sum of the lengths of emitted frames */
	uint64_t now_ms;
	struct cg_frame frames[MAX_FRAMES];
};

/* The runs together are too big for libFuzzer's stack. */
static struct run whole_run, chunked_run;

static uint32_t next_random(uint32_t *state)
{
	/* xorshift32: any fixed sequence will do, it must just not be 0. */
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* What the framer promises about every frame it hands on. */
static void check_frame(const struct cg_frame *frame)
{
	const uint8_t *b = frame->bytes;

	require(frame->len >= 5 && frame->len <= CG_FRAME_MAX);
	require(b[0] == CG_HEADER_BYTE && b[1] == CG_HEADER_BYTE);
	require(b[2] == CG_CMD_CELLS || b[2] == CG_CMD_STATUS ||
		b[2] == CG_CMD_IMPEDANCE);
	require(b[3] == frame->len);
	require(cg_frame_length_allowed(b[2], frame->len));
	require(cg_checksum(b, frame->len - 1u) == b[frame->len - 1]);
}

/*
 * The framer's counters: each byte given to it is in exactly one place, a
 * frame passed on, the junk count, or still held for the next call. Every
 * resync is one rejected header, counted under one reason.
 */
static void check_framer_stats(const struct run *r)
{
	const struct cg_framer *f = &r->framer;
	const struct cg_framer_stats *s = &f->stats;
	uint64_t held = f->fill + (uint64_t)(f->replay_len - f->replay_pos);

	require(s->frames == r->frame_count);
	require(f->fill <= CG_FRAME_MAX);
	require(f->replay_pos <= f->replay_len);
	require(f->replay_len <= CG_FRAME_MAX);
	require(r->frame_bytes + s->junk_bytes <= s->bytes);
	require(r->frame_bytes + s->junk_bytes + held == s->bytes);
	require(s->resyncs ==
		s->bad_checksum + s->bad_length + s->unknown_cmd);
	require(s->resyncs <= s->junk_bytes);
}

static bool temp_ok(int16_t dc)
{
	return dc >= CG_TEMP_DC_MIN && dc <= CG_TEMP_DC_MAX;
}

static bool end_ok(uint16_t mv)
{
	return mv >= CG_END_MV_MIN && mv <= CG_END_MV_MAX;
}

static bool current_ok(int32_t da)
{
	return da >= -CG_CURRENT_DA_MAX && da <= CG_CURRENT_DA_MAX;
}

/* A current's sign follows its mode: only discharge is negative. */
static bool sign_matches_mode(enum cg_mode mode, int32_t da)
{
	return mode == CG_MODE_DISCHARGE ? da <= 0 : da >= 0;
}

/* What the decoder promises about an accepted record: decoder.h limits. */
static void check_record(const struct cg_record *rec)
{
	switch (rec->type) {
	case CG_REC_CELLS: {
		const struct cg_cells *c = &rec->u.cells;

		require(c->count == 8 || c->count == 16 || c->count == 24);
		for (unsigned i = 0; i < c->count; i++)
			require(c->mv[i] <= CG_CELL_MV_MAX);
		if (!c->has_energy)
			require(c->energy_mwh == 0 && c->charge_mah == 0);
		break;
	}
	case CG_REC_STATUS: {
		const struct cg_status *s = &rec->u.status;

		/* Before V1.21 (13 bytes): no mode, the current a magnitude. */
		require(s->has_mode ? s->mode <= CG_MODE_STORAGE
				    : s->mode == CG_MODE_UNKNOWN &&
					      s->current_da >= 0 && !s->has_soc);
		require(end_ok(s->charge_end_mv));
		require(current_ok(s->current_da));
		require(!s->has_mode ||
			sign_matches_mode(s->mode, s->current_da));
		require(temp_ok(s->t1_dc) && temp_ok(s->t2_dc));
		require(s->soc_pct <= 100);
		if (s->has_protection) {
			require(end_ok(s->discharge_end_mv));
			require(s->discharge_end_mv < s->charge_end_mv);
		}
		break;
	}
	case CG_REC_IMPEDANCE: {
		const struct cg_impedance *imp = &rec->u.impedance;

		require(imp->mode <= CG_MODE_STORAGE);
		require(imp->count >= 1 && imp->count <= CG_MAX_CELLS);
		for (unsigned i = 0; i < imp->count; i++)
			require(imp->impedance_dmohm[i] <=
				CG_IMPEDANCE_DMOHM_MAX);
		require(current_ok(imp->current_da));
		require(sign_matches_mode(imp->mode, imp->current_da));
		break;
	}
	default:
		require(!"record type out of range");
	}
}

/*
 * Encoding a decoded record must give back the frame it came from: a field
 * read from the wrong offset or in the wrong byte order shows up here even
 * when its value is plausible: every byte, the SOC byte of the V1.22 0x56
 * and the 13-byte 0x57 of firmware before V1.21 included.
 */
static void check_round_trip(const struct cg_frame *frame,
			     const struct cg_record *rec)
{
	uint8_t again[CG_FRAME_MAX];
	size_t len, compare;

	switch (rec->type) {
	case CG_REC_CELLS:
		len = cg_encode_cells(&rec->u.cells,
				      rec->u.cells.has_energy ? CG_FW_V126
							      : CG_FW_V122,
				      again);
		compare = len;
		break;
	case CG_REC_STATUS:
		len = cg_encode_status(&rec->u.status,
				       rec->u.status.has_protection ? CG_FW_V126
				       : rec->u.status.has_mode     ? CG_FW_V122
								    : CG_FW_V120,
				       again);
		compare = len;
		break;
	default:
		len = cg_encode_impedance(&rec->u.impedance, again);
		compare = len;
		break;
	}
	require(len == frame->len);
	require(memcmp(again, frame->bytes, compare) == 0);
}

/* The derived figures of pack.h, recomputed the slow way. */
static void check_pack(const struct cg_pack *p)
{
	uint32_t total = 0;
	unsigned counted = 0;
	uint16_t high = 0, low = UINT16_MAX;

	if (!p->have[CG_REC_CELLS])
		return;
	require(p->wired <= p->cells.count);
	for (unsigned i = 0; i < p->wired; i++) {
		uint16_t mv = p->cells.mv[i];

		require(cg_pack_cell_counted(p, i) == (mv >= CG_WIRED_MIN_MV));
		if (!cg_pack_cell_counted(p, i))
			continue;
		counted++;
		total += mv;
		high = mv > high ? mv : high;
		low = mv < low ? mv : low;
		require(p->session_min_mv[i] <= mv);
		require(p->session_max_mv[i] >= mv);
	}
	for (unsigned i = p->wired; i < CG_MAX_CELLS; i++)
		require(!cg_pack_cell_counted(p, i));
	require(p->counted == counted);
	require(p->total_mv == total);
	if (counted == 0)
		return;
	require(p->high_index < p->wired && p->low_index < p->wired);
	require(p->cells.mv[p->high_index] == high);
	require(p->cells.mv[p->low_index] == low);
	require(p->delta_mv == high - low);
	require(p->average_mv >= low && p->average_mv <= high);
	require(p->session_worst_delta_mv >= p->delta_mv);
}

/* Scans a JSON line just far enough to know it is one well-formed object:
 * brackets balance outside strings, no control bytes, ends in "}\n". */
static void check_json_shape(const char *line, size_t len)
{
	int depth = 0;
	bool in_string = false;

	require(len >= 3 && line[0] == '{');
	require(line[len - 2] == '}' && line[len - 1] == '\n');
	require(line[len] == '\0' && strlen(line) == len);
	for (size_t i = 0; i < len - 1; i++) {
		unsigned char ch = (unsigned char)line[i];

		require(ch >= 0x20 && ch < 0x7f);
		if (in_string) {
			require(ch != '\\'); /* nothing here needs escaping */
			in_string = ch != '"';
			continue;
		}
		if (ch == '"')
			in_string = true;
		else if (ch == '{' || ch == '[')
			depth++;
		else if (ch == '}' || ch == ']')
			require(--depth >= 0);
		else
			require(strchr("-0123456789.,:truefalsn", ch));
	}
	require(!in_string && depth == 0);
}

static void check_json(const struct cg_record *rec)
{
	static const char time[] = "2026-11-24T06:20:00.123Z";
	char line[CG_JSON_LINE_MAX];
	char tight[CG_JSON_LINE_MAX];
	size_t len;

	len = cg_json_format(line, sizeof(line), rec, time);
	require(len > 0 && len < sizeof(line));
	check_json_shape(line, len);

	/* Exactly enough room works; one byte less is refused, not cut. */
	require(cg_json_format(tight, len + 1, rec, time) == len);
	require(memcmp(tight, line, len + 1) == 0);
	require(cg_json_format(tight, len, rec, time) == 0);
}

static void take_frame(struct run *r, const struct cg_frame *frame)
{
	struct cg_record rec;

	check_frame(frame);
	/* Inputs past libFuzzer's -max_len are only checked so far. */
	if (r->frame_count < MAX_FRAMES)
		r->frames[r->frame_count] = *frame;
	r->frame_count++;
	r->frame_bytes += frame->len;

	memset(&rec, 0x5A, sizeof(rec));
	if (cg_decode(frame, &rec) != CG_DECODE_OK)
		return;
	check_record(&rec);
	check_round_trip(frame, &rec);
	check_json(&rec);
	r->now_ms += 500;
	cg_pack_apply(&r->pack, &rec, r->now_ms);
	check_pack(&r->pack);
}

static void run_init(struct run *r)
{
	struct cg_pack_config config = { .cells = 0 };

	cg_framer_init(&r->framer);
	cg_pack_init(&r->pack, &config);
	r->frame_count = 0;
	r->frame_bytes = 0;
	r->now_ms = 0;
}

static void feed(struct run *r, const uint8_t *data, size_t len)
{
	const uint8_t *cursor = data;
	size_t left = len;
	struct cg_frame frame;

	while (cg_framer_next(&r->framer, &cursor, &left, &frame)) {
		require(left < len || len == 0);
		take_frame(r, &frame);
		check_framer_stats(r);
	}
	require(left == 0 && cursor == data + len);
	check_framer_stats(r);
}

/*
 * The decoder on its own must also refuse whatever a framer would never
 * pass: lengths past the buffer, wrong headers, wrong sums. Its bytes are
 * the stream's first CG_FRAME_MAX, its length byte 3 of them.
 */
static void decode_raw(const uint8_t *data, size_t len)
{
	struct cg_frame frame;
	struct cg_record rec;
	size_t n = len < CG_FRAME_MAX ? len : CG_FRAME_MAX;

	if (len < 4)
		return;
	memset(&frame, 0, sizeof(frame));
	memcpy(frame.bytes, data, n);
	frame.len = data[3];
	if (cg_decode(&frame, &rec) != CG_DECODE_OK)
		return;
	check_frame(&frame);
	check_record(&rec);
	check_round_trip(&frame, &rec);
	check_json(&rec);
}

/* However the input was cut, the same frames and the same counters. */
static void require_same_run(const struct run *a, const struct run *b)
{
	require(a->frame_count == b->frame_count);
	require(memcmp(&a->framer.stats, &b->framer.stats,
		       sizeof(a->framer.stats)) == 0);
	for (size_t i = 0; i < a->frame_count && i < MAX_FRAMES; i++)
		require(a->frames[i].len == b->frames[i].len &&
			memcmp(a->frames[i].bytes, b->frames[i].bytes,
			       a->frames[i].len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
	uint32_t rng;
	size_t pos = 0;

	if (size < 1)
		return 0;
	rng = input[0] * 0x01000193u + 1;
	input++;
	size--;

	decode_raw(input, size);

	run_init(&whole_run);
	feed(&whole_run, input, size);

	run_init(&chunked_run);
	while (pos < size) {
		size_t chunk = size - pos;

		if (input[-1] != 0) {
			/* Mostly small pieces, sometimes empty ones, now and
			 * then a long one, as reads from a port come. */
			uint32_t pick = next_random(&rng);

			chunk = pick % 8 == 0 ? pick % 97 : pick % 5;
			chunk = chunk < size - pos ? chunk : size - pos;
		}
		feed(&chunked_run, input + pos, chunk);
		pos += chunk;
	}
	require_same_run(&whole_run, &chunked_run);
	return 0;
}
