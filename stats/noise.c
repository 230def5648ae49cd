/* SPDX-License-Identifier: MIT */
/*
 * noise.c - variance components and the cost of a verdict.
 *
 * The between-boot component is the ANOVA estimate
 * (MSB - MSW) / n0, with n0 the effective runs per boot of an unbalanced
 * design (Searle), clamped at zero.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/util.h"
#include "stats/noise.h"

struct noise_group {
	size_t	 label;
	size_t	 n;
	double	 sum;
};

static struct noise_group *
noise_find(struct noise_group *g, size_t *ng, size_t label)
{
	size_t i;

	for (i = 0; i < *ng; i++)
		if (g[i].label == label)
			return &g[i];
	g[*ng].label = label;
	g[*ng].n = 0;
	g[*ng].sum = 0;
	return &g[(*ng)++];
}

int
noise_components(const double *runs, const size_t *group, size_t n,
    struct noise *out)
{
	struct noise_group *g, *q;
	double grand = 0, ssw = 0, ssb = 0, sst = 0, sumsq = 0, n0, msw, msb;
	double d;
	size_t ng = 0, i;

	memset(out, 0, sizeof(*out));
	if (n < 3)
		return -1;
	g = xreallocarray(NULL, n, sizeof(*g));
	for (i = 0; i < n; i++) {
		if (!isfinite(runs[i])) {
			free(g);
			return -1;
		}
		q = noise_find(g, &ng, group[i]);
		q->n++;
		q->sum += runs[i];
		grand += runs[i];
	}
	grand /= (double)n;
	for (i = 0; i < n; i++) {
		q = noise_find(g, &ng, group[i]);
		d = runs[i] - q->sum / (double)q->n;
		ssw += d * d;
		sst += (runs[i] - grand) * (runs[i] - grand);
	}
	for (i = 0; i < ng; i++) {
		d = g[i].sum / (double)g[i].n - grand;
		ssb += (double)g[i].n * d * d;
		sumsq += (double)g[i].n * (double)g[i].n;
	}
	free(g);
	if (ng < 2 || n <= ng)
		return -1;
	msw = ssw / (double)(n - ng);
	msb = ssb / (double)(ng - 1);
	n0 = ((double)n - sumsq / (double)n) / (double)(ng - 1);
	out->boots = ng;
	out->runs = n;
	out->mean = grand;
	out->within_var = msw;
	out->between_var = fmax(0, (msb - msw) / n0);
	if (grand != 0) {
		out->cv_within = sqrt(out->within_var) / fabs(grand);
		out->cv_between = sqrt(out->between_var) / fabs(grand);
		out->cv_total = sqrt(sst / (double)(n - 1)) / fabs(grand);
	}
	return 0;
}

int
noise_runs_per_boot(const struct noise *nz, double boot_cost,
    double run_cost, int min, int max)
{
	double k;

	if (max < min)
		max = min;
	if (!(nz->between_var > 0) || !(run_cost > 0))
		return max;
	k = sqrt(boot_cost / run_cost * nz->within_var / nz->between_var);
	if (!(k >= min))
		return min;
	if (k >= max)
		return max;
	return (int)lround(k);
}

double
noise_expected_boots(double delta, double alpha, double beta)
{
	double a, b, asn;

	if (!(delta > 0) || !(alpha > 0 && alpha < 1) ||
	    !(beta > 0 && beta < 1))
		return INFINITY;
	a = log((1 - beta) / alpha);
	b = log(beta / (1 - alpha));
	/* Under H1; the mean drift of the LLR per boot is delta^2 / 2. */
	asn = ((1 - beta) * a + beta * b) / (delta * delta / 2);
	return asn < 1 ? 1 : asn;
}
