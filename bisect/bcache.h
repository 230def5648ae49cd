/* SPDX-License-Identifier: MIT */
/*
 * bcache.h - the build cache: a kernel is built once for every bisection
 * that needs it.
 *
 * An entry is keyed by what decides the build's result: the tree id of
 * the commit (two commits with the same tree share it), every build.*
 * setting but build.cache, build.timeout and build.ahead (the command,
 * the image path, the artifacts), and the contents of the base config
 * file (build.config).  The toolchain is not part of the key: clear the cache
 * when it changes.
 *
 * An entry is a directory CACHE/KEY holding "entry" (status, reason,
 * the commit that was built, duration), "build.log" and "files/": copies
 * of the build outputs the targets need, at their paths relative to the
 * tree (build.image when it exists, and every path of build.artifacts).
 * It is assembled under a temporary name and renamed into place, so a
 * reader sees a whole entry or none.  Only builds that succeeded or
 * failed are kept; a timed-out or interrupted build is not.
 *
 * Concurrent bisections lock a key (flock on CACHE/KEY.lock) while they
 * build it; a second one waits for the lock and then reuses the entry.
 */
#ifndef PB_BCACHE_H
#define PB_BCACHE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "bisect/util.h"

struct config;

/* Results of bcache_lookup() besides -1. */
#define BCACHE_MISS	0	/* not there: the key is locked, build it */
#define BCACHE_HIT	1	/* *entry is filled */
#define BCACHE_BUSY	2	/* another process builds it (no wait) */
#define BCACHE_STOPPED	3	/* *stop was set while waiting */

struct bcache_entry {
	char	*status;	/* "ok" or "failed" */
	char	*reason;	/* why it failed, NULL if ok */
	char	*commit;	/* the commit that was built */
	char	*log;		/* path of the build log in the cache */
	int64_t	 duration_ms;
	int	 has_image;	/* build.image was saved */
	int	 has_artifacts;	/* every path of build.artifacts was saved */
};

void	 bcache_entry_release(struct bcache_entry *);

/* One key of one cache, looked up and possibly locked. */
struct bcache_slot {
	char	*dir;		/* the cache directory */
	char	*key;
	int	 lockfd;	/* >= 0 while the key is locked */
	char	**files;	/* outputs to save, relative to the tree */
	size_t	 nfiles;
};

#define BCACHE_SLOT_INIT { NULL, NULL, -1, NULL, 0 }

/*
 * Set up a slot for tree (hex id) under cfg's build.cache; *enabled is 0
 * (and the slot empty) when build.cache is not set.
 */
int	 bcache_slot_init(struct bcache_slot *, struct config *,
	    const char *tree, int *enabled, struct error *);
/* Unlock and free. */
void	 bcache_slot_release(struct bcache_slot *);

/* What a target needs of an "ok" entry. */
#define BCACHE_NEED_ARTIFACTS	0	/* local: build.artifacts, all */
#define BCACHE_NEED_IMAGE	1	/* installing: the image too */

/*
 * Look the key up.  A failed build is always a hit; an "ok" entry only if
 * it has the files the caller needs: the local target runs the benchmark
 * in the tree, so without build.artifacts only failures can be shared.
 * On a miss the key is locked until bcache_slot_release().  With wait
 * set, a key locked by another process is waited for, polling *stop.
 */
int	 bcache_lookup(struct bcache_slot *, int need, int wait,
	    const volatile sig_atomic_t *stop, struct bcache_entry *,
	    struct error *);

/* Is there anything to save beyond the status (build.artifacts, image)? */
int	 bcache_has_outputs(const struct bcache_slot *);

/*
 * Copy the entry's files into tree (a checkout of the commit), where the
 * build would have left them.
 */
int	 bcache_restore(const struct bcache_slot *, const char *tree,
	    struct error *);

/*
 * Save a build made in tree while holding the key: e->status, reason,
 * commit and duration, a copy of the log file at log, and (if ok) the
 * outputs that exist.  "timeout" results are not saved.
 */
int	 bcache_store(struct bcache_slot *, const char *tree, const char *log,
	    const struct bcache_entry *, struct error *);

#endif
