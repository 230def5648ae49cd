/* SPDX-License-Identifier: MIT */
/*
 * test_bench.c - the catalogue, custom benchmarks from a config file,
 * selectors, command templates and extracting a run's value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <git2.h>

#include "bisect/config.h"
#include "bisect/util.h"
#include "metrics/bench.h"

/* Load the catalogue plus a config written from text (NULL: none). */
static void
load(struct bench_set *set, const char *text, const char *want_err)
{
	struct error err = ERROR_INIT;
	struct config *cfg = NULL;
	char path[] = "/tmp/pb-test-bench-XXXXXX";
	int fd, rc;

	bench_set_init(set);
	if (text) {
		if ((fd = mkstemp(path)) == -1)
			fail_msg("mkstemp failed");
		if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
			fail_msg("write failed");
		close(fd);
		if (config_open(&cfg, path, 1, &err) == -1)
			fail_msg("config: %s", error_msg(&err));
		unlink(path);
	}
	rc = bench_set_load(set, cfg, &err);
	if (want_err) {
		if (rc != -1 || strstr(error_msg(&err), want_err) == NULL)
			fail_msg("want error '%s', got %d '%s'", want_err, rc,
			    err.msg.s);
	} else if (rc != 0) {
		fail_msg("load: %s", error_msg(&err));
	}
	if (cfg)
		config_free(cfg);
	error_clear(&err);
}

static void
test_catalogue(void **state)
{
	static const char *const names[] = { "netperf-udp", "netperf-tcp",
	    "netperf-rr", "iperf3", "iperf3-udp", "fio", "hackbench",
	    "perf-bench", "sysbench", "stress-ng", "ebizzy", "time" };
	struct bench_set set;
	const struct bench *b;
	size_t i, k;

	(void)state;
	load(&set, NULL, NULL);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		b = bench_set_find(&set, names[i]);
		assert_non_null(b);
		assert_true(b->builtin);
		assert_non_null(parse_parser_help(b->parser));
		assert_true(b->nmetrics > 0);
		for (k = 0; k < b->nmetrics; k++)
			assert_true(b->metrics[k].better_set);
	}
	assert_null(bench_set_find(&set, "nosuch"));
	bench_set_release(&set);
}

struct sel_case {
	const char	*selector;
	const char	*command;	/* expected, or NULL */
	const char	*metric;	/* key in the parser's output */
	const char	*text;
	const char	*error;		/* substring, or NULL */
};

static const struct sel_case sel_cases[] = {
	{ "netperf-udp:send@size=64",
	    "netperf -4 -H 127.0.0.1 -p '12865' -t UDP_STREAM -l '10' -- "
	    "-m '64'", "send", "netperf-udp:send@size=64,duration=10,"
	    "port=12865", NULL },
	{ "netperf-udp:loss", NULL, "loss", NULL, NULL },
	{ "netperf-udp:send@size=7", NULL, NULL, NULL,
	    "invalid value '7' for parameter 'size' of 'netperf-udp' (valid: "
	    "64,128" },
	{ "netperf-udp:send@bogus=1", NULL, NULL, NULL,
	    "unknown parameter 'bogus' for benchmark 'netperf-udp' "
	    "(parameters: size, duration, port)" },
	{ "netperf-udp:send@size=64,size=128", NULL, NULL, NULL,
	    "given twice" },
	{ "netperf-udp:send@size", NULL, NULL, NULL, "bad parameter" },
	{ "netperf-udp:sned", NULL, NULL, NULL,
	    "unknown metric 'sned' for benchmark 'netperf-udp' (metrics: "
	    "send, recv, loss)" },
	{ "netperf:send", NULL, NULL, NULL,
	    "unknown benchmark 'netperf' (benchmarks: netperf-udp, " },
	{ "send", NULL, NULL, NULL, "bad metric selector" },
	{ ":send", NULL, NULL, NULL, "bad metric selector" },
	{ "netperf-rr:trans@test=UDP_RR",
	    "netperf -4 -H 127.0.0.1 -p '12865' -t 'UDP_RR' -l '10' -- "
	    "-r '1','1'", "trans", NULL, NULL },
	{ "fio:read.iops@job=seq", NULL, "seq.read.iops", NULL, NULL },
	{ "stress-ng:bogo_ops_s@stressor=vm", NULL, "vm.bogo_ops_s", NULL,
	    NULL },
	{ "time:elapsed@cmd=echo 'hi'; rm -rf x",
	    "env time -v sh -c 'echo '\\''hi'\\''; rm -rf x'", "elapsed",
	    NULL, NULL },
	{ "hackbench:time@groups=$(reboot)",
	    "hackbench -g '$(reboot)' -f '20' -l '1000'", "time", NULL,
	    NULL },
};

