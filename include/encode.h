/*
 * encode: builds Chargery frames from records, the inverse of the decoder.
 * Used by the simulator and the tests; the BMS itself is push-only, so
 * chargery-top never sends anything.
 *
 * Pure: no I/O, no allocation, no globals. Each function writes one whole
 * frame (header to checksum) into out, which must hold CG_FRAME_MAX bytes,
 * and returns its length.
 *
 * Every firmware the decoder reads has a layout here (the history is in
 * ../shared/real/README.md): what was encoded decodes back to the same
 * record, except that the byte after the cells of a 6 + 2N byte 0x56 is
 * always read as a SOC, which firmware before V1.22 did not mean by it.
 */
#ifndef CG_ENCODE_H
#define CG_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decoder.h"

enum cg_firmware {
	CG_FW_V126, /* 0x56 with Wh/Ah, 0x57 of 19 bytes (protection), 0x58 */
	CG_FW_V125, /* 0x56 with Wh/Ah, 0x57 of 15 bytes, 0x58 */
	CG_FW_V124, /* 0x56 with Wh/Ah, 0x57 of 15 bytes, no 0x58 */
	CG_FW_V122, /* V1.22/V1.23: 0x56 of 6 + 2N bytes whose byte after
		     * the cells is the SOC, 0x57 of 15 bytes, no 0x58 */
	CG_FW_V120, /* before V1.21: 0x56 of 6 + 2N bytes (0x00 after the
		     * cells), 0x57 of 13 bytes: no mode, no SOC, the
		     * current a magnitude; no 0x58 */
	CG_FW_COUNT,
	CG_FW_OLD = CG_FW_V122, /* "old": what --firmware old has meant */
};

/* What one firmware sends. */
struct cg_firmware_layout {
	const char *name;    /* as --firmware takes it: "v126" */
	const char *version; /* "V1.26", "V1.22/V1.23", "before V1.21" */
	bool cells_energy;   /* 0x56 carries Wh/Ah: 13 + 2N bytes, else 6 + 2N */
	bool cells_soc;      /* the byte after the cells is the SOC */
	uint8_t status_len;  /* 0x57: 13 (no mode, no SOC), 15 or 19 */
	bool impedance;      /* a 0x58 when the current reverses */
};

/* The layout of fw; that of V1.26 for a value outside the enum. */
const struct cg_firmware_layout *cg_firmware_layout(enum cg_firmware fw);

/* Looks up a name: v120, v122, v124, v125, v126, or old (= v122).
 * Returns false, *fw untouched, for any other. */
bool cg_firmware_by_name(const char *name, enum cg_firmware *fw);

/* The names cg_firmware_by_name() takes, for messages:
 * "v120, v122, v124, v125, v126 or old". */
#define CG_FIRMWARE_NAMES "v120, v122, v124, v125, v126 or old"

/* cells->count must be 8, 16 or 24 (the slots of a BMS8T/16T/24T). In a
 * 6 + 2N layout the byte after the cells is cells->soc_pct when
 * cells->has_soc, else 0x00 (as firmware before V1.22 sends it). */
size_t cg_encode_cells(const struct cg_cells *cells, enum cg_firmware fw,
		       uint8_t out[CG_FRAME_MAX]);
/* Before V1.21 the mode and SOC are not sent and the current goes as its
 * magnitude; from V1.26 on the protection fields follow the SOC. */
size_t cg_encode_status(const struct cg_status *status, enum cg_firmware fw,
			uint8_t out[CG_FRAME_MAX]);
size_t cg_encode_impedance(const struct cg_impedance *imp,
			   uint8_t out[CG_FRAME_MAX]);

#endif
