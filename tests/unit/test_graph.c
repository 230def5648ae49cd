/* SPDX-License-Identifier: MIT */
/*
 * test_graph.c - the bisection core against small graphs and against a
 * slow, literal re-statement of git's rules on random graphs.
 *
 * A case's graph is a string of "NAME PARENT..." entries separated by
 * ';', parents first; a parent name that is not defined stands for a
 * commit outside the graph (GRAPH_NONE).  marks is "good=A,B skip=C
 * bad=D" (bad defaults to the last commit).  expect is "next X",
 * "found X" or "skipped A B C" (the candidates in the order returned).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bisect/graph.h"
#include "bisect/util.h"

#define TG_MAX 64

struct tg_case {
	const char	*name;
	const char	*graph;
	const char	*marks;
	int		 flags;
	int		 reverse_rank;	/* tiebreak: reverse index order */
	const char	*expect;
};

static const struct tg_case tg_cases[] = {
	{ "one commit", "A", "", 0, 0, "found A" },
	{ "two commits", "A; B A", "", 0, 0, "next A" },
	{ "two commits, good root", "A; B A", "good=A", 0, 0, "found B" },
	{ "linear of 8", "A; B A; C B; D C; E D; F E; G F; H G", "", 0, 0,
	    "next D" },
	{ "linear, good C", "A; B A; C B; D C; E D; F E; G F; H G",
	    "good=C", 0, 0, "next E" },
	{ "linear, good C, bad E", "A; B A; C B; D C; E D; F E; G F; H G",
	    "good=B bad=E", 0, 0, "next D" },
	{ "linear, found", "A; B A; C B; D C; E D; F E; G F; H G",
	    "good=D bad=E", 0, 0, "found E" },
	{ "outside parent", "A x; B A; C B y; D C", "", 0, 0, "next B" },
	{ "merge of a side branch",
	    "A; B A; C B; D A; E D; M C E; N M", "", 0, 0, "next C" },
	{ "half-way merge wins over earlier commits",
	    "A; B A; C B; D C; E D; X; M D X; N M E; O N; P O; Q P", "",
	    0, 0, "next M" },
	{ "criss-cross", "A; B A; C A; D B C; E C B; F D E", "", 0, 0,
	    "next B" },
	{ "criss-cross, good B", "A; B A; C A; D B C; E C B; F D E",
	    "good=B", 0, 0, "next D" },
	{ "criss-cross, good B and C", "A; B A; C A; D B C; E C B; F D E",
	    "good=B,C", 0, 0, "next D" },
	{ "several good commits",
	    "A; B A; C B; D C; X B; Y X; M D Y; N M", "good=C,X", 0, 0,
	    "next D" },
	{ "good commit on a side branch only",
	    "A; B A; C B; D C; X A; Y X; M D Y; N M; O N", "good=Y", 0, 0,
	    "next D" },
	{ "octopus", "A; B A; C A; D A; M B C D; N M; O N", "", 0, 0,
	    "next B" },
	{ "half-way octopus",
	    "A; B A; C A; D A; M B C D; N M; O N; P O; Q P", "", 0, 0,
	    "next M" },
	{ "first parent", "A; B A; X A; Y X; M B Y; N M", "",
	    BISECT_FIRST_PARENT, 0, "next B" },
	{ "all parents", "A; B A; X A; Y X; M B Y; N M", "", 0, 0,
	    "next Y" },
	{ "first parent, good on the side",
	    "A; B A; C B; X A; Y X; M C Y; N M; O N", "good=Y",
	    BISECT_FIRST_PARENT, 0, "next C" },
	{ "first parent, found", "A; B A; X A; Y X; M B Y; N M",
	    "good=B bad=M", BISECT_FIRST_PARENT, 0, "found M" },
	{ "skip not best", "A; B A; C B; D C; E D; F E; G F", "skip=A", 0,
	    0, "next C" },
	{ "skip, tie by rank", "A; B A; C B; D C; E D; F E; G F", "skip=A",
	    0, 1, "next D" },
	{ "skip best", "A; B A; C B; D C; E D; F E; G F; H G", "skip=D", 0,
	    0, "next F" },
	{ "skip cluster", "A; B A; C B; D C; E D; F E; G F; H G; I H; J I",
	    "good=A skip=D,E,F,G", 0, 0, "next H" },
	{ "only skipped left", "A; B A; C B; D C", "good=A skip=B,C", 0, 0,
	    "skipped B C D" },
	{ "only skipped left, cluster",
	    "A; B A; C B; D C; E D; F E; G F; H G; I H; J I",
	    "good=C skip=D,E,F,G bad=H", 0, 0, "skipped E F D G H" },
	{ "skipped elsewhere, found",
	    "A; B A; C B; D C", "good=C skip=B", 0, 0, "found D" },
	{ "skipped merge side",
	    "A; B A; C B; D C; X A; Y X; M D Y; N M", "skip=C,X,Y", 0, 0,
	    "next D" },
};

