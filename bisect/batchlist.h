/* SPDX-License-Identifier: MIT */
/*
 * batchlist.h - the regression list "perfbisect batch" works through.
 *
 * One regression per line:
 *
 *	NAME GOOD BAD METRIC [key=value ...]
 *
 * NAME names the regression (letters, digits, '.', '_', '-'; it names
 * its state directory), GOOD and BAD are revisions, METRIC a metric
 * selector as for "run --metric".  Each key=value is a "-c" setting for
 * this regression only (benchmark parameters, stats.*, build.*), except
 * target=NAME, which pins it to one target of the pool.  Words are
 * separated by blanks; '...' and "..." quote blanks ("..." knows \" and
 * \\), and a backslash outside quotes takes the next character as is.
 * A '#' at the start of a word starts a comment; blank lines are
 * skipped.
 *
 * Parsing is pure: text in, entries out, with "FILE:LINE: why" for the
 * first malformed line.
 */
#ifndef PB_BATCHLIST_H
#define PB_BATCHLIST_H

#include <stddef.h>

#include "bisect/util.h"

#define BATCHLIST_NAME_MAX	64

struct batch_entry {
	char	*name;
	char	*good;
	char	*bad;
	char	*metric;
	char	*target;	/* target=, NULL: any target of the pool */
	char	**overrides;	/* "key=value", for -c */
	size_t	 noverrides;
	int	 line;
};

struct batch_list {
	struct batch_entry *e;
	size_t	 n;
};

/*
 * Parse text (len bytes and a NUL, as struct buf holds it; embedded
 * NULs are an error) read from file (named in messages).  An empty list
 * is an error.  On failure the list is left empty.
 */
int	 batch_list_parse(struct batch_list *, const char *file,
	    const char *text, size_t len, struct error *);
void	 batch_list_release(struct batch_list *);

/* Is name usable as a regression name? */
int	 batch_name_ok(const char *name);

#endif
