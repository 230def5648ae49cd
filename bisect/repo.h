/* SPDX-License-Identifier: MIT */
/*
 * repo.h - the user's repository through libgit2: revisions, commit
 * details, ancestry, and the bisection's private worktree.
 *
 * The worktree is a plain directory with its own index file: checkouts
 * there never touch the user's working tree, index or HEAD, and files
 * that did not change between two commits keep their timestamps, so a
 * kernel tree rebuilds incrementally.
 */
#ifndef PB_REPO_H
#define PB_REPO_H

#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "bisect/util.h"

struct repo {
	git_repository	*git;
	char		*gitdir;	/* absolute, with a trailing slash */
	char		*workdir;	/* NULL for a bare repository */
};

struct commit_info {
	char	 id[GIT_OID_HEXSZ + 1];
	char	*subject;
	char	*author;	/* "Name <email>" */
	int64_t	 time;		/* author time */
	int	 tz;		/* minutes east of UTC */
	char	 parent[GIT_OID_HEXSZ + 1];	/* first parent, "" if none */
	size_t	 nparents;
};

/* Find the repository containing path (NULL: the current directory). */
int	 repo_open(struct repo **out, const char *path, struct error *);
void	 repo_free(struct repo *);

/* A revision to a commit; "unknown revision 'X'" otherwise. */
int	 repo_resolve(struct repo *, const char *rev, git_oid *out,
	    struct error *);
int	 repo_commit_info(struct repo *, const git_oid *, struct commit_info *,
	    struct error *);
void	 commit_info_release(struct commit_info *);
/* Is a an ancestor of b (a == b counts)? */
int	 repo_is_ancestor(struct repo *, const git_oid *a, const git_oid *b,
	    int *yes, struct error *);

/*
 * Check commit out into dir, using index_path as the worktree's index.
 * Files already matching are left alone; files of the previous checkout
 * that the commit does not have are removed; untracked files (build
 * output) stay.
 */
int	 repo_checkout(struct repo *, const char *dir, const char *index_path,
	    const git_oid *, struct error *);

/* libgit2's last error as "what: message". */
int	 repo_git_error(struct error *, const char *what);

#endif
