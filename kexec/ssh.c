/* SPDX-License-Identifier: MIT */
/*
 * ssh.c - a libssh2 session with deadlines, host key checks, remote
 * commands that can be killed, and verified uploads.
 *
 * libssh2 waits forever unless told otherwise, so the session runs in
 * blocking mode with libssh2_session_set_timeout() bounding each wait,
 * and ssh_exec() switches to non-blocking mode to read both streams,
 * feed stdin and send keepalives against its own deadline.  A remote
 * command runs in the process group the server gives it (OpenSSH and
 * dropbear start each command in a new session); its shell writes its
 * pid, which is the group id, to a file so a timeout can kill the whole
 * group from a second channel.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh2.h>
#include <libssh2_sftp.h>

#include "kexec/sha256.h"
#include "kexec/ssh.h"

#define SSH_CHUNK	(256 * 1024)
#define SSH_KILL_GRACE_MS 2000

struct ssh {
	int		 fd;
	LIBSSH2_SESSION	*session;
	LIBSSH2_SFTP	*sftp;
	int		 no_sftp;	/* the server has no SFTP subsystem */
	int		 dead;		/* the connection broke */
	char		*peer;
	char		*hostkey;	/* "TYPE SHA256:..." */
	long long	 io_timeout_ms;
	int		 keepalive_s;
	unsigned	 seq;		/* for unique remote file names */
};

static int	 ssh_is_transport_error(int);
static int	 ssh_exec_raw(struct ssh *, const char *, const char *, size_t,
		    long long, const char *, struct run_result *,
		    struct error *);

void
ssh_base64(const unsigned char *p, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t v;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = tab[(v >> 6) & 63];
		*out++ = tab[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = tab[(v >> 6) & 63];
	}
	*out = '\0';
}

/* libssh2's last error as text. */
static const char *
ssh_lasterr(struct ssh *s)
{
	char *msg = NULL;

	if (s->session == NULL)
		return "no session";
	libssh2_session_last_error(s->session, &msg, NULL, 0);
	return msg != NULL && *msg != '\0' ? msg : "unknown error";
}

/*
 * Record a libssh2 failure rc of what: a broken connection marks the
 * session dead and returns TARGET_ETRANSIENT.
 */
static int
ssh_fail(struct ssh *s, int rc, const char *what, struct error *err)
{
	if (rc == LIBSSH2_ERROR_TIMEOUT) {
		error_set(err, "%s: %s: timed out after %lld ms", s->peer, what,
		    s->io_timeout_ms);
		s->dead = 1;
		return TARGET_ETRANSIENT;
	}
	if (ssh_is_transport_error(rc))
		error_set(err, "%s: %s: connection lost: %s", s->peer, what,
		    ssh_lasterr(s));
	else
		error_set(err, "%s: %s: %s", s->peer, what, ssh_lasterr(s));
	if (ssh_is_transport_error(rc)) {
		s->dead = 1;
		return TARGET_ETRANSIENT;
	}
	return -1;
}

static int
ssh_is_transport_error(int rc)
{
	switch (rc) {
	case LIBSSH2_ERROR_SOCKET_SEND:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_SOCKET_TIMEOUT:
	case LIBSSH2_ERROR_TIMEOUT:
	case LIBSSH2_ERROR_BANNER_RECV:
	case LIBSSH2_ERROR_BANNER_SEND:
	case LIBSSH2_ERROR_KEX_FAILURE:
	case LIBSSH2_ERROR_DECRYPT:
		return 1;
	}
	return 0;
}

static int
ssh_lost(struct ssh *s, struct error *err)
{
	error_set(err, "%s: connection lost", s->peer);
	return TARGET_ETRANSIENT;
}

/* Non-blocking TCP connect to host:port, bounded by timeout_ms. */
static int
ssh_connect_tcp(struct ssh *s, const char *host, int port,
    long long timeout_ms, struct error *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct pollfd pfd;
	char portstr[16];
	int64_t deadline = now_ms() + timeout_ms;
	int fd = -1, rc, soerr, lasterr = 0, timed_out = 0;
	socklen_t len;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((rc = getaddrinfo(host, portstr, &hints, &res)) != 0)
		return error_set(err, "cannot resolve '%s': %s", host,
		    gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			lasterr = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS) {
			lasterr = errno;
			goto next;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		for (;;) {
			int64_t left = deadline - now_ms();

			if (left <= 0) {
				timed_out = 1;
				goto next;
			}
			rc = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
			if (rc > 0)
				break;
			if (rc == -1 && errno != EINTR) {
				lasterr = errno;
				goto next;
			}
		}
		len = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
			soerr = errno;
		if (soerr == 0)
			break;
		lasterr = soerr;
next:
		close(fd);
		fd = -1;
		if (timed_out)
			break;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		if (timed_out)
			error_set(err, "cannot connect to %s: timed out after "
			    "%lld ms", s->peer, timeout_ms);
		else
			error_set(err, "cannot connect to %s: %s", s->peer,
			    strerror(lasterr));
		return TARGET_ETRANSIENT;
	}
	s->fd = fd;
	return 0;
}

