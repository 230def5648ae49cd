/* SPDX-License-Identifier: MIT */
/*
 * stats.h - statistical primitives: numbers in, numbers out.
 *
 * Pure functions over arrays of doubles; GSL stays inside stats/.  Every
 * function returns 0, or -1 when the input cannot give an answer (too few
 * values, non-finite values); it never aborts (GSL's handler is off and
 * every GSL status is checked).  p-values are in [0, 1].
 */
#ifndef PB_STATS_H
#define PB_STATS_H

#include <stddef.h>
#include <stdint.h>

struct summary {
	size_t	 n;
	double	 mean;
	double	 sd;		/* sample standard deviation (n - 1) */
	double	 median;
	double	 mad;		/* median absolute deviation, scaled by 1.4826 */
	double	 min;
	double	 max;
	double	 cv;		/* sd / |mean|, 0 when mean is 0 */
};

int	 stats_summary(const double *, size_t, struct summary *);

/* Which alternative a test checks: a is less than / greater than / differs from b. */
enum alternative {
	ALT_TWO_SIDED,
	ALT_LESS,
	ALT_GREATER,
};

struct test_result {
	double	 statistic;	/* t, U, V, ... */
	double	 df;		/* degrees of freedom where meaningful, else 0 */
	double	 p;
};

/* Welch's unequal-variance t-test of mean(a) - mean(b). */
int	 stats_welch(const double *a, size_t na, const double *b, size_t nb,
	    enum alternative, struct test_result *);
/*
 * Welch's two-sided interval at level for mean(a) - mean(b) (R's
 * t.test(a, b)$conf.int); a single point when neither sample varies.
 */
int	 stats_welch_interval(const double *a, size_t na, const double *b,
	    size_t nb, double level, double *lo, double *hi);
/*
 * Mann-Whitney U (R's wilcox.test): exact when both samples are small and
 * there are no ties, else the normal approximation with tie and
 * continuity correction.  statistic is W = U of a.
 */
int	 stats_mann_whitney(const double *a, size_t na, const double *b,
	    size_t nb, enum alternative, struct test_result *);
/* Wilcoxon signed-rank test of the paired differences a[i] - b[i]. */
int	 stats_wilcoxon(const double *a, const double *b, size_t n,
	    enum alternative, struct test_result *);
/*
 * Hodges-Lehmann shift estimate of a - b (median of pairwise
 * differences) with a confidence interval at level (e.g. 0.95).
 */
int	 stats_hodges_lehmann(const double *a, size_t na, const double *b,
	    size_t nb, double level, double *est, double *lo, double *hi);
/*
 * Bootstrap confidence interval of mean(b) / mean(a), resampling groups
 * (boots) and then the values within them.  group[i] is the group of
 * value i; NULL means every value is its own group.  Seeded: the same
 * input and seed give the same interval.
 */
int	 stats_bootstrap_ratio(const double *a, const size_t *ga, size_t na,
	    const double *b, const size_t *gb, size_t nb, double level,
	    unsigned nresamples, uint64_t seed, double *ratio, double *lo,
	    double *hi);
/* Holm's step-down adjustment of n p-values, in place. */
void	 stats_holm(double *p, size_t n);
/*
 * Clopper-Pearson interval at level of a proportion k/n (R's
 * binom.test(k, n)$conf.int); -1 when n is 0 or k > n.
 */
int	 stats_binom_interval(size_t k, size_t n, double level, double *lo,
	    double *hi);

#endif
