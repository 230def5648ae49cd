/* SPDX-License-Identifier: MIT */
/*
 * bench.c - the benchmark catalogue, custom benchmarks from the config,
 * metric selectors and extracting the selected value from a run.
 *
 * Configuration (copy into perfbisect.conf(5)):
 *
 *   [benchmark "NAME"]          a custom benchmark, or settings that
 *                               override a built-in one's
 *       command = CMD           shell command; {param} is replaced by the
 *                               parameter's value, shell-quoted
 *       stream = stdout|stderr  which output to parse (default stdout)
 *       parser = P              keyvalue, regex, json, csv, netperf,
 *                               iperf3, fio, hackbench, perf-bench,
 *                               sysbench, stress-ng, ebizzy, time
 *       regex = ERE             for parser regex: a POSIX extended regex
 *                               applied to each line; (?<name>...) names
 *                               a metric; without names, group 1 is the
 *                               metric's name and group 2 its value, or
 *                               a lone group is the metric "value"
 *       path = [NAME=]PATH ...  for parser json: a.b[0].c paths; without
 *                               it every number is a metric named by
 *                               its path
 *       column = COL            for parser csv: header name or 1-based
 *                               index; without it every column
 *       selectors = A,B,...     for parser netperf: the -o/-O selector
 *                               list, to name the omni output's columns
 *       params = N=DEF ...      parameters of a custom benchmark and
 *                               their defaults (blank-separated)
 *       runs = N, warmup = N    measured and warm-up runs per boot
 *       setup = CMD             run once before the runs (start a
 *                               server); {param} expands as in command
 *       teardown = CMD          run once after the runs
 *       error = ERE             a line of the parsed output matching it
 *                               fails the run (an error marker)
 *       description = TEXT      shown by "perfbisect benchmarks"
 *
 *   [metric "BENCH:METRIC"]
 *       direction = lower|higher  which way is better (required for a
 *                               metric of a custom benchmark)
 *       unit = TEXT             for reports
 *
 * A selector BENCH:METRIC[@param=value,...] picks one metric; parameter
 * values must not contain ',' (they are shell-quoted, so any other
 * character is safe).
 */
#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/config.h"
#include "bisect/util.h"
#include "metrics/bench.h"
#include "stats/verdict.h"

struct cat_param {
	const char	*name;
	const char	*def;
	const char	*choices;
	const char	*help;
};

struct cat_metric {
	const char	*name;
	const char	*unit;
	enum better	 better;
	const char	*key;
	const char	*help;
};

struct cat_bench {
	const char	*name;
	const char	*help;
	const char	*command;
	enum bench_stream stream;
	const char	*parser;
	const char	*parser_arg;
	const char	*setup;
	const char	*teardown;
	const struct cat_param *params;
	const struct cat_metric *metrics;
};

#define LOWER	BETTER_LOWER
#define HIGHER	BETTER_HIGHER

#define NETSERVER_PID "\"${TMPDIR:-/tmp}\"/perfbisect-netserver.{port}.pid"
#define NETSERVER_SETUP \
	"netserver -D -4 -L 127.0.0.1 -p {port} >/dev/null 2>&1 & " \
	"echo $! >" NETSERVER_PID "; sleep 1"
#define NETSERVER_TEARDOWN \
	"kill \"$(cat " NETSERVER_PID ")\"; rm -f " NETSERVER_PID
#define IPERF3_PID "\"${TMPDIR:-/tmp}\"/perfbisect-iperf3.{port}.pid"
#define IPERF3_SETUP \
	"iperf3 -s -4 -B 127.0.0.1 -p {port} -D --pidfile " IPERF3_PID \
	" && sleep 1"
#define IPERF3_TEARDOWN \
	"kill \"$(cat " IPERF3_PID ")\"; rm -f " IPERF3_PID

#define P_DURATION { "duration", "10", NULL, "test length in seconds" }
#define P_NETPORT { "port", "12865", NULL, "netserver control port" }