static void
test_selectors(void **state)
{
	const struct sel_case *c;
	struct error err = ERROR_INIT;
	struct metric_sel sel;
	struct bench_set set;
	size_t i;
	int rc;

	(void)state;
	load(&set, NULL, NULL);
	for (i = 0; i < ARRAY_SIZE(sel_cases); i++) {
		c = &sel_cases[i];
		rc = metric_sel_resolve(&set, c->selector, &sel, &err);
		if (c->error) {
			if (rc != -1 || strstr(error_msg(&err), c->error) ==
			    NULL)
				fail_msg("%s: want error '%s', got %d '%s'",
				    c->selector, c->error, rc, err.msg.s);
			continue;
		}
		if (rc != 0)
			fail_msg("%s: %s", c->selector, error_msg(&err));
		if (c->command)
			assert_string_equal(sel.command, c->command);
		if (c->metric)
			assert_string_equal(sel.metric, c->metric);
		if (c->text)
			assert_string_equal(sel.text, c->text);
		metric_sel_release(&sel);
	}
	bench_set_release(&set);
	error_clear(&err);
}

static void
test_setup_teardown(void **state)
{
	struct error err = ERROR_INIT;
	struct metric_sel sel;
	struct bench_set set;

	(void)state;
	load(&set, NULL, NULL);
	assert_int_equal(metric_sel_resolve(&set, "netperf-tcp:throughput@"
	    "port=13000", &sel, &err), 0);
	assert_non_null(strstr(sel.setup, "netserver -D -4 -L 127.0.0.1 -p "
	    "'13000'"));
	assert_non_null(strstr(sel.teardown, "perfbisect-netserver.'13000'"
	    ".pid"));
	metric_sel_release(&sel);
	bench_set_release(&set);
}

static const char synth_conf[] =
	"[benchmark \"synth\"]\n"
	"\tcommand = ./bench.sh\n"
	"\tparser = keyvalue\n"
	"[metric \"synth:time\"]\n"
	"\tdirection = lower\n";

static void
test_custom_minimal(void **state)
{
	struct error err = ERROR_INIT;
	struct metric_sel sel;
	struct bench_set set;
	struct buf warn = BUF_INIT;
	double v = 0;

	(void)state;
	load(&set, synth_conf, NULL);
	assert_int_equal(metric_sel_resolve(&set, "synth:time", &sel, &err),
	    0);
	assert_string_equal(sel.command, "./bench.sh");
	assert_string_equal(sel.metric, "time");
	assert_int_equal(sel.better, BETTER_LOWER);
	assert_null(sel.setup);
	assert_int_equal(metric_sel_extract(&sel, "time: 0.123\n", 12, "", 0,
	    &v, &warn, &err), 0);
	assert_true(v == 0.123);
	assert_int_equal(metric_sel_extract(&sel, "", 0, "", 0, &v, &warn,
	    &err), -1);
	assert_string_equal(error_msg(&err), "benchmark 'synth': no value "
	    "for 'time': the output is empty");
	assert_int_equal(metric_sel_extract(&sel, "rate: 1\n", 8, "", 0, &v,
	    &warn, &err), -1);
	assert_string_equal(error_msg(&err), "benchmark 'synth': no value "
	    "for 'time' in the output (found: rate)");
	assert_int_equal(metric_sel_extract(&sel, "time: nan\n", 10, "", 0,
	    &v, &warn, &err), -1);
	assert_string_equal(error_msg(&err), "benchmark 'synth': metric "
	    "'time' is NaN, not a finite number");
	assert_int_equal(metric_sel_extract(&sel, "time: inf\n", 10, "", 0,
	    &v, &warn, &err), -1);
	assert_non_null(strstr(error_msg(&err), "infinite"));
	metric_sel_release(&sel);

	assert_int_equal(metric_sel_resolve(&set, "synth:rate", &sel, &err),
	    -1);
	assert_string_equal(error_msg(&err), "metric 'synth:rate' has no "
	    "direction; set metric.synth:rate.direction");
	bench_set_release(&set);
	buf_release(&warn);
	error_clear(&err);
}

