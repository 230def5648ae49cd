/* SPDX-License-Identifier: MIT */
/*
 * util.c - allocation, buffers, errors, number parsing and small file
 * helpers.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bisect/util.h"

char buf_empty[1];

void
fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("perfbisect: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n ? n : 1)) == NULL)
		fatal("out of memory allocating %zu bytes", n);
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p;

	if ((p = calloc(n ? n : 1, sz ? sz : 1)) == NULL)
		fatal("out of memory allocating %zu x %zu bytes", n, sz);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t sz)
{
	void *q;

	if (sz && n > SIZE_MAX / sz)
		fatal("allocation size overflow (%zu x %zu)", n, sz);
	if ((q = realloc(p, n * sz > 0 ? n * sz : 1)) == NULL)
		fatal("out of memory allocating %zu x %zu bytes", n, sz);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b, NULL);
}

void
grow(void *pp, size_t *alloc, size_t n, size_t sz)
{
	void **p = pp;
	size_t na;

	if (n <= *alloc)
		return;
	na = *alloc ? *alloc : 8;
	while (na < n) {
		if (na > SIZE_MAX / 2)
			fatal("allocation size overflow");
		na *= 2;
	}
	*p = xreallocarray(*p, na, sz);
	*alloc = na;
}

void
buf_init(struct buf *b)
{
	b->s = buf_empty;
	b->len = 0;
	b->alloc = 0;
}

void
buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->s);
	buf_init(b);
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *s;

	if (!b->alloc)
		buf_grow(b, 0);
	s = b->s;
	if (len)
		*len = b->len;
	buf_init(b);
	return s;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->s[0] = '\0';
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1)
		fatal("buffer size overflow");
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return;
	if (!b->alloc) {
		b->s = NULL;
	}
	grow(&b->s, &b->alloc, need, 1);
	if (b->len == 0)
		b->s[0] = '\0';
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addch(struct buf *b, int c)
{
	char ch = (char)c;

	buf_add(b, &ch, 1);
}

void
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	buf_grow(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->s + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		fatal("vsnprintf failed");
	if ((size_t)n >= b->alloc - b->len) {
		buf_grow(b, (size_t)n);
		n = vsnprintf(b->s + b->len, b->alloc - b->len, fmt, ap);
		if (n < 0)
			fatal("vsnprintf failed");
	}
	b->len += (size_t)n;
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void
buf_trim(struct buf *b)
{
	size_t i = 0;

	while (b->len && (b->s[b->len - 1] == ' ' || b->s[b->len - 1] == '\t' ||
	    b->s[b->len - 1] == '\n' || b->s[b->len - 1] == '\r'))
		b->s[--b->len] = '\0';
	while (i < b->len && (b->s[i] == ' ' || b->s[i] == '\t' ||
	    b->s[i] == '\n' || b->s[i] == '\r'))
		i++;
	if (i) {
		memmove(b->s, b->s + i, b->len - i + 1);
		b->len -= i;
	}
}

void
buf_add_shquoted(struct buf *b, const char *s)
{
	buf_addch(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addch(b, *s);
	}
	buf_addch(b, '\'');
}

int
error_set(struct error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	buf_reset(&err->msg);
	va_start(ap, fmt);
	buf_vaddf(&err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int
error_prefix(struct error *err, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	buf_add(&b, err->msg.s, err->msg.len);
	buf_release(&err->msg);
	err->msg = b;
	return -1;
}

void
error_clear(struct error *err)
{
	if (err)
		buf_release(&err->msg);
}

const char *
error_msg(const struct error *err)
{
	return err->msg.len ? err->msg.s : "unknown error";
}

int
parse_ll(const char *s, long long min, long long max, long long *out,
    const char **errstr)
{
	char *end;
	long long v;

	errno = 0;
	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t') {
		*errstr = "invalid";
		return -1;
	}
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		*errstr = "invalid";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = "too small";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = "too large";
		return -1;
	}
	*out = v;
	return 0;
}

int
parse_double(const char *s, double *out, const char **errstr)
{
	char *end;
	double v;

	errno = 0;
	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t') {
		*errstr = "invalid";
		return -1;
	}
	v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v) || errno == ERANGE) {
		*errstr = "invalid";
		return -1;
	}
	*out = v;
	return 0;
}

int
parse_duration_ms(const char *s, long long *out, const char **errstr)
{
	static const struct {
		const char *suffix;
		long long mult;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "", 1000 },
	};
	char *end;
	double v;
	size_t i;

	errno = 0;
	if (s == NULL || *s == '\0' || *s == ' ' || *s == '-') {
		*errstr = "invalid";
		return -1;
	}
	v = strtod(s, &end);
	if (end == s || !isfinite(v) || v < 0) {
		*errstr = "invalid";
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			if (v * (double)units[i].mult > 1e15) {
				*errstr = "too large";
				return -1;
			}
			*out = (long long)llround(v * (double)units[i].mult);
			return 0;
		}
	}
	*errstr = "invalid (use ms, s, m or h)";
	return -1;
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
now_wall(void)
{
	return (int64_t)time(NULL);
}

int
read_file(const char *path, struct buf *out, struct error *err)
{
	char tmp[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return error_set(err, "cannot open '%s': %s", path,
		    strerror(errno));
	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return error_set(err, "cannot read '%s': %s", path,
			    strerror(errno));
		}
		buf_add(out, tmp, (size_t)n);
	}
	close(fd);
	return 0;
}

int
write_file_atomic(const char *path, const void *p, size_t n,
    struct error *err)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	const char *c = p;
	ssize_t w;
	int fd;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		error_set(err, "cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto out_fail;
		}
		c += w;
		n -= (size_t)w;
	}
	if (fsync(fd) == -1)
		goto out_fail;
	if (close(fd) == -1) {
		fd = -1;
		goto out_fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto out_fail;
	free(tmp);
	return 0;

out_fail:
	error_set(err, "cannot write '%s': %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int
mkdir_p(const char *path, struct error *err)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST) {
			error_set(err, "cannot create '%s': %s", p,
			    strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0755) == -1 && errno != EEXIST) {
		error_set(err, "cannot create '%s': %s", p, strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

int
remove_tree(const char *path, struct error *err)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	char *sub;
	int rc = 0;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : error_set(err,
		    "cannot stat '%s': %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) == -1)
			return error_set(err, "cannot remove '%s': %s", path,
			    strerror(errno));
		return 0;
	}
	if ((d = opendir(path)) == NULL)
		return error_set(err, "cannot open '%s': %s", path,
		    strerror(errno));
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		sub = xasprintf("%s/%s", path, de->d_name);
		rc = remove_tree(sub, err);
		free(sub);
	}
	closedir(d);
	if (rc == 0 && rmdir(path) == -1)
		return error_set(err, "cannot remove '%s': %s", path,
		    strerror(errno));
	return rc;
}
