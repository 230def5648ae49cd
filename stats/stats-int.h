/* SPDX-License-Identifier: MIT */
/*
 * stats-int.h - helpers shared by the files of stats/ and nobody else.
 */
#ifndef PB_STATS_INT_H
#define PB_STATS_INT_H

#include <stddef.h>

#include "stats/stats.h"

/* Sorted copy of v in *out (free() it). */
int	 stats__sort_copy(const double *v, size_t n, double **out);
/* Quantile of sorted values, R's type 7. */
double	 stats__quantile_sorted(const double *v, size_t n, double p);
/* p-value of a t statistic with df degrees of freedom. */
double	 stats__t_pvalue(double t, double df, enum alternative);

#endif
