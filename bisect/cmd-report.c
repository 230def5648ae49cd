/* SPDX-License-Identifier: MIT */
/*
 * cmd-report.c - the report of a bisection, as text for a regression
 * report or as JSON.
 *
 * Every number is recomputed from the recorded boot values with the
 * settings the bisection recorded, so the report says exactly what the
 * record supports, also while the bisection is still running.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>
#include <jansson.h>

#include "bisect/cmd.h"
#include "bisect/config.h"
#include "bisect/driver.h"
#include "bisect/repo.h"
#include "bisect/state.h"
#include "metrics/bench.h"
#include "stats/verdict.h"

static const char report_usage[] = "usage: perfbisect report [--json]\n";

struct values {
	double	*v;
	size_t	 n;
	size_t	 alloc;
};

struct report {
	struct repo	*repo;
	struct state	*st;
	struct config	*cfg;
	struct verdict_params vp;
	struct metric_sel sel;
	int		 have_sel;
	char		*status;
	char		*metric;
	char		*good;		/* space-separated */
	char		*bad;
	char		*culprit;
	char		*candidates;
	char		*target;
	struct values	 goodv;
	struct values	 badv;
	struct verdict_rec *steps;
	size_t		 nsteps;
};

/* The values of the successful boots of commit in role. */
static int
report_values(struct report *rp, const char *commit, const char *role,
    struct values *out, struct error *err)
{
	struct boot_rec *b;
	size_t n, i;

	if (state_boots(rp->st, commit, role, &b, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (b[i].has_value && b[i].outcome &&
		    strcmp(b[i].outcome, "ok") == 0) {
			GROW(out->v, out->n + 1, out->alloc);
			out->v[out->n++] = b[i].value;
		}
		boot_rec_release(&b[i]);
	}
	free(b);
	return 0;
}

static void
report_release(struct report *rp)
{
	size_t i;

	for (i = 0; i < rp->nsteps; i++)
		verdict_rec_release(&rp->steps[i]);
	free(rp->steps);
	free(rp->goodv.v);
	free(rp->badv.v);
	free(rp->status);
	free(rp->metric);
	free(rp->good);
	free(rp->bad);
	free(rp->culprit);
	free(rp->candidates);
	free(rp->target);
	if (rp->have_sel)
		metric_sel_release(&rp->sel);
	config_free(rp->cfg);
	state_close(rp->st);
	repo_free(rp->repo);
}

static int
report_load(struct report *rp, struct error *err)
{
	struct driver_settings s;
	struct bench_set bs;
	char *path, first[GIT_OID_HEXSZ + 1];
	int rc;

	if (cmd_open_record(&rp->repo, &rp->st, err) < 0)
		return -1;
	if (state_meta_get(rp->st, "status", &rp->status, err) < 0 ||
	    state_meta_get(rp->st, "metric", &rp->metric, err) < 0 ||
	    state_meta_get(rp->st, "good", &rp->good, err) < 0 ||
	    state_meta_get(rp->st, "bad", &rp->bad, err) < 0 ||
	    state_meta_get(rp->st, "culprit", &rp->culprit, err) < 0 ||
	    state_meta_get(rp->st, "candidates", &rp->candidates, err) < 0 ||
	    state_meta_get(rp->st, "target", &rp->target, err) < 0)
		return -1;
	if (!rp->good || !rp->bad || !rp->metric)
		return error_set(err, "the record in '%s' is incomplete",
		    state_dir(rp->st));
	path = xasprintf("%s/config", state_dir(rp->st));
	rc = config_open(&rp->cfg, path, 1, err);
	free(path);
	if (rc < 0 || driver_settings_load(&s, rp->cfg, err) < 0)
		return -1;
	verdict_params_default(&rp->vp);
	rp->vp.alpha = s.alpha;
	rp->vp.beta = s.beta;
	rp->vp.step_alpha = s.alpha;
	rp->vp.step_beta = s.beta;
	rp->vp.min_effect = s.min_effect;
	rp->vp.level = s.level;
	rp->vp.seed = (uint64_t)s.seed;
	bench_set_init(&bs);
	rc = bench_set_load(&bs, rp->cfg, err);
	if (rc == 0)
		rc = metric_sel_resolve(&bs, rp->metric, &rp->sel, err);
	if (rc == 0) {
		rp->have_sel = 1;
		rp->vp.better = rp->sel.better;
		/* bench pointers die with the set: keep what we use */
		rp->sel.bench = NULL;
	}
	bench_set_release(&bs);
	if (rc < 0)
		return -1;
	snprintf(first, sizeof(first), "%.*s", GIT_OID_HEXSZ, rp->good);
	if (report_values(rp, first, "good", &rp->goodv, err) < 0 ||
	    report_values(rp, rp->bad, "bad", &rp->badv, err) < 0 ||
	    state_verdicts(rp->st, &rp->steps, &rp->nsteps, err) < 0)
		return -1;
	return 0;
}

static json_t *
report_json_values(const struct values *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < v->n; i++)
		json_array_append_new(a, json_real(v->v[i]));
	return a;
}

