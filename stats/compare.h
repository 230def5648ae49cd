/* SPDX-License-Identifier: MIT */
/*
 * compare.h - two samples side by side, as "perfbisect compare" prints
 * them: summaries, the difference and the ratio with intervals, and
 * Holm-corrected p-values.  Pure: numbers in, numbers out.
 */
#ifndef PB_COMPARE_H
#define PB_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "stats/stats.h"

struct compare_result {
	struct summary a, b;
	double	 diff, diff_lo, diff_hi;	/* mean(b) - mean(a), Welch */
	double	 ratio, ratio_lo, ratio_hi;	/* mean(b) / mean(a), bootstrap */
	double	 hl, hl_lo, hl_hi;		/* Hodges-Lehmann shift b - a */
	double	 p_welch, p_mann_whitney;	/* two-sided, Holm-corrected */
	int	 significant;			/* both below alpha */
	int	 has_ratio;			/* mean(a) is not 0 */
};

/*
 * Compare b against a.  ga and gb give each value's group (its boot) for
 * the bootstrap, or NULL when every value is its own boot.  0, or -1 when
 * a side has fewer than two values or a value is not finite.
 */
int	 compare_samples(const double *a, const size_t *ga, size_t na,
	    const double *b, const size_t *gb, size_t nb, double level,
	    double alpha, uint64_t seed, struct compare_result *);

#endif
