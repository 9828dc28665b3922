/*
 * json: formats one decoded record as one line of JSON (the --json output,
 * whose keys are a contract; see README). Pure: writes into a caller's
 * buffer, no allocation, no globals.
 */
#ifndef CG_JSON_H
#define CG_JSON_H

#include <stddef.h>

#include "decoder.h"

#define CG_JSON_LINE_MAX 512 /* enough for 24 cells of any frame type */

/* Writes the record as one JSON object followed by '\n' and a NUL.
 * iso_time is the receive time, already formatted (ISO-8601 UTC).
 * Returns the length written, or 0 if cap was too small. */
size_t cg_json_format(char *out, size_t cap, const struct cg_record *record,
		      const char *iso_time);

#endif
