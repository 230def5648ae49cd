/* SPDX-License-Identifier: MIT */
/*
 * test_target_sim.c - the sim target's noise model: many boots and runs,
 * and their moments against the configuration (tolerances are about 4
 * standard errors of each estimate, for fixed seeds), determinism, and
 * the errors a user can make.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <git2.h>

#include "bisect/config.h"
#include "bisect/util.h"
#include "kexec/target.h"

#define LEVEL	200.0

static char tdir[64];

static void
write_level(const char *text)
{
	struct error err = ERROR_INIT;
	char *path = xasprintf("%s/perfbisect-sim", tdir);

	if (write_file_atomic(path, text, strlen(text), &err) < 0)
		fail_msg("%s", error_msg(&err));
	free(path);
}

static int
setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	git_libgit2_init();
	snprintf(tdir, sizeof(tdir), "%s/pb-test-sim-XXXXXX",
	    base && strlen(base) < 32 ? base : "/tmp");
	if (mkdtemp(tdir) == NULL)
		return -1;
	write_level("200\n");
	return 0;
}

static int
teardown(void **state)
{
	struct error err = ERROR_INIT;

	(void)state;
	remove_tree(tdir, &err);
	error_clear(&err);
	git_libgit2_shutdown();
	return 0;
}

/* A sim target "t" with the settings given as "key=value" (NULL-ended). */
static struct target *
make(const char *const *kv, const char *want_err)
{
	struct error err = ERROR_INIT;
	struct config *cfg;
	struct target *t = NULL;
	char *s;
	int rc;

	if (config_open(&cfg, NULL, 0, &err) < 0 ||
	    config_override(cfg, "target.t.kind=sim", &err) < 0)
		fail_msg("%s", error_msg(&err));
	for (; kv && *kv; kv++) {
		s = xasprintf("target.t.%s", *kv);
		if (config_override(cfg, s, &err) < 0)
			fail_msg("%s", error_msg(&err));
		free(s);
	}
	rc = target_from_config(&t, cfg, "t", tdir, &err);
	config_free(cfg);
	if (want_err) {
		assert_int_equal(rc, -1);
		if (strstr(error_msg(&err), want_err) == NULL)
			fail_msg("want '%s', got '%s'", want_err, err.msg.s);
		error_clear(&err);
		return NULL;
	}
	if (rc < 0)
		fail_msg("%s", error_msg(&err));
	assert_string_equal(t->ops->kind, "sim");
	return t;
}

static void
boot(struct target *t)
{
	struct artifact a = { 0 };
	struct boot_info bi;
	struct error err = ERROR_INIT;

	a.commit = (char *)"0123456789abcdef0123456789abcdef01234567";
	a.dir = tdir;
	if (t->ops->boot(t, &a, &bi, &err) < 0)
		fail_msg("%s", error_msg(&err));
	assert_int_equal(bi.outcome, BOOT_BOOTED);
	boot_info_release(&bi);
}

static double
run(struct target *t)
{
	struct run_result rr;
	struct error err = ERROR_INIT;
	double v;
	char *end;

	run_result_init(&rr);
	if (t->ops->run(t, "perfbisect-sim", 0, &rr, &err) < 0)
		fail_msg("%s", error_msg(&err));
	assert_int_equal(rr.status, 0);
	assert_true(strncmp(rr.out.s, "time: ", 6) == 0);
	v = strtod(rr.out.s + 6, &end);
	assert_string_equal(end, "\n");
	run_result_release(&rr);
	return v;
}

struct moments {
	double	 mean;
	double	 sd;
	double	 boot_sd;	/* of the boots' means */
	double	 min;
};

static void
measure(struct target *t, int boots, int runs, struct moments *m)
{
	double s = 0, ss = 0, bs = 0, bss = 0, v, bm;
	int i, j;

	m->min = INFINITY;
	for (i = 0; i < boots; i++) {
		boot(t);
		bm = 0;
		for (j = 0; j < runs; j++) {
			v = run(t);
			s += v;
			ss += v * v;
			bm += v / runs;
			if (v < m->min)
				m->min = v;
		}
		bs += bm;
		bss += bm * bm;
	}
	m->mean = s / (boots * runs);
	m->sd = sqrt(ss / (boots * runs) - m->mean * m->mean);
	m->boot_sd = sqrt(bss / boots - (bs / boots) * (bs / boots));
}

static void
test_sim_gaussian(void **state)
{
	static const char *const kv[] = { "seed=3", NULL };
	struct target *t = make(kv, NULL);
	struct moments m;
	double sd;

	(void)state;
	/* Defaults: gaussian, sd 10 %, no boot effect. */
	measure(t, 2000, 5, &m);
	assert_float_equal(m.mean, LEVEL, 0.8);
	assert_float_equal(m.sd, 0.1 * LEVEL, 0.6);
	assert_int_equal(target_sim_value_sd(t, 5, &sd), 0);
	assert_float_equal(sd, 0.1 / sqrt(5), 1e-12);
	assert_float_equal(m.boot_sd, sd * LEVEL, 0.5);
	target_free(t);
}

