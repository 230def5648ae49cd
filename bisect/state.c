/* SPDX-License-Identifier: MIT */
/*
 * state.c - the SQLite record of a bisection.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bisect/state.h"

#define STATE_SCHEMA_VERSION "1"

struct state {
	sqlite3	*db;
	char	*dir;
	int	 lockfd;
};

static const char state_schema[] =
	"CREATE TABLE IF NOT EXISTS meta("
	"  key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE IF NOT EXISTS builds("
	"  id INTEGER PRIMARY KEY, commit_id TEXT NOT NULL,"
	"  status TEXT NOT NULL, reason TEXT, log TEXT,"
	"  duration_ms INTEGER, release TEXT, time INTEGER);"
	"CREATE INDEX IF NOT EXISTS builds_commit ON builds(commit_id);"
	"CREATE TABLE IF NOT EXISTS boots("
	"  id INTEGER PRIMARY KEY, commit_id TEXT NOT NULL,"
	"  role TEXT NOT NULL, seq INTEGER NOT NULL, outcome TEXT,"
	"  release TEXT, boot_id TEXT, reason TEXT, boot_ms INTEGER,"
	"  value REAL, started INTEGER,"
	"  UNIQUE(commit_id, role, seq));"
	"CREATE TABLE IF NOT EXISTS runs("
	"  id INTEGER PRIMARY KEY, boot INTEGER NOT NULL REFERENCES boots(id),"
	"  seq INTEGER NOT NULL, warmup INTEGER NOT NULL,"
	"  status INTEGER, timed_out INTEGER, ok INTEGER NOT NULL,"
	"  value REAL, reason TEXT, duration_ms INTEGER, output TEXT,"
	"  outlier INTEGER DEFAULT 0, time INTEGER,"
	"  UNIQUE(boot, seq));"
	"CREATE TABLE IF NOT EXISTS verdicts("
	"  step INTEGER PRIMARY KEY, commit_id TEXT NOT NULL,"
	"  verdict TEXT NOT NULL, reason TEXT, boots INTEGER, mean REAL,"
	"  llr REAL, p_good REAL, p_bad REAL, partial INTEGER, time INTEGER);"
	"CREATE TABLE IF NOT EXISTS events("
	"  id INTEGER PRIMARY KEY, time INTEGER, kind TEXT, message TEXT);";

static int
state_db_error(struct state *st, struct error *err, const char *what)
{
	return error_set(err, "state database '%s/state.db': %s: %s", st->dir,
	    what, sqlite3_errmsg(st->db));
}

static char *
state_col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static void
state_bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static int
state_prepare(struct state *st, const char *sql, sqlite3_stmt **s,
    struct error *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return state_db_error(st, err, "prepare");
	return 0;
}

/* Step a statement that returns no rows, then finalize it. */
static int
state_done(struct state *st, sqlite3_stmt *s, struct error *err)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_db_error(st, err, "write");
	return 0;
}

int
state_exists(const char *dir)
{
	char *p = xasprintf("%s/state.db", dir);
	int rc = access(p, F_OK) == 0;

	free(p);
	return rc;
}

int
state_open(struct state **out, const char *dir, int flags,
    struct error *err)
{
	struct state *st = xcalloc(1, sizeof(*st));
	char *path = NULL, *lock = NULL, pid[32];
	char *msg = NULL;
	int create = flags & STATE_CREATE, ro = flags & STATE_READONLY, n;

