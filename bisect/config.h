/* SPDX-License-Identifier: MIT */
/*
 * config.h - settings in git-config syntax, read through libgit2's config
 * API, with "-c section.key=value" overrides on top.
 *
 * Keys are spelled as git spells them: "build.command",
 * "benchmark.synth.command", "metric.synth:time.direction".  Section and
 * variable names are case-insensitive, subsection names are not.
 * Getters return 0 with *out set (or left at the default when the key is
 * absent), or -1 with a message naming the file and the key when the
 * value is malformed.
 */
#ifndef PB_CONFIG_H
#define PB_CONFIG_H

#include <stddef.h>

#include "bisect/util.h"

struct config;

/*
 * Open a configuration.  path may be NULL (no file); a missing file is an
 * error only if required is set.  Syntax errors name the file and line.
 */
int	 config_open(struct config **out, const char *path, int required,
	    struct error *);
/* Also read path, at a lower priority than everything opened so far. */
int	 config_add_file(struct config *, const char *path, struct error *);
/* Add a "-c key=value" override; -1 if it is not of that form. */
int	 config_override(struct config *, const char *kv, struct error *);
void	 config_free(struct config *);

/* The file settings came from ("-c" for an override), for messages. */
const char *config_path(const struct config *);

/* *out is borrowed from the config; NULL when the key is absent. */
int	 config_get_string(struct config *, const char *key, const char **out,
	    struct error *);
int	 config_get_int(struct config *, const char *key, long long min,
	    long long max, long long *out, struct error *);
int	 config_get_double(struct config *, const char *key, double min,
	    double max, double *out, struct error *);
int	 config_get_bool(struct config *, const char *key, int *out,
	    struct error *);
/* "30", "30s", "5m", "1h", "500ms": milliseconds. */
int	 config_get_duration_ms(struct config *, const char *key,
	    long long *out, struct error *);

/*
 * The subsection names of a section ("benchmark" -> "synth", ...), in
 * order of first appearance, no duplicates.  Free with
 * config_names_free().
 */
int	 config_subsections(struct config *, const char *section,
	    char ***names, size_t *n, struct error *);
void	 config_names_free(char **, size_t);

/* Every key (lower-cased where git does) with its value, for reports. */
int	 config_foreach(struct config *, int (*fn)(const char *key,
	    const char *value, void *payload), void *payload, struct error *);

/*
 * Write every setting (overrides folded in) to path in git-config syntax,
 * atomically: what a bisection records so that resume uses the settings
 * it started with.
 */
int	 config_write_snapshot(struct config *, const char *path,
	    struct error *);

#endif
