/* SPDX-License-Identifier: MIT */
/*
 * verdict.c - decisions from boot values: reproduce, classify, confirm.
 *
 * The classification of a commit is a sequential Bayes-factor test.  The
 * commit's boots either share the good endpoint's mean or the bad one's;
 * the noise is one gaussian sigma common to all three samples.  With flat
 * priors on the two means and on log sigma the marginal likelihoods have
 * a closed form, and their ratio (the LLR) is Wald's SPRT statistic with
 * the endpoints' own uncertainty priced in: a commit cannot be classified
 * more surely than the endpoints were measured, so thinly measured
 * endpoints make it take more boots instead of making it err.  Because
 * the ratio of predictive densities is a martingale under either
 * hypothesis, stopping when it crosses log((1 - b) / a) or
 * log(b / (1 - a)), with a = step_alpha and b = step_beta, keeps each
 * error below a or b whatever the number of looks.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/util.h"
#include "stats/stats.h"
#include "stats/stats-int.h"
#include "stats/verdict.h"

#define VERDICT_RESAMPLES	2000
/* Relative floor on the noise, so zero variance still has a scale. */
#define VERDICT_SD_FLOOR	1e-9

struct verdict_ss {
	double	 n;
	double	 mean;
	double	 ss;		/* sum of squared deviations from mean */
};

static int	verdict_finite(const double *, size_t);
static void	verdict_ss(const double *, size_t, struct verdict_ss *);
static double	verdict_ss_join(const struct verdict_ss *,
		    const struct verdict_ss *);
static double	verdict_sign(const struct verdict_params *);
static int	verdict_effect(const double *, size_t, const double *, size_t,
		    const struct verdict_params *, double *, double *,
		    double *);
static double	verdict_point_p(double, const double *, size_t);

