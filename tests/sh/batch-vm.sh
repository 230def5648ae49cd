#!/bin/sh
# tests/sh/batch-vm.sh - perfbisect batch on a pool of the test VM and a
# local target: three regressions in one repository, stopped with
# SIGTERM while the VM's bisection builds ahead, then --resume.
#
# The history is scripts/demo-history's (the culprit turns on syscall
# tracing at boot, which the VM's benchmark sees), plus a branch "side"
# off v1 whose commits only change drivers/side/ (a step number and the
# level the local benchmark prints).  "vm" bisects v1..v2 on the VM;
# "side-a" and "side-b" (another seed) bisect v1..side on the local
# target.  So the three share the good endpoint v1, the two local ones
# every commit, and only the VM's bisection needs the commits of v1..v2:
# the kernels it gets before it needs them were built ahead, beside its
# boots.  A build
# takes 3 s (a sleep before make, a stand-in for a real kernel build)
# and logs "start COMMIT" and "end COMMIT" to $TRASH/builds.
#
# PERFBISECT_NO_VM=1 skips it.  It runs its own VM (VM_RUN_DIR in the
# trash, port 10162 or the next free one) from the cache $BUILD/vm.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/../lib.sh"

# shellcheck source=tests/vm.sh disable=SC1091
. "${top:?}/tests/vm.sh"
vm_tools jq
vm_env "${VM_BATCH_PORT:-10162}"
repo=$TRASH/linux
conf=$TRASH/pb.conf
reg=$repo/.git/perfbisect-batch/reg

case_setup() {
	"$vm/build" >build.out 2>&1 || { cat build.out; fail "scripts/vm/build failed"; }
	sh "$top/scripts/demo-history" --linear --culprit 5 "$repo" 8 1 >history.out
	sed -n 's/^culprit //p' history.out >culprit
	[ -s culprit ] || fail "$(cat history.out)"
	(
	cd "$repo" &&
	git checkout -q -b side v1 &&
	mkdir -p drivers/side &&
	for i in 1 2 3 4 5 6 7 8; do
		if [ $i -ge 5 ]; then echo 0.300; else echo 0.100; fi >drivers/side/level
		echo "$i" >drivers/side/step
		git add drivers/side
		git commit -q -m "side: step $i"
	done &&
	git log --format=%H --grep='^side: step 5$' side >"$TRASH/side-culprit" &&
	git checkout -q master
	) || fail "cannot make the side branch"
	port=$("$vm/start") || fail "scripts/vm/start failed"
	# shellcheck source=scripts/vm/env disable=SC1091
	. "$vm/env"
	g build.command "echo start \$PERFBISECT_COMMIT >>$TRASH/builds && sleep 3 && make -s VMDIR=$VM_DIR && echo end \$PERFBISECT_COMMIT >>$TRASH/builds"
	g build.release "make -s kernelrelease VMDIR=$VM_DIR"
	g build.initrd initrd.img
	vm_target vm 2m
	g target.l.kind local
	g batch.targets "l, vm"
	vm_bench syscalls 100000
	g benchmark.level.command "echo time: \$(cat drivers/side/level 2>/dev/null || echo 0.100)"
	g benchmark.level.parser keyvalue
	g metric.level:time.direction lower
	g bisect.search classic
	vm_fast_stats 2
	cat >list <<EOF
vm	v1 v2 syscalls:time target=vm
side-a	v1 side level:time target=l
side-b	v1 side level:time target=l stats.seed=7
EOF
}

# The batch, stopped with SIGTERM once the VM's bisection is building
# ahead, then resumed to the end.
case_batch() {
	t0=$(date +%s)
	(cd "$repo" && exec $PB -f "$conf" batch "$TRASH/list") >b1.out 2>b1.err &
	pid=$!
	i=0
	until grep -q "^vm: event=build-ahead-start" b1.err; do
		i=$((i + 1))
		[ $i -lt 1800 ] || { kill $pid; tail -n 20 b1.err; fail "no build ahead on the VM"; }
		kill -0 $pid 2>/dev/null || { tail -n 20 b1.err; fail "the batch ended early"; }
		sleep 0.1
	done
	kill -TERM $pid
	rc=0
	wait $pid || rc=$?
	assert_eq 130 "$rc" "exit status after SIGTERM"
	grep -q "batch --resume. continues" b1.out || fail "$(tail -n 5 b1.out)"
	(cd "$repo" && $PB batch --status) >st.stopped
	grep -q "^vm  *stopped" st.stopped || fail "$(cat st.stopped)"
	# Stopped in the middle of a kexec, the VM may still be booting, and
	# the ssh target's open does not wait for a machine that gives no
	# greeting yet: wait for its ssh, as an operator would.
	i=0
	until VM_SSH_TIMEOUT=5 "$vm/ssh" true >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 40 ] || fail "the VM does not answer after the stop"
		sleep 3
	done
	(cd "$repo" && $PB -f "$conf" batch --resume) >b2.out 2>b2.err ||
		{ tail -n 30 b2.err; fail "batch --resume failed"; }
	echo "# batch-vm: the batch took $(($(date +%s) - t0)) s, stopped and resumed once" >>"$TRASH/times"
	(cd "$repo" && $PB batch --status) >st
	cat st
	grep -q "^vm  *found  *[0-9]*  *$(cut -c1-12 culprit) " st || fail "vm: wrong culprit"
	s=$(cut -c1-12 side-culprit)
	grep -q "^side-a  *found  *[0-9]*  *$s side: step 5" st || fail "side-a: wrong culprit"
	grep -q "^side-b  *found  *[0-9]*  *$s side: step 5" st || fail "side-b: wrong culprit"
}

