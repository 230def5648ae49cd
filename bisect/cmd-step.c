/* SPDX-License-Identifier: MIT */
/*
 * cmd-step.c - "perfbisect step", for "git bisect run perfbisect step".
 *
 * git bisect checks a commit out and runs us; we build, boot and measure
 * the commit at HEAD the way a step of "run" is measured, against the
 * endpoint values of the bisection recorded in this repository (or of
 * sample files, which then start a record), and exit as git bisect run
 * reads it: 0 good, 1 bad, 125 skip, 128 abort.  An error of any kind,
 * even a usage error, must be 128: any status from 1 to 127 would tell
 * git the commit is bad.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "bisect/cmd.h"
#include "bisect/config.h"
#include "bisect/driver.h"
#include "bisect/repo.h"
#include "bisect/samples.h"
#include "bisect/state.h"

static const char step_usage[] =
    "usage: perfbisect step [--ci] [--quiet] "
    "[--good-samples file --bad-samples file\n"
    "                       --metric selector [--target name]]\n";

struct step_opts {
	struct driver_output out;
	const char	*samples[2];	/* good, bad */
	const char	*metric;
	const char	*target;
};

/* The endpoints of the git bisect in progress: refs/bisect/{bad,good-*}. */
static int
step_bisect_refs(struct repo *r, char *good, char *bad, struct error *err)
{
	git_reference_iterator *it;
	git_reference *ref;
	git_oid id;
	int found = 0;

	if (git_reference_name_to_id(&id, r->git, "refs/bisect/bad") < 0)
		return error_set(err, "no git bisect in progress (no "
		    "refs/bisect/bad): 'git bisect start BAD GOOD' first");
	git_oid_tostr(bad, GIT_OID_HEXSZ + 1, &id);
	if (git_reference_iterator_glob_new(&it, r->git,
	    "refs/bisect/good-*") < 0)
		return repo_git_error(err, "refs/bisect/good-*");
	while (!found && git_reference_next(&ref, it) == 0) {
		if (git_reference_target(ref) != NULL) {
			git_oid_tostr(good, GIT_OID_HEXSZ + 1,
			    git_reference_target(ref));
			found = 1;
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if (!found)
		return error_set(err, "the git bisect in progress has no good "
		    "commit yet");
	return 0;
}

/*
 * Start a record for sample files: the endpoints of the git bisect in
 * progress, the samples imported as their boots, status "stepping".
 */
static int
step_create(struct ctx *ctx, struct repo *r, const char *dir,
    const struct step_opts *o, struct error *err)
{
	struct buf goodids = BUF_INIT;
	struct state *st = NULL;
	double *v[2] = { NULL, NULL };
	size_t *line[2] = { NULL, NULL }, n[2] = { 0, 0 };
	char good[GIT_OID_HEXSZ + 1], bad[GIT_OID_HEXSZ + 1], t[32];
	char *goods[1], *path = NULL;
	int i, rc = -1;

	if (o->metric == NULL)
		return error_set(err, "step with sample files needs --metric");
	for (i = 0; i < 2; i++)
		if (samples_load(o->samples[i], &v[i], &line[i], &n[i],
		    err) < 0)
			goto out;
	if (step_bisect_refs(r, good, bad, err) < 0)
		goto out;
	goods[0] = good;
	if (cmd_check_run(ctx, r, goods, 1, bad, o->metric, o->target,
	    &goodids, bad, err) < 0)
		goto out;
	if (state_open(&st, dir, STATE_CREATE, err) < 0)
		goto out;
	path = xasprintf("%s/config", dir);
	snprintf(t, sizeof(t), "%lld", (long long)now_wall());
	if (config_write_snapshot(ctx->config, path, err) < 0 ||
	    state_meta_set(st, "good", good, err) < 0 ||
	    state_meta_set(st, "bad", bad, err) < 0 ||
	    state_meta_set(st, "metric", o->metric, err) < 0 ||
	    state_meta_set(st, "target", o->target, err) < 0 ||
	    state_meta_set(st, "started", t, err) < 0 ||
	    samples_import(st, "good", good, o->samples[0], v[0], line[0],
	    n[0], err) < 0 ||
	    samples_import(st, "bad", bad, o->samples[1], v[1], line[1],
	    n[1], err) < 0 ||
	    state_meta_set(st, "status", "stepping", err) < 0)
		goto out;
	rc = 0;
out:
	state_close(st);
	for (i = 0; i < 2; i++) {
		free(v[i]);
		free(line[i]);
	}
	free(path);
	buf_release(&goodids);
	return rc;
}

/* The samples given must be the ones the record imported. */
static int
step_same_samples(struct state *st, const struct step_opts *o,
    struct error *err)
{
	static const char *const roles[] = { "good", "bad" };
	struct buf a = BUF_INIT, b = BUF_INIT;
	char *key, *copy = NULL;
	int i, rc = 0;

	for (i = 0; i < 2 && rc == 0; i++) {
		key = xasprintf("%s_samples", roles[i]);
		rc = state_meta_get(st, key, &copy, err);
		free(key);
		buf_reset(&a);
		buf_reset(&b);
		if (rc == 0 && copy == NULL)
			rc = error_set(err, "the bisection in '%s' measured "
			    "its endpoints; give no sample files, or 'perfbisect "
			    "reset' it first", state_dir(st));
		if (rc == 0 && (read_file(copy, &a, err) < 0 ||
		    read_file(o->samples[i], &b, err) < 0))
			rc = -1;
		if (rc == 0 && (a.len != b.len || memcmp(a.s, b.s, a.len)))
			rc = error_set(err, "'%s' differs from the %s samples "
			    "the bisection in '%s' imported; 'perfbisect reset' "
			    "first", o->samples[i], roles[i], state_dir(st));
		free(copy);
		copy = NULL;
	}
	buf_release(&a);
	buf_release(&b);
	return rc;
}

/* The step number of hex: its earlier one, or one past the last. */
static int
step_number(struct state *st, const char *hex, int *step, struct error *err)
{
	struct verdict_rec *v;
	size_t n, i;

	if (state_verdicts(st, &v, &n, err) < 0)
		return -1;
	*step = 1;
	for (i = 0; i < n; i++)
		if (v[i].step >= *step)
			*step = v[i].step + 1;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].commit, hex) == 0)
			*step = v[i].step;
		verdict_rec_release(&v[i]);
	}
	free(v);
	return 0;
}

