/* SPDX-License-Identifier: MIT */
/*
 * state.h - the bisection's record: an SQLite database in the state
 * directory ($GIT_DIR/perfbisect), plus raw outputs and build logs as
 * files beside it.
 *
 * Every write is its own transaction, committed (synchronous=FULL) before
 * the call returns, and raw output files are fsync'ed before the row that
 * names them: after a crash, whatever a caller was told is recorded stays
 * recorded.  The driver never keeps state the record cannot rebuild.
 */
#ifndef PB_STATE_H
#define PB_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "bisect/util.h"

struct state;

struct build_rec {
	int64_t	 id;
	char	*commit;
	char	*status;	/* "ok", "failed", "timeout" */
	char	*reason;
	char	*log;		/* path of the build log */
	int64_t	 duration_ms;
	char	*release;	/* kernel release, if any */
};

struct boot_rec {
	int64_t	 id;
	char	*commit;
	char	*role;		/* "good", "bad", "step", "parent", "culprit" */
	int	 seq;		/* n-th boot of this commit in this role */
	char	*outcome;	/* NULL while running; "ok", "failed", boot outcome */
	char	*release;
	char	*boot_id;
	char	*reason;
	int64_t	 boot_ms;
	int	 has_value;
	double	 value;		/* the boot's value (mean/median of runs) */
	int64_t	 started;	/* wall clock */
};

struct run_rec {
	int64_t	 id;
	int64_t	 boot;
	int	 seq;
	int	 warmup;
	int	 status;
	int	 timed_out;
	int	 ok;		/* produced a value */
	double	 value;
	char	*reason;	/* why not ok */
	int64_t	 duration_ms;
	char	*output;	/* path of the saved stdout (stderr: .err) */
	int	 outlier;
};

struct verdict_rec {
	int	 step;
	char	*commit;
	char	*verdict;	/* "good", "bad", "skip" */
	char	*reason;
	int	 boots;
	double	 mean;
	double	 llr;
	double	 p_good;
	double	 p_bad;
	int	 partial;
	int64_t	 time;
};

void	 build_rec_release(struct build_rec *);
void	 boot_rec_release(struct boot_rec *);
void	 run_rec_release(struct run_rec *);
void	 verdict_rec_release(struct verdict_rec *);

/* Is there a record in dir? */
int	 state_exists(const char *dir);
#define STATE_CREATE	0x1	/* create the record */
#define STATE_READONLY	0x2	/* read only, without taking the lock */

/*
 * Open the record in dir.  Unless STATE_READONLY, takes the directory's
 * lock: a second process gets -1 with "in use by another perfbisect (pid
 * N)".
 */
int	 state_open(struct state **out, const char *dir, int flags,
	    struct error *);
void	 state_close(struct state *);
const char *state_dir(const struct state *);

int	 state_meta_set(struct state *, const char *key, const char *value,
	    struct error *);
/* *out is malloc'ed, NULL when absent. */
int	 state_meta_get(struct state *, const char *key, char **out,
	    struct error *);

int	 state_build_get(struct state *, const char *commit,
	    struct build_rec *out, int *found, struct error *);
int	 state_build_add(struct state *, const struct build_rec *,
	    struct error *);
int	 state_builds(struct state *, struct build_rec **, size_t *,
	    struct error *);

int	 state_boot_get(struct state *, const char *commit, const char *role,
	    int seq, struct boot_rec *out, int *found, struct error *);
int	 state_boot_add(struct state *, struct boot_rec *, struct error *);
int	 state_boot_finish(struct state *, const struct boot_rec *,
	    struct error *);
/* All boots in the order they were made; role NULL for every role. */
int	 state_boots(struct state *, const char *commit, const char *role,
	    struct boot_rec **, size_t *, struct error *);

/*
 * Record a run: its outputs are written to files first (runs/), then the
 * row.  r->output is filled in.
 */
int	 state_run_add(struct state *, struct run_rec *, const char *commit,
	    const struct buf *out, const struct buf *err, struct error *);
int	 state_runs(struct state *, int64_t boot, struct run_rec **, size_t *,
	    struct error *);

int	 state_verdict_set(struct state *, const struct verdict_rec *,
	    struct error *);
int	 state_verdicts(struct state *, struct verdict_rec **, size_t *,
	    struct error *);

int	 state_event(struct state *, const char *kind, const char *msg,
	    struct error *);

struct event_rec {
	int64_t	 time;
	char	*kind;		/* "event", "install", ... */
	char	*message;
};

void	 event_rec_release(struct event_rec *);
/* The events in the order they were written; kind NULL for every kind. */
int	 state_events(struct state *, const char *kind, struct event_rec **,
	    size_t *, struct error *);

#endif
