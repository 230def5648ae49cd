/* SPDX-License-Identifier: MIT */
/*
 * samples.h - sample files: values measured outside a bisection (by a CI
 * job, by hand), one per boot.
 *
 * A sample file holds one value per line (each value one boot), or
 * "BOOT RUN VALUE" lines (runs grouped by boot; a boot's value is the
 * mean of its runs, as in a bisection).  Blank lines are ignored and "#"
 * starts a comment.  compare reads it; run and step import it as the
 * endpoints' boots.
 */
#ifndef PB_SAMPLES_H
#define PB_SAMPLES_H

#include <stddef.h>

#include "bisect/util.h"

/*
 * Parse text (the contents of path, which only names it in messages) and
 * append one value per boot to *v (*n values, *alloc allocated).  Each
 * value's line number goes to *line when line is not NULL (grown with
 * *v).  -1 with "path:LINE: reason" on the first bad line, or when there
 * are fewer than two boots.
 */
int	 samples_parse(const char *path, const char *text, double **v,
	    size_t **line, size_t *n, size_t *alloc, struct error *);

/* Read and parse the file at path; as above. */
int	 samples_load(const char *path, double **v, size_t **line, size_t *n,
	    struct error *);

struct state;
struct boot_rec;

/*
 * Record the n values read from path (line[i] the line of v[i]) as the
 * boots 1..n of commit in role ("good" or "bad"), marked imported: their
 * reason is "imported from PATH line N".  A copy of the raw file is kept
 * as samples/ROLE in the state directory, which the meta key
 * "ROLE_samples" names.
 */
int	 samples_import(struct state *, const char *role, const char *commit,
	    const char *path, const double *v, const size_t *line, size_t n,
	    struct error *);

/* Was this boot imported from a sample file? */
int	 samples_imported(const struct boot_rec *);

/*
 * Append to *v (*n values, grown as needed) the value of every successful
 * boot of commit (NULL: any) in role, recomputed from its first maxruns
 * measured runs (warm-up and failed runs left out) as the mean, or the
 * median when median is set; maxruns 0, and imported boots, give the
 * value recorded.  This is how the endpoints are compared with boots of
 * fewer runs (stats.runs = auto).
 */
int	 samples_boot_values(struct state *, const char *commit,
	    const char *role, int maxruns, int median, double mads,
	    double **v, size_t *n, struct error *);

#endif
