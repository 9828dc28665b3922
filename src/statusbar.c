/*
 * statusbar: the status line in the terminal's last line (port, link,
 * rates, rejects, cells; pieces shorten and give way on narrow screens)
 * and the link doctor's advice above it (screens.h).
 */
#include "statusbar.h"

#include <string.h>

static const wchar_t *link_words(enum cg_link_state s)
{
	switch (s) {
	case CG_LINK_STATE_WAITING:
		return L"waiting for data";
	case CG_LINK_STATE_CONNECTED:
		return L"connected";
	case CG_LINK_STATE_NO_SYNC:
		return L"no frames in sync";
	case CG_LINK_STATE_DISCONNECTED:
		return L"disconnected, retrying";
	case CG_LINK_STATE_ENDED:
		return L"end of capture";
	}
	return L"--";
}

static const wchar_t *wired_words(enum cg_wired_source s)
{
	switch (s) {
	case CG_WIRED_OPTION:
		return L"from --cells";
	case CG_WIRED_IMPEDANCE:
		return L"from 0x58";
	case CG_WIRED_THRESHOLD:
		return L"reading over 1 V";
	case CG_WIRED_UNKNOWN:
		break;
	}
	return L"not known yet";
}

/* One part of the status line, with a shorter form for narrow screens. */
struct piece {
	wchar_t full[128];
	wchar_t brief[48]; /* empty: dropped instead of shortened */
	cg_attr attr;
	enum cg_role pair;
	bool use_brief;
	bool dropped;
};

static int pieces_width(const struct piece *pc, int n, int sep)
{
	int w = 0, shown = 0;

	for (int i = 0; i < n; i++) {
		if (pc[i].dropped)
			continue;
		w += (int)wcslen(pc[i].use_brief ? pc[i].brief : pc[i].full);
		shown++;
	}
	return w + (shown > 1 ? (shown - 1) * sep : 0) + 1;
}

static const wchar_t *wired_brief(enum cg_wired_source s)
{
	switch (s) {
	case CG_WIRED_OPTION:
		return L"--cells";
	case CG_WIRED_IMPEDANCE:
		return L"0x58";
	case CG_WIRED_THRESHOLD:
		return L"> 1 V";
	case CG_WIRED_UNKNOWN:
		break;
	}
	return L"?";
}

/* The last part of a path: what a person named the file. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* "1.2 MB", "340 kB", "512 B". */
static void fmt_size(wchar_t *buf, size_t cap, uint64_t bytes)
{
	if (bytes >= 1000000)
		swprintf(buf, cap, L" %llu.%llu MB",
			 (unsigned long long)(bytes / 1000000),
			 (unsigned long long)(bytes % 1000000 / 100000));
	else if (bytes >= 1000)
		swprintf(buf, cap, L" %llu kB",
			 (unsigned long long)(bytes / 1000));
	else if (bytes > 0)
		swprintf(buf, cap, L" %llu B", (unsigned long long)bytes);
	else
		buf[0] = L'\0';
}

/* "REC bms.rec 1.2 MB", or "REC bms.rec FAILED" when writing stopped. */
static void output_piece(struct piece *pc, const wchar_t *tag,
			 const struct cg_output_view *o)
{
	wchar_t name[64], size[24];

	pc->dropped = !o->path;
	if (!o->path)
		return;
	cg_widen_ascii(name, 64, base_name(o->path));
	if (o->failed) {
		swprintf(pc->full, 128, L"%ls %ls FAILED", tag, name);
		swprintf(pc->brief, 48, L"%ls FAILED", tag);
		pc->attr = CG_A_REVERSE | CG_A_BOLD;
		pc->pair = CG_ROLE_ALERT;
		return;
	}
	fmt_size(size, 24, o->bytes);
	swprintf(pc->full, 128, L"%ls %ls%ls", tag, name, size);
	swprintf(pc->brief, 48, L"%ls %ls", tag, name);
}

static const wchar_t *replay_words(const struct cg_view *v)
{
	if (v->replay->ended || v->link == CG_LINK_STATE_ENDED)
		return L"end of capture";
	if (v->link == CG_LINK_STATE_CONNECTED)
		return L"playing";
	return link_words(v->link); /* no frames in the file, ... */
}

