/* SPDX-License-Identifier: MIT */
/*
 * cmd-run.c - run, resume, status, log and reset.
 *
 * "run" checks everything it can before it creates the record: a bad
 * revision, metric, target or setting is one line and exit 2 with
 * nothing written.  Once the record exists, run and resume are the same
 * code (driver_main) over the settings recorded at the start.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "bisect/cmd.h"
#include "bisect/config.h"
#include "bisect/driver.h"
#include "bisect/graph.h"
#include "bisect/repo-graph.h"
#include "bisect/repo.h"
#include "bisect/samples.h"
#include "bisect/state.h"
#include "kexec/target.h"
#include "metrics/bench.h"

static const char run_usage[] =
    "usage: perfbisect run [--ci] [--quiet] [--json-out file] "
    "--good rev [--good rev]...\n"
    "                      --bad rev --metric selector [--target name]\n"
    "                      [--good-samples file --bad-samples file] "
    "[--all-culprits]\n";
static const char resume_usage[] =
    "usage: perfbisect resume [--ci] [--quiet] [--json-out file]\n";
static const char status_usage[] = "usage: perfbisect status\n";
static const char log_usage[] = "usage: perfbisect log\n";
static const char reset_usage[] = "usage: perfbisect reset\n";

/*
 * The record's directory: $PERFBISECT_DIR if set (batch gives every
 * regression its own), else $GIT_DIR/perfbisect.  Absolute, since the
 * local target runs commands in its worktree.
 */
static char *
run_state_dir(const struct repo *r)
{
	const char *env = getenv("PERFBISECT_DIR");
	char *cwd;
	char *dir;

	if (env == NULL || env[0] == '\0')
		return xasprintf("%sperfbisect", r->gitdir);
	if (env[0] == '/' || (cwd = getcwd(NULL, 0)) == NULL)
		return xstrdup(env);
	dir = xasprintf("%s/%s", cwd, env);
	free(cwd);
	return dir;
}

char *
cmd_state_dir(const struct repo *r)
{
	return run_state_dir(r);
}

static int
run_open_repo(struct repo **r)
{
	struct error err = ERROR_INIT;

	if (repo_open(r, NULL, &err) < 0) {
		pb_err("%s", error_msg(&err));
		error_clear(&err);
		return -1;
	}
	return 0;
}

/* The settings recorded by run, with this invocation's -c on top. */
static struct config *
run_recorded_config(struct ctx *ctx, const char *dir, struct error *err)
{
	struct config *cfg;
	char *path = xasprintf("%s/config", dir);
	size_t i;

	if (config_open(&cfg, path, 1, err) < 0) {
		free(path);
		return NULL;
	}
	free(path);
	for (i = 0; i < ctx->noverrides; i++) {
		if (config_override(cfg, ctx->overrides[i], err) < 0) {
			config_free(cfg);
			return NULL;
		}
	}
	return cfg;
}

struct config *
cmd_recorded_config(struct ctx *ctx, const char *dir, struct error *err)
{
	return run_recorded_config(ctx, dir, err);
}

static int
run_parse_output(int ch, struct driver_output *o)
{
	switch (ch) {
	case 'C':
		o->ci = 1;
		return 1;
	case 'q':
		o->quiet = 1;
		return 1;
	}
	return 0;
}

/*
 * --json-out FILE: its directory must exist and be writable before
 * anything starts.
 */
static int
run_check_json_out(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int rc = 0;

	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	if (access(slash ? dir : ".", W_OK | X_OK) < 0) {
		pb_err("--json-out '%s': cannot write in '%s': %s", path,
		    slash ? dir : ".", strerror(errno));
		rc = -1;
	}
	free(dir);
	return rc;
}

/* After the bisection (whatever its outcome), write --json-out FILE. */
static int
run_json_out(const char *path, int rc)
{
	struct error err = ERROR_INIT;

	if (path == NULL || rc == EXIT_USAGE)
		return rc;
	if (report_save(path, REPORT_JSON, &err) < 0) {
		pb_err("--json-out: %s", error_msg(&err));
		error_clear(&err);
		return EXIT_RUNTIME;
	}
	return rc;
}

/* The --good-samples and --bad-samples files, read before anything. */
struct run_samples {
	const char	*path[2];	/* good, bad */
	double		*v[2];
	size_t		*line[2];
	size_t		 n[2];
};

