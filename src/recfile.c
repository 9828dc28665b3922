/*
 * recfile: CRC-32, blocks and the scan of a file image.
 *
 * A reader calls a bad block a torn tail only when it runs past the end of
 * the file: that is all a crash in the middle of one write(2) can leave.
 * Anything else is damage, so nothing after it is ever cut.
 */
#include "recfile.h"

#include <string.h>

/* Reflected CRC-32 (polynomial 0xEDB88320) four bits at a time: a table of
 * 16 is small enough to write out and fast enough for tens of MB. */
static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
	0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
	0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t cg_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc_nibble[crc & 0x0f];
		crc = (crc >> 4) ^ crc_nibble[crc & 0x0f];
	}
	return ~crc;
}

static void put_le(uint8_t *out, uint64_t value, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		out[i] = (uint8_t)(value >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, unsigned bytes)
{
	uint64_t value = 0;

	for (unsigned i = 0; i < bytes; i++)
		value |= (uint64_t)in[i] << (8 * i);
	return value;
}

size_t cg_rec_encode_block(uint8_t tag, uint64_t time_us, const uint8_t *data,
			   size_t len, uint8_t *out, size_t cap)
{
	size_t size = CG_REC_OVERHEAD + len;

	if (len > CG_REC_DATA_MAX || cap < size)
		return 0;
	out[0] = tag;
	put_le(out + 1, time_us, 8);
	put_le(out + 9, len, 2);
	if (len)
		memcpy(out + CG_REC_HEADER_LEN, data, len);
	put_le(out + CG_REC_HEADER_LEN + len,
	       cg_crc32(0, out, CG_REC_HEADER_LEN + len), 4);
	return size;
}

enum cg_rec_decode_result cg_rec_decode_block(const uint8_t *buf, size_t avail,
					      struct cg_rec_block *out)
{
	if (avail < CG_REC_HEADER_LEN)
		return CG_REC_BLOCK_SHORT;
	size_t len = (size_t)get_le(buf + 9, 2);
	if (avail < CG_REC_OVERHEAD + len)
		return CG_REC_BLOCK_SHORT;
	uint32_t want = (uint32_t)get_le(buf + CG_REC_HEADER_LEN + len, 4);
	if (cg_crc32(0, buf, CG_REC_HEADER_LEN + len) != want)
		return CG_REC_BLOCK_BAD_CRC;

	out->tag = buf[0];
	out->time_us = get_le(buf + 1, 8);
	out->len = (uint16_t)len;
	out->data = buf + CG_REC_HEADER_LEN;
	out->size = CG_REC_OVERHEAD + len;
	return CG_REC_BLOCK_OK;
}

/* "CHARGERY-REC " then a version number: 1 is this one. A version line
 * ending in "\r\n" is the magic after a text tool changed line ends. */
static enum cg_rec_file_kind classify(const uint8_t *file, size_t size)
{
	const size_t stem = sizeof(CG_REC_MAGIC_STEM) - 1;

	if (size == 0)
		return CG_REC_FILE_EMPTY;
	if (size < CG_REC_MAGIC_LEN &&
	    memcmp(file, CG_REC_MAGIC, size) == 0)
		return CG_REC_FILE_TORN_MAGIC;
	if (size >= CG_REC_MAGIC_LEN &&
	    memcmp(file, CG_REC_MAGIC, CG_REC_MAGIC_LEN) == 0)
		return CG_REC_FILE_RECORDING;
	if (size <= stem || memcmp(file, CG_REC_MAGIC_STEM, stem) != 0 ||
	    file[stem] < '1' || file[stem] > '9')
		return CG_REC_FILE_OTHER;
	size_t i = stem;
	while (i < size && i < stem + 9 && file[i] >= '0' && file[i] <= '9')
		i++;
	if (i < size && file[i] == '\r')
		return CG_REC_FILE_MANGLED;
	if (i < size && file[i] == '\n')
		return CG_REC_FILE_NEWER;
	return CG_REC_FILE_OTHER;
}

/* The offset of the first good block after a bad one at pos, or 0 if none
 * is found in buf within CG_REC_RESYNC_BUDGET bytes of CRC work:
 * informational only (where good data starts again), so a hostile file
 * stays linear. buf holds the file from base on, len bytes. */
static size_t good_block_after(const uint8_t *buf, size_t len, size_t base,
			       size_t pos)
{
	struct cg_rec_block block;
	size_t budget = CG_REC_RESYNC_BUDGET;

	for (size_t q = pos - base + 1; q + CG_REC_OVERHEAD <= len; q++) {
		size_t n = (size_t)get_le(buf + q + 9, 2);
		if (q + CG_REC_OVERHEAD + n > len)
			continue;
		size_t cost = CG_REC_HEADER_LEN + n;
		if (cost > budget)
			return 0;
		budget -= cost;
		if (cg_rec_decode_block(buf + q, len - q, &block) ==
		    CG_REC_BLOCK_OK)
			return base + q;
	}
	return 0;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

void cg_rec_scan_begin(struct cg_rec_scan *out, const uint8_t *head,
		       size_t head_len, size_t size)
{
	memset(out, 0, sizeof(*out));
	out->size = size;
	out->kind = classify(head, head_len < size ? head_len : size);
	if (out->kind == CG_REC_FILE_TORN_MAGIC)
		out->ignored = size;
	if (out->kind != CG_REC_FILE_RECORDING) {
		out->done = true;
		return;
	}
	out->end = out->at = CG_REC_MAGIC_LEN;
	out->done = out->at >= size;
}

/* After a bad block at end: only zeros to the end of the file are a power
 * cut before the data reached the disk (no block is all zeros); anything
 * else is damage. */
static void check_zeros(struct cg_rec_scan *out, const uint8_t *buf,
			size_t len)
{
	if (!all_zero(buf, len)) {
		out->damaged = true;
		out->done = true;
		return;
	}
	out->at += len;
	out->done = out->at >= out->size;
}

void cg_rec_scan_more(struct cg_rec_scan *out, const uint8_t *buf, size_t len)
{
	struct cg_rec_block block;
	size_t base = out->at, p = 0;

	if (out->done)
		return;
	if (len > out->size - base)
		len = out->size - base;
	if (out->zeros) {
		check_zeros(out, buf, len);
		return;
	}
	while (base + p < out->size) {
		enum cg_rec_decode_result r =
			cg_rec_decode_block(buf + p, len - p, &block);
		if (r == CG_REC_BLOCK_SHORT && base + len < out->size) {
			out->at = out->end; /* needs the next buffer */
			return;
		}
		if (r != CG_REC_BLOCK_OK) {
			/* SHORT here: runs past the end of the file, so
			 * nothing can follow it: a torn tail. */
			out->ignored = out->size - out->end;
			if (r == CG_REC_BLOCK_SHORT) {
				out->done = true;
				return;
			}
			out->good_after = good_block_after(buf, len, base,
							   out->end);
			out->zeros = true;
			out->at = out->end;
			check_zeros(out, buf + p, len - p);
			if (!out->damaged)
				out->good_after = 0;
			return;
		}
		out->blocks++;
		if (block.tag == CG_REC_TAG_BYTES) {
			if (out->data_blocks++ == 0)
				out->first_us = block.time_us;
			out->last_us = block.time_us;
		}
		p += block.size;
		out->end += block.size;
	}
	out->at = out->end;
	out->done = true;
}

void cg_rec_scan(const uint8_t *file, size_t size, struct cg_rec_scan *out)
{
	cg_rec_scan_begin(out, file, size < CG_REC_SCAN_HEAD ?
			  size : CG_REC_SCAN_HEAD, size);
	while (!out->done)
		cg_rec_scan_more(out, file + out->at, size - out->at);
}
