/* SPDX-License-Identifier: MIT */
/*
 * ahead.c - builds made beside the measurement (see ahead.h).
 *
 * The build is a child of the driver with its output in a log file
 * (proc_start_shell with log_fd), so it runs on while the driver blocks
 * for minutes in a boot or a benchmark run; the driver reaps it when it
 * next polls.  The only state is in memory: the wanted list, the commits
 * already tried, and the build under way.  A driver that starts again
 * (resume) tries again what is not in the cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "bisect/ahead.h"
#include "bisect/bcache.h"
#include "bisect/proc.h"
#include "bisect/repo.h"
#include "bisect/state.h"

#define AHEAD_MAX_WANT	4

struct ahead {
	struct ahead_params p;
	char		*worktree;
	char		*index;
	char		*logdir;
	char		 want[AHEAD_MAX_WANT][GIT_OID_HEXSZ + 1];
	size_t		 nwant;
	char		**tried;	/* never tried twice (unless stopped) */
	size_t		 ntried;
	size_t		 tried_alloc;
	/* The build under way: cur[0] == '\0' when none. */
	char		 cur[GIT_OID_HEXSZ + 1];
	char		 cur_tree[GIT_OID_HEXSZ + 1];
	struct proc	 proc;
	struct bcache_slot slot;
	char		*log;
	int		 logfd;
};

static void
ahead_tell(struct ahead *a, const char *kv, const char *fmt, ...)
    PB_PRINTF(3, 4);

static void
ahead_tell(struct ahead *a, const char *kv, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (a->p.event)
		a->p.event(a->p.ctx, kv, msg.s);
	buf_release(&msg);
}

/* The tree id of commit hex; -1 if it cannot be read. */
static int
ahead_tree(struct ahead *a, const char *hex, char tree[GIT_OID_HEXSZ + 1])
{
	git_commit *c;
	git_oid id;

	if (git_oid_fromstr(&id, hex) < 0 ||
	    git_commit_lookup(&c, a->p.repo->git, &id) < 0)
		return -1;
	git_oid_tostr(tree, GIT_OID_HEXSZ + 1, git_commit_tree_id(c));
	git_commit_free(c);
	return 0;
}

int
ahead_new(struct ahead **out, const struct ahead_params *p,
    struct error *err)
{
	struct ahead *a = xcalloc(1, sizeof(*a));
	const char *dir = state_dir(p->st);

	a->p = *p;
	a->worktree = xasprintf("%s/ahead", dir);
	a->index = xasprintf("%s/ahead.index", dir);
	a->logdir = xasprintf("%s/builds", dir);
	a->proc = (struct proc)PROC_INIT;
	a->slot = (struct bcache_slot)BCACHE_SLOT_INIT;
	a->logfd = -1;
	if (mkdir_p(a->logdir, err) < 0) {
		ahead_free(a);
		return -1;
	}
	*out = a;
	return 0;
}

static int
ahead_tried(const struct ahead *a, const char *hex)
{
	size_t i;

	for (i = 0; i < a->ntried; i++)
		if (strcmp(a->tried[i], hex) == 0)
			return 1;
	return 0;
}

static void
ahead_untry(struct ahead *a, const char *hex)
{
	size_t i;

	for (i = 0; i < a->ntried; i++)
		if (strcmp(a->tried[i], hex) == 0) {
			free(a->tried[i]);
			a->tried[i] = a->tried[--a->ntried];
			return;
		}
}

