/* SPDX-License-Identifier: MIT */
/*
 * target-sim.c - the "sim" target: a machine that does not exist, whose
 * benchmark results follow a noise model.
 *
 * A build's true level is the number in the file perfbisect-sim at the
 * top of its tree (the synthetic history of "perfbisect simulate" has
 * one in every commit).  A boot reads it and draws the boot's own bias;
 * each run of the "sim" benchmark (command perfbisect-sim) prints
 * "time: VALUE" around that.  Nothing forks and nothing sleeps, so the
 * real driver and verdict code can be run thousands of times.
 *
 * Configured from [target "NAME"] with kind = sim:
 *
 *   noise = gaussian|lognormal  shape of the run-to-run noise
 *   sd = 10%                    run-to-run standard deviation, relative
 *   bootSd = 0                  sd of each boot's bias, relative
 *   outliers = 0                share of runs that come out 4 sd slow
 *   drift = 0                   level change per boot, relative
 *   seed = 1                    the random stream; same seed, same runs
 *
 * Values are deterministic given the seed and the order of boots and
 * runs, which the driver fixes; a resumed run starts the stream again.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/config.h"
#include "kexec/target.h"

#define SIM_LEVEL_FILE	"perfbisect-sim"
#define SIM_COMMAND	"perfbisect-sim"
#define SIM_OUTLIER_SDS	4.0

enum sim_noise {
	SIM_GAUSSIAN,
	SIM_LOGNORMAL,
};

struct tsim {
	enum sim_noise	 noise;
	double		 sd;
	double		 boot_sd;
	double		 outliers;
	double		 drift;
	uint64_t	 rng[4];	/* xoshiro256** */
	long		 boots;
	int		 booted;
	double		 level;		/* this boot's, bias and drift in */
};

static uint64_t
sim_splitmix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
sim_next(struct tsim *p)
{
	uint64_t *s = p->rng, res = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = s[3] << 45 | s[3] >> 19;
	return res;
}

/* Uniform on (0, 1), never 0. */
static double
sim_unif(struct tsim *p)
{
	return ((sim_next(p) >> 11) + 0.5) * 0x1.0p-53;
}

static double
sim_gauss(struct tsim *p)
{
	double u = sim_unif(p);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * sim_unif(p));
}

/*
 * A relative deviation with standard deviation sd as a factor around 1:
 * 1 + sd z, or for lognormal noise exp(s z - s^2 / 2) with s chosen so
 * that the factor's mean is 1 and its coefficient of variation sd.
 */
static double
sim_factor(struct tsim *p, double sd)
{
	double s, z;

	if (sd == 0)
		return 1;
	z = sim_gauss(p);
	if (p->noise == SIM_GAUSSIAN)
		return 1 + sd * z;
	s = sqrt(log1p(sd * sd));
	return exp(s * z - s * s / 2);
}

static int
sim_open(struct target *t, struct error *err)
{
	(void)t;
	(void)err;
	return 0;
}

static int
sim_install(struct target *t, const struct artifact *a, struct error *err)
{
	(void)t;
	(void)a;
	(void)err;
	return 0;
}

/* The true level of the build in dir. */
static int
sim_level(const char *dir, const char *commit, double *level,
    struct error *err)
{
	struct buf b = BUF_INIT;
	const char *why;
	char *path = xasprintf("%s/" SIM_LEVEL_FILE, dir);
	int rc;

	rc = read_file(path, &b, err);
	free(path);
	if (rc < 0)
		return error_prefix(err, "sim target: the build of %.12s has "
		    "no level: ", commit ? commit : "?");
	buf_trim(&b);
	rc = parse_double(b.s, level, &why);
	if (rc == 0 && !(*level > 0 && isfinite(*level)))
		rc = -1;
	if (rc < 0)
		error_set(err, "sim target: %.12s: " SIM_LEVEL_FILE " holds "
		    "'%.40s', not a positive number", commit ? commit : "?",
		    b.s);
	buf_release(&b);
	return rc;
}

static int
sim_boot(struct target *t, const struct artifact *a, struct boot_info *bi,
    struct error *err)
{
	struct tsim *p = t->priv;
	double level;

	memset(bi, 0, sizeof(*bi));
	p->booted = 0;
	if (a->dir == NULL)
		return error_set(err, "sim target: nothing to boot");
	if (sim_level(a->dir, a->commit, &level, err) < 0)
		return -1;
	level *= 1 + p->drift * (double)p->boots;
	p->boots++;
	p->level = level * sim_factor(p, p->boot_sd);
	p->booted = 1;
	bi->outcome = BOOT_BOOTED;
	bi->boot_id = xasprintf("sim-%ld", p->boots);
	bi->release = a->release ? xstrdup(a->release) : NULL;
	return 0;
}

