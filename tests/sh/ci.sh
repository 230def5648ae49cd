#!/bin/sh
# The CI side and the reports: run --ci's event lines and --json-out,
# endpoint values imported from sample files, "git bisect run perfbisect
# step" against run's culprit, scripts/ci-post-failure-hook, and the
# text, JSON, CSV and HTML reports.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/../lib.sh"

# stats.driftEvery=0: no re-measurement of good in histories this short.
fast="-c stats.runs=1 -c stats.warmup=0 -c stats.endpointBoots=4 -c stats.minBoots=1 -c stats.confirmBoots=3 -c stats.driftEvery=0"
export fast

# 14 commits, a topic branch, noisy runs; "main 5" makes it slow.
# shellcheck disable=SC2154 # top comes from lib.sh
sh "$top/tests/gen-history" "$TRASH/h" 14 "main 5" 0.02 >/dev/null 2>&1
want=$(cd "$TRASH/h" && git log --format='%H %s' v2 | awk '$2 == "main" && $3 == "5" { print $1 }')
export want

# copy_history NAME: a fresh clone of the history (same commit ids).
copy_history() {
	git clone -q "$TRASH/h" "$TRASH/$1" &&
	git -C "$TRASH/$1" tag -f v1 "$(git -C "$TRASH/h" rev-parse v1)" >/dev/null &&
	git -C "$TRASH/$1" tag -f v2 "$(git -C "$TRASH/h" rev-parse v2)" >/dev/null
}

# Values as a CI job measured them: 0.1 and 0.2 with a little noise.
printf '# good, measured by the CI job\n0.101\n0.0995\n\n0.1003 # third\n0.0998\n0.1002\n' >"$TRASH/good.values"
printf '0.2011\n0.1987\n0.2004\n0.1996\n0.2002\n' >"$TRASH/bad.values"

tcase "run --ci: key=value event lines, no redraw on a terminal, --json-out" '
	copy_history ci &&
	cd ci &&
	# script(1) gives perfbisect a terminal on stdout and stderr.
	script -qec "$PB $fast run --ci --json-out $TRASH/ci.json --good v1 --bad v2 --metric synth:time" /dev/null >tty.out &&
	! grep -q "$(printf "\033")" tty.out &&
	tr -d "\r" <tty.out | grep "^perfbisect: " >events &&
	grep -v "^perfbisect: event=[a-z-]* " events && fail "a line without event=" ;
	grep -q "^perfbisect: event=start metric=synth:time good=[0-9a-f]\{40\} bad=[0-9a-f]\{40\} target=local " events &&
	grep -q "^perfbisect: event=endpoints outcome=reproduced good_boots=[4-9] bad_boots=[4-9] " events &&
	grep -q "^perfbisect: event=step step=1 commit=[0-9a-f]\{40\} verdict=\(good\|bad\) boots=[0-9]* mean=" events &&
	grep -q "^perfbisect: event=culprit commit=$want " events &&
	grep -q "^perfbisect: event=boot .* msg=\"[^\"]*\"\$" events &&
	tail -n 1 events | grep -q "^perfbisect: event=finish status=found exit=0 culprit=$want\$" &&
	jq -e --arg w "$want" ".status == \"found\" and .culprit.commit == \$w" "$TRASH/ci.json" >/dev/null &&
	ls "$TRASH" | grep -q "^ci.json\$" &&
	! ls -a "$TRASH" | grep -v "^ci.json\$" | grep -q "ci.json"
'

tcase "--json-out is written for exit 3 too, and is the report --json" '
	sh "$top/tests/gen-history" flat 10 none 0.02 >/dev/null &&
	cd flat &&
	expect_exit 3 $PB $fast -c stats.endpointMaxBoots=6 run --ci --quiet --json-out ../flat.json --good v1 --bad v2 --metric synth:time >out 2>err &&
	! test -s err &&
	jq -e ".status == \"not-reproduced\" and .culprit == null" ../flat.json >/dev/null &&
	$PB report --json >now.json &&
	cmp ../flat.json now.json
'

tcase "--json-out into a missing directory: exit 2 before anything" '
	copy_history nodir &&
	cd nodir &&
	expect_exit 2 $PB $fast run --json-out "$TRASH/missing/r.json" --good v1 --bad v2 --metric synth:time 2>err &&
	grep -q "json-out" err &&
	test ! -e .git/perfbisect
