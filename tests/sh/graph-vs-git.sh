#!/bin/sh
# tests/sh/graph-vs-git.sh - the bisection core against "git bisect run".
#
# One scripted history of about 1,000 commits (mainline, topic branches
# merged back, criss-cross merges between topics), built with git
# fast-import; commit K of each culprit adds the file culprit-K, which all
# its descendants carry.  For each case the same oracle (bad when the
# culprit file is in the tested commit, skip for a cluster of commits)
# drives "git bisect run" and "helper-graph repo-bisect": both must name
# the same first bad commit, or the same candidates when only skipped
# commits are left, and ours may take at most one step more.
# shellcheck disable=SC2016 # case bodies are expanded by tcase
# shellcheck disable=SC1091
. "$(dirname "$0")/../lib.sh"

HG=$BUILD/tests/helper-graph
[ -x "$HG" ] || skip_all "$HG is not built"
command -v git >/dev/null || skip_all "no git"
# fast-import and bisect allocate in many small steps; a host where brk is
# slow makes them ten times slower without a larger malloc pad.
GLIBC_TUNABLES=glibc.malloc.top_pad=67108864:glibc.malloc.trim_threshold=268435456
export GLIBC_TUNABLES HG

NCOMMITS=1000
SEED=7
REPO=$TRASH/repo
export NCOMMITS SEED REPO

cat >"$TRASH/oracle" <<'EOF'
#!/bin/sh
# oracle [COMMIT]: exit 1 if COMMIT (default HEAD) has culprit-$CULPRIT,
# 125 if it is listed in $SKIPS, else 0; logs each commit to $ORACLE_LOG.
if [ -n "${1:-}" ]; then
	c=$1
else
	c=$(git rev-parse HEAD) || exit 128
fi
echo "$c" >>"$ORACLE_LOG"
if [ -s "${SKIPS:-}" ] && grep -q "^$c\$" "$SKIPS"; then
	exit 125
fi
if git cat-file -e "$c:culprit-$CULPRIT" 2>/dev/null; then
	exit 1
fi
exit 0
EOF
chmod +x "$TRASH/oracle"

# kind_after KIND K: the first commit of KIND (main, topic, merge, criss)
# numbered K or more.
kind_after() {
	awk -v k="$2" -v kind="$1" '$1 >= k && $2 == kind { print $1; exit }' \
		"$TRASH/kinds"
}

# sha K: the id of commit K.
sha() {
	awk -v m=":$1" '$1 == m { print $2 }' "$TRASH/marks"
}

