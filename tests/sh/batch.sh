#!/bin/sh
# batch.sh - perfbisect batch: three regressions over a scripted history on
# a pool of two local-kind targets, the shared build cache, kill -9 of the
# controller and its children then --resume, --status, malformed lists.
. "$(dirname "$0")/../lib.sh"

# The trash directory lies inside the checkout: every perfbisect command
# below names its repository with -C, and git stops looking above $TRASH.
GIT_CEILING_DIRECTORIES=$(dirname "$TRASH")
export GIT_CEILING_DIRECTORIES

# One history, two regressions in it: synth:time gets slower at "main 23";
# bench36 (given per regression in the list) at "main 36".
sh "$top/tests/gen-history" "$TRASH/repo" 60 "main 23" >/dev/null 2>&1

cat >"$TRASH/bench36" <<'EOS'
#!/bin/sh
# slower from "main 36" on; counts its runs
echo >>"$COUNT"
n=$(tr -dc 0-9 <src/main.c)
if [ "$n" -ge 36 ]; then echo "time: 0.300"; else echo "time: 0.100"; fi
EOS
chmod +x "$TRASH/bench36"

# setup DIR: a copy of the repository with two local targets in the pool;
# every build and every benchmark run appends a line to DIR.builds and
# DIR.runs.
setup() {
	rm -rf "$1" "$1.builds" "$1.runs"
	cp -R "$TRASH/repo" "$1"
	: >"$1.builds"
	: >"$1.runs"
	cat >"$1/perfbisect.conf" <<EOF
[build]
	command = ./build.sh && echo \$PERFBISECT_COMMIT >>$1.builds
	artifacts = out/level
[benchmark "synth"]
	command = ./bench.sh && echo >>$1.runs
	parser = keyvalue
[metric "synth:time"]
	direction = lower
[target "l1"]
	kind = local
[target "l2"]
	kind = local
[batch]
	targets = l1, l2
EOF
}

fast="stats.runs=1 stats.warmup=0 stats.endpointBoots=4 stats.minBoots=1 stats.confirmBoots=3"

# list DIR: the three regressions; "again" is "slow" once more with
# another seed, so it needs exactly the kernels "slow" needs.
list() {
	cat <<EOF
# regressions from the dashboard
slow	v1 v2 synth:time $fast
again	v1 v2 synth:time $fast stats.seed=7   # same range, same kernels

late v1 v2 synth:time $fast "benchmark.synth.command=COUNT=$1.runs $TRASH/bench36"
EOF
}

hash_of() {
	git -C "$1" log --format='%H %s' v2 | awk -v s="$2" '{ h = $1; $1 = ""; if (substr($0, 2) == s) print h }'
}

# check_culprits DIR: every regression found the right commit.
check_culprits() {
	$PB -C "$1" batch --status >"$1.status" &&
	cat "$1.status" &&
	want23=$(hash_of "$1" "main 23" | cut -c1-12) &&
	want36=$(hash_of "$1" "main 36" | cut -c1-12) &&
	grep -q "^slow  *found  *[0-9][0-9]*  *$want23 main 23 " "$1.status" &&
	grep -q "^again  *found  *[0-9][0-9]*  *$want23 main 23 " "$1.status" &&
	grep -q "^late  *found  *[0-9][0-9]*  *$want36 main 36 " "$1.status"
}

tcase "three regressions on two local targets: right culprits, exit 0" '
	setup "$TRASH/a" &&
	list "$TRASH/a" >list &&
	start=$(date +%s) &&
	$PB -C "$TRASH/a" batch "$TRASH/list" >out 2>err &&
	echo "took $(($(date +%s) - start)) s" &&
	check_culprits "$TRASH/a" &&
	grep -q "^slow: started on l1" out &&
	grep -q "^again: started on l2" out &&
	grep -q "^late: started on l[12]" out &&
	grep -q "^slow: found" out &&
	grep -q "^again: .*step" err
'

tcase "a kernel two bisections need is built once" '
	cd "$TRASH/a" && test -d .git/perfbisect-batch &&
	execs=$(wc -l <"$TRASH/a.builds") &&
	distinct=$(sort -u "$TRASH/a.builds" | wc -l) &&
	entries=$(ls .git/perfbisect-cache | grep -cv "\.lock$") &&
	hits=$(grep -c "build [0-9a-f]*: cached" "$TRASH/err") &&
	needed=$(sqlite3 .git/perfbisect-batch/reg/slow/state.db "select count(distinct commit_id) from builds") &&
	needed2=$(sqlite3 .git/perfbisect-batch/reg/again/state.db "select count(distinct commit_id) from builds") &&
	echo "build executions $execs, distinct $distinct, cache entries $entries, hits $hits, slow needed $needed, again $needed2" &&
	assert_eq "$distinct" "$execs" "builds of one commit" &&
	assert_eq "$entries" "$execs" "cache entries" &&
	test "$needed" -ge 5 && test "$needed2" -ge 5 &&
	test "$execs" -lt $((needed + needed2)) &&
	test "$hits" -ge "$needed"
