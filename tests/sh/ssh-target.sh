#!/bin/sh
# ssh-target.sh - the ssh target (kexec/target-ssh.c) with boot = none
# against a private sshd on 127.0.0.1: configuration, commands in the
# work directory, run timeouts, installing kernels and modules.  The kexec
# path needs a machine that may reboot; see scripts/vm.
. "$(dirname "$0")/../lib.sh"

# shellcheck source=tests/sh/ssh-sshd
. "$(dirname "$0")/ssh-sshd"

REL=0.0.0-pbtest-$$
REL2=0.0.1-pbtest-$$
had_modules=0
[ -d /lib/modules ] && had_modules=1
cleanup() {
	kill "$SSHD_PID" 2>/dev/null
	rm -rf "/lib/modules/$REL" "/lib/modules/$REL2"
	[ $had_modules = 1 ] || rmdir /lib/modules 2>/dev/null
}
trap cleanup EXIT
export REL REL2

cat >"$TRASH/pb.conf" <<EOF
[target "t"]
	host = 127.0.0.1
	port = $PORT
	user = $USER_NAME
	identity = $TRASH/client
	knownHosts = $KH
	boot = none
	runTimeout = 2s
	workdir = $TRASH/work
EOF
T="$H -f $TRASH/pb.conf target t"
export T

# mkimage FILE RELEASE: a bzImage header with one setup sector and 4 KiB
# of kernel, 5120 bytes in all, carrying RELEASE as its version string.
mkimage() {
	head -c 5120 /dev/zero >"$1"
	put() { printf "$2" | dd of="$1" bs=1 seek=$(($3)) conv=notrunc 2>/dev/null; }
	put "$1" '\001' 0x1f1
	put "$1" '\000\001\000\000' 0x1f4
	put "$1" '\125\252' 0x1fe
	put "$1" 'HdrS' 0x202
	put "$1" '\017\002' 0x206
	put "$1" '\000\001' 0x20e
	put "$1" "$2 (pb@test) #1\\000" 0x300
}

tcase 'open creates the work directory; run runs there' '
	$T open
	[ -d work ] || fail "no workdir"
	$T run "pwd; echo e >&2; exit 5" >out 2>err && rc=0 || rc=$?
	assert_eq 5 $rc status
	assert_eq "$TRASH/work" "$(cat out)"
	assert_eq e "$(cat err)"
'

tcase 'runTimeout bounds a command' '
	expect_exit 124 $T run "sleep 3004"
	sleep 0.3
	! pgrep -f "sleep 3004" || fail "sleep left behind"
'

tcase 'fetch takes paths relative to the work directory' '
	echo result >work/r.txt
	$T fetch r.txt got
	assert_eq result "$(cat got)"
'

tcase 'install uploads image, initrd and modules' '
	mkimage img "$REL"
	echo initrd >rd
	mkdir -p m/lib/modules/$REL/kernel
	echo mod >m/lib/modules/$REL/kernel/x.ko
	tar -cf mods.tar -C m lib
	$T install img "$REL" rd mods.tar
	cmp img "work/boot/vmlinuz-$REL"
	cmp rd "work/boot/initrd-$REL"
	assert_eq mod "$(cat /lib/modules/$REL/kernel/x.ko)"
	[ -e "/lib/modules/$REL/.perfbisect" ] || fail "no marker"
	[ ! -e "work/boot/modules-$REL.tar" ] || fail "tar left"
'

tcase 'a new install removes the last test kernel'"'"'s modules' '
	mkimage img2 "$REL2"
	mkdir -p m2/kernel
	echo mod2 >m2/kernel/y.ko
	tar -cf mods2.tar -C m2 .
	[ -d "/lib/modules/$REL" ] || fail "previous case did not install"
	$T install img2 "$REL2" - mods2.tar
	[ ! -e "/lib/modules/$REL" ] || fail "old modules kept"
	assert_eq mod2 "$(cat /lib/modules/$REL2/kernel/y.ko)"
'

tcase 'a file the target has already is not uploaded again' '
	mkimage img6 "$REL"
	$T install img6 "$REL"
	touch -d @1000000000 "work/boot/vmlinuz-$REL"
	$T install img6 "$REL"
	assert_eq 1000000000 "$(stat -c %Y "work/boot/vmlinuz-$REL")" mtime
	cp img6 img7
	printf x | dd of=img7 bs=1 seek=5000 conv=notrunc 2>/dev/null
	$T install img7 "$REL"
	cmp img7 "work/boot/vmlinuz-$REL"
'

# A second sshd that kills the connection of the first command making
# the boot directory (an install's first): the install goes on, on a new
# one.
case_dropped_install() {
	sftp=/usr/lib/openssh/sftp-server
	[ -x $sftp ] || { echo "# no $sftp"; return 0; }
	p2=$("$H" free-port)
	cat >drop.sh <<EOS
#!/bin/sh
case "\$SSH_ORIGINAL_COMMAND" in
*"mkdir -p "*/boot*)
	if mkdir "$TRASH/dropped" 2>/dev/null; then
		pkill -9 -P "\$(cat "$TRASH/sshd2.pid")"
		sleep 5
	fi ;;
sftp) exec $sftp ;;
esac
exec sh -c "\$SSH_ORIGINAL_COMMAND"
EOS
	chmod +x drop.sh
	sed -e "s/^Port .*/Port $p2/" -e "s|^PidFile .*|PidFile $TRASH/sshd2.pid|" \
		-e "s|^Subsystem .*|Subsystem sftp $sftp|" "$S/config" >sshd2.conf
	echo "ForceCommand $TRASH/drop.sh" >>sshd2.conf
	"$SSHD" -D -e -f sshd2.conf 2>sshd2.log &
	echo "[127.0.0.1]:$p2 $(cut -d' ' -f1,2 "$S/host.pub")" >>"$KH"
	sed -e "s/port = .*/port = $p2/" -e "s|workdir = .*|workdir = $TRASH/work2|" \
		pb.conf >pb2.conf
	i=0
	until "$H" -f pb2.conf target t open 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 50 ] || { cat sshd2.log; fail "sshd2 did not start"; }
		sleep 0.1
	done
	mkimage img8 "$REL"
	"$H" -f pb2.conf target t install img8 "$REL" 2>err || rc=$?
	kill "$(cat sshd2.pid)"
	assert_eq "" "${rc:-}" "install: $(cat err)"
	[ -d dropped ] || fail "the connection was never dropped"
	cmp img8 "work2/boot/vmlinuz-$REL"
}

tcase 'a connection dropped during install: it goes on on a new one' \
	case_dropped_install

tcase 'a truncated image is refused before upload' '
	mkimage img3 "$REL"
	head -c 4000 img3 >short
	expect_exit 1 $T install short "$REL" 2>err
	grep -q "truncated bzImage" err || fail "$(cat err)"
'

tcase 'an image of another release is refused' '
	mkimage img4 "$REL2"
	expect_exit 1 $T install img4 "$REL" 2>err
	grep -q "is release .$REL2., expected .$REL." err || fail "$(cat err)"
'

tcase 'bad settings are named' '
	cp "$TRASH/pb.conf" bad.conf
	printf "\thostKeyPolicy = sometimes\n" >>bad.conf
	expect_exit 1 $H -f bad.conf target t open 2>err
	grep -q "hostKeyPolicy: .sometimes." err || fail "$(cat err)"
'

tcase 'boot = none does not reboot' '
	mkimage img5 "$REL"
	expect_exit 1 $T boot img5 "$REL" >out
	grep -q "^outcome none$" out || fail "$(cat out)"
'
