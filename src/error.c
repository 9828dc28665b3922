/*
 * error: formatting into struct cg_error. Messages carry paths of up to
 * PATH_MAX, so one can be longer than the buffer: vsnprintf cuts it, which
 * is the wanted behaviour (a cut message beats none).
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cg_error_set(struct cg_error *err, int exit_code, const char *format,
		 ...)
{
	va_list args;

	err->exit_code = exit_code;
	va_start(args, format);
	vsnprintf(err->message, sizeof(err->message), format, args);
	va_end(args);
	return -1;
}

void cg_error_append(struct cg_error *err, const char *format, ...)
{
	size_t used = strnlen(err->message, sizeof(err->message));
	va_list args;

	if (used + 1 >= sizeof(err->message))
		return;
	va_start(args, format);
	vsnprintf(err->message + used, sizeof(err->message) - used, format,
		  args);
	va_end(args);
}