struct tg_graph {
	struct graph	 g;
	enum mark	 marks[TG_MAX];
	char		 names[TG_MAX][8];
	uint32_t	 bad;
	int		 bad_set;
};

static uint32_t
tg_find(const struct tg_graph *t, const char *name, size_t len)
{
	uint32_t i;

	for (i = 0; i < t->g.n; i++)
		if (strlen(t->names[i]) == len &&
		    memcmp(t->names[i], name, len) == 0)
			return i;
	return GRAPH_NONE;
}

static void
tg_parse_graph(struct tg_graph *t, const char *spec)
{
	uint32_t parents[8];
	size_t np, len;
	const char *p = spec;
	char name[8];
	int first;

	graph_init(&t->g);
	memset(t->marks, 0, sizeof(t->marks));
	t->bad_set = 0;
	while (*p != '\0') {
		np = 0;
		first = 1;
		name[0] = '\0';
		while (*p != '\0' && *p != ';') {
			while (*p == ' ')
				p++;
			len = strcspn(p, " ;");
			if (len == 0)
				break;
			assert_true(len < sizeof(name));
			if (first) {
				memcpy(name, p, len);
				name[len] = '\0';
				first = 0;
			} else {
				assert_true(np < ARRAY_SIZE(parents));
				parents[np++] = tg_find(t, p, len);
			}
			p += len;
		}
		if (*p == ';')
			p++;
		assert_true(name[0] != '\0');
		assert_true(t->g.n < TG_MAX);
		memcpy(t->names[t->g.n], name, sizeof(name));
		graph_add(&t->g, parents, np);
	}
	t->bad = t->g.n - 1;
}

static void
tg_parse_marks(struct tg_graph *t, const char *spec)
{
	const char *p = spec;
	enum mark m = MARK_GOOD;
	size_t len;
	uint32_t i;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (strncmp(p, "good=", 5) == 0)
			m = MARK_GOOD;
		else if (strncmp(p, "skip=", 5) == 0)
			m = MARK_SKIP;
		else if (strncmp(p, "bad=", 4) == 0)
			m = MARK_BAD;
		else
			fail_msg("bad marks '%s'", spec);
		p = strchr(p, '=') + 1;
		for (;;) {
			len = strcspn(p, ", ");
			i = tg_find(t, p, len);
			assert_int_not_equal(i, GRAPH_NONE);
			t->marks[i] = m;
			if (m == MARK_BAD) {
				t->bad = i;
				t->bad_set = 1;
			}
			p += len;
			if (*p != ',')
				break;
			p++;
		}
	}
}

static void
tg_format(const struct tg_graph *t, const struct bisect_result *r,
    struct buf *out)
{
	size_t k;

	switch (r->kind) {
	case BISECT_NEXT:
		buf_addf(out, "next %s", t->names[r->commit]);
		break;
	case BISECT_FOUND:
		buf_addf(out, "found %s", t->names[r->commit]);
		break;
	case BISECT_ONLY_SKIPPED:
		buf_adds(out, "skipped");
		for (k = 0; k < r->ncandidates; k++)
			buf_addf(out, " %s", t->names[r->candidates[k]]);
		break;
	}
}

