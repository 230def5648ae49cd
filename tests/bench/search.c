/* SPDX-License-Identifier: MIT */
/*
 * search.c - how often each search names the right commit, and at what
 * cost, on simulated noisy bisections (seeded: every run prints the same
 * table).
 *
 * A simulated range has N candidate commits on a line between a good and
 * a bad endpoint.  One boot of commit i gives a value around 100 (lower is
 * better) plus d noise standard deviations (sd 10, i.e. 10 %) from the
 * culprit on, plus noise; minEffect is 1 %.  Methods:
 *
 *   naive      one boot of each endpoint, a threshold half way between
 *              them, one boot per step, plain halving;
 *   classic    the endpoints measured interleaved until verdict_reproduce
 *              decides, looking after every pair of boots from
 *              SIM_END_MIN on, as the driver does; then git's choice
 *              (bisect_next on the line) with each commit decided by
 *              verdict_step, SIM_STEP_MIN to SIM_STEP_MAX boots, at
 *              alpha = beta = 0.01 shared by the steps (one more than
 *              bisect_estimate_steps), undecided commits skipped.  These
 *              are the driver's defaults (driver_settings_load, and the
 *              step share where it loads the graph): keep them equal;
 *   posterior  its own endpoint phase (SIM_POST_END_*: the same looks,
 *              fewer boots), then stats/posterior.c choosing and
 *              stopping, with a boot of the good endpoint after every
 *              SIM_DRIFT_EVERY commits as the driver does.
 *
 * Counted: boots (endpoints included; classic's confirmation of the
 * culprit is not, it does not change the answer) and builds (a build
 * whenever a commit other than the one built last is measured; the two
 * endpoints count as two).  "right" is the share of trials that named
 * the culprit (either culprit with two; "not reproduced" or "no single
 * culprit" on a null range), with Wilson's 95 % interval.
 *
 * usage: bench-search [-Pqv] [-c confidence] [-j jobs] [-o scenario]
 *	[-s seed] [-t trials] [-T trials-for-N=16384]
 * -P: the posterior only; -c: the posterior's confidence (0.99), to
 * compare it with classic at equal cost; -j: the trials of each row in
 * this many processes (default: one per CPU; the table does not
 * change); -v: a line for every trial it got wrong.
 */
#include <sys/wait.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bisect/graph.h"
#include "bisect/util.h"
#include "stats/posterior.h"
#include "stats/verdict.h"

#define SIM_MEAN	100.0
#define SIM_SD		10.0
/* driver_settings_load's stats.endpointBoots, endpointMaxBoots,
   minBoots and maxBoots */
#define SIM_END_MIN	50
#define SIM_END_MAX	50
#define SIM_STEP_MIN	2
#define SIM_STEP_MAX	100
/*
 * The posterior's endpoint phase, driver_settings_load's defaults for
 * bisect.search = posterior: it learns the endpoints' levels from every
 * commit, so it needs only the evidence that the change reproduces,
 * looked at after every pair of boots; alpha is lower to keep a false
 * "reproduced" under 1 % over those looks.
 */
#define SIM_POST_END_MIN 10
#define SIM_POST_END_MAX 100
#define SIM_POST_END_LONG 300	/* see verdict_endpoints() */
#define SIM_POST_END_ALPHA 0.001
/* driver_settings_load's stats.driftEvery: the good endpoint once more */
#define SIM_DRIFT_EVERY	4
#define SIM_POST_MAX_BOOTS 2000
#define SIM_POST_MAX_BUILDS 150

enum noise {
	NOISE_GAUSS,
	NOISE_OUTLIERS,		/* 5 % of boots 4 sd slower */
	NOISE_LAYOUT,		/* 30 % of boots land 1.5 sd slower */
	NOISE_DRIFT,		/* 0.3 sd slower per 100 boots */
};

struct scenario {
	const char	*name;
	uint32_t	 n;
	double		 d;
	enum noise	 noise;
	int		 null;
	int		 two;		/* two culprits, 60 % and 40 % */
	int		 big;		/* use the reduced trial count */
};

