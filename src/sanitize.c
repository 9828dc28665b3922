/*
 * sanitize: text from outside, safe for a terminal (see sanitize.h).
 */
#include "sanitize.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid, printable UTF-8 character at s (1-4), or 0 when
 * the bytes there are a control, a C1 control or not valid UTF-8. */
static size_t safe_char(const unsigned char *s)
{
	unsigned char c = s[0];
	uint32_t cp;
	size_t len;

	if (c < 0x20 || c == 0x7f)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0fu;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07u;
	} else {
		return 0; /* a continuation byte alone, 0xc0/0xc1, 0xf5.. */
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0u) != 0x80u)
			return 0; /* also stops at the terminating NUL */
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* Overlong forms, surrogates, past U+10FFFF, the C1 controls. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

static size_t copy(char *dst, size_t cap, const char *src, bool lines)
{
	const unsigned char *s = (const unsigned char *)(src ? src : "");
	size_t out = 0;

	if (cap == 0)
		return 0;
	while (*s) {
		size_t n = safe_char(s);
		char one = '?';

		if (n == 0 && lines && *s == '\n')
			one = '\n';
		else if (n == 0 && lines && *s == '\t')
			one = ' ';
		if (n == 0) {
			if (out + 1 >= cap)
				break;
			dst[out++] = one;
			s++;
			continue;
		}
		if (out + n >= cap)
			break;
		memcpy(dst + out, s, n);
		out += n;
		s += n;
	}
	dst[out] = '\0';
	return out;
}

size_t cg_sanitize(char *dst, size_t cap, const char *src)
{
	return copy(dst, cap, src, false);
}

size_t cg_sanitize_message(char *dst, size_t cap, const char *src)
{
	return copy(dst, cap, src, true);
}

bool cg_sanitize_clean(const char *src)
{
	const unsigned char *s = (const unsigned char *)(src ? src : "");

	while (*s) {
		size_t n = safe_char(s);
		if (n == 0)
			return false;
		s += n;
	}
	return true;
}
