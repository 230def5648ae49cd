/* SPDX-License-Identifier: MIT */
/*
 * posterior.h - a noise-robust search for the first bad commit: a
 * probability for every candidate, updated with every boot value measured
 * anywhere in the range, so that later measurements can overturn earlier
 * ones (the idea of "stochastic bisection", BBChop, bayesect).
 *
 * Pure core: plain arrays of doubles, no I/O, no clock, no randomness.
 *
 * Positions.  The core works on a linear order of n + 1 commits: position
 * 0 is the good endpoint, position n the bad endpoint, 1..n-1 the commits
 * between them.  For a history with merges the caller passes the
 * first-parent line from the good endpoint to the bad one.  State c
 * (1 <= c <= n) says "commit c is the first bad commit": positions < c
 * behave like the good endpoint, positions >= c like the bad one.  One
 * more state, "no single culprit", says the commits do not follow one
 * step: the change came in two steps, with commits at a level between
 * the endpoints' in the middle.
 *
 * Merges.  When the culprit is a merge, the change came in through its
 * second parent.  The driver then searches again on the first-parent
 * line of the merge's second parent, down to (not including) the commits
 * the merge's first parent reaches; position 0 of that search is the
 * merge's first parent (it is good), position n the second parent (or
 * the merge itself when the second parent alone is not slower).  The
 * values already measured on the first search's endpoints and on the
 * merge's first parent are added to the new posterior, so nothing is
 * measured twice.
 *
 * Model.  Every boot value is a draw around the good mean or the bad
 * mean with a common noise scale.  The means and the scale are
 * re-estimated from all data after every update (EM with the posterior
 * as weights), and the likelihood of a commit's data widens with the
 * uncertainty of those estimates, so a few endpoint boots do not make the
 * posterior over-confident.  The likelihood is gaussian (on a commit's
 * mean: its boots' n, mean and M2 are sufficient) or, when the data show
 * heavy tails (Student-t fits the residuals from the two means better
 * than the gaussian does), Student-t on every boot, with the uncertain
 * mean integrated out.
 *
 * Cost of an update: O(T) where T is the number of positions measured;
 * the posterior is constant between measured positions and is kept as
 * blocks, so n may be large.
 */
#ifndef PB_POSTERIOR_H
#define PB_POSTERIOR_H

#include <stddef.h>
#include <stdint.h>

#include "stats/verdict.h"

enum posterior_choice {
	POSTERIOR_INFO,		/* most expected information per unit cost */
	POSTERIOR_MEDIAN,	/* where the cumulative mass crosses 1/2 */
};

enum posterior_model {
	POSTERIOR_AUTO,		/* Student-t when the data show heavy tails */
	POSTERIOR_GAUSS,
	POSTERIOR_STUDENT,
};

struct posterior_params {
	double	 confidence;	/* stop when the top culprit has it, 0.99 */
	int	 min_boots;	/* on the culprit and its parent to stop, 3 */
	double	 none_prior;	/* prior of "no single culprit", 0.001 */
	enum posterior_model model;
	double	 nu;		/* degrees of freedom of Student-t, 4 */
	enum posterior_choice choice;
	double	 cost_boot;	/* cost of one boot and its runs, 1 */
	/*
	 * Cost of building a commit, 10: a kernel build takes about ten
	 * boots and benchmark runs.  Cheaper builds make the search leave a
	 * commit after a boot or two, and early verdicts on so little
	 * evidence send it the wrong way more often than they save.
	 */
	double	 cost_build;
	double	 endgame;	/* alternate culprit/parent above this, 0.5 */
	double	 cap_mass;	/* mass of the set reported at a cap, 0.95 */
	int	 max_boots;	/* caps counted by the caller; 0: none */
	int	 max_builds;
	/*
	 * Correct for a linear drift of the machine over time, estimated
	 * from all boots, when it is significant (see post_detrend), 1.
	 */
	int	 drift;
};

void	 posterior_params_default(struct posterior_params *);

/* What is known about one position. */
struct posterior_commit {
	uint32_t n;		/* boots with a value */
	double	 mean;		/* of v */
	double	 m2;		/* sum of squared deviations from mean */
	double	*v;		/* the values, drift removed */
	double	*raw;		/* the values as measured */
	double	*t;		/* when each was measured */
	size_t	 valloc;
	size_t	 ralloc;
	size_t	 talloc;
	uint32_t fails;		/* attempts that gave no value */
	int	 built;		/* the caller has it built: no build cost */
};

/* A run of equally likely states lo..hi, each with probability p. */
struct posterior_block {
	uint32_t lo;
	uint32_t hi;
	double	 p;
};

