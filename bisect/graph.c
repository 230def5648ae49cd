/* SPDX-License-Identifier: MIT */
/*
 * graph.c - the commit graph core: which commit git bisect would test next.
 *
 * The choice follows git's bisect.c (find_bisection, best_bisection,
 * skip_away).  Every candidate c gets a weight, the number of candidates
 * reachable from c (c included); testing c splits the nr candidates into
 * weight(c) and nr - weight(c), so the best commit maximises the distance
 * min(weight, nr - weight).  Ties and early stops follow git:
 *
 *  - Without any skipped commit, graph order decides, as git's list order
 *    (oldest first) does: the first merge found exactly half way wins;
 *    otherwise the first single-parent commit exactly half way (git
 *    checks merges before it fills in the single-parent commits);
 *    otherwise the first commit of greatest distance.  The search stops
 *    at a half-way merge, and skips the descendants of any commit that
 *    already reaches half the candidates, since none of them can win.
 *  - As soon as one commit is marked skip, git ranks every candidate by
 *    distance, ties by object id: here by graph->tiebreak (index order if
 *    NULL).  If the best is skipped, a pseudo-random pick among the
 *    untested ones, seeded from their count, moves away from it, so runs
 *    repeat.  git multiplies two ints there and overflows past 65536
 *    untested candidates; we compute in 64 bits.
 *
 * Weights of single-parent commits are their parent's plus one.  A merge
 * needs a count: weight(first heaviest parent) plus the commits reachable
 * only from the other parents, found by painting both sides downwards in
 * index order until no commit painted by the other parents alone is left.
 * Paint stamps carry a generation number, so nothing is cleared per merge.
 */
#include <stdlib.h>
#include <string.h>

#include "bisect/graph.h"
#include "bisect/util.h"

/* Per-commit state bits of one bisect_next() call. */
#define GS_GOOD		0x01	/* a commit marked good reaches it */
#define GS_CAND		0x02	/* candidate */
#define GS_KNOWN	0x04	/* weight computed */
#define GS_BLOCK	0x08	/* its descendants cannot win */

/* Paint colours of a merge count. */
#define GC_MAIN		0x1	/* reachable from the heaviest parent */
#define GC_SIDE		0x2	/* reachable from another parent */

#define GRAPH_PRN_MODULO 32768

struct graph_walk {
	const struct graph *g;
	int		 flags;
	uint32_t	 nr;
	uint8_t		*state;
	uint32_t	*weight;
	/* merge counts */
	uint32_t	*gen;
	uint8_t		*color;
	uint32_t	 curgen;
	uint32_t	*heap;
	size_t		 nheap;
	uint32_t	 nside;	/* queued commits painted GC_SIDE only */
};

struct graph_rank {
	uint32_t	 dist;
	uint32_t	 rank;
	uint32_t	 idx;
};

void
graph_init(struct graph *g)
{
	memset(g, 0, sizeof(*g));
}

void
graph_release(struct graph *g)
{
	free(g->parent_off);
	free(g->parents);
	free(g->tiebreak);
	graph_init(g);
}

uint32_t
graph_add(struct graph *g, const uint32_t *parents, size_t nparents)
{
	uint32_t i, off;
	size_t k;

	if (g->n >= GRAPH_NONE - 2)
		fatal("commit graph too large");
	if (g->n + 2 > g->nalloc) {
		g->nalloc = g->nalloc ? g->nalloc : 16;
		while (g->nalloc < g->n + 2) {
			if (g->nalloc > GRAPH_NONE / 2)
				g->nalloc = GRAPH_NONE - 1;
			else
				g->nalloc *= 2;
		}
		g->parent_off = xreallocarray(g->parent_off, g->nalloc,
		    sizeof(*g->parent_off));
	}
	if (g->n == 0)
		g->parent_off[0] = 0;
	off = g->parent_off[g->n];
	if (nparents > UINT32_MAX - off)
		fatal("commit graph too large");
	GROW(g->parents, off + nparents, g->nparents_alloc);
	for (k = 0; k < nparents; k++) {
		if (parents[k] != GRAPH_NONE && parents[k] >= g->n)
			fatal("BUG: graph_add: parent %u of commit %u is not "
			    "older", parents[k], g->n);
		g->parents[off + k] = parents[k];
	}
	i = g->n++;
	g->parent_off[g->n] = off + (uint32_t)nparents;
	return i;
}

