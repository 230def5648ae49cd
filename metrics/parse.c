/* SPDX-License-Identifier: MIT */
/*
 * parse.c - the generic metric parsers (keyvalue, regex, json, csv), the
 * parser table and the helpers every parser shares.
 *
 * Parsers never trust their input: it may be truncated, binary, or one
 * 100 MB line.  Work is linear in the input, lines are bounded by
 * PARSE_MAX_LINE, and the number of metrics by PARSE_MAX_METRICS.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bisect/util.h"
#include "metrics/bench.h"
#include "metrics/parse.h"

static const struct parse_entry {
	const char	*name;
	parse_fn	*fn;
	const char	*help;
} parse_table[] = {
	{ "keyvalue", parse_keyvalue,
	    "lines 'name: value' or 'name = value', optional unit after it" },
	{ "regex", parse_regex,
	    "POSIX ERE per line; (?<name>...) groups name metrics" },
	{ "json", parse_json,
	    "JSON document; path a.b[0].c, or every number when none" },
	{ "csv", parse_csv,
	    "comma-separated rows; column by header name or 1-based index" },
	{ "netperf", parse_netperf,
	    "netperf classic, -P0, -I/-i, -D, and omni -o/-O/-k output" },
	{ "iperf3", parse_iperf3, "iperf3 --json (TCP and UDP)" },
	{ "fio", parse_fio, "fio --output-format=json, per job and direction" },
	{ "hackbench", parse_hackbench, "hackbench (rt-tests) 'Time:' line" },
	{ "perf-bench", parse_perf_bench,
	    "perf bench sched/futex/mem output" },
	{ "sysbench", parse_sysbench, "sysbench cpu, memory, threads" },
	{ "stress-ng", parse_stress_ng, "stress-ng --metrics-brief (stderr)" },
	{ "ebizzy", parse_ebizzy, "ebizzy records/s" },
	{ "time", parse_gnu_time, "GNU time -v (stderr)" },
};

static const char *const parse_names[] = {
	"keyvalue", "regex", "json", "csv", "netperf", "iperf3", "fio",
	"hackbench", "perf-bench", "sysbench", "stress-ng", "ebizzy", "time",
	NULL,
};

static const struct parse_entry *
parse_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parse_table); i++)
		if (strcmp(parse_table[i].name, name) == 0)
			return &parse_table[i];
	return NULL;
}

const char *
parse_parser_help(const char *name)
{
	const struct parse_entry *e = parse_lookup(name);

	return e ? e->help : NULL;
}

const char *const *
parse_parsers(void)
{
	return parse_names;
}

int
parse_output(const char *parser, const char *arg, const char *text,
    size_t len, struct metric_values *vals, struct error *err)
{
	const struct parse_entry *e;
	size_t i;

	if ((e = parse_lookup(parser)) == NULL) {
		struct buf b = BUF_INIT;

		for (i = 0; parse_names[i]; i++)
			buf_addf(&b, "%s%s", i ? ", " : "", parse_names[i]);
		error_set(err, "unknown parser '%s' (parsers: %s)", parser,
		    b.s);
		buf_release(&b);
		return -1;
	}
	if (len > PARSE_MAX_OUTPUT)
		return error_set(err, "output too large (%zu bytes, limit %d)",
		    len, PARSE_MAX_OUTPUT);
	return e->fn(arg, text, len, vals, err);
}

/* Metric values. */

void
metric_values_init(struct metric_values *vals)
{
	vals->v = NULL;
	vals->n = 0;
	vals->alloc = 0;
	buf_init(&vals->warnings);
}

void
metric_values_release(struct metric_values *vals)
{
	size_t i;

	for (i = 0; i < vals->n; i++)
		free(vals->v[i].name);
	free(vals->v);
	buf_release(&vals->warnings);
	metric_values_init(vals);
}

const struct metric_value *
metric_values_find(const struct metric_values *vals, const char *name)
{
	size_t i;

	for (i = 0; i < vals->n; i++)
		if (strcmp(vals->v[i].name, name) == 0)
			return &vals->v[i];
	return NULL;
}

