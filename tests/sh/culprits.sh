#!/bin/sh
# run --all-culprits (bisect.allCulprits) on the local target: a history
# whose slowdown comes from two commits (60 % and 40 % of it) is searched
# again on each side of the first culprit found, reusing the boots
# already made; each culprit is confirmed against its parent and reported
# with its share; a remainder without a reproduced difference is left
# alone; kill -9 during a remainder's search and resume reach the same
# answer without repeating a run.
. "$(dirname "$0")/../lib.sh"

fast="-c stats.runs=1 -c stats.warmup=0 -c stats.endpointBoots=6 -c stats.minBoots=2 -c stats.confirmBoots=6"

# id REPO SUBJECT: the commit of v2 with that subject.
id() {
	git -C "$1" log --format='%H %s' v2 | awk -v s="$2" '{ h = $1; $1 = ""; if (substr($0, 2) == s) print h }'
}

sh "$top/tests/gen-history" "$TRASH/two" 80 "main 51" 0.01 "main 20" >/dev/null

tcase "two culprits: both found, confirmed, with their shares" '
	cd two &&
	# shellcheck disable=SC2086
	$PB $fast -c bisect.search=classic run --good v1 --bad v2 \
		--metric synth:time --all-culprits >out 2>err &&
	first=$(id . "main 51") && second=$(id . "main 20") &&
	grep -q "^$first is the first bad commit" out &&
	grep -q "^2 culprits:" out &&
	sqlite3 .git/perfbisect/state.db \
		"select value from meta where key = '\''culprits'\''" >culprits &&
	assert_eq "$first $second" "$(cat culprits)" "recorded culprits" &&
	$PB report --json >r.json &&
	assert_eq 2 "$(jq ".culprits | length" r.json)" "culprits in JSON" &&
	assert_eq "$first" "$(jq -r ".culprits[0].commit" r.json)" "first" &&
	assert_eq "$second" "$(jq -r ".culprits[1].commit" r.json)" "second" &&
	# shares near 60 % and 40 % of the change, each confirmed
	jq -e ".culprits[0].confirmation | .confirmed and .share > 0.5 and .share < 0.7" r.json >/dev/null &&
	jq -e ".culprits[1].confirmation | .confirmed and .share > 0.3 and .share < 0.5" r.json >/dev/null &&
	$PB report >r.txt &&
	grep -q "^every culprit" r.txt &&
	grep -Eq "2 culprits, (9[0-9]|10[0-9])% of the change together" r.txt &&
	# the remainders beside the culprits: searched once, then left alone
	grep -q "^remainder 1: searching" err &&
	test "$(grep -c "left alone" err)" -ge 2
'

tcase "a remainder reuses the boots of its ends, never measures them again" '
	cd two &&
	db=.git/perfbisect/state.db &&
	good=$(git rev-parse v1) &&
	parent=$(git rev-parse "$(id . "main 51")^") &&
	# the first remainder runs from good to the first culprit'\''s parent:
	# its ends are the good endpoint'\''s boots and the confirmation'\''s
	sqlite3 $db "select value from meta where key = '\''round.1'\''" >round &&
	grep -q "$good\.\.$parent\$" round &&
	assert_eq 0 "$(sqlite3 $db "select count(*) from boots where commit_id = '\''$good'\'' and role != '\''good'\''")" "good boots beyond the endpoint'\''s" &&
	assert_eq "parent 6" "$(sqlite3 $db "select role, count(*) from boots where commit_id = '\''$parent'\'' and role != '\''step'\'' group by role" | tr "|" " ")" "boots of the parent" &&
	# one row per (commit, role, seq): nothing measured twice
	assert_eq "$(sqlite3 $db "select count(*) from boots")" \
		"$(sqlite3 $db "select count(*) from (select distinct commit_id, role, seq from boots)")" "distinct boots"
'