static int
verdict_finite(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

void
verdict_params_default(struct verdict_params *p)
{
	p->better = BETTER_LOWER;
	p->alpha = 0.01;
	p->beta = 0.01;
	p->step_alpha = 0.002;
	p->step_beta = 0.002;
	p->min_effect = 0.02;
	p->level = 0.95;
	p->seed = UINT64_C(0x7065726662697365);
}

/* +1 when a larger value is worse, -1 when a smaller one is. */
static double
verdict_sign(const struct verdict_params *p)
{
	return p->better == BETTER_HIGHER ? -1 : 1;
}

/*
 * The relative regression of b against a (oriented so that positive is
 * worse) and an interval for it: the envelope of Welch's t interval of
 * the difference over |mean(a)| and the bootstrap interval of the ratio
 * of means, the more cautious of the two at small samples.
 */
static int
verdict_effect(const double *a, size_t na, const double *b, size_t nb,
    const struct verdict_params *p, double *effect, double *lo, double *hi)
{
	struct summary sa, sb;
	double s = verdict_sign(p), dl, dh, r, rl, rh, t;

	if (stats_summary(a, na, &sa) == -1 || stats_summary(b, nb, &sb) == -1)
		return -1;
	if (sa.mean == 0)
		return -1;
	*effect = s * (sb.mean - sa.mean) / fabs(sa.mean);
	if (stats_welch_interval(b, nb, a, na, p->level, &dl, &dh) == -1)
		return -1;
	*lo = s * (s > 0 ? dl : dh) / fabs(sa.mean);
	*hi = s * (s > 0 ? dh : dl) / fabs(sa.mean);
	if (sa.mean > 0 && stats_bootstrap_ratio(a, NULL, na, b, NULL, nb,
	    p->level, VERDICT_RESAMPLES, p->seed, &r, &rl, &rh) == 0) {
		if (s < 0) {
			t = rl;
			rl = 1 - rh;
			rh = 1 - t;
		} else {
			rl -= 1;
			rh -= 1;
		}
		if (rl < *lo)
			*lo = rl;
		if (rh > *hi)
			*hi = rh;
	}
	return 0;
}

/* The reason: label, then the numbers behind it. */
static void
verdict_reason(struct reproduce_result *out, const char *label, size_t ng,
    size_t nb)
{
	snprintf(out->reason, sizeof(out->reason),
	    "%s: good %.6g (cv %.1f%%, %zu boots), bad %.6g (cv %.1f%%, "
	    "%zu boots), effect %+.2f%% [%+.2f%%, %+.2f%%], p %.2g (welch) "
	    "%.2g (mann-whitney)", label,
	    out->good.mean, 100 * out->good.cv, ng, out->bad.mean,
	    100 * out->bad.cv, nb, 100 * out->effect, 100 * out->effect_lo,
	    100 * out->effect_hi, out->p_welch, out->p_mw);
}

int
verdict_reproduce(const double *good, size_t ng, const double *bad,
    size_t nb, const struct verdict_params *p, int final,
    struct reproduce_result *out)
{
	struct test_result tw, tm;
	enum alternative alt;
	double adj[2];
	int sig;

	memset(out, 0, sizeof(*out));
	out->outcome = REPRO_UNDECIDED;
	if (!verdict_finite(good, ng) || !verdict_finite(bad, nb))
		return -1;
	if (ng < 2 || nb < 2) {
		out->outcome = final ? REPRO_NO : REPRO_UNDECIDED;
		out->p_welch = out->p_mw = 1;
		out->t_welch = NAN;
		snprintf(out->reason, sizeof(out->reason),
		    "too few boots (good %zu, bad %zu)", ng, nb);
		return 0;
	}
	stats_summary(good, ng, &out->good);
	stats_summary(bad, nb, &out->bad);

	alt = p->better == BETTER_HIGHER ? ALT_LESS : ALT_GREATER;
	if (stats_welch(bad, nb, good, ng, alt, &tw) == -1 ||
	    stats_mann_whitney(bad, nb, good, ng, alt, &tm) == -1)
		return -1;
	out->t_welch = verdict_sign(p) * tw.statistic;
	adj[0] = tw.p;
	adj[1] = tm.p;
	stats_holm(adj, 2);
	out->p_welch = adj[0];
	out->p_mw = adj[1];
	sig = adj[0] < p->alpha && adj[1] < p->alpha;

	if (verdict_effect(good, ng, bad, nb, p, &out->effect,
	    &out->effect_lo, &out->effect_hi) == -1) {
		out->outcome = final ? REPRO_NO : REPRO_UNDECIDED;
		snprintf(out->reason, sizeof(out->reason),
		    "no relative effect: good mean is %g", out->good.mean);
		return 0;
	}
	if (sig && out->effect_lo > p->min_effect)
		out->outcome = REPRO_YES;
	else if (out->effect_hi < p->min_effect)
		/* A regression of min_effect or more is ruled out. */
		out->outcome = REPRO_NO;
	else if (final)
		out->outcome = REPRO_NO;

	verdict_reason(out,
	    out->outcome == REPRO_YES ? "reproduced" :
	    out->outcome == REPRO_UNDECIDED ? "undecided" :
	    out->effect_hi < p->min_effect ? "not reproduced" :
	    out->effect <= 0 ? "not reproduced (bad no worse than good)" :
	    "not reproduced in time", ng, nb);
	return 0;
}

int
verdict_promising(const struct reproduce_result *r,
    const struct verdict_params *p)
{
	return r->outcome == REPRO_UNDECIDED && r->p_welch < VERDICT_PROMISING &&
	    !(r->effect_hi < p->min_effect);
}

/*
 * The t the endpoint phase needs at look n to go on: from
 * VERDICT_FUTILE_FROM at max / 4 up to VERDICT_FUTILE_TO at max, a
 * straight line; VERDICT_FUTILE_TO past max.
 */
static double
verdict_futile_t(size_t n, size_t max)
{
	double n0 = (double)max / 4;

	if (n >= max)
		return VERDICT_FUTILE_TO;
	return VERDICT_FUTILE_FROM + (VERDICT_FUTILE_TO -
	    VERDICT_FUTILE_FROM) * ((double)n - n0) / ((double)max - n0);
}

int
verdict_endpoints(const double *good, size_t ng, const double *bad,
    size_t nb, const struct verdict_params *p, size_t n, size_t max,
    size_t long_max, struct reproduce_result *out)
{
	struct verdict_params lp = *p;
	char label[96];
	double t, need;
	int stop;

	if (n > max)
		lp.alpha *= VERDICT_LONG_ALPHA;
	if (verdict_reproduce(good, ng, bad, nb, &lp, n >= long_max, out) < 0)
		return -1;
	if (out->outcome != REPRO_UNDECIDED)
		return 0;
	stop = n >= max && !verdict_promising(out, p);
	/* From max / 4 on: too weak for the boots that are left. */
	need = verdict_futile_t(n, max);
	t = out->t_welch;
	if (4 * n >= max && t < need)
		stop = 2;
	if (!stop)
		return 0;
	if (verdict_reproduce(good, ng, bad, nb, &lp, 1, out) < 0)
		return -1;
	if (stop == 2 && out->outcome == REPRO_NO && out->effect > 0 &&
	    !(out->effect_hi < p->min_effect)) {
		snprintf(label, sizeof(label), "not reproduced (too weak to "
		    "go on: welch t %.2f, needs %.2f)", t, need);
		verdict_reason(out, label, ng, nb);
	}
	return 0;
}

static void
verdict_ss(const double *v, size_t n, struct verdict_ss *out)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += v[i];
	out->n = (double)n;
	out->mean = n ? sum / (double)n : 0;
	out->ss = 0;
	for (i = 0; i < n; i++)
		out->ss += (v[i] - out->mean) * (v[i] - out->mean);
}

