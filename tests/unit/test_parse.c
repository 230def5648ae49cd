/* SPDX-License-Identifier: MIT */
/*
 * test_parse.c - the metric parsers over saved outputs (tests/fixtures,
 * read relative to the repository top, where the tests run) and inline
 * cases, including the hostile ones: no value, NaN, error markers,
 * truncated JSON, binary data and a 100 MB line.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bisect/util.h"
#include "metrics/bench.h"

/* One expected metric of a fixture; name NULL ends the list. */
struct want {
	const char	*name;
	double		 value;
};

struct fixture_case {
	const char	*file;		/* under tests/fixtures/ */
	const char	*parser;
	const char	*arg;
	const char	*error;		/* substring of the error, or NULL */
	const char	*warning;	/* substring of a warning, or NULL */
	struct want	 want[6];
};

static const struct fixture_case fixture_cases[] = {
	{ "netperf/np2.7.1.udp_stream.default.stdout", "netperf", NULL, NULL,
	    "diverge", { { "send", 45277.77 }, { "recv", 36077.13 },
	    { "loss", 100.0 * (259212 - 206539) / 259212 } } },
	{ "netperf/np2.7.1.udp_stream.m64.stdout", "netperf", NULL, NULL,
	    NULL, { { "send", 81.90 }, { "recv", 78.37 } } },
	{ "netperf/np2.7.1.tcp_stream.default.stdout", "netperf", NULL, NULL,
	    NULL, { { "throughput", 13677.40 } } },
	{ "netperf/np2.7.1.tcp_rr.default.stdout", "netperf", NULL, NULL,
	    NULL, { { "trans", 39186.41 } } },
	{ "netperf/np2.7.1.error.wrong_port_no_netserver.stdout", "netperf",
	    NULL, "are you sure there is a netserver", NULL, { { NULL, 0 } } },
	{ "netperf/np2.7.1.version.stdout", "netperf", NULL,
	    "no result", NULL, { { NULL, 0 } } },
	{ "netperf/doc.tcp_stream.p0.stdout", "netperf", NULL, NULL, NULL,
	    { { "throughput", 13677.40 } } },
	{ "netperf/doc.tcp_stream.p0_cpu.stdout", "netperf", NULL, NULL, NULL,
	    { { "throughput", 9413.27 } } },
	{ "netperf/doc.udp_stream.p0.stdout", "netperf", NULL, NULL, NULL,
	    { { "send", 81.90 }, { "recv", 78.37 } } },
	{ "netperf/doc.tcp_rr.p0.stdout", "netperf", NULL, NULL, NULL,
	    { { "trans", 39186.41 } } },
	{ "netperf/doc.tcp_stream.ci.stdout", "netperf", NULL, NULL,
	    "confidence", { { "throughput", 13512.06 } } },
	{ "netperf/doc.udp_stream.ci_ok.stdout", "netperf", NULL, NULL, NULL,
	    { { "send", 82.09 }, { "recv", 81.93 } } },
	{ "netperf/doc.udp_stream.demo.stdout", "netperf", NULL, NULL,
	    "diverge", { { "send", 81.90 }, { "recv", 27.17 } } },
	{ "netperf/doc.udp_stream.demo_cut.stdout", "netperf", NULL,
	    "2 interim results", NULL, { { NULL, 0 } } },
	{ "netperf/doc.tcp_rr.omni_o.stdout", "netperf", NULL, NULL, NULL,
	    { { "throughput", 39186.41 }, { "trans", 39186.41 },
	    { "mean_latency_microseconds", 25.45 } } },
	{ "netperf/doc.tcp_rr.omni_o_p0.stdout", "netperf",
	    "THROUGHPUT,MEAN_LATENCY", NULL, NULL,
	    { { "throughput", 39186.41 }, { "mean_latency", 25.45 } } },
	{ "netperf/doc.tcp_rr.omni_o_p0.stdout", "netperf", NULL, NULL, NULL,
	    { { "col1", 39186.41 }, { "col2", 25.45 } } },
	{ "netperf/doc.tcp_stream.omni_O.stdout", "netperf",
	    "THROUGHPUT,THROUGHPUT_UNITS,MEAN_LATENCY", NULL, NULL,
	    { { "throughput", 13677.40 }, { "mean_latency", 4.79 } } },
	{ "netperf/doc.tcp_rr.omni_k.stdout", "netperf", NULL, NULL, NULL,
	    { { "throughput", 39186.41 }, { "trans", 39186.41 },
	    { "mean_latency", 25.45 }, { "p99_latency", 31 } } },
	{ "netperf/doc.error.send_failed.stdout", "netperf", NULL,
	    "send_data failed", NULL, { { NULL, 0 } } },
	{ "iperf3/tcp.default.stdout", "iperf3", NULL, NULL, NULL,
	    { { "send", 15305.04662731737 }, { "recv", 15297.675152934689 },
	    { "retransmits", 22 } } },
	{ "iperf3/udp.default.stdout", "iperf3", NULL, NULL, NULL,
	    { { "send", 99.99983601328292 }, { "loss", 0 },
	    { "jitter", 0.00494927183156441 } } },
	{ "iperf3/error.refused.stdout", "iperf3", NULL,
	    "unable to connect to server", NULL, { { NULL, 0 } } },
	{ "fio/randread.stdout", "fio", NULL, NULL, NULL,
	    { { "randread.read.iops", -1 }, { "randread.read.bw", -1 },
	    { "randread.read.clat_p99", -1 } } },
	{ "fio/randrw.stdout", "fio", NULL, NULL, NULL,
	    { { "mixed.read.iops", -1 }, { "mixed.write.iops", -1 },
	    { "mixed.write.clat_mean", -1 } } },
	{ "hackbench/default.stdout", "hackbench", NULL, NULL, NULL,
	    { { "time", 0.855 } } },
	{ "hackbench/threads.stdout", "hackbench", NULL, NULL, NULL,
	    { { "time", -1 } } },
	{ "perf-bench/sched-messaging.stdout", "perf-bench", NULL, NULL, NULL,
	    { { "total_time", 1.590 } } },
	{ "perf-bench/sched-pipe.stdout", "perf-bench", NULL, NULL, NULL,
	    { { "total_time", 1.559 }, { "usecs_per_op", 15.592310 },
	    { "ops_per_sec", 64134 } } },
	{ "perf-bench/futex-hash.stdout", "perf-bench", NULL, NULL, NULL,
	    { { "ops_per_sec", 527616 } } },
	{ "perf-bench/mem-memcpy.stdout", "perf-bench", NULL, NULL, NULL,
	    { { "bw", 42.850483 }, { "x86-64-movsb.bw", 54.678751 } } },
	{ "sysbench/cpu.stdout", "sysbench", NULL, NULL, NULL,
	    { { "events_per_sec", 4077.18 }, { "latency_p95", 0.31 },
	    { "events", 8170 }, { "total_time", 2.0006 } } },
	{ "sysbench/memory.stdout", "sysbench", NULL, NULL, NULL,
	    { { "ops_per_sec", 6041274.29 }, { "mib_per_sec", 5899.68 } } },
	{ "sysbench/threads.stdout", "sysbench", NULL, NULL, NULL,
	    { { "latency_avg", 1.36 }, { "events", 1464 } } },
	{ "stress-ng/cpu.stderr", "stress-ng", NULL, NULL, NULL,
	    { { "cpu.bogo_ops", 2996 }, { "cpu.bogo_ops_s", 1494.22 },
	    { "cpu.bogo_ops_s_cpu", 1626.18 } } },
	{ "stress-ng/vm.stderr", "stress-ng", NULL, NULL, NULL,
	    { { "vm.bogo_ops_s", 78095.71 } } },
	{ "stress-ng/error.badopt.stderr", "stress-ng", NULL,
	    "unrecognized option", NULL, { { NULL, 0 } } },
	{ "time/sleep.stderr", "time", NULL, NULL, NULL,
	    { { "elapsed", 0.20 }, { "user", 0 }, { "max_rss", 1668 } } },
	{ "time/false.stderr", "time", NULL, "non-zero status 3", NULL,
	    { { NULL, 0 } } },
};