/*
 * Wait until the server's greeting can be read, by deadline.  The server
 * speaks first; a port forward or proxy in front of a machine that is
 * down accepts the TCP connection but never says anything.
 */
static int
ssh_wait_greeting(struct ssh *s, int64_t deadline, long long timeout_ms,
    struct error *err)
{
	struct pollfd pfd;
	int64_t left;
	char c;
	int rc;

	pfd.fd = s->fd;
	pfd.events = POLLIN;
	for (;;) {
		if ((left = deadline - now_ms()) <= 0) {
			error_set(err, "%s: ssh handshake timed out after %lld "
			    "ms (no greeting)", s->peer, timeout_ms);
			return TARGET_ETRANSIENT;
		}
		rc = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
		if (rc > 0)
			break;
		if (rc == -1 && errno != EINTR) {
			error_set(err, "%s: %s", s->peer, strerror(errno));
			return TARGET_ETRANSIENT;
		}
	}
	if (recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) {
		error_set(err, "%s: connection closed before the ssh greeting",
		    s->peer);
		return TARGET_ETRANSIENT;
	}
	return 0;
}

static const char *
ssh_keytype_name(int type, int *knownbit)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA:
		*knownbit = LIBSSH2_KNOWNHOST_KEY_SSHRSA;
		return "RSA";
	case LIBSSH2_HOSTKEY_TYPE_DSS:
		*knownbit = LIBSSH2_KNOWNHOST_KEY_SSHDSS;
		return "DSA";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
		*knownbit = LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
		return "ECDSA";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
		*knownbit = LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
		return "ECDSA";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
		*knownbit = LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
		return "ECDSA";
	case LIBSSH2_HOSTKEY_TYPE_ED25519:
		*knownbit = LIBSSH2_KNOWNHOST_KEY_ED25519;
		return "ED25519";
	}
	*knownbit = LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
	return "unknown";
}

/*
 * Load a known_hosts file line by line, so that one line libssh2 cannot
 * parse (a certificate authority, a security-key type) does not hide the
 * others.  A missing file is empty.
 */
static int
ssh_knownhosts_load(LIBSSH2_KNOWNHOSTS *kh, const char *path,
    struct error *err)
{
	struct buf b = BUF_INIT;
	char *line, *nl, *end;

	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	if (read_file(path, &b, err) == -1)
		return -1;
	/* libssh2 reads past len to the end of the string: cut each line. */
	for (line = b.s; line < b.s + b.len; line = nl + 1) {
		if ((nl = memchr(line, '\n', b.len - (size_t)(line - b.s))) ==
		    NULL)
			nl = b.s + b.len;
		*nl = '\0';
		for (end = nl; end > line && (end[-1] == '\r' ||
		    end[-1] == ' '); end--)
			end[-1] = '\0';
		if (*line != '\0' && *line != '#')
			libssh2_knownhost_readline(kh, line, strlen(line),
			    LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	}
	buf_release(&b);
	return 0;
}

/* Append one known_hosts line, creating the file (and ~/.ssh) if needed. */
static int
ssh_knownhosts_append(const char *path, const char *line, struct error *err)
{
	struct buf b = BUF_INIT;
	char *dir, *slash;
	int fd, needs_nl = 0;

	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (access(dir, F_OK) == -1 && mkdir(dir, 0700) == -1 &&
		    errno != EEXIST) {
			error_set(err, "cannot create '%s': %s", dir,
			    strerror(errno));
			free(dir);
			return -1;
		}
	}
	free(dir);
	if (access(path, F_OK) == 0) {
		if (read_file(path, &b, err) == -1)
			return -1;
		needs_nl = b.len > 0 && b.s[b.len - 1] != '\n';
		buf_release(&b);
	}
	if (needs_nl)
		buf_addch(&b, '\n');
	buf_adds(&b, line);
	if (b.len == 0 || b.s[b.len - 1] != '\n')
		buf_addch(&b, '\n');
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 || write(fd, b.s, b.len) != (ssize_t)b.len) {
		error_set(err, "cannot append to '%s': %s", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		buf_release(&b);
		return -1;
	}
	buf_release(&b);
	if (close(fd) == -1)
		return error_set(err, "cannot write '%s': %s", path,
		    strerror(errno));
	return 0;
}