'

tcase "sample files: imported as endpoint boots, kept, not measured again" '
	copy_history samples &&
	cd samples &&
	$PB $fast run --ci --good v1 --bad v2 --metric synth:time \
		--good-samples ../good.values --bad-samples ../bad.values >out 2>err &&
	grep -q "^perfbisect: event=import good_boots=5 bad_boots=5 " err &&
	! grep -q "role=good\|role=bad" err &&
	grep -q "^$want is the first bad commit" out &&
	cmp ../good.values .git/perfbisect/samples/good &&
	cmp ../bad.values .git/perfbisect/samples/bad &&
	$PB report --json >r.json &&
	jq -e ".good.boots == 5 and .bad.boots == 5" r.json >/dev/null &&
	jq -e "[.good.boot_records[], .bad.boot_records[]] | all(.imported)" r.json >/dev/null &&
	jq -e ".good.boot_records[2].reason | test(\"good.values line 5\$\")" r.json >/dev/null &&
	jq -e ".good.samples_file | endswith(\"/samples/good\")" r.json >/dev/null &&
	$PB report | grep -q "imported from sample files"
'

tcase "sample files that show no difference: not reproduced, exit 3" '
	copy_history same &&
	cd same &&
	expect_exit 3 $PB $fast run --good v1 --bad v2 --metric synth:time \
		--good-samples ../good.values --bad-samples ../good.values >out 2>err &&
	grep -q "not reproduced" out &&
	test "$(sqlite3 .git/perfbisect/state.db "select count(*) from runs")" = 0
'

tcase "a bad number in a sample file: file and line, exit 2, no state" '
	copy_history badnum &&
	cd badnum &&
	printf "0.1\n0.1O\n" >bad.values &&
	expect_exit 2 $PB $fast run --good v1 --bad v2 --metric synth:time \
		--good-samples ../good.values --bad-samples bad.values >out 2>err &&
	test "$(wc -l <err)" = 1 &&
	grep -q "^perfbisect: bad.values:2: .0.1O. is not a finite number\$" err &&
	test ! -e .git/perfbisect &&
	printf "0.1\n" >one.values &&
	expect_exit 2 $PB run --good v1 --bad v2 --metric synth:time \
		--good-samples ../good.values --bad-samples one.values 2>err &&
	grep -q "one.values: needs at least two boots" err &&
	expect_exit 2 $PB run --good v1 --bad v2 --metric synth:time --good-samples ../good.values 2>err &&
	grep -q "go together" err &&
	test ! -e .git/perfbisect
'

tcase "git bisect run perfbisect step, endpoints of the recorded run: same culprit" '
	cd ci &&
	steps=$($PB report --json | jq ".steps | length") &&
	git bisect start v2 v1 >/dev/null &&
	git bisect run $PB $fast step >"$TRASH/gbr.out" 2>&1 &&
	got=$(git rev-parse refs/bisect/bad) &&
	git bisect reset >/dev/null 2>&1 &&
	assert_eq "$want" "$got" "git bisect run with step" &&
	# The commits git chose were measured (or reused) as steps.
	test "$($PB report --json | jq ".steps | length")" -ge "$steps"
'

tcase "git bisect run perfbisect step with sample files: measures, same culprit" '
	copy_history gbr &&
	cd gbr &&
	git bisect start v2 v1 >/dev/null &&
	git bisect run $PB $fast step --good-samples ../good.values --bad-samples ../bad.values \
		--metric synth:time >"$TRASH/gbr2.out" 2>&1 &&
	got=$(git rev-parse refs/bisect/bad) &&
	git bisect reset >/dev/null 2>&1 &&
	assert_eq "$want" "$got" "git bisect run with step" &&
	$PB status | grep -q "^status: stepping" &&
	runs=$(sqlite3 .git/perfbisect/state.db "select count(*) from runs r join boots b on r.boot = b.id where b.role = \"step\"") &&
	test "$runs" -ge 2 &&
	$PB report >r.txt &&
	grep -q "git bisect run perfbisect -f perfbisect-settings.conf step" r.txt &&
	grep -q -- "--good-samples .*samples/good" r.txt
'