	st->dir = xstrdup(dir);
	st->lockfd = -1;
	if (!create && !state_exists(dir)) {
		error_set(err, "no bisection is recorded in '%s'", dir);
		goto out_fail;
	}
	if (create && mkdir_p(dir, err) < 0)
		goto out_fail;
	lock = xasprintf("%s/lock", dir);
	if (!ro && (st->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC,
	    0644)) < 0) {
		error_set(err, "cannot open '%s': %s", lock, strerror(errno));
		goto out_fail;
	}
	if (!ro && flock(st->lockfd, LOCK_EX | LOCK_NB) < 0) {
		n = (int)pread(st->lockfd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		error_set(err, "the bisection in '%s' is in use by another "
		    "perfbisect (pid %s)", dir, n > 0 ? pid : "unknown");
		goto out_fail;
	}
	if (!ro) {
		n = snprintf(pid, sizeof(pid), "%ld", (long)getpid());
		if (ftruncate(st->lockfd, 0) < 0 ||
		    pwrite(st->lockfd, pid, (size_t)n, 0) != n) {
			/* the pid is informative only */
		}
	}
	path = xasprintf("%s/state.db", dir);
	if (sqlite3_open_v2(path, &st->db, (ro ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE) | (create ? SQLITE_OPEN_CREATE : 0),
	    NULL) != SQLITE_OK) {
		error_set(err, "cannot open '%s': %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto out_fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	if (!ro && (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;", NULL, NULL,
	    &msg) != SQLITE_OK ||
	    sqlite3_exec(st->db, state_schema, NULL, NULL, &msg) !=
	    SQLITE_OK)) {
		error_set(err, "cannot set up '%s': %s", path,
		    msg ? msg : "unknown error");
		sqlite3_free(msg);
		goto out_fail;
	}
	if (create && state_meta_set(st, "schema", STATE_SCHEMA_VERSION,
	    err) < 0)
		goto out_fail;
	free(path);
	free(lock);
	*out = st;
	return 0;

out_fail:
	free(path);
	free(lock);
	state_close(st);
	return -1;
}

void
state_close(struct state *st)
{
	if (st == NULL)
		return;
	if (st->db)
		sqlite3_close(st->db);
	if (st->lockfd >= 0)
		close(st->lockfd);
	free(st->dir);
	free(st);
}

const char *
state_dir(const struct state *st)
{
	return st->dir;
}

int
state_meta_set(struct state *st, const char *key, const char *value,
    struct error *err)
{
	sqlite3_stmt *s;

	if (state_prepare(st, "INSERT OR REPLACE INTO meta(key, value) "
	    "VALUES(?, ?)", &s, err) < 0)
		return -1;
	state_bind_str(s, 1, key);
	state_bind_str(s, 2, value);
	return state_done(st, s, err);
}

