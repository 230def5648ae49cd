# tests/lib.sh - helpers for the shell tests.  Source it first:
#   . "$(dirname "$0")/../lib.sh"
# It gives each script a fresh trash directory ($TRASH), the built binary
# ($PB) and helper binaries ($BUILD/tests/helper-*), and:
#   tcase NAME BODY   run BODY (shell code) under set -e in a subshell in
#                     $TRASH; print "ok - SCRIPT: NAME" or "not ok - ..."
#                     and the body's output when it fails
#   skip_all REASON   mark the whole script as skipped (prints nothing)
#   fail MSG          fail the current case
#   assert_eq EXPECTED ACTUAL [WHAT]
#   expect_exit CODE CMD...   run CMD, fail unless it exits CODE
#   git_quiet ...     git with a fixed identity and dates
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
PB=${PB:-$top/perfbisect}
SCRIPT=$(basename "$0" .sh)
TRASH=$BUILD/tests/trash/$SCRIPT
rm -rf "$TRASH"
mkdir -p "$TRASH"
export PB BUILD TRASH top
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL="author@example.com"
export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL="committer@example.com"
export GIT_AUTHOR_DATE="1700000000 +0000" GIT_COMMITTER_DATE="1700000000 +0000"
export GIT_CONFIG_NOSYSTEM=1 HOME="$TRASH/home"
mkdir -p "$HOME"
unset PERFBISECT_DIR GIT_DIR GIT_WORK_TREE
# A test that lost its way must not find the checkout's own repository.
GIT_CEILING_DIRECTORIES=$(dirname "$TRASH")
export GIT_CEILING_DIRECTORIES

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

assert_eq() {
	if [ "$1" != "$2" ]; then
		fail "${3:-value}: expected '$1', got '$2'"
	fi
}

expect_exit() {
	want=$1
	shift
	set +e
	"$@"
	got=$?
	set -e
	if [ "$got" != "$want" ]; then
		fail "expected exit $want, got $got: $*"
	fi
}

# crash_resume "DELAYS" ARGS...: in a repository with tags v1 and v2,
# "perfbisect ARGS run" on synth:time killed with -9 after each delay and
# resumed, then resumed until it is no longer running.  Sets kills.
crash_resume() {
	_delays=$1
	shift
	$PB "$@" run --good v1 --bad v2 --metric synth:time >out 2>err &
	_pid=$!
	kills=0
	for _d in $_delays; do
		sleep "$_d"
		if kill -9 $_pid 2>/dev/null; then kills=$((kills + 1)); fi
		wait $_pid || :
		$PB "$@" resume >out 2>err &
		_pid=$!
	done
	wait $_pid || :
	while $PB status | grep -q "^status: running"; do
		$PB "$@" resume >out 2>err || :
	done
}

# runs_not_repeated COUNT: the benchmark, which appends a line to COUNT
# every time it runs, ran no more often than the record has runs, but
# for one cut short by each kill.
runs_not_repeated() {
	_runs=$(sqlite3 .git/perfbisect/state.db "select count(*) from runs")
	_execs=$(wc -l <"$1")
	echo "kills $kills, executions $_execs, recorded runs $_runs"
	test "$_execs" -le $((_runs + kills))
}

tcase() {
	_name=$1
	_body=$2
	_out=$TRASH/.case.out
	(cd "$TRASH" && set -e && eval "$_body") >"$_out" 2>&1
	_rc=$?
	if [ $_rc -eq 0 ]; then
		echo "ok - $SCRIPT: $_name"
	else
		echo "not ok - $SCRIPT: $_name"
		sed 's/^/#   /' "$_out" | tail -n 40
	fi
	return 0
}

skip_all() {
	echo "# skip $SCRIPT: $*"
	exit 0
}
