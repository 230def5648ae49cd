/* SPDX-License-Identifier: MIT */
/*
 * cmd-report.c - the report of a bisection: plain text for a regression
 * report on a mailing list, JSON with every measurement, an HTML page
 * with a plot, or the raw samples as CSV.
 *
 * Every number is recomputed from the recorded boot values with the
 * settings the bisection recorded, so the report says exactly what the
 * record supports, also while the bisection is still running.  The
 * writers print to rp->out: standard output, or a memory stream that
 * report_save() puts in a file atomically.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <jansson.h>

#include "bisect/cmd.h"
#include "bisect/config.h"
#include "bisect/driver.h"
#include "bisect/proc.h"
#include "bisect/repo.h"
#include "bisect/samples.h"
#include "bisect/state.h"
#include "metrics/bench.h"
#include "stats/verdict.h"

#define REPORT_GNUPLOT_MS	30000	/* gnuplot's deadline */

static const char report_usage[] =
    "usage: perfbisect report [--json | --csv | --html file]\n";

struct values {
	double	*v;
	size_t	 n;
	size_t	 alloc;
};

/* Milliseconds spent per phase. */
struct timing {
	int64_t	 build;
	int64_t	 install;
	int64_t	 boot;
	int64_t	 bench;
};

/* What the driver probed on the machine (meta "machine.*"). */
static const char *const report_machine_keys[] = {
	"kind", "target_host", "host", "arch", "release", "cmdline", "cpu",
	"cpus",
};
#define REPORT_NMACHINE ARRAY_SIZE(report_machine_keys)

struct report {
	FILE		*out;
	int		 tty;		/* out is a terminal: bold and colour */
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
	char		*culprits;	/* bisect.allCulprits: every one */
	char		*candidates;
	char		*target;
	char		*samples[2];	/* kept copies of imported samples */
	char		*machine[REPORT_NMACHINE];
	char		 first[GIT_OID_HEXSZ + 1];	/* the measured good */
	struct values	 goodv;
	struct values	 badv;
	struct verdict_rec *steps;
	size_t		 nsteps;
	struct build_rec *builds;
	size_t		 nbuilds;
	struct event_rec *installs;	/* "COMMIT MS" */
	size_t		 ninstalls;
	struct event_rec *aheads;	/* "COMMIT STATUS MS WAITED_MS" */
	size_t		 naheads;
};

/* The values of the successful boots of commit in role. */
static int
report_values(struct report *rp, const char *commit, const char *role,
    struct values *out, struct error *err)
{
	int rc = samples_boot_values(rp->st, commit, role, 0, 0, 0, &out->v,
	    &out->n, err);

	/* It grows v itself: what it holds is all that is known. */
	out->alloc = out->n;
	return rc;
}

/*
 * The level-confidence interval of the mean of v: Student's t, got as
 * Welch's interval against a constant (which adds no variance and leaves
 * n - 1 degrees of freedom).  -1 with fewer than two values.
 */
static int
report_interval(const struct values *v, double level, double *lo,
    double *hi)
{
	static const double zero[2] = { 0, 0 };

	if (v->n < 2)
		return -1;
	return stats_welch_interval(v->v, v->n, zero, 2, level, lo, hi);
}

static void
report_release(struct report *rp)
{
	size_t i;

	for (i = 0; i < rp->nsteps; i++)
		verdict_rec_release(&rp->steps[i]);
	for (i = 0; i < rp->nbuilds; i++)
		build_rec_release(&rp->builds[i]);
	for (i = 0; i < rp->ninstalls; i++)
		event_rec_release(&rp->installs[i]);
	for (i = 0; i < rp->naheads; i++)
		event_rec_release(&rp->aheads[i]);
	free(rp->aheads);
	for (i = 0; i < REPORT_NMACHINE; i++)
		free(rp->machine[i]);
	free(rp->steps);
	free(rp->builds);
	free(rp->installs);
	free(rp->goodv.v);
	free(rp->badv.v);
	free(rp->status);
	free(rp->metric);
	free(rp->good);
	free(rp->bad);
	free(rp->culprit);
	free(rp->culprits);
	free(rp->candidates);
	free(rp->target);
	free(rp->samples[0]);
	free(rp->samples[1]);
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
	char *path;
	size_t i;
	int rc, runs;

	if (cmd_open_record(&rp->repo, &rp->st, err) < 0)
		return -1;
	if (state_meta_get(rp->st, "status", &rp->status, err) < 0 ||
	    state_meta_get(rp->st, "metric", &rp->metric, err) < 0 ||
	    state_meta_get(rp->st, "good", &rp->good, err) < 0 ||
	    state_meta_get(rp->st, "bad", &rp->bad, err) < 0 ||
	    state_meta_get(rp->st, "culprit", &rp->culprit, err) < 0 ||
	    state_meta_get(rp->st, "culprits", &rp->culprits, err) < 0 ||
	    state_meta_get(rp->st, "candidates", &rp->candidates, err) < 0 ||
	    state_meta_get(rp->st, "target", &rp->target, err) < 0 ||
	    state_meta_get(rp->st, "good_samples", &rp->samples[0], err) < 0 ||
	    state_meta_get(rp->st, "bad_samples", &rp->samples[1], err) < 0)
		return -1;
	for (i = 0; i < REPORT_NMACHINE; i++) {
		path = xasprintf("machine.%s", report_machine_keys[i]);
		rc = state_meta_get(rp->st, path, &rp->machine[i], err);
		free(path);
		if (rc < 0)
			return -1;
	}
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
	snprintf(rp->first, sizeof(rp->first), "%.*s", GIT_OID_HEXSZ,
	    rp->good);
	/* stats.runs = auto: the endpoints as the steps were judged. */
	if (state_meta_get(rp->st, "runs.auto", &path, err) < 0)
		return -1;
	runs = path ? atoi(path) : 0;
	free(path);
	if (samples_boot_values(rp->st, rp->first, "good", runs,
	    s.unit_median, s.outlier_mads, &rp->goodv.v, &rp->goodv.n,
	    err) < 0 ||
	    samples_boot_values(rp->st, rp->bad, "bad", runs, s.unit_median,
	    s.outlier_mads, &rp->badv.v, &rp->badv.n, err) < 0 ||
	    state_verdicts(rp->st, &rp->steps, &rp->nsteps, err) < 0 ||
	    state_builds(rp->st, &rp->builds, &rp->nbuilds, err) < 0 ||
	    state_events(rp->st, "install", &rp->installs, &rp->ninstalls,
	    err) < 0 ||
	    state_events(rp->st, "build-ahead", &rp->aheads, &rp->naheads,
	    err) < 0)
		return -1;
	return 0;
}

static const char *
report_machine(const struct report *rp, const char *key)
{
	size_t i;

	for (i = 0; i < REPORT_NMACHINE; i++)
		if (strcmp(report_machine_keys[i], key) == 0)
			return rp->machine[i];
	return NULL;
}

/* Build and install time of commit (NULL: every commit). */
static void
report_build_timing(const struct report *rp, const char *commit,
    struct timing *t)
{
	long long ms;
	size_t i, len;