/* Record the end of the build under way and forget it. */
static void
ahead_record(struct ahead *a, const char *status, int64_t duration,
    int64_t waited)
{
	struct error err = ERROR_INIT;
	char *msg, *kv;

	msg = xasprintf("%s %s %lld %lld", a->cur, status,
	    (long long)duration, (long long)waited);
	if (state_event(a->p.st, "build-ahead", msg, &err) < 0) {
		kv = xasprintf("event=note what=build-ahead commit=%s",
		    a->cur);
		ahead_tell(a, kv, "build ahead %.12s: %s", a->cur,
		    error_msg(&err));
		free(kv);
	}
	error_clear(&err);
	free(msg);
	kv = xasprintf("event=build-ahead commit=%s status=%s "
	    "duration_ms=%lld waited_ms=%lld", a->cur, status,
	    (long long)duration, (long long)waited);
	if (strcmp(status, "ok") == 0)
		ahead_tell(a, kv, "build ahead %.12s: ok in %.1f s%s", a->cur,
		    duration / 1000.0, waited ? " (waited for it)" : "");
	else if (strcmp(status, "stopped") == 0)
		ahead_tell(a, kv, "build ahead %.12s: stopped, not cached",
		    a->cur);
	else
		ahead_tell(a, kv, "build ahead %.12s %s: see %s", a->cur,
		    status, a->log);
	free(kv);
	if (a->logfd >= 0)
		close(a->logfd);
	a->logfd = -1;
	bcache_slot_release(&a->slot);
	free(a->log);
	a->log = NULL;
	a->cur[0] = a->cur_tree[0] = '\0';
	a->proc = (struct proc)PROC_INIT;
}

/* Stop the build under way: it is not cached, and may be tried again. */
static void
ahead_stop(struct ahead *a)
{
	char hex[GIT_OID_HEXSZ + 1];

	if (a->cur[0] == '\0')
		return;
	proc_stop(&a->proc);
	memcpy(hex, a->cur, sizeof(hex));
	ahead_record(a, "stopped", now_ms() - a->proc.start, 0);
	ahead_untry(a, hex);
}

/* The build under way has exited: cache what it made. */
static void
ahead_finish(struct ahead *a, int64_t waited)
{
	struct bcache_entry e = { 0 };
	struct error err = ERROR_INIT;
	int64_t duration = now_ms() - a->proc.start;
	char *kv;

	if (a->p.stop && *a->p.stop && a->proc.status != 0) {
		/*
		 * It may have died of what stops the driver (a hangup
		 * reaches every group); a build that succeeded is kept.
		 */
		ahead_record(a, "stopped", duration, waited);
		return;
	}
	fsync(a->logfd);
	e.commit = a->cur;
	e.duration_ms = duration;
	if (a->proc.timed_out) {
		e.status = (char *)"timeout";
		e.reason = xasprintf("timed out after %lld s",
		    a->p.timeout_ms / 1000);
	} else if (a->proc.status != 0) {
		e.status = (char *)"failed";
		e.reason = xasprintf("'%s' exited with status %d",
		    a->p.command, a->proc.status);
	} else
		e.status = (char *)"ok";
	if (bcache_store(&a->slot, a->worktree, a->log, &e, &err) < 0) {
		kv = xasprintf("event=note what=build-ahead commit=%s",
		    a->cur);
		ahead_tell(a, kv, "build ahead %.12s: not cached: %s", a->cur,
		    error_msg(&err));
		free(kv);
		error_clear(&err);
	}
	ahead_record(a, e.status, duration, waited);
	free(e.reason);
}

/*
 * Start building hex if nobody has: 1 when a build started, 0 when there
 * is nothing to do (cached, being built elsewhere, or it cannot start).
 */
