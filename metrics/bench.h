/* SPDX-License-Identifier: MIT */
/*
 * bench.h - benchmark definitions, metric selectors, and turning a run's
 * output into the selected metric's value.
 *
 * A benchmark has a command template with parameters ({size}), a parser
 * and metrics with a unit and a direction.  Built-in benchmarks form the
 * catalogue; [benchmark "NAME"] and [metric "NAME:METRIC"] in the config
 * add custom ones or override built-in settings.  A selector
 * BENCH:METRIC[@param=value,...] names one metric of one benchmark.
 */
#ifndef PB_BENCH_H
#define PB_BENCH_H

#include <stddef.h>

#include "bisect/util.h"
#include "stats/verdict.h"

struct config;

enum bench_stream {
	STREAM_STDOUT,
	STREAM_STDERR,
};

struct bench_param {
	char	*name;
	char	*def;		/* default value */
	char	*help;
	char	*choices;	/* "64,128,...": the allowed values; NULL: any */
};

struct bench_metric {
	char	*name;		/* may be a pattern like "send" (per size) */
	char	*unit;
	enum better better;
	int	 better_set;	/* 0: no direction known (custom metric) */
	char	*help;
	char	*key;		/* its name in the parser's output, a template
				   like "{job}.read.iops"; NULL: the name */
};

struct bench {
	char	*name;
	char	*command;	/* template: {param} is replaced, shell-quoted */
	enum bench_stream stream;
	char	*parser;	/* keyvalue, regex, json, csv, netperf, ... */
	char	*parser_arg;	/* the regex, JSON path or CSV column */
	char	*setup;		/* run once before the runs (start a server) */
	char	*teardown;	/* run once after */
	char	*error;		/* ERE: a match in the output fails the run */
	char	*help;		/* one line for "perfbisect benchmarks" */
	struct bench_param *params;
	size_t	 nparams;
	struct bench_metric *metrics;
	size_t	 nmetrics;
	int	 runs;		/* -1: the stats default */
	int	 warmup;	/* -1: the stats default */
	int	 builtin;
};

struct bench_set {
	struct bench *v;
	size_t	 n;
	size_t	 alloc;
};

void	 bench_set_init(struct bench_set *);
void	 bench_set_release(struct bench_set *);
/* The built-in catalogue, then [benchmark] and [metric] from config. */
int	 bench_set_load(struct bench_set *, struct config *, struct error *);
const struct bench *bench_set_find(const struct bench_set *, const char *);

/* A selector resolved against a bench_set. */
struct metric_sel {
	const struct bench *bench;
	char	*metric;	/* the metric's key in the parser's output */
	char	*unit;
	enum better better;
	char	*command;	/* the expanded command line */
	char	*setup;		/* expanded, or NULL */
	char	*teardown;
	char	*text;		/* the selector as given, normalised */
	char	*name;		/* the metric's name in the selector */
	char	**values;	/* one per bench->params, defaults filled in */
	size_t	 nvalues;
};

void	 metric_sel_release(struct metric_sel *);
/*
 * Resolve "BENCH:METRIC[@param=value,...]".  An unknown benchmark, metric
 * or parameter is an error that lists the valid ones.
 */
int	 metric_sel_resolve(const struct bench_set *, const char *selector,
	    struct metric_sel *out, struct error *);

/*
 * The selected metric's value from one run's output.  -1 with a reason
 * when the output holds no value, a non-finite one, or an error marker;
 * warnings (e.g. netperf send and recv diverge) are appended to warn.
 */
int	 metric_sel_extract(const struct metric_sel *, const char *out,
	    size_t outlen, const char *err, size_t errlen, double *value,
	    struct buf *warn, struct error *);

/*
 * Every metric a parser finds in an output (for "perfbisect parse").
 */
struct metric_value {
	char	*name;
	double	 value;
};

struct metric_values {
	struct metric_value *v;
	size_t	 n;
	size_t	 alloc;
	struct buf warnings;
};

/*
 * Outputs larger than this are refused with a reason, not parsed: a
 * benchmark that prints 100 MB is broken, and parsers stay linear.
 */
#define PARSE_MAX_OUTPUT	(64 * 1024 * 1024)
/* At most this many distinct metrics from one output. */
#define PARSE_MAX_METRICS	10000

void	 metric_values_init(struct metric_values *);
void	 metric_values_release(struct metric_values *);
/*
 * Set a metric (a later value of the same name replaces the earlier one,
 * which keeps its place).  -1 with err set past PARSE_MAX_METRICS.
 */
int	 metric_values_set(struct metric_values *, const char *name,
	    double value, struct error *);
/* The metric named name, or NULL. */
const struct metric_value *metric_values_find(const struct metric_values *,
	    const char *name);
/*
 * Parse text with the named parser (see parse_parsers()).  arg is the
 * parser's argument (regex, JSON path, CSV column, netperf selectors) or
 * NULL.  -1 with err set (without the benchmark's name: callers add it)
 * on an error marker in the output or malformed output; an output with
 * no metric at all is not an error here, the selector decides.
 */
int	 parse_output(const char *parser, const char *arg, const char *text,
	    size_t len, struct metric_values *, struct error *);
/*
 * Check a parser's argument before any run (the regex compiles): 0, or
 * -1 with err set.
 */
int	 parse_check_arg(const char *parser, const char *arg, struct error *);
/* Is name a parser?  Returns its one-line description, or NULL. */
const char *parse_parser_help(const char *name);
/* The parser names, NULL-terminated. */
const char *const *parse_parsers(void);

#endif
