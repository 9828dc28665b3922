/*
 * encode: builds Chargery frames from records, the inverse of the decoder.
 * Used by the simulator and the tests; the BMS itself is push-only, so
 * chargery-top never sends anything.
 *
 * Pure: no I/O, no allocation, no globals. Each function writes one whole
 * frame (header to checksum) into out, which must hold CG_FRAME_MAX bytes,
 * and returns its length.
 */
#ifndef CG_ENCODE_H
#define CG_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "decoder.h"

enum cg_firmware {
	CG_FW_V126, /* 0x56 with Wh/Ah, 0x57 with protection fields (19 bytes) */
	CG_FW_OLD,  /* V1.22: 0x56 without Wh/Ah, 0x57 of 15 bytes */
};

/* cells->count must be 8, 16 or 24 (the slots of a BMS8T/16T/24T). */
size_t cg_encode_cells(const struct cg_cells *cells, enum cg_firmware fw,
		       uint8_t out[CG_FRAME_MAX]);
size_t cg_encode_status(const struct cg_status *status, enum cg_firmware fw,
			uint8_t out[CG_FRAME_MAX]);
size_t cg_encode_impedance(const struct cg_impedance *imp,
			   uint8_t out[CG_FRAME_MAX]);

#endif
