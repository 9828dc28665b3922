/*
 * libFuzzer over the recording reader: the scan of a file image (recfile),
 * the replay of a file (replay) and the recorder's adoption of an existing
 * file (recorder). Invariants, besides "no crash, no read out of bounds"
 * (the input is copied into a buffer of exactly its size, so ASan sees any
 * read past it):
 *   - the scan's end and ignored bytes add up to the file, and its blocks
 *     are exactly those a plain walk from the magic decodes;
 *   - a replay hands out exactly the scan's data blocks, each inside the file;
 *   - a file the recorder refuses is byte-identical afterwards;
 *   - a file the recorder adopts keeps every good block: only a torn tail
 *     (a block past the end, or zeros) is cut.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"

static char path[64];

static void die(const char *what)
{
	fprintf(stderr, "fuzz_recfile: invariant broken: %s\n", what);
	abort();
}

/* Blocks a plain walk decodes from the magic on: their end. */
static size_t walk(const uint8_t *file, size_t size, uint64_t *blocks,
		   uint64_t *data_blocks)
{
	struct cg_rec_block block;
	size_t pos = CG_REC_MAGIC_LEN;

	*blocks = *data_blocks = 0;
	while (pos < size && cg_rec_decode_block(file + pos, size - pos,
						 &block) == CG_REC_BLOCK_OK) {
		(*blocks)++;
		*data_blocks += block.tag == CG_REC_TAG_BYTES;
		pos += block.size;
	}
	return pos;
}

static void check_scan(const uint8_t *file, size_t size,
		       struct cg_rec_scan *scan)
{
	cg_rec_scan(file, size, scan);
	if (scan->kind != CG_REC_FILE_RECORDING)
		return;
	uint64_t blocks, data_blocks;
	size_t end = walk(file, size, &blocks, &data_blocks);
	if (scan->end != end || scan->blocks != blocks ||
	    scan->data_blocks != data_blocks)
		die("the scan disagrees with a plain walk");
	if (scan->end + scan->ignored != size)
		die("end + ignored is not the file size");
	if (scan->damaged && scan->ignored == 0)
		die("damaged with nothing after the end");
	if (scan->good_after && (scan->good_after <= scan->end ||
				 scan->good_after >= size))
		die("good_after outside the damaged part");
}

static size_t read_back(uint8_t *out, size_t cap)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot read the file back");
	size_t n = fread(out, 1, cap, f);
	fclose(f);
	return n;
}

static void write_image(const uint8_t *file, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(file, 1, size, f) != size || fclose(f) != 0)
		die("cannot write the file");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cg_rec_scan scan;
	struct cg_error err;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz-recfile-%ld.rec",
			 (long)getpid());
	uint8_t *file = malloc(size ? size : 1);
	uint8_t *back = malloc(size + CG_REC_MAGIC_LEN + 1);
	if (!file || !back)
		return 0;
	memcpy(file, data, size);
	check_scan(file, size, &scan);

	/* Replay: exactly the data blocks, each inside the file. */
	write_image(file, size);
	struct cg_replay replay;
	if (cg_replay_open(&replay, path, &err) == 0) {
		struct cg_replay_chunk chunk;
		uint64_t n = 0, bytes = 0;
		while (cg_replay_next(&replay, &chunk) == 1) {
			if (chunk.len &&
			    (chunk.data < replay.buf ||
			     chunk.data + chunk.len >
				     replay.buf + sizeof(replay.buf)))
				die("a chunk outside the replay's buffer");
			n++;
			bytes += chunk.len;
		}
		if (replay.kind == CG_REPLAY_RECORDING &&
		    n != scan.data_blocks)
			die("the replay did not hand out every data block");
		if (replay.kind == CG_REPLAY_RAW && bytes != size)
			die("a raw replay did not hand out every byte");
		cg_replay_close(&replay);
	}

	/* Recorder: refused means untouched; adopted keeps every good block. */
	struct cg_recorder rec;
	if (cg_recorder_open(&rec, path, 0, &err) < 0) {
		if (read_back(back, size + 1) != size ||
		    memcmp(back, file, size) != 0)
			die("a refused file was changed");
	} else {
		size_t now = read_back(back, size + CG_REC_MAGIC_LEN + 1);
		cg_recorder_close(&rec, &err);
		if (size == 0) {
			if (now != CG_REC_MAGIC_LEN)
				die("an empty file did not become a recording");
		} else {
			if (scan.kind != CG_REC_FILE_RECORDING || scan.damaged)
				die("adopted a file that is not a clean recording");
			if (now != scan.end || memcmp(back, file, now) != 0)
				die("adoption changed more than the torn tail");
		}
	}
	unlink(path);
	free(file);
	free(back);
	return 0;
}
