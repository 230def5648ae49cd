/* SPDX-License-Identifier: MIT */
/*
 * test_posterior.c - the posterior search core: updates against values
 * worked out by hand, the stop rule, the choice, and calibration on small
 * seeded simulations (the claimed confidence must hold).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "stats/posterior.h"

/* Deterministic "noise": a fixed table of standard normal quantiles. */
static const double z8[] = { -1.15, -0.67, -0.32, 0, 0.32, 0.67, 1.15, 0 };

static void
feed(struct posterior *p, uint32_t pos, double mean, double sd, int k)
{
	int i;

	for (i = 0; i < k; i++)
		assert_int_equal(posterior_add(p, pos, mean + sd * z8[i % 8]),
		    0);
}

static void
setup(struct posterior *p, uint32_t n, int endboots)
{
	struct posterior_params pp;

	posterior_params_default(&pp);
	/* feed()'s values rise with time inside a commit: no drift here */
	pp.drift = 0;
	posterior_init(p, n, &pp, BETTER_LOWER);
	feed(p, 0, 100, 1, endboots);
	feed(p, n, 110, 1, endboots);
}

static void
test_flat_before_data(void **state)
{
	struct posterior p;
	struct posterior_params pp;
	uint32_t c;

	(void)state;
	posterior_params_default(&pp);
	posterior_init(&p, 10, &pp, BETTER_LOWER);
	for (c = 1; c <= 10; c++)
		assert_float_equal(posterior_prob(&p, c),
		    (1 - pp.none_prior) / 10, 1e-12);
	assert_float_equal(posterior_cdf(&p, 5), 0.5, 1e-12);
	/* endpoints alone tell nothing about the commits between */
	feed(&p, 0, 100, 1, 8);
	feed(&p, 10, 110, 1, 8);
	for (c = 1; c <= 10; c++)
		assert_float_equal(posterior_prob(&p, c),
		    (1 - p.p_none) / 10, 1e-9);
	assert_float_equal(p.mu_good, 100, 1e-9);
	assert_float_equal(p.mu_bad, 110, 1e-9);
	assert_int_equal(p.heavy, 0);
	/* the median of a flat posterior over 10 states */
	c = posterior_next(&p);
	assert_true(c == 5 || c == 4);
	posterior_release(&p);
}

/* Table: one commit measured, where does the mass go. */
static void
test_one_commit(void **state)
{
	static const struct {
		double	 value;		/* of position 4's boots */
		double	 cdf_lo;	/* bounds of P(c <= 4) */
		double	 cdf_hi;
	} t[] = {
		{ 100, 0, 0.01 },	/* good: the culprit is after 4 */
		{ 110, 0.99, 1 },	/* bad: at or before 4 */
		{ 105, 0.1, 0.9 },	/* in between: undecided */
	};
	struct posterior p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		setup(&p, 8, 8);
		feed(&p, 4, t[i].value, 1, 8);
		assert_in_range(posterior_cdf(&p, 4) * 1e6, t[i].cdf_lo * 1e6,
		    t[i].cdf_hi * 1e6);
		/* states within a block share one probability */
		assert_float_equal(posterior_prob(&p, 1), posterior_prob(&p, 4),
		    1e-12);
		assert_float_equal(posterior_prob(&p, 5), posterior_prob(&p, 8),
		    1e-12);
		posterior_release(&p);
	}
}

static void
test_found_and_stop_rule(void **state)
{
	struct posterior p;
	struct posterior_cand top[3];
	double pt;
	size_t n;

	(void)state;
	setup(&p, 16, 8);
	feed(&p, 8, 110, 1, 3);
	feed(&p, 4, 100, 1, 3);
	feed(&p, 6, 100, 1, 3);
	feed(&p, 7, 110, 1, 2);
	assert_int_equal(posterior_top(&p, &pt), 7);
	/* two boots on the culprit: not yet, min_boots is 3 */
	assert_int_equal(posterior_stop(&p, 30, 6), POSTERIOR_GO_ON);
	feed(&p, 7, 110, 1, 1);
	assert_true(pt > 0.99);
	/*
	 * Three boots each, but the parent's were all measured before the
	 * culprit's: it is measured again, side by side.
	 */
	assert_int_equal(posterior_stop(&p, 31, 6), POSTERIOR_GO_ON);
	assert_int_equal(posterior_next(&p), 6);
	feed(&p, 6, 100, 1, 3);
	assert_int_equal(posterior_stop(&p, 34, 7), POSTERIOR_FOUND);
	n = posterior_top_k(&p, top, 3);
	assert_int_equal(n, 3);
	assert_int_equal(top[0].pos, 7);
	assert_true(top[0].p >= top[1].p && top[1].p >= top[2].p);
	posterior_release(&p);
}