tcase "step: 125 for a commit that does not build, 128 for errors" '
	cd gbr &&
	git checkout -q v2 &&
	expect_exit 1 $PB step 2>/dev/null &&
	git checkout -q "$(git log --format=%H --grep="^main 2\$" v2)" &&
	expect_exit 125 $PB -c build.command=false step 2>err &&
	grep -q "is skip" err &&
	git checkout -q v1 &&
	expect_exit 128 $PB step --no-such-option 2>err &&
	expect_exit 128 $PB step --good-samples ../good.values 2>err &&
	grep -q "go together" err &&
	expect_exit 128 $PB step --good-samples ../bad.values --bad-samples ../good.values --metric synth:time 2>err &&
	grep -q "differs from the good samples" err &&
	cd ../h &&
	expect_exit 128 $PB step 2>err &&
	grep -q "no bisection is recorded" err &&
	expect_exit 128 $PB step --good-samples ../good.values --bad-samples ../bad.values --metric synth:time 2>err &&
	grep -q "no git bisect in progress" err &&
	test ! -e .git/perfbisect
'

tcase "ci-post-failure-hook: reports as artifacts, perfbisect exit status" '
	copy_history hook &&
	cd hook &&
	PB_GOOD=v1 PB_BAD=v2 PB_METRIC=synth:time PB_ARTIFACTS=art PB_OPTS="$fast" \
		sh "$top/scripts/ci-post-failure-hook" >out 2>err &&
	grep -q "^perfbisect: event=finish status=found exit=0" art/events.log &&
	grep -q "^perfbisect: event=finish" err &&
	jq -e --arg w "$want" ".culprit.commit == \$w" art/report.json >/dev/null &&
	grep -q "^first bad commit:" art/report.txt &&
	grep -q "<svg" art/report.html &&
	cd ../flat && $PB reset >/dev/null &&
	set +e
	PB_GOOD=v1 PB_BAD=v2 PB_METRIC=synth:time PB_ARTIFACTS=art2 PB_OPTS="$fast -c stats.endpointMaxBoots=6" \
		PB_GOOD_SAMPLES="$TRASH/good.values" PB_BAD_SAMPLES="$TRASH/good.values" \
		sh "$top/scripts/ci-post-failure-hook" >out 2>err
	rc=$?
	set -e
	assert_eq 3 "$rc" "hook exit status" &&
	jq -e ".status == \"not-reproduced\"" art2/report.json >/dev/null &&
	grep -q "not-reproduced" art2/report.txt &&
	expect_exit 2 env PB_GOOD=v1 PB_METRIC=x sh "$top/scripts/ci-post-failure-hook" 2>err &&
	grep -q "PB_BAD" err
'

tcase "text report: culprit, effect with interval, table, machine, commands" '
	cd ci &&
	$PB report >r.txt &&
	! grep -q "$(printf "\033")" r.txt &&
	LC_ALL=C grep -q "[^ -~]" r.txt && fail "non-ASCII in the report" ;
	sed -n "/^first bad commit:/,/^\$/p" r.txt | grep -q "^    commit $want\$" &&
	grep -q "^    Author: A U Thor <author@example.com>\$" r.txt &&
	grep -q "^    Date:   20[0-9-]* [0-9:]* UTC\$" r.txt &&
	grep -q "^        main 5\$" r.txt &&
	grep -q "^  bad against good:  *+[0-9.]*%, 95% interval \[+[0-9.]*%, +[0-9.]*%\]" r.txt &&
	grep -q "^  culprit vs. parent:  *+[0-9.]*%, 95% interval" r.txt &&
	grep -q "^  step commit  *verdict boots  *mean  interval  *subject" r.txt &&
	grep -q "^  target:  local" r.txt &&
	grep -q "^  kernel:  $(uname -r) " r.txt &&
	grep -q "^  cmdline: " r.txt &&
	grep -q "^  perfbisect -f perfbisect-settings.conf run --good $(git rev-parse v1) --bad $(git rev-parse v2)" r.txt &&
	grep -q "^  perfbisect log >bisect.log && git bisect replay bisect.log\$" r.txt
'

