#!/bin/sh
# tests/sh/vm-fail.sh - the ways a real test machine fails, on the test
# VM and through perfbisect itself (run, resume, step), checked from the
# state database, the output and the VM:
#  - a corrupt image (valid header, garbage compressed kernel: it passes
#    the image checks, kexec loads it, the VM halts in the decompressor):
#    no answer within bootTimeout, powerCycle.  While the power switch is
#    broken the run stops with exit 1, its state saved; once the VM is
#    back, resume boots the commit again (the unfinished boot is "lost"),
#    power cycles, skips it as "no-answer" and goes on;
#  - the ssh connection dropped mid-run (the benchmark's first run kills
#    the dropbear process serving its session): the run is retried and
#    the bisection finds the culprit;
#  - a benchmark that hangs: the run times out and its process group is
#    killed on the VM (ps over ssh finds nothing left);
#  - a kernel that panics at boot (its initrd's /init exits; panic=1
#    resets the VM into its default kernel): "fell-back", skipped.
# The histories come from scripts/demo-history (--corrupt, --panic).  The
# VM runs with -icount (VM_ICOUNT=0), so the endpoint values, measured
# once on the default kernel in setup, hold for every kernel it boots.
# PERFBISECT_NO_VM=1 skips it.  It runs its own VM (VM_RUN_DIR in the
# trash, port 10202 or the next free one) from the shared cache $BUILD/vm.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/../lib.sh"

# shellcheck source=tests/vm.sh disable=SC1091
. "${top:?}/tests/vm.sh"
vm_tools od
vm_env "${VM_FAIL_PORT:-10202}"
repo=$TRASH/linux
steps=$TRASH/steps
db=$repo/.git/perfbisect/state.db
conf=$TRASH/pb.conf

now() {
	date +%s
}

# vmsh CMD: a command in the VM; fails when ssh does not answer.
vmsh() {
	VM_SSH_TIMEOUT=5 "$vm/ssh" "$@" </dev/null
}

# q DB SQL: one sqlite3 query.
q() {
	sqlite3 -separator ' ' "$1" "$2"
}

