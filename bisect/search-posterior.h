/* SPDX-License-Identifier: MIT */
/*
 * search-posterior.h - bisect.search = posterior: the driver's search
 * with a probability for every candidate commit (stats/posterior.h).
 *
 * The search walks the first-parent line from the good endpoint to the
 * bad one, boots one commit at a time where the posterior core says, and
 * adds every boot value to the posterior.  When the culprit is a merge
 * whose second parent lies in the range, it searches the second parent's
 * first-parent line again (down to the commits the merge's first parent
 * reaches), with the merge's first parent and the good endpoint as good
 * and the merge as the bad end, reusing every value measured so far.
 *
 * Every choice is a function of the values the record holds: the boots
 * come through the driver's boot callback, which returns a recorded boot
 * before it measures a new one, so a resumed search replays the same
 * choices and measures only what is missing.
 *
 * The record: one verdict row per commit measured (its step), in the
 * order of their first boot, rewritten as the posterior changes.  A row
 * says good or bad only when the posterior puts its commit clearly
 * before or after the culprit (P(first bad at or before it) at most
 * 1 - confidence, or at least confidence), skip otherwise; with the
 * culprit last marked bad (see "perfbisect log") "git bisect replay"
 * reaches the same commit.  The top candidates after the step's latest
 * boot are in meta "posterior.step.N" as "HEX:PROB ..." (report --json:
 * candidates_top); an event line gives them after every visit.
 */
#ifndef PB_SEARCH_POSTERIOR_H
#define PB_SEARCH_POSTERIOR_H

#include <stddef.h>
#include <stdint.h>

#include "bisect/util.h"

struct graph;
struct state;
struct git_oid;

/* What the boot callback returns besides 0 and -1. */
#define SEARCH_UNTESTABLE	1	/* the commit cannot be measured */
#define SEARCH_STOPPED		2	/* interrupted */

#define SEARCH_TOP		5	/* candidates kept per step */

/* The driver's side: boots, events and the progress line. */
struct search_ops {
	void	*ctx;
	/*
	 * The value of the k-th successful boot of hex in role ("step"),
	 * from the record or measured now; SEARCH_UNTESTABLE with why.
	 */
	int	(*boot)(void *ctx, const char *hex, const char *role, int k,
		    double *value, struct buf *why, struct error *);
	/*
	 * Re-measure the good endpoint (stats.driftEvery): 0 with *got set
	 * when a value came, SEARCH_STOPPED or -1.
	 */
	int	(*drift)(void *ctx, double *value, int *got, struct error *);
	/* Non-zero when the time cap (bisect.maxTime) is reached; may be NULL. */
	int	(*late)(void *ctx);
	/* An event line; kv holds its --ci fields ("event=... k=v"). */
	void	(*event)(void *ctx, const char *kv, const char *msg);
	void	(*progress)(void *ctx, const char *msg);
};

struct search_params {
	const struct graph *g;
	const struct git_oid *oids;
	struct state	*st;
	const char	*good;		/* hex of the measured good endpoint */
	const double	*goodv;		/* endpoint values */
	size_t		 ngood;
	const double	*badv;
	size_t		 nbad;
	int		 lower_better;
	double		 confidence;	/* bisect.confidence */
	int		 min_boots;	/* on the culprit and its parent */
	int		 max_boots;	/* bisect.maxBoots, 0: automatic */
	int		 max_builds;	/* bisect.maxBuilds, 0: none */
	int		 step_max_boots; /* stats.maxBoots, for the automatic cap */
	int		 drift_every;
	int		 first_parent;	/* do not descend into merges */
};

enum search_outcome {
	SEARCH_FOUND,
	SEARCH_INCONCLUSIVE,	/* see candidates and why */
};

struct search_result {
	enum search_outcome outcome;
	char		 culprit[41];
	struct buf	 candidates;	/* space-separated ids */
	struct buf	 why;
};

void	 search_result_release(struct search_result *);

/*
 * Run the search; 0 with *res filled, SEARCH_STOPPED when interrupted,
 * -1 on a runtime error.
 */
int	 search_posterior(const struct search_params *,
	    const struct search_ops *, struct search_result *,
	    struct error *);

#endif
