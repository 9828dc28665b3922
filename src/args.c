/*
 * args: strict number parsing for options. errno is saved and restored:
 * a caller's errno is not this module's to change.
 */
#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

bool cg_args_integer(const char *text, long long min, long long max,
		     long long *out)
{
	int saved = errno;
	char *end;
	long long value;
	bool ok;

	errno = 0;
	value = strtoll(text, &end, 10);
	ok = errno == 0 && end != text && *end == '\0' && value >= min &&
	     value <= max;
	errno = saved;
	if (ok)
		*out = value;
	return ok;
}

bool cg_args_number(const char *text, double min, double max, double *out)
{
	int saved = errno;
	char *end;
	double value;
	bool ok;

	errno = 0;
	value = strtod(text, &end);
	ok = errno == 0 && end != text && *end == '\0' && isfinite(value) &&
	     value >= min && value <= max;
	errno = saved;
	if (ok)
		*out = value;
	return ok;
}