case_setup() {
	"$vm/build" >build.out 2>&1 || { cat build.out; fail "scripts/vm/build failed"; }
	# 1 base, 2 panics, 3 reverts it, ... 6 the culprit, 7 corrupt, 8
	# reverts it.  The bisection runs from 5 to 8: after the corrupt
	# commit it has the culprit left to measure.
	sh "$top/scripts/demo-history" --linear --corrupt 7 --panic 2 --culprit 6 \
		"$repo" 8 1 >history.out
	for w in culprit corrupt panic; do
		sed -n "s/^$w //p" history.out >$w
		[ -s $w ] || fail "no $w commit: $(cat history.out)"
	done
	# The corrupt commit must be the first the bisection tests.
	assert_eq "$(cat corrupt)" "$(cd "$repo" && git rev-list --bisect v2 ^v2~3)" \
		"first midpoint"
	git clone -q "$repo" "$steps"
	(cd "$steps" && git bisect start v2 v1 >/dev/null)
	t0=$(now)
	port=$("$vm/start") || fail "scripts/vm/start failed"
	echo "# vm-fail: cold boot to ssh took $(($(now) - t0)) s" >>"$TRASH/times"
	# shellcheck source=scripts/vm/env disable=SC1091
	. "$vm/env"
	# The endpoints, measured here and not booted by the bisection: the
	# default kernel is as fast as a good one, and with the syscall
	# events on (what the culprit's initrd does) as slow as a bad one.
	dd='time -f time=%e dd if=/dev/zero of=/dev/null bs=1 count=100000 2>&1'
	vmsh "for i in 1 2 3; do $dd; done" | sed -n 's/^time=//p' >good
	vmsh "mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
		echo 1 >/sys/kernel/tracing/events/raw_syscalls/enable
		for i in 1 2 3; do $dd; done
		echo 0 >/sys/kernel/tracing/events/raw_syscalls/enable" |
		sed -n 's/^time=//p' >bad
	if [ "$(wc -l <good)" != 3 ] || [ "$(wc -l <bad)" != 3 ]; then
		fail "samples: $(cat good bad)"
	fi
	awk 'NR == FNR { g += $1; next } { b += $1 } END { exit !(b > 1.5 * g) }' \
		good bad || fail "no slowdown: good $(cat good), bad $(cat bad)"
	# The benchmark: its first run drops its own ssh connection, the way
	# a crashing sshd or a network fault would: it kills the dropbear
	# process that serves the session.
	cat >bench <<-EOF
	#!/bin/sh
	if mkdir /var/tmp/pb-dropped 2>/dev/null; then
		p=\$\$
		while [ "\$p" -gt 1 ] && [ "\$(cat /proc/\$p/comm)" != dropbear ]; do
			p=\$(cut -d' ' -f4 /proc/\$p/stat)
		done
		echo "dropping the connection of dropbear \$p" >/dev/console
		kill -9 "\$p"
		exit 1
	fi
	$dd
	EOF
	"$vm/ssh" 'cat >/var/tmp/pb-bench' <bench
	g build.command "make -s VMDIR=$VM_DIR"
	g build.release "make -s kernelrelease VMDIR=$VM_DIR"
	g build.initrd initrd.img
	# vm: the bisection's target.  Its power switch fails while
	# $TRASH/power-broken exists; every use is logged in power.log.
	# vmslow: the same VM with time for a panic, a reset and a cold boot.
	# vmnone: the same VM without reboots.
	for t in vm vmslow vmnone; do
		vm_target $t
		g target.$t.runTimeout 1m
	done
	g target.vm.bootTimeout "${VM_FAIL_BOOT_TIMEOUT:-45s}"
	g target.vm.powerCycle "echo cycle >>'$TRASH/power.log'; if [ -e '$TRASH/power-broken' ]; then echo 'power switch: no answer' >&2; exit 1; fi; sh '$vm/powercycle'"
	g target.vmslow.bootTimeout 3m
	g target.vmslow.powerCycle "sh '$vm/powercycle'"
	g target.vmnone.boot none
	g target.vmnone.runTimeout 5s
	# vmhung: no reboots, a short patience, a power switch that works.
	for k in host port identity knownHosts; do
		g target.vmhung.$k "$(git config -f "$conf" target.vm.$k)"
	done
	g target.vmhung.boot none
	g target.vmhung.bootTimeout 20s
	g target.vmhung.powerCycle "echo cycle >>'$TRASH/hung-power.log'; sh '$vm/powercycle'"
	g benchmark.syscalls.command "sh /var/tmp/pb-bench"
	g benchmark.syscalls.parser keyvalue
	g metric.syscalls:time.direction lower
	g benchmark.hang.command "echo started; sleep 3601 & sleep 3602; echo finished"
	g benchmark.hang.parser keyvalue
	g metric.hang:time.direction lower
	g stats.warmup 0
	g stats.runs 1
	g stats.minBoots 1
	g stats.maxBoots 2
	g stats.maxFailedRuns 0
	g stats.maxBootFailures 1
	g stats.confirmBoots 0
	g stats.driftEvery 0
	g stats.alpha 0.1
	g stats.beta 0.1
}

# step STATE TARGET METRIC COMMIT: perfbisect step on COMMIT with the
# endpoint samples, its record in $TRASH/STATE.state; prints the exit status.
step() {
	(cd "$steps" && git checkout -q "$4" &&
		PERFBISECT_DIR=$TRASH/$1.state $PB -f "$conf" step --ci \
			--good-samples "$TRASH/good" --bad-samples "$TRASH/bad" \
			--metric "$3" --target "$2") >"$1.out" 2>"$1.err" && rc=0 || rc=$?
	echo "$rc"
}