static void
test_graph_table(void **state)
{
	struct tg_graph t;
	struct bisect_result r;
	struct buf got = BUF_INIT;
	uint32_t i;
	size_t k;
	int nfail = 0;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(tg_cases); k++) {
		const struct tg_case *c = &tg_cases[k];

		tg_parse_graph(&t, c->graph);
		tg_parse_marks(&t, c->marks);
		if (c->reverse_rank) {
			t.g.tiebreak = xcalloc(t.g.n, sizeof(*t.g.tiebreak));
			for (i = 0; i < t.g.n; i++)
				t.g.tiebreak[i] = t.g.n - 1 - i;
		}
		assert_int_equal(bisect_next(&t.g, t.marks, t.bad, c->flags,
		    &r), 0);
		buf_reset(&got);
		tg_format(&t, &r, &got);
		if (strcmp(got.s, c->expect) != 0) {
			print_error("case '%s': expected '%s', got '%s'\n",
			    c->name, c->expect, got.s);
			nfail++;
		}
		bisect_result_release(&r);
		graph_release(&t.g);
	}
	buf_release(&got);
	assert_int_equal(nfail, 0);
}

static void
test_graph_errors(void **state)
{
	struct tg_graph t;
	struct bisect_result r;

	(void)state;
	tg_parse_graph(&t, "A; B A; C B");
	assert_int_equal(bisect_next(&t.g, t.marks, 3, 0, &r), -1);
	t.marks[2] = MARK_GOOD;
	assert_int_equal(bisect_next(&t.g, t.marks, 2, 0, &r), -1);
	t.marks[2] = MARK_NONE;
	t.marks[0] = MARK_GOOD;
	assert_int_equal(bisect_next(&t.g, t.marks, 0, 0, &r), -1);
	assert_int_equal(bisect_next(&t.g, t.marks, 2, 0, &r), 0);
	assert_int_equal(r.kind, BISECT_NEXT);
	assert_int_equal(r.commit, 1);
	assert_int_equal(r.remaining, 2);
	bisect_result_release(&r);
	graph_release(&t.g);

	graph_init(&t.g);
	assert_int_equal(bisect_next(&t.g, t.marks, 0, 0, &r), -1);
}

static void
test_graph_estimate(void **state)
{
	static const uint32_t want[][2] = {
		{ 0, 0 }, { 1, 0 }, { 2, 0 }, { 3, 1 }, { 4, 1 }, { 5, 1 },
		{ 6, 2 }, { 7, 2 }, { 8, 2 }, { 9, 2 }, { 10, 2 }, { 11, 3 },
		{ 16, 3 }, { 1024, 9 }, { 1366, 10 }, { 100000, 16 },
	};
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(want); k++)
		if (bisect_estimate_steps(want[k][0]) != want[k][1])
			fail_msg("estimate(%u): expected %u, got %u",
			    want[k][0], want[k][1],
			    bisect_estimate_steps(want[k][0]));
}

/*
 * The reference: git's find_bisection and managed_skipped, restated
 * literally over the index order, weights counted by brute force.
 */
static uint32_t tg_seed;

static uint32_t
tg_rand(uint32_t n)
{
	tg_seed = tg_seed * 1664525u + 1013904223u;
	return (tg_seed >> 8) % n;
}

static int
tg_follow(int flags, const struct graph *g, uint32_t c, uint32_t k)
{
	return !(flags & BISECT_FIRST_PARENT) || k == g->parent_off[c];
}

static uint32_t
tg_count(const struct graph *g, int flags, const uint8_t *cand, uint32_t c,
    uint8_t *seen)
{
	uint32_t k, p, nr = 1;

	seen[c] = 1;
	for (k = g->parent_off[c]; k < g->parent_off[c + 1]; k++) {
		p = g->parents[k];
		if (!tg_follow(flags, g, c, k) || p == GRAPH_NONE || !cand[p] ||
		    seen[p])
			continue;
		nr += tg_count(g, flags, cand, p, seen);
	}
	return nr;
}

static uint32_t
tg_prn(uint32_t count)
{
	count = count * 1103515245u + 12345u;
	return (count / 65536) % 32768;
}