static void
read_fixture(const char *file, struct buf *out)
{
	struct error err = ERROR_INIT;
	char *path = xasprintf("tests/fixtures/%s", file);

	if (read_file(path, out, &err) == -1)
		fail_msg("%s", error_msg(&err));
	error_clear(&err);
	free(path);
}

static void
test_fixtures(void **state)
{
	const struct fixture_case *c;
	const struct metric_value *v;
	struct metric_values vals;
	struct error err = ERROR_INIT;
	struct buf text = BUF_INIT;
	size_t i, k;
	int rc;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(fixture_cases); i++) {
		c = &fixture_cases[i];
		buf_reset(&text);
		read_fixture(c->file, &text);
		metric_values_init(&vals);
		error_clear(&err);
		rc = parse_output(c->parser, c->arg, text.s, text.len, &vals,
		    &err);
		if (c->error) {
			if (rc != -1 || strstr(error_msg(&err), c->error) ==
			    NULL)
				fail_msg("%s: want error '%s', got %d '%s'",
				    c->file, c->error, rc, err.msg.s);
		} else if (rc != 0) {
			fail_msg("%s: %s", c->file, error_msg(&err));
		}
		for (k = 0; k < ARRAY_SIZE(c->want) && c->want[k].name; k++) {
			v = metric_values_find(&vals, c->want[k].name);
			if (v == NULL)
				fail_msg("%s: no metric '%s'", c->file,
				    c->want[k].name);
			if (c->want[k].value < 0 ? !(v->value > 0) :
			    fabs(v->value - c->want[k].value) > 1e-6 *
			    (1 + fabs(c->want[k].value)))
				fail_msg("%s: %s = %.17g, want %.17g", c->file,
				    c->want[k].name, v->value,
				    c->want[k].value);
		}
		if (c->warning && strstr(vals.warnings.s, c->warning) == NULL)
			fail_msg("%s: want warning '%s', got '%s'", c->file,
			    c->warning, vals.warnings.s);
		if (!c->warning && vals.warnings.len)
			fail_msg("%s: unexpected warning '%s'", c->file,
			    vals.warnings.s);
		metric_values_release(&vals);
	}
	buf_release(&text);
	error_clear(&err);
}

