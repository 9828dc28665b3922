/*
 * What the decoder tests share: cg_decode into a record filled with junk
 * first, and builders for 0x57 and 0x56 frames with every field given.
 * Used by tests/test_decoder.c and tests/test_decoder_plausible.c.
 */
#ifndef CG_TEST_DECODER_FIXTURE_H
#define CG_TEST_DECODER_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decoder.h"
#include "frames.h"

/* cg_decode into a record filled with junk first, so a field it forgets
 * to write cannot pass for a right one. */
static inline enum cg_decode_result decode_checked(const struct cg_frame *frame,
						   struct cg_record *out)
{
	memset(out, 0xA5, sizeof(*out));
	return cg_decode(frame, out);
}

static inline enum cg_decode_result decode_bytes(const uint8_t *bytes,
						 size_t len,
						 struct cg_record *out)
{
	struct cg_frame frame;

	test_frame_from(&frame, bytes, len);
	return decode_checked(&frame, out);
}

/* A 0x57 of either length with every field given; checksum fixed. */
struct status_fields {
	unsigned charge_end_mv;
	unsigned mode;
	unsigned current_da;
	int t1_dc;
	int t2_dc;
	unsigned soc;
	bool v126;
	unsigned discharge_end_mv;
	unsigned charge_status;
	unsigned discharge_status;
};

static inline void build_status(struct cg_frame *frame,
				const struct status_fields *f)
{
	test_frame_begin(frame, 0x57, f->v126 ? 19 : 15);
	test_put_be16(&frame->bytes[4], f->charge_end_mv);
	frame->bytes[6] = (uint8_t)f->mode;
	test_put_be16(&frame->bytes[7], f->current_da);
	test_put_be16(&frame->bytes[9], (uint16_t)(int16_t)f->t1_dc);
	test_put_be16(&frame->bytes[11], (uint16_t)(int16_t)f->t2_dc);
	frame->bytes[13] = (uint8_t)f->soc;
	if (f->v126) {
		test_put_be16(&frame->bytes[14], f->discharge_end_mv);
		frame->bytes[16] = (uint8_t)f->charge_status;
		frame->bytes[17] = (uint8_t)f->discharge_status;
	}
	test_frame_seal(frame);
}

/* A sane V1.26 status that the plausibility tests then spoil one field of. */
static const struct status_fields sane_v126 = {
	.charge_end_mv = 3650,
	.mode = 1,
	.current_da = 150,
	.t1_dc = 251,
	.t2_dc = -45,
	.soc = 77,
	.v126 = true,
	.discharge_end_mv = 2800,
	.charge_status = 0,
	.discharge_status = 1,
};

/* A 0x56 with n cells (V1.24+ layout when with_energy). */
static inline void build_cells(struct cg_frame *frame, unsigned n,
			       const uint16_t *mv, bool with_energy,
			       uint32_t energy_mwh, uint32_t charge_mah)
{
	uint8_t len = with_energy ? (uint8_t)(13 + 2 * n) : (uint8_t)(6 + 2 * n);

	test_frame_begin(frame, 0x56, len);
	for (unsigned i = 0; i < n; i++)
		test_put_be16(&frame->bytes[4 + 2 * i], mv[i]);
	if (with_energy) {
		test_put_le32(&frame->bytes[4 + 2 * n], energy_mwh);
		test_put_le32(&frame->bytes[8 + 2 * n], charge_mah);
	}
	test_frame_seal(frame);
}

#endif
