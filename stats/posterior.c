/* SPDX-License-Identifier: MIT */
/*
 * posterior.c - the posterior over the first bad commit.
 *
 * The log-posterior of state c is
 *
 *	log prior(c) + sum over measured i < c of Lg(i)
 *		     + sum over measured i >= c of Lb(i)
 *
 * where Lg(i) and Lb(i) are the log-likelihoods of the boots of interior
 * position i under "i is good" and "i is bad" (the endpoints' data are
 * the same under every state and only enter through the estimates).  It
 * is constant between two measured positions, so the states are kept as
 * blocks with one per-state probability each.  "No single culprit" has
 * prior none_prior and is two steps: good up to c1, a level in between
 * the endpoints' up to c2, bad from there (post_two_steps).  It wins only
 * when some commits sit clearly between the endpoints.
 *
 * Estimates (EM): the good mean is the mean of all boots weighted by each
 * position's probability of being good, the bad mean likewise, the scale
 * the pooled within-group spread; under Student-t the means are
 * reweighted by the t weights and the scale comes from the median
 * absolute residual.  A commit's likelihood accounts for the standard
 * error of the mean it is compared with: the gaussian one widens the
 * scale by it and is a t with the pooled degrees of freedom, Student-t
 * integrates the mean over it (the error is shared by all of a commit's
 * boots): the uncertainty of the estimates shows in the posterior
 * instead of being ignored.  Student-t is chosen when it fits the
 * residuals better than the gaussian by POST_HEAVY_LR in
 * log-likelihood; 5 % of boots 4 sd off are found after a few dozen
 * boots, gaussian noise keeps the gaussian likelihood.
 *
 * Drift: a machine that gets slower or faster during the bisection
 * makes every later commit look worse or better.  Values carry the time
 * they were measured; a linear drift estimated within groups is removed
 * from them when it is significant (post_detrend).
 *
 * Choice: testing position i asks whether c <= i, which has probability
 * F(i).  One boot's information about it is approximated by the binary
 * channel that calls a boot bad when it lies beyond the midpoint: with
 * e = Phi(-delta sqrt(k) / 2) for k boots at separation delta, I =
 * H(F e' ) - H(e) with e' the error-mixed F.  Divided by the cost of
 * building (if not built) and k boots, maximised over k: positions
 * already built are preferred while they still answer something.
 *
 * Stop: the culprit holds the confidence and it and its parent have
 * min_boots boots each measured side by side (post_side_by_side), so
 * that drift the correction missed cannot make a culprit of a commit
 * measured long after its parent; an endpoint is booted again for it.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "bisect/util.h"
#include "stats/posterior.h"
#include "stats/verdict.h"

#define POST_NMID	16	/* points of the in-between integral */
#define POST_EM_ITER	3
#define POST_GAUSS_DF	200	/* beyond: gaussian */
#define POST_MIN_SCALE	1e-9
#define POST_SURE	0.9	/* see post_wsure() */
#define POST_HEAVY_LR	2.0	/* see post_mad() */
#define POST_DRIFT_Z	4.0	/* see post_detrend() */
#define POST_DRIFT_SURE	0.999

struct post_lik {
	double	 lg;
	double	 lb;
};

void
posterior_params_default(struct posterior_params *p)
{
	memset(p, 0, sizeof(*p));
	p->confidence = 0.99;
	p->min_boots = 3;
	p->none_prior = 0.001;
	p->model = POSTERIOR_AUTO;
	p->nu = 4;
	p->choice = POSTERIOR_INFO;
	p->cost_boot = 1;
	p->cost_build = 10;
	p->endgame = 0.5;
	p->cap_mass = 0.95;
	p->drift = 1;
}

static double
post_lse2(double a, double b)
{
	if (a == -INFINITY)
		return b;
	if (b == -INFINITY)
		return a;
	return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

/* log density of x under a t with df degrees of freedom and scale s. */
static double
post_logt(double x, double s, double df)
{
	double z = x / s;

	if (df >= POST_GAUSS_DF)
		return -0.5 * log(2 * M_PI) - log(s) - 0.5 * z * z;
	return lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * M_PI) -
	    log(s) - (df + 1) / 2 * log1p(z * z / df);
}

void
posterior_init(struct posterior *p, uint32_t n,
    const struct posterior_params *par, enum better better)
{
	memset(p, 0, sizeof(*p));
	p->n = n;
	p->par = *par;
	p->better = better;
	p->c = xcalloc((size_t)n + 1, sizeof(*p->c));
	p->meas = xcalloc((size_t)n + 1, sizeof(*p->meas));
	p->blk = xcalloc((size_t)n + 1, sizeof(*p->blk));
	p->cum = xcalloc((size_t)n + 2, sizeof(*p->cum));
	p->blk[0].lo = 1;
	p->blk[0].hi = n;
	p->blk[0].p = (1 - par->none_prior) / n;
	p->cum[1] = 1;
	p->nblk = 1;
	p->p_none = par->none_prior;
	p->scale = 1;
	p->heavy = par->model == POSTERIOR_STUDENT;
	p->tconst = lgamma((par->nu + 1) / 2) - lgamma(par->nu / 2) -
	    0.5 * log(par->nu * M_PI);
}

void
posterior_release(struct posterior *p)
{
	uint32_t i;

	if (p->c)
		for (i = 0; i <= p->n; i++) {
			free(p->c[i].v);
			free(p->c[i].raw);
			free(p->c[i].t);
		}
	free(p->c);
	free(p->meas);
	free(p->blk);
	free(p->cum);
	memset(p, 0, sizeof(*p));
}

