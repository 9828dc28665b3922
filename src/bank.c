/*
 * bank: the packs of one run, opened from the command line (bank.h).
 */
#include "bank.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "appendfile.h"
#include "mqttsub.h"
#include "packname.h"

/* The /dev/serial/by-id name of the port at path, into out (or ""). */
static void find_by_id(const char *path, char *out, size_t cap)
{
	static const char dir[] = "/dev/serial/by-id";
	char want[PATH_MAX], got[PATH_MAX], link[PATH_MAX];

	out[0] = '\0';
	if (strncmp(path, dir, sizeof(dir) - 1) == 0) {
		snprintf(out, cap, "%s", path);
		return;
	}
	if (!realpath(path, want))
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		if (realpath(link, got) && strcmp(got, want) == 0) {
			snprintf(out, cap, "%s", e->d_name);
			break;
		}
	}
	closedir(d);
}

/* Opens one source into b, with its doctor. */
static int open_one(struct cg_bms *b, const char *path, bool replay,
		    const struct cg_options *opt, uint64_t now,
		    struct cg_error *err)
{
	b->opt = opt;
	b->path = path;
	b->replay = replay;
	if (b->replay)
		/* Nobody watches a run without the table: no pacing. */
		b->src = cg_source_replay_open(b->path,
			cg_options_table(opt) || opt->speed,
			opt->speed, now, err);
	else
		b->src = cg_source_open(b->path, opt->baud,
			opt->demo ? "demo (simulator)" : NULL,
			opt->mqtt_cafile, now, err);
	if (!b->src)
		return -1;
	if (opt->start_us && b->replay)
		cg_source_replay_start_at(b->src, opt->start_us, now);
	b->opened_at_ms = now;
	/* Every source has a doctor for its link state; only a live
	 * one gets its diagnosis shown. */
	b->doctoring = b->src->live;
	cg_doctor_init(&b->doctor, b->path, opt->baud, b->src->can_hunt);
	if (b->src->network)
		cg_doctor_network(&b->doctor);
	/* Another chargery-top through a broker: the doctor says so. */
	if (b->src->remote[0])
		cg_doctor_remote(&b->doctor, b->src->remote);
	cg_doctor_opened(&b->doctor, now);
	b->diagnosis = cg_doctor_diagnose(&b->doctor, now);
	return 0;
}

/* The label a source gets when none is given: a broker's pack goes by its
 * NAME, a port by its by-id name, the rest as packname.h says. */
static void default_label(const char *path, bool replay,
			  char out[CG_PACKNAME_MAX])
{
	char by_id[PATH_MAX] = "";
	struct cg_mqtt_src_url url;
	struct cg_error ignored;

	if (!replay && cg_mqtt_is_url(path) &&
	    cg_mqtt_src_url_parse(path, &url, &ignored) == 0) {
		cg_packname_default(url.name, NULL, out);
		return;
	}
	if (!replay && !strstr(path, "://"))
		find_by_id(path, by_id, sizeof(by_id));
	cg_packname_default(path, by_id, out);
}

int cg_bank_open(struct cg_bms *bms, int *opened,
		 const struct cg_source_arg *args, int n,
		 const struct cg_options *opt, uint64_t now,
		 struct cg_error *err)
{
	*opened = 0;
	for (int i = 0; i < n; i++) {
		if (open_one(&bms[i], args[i].path, args[i].replay, opt, now,
			     err) < 0)
			return -1;
		*opened = i + 1;
	}

	/* Names: given, else the by-id name, the host, the file name. */
	char labels[CG_MAX_SOURCES][CG_PACKNAME_MAX];
	for (int i = 0; i < n; i++) {
		if (args[i].name[0])
			snprintf(labels[i], CG_PACKNAME_MAX, "%s", args[i].name);
		else
			default_label(args[i].path, args[i].replay, labels[i]);
	}
	cg_packname_unique(labels, n);
	for (int i = 0; i < n; i++) {
		struct cg_bms *b = &bms[i];
		memcpy(b->label, labels[i], CG_PACKNAME_MAX);
		b->labelled = n > 1 || opt->growing;
		if (cg_bms_set_paths(b, opt, err) < 0)
			return -1;
	}
	return 0;
}

int cg_bank_add(struct cg_bms *bms, int *n, const char *path,
		const struct cg_options *opt, uint64_t now,
		struct cg_error *err)
{
	char labels[CG_MAX_SOURCES][CG_PACKNAME_MAX];
	struct cg_bms *b = &bms[*n];

	if (*n >= CG_MAX_SOURCES)
		return cg_error_set(err, EX_SOFTWARE, "%.200s: %d packs at most",
				    path, CG_MAX_SOURCES);
	memset(b, 0, sizeof(*b));
	if (open_one(b, path, false, opt, now, err) < 0)
		return -1;
	for (int i = 0; i < *n; i++)
		memcpy(labels[i], bms[i].label, CG_PACKNAME_MAX);
	default_label(path, false, labels[*n]);
	cg_packname_unique(labels, *n + 1);
	memcpy(b->label, labels[*n], CG_PACKNAME_MAX);
	b->labelled = true;
	if (cg_bms_set_paths(b, opt, err) < 0) {
		cg_source_close(b->src);
		b->src = NULL;
		return -1;
	}
	(*n)++;
	return 0;
}

int cg_bank_check_outputs(const struct cg_bms *bms, int n_packs, bool demo,
			  struct cg_error *err)
{
	struct { const char *option, *path; } out[3 * CG_MAX_SOURCES];
	size_t n = 0;

	for (int i = 0; i < n_packs; i++) {
		const struct cg_bms *b = &bms[i];
		const char *const options[] = { "--record", "--events", "--log" };
		const char *const paths[] = { b->record_path, b->events_path,
					      b->log_path };
		for (size_t k = 0; k < 3; k++)
			if (paths[k][0]) {
				out[n].option = options[k];
				out[n++].path = paths[k];
			}
	}
	for (size_t i = 0; i < n; i++) {
		/* Devices (/dev/null, a terminal) take lines from anyone. */
		struct stat st;
		bool device = stat(out[i].path, &st) == 0 &&
			      S_ISCHR(st.st_mode);
		for (size_t j = i + 1; j < n && !device; j++)
			if (cg_appendfile_same_path(out[i].path, out[j].path))
				return cg_error_set(err, EX_USAGE, "%s %s and "
					"%s %s are one file: give each its "
					"own file", out[i].option, out[i].path,
					out[j].option, out[j].path);
		for (int k = 0; k < n_packs; k++) {
			const struct cg_bms *b = &bms[k];
			if (demo || strcmp(b->path, "-") == 0 ||
			    !cg_appendfile_same_path(out[i].path, b->path))
				continue;
			if (!b->replay)
				return cg_error_set(err, EX_USAGE, "%s %s is "
					"the port being read: give %s a file "
					"of its own", out[i].option,
					out[i].path, out[i].option);
			return cg_error_set(err, EX_USAGE, "%s %s is the "
				"recording being replayed: give %s a file of "
				"its own", out[i].option, out[i].path,
				out[i].option);
		}
	}
	return 0;
}

