#!/bin/sh
# shellcheck disable=SC2016,SC2154 # tcase expands its body when it runs; lib.sh sets top
# The documentation against the program: both man pages lint clean, every
# command and usage line of --help is in perfbisect(1)'s SYNOPSIS, and the
# example configurations and batch list in scripts/examples are accepted
# by the real binary and use only documented keys.
# shellcheck source=tests/lib.sh disable=SC1091
. "$(dirname "$0")/../lib.sh"

[ -x "$PB" ] || skip_all "perfbisect is not built"
command -v mandoc >/dev/null || skip_all "mandoc is not installed (scripts/deps)"
MAN1=$top/man/perfbisect.1
MAN5=$top/man/perfbisect.conf.5
EX=$top/scripts/examples
FX=$top/tests/fixtures
export MAN1 MAN5 EX FX

# One line per SYNOPSIS entry of perfbisect(1), blanks collapsed.
mandoc -Tascii -Owidth=250 "$MAN1" | col -bx | awk '
	/^SYNOPSIS/ { on = 1; next }
	/^[A-Z]/ { if (on) exit }
	on && /^     perfbisect/ { if (e != "") print e; e = $0; next }
	on && /^      / { e = e " " $0 }
	END { if (e != "") print e }' |
	sed 's/[[:space:]][[:space:]]*/ /g; s/^ //; s/ $//' >"$TRASH/synopsis"

# The commands "perfbisect --help" lists.
"$PB" --help | awk '/^commands:/ { on = 1; next } on && /^   [a-z]/ { print $1 }' \
	>"$TRASH/commands"

# documented_key SECTION.KEY: an .It Ic KEY entry under a .Ss [SECTION...]
# heading of perfbisect.conf(5) (names compared case-insensitively, as git
# does).
awk '
	/^\.Ss \[/ { s = tolower(substr($2, 2)); sub(/[]\\].*/, "", s); next }
	/^\.Sh / { s = "" }
	s != "" && /^\.It Ic / {
		for (i = 2; i < NF; i++)
			if ($i == "Ic") print s "." tolower($(i + 1))
	}' "$MAN5" | sort -u >"$TRASH/keys"
documented_key() {
	_k=$(echo "$1" | tr '[:upper:]' '[:lower:]')
	_sec=${_k%%.*}
	_var=${_k##*.}
	grep -qx "$_sec.$_var" "$TRASH/keys" ||
		fail "'$1' is not documented in perfbisect.conf(5)"
}
# check_keys FILE: every key set in FILE is documented.
check_keys() {
	git config -f "$1" --name-only --list >"$TRASH/used" ||
		fail "git config cannot read $1"
	test -s "$TRASH/used" || fail "no keys in $1"
	while read -r key; do
		documented_key "$key"
	done <"$TRASH/used"
}
# The trash directory lies inside this checkout: git must never find the
# checkout's repository from there.
GIT_CEILING_DIRECTORIES=$(dirname "$TRASH")
export GIT_CEILING_DIRECTORIES

# scratch_repo TAG...: a fresh repository "repo" in the current directory
# with one commit per argument (tagged when it starts with "v"), and cd
# into it.
scratch_repo() {
	rm -rf repo || fail "cannot remove repo"
	git init -q repo || fail "git init failed"
	cd repo || fail "cannot cd to repo"
	[ "$(git rev-parse --show-toplevel)" = "$(pwd -P)" ] ||
		fail "repo is not its own repository"
	for _t in "$@"; do
		echo "$_t" >f || fail "cannot write f"
		git add f || fail "git add failed"
		git commit -qm "$_t" || fail "git commit failed"
		case $_t in v*) git tag "$_t" || fail "git tag failed" ;; esac
	done
}

# valid_config FILE TARGET METRIC: "run" accepts everything in FILE (it
# checks the build, stats, benchmark, metric and target settings before
# it writes anything) and gets as far as connecting to the target, which
# is pointed at a closed port on loopback.
valid_config() {
	scratch_repo c1 c2 c3
	expect_exit 1 "$PB" -f "$1" -c "target.$2.host=127.0.0.1" \
		-c "target.$2.port=1" run --quiet --good HEAD~2 --bad HEAD \
		--metric "$3" --target "$2" 2>err
	grep -q "cannot connect to 127.0.0.1:1" err || { cat err; fail "did not reach the target"; }
	cd ..
}

tcase "perfbisect.1 is clean under mandoc -Tlint" '
	mandoc -Tlint -Wwarning "$MAN1"
'

tcase "perfbisect.conf.5 is clean under mandoc -Tlint" '
	mandoc -Tlint -Wwarning "$MAN5"
'

tcase "every command of --help is described in perfbisect.1" '
	test "$(wc -l <"$TRASH/commands")" -ge 8 || fail "too few commands in --help"
	mandoc -Tascii "$MAN1" | col -bx >page
	while read -r cmd; do
		grep -q "^     $cmd\( \|\$\)" page || fail "no entry for $cmd"
	done <"$TRASH/commands"
'

tcase "the global usage line is the first SYNOPSIS line" '
	want=$("$PB" --help | head -n 1 | sed "s/^usage: //")
	assert_eq "$want" "$(head -n 1 "$TRASH/synopsis")" "SYNOPSIS"