	for (i = 0; i < rp->nbuilds; i++)
		if (commit == NULL || strcmp(rp->builds[i].commit, commit) == 0)
			t->build += rp->builds[i].duration_ms;
	for (i = 0; i < rp->ninstalls; i++) {
		len = strcspn(rp->installs[i].message, " ");
		if ((commit == NULL || (strlen(commit) == len &&
		    strncmp(rp->installs[i].message, commit, len) == 0)) &&
		    sscanf(rp->installs[i].message + len, "%lld", &ms) == 1)
			t->install += ms;
	}
}

/* What building ahead (ahead.h) did, from its "build-ahead" events. */
struct ahead_sum {
	int	 builds;	/* that ended, ok or failed: in the cache */
	int	 used;		/* of those, commits the bisection then needed */
	int	 stopped;	/* no longer wanted, or interrupted */
	int64_t	 build_ms;	/* time spent building ahead */
	int64_t	 waited_ms;	/* the bisection waited for a build ahead */
	int64_t	 saved_ms;	/* build time of the used ones, less waits */
};

static void
report_ahead(const struct report *rp, struct ahead_sum *s)
{
	char commit[GIT_OID_HEXSZ + 1], status[16];
	long long ms, waited;
	size_t i, j;
	int used;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < rp->naheads; i++) {
		if (sscanf(rp->aheads[i].message, "%40s %15s %lld %lld", commit,
		    status, &ms, &waited) != 4)
			continue;
		s->build_ms += ms;
		if (strcmp(status, "ok") != 0 && strcmp(status, "failed") != 0) {
			s->stopped++;
			continue;
		}
		s->builds++;
		for (j = 0, used = 0; j < rp->nbuilds && !used; j++)
			used = strcmp(rp->builds[j].commit, commit) == 0;
		if (!used)
			continue;
		s->used++;
		s->waited_ms += waited;
		s->saved_ms += ms - waited;
	}
}

/* ---- JSON ---- */

static json_t *
report_jstr(const char *s)
{
	return s ? json_string(s) : json_null();
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

static void
report_json_interval(json_t *o, const struct report *rp,
    const struct values *v)
{
	json_t *iv;
	double lo, hi;

	if (report_interval(v, rp->vp.level, &lo, &hi) < 0) {
		json_object_set_new(o, "interval", json_null());
		return;
	}
	iv = json_object();
	json_object_set_new(iv, "lo", json_real(lo));
	json_object_set_new(iv, "hi", json_real(hi));
	json_object_set_new(iv, "level", json_real(rp->vp.level));
	json_object_set_new(o, "interval", iv);
}

static json_t *
report_json_timing(const struct timing *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "build_ms", json_integer(t->build));
	json_object_set_new(o, "install_ms", json_integer(t->install));
	json_object_set_new(o, "boot_ms", json_integer(t->boot));
	json_object_set_new(o, "benchmark_ms", json_integer(t->bench));
	return o;
}

/* Every run of boot b, as JSON; adds their time to t. */
static json_t *
report_json_runs(struct report *rp, const struct boot_rec *b,
    struct timing *t, struct error *err)
{
	struct run_rec *r;
	json_t *a, *o;
	size_t n, i;

	if (state_runs(rp->st, b->id, &r, &n, err) < 0)
		return NULL;
	a = json_array();
	for (i = 0; i < n; i++) {
		o = json_object();
		json_object_set_new(o, "seq", json_integer(r[i].seq));
		json_object_set_new(o, "warmup", json_boolean(r[i].warmup));
		json_object_set_new(o, "ok", json_boolean(r[i].ok));
		json_object_set_new(o, "value", r[i].ok ?
		    json_real(r[i].value) : json_null());
		json_object_set_new(o, "status", json_integer(r[i].status));
		json_object_set_new(o, "timed_out",
		    json_boolean(r[i].timed_out));
		json_object_set_new(o, "outlier", json_boolean(r[i].outlier));
		json_object_set_new(o, "duration_ms",
		    json_integer(r[i].duration_ms));
		json_object_set_new(o, "reason", report_jstr(r[i].reason));
		json_object_set_new(o, "output", report_jstr(r[i].output));
		json_array_append_new(a, o);
		t->bench += r[i].duration_ms;
		run_rec_release(&r[i]);
	}
	free(r);
	return a;
}

/*
 * Every boot of commit in role (NULL: any commit) with its runs, failed
 * and imported boots included; adds their time to t.
 */
static json_t *
report_json_boots(struct report *rp, const char *commit, const char *role,
    struct timing *t, struct error *err)
{
	struct boot_rec *b;
	json_t *a = json_array(), *o, *runs = NULL;
	size_t n, i;
	int rc = 0;

