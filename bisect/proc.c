/* SPDX-License-Identifier: MIT */
/*
 * proc.c - child processes with deadlines and captured output.
 *
 * The child gets its own process group so a timeout reaches everything it
 * started.  Between fork() and exec() the child only calls async-signal-
 * safe functions; the environment is built before fork().  Exec failure
 * comes back through a close-on-exec pipe so "not found" is told apart
 * from a command that ran and failed.  proc_run_*() are proc_begin()
 * and a loop that feeds and drains the child until it has exited.
 */
#include <sys/prctl.h>
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
#define PROC_POLL_MS	100
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

/* An exit status from waitpid's: the code, or 128+signal. */
static int
proc_status(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return -1;
}

static void
proc_close_pair(int fd[2])
{
	if (fd[0] >= 0)
		close(fd[0]);
	if (fd[1] >= 0)
		close(fd[1]);
	fd[0] = fd[1] = -1;
}

/*
 * The child's side, between fork() and exec(): async-signal-safe calls
 * only.  Exec failure goes back through ex as an errno.
 */
static void
proc_child(const char *path, const char *const *argv, int search,
    char **env, const struct proc_opts *o, const sigset_t *old,
    pid_t parent, int in, int out, int er, int ex)
{
	struct sigaction sa;
	int s;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	/* Its own group: a timeout reaches all it started, ^C does not. */
	setpgid(0, 0);
	/* A caller killed with -9 does not leave it running. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(128 + SIGTERM);
	sigprocmask(SIG_SETMASK, old, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(er, 2) < 0)
		goto fail;
	if (o->cwd && chdir(o->cwd) < 0)
		goto fail;
	if (search)
		execvpe(path, (char *const *)argv, env);
	else
		execve(path, (char *const *)argv, env);
fail:
	s = errno;
	while (write(ex, &s, sizeof(s)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/*
 * Start the child.  With *in (not NULL) its stdin is a pipe whose write
 * end comes back in *in; otherwise /dev/null.  With o->log_fd > 0 (and
 * not pipes set) both streams go there; otherwise into p->out, p->err.
 */
static int
proc_begin(struct proc *p, const char *path, const char *const *argv,
    int search, const struct proc_opts *o, int pipes, int *in,
    struct error *err)
{
	int ip[2] = { -1, -1 }, op[2] = { -1, -1 }, ep[2] = { -1, -1 };
	int ex[2] = { -1, -1 }, child_errno = 0, st;
	sigset_t all, old;
	pid_t pid, parent = getpid();
	char **env;
	ssize_t n;

	*p = (struct proc)PROC_INIT;
	if (in)
		*in = -1;
	if (!pipes && o->log_fd <= 0)
		pipes = 1;
	if ((in ? pipe2(ip, O_CLOEXEC) :
	    (ip[0] = open("/dev/null", O_RDONLY | O_CLOEXEC))) < 0 ||
	    (pipes && (pipe2(op, O_CLOEXEC) < 0 ||
	    pipe2(ep, O_CLOEXEC) < 0)) || pipe2(ex, O_CLOEXEC) < 0) {
		error_set(err, "cannot create pipe: %s", strerror(errno));
		goto out_close;
	}
	env = proc_make_env(o->env);
	fflush(stdout);
	fflush(stderr);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		proc_child(path, argv, search, env, o, &old, parent, ip[0],
		    pipes ? op[1] : o->log_fd, pipes ? ep[1] : o->log_fd,
		    ex[1]);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(env);
	if (pid < 0) {
		error_set(err, "cannot fork: %s", strerror(errno));
		goto out_close;
	}
	setpgid(pid, pid);	/* no race with the child's own call */
	proc_track(pid, 1);
	close(ex[1]);
	ex[1] = -1;
	while ((n = read(ex[0], &child_errno, sizeof(child_errno))) < 0 &&
	    errno == EINTR)
		;
	if (n == (ssize_t)sizeof(child_errno)) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		proc_track(pid, 0);
		error_set(err, "cannot run '%s'%s%s: %s", argv[0],
		    o->cwd ? " in " : "", o->cwd ? o->cwd : "",
		    strerror(child_errno));
		goto out_close;
	}
	close(ex[0]);
	close(ip[0]);
	if (in)
		*in = ip[1];
	if (pipes) {
		close(op[1]);
		close(ep[1]);
		p->out = op[0];
		p->err = ep[0];
		fcntl(p->out, F_SETFL, O_NONBLOCK);
		fcntl(p->err, F_SETFL, O_NONBLOCK);
	}
	p->pid = pid;
	p->running = 1;
	p->start = now_ms();
	if (o->timeout_ms > 0)
		p->deadline = p->start + o->timeout_ms;
	return 0;

out_close:
	proc_close_pair(ip);
	proc_close_pair(op);
	proc_close_pair(ep);
	proc_close_pair(ex);
	return -1;
}

int
proc_start_shell(struct proc *p, const char *cmd, const struct proc_opts *o,
    struct error *err)
{
	const char *argv[] = { "sh", "-c", cmd, NULL };

	return proc_begin(p, "/bin/sh", argv, 0, o, 0, NULL, err);
}

int
proc_start_argv(struct proc *p, const char *const *argv,
    const struct proc_opts *o, struct error *err)
{
	return proc_begin(p, argv[0], argv, 1, o, 0, NULL, err);
}

