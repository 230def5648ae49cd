/* SPDX-License-Identifier: MIT */
/*
 * test_proc.c - child processes for real (bisect/proc.h): the running
 * helpers proc_run_*() and the ones that leave a child running beside
 * the caller, proc_start_*() with proc_poll/wait/kill/stop.  Every case
 * starts real /bin/sh children; nothing is mocked.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bisect/proc.h"
#include "bisect/util.h"

/* A temporary file name, removed by tp_unlink. */
static char *
tp_tmp(const char *what)
{
	const char *dir = getenv("TMPDIR");

	return xasprintf("%s/test_proc.%ld.%s", dir ? dir : "/tmp",
	    (long)getpid(), what);
}

static void
tp_read(const char *path, struct buf *b)
{
	struct error err = ERROR_INIT;

	buf_reset(b);
	assert_int_equal(read_file(path, b, &err), 0);
	error_clear(&err);
}

/* proc_run_shell: output, status, stdin, a missing program. */
static void
test_run(void **state)
{
	struct proc_opts o = { 0 };
	struct proc_result r;
	struct error err = ERROR_INIT;
	const char *argv[] = { "no-such-program-here", NULL };

	(void)state;
	proc_result_init(&r);
	o.stdin_data = "abc\n";
	o.stdin_len = 4;
	assert_int_equal(proc_run_shell("tr a-z A-Z; echo e >&2; exit 3", &o,
	    &r, &err), 0);
	assert_int_equal(r.status, 3);
	assert_string_equal(r.out.s, "ABC\n");
	assert_string_equal(r.err.s, "e\n");
	assert_false(r.timed_out);
	proc_result_release(&r);
	assert_int_equal(proc_run_argv(argv, &o, &r, &err), -1);
	assert_non_null(strstr(error_msg(&err), "cannot run "
	    "'no-such-program-here'"));
	error_clear(&err);
	proc_result_release(&r);
}

/* A timeout reaches the child's children too (its process group). */
static void
test_run_timeout(void **state)
{
	struct proc_opts o = { 0 };
	struct proc_result r;
	struct error err = ERROR_INIT;
	int64_t t0 = now_ms();

	(void)state;
	proc_result_init(&r);
	o.timeout_ms = 300;
	assert_int_equal(proc_run_shell("sleep 30 & sleep 30; echo no", &o,
	    &r, &err), 0);
	assert_true(r.timed_out);
	assert_int_equal(r.status, 128 + SIGTERM);
	assert_true(now_ms() - t0 < 5000);
	assert_string_equal(r.out.s, "");
	proc_result_release(&r);
}

/*
 * proc_start with log_fd: the caller does something else while the
 * child writes far more than a pipe holds; then proc_poll reaps it.
 */
static void
test_start_log(void **state)
{
	struct proc p;
	struct proc_opts o = { 0 };
	struct error err = ERROR_INIT;
	struct buf b = BUF_INIT;
	char *log = tp_tmp("log");
	const char *env[] = { "TP_WORD=hello", NULL };
	int fd;

	(void)state;
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	o.log_fd = fd;
	o.env = env;
	o.cwd = "/";
	assert_int_equal(proc_start_shell(&p, "head -c 1000000 /dev/zero | "
	    "tr '\\0' x; echo; pwd; echo $TP_WORD >&2; exit 5", &o, &err), 0);
	assert_true(p.running);
	assert_true(p.pid > 0);
	assert_int_equal(p.out, -1);
	assert_int_equal(p.err, -1);
	/* No reader: a pipe would have stopped it at 64 KiB. */
	while (!proc_poll(&p))
		usleep(20000);
	close(fd);
	assert_int_equal(p.status, 5);
	assert_false(p.running);
	tp_read(log, &b);
	assert_int_equal(b.len, 1000000 + 1 + 2 + 6);
	assert_string_equal(b.s + 1000001, "/\nhello\n");
	/* Reaped once: polling again says so without waiting. */
	assert_int_equal(proc_poll(&p), 1);
	unlink(log);
	free(log);
	buf_release(&b);
}

