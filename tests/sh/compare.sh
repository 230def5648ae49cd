#!/bin/sh
# perfbisect compare: sample files in both formats, recorded revisions,
# JSON, and bad input.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/../lib.sh"

printf '100\n101\n99\n100.5\n99.5\n' >"$TRASH/a"
printf '# boot run value\n1 1 110\n1 2 111\n2 1 109\n2 2 110\n3 1 112\n3 2 111\n' >"$TRASH/b"

tcase "two files: table with the change and a significance marker" '
	$PB compare a b >out &&
	grep -q "^mean  *100  *110.5 ( +10.50%)\*" out &&
	grep -q "^boots  *5  *3" out &&
	grep -q "^\* significant at alpha 0.05" out
'

tcase "no difference is not significant" '
	$PB compare a a >out &&
	grep -q "^not significant" out
'

tcase "--json" '
	$PB compare --json a b >out.json &&
	jq -e ".b.boots == 3 and .a.boots == 5" out.json >/dev/null &&
	jq -e ".significant == true" out.json >/dev/null &&
	jq -e "(.p_welch - 0.0004481303808) | fabs < 1e-9" out.json >/dev/null &&
	jq -e ".ratio.lo < 1.105 and .ratio.hi > 1.105" out.json >/dev/null
'

tcase "bad input names file and line, exit 2" '
	printf "1\n2\nx\n" >bad &&
	expect_exit 2 $PB compare a bad 2>err &&
	grep -q "^perfbisect: bad:3: .x. is not a finite number" err &&
	printf "1 1 1\n2\n" >mixed &&
	expect_exit 2 $PB compare a mixed 2>err &&
	grep -q "mixed:2: expected .boot run value." err &&
	printf "1\n" >one &&
	expect_exit 2 $PB compare a one 2>err &&
	grep -q "needs at least two boots" err &&
	expect_exit 2 $PB compare --alpha 2 a b 2>err &&
	grep -q "alpha" err &&
	expect_exit 2 $PB compare a 2>err
'

tcase "recorded revisions of a bisection" '
	sh "$top/tests/gen-history" repo 20 "main 9" 0.02 >/dev/null &&
	cd repo &&
	$PB -c stats.runs=1 -c stats.warmup=0 -c stats.endpointBoots=4 -c stats.confirmBoots=3 \
		run --good v1 --bad v2 --metric synth:time >/dev/null 2>&1 &&
	$PB compare v1 v2 >out &&
	grep -q "^A: recorded boots of $(git rev-parse --short=12 v1)" out &&
	grep -q "^\* significant" out &&
	expect_exit 2 $PB compare v1 no-such-rev 2>err &&
	grep -q "no-such-rev" err
'