static int
run_samples_load(struct run_samples *rs)
{
	struct error err = ERROR_INIT;
	int i;

	if (!rs->path[0] != !rs->path[1]) {
		pb_err("--good-samples and --bad-samples go together");
		return -1;
	}
	for (i = 0; i < 2 && rs->path[i]; i++) {
		if (samples_load(rs->path[i], &rs->v[i], &rs->line[i],
		    &rs->n[i], &err) < 0) {
			pb_err("%s", error_msg(&err));
			error_clear(&err);
			return -1;
		}
	}
	return 0;
}

static int
run_samples_import(const struct run_samples *rs, struct state *st,
    const char *good, const char *bad, struct error *err)
{
	if (rs->path[0] == NULL)
		return 0;
	if (samples_import(st, "good", good, rs->path[0], rs->v[0],
	    rs->line[0], rs->n[0], err) < 0 ||
	    samples_import(st, "bad", bad, rs->path[1], rs->v[1],
	    rs->line[1], rs->n[1], err) < 0)
		return -1;
	return 0;
}

static void
run_samples_release(struct run_samples *rs)
{
	int i;

	for (i = 0; i < 2; i++) {
		free(rs->v[i]);
		free(rs->line[i]);
	}
}

/* Everything "run" checks before it writes anything. */
static int
run_validate(struct ctx *ctx, struct repo *r, char **goods, size_t ngoods,
    const char *bad, const char *metric, const char *target,
    struct buf *goodids, char *badhex, struct error *err)
{
	struct config *cfg = ctx_config(ctx, r->workdir);
	struct driver_settings s;
	struct bench_set bs;
	struct metric_sel sel;
	struct target *t = NULL;
	struct graph g;
	git_oid badid, *gids, *oids = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;
	int yes, rc;

	if (cfg == NULL)
		return error_set(err, "%s", "");
	if (repo_resolve(r, bad, &badid, err) < 0)
		return -1;
	git_oid_tostr(badhex, GIT_OID_HEXSZ + 1, &badid);
	gids = xcalloc(ngoods, sizeof(*gids));
	for (i = 0; i < ngoods; i++) {
		if (repo_resolve(r, goods[i], &gids[i], err) < 0)
			goto out_fail;
		if (git_oid_equal(&gids[i], &badid)) {
			error_set(err, "good '%s' and bad '%s' are the same "
			    "commit", goods[i], bad);
			goto out_fail;
		}
		if (repo_is_ancestor(r, &gids[i], &badid, &yes, err) < 0)
			goto out_fail;
		if (!yes) {
			error_set(err, "good '%s' is not an ancestor of bad "
			    "'%s'", goods[i], bad);
			goto out_fail;
		}
		git_oid_tostr(hex, sizeof(hex), &gids[i]);
		buf_addf(goodids, "%s%s", i ? " " : "", hex);
	}
	graph_init(&g);
	rc = repo_graph_load(r->git, &badid, gids, ngoods, &g, &oids, err);
	i = g.n;
	graph_release(&g);
	free(oids);
	if (rc < 0)
		goto out_fail;
	if (i <= 1) {
		error_set(err, "nothing to bisect: no commit between good and "
		    "bad '%s'", bad);
		goto out_fail;
	}
	free(gids);
	gids = NULL;
	if (driver_settings_load(&s, cfg, err) < 0)
		return -1;
	bench_set_init(&bs);
	rc = bench_set_load(&bs, cfg, err);
	if (rc == 0) {
		rc = metric_sel_resolve(&bs, metric, &sel, err);
		if (rc == 0)
			metric_sel_release(&sel);
	}
	bench_set_release(&bs);
	if (rc < 0)
		return -1;
	if (target_from_config(&t, cfg, target, ".", err) < 0)
		return -1;
	target_free(t);
	return 0;

out_fail:
	free(gids);
	return -1;
}

int
cmd_check_run(struct ctx *ctx, struct repo *r, char **goods, size_t ngoods,
    const char *bad, const char *metric, const char *target,
    struct buf *goodids, char *badhex, struct error *err)
{
	return run_validate(ctx, r, goods, ngoods, bad, metric, target,
	    goodids, badhex, err);
}

