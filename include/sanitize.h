/*
 * sanitize: text from outside (process names, USB manufacturer, product
 * and serial strings, file names and paths, libraries' messages) made safe
 * to print on a terminal or stderr.
 *
 * Every byte that a terminal could take as a command is replaced by '?':
 * C0 controls (0x00-0x1f, so ESC, BEL, CR, backspace), DEL (0x7f), the C1
 * controls U+0080-U+009F, and every byte that is not part of valid UTF-8
 * (a lone 0x9b is CSI to some terminals). Valid UTF-8 text passes as it is,
 * so a product name such as "Prolific Technology Inc." or "Zürich" stays
 * readable. cg_sanitize_message keeps newlines (a message of several lines)
 * and turns tabs into a space; cg_sanitize keeps neither.
 *
 * Pure: no I/O, no allocation, no globals.
 */
#ifndef CG_SANITIZE_H
#define CG_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/* Copies src into dst (cap bytes, always terminated when cap > 0), each
 * unsafe byte or sequence as '?'; cuts short, at a character boundary,
 * when dst is full. src may be NULL (""). Returns the length written. */
size_t cg_sanitize(char *dst, size_t cap, const char *src);

/* The same, but '\n' is kept, for messages of several lines. */
size_t cg_sanitize_message(char *dst, size_t cap, const char *src);

/* True when src would pass cg_sanitize unchanged. */
bool cg_sanitize_clean(const char *src);

#endif
