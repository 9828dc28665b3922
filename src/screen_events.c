/*
 * screen_events: key e, what happened (link, mode, protection, alarms),
 * newest first, with the local time of day (screens.h).
 */
#include "screen_events.h"

#include <string.h>

/* Key e: what happened, newest first, in lines 0 .. bottom - 1. */
void cg_screen_events_draw(const struct cg_view *v, int bottom)
{
	const struct cg_events *ev = v->events;
	unsigned shown = 0;
	wchar_t note[CG_TEXT_MAX];
	int x, y = 2;

	x = cg_crt_put(0, 0, cg_crt_cols(), CG_A_BOLD, 0, L"Events (e to return)");
	if (!ev || ev->count == 0) {
		cg_crt_put(y, 0, cg_crt_cols(), CG_A_DIM, 0, L"no events yet");
		return;
	}
	for (; y < bottom; y++) {
		const struct cg_event *e = cg_events_get(ev, shown);
		char raw[CG_EVENT_TEXT_MAX];
		wchar_t at[16], text[CG_EVENT_TEXT_MAX];

		if (!e)
			break;
		/* The ring is another module's: never trust a terminator. */
		memcpy(raw, e->text, sizeof(raw));
		raw[sizeof(raw) - 1] = '\0';
		cg_widen_text(text, CG_EVENT_TEXT_MAX, raw);
		cg_fmt_clock(at, 16, e->wall_ms);
		cg_crt_put(y, 0, cg_crt_cols(), CG_A_BOLD, 0, at);
		cg_crt_put(y, 9, cg_crt_cols(), CG_A_NORMAL, 0, text);
		shown++;
	}
	if (ev->total > ev->count)
		swprintf(note, CG_TEXT_MAX,
			 L"  newest first, %u of %u kept (%llu in all)", shown,
			 ev->count, (unsigned long long)ev->total);
	else
		swprintf(note, CG_TEXT_MAX, L"  newest first, %u of %u", shown,
			 ev->count);
	cg_crt_put(0, x, cg_crt_cols(), CG_A_DIM, 0, note);
}

bool cg_screen_events_key(enum cg_key_action action)
{
	(void)action; /* the list shows what fits; nothing to move */
	return false;
}
