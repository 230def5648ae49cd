/* SPDX-License-Identifier: MIT */
/*
 * rank.c - rank tests: Mann-Whitney U, Wilcoxon signed rank and the
 * Hodges-Lehmann shift, computed the way R's wilcox.test() does.
 *
 * Exact null distributions come from counting (only additions, so the
 * far tails keep their relative precision) when the samples are small
 * (fewer than 50 values per group) and there are no ties; otherwise the
 * normal approximation with tie and continuity correction is used.
 * Where R gives NaN or stops (every value tied), these functions answer
 * p = 1: no rank evidence either way.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "bisect/util.h"
#include "stats/stats.h"
#include "stats/stats-int.h"

#define RANK_EXACT_MAX	50

struct rank_item {
	double	 v;
	size_t	 i;
};

static int	rank_cmp_item(const void *, const void *);
static int	rank_finite(const double *, size_t);
static double	rank_assign(const double *, size_t, double *);
static double	*rank_wilcox_counts(size_t, size_t);
static double	*rank_signrank_counts(size_t);
static double	rank_tail(const double *, size_t, double, int);
static double	rank_normal_p(double, double, enum alternative);
static double	rank_w(const double *, size_t, const double *, size_t,
		    double, double *);
static double	rank_w_ci(const double *, size_t, const double *, size_t,
		    double);
static double	rank_root(const double *, size_t, const double *, size_t,
		    const double *, size_t, double);

static int
rank_cmp_item(const void *a, const void *b)
{
	const struct rank_item *x = a, *y = b;

	if (x->v != y->v)
		return (x->v > y->v) - (x->v < y->v);
	return (x->i > y->i) - (x->i < y->i);
}

static int
rank_finite(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

/*
 * Mid-ranks of v (1-based) into r; returns sum(t^3 - t) over the groups
 * of t tied values (0 when there are no ties).
 */
static double
rank_assign(const double *v, size_t n, double *r)
{
	struct rank_item *it;
	size_t i, j, k;
	double ties = 0, t;

	it = xreallocarray(NULL, n ? n : 1, sizeof(*it));
	for (i = 0; i < n; i++) {
		it[i].v = v[i];
		it[i].i = i;
	}
	qsort(it, n, sizeof(*it), rank_cmp_item);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && it[j].v == it[i].v; j++)
			;
		for (k = i; k < j; k++)
			r[it[k].i] = (double)(i + 1 + j) / 2;
		t = (double)(j - i);
		ties += t * t * t - t;
	}
	free(it);
	return ties;
}

/*
 * Counts of U = 0 .. m * n for samples of m and n values without ties:
 * the largest value is either in the first sample (adding n to U) or in
 * the second.
 */
static double *
rank_wilcox_counts(size_t m, size_t n)
{
	double *c, *out;
	size_t width = m * n + 1, i, j, k;

	/* c[i * width + k]: count of U = k for (i, j) at the current j. */
	c = xcalloc((m + 1) * width, sizeof(*c));
	for (i = 0; i <= m; i++)
		c[i * width] = 1;
	/*
	 * Column j in place: row i keeps its column j - 1 counts and adds
	 * row i - 1's, already moved on to column j.
	 */
	for (j = 1; j <= n; j++)
		for (i = 1; i <= m; i++)
			for (k = j; k < width; k++)
				c[i * width + k] += c[(i - 1) * width + k - j];
	out = xreallocarray(NULL, width, sizeof(*out));
	memcpy(out, c + m * width, width * sizeof(*out));
	free(c);
	return out;
}

/* Counts of V = 0 .. n (n + 1) / 2: subsets of 1..n by their sum. */
static double *
rank_signrank_counts(size_t n)
{
	size_t max = n * (n + 1) / 2, i, s;
	double *c;

	c = xcalloc(max + 1, sizeof(*c));
	c[0] = 1;
	for (i = 1; i <= n; i++)
		for (s = max; s >= i; s--)
			c[s] += c[s - i];
	return c;
}

/*
 * P(X <= q) (upper == 0) or P(X > q) (upper != 0) from counts c[0 .. max],
 * summing only the tail asked for.
 */
static double
rank_tail(const double *c, size_t max, double q, int upper)
{
	double sum = 0, tot = 0, p;
	size_t k;

	q = floor(q + 1e-7);
	for (k = 0; k <= max; k++)
		tot += c[k];
	for (k = 0; k <= max; k++) {
		if (upper ? (double)k > q : (double)k <= q)
			sum += c[k];
	}
	p = sum / tot;
	return p > 1 ? 1 : p;
}

static double
rank_normal_p(double z, double sigma, enum alternative alt)
{
	double p;

	if (!(sigma > 0))
		return 1;
	z /= sigma;
	switch (alt) {
	case ALT_LESS:
		p = gsl_cdf_ugaussian_P(z);
		break;
	case ALT_GREATER:
		p = gsl_cdf_ugaussian_Q(z);
		break;
	default:
		p = 2 * (z > 0 ? gsl_cdf_ugaussian_Q(z) :
		    gsl_cdf_ugaussian_P(z));
		break;
	}
	return p > 1 ? 1 : p;
}