case_hang() {
	t0=$(now)
	# The commit the bisection booted last: nothing to upload.
	last=$(q "$db" "select commit_id from boots where outcome = 'ok' order by id desc limit 1")
	rc=$(step hang vmnone hang:time "$last")
	echo "# vm-fail: the hanging benchmark's step took $(($(now) - t0)) s" >>"$TRASH/times"
	assert_eq 125 "$rc" "step exit (skip): $(tail -n 5 hang.err)"
	r=$(q hang.state/state.db "select timed_out, duration_ms from runs")
	case $r in
	"1 "[5-9][0-9][0-9][0-9] | "1 "[1-5][0-9][0-9][0-9][0-9]) ;;
	*) fail "run record: '$r'" ;;
	esac
	grep -q "timed out after 5 s" hang.err || fail "no timeout: $(cat hang.err)"
	# Nothing of the run is left on the VM: not the shell, not a sleep.
	vmsh 'ps -o pid,pgid,args' >ps.out || fail "no ssh after the timeout"
	if grep -q 'sleep 360[12]\|echo finished' ps.out; then
		fail "left on the target: $(grep 'sleep 360\|finished' ps.out)"
	fi
	assert_eq 0 "$(vmsh 'ls /tmp/.perfbisect-run.* 2>/dev/null | wc -l')" "pid files"
}

# A machine hung before a step (its VM frozen) that the bisection used
# before: perfbisect waits for it up to bootTimeout (it may be booting),
# power cycles it, waits again and measures the step.
case_hung() {
	last=$(q "$db" "select commit_id from boots where outcome = 'ok' order by id desc limit 1")
	rc=$(step hung vmhung syscalls:time "$last^")
	case $rc in
	0 | 1) ;;
	*) fail "first step exit $rc: $(tail -n 5 hung.err)" ;;
	esac
	t0=$(now)
	kill -STOP "$(cat "$VM_RUN_DIR/qemu.pid")" || fail "cannot freeze the VM"
	rc=$(step hung vmhung syscalls:time "$last")
	echo "# vm-fail: a step on a frozen VM took $(($(now) - t0)) s (20 s of waiting, power cycle, run)" >>"$TRASH/times"
	case $rc in
	0 | 1) ;;
	*) fail "step exit $rc: $(tail -n 5 hung.err)" ;;
	esac
	assert_eq cycle "$(cat "$TRASH/hung-power.log")" "power cycles"
	n=$(q hung.state/state.db "select count(*) from runs where ok = 1")
	[ "$n" -ge 1 ] || fail "no run measured"
}

case_panic() {
	t0=$(now)
	rc=$(step panic vmslow syscalls:time "$(cat panic)")
	echo "# vm-fail: the panicking kernel's step took $(($(now) - t0)) s" >>"$TRASH/times"
	assert_eq 125 "$rc" "step exit (skip): $(tail -n 5 panic.err)"
	p=$(cat panic)
	assert_eq "fell-back kernel did not boot: fell-back" \
		"$(q panic.state/state.db "select outcome, reason from boots where commit_id = '$p'")" \
		"boot of the panicking kernel"
	assert_eq "skip kernel did not boot: fell-back" \
		"$(q panic.state/state.db "select verdict, reason from verdicts where commit_id = '$p'")" \
		"verdict"
	assert_eq 0 "$(q panic.state/state.db "select count(*) from runs")" "runs"
	grep -q 'init: no early userspace' "$VM_RUN_DIR/console.log" ||
		fail "the test kernel did not run its /init"
	grep -q 'Kernel panic' "$VM_RUN_DIR/console.log" || fail "no panic on the console"
	# Back in the default kernel, without the token.
	case $(vmsh 'cat /proc/cmdline') in
	*perfbisect.boot=*) fail "not the default kernel" ;;
	esac
}

case_unreachable() {
	: >"$TRASH/power-broken"
	t0=$(now)
	(cd "$repo" && $PB -f "$conf" run --ci --good v2~3 --bad v2 \
		--good-samples "$TRASH/good" --bad-samples "$TRASH/bad" \
		--metric syscalls:time --target vm) >run1.out 2>run1.err && rc=0 || rc=$?
	echo "# vm-fail: run until the target was unreachable: $(($(now) - t0)) s" >>"$TRASH/times"
	assert_eq 1 "$rc" "exit status: $(tail -n 5 run1.err)"
	grep -q "powerCycle for 'vm' exited 1: power switch: no answer" run1.err ||
		fail "no reason: $(tail -n 5 run1.err)"
	assert_eq cycle "$(cat "$TRASH/power.log")" "power cycles"
	c=$(cat corrupt)
	# The corrupt image passed the checks, was installed and kexec'd.
	q "$db" "select message from events where kind = 'install'" | grep -q "^$c " ||
		fail "the corrupt image was not installed"
	# State saved: the boot is recorded, unfinished; no verdict yet.
	assert_eq "$c step 1 " "$(q "$db" "select commit_id, role, seq, outcome from boots where role = 'step'")" boots
	assert_eq 0 "$(q "$db" "select count(*) from verdicts")" verdicts
	(cd "$repo" && $PB status) >status.out || fail "status failed"
	grep -q '^status: running' status.out || fail "$(cat status.out)"
	# The VM is still down.
	if vmsh true 2>/dev/null; then
		fail "the VM answers"
	fi
}

