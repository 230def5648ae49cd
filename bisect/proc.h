/* SPDX-License-Identifier: MIT */
/*
 * proc.h - run a child process with a deadline and capture its output.
 *
 * The child runs "sh -c COMMAND" (or an argv) in its own process group;
 * on timeout the whole group gets SIGTERM, then SIGKILL after a grace
 * period, so grandchildren do not outlive a run.  Output beyond
 * max_output bytes per stream is dropped (and said so), so a 100 MB line
 * cannot exhaust memory.
 */
#ifndef PB_PROC_H
#define PB_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "bisect/util.h"

struct proc_opts {
	const char	*cwd;		/* NULL: inherit */
	const char	*const *env;	/* extra NAME=value entries, NULL-ended */
	long long	 timeout_ms;	/* <= 0: none */
	size_t		 max_output;	/* per stream; 0: 16 MiB */
	const char	*stdin_data;	/* NULL: /dev/null */
	size_t		 stdin_len;
	int		 log_fd;	/* > 0: also copy both streams here */
};

struct proc_result {
	int		 status;	/* exit code, 128+signal, -1 not run */
	int		 timed_out;
	int		 truncated;	/* output beyond max_output dropped */
	int64_t		 duration_ms;
	struct buf	 out;
	struct buf	 err;
};

void	 proc_result_init(struct proc_result *);
void	 proc_result_release(struct proc_result *);

/* Run "sh -c cmd".  -1 only if the process could not be started. */
int	 proc_run_shell(const char *cmd, const struct proc_opts *,
	    struct proc_result *, struct error *);
/* Run argv[0] with argv (no shell). */
int	 proc_run_argv(const char *const *argv, const struct proc_opts *,
	    struct proc_result *, struct error *);

/* Kill every running child group (for signal-time cleanup); async-safe. */
void	 proc_kill_all(void);

#endif
