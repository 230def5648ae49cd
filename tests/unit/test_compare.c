/* SPDX-License-Identifier: MIT */
/*
 * test_compare.c - "perfbisect compare"'s numbers.  Reference values from
 * R 4.2 (Debian r-base-core):
 *   a <- c(100, 101, 99, 100.5, 99.5); b <- c(110.5, 109.5, 111.5)
 *   p.adjust(c(t.test(b, a)$p.value, wilcox.test(b, a)$p.value), "holm")
 *     0.0004481303808 0.03571428571
 *   t.test(b, a)$conf.int   8.518137 12.481863
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats/compare.h"

static const double ref_a[] = { 100, 101, 99, 100.5, 99.5 };
static const double ref_b[] = { 110.5, 109.5, 111.5 };

static void
test_compare_reference(void **state)
{
	struct compare_result c;

	(void)state;
	assert_int_equal(compare_samples(ref_a, NULL, 5, ref_b, NULL, 3, 0.95,
	    0.05, 1, &c), 0);
	assert_float_equal(c.diff, 10.5, 1e-12);
	assert_float_equal(c.p_welch, 0.0004481303808, 1e-9);
	assert_float_equal(c.p_mann_whitney, 0.03571428571, 1e-9);
	assert_float_equal(c.diff_lo, 8.518137, 1e-6);
	assert_float_equal(c.diff_hi, 12.481863, 1e-6);
	assert_true(c.significant);
	assert_true(c.has_ratio);
	assert_true(c.ratio_lo < 1.105 && 1.105 < c.ratio_hi);
	assert_true(c.hl_lo <= c.hl && c.hl <= c.hl_hi);
}

static void
test_compare_same(void **state)
{
	struct compare_result c;

	(void)state;
	assert_int_equal(compare_samples(ref_a, NULL, 5, ref_a, NULL, 5, 0.95,
	    0.05, 1, &c), 0);
	assert_false(c.significant);
	assert_float_equal(c.diff, 0, 1e-12);
	assert_true(c.diff_lo < 0 && c.diff_hi > 0);
}

static void
test_compare_alpha(void **state)
{
	struct compare_result c;

	(void)state;
	/* Mann-Whitney's 0.036 is not below 0.01: no claim. */
	assert_int_equal(compare_samples(ref_a, NULL, 5, ref_b, NULL, 3, 0.95,
	    0.01, 1, &c), 0);
	assert_false(c.significant);
}

static void
test_compare_too_few(void **state)
{
	struct compare_result c;

	(void)state;
	assert_int_equal(compare_samples(ref_a, NULL, 1, ref_b, NULL, 3, 0.95,
	    0.05, 1, &c), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_reference),
		cmocka_unit_test(test_compare_same),
		cmocka_unit_test(test_compare_alpha),
		cmocka_unit_test(test_compare_too_few),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