/* proc_start with pipes: the caller reads them, then reaps. */
static void
test_start_pipes(void **state)
{
	struct proc p;
	struct proc_opts o = { 0 };
	struct error err = ERROR_INIT;
	const char *argv[] = { "sh", "-c", "echo out; echo err >&2", NULL };
	char tmp[64];
	ssize_t n;
	int *fd, i;
	size_t got[2] = { 0, 0 };

	(void)state;
	assert_int_equal(proc_start_argv(&p, argv, &o, &err), 0);
	assert_true(p.out >= 0 && p.err >= 0);
	while (p.out >= 0 || p.err >= 0) {
		for (i = 0; i < 2; i++) {
			fd = i ? &p.err : &p.out;
			if (*fd < 0)
				continue;
			n = read(*fd, tmp, sizeof(tmp));
			if (n < 0 && errno == EAGAIN)
				continue;
			assert_true(n >= 0);
			if (n == 0) {
				close(*fd);
				*fd = -1;
			} else
				got[i] += (size_t)n;
		}
		usleep(10000);
	}
	assert_int_equal(proc_wait(&p, NULL), 1);
	assert_int_equal(p.status, 0);
	assert_int_equal(got[0], 4);
	assert_int_equal(got[1], 4);
}

/*
 * proc_wait returns as soon as *stop is set, the child still running;
 * proc_stop then ends the child and the grandchild it started.
 */
static void
test_wait_stop(void **state)
{
	static volatile sig_atomic_t stop;
	struct proc p;
	struct proc_opts o = { 0 };
	struct error err = ERROR_INIT;
	struct buf b = BUF_INIT;
	char *pidfile = tp_tmp("pid"), *cmd;
	long long gc;
	int64_t t0;

	(void)state;
	cmd = xasprintf("sleep 60 & echo $! >%s; wait", pidfile);
	o.log_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_int_equal(proc_start_shell(&p, cmd, &o, &err), 0);
	close(o.log_fd);
	while (access(pidfile, F_OK) < 0 || (tp_read(pidfile, &b), b.len == 0))
		usleep(10000);
	assert_int_equal(sscanf(b.s, "%lld", &gc), 1);
	stop = 1;
	assert_int_equal(proc_wait(&p, &stop), 0);
	assert_true(p.running);
	t0 = now_ms();
	proc_stop(&p);
	assert_false(p.running);
	assert_int_equal(p.status, 128 + SIGTERM);
	assert_true(now_ms() - t0 < 3000);
	/* The grandchild got the group's SIGTERM as well. */
	t0 = now_ms();
	while (kill((pid_t)gc, 0) == 0 && now_ms() - t0 < 3000)
		usleep(10000);
	assert_int_equal(kill((pid_t)gc, 0), -1);
	unlink(pidfile);
	free(pidfile);
	free(cmd);
	buf_release(&b);
}

/* A deadline is enforced by proc_poll: SIGTERM, then SIGKILL. */
static void
test_start_timeout(void **state)
{
	struct proc p;
	struct proc_opts o = { 0 };
	struct error err = ERROR_INIT;
	int64_t t0 = now_ms();

	(void)state;
	o.timeout_ms = 200;
	o.log_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	/* It ignores SIGTERM: only the SIGKILL after the grace ends it. */
	assert_int_equal(proc_start_shell(&p, "trap '' TERM; while :; do "
	    "sleep 0.05; done", &o, &err), 0);
	close(o.log_fd);
	assert_int_equal(proc_wait(&p, NULL), 1);
	assert_true(p.timed_out);
	assert_int_equal(p.status, 128 + SIGKILL);
	assert_true(now_ms() - t0 >= 2000);
	assert_true(now_ms() - t0 < 6000);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_run_timeout),
		cmocka_unit_test(test_start_log),
		cmocka_unit_test(test_start_pipes),
		cmocka_unit_test(test_wait_stop),
		cmocka_unit_test(test_start_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
