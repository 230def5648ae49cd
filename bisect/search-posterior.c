/* SPDX-License-Identifier: MIT */
/*
 * search-posterior.c - bisect.search = posterior (see search-posterior.h).
 *
 * A level is one linear search: position 0 holds good values (the good
 * endpoint's, and on a merge's level the merge's first parent's too),
 * positions 1..n are commits of one first-parent line, oldest first; the
 * last is the bad end.  A step is a commit and all its boots; a visit, a
 * run of consecutive boots of one commit (the search may come back).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "bisect/graph.h"
#include "bisect/search-posterior.h"
#include "bisect/state.h"
#include "stats/posterior.h"

#define SEARCH_MAX_LEVELS	16

/*
 * Values with the time of each, for the posterior's drift correction:
 * the endpoints' i-th boots at 2i (good) and 2i + 1 (bad), as their
 * phase measures them in turns, then one unit per boot of the search in
 * the order measured (a resume replays the same order).
 */
struct vals {
	double	*v;
	double	*t;
	size_t	 n;
	size_t	 alloc;
	size_t	 talloc;
};

struct level {
	uint32_t	*line;		/* graph index of position p at p - 1 */
	uint32_t	 n;
	uint32_t	 zero;		/* position 0 if not the good endpoint */
	struct posterior post;
	double		 clear;		/* "clearly" placed: P <= clear */
};

/* A step as the record keeps it. */
struct srow {
	int		 level;
	uint32_t	 pos;
	uint32_t	 commit;	/* graph index */
	char		*why;		/* untestable: the reason */
};

struct search {
	const struct search_params *sp;
	const struct search_ops *ops;
	struct vals	 good;		/* the good endpoint's, drift included */
	struct vals	 bad;
	double		 clock;		/* the time of the next boot */
	struct vals	*cv;		/* step values of each graph commit */
	unsigned char	*dead;		/* untestable */
	struct level	 lv[SEARCH_MAX_LEVELS];
	int		 nlv;
	struct srow	*rows;
	size_t		 nrows;
	size_t		 rowalloc;
	int		 boots;		/* boots of the search, all levels */
	int		 builds;
	int		 max_boots;
};

void
search_result_release(struct search_result *r)
{
	buf_release(&r->candidates);
	buf_release(&r->why);
}

static void
search_hex(const struct search *s, uint32_t commit, char *hex)
{
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &s->sp->oids[commit]);
}

static uint32_t
search_first_parent(const struct graph *g, uint32_t i)
{
	return g->parent_off[i + 1] > g->parent_off[i] ?
	    g->parents[g->parent_off[i]] : GRAPH_NONE;
}

/*
 * The first-parent line from tip down to (not including) the first
 * commit outside the graph or marked in stop; oldest first.
 */
static uint32_t *
search_line(const struct graph *g, uint32_t tip, const unsigned char *stop,
    uint32_t *n)
{
	uint32_t *line = NULL, x, t;
	size_t alloc = 0, i;

	*n = 0;
	for (x = tip; x != GRAPH_NONE && !(stop && stop[x]);
	    x = search_first_parent(g, x)) {
		GROW(line, *n + 1, alloc);
		line[(*n)++] = x;
	}
	for (i = 0; i < *n / 2; i++) {
		t = line[i];
		line[i] = line[*n - 1 - i];
		line[*n - 1 - i] = t;
	}
	return line;
}

/* The probability that position pos is bad (the first bad is <= pos). */
static double
search_pbad(const struct level *l, uint32_t pos)
{
	return posterior_cdf(&l->post, pos);
}

/* A commit's mean as measured (the posterior's has the drift removed). */
static double
search_mean(const struct posterior_commit *c)
{
	double sum = 0;
	uint32_t j;

	for (j = 0; j < c->n; j++)
		sum += c->raw[j];
	return c->n ? sum / c->n : 0;
}

static const char *
search_place(const struct level *l, uint32_t pos)
{
	double p = search_pbad(l, pos);

	return p <= l->clear ? "good" : p >= 1 - l->clear ? "bad" : "skip";
}