static int
ssh_check_hostkey(struct ssh *s, const struct ssh_opts *o, struct error *err)
{
	LIBSSH2_KNOWNHOSTS *kh = NULL;
	struct libssh2_knownhost *entry = NULL;
	const char *key, *hash, *tname;
	char b64[64], *path = NULL, *name = NULL, line[8192];
	size_t keylen, linelen;
	int type, knownbit, port = o->port > 0 ? o->port : 22, rc = -1;
	int check;

	key = libssh2_session_hostkey(s->session, &keylen, &type);
	hash = libssh2_hostkey_hash(s->session, LIBSSH2_HOSTKEY_HASH_SHA256);
	if (key == NULL || hash == NULL)
		return error_set(err, "%s: no host key", s->peer);
	tname = ssh_keytype_name(type, &knownbit);
	ssh_base64((const unsigned char *)hash, SHA256_LEN, b64);
	s->hostkey = xasprintf("%s SHA256:%s", tname, b64);

	if (o->known_hosts != NULL)
		path = xstrdup(o->known_hosts);
	else if (getenv("HOME") != NULL)
		path = xasprintf("%s/.ssh/known_hosts", getenv("HOME"));
	else
		return error_set(err, "no known_hosts file: HOME is not set");

	if ((kh = libssh2_knownhost_init(s->session)) == NULL) {
		error_set(err, "cannot initialise known hosts");
		goto out;
	}
	if (ssh_knownhosts_load(kh, path, err) == -1)
		goto out;
	check = libssh2_knownhost_checkp(kh, o->host, port, key, keylen,
	    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
	    knownbit, NULL);
	switch (check) {
	case LIBSSH2_KNOWNHOST_CHECK_MATCH:
		rc = 0;
		goto out;
	case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
		error_set(err, "host key for %s has changed: %s (not the one "
		    "in '%s'); refusing to connect", s->peer, s->hostkey,
		    path);
		goto out;
	case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
		break;
	default:
		error_set(err, "cannot check the host key of %s: %s", s->peer,
		    ssh_lasterr(s));
		goto out;
	}
	if (o->policy != SSH_HOSTKEY_ACCEPT_NEW) {
		error_set(err, "unknown host key for %s: %s (not in '%s'; "
		    "add it, or set hostKeyPolicy = accept-new)", s->peer,
		    s->hostkey, path);
		goto out;
	}
	name = port == 22 ? xstrdup(o->host) :
	    xasprintf("[%s]:%d", o->host, port);
	if (libssh2_knownhost_addc(kh, name, NULL, key, keylen, NULL, 0,
	    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
	    knownbit, &entry) != 0 ||
	    libssh2_knownhost_writeline(kh, entry, line, sizeof(line),
	    &linelen, LIBSSH2_KNOWNHOST_FILE_OPENSSH) != 0) {
		error_set(err, "cannot record the host key of %s: %s", s->peer,
		    ssh_lasterr(s));
		goto out;
	}
	line[linelen < sizeof(line) ? linelen : sizeof(line) - 1] = '\0';
	if (ssh_knownhosts_append(path, line, err) == -1)
		goto out;
	rc = 0;
out:
	if (kh != NULL)
		libssh2_knownhost_free(kh);
	free(name);
	free(path);
	return rc;
}

static int
ssh_auth_agent(struct ssh *s, const char *user, struct error *err)
{
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *id = NULL, *prev = NULL;
	int rc, tried = 0;

	if (getenv("SSH_AUTH_SOCK") == NULL)
		return error_set(err, "%s: no identity file and no ssh agent "
		    "(SSH_AUTH_SOCK is not set)", s->peer);
	if ((agent = libssh2_agent_init(s->session)) == NULL)
		return ssh_fail(s, -1, "ssh agent", err);
	if (libssh2_agent_connect(agent) != 0) {
		error_set(err, "cannot connect to the ssh agent: %s",
		    ssh_lasterr(s));
		libssh2_agent_free(agent);
		return -1;
	}
	if (libssh2_agent_list_identities(agent) != 0) {
		error_set(err, "cannot list the ssh agent's keys: %s",
		    ssh_lasterr(s));
		goto fail;
	}
	for (;;) {
		rc = libssh2_agent_get_identity(agent, &id, prev);
		if (rc != 0)
			break;
		tried++;
		rc = libssh2_agent_userauth(agent, user, id);
		if (rc == 0) {
			libssh2_agent_disconnect(agent);
			libssh2_agent_free(agent);
			return 0;
		}
		if (ssh_is_transport_error(rc)) {
			ssh_fail(s, rc, "agent authentication", err);
			goto fail;
		}
		prev = id;
	}
	error_set(err, "%s: authentication as '%s' refused (%d key%s in the "
	    "ssh agent)", s->peer, user, tried, tried == 1 ? "" : "s");
fail:
	libssh2_agent_disconnect(agent);
	libssh2_agent_free(agent);
	return s->dead ? TARGET_ETRANSIENT : -1;
}