	if (state_boots(rp->st, commit, role, &b, &n, err) < 0) {
		json_decref(a);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (rc == 0 && (runs = report_json_runs(rp, &b[i], t,
		    err)) == NULL)
			rc = -1;
		if (rc == 0) {
			o = json_object();
			json_object_set_new(o, "seq", json_integer(b[i].seq));
			json_object_set_new(o, "outcome",
			    report_jstr(b[i].outcome));
			json_object_set_new(o, "value", b[i].has_value ?
			    json_real(b[i].value) : json_null());
			json_object_set_new(o, "imported",
			    json_boolean(samples_imported(&b[i])));
			json_object_set_new(o, "release",
			    report_jstr(b[i].release));
			json_object_set_new(o, "boot_id",
			    report_jstr(b[i].boot_id));
			json_object_set_new(o, "boot_ms",
			    json_integer(b[i].boot_ms));
			json_object_set_new(o, "started",
			    json_integer(b[i].started));
			json_object_set_new(o, "reason",
			    report_jstr(b[i].reason));
			json_object_set_new(o, "runs", runs);
			json_array_append_new(a, o);
			t->boot += b[i].boot_ms;
		}
		boot_rec_release(&b[i]);
	}
	free(b);
	if (rc < 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
report_json_summary(struct report *rp, const char *commit, const char *role,
    const struct values *v, int i, struct timing *total, struct error *err)
{
	struct summary s;
	struct timing t = { 0, 0, 0, 0 };
	json_t *o = json_object(), *boots;

	json_object_set_new(o, "commit", json_string(commit));
	json_object_set_new(o, "boots", json_integer((json_int_t)v->n));
	if (stats_summary(v->v, v->n, &s) == 0) {
		json_object_set_new(o, "mean", json_real(s.mean));
		json_object_set_new(o, "sd", json_real(s.sd));
		json_object_set_new(o, "median", json_real(s.median));
		json_object_set_new(o, "cv", json_real(s.cv));
	}
	report_json_interval(o, rp, v);
	json_object_set_new(o, "samples", report_json_values(v));
	json_object_set_new(o, "samples_file", report_jstr(rp->samples[i]));
	if ((boots = report_json_boots(rp, commit, role, &t, err)) == NULL) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "boot_records", boots);
	report_build_timing(rp, commit, &t);
	json_object_set_new(o, "timings", report_json_timing(&t));
	total->boot += t.boot;
	total->bench += t.bench;
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

/* The parent of hex, or "" (a root commit, or unknown). */
static void
report_parent(struct report *rp, const char *hex,
    char parent[GIT_OID_HEXSZ + 1])
{
	struct commit_info ci;
	struct error err = ERROR_INIT;
	git_oid id;

	parent[0] = '\0';
	git_oid_fromstr(&id, hex);
	if (repo_commit_info(rp->repo, &id, &ci, &err) == 0) {
		memcpy(parent, ci.parent, GIT_OID_HEXSZ + 1);
		commit_info_release(&ci);
	}
	error_clear(&err);
}

/* The confirmation of culprit hex: 0, or 1 when it was not measured. */
static int
report_confirm(struct report *rp, const char *hex, struct confirm_result *cr,
    size_t *np, size_t *nc, struct error *err)
{
	struct values p = { 0 }, c = { 0 };
	char parent[GIT_OID_HEXSZ + 1];
	int rc = 1;

	*np = *nc = 0;
	if (hex == NULL)
		return 1;
	report_parent(rp, hex, parent);
	if (parent[0] == '\0')
		return 1;
	if (report_values(rp, parent, "parent", &p, err) < 0 ||
	    report_values(rp, hex, "culprit", &c, err) < 0)
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

static json_t *
report_json_confirm(struct report *rp, const char *hex, struct timing *total,
    struct error *err)
{
	struct confirm_result cr;
	struct timing t = { 0, 0, 0, 0 };
	size_t np = 0, nc = 0;
	json_t *c, *pb, *cb;
	char parent[GIT_OID_HEXSZ + 1];
	int rc;

	if ((rc = report_confirm(rp, hex, &cr, &np, &nc, err)) < 0)
		return NULL;
	if (rc > 0)
		return json_null();
	report_parent(rp, hex, parent);
	if ((pb = report_json_boots(rp, parent, "parent", &t, err)) == NULL)
		return NULL;
	if ((cb = report_json_boots(rp, hex, "culprit", &t, err)) == NULL) {
		json_decref(pb);
		return NULL;
	}
	c = json_object();
	json_object_set_new(c, "confirmed", json_boolean(cr.confirmed));
	json_object_set_new(c, "effect", json_real(cr.effect));
	json_object_set_new(c, "lo", json_real(cr.effect_lo));
	json_object_set_new(c, "hi", json_real(cr.effect_hi));
	json_object_set_new(c, "shift", json_real(cr.shift));
	json_object_set_new(c, "shift_lo", json_real(cr.shift_lo));
	json_object_set_new(c, "shift_hi", json_real(cr.shift_hi));
	json_object_set_new(c, "p", json_real(cr.p));
	if (isfinite(cr.p_paired))
		json_object_set_new(c, "p_paired", json_real(cr.p_paired));
	json_object_set_new(c, "share", json_real(cr.share));
	json_object_set_new(c, "parent_boots", json_integer((json_int_t)np));
	json_object_set_new(c, "culprit_boots", json_integer((json_int_t)nc));
	json_object_set_new(c, "reason", json_string(cr.reason));
	json_object_set_new(c, "parent_boot_records", pb);
	json_object_set_new(c, "culprit_boot_records", cb);
	json_object_set_new(c, "timings", report_json_timing(&t));
	total->boot += t.boot;
	total->bench += t.bench;
	return c;
}

/* A culprit: the commit and, when measured, its confirmation. */
static json_t *
report_json_culprit(struct report *rp, const char *hex, struct timing *total,
    struct error *err)
{
	json_t *o = report_json_commit(rp, hex), *c;

	if ((c = report_json_confirm(rp, hex, total, err)) == NULL) {
		json_decref(o);
		return NULL;
	}
	if (json_is_null(c))
		json_decref(c);
	else
		json_object_set_new(o, "confirmation", c);
	return o;
}

/*
 * The top candidates the posterior search recorded after step (meta
 * "posterior.step.N": "HEX:PROB ..."), as [{commit, probability}]; an
 * empty array for a classic bisection.
 */
static json_t *
report_json_top(struct report *rp, int step)
{
	struct error err = ERROR_INIT;
	json_t *a = json_array(), *o;
	char key[64], *rec = NULL, *p, *colon;
	size_t len;

	snprintf(key, sizeof(key), "posterior.step.%d", step);
	if (state_meta_get(rp->st, key, &rec, &err) < 0 || rec == NULL) {
		error_clear(&err);
		return a;
	}
	for (p = rec; *p; p += strspn(p, " ")) {
		len = strcspn(p, " ");
		colon = memchr(p, ':', len);
		if (colon && colon - p == GIT_OID_HEXSZ) {
			o = json_object();
			json_object_set_new(o, "commit",
			    json_stringn(p, GIT_OID_HEXSZ));
			json_object_set_new(o, "probability",
			    json_real(strtod(colon + 1, NULL)));
			json_array_append_new(a, o);
		}
		p += len;
	}
	free(rec);
	return a;
}

static json_t *
report_json_step(struct report *rp, const struct verdict_rec *v,
    struct timing *total, struct error *err)
{
	struct values x = { 0 };
	struct timing t = { 0, 0, 0, 0 };
	json_t *o, *boots;

	if (report_values(rp, v->commit, "step", &x, err) < 0)
		return NULL;
	if ((boots = report_json_boots(rp, v->commit, "step", &t,
	    err)) == NULL) {
		free(x.v);
		return NULL;
	}
	report_build_timing(rp, v->commit, &t);
	o = report_json_commit(rp, v->commit);
	json_object_set_new(o, "step", json_integer(v->step));
	json_object_set_new(o, "verdict", json_string(v->verdict));
	json_object_set_new(o, "reason", json_string(v->reason ?
	    v->reason : ""));
	json_object_set_new(o, "partial", json_boolean(v->partial));
	json_object_set_new(o, "boots", json_integer(v->boots));
	json_object_set_new(o, "mean", json_real(v->mean));
	report_json_interval(o, rp, &x);
	json_object_set_new(o, "llr", json_real(v->llr));
	json_object_set_new(o, "p_good", json_real(v->p_good));
	json_object_set_new(o, "p_bad", json_real(v->p_bad));
	json_object_set_new(o, "time", json_integer(v->time));
	json_object_set_new(o, "samples", report_json_values(&x));
	json_object_set_new(o, "candidates_top", report_json_top(rp,
	    v->step));
	json_object_set_new(o, "boot_records", boots);
	json_object_set_new(o, "timings", report_json_timing(&t));
	total->boot += t.boot;
	total->bench += t.bench;
	free(x.v);
	return o;
}

static json_t *
report_json_ahead(const struct report *rp)
{
	struct ahead_sum s;
	json_t *o = json_object();

	report_ahead(rp, &s);
	json_object_set_new(o, "builds", json_integer(s.builds));
	json_object_set_new(o, "used", json_integer(s.used));
	json_object_set_new(o, "stopped", json_integer(s.stopped));
	json_object_set_new(o, "build_ms", json_integer(s.build_ms));
	json_object_set_new(o, "waited_ms", json_integer(s.waited_ms));
	json_object_set_new(o, "saved_ms", json_integer(s.saved_ms));
	return o;
}

static json_t *
report_json_machine(const struct report *rp)
{
	json_t *o = json_object();
	size_t i;

	json_object_set_new(o, "target", json_string(rp->target ?
	    rp->target : "local"));
	for (i = 0; i < REPORT_NMACHINE; i++)
		json_object_set_new(o, report_machine_keys[i],
		    report_jstr(rp->machine[i]));
	return o;
}

static int
report_json(struct report *rp, struct error *err)
{
	struct reproduce_result rr;
	struct timing total = { 0, 0, 0, 0 };
	json_t *root = json_object(), *steps = json_array(), *o;
	size_t i;
	char *text;

	json_object_set_new(root, "status", json_string(rp->status ?
	    rp->status : "unknown"));
	o = json_object();
	json_object_set_new(o, "selector", json_string(rp->metric));
	json_object_set_new(o, "unit", json_string(rp->sel.unit ?
	    rp->sel.unit : ""));
	json_object_set_new(o, "better", json_string(rp->vp.better ==
	    BETTER_LOWER ? "lower" : "higher"));
	json_object_set_new(root, "metric", o);
	json_object_set_new(root, "target", json_string(rp->target ?
	    rp->target : "local"));
	json_object_set_new(root, "machine", report_json_machine(rp));
	if ((o = report_json_summary(rp, rp->first, "good", &rp->goodv, 0,
	    &total, err)) == NULL)
		goto fail;
	json_object_set_new(root, "good", o);
	if ((o = report_json_summary(rp, rp->bad, "bad", &rp->badv, 1,
	    &total, err)) == NULL)
		goto fail;
	json_object_set_new(root, "bad", o);
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
		if ((o = report_json_culprit(rp, rp->culprit, &total,
		    err)) == NULL)
			goto fail;
		json_object_set_new(root, "culprit", o);
	} else
		json_object_set_new(root, "culprit", json_null());
	if (rp->culprits) {
		json_t *a = json_array();
		const char *p = rp->culprits;

		json_object_set_new(root, "culprits", a);
		while (*p) {
			size_t len = strcspn(p, " ");
			char *id = xstrndup(p, len);

			o = strcmp(id, rp->culprit ? rp->culprit : "") == 0 ?
			    json_incref(json_object_get(root, "culprit")) :
			    report_json_culprit(rp, id, &total, err);
			free(id);
			if (o == NULL)
				goto fail;
			json_array_append_new(a, o);
			p += len;
			p += strspn(p, " ");
		}
	}
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
		if ((o = report_json_step(rp, &rp->steps[i], &total,
		    err)) == NULL)
			goto fail;
		json_array_append_new(steps, o);
	}
	json_object_set_new(root, "steps", steps);
	steps = NULL;
	report_build_timing(rp, NULL, &total);
	json_object_set_new(root, "timings", report_json_timing(&total));
	json_object_set_new(root, "build_ahead", report_json_ahead(rp));
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
	fprintf(rp->out, "%s\n", text);
	free(text);
	return 0;

fail:
	json_decref(steps);
	json_decref(root);
	return -1;
}

/* ---- CSV ---- */

static int
report_csv(struct report *rp, struct error *err)
{
	struct boot_rec *b;
	struct run_rec *r;
	size_t nb, nr, i, j;
	int rc = 0;

	if (state_boots(rp->st, NULL, NULL, &b, &nb, err) < 0)
		return -1;
	fprintf(rp->out, "commit,role,boot,run,warmup,ok,value,duration_ms,"
	    "imported\n");
	for (i = 0; i < nb; i++) {
		if (rc == 0 && samples_imported(&b[i]) && b[i].has_value)
			fprintf(rp->out, "%s,%s,%d,,0,1,%.10g,,1\n",
			    b[i].commit, b[i].role, b[i].seq, b[i].value);
		else if (rc == 0 && state_runs(rp->st, b[i].id, &r, &nr,
		    err) == 0) {
			for (j = 0; j < nr; j++) {
				fprintf(rp->out, "%s,%s,%d,%d,%d,%d,", b[i].commit,
				    b[i].role, b[i].seq, r[j].seq, r[j].warmup,
				    r[j].ok);
				if (r[j].ok)
					fprintf(rp->out, "%.10g", r[j].value);
				fprintf(rp->out, ",%lld,0\n",
				    (long long)r[j].duration_ms);
				run_rec_release(&r[j]);
			}
			free(r);
		} else
			rc = -1;
		boot_rec_release(&b[i]);
	}
	free(b);
	return rc;
}

/* ---- text ---- */

/* A heading: bold on a terminal, plain otherwise. */
static void
report_heading(const struct report *rp, const char *s)
{
	if (rp->tty)
		fprintf(rp->out, "\033[1m%s\033[0m\n", s);
	else
		fprintf(rp->out, "%s\n", s);
}

static void
report_text_summary(const struct report *rp, const char *label,
    const char *commit, const struct values *v)
{
	struct summary s;
	double lo, hi;

	if (stats_summary(v->v, v->n, &s) < 0) {
		fprintf(rp->out, "  %-8s %.12s  (%zu boots)\n", label, commit,
		    v->n);
		return;
	}
	fprintf(rp->out, "  %-8s %.12s  mean %-12.6g sd %-10.4g cv %6.2f%%  "
	    "boots %zu", label, commit, s.mean, s.sd, s.cv * 100, s.n);
	if (report_interval(v, rp->vp.level, &lo, &hi) == 0)
		fprintf(rp->out, "  [%.6g, %.6g]", lo, hi);
	fputc('\n', rp->out);
}

static void
report_text_commit(struct report *rp, const char *hex)
{
	struct commit_info ci;
	struct error err = ERROR_INIT;
	char date[64];
	git_oid id;
	time_t t;

	git_oid_fromstr(&id, hex);
	if (repo_commit_info(rp->repo, &id, &ci, &err) < 0) {
		fprintf(rp->out, "    %s\n", hex);
		error_clear(&err);
		return;
	}
	t = (time_t)ci.time;
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	fprintf(rp->out, "    commit %s\n    Author: %s\n    Date:   %s\n\n"
	    "        %s\n", ci.id, ci.author, date, ci.subject);
	commit_info_release(&ci);
}

/* The posterior search's top candidates after step, if recorded. */
static void
report_text_top(struct report *rp, int step)
{
	json_t *a = report_json_top(rp, step), *o;
	size_t i;

	json_array_foreach(a, i, o) {
		fprintf(rp->out, "%s%.12s %.1f%%", i ? ", " : "       top: ",
		    json_string_value(json_object_get(o, "commit")),
		    100 * json_real_value(json_object_get(o,
		    "probability")));
	}
	if (json_array_size(a) > 0)
		fputc('\n', rp->out);
	json_decref(a);
}

static void
report_text_steps(struct report *rp, struct error *err)
{
	struct commit_info ci;
	struct values x;
	char iv[64];
	double lo, hi;
	git_oid id;
	size_t i;

	fprintf(rp->out, "  %-4s %-12s %-7s %5s %12s  %-25s  %s\n", "step",
	    "commit", "verdict", "boots", "mean", "interval", "subject");
	for (i = 0; i < rp->nsteps; i++) {
		struct verdict_rec *v = &rp->steps[i];
		const char *subject = "", *colour = "";

		memset(&x, 0, sizeof(x));
		snprintf(iv, sizeof(iv), "-");
		if (report_values(rp, v->commit, "step", &x, err) == 0 &&
		    report_interval(&x, rp->vp.level, &lo, &hi) == 0)
			snprintf(iv, sizeof(iv), "[%.6g, %.6g]", lo, hi);
		free(x.v);
		error_clear(err);
		git_oid_fromstr(&id, v->commit);
		if (repo_commit_info(rp->repo, &id, &ci, err) == 0)
			subject = ci.subject;
		if (rp->tty)
			colour = strcmp(v->verdict, "good") == 0 ? "\033[32m" :
			    strcmp(v->verdict, "bad") == 0 ? "\033[31m" :
			    "\033[33m";
		fprintf(rp->out, "  %-4d %.12s %s%-7s%s %5d %12.6g  %-25s  "
		    "%s\n", v->step, v->commit, colour, v->verdict,
		    rp->tty ? "\033[0m" : "", v->boots, v->mean, iv, subject);
		if (strcmp(v->verdict, "skip") == 0 && v->reason)
			fprintf(rp->out, "       skipped: %s\n", v->reason);
		report_text_top(rp, v->step);
		if (subject[0])
			commit_info_release(&ci);
		error_clear(err);
	}
}

static void
report_text_machine(struct report *rp)
{
	const char *kind = report_machine(rp, "kind");
	const char *v;

	fprintf(rp->out, "  target:  %s", rp->target ? rp->target : "local");
	if (kind && strcmp(kind, "local") == 0)
		fputs(" (the machine perfbisect ran on, no reboots)", rp->out);
	else if (kind)
		fprintf(rp->out, " (%s%s%s)", kind,
		    report_machine(rp, "target_host") ? ", host " : "",
		    report_machine(rp, "target_host") ?
		    report_machine(rp, "target_host") : "");
	fputc('\n', rp->out);
	if ((v = report_machine(rp, "host")) != NULL) {
		fprintf(rp->out, "  machine: %s", v);
		if ((v = report_machine(rp, "arch")) != NULL)
			fprintf(rp->out, ", %s", v);
		if ((v = report_machine(rp, "cpus")) != NULL)
			fprintf(rp->out, ", %s CPUs", v);
		if ((v = report_machine(rp, "cpu")) != NULL)
			fprintf(rp->out, ", %s", v);
		fputc('\n', rp->out);
	}
	if ((v = report_machine(rp, "release")) != NULL)
		fprintf(rp->out, "  kernel:  %s (uname -r at the first boot%s)\n",
		    v, kind && strcmp(kind, "local") == 0 ? "" :
		    "; each boot's is in report --json");
	if ((v = report_machine(rp, "cmdline")) != NULL)
		fprintf(rp->out, "  cmdline: %s\n", v);
	if (kind == NULL)
		fputs("  (not probed yet: nothing was booted)\n", rp->out);
}

/* Shell words for the reproduce commands. */
static void
report_text_reproduce(struct report *rp)
{
	struct buf b = BUF_INIT;
	const char *p;
	char *cfg;
	int stepping = rp->status && strcmp(rp->status, "stepping") == 0;

	cfg = xasprintf("%s/config", state_dir(rp->st));
	buf_add_shquoted(&b, cfg);
	free(cfg);
	fprintf(rp->out, "  cp %s perfbisect-settings.conf\n", b.s);
	if (stepping) {
		fprintf(rp->out, "  git bisect start %s %.*s\n", rp->bad,
		    GIT_OID_HEXSZ, rp->good);
		fprintf(rp->out, "  git bisect run perfbisect -f "
		    "perfbisect-settings.conf step");
	} else {
		fprintf(rp->out, "  perfbisect -f perfbisect-settings.conf run");
		for (p = rp->good; *p; p += strspn(p, " ")) {
			fprintf(rp->out, " --good %.*s", (int)strcspn(p, " "), p);
			p += strcspn(p, " ");
		}
		fprintf(rp->out, " --bad %s", rp->bad);
	}
	buf_reset(&b);
	buf_add_shquoted(&b, rp->metric);
	fprintf(rp->out, " \\\n      --metric %s", b.s);
	buf_reset(&b);
	buf_add_shquoted(&b, rp->target ? rp->target : "local");
	fprintf(rp->out, " --target %s", b.s);
	if (rp->samples[0] && rp->samples[1]) {
		buf_reset(&b);
		buf_add_shquoted(&b, rp->samples[0]);
		fprintf(rp->out, " \\\n      --good-samples %s", b.s);
		buf_reset(&b);
		buf_add_shquoted(&b, rp->samples[1]);
		fprintf(rp->out, " --bad-samples %s", b.s);
	}
	fputc('\n', rp->out);
	if (!stepping)
		fprintf(rp->out, "  perfbisect log >bisect.log && "
		    "git bisect replay bisect.log\n");
	buf_release(&b);
}

/* bisect.allCulprits: every culprit with its share of the change. */
static int
report_text_culprits(struct report *rp, struct error *err)
{
	struct confirm_result cr;
	struct commit_info ci;
	const char *p;
	size_t np, nc, len, n = 0;
	double total = 0;
	git_oid id;
	char *hex;
	int rc;

	report_heading(rp, "every culprit (--all-culprits, in the order "
	    "found; share of the good->bad change):");
	for (p = rp->culprits; *p; p += len, p += strspn(p, " ")) {
		len = strcspn(p, " ");
		hex = xstrndup(p, len);
		rc = report_confirm(rp, hex, &cr, &np, &nc, err);
		git_oid_fromstrn(&id, hex, len);
		if (rc >= 0 && repo_commit_info(rp->repo, &id, &ci, err) == 0) {
			fprintf(rp->out, "  %.12s %s\n", ci.id, ci.subject);
			commit_info_release(&ci);
		}
		free(hex);
		if (rc < 0)
			return -1;
		error_clear(err);
		if (rc == 0) {
			fprintf(rp->out, "      %+.2f%% [%+.2f%%, %+.2f%%] "
			    "against its parent, %zu and %zu boots, %.0f%% "
			    "of the change%s\n", cr.effect * 100,
			    cr.effect_lo * 100, cr.effect_hi * 100, np, nc,
			    cr.share * 100, cr.confirmed ? "" :
			    " (NOT confirmed)");
			total += cr.share;
		}
		n++;
	}
	fprintf(rp->out, "  %zu culprit%s, %.0f%% of the change together; "
	    "remainders without a reproduced regression (below "
	    "stats.minEffect) were left alone\n\n", n, n == 1 ? "" : "s",
	    total * 100);
	return 0;
}

static int
report_text(struct report *rp, struct error *err)
{
	struct reproduce_result rr;
	struct confirm_result cr;
	struct ahead_sum ahead;
	size_t np, nc;
	int rc;

	fprintf(rp->out, "perfbisect report: %s\n", rp->status ? rp->status :
	    "unknown");
	fprintf(rp->out, "metric: %s (%s is better%s%s)\n\n", rp->metric,
	    rp->vp.better == BETTER_LOWER ? "lower" : "higher",
	    rp->sel.unit && rp->sel.unit[0] ? ", unit " : "",
	    rp->sel.unit ? rp->sel.unit : "");
	if (rp->culprit) {
		report_heading(rp, "first bad commit:");
		report_text_commit(rp, rp->culprit);
		fputc('\n', rp->out);
	} else if (rp->candidates)
		fprintf(rp->out, "inconclusive: the first bad commit is one of: "
		    "%s\n\n", rp->candidates);
	rc = report_confirm(rp, rp->culprit, &cr, &np, &nc, err);
	if (rc < 0)
		return -1;
	report_heading(rp, "effect:");
	if (rp->goodv.n >= 2 && rp->badv.n >= 2 &&
	    verdict_reproduce(rp->goodv.v, rp->goodv.n, rp->badv.v,
	    rp->badv.n, &rp->vp, 1, &rr) == 0)
		fprintf(rp->out, "  bad against good:    %+.2f%%, %.0f%% "
		    "interval [%+.2f%%, %+.2f%%], p(Welch) %.2g, "
		    "p(Mann-Whitney) %.2g\n", rr.effect * 100,
		    rp->vp.level * 100, rr.effect_lo * 100, rr.effect_hi * 100,
		    rr.p_welch, rr.p_mw);
	else
		fprintf(rp->out, "  bad against good:    not measured yet\n");
	if (rc == 0)
		fprintf(rp->out, "  culprit vs. parent:  %+.2f%%, %.0f%% "
		    "interval [%+.2f%%, %+.2f%%], p %.2g, %zu and %zu boots, "
		    "%.0f%% of the change%s\n", cr.effect * 100,
		    rp->vp.level * 100, cr.effect_lo * 100, cr.effect_hi * 100,
		    cr.p, np, nc, cr.share * 100, cr.confirmed ? "" :
		    " (NOT confirmed)");
	if (rc == 0 && cr.share < VERDICT_SHARE_ALONE && !rp->culprits)
		fprintf(rp->out, "  note: the culprit explains less than 80%% "
		    "of the change; other commits contribute (run "
		    "--all-culprits searches for them)\n");
	fputc('\n', rp->out);
	if (rp->culprits && report_text_culprits(rp, err) < 0)
		return -1;
	report_heading(rp, "endpoints:");
	report_text_summary(rp, "good", rp->first, &rp->goodv);
	report_text_summary(rp, "bad", rp->bad, &rp->badv);
	if (rp->samples[0])
		fprintf(rp->out, "  (values imported from sample files: %s, "
		    "%s)\n", rp->samples[0], rp->samples[1] ? rp->samples[1] :
		    "");
	fputc('\n', rp->out);
	report_heading(rp, "tested commits (in bisection order, boot values "
	    "with their mean and its interval):");
	report_text_steps(rp, err);
	fputc('\n', rp->out);
	report_heading(rp, "machine:");
	report_text_machine(rp);
	fputc('\n', rp->out);
	fprintf(rp->out, "raw outputs: %s/runs\nbuild logs:  %s/builds\n",
	    state_dir(rp->st), state_dir(rp->st));
	report_ahead(rp, &ahead);
	if (ahead.builds + ahead.stopped > 0)
		fprintf(rp->out, "built ahead: %d kernels beside the "
		    "measurement, %d of them then tested, %.0f s of building "
		    "saved (%d builds stopped)\n", ahead.builds, ahead.used,
		    ahead.saved_ms / 1000.0, ahead.stopped);
	fputc('\n', rp->out);
	report_heading(rp, "reproduce:");
	report_text_reproduce(rp);
	return 0;
}

/* ---- HTML ---- */

static void
report_html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* s in a single-quoted gnuplot string: quotes doubled. */
static void
report_gp_quote(struct buf *b, const char *s)
{
	buf_addch(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_addch(b, '\'');
		if (*s != '\n')
			buf_addch(b, *s);
	}
	buf_addch(b, '\'');
}

/* One gnuplot datablock of x value lines. */
static void
report_plot_block(struct buf *b, const char *name, const double *x,
    const struct values *v)
{
	size_t i;

	buf_addf(b, "$%s << EOD\n", name);
	for (i = 0; i < v->n; i++)
		buf_addf(b, "%.10g %.10g\n", x ? x[i] : 0, v->v[i]);
	buf_addf(b, "EOD\n");
}

/* A horizontal band for an endpoint: mean +- 2 sd (about 95% of boots). */
static void
report_plot_band(struct buf *b, const struct values *v, const char *colour,
    const char *label)
{
	struct summary s;
	double h;

	if (stats_summary(v->v, v->n, &s) < 0)
		return;
	h = 2 * s.sd;
	if (h < fabs(s.mean) * 0.002)
		h = fabs(s.mean) * 0.002;
	buf_addf(b, "set object rect from graph 0, first %.10g to graph 1, "
	    "first %.10g behind fc rgb '%s' fs transparent solid 0.18 "
	    "noborder\n", s.mean - h, s.mean + h, colour);
	buf_addf(b, "set label '%s' at graph 0.01, first %.10g left "
	    "offset 0, 0.6 tc rgb '%s'\n", label, s.mean + h, colour);
}

/*
 * The x position of each tested commit in history order: 1 + the number
 * of other tested commits that are its ancestors (a commit comes after
 * everything it contains); ties, on parallel branches, keep bisection
 * order.  pos[i] for step i, and order[k] the step at position k + 1.
 */
static int
report_history_order(struct report *rp, size_t *pos, size_t *order,
    struct error *err)
{
	git_oid a, b;
	size_t i, j, n = rp->nsteps;
	int yes;

