/* SPDX-License-Identifier: MIT */
/*
 * bcache.c - the build cache shared by bisections (see bcache.h).
 *
 * Readers never lock: an entry appears by rename(2), whole.  Builders
 * lock the key first and look again, so of two bisections that need the
 * same tree one builds and the other waits and reuses it.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect/bcache.h"
#include "bisect/config.h"
#include "kexec/sha256.h"

#define BCACHE_POLL_US	200000	/* between lock attempts while waiting */

void
bcache_entry_release(struct bcache_entry *e)
{
	free(e->status);
	free(e->reason);
	free(e->commit);
	free(e->log);
	memset(e, 0, sizeof(*e));
}

struct bcache_keys {
	char	**names;
	size_t	 n;
	size_t	 alloc;
};

static int
bcache_collect(const char *key, const char *value, void *payload)
{
	struct bcache_keys *k = payload;
	size_t i;

	(void)value;
	if (strncmp(key, "build.", 6) != 0 || strcmp(key, "build.cache") == 0 ||
	    strcmp(key, "build.timeout") == 0 ||
	    strcmp(key, "build.ahead") == 0)
		return 0;
	for (i = 0; i < k->n; i++)
		if (strcmp(k->names[i], key) == 0)
			return 0;
	GROW(k->names, k->n + 1, k->alloc);
	k->names[k->n++] = xstrdup(key);
	return 0;
}

static int
bcache_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A tree-relative path that stays in the tree. */
static int
bcache_path_ok(const char *p)
{
	const char *s;
	size_t n;

	if (p[0] == '/' || p[0] == '\0')
		return 0;
	for (s = p; *s; s += n + (s[n] == '/')) {
		n = strcspn(s, "/");
		if ((n == 2 && strncmp(s, "..", 2) == 0) || n == 0)
			return 0;
	}
	return 1;
}

/* The key: sha256 of the tree id and the build settings. */
static int
bcache_make_key(struct bcache_slot *s, struct config *cfg, const char *tree,
    struct error *err)
{
	struct bcache_keys k = { NULL, 0, 0 };
	struct buf text = BUF_INIT;
	struct sha256 h;
	unsigned char d[SHA256_LEN];
	char hex[SHA256_HEXLEN + 1];
	const char *v, *base = NULL;
	uint64_t size;
	size_t i;
	int rc = -1;

	if (config_foreach(cfg, bcache_collect, &k, err) < 0)
		goto out;
	if (k.n > 0)
		qsort(k.names, k.n, sizeof(*k.names), bcache_strcmp);
	buf_addf(&text, "perfbisect build cache 1\ntree %s\n", tree);
	for (i = 0; i < k.n; i++) {
		if (config_get_string(cfg, k.names[i], &v, err) < 0)
			goto out;
		buf_addf(&text, "%s=%s\n", k.names[i], v ? v : "");
		if (strcmp(k.names[i], "build.config") == 0)
			base = v;
	}
	if (base != NULL && base[0] != '\0') {
		struct error ign = ERROR_INIT;

		if (sha256_file(base, hex, &size, &ign) == 0)
			buf_addf(&text, "config-file %s %llu\n", hex,
			    (unsigned long long)size);
		else
			buf_addf(&text, "config-file unreadable\n");
		error_clear(&ign);
	}
	sha256_init(&h);
	sha256_update(&h, text.s, text.len);
	sha256_final(&h, d);
	sha256_hex(d, hex);
	s->key = xstrdup(hex);
	rc = 0;
out:
	for (i = 0; i < k.n; i++)
		free(k.names[i]);
	free(k.names);
	buf_release(&text);
	return rc;
}

static int
bcache_add_file(struct bcache_slot *s, const char *p, size_t n,
    struct config *cfg, size_t *alloc, struct error *err)
{
	char *f = xstrndup(p, n);

	if (!bcache_path_ok(f)) {
		error_set(err, "%s: bad path '%s' in build.artifacts or "
		    "build.image: must be relative to the tree, without '..'",
		    config_path(cfg), f);
		free(f);
		return -1;
	}
	GROW(s->files, s->nfiles + 1, *alloc);
	s->files[s->nfiles++] = f;
	return 0;
}

