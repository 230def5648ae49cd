/* SPDX-License-Identifier: MIT */
/*
 * test_stats.c - stats/ against reference values computed with R.
 *
 * The tables in tests/ref/stats-ref.h come from tests/ref/stats-ref.R,
 * which says exactly which R call produced each number.  Where the
 * methods are the same the tolerance is 1e-9 relative; R's approximate
 * Hodges-Lehmann interval comes from uniroot(tol = 1e-4), so those
 * bounds are compared to 2e-4.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "stats/stats.h"

struct ref_two {
	const char	*name;
	const double	*x;
	size_t		 nx;
	const double	*y;
	size_t		 ny;
	enum alternative alt;
	double		 t, df, p;	/* t.test(x, y, alternative) */
	double		 lo90, hi90;	/* t.test(x, y, conf.level = 0.9) */
	double		 w, pw;		/* wilcox.test(x, y, alternative) */
};

struct ref_hl {
	const char	*name;
	const double	*x;
	size_t		 nx;
	const double	*y;
	size_t		 ny;
	double		 level;
	int		 exact;
	double		 est, lo, hi;
};

struct ref_paired {
	const char	*name;
	const double	*x;
	const double	*y;
	size_t		 n;
	enum alternative alt;
	double		 v, p;
};

struct ref_holm {
	size_t		 n;
	double		 p[8];
	double		 adj[8];
};

#include "tests/ref/stats-ref.h"

static void
check_close(const char *name, const char *what, double got, double want,
    double rtol, double atol)
{
	double tol = atol + rtol * fabs(want);

	if (isnan(want) && isnan(got))
		return;
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: %s is %.17g, want %.17g (tolerance %g)", name,
		    what, got, want, tol);
}

static void
test_welch_ref(void **state)
{
	const struct ref_two *r;
	struct test_result res;
	double lo, hi;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ref_two) / sizeof(ref_two[0]); i++) {
		r = &ref_two[i];
		assert_int_equal(stats_welch(r->x, r->nx, r->y, r->ny, r->alt,
		    &res), 0);
		check_close(r->name, "t", res.statistic, r->t, 1e-9, 0);
		check_close(r->name, "df", res.df, r->df, 1e-9, 0);
		check_close(r->name, "p", res.p, r->p, 1e-9, 1e-300);
		assert_int_equal(stats_welch_interval(r->x, r->nx, r->y, r->ny,
		    0.9, &lo, &hi), 0);
		check_close(r->name, "lo", lo, r->lo90, 1e-9, 1e-12);
		check_close(r->name, "hi", hi, r->hi90, 1e-9, 1e-12);
	}
}

static void
test_mann_whitney_ref(void **state)
{
	const struct ref_two *r;
	struct test_result res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ref_two) / sizeof(ref_two[0]); i++) {
		r = &ref_two[i];
		assert_int_equal(stats_mann_whitney(r->x, r->nx, r->y, r->ny,
		    r->alt, &res), 0);
		check_close(r->name, "W", res.statistic, r->w, 0, 1e-9);
		check_close(r->name, "p", res.p, r->pw, 1e-9, 1e-300);
	}
}

static void
test_wilcoxon_ref(void **state)
{
	const struct ref_paired *r;
	struct test_result res;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ref_paired) / sizeof(ref_paired[0]); i++) {
		r = &ref_paired[i];
		assert_int_equal(stats_wilcoxon(r->x, r->y, r->n, r->alt,
		    &res), 0);
		check_close(r->name, "V", res.statistic, r->v, 0, 1e-9);
		check_close(r->name, "p", res.p, r->p, 1e-9, 1e-300);
	}
}

static void
test_hodges_lehmann_ref(void **state)
{
	const struct ref_hl *r;
	double est, lo, hi, tol;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ref_hl) / sizeof(ref_hl[0]); i++) {
		r = &ref_hl[i];
		assert_int_equal(stats_hodges_lehmann(r->x, r->nx, r->y, r->ny,
		    r->level, &est, &lo, &hi), 0);
		tol = r->exact ? 1e-12 : 2e-4;
		/*
		 * Approximate case: R's estimate is any root of a step
		 * function, which is flat between the two middle differences
		 * when there is an even number of them; ours is their mean.
		 */
		if (r->exact || (r->nx * r->ny) % 2)
			check_close(r->name, "estimate", est, r->est, 0, tol);
		check_close(r->name, "lo", lo, r->lo, 0, tol);
		check_close(r->name, "hi", hi, r->hi, 0, tol);
	}
}