/* Inline cases: parser, argument, input, then metric=value or !error. */
struct inline_case {
	const char	*parser;
	const char	*arg;
	const char	*input;
	const char	*expect;	/* "a=1|b=2", "!substring", or "" */
};

static const struct inline_case inline_cases[] = {
	{ "keyvalue", NULL, "time: 0.123\n", "time=0.123" },
	{ "keyvalue", NULL, "time = 0.5 s\nrate: 12 ops/s\r\n",
	    "time=0.5|rate=12" },
	{ "keyvalue", NULL, "Requests per second: 1e3\n",
	    "Requests per second=1000" },
	{ "keyvalue", NULL, "time: 0.1\ntime: 0.2\n", "time=0.2" },
	{ "keyvalue", NULL, "time: 12abc\nx: y\n: 3\nnoise\n", "" },
	{ "keyvalue", NULL, "cpu: 45%\n", "cpu=45" },
	{ "keyvalue", NULL, "t: -1.5e-3", "t=-0.0015" },
	{ "keyvalue", NULL, "", "" },
	{ "regex", "took (?<lat>[0-9.]+) ms", "a\nop took 12.5 ms\n",
	    "lat=12.5" },
	{ "regex", "^([a-z]+) = ([0-9.]+)$", "x = 1\ny = 2\n", "x=1|y=2" },
	{ "regex", "value ([0-9]+)", "value 7 and value 9\n", "value=9" },
	{ "regex", "(?<a>[0-9]+)/(?<b>[0-9]+)", "3/4\n", "a=3|b=4" },
	{ "regex", "[(](?<v>[0-9]+)[)]", "(42)\n", "v=42" },
	{ "regex", "(?:x|y)(?<v>[0-9]+)", "y5\n", "v=5" },
	{ "regex", "(", "x\n", "!bad regex" },
	{ "regex", "abc", "abc\n", "!no group" },
	{ "regex", "(?<>x)", "x\n", "!bad group name" },
	/* fuzz: a bad name after a good one leaked the good one's name */
	{ "regex", "(?<ms>[0-9]+) (?<ms total>x)", "1 x\n",
	    "!bad group name" },
	{ "regex", "(a)\\1", "aa\n", "!back-references" },
	{ "regex", "(a*)", "aaaa\n", "" },
	{ "regex", NULL, "x\n", "!needs a regex" },
	{ "regex", "^", "x\n", "!no group" },
	{ "regex", "(x*)", "abc\n", "" },
	{ "json", "a.b[1].c", "{\"a\":{\"b\":[{},{\"c\":2.5}]}}",
	    "a.b[1].c=2.5" },
	{ "json", "lat=a.l iops=a.i", "warning: x\n{\"a\":{\"l\":1,\"i\":2}}",
	    "lat=1|iops=2" },
	{ "json", NULL, "{\"x\":[1,{\"y\":2}],\"s\":\"t\"}", "x[0]=1|x[1].y=2" },
	{ "json", "a", "{\"a\": \"3.5\"}", "a=3.5" },
	{ "json", "a", "{\"a\": 1", "!truncated JSON" },
	{ "json", "a", "no json here\n", "!no JSON document" },
	{ "json", "a[x]", "{\"a\":[1]}", "!bad index" },
	{ "json", "a", "{\"b\":1}", "" },
	{ "csv", NULL, "time,rate\n1.5,200\n2.5,300\n", "time=2.5|rate=300" },
	{ "csv", "rate", "time,rate\n1.5,200\n", "rate=200" },
	{ "csv", "2", "1,2,3\n4,5,6\n", "2=5" },
	{ "csv", "2", "a,b\n1,2\n", "b=2" },
	{ "csv", NULL, "\"x,y\",z\n\"1\",2\n", "x,y=1|z=2" },
	{ "csv", NULL, "a,b\n1,\n", "a=1" },
	{ "netperf", NULL, "garbage\n", "!no result" },
	{ "netperf", NULL, "1 2 3\n", "col1=1|col2=2|col3=3" },
	{ "netperf", NULL, "", "!no result" },
	{ "iperf3", NULL, "{\"start\":{}", "!truncated" },
	{ "iperf3", NULL, "[1]", "!not an object" },
	{ "iperf3", NULL, "{}", "!no \"end\"" },
	{ "fio", NULL, "{\"jobs\":[{\"jobname\":\"j\",\"error\":5}]}",
	    "!failed with error 5" },
	{ "fio", NULL, "{\"jobs\":[]}", "!no jobs" },
	{ "fio", NULL, "{\"jobs\":[{}]}", "!no name" },
	{ "hackbench", NULL, "Error: bad groups\n", "!Error" },
	{ "sysbench", NULL, "FATAL: no such test\n", "!FATAL" },
	{ "ebizzy", NULL, "12345 records/s\nreal 10.00 s\n", "records=12345" },
	{ "time", NULL, "\tElapsed (wall clock) time (h:mm:ss or m:ss): "
	    "1:02:03.5\n", "elapsed=3723.5" },
	{ "time", NULL, "Command terminated by signal 9\n", "!signal 9" },
	{ "nosuch", NULL, "", "!unknown parser 'nosuch'" },
};

