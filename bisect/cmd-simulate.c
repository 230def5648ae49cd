/* SPDX-License-Identifier: MIT */
/*
 * cmd-simulate.c - "perfbisect simulate": the real bisection, many times,
 * on a history whose answer is known.
 *
 * Each trial makes a git repository of N + 1 commits on a line (the
 * first is the good endpoint, the last the bad one), every tree holding
 * the file perfbisect-sim with the commit's true level: 100 before the
 * culprit, 100 (1 + d sd) from it on, where sd is the standard deviation
 * of a boot's value.  Then driver_main() bisects it exactly as "run"
 * would, with build.command "true" and a sim target (kexec/target-sim.c)
 * whose noise follows the configuration, and the record says what it
 * found and what it cost.  Repositories, records and a build cache (two
 * trees, so two real builds in all) live in a temporary directory on
 * /dev/shm when there is one (SQLite's fsync is then cheap), else in
 * $TMPDIR, and are removed at the end.
 *
 * Seeded: trial k's culprit and the target's random stream follow from
 * --seed and k, so the same command prints the same table.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/commit.h>
#include <jansson.h>

#include "bisect/cmd.h"
#include "bisect/config.h"
#include "bisect/driver.h"
#include "bisect/repo.h"
#include "bisect/state.h"
#include "kexec/target.h"
#include "metrics/bench.h"
#include "stats/stats.h"

static const char simulate_usage[] =
    "usage: perfbisect simulate [--json] [--commits N]\n"
    "                           [--culprit K | --null | --two-culprits] "
    "[--effect D]\n"
    "                           [--noise model] "
    "[--search classic|posterior]\n"
    "                           [--seed S] [--trials T] [-f file]\n";

#define SIM_TARGET	"sim"
#define SIM_METRIC	"sim:time"
#define SIM_LEVEL_FILE	"perfbisect-sim"
#define SIM_LEVEL	100.0
#define SIM_MAX_COMMITS	1000000
#define SIM_TIME	1700000000	/* commit dates: fixed, for fixed ids */

struct sim_opts {
	long long	 commits;
	long long	 culprit;	/* 0: a random one per trial */
	long long	 trials;
	long long	 seed;
	double		 effect;
	int		 null;
	int		 two;		/* two culprits, 60 % and 40 % */
	int		 json;
	const char	*noise;		/* a preset, NULL: the configuration's */
	const char	*search;	/* NULL: the configuration's */
	const char	*file;
};

/* What simulate learnt from the configuration before the first trial. */
struct sim_setup {
	struct target_sim_params np;
	double		 value_sd;	/* a boot value's relative sd */
	double		 step;		/* relative change at the culprit */
	int		 runs;
	const char	*search;
};

enum sim_outcome {
	SIM_EXACT,		/* found the culprit */
	SIM_WRONG,		/* found another commit */
	SIM_NOT_REPRODUCED,
	SIM_INCONCLUSIVE,
	SIM_NOUTCOMES,
};

struct sim_tally {
	long long	 n;
	long long	 count[SIM_NOUTCOMES];
	int		*boots;		/* per trial, confirmation left out */
	int		*builds;
	double		 confirm;	/* confirmation boots, summed */
};

/*
 * Where a history changes: from c1 on by share1 of the step, from c2
 * (0: none) on by the whole step.  c1 = 0: a null range.
 */
struct sim_truth {
	long long	 c1;
	long long	 c2;
	double		 share1;
};

/* The synthetic history of the current trial. */
struct sim_history {
	char		*dir;
	int		 made;
	struct sim_truth t;
	char		 good[GIT_OID_HEXSZ + 1];
	char		 bad[GIT_OID_HEXSZ + 1];
	char		 c1_hex[GIT_OID_HEXSZ + 1];	/* "" when no culprit */
	char		 c2_hex[GIT_OID_HEXSZ + 1];
	struct repo	*repo;
};

