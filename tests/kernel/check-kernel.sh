#!/bin/sh
# tests/kernel/check-kernel.sh - make check-kernel: bisect a real kernel on
# the test VM with a kexec at every step.  Not part of make check: the
# first run compiles a kernel (minutes, under nice), later ones rebuild
# only what the steps change.
#
# The kernel is Debian's linux-source (/usr/src/linux-source-*.tar.xz,
# scripts/deps --kernel) imported as one commit (tag v1), configured from
# tinyconfig plus tests/kernel/test.config (virtio, serial console,
# initrd, kexec, all built in, so the VM's initramfs boots it).  On top
# come $NCOMMITS scripted commits; the one named "char/mem: ..." makes
# every write to /dev/null spin for $DELAY_US microseconds, a real
# slowdown in kernel code.  The benchmark writes 1-byte blocks to
# /dev/null with dd; each step's kernel is built out of tree
# (O=.kbuild in perfbisect's worktree), uploaded with the VM's initramfs,
# booted with kexec and proven (token, new boot_id, release).
#
# Kept between runs in $BUILD/kernel: the unpacked source as a git
# repository (remade when the tarball changes) and perfbisect's worktree
# with its object files, so a rerun's builds are incremental.  Each
# run's record is fresh.  Timings go to the log as "# check-kernel: ...".
# PERFBISECT_NO_VM=1 skips it; KERNEL_JOBS sets make -j (default: the
# number of CPUs).
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/../lib.sh"

[ -z "${PERFBISECT_NO_VM:-}" ] || skip_all "PERFBISECT_NO_VM is set"
for tool in qemu-system-x86_64 ssh apt-get dpkg-deb cpio make sqlite3 gcc \
	bc flex bison xz; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "no $tool (scripts/deps --kernel)"
done
tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' 2>/dev/null |
	LC_ALL=C sort | tail -n 1)
[ -n "$tarball" ] || skip_all "no /usr/src/linux-source-*.tar.xz (scripts/deps --kernel)"