/* Write row i of the record as the level's posterior now says. */
static int
search_row_write(struct search *s, size_t i, int stepno, struct error *err)
{
	const struct srow *r = &s->rows[i];
	const struct level *l = &s->lv[r->level];
	const struct posterior_commit *c = &l->post.c[r->pos];
	struct verdict_rec v;
	char hex[GIT_OID_HEXSZ + 1];
	double p = search_pbad(l, r->pos);
	int rc;

	/* A sum of probabilities may stray past 0 or 1 by a rounding. */
	p = p < 0 ? 0 : p > 1 ? 1 : p;
	memset(&v, 0, sizeof(v));
	search_hex(s, r->commit, hex);
	v.step = stepno;
	v.commit = hex;
	v.boots = (int)c->n;
	v.mean = search_mean(c);
	v.p_bad = p;
	v.p_good = 1 - p;
	v.llr = p > 0 && p < 1 ? log(p / (1 - p)) : p >= 1 ? 50 : -50;
	if (r->why && c->n == 0) {
		v.verdict = (char *)"skip";
		v.reason = r->why;
		return state_verdict_set(s->sp->st, &v, err);
	}
	v.verdict = (char *)search_place(l, r->pos);
	v.reason = xasprintf("posterior: P(first bad at or before it) = %.4g "
	    "after %u boots of it%s", p, c->n, strcmp(v.verdict, "skip") == 0 ?
	    "; not clearly before or after the culprit" : "");
	rc = state_verdict_set(s->sp->st, &v, err);
	free(v.reason);
	return rc;
}

/* The top candidates of level l as "HEX:PROB ..." and a readable list. */
static void
search_top(struct search *s, const struct level *l, struct buf *rec,
    struct buf *text)
{
	struct posterior_cand top[SEARCH_TOP];
	char hex[GIT_OID_HEXSZ + 1];
	size_t n, i;

	n = posterior_top_k(&l->post, top, SEARCH_TOP);
	for (i = 0; i < n; i++) {
		search_hex(s, l->line[top[i].pos - 1], hex);
		buf_addf(rec, "%s%s:%.6g", i ? " " : "", hex, top[i].p);
		buf_addf(text, "%s%.12s %.1f%%", i ? ", " : "", hex,
		    100 * top[i].p);
	}
}

/* Record the state after a boot of step stepno (row i). */
static int
search_record(struct search *s, size_t i, int stepno, struct error *err)
{
	struct buf rec = BUF_INIT, text = BUF_INIT;
	char key[64];
	int rc;

	if (search_row_write(s, i, stepno, err) < 0)
		return -1;
	search_top(s, &s->lv[s->rows[i].level], &rec, &text);
	snprintf(key, sizeof(key), "posterior.step.%d", stepno);
	rc = state_meta_set(s->sp->st, key, rec.s, err);
	buf_release(&rec);
	buf_release(&text);
	return rc;
}

/* The event line that closes a step. */
static void
search_step_event(struct search *s, size_t i, int stepno)
{
	const struct srow *r = &s->rows[i];
	const struct level *l = &s->lv[r->level];
	const struct posterior_commit *c = &l->post.c[r->pos];
	struct buf kv = BUF_INIT, msg = BUF_INIT, rec = BUF_INIT;
	struct buf text = BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	double p = search_pbad(l, r->pos);

	search_hex(s, r->commit, hex);
	search_top(s, l, &rec, &text);
	buf_addf(&kv, "event=step step=%d commit=%s verdict=%s boots=%u "
	    "mean=%.10g p_good=%.4g p_bad=%.4g top=\"%s\"", stepno, hex,
	    r->why && c->n == 0 ? "skip" : search_place(l, r->pos), c->n,
	    search_mean(c), 1 - p, p, rec.s);
	if (r->why && c->n == 0)
		buf_addf(&msg, "step %d: %.12s is untestable (%s); top: %s",
		    stepno, hex, r->why, text.s);
	else
		buf_addf(&msg, "step %d: %.12s%s %u boots, mean %.6g, P(bad) "
		    "%.4g; top: %s", stepno, hex, r->pos == l->post.n ?
		    " (the bad endpoint again)" : "", c->n, search_mean(c), p,
		    text.s);
	s->ops->event(s->ops->ctx, kv.s, msg.s);
	buf_release(&kv);
	buf_release(&msg);
	buf_release(&rec);
	buf_release(&text);
}

