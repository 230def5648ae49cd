/* SPDX-License-Identifier: MIT */
/*
 * helper-ssh.c - drive kexec/ssh.c and the ssh target from shell tests.
 *
 *   helper-ssh [options] hostkey
 *   helper-ssh [options] exec COMMAND      (stdin is fed to COMMAND)
 *   helper-ssh [options] upload LOCAL REMOTE
 *   helper-ssh [options] fetch REMOTE LOCAL
 *   helper-ssh -f CONFIG target NAME open | run CMD | fetch REMOTE LOCAL |
 *       install IMAGE RELEASE [INITRD [MODULES]] |
 *       boot IMAGE RELEASE [INITRD [MODULES]]      ("-" for no file)
 *   helper-ssh free-port     (print a port nothing listens on)
 *   helper-ssh listen SECS   (print a port, accept one connection, say
 *                             nothing for SECS seconds)
 *
 * Options: -H host, -p port, -u user, -i identity, -k known_hosts,
 * -P strict|accept-new, -t run timeout (ms), -c connect timeout (ms).
 * Exit status: exec passes the command's status through (124 on a
 * timeout); 1 for an error, 3 when the connection failed or dropped
 * (TARGET_ETRANSIENT), 2 for usage.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>
#include <libssh2.h>

#include "bisect/config.h"
#include "bisect/util.h"
#include "kexec/ssh.h"
#include "kexec/target.h"

static int
helper_ssh_usage(void)
{
	fprintf(stderr, "usage: helper-ssh [-c ms] [-H host] [-i identity] "
	    "[-k known_hosts] [-P policy] [-p port] [-t ms] [-u user] "
	    "hostkey | exec CMD | upload LOCAL REMOTE | fetch REMOTE LOCAL\n"
	    "       helper-ssh -f CONFIG target NAME open | run CMD | "
	    "fetch REMOTE LOCAL |\n"
	    "           install|boot IMAGE RELEASE [INITRD [MODULES]]\n"
	    "       helper-ssh free-port | listen SECS\n");
	return 2;
}

static int
helper_ssh_status(int rc, struct error *err)
{
	fprintf(stderr, "helper-ssh: %s\n", error_msg(err));
	return rc == TARGET_ETRANSIENT ? 3 : 1;
}

static int
helper_ssh_exec(struct ssh *s, const char *cmd, long long timeout_ms,
    struct error *err)
{
	struct run_result r;
	struct buf in = BUF_INIT;
	char chunk[4096];
	size_t n;
	int rc;

	if (!isatty(0))
		while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
			buf_add(&in, chunk, n);
	run_result_init(&r);
	rc = ssh_exec(s, cmd, in.len > 0 ? in.s : NULL, in.len, timeout_ms,
	    &r, err);
	buf_release(&in);
	if (rc != 0) {
		run_result_release(&r);
		return helper_ssh_status(rc, err);
	}
	fwrite(r.out.s, 1, r.out.len, stdout);
	fwrite(r.err.s, 1, r.err.len, stderr);
	fprintf(stderr, "helper-ssh: status %d duration %lld ms%s\n",
	    r.status, (long long)r.duration_ms,
	    r.timed_out ? " timed out" : "");
	rc = r.timed_out ? 124 : r.status;
	run_result_release(&r);
	return rc;
}

/* A TCP listener on 127.0.0.1 at a port the kernel picks. */
static int
helper_ssh_listener(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 1) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

static int
helper_ssh_listen(int argc, char **argv)
{
	long long secs = 0;
	const char *errstr;
	int fd, c, port;

	if ((argc == 2 && parse_ll(argv[1], 0, 3600, &secs, &errstr) == -1) ||
	    argc > 2)
		return helper_ssh_usage();
	if ((fd = helper_ssh_listener(&port)) == -1) {
		perror("helper-ssh: listen");
		return 1;
	}
	printf("%d\n", port);
	fflush(stdout);
	if (argc == 1) {
		close(fd);
		return 0;
	}
	if ((c = accept(fd, NULL, NULL)) != -1)
		sleep((unsigned)secs);
	if (c != -1)
		close(c);
	close(fd);
	return 0;
}

/* A file argument; "-" for none. */
static char *
helper_ssh_arg(const char *s)
{
	return strcmp(s, "-") == 0 ? NULL : xstrdup(s);
}

static const char *
helper_ssh_outcome(enum boot_outcome o)
{
	switch (o) {
	case BOOT_NONE:
		return "none";
	case BOOT_BOOTED:
		return "booted";
	case BOOT_FELL_BACK:
		return "fell-back";
	case BOOT_NO_ANSWER:
		return "no-answer";
	case BOOT_WRONG_RELEASE:
		return "wrong-release";
	}
	return "?";
}

static int
helper_ssh_target(const char *cfgpath, int argc, char **argv,
    struct error *err)
{
	struct config *cfg = NULL;
	struct target *t = NULL;
	struct run_result r;
	struct artifact a;
	struct boot_info bi;
	int rc = 1, st;

