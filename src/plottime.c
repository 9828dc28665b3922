/*
 * plottime: the clock of the pictures (see plottime.h).
 */
#include "plottime.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil(int64_t days, int *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* A civil date to days since 1970-01-01. */
static int64_t days_of(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void cg_plottime_date(char *out, size_t cap, uint64_t ms)
{
	int y;
	unsigned m, d;

	civil((int64_t)(ms / CG_MS_DAY), &y, &m, &d);
	snprintf(out, cap, "%04d-%02u-%02u", y, m, d);
}

void cg_plottime_clock(char *out, size_t cap, uint64_t ms, bool seconds)
{
	uint64_t s = ms % CG_MS_DAY / 1000;

	if (seconds)
		snprintf(out, cap, "%02u:%02u:%02u", (unsigned)(s / 3600),
			 (unsigned)(s / 60 % 60), (unsigned)(s % 60));
	else
		snprintf(out, cap, "%02u:%02u", (unsigned)(s / 3600),
			 (unsigned)(s / 60 % 60));
}

void cg_plottime_span(char *out, size_t cap, uint64_t ms)
{
	uint64_t s = ms / 1000;

	if (s >= 86400)
		snprintf(out, cap, "%llu d %llu h", (unsigned long long)(s / 86400),
			 (unsigned long long)(s / 3600 % 24));
	else if (s >= 3600)
		snprintf(out, cap, "%llu h %llu min", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60));
	else if (s >= 60)
		snprintf(out, cap, "%llu min %llu s", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s >= 1)
		snprintf(out, cap, "%llu s", (unsigned long long)s);
	else
		snprintf(out, cap, "%llu ms", (unsigned long long)ms);
}

/* Reads 2 digits (or 4 when n = 4) at *p. */
static bool digits(const char **p, int n, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		v = v * 10 + (unsigned)((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* "HH:MM[:SS]" at *p into ms since midnight. */
static bool clock_part(const char **p, uint64_t *ms)
{
	unsigned hh, mm, ss = 0;

	if (!digits(p, 2, &hh) || **p != ':')
		return false;
	(*p)++;
	if (!digits(p, 2, &mm))
		return false;
	if (**p == ':') {
		(*p)++;
		if (!digits(p, 2, &ss))
			return false;
	}
	if (hh > 23 || mm > 59 || ss > 59)
		return false;
	*ms = ((uint64_t)hh * 3600 + mm * 60 + ss) * 1000;
	return true;
}

bool cg_plot_parse_time(const char *text, struct cg_plot_time *out)
{
	const char *p = text;
	unsigned y, m, d;
	uint64_t clock;

	if (!text)
		return false;
	if (strlen(text) <= 8) {
		if (!clock_part(&p, &clock) || *p)
			return false;
		*out = (struct cg_plot_time){ .set = true, .clock = true,
					      .ms = clock };
		return true;
	}
	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &m) ||
	    *p++ != '-' || !digits(&p, 2, &d) || (*p != 'T' && *p != ' '))
		return false;
	p++;
	if (!clock_part(&p, &clock))
		return false;
	if (*p == 'Z')
		p++;
	if (*p || y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	int64_t days = days_of((int)y, m, d);
	int yy;
	unsigned mm, dd;
	civil(days, &yy, &mm, &dd);
	if (mm != m || dd != d) /* 31 February */
		return false;
	*out = (struct cg_plot_time){
		.set = true, .ms = (uint64_t)days * CG_MS_DAY + clock,
	};
	return true;
}

int cg_plot_window(const struct cg_hist *h, const struct cg_plot_time *from,
		   const struct cg_plot_time *to, uint64_t *from_ms,
		   uint64_t *to_ms, struct cg_error *err)
{
	if (!h->any)
		return cg_error_set(err, EX_DATAERR,
			"no cell or status frames to plot: is it a Chargery "
			"recording or capture?");
	uint64_t day = h->first_ms / CG_MS_DAY * CG_MS_DAY;
	uint64_t f = h->first_ms, t = h->last_ms + 1000;
	if (from && from->set)
		f = from->clock ? day + from->ms : from->ms;
	if (to && to->set) {
		t = to->clock ? day + to->ms : to->ms;
		if (to->clock && t <= f)
			t += CG_MS_DAY;
	}
	if (f > h->last_ms || t <= h->first_ms) {
		char da[16], ca[16], db[16], cb[16];
		cg_plottime_date(da, sizeof(da), h->first_ms);
		cg_plottime_clock(ca, sizeof(ca), h->first_ms, true);
		cg_plottime_date(db, sizeof(db), h->last_ms);
		cg_plottime_clock(cb, sizeof(cb), h->last_ms, true);
		return cg_error_set(err, EX_DATAERR,
			"no data between --from and --to: the data runs from "
			"%s %s to %s %s UTC", da, ca, db, cb);
	}
	if (t <= f)
		return cg_error_set(err, EX_USAGE,
			"--to must come after --from");
	*from_ms = f;
	*to_ms = t;
	return 0;
}

