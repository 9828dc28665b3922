/*
 * tui: picks the screen and routes the keys (tui.h).
 *
 * Every frame is laid out from scratch for the current terminal size by
 * the screen shown; cg_crt_begin() + draw + cg_crt_end() lets ncurses send
 * only the cells of the screen that changed. The screens are in their own
 * files (screens.h); the terminal is crt's (crt.h).
 */
#include "tui.h"

#include "clock.h"
#include "screen_events.h"
#include "screen_help.h"
#include "screen_history.h"
#include "screen_inspector.h"
#include "screen_overview.h"
#include "screen_table.h"
#include "screens.h"
#include "statusbar.h"

enum screen {
	SCREEN_TABLE,
	SCREEN_EVENTS,
	SCREEN_INSPECTOR,
	SCREEN_HISTORY,
};

#define NOTICE_MS 3000 /* how long a word about a key stays */

static struct {
	enum screen shown;
	bool help;    /* over whatever is shown */
	bool replay;  /* the last view drawn was a replay's */
	const wchar_t *notice; /* a word about the last key, or NULL */
	uint64_t notice_until_ms;
	int packs;    /* packs read; more than one: the overview */
	int pack;     /* the pack shown, -1 = the overview */
	int selected; /* the overview's selection */
} tui;

void cg_tui_set_packs(int n)
{
	tui.packs = n;
	tui.pack = n > 1 ? -1 : 0;
	tui.selected = 0;
}

int cg_tui_pack(void)
{
	return tui.packs > 1 ? tui.pack : 0;
}

int cg_screen_items(const struct cg_items *it, int level, int x0, int width,
		    int y, int ymax)
{
	int line[CG_ITEMS_MAX], col[CG_ITEMS_MAX];
	int lines = cg_items_flow(it, level, width, line, col);

	for (int k = 0; k < it->n && k < CG_ITEMS_MAX; k++) {
		const struct cg_item *i = &it->item[k];

		if (line[k] < 0 || y + line[k] >= ymax)
			continue;
		cg_crt_put(y + line[k], x0 + col[k], x0 + width, i->attr,
			   (enum cg_role)i->role, i->text);
	}
	return lines;
}

int cg_tui_start(const struct cg_tui_options *options, struct cg_error *err)
{
	return cg_crt_start(options && options->ascii,
			    options && options->no_color, err);
}

void cg_tui_draw(const struct cg_view *view)
{
	wchar_t diag[CG_DIAG_LINES_MAX][CG_TEXT_MAX];
	bool full = true;
	int nd, body;

	if (!cg_crt_active() || !view || (!view->pack && !view->waiting))
		return;
	cg_crt_begin();
	/* The link doctor's advice takes lines from the screen, above the
	 * status line, where it cannot be missed. */
	if (view->bank && (view->bank_n > 0 || view->waiting)) {
		/* Several packs, none opened: the overview, and its own
		 * status line. */
		cg_screen_overview_draw(view, tui.selected);
		if (tui.help)
			cg_screen_help_draw();
		cg_crt_end();
		return;
	}
	nd = cg_statusbar_diagnosis(view, diag);
	body = cg_crt_lines() - 1 - nd;

	if (tui.shown != SCREEN_TABLE &&
	    cg_crt_cols() >= CG_LAYOUT_MIN_COLS &&
	    cg_crt_lines() >= CG_LAYOUT_MIN_LINES) {
		if (tui.shown == SCREEN_INSPECTOR)
			cg_screen_inspector_draw(view, body);
		else if (tui.shown == SCREEN_HISTORY)
			cg_screen_history_draw(view, body);
		else
			cg_screen_events_draw(view, body);
	} else {
		full = cg_screen_table_draw(view, nd);
	}
	tui.replay = view->replay != NULL;
	if (tui.notice && cg_clock_ms() >= tui.notice_until_ms)
		tui.notice = NULL;
	if (full) {
		cg_statusbar_draw_diagnosis(body, diag, nd);
		cg_statusbar_draw(view, tui.notice);
	}
	if (tui.help)
		cg_screen_help_draw();
	cg_crt_end();
}