static int
tg_sqrti(int val)
{
	float d, x = val;

	if (!val)
		return 0;
	do {
		float y = (x + (float)val / x) / 2;
		d = (y > x) ? y - x : x - y;
		x = y;
	} while (d >= 0.5);
	return (int)x;
}

static void
tg_reference(const struct graph *g, const enum mark *marks, uint32_t bad,
    int flags, struct bisect_result *r)
{
	uint8_t good[TG_MAX] = { 0 }, cand[TG_MAX] = { 0 }, seen[TG_MAX];
	uint32_t w[TG_MAX], nin[TG_MAX], order[TG_MAX];
	uint32_t i, j, k, p, nr = 0, n = 0, count, prn, prev, pick;
	uint32_t di, dj;
	long index;
	int skipping = 0, best = -1;

	memset(r, 0, sizeof(*r));
	for (i = g->n; i-- > 0;) {
		if (marks[i] == MARK_GOOD)
			good[i] = 1;
		if (marks[i] == MARK_SKIP)
			skipping = 1;
		for (k = g->parent_off[i]; good[i] &&
		    k < g->parent_off[i + 1]; k++)
			if (g->parents[k] != GRAPH_NONE)
				good[g->parents[k]] = 1;
	}
	cand[bad] = 1;
	for (i = bad + 1; i-- > 0;) {
		if (!cand[i])
			continue;
		nr++;
		for (k = g->parent_off[i]; k < g->parent_off[i + 1]; k++) {
			p = g->parents[k];
			if (tg_follow(flags, g, i, k) && p != GRAPH_NONE &&
			    !good[p])
				cand[p] = 1;
		}
	}
	r->remaining = nr;
	if (nr == 1) {
		r->kind = BISECT_FOUND;
		r->commit = bad;
		return;
	}
	for (i = 0; i <= bad; i++) {
		if (!cand[i])
			continue;
		memset(seen, 0, sizeof(seen));
		w[i] = tg_count(g, flags, cand, i, seen);
		nin[i] = 0;
		for (k = g->parent_off[i]; k < g->parent_off[i + 1]; k++)
			if (tg_follow(flags, g, i, k) &&
			    g->parents[k] != GRAPH_NONE && cand[g->parents[k]])
				nin[i]++;
		order[n++] = i;
	}
#define TG_DIST(c) (w[c] < nr - w[c] ? w[c] : nr - w[c])
#define TG_HALF(c) (2 * (long)w[c] - (long)nr >= -1 && \
	2 * (long)w[c] - (long)nr <= 1)
	r->kind = BISECT_NEXT;
	if (!skipping) {
		for (j = 0; j < n; j++)
			if (nin[order[j]] >= 2 && TG_HALF(order[j])) {
				r->commit = order[j];
				return;
			}
		for (j = 0; j < n; j++)
			if (nin[order[j]] == 1 && TG_HALF(order[j])) {
				r->commit = order[j];
				return;
			}
		for (j = 0; j < n; j++)
			if (best < 0 || TG_DIST(order[j]) >
			    TG_DIST((uint32_t)best))
				best = order[j];
		r->commit = best;
		return;
	}
	/* insertion sort: distance down, then rank up */
	for (i = 1; i < n; i++) {
		for (j = i; j > 0; j--) {
			di = TG_DIST(order[j - 1]);
			dj = TG_DIST(order[j]);
			if (di > dj || (di == dj && (g->tiebreak ?
			    g->tiebreak[order[j - 1]] < g->tiebreak[order[j]] :
			    order[j - 1] < order[j])))
				break;
			p = order[j];
			order[j] = order[j - 1];
			order[j - 1] = p;
		}
	}
	if (marks[order[0]] != MARK_SKIP) {
		r->commit = order[0];
		return;
	}
	count = 0;
	for (j = 0; j < n; j++)
		if (marks[order[j]] != MARK_SKIP)
			count++;
	prn = tg_prn(count);
	index = ((long)count * prn / 32768) * tg_sqrti(prn) / tg_sqrti(32768);
	pick = GRAPH_NONE;
	prev = GRAPH_NONE;
	for (j = 0, i = 0; j < n; j++) {
		if (marks[order[j]] == MARK_SKIP)
			continue;
		if (pick == GRAPH_NONE)
			pick = order[j];
		if (i == index) {
			pick = order[j] != bad ? order[j] :
			    prev != GRAPH_NONE ? prev : pick;
			break;
		}
		prev = order[j];
		i++;
	}
	r->commit = pick;
	if (pick == bad) {
		r->kind = BISECT_ONLY_SKIPPED;
		r->candidates = xcalloc(n, sizeof(*r->candidates));
		for (j = 0; j < n; j++)
			if (marks[order[j]] == MARK_SKIP)
				r->candidates[r->ncandidates++] = order[j];
		r->candidates[r->ncandidates++] = bad;
	}
