/* SPDX-License-Identifier: MIT */
/*
 * parse-tools.c - parsers for the benchmark tools of the built-in
 * catalogue other than netperf: iperf3, fio, hackbench, perf bench,
 * sysbench, stress-ng, ebizzy and GNU time.
 *
 * Each states the metrics it gives and the error markers it recognises;
 * the catalogue in bench.c documents units and directions.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bisect/util.h"
#include "metrics/bench.h"
#include "metrics/parse.h"

/* The number after the NUL-terminated label on a line, if any. */
static int
tools_after(const char *s, size_t n, const char *label, double *out)
{
	const char *c;
	size_t rest, used;

	if ((c = parse__find(s, n, label)) == NULL)
		return -1;
	c += strlen(label);
	rest = (size_t)(s + n - c);
	while (rest && (*c == ' ' || *c == '\t' || *c == ':')) {
		c++;
		rest--;
	}
	return parse__number_prefix(c, rest, out, &used);
}

static int
tools_json_num(json_t *obj, const char *key, double scale, const char *name,
    struct metric_values *vals, struct error *err)
{
	json_t *j = json_object_get(obj, key);

	if (!json_is_number(j))
		return 0;
	return metric_values_set(vals, name, json_number_value(j) * scale,
	    err);
}

/*
 * iperf3 --json: send and recv (Mbit/s, sender and receiver side),
 * retransmits (TCP), jitter (ms) and loss (%) (UDP), cpu_host and
 * cpu_remote (%).  iperf3 exits 0 on some failures (a refused
 * connection) with only an "error" member: that fails the parse.
 */
int
parse_iperf3(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	json_t *root, *end, *e, *sum;
	int rc = -1;

	(void)arg;
	if ((root = parse__json_load(text, len, err)) == NULL)
		return -1;
	if (!json_is_object(root)) {
		error_set(err, "iperf3: JSON output is not an object");
		goto out;
	}
	if ((e = json_object_get(root, "error")) != NULL) {
		error_set(err, "iperf3: %s", json_is_string(e) ?
		    json_string_value(e) : "error reported");
		goto out;
	}
	if (!json_is_object(end = json_object_get(root, "end"))) {
		error_set(err, "iperf3: no \"end\" section in the output");
		goto out;
	}
	if (tools_json_num(json_object_get(end, "sum_sent"),
	    "bits_per_second", 1e-6, "send", vals, err) == -1 ||
	    tools_json_num(json_object_get(end, "sum_received"),
	    "bits_per_second", 1e-6, "recv", vals, err) == -1 ||
	    tools_json_num(json_object_get(end, "sum_sent"), "retransmits", 1,
	    "retransmits", vals, err) == -1)
		goto out;
	sum = json_object_get(end, "sum");
	if (json_is_object(sum)) {
		if (metric_values_find(vals, "send") == NULL &&
		    tools_json_num(sum, "bits_per_second", 1e-6, "send", vals,
		    err) == -1)
			goto out;
		if (tools_json_num(sum, "jitter_ms", 1, "jitter", vals,
		    err) == -1 || tools_json_num(sum, "lost_percent", 1,
		    "loss", vals, err) == -1)
			goto out;
	}
	e = json_object_get(end, "cpu_utilization_percent");
	if (tools_json_num(e, "host_total", 1, "cpu_host", vals, err) == -1 ||
	    tools_json_num(e, "remote_total", 1, "cpu_remote", vals,
	    err) == -1)
		goto out;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/*
 * fio --output-format=json: per job and direction (read, write, trim)
 * JOB.DIR.iops, .bw (KiB/s), .clat_mean, .lat_mean and .clat_pNN
 * (p50, p90, p95, p99, p99.9, p99.99) in microseconds.  A job with a
 * non-zero "error" fails the parse.
 */
static int
fio_direction(const char *job, const char *dir, json_t *d,
    struct metric_values *vals, struct error *err)
{
	static const struct {
		const char *key;
		const char *name;
	} pct[] = {
		{ "50.000000", "clat_p50" }, { "90.000000", "clat_p90" },
		{ "95.000000", "clat_p95" }, { "99.000000", "clat_p99" },
		{ "99.900000", "clat_p99.9" }, { "99.990000", "clat_p99.99" },
	};
	json_t *clat, *lat, *p;
	char *name;
	size_t i;
	int rc = 0;

	if (!json_is_object(d))
		return 0;
	p = json_object_get(d, "total_ios");
	if (json_is_integer(p) && json_integer_value(p) == 0)
		return 0;
#define FIO_SET(suffix, val) do { \
	name = xasprintf("%s.%s.%s", job, dir, suffix); \
	rc = metric_values_set(vals, name, (val), err); \
	free(name); \
	if (rc == -1) \
		return -1; \
} while (0)
	if (json_is_number(p = json_object_get(d, "iops")))
		FIO_SET("iops", json_number_value(p));
	if (json_is_number(p = json_object_get(d, "bw")))
		FIO_SET("bw", json_number_value(p));
	clat = json_object_get(d, "clat_ns");
	if (json_is_number(p = json_object_get(clat, "mean")))
		FIO_SET("clat_mean", json_number_value(p) / 1000.0);
	lat = json_object_get(d, "lat_ns");
	if (json_is_number(p = json_object_get(lat, "mean")))
		FIO_SET("lat_mean", json_number_value(p) / 1000.0);
	clat = json_object_get(clat, "percentile");
	for (i = 0; i < ARRAY_SIZE(pct); i++)
		if (json_is_number(p = json_object_get(clat, pct[i].key)))
			FIO_SET(pct[i].name, json_number_value(p) / 1000.0);
#undef FIO_SET
	return rc;
}

