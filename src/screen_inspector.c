/*
 * screen_inspector: key i, where the bytes went. The framer's counters,
 * the decoder's rejects by reason, the firmware the frame lengths reveal,
 * and the last good frame of each kind in hex (never raw) beside the
 * fields the decoder read from it, all from the inspection module
 * (inspect.h). A 24-cell unit's frames do not fit 24 lines, so it scrolls.
 */
#include "screen_inspector.h"

#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "inspect.h"

#define DECODED_MIN_W 28 /* decoded fields beside the hex */

/* The scroll, and what the last draw measured. */
static struct {
	int scroll;
	int scroll_max;
	int scroll_page;
} insp;

static struct cg_item *count_item(struct cg_items *it, bool new_line,
			       const wchar_t *label, uint64_t n)
{
	struct cg_item *i = cg_items_add(it, 0, new_line, CG_A_NORMAL, 0);

	swprintf(i->text, CG_TEXT_MAX, L"%ls %llu", label, (unsigned long long)n);
	return i;
}

/* Checksum-valid frames of a length this version cannot read: a firmware
 * variant not known yet, one line for each kind (command and length). */
static void variant_items(const struct cg_framer_stats *f, struct cg_items *it)
{
	struct cg_item *i;

	if (!f->unknown_variants)
		return;
	i = cg_items_add(it, 0, true, CG_A_BOLD, CG_ROLE_WARN);
	swprintf(i->text, CG_TEXT_MAX, L"unknown frame variants %llu "
		 L"(please send a recording, --record):",
		 (unsigned long long)f->unknown_variants);
	for (unsigned k = 0; k < CG_FRAMER_VARIANTS; k++) {
		const struct cg_framer_variant *var = &f->variants[k];

		if (!var->count)
			continue;
		i = cg_items_add(it, 0, false, CG_A_NORMAL, CG_ROLE_WARN);
		swprintf(i->text, CG_TEXT_MAX, L"0x%02X of %u bytes: %lu",
			 var->cmd, var->len, (unsigned long)var->count);
	}
}

/* Where the bytes went: framer, decoder, frame types and firmware. */
static void inspector_counters(const struct cg_view *v, struct cg_items *it)
{
	static const wchar_t *const type_names[CG_REC_TYPES] = {
		L"0x56 cells", L"0x57 status", L"0x58 impedance"
	};
	const struct cg_framer_stats *f = v->framer;
	const struct cg_inspect *in = v->inspect;
	wchar_t name[CG_TEXT_MAX], fw[CG_TEXT_MAX];
	struct cg_item *i;

	it->n = 0;
	if (f) {
		count_item(it, true, L"framer: bytes", f->bytes);
		count_item(it, false, L"frames", f->frames);
		count_item(it, false, L"junk bytes", f->junk_bytes);
		count_item(it, false, L"bad checksum", f->bad_checksum);
		count_item(it, false, L"bad length", f->bad_length);
		count_item(it, false, L"unknown cmd", f->unknown_cmd);
		count_item(it, false, L"resyncs", f->resyncs);
		variant_items(f, it);
	} else {
		i = cg_items_add(it, 0, true, CG_A_DIM, 0);
		wcscpy(i->text, L"framer: no counters");
	}

	/* The framer already drops the malformed frames, so the decoder's
	 * other reasons are listed only when they happen. */
	i = cg_items_add(it, 0, true, CG_A_NORMAL, 0);
	wcscpy(i->text, L"decoder rejected:");
	for (int k = 1, first = 1; k <= 4; k++) {
		uint64_t n = in ? cg_inspect_rejected(
					 in, (enum cg_decode_result)-k) : 0;

		if (!in && k == -CG_DECODE_IMPLAUSIBLE)
			n = v->implausible;
		if (n == 0 && k != -CG_DECODE_IMPLAUSIBLE)
			continue;
		cg_widen_ascii(name, CG_TEXT_MAX,
			    cg_decode_result_name((enum cg_decode_result)-k));
		count_item(it, false, name, n)->tight = first;
		first = 0;
	}

	for (int t = 0; t < CG_REC_TYPES; t++) {
		swprintf(name, CG_TEXT_MAX, L"%ls%ls", t ? L"" : L"frames: ",
			 type_names[t]);
		count_item(it, t == 0, name, v->pack->count[t]);
	}

	i = cg_items_add(it, 0, true, CG_A_NORMAL, 0);
	if (in && cg_inspect_firmware(in) && *cg_inspect_firmware(in)) {
		cg_widen_text(fw, CG_TEXT_MAX - 16, cg_inspect_firmware(in));
		swprintf(i->text, CG_TEXT_MAX, L"firmware: %ls", fw);
	} else {
		wcscpy(i->text, L"firmware: unknown yet");
	}
}