static json_t *
report_json_summary(const char *commit, const struct values *v)
{
	struct summary s;
	json_t *o = json_object();

	json_object_set_new(o, "commit", json_string(commit));
	json_object_set_new(o, "boots", json_integer((json_int_t)v->n));
	if (stats_summary(v->v, v->n, &s) == 0) {
		json_object_set_new(o, "mean", json_real(s.mean));
		json_object_set_new(o, "sd", json_real(s.sd));
		json_object_set_new(o, "median", json_real(s.median));
		json_object_set_new(o, "cv", json_real(s.cv));
	}
	json_object_set_new(o, "samples", report_json_values(v));
	return o;
}

static json_t *
report_json_commit(struct report *rp, const char *hex)
{
	struct commit_info ci;
	struct error err = ERROR_INIT;
	json_t *o = json_object();
	git_oid id;

	json_object_set_new(o, "commit", json_string(hex));
	git_oid_fromstr(&id, hex);
	if (repo_commit_info(rp->repo, &id, &ci, &err) == 0) {
		json_object_set_new(o, "subject", json_string(ci.subject));
		json_object_set_new(o, "author", json_string(ci.author));
		json_object_set_new(o, "date", json_integer(ci.time));
		json_object_set_new(o, "parent", json_string(ci.parent));
		commit_info_release(&ci);
	}
	error_clear(&err);
	return o;
}

static int
report_confirm(struct report *rp, struct confirm_result *cr, size_t *np,
    size_t *nc, struct error *err)
{
	struct values p = { 0 }, c = { 0 };
	int rc = 1;

	if (rp->culprit == NULL)
		return 1;
	if (report_values(rp, NULL, "parent", &p, err) < 0 ||
	    report_values(rp, rp->culprit, "culprit", &c, err) < 0)
		rc = -1;
	else if (p.n >= 2 && c.n >= 2 && verdict_confirm(p.v, p.n, c.v, c.n,
	    rp->goodv.v, rp->goodv.n, rp->badv.v, rp->badv.n, &rp->vp,
	    cr) == 0)
		rc = 0;
	*np = p.n;
	*nc = c.n;
	free(p.v);
	free(c.v);
	return rc;
}

