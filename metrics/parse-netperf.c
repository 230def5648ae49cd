/* SPDX-License-Identifier: MIT */
/*
 * parse-netperf.c - netperf's many output formats.
 *
 * Classic tests (with or without the banner and headers, -P0) give:
 *   TCP_STREAM and other stream tests:  throughput (10^6bits/s by default)
 *   UDP_STREAM:  send (local), recv (remote), loss (% of sent messages
 *                that did not arrive); a warning when they diverge
 *   TCP_RR, UDP_RR and other RR tests:  trans (transactions/s)
 * Omni output: -k (KEY=value lines) gives every numeric key, lower-cased;
 * -o (CSV) and -O (columns) give every numeric column, named by the
 * parser argument (the selector list given to -o/-O, e.g.
 * "THROUGHPUT,MEAN_LATENCY") or by the header, else col1, col2, ...
 * Omni THROUGHPUT is also given as trans when its unit is Trans/s.
 * Interim results (-D) are ignored; a run that printed only interim
 * results is an error.  The -I/-i warning "desired confidence was not
 * achieved" becomes a warning.  netperf reports errors on stdout and
 * exits 255: the lines it uses for that fail the parse.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/util.h"
#include "metrics/bench.h"
#include "metrics/parse.h"

enum netperf_kind {
	NETPERF_UNKNOWN,
	NETPERF_STREAM,
	NETPERF_UDP_STREAM,
	NETPERF_RR,
};

#define NETPERF_MAX_ROWS 8

struct netperf_row {
	double	 v[PARSE_MAX_TOKENS];
	size_t	 n;
};

struct netperf_state {
	enum netperf_kind kind;
	struct netperf_row rows[NETPERF_MAX_ROWS];	/* numeric lines */
	size_t	 nrows;
	size_t	 interim;
	size_t	 keyval;
	int	 omni;
	struct buf csv_hdr;	/* the last CSV header line */
	struct buf csv_val;	/* the last CSV value line */
	struct buf last;	/* the last non-empty line (for -O) */
};

static const char *const netperf_errors[] = {
	"establish control",
	"establish_control",
	"netperf: ",
	"send_data: ",
	"recv_response",
	"send_request",
	"Packet rate control is not compiled in",
	"unable to ",
	"Unable to ",
	"could not ",
	"fatal: ",
	"Invalid ",
	"invalid ",
};

static int
netperf_error_line(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(netperf_errors); i++)
		if (parse__starts(s, n, netperf_errors[i]))
			return 1;
	return 0;
}

static void
netperf_banner(struct netperf_state *st, const char *s, size_t n)
{
	if (parse__find(s, n, "OMNI"))
		st->omni = 1;
	if (parse__find(s, n, "REQUEST/RESPONSE") ||
	    parse__find(s, n, "CONNECT/REQUEST"))
		st->kind = NETPERF_RR;
	else if (parse__find(s, n, "UDP STREAM") ||
	    parse__find(s, n, "UDP_STREAM"))
		st->kind = NETPERF_UDP_STREAM;
	else if (parse__find(s, n, "STREAM") || parse__find(s, n, "MAERTS") ||
	    parse__find(s, n, "SENDFILE"))
		st->kind = NETPERF_STREAM;
}

/* "!!! Confidence intervals: Throughput      : 25.119%" */
static void
netperf_confidence(struct netperf_state *st, struct metric_values *vals,
    const char *s, size_t n)
{
	const char *c;
	size_t used, rest;
	double d;

	(void)st;
	if ((c = parse__find(s, n, "Throughput")) == NULL)
		return;
	if ((c = memchr(c, ':', (size_t)(s + n - c))) == NULL)
		return;
	c++;
	rest = (size_t)(s + n - c);
	while (rest && (*c == ' ' || *c == '\t')) {
		c++;
		rest--;
	}
	if (parse__number_prefix(c, rest, &d, &used) == 0)
		buf_addf(&vals->warnings, "netperf: desired confidence was "
		    "not achieved (throughput interval %.3f%%)\n", d);
}

static int
netperf_numeric_line(const char *s, size_t n, struct netperf_row *row)
{
	struct parse_tok t[PARSE_MAX_TOKENS];
	size_t i, nt;

	nt = parse__tokens(s, n, t, PARSE_MAX_TOKENS);
	if (nt == 0)
		return 0;
	for (i = 0; i < nt; i++)
		if (parse__number(t[i].s, t[i].len, &row->v[i]) == -1)
			return 0;
	row->n = nt;
	return 1;
}

