#!/bin/sh
# tests/sh/vm-kexec.sh - the test VM of scripts/vm: it builds from Debian
# packages, boots under QEMU (TCG), answers ssh with its pinned host key,
# takes uploads by scp, and kexec works in it: a kexec'd kernel comes
# back with its command line token and a new boot_id, a corrupt image is
# refused, a panicking kernel resets the VM into the default kernel, and
# powercycle boots the default kernel.
# PERFBISECT_NO_VM=1 skips it.  It runs its own VM (VM_RUN_DIR in the
# trash, port 10122 or the next free one) from the shared cache $BUILD/vm.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/../lib.sh"

[ -z "${PERFBISECT_NO_VM:-}" ] || skip_all "PERFBISECT_NO_VM is set"
for tool in qemu-system-x86_64 ssh scp apt-get dpkg-deb cpio; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "no $tool"
done

vm=${top:?}/scripts/vm
VM_RUN_DIR=$TRASH/vm
VM_PORT=${VM_TEST_PORT:-10122}
export VM_RUN_DIR VM_PORT
trap '"$vm/stop"' EXIT INT TERM

now() {
	date +%s
}

# vm_state: "BOOT_ID CMDLINE" of the VM, or fail if ssh does not answer.
vm_state() {
	# shellcheck disable=SC2016 # expanded in the VM
	VM_SSH_TIMEOUT=3 "$vm/ssh" \
		'echo "$(cat /proc/sys/kernel/random/boot_id) $(cat /proc/cmdline)"' \
		</dev/null 2>/dev/null
}

# wait_new_boot OLD_BOOT_ID SECONDS: wait until the VM answers with
# another boot_id; print its "BOOT_ID CMDLINE".
wait_new_boot() {
	_end=$(($(now) + $2))
	while [ "$(now)" -lt $_end ]; do
		if _st=$(vm_state) && [ "${_st%% *}" != "$1" ]; then
			echo "$_st"
			return 0
		fi
		sleep 0.5
	done
	fail "no new boot within $2 s (console: $VM_RUN_DIR/console.log)"
}

# upload: the default kernel and the initramfs to /tmp in the VM, by scp.
upload() {
	# shellcheck source=scripts/vm/env disable=SC1091
	. "$vm/env"
	scp -q -F /dev/null -i "$VM_KEY" -P "$VM_PORT" -o BatchMode=yes \
		-o UserKnownHostsFile="$VM_KNOWN_HOSTS" -o StrictHostKeyChecking=yes \
		"$VM_KERNEL" "$VM_INITRD" root@127.0.0.1:/tmp/
	want=$(cd "$VM_DIR" && sha256sum vmlinuz initrd.img)
	got=$("$vm/ssh" 'cd /tmp && sha256sum vmlinuz initrd.img')
	assert_eq "$want" "$got" "uploaded files"
}

# kexec_into CMDLINE: load the uploaded kernel and jump to it, detached
# so that the ssh command returns.
kexec_into() {
	"$vm/ssh" "kexec -l /tmp/vmlinuz --initrd=/tmp/initrd.img --command-line='$1'"
	"$vm/ssh" 'setsid nohup kexec -e </dev/null >/dev/null 2>&1 &'
}

case_build() {
	t0=$(now)
	"$vm/build" >build.out 2>&1 || { cat build.out; fail "scripts/vm/build failed"; }
	echo "# vm-kexec: build took $(($(now) - t0)) s, initrd $(wc -c <"$BUILD/vm/initrd.img") bytes" >>"$TRASH/times"
	[ -s "$BUILD/vm/vmlinuz" ] || fail "no vmlinuz"
}

case_start() {
	t0=$(now)
	port=$("$vm/start") || fail "scripts/vm/start failed"
	echo "# vm-kexec: cold boot to ssh took $(($(now) - t0)) s" >>"$TRASH/times"
	# shellcheck source=scripts/vm/env disable=SC1091
	. "$vm/env"
	assert_eq "$port" "$VM_PORT" "port from env"
	grep -q "^\[127.0.0.1\]:$port ssh-ed25519 " "$VM_KNOWN_HOSTS" ||
		fail "known_hosts does not pin the host key"
	assert_eq "$(cat "$VM_DIR/kernel.version")" "$("$vm/ssh" uname -r)" "uname -r"
	"$vm/ssh" 'command -v tar sha256sum nohup setsid kexec scp /usr/lib/openssh/sftp-server' >/dev/null
	"$vm/ssh" cat /proc/sys/kernel/random/boot_id |
		grep -Eq '^[0-9a-f-]{36}$' || fail "no boot_id"
	grep -q 'perfbisect-vm: ssh up' "$VM_RUN_DIR/console.log" ||
		fail "no ready line on the console"
}