void cg_statusbar_draw(const struct cg_view *v, const wchar_t *notice)
{
	enum { PAUSED, NOTICE, PORT, REPLAY, LINK, DETAIL, REC, LOG, EVENTS,
	       MQTT, FPS, REJECTED, CELLS, HELP, N };
	/* Which piece gives way first when the line is too long: the first
	 * time a piece is named it takes its brief form, the next time it
	 * goes. The link state, PAUSED, a failed write and the word about a
	 * key never give way; ? help stays on an 80-column terminal. */
	static const int give_way[] = { PORT,	CELLS,	FPS,	REJECTED,
					CELLS,	FPS,	EVENTS,	HELP,
					LOG,	REC,	EVENTS,	MQTT,
					PORT,	DETAIL,	REPLAY,	REJECTED,
					LOG,	REC,	MQTT };
	const struct cg_replay_view *rp = v->replay;
	const struct cg_pack *p = v->pack;
	const wchar_t *sep = cg_crt_glyph(L" \u2502 ", L" | ");
	uint64_t rejected = v->implausible;
	struct piece pc[N];
	wchar_t port[64];
	int y = cg_crt_lines() - 1, x = 0;

	memset(pc, 0, sizeof(pc));
	for (int i = 0; i < N; i++)
		pc[i].attr = CG_A_REVERSE;
	if (v->framer)
		rejected += v->framer->bad_checksum + v->framer->bad_length +
			    v->framer->unknown_cmd;
	cg_widen_ascii(port, 64, v->port ? v->port : "--");

	wcscpy(pc[PAUSED].full, L"PAUSED");
	pc[PAUSED].attr = CG_A_REVERSE | CG_A_BOLD;
	pc[PAUSED].pair = CG_ROLE_WARN;
	pc[PAUSED].dropped = !v->paused && !(rp && rp->paused);

	pc[NOTICE].dropped = !notice;
	if (notice)
		swprintf(pc[NOTICE].full, 128, L"%ls", notice);
	pc[NOTICE].attr = CG_A_REVERSE | CG_A_BOLD;

	/* A replay: the file, where in it, how fast; no port, no baud. */
	pc[REPLAY].dropped = !rp;
	if (rp) {
		wchar_t pos[16], len[16], name[64];

		cg_widen_ascii(name, 64, rp->path ? base_name(rp->path) : "--");
		cg_fmt_hms(pos, 16, rp->position_s);
		if (!rp->timestamped)
			wcscpy(len, L"raw dump");
		else if (rp->length_s > 0)
			cg_fmt_hms(len, 16, rp->length_s);
		else
			wcscpy(len, L"--:--:--");
		swprintf(pc[PORT].full, 128, L"replay %ls", name);
		swprintf(pc[PORT].brief, 48, L"%ls", name);
		swprintf(pc[REPLAY].full, 128, L"%ls / %ls %gx", pos, len,
			 rp->speed);
		swprintf(pc[REPLAY].brief, 48, L"%ls %gx", pos, rp->speed);
	} else if (v->baud > 0) {
		swprintf(pc[PORT].full, 128, L"%ls %d baud", port, v->baud);
		swprintf(pc[PORT].brief, 48, L"%ls %d", port, v->baud);
	} else {
		swprintf(pc[PORT].full, 128, L"%ls", port);
	}

	wcscpy(pc[LINK].full, rp ? replay_words(v) : link_words(v->link));
	pc[LINK].attr = CG_A_REVERSE | CG_A_BOLD;
	pc[LINK].pair = v->link == CG_LINK_STATE_CONNECTED ? 0 : CG_ROLE_WARN;
	/* Paused, a replay says PAUSED already. */
	pc[LINK].dropped = rp && rp->paused && v->link == CG_LINK_STATE_CONNECTED;

	cg_widen_ascii(pc[DETAIL].full, 128, v->link_detail);
	pc[DETAIL].dropped = !pc[DETAIL].full[0];

	output_piece(&pc[REC], L"REC", &v->record);
	output_piece(&pc[LOG], L"LOG", &v->csv_log);
	output_piece(&pc[EVENTS], L"EVENTS", &v->event_log);

	/* The broker: connected, or away with what the queue dropped. */
	pc[MQTT].dropped = !v->mqtt.on;
	if (v->mqtt.on && v->mqtt.connected && !v->mqtt.dropped) {
		wcscpy(pc[MQTT].full, L"MQTT connected");
		wcscpy(pc[MQTT].brief, L"MQTT");
	} else if (v->mqtt.on) {
		swprintf(pc[MQTT].full, 128, L"MQTT %ls, %llu dropped",
			 v->mqtt.connected ? L"back" : L"broker away",
			 (unsigned long long)v->mqtt.dropped);
		swprintf(pc[MQTT].brief, 48, L"MQTT %ls %llu",
			 v->mqtt.connected ? L"ok" : L"down",
			 (unsigned long long)v->mqtt.dropped);
		pc[MQTT].pair = v->mqtt.connected ? 0 : CG_ROLE_WARN;
	}

	swprintf(pc[FPS].full, 128, L"%.1f frames/s", v->frames_per_s);
	swprintf(pc[FPS].brief, 48, L"%.1f/s", v->frames_per_s);

	swprintf(pc[REJECTED].full, 128, L"%llu rejected",
		 (unsigned long long)rejected);
	swprintf(pc[REJECTED].brief, 48, L"%llu rej",
		 (unsigned long long)rejected);

	if (cg_pack_cells_beyond_unit(p)) {
		swprintf(pc[CELLS].full, 128, L"--cells %u, but the unit sends %u",
			 p->config.cells, cg_pack_cells_beyond_unit(p));
		swprintf(pc[CELLS].brief, 48, L"--cells %u > %u channels",
			 p->config.cells, cg_pack_cells_beyond_unit(p));
		pc[CELLS].pair = CG_ROLE_WARN;
	} else if (cg_view_have(p, CG_REC_CELLS) && p->wired) {
		swprintf(pc[CELLS].full, 128, L"%u cells (%ls)", p->wired,
			 wired_words(p->wired_source));
		swprintf(pc[CELLS].brief, 48, L"%u cells (%ls)", p->wired,
			 wired_brief(p->wired_source));
	} else {
		wcscpy(pc[CELLS].full, L"cells not known yet");
	}
	wcscpy(pc[HELP].full, L"? help");

	for (size_t g = 0; g < sizeof(give_way) / sizeof(give_way[0]); g++) {
		struct piece *q = &pc[give_way[g]];

		if (pieces_width(pc, N, (int)wcslen(sep)) <= cg_crt_cols())
			break;
		if (q->pair == CG_ROLE_ALERT)
			continue; /* a failed write stays */
		if (q->brief[0] && !q->use_brief)
			q->use_brief = true;
		else
			q->dropped = true;
	}

	cg_crt_put_repeat(y, 0, cg_crt_cols(), CG_A_REVERSE, 0, L' ', cg_crt_cols());
	x = 1;
	for (int i = 0; i < N; i++) {
		if (pc[i].dropped)
			continue;
		if (x > 1)
			x = cg_crt_put(y, x, cg_crt_cols(), CG_A_REVERSE, 0, sep);
		x = cg_crt_put(y, x, cg_crt_cols(), pc[i].attr, pc[i].pair,
			pc[i].use_brief ? pc[i].brief : pc[i].full);
	}
}

