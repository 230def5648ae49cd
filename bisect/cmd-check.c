/* SPDX-License-Identifier: MIT */
/*
 * cmd-check.c - "perfbisect check": is the test machine ready?
 *
 * Connects to the target the way a bisection would and reports what a
 * bisection will need: the running kernel and its command line, kexec
 * (when the target boots kernels), free space where kernels and modules
 * go, the benchmark's program, and how far its clock is from ours.  It
 * asks everything in one remote command so a slow link costs one round
 * trip.  Exit 0 when nothing needed is missing, 1 with the reasons
 * otherwise, 2 for usage or configuration errors.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bisect/cmd.h"
#include "bisect/config.h"
#include "kexec/target.h"
#include "metrics/bench.h"

#define CHECK_MIN_FREE_KB	(256LL * 1024)
#define CHECK_MAX_OFFSET_S	1.0
#define CHECK_TIMEOUT_MS	60000

static const char check_usage[] =
    "usage: perfbisect check [--metric selector] [--target name]\n";

struct check_facts {
	char	*release;
	char	*cmdline;
	char	*kexec;		/* path, or NULL */
	char	*kexec_state;	/* "loadable", "disabled", "no kernel support" */
	long long work_kb;	/* -1: unknown */
	long long mod_kb;
	char	*bench;		/* path of the benchmark's program, or NULL */
	double	 remote_time;	/* seconds since the epoch, 0: unknown */
};

static void
check_facts_release(struct check_facts *f)
{
	free(f->release);
	free(f->cmdline);
	free(f->kexec);
	free(f->kexec_state);
	free(f->bench);
	memset(f, 0, sizeof(*f));
}

/*
 * The program a shell command runs: its first word, past VAR=value
 * assignments and "env" with its options.
 */
static char *
check_program(const char *cmd)
{
	const char *w, *e;

	for (w = cmd;;) {
		while (*w == ' ' || *w == '\t')
			w++;
		for (e = w; *e != '\0' && *e != ' ' && *e != '\t' &&
		    *e != ';' && *e != '|' && *e != '&'; e++)
			;
		if (e == w)
			return NULL;
		if ((e - w == 3 && strncmp(w, "env", 3) == 0) || (*w == '-' &&
		    w != cmd)) {
			w = e;
			continue;
		}
		if (memchr(w, '=', (size_t)(e - w)) == NULL ||
		    *w == '=' || *w == '/' || *w == '.')
			return xstrndup(w, (size_t)(e - w));
		w = e;
	}
}

/* "key value" lines from the probe script into f. */
static void
check_parse(const char *out, struct check_facts *f)
{
	const char *line, *nl, *sp, *errstr;
	char *key, *val;
	long long n;

	for (line = out; *line != '\0'; line = *nl ? nl + 1 : nl) {
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line);
		if ((sp = memchr(line, ' ', (size_t)(nl - line))) == NULL)
			continue;
		key = xstrndup(line, (size_t)(sp - line));
		val = xstrndup(sp + 1, (size_t)(nl - sp - 1));
		if (strcmp(key, "release") == 0 && f->release == NULL)
			f->release = xstrdup(val);
		else if (strcmp(key, "cmdline") == 0 && f->cmdline == NULL)
			f->cmdline = xstrdup(val);
		else if (strcmp(key, "kexec") == 0 && f->kexec == NULL &&
		    *val != '\0')
			f->kexec = xstrdup(val);
		else if (strcmp(key, "kexec-state") == 0 &&
		    f->kexec_state == NULL)
			f->kexec_state = xstrdup(val);
		else if (strcmp(key, "work-kb") == 0 &&
		    parse_ll(val, 0, INT64_MAX, &n, &errstr) == 0)
			f->work_kb = n;
		else if (strcmp(key, "mod-kb") == 0 &&
		    parse_ll(val, 0, INT64_MAX, &n, &errstr) == 0)
			f->mod_kb = n;
		else if (strcmp(key, "bench") == 0 && f->bench == NULL &&
		    *val != '\0')
			f->bench = xstrdup(val);
		else if (strcmp(key, "time") == 0)
			parse_double(val, &f->remote_time, &errstr);
		free(key);
		free(val);
	}
}

