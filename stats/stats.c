/* SPDX-License-Identifier: MIT */
/*
 * stats.c - summaries, Welch's t-test, Holm's adjustment and the
 * bootstrap interval of a ratio of means.
 *
 * The rank tests live in rank.c.  Degenerate input gets a defined answer
 * where one exists: two samples without any spread are compared exactly
 * (equal means give no evidence, different ones all of it), which is
 * what a deterministic benchmark needs; R's t.test() refuses such data.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "bisect/util.h"
#include "stats/stats.h"
#include "stats/stats-int.h"

static int	stats_cmp_double(const void *, const void *);
static double	stats_median_sorted(const double *, size_t);
static int	stats_finite(const double *, size_t);
static uint64_t	stats_rand(uint64_t *);
static size_t	stats_rand_below(uint64_t *, size_t);
static void	stats_welch_parts(const struct summary *,
		    const struct summary *, double *, double *);
static int	stats_groups(const size_t *, size_t, size_t **, size_t **,
		    size_t *);
static double	stats_resample_mean(const double *, const size_t *,
		    const size_t *, size_t, size_t, uint64_t *);

static int
stats_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
stats_median_sorted(const double *v, size_t n)
{
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
stats_finite(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

/*
 * Quantile of sorted values with linear interpolation between order
 * statistics (R's default, type 7).
 */
double
stats__quantile_sorted(const double *v, size_t n, double p)
{
	double h, lo;
	size_t i;

	if (n == 0)
		return NAN;
	if (p <= 0)
		return v[0];
	if (p >= 1)
		return v[n - 1];
	h = (double)(n - 1) * p;
	lo = floor(h);
	i = (size_t)lo;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (h - lo) * (v[i + 1] - v[i]);
}

int
stats__sort_copy(const double *v, size_t n, double **out)
{
	double *s;

	s = xreallocarray(NULL, n ? n : 1, sizeof(*s));
	if (n)
		memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), stats_cmp_double);
	*out = s;
	return 0;
}

int
stats_summary(const double *v, size_t n, struct summary *out)
{
	double *s, *dev, sum = 0, ss = 0, mean;
	size_t i;

	if (n == 0 || !stats_finite(v, n))
		return -1;
	for (i = 0; i < n; i++)
		sum += v[i];
	mean = sum / (double)n;
	/* Second pass: the correction term removes the rounding of mean. */
	sum = 0;
	for (i = 0; i < n; i++) {
		ss += (v[i] - mean) * (v[i] - mean);
		sum += v[i] - mean;
	}
	mean += sum / (double)n;
	ss -= sum * sum / (double)n;

	stats__sort_copy(v, n, &s);
	dev = xreallocarray(NULL, n, sizeof(*dev));
	out->n = n;
	out->mean = mean;
	out->sd = n > 1 && ss > 0 ? sqrt(ss / (double)(n - 1)) : 0;
	out->median = stats_median_sorted(s, n);
	out->min = s[0];
	out->max = s[n - 1];
	for (i = 0; i < n; i++)
		dev[i] = fabs(s[i] - out->median);
	qsort(dev, n, sizeof(*dev), stats_cmp_double);
	out->mad = 1.4826 * stats_median_sorted(dev, n);
	out->cv = mean != 0 ? out->sd / fabs(mean) : 0;
	free(dev);
	free(s);
	return 0;
}

/* The p-value of a t statistic under the alternative. */
double
stats__t_pvalue(double t, double df, enum alternative alt)
{
	double p;

	if (isnan(t))
		return 1;
	if (isinf(t)) {
		if (alt == ALT_TWO_SIDED)
			return 0;
		if (alt == ALT_GREATER)
			return t > 0 ? 0 : 1;
		return t < 0 ? 0 : 1;
	}
	switch (alt) {
	case ALT_LESS:
		p = gsl_cdf_tdist_P(t, df);
		break;
	case ALT_GREATER:
		p = gsl_cdf_tdist_Q(t, df);
		break;
	default:
		p = 2 * (t > 0 ? gsl_cdf_tdist_Q(t, df) :
		    gsl_cdf_tdist_P(t, df));
		break;
	}
	if (!(p >= 0))
		p = 0;
	return p > 1 ? 1 : p;
}

static void
stats_welch_parts(const struct summary *a, const struct summary *b,
    double *se, double *df)
{
	double va = a->sd * a->sd / (double)a->n;
	double vb = b->sd * b->sd / (double)b->n;

	*se = sqrt(va + vb);
	if (va + vb > 0)
		*df = (va + vb) * (va + vb) /
		    (va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1));
	else
		*df = (double)(a->n + b->n - 2);
}

int
stats_welch(const double *a, size_t na, const double *b, size_t nb,
    enum alternative alt, struct test_result *out)
{
	struct summary sa, sb;
	double se, df, diff;

	if (na < 2 || nb < 2 || stats_summary(a, na, &sa) == -1 ||
	    stats_summary(b, nb, &sb) == -1)
		return -1;
	stats_welch_parts(&sa, &sb, &se, &df);
	diff = sa.mean - sb.mean;
	out->df = df;
	if (se > 0)
		out->statistic = diff / se;
	else if (diff != 0)
		out->statistic = diff > 0 ? INFINITY : -INFINITY;
	else {
		/* Identical constants: no evidence either way. */
		out->statistic = 0;
		out->p = alt == ALT_TWO_SIDED ? 1 : 0.5;
		return 0;
	}
	out->p = stats__t_pvalue(out->statistic, df, alt);
	return 0;
}