int
cmd_run(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all-culprits", no_argument, NULL, 'A' },
		{ "bad", required_argument, NULL, 'b' },
		{ "bad-samples", required_argument, NULL, 'B' },
		{ "ci", no_argument, NULL, 'C' },
		{ "good", required_argument, NULL, 'g' },
		{ "good-samples", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "json-out", required_argument, NULL, 'J' },
		{ "metric", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "target", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct driver_output out = { 0 };
	struct error err = ERROR_INIT;
	struct run_samples rs = { { NULL, NULL }, { NULL, NULL },
	    { NULL, NULL }, { 0, 0 } };
	struct repo *r = NULL;
	struct state *st = NULL;
	struct config *cfg = NULL;
	struct buf goodids = BUF_INIT;
	char **goods = NULL, *dir = NULL, *path = NULL;
	char badhex[GIT_OID_HEXSZ + 1], goodhex[GIT_OID_HEXSZ + 1], t[32];
	const char *bad = NULL, *metric = NULL, *target = "local";
	const char *json_out = NULL;
	size_t ngoods = 0, alloc = 0;
	int ch, rc = EXIT_USAGE, all = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (run_parse_output(ch, &out))
			continue;
		switch (ch) {
		case 'A':
			all = 1;
			break;
		case 'b':
			bad = optarg;
			break;
		case 'B':
			rs.path[1] = optarg;
			break;
		case 'g':
			GROW(goods, ngoods + 1, alloc);
			goods[ngoods++] = optarg;
			break;
		case 'G':
			rs.path[0] = optarg;
			break;
		case 'J':
			json_out = optarg;
			break;
		case 'm':
			metric = optarg;
			break;
		case 't':
			target = optarg;
			break;
		case 'h':
			free(goods);
			return cmd_usage(run_usage, 1);
		default:
			free(goods);
			return cmd_usage(run_usage, 0);
		}
	}
	if (optind != argc || bad == NULL || ngoods == 0 || metric == NULL) {
		pb_err("run needs --good, --bad and --metric%s; see "
		    "'perfbisect run --help'", optind != argc ?
		    " and no other arguments" : "");
		free(goods);
		return EXIT_USAGE;
	}
	if ((json_out && run_check_json_out(json_out) < 0) ||
	    run_samples_load(&rs) < 0 || run_open_repo(&r) < 0)
		goto out;
	dir = run_state_dir(r);
	if (state_exists(dir)) {
		char *status = NULL;

		if (state_open(&st, dir, STATE_READONLY, &err) == 0)
			state_meta_get(st, "status", &status, &err);
		state_close(st);
		st = NULL;
		error_clear(&err);
		if (status && strcmp(status, "running") == 0)
			pb_err("a bisection is in progress in this repository; "
			    "'perfbisect resume' continues it, 'perfbisect "
			    "reset' discards it");
		else
			pb_err("a finished bisection (%s) is recorded in this "
			    "repository; 'perfbisect report' shows it, "
			    "'perfbisect reset' discards it",
			    status ? status : "unknown");
		free(status);
		goto out;
	}
	/* --all-culprits is recorded with the settings, for resume. */
	if (run_validate(ctx, r, goods, ngoods, bad, metric, target, &goodids,
	    badhex, &err) < 0 || (all && config_override(ctx->config,
	    "bisect.allCulprits=true", &err) < 0)) {
		if (err.msg.len)
			pb_err("%s", error_msg(&err));
		goto out;
	}

	rc = EXIT_RUNTIME;
	if (state_open(&st, dir, STATE_CREATE, &err) < 0)
		goto out_err;
	path = xasprintf("%s/config", dir);
	snprintf(t, sizeof(t), "%lld", (long long)now_wall());
	if (config_write_snapshot(ctx->config, path, &err) < 0 ||
	    state_meta_set(st, "good", goodids.s, &err) < 0 ||
	    state_meta_set(st, "bad", badhex, &err) < 0 ||
	    state_meta_set(st, "metric", metric, &err) < 0 ||
	    state_meta_set(st, "target", target, &err) < 0 ||
	    state_meta_set(st, "started", t, &err) < 0 ||
	    state_meta_set(st, "status", "running", &err) < 0)
		goto out_err;
	snprintf(goodhex, sizeof(goodhex), "%s", goodids.s);
	if (run_samples_import(&rs, st, goodhex, badhex, &err) < 0)
		goto out_err;
	if ((cfg = run_recorded_config(ctx, dir, &err)) == NULL)
		goto out_err;
	rc = driver_main(r, st, cfg, &out);
	state_close(st);
	st = NULL;
	rc = run_json_out(json_out, rc);
	goto out;

out_err:
	pb_err("%s", error_msg(&err));
out:
	config_free(cfg);
	state_close(st);
	repo_free(r);
	buf_release(&goodids);
	run_samples_release(&rs);
	error_clear(&err);
	free(path);
	free(dir);
	free(goods);
	return rc;
}

