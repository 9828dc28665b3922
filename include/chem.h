/*
 * chem: the one chemistry guess, for when neither the user nor the BMS
 * says where a cell's voltage range ends (firmware before V1.26 sends no
 * discharge-end). The alarms take its low end as the low limit (alarm.h),
 * the bars its range (scale.h), so the two never disagree.
 *
 * The BMS's charge-end voltage says most, when known: under 3.0 V LTO, up
 * to 3.7 V LiFePO4, above Li-ion. Else the pack's average cell voltage:
 * under 2.9 V LTO, up to 3.4 V LiFePO4, above Li-ion. Neither known: no
 * guess (CG_CHEM_UNKNOWN, whose range is Li-ion's, the widest common one).
 *
 * Pure: no I/O, no allocation, no globals.
 */
#ifndef CG_CHEM_H
#define CG_CHEM_H

#include <stdint.h>

enum cg_chem {
	CG_CHEM_UNKNOWN, /* nothing to guess from */
	CG_CHEM_LTO,     /* 1.800 .. 2.800 V */
	CG_CHEM_LFP,     /* 2.500 .. 3.650 V */
	CG_CHEM_LIION,   /* 3.000 .. 4.200 V */
};

struct cg_chem_guess {
	enum cg_chem chem;
	uint16_t low_mv, high_mv; /* the range; Li-ion's when unknown */
	const char *name;         /* "LTO", "LiFePO4", "Li-ion"; "" unknown */
};

/* The guess from the charge-end voltage (0: not known), else from the
 * average cell voltage (0: not known). */
struct cg_chem_guess cg_chem_guess(unsigned charge_end_mv, unsigned avg_mv);

#endif