/* Closes what is over the table, the help first. False: nothing was. */
static bool close_one(void)
{
	if (tui.help) {
		tui.help = false;
		return true;
	}
	if (tui.shown != SCREEN_TABLE) {
		tui.shown = SCREEN_TABLE;
		return true;
	}
	return false;
}

/* Opens pack i (0-based) of several, on its table. */
static void open_pack(int i)
{
	if (i < 0 || i >= tui.packs)
		return;
	tui.pack = i;
	tui.selected = i;
	tui.shown = SCREEN_TABLE;
}

/* The keys of the overview, and those that move between packs. True when
 * the key was taken here. */
static bool route_packs(enum cg_key_action *action)
{
	if (tui.packs < 2)
		return false;
	if (*action >= CG_KEY_PACK_1 && *action <= CG_KEY_PACK_9) {
		open_pack((int)(*action - CG_KEY_PACK_1));
		tui.help = false;
		return true;
	}
	if (tui.pack >= 0) {
		/* In a pack: Esc (or q) with nothing over the table goes
		 * back to the overview, not out. */
		if ((*action == CG_KEY_BACK) && !tui.help &&
		    tui.shown == SCREEN_TABLE) {
			tui.pack = -1;
			return true;
		}
		return false;
	}
	if (tui.help)
		return false;
	switch (*action) {
	case CG_KEY_OPEN:
		open_pack(tui.selected);
		return true;
	case CG_KEY_EVENTS: /* the selected pack's */
	case CG_KEY_INSPECTOR:
		open_pack(tui.selected);
		return false;
	default:
		return cg_screen_overview_key(*action, tui.packs,
					      &tui.selected);
	}
}

/* Acts on the keys that only change what is shown. Returns the action
 * for the caller: q that closed something is CG_KEY_BACK. */
static enum cg_key_action route(enum cg_key_action action)
{
	if (route_packs(&action))
		return action;
	switch (action) {
	case CG_KEY_QUIT:
		return close_one() ? CG_KEY_BACK : CG_KEY_QUIT;
	case CG_KEY_BACK:
		close_one();
		return CG_KEY_BACK;
	case CG_KEY_FASTER:
	case CG_KEY_SLOWER:
		if (!tui.replay) {
			tui.notice = L"speed applies to replays";
			tui.notice_until_ms = cg_clock_ms() + NOTICE_MS;
		}
		return action;
	case CG_KEY_HELP:
		tui.help = !tui.help;
		return action;
	case CG_KEY_EVENTS:
		tui.shown = tui.shown == SCREEN_EVENTS ? SCREEN_TABLE
						       : SCREEN_EVENTS;
		return action;
	case CG_KEY_INSPECTOR:
		tui.shown = tui.shown == SCREEN_INSPECTOR ? SCREEN_TABLE
							  : SCREEN_INSPECTOR;
		cg_screen_inspector_key(CG_KEY_TOP);
		return action;
	case CG_KEY_HISTORY:
		tui.shown = tui.shown == SCREEN_HISTORY ? SCREEN_TABLE
							: SCREEN_HISTORY;
		if (tui.shown == SCREEN_HISTORY)
			cg_screen_history_reset();
		return action;
	default:
		break;
	}
	if (tui.help && cg_screen_help_key(action))
		return action;
	switch (tui.shown) {
	case SCREEN_TABLE:
		cg_screen_table_key(action);
		break;
	case SCREEN_EVENTS:
		/* z still zooms the table behind the list, as it always did */
		if (!cg_screen_events_key(action))
			cg_screen_table_key(action);
		break;
	case SCREEN_INSPECTOR:
		if (!cg_screen_inspector_key(action))
			cg_screen_table_key(action);
		break;
	case SCREEN_HISTORY:
		if (!cg_screen_history_key(action))
			cg_screen_table_key(action);
		break;
	}
	return action;
}

enum cg_key_action cg_tui_key(void)
{
	enum cg_key_action action = cg_crt_key();

	/* Any other key puts the word about the last one away. */
	if (action != CG_KEY_NONE && action != CG_KEY_FASTER &&
	    action != CG_KEY_SLOWER && action != CG_KEY_RESIZE)
		tui.notice = NULL;
	return route(action);
}

void cg_tui_bell(void)
{
	cg_crt_bell();
}

void cg_tui_stop(void)
{
	cg_crt_stop();
}