#undef TG_DIST
#undef TG_HALF
}

static void
tg_random_graph(struct graph *g, uint32_t n, uint32_t spread)
{
	uint32_t parents[4], i, np, k, lo;

	graph_init(g);
	for (i = 0; i < n; i++) {
		np = i == 0 ? tg_rand(2) : 1u + (uint32_t)(tg_rand(4) == 0) +
		    (uint32_t)(tg_rand(12) == 0);
		lo = i > spread ? i - spread : 0;
		for (k = 0; k < np; k++)
			parents[k] = i == 0 || tg_rand(10) == 0 ? GRAPH_NONE :
			    lo + tg_rand(i - lo);
		graph_add(g, parents, np);
	}
}

static void
test_graph_random(void **state)
{
	struct graph g;
	struct bisect_result got, want;
	enum mark marks[TG_MAX];
	uint32_t n, i, bad, round, step;
	int flags, rc;
	size_t k;

	(void)state;
	tg_seed = 12345;
	for (round = 0; round < 3000; round++) {
		n = 1 + tg_rand(TG_MAX);
		tg_random_graph(&g, n, 1 + tg_rand(n + 1));
		if (tg_rand(3) == 0) {
			g.tiebreak = xcalloc(n, sizeof(*g.tiebreak));
			for (i = 0; i < n; i++)
				g.tiebreak[i] = i;
			for (i = n; i > 1; i--) {
				k = tg_rand(i);
				bad = g.tiebreak[i - 1];
				g.tiebreak[i - 1] = g.tiebreak[k];
				g.tiebreak[k] = bad;
			}
		}
		flags = tg_rand(4) == 0 ? BISECT_FIRST_PARENT : 0;
		memset(marks, 0, sizeof(marks));
		for (i = 0; i < n; i++)
			if (tg_rand(8) == 0)
				marks[i] = tg_rand(2) ? MARK_GOOD : MARK_SKIP;
		bad = n - 1;
		marks[bad] = MARK_BAD;
		/* play a whole bisection: culprit decides good or bad */
		for (step = 0; step < 2 * TG_MAX; step++) {
			rc = bisect_next(&g, marks, bad, flags, &got);
			if (rc == -1) {
				assert_int_equal(marks[bad], MARK_BAD);
				break;
			}
			tg_reference(&g, marks, bad, flags, &want);
			if (got.kind != want.kind || got.commit != want.commit ||
			    got.ncandidates != want.ncandidates ||
			    got.remaining != want.remaining)
				fail_msg("round %u step %u: got %d/%u, want "
				    "%d/%u", round, step, got.kind, got.commit,
				    want.kind, want.commit);
			for (k = 0; k < got.ncandidates; k++)
				assert_int_equal(got.candidates[k],
				    want.candidates[k]);
			bisect_result_release(&want);
			if (got.kind != BISECT_NEXT) {
				bisect_result_release(&got);
				break;
			}
			switch (tg_rand(5)) {
			case 0:
				marks[got.commit] = MARK_SKIP;
				break;
			case 1:
			case 2:
				marks[got.commit] = MARK_GOOD;
				break;
			default:
				marks[got.commit] = MARK_BAD;
				bad = got.commit;
				break;
			}
			bisect_result_release(&got);
		}
		graph_release(&g);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_graph_table),
		cmocka_unit_test(test_graph_errors),
		cmocka_unit_test(test_graph_estimate),
		cmocka_unit_test(test_graph_random),
	};

	return cmocka_run_group_tests_name("graph", tests, NULL, NULL);
}