case_hostkey() {
	# shellcheck source=scripts/vm/env disable=SC1091
	. "$vm/env"
	# Another key for the same host and port must be refused.
	ssh-keygen -q -t ed25519 -N '' -f other
	printf '[127.0.0.1]:%s %s\n' "$VM_PORT" "$(cut -d' ' -f1,2 other.pub)" >bad_known_hosts
	expect_exit 255 ssh -F /dev/null -i "$VM_KEY" -p "$VM_PORT" -o BatchMode=yes \
		-o UserKnownHostsFile=bad_known_hosts -o StrictHostKeyChecking=yes \
		-o GlobalKnownHostsFile=/dev/null root@127.0.0.1 true
	# And the host key is the same across builds and boots.
	assert_eq "$(cut -d' ' -f1,2 "$VM_DIR/ssh_host_ed25519_key.pub")" "$VM_HOST_KEY" "host key"
}

case_scp() {
	# shellcheck source=scripts/vm/env disable=SC1091
	. "$vm/env"
	echo hello >small
	# OpenSSH's scp speaks sftp (sftp-server); -O is the old scp protocol
	# that libssh2 uses (scp on the VM).
	scp -q -F /dev/null -i "$VM_KEY" -P "$VM_PORT" -o BatchMode=yes \
		-o UserKnownHostsFile="$VM_KNOWN_HOSTS" small root@127.0.0.1:/tmp/s1
	scp -q -O -F /dev/null -i "$VM_KEY" -P "$VM_PORT" -o BatchMode=yes \
		-o UserKnownHostsFile="$VM_KNOWN_HOSTS" small root@127.0.0.1:/tmp/s2
	assert_eq "hello
hello" "$("$vm/ssh" cat /tmp/s1 /tmp/s2)" "uploaded"
}

case_kexec() {
	upload
	before=$(vm_state) || fail "no ssh before kexec"
	nonce=n$$x$(now)
	# shellcheck source=scripts/vm/env disable=SC1091
	. "$vm/env"
	t0=$(now)
	kexec_into "$VM_BASE_CMDLINE perfbisect.boot=$nonce"
	after=$(wait_new_boot "${before%% *}" 120)
	echo "# vm-kexec: kexec -e to ssh with the token took $(($(now) - t0)) s" >>"$TRASH/times"
	case " $after " in
	*" perfbisect.boot=$nonce "*) ;;
	*) fail "token not in the new command line: $after" ;;
	esac
}

case_corrupt() {
	head -c 100000 /dev/urandom | "$vm/ssh" 'cat >/tmp/junk'
	expect_exit 1 "$vm/ssh" 'kexec -l /tmp/junk --initrd=/tmp/initrd.img || exit 1'
}

case_panic() {
	upload
	before=$(vm_state) || fail "no ssh before kexec"
	# shellcheck source=scripts/vm/env disable=SC1091
	. "$vm/env"
	t0=$(now)
	# No /nonexistent: the kernel mounts no root and panics; panic=1
	# resets the VM, which boots the default kernel: "fell back".
	kexec_into "console=ttyS0,115200 panic=1 rdinit=/nonexistent perfbisect.boot=panic$$"
	after=$(wait_new_boot "${before%% *}" 120)
	echo "# vm-kexec: panicking kernel to default kernel took $(($(now) - t0)) s" >>"$TRASH/times"
	case $after in
	*perfbisect.boot=*) fail "the panicking kernel answered: $after" ;;
	esac
	grep -q 'Kernel panic' "$VM_RUN_DIR/console.log" || fail "no panic on the console"
}

case_powercycle() {
	before=$(vm_state) || fail "no ssh before powercycle"
	t0=$(now)
	"$vm/powercycle" >/dev/null
	echo "# vm-kexec: powercycle to ssh took $(($(now) - t0)) s" >>"$TRASH/times"
	after=$(vm_state) || fail "no ssh after powercycle"
	[ "${after%% *}" != "${before%% *}" ] || fail "same boot_id after powercycle"
}

case_stop() {
	"$vm/stop"
	[ ! -e "$VM_RUN_DIR/qemu.pid" ] || fail "pid file left"
	expect_exit 255 "$vm/ssh" true
}

tcase "build the VM from Debian packages" case_build
tcase "start: ssh answers, tools there" case_start
tcase "the host key is pinned" case_hostkey
tcase "scp uploads (sftp and scp protocols)" case_scp
tcase "kexec: new boot with the token" case_kexec
tcase "kexec -l refuses a corrupt image" case_corrupt
tcase "a panicking kernel falls back to the default one" case_panic
tcase "powercycle boots the default kernel" case_powercycle
tcase "stop" case_stop
cat "$TRASH/times" 2>/dev/null