'

tcase "--status: a table, exit 0; a finished batch is not started twice" '
	$PB -C a batch --status >st &&
	head -1 st | grep -q "^REGRESSION  *STATE  *STEP  *CULPRIT  *TIME$" &&
	test "$(wc -l <st)" -eq 4 &&
	expect_exit 2 $PB -C a batch "$TRASH/list" 2>e2 &&
	grep -q "batch --resume" e2 &&
	$PB -C a batch --resume >r.out 2>r.err &&
	! grep -q "started\|resumed" r.out
'

tcase "kill -9 of the controller and its children, then --resume: no run repeated" '
	setup "$TRASH/k" &&
	list "$TRASH/k" | sed "s/stats.endpointBoots=4/stats.endpointBoots=6/" >klist &&
	kills=0 &&
	for delay in 0.8 0.6; do
		{ $PB -C "$TRASH/k" batch $( [ $kills = 0 ] && echo "$TRASH/klist" || echo --resume ) >>"$TRASH/k.out" 2>&1 & } &&
		pid=$! &&
		sleep $delay &&
		kids=$(pgrep -P $pid || :) &&
		kill -9 $pid $kids 2>/dev/null &&
		kills=$((kills + 1)) &&
		wait $pid || :
	done &&
	echo "killed $kills times" &&
	$PB -C k batch --status >st.killed &&
	cat st.killed &&
	grep -q "running\|stopped\|pending" st.killed &&
	$PB -C k batch --resume >"$TRASH/k.out2" 2>&1 &&
	check_culprits "$TRASH/k" &&
	cd "$TRASH/k" && test -d .git/perfbisect-batch &&
	runs=0 &&
	for r in slow again late; do
		n=$(sqlite3 .git/perfbisect-batch/reg/$r/state.db "select count(*) from runs") &&
		runs=$((runs + n)) || return 1
	done &&
	execs=$(cat "$TRASH/k.runs" | wc -l) &&
	echo "benchmark executions $execs, recorded runs $runs" &&
	test "$execs" -le $((runs + 2 * kills))
'

tcase "SIGTERM stops the children cleanly; --resume finishes" '
	setup "$TRASH/t" &&
	list "$TRASH/t" >tlist &&
	{ $PB -C "$TRASH/t" batch "$TRASH/tlist" >"$TRASH/t.out" 2>&1 & } &&
	pid=$! &&
	sleep 0.5 &&
	kill -TERM $pid &&
	rc=0 && wait $pid || rc=$? &&
	cat "$TRASH/t.out" &&
	assert_eq 130 "$rc" "exit status" &&
	grep -q "batch --resume. continues" "$TRASH/t.out" &&
	for r in slow again late; do
		lock=t/.git/perfbisect-batch/reg/$r/lock &&
		{ [ ! -e $lock ] || flock -n $lock true; } || fail "$r still locked"
	done &&
	$PB -C t batch --status >st &&
	cat st &&
	grep -q "stopped" st &&
	$PB -C t batch --resume >/dev/null 2>&1 &&
	check_culprits "$TRASH/t"
'

tcase "a malformed line: file:line, exit 2, nothing created" '
	setup "$TRASH/m" &&
	cd "$TRASH/m" && test -d .git/refs &&
	printf "ok v1 v2 synth:time\n\nbad v1 v2\n" >l1 &&
	expect_exit 2 $PB batch l1 2>e1 &&
	assert_eq "perfbisect: l1:3: expected NAME GOOD BAD METRIC [key=value...]" "$(cat e1)" &&
	printf "a v1 v2 synth:time\na v1 v2 synth:time\n" >l2 &&
	expect_exit 2 $PB batch l2 2>e2 &&
	grep -q "^perfbisect: l2:2: regression .a. is already on line 1$" e2 &&
	printf "a v1 nope synth:time\n" >l3 &&
	expect_exit 2 $PB batch l3 2>e3 &&
	grep -q "^perfbisect: l3:1: .*nope" e3 &&
	printf "a v1 v2 synth:time stats.runs=zero\n" >l4 &&
	expect_exit 2 $PB batch l4 2>e4 &&
	grep -q "^perfbisect: l4:1: .*stats.runs" e4 &&
	printf "a v1 v2 synth:time target=l9\n" >l5 &&
	expect_exit 2 $PB batch l5 2>e5 &&
	grep -q "^perfbisect: l5:1: target .l9. is not in the pool" e5 &&
	printf "a v1 v2 synth:time \"benchmark.synth.command=x\n" >l6 &&
	expect_exit 2 $PB batch l6 2>e6 &&
	grep -q "^perfbisect: l6:1: unterminated" e6 &&
	printf "a v1 v2 synth:time\n" >l0 &&
	expect_exit 2 $PB batch --targets l1,nosuch l0 2>e7 &&
	grep -q "nosuch" e7 &&
	test ! -e .git/perfbisect-batch &&
	test ! -e .git/perfbisect-cache &&
	expect_exit 2 $PB batch --status 2>e8 &&
	grep -q "no batch is recorded" e8
'