int
bcache_slot_init(struct bcache_slot *s, struct config *cfg, const char *tree,
    int *enabled, struct error *err)
{
	const char *dir, *image, *arts, *p, *extra[2];
	size_t alloc = 0, n, i;

	s->dir = s->key = NULL;
	s->lockfd = -1;
	s->files = NULL;
	s->nfiles = 0;
	*enabled = 0;
	if (config_get_string(cfg, "build.cache", &dir, err) < 0 ||
	    config_get_string(cfg, "build.image", &image, err) < 0 ||
	    config_get_string(cfg, "build.artifacts", &arts, err) < 0 ||
	    config_get_string(cfg, "build.initrd", &extra[0], err) < 0 ||
	    config_get_string(cfg, "build.modules", &extra[1], err) < 0)
		return -1;
	if (dir == NULL || dir[0] == '\0')
		return 0;
	if (bcache_add_file(s, image ? image : "arch/x86/boot/bzImage",
	    strlen(image ? image : "arch/x86/boot/bzImage"), cfg, &alloc,
	    err) < 0)
		goto out_fail;
	/* What a booting target gets besides the image is cached with it. */
	for (i = 0; i < 2; i++)
		if (extra[i] != NULL && extra[i][0] != '\0' &&
		    bcache_add_file(s, extra[i], strlen(extra[i]), cfg, &alloc,
		    err) < 0)
			goto out_fail;
	for (p = arts ? arts : ""; *p; p += n) {
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n > 0 && bcache_add_file(s, p, n, cfg, &alloc, err) < 0)
			goto out_fail;
	}
	s->dir = xstrdup(dir);
	if (mkdir_p(dir, err) < 0 || bcache_make_key(s, cfg, tree, err) < 0)
		goto out_fail;
	*enabled = 1;
	return 0;

out_fail:
	bcache_slot_release(s);
	return -1;
}