/* Parents [*lo, *hi) of c that the walk follows. */
static void
graph_parent_range(const struct graph *g, int flags, uint32_t c,
    uint32_t *lo, uint32_t *hi)
{
	*lo = g->parent_off[c];
	*hi = g->parent_off[c + 1];
	if ((flags & BISECT_FIRST_PARENT) && *hi > *lo)
		*hi = *lo + 1;
}

static void
graph_heap_push(struct graph_walk *w, uint32_t x)
{
	size_t i, up;

	w->heap[w->nheap] = x;
	for (i = w->nheap++; i > 0; i = up) {
		up = (i - 1) / 2;
		if (w->heap[up] >= x)
			break;
		w->heap[i] = w->heap[up];
		w->heap[up] = x;
	}
}

static uint32_t
graph_heap_pop(struct graph_walk *w)
{
	uint32_t top, x;
	size_t i, c, n;

	top = w->heap[0];
	n = --w->nheap;
	if (n == 0)
		return top;
	x = w->heap[n];
	i = 0;
	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && w->heap[c + 1] > w->heap[c])
			c++;
		if (w->heap[c] <= x)
			break;
		w->heap[i] = w->heap[c];
		i = c;
	}
	w->heap[i] = x;
	return top;
}

static void
graph_paint(struct graph_walk *w, uint32_t x, uint8_t c)
{
	uint8_t old;

	if (w->gen[x] != w->curgen) {
		w->gen[x] = w->curgen;
		w->color[x] = c;
		graph_heap_push(w, x);
		if (c == GC_SIDE)
			w->nside++;
		return;
	}
	old = w->color[x];
	w->color[x] = old | c;
	if (old == GC_SIDE && (c & GC_MAIN))
		w->nside--;
}

/*
 * Count the candidates reachable from the parents of merge m other than
 * heavy (the heaviest parent) but not from heavy.  Stops once the count
 * passes limit and returns -1 then.
 */
static int
graph_count_side(struct graph_walk *w, uint32_t m, uint32_t heavy,
    uint32_t limit, uint32_t *out)
{
	const struct graph *g = w->g;
	uint32_t lo, hi, k, x, p, count = 0;
	uint8_t c;

	if (++w->curgen == 0) {
		memset(w->gen, 0, g->n * sizeof(*w->gen));
		w->curgen = 1;
	}
	w->nheap = 0;
	w->nside = 0;
	graph_paint(w, heavy, GC_MAIN);
	graph_parent_range(g, w->flags, m, &lo, &hi);
	for (k = lo; k < hi; k++) {
		p = g->parents[k];
		if (p != GRAPH_NONE && (w->state[p] & GS_CAND) && p != heavy)
			graph_paint(w, p, GC_SIDE);
	}
	while (w->nside > 0) {
		x = graph_heap_pop(w);
		c = w->color[x];
		if (c == GC_SIDE) {
			w->nside--;
			if (++count > limit)
				return -1;
		}
		graph_parent_range(g, w->flags, x, &lo, &hi);
		for (k = lo; k < hi; k++) {
			p = g->parents[k];
			if (p != GRAPH_NONE && (w->state[p] & GS_CAND))
				graph_paint(w, p, c);
		}
	}
	*out = count;
	return 0;
}

/* Mark the ancestors of good commits, then the candidates; nr or 0. */
static uint32_t
graph_mark_candidates(struct graph_walk *w, const enum mark *marks,
    uint32_t bad)
{
	const struct graph *g = w->g;
	uint32_t i, k, lo, hi, p, nr = 0;

	for (i = g->n; i-- > 0;) {
		if (marks[i] == MARK_GOOD)
			w->state[i] |= GS_GOOD;
		if (!(w->state[i] & GS_GOOD))
			continue;
		for (k = g->parent_off[i]; k < g->parent_off[i + 1]; k++) {
			p = g->parents[k];
			if (p != GRAPH_NONE)
				w->state[p] |= GS_GOOD;
		}
	}
	if (w->state[bad] & GS_GOOD)
		return 0;
	w->state[bad] |= GS_CAND;
	for (i = bad + 1; i-- > 0;) {
		if (!(w->state[i] & GS_CAND))
			continue;
		nr++;
		graph_parent_range(g, w->flags, i, &lo, &hi);
		for (k = lo; k < hi; k++) {
			p = g->parents[k];
			if (p != GRAPH_NONE && !(w->state[p] & GS_GOOD))
				w->state[p] |= GS_CAND;
		}
	}
	return nr;
}

