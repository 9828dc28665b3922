/*
 * Unit tests for sanitize: nothing a terminal could obey gets through,
 * readable text does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sanitize.h"

static void expect(const char *in, const char *want)
{
	char out[128];

	assert_int_equal(cg_sanitize(out, sizeof(out), in), strlen(want));
	assert_string_equal(out, want);
	assert_true(cg_sanitize_clean(out));
}

static void test_plain_text_passes(void **state)
{
	(void)state;
	expect("minicom", "minicom");
	expect("Prolific Technology Inc.", "Prolific Technology Inc.");
	expect("Z\xc3\xbcrich \xe2\x96\x88 \xf0\x9f\x94\x8b", "Z\xc3\xbcrich \xe2\x96\x88 \xf0\x9f\x94\x8b");
	expect("", "");
	expect(NULL, "");
	assert_true(cg_sanitize_clean("/dev/ttyUSB0"));
}

static void test_escape_sequences_are_defused(void **state)
{
	(void)state;
	/* The process name of the issue: clear screen, set the title. */
	expect("\x1b[2J\x1b]0;PWN\a", "?[2J?]0;PWN?");
	assert_false(cg_sanitize_clean("\x1b[2J"));
	expect("a\rb\bc\x7f" "d\ne\tf", "a?b?c?d?e?f");
}

static void test_c1_and_broken_utf8_are_defused(void **state)
{
	(void)state;
	expect("\xc2\x9b" "31m", "??31m"); /* U+009B, CSI as UTF-8 */
	expect("\x9b" "31m", "?31m");      /* a lone 8-bit CSI */
	expect("\xc0\xaf", "??");          /* overlong '/' */
	expect("\xed\xa0\x80", "???");     /* a surrogate */
	expect("\xe2\x96", "??");          /* cut short at the end */
	expect("\xf5\x80\x80\x80", "????");
}

static void test_messages_keep_their_lines(void **state)
{
	char out[64];

	(void)state;
	cg_sanitize_message(out, sizeof(out), "one\ntwo\tthree\x1b[0m");
	assert_string_equal(out, "one\ntwo three?[0m");
}

static void test_cuts_at_a_character_boundary(void **state)
{
	char out[5];

	(void)state;
	/* "ab" and a 3-byte character do not fit in 4 bytes and a NUL. */
	assert_int_equal(cg_sanitize(out, sizeof(out), "ab\xe2\x96\x88"), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(cg_sanitize(out, sizeof(out), "abcdefg"), 4);
	assert_string_equal(out, "abcd");
	assert_int_equal(cg_sanitize(out, 1, "abc"), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_passes),
		cmocka_unit_test(test_escape_sequences_are_defused),
		cmocka_unit_test(test_c1_and_broken_utf8_are_defused),
		cmocka_unit_test(test_messages_keep_their_lines),
		cmocka_unit_test(test_cuts_at_a_character_boundary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
