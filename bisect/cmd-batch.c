/* SPDX-License-Identifier: MIT */
/*
 * cmd-batch.c - "perfbisect batch": work through a list of regressions
 * on a pool of targets.
 *
 * The controller checks the whole list before it writes anything, then
 * runs every regression as a child "perfbisect run" (or "resume") of the
 * same binary, with PERFBISECT_DIR pointing at the regression's own
 * state directory, at most one per target at a time.  It never blocks on
 * a child: it polls their output (relayed line by line, prefixed with
 * the regression's name), reaps them and starts the next ones.  All that
 * it knows is in the children's records and a small note per
 * regression, so after a crash "batch --resume" rebuilds everything from
 * disk and the children's own resume repeats no completed run.
 *
 * Layout, under $GIT_DIR/perfbisect-batch:
 *	list		the regression list as given
 *	targets		the pool, one name per line
 *	lock		held by the running controller (its pid inside)
 *	reg/NAME/	the regression's state directory (PERFBISECT_DIR)
 *	reg/NAME/batch	the controller's note: target, time spent, the
 *			last exit status and error
 * Kernels are shared through the build cache (build.cache, by default
 * $GIT_DIR/perfbisect-cache).
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "bisect/batchlist.h"
#include "bisect/cmd.h"
#include "bisect/config.h"
#include "bisect/driver.h"
#include "bisect/proc.h"
#include "bisect/repo.h"
#include "bisect/state.h"
#include "kexec/target.h"
#include "metrics/bench.h"

#define BATCH_POLL_MS	100
#define BATCH_NOTE_MS	5000	/* how often the time spent is saved */
#define BATCH_GRACE_MS	30000	/* SIGTERM to SIGKILL when stopping */

static const char batch_usage[] =
    "usage: perfbisect batch [--targets name,...] list\n"
    "       perfbisect batch --resume [--targets name,...] [list]\n"
    "       perfbisect batch --status\n";

/* What the controller knows of one regression. */
struct batch_reg {
	const struct batch_entry *e;
	char	*dir;		/* its state directory */
	char	*target;	/* recorded or assigned target, NULL: none */
	char	*status;	/* the record's status, NULL: no record */
	char	*error;		/* last failure, from the note */
	int	 exit;		/* last child's exit status, -1: none */
	int64_t	 spent_ms;	/* time spent by children before this one */
	int	 done;		/* nothing more to do in this invocation */
	struct proc proc;	/* its child (running until reaped) */
	int64_t	 started;	/* now_ms() when it started */
	int64_t	 noted;		/* when the note was last written */
	struct buf part[2];	/* incomplete lines */
	struct buf last;	/* the child's last stderr line */
};

struct batch {
	struct ctx	*ctx;
	struct repo	*repo;
	char		*root;
	char		*self;		/* this program */
	char		*cache;		/* build.cache to give children */
	struct batch_list list;
	struct batch_reg *regs;
	char		**pool;
	size_t		 npool;
	int		 lockfd;
};

static void
batch_strings_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Split s at commas and blanks into names. */
static void
batch_split(const char *s, char ***out, size_t *n)
{
	size_t len, alloc = 0;

	*out = NULL;
	*n = 0;
	while (*s) {
		s += strspn(s, ", \t\n");
		len = strcspn(s, ", \t\n");
		if (len == 0)
			break;
		GROW(*out, *n + 1, alloc);
		(*out)[(*n)++] = xstrndup(s, len);
		s += len;
	}
}

/* A fresh config as the children will see it, with e's settings. */
static struct config *
batch_config(struct batch *b, const struct batch_entry *e, struct error *err)
{
	struct config *cfg;
	char *path = NULL;
	size_t i;
	int rc;

	if (b->ctx->config_file)
		rc = config_open(&cfg, b->ctx->config_file, 1, err);
	else {
		if (b->repo->workdir)
			path = xasprintf("%sperfbisect.conf", b->repo->workdir);
		rc = config_open(&cfg, path, 0, err);
		free(path);
	}
	if (rc < 0)
		return NULL;
	for (i = 0; i < b->ctx->noverrides; i++)
		if (config_override(cfg, b->ctx->overrides[i], err) < 0)
			goto out_fail;
	for (i = 0; e && i < e->noverrides; i++)
		if (config_override(cfg, e->overrides[i], err) < 0)
			goto out_fail;
	return cfg;

out_fail:
	config_free(cfg);
	return NULL;
}

