#!/bin/sh
# tests/bench/graph.sh - perfbisect's bisection graph against "git bisect"
# on the same scripted history (a benchmark, not a test).
#
# "helper-graph history" writes a kernel-like history of about
# BENCH_GRAPH_COMMITS (default 100000) commits with topic branches, merges
# and criss-cross merges; git fast-import turns it into a repository.  The
# culprit is commit 43721 (a topic commit, so the answer lies off the
# mainline).  Both tools bisect between the root and the tip with verdicts
# taken from the known culprit, nothing built or run:
#   perfbisect  helper-graph bench: the libgit2 graph load, then each
#               bisect_next choice (the final "found" call included);
#   git bisect  "git bisect start --no-checkout TIP ROOT", then one
#               "git bisect good|bad" per step; the verdict (merge-base
#               --is-ancestor) is outside the timed part.
# "load" is perfbisect's graph load and git's "bisect start" (which
# includes git's first choice); "per choice" is the mean of the timed
# steps; "total" is everything timed.  Both run twice: on the repository
# as fast-import leaves it, and after "git commit-graph write" (git's
# best case).  The run fails if either tool names a commit other than
# the culprit.  Timings are wall clock: other load on the machine shows.
# BUILD as for tests/run; it takes about a minute and a half.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
helper=$BUILD/tests/helper-graph
n=${BENCH_GRAPH_COMMITS:-100000}
culprit_mark=${BENCH_GRAPH_CULPRIT:-43721}

if ! date +%N | grep -q '^[0-9]'; then
	echo "graph.sh: date +%N gives no nanoseconds here" >&2
	exit 1
fi
work=$BUILD/tests/bench-graph
rm -rf "$work"
mkdir -p "$work/home"
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME="$work/home"
export GIT_CEILING_DIRECTORIES="$BUILD/tests"
unset GIT_DIR GIT_WORK_TREE

ms() {
	t=$(date +%s%N)
	echo $((t / 1000000))
}

repo=$work/repo
git init -q -b main "$repo"
t0=$(ms)
# fast-import frees and reallocates large buffers; without the padding
# glibc hands them back to the kernel each time and the import takes
# minutes of system time instead of seconds.
"$helper" history "$n" 1 "$culprit_mark" 2>/dev/null |
	(cd "$repo" && MALLOC_TOP_PAD_=268435456 \
	    MALLOC_TRIM_THRESHOLD_=1073741824 git fast-import --quiet)
t1=$(ms)
cd "$repo"
root=$(git rev-list --max-parents=0 main)
culprit=$(git log --format=%H --grep="^commit $culprit_mark\$" main)
ncommits=$(git rev-list --count main)
nmerges=$(git rev-list --count --merges main)
[ -n "$culprit" ] || { echo "graph.sh: no commit $culprit_mark" >&2; exit 1; }
echo "history: $ncommits commits, $nmerges merges, made in" \
    "$(( (t1 - t0) / 1000 )).$(( (t1 - t0) % 1000 / 100 )) s;" \
    "culprit: commit $culprit_mark ($(echo "$culprit" | cut -c1-12))"

# perfbisect: one "tool state load_ms steps choices_ms total_ms" line
pb_row() {
	"$helper" bench "$repo" "$root" main "$culprit" >"$work/pb.out"
	awk -v state="$1" '
		$1 == "load_ms" { load = $2 }
		$1 == "step_ms" { sum += $3; k++ }
		$1 == "steps" { steps = $2 }
		$1 == "total_ms" { total = $2 }
		END { printf "perfbisect %s %.1f %d %.2f %.1f\n", state, load,
		    steps, sum / k, total }' "$work/pb.out"
}

git_row() {
	git bisect reset -q >/dev/null 2>&1 || true
	t0=$(ms)
	git bisect start --no-checkout main "$root" >/dev/null
	t1=$(ms)
	load=$((t1 - t0))
	steps=0
	sum=0
	while :; do
		h=$(git rev-parse BISECT_HEAD)
		if git merge-base --is-ancestor "$culprit" "$h"; then
			v=bad
		else
			v=good
		fi
		t0=$(ms)
		git bisect "$v" >"$work/git.out"
		t1=$(ms)
		steps=$((steps + 1))
		sum=$((sum + t1 - t0))
		if grep -q "is the first bad commit" "$work/git.out"; then
			break
		fi
		if [ "$steps" -gt 64 ]; then
			echo "graph.sh: git bisect does not end" >&2
			exit 1
		fi
	done
	found=$(awk 'NR == 1 { print $1 }' "$work/git.out")
	git bisect reset -q >/dev/null 2>&1 || true
	if [ "$found" != "$culprit" ]; then
		echo "graph.sh: git bisect found $found, not $culprit" >&2
		exit 1
	fi
	# git's steps are the verdicts; its first choice is in "load"
	awk -v state="$1" -v load="$load" -v steps="$steps" -v sum="$sum" \
	    'BEGIN { printf "git-bisect %s %.1f %d %.2f %.1f\n", state,
	    load, steps, sum / steps, load + sum }'
}

{
	pb_row plain
	git_row plain
	git commit-graph write --reachable 2>/dev/null
	pb_row commit-graph
	git_row commit-graph
} >"$work/rows"

printf '%-11s %-13s %10s %6s %12s %10s\n' tool repository "load ms" steps \
    "ms/choice" "total ms"
awk '{ printf "%-11s %-13s %10.1f %6d %12.2f %10.1f\n", $1, $2, $3, $4,
    $5, $6 }' "$work/rows"
awk '
	$1 == "perfbisect" { pb[$2] = $6 }
	$1 == "git-bisect" { g[$2] = $6 }
	END {
		for (s in pb)
			printf "%s: perfbisect total is %.1f%% of git bisect'\''s\n",
			    s, 100 * pb[s] / g[s]
	}' "$work/rows" | sort