static void
vals_push(struct vals *x, double v, double t)
{
	GROW(x->v, x->n + 1, x->alloc);
	GROW(x->t, x->n + 1, x->talloc);
	x->v[x->n] = v;
	x->t[x->n++] = t;
}

static void
vals_release(struct vals *x)
{
	free(x->v);
	free(x->t);
}

static void
search_add_vals(struct posterior *p, uint32_t pos, const struct vals *x)
{
	if (x->n > 0)
		posterior_add_many_t(p, pos, x->v, x->t, x->n);
}

/* A boot of position pos on level l gave v: keep it in x, at the next time. */
static void
search_value(struct search *s, struct level *l, uint32_t pos, struct vals *x,
    double v)
{
	vals_push(x, v, s->clock);
	posterior_add_many_t(&l->post, pos, &v, &s->clock, 1);
	s->clock++;
}

/*
 * Set up level k over line (n commits, the last the bad end); position
 * 0 gets the good endpoint's values and zero's (GRAPH_NONE: none), the
 * bad end the bad endpoint's, every other position the values its
 * commit has so far.
 */
static void
search_level_init(struct search *s, uint32_t *line, uint32_t n,
    uint32_t zero)
{
	const struct search_params *sp = s->sp;
	struct posterior_params pp;
	struct level *l = &s->lv[s->nlv++];
	uint32_t pos, c;

	posterior_params_default(&pp);
	pp.confidence = sp->confidence;
	pp.min_boots = sp->min_boots;
	pp.max_boots = s->max_boots;
	pp.max_builds = sp->max_builds;
	l->line = line;
	l->n = n;
	l->zero = zero;
	l->clear = 1 - sp->confidence;
	posterior_init(&l->post, n, &pp, sp->lower_better ? BETTER_LOWER :
	    BETTER_HIGHER);
	search_add_vals(&l->post, 0, &s->good);
	if (zero != GRAPH_NONE)
		search_add_vals(&l->post, 0, &s->cv[zero]);
	search_add_vals(&l->post, n, &s->bad);
	for (pos = 1; pos <= n; pos++) {
		c = line[pos - 1];
		search_add_vals(&l->post, pos, &s->cv[c]);
		if (s->dead[c])
			posterior_fail(&l->post, pos);
	}
}

/*
 * One more boot of the good endpoint (the driver's drift operation), into
 * level l's position 0; *got is 0 when it could not be measured.
 */
static int
search_good_again(struct search *s, struct level *l, int *got,
    struct error *err)
{
	double v;
	int rc;

	if ((rc = s->ops->drift(s->ops->ctx, &v, got, err)) != 0)
		return rc;
	if (*got) {
		search_value(s, l, 0, &s->good, v);
		s->boots++;
	}
	return 0;
}

/*
 * Search level l until its stop rule says so.  Returns the stop (as
 * enum posterior_stop), 100 + SEARCH_STOPPED when interrupted, or -1.
 * *visits counts the runs of boots of one commit in the whole search
 * (stats.driftEvery counts them); step N is the N-th commit measured.
 */
static int
search_level(struct search *s, struct level *l, int *visits,
    struct buf *why, struct error *err)
{
	const struct search_params *sp = s->sp;
	enum posterior_stop st;
	struct buf w = BUF_INIT, msg = BUF_INIT;
	uint32_t next, prev = POSTERIOR_NO_NEXT, built = POSTERIOR_NO_NEXT, c;
	char hex[GIT_OID_HEXSZ + 1];
	size_t row = 0;
	double v;
	int open = 0, rc = 0, got;

