/* strbuf: see include/strbuf.h. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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

void cg_strbuf_tenths(struct cg_strbuf *sb, long tenths)
{
	long mag = labs(tenths);

	cg_strbuf_printf(sb, "%s%ld.%ld", tenths < 0 ? "-" : "", mag / 10,
			 mag % 10);
}

void cg_strbuf_thousandths(struct cg_strbuf *sb, unsigned long thousandths)
{
	cg_strbuf_printf(sb, "%lu.%03lu", thousandths / 1000,
			 thousandths % 1000);
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