struct rng {
	uint64_t s[4];
};

struct truth {
	uint32_t c1, c2;	/* c2 == 0: one culprit */
	double	 d1, d2;	/* steps in sd */
};

struct sim {
	struct rng	 r;
	const struct scenario *sc;
	struct truth	 t;
	long		 clock;	/* boots so far, for drift */
	uint32_t	 built;	/* last commit built, UINT32_MAX: none */
	int		 boots;
	int		 builds;
};

enum outcome {
	OUT_FOUND,		/* claimed a culprit */
	OUT_NOT_REPRODUCED,
	OUT_NONE,		/* no single culprit */
	OUT_INCONCLUSIVE,	/* skipped commits or a cap */
};

struct result {
	enum outcome	 out;
	uint32_t	 culprit;
	int		 boots;
	int		 builds;
	int		 claimed;	/* posterior: stopped at confidence */
};

struct tally {
	int	 n;
	int	 right;
	int	 claimed;
	int	 claimed_right;
	int	*boots;
	double	 builds;
};

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s, res = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = s[3] << 45 | s[3] >> 19;
	return res;
}

static double
rng_unif(struct rng *r)
{
	return ((rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

static double
rng_gauss(struct rng *r)
{
	return sqrt(-2 * log(rng_unif(r))) * cos(2 * M_PI * rng_unif(r));
}

static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_unif(r) * n);
}

/* One boot of position i (0: good endpoint, n: bad endpoint). */
static double
sim_boot(struct sim *s, uint32_t i)
{
	const struct scenario *sc = s->sc;
	double v = SIM_MEAN, z;

	if (s->built != i) {
		s->built = i;
		if (i != 0 && i != sc->n)
			s->builds++;
	}
	s->boots++;
	if (s->t.c1 && i >= s->t.c1)
		v += s->t.d1 * SIM_SD;
	if (s->t.c2 && i >= s->t.c2)
		v += s->t.d2 * SIM_SD;
	switch (sc->noise) {
	case NOISE_GAUSS:
		z = rng_gauss(&s->r);
		break;
	case NOISE_OUTLIERS:
		z = rng_gauss(&s->r);
		if (rng_unif(&s->r) < 0.05)
			z += 4;
		break;
	case NOISE_LAYOUT:
		/* sd of the whole: sqrt(0.5275 + 0.3 * 0.7 * 1.5^2) = 1 */
		z = 0.7263 * rng_gauss(&s->r) +
		    (rng_unif(&s->r) < 0.3 ? 1.5 : 0);
		break;
	case NOISE_DRIFT:
	default:
		z = rng_gauss(&s->r) + 0.003 * (double)s->clock;
		break;
	}
	s->clock++;
	return v + z * SIM_SD;
}

#define SIM_ENDS (SIM_END_MAX > SIM_POST_END_LONG ? SIM_END_MAX : \
    SIM_POST_END_LONG)

struct ends {
	double	 good[SIM_ENDS];
	double	 bad[SIM_ENDS];
	double	 tgood[SIM_ENDS];	/* when each was measured */
	double	 tbad[SIM_ENDS];
	size_t	 n;
	enum reproduce_outcome outcome;
	long	 clock;
	struct rng r;
};

/* The endpoint phase, ABBA, looking at the verdict after every pair. */
static void
sim_endpoints(struct sim *s, const struct verdict_params *vp, size_t min,
    size_t max, size_t long_max, struct ends *e)
{
	struct reproduce_result rr;
	size_t k;

	e->n = 0;
	e->outcome = REPRO_UNDECIDED;
	for (k = 1; k <= long_max; k++) {
		if (k % 2) {
			e->tgood[e->n] = (double)s->clock;
			e->good[e->n] = sim_boot(s, 0);
			e->tbad[e->n] = (double)s->clock;
			e->bad[e->n] = sim_boot(s, s->sc->n);
		} else {
			e->tbad[e->n] = (double)s->clock;
			e->bad[e->n] = sim_boot(s, s->sc->n);
			e->tgood[e->n] = (double)s->clock;
			e->good[e->n] = sim_boot(s, 0);
		}
		e->n++;
		if (k < min)
			continue;
		verdict_endpoints(e->good, e->n, e->bad, e->n, vp, k, max,
		    long_max, &rr);
		if (rr.outcome != REPRO_UNDECIDED) {
			e->outcome = rr.outcome;
			break;
		}
	}
	if (e->outcome == REPRO_UNDECIDED)
		e->outcome = REPRO_NO;
	e->clock = s->clock;
	e->r = s->r;
}

