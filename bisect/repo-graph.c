/* SPDX-License-Identifier: MIT */
/*
 * repo-graph.c - the bisection graph from a repository, through libgit2.
 *
 * One revision walk (bad, hiding every good commit) finds the candidates;
 * each commit's raw object, still cached from the walk, then gives its
 * parents and committer time, and a topological sort by time orders them
 * as git lists them.  (libgit2's own time+topological sort takes seconds
 * on 100,000 commits; this takes milliseconds.)
 * Object ids never reach the core: the graph gets indices, and the ranks
 * of the ids for git's tie-break.
 */
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "bisect/graph.h"
#include "bisect/repo-graph.h"
#include "bisect/util.h"

struct repo_graph_idpos {
	git_oid		 id;
	uint32_t	 idx;
};

static int
repo_graph_git_error(struct error *err, const char *what)
{
	const git_error *e = git_error_last();

	return error_set(err, "%s: %s", what, e != NULL && e->message != NULL ?
	    e->message : "unknown libgit2 error");
}

static int
repo_graph_idpos_cmp(const void *a, const void *b)
{
	const struct repo_graph_idpos *x = a, *y = b;

	return git_oid_cmp(&x->id, &y->id);
}

void
repo_oidmap_init(struct repo_oidmap *m, const git_oid *oids, uint32_t n)
{
	struct repo_graph_idpos *v;
	uint32_t i;

	m->oids = oids;
	m->n = n;
	m->sorted = xreallocarray(NULL, n ? n : 1, sizeof(*m->sorted));
	v = xreallocarray(NULL, n ? n : 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		git_oid_cpy(&v[i].id, &oids[i]);
		v[i].idx = i;
	}
	qsort(v, n, sizeof(*v), repo_graph_idpos_cmp);
	for (i = 0; i < n; i++)
		m->sorted[i] = v[i].idx;
	free(v);
}

void
repo_oidmap_release(struct repo_oidmap *m)
{
	free(m->sorted);
	memset(m, 0, sizeof(*m));
}

uint32_t
repo_oidmap_find(const struct repo_oidmap *m, const git_oid *id)
{
	uint32_t lo = 0, hi = m->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = git_oid_cmp(&m->oids[m->sorted[mid]], id);
		if (c == 0)
			return m->sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return GRAPH_NONE;
}

/* The candidates' ids, in no particular order. */
static int
repo_graph_walk(git_repository *repo, const git_oid *bad,
    const git_oid *goods, size_t ngoods, git_oid **out, size_t *nout,
    struct error *err)
{
	git_revwalk *walk = NULL;
	git_oid *oids = NULL, id;
	size_t n = 0, alloc = 0, k;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	if (git_revwalk_new(&walk, repo) < 0)
		return repo_graph_git_error(err, "cannot walk the history");
	if (git_revwalk_push(walk, bad) < 0) {
		git_oid_tostr(hex, sizeof(hex), bad);
		repo_graph_git_error(err, hex);
		goto out_free;
	}
	for (k = 0; k < ngoods; k++) {
		if (git_revwalk_hide(walk, &goods[k]) < 0) {
			git_oid_tostr(hex, sizeof(hex), &goods[k]);
			repo_graph_git_error(err, hex);
			goto out_free;
		}
	}
	while ((rc = git_revwalk_next(&id, walk)) == 0) {
		if (n >= GRAPH_NONE - 2) {
			error_set(err, "too many commits to bisect");
			goto out_free;
		}
		GROW(oids, n + 1, alloc);
		git_oid_cpy(&oids[n++], &id);
	}
	if (rc != GIT_ITEROVER) {
		repo_graph_git_error(err, "cannot walk the history");
		goto out_free;
	}
	if (n == 0) {
		git_oid_tostr(hex, sizeof(hex), bad);
		error_set(err, "bad commit %s is an ancestor of a good commit",
		    hex);
		goto out_free;
	}
	git_revwalk_free(walk);
	*out = oids;
	*nout = n;
	return 0;

out_free:
	git_revwalk_free(walk);
	free(oids);
	return -1;
}

/* What the loader needs of the candidates, indexed in walk order. */
struct repo_graph_raw {
	git_oid		*oids;
	uint32_t	 n;
	struct repo_oidmap map;
	int64_t		*time;		/* committer time */
	uint32_t	*poff;		/* n + 1: parents of i in parents[] */
	uint32_t	*parents;	/* walk indices or GRAPH_NONE */
	size_t		 nparents_alloc;
};

/*
 * Read the parents and committer time of commit i from its raw object:
 * the walk has just read it, so it is in libgit2's cache, and this costs
 * far less than a parsed git_commit.
 */
