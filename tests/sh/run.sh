#!/bin/sh
# End-to-end bisections on the local target over scripted histories:
# compared with git bisect run, kill -9 and resume, git bisect replay of
# the log, only-skipped ranges, the JSON report.
. "$(dirname "$0")/../lib.sh"

fast="-c bisect.search=classic -c stats.runs=1 -c stats.warmup=0 -c stats.endpointBoots=4 -c stats.minBoots=1 -c stats.confirmBoots=3"
export fast

# git bisect run's oracle for the toy project: bad when slow.
cat >"$TRASH/oracle" <<'EOS'
#!/bin/sh
./build.sh >/dev/null 2>&1 || exit 125
./bench.sh | awk '{ exit ($2 > 0.15) }'
EOS
chmod +x "$TRASH/oracle"

# compare_with_git REPO CULPRIT: perfbisect and git bisect run agree.
compare_with_git() {
	(
	cd "$1" &&
	want=$(git log --format='%H %s' v2 | awk -v s="$2" '{ h = $1; $1 = ""; if (substr($0, 2) == s) print h }') &&
	test -n "$want" &&
	$PB $fast run --good v1 --bad v2 --metric synth:time >"$TRASH/pb.out" 2>"$TRASH/pb.err" &&
	got=$(sed -n 's/ is the first bad commit$//p' "$TRASH/pb.out") &&
	assert_eq "$want" "$got" "perfbisect culprit" &&
	ours=$($PB log | grep -c '^git bisect \(good\|bad\|skip\)') &&
	git bisect start v2 v1 >/dev/null &&
	git bisect run "$TRASH/oracle" >"$TRASH/git.out" 2>&1 &&
	# git logs the endpoints given to "start" as comments only.
	theirs=$(git bisect log | grep -c '^git bisect \(good\|bad\|skip\)') &&
	gitgot=$(git rev-parse refs/bisect/bad) &&
	git bisect reset >/dev/null 2>&1 &&
	git clean -fdxq &&
	assert_eq "$want" "$gitgot" "git's culprit" &&
	echo "steps: perfbisect $((ours - 2)), git $theirs" &&
	test $((ours - 2)) -le $((theirs + 1)) || fail "perfbisect took $((ours - 2)) steps, git $theirs"
	)
}

sh "$top/tests/gen-history" "$TRASH/big" 1000 "main 437" >/dev/null 2>&1

tcase "1000 commits: same culprit as git bisect run, no more steps" '
	compare_with_git "$TRASH/big" "main 437"
'

tcase "culprit on a merged topic branch" '
	sh "$top/tests/gen-history" "$TRASH/topic" 200 "topic 9.2" >/dev/null &&
	compare_with_git "$TRASH/topic" "topic 9.2"
'

tcase "culprit next to a criss-cross merge" '
	sh "$top/tests/gen-history" "$TRASH/cross" 120 "topic 3.3" >/dev/null &&
	compare_with_git "$TRASH/cross" "topic 3.3"
'

tcase "the log replays in git bisect to the same commit" '
	cd big &&
	$PB log >"$TRASH/bisect.log" &&
	git bisect replay "$TRASH/bisect.log" >"$TRASH/replay.out" 2>&1 &&
	want=$(git log --format="%H %s" v2 | awk "/ main 437\$/ { print \$1 }") &&
	grep -q "^$want is the first bad commit" "$TRASH/replay.out" &&
	git bisect reset >/dev/null 2>&1
'

tcase "the user tree, index and HEAD are untouched" '
	cd big &&
	git status --porcelain >"$TRASH/status" &&
	test ! -s "$TRASH/status" &&
	assert_eq "$(git rev-parse v2)" "$(git rev-parse HEAD)" HEAD &&
	test -f .git/perfbisect/worktree/level
'

tcase "report --json has the documented fields" '
	cd big &&
	$PB report --json >report.json &&
	jq -e ".status == \"found\"" report.json >/dev/null &&
	jq -e ".culprit.commit | test(\"^[0-9a-f]{40}$\")" report.json >/dev/null &&
	jq -e ".culprit.subject == \"main 437\"" report.json >/dev/null &&
	jq -e ".steps | length > 5" report.json >/dev/null &&
	jq -e "[.steps[].verdict] | all(. == \"good\" or . == \"bad\" or . == \"skip\")" report.json >/dev/null &&
	jq -e "[.steps[].samples | length] | all(. >= 1)" report.json >/dev/null &&
	jq -e ".good.samples | length >= 4" report.json >/dev/null &&
	jq -e ".bad.mean > .good.mean" report.json >/dev/null
'