# shellcheck source=tests/vm.sh disable=SC1091
. "${top:?}/tests/vm.sh"
vm_env "${VM_KERNEL_PORT:-10182}"
kdir=$BUILD/kernel
repo=$kdir/linux
state=$repo/.git/perfbisect
db=$state/state.db
conf=$TRASH/pb.conf
jobs=${KERNEL_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
NCOMMITS=12
CULPRIT=9
DELAY_US=25
RELEASE_SUFFIX=-pbkernel
times=$TRASH/times

note() {
	echo "# check-kernel: $*" | tee -a "$times"
}

# import: the tarball as the first commit of $repo, tagged v1, unless
# it is there already.
import() {
	stamp="$(basename "$tarball") $(wc -c <"$tarball")"
	if [ -f "$kdir/import.stamp" ] && [ "$(cat "$kdir/import.stamp")" = "$stamp" ] &&
		git -C "$repo" rev-parse -q --verify v1 >/dev/null; then
		return 0
	fi
	t0=$(date +%s)
	rm -rf "$repo" "$kdir/import.stamp" "$kdir/unpack"
	mkdir -p "$kdir/unpack"
	tar -C "$kdir/unpack" -xJf "$tarball"
	set -- "$kdir"/unpack/*
	if [ $# != 1 ] || [ ! -f "$1/Makefile" ]; then
		fail "unexpected layout of $tarball"
	fi
	mv "$1" "$repo"
	rmdir "$kdir/unpack"
	version=$(make -s -C "$repo" kernelversion)
	(
		cd "$repo" || exit 1
		git init -q -b master .
		git config gc.auto 0
		# Debian's .gitignore ignores the whole top level (its
		# packaging repository holds only debian/): drop that part.
		sed -i '/^# Debian packaging/,/^!\/debian\/$/d' .gitignore
		git add -A .
		n=$(git ls-files | wc -l)
		[ "$n" -gt 20000 ] || fail "only $n files in the import"
		git commit -q -m "Linux $version (from $(basename "$tarball"))"
		git tag v1
	)
	echo "$stamp" >"$kdir/import.stamp"
	note "imported $(basename "$tarball") (Linux $version) in $(($(date +%s) - t0)) s"
}

# append FILE SUBJECT: a commit that appends a comment to FILE (a file
# every build compiles, so each step recompiles and relinks).
append() {
	printf '\n/* %s */\n' "$2" >>"$1"
	git commit -q -m "$2" -- "$1"
}

# slow_null: the culprit.  write_null() spins for DELAY_US.
slow_null() {
	f=drivers/char/mem.c
	awk -v us="$DELAY_US" '
		/^#include <linux\/security.h>$/ { print; print "#include <linux/delay.h>"; next }
		/^static ssize_t write_null\(/ { inw = 1 }
		inw && $0 == "{" { print; printf "\tudelay(%d);\t/* let the device settle */\n", us; inw = 0; done = 1; next }
		{ print }
		END { if (!done) exit 1 }' "$f" >"$f.new" || fail "cannot find write_null in $f"
	mv "$f.new" "$f"
	grep -q '^#include <linux/delay.h>$' "$f" || fail "cannot add delay.h to $f"
	git commit -q -m "char/mem: let writes to /dev/null settle" -- "$f"
}

# history: v1 plus NCOMMITS commits, the CULPRIT-th of them slow_null,
# on master, tagged v2.  Fixed dates and names: the same ids every run.
history() {
	cd "$repo" || exit 1
	git checkout -q -f -B master v1
	git clean -q -f -d -x
	files="kernel/sys.c fs/read_write.c mm/memory.c kernel/fork.c fs/open.c
		lib/string.c init/main.c kernel/exit.c fs/namei.c mm/mmap.c
		kernel/signal.c fs/exec.c kernel/time/timer.c mm/slab_common.c"
	i=0
	for f in $files; do
		i=$((i + 1))
		[ $i -le "$NCOMMITS" ] || break
		if [ $i = "$CULPRIT" ]; then
			slow_null
			git rev-parse HEAD >"$TRASH/culprit"
		else
			append "$f" "${f%%/*}: note on step $i of the check-kernel history"
		fi
	done
	git tag -f v2 >/dev/null
	[ "$(git rev-list --count v1..v2)" = "$NCOMMITS" ] || fail "history has $(git rev-list --count v1..v2) commits"
}

# reset_record: a fresh record for this run, keeping the worktree and
# its index (the checkout baseline) so the builds stay incremental.
reset_record() {
	[ -d "$state" ] || return 0
	rm -rf "$kdir/keep"
	mkdir -p "$kdir/keep"
	for f in worktree worktree.index; do
		[ ! -e "$state/$f" ] || mv "$state/$f" "$kdir/keep/$f"
	done
	(cd "$repo" && $PB reset >/dev/null)
	rm -rf "$state"
	mkdir -p "$state"
	for f in worktree worktree.index; do
		[ ! -e "$kdir/keep/$f" ] || mv "$kdir/keep/$f" "$state/$f"
	done
	rmdir "$kdir/keep"
}

case_setup() {
	mkdir -p "$kdir"
	"$vm/build" >build.out 2>&1 || { cat build.out; fail "scripts/vm/build failed"; }
	import
	(history)
	reset_record
	# The base configuration: tinyconfig plus the fragment, made once in
	# a scratch tree (it only depends on the source and the fragment).
	frag=$top/tests/kernel/test.config
	fsum=$(cksum <"$frag" | cut -d' ' -f1)
	if [ ! -s "$kdir/base.config" ] || [ "$(cat "$kdir/base.config.sum" 2>/dev/null)" != "$fsum $(cat "$kdir/import.stamp")" ]; then
		rm -rf "$kdir/cfg"
		(cd "$repo" && make -s O="$kdir/cfg" tinyconfig >/dev/null &&
			scripts/kconfig/merge_config.sh -m -O "$kdir/cfg" \
				"$kdir/cfg/.config" "$frag" >"$kdir/cfg/merge.log" 2>&1 &&
			make -s O="$kdir/cfg" olddefconfig) ||
			fail "cannot make the base configuration"
		# Every line of the fragment must have survived olddefconfig.
		grep '^CONFIG_' "$frag" | while read -r l; do
			grep -qx "$l" "$kdir/cfg/.config" || fail "$l lost in the configuration"
		done
		sed -n 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' "$frag" | while read -r o; do
			! grep -q "^$o=" "$kdir/cfg/.config" || fail "$o is set in the configuration"
		done
		cp "$kdir/cfg/.config" "$kdir/base.config"
		echo "$fsum $(cat "$kdir/import.stamp")" >"$kdir/base.config.sum"
		rm -rf "$kdir/cfg"
	fi
	port=$("$vm/start") || fail "scripts/vm/start failed"
	# shellcheck source=scripts/vm/env disable=SC1091
	. "$vm/env"
	mk="make -s O=.kbuild LOCALVERSION=$RELEASE_SUFFIX"
	# The build: the base config, olddefconfig, the image; the VM's
	# initramfs is copied next to it (build.initrd is in the worktree).
	g build.command "mkdir -p .kbuild && cp '$kdir/base.config' .kbuild/.config && $mk olddefconfig && nice -n 10 $mk -j$jobs bzImage && cp '$VM_INITRD' .kbuild/initrd.img"
	g build.image .kbuild/arch/x86/boot/bzImage
	g build.initrd .kbuild/initrd.img
	g build.release "$mk kernelrelease"
	g build.timeout 2h
	# This run's builds are kept, so going back to an endpoint (they
	# alternate) restores its image instead of rebuilding it.
	g build.cache "$TRASH/bcache"
	# No build ahead: its worktree would compile a second kernel from
	# scratch beside the first, on a machine with two cores.
	g build.ahead false
	vm_target vm 3m
	vm_bench nullwrite 20000
	vm_fast_stats 2
}

case_bisect() {
	t0=$(date +%s)
	(cd "$repo" && $PB -f "$conf" run --ci --good v1 --bad v2 \
		--metric nullwrite:time --target vm) >run.out 2>run.err ||
		{ tail -n 20 run.err; fail "perfbisect run failed"; }
	note "the bisection took $(($(date +%s) - t0)) s"
	assert_eq "$(cat culprit) is the first bad commit" "$(head -n 1 run.out)" culprit
}

case_proven() {
	rel=$(cd "$state/worktree" && make -s O=.kbuild LOCALVERSION=$RELEASE_SUFFIX kernelrelease)
	case $rel in *"$RELEASE_SUFFIX") ;; *) fail "release $rel" ;; esac
	vm_proven "$db" "$repo" "$rel" 6 1 "kernel $rel, "
	note "$(cat proven)"
}