static void
test_custom_full(void **state)
{
	static const char conf[] =
	    "[benchmark \"lat\"]\n"
	    "\tcommand = ./lat --size {size} --mode {mode} | awk '{print $1}'"
	    " ${HOME}\n"
	    "\tstream = stderr\n"
	    "\tparser = regex\n"
	    "\tregex = \"took (?<ms>[0-9.]+) ms\"\n"
	    "\tparams = size=64 mode=fast\n"
	    "\truns = 7\n"
	    "\twarmup = 2\n"
	    "\tsetup = ./start {size}\n"
	    "\terror = ^FAIL\n"
	    "[metric \"lat:ms\"]\n"
	    "\tdirection = lower\n"
	    "\tunit = ms\n";
	struct error err = ERROR_INIT;
	struct metric_sel sel;
	struct bench_set set;
	const struct bench *b;
	double v = 0;

	(void)state;
	load(&set, conf, NULL);
	b = bench_set_find(&set, "lat");
	assert_non_null(b);
	assert_int_equal(b->runs, 7);
	assert_int_equal(b->warmup, 2);
	assert_int_equal(b->stream, STREAM_STDERR);
	assert_int_equal(metric_sel_resolve(&set, "lat:ms@mode=a b", &sel,
	    &err), 0);
	assert_string_equal(sel.command, "./lat --size '64' --mode 'a b' | "
	    "awk '{print $1}' ${HOME}");
	assert_string_equal(sel.setup, "./start '64'");
	assert_string_equal(sel.unit, "ms");
	assert_string_equal(sel.text, "lat:ms@size=64,mode=a b");
	assert_int_equal(metric_sel_extract(&sel, "took 1 ms\n", 10,
	    "x\ntook 2.5 ms\n", 13, &v, NULL, &err), 0);
	assert_true(v == 2.5);
	assert_int_equal(metric_sel_extract(&sel, "", 0,
	    "took 2.5 ms\nFAIL: boom\n", 23, &v, NULL, &err), -1);
	assert_string_equal(error_msg(&err), "benchmark 'lat': error in the "
	    "output: FAIL: boom");
	metric_sel_release(&sel);
	bench_set_release(&set);
	error_clear(&err);
}

struct load_case {
	const char	*conf;
	const char	*error;
};

static const struct load_case load_cases[] = {
	{ "[benchmark \"x\"]\n\tparser = keyvalue\n", "has no command" },
	{ "[benchmark \"x\"]\n\tcommand = y\n", "has no parser" },
	{ "[benchmark \"x\"]\n\tcommand = y\n\tparser = nope\n",
	    "unknown parser 'nope' (parsers: keyvalue, regex" },
	{ "[benchmark \"x\"]\n\tcommand = y\n\tparser = regex\n",
	    "set benchmark.x.regex" },
	{ "[benchmark \"x\"]\n\tcommand = y\n\tparser = regex\n"
	    "\tregex = (\n", "bad regex" },
	{ "[benchmark \"x\"]\n\tcommand = y\n\tparser = keyvalue\n"
	    "\tpath = a.b\n", "applies to parser json, not keyvalue" },
	{ "[benchmark \"x\"]\n\tcommand = y\n\tparser = keyvalue\n"
	    "\tstream = both\n", "not stdout or stderr" },
	{ "[benchmark \"x\"]\n\tcomand = y\n", "unknown key" },
	{ "[benchmark \"x\"]\n\tcommand = y\n\tparser = keyvalue\n"
	    "\truns = 0\n", "runs" },
	{ "[benchmark \"x:y\"]\n\tcommand = y\n\tparser = keyvalue\n",
	    "benchmark name" },
	{ "[metric \"nosuch:t\"]\n\tdirection = lower\n",
	    "no benchmark 'nosuch'" },
	{ "[metric \"time\"]\n\tdirection = lower\n", "BENCHMARK:METRIC" },
	{ "[metric \"time:elapsed\"]\n\tdirection = up\n",
	    "not lower or higher" },
	{ "[metric \"time:elapsed\"]\n\tdir = up\n", "unknown key" },
};

static void
test_load_errors(void **state)
{
	struct bench_set set;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(load_cases); i++) {
		load(&set, load_cases[i].conf, load_cases[i].error);
		bench_set_release(&set);
	}
}

/* Config settings override a built-in benchmark and add metrics. */
static void
test_override_builtin(void **state)
{
	static const char conf[] =
	    "[benchmark \"hackbench\"]\n"
	    "\tcommand = hackbench -T -g {groups}\n"
	    "\truns = 3\n"
	    "[metric \"time:exit_status\"]\n"
	    "\tdirection = lower\n"
	    "[metric \"hackbench:time\"]\n"
	    "\tunit = seconds\n";
	struct error err = ERROR_INIT;
	struct metric_sel sel;
	struct bench_set set;

	(void)state;
	load(&set, conf, NULL);
	assert_int_equal(metric_sel_resolve(&set, "hackbench:time", &sel,
	    &err), 0);
	assert_string_equal(sel.command, "hackbench -T -g '10'");
	assert_string_equal(sel.unit, "seconds");
	assert_int_equal(sel.better, BETTER_LOWER);
	assert_int_equal(sel.bench->runs, 3);
	metric_sel_release(&sel);
	assert_int_equal(metric_sel_resolve(&set, "time:exit_status", &sel,
	    &err), 0);
	metric_sel_release(&sel);
	bench_set_release(&set);
	error_clear(&err);
}

