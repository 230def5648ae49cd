/* SPDX-License-Identifier: MIT */
/*
 * cmd.h - the command table and what every command gets.
 *
 * To add a command:
 *  1. write "int cmd_NAME(struct ctx *, int argc, char **argv)" in
 *     bisect/cmd-NAME.c (argv[0] is the command name; parse with getopt_long
 *     and reset optind = 0 first);
 *  2. declare it below and add its row to the table in bisect/main.c;
 *  3. document it in man/perfbisect.1 and in its usage string;
 *  4. add a test under tests/sh/.
 * Commands return an exit status (enum pb_exit), print results on stdout
 * and errors with pb_err() on stderr.
 */
#ifndef PB_CMD_H
#define PB_CMD_H

#include <stddef.h>

#include "bisect/util.h"

struct config;

enum pb_exit {
	EXIT_FOUND = 0,		/* success; run: culprit found */
	EXIT_RUNTIME = 1,	/* runtime error */
	EXIT_USAGE = 2,		/* usage or configuration error */
	EXIT_NOT_REPRODUCED = 3,
	EXIT_INCONCLUSIVE = 4,
	EXIT_BATCH_FAILED = 5,	/* batch: a regression failed or is unfinished */
};

struct ctx {
	const char	*chdir;		/* -C DIR */
	const char	*config_file;	/* -f FILE */
	char		**overrides;	/* -c key=value */
	size_t		 noverrides;
	struct config	*config;	/* opened by ctx_config() */
	int		 config_is_default;
};

/*
 * The configuration: -f FILE, else perfbisect.conf at the top of the
 * repository (workdir) if present, with the -c overrides.  Opens it once;
 * prints the error and returns NULL on failure (exit with EXIT_USAGE).
 * workdir may be NULL outside a repository.
 */
struct config *ctx_config(struct ctx *, const char *workdir);

/* "perfbisect: " + message on stderr. */
void	 pb_err(const char *, ...) PB_PRINTF(1, 2);
void	 pb_warn(const char *, ...) PB_PRINTF(1, 2);

/*
 * Print a command's usage (when argv asks for --help/-h, on stdout with
 * 0; otherwise on stderr with EXIT_USAGE).
 */
int	 cmd_usage(const char *usage, int ok);
/*
 * For a command that takes no arguments: -1 when there are none (go
 * on), else what cmd_usage() returns for them (--help or -h alone is the
 * help; anything else a usage error).
 */
int	 cmd_no_args(int argc, char **argv, const char *usage);

struct repo;
struct state;

/* Open the repository here and its record read-only (status, report). */
int	 cmd_open_record(struct repo **, struct state **, struct error *);
/* The record's directory: $PERFBISECT_DIR, else $GIT_DIR/perfbisect. */
char	*cmd_state_dir(const struct repo *);
/* The settings recorded in dir with this invocation's -c on top. */
struct config *cmd_recorded_config(struct ctx *, const char *dir,
	    struct error *);
/*
 * What "run" checks before it writes anything: the revisions (the good
 * ones' ids go to goodids, space-separated, the bad one's to badhex),
 * the settings, the metric and the target.  -1 with the message, or with
 * an empty one when ctx_config() already printed it.
 */
int	 cmd_check_run(struct ctx *, struct repo *, char **goods,
	    size_t ngoods, const char *bad, const char *metric,
	    const char *target, struct buf *goodids, char *badhex,
	    struct error *);

/* The formats of report_save(). */
enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_HTML,
};

/*
 * Write the report of the bisection recorded here (as "report" prints
 * it) to path atomically: a temporary file beside it, then a rename.
 */
int	 report_save(const char *path, enum report_format, struct error *);

int	 cmd_run(struct ctx *, int, char **);
int	 cmd_batch(struct ctx *, int, char **);
int	 cmd_resume(struct ctx *, int, char **);
int	 cmd_status(struct ctx *, int, char **);
int	 cmd_log(struct ctx *, int, char **);
int	 cmd_reset(struct ctx *, int, char **);
int	 cmd_benchmarks(struct ctx *, int, char **);
int	 cmd_parse(struct ctx *, int, char **);
int	 cmd_check(struct ctx *, int, char **);
int	 cmd_report(struct ctx *, int, char **);
int	 cmd_compare(struct ctx *, int, char **);
int	 cmd_step(struct ctx *, int, char **);
int	 cmd_simulate(struct ctx *, int, char **);

#endif