int
metric_values_set(struct metric_values *vals, const char *name,
    double value, struct error *err)
{
	size_t i;

	for (i = 0; i < vals->n; i++) {
		if (strcmp(vals->v[i].name, name) == 0) {
			vals->v[i].value = value;
			return 0;
		}
	}
	if (vals->n >= PARSE_MAX_METRICS)
		return error_set(err, "more than %d metrics in the output",
		    PARSE_MAX_METRICS);
	GROW(vals->v, vals->n + 1, vals->alloc);
	vals->v[vals->n].name = xstrdup(name);
	vals->v[vals->n].value = value;
	vals->n++;
	return 0;
}

/* Helpers shared by the parsers. */

void
parse__lines_init(struct parse_lines *l, const char *s, size_t len)
{
	l->p = s;
	l->end = s + len;
	l->skipped = 0;
	l->lineno = 0;
}

int
parse__next_line(struct parse_lines *l, const char **s, size_t *len)
{
	const char *nl;
	size_t n;

	while (l->p < l->end) {
		nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
		n = nl ? (size_t)(nl - l->p) : (size_t)(l->end - l->p);
		*s = l->p;
		l->p = nl ? nl + 1 : l->end;
		l->lineno++;
		if (n > PARSE_MAX_LINE) {
			l->skipped++;
			continue;
		}
		if (n > 0 && (*s)[n - 1] == '\r')
			n--;
		*len = n;
		return 1;
	}
	return 0;
}

size_t
parse__tokens(const char *s, size_t len, struct parse_tok *t, size_t max)
{
	size_t i = 0, n = 0, start;

	while (i < len && n < max) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		t[n].s = s + start;
		t[n].len = i - start;
		n++;
	}
	return n;
}

int
parse__number_prefix(const char *s, size_t len, double *out, size_t *used)
{
	char tmp[80];
	size_t i = 0, n;
	char *end;
	int digits = 0;

	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		i++;
	if (len - i >= 3 && strncasecmp(s + i, "nan", 3) == 0) {
		*out = NAN;
		*used = i + 3;
		return 0;
	}
	if (len - i >= 3 && strncasecmp(s + i, "inf", 3) == 0) {
		*out = s[0] == '-' ? -INFINITY : INFINITY;
		*used = i + 3;
		if (len - i >= 8 && strncasecmp(s + i, "infinity", 8) == 0)
			*used = i + 8;
		return 0;
	}
	while (i < len && isdigit((unsigned char)s[i])) {
		i++;
		digits++;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && isdigit((unsigned char)s[i])) {
			i++;
			digits++;
		}
	}
	if (digits == 0)
		return -1;
	if (i + 1 < len && (s[i] == 'e' || s[i] == 'E')) {
		n = i + 1;
		if (n < len && (s[n] == '-' || s[n] == '+'))
			n++;
		if (n < len && isdigit((unsigned char)s[n])) {
			while (n < len && isdigit((unsigned char)s[n]))
				n++;
			i = n;
		}
	}
	if (i >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, i);
	tmp[i] = '\0';
	errno = 0;
	*out = strtod(tmp, &end);
	if (end != tmp + i)
		return -1;
	*used = i;
	return 0;
}

int
parse__number(const char *s, size_t len, double *out)
{
	size_t used;

	if (parse__number_prefix(s, len, out, &used) == -1)
		return -1;
	return used == len ? 0 : -1;
}

int
parse__starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

void
parse__trim(const char **s, size_t *len)
{
	while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

const char *
parse__find(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle));
}

char *
parse__name(const char *s, size_t len)
{
	char *p = xstrndup(s, len), *c;

	for (c = p; *c; c++) {
		if (*c == ' ' || *c == '\t')
			*c = '_';
		else
			*c = (char)tolower((unsigned char)*c);
	}
	return p;
}

/*
 * keyvalue: "name: value [unit]" or "name = value [unit]" per line.  The
 * name is everything before the first ':' or '=', trimmed; the value is a
 * number followed by the end of the line or blanks (and any unit).  Other
 * lines are ignored.  A later line with the same name wins.
 */