static int
report_json(struct report *rp, struct error *err)
{
	struct reproduce_result rr;
	struct confirm_result cr;
	json_t *root = json_object(), *steps = json_array(), *o;
	char first[GIT_OID_HEXSZ + 1];
	size_t i, np = 0, nc = 0;
	char *text;
	int rc;

	snprintf(first, sizeof(first), "%.*s", GIT_OID_HEXSZ, rp->good);
	json_object_set_new(root, "status", json_string(rp->status ?
	    rp->status : "unknown"));
	o = json_object();
	json_object_set_new(o, "selector", json_string(rp->metric));
	json_object_set_new(o, "unit", json_string(rp->sel.unit ?
	    rp->sel.unit : ""));
	json_object_set_new(o, "better", json_string(rp->vp.better ==
	    BETTER_LOWER ? "lower" : "higher"));
	json_object_set_new(root, "metric", o);
	json_object_set_new(root, "target", json_string(rp->target));
	json_object_set_new(root, "good", report_json_summary(first,
	    &rp->goodv));
	json_object_set_new(root, "bad", report_json_summary(rp->bad,
	    &rp->badv));
	if (rp->goodv.n >= 2 && rp->badv.n >= 2 &&
	    verdict_reproduce(rp->goodv.v, rp->goodv.n, rp->badv.v,
	    rp->badv.n, &rp->vp, 1, &rr) == 0) {
		o = json_object();
		json_object_set_new(o, "reproduced", json_boolean(rr.outcome ==
		    REPRO_YES));
		json_object_set_new(o, "effect", json_real(rr.effect));
		json_object_set_new(o, "lo", json_real(rr.effect_lo));
		json_object_set_new(o, "hi", json_real(rr.effect_hi));
		json_object_set_new(o, "level", json_real(rp->vp.level));
		json_object_set_new(o, "p_welch", json_real(rr.p_welch));
		json_object_set_new(o, "p_mann_whitney", json_real(rr.p_mw));
		json_object_set_new(o, "reason", json_string(rr.reason));
		json_object_set_new(root, "endpoints", o);
	}
	if (rp->culprit) {
		o = report_json_commit(rp, rp->culprit);
		rc = report_confirm(rp, &cr, &np, &nc, err);
		if (rc < 0) {
			json_decref(o);
			json_decref(root);
			json_decref(steps);
			return -1;
		}
		if (rc == 0) {
			json_t *c = json_object();

			json_object_set_new(c, "confirmed",
			    json_boolean(cr.confirmed));
			json_object_set_new(c, "effect", json_real(cr.effect));
			json_object_set_new(c, "lo", json_real(cr.effect_lo));
			json_object_set_new(c, "hi", json_real(cr.effect_hi));
			json_object_set_new(c, "shift", json_real(cr.shift));
			json_object_set_new(c, "shift_lo",
			    json_real(cr.shift_lo));
			json_object_set_new(c, "shift_hi",
			    json_real(cr.shift_hi));
			json_object_set_new(c, "p", json_real(cr.p));
			json_object_set_new(c, "share", json_real(cr.share));
			json_object_set_new(c, "parent_boots",
			    json_integer((json_int_t)np));
			json_object_set_new(c, "culprit_boots",
			    json_integer((json_int_t)nc));
			json_object_set_new(c, "reason", json_string(cr.reason));
			json_object_set_new(o, "confirmation", c);
		}
		json_object_set_new(root, "culprit", o);
	} else
		json_object_set_new(root, "culprit", json_null());
	if (rp->candidates) {
		json_t *a = json_array();
		const char *p = rp->candidates;

		while (*p) {
			size_t len = strcspn(p, " ");
			char *id = xstrndup(p, len);

			json_array_append_new(a, report_json_commit(rp, id));
			free(id);
			p += len;
			p += strspn(p, " ");
		}
		json_object_set_new(root, "candidates", a);
	}
	for (i = 0; i < rp->nsteps; i++) {
		struct verdict_rec *v = &rp->steps[i];
		struct values x = { 0 };

		if (report_values(rp, v->commit, "step", &x, err) < 0) {
			json_decref(root);
			json_decref(steps);
			return -1;
		}
		o = report_json_commit(rp, v->commit);
		json_object_set_new(o, "step", json_integer(v->step));
		json_object_set_new(o, "verdict", json_string(v->verdict));
		json_object_set_new(o, "reason", json_string(v->reason ?
		    v->reason : ""));
		json_object_set_new(o, "partial", json_boolean(v->partial));
		json_object_set_new(o, "boots", json_integer(v->boots));
		json_object_set_new(o, "mean", json_real(v->mean));
		json_object_set_new(o, "llr", json_real(v->llr));
		json_object_set_new(o, "p_good", json_real(v->p_good));
		json_object_set_new(o, "p_bad", json_real(v->p_bad));
		json_object_set_new(o, "samples", report_json_values(&x));
		free(x.v);
		json_array_append_new(steps, o);
	}
	json_object_set_new(root, "steps", steps);
	o = json_object();
	json_object_set_new(o, "dir", json_string(state_dir(rp->st)));
	text = xasprintf("%s/runs", state_dir(rp->st));
	json_object_set_new(o, "outputs", json_string(text));
	free(text);
	text = xasprintf("%s/builds", state_dir(rp->st));
	json_object_set_new(o, "build_logs", json_string(text));
	free(text);
	json_object_set_new(root, "state", o);
	text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (text == NULL)
		return error_set(err, "cannot encode the report");
	puts(text);
	free(text);
	return 0;
}

static void
report_text_summary(const char *label, const char *commit,
    const struct values *v)
{
	struct summary s;

	if (stats_summary(v->v, v->n, &s) < 0) {
		printf("  %-8s %.12s  (%zu boots)\n", label, commit, v->n);
		return;
	}
	printf("  %-8s %.12s  mean %-12.6g sd %-10.4g cv %6.2f%%  boots %zu\n",
	    label, commit, s.mean, s.sd, s.cv * 100, s.n);
}

