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

[ -z "${PERFBISECT_NO_VM:-}" ] || skip_all "PERFBISECT_NO_VM is set"
for tool in qemu-system-x86_64 ssh apt-get dpkg-deb cpio make sqlite3; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "no $tool"
done

vm=${top:?}/scripts/vm
VM_RUN_DIR=$TRASH/vm
VM_PORT=${VM_BISECT_PORT:-10142}
VM_ICOUNT=0
export VM_RUN_DIR VM_PORT VM_ICOUNT
trap '"$vm/stop"' EXIT INT TERM
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
	g() { git config -f "$conf" "$1" "$2"; }
	g build.command "make -s VMDIR=$VM_DIR"
	g build.release "make -s kernelrelease VMDIR=$VM_DIR"
	g build.initrd initrd.img
	g target.vm.host 127.0.0.1
	g target.vm.port "$port"
	g target.vm.identity "$VM_KEY"
	g target.vm.knownHosts "$VM_KNOWN_HOSTS"
	g target.vm.panic 1
	g target.vm.bootTimeout 2m
	g target.vm.runTimeout 2m
	g target.vm.powerCycle "sh '$vm/powercycle'"
	g benchmark.syscalls.command "time -f time=%e dd if=/dev/zero of=/dev/null bs=1 count=100000 2>&1"
	g benchmark.syscalls.parser keyvalue
	g metric.syscalls:time.direction lower
	g stats.warmup 0
	g stats.runs 1
	g stats.endpointBoots 3
	g stats.endpointMaxBoots 4
	g stats.minBoots 1
	g stats.maxBoots 2
	g stats.confirmBoots 0
	g stats.driftEvery 0
	g stats.alpha 0.1
	g stats.beta 0.1
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
	rel=$(cat "$BUILD/vm/kernel.version")
	sqlite3 -separator ' ' "$db" \
		"select commit_id, role, outcome, release, boot_id, boot_ms from boots" >boots
	n=$(wc -l <boots)
	[ "$n" -ge 8 ] || fail "only $n boots"
	# Both endpoints and every step that was not skipped booted.
	for c in $(sqlite3 "$db" "select commit_id from verdicts where verdict != 'skip'") \
		$(cd "$repo" && git rev-parse v1 v2); do
		grep -q "^$c " boots || fail "no boot of $c"
	done
	while read -r commit role outcome release id ms; do
		assert_eq ok "$outcome" "outcome of $role $commit"
		assert_eq "$rel" "$release" "release of $role $commit"
		[ "$ms" -gt 0 ] || fail "boot_ms $ms"
		# The VM said so itself, with the token perfbisect put there.
		grep -q "boot_id $id, .* perfbisect\.boot=[0-9a-f]" "$VM_RUN_DIR/console.log" ||
			fail "boot $id of $commit not on the console with a token"
	done <boots
	assert_eq "$n" "$(cut -d' ' -f5 boots | sort -u | wc -l)" "distinct boot_ids"
	echo "# vm-bisect: $n boots, kexec to verified $(awk '{ s += $6 } END { printf "%.1f", s / NR / 1000 }' boots) s on average" >>"$TRASH/times"
}

tcase "VM, history and configuration" case_setup
tcase "the bisection finds the culprit" case_bisect
tcase "a truncated image is refused before upload, its commit skipped" case_skipped
tcase "every boot proven: token, new boot_id, release" case_proven
cat "$TRASH/times" 2>/dev/null
