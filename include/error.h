/*
 * error: the one way a module says a call failed. The call returns -1 and
 * fills a struct cg_error the caller owns: the exit code chargery-top
 * should end with (sysexits.h) and a message for the user that says what
 * went wrong and what to do. On success the struct is left alone.
 *
 * Pure: formats into the caller's struct, nothing else.
 */
#ifndef CG_ERROR_H
#define CG_ERROR_H

#define CG_ERROR_MAX 1024

struct cg_error {
	int exit_code;              /* EX_* from sysexits.h */
	char message[CG_ERROR_MAX]; /* may hold several lines, no trailing
				     * newline; cut short rather than lost */
};

/* Sets the exit code and the message; returns -1, for
 * "return cg_error_set(err, EX_IOERR, ...);". */
int cg_error_set(struct cg_error *err, int exit_code, const char *format,
		 ...) __attribute__((format(printf, 3, 4)));

/* Adds to the message (a hint, a second line); cuts short when full. */
void cg_error_append(struct cg_error *err, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

#endif
