/*
 * recfile: CRC-32, blocks and the scan of a file image.
 *
 * A reader calls a bad block a torn tail only when it runs past the end of
 * the file: that is all a crash in the middle of one write(2) can leave.
 * Anything else is damage, so nothing after it is ever cut.
 */
#include "recfile.h"

#include <string.h>

/* Reflected CRC-32 (polynomial 0xEDB88320, as zlib's) a byte at a time.
 * Replays spend most of their time here: one lookup per byte rather than
 * two halves the cost, and 1 KiB of table is nothing. */
static const uint32_t crc_table[256] = {
	0x00000000, 0x77073096, 0xee0e612c, 0x990951ba,
	0x076dc419, 0x706af48f, 0xe963a535, 0x9e6495a3,
	0x0edb8832, 0x79dcb8a4, 0xe0d5e91e, 0x97d2d988,
	0x09b64c2b, 0x7eb17cbd, 0xe7b82d07, 0x90bf1d91,
	0x1db71064, 0x6ab020f2, 0xf3b97148, 0x84be41de,
	0x1adad47d, 0x6ddde4eb, 0xf4d4b551, 0x83d385c7,
	0x136c9856, 0x646ba8c0, 0xfd62f97a, 0x8a65c9ec,
	0x14015c4f, 0x63066cd9, 0xfa0f3d63, 0x8d080df5,
	0x3b6e20c8, 0x4c69105e, 0xd56041e4, 0xa2677172,
	0x3c03e4d1, 0x4b04d447, 0xd20d85fd, 0xa50ab56b,
	0x35b5a8fa, 0x42b2986c, 0xdbbbc9d6, 0xacbcf940,
	0x32d86ce3, 0x45df5c75, 0xdcd60dcf, 0xabd13d59,
	0x26d930ac, 0x51de003a, 0xc8d75180, 0xbfd06116,
	0x21b4f4b5, 0x56b3c423, 0xcfba9599, 0xb8bda50f,
	0x2802b89e, 0x5f058808, 0xc60cd9b2, 0xb10be924,
	0x2f6f7c87, 0x58684c11, 0xc1611dab, 0xb6662d3d,
	0x76dc4190, 0x01db7106, 0x98d220bc, 0xefd5102a,
	0x71b18589, 0x06b6b51f, 0x9fbfe4a5, 0xe8b8d433,
	0x7807c9a2, 0x0f00f934, 0x9609a88e, 0xe10e9818,
	0x7f6a0dbb, 0x086d3d2d, 0x91646c97, 0xe6635c01,
	0x6b6b51f4, 0x1c6c6162, 0x856530d8, 0xf262004e,
	0x6c0695ed, 0x1b01a57b, 0x8208f4c1, 0xf50fc457,
	0x65b0d9c6, 0x12b7e950, 0x8bbeb8ea, 0xfcb9887c,
	0x62dd1ddf, 0x15da2d49, 0x8cd37cf3, 0xfbd44c65,
	0x4db26158, 0x3ab551ce, 0xa3bc0074, 0xd4bb30e2,
	0x4adfa541, 0x3dd895d7, 0xa4d1c46d, 0xd3d6f4fb,
	0x4369e96a, 0x346ed9fc, 0xad678846, 0xda60b8d0,
	0x44042d73, 0x33031de5, 0xaa0a4c5f, 0xdd0d7cc9,
	0x5005713c, 0x270241aa, 0xbe0b1010, 0xc90c2086,
	0x5768b525, 0x206f85b3, 0xb966d409, 0xce61e49f,
	0x5edef90e, 0x29d9c998, 0xb0d09822, 0xc7d7a8b4,
	0x59b33d17, 0x2eb40d81, 0xb7bd5c3b, 0xc0ba6cad,
	0xedb88320, 0x9abfb3b6, 0x03b6e20c, 0x74b1d29a,
	0xead54739, 0x9dd277af, 0x04db2615, 0x73dc1683,
	0xe3630b12, 0x94643b84, 0x0d6d6a3e, 0x7a6a5aa8,
	0xe40ecf0b, 0x9309ff9d, 0x0a00ae27, 0x7d079eb1,
	0xf00f9344, 0x8708a3d2, 0x1e01f268, 0x6906c2fe,
	0xf762575d, 0x806567cb, 0x196c3671, 0x6e6b06e7,
	0xfed41b76, 0x89d32be0, 0x10da7a5a, 0x67dd4acc,
	0xf9b9df6f, 0x8ebeeff9, 0x17b7be43, 0x60b08ed5,
	0xd6d6a3e8, 0xa1d1937e, 0x38d8c2c4, 0x4fdff252,
	0xd1bb67f1, 0xa6bc5767, 0x3fb506dd, 0x48b2364b,
	0xd80d2bda, 0xaf0a1b4c, 0x36034af6, 0x41047a60,
	0xdf60efc3, 0xa867df55, 0x316e8eef, 0x4669be79,
	0xcb61b38c, 0xbc66831a, 0x256fd2a0, 0x5268e236,
	0xcc0c7795, 0xbb0b4703, 0x220216b9, 0x5505262f,
	0xc5ba3bbe, 0xb2bd0b28, 0x2bb45a92, 0x5cb36a04,
	0xc2d7ffa7, 0xb5d0cf31, 0x2cd99e8b, 0x5bdeae1d,
	0x9b64c2b0, 0xec63f226, 0x756aa39c, 0x026d930a,
	0x9c0906a9, 0xeb0e363f, 0x72076785, 0x05005713,
	0x95bf4a82, 0xe2b87a14, 0x7bb12bae, 0x0cb61b38,
	0x92d28e9b, 0xe5d5be0d, 0x7cdcefb7, 0x0bdbdf21,
	0x86d3d2d4, 0xf1d4e242, 0x68ddb3f8, 0x1fda836e,
	0x81be16cd, 0xf6b9265b, 0x6fb077e1, 0x18b74777,
	0x88085ae6, 0xff0f6a70, 0x66063bca, 0x11010b5c,
	0x8f659eff, 0xf862ae69, 0x616bffd3, 0x166ccf45,
	0xa00ae278, 0xd70dd2ee, 0x4e048354, 0x3903b3c2,
	0xa7672661, 0xd06016f7, 0x4969474d, 0x3e6e77db,
	0xaed16a4a, 0xd9d65adc, 0x40df0b66, 0x37d83bf0,
	0xa9bcae53, 0xdebb9ec5, 0x47b2cf7f, 0x30b5ffe9,
	0xbdbdf21c, 0xcabac28a, 0x53b39330, 0x24b4a3a6,
	0xbad03605, 0xcdd70693, 0x54de5729, 0x23d967bf,
	0xb3667a2e, 0xc4614ab8, 0x5d681b02, 0x2a6f2b94,
	0xb40bbe37, 0xc30c8ea1, 0x5a05df1b, 0x2d02ef8d,
};

uint32_t cg_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc = (crc >> 8) ^ crc_table[(crc ^ p[i]) & 0xff];
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
