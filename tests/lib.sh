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
