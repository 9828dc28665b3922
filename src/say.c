/*
 * say: sanitised messages on stderr (see say.h).
 */
#include "say.h"

#include <stdarg.h>
#include <stdio.h>

#include "error.h"
#include "options.h"
#include "sanitize.h"

void cg_say(const char *message)
{
	char safe[2 * CG_ERROR_MAX];

	cg_sanitize_message(safe, sizeof(safe), message);
	fprintf(stderr, CG_PROGRAM ": %s\n", safe);
}

void cg_sayf(const char *format, ...)
{
	char text[CG_ERROR_MAX];
	va_list ap;

	va_start(ap, format);
	vsnprintf(text, sizeof(text), format, ap);
	va_end(ap);
	cg_say(text);
}