/* Cuts msg at spaces into at most max lines of width columns; text that
 * does not fit ends the last line with an ellipsis. Returns the lines. */
static int wrap_text(const wchar_t *msg, int width, wchar_t out[][CG_TEXT_MAX],
		     int max)
{
	const wchar_t *s = msg;
	int n = 0;

	if (width > CG_TEXT_MAX - 1)
		width = CG_TEXT_MAX - 1;
	if (width < 4 || max < 1)
		return 0;
	while (*s == L' ')
		s++;
	while (*s && n < max) {
		int len = (int)wcslen(s), cut = len;

		if (len > width) {
			cut = width;
			while (cut > 0 && s[cut] != L' ')
				cut--;
			if (cut == 0)
				cut = width;
		}
		wmemcpy(out[n], s, (size_t)cut);
		out[n][cut] = L'\0';
		s += cut;
		while (*s == L' ')
			s++;
		n++;
	}
	if (*s && n > 0) {
		const wchar_t *more = cg_crt_glyph(L"\u2026", L"...");
		int room = width - (int)wcslen(more);
		wchar_t *last = out[n - 1];

		if ((int)wcslen(last) > room)
			last[room] = L'\0';
		wcscat(last, more);
	}
	return n;
}

/* The link doctor's words, wrapped to fit above the status line. */
int cg_statusbar_diagnosis(const struct cg_view *v,
			   wchar_t out[CG_DIAG_LINES_MAX][CG_TEXT_MAX])
{
	wchar_t msg[512];

	if (!v->diagnosis || !*v->diagnosis)
		return 0;
	cg_widen_text(msg, 512, v->diagnosis);
	return wrap_text(msg, cg_crt_cols() - 2, out, CG_DIAG_LINES_MAX);
}

void cg_statusbar_draw_diagnosis(int y,
				 wchar_t lines[CG_DIAG_LINES_MAX][CG_TEXT_MAX],
				 int n)
{
	for (int i = 0; i < n; i++) {
		cg_crt_put_repeat(y + i, 0, cg_crt_cols(), CG_A_BOLD | CG_A_REVERSE, CG_ROLE_WARN, L' ',
			   cg_crt_cols());
		cg_crt_put(y + i, 1, cg_crt_cols(), CG_A_BOLD | CG_A_REVERSE, CG_ROLE_WARN, lines[i]);
	}
}
