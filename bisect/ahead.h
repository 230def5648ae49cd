/* SPDX-License-Identifier: MIT */
/*
 * ahead.h - build ahead: while the target measures one kernel, build the
 * ones the bisection may need next, into the build cache (bcache.h).
 *
 * The driver says which commits the next step may test (ahead_want, the
 * likelier first) and polls (ahead_poll) between boots and runs.  One
 * build runs at a time, beside the measurement, in a worktree of its own
 * (STATE/ahead, with STATE/ahead.index) and with its log in
 * STATE/builds/COMMIT-ahead.log.  It holds the cache key's lock while it
 * builds, so another bisection that needs the same tree waits for it;
 * when it ends (ok or failed) it is stored in the cache like any build,
 * and the driver finds it there.  When the driver needs a commit now
 * that is being built ahead, ahead_claim waits for that build instead of
 * starting a second one.
 *
 * A build that is no longer wanted, or still running when the driver
 * stops, is stopped and not cached: nothing half-built is ever used.
 * One that ended is always kept.
 *
 * Every build ahead that ends is recorded as a "build-ahead" event
 * "COMMIT STATUS DURATION_MS WAITED_MS" (STATUS ok, failed, timeout or
 * stopped; WAITED_MS: how long the driver waited for it in ahead_claim),
 * so a report can tell the time it saved.
 */
#ifndef PB_AHEAD_H
#define PB_AHEAD_H

#include <signal.h>
#include <stddef.h>

#include "bisect/util.h"

struct ahead;
struct config;
struct repo;
struct state;

struct ahead_params {
	struct repo	*repo;
	struct state	*st;
	struct config	*cfg;		/* the build.* settings, the cache */
	const char	*command;	/* build.command */
	long long	 timeout_ms;	/* build.timeout */
	int		 need;		/* BCACHE_NEED_* of the target */
	const volatile sig_atomic_t *stop;	/* set: the driver stops */
	/* Tells of a build ahead: a --ci key=value line and a message. */
	void		(*event)(void *ctx, const char *kv, const char *msg);
	void		*ctx;
};

/* The state directory of p->st holds the worktree; strings are kept. */
int	 ahead_new(struct ahead **, const struct ahead_params *,
	    struct error *);
/* Stop a build under way (not cached) and free. */
void	 ahead_free(struct ahead *);

/*
 * The commits (hex ids) the bisection may test next, the likelier first;
 * replaces the last list.  A build under way of a commit not in it is
 * stopped.
 */
void	 ahead_want(struct ahead *, const char *const *hex, size_t n);

/*
 * Reap a build that ended (cache it, record it) and start the next
 * wanted commit that is neither cached nor being built elsewhere.  Never
 * blocks for long (a checkout); problems are told as events, never
 * fatal: the driver builds what it needs itself.
 */
void	 ahead_poll(struct ahead *);

/*
 * The driver needs hex now: if a build ahead of its tree is under way,
 * wait for it (and cache it).  0, or 1 when *stop was set first.
 */
int	 ahead_claim(struct ahead *, const char *hex);

#endif
