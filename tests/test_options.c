/*
 * Unit tests for options: command lines that make no sense are refused
 * with EX_USAGE and a message naming the bad value and what would do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>
#include <getopt.h>

#include "options.h"

static char said[4096]; /* what the last parse wrote on stderr */

/* Parses the NULL-terminated words after the program name. */
static int parse(struct cg_options *opt, ...)
{
	char *argv[32] = { "chargery-top" };
	int argc = 1;
	va_list ap;
	FILE *capture = tmpfile();
	int saved = dup(STDERR_FILENO);

	va_start(ap, opt);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	assert_non_null(capture);
	fflush(stderr);
	dup2(fileno(capture), STDERR_FILENO);
	memset(opt, 0, sizeof(*opt));
	optind = 0; /* getopt starts afresh */
	int rc = cg_options_parse(argc, argv, opt);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(capture);
	size_t n = fread(said, 1, sizeof(said) - 1, capture);
	said[n] = '\0';
	fclose(capture);
	return rc;
}

static void test_good_lines_go_on(void **state)
{
	struct cg_options opt;

	(void)state;
	assert_int_equal(parse(&opt, "--alarm-low", "2.9", "--alarm-high",
			       "3.6", "/dev/ttyUSB0", NULL), -1);
	assert_int_equal(opt.alarm.low_mv, 2900);
	assert_int_equal(opt.alarm.high_mv, 3600);
	assert_int_equal(parse(&opt, "--headless", "--log", "x.csv", NULL), -1);
	assert_int_equal(parse(&opt, "--list", NULL), -1);
	assert_true(opt.list);
	assert_string_equal(said, "");
}

static void test_alarm_low_above_high_is_refused(void **state)
{
	struct cg_options opt;

	(void)state;
	assert_int_equal(parse(&opt, "--alarm-low", "3.7", "--alarm-high",
			       "3.6", NULL), EX_USAGE);
	assert_non_null(strstr(said, "--alarm-low 3.700 V is not below "
			       "--alarm-high 3.600 V"));
	assert_int_equal(parse(&opt, "--alarm-high", "3.5", "--alarm-low",
			       "3.5", NULL), EX_USAGE);
}

static void test_alarm_range_and_value_are_said(void **state)
{
	struct cg_options opt;

	(void)state;
	assert_int_equal(parse(&opt, "--alarm-high", "9", NULL), EX_USAGE);
	assert_non_null(strstr(said, "--alarm-high needs a cell voltage "
			       "from 0.5 to 5 V, not '9'"));
	assert_int_equal(parse(&opt, "--alarm-low", "x", NULL), EX_USAGE);
	assert_non_null(strstr(said, "--alarm-low needs a cell voltage "
			       "from 0.5 to 5 V, not 'x'"));
}

static void test_headless_needs_an_output(void **state)
{
	struct cg_options opt;

	(void)state;
	assert_int_equal(parse(&opt, "--headless", "/dev/ttyUSB0", NULL),
			 EX_USAGE);
	assert_non_null(strstr(said, "--headless"));
	assert_non_null(strstr(said, "--log FILE.csv"));
}

static void test_list_takes_no_port(void **state)
{
	struct cg_options opt;

	(void)state;
	assert_int_equal(parse(&opt, "--list", "extra", NULL), EX_USAGE);
	assert_non_null(strstr(said, "'extra'"));
}

static void test_help_names_every_exit_code(void **state)
{
	char text[8192];
	FILE *to = fmemopen(text, sizeof(text), "w");
	static const char *const codes[] = {
		"64", "65", "66", "69", "70", "71", "73", "74", "75", "77",
		"128+N",
	};

	(void)state;
	assert_non_null(to);
	cg_options_usage(to);
	fclose(to);
	const char *exit_codes = strstr(text, "Exit codes:");
	assert_non_null(exit_codes);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char word[16];
		snprintf(word, sizeof(word), " %s ", codes[i]);
		if (!strstr(exit_codes, word))
			fail_msg("--help does not explain exit code %s",
				 codes[i]);
	}
}

static void test_several_packs(void **state)
{
	struct cg_options opt;

	(void)state;
	/* Ports, named or not, and replays, in that order. */
	assert_int_equal(parse(&opt, "--replay", "west=w.rec", "bank1=/dev/ttyUSB0",
			       "tcp://h:4001", "--log", "log-%n.csv", NULL), -1);
	assert_int_equal(opt.nsources, 3);
	assert_string_equal(opt.sources[0].path, "w.rec");
	assert_string_equal(opt.sources[0].name, "west");
	assert_true(opt.sources[0].replay);
	assert_string_equal(opt.sources[1].path, "/dev/ttyUSB0");
	assert_string_equal(opt.sources[1].name, "bank1");
	assert_false(opt.sources[1].replay);
	assert_string_equal(opt.sources[2].name, "");
	assert_null(opt.port);        /* several: no one port */
	assert_null(opt.replay_path);

	/* One source: port or replay_path as before. */
	assert_int_equal(parse(&opt, "/dev/ttyUSB0", NULL), -1);
	assert_string_equal(opt.port, "/dev/ttyUSB0");
	assert_int_equal(parse(&opt, "--replay", "a.rec", NULL), -1);
	assert_string_equal(opt.replay_path, "a.rec");
	assert_null(opt.port);

	/* Several packs need %n in every output path. */
	const char *outputs[] = { "--log", "--record", "--events", "--plot" };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(parse(&opt, outputs[i], "one.file", "/dev/a",
				       "/dev/b", NULL), EX_USAGE);
		assert_non_null(strstr(said, "%n"));
		assert_non_null(strstr(said, outputs[i]));
	}
	/* ... which one pack does not. */
	assert_int_equal(parse(&opt, "--log", "one.csv", "/dev/a", NULL), -1);

	/* Two packs of one name, ten packs, --record of a replay. */
	assert_int_equal(parse(&opt, "a=/dev/x", "a=/dev/y", NULL), EX_USAGE);
	assert_non_null(strstr(said, "'a'"));
	assert_int_equal(parse(&opt, "1", "2", "3", "4", "5", "6", "7", "8",
			       "9", "10", NULL), EX_USAGE);
	assert_non_null(strstr(said, "at most 9"));
	assert_int_equal(parse(&opt, "--record", "r-%n.rec", "/dev/a",
			       "--replay", "b.rec", NULL), EX_USAGE);
	assert_int_equal(parse(&opt, "--demo", "/dev/a", "/dev/b", NULL),
			 EX_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_lines_go_on),
		cmocka_unit_test(test_alarm_low_above_high_is_refused),
		cmocka_unit_test(test_alarm_range_and_value_are_said),
		cmocka_unit_test(test_headless_needs_an_output),
		cmocka_unit_test(test_list_takes_no_port),
		cmocka_unit_test(test_several_packs),
		cmocka_unit_test(test_help_names_every_exit_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
