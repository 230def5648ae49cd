#!/bin/sh
# ssh-auth.sh - kexec/ssh.c against a real OpenSSH sshd on 127.0.0.1:
# host key checks, key and agent logins, commands, timeouts, uploads and
# connections that fail.  Needs root (sshd's privilege separation) and
# /usr/sbin/sshd; skipped otherwise.
. "$(dirname "$0")/../lib.sh"

# shellcheck source=tests/sh/ssh-sshd
. "$(dirname "$0")/ssh-sshd"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$S/other.pub")" >"$TRASH/kh_changed"

tcase 'known host key: command runs, output and status captured' '
	expect_exit 3 $SSH exec "echo out; echo err >&2; exit 3" >out 2>err
	assert_eq out "$(cat out)" stdout
	grep -q "^err$" err || fail "stderr: $(cat err)"
	grep -q "status 3 " err || fail "status: $(cat err)"
'

tcase 'stdin is fed to the command' '
	printf "abc\ndef\n" | $SSH exec "wc -l" >out
	assert_eq 2 "$(tr -d " " <out)"
'

tcase 'host key fingerprint as OpenSSH prints it' '
	$SSH hostkey >out
	assert_eq "ED25519 $FP" "$(cat out)"
'

tcase 'hashed known_hosts entry accepted' '
	cp "$KH" hashed
	ssh-keygen -q -H -f hashed 2>/dev/null
	grep -q "^|1|" hashed || fail "not hashed"
	$H -p $PORT -k hashed -i client exec true
'

tcase 'unknown host key refused with its fingerprint' '
	: >empty
	expect_exit 1 $H -p $PORT -k empty -i client exec true 2>err
	grep -q "unknown host key" err || fail "$(cat err)"
	grep -q "ED25519 $FP" err || fail "no fingerprint: $(cat err)"
'

tcase 'changed host key refused' '
	expect_exit 1 $H -p $PORT -k kh_changed -i client exec true 2>err
	grep -q "has changed: ED25519 $FP" err || fail "$(cat err)"
'

tcase 'accept-new records a new key in ~/.ssh/known_hosts' '
	rm -rf "$HOME/.ssh"
	$H -p $PORT -P accept-new -i client exec true
	grep -q "^\[127.0.0.1\]:$PORT ssh-ed25519 " "$HOME/.ssh/known_hosts" ||
		fail "not recorded: $(cat "$HOME/.ssh/known_hosts")"
	$H -p $PORT -i client exec true
	assert_eq 1 "$(wc -l <"$HOME/.ssh/known_hosts")" entries
'

tcase 'accept-new still refuses a changed key' '
	cp kh_changed kh_an
	expect_exit 1 $H -p $PORT -P accept-new -k kh_an -i client \
		exec true 2>err
	grep -q "has changed" err || fail "$(cat err)"
	cmp kh_an kh_changed
'

tcase 'wrong client key refused' '
	expect_exit 1 $H -p $PORT -k "$KH" -i wrong exec true 2>err
	grep -q "authentication as .* refused" err || fail "$(cat err)"
'

tcase 'agent authentication' '
	command -v ssh-agent >/dev/null || { echo "# no ssh-agent"; exit 0; }
	eval "$(ssh-agent -s -a "$TRASH/agent.sock")" >/dev/null
	echo "$SSH_AGENT_PID" >agent.pid
	ssh-add -q wrong 2>/dev/null
	ssh-add -q client 2>/dev/null
	$H -p $PORT -k "$KH" exec "echo via-agent" >out
	kill "$SSH_AGENT_PID"
	assert_eq via-agent "$(cat out)"
'

tcase 'no identity and no agent is a clear error' '
	expect_exit 1 env -u SSH_AUTH_SOCK $H -p $PORT -k "$KH" exec true 2>err
	grep -q "SSH_AUTH_SOCK" err || fail "$(cat err)"
'

