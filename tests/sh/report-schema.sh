#!/bin/sh
# report-schema.sh - report --json and run --json-out against their
# documented shape, man/perfbisect-report.schema.json (JSON Schema draft
# 2020-12, checked by tests/schema-check with python3-jsonschema): a
# culprit found and confirmed, a regression not reproduced, an
# inconclusive range, the posterior search, a bisection still running;
# and reports broken on purpose must fail the check.
# (tcase bodies are single-quoted: they expand when they run.)
# shellcheck source=tests/lib.sh disable=SC1091,SC2016
. "$(dirname "$0")/../lib.sh"

python3 -c "import jsonschema" 2>/dev/null || skip_all "no python3-jsonschema (scripts/deps)"
schema=${top:?}/man/perfbisect-report.schema.json
check="python3 $top/tests/schema-check $schema"
fast="-c bisect.search=classic -c stats.runs=1 -c stats.warmup=0 -c stats.endpointBoots=4 -c stats.minBoots=1 -c stats.confirmBoots=3 -c stats.driftEvery=0"
export schema check fast

sh "$top/tests/gen-history" "$TRASH/h" 24 "main 9" 0.02 >/dev/null 2>&1

tcase "found and confirmed: report --json and run --json-out are valid" '
	cp -R h found && cd found &&
	$PB $fast run --ci --quiet --json-out ../found.json --good v1 --bad v2 --metric synth:time >out 2>err &&
	$PB report --json >../found-report.json &&
	jq -e ".status == \"found\" and (.culprit.confirmation | type) == \"object\" and (.steps | length) > 0" ../found.json >/dev/null &&
	$check ../found.json ../found-report.json
'

tcase "not reproduced, inconclusive, posterior: valid" '
	sh "$top/tests/gen-history" flat 10 none 0.02 >/dev/null 2>&1 &&
	(cd flat && expect_exit 3 $PB $fast -c stats.endpointMaxBoots=6 run --quiet --json-out ../flat.json --good v1 --bad v2 --metric synth:time >/dev/null 2>&1) &&
	jq -e ".status == \"not-reproduced\" and .culprit == null" flat.json >/dev/null &&
	cp -R h skips &&
	(cd skips && expect_exit 4 $PB $fast -c "build.command=./build.sh && ! grep -qx \"main [5-9]\" src/main.c" \
		run --quiet --json-out ../skips.json --good v1 --bad v2 --metric synth:time >/dev/null 2>&1) &&
	jq -e ".status == \"inconclusive\" and (.candidates | length) > 1" skips.json >/dev/null &&
	cp -R h post &&
	(cd post && $PB $fast -c bisect.search=posterior run --quiet --json-out ../post.json --good v1 --bad v2 --metric synth:time >/dev/null 2>&1) &&
	jq -e "[.steps[].candidates_top | length] | add > 0" post.json >/dev/null &&
	$check flat.json skips.json post.json
'

tcase "a bisection still running: valid" '
	cp -R h run && cd run &&
	{ $PB $fast -c "benchmark.synth.command=sleep 0.2 && ./bench.sh" run --quiet --good v1 --bad v2 --metric synth:time >/dev/null 2>&1 & } &&
	pid=$! &&
	i=0 &&
	until [ -f .git/perfbisect/state.db ] &&
		[ "$(sqlite3 .git/perfbisect/state.db "select count(*) from runs" 2>/dev/null)" -ge 2 ]; do
		i=$((i + 1)); [ $i -lt 200 ] || fail "no runs"; sleep 0.1
	done &&
	$PB report --json >../running.json &&
	kill -TERM $pid && { wait $pid || :; } &&
	jq -e ".status == \"running\"" ../running.json >/dev/null &&
	$check ../running.json
'

tcase "reports broken on purpose fail the check" '
	for f in ".status = \"maybe\"" "del(.steps)" ".steps[0].verdict = \"fine\"" \
		".good.boot_records[0].runs[0].ok = \"yes\"" ".culprit.commit = \"HEAD\"" \
		".timings.build_ms = -1" "del(.build_ahead.saved_ms)"; do
		jq "$f" found.json >broken.json &&
		expect_exit 1 $check broken.json >why &&
		test -s why || fail "$f: $(cat why)"
	done &&
	echo "{}" >empty.json &&
	expect_exit 1 $check empty.json >/dev/null
'
