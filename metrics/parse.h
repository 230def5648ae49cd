/* SPDX-License-Identifier: MIT */
/*
 * parse.h - helpers shared by the metric parsers (metrics/parse*.c).
 *
 * Internal to metrics/: the rest of the program calls parse_output() and
 * the selector functions in metrics/bench.h.  Parsers are pure: bytes in,
 * metric values out, no I/O.  Input may hold any bytes, including NULs;
 * lines longer than PARSE_MAX_LINE are skipped (and counted), so no
 * parser ever copies more than that at once.
 */
#ifndef PB_PARSE_H
#define PB_PARSE_H

#include <stddef.h>

#include "bisect/util.h"
#include "metrics/bench.h"

#define PARSE_MAX_LINE		(1024 * 1024)
#define PARSE_MAX_TOKENS	64

/* One parser: fills vals from text, or returns -1 with err set. */
typedef int parse_fn(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err);

/* Line iterator over a byte range; "\r\n" and "\n" both end a line. */
struct parse_lines {
	const char	*p;
	const char	*end;
	size_t		 skipped;	/* lines over PARSE_MAX_LINE */
	size_t		 lineno;
};

void	 parse__lines_init(struct parse_lines *, const char *, size_t);
/* 1 with the next line in *s and *len (no NUL at its end), 0 at the end. */
int	 parse__next_line(struct parse_lines *, const char **s, size_t *len);

struct parse_tok {
	const char	*s;
	size_t		 len;
};

/* Split on blanks; returns the number of tokens (at most max). */
size_t	 parse__tokens(const char *s, size_t len, struct parse_tok *t,
	    size_t max);
/*
 * The whole of s[0..len) as a number: decimal or exponent notation,
 * "nan" and "inf" allowed (stored as such, rejected later by the
 * selector with a reason).  0 or -1.
 */
int	 parse__number(const char *s, size_t len, double *out);
/* A number at the start of s; *used gets its length.  0 or -1. */
int	 parse__number_prefix(const char *s, size_t len, double *out,
	    size_t *used);
/* Does s[0..len) start with the NUL-terminated prefix? */
int	 parse__starts(const char *s, size_t len, const char *prefix);
/* Skip blanks from the left and the right. */
void	 parse__trim(const char **s, size_t *len);
/* Find the NUL-terminated needle in s[0..len); NULL if absent. */
const char *parse__find(const char *s, size_t len, const char *needle);

/*
 * The JSON document in text (it starts at the first line beginning with
 * '{' or '['; text after it is ignored), as a jansson json_t * to
 * json_decref(); NULL with err set when missing or truncated.
 */
void	*parse__json_load(const char *text, size_t len, struct error *err);

/* A metric name built from pieces, lower-cased, blanks as '_'. */
char	*parse__name(const char *s, size_t len);

/* The parsers. */
parse_fn parse_keyvalue;
parse_fn parse_regex;
parse_fn parse_json;
parse_fn parse_csv;
parse_fn parse_netperf;
parse_fn parse_iperf3;
parse_fn parse_fio;
parse_fn parse_hackbench;
parse_fn parse_perf_bench;
parse_fn parse_sysbench;
parse_fn parse_stress_ng;
parse_fn parse_ebizzy;
parse_fn parse_gnu_time;

#endif
