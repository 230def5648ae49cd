#!/bin/sh
# Bad input: one clear line, exit 2, and no state created or changed.
. "$(dirname "$0")/../lib.sh"

sh "$top/tests/gen-history" "$TRASH/repo" 30 "main 20" >/dev/null
(
	cd "$TRASH/repo" &&
	git checkout -q -b side v1 && echo x >side && git add side &&
	git commit -q -m side && git checkout -q main &&
	printf '[build]\n\tcommand = x\n[oops\n' >broken.conf &&
	printf '[benchmark "synth"]\n\tcommand = ./bench.sh\n\tparser = keyvalue\n[metric "synth:time"]\n\tdirection = lower\n' >nobuild.conf
) || exit 1

# bad_input NAME REGEX ARGS...: perfbisect ARGS exits 2 with one line
# matching REGEX and leaves no state.
bad_input() {
	_name=$1
	_re=$2
	shift 2
	(
		cd "$TRASH/repo" || exit 1
		set +e
		"$PB" "$@" >out 2>err
		rc=$?
		set -e
		[ $rc -eq 2 ] || fail "exit $rc, expected 2: $(cat err)"
		[ "$(wc -l <err)" -eq 1 ] || fail "expected one line: $(cat err)"
		grep -q '^perfbisect: ' err || fail "no prefix: $(cat err)"
		grep -Eq "$_re" err || fail "'$(cat err)' does not match '$_re'"
		[ ! -e .git/perfbisect ] || fail "state was created"
		[ ! -e pwned ] || fail "a revision reached a shell"
	) >"$TRASH/.case.out" 2>&1
	if [ $? -eq 0 ]; then
		echo "ok - $SCRIPT: $_name"
	else
		echo "not ok - $SCRIPT: $_name"
		sed 's/^/#   /' "$TRASH/.case.out"
	fi
}

bad_input "unknown revision" "unknown revision 'nope'" \
	run --good nope --bad v2 --metric synth:time
bad_input "shell metacharacters in a revision reach no shell" \
	"unknown revision" run --good '$(touch pwned)' --bad v2 \
	--metric synth:time
bad_input "good not an ancestor of bad" "'side' is not an ancestor" \
	run --good side --bad v2 --metric synth:time
bad_input "good equal to bad" "same commit" \
	run --good v2 --bad main --metric synth:time
bad_input "nothing between good and bad" "nothing to bisect" \
	run --good v2~1 --bad v2 --metric synth:time
bad_input "unknown metric" "nope" \
	run --good v1 --bad v2 --metric synth:nope
bad_input "unknown benchmark" "nope" \
	run --good v1 --bad v2 --metric nope:time
bad_input "malformed config names file and line" "broken.conf:3" \
	-f broken.conf run --good v1 --bad v2 --metric synth:time
bad_input "missing config file" "cannot read config 'absent.conf'" \
	-f absent.conf run --good v1 --bad v2 --metric synth:time
bad_input "missing build command" "build.command" \
	-f nobuild.conf run --good v1 --bad v2 --metric synth:time
bad_input "bad numeric setting" "'many' for 'stats.runs'" \
	-c stats.runs=many run --good v1 --bad v2 --metric synth:time
bad_input "malformed -c" "expected section.key=value" \
	-c nodot=1 run --good v1 --bad v2 --metric synth:time
bad_input "unknown target" "unknown target 'bench9'" \
	run --good v1 --bad v2 --metric synth:time --target bench9
bad_input "missing --metric" "needs --good, --bad and --metric" \
	run --good v1 --bad v2
bad_input "resume with nothing to resume" "no bisection" resume
bad_input "unknown command" "not a perfbisect command" frobnicate

tcase "a second run while one is in progress" '
	cd repo
	$PB -c stats.runs=1 -c stats.warmup=0 -c "benchmark.synth.command=sleep 0.3; ./bench.sh" \
		run --good v1 --bad v2 --metric synth:time >/dev/null 2>&1 &
	pid=$!
	i=0
	until $PB status 2>/dev/null | grep -q "^status: running"; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "the first run did not start"
		sleep 0.1
	done
	expect_exit 2 $PB run --good v1 --bad v2 --metric synth:time >out 2>err
	grep -q "in progress" err || fail "second run: $(cat err)"
	expect_exit 2 $PB resume 2>err
	grep -q "in use by another perfbisect (pid $pid)" err || fail "resume: $(cat err)"
	kill -9 $pid && { wait $pid || :; } &&
	expect_exit 2 $PB run --good v1 --bad v2 --metric synth:time >out 2>err &&
	grep -q "resume" err &&
	$PB reset
'

tcase "--help for each command" '
	$PB --help | grep -q "^usage: perfbisect" &&
	for c in run resume status log report reset; do
		$PB $c --help | grep -q "^usage: perfbisect $c" || fail "$c --help"
	done
'
