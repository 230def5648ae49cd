/* SPDX-License-Identifier: MIT */
/*
 * graph.h - the commit graph between the good and bad revisions, and the
 * choice of the next commit to test, as git bisect makes it.
 *
 * Pure core: commits are indices, parents are index arrays, verdicts are
 * an enum.  No libgit2 types and no I/O here; bisect/repo-graph.c loads a
 * graph from a repository.
 *
 * Invariants of a loaded graph:
 *  - commits are numbered 0..n-1 in a topological order: every parent has
 *    a smaller index than its child;
 *  - the graph holds the candidates only: commits reachable from the bad
 *    revision and not from any good one; the bad revision is n-1;
 *  - each commit lists its parents in git's order (first parent first);
 *    a parent outside the graph (a good commit or one of its ancestors)
 *    is GRAPH_NONE, so the first-parent line stays known.
 */
#ifndef PB_GRAPH_H
#define PB_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#define GRAPH_NONE UINT32_MAX

struct graph {
	uint32_t	 n;
	uint32_t	 nalloc;
	uint32_t	*parent_off;	/* n + 1 entries */
	uint32_t	*parents;	/* parents of i: [parent_off[i], parent_off[i+1]) */
	size_t		 nparents_alloc;
	/*
	 * Tie-break rank of each commit (git orders equally good choices by
	 * object id); NULL means index order.  Owned by the graph.
	 */
	uint32_t	*tiebreak;
};

void	 graph_init(struct graph *);
void	 graph_release(struct graph *);
/*
 * Append a commit whose parents (GRAPH_NONE for those outside the graph)
 * all have smaller indices; returns its index.
 */
uint32_t graph_add(struct graph *, const uint32_t *parents, size_t nparents);

/* What is known of a commit. */
enum mark {
	MARK_NONE = 0,
	MARK_GOOD,
	MARK_BAD,
	MARK_SKIP,
};

enum bisect_kind {
	BISECT_NEXT,		/* test result.commit next */
	BISECT_FOUND,		/* result.commit is the first bad commit */
	BISECT_ONLY_SKIPPED,	/* only skipped commits left: see candidates */
};

#define BISECT_FIRST_PARENT 0x1	/* follow only first parents */

struct bisect_result {
	enum bisect_kind kind;
	uint32_t	 commit;
	/* BISECT_ONLY_SKIPPED: the possible first bad commits (owned). */
	uint32_t	*candidates;
	size_t		 ncandidates;
	uint32_t	 remaining;	/* candidates left to tell apart */
	uint32_t	 steps;		/* estimated steps left, as git estimates */
};

/*
 * Choose the next commit.  marks has g->n entries; bad is the current bad
 * commit (the most recently marked bad, or n-1).  The candidates are the
 * ancestors of bad (itself included) that are not ancestors of a commit
 * marked good.  Returns 0, or -1 if the arguments are inconsistent.
 * Release the result with bisect_result_release().
 */
int	 bisect_next(const struct graph *, const enum mark *marks, uint32_t bad,
	    int flags, struct bisect_result *out);
void	 bisect_result_release(struct bisect_result *);

/* git's estimate of the steps left for n candidates. */
uint32_t bisect_estimate_steps(uint32_t n);

#endif
