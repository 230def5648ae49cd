/* SPDX-License-Identifier: MIT */
/*
 * target-ssh.c - a test machine reached over ssh, booted with kexec.
 *
 * Configured from [target "NAME"]: host, port, user, identity,
 * knownHosts, hostKeyPolicy, hostKeyAlgorithms, boot (kexec | none),
 * cmdline, panic, bootTimeout, runTimeout, powerCycle, workdir.
 *
 * Kernels go to WORKDIR/boot, modules to /lib/modules/RELEASE with a
 * ".perfbisect" marker so the next install can remove them again.  A
 * boot is proven, not assumed: the new kernel must show a fresh boot_id,
 * the nonce perfbisect put on its command line and the release that was
 * built.  A machine that only accepts TCP proves nothing (a hypervisor's
 * port forward does that), so the wait polls with full ssh logins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect/config.h"
#include "bisect/proc.h"
#include "kexec/kbuild.h"
#include "kexec/sha256.h"
#include "kexec/ssh.h"
#include "kexec/target.h"

#define TSSH_PROBE_MS		1000	/* connect and greeting while waiting */
#define TSSH_LOGIN_MS		2000	/* the first probes' login after it */
#define TSSH_POLL_MS		150	/* pause between attempts */
#define TSSH_FACTS_MS		10000	/* reading boot_id once logged in */
#define TSSH_CMD_MS		60000	/* housekeeping commands */
#define TSSH_DETACH_MS		1000	/* kexec -e runs this long after */
#define TSSH_INSTALL_TRIES	3	/* sessions an install may take */

struct tssh {
	struct ssh_opts	 opts;		/* strings below are owned */
	char		*host;
	char		*user;
	char		*identity;
	char		*known_hosts;
	char		*algos;
	int		 kexec;		/* boot = kexec */
	char		*cmdline;	/* NULL: derived from /proc/cmdline */
	long long	 panic_s;
	char		*power_cycle;
	struct ssh	*ssh;
	char		*image;		/* installed, on the target */
	char		*initrd;
	char		*release;	/* the image declares, when not given */
};

static int
tssh_string(struct config *cfg, const char *name, const char *var,
    const char *def, char **out, struct error *err)
{
	const char *v;
	char *key = xasprintf("target.%s.%s", name, var);
	int rc;

	rc = config_get_string(cfg, key, &v, err);
	free(key);
	if (rc < 0)
		return -1;
	if (v == NULL)
		v = def;
	*out = v != NULL ? xstrdup(v) : NULL;
	return 0;
}

/* "~/x" in a path names a file in $HOME. */
static void
tssh_expand_home(char **path)
{
	const char *home = getenv("HOME");
	char *p;

	if (*path == NULL || strncmp(*path, "~/", 2) != 0 || home == NULL)
		return;
	p = xasprintf("%s/%s", home, *path + 2);
	free(*path);
	*path = p;
}

static int
tssh_duration(struct config *cfg, const char *name, const char *var,
    long long *out, struct error *err)
{
	char *key = xasprintf("target.%s.%s", name, var);
	int rc;

	rc = config_get_duration_ms(cfg, key, out, err);
	free(key);
	return rc < 0 ? -1 : 0;
}

static void
tssh_free_priv(struct tssh *p)
{
	if (p == NULL)
		return;
	ssh_free(p->ssh);
	free(p->host);
	free(p->user);
	free(p->identity);
	free(p->known_hosts);
	free(p->algos);
	free(p->cmdline);
	free(p->power_cycle);
	free(p->image);
	free(p->initrd);
	free(p->release);
	free(p);
}

static void
tssh_close(struct target *t)
{
	tssh_free_priv(t->priv);
	t->priv = NULL;
}

/* Connect if not connected. */
static int
tssh_connect(struct target *t, struct error *err)
{
	struct tssh *p = t->priv;
	int rc;

	if (p->ssh != NULL)
		return 0;
	if ((rc = ssh_open(&p->ssh, &p->opts, err)) != 0)
		error_prefix(err, "target '%s': ", t->name);
	return rc;
}