	for (;;) {
		st = posterior_stop(&l->post, s->boots, 2 + s->builds);
		if (st != POSTERIOR_GO_ON)
			break;
		if (s->ops->late && s->ops->late(s->ops->ctx)) {
			buf_addf(why, "the time cap (bisect.maxTime) is reached "
			    "after %d boots", s->boots);
			st = POSTERIOR_CAPPED;
			break;
		}
		next = posterior_next(&l->post);
		if (next == POSTERIOR_NO_NEXT) {
			st = POSTERIOR_CAPPED;
			break;
		}
		if (open && next != prev) {
			/* The step ends; the good endpoint again if due. */
			search_step_event(s, row, (int)row + 1);
			open = 0;
			if (sp->drift_every > 0 &&
			    *visits % sp->drift_every == 0) {
				if ((rc = search_good_again(s, l, &got,
				    err)) != 0)
					break;
				continue;
			}
		}
		/* The good endpoint, against the culprit's time (the step
		   before it has ended above). */
		if (next == 0 && l->zero == GRAPH_NONE) {
			if ((rc = search_good_again(s, l, &got, err)) != 0)
				break;
			if (!got) {
				buf_addf(why, "the good endpoint cannot be "
				    "measured any more");
				st = POSTERIOR_CAPPED;
				break;
			}
			continue;
		}
		c = next == 0 ? l->zero : l->line[next - 1];
		search_hex(s, c, hex);
		if (s->dead[c]) {
			buf_addf(why, "%.12s cannot be measured any more",
			    hex);
			st = POSTERIOR_CAPPED;
			break;
		}
		if (!open) {
			if (built != POSTERIOR_NO_NEXT && built != next)
				posterior_set_built(&l->post, built, 0);
			posterior_set_built(&l->post, next, 1);
			built = next;
			(*visits)++;
			s->builds++;
			/* A commit measured again continues its own step. */
			for (row = 0; row < s->nrows; row++)
				if (s->rows[row].commit == c)
					break;
			if (row == s->nrows) {
				GROW(s->rows, s->nrows + 1, s->rowalloc);
				s->nrows++;
				memset(&s->rows[row], 0, sizeof(s->rows[row]));
				s->rows[row].commit = c;
			}
			s->rows[row].level = (int)(l - s->lv);
			s->rows[row].pos = next;
			prev = next;
			open = 1;
			buf_reset(&msg);
			if (next == l->post.n)
				buf_addf(&msg, "step %zu: the bad endpoint %.12s "
				    "again", row + 1, hex);
			else
				buf_addf(&msg, "step %zu: testing %.12s "
				    "(P(bad) %.3g)", row + 1, hex,
				    search_pbad(l, next));
			s->ops->progress(s->ops->ctx, msg.s);
		}
		buf_reset(&w);
		rc = s->ops->boot(s->ops->ctx, hex, "step",
		    (int)s->cv[c].n + 1, &v, &w, err);
		if (rc == SEARCH_UNTESTABLE) {
			s->dead[c] = 1;
			posterior_fail(&l->post, next);
			free(s->rows[row].why);
			s->rows[row].why = buf_detach(&w, NULL);
			rc = 0;
		} else if (rc != 0)
			break;
		else {
			search_value(s, l, next, &s->cv[c], v);
			s->boots++;
		}
		if ((rc = search_record(s, row, (int)row + 1, err)) < 0)
			break;
	}
	if (rc == 0 && open)
		search_step_event(s, row, (int)row + 1);
	buf_release(&w);
	buf_release(&msg);
	if (rc == SEARCH_STOPPED)
		return 100 + SEARCH_STOPPED;
	return rc < 0 ? -1 : (int)st;
}

/* The commits of the smallest set holding cap_mass, as the result. */
static void
search_capped(struct search *s, const struct level *l,
    struct search_result *res)
{
	struct posterior_block set[64];
	char hex[GIT_OID_HEXSZ + 1];
	uint32_t ns, pos;
	size_t n, i, listed = 0;

	n = posterior_set(&l->post, l->post.par.cap_mass, set,
	    ARRAY_SIZE(set), &ns);
	for (i = 0; i < n; i++)
		for (pos = set[i].lo; pos <= set[i].hi && listed < 200;
		    pos++, listed++) {
			search_hex(s, l->line[pos - 1], hex);
			buf_addf(&res->candidates, "%s%s",
			    res->candidates.len ? " " : "", hex);
		}
}