static void
test_holm_ref(void **state)
{
	double p[8];
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(ref_holm) / sizeof(ref_holm[0]); i++) {
		for (j = 0; j < ref_holm[i].n; j++)
			p[j] = ref_holm[i].p[j];
		stats_holm(p, ref_holm[i].n);
		for (j = 0; j < ref_holm[i].n; j++)
			check_close("holm", "p", p[j], ref_holm[i].adj[j],
			    1e-12, 0);
	}
	stats_holm(p, 0);
}

static void
test_summary(void **state)
{
	/* Mean 4, sd sqrt(22 / 5), median 3.5, MAD 1.4826 * 1.5. */
	static const double v[] = { 6, 2, 3, 4, 7, 2 };
	static const double one[] = { 5 };
	const double bad[] = { 1, NAN, 2 };
	struct summary s;

	(void)state;
	assert_int_equal(stats_summary(v, 6, &s), 0);
	assert_int_equal(s.n, 6);
	check_close("summary", "mean", s.mean, 4, 1e-15, 0);
	check_close("summary", "sd", s.sd, sqrt(22.0 / 5), 1e-15, 0);
	check_close("summary", "median", s.median, 3.5, 0, 0);
	check_close("summary", "mad", s.mad, 1.4826 * 1.5, 1e-15, 0);
	check_close("summary", "min", s.min, 2, 0, 0);
	check_close("summary", "max", s.max, 7, 0, 0);
	check_close("summary", "cv", s.cv, sqrt(22.0 / 5) / 4, 1e-15, 0);
	assert_int_equal(stats_summary(one, 1, &s), 0);
	check_close("summary one", "sd", s.sd, 0, 0, 0);
	check_close("summary one", "mad", s.mad, 0, 0, 0);
	assert_int_equal(stats_summary(v, 0, &s), -1);
	assert_int_equal(stats_summary(bad, 3, &s), -1);
}

static void
test_degenerate(void **state)
{
	static const double c1[] = { 7, 7, 7, 7 };
	static const double c2[] = { 9, 9, 9 };
	static const double one[] = { 1 };
	const double nan2[] = { 1, NAN };
	struct test_result r;
	double est, lo, hi;

	(void)state;
	/* Too few values or non-finite ones: no answer. */
	assert_int_equal(stats_welch(one, 1, c1, 4, ALT_TWO_SIDED, &r), -1);
	assert_int_equal(stats_welch(nan2, 2, c1, 4, ALT_TWO_SIDED, &r), -1);
	assert_int_equal(stats_mann_whitney(c1, 0, c1, 4, ALT_LESS, &r), -1);
	assert_int_equal(stats_mann_whitney(nan2, 2, c1, 4, ALT_LESS, &r), -1);
	assert_int_equal(stats_wilcoxon(nan2, c1, 2, ALT_LESS, &r), -1);
	assert_int_equal(stats_hodges_lehmann(c1, 4, c2, 0, 0.95, &est, &lo,
	    &hi), -1);
	assert_int_equal(stats_hodges_lehmann(c1, 4, c2, 3, 1.5, &est, &lo,
	    &hi), -1);

	/* Deterministic values: equal constants say nothing... */
	assert_int_equal(stats_welch(c1, 4, c1, 3, ALT_TWO_SIDED, &r), 0);
	check_close("const equal", "p", r.p, 1, 0, 0);
	assert_int_equal(stats_welch(c1, 4, c1, 3, ALT_GREATER, &r), 0);
	check_close("const equal", "p", r.p, 0.5, 0, 0);
	/* ...different ones are decisive, in the right direction only. */
	assert_int_equal(stats_welch(c1, 4, c2, 3, ALT_LESS, &r), 0);
	check_close("const less", "p", r.p, 0, 0, 0);
	assert_true(isinf(r.statistic) && r.statistic < 0);
	assert_int_equal(stats_welch(c1, 4, c2, 3, ALT_GREATER, &r), 0);
	check_close("const greater", "p", r.p, 1, 0, 0);
	assert_int_equal(stats_welch(c1, 4, c2, 3, ALT_TWO_SIDED, &r), 0);
	check_close("const two-sided", "p", r.p, 0, 0, 0);
	assert_int_equal(stats_welch_interval(c2, 3, c1, 4, 0.95, &lo, &hi),
	    0);
	check_close("const interval", "lo", lo, 2, 0, 0);
	check_close("const interval", "hi", hi, 2, 0, 0);

	/* Every value tied: p = 1 where R has NaN. */
	assert_int_equal(stats_mann_whitney(c1, 4, c1, 3, ALT_TWO_SIDED, &r),
	    0);
	check_close("all tied", "W", r.statistic, 6, 0, 0);
	check_close("all tied", "p", r.p, 1, 0, 0);
	/* Two constants: ties within, but a clear separation. */
	assert_int_equal(stats_mann_whitney(c1, 4, c2, 3, ALT_LESS, &r), 0);
	check_close("two constants", "W", r.statistic, 0, 0, 0);
	assert_true(r.p < 0.05);
	/* Identical pairs: every difference is a zero. */
	assert_int_equal(stats_wilcoxon(c1, c1, 4, ALT_TWO_SIDED, &r), 0);
	check_close("identical pairs", "p", r.p, 1, 0, 0);

	assert_int_equal(stats_hodges_lehmann(c2, 3, c1, 4, 0.95, &est, &lo,
	    &hi), 0);
	check_close("const shift", "est", est, 2, 0, 0);
	check_close("const shift", "lo", lo, 2, 0, 0);
	check_close("const shift", "hi", hi, 2, 0, 0);
	assert_int_equal(stats_hodges_lehmann(c1, 4, c1, 4, 0.95, &est, &lo,
	    &hi), 0);
	check_close("no shift", "est", est, 0, 0, 0);
}