/* After a transient failure the session is useless: drop it. */
static int
tssh_result(struct target *t, int rc)
{
	struct tssh *p = t->priv;

	if (rc == TARGET_ETRANSIENT) {
		ssh_free(p->ssh);
		p->ssh = NULL;
	}
	return rc;
}

static int
tssh_capture(struct target *t, const char *cmd, struct buf *out,
    struct error *err)
{
	struct tssh *p = t->priv;
	int rc;

	if ((rc = tssh_connect(t, err)) != 0)
		return rc;
	return tssh_result(t, ssh_capture(p->ssh, cmd, TSSH_CMD_MS, out, err));
}

static int tssh_reach(struct target *, struct error *);

static int
tssh_open(struct target *t, struct error *err)
{
	struct tssh *p = t->priv;
	struct buf cmd = BUF_INIT, out = BUF_INIT;
	int rc;

	buf_adds(&cmd, "mkdir -p ");
	buf_add_shquoted(&cmd, t->workdir);
	buf_adds(&cmd, " && uname -r");
	if (p->kexec)
		buf_adds(&cmd, " && { command -v kexec >/dev/null || "
		    "{ echo 'kexec not found (install kexec-tools)' >&2; "
		    "exit 1; }; }");
	rc = tssh_capture(t, cmd.s, &out, err);
	if (rc == TARGET_ETRANSIENT && t->patient) {
		error_clear(err);
		if ((rc = tssh_reach(t, err)) == 0)
			rc = tssh_capture(t, cmd.s, &out, err);
	}
	buf_release(&cmd);
	buf_release(&out);
	return rc;
}

static int
tssh_run(struct target *t, const char *cmd, long long timeout_ms,
    struct run_result *res, struct error *err)
{
	struct tssh *p = t->priv;
	struct buf full = BUF_INIT;
	int rc;

	if ((rc = tssh_connect(t, err)) != 0)
		return rc;
	buf_adds(&full, "cd ");
	buf_add_shquoted(&full, t->workdir);
	buf_addf(&full, " || exit 125\n%s", cmd);
	rc = ssh_exec(p->ssh, full.s, NULL, 0, timeout_ms > 0 ? timeout_ms :
	    t->run_timeout_ms, res, err);
	buf_release(&full);
	return tssh_result(t, rc);
}

static int
tssh_fetch(struct target *t, const char *remote, const char *local,
    struct error *err)
{
	struct tssh *p = t->priv;
	char *path;
	int rc;

	if ((rc = tssh_connect(t, err)) != 0)
		return rc;
	path = remote[0] == '/' ? xstrdup(remote) :
	    xasprintf("%s/%s", t->workdir, remote);
	rc = ssh_fetch(p->ssh, path, local, err);
	free(path);
	return tssh_result(t, rc);
}

/*
 * Does the target have local at remote already, byte for byte (size and
 * SHA-256)?  1 yes, 0 no, or an error.
 */
static int
tssh_has_copy(struct target *t, const char *local, const char *remote,
    struct error *err)
{
	struct buf cmd = BUF_INIT, out = BUF_INIT;
	char hex[SHA256_HEXLEN + 1], *want;
	uint64_t size;
	int rc;

	if (sha256_file(local, hex, &size, err) == -1)
		return -1;
	buf_adds(&cmd, "f=");
	buf_add_shquoted(&cmd, remote);
	buf_adds(&cmd, "; if [ -f \"$f\" ]; then s=$(wc -c <\"$f\") && "
	    "h=$(sha256sum <\"$f\") && echo \"$((s+0)) ${h%% *}\"; fi");
	rc = tssh_capture(t, cmd.s, &out, err);
	want = xasprintf("%llu %s", (unsigned long long)size, hex);
	if (rc == 0)
		rc = strcmp(out.s, want) == 0;
	free(want);
	buf_release(&cmd);
	buf_release(&out);
	return rc;
}