'

tcase "each command usage line is its SYNOPSIS line" '
	while read -r cmd; do
		"$PB" "$cmd" --help >usage || fail "$cmd --help exited $?"
		# A line starting with "perfbisect" starts a usage form; a
		# line starting with anything else continues the form above.
		sed "s/^usage: //" usage | awk "
			\$1 == \"perfbisect\" { if (e != \"\") print e; e = \$0; next }
			{ e = e \" \" \$0 }
			END { if (e != \"\") print e }" |
			sed "s/[[:space:]][[:space:]]*/ /g; s/^ //; s/ \$//" >forms
		test -s forms || fail "$cmd --help printed no usage"
		while read -r line; do
			grep -qxF "$line" "$TRASH/synopsis" ||
				fail "$cmd: usage \"$line\" is not in the SYNOPSIS of perfbisect.1"
		done <forms
	done <"$TRASH/commands"
'

tcase "netperf-udp.conf: the benchmark override is read" '
	"$PB" -f "$EX/netperf-udp.conf" benchmarks netperf-udp >out
	grep -q "^  duration *default 30 " out
'

tcase "netperf-udp.conf: run accepts every setting" '
	valid_config "$EX/netperf-udp.conf" testbox netperf-udp:send@size=64
'

tcase "a bad value in netperf-udp.conf would be caught" '
	scratch_repo c1 c2 c3
	expect_exit 2 "$PB" -f "$EX/netperf-udp.conf" -c target.testbox.bootTimeout=soon \
		run --good HEAD~2 --bad HEAD --metric netperf-udp:send@size=64 \
		--target testbox 2>err
	grep -q "bootTimeout" err
	test ! -e .git/perfbisect
'

tcase "netperf-udp.conf uses documented keys only" '
	check_keys "$EX/netperf-udp.conf"
'

tcase "ci-hook.conf: run accepts every setting" '
	valid_config "$EX/ci-hook.conf" ci-box netperf-udp:recv@size=64
'

tcase "ci-hook.conf uses documented keys only" '
	check_keys "$EX/ci-hook.conf"
'

tcase "a misspelt key is reported as undocumented" '
	printf "[stats]\n\tminBots = 3\n" >typo.conf
	if (check_keys typo.conf) 2>/dev/null; then fail "minBots passed"; fi
'

# The batch list: its lines have the documented shape, each metric
# selector resolves and parses saved output of its benchmark, and each
# override names a documented setting.
tcase "regressions.list: lines, selectors and overrides" '
	n=0
	sed "s/#.*//" "$EX/regressions.list" | while read -r name good bad metric rest; do
		[ -n "$name" ] || continue
		[ -n "$metric" ] || fail "$name: needs NAME GOOD BAD METRIC"
		case $metric in *:*) ;; *) fail "$name: bad metric $metric" ;; esac
		case ${metric%%:*} in
		netperf-udp) out=$FX/netperf/np2.7.1.udp_stream.m64.stdout ;;
		netperf-tcp) out=$FX/netperf/np2.7.1.tcp_stream.default.stdout ;;
		netperf-rr) out=$FX/netperf/np2.7.1.tcp_rr.default.stdout ;;
		perf-bench) out=$FX/perf-bench/sched-pipe.stdout ;;
		hackbench) out=$FX/hackbench/default.stdout ;;
		sysbench) out=$FX/sysbench/cpu.stdout ;;
		*) fail "$name: no saved output of ${metric%%:*} to check against" ;;
		esac
		"$PB" -f "$EX/netperf-udp.conf" parse "$metric" "$out" >/dev/null ||
			fail "$name: $metric does not resolve"
		for kv in $rest; do
			case $kv in
			target=testbox) ;;
			target=*) fail "$name: $kv is not a target of netperf-udp.conf" ;;
			*.*=*) documented_key "${kv%%=*}" ;;
			*) fail "$name: bad override $kv" ;;
			esac
		done
		n=$((n + 1))
		echo "$n" >count
	done
	test "$(cat count)" -ge 3
'

# "perfbisect batch" checks the whole list (names, revisions, selectors,
# overrides, targets) before it starts anything; with the pool pointed at
# a closed port, every regression then fails to connect.
if "$PB" batch --help >/dev/null 2>&1; then
	tcase "regressions.list: batch accepts every line" '
		scratch_repo v6.5 x v6.6 y v6.7
		set +e
		timeout 60 "$PB" -f "$EX/netperf-udp.conf" \
			-c target.testbox.host=127.0.0.1 -c target.testbox.port=1 \
			batch --targets testbox "$EX/regressions.list" >out 2>err
		rc=$?
		set -e
		case $rc in 0 | 2 | 124) cat out err; fail "batch exited $rc" ;; esac
		grep -q "cannot connect to 127.0.0.1:1" err || { cat err; fail "no regression reached the target"; }
		"$PB" batch --status >status
		sed "s/#.*//" "$EX/regressions.list" | awk "NF { print \$1 }" >names
		test -s names
		while read -r name; do
			grep -q "^$name " status || fail "$name is not in the batch"
		done <names
	'
else
	echo "# skip $SCRIPT: perfbisect batch does not exist yet; regressions.list checked by fields only"
fi
