/*
 * Unit tests for braille: known dots give known code points, the UTF-8
 * and ASCII texts, and min/max columns as strokes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "braille.h"

static struct cg_braille canvas;

static void test_each_dot(void **state)
{
	/* Dot (x, y) in the first cell and its braille dot number's bit. */
	static const struct { unsigned x, y; uint32_t cp; } dots[] = {
		{ 0, 0, 0x2801 }, { 0, 1, 0x2802 }, { 0, 2, 0x2804 },
		{ 1, 0, 0x2808 }, { 1, 1, 0x2810 }, { 1, 2, 0x2820 },
		{ 0, 3, 0x2840 }, { 1, 3, 0x2880 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(dots) / sizeof(dots[0]); i++) {
		cg_braille_init(&canvas, 3, 2);
		cg_braille_dot(&canvas, dots[i].x, dots[i].y);
		assert_int_equal(cg_braille_codepoint(&canvas, 0, 0), dots[i].cp);
		assert_int_equal(cg_braille_codepoint(&canvas, 1, 0), 0x2800);
	}
	/* The same dot one cell right and one down. */
	cg_braille_init(&canvas, 3, 2);
	cg_braille_dot(&canvas, 3, 6);
	assert_int_equal(cg_braille_codepoint(&canvas, 1, 1), 0x2820);
	assert_int_equal(cg_braille_codepoint(&canvas, 0, 0), 0x2800);
	/* Outside: ignored, no crash. */
	cg_braille_dot(&canvas, 6, 0);
	cg_braille_dot(&canvas, 0, 8);
	for (unsigned y = 0; y < 2; y++)
		for (unsigned x = 0; x < 3; x++)
			assert_int_equal(cg_braille_codepoint(&canvas, x, y),
					 x == 1 && y == 1 ? 0x2820 : 0x2800);
}

static void test_text(void **state)
{
	char out[64];
	(void)state;

	cg_braille_init(&canvas, 3, 1);
	cg_braille_vline(&canvas, 0, 3, 0);     /* full left column: 1 2 3 7 */
	for (unsigned y = 0; y < 4; y++) {      /* all eight */
		cg_braille_dot(&canvas, 2, y);
		cg_braille_dot(&canvas, 3, y);
	}
	cg_braille_dot(&canvas, 5, 3);          /* bottom right: dot 8 */
	assert_int_equal(cg_braille_codepoint(&canvas, 0, 0), 0x2847);
	assert_int_equal(cg_braille_codepoint(&canvas, 1, 0), 0x28FF);
	assert_int_equal(cg_braille_text(&canvas, 0, false, out, sizeof(out)), 9);
	assert_memory_equal(out, "\xe2\xa1\x87\xe2\xa3\xbf\xe2\xa2\x80", 10);
	assert_int_equal(cg_braille_text(&canvas, 0, true, out, sizeof(out)), 3);
	assert_string_equal(out, "||.");
	/* Too small: nothing half written. */
	assert_int_equal(cg_braille_text(&canvas, 0, false, out, 9), 0);
	assert_string_equal(out, "");
}

static void test_ascii_classes(void **state)
{
	(void)state;
	cg_braille_init(&canvas, 5, 1);
	cg_braille_dot(&canvas, 0, 2);          /* bottom half only */
	cg_braille_dot(&canvas, 3, 1);          /* top half only */
	cg_braille_dot(&canvas, 4, 1);          /* both halves, not full */
	cg_braille_dot(&canvas, 5, 2);
	cg_braille_vline(&canvas, 7, 0, 3);     /* full */
	assert_int_equal(cg_braille_ascii(&canvas, 0, 0), '.');
	assert_int_equal(cg_braille_ascii(&canvas, 1, 0), '\'');
	assert_int_equal(cg_braille_ascii(&canvas, 2, 0), ':');
	assert_int_equal(cg_braille_ascii(&canvas, 3, 0), '|');
	assert_int_equal(cg_braille_ascii(&canvas, 4, 0), ' ');
}

static void test_columns(void **state)
{
	struct cg_hist_column cols[6] = {
		{ .have = true, .min = 0, .max = 0 },     /* bottom row */
		{ .have = true, .min = 70, .max = 70 },   /* top row */
		{ .have = false },
		{ .have = true, .min = 0, .max = 70 },    /* full height */
		{ .have = true, .min = 30, .max = 40 },   /* the middle */
		{ .have = true, .min = -50, .max = 999 }, /* clamped */
	};
	(void)state;
	/* 3 cells x 2 rows: 8 dot rows, 10 units per row from 0 to 70. */
	cg_braille_init(&canvas, 3, 2);
	assert_int_equal(cg_braille_row(&canvas, 70, 0, 70), 0);
	assert_int_equal(cg_braille_row(&canvas, 0, 0, 70), 7);
	assert_int_equal(cg_braille_row(&canvas, 40, 0, 70), 3);
	assert_int_equal(cg_braille_row(&canvas, 30, 0, 70), 4);
	cg_braille_columns(&canvas, cols, 6, 0, 70);
	/* cell (0,0): col 1 top dot (x1,y0) -> dot 4 */
	assert_int_equal(cg_braille_codepoint(&canvas, 0, 0), 0x2808);
	/* cell (0,1): col 0 bottom dot (x0,y7) -> dot 7 */
	assert_int_equal(cg_braille_codepoint(&canvas, 0, 1), 0x2840);
	/* cell (1,*): col 2 empty, col 3 full: dots 4 5 6 8 in both */
	assert_int_equal(cg_braille_codepoint(&canvas, 1, 0), 0x28B8);
	assert_int_equal(cg_braille_codepoint(&canvas, 1, 1), 0x28B8);
	/* cell (2,*): col 4 rows 3..4 (dots 7 and 1), col 5 every row */
	assert_int_equal(cg_braille_codepoint(&canvas, 2, 0), 0x2840 | 0xB8);
	assert_int_equal(cg_braille_codepoint(&canvas, 2, 1), 0x2801 | 0xB8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_dot),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_ascii_classes),
		cmocka_unit_test(test_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
