/* SPDX-License-Identifier: MIT */
/*
 * repo.c - libgit2 adapter for the user's repository.
 */
#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <git2/sys/repository.h>

#include "bisect/repo.h"

int
repo_git_error(struct error *err, const char *what)
{
	const git_error *e = git_error_last();

	return error_set(err, "%s: %s", what, e && e->message ? e->message :
	    "unknown libgit2 error");
}

int
repo_open(struct repo **out, const char *path, struct error *err)
{
	struct repo *r;
	git_repository *git;
	const char *wd;

	/* Like git, stop looking for the repository at the ceilings. */
	if (git_repository_open_ext(&git, path ? path : ".", 0,
	    getenv("GIT_CEILING_DIRECTORIES")) < 0) {
		const git_error *e = git_error_last();

		return error_set(err, "not a git repository: '%s'%s%s",
		    path ? path : ".", e ? ": " : "", e ? e->message : "");
	}
	r = xcalloc(1, sizeof(*r));
	r->git = git;
	r->gitdir = xstrdup(git_repository_path(git));
	wd = git_repository_workdir(git);
	r->workdir = wd ? xstrdup(wd) : NULL;
	*out = r;
	return 0;
}

void
repo_free(struct repo *r)
{
	if (r == NULL)
		return;
	git_repository_free(r->git);
	free(r->gitdir);
	free(r->workdir);
	free(r);
}

int
repo_resolve(struct repo *r, const char *rev, git_oid *out,
    struct error *err)
{
	git_object *obj = NULL, *peeled = NULL;

	if (rev[0] == '\0' || rev[0] == '-' ||
	    git_revparse_single(&obj, r->git, rev) < 0) {
		git_error_clear();
		return error_set(err, "unknown revision '%s'", rev);
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		git_object_free(obj);
		git_error_clear();
		return error_set(err, "revision '%s' is not a commit", rev);
	}
	git_oid_cpy(out, git_object_id(peeled));
	git_object_free(peeled);
	git_object_free(obj);
	return 0;
}

int
repo_commit_info(struct repo *r, const git_oid *id, struct commit_info *ci,
    struct error *err)
{
	git_commit *c;
	const git_signature *a;
	const char *s;

	memset(ci, 0, sizeof(*ci));
	git_oid_tostr(ci->id, sizeof(ci->id), id);
	if (git_commit_lookup(&c, r->git, id) < 0)
		return repo_git_error(err, ci->id);
	s = git_commit_summary(c);
	ci->subject = xstrdup(s ? s : "");
	a = git_commit_author(c);
	ci->author = xasprintf("%s <%s>", a->name, a->email);
	ci->time = (int64_t)a->when.time;
	ci->tz = a->when.offset;
	ci->nparents = git_commit_parentcount(c);
	if (ci->nparents)
		git_oid_tostr(ci->parent, sizeof(ci->parent),
		    git_commit_parent_id(c, 0));
	git_commit_free(c);
	return 0;
}

void
commit_info_release(struct commit_info *ci)
{
	free(ci->subject);
	free(ci->author);
	memset(ci, 0, sizeof(*ci));
}

int
repo_is_ancestor(struct repo *r, const git_oid *a, const git_oid *b,
    int *yes, struct error *err)
{
	int rc;

	if (git_oid_equal(a, b)) {
		*yes = 1;
		return 0;
	}
	rc = git_graph_descendant_of(r->git, b, a);
	if (rc < 0)
		return repo_git_error(err, "cannot compare commits");
	*yes = rc;
	return 0;
}

int
repo_checkout(struct repo *r, const char *dir, const char *index_path,
    const git_oid *id, struct error *err)
{
	git_checkout_options opts;
	git_repository *wt = NULL;
	git_index *idx = NULL;
	git_commit *c = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc = -1;

	git_oid_tostr(hex, sizeof(hex), id);
	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	if (mkdir_p(dir, err) < 0)
		return -1;
	if (git_repository_open_bare(&wt, r->gitdir) < 0) {
		repo_git_error(err, r->gitdir);
		goto out;
	}
	if (git_repository_set_workdir(wt, dir, 0) < 0 ||
	    git_index_open(&idx, index_path) < 0 ||
	    git_repository_set_index(wt, idx) < 0 ||
	    git_commit_lookup(&c, wt, id) < 0) {
		repo_git_error(err, "cannot prepare the worktree");
		goto out;
	}
	opts.checkout_strategy = GIT_CHECKOUT_FORCE;
	opts.baseline_index = idx;
	if (git_checkout_tree(wt, (const git_object *)c, &opts) < 0 ||
	    git_index_write(idx) < 0) {
		repo_git_error(err, "cannot check out the commit");
		error_prefix(err, "%.12s: ", hex);
		goto out;
	}
	rc = 0;
out:
	git_commit_free(c);
	git_index_free(idx);
	git_repository_free(wt);
	return rc;
}
