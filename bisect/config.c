/* SPDX-License-Identifier: MIT */
/*
 * config.c - git-config files through libgit2, with -c overrides.
 *
 * The files are read into one libgit2 config and frozen as a snapshot, so
 * the strings handed out stay valid until config_free().  Overrides are
 * kept apart (libgit2 has no in-memory backend in its public API) and
 * looked up first, last one winning, as git does with -c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "bisect/config.h"

struct config_override {
	char	*key;		/* normalised */
	char	*value;
};

struct config {
	git_config	*files;
	git_config	*snap;
	char		*path;
	struct config_override *ov;
	size_t		 nov;
	size_t		 ovalloc;
	int		 level;
};

static int
config_git_error(struct error *err, const char *what)
{
	const git_error *e = git_error_last();

	return error_set(err, "%s: %s", what, e && e->message ? e->message :
	    "unknown libgit2 error");
}

/*
 * "Section.Sub.Key" -> "section.Sub.key": section and variable names are
 * case-insensitive, the subsection is not.  -1 if there is no dot.
 */
static int
config_normalise(const char *key, char **out)
{
	const char *first = strchr(key, '.'), *last = strrchr(key, '.');
	char *k;
	size_t i, len = strlen(key);

	if (first == NULL || first == key || last[1] == '\0')
		return -1;
	k = xstrdup(key);
	for (i = 0; i < len; i++) {
		if (key + i < first || key + i > last)
			k[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ?
			    k[i] - 'A' + 'a' : k[i]);
	}
	*out = k;
	return 0;
}

static int
config_refresh(struct config *cfg, struct error *err)
{
	if (cfg->snap)
		git_config_free(cfg->snap);
	cfg->snap = NULL;
	if (git_config_snapshot(&cfg->snap, cfg->files) < 0)
		return config_git_error(err, cfg->path ? cfg->path : "config");
	return 0;
}

int
config_open(struct config **out, const char *path, int required,
    struct error *err)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));

	cfg->level = GIT_CONFIG_LEVEL_APP;
	if (git_config_new(&cfg->files) < 0) {
		config_git_error(err, "config");
		free(cfg);
		return -1;
	}
	if (path) {
		if (access(path, F_OK) == -1) {
			if (required) {
				error_set(err, "cannot read config '%s': %s",
				    path, strerror(errno));
				config_free(cfg);
				return -1;
			}
		} else if (config_add_file(cfg, path, err) < 0) {
			config_free(cfg);
			return -1;
		}
	}
	if (config_refresh(cfg, err) < 0) {
		config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int
config_add_file(struct config *cfg, const char *path, struct error *err)
{
	if (access(path, R_OK) == -1)
		return error_set(err, "cannot read config '%s': %s", path,
		    strerror(errno));
	if (git_config_add_file_ondisk(cfg->files, path,
	    (git_config_level_t)cfg->level--, NULL, 0) < 0)
		return config_git_error(err, path);
	if (cfg->path == NULL)
		cfg->path = xstrdup(path);
	return config_refresh(cfg, err);
}

int
config_override(struct config *cfg, const char *kv, struct error *err)
{
	const char *eq = strchr(kv, '=');
	char *key, *raw;

	raw = eq ? xstrndup(kv, (size_t)(eq - kv)) : xstrdup(kv);
	if (config_normalise(raw, &key) < 0) {
		error_set(err, "-c '%s': expected section.key=value", kv);
		free(raw);
		return -1;
	}
	free(raw);
	GROW(cfg->ov, cfg->nov + 1, cfg->ovalloc);
	cfg->ov[cfg->nov].key = key;
	cfg->ov[cfg->nov].value = xstrdup(eq ? eq + 1 : "true");
	cfg->nov++;
	return 0;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nov; i++) {
		free(cfg->ov[i].key);
		free(cfg->ov[i].value);
	}
	free(cfg->ov);
	if (cfg->snap)
		git_config_free(cfg->snap);
	if (cfg->files)
		git_config_free(cfg->files);
	free(cfg->path);
	free(cfg);
}

const char *
config_path(const struct config *cfg)
{
	return cfg->path ? cfg->path : "config";
}