void
bcache_slot_release(struct bcache_slot *s)
{
	size_t i;

	if (s->lockfd >= 0)
		close(s->lockfd);	/* drops the flock */
	for (i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	free(s->dir);
	free(s->key);
	s->dir = s->key = NULL;
	s->files = NULL;
	s->nfiles = 0;
	s->lockfd = -1;
}

int
bcache_has_outputs(const struct bcache_slot *s)
{
	return s->nfiles > 1;
}

/* Read CACHE/KEY/entry; 0 with *found. */
static int
bcache_read(struct bcache_slot *s, struct bcache_entry *e, int *found,
    struct error *err)
{
	struct buf b = BUF_INIT;
	char *path = xasprintf("%s/%s/entry", s->dir, s->key);
	char *line, *nl, *sp;
	long long v;
	const char *es;

	*found = 0;
	memset(e, 0, sizeof(*e));
	if (access(path, F_OK) < 0) {
		free(path);
		return 0;
	}
	if (read_file(path, &b, err) < 0) {
		free(path);
		return -1;
	}
	for (line = b.s; *line; line = nl) {
		nl = line + strcspn(line, "\n");
		if (*nl == '\n')
			*nl++ = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		if (strcmp(line, "status") == 0)
			e->status = xstrdup(sp);
		else if (strcmp(line, "reason") == 0)
			e->reason = xstrdup(sp);
		else if (strcmp(line, "commit") == 0)
			e->commit = xstrdup(sp);
		else if (strcmp(line, "duration_ms") == 0 &&
		    parse_ll(sp, 0, INT64_MAX, &v, &es) == 0)
			e->duration_ms = v;
		else if (strcmp(line, "image") == 0)
			e->has_image = strcmp(sp, "yes") == 0;
		else if (strcmp(line, "artifacts") == 0)
			e->has_artifacts = strcmp(sp, "complete") == 0;
	}
	buf_release(&b);
	if (e->status == NULL || e->commit == NULL) {
		bcache_entry_release(e);
		error_set(err, "'%s' is damaged: remove it", path);
		free(path);
		return -1;
	}
	free(path);
	e->log = xasprintf("%s/%s/build.log", s->dir, s->key);
	*found = 1;
	return 0;
}

/* Can this entry stand for a build here? */
static int
bcache_usable(const struct bcache_slot *s, const struct bcache_entry *e,
    int need)
{
	if (strcmp(e->status, "ok") != 0)
		return 1;
	if (need == BCACHE_NEED_IMAGE)
		return e->has_image && e->has_artifacts;
	return e->has_artifacts && bcache_has_outputs(s);
}

int
bcache_lookup(struct bcache_slot *s, int need, int wait,
    const volatile sig_atomic_t *stop, struct bcache_entry *e,
    struct error *err)
{
	char *lock;
	int found;

	if (bcache_read(s, e, &found, err) < 0)
		return -1;
	if (found && bcache_usable(s, e, need))
		return BCACHE_HIT;
	if (found)
		bcache_entry_release(e);
	if (s->lockfd < 0) {
		lock = xasprintf("%s/%s.lock", s->dir, s->key);
		s->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (s->lockfd < 0) {
			error_set(err, "cannot open '%s': %s", lock,
			    strerror(errno));
			free(lock);
			return -1;
		}
		free(lock);
	}
	while (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return error_set(err, "cannot lock the build cache "
			    "entry %s: %s", s->key, strerror(errno));
		if (!wait)
			return BCACHE_BUSY;
		if (stop && *stop)
			return BCACHE_STOPPED;
		usleep(BCACHE_POLL_US);
	}
	/* Whoever held the lock may have filled the entry. */
	if (bcache_read(s, e, &found, err) < 0)
		return -1;
	if (found && bcache_usable(s, e, need))
		return BCACHE_HIT;
	if (found)
		bcache_entry_release(e);
	return BCACHE_MISS;
}

/* Copy a file (mode kept), fsync'ed; parents of to are created. */
static int
bcache_copy(const char *from, const char *to, struct error *err)
{
	char tmp[65536], *dir, *slash;
	struct stat sb;
	ssize_t n, w, off;
	int in, out, rc = -1;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		return error_set(err, "cannot open '%s': %s", from,
		    strerror(errno));
	if (fstat(in, &sb) < 0) {
		error_set(err, "cannot stat '%s': %s", from, strerror(errno));
		close(in);
		return -1;
	}
	dir = xstrdup(to);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (mkdir_p(dir, err) < 0) {
			free(dir);
			close(in);
			return -1;
		}
	}
	free(dir);
	unlink(to);
	if ((out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    sb.st_mode & 07777)) < 0) {
		error_set(err, "cannot create '%s': %s", to, strerror(errno));
		close(in);
		return -1;
	}
	for (;;) {
		if ((n = read(in, tmp, sizeof(tmp))) < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set(err, "cannot read '%s': %s", from,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		for (off = 0; off < n; off += w) {
			if ((w = write(out, tmp + off, (size_t)(n - off))) < 0) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				error_set(err, "cannot write '%s': %s", to,
				    strerror(errno));
				goto out;
			}
		}
	}
	if (fsync(out) < 0) {
		error_set(err, "cannot write '%s': %s", to, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = error_set(err, "cannot write '%s': %s", to,
		    strerror(errno));
	return rc;
}

int
bcache_restore(const struct bcache_slot *s, const char *tree,
    struct error *err)
{
	char *from, *to;
	size_t i;
	int rc = 0;

	for (i = 0; i < s->nfiles && rc == 0; i++) {
		from = xasprintf("%s/%s/files/%s", s->dir, s->key,
		    s->files[i]);
		to = xasprintf("%s/%s", tree, s->files[i]);
		if (access(from, F_OK) == 0)
			rc = bcache_copy(from, to, err);
		free(from);
		free(to);
	}
	return rc;
}

int
bcache_store(struct bcache_slot *s, const char *tree, const char *log,
    const struct bcache_entry *e, struct error *err)
{
	struct buf text = BUF_INIT;
	char *tmp, *dst, *old, *from, *to, *path;
	size_t i, arts = 0;
	int rc = -1, image = 0;

	if (strcmp(e->status, "ok") != 0 && strcmp(e->status, "failed") != 0)
		return 0;
	tmp = xasprintf("%s/.tmp-%s-%ld", s->dir, s->key, (long)getpid());
	old = xasprintf("%s/.old-%s-%ld", s->dir, s->key, (long)getpid());
	dst = xasprintf("%s/%s", s->dir, s->key);
	if (remove_tree(tmp, err) < 0 || mkdir_p(tmp, err) < 0)
		goto out;
	path = xasprintf("%s/build.log", tmp);
	rc = log ? bcache_copy(log, path, err) : 0;
	free(path);
	if (rc < 0)
		goto out;
	rc = -1;
	for (i = 0; strcmp(e->status, "ok") == 0 && i < s->nfiles; i++) {
		from = xasprintf("%s/%s", tree, s->files[i]);
		to = xasprintf("%s/files/%s", tmp, s->files[i]);
		if (access(from, F_OK) == 0) {
			if (bcache_copy(from, to, err) < 0) {
				free(from);
				free(to);
				goto out;
			}
			if (i == 0)
				image = 1;
			else
				arts++;
		}
		free(from);
		free(to);
	}
	buf_addf(&text, "status %s\n", e->status);
	if (e->reason)
		buf_addf(&text, "reason %s\n", e->reason);
	buf_addf(&text, "commit %s\nduration_ms %lld\n", e->commit,
	    (long long)e->duration_ms);
	buf_addf(&text, "image %s\nartifacts %s\n", image ? "yes" : "no",
	    arts + 1 == s->nfiles ? "complete" : "incomplete");
	path = xasprintf("%s/entry", tmp);
	rc = write_file_atomic(path, text.s, text.len, err);
	free(path);
	if (rc < 0)
		goto out;
	/*
	 * An entry that could not serve (no files) gives way; it is moved
	 * aside first so that a reader sees the old entry, none (and then
	 * waits for our lock) or the new one.
	 */
	if ((rename(dst, old) < 0 && errno != ENOENT) || rename(tmp, dst) < 0) {
		rc = error_set(err, "cannot rename '%s' to '%s': %s", tmp, dst,
		    strerror(errno));
		goto out;
	}
	rc = remove_tree(old, err);
out:
	if (rc < 0) {
		struct error ign = ERROR_INIT;

		remove_tree(tmp, &ign);
		error_clear(&ign);
	}
	buf_release(&text);
	free(tmp);
	free(old);
	free(dst);
	return rc;
}
