/* SPDX-License-Identifier: MIT */
/*
 * cmd-parse.c - "perfbisect parse [--json] BENCH [FILE]": run a
 * benchmark's parser over saved output (FILE, or standard input) and
 * print every metric found, one "name value" per line, or as JSON.
 *
 * BENCH is a benchmark (built-in or from the config), a selector
 * BENCH:METRIC[@params] (print that metric's value exactly as a run
 * would extract it), or a parser name with --arg for its argument, to
 * try a parser before writing the config.  The output is taken as the
 * stream the benchmark parses: for stress-ng or time, save stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bisect/cmd.h"
#include "bisect/util.h"
#include "metrics/bench.h"

static const char parse_usage[] =
    "usage: perfbisect parse [--json] [--arg ARG] BENCH[:METRIC] [FILE]\n";

/* Standard input, refusing more than the parsers accept. */
static int
cmd_parse_stdin(struct buf *out, struct error *err)
{
	char tmp[65536];
	ssize_t n;

	for (;;) {
		n = read(STDIN_FILENO, tmp, sizeof(tmp));
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return error_set(err, "cannot read standard input: %s",
			    strerror(errno));
		}
		buf_add(out, tmp, (size_t)n);
		if (out->len > PARSE_MAX_OUTPUT)
			return error_set(err, "output too large (over %d "
			    "bytes)", PARSE_MAX_OUTPUT);
	}
}

static void
cmd_parse_print_warnings(const struct buf *w)
{
	const char *p = w->s, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		pb_warn("%.*s", (int)(nl ? nl - p : (ptrdiff_t)strlen(p)), p);
		p = nl ? nl + 1 : p + strlen(p);
	}
}

static int
cmd_parse_print(const char *what, const struct metric_values *vals,
    int json)
{
	json_t *root, *m, *w;
	const char *p, *nl;
	size_t i;

	if (!json) {
		for (i = 0; i < vals->n; i++)
			printf("%s %.15g\n", vals->v[i].name,
			    vals->v[i].value);
		cmd_parse_print_warnings(&vals->warnings);
		return 0;
	}
	root = json_object();
	m = json_object();
	w = json_array();
	json_object_set_new(root, "benchmark", json_string(what));
	for (i = 0; i < vals->n; i++)
		json_object_set_new(m, vals->v[i].name,
		    isfinite(vals->v[i].value) ?
		    json_real(vals->v[i].value) : json_null());
	for (p = vals->warnings.s; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		json_array_append_new(w, json_stringn(p, nl ? (size_t)(nl - p) :
		    strlen(p)));
	}
	json_object_set_new(root, "metrics", m);
	json_object_set_new(root, "warnings", w);
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	fputc('\n', stdout);
	json_decref(root);
	return 0;
}

/* BENCH:METRIC: the value a run would record. */
static int
cmd_parse_selector(const struct bench_set *set, const char *selector,
    const struct buf *text, int json, struct error *err)
{
	struct metric_values vals;
	struct metric_sel sel;
	struct buf warn = BUF_INIT;
	double v;
	int rc;

	if (metric_sel_resolve(set, selector, &sel, err) == -1)
		return -1;
	rc = metric_sel_extract(&sel, text->s, text->len, text->s, text->len,
	    &v, &warn, err);
	if (rc == 0) {
		metric_values_init(&vals);
		metric_values_set(&vals, sel.name, v, NULL);
		buf_add(&vals.warnings, warn.s, warn.len);
		cmd_parse_print(sel.text, &vals, json);
		metric_values_release(&vals);
	}
	buf_release(&warn);
	metric_sel_release(&sel);
	return rc;
}

int
cmd_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "arg", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct error err = ERROR_INIT;
	struct metric_values vals;
	struct buf text = BUF_INIT;
	struct bench_set set;
	const struct bench *b;
	struct config *cfg;
	const char *name, *arg = NULL, *parser, *kind = "benchmark";
	int ch, json = 0, rc = EXIT_RUNTIME;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "a:hj", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			arg = optarg;
			break;
		case 'h':
			return cmd_usage(parse_usage, 1);
		case 'j':
			json = 1;
			break;
		default:
			return cmd_usage(parse_usage, 0);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		return cmd_usage(parse_usage, 0);
	name = argv[0];
	cfg = ctx_config(ctx, access("perfbisect.conf", R_OK) == 0 ? "" :
	    NULL);
	if (cfg == NULL)
		return EXIT_USAGE;
	bench_set_init(&set);
	metric_values_init(&vals);
	if (bench_set_load(&set, cfg, &err) == -1) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (argc == 2 && strcmp(argv[1], "-") != 0) {
		if (read_file(argv[1], &text, &err) == -1)
			goto out;
	} else if (cmd_parse_stdin(&text, &err) == -1) {
		goto out;
	}
	if (strchr(name, ':')) {
		if (cmd_parse_selector(&set, name, &text, json, &err) == 0)
			rc = EXIT_FOUND;
		goto out;
	}
	if ((b = bench_set_find(&set, name)) != NULL) {
		parser = b->parser;
		if (arg == NULL)
			arg = b->parser_arg;
	} else if (parse_parser_help(name) != NULL) {
		parser = name;
		kind = "parser";
	} else {
		struct buf names = BUF_INIT;
		const char *const *p;
		size_t i;

		for (i = 0; i < set.n; i++)
			buf_addf(&names, "%s%s", i ? ", " : "", set.v[i].name);
		for (p = parse_parsers(); *p; p++)
			buf_addf(&names, "%s%s", p == parse_parsers() ?
			    "; parsers: " : ", ", *p);
		error_set(&err, "unknown benchmark or parser '%s' "
		    "(benchmarks: %s)", name, names.s);
		buf_release(&names);
		rc = EXIT_USAGE;
		goto out;
	}
	if (parse_check_arg(parser, arg, &err) == -1 ||
	    parse_output(parser, arg, text.s, text.len, &vals, &err) == -1) {
		error_prefix(&err, "%s '%s': ", kind, name);
		goto out;
	}
	if (vals.n == 0) {
		error_set(&err, "%s '%s': no metric found in the output", kind,
		    name);
		goto out;
	}
	cmd_parse_print(name, &vals, json);
	rc = EXIT_FOUND;
out:
	if (rc != EXIT_FOUND)
		pb_err("%s", error_msg(&err));
	metric_values_release(&vals);
	bench_set_release(&set);
	buf_release(&text);
	error_clear(&err);
	return rc;
}