/* Mark the ancestors of x (itself included) in anc. */
static void
search_ancestors(const struct graph *g, uint32_t x, unsigned char *anc)
{
	uint32_t i, j, p;

	if (x == GRAPH_NONE)
		return;
	anc[x] = 1;
	for (i = x + 1; i-- > 0;) {
		if (!anc[i])
			continue;
		for (j = g->parent_off[i]; j < g->parent_off[i + 1]; j++)
			if ((p = g->parents[j]) != GRAPH_NONE)
				anc[p] = 1;
	}
}

/*
 * The line searched when the culprit merge m (at position c of l) came
 * from its second parent: the second parent's first-parent line down to
 * the commits the merge's first parent reaches, then the commit below
 * it (so that the first commit of the topic has a measured parent), and
 * m itself as the bad end.  NULL when m is not such a merge.
 */
static uint32_t *
search_merge_line(struct search *s, uint32_t m, uint32_t *n)
{
	const struct graph *g = s->sp->g;
	unsigned char *anc;
	uint32_t *line, fp, sp2, below, k;

	if (g->parent_off[m + 1] - g->parent_off[m] < 2)
		return NULL;
	fp = g->parents[g->parent_off[m]];
	sp2 = g->parents[g->parent_off[m] + 1];
	if (sp2 == GRAPH_NONE)
		return NULL;
	anc = xcalloc(g->n, 1);
	search_ancestors(g, fp, anc);
	if (anc[sp2]) {
		free(anc);
		return NULL;
	}
	line = search_line(g, sp2, anc, n);
	below = *n ? search_first_parent(g, line[0]) : GRAPH_NONE;
	free(anc);
	k = below != GRAPH_NONE ? 1 : 0;
	line = xreallocarray(line, *n + k + 1, sizeof(*line));
	if (k) {
		memmove(line + 1, line, *n * sizeof(*line));
		line[0] = below;
	}
	*n += k;
	line[(*n)++] = m;
	return line;
}

/* Rewrite every row as the final posteriors say (in step order). */
static int
search_final_rows(struct search *s, struct error *err)
{
	size_t i;

	for (i = 0; i < s->nrows; i++)
		if (search_row_write(s, i, (int)i + 1, err) < 0)
			return -1;
	return 0;
}

static void
search_release(struct search *s)
{
	size_t i;
	int k;

	for (i = 0; i < s->sp->g->n; i++)
		vals_release(&s->cv[i]);
	free(s->cv);
	free(s->dead);
	vals_release(&s->good);
	vals_release(&s->bad);
	for (k = 0; k < s->nlv; k++) {
		posterior_release(&s->lv[k].post);
		free(s->lv[k].line);
	}
	for (i = 0; i < s->nrows; i++)
		free(s->rows[i].why);
	free(s->rows);
}

int
search_posterior(const struct search_params *sp,
    const struct search_ops *ops, struct search_result *res,
    struct error *err)
{
	struct search s;
	struct level *l;
	struct buf msg = BUF_INIT, kv = BUF_INIT, top = BUF_INIT;
	struct buf rec = BUF_INIT;
	uint32_t *line, n, c, culprit, zero = GRAPH_NONE;
	char hex[GIT_OID_HEXSZ + 1], zhex[GIT_OID_HEXSZ + 1];
	double ptop;
	size_t i;
	int visits = 0, rc = 0;

