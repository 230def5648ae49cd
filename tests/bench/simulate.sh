#!/bin/sh
# tests/bench/simulate.sh - the "simulate" section of make bench: the real
# driver, verdicts and record ("perfbisect simulate" on a sim target) at
# d = 0.5, 1 and 2, N = 1024, beside the naive method and the pure-core
# classic search of bench-search on the same scenarios.  The driver runs
# with the settings bench-search models (one run per boot, no warm-up,
# minEffect 1 %, no re-measurement of the good endpoint), so its exact-
# culprit rate should match the core's: the check line says whether the
# core's rate lies inside the driver's 95 % interval.
#
# BENCH_SIM_TRIALS trials per driver row (default 100: a trial costs
# about 0.3 s of CPU at d = 2, 0.6 s at d = 1 and 1.3 s at d = 0.5, so
# 1000 per row would take over half an hour); the core rows take
# BENCH_TRIALS (default 1000).  Two rows run at a time.
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
PB=${PB:-$top/perfbisect}
T=${BENCH_SIM_TRIALS:-100}
CT=${BENCH_TRIALS:-1000}
work=$(mktemp -d "${TMPDIR:-/tmp}/perfbisect-bench-sim.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# sim D: the driver's row for d = D into $work/D.json, seconds in D.secs.
sim() {
	t0=$(date +%s)
	"$PB" -c stats.runs=1 -c stats.warmup=0 -c stats.minEffect=1% \
		-c stats.driftEvery=0 simulate --commits 1024 --trials "$T" \
		--effect "$1" --seed 1 --json >"$work/$1.json" 2>"$work/$1.err"
	echo $? >"$work/$1.rc"
	echo $(($(date +%s) - t0)) >"$work/$1.secs"
}

# core D: bench-search's naive and classic rows of scenario "d=D N=1024".
core() {
	"$BUILD/tests/bench-search" -q -t "$CT" -o "d=$1 N=1024" >"$work/core-$1" ||
		return 1
	awk -v d="d=$1" '$1 == d && $2 == "N=1024" &&
		($3 == "naive" || $3 == "classic") {
			printf "%-22s %-17s%s\n", $1 " " $2, $3 " (core)",
			    substr($0, 33)
		}' "$work/core-$1"
}

echo "# perfbisect simulate: the driver on a sim target, gaussian sd 10 %,"
echo "# one run per boot, minEffect 1 %; $T trials per driver row, $CT per core row;"
echo "# s/trial: wall clock, two driver rows at a time"
printf '%-22s %-17s %5s %7s %14s %7s %6s %6s %8s\n' scenario method runs right \
	"95% interval" boots p95 builds "s/trial"
sim 0.5 &
bg=$!
sim 1
sim 2
wait $bg
rc=0
for d in 0.5 1 2; do
	rows=$(core $d) || { echo "bench-search failed for d=$d"; rc=1; continue; }
	echo "$rows"
	if [ "$(cat "$work/$d.rc")" != 0 ]; then
		echo "d=$d N=1024: simulate failed: $(cat "$work/$d.err")"
		rc=1
		continue
	fi
	secs=$(cat "$work/$d.secs")
	jq -r --arg s "d=$d N=1024" --arg secs "$secs" '
		.outcomes.exact as $e |
		[$s, "classic (driver)", .trials, 100 * $e.rate, 100 * $e.lo,
		 100 * $e.hi, .boots.mean, .boots.p95, .builds.mean,
		 ($secs | tonumber) / .trials] |
		"\(.[0])\t\(.[1])\t\(.[2])\t\(.[3])\t\(.[4])\t\(.[5])\t\(.[6])\t\(.[7])\t\(.[8])\t\(.[9])"' \
		"$work/$d.json" |
		awk -F '\t' '{ printf "%-22s %-17s %5d %6.1f%% [%5.1f, %5.1f] %7.1f %6d %6.1f %8.2f\n",
			$1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
	crate=$(echo "$rows" | awk '$3 == "classic" { sub(/%/, "", $6); print $6 }')
	if jq -e --argjson c "${crate:-0}" \
	    '100 * .outcomes.exact.lo <= $c and $c <= 100 * .outcomes.exact.hi' \
	    "$work/$d.json" >/dev/null; then
		echo "d=$d N=1024: the core's classic rate $crate% is inside the driver's interval"
	else
		echo "d=$d N=1024: DIFFER: the core's classic rate $crate% is outside the driver's interval"
	fi
done
echo "# boots: endpoints and steps (the driver's confirmation apart); builds: the"
echo "# driver counts every rebuild of an endpoint (from its build cache), the core two"
exit $rc