tcase 'a hanging command times out and its process group dies' '
	ls /tmp/.perfbisect-run.* >before 2>/dev/null || :
	start=$(date +%s)
	expect_exit 124 $SSH -t 1000 exec \
		"sleep 3001 & (sleep 3002 &); sleep 3003; echo never" >out 2>err
	end=$(date +%s)
	[ $((end - start)) -le 8 ] || fail "took $((end - start)) s"
	grep -q "timed out" err || fail "$(cat err)"
	sleep 0.5
	if pgrep -f "sleep 300[123]" >left; then
		ps -o pid,pgid,args -p "$(tr "\n" , <left)0" || true
		fail "left behind: $(cat left)"
	fi
	ls /tmp/.perfbisect-run.* >after 2>/dev/null || :
	if [ -n "$(comm -13 before after)" ]; then
		fail "pid file left: $(comm -13 before after)"
	fi
'

tcase 'a 5 MB upload lands intact under its name' '
	head -c 5242880 /dev/urandom >big
	mkdir -p remote
	$SSH upload big "$TRASH/remote/big.img"
	cmp big remote/big.img
	assert_eq 644 "$(stat -c %a remote/big.img)" mode
	[ -z "$(ls remote | grep pb-tmp)" ] || fail "temporary left"
	$SSH fetch "$TRASH/remote/big.img" back
	cmp big back
'

tcase 'without an sftp subsystem, upload and fetch use scp' '
	grep -v "^Subsystem" "$S/config" |
		sed -e "s/^Port .*/Port $($H free-port)/" \
		    -e "s|^PidFile .*|PidFile $TRASH/scp.pid|" >scp.config
	p=$(sed -n "s/^Port //p" scp.config)
	"$SSHD" -D -e -f "$TRASH/scp.config" 2>scp.log &
	spid=$!
	i=0
	until $H -p $p -P accept-new -k scp_kh -i client exec true 2>/dev/null
	do
		i=$((i + 1))
		[ $i -lt 50 ] || { kill $spid; fail "sshd did not start"; }
		sleep 0.1
	done
	head -c 1000000 /dev/urandom >mid
	mkdir -p remote
	rc=0
	$H -p $p -k scp_kh -i client upload mid "$TRASH/remote/mid" &&
	$H -p $p -k scp_kh -i client fetch "$TRASH/remote/mid" mid.back ||
		rc=$?
	kill $spid
	[ $rc = 0 ] || fail "scp transfer failed"
	cmp mid remote/mid
	cmp mid mid.back
'

tcase 'upload into a missing directory fails cleanly' '
	expect_exit 1 $SSH upload "$KH" "$TRASH/no/such/dir/f" 2>err
	grep -q "no/such/dir" err || fail "$(cat err)"
'

tcase 'closed port fails fast' '
	p=$($H free-port)
	start=$(date +%s)
	expect_exit 3 $H -p $p -k "$KH" -i client exec true 2>err
	end=$(date +%s)
	[ $((end - start)) -le 1 ] || fail "took $((end - start)) s"
	grep -q "cannot connect to 127.0.0.1:$p: Connection refused" err ||
		fail "$(cat err)"
'

tcase 'a listener that never speaks ssh fails by the deadline' '
	$H listen 30 >lport &
	lpid=$!
	i=0
	while [ ! -s lport ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	start=$(date +%s)
	expect_exit 3 $H -p "$(cat lport)" -c 1500 -k "$KH" -i client \
		exec true 2>err
	end=$(date +%s)
	kill $lpid 2>/dev/null || true
	[ $((end - start)) -le 4 ] || fail "took $((end - start)) s"
	grep -q "handshake timed out" err || fail "$(cat err)"
'

tcase 'a dropped connection is reported as transient' '
	expect_exit 3 $SSH exec \
		"read -r _ _ _ p _ </proc/\$PPID/stat; kill -9 \$p; sleep 5" \
		2>err
	grep -q "127.0.0.1:$PORT" err || fail "$(cat err)"
'
