/*
 * packname: labels of several packs and the file names made from them
 * (packname.h).
 */
#include "packname.h"

#include <stdio.h>
#include <string.h>

static bool label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool cg_packname_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= CG_PACKNAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!label_char(name[i]))
			return false;
	return true;
}

const char *cg_packname_split(const char *arg, char name[CG_PACKNAME_MAX])
{
	const char *eq = strchr(arg, '=');

	name[0] = '\0';
	if (!eq || eq == arg || (size_t)(eq - arg) >= CG_PACKNAME_MAX ||
	    !eq[1])
		return arg;
	char head[CG_PACKNAME_MAX];
	memcpy(head, arg, (size_t)(eq - arg));
	head[eq - arg] = '\0';
	if (!cg_packname_valid(head))
		return arg;
	memcpy(name, head, (size_t)(eq - arg) + 1);
	return eq + 1;
}

/* Copies len bytes of s as a label: foreign characters become '_'. */
static void sanitized(const char *s, size_t len, char out[CG_PACKNAME_MAX])
{
	size_t n = 0;

	while (n < len && n < CG_PACKNAME_MAX - 1) {
		char c = s[n];
		out[n++] = label_char(c) ? c : '_';
	}
	out[n] = '\0';
	/* A label must not start as an option or a hidden file would. */
	if (out[0] == '.' || out[0] == '-')
		out[0] = '_';
}

void cg_packname_default(const char *path, const char *by_id,
			 char out[CG_PACKNAME_MAX])
{
	const char *s = path ? path : "";
	size_t len;
	const char *scheme = strstr(s, "://");

	out[0] = '\0';
	if (by_id && by_id[0]) {
		const char *b = strrchr(by_id, '/');
		b = b ? b + 1 : by_id;
		if (strncmp(b, "usb-", 4) == 0)
			b += 4;
		len = strlen(b);
		const char *tail = strstr(b, "-if");
		if (tail && tail > b)
			len = (size_t)(tail - b);
		sanitized(b, len, out);
	} else if (strcmp(s, "-") == 0) {
		snprintf(out, CG_PACKNAME_MAX, "stdin");
	} else if (scheme) {
		s = scheme + 3;
		if (*s == '[') { /* [IPv6] */
			s++;
			len = strcspn(s, "]");
		} else {
			len = strcspn(s, ":/");
		}
		sanitized(s, len, out);
	} else {
		const char *slash = strrchr(s, '/');
		if (slash && slash[1])
			s = slash + 1;
		sanitized(s, strlen(s), out);
	}
	if (!out[0])
		snprintf(out, CG_PACKNAME_MAX, "pack");
}

void cg_packname_unique(char (*labels)[CG_PACKNAME_MAX], int n)
{
	for (int i = 1; i < n; i++) {
		for (int k = 2;; k++) {
			bool clash = false;
			for (int j = 0; j < i && !clash; j++)
				clash = strcmp(labels[i], labels[j]) == 0;
			if (!clash)
				break;
			char suffix[16];
			int sl = snprintf(suffix, sizeof(suffix), "-%d", k);
			/* The base: the label as given, without an earlier
			 * suffix of ours. */
			if (k > 2) {
				char *dash = strrchr(labels[i], '-');
				if (dash)
					*dash = '\0';
			}
			size_t keep = strlen(labels[i]);
			if (keep + (size_t)sl >= CG_PACKNAME_MAX)
				keep = CG_PACKNAME_MAX - 1 - (size_t)sl;
			memcpy(labels[i] + keep, suffix, (size_t)sl + 1);
		}
	}
}

bool cg_packname_is_pattern(const char *pattern)
{
	for (const char *p = pattern; p && *p; p++) {
		if (p[0] == '%' && p[1] == 'n')
			return true;
		if (p[0] == '%' && p[1] == '%')
			p++;
	}
	return false;
}

int cg_packname_expand(const char *pattern, const char *label, char *out,
		       size_t cap)
{
	size_t n = 0;

	if (cap == 0)
		return -1;
	for (const char *p = pattern; *p; p++) {
		const char *piece = p;
		size_t len = 1;
		if (p[0] == '%' && p[1] == 'n') {
			piece = label;
			len = strlen(label);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			p++;
		}
		if (n + len >= cap)
			return -1;
		memcpy(out + n, piece, len);
		n += len;
	}
	out[n] = '\0';
	return 0;
}