static void
test_bootstrap(void **state)
{
	static const double a[] = { 100, 102, 98, 101, 99, 100.5, 99.5, 101.5 };
	static const double b[] = { 110, 111, 109, 112, 108, 110.5, 109.5,
	    110.2 };
	static const size_t gb[] = { 0, 0, 1, 1, 2, 2, 3, 3 };
	static const double z[] = { 0, 0, 0 };
	static const double c[] = { 5, 5, 5 };
	double r1, lo1, hi1, r2, lo2, hi2;

	(void)state;
	assert_int_equal(stats_bootstrap_ratio(a, NULL, 8, b, NULL, 8, 0.95,
	    2000, 42, &r1, &lo1, &hi1), 0);
	check_close("bootstrap", "ratio", r1, 880.2 / 801.5, 1e-12, 0);
	assert_true(lo1 < r1 && r1 < hi1);
	assert_true(lo1 > 1.08 && hi1 < 1.12);
	/* Same seed, same interval, bit for bit. */
	assert_int_equal(stats_bootstrap_ratio(a, NULL, 8, b, NULL, 8, 0.95,
	    2000, 42, &r2, &lo2, &hi2), 0);
	assert_true(lo1 == lo2 && hi1 == hi2 && r1 == r2);
	/* Another seed moves it a little. */
	assert_int_equal(stats_bootstrap_ratio(a, NULL, 8, b, NULL, 8, 0.95,
	    2000, 43, &r2, &lo2, &hi2), 0);
	assert_true(lo1 != lo2 || hi1 != hi2);
	assert_true(fabs(lo1 - lo2) < 0.005 && fabs(hi1 - hi2) < 0.005);
	/* Grouped values (runs of four boots). */
	assert_int_equal(stats_bootstrap_ratio(a, NULL, 8, b, gb, 8, 0.9,
	    1000, 7, &r2, &lo2, &hi2), 0);
	assert_true(lo2 <= r2 && r2 <= hi2);
	/* Constants: a point. */
	assert_int_equal(stats_bootstrap_ratio(c, NULL, 3, a, NULL, 1, 0.95,
	    100, 1, &r2, &lo2, &hi2), 0);
	check_close("bootstrap const", "lo", lo2, 20, 1e-15, 0);
	check_close("bootstrap const", "hi", hi2, 20, 1e-15, 0);
	/* No answer: zero denominator, too few resamples, bad level. */
	assert_int_equal(stats_bootstrap_ratio(z, NULL, 3, a, NULL, 8, 0.95,
	    100, 1, &r2, &lo2, &hi2), -1);
	assert_int_equal(stats_bootstrap_ratio(a, NULL, 8, b, NULL, 8, 0.95,
	    1, 1, &r2, &lo2, &hi2), -1);
	assert_int_equal(stats_bootstrap_ratio(a, NULL, 8, b, NULL, 8, 1,
	    100, 1, &r2, &lo2, &hi2), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_welch_ref),
		cmocka_unit_test(test_mann_whitney_ref),
		cmocka_unit_test(test_wilcoxon_ref),
		cmocka_unit_test(test_hodges_lehmann_ref),
		cmocka_unit_test(test_holm_ref),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_bootstrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