static void
sim_truth(struct rng *r, const struct scenario *sc, struct truth *t)
{
	uint32_t a, b;

	memset(t, 0, sizeof(*t));
	if (sc->null)
		return;
	t->c1 = 1 + rng_below(r, sc->n);
	t->d1 = sc->d;
	if (!sc->two)
		return;
	do
		b = 1 + rng_below(r, sc->n);
	while (b == t->c1);
	a = t->c1 < b ? t->c1 : b;
	b = t->c1 < b ? b : t->c1;
	/* The larger share goes to either, at random. */
	if (rng_unif(r) < 0.5) {
		t->d1 = 0.6 * sc->d;
		t->d2 = 0.4 * sc->d;
	} else {
		t->d1 = 0.4 * sc->d;
		t->d2 = 0.6 * sc->d;
	}
	t->c1 = a;
	t->c2 = b;
}

static void
sim_start(struct sim *s, const struct scenario *sc, const struct truth *t,
    uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	rng_seed(&s->r, seed);
	s->sc = sc;
	s->t = *t;
	s->built = UINT32_MAX;
}

static void
naive(struct sim *s, struct result *res)
{
	double g, b, thr;
	uint32_t lo = 0, hi = s->sc->n, m;

	g = sim_boot(s, 0);
	b = sim_boot(s, s->sc->n);
	res->builds = 2;
	if (b <= g) {
		res->out = OUT_NOT_REPRODUCED;
		res->boots = s->boots;
		return;
	}
	thr = (g + b) / 2;
	while (hi - lo > 1) {
		m = lo + (hi - lo) / 2;
		if (sim_boot(s, m) > thr)
			hi = m;
		else
			lo = m;
	}
	res->out = OUT_FOUND;
	res->culprit = hi;
	res->boots = s->boots;
	res->builds += s->builds;
}

static void
classic(struct sim *s, const struct ends *e, const struct graph *g,
    const struct verdict_params *vp, struct result *res)
{
	struct bisect_result br;
	struct step_result sr;
	enum mark *marks;
	struct verdict_params svp = *vp;
	double x[SIM_STEP_MAX];
	uint32_t bad = g->n - 1, pos;
	size_t k;

	res->boots = s->boots;
	res->builds = 2;
	if (e->outcome != REPRO_YES) {
		res->out = OUT_NOT_REPRODUCED;
		return;
	}
	/* the driver's share of alpha and beta per step */
	svp.step_alpha = vp->alpha / (bisect_estimate_steps(g->n) + 1);
	svp.step_beta = vp->beta / (bisect_estimate_steps(g->n) + 1);
	marks = xcalloc(g->n, sizeof(*marks));
	for (;;) {
		memset(&br, 0, sizeof(br));
		if (bisect_next(g, marks, bad, 0, &br) < 0)
			fatal("bisect_next failed");
		if (br.kind != BISECT_NEXT)
			break;
		pos = br.commit + 1;
		memset(&sr, 0, sizeof(sr));
		for (k = 1; k <= ARRAY_SIZE(x); k++) {
			x[k - 1] = sim_boot(s, pos);
			if (k < SIM_STEP_MIN)
				continue;
			if (verdict_step(x, k, e->good, e->n, e->bad, e->n, &svp,
			    k == ARRAY_SIZE(x), &sr) < 0)
				fatal("verdict_step failed");
			if (sr.verdict != STEP_UNDECIDED)
				break;
		}
		marks[br.commit] = sr.verdict == STEP_GOOD ? MARK_GOOD :
		    sr.verdict == STEP_BAD ? MARK_BAD : MARK_SKIP;
		if (sr.verdict == STEP_BAD)
			bad = br.commit;
		bisect_result_release(&br);
	}
	free(marks);
	if (br.kind == BISECT_FOUND) {
		res->out = OUT_FOUND;
		res->culprit = br.commit + 1;
	} else
		res->out = OUT_INCONCLUSIVE;
	bisect_result_release(&br);
	res->boots = s->boots;
	res->builds = 2 + s->builds;
}