/* Sum of squares of two samples pooled into one. */
static double
verdict_ss_join(const struct verdict_ss *a, const struct verdict_ss *b)
{
	double d = a->mean - b->mean;

	return a->ss + b->ss + a->n * b->n / (a->n + b->n) * d * d;
}

/*
 * Two-sided p of the commit's single boot x against an endpoint sample:
 * the prediction interval of a new value, t with n - 1 df.
 */
static double
verdict_point_p(double x, const double *e, size_t n)
{
	struct summary s;
	double se, sd;

	stats_summary(e, n, &s);
	sd = s.sd;
	if (sd < VERDICT_SD_FLOOR * fabs(s.mean))
		sd = VERDICT_SD_FLOOR * fabs(s.mean);
	se = sd * sqrt(1 + 1 / (double)n);
	if (se == 0)
		return x == s.mean ? 1 : 0;
	return stats__t_pvalue((x - s.mean) / se, (double)(n - 1),
	    ALT_TWO_SIDED);
}

int
verdict_step(const double *x, size_t n, const double *good, size_t ng,
    const double *bad, size_t nb, const struct verdict_params *p,
    int final, struct step_result *out)
{
	struct verdict_ss sx, sg, sb;
	struct test_result t;
	double ssg, ssb, floor_ss, scale, big, upper, lower, need, tot;
	const char *why;

	memset(out, 0, sizeof(*out));
	out->verdict = STEP_UNDECIDED;
	if (n == 0 || ng < 2 || nb < 2 || !verdict_finite(x, n) ||
	    !verdict_finite(good, ng) || !verdict_finite(bad, nb) ||
	    !(p->step_alpha > 0 && p->step_alpha < 1) ||
	    !(p->step_beta > 0 && p->step_beta < 1))
		return -1;
	verdict_ss(x, n, &sx);
	verdict_ss(good, ng, &sg);
	verdict_ss(bad, nb, &sb);
	out->mean = sx.mean;
	tot = sx.n + sg.n + sb.n;

	/*
	 * Sums of squares under "x is good" and "x is bad", floored so that
	 * deterministic values still compare on a scale.
	 */
	scale = fmax(fabs(sg.mean), fmax(fabs(sb.mean), fabs(sx.mean)));
	floor_ss = (tot - 2) * pow(VERDICT_SD_FLOOR * scale, 2);
	if (floor_ss < DBL_MIN)
		floor_ss = DBL_MIN;
	ssg = verdict_ss_join(&sx, &sg) + sb.ss + floor_ss;
	ssb = verdict_ss_join(&sx, &sb) + sg.ss + floor_ss;
	out->llr = 0.5 * log((sg.n + sx.n) * sb.n / (sg.n * (sb.n + sx.n))) +
	    (tot - 2) / 2 * log(ssg / ssb);

	if (n >= 2) {
		if (stats_welch(x, n, good, ng, ALT_TWO_SIDED, &t) == -1)
			return -1;
		out->p_good = t.p;
		if (stats_welch(x, n, bad, nb, ALT_TWO_SIDED, &t) == -1)
			return -1;
		out->p_bad = t.p;
	} else {
		out->p_good = verdict_point_p(x[0], good, ng);
		out->p_bad = verdict_point_p(x[0], bad, nb);
	}
	out->partial = n >= 2 && out->p_good < p->alpha &&
	    out->p_bad < p->alpha && sx.mean > fmin(sg.mean, sb.mean) &&
	    sx.mean < fmax(sg.mean, sb.mean);

	upper = log((1 - p->step_beta) / p->step_alpha);
	lower = log(p->step_beta / (1 - p->step_alpha));
	/* One boot decides only on overwhelming evidence. */
	big = n < 2 ? 2 : 1;
	why = "";
	if (out->llr >= big * upper) {
		out->verdict = STEP_BAD;
		need = big * upper;
	} else if (out->llr <= big * lower) {
		out->verdict = STEP_GOOD;
		need = big * lower;
	} else if (final && out->llr >= upper / 2) {
		out->verdict = STEP_BAD;
		need = upper / 2;
		why = " at the cap";
	} else if (final && out->llr <= lower / 2) {
		out->verdict = STEP_GOOD;
		need = lower / 2;
		why = " at the cap";
	} else
		need = out->llr >= 0 ? upper : lower;
	snprintf(out->reason, sizeof(out->reason),
	    "%s%s%s: llr %+.2f %s %+.2f after %zu boot%s, mean %.6g "
	    "(good %.6g, bad %.6g), p %.2g vs good, %.2g vs bad",
	    out->verdict == STEP_BAD ? "bad" : out->verdict == STEP_GOOD ?
	    "good" : "undecided", why, out->partial ? " (partial)" : "",
	    out->llr, out->verdict == STEP_UNDECIDED ? "within" :
	    out->verdict == STEP_BAD ? ">=" : "<=", need, n, n == 1 ? "" : "s",
	    sx.mean, sg.mean, sb.mean, out->p_good, out->p_bad);
	return 0;
}