case_builds() {
	sqlite3 -separator ' ' "$db" "select commit_id, status,
		coalesce(duration_ms, 0), coalesce(reason like '%from the build cache%', 0)
		from builds order by id" >builds
	[ -s builds ] || fail "no builds recorded"
	while read -r commit status _; do
		assert_eq ok "$status" "build of $commit"
	done <builds
	# Every commit that booted was built (or restored) first.
	cut -d' ' -f1 boots | sort -u | while read -r c; do
		grep -q "^$c " builds || fail "no build of $c"
	done
	awk '$4 == 0 { n++; ms[n] = $3 } $4 == 1 { c++ }
		END {
			printf "# check-kernel: first build %.0f s", ms[1] / 1000
			for (i = 2; i <= n; i++) { s += ms[i]; if (ms[i] > m) m = ms[i] }
			if (n > 1)
				printf ", then %d incremental builds of %.0f s on average (longest %.0f s)", n - 1, s / (n - 1) / 1000, m / 1000
			printf ", %d restored from the cache\n", c
		}' builds | tee -a "$times"
}

tcase "VM, kernel history and configuration" case_setup
tcase "the bisection names the seeded commit" case_bisect
tcase "every boot proven: token, new boot_id, the built release" case_proven
tcase "every step built" case_builds
cat "$times" 2>/dev/null