	if (argc < 2)
		return helper_ssh_usage();
	memset(&a, 0, sizeof(a));
	memset(&bi, 0, sizeof(bi));
	run_result_init(&r);
	if (config_open(&cfg, cfgpath, 1, err) == -1 ||
	    (st = target_ssh_new(&t, cfg, argv[0], err)) != 0 ||
	    (st = t->ops->open(t, err)) != 0) {
		rc = helper_ssh_status(-1, err);
		goto out;
	}
	if (strcmp(argv[1], "open") == 0) {
		rc = 0;
	} else if (strcmp(argv[1], "run") == 0 && argc == 3) {
		st = t->ops->run(t, argv[2], t->run_timeout_ms, &r, err);
		if (st != 0) {
			rc = helper_ssh_status(st, err);
			goto out;
		}
		fwrite(r.out.s, 1, r.out.len, stdout);
		fwrite(r.err.s, 1, r.err.len, stderr);
		rc = r.timed_out ? 124 : r.status;
	} else if (strcmp(argv[1], "fetch") == 0 && argc == 4) {
		if ((st = t->ops->fetch(t, argv[2], argv[3], err)) != 0)
			rc = helper_ssh_status(st, err);
		else
			rc = 0;
	} else if ((strcmp(argv[1], "boot") == 0 ||
	    strcmp(argv[1], "install") == 0) && argc >= 4 && argc <= 6) {
		a.image = helper_ssh_arg(argv[2]);
		a.release = xstrdup(argv[3]);
		a.initrd = argc > 4 ? helper_ssh_arg(argv[4]) : NULL;
		a.modules = argc > 5 ? helper_ssh_arg(argv[5]) : NULL;
		a.commit = xstrdup("0000000000000000000000000000000000000000");
		if ((st = t->ops->install(t, &a, err)) != 0) {
			rc = helper_ssh_status(st, err);
			goto out;
		}
		if (strcmp(argv[1], "install") == 0) {
			rc = 0;
			goto out;
		}
		if ((st = t->ops->boot(t, &a, &bi, err)) != 0) {
			rc = helper_ssh_status(st, err);
			goto out;
		}
		printf("outcome %s\nrelease %s\nboot_ms %lld\nnotice_ms %lld\n",
		    helper_ssh_outcome(bi.outcome),
		    bi.release != NULL ? bi.release : "",
		    (long long)bi.boot_ms, (long long)bi.notice_ms);
		rc = bi.outcome == BOOT_BOOTED ? 0 : 1;
	} else
		rc = helper_ssh_usage();
out:
	run_result_release(&r);
	artifact_release(&a);
	boot_info_release(&bi);
	target_free(t);
	config_free(cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	struct ssh_opts o = SSH_OPTS_INIT;
	struct error err = ERROR_INIT;
	struct ssh *s = NULL;
	const char *errstr, *cfgpath = NULL;
	long long v, timeout_ms = 0;
	int ch, rc;

	o.host = "127.0.0.1";
	while ((ch = getopt(argc, argv, "c:f:H:i:k:P:p:t:u:")) != -1) {
		switch (ch) {
		case 'c':
			if (parse_ll(optarg, 1, 3600000, &v, &errstr) == -1)
				return helper_ssh_usage();
			o.connect_timeout_ms = v;
			break;
		case 'f':
			cfgpath = optarg;
			break;
		case 'H':
			o.host = optarg;
			break;
		case 'i':
			o.identity = optarg;
			break;
		case 'k':
			o.known_hosts = optarg;
			break;
		case 'P':
			if (strcmp(optarg, "strict") == 0)
				o.policy = SSH_HOSTKEY_STRICT;
			else if (strcmp(optarg, "accept-new") == 0)
				o.policy = SSH_HOSTKEY_ACCEPT_NEW;
			else
				return helper_ssh_usage();
			break;
		case 'p':
			if (parse_ll(optarg, 1, 65535, &v, &errstr) == -1)
				return helper_ssh_usage();
			o.port = (int)v;
			break;
		case 't':
			if (parse_ll(optarg, 1, 86400000, &v, &errstr) == -1)
				return helper_ssh_usage();
			timeout_ms = v;
			break;
		case 'u':
			o.user = optarg;
			break;
		default:
			return helper_ssh_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return helper_ssh_usage();
	if (strcmp(argv[0], "free-port") == 0)
		return helper_ssh_listen(1, argv);
	if (strcmp(argv[0], "listen") == 0)
		return helper_ssh_listen(argc, argv);
	if (libssh2_init(0) != 0) {
		fprintf(stderr, "helper-ssh: cannot initialise libssh2\n");
		return 1;
	}
	if (strcmp(argv[0], "target") == 0) {
		git_libgit2_init();
		rc = helper_ssh_target(cfgpath, argc - 1, argv + 1, &err);
		git_libgit2_shutdown();
		goto out;
	}
	if ((rc = ssh_open(&s, &o, &err)) != 0) {
		rc = helper_ssh_status(rc, &err);
		goto out;
	}
	if (strcmp(argv[0], "hostkey") == 0 && argc == 1) {
		printf("%s\n", ssh_hostkey_desc(s));
		rc = 0;
	} else if (strcmp(argv[0], "exec") == 0 && argc == 2)
		rc = helper_ssh_exec(s, argv[1], timeout_ms, &err);
	else if (strcmp(argv[0], "upload") == 0 && argc == 3) {
		if ((rc = ssh_upload(s, argv[1], argv[2], 0644, &err)) != 0)
			rc = helper_ssh_status(rc, &err);
	} else if (strcmp(argv[0], "fetch") == 0 && argc == 3) {
		if ((rc = ssh_fetch(s, argv[1], argv[2], &err)) != 0)
			rc = helper_ssh_status(rc, &err);
	} else
		rc = helper_ssh_usage();
out:
	ssh_free(s);
	error_clear(&err);
	libssh2_exit();
	return rc;
}