/* Probability that position i is good: P(c > i). */
static double
post_wgood(const struct posterior *p, uint32_t i)
{
	if (i == 0)
		return 1;
	if (i >= p->n)
		return 0;
	return 1 - posterior_cdf(p, i);
}

/*
 * The weight of position i in the good mean's estimate: only positions
 * that are nearly surely good or bad count, since an undecided one would
 * pull both means towards itself and make them look closer than they
 * are, which makes every later boot look less informative.
 */
static double
post_wsure(const struct posterior *p, uint32_t i, int good)
{
	double w = post_wgood(p, i);

	if (!good)
		w = 1 - w;
	return w >= POST_SURE ? w : 0;
}

/* The k-th smallest of v[0..n-1] (v is reordered). */
static double
post_select(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1, i, j;
	double piv, t;

	while (lo < hi) {
		piv = v[lo + (hi - lo) / 2];
		i = lo;
		j = hi;
		while (i <= j) {
			while (v[i] < piv)
				i++;
			while (v[j] > piv)
				j--;
			if (i <= j) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/*
 * Robust scale: the median absolute residual against the likelier
 * group.  *heavy when Student-t fits the residuals better than the
 * gaussian by more than POST_HEAVY_LR (log-likelihood, each with its
 * scale fitted: the gaussian's by maximum likelihood, t's from the
 * median absolute residual).
 */
static double
post_mad(const struct posterior *p, int *heavy)
{
	double *r, med, mu, ss = 0, lg, lt = 0, st, sg;
	size_t nr = 0, i2;
	uint32_t i, j;

	*heavy = 0;
	if (p->nboots == 0)
		return 0;
	r = xcalloc(p->nboots, sizeof(*r));
	for (i = 0; i <= p->n; i++) {
		if (p->c[i].n == 0)
			continue;
		mu = post_wgood(p, i) >= 0.5 ? p->mu_good : p->mu_bad;
		for (j = 0; j < p->c[i].n; j++) {
			r[nr] = fabs(p->c[i].v[j] - mu);
			ss += r[nr] * r[nr];
			nr++;
		}
	}
	med = post_select(r, nr, nr / 2);
	if (nr % 2 == 0)
		med = (med + post_select(r, nr, nr / 2 - 1)) / 2;
	if (nr >= 10 && med > 0 && ss > 0) {
		sg = sqrt(ss / nr);
		lg = -0.5 * nr * (log(2 * M_PI * sg * sg) + 1);
		st = med / gsl_cdf_tdist_Pinv(0.75, p->par.nu);
		for (i2 = 0; i2 < nr; i2++)
			lt += log1p(r[i2] * r[i2] / (st * st * p->par.nu));
		lt = nr * (p->tconst - log(st)) - (p->par.nu + 1) / 2 * lt;
		*heavy = lt > lg + POST_HEAVY_LR;
	}
	free(r);
	return med;
}

/*
 * Re-estimate the means and the scale.  all: use the interior positions
 * with their current probabilities; otherwise the endpoints only.
 */
static void
post_estimate(struct posterior *p, int all)
{
	const struct posterior_commit *c;
	double sg = 0, sb = 0, ng = 0, nb = 0, ss = 0, df = -2, wg, wb, d;
	double mad, u, z, floor_s;
	uint32_t i, j;
	int heavy;

	for (i = 0; i <= p->n; i++) {
		c = &p->c[i];
		if (c->n == 0 || (!all && i != 0 && i != p->n))
			continue;
		wg = post_wsure(p, i, 1);
		wb = post_wsure(p, i, 0);
		sg += wg * c->n * c->mean;
		ng += wg * c->n;
		sb += wb * c->n * c->mean;
		nb += wb * c->n;
	}
	if (ng > 0)
		p->mu_good = sg / ng;
	if (nb > 0)
		p->mu_bad = sb / nb;
	for (i = 0; i <= p->n; i++) {
		c = &p->c[i];
		if (c->n == 0 || (!all && i != 0 && i != p->n))
			continue;
		/* Every commit's own spread counts, whatever it is. */
		ss += c->m2;
		df += c->n - 1;
		wg = post_wsure(p, i, 1);
		wb = post_wsure(p, i, 0);
		d = c->mean - p->mu_good;
		ss += wg * c->n * d * d;
		d = c->mean - p->mu_bad;
		ss += wb * c->n * d * d;
		df += wg + wb;	/* one per mean compared */
	}
	p->n_good = ng > 1 ? ng : 1;
	p->n_bad = nb > 1 ? nb : 1;
	p->scale = df > 0 ? sqrt(ss / df) : 0;
	floor_s = POST_MIN_SCALE * fmax(1, fmax(fabs(p->mu_good),
	    fabs(p->mu_bad)));
	if (!all) {
		p->mad = post_mad(p, &heavy);
		p->heavy = p->par.model == POSTERIOR_STUDENT ||
		    (p->par.model == POSTERIOR_AUTO && heavy);
	}
	mad = p->mad;
	if (p->heavy && mad > 0) {
		/* The median of |t_nu| turns the MAD into t's scale. */
		p->scale = mad / gsl_cdf_tdist_Pinv(0.75, p->par.nu);
		sg = sb = ng = nb = 0;
		for (i = 0; i <= p->n; i++) {
			c = &p->c[i];
			if (c->n == 0 || (!all && i != 0 && i != p->n))
				continue;
			wg = post_wsure(p, i, 1);
			wb = post_wsure(p, i, 0);
			for (j = 0; j < c->n; j++) {
				z = (c->v[j] - p->mu_good) / p->scale;
				u = (p->par.nu + 1) / (p->par.nu + z * z);
				sg += wg * u * c->v[j];
				ng += wg * u;
				z = (c->v[j] - p->mu_bad) / p->scale;
				u = (p->par.nu + 1) / (p->par.nu + z * z);
				sb += wb * u * c->v[j];
				nb += wb * u;
			}
		}
		if (ng > 0)
			p->mu_good = sg / ng;
		if (nb > 0)
			p->mu_bad = sb / nb;
	}
	if (!(p->scale > floor_s))
		p->scale = floor_s;
	if (!all) {
		p->end_good = p->mu_good;
		p->end_bad = p->mu_bad;
	}
}

/* Student-t log-likelihood of a commit's boots around mu. */
static double
post_tsum(const struct posterior *p, const struct posterior_commit *c,
    double mu)
{
	double s = p->scale, l = 0, x;
	uint32_t j;

	for (j = 0; j < c->n; j++) {
		x = c->v[j] - mu;
		l += log1p(x * x / (s * s * p->par.nu));
	}
	return c->n * (p->tconst - log(s)) - (p->par.nu + 1) / 2 * l;
}

/*
 * Log-likelihood of position i's data if its mean were mu, known up to
 * a variance of widen scale^2.  Under Student-t the uncertain mean is
 * integrated out (Gauss-Hermite): it is shared by all the commit's boots,
 * so widening every boot's scale instead would let many boots of one
 * commit outweigh a few of the endpoints'.
 */
static double
post_loglik_at(const struct posterior *p, const struct posterior_commit *c,
    double mu, double widen)
{
	static const double gx[] = { 0, 0.958572464613819, 2.02018287045609 };
	static const double gw[] = { 0.945308720482942, 0.393619323152241,
	    0.0199532420590459 };
	double s, l = -INFINITY, df, sd;
	size_t k;

	if (p->heavy) {
		if (widen <= 0)
			return post_tsum(p, c, mu);
		sd = M_SQRT2 * p->scale * sqrt(widen);
		for (k = 0; k < ARRAY_SIZE(gx); k++) {
			l = post_lse2(l, log(gw[k]) + post_tsum(p, c,
			    mu + sd * gx[k]));
			if (k > 0)
				l = post_lse2(l, log(gw[k]) + post_tsum(p, c,
				    mu - sd * gx[k]));
		}
		return l - 0.5 * log(M_PI);
	}
	df = p->nboots > 3 ? p->nboots - 2 : 1;
	s = p->scale * sqrt(1.0 / c->n + widen);
	return post_logt(c->mean - mu, s, df);
}

static void
post_lik(const struct posterior *p, uint32_t i, struct post_lik *out)
{
	const struct posterior_commit *c = &p->c[i];

	out->lg = post_loglik_at(p, c, p->mu_good, 1 / p->n_good);
	out->lb = post_loglik_at(p, c, p->mu_bad, 1 / p->n_bad);
}

/*
 * Log marginal likelihood of "no single culprit", modelled as two steps:
 * commits before c1 are good, from c2 on bad, and c1 <= i < c2 sit at
 * one level in between (uniform between the two means, integrated on
 * POST_NMID points), every pair c1 < c2 equally likely.  The pairs with
 * no measured commit between them fit exactly as one culprit does; the
 * rest win only when some commits really sit between the endpoints.  It
 * pays for placing two commits instead of one, so noise alone rarely
 * makes it likely.  With prefix sums it costs O(POST_NMID m).
 */
static double
post_two_steps(const struct posterior *p, const struct post_lik *lk,
    const double *lb_suffix)
{
	const struct posterior_commit *c;
	double lo, hi, mu, wmid, lm, r, g, term, tot = -INFINITY, lvl;
	double sa, sb, pairs;
	uint32_t m = p->nmeas, a, b, j;

	lo = fmin(p->mu_good, p->mu_bad);
	hi = fmax(p->mu_good, p->mu_bad);
	wmid = 0.5 / p->n_good + 0.5 / p->n_bad;
	pairs = 0.5 * (double)p->n * ((double)p->n - 1);
	if (pairs <= 0)
		return -INFINITY;
	for (j = 0; j < POST_NMID; j++) {
		mu = lo + (j + 0.5) * (hi - lo) / POST_NMID;
		lvl = -INFINITY;
		r = -INFINITY;	/* over a < b: G[a] - M[a] + log s_a */
		g = 0;		/* G[b]: the good log-likelihood before b */
		lm = 0;		/* M[b]: the in-between one */
		for (b = 0; b <= m; b++) {
			sb = (double)(p->blk[b].hi - p->blk[b].lo + 1);
			term = lm + lb_suffix[b] + log(sb) + r;
			lvl = post_lse2(lvl, term);
			if (b < m) {
				r = post_lse2(r, g - lm + log(sb));
				c = &p->c[p->meas[b]];
				lm += post_loglik_at(p, c, mu,
				    p->heavy ? 0 : wmid);
				g += lk[b].lg;
			}
		}
		tot = post_lse2(tot, lvl);
	}
	tot -= log(POST_NMID);
	/* Both in one block: no commit measured in between. */
	g = 0;
	for (a = 0; a <= m; a++) {
		sa = (double)(p->blk[a].hi - p->blk[a].lo + 1);
		if (sa >= 2)
			tot = post_lse2(tot, g + lb_suffix[a] +
			    log(0.5 * sa * (sa - 1)));
		if (a < m)
			g += lk[a].lg;
	}
	return tot - log(pairs);
}

/*
 * Gaussian log marginal likelihood of every block (up to a constant):
 * the good group is position 0 and the measured positions before the
 * block, the bad group the rest; with flat priors on both means and on
 * log sigma it is -log(Ng Nb) / 2 - (N - 2) / 2 log SS, SS the pooled
 * within-group sum of squares (as in verdict.c).  Exact: the endpoints'
 * and the noise's uncertainty are integrated out, not estimated.
 */
static void
post_exact(const struct posterior *p, double *out)
{
	const struct posterior_commit *c;
	double ref = p->c[0].mean, ng, sg, qg, nb = 0, sb = 0, qb = 0, x;
	double ss, tot = p->nboots, *nsuf, *ssuf, *qsuf;
	uint32_t k, m = p->nmeas;

	nsuf = xcalloc((size_t)m + 1, sizeof(*nsuf));
	ssuf = xcalloc((size_t)m + 1, sizeof(*ssuf));
	qsuf = xcalloc((size_t)m + 1, sizeof(*qsuf));
	c = &p->c[p->n];
	x = c->mean - ref;
	nb = c->n;
	sb = c->n * x;
	qb = c->m2 + c->n * x * x;
	for (k = m; k-- > 0;) {
		c = &p->c[p->meas[k]];
		x = c->mean - ref;
		nsuf[k] = nsuf[k + 1] + c->n;
		ssuf[k] = ssuf[k + 1] + c->n * x;
		qsuf[k] = qsuf[k + 1] + c->m2 + c->n * x * x;
	}
	c = &p->c[0];
	ng = c->n;
	sg = 0;
	qg = c->m2;
	for (k = 0; k <= m; k++) {
		double n2 = nb + nsuf[k], s2 = sb + ssuf[k], q2 = qb + qsuf[k];

		ss = qg - sg * sg / ng + q2 - s2 * s2 / n2;
		if (!(ss > DBL_MIN))
			ss = DBL_MIN;
		out[k] = -0.5 * log(ng * n2) - (tot - 2) / 2 * log(ss);
		if (k < m) {
			c = &p->c[p->meas[k]];
			x = c->mean - ref;
			ng += c->n;
			sg += c->n * x;
			qg += c->m2 + c->n * x * x;
		}
	}
	free(nsuf);
	free(ssuf);
	free(qsuf);
}

/* Sufficient statistics of a group of boots, around a reference. */
struct post_grp {
	double	 n;
	double	 s;	/* sum of (v - ref) */
	double	 q;	/* sum of (v - ref)^2 */
};

static void
post_grp_add(struct post_grp *g, const struct posterior_commit *c,
    double ref, int sign)
{
	double x = c->mean - ref, n = (double)c->n;

	g->n += sign * n;
	g->s += sign * n * x;
	g->q += sign * (c->m2 + n * x * x);
}

/*
 * Gaussian log marginal likelihood (same constants as post_exact) of
 * the two-step model for one split: group g good, m at the fraction f of
 * the way from good to bad, b bad.  A regression on x = 0, f, 1 with
 * flat priors on its two coefficients and on log sigma:
 * -log det(X'X) / 2 - (N - 2) / 2 log SS.
 */
static double
post_exact_split(const struct post_grp *g, const struct post_grp *m,
    const struct post_grp *b, double f)
{
	double n = g->n + m->n + b->n, sx = f * m->n + b->n;
	double sxx = f * f * m->n + b->n, sy = g->s + m->s + b->s;
	double sxy = f * m->s + b->s, syy = g->q + m->q + b->q;
	double cxx = sxx - sx * sx / n, cxy = sxy - sx * sy / n;
	double ss = syy - sy * sy / n - cxy * cxy / cxx;

	if (!(ss > DBL_MIN))
		ss = DBL_MIN;
	return -0.5 * log(n * cxx) - (n - 2) / 2 * log(ss);
}

/*
 * post_two_steps with the means and the noise integrated out (gaussian):
 * every split of the measured positions into good, in-between and bad,
 * O(POST_NMID m^2).  ex: post_exact's values, the splits with nothing
 * in between.
 */
static double
post_two_steps_exact(const struct posterior *p, const double *ex)
{
	struct post_grp g = { 0, 0, 0 }, mid, b;
	double ref = p->c[0].mean, tot = -INFINITY, lf, l, sa, sb, pairs;
	uint32_t m = p->nmeas, i, j, k;

	pairs = 0.5 * (double)p->n * ((double)p->n - 1);
	if (pairs <= 0)
		return -INFINITY;
	post_grp_add(&g, &p->c[0], ref, 1);
	for (i = 0; i <= m; i++) {
		sa = (double)(p->blk[i].hi - p->blk[i].lo + 1);
		if (sa >= 2)
			tot = post_lse2(tot, ex[i] + log(0.5 * sa * (sa - 1)));
		/* Good: 0 and meas[0..i-1]; in between meas[i..j-1]. */
		memset(&mid, 0, sizeof(mid));
		b.n = b.s = b.q = 0;
		post_grp_add(&b, &p->c[p->n], ref, 1);
		for (k = i; k < m; k++)
			post_grp_add(&b, &p->c[p->meas[k]], ref, 1);
		for (j = i + 1; j <= m; j++) {
			post_grp_add(&mid, &p->c[p->meas[j - 1]], ref, 1);
			post_grp_add(&b, &p->c[p->meas[j - 1]], ref, -1);
			sb = (double)(p->blk[j].hi - p->blk[j].lo + 1);
			lf = -INFINITY;
			for (k = 0; k < POST_NMID; k++) {
				l = post_exact_split(&g, &mid, &b,
				    (k + 0.5) / POST_NMID);
				lf = post_lse2(lf, l);
			}
			tot = post_lse2(tot, lf - log(POST_NMID) + log(sa) +
			    log(sb));
		}
		if (i < m)
			post_grp_add(&g, &p->c[p->meas[i]], ref, 1);
	}
	return tot - log(pairs);
}

/*
 * The posterior from the current estimates.  Student-t blocks use the
 * estimates; gaussian ones the exact marginal (post_exact).  "No single
 * culprit" is weighed against the single-culprit states as a whole with
 * the estimates in both.
 */
static void
post_compute(struct posterior *p)
{
	struct post_lik *lk;
	double *lb_suffix, *ex = NULL, lg_prefix = 0, lnone = 0, lp, norm;
	double lstep, lstep_ex, logprior, step, size, lbf;
	uint32_t k, m = p->nmeas;

	lk = xcalloc(m ? m : 1, sizeof(*lk));
	lb_suffix = xcalloc((size_t)m + 1, sizeof(*lb_suffix));
	for (k = 0; k < m; k++)
		post_lik(p, p->meas[k], &lk[k]);
	for (k = m; k-- > 0;)
		lb_suffix[k] = lb_suffix[k + 1] + lk[k].lb;
	if (!p->heavy && p->nboots > 2) {
		ex = xcalloc((size_t)m + 1, sizeof(*ex));
		post_exact(p, ex);
	}
	/* Block k: states meas[k-1] + 1 .. meas[k] (1 and n at the ends). */
	logprior = -log(p->n);
	lstep = lstep_ex = -INFINITY;
	for (k = 0; k <= m; k++) {
		p->blk[k].lo = k == 0 ? 1 : p->meas[k - 1] + 1;
		p->blk[k].hi = k == m ? p->n : p->meas[k];
		size = log(p->blk[k].hi - p->blk[k].lo + 1);
		lp = logprior + lg_prefix + lb_suffix[k];
		lstep = post_lse2(lstep, lp + size);
		if (ex) {
			lp = logprior + ex[k];
			lstep_ex = post_lse2(lstep_ex, lp + size);
		}
		p->blk[k].p = lp;
		if (k < m)
			lg_prefix += lk[k].lg;
	}
	if (!ex)
		lstep_ex = lstep;
	p->nblk = m + 1;
	/* log odds of "no single culprit" against one culprit */
	if (ex) {
		lnone = post_two_steps_exact(p, ex);
		lstep = lstep_ex;
	} else
		lnone = post_two_steps(p, lk, lb_suffix);
	lbf = log(p->par.none_prior) - log1p(-p->par.none_prior) + lnone -
	    lstep;
	p->p_none = lbf > 0 ? 1 / (1 + exp(-lbf)) : exp(lbf) / (1 + exp(lbf));
	norm = lstep_ex - log1p(-p->p_none);
	step = 0;
	for (k = 0; k < p->nblk; k++) {
		p->blk[k].p = exp(p->blk[k].p - norm);
		p->cum[k] = step;
		step += p->blk[k].p * (p->blk[k].hi - p->blk[k].lo + 1);
	}
	p->cum[p->nblk] = step;
	if (step > 0)
		for (k = 0; k <= p->nblk; k++)
			p->cum[k] /= step;
	free(lk);
	free(lb_suffix);
	free(ex);
}

/* Welford's update of c's mean and m2 with its value j, the j+1-th. */
static void
post_welford(struct posterior_commit *c, uint32_t j)
{
	double d = c->v[j] - c->mean;

	c->mean += d / (j + 1);
	c->m2 += d * (c->v[j] - c->mean);
}

/*
 * The group a position's values are regressed in: 0 the good endpoint
 * and the commits almost surely good (POST_DRIFT_SURE), 1 the same for
 * bad, 2 a commit on its own.  Pooling by side uses the time spread
 * between commits; only commits placed beyond doubt are pooled, since a
 * commit on the wrong side passes for drift, and the drift removed then
 * makes it look even more so.
 */
static int
post_drift_group(const struct posterior *p, uint32_t i)
{
	double w = post_wgood(p, i);

	return w >= POST_DRIFT_SURE ? 0 : 1 - w >= POST_DRIFT_SURE ? 1 : 2;
}

/*
 * Drift: the machine gets slower or faster over the bisection.  Its slope
 * is the pooled regression of the values on their times within groups
 * (post_drift_group), so a level that differs between groups cannot pass
 * for drift.  It is removed from the values only when significant
 * (POST_DRIFT_Z standard errors, from the regression's own residuals): a
 * slope estimated from noise would add noise.  Then every value is
 * recomputed as measured minus slope times (time - t0), t0 the mean
 * time, and the commits' sufficient statistics with it.
 */
static void
post_detrend(struct posterior *p)
{
	struct posterior_commit *c;
	double st[3] = { 0, 0, 0 }, sy[3] = { 0, 0, 0 }, sn[3] = { 0, 0, 0 };
	double stt = 0, sty = 0, syy = 0, tm, ym, tt = 0, nn = 0, slope = 0;
	double se, ngrp = 0;
	uint32_t i, j;
	int g;

	if (!p->par.drift || p->nboots < 20)
		return;
	/* The groups' mean times and values (g 2: the commit itself). */
	for (i = 0; i <= p->n; i++) {
		c = &p->c[i];
		if (c->n == 0)
			continue;
		g = post_drift_group(p, i);
		for (j = 0; j < c->n; j++) {
			tt += c->t[j];
			nn++;
			if (g < 2) {
				st[g] += c->t[j];
				sy[g] += c->raw[j];
				sn[g]++;
			}
		}
	}
	for (i = 0; i <= p->n; i++) {
		c = &p->c[i];
		if (c->n == 0)
			continue;
		g = post_drift_group(p, i);
		if (g < 2) {
			tm = st[g] / sn[g];
			ym = sy[g] / sn[g];
		} else {
			tm = ym = 0;
			for (j = 0; j < c->n; j++) {
				tm += c->t[j];
				ym += c->raw[j];
			}
			tm /= c->n;
			ym /= c->n;
		}
		ngrp += g == 2 ? 1 : 0;
		for (j = 0; j < c->n; j++) {
			stt += (c->t[j] - tm) * (c->t[j] - tm);
			sty += (c->t[j] - tm) * (c->raw[j] - ym);
			syy += (c->raw[j] - ym) * (c->raw[j] - ym);
		}
	}
	for (g = 0; g < 2; g++)
		ngrp += sn[g] > 0;
	/* The slope's standard error from the regression's own residuals. */
	if (stt > 0 && nn > ngrp + 1) {
		slope = sty / stt;
		se = sqrt(fmax(syy - slope * sty, 0) / (nn - ngrp - 1) / stt);
		if (!(fabs(slope) > POST_DRIFT_Z * se))
			slope = 0;
	}
	if (slope == p->drift && slope == 0)
		return;
	p->drift = slope;
	p->t0 = tt / nn;
	for (i = 0; i <= p->n; i++) {
		c = &p->c[i];
		c->mean = c->m2 = 0;
		for (j = 0; j < c->n; j++) {
			c->v[j] = c->raw[j] - slope * (c->t[j] - p->t0);
			post_welford(c, j);
		}
	}
}

static void
post_update(struct posterior *p)
{
	int it;

	if (p->c[0].n == 0 || p->c[p->n].n == 0)
		return;
	post_detrend(p);
	post_estimate(p, 0);
	post_compute(p);
	for (it = 1; it < POST_EM_ITER; it++) {
		post_estimate(p, 1);
		post_compute(p);
	}
}

static int
post_push(struct posterior *p, uint32_t pos, double v, double t)
{
	struct posterior_commit *c;
	uint32_t k;

	if (pos > p->n || !isfinite(v) || !isfinite(t))
		return -1;
	c = &p->c[pos];
	if (c->n == 0 && pos != 0 && pos != p->n) {
		for (k = p->nmeas; k > 0 && p->meas[k - 1] > pos; k--)
			p->meas[k] = p->meas[k - 1];
		p->meas[k] = pos;
		p->nmeas++;
	}
	GROW(c->v, (size_t)c->n + 1, c->valloc);
	GROW(c->raw, (size_t)c->n + 1, c->ralloc);
	GROW(c->t, (size_t)c->n + 1, c->talloc);
	c->raw[c->n] = v;
	c->t[c->n] = t;
	c->v[c->n] = v - p->drift * (t - p->t0);
	post_welford(c, c->n++);
	p->nboots++;
	return 0;
}

int
posterior_add(struct posterior *p, uint32_t pos, double v)
{
	return posterior_add_many_t(p, pos, &v, NULL, 1);
}

int
posterior_add_many(struct posterior *p, uint32_t pos, const double *v,
    size_t nv)
{
	return posterior_add_many_t(p, pos, v, NULL, nv);
}

int
posterior_add_many_t(struct posterior *p, uint32_t pos, const double *v,
    const double *t, size_t nv)
{
	size_t i;

	for (i = 0; i < nv; i++)
		if (post_push(p, pos, v[i], t ? t[i] : (double)p->nboots) < 0)
			return -1;
	post_update(p);
	return 0;
}

void
posterior_fail(struct posterior *p, uint32_t pos)
{
	if (pos <= p->n)
		p->c[pos].fails++;
}

void
posterior_set_built(struct posterior *p, uint32_t pos, int built)
{
	if (pos <= p->n)
		p->c[pos].built = built;
}

/* The block holding state c. */
static uint32_t
post_block_of(const struct posterior *p, uint32_t c)
{
	uint32_t lo = 0, hi = p->nblk - 1, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (p->blk[mid].hi < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Is state c alone in its block (its commit and its parent measured)? */
static int
post_single(const struct posterior *p, uint32_t c)
{
	const struct posterior_block *b = &p->blk[post_block_of(p, c)];

	return b->lo == b->hi;
}

double
posterior_cdf(const struct posterior *p, uint32_t pos)
{
	const struct posterior_block *b;
	double tot;
	uint32_t k;

	if (pos == 0)
		return 0;
	if (pos >= p->n)
		return 1;
	k = post_block_of(p, pos);
	b = &p->blk[k];
	tot = 1 - p->p_none;
	if (tot <= 0)
		tot = 1;
	return p->cum[k] + b->p * (pos - b->lo + 1) / tot;
}

double
posterior_prob(const struct posterior *p, uint32_t c)
{
	if (c < 1 || c > p->n)
		return 0;
	return p->blk[post_block_of(p, c)].p;
}

uint32_t
posterior_top(const struct posterior *p, double *prob)
{
	uint32_t k, best = 0;

	for (k = 1; k < p->nblk; k++)
		if (p->blk[k].p > p->blk[best].p)
			best = k;
	if (prob)
		*prob = p->blk[best].p;
	return p->blk[best].lo;
}

static int
post_cmp_block(const void *a, const void *b)
{
	const struct posterior_block *x = a, *y = b;

	if (x->p != y->p)
		return x->p > y->p ? -1 : 1;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static struct posterior_block *
post_sorted_blocks(const struct posterior *p)
{
	struct posterior_block *s;

	s = xcalloc(p->nblk, sizeof(*s));
	memcpy(s, p->blk, p->nblk * sizeof(*s));
	qsort(s, p->nblk, sizeof(*s), post_cmp_block);
	return s;
}

size_t
posterior_top_k(const struct posterior *p, struct posterior_cand *out,
    size_t k)
{
	struct posterior_block *s = post_sorted_blocks(p);
	size_t n = 0;
	uint32_t b, c;

	for (b = 0; b < p->nblk && n < k; b++)
		for (c = s[b].lo; c <= s[b].hi && n < k; c++) {
			out[n].pos = c;
			out[n++].p = s[b].p;
		}
	free(s);
	return n;
}

size_t
posterior_set(const struct posterior *p, double mass,
    struct posterior_block *out, size_t max, uint32_t *nstates)
{
	struct posterior_block *s = post_sorted_blocks(p);
	double got = 0;
	uint32_t b, take, size;
	size_t n = 0;

	*nstates = 0;
	for (b = 0; b < p->nblk && got < mass; b++) {
		size = s[b].hi - s[b].lo + 1;
		take = size;
		if (s[b].p > 0 && got + size * s[b].p > mass)
			take = (uint32_t)ceil((mass - got) / s[b].p);
		if (take > size)
			take = size;
		if (take == 0)
			take = 1;
		if (n < max) {
			out[n].lo = s[b].lo;
			out[n].hi = s[b].lo + take - 1;
			out[n].p = s[b].p;
			n++;
		}
		*nstates += take;
		got += take * s[b].p;
	}
	free(s);
	return n;
}

/* Binary entropy in nats. */
static double
post_h2(double x)
{
	if (x <= 0 || x >= 1)
		return 0;
	return -x * log(x) - (1 - x) * log1p(-x);
}

/* Information of k boots about "bad at a position" with P(bad) = f. */
static double
post_info(double f, double delta, double k)
{
	double e = 0.5 * erfc(delta * sqrt(k) / 2 / M_SQRT2);
	double q = f * (1 - e) + (1 - f) * e;

	return post_h2(q) - post_h2(e);
}

/* Expected information per unit of cost of measuring position i. */
static double
post_score(const struct posterior *p, uint32_t i, double delta)
{
	static const double ks[] = { 1, 2, 4, 8 };
	const struct posterior_commit *c = &p->c[i];
	double f = posterior_cdf(p, i), best = 0, v, build, pen, nend;
	size_t j;

	if (i == 0 || i >= p->n || (c->fails > 0 && c->n == 0))
		return -1;
	build = c->built ? 0 : p->par.cost_build;
	nend = fmin(p->n_good, p->n_bad);
	for (j = 0; j < ARRAY_SIZE(ks); j++) {
		/*
		 * Boots beyond the endpoints' own count tell little more:
		 * the comparison is then limited by the endpoints.
		 */
		v = post_info(f, delta / sqrt(1 + (c->n + ks[j]) / nend),
		    ks[j]) / (build + ks[j] * p->par.cost_boot);
		if (v > best)
			best = v;
		if (c->built)
			break;
	}
	/* Untestable commits and their neighbours are likely to fail. */
	pen = 1 + 2.0 * c->fails + 0.5 * (p->c[i - 1].fails +
	    p->c[i + 1].fails);
	return best / pen;
}

/* Consider position i: keep it in *best if it scores higher. */
static void
post_consider(const struct posterior *p, uint32_t i, double delta,
    uint32_t *best, double *bscore)
{
	double s = post_score(p, i, delta);

	if (s > *bscore || (s == *bscore && s >= 0 && i < *best)) {
		*best = i;
		*bscore = s;
	}
}

/* The unmeasured positions of block k nearest F = 1/2, and neighbours. */
static void
post_consider_block(const struct posterior *p, uint32_t k, double delta,
    uint32_t *best, double *bscore)
{
	const struct posterior_block *b = &p->blk[k];
	double tot = 1 - p->p_none, x;
	uint32_t first = b->lo, last = b->hi - 1, i, c;
	int d;

	/* Positions lo..hi-1 are unmeasured (hi is measured or n). */
	if (b->hi == p->n)
		last = p->n - 1;
	if (first > last || first == 0)
		return;
	if (tot <= 0)
		tot = 1;
	x = b->p > 0 ? (0.5 - p->cum[k]) * tot / b->p + b->lo - 1 : first;
	if (x < first)
		x = first;
	if (x > last)
		x = last;
	c = (uint32_t)floor(x + 0.5);
	for (d = -2; d <= 2; d++) {
		if ((d < 0 && (uint32_t)-d > c - first) ||
		    (d > 0 && (uint32_t)d > last - c))
			continue;
		i = c + d;
		post_consider(p, i, delta, best, bscore);
	}
}

/*
 * The boots of a and of b measured side by side: each one's boots from
 * the time both had started being measured.  A culprit is compared with
 * its parent over the same stretch of time, so that a machine that drifted
 * since the parent was measured cannot make the culprit.
 */
static void
post_side_by_side(const struct posterior *p, uint32_t a, uint32_t b,
    uint32_t *na, uint32_t *nb)
{
	const struct posterior_commit *ca = &p->c[a], *cb = &p->c[b];
	double since;
	uint32_t j;

	*na = *nb = 0;
	if (ca->n == 0 || cb->n == 0)
		return;
	since = fmax(ca->t[0], cb->t[0]);
	for (j = 0; j < ca->n; j++)
		*na += ca->t[j] >= since;
	for (j = 0; j < cb->n; j++)
		*nb += cb->t[j] >= since;
}

static uint32_t
post_median(const struct posterior *p)
{
	uint32_t best = POSTERIOR_NO_NEXT, k;
	double bscore = -1;

	/* The information score at equal costs is largest at F = 1/2. */
	for (k = 0; k < p->nblk; k++)
		if (p->cum[k] <= 0.5 && p->cum[k + 1] >= 0.5)
			post_consider_block(p, k, 1, &best, &bscore);
	for (k = 0; k < p->nmeas; k++)
		if (fabs(posterior_cdf(p, p->meas[k]) - 0.5) < 0.25)
			post_consider(p, p->meas[k], 1, &best, &bscore);
	return best;
}

/*
 * The endpoint measured less, instead of commit i when i has caught up
 * with it: a commit's level is compared with the endpoints', so once it
 * has as many boots as an endpoint, the endpoint is what limits the
 * comparison.  An endpoint phase that stopped early, on a difference
 * that noise made look large, otherwise leaves every commit looking
 * in between and the search boots each one again and again (unless the
 * change looks like two steps: then commits really are in between).  A
 * run of endpoint boots goes on until both have half as many again as i.
 */
static double
post_last_t(const struct posterior_commit *c)
{
	return c->n > 0 ? c->t[c->n - 1] : -INFINITY;
}

static uint32_t
post_or_endpoint(const struct posterior *p, uint32_t i)
{
	uint32_t e = p->c[0].n <= p->c[p->n].n ? 0 : p->n, k;
	double emin = p->c[e].n, ci, tend;

	/* Commits in between because the change came in two steps. */
	if (p->p_none >= 0.5 || i == POSTERIOR_NO_NEXT || i == 0 ||
	    i >= p->n || emin == 0)
		return i;
	ci = p->c[i].n;
	if (ci >= emin)
		return e;
	if (2 * emin >= 3 * ci)
		return i;
	/* In a run of endpoint boots: was the last boot an endpoint's? */
	tend = fmax(post_last_t(&p->c[0]), post_last_t(&p->c[p->n]));
	for (k = 0; k < p->nmeas; k++)
		if (post_last_t(&p->c[p->meas[k]]) > tend)
			return i;
	return e;
}

uint32_t
posterior_next(const struct posterior *p)
{
	struct posterior_params par = p->par;
	uint32_t best = 0, k, top, a, b, cur, na, nb;
	double bscore = -1, delta, ptop, sa, sb;

	if (p->n < 2)
		return POSTERIOR_NO_NEXT;
	/*
	 * The separation from the endpoints alone: interior commits that
	 * the posterior labels wrongly could pull the estimates together
	 * and make every boot look uninformative.
	 */
	delta = fabs(p->end_bad - p->end_good) / p->scale;
	if (!(delta > 1e-3))
		delta = 1e-3;
	top = posterior_top(p, &ptop);
	if (p->p_none < 1)
		ptop /= 1 - p->p_none;
	if (ptop >= par.endgame && post_single(p, top)) {
		/*
		 * Near the end: the culprit and its parent, in turns of a
		 * build's worth of boots each, the one with fewer boots side
		 * by side first (an endpoint too: see posterior_next()).
		 */
		a = top - 1;
		b = top;
		post_side_by_side(p, a, b, &na, &nb);
		sa = !(p->c[a].fails && !p->c[a].n) ? (double)na : -1;
		sb = !(p->c[b].fails && !p->c[b].n) ? (double)nb : -1;
		if (sa >= 0 || sb >= 0) {
			if (sa < 0)
				return b;
			if (sb < 0)
				return a;
			cur = p->c[a].built ? a : p->c[b].built ? b :
			    POSTERIOR_NO_NEXT;
			if (cur == a && sa < sb + par.cost_build / par.cost_boot)
				return a;
			if (cur == b && sb < sa + par.cost_build / par.cost_boot)
				return b;
			return sa <= sb ? a : b;
		}
	}
	if (par.choice == POSTERIOR_MEDIAN)
		return post_or_endpoint(p, post_median(p));
	for (k = 0; k < p->nblk; k++)
		post_consider_block(p, k, delta, &best, &bscore);
	for (k = 0; k < p->nmeas; k++)
		post_consider(p, p->meas[k], delta, &best, &bscore);
	return post_or_endpoint(p, bscore > 0 ? best : post_median(p));
}

enum posterior_stop
posterior_stop(const struct posterior *p, int boots, int builds)
{
	double ptop;
	uint32_t top = posterior_top(p, &ptop), na, nb;

	if (p->p_none >= p->par.confidence)
		return POSTERIOR_NONE;
	/*
	 * The culprit's probability among the single-culprit states: when
	 * the change came in two steps, naming either is right, and the
	 * caller looks for the other in what is left (several culprits).
	 */
	if (p->p_none < 1)
		ptop /= 1 - p->p_none;
	if (ptop >= p->par.confidence && post_single(p, top)) {
		post_side_by_side(p, top - 1, top, &na, &nb);
		if (na >= (uint32_t)p->par.min_boots &&
		    nb >= (uint32_t)p->par.min_boots)
			return POSTERIOR_FOUND;
	}
	if ((p->par.max_boots > 0 && boots >= p->par.max_boots) ||
	    (p->par.max_builds > 0 && builds >= p->par.max_builds))
		return POSTERIOR_CAPPED;
	return POSTERIOR_GO_ON;
}

int
posterior_range_effect(const struct posterior *p, uint32_t a, uint32_t b,
    const struct verdict_params *vp, struct reproduce_result *out)
{
	if (a >= b || b > p->n)
		return -1;
	return verdict_reproduce(p->c[a].v, p->c[a].n, p->c[b].v, p->c[b].n,
	    vp, 0, out);
}
