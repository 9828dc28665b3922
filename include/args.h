/*
 * args: numbers from command-line options, read strictly: the whole
 * argument must be the number ("12abc", "" and "1e999" are refused), and
 * within [min, max]. Both programs read their options through these, so
 * they accept and refuse the same way.
 *
 * Pure: strtoll/strtod on the given text; *out is set only on success.
 */
#ifndef CG_ARGS_H
#define CG_ARGS_H

#include <stdbool.h>

bool cg_args_integer(const char *text, long long min, long long max,
		     long long *out);

/* Finite numbers only: "inf" and "nan" are refused. */
bool cg_args_number(const char *text, double min, double max, double *out);

#endif
