/*
 * csv: the text of the --log spreadsheet (and of --once --csv): its header
 * line and one row per cell-voltage frame with the latest measurements.
 *
 * Columns: time,pack_v,current_a,soc_pct,t1_c,t2_c,high_v,low_v,delta_mv,
 * cell1_v..cellN_v for the N wired cells. Volts carry 3 decimals, amps and
 * degrees 1, printed from the integers the BMS sent. A value not known, or
 * no longer fresh (cg_pack_freshness), is an empty field, never 0, so a
 * chart shows a gap rather than a false dip. A wired cell that reads under
 * 1 V (sense lead or cell lost) shows what it reads. current_a is signed
 * by the mode; firmware before V1.21 sends no mode, and the column then
 * holds the magnitude it sent. soc_pct is the pack's SOC (0x57, or the
 * V1.22/V1.23 0x56), empty when the firmware sends none.
 * Line ends are '\n' alone and no field ever needs quoting.
 *
 * Pure: writes into a caller's buffer; no I/O, no allocation, no globals,
 * the time passed in. The file that holds the rows is csvlog's business.
 */
#ifndef CG_CSV_H
#define CG_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "pack.h"

#define CG_CSV_LINE_MAX 512 /* header or row for 24 cells, with room */

/* The header line for cells cell columns, ending in '\n'. Returns its
 * length, or 0 (and out = "") if cap is too small. */
size_t cg_csv_header(char *out, size_t cap, unsigned cells);

/*
 * One row from the pack's latest data, ending in '\n', with columns cell
 * columns (usually pack->wired; cells past pack->wired are empty).
 * iso_time is the time column as given (ISO-8601 UTC; NULL: empty). now_ms,
 * on the pack's monotonic clock, decides freshness. Returns the length, or
 * 0 (and out = "") if cap is too small.
 */
size_t cg_csv_row(char *out, size_t cap, const struct cg_pack *pack,
		  unsigned columns, const char *iso_time, uint64_t now_ms);

#endif
