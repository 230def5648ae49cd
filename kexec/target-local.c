/* SPDX-License-Identifier: MIT */
/*
 * target-local.c - the "local" target: this machine, no reboot.
 *
 * A build is "installed" by being in the bisection's worktree already, a
 * "boot" is a fresh batch of runs, and commands run in the worktree.
 */
#include <stdlib.h>
#include <string.h>

#include "bisect/proc.h"
#include "kexec/target.h"

static int
local_open(struct target *t, struct error *err)
{
	(void)t;
	(void)err;
	return 0;
}

static int
local_install(struct target *t, const struct artifact *a, struct error *err)
{
	(void)t;
	(void)a;
	(void)err;
	return 0;
}

static int
local_boot(struct target *t, const struct artifact *a, struct boot_info *bi,
    struct error *err)
{
	(void)t;
	(void)a;
	(void)err;
	memset(bi, 0, sizeof(*bi));
	bi->outcome = BOOT_NONE;
	return 0;
}

static int
local_run(struct target *t, const char *cmd, long long timeout_ms,
    struct run_result *rr, struct error *err)
{
	struct proc_opts o = { 0 };
	struct proc_result pr;
	char *dir = xasprintf("PERFBISECT_WORKTREE=%s", t->workdir);
	const char *env[] = { dir, NULL };
	int rc;

	o.cwd = t->workdir;
	o.env = env;
	o.timeout_ms = timeout_ms > 0 ? timeout_ms : t->run_timeout_ms;
	proc_result_init(&pr);
	rc = proc_run_shell(cmd, &o, &pr, err);
	free(dir);
	if (rc < 0) {
		proc_result_release(&pr);
		return -1;
	}
	rr->status = pr.status;
	rr->timed_out = pr.timed_out;
	rr->duration_ms = pr.duration_ms;
	rr->out = pr.out;
	rr->err = pr.err;
	return 0;
}

static int
local_fetch(struct target *t, const char *remote, const char *local,
    struct error *err)
{
	struct buf b = BUF_INIT;
	int rc;

	(void)t;
	if (read_file(remote, &b, err) < 0)
		return -1;
	rc = write_file_atomic(local, b.s, b.len, err);
	buf_release(&b);
	return rc;
}

static void
local_close(struct target *t)
{
	(void)t;
}

const struct target_ops target_local_ops = {
	.kind = "local",
	.open = local_open,
	.install = local_install,
	.boot = local_boot,
	.run = local_run,
	.fetch = local_fetch,
	.close = local_close,
};