/* Where a key's value came from, for messages. */
static const char *
config_origin(struct config *cfg, const char *key)
{
	size_t i;

	for (i = cfg->nov; i-- > 0;)
		if (strcmp(cfg->ov[i].key, key) == 0)
			return "-c";
	return config_path(cfg);
}

int
config_get_string(struct config *cfg, const char *key, const char **out,
    struct error *err)
{
	char *norm;
	const char *s;
	size_t i;
	int rc;

	if (config_normalise(key, &norm) < 0)
		return error_set(err, "invalid config key '%s'", key);
	for (i = cfg->nov; i-- > 0;) {
		if (strcmp(cfg->ov[i].key, norm) == 0) {
			*out = cfg->ov[i].value;
			free(norm);
			return 0;
		}
	}
	rc = git_config_get_string(&s, cfg->snap, norm);
	free(norm);
	if (rc == GIT_ENOTFOUND) {
		*out = NULL;
		git_error_clear();
		return 0;
	}
	if (rc < 0)
		return config_git_error(err, config_path(cfg));
	*out = s;
	return 0;
}

static int
config_bad_value(struct config *cfg, const char *key, const char *v,
    const char *why, struct error *err)
{
	return error_set(err, "%s: bad value '%s' for '%s': %s",
	    config_origin(cfg, key), v, key, why);
}

int
config_get_int(struct config *cfg, const char *key, long long min,
    long long max, long long *out, struct error *err)
{
	const char *v, *why;
	int64_t n;

	if (config_get_string(cfg, key, &v, err) < 0)
		return -1;
	if (v == NULL)
		return 0;
	if (git_config_parse_int64(&n, v) < 0) {
		git_error_clear();
		return config_bad_value(cfg, key, v, "not an integer", err);
	}
	why = n < min ? "too small" : n > max ? "too large" : NULL;
	if (why)
		return config_bad_value(cfg, key, v, why, err);
	*out = n;
	return 0;
}

int
config_get_double(struct config *cfg, const char *key, double min,
    double max, double *out, struct error *err)
{
	const char *v, *why;
	double d;
	size_t len;
	char *tmp;
	int pct = 0, rc;

	if (config_get_string(cfg, key, &v, err) < 0)
		return -1;
	if (v == NULL)
		return 0;
	len = strlen(v);
	tmp = xstrdup(v);
	if (len > 1 && tmp[len - 1] == '%') {
		tmp[len - 1] = '\0';
		pct = 1;
	}
	rc = parse_double(tmp, &d, &why);
	free(tmp);
	if (rc < 0)
		return config_bad_value(cfg, key, v, "not a number", err);
	if (pct)
		d /= 100.0;
	if (d < min || d > max) {
		why = d < min ? "too small" : "too large";
		return config_bad_value(cfg, key, v, why, err);
	}
	*out = d;
	return 0;
}

int
config_get_bool(struct config *cfg, const char *key, int *out,
    struct error *err)
{
	const char *v;
	int b;

	if (config_get_string(cfg, key, &v, err) < 0)
		return -1;
	if (v == NULL)
		return 0;
	if (git_config_parse_bool(&b, v) < 0) {
		git_error_clear();
		return config_bad_value(cfg, key, v, "not a boolean", err);
	}
	*out = b;
	return 0;
}

int
config_get_duration_ms(struct config *cfg, const char *key, long long *out,
    struct error *err)
{
	const char *v, *why;
	long long ms;

	if (config_get_string(cfg, key, &v, err) < 0)
		return -1;
	if (v == NULL)
		return 0;
	if (parse_duration_ms(v, &ms, &why) < 0)
		return config_bad_value(cfg, key, v, why, err);
	*out = ms;
	return 0;
}

static void
config_names_add(char ***names, size_t *n, size_t *alloc, const char *s,
    size_t len)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strlen((*names)[i]) == len &&
		    strncmp((*names)[i], s, len) == 0)
			return;
	GROW(*names, *n + 1, *alloc);
	(*names)[(*n)++] = xstrndup(s, len);
}

/* The subsection of key if its section is sec: pointer and length. */
static int
config_subsection_of(const char *key, const char *sec, const char **sub,
    size_t *len)
{
	size_t sl = strlen(sec);
	const char *last = strrchr(key, '.');

	if (strncmp(key, sec, sl) != 0 || key[sl] != '.' ||
	    last == key + sl)
		return 0;
	*sub = key + sl + 1;
	*len = (size_t)(last - *sub);
	return 1;
}