static void
check_inline(const struct inline_case *c, size_t len)
{
	const struct metric_value *v;
	struct metric_values vals;
	struct error err = ERROR_INIT;
	const char *p, *e, *eq;
	char *name;
	double want;
	size_t nwant = 0;
	int rc;

	metric_values_init(&vals);
	rc = parse_output(c->parser, c->arg, c->input, len, &vals, &err);
	if (c->expect[0] == '!') {
		if (rc != -1 || strstr(error_msg(&err), c->expect + 1) == NULL)
			fail_msg("%s '%s': want error '%s', got %d '%s'",
			    c->parser, c->input, c->expect + 1, rc, err.msg.s);
		goto out;
	}
	if (rc != 0)
		fail_msg("%s '%s': %s", c->parser, c->input, error_msg(&err));
	/* "name=value" pairs separated by '|'; names may hold blanks. */
	for (p = c->expect; *p; p = *e ? e + 1 : e) {
		if ((e = strchr(p, '|')) == NULL)
			e = p + strlen(p);
		for (eq = e; eq > p && *eq != '='; eq--)
			;
		assert_true(*eq == '=');
		name = xstrndup(p, (size_t)(eq - p));
		want = strtod(eq + 1, NULL);
		v = metric_values_find(&vals, name);
		if (v == NULL || fabs(v->value - want) > 1e-9 * (1 +
		    fabs(want)))
			fail_msg("%s '%s': %s = %g, want %g", c->parser,
			    c->input, name, v ? v->value : NAN, want);
		free(name);
		nwant++;
	}
	if (vals.n != nwant)
		fail_msg("%s '%s': %zu metrics, want %zu", c->parser, c->input,
		    vals.n, nwant);
out:
	metric_values_release(&vals);
	error_clear(&err);
}

static void
test_inline(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(inline_cases); i++)
		check_inline(&inline_cases[i], strlen(inline_cases[i].input));
}

/* An embedded NUL: parsers see the length, not the C string. */
static void
test_embedded_nul(void **state)
{
	static const char text[] = "a: 1\n\0b: 2\nc: 3\n";
	struct metric_values vals;
	struct error err = ERROR_INIT;

	(void)state;
	metric_values_init(&vals);
	assert_int_equal(parse_output("keyvalue", NULL, text,
	    sizeof(text) - 1, &vals, &err), 0);
	assert_non_null(metric_values_find(&vals, "a"));
	assert_non_null(metric_values_find(&vals, "c"));
	metric_values_release(&vals);
	assert_int_equal(parse_output("netperf", NULL, text, sizeof(text) - 1,
	    &vals, &err), -1);
	metric_values_release(&vals);
	error_clear(&err);
}

