/*
 * Unit tests for packname: the labels of several packs and the per-pack
 * output file names made from a %n pattern.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "packname.h"

static void test_valid_names(void **state)
{
	(void)state;
	assert_true(cg_packname_valid("bank1"));
	assert_true(cg_packname_valid("Shed_B.2-left"));
	assert_false(cg_packname_valid(""));
	assert_false(cg_packname_valid("-x"));
	assert_false(cg_packname_valid(".hidden"));
	assert_false(cg_packname_valid("a/b"));
	assert_false(cg_packname_valid("a b"));
	assert_false(cg_packname_valid("\"q\""));
	assert_false(cg_packname_valid("abcdefghijabcdefghijabcdefghijabc")); /* 33 */
	assert_true(cg_packname_valid("abcdefghijabcdefghijabcdefghijab"));   /* 32 */
}

static void test_split(void **state)
{
	char name[CG_PACKNAME_MAX];

	(void)state;
	assert_string_equal(cg_packname_split("bank1=/dev/ttyUSB0", name),
			    "/dev/ttyUSB0");
	assert_string_equal(name, "bank1");
	assert_string_equal(cg_packname_split("/dev/ttyUSB0", name),
			    "/dev/ttyUSB0");
	assert_string_equal(name, "");
	/* A URL with '=' in it is no name. */
	assert_string_equal(cg_packname_split("ws://h:1/x?a=b", name),
			    "ws://h:1/x?a=b");
	assert_string_equal(name, "");
	assert_string_equal(cg_packname_split("b2=tcp://h:4001", name),
			    "tcp://h:4001");
	assert_string_equal(name, "b2");
	/* Nothing after '=', or nothing before it: a path. */
	assert_string_equal(cg_packname_split("odd=", name), "odd=");
	assert_string_equal(name, "");
	assert_string_equal(cg_packname_split("=x", name), "=x");
	assert_string_equal(name, "");
}

static void test_defaults(void **state)
{
	char out[CG_PACKNAME_MAX];

	(void)state;
	cg_packname_default("/dev/ttyUSB0",
		"/dev/serial/by-id/usb-FTDI_FT232R_A50285BI-if00-port0", out);
	assert_string_equal(out, "FTDI_FT232R_A50285BI");
	cg_packname_default("/dev/ttyUSB3", NULL, out);
	assert_string_equal(out, "ttyUSB3");
	cg_packname_default("tcp://bms-bridge:4001", NULL, out);
	assert_string_equal(out, "bms-bridge");
	cg_packname_default("ws://192.168.0.7:6432/", NULL, out);
	assert_string_equal(out, "192.168.0.7");
	cg_packname_default("tcp://[fd00::7]:4001", NULL, out);
	assert_string_equal(out, "fd00__7");
	cg_packname_default("/var/log/shed east.rec", NULL, out);
	assert_string_equal(out, "shed_east.rec");
	cg_packname_default("-", NULL, out);
	assert_string_equal(out, "stdin");
	cg_packname_default("/", NULL, out);
	assert_true(cg_packname_valid(out));
	cg_packname_default("", NULL, out);
	assert_string_equal(out, "pack");
	cg_packname_default("/x/abcdefghijabcdefghijabcdefghijabcdefghij", NULL,
			    out);
	assert_int_equal(strlen(out), CG_PACKNAME_MAX - 1);
}

static void test_unique(void **state)
{
	char l[5][CG_PACKNAME_MAX] = { "a", "b", "a", "a", "b" };
	char full[2][CG_PACKNAME_MAX] = { "abcdefghijabcdefghijabcdefghijab",
					  "abcdefghijabcdefghijabcdefghijab" };

	(void)state;
	cg_packname_unique(l, 5);
	assert_string_equal(l[0], "a");
	assert_string_equal(l[1], "b");
	assert_string_equal(l[2], "a-2");
	assert_string_equal(l[3], "a-3");
	assert_string_equal(l[4], "b-2");
	cg_packname_unique(full, 2);
	assert_string_not_equal(full[0], full[1]);
	assert_true(cg_packname_valid(full[1]));
	assert_string_equal(full[1] + strlen(full[1]) - 2, "-2");
}

static void test_patterns(void **state)
{
	char out[64];

	(void)state;
	assert_true(cg_packname_is_pattern("pack-%n.csv"));
	assert_false(cg_packname_is_pattern("pack.csv"));
	assert_false(cg_packname_is_pattern("100%%n.csv")); /* %% then n */
	assert_int_equal(cg_packname_expand("log/%n.csv", "bank1", out,
					    sizeof(out)), 0);
	assert_string_equal(out, "log/bank1.csv");
	assert_int_equal(cg_packname_expand("%n-%n 5%%", "b", out,
					    sizeof(out)), 0);
	assert_string_equal(out, "b-b 5%");
	assert_int_equal(cg_packname_expand("plain.csv", "b", out,
					    sizeof(out)), 0);
	assert_string_equal(out, "plain.csv");
	assert_int_equal(cg_packname_expand("%n.csv", "bank1", out, 9), -1);
	assert_int_equal(cg_packname_expand("%n.csv", "bank1", out, 10), 0);
	assert_string_equal(out, "bank1.csv");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_names),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_unique),
		cmocka_unit_test(test_patterns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