int
parse_keyvalue(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	struct parse_lines l;
	const char *s, *k, *v;
	size_t n, kn, vn, used;
	double d;
	char *name;
	int rc;

	(void)arg;
	parse__lines_init(&l, text, len);
	while (parse__next_line(&l, &s, &n)) {
		for (kn = 0; kn < n && s[kn] != ':' && s[kn] != '='; kn++)
			;
		if (kn == n)
			continue;
		k = s;
		v = s + kn + 1;
		vn = n - kn - 1;
		parse__trim(&k, &kn);
		parse__trim(&v, &vn);
		if (kn == 0 || vn == 0 || memchr(k, '\0', kn) != NULL)
			continue;
		if (parse__number_prefix(v, vn, &d, &used) == -1)
			continue;
		if (used != vn && v[used] != ' ' && v[used] != '\t' &&
		    v[used] != '%')
			continue;
		name = xstrndup(k, kn);
		rc = metric_values_set(vals, name, d, err);
		free(name);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/*
 * regex: the argument is a POSIX extended regular expression applied to
 * every line (all its matches).  POSIX has no named groups, so the
 * pattern may use "(?<name>...)": it is rewritten to a plain group whose
 * match, a number, becomes the metric "name".  Without named groups, a
 * pattern with two or more groups takes the metric's name from group 1
 * and its value from group 2; a pattern with one group gives the metric
 * "value".  A group that does not hold a number is ignored.
 * Back-references are refused (they make matching exponential).
 */
#define REGEX_MAX_GROUPS 32
#define REGEX_MAX_MATCHES 256	/* per line */

struct regex_prog {
	regex_t	 re;
	char	*names[REGEX_MAX_GROUPS + 1];	/* by group index */
	size_t	 ngroups;
	int	 named;
};

static void
regex_names_free(struct regex_prog *p)
{
	size_t i;

	for (i = 0; i <= REGEX_MAX_GROUPS; i++) {
		free(p->names[i]);
		p->names[i] = NULL;
	}
}

static void
regex_prog_release(struct regex_prog *p)
{
	regfree(&p->re);
	regex_names_free(p);
}

static int
regex_compile(struct regex_prog *p, const char *pat, struct error *err)
{
	struct buf b = BUF_INIT;
	const char *c = pat, *e;
	char msg[256];
	int rc, inbracket = 0;

	memset(p, 0, sizeof(*p));
	while (*c) {
		if (inbracket) {
			if (*c == ']')
				inbracket = 0;
			buf_addch(&b, *c++);
			continue;
		}
		if (*c == '\\' && c[1] >= '1' && c[1] <= '9') {
			error_set(err, "regex '%s': back-references are not "
			    "supported", pat);
			goto out_names;
		}
		if (*c == '\\' && c[1]) {
			buf_add(&b, c, 2);
			c += 2;
			continue;
		}
		if (*c == '[') {
			buf_addch(&b, *c++);
			if (*c == '^')
				buf_addch(&b, *c++);
			if (*c == ']')
				buf_addch(&b, *c++);
			inbracket = 1;
			continue;
		}
		if (*c != '(') {
			buf_addch(&b, *c++);
			continue;
		}
		if (++p->ngroups > REGEX_MAX_GROUPS) {
			error_set(err, "regex has more than %d groups",
			    REGEX_MAX_GROUPS);
			goto out_names;
		}
		buf_addch(&b, *c++);
		if (c[0] == '?' && c[1] == '<') {
			for (e = c + 2; *e && *e != '>'; e++)
				if (!isalnum((unsigned char)*e) && *e != '_' &&
				    *e != '.' && *e != '-')
					break;
			if (*e != '>' || e == c + 2) {
				error_set(err, "regex: bad group name at '%.20s' "
				    "(use (?<name>...))", c - 1);
				goto out_names;
			}
			p->names[p->ngroups] = xstrndup(c + 2,
			    (size_t)(e - c - 2));
			p->named = 1;
			c = e + 1;
		} else if (c[0] == '?' && c[1] == ':') {
			c += 2;
		}
	}
	rc = regcomp(&p->re, b.s, REG_EXTENDED);
	buf_release(&b);
	if (rc != 0) {
		regerror(rc, &p->re, msg, sizeof(msg));
		regex_names_free(p);
		return error_set(err, "bad regex '%s': %s", pat, msg);
	}
	if (p->re.re_nsub < 1) {
		regex_prog_release(p);
		return error_set(err, "regex '%s' has no group to capture a "
		    "value", pat);
	}
	return 0;

out_names:
	buf_release(&b);
	regex_names_free(p);
	return -1;
}

static int
regex_group_number(const char *line, const regmatch_t *m, double *out)
{
	const char *s;
	size_t n;

	if (m->rm_so < 0)
		return -1;
	s = line + m->rm_so;
	n = (size_t)(m->rm_eo - m->rm_so);
	parse__trim(&s, &n);
	return parse__number(s, n, out);
}

static int
regex_line(struct regex_prog *p, const char *line, size_t len,
    struct metric_values *vals, struct error *err)
{
	regmatch_t m[REGEX_MAX_GROUPS + 1];
	size_t off = 0, i, nmatch = 0;
	double d;
	char *name;
	int rc, flags = 0;

	while (off <= len && nmatch++ < REGEX_MAX_MATCHES) {
		if (regexec(&p->re, line + off, ARRAY_SIZE(m), m, flags) != 0)
			break;
		for (i = 1; i <= p->re.re_nsub && i <= REGEX_MAX_GROUPS;
		    i++) {
			m[i].rm_so += m[i].rm_so >= 0 ? (regoff_t)off : 0;
			m[i].rm_eo += m[i].rm_so >= 0 ? (regoff_t)off : 0;
		}
		if (p->named) {
			for (i = 1; i <= p->re.re_nsub &&
			    i <= REGEX_MAX_GROUPS; i++) {
				if (p->names[i] == NULL ||
				    regex_group_number(line, &m[i], &d) == -1)
					continue;
				if (metric_values_set(vals, p->names[i], d,
				    err) == -1)
					return -1;
			}
		} else if (p->re.re_nsub >= 2) {
			if (m[1].rm_so >= 0 && m[1].rm_eo > m[1].rm_so &&
			    regex_group_number(line, &m[2], &d) == 0) {
				name = xstrndup(line + m[1].rm_so,
				    (size_t)(m[1].rm_eo - m[1].rm_so));
				rc = metric_values_set(vals, name, d, err);
				free(name);
				if (rc == -1)
					return -1;
			}
		} else if (regex_group_number(line, &m[1], &d) == 0) {
			if (metric_values_set(vals, "value", d, err) == -1)
				return -1;
		}
		/* An empty match would crawl the line one byte at a time. */
		if (m[0].rm_eo == m[0].rm_so)
			break;
		off += (size_t)m[0].rm_eo;
		flags = REG_NOTBOL;
		if (off >= len)
			break;
	}
	return 0;
}

int
parse_check_arg(const char *parser, const char *arg, struct error *err)
{
	struct regex_prog p;

	if (strcmp(parser, "regex") != 0)
		return 0;
	if (arg == NULL || *arg == '\0')
		return error_set(err, "parser regex needs a regex");
	if (regex_compile(&p, arg, err) == -1)
		return -1;
	regex_prog_release(&p);
	return 0;
}

int
parse_regex(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	struct regex_prog p;
	struct parse_lines l;
	const char *s;
	char *line;
	size_t n;
	int rc = 0;

	if (arg == NULL || *arg == '\0')
		return error_set(err, "parser regex needs a regex");
	if (regex_compile(&p, arg, err) == -1)
		return -1;
	parse__lines_init(&l, text, len);
	while (rc == 0 && parse__next_line(&l, &s, &n)) {
		line = xstrndup(s, n);
		rc = regex_line(&p, line, strlen(line), vals, err);
		free(line);
	}
	regex_prog_release(&p);
	return rc;
}

/*
 * json: the document may follow other text (warnings); it starts at the
 * first line beginning with '{' or '['.  The argument is a list of
 * "[NAME=]PATH" separated by blanks or ';': a path is keys separated by
 * '.', with [N] for array elements ("jobs[0].read.iops"); the metric is
 * NAME, or the path itself.  Without an argument every number in the
 * document becomes a metric named by its path.
 */
static json_t *
json_path_get(json_t *root, const char *path, struct error *err)
{
	const char *p = path, *e;
	json_t *cur = root;
	char *key;
	long long idx;
	const char *errstr;
	char *num;

	while (*p) {
		if (*p == '[') {
			if ((e = strchr(p, ']')) == NULL)
				return error_set(err, "bad JSON path '%s'",
				    path), NULL;
			num = xstrndup(p + 1, (size_t)(e - p - 1));
			if (parse_ll(num, 0, 1000000000, &idx, &errstr) ==
			    -1) {
				free(num);
				error_set(err, "bad index in JSON path '%s'",
				    path);
				return NULL;
			}
			free(num);
			if (!json_is_array(cur) ||
			    (cur = json_array_get(cur, (size_t)idx)) == NULL)
				return NULL;
			p = e + 1;
			if (*p == '.')
				p++;
			continue;
		}
		for (e = p; *e && *e != '.' && *e != '['; e++)
			;
		if (e == p)
			return error_set(err, "bad JSON path '%s'", path),
			    NULL;
		key = xstrndup(p, (size_t)(e - p));
		cur = json_is_object(cur) ? json_object_get(cur, key) : NULL;
		free(key);
		if (cur == NULL)
			return NULL;
		p = *e == '.' ? e + 1 : e;
	}
	return cur;
}

static int
json_number(json_t *j, double *out)
{
	const char *s;

	if (json_is_number(j)) {
		*out = json_number_value(j);
		return 0;
	}
	if (json_is_string(j)) {
		s = json_string_value(j);
		return parse__number(s, strlen(s), out);
	}
	return -1;
}

static int
json_flatten(json_t *j, struct buf *path, struct metric_values *vals,
    int depth, struct error *err)
{
	const char *key;
	json_t *v;
	size_t i, len = path->len;

	if (depth > 64)
		return 0;
	if (json_is_number(j))
		return metric_values_set(vals, path->s,
		    json_number_value(j), err);
	if (json_is_object(j)) {
		json_object_foreach(j, key, v) {
			buf_addf(path, "%s%s", len ? "." : "", key);
			if (json_flatten(v, path, vals, depth + 1, err) == -1)
				return -1;
			path->len = len;
			path->s[len] = '\0';
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			buf_addf(path, "[%zu]", i);
			if (json_flatten(v, path, vals, depth + 1, err) == -1)
				return -1;
			path->len = len;
			path->s[len] = '\0';
		}
	}
	return 0;
}

void *
parse__json_load(const char *text, size_t len, struct error *err)
{
	struct parse_lines l;
	json_error_t jerr;
	const char *s, *start = NULL;
	size_t n;
	json_t *root;

	parse__lines_init(&l, text, len);
	while (parse__next_line(&l, &s, &n)) {
		parse__trim(&s, &n);
		if (n && (s[0] == '{' || s[0] == '[')) {
			start = s;
			break;
		}
	}
	if (start == NULL) {
		error_set(err, "no JSON document in the output");
		return NULL;
	}
	root = json_loadb(start, (size_t)(text + len - start),
	    JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &jerr);
	if (root == NULL) {
		error_set(err, "invalid or truncated JSON at line %d: %s",
		    jerr.line + (int)l.lineno - 1, jerr.text);
		return NULL;
	}
	return root;
}

int
parse_json(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	struct buf path = BUF_INIT;
	json_t *root, *j;
	const char *p, *e, *eq;
	char *item, *name;
	double d;
	int rc = 0;

	if ((root = parse__json_load(text, len, err)) == NULL)
		return -1;
	if (arg == NULL || *arg == '\0') {
		rc = json_flatten(root, &path, vals, 0, err);
		buf_release(&path);
		json_decref(root);
		return rc;
	}
	for (p = arg; rc == 0 && *p; p = e) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e && *e != ' ' && *e != '\t' && *e != ';'; e++)
			;
		item = xstrndup(p, (size_t)(e - p));
		if ((eq = strchr(item, '=')) != NULL) {
			name = xstrndup(item, (size_t)(eq - item));
			eq++;
		} else {
			name = xstrdup(item);
			eq = item;
		}
		error_clear(err);
		j = json_path_get(root, eq, err);
		if (j == NULL && err && err->msg.len)
			rc = -1;
		else if (j != NULL && json_number(j, &d) == 0)
			rc = metric_values_set(vals, name, d, err);
		free(name);
		free(item);
	}
	json_decref(root);
	return rc;
}

