/* SPDX-License-Identifier: MIT */
/*
 * ssh.h - one libssh2 session to a test machine, with a deadline on every
 * wait.
 *
 * The session verifies the host key against a known_hosts file the way
 * OpenSSH does (hashed names, "[host]:port" for other ports), logs in with
 * a key file or the agent, runs commands and copies files.  Nothing here
 * knows about kernels: kexec/target-ssh.c builds on it.
 *
 * The caller:
 *  1. fills a struct ssh_opts (SSH_OPTS_INIT gives the defaults);
 *  2. ssh_open() connects, checks the host key and logs in;
 *  3. ssh_exec(), ssh_upload(), ssh_fetch() as often as needed; after one
 *     of them returned TARGET_ETRANSIENT the session is dead and only
 *     ssh_free() is allowed (open a new one to retry);
 *  4. ssh_free().
 */
#ifndef PB_SSH_H
#define PB_SSH_H

#include <stddef.h>
#include <stdint.h>

#include "bisect/util.h"
#include "kexec/target.h"

enum ssh_hostkey_policy {
	SSH_HOSTKEY_STRICT,	/* unknown or changed key: refuse */
	SSH_HOSTKEY_ACCEPT_NEW,	/* unknown: record it; changed: refuse */
};

struct ssh_opts {
	const char	*host;
	int		 port;		/* 0: 22 */
	const char	*user;		/* NULL: $USER, else root */
	const char	*identity;	/* private key; NULL: the agent */
	const char	*known_hosts;	/* NULL: ~/.ssh/known_hosts */
	enum ssh_hostkey_policy policy;
	/* Preferred host key algorithms, libssh2 syntax; NULL: default. */
	const char	*hostkey_algos;
	long long	 connect_timeout_ms;	/* TCP connect + handshake */
	long long	 io_timeout_ms;	/* any single network wait */
	int		 keepalive_s;	/* 0: off */
};

#define SSH_OPTS_INIT { NULL, 0, NULL, NULL, NULL, SSH_HOSTKEY_STRICT, \
	NULL, 10000, 30000, 15 }

struct ssh;

/*
 * Connect, verify the host key and authenticate.  An unknown or changed
 * key is refused with a line giving its type and SHA256 fingerprint.
 * Returns 0, -1 (refused or misconfigured) or TARGET_ETRANSIENT (could
 * not connect or the connection broke: the machine may be rebooting).
 */
int	 ssh_open(struct ssh **out, const struct ssh_opts *, struct error *);
void	 ssh_free(struct ssh *);

/* Change the bound on each network wait (after a short probe login). */
void	 ssh_set_io_timeout(struct ssh *, long long ms);

/* "host:port" as used in messages. */
const char *ssh_peer(const struct ssh *);
/* The server's host key as "TYPE SHA256:base64" (after the handshake). */
const char *ssh_hostkey_desc(const struct ssh *);

/*
 * Run cmd with the remote user's shell.  stdin_data (may be NULL) is
 * fed to it, then end of file.  stdout, stderr, the exit status (128+n
 * for a signal) and the duration land in res.  When timeout_ms (> 0)
 * passes, the command's process group on the target gets SIGTERM, then
 * SIGKILL, over a fresh channel; res->timed_out is set and 0 returned.
 * Returns 0 when the command ran (whatever its status), -1 on error,
 * TARGET_ETRANSIENT when the connection dropped.
 */
int	 ssh_exec(struct ssh *, const char *cmd, const char *stdin_data,
	    size_t stdin_len, long long timeout_ms, struct run_result *res,
	    struct error *);

/*
 * Run cmd and return its stdout in out (trailing newline trimmed); a
 * non-zero exit status is an error quoting its stderr.
 */
int	 ssh_capture(struct ssh *, const char *cmd, long long timeout_ms,
	    struct buf *out, struct error *);

/*
 * Copy local to remote (mode as for chmod): SFTP, or SCP when the server
 * has no SFTP subsystem.  The data goes to a temporary name beside remote
 * and is renamed only after its size and sha256sum on the target match
 * the local file, so remote is never half-written.
 */
int	 ssh_upload(struct ssh *, const char *local, const char *remote,
	    int mode, struct error *);
/* Copy remote to local (written atomically); SFTP, else SCP. */
int	 ssh_fetch(struct ssh *, const char *remote, const char *local,
	    struct error *);

/*
 * Base64 without padding, as OpenSSH prints fingerprints; out must hold
 * 4 * ((n + 2) / 3) + 1 bytes.  Exposed for tests.
 */
void	 ssh_base64(const unsigned char *, size_t n, char *out);

#endif
