/*
 * decoder: turns one checked frame into a typed record, or says why not.
 *
 * Pure: no I/O, no allocation, no globals. Accepts both firmware variants of
 * each frame (see ../shared/protocol.md). An 8-bit checksum lets about one
 * corruption in 256 through, so every field is also checked against what a
 * real pack can show; a frame that fails is rejected whole, never shown.
 */
#ifndef CG_DECODER_H
#define CG_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "framer.h"

#define CG_MAX_CELLS 24

/* Plausibility limits: a value outside them means a corrupted frame. */
#define CG_CELL_MV_MAX 5000        /* no supported chemistry reaches 5 V */
#define CG_END_MV_MIN 1000         /* charge/discharge-end settings */
#define CG_END_MV_MAX 5000        /* and discharge-end < charge-end */
#define CG_TEMP_DC_MIN (-500)      /* -50.0 degC */
#define CG_TEMP_DC_MAX 1500        /* 150.0 degC */
#define CG_CURRENT_DA_MAX 20000    /* 2000.0 A, beyond any Chargery shunt */
/* 1 ohm: no cell a Chargery monitors measures that much (0.1 mOhm units). */
#define CG_IMPEDANCE_DMOHM_MAX 10000
/* Wh/Ah must be 1..5 V per channel reading at least this (see decoder.c). */
#define CG_LIVE_CHANNEL_MV 1000

enum cg_mode {
	CG_MODE_DISCHARGE = 0,
	CG_MODE_CHARGE = 1,
	CG_MODE_STORAGE = 2,
	CG_MODE_UNKNOWN = 3, /* firmware before V1.21 does not send it */
};

enum cg_record_type {
	CG_REC_CELLS,
	CG_REC_STATUS,
	CG_REC_IMPEDANCE,
	CG_REC_TYPES
};

enum cg_decode_result {
	CG_DECODE_OK = 0,
	CG_DECODE_UNKNOWN_CMD = -1,
	CG_DECODE_BAD_LENGTH = -2,
	CG_DECODE_BAD_CHECKSUM = -3,
	CG_DECODE_IMPLAUSIBLE = -4,
};

/* 0x56. count is every channel the frame carries, wired or not. */
struct cg_cells {
	uint8_t count;
	uint16_t mv[CG_MAX_CELLS];
	bool has_soc;        /* V1.22/V1.23 (22/38/54 bytes): the byte after */
	uint8_t soc_pct;     /* the cells is the SOC; 0 when !has_soc */
	bool has_energy;     /* false on firmware before V1.24 */
	uint32_t energy_mwh; /* 0.001 Wh */
	uint32_t charge_mah; /* 0.001 Ah */
};

/*
 * 0x57. current_da is signed by the mode: negative while discharging.
 * Firmware before V1.21 sends 13 bytes: no mode and no SOC. Then has_mode
 * is false, mode is CG_MODE_UNKNOWN and current_da is the magnitude the
 * BMS sent (never negative: the direction is not known); has_soc is
 * false and soc_pct 0.
 */
struct cg_status {
	uint16_t charge_end_mv;
	bool has_mode;
	enum cg_mode mode;
	int32_t current_da; /* 0.1 A */
	int16_t t1_dc;      /* 0.1 degC */
	int16_t t2_dc;
	bool has_soc;
	uint8_t soc_pct;
	bool has_protection; /* V1.26: the three fields below are valid */
	uint16_t discharge_end_mv;
	bool charge_protect;    /* true: charge protection active */
	bool discharge_protect; /* true: discharge protection active */
};

/* 0x58. count is the number of wired cells. */
struct cg_impedance {
	enum cg_mode mode;
	int32_t current_da; /* 0.1 A, signed as in cg_status */
	uint8_t count;
	uint16_t impedance_dmohm[CG_MAX_CELLS]; /* 0.1 milliohm */
};

struct cg_record {
	enum cg_record_type type;
	union {
		struct cg_cells cells;
		struct cg_status status;
		struct cg_impedance impedance;
	} u;
};

/* Decodes a frame. Returns CG_DECODE_OK and fills *out, or a negative
 * cg_decode_result; *out is then unspecified and must not be used. */
enum cg_decode_result cg_decode(const struct cg_frame *frame,
				struct cg_record *out);

/*
 * What one 0x56 cannot tell alone: the byte after the cells of a 0x56
 * without Wh/Ah is the SOC from V1.22 on, but the same layout came before
 * V1.22, when there was no SOC. A unit whose 0x57 carries no SOC (13
 * bytes: before V1.21) has none in its 0x56 either. last_status is the
 * unit's latest 0x57, NULL while none has come (the byte is then taken
 * for the SOC, as most units with this layout are V1.22/V1.23).
 */
bool cg_decode_cells_soc_trusted(const struct cg_status *last_status);

/* Applies that to a decoded record: a cells record whose SOC is not
 * trusted loses it (has_soc false, soc_pct 0). Other records are left
 * as they are. */
void cg_decode_in_context(struct cg_record *rec,
			  const struct cg_status *last_status);

/* "discharge", "charge", "storage" or "unknown". */
const char *cg_mode_name(enum cg_mode mode);

/* Short English name of a decode result, for counters and messages. */
const char *cg_decode_result_name(enum cg_decode_result result);

/* What the frame lengths say about the firmware: 0x56 carries Wh/Ah from
 * V1.24 on (an odd length), 0x57 the protection fields from V1.26 on (19
 * bytes instead of 15). */
struct cg_firmware_seen {
	bool seen;              /* a good frame of any kind */
	bool cells_known;       /* a 0x56 seen */
	bool cells_energy;      /* ... with Wh/Ah */
	bool status_known;      /* a 0x57 seen */
	bool status_protection; /* ... of 19 bytes */
	uint8_t status_len;     /* ... its length: 13, 15 or 19 */
};

/* Takes in one good frame; returns true when what *fw says changed. Pure.
 * cg_firmware_text() says it in words, e.g. "V1.26 or later (0x56 with
 * Wh/Ah, 0x57 of 19 bytes)" or "before V1.21 (0x56 without Wh/Ah, 0x57
 * of 13 bytes)", "" before any frame; returns its length, cut to
 * cap - 1. */
bool cg_decode_firmware(const struct cg_frame *frame, struct cg_firmware_seen *fw);
size_t cg_firmware_text(const struct cg_firmware_seen *fw, char *buf, size_t cap);

#endif