static int
batch_in_pool(const struct batch *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->npool; i++)
		if (strcmp(b->pool[i], name) == 0)
			return 1;
	return 0;
}

/* Check the pool: every name a target the config knows, no repeats. */
static int
batch_check_pool(struct batch *b, struct error *err)
{
	struct config *cfg;
	struct target *t;
	size_t i, j;
	int rc = 0;

	if (b->npool == 0)
		return error_set(err, "no targets: give --targets or set "
		    "batch.targets");
	if ((cfg = batch_config(b, NULL, err)) == NULL)
		return -1;
	for (i = 0; i < b->npool && rc == 0; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(b->pool[i], b->pool[j]) == 0)
				rc = error_set(err, "target '%s' is twice in "
				    "the pool", b->pool[i]);
		if (rc == 0 && (rc = target_from_config(&t, cfg, b->pool[i],
		    ".", err)) == 0)
			target_free(t);
	}
	config_free(cfg);
	return rc;
}

/* What "run" would check first, so a bad line stops the whole batch. */
static int
batch_check_entry(struct batch *b, const char *file,
    const struct batch_entry *e, struct error *err)
{
	struct config *cfg;
	struct driver_settings s;
	struct bench_set bs;
	struct metric_sel sel;
	git_oid good, bad;
	int yes, rc = -1;

	if (e->target && !batch_in_pool(b, e->target))
		return error_set(err, "%s:%d: target '%s' is not in the pool",
		    file, e->line, e->target);
	if ((cfg = batch_config(b, e, err)) == NULL)
		goto out;
	bench_set_init(&bs);
	if (driver_settings_load(&s, cfg, err) < 0 ||
	    bench_set_load(&bs, cfg, err) < 0 ||
	    metric_sel_resolve(&bs, e->metric, &sel, err) < 0) {
		bench_set_release(&bs);
		goto out;
	}
	metric_sel_release(&sel);
	bench_set_release(&bs);
	if (repo_resolve(b->repo, e->good, &good, err) < 0 ||
	    repo_resolve(b->repo, e->bad, &bad, err) < 0 ||
	    repo_is_ancestor(b->repo, &good, &bad, &yes, err) < 0)
		goto out;
	if (!yes || git_oid_equal(&good, &bad)) {
		error_set(err, "good '%s' is not an ancestor of bad '%s'",
		    e->good, e->bad);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0 && strncmp(error_msg(err), file, strlen(file)) != 0)
		error_prefix(err, "%s:%d: ", file, e->line);
	config_free(cfg);
	return rc;
}

/* The controller's note on a regression (reg/NAME/batch). */
static int
batch_note_write(struct batch_reg *r, struct error *err)
{
	struct buf t = BUF_INIT;
	char *path;
	int64_t spent = r->spent_ms;
	int rc;

	if (r->proc.running)
		spent += now_ms() - r->started;
	if (r->target)
		buf_addf(&t, "target %s\n", r->target);
	buf_addf(&t, "spent_ms %lld\nexit %d\nactive %d\n", (long long)spent,
	    r->exit, r->proc.running);
	if (r->error)
		buf_addf(&t, "error %s\n", r->error);
	path = xasprintf("%s/batch", r->dir);
	rc = mkdir_p(r->dir, err);
	if (rc == 0)
		rc = write_file_atomic(path, t.s, t.len, err);
	free(path);
	buf_release(&t);
	r->noted = now_ms();
	return rc;
}