tcase "status and reset" '
	cd big &&
	$PB status >status.out &&
	grep -q "^status: found" status.out &&
	$PB reset &&
	test ! -e .git/perfbisect &&
	$PB reset | grep -q "no bisection"
'

tcase "kill -9 at any moment, then resume: same answer, no run repeated" '
	sh "$top/tests/gen-history" "$TRASH/crash" 150 "main 61" 0.03 >/dev/null
	cd crash
	count="$TRASH/crash.count"
	: >"$count"
	set -- -c "benchmark.synth.command=./bench.sh; echo >>$count" \
		-c stats.runs=2 -c stats.warmup=1 -c stats.endpointBoots=4 -c stats.confirmBoots=3
	crash_resume "0.3 0.5 0.2 0.7 0.4 0.6 0.3" "$@"
	$PB status | grep -q "^status: found" &&
	want=$(git log --format="%H %s" v2 | awk "/ main 61\$/ { print \$1 }") &&
	$PB status | grep -q "^culprit: $want" &&
	runs_not_repeated "$count" &&
	test "$kills" -ge 3
'

tcase "only skipped commits left: candidate range, exit 4" '
	sh "$top/tests/gen-history" "$TRASH/skips" 60 "main 37" >/dev/null &&
	cd skips &&
	expect_exit 4 $PB $fast -c "build.command=./build.sh && ! grep -qx \"main 3[5-9]\" src/main.c" \
		run --good v1 --bad v2 --metric synth:time >"$TRASH/skips.out" 2>"$TRASH/skips.err" &&
	grep -q "only skipped commits left" "$TRASH/skips.out" &&
	$PB report --json >"$TRASH/r.json" &&
	jq -e ".status == \"inconclusive\"" "$TRASH/r.json" >/dev/null &&
	jq -r ".candidates[].commit" "$TRASH/r.json" | sort >"$TRASH/ours" &&
	git bisect start v2 v1 >/dev/null &&
	{ git bisect run sh -c "! grep -qx \"main 3[5-9]\" src/main.c || exit 125; $TRASH/oracle" >"$TRASH/git.out" 2>&1 || :; } &&
	grep -q "only .skip.ped commits left" "$TRASH/git.out" &&
	grep -x "[0-9a-f]\{40\}" "$TRASH/git.out" | sort >"$TRASH/theirs" &&
	git bisect reset >/dev/null 2>&1 &&
	test -s "$TRASH/theirs" &&
	cmp "$TRASH/theirs" "$TRASH/ours"
'

tcase "no regression: exit 3 with the numbers" '
	sh "$top/tests/gen-history" "$TRASH/flat" 30 "none" 0.05 >/dev/null &&
	cd flat &&
	expect_exit 3 $PB -c stats.runs=1 -c stats.warmup=0 -c stats.endpointBoots=6 -c stats.endpointMaxBoots=10 \
		run --good v1 --bad v2 --metric synth:time >out 2>err &&
	grep -q "not reproduced" out &&
	grep -q "p(Welch)" out &&
	$PB report --json | jq -e ".status == \"not-reproduced\"" >/dev/null
'

tcase "endpoints: noise within and between boots, cost estimate" '
	sh "$top/tests/gen-history" "$TRASH/noise" 20 "main 9" 0.03 >/dev/null &&
	cd noise &&
	$PB -c stats.runs=3 -c stats.warmup=0 -c stats.endpointBoots=4 -c stats.confirmBoots=3 \
		run --good v1 --bad v2 --metric synth:time >"$TRASH/noise.out" 2>"$TRASH/noise.err" &&
	grep -q "^noise: cv [0-9.]*% of a run, within boots [0-9.]*%, between boots [0-9.]*%; [0-9]* runs\{0,1\} per boot would serve best (now 3; stats.runs = auto would use it)" "$TRASH/noise.err" &&
	grep -q "^estimate: the step is [0-9.]* boot standard deviations; about [0-9.]* boots per step" "$TRASH/noise.err"
'

# A machine that slows down by 1 % per run, whatever it runs.
cat >"$TRASH/drifty" <<'EOS'
#!/bin/sh
ctr=$TRASH/drift.count
n=$(cat "$ctr" 2>/dev/null || echo 0)
n=$((n + 1))
echo $n >"$ctr"
./bench.sh | awk -v n=$n '{ printf "time: %.5f\n", $2 * (1 + n * 0.01) }'
EOS
chmod +x "$TRASH/drifty"

