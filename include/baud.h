/*
 * baud: the one table from a baud rate to its termios speed_t, for both
 * programs (chargery-top's tty links and chargery-sim's watch of the rate
 * its reader sets). Only the standard Linux rates, 1200 to 4000000.
 *
 * Pure: a lookup in a constant table.
 */
#ifndef CG_BAUD_H
#define CG_BAUD_H

#include <termios.h>

/* The termios constant for baud (B115200 for 115200), or B0 when baud is
 * not a standard rate. */
speed_t cg_baud_speed(int baud);

#endif