	for (i = 0; i < n; i++) {
		pos[i] = 0;
		git_oid_fromstr(&b, rp->steps[i].commit);
		for (j = 0; j < n; j++) {
			if (j == i)
				continue;
			git_oid_fromstr(&a, rp->steps[j].commit);
			if (git_oid_equal(&a, &b))
				yes = j < i;
			else if (repo_is_ancestor(rp->repo, &a, &b, &yes,
			    err) < 0)
				return -1;
			pos[i] += yes != 0;
		}
	}
	/* Equal counts: break ties by bisection order, keep positions unique. */
	for (i = 0; i < n; i++) {
		size_t rank = 0;

		for (j = 0; j < n; j++)
			if (pos[j] < pos[i] || (pos[j] == pos[i] && j < i))
				rank++;
		order[rank] = i;
	}
	for (i = 0; i < n; i++)
		pos[order[i]] = i + 1;
	return 0;
}

/*
 * The gnuplot script of the plot: each tested commit in history order
 * (x = step), its boot values as points coloured by verdict, its mean
 * with the interval as an error bar; the endpoints' boots at both ends
 * with their bands; the culprit marked.
 */
static int
report_plot_script(struct report *rp, struct buf *b, struct error *err)
{
	static const char *const kinds[] = { "good", "bad", "skip" };
	static const char *const colours[] = { "#2ca02c", "#d62728",
	    "#7f7f7f" };
	struct values pts[3], means = { 0 }, x;
	double *px[3] = { NULL, NULL, NULL }, *mx = NULL, *bx, lo, hi;
	size_t pa[3] = { 0, 0, 0 }, ma = 0, i, j, k, nsteps = rp->nsteps;
	double culprit_x = -1;
	size_t *pos, *order;
	int rc = 0;

	pos = xcalloc(nsteps + 1, sizeof(*pos));
	order = xcalloc(nsteps + 1, sizeof(*order));
	if (report_history_order(rp, pos, order, err) < 0) {
		free(pos);
		free(order);
		return -1;
	}
	memset(pts, 0, sizeof(pts));
	buf_addf(b, "set terminal svg size 960,540 noenhanced font "
	    "'sans,12' background rgb 'white'\n");
	buf_adds(b, "set title ");
	report_gp_quote(b, rp->metric);
	buf_adds(b, ".': every boot of every tested commit'\n");
	buf_addf(b, "set xlabel 'tested commits in history order, labelled "
	    "with their step (G: good endpoint, B: bad endpoint)'\n"
	    "set ylabel ");
	report_gp_quote(b, rp->sel.unit && rp->sel.unit[0] ? rp->sel.unit :
	    "value");
	buf_addf(b, ".' (%s is better)'\n", rp->vp.better == BETTER_LOWER ?
	    "lower" : "higher");
	buf_addf(b, "set key outside right top Left reverse\n"
	    "set grid ytics\n");
	buf_addf(b, "set xrange [-0.7:%zu.7]\n", nsteps + 1);
	buf_addf(b, "set xtics ('G' 0");
	for (i = 0; i < nsteps; i++)
		buf_addf(b, ", '%zu %.7s' %zu", order[i] + 1,
		    rp->steps[order[i]].commit, i + 1);
	buf_addf(b, ", 'B' %zu) rotate by -35\n", nsteps + 1);
	report_plot_band(b, &rp->goodv, colours[0], "good endpoint");
	report_plot_band(b, &rp->badv, colours[1], "bad endpoint");
	for (i = 0; i < nsteps && rc == 0; i++) {
		const struct verdict_rec *v = &rp->steps[i];

		k = strcmp(v->verdict, "good") == 0 ? 0 :
		    strcmp(v->verdict, "bad") == 0 ? 1 : 2;
		memset(&x, 0, sizeof(x));
		if ((rc = report_values(rp, v->commit, "step", &x, err)) < 0)
			break;
		for (j = 0; j < x.n; j++) {
			GROW(pts[k].v, pts[k].n + 1, pts[k].alloc);
			GROW(px[k], pts[k].n + 1, pa[k]);
			px[k][pts[k].n] = (double)pos[i];
			pts[k].v[pts[k].n++] = x.v[j];
		}
		if (report_interval(&x, rp->vp.level, &lo, &hi) == 0) {
			GROW(means.v, means.n + 3, means.alloc);
			GROW(mx, means.n + 3, ma);
			mx[means.n] = mx[means.n + 1] = mx[means.n + 2] =
			    (double)pos[i];
			means.v[means.n++] = v->mean;
			means.v[means.n++] = lo;
			means.v[means.n++] = hi;
		}
		if (rp->culprit && strcmp(v->commit, rp->culprit) == 0)
			culprit_x = (double)pos[i];
		free(x.v);
	}
	if (rc == 0) {
		if (rp->culprit && culprit_x < 0 &&
		    strcmp(rp->culprit, rp->bad) == 0)
			culprit_x = (double)(nsteps + 1);
		for (k = 0; k < 3; k++)
			report_plot_block(b, kinds[k], px[k], &pts[k]);
		bx = xcalloc(rp->goodv.n + rp->badv.n + 1, sizeof(*bx));
		report_plot_block(b, "G", bx, &rp->goodv);
		for (i = 0; i < rp->badv.n; i++)
			bx[i] = (double)(nsteps + 1);
		report_plot_block(b, "B", bx, &rp->badv);
		free(bx);
		/* means: rows of x mean lo hi */
		buf_addf(b, "$means << EOD\n");
		for (i = 0; i + 2 < means.n; i += 3)
			buf_addf(b, "%.10g %.10g %.10g %.10g\n", mx[i],
			    means.v[i], means.v[i + 1], means.v[i + 2]);
		buf_addf(b, "EOD\n");
		if (culprit_x >= 0)
			buf_addf(b, "set arrow from %g, graph 0 to %g, graph 1 "
			    "nohead dt 2 lw 2 lc rgb '#d62728'\nset label "
			    "'first bad commit %.12s' at %g, graph 0.97 right "
			    "offset -0.5, 0 tc rgb '#d62728'\n", culprit_x,
			    culprit_x, rp->culprit, culprit_x);
		buf_addf(b, "plot $G using 1:2 with points pt 7 ps 0.7 "
		    "lc rgb '%s' title 'good endpoint boots', "
		    "$B using 1:2 with points pt 7 ps 0.7 lc rgb '%s' "
		    "title 'bad endpoint boots'", colours[0], colours[1]);
		for (k = 0; k < 3; k++)
			if (pts[k].n)
				buf_addf(b, ", $%s using 1:2 with points pt 9 "
				    "ps 1.1 lc rgb '%s' title '%s commit boots'",
				    kinds[k], colours[k], kinds[k]);
		if (means.n)
			buf_addf(b, ", $means using 1:2:3:4 with yerrorbars "
			    "pt 2 ps 1.5 lc rgb 'black' title 'mean, %.0f%% "
			    "interval'", rp->vp.level * 100);
		buf_addf(b, "\n");
	}
	for (k = 0; k < 3; k++) {
		free(pts[k].v);
		free(px[k]);
	}
	free(means.v);
	free(mx);
	free(pos);
	free(order);
	return rc;
}

/*
 * Run gnuplot (a child with a deadline) for the SVG of the plot.  0 with
 * the <svg> element in svg; 1 with why there is none in why; -1 on an
 * error of the record.
 */
static int
report_plot(struct report *rp, struct buf *svg, struct buf *why,
    struct error *err)
{
	static const char *const argv[] = { "gnuplot", NULL };
	struct buf script = BUF_INIT;
	struct proc_opts o;
	struct proc_result pr;
	struct error perr = ERROR_INIT;
	const char *start;
	int rc;