static uint64_t
sim_mix(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* A number in [0, 1) from the stream x. */
static double
sim_unif(uint64_t *x)
{
	*x = sim_mix(*x);
	return (double)(*x >> 11) * 0x1.0p-53;
}

/*
 * Trial k's culprits: --culprit, none for --null, else one in 1..N at
 * random, or with --two-culprits two, the larger share going to either.
 */
static void
sim_trial_truth(const struct sim_opts *o, long long k, struct sim_truth *t)
{
	uint64_t x = sim_mix((uint64_t)o->seed) ^ (uint64_t)k;
	long long a, b;

	memset(t, 0, sizeof(*t));
	t->share1 = 1;
	if (o->null)
		return;
	if (o->culprit) {
		t->c1 = o->culprit;
		return;
	}
	t->c1 = 1 + (long long)(sim_unif(&x) * (double)o->commits);
	if (!o->two)
		return;
	do
		b = 1 + (long long)(sim_unif(&x) * (double)o->commits);
	while (b == t->c1);
	a = t->c1 < b ? t->c1 : b;
	t->c2 = t->c1 < b ? b : t->c1;
	t->c1 = a;
	t->share1 = sim_unif(&x) < 0.5 ? 0.6 : 0.4;
}

/* Trial k's seed of the sim target's random stream. */
static long long
sim_trial_seed(const struct sim_opts *o, long long k)
{
	uint64_t x = sim_mix(sim_mix((uint64_t)o->seed + 0x73696d) ^
	    (uint64_t)k);

	return (long long)(x >> 1);
}

static int
sim_number(const char *opt, const char *arg, long long min, long long max,
    long long *out)
{
	const char *why;

	if (parse_ll(arg, min, max, out, &why) < 0) {
		pb_err("%s '%s': %s (%lld to %lld)", opt, arg, why, min, max);
		return -1;
	}
	return 0;
}

static int
sim_parse(int argc, char **argv, struct sim_opts *o)
{
	static const struct option opts[] = {
		{ "commits", required_argument, NULL, 'n' },
		{ "culprit", required_argument, NULL, 'k' },
		{ "effect", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "noise", required_argument, NULL, 'N' },
		{ "null", no_argument, NULL, '0' },
		{ "search", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "trials", required_argument, NULL, 't' },
		{ "two-culprits", no_argument, NULL, '2' },
		{ NULL, 0, NULL, 0 },
	};
	const char *why;
	int ch, effect_given = 0;

	memset(o, 0, sizeof(*o));
	o->commits = 1024;
	o->trials = 100;
	o->seed = 1;
	o->effect = 1;
	while ((ch = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			if (parse_double(optarg, &o->effect, &why) < 0 ||
			    !(o->effect > 0 && o->effect <= 100)) {
				pb_err("--effect '%s': expected a number of "
				    "standard deviations above 0, at most 100",
				    optarg);
				return EXIT_USAGE;
			}
			effect_given = 1;
			break;
		case 'f':
			o->file = optarg;
			break;
		case 'h':
			return cmd_usage(simulate_usage, 1);
		case 'j':
			o->json = 1;
			break;
		case 'k':
			if (sim_number("--culprit", optarg, 1, SIM_MAX_COMMITS,
			    &o->culprit) < 0)
				return EXIT_USAGE;
			break;
		case 'n':
			if (sim_number("--commits", optarg, 2, SIM_MAX_COMMITS,
			    &o->commits) < 0)
				return EXIT_USAGE;
			break;
		case 'N':
			o->noise = optarg;
			break;
		case '0':
			o->null = 1;
			break;
		case '2':
			o->two = 1;
			break;
		case 's':
			o->search = optarg;
			break;
		case 'S':
			if (sim_number("--seed", optarg, 0, INT64_MAX / 2,
			    &o->seed) < 0)
				return EXIT_USAGE;
			break;
		case 't':
			if (sim_number("--trials", optarg, 1, 1000000,
			    &o->trials) < 0)
				return EXIT_USAGE;
			break;
		default:
			return cmd_usage(simulate_usage, 0);
		}
	}
	if (optind != argc)
		return cmd_usage(simulate_usage, 0);
	if (o->null && (o->culprit || effect_given || o->two)) {
		pb_err("--null has no culprit and no effect; drop --%s",
		    o->culprit ? "culprit" : o->two ? "two-culprits" :
		    "effect");
		return EXIT_USAGE;
	}
	if (o->two && o->culprit) {
		pb_err("--two-culprits draws both culprits; drop --culprit");
		return EXIT_USAGE;
	}
	if (o->culprit > o->commits) {
		pb_err("--culprit %lld: past the last of %lld commits",
		    o->culprit, o->commits);
		return EXIT_USAGE;
	}
	if (o->search && strcmp(o->search, "classic") != 0 &&
	    strcmp(o->search, "posterior") != 0) {
		pb_err("--search '%s': expected classic or posterior",
		    o->search);
		return EXIT_USAGE;
	}
	return -1;
}

/*
 * The settings of --noise MODEL: presets of the sim target's keys (the
 * search benchmark's scenarios, tests/bench/search.c).
 */
static const struct sim_preset {
	const char	*name;
	const char	*settings[4];
} sim_presets[] = {
	{ "gaussian", { "target.sim.noise=gaussian", NULL } },
	{ "lognormal", { "target.sim.noise=lognormal", NULL } },
	{ "outliers", { "target.sim.noise=gaussian",
	    "target.sim.outliers=5%", NULL } },
	{ "boot", { "target.sim.noise=gaussian", "target.sim.sd=6%",
	    "target.sim.bootSd=8%", NULL } },
	{ "drift", { "target.sim.noise=gaussian", "target.sim.drift=0.03%",
	    NULL } },
};

static const struct sim_preset *
sim_preset_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sim_presets); i++)
		if (strcmp(sim_presets[i].name, name) == 0)
			return &sim_presets[i];
	return NULL;
}