static struct cg_item *field(struct cg_items *it, bool tight, const wchar_t *fmt,
			  ...)
{
	struct cg_item *i = cg_items_add(it, 0, false, CG_A_NORMAL, 0);
	va_list ap;

	va_start(ap, fmt);
	vswprintf(i->text, CG_TEXT_MAX, fmt, ap);
	va_end(ap);
	i->tight = tight;
	return i;
}

/* The fields of one frame as the decoder read them when it arrived. */
static void decoded_items(const struct cg_record *rec, struct cg_items *it)
{
	const wchar_t *deg = cg_crt_glyph(L"\u00b0C", L"C");
	wchar_t a[32], b[32];

	it->n = 0;
	switch (rec->type) {
	case CG_REC_CELLS: {
		const struct cg_cells *c = &rec->u.cells;

		field(it, false, L"%u channels, mV:", c->count);
		for (unsigned k = 0; k < c->count && k < CG_MAX_CELLS; k++)
			field(it, k > 0, L"%u", c->mv[k]);
		if (c->has_energy) {
			field(it, false, L"%lu.%03lu Wh",
			      (unsigned long)(c->energy_mwh / 1000),
			      (unsigned long)(c->energy_mwh % 1000));
			field(it, false, L"%lu.%03lu Ah",
			      (unsigned long)(c->charge_mah / 1000),
			      (unsigned long)(c->charge_mah % 1000));
		} else {
			field(it, false, L"no Wh/Ah (before V1.24)");
		}
		break;
	}
	case CG_REC_STATUS: {
		const struct cg_status *st = &rec->u.status;

		cg_fmt_mv(a, 32, st->charge_end_mv);
		field(it, false, L"charge-end %ls V", a);
		if (st->has_mode) {
			cg_widen_ascii(b, 32, cg_mode_name(st->mode));
			cg_fmt_tenths(a, 32, st->current_da, true);
			field(it, false, L"%ls %ls A", b, a);
		} else {
			cg_fmt_tenths(a, 32, st->current_da, false);
			field(it, false, L"%ls A, no mode (before V1.21)", a);
		}
		if (st->has_soc)
			field(it, false, L"SOC %u %%", st->soc_pct);
		else
			field(it, false, L"no SOC");
		cg_fmt_tenths(a, 32, st->t1_dc, false);
		cg_fmt_tenths(b, 32, st->t2_dc, false);
		field(it, false, L"T1 %ls %ls", a, deg);
		field(it, false, L"T2 %ls %ls", b, deg);
		if (st->has_protection) {
			cg_fmt_mv(a, 32, st->discharge_end_mv);
			field(it, false, L"discharge-end %ls V", a);
			field(it, false, L"charge prot %ls",
			      st->charge_protect ? L"ON" : L"off");
			field(it, false, L"discharge prot %ls",
			      st->discharge_protect ? L"ON" : L"off");
		} else {
			field(it, false, L"no protection fields (before V1.26)");
		}
		break;
	}
	case CG_REC_IMPEDANCE: {
		const struct cg_impedance *imp = &rec->u.impedance;

		cg_widen_ascii(b, 32, cg_mode_name(imp->mode));
		cg_fmt_tenths(a, 32, imp->current_da, true);
		field(it, false, L"%ls %ls A", b, a);
		field(it, false, L"%u cells, %ls:", imp->count,
		      cg_crt_glyph(L"m\u03a9", L"mOhm"));
		for (unsigned k = 0; k < imp->count && k < CG_MAX_CELLS; k++) {
			cg_fmt_tenths(a, 32, imp->impedance_dmohm[k], false);
			field(it, k > 0, L"%ls", a);
		}
		break;
	}
	case CG_REC_TYPES:
		break;
	}
}

/* One frame: its bytes in hex (never raw), its fields beside them when
 * there is room, else below. Returns the line after it. */
