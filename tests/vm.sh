# tests/vm.sh - what the scripts that bisect on the test VM share.
# Source it after lib.sh:
#   . "$top/tests/vm.sh"
#   vm_tools [TOOL...]  skip the script (PERFBISECT_NO_VM, or a tool the
#                       VM tests need missing, or one of TOOL...)
#   vm_env PORT         run the script's own VM: VM_RUN_DIR in the trash,
#                       VM_PORT (PORT or the next free one), VM_ICOUNT=0
#                       (instructions, not the host's load, are timed),
#                       stopped when the script exits; $vm is scripts/vm
#   g KEY VALUE         set KEY in the configuration file $conf
#   vm_target NAME [TIMEOUT]
#                       [target "NAME"]: the VM scripts/vm/start started
#                       ($port, after . "$vm/env"), panic=1; with TIMEOUT
#                       also bootTimeout and runTimeout, and
#                       scripts/vm/powercycle as its power switch
#   vm_bench NAME COUNT benchmark NAME and metric NAME:time (lower is
#                       better): dd of COUNT single bytes to /dev/null
#   vm_fast_stats ENDPOINT_BOOTS
#                       the few boots a noise-free VM needs: one run per
#                       boot, ENDPOINT_BOOTS to 4 endpoint boots, 1 to 2
#                       per step, no confirmation, no re-measurement,
#                       alpha and beta 0.1
#   vm_proven DB REPO RELEASE MIN WHERE CONSOLE
#                       every boot of the bisection in DB proven: at least
#                       MIN boots, one of each endpoint and of every
#                       commit whose verdict matches the SQL condition
#                       WHERE, each with outcome ok, release RELEASE, a
#                       boot_id of its own that the VM's console printed
#                       after CONSOLE with a perfbisect.boot token; the
#                       boots go to ./boots, "N boots, kexec to verified
#                       S s on average" to ./proven

vm_tools() {
	[ -z "${PERFBISECT_NO_VM:-}" ] || skip_all "PERFBISECT_NO_VM is set"
	for tool in qemu-system-x86_64 ssh apt-get dpkg-deb cpio make sqlite3 "$@"; do
		command -v "$tool" >/dev/null 2>&1 || skip_all "no $tool"
	done
}

vm_env() {
	vm=${top:?}/scripts/vm
	VM_RUN_DIR=$TRASH/vm
	VM_PORT=$1
	VM_ICOUNT=0
	export VM_RUN_DIR VM_PORT VM_ICOUNT
	trap '"$vm/stop"' EXIT INT TERM
}

g() {
	git config -f "${conf:?}" "$1" "$2"
}

vm_target() {
	g "target.$1.host" 127.0.0.1
	g "target.$1.port" "${port:?}"
	g "target.$1.identity" "$VM_KEY"
	g "target.$1.knownHosts" "$VM_KNOWN_HOSTS"
	g "target.$1.panic" 1
	[ -n "${2:-}" ] || return 0
	g "target.$1.bootTimeout" "$2"
	g "target.$1.runTimeout" "$2"
	g "target.$1.powerCycle" "sh '$vm/powercycle'"
}

vm_bench() {
	g "benchmark.$1.command" "time -f time=%e dd if=/dev/zero of=/dev/null bs=1 count=$2 2>&1"
	g "benchmark.$1.parser" keyvalue
	g "metric.$1:time.direction" lower
}

vm_fast_stats() {
	g stats.warmup 0
	g stats.runs 1
	g stats.endpointBoots "$1"
	g stats.endpointMaxBoots 4
	g stats.minBoots 1
	g stats.maxBoots 2
	g stats.confirmBoots 0
	g stats.driftEvery 0
	g stats.alpha 0.1
	g stats.beta 0.1
}

vm_proven() {
	sqlite3 -separator ' ' "$1" \
		"select commit_id, role, outcome, release, boot_id, boot_ms from boots" >boots
	n=$(wc -l <boots)
	[ "$n" -ge "$4" ] || fail "only $n boots"
	for c in $(sqlite3 "$1" "select commit_id from verdicts where $5") \
		$(cd "$2" && git rev-parse v1 v2); do
		grep -q "^$c " boots || fail "no boot of $c"
	done
	while read -r commit role outcome release id ms; do
		assert_eq ok "$outcome" "outcome of $role $commit"
		assert_eq "$3" "$release" "release of $role $commit"
		[ "$ms" -gt 0 ] || fail "boot_ms $ms"
		# The VM said so itself, with the token perfbisect put there.
		grep -q "$6boot_id $id, .* perfbisect\.boot=[0-9a-f]" "$VM_RUN_DIR/console.log" ||
			fail "boot $id of $commit not on the console with a token"
	done <boots
	assert_eq "$n" "$(cut -d' ' -f5 boots | sort -u | wc -l)" "distinct boot_ids"
	echo "$n boots, kexec to verified $(awk '{ s += $6 } END { printf "%.1f", s / NR / 1000 }' boots) s on average" >proven
}
