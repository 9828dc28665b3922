/*
 * recfile: the file format of --record, and the scan of a whole file image
 * that tells a recording, a torn one, a damaged one, a newer one and
 * anything else (a raw dump) apart.
 *
 * File format, version 1 (all integers little-endian):
 *
 *   magic   "CHARGERY-REC 1\n"  15 bytes, once, at the start
 *   block   tag      u8        'B' (0x42): bytes received from the BMS
 *           time_us  u64       wall clock at receipt, microseconds since
 *                              the Unix epoch (UTC)
 *           len      u16       number of data bytes (one read() chunk)
 *           data     len bytes exactly as received
 *           crc      u32       CRC-32 (IEEE 802.3, as zlib's crc32())
 *                              over tag, time_us, len and data
 *   block   ...
 *
 * 15 bytes of overhead per block; a BMS sends about 50 bytes a second, so
 * an hour is a few hundred kB. Blocks are only ever appended, each with one
 * write(2), and the file is fdatasync()ed at most once a second: a kill -9
 * loses nothing already written and a power cut at most the last second.
 * Readers treat only a last block that runs past the end of the file (its
 * header, or the length its header says, does not fit), or zeros from the
 * bad block to the end (a power cut before the data reached the disk; no
 * block is all zeros), as a torn tail: the
 * replay ends there, and the recorder cuts it off before appending. Any
 * other bad block (a CRC that fails, wherever it is) is damage: the replay
 * stops there and says so; the recorder refuses to append and leaves the
 * file as it is. Block times play no part in that decision (a Pi without a
 * clock records times near 1970). Blocks with a tag other than 'B' and a
 * good CRC are skipped, so later versions can add kinds of block without
 * breaking this reader.
 *
 * The scan is linear in the file size: it walks the blocks once, and the
 * look for a good block after damage (only to say where one is) is capped
 * at CG_REC_RESYNC_BUDGET bytes of CRC.
 *
 * Pure: no I/O, no allocation, no globals. The recorder (recorder.h) and
 * the replay reader (replay.h) do the I/O.
 */
#ifndef CG_RECFILE_H
#define CG_RECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CG_REC_MAGIC "CHARGERY-REC 1\n"
#define CG_REC_MAGIC_LEN 15
#define CG_REC_MAGIC_STEM "CHARGERY-REC " /* any version */
#define CG_REC_TAG_BYTES 'B'
#define CG_REC_HEADER_LEN 11 /* tag, time_us, len */
#define CG_REC_CRC_LEN 4
#define CG_REC_OVERHEAD (CG_REC_HEADER_LEN + CG_REC_CRC_LEN)
#define CG_REC_DATA_MAX 65535 /* what len can say */
#define CG_REC_WRITE_MAX 4096 /* the recorder splits bigger chunks */
#define CG_REC_BLOCK_MAX (CG_REC_OVERHEAD + CG_REC_DATA_MAX)
/* Bytes of CRC spent looking for good_after: keeps a hostile file linear. */
#define CG_REC_RESYNC_BUDGET (4u * 1024u * 1024u)

/* CRC-32 of len bytes, continuing from crc (pass 0 to start). */
uint32_t cg_crc32(uint32_t crc, const void *data, size_t len);

/* Encodes one block into out. Returns its size (CG_REC_OVERHEAD + len), or
 * 0 if len > CG_REC_DATA_MAX or cap is too small. */
size_t cg_rec_encode_block(uint8_t tag, uint64_t time_us, const uint8_t *data,
			   size_t len, uint8_t *out, size_t cap);

struct cg_rec_block {
	uint8_t tag;
	uint64_t time_us;
	uint16_t len;
	const uint8_t *data; /* points into the buffer given to decode */
	size_t size;         /* whole block: CG_REC_OVERHEAD + len */
};

enum cg_rec_decode_result {
	CG_REC_BLOCK_OK = 0,
	CG_REC_BLOCK_SHORT = -1,   /* the buffer ends inside the block */
	CG_REC_BLOCK_BAD_CRC = -2,
};

/* Decodes the block at the start of buf (avail bytes). */
enum cg_rec_decode_result cg_rec_decode_block(const uint8_t *buf, size_t avail,
					      struct cg_rec_block *out);

/* The same for a block whose CRC was checked already (a replay of a file
 * that has not changed since its scan at open): its header and length,
 * without the CRC again. Never CG_REC_BLOCK_BAD_CRC. */
enum cg_rec_decode_result cg_rec_decode_checked(const uint8_t *buf,
						size_t avail,
						struct cg_rec_block *out);

enum cg_rec_file_kind {
	CG_REC_FILE_EMPTY,        /* 0 bytes */
	CG_REC_FILE_RECORDING,    /* starts with CG_REC_MAGIC */
	CG_REC_FILE_TORN_MAGIC,   /* shorter than the magic and a prefix of
				   * it: a recording torn while created */
	CG_REC_FILE_NEWER,        /* a recording of a later format version */
	CG_REC_FILE_MANGLED,      /* the magic with its line end changed
				   * (CRLF): not a recording any more */
	CG_REC_FILE_OTHER, /* not a recording (e.g. a raw dump) */
};

/* What a whole recording holds. Offsets are from the start of the file. */
struct cg_rec_scan {
	enum cg_rec_file_kind kind;
	size_t end;         /* just after the last good block (or magic) */
	uint64_t blocks;    /* good blocks, of any tag */
	uint64_t data_blocks; /* good 'B' blocks */
	uint64_t first_us;  /* time of the first 'B' block, 0 if none */
	uint64_t last_us;   /* time of the last 'B' block, 0 if none */
	size_t ignored;     /* bytes after end: torn tail or after damage */
	bool damaged;       /* a bad block at end that is not a torn tail */
	size_t good_after;  /* when damaged: offset of the next good block
			     * found after it, 0 if none was found */
	/* The walk a buffer at a time (cg_rec_scan_more). */
	bool done;          /* the scan is complete */
	size_t at;          /* where the next buffer must start */
	size_t size;        /* of the whole file */
	bool zeros;         /* checking that only zeros follow end */
};

/* Classifies a file image and, for a recording, walks its blocks. */
void cg_rec_scan(const uint8_t *file, size_t size, struct cg_rec_scan *out);

/*
 * The same scan a buffer at a time, for a reader that never holds the whole
 * file (replay.h reads with pread() into one fixed buffer):
 *
 *   cg_rec_scan_begin(&scan, head, head_len, size);  head: the file's first
 *                                                     CG_REC_SCAN_HEAD bytes
 *                                                     (fewer if it is shorter)
 *   while (!scan.done)
 *       cg_rec_scan_more(&scan, buf, len);   buf: the file from scan.at on,
 *                                            len >= CG_REC_BLOCK_MAX bytes or
 *                                            up to the end of the file
 */
#define CG_REC_SCAN_HEAD 32
void cg_rec_scan_begin(struct cg_rec_scan *out, const uint8_t *head,
		       size_t head_len, size_t size);
void cg_rec_scan_more(struct cg_rec_scan *out, const uint8_t *buf, size_t len);

#endif
