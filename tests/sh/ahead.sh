#!/bin/sh
# ahead.sh - build.ahead on the local target (where it is off unless
# asked for): kernels built beside the measurement and found in the
# build cache by the next step, no commit built twice, the saved time in
# the report; SIGTERM while a build ahead runs: it is stopped, nothing of
# it is cached, no process of it survives, and resume finishes.  The VM
# side is tests/sh/batch-vm.sh.
# (tcase bodies are single-quoted: they expand when they run.)
# shellcheck source=tests/lib.sh disable=SC1091,SC2016
. "$(dirname "$0")/../lib.sh"

sh "${top:?}/tests/gen-history" "$TRASH/repo" 40 "main 23" >/dev/null 2>&1
culprit=$(git -C "$TRASH/repo" log --format='%H %s' v2 |
	awk '{ h = $1; $1 = ""; if ($0 == " main 23") print h }')
export culprit

# setup DIR: a copy of the repository whose build takes a second and
# logs "start COMMIT" and "end COMMIT" to DIR.builds, and whose benchmark
# run takes 0.3 s (a step of two runs: 0.6 s, less than a build).
setup() {
	rm -rf "$1" "$1.builds" "$1.cache"
	cp -R "$TRASH/repo" "$1"
	cat >"$1/perfbisect.conf" <<EOF
[build]
	command = echo start \$PERFBISECT_COMMIT >>$1.builds && sleep \${AHEAD_SLEEP:-1} && ./build.sh && echo end \$PERFBISECT_COMMIT >>$1.builds
	artifacts = out/level
	cache = $1.cache
[benchmark "synth"]
	command = sleep 0.3 && ./bench.sh
	parser = keyvalue
[metric "synth:time"]
	direction = lower
[bisect]
	search = classic
[stats]
	runs = 2
	warmup = 0
	endpointBoots = 3
	minBoots = 1
	confirmBoots = 0
	driftEvery = 0
EOF
}

tcase "off by default on the local target; a bad value is named" '
	setup "$TRASH/d" &&
	cd "$TRASH/d" &&
	AHEAD_SLEEP=0 $PB -c stats.endpointBoots=2 run --ci --good v1 --bad v2 --metric synth:time >out 2>err &&
	! grep -q "build-ahead" err &&
	test ! -e .git/perfbisect/ahead &&
	$PB reset >/dev/null &&
	expect_exit 2 $PB -c build.ahead=sometimes run --good v1 --bad v2 --metric synth:time 2>e2 &&
	grep -q "build.ahead" e2 && test "$(wc -l <e2)" -eq 1
'

tcase "build.ahead: the next steps find their kernels built, none built twice" '
	setup "$TRASH/a" &&
	cd "$TRASH/a" &&
	start=$(date +%s) &&
	$PB -c build.ahead=true run --ci --good v1 --bad v2 --metric synth:time >out 2>err &&
	echo "took $(($(date +%s) - start)) s" &&
	assert_eq "$culprit is the first bad commit" "$(head -n 1 out)" &&
	ahead=$(grep -c "event=build-ahead commit=[0-9a-f]* status=ok" err) &&
	echo "built ahead: $ahead" &&
	test "$ahead" -ge 3 &&
	# No commit was built twice (stopped builds never end).
	test -z "$(grep "^end" ../a.builds | sort | uniq -d)" &&
	$PB report --json >r.json &&
	jq -e ".build_ahead | .used >= 2 and .saved_ms > 0 and .builds >= .used" r.json >/dev/null &&
	jq .build_ahead r.json &&
	{ ! python3 -c "import jsonschema" 2>/dev/null ||
		python3 "$top/tests/schema-check" "$top/man/perfbisect-report.schema.json" r.json; } &&
	# A step whose kernel was built ahead used it from the cache.
	for c in $(sed -n "s/.*event=build-ahead commit=\([0-9a-f]*\) status=ok.*/\1/p" err); do
		if sqlite3 .git/perfbisect/state.db "select commit_id from verdicts" | grep -q "^$c$"; then
			grep -q "event=build commit=$c status=ok cached=" err ||
				fail "step $c was built ahead but not taken from the cache"
		fi
	done &&
	$PB report | grep -q "^built ahead: [0-9]* kernels beside the measurement"
'

tcase "SIGTERM during a build ahead: stopped, not cached, nothing left running; resume finishes" '
	setup "$TRASH/t" &&
	cd "$TRASH/t" &&
	{ AHEAD_SLEEP=4.17 $PB -c build.ahead=true run --ci --good v1 --bad v2 --metric synth:time >out 2>err & } &&
	pid=$! &&
	i=0 &&
	until grep -q "event=build-ahead-start" err; do
		i=$((i + 1)); [ $i -lt 300 ] || fail "no build ahead started"; sleep 0.1
	done &&
	c=$(sed -n "s/.*event=build-ahead-start commit=\([0-9a-f]*\).*/\1/p" err | head -n 1) &&
	sleep 0.5 &&
	grep -q "^start $c" ../t.builds &&
	kill -TERM $pid &&
	rc=0 && wait $pid || rc=$? &&
	assert_eq 130 "$rc" "exit status" &&
	grep -q "event=build-ahead commit=$c status=stopped" err &&
	! grep -q "^end $c" ../t.builds &&
	! grep -rqs "^commit $c" ../t.cache/*/entry &&
	! pgrep -f "sleep 4.17" >/dev/null &&
	sqlite3 .git/perfbisect/state.db "select message from events where kind = \"build-ahead\"" | grep -q "^$c stopped " &&
	AHEAD_SLEEP=0.5 $PB -c build.ahead=true resume --ci >out2 2>err2 &&
	assert_eq "$culprit is the first bad commit" "$(head -n 1 out2)" &&
	# What a step needed was built whole, once.
	for s in $(sqlite3 .git/perfbisect/state.db "select commit_id from verdicts"); do
		test "$(grep -c "^end $s" ../t.builds)" -eq 1 || fail "step $s built $(grep -c "^end $s" ../t.builds) times"
	done
'