tcase "a drifting machine: good re-measured, drift reported, culprit found" '
	sh "$top/tests/gen-history" "$TRASH/drift" 60 "main 30" 0.01 >/dev/null &&
	cd drift &&
	$PB -c stats.runs=1 -c stats.warmup=0 -c stats.endpointBoots=6 -c stats.confirmBoots=3 \
		-c stats.driftEvery=1 -c "benchmark.synth.command=$TRASH/drifty" \
		run --good v1 --bad v2 --metric synth:time >"$TRASH/drift.out" 2>"$TRASH/drift.err" &&
	grep -q "^drift: the good endpoint moved +[0-9.]*% since it was first measured" "$TRASH/drift.err" &&
	want=$(git log --format="%H %s" v2 | awk "/ main 30\$/ { print \$1 }") &&
	grep -q "^$want is the first bad commit" "$TRASH/drift.out" &&
	test "$($PB report --json | jq ".good.boots")" -gt 6
'

tcase "target.local.runTimeout bounds each run" '
	sh "$top/tests/gen-history" "$TRASH/rt" 10 "main 5" >/dev/null &&
	cd rt &&
	start=$(date +%s) &&
	expect_exit 1 $PB -c target.local.runTimeout=1s -c stats.maxBootFailures=1 \
		-c "benchmark.synth.command=sleep 30; ./bench.sh" \
		run --good v1 --bad v2 --metric synth:time >"$TRASH/rt.out" 2>"$TRASH/rt.err" &&
	test $(($(date +%s) - start)) -lt 25 &&
	grep -q "run [0-9a-f]* boot 1 run 1 failed: timed out after 1 s" "$TRASH/rt.err" &&
	grep -q "cannot measure the good endpoint" "$TRASH/rt.err"
'

# A machine whose every boot is 2 % faster or slower, at random, than
# the last, and whose runs within a boot agree.
cat >"$TRASH/bootoff-setup" <<EOS
#!/bin/sh
awk -v seed="\$(od -An -N2 -tu2 /dev/urandom)" 'BEGIN { srand(seed); printf "%.6f\\n", 1 + 0.04 * (rand() - 0.5) }' >"$TRASH/bootoff"
EOS
cat >"$TRASH/bootoff-bench" <<EOS
#!/bin/sh
./bench.sh | awk -v f="\$(cat "$TRASH/bootoff")" '{ printf "time: %.6f\\n", \$2 * f }'
EOS
chmod +x "$TRASH/bootoff-setup" "$TRASH/bootoff-bench"

tcase "stats.runs = auto: runs per boot chosen from the endpoints' noise" '
	sh "$top/tests/gen-history" "$TRASH/auto" 40 "main 23" 0 >/dev/null &&
	cd auto &&
	db=.git/perfbisect/state.db &&
	# The noise is all between boots (each boot draws its own offset in
	# the setup hook, its runs repeat it): one run per boot serves best.
	$PB -c stats.runs=auto -c stats.warmup=0 -c stats.endpointBoots=6 \
		-c stats.confirmBoots=4 -c bisect.search=classic \
		-c "benchmark.synth.setup=$TRASH/bootoff-setup" \
		-c "benchmark.synth.command=$TRASH/bootoff-bench" \
		run --good v1 --bad v2 --metric synth:time >"$TRASH/auto.out" 2>"$TRASH/auto.err" &&
	grep -q "^runs: 1 per boot from now on (stats.runs = auto); the endpoints" "$TRASH/auto.err" &&
	assert_eq 1 "$(sqlite3 $db "select value from meta where key = '\''runs.auto'\''")" "runs.auto" &&
	want=$(git log --format="%H %s" v2 | awk "/ main 23\$/ { print \$1 }") &&
	grep -q "^$want is the first bad commit" "$TRASH/auto.out" &&
	# the endpoints were measured with 3 runs per boot, the steps with 1
	assert_eq 3 "$(sqlite3 $db "select max(n) from (select count(*) n from runs join boots on boots.id = runs.boot where role = '\''good'\'' group by boot)")" "runs per endpoint boot" &&
	assert_eq 1 "$(sqlite3 $db "select max(n) from (select count(*) n from runs join boots on boots.id = runs.boot where role = '\''step'\'' group by boot)")" "runs per step boot" &&
	# the report judges the endpoints on their first run, as the run did
	first=$(sqlite3 $db "select runs.value from runs join boots on boots.id = runs.boot where role = '\''good'\'' and runs.seq = 1 order by boots.seq limit 1") &&
	$PB report --json >r.json &&
	jq -e --argjson f "$first" ".good.samples[0] == \$f" r.json >/dev/null &&
	# a bad value is one line and exit 2, with nothing recorded
	sh "$top/tests/gen-history" "$TRASH/autobad" 10 "main 5" >/dev/null &&
	cd ../autobad &&
	expect_exit 2 $PB -c stats.runs=often run --good v1 --bad v2 \
		--metric synth:time 2>err &&
	grep -q "stats.runs" err &&
	test ! -e .git/perfbisect
'