/* The first commit is the culprit: the good endpoint is booted again. */
static void
test_endpoint_again(void **state)
{
	struct posterior p;
	double pt;

	(void)state;
	setup(&p, 16, 8);
	feed(&p, 2, 110, 1, 3);
	feed(&p, 1, 110, 1, 4);
	assert_int_equal(posterior_top(&p, &pt), 1);
	assert_true(pt > 0.99);
	assert_int_equal(posterior_stop(&p, 23, 4), POSTERIOR_GO_ON);
	assert_int_equal(posterior_next(&p), 0);
	feed(&p, 0, 100, 1, 3);
	assert_int_equal(posterior_stop(&p, 26, 4), POSTERIOR_FOUND);
	posterior_release(&p);
}

/*
 * A commit that has caught up with the endpoints' boots and still looks
 * in between: the endpoints are measured again, the one with fewer boots
 * first, until both have half as many again as the commit.
 */
static void
test_endpoints_limit(void **state)
{
	static const double mid[] = { 98.15, 106.15, 102.15 };
	struct posterior_params pp;
	struct posterior p;
	uint32_t next, e[2] = { 0, 0 };
	int i;

	(void)state;
	posterior_params_default(&pp);
	pp.drift = 0;
	posterior_init(&p, 64, &pp, BETTER_LOWER);
	feed(&p, 0, 100, 4, 3);
	feed(&p, 64, 110, 4, 3);
	/* Half way between the endpoints' means (97.15 and 107.15). */
	for (i = 0; i < 3; i++)
		assert_int_equal(posterior_add(&p, 32, mid[i]), 0);
	posterior_set_built(&p, 32, 1);
	assert_in_range(100 * posterior_cdf(&p, 32), 45, 55);
	for (i = 0; i < 4; i++) {
		next = posterior_next(&p);
		assert_true(next == 0 || next == 64);
		assert_true(next == (p.c[0].n <= p.c[64].n ? 0u : 64u));
		assert_int_equal(posterior_add(&p, next, next ? 107 : 97), 0);
		e[next != 0]++;
	}
	assert_int_equal(e[0], 2);
	assert_int_equal(e[1], 2);
	/* 5 boots each, 3 on the commit: the search goes on. */
	next = posterior_next(&p);
	assert_true(next > 0 && next < 64);
	posterior_release(&p);
}

static void
test_caps_and_set(void **state)
{
	struct posterior p;
	struct posterior_block set[4];
	uint32_t ns;
	size_t n;

	(void)state;
	setup(&p, 100, 8);
	p.par.max_boots = 20;
	assert_int_equal(posterior_stop(&p, 19, 2), POSTERIOR_GO_ON);
	assert_int_equal(posterior_stop(&p, 20, 2), POSTERIOR_CAPPED);
	/* flat: 95 % of the mass needs 95 of the 100 states */
	n = posterior_set(&p, 0.95, set, 4, &ns);
	assert_int_equal(n, 1);
	assert_in_range(ns, 95, 96);
	feed(&p, 50, 110, 1, 8);
	feed(&p, 49, 100, 1, 8);
	n = posterior_set(&p, 0.95, set, 4, &ns);
	assert_int_equal(ns, 1);
	assert_int_equal(set[0].lo, 50);
	posterior_release(&p);
}

static void
test_untestable_avoided(void **state)
{
	struct posterior p;
	uint32_t first, again;

	(void)state;
	setup(&p, 64, 8);
	first = posterior_next(&p);
	posterior_fail(&p, first);
	again = posterior_next(&p);
	assert_int_not_equal(first, again);
	/* not the neighbours either, when others are as good */
	assert_true(again + 1 != first && again != first + 1);
	posterior_release(&p);
}

static void
test_built_is_cheaper(void **state)
{
	struct posterior_params pp;
	struct posterior p;
	uint32_t c;

	(void)state;
	posterior_params_default(&pp);
	posterior_init(&p, 64, &pp, BETTER_LOWER);
	feed(&p, 0, 100, 10, 8);
	feed(&p, 64, 110, 10, 8);
	/* 30 is off the median but built: measure it again */
	feed(&p, 30, 105, 1, 1);
	posterior_set_built(&p, 30, 1);
	p.par.cost_build = 20;
	posterior_add_many(&p, 0, NULL, 0);
	c = posterior_next(&p);
	assert_int_equal(c, 30);
	posterior_release(&p);
}

static void
test_heavy_tails_detected(void **state)
{
	struct posterior p;

	(void)state;
	setup(&p, 8, 12);
	assert_int_equal(p.heavy, 0);
	/* one boot 30 sd off */
	assert_int_equal(posterior_add(&p, 0, 130), 0);
	assert_int_equal(p.heavy, 1);
	assert_int_equal(posterior_add(&p, 9, 1), -1);
	assert_int_equal(posterior_add(&p, 2, NAN), -1);
	posterior_release(&p);
}

