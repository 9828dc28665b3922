/*
 * Unit tests for ports: the --list table shows what USB devices say about
 * themselves, with anything a terminal would obey defused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ports.h"

static void test_list_defuses_device_strings(void **state)
{
	struct cg_port_info port = {
		.path = "/dev/ttyUSB0",
		.by_id = "/dev/serial/by-id/usb-\x1b[31mX-if00",
		.usb = true, .vid = 0x067b, .pid = 0x2303,
		.manufacturer = "Evil\x1b]0;PWN\a",
		.product = "Z\xc3\xbcrich\x9b" "2J",
		.serial = "\x1b[2J",
	};
	char out[1024];
	FILE *to = fmemopen(out, sizeof(out), "w");

	(void)state;
	assert_non_null(to);
	cg_ports_print(to, &port, 1);
	fclose(to);
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\a'));
	assert_null(strchr(out, '\x9b'));
	assert_non_null(strstr(out, "067b:2303"));
	assert_non_null(strstr(out, "usb-?[31mX-if00"));
	assert_non_null(strstr(out, "Evil?]0;PWN?"));
	assert_non_null(strstr(out, "Z\xc3\xbcrich?2J"));
	assert_non_null(strstr(out, "?[2J\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_defuses_device_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
