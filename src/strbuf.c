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

/* "00" to "99": two digits for one division. */
static const char two_digits[] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

static unsigned digit_count(unsigned long v)
{
	for (unsigned n = 1;; n += 4, v /= 10000) {
		if (v < 10)
			return n;
		if (v < 100)
			return n + 1;
		if (v < 1000)
			return n + 2;
		if (v < 10000)
			return n + 3;
	}
}

char *cg_digits_uint(char *p, unsigned long value)
{
	char *end = p + digit_count(value), *t = end;

	for (; value >= 100; value /= 100) {
		const char *two = two_digits + 2 * (value % 100);
		*--t = two[1];
		*--t = two[0];
	}
	if (value >= 10) {
		t[-1] = two_digits[2 * value + 1];
		t[-2] = two_digits[2 * value];
	} else {
		t[-1] = (char)('0' + value);
	}
	return end;
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

/* Whether any number fits, with its NUL: then it is written in place. */
static char *room_for_digits(struct cg_strbuf *sb)
{
	return !sb->overflow && sb->cap - sb->len > CG_DIGITS_MAX
		       ? sb->buf + sb->len : NULL;
}

static void wrote_digits(struct cg_strbuf *sb, char *end)
{
	*end = '\0';
	sb->len = (size_t)(end - sb->buf);
}

void cg_strbuf_uint(struct cg_strbuf *sb, unsigned long value)
{
	char text[CG_DIGITS_MAX], *p = room_for_digits(sb);

	if (p)
		wrote_digits(sb, cg_digits_uint(p, value));
	else
		cg_strbuf_put(sb, text,
			      (size_t)(cg_digits_uint(text, value) - text));
}

void cg_strbuf_tenths(struct cg_strbuf *sb, long tenths)
{
	char text[CG_DIGITS_MAX], *p = room_for_digits(sb);

	if (p)
		wrote_digits(sb, cg_digits_tenths(p, tenths));
	else
		cg_strbuf_put(sb, text,
			      (size_t)(cg_digits_tenths(text, tenths) - text));
}

void cg_strbuf_thousandths(struct cg_strbuf *sb, unsigned long thousandths)
{
	char text[CG_DIGITS_MAX], *p = room_for_digits(sb);

	if (p)
		wrote_digits(sb, cg_digits_thousandths(p, thousandths));
	else
		cg_strbuf_put(sb, text, (size_t)(cg_digits_thousandths(
						 text, thousandths) - text));
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
