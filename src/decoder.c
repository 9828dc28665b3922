/*
 * decoder: field layouts of 0x56, 0x57 and 0x58 (see ../shared/protocol.md).
 *
 * Note the mixed byte orders: cell voltages and 0x57 fields are big-endian,
 * while Wh/Ah in 0x56 and everything in 0x58 are little-endian. The vendor
 * documents say so and the example frames confirm it.
 *
 * A record gets only the fields of the frame's own type, all of them (array
 * tails zeroed), so it is fully defined for whoever copies it. The line
 * carries about 40 bytes a second: plain code, a field at a time.
 */
#include "decoder.h"

#include <string.h>

#define PAYLOAD 4 /* header (2), cmd, len */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

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

static bool within(int32_t value, int32_t lo, int32_t hi)
{
	return value >= lo && value <= hi;
}

/*
 * Wh / Ah is the pack's average voltage over the integration (the vendor
 * frame: 47578.742 Wh / 922.723 Ah = 51.6 V for 16 cells at 3.33 V), so it
 * must lie between 1 V and 5 V per live channel. A frame whose tail was
 * replaced by junk that happened to sum right fails this: the soak found
 * one claiming four million Ah. Counters under 1 Ah are only bounded above.
 * With no live channel (a pack being wired, every lead off) the counters
 * still run: they are then bounded by 5 V per channel the frame carries,
 * and the all-ones pattern (4294967.295) is never a count.
 */
static bool energy_consistent(const struct cg_cells *c, uint64_t live)
{
	if (c->energy_mwh == UINT32_MAX || c->charge_mah == UINT32_MAX)
		return false;

	uint64_t ah = c->charge_mah < 1000 ? 1000 : c->charge_mah;
	uint64_t wh = c->energy_mwh;
	uint64_t per = live ? live : c->count;
	if (wh > CG_CELL_MV_MAX / 1000 * per * ah)
		return false;
	return live == 0 || c->charge_mah < 1000 || wh >= live * ah;
}

/* The layouts of 0x56 by frame length: V1.24+ sends N cells, Wh, Ah and
 * the checksum (13 + 2N); V1.22/V1.23 N cells, the SOC byte and the
 * checksum (6 + 2N). N is 8, 16 or 24. */
static const struct {
	uint8_t len;
	uint8_t count;
	bool has_energy;
} cells_layouts[] = {
	{ 13 + 2 * 8, 8, true },  { 13 + 2 * 16, 16, true },
	{ 13 + 2 * 24, 24, true }, { 6 + 2 * 8, 8, false },
	{ 6 + 2 * 16, 16, false }, { 6 + 2 * 24, 24, false },
};

static enum cg_decode_result decode_cells(const uint8_t *f, uint8_t len,
					  struct cg_cells *out)
{
	const uint8_t *p = f + PAYLOAD;
	size_t k = 0;
	unsigned live = 0;
	bool too_high = false;

	while (k < sizeof(cells_layouts) / sizeof(cells_layouts[0]) &&
	       cells_layouts[k].len != len)
		k++;
	if (k == sizeof(cells_layouts) / sizeof(cells_layouts[0]))
		return CG_DECODE_BAD_LENGTH;

	out->count = cells_layouts[k].count;
	out->has_energy = cells_layouts[k].has_energy;
	memset(out->mv, 0, sizeof(out->mv));
	for (unsigned i = 0; i < out->count; i++) {
		out->mv[i] = be16(p + 2 * i);
		too_high |= out->mv[i] > CG_CELL_MV_MAX;
		live += out->mv[i] >= CG_LIVE_CHANNEL_MV;
	}
	if (too_high)
		return CG_DECODE_IMPLAUSIBLE;
	p += 2 * out->count;
	out->has_soc = !out->has_energy;
	out->soc_pct = out->has_soc ? p[0] : 0;
	if (!out->has_energy) {
		out->energy_mwh = 0;
		out->charge_mah = 0;
		return out->soc_pct <= 100 ? CG_DECODE_OK
					   : CG_DECODE_IMPLAUSIBLE;
	}
	out->energy_mwh = le32(p);
	out->charge_mah = le32(p + 4);
	return energy_consistent(out, live) ? CG_DECODE_OK
					    : CG_DECODE_IMPLAUSIBLE;
}

/* 0x57: 13 bytes before V1.21 (charge end, current magnitude, T1, T2);
 * V1.21 adds the mode before the current and V1.22 the SOC (15 bytes);
 * V1.26 adds discharge-end and the two protection flags (19 bytes). */
static enum cg_decode_result decode_status(const uint8_t *f, uint8_t len,
					   struct cg_status *out)
{
	const uint8_t *p = f + PAYLOAD;
	bool old = len == 13;
	uint8_t mode = old ? (uint8_t)CG_MODE_UNKNOWN : p[2];
	uint16_t current = be16(p + (old ? 2 : 3));
	const uint8_t *temps = p + (old ? 4 : 5);