static int
repo_graph_read(git_odb *odb, struct repo_graph_raw *raw, uint32_t i,
    struct error *err)
{
	git_odb_object *obj = NULL;
	git_oid pid;
	const char *p, *end, *eol, *gt;
	char hex[GIT_OID_HEXSZ + 1];
	uint32_t np = 0, off = raw->poff[i];
	int64_t t = 0;

	if (git_odb_read(&obj, odb, &raw->oids[i]) < 0) {
		git_oid_tostr(hex, sizeof(hex), &raw->oids[i]);
		return repo_graph_git_error(err, hex);
	}
	p = git_odb_object_data(obj);
	end = p + git_odb_object_size(obj);
	for (; p < end && *p != '\n'; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if (eol - p >= 7 + GIT_OID_HEXSZ &&
		    memcmp(p, "parent ", 7) == 0) {
			if (git_oid_fromstrn(&pid, p + 7, GIT_OID_HEXSZ) < 0)
				goto out_corrupt;
			GROW(raw->parents, off + np + 1, raw->nparents_alloc);
			raw->parents[off + np++] = repo_oidmap_find(&raw->map,
			    &pid);
		} else if (eol - p > 10 && memcmp(p, "committer ", 10) == 0) {
			for (gt = eol; gt > p && gt[-1] != '>'; gt--)
				;
			for (; gt < eol && *gt == ' '; gt++)
				;
			for (; gt < eol && *gt >= '0' && *gt <= '9'; gt++)
				t = t * 10 + (*gt - '0');
		}
	}
	git_odb_object_free(obj);
	raw->time[i] = t;
	raw->poff[i + 1] = off + np;
	return 0;

out_corrupt:
	git_odb_object_free(obj);
	git_oid_tostr(hex, sizeof(hex), &raw->oids[i]);
	return error_set(err, "commit %s: malformed parent line", hex);
}

/* Min-heap of walk indices by (time, object id rank). */
struct repo_graph_heap {
	uint32_t	*v;
	size_t		 n;
	const int64_t	*time;
	const uint32_t	*rank;
};

static int
repo_graph_heap_less(const struct repo_graph_heap *h, uint32_t a,
    uint32_t b)
{
	if (h->time[a] != h->time[b])
		return h->time[a] < h->time[b];
	return h->rank[a] < h->rank[b];
}

static void
repo_graph_heap_push(struct repo_graph_heap *h, uint32_t x)
{
	size_t i, up;

	for (i = h->n++; i > 0; i = up) {
		up = (i - 1) / 2;
		if (!repo_graph_heap_less(h, x, h->v[up]))
			break;
		h->v[i] = h->v[up];
	}
	h->v[i] = x;
}

static uint32_t
repo_graph_heap_pop(struct repo_graph_heap *h)
{
	uint32_t top = h->v[0], x;
	size_t i = 0, c;

	x = h->v[--h->n];
	for (;;) {
		c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && repo_graph_heap_less(h, h->v[c + 1],
		    h->v[c]))
			c++;
		if (!repo_graph_heap_less(h, h->v[c], x))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n > 0)
		h->v[i] = x;
	return top;
}

/*
 * Order the candidates oldest first: a parent always before its children,
 * otherwise the earliest committer time first, as git's date-ordered list
 * read backwards.  Fills order[] with walk indices.
 */
static void
repo_graph_order(const struct repo_graph_raw *raw, const uint32_t *rank,
    uint32_t *order)
{
	struct repo_graph_heap h;
	uint32_t *indeg, *coff, *child, *fill, i, k, c, p, done = 0;

	indeg = xcalloc(raw->n, sizeof(*indeg));
	coff = xcalloc((size_t)raw->n + 1, sizeof(*coff));
	for (i = 0; i < raw->n; i++)
		for (k = raw->poff[i]; k < raw->poff[i + 1]; k++)
			if ((p = raw->parents[k]) != GRAPH_NONE) {
				indeg[i]++;
				coff[p + 1]++;
			}
	for (i = 0; i < raw->n; i++)
		coff[i + 1] += coff[i];
	child = xreallocarray(NULL, coff[raw->n] ? coff[raw->n] : 1,
	    sizeof(*child));
	fill = xreallocarray(NULL, raw->n, sizeof(*fill));
	memcpy(fill, coff, raw->n * sizeof(*fill));
	for (i = 0; i < raw->n; i++)
		for (k = raw->poff[i]; k < raw->poff[i + 1]; k++)
			if ((p = raw->parents[k]) != GRAPH_NONE)
				child[fill[p]++] = i;

	h.v = xreallocarray(NULL, raw->n, sizeof(*h.v));
	h.n = 0;
	h.time = raw->time;
	h.rank = rank;
	for (i = 0; i < raw->n; i++)
		if (indeg[i] == 0)
			repo_graph_heap_push(&h, i);
	while (h.n > 0) {
		i = repo_graph_heap_pop(&h);
		order[done++] = i;
		for (k = coff[i]; k < coff[i + 1]; k++) {
			c = child[k];
			if (--indeg[c] == 0)
				repo_graph_heap_push(&h, c);
		}
	}
	free(h.v);
	free(fill);
	free(child);
	free(coff);
	free(indeg);
}

