/* SPDX-License-Identifier: MIT */
/*
 * test_binom.c - stats_binom_interval() against R 4.2:
 *   binom.test(k, n, conf.level = level)$conf.int
 * printed with sprintf("%.17g"), for each row of the table below.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats/stats.h"

static const struct {
	size_t	 k, n;
	double	 level, lo, hi;
} binom_ref[] = {
	{ 0, 20, 0.95, 0, 0.16843347098308536 },
	{ 20, 20, 0.95, 0.83156652901691464, 1 },
	{ 19, 20, 0.95, 0.75126723722797228, 0.99873491050205021 },
	{ 950, 1000, 0.95, 0.93460951208450638, 0.96266460239533824 },
	{ 1, 1, 0.95, 0.025000000000000022, 1 },
	{ 0, 1, 0.95, 0, 0.97499999999999998 },
	{ 500, 1000, 0.95, 0.46854917297179194, 0.53145082702820812 },
	{ 3, 7, 0.95, 0.09898827844250789, 0.81594843235991699 },
	{ 7, 30, 0.90, 0.11498689556973873, 0.39394742252236326 },
};

static void
test_binom_reference(void **state)
{
	double lo, hi;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(binom_ref) / sizeof(binom_ref[0]); i++) {
		assert_int_equal(stats_binom_interval(binom_ref[i].k,
		    binom_ref[i].n, binom_ref[i].level, &lo, &hi), 0);
		assert_float_equal(lo, binom_ref[i].lo,
		    1e-9 * fmax(binom_ref[i].lo, 1e-300));
		assert_float_equal(hi, binom_ref[i].hi,
		    1e-9 * binom_ref[i].hi);
	}
}

static void
test_binom_bad_input(void **state)
{
	double lo = -1, hi = -1;

	(void)state;
	assert_int_equal(stats_binom_interval(0, 0, 0.95, &lo, &hi), -1);
	assert_int_equal(stats_binom_interval(3, 2, 0.95, &lo, &hi), -1);
	assert_int_equal(stats_binom_interval(1, 2, 1, &lo, &hi), -1);
	assert_int_equal(stats_binom_interval(1, 2, 0, &lo, &hi), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binom_reference),
		cmocka_unit_test(test_binom_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