/*
 * csv: rows of comma-separated fields ("..." quoting with "" inside).
 * The first row is a header when one of its fields is not a number.  The
 * argument names a column by its header or by its 1-based index; without
 * one every column is a metric.  Metrics are named by the header field,
 * or by the index when there is no header.  The last row whose field is
 * a number wins.
 */
#define CSV_MAX_FIELDS 256

struct csv_row {
	char	*f[CSV_MAX_FIELDS];
	size_t	 n;
};

static void
csv_row_release(struct csv_row *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->f[i]);
	r->n = 0;
}

static void
csv_split(const char *s, size_t len, struct csv_row *r)
{
	struct buf f = BUF_INIT;
	const char *t;
	size_t i = 0, tn;
	int quoted;

	r->n = 0;
	while (i <= len && r->n < CSV_MAX_FIELDS) {
		buf_reset(&f);
		quoted = 0;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < len && s[i] == '"') {
			quoted = 1;
			for (i++; i < len; i++) {
				if (s[i] == '"' && i + 1 < len &&
				    s[i + 1] == '"') {
					buf_addch(&f, '"');
					i++;
				} else if (s[i] == '"') {
					i++;
					break;
				} else {
					buf_addch(&f, s[i]);
				}
			}
		}
		while (i < len && s[i] != ',') {
			if (!quoted)
				buf_addch(&f, s[i]);
			i++;
		}
		t = f.s;
		tn = f.len;
		parse__trim(&t, &tn);
		r->f[r->n++] = xstrndup(t, tn);
		i++;
	}
	buf_release(&f);
}

