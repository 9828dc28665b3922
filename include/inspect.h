/*
 * inspect: what the inspector (key i) shows besides the framer's counters:
 * the last good frame of each kind, its bytes beside the record decoded
 * from them, the decoder's rejects by reason, and what the frame lengths
 * say about the firmware. The views read it and never decode a frame.
 *
 * Pure: no I/O, no allocation, no globals. The firmware knowledge is the
 * decoder's (cg_decode_firmware); this only keeps its answer and its text.
 */
#ifndef CG_INSPECT_H
#define CG_INSPECT_H

#include <stdbool.h>
#include <stdint.h>

#include "decoder.h"
#include "framer.h"

#define CG_INSPECT_REASONS 5 /* indexed by -cg_decode_result */
#define CG_FIRMWARE_TEXT_MAX 96

struct cg_inspect {
	uint64_t rejected_by[CG_INSPECT_REASONS];
	struct cg_firmware_seen firmware;
	char firmware_text[CG_FIRMWARE_TEXT_MAX]; /* "" until a frame */
	struct cg_frame last[CG_REC_TYPES];    /* last good frame of each type */
	struct cg_record decoded[CG_REC_TYPES]; /* ... and what it says */
	bool have_last[CG_REC_TYPES];
};

void cg_inspect_init(struct cg_inspect *in);

/* A frame the decoder refused, for the reason it gave (CG_DECODE_OK and
 * unknown results are not counted). */
void cg_inspect_reject(struct cg_inspect *in, enum cg_decode_result why);

/* A frame the decoder accepted, with the record it made of it. */
void cg_inspect_frame(struct cg_inspect *in, const struct cg_frame *frame,
		      const struct cg_record *record);

/* How many frames were refused for that reason. */
uint64_t cg_inspect_rejected(const struct cg_inspect *in,
			     enum cg_decode_result why);

/* The firmware in words, or NULL before the first good frame. */
const char *cg_inspect_firmware(const struct cg_inspect *in);

#endif