int
cmd_resume(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ci", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "json-out", required_argument, NULL, 'J' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct driver_output out = { 0 };
	struct error err = ERROR_INIT;
	struct repo *r = NULL;
	struct state *st = NULL;
	struct config *cfg = NULL;
	char *dir = NULL, *status = NULL;
	const char *json_out = NULL;
	int ch, rc = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (run_parse_output(ch, &out))
			continue;
		if (ch == 'J') {
			json_out = optarg;
			continue;
		}
		return cmd_usage(resume_usage, ch == 'h');
	}
	if (optind != argc)
		return cmd_usage(resume_usage, 0);
	if ((json_out && run_check_json_out(json_out) < 0) ||
	    run_open_repo(&r) < 0)
		return EXIT_USAGE;
	dir = run_state_dir(r);
	if (state_open(&st, dir, 0, &err) < 0 ||
	    state_meta_get(st, "status", &status, &err) < 0)
		goto out_err;
	if (status == NULL || strcmp(status, "running") != 0) {
		pb_err("nothing to resume: the bisection is %s",
		    status ? status : "not started");
		goto out;
	}
	if ((cfg = run_recorded_config(ctx, dir, &err)) == NULL)
		goto out_err;
	rc = driver_main(r, st, cfg, &out);
	state_close(st);
	st = NULL;
	rc = run_json_out(json_out, rc);
	goto out;

out_err:
	pb_err("%s", error_msg(&err));
out:
	free(status);
	config_free(cfg);
	state_close(st);
	repo_free(r);
	error_clear(&err);
	free(dir);
	return rc;
}

/* Open the record read-only for status, log and report. */
int
cmd_open_record(struct repo **r, struct state **st, struct error *err)
{
	char *dir;
	int rc;

	if (repo_open(r, NULL, err) < 0)
		return -1;
	dir = run_state_dir(*r);
	rc = state_open(st, dir, STATE_READONLY, err);
	free(dir);
	if (rc < 0) {
		repo_free(*r);
		*r = NULL;
	}
	return rc;
}

int
cmd_status(struct ctx *ctx, int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct repo *r = NULL;
	struct state *st = NULL;
	struct verdict_rec *v = NULL;
	struct boot_rec *b = NULL;
	char *status = NULL, *metric = NULL, *good = NULL, *bad = NULL;
	char *culprit = NULL;
	size_t nv = 0, nb = 0, i;
	int rc;

	(void)ctx;
	if ((rc = cmd_no_args(argc, argv, status_usage)) >= 0)
		return rc;
	rc = EXIT_RUNTIME;
	if (cmd_open_record(&r, &st, &err) < 0) {
		pb_err("%s", error_msg(&err));
		error_clear(&err);
		return EXIT_USAGE;
	}
	if (state_meta_get(st, "status", &status, &err) < 0 ||
	    state_meta_get(st, "metric", &metric, &err) < 0 ||
	    state_meta_get(st, "good", &good, &err) < 0 ||
	    state_meta_get(st, "bad", &bad, &err) < 0 ||
	    state_meta_get(st, "culprit", &culprit, &err) < 0 ||
	    state_verdicts(st, &v, &nv, &err) < 0 ||
	    state_boots(st, NULL, NULL, &b, &nb, &err) < 0) {
		pb_err("%s", error_msg(&err));
		goto out;
	}
	printf("status: %s\nmetric: %s\ngood: %s\nbad: %s\n",
	    status ? status : "unknown", metric ? metric : "",
	    good ? good : "", bad ? bad : "");
	printf("boots: %zu\nsteps: %zu\n", nb, nv);
	for (i = 0; i < nv; i++)
		printf("  step %d: %.12s %s (%d boots, mean %.6g)\n",
		    v[i].step, v[i].commit, v[i].verdict, v[i].boots,
		    v[i].mean);
	if (culprit)
		printf("culprit: %s\n", culprit);
	rc = EXIT_FOUND;
out:
	for (i = 0; i < nv; i++)
		verdict_rec_release(&v[i]);
	for (i = 0; i < nb; i++)
		boot_rec_release(&b[i]);
	free(v);
	free(b);
	free(status);
	free(metric);
	free(good);
	free(bad);
	free(culprit);
	state_close(st);
	repo_free(r);
	error_clear(&err);
	return rc;
}