tcase "one culprit: the remainders show no regression and are left alone" '
	sh "$top/tests/gen-history" "$TRASH/one" 60 "main 33" 0.01 >/dev/null &&
	cd one &&
	# shellcheck disable=SC2086
	$PB $fast run --good v1 --bad v2 --metric synth:time --all-culprits >out 2>err &&
	grep -q "^1 culprit:" out &&
	test "$(grep -c "left alone" err)" -ge 1 &&
	! grep -q "^remainder 1: searching" err &&
	$PB report --json | jq -e ".culprits | length == 1" >/dev/null
'

tcase "without --all-culprits the report points at it" '
	sh "$top/tests/gen-history" "$TRASH/hint" 60 "main 40" 0.01 "main 15" >/dev/null &&
	cd hint &&
	# shellcheck disable=SC2086
	$PB $fast -c bisect.search=classic run --good v1 --bad v2 --metric synth:time >out 2>err &&
	$PB report >r.txt &&
	grep -q "other commits contribute (run --all-culprits" r.txt &&
	! grep -q "^every culprit" r.txt &&
	$PB report --json | jq -e "has(\"culprits\") | not" >/dev/null
'

tcase "posterior search, then remainders: both culprits" '
	sh "$top/tests/gen-history" "$TRASH/post" 80 "main 51" 0.01 "main 20" >/dev/null &&
	cd post &&
	# shellcheck disable=SC2086
	$PB $fast -c bisect.search=posterior -c bisect.allCulprits=true run \
		--good v1 --bad v2 --metric synth:time >out 2>err &&
	grep -q "lies between good and bad: searching on each side" err &&
	grep -q "^2 culprits:" out &&
	grep -q "^$(id . "main 51" | cut -c1-12) " out &&
	grep -q "^$(id . "main 20" | cut -c1-12) " out
'

tcase "kill -9 during a remainder, then resume: same culprits, no run repeated" '
	sh "$top/tests/gen-history" "$TRASH/crash" 50 "main 31" 0.01 "main 12" >/dev/null
	cd crash
	count="$TRASH/crash.count"
	: >"$count"
	# shellcheck disable=SC2086
	set -- -c "benchmark.synth.command=./bench.sh; echo >>$count" $fast
	$PB "$@" -c bisect.search=classic run --good v1 --bad v2 \
		--metric synth:time --all-culprits >out 2>err &
	pid=$!
	# wait for the first remainder to start, then kill in its middle
	i=0
	while [ $i -lt 600 ] && ! grep -q "^remainder 1: searching" err; do
		sleep 0.05
		i=$((i + 1))
	done
	sleep 0.3
	kills=0
	if kill -9 $pid 2>/dev/null; then kills=1; fi
	wait $pid || :
	test "$kills" = 1 || fail "the run ended before it could be killed"
	$PB "$@" resume >out 2>err || fail "resume: $(cat err)"
	grep -q "^2 culprits:" out &&
	sqlite3 .git/perfbisect/state.db \
		"select value from meta where key = '\''culprits'\''" >culprits &&
	assert_eq "$(id . "main 31") $(id . "main 12")" "$(cat culprits)" "culprits" &&
	runs=$(sqlite3 .git/perfbisect/state.db "select count(*) from runs") &&
	execs=$(wc -l <"$count") &&
	echo "executions $execs, recorded runs $runs" &&
	test "$execs" -le $((runs + kills))
'

tcase "--all-culprits takes no argument; a bad bisect.allCulprits is refused" '
	sh "$top/tests/gen-history" "$TRASH/bad" 20 "main 9" >/dev/null &&
	cd bad &&
	expect_exit 2 $PB run --all-culprits=yes --good v1 --bad v2 --metric synth:time &&
	expect_exit 2 $PB -c bisect.allCulprits=maybe run --good v1 --bad v2 \
		--metric synth:time 2>err &&
	grep -q "bisect.allCulprits" err &&
	test ! -e .git/perfbisect
'
