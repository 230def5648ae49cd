/* SPDX-License-Identifier: MIT */
/*
 * batchlist.c - parsing the regression list of "perfbisect batch".
 */
#include <stdlib.h>
#include <string.h>

#include "bisect/batchlist.h"

int
batch_name_ok(const char *name)
{
	const char *p;

	if (name[0] == '\0' || name[0] == '.' || name[0] == '-' ||
	    strlen(name) > BATCHLIST_NAME_MAX)
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-'))
			return 0;
	return 1;
}

/*
 * The next word of the line at *p into w: 1, 0 at the end of the line
 * (or a comment), -1 with *why on an unterminated quote.
 */
static int
batch_word(const char **p, struct buf *w, const char **why)
{
	const char *s = *p;
	char q;

	buf_reset(w);
	s += strspn(s, " \t\r");
	if (*s == '\0' || *s == '#')
		return 0;
	while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r') {
		if (*s == '\'' || *s == '"') {
			q = *s++;
			while (*s != '\0' && *s != q) {
				if (q == '"' && *s == '\\' &&
				    (s[1] == '"' || s[1] == '\\'))
					s++;
				buf_addch(w, *s++);
			}
			if (*s != q) {
				*why = q == '"' ? "unterminated \"" :
				    "unterminated '";
				return -1;
			}
			s++;
		} else if (*s == '\\' && s[1] != '\0') {
			buf_addch(w, s[1]);
			s += 2;
		} else
			buf_addch(w, *s++);
	}
	*p = s;
	return 1;
}

static void
batch_entry_release(struct batch_entry *e)
{
	size_t i;

	free(e->name);
	free(e->good);
	free(e->bad);
	free(e->metric);
	free(e->target);
	for (i = 0; i < e->noverrides; i++)
		free(e->overrides[i]);
	free(e->overrides);
	memset(e, 0, sizeof(*e));
}

void
batch_list_release(struct batch_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		batch_entry_release(&l->e[i]);
	free(l->e);
	l->e = NULL;
	l->n = 0;
}

/* One line into e; 0 (e->name NULL for a blank line) or -1. */
static int
batch_line(const char *file, int lineno, const char *s,
    struct batch_entry *e, struct error *err)
{
	struct buf w = BUF_INIT;
	const char *why = NULL, *eq;
	size_t alloc = 0;
	int n, rc;

	memset(e, 0, sizeof(*e));
	e->line = lineno;
	for (n = 0; (rc = batch_word(&s, &w, &why)) == 1; n++) {
		if (n == 0) {
			if (!batch_name_ok(w.s)) {
				error_set(err, "%s:%d: bad regression name "
				    "'%s' (letters, digits, '.', '_' and '-', "
				    "at most %d)", file, lineno, w.s,
				    BATCHLIST_NAME_MAX);
				goto out_fail;
			}
			e->name = xstrdup(w.s);
		} else if (n < 4) {
			if (w.len == 0) {
				error_set(err, "%s:%d: expected NAME GOOD BAD "
				    "METRIC [key=value...], got '%s' as the "
				    "%s", file, lineno, w.s, n == 1 ? "GOOD" :
				    n == 2 ? "BAD" : "METRIC");
				goto out_fail;
			}
			*(n == 1 ? &e->good : n == 2 ? &e->bad : &e->metric) =
			    xstrdup(w.s);
		} else {
			eq = strchr(w.s, '=');
			if (eq == NULL || eq == w.s) {
				error_set(err, "%s:%d: expected key=value, got "
				    "'%s'", file, lineno, w.s);
				goto out_fail;
			}
			if (strncmp(w.s, "target=", 7) == 0) {
				if (eq[1] == '\0') {
					error_set(err, "%s:%d: empty target=",
					    file, lineno);
					goto out_fail;
				}
				free(e->target);
				e->target = xstrdup(eq + 1);
				continue;
			}
			if (memchr(w.s, '.', (size_t)(eq - w.s)) == NULL) {
				error_set(err, "%s:%d: unknown setting '%.*s' "
				    "(expected target= or section.key=)", file,
				    lineno, (int)(eq - w.s), w.s);
				goto out_fail;
			}
			GROW(e->overrides, e->noverrides + 1, alloc);
			e->overrides[e->noverrides++] = xstrdup(w.s);
		}
	}
	if (rc < 0) {
		error_set(err, "%s:%d: %s", file, lineno, why);
		goto out_fail;
	}
	if (n > 0 && n < 4) {
		error_set(err, "%s:%d: expected NAME GOOD BAD METRIC "
		    "[key=value...]", file, lineno);
		goto out_fail;
	}
	buf_release(&w);
	return 0;

out_fail:
	buf_release(&w);
	batch_entry_release(e);
	return -1;
}

int
batch_list_parse(struct batch_list *l, const char *file, const char *text,
    size_t len, struct error *err)
{
	struct batch_entry e;
	char *line;
	size_t off, n, alloc = 0, i;
	int lineno = 0;

	l->e = NULL;
	l->n = 0;
	if (memchr(text, '\0', len) != NULL)
		return error_set(err, "%s: not a text file", file);
	for (off = 0; off < len; off += n + 1) {
		n = strcspn(text + off, "\n");
		line = xstrndup(text + off, n);
		lineno++;
		if (batch_line(file, lineno, line, &e, err) < 0) {
			free(line);
			batch_list_release(l);
			return -1;
		}
		free(line);
		if (e.name == NULL)
			continue;
		for (i = 0; i < l->n; i++) {
			if (strcmp(l->e[i].name, e.name) == 0) {
				error_set(err, "%s:%d: regression '%s' is "
				    "already on line %d", file, lineno, e.name,
				    l->e[i].line);
				batch_entry_release(&e);
				batch_list_release(l);
				return -1;
			}
		}
		GROW(l->e, l->n + 1, alloc);
		l->e[l->n++] = e;
	}
	if (l->n == 0)
		return error_set(err, "%s: no regressions in the list", file);
	return 0;
}