int
state_meta_get(struct state *st, const char *key, char **out,
    struct error *err)
{
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	if (state_prepare(st, "SELECT value FROM meta WHERE key = ?", &s,
	    err) < 0)
		return -1;
	state_bind_str(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = state_col_str(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return state_db_error(st, err, "read");
	return 0;
}

void
build_rec_release(struct build_rec *b)
{
	free(b->commit);
	free(b->status);
	free(b->reason);
	free(b->log);
	free(b->release);
	memset(b, 0, sizeof(*b));
}

void
boot_rec_release(struct boot_rec *b)
{
	free(b->commit);
	free(b->role);
	free(b->outcome);
	free(b->release);
	free(b->boot_id);
	free(b->reason);
	memset(b, 0, sizeof(*b));
}

void
run_rec_release(struct run_rec *r)
{
	free(r->reason);
	free(r->output);
	memset(r, 0, sizeof(*r));
}

void
verdict_rec_release(struct verdict_rec *v)
{
	free(v->commit);
	free(v->verdict);
	free(v->reason);
	memset(v, 0, sizeof(*v));
}

#define BUILD_COLS "id, commit_id, status, reason, log, duration_ms, release"

static void
state_read_build(sqlite3_stmt *s, struct build_rec *b)
{
	b->id = sqlite3_column_int64(s, 0);
	b->commit = state_col_str(s, 1);
	b->status = state_col_str(s, 2);
	b->reason = state_col_str(s, 3);
	b->log = state_col_str(s, 4);
	b->duration_ms = sqlite3_column_int64(s, 5);
	b->release = state_col_str(s, 6);
}

int
state_build_get(struct state *st, const char *commit, struct build_rec *out,
    int *found, struct error *err)
{
	sqlite3_stmt *s;
	int rc;

	*found = 0;
	if (state_prepare(st, "SELECT " BUILD_COLS " FROM builds WHERE "
	    "commit_id = ? ORDER BY id DESC LIMIT 1", &s, err) < 0)
		return -1;
	state_bind_str(s, 1, commit);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		state_read_build(s, out);
		*found = 1;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return state_db_error(st, err, "read");
	return 0;
}

int
state_build_add(struct state *st, const struct build_rec *b,
    struct error *err)
{
	sqlite3_stmt *s;

	if (state_prepare(st, "INSERT INTO builds(commit_id, status, reason, "
	    "log, duration_ms, release, time) VALUES(?, ?, ?, ?, ?, ?, ?)",
	    &s, err) < 0)
		return -1;
	state_bind_str(s, 1, b->commit);
	state_bind_str(s, 2, b->status);
	state_bind_str(s, 3, b->reason);
	state_bind_str(s, 4, b->log);
	sqlite3_bind_int64(s, 5, b->duration_ms);
	state_bind_str(s, 6, b->release);
	sqlite3_bind_int64(s, 7, now_wall());
	return state_done(st, s, err);
}

int
state_builds(struct state *st, struct build_rec **out, size_t *n,
    struct error *err)
{
	sqlite3_stmt *s;
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (state_prepare(st, "SELECT " BUILD_COLS " FROM builds ORDER BY id",
	    &s, err) < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		GROW(*out, *n + 1, alloc);
		state_read_build(s, &(*out)[(*n)++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_db_error(st, err, "read");
	return 0;
}

#define BOOT_COLS "id, commit_id, role, seq, outcome, release, boot_id, " \
	"reason, boot_ms, value, started"

static void
state_read_boot(sqlite3_stmt *s, struct boot_rec *b)
{
	b->id = sqlite3_column_int64(s, 0);
	b->commit = state_col_str(s, 1);
	b->role = state_col_str(s, 2);
	b->seq = sqlite3_column_int(s, 3);
	b->outcome = state_col_str(s, 4);
	b->release = state_col_str(s, 5);
	b->boot_id = state_col_str(s, 6);
	b->reason = state_col_str(s, 7);
	b->boot_ms = sqlite3_column_int64(s, 8);
	b->has_value = sqlite3_column_type(s, 9) != SQLITE_NULL;
	b->value = sqlite3_column_double(s, 9);
	b->started = sqlite3_column_int64(s, 10);
}

int
state_boot_get(struct state *st, const char *commit, const char *role,
    int seq, struct boot_rec *out, int *found, struct error *err)
{
	sqlite3_stmt *s;
	int rc;

	*found = 0;
	if (state_prepare(st, "SELECT " BOOT_COLS " FROM boots WHERE "
	    "commit_id = ? AND role = ? AND seq = ?", &s, err) < 0)
		return -1;
	state_bind_str(s, 1, commit);
	state_bind_str(s, 2, role);
	sqlite3_bind_int(s, 3, seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		state_read_boot(s, out);
		*found = 1;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return state_db_error(st, err, "read");
	return 0;
}

int
state_boot_add(struct state *st, struct boot_rec *b, struct error *err)
{
	sqlite3_stmt *s;

	if (state_prepare(st, "INSERT INTO boots(commit_id, role, seq, "
	    "started) VALUES(?, ?, ?, ?)", &s, err) < 0)
		return -1;
	state_bind_str(s, 1, b->commit);
	state_bind_str(s, 2, b->role);
	sqlite3_bind_int(s, 3, b->seq);
	b->started = now_wall();
	sqlite3_bind_int64(s, 4, b->started);
	if (state_done(st, s, err) < 0)
		return -1;
	b->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
state_boot_finish(struct state *st, const struct boot_rec *b,
    struct error *err)
{
	sqlite3_stmt *s;

	if (state_prepare(st, "UPDATE boots SET outcome = ?, release = ?, "
	    "boot_id = ?, reason = ?, boot_ms = ?, value = ? WHERE id = ?",
	    &s, err) < 0)
		return -1;
	state_bind_str(s, 1, b->outcome);
	state_bind_str(s, 2, b->release);
	state_bind_str(s, 3, b->boot_id);
	state_bind_str(s, 4, b->reason);
	sqlite3_bind_int64(s, 5, b->boot_ms);
	if (b->has_value)
		sqlite3_bind_double(s, 6, b->value);
	else
		sqlite3_bind_null(s, 6);
	sqlite3_bind_int64(s, 7, b->id);
	return state_done(st, s, err);
}

int
state_boots(struct state *st, const char *commit, const char *role,
    struct boot_rec **out, size_t *n, struct error *err)
{
	sqlite3_stmt *s;
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (state_prepare(st, "SELECT " BOOT_COLS " FROM boots WHERE "
	    "(?1 IS NULL OR commit_id = ?1) AND (?2 IS NULL OR role = ?2) "
	    "ORDER BY id", &s, err) < 0)
		return -1;
	state_bind_str(s, 1, commit);
	state_bind_str(s, 2, role);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		GROW(*out, *n + 1, alloc);
		state_read_boot(s, &(*out)[(*n)++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_db_error(st, err, "read");
	return 0;
}

static int
state_write_output(const char *path, const struct buf *b, struct error *err)
{
	return write_file_atomic(path, b->s, b->len, err);
}

int
state_run_add(struct state *st, struct run_rec *r, const char *commit,
    const struct buf *out, const struct buf *errout, struct error *err)
{
	sqlite3_stmt *s;
	char *dir, *errpath;
	int rc;

	dir = xasprintf("%s/runs/%.12s", st->dir, commit);
	if (mkdir_p(dir, err) < 0) {
		free(dir);
		return -1;
	}
	free(r->output);
	r->output = xasprintf("%s/boot%lld-run%d.out", dir,
	    (long long)r->boot, r->seq);
	errpath = xasprintf("%s/boot%lld-run%d.err", dir, (long long)r->boot,
	    r->seq);
	free(dir);
	rc = state_write_output(r->output, out, err);
	if (rc == 0)
		rc = state_write_output(errpath, errout, err);
	free(errpath);
	if (rc < 0)
		return -1;
	if (state_prepare(st, "INSERT OR REPLACE INTO runs(boot, seq, warmup, "
	    "status, timed_out, ok, value, reason, duration_ms, output, "
	    "outlier, time) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s,
	    err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, r->boot);
	sqlite3_bind_int(s, 2, r->seq);
	sqlite3_bind_int(s, 3, r->warmup);
	sqlite3_bind_int(s, 4, r->status);
	sqlite3_bind_int(s, 5, r->timed_out);
	sqlite3_bind_int(s, 6, r->ok);
	if (r->ok)
		sqlite3_bind_double(s, 7, r->value);
	else
		sqlite3_bind_null(s, 7);
	state_bind_str(s, 8, r->reason);
	sqlite3_bind_int64(s, 9, r->duration_ms);
	state_bind_str(s, 10, r->output);
	sqlite3_bind_int(s, 11, r->outlier);
	sqlite3_bind_int64(s, 12, now_wall());
	if (state_done(st, s, err) < 0)
		return -1;
	r->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
state_runs(struct state *st, int64_t boot, struct run_rec **out, size_t *n,
    struct error *err)
{
	sqlite3_stmt *s;
	size_t alloc = 0;
	struct run_rec *r;
	int rc;

	*out = NULL;
	*n = 0;
	if (state_prepare(st, "SELECT id, boot, seq, warmup, status, "
	    "timed_out, ok, value, reason, duration_ms, output, outlier "
	    "FROM runs WHERE boot = ? ORDER BY seq", &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, boot);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		GROW(*out, *n + 1, alloc);
		r = &(*out)[(*n)++];
		r->id = sqlite3_column_int64(s, 0);
		r->boot = sqlite3_column_int64(s, 1);
		r->seq = sqlite3_column_int(s, 2);
		r->warmup = sqlite3_column_int(s, 3);
		r->status = sqlite3_column_int(s, 4);
		r->timed_out = sqlite3_column_int(s, 5);
		r->ok = sqlite3_column_int(s, 6);
		r->value = sqlite3_column_double(s, 7);
		r->reason = state_col_str(s, 8);
		r->duration_ms = sqlite3_column_int64(s, 9);
		r->output = state_col_str(s, 10);
		r->outlier = sqlite3_column_int(s, 11);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_db_error(st, err, "read");
	return 0;
}

int
state_verdict_set(struct state *st, const struct verdict_rec *v,
    struct error *err)
{
	sqlite3_stmt *s;

	if (state_prepare(st, "INSERT OR REPLACE INTO verdicts(step, "
	    "commit_id, verdict, reason, boots, mean, llr, p_good, p_bad, "
	    "partial, time) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s,
	    err) < 0)
		return -1;
	sqlite3_bind_int(s, 1, v->step);
	state_bind_str(s, 2, v->commit);
	state_bind_str(s, 3, v->verdict);
	state_bind_str(s, 4, v->reason);
	sqlite3_bind_int(s, 5, v->boots);
	sqlite3_bind_double(s, 6, v->mean);
	sqlite3_bind_double(s, 7, v->llr);
	sqlite3_bind_double(s, 8, v->p_good);
	sqlite3_bind_double(s, 9, v->p_bad);
	sqlite3_bind_int(s, 10, v->partial);
	sqlite3_bind_int64(s, 11, v->time ? v->time : now_wall());
	return state_done(st, s, err);
}

int
state_verdicts(struct state *st, struct verdict_rec **out, size_t *n,
    struct error *err)
{
	sqlite3_stmt *s;
	size_t alloc = 0;
	struct verdict_rec *v;
	int rc;

	*out = NULL;
	*n = 0;
	if (state_prepare(st, "SELECT step, commit_id, verdict, reason, "
	    "boots, mean, llr, p_good, p_bad, partial, time FROM verdicts "
	    "ORDER BY step", &s, err) < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		GROW(*out, *n + 1, alloc);
		v = &(*out)[(*n)++];
		v->step = sqlite3_column_int(s, 0);
		v->commit = state_col_str(s, 1);
		v->verdict = state_col_str(s, 2);
		v->reason = state_col_str(s, 3);
		v->boots = sqlite3_column_int(s, 4);
		v->mean = sqlite3_column_double(s, 5);
		v->llr = sqlite3_column_double(s, 6);
		v->p_good = sqlite3_column_double(s, 7);
		v->p_bad = sqlite3_column_double(s, 8);
		v->partial = sqlite3_column_int(s, 9);
		v->time = sqlite3_column_int64(s, 10);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_db_error(st, err, "read");
	return 0;
}

int
state_event(struct state *st, const char *kind, const char *msg,
    struct error *err)
{
	sqlite3_stmt *s;

	if (state_prepare(st, "INSERT INTO events(time, kind, message) "
	    "VALUES(?, ?, ?)", &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, now_wall());
	state_bind_str(s, 2, kind);
	state_bind_str(s, 3, msg);
	return state_done(st, s, err);
}

void
event_rec_release(struct event_rec *e)
{
	free(e->kind);
	free(e->message);
}

int
state_events(struct state *st, const char *kind, struct event_rec **out,
    size_t *n, struct error *err)
{
	sqlite3_stmt *s;
	size_t alloc = 0;
	struct event_rec *e;
	int rc;

	*out = NULL;
	*n = 0;
	if (state_prepare(st, "SELECT time, kind, message FROM events WHERE "
	    "?1 IS NULL OR kind = ?1 ORDER BY id", &s, err) < 0)
		return -1;
	state_bind_str(s, 1, kind);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		GROW(*out, *n + 1, alloc);
		e = &(*out)[(*n)++];
		e->time = sqlite3_column_int64(s, 0);
		e->kind = state_col_str(s, 1);
		e->message = state_col_str(s, 2);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return state_db_error(st, err, "read");
	return 0;
}