/* Read the note; *active tells whether a child was running. */
static void
batch_note_read(struct batch_reg *r, int *active)
{
	struct error err = ERROR_INIT;
	struct buf t = BUF_INIT;
	char *path = xasprintf("%s/batch", r->dir), *line, *nl, *sp;
	const char *es;
	long long v;

	*active = 0;
	r->exit = -1;
	if (read_file(path, &t, &err) == 0) {
		for (line = t.s; *line; line = nl) {
			nl = line + strcspn(line, "\n");
			if (*nl == '\n')
				*nl++ = '\0';
			if ((sp = strchr(line, ' ')) == NULL)
				continue;
			*sp++ = '\0';
			if (strcmp(line, "target") == 0 && r->target == NULL)
				r->target = xstrdup(sp);
			else if (strcmp(line, "error") == 0) {
				free(r->error);
				r->error = xstrdup(sp);
			} else if (parse_ll(sp, -1, INT64_MAX, &v, &es) < 0)
				continue;
			else if (strcmp(line, "spent_ms") == 0)
				r->spent_ms = v;
			else if (strcmp(line, "exit") == 0)
				r->exit = (int)v;
			else if (strcmp(line, "active") == 0)
				*active = v != 0;
		}
	}
	error_clear(&err);
	buf_release(&t);
	free(path);
}

/* The record's status and target (NULL status: no record yet). */
static int
batch_record(struct batch_reg *r, struct error *err)
{
	struct state *st;
	char *target = NULL;

	free(r->status);
	r->status = NULL;
	if (!state_exists(r->dir))
		return 0;
	if (state_open(&st, r->dir, STATE_READONLY, err) < 0)
		return -1;
	if (state_meta_get(st, "status", &r->status, err) < 0 ||
	    state_meta_get(st, "target", &target, err) < 0) {
		state_close(st);
		return -1;
	}
	state_close(st);
	if (target) {
		free(r->target);
		r->target = target;
	}
	return 0;
}

static int
batch_final(const char *status)
{
	return status && (strcmp(status, "found") == 0 ||
	    strcmp(status, "not-reproduced") == 0 ||
	    strcmp(status, "inconclusive") == 0);
}

static void
batch_reg_release(struct batch_reg *r)
{
	free(r->dir);
	free(r->target);
	free(r->status);
	free(r->error);
	buf_release(&r->part[0]);
	buf_release(&r->part[1]);
	buf_release(&r->last);
}

/* Print the complete lines of p, prefixed; keep the rest. */
static void
batch_relay(struct batch_reg *r, int which, int flush)
{
	struct buf *p = &r->part[which];
	FILE *to = which ? stderr : stdout;
	size_t off = 0, n;
	const char *s;

	while (off < p->len) {
		n = strcspn(p->s + off, "\n");
		if (off + n >= p->len && !flush)
			break;
		s = p->s + off;
		/* The child's "perfbisect: " says nothing here. */
		if (n >= 12 && strncmp(s, "perfbisect: ", 12) == 0) {
			s += 12;
			n -= 12;
		}
		fprintf(to, "%s: %.*s\n", r->e->name, (int)n, s);
		if (which) {
			buf_reset(&r->last);
			buf_add(&r->last, s, n);
		}
		off = (size_t)(s - p->s) + n + 1;
	}
	fflush(to);
	if (off >= p->len)
		buf_reset(p);
	else {
		memmove(p->s, p->s + off, p->len - off);
		p->len -= off;
		p->s[p->len] = '\0';
	}
}

