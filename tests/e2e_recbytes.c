/*
 * e2e_recbytes: writes the bytes a recording (--record format) holds, the
 * data of its 'B' blocks one after the other, to standard output: what
 * the port handed chargery-top, for the end-to-end tests to compare with
 * what was sent (tests/e2e_rawlink.sh, tests/e2e_vusb.sh).
 *
 *   e2e_recbytes FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recfile.h"

int main(int argc, char **argv)
{
	static uint8_t file[1 << 22];
	struct cg_rec_block block;
	size_t size, at = CG_REC_MAGIC_LEN;
	FILE *in;

	if (argc != 2) {
		fprintf(stderr, "usage: e2e_recbytes FILE\n");
		return 64;
	}
	in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 66;
	}
	size = fread(file, 1, sizeof(file), in);
	fclose(in);
	if (size < CG_REC_MAGIC_LEN ||
	    memcmp(file, CG_REC_MAGIC_STEM, strlen(CG_REC_MAGIC_STEM)) != 0) {
		fprintf(stderr, "%s is not a recording\n", argv[1]);
		return 65;
	}
	/* A torn or damaged block ends it: what came before is still news. */
	while (at < size &&
	       cg_rec_decode_block(file + at, size - at, &block) ==
		       CG_REC_BLOCK_OK) {
		if (block.tag == CG_REC_TAG_BYTES &&
		    fwrite(block.data, 1, block.len, stdout) != block.len)
			return 74;
		at += block.size;
	}
	return fflush(stdout) == 0 ? 0 : 74;
}