int
parse_fio(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	static const char *const dirs[] = { "read", "write", "trim" };
	json_t *root, *jobs, *job, *e;
	const char *jobname;
	size_t i, k;
	int rc = -1;

	(void)arg;
	if ((root = parse__json_load(text, len, err)) == NULL)
		return -1;
	jobs = json_object_get(root, "jobs");
	if (!json_is_array(jobs) || json_array_size(jobs) == 0) {
		error_set(err, "fio: no jobs in the JSON output");
		goto out;
	}
	json_array_foreach(jobs, i, job) {
		jobname = json_string_value(json_object_get(job, "jobname"));
		if (jobname == NULL) {
			error_set(err, "fio: job %zu has no name", i);
			goto out;
		}
		e = json_object_get(job, "error");
		if (json_is_integer(e) && json_integer_value(e) != 0) {
			error_set(err, "fio: job '%s' failed with error %lld",
			    jobname, (long long)json_integer_value(e));
			goto out;
		}
		for (k = 0; k < ARRAY_SIZE(dirs); k++)
			if (fio_direction(jobname, dirs[k],
			    json_object_get(job, dirs[k]), vals, err) == -1)
				goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* hackbench (rt-tests): "Time: 0.855" gives time (s). */
int
parse_hackbench(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	struct parse_lines l;
	const char *s;
	size_t n;
	double d;

	(void)arg;
	parse__lines_init(&l, text, len);
	while (parse__next_line(&l, &s, &n)) {
		if (parse__starts(s, n, "Time:") &&
		    tools_after(s, n, "Time:", &d) == 0 &&
		    metric_values_set(vals, "time", d, err) == -1)
			return -1;
		if (parse__starts(s, n, "Error") ||
		    parse__find(s, n, "hackbench: ") ||
		    parse__starts(s, n, "Usage:"))
			return error_set(err, "hackbench: %.*s",
			    (int)(n > 200 ? 200 : n), s);
	}
	return 0;
}

/*
 * perf bench: total_time (s; sched messaging and pipe), usecs_per_op and
 * ops_per_sec (sched pipe), ops_per_sec (futex hash, "Averaged N
 * operations/sec"), bw (GB/s; mem memcpy/memset, the first function)
 * and FUNCTION.bw for each function.
 */
int
parse_perf_bench(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	struct parse_lines l;
	struct parse_tok t[4];
	const char *s, *q, *e;
	char *func = NULL, *name;
	size_t n, nt;
	double d;
	int rc = 0;

	(void)arg;
	parse__lines_init(&l, text, len);
	while (rc == 0 && parse__next_line(&l, &s, &n)) {
		parse__trim(&s, &n);
		if (parse__starts(s, n, "# function '") &&
		    (q = memchr(s + 12, '\'', n - 12)) != NULL) {
			free(func);
			func = xstrndup(s + 12, (size_t)(q - s - 12));
			continue;
		}
		if (parse__starts(s, n, "Total time:")) {
			if (tools_after(s, n, "Total time:", &d) == 0)
				rc = metric_values_set(vals, "total_time", d,
				    err);
			continue;
		}
		if (parse__starts(s, n, "Averaged ")) {
			if (tools_after(s, n, "Averaged", &d) == 0)
				rc = metric_values_set(vals, "ops_per_sec", d,
				    err);
			continue;
		}
		nt = parse__tokens(s, n, t, ARRAY_SIZE(t));
		if (nt != 2 || parse__number(t[0].s, t[0].len, &d) == -1)
			continue;
		e = t[1].s;
		if (t[1].len == 8 && memcmp(e, "usecs/op", 8) == 0) {
			rc = metric_values_set(vals, "usecs_per_op", d, err);
		} else if (t[1].len == 7 && memcmp(e, "ops/sec", 7) == 0) {
			rc = metric_values_set(vals, "ops_per_sec", d, err);
		} else if (t[1].len == 6 && memcmp(e, "GB/sec", 6) == 0) {
			if (metric_values_find(vals, "bw") == NULL)
				rc = metric_values_set(vals, "bw", d, err);
			if (rc == 0 && func) {
				name = xasprintf("%s.bw", func);
				rc = metric_values_set(vals, name, d, err);
				free(name);
			}
		}
	}
	free(func);
	return rc;
}

/*
 * sysbench: events_per_sec (cpu), ops_per_sec and mib_per_sec (memory),
 * total_time (s), events, latency_min/avg/max/p95 (ms).
 */
int
parse_sysbench(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	static const struct {
		const char *label;
		const char *name;
	} simple[] = {
		{ "events per second:", "events_per_sec" },
		{ "total time:", "total_time" },
		{ "total number of events:", "events" },
		{ "min:", "latency_min" },
		{ "avg:", "latency_avg" },
		{ "max:", "latency_max" },
		{ "95th percentile:", "latency_p95" },
	};
	struct parse_lines l;
	const char *s, *p;
	size_t n, i, used;
	double d;
	int rc = 0;

	(void)arg;
	parse__lines_init(&l, text, len);
	while (rc == 0 && parse__next_line(&l, &s, &n)) {
		parse__trim(&s, &n);
		if (parse__starts(s, n, "FATAL:") ||
		    parse__starts(s, n, "Unknown test"))
			return error_set(err, "sysbench: %.*s",
			    (int)(n > 200 ? 200 : n), s);
		for (i = 0; i < ARRAY_SIZE(simple); i++)
			if (parse__starts(s, n, simple[i].label) &&
			    tools_after(s, n, simple[i].label, &d) == 0)
				rc = metric_values_set(vals, simple[i].name,
				    d, err);
		if (rc == 0 && parse__starts(s, n, "Total operations:") &&
		    (p = memchr(s, '(', n)) != NULL &&
		    parse__number_prefix(p + 1, (size_t)(s + n - p - 1), &d,
		    &used) == 0)
			rc = metric_values_set(vals, "ops_per_sec", d, err);
		if (rc == 0 && parse__find(s, n, "MiB transferred (") &&
		    (p = memchr(s, '(', n)) != NULL &&
		    parse__number_prefix(p + 1, (size_t)(s + n - p - 1), &d,
		    &used) == 0)
			rc = metric_values_set(vals, "mib_per_sec", d, err);
	}
	return rc;
}

/*
 * stress-ng --metrics-brief (on stderr): per stressor
 * STRESSOR.bogo_ops, .bogo_ops_s (real time) and .bogo_ops_s_cpu
 * (usr+sys time).  "stress-ng: error:"/"fail:" lines and a run that did
 * not complete successfully fail the parse.
 */
int
parse_stress_ng(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	static const char *const suffix[] = { "bogo_ops", NULL, NULL, NULL,
	    "bogo_ops_s", "bogo_ops_s_cpu" };
	struct parse_lines l;
	struct parse_tok t[10];
	const char *s, *p;
	size_t n, nt, i;
	double v[6];
	char *name;
	int rc = 0;

	(void)arg;
	parse__lines_init(&l, text, len);
	while (rc == 0 && parse__next_line(&l, &s, &n)) {
		if (!parse__starts(s, n, "stress-ng"))
			continue;
		if (parse__find(s, n, " error: ") ||
		    parse__find(s, n, " fail: ") ||
		    parse__find(s, n, "unsuccessful run") ||
		    parse__find(s, n, "unrecognized option"))
			return error_set(err, "stress-ng: %.*s",
			    (int)(n > 200 ? 200 : n), s);
		if (!parse__find(s, n, "metrc:") &&
		    !parse__find(s, n, "info:"))
			continue;
		if ((p = memchr(s, ']', n)) == NULL)
			continue;
		p++;
		nt = parse__tokens(p, (size_t)(s + n - p), t, ARRAY_SIZE(t));
		if (nt != 7)
			continue;
		for (i = 0; i < 6; i++)
			if (parse__number(t[i + 1].s, t[i + 1].len, &v[i]) ==
			    -1)
				break;
		if (i < 6)
			continue;
		for (i = 0; rc == 0 && i < 6; i++) {
			if (suffix[i] == NULL)
				continue;
			name = xasprintf("%.*s.%s", (int)t[0].len, t[0].s,
			    suffix[i]);
			rc = metric_values_set(vals, name, v[i], err);
			free(name);
		}
	}
	return rc;
}

/* ebizzy: "N records/s" gives records (records/s). */
int
parse_ebizzy(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	struct parse_lines l;
	struct parse_tok t[3];
	const char *s;
	size_t n;
	double d;

	(void)arg;
	parse__lines_init(&l, text, len);
	while (parse__next_line(&l, &s, &n)) {
		if (parse__tokens(s, n, t, ARRAY_SIZE(t)) == 2 &&
		    t[1].len == 9 && memcmp(t[1].s, "records/s", 9) == 0 &&
		    parse__number(t[0].s, t[0].len, &d) == 0 &&
		    metric_values_set(vals, "records", d, err) == -1)
			return -1;
	}
	return 0;
}

/* "h:mm:ss" or "m:ss.cc" into seconds. */
static int
gnu_time_clock(const char *s, size_t n, double *out)
{
	double part, total = 0;
	size_t used;

	parse__trim(&s, &n);
	for (;;) {
		if (parse__number_prefix(s, n, &part, &used) == -1)
			return -1;
		total = total * 60 + part;
		if (used == n)
			break;
		if (s[used] != ':')
			return -1;
		s += used + 1;
		n -= used + 1;
	}
	*out = total;
	return 0;
}

/*
 * GNU time -v (on stderr, after the command's own): elapsed, user and
 * system (s), max_rss (KiB), exit_status.  The last report wins.  "Command
 * exited with non-zero status" and "Command terminated by signal" fail
 * the parse.
 */
int
parse_gnu_time(const char *arg, const char *text, size_t len,
    struct metric_values *vals, struct error *err)
{
	static const struct {
		const char *label;
		const char *name;
	} simple[] = {
		{ "User time (seconds):", "user" },
		{ "System time (seconds):", "system" },
		{ "Maximum resident set size (kbytes):", "max_rss" },
		{ "Exit status:", "exit_status" },
	};
	struct parse_lines l;
	const char *s, *c;
	size_t n, i;
	double d;
	int rc = 0;

	(void)arg;
	parse__lines_init(&l, text, len);
	while (rc == 0 && parse__next_line(&l, &s, &n)) {
		parse__trim(&s, &n);
		if (parse__starts(s, n, "Command exited with non-zero status") ||
		    parse__starts(s, n, "Command terminated by signal"))
			return error_set(err, "time: %.*s",
			    (int)(n > 200 ? 200 : n), s);
		if (parse__starts(s, n, "Elapsed (wall clock) time") &&
		    (c = parse__find(s, n, "): ")) != NULL) {
			c += 3;
			if (gnu_time_clock(c, (size_t)(s + n - c), &d) == 0)
				rc = metric_values_set(vals, "elapsed", d, err);
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(simple); i++)
			if (parse__starts(s, n, simple[i].label) &&
			    tools_after(s, n, simple[i].label, &d) == 0)
				rc = metric_values_set(vals, simple[i].name,
				    d, err);
	}
	return rc;
}
