#!/bin/sh
# The benchmark catalogue against the real programs from Debian (iperf3,
# fio, sysbench, stress-ng, rt-tests' hackbench, linux-perf, GNU time),
# run on loopback the way a bisection runs them: the selector's command
# template, its server set-up and tear-down, the stream it parses.  Each
# case measures both endpoints of a three-commit project briefly (nothing
# changes between them, so the run ends "not reproduced", exit 3) and
# checks that every boot got a finite value from the real output.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/../lib.sh"

mkdir -p "$TRASH/proj"
(
	cd "$TRASH/proj" &&
	git init -q -b main . &&
	echo one >file && git add file && git commit -q -m one && git tag v1 &&
	echo two >file && git commit -q -am two &&
	echo three >file && git commit -q -am three && git tag v2
) || fail "cannot make the project"
export TMPDIR="$TRASH"

# live PROGRAM SELECTOR: measure v1 and v2 with SELECTOR, 2 boots each.
live() {
	command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed (scripts/deps)"
	cd "$TRASH/proj"
	$PB reset >/dev/null
	rc=0
	$PB -c build.command=true -c stats.warmup=0 -c stats.runs=1 \
		-c stats.endpointBoots=2 -c stats.endpointMaxBoots=2 \
		run --good v1 --bad v2 --metric "$2" >out 2>err || rc=$?
	[ $rc = 3 ] || fail "$2: exit $rc, expected 3: $(cat err)"
	$PB report --json >r.json
	jq -e "[.good.samples[], .bad.samples[]] | length == 4 and all(isfinite and . > 0)" \
		r.json >/dev/null || fail "$2: $(cat err)"
	echo "$2: $(jq -c "[.good.samples[], .bad.samples[]]" r.json)"
}

tcase "iperf3 TCP receiver rate (server started and stopped)" '
	live iperf3 "iperf3:recv@duration=1,port=15201" &&
	! ls "$TRASH"/perfbisect-iperf3.* 2>/dev/null
'

tcase "fio randread IOPS and p99 latency" '
	live fio "fio:read.iops@runtime=1,size=8m,filename=$TRASH/fio.dat" &&
	live fio "fio:read.clat_p99@runtime=1,size=8m,filename=$TRASH/fio.dat" &&
	test ! -e "$TRASH/fio.dat"
'

tcase "sysbench cpu events per second" '
	live sysbench "sysbench:events_per_sec@time=1"
'

tcase "stress-ng bogo ops from stderr" '
	live stress-ng "stress-ng:bogo_ops_s@timeout=1"
'

tcase "hackbench time" '
	live hackbench "hackbench:time@groups=2,loops=100"
'

tcase "perf bench sched messaging" '
	live perf "perf-bench:total_time@test=messaging"
'

tcase "GNU time elapsed and max RSS of a command" '
	live time "time:elapsed@cmd=sleep 0.2" &&
	live time "time:max_rss@cmd=true"
'