/* Upload unless the target has the same file there already. */
static int
tssh_upload(struct target *t, const char *local, const char *remote,
    struct error *err)
{
	struct tssh *p = t->priv;
	int rc;

	if ((rc = tssh_connect(t, err)) != 0)
		return rc;
	if ((rc = tssh_has_copy(t, local, remote, err)) != 0)
		return rc > 0 ? 0 : rc;
	rc = ssh_upload(p->ssh, local, remote, 0644, err);
	return tssh_result(t, rc);
}

/*
 * Unpack a modules tar as /lib/modules/RELEASE.  The tar may hold
 * lib/modules/RELEASE/..., RELEASE/... or the directory's contents.
 * Modules of earlier perfbisect kernels (marked) go, except the running
 * kernel's.
 */
static int
tssh_install_modules(struct target *t, const char *tar, const char *release,
    struct error *err)
{
	struct buf cmd = BUF_INIT, out = BUF_INIT, qt = BUF_INIT;
	struct buf qr = BUF_INIT;
	int rc;

	if (strchr(release, '/') != NULL || strcmp(release, ".") == 0 ||
	    strcmp(release, "..") == 0)
		return error_set(err, "bad kernel release '%s'", release);
	buf_add_shquoted(&qt, tar);
	buf_add_shquoted(&qr, release);
	buf_addf(&cmd,
	    "set -e; r=%s; m=/lib/modules; run=$(uname -r); "
	    "for d in $m/*/; do d=${d%%/}; "
	    "  [ -e \"$d/.perfbisect\" ] || continue; "
	    "  case ${d##*/} in \"$run\"|\"$r\") continue;; esac; "
	    "  rm -rf \"$d\"; done; "
	    "tmp=$m/.pb-unpack.$$; rm -rf \"$tmp\"; mkdir -p \"$tmp\"; "
	    "tar -xf %s -C \"$tmp\"; "
	    "if [ -d \"$tmp/lib/modules/$r\" ]; then src=$tmp/lib/modules/$r; "
	    "elif [ -d \"$tmp/$r\" ]; then src=$tmp/$r; else src=$tmp; fi; "
	    "[ \"$r\" = \"$run\" ] && "
	    "  { echo \"refusing to replace the running kernel's modules\" >&2;"
	    "    rm -rf \"$tmp\"; exit 1; }; "
	    "rm -rf \"$m/$r\"; mv \"$src\" \"$m/$r\"; rm -rf \"$tmp\"; "
	    ": >\"$m/$r/.perfbisect\"; rm -f %s; "
	    "command -v depmod >/dev/null && depmod \"$r\" 2>/dev/null || true",
	    qr.s, qt.s, qt.s);
	rc = tssh_capture(t, cmd.s, &out, err);
	buf_release(&cmd);
	buf_release(&out);
	buf_release(&qt);
	buf_release(&qr);
	return rc;
}

static int
tssh_install_once(struct target *t, const struct artifact *a,
    struct error *err)
{
	struct tssh *p = t->priv;
	struct buf rel = BUF_INIT, cmd = BUF_INIT, out = BUF_INIT;
	enum kbuild_format fmt;
	char *dir = NULL, *tar = NULL;
	const char *release = a->release != NULL ? a->release : "unknown";
	int rc;