struct posterior {
	uint32_t n;		/* states 1..n; positions 0..n */
	struct posterior_params par;
	enum better better;
	struct posterior_commit *c;	/* n + 1 positions */
	uint32_t *meas;		/* measured positions, sorted */
	uint32_t nmeas;
	struct posterior_block *blk;	/* blocks of states, in order */
	double	*cum;		/* mass of the blocks before each, over
				   the single-culprit states, normalised */
	uint32_t nblk;
	double	 p_none;	/* probability of "no single culprit" */
	/* The model's current estimates. */
	double	 mu_good;
	double	 mu_bad;
	double	 end_good;	/* the same from the endpoints alone */
	double	 end_bad;
	double	 scale;
	int	 heavy;		/* Student-t in use */
	double	 tconst;	/* log density of t_nu at 0, scale 1 */
	double	 mad;		/* median absolute residual */
	double	 n_good;	/* effective boots behind mu_good */
	double	 n_bad;
	uint32_t nboots;
	double	 drift;		/* per unit of time, removed from v; 0: none */
	double	 t0;		/* the time at which v equals raw */
};

/* n >= 1 candidate states (positions 0..n). */
void	 posterior_init(struct posterior *, uint32_t n,
	    const struct posterior_params *, enum better);
void	 posterior_release(struct posterior *);

/*
 * A boot of position pos gave value v (a boot value: the mean or median
 * of its runs).  Returns -1 if pos is out of range or v not finite.  The
 * posterior is up to date when it returns.
 */
int	 posterior_add(struct posterior *, uint32_t pos, double v);
/* Add many values at once (one recomputation). */
int	 posterior_add_many(struct posterior *, uint32_t pos, const double *v,
	    size_t nv);
/*
 * The same with the time of every value (any unit: boots so far, seconds)
 * for the drift correction; without, a value's time is the number of
 * values added before it.
 */
int	 posterior_add_many_t(struct posterior *, uint32_t pos, const double *v,
	    const double *t, size_t nv);
/* An attempt on pos gave no value (build or boot failure). */
void	 posterior_fail(struct posterior *, uint32_t pos);
/* The caller has pos built (or not): its next boot costs no build. */
void	 posterior_set_built(struct posterior *, uint32_t pos, int built);

/* P(first bad commit <= pos), over the single-culprit states. */
double	 posterior_cdf(const struct posterior *, uint32_t pos);
/* Probability of state c (1..n), including the "none" state's share. */
double	 posterior_prob(const struct posterior *, uint32_t c);

/* The most likely culprit and its probability. */
uint32_t posterior_top(const struct posterior *, double *p);

struct posterior_cand {
	uint32_t pos;
	double	 p;
};

/*
 * The k most likely culprits, best first, into out (k entries); returns
 * how many were filled.
 */
size_t	 posterior_top_k(const struct posterior *, struct posterior_cand *out,
	    size_t k);

/*
 * The next position to measure, 0 to n: near the end an endpoint is
 * measured again when it is the culprit's parent (or the culprit), so
 * that the two are compared over the same stretch of time (a machine
 * may have drifted since the endpoints were first measured).  Before
 * that, an endpoint is measured again in place of a commit that has as
 * many boots as it: the endpoints' levels then limit what the commit's
 * boots can tell.
 * POSTERIOR_NO_NEXT: nothing left to measure.
 */
#define POSTERIOR_NO_NEXT UINT32_MAX
uint32_t posterior_next(const struct posterior *);

enum posterior_stop {
	POSTERIOR_GO_ON,
	POSTERIOR_FOUND,	/* posterior_top() is the culprit */
	POSTERIOR_NONE,		/* "no single culprit" reached confidence */
	POSTERIOR_CAPPED,	/* a cap is reached: see posterior_set() */
};

/*
 * Stop rule; boots and builds so far are counted by the caller.  When
 * it says go on and posterior_next() has nothing left to measure, the
 * caller stops as at a cap (POSTERIOR_CAPPED).
 */
enum posterior_stop posterior_stop(const struct posterior *, int boots,
	    int builds);

/*
 * The smallest set of states holding at least mass, as ranges of
 * positions (sorted by probability, best first).  Returns the number of
 * ranges written (at most max) and the states they hold in *nstates.
 */
size_t	 posterior_set(const struct posterior *, double mass,
	    struct posterior_block *out, size_t max, uint32_t *nstates);

/*
 * Several culprits: does the range between positions a < b still hold an
 * effect of at least p->min_effect?  Compares the boot values measured at
 * a and at b with verdict_reproduce() (not final): REPRO_YES when the
 * change between them is significant and its interval lies beyond
 * min_effect, REPRO_NO when it is ruled out, REPRO_UNDECIDED when more
 * boots at a or b are needed.  The driver calls it for (0, culprit - 1)
 * and (culprit, n), and searches each range that says YES again, with a
 * new posterior over that range fed the values already measured in it.
 */
int	 posterior_range_effect(const struct posterior *, uint32_t a,
	    uint32_t b, const struct verdict_params *,
	    struct reproduce_result *);

#endif