int
config_subsections(struct config *cfg, const char *section, char ***names,
    size_t *n, struct error *err)
{
	git_config_iterator *it;
	git_config_entry *e;
	const char *sub;
	size_t alloc = 0, len, i;
	int rc;

	*names = NULL;
	*n = 0;
	if (git_config_iterator_new(&it, cfg->snap) < 0)
		return config_git_error(err, config_path(cfg));
	while ((rc = git_config_next(&e, it)) == 0) {
		if (config_subsection_of(e->name, section, &sub, &len))
			config_names_add(names, n, &alloc, sub, len);
	}
	git_config_iterator_free(it);
	if (rc != GIT_ITEROVER) {
		config_names_free(*names, *n);
		return config_git_error(err, config_path(cfg));
	}
	git_error_clear();
	for (i = 0; i < cfg->nov; i++)
		if (config_subsection_of(cfg->ov[i].key, section, &sub, &len))
			config_names_add(names, n, &alloc, sub, len);
	return 0;
}

void
config_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
config_foreach(struct config *cfg, int (*fn)(const char *, const char *,
    void *), void *payload, struct error *err)
{
	git_config_iterator *it;
	git_config_entry *e;
	size_t i;
	int rc;

	if (git_config_iterator_new(&it, cfg->snap) < 0)
		return config_git_error(err, config_path(cfg));
	while ((rc = git_config_next(&e, it)) == 0) {
		if ((rc = fn(e->name, e->value ? e->value : "", payload)) != 0)
			break;
	}
	git_config_iterator_free(it);
	if (rc != GIT_ITEROVER && rc != 0)
		return rc < 0 ? config_git_error(err, config_path(cfg)) : rc;
	git_error_clear();
	for (i = 0; i < cfg->nov; i++)
		if ((rc = fn(cfg->ov[i].key, cfg->ov[i].value, payload)) != 0)
			return rc;
	return 0;
}

static void
config_add_quoted(struct buf *b, const char *v, int subsection)
{
	buf_addch(b, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			buf_addch(b, '\\');
		if (*v == '\n' && !subsection)
			buf_adds(b, "\\n");
		else if (*v == '\t' && !subsection)
			buf_adds(b, "\\t");
		else
			buf_addch(b, *v);
	}
	buf_addch(b, '"');
}

struct config_snap {
	struct buf	 text;
	char		*section;	/* the [section "sub"] last written */
};

static int
config_snap_entry(const char *key, const char *value, void *payload)
{
	struct config_snap *cs = payload;
	const char *first = strchr(key, '.'), *last = strrchr(key, '.');
	char *sec = xstrndup(key, (size_t)(last - key));

	if (strncmp(key, "include.", 8) == 0 ||
	    strncmp(key, "includeif.", 10) == 0) {
		free(sec);
		return 0;
	}
	if (cs->section == NULL || strcmp(cs->section, sec) != 0) {
		buf_addch(&cs->text, '[');
		buf_add(&cs->text, key, (size_t)(first - key));
		if (first != last) {
			char *sub = xstrndup(first + 1,
			    (size_t)(last - first - 1));

			buf_addch(&cs->text, ' ');
			config_add_quoted(&cs->text, sub, 1);
			free(sub);
		}
		buf_adds(&cs->text, "]\n");
		free(cs->section);
		cs->section = sec;
	} else
		free(sec);
	buf_addf(&cs->text, "\t%s = ", last + 1);
	config_add_quoted(&cs->text, value, 0);
	buf_addch(&cs->text, '\n');
	return 0;
}

int
config_write_snapshot(struct config *cfg, const char *path,
    struct error *err)
{
	struct config_snap cs = { BUF_INIT, NULL };
	int rc;

	buf_adds(&cs.text, "# perfbisect: the settings this bisection "
	    "started with\n");
	rc = config_foreach(cfg, config_snap_entry, &cs, err);
	if (rc == 0)
		rc = write_file_atomic(path, cs.text.s, cs.text.len, err);
	buf_release(&cs.text);
	free(cs.section);
	return rc;
}