	if (a->image == NULL && a->modules == NULL && a->initrd == NULL)
		return 0;
	if (a->image != NULL) {
		if (kbuild_check_image_file(a->image, &fmt, &rel, err) == -1)
			return -1;
		if (a->release != NULL && rel.len > 0 &&
		    strcmp(rel.s, a->release) != 0) {
			rc = error_set(err, "'%s' is release '%s', expected "
			    "'%s'", a->image, rel.s, a->release);
			goto out;
		}
	}
	dir = xasprintf("%s/boot", t->workdir);
	buf_adds(&cmd, "mkdir -p ");
	buf_add_shquoted(&cmd, dir);
	if ((rc = tssh_capture(t, cmd.s, &out, err)) != 0)
		goto out;
	free(p->image);
	free(p->initrd);
	free(p->release);
	p->image = p->initrd = p->release = NULL;
	/* Without a release from the build, boot checks the image's own. */
	if (a->release == NULL && rel.len > 0) {
		p->release = xstrdup(rel.s);
		release = p->release;
	}
	if (a->image != NULL) {
		p->image = xasprintf("%s/vmlinuz-%s", dir, release);
		if ((rc = tssh_upload(t, a->image, p->image, err)) != 0)
			goto out;
	}
	if (a->initrd != NULL) {
		p->initrd = xasprintf("%s/initrd-%s", dir, release);
		if ((rc = tssh_upload(t, a->initrd, p->initrd, err)) != 0)
			goto out;
	}
	if (a->modules != NULL) {
		tar = xasprintf("%s/modules-%s.tar", dir, release);
		if ((rc = tssh_upload(t, a->modules, tar, err)) != 0 ||
		    (rc = tssh_install_modules(t, tar, release, err)) != 0)
			goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		error_prefix(err, "install on '%s': ", t->name);
	free(dir);
	free(tar);
	buf_release(&rel);
	buf_release(&cmd);
	buf_release(&out);
	return rc;
}

/*
 * Install, again on a new session when the connection drops (at most
 * TSSH_INSTALL_TRIES times): files already there are not uploaded again,
 * and a dropped upload is not a fault of the kernel.
 */
static int
tssh_install(struct target *t, const struct artifact *a, struct error *err)
{
	int rc, tries;

	for (tries = 1;; tries++) {
		rc = tssh_install_once(t, a, err);
		if (rc != TARGET_ETRANSIENT || tries >= TSSH_INSTALL_TRIES)
			return rc;
		error_clear(err);
	}
}

/*
 * Make sure the kernel to boot is on the target: install a when nothing
 * was installed by this process (a resumed bisection) or the files are
 * gone (a work directory on a file system that did not survive the last
 * boot, like a RAM disk).
 */
static int
tssh_installed(struct target *t, const struct artifact *a, struct error *err)
{
	struct tssh *p = t->priv;
	struct buf cmd = BUF_INIT, out = BUF_INIT;
	int rc;

	if (p->image != NULL) {
		buf_adds(&cmd, "test -f ");
		buf_add_shquoted(&cmd, p->image);
		if (p->initrd != NULL) {
			buf_adds(&cmd, " && test -f ");
			buf_add_shquoted(&cmd, p->initrd);
		}
		buf_adds(&cmd, " && echo present || echo missing");
		rc = tssh_capture(t, cmd.s, &out, err);
		buf_release(&cmd);
		if (rc != 0 || strcmp(out.s, "present") == 0) {
			buf_release(&out);
			return rc;
		}
		buf_release(&out);
	}
	if (a->image == NULL)
		return error_set(err, "boot on '%s': no kernel installed",
		    t->name);
	return tssh_install(t, a, err);
}

/*
 * One look at the machine: a login with a short deadline and the three
 * facts a boot is judged by.  0 and the facts, or non-zero when it did
 * not answer.
 */
static int
tssh_probe(struct target *t, long long timeout_ms, long long login_ms,
    struct buf *boot_id, struct buf *release, struct buf *cmdline)
{
	struct tssh *p = t->priv;
	struct ssh_opts o = p->opts;
	struct error err = ERROR_INIT;
	struct buf out = BUF_INIT;
	char *nl1, *nl2;
	int rc;