static uint32_t
graph_distance(uint32_t weight, uint32_t nr)
{
	return weight < nr - weight ? weight : nr - weight;
}

static int
graph_halfway(uint32_t weight, uint32_t nr)
{
	int64_t diff = 2 * (int64_t)weight - nr;

	return diff >= -1 && diff <= 1;
}

/*
 * Compute weights in index order.  With all set, every candidate gets
 * its weight; otherwise returns the commit git would pick without
 * skipped commits, and weights are partial.
 */
static uint32_t
graph_weigh(struct graph_walk *w, uint32_t bad, int all)
{
	const struct graph *g = w->g;
	uint32_t i, k, lo, hi, p, heavy, nin, side, limit, wt, dist;
	uint32_t best = GRAPH_NONE, half_single = GRAPH_NONE;
	int64_t bestd = -1, lim;
	int blocked;

	for (i = 0; i <= bad; i++) {
		if (!(w->state[i] & GS_CAND))
			continue;
		graph_parent_range(g, w->flags, i, &lo, &hi);
		nin = 0;
		heavy = GRAPH_NONE;
		blocked = 0;
		for (k = lo; k < hi; k++) {
			p = g->parents[k];
			if (p == GRAPH_NONE || !(w->state[p] & GS_CAND))
				continue;
			nin++;
			if (w->state[p] & GS_BLOCK)
				blocked = 1;
			else if (heavy == GRAPH_NONE ||
			    w->weight[p] > w->weight[heavy])
				heavy = p;
		}
		if (blocked) {
			w->state[i] |= GS_BLOCK;
			continue;
		}
		if (nin == 0)
			wt = 1;
		else if (nin == 1)
			wt = w->weight[heavy] + 1;
		else {
			lim = all ? w->nr : (w->nr + 1) / 2;
			if (!all && w->nr - bestd - 1 > lim)
				lim = w->nr - bestd - 1;
			limit = lim - 1 - w->weight[heavy];
			if (lim - 1 < w->weight[heavy] ||
			    graph_count_side(w, i, heavy, limit, &side) == -1) {
				w->state[i] |= GS_BLOCK;
				continue;
			}
			wt = w->weight[heavy] + 1 + side;
		}
		w->weight[i] = wt;
		w->state[i] |= GS_KNOWN;
		if (all)
			continue;
		dist = graph_distance(wt, w->nr);
		if (nin >= 2 && graph_halfway(wt, w->nr))
			return i;
		if (nin == 1 && half_single == GRAPH_NONE &&
		    graph_halfway(wt, w->nr))
			half_single = i;
		if (dist > bestd) {
			bestd = dist;
			best = i;
		}
		if (2 * (uint64_t)wt >= w->nr)
			w->state[i] |= GS_BLOCK;
	}
	return half_single != GRAPH_NONE ? half_single : best;
}

static int
graph_rank_cmp(const void *a, const void *b)
{
	const struct graph_rank *x = a, *y = b;

	if (x->dist != y->dist)
		return x->dist > y->dist ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return 0;
}

/* git's get_prn(): "man 3 rand" with the count as the seed. */
static uint32_t
graph_prn(uint32_t count)
{
	count = count * 1103515245u + 12345u;
	return (count / 65536) % GRAPH_PRN_MODULO;
}

/* git's sqrti(), in float as git computes it, so the picks agree. */
static int64_t
graph_sqrti(uint32_t val)
{
	float d, x = (float)val, y;

	if (val == 0)
		return 0;
	do {
		y = (x + (float)val / x) / 2;
		d = y > x ? y - x : x - y;
		x = y;
	} while (d >= 0.5f);
	return (int64_t)x;
}

/*
 * Skipped commits exist: rank every candidate and move away from a
 * skipped best.  Fills out with NEXT, FOUND or ONLY_SKIPPED.
 */
