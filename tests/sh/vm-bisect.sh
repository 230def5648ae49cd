#!/bin/sh
# tests/sh/vm-bisect.sh - a whole bisection on the test VM over ssh with a
# kexec at every step (the endpoints too): a ten-commit history from
# scripts/demo-history whose 8th commit turns on syscall tracing at boot
# (the benchmark runs about 2.8 times slower) and whose 5th commit, the
# first one the bisection tests, builds a truncated kernel image.  It
# checks the culprit, that the truncated image was refused before any
# upload and its commit skipped, and that every boot was proven: outcome
# ok, the release "make kernelrelease" printed, a boot_id of its own that
# the VM's console printed next to a perfbisect.boot token.
# The VM runs with -icount (VM_ICOUNT=0), so what the benchmark times is
# instructions, whatever else the host is doing.
# PERFBISECT_NO_VM=1 skips it.  It runs its own VM (VM_RUN_DIR in the
# trash, port 10142 or the next free one) from the shared cache $BUILD/vm.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/../lib.sh"

# shellcheck source=tests/vm.sh disable=SC1091
. "${top:?}/tests/vm.sh"
# shellcheck disable=SC2119
vm_tools
vm_env "${VM_BISECT_PORT:-10142}"
repo=$TRASH/linux
db=$repo/.git/perfbisect/state.db
conf=$TRASH/pb.conf

case_setup() {
	"$vm/build" >build.out 2>&1 || { cat build.out; fail "scripts/vm/build failed"; }
	sh "$top/scripts/demo-history" --linear --broken 5 --culprit 8 \
		"$repo" 10 1 >history.out
	sed -n 's/^culprit //p' history.out >culprit
	sed -n 's/^broken //p' history.out >broken
	if [ ! -s culprit ] || [ ! -s broken ]; then
		fail "$(cat history.out)"
	fi
	# The broken commit must be the first the bisection tests.
	assert_eq "$(cat broken)" "$(cd "$repo" && git rev-list --bisect v2 ^v1)" \
		"first midpoint"
	port=$("$vm/start") || fail "scripts/vm/start failed"
	# shellcheck source=scripts/vm/env disable=SC1091
	. "$vm/env"
	g build.command "make -s VMDIR=$VM_DIR"
	g build.release "make -s kernelrelease VMDIR=$VM_DIR"
	g build.initrd initrd.img
	vm_target vm 2m
	vm_bench syscalls 100000
	vm_fast_stats 3
}

case_bisect() {
	t0=$(date +%s)
	(cd "$repo" && $PB -f "$conf" run --ci --good v1 --bad v2 \
		--metric syscalls:time --target vm) >run.out 2>run.err ||
		{ tail -n 20 run.err; fail "perfbisect run failed"; }
	echo "# vm-bisect: the bisection took $(($(date +%s) - t0)) s" >>"$TRASH/times"
	assert_eq "$(cat culprit) is the first bad commit" "$(head -n 1 run.out)" culprit
}

case_skipped() {
	b=$(cat broken)
	v=$(sqlite3 "$db" "select verdict || ' ' || reason from verdicts where commit_id = '$b'")
	case $v in
	"skip install failed: "*"truncated bzImage"*) ;;
	*) fail "verdict of the broken commit: $v" ;;
	esac
	assert_eq 0 "$(sqlite3 "$db" "select count(*) from boots where commit_id = '$b'")" \
		"boots of the broken commit"
}

case_proven() {
	# Both endpoints and every step that was not skipped booted.
	vm_proven "$db" "$repo" "$(cat "$BUILD/vm/kernel.version")" 8 \
		"verdict != 'skip'" ""
	echo "# vm-bisect: $(cat proven)" >>"$TRASH/times"
}

tcase "VM, history and configuration" case_setup
tcase "the bisection finds the culprit" case_bisect
tcase "a truncated image is refused before upload, its commit skipped" case_skipped
tcase "every boot proven: token, new boot_id, release" case_proven
cat "$TRASH/times" 2>/dev/null
