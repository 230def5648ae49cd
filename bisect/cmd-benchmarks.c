/* SPDX-License-Identifier: MIT */
/*
 * cmd-benchmarks.c - "perfbisect benchmarks [NAME]": the catalogue,
 * built-in and from the config, or one benchmark in full: its command
 * template, parameters with defaults, and metrics with unit and
 * direction.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bisect/cmd.h"
#include "bisect/util.h"
#include "metrics/bench.h"

static const char benchmarks_usage[] =
    "usage: perfbisect benchmarks [NAME]\n";

static void
cmd_benchmarks_list(const struct bench_set *set)
{
	const struct bench *b;
	size_t i;

	for (i = 0; i < set->n; i++) {
		b = &set->v[i];
		printf("%-14s %-11s %s%s\n", b->name, b->parser,
		    b->help ? b->help : "", b->builtin ? "" : " (config)");
	}
}

static void
cmd_benchmarks_one(const struct bench *b)
{
	const struct bench_metric *m;
	const struct bench_param *p;
	size_t i;

	printf("benchmark %s%s\n", b->name, b->builtin ? "" :
	    " (from the config)");
	if (b->help)
		printf("  %s\n", b->help);
	printf("command:   %s\n", b->command);
	printf("stream:    %s\n", b->stream == STREAM_STDERR ? "stderr" :
	    "stdout");
	printf("parser:    %s%s%s\n", b->parser, b->parser_arg ? " " : "",
	    b->parser_arg ? b->parser_arg : "");
	if (b->setup)
		printf("setup:     %s\n", b->setup);
	if (b->teardown)
		printf("teardown:  %s\n", b->teardown);
	if (b->error)
		printf("error:     %s\n", b->error);
	if (b->runs >= 0)
		printf("runs:      %d\n", b->runs);
	if (b->warmup >= 0)
		printf("warmup:    %d\n", b->warmup);
	printf("parameters:%s\n", b->nparams ? "" : " none");
	for (i = 0; i < b->nparams; i++) {
		p = &b->params[i];
		printf("  %-10s default %-10s %s%s%s%s\n", p->name, p->def,
		    p->help ? p->help : "", p->choices ? " (" : "",
		    p->choices ? p->choices : "", p->choices ? ")" : "");
	}
	printf("metrics:%s\n", b->nmetrics ? "" : " any the parser finds "
	    "(set metric.BENCH:METRIC.direction)");
	for (i = 0; i < b->nmetrics; i++) {
		m = &b->metrics[i];
		printf("  %-16s %-11s %-17s %s\n", m->name,
		    m->unit ? m->unit : "-", !m->better_set ?
		    "no direction" : m->better == BETTER_LOWER ?
		    "lower is better" : "higher is better",
		    m->help ? m->help : "");
	}
}

int
cmd_benchmarks(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct error err = ERROR_INIT;
	struct bench_set set;
	const struct bench *b;
	struct config *cfg;
	int ch, rc = EXIT_FOUND;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h')
			return cmd_usage(benchmarks_usage, 1);
		return cmd_usage(benchmarks_usage, 0);
	}
	if (argc - optind > 1)
		return cmd_usage(benchmarks_usage, 0);
	cfg = ctx_config(ctx, access("perfbisect.conf", R_OK) == 0 ? "" :
	    NULL);
	if (cfg == NULL)
		return EXIT_USAGE;
	bench_set_init(&set);
	if (bench_set_load(&set, cfg, &err) == -1) {
		pb_err("%s", error_msg(&err));
		rc = EXIT_USAGE;
	} else if (optind == argc) {
		cmd_benchmarks_list(&set);
	} else if ((b = bench_set_find(&set, argv[optind])) == NULL) {
		struct buf names = BUF_INIT;
		size_t i;

		for (i = 0; i < set.n; i++)
			buf_addf(&names, "%s%s", i ? ", " : "", set.v[i].name);
		pb_err("unknown benchmark '%s' (benchmarks: %s)",
		    argv[optind], names.s);
		buf_release(&names);
		rc = EXIT_USAGE;
	} else {
		cmd_benchmarks_one(b);
	}
	bench_set_release(&set);
	error_clear(&err);
	return rc;
}