static void
batch_argv_add(char ***v, size_t *n, size_t *alloc, char *s)
{
	GROW(*v, *n + 2, *alloc);
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* Start r's child on target: "run" the first time, then "resume". */
static int
batch_spawn(struct batch *b, struct batch_reg *r, const char *target,
    struct error *err)
{
	const struct batch_entry *e = r->e;
	struct proc_opts o = { 0 };
	const char *env[2];
	char **argv = NULL, *dir;
	size_t na = 0, aa = 0, i;
	int resume, rc;

	resume = state_exists(r->dir);
	batch_argv_add(&argv, &na, &aa, xstrdup(b->self));
	if (b->ctx->config_file) {
		batch_argv_add(&argv, &na, &aa, xstrdup("-f"));
		batch_argv_add(&argv, &na, &aa, xstrdup(b->ctx->config_file));
	}
	for (i = 0; i < b->ctx->noverrides; i++)
		batch_argv_add(&argv, &na, &aa, xasprintf("-c%s",
		    b->ctx->overrides[i]));
	if (!resume) {
		for (i = 0; i < e->noverrides; i++)
			batch_argv_add(&argv, &na, &aa, xasprintf("-c%s",
			    e->overrides[i]));
		if (b->cache)
			batch_argv_add(&argv, &na, &aa,
			    xasprintf("-cbuild.cache=%s", b->cache));
		batch_argv_add(&argv, &na, &aa, xstrdup("run"));
		batch_argv_add(&argv, &na, &aa, xstrdup("--ci"));
		batch_argv_add(&argv, &na, &aa, xasprintf("--good=%s",
		    e->good));
		batch_argv_add(&argv, &na, &aa, xasprintf("--bad=%s", e->bad));
		batch_argv_add(&argv, &na, &aa, xasprintf("--metric=%s",
		    e->metric));
		batch_argv_add(&argv, &na, &aa, xasprintf("--target=%s",
		    target));
	} else {
		batch_argv_add(&argv, &na, &aa, xstrdup("resume"));
		batch_argv_add(&argv, &na, &aa, xstrdup("--ci"));
	}
	dir = xasprintf("PERFBISECT_DIR=%s", r->dir);
	env[0] = dir;
	env[1] = NULL;
	o.env = env;
	/*
	 * Its own group (proc.h): a terminal's ^C reaches the controller
	 * only, which stops the children itself; a controller killed with
	 * -9 stops them with SIGTERM.
	 */
	rc = proc_start_argv(&r->proc, (const char *const *)argv, &o, err);
	batch_strings_free(argv, na);
	free(dir);
	if (rc < 0)
		return -1;
	r->started = now_ms();
	free(r->target);
	r->target = xstrdup(target);
	free(r->error);
	r->error = NULL;
	buf_reset(&r->last);
	printf("%s: %s on %s\n", e->name, resume ? "resumed" : "started",
	    target);
	fflush(stdout);
	return batch_note_write(r, err);
}

static const char *
batch_exit_name(int status)
{
	switch (status) {
	case EXIT_FOUND:
		return "found";
	case EXIT_NOT_REPRODUCED:
		return "not reproduced";
	case EXIT_INCONCLUSIVE:
		return "inconclusive";
	case EXIT_USAGE:
		return "usage or configuration error";
	}
	return status >= 128 ? "stopped by a signal" : "failed";
}

/* The child of r has exited with status (and its output is drained). */
static int
batch_reaped(struct batch *b, struct batch_reg *r, int status,
    struct error *err)
{
	int stopping = driver_interrupted;

	(void)b;
	r->spent_ms += now_ms() - r->started;
	r->exit = status;
	if (batch_record(r, err) < 0)
		return -1;
	if (batch_final(r->status)) {
		r->done = 1;
	} else if (!stopping) {
		/* Not finished and not stopped by us: do not try again now. */
		r->done = 1;
		free(r->error);
		r->error = xasprintf("%s (exit %d)%s%s", batch_exit_name(status),
		    status, r->last.len ? ": " : "", r->last.s);
	}
	printf("%s: %s%s%s\n", r->e->name, batch_final(r->status) ?
	    r->status : stopping ? "stopped" : "failed",
	    r->error && !batch_final(r->status) ? ": " : "",
	    r->error && !batch_final(r->status) ? r->error : "");
	fflush(stdout);
	return batch_note_write(r, err);
}

/* Can r run on target now? */
static int
batch_fits(const struct batch_reg *r, const char *target)
{
	if (r->done || r->proc.running)
		return 0;
	if (r->target)	/* recorded: it must go back there */
		return strcmp(r->target, target) == 0;
	return r->e->target == NULL || strcmp(r->e->target, target) == 0;
}

static void
batch_stop_children(struct batch *b, int sig)
{
	size_t i;

	for (i = 0; i < b->list.n; i++)
		proc_kill(&b->regs[i].proc, sig);
}

/* Start what can start, relay output, reap; until all is done. */
static int
batch_loop(struct batch *b, struct error *err)
{
	struct pollfd *pfd;
	struct batch_reg **who;
	int *which;
	size_t i, j, n, nfd;
	int64_t stop_at = 0, killed = 0;
	char tmp[8192];
	ssize_t got;
	int running, busy, *fd;

	pfd = xcalloc(2 * b->list.n, sizeof(*pfd));
	who = xcalloc(2 * b->list.n, sizeof(*who));
	which = xcalloc(2 * b->list.n, sizeof(*which));
	for (;;) {
		if (driver_interrupted && !stop_at) {
			printf("batch: stopping the bisections; 'perfbisect "
			    "batch --resume' continues\n");
			fflush(stdout);
			batch_stop_children(b, SIGTERM);
			stop_at = now_ms();
		}
		if (stop_at && !killed && now_ms() - stop_at > BATCH_GRACE_MS) {
			batch_stop_children(b, SIGKILL);
			killed = 1;
		}
		/* One per target: start the first regression that fits. */
		for (j = 0; !stop_at && j < b->npool; j++) {
			busy = 0;
			for (i = 0; i < b->list.n; i++)
				if (b->regs[i].proc.running && strcmp(
				    b->regs[i].target, b->pool[j]) == 0)
					busy = 1;
			for (i = 0; !busy && i < b->list.n; i++) {
				if (!batch_fits(&b->regs[i], b->pool[j]))
					continue;
				if (batch_spawn(b, &b->regs[i], b->pool[j],
				    err) < 0)
					goto out_fail;
				busy = 1;
			}
		}
		running = 0;
		nfd = 0;
		for (i = 0; i < b->list.n; i++) {
			struct batch_reg *r = &b->regs[i];

			if (r->proc.running)
				running = 1;
			for (j = 0; j < 2; j++) {
				if ((j ? r->proc.err : r->proc.out) < 0)
					continue;
				pfd[nfd].fd = j ? r->proc.err : r->proc.out;
				pfd[nfd].events = POLLIN;
				who[nfd] = r;
				which[nfd++] = (int)j;
			}
			if (r->proc.running && !stop_at &&
			    now_ms() - r->noted >= BATCH_NOTE_MS &&
			    batch_note_write(r, err) < 0)
				goto out_fail;
		}
		if (!running && nfd == 0)
			break;
		if (poll(pfd, (nfds_t)nfd, BATCH_POLL_MS) < 0 &&
		    errno != EINTR) {
			error_set(err, "poll: %s", strerror(errno));
			goto out_fail;
		}
		for (n = 0; n < nfd; n++) {
			if (pfd[n].revents == 0)
				continue;
			got = read(pfd[n].fd, tmp, sizeof(tmp));
			if (got < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (got <= 0) {
				fd = which[n] ? &who[n]->proc.err :
				    &who[n]->proc.out;
				close(*fd);
				*fd = -1;
				batch_relay(who[n], which[n], 1);
				continue;
			}
			buf_add(&who[n]->part[which[n]], tmp, (size_t)got);
			batch_relay(who[n], which[n], 0);
		}
		/* Reap once the output is drained (EOF on both pipes). */
		for (i = 0; i < b->list.n; i++) {
			struct batch_reg *r = &b->regs[i];

			if (!r->proc.running || r->proc.out >= 0 ||
			    r->proc.err >= 0 || !proc_poll(&r->proc))
				continue;
			if (batch_reaped(b, r, r->proc.status, err) < 0)
				goto out_fail;
		}
	}
	free(pfd);
	free(who);
	free(which);
	return 0;

out_fail:
	batch_stop_children(b, SIGTERM);
	free(pfd);
	free(who);
	free(which);
	return -1;
}

static void
batch_duration(char *out, size_t n, int64_t ms)
{
	long long s = ms / 1000;

	snprintf(out, n, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
}

/* The table of --status (and the end of a batch). */
static int
batch_table(struct batch *b, int live, struct error *err)
{
	struct verdict_rec *v = NULL;
	struct commit_info ci;
	struct state *st;
	char *culprit = NULL, step[32], cul[64], spent[32];
	const char *state;
	size_t nv, i, k;
	int active;
	git_oid id;

	printf("%-20s %-15s %-9s %-40s %s\n", "REGRESSION", "STATE", "STEP",
	    "CULPRIT", "TIME");
	for (i = 0; i < b->list.n; i++) {
		struct batch_reg *r = &b->regs[i];

		batch_note_read(r, &active);
		if (batch_record(r, err) < 0)
			return -1;
		snprintf(step, sizeof(step), "-");
		snprintf(cul, sizeof(cul), "-");
		nv = 0;
		if (r->status) {
			if (state_open(&st, r->dir, STATE_READONLY, err) < 0)
				return -1;
			if (state_verdicts(st, &v, &nv, err) < 0 ||
			    state_meta_get(st, "culprit", &culprit, err) < 0) {
				state_close(st);
				return -1;
			}
			state_close(st);
			for (k = 0; k < nv; k++)
				verdict_rec_release(&v[k]);
			free(v);
			v = NULL;
			if (nv == 0 && strcmp(r->status, "running") == 0)
				snprintf(step, sizeof(step), "endpoints");
			else
				snprintf(step, sizeof(step), "%zu", nv);
		}
		if (culprit && git_oid_fromstr(&id, culprit) == 0 &&
		    repo_commit_info(b->repo, &id, &ci, err) == 0) {
			snprintf(cul, sizeof(cul), "%.12s %s", ci.id,
			    ci.subject);
			commit_info_release(&ci);
		}
		error_clear(err);
		free(culprit);
		culprit = NULL;
		if (batch_final(r->status))
			state = r->status;
		else if (active && live)
			state = "running";
		else if (r->error)
			state = "failed";
		else if (r->status)
			state = "stopped";
		else
			state = "pending";
		batch_duration(spent, sizeof(spent), r->spent_ms);
		printf("%-20s %-15s %-9s %-40s %s\n", r->e->name, state, step,
		    cul, spent);
		if (r->error && !batch_final(r->status))
			printf("%-20s %s\n", "", r->error);
	}
	return 0;
}

/*
 * 0 when every regression ended with a culprit or "not reproduced";
 * EXIT_BATCH_FAILED when one failed or is unfinished, else
 * EXIT_INCONCLUSIVE.
 */
static int
batch_exit(struct batch *b)
{
	size_t i;
	int rc = EXIT_FOUND;

	for (i = 0; i < b->list.n; i++) {
		const char *s = b->regs[i].status;

		if (s && (strcmp(s, "found") == 0 ||
		    strcmp(s, "not-reproduced") == 0))
			continue;
		if (s && strcmp(s, "inconclusive") == 0) {
			if (rc == EXIT_FOUND)
				rc = EXIT_INCONCLUSIVE;
			continue;
		}
		rc = EXIT_BATCH_FAILED;
	}
	return rc;
}

/* Take the batch's lock; -1 with "in use" when a controller runs. */
static int
batch_lock(struct batch *b, int wait, struct error *err)
{
	char *path = xasprintf("%s/lock", b->root), pid[32];
	int n;

	b->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (b->lockfd < 0) {
		error_set(err, "cannot open '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	if (flock(b->lockfd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		n = (int)pread(b->lockfd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		return error_set(err, "the batch in '%s' is in use by another "
		    "perfbisect (pid %s)", b->root, n > 0 ? pid : "unknown");
	}
	n = snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if (ftruncate(b->lockfd, 0) < 0 || pwrite(b->lockfd, pid, (size_t)n,
	    0) != n) {
		/* the pid is informative only */
	}
	return 0;
}

/* Is a controller running (the lock held)? */
static int
batch_live(struct batch *b)
{
	char *path = xasprintf("%s/lock", b->root);
	int fd, live = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		live = flock(fd, LOCK_SH | LOCK_NB) < 0;
		close(fd);
	}
	free(path);
	return live;
}

static int
batch_regs_init(struct batch *b, struct error *err)
{
	size_t i;
	int active;

	b->regs = xcalloc(b->list.n, sizeof(*b->regs));
	for (i = 0; i < b->list.n; i++) {
		struct batch_reg *r = &b->regs[i];

		r->e = &b->list.e[i];
		r->dir = xasprintf("%s/reg/%s", b->root, r->e->name);
		r->proc = (struct proc)PROC_INIT;
		buf_init(&r->part[0]);
		buf_init(&r->part[1]);
		buf_init(&r->last);
		batch_note_read(r, &active);
		free(r->error);
		r->error = NULL;
		if (batch_record(r, err) < 0)
			return -1;
		if (!r->status) {	/* not started: assign afresh */
			free(r->target);
			r->target = NULL;
		}
		r->done = batch_final(r->status);
	}
	return 0;
}

static int
batch_read_list(struct batch *b, const char *path, const char *name,
    struct buf *text, struct error *err)
{
	if (read_file(path, text, err) < 0)
		return -1;
	return batch_list_parse(&b->list, name, text->s, text->len, err);
}

/* The pool: --targets, else the recorded one (resume), else config. */
static int
batch_pool(struct batch *b, const char *targets, int recorded,
    struct error *err)
{
	struct config *cfg;
	struct buf t = BUF_INIT;
	const char *v = NULL;
	char *path;
	int rc = 0;

	if (targets) {
		batch_split(targets, &b->pool, &b->npool);
		return 0;
	}
	if (recorded) {
		path = xasprintf("%s/targets", b->root);
		rc = read_file(path, &t, err);
		free(path);
		if (rc == 0)
			batch_split(t.s, &b->pool, &b->npool);
		buf_release(&t);
		return rc;
	}
	if ((cfg = batch_config(b, NULL, err)) == NULL)
		return -1;
	if ((rc = config_get_string(cfg, "batch.targets", &v, err)) == 0 && v)
		batch_split(v, &b->pool, &b->npool);
	config_free(cfg);
	return rc;
}

/* build.cache for the children, unless the config names one. */
static int
batch_cache(struct batch *b, struct error *err)
{
	struct config *cfg;
	const char *v = NULL;

	if ((cfg = batch_config(b, NULL, err)) == NULL)
		return -1;
	if (config_get_string(cfg, "build.cache", &v, err) < 0) {
		config_free(cfg);
		return -1;
	}
	if (v == NULL)
		b->cache = xasprintf("%sperfbisect-cache", b->repo->gitdir);
	config_free(cfg);
	return 0;
}

static int
batch_self(struct batch *b, struct error *err)
{
	char path[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return error_set(err, "cannot find this program "
		    "(/proc/self/exe): %s", strerror(errno));
	path[n] = '\0';
	b->self = xstrdup(path);
	return 0;
}

static void
batch_release(struct batch *b)
{
	size_t i;

	for (i = 0; b->regs && i < b->list.n; i++)
		batch_reg_release(&b->regs[i]);
	free(b->regs);
	batch_list_release(&b->list);
	batch_strings_free(b->pool, b->npool);
	if (b->lockfd >= 0)
		close(b->lockfd);
	free(b->root);
	free(b->self);
	free(b->cache);
	repo_free(b->repo);
}

/* Start a new batch: check everything, then record list and pool. */
static int
batch_start(struct batch *b, const char *list, const char *targets,
    struct error *err)
{
	struct buf text = BUF_INIT, t = BUF_INIT;
	char *path;
	size_t i;
	int rc = -1;

	path = xasprintf("%s/list", b->root);
	if (access(path, F_OK) == 0) {
		error_set(err, "a batch is recorded in '%s'; 'perfbisect batch "
		    "--resume' continues it, removing the directory discards "
		    "it", b->root);
		free(path);
		return -1;
	}
	if (batch_read_list(b, list, list, &text, err) < 0 ||
	    batch_pool(b, targets, 0, err) < 0 || batch_check_pool(b, err) < 0)
		goto out;
	for (i = 0; i < b->list.n; i++)
		if (batch_check_entry(b, list, &b->list.e[i], err) < 0)
			goto out;
	for (i = 0; i < b->npool; i++)
		buf_addf(&t, "%s\n", b->pool[i]);
	if (mkdir_p(b->root, err) < 0 || batch_lock(b, 0, err) < 0)
		goto out;
	free(path);
	path = xasprintf("%s/targets", b->root);
	if (write_file_atomic(path, t.s, t.len, err) < 0)
		goto out;
	free(path);
	/* Written last: its presence marks a batch as started. */
	path = xasprintf("%s/list", b->root);
	if (write_file_atomic(path, text.s, text.len, err) < 0)
		goto out;
	rc = 0;
out:
	free(path);
	buf_release(&text);
	buf_release(&t);
	return rc;
}

/* Open a recorded batch for --resume or --status. */
static int
batch_open(struct batch *b, const char *list, const char *targets,
    int resume, struct error *err)
{
	struct buf text = BUF_INIT, given = BUF_INIT;
	char *path = xasprintf("%s/list", b->root);
	int rc = -1;

	if (access(path, F_OK) < 0) {
		error_set(err, "no batch is recorded in '%s'", b->root);
		goto out;
	}
	if (batch_read_list(b, path, "the recorded list", &text, err) < 0)
		goto out;
	if (list) {
		if (read_file(list, &given, err) < 0)
			goto out;
		if (given.len != text.len || memcmp(given.s, text.s,
		    text.len) != 0) {
			error_set(err, "'%s' is not the list of the recorded "
			    "batch in '%s'", list, b->root);
			goto out;
		}
	}
	if (batch_pool(b, targets, 1, err) < 0)
		goto out;
	if (resume && (batch_check_pool(b, err) < 0 ||
	    batch_lock(b, 0, err) < 0))
		goto out;
	rc = 0;
out:
	free(path);
	buf_release(&text);
	buf_release(&given);
	return rc;
}

int
cmd_batch(struct ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "resume", no_argument, NULL, 'r' },
		{ "status", no_argument, NULL, 's' },
		{ "targets", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct error err = ERROR_INIT;
	struct batch b;
	const char *targets = NULL, *list;
	int ch, resume = 0, status = 0, rc = EXIT_USAGE;
	size_t i;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			resume = 1;
			break;
		case 's':
			status = 1;
			break;
		case 't':
			targets = optarg;
			break;
		default:
			return cmd_usage(batch_usage, ch == 'h');
		}
	}
	list = optind < argc ? argv[optind++] : NULL;
	if (optind != argc || (resume && status) || (status && targets) ||
	    (!resume && !status && list == NULL))
		return cmd_usage(batch_usage, 0);

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.lockfd = -1;
	if (repo_open(&b.repo, NULL, &err) < 0)
		goto out_err;
	b.root = xasprintf("%sperfbisect-batch", b.repo->gitdir);
	if (status) {
		rc = EXIT_RUNTIME;
		if (batch_open(&b, list, NULL, 0, &err) < 0) {
			rc = EXIT_USAGE;
			goto out_err;
		}
		if (batch_regs_init(&b, &err) < 0 ||
		    batch_table(&b, batch_live(&b), &err) < 0)
			goto out_err;
		rc = EXIT_FOUND;
		goto out;
	}
	if ((resume ? batch_open(&b, list, targets, 1, &err) :
	    batch_start(&b, list, targets, &err)) < 0)
		goto out_err;
	rc = EXIT_RUNTIME;
	if (batch_self(&b, &err) < 0 || batch_cache(&b, &err) < 0 ||
	    batch_regs_init(&b, &err) < 0)
		goto out_err;
	for (i = 0; i < b.list.n; i++) {
		struct batch_reg *r = &b.regs[i];

		if (!r->done && r->target && !batch_in_pool(&b, r->target)) {
			r->done = 1;
			r->error = xasprintf("its target '%s' is not in the "
			    "pool", r->target);
			printf("%s: cannot resume: %s\n", r->e->name, r->error);
		}
	}
	printf("batch: %zu regressions on %zu targets; state in %s\n",
	    b.list.n, b.npool, b.root);
	fflush(stdout);
	if (batch_loop(&b, &err) < 0)
		goto out_err;
	printf("\n");
	if (batch_table(&b, 0, &err) < 0)
		goto out_err;
	rc = driver_interrupted ? EXIT_RUNTIME : batch_exit(&b);
	goto out;

out_err:
	pb_err("%s", error_msg(&err));
out:
	batch_release(&b);
	error_clear(&err);
	return rc;
}