static int
ssh_auth(struct ssh *s, const struct ssh_opts *o, struct error *err)
{
	const char *user = o->user;
	int rc;

	if (user == NULL)
		user = getenv("USER") != NULL ? getenv("USER") : "root";
	if (o->identity == NULL)
		return ssh_auth_agent(s, user, err);
	if (access(o->identity, R_OK) == -1)
		return error_set(err, "cannot read identity '%s': %s",
		    o->identity, strerror(errno));
	rc = libssh2_userauth_publickey_fromfile_ex(s->session, user,
	    (unsigned)strlen(user), NULL, o->identity, NULL);
	if (rc == 0)
		return 0;
	if (ssh_is_transport_error(rc))
		return ssh_fail(s, rc, "authentication", err);
	return error_set(err, "%s: authentication as '%s' with '%s' "
	    "refused: %s", s->peer, user, o->identity, ssh_lasterr(s));
}

int
ssh_open(struct ssh **out, const struct ssh_opts *o, struct error *err)
{
	struct ssh *s;
	int port = o->port > 0 ? o->port : 22, rc;
	long long hs_timeout, ct;
	int64_t start = now_ms();

	*out = NULL;
	if (o->host == NULL || *o->host == '\0')
		return error_set(err, "no host to connect to");
	s = xcalloc(1, sizeof(*s));
	s->fd = -1;
	s->io_timeout_ms = o->io_timeout_ms > 0 ? o->io_timeout_ms : 30000;
	s->keepalive_s = o->keepalive_s;
	s->peer = strchr(o->host, ':') != NULL ?
	    xasprintf("[%s]:%d", o->host, port) :
	    xasprintf("%s:%d", o->host, port);

	ct = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
	if ((rc = ssh_connect_tcp(s, o->host, port, ct, err)) != 0 ||
	    (rc = ssh_wait_greeting(s, start + ct, ct, err)) != 0)
		goto fail;
	if ((s->session = libssh2_session_init()) == NULL) {
		rc = error_set(err, "cannot create an ssh session");
		goto fail;
	}
	libssh2_session_set_blocking(s->session, 1);
	if (o->hostkey_algos != NULL && libssh2_session_method_pref(s->session,
	    LIBSSH2_METHOD_HOSTKEY, o->hostkey_algos) != 0) {
		rc = error_set(err, "bad host key algorithms '%s': %s",
		    o->hostkey_algos, ssh_lasterr(s));
		goto fail;
	}
	/*
	 * The greeting came within the connect deadline: a machine is
	 * there.  The key exchange after it is computing, slow on a slow
	 * machine: it gets the longer of what is left and io_timeout_ms.
	 */
	hs_timeout = ct - (now_ms() - start);
	if (hs_timeout < s->io_timeout_ms)
		hs_timeout = s->io_timeout_ms;
	libssh2_session_set_timeout(s->session, (long)hs_timeout);
	if ((rc = libssh2_session_handshake(s->session, s->fd)) != 0) {
		if (rc == LIBSSH2_ERROR_TIMEOUT)
			error_set(err, "%s: ssh handshake timed out after %lld "
			    "ms", s->peer, hs_timeout);
		else
			error_set(err, "%s: ssh handshake: %s", s->peer,
			    ssh_lasterr(s));
		rc = TARGET_ETRANSIENT;
		goto fail;
	}
	libssh2_session_set_timeout(s->session, (long)s->io_timeout_ms);
	if ((rc = ssh_check_hostkey(s, o, err)) != 0)
		goto fail;
	if ((rc = ssh_auth(s, o, err)) != 0)
		goto fail;
	if (s->keepalive_s > 0)
		libssh2_keepalive_config(s->session, 1, (unsigned)s->keepalive_s);
	*out = s;
	return 0;
fail:
	ssh_free(s);
	return rc;
}

void
ssh_free(struct ssh *s)
{
	if (s == NULL)
		return;
	if (s->session != NULL) {
		if (!s->dead) {
			/* Do not linger on a dying peer. */
			libssh2_session_set_timeout(s->session, 2000);
			if (s->sftp != NULL)
				libssh2_sftp_shutdown(s->sftp);
			libssh2_session_disconnect(s->session, "bye");
		}
		libssh2_session_free(s->session);
	}
	if (s->fd != -1)
		close(s->fd);
	free(s->peer);
	free(s->hostkey);
	free(s);
}

void
ssh_set_io_timeout(struct ssh *s, long long ms)
{
	s->io_timeout_ms = ms > 0 ? ms : 30000;
	libssh2_session_set_timeout(s->session, (long)s->io_timeout_ms);
}

const char *
ssh_peer(const struct ssh *s)
{
	return s->peer;
}

const char *
ssh_hostkey_desc(const struct ssh *s)
{
	return s->hostkey != NULL ? s->hostkey : "";
}

