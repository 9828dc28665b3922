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

char *cg_digits_uint(char *p, unsigned long value)
{
	unsigned long v = value;
	unsigned n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	for (char *q = p + n; q > p; value /= 10)
		*--q = (char)('0' + value % 10);
	return p + n;
}

char *cg_digits_tenths(char *p, long tenths)
{
	/* Unsigned negation: LONG_MIN has no positive long. */
	unsigned long mag = tenths < 0 ? 0ul - (unsigned long)tenths
				       : (unsigned long)tenths;

	if (tenths < 0)
		*p++ = '-';
	p = cg_digits_uint(p, mag / 10);
	p[0] = '.';
	p[1] = (char)('0' + mag % 10);
	return p + 2;
}

char *cg_digits_thousandths(char *p, unsigned long thousandths)
{
	unsigned long whole = thousandths / 1000;
	unsigned frac = (unsigned)(thousandths - whole * 1000);

	if (whole < 10) /* a cell: most numbers in a CSV log */
		*p++ = (char)('0' + whole);
	else
		p = cg_digits_uint(p, whole);
	p[0] = '.';
	p[1] = (char)('0' + frac / 100);
	p[2] = (char)('0' + frac / 10 % 10);
	p[3] = (char)('0' + frac % 10);
	return p + 4;
}

void cg_strbuf_uint(struct cg_strbuf *sb, unsigned long value)
{
	char text[CG_DIGITS_MAX];

	cg_strbuf_put(sb, text, (size_t)(cg_digits_uint(text, value) - text));
}

void cg_strbuf_tenths(struct cg_strbuf *sb, long tenths)
{
	char text[CG_DIGITS_MAX];

	cg_strbuf_put(sb, text, (size_t)(cg_digits_tenths(text, tenths) - text));
}

void cg_strbuf_thousandths(struct cg_strbuf *sb, unsigned long thousandths)
{
	char text[CG_DIGITS_MAX];

	cg_strbuf_put(sb, text,
		      (size_t)(cg_digits_thousandths(text, thousandths) - text));
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