static double
check_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Ask the target everything at once; 0 and the facts, or -1. */
static int
check_probe(struct target *t, const char *program, struct check_facts *f,
    double *offset, struct error *err)
{
	struct run_result r;
	struct buf cmd = BUF_INIT;
	double after;
	int rc;

	f->work_kb = f->mod_kb = -1;
	buf_adds(&cmd,
	    "echo \"release $(uname -r)\"\n"
	    "echo \"cmdline $(cat /proc/cmdline 2>/dev/null)\"\n"
	    "echo \"kexec $(command -v kexec 2>/dev/null)\"\n"
	    "if [ \"$(cat /proc/sys/kernel/kexec_load_disabled 2>/dev/null)\""
	    " = 1 ]; then echo 'kexec-state disabled by "
	    "kernel.kexec_load_disabled'\n"
	    "elif [ -e /sys/kernel/kexec_loaded ]; then "
	    "echo 'kexec-state loadable'\n"
	    "else echo 'kexec-state no kernel support (CONFIG_KEXEC)'; fi\n"
	    "echo \"work-kb $(df -Pk . 2>/dev/null | "
	    "awk 'NR==2 {print $4}')\"\n"
	    "m=/lib/modules; [ -d $m ] || m=/lib\n"
	    "echo \"mod-kb $(df -Pk $m 2>/dev/null | "
	    "awk 'NR==2 {print $4}')\"\n");
	if (program != NULL) {
		buf_adds(&cmd, "echo \"bench $(command -v ");
		buf_add_shquoted(&cmd, program);
		buf_adds(&cmd, " 2>/dev/null)\"\n");
	}
	buf_adds(&cmd, "echo \"time $(date +%s.%N)\"\n");
	run_result_init(&r);
	rc = t->ops->run(t, cmd.s, CHECK_TIMEOUT_MS, &r, err);
	after = check_wall();
	if (rc == 0 && (r.status != 0 || r.timed_out)) {
		buf_trim(&r.err);
		rc = error_set(err, "the check script %s on '%s': %s",
		    r.timed_out ? "timed out" : "failed", t->name, r.err.s);
	}
	if (rc == 0) {
		check_parse(r.out.s, f);
		/*
		 * The remote date ran last, just before the output came
		 * back; starting a command can be slow (seconds), so the
		 * midpoint would be wrong.  The error is the return trip.
		 */
		if (f->remote_time > 0)
			*offset = f->remote_time - after;
	}
	run_result_release(&r);
	buf_release(&cmd);
	return rc;
}

static void
check_problem(struct buf *problems, int *n, const char *fmt, ...)
    PB_PRINTF(3, 4);

static void
check_problem(struct buf *problems, int *n, const char *fmt, ...)
{
	va_list ap;

	if ((*n)++ > 0)
		buf_adds(problems, "; ");
	va_start(ap, fmt);
	buf_vaddf(problems, fmt, ap);
	va_end(ap);
}

/* The benchmark's program for a selector; NULL when none is given. */
static int
check_bench_program(struct config *cfg, const char *metric, char **out,
    struct error *err)
{
	struct bench_set bs;
	struct metric_sel sel;
	int rc;

	*out = NULL;
	if (metric == NULL)
		return 0;
	bench_set_init(&bs);
	rc = bench_set_load(&bs, cfg, err);
	if (rc == 0 && (rc = metric_sel_resolve(&bs, metric, &sel, err)) ==
	    0) {
		*out = check_program(sel.command);
		metric_sel_release(&sel);
	}
	bench_set_release(&bs);
	return rc < 0 ? -1 : 0;
}

static int
check_boots(struct config *cfg, const char *target, int *kexec,
    struct error *err)
{
	const char *v;
	char *key;
	int rc;

	*kexec = 0;
	if (strcmp(target, "local") == 0)
		return 0;
	key = xasprintf("target.%s.boot", target);
	rc = config_get_string(cfg, key, &v, err);
	free(key);
	if (rc < 0)
		return -1;
	*kexec = v == NULL || strcmp(v, "kexec") == 0;
	return 0;
}

