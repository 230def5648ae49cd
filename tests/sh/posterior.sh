#!/bin/sh
# bisect.search = posterior end to end on scripted noisy
# histories: the culprit on the mainline and inside a merged topic
# branch, git bisect replay of the log, the top candidates in the
# report, kill -9 and resume.
. "$(dirname "$0")/../lib.sh"

post="-c bisect.search=posterior -c stats.runs=1 -c stats.warmup=0 -c stats.endpointBoots=6 -c stats.confirmBoots=3 -c stats.driftEvery=0"

# culprit REPO SUBJECT: the commit id of SUBJECT in REPO.
culprit() {
	git -C "$1" log --format='%H %s' v2 | awk -v s="$2" '{ h = $1; $1 = ""; if (substr($0, 2) == s) print h }'
}

# search REPO SUBJECT: perfbisect names SUBJECT, git bisect replay of
# perfbisect log too.
search() {
	(
	cd "$1" &&
	want=$(culprit . "$2") &&
	test -n "$want" &&
	$PB $post run --good v1 --bad v2 --metric synth:time >pb.out 2>pb.err &&
	assert_eq "$want" "$(sed -n 's/ is the first bad commit$//p' pb.out)" "culprit" &&
	grep -q "^posterior search on the first-parent line" pb.err &&
	grep -q "^step [0-9]*: [0-9a-f]\{12\} .*; top: [0-9a-f]\{12\} [0-9.]*%" pb.err &&
	$PB log >bisect.log &&
	git bisect replay bisect.log >replay.out 2>&1 &&
	git bisect reset >/dev/null 2>&1 &&
	grep -q "^$want is the first bad commit" replay.out || { cat replay.out; fail "git bisect replay"; }
	)
}

sh "$top/tests/gen-history" "$TRASH/main" 250 "main 173" 0.05 >/dev/null
sh "$top/tests/gen-history" "$TRASH/topic" 200 "topic 9.2" 0.05 >/dev/null
sh "$top/tests/gen-history" "$TRASH/first" 120 "topic 5.1" 0.05 >/dev/null

tcase "culprit on the mainline; git bisect replay of the log agrees" '
	search "$TRASH/main" "main 173"
'

tcase "culprit inside a merged topic branch; replay agrees" '
	search "$TRASH/topic" "topic 9.2" &&
	grep -q "is a merge: searching its second parent" topic/pb.err
'

tcase "culprit is the first commit of a topic branch; replay agrees" '
	search "$TRASH/first" "topic 5.1"
'

tcase "report --json: candidates_top at every step, verdicts placed" '
	cd main &&
	$PB report --json >r.json &&
	jq -e ".status == \"found\"" r.json >/dev/null &&
	jq -e ".culprit.subject == \"main 173\"" r.json >/dev/null &&
	jq -e ".steps | length >= 3" r.json >/dev/null &&
	jq -e "[.steps[].candidates_top | length] | all(. >= 1 and . <= 5)" r.json >/dev/null &&
	jq -e "[.steps[].candidates_top[] | .commit | test(\"^[0-9a-f]{40}$\")] | all" r.json >/dev/null &&
	jq -e "[.steps[].candidates_top[] | .probability] | all(. >= 0 and . <= 1)" r.json >/dev/null &&
	jq -e ".steps[-1].candidates_top[0].commit == .culprit.commit" r.json >/dev/null &&
	jq -e ".steps[-1].candidates_top[0].probability >= 0.99" r.json >/dev/null &&
	jq -e "[.steps[].verdict] | all(. == \"good\" or . == \"bad\")" r.json >/dev/null &&
	$PB report >r.txt &&
	grep -q "^       top: [0-9a-f]\{12\} [0-9.]*%" r.txt &&
	$PB status | grep -q "^culprit: $(culprit . "main 173")"
'

tcase "a bad bisect.search is refused before anything runs" '
	sh "$top/tests/gen-history" "$TRASH/refuse" 10 "main 5" >/dev/null &&
	cd refuse &&
	expect_exit 2 $PB -c bisect.search=fast run --good v1 --bad v2 --metric synth:time >out 2>err &&
	grep -q "bad value .fast. for .bisect.search.: expected classic or posterior" err &&
	test ! -e .git/perfbisect/state.db
'

tcase "kill -9 at any moment, then resume: same answer, no run repeated" '
	sh "$top/tests/gen-history" "$TRASH/crash" 150 "main 61" 0.05 >/dev/null
	cd crash
	count="$TRASH/crash.count"
	: >"$count"
	set -- $post -c "benchmark.synth.command=./bench.sh; echo >>$count"
	crash_resume "0.3 0.5 0.2 0.7 0.4" "$@"
	$PB status | grep -q "^status: found" &&
	$PB status | grep -q "^culprit: $(culprit . "main 61")" &&
	runs_not_repeated "$count" &&
	test "$kills" -ge 2 &&
	$PB log >bisect.log &&
	git bisect replay bisect.log >replay.out 2>&1 &&
	git bisect reset >/dev/null 2>&1 &&
	grep -q "^$(culprit . "main 61") is the first bad commit" replay.out
'

tcase "bisect.maxTime: the search stops at the time cap with its candidates" '
	sh "$top/tests/gen-history" "$TRASH/late" 150 "main 61" 0.05 >/dev/null &&
	cd late &&
	expect_exit 4 $PB $post -c bisect.maxTime=1s run --good v1 --bad v2 --metric synth:time >out 2>err &&
	grep -q "time cap (bisect.maxTime) is reached" out err &&
	$PB report --json >r.json &&
	jq -e ".status == \"inconclusive\" and (.candidates | length) > 1" r.json >/dev/null
'

tcase "endpoints go past endpointMaxBoots while the regression looks present" '
	sh "$top/tests/gen-history" "$TRASH/weak" 40 "main 23" 0.2 >/dev/null &&
	cd weak &&
	$PB $post -c stats.endpointBoots=4 -c stats.endpointMaxBoots=4 -c stats.endpointLongBoots=60 \
		run --good v1 --bad v2 --metric synth:time >out 2>err &&
	grep -q "^endpoints: undecided after 4 boots each, but the regression looks present" err &&
	good=$(sqlite3 .git/perfbisect/state.db "select count(*) from boots where role = '\''good'\''") &&
	echo "good endpoint boots: $good" &&
	test "$good" -gt 4 &&
	assert_eq "$(culprit . "main 23")" "$(sed -n "s/ is the first bad commit$//p" out)" "culprit"
'