# compare NAME CULPRIT SKIP_FROM SKIP_TO [--first-parent]: bisect with both
# and compare.  Commits numbered SKIP_FROM..SKIP_TO are skipped (0 0: none).
compare() {
	_name=$1 _culprit=$2 _lo=$3 _hi=$4 _fp=${5:-}
	_d=$TRASH/$_name
	mkdir -p "$_d"
	awk -v lo="$_lo" -v hi="$_hi" \
		'{ m = substr($1, 2) + 0; if (m >= lo && m <= hi) print $2 }' \
		"$TRASH/marks" >"$_d/skips"
	CULPRIT=$_culprit SKIPS=$_d/skips
	export CULPRIT SKIPS
	good=$(sha 1)
	bad=$(git -C "$REPO" rev-parse main)

	ORACLE_LOG=$_d/git.log
	export ORACLE_LOG
	: >"$ORACLE_LOG"
	(
		cd "$REPO" &&
		git bisect start ${_fp:+"$_fp"} "$bad" "$good" >/dev/null &&
		git bisect run "$TRASH/oracle" >"$_d/git.out" 2>&1
		git bisect reset >/dev/null 2>&1
	) || true
	if grep -q 'is the first bad commit' "$_d/git.out"; then
		sed -n 's/^\([0-9a-f]*\) is the first bad commit$/\1/p' \
			"$_d/git.out" >"$_d/git.ans"
	elif grep -q 'could be any of' "$_d/git.out"; then
		sed -n '/could be any of/,/cannot bisect more/p' "$_d/git.out" |
			grep -E '^[0-9a-f]{40}$' | sort >"$_d/git.ans"
	else
		cat "$_d/git.out"
		fail "git bisect run gave no answer"
	fi

	ORACLE_LOG=$_d/pb.log
	: >"$ORACLE_LOG"
	"$HG" repo-bisect ${_fp:+"$_fp"} "$REPO" "$good" "$bad" \
		'cd "$REPO" && "$TRASH/oracle" "$1"' >"$_d/pb.out" 2>"$_d/pb.err" ||
		{ cat "$_d/pb.err"; fail "helper-graph repo-bisect failed"; }
	if grep -q '^first bad commit ' "$_d/pb.out"; then
		sed -n 's/^first bad commit //p' "$_d/pb.out" >"$_d/pb.ans"
	else
		sed -n 's/^only skipped left //p' "$_d/pb.out" | tr ' ' '\n' |
			sort >"$_d/pb.ans"
	fi
	[ -s "$_d/pb.ans" ] || fail "helper-graph gave no answer"
	diff -u "$_d/git.ans" "$_d/pb.ans" >&2 ||
		fail "answers differ"
	git_steps=$(wc -l <"$_d/git.log")
	pb_steps=$(wc -l <"$_d/pb.log")
	same=no
	cmp -s "$_d/git.log" "$_d/pb.log" && same=yes
	echo "steps: git $git_steps, ours $pb_steps, same commits tested: $same"
	[ "$pb_steps" -le $((git_steps + 1)) ] ||
		fail "$pb_steps steps, git took $git_steps"
}

tcase "build a history with merges and criss-crosses" '
	"$HG" history $NCOMMITS $SEED >/dev/null 2>"$TRASH/kinds" &&
	c_main=$(kind_after main 250) &&
	c_topic=$(kind_after topic 400) &&
	c_merge=$(kind_after merge 600) &&
	c_criss=$(kind_after criss 300) &&
	c_side=$(kind_after topic 700) &&
	[ -n "$c_criss" ] || fail "no criss-cross merge in the history"
	echo "$c_main $c_topic $c_merge $c_criss $c_side 17 $((NCOMMITS - 3))" \
		>"$TRASH/culprits"
	git init -q "$REPO"
	# shellcheck disable=SC2046 # one argument per culprit
	"$HG" history $NCOMMITS $SEED $(cat "$TRASH/culprits") 2>/dev/null |
		git -C "$REPO" fast-import --quiet --export-marks="$TRASH/marks"
	git -C "$REPO" checkout -q main
	n=$(git -C "$REPO" rev-list --count main)
	merges=$(git -C "$REPO" rev-list --merges --count main)
	echo "$n commits, $merges merges"
	[ "$n" -ge $NCOMMITS ] || fail "only $n commits"
	[ "$merges" -ge 50 ] || fail "only $merges merges"
'

c_main=0 c_topic=0 c_merge=0 c_criss=0 c_side=0 c_early=0 c_late=0
if [ -s "$TRASH/culprits" ]; then
	read -r c_main c_topic c_merge c_criss c_side c_early c_late \
		<"$TRASH/culprits"
fi

tcase "culprit on the mainline" "compare main $c_main 0 0"
tcase "culprit inside a merged topic branch" "compare topic $c_topic 0 0"
tcase "culprit is a merge" "compare merge $c_merge 0 0"
tcase "culprit is a criss-cross merge" "compare criss $c_criss 0 0"
tcase "culprit near the good end" "compare early $c_early 0 0"
tcase "culprit near the bad end" "compare late $c_late 0 0"
tcase "skipped cluster away from the culprit" \
	"compare skip-away $c_side $((c_side - 220)) $((c_side - 170))"
tcase "skipped cluster around the culprit" \
	"compare skip-around $c_topic $((c_topic - 10)) $((c_topic + 10))"
tcase "skipped cluster at the first midpoint" \
	"compare skip-mid $c_main 480 530"
tcase "first parent only, culprit on a topic" \
	"compare first-parent $c_topic 0 0 --first-parent"