int
stats_welch_interval(const double *a, size_t na, const double *b, size_t nb,
    double level, double *lo, double *hi)
{
	struct summary sa, sb;
	double se, df, q, diff;

	if (na < 2 || nb < 2 || !(level > 0 && level < 1) ||
	    stats_summary(a, na, &sa) == -1 || stats_summary(b, nb, &sb) == -1)
		return -1;
	stats_welch_parts(&sa, &sb, &se, &df);
	diff = sa.mean - sb.mean;
	if (se == 0) {
		*lo = *hi = diff;
		return 0;
	}
	q = gsl_cdf_tdist_Qinv((1 - level) / 2, df);
	if (!isfinite(q))
		return -1;
	*lo = diff - q * se;
	*hi = diff + q * se;
	return 0;
}

void
stats_holm(double *p, size_t n)
{
	size_t *idx, i, j, m = 0, t;
	double run = 0, v;

	if (n == 0)
		return;
	idx = xreallocarray(NULL, n, sizeof(*idx));
	/* NaN p-values are left alone and do not count (as p.adjust). */
	for (i = 0; i < n; i++)
		if (!isnan(p[i]))
			idx[m++] = i;
	/* Insertion sort by p: n is a handful of tests. */
	for (i = 1; i < m; i++) {
		t = idx[i];
		for (j = i; j > 0 && p[idx[j - 1]] > p[t]; j--)
			idx[j] = idx[j - 1];
		idx[j] = t;
	}
	for (i = 0; i < m; i++) {
		v = (double)(m - i) * p[idx[i]];
		if (v > run)
			run = v;
		p[idx[i]] = run > 1 ? 1 : run;
	}
	free(idx);
}

/*
 * splitmix64 (Steele, Lea and Flood): a tiny generator whose whole state
 * is one word, so a seed reproduces an interval exactly on every
 * platform.
 */
static uint64_t
stats_rand(uint64_t *state)
{
	uint64_t z;

	z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, n) without modulo bias. */
static size_t
stats_rand_below(uint64_t *state, size_t n)
{
	uint64_t r, lim;

	lim = UINT64_MAX - UINT64_MAX % (uint64_t)n;
	do
		r = stats_rand(state);
	while (r >= lim);
	return (size_t)(r % (uint64_t)n);
}

/*
 * Index values by group: members[start[g] .. start[g + 1]) are the
 * indices of group g's values, in input order.
 */
static int
stats_groups(const size_t *group, size_t n, size_t **members, size_t **start,
    size_t *ngroups)
{
	size_t *label, *m, *s, i, j, k = 0;

	label = xreallocarray(NULL, n, sizeof(*label));
	for (i = 0; i < n; i++) {
		for (j = 0; j < k; j++)
			if (label[j] == group[i])
				break;
		if (j == k)
			label[k++] = group[i];
	}
	s = xcalloc(k + 1, sizeof(*s));
	m = xreallocarray(NULL, n, sizeof(*m));
	for (j = 0; j < k; j++) {
		s[j + 1] = s[j];
		for (i = 0; i < n; i++)
			if (group[i] == label[j])
				m[s[j + 1]++] = i;
	}
	free(label);
	*members = m;
	*start = s;
	*ngroups = k;
	return 0;
}

/* Mean of one two-stage resample: groups, then values within them. */
static double
stats_resample_mean(const double *v, const size_t *members,
    const size_t *start, size_t ngroups, size_t n, uint64_t *state)
{
	double sum = 0;
	size_t g, i, size, cnt = 0;

	(void)n;
	for (g = 0; g < ngroups; g++) {
		size_t pick = stats_rand_below(state, ngroups);

		size = start[pick + 1] - start[pick];
		for (i = 0; i < size; i++)
			sum += v[members[start[pick] +
			    stats_rand_below(state, size)]];
		cnt += size;
	}
	return sum / (double)cnt;
}

int
stats_bootstrap_ratio(const double *a, const size_t *ga, size_t na,
    const double *b, const size_t *gb, size_t nb, double level,
    unsigned nresamples, uint64_t seed, double *ratio, double *lo, double *hi)
{
	size_t *ma = NULL, *sa = NULL, *mb = NULL, *sb = NULL, *ident = NULL;
	size_t nga, ngb, i, k = 0;
	double *rep = NULL, suma = 0, sumb = 0, ra, rb, r;
	uint64_t state = seed;

	if (na == 0 || nb == 0 || nresamples < 2 || !(level > 0 && level < 1) ||
	    !stats_finite(a, na) || !stats_finite(b, nb))
		return -1;
	for (i = 0; i < na; i++)
		suma += a[i];
	for (i = 0; i < nb; i++)
		sumb += b[i];
	if (suma == 0)
		return -1;
	*ratio = (sumb / (double)nb) / (suma / (double)na);

	ident = xreallocarray(NULL, na > nb ? na : nb, sizeof(*ident));
	for (i = 0; i < (na > nb ? na : nb); i++)
		ident[i] = i;
	stats_groups(ga != NULL ? ga : ident, na, &ma, &sa, &nga);
	stats_groups(gb != NULL ? gb : ident, nb, &mb, &sb, &ngb);
	rep = xreallocarray(NULL, nresamples, sizeof(*rep));
	for (i = 0; i < nresamples; i++) {
		ra = stats_resample_mean(a, ma, sa, nga, na, &state);
		rb = stats_resample_mean(b, mb, sb, ngb, nb, &state);
		r = rb / ra;
		/* A zero denominator mean gives +-inf, which sorts fine. */
		if (!isnan(r))
			rep[k++] = r;
	}
	free(ident);
	free(ma);
	free(sa);
	free(mb);
	free(sb);
	if (k < 2) {
		free(rep);
		return -1;
	}
	qsort(rep, k, sizeof(*rep), stats_cmp_double);
	*lo = stats__quantile_sorted(rep, k, (1 - level) / 2);
	*hi = stats__quantile_sorted(rep, k, 1 - (1 - level) / 2);
	free(rep);
	return 0;
}
