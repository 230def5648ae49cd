/* SPDX-License-Identifier: MIT */
/*
 * compare.c - two samples side by side.
 *
 * Welch and Mann-Whitney answer "do they differ?" under different
 * assumptions; both p-values are Holm-corrected as one family, and the
 * difference is marked significant only when both agree, so a single
 * outlier (Welch) or a pile of ties (Mann-Whitney) cannot make a claim
 * on its own.
 */
#include <math.h>
#include <string.h>

#include "stats/compare.h"

#define COMPARE_RESAMPLES	2000

int
compare_samples(const double *a, const size_t *ga, size_t na,
    const double *b, const size_t *gb, size_t nb, double level,
    double alpha, uint64_t seed, struct compare_result *out)
{
	struct test_result t;
	double p[2];

	memset(out, 0, sizeof(*out));
	if (na < 2 || nb < 2 || stats_summary(a, na, &out->a) == -1 ||
	    stats_summary(b, nb, &out->b) == -1)
		return -1;
	out->diff = out->b.mean - out->a.mean;
	if (stats_welch_interval(b, nb, a, na, level, &out->diff_lo,
	    &out->diff_hi) == -1 ||
	    stats_hodges_lehmann(b, nb, a, na, level, &out->hl, &out->hl_lo,
	    &out->hl_hi) == -1)
		return -1;
	if (out->a.mean != 0) {
		if (stats_bootstrap_ratio(a, ga, na, b, gb, nb, level,
		    COMPARE_RESAMPLES, seed, &out->ratio, &out->ratio_lo,
		    &out->ratio_hi) == -1)
			return -1;
		out->has_ratio = 1;
	}
	if (stats_welch(b, nb, a, na, ALT_TWO_SIDED, &t) == -1)
		return -1;
	p[0] = t.p;
	if (stats_mann_whitney(b, nb, a, na, ALT_TWO_SIDED, &t) == -1)
		return -1;
	p[1] = t.p;
	stats_holm(p, 2);
	out->p_welch = p[0];
	out->p_mann_whitney = p[1];
	out->significant = p[0] < alpha && p[1] < alpha;
	return 0;
}