static int draw_frame(const wchar_t *name, const struct cg_frame *fr,
		      const struct cg_record *rec, int y, int bottom)
{
	static struct cg_items fields;
	int len = fr->len <= CG_FRAME_MAX ? fr->len : CG_FRAME_MAX;
	int per_line = 16, hex_lines, dx, dy, dl;
	wchar_t title[CG_TEXT_MAX];
	bool beside;

	if (cg_crt_cols() < per_line * 3 - 1 + 2 + DECODED_MIN_W) {
		per_line = (cg_crt_cols() + 1) / 3 / 4 * 4;
		if (per_line > 16)
			per_line = 16;
		if (per_line < 4)
			per_line = 4;
	}
	beside = cg_crt_cols() >= per_line * 3 - 1 + 2 + DECODED_MIN_W;
	hex_lines = len ? (len + per_line - 1) / per_line : 1;

	swprintf(title, CG_TEXT_MAX, L"%ls, %d bytes", name, len);
	cg_crt_put(y++, 0, cg_crt_cols(), CG_A_BOLD, 0, title);
	for (int line = 0; line < hex_lines && y + line < bottom; line++) {
		wchar_t hex[16 * 3 + 1];
		int n = 0;

		for (int k = line * per_line; k < len && k < (line + 1) * per_line;
		     k++)
			n += swprintf(hex + n, 4, n ? L" %02X" : L"%02X",
				      fr->bytes[k]);
		hex[n] = L'\0';
		cg_crt_put(y + line, 0, cg_crt_cols(), CG_A_NORMAL, 0, hex);
	}

	decoded_items(rec, &fields);
	dx = beside ? per_line * 3 - 1 + 2 : 0;
	dy = beside ? y : y + hex_lines;
	dl = cg_screen_items(&fields, 0, dx, cg_crt_cols() - dx, dy, bottom);
	return (dy + dl > y + hex_lines ? dy + dl : y + hex_lines);
}

/* The inspector's lines from y on, as if the screen had no bottom (cg_crt_put()
 * clips). Returns the line after the last. */
static int inspector_body(const struct cg_view *v, int y)
{
	static const wchar_t *const type_names[CG_REC_TYPES] = {
		L"last 0x56 cells", L"last 0x57 status", L"last 0x58 impedance"
	};
	static struct cg_items counters;
	const struct cg_inspect *in = v->inspect;
	const int no_bottom = INT_MAX / 2;

	inspector_counters(v, &counters);
	y += cg_screen_items(&counters, 0, 0, cg_crt_cols(), y, no_bottom);
	for (int t = 0; t < CG_REC_TYPES; t++) {
		if (!in || !in->have_last[t]) {
			wchar_t none[CG_TEXT_MAX];

			swprintf(none, CG_TEXT_MAX, L"%ls: none yet",
				 type_names[t]);
			cg_crt_put(y++, 0, cg_crt_cols(), CG_A_DIM, 0, none);
			continue;
		}
		y = draw_frame(type_names[t], &in->last[t], &in->decoded[t], y,
			       no_bottom);
	}
	return y;
}

/*
 * Key i: counters, firmware and the last frame of each type. A 24-cell
 * unit's frames do not fit 24 lines, so below the title the body scrolls
 * (arrows, PgUp/PgDn, Home/End), and the title says where it stands.
 */
void cg_screen_inspector_draw(const struct cg_view *v, int bottom)
{
	wchar_t title[CG_TEXT_MAX];
	int total;

	/* Measure first (nothing drawn), so the scroll can be clamped. */
	cg_crt_clip(0, 0, 0);
	total = inspector_body(v, 1) - 1;
	insp.scroll_page = bottom - 1 > 1 ? bottom - 1 : 1;
	insp.scroll_max = total > insp.scroll_page ? total - insp.scroll_page : 0;
	if (insp.scroll > insp.scroll_max)
		insp.scroll = insp.scroll_max;

	cg_crt_clip(insp.scroll, 1, bottom);
	inspector_body(v, 1);
	cg_crt_unclip();

	if (insp.scroll_max == 0)
		swprintf(title, CG_TEXT_MAX, L"Inspector (i to return)");
	else
		swprintf(title, CG_TEXT_MAX, L"Inspector (i to return; lines %d-%d "
			 "of %d: arrows, PgUp/PgDn, g/G scroll)",
			 insp.scroll + 1, insp.scroll + insp.scroll_page, total);
	cg_crt_put(0, 0, cg_crt_cols(), CG_A_BOLD, 0, title);
}

bool cg_screen_inspector_key(enum cg_key_action action)
{
	int to = insp.scroll;

	switch (action) {
	case CG_KEY_LINE_UP:
		to--;
		break;
	case CG_KEY_LINE_DOWN:
		to++;
		break;
	case CG_KEY_PAGE_UP:
		to -= insp.scroll_page;
		break;
	case CG_KEY_PAGE_DOWN:
		to += insp.scroll_page;
		break;
	case CG_KEY_TOP:
		to = 0;
		break;
	case CG_KEY_BOTTOM:
		to = insp.scroll_max;
		break;
	default:
		return false;
	}
	insp.scroll = to < 0 ? 0 : to > insp.scroll_max ? insp.scroll_max : to;
	return true;
}