/*
 * Only the sim benchmark runs here; anything else (the driver's probe of
 * the machine, a real benchmark) exits 127, as a missing program would.
 */
static int
sim_run(struct target *t, const char *cmd, long long timeout_ms,
    struct run_result *rr, struct error *err)
{
	struct tsim *p = t->priv;
	double v;

	(void)timeout_ms;
	(void)err;
	rr->timed_out = 0;
	rr->duration_ms = 0;
	if (strcmp(cmd, SIM_COMMAND) != 0) {
		rr->status = 127;
		buf_addf(&rr->err, "sim target '%s' runs only the sim "
		    "benchmark (" SIM_COMMAND ")\n", t->name);
		return 0;
	}
	if (!p->booted) {
		rr->status = 1;
		buf_adds(&rr->err, "sim target: not booted\n");
		return 0;
	}
	v = p->level * sim_factor(p, p->sd);
	if (p->outliers > 0 && sim_unif(p) < p->outliers)
		v += SIM_OUTLIER_SDS * p->sd * p->level;
	rr->status = 0;
	buf_addf(&rr->out, "time: %.10g\n", v);
	return 0;
}

static int
sim_fetch(struct target *t, const char *remote, const char *local,
    struct error *err)
{
	(void)local;
	return error_set(err, "sim target '%s' has no file '%s'", t->name,
	    remote);
}

static void
sim_close(struct target *t)
{
	free(t->priv);
	t->priv = NULL;
}

static const struct target_ops target_sim_ops = {
	.kind = "sim",
	.open = sim_open,
	.install = sim_install,
	.boot = sim_boot,
	.run = sim_run,
	.fetch = sim_fetch,
	.close = sim_close,
};

static int
sim_double(struct config *cfg, const char *name, const char *var,
    double min, double max, double *out, struct error *err)
{
	char *key = xasprintf("target.%s.%s", name, var);
	int rc = config_get_double(cfg, key, min, max, out, err);

	free(key);
	return rc;
}

int
target_sim_new(struct target **out, struct config *cfg, const char *name,
    const char *workdir, struct error *err)
{
	struct target *t;
	struct tsim *p;
	const char *noise = NULL;
	char *key;
	long long seed = 1;
	uint64_t x;
	int i, rc;

	*out = NULL;
	p = xcalloc(1, sizeof(*p));
	p->sd = 0.10;
	key = xasprintf("target.%s.noise", name);
	rc = config_get_string(cfg, key, &noise, err);
	free(key);
	if (rc == 0 && noise && strcmp(noise, "lognormal") == 0)
		p->noise = SIM_LOGNORMAL;
	else if (rc == 0 && noise && strcmp(noise, "gaussian") != 0)
		rc = error_set(err, "%s: bad value '%s' for 'target.%s.noise': "
		    "expected gaussian or lognormal", config_path(cfg), noise,
		    name);
	if (rc == 0) {
		key = xasprintf("target.%s.seed", name);
		rc = config_get_int(cfg, key, 0, INT64_MAX, &seed, err);
		free(key);
	}
	if (rc < 0 ||
	    sim_double(cfg, name, "sd", 0, 1, &p->sd, err) < 0 ||
	    sim_double(cfg, name, "bootSd", 0, 1, &p->boot_sd, err) < 0 ||
	    sim_double(cfg, name, "outliers", 0, 1, &p->outliers, err) < 0 ||
	    sim_double(cfg, name, "drift", -0.01, 0.01, &p->drift, err) < 0) {
		free(p);
		return -1;
	}
	x = (uint64_t)seed;
	for (i = 0; i < 4; i++)
		p->rng[i] = sim_splitmix(&x);
	t = xcalloc(1, sizeof(*t));
	t->ops = &target_sim_ops;
	t->name = xstrdup(name);
	t->workdir = xstrdup(workdir);
	t->priv = p;
	*out = t;
	return 0;
}

int
target_sim_value_sd(const struct target *t, int runs, double *sd)
{
	const struct tsim *p = t->priv;
	double b2, r2;

	if (t->ops != &target_sim_ops || runs < 1)
		return -1;
	/* Var(B R) for independent factors of mean 1. */
	b2 = p->boot_sd * p->boot_sd;
	r2 = p->sd * p->sd / runs;
	*sd = sqrt(b2 + r2 + b2 * r2);
	return 0;
}

int
target_sim_params(const struct target *t, struct target_sim_params *out)
{
	const struct tsim *p = t->priv;

	if (t->ops != &target_sim_ops)
		return -1;
	out->model = p->noise == SIM_LOGNORMAL ? "lognormal" : "gaussian";
	out->sd = p->sd;
	out->boot_sd = p->boot_sd;
	out->outliers = p->outliers;
	out->drift = p->drift;
	return 0;
}
