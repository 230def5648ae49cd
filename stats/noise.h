/* SPDX-License-Identifier: MIT */
/*
 * noise.h - where the noise comes from, and what it costs.
 *
 * A kernel benchmark varies run to run within one boot and, more
 * stubbornly, boot to boot (memory layout, alignment).  From the
 * endpoints' runs grouped by boot, a one-way random-effects analysis
 * splits the variance into the two parts; they decide how many runs a
 * boot deserves and how many boots a step will take.  Pure functions.
 */
#ifndef PB_NOISE_H
#define PB_NOISE_H

#include <stddef.h>

struct noise {
	size_t	 boots;
	size_t	 runs;
	double	 mean;		/* grand mean of the runs */
	double	 within_var;	/* pooled variance of runs within a boot */
	double	 between_var;	/* variance of boot effects (>= 0) */
	double	 cv_within;	/* sqrt(within_var) / |mean| */
	double	 cv_between;
	double	 cv_total;	/* of the runs, ignoring the boots */
};

/*
 * Variance components of runs[i] measured in boot group[i] (groups are
 * any size_t labels, not necessarily sorted).  0, or -1 with fewer than
 * two boots or no boot with two runs.
 */
int	 noise_components(const double *runs, const size_t *group, size_t n,
	    struct noise *);

/*
 * Runs per boot that minimise the cost of a given precision of a boot
 * value: sqrt((boot_cost / run_cost) * (within / between)), within
 * [min, max].  With no boot-to-boot variance, max.
 */
int	 noise_runs_per_boot(const struct noise *, double boot_cost,
	    double run_cost, int min, int max);

/*
 * Expected number of boots Wald's SPRT needs to tell a commit from the
 * far endpoint, for a step of delta standard deviations of a boot value,
 * error rates alpha and beta (average sample number under either
 * hypothesis, at least 1).
 */
double	 noise_expected_boots(double delta, double alpha, double beta);

#endif