# A kernel two bisections need was built once, whole: v1 for the three
# bisections, the side commits for both local ones; the cache holds
# complete builds only.  (A commit only the VM's bisection needs may be
# built again after the stop: when a boot outlasts the batch's grace
# period, the bisection is killed, and a build ahead that ended before
# it could reap it is lost, never half-used.)
case_once() {
	v1=$(cd "$repo" && git rev-parse v1)
	for r in side-a side-b; do
		sqlite3 "$reg/$r/state.db" "select commit_id from builds"
	done | sort -u >shared
	grep -q "^$v1$" shared || fail "the local bisections did not use v1"
	[ "$(wc -l <shared)" -ge 4 ] || fail "only $(wc -l <shared) commits shared"
	while read -r c; do
		assert_eq 1 "$(grep -c "^end $c" builds)" "builds of $c"
	done <shared
	for r in vm side-a side-b; do
		sqlite3 "$reg/$r/state.db" "select commit_id from builds" | grep -q "^$v1$" ||
			fail "$r did not use v1"
	done
	sed -n 's/^commit //p' "$repo"/.git/perfbisect-cache/*/entry >cached
	while read -r c; do
		grep -q "^end $c" builds || fail "cache entry of $c is not a whole build"
	done <cached
	echo "# batch-vm: $(grep -c "^end" builds) builds for $(sort -u builds | grep -c "^end") commits, $(grep -c "^start" builds) started" >>"$TRASH/times"
}

# The VM's bisection built ahead and then used those kernels; the local
# ones (build.ahead off by default there) did not.
case_ahead() {
	db=$reg/vm/state.db
	sqlite3 "$db" "select message from events where kind = 'build-ahead'" >ahead
	cat ahead
	grep -q "^[0-9a-f]* ok " ahead || fail "no build ahead on the VM"
	for r in side-a side-b; do
		assert_eq 0 "$(sqlite3 "$reg/$r/state.db" "select count(*) from events where kind = 'build-ahead'")" \
			"builds ahead of $r"
	done
	(cd "$repo" && PERFBISECT_DIR=$reg/vm $PB report --json) >vm.json
	jq -e '.build_ahead | .used >= 1 and .saved_ms > 0' vm.json >/dev/null ||
		fail "$(jq .build_ahead vm.json)"
	if python3 -c "import jsonschema" 2>/dev/null; then
		python3 "$top/tests/schema-check" "$top/man/perfbisect-report.schema.json" vm.json ||
			fail "vm.json does not match the schema"
	fi
	# A used one is a step whose build came from the cache.
	awk '$2 == "ok" { print $1 }' ahead >ahead.ok
	while read -r c; do
		if sqlite3 "$db" "select commit_id from verdicts" | grep -q "^$c$"; then
			sqlite3 "$db" "select reason from builds where commit_id = '$c'" |
				grep -q "from the build cache" || fail "$c: built ahead, not used"
		fi
	done <ahead.ok
	echo "# batch-vm: build ahead on the VM: $(jq -r '.build_ahead | "\(.builds) builds, \(.used) used, \(.stopped) stopped, \(.saved_ms / 1000) s saved, \(.waited_ms / 1000) s waited"' vm.json)" >>"$TRASH/times"
}

tcase "VM, history with a side branch, configuration" case_setup
tcase "three regressions on the VM and a local target, SIGTERM, --resume: right culprits" case_batch
tcase "a kernel two bisections need is built once, and whole" case_once
tcase "the VM's bisection built ahead and used it; the local ones did not" case_ahead
cat "$TRASH/times" 2>/dev/null
