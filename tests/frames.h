/*
 * The vendor's example frames from shared/protocol.md, byte for byte, and
 * small helpers the unit tests share to build or damage frames by hand.
 *
 * The values each frame carries were decoded by hand against the tables in
 * protocol.md (not by running the decoder) and are written next to them,
 * so a test that compares against these comments checks the code against
 * the document rather than against itself.
 */
#ifndef CG_TEST_FRAMES_H
#define CG_TEST_FRAMES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "framer.h"

/*
 * 0x57, old length 15: charge-end 0x0E24 = 3620 mV, mode 1 = charge,
 * current 0x00E6 = 230 dA, T1 0x0081 = 129 dC, T2 0x0084 = 132 dC,
 * SOC 0x5B = 91 %, checksum 0x27.
 */
static const uint8_t vendor_status_charge[] = {
	0x24, 0x24, 0x57, 0x0F, 0x0E, 0x24, 0x01, 0x00, 0xE6, 0x00, 0x81,
	0x00, 0x84, 0x5B, 0x27,
};

/*
 * 0x57, old length 15: charge-end 0x1068 = 4200 mV, mode 0 = discharge,
 * current 0x000C = 12 dA (so -12 signed), T1 = T2 = 0xFF21 = -223 dC,
 * SOC 0 %, checksum 0x72.
 */
static const uint8_t vendor_status_discharge[] = {
	0x24, 0x24, 0x57, 0x0F, 0x10, 0x68, 0x00, 0x00, 0x0C, 0xFF, 0x21,
	0xFF, 0x21, 0x00, 0x72,
};

/*
 * 0x56, length 45 (16T, firmware >= V1.24): 16 cells big-endian, then
 * energy 0x02D5FE76 = 47578742 mWh and charge 0x000E1463 = 922723 mAh, both
 * little-endian, checksum 0x95.
 */
static const uint8_t vendor_cells16[] = {
	0x24, 0x24, 0x56, 0x2D, 0x0C, 0xFD, 0x0D, 0x04, 0x0D, 0x04, 0x0D,
	0x02, 0x0D, 0x03, 0x0D, 0x04, 0x0D, 0x06, 0x0D, 0x01, 0x0D, 0x08,
	0x0D, 0x02, 0x0D, 0x05, 0x0C, 0xFE, 0x0D, 0x06, 0x0C, 0xFB, 0x0D,
	0x0F, 0x0C, 0xFC, 0x76, 0xFE, 0xD5, 0x02, 0x63, 0x14, 0x0E, 0x00,
	0x95,
};

static const uint16_t vendor_cells16_mv[16] = {
	3325, 3332, 3332, 3330, 3331, 3332, 3334, 3329,
	3336, 3330, 3333, 3326, 3334, 3323, 3343, 3324,
};

/*
 * 0x58, length 40 = 8 + 2 * 16: mode 1 = charge, current 0x00E4 = 228 dA
 * little-endian, 16 impedances little-endian in 0.1 mOhm, checksum 0xCC.
 */
static const uint8_t vendor_impedance16[] = {
	0x24, 0x24, 0x58, 0x28, 0x01, 0xE4, 0x00, 0x01, 0x00, 0x03, 0x00,
	0x03, 0x00, 0x03, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00,
	0x02, 0x00, 0x03, 0x00, 0x03, 0x00, 0xCC,
};

static const uint16_t vendor_impedance16_dmohm[16] = {
	1, 3, 3, 3, 2, 3, 0, 0, 1, 1, 1, 0, 5, 2, 3, 3,
};

/*
 * 0x56, old firmware length 38 (16T, V1.22): 16 cells big-endian, one
 * extra byte 0x00, checksum 0xC3, no energy or charge. Three cells wired.
 */
static const uint8_t vendor_cells_old[] = {
	0x24, 0x24, 0x56, 0x26, 0x0F, 0x5C, 0x0F, 0x6C, 0x0F, 0x66, 0x00,
	0x00, 0x00, 0x06, 0x00, 0x09, 0x00, 0x12, 0x00, 0x09, 0x00, 0x19,
	0x00, 0x0E, 0x00, 0x14, 0x00, 0x11, 0x00, 0x00, 0x00, 0x1B, 0x00,
	0x00, 0x00, 0x13, 0x00, 0xC3,
};

static const uint16_t vendor_cells_old_mv[16] = {
	3932, 3948, 3942, 0, 6, 9, 18, 9, 25, 14, 20, 17, 0, 27, 0, 19,
};

struct vendor_frame {
	const char *name;
	const uint8_t *bytes;
	size_t len;
};

#define VENDOR_FRAME(array) { #array, array, sizeof(array) }

static const struct vendor_frame vendor_frames[] = {
	VENDOR_FRAME(vendor_status_charge),
	VENDOR_FRAME(vendor_status_discharge),
	VENDOR_FRAME(vendor_cells16),
	VENDOR_FRAME(vendor_impedance16),
	VENDOR_FRAME(vendor_cells_old),
};

#define VENDOR_FRAME_COUNT (sizeof(vendor_frames) / sizeof(vendor_frames[0]))

/*
 * The checksum computed here on purpose, independently of cg_checksum(),
 * so that a broken cg_checksum() cannot make a hand-built frame look right.
 */
static inline uint8_t test_sum8(const uint8_t *bytes, size_t n)
{
	unsigned sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += bytes[i];
	return (uint8_t)(sum & 0xFF);
}

/* After editing bytes, makes the last byte the right checksum again. */
static inline void test_fix_checksum(uint8_t *bytes, size_t len)
{
	bytes[len - 1] = test_sum8(bytes, len - 1);
}

/* Copies raw bytes into a struct cg_frame as the framer would hand it on. */
static inline void test_frame_from(struct cg_frame *frame,
				   const uint8_t *bytes, size_t len)
{
	memset(frame, 0, sizeof(*frame));
	frame->len = (uint8_t)len;
	memcpy(frame->bytes, bytes, len);
}

/*
 * Starts a frame of cmd and total length len in frame: header, cmd, len and
 * zeroed payload. Fill the payload, then call test_frame_seal().
 */
static inline void test_frame_begin(struct cg_frame *frame, uint8_t cmd,
				    uint8_t len)
{
	memset(frame, 0, sizeof(*frame));
	frame->len = len;
	frame->bytes[0] = CG_HEADER_BYTE;
	frame->bytes[1] = CG_HEADER_BYTE;
	frame->bytes[2] = cmd;
	frame->bytes[3] = len;
}

static inline void test_frame_seal(struct cg_frame *frame)
{
	test_fix_checksum(frame->bytes, frame->len);
}

static inline void test_put_be16(uint8_t *at, unsigned value)
{
	at[0] = (uint8_t)(value >> 8);
	at[1] = (uint8_t)value;
}

static inline void test_put_le16(uint8_t *at, unsigned value)
{
	at[0] = (uint8_t)value;
	at[1] = (uint8_t)(value >> 8);
}

static inline void test_put_le32(uint8_t *at, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		at[i] = (uint8_t)(value >> (8 * i));
}

#endif
