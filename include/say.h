/*
 * say: every message chargery-top writes to stderr, as "chargery-top:
 * TEXT\n", the text sanitised first (sanitize.h): it may quote a path, a
 * process name or a library's words, none of which may drive the terminal.
 */
#ifndef CG_SAY_H
#define CG_SAY_H

void cg_say(const char *message);

__attribute__((format(printf, 1, 2)))
void cg_sayf(const char *format, ...);

#endif
