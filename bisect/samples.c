/* SPDX-License-Identifier: MIT */
/*
 * samples.c - parse sample files (see samples.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/samples.h"
#include "bisect/state.h"
#include "stats/verdict.h"

#define SAMPLES_IMPORTED "imported from "

static void
samples_push(double **v, size_t **line, size_t *n, size_t *alloc,
    double x, size_t lineno)
{
	if (*n == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 32;
		*v = xreallocarray(*v, *alloc, sizeof(**v));
		if (line)
			*line = xreallocarray(*line, *alloc, sizeof(**line));
	}
	if (line)
		(*line)[*n] = lineno;
	(*v)[(*n)++] = x;
}

int
samples_parse(const char *path, const char *text, double **v, size_t **line,
    size_t *n, size_t *alloc, struct error *err)
{
	const char *p = text, *nl;
	char buf[512], *f[4], *save, *tok;
	long long boot, run, prev = -1;
	const char *why;
	double x, sum = 0;
	size_t nf, len, lineno = 0, runs = 0, first = 0, n0 = *n;
	int triples = -1;

	for (; *p != '\0'; p = nl ? nl + 1 : p + len) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (len >= sizeof(buf))
			return error_set(err, "%s:%zu: line too long", path,
			    lineno);
		memcpy(buf, p, len);
		buf[len] = '\0';
		if ((tok = strchr(buf, '#')) != NULL)
			*tok = '\0';
		nf = 0;
		for (tok = strtok_r(buf, " \t\r", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t\r", &save)) {
			if (nf == 3)
				return error_set(err, "%s:%zu: expected a "
				    "value or 'boot run value'", path, lineno);
			f[nf++] = tok;
		}
		if (nf == 0)
			continue;
		if (nf == 2 || (triples != -1 && triples != (nf == 3)))
			return error_set(err, "%s:%zu: expected %s", path,
			    lineno, triples == 1 ? "'boot run value'" :
			    "one value");
		triples = nf == 3;
		if (parse_double(f[nf - 1], &x, &why) < 0)
			return error_set(err, "%s:%zu: '%s' is not a finite "
			    "number", path, lineno, f[nf - 1]);
		if (!triples) {
			samples_push(v, line, n, alloc, x, lineno);
			continue;
		}
		if (parse_ll(f[0], 0, LLONG_MAX, &boot, &why) < 0 ||
		    parse_ll(f[1], 0, LLONG_MAX, &run, &why) < 0)
			return error_set(err, "%s:%zu: boot and run must be "
			    "integers", path, lineno);
		if (boot != prev && runs > 0) {
			samples_push(v, line, n, alloc, sum / (double)runs,
			    first);
			sum = 0;
			runs = 0;
		}
		if (runs == 0)
			first = lineno;
		prev = boot;
		sum += x;
		runs++;
	}
	if (runs > 0)
		samples_push(v, line, n, alloc, sum / (double)runs, first);
	if (*n - n0 < 2)
		return error_set(err, "%s: needs at least two boots, has %zu",
		    path, *n - n0);
	return 0;
}

int
samples_load(const char *path, double **v, size_t **line, size_t *n,
    struct error *err)
{
	struct buf text = BUF_INIT;
	size_t alloc = 0;
	int rc;

	*v = NULL;
	if (line)
		*line = NULL;
	*n = 0;
	if (read_file(path, &text, err) < 0)
		return -1;
	if (memchr(text.s, '\0', text.len) != NULL) {
		buf_release(&text);
		return error_set(err, "%s: not a text file", path);
	}
	rc = samples_parse(path, text.s, v, line, n, &alloc, err);
	buf_release(&text);
	if (rc < 0) {
		free(*v);
		*v = NULL;
		if (line) {
			free(*line);
			*line = NULL;
		}
		*n = 0;
	}
	return rc;
}

int
samples_import(struct state *st, const char *role, const char *commit,
    const char *path, const double *v, const size_t *line, size_t n,
    struct error *err)
{
	struct buf text = BUF_INIT;
	struct boot_rec b;
	char *dir, *copy, *key;
	size_t i;
	int rc;

	dir = xasprintf("%s/samples", state_dir(st));
	copy = xasprintf("%s/%s", dir, role);
	key = xasprintf("%s_samples", role);
	rc = mkdir_p(dir, err);
	if (rc == 0)
		rc = read_file(path, &text, err);
	if (rc == 0)
		rc = write_file_atomic(copy, text.s, text.len, err);
	if (rc == 0)
		rc = state_meta_set(st, key, copy, err);
	for (i = 0; rc == 0 && i < n; i++) {
		memset(&b, 0, sizeof(b));
		b.commit = (char *)commit;
		b.role = (char *)role;
		b.seq = (int)i + 1;
		if ((rc = state_boot_add(st, &b, err)) < 0)
			break;
		b.outcome = (char *)"ok";
		b.reason = xasprintf(SAMPLES_IMPORTED "%s line %zu", path,
		    line[i]);
		b.has_value = 1;
		b.value = v[i];
		rc = state_boot_finish(st, &b, err);
		free(b.reason);
	}
	buf_release(&text);
	free(key);
	free(copy);
	free(dir);
	return rc;
}

int
samples_imported(const struct boot_rec *b)
{
	return b->reason != NULL && strncmp(b->reason, SAMPLES_IMPORTED,
	    strlen(SAMPLES_IMPORTED)) == 0;
}

/* The value of boot b from its first maxruns measured runs. */
static int
samples_boot_value(struct state *st, const struct boot_rec *b, int maxruns,
    int median, double mads, double *value, struct error *err)
{
	struct run_rec *r = NULL;
	double *x;
	size_t nr = 0, nx = 0, i;

	if (maxruns <= 0 || samples_imported(b)) {
		*value = b->value;
		return 0;
	}
	if (state_runs(st, b->id, &r, &nr, err) < 0)
		return -1;
	x = xcalloc(nr ? nr : 1, sizeof(*x));
	for (i = 0; i < nr; i++) {
		if (!r[i].warmup && r[i].ok && nx < (size_t)maxruns)
			x[nx++] = r[i].value;
		run_rec_release(&r[i]);
	}
	free(r);
	*value = nx ? verdict_boot_value(x, nx, median ? UNIT_MEDIAN :
	    UNIT_MEAN, mads, NULL) : b->value;
	free(x);
	return 0;
}

int
samples_boot_values(struct state *st, const char *commit, const char *role,
    int maxruns, int median, double mads, double **v, size_t *n,
    struct error *err)
{
	struct boot_rec *b = NULL;
	size_t nb = 0, alloc = *n, i;
	double x;
	int rc = 0;

	if (state_boots(st, commit, role, &b, &nb, err) < 0)
		return -1;
	for (i = 0; i < nb; i++) {
		if (rc == 0 && b[i].has_value && b[i].outcome &&
		    strcmp(b[i].outcome, "ok") == 0 &&
		    (rc = samples_boot_value(st, &b[i], maxruns, median, mads,
		    &x, err)) == 0)
			samples_push(v, NULL, n, &alloc, x, 0);
		boot_rec_release(&b[i]);
	}
	free(b);
	return rc;
}
