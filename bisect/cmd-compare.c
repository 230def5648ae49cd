/* SPDX-License-Identifier: MIT */
/*
 * cmd-compare.c - "perfbisect compare A B": two samples side by side.
 *
 * A and B are sample files, or revisions whose boots the bisection in
 * progress (or finished) recorded.  A sample file holds one value per
 * line (each value one boot), or "BOOT RUN VALUE" lines (runs grouped by
 * boot; the boot's mean is its value, as in a bisection); "#" starts a
 * comment.  The table is laid out like MMTests' compare output: one row
 * per statistic, B's mean with its change against A, and a "*" beside a
 * difference both tests call significant.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>
#include <jansson.h>

#include "bisect/cmd.h"
#include "bisect/repo.h"
#include "bisect/samples.h"
#include "bisect/state.h"
#include "bisect/util.h"
#include "stats/compare.h"

static const char compare_usage[] =
    "usage: perfbisect compare [--json] [--alpha P] [--level L] A B\n";

struct sample {
	char	*name;		/* as given */
	char	*source;	/* the file, or "recorded boots of COMMIT" */
	double	*v;		/* one value per boot */
	size_t	*group;		/* NULL: one value per boot */
	size_t	 n;
	size_t	 alloc;
};

static void
sample_push(struct sample *s, double v)
{
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 32;
		s->v = xreallocarray(s->v, s->alloc, sizeof(*s->v));
	}
	s->v[s->n++] = v;
}

static void
sample_release(struct sample *s)
{
	free(s->source);
	free(s->v);
	free(s->group);
}

/* Parse a sample file (the format is in bisect/samples.h). */
static int
compare_parse(struct sample *s, const char *path, const char *text,
    struct error *err)
{
	return samples_parse(path, text, &s->v, NULL, &s->n, &s->alloc, err);
}

/* The values of every boot recorded for rev in the bisection here. */
static int
compare_recorded(struct sample *s, const char *rev, struct error *err)
{
	struct repo *r = NULL;
	struct state *st = NULL;
	struct boot_rec *b = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid id;
	size_t nb = 0, i;
	int rc = -1;

	if (cmd_open_record(&r, &st, err) < 0) {
		error_prefix(err, "'%s' is not a file, and as a revision",
		    rev);
		return -1;
	}
	if (repo_resolve(r, rev, &id, err) < 0)
		goto out;
	git_oid_tostr(hex, sizeof(hex), &id);
	if (state_boots(st, hex, NULL, &b, &nb, err) < 0)
		goto out;
	for (i = 0; i < nb; i++)
		if (b[i].has_value)
			sample_push(s, b[i].value);
	s->source = xasprintf("recorded boots of %.12s", hex);
	if (s->n < 2)
		error_set(err, "%s: %zu boot%s with a value recorded, need "
		    "two", rev, s->n, s->n == 1 ? "" : "s");
	else
		rc = 0;
out:
	for (i = 0; i < nb; i++)
		boot_rec_release(&b[i]);
	free(b);
	state_close(st);
	repo_free(r);
	return rc;
}

static int
compare_load(struct sample *s, const char *arg, struct error *err)
{
	struct stat sb;
	struct buf text = BUF_INIT;
	int rc;

	s->name = (char *)arg;
	if (stat(arg, &sb) < 0 || !S_ISREG(sb.st_mode))
		return compare_recorded(s, arg, err);
	if (read_file(arg, &text, err) < 0)
		return -1;
	s->source = xstrdup(arg);
	rc = compare_parse(s, arg, text.s, err);
	buf_release(&text);
	return rc;
}