tcase "report --json: every boot and run, timings per phase, machine" '
	cd ci &&
	$PB report --json >r.json &&
	jq -e "[.steps[].boot_records[].runs[] | .value, .duration_ms] | all(. != null)" r.json >/dev/null &&
	jq -e "[.steps[].boot_records | length] | all(. >= 1)" r.json >/dev/null &&
	jq -e "(.good.boot_records | length) == .good.boots and .good.boots >= 4" r.json >/dev/null &&
	jq -e ".culprit.confirmation.parent_boot_records | length == 3" r.json >/dev/null &&
	jq -e ".timings | (.build_ms > 0) and (.benchmark_ms > 0) and has(\"install_ms\") and has(\"boot_ms\")" r.json >/dev/null &&
	jq -e "[.steps[].p_good, .steps[].p_bad] | all(. >= 0 and . <= 1)" r.json >/dev/null &&
	jq -e ".endpoints.lo < .endpoints.effect and .endpoints.effect < .endpoints.hi" r.json >/dev/null &&
	jq -e --arg r "$(uname -r)" ".machine.kind == \"local\" and .machine.release == \$r and (.machine.cpus | tonumber) >= 1" r.json >/dev/null &&
	$PB report --csv >r.csv &&
	head -n 1 r.csv | grep -q "^commit,role,boot,run,warmup,ok,value,duration_ms,imported\$" &&
	test "$(grep -c ",step," r.csv)" = "$(jq "[.steps[].boot_records[].runs[]] | length" r.json)"
'

tcase "report --html: one page with the SVG plot of every boot" '
	cd ci &&
	$PB report --html r.html 2>err &&
	! test -s err &&
	grep -q "^<!DOCTYPE html>" r.html &&
	! grep -q "<script\|src=\|href=\"http" r.html &&
	sed -n "/<svg/,/<\/svg>/p" r.html >plot.svg &&
	xmllint --noout plot.svg &&
	nsteps=$(jq ".steps | length" r.json) &&
	# a point per boot: endpoints 4 + 4, a boot or more per step
	test "$(grep -c "<use xlink:href=.#gpPt" plot.svg)" -ge $((8 + nsteps)) &&
	grep -q "first bad commit $(echo "$want" | cut -c1-12)" plot.svg &&
	grep -q "<td><code>$(echo "$want" | cut -c1-12)</code></td><td>bad</td>" r.html
'

tcase "report --html in headless Chromium: the plot is there, in history order" '
	cd ci &&
	command -v chromium >/dev/null || fail "chromium is not installed (scripts/deps)"
	$PB report --html "$TRASH/shot.html" &&
	# the x axis follows history: labels sorted by the commits they name
	sed -n "/<svg/,/<\/svg>/p" "$TRASH/shot.html" >"$TRASH/shot.svg" &&
	grep -q "tested commits in history order" "$TRASH/shot.svg" &&
	grep -o " [0-9a-f]\{7\}</text>" "$TRASH/shot.svg" | cut -c2-8 >"$TRASH/xorder" &&
	test -s "$TRASH/xorder" &&
	git rev-list --reverse --topo-order v1..v2 | cut -c1-7 | grep -Fx -f "$TRASH/xorder" >"$TRASH/horder" &&
	cmp "$TRASH/xorder" "$TRASH/horder" &&
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$TRASH/chromium" --window-size=1200,900 \
		--screenshot="$TRASH/shot.png" "file://$TRASH/shot.html" >/dev/null 2>&1 &&
	ink=$(python3 "$top/tests/png-ink" "$TRASH/shot.png") &&
	echo "ink $ink" &&
	awk -v i="$ink" "BEGIN { exit !(i > 0.02) }" &&
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$TRASH/chromium" --dump-dom "file://$TRASH/shot.html" \
		2>/dev/null >"$TRASH/dom.html" &&
	grep -q "<svg" "$TRASH/dom.html" &&
	grep -q "first bad commit $(echo "$want" | cut -c1-12)" "$TRASH/dom.html"
'

tcase "report --html without gnuplot: tables and a clear warning" '
	cd ci &&
	mkdir -p "$TRASH/nobin" && PATH="$TRASH/nobin" "$PB" report --html nogp.html 2>err &&
	grep -q "^perfbisect: warning: no plot in the HTML report: cannot run .gnuplot." err &&
	grep -q "id=\"no-plot\"" nogp.html &&
	! grep -q "<svg" nogp.html &&
	grep -q "<td><code>$(echo "$want" | cut -c1-12)</code></td><td>bad</td>" nogp.html
'