/* KEY=value (omni -k). */
static int
netperf_keyval(struct netperf_state *st, struct metric_values *vals,
    const char *s, size_t n, struct error *err)
{
	const char *eq;
	size_t i, kn;
	double d;
	char *name;
	int rc;

	if ((eq = memchr(s, '=', n)) == NULL || eq == s)
		return 0;
	kn = (size_t)(eq - s);
	for (i = 0; i < kn; i++)
		if (!isupper((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_')
			return 0;
	st->keyval++;
	if (kn == 16 && memcmp(s, "THROUGHPUT_UNITS", kn) == 0 &&
	    parse__find(eq, (size_t)(s + n - eq), "Trans"))
		st->kind = NETPERF_RR;
	if (parse__number(eq + 1, (size_t)(s + n - eq - 1), &d) == -1)
		return 0;
	name = parse__name(s, kn);
	rc = metric_values_set(vals, name, d, err);
	free(name);
	return rc == -1 ? -1 : 0;
}

static char *
netperf_column_name(const char *arg, const char *hdr, size_t idx)
{
	const char *p, *e;
	size_t i;

	for (i = 0, p = arg; p && *p; i++) {
		for (e = p; *e && *e != ',' && *e != ' '; e++)
			;
		if (i == idx && e > p)
			return parse__name(p, (size_t)(e - p));
		p = *e ? e + 1 : e;
	}
	for (i = 0, p = hdr; p && *p; i++) {
		for (e = p; *e && *e != ','; e++)
			;
		if (i == idx && e > p)
			return parse__name(p, (size_t)(e - p));
		p = *e ? e + 1 : e;
	}
	return xasprintf("col%zu", idx + 1);
}

/* -o: the value line is CSV; every numeric field is a metric. */
static int
netperf_csv(struct netperf_state *st, const char *arg,
    struct metric_values *vals, struct error *err)
{
	const char *p = st->csv_val.s, *e, *f;
	size_t idx = 0, fn;
	double d;
	char *name;
	int rc = 0;

	while (rc == 0) {
		for (e = p; *e && *e != ','; e++)
			;
		f = p;
		fn = (size_t)(e - p);
		parse__trim(&f, &fn);
		if (parse__number(f, fn, &d) == 0) {
			name = netperf_column_name(arg, st->csv_hdr.s, idx);
			rc = metric_values_set(vals, name, d, err);
			free(name);
		} else if (fn >= 7 && memcmp(f, "Trans/s", 7) == 0) {
			st->kind = NETPERF_RR;
		}
		if (*e == '\0')
			break;
		p = e + 1;
		idx++;
	}
	return rc;
}

/* -O: the last line holds the values in columns. */
static int
netperf_columns(struct netperf_state *st, const char *arg,
    struct metric_values *vals, struct error *err)
{
	struct parse_tok t[PARSE_MAX_TOKENS];
	size_t i, nt;
	double d;
	char *name;
	int rc = 0;

	nt = parse__tokens(st->last.s, st->last.len, t, PARSE_MAX_TOKENS);
	for (i = 0; rc == 0 && i < nt; i++) {
		if (parse__number(t[i].s, t[i].len, &d) == -1) {
			if (parse__starts(t[i].s, t[i].len, "Trans/s"))
				st->kind = NETPERF_RR;
			continue;
		}
		name = netperf_column_name(arg, NULL, i);
		rc = metric_values_set(vals, name, d, err);
		free(name);
	}
	return rc;
}

static int
netperf_classic(struct netperf_state *st, struct metric_values *vals,
    struct error *err)
{
	struct netperf_row *r = st->rows, *r2 = st->nrows > 1 ? &st->rows[1] :
	    NULL;
	enum netperf_kind kind = st->kind;
	double send, recv, sent_msgs, recv_msgs, loss;

	if (kind == NETPERF_UNKNOWN) {
		/* -P0: tell the tests apart by the shape of the lines. */
		if (r->n >= 6 && r2 && r2->n >= 4)
			kind = NETPERF_UDP_STREAM;
		else if (r->n >= 6 && r2 && r2->n == 2)
			kind = NETPERF_RR;
		else if (r->n >= 5)
			kind = NETPERF_STREAM;
		else
			return error_set(err, "netperf: cannot tell the test "
			    "from its output (%zu numbers on the result line)",
			    r->n);
	}
	switch (kind) {
	case NETPERF_STREAM:
		if (r->n < 5)
			break;
		return metric_values_set(vals, "throughput", r->v[4], err);
	case NETPERF_RR:
		if (r->n < 6)
			break;
		return metric_values_set(vals, "trans", r->v[5], err);
	case NETPERF_UDP_STREAM:
		if (r->n < 6)
			break;
		send = r->v[5];
		sent_msgs = r->v[3];
		if (metric_values_set(vals, "send", send, err) == -1)
			return -1;
		if (r2 == NULL || r2->n < 4)
			return error_set(err, "netperf: UDP_STREAM output "
			    "lacks the receive line");
		recv = r2->v[3];
		recv_msgs = r2->v[2];
		if (metric_values_set(vals, "recv", recv, err) == -1)
			return -1;
		loss = sent_msgs > 0 ? 100.0 * (sent_msgs - recv_msgs) /
		    sent_msgs : 0.0;
		if (loss < 0)
			loss = 0;
		if (metric_values_set(vals, "loss", loss, err) == -1)
			return -1;
		if (send > 0 && (recv < 0.9 * send || recv > 1.1 * send))
			buf_addf(&vals->warnings, "netperf: send and receive "
			    "throughput diverge (send %.2f, recv %.2f, "
			    "%.1f%% of messages lost)\n", send, recv, loss);
		return 0;
	case NETPERF_UNKNOWN:
		break;
	}
	return error_set(err, "netperf: result line has too few columns "
	    "(%zu)", r->n);
}

int
parse_netperf(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	struct netperf_state st;
	struct parse_lines l;
	const char *s;
	size_t n;
	int rc = 0;

	memset(&st, 0, sizeof(st));
	buf_init(&st.csv_hdr);
	buf_init(&st.csv_val);
	buf_init(&st.last);
	parse__lines_init(&l, text, len);
	while (parse__next_line(&l, &s, &n)) {
		parse__trim(&s, &n);
		if (n == 0)
			continue;
		if (memchr(s, '\0', n) != NULL) {
			rc = error_set(err, "netperf: binary data in the "
			    "output (line %zu)", l.lineno);
			goto out;
		}
		if (netperf_error_line(s, n)) {
			rc = error_set(err, "netperf: %.*s", (int)(n > 200 ?
			    200 : n), s);
			goto out;
		}
		if (parse__starts(s, n, "Interim result:")) {
			st.interim++;
			continue;
		}
		if (parse__starts(s, n, "!!!")) {
			if (parse__find(s, n, "Confidence intervals:"))
				netperf_confidence(&st, vals, s, n);
			continue;
		}
		if (parse__find(s, n, " TEST") &&
		    (parse__find(s, n, " from ") || parse__find(s, n, " to "))) {
			netperf_banner(&st, s, n);
			continue;
		}
		buf_reset(&st.last);
		buf_add(&st.last, s, n);
		if (netperf_keyval(&st, vals, s, n, err) == -1) {
			rc = -1;
			goto out;
		}
		if (memchr(s, ',', n) != NULL) {
			const char *c;
			int numeric = 0;
			double d;
			size_t used;

			for (c = s; c < s + n; c++)
				if (parse__number_prefix(c, (size_t)(s + n - c),
				    &d, &used) == 0 && (c == s || c[-1] == ',' ||
				    c[-1] == ' ')) {
					numeric = 1;
					break;
				}
			if (numeric) {
				buf_reset(&st.csv_val);
				buf_add(&st.csv_val, s, n);
			} else {
				buf_reset(&st.csv_hdr);
				buf_add(&st.csv_hdr, s, n);
			}
			continue;
		}
		if (st.nrows < NETPERF_MAX_ROWS &&
		    netperf_numeric_line(s, n, &st.rows[st.nrows]))
			st.nrows++;
	}
	if (st.keyval) {
		/* -k: every numeric KEY=value is already in vals. */
	} else if (st.csv_val.len) {
		rc = netperf_csv(&st, arg, vals, err);
	} else if (st.nrows && st.rows[0].n >= 5 && !(arg && *arg)) {
		rc = netperf_classic(&st, vals, err);
	} else if (st.last.len) {
		rc = netperf_columns(&st, arg, vals, err);
	}
	if (rc == 0 && (st.keyval || st.csv_val.len || st.omni ||
	    (arg && *arg))) {
		const struct metric_value *t = metric_values_find(vals,
		    "throughput");

		if (t && st.kind == NETPERF_RR)
			rc = metric_values_set(vals, "trans", t->value, err);
	}
	if (rc == 0 && vals->n == 0) {
		if (st.interim)
			rc = error_set(err, "netperf: the test ended after %zu "
			    "interim results, without a final result",
			    st.interim);
		else
			rc = error_set(err, "netperf: no result in the output");
	}
out:
	buf_release(&st.csv_hdr);
	buf_release(&st.csv_val);
	buf_release(&st.last);
	return rc;
}
