/*
 * Unit tests for events: the ring keeps the newest CG_EVENTS_MAX in order
 * across wraparound, cuts long texts, and status changes read as the event
 * list shows them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "events.h"

static void test_empty(void **state)
{
	struct cg_events ev;
	(void)state;

	memset(&ev, 0xA5, sizeof(ev));
	cg_events_init(&ev);
	assert_int_equal(ev.count, 0);
	assert_int_equal(ev.total, 0);
	assert_null(cg_events_get(&ev, 0));
}

static void test_order_newest_first(void **state)
{
	struct cg_events ev;
	(void)state;

	cg_events_init(&ev);
	cg_events_add(&ev, 1000, "link up");
	cg_events_add(&ev, 2000, "mode discharge -> charge");
	cg_events_add(&ev, 3000, "cell 5 high: 3.652 V (limit 3.650 V)");

	assert_int_equal(ev.count, 3);
	assert_int_equal(ev.total, 3);
	assert_string_equal(cg_events_get(&ev, 0)->text,
			    "cell 5 high: 3.652 V (limit 3.650 V)");
	assert_int_equal(cg_events_get(&ev, 0)->wall_ms, 3000);
	assert_string_equal(cg_events_get(&ev, 1)->text,
			    "mode discharge -> charge");
	assert_string_equal(cg_events_get(&ev, 2)->text, "link up");
	assert_int_equal(cg_events_get(&ev, 2)->wall_ms, 1000);
	assert_null(cg_events_get(&ev, 3));
}

static void test_wraparound(void **state)
{
	struct cg_events ev;
	char text[32];
	const unsigned added = CG_EVENTS_MAX * 2 + 5;
	(void)state;

	cg_events_init(&ev);
	for (unsigned i = 0; i < added; i++) {
		snprintf(text, sizeof(text), "event %u", i);
		cg_events_add(&ev, 1000u * i, text);
	}
	assert_int_equal(ev.count, CG_EVENTS_MAX);
	assert_int_equal(ev.total, added);
	assert_int_equal(ev.head, added % CG_EVENTS_MAX);

	/* Newest first, back to the oldest kept: added - CG_EVENTS_MAX. */
	for (unsigned i = 0; i < CG_EVENTS_MAX; i++) {
		const struct cg_event *e = cg_events_get(&ev, i);
		unsigned want = added - 1 - i;

		assert_non_null(e);
		snprintf(text, sizeof(text), "event %u", want);
		assert_string_equal(e->text, text);
		assert_int_equal(e->wall_ms, 1000u * want);
	}
	assert_null(cg_events_get(&ev, CG_EVENTS_MAX));
}

static void test_long_text_cut(void **state)
{
	struct cg_events ev;
	char longer[CG_EVENT_TEXT_MAX * 2];
	(void)state;

	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	cg_events_init(&ev);
	cg_events_add(&ev, 5, longer);
	cg_events_add(&ev, 6, NULL);
	assert_string_equal(cg_events_get(&ev, 0)->text, "");
	assert_int_equal(strlen(cg_events_get(&ev, 1)->text),
			 CG_EVENT_TEXT_MAX - 1);
}

static struct cg_status status(enum cg_mode mode, bool v126, bool charge,
			       bool discharge)
{
	struct cg_status s = {
		.charge_end_mv = 3620,
		.mode = mode,
		.current_da = 230,
		.soc_pct = 91,
		.has_protection = v126,
		.discharge_end_mv = v126 ? 2900 : 0,
		.charge_protect = charge,
		.discharge_protect = discharge,
	};
	return s;
}

static void test_status_changes(void **state)
{
	char out[4][CG_EVENT_TEXT_MAX];
	struct cg_status a, b;
	(void)state;

	a = status(CG_MODE_DISCHARGE, true, false, false);
	b = status(CG_MODE_CHARGE, true, false, false);
	assert_int_equal(cg_events_status_changes(NULL, &b, out, 4), 0);
	assert_int_equal(cg_events_status_changes(&a, &a, out, 4), 0);

	assert_int_equal(cg_events_status_changes(&a, &b, out, 4), 1);
	assert_string_equal(out[0], "mode discharge -> charge");

	b = status(CG_MODE_STORAGE, true, true, true);
	assert_int_equal(cg_events_status_changes(&a, &b, out, 4), 3);
	assert_string_equal(out[0], "mode discharge -> storage");
	assert_string_equal(out[1], "charge protection ACTIVE");
	assert_string_equal(out[2], "discharge protection ACTIVE");

	assert_int_equal(cg_events_status_changes(&b, &a, out, 4), 3);
	assert_string_equal(out[0], "mode storage -> discharge");
	assert_string_equal(out[1], "charge protection released");
	assert_string_equal(out[2], "discharge protection released");

	/* Capped: only the first fits. */
	assert_int_equal(cg_events_status_changes(&a, &b, out, 1), 1);
	assert_string_equal(out[0], "mode discharge -> storage");
}

static void test_protection_needs_v126_both_sides(void **state)
{
	char out[4][CG_EVENT_TEXT_MAX];
	struct cg_status old = status(CG_MODE_CHARGE, false, false, false);
	struct cg_status now = status(CG_MODE_CHARGE, true, true, false);
	(void)state;

	/* Flags appearing (firmware seen for the first time with them) or
	 * vanishing are not protection events. */
	assert_int_equal(cg_events_status_changes(&old, &now, out, 4), 0);
	assert_int_equal(cg_events_status_changes(&now, &old, out, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order_newest_first),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_long_text_cut),
		cmocka_unit_test(test_status_changes),
		cmocka_unit_test(test_protection_needs_v126_both_sides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
