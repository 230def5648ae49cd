/* SPDX-License-Identifier: MIT */
/*
 * repo-graph.h - load the bisection graph (bisect/graph.h) from a
 * repository with libgit2, and map object ids to graph indices.
 *
 * The adapter between libgit2 and the pure core: it is the only place
 * where commits are object ids.  libgit2 errors become one-line messages
 * in a struct error here.
 */
#ifndef PB_REPO_GRAPH_H
#define PB_REPO_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "bisect/graph.h"
#include "bisect/util.h"

/*
 * Load the candidates of a bisection: the commits reachable from bad and
 * from no good commit, oldest first (every parent before its children,
 * otherwise by commit time), bad last.  Parents are listed in git's
 * order; those outside the set are GRAPH_NONE.  graph->tiebreak ranks
 * the commits by object id, as git breaks ties.
 *
 * out must be initialised (graph_init) and empty; *oids receives an array
 * of out->n ids indexed like the graph, which the caller frees with
 * free().  On error out is left empty and *oids NULL.
 */
int	 repo_graph_load(git_repository *, const git_oid *bad,
	    const git_oid *goods, size_t ngoods, struct graph *out,
	    git_oid **oids, struct error *);

/*
 * struct repo_oidmap: object id -> graph index, by binary search over
 * the indices sorted by id.  It borrows oids, which must outlive it.
 */
struct repo_oidmap {
	const git_oid	*oids;
	uint32_t	*sorted;
	uint32_t	 n;
};

void	 repo_oidmap_init(struct repo_oidmap *, const git_oid *oids,
	    uint32_t n);
void	 repo_oidmap_release(struct repo_oidmap *);
/* The index of id, or GRAPH_NONE if it is not in the graph. */
uint32_t repo_oidmap_find(const struct repo_oidmap *, const git_oid *id);

/*
 * Resolve a revision ("HEAD~3", "v6.9", an abbreviated id) to a commit
 * id; -1 with "unknown revision 'X'" or libgit2's message.
 */
int	 repo_graph_resolve(git_repository *, const char *rev, git_oid *out,
	    struct error *);

/*
 * Is ancestor an ancestor of descendant?  A commit is its own ancestor,
 * as for "git merge-base --is-ancestor".  *yes is 0 or 1.
 */
int	 repo_graph_is_ancestor(git_repository *, const git_oid *ancestor,
	    const git_oid *descendant, int *yes, struct error *);

#endif