/* Built-in extraction over the real fixtures, stream choice included. */
static void
test_extract_fixtures(void **state)
{
	struct error err = ERROR_INIT;
	struct buf out = BUF_INIT, warn = BUF_INIT;
	struct metric_sel sel;
	struct bench_set set;
	double v = 0;

	(void)state;
	load(&set, NULL, NULL);
	assert_int_equal(read_file("tests/fixtures/netperf/"
	    "np2.7.1.udp_stream.default.stdout", &out, &err), 0);
	assert_int_equal(metric_sel_resolve(&set, "netperf-udp:recv", &sel,
	    &err), 0);
	assert_int_equal(metric_sel_extract(&sel, out.s, out.len, "", 0, &v,
	    &warn, &err), 0);
	assert_true(v == 36077.13);
	assert_non_null(strstr(warn.s, "diverge"));
	buf_reset(&out);
	assert_int_equal(read_file("tests/fixtures/netperf/"
	    "np2.7.1.error.wrong_port_no_netserver.stdout", &out, &err), 0);
	assert_int_equal(metric_sel_extract(&sel, out.s, out.len, "", 0, &v,
	    &warn, &err), -1);
	assert_non_null(strstr(error_msg(&err), "benchmark 'netperf-udp': "
	    "netperf: establish control"));
	metric_sel_release(&sel);

	buf_reset(&out);
	assert_int_equal(read_file("tests/fixtures/stress-ng/cpu.stderr", &out,
	    &err), 0);
	assert_int_equal(metric_sel_resolve(&set, "stress-ng:bogo_ops_s", &sel,
	    &err), 0);
	assert_int_equal(metric_sel_extract(&sel, "", 0, out.s, out.len, &v,
	    &warn, &err), 0);
	assert_true(v == 1494.22);
	assert_int_equal(metric_sel_extract(&sel, out.s, out.len, "", 0, &v,
	    &warn, &err), -1);
	metric_sel_release(&sel);

	buf_reset(&out);
	assert_int_equal(read_file("tests/fixtures/iperf3/error.refused.stdout",
	    &out, &err), 0);
	assert_int_equal(metric_sel_resolve(&set, "iperf3:send", &sel, &err),
	    0);
	assert_int_equal(metric_sel_extract(&sel, out.s, out.len, "", 0, &v,
	    &warn, &err), -1);
	assert_string_equal(error_msg(&err), "benchmark 'iperf3': iperf3: "
	    "unable to connect to server: Connection refused");
	assert_int_equal(metric_sel_extract(&sel, out.s, out.len / 2, "", 0,
	    &v, &warn, &err), -1);
	assert_non_null(strstr(error_msg(&err), "truncated JSON"));
	metric_sel_release(&sel);

	buf_reset(&out);
	assert_int_equal(read_file("tests/fixtures/fio/randrw.stdout", &out,
	    &err), 0);
	assert_int_equal(metric_sel_resolve(&set, "fio:write.clat_p99@"
	    "job=mixed,rw=randrw", &sel, &err), 0);
	assert_int_equal(metric_sel_extract(&sel, out.s, out.len, "", 0, &v,
	    &warn, &err), 0);
	assert_true(v > 0);
	metric_sel_release(&sel);
	assert_int_equal(metric_sel_resolve(&set, "fio:read.iops", &sel,
	    &err), 0);
	assert_int_equal(metric_sel_extract(&sel, out.s, out.len, "", 0, &v,
	    &warn, &err), -1);
	assert_non_null(strstr(error_msg(&err), "no value for "
	    "'randread.read.iops' in the output (found: mixed.read.iops"));
	metric_sel_release(&sel);

	bench_set_release(&set);
	buf_release(&out);
	buf_release(&warn);
	error_clear(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_setup_teardown),
		cmocka_unit_test(test_custom_minimal),
		cmocka_unit_test(test_custom_full),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_override_builtin),
		cmocka_unit_test(test_extract_fixtures),
	};
	int rc;

	git_libgit2_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	git_libgit2_shutdown();
	return rc;
}
