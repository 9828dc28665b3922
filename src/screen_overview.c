/*
 * screen_overview: every pack on one screen (screen_overview.h).
 */
#include "screen_overview.h"

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "overview.h"

/* What the bank needs of one pack's view. */
static struct cg_ov_pack numbers(const struct cg_view *v)
{
	const struct cg_pack *p = v->pack;
	struct cg_ov_pack o = { 0 };

	o.cells = cg_view_have(p, CG_REC_CELLS) && p->counted > 0 &&
		  !cg_view_stale(v, CG_REC_CELLS);
	o.current = cg_view_have(p, CG_REC_STATUS) &&
		    !cg_view_stale(v, CG_REC_STATUS);
	o.alarm = v->alarms && cg_alarms_any(v->alarms);
	if (o.current)
		o.current_da = p->status.current_da;
	if (o.cells) {
		o.low_mv = p->cells.mv[p->low_index];
		o.high_mv = p->cells.mv[p->high_index];
		o.average_mv = p->average_mv;
		o.low_cell = (uint8_t)(p->low_index + 1);
		o.high_cell = (uint8_t)(p->high_index + 1);
	}
	return o;
}

static const wchar_t *link_word(enum cg_link_state s)
{
	switch (s) {
	case CG_LINK_STATE_WAITING:
		return L"waiting";
	case CG_LINK_STATE_CONNECTED:
		return L"connected";
	case CG_LINK_STATE_NO_SYNC:
		return L"no sync";
	case CG_LINK_STATE_DISCONNECTED:
		return L"disconnected";
	case CG_LINK_STATE_ENDED:
		return L"ended";
	}
	return L"--";
}

/* Tenths rounded to a whole number. */
static int whole(int tenths)
{
	return (tenths >= 0 ? tenths + 5 : tenths - 5) / 10;
}

/* The newest data's time, 0 = none. */
static uint64_t newest(const struct cg_pack *p)
{
	uint64_t at = 0;

	for (int t = 0; t < CG_REC_TYPES; t++)
		if (p->have[t] && p->at_ms[t] > at)
			at = p->at_ms[t];
	return at;
}

/* One cell: "#5 3.293" (words: "low #5 3.293 V"). */
static void cell_text(wchar_t *out, size_t cap, const wchar_t *word,
		      unsigned cell, unsigned mv, bool mark)
{
	wchar_t volts[16];

	cg_fmt_mv(volts, 16, mv);
	swprintf(out, cap, L"%ls%ls#%u %ls%ls%ls", word ? word : L"",
		 word ? L" " : L"", cell, volts, word ? L" V" : L"",
		 mark ? cg_crt_glyph(L"\u25c0", L"<") : L"");
}

