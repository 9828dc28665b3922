/*
 * screen_help: key ? or h, the keys and the markers, in a box centred over
 * whatever screen is shown (screens.h).
 */
#include "screen_help.h"

void cg_screen_help_draw(void)
{
	static const wchar_t *const text[] = {
		L"chargery-top keys",
		L"",
		L"q      quit (Esc or q closes this and e, i, t)",
		L"? h    show or hide this help",
		L"p      pause or resume the display (and a replay)",
		L"r      reset session min/max (marks on the bars)",
		L"z      bars: zoom (cells' low..high) or end volts",
		L"e      event list; e again returns to the cells",
		L"i      inspector: counters, firmware, last frames",
		L"       (arrows, PgUp/PgDn, g/G scroll it)",
		L"t      history graphs; t again returns",
		L"       (Up/Down cell, [ ] zoom, Left/Right pan)",
		L"+ -    replay faster or slower (also > <)",
		L"1-9    several packs: open one; Esc: overview",
		L"",
		L"open?  sense lead reads under 1 V:",
		L"       left out of the figures",
		L"!HI !LO  cell past the alarm limit",
		L"STALE  data overdue: check the link",
	};
	int n = (int)(sizeof(text) / sizeof(text[0]));
	int w = 0, h = n + 2, x0, y0;

	for (int i = 0; i < n; i++)
		if ((int)wcslen(text[i]) > w)
			w = (int)wcslen(text[i]);
	w += 4;
	if (w > cg_crt_cols())
		w = cg_crt_cols();
	if (h > cg_crt_lines())
		h = cg_crt_lines();
	x0 = (cg_crt_cols() - w) / 2;
	y0 = (cg_crt_lines() - h) / 2;

	for (int y = 0; y < h; y++) {
		bool edge_y = y == 0 || y == h - 1;
		for (int x = 0; x < w; x++) {
			bool edge_x = x == 0 || x == w - 1;
			wchar_t c = L' ';

			if (edge_y && edge_x)
				c = cg_crt_glyph(L"\u250c\u2510\u2514\u2518",
					  L"++++")[(y ? 2 : 0) + (x ? 1 : 0)];
			else if (edge_y)
				c = cg_crt_utf8() ? 0x2500 : L'-';
			else if (edge_x)
				c = cg_crt_utf8() ? 0x2502 : L'|';
			cg_crt_put_repeat(y0 + y, x0 + x, cg_crt_cols(), CG_A_NORMAL, 0, c, 1);
		}
	}
	for (int i = 0; i < n && i + 1 < h - 1; i++)
		cg_crt_put(y0 + 1 + i, x0 + 2, x0 + w - 1, i == 0 ? CG_A_BOLD : CG_A_NORMAL,
		    0, text[i]);
}

bool cg_screen_help_key(enum cg_key_action action)
{
	(void)action; /* ? and h toggle it in the dispatcher; the box is read */
	return false;
}