static int
report_text(struct report *rp, struct error *err)
{
	struct reproduce_result rr;
	struct confirm_result cr;
	struct commit_info ci;
	char first[GIT_OID_HEXSZ + 1], date[64];
	size_t i, np, nc;
	git_oid id;
	time_t t;
	int rc;

	snprintf(first, sizeof(first), "%.*s", GIT_OID_HEXSZ, rp->good);
	printf("perfbisect report: %s\n", rp->status ? rp->status : "unknown");
	printf("metric: %s (%s is better%s%s)\n", rp->metric,
	    rp->vp.better == BETTER_LOWER ? "lower" : "higher",
	    rp->sel.unit && rp->sel.unit[0] ? ", unit " : "",
	    rp->sel.unit ? rp->sel.unit : "");
	printf("target: %s\n\n", rp->target ? rp->target : "local");
	if (rp->culprit) {
		git_oid_fromstr(&id, rp->culprit);
		if (repo_commit_info(rp->repo, &id, &ci, err) < 0)
			return -1;
		t = (time_t)ci.time;
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC",
		    gmtime(&t));
		printf("first bad commit: %s\n    %s\n    Author: %s\n"
		    "    Date:   %s\n\n", ci.id, ci.subject, ci.author, date);
		commit_info_release(&ci);
	} else if (rp->candidates)
		printf("inconclusive: the first bad commit is one of: %s\n\n",
		    rp->candidates);
	printf("endpoints:\n");
	report_text_summary("good", first, &rp->goodv);
	report_text_summary("bad", rp->bad, &rp->badv);
	if (rp->goodv.n >= 2 && rp->badv.n >= 2 &&
	    verdict_reproduce(rp->goodv.v, rp->goodv.n, rp->badv.v,
	    rp->badv.n, &rp->vp, 1, &rr) == 0)
		printf("  change   %+.2f%%, %.0f%% interval [%+.2f%%, %+.2f%%], "
		    "p(Welch) %.2g, p(Mann-Whitney) %.2g\n",
		    rr.effect * 100, rp->vp.level * 100, rr.effect_lo * 100,
		    rr.effect_hi * 100, rr.p_welch, rr.p_mw);
	rc = report_confirm(rp, &cr, &np, &nc, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		printf("\nculprit against its parent (%zu and %zu boots):\n"
		    "  effect   %+.2f%%, interval [%+.2f%%, %+.2f%%], p %.2g, "
		    "%.0f%% of the good-to-bad change%s\n", np, nc,
		    cr.effect * 100, cr.effect_lo * 100, cr.effect_hi * 100,
		    cr.p, cr.share * 100, cr.confirmed ? "" :
		    " (NOT confirmed)");
	if (rc == 0 && cr.share < 0.8)
		printf("  note: the culprit explains less than 80%% of the "
		    "change; other commits contribute\n");
	printf("\ntested commits:\n");
	printf("  %-4s %-12s %-7s %5s %12s  %s\n", "step", "commit",
	    "verdict", "boots", "mean", "subject");
	for (i = 0; i < rp->nsteps; i++) {
		struct verdict_rec *v = &rp->steps[i];
		const char *subject = "";

		git_oid_fromstr(&id, v->commit);
		if (repo_commit_info(rp->repo, &id, &ci, err) == 0)
			subject = ci.subject;
		printf("  %-4d %.12s %-7s %5d %12.6g  %s\n", v->step, v->commit,
		    v->verdict, v->boots, v->mean, subject);
		if (strcmp(v->verdict, "skip") == 0 && v->reason)
			printf("       skipped: %s\n", v->reason);
		if (subject[0])
			commit_info_release(&ci);
		error_clear(err);
	}
	printf("\nraw outputs: %s/runs\nbuild logs:  %s/builds\n",
	    state_dir(rp->st), state_dir(rp->st));
	printf("reproduce:   perfbisect run --good %.12s --bad %.12s "
	    "--metric '%s' --target %s\n", first, rp->bad, rp->metric,
	    rp->target ? rp->target : "local");
	return 0;
}

int
cmd_report(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct report rp;
	struct error err = ERROR_INIT;
	int ch, json = 0, rc;

	(void)ctx;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else
			return cmd_usage(report_usage, ch == 'h');
	}
	if (optind != argc)
		return cmd_usage(report_usage, 0);
	memset(&rp, 0, sizeof(rp));
	rc = report_load(&rp, &err);
	if (rc == 0)
		rc = json ? report_json(&rp, &err) : report_text(&rp, &err);
	if (rc < 0)
		pb_err("%s", error_msg(&err));
	report_release(&rp);
	error_clear(&err);
	return rc < 0 ? EXIT_RUNTIME : EXIT_FOUND;
}
