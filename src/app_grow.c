/*
 * app_grow: packs that arrive while the run goes on, one per BMS a
 * broker announces under PREFIX/+ (app.h, mqttwatch.h). A pack is
 * never removed: offline, its own source says so and it waits.
 */
#include "app.h"

#include <stdio.h>
#include <string.h>

#include "bank.h"
#include "clock.h"
#include "mqttsub.h"
#include "mqttwatch.h"
#include "sanitize.h"
#include "say.h"

#define GATHER_MS 1500 /* the names announced already (retained) */

bool cg_app_keep_history(const struct app *a)
{
	return a->opt.plot_path || cg_options_table(&a->opt);
}

static bool every_bms(const char *path)
{
	size_t len = strlen(path);

	return cg_mqtt_is_url(path) && len > 2 &&
	       strcmp(path + len - 2, "/+") == 0;
}

int cg_app_open_watches(struct app *a, const struct cg_source_arg *args,
			int n, struct cg_source_arg *packs, int *np,
			struct cg_error *err)
{
	*np = 0;
	for (int i = 0; i < n; i++) {
		if (!every_bms(args[i].path)) {
			packs[(*np)++] = args[i];
			continue;
		}
		a->watch[a->nwatch] = cg_mqttwatch_open(args[i].path,
			a->opt.mqtt_cafile, cg_clock_ms(), err);
		if (!a->watch[a->nwatch])
			return -1;
		a->nwatch++;
	}
	return 0;
}

int cg_app_gather(struct app *a, const sigset_t *wait_mask,
		  struct cg_error *err)
{
	for (int i = 0; i < a->nwatch; i++) {
		const char *url, *name;
		char note[CG_MQTTWATCH_NOTE_MAX];
		int before = a->n;
		if (cg_mqttwatch_gather(a->watch[i], GATHER_MS, wait_mask, err) < 0)
			return -1;
		while (cg_mqttwatch_step(a->watch[i], cg_clock_ms(), false,
					 &url, &name, note, sizeof(note)))
			if (url && cg_bank_add(a->bms, &a->n, url, &a->opt,
					       cg_clock_ms(), err) < 0)
				return -1;
		/* Nobody there yet: the packs come as they go online. The
		 * table says so on screen; a run without it says so here,
		 * once. --once answers below. */
		if (a->n == before && !a->opt.once && !cg_options_table(&a->opt))
			cg_sayf("waiting for packs under %s: none is online "
				"yet; each is read as it comes online",
				cg_mqttwatch_where(a->watch[i]));
	}
	if (a->n == 0 && a->nwatch && a->opt.once)
		return cg_mqttwatch_none(a->watch[0], err);
	return 0;
}

const char *cg_app_waiting_note(const struct app *a)
{
	if (a->n || !a->watch_note[0])
		return NULL;
	for (int i = 0; i < a->nwatch; i++)
		if (!cg_mqttwatch_up(a->watch[i]))
			return a->watch_note;
	return NULL;
}

const char *cg_app_waiting(const struct app *a, char *out, size_t cap)
{
	size_t len = 0;

	if (a->n || !a->nwatch || cap == 0)
		return NULL;
	out[0] = '\0';
	for (int i = 0; i < a->nwatch && len < cap; i++) {
		int k = snprintf(out + len, cap - len, "%s%s", i ? ", " : "",
				 cg_mqttwatch_where(a->watch[i]));
		if (k < 0)
			break;
		len += (size_t)k;
	}
	return out;
}

/* One more pack, with its outputs, on the table at once. Returns 0, or
 * the exit code of an output that cannot be opened. */
static int add_pack(struct app *a, const char *url, uint64_t now)
{
	struct cg_error err;
	int i = a->n;

	if (cg_bank_add(a->bms, &a->n, url, &a->opt, now, &err) < 0) {
		if (!a->tui)
			cg_say(err.message);
		return 0;
	}
	struct cg_bms *b = &a->bms[i];
	if (cg_bank_check_outputs(a->bms, a->n, false, &err) < 0 ||
	    cg_bms_open_outputs(b, &err) < 0) {
		b->fatal_error = err;
		return err.exit_code;
	}
	b->tui = a->tui;
	cg_bms_init(b, cg_app_keep_history(a), url);
	if (a->tui)
		cg_tui_set_packs(a->n);
	else
		cg_sayf("%s: announced on the broker; reading %s", b->label, url);
	a->dirty = true;
	return 0;
}

int cg_app_watch(struct app *a, int w, uint64_t now, bool readable)
{
	const char *url, *name;
	char note[CG_MQTTWATCH_NOTE_MAX];
	int rc;

	while (cg_mqttwatch_step(a->watch[w], now, readable, &url, &name,
				 note, sizeof(note))) {
		readable = false;
		if (url && (rc = add_pack(a, url, now)) != 0)
			return rc;
		if (url)
			continue;
		if (a->n) {
			a->bms[0].data_wall_ms = cg_clock_wall_ms();
			cg_bms_note_event(&a->bms[0], note);
		} else {
			/* No pack's events to go to: the waiting screen. */
			cg_sanitize(a->watch_note, sizeof(a->watch_note), note);
			a->dirty = true;
		}
		if (!a->tui)
			cg_say(note);
	}
	return 0;
}