static void
posterior(struct sim *s, const struct ends *e,
    const struct posterior_params *pp, struct result *res)
{
	struct posterior p;
	enum posterior_stop st;
	uint32_t next, n = s->sc->n, prev = UINT32_MAX, built = UINT32_MAX;
	double ptop, t, v;
	int visits = 0, open = 0;

	res->boots = s->boots;
	res->builds = 2;
	if (e->outcome != REPRO_YES) {
		res->out = OUT_NOT_REPRODUCED;
		return;
	}
	posterior_init(&p, n, pp, BETTER_LOWER);
	posterior_add_many_t(&p, 0, e->good, e->tgood, e->n);
	posterior_add_many_t(&p, n, e->bad, e->tbad, e->n);
	for (;;) {
		st = posterior_stop(&p, s->boots, 2 + s->builds);
		if (st != POSTERIOR_GO_ON)
			break;
		next = posterior_next(&p);
		if (next == POSTERIOR_NO_NEXT)
			break;
		/* The good endpoint once more after every SIM_DRIFT_EVERY. */
		if (open && next != prev) {
			open = 0;
			if (++visits % SIM_DRIFT_EVERY == 0)
				next = 0;
		}
		if (next == 0) {
			prev = UINT32_MAX;
			t = (double)s->clock;
			v = sim_boot(s, 0);
			posterior_add_many_t(&p, 0, &v, &t, 1);
			continue;
		}
		if (next != prev) {
			if (built != UINT32_MAX && built != next)
				posterior_set_built(&p, built, 0);
			posterior_set_built(&p, next, 1);
			built = prev = next;
			open = 1;
		}
		t = (double)s->clock;
		v = sim_boot(s, next);
		posterior_add_many_t(&p, next, &v, &t, 1);
	}
	res->culprit = posterior_top(&p, &ptop);
	if (st == POSTERIOR_FOUND) {
		res->out = OUT_FOUND;
		res->claimed = 1;
	} else if (st == POSTERIOR_NONE)
		res->out = OUT_NONE;
	else {
		uint32_t ns;
		struct posterior_block set[2];

		posterior_set(&p, pp->cap_mass, set, 2, &ns);
		res->out = ns == 1 ? OUT_FOUND : OUT_INCONCLUSIVE;
	}
	res->boots = s->boots;
	res->builds = 2 + s->builds;
	posterior_release(&p);
}

static int
result_right(const struct scenario *sc, const struct truth *t,
    const struct result *r)
{
	if (sc->null)
		return r->out == OUT_NOT_REPRODUCED || r->out == OUT_NONE;
	return r->out == OUT_FOUND && (r->culprit == t->c1 ||
	    (t->c2 && r->culprit == t->c2));
}