	if (!cg_frame_length_allowed(CG_CMD_STATUS, len))
		return CG_DECODE_BAD_LENGTH;
	out->charge_end_mv = be16(p);
	out->has_mode = !old;
	out->mode = (enum cg_mode)mode;
	out->current_da = old ? (int32_t)current
			      : signed_current(mode, current);
	out->t1_dc = (int16_t)be16(temps);
	out->t2_dc = (int16_t)be16(temps + 2);
	out->has_soc = !old;
	out->soc_pct = old ? 0 : p[9];
	out->has_protection = len == 19;
	out->discharge_end_mv = 0;
	out->charge_protect = false;
	out->discharge_protect = false;
	if (out->has_protection) {
		out->discharge_end_mv = be16(p + 10);
		out->charge_protect = p[12] == 1;
		out->discharge_protect = p[13] == 1;
	}

	if ((!old && mode > CG_MODE_STORAGE) || current > CG_CURRENT_DA_MAX ||
	    out->soc_pct > 100 ||
	    !within(out->charge_end_mv, CG_END_MV_MIN, CG_END_MV_MAX) ||
	    !within(out->t1_dc, CG_TEMP_DC_MIN, CG_TEMP_DC_MAX) ||
	    !within(out->t2_dc, CG_TEMP_DC_MIN, CG_TEMP_DC_MAX))
		return CG_DECODE_IMPLAUSIBLE;
	if (out->has_protection &&
	    (p[12] > 1 || p[13] > 1 ||
	     !within(out->discharge_end_mv, CG_END_MV_MIN, CG_END_MV_MAX) ||
	     out->discharge_end_mv >= out->charge_end_mv))
		return CG_DECODE_IMPLAUSIBLE;
	return CG_DECODE_OK;
}

/* 0x58: mode, current, then one impedance per wired cell (8 + 2N). */
static enum cg_decode_result decode_impedance(const uint8_t *f, uint8_t len,
					      struct cg_impedance *out)
{
	const uint8_t *p = f + PAYLOAD;
	uint16_t current = le16(p + 1);

	if (!cg_frame_length_allowed(CG_CMD_IMPEDANCE, len))
		return CG_DECODE_BAD_LENGTH;
	if (p[0] > CG_MODE_STORAGE || current > CG_CURRENT_DA_MAX)
		return CG_DECODE_IMPLAUSIBLE;
	out->mode = (enum cg_mode)p[0];
	out->current_da = signed_current(p[0], current);
	out->count = (uint8_t)((len - 8) / 2);
	memset(out->impedance_dmohm, 0, sizeof(out->impedance_dmohm));
	for (unsigned i = 0; i < out->count; i++) {
		out->impedance_dmohm[i] = le16(p + 3 + 2 * i);
		if (out->impedance_dmohm[i] > CG_IMPEDANCE_DMOHM_MAX)
			return CG_DECODE_IMPLAUSIBLE;
	}
	return CG_DECODE_OK;
}

/*
 * The checks come in the documented order (length and header, command,
 * length for the command, checksum, then the values), so a frame that
 * fails several gets the same answer as ever. Every read is sized by a
 * length that the table of lengths allowed first.
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

	switch (f[2]) {
	case CG_CMD_CELLS:
		out->type = CG_REC_CELLS;
		return decode_cells(f, len, &out->u.cells);
	case CG_CMD_STATUS:
		out->type = CG_REC_STATUS;
		return decode_status(f, len, &out->u.status);
	default:
		out->type = CG_REC_IMPEDANCE;
		return decode_impedance(f, len, &out->u.impedance);
	}
}

bool cg_decode_cells_soc_trusted(const struct cg_status *last_status)
{
	return !last_status || last_status->has_soc;
}

void cg_decode_in_context(struct cg_record *rec,
			  const struct cg_status *last_status)
{
	if (rec->type != CG_REC_CELLS || !rec->u.cells.has_soc ||
	    cg_decode_cells_soc_trusted(last_status))
		return;
	rec->u.cells.has_soc = false;
	rec->u.cells.soc_pct = 0;
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
	case CG_MODE_UNKNOWN:
		break;
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
		now.status_len = frame->len;
	}
	if (now.seen == fw->seen && now.cells_known == fw->cells_known &&
	    now.cells_energy == fw->cells_energy &&
	    now.status_known == fw->status_known &&
	    now.status_protection == fw->status_protection &&
	    now.status_len == fw->status_len)
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
	else if (fw->status_known && fw->status_len == 13)
		version = "before V1.21"; /* no mode byte yet */
	else if (fw->cells_known || fw->status_known)
		version = "before V1.24";
	char status[24] = "not seen";
	if (fw->status_known)
		snprintf(status, sizeof(status), "of %u bytes",
			 (unsigned)fw->status_len);
	n = snprintf(buf, cap, "%s (0x56 %s, 0x57 %s)", version,
		     !fw->cells_known ? "not seen" :
		     fw->cells_energy ? "with Wh/Ah" : "without Wh/Ah",
		     status);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n < cap ? (size_t)n : cap - 1;
}