	if (report_plot_script(rp, &script, err) < 0) {
		buf_release(&script);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.timeout_ms = REPORT_GNUPLOT_MS;
	o.stdin_data = script.s;
	o.stdin_len = script.len;
	proc_result_init(&pr);
	rc = proc_run_argv(argv, &o, &pr, &perr);
	if (rc < 0)
		buf_addf(why, "%s", error_msg(&perr));
	else if (pr.timed_out)
		buf_addf(why, "gnuplot timed out after %d s",
		    REPORT_GNUPLOT_MS / 1000);
	else if (pr.status != 0 || (start = strstr(pr.out.s, "<svg")) ==
	    NULL) {
		buf_addf(why, "gnuplot failed (status %d): ", pr.status);
		buf_add(why, pr.err.s, strcspn(pr.err.s, "\n"));
	} else
		buf_adds(svg, start);
	error_clear(&perr);
	proc_result_release(&pr);
	buf_release(&script);
	return why->len ? 1 : 0;
}

static void
report_html_steps(struct report *rp, struct error *err)
{
	struct commit_info ci;
	struct values x;
	double lo, hi;
	git_oid id;
	size_t i;

	fputs("<table>\n<tr><th>step</th><th>commit</th><th>verdict</th>"
	    "<th>boots</th><th>mean</th><th>interval</th><th>p good</th>"
	    "<th>p bad</th><th>subject</th></tr>\n", rp->out);
	for (i = 0; i < rp->nsteps; i++) {
		struct verdict_rec *v = &rp->steps[i];

		fprintf(rp->out, "<tr class=\"%s\"><td>%d</td><td><code>%.12s"
		    "</code></td><td>%s</td><td>%d</td><td>%.6g</td><td>",
		    v->verdict, v->step, v->commit, v->verdict, v->boots,
		    v->mean);
		memset(&x, 0, sizeof(x));
		if (report_values(rp, v->commit, "step", &x, err) == 0 &&
		    report_interval(&x, rp->vp.level, &lo, &hi) == 0)
			fprintf(rp->out, "[%.6g, %.6g]", lo, hi);
		free(x.v);
		error_clear(err);
		fprintf(rp->out, "</td><td>%.3g</td><td>%.3g</td><td>",
		    v->p_good, v->p_bad);
		git_oid_fromstr(&id, v->commit);
		if (repo_commit_info(rp->repo, &id, &ci, err) == 0) {
			report_html_escape(rp->out, ci.subject);
			commit_info_release(&ci);
		}
		error_clear(err);
		fputs("</td></tr>\n", rp->out);
	}
	fputs("</table>\n", rp->out);
}

static int
report_html(struct report *rp, struct error *err)
{
	struct buf svg = BUF_INIT, why = BUF_INIT, text = BUF_INIT;
	FILE *out = rp->out, *mem;
	char *s = NULL;
	size_t len = 0;
	int rc, tty = rp->tty;

	if ((rc = report_plot(rp, &svg, &why, err)) < 0)
		goto out;
	if (why.len)
		pb_warn("no plot in the HTML report: %s", why.s);
	/* The text report, for the page's <pre>. */
	if ((mem = open_memstream(&s, &len)) == NULL) {
		rc = error_set(err, "cannot allocate: %s", strerror(errno));
		goto out;
	}
	rp->out = mem;
	rp->tty = 0;
	rc = report_text(rp, err);
	fclose(mem);
	rp->out = out;
	rp->tty = tty;
	if (rc < 0)
		goto out;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>perfbisect: ", out);
	report_html_escape(out, rp->metric);
	fputs("</title>\n<style>\n"
	    "body { font-family: sans-serif; margin: 2em; color: #222; }\n"
	    "pre { background: #f6f6f6; padding: 1em; overflow-x: auto; }\n"
	    "table { border-collapse: collapse; }\n"
	    "td, th { padding: 0.2em 0.8em; text-align: left; "
	    "border-bottom: 1px solid #ddd; }\n"
	    "tr.good td:nth-child(3) { color: #2ca02c; }\n"
	    "tr.bad td:nth-child(3) { color: #d62728; }\n"
	    "tr.skip td:nth-child(3) { color: #7f7f7f; }\n"
	    ".warning { background: #fff3cd; border: 1px solid #e0c060; "
	    "padding: 0.5em 1em; }\n"
	    "</style>\n</head>\n<body>\n<h1>perfbisect: ", out);
	report_html_escape(out, rp->metric);
	fprintf(out, " (%s)</h1>\n<div id=\"plot\">\n", rp->status ?
	    rp->status : "unknown");
	if (why.len) {
		fputs("<p class=\"warning\" id=\"no-plot\">No plot: ", out);
		report_html_escape(out, why.s);
		fputs(". Install gnuplot and run 'perfbisect report --html' "
		    "again; the tables below have every number.</p>\n", out);
	} else
		fputs(svg.s, out);
	fputs("</div>\n<h2>Tested commits</h2>\n", out);
	report_html_steps(rp, err);
	fputs("<h2>Report</h2>\n<pre>", out);
	report_html_escape(out, s);
	fputs("</pre>\n</body>\n</html>\n", out);
	rc = 0;
out:
	free(s);
	buf_release(&svg);
	buf_release(&why);
	buf_release(&text);
	return rc;
}

static int
report_write(struct report *rp, enum report_format fmt, int csv,
    struct error *err)
{
	if (csv)
		return report_csv(rp, err);
	switch (fmt) {
	case REPORT_JSON:
		return report_json(rp, err);
	case REPORT_HTML:
		return report_html(rp, err);
	default:
		return report_text(rp, err);
	}
}

int
report_save(const char *path, enum report_format fmt, struct error *err)
{
	struct report rp;
	char *s = NULL;
	size_t len = 0;
	int rc;

	memset(&rp, 0, sizeof(rp));
	if ((rp.out = open_memstream(&s, &len)) == NULL)
		return error_set(err, "cannot allocate: %s", strerror(errno));
	rc = report_load(&rp, err);
	if (rc == 0)
		rc = report_write(&rp, fmt, 0, err);
	fclose(rp.out);
	if (rc == 0)
		rc = write_file_atomic(path, s, len, err);
	free(s);
	report_release(&rp);
	return rc;
}

int
cmd_report(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "csv", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "html", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct report rp;
	struct error err = ERROR_INIT;
	const char *html = NULL;
	int ch, json = 0, csv = 0, rc;

	(void)ctx;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else if (ch == 'c')
			csv = 1;
		else if (ch == 'H')
			html = optarg;
		else
			return cmd_usage(report_usage, ch == 'h');
	}
	if (optind != argc || json + csv + (html != NULL) > 1)
		return cmd_usage(report_usage, 0);
	if (html) {
		rc = report_save(html, REPORT_HTML, &err);
		if (rc < 0)
			pb_err("%s", error_msg(&err));
		error_clear(&err);
		return rc < 0 ? EXIT_RUNTIME : EXIT_FOUND;
	}
	memset(&rp, 0, sizeof(rp));
	rp.out = stdout;
	rp.tty = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
	    (getenv("TERM") == NULL || strcmp(getenv("TERM"), "dumb") != 0);
	rc = report_load(&rp, &err);
	if (rc == 0)
		rc = report_write(&rp, json ? REPORT_JSON : REPORT_TEXT, csv,
		    &err);
	if (rc < 0)
		pb_err("%s", error_msg(&err));
	report_release(&rp);
	error_clear(&err);
	return rc < 0 ? EXIT_RUNTIME : EXIT_FOUND;
}
