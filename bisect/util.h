/* SPDX-License-Identifier: MIT */
/*
 * util.h - allocation, the growable buffer, error messages and number parsing
 * shared by every module.
 *
 * Allocation failure is the one fatal error: x*() print a line and abort.
 * Everything else returns -1 and leaves a one-line message in a struct error,
 * which callers may prefix with context but never overwrite.
 */
#ifndef PB_UTIL_H
#define PB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PB_NORETURN __attribute__((noreturn))
#else
#define PB_PRINTF(f, a)
#define PB_NORETURN
#endif

/* Allocation: never returns NULL. */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
char *xasprintf(const char *, ...) PB_PRINTF(1, 2);
void fatal(const char *, ...) PB_PRINTF(1, 2) PB_NORETURN;

/*
 * Grow the array *p of *alloc elements of size sz so that it holds at
 * least n elements.
 */
void grow(void *p, size_t *alloc, size_t n, size_t sz);
#define GROW(arr, n, alloc) grow(&(arr), &(alloc), (n), sizeof(*(arr)))

/*
 * struct buf: a growable byte string.
 *
 * Invariants: buf.s is never NULL and always NUL-terminated at buf.len, so
 * it can be used as a C string; embedded NULs are allowed.  BUF_INIT needs
 * no allocation.  buf_release() returns to the initial state;
 * buf_detach() hands the string to the caller (free() it).
 */
struct buf {
	char	*s;
	size_t	 len;
	size_t	 alloc;
};

extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0 }

void	 buf_init(struct buf *);
void	 buf_release(struct buf *);
char	*buf_detach(struct buf *, size_t *);
void	 buf_reset(struct buf *);
void	 buf_grow(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addch(struct buf *, int);
void	 buf_addf(struct buf *, const char *, ...) PB_PRINTF(2, 3);
void	 buf_vaddf(struct buf *, const char *, va_list);
void	 buf_trim(struct buf *);
/* Append s quoted for a POSIX shell (single quotes). */
void	 buf_add_shquoted(struct buf *, const char *);

/*
 * struct error: the message of the last failure.  error_set() returns -1
 * so "return error_set(err, ...);" is one line.  error_prefix() adds
 * context in front ("target 'vm': " + "ssh: timed out").  err may be NULL.
 */
struct error {
	struct buf msg;
};
#define ERROR_INIT { BUF_INIT }

int	 error_set(struct error *, const char *, ...) PB_PRINTF(2, 3);
int	 error_prefix(struct error *, const char *, ...) PB_PRINTF(2, 3);
void	 error_clear(struct error *);
const char *error_msg(const struct error *);

/*
 * Number parsing: the whole string must be a number within [min, max].
 * Returns 0, or -1 with *errstr set to a static reason ("invalid",
 * "too small", "too large").
 */
int	 parse_ll(const char *, long long, long long, long long *,
	    const char **);
int	 parse_double(const char *, double *, const char **);
/* "10", "10s", "5m", "2h", "500ms" -> milliseconds. */
int	 parse_duration_ms(const char *, long long *, const char **);

/* Monotonic clock in milliseconds. */
int64_t	 now_ms(void);
/* Wall clock, seconds since the epoch. */
int64_t	 now_wall(void);

/* Read a whole file; -1 with err set on failure. */
int	 read_file(const char *path, struct buf *out, struct error *err);
/*
 * Write a file atomically: a temporary file beside it, fsync, rename.
 * Nothing half-written is ever left under path.
 */
int	 write_file_atomic(const char *path, const void *, size_t,
	    struct error *);
/* mkdir -p. */
int	 mkdir_p(const char *path, struct error *err);
/* rm -rf; a missing path is not an error. */
int	 remove_tree(const char *path, struct error *err);

#endif