	ssh_free(p->ssh);
	p->ssh = NULL;
	/* timeout_ms until the greeting, login_ms for each step after. */
	o.connect_timeout_ms = timeout_ms;
	o.io_timeout_ms = login_ms;
	if ((rc = ssh_open(&p->ssh, &o, &err)) != 0)
		goto out;
	/* Logged in: the machine is up; starting a command may be slow. */
	ssh_set_io_timeout(p->ssh, TSSH_FACTS_MS);
	rc = ssh_capture(p->ssh, "cat /proc/sys/kernel/random/boot_id; "
	    "uname -r; cat /proc/cmdline", TSSH_FACTS_MS, &out, &err);
	if (rc != 0 || (nl1 = strchr(out.s, '\n')) == NULL ||
	    (nl2 = strchr(nl1 + 1, '\n')) == NULL) {
		rc = -1;
		ssh_free(p->ssh);
		p->ssh = NULL;
		goto out;
	}
	buf_reset(boot_id);
	buf_add(boot_id, out.s, (size_t)(nl1 - out.s));
	buf_reset(release);
	buf_add(release, nl1 + 1, (size_t)(nl2 - nl1 - 1));
	buf_reset(cmdline);
	buf_adds(cmdline, nl2 + 1);
	/* The session stays open for the caller. */
	if (p->ssh != NULL)
		ssh_set_io_timeout(p->ssh, p->opts.io_timeout_ms);
out:
	buf_release(&out);
	error_clear(&err);
	return rc;
}

static int
tssh_has_word(const char *s, const char *word)
{
	size_t n = strlen(word);
	const char *q;

	for (q = s; (q = strstr(q, word)) != NULL; q += n)
		if ((q == s || q[-1] == ' ') && (q[n] == '\0' ||
		    q[n] == ' ' || q[n] == '\n'))
			return 1;
	return 0;
}

/*
 * Poll until the machine answers with a boot_id other than old_id, or
 * deadline.  0 with the facts and the times, -1 on the deadline.
 */
static int
tssh_wait_boot(struct target *t, const char *old_id, int64_t deadline,
    struct buf *boot_id, struct buf *release, struct buf *cmdline,
    int64_t *verified_at, int64_t *last_fail)
{
	long long login_ms = TSSH_LOGIN_MS;
	int64_t left;

	*last_fail = now_ms();
	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -1;
		if (left > TSSH_PROBE_MS)
			left = TSSH_PROBE_MS;
		if (tssh_probe(t, left, login_ms, boot_id, release,
		    cmdline) == 0) {
			if (strcmp(boot_id->s, old_id) != 0) {
				*verified_at = now_ms();
				return 0;
			}
			/* Still the old kernel: kexec -e has not run yet. */
			ssh_free(((struct tssh *)t->priv)->ssh);
			((struct tssh *)t->priv)->ssh = NULL;
		} else if (login_ms < TSSH_FACTS_MS) {
			/*
			 * A login that stalls after the greeting is the old
			 * kernel going down just then (short, so it costs
			 * little) or a slow machine (longer each time).
			 */
			login_ms *= 2;
			if (login_ms > TSSH_FACTS_MS)
				login_ms = TSSH_FACTS_MS;
		}
		*last_fail = now_ms();
		usleep(TSSH_POLL_MS * 1000);
	}
}

static int
tssh_power_cycle(struct target *t, struct error *err)
{
	struct tssh *p = t->priv;
	struct proc_opts po;
	struct proc_result pr;
	int rc;

	if (p->power_cycle == NULL)
		return error_set(err, "target '%s' did not come back and has "
		    "no powerCycle command", t->name);
	memset(&po, 0, sizeof(po));
	po.timeout_ms = TSSH_CMD_MS * 5;
	po.log_fd = -1;
	proc_result_init(&pr);
	rc = proc_run_shell(p->power_cycle, &po, &pr, err);
	if (rc == 0 && (pr.status != 0 || pr.timed_out)) {
		buf_trim(&pr.err);
		rc = error_set(err, "powerCycle for '%s' %s %d: %s", t->name,
		    pr.timed_out ? "timed out, status" : "exited", pr.status,
		    pr.err.s);
	}
	proc_result_release(&pr);
	return rc;
}