static void
tally_add(struct tally *ty, const struct scenario *sc, const struct truth *t,
    const struct result *r)
{
	int right = result_right(sc, t, r);

	ty->boots[ty->n++] = r->boots;
	ty->right += right;
	ty->builds += r->builds;
	if (r->claimed) {
		ty->claimed++;
		ty->claimed_right += right;
	}
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

static void
wilson(int k, int n, double *lo, double *hi)
{
	double z = 1.959964, p = (double)k / n, den = 1 + z * z / n;
	double mid = (p + z * z / (2.0 * n)) / den;
	double w = z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / den;

	*lo = mid - w;
	*hi = mid + w;
}

static void
tally_print(const char *scen, const char *method, struct tally *ty)
{
	double lo, hi, sum = 0;
	int i;

	qsort(ty->boots, ty->n, sizeof(int), cmp_int);
	for (i = 0; i < ty->n; i++)
		sum += ty->boots[i];
	wilson(ty->right, ty->n, &lo, &hi);
	printf("%-22s %-9s %5d %6.1f%% [%5.1f, %5.1f] %7.1f %6d %6.1f",
	    scen, method, ty->n, 100.0 * ty->right / ty->n, 100 * lo,
	    100 * hi, sum / ty->n, ty->boots[(int)ceil(0.95 * ty->n) - 1],
	    ty->builds / ty->n);
	if (ty->claimed)
		printf("  %d/%d", ty->claimed_right, ty->claimed);
	printf("\n");
	fflush(stdout);
}

static const struct scenario scenarios[] = {
	{ "d=0.5 N=1024", 1024, 0.5, NOISE_GAUSS, 0, 0, 0 },
	{ "d=1 N=1024", 1024, 1, NOISE_GAUSS, 0, 0, 0 },
	{ "d=2 N=1024", 1024, 2, NOISE_GAUSS, 0, 0, 0 },
	{ "d=0.5 N=16384", 16384, 0.5, NOISE_GAUSS, 0, 0, 1 },
	{ "d=1 N=16384", 16384, 1, NOISE_GAUSS, 0, 0, 1 },
	{ "d=2 N=16384", 16384, 2, NOISE_GAUSS, 0, 0, 1 },
	{ "outliers d=1 N=1024", 1024, 1, NOISE_OUTLIERS, 0, 0, 0 },
	{ "boot-layout d=1 N=1024", 1024, 1, NOISE_LAYOUT, 0, 0, 0 },
	{ "drift d=1 N=1024", 1024, 1, NOISE_DRIFT, 0, 0, 0 },
	{ "null N=1024", 1024, 0, NOISE_GAUSS, 1, 0, 0 },
	{ "two 60/40 d=2 N=1024", 1024, 2, NOISE_GAUSS, 0, 1, 0 },
};

#define BENCH_MAX_JOBS	64

/* What every trial shares. */
struct bench {
	struct verdict_params vp, pvp;
	struct posterior_params pp;
	struct graph g;
	uint64_t seed;
	int post_only, verbose;
};

/* Trials from, from + step, ... below nt of scenario si into ty[3]. */
static void
run_trials(const struct bench *b, size_t si, int nt, int from, int step,
    struct tally *ty)
{
	const struct scenario *sc = &scenarios[si];
	struct truth t;
	struct sim s;
	struct ends e;
	struct result r;
	int k;

	for (k = from; k < nt; k += step) {
		uint64_t ts = b->seed * 1000003 + si * 100003 + k;
		struct rng tr;

		rng_seed(&tr, ts);
		sim_truth(&tr, sc, &t);
		memset(&r, 0, sizeof(r));
		sim_start(&s, sc, &t, ts ^ 0x6e61697665);
		naive(&s, &r);
		tally_add(&ty[0], sc, &t, &r);
		if (!b->post_only) {
			sim_start(&s, sc, &t, ts ^ 0x656e6473);
			sim_endpoints(&s, &b->vp, SIM_END_MIN, SIM_END_MAX,
			    SIM_END_MAX, &e);
			memset(&r, 0, sizeof(r));
			classic(&s, &e, &b->g, &b->vp, &r);
			tally_add(&ty[1], sc, &t, &r);
		}
		/* the posterior's own, shorter endpoint phase */
		sim_start(&s, sc, &t, ts ^ 0x706f7374);
		sim_endpoints(&s, &b->pvp, SIM_POST_END_MIN, SIM_POST_END_MAX,
		    SIM_POST_END_LONG, &e);
		memset(&r, 0, sizeof(r));
		posterior(&s, &e, &b->pp, &r);
		tally_add(&ty[2], sc, &t, &r);
		if (b->verbose && !result_right(sc, &t, &r))
			printf("# %s trial %d: culprit %u %u, out %d "
			    "named %u, %d boots, %d builds%s\n",
			    sc->name, k, t.c1, t.c2, r.out, r.culprit,
			    r.boots, r.builds, r.claimed ? ", claimed" : "");
	}
}

static int
xfer(int fd, void *buf, size_t n, int out)
{
	char *p = buf;
	ssize_t k;

	while (n > 0) {
		k = out ? write(fd, p, n) : read(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/*
 * The trials of scenario si in jobs processes (trial k in process
 * k % jobs: every trial has its own seed, so the table is the same
 * whatever jobs is).  Each process sends its tallies back on a pipe.
 */
static int
run_jobs(const struct bench *b, size_t si, int nt, int jobs,
    struct tally *ty)
{
	struct tally part[3];
	pid_t pid[BENCH_MAX_JOBS];
	int fd[BENCH_MAX_JOBS], pfd[2], j, m, st, rc = 0;

	fflush(stdout);
	for (j = 0; j < jobs; j++) {
		if (pipe(pfd) < 0 || (pid[j] = fork()) < 0) {
			perror("bench-search: fork");
			exit(1);
		}
		if (pid[j] == 0) {
			close(pfd[0]);
			memset(part, 0, sizeof(part));
			for (m = 0; m < 3; m++)
				part[m].boots = xcalloc(nt, sizeof(int));
			run_trials(b, si, nt, j, jobs, part);
			fflush(stdout);
			for (m = 0; m < 3; m++)
				if (xfer(pfd[1], &part[m], sizeof(part[m]), 1) ||
				    xfer(pfd[1], part[m].boots, part[m].n *
				    sizeof(int), 1))
					_exit(1);
			_exit(0);
		}
		close(pfd[1]);
		fd[j] = pfd[0];
	}
	for (j = 0; j < jobs; j++) {
		for (m = 0; m < 3 && rc == 0; m++) {
			if (xfer(fd[j], &part[m], sizeof(part[m]), 0) ||
			    part[m].n > nt - ty[m].n ||
			    xfer(fd[j], ty[m].boots + ty[m].n, part[m].n *
			    sizeof(int), 0)) {
				rc = -1;
				break;
			}
			ty[m].n += part[m].n;
			ty[m].right += part[m].right;
			ty[m].claimed += part[m].claimed;
			ty[m].claimed_right += part[m].claimed_right;
			ty[m].builds += part[m].builds;
		}
		close(fd[j]);
		if (waitpid(pid[j], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			rc = -1;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct bench b;
	struct tally ty[3];
	uint32_t gn, par;
	int trials = 1000, big_trials = 1000, m, ch, quiet = 0, jobs;
	int all_claimed = 0, all_claimed_right = 0;
	const char *only = NULL;
	double confidence = 0;
	static const char *const methods[] = { "naive", "classic",
	    "posterior" };
	size_t si;
	long ncpu;
	time_t t0 = time(NULL);

	memset(&b, 0, sizeof(b));
	b.seed = 1;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	jobs = ncpu < 1 ? 1 : ncpu > BENCH_MAX_JOBS ? BENCH_MAX_JOBS :
	    (int)ncpu;
	while ((ch = getopt(argc, argv, "c:j:Pqo:s:t:T:v")) != -1) {
		switch (ch) {
		case 'c':
			confidence = strtod(optarg, NULL);
			if (!(confidence >= 0.5 && confidence < 1)) {
				fprintf(stderr, "bench-search: -c: a "
				    "confidence from 0.5 to 1 (not 1)\n");
				return 2;
			}
			break;
		case 'j':
			jobs = (int)strtol(optarg, NULL, 10);
			if (jobs < 1 || jobs > BENCH_MAX_JOBS) {
				fprintf(stderr, "bench-search: -j: 1 to %d "
				    "processes\n", BENCH_MAX_JOBS);
				return 2;
			}
			break;
		case 'P':
			b.post_only = 1;
			break;
		case 'v':
			b.verbose = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'o':
			only = optarg;
			break;
		case 's':
			b.seed = strtoull(optarg, NULL, 10);
			break;
		case 't':
			trials = (int)strtol(optarg, NULL, 10);
			break;
		case 'T':
			big_trials = (int)strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: bench-search [-Pqv] [-c confidence] "
			    "[-j jobs] [-o scenario] [-s seed]\n"
			    "	[-t trials] [-T trials-for-N=16384]\n");
			return 2;
		}
	}
	if (trials < 1 || big_trials < 1) {
		fprintf(stderr, "bench-search: trials must be positive\n");
		return 2;
	}
	verdict_params_default(&b.vp);
	b.vp.min_effect = 0.01;
	posterior_params_default(&b.pp);
	b.pvp = b.vp;
	b.pvp.alpha = SIM_POST_END_ALPHA;
	b.pp.max_boots = SIM_POST_MAX_BOOTS;
	b.pp.max_builds = SIM_POST_MAX_BUILDS;
	if (confidence > 0)
		b.pp.confidence = confidence;
	graph_init(&b.g);
	if (!quiet) {
		printf("# search benchmark: boot values 100 + d * 10 from the "
		    "culprit on, noise sd 10 (10 %%), minEffect 1 %%,\n"
		    "# endpoints %d to %d boots each (posterior %d to %d, "
		    "alpha %g), classic steps %d to %d;\n# "
		    "%d trials per row, %d for N=16384; seed %llu\n",
		    SIM_END_MIN, SIM_END_MAX, SIM_POST_END_MIN,
		    SIM_POST_END_MAX, SIM_POST_END_ALPHA, SIM_STEP_MIN,
		    SIM_STEP_MAX,
		    trials, big_trials,
		    (unsigned long long)b.seed);
		printf("# right: exact culprit (null: not reproduced); "
		    "claimed: posterior runs that stopped at 0.99, right/all\n");
		printf("%-22s %-9s %5s %7s %14s %7s %6s %6s  %s\n", "scenario",
		    "method", "runs", "right", "95% interval", "boots", "p95",
		    "builds", "claimed");
	}
	for (si = 0; si < ARRAY_SIZE(scenarios); si++) {
		const struct scenario *sc = &scenarios[si];
		int nt = sc->big ? big_trials : trials;

		if (only && strstr(sc->name, only) == NULL)
			continue;
		if (b.g.n != sc->n) {
			graph_release(&b.g);
			graph_init(&b.g);
			for (gn = 0; gn < sc->n; gn++) {
				par = gn ? gn - 1 : GRAPH_NONE;
				graph_add(&b.g, &par, 1);
			}
		}
		memset(ty, 0, sizeof(ty));
		for (m = 0; m < 3; m++)
			ty[m].boots = xcalloc(nt, sizeof(int));
		if (jobs > 1) {
			if (run_jobs(&b, si, nt, jobs, ty) < 0) {
				fprintf(stderr, "bench-search: a job failed\n");
				return 1;
			}
		} else
			run_trials(&b, si, nt, 0, 1, ty);
		for (m = b.post_only ? 2 : 0; m < 3; m++) {
			tally_print(sc->name, methods[m], &ty[m]);
			free(ty[m].boots);
		}
		all_claimed += ty[2].claimed;
		all_claimed_right += ty[2].claimed_right;
	}
	if (all_claimed) {
		double lo, hi;

		wilson(all_claimed_right, all_claimed, &lo, &hi);
		printf("calibration: posterior claimed >= %g in %d runs, "
		    "right in %d (%.1f%% [%.1f, %.1f])\n", b.pp.confidence,
		    all_claimed, all_claimed_right,
		    100.0 * all_claimed_right / all_claimed, 100 * lo,
		    100 * hi);
	}
	if (!quiet)
		printf("# %ld s\n", (long)(time(NULL) - t0));
	graph_release(&b.g);
	return 0;
}
