/*
 * strbuf: bounded text building in a caller's buffer, shared by the
 * formatters (JSON lines, CSV rows, --once snapshots).
 *
 * Pure: no allocation, no globals. Once something does not fit the buffer
 * is marked overflowed and later writes are ignored, so a formatter checks
 * once, at cg_strbuf_finish(), instead of after every piece.
 */
#ifndef CG_STRBUF_H
#define CG_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct cg_strbuf {
	char *buf;
	size_t cap;
	size_t len;
	bool overflow;
};

void cg_strbuf_init(struct cg_strbuf *sb, char *buf, size_t cap);

void cg_strbuf_printf(struct cg_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* len bytes of text as they are: the formatters' hot path, no printf. */
static inline void cg_strbuf_put(struct cg_strbuf *sb, const char *text,
				 size_t len)
{
	if (sb->overflow || sb->cap - sb->len <= len) {
		sb->overflow = true;
		return;
	}
	memcpy(sb->buf + sb->len, text, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

/* A string literal, its length known at compile time. */
#define CG_STRBUF_LIT(sb, lit) cg_strbuf_put((sb), "" lit, sizeof(lit) - 1)

/* A NUL-terminated string. */
void cg_strbuf_str(struct cg_strbuf *sb, const char *text);

/* An unsigned integer in decimal, without printf. */
void cg_strbuf_uint(struct cg_strbuf *sb, unsigned long value);

/* A value the BMS sends in tenths: -12 -> "-1.2". Printed from integers,
 * so it never gains digits it does not have nor turns into "-0.0". */
void cg_strbuf_tenths(struct cg_strbuf *sb, long tenths);

/* A value in thousandths (mV as V, mWh as Wh): 3325 -> "3.325". */
void cg_strbuf_thousandths(struct cg_strbuf *sb, unsigned long thousandths);

/*
 * The same numbers written straight to p, unchecked, for formatters that
 * size their buffer once for a whole line (a CSV row): each writes at most
 * CG_DIGITS_MAX bytes, no NUL, and returns the end of what it wrote.
 */
#define CG_DIGITS_MAX 24
char *cg_digits_uint(char *p, unsigned long value);
char *cg_digits_tenths(char *p, long tenths);
char *cg_digits_thousandths(char *p, unsigned long thousandths);

/* The length written, or 0 with an empty string if anything overflowed. */
size_t cg_strbuf_finish(struct cg_strbuf *sb);

#endif