/*
 * The machine does not answer: it may be booting (a resume right after
 * a stop) or hung.  Wait for it up to bootTimeout; then power cycle it
 * and wait again.  TARGET_EUNREACHABLE when it still does not answer;
 * 0 with a session open when it does.
 */
static int
tssh_reach(struct target *t, struct error *err)
{
	struct buf id = BUF_INIT, rel = BUF_INIT, cl = BUF_INIT;
	int64_t at, last;
	int rc = 0;

	if (tssh_wait_boot(t, "", now_ms() + t->boot_timeout_ms, &id, &rel,
	    &cl, &at, &last) == -1) {
		if ((rc = tssh_power_cycle(t, err)) == 0 &&
		    tssh_wait_boot(t, "", now_ms() + t->boot_timeout_ms, &id,
		    &rel, &cl, &at, &last) == -1)
			rc = error_set(err, "target '%s' did not come back "
			    "after a power cycle", t->name);
		if (rc != 0) {
			error_prefix(err, "target '%s' does not answer: ",
			    t->name);
			rc = TARGET_EUNREACHABLE;
		}
	}
	buf_release(&id);
	buf_release(&rel);
	buf_release(&cl);
	return rc;
}

static int
tssh_boot(struct target *t, const struct artifact *a, struct boot_info *bi,
    struct error *err)
{
	struct tssh *p = t->priv;
	struct buf old_id = BUF_INIT, old_rel = BUF_INIT, old_cmd = BUF_INIT;
	struct buf id = BUF_INIT, rel = BUF_INIT, cl = BUF_INIT;
	struct buf cmd = BUF_INIT, line = BUF_INIT, out = BUF_INIT;
	struct run_result r;
	char nonce[40], token[64];
	const char *want;
	int64_t kexec_at, verified_at = 0, last_fail = 0;
	int rc;

	memset(bi, 0, sizeof(*bi));
	run_result_init(&r);
	if (!p->kexec) {
		/* No reboot; the boot_id tells a resume whether one happened. */
		bi->outcome = BOOT_NONE;
		if ((rc = tssh_capture(t, "cat /proc/sys/kernel/random/boot_id",
		    &out, err)) == 0)
			bi->boot_id = xstrdup(out.s);
		goto out;
	}
	if ((rc = tssh_installed(t, a, err)) != 0)
		goto out;
	want = a->release != NULL ? a->release : p->release;
	/* Down before the boot: wait, power cycle, as after one. */
	if (tssh_probe(t, TSSH_CMD_MS / 4, TSSH_FACTS_MS, &old_id, &old_rel,
	    &old_cmd) != 0 && ((rc = tssh_reach(t, err)) != 0 ||
	    tssh_probe(t, TSSH_CMD_MS / 4, TSSH_FACTS_MS, &old_id, &old_rel,
	    &old_cmd) != 0)) {
		if (rc == 0)
			rc = error_set(err, "boot on '%s': cannot read the "
			    "running kernel's boot_id", t->name);
		if (rc != TARGET_EUNREACHABLE)
			rc = TARGET_ETRANSIENT;
		goto out;
	}
	snprintf(nonce, sizeof(nonce), "%llx%lx",
	    (unsigned long long)now_wall(), (long)(now_ms() & 0xffffff));
	snprintf(token, sizeof(token), "perfbisect.boot=%s", nonce);
	kbuild_boot_cmdline(p->cmdline != NULL ? p->cmdline : old_cmd.s, p->panic_s,
	    nonce, &line);