	memset(&s, 0, sizeof(s));
	memset(res, 0, sizeof(*res));
	buf_init(&res->candidates);
	buf_init(&res->why);
	s.sp = sp;
	s.ops = ops;
	s.cv = xcalloc(sp->g->n, sizeof(*s.cv));
	s.dead = xcalloc(sp->g->n, 1);
	for (i = 0; i < sp->ngood || i < sp->nbad; i++) {
		if (i < sp->ngood)
			vals_push(&s.good, sp->goodv[i], 2.0 * i);
		if (i < sp->nbad)
			vals_push(&s.bad, sp->badv[i], 2.0 * i + 1);
	}
	s.clock = 2.0 * i;
	s.max_boots = sp->max_boots > 0 ? sp->max_boots :
	    2 * sp->step_max_boots * (int)(bisect_estimate_steps(sp->g->n) +
	    1);
	line = search_line(sp->g, sp->g->n - 1, NULL, &n);
	search_level_init(&s, line, n, GRAPH_NONE);
	buf_addf(&kv, "event=search kind=posterior level=1 commits=%u "
	    "confidence=%.4g max_boots=%d", n, sp->confidence, s.max_boots);
	buf_addf(&msg, "posterior search on the first-parent line: %u "
	    "commits, to confidence %.4g, at most %d boots", n,
	    sp->confidence, s.max_boots);
	ops->event(ops->ctx, kv.s, msg.s);
	for (;;) {
		l = &s.lv[s.nlv - 1];
		rc = search_level(&s, l, &visits, &res->why, err);
		if (rc < 0 || rc >= 100)
			break;
		culprit = posterior_top(&l->post, &ptop);
		if (rc == POSTERIOR_CAPPED) {
			uint32_t ns;
			struct posterior_block one;

			l->clear = 1 - l->post.par.cap_mass;
			posterior_set(&l->post, l->post.par.cap_mass, &one, 1,
			    &ns);
			if (ns != 1) {
				res->outcome = SEARCH_INCONCLUSIVE;
				if (res->why.len == 0)
					buf_addf(&res->why, "a cap is reached "
					    "(%d boots, %d builds)", s.boots,
					    2 + s.builds);
				search_capped(&s, l, res);
				rc = 0;
				break;
			}
			culprit = one.lo;
		} else if (rc == POSTERIOR_NONE) {
			res->outcome = SEARCH_INCONCLUSIVE;
			buf_addf(&res->why, "no single commit explains the "
			    "change (probability %.4g)", l->post.p_none);
			search_capped(&s, l, res);
			rc = 0;
			break;
		}
		c = l->line[culprit - 1];
		search_hex(&s, c, hex);
		buf_reset(&kv);
		buf_reset(&msg);
		buf_reset(&top);
		buf_reset(&rec);
		search_top(&s, l, &rec, &top);
		buf_addf(&kv, "event=search-found level=%d commit=%s "
		    "probability=%.6g boots=%d", s.nlv, hex, ptop, s.boots);
		buf_addf(&msg, "posterior: %.12s is the first bad commit of "
		    "this line with probability %.4g after %d boots; top: %s",
		    hex, ptop, s.boots, top.s);
		ops->event(ops->ctx, kv.s, msg.s);
		res->outcome = SEARCH_FOUND;
		snprintf(res->culprit, sizeof(res->culprit), "%s", hex);
		rc = 0;
		/* On a merge's level, its bad end is the merge itself. */
		if (sp->first_parent || s.nlv == SEARCH_MAX_LEVELS ||
		    (s.nlv > 1 && culprit == l->n) ||
		    (line = search_merge_line(&s, c, &n)) == NULL)
			break;
		zero = culprit >= 2 ? l->line[culprit - 2] : GRAPH_NONE;
		if (zero != GRAPH_NONE)
			search_hex(&s, zero, zhex);
		buf_reset(&kv);
		buf_reset(&msg);
		buf_addf(&kv, "event=search kind=posterior level=%d commits=%u "
		    "merge=%s", s.nlv + 1, n, hex);
		buf_addf(&msg, "posterior: %.12s is a merge: searching its "
		    "second parent's line (%u commits) with %s as good",
		    hex, n - 1, zero != GRAPH_NONE ? zhex : "the good endpoint");
		ops->event(ops->ctx, kv.s, msg.s);
		search_level_init(&s, line, n, zero);
	}
	if (rc == 0)
		rc = search_final_rows(&s, err);
	buf_release(&msg);
	buf_release(&kv);
	buf_release(&top);
	buf_release(&rec);
	search_release(&s);
	if (rc >= 100)
		return SEARCH_STOPPED;
	return rc < 0 ? -1 : 0;
}
