#!/bin/sh
# ssh-check.sh - "perfbisect check" against a private sshd on 127.0.0.1.
. "$(dirname "$0")/../lib.sh"

[ -x "$PB" ] || skip_all "no $PB"
# shellcheck source=tests/sh/ssh-sshd
. "$(dirname "$0")/ssh-sshd"

cat >"$TRASH/perfbisect.conf" <<EOF2
[target "t"]
	host = 127.0.0.1
	port = $PORT
	user = $USER_NAME
	identity = $TRASH/client
	knownHosts = $KH
	boot = none
	workdir = $TRASH/work
[target "k"]
	host = 127.0.0.1
	port = $PORT
	user = $USER_NAME
	identity = $TRASH/client
	knownHosts = $KH
	workdir = $TRASH/work
[target "gone"]
	host = 127.0.0.1
	port = $("$H" free-port)
	identity = $TRASH/client
	knownHosts = $KH
[benchmark "mine"]
	command = FOO=1 env -i sh -c 'echo x=1'
	parser = keyvalue
[benchmark "absent"]
	command = no-such-benchmark-program --x
	parser = keyvalue
[metric "mine:x"]
	direction = lower
[metric "absent:x"]
	direction = lower
EOF2

tcase 'a ready target reports its kernel' '
	$PB check --target t >out
	grep -q "^kernel release   $(uname -r)$" out || fail "$(cat out)"
	grep -q "^command line " out || fail "$(cat out)"
	grep -q "^clock offset     [-+]0\.[0-9]* s$" out || fail "$(cat out)"
	grep -q "^ready$" out || fail "$(cat out)"
'

tcase 'the benchmark program is looked up on the target' '
	$PB check --target t --metric mine:x >out
	grep -q "^benchmark        sh: /" out || fail "$(cat out)"
	expect_exit 1 $PB check --target t --metric absent:x >out 2>err
	grep -q "no-such-benchmark-program. (for absent:x) not found" err ||
		fail "$(cat err)"
'

tcase 'a kexec target without usable kexec is not ready' '
	if command -v kexec >/dev/null && [ -e /sys/kernel/kexec_loaded ]; then
		echo "# kexec present here"; exit 0
	fi
	expect_exit 1 $PB check --target k >out 2>err
	grep -q "kexec not found" err || fail "$(cat err)"
'

tcase 'an unreachable target fails with the reason' '
	expect_exit 1 $PB check --target gone 2>err
	grep -q "Connection refused" err || fail "$(cat err)"
'

tcase 'an unknown target is a usage error' '
	expect_exit 2 $PB check --target nosuch 2>err
	grep -q "nosuch" err || fail "$(cat err)"
'