	buf_adds(&cmd, "kexec -l ");
	buf_add_shquoted(&cmd, p->image);
	if (p->initrd != NULL) {
		buf_adds(&cmd, " --initrd=");
		buf_add_shquoted(&cmd, p->initrd);
	}
	buf_adds(&cmd, " --command-line=");
	buf_add_shquoted(&cmd, line.s);
	if ((rc = tssh_capture(t, cmd.s, &out, err)) != 0) {
		error_prefix(err, "boot on '%s': ", t->name);
		goto out;
	}
	/* Detach kexec -e so this command returns before the kernel goes. */
	buf_reset(&cmd);
	buf_addf(&cmd, "sync; (setsid sh -c 'sleep %d; kexec -e' "
	    "</dev/null >/dev/null 2>&1 &) ; echo started",
	    TSSH_DETACH_MS / 1000);
	rc = ssh_exec(p->ssh, cmd.s, NULL, 0, TSSH_CMD_MS / 4, &r, err);
	if (rc != 0 || r.status != 0) {
		if (rc == 0)
			rc = error_set(err, "boot on '%s': kexec -e: %s",
			    t->name, r.err.s);
		tssh_result(t, rc);
		goto out;
	}
	kexec_at = now_ms() + TSSH_DETACH_MS;
	ssh_free(p->ssh);
	p->ssh = NULL;
	/*
	 * Look only once kexec -e ran: a login racing it would find the
	 * old kernel, or hang when it goes mid-handshake.
	 */
	while (now_ms() < kexec_at)
		usleep((useconds_t)(kexec_at - now_ms()) * 1000);

	if (tssh_wait_boot(t, old_id.s, kexec_at + t->boot_timeout_ms, &id,
	    &rel, &cl, &verified_at, &last_fail) == -1) {
		bi->outcome = BOOT_NO_ANSWER;
		if ((rc = tssh_power_cycle(t, err)) != 0)
			goto unreachable;
		if (tssh_wait_boot(t, old_id.s, now_ms() + t->boot_timeout_ms,
		    &id, &rel, &cl, &verified_at, &last_fail) == -1) {
			error_set(err, "target '%s' did not come back after a "
			    "power cycle", t->name);
			goto unreachable;
		}
	} else if (!tssh_has_word(cl.s, token))
		bi->outcome = BOOT_FELL_BACK;
	else if (want != NULL && strcmp(rel.s, want) != 0)
		bi->outcome = BOOT_WRONG_RELEASE;
	else
		bi->outcome = BOOT_BOOTED;
	bi->release = xstrdup(rel.s);
	bi->boot_id = xstrdup(id.s);
	bi->cmdline = xstrdup(cl.s);
	if (bi->outcome != BOOT_NO_ANSWER) {
		bi->boot_ms = verified_at - kexec_at;
		bi->notice_ms = verified_at - last_fail;
	}
	/* The work directory may be on a file system the boot emptied. */
	buf_reset(&cmd);
	buf_adds(&cmd, "mkdir -p ");
	buf_add_shquoted(&cmd, t->workdir);
	if ((rc = tssh_capture(t, cmd.s, &out, err)) != 0)
		error_prefix(err, "boot on '%s': ", t->name);
	goto out;
unreachable:
	error_prefix(err, "boot of '%s': ", a->release != NULL ? a->release :
	    "kernel");
	rc = TARGET_EUNREACHABLE;
out:
	run_result_release(&r);
	buf_release(&old_id);
	buf_release(&old_rel);
	buf_release(&old_cmd);
	buf_release(&id);
	buf_release(&rel);
	buf_release(&cl);
	buf_release(&cmd);
	buf_release(&line);
	buf_release(&out);
	return rc;
}

const struct target_ops target_ssh_ops = {
	"ssh",
	tssh_open,
	tssh_install,
	tssh_boot,
	tssh_run,
	tssh_fetch,
	tssh_close,
};

int
target_ssh_new(struct target **out, struct config *cfg, const char *name,
    struct error *err)
{
	struct target *t;
	struct tssh *p;
	char *boot = NULL, *policy = NULL, *key;
	long long port = 22, ms;
	int rc = -1;

