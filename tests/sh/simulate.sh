#!/bin/sh
# shellcheck disable=SC2016 # tcase expands its body when it runs
# perfbisect simulate and the sim target: the real driver bisecting
# synthetic histories (found at d = 3, not reproduced on null ranges,
# seeded output), the sim target in an ordinary "run", an interrupted
# simulation, and bad input.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/../lib.sh"

export TMPDIR="$TRASH"

# leftovers PID: simulate's temporary directories of process PID.
leftovers() {
	ls -d /dev/shm/perfbisect-simulate-"$1".* \
		"$TRASH"/perfbisect-simulate-"$1".* 2>/dev/null || true
}

tcase "d = 3: the culprit in most of 20 trials, at the default settings" '
	$PB simulate --commits 64 --trials 20 --effect 3 --json >out.json &&
	jq -e ".trials == 20 and .commits == 64 and .search == \"classic\"" out.json >/dev/null &&
	exact=$(jq .outcomes.exact.count out.json) &&
	[ "$exact" -ge 16 ] || fail "exact culprit in $exact of 20" &&
	jq -e ".outcomes.exact.lo < .outcomes.exact.rate and .outcomes.exact.rate <= .outcomes.exact.hi" out.json >/dev/null &&
	jq -e ".boots.mean >= 100 and .boots.p95 >= .boots.mean and .builds.mean > 2" out.json >/dev/null &&
	jq -e "(.step - 3 * .noise.value_sd) | fabs < 1e-9" out.json >/dev/null
'

tcase "null range: not reproduced in most of 20 trials" '
	$PB -c stats.endpointBoots=10 simulate --commits 16 --trials 20 --null --json >out.json &&
	jq -e ".null == true and .culprit == null and .step == 0" out.json >/dev/null &&
	nr=$(jq .outcomes.not_reproduced.count out.json) &&
	[ "$nr" -ge 18 ] || fail "not reproduced in $nr of 20"
'

tcase "the same seed prints the same table, another seed another" '
	$PB simulate --commits 32 --trials 3 --effect 2 --seed 5 >a &&
	$PB simulate --commits 32 --trials 3 --effect 2 --seed 5 >b &&
	$PB simulate --commits 32 --trials 3 --effect 2 --seed 6 >c &&
	cmp a b &&
	! cmp -s a c &&
	grep -q "^simulate: 32 commits, culprit at random, d = 2 (+11.55 %)" a &&
	grep -q "^exact culprit  *[0-9.]* %  \[ *[0-9.]*, *[0-9.]*\]  [0-3] of 3$" a &&
	grep -q "^not reproduced " a &&
	grep -q "^boots  *mean [0-9.]*, p95 [0-9]* (confirmation: " a &&
	grep -q "^builds  *mean " a
'

tcase "noise models, a fixed culprit, posterior search, two culprits" '
	for n in lognormal outliers boot drift; do
		$PB -c stats.endpointBoots=10 simulate --commits 16 --trials 1 \
			--noise $n --culprit 9 --effect 4 --json >$n.json || return 1
	done &&
	jq -e ".noise.model == \"lognormal\" and .culprit == 9" lognormal.json >/dev/null &&
	jq -e ".noise.outliers == 0.05" outliers.json >/dev/null &&
	jq -e ".noise.boot_sd == 0.08 and .noise.sd == 0.06" boot.json >/dev/null &&
	jq -e ".noise.drift == 0.0003" drift.json >/dev/null &&
	$PB -c stats.endpointBoots=10 simulate --commits 32 --trials 2 --effect 4 \
		--search posterior --json >post.json &&
	jq -e ".search == \"posterior\" and .outcomes.exact.count == 2" post.json >/dev/null &&
	$PB -c stats.endpointBoots=10 simulate --commits 32 --trials 3 --effect 4 \
		--two-culprits --json >two.json &&
	jq -e ".two_culprits == true and .outcomes.exact.count >= 2" two.json >/dev/null
'

