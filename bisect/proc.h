/* SPDX-License-Identifier: MIT */
/*
 * proc.h - run a child process with a deadline and capture its output.
 *
 * The child runs "sh -c COMMAND" (or an argv) in its own process group;
 * on timeout the whole group gets SIGTERM, then SIGKILL after a grace
 * period, so grandchildren do not outlive a run.  Output beyond
 * max_output bytes per stream is dropped (and said so), so a 100 MB line
 * cannot exhaust memory.  proc_start_*() start one without waiting for it.
 */
#ifndef PB_PROC_H
#define PB_PROC_H

#include <sys/types.h>

#include <signal.h>
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

/*
 * A child that runs beside the caller: started by proc_start_*(), watched
 * with proc_poll() or proc_wait(), ended with proc_kill() or proc_stop().
 * It gets what proc_run_*() children get (signals reset, its own process
 * group, opts' cwd, env and timeout, stdin from /dev/null) and dies with
 * SIGTERM when the caller dies.  Its output goes to opts.log_fd when that
 * is set (nothing to drain: the caller may block elsewhere for hours),
 * else to the pipes out and err, which the caller reads (non-blocking)
 * and closes.  opts.stdin_data and max_output are not used.
 */
struct proc {
	pid_t		 pid;		/* also its process group; 0: none */
	int		 running;	/* not reaped yet */
	int		 out;		/* its stdout, -1: log_fd or closed */
	int		 err;		/* its stderr, -1: log_fd or closed */
	int64_t		 start;		/* now_ms() at the start */
	int64_t		 deadline;	/* 0: none */
	int64_t		 term_at;	/* when the timeout's SIGTERM went */
	int		 timed_out;
	int		 status;	/* once reaped: as proc_result's */
};

#define PROC_INIT { 0, 0, -1, -1, 0, 0, 0, 0, -1 }

int	 proc_start_shell(struct proc *, const char *cmd,
	    const struct proc_opts *, struct error *);
int	 proc_start_argv(struct proc *, const char *const *argv,
	    const struct proc_opts *, struct error *);
/*
 * Reap the child if it has exited: 1 (p->status set), else 0.  Past the
 * deadline it sends the group SIGTERM, then SIGKILL after a grace period.
 */
int	 proc_poll(struct proc *);
/*
 * Wait for the child to exit, polling: 1 once it has, 0 as soon as *stop
 * (if given) is set, with the child still running.
 */
int	 proc_wait(struct proc *, const volatile sig_atomic_t *stop);
/* Send sig to the child's whole group (nothing once it is reaped). */
void	 proc_kill(struct proc *, int sig);
/*
 * End it now: SIGTERM to the group, SIGKILL after the grace period,
 * reaped; closes the pipes.  Its status is 128+signal unless it ended
 * by itself first.
 */
void	 proc_stop(struct proc *);
/* Close the pipes that are still open. */
void	 proc_close(struct proc *);

/* Kill every running child group (for signal-time cleanup); async-safe. */
void	 proc_kill_all(void);

#endif
