/* SPDX-License-Identifier: MIT */
/*
 * binom.c - the exact (Clopper-Pearson) interval of a binomial
 * proportion, as R's binom.test() gives it.
 *
 * Used for success rates of simulated bisections: with k right out of n
 * trials, the interval is where the true rate may lie.  Exact rather than
 * Wilson's because rates near 100 % are the interesting ones, and there
 * the normal approximation is at its worst.
 */
#include <math.h>
#include <stddef.h>

#include <gsl/gsl_cdf.h>

#include "stats/stats.h"

int
stats_binom_interval(size_t k, size_t n, double level, double *lo,
    double *hi)
{
	double a = (1 - level) / 2;

	if (n == 0 || k > n || !(level > 0 && level < 1))
		return -1;
	*lo = k == 0 ? 0 : gsl_cdf_beta_Pinv(a, (double)k,
	    (double)(n - k + 1));
	*hi = k == n ? 1 : gsl_cdf_beta_Qinv(a, (double)(k + 1),
	    (double)(n - k));
	if (!isfinite(*lo) || !isfinite(*hi))
		return -1;
	return 0;
}