int
stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
    enum alternative alt, struct test_result *out)
{
	double *v, *r, *c, ties, w = 0, z, sigma, corr, p, m, n;
	size_t i;

	if (na == 0 || nb == 0 || !rank_finite(a, na) || !rank_finite(b, nb))
		return -1;
	v = xreallocarray(NULL, na + nb, sizeof(*v));
	r = xreallocarray(NULL, na + nb, sizeof(*r));
	memcpy(v, a, na * sizeof(*v));
	memcpy(v + na, b, nb * sizeof(*v));
	ties = rank_assign(v, na + nb, r);
	for (i = 0; i < na; i++)
		w += r[i];
	m = (double)na;
	n = (double)nb;
	w -= m * (m + 1) / 2;
	free(v);
	free(r);
	out->statistic = w;
	out->df = 0;

	if (na < RANK_EXACT_MAX && nb < RANK_EXACT_MAX && ties == 0) {
		c = rank_wilcox_counts(na, nb);
		switch (alt) {
		case ALT_GREATER:
			p = rank_tail(c, na * nb, w - 1, 1);
			break;
		case ALT_LESS:
			p = rank_tail(c, na * nb, w, 0);
			break;
		default:
			p = w > m * n / 2 ? rank_tail(c, na * nb, w - 1, 1) :
			    rank_tail(c, na * nb, w, 0);
			p = 2 * p > 1 ? 1 : 2 * p;
			break;
		}
		free(c);
		out->p = p;
		return 0;
	}
	z = w - m * n / 2;
	sigma = sqrt((m * n / 12) * ((m + n + 1) - ties / ((m + n) *
	    (m + n - 1))));
	if (alt == ALT_GREATER)
		corr = 0.5;
	else if (alt == ALT_LESS)
		corr = -0.5;
	else
		corr = z > 0 ? 0.5 : z < 0 ? -0.5 : 0;
	out->p = rank_normal_p(z - corr, sigma, alt);
	return 0;
}

int
stats_wilcoxon(const double *a, const double *b, size_t n,
    enum alternative alt, struct test_result *out)
{
	double *d, *ad, *r, *c, ties, v = 0, z, sigma, corr, p, nn;
	size_t i, k = 0;
	int zeroes = 0;

	if (n == 0 || !rank_finite(a, n) || !rank_finite(b, n))
		return -1;
	d = xreallocarray(NULL, n, sizeof(*d));
	for (i = 0; i < n; i++) {
		if (a[i] - b[i] == 0)
			zeroes = 1;
		else
			d[k++] = a[i] - b[i];
	}
	out->df = 0;
	if (k == 0) {
		/* Every pair equal: no evidence. */
		free(d);
		out->statistic = 0;
		out->p = 1;
		return 0;
	}
	ad = xreallocarray(NULL, k, sizeof(*ad));
	r = xreallocarray(NULL, k, sizeof(*r));
	for (i = 0; i < k; i++)
		ad[i] = fabs(d[i]);
	ties = rank_assign(ad, k, r);
	for (i = 0; i < k; i++)
		if (d[i] > 0)
			v += r[i];
	free(d);
	free(ad);
	free(r);
	out->statistic = v;
	nn = (double)k;

	if (k < RANK_EXACT_MAX && ties == 0 && !zeroes) {
		c = rank_signrank_counts(k);
		switch (alt) {
		case ALT_GREATER:
			p = rank_tail(c, k * (k + 1) / 2, v - 1, 1);
			break;
		case ALT_LESS:
			p = rank_tail(c, k * (k + 1) / 2, v, 0);
			break;
		default:
			p = v > nn * (nn + 1) / 4 ?
			    rank_tail(c, k * (k + 1) / 2, v - 1, 1) :
			    rank_tail(c, k * (k + 1) / 2, v, 0);
			p = 2 * p > 1 ? 1 : 2 * p;
			break;
		}
		free(c);
		out->p = p;
		return 0;
	}
	z = v - nn * (nn + 1) / 4;
	sigma = sqrt(nn * (nn + 1) * (2 * nn + 1) / 24 - ties / 48);
	if (alt == ALT_GREATER)
		corr = 0.5;
	else if (alt == ALT_LESS)
		corr = -0.5;
	else
		corr = z > 0 ? 0.5 : z < 0 ? -0.5 : 0;
	out->p = rank_normal_p(z - corr, sigma, alt);
	return 0;
}

/*
 * R's standardised rank-sum statistic of (a - d, b) with continuity
 * correction, as used to invert the test into an interval; *sigma gets
 * its standard deviation.
 */
