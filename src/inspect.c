/*
 * inspect: the last frames, rejects and firmware for the inspector
 * (inspect.h).
 */
#include "inspect.h"

#include <string.h>

void cg_inspect_init(struct cg_inspect *in)
{
	memset(in, 0, sizeof(*in));
}

static int reason_index(enum cg_decode_result why)
{
	int k = -(int)why;

	return k > 0 && k < CG_INSPECT_REASONS ? k : -1;
}

void cg_inspect_reject(struct cg_inspect *in, enum cg_decode_result why)
{
	int k = reason_index(why);

	if (k > 0)
		in->rejected_by[k]++;
}

uint64_t cg_inspect_rejected(const struct cg_inspect *in,
			     enum cg_decode_result why)
{
	int k = reason_index(why);

	return k > 0 ? in->rejected_by[k] : 0;
}

void cg_inspect_frame(struct cg_inspect *in, const struct cg_frame *frame,
		      const struct cg_record *record)
{
	if ((unsigned)record->type >= CG_REC_TYPES)
		return;
	in->last[record->type] = *frame;
	in->decoded[record->type] = *record;
	in->have_last[record->type] = true;
	/* Per frame this is a compare; the text changes once or twice. */
	if (cg_decode_firmware(frame, &in->firmware))
		cg_firmware_text(&in->firmware, in->firmware_text,
				 sizeof(in->firmware_text));
}

const char *cg_inspect_firmware(const struct cg_inspect *in)
{
	return in->firmware.seen ? in->firmware_text : NULL;
}
