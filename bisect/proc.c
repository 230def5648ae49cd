/* SPDX-License-Identifier: MIT */
/*
 * proc.c - child processes with deadlines and captured output.
 *
 * The child gets its own process group so a timeout reaches everything it
 * started.  Between fork() and exec() the child only calls async-signal-
 * safe functions; the environment is built before fork().  Exec failure
 * comes back through a close-on-exec pipe so "not found" is told apart
 * from a command that ran and failed.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect/proc.h"

extern char **environ;

#define PROC_GRACE_MS	2000	/* SIGTERM to SIGKILL */
#define PROC_DRAIN_MS	200	/* read after exit from leftover writers */
#define PROC_MAX_ACTIVE	32

static volatile pid_t proc_active[PROC_MAX_ACTIVE];

static void
proc_track(pid_t pgid, int on)
{
	size_t i;

	for (i = 0; i < PROC_MAX_ACTIVE; i++) {
		if (on && proc_active[i] == 0) {
			proc_active[i] = pgid;
			return;
		}
		if (!on && proc_active[i] == pgid) {
			proc_active[i] = 0;
			return;
		}
	}
}

void
proc_kill_all(void)
{
	size_t i;

	for (i = 0; i < PROC_MAX_ACTIVE; i++)
		if (proc_active[i] > 0)
			kill(-proc_active[i], SIGKILL);
}

void
proc_result_init(struct proc_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = -1;
	buf_init(&r->out);
	buf_init(&r->err);
}

void
proc_result_release(struct proc_result *r)
{
	buf_release(&r->out);
	buf_release(&r->err);
	proc_result_init(r);
}

static char **
proc_make_env(const char *const *extra)
{
	size_t n = 0, m = 0, i, j;
	char **env;

	while (environ[n])
		n++;
	while (extra && extra[m])
		m++;
	env = xcalloc(n + m + 1, sizeof(*env));
	for (i = 0, j = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t k, len = eq ? (size_t)(eq - environ[i]) : 0;
		int shadowed = 0;

		for (k = 0; k < m && eq; k++)
			if (strncmp(extra[k], environ[i], len + 1) == 0)
				shadowed = 1;
		if (!shadowed)
			env[j++] = environ[i];
	}
	for (i = 0; i < m; i++)
		env[j++] = (char *)extra[i];
	env[j] = NULL;
	return env;
}

static void
proc_append(struct buf *b, const char *p, size_t n, size_t max,
    int *truncated)
{
	if (b->len >= max) {
		*truncated = 1;
		return;
	}
	if (n > max - b->len) {
		n = max - b->len;
		*truncated = 1;
	}
	buf_add(b, p, n);
}

static int
proc_wait(pid_t pid, int *status)
{
	int ws;

	for (;;) {
		pid_t r = waitpid(pid, &ws, 0);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
	}
	if (WIFEXITED(ws))
		*status = WEXITSTATUS(ws);
	else if (WIFSIGNALED(ws))
		*status = 128 + WTERMSIG(ws);
	else
		*status = -1;
	return 0;
}

static int
proc_spawn(const char *path, const char *const *argv, int search,
    const struct proc_opts *o, struct proc_result *r, struct error *err)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, er[2] = { -1, -1 };
	int ex[2] = { -1, -1 };
	size_t max = o->max_output ? o->max_output : 16u << 20;
	size_t inoff = 0;
	int64_t start = now_ms(), deadline = 0, killed_at = 0, exited_at = 0;
	struct pollfd pfd[3];
	sigset_t all, old;
	char **env, tmp[65536];
	int child_errno = 0, exited = 0, status = -1, nfd, i;
	ssize_t n;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(er, O_CLOEXEC) < 0 || pipe2(ex, O_CLOEXEC) < 0) {
		error_set(err, "cannot create pipe: %s", strerror(errno));
		goto out_close;
	}
	env = proc_make_env(o->env);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		int s;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		for (s = 1; s < NSIG; s++)
			sigaction(s, &sa, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		setpgid(0, 0);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(er[1], 2) < 0)
			goto child_fail;
		if (o->cwd && chdir(o->cwd) < 0)
			goto child_fail;
		if (search)
			execvpe(path, (char *const *)argv, env);
		else
			execve(path, (char *const *)argv, env);