static const struct cat_param netperf_udp_params[] = {
	{ "size", "64", "64,128,256,1024,2048,3312,4096,8192,16384",
	    "UDP payload size in bytes (-m)" },
	P_DURATION, P_NETPORT, { NULL, NULL, NULL, NULL },
};
static const struct cat_metric netperf_udp_metrics[] = {
	{ "send", "10^6bits/s", HIGHER, NULL, "sender throughput" },
	{ "recv", "10^6bits/s", HIGHER, NULL, "receiver throughput" },
	{ "loss", "%", LOWER, NULL, "sent messages that did not arrive" },
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_param netperf_tcp_params[] = {
	{ "size", "16384", NULL, "send size in bytes (-m)" },
	P_DURATION, P_NETPORT, { NULL, NULL, NULL, NULL },
};
static const struct cat_metric netperf_tcp_metrics[] = {
	{ "throughput", "10^6bits/s", HIGHER, NULL, "TCP throughput" },
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_param netperf_rr_params[] = {
	{ "test", "TCP_RR", "TCP_RR,UDP_RR", "netperf test (-t)" },
	{ "request", "1", NULL, "request size in bytes" },
	{ "response", "1", NULL, "response size in bytes" },
	P_DURATION, P_NETPORT, { NULL, NULL, NULL, NULL },
};
static const struct cat_metric netperf_rr_metrics[] = {
	{ "trans", "trans/s", HIGHER, NULL, "transactions per second" },
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_param iperf3_params[] = {
	P_DURATION,
	{ "port", "5201", NULL, "iperf3 server port" },
	{ NULL, NULL, NULL, NULL },
};
static const struct cat_metric iperf3_metrics[] = {
	{ "send", "Mbit/s", HIGHER, NULL, "sender throughput" },
	{ "recv", "Mbit/s", HIGHER, NULL, "receiver throughput" },
	{ "retransmits", "segments", LOWER, NULL, "TCP retransmits" },
	{ "cpu_host", "%", LOWER, NULL, "client CPU utilisation" },
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_param iperf3_udp_params[] = {
	P_DURATION,
	{ "port", "5201", NULL, "iperf3 server port" },
	{ "bitrate", "1G", NULL, "target bitrate (-b)" },
	{ "size", "1448", NULL, "datagram size in bytes (-l)" },
	{ NULL, NULL, NULL, NULL },
};
static const struct cat_metric iperf3_udp_metrics[] = {
	{ "send", "Mbit/s", HIGHER, NULL, "sender throughput" },
	{ "recv", "Mbit/s", HIGHER, NULL, "receiver throughput" },
	{ "jitter", "ms", LOWER, NULL, "receiver jitter" },
	{ "loss", "%", LOWER, NULL, "lost datagrams" },
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_param fio_params[] = {
	{ "job", "randread", NULL, "job name (also picks the job's results)" },
	{ "rw", "randread", "read,write,randread,randwrite,rw,randrw",
	    "I/O pattern" },
	{ "bs", "4k", NULL, "block size" },
	{ "size", "256m", NULL, "file size" },
	{ "runtime", "10", NULL, "seconds" },
	{ "ioengine", "psync", NULL, "I/O engine" },
	{ "iodepth", "1", NULL, "I/O depth" },
	{ "direct", "0", "0,1", "O_DIRECT" },
	{ "filename", "perfbisect-fio.dat", NULL, "test file" },
	{ NULL, NULL, NULL, NULL },
};
#define FIO_DIR(d) \
	{ d ".iops", "IOPS", HIGHER, "{job}." d ".iops", d " IOPS" }, \
	{ d ".bw", "KiB/s", HIGHER, "{job}." d ".bw", d " bandwidth" }, \
	{ d ".clat_mean", "us", LOWER, "{job}." d ".clat_mean", \
	    d " mean completion latency" }, \
	{ d ".lat_mean", "us", LOWER, "{job}." d ".lat_mean", \
	    d " mean total latency" }, \
	{ d ".clat_p50", "us", LOWER, "{job}." d ".clat_p50", \
	    d " median completion latency" }, \
	{ d ".clat_p90", "us", LOWER, "{job}." d ".clat_p90", \
	    d " 90th percentile completion latency" }, \
	{ d ".clat_p99", "us", LOWER, "{job}." d ".clat_p99", \
	    d " 99th percentile completion latency" }, \
	{ d ".clat_p99.9", "us", LOWER, "{job}." d ".clat_p99.9", \
	    d " 99.9th percentile completion latency" }
static const struct cat_metric fio_metrics[] = {
	FIO_DIR("read"), FIO_DIR("write"),
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_param hackbench_params[] = {
	{ "groups", "10", NULL, "groups of senders and receivers (-g)" },
	{ "fds", "20", NULL, "file descriptors per group (-f)" },
	{ "loops", "1000", NULL, "messages per sender (-l)" },
	{ NULL, NULL, NULL, NULL },
};
static const struct cat_metric hackbench_metrics[] = {
	{ "time", "s", LOWER, NULL, "run time" },
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_param perf_bench_params[] = {
	{ "suite", "sched", "sched,futex,mem", "perf bench collection" },
	{ "test", "messaging", "messaging,pipe,hash,memcpy,memset",
	    "benchmark in the collection" },
	{ NULL, NULL, NULL, NULL },
};
static const struct cat_metric perf_bench_metrics[] = {
	{ "total_time", "s", LOWER, NULL, "sched messaging and pipe" },
	{ "usecs_per_op", "us/op", LOWER, NULL, "sched pipe" },
	{ "ops_per_sec", "ops/s", HIGHER, NULL, "sched pipe, futex hash" },
	{ "bw", "GB/s", HIGHER, NULL, "mem memcpy/memset (first function)" },
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_param sysbench_params[] = {
	{ "test", "cpu", "cpu,memory,threads", "sysbench test" },
	{ "threads", "1", NULL, "worker threads" },
	{ "time", "10", NULL, "seconds" },
	{ NULL, NULL, NULL, NULL },
};
static const struct cat_metric sysbench_metrics[] = {
	{ "events_per_sec", "events/s", HIGHER, NULL, "cpu" },
	{ "events", "events", HIGHER, NULL, "events in the run time" },
	{ "latency_avg", "ms", LOWER, NULL, "mean event latency" },
	{ "latency_p95", "ms", LOWER, NULL, "95th percentile latency" },
	{ "latency_max", "ms", LOWER, NULL, "maximum latency" },
	{ "ops_per_sec", "ops/s", HIGHER, NULL, "memory" },
	{ "mib_per_sec", "MiB/s", HIGHER, NULL, "memory" },
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_param stress_ng_params[] = {
	{ "stressor", "cpu", NULL, "stressor name (--STRESSOR)" },
	{ "workers", "1", NULL, "instances" },
	{ "timeout", "10", NULL, "seconds" },
	{ NULL, NULL, NULL, NULL },
};
static const struct cat_metric stress_ng_metrics[] = {
	{ "bogo_ops_s", "bogo ops/s", HIGHER, "{stressor}.bogo_ops_s",
	    "bogo operations per second of real time" },
	{ "bogo_ops_s_cpu", "bogo ops/s", HIGHER, "{stressor}.bogo_ops_s_cpu",
	    "bogo operations per second of usr+sys time" },
	{ "bogo_ops", "bogo ops", HIGHER, "{stressor}.bogo_ops",
	    "bogo operations" },
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_param ebizzy_params[] = {
	{ "threads", "4", NULL, "threads (-t)" },
	{ "seconds", "10", NULL, "run time (-S)" },
	{ NULL, NULL, NULL, NULL },
};
static const struct cat_metric ebizzy_metrics[] = {
	{ "records", "records/s", HIGHER, NULL, "records per second" },
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_param time_params[] = {
	{ "cmd", "true", NULL, "the command to time (run by sh -c)" },
	{ NULL, NULL, NULL, NULL },
};
static const struct cat_metric time_metrics[] = {
	{ "elapsed", "s", LOWER, NULL, "wall clock time" },
	{ "user", "s", LOWER, NULL, "user CPU time" },
	{ "system", "s", LOWER, NULL, "system CPU time" },
	{ "max_rss", "KiB", LOWER, NULL, "maximum resident set size" },
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_param sim_params[] = {
	{ NULL, NULL, NULL, NULL },
};
static const struct cat_metric sim_metrics[] = {
	{ "time", "s", LOWER, NULL, "simulated run time" },
	{ NULL, NULL, LOWER, NULL, NULL },
};

static const struct cat_bench bench_catalogue[] = {
	{ "netperf-udp", "netperf UDP_STREAM over IPv4 loopback",
	    "netperf -4 -H 127.0.0.1 -p {port} -t UDP_STREAM -l {duration} "
	    "-- -m {size}", STREAM_STDOUT, "netperf", NULL,
	    NETSERVER_SETUP, NETSERVER_TEARDOWN,
	    netperf_udp_params, netperf_udp_metrics },
	{ "netperf-tcp", "netperf TCP_STREAM over IPv4 loopback",
	    "netperf -4 -H 127.0.0.1 -p {port} -t TCP_STREAM -l {duration} "
	    "-- -m {size}", STREAM_STDOUT, "netperf", NULL,
	    NETSERVER_SETUP, NETSERVER_TEARDOWN,
	    netperf_tcp_params, netperf_tcp_metrics },
	{ "netperf-rr", "netperf TCP_RR or UDP_RR over IPv4 loopback",
	    "netperf -4 -H 127.0.0.1 -p {port} -t {test} -l {duration} "
	    "-- -r {request},{response}", STREAM_STDOUT, "netperf", NULL,
	    NETSERVER_SETUP, NETSERVER_TEARDOWN,
	    netperf_rr_params, netperf_rr_metrics },
	{ "iperf3", "iperf3 TCP over IPv4 loopback",
	    "iperf3 -4 -c 127.0.0.1 -p {port} -t {duration} --json",
	    STREAM_STDOUT, "iperf3", NULL, IPERF3_SETUP, IPERF3_TEARDOWN,
	    iperf3_params, iperf3_metrics },
	{ "iperf3-udp", "iperf3 UDP over IPv4 loopback",
	    "iperf3 -4 -c 127.0.0.1 -p {port} -t {duration} -u -b {bitrate} "
	    "-l {size} --json", STREAM_STDOUT, "iperf3", NULL, IPERF3_SETUP,
	    IPERF3_TEARDOWN, iperf3_udp_params, iperf3_udp_metrics },
	{ "fio", "fio, one job on a file, JSON output",
	    "fio --name={job} --rw={rw} --bs={bs} --size={size} "
	    "--runtime={runtime} --time_based --ioengine={ioengine} "
	    "--iodepth={iodepth} --direct={direct} --filename={filename} "
	    "--output-format=json", STREAM_STDOUT, "fio", NULL,
	    NULL, "rm -f {filename}", fio_params, fio_metrics },
	{ "hackbench", "hackbench (rt-tests) scheduler and IPC stress",
	    "hackbench -g {groups} -f {fds} -l {loops}", STREAM_STDOUT,
	    "hackbench", NULL, NULL, NULL,
	    hackbench_params, hackbench_metrics },
	{ "perf-bench", "perf bench sched messaging/pipe, futex hash, "
	    "mem memcpy", "perf bench {suite} {test}", STREAM_STDOUT,
	    "perf-bench", NULL, NULL, NULL,
	    perf_bench_params, perf_bench_metrics },
	{ "sysbench", "sysbench cpu, memory or threads",
	    "sysbench {test} --threads={threads} --time={time} run",
	    STREAM_STDOUT, "sysbench", NULL, NULL, NULL,
	    sysbench_params, sysbench_metrics },
	{ "stress-ng", "stress-ng, one stressor, --metrics-brief",
	    "stress-ng --{stressor} {workers} --timeout {timeout}s "
	    "--metrics-brief", STREAM_STDERR, "stress-ng", NULL, NULL, NULL,
	    stress_ng_params, stress_ng_metrics },
	{ "ebizzy", "ebizzy memory allocation and access",
	    "ebizzy -t {threads} -S {seconds}", STREAM_STDOUT, "ebizzy", NULL,
	    NULL, NULL, ebizzy_params, ebizzy_metrics },
	{ "time", "any command under GNU time -v",
	    "env time -v sh -c {cmd}", STREAM_STDERR, "time", NULL, NULL, NULL,
	    time_params, time_metrics },
	/* Only a sim target (kexec/target-sim.c) runs perfbisect-sim. */
	{ "sim", "the simulated benchmark of a sim target",
	    "perfbisect-sim", STREAM_STDOUT, "keyvalue", NULL, NULL, NULL,
	    sim_params, sim_metrics },
};

static char *
bench_dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
bench_release(struct bench *b)
{
	size_t i;

	free(b->name);
	free(b->command);
	free(b->parser);
	free(b->parser_arg);
	free(b->setup);
	free(b->teardown);
	free(b->error);
	free(b->help);
	for (i = 0; i < b->nparams; i++) {
		free(b->params[i].name);
		free(b->params[i].def);
		free(b->params[i].help);
		free(b->params[i].choices);
	}
	free(b->params);
	for (i = 0; i < b->nmetrics; i++) {
		free(b->metrics[i].name);
		free(b->metrics[i].unit);
		free(b->metrics[i].help);
		free(b->metrics[i].key);
	}
	free(b->metrics);
}

void
bench_set_init(struct bench_set *set)
{
	set->v = NULL;
	set->n = 0;
	set->alloc = 0;
}

void
bench_set_release(struct bench_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		bench_release(&set->v[i]);
	free(set->v);
	bench_set_init(set);
}

const struct bench *
bench_set_find(const struct bench_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i].name, name) == 0)
			return &set->v[i];
	return NULL;
}

static struct bench *
bench_set_add(struct bench_set *set, const char *name)
{
	struct bench *b;

	GROW(set->v, set->n + 1, set->alloc);
	b = &set->v[set->n++];
	memset(b, 0, sizeof(*b));
	b->name = xstrdup(name);
	b->stream = STREAM_STDOUT;
	b->runs = -1;
	b->warmup = -1;
	return b;
}

static struct bench_param *
bench_add_param(struct bench *b, const char *name, const char *def)
{
	struct bench_param *p;
	size_t alloc = b->nparams;

	GROW(b->params, b->nparams + 1, alloc);
	p = &b->params[b->nparams++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->def = xstrdup(def);
	return p;
}

static struct bench_metric *
bench_add_metric(struct bench *b, const char *name)
{
	struct bench_metric *m;
	size_t alloc = b->nmetrics;

	GROW(b->metrics, b->nmetrics + 1, alloc);
	m = &b->metrics[b->nmetrics++];
	memset(m, 0, sizeof(*m));
	m->name = xstrdup(name);
	return m;
}

static struct bench_metric *
bench_find_metric(const struct bench *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->nmetrics; i++)
		if (strcmp(b->metrics[i].name, name) == 0)
			return &b->metrics[i];
	return NULL;
}

static void
bench_add_builtin(struct bench_set *set, const struct cat_bench *c)
{
	const struct cat_param *cp;
	const struct cat_metric *cm;
	struct bench_param *p;
	struct bench_metric *m;
	struct bench *b;

	b = bench_set_add(set, c->name);
	b->builtin = 1;
	b->help = bench_dup(c->help);
	b->command = xstrdup(c->command);
	b->stream = c->stream;
	b->parser = xstrdup(c->parser);
	b->parser_arg = bench_dup(c->parser_arg);
	b->setup = bench_dup(c->setup);
	b->teardown = bench_dup(c->teardown);
	for (cp = c->params; cp->name; cp++) {
		p = bench_add_param(b, cp->name, cp->def);
		p->help = bench_dup(cp->help);
		p->choices = bench_dup(cp->choices);
	}
	for (cm = c->metrics; cm->name; cm++) {
		m = bench_add_metric(b, cm->name);
		m->unit = bench_dup(cm->unit);
		m->better = cm->better;
		m->better_set = 1;
		m->help = bench_dup(cm->help);
		m->key = bench_dup(cm->key);
	}
}

/* Names of benchmarks, metrics and parameters. */
static int
bench_valid_name(const char *s)
{
	if (!isalnum((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return 0;
	return 1;
}

static int
bench_valid_metric(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s == '@' || *s == ',' || *s == '=' || *s == ' ' ||
		    *s == '\t' || (unsigned char)*s < 0x20)
			return 0;
	return 1;
}

static int
bench_get_string(struct config *cfg, const char *bench, const char *var,
    char **dst, struct error *err)
{
	const char *v;
	char *key = xasprintf("benchmark.%s.%s", bench, var);
	int rc;

	rc = config_get_string(cfg, key, &v, err);
	free(key);
	if (rc == -1)
		return -1;
	if (v) {
		free(*dst);
		*dst = xstrdup(v);
	}
	return 0;
}

static int
bench_check_regex(const char *re_s, const char *what, struct error *err)
{
	regex_t re;
	char msg[256];
	int rc;

	if ((rc = regcomp(&re, re_s, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, &re, msg, sizeof(msg));
		return error_set(err, "%s: bad regex '%s': %s", what, re_s,
		    msg);
	}
	regfree(&re);
	return 0;
}

/* "size=64 threads=4" */
static int
bench_load_params(struct bench *b, const char *spec, struct error *err)
{
	const char *p = spec, *e, *eq;
	char *name, *def;
	size_t i;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e && *e != ' ' && *e != '\t'; e++)
			;
		if ((eq = memchr(p, '=', (size_t)(e - p))) == NULL)
			eq = e;
		name = xstrndup(p, (size_t)(eq - p));
		def = eq < e ? xstrndup(eq + 1, (size_t)(e - eq - 1)) :
		    xstrdup("");
		if (!bench_valid_name(name)) {
			error_set(err, "benchmark.%s.params: bad parameter "
			    "name '%s'", b->name, name);
			free(name);
			free(def);
			return -1;
		}
		for (i = 0; i < b->nparams; i++)
			if (strcmp(b->params[i].name, name) == 0)
				break;
		if (i < b->nparams) {
			free(b->params[i].def);
			b->params[i].def = def;
		} else {
			bench_add_param(b, name, def);
			free(def);
		}
		free(name);
		p = e;
	}
	return 0;
}

static const struct {
	const char *key;
	const char *parser;
} bench_arg_keys[] = {
	{ "regex", "regex" },
	{ "path", "json" },
	{ "column", "csv" },
	{ "selectors", "netperf" },
};

static const char *const bench_keys[] = {
	"command", "stream", "parser", "regex", "path", "column", "selectors",
	"params", "runs", "warmup", "setup", "teardown", "error",
	"description",
};

static int
bench_load_one(struct bench_set *set, struct config *cfg, const char *name,
    struct error *err)
{
	struct bench *b;
	const char *v, *argkey = NULL;
	char *key, *s = NULL;
	long long n;
	size_t i, nargs = 0;
	int rc;

	if (!bench_valid_name(name))
		return error_set(err, "[benchmark \"%s\"]: a benchmark name "
		    "has letters, digits, '-', '_' and '.' only", name);
	if ((b = (struct bench *)bench_set_find(set, name)) == NULL)
		b = bench_set_add(set, name);
	if (bench_get_string(cfg, name, "command", &b->command, err) == -1 ||
	    bench_get_string(cfg, name, "parser", &b->parser, err) == -1 ||
	    bench_get_string(cfg, name, "setup", &b->setup, err) == -1 ||
	    bench_get_string(cfg, name, "teardown", &b->teardown, err) == -1 ||
	    bench_get_string(cfg, name, "error", &b->error, err) == -1 ||
	    bench_get_string(cfg, name, "description", &b->help, err) == -1)
		return -1;
	if (bench_get_string(cfg, name, "stream", &s, err) == -1)
		return -1;
	if (s) {
		if (strcmp(s, "stdout") == 0)
			b->stream = STREAM_STDOUT;
		else if (strcmp(s, "stderr") == 0)
			b->stream = STREAM_STDERR;
		else {
			error_set(err, "benchmark.%s.stream: '%s' is not "
			    "stdout or stderr", name, s);
			free(s);
			return -1;
		}
		free(s);
		s = NULL;
	}
	if (bench_get_string(cfg, name, "params", &s, err) == -1)
		return -1;
	if (s) {
		rc = bench_load_params(b, s, err);
		free(s);
		s = NULL;
		if (rc == -1)
			return -1;
	}
	key = xasprintf("benchmark.%s.runs", name);
	n = b->runs;
	rc = config_get_int(cfg, key, 1, 100000, &n, err);
	free(key);
	if (rc == -1)
		return -1;
	b->runs = (int)n;
	key = xasprintf("benchmark.%s.warmup", name);
	n = b->warmup;
	rc = config_get_int(cfg, key, 0, 100000, &n, err);
	free(key);
	if (rc == -1)
		return -1;
	b->warmup = (int)n;
	for (i = 0; i < ARRAY_SIZE(bench_arg_keys); i++) {
		key = xasprintf("benchmark.%s.%s", name, bench_arg_keys[i].key);
		if (config_get_string(cfg, key, &v, err) == -1) {
			free(key);
			return -1;
		}
		free(key);
		if (v == NULL)
			continue;
		nargs++;
		argkey = bench_arg_keys[i].key;
		free(b->parser_arg);
		b->parser_arg = xstrdup(v);
	}
	if (b->command == NULL)
		return error_set(err, "benchmark '%s' has no command; set "
		    "benchmark.%s.command", name, name);
	if (b->parser == NULL)
		return error_set(err, "benchmark '%s' has no parser; set "
		    "benchmark.%s.parser", name, name);
	if (parse_parser_help(b->parser) == NULL) {
		struct buf list = BUF_INIT;
		const char *const *p;

		for (p = parse_parsers(); *p; p++)
			buf_addf(&list, "%s%s", p == parse_parsers() ? "" :
			    ", ", *p);
		error_set(err, "benchmark.%s.parser: unknown parser '%s' "
		    "(parsers: %s)", name, b->parser, list.s);
		buf_release(&list);
		return -1;
	}
	if (nargs > 1)
		return error_set(err, "benchmark '%s': set only one of regex, "
		    "path, column and selectors", name);
	for (i = 0; argkey && i < ARRAY_SIZE(bench_arg_keys); i++)
		if (strcmp(bench_arg_keys[i].key, argkey) == 0 &&
		    strcmp(bench_arg_keys[i].parser, b->parser) != 0)
			return error_set(err, "benchmark.%s.%s applies to "
			    "parser %s, not %s", name, argkey,
			    bench_arg_keys[i].parser, b->parser);
	if (strcmp(b->parser, "regex") == 0 && b->parser_arg == NULL)
		return error_set(err, "benchmark '%s' uses parser regex; set "
		    "benchmark.%s.regex", name, name);
	if (strcmp(b->parser, "regex") == 0 &&
	    parse_check_arg(b->parser, b->parser_arg, err) == -1)
		return error_prefix(err, "benchmark '%s': ", name);
	if (b->error && bench_check_regex(b->error, name, err) == -1)
		return -1;
	return 0;
}

static int
bench_load_metric(struct bench_set *set, struct config *cfg,
    const char *sel, struct error *err)
{
	struct bench_metric *m;
	struct bench *b;
	const char *colon = strchr(sel, ':'), *v;
	char *bname, *key;
	int rc;

	if (colon == NULL || colon == sel || colon[1] == '\0')
		return error_set(err, "[metric \"%s\"]: name it "
		    "BENCHMARK:METRIC", sel);
	bname = xstrndup(sel, (size_t)(colon - sel));
	b = (struct bench *)bench_set_find(set, bname);
	free(bname);
	if (b == NULL)
		return error_set(err, "[metric \"%s\"]: no benchmark '%.*s'",
		    sel, (int)(colon - sel), sel);
	if (!bench_valid_metric(colon + 1))
		return error_set(err, "[metric \"%s\"]: a metric name has no "
		    "blanks, '@', ',' or '='", sel);
	if ((m = bench_find_metric(b, colon + 1)) == NULL)
		m = bench_add_metric(b, colon + 1);
	key = xasprintf("metric.%s.direction", sel);
	rc = config_get_string(cfg, key, &v, err);
	free(key);
	if (rc == -1)
		return -1;
	if (v) {
		if (strcmp(v, "lower") == 0)
			m->better = BETTER_LOWER;
		else if (strcmp(v, "higher") == 0)
			m->better = BETTER_HIGHER;
		else
			return error_set(err, "metric.%s.direction: '%s' is "
			    "not lower or higher", sel, v);
		m->better_set = 1;
	}
	key = xasprintf("metric.%s.unit", sel);
	rc = config_get_string(cfg, key, &v, err);
	free(key);
	if (rc == -1)
		return -1;
	if (v) {
		free(m->unit);
		m->unit = xstrdup(v);
	}
	return 0;
}

/* Reject misspelt keys in [benchmark] and [metric] sections. */
static int
bench_check_key(const char *key, const char *value, void *payload)
{
	struct error *err = payload;
	const char *var = strrchr(key, '.');
	size_t i;

	(void)value;
	if (var == NULL)
		return 0;
	var++;
	if (strncasecmp(key, "benchmark.", 10) == 0) {
		for (i = 0; i < ARRAY_SIZE(bench_keys); i++)
			if (strcasecmp(var, bench_keys[i]) == 0)
				return 0;
		error_set(err, "unknown key '%s' (benchmark keys: command, "
		    "stream, parser, regex, path, column, selectors, params, "
		    "runs, warmup, setup, teardown, error, description)", key);
		return 1;
	}
	if (strncasecmp(key, "metric.", 7) == 0 &&
	    strcasecmp(var, "direction") != 0 && strcasecmp(var, "unit") != 0) {
		error_set(err, "unknown key '%s' (metric keys: direction, "
		    "unit)", key);
		return 1;
	}
	return 0;
}

int
bench_set_load(struct bench_set *set, struct config *cfg, struct error *err)
{
	char **names = NULL;
	size_t n = 0, i;
	int rc = 0;

	for (i = 0; i < ARRAY_SIZE(bench_catalogue); i++)
		if (bench_set_find(set, bench_catalogue[i].name) == NULL)
			bench_add_builtin(set, &bench_catalogue[i]);
	if (cfg == NULL)
		return 0;
	if ((rc = config_foreach(cfg, bench_check_key, err, err)) != 0)
		return -1;
	if (config_subsections(cfg, "benchmark", &names, &n, err) == -1)
		return -1;
	for (i = 0; rc == 0 && i < n; i++)
		rc = bench_load_one(set, cfg, names[i], err);
	config_names_free(names, n);
	if (rc == -1)
		return -1;
	if (config_subsections(cfg, "metric", &names, &n, err) == -1)
		return -1;
	for (i = 0; rc == 0 && i < n; i++)
		rc = bench_load_metric(set, cfg, names[i], err);
	config_names_free(names, n);
	return rc;
}

/* Selectors. */

static void
bench_list_names(struct buf *out, const struct bench_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		buf_addf(out, "%s%s", i ? ", " : "", set->v[i].name);
}

/*
 * Expand {param} in tmpl.  Only "{name}" where name is one of the
 * benchmark's parameters is replaced; other braces (shell "${VAR}", awk
 * "{print $1}") stay as they are.
 */
static char *
bench_expand(const char *tmpl, const struct bench *b, char **values,
    int quote)
{
	struct buf out = BUF_INIT;
	const char *c = tmpl, *e;
	size_t i, n;

	while (*c) {
		if (*c != '{' || (e = strchr(c + 1, '}')) == NULL) {
			buf_addch(&out, *c++);
			continue;
		}
		n = (size_t)(e - c - 1);
		for (i = 0; i < b->nparams; i++)
			if (strlen(b->params[i].name) == n &&
			    memcmp(b->params[i].name, c + 1, n) == 0)
				break;
		if (i == b->nparams) {
			buf_addch(&out, *c++);
			continue;
		}
		if (quote)
			buf_add_shquoted(&out, values[i]);
		else
			buf_adds(&out, values[i]);
		c = e + 1;
	}
	return buf_detach(&out, NULL);
}

static int
bench_choice_ok(const char *choices, const char *v)
{
	const char *p = choices, *e;
	size_t n = strlen(v);

	while (*p) {
		for (e = p; *e && *e != ','; e++)
			;
		if ((size_t)(e - p) == n && memcmp(p, v, n) == 0)
			return 1;
		p = *e ? e + 1 : e;
	}
	return 0;
}

static void
bench_list_params(struct buf *out, const struct bench *b)
{
	size_t i;

	for (i = 0; i < b->nparams; i++)
		buf_addf(out, "%s%s", i ? ", " : "", b->params[i].name);
}

static int
sel_params(const struct bench *b, const char *spec, char **values,
    struct error *err)
{
	const char *p = spec, *e, *eq;
	struct buf list = BUF_INIT;
	char *name;
	size_t i;
	int *seen = xcalloc(b->nparams ? b->nparams : 1, sizeof(*seen));
	int rc = 0;

	while (rc == 0 && *p) {
		for (e = p; *e && *e != ','; e++)
			;
		if ((eq = memchr(p, '=', (size_t)(e - p))) == NULL ||
		    eq == p) {
			rc = error_set(err, "bad parameter '%.*s' in selector "
			    "(use @name=value,...)", (int)(e - p), p);
			break;
		}
		name = xstrndup(p, (size_t)(eq - p));
		for (i = 0; i < b->nparams; i++)
			if (strcmp(b->params[i].name, name) == 0)
				break;
		if (i == b->nparams) {
			bench_list_params(&list, b);
			if (b->nparams)
				rc = error_set(err, "unknown parameter '%s' "
				    "for benchmark '%s' (parameters: %s)", name,
				    b->name, list.s);
			else
				rc = error_set(err, "benchmark '%s' has no "
				    "parameters (got '%s')", b->name, name);
		} else if (seen[i]) {
			rc = error_set(err, "parameter '%s' given twice", name);
		} else {
			seen[i] = 1;
			free(values[i]);
			values[i] = xstrndup(eq + 1, (size_t)(e - eq - 1));
			if (b->params[i].choices &&
			    !bench_choice_ok(b->params[i].choices, values[i]))
				rc = error_set(err, "invalid value '%s' for "
				    "parameter '%s' of '%s' (valid: %s)",
				    values[i], name, b->name,
				    b->params[i].choices);
		}
		free(name);
		p = *e ? e + 1 : e;
	}
	buf_release(&list);
	free(seen);
	return rc;
}

void
metric_sel_release(struct metric_sel *sel)
{
	size_t i;

	free(sel->metric);
	free(sel->unit);
	free(sel->command);
	free(sel->setup);
	free(sel->teardown);
	free(sel->text);
	free(sel->name);
	for (i = 0; i < sel->nvalues; i++)
		free(sel->values[i]);
	free(sel->values);
	memset(sel, 0, sizeof(*sel));
}

int
metric_sel_resolve(const struct bench_set *set, const char *selector,
    struct metric_sel *out, struct error *err)
{
	const struct bench_metric *m;
	const struct bench *b;
	struct buf list = BUF_INIT, text = BUF_INIT;
	const char *colon, *at;
	char *bname;
	size_t i;

	memset(out, 0, sizeof(*out));
	if ((colon = strchr(selector, ':')) == NULL || colon == selector)
		return error_set(err, "bad metric selector '%s' (use "
		    "BENCHMARK:METRIC[@param=value,...])", selector);
	bname = xstrndup(selector, (size_t)(colon - selector));
	b = bench_set_find(set, bname);
	if (b == NULL) {
		bench_list_names(&list, set);
		error_set(err, "unknown benchmark '%s' (benchmarks: %s)",
		    bname, list.s);
		free(bname);
		buf_release(&list);
		return -1;
	}
	free(bname);
	at = strchr(colon + 1, '@');
	out->name = at ? xstrndup(colon + 1, (size_t)(at - colon - 1)) :
	    xstrdup(colon + 1);
	out->bench = b;
	if (!bench_valid_metric(out->name)) {
		error_set(err, "bad metric name '%s' in selector '%s'",
		    out->name, selector);
		goto fail;
	}
	m = bench_find_metric(b, out->name);
	if (b->builtin && m == NULL) {
		for (i = 0; i < b->nmetrics; i++)
			buf_addf(&list, "%s%s", i ? ", " : "",
			    b->metrics[i].name);
		error_set(err, "unknown metric '%s' for benchmark '%s' "
		    "(metrics: %s)", out->name, b->name, list.s);
		goto fail;
	}
	if (m == NULL || !m->better_set) {
		error_set(err, "metric '%s:%s' has no direction; set "
		    "metric.%s:%s.direction", b->name, out->name, b->name,
		    out->name);
		goto fail;
	}
	out->nvalues = b->nparams;
	out->values = xcalloc(b->nparams ? b->nparams : 1,
	    sizeof(*out->values));
	for (i = 0; i < b->nparams; i++)
		out->values[i] = xstrdup(b->params[i].def);
	if (at && sel_params(b, at + 1, out->values, err) == -1)
		goto fail;
	out->better = m->better;
	out->unit = bench_dup(m->unit);
	out->metric = bench_expand(m->key ? m->key : m->name, b, out->values,
	    0);
	out->command = bench_expand(b->command, b, out->values, 1);
	out->setup = b->setup ? bench_expand(b->setup, b, out->values, 1) :
	    NULL;
	out->teardown = b->teardown ? bench_expand(b->teardown, b,
	    out->values, 1) : NULL;
	buf_addf(&text, "%s:%s", b->name, out->name);
	for (i = 0; i < b->nparams; i++)
		buf_addf(&text, "%c%s=%s", i ? ',' : '@', b->params[i].name,
		    out->values[i]);
	out->text = buf_detach(&text, NULL);
	buf_release(&list);
	return 0;

fail:
	buf_release(&list);
	metric_sel_release(out);
	return -1;
}

/* -1 with err set if a line of text matches the benchmark's error ERE. */
static int
sel_error_marker(const struct bench *b, const char *text, size_t len,
    struct error *err)
{
	const char *p = text, *end = text + len, *nl;
	regex_t re;
	char *line;
	size_t n;
	int hit = 0;

	if (b->error == NULL)
		return 0;
	if (regcomp(&re, b->error, REG_EXTENDED | REG_NOSUB) != 0)
		return error_set(err, "benchmark '%s': bad error regex",
		    b->name);
	while (!hit && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n <= 1024 * 1024) {
			line = xstrndup(p, n);
			if (regexec(&re, line, 0, NULL, 0) == 0) {
				error_set(err, "benchmark '%s': error in the "
				    "output: %.200s", b->name, line);
				hit = 1;
			}
			free(line);
		}
		p = nl ? nl + 1 : end;
	}
	regfree(&re);
	return hit ? -1 : 0;
}

int
metric_sel_extract(const struct metric_sel *sel, const char *out_s,
    size_t outlen, const char *err_s, size_t errlen, double *value,
    struct buf *warn, struct error *err)
{
	const struct bench *b = sel->bench;
	const struct metric_value *v;
	struct metric_values vals;
	struct buf list = BUF_INIT;
	const char *text;
	size_t len, i;
	int rc = -1;

	if (b->stream == STREAM_STDERR) {
		text = err_s ? err_s : "";
		len = err_s ? errlen : 0;
	} else {
		text = out_s ? out_s : "";
		len = out_s ? outlen : 0;
	}
	if (len > PARSE_MAX_OUTPUT)
		return error_set(err, "benchmark '%s': output too large (%zu "
		    "bytes, limit %d)", b->name, len, PARSE_MAX_OUTPUT);
	if (sel_error_marker(b, text, len, err) == -1)
		return -1;
	metric_values_init(&vals);
	if (parse_output(b->parser, b->parser_arg, text, len, &vals,
	    err) == -1) {
		error_prefix(err, "benchmark '%s': ", b->name);
		goto out;
	}
	if (warn && vals.warnings.len)
		buf_add(warn, vals.warnings.s, vals.warnings.len);
	if ((v = metric_values_find(&vals, sel->metric)) == NULL) {
		for (i = 0; i < vals.n && i < 20; i++)
			buf_addf(&list, "%s%s", i ? ", " : "", vals.v[i].name);
		if (i < vals.n)
			buf_adds(&list, ", ...");
		if (len == 0)
			error_set(err, "benchmark '%s': no value for '%s': the "
			    "output is empty", b->name, sel->metric);
		else if (vals.n == 0)
			error_set(err, "benchmark '%s': no value for '%s' in "
			    "the output (no metric found)", b->name,
			    sel->metric);
		else
			error_set(err, "benchmark '%s': no value for '%s' in "
			    "the output (found: %s)", b->name, sel->metric,
			    list.s);
		goto out;
	}
	if (!isfinite(v->value)) {
		error_set(err, "benchmark '%s': metric '%s' is %s, not a "
		    "finite number", b->name, sel->metric, isnan(v->value) ?
		    "NaN" : "infinite");
		goto out;
	}
	*value = v->value;
	rc = 0;
out:
	buf_release(&list);
	metric_values_release(&vals);
	return rc;
}
