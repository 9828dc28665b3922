/* strbuf: see include/strbuf.h. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cg_strbuf_init(struct cg_strbuf *sb, char *buf, size_t cap)
{
	*sb = (struct cg_strbuf){ .buf = buf, .cap = cap };
	if (cap)
		buf[0] = '\0';
}

void cg_strbuf_printf(struct cg_strbuf *sb, const char *fmt, ...)
{
	size_t room = sb->len < sb->cap ? sb->cap - sb->len : 0;
	va_list ap;

	if (sb->overflow)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		sb->overflow = true;
		return;
	}
	sb->len += (size_t)n;
}

void cg_strbuf_str(struct cg_strbuf *sb, const char *text)
{
	cg_strbuf_put(sb, text, strlen(text));
}

/* Writes value's digits at the end of a 20-byte area; returns the first. */
static char *digits(char *end, unsigned long value)
{
	char *p = end;

	do {
		*--p = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	return p;
}

void cg_strbuf_uint(struct cg_strbuf *sb, unsigned long value)
{
	char text[24];
	char *first = digits(text + sizeof(text), value);

	cg_strbuf_put(sb, first, (size_t)(text + sizeof(text) - first));
}

/* whole "." then places decimals of frac, zero-padded, sign first. */
static void put_fixed(struct cg_strbuf *sb, bool negative, unsigned long whole,
		      unsigned long frac, unsigned places)
{
	char text[32];
	char *end = text + sizeof(text);
	char *p = end;

	for (unsigned i = 0; i < places; i++) {
		*--p = (char)('0' + frac % 10);
		frac /= 10;
	}
	*--p = '.';
	p = digits(p, whole);
	if (negative)
		*--p = '-';
	cg_strbuf_put(sb, p, (size_t)(end - p));
}

void cg_strbuf_tenths(struct cg_strbuf *sb, long tenths)
{
	/* Unsigned negation: LONG_MIN has no positive long. */
	unsigned long mag = tenths < 0 ? 0ul - (unsigned long)tenths
				       : (unsigned long)tenths;

	put_fixed(sb, tenths < 0, mag / 10, mag % 10, 1);
}

void cg_strbuf_thousandths(struct cg_strbuf *sb, unsigned long thousandths)
{
	put_fixed(sb, false, thousandths / 1000, thousandths % 1000, 3);
}

size_t cg_strbuf_finish(struct cg_strbuf *sb)
{
	if (sb->overflow) {
		if (sb->cap)
			sb->buf[0] = '\0';
		return 0;
	}
	return sb->len;
}
