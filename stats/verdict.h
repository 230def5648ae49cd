/* SPDX-License-Identifier: MIT */
/*
 * verdict.h - the decisions a bisection takes from measurements: has the
 * regression reproduced, is a commit good or bad, how large is the
 * culprit's effect.  Pure functions over boot values (one value per boot:
 * the mean or median of the boot's measured runs).
 *
 * "Worse" is a larger value when lower is better and a smaller one when
 * higher is better; effects are relative and signed so that a positive
 * effect is a regression.
 */
#ifndef PB_VERDICT_H
#define PB_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "stats/stats.h"

enum better {
	BETTER_LOWER,
	BETTER_HIGHER,
};

struct verdict_params {
	enum better better;
	double	 alpha;		/* significance of reproduce, confirm and
				   partial, default 0.01 */
	double	 beta;		/* not used by stats/; 0.01 */
	/*
	 * verdict_step's bounds on P(call a good commit bad) and P(call a
	 * bad commit good), per commit.  A bisection of k steps errs with
	 * probability at most about k times these, so the driver may set
	 * them to alpha / k; the default 0.002 suits ~10 steps.
	 */
	double	 step_alpha;
	double	 step_beta;
	double	 min_effect;	/* smallest regression worth finding, 0.02 */
	double	 level;		/* confidence level of intervals, 0.95 */
	uint64_t seed;		/* for bootstrap intervals */
};

void	 verdict_params_default(struct verdict_params *);

enum reproduce_outcome {
	REPRO_UNDECIDED,	/* measure more boots */
	REPRO_YES,
	REPRO_NO,
};

struct reproduce_result {
	enum reproduce_outcome outcome;
	struct summary good;
	struct summary bad;
	double	 effect;	/* relative regression of bad against good */
	double	 effect_lo;	/* its confidence interval */
	double	 effect_hi;
	double	 p_welch;	/* one-sided, Holm-adjusted */
	double	 p_mw;
	double	 t_welch;	/* Welch's t, positive when bad is worse;
				   NaN with fewer than 2 boots a side */
	char	 reason[256];
};

/*
 * Has the regression reproduced?  YES needs both tests significant in the
 * expected direction and the effect's interval entirely beyond
 * min_effect.  NO when the interval lies inside +-min_effect, or when
 * final is set (no more boots will come) and it is not YES.
 */
int	 verdict_reproduce(const double *good, size_t ng, const double *bad,
	    size_t nb, const struct verdict_params *, int final,
	    struct reproduce_result *);

/*
 * Worth more endpoint boots past the usual number: the change is not
 * ruled out and points the expected way (Welch's one-sided p below
 * VERDICT_PROMISING).  A null range rarely is, so a longer endpoint
 * phase for weak regressions costs a null range little.
 */
#define VERDICT_PROMISING 0.1
/*
 * Past the usual number the looks go on; alpha is this much lower there,
 * so that a null range is not called reproduced more often.
 */
#define VERDICT_LONG_ALPHA 0.3
int	 verdict_promising(const struct reproduce_result *,
	    const struct verdict_params *);

/*
 * The endpoint phase's look after n boots of each endpoint (ng, nb):
 * verdict_reproduce, decided at long_max at the latest.  From max / 4
 * on, NO as soon as Welch's t of the regression is below a line rising
 * from VERDICT_FUTILE_FROM there to VERDICT_FUTILE_TO at max: what the
 * boots left before max can no longer lift to "reproduced".  A range
 * with no change mostly stops a little past half of max; a regression of
 * half a noise standard deviation stays well above the line and stops
 * there about 1 % of the time.  Past max the phase goes
 * on only while verdict_promising() holds and t stays above
 * VERDICT_FUTILE_TO (else NO), at alpha times VERDICT_LONG_ALPHA.  With
 * long_max == max it is verdict_reproduce with its final look at max.
 */
#define VERDICT_FUTILE_FROM	-0.5
#define VERDICT_FUTILE_TO	1.0
int	 verdict_endpoints(const double *good, size_t ng, const double *bad,
	    size_t nb, const struct verdict_params *, size_t n, size_t max,
	    size_t long_max, struct reproduce_result *);

enum step_verdict {
	STEP_UNDECIDED,
	STEP_GOOD,
	STEP_BAD,
};

struct step_result {
	enum step_verdict verdict;
	int	 partial;	/* mean clearly between good and bad */
	double	 mean;
	double	 llr;		/* log-likelihood ratio, bad against good */
	double	 p_good;	/* two-sided Welch p against each endpoint */
	double	 p_bad;
	char	 reason[256];
};

/*
 * Classify a commit from its boot values x against the endpoints'.
 * Sequential: call after each new boot; UNDECIDED asks for more.  With
 * final set (the cap is reached) it decides if the evidence allows and
 * otherwise stays UNDECIDED (the caller skips the commit).
 */
int	 verdict_step(const double *x, size_t n, const double *good, size_t ng,
	    const double *bad, size_t nb, const struct verdict_params *,
	    int final, struct step_result *);

struct confirm_result {
	double	 effect;	/* relative change culprit vs parent */
	double	 effect_lo;
	double	 effect_hi;
	double	 shift;		/* Hodges-Lehmann shift, culprit - parent */
	double	 shift_lo;
	double	 shift_hi;
	double	 p;		/* one-sided p (worse), Welch on boot values */
	double	 share;		/* fraction of the good->bad change explained */
	double	 p_paired;	/* Wilcoxon signed-rank over the interleaved
				   pairs (one-sided, worse); NAN unpaired */
	int	 confirmed;	/* significant, in the expected direction */
	char	 reason[384];
};

/*
 * Confirm a culprit: its parent's and its own boot values (measured
 * interleaved: parent[i] and culprit[i] are a pair when np == nc),
 * against the endpoints' for the share of the change.  Below
 * VERDICT_SHARE_ALONE of the change the reason says that other commits
 * contribute.
 */
#define VERDICT_SHARE_ALONE	0.8
int	 verdict_confirm(const double *parent, size_t np, const double *culprit,
	    size_t nc, const double *good, size_t ng, const double *bad,
	    size_t nb, const struct verdict_params *, struct confirm_result *);

/* How one boot's runs become its value. */
enum boot_unit {
	UNIT_MEAN,
	UNIT_MEDIAN,
};

/*
 * The value of one boot from its measured runs (warm-up runs already
 * left out).  outlier[i], if not NULL, is set for runs more than k MADs
 * from the boot's median (flagged, still used).
 */
double	 verdict_boot_value(const double *runs, size_t n, enum boot_unit,
	    double k, int *outlier);

#endif
