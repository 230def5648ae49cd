# shellcheck shell=sh disable=SC2034
# (SC2034: the variables set here are used by the scripts that source it.)
# scripts/vm/common.sh - shared settings of the scripts/vm/* tools.
# Sourced, never run.  The caller sets $vm_scripts to the directory of
# this file before sourcing it.
#
# Environment (all optional):
#   BUILD         build directory (default: build at the repo top; a
#                 relative path is taken from the repo top)
#   VM_DIR        the VM cache directory (default: $BUILD/vm)
#   VM_RUN_DIR    where a running VM keeps its pid file, port, known_hosts
#                 and console log (default: $VM_DIR); one VM per directory,
#                 so a test can run its own VM beside another one
#   VM_FLAVOUR    Debian kernel flavour for the VM (default: cloud-amd64)
#   VM_PORT       host port forwarded to the VM's ssh (default: the port
#                 of the running VM, else 10022)
#   VM_MEM        guest memory in MiB (default: 1024)
#   VM_SMP        guest CPUs (default: 2, 1 with VM_ICOUNT)
#   VM_CMDLINE    extra kernel command line for the default kernel
#   VM_BOOT_TIMEOUT  seconds start waits for ssh (default: 300)
#   VM_DISK_MB    size of the VM's disk, made on first start (default: 512)
#   VM_ICOUNT     if set, QEMU's -icount shift=VM_ICOUNT: the guest clock
#                 counts instructions (2^VM_ICOUNT ns each), so what is
#                 timed in the VM does not depend on the host's load
#                 (costs multi-threaded TCG); unset: the host's clock

vm_top=$(cd "${vm_scripts:?}/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$vm_top/$BUILD ;; esac
VM_DIR=${VM_DIR:-$BUILD/vm}
case $VM_DIR in /*) ;; *) VM_DIR=$vm_top/$VM_DIR ;; esac
VM_RUN_DIR=${VM_RUN_DIR:-$VM_DIR}
case $VM_RUN_DIR in /*) ;; *) VM_RUN_DIR=$vm_top/$VM_RUN_DIR ;; esac
VM_FLAVOUR=${VM_FLAVOUR:-cloud-amd64}
VM_MEM=${VM_MEM:-1024}
# One CPU with -icount: QEMU's one-threaded TCG boots two too slowly.
VM_SMP=${VM_SMP:-${VM_ICOUNT:+1}}
VM_SMP=${VM_SMP:-2}
VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-300}
VM_DEFAULT_PORT=10022
VM_KEY=$VM_DIR/id_ed25519
VM_KNOWN_HOSTS=$VM_RUN_DIR/known_hosts
VM_KERNEL=$VM_DIR/vmlinuz
VM_INITRD=$VM_DIR/initrd.img
VM_PIDFILE=$VM_RUN_DIR/qemu.pid
VM_PORTFILE=$VM_RUN_DIR/port
VM_CONSOLE=$VM_RUN_DIR/console.log
VM_DISK=$VM_RUN_DIR/disk.img
VM_DISK_MB=${VM_DISK_MB:-512}
# The command line of the default kernel.  panic=1 makes a panicking
# kernel reset the machine, and QEMU's reset boots the default kernel
# again: that is how a bad kexec'd kernel "falls back".
VM_BASE_CMDLINE="console=ttyS0,115200 panic=1 quiet"

vm_die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

vm_log() {
	echo "${0##*/}: $*" >&2
}

# vm_pid: print the pid of the running VM and succeed, or fail.
vm_pid() {
	[ -f "$VM_PIDFILE" ] || return 1
	_pid=$(cat "$VM_PIDFILE" 2>/dev/null) || return 1
	case $_pid in '' | *[!0-9]*) return 1 ;; esac
	[ -r "/proc/$_pid/cmdline" ] || return 1
	# Only a QEMU started for this cache directory counts, so that a
	# recycled pid is never taken for the VM.
	tr '\0' '\n' <"/proc/$_pid/cmdline" 2>/dev/null | grep -qxF "$VM_PIDFILE" ||
		return 1
	echo "$_pid"
}

# vm_port: the port of the running VM, else $VM_PORT, else the default.
vm_port() {
	if vm_pid >/dev/null && [ -s "$VM_PORTFILE" ]; then
		cat "$VM_PORTFILE"
	else
		echo "${VM_PORT:-$VM_DEFAULT_PORT}"
	fi
}

# vm_ssh PORT [CMD...]: OpenSSH with the test key, pinned host key, no
# user configuration; $vm_ssh_opts (one option) goes before the host.
vm_ssh() {
	_port=$1
	shift
	ssh -F /dev/null -i "$VM_KEY" -p "$_port" \
		-o IdentitiesOnly=yes -o BatchMode=yes \
		-o UserKnownHostsFile="$VM_KNOWN_HOSTS" \
		-o GlobalKnownHostsFile=/dev/null \
		-o StrictHostKeyChecking=yes -o LogLevel=ERROR \
		-o ConnectTimeout="${VM_SSH_TIMEOUT:-10}" \
		-o ServerAliveInterval=5 -o ServerAliveCountMax=3 \
		${vm_ssh_opts:+"$vm_ssh_opts"} root@127.0.0.1 "$@"
}

# vm_write_known_hosts PORT: pin the VM's fixed host key for that port.
vm_write_known_hosts() {
	[ -s "$VM_DIR/ssh_host_ed25519_key.pub" ] ||
		vm_die "no host key in $VM_DIR: run scripts/vm/build"
	printf '[127.0.0.1]:%s %s\n' "$1" \
		"$(cut -d' ' -f1,2 "$VM_DIR/ssh_host_ed25519_key.pub")" \
		>"$VM_KNOWN_HOSTS.tmp"
	mv "$VM_KNOWN_HOSTS.tmp" "$VM_KNOWN_HOSTS"
}