/* Wait until the socket is ready the way libssh2 wants, or until deadline. */
static void
ssh_wait(struct ssh *s, int64_t deadline, int max_ms)
{
	struct pollfd pfd;
	int dir = libssh2_session_block_directions(s->session);
	int64_t left = deadline - now_ms();

	pfd.fd = s->fd;
	pfd.events = 0;
	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		pfd.events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		pfd.events |= POLLOUT;
	if (pfd.events == 0)
		pfd.events = POLLIN;
	if (left > max_ms)
		left = max_ms;
	if (left < 0)
		left = 0;
	poll(&pfd, 1, (int)left);
}

static int
ssh_signal_number(const char *name)
{
	static const struct {
		const char	*name;
		int		 n;
	} sigs[] = {
		{ "HUP", 1 }, { "INT", 2 }, { "QUIT", 3 }, { "ILL", 4 },
		{ "ABRT", 6 }, { "FPE", 8 }, { "KILL", 9 }, { "SEGV", 11 },
		{ "PIPE", 13 }, { "ALRM", 14 }, { "TERM", 15 },
		{ "USR1", 10 }, { "USR2", 12 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		if (strcmp(name, sigs[i].name) == 0)
			return sigs[i].n;
	return 0;
}

/*
 * Open a session channel in blocking mode (bounded by the session
 * timeout).
 */
static LIBSSH2_CHANNEL *
ssh_channel(struct ssh *s, int *rcp)
{
	LIBSSH2_CHANNEL *ch;

	ch = libssh2_channel_open_session(s->session);
	*rcp = ch == NULL ? libssh2_session_last_errno(s->session) : 0;
	return ch;
}

/* Kill the process group recorded in pidfile, over a fresh channel. */
static int
ssh_kill_group(struct ssh *s, const char *pidfile, struct error *err)
{
	struct buf cmd = BUF_INIT, q = BUF_INIT;
	struct run_result r;
	int rc;

	buf_add_shquoted(&q, pidfile);
	/*
	 * The command may not have started yet: the ".x" file tells it not
	 * to (it writes its pid, then looks for ".x"; we make ".x", then
	 * look for the pid, so one of us sees the other).  The group may
	 * not exist yet (setsid has not run): the pid itself then goes,
	 * before it starts anything.
	 */
	buf_addf(&cmd, ": >%s.x; p=$(cat %s 2>/dev/null); "
	    "[ -n \"$p\" ] || exit 0; rm -f %s.x; "
	    "kill -TERM -$p 2>/dev/null; kill -TERM $p 2>/dev/null; i=0; "
	    "while { kill -0 -$p || kill -0 $p; } 2>/dev/null && "
	    "[ $i -lt %d ]; do sleep 0.1; i=$((i+1)); done; "
	    "kill -KILL -$p 2>/dev/null; kill -KILL $p 2>/dev/null; "
	    "rm -f %s; exit 0",
	    q.s, q.s, q.s, SSH_KILL_GRACE_MS / 100, q.s);
	run_result_init(&r);
	rc = ssh_exec_raw(s, cmd.s, NULL, 0, SSH_KILL_GRACE_MS + 10000, NULL,
	    &r, err);
	if (rc == 0 && r.status != 0)
		rc = error_set(err, "%s: cannot kill the timed out command: %s",
		    s->peer, r.err.s);
	run_result_release(&r);
	buf_release(&cmd);
	buf_release(&q);
	return rc;
}

/*
 * Run cmd; with a pidfile, as a killable group whose pid lands there.
 * timeout_ms <= 0: no deadline.
 */
static int
ssh_exec_raw(struct ssh *s, const char *cmd, const char *stdin_data,
    size_t stdin_len, long long timeout_ms, const char *pidfile,
    struct run_result *res, struct error *err)
{
	LIBSSH2_CHANNEL *ch = NULL;
	struct buf wrapped = BUF_INIT, qpid = BUF_INIT;
	char *sig = NULL, chunk[16384];
	size_t sent = 0;
	int64_t start = now_ms(), deadline, ka_next = 0;
	int rc, eof_sent = 0, progress, n, ka_secs;
	int out_done = 0, err_done = 0;

	buf_reset(&res->out);
	buf_reset(&res->err);
	res->status = -1;
	res->timed_out = 0;
	res->duration_ms = 0;
	if (s->dead)
		return ssh_lost(s, err);
	deadline = timeout_ms > 0 ? start + timeout_ms : INT64_MAX;

	if (pidfile != NULL) {
		/*
		 * The command gets a process group of its own (setsid), whose
		 * id lands in the pidfile.  The login shell's group is not
		 * one: dropbear runs every channel of a connection in the
		 * connection's group, so killing that would kill the server.
		 * Without setsid, the shell's pid, which OpenSSH makes a
		 * session leader.  Background commands of sh read /dev/null,
		 * hence fd 3 for the input.
		 */
		buf_add_shquoted(&qpid, pidfile);
		buf_adds(&wrapped, "if command -v setsid >/dev/null 2>&1; then "
		    "exec 3<&0; setsid sh -c ");
		buf_add_shquoted(&wrapped, cmd);
		buf_addf(&wrapped, " <&3 3<&- & p=$!; exec 3<&-; "
		    "echo $p >%s; if [ -e %s.x ]; then kill -KILL -$p; "
		    "kill -KILL $p; rm -f %s %s.x; exit 124; fi 2>/dev/null; "
		    "wait $p; rc=$?; "
		    "else echo $$ >%s; if [ -e %s.x ]; then "
		    "rm -f %s %s.x; exit 124; fi; sh -c ", qpid.s, qpid.s,
		    qpid.s, qpid.s, qpid.s, qpid.s, qpid.s, qpid.s);
		buf_add_shquoted(&wrapped, cmd);
		buf_addf(&wrapped, "; rc=$?; fi; rm -f %s; exit $rc", qpid.s);
	} else {
		buf_adds(&wrapped, cmd);
	}

	libssh2_session_set_blocking(s->session, 1);
	if ((ch = ssh_channel(s, &rc)) == NULL) {
		rc = ssh_fail(s, rc, "cannot open a channel", err);
		goto out;
	}
	if ((rc = libssh2_channel_exec(ch, wrapped.s)) != 0) {
		rc = ssh_fail(s, rc, "cannot start a command", err);
		goto out;
	}
	libssh2_session_set_blocking(s->session, 0);
	for (;;) {
		progress = 0;
		if (!eof_sent && sent < stdin_len) {
			n = (int)libssh2_channel_write(ch, stdin_data + sent,
			    stdin_len - sent);
			if (n > 0) {
				sent += (size_t)n;
				progress = 1;
			} else if (n != LIBSSH2_ERROR_EAGAIN) {
				/* The command stopped reading: fine. */
				if (ssh_is_transport_error(n)) {
					rc = ssh_fail(s, n, "command input",
					    err);
					goto out;
				}
				sent = stdin_len;
			}
		}
		if (!eof_sent && sent >= stdin_len) {
			n = libssh2_channel_send_eof(ch);
			if (n == 0 || (n != LIBSSH2_ERROR_EAGAIN &&
			    !ssh_is_transport_error(n)))
				eof_sent = 1;
			else if (n != LIBSSH2_ERROR_EAGAIN) {
				rc = ssh_fail(s, n, "command input", err);
				goto out;
			}
		}
		while (!out_done) {
			n = (int)libssh2_channel_read(ch, chunk, sizeof(chunk));
			if (n > 0) {
				buf_add(&res->out, chunk, (size_t)n);
				progress = 1;
				continue;
			}
			if (n == LIBSSH2_ERROR_EAGAIN)
				break;
			if (n < 0) {
				rc = ssh_fail(s, n, "reading output", err);
				goto out;
			}
			if (libssh2_channel_eof(ch))
				out_done = 1;
			break;
		}
		while (!err_done) {
			n = (int)libssh2_channel_read_stderr(ch, chunk,
			    sizeof(chunk));
			if (n > 0) {
				buf_add(&res->err, chunk, (size_t)n);
				progress = 1;
				continue;
			}
			if (n == LIBSSH2_ERROR_EAGAIN)
				break;
			if (n < 0) {
				rc = ssh_fail(s, n, "reading errors", err);
				goto out;
			}
			if (libssh2_channel_eof(ch))
				err_done = 1;
			break;
		}
		if (out_done && err_done)
			break;
		if (now_ms() >= deadline) {
			res->timed_out = 1;
			break;
		}
		if (s->keepalive_s > 0 && now_ms() >= ka_next) {
			n = libssh2_keepalive_send(s->session, &ka_secs);
			if (n != 0 && n != LIBSSH2_ERROR_EAGAIN) {
				rc = ssh_fail(s, n, "keepalive", err);
				goto out;
			}
			ka_next = now_ms() + (int64_t)(n == 0 ? ka_secs : 1) *
			    1000;
		}
		if (!progress)
			ssh_wait(s, deadline, 1000);
	}

	if (res->timed_out) {
		libssh2_channel_free(ch);
		ch = NULL;
		libssh2_session_set_blocking(s->session, 1);
		rc = pidfile != NULL ? ssh_kill_group(s, pidfile, err) : 0;
		goto out;
	}
	/* The exit status comes with the close; wait for it with a bound. */
	deadline = now_ms() + s->io_timeout_ms;
	while ((n = libssh2_channel_close(ch)) == LIBSSH2_ERROR_EAGAIN &&
	    now_ms() < deadline)
		ssh_wait(s, deadline, 1000);
	while (n == 0 && (n = libssh2_channel_wait_closed(ch)) ==
	    LIBSSH2_ERROR_EAGAIN && now_ms() < deadline)
		ssh_wait(s, deadline, 1000);
	if (n != 0) {
		rc = ssh_fail(s, n == LIBSSH2_ERROR_EAGAIN ?
		    LIBSSH2_ERROR_TIMEOUT : n, "waiting for the exit status",
		    err);
		goto out;
	}
	if (libssh2_channel_get_exit_signal(ch, &sig, NULL, NULL, NULL, NULL,
	    NULL) == 0 && sig != NULL)
		res->status = 128 + ssh_signal_number(sig);
	else
		res->status = libssh2_channel_get_exit_status(ch);
	rc = 0;
out:
	res->duration_ms = now_ms() - start;
	if (sig != NULL)
		libssh2_free(s->session, sig);
	if (ch != NULL)
		libssh2_channel_free(ch);
	if (s->session != NULL)
		libssh2_session_set_blocking(s->session, 1);
	buf_release(&wrapped);
	buf_release(&qpid);
	return rc;
}

int
ssh_exec(struct ssh *s, const char *cmd, const char *stdin_data,
    size_t stdin_len, long long timeout_ms, struct run_result *res,
    struct error *err)
{
	char *pidfile;
	int rc;

	pidfile = xasprintf("/tmp/.perfbisect-run.%ld.%lld.%u",
	    (long)getpid(), (long long)now_wall(), s->seq++);
	rc = ssh_exec_raw(s, cmd, stdin_data, stdin_len, timeout_ms, pidfile,
	    res, err);
	free(pidfile);
	return rc;
}

int
ssh_capture(struct ssh *s, const char *cmd, long long timeout_ms,
    struct buf *out, struct error *err)
{
	struct run_result r;
	int rc;

	run_result_init(&r);
	rc = ssh_exec(s, cmd, NULL, 0, timeout_ms, &r, err);
	if (rc == 0 && r.timed_out)
		rc = error_set(err, "%s: '%s' timed out", s->peer, cmd);
	else if (rc == 0 && r.status != 0) {
		buf_trim(&r.err);
		rc = error_set(err, "%s: '%s' exited %d%s%s", s->peer, cmd,
		    r.status, r.err.len > 0 ? ": " : "", r.err.s);
	}
	if (rc == 0) {
		buf_reset(out);
		buf_add(out, r.out.s, r.out.len);
		while (out->len > 0 && (out->s[out->len - 1] == '\n' ||
		    out->s[out->len - 1] == '\r'))
			out->s[--out->len] = '\0';
	}
	run_result_release(&r);
	return rc;
}

/* Start SFTP once; 1 when the server has none. */
static int
ssh_sftp(struct ssh *s, struct error *err)
{
	int rc;

	if (s->sftp != NULL)
		return 0;
	if (s->no_sftp)
		return 1;
	if ((s->sftp = libssh2_sftp_init(s->session)) != NULL)
		return 0;
	rc = libssh2_session_last_errno(s->session);
	if (ssh_is_transport_error(rc))
		return ssh_fail(s, rc, "sftp", err);
	s->no_sftp = 1;
	return 1;
}

/* Write all of fd to a remote channel or SFTP handle. */
static int
ssh_send_fd(struct ssh *s, int fd, LIBSSH2_SFTP_HANDLE *fh,
    LIBSSH2_CHANNEL *ch, const char *what, struct error *err)
{
	char *chunk = xmalloc(SSH_CHUNK);
	ssize_t n, w;
	size_t off;
	int rc = 0;

	for (;;) {
		n = read(fd, chunk, SSH_CHUNK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = error_set(err, "cannot read %s: %s", what,
			    strerror(errno));
			break;
		}
		if (n == 0)
			break;
		for (off = 0; off < (size_t)n; off += (size_t)w) {
			w = fh != NULL ?
			    libssh2_sftp_write(fh, chunk + off, (size_t)n - off) :
			    libssh2_channel_write(ch, chunk + off,
			    (size_t)n - off);
			if (w < 0) {
				rc = ssh_fail(s, (int)w, "upload", err);
				goto out;
			}
		}
	}
out:
	free(chunk);
	return rc;
}

int
ssh_upload(struct ssh *s, const char *local, const char *remote, int mode,
    struct error *err)
{
	LIBSSH2_SFTP_HANDLE *fh = NULL;
	LIBSSH2_CHANNEL *ch = NULL;
	struct buf tmp = BUF_INIT, cmd = BUF_INIT, qt = BUF_INIT, qr = BUF_INIT;
	struct buf out = BUF_INIT;
	char hex[SHA256_HEXLEN + 1];
	uint64_t size;
	struct stat st;
	int fd = -1, rc;

	if (s->dead)
		return ssh_lost(s, err);
	if (sha256_file(local, hex, &size, err) == -1)
		return -1;
	if ((fd = open(local, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		rc = error_set(err, "cannot open '%s': %s", local,
		    strerror(errno));
		goto out;
	}
	buf_addf(&tmp, "%s.pb-tmp.%ld.%u", remote, (long)getpid(), s->seq++);
	buf_add_shquoted(&qt, tmp.s);
	buf_add_shquoted(&qr, remote);

	if ((rc = ssh_sftp(s, err)) < 0)
		goto out;
	if (rc == 0) {
		fh = libssh2_sftp_open_ex(s->sftp, tmp.s, (unsigned)tmp.len,
		    LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC,
		    mode & 07777, LIBSSH2_SFTP_OPENFILE);
		if (fh == NULL) {
			rc = ssh_fail(s, libssh2_session_last_errno(s->session),
			    "cannot create remote file", err);
			error_prefix(err, "'%s': ", tmp.s);
			goto out;
		}
	} else {
		ch = libssh2_scp_send64(s->session, tmp.s, mode & 0777,
		    (libssh2_int64_t)st.st_size, 0, 0);
		if (ch == NULL) {
			rc = ssh_fail(s, libssh2_session_last_errno(s->session),
			    "scp", err);
			error_prefix(err, "'%s': ", tmp.s);
			goto out;
		}
	}
	if ((rc = ssh_send_fd(s, fd, fh, ch, local, err)) != 0)
		goto out;
	if (fh != NULL) {
		libssh2_sftp_close(fh);
		fh = NULL;
	} else {
		libssh2_channel_send_eof(ch);
		libssh2_channel_wait_eof(ch);
		libssh2_channel_wait_closed(ch);
		libssh2_channel_free(ch);
		ch = NULL;
	}

	/* Check what landed before giving it the real name. */
	buf_addf(&cmd, "s=$(wc -c <%s) && h=$(sha256sum <%s) && "
	    "h=${h%%%% *} && s=$((s+0)) && "
	    "if [ \"$s\" = %llu ] && [ \"$h\" = %s ]; then "
	    "chmod %o %s && mv -f %s %s && echo ok; "
	    "else rm -f %s; echo \"$s $h\"; fi",
	    qt.s, qt.s, (unsigned long long)size, hex, (unsigned)mode & 07777,
	    qt.s, qt.s, qr.s, qt.s);
	if ((rc = ssh_capture(s, cmd.s, s->io_timeout_ms * 4, &out, err)) != 0)
		goto out;
	if (strcmp(out.s, "ok") != 0)
		rc = error_set(err, "%s: upload of '%s' to '%s' corrupted: "
		    "expected %llu bytes sha256 %s, got '%s'", s->peer, local,
		    remote, (unsigned long long)size, hex, out.s);
out:
	if (fh != NULL)
		libssh2_sftp_close(fh);
	if (ch != NULL)
		libssh2_channel_free(ch);
	if (fd != -1)
		close(fd);
	buf_release(&tmp);
	buf_release(&cmd);
	buf_release(&qt);
	buf_release(&qr);
	buf_release(&out);
	return rc;
}

int
ssh_fetch(struct ssh *s, const char *remote, const char *local,
    struct error *err)
{
	LIBSSH2_SFTP_HANDLE *fh = NULL;
	LIBSSH2_CHANNEL *ch = NULL;
	libssh2_struct_stat st;
	struct buf data = BUF_INIT;
	char *chunk = NULL;
	ssize_t n;
	int rc;

	if (s->dead)
		return ssh_lost(s, err);
	if ((rc = ssh_sftp(s, err)) < 0)
		return rc;
	chunk = xmalloc(SSH_CHUNK);
	if (rc == 0) {
		fh = libssh2_sftp_open(s->sftp, remote, LIBSSH2_FXF_READ, 0);
		if (fh == NULL) {
			rc = ssh_fail(s, libssh2_session_last_errno(s->session),
			    "cannot open remote file", err);
			error_prefix(err, "'%s': ", remote);
			goto out;
		}
		while ((n = libssh2_sftp_read(fh, chunk, SSH_CHUNK)) > 0)
			buf_add(&data, chunk, (size_t)n);
	} else {
		memset(&st, 0, sizeof(st));
		if ((ch = libssh2_scp_recv2(s->session, remote, &st)) == NULL) {
			rc = ssh_fail(s, libssh2_session_last_errno(s->session),
			    "scp", err);
			error_prefix(err, "'%s': ", remote);
			goto out;
		}
		n = 0;
		while (data.len < (size_t)st.st_size) {
			size_t want = (size_t)st.st_size - data.len;

			n = libssh2_channel_read(ch, chunk, want < SSH_CHUNK ?
			    want : SSH_CHUNK);
			if (n <= 0)
				break;
			buf_add(&data, chunk, (size_t)n);
		}
	}
	if (n < 0) {
		rc = ssh_fail(s, (int)n, "download", err);
		error_prefix(err, "'%s': ", remote);
		goto out;
	}
	rc = write_file_atomic(local, data.s, data.len, err);
out:
	if (fh != NULL)
		libssh2_sftp_close(fh);
	if (ch != NULL)
		libssh2_channel_free(ch);
	free(chunk);
	buf_release(&data);
	return rc;
}