tcase "settings from -f and -c reach the driver and the target" '
	printf "[target \"sim\"]\n\tsd = 2%%\n[stats]\n\truns = 1\n\twarmup = 0\n" >sim.conf &&
	$PB simulate -f sim.conf --commits 8 --trials 1 --json >out.json &&
	jq -e ".noise.sd == 0.02 and .runs == 1 and .noise.value_sd == 0.02" out.json >/dev/null &&
	$PB -f sim.conf -c target.sim.bootSd=3% simulate --commits 8 --trials 1 --json >out.json &&
	jq -e ".noise.boot_sd == 0.03" out.json >/dev/null
'

tcase "a sim target in an ordinary bisection" '
	git init -q repo && cd repo &&
	for i in 1 2 3 4 5 6 7 8; do
		if [ $i -ge 6 ]; then echo 130 >perfbisect-sim; else echo 100 >perfbisect-sim; fi &&
		echo $i >n && git add perfbisect-sim n && git commit -qm "c$i" || return 1
	done &&
	printf "[build]\n\tcommand = true\n[target \"dry\"]\n\tkind = sim\n\tsd = 5%%\n" >../dry.conf &&
	$PB -f ../dry.conf -c stats.endpointBoots=10 run --quiet --good HEAD~7 --bad HEAD \
		--metric sim:time --target dry >out 2>err || { cat err; fail "run failed"; } &&
	grep -q "^$(git rev-parse HEAD~2) is the first bad commit" out &&
	$PB report --json >r.json &&
	jq -e ".machine.kind == \"sim\"" r.json >/dev/null &&
	echo fast >perfbisect-sim && git commit -qam broken && $PB reset >/dev/null &&
	expect_exit 1 $PB -f ../dry.conf -c stats.endpointBoots=10 run --quiet --good HEAD~8 \
		--bad HEAD --metric sim:time --target dry 2>err &&
	grep -q "perfbisect-sim holds .fast., not a positive number" err &&
	$PB reset >/dev/null &&
	expect_exit 2 $PB -f ../dry.conf -c target.dry.noise=normal run --good HEAD~8 \
		--bad HEAD --metric sim:time --target dry 2>err &&
	grep -q "bad value .normal. for .target.dry.noise.: expected gaussian or lognormal" err
'

tcase "interrupted: exit 130, nothing left behind" '
	$PB simulate --trials 1000 >out 2>err &
	pid=$! &&
	sleep 2 &&
	kill -INT $pid &&
	rc=0 && wait $pid || rc=$?
	assert_eq 130 "$rc" "exit status" &&
	grep -q "interrupted" err &&
	test ! -s out &&
	assert_eq "" "$(leftovers $pid)" "temporary directories"
'

tcase "bad input: one line, exit 2, nothing made" '
	for args in "--commits 1" "--commits x" "--culprit 0" "--culprit 11 --commits 10" \
	    "--null --culprit 3" "--null --effect 2" "--null --two-culprits" \
	    "--two-culprits --culprit 2" "--effect 0" "--effect -1" \
	    "--trials 0" "--noise normal" "--search bisect" "--seed -1" \
	    "-f nosuch.conf"; do
		$PB simulate $args >out 2>err &
		pid=$! && rc=0 && wait $pid || rc=$?
		[ "$rc" = 2 ] || fail "simulate $args: exit $rc"
		[ "$(grep -vc "^ " err)" = 1 ] || fail "simulate $args: $(cat err)"
		test ! -s out || fail "simulate $args printed $(cat out)"
		[ -z "$(leftovers $pid)" ] || fail "simulate $args left a directory"
	done &&
	expect_exit 2 $PB simulate extra 2>err &&
	grep -q "^usage: perfbisect simulate " err &&
	expect_exit 2 $PB simulate --nosuch 2>err &&
	grep -q "^usage: perfbisect simulate " err &&
	expect_exit 2 $PB -c target.sim.sd=abc simulate 2>err &&
	grep -q "bad value .abc. for .target.sim.sd.: not a number" err &&
	expect_exit 2 $PB -c target.sim.sd=0 simulate 2>err &&
	grep -q "has no noise" err &&
	expect_exit 2 $PB -c stats.runs=0 simulate 2>err &&
	grep -q "stats.runs" err
'