/*
 * The configuration of one trial: the -f file, under simulate's own
 * settings, under the -c overrides.
 */
static struct config *
sim_config(struct ctx *ctx, const struct sim_opts *o, long long seed,
    const char *cache, struct error *err)
{
	struct buf b = BUF_INIT;
	const struct sim_preset *p = o->noise ? sim_preset_find(o->noise) :
	    NULL;
	const char *file = o->file ? o->file : ctx->config_file;
	struct config *cfg;
	char kv[64];
	size_t i;
	int rc;

	if (config_open(&cfg, file, file != NULL, err) < 0)
		return NULL;
	snprintf(kv, sizeof(kv), "target." SIM_TARGET ".seed=%lld", seed);
	rc = config_override(cfg, "build.command=true", err);
	/*
	 * The level file is the sim target's kernel image.  With a build
	 * cache the two trees of the history are built once each and then
	 * restored, as a cache saves a kernel's rebuilds, and a build costs
	 * no process.  Building ahead would gain nothing but processes.
	 */
	if (rc == 0)
		rc = config_override(cfg, "build.image=" SIM_LEVEL_FILE, err);
	if (rc == 0)
		rc = config_override(cfg, "build.ahead=false", err);
	if (rc == 0 && cache) {
		buf_addf(&b, "build.cache=%s", cache);
		rc = config_override(cfg, b.s, err);
		buf_release(&b);
	}
	if (rc == 0)
		rc = config_override(cfg, "target." SIM_TARGET ".kind=sim",
		    err);
	if (rc == 0)
		rc = config_override(cfg, kv, err);
	for (i = 0; rc == 0 && p && p->settings[i]; i++)
		rc = config_override(cfg, p->settings[i], err);
	if (rc == 0 && o->search) {
		snprintf(kv, sizeof(kv), "bisect.search=%s", o->search);
		rc = config_override(cfg, kv, err);
	}
	for (i = 0; rc == 0 && i < ctx->noverrides; i++)
		rc = config_override(cfg, ctx->overrides[i], err);
	if (rc < 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/*
 * Everything a trial needs from the configuration, checked before the
 * first one: the settings, the sim benchmark's runs per boot, the
 * target's noise model and from it the step.
 */
static int
sim_prepare(struct ctx *ctx, const struct sim_opts *o, struct sim_setup *su,
    struct error *err)
{
	struct driver_settings s;
	struct bench_set bs;
	struct metric_sel sel;
	struct target *t = NULL;
	struct config *cfg;
	int rc = -1;

	if (o->noise && sim_preset_find(o->noise) == NULL)
		return error_set(err, "--noise '%s': expected gaussian, "
		    "lognormal, outliers, boot or drift", o->noise);
	if ((cfg = sim_config(ctx, o, o->seed, NULL, err)) == NULL)
		return -1;
	bench_set_init(&bs);
	if (driver_settings_load(&s, cfg, err) < 0 ||
	    bench_set_load(&bs, cfg, err) < 0 ||
	    metric_sel_resolve(&bs, SIM_METRIC, &sel, err) < 0)
		goto out;
	su->runs = sel.bench->runs >= 0 ? sel.bench->runs : s.runs;
	su->search = s.search == DRIVER_SEARCH_POSTERIOR ? "posterior" :
	    "classic";
	metric_sel_release(&sel);
	if (target_from_config(&t, cfg, SIM_TARGET, ".", err) < 0)
		goto out;
	if (target_sim_params(t, &su->np) < 0 ||
	    target_sim_value_sd(t, su->runs, &su->value_sd) < 0) {
		error_set(err, "target '" SIM_TARGET "' is not a sim target");
		goto out;
	}
	if (su->value_sd <= 0) {
		error_set(err, "target '" SIM_TARGET "' has no noise (sd and "
		    "bootSd are 0): --effect counts its standard deviations");
		goto out;
	}
	su->step = o->null ? 0 : o->effect * su->value_sd;
	rc = 0;
out:
	target_free(t);
	bench_set_release(&bs);
	config_free(cfg);
	return rc;
}

/*
 * The directory for repositories and records: /dev/shm, else $TMPDIR;
 * named after the process, which removes it at the end (also when
 * interrupted).
 */
static char *
sim_tmpdir(struct error *err)
{
	const char *base = getenv("TMPDIR");
	struct stat sb;
	char *dir;

	if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    access("/dev/shm", W_OK | X_OK) == 0)
		base = "/dev/shm";
	else if (base == NULL || base[0] == '\0')
		base = "/tmp";
	dir = xasprintf("%s/perfbisect-simulate-%ld.XXXXXX", base,
	    (long)getpid());
	if (mkdtemp(dir) == NULL) {
		error_set(err, "cannot make a directory in '%s': %s", base,
		    strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

static int
sim_truth_equal(const struct sim_truth *a, const struct sim_truth *b)
{
	return a->c1 == b->c1 && a->c2 == b->c2 && a->share1 == b->share1;
}

/*
 * Write the history of a trial: commits 0..n on a line, the level file
 * good before t->c1, changed by t->share1 of the step from it on and by
 * the whole step from t->c2 on.
 */
static int
sim_history_make(struct sim_history *h, long long n,
    const struct sim_truth *t, double step, struct error *err)
{
	git_repository *git = NULL;
	git_treebuilder *tb = NULL;
	git_signature *sig = NULL;
	git_oid blob[3], tree[3], id, parent;
	const git_oid *parents[1];
	char level[3][64], msg[64], *path;
	long long i;
	int k, rc = -1;

	memset(&parent, 0, sizeof(parent));
	repo_free(h->repo);
	h->repo = NULL;
	h->made = 0;
	h->c1_hex[0] = h->c2_hex[0] = '\0';
	path = xasprintf("%s/repo.git", h->dir);
	if (remove_tree(path, err) < 0)
		goto out;
	snprintf(level[0], sizeof(level[0]), "%.17g\n", SIM_LEVEL);
	snprintf(level[1], sizeof(level[1]), "%.17g\n",
	    SIM_LEVEL * (1 + t->share1 * step));
	snprintf(level[2], sizeof(level[2]), "%.17g\n", SIM_LEVEL * (1 + step));
	if (git_repository_init(&git, path, 1) < 0)
		goto git_fail;
	for (k = 0; k < 3; k++) {
		if (git_blob_create_from_buffer(&blob[k], git, level[k],
		    strlen(level[k])) < 0 ||
		    git_treebuilder_new(&tb, git, NULL) < 0 ||
		    git_treebuilder_insert(NULL, tb, SIM_LEVEL_FILE,
		    &blob[k], GIT_FILEMODE_BLOB) < 0 ||
		    git_treebuilder_write(&tree[k], tb) < 0)
			goto git_fail;
		git_treebuilder_free(tb);
		tb = NULL;
	}
	for (i = 0; i <= n; i++) {
		k = t->c2 > 0 && i >= t->c2 ? 2 : t->c1 > 0 && i >= t->c1;
		snprintf(msg, sizeof(msg), "sim: commit %lld%s\n", i,
		    i == 0 ? " (good)" : i == t->c1 || i == t->c2 ?
		    " (culprit)" : "");
		parents[0] = &parent;
		if (git_signature_new(&sig, "perfbisect simulate",
		    "simulate@perfbisect.invalid", SIM_TIME + i, 0) < 0 ||
		    git_commit_create_from_ids(&id, git, i == n ?
		    "refs/heads/main" : NULL, sig, sig, NULL, msg, &tree[k],
		    i ? 1 : 0, parents) < 0)
			goto git_fail;
		git_signature_free(sig);
		sig = NULL;
		parent = id;
		if (i == 0)
			git_oid_tostr(h->good, sizeof(h->good), &id);
		if (i == t->c1)
			git_oid_tostr(h->c1_hex, sizeof(h->c1_hex), &id);
		if (i == t->c2)
			git_oid_tostr(h->c2_hex, sizeof(h->c2_hex), &id);
	}
	git_oid_tostr(h->bad, sizeof(h->bad), &id);
	if (repo_open(&h->repo, path, err) < 0)
		goto out;
	h->t = *t;
	h->made = 1;
	rc = 0;
	goto out;
git_fail:
	repo_git_error(err, "cannot write the simulated history");
out:
	git_signature_free(sig);
	git_treebuilder_free(tb);
	git_repository_free(git);
	free(path);
	return rc;
}

/* Point fd at path (NULL: /dev/null); the old fd is in *saved. */
static int
sim_redirect(int fd, const char *path, int *saved, struct error *err)
{
	int to;

	if ((to = open(path ? path : "/dev/null", O_WRONLY | O_CREAT |
	    O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return error_set(err, "cannot open '%s': %s", path ? path :
		    "/dev/null", strerror(errno));
	if ((*saved = dup(fd)) < 0 || dup2(to, fd) < 0) {
		error_set(err, "cannot redirect: %s", strerror(errno));
		if (*saved >= 0)
			close(*saved);
		close(to);
		return -1;
	}
	close(to);
	return 0;
}

static void
sim_restore(int fd, int saved)
{
	dup2(saved, fd);
	close(saved);
}

/*
 * driver_main() with its report (stdout) discarded, since the record
 * says the same, and its messages (stderr) kept in errpath: shown when
 * a trial fails, but not when it was interrupted, where the driver's
 * advice to resume does not apply to a record simulate removes.
 */
static int
sim_driver(struct repo *r, struct state *st, struct config *cfg,
    const char *errpath, struct error *err)
{
	struct driver_output out = { 0 };
	struct error rerr = ERROR_INIT;
	struct buf msg = BUF_INIT;
	int saved_out, saved_err, rc;

	out.quiet = 1;
	fflush(stdout);
	fflush(stderr);
	if (sim_redirect(STDOUT_FILENO, NULL, &saved_out, err) < 0)
		return -1;
	if (sim_redirect(STDERR_FILENO, errpath, &saved_err, err) < 0) {
		sim_restore(STDOUT_FILENO, saved_out);
		return -1;
	}
	rc = driver_main(r, st, cfg, &out);
	fflush(stdout);
	fflush(stderr);
	sim_restore(STDOUT_FILENO, saved_out);
	sim_restore(STDERR_FILENO, saved_err);
	if (rc == EXIT_RUNTIME && !driver_interrupted &&
	    read_file(errpath, &msg, &rerr) == 0)
		fputs(msg.s, stderr);
	error_clear(&rerr);
	buf_release(&msg);
	return rc;
}

/* Count what the record of one trial says. */
static int
sim_read(struct state *st, const struct sim_history *h,
    enum sim_outcome *outcome, int *boots, int *confirm, int *builds,
    struct error *err)
{
	struct boot_rec *b = NULL;
	struct build_rec *bd = NULL;
	char *status = NULL, *culprit = NULL;
	size_t nb = 0, nbd = 0, i;
	int rc = -1;

	if (state_meta_get(st, "status", &status, err) < 0 ||
	    state_meta_get(st, "culprit", &culprit, err) < 0 ||
	    state_boots(st, NULL, NULL, &b, &nb, err) < 0 ||
	    state_builds(st, &bd, &nbd, err) < 0)
		goto out;
	if (status && strcmp(status, "found") == 0 && culprit)
		*outcome = strcmp(culprit, h->c1_hex) == 0 ||
		    strcmp(culprit, h->c2_hex) == 0 ? SIM_EXACT : SIM_WRONG;
	else if (status && strcmp(status, "not-reproduced") == 0)
		*outcome = SIM_NOT_REPRODUCED;
	else if (status && strcmp(status, "inconclusive") == 0)
		*outcome = SIM_INCONCLUSIVE;
	else {
		error_set(err, "the bisection ended '%s'", status ? status :
		    "without a status");
		goto out;
	}
	*boots = *confirm = 0;
	for (i = 0; i < nb; i++) {
		if (strcmp(b[i].role, "parent") == 0 ||
		    strcmp(b[i].role, "culprit") == 0)
			(*confirm)++;
		else
			(*boots)++;
	}
	*builds = (int)nbd;
	rc = 0;
out:
	for (i = 0; i < nb; i++)
		boot_rec_release(&b[i]);
	for (i = 0; i < nbd; i++)
		build_rec_release(&bd[i]);
	free(b);
	free(bd);
	free(status);
	free(culprit);
	return rc;
}

/* Trial k: a history (unless the last one fits), a record, a bisection. */
static int
sim_trial(struct ctx *ctx, const struct sim_opts *o,
    const struct sim_setup *su, struct sim_history *h, long long k,
    struct sim_tally *ty, struct error *err)
{
	struct config *cfg = NULL;
	struct state *st = NULL;
	enum sim_outcome outcome;
	struct sim_truth t;
	char *dir, *cache, *errpath;
	int rc = -1, code, boots, confirm, builds;

	sim_trial_truth(o, k, &t);
	if ((!h->made || !sim_truth_equal(&h->t, &t)) &&
	    sim_history_make(h, o->commits, &t, su->step, err) < 0)
		return -1;
	dir = xasprintf("%s/record", h->dir);
	cache = xasprintf("%s/cache", h->dir);
	errpath = xasprintf("%s/driver.err", h->dir);
	if (remove_tree(dir, err) < 0 ||
	    (cfg = sim_config(ctx, o, sim_trial_seed(o, k), cache,
	    err)) == NULL ||
	    state_open(&st, dir, STATE_CREATE, err) < 0 ||
	    state_meta_set(st, "good", h->good, err) < 0 ||
	    state_meta_set(st, "bad", h->bad, err) < 0 ||
	    state_meta_set(st, "metric", SIM_METRIC, err) < 0 ||
	    state_meta_set(st, "target", SIM_TARGET, err) < 0 ||
	    state_meta_set(st, "status", "running", err) < 0)
		goto out;
	code = sim_driver(h->repo, st, cfg, errpath, err);
	if (code < 0)
		goto out;
	if (code == EXIT_RUNTIME) {
		error_set(err, "trial %lld stopped%s", k + 1,
		    driver_interrupted ? " (interrupted)" : "");
		goto out;
	}
	if (sim_read(st, h, &outcome, &boots, &confirm, &builds, err) < 0)
		goto out;
	ty->count[outcome]++;
	ty->boots[ty->n] = boots;
	ty->builds[ty->n] = builds;
	ty->confirm += confirm;
	ty->n++;
	rc = 0;
out:
	state_close(st);
	config_free(cfg);
	free(errpath);
	free(cache);
	free(dir);
	return rc;
}

static int
sim_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

struct sim_cost {
	double	 mean;
	int	 p95;
};

static void
sim_cost(int *v, long long n, struct sim_cost *c)
{
	double sum = 0;
	long long i;

	qsort(v, (size_t)n, sizeof(*v), sim_cmp_int);
	for (i = 0; i < n; i++)
		sum += v[i];
	c->mean = sum / (double)n;
	c->p95 = v[(long long)ceil(0.95 * (double)n) - 1];
}

static const char *const sim_outcome_names[] = {
	"exact culprit", "other culprit", "not reproduced", "inconclusive",
};
static const char *const sim_outcome_keys[] = {
	"exact", "wrong", "not_reproduced", "inconclusive",
};

static void
sim_print_text(const struct sim_opts *o, const struct sim_setup *su,
    const struct sim_tally *ty, const struct sim_cost *boots,
    const struct sim_cost *builds)
{
	double lo, hi;
	int i;

	printf("simulate: %lld commits, ", o->commits);
	if (o->null)
		printf("no change (null range)");
	else if (o->culprit)
		printf("culprit %lld, d = %g (%+.2f %%)", o->culprit, o->effect,
		    100 * su->step);
	else if (o->two)
		printf("two culprits at random (60 %% and 40 %% of the step; "
		    "either is exact), d = %g (%+.2f %%)", o->effect,
		    100 * su->step);
	else
		printf("culprit at random, d = %g (%+.2f %%)", o->effect,
		    100 * su->step);
	printf("\nnoise: %s, sd %.3g %%, boot sd %.3g %%, outliers %.3g %%, "
	    "drift %.3g %% per boot; %d runs per boot (sd of a boot %.3g %%)"
	    "\nsearch: %s; %lld trials, seed %lld\n", su->np.model,
	    100 * su->np.sd, 100 * su->np.boot_sd, 100 * su->np.outliers,
	    100 * su->np.drift, su->runs, 100 * su->value_sd, su->search,
	    ty->n, o->seed);
	for (i = 0; i < SIM_NOUTCOMES; i++) {
		if (o->null && (i == SIM_EXACT))
			continue;
		stats_binom_interval((size_t)ty->count[i], (size_t)ty->n, 0.95,
		    &lo, &hi);
		printf("%-15s %6.1f %%  [%5.1f, %5.1f]  %lld of %lld\n",
		    sim_outcome_names[i], 100.0 * (double)ty->count[i] /
		    (double)ty->n, 100 * lo, 100 * hi, ty->count[i], ty->n);
	}
	printf("boots           mean %.1f, p95 %d (confirmation: %.1f more)\n",
	    boots->mean, boots->p95, ty->confirm / (double)ty->n);
	printf("builds          mean %.1f, p95 %d\n", builds->mean,
	    builds->p95);
	printf("(95 %% intervals: Clopper-Pearson)\n");
}

static int
sim_print_json(const struct sim_opts *o, const struct sim_setup *su,
    const struct sim_tally *ty, const struct sim_cost *boots,
    const struct sim_cost *builds)
{
	json_t *root, *rates;
	double lo, hi;
	char *s;
	int i;

	rates = json_object();
	for (i = 0; i < SIM_NOUTCOMES; i++) {
		stats_binom_interval((size_t)ty->count[i], (size_t)ty->n, 0.95,
		    &lo, &hi);
		json_object_set_new(rates, sim_outcome_keys[i],
		    json_pack("{s:I, s:f, s:f, s:f}", "count",
		    (json_int_t)ty->count[i], "rate", (double)ty->count[i] /
		    (double)ty->n, "lo", lo, "hi", hi));
	}
	root = json_pack("{s:I, s:I, s:I, s:b, s:f, s:f, s:s, s:I, "
	    "s:{s:s, s:f, s:f, s:f, s:f, s:f}, s:o, "
	    "s:{s:f, s:i}, s:{s:f}, s:{s:f, s:i}}",
	    "commits", (json_int_t)o->commits, "trials", (json_int_t)ty->n,
	    "seed", (json_int_t)o->seed, "null", o->null,
	    "effect", o->null ? 0.0 : o->effect, "step", su->step,
	    "search", su->search, "runs", (json_int_t)su->runs,
	    "noise", "model", su->np.model, "sd", su->np.sd,
	    "boot_sd", su->np.boot_sd, "outliers", su->np.outliers,
	    "drift", su->np.drift, "value_sd", su->value_sd,
	    "outcomes", rates,
	    "boots", "mean", boots->mean, "p95", boots->p95,
	    "confirm_boots", "mean", ty->confirm / (double)ty->n,
	    "builds", "mean", builds->mean, "p95", builds->p95);
	if (root == NULL)
		return -1;
	json_object_set_new(root, "culprit", o->culprit ?
	    json_integer(o->culprit) : json_null());
	json_object_set_new(root, "two_culprits", json_boolean(o->two));
	s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_REAL_PRECISION(10));
	json_decref(root);
	if (s == NULL)
		return -1;
	printf("%s\n", s);
	free(s);
	return 0;
}

int
cmd_simulate(struct ctx *ctx, int argc, char **argv)
{
	struct sim_opts o;
	struct sim_setup su;
	struct sim_history h;
	struct sim_tally ty;
	struct sim_cost boots, builds;
	struct error err = ERROR_INIT, rmerr = ERROR_INIT;
	long long k;
	int rc;

	optind = 0;
	if ((rc = sim_parse(argc, argv, &o)) >= 0)
		return rc;
	memset(&su, 0, sizeof(su));
	if (sim_prepare(ctx, &o, &su, &err) < 0) {
		pb_err("%s", error_msg(&err));
		error_clear(&err);
		return EXIT_USAGE;
	}
	memset(&h, 0, sizeof(h));
	if ((h.dir = sim_tmpdir(&err)) == NULL) {
		pb_err("%s", error_msg(&err));
		error_clear(&err);
		return EXIT_RUNTIME;
	}
	memset(&ty, 0, sizeof(ty));
	ty.boots = xcalloc((size_t)o.trials, sizeof(*ty.boots));
	ty.builds = xcalloc((size_t)o.trials, sizeof(*ty.builds));
	rc = EXIT_FOUND;
	for (k = 0; k < o.trials; k++) {
		if (driver_interrupted) {
			error_set(&err, "interrupted after %lld trials", k);
			break;
		}
		if (sim_trial(ctx, &o, &su, &h, k, &ty, &err) < 0)
			break;
	}
	if (err.msg.len) {
		pb_err("simulate: %s", error_msg(&err));
		rc = EXIT_RUNTIME;
	} else {
		sim_cost(ty.boots, ty.n, &boots);
		sim_cost(ty.builds, ty.n, &builds);
		if (!o.json)
			sim_print_text(&o, &su, &ty, &boots, &builds);
		else if (sim_print_json(&o, &su, &ty, &boots, &builds) < 0) {
			pb_err("simulate: cannot make the JSON output");
			rc = EXIT_RUNTIME;
		}
	}
	repo_free(h.repo);
	if (remove_tree(h.dir, &rmerr) < 0) {
		pb_err("%s", error_msg(&rmerr));
		rc = EXIT_RUNTIME;
	}
	free(h.dir);
	free(ty.boots);
	free(ty.builds);
	error_clear(&err);
	error_clear(&rmerr);
	return rc;
}