static double
rank_w(const double *a, size_t na, const double *b, size_t nb, double d,
    double *sigma)
{
	double *v, *r, ties, w = 0, m = (double)na, n = (double)nb;
	size_t i;

	v = xreallocarray(NULL, na + nb, sizeof(*v));
	r = xreallocarray(NULL, na + nb, sizeof(*r));
	for (i = 0; i < na; i++)
		v[i] = a[i] - d;
	memcpy(v + na, b, nb * sizeof(*v));
	ties = rank_assign(v, na + nb, r);
	for (i = 0; i < na; i++)
		w += r[i];
	free(v);
	free(r);
	*sigma = sqrt((m * n / 12) * ((m + n + 1) - ties / ((m + n) *
	    (m + n - 1))));
	return w - m * (m + 1) / 2 - m * n / 2;
}

static double
rank_w_ci(const double *a, size_t na, const double *b, size_t nb, double d)
{
	double dz, sigma, corr;

	dz = rank_w(a, na, b, nb, d, &sigma);
	corr = dz > 0 ? 0.5 : dz < 0 ? -0.5 : 0;
	if (!(sigma > 0))
		return 0;
	return (dz - corr) / sigma;
}

/*
 * The d where the standardised statistic W(d) falls through zq.  W is a
 * non-increasing step function that only moves at pairwise differences,
 * so the root is the difference where it crosses; R's uniroot() finds
 * the same point to within its tolerance (1e-4).
 */
static double
rank_root(const double *a, size_t na, const double *b, size_t nb,
    const double *diff, size_t nd, double zq)
{
	size_t lo, hi, mid;
	double f;

	if (rank_w_ci(a, na, b, nb, diff[0]) - zq <= 0)
		return diff[0];
	if (rank_w_ci(a, na, b, nb, diff[nd - 1]) - zq >= 0)
		return diff[nd - 1];
	/*
	 * Invariant: W - zq > 0 just right of diff[lo], < 0 just right of
	 * diff[hi] (the interval after the last difference counts as < 0).
	 */
	lo = 0;
	hi = nd - 1;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		f = rank_w_ci(a, na, b, nb, (diff[mid] + diff[mid + 1]) / 2) -
		    zq;
		if (f > 0)
			lo = mid;
		else if (f < 0)
			hi = mid;
		else
			/* Exactly on zq over a whole step: its middle. */
			return (diff[mid] + diff[mid + 1]) / 2;
	}
	return diff[hi];
}

int
stats_hodges_lehmann(const double *a, size_t na, const double *b, size_t nb,
    double level, double *est, double *lo, double *hi)
{
	double *diff, *v, *r, *c, *u, ties, alpha, x, tot, cum;
	size_t nd, i, j, k, qu, ql;

	if (na == 0 || nb == 0 || !(level > 0 && level < 1) ||
	    !rank_finite(a, na) || !rank_finite(b, nb))
		return -1;
	nd = na * nb;
	diff = xreallocarray(NULL, nd, sizeof(*diff));
	for (i = 0, k = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			diff[k++] = a[i] - b[j];
	stats__sort_copy(diff, nd, &u);
	free(diff);
	diff = u;
	*est = nd % 2 ? diff[nd / 2] : (diff[nd / 2 - 1] + diff[nd / 2]) / 2;
	if (diff[0] == diff[nd - 1]) {
		/* Every difference the same: the shift is known exactly. */
		*lo = *hi = diff[0];
		free(diff);
		return 0;
	}

	v = xreallocarray(NULL, na + nb, sizeof(*v));
	r = xreallocarray(NULL, na + nb, sizeof(*r));
	memcpy(v, a, na * sizeof(*v));
	memcpy(v + na, b, nb * sizeof(*v));
	ties = rank_assign(v, na + nb, r);
	free(v);
	free(r);
	alpha = 1 - level;
	if (na < RANK_EXACT_MAX && nb < RANK_EXACT_MAX && ties == 0) {
		/* qwilcox(alpha / 2), with R's fuzz. */
		c = rank_wilcox_counts(na, nb);
		for (k = 0, tot = 0; k <= nd; k++)
			tot += c[k];
		x = alpha / 2 - 10 * 2.220446049250313e-16;
		cum = 0;
		for (qu = 0; qu < nd; qu++) {
			cum += c[qu] / tot;
			if (cum >= x)
				break;
		}
		free(c);
		if (qu == 0)
			qu = 1;
		ql = nd - qu;
		*lo = diff[qu - 1];
		*hi = diff[ql];
		free(diff);
		return 0;
	}
	*lo = rank_root(a, na, b, nb, diff, nd,
	    gsl_cdf_ugaussian_Qinv(alpha / 2));
	*hi = rank_root(a, na, b, nb, diff, nd,
	    gsl_cdf_ugaussian_Pinv(alpha / 2));
	free(diff);
	return 0;
}
