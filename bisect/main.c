/* SPDX-License-Identifier: MIT */
/*
 * main.c - perfbisect's entry point: global options, the command table,
 * library set-up, signals and the exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>
#include <gsl/gsl_errno.h>
#include <libssh2.h>

#include "bisect/cmd.h"
#include "bisect/config.h"
#include "bisect/driver.h"
#include "bisect/proc.h"

struct cmd_entry {
	const char	*name;
	int		(*fn)(struct ctx *, int, char **);
	const char	*summary;
};

static const struct cmd_entry main_cmds[] = {
	{ "run", cmd_run, "measure the endpoints, bisect, confirm, report" },
	{ "resume", cmd_resume, "continue an interrupted bisection" },
	{ "status", cmd_status, "show where the bisection is" },
	{ "log", cmd_log, "print the bisection as a git bisect log" },
	{ "report", cmd_report, "print the report (text or --json)" },
	{ "compare", cmd_compare, "compare two samples or recorded revisions" },
	{ "reset", cmd_reset, "remove the bisection's state and worktree" },
	{ "check", cmd_check, "check that a target is ready" },
	{ "step", cmd_step, "measure HEAD for git bisect run (exit 0, 1, "
	    "125, 128)" },
	{ "batch", cmd_batch, "bisect a list of regressions on a pool of "
	    "targets" },
	{ "benchmarks", cmd_benchmarks, "list the benchmark catalogue" },
	{ "parse", cmd_parse, "parse saved benchmark output" },
	{ "simulate", cmd_simulate, "bisect synthetic histories many times: "
	    "how often, at what cost" },
};

static const char main_usage[] =
    "usage: perfbisect [-C dir] [-f file] [-c section.key=value]... "
    "command [args]\n";

void
pb_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("perfbisect: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
pb_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("perfbisect: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cmd_usage(const char *usage, int ok)
{
	fputs(usage, ok ? stdout : stderr);
	return ok ? EXIT_FOUND : EXIT_USAGE;
}

int
cmd_no_args(int argc, char **argv, const char *usage)
{
	if (argc <= 1)
		return -1;
	return cmd_usage(usage, argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0));
}

struct config *
ctx_config(struct ctx *ctx, const char *workdir)
{
	struct error err = ERROR_INIT;
	char *path = NULL;
	size_t i;
	int rc;

	if (ctx->config)
		return ctx->config;
	if (ctx->config_file)
		rc = config_open(&ctx->config, ctx->config_file, 1, &err);
	else {
		if (workdir)
			path = xasprintf("%sperfbisect.conf", workdir);
		rc = config_open(&ctx->config, path, 0, &err);
		ctx->config_is_default = 1;
		free(path);
	}
	for (i = 0; rc == 0 && i < ctx->noverrides; i++)
		rc = config_override(ctx->config, ctx->overrides[i], &err);
	if (rc < 0) {
		pb_err("%s", error_msg(&err));
		error_clear(&err);
		config_free(ctx->config);
		ctx->config = NULL;
		return NULL;
	}
	return ctx->config;
}

static void
main_help(void)
{
	size_t i;

	fputs(main_usage, stdout);
	puts("\ncommands:");
	for (i = 0; i < ARRAY_SIZE(main_cmds); i++)
		printf("   %-11s %s\n", main_cmds[i].name,
		    main_cmds[i].summary);
	puts("\n'perfbisect COMMAND --help' describes a command; "
	    "perfbisect(1) has the details.");
}

static void
main_signal(int sig)
{
	(void)sig;
	driver_interrupted = 1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx ctx;
	struct sigaction sa;
	const struct cmd_entry *cmd = NULL;
	size_t i, alloc = 0;
	int ch, rc;

	memset(&ctx, 0, sizeof(ctx));
	while ((ch = getopt_long(argc, argv, "+C:c:f:hV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'C':
			ctx.chdir = optarg;
			break;
		case 'c':
			GROW(ctx.overrides, ctx.noverrides + 1, alloc);
			ctx.overrides[ctx.noverrides++] = optarg;
			break;
		case 'f':
			ctx.config_file = optarg;
			break;
		case 'h':
			main_help();
			return EXIT_FOUND;
		case 'V':
			printf("perfbisect %s\n", PERFBISECT_VERSION);
			return EXIT_FOUND;
		default:
			return cmd_usage(main_usage, 0);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return cmd_usage(main_usage, 0);
	for (i = 0; i < ARRAY_SIZE(main_cmds); i++)
		if (strcmp(argv[0], main_cmds[i].name) == 0)
			cmd = &main_cmds[i];
	if (cmd == NULL) {
		pb_err("'%s' is not a perfbisect command; see "
		    "'perfbisect --help'", argv[0]);
		return EXIT_USAGE;
	}
	if (ctx.chdir && chdir(ctx.chdir) < 0) {
		pb_err("cannot change to '%s': %s", ctx.chdir,
		    strerror(errno));
		return EXIT_USAGE;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	gsl_set_error_handler_off();
	git_libgit2_init();
	libssh2_init(0);

	optind = 0;
	rc = cmd->fn(&ctx, argc, argv);

	libssh2_exit();
	git_libgit2_shutdown();
	config_free(ctx.config);
	free(ctx.overrides);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		pb_err("cannot write the output: %s", strerror(errno));
		rc = EXIT_RUNTIME;
	}
	if (driver_interrupted && rc == EXIT_RUNTIME)
		rc = 130;
	return rc;
}