static void
log_line(struct repo *r, const char *what, const char *hex)
{
	struct commit_info ci;
	struct error err = ERROR_INIT;
	git_oid id;

	git_oid_fromstr(&id, hex);
	if (repo_commit_info(r, &id, &ci, &err) == 0) {
		printf("# %s: [%s] %s\n", what, hex, ci.subject);
		commit_info_release(&ci);
	}
	error_clear(&err);
	printf("git bisect %s %s\n", what, hex);
}

int
cmd_log(struct ctx *ctx, int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct repo *r = NULL;
	struct state *st = NULL;
	struct verdict_rec *v = NULL;
	char *good = NULL, *bad = NULL, *culprit = NULL, *tok;
	const char *last_bad;
	size_t nv = 0, i;
	int rc;

	(void)ctx;
	if ((rc = cmd_no_args(argc, argv, log_usage)) >= 0)
		return rc;
	rc = EXIT_RUNTIME;
	if (cmd_open_record(&r, &st, &err) < 0) {
		pb_err("%s", error_msg(&err));
		error_clear(&err);
		return EXIT_USAGE;
	}
	if (state_meta_get(st, "good", &good, &err) < 0 ||
	    state_meta_get(st, "bad", &bad, &err) < 0 ||
	    state_meta_get(st, "culprit", &culprit, &err) < 0 ||
	    state_verdicts(st, &v, &nv, &err) < 0 || !good || !bad) {
		pb_err("%s", err.msg.len ? error_msg(&err) :
		    "the record is incomplete");
		goto out;
	}
	printf("git bisect start\n");
	log_line(r, "bad", bad);
	last_bad = bad;
	for (tok = good; *tok; tok += strspn(tok, " ")) {
		size_t len = strcspn(tok, " ");
		char c = tok[len];

		tok[len] = '\0';
		log_line(r, "good", tok);
		tok[len] = c;
		tok += len;
	}
	for (i = 0; i < nv; i++) {
		log_line(r, v[i].verdict, v[i].commit);
		if (strcmp(v[i].verdict, "bad") == 0)
			last_bad = v[i].commit;
	}
	if (culprit) {
		struct commit_info ci;
		git_oid id;

		/*
		 * git bisect replay takes the last bad as its bad: the
		 * posterior search may have measured descendants of the
		 * culprit after it, so end with the culprit.
		 */
		if (strcmp(last_bad, culprit) != 0)
			log_line(r, "bad", culprit);
		git_oid_fromstr(&id, culprit);
		if (repo_commit_info(r, &id, &ci, &err) == 0) {
			printf("# first bad commit: [%s] %s\n", culprit,
			    ci.subject);
			commit_info_release(&ci);
		}
	}
	rc = EXIT_FOUND;
out:
	for (i = 0; i < nv; i++)
		verdict_rec_release(&v[i]);
	free(v);
	free(good);
	free(bad);
	free(culprit);
	state_close(st);
	repo_free(r);
	error_clear(&err);
	return rc;
}

int
cmd_reset(struct ctx *ctx, int argc, char **argv)
{
	struct error err = ERROR_INIT;
	struct repo *r = NULL;
	struct state *st = NULL;
	char *dir;
	int rc;

	(void)ctx;
	if ((rc = cmd_no_args(argc, argv, reset_usage)) >= 0)
		return rc;
	rc = EXIT_FOUND;
	if (run_open_repo(&r) < 0)
		return EXIT_USAGE;
	dir = run_state_dir(r);
	if (!state_exists(dir)) {
		printf("no bisection to reset\n");
	} else if (state_open(&st, dir, 0, &err) < 0) {
		pb_err("%s", error_msg(&err));
		rc = EXIT_RUNTIME;
	} else {
		if (remove_tree(dir, &err) < 0) {
			pb_err("%s", error_msg(&err));
			rc = EXIT_RUNTIME;
		}
		state_close(st);
	}
	free(dir);
	repo_free(r);
	error_clear(&err);
	return rc;
}