static void
test_sim_lognormal(void **state)
{
	static const char *const kv[] = { "noise=lognormal", "sd=30%",
	    "seed=4", NULL };
	struct target *t = make(kv, NULL);
	struct target_sim_params np;
	struct moments m;

	(void)state;
	assert_int_equal(target_sim_params(t, &np), 0);
	assert_string_equal(np.model, "lognormal");
	assert_float_equal(np.sd, 0.3, 1e-12);
	measure(t, 5000, 2, &m);
	assert_float_equal(m.mean, LEVEL, 2.5);
	assert_float_equal(m.sd, 0.3 * LEVEL, 3);
	assert_true(m.min > 0);
	target_free(t);
}

static void
test_sim_boot_effect(void **state)
{
	static const char *const kv[] = { "sd=6%", "bootSd=8%", "seed=5",
	    NULL };
	struct target *t = make(kv, NULL);
	struct moments m;
	double sd;

	(void)state;
	assert_int_equal(target_sim_value_sd(t, 3, &sd), 0);
	assert_float_equal(sd, sqrt(0.0064 + 0.0012 + 0.0064 * 0.0012),
	    1e-12);
	measure(t, 4000, 3, &m);
	assert_float_equal(m.boot_sd, sd * LEVEL, 0.9);
	assert_float_equal(m.mean, LEVEL, 1.2);
	target_free(t);
}

static void
test_sim_outliers(void **state)
{
	static const char *const kv[] = { "sd=1%", "outliers=20%", "seed=6",
	    NULL };
	struct target *t = make(kv, NULL);
	int i, high = 0, n = 10000;

	(void)state;
	boot(t);
	for (i = 0; i < n; i++)
		high += run(t) > LEVEL * 1.02;
	/* The outliers (4 sd slow) and 2.3 % of the rest. */
	assert_float_equal((double)high / n, 0.2 + 0.8 * 0.02275, 0.017);
	target_free(t);
}

static void
test_sim_drift(void **state)
{
	static const char *const kv[] = { "sd=0", "drift=1%", NULL };
	struct target *t = make(kv, NULL);
	int k;

	(void)state;
	for (k = 0; k < 5; k++) {
		boot(t);
		assert_float_equal(run(t), LEVEL * (1 + 0.01 * k), 1e-9);
	}
	target_free(t);
}

static void
test_sim_seeded(void **state)
{
	static const char *const a[] = { "seed=9", NULL };
	static const char *const b[] = { "seed=10", NULL };
	struct target *t1 = make(a, NULL), *t2 = make(a, NULL);
	struct target *t3 = make(b, NULL);
	double v1, v2, v3;
	int i, differ = 0;

	(void)state;
	boot(t1);
	boot(t2);
	boot(t3);
	for (i = 0; i < 20; i++) {
		v1 = run(t1);
		v2 = run(t2);
		v3 = run(t3);
		assert_true(v1 == v2);
		differ += v1 != v3;
	}
	assert_int_equal(differ, 20);
	target_free(t1);
	target_free(t2);
	target_free(t3);
}

static void
test_sim_errors(void **state)
{
	static const char *const noise[] = { "noise=normal", NULL };
	static const char *const sd[] = { "sd=200%", NULL };
	static const char *const outl[] = { "outliers=x", NULL };
	struct target *t = make(NULL, NULL);
	struct artifact a = { 0 };
	struct boot_info bi;
	struct run_result rr;
	struct error err = ERROR_INIT;

	(void)state;
	make(noise, "bad value 'normal' for 'target.t.noise': expected "
	    "gaussian or lognormal");
	make(sd, "bad value '200%' for 'target.t.sd': too large");
	make(outl, "bad value 'x' for 'target.t.outliers'");

	/* Not booted yet, and not the sim benchmark. */
	run_result_init(&rr);
	assert_int_equal(t->ops->run(t, "perfbisect-sim", 0, &rr, &err), 0);
	assert_int_equal(rr.status, 1);
	run_result_release(&rr);
	boot(t);
	assert_int_equal(t->ops->run(t, "uname -r", 0, &rr, &err), 0);
	assert_int_equal(rr.status, 127);
	assert_non_null(strstr(rr.err.s, "runs only the sim benchmark"));
	run_result_release(&rr);

	a.commit = (char *)"0123456789abcdef0123456789abcdef01234567";
	a.dir = tdir;
	write_level("fast\n");
	assert_int_equal(t->ops->boot(t, &a, &bi, &err), -1);
	assert_non_null(strstr(error_msg(&err), "0123456789ab: "
	    "perfbisect-sim holds 'fast', not a positive number"));
	error_clear(&err);
	write_level("-3\n");
	assert_int_equal(t->ops->boot(t, &a, &bi, &err), -1);
	error_clear(&err);
	a.dir = (char *)"/nonexistent";
	assert_int_equal(t->ops->boot(t, &a, &bi, &err), -1);
	assert_non_null(strstr(error_msg(&err), "the build of 0123456789ab "
	    "has no level"));
	error_clear(&err);
	write_level("200\n");
	target_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_gaussian),
		cmocka_unit_test(test_sim_lognormal),
		cmocka_unit_test(test_sim_boot_effect),
		cmocka_unit_test(test_sim_outliers),
		cmocka_unit_test(test_sim_drift),
		cmocka_unit_test(test_sim_seeded),
		cmocka_unit_test(test_sim_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