static int
ahead_start(struct ahead *a, const char *hex)
{
	struct bcache_entry e = { 0 };
	struct proc_opts o = { 0 };
	struct error err = ERROR_INIT;
	char tree[GIT_OID_HEXSZ + 1], *envc, *kv;
	const char *env[2];
	git_oid id;
	int on, rc;

	GROW(a->tried, a->ntried + 1, a->tried_alloc);
	a->tried[a->ntried++] = xstrdup(hex);
	if (ahead_tree(a, hex, tree) < 0) {
		repo_git_error(&err, hex);
		goto out_fail;
	}
	if (bcache_slot_init(&a->slot, a->p.cfg, tree, &on, &err) < 0)
		goto out_fail;
	if (!on)
		return 0;
	rc = bcache_lookup(&a->slot, a->p.need, 0, NULL, &e, &err);
	if (rc < 0)
		goto out_fail;
	bcache_entry_release(&e);
	if (rc != BCACHE_MISS) {	/* there, or someone builds it */
		bcache_slot_release(&a->slot);
		return 0;
	}
	git_oid_fromstr(&id, hex);
	if (repo_checkout(a->p.repo, a->worktree, a->index, &id, &err) < 0)
		goto out_fail;
	a->log = xasprintf("%s/%s-ahead.log", a->logdir, hex);
	a->logfd = open(a->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	if (a->logfd < 0) {
		error_set(&err, "cannot create '%s': %s", a->log,
		    strerror(errno));
		goto out_fail;
	}
	envc = xasprintf("PERFBISECT_COMMIT=%s", hex);
	env[0] = envc;
	env[1] = NULL;
	o.cwd = a->worktree;
	o.env = env;
	o.timeout_ms = a->p.timeout_ms;
	o.log_fd = a->logfd;
	rc = proc_start_shell(&a->proc, a->p.command, &o, &err);
	free(envc);
	if (rc < 0)
		goto out_fail;
	memcpy(a->cur, hex, sizeof(a->cur));
	memcpy(a->cur_tree, tree, sizeof(a->cur_tree));
	kv = xasprintf("event=build-ahead-start commit=%s", hex);
	ahead_tell(a, kv, "build ahead %.12s, beside the measurement", hex);
	free(kv);
	return 1;

out_fail:
	kv = xasprintf("event=note what=build-ahead commit=%s", hex);
	ahead_tell(a, kv, "build ahead %.12s: cannot start: %s", hex,
	    error_msg(&err));
	free(kv);
	error_clear(&err);
	if (a->logfd >= 0)
		close(a->logfd);
	a->logfd = -1;
	free(a->log);
	a->log = NULL;
	bcache_slot_release(&a->slot);
	return 0;
}

void
ahead_want(struct ahead *a, const char *const *hex, size_t n)
{
	size_t i;
	int keep = 0;

	a->nwant = 0;
	for (i = 0; i < n && a->nwant < AHEAD_MAX_WANT; i++) {
		snprintf(a->want[a->nwant++], GIT_OID_HEXSZ + 1, "%s", hex[i]);
		if (strcmp(hex[i], a->cur) == 0)
			keep = 1;
	}
	if (a->cur[0] && !keep)
		ahead_stop(a);
}

void
ahead_poll(struct ahead *a)
{
	size_t i;

	if (a->cur[0] && proc_poll(&a->proc))
		ahead_finish(a, 0);
	if (a->p.stop && *a->p.stop)
		return;
	for (i = 0; a->cur[0] == '\0' && i < a->nwant; i++)
		if (!ahead_tried(a, a->want[i]))
			ahead_start(a, a->want[i]);
}

int
ahead_claim(struct ahead *a, const char *hex)
{
	char tree[GIT_OID_HEXSZ + 1];
	int64_t t0;

	/* The driver builds it if it must: never ahead of it as well. */
	if (!ahead_tried(a, hex)) {
		GROW(a->tried, a->ntried + 1, a->tried_alloc);
		a->tried[a->ntried++] = xstrdup(hex);
	}
	if (a->cur[0] == '\0')
		return 0;
	if (strcmp(a->cur, hex) != 0 && (ahead_tree(a, hex, tree) < 0 ||
	    strcmp(tree, a->cur_tree) != 0))
		return 0;
	t0 = now_ms();
	if (!proc_wait(&a->proc, a->p.stop))
		return 1;
	ahead_finish(a, now_ms() - t0);
	return 0;
}

void
ahead_free(struct ahead *a)
{
	size_t i;

	if (a == NULL)
		return;
	if (a->cur[0] && proc_poll(&a->proc))
		ahead_finish(a, 0);	/* it ended: never lose a build */
	ahead_stop(a);
	for (i = 0; i < a->ntried; i++)
		free(a->tried[i]);
	free(a->tried);
	free(a->worktree);
	free(a->index);
	free(a->logdir);
	free(a);
}
