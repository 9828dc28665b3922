/*
 * Unit tests for chem: the one chemistry guess, at the edges of each
 * threshold, the charge-end before the average, nothing known.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chem.h"

static void test_guess_edges(void **state)
{
	static const struct {
		unsigned charge_end_mv, avg_mv;
		enum cg_chem want;
		unsigned low, high;
		const char *name;
	} cases[] = {
		/* the average alone: LTO under 2.9 V, LiFePO4 up to 3.4 V */
		{ 0, 2400, CG_CHEM_LTO, 1800, 2800, "LTO" },
		{ 0, 2899, CG_CHEM_LTO, 1800, 2800, "LTO" },
		{ 0, 2900, CG_CHEM_LFP, 2500, 3650, "LiFePO4" },
		{ 0, 3400, CG_CHEM_LFP, 2500, 3650, "LiFePO4" },
		{ 0, 3401, CG_CHEM_LIION, 3000, 4200, "Li-ion" },
		/* the charge-end: LTO under 3.0 V, LiFePO4 up to 3.7 V, and
		 * it wins over the average */
		{ 2999, 3300, CG_CHEM_LTO, 1800, 2800, "LTO" },
		{ 3000, 2400, CG_CHEM_LFP, 2500, 3650, "LiFePO4" },
		{ 3650, 3450, CG_CHEM_LFP, 2500, 3650, "LiFePO4" },
		{ 3700, 0, CG_CHEM_LFP, 2500, 3650, "LiFePO4" },
		{ 3701, 3300, CG_CHEM_LIION, 3000, 4200, "Li-ion" },
		/* nothing: no guess, Li-ion's range for a scale */
		{ 0, 0, CG_CHEM_UNKNOWN, 3000, 4200, "" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cg_chem_guess g = cg_chem_guess(cases[i].charge_end_mv,
						       cases[i].avg_mv);

		assert_int_equal(g.chem, cases[i].want);
		assert_int_equal(g.low_mv, cases[i].low);
		assert_int_equal(g.high_mv, cases[i].high);
		assert_string_equal(g.name, cases[i].name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guess_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