int
cmd_check(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "metric", required_argument, NULL, 'm' },
		{ "target", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct error err = ERROR_INIT;
	struct check_facts f;
	struct buf problems = BUF_INIT;
	struct config *cfg;
	struct target *t = NULL;
	const char *target = "local", *metric = NULL;
	char *program = NULL;
	double offset = 0;
	int ch, kexec, nproblems = 0, rc = EXIT_USAGE;

	memset(&f, 0, sizeof(f));
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return cmd_usage(check_usage, 1);
		case 'm':
			metric = optarg;
			break;
		case 't':
			target = optarg;
			break;
		default:
			return cmd_usage(check_usage, 0);
		}
	}
	if (optind != argc)
		return cmd_usage(check_usage, 0);
	cfg = ctx_config(ctx, access("perfbisect.conf", R_OK) == 0 ? "" :
	    NULL);
	if (cfg == NULL)
		return EXIT_USAGE;
	if (check_bench_program(cfg, metric, &program, &err) < 0 ||
	    check_boots(cfg, target, &kexec, &err) < 0 ||
	    target_from_config(&t, cfg, target, ".", &err) < 0) {
		pb_err("%s", error_msg(&err));
		goto out;
	}
	rc = EXIT_RUNTIME;
	if (t->ops->open(t, &err) != 0 ||
	    check_probe(t, program, &f, &offset, &err) != 0) {
		pb_err("check '%s': %s", target, error_msg(&err));
		goto out;
	}

	printf("target           %s (%s)\n", t->name, t->ops->kind);
	printf("kernel release   %s\n", f.release ? f.release : "?");
	printf("command line     %s\n", f.cmdline ? f.cmdline : "?");
	if (kexec) {
		printf("kexec            %s (%s)\n", f.kexec ? f.kexec :
		    "not found", f.kexec_state ? f.kexec_state : "?");
		if (f.kexec == NULL)
			check_problem(&problems, &nproblems, "kexec not found "
			    "on the target (install kexec-tools)");
		else if (f.kexec_state == NULL ||
		    strcmp(f.kexec_state, "loadable") != 0)
			check_problem(&problems, &nproblems, "kexec cannot "
			    "load kernels: %s", f.kexec_state ?
			    f.kexec_state : "unknown");
	}
	printf("workdir space    %lld MiB free in %s\n", f.work_kb < 0 ? -1 :
	    f.work_kb / 1024, t->workdir);
	if (f.work_kb >= 0 && f.work_kb < CHECK_MIN_FREE_KB)
		check_problem(&problems, &nproblems, "only %lld MiB free in "
		    "%s (need %lld)", f.work_kb / 1024, t->workdir,
		    CHECK_MIN_FREE_KB / 1024);
	if (kexec) {
		printf("modules space    %lld MiB free in /lib/modules\n",
		    f.mod_kb < 0 ? -1 : f.mod_kb / 1024);
		if (f.mod_kb >= 0 && f.mod_kb < CHECK_MIN_FREE_KB)
			check_problem(&problems, &nproblems, "only %lld MiB "
			    "free in /lib/modules (need %lld)",
			    f.mod_kb / 1024, CHECK_MIN_FREE_KB / 1024);
	}
	if (program != NULL) {
		printf("benchmark        %s: %s\n", program, f.bench ?
		    f.bench : "not found");
		if (f.bench == NULL)
			check_problem(&problems, &nproblems, "'%s' (for %s) "
			    "not found on the target", program, metric);
	}
	if (f.remote_time > 0) {
		printf("clock offset     %+.3f s\n", offset);
		if (offset > CHECK_MAX_OFFSET_S || offset < -CHECK_MAX_OFFSET_S)
			pb_warn("the target's clock is %+.1f s off; times in "
			    "its logs will not line up", offset);
	} else
		printf("clock offset     unknown\n");
	if (nproblems > 0) {
		pb_err("target '%s' is not ready: %s", t->name, problems.s);
		goto out;
	}
	printf("ready\n");
	rc = EXIT_FOUND;
out:
	target_free(t);
	free(program);
	check_facts_release(&f);
	buf_release(&problems);
	error_clear(&err);
	return rc;
}