int
verdict_confirm(const double *parent, size_t np, const double *culprit,
    size_t nc, const double *good, size_t ng, const double *bad, size_t nb,
    const struct verdict_params *p, struct confirm_result *out)
{
	struct summary sp, sc, sg, sb;
	struct test_result t;
	enum alternative alt;

	memset(out, 0, sizeof(*out));
	if (np < 2 || nc < 2 || !verdict_finite(good, ng) ||
	    !verdict_finite(bad, nb) || stats_summary(parent, np, &sp) == -1 ||
	    stats_summary(culprit, nc, &sc) == -1)
		return -1;
	alt = p->better == BETTER_HIGHER ? ALT_LESS : ALT_GREATER;
	if (stats_welch(culprit, nc, parent, np, alt, &t) == -1)
		return -1;
	out->p = t.p;
	if (stats_hodges_lehmann(culprit, nc, parent, np, p->level,
	    &out->shift, &out->shift_lo, &out->shift_hi) == -1)
		return -1;
	if (verdict_effect(parent, np, culprit, nc, p, &out->effect,
	    &out->effect_lo, &out->effect_hi) == -1) {
		out->effect = out->effect_lo = out->effect_hi = NAN;
	}
	out->share = NAN;
	if (ng > 0 && nb > 0 && stats_summary(good, ng, &sg) == 0 &&
	    stats_summary(bad, nb, &sb) == 0 && sb.mean != sg.mean)
		out->share = (sc.mean - sp.mean) / (sb.mean - sg.mean);
	out->p_paired = NAN;
	if (np == nc && stats_wilcoxon(culprit, parent, nc, alt, &t) == 0)
		out->p_paired = t.p;
	out->confirmed = out->p < p->alpha && verdict_sign(p) *
	    (sc.mean - sp.mean) > 0;
	snprintf(out->reason, sizeof(out->reason),
	    "%s: parent %.6g, culprit %.6g, effect %+.2f%% [%+.2f%%, %+.2f%%],"
	    " shift %+.4g [%+.4g, %+.4g], p %.2g (Welch), %.2g (paired "
	    "Wilcoxon), share %.0f%%%s",
	    out->confirmed ? "confirmed" : "not confirmed", sp.mean, sc.mean,
	    100 * out->effect, 100 * out->effect_lo, 100 * out->effect_hi,
	    out->shift, out->shift_lo, out->shift_hi, out->p, out->p_paired,
	    100 * out->share, out->confirmed && out->share <
	    VERDICT_SHARE_ALONE ? "; it explains less than 80% of the "
	    "change: other commits contribute" : "");
	return 0;
}

double
verdict_boot_value(const double *runs, size_t n, enum boot_unit unit,
    double k, int *outlier)
{
	struct summary s;
	double mad;
	size_t i;

	if (outlier != NULL)
		for (i = 0; i < n; i++)
			outlier[i] = 0;
	if (stats_summary(runs, n, &s) == -1)
		return NAN;
	if (outlier != NULL && k > 0) {
		/* With no spread at all, any run that differs stands out. */
		mad = s.mad;
		if (mad < VERDICT_SD_FLOOR * fabs(s.median))
			mad = VERDICT_SD_FLOOR * fabs(s.median);
		for (i = 0; i < n; i++)
			outlier[i] = fabs(runs[i] - s.median) > k * mad;
	}
	return unit == UNIT_MEDIAN ? s.median : s.mean;
}
