/* SPDX-License-Identifier: MIT */
/*
 * test_noise.c - variance components against R 4.2:
 *   y <- c(10,11,12, 20,21,19,20, 15,16); g <- factor(c(1,1,1,2,2,2,2,3,3))
 *   a <- anova(lm(y ~ g)); msw <- a[2,3]         # 0.75
 *   n0 <- (9 - sum(c(3,4,2)^2) / 9) / 2
 *   (a[1,3] - msw) / n0                          # 23.8846153846
 *   sd(y) / mean(y)                              # 0.265165042945
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats/noise.h"

static void
test_noise_reference(void **state)
{
	/* Groups deliberately interleaved: labels, not positions, count. */
	static const double y[] = { 10, 20, 15, 11, 21, 16, 12, 19, 20 };
	static const size_t g[] = { 1, 2, 3, 1, 2, 3, 1, 2, 2 };
	struct noise nz;

	(void)state;
	assert_int_equal(noise_components(y, g, 9, &nz), 0);
	assert_int_equal(nz.boots, 3);
	assert_float_equal(nz.within_var, 0.75, 1e-12);
	assert_float_equal(nz.between_var, 23.8846153846, 1e-9);
	assert_float_equal(nz.cv_total, 0.265165042945, 1e-11);
	assert_float_equal(nz.mean, 16, 1e-12);
}

static void
test_noise_no_between(void **state)
{
	/* Identical boots: the between part is clamped at zero. */
	static const double y[] = { 1, 2, 3, 1, 2, 3 };
	static const size_t g[] = { 0, 0, 0, 1, 1, 1 };
	struct noise nz;

	(void)state;
	assert_int_equal(noise_components(y, g, 6, &nz), 0);
	assert_float_equal(nz.between_var, 0, 0);
	assert_int_equal(noise_runs_per_boot(&nz, 100, 1, 1, 20), 20);
}

static void
test_noise_too_little(void **state)
{
	static const double y[] = { 1, 2, 3 };
	static const size_t one[] = { 0, 0, 0 };
	static const size_t each[] = { 0, 1, 2 };
	struct noise nz;

	(void)state;
	assert_int_equal(noise_components(y, one, 3, &nz), -1);
	assert_int_equal(noise_components(y, each, 3, &nz), -1);
}

static void
test_noise_runs_per_boot(void **state)
{
	struct noise nz = { 0 };

	(void)state;
	nz.within_var = 4;
	nz.between_var = 1;
	/* sqrt(25 * 4 / 1) = 10 */
	assert_int_equal(noise_runs_per_boot(&nz, 25, 1, 1, 50), 10);
	assert_int_equal(noise_runs_per_boot(&nz, 25, 1, 1, 5), 5);
	/* Cheap boots, noisy boots: one run each, at least min. */
	nz.between_var = 100;
	assert_int_equal(noise_runs_per_boot(&nz, 1, 1, 2, 50), 2);
}

static void
test_noise_expected_boots(void **state)
{
	double a = log(0.99 / 0.01), b = log(0.01 / 0.99);

	(void)state;
	assert_float_equal(noise_expected_boots(1, 0.01, 0.01),
	    (0.99 * a + 0.01 * b) / 0.5, 1e-12);
	/* A bigger step takes fewer boots; never less than one. */
	assert_true(noise_expected_boots(2, 0.01, 0.01) <
	    noise_expected_boots(1, 0.01, 0.01));
	assert_float_equal(noise_expected_boots(100, 0.01, 0.01), 1, 0);
	assert_true(isinf(noise_expected_boots(0, 0.01, 0.01)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_noise_reference),
		cmocka_unit_test(test_noise_no_between),
		cmocka_unit_test(test_noise_too_little),
		cmocka_unit_test(test_noise_runs_per_boot),
		cmocka_unit_test(test_noise_expected_boots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
