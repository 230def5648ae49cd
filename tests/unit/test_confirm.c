/* SPDX-License-Identifier: MIT */
/*
 * test_confirm.c - confirming a culprit against its parent, and whether
 * undecided endpoints deserve more boots.  The paired
 * p-value against R 4.2:
 *   p <- c(1,2,3,4,5,6); c <- p + c(0.5,0.7,0.2,0.9,0.4,0.6)
 *   wilcox.test(c, p, paired = TRUE, alternative = "greater")$p.value
 *     0.015625
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stats/verdict.h"

static const double parent[] = { 1, 2, 3, 4, 5, 6 };
static const double culprit[] = { 1.5, 2.7, 3.2, 4.9, 5.4, 6.6 };

static void
test_confirm_paired(void **state)
{
	struct verdict_params p;
	struct confirm_result cr;
	static const double good[] = { 1, 1.1, 0.9 };
	static const double bad[] = { 1.55, 1.45, 1.5 };

	(void)state;
	verdict_params_default(&p);
	p.better = BETTER_LOWER;
	assert_int_equal(verdict_confirm(parent, 6, culprit, 6, good, 3, bad,
	    3, &p, &cr), 0);
	assert_float_equal(cr.p_paired, 0.015625, 1e-12);
	/* 0.55 of a 0.5 change: all of it, no warning */
	assert_true(cr.share > 1);
	assert_null(strstr(cr.reason, "other commits contribute"));
}

static void
test_confirm_unpaired(void **state)
{
	struct verdict_params p;
	struct confirm_result cr;
	static const double good[] = { 1, 1.1, 0.9 };
	static const double bad[] = { 1.55, 1.45, 1.5 };

	(void)state;
	verdict_params_default(&p);
	assert_int_equal(verdict_confirm(parent, 5, culprit, 6, good, 3, bad,
	    3, &p, &cr), 0);
	assert_true(isnan(cr.p_paired));
}

static void
test_confirm_share(void **state)
{
	struct verdict_params p;
	struct confirm_result cr;
	static const double a[] = { 100, 101, 99, 100, 101, 99, 100, 100 };
	static const double b[] = { 103, 104, 102, 103, 104, 102, 103, 103 };
	static const double good[] = { 100, 101, 99, 100 };
	static const double bad[] = { 110, 111, 109, 110 };

	(void)state;
	verdict_params_default(&p);
	p.better = BETTER_LOWER;
	/* A confirmed 3 % of a 10 % regression: other commits contribute. */
	assert_int_equal(verdict_confirm(a, 8, b, 8, good, 4, bad, 4, &p,
	    &cr), 0);
	assert_true(cr.confirmed);
	assert_float_equal(cr.share, 0.3, 1e-12);
	assert_non_null(strstr(cr.reason, "other commits contribute"));
}

/*
 * Endpoints of four boots each: they can never pass Mann-Whitney at
 * alpha 0.001 (its smallest p is 1/70).
 */
static const double end_good[] = { 100, 102, 98, 101 };
static const double end_bad[] = { 110, 108, 111, 109 };
static const double end_same[] = { 101, 99, 100, 102 };

static void
end_params(struct verdict_params *p)
{
	verdict_params_default(p);
	p->alpha = 0.001;
}

/*
 * A clear change is undecided but promising, no change or the wrong
 * direction is not, nor a change ruled out.
 */
static void
test_promising(void **state)
{
	const double *good = end_good, *bad = end_bad, *same = end_same;
	struct verdict_params p;
	struct reproduce_result rr;

	(void)state;
	end_params(&p);
	assert_int_equal(verdict_reproduce(good, 4, bad, 4, &p, 0, &rr), 0);
	assert_int_equal(rr.outcome, REPRO_UNDECIDED);
	assert_true(verdict_promising(&rr, &p));
	assert_int_equal(verdict_reproduce(good, 4, same, 4, &p, 0, &rr), 0);
	assert_false(verdict_promising(&rr, &p));
	assert_int_equal(verdict_reproduce(bad, 4, good, 4, &p, 0, &rr), 0);
	assert_false(verdict_promising(&rr, &p));
	/* decided: nothing more to promise */
	assert_int_equal(verdict_reproduce(good, 4, bad, 4, &p, 1, &rr), 0);
	assert_int_equal(rr.outcome, REPRO_NO);
	assert_false(verdict_promising(&rr, &p));
}

/* The endpoint phase: past max only while promising, decided at long_max. */
static void
test_endpoints(void **state)
{
	const double *good = end_good, *bad = end_bad, *same = end_same;
	struct verdict_params p;
	struct reproduce_result rr;

	(void)state;
	end_params(&p);
	/* before max: a look like any other */
	assert_int_equal(verdict_endpoints(good, 4, same, 4, &p, 4, 10, 60,
	    &rr), 0);
	assert_int_equal(rr.outcome, REPRO_UNDECIDED);
	/* at max: a clear change goes on, none stops */
	assert_int_equal(verdict_endpoints(good, 4, bad, 4, &p, 4, 4, 60, &rr),
	    0);
	assert_int_equal(rr.outcome, REPRO_UNDECIDED);
	assert_int_equal(verdict_endpoints(good, 4, same, 4, &p, 4, 4, 60,
	    &rr), 0);
	assert_int_equal(rr.outcome, REPRO_NO);
	/* long_max == max: the final look */
	assert_int_equal(verdict_endpoints(good, 4, bad, 4, &p, 4, 4, 4, &rr),
	    0);
	assert_int_equal(rr.outcome, REPRO_NO);
}

/* From max / 2 on, a bad endpoint no worse than the good one stops. */
static void
test_endpoints_futile(void **state)
{
	static const double better[] = { 104, 96, 101, 99 };
	struct verdict_params p;
	struct reproduce_result rr;

	(void)state;
	end_params(&p);
	/* before max / 4 no look stops the phase */
	assert_int_equal(verdict_endpoints(end_good, 4, better, 4, &p, 2, 10,
	    60, &rr), 0);
	assert_int_equal(rr.outcome, REPRO_UNDECIDED);
	assert_int_equal(verdict_endpoints(end_good, 4, better, 4, &p, 7, 10,
	    60, &rr), 0);
	assert_int_equal(rr.outcome, REPRO_NO);
	assert_non_null(strstr(rr.reason, "bad no worse than good"));
	/* a little worse (t 0.23): early on the phase goes on... */
	assert_int_equal(verdict_endpoints(end_good, 4, end_same, 4, &p, 3, 10,
	    60, &rr), 0);
	assert_int_equal(rr.outcome, REPRO_UNDECIDED);
	/* ...near max it is too weak to reach alpha in time */
	assert_int_equal(verdict_endpoints(end_good, 4, end_same, 4, &p, 9, 10,
	    60, &rr), 0);
	assert_int_equal(rr.outcome, REPRO_NO);
	assert_non_null(strstr(rr.reason, "not reproduced (too weak to go on: "
	    "welch t 0.23, needs"));
	assert_non_null(strstr(rr.reason, "): good 100.25"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confirm_paired),
		cmocka_unit_test(test_confirm_unpaired),
		cmocka_unit_test(test_confirm_share),
		cmocka_unit_test(test_promising),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_endpoints_futile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