/* A 100 MB single line: refused with a reason, never a crash. */
static void
test_huge_line(void **state)
{
	static const char *const parsers[] = { "keyvalue", "regex", "json",
	    "csv", "netperf", "iperf3", "fio", "hackbench", "perf-bench",
	    "sysbench", "stress-ng", "ebizzy", "time" };
	size_t n = 100u * 1024 * 1024, i;
	struct metric_values vals;
	struct error err = ERROR_INIT;
	char *big = xmalloc(n);

	(void)state;
	memset(big, '7', n);
	for (i = 0; i < ARRAY_SIZE(parsers); i++) {
		metric_values_init(&vals);
		assert_int_equal(parse_output(parsers[i], "(?<v>7+)", big, n,
		    &vals, &err), -1);
		assert_non_null(strstr(error_msg(&err), "too large"));
		metric_values_release(&vals);
	}
	/* Under the output limit, a 2 MB line is skipped, not copied. */
	memcpy(big, "x: ", 3);
	big[2 * 1024 * 1024] = '\n';
	memcpy(big + 2 * 1024 * 1024 + 1, "y: 5\n", 5);
	metric_values_init(&vals);
	assert_int_equal(parse_output("keyvalue", NULL, big,
	    2 * 1024 * 1024 + 6, &vals, &err), 0);
	assert_int_equal(vals.n, 1);
	assert_string_equal(vals.v[0].name, "y");
	metric_values_release(&vals);
	free(big);
	error_clear(&err);
}

/* Too many distinct metrics are an error, not quadratic time. */
static void
test_many_metrics(void **state)
{
	struct metric_values vals;
	struct error err = ERROR_INIT;
	struct buf b = BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < PARSE_MAX_METRICS + 5; i++)
		buf_addf(&b, "m%d: %d\n", i, i);
	metric_values_init(&vals);
	assert_int_equal(parse_output("keyvalue", NULL, b.s, b.len, &vals,
	    &err), -1);
	assert_non_null(strstr(error_msg(&err), "metrics"));
	metric_values_release(&vals);
	buf_release(&b);
	error_clear(&err);
}

/* NaN and inf are parsed as such; the selector refuses them. */
static void
test_nonfinite(void **state)
{
	struct metric_values vals;
	struct error err = ERROR_INIT;

	(void)state;
	metric_values_init(&vals);
	assert_int_equal(parse_output("keyvalue", NULL,
	    "a: nan\nb: -inf\n", 16, &vals, &err), 0);
	assert_true(isnan(metric_values_find(&vals, "a")->value));
	assert_true(isinf(metric_values_find(&vals, "b")->value));
	metric_values_release(&vals);
	error_clear(&err);
}

/*
 * Replay the inputs the fuzzer crashed on (under tests/fuzz/crashes):
 * the same decoding as tests/fuzz/fuzz_parse.c, parsers only.
 */
static void
test_fuzz_crashes(void **state)
{
	static const char *const files[] = {
		"leak-9d347a13fbbd1a9c06f0d18afa620587cc6d167d",
	};
	const char *const *parsers = parse_parsers();
	struct metric_values vals;
	struct error err = ERROR_INIT;
	struct buf data = BUF_INIT;
	const char *text, *nl;
	size_t i, n, np, len;
	char *path, *arg;

	(void)state;
	for (np = 0; parsers[np]; np++)
		;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		path = xasprintf("tests/fuzz/crashes/%s", files[i]);
		buf_reset(&data);
		if (read_file(path, &data, &err) == -1)
			fail_msg("%s", error_msg(&err));
		free(path);
		assert_true(data.len > 0);
		n = (unsigned char)data.s[0] % (np + 1);
		if (n == np)
			continue;
		text = data.s + 1;
		len = data.len - 1;
		arg = NULL;
		if ((nl = memchr(text, '\n', len)) != NULL) {
			arg = xstrndup(text, (size_t)(nl - text));
			len -= (size_t)(nl - text) + 1;
			text = nl + 1;
		}
		metric_values_init(&vals);
		if (parse_check_arg(parsers[n], arg, &err) == 0)
			parse_output(parsers[n], arg, text, len, &vals, &err);
		metric_values_release(&vals);
		free(arg);
	}
	buf_release(&data);
	error_clear(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_huge_line),
		cmocka_unit_test(test_many_metrics),
		cmocka_unit_test(test_nonfinite),
		cmocka_unit_test(test_fuzz_crashes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