int
repo_graph_load(git_repository *repo, const git_oid *bad,
    const git_oid *goods, size_t ngoods, struct graph *out, git_oid **oidsp,
    struct error *err)
{
	struct repo_graph_raw raw;
	git_odb *odb = NULL;
	git_oid *oids = NULL;
	uint32_t *rank = NULL, *order = NULL, *pos = NULL, *parents = NULL;
	uint32_t i, j, k, np;
	size_t n = 0, palloc = 0;
	int rc = -1;

	*oidsp = NULL;
	memset(&raw, 0, sizeof(raw));
	if (repo_graph_walk(repo, bad, goods, ngoods, &raw.oids, &n,
	    err) == -1)
		return -1;
	raw.n = (uint32_t)n;
	repo_oidmap_init(&raw.map, raw.oids, raw.n);
	raw.time = xreallocarray(NULL, n, sizeof(*raw.time));
	raw.poff = xcalloc(n + 1, sizeof(*raw.poff));
	if (git_repository_odb(&odb, repo) < 0) {
		repo_graph_git_error(err, "cannot open the object database");
		goto out;
	}
	for (i = 0; i < raw.n; i++)
		if (repo_graph_read(odb, &raw, i, err) == -1)
			goto out;

	rank = xreallocarray(NULL, n, sizeof(*rank));
	for (i = 0; i < raw.n; i++)
		rank[raw.map.sorted[i]] = i;
	order = xreallocarray(NULL, n, sizeof(*order));
	repo_graph_order(&raw, rank, order);
	pos = xreallocarray(NULL, n, sizeof(*pos));
	for (j = 0; j < raw.n; j++)
		pos[order[j]] = j;
	if (!git_oid_equal(&raw.oids[order[n - 1]], bad)) {
		error_set(err, "the bad commit is not the newest candidate");
		goto out;
	}

	oids = xreallocarray(NULL, n, sizeof(*oids));
	out->tiebreak = xreallocarray(NULL, n, sizeof(*out->tiebreak));
	for (j = 0; j < raw.n; j++) {
		i = order[j];
		np = raw.poff[i + 1] - raw.poff[i];
		GROW(parents, np, palloc);
		for (k = 0; k < np; k++) {
			parents[k] = raw.parents[raw.poff[i] + k];
			if (parents[k] != GRAPH_NONE)
				parents[k] = pos[parents[k]];
		}
		graph_add(out, parents, np);
		git_oid_cpy(&oids[j], &raw.oids[i]);
		out->tiebreak[j] = rank[i];
	}
	*oidsp = oids;
	oids = NULL;
	rc = 0;
out:
	if (rc == -1)
		graph_release(out);
	git_odb_free(odb);
	repo_oidmap_release(&raw.map);
	free(raw.oids);
	free(raw.time);
	free(raw.poff);
	free(raw.parents);
	free(parents);
	free(rank);
	free(order);
	free(pos);
	free(oids);
	return rc;
}

int
repo_graph_resolve(git_repository *repo, const char *rev, git_oid *out,
    struct error *err)
{
	git_object *obj = NULL, *peeled = NULL;
	int rc;

	rc = git_revparse_single(&obj, repo, rev);
	if (rc == GIT_ENOTFOUND || rc == GIT_EAMBIGUOUS ||
	    rc == GIT_EINVALIDSPEC) {
		git_error_clear();
		return error_set(err, "unknown revision '%s'", rev);
	}
	if (rc < 0)
		return repo_graph_git_error(err, rev);
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		git_object_free(obj);
		git_error_clear();
		return error_set(err, "'%s' is not a commit", rev);
	}
	git_oid_cpy(out, git_object_id(peeled));
	git_object_free(peeled);
	git_object_free(obj);
	return 0;
}

int
repo_graph_is_ancestor(git_repository *repo, const git_oid *ancestor,
    const git_oid *descendant, int *yes, struct error *err)
{
	int rc;

	if (git_oid_equal(ancestor, descendant)) {
		*yes = 1;
		return 0;
	}
	rc = git_graph_descendant_of(repo, descendant, ancestor);
	if (rc < 0)
		return repo_graph_git_error(err, "cannot compare commits");
	*yes = rc;
	return 0;
}