static void
test_range_effect(void **state)
{
	struct posterior p;
	struct verdict_params vp;
	struct reproduce_result rr;

	(void)state;
	verdict_params_default(&vp);
	setup(&p, 16, 10);
	feed(&p, 5, 100, 1, 10);
	feed(&p, 9, 100, 1, 1);
	/* 0..5 holds nothing, 5..16 the whole change */
	assert_int_equal(posterior_range_effect(&p, 0, 5, &vp, &rr), 0);
	assert_int_equal(rr.outcome, REPRO_NO);
	assert_int_equal(posterior_range_effect(&p, 5, 16, &vp, &rr), 0);
	assert_int_equal(rr.outcome, REPRO_YES);
	/* one boot at 9: more are needed */
	assert_int_equal(posterior_range_effect(&p, 9, 16, &vp, &rr), 0);
	assert_int_equal(rr.outcome, REPRO_UNDECIDED);
	assert_int_equal(posterior_range_effect(&p, 9, 5, &vp, &rr), -1);
	posterior_release(&p);
}

/* xorshift and Box-Muller: a seeded simulation. */
static double
gauss(uint64_t *s)
{
	double u, v;

	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	u = ((*s >> 11) + 0.5) / 9007199254740992.0;
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	v = ((*s >> 11) + 0.5) / 9007199254740992.0;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/*
 * 200 searches at d = 1 over 128 commits: the claims of 0.99 must be
 * right; with 200 claims at a true rate of 0.99 more than 6 wrong would
 * happen with probability below 0.5 %.
 */
static void
test_calibration(void **state)
{
	struct posterior_params pp;
	struct posterior p;
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	uint32_t n = 128, c, next, prev;
	int t, b, claims = 0, wrong = 0;
	double pt;

	(void)state;
	posterior_params_default(&pp);
	pp.max_boots = 600;
	for (t = 0; t < 200; t++) {
		c = 1 + (uint32_t)((gauss(&s) + 10) * 1e6) % n;
		posterior_init(&p, n, &pp, BETTER_LOWER);
		for (b = 0; b < 15; b++) {
			posterior_add(&p, 0, 100 + 10 * gauss(&s));
			posterior_add(&p, n, 110 + 10 * gauss(&s));
		}
		prev = 0;
		while (posterior_stop(&p, b, 0) == POSTERIOR_GO_ON) {
			next = posterior_next(&p);
			posterior_set_built(&p, prev, 0);
			posterior_set_built(&p, next, 1);
			prev = next;
			posterior_add(&p, next, (next >= c ? 110 : 100) +
			    10 * gauss(&s));
			b++;
		}
		if (posterior_stop(&p, b, 0) == POSTERIOR_FOUND) {
			claims++;
			wrong += posterior_top(&p, &pt) != c;
		}
		posterior_release(&p);
	}
	printf("# calibration: %d claims, %d wrong\n", claims, wrong);
	assert_true(claims >= 180);
	assert_true(wrong <= 6);
}

/*
 * A machine that gets slower by 0.5 % of the value per boot (10 % over
 * the endpoints alone): the slope is found, and the search still names
 * the culprit, which it does not without the correction.
 */
static int
drift_search(int drift, double *slope)
{
	struct posterior_params pp;
	struct posterior p;
	uint64_t s = 0x2545f4914f6cdd1dULL;
	uint32_t n = 64, c = 40, next, prev = 0, top;
	double t = 0, v;
	int b;

	posterior_params_default(&pp);
	pp.drift = drift;
	pp.max_boots = 400;
	posterior_init(&p, n, &pp, BETTER_LOWER);
	for (b = 0; b < 20; b++) {
		v = 100 + 0.5 * t + gauss(&s);
		assert_int_equal(posterior_add_many_t(&p, 0, &v, &t, 1), 0);
		t++;
		v = 110 + 0.5 * t + gauss(&s);
		assert_int_equal(posterior_add_many_t(&p, n, &v, &t, 1), 0);
		t++;
	}
	while (posterior_stop(&p, (int)t, 0) == POSTERIOR_GO_ON) {
		next = posterior_next(&p);
		posterior_set_built(&p, prev, 0);
		posterior_set_built(&p, next, 1);
		prev = next;
		v = (next >= c ? 110 : 100) + 0.5 * t + gauss(&s);
		posterior_add_many_t(&p, next, &v, &t, 1);
		t++;
	}
	*slope = p.drift;
	top = posterior_top(&p, NULL);
	b = posterior_stop(&p, (int)t, 0) == POSTERIOR_FOUND && top == c;
	posterior_release(&p);
	return b;
}

static void
test_drift(void **state)
{
	double slope;

	(void)state;
	assert_true(drift_search(1, &slope));
	assert_float_equal(slope, 0.5, 0.05);
	assert_false(drift_search(0, &slope));
	assert_float_equal(slope, 0, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_before_data),
		cmocka_unit_test(test_one_commit),
		cmocka_unit_test(test_found_and_stop_rule),
		cmocka_unit_test(test_endpoint_again),
		cmocka_unit_test(test_endpoints_limit),
		cmocka_unit_test(test_caps_and_set),
		cmocka_unit_test(test_untestable_avoided),
		cmocka_unit_test(test_built_is_cheaper),
		cmocka_unit_test(test_heavy_tails_detected),
		cmocka_unit_test(test_range_effect),
		cmocka_unit_test(test_calibration),
		cmocka_unit_test(test_drift),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