static void draw_pack(const struct cg_view *v, const struct cg_ov_layout *o,
		      int i, int y, bool selected, const struct cg_ov_bank *bank,
		      const struct cg_ov_pack *n)
{
	const struct cg_pack *p = v->pack;
	wchar_t text[CG_OV_COLS][48];
	cg_attr attr[CG_OV_COLS] = { 0 };
	enum cg_role role[CG_OV_COLS] = { 0 };
	bool block = o->pack_lines == 2;
	bool stale_cells = cg_view_stale(v, CG_REC_CELLS);
	bool stale_status = cg_view_stale(v, CG_REC_STATUS);
	bool have_cells = cg_view_have(p, CG_REC_CELLS) && p->counted > 0;
	bool have_status = cg_view_have(p, CG_REC_STATUS);

	for (int c = 0; c < CG_OV_COLS; c++)
		wcscpy(text[c], L"--");
	swprintf(text[CG_OV_NUM], 48, L"%d", i + 1);
	cg_widen_ascii(text[CG_OV_LABEL], 48, v->label ? v->label : "");
	wcscpy(text[CG_OV_LINK], link_word(v->link));
	if (v->link != CG_LINK_STATE_CONNECTED) {
		attr[CG_OV_LINK] = CG_A_BOLD;
		role[CG_OV_LINK] = CG_ROLE_WARN;
	}
	if (have_cells) {
		wchar_t t[16];
		cg_fmt_mv(t, 16, p->total_mv);
		swprintf(text[CG_OV_VOLTS], 48, L"%ls V", t);
		bool worst = bank->worst == i;
		cell_text(text[CG_OV_LOW], 48, block ? L"low" : NULL,
			  p->low_index + 1u, p->cells.mv[p->low_index],
			  worst && !bank->worst_high);
		cell_text(text[CG_OV_HIGH], 48, block ? L"high" : NULL,
			  p->high_index + 1u, p->cells.mv[p->high_index],
			  worst && bank->worst_high);
		swprintf(text[CG_OV_DELTA], 48, L"%ls%u mV",
			 block ? L"delta " : L"", p->delta_mv);
		attr[CG_OV_LOW] = attr[CG_OV_HIGH] = CG_A_NORMAL;
		if (worst) {
			int c = bank->worst_high ? CG_OV_HIGH : CG_OV_LOW;
			attr[c] = CG_A_BOLD | CG_A_UNDERLINE;
			role[c] = n->alarm ? CG_ROLE_ALERT
				  : bank->worst_high ? CG_ROLE_HIGH : CG_ROLE_LOW;
		}
	}
	if (have_status) {
		wchar_t a[16];
		cg_fmt_tenths(a, 16, p->status.current_da, true);
		swprintf(text[CG_OV_CURRENT], 48, L"%ls A", a);
		swprintf(text[CG_OV_TEMP], 48, L"%ls%ld/%ld%ls",
			 block ? L"T " : L"", (long)whole(p->status.t1_dc),
			 (long)whole(p->status.t2_dc),
			 cg_crt_glyph(L"\u00b0C", L"C"));
	}
	if (p->have_soc)
		swprintf(text[CG_OV_SOC], 48, L"%u%%", p->soc_pct);
	if (bank->with_current > 1 && n->current) {
		const wchar_t *mark = L"";
		if (bank->share[i] == CG_OV_SHARE_HIGH)
			mark = cg_crt_glyph(L"\u25b2", L"^");
		else if (bank->share[i] == CG_OV_SHARE_LOW)
			mark = cg_crt_glyph(L"\u25bc", L"v");
		swprintf(text[CG_OV_SHARE], 48, L"%d%%%ls", bank->share_pct[i],
			 mark);
		if (mark[0]) {
			attr[CG_OV_SHARE] = CG_A_BOLD;
			role[CG_OV_SHARE] = CG_ROLE_WARN;
		}
	}
	if (n->alarm) {
		wcscpy(text[CG_OV_ALARM], L"ALARM");
		attr[CG_OV_ALARM] = CG_A_BOLD;
		role[CG_OV_ALARM] = CG_ROLE_ALERT;
	} else {
		wcscpy(text[CG_OV_ALARM], have_cells ? L"ok" : L"--");
	}
	uint64_t at = newest(p);
	if (at)
		cg_fmt_age(text[CG_OV_AGE], 48, v->now_ms, at);
	/* Stale figures are dimmed, as on the table. */
	const int cell_cols[] = { CG_OV_VOLTS, CG_OV_LOW, CG_OV_HIGH,
				  CG_OV_DELTA };
	const int status_cols[] = { CG_OV_CURRENT, CG_OV_SOC, CG_OV_TEMP,
				    CG_OV_SHARE };
	for (int k = 0; k < 4; k++) {
		if (stale_cells)
			attr[cell_cols[k]] |= CG_A_DIM;
		if (stale_status)
			attr[status_cols[k]] |= CG_A_DIM;
	}
	if (stale_cells || stale_status) {
		attr[CG_OV_AGE] |= CG_A_BOLD;
		role[CG_OV_AGE] = CG_ROLE_WARN;
	}
	if (selected)
		attr[CG_OV_NUM] = attr[CG_OV_LABEL] = CG_A_REVERSE | CG_A_BOLD;

	int cols = cg_crt_cols();
	for (int c = 0; c < CG_OV_COLS; c++) {
		if (!o->show[c])
			continue;
		int w = c == CG_OV_LABEL ? o->label_w : cols - o->x[c];
		cg_crt_put(y + o->line[c], o->x[c], o->x[c] + w, attr[c],
			   role[c], text[c]);
	}
}

