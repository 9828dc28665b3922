/*
 * encode: Chargery frames from records. The byte layouts are the ones in
 * ../shared/protocol.md; note that the BMS mixes byte orders: 0x56 cells
 * and all of 0x57 are big-endian, while the 0x56 Wh/Ah counters and all of
 * 0x58 are little-endian.
 */
#include "encode.h"

#include <string.h>

#include "framer.h"

/* Fixed bytes around the payload: 0x24 0x24 cmd len ... checksum. */
#define HEADER_LEN 4

static size_t put_u16_be(uint8_t *p, uint16_t value)
{
	p[0] = value >> 8;
	p[1] = value & 0xff;
	return 2;
}

static size_t put_u16_le(uint8_t *p, uint16_t value)
{
	p[0] = value & 0xff;
	p[1] = value >> 8;
	return 2;
}

static size_t put_u32_le(uint8_t *p, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		p[i] = (value >> (8 * i)) & 0xff;
	return 4;
}

/* The wire carries only the magnitude; the sign travels in the mode byte.
 * Saturates rather than wrapping, so an out-of-range record cannot turn
 * into a small plausible current. */
static uint16_t current_magnitude(int32_t current_da)
{
	uint32_t magnitude = current_da < 0 ? -(int64_t)current_da : current_da;

	return magnitude > UINT16_MAX ? UINT16_MAX : magnitude;
}

static size_t put_header(uint8_t *out, enum cg_cmd cmd)
{
	out[0] = CG_HEADER_BYTE;
	out[1] = CG_HEADER_BYTE;
	out[2] = cmd;
	/* out[3], the length, is filled in by finish_frame() */
	return HEADER_LEN;
}

/* Writes the length and checksum of a frame whose payload ends at pos. */
static size_t finish_frame(uint8_t *out, size_t pos)
{
	size_t len = pos + 1;

	out[3] = len;
	out[pos] = cg_checksum(out, pos);
	return len;
}

static const struct cg_firmware_layout layouts[CG_FW_COUNT] = {
	[CG_FW_V126] = { "v126", "V1.26", true, false, 19, true },
	[CG_FW_V125] = { "v125", "V1.25", true, false, 15, true },
	[CG_FW_V124] = { "v124", "V1.24", true, false, 15, false },
	[CG_FW_V122] = { "v122", "V1.22/V1.23", false, true, 15, false },
	[CG_FW_V120] = { "v120", "before V1.21", false, false, 13, false },
};

const struct cg_firmware_layout *cg_firmware_layout(enum cg_firmware fw)
{
	return (unsigned)fw < CG_FW_COUNT ? &layouts[fw] : &layouts[CG_FW_V126];
}

bool cg_firmware_by_name(const char *name, enum cg_firmware *fw)
{
	if (!strcmp(name, "old")) {
		*fw = CG_FW_OLD;
		return true;
	}
	for (unsigned i = 0; i < CG_FW_COUNT; i++) {
		if (!strcmp(name, layouts[i].name)) {
			*fw = (enum cg_firmware)i;
			return true;
		}
	}
	return false;
}

size_t cg_encode_cells(const struct cg_cells *cells, enum cg_firmware fw,
		       uint8_t out[CG_FRAME_MAX])
{
	size_t pos = put_header(out, CG_CMD_CELLS);
	uint8_t count = cells->count > CG_MAX_CELLS ? CG_MAX_CELLS
						    : cells->count;

	for (uint8_t i = 0; i < count; i++)
		pos += put_u16_be(out + pos, cells->mv[i]);

	if (cg_firmware_layout(fw)->cells_energy) {
		pos += put_u32_le(out + pos, cells->energy_mwh);
		pos += put_u32_le(out + pos, cells->charge_mah);
	} else {
		/* One byte after the cells: the SOC from V1.22 on; 0x00 in
		 * the vendor's dumps where there is none. */
		out[pos++] = cells->has_soc ? cells->soc_pct : 0x00;
	}
	return finish_frame(out, pos);
}

size_t cg_encode_status(const struct cg_status *status, enum cg_firmware fw,
			uint8_t out[CG_FRAME_MAX])
{
	const struct cg_firmware_layout *layout = cg_firmware_layout(fw);
	size_t pos = put_header(out, CG_CMD_STATUS);

	pos += put_u16_be(out + pos, status->charge_end_mv);
	/* Before V1.21 no mode byte: the current is a bare magnitude. */
	if (layout->status_len > 13)
		out[pos++] = status->mode;
	pos += put_u16_be(out + pos, current_magnitude(status->current_da));
	pos += put_u16_be(out + pos, (uint16_t)status->t1_dc);
	pos += put_u16_be(out + pos, (uint16_t)status->t2_dc);
	if (layout->status_len > 13)
		out[pos++] = status->soc_pct;

	if (layout->status_len == 19) {
		pos += put_u16_be(out + pos, status->discharge_end_mv);
		out[pos++] = status->charge_protect ? 1 : 0;
		out[pos++] = status->discharge_protect ? 1 : 0;
	}
	return finish_frame(out, pos);
}

size_t cg_encode_impedance(const struct cg_impedance *imp,
			   uint8_t out[CG_FRAME_MAX])
{
	size_t pos = put_header(out, CG_CMD_IMPEDANCE);
	uint8_t count = imp->count > CG_MAX_CELLS ? CG_MAX_CELLS : imp->count;

	out[pos++] = imp->mode;
	pos += put_u16_le(out + pos, current_magnitude(imp->current_da));
	for (uint8_t i = 0; i < count; i++)
		pos += put_u16_le(out + pos, imp->impedance_dmohm[i]);
	return finish_frame(out, pos);
}