static void
compare_print(const struct sample *a, const struct sample *b,
    const struct compare_result *c, double level, double alpha)
{
	const struct summary *sa = &c->a, *sb = &c->b;
	char mark = c->significant ? '*' : ' ';
	int pct = (int)lround(level * 100);

#define PCT(x, base) ((base) != 0 ? 100 * ((x) - (base)) / fabs(base) : 0)
	printf("%-16s %18s %28s\n", "", a->name, b->name);
	printf("%-16s %18zu %28zu\n", "boots", sa->n, sb->n);
	printf("%-16s %18.6g %18.6g (%+7.2f%%)%c\n", "mean", sa->mean,
	    sb->mean, PCT(sb->mean, sa->mean), mark);
	printf("%-16s %18.6g %18.6g (%+7.2f%%)\n", "median", sa->median,
	    sb->median, PCT(sb->median, sa->median));
	printf("%-16s %18.6g %28.6g\n", "stddev", sa->sd, sb->sd);
	printf("%-16s %17.2f%% %27.2f%%\n", "cov", 100 * sa->cv,
	    100 * sb->cv);
	printf("%-16s %18.6g %28.6g\n", "min", sa->min, sb->min);
	printf("%-16s %18.6g %28.6g\n", "max", sa->max, sb->max);
#undef PCT
	printf("\n");
	printf("difference B - A   %.6g, %d%% interval [%.6g, %.6g] "
	    "(Welch)\n", c->diff, pct, c->diff_lo, c->diff_hi);
	printf("shift B - A        %.6g, %d%% interval [%.6g, %.6g] "
	    "(Hodges-Lehmann)\n", c->hl, pct, c->hl_lo, c->hl_hi);
	if (c->has_ratio)
		printf("ratio B / A        %.4f, %d%% interval [%.4f, %.4f] "
		    "(bootstrap over boots)\n", c->ratio, pct, c->ratio_lo,
		    c->ratio_hi);
	printf("p (Welch)          %.3g\n", c->p_welch);
	printf("p (Mann-Whitney)   %.3g\n", c->p_mann_whitney);
	printf("%s at alpha %g (both tests, Holm-corrected)\n",
	    c->significant ? "* significant" : "not significant", alpha);
	printf("A: %s\nB: %s\n", a->source, b->source);
}

static json_t *
compare_json_side(const struct sample *s, const struct summary *m)
{
	json_t *o, *v;
	size_t i;

	v = json_array();
	for (i = 0; i < s->n; i++)
		json_array_append_new(v, json_real(s->v[i]));
	o = json_pack("{s:s, s:s, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:o}",
	    "name", s->name, "source", s->source, "boots", (json_int_t)m->n,
	    "mean", m->mean, "sd", m->sd, "cv", m->cv, "median", m->median,
	    "min", m->min, "max", m->max, "samples", v);
	return o;
}

static void
compare_print_json(const struct sample *a, const struct sample *b,
    const struct compare_result *c, double level, double alpha)
{
	json_t *o;
	char *s;

	o = json_pack("{s:o, s:o, s:f, s:f, s:{s:f, s:f, s:f}, "
	    "s:{s:f, s:f, s:f}, s:f, s:f, s:b}",
	    "a", compare_json_side(a, &c->a), "b", compare_json_side(b, &c->b),
	    "level", level, "alpha", alpha,
	    "difference", "estimate", c->diff, "lo", c->diff_lo, "hi",
	    c->diff_hi,
	    "shift", "estimate", c->hl, "lo", c->hl_lo, "hi", c->hl_hi,
	    "p_welch", c->p_welch, "p_mann_whitney", c->p_mann_whitney,
	    "significant", c->significant);
	if (c->has_ratio)
		json_object_set_new(o, "ratio", json_pack("{s:f, s:f, s:f}",
		    "estimate", c->ratio, "lo", c->ratio_lo, "hi",
		    c->ratio_hi));
	s = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	puts(s);
	free(s);
	json_decref(o);
}

int
cmd_compare(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct error err = ERROR_INIT;
	struct sample a = { 0 }, b = { 0 };
	struct compare_result c;
	double alpha = 0.05, level = 0.95;
	const char *why;
	int ch, json = 0, rc = EXIT_USAGE;

	(void)ctx;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'a':
			if (parse_double(optarg, &alpha, &why) < 0 ||
			    !(alpha > 0 && alpha < 1)) {
				pb_err("--alpha: '%s' is not a probability "
				    "between 0 and 1", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'l':
			if (parse_double(optarg, &level, &why) < 0 ||
			    !(level > 0 && level < 1)) {
				pb_err("--level: '%s' is not a level between "
				    "0 and 1", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			return cmd_usage(compare_usage, 1);
		default:
			return cmd_usage(compare_usage, 0);
		}
	}
	if (argc - optind != 2)
		return cmd_usage(compare_usage, 0);
	if (compare_load(&a, argv[optind], &err) < 0 ||
	    compare_load(&b, argv[optind + 1], &err) < 0) {
		pb_err("%s", error_msg(&err));
		goto out;
	}
	if (compare_samples(a.v, a.group, a.n, b.v, b.group, b.n, level,
	    alpha, 1, &c) < 0) {
		pb_err("cannot compare '%s' and '%s'", a.name, b.name);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (json)
		compare_print_json(&a, &b, &c, level, alpha);
	else
		compare_print(&a, &b, &c, level, alpha);
	rc = 0;
out:
	error_clear(&err);
	sample_release(&a);
	sample_release(&b);
	return rc;
}