static void
graph_choose_skipping(struct graph_walk *w, const enum mark *marks,
    uint32_t bad, struct bisect_result *out)
{
	const struct graph *g = w->g;
	struct graph_rank *r;
	uint32_t i, n = 0, count = 0, prn, pick, prev;
	int64_t index;
	size_t k;

	r = xreallocarray(NULL, w->nr, sizeof(*r));
	for (i = 0; i <= bad; i++) {
		if (!(w->state[i] & GS_CAND))
			continue;
		r[n].dist = graph_distance(w->weight[i], w->nr);
		r[n].rank = g->tiebreak != NULL ? g->tiebreak[i] : i;
		r[n].idx = i;
		n++;
	}
	qsort(r, n, sizeof(*r), graph_rank_cmp);

	pick = r[0].idx;
	if (marks[pick] == MARK_SKIP) {
		for (k = 0; k < n; k++)
			if (marks[r[k].idx] != MARK_SKIP)
				count++;
		prn = graph_prn(count);
		index = ((int64_t)count * prn / GRAPH_PRN_MODULO) *
		    graph_sqrti(prn) / graph_sqrti(GRAPH_PRN_MODULO);
		pick = GRAPH_NONE;
		prev = GRAPH_NONE;
		for (k = 0, i = 0; k < n; k++) {
			if (marks[r[k].idx] == MARK_SKIP)
				continue;
			if (pick == GRAPH_NONE)
				pick = r[k].idx;
			if (i++ == index) {
				if (r[k].idx != bad)
					pick = r[k].idx;
				else if (prev != GRAPH_NONE)
					pick = prev;
				break;
			}
			prev = r[k].idx;
		}
		if (pick == bad) {
			out->kind = BISECT_ONLY_SKIPPED;
			out->commit = bad;
			out->candidates = xreallocarray(NULL, n,
			    sizeof(*out->candidates));
			for (k = 0; k < n; k++)
				if (marks[r[k].idx] == MARK_SKIP)
					out->candidates[out->ncandidates++] =
					    r[k].idx;
			out->candidates[out->ncandidates++] = bad;
			free(r);
			return;
		}
	}
	out->kind = pick == bad ? BISECT_FOUND : BISECT_NEXT;
	out->commit = pick;
	free(r);
}

int
bisect_next(const struct graph *g, const enum mark *marks, uint32_t bad,
    int flags, struct bisect_result *out)
{
	struct graph_walk w;
	uint32_t i;
	int skipping = 0;

	memset(out, 0, sizeof(*out));
	out->commit = GRAPH_NONE;
	if (g->n == 0 || bad >= g->n || marks == NULL)
		return -1;

	memset(&w, 0, sizeof(w));
	w.g = g;
	w.flags = flags;
	w.state = xcalloc(g->n, sizeof(*w.state));
	w.nr = graph_mark_candidates(&w, marks, bad);
	if (w.nr == 0) {
		free(w.state);
		return -1;
	}
	out->remaining = w.nr;
	out->steps = bisect_estimate_steps(w.nr);
	if (w.nr == 1) {
		out->kind = BISECT_FOUND;
		out->commit = bad;
		free(w.state);
		return 0;
	}
	for (i = 0; i < g->n; i++)
		if (marks[i] == MARK_SKIP)
			skipping = 1;

	w.weight = xcalloc(g->n, sizeof(*w.weight));
	w.gen = xcalloc(g->n, sizeof(*w.gen));
	w.color = xcalloc(g->n, sizeof(*w.color));
	w.heap = xreallocarray(NULL, g->n, sizeof(*w.heap));
	if (skipping) {
		graph_weigh(&w, bad, 1);
		graph_choose_skipping(&w, marks, bad, out);
	} else {
		out->kind = BISECT_NEXT;
		out->commit = graph_weigh(&w, bad, 0);
	}
	free(w.state);
	free(w.weight);
	free(w.gen);
	free(w.color);
	free(w.heap);
	return 0;
}

void
bisect_result_release(struct bisect_result *r)
{
	free(r->candidates);
	memset(r, 0, sizeof(*r));
}

uint32_t
bisect_estimate_steps(uint32_t n)
{
	uint32_t lg = 0, e, x;

	if (n < 3)
		return 0;
	while ((n >> lg) > 1)
		lg++;
	e = (uint32_t)1 << lg;
	x = n - e;
	return e < 3 * (uint64_t)x ? lg : lg - 1;
}