child_fail:
		s = errno;
		while (write(ex[1], &s, sizeof(s)) < 0 && errno == EINTR)
			;
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(env);
	if (pid < 0) {
		error_set(err, "cannot fork: %s", strerror(errno));
		goto out_close;
	}
	setpgid(pid, pid);	/* no race with the child's own call */
	proc_track(pid, 1);
	close(in[0]);
	close(out[1]);
	close(er[1]);
	close(ex[1]);
	in[0] = out[1] = er[1] = ex[1] = -1;
	while ((n = read(ex[0], &child_errno, sizeof(child_errno))) < 0 &&
	    errno == EINTR)
		;
	if (n == (ssize_t)sizeof(child_errno)) {
		proc_wait(pid, &status);
		proc_track(pid, 0);
		error_set(err, "cannot run '%s'%s%s: %s", argv[0],
		    o->cwd ? " in " : "", o->cwd ? o->cwd : "",
		    strerror(child_errno));
		goto out_close;
	}
	if (o->stdin_data == NULL || o->stdin_len == 0) {
		close(in[1]);
		in[1] = -1;
	} else
		fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (o->timeout_ms > 0)
		deadline = start + o->timeout_ms;

	while (out[0] >= 0 || er[0] >= 0 || !exited) {
		int64_t now = now_ms(), wait_ms = 100;

		if (!exited) {
			int ws;
			pid_t w = waitpid(pid, &ws, WNOHANG);

			if (w == pid) {
				exited = 1;
				exited_at = now;
				status = WIFEXITED(ws) ? WEXITSTATUS(ws) :
				    WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : -1;
			}
		}
		if (exited && now - exited_at > PROC_DRAIN_MS)
			break;
		if (deadline && now >= deadline && !killed_at) {
			r->timed_out = 1;
			kill(-pid, SIGTERM);
			killed_at = now;
		}
		if (killed_at && now - killed_at >= PROC_GRACE_MS) {
			kill(-pid, SIGKILL);
			if (exited)
				break;
		}
		nfd = 0;
		if (out[0] >= 0) {
			pfd[nfd].fd = out[0];
			pfd[nfd++].events = POLLIN;
		}
		if (er[0] >= 0) {
			pfd[nfd].fd = er[0];
			pfd[nfd++].events = POLLIN;
		}
		if (in[1] >= 0) {
			pfd[nfd].fd = in[1];
			pfd[nfd++].events = POLLOUT;
		}
		if (deadline && !killed_at && deadline - now < wait_ms)
			wait_ms = deadline - now;
		if (poll(pfd, (nfds_t)nfd, (int)(wait_ms > 0 ? wait_ms : 0)) < 0 &&
		    errno != EINTR)
			break;
		for (i = 0; i < nfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == in[1]) {
				n = write(in[1], o->stdin_data + inoff,
				    o->stdin_len - inoff);
				if (n > 0)
					inoff += (size_t)n;
				if (n < 0 && errno != EAGAIN && errno != EINTR)
					inoff = o->stdin_len;
				if (inoff >= o->stdin_len) {
					close(in[1]);
					in[1] = -1;
				}
				continue;
			}
			n = read(pfd[i].fd, tmp, sizeof(tmp));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				if (pfd[i].fd == out[0]) {
					close(out[0]);
					out[0] = -1;
				} else {
					close(er[0]);
					er[0] = -1;
				}
				continue;
			}
			if (o->log_fd > 0 && write(o->log_fd, tmp,
			    (size_t)n) < 0) {
				/* a log is best effort */
			}
			proc_append(pfd[i].fd == out[0] ? &r->out : &r->err,
			    tmp, (size_t)n, max, &r->truncated);
		}
	}
	if (!exited) {
		kill(-pid, SIGKILL);
		proc_wait(pid, &status);
	}
	proc_track(pid, 0);
	r->status = status;
	r->duration_ms = now_ms() - start;
	for (i = 0; i < 2; i++) {
		int fd = i ? er[0] : out[0];

		if (fd >= 0)
			close(fd);
	}
	out[0] = er[0] = -1;
	if (in[1] >= 0)
		close(in[1]);
	close(ex[0]);
	return 0;

out_close:
	for (i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (er[i] >= 0)
			close(er[i]);
		if (ex[i] >= 0)
			close(ex[i]);
	}
	return -1;
}

int
proc_run_shell(const char *cmd, const struct proc_opts *o,
    struct proc_result *r, struct error *err)
{
	const char *argv[] = { "sh", "-c", cmd, NULL };

	return proc_spawn("/bin/sh", argv, 0, o, r, err);
}

int
proc_run_argv(const char *const *argv, const struct proc_opts *o,
    struct proc_result *r, struct error *err)
{
	return proc_spawn(argv[0], argv, 1, o, r, err);
}