static int
csv_is_number(const char *s)
{
	double d;

	return parse__number(s, strlen(s), &d) == 0;
}

int
parse_csv(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	struct csv_row hdr = { { NULL }, 0 }, row;
	struct parse_lines l;
	const char *s, *errstr;
	size_t n, i, first = 1;
	long long col = 0;
	char *name;
	double d;
	int rc = 0, has_hdr = 0;

	if (arg && *arg && parse_ll(arg, 1, CSV_MAX_FIELDS, &col, &errstr) ==
	    -1)
		col = 0;
	parse__lines_init(&l, text, len);
	while (rc == 0 && parse__next_line(&l, &s, &n)) {
		if (n == 0 || memchr(s, '\0', n) != NULL)
			continue;
		csv_split(s, n, &row);
		if (first) {
			first = 0;
			for (i = 0; i < row.n; i++)
				if (row.f[i][0] && !csv_is_number(row.f[i]))
					has_hdr = 1;
			if (has_hdr) {
				hdr = row;
				continue;
			}
		}
		for (i = 0; rc == 0 && i < row.n; i++) {
			if (has_hdr && i < hdr.n && hdr.f[i][0])
				name = xstrdup(hdr.f[i]);
			else
				name = xasprintf("%zu", i + 1);
			if ((arg == NULL || *arg == '\0' ||
			    (col ? (long long)i + 1 == col :
			    strcmp(name, arg) == 0)) &&
			    parse__number(row.f[i], strlen(row.f[i]), &d) == 0)
				rc = metric_values_set(vals, name, d, err);
			free(name);
		}
		csv_row_release(&row);
	}
	csv_row_release(&hdr);
	return rc;
}
