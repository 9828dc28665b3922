/*
 * Real captures (../shared/real, read where they lie, never copied): every
 * checksum-valid, plausible frame in them comes through the framer and the
 * decoder, none is dropped, and the cut-short frames and the one checksum
 * collision stay rejected.
 *
 * What "every frame" is comes from a brute-force scan that shares nothing
 * with the framer: each offset holding 24 24 cmd len with a right sum, a
 * length allowed for cmd and a record the decoder accepts on its own. The
 * counts per file are also written out, from the captures' README and a
 * reading of their bytes, so a scan that found nothing cannot pass.
 *
 * CG_REAL_DIR overrides the folder. Without it the tests are skipped, in
 * cmocka's summary, not passed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decoder.h"
#include "framer.h"

#define FILE_MAX 65536
#define OFFSETS_MAX 256

static const struct real_file {
	const char *name;
	unsigned status13, status15, status19;
	unsigned cells22, cells38, cells45, cells54, cells61;
	unsigned impedance;
	unsigned refused; /* checksum right, values not: the collision */
	unsigned min_bad_checksum; /* cut-short frames */
} real_files[] = {
	{ "wolfgangr-chargery2PERL-test2.raw", 33, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	  1 },
	{ "diysolarforum-3469-post297466-od.raw", 0, 7, 0, 2, 0, 0, 0, 0, 0, 0,
	  2 },
	{ "barkinspider-solarshed-getChargeryData-comment.raw", 0, 1, 0, 1, 0,
	  0, 0, 0, 0, 0, 0 },
	{ "chargery-pdf-v1.22-stream.raw", 0, 28, 0, 0, 8, 0, 0, 0, 0, 0, 0 },
	{ "chargery-pdf-v1.25-v1.26-example.raw", 0, 4, 0, 0, 0, 1, 0, 0, 1,
	  0, 0 },
	{ "chargery-pdf-v1.26-24t-frame.raw", 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
	  0 },
};

static const char *real_dir(void)
{
	const char *dir = getenv("CG_REAL_DIR");

	return dir && *dir ? dir : "../shared/real";
}

/* Reads dir/name; false when the folder or file is not there. */
static bool read_real(const char *name, uint8_t *buf, size_t *len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", real_dir(), name);
	f = fopen(path, "rb");
	if (!f)
		return false;
	*len = fread(buf, 1, FILE_MAX, f);
	assert_true(feof(f));
	fclose(f);
	return true;
}

struct tally {
	size_t offsets[OFFSETS_MAX];
	size_t n;
	unsigned by_cmd_len[3][CG_FRAME_MAX];
	unsigned refused;
};

static void count(struct tally *t, size_t at, const struct cg_frame *frame)
{
	assert_true(t->n < OFFSETS_MAX);
	t->offsets[t->n++] = at;
	t->by_cmd_len[frame->bytes[2] - CG_CMD_CELLS][frame->len]++;
}

/* The independent scan: every offset where a whole, good frame sits. */
static void scan(const uint8_t *b, size_t len, struct tally *t)
{
	for (size_t i = 0; i + 4 < len; i++) {
		struct cg_frame frame;
		struct cg_record rec;
		uint8_t l = b[i + 3];

		if (b[i] != 0x24 || b[i + 1] != 0x24 || l < 5 ||
		    l > CG_FRAME_MAX || i + l > len ||
		    !cg_frame_length_allowed(b[i + 2], l))
			continue;
		frame.len = l;
		memcpy(frame.bytes, b + i, l);
		if (cg_checksum(b + i, l - 1u) != b[i + l - 1])
			continue;
		if (cg_decode(&frame, &rec) == CG_DECODE_OK)
			count(t, i, &frame);
		else
			t->refused++;
	}
}

/* The receive path as chargery-top runs it, fed in chunks of step. */
static void receive(const uint8_t *b, size_t len, size_t step,
		    struct tally *t, struct cg_framer *framer)
{
	cg_framer_init(framer);
	for (size_t off = 0; off < len; off += step) {
		const uint8_t *p = b + off;
		size_t left = len - off < step ? len - off : step;
		struct cg_frame frame;
		struct cg_record rec;

		while (cg_framer_next(framer, &p, &left, &frame)) {
			size_t end = (size_t)(p - b) -
				     cg_framer_rescan_pending(framer);

			if (cg_decode(&frame, &rec) != CG_DECODE_OK) {
				t->refused++;
				cg_framer_reject(framer, &frame);
				continue;
			}
			count(t, end - frame.len, &frame);
		}
	}
}

static void check_file(const struct real_file *rf, const uint8_t *b,
		       size_t len)
{
	static const size_t steps[] = { 1, 7, 64, FILE_MAX };
	struct tally want = { 0 };

	scan(b, len, &want);
	assert_int_equal(want.by_cmd_len[1][13], rf->status13);
	assert_int_equal(want.by_cmd_len[1][15], rf->status15);
	assert_int_equal(want.by_cmd_len[1][19], rf->status19);
	assert_int_equal(want.by_cmd_len[0][22], rf->cells22);
	assert_int_equal(want.by_cmd_len[0][38], rf->cells38);
	assert_int_equal(want.by_cmd_len[0][45], rf->cells45);
	assert_int_equal(want.by_cmd_len[0][54], rf->cells54);
	assert_int_equal(want.by_cmd_len[0][61], rf->cells61);
	unsigned imp = 0;
	for (unsigned l = 0; l < CG_FRAME_MAX; l++)
		imp += want.by_cmd_len[2][l];
	assert_int_equal(imp, rf->impedance);
	assert_int_equal(want.refused, rf->refused);

	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		struct tally got = { 0 };
		struct cg_framer framer;

		receive(b, len, steps[s], &got, &framer);
		if (got.n != want.n)
			fail_msg("%s in chunks of %zu: %zu frames, want %zu",
				 rf->name, steps[s], got.n, want.n);
		for (size_t i = 0; i < want.n; i++)
			assert_int_equal(got.offsets[i], want.offsets[i]);
		assert_int_equal(got.refused, rf->refused);
		assert_true(framer.stats.bad_checksum >= rf->min_bad_checksum);
		assert_int_equal(framer.stats.frames, want.n);
	}
}

static void test_real_captures(void **state)
{
	static uint8_t buf[FILE_MAX];
	unsigned found = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(real_files) / sizeof(real_files[0]);
	     i++) {
		size_t len;

		if (!read_real(real_files[i].name, buf, &len))
			continue;
		print_message("%s: %zu bytes\n", real_files[i].name, len);
		found++;
		check_file(&real_files[i], buf, len);
	}
	if (!found) {
		print_message("no real captures in %s: skipped\n", real_dir());
		skip();
	}
	assert_int_equal(found, sizeof(real_files) / sizeof(real_files[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