case_resume() {
	rm -f "$TRASH/power-broken"
	t0=$(now)
	"$vm/powercycle" >/dev/null || fail "powercycle failed"
	echo "# vm-fail: powercycle to ssh took $(($(now) - t0)) s" >>"$TRASH/times"
	t0=$(now)
	(cd "$repo" && $PB -f "$conf" resume --ci) >run2.out 2>run2.err && rc=0 || rc=$?
	echo "# vm-fail: resume took $(($(now) - t0)) s" >>"$TRASH/times"
	assert_eq 0 "$rc" "exit status: $(tail -n 5 run2.err)"
	assert_eq "$(cat culprit) is the first bad commit" "$(head -n 1 run2.out)" culprit
}

case_no_answer() {
	c=$(cat corrupt)
	# The unfinished boot was given up, the commit booted again, no
	# answer, the power switch cycled the VM, the commit skipped.
	assert_eq "1 lost
2 no-answer" "$(q "$db" "select seq, outcome from boots where commit_id = '$c' order by seq")" \
		"boots of the corrupt commit"
	assert_eq "skip kernel did not boot: no-answer" \
		"$(q "$db" "select verdict, reason from verdicts where commit_id = '$c'")" verdict
	assert_eq "cycle
cycle" "$(cat "$TRASH/power.log")" "power cycles"
	grep -q "boot 1: the bisection stopped before the kernel came up; booting again" run2.err ||
		fail "no word of the lost boot"
	# And the bisection went on: the culprit was measured after it.
	assert_eq "$(cat culprit) bad" \
		"$(q "$db" "select commit_id, verdict from verdicts where verdict != 'skip'")" \
		"measured after the skip"
	assert_eq 1 "$(q "$db" "select count(*) from verdicts where verdict = 'skip'")" "skips"
}

case_dropped() {
	vmsh 'test -d /var/tmp/pb-dropped' || fail "the benchmark never dropped its connection"
	grep -q "dropping the connection of dropbear" "$VM_RUN_DIR/console.log" ||
		fail "no drop on the console"
	grep -q "run [0-9a-f]* boot 1: .*retrying" run2.err || fail "no retry: $(cat run2.err)"
	# The retried run is the one recorded; none failed.
	assert_eq 0 "$(q "$db" "select count(*) from runs where ok = 0")" "failed runs"
	assert_eq 1 "$(q "$db" "select count(*) from runs where ok = 1")" "runs"
}

case_times() {
	q "$db" "select message from events where kind = 'boot'" >boots
	[ -s boots ] || fail "no boot events"
	awk '{ b += $2; n += $3; if ($3 > m) m = $3 }
	END { printf "# vm-fail: %d boots, kexec -e to verified %.1f s on average, noticed %.2f s after the first answer on average (at most %.2f s)\n", NR, b / NR / 1000, n / NR / 1000, m / 1000 }' \
		boots >>"$TRASH/times"
}

tcase "VM, histories, endpoint samples and configuration" case_setup
tcase "corrupt image, no answer, power switch broken: exit 1, state saved" case_unreachable
tcase "once the VM is back, resume finishes the bisection" case_resume
tcase "the corrupt image: booted again, no answer, power cycle, skipped" case_no_answer
tcase "ssh dropped mid-run: the run is retried" case_dropped
tcase "a hanging benchmark times out; its process group is killed on the VM" case_hang
tcase "a machine hung before a step: waited for, power cycled, measured" case_hung
tcase "a kernel that panics falls back to the default one and is skipped" case_panic
tcase "boot times" case_times
cat "$TRASH/times" 2>/dev/null