	*out = NULL;
	t = xcalloc(1, sizeof(*t));
	p = xcalloc(1, sizeof(*p));
	t->ops = &target_ssh_ops;
	t->name = xstrdup(name);
	t->priv = p;
	p->panic_s = 10;
	t->boot_timeout_ms = 300000;
	t->run_timeout_ms = 0;

	if (tssh_string(cfg, name, "host", NULL, &p->host, err) == -1 ||
	    tssh_string(cfg, name, "user", "root", &p->user, err) == -1 ||
	    tssh_string(cfg, name, "identity", NULL, &p->identity, err) ==
	    -1 ||
	    tssh_string(cfg, name, "knownHosts", NULL, &p->known_hosts, err) ==
	    -1 ||
	    tssh_string(cfg, name, "hostKeyAlgorithms", NULL, &p->algos,
	    err) == -1 ||
	    tssh_string(cfg, name, "hostKeyPolicy", "strict", &policy, err) ==
	    -1 ||
	    tssh_string(cfg, name, "boot", "kexec", &boot, err) == -1 ||
	    tssh_string(cfg, name, "cmdline", NULL, &p->cmdline, err) == -1 ||
	    tssh_string(cfg, name, "powerCycle", NULL, &p->power_cycle,
	    err) == -1 ||
	    tssh_string(cfg, name, "workdir", "/var/tmp/perfbisect",
	    &t->workdir, err) == -1)
		goto out;
	tssh_expand_home(&p->identity);
	tssh_expand_home(&p->known_hosts);
	if (p->host == NULL) {
		error_set(err, "target '%s' has no host", name);
		goto out;
	}
	key = xasprintf("target.%s.port", name);
	rc = config_get_int(cfg, key, 1, 65535, &port, err);
	free(key);
	if (rc < 0)
		goto fail;
	key = xasprintf("target.%s.panic", name);
	rc = config_get_int(cfg, key, 0, 3600, &p->panic_s, err);
	free(key);
	if (rc < 0)
		goto fail;
	ms = t->boot_timeout_ms;
	if (tssh_duration(cfg, name, "bootTimeout", &ms, err) == -1)
		goto fail;
	t->boot_timeout_ms = ms;
	ms = t->run_timeout_ms;
	if (tssh_duration(cfg, name, "runTimeout", &ms, err) == -1)
		goto fail;
	t->run_timeout_ms = ms;
	if (strcmp(policy, "strict") == 0)
		p->opts.policy = SSH_HOSTKEY_STRICT;
	else if (strcmp(policy, "accept-new") == 0)
		p->opts.policy = SSH_HOSTKEY_ACCEPT_NEW;
	else {
		error_set(err, "target.%s.hostKeyPolicy: '%s' is not strict "
		    "or accept-new", name, policy);
		goto fail;
	}
	if (strcmp(boot, "kexec") == 0)
		p->kexec = 1;
	else if (strcmp(boot, "none") != 0) {
		error_set(err, "target.%s.boot: '%s' is not kexec or none",
		    name, boot);
		goto fail;
	}
	if (t->workdir[0] != '/') {
		error_set(err, "target.%s.workdir: '%s' is not an absolute "
		    "path", name, t->workdir);
		goto fail;
	}
	p->opts.host = p->host;
	p->opts.port = (int)port;
	p->opts.user = p->user;
	p->opts.identity = p->identity;
	p->opts.known_hosts = p->known_hosts;
	p->opts.hostkey_algos = p->algos;
	p->opts.connect_timeout_ms = 10000;
	p->opts.io_timeout_ms = 30000;
	p->opts.keepalive_s = 15;
	rc = 0;
	goto out;
fail:
	rc = -1;
out:
	free(boot);
	free(policy);
	if (rc != 0) {
		target_free(t);
		return -1;
	}
	*out = t;
	return 0;
}
