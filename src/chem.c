/*
 * chem: the chemistry guess shared by the alarms and the bars (chem.h).
 */
#include "chem.h"

static struct cg_chem_guess of(enum cg_chem chem)
{
	switch (chem) {
	case CG_CHEM_LTO:
		return (struct cg_chem_guess){ chem, 1800, 2800, "LTO" };
	case CG_CHEM_LFP:
		return (struct cg_chem_guess){ chem, 2500, 3650, "LiFePO4" };
	case CG_CHEM_LIION:
		return (struct cg_chem_guess){ chem, 3000, 4200, "Li-ion" };
	case CG_CHEM_UNKNOWN:
		break;
	}
	return (struct cg_chem_guess){ CG_CHEM_UNKNOWN, 3000, 4200, "" };
}

static enum cg_chem by(unsigned mv, unsigned lto_below, unsigned lfp_upto)
{
	if (mv < lto_below)
		return CG_CHEM_LTO;
	return mv <= lfp_upto ? CG_CHEM_LFP : CG_CHEM_LIION;
}

struct cg_chem_guess cg_chem_guess(unsigned charge_end_mv, unsigned avg_mv)
{
	if (charge_end_mv)
		return of(by(charge_end_mv, 3000, 3700));
	if (avg_mv)
		return of(by(avg_mv, 2900, 3400));
	return of(CG_CHEM_UNKNOWN);
}