static int
step_parse(int argc, char **argv, struct step_opts *o)
{
	static const struct option opts[] = {
		{ "bad-samples", required_argument, NULL, 'B' },
		{ "ci", no_argument, NULL, 'C' },
		{ "good-samples", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "metric", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "target", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'B':
			o->samples[1] = optarg;
			break;
		case 'C':
			o->out.ci = 1;
			break;
		case 'G':
			o->samples[0] = optarg;
			break;
		case 'm':
			o->metric = optarg;
			break;
		case 'q':
			o->out.quiet = 1;
			break;
		case 't':
			o->target = optarg;
			break;
		case 'h':
			cmd_usage(step_usage, 1);
			return 1;
		default:
			fputs(step_usage, stderr);
			return -1;
		}
	}
	if (optind != argc) {
		pb_err("step takes no arguments; see 'perfbisect step --help'");
		return -1;
	}
	if (!o->samples[0] != !o->samples[1]) {
		pb_err("--good-samples and --bad-samples go together");
		return -1;
	}
	if (!o->samples[0] && (o->metric || o->target)) {
		pb_err("--metric and --target go with sample files; a recorded "
		    "bisection has its own");
		return -1;
	}
	if (o->target == NULL)
		o->target = "local";
	return 0;
}

int
cmd_step(struct ctx *ctx, int argc, char **argv)
{
	struct step_opts o;
	struct error err = ERROR_INIT;
	struct repo *r = NULL;
	struct state *st = NULL;
	struct config *cfg = NULL;
	char hex[GIT_OID_HEXSZ + 1], *dir = NULL;
	git_oid head;
	int step, rc;

	memset(&o, 0, sizeof(o));
	if ((rc = step_parse(argc, argv, &o)) != 0)
		return rc > 0 ? DRIVER_STEP_GOOD : DRIVER_STEP_ABORT;
	rc = DRIVER_STEP_ABORT;
	if (repo_open(&r, NULL, &err) < 0)
		goto out_err;
	if (git_reference_name_to_id(&head, r->git, "HEAD") < 0) {
		repo_git_error(&err, "HEAD");
		goto out_err;
	}
	git_oid_tostr(hex, sizeof(hex), &head);
	dir = cmd_state_dir(r);
	if (!state_exists(dir)) {
		if (o.samples[0] == NULL) {
			error_set(&err, "no bisection is recorded in '%s': let "
			    "'perfbisect run' measure the endpoints, or give "
			    "--good-samples and --bad-samples", dir);
			goto out_err;
		}
		if (step_create(ctx, r, dir, &o, &err) < 0)
			goto out_err;
	}
	if (state_open(&st, dir, 0, &err) < 0 ||
	    (o.samples[0] && step_same_samples(st, &o, &err) < 0) ||
	    step_number(st, hex, &step, &err) < 0 ||
	    (cfg = cmd_recorded_config(ctx, dir, &err)) == NULL)
		goto out_err;
	rc = driver_step(r, st, cfg, &o.out, hex, step);
	goto out;

out_err:
	if (err.msg.len)
		pb_err("%s", error_msg(&err));
out:
	config_free(cfg);
	state_close(st);
	repo_free(r);
	error_clear(&err);
	free(dir);
	return rc;
}