static void draw_bank(const struct cg_view *views, int n,
		      const struct cg_ov_bank *bank,
		      const struct cg_ov_layout *o)
{
	wchar_t line[CG_OV_BANK_LINES][256], a[16], m[16];
	int cols = cg_crt_cols();

	if (bank->with_current) {
		cg_fmt_tenths(a, 16, bank->total_da, true);
		cg_fmt_tenths(m, 16, bank->mean_da, true);
		swprintf(line[0], 256, L"Bank: %d packs, current %ls A, "
			 L"mean %ls A per pack", n, a, m);
	} else {
		swprintf(line[0], 256, L"Bank: %d packs, no current yet", n);
	}

	int len = swprintf(line[1], 256, L"Share off by over %d %%: ",
			   CG_OV_SHARE_PCT);
	bool any = false;
	for (int i = 0; i < n && len > 0 && len < 200; i++) {
		if (bank->share[i] != CG_OV_SHARE_HIGH &&
		    bank->share[i] != CG_OV_SHARE_LOW)
			continue;
		wchar_t name[CG_TEXT_MAX];
		cg_widen_ascii(name, CG_TEXT_MAX, views[i].label);
		len += swprintf(line[1] + len, 256 - (size_t)len,
				L"%ls%ls %d %% (%ls)", any ? L", " : L"", name,
				bank->share_pct[i],
				bank->share[i] == CG_OV_SHARE_HIGH ? L"more"
								   : L"less");
		any = true;
	}
	if (!any)
		swprintf(line[1], 256, bank->with_current > 1 &&
			 abs(bank->mean_da) >= CG_OV_SHARE_MIN_DA
			 ? L"Share: even, every pack within %d %% of the mean"
			 : L"Share: not judged (under 1 A per pack)",
			 CG_OV_SHARE_PCT);

	if (bank->lowest >= 0) {
		const struct cg_view *lv = &views[bank->lowest];
		const struct cg_view *wv = &views[bank->worst];
		wchar_t ln[CG_TEXT_MAX], wn[CG_TEXT_MAX], lc[16], wc[16];
		unsigned wi = bank->worst_high ? wv->pack->high_index
					       : wv->pack->low_index;
		cg_widen_ascii(ln, CG_TEXT_MAX, lv->label);
		cg_widen_ascii(wn, CG_TEXT_MAX, wv->label);
		cg_fmt_mv(lc, 16, lv->pack->cells.mv[lv->pack->low_index]);
		cg_fmt_mv(wc, 16, wv->pack->cells.mv[wi]);
		swprintf(line[2], 256, L"Lowest cell: %ls #%u %ls V   "
			 L"Worst: %ls #%u %ls V (%ls), delta %u mV", ln,
			 lv->pack->low_index + 1u, lc, wn, wi + 1u, wc,
			 bank->worst_high ? L"high" : L"low",
			 wv->pack->delta_mv);
	} else {
		swprintf(line[2], 256, L"Lowest cell: no cells yet");
	}
	for (int k = 0; k < o->bank_lines; k++)
		cg_crt_put(o->bank_y + k, 0, cols,
			   k == 0 ? CG_A_BOLD : CG_A_NORMAL,
			   k == 1 && any ? CG_ROLE_WARN : CG_ROLE_NONE,
			   line[k]);
}

/* text's words flowed into cols columns from line y, none at or past
 * line ymax (a word longer than a line is cut). Returns the next line. */
static int put_words(int y, int ymax, int cols, cg_attr attr,
		     const wchar_t *text)
{
	int x = 0;

	for (const wchar_t *p = text; y < ymax;) {
		p += wcsspn(p, L" ");
		if (!*p)
			break;
		size_t len = wcscspn(p, L" ");
		if (x > 0 && x + 1 + (int)len > cols) {
			x = 0;
			if (++y >= ymax)
				break;
		}
		x += x > 0;
		wchar_t word[CG_TEXT_MAX];
		swprintf(word, CG_TEXT_MAX, L"%.*ls", (int)len, p);
		cg_crt_put(y, x, cols, attr, CG_ROLE_NONE, word);
		x += (int)len;
		p += len;
	}
	return y + 1;
}

