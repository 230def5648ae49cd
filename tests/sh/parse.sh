#!/bin/sh
# "perfbisect parse" and "perfbisect benchmarks" over the saved outputs in
# tests/fixtures: values, --json, selectors, custom benchmarks from the
# config, and errors that name the benchmark.
. "$(dirname "$0")/../lib.sh"

[ -x "$PB" ] || skip_all "perfbisect is not built"
FX=$top/tests/fixtures
export FX

tcase "netperf UDP_STREAM send, recv, loss" '
	"$PB" parse netperf-udp "$FX/netperf/np2.7.1.udp_stream.m64.stdout" >out
	grep -qx "send 81.9" out
	grep -qx "recv 78.37" out
	grep -q "^loss " out
'

tcase "stdin is the default input" '
	"$PB" parse netperf-tcp <"$FX/netperf/np2.7.1.tcp_stream.default.stdout" >out
	assert_eq "throughput 13677.4" "$(cat out)"
'

tcase "send and recv diverging is a warning" '
	"$PB" parse netperf-udp "$FX/netperf/np2.7.1.udp_stream.default.stdout" >out 2>err
	grep -q "diverge" err
'

tcase "netperf error on stdout fails with the benchmark named" '
	expect_exit 1 "$PB" parse netperf-udp \
		"$FX/netperf/np2.7.1.error.wrong_port_no_netserver.stdout" 2>err
	grep -q "^perfbisect: benchmark .netperf-udp.: netperf: establish control" err
'

tcase "selector prints the value a run records" '
	"$PB" parse "netperf-rr:trans@test=TCP_RR" "$FX/netperf/np2.7.1.tcp_rr.default.stdout" >out
	assert_eq "trans 39186.41" "$(cat out)"
'

tcase "--json" '
	"$PB" parse --json netperf "$FX/netperf/doc.tcp_rr.omni_k.stdout" >out
	grep -q "\"benchmark\": \"netperf\"" out
	grep -q "\"trans\": 39186.41" out
'

tcase "iperf3 refused connection fails" '
	expect_exit 1 "$PB" parse iperf3 "$FX/iperf3/error.refused.stdout" 2>err
	grep -q "Connection refused" err
'

tcase "stress-ng metrics from stderr" '
	"$PB" parse stress-ng:bogo_ops_s "$FX/stress-ng/cpu.stderr" >out
	assert_eq "bogo_ops_s 1494.22" "$(cat out)"
'

tcase "a parser by name, with --arg" '
	echo "op took 3.5 ms" | "$PB" parse --arg "took (?<ms>[0-9.]+)" regex >out
	assert_eq "ms 3.5" "$(cat out)"
'

tcase "unknown benchmark lists the valid ones" '
	expect_exit 2 "$PB" parse nosuch /dev/null 2>err
	grep -q "unknown benchmark or parser .nosuch. (benchmarks: netperf-udp, " err
'

tcase "unknown parameter lists the valid ones" '
	expect_exit 1 "$PB" parse netperf-udp:send@sise=64 /dev/null 2>err
	grep -q "parameters: size, duration, port" err
'

tcase "truncated JSON" '
	head -c 300 "$FX/fio/randread.stdout" >cut
	expect_exit 1 "$PB" parse fio cut 2>err
	grep -q "benchmark .fio.: invalid or truncated JSON" err
'

tcase "empty output" '
	expect_exit 1 "$PB" parse hackbench </dev/null 2>err
	grep -q "no metric found" err
'

tcase "custom benchmark from the config" '
	printf "[benchmark \"synth\"]\n\tcommand = ./bench.sh\n\tparser = keyvalue\n[metric \"synth:time\"]\n\tdirection = lower\n" >synth.conf
	echo "time: 0.123" | "$PB" -f synth.conf parse synth >out
	assert_eq "time 0.123" "$(cat out)"
	echo "time: 0.123" | "$PB" -f synth.conf parse synth:time >out
	assert_eq "time 0.123" "$(cat out)"
	"$PB" -f synth.conf benchmarks >out
	grep -q "^synth  *keyvalue" out
'

tcase "custom metric without a direction" '
	printf "[benchmark \"synth\"]\n\tcommand = ./bench.sh\n\tparser = keyvalue\n" >synth.conf
	echo "time: 0.1" | expect_exit 1 "$PB" -f synth.conf parse synth:time 2>err
	grep -q "metric .synth:time. has no direction; set metric.synth:time.direction" err
'

tcase "benchmarks lists the catalogue" '
	"$PB" benchmarks >out
	for b in netperf-udp netperf-tcp netperf-rr iperf3 fio hackbench \
	    perf-bench sysbench stress-ng ebizzy time; do
		grep -q "^$b " out || fail "no $b"
	done
'

tcase "benchmarks NAME shows parameters and metrics" '
	"$PB" benchmarks netperf-udp >out
	grep -q "size  *default 64 " out
	grep -q "send  *10^6bits/s  *higher is better" out
	grep -q "loss  *%  *lower is better" out
	expect_exit 2 "$PB" benchmarks nosuch 2>err
'