static void
proc_reaped(struct proc *p, int status)
{
	p->running = 0;
	p->status = status;
	proc_track(p->pid, 0);
}

int
proc_poll(struct proc *p)
{
	int64_t now;
	pid_t w;
	int ws;

	if (!p->running)
		return 1;
	while ((w = waitpid(p->pid, &ws, WNOHANG)) < 0 && errno == EINTR)
		;
	if (w == p->pid || (w < 0 && errno == ECHILD)) {
		proc_reaped(p, w == p->pid ? proc_status(ws) : -1);
		return 1;
	}
	now = now_ms();
	if (p->deadline && now >= p->deadline && !p->term_at) {
		p->timed_out = 1;
		kill(-p->pid, SIGTERM);
		p->term_at = now;
	}
	if (p->term_at && now - p->term_at >= PROC_GRACE_MS)
		kill(-p->pid, SIGKILL);
	return 0;
}

int
proc_wait(struct proc *p, const volatile sig_atomic_t *stop)
{
	while (!proc_poll(p)) {
		if (stop && *stop)
			return 0;
		usleep(PROC_POLL_MS * 1000);
	}
	return 1;
}

void
proc_kill(struct proc *p, int sig)
{
	if (p->running)
		kill(-p->pid, sig);
}

void
proc_close(struct proc *p)
{
	if (p->out >= 0)
		close(p->out);
	if (p->err >= 0)
		close(p->err);
	p->out = p->err = -1;
}

void
proc_stop(struct proc *p)
{
	int64_t t0 = now_ms();
	int ws;

	proc_kill(p, SIGTERM);
	while (!proc_poll(p) && now_ms() - t0 < PROC_GRACE_MS)
		usleep(PROC_POLL_MS * 1000);
	if (p->running) {
		kill(-p->pid, SIGKILL);
		while (waitpid(p->pid, &ws, 0) < 0 && errno == EINTR)
			;
		proc_reaped(p, 128 + SIGKILL);
	}
	proc_close(p);
}

/* Run a child to its end, feeding stdin and collecting its output. */
static int
proc_spawn(const char *path, const char *const *argv, int search,
    const struct proc_opts *o, struct proc_result *r, struct error *err)
{
	struct proc p;
	size_t max = o->max_output ? o->max_output : 16u << 20;
	size_t inoff = 0;
	int64_t exited_at = 0, idle_ms = 1;
	struct pollfd pfd[3];
	char tmp[65536];
	int in, nfd, i, *fd;
	ssize_t n;

	if (proc_begin(&p, path, argv, search, o, 1, &in, err) < 0)
		return -1;
	if (o->stdin_data == NULL || o->stdin_len == 0) {
		close(in);
		in = -1;
	} else
		fcntl(in, F_SETFL, O_NONBLOCK);

	while (p.out >= 0 || p.err >= 0 || p.running) {
		int64_t now = now_ms(), wait_ms = PROC_POLL_MS;

		if (p.running && proc_poll(&p))
			exited_at = now;
		if (!p.running && now - exited_at > PROC_DRAIN_MS)
			break;
		nfd = 0;
		if (p.out >= 0) {
			pfd[nfd].fd = p.out;
			pfd[nfd++].events = POLLIN;
		}
		if (p.err >= 0) {
			pfd[nfd].fd = p.err;
			pfd[nfd++].events = POLLIN;
		}
		if (in >= 0) {
			pfd[nfd].fd = in;
			pfd[nfd++].events = POLLOUT;
		}
		/*
		 * With its pipes closed the child is about to exit: look
		 * again soon (1, 2, 4 ... ms), not a whole poll interval on.
		 */
		if (nfd == 0) {
			wait_ms = idle_ms;
			if (idle_ms < PROC_POLL_MS)
				idle_ms *= 2;
		}
		if (p.deadline && !p.term_at && p.deadline - now < wait_ms)
			wait_ms = p.deadline - now;
		if (poll(pfd, (nfds_t)nfd, (int)(wait_ms > 0 ? wait_ms : 0)) < 0 &&
		    errno != EINTR)
			break;
		for (i = 0; i < nfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == in) {
				n = write(in, o->stdin_data + inoff,
				    o->stdin_len - inoff);
				if (n > 0)
					inoff += (size_t)n;
				if (n < 0 && errno != EAGAIN && errno != EINTR)
					inoff = o->stdin_len;
				if (inoff >= o->stdin_len) {
					close(in);
					in = -1;
				}
				continue;
			}
			fd = pfd[i].fd == p.out ? &p.out : &p.err;
			n = read(*fd, tmp, sizeof(tmp));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				close(*fd);
				*fd = -1;
				continue;
			}
			if (o->log_fd > 0 && write(o->log_fd, tmp,
			    (size_t)n) < 0) {
				/* a log is best effort */
			}
			proc_append(fd == &p.out ? &r->out : &r->err,
			    tmp, (size_t)n, max, &r->truncated);
		}
	}
	if (p.running)
		proc_stop(&p);
	proc_close(&p);
	if (in >= 0)
		close(in);
	r->status = p.status;
	r->timed_out = p.timed_out;
	r->duration_ms = now_ms() - p.start;
	return 0;
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