/* No pack yet: where they are waited for, in plain words. */
static void draw_waiting(const struct cg_view *v)
{
	int cols = cg_crt_cols(), lines = cg_crt_lines();
	wchar_t where[CG_TEXT_MAX], text[2 * CG_TEXT_MAX], status[128];

	cg_widen_ascii(where, CG_TEXT_MAX, v->waiting);
	swprintf(text, 2 * CG_TEXT_MAX, L"Waiting for packs under %ls", where);
	int y = put_words(0, lines - 1, cols, CG_A_BOLD, text);
	y = put_words(y + 1, lines - 1, cols, CG_A_NORMAL,
		      L"No BMS is online there yet. Each appears here as soon "
		      L"as its chargery-top --mqtt comes online.");
	if (v->waiting_note) {
		/* The broker lost: said until it is back. */
		cg_widen_text(text, 2 * CG_TEXT_MAX, v->waiting_note);
		put_words(y + 1, lines - 1, cols, CG_A_BOLD, text);
	}
	swprintf(status, 128, L" waiting for packs %ls ? help %ls q quit",
		 cg_crt_glyph(L"\u2502", L"|"), cg_crt_glyph(L"\u2502", L"|"));
	cg_crt_put_repeat(lines - 1, 0, cols, CG_A_REVERSE, CG_ROLE_NONE,
			  L' ', cols);
	cg_crt_put(lines - 1, 0, cols, CG_A_REVERSE, CG_ROLE_NONE, status);
}

void cg_screen_overview_draw(const struct cg_view *v, int selected)
{
	if (v->bank_n <= 0) {
		draw_waiting(v);
		return;
	}

	const struct cg_view *views = v->bank;
	int n = v->bank_n < CG_OV_MAX ? v->bank_n : CG_OV_MAX;
	int cols = cg_crt_cols(), lines = cg_crt_lines();
	struct cg_ov_pack nums[CG_OV_MAX];
	struct cg_ov_bank bank;
	struct cg_ov_layout o;

	for (int i = 0; i < n; i++)
		nums[i] = numbers(&views[i]);
	cg_ov_bank(nums, n, &bank);
	if (!cg_ov_layout(n, selected, cols, lines - 1, &o)) {
		cg_crt_put(0, 0, cols, CG_A_BOLD, CG_ROLE_WARN,
			   L"terminal too small for the overview");
		return;
	}
	for (int c = 0; c < CG_OV_COLS; c++) {
		wchar_t title[16];
		if (!o.show[c] || o.line[c] != 0)
			continue;
		cg_widen_ascii(title, 16, cg_ov_col_title[c]);
		cg_crt_put(o.header_y, o.x[c],
			   c == CG_OV_LABEL ? o.x[c] + o.label_w : cols,
			   CG_A_BOLD, CG_ROLE_NONE, title);
	}
	for (int k = 0; k < o.visible; k++) {
		int i = o.first_visible + k;
		draw_pack(&views[i], &o, i, o.header_y + 1 + k * o.pack_lines,
			  i == selected, &bank, &nums[i]);
	}
	draw_bank(views, n, &bank, &o);

	wchar_t status[256];
	swprintf(status, 256, L" %d packs %ls Enter or 1-%d: open a pack %ls "
		 L"arrows select %ls ? help %ls q quit", n,
		 cg_crt_glyph(L"\u2502", L"|"), n,
		 cg_crt_glyph(L"\u2502", L"|"), cg_crt_glyph(L"\u2502", L"|"),
		 cg_crt_glyph(L"\u2502", L"|"));
	cg_crt_put_repeat(lines - 1, 0, cols, CG_A_REVERSE, CG_ROLE_NONE,
			  L' ', cols);
	cg_crt_put(lines - 1, 0, cols, CG_A_REVERSE, CG_ROLE_NONE, status);
}

bool cg_screen_overview_key(enum cg_key_action action, int n, int *selected)
{
	switch (action) {
	case CG_KEY_LINE_UP:
		if (*selected > 0)
			(*selected)--;
		return true;
	case CG_KEY_LINE_DOWN:
		if (*selected < n - 1)
			(*selected)++;
		return true;
	case CG_KEY_TOP:
		*selected = 0;
		return true;
	case CG_KEY_BOTTOM:
		*selected = n - 1;
		return true;
	default:
		return false;
	}
}
