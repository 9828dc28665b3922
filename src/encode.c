/*
 * encode: Chargery frames from records. The byte layouts are the ones in
 * ../shared/protocol.md; note that the BMS mixes byte orders: 0x56 cells
 * and all of 0x57 are big-endian, while the 0x56 Wh/Ah counters and all of
 * 0x58 are little-endian.
 */
#include "encode.h"

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

size_t cg_encode_cells(const struct cg_cells *cells, enum cg_firmware fw,
		       uint8_t out[CG_FRAME_MAX])
{
	size_t pos = put_header(out, CG_CMD_CELLS);
	uint8_t count = cells->count > CG_MAX_CELLS ? CG_MAX_CELLS
						    : cells->count;

	for (uint8_t i = 0; i < count; i++)
		pos += put_u16_be(out + pos, cells->mv[i]);

	if (fw == CG_FW_V126) {
		pos += put_u32_le(out + pos, cells->energy_mwh);
		pos += put_u32_le(out + pos, cells->charge_mah);
	} else {
		/* V1.22 pads the cells with one byte (0x00 in vendor dumps). */
		out[pos++] = 0x00;
	}
	return finish_frame(out, pos);
}

size_t cg_encode_status(const struct cg_status *status, enum cg_firmware fw,
			uint8_t out[CG_FRAME_MAX])
{
	size_t pos = put_header(out, CG_CMD_STATUS);

	pos += put_u16_be(out + pos, status->charge_end_mv);
	out[pos++] = status->mode;
	pos += put_u16_be(out + pos, current_magnitude(status->current_da));
	pos += put_u16_be(out + pos, (uint16_t)status->t1_dc);
	pos += put_u16_be(out + pos, (uint16_t)status->t2_dc);
	out[pos++] = status->soc_pct;

	if (fw == CG_FW_V126) {
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
