#!/bin/sh
# tests/ab.sh - `make ab BASE=<rev>`: is the working tree slower than <rev>?
# Builds the suite SUITE (default examples/example_suite.c) twice - from a
# git worktree of BASE (the base, A) and from the working tree (the
# candidate, B) - then runs the candidate with --ab=<base build>: one
# process drives both builds as workers in interleaved rounds.
# Both builds use this tree's coralperf.h (the harness is not what is
# compared; any BASE whose suite source compiles with it works).
#   BASE=rev      the base revision (default HEAD: your uncommitted changes)
#   SUITE=file.c  the suite source (one file that defines CORALPERF_IMPLEMENTATION)
#   AB_ARGS=...   more flags for the run (e.g. --filter=parse --ab-target=5%)
# Exit code: the candidate's (0 pass, 1 a confirmed regression, 2 inconclusive).
set -u
BASE=${BASE:-HEAD}
SUITE=${SUITE:-examples/example_suite.c}
BUILD=${BUILD:-build}
CC=${CC:-cc}
STB_INC=${STB_INC:-/usr/include/stb}
OPT=${OPT:--O2}
D="$BUILD/ab"
say() { echo "ab: $*"; }
command -v git >/dev/null 2>&1 || { say "git is needed (to check out BASE)"; exit 1; }
rev=$(git rev-parse --verify --quiet "$BASE^{commit}") || { say "'$BASE' is not a commit of this repository (BASE=<rev>)"; exit 1; }
[ -f "$SUITE" ] || { say "no suite source '$SUITE' in the working tree (SUITE=<file.c>)"; exit 1; }
mkdir -p "$D"
ROOT=$(pwd)
WT="$ROOT/$D/base-tree"
git worktree remove --force "$WT" >/dev/null 2>&1; rm -rf "$WT"; git worktree prune
if ! git worktree add --detach "$WT" "$rev" >"$D/worktree.log" 2>&1; then
    say "could not check out $BASE:"; sed 's/^/    /' "$D/worktree.log"; exit 1
fi
cleanup() { git worktree remove --force "$WT" >/dev/null 2>&1; rm -rf "$WT"; git worktree prune; }
if [ ! -f "$WT/$SUITE" ]; then say "$SUITE does not exist at $BASE: nothing to compare with"; cleanup; exit 1; fi
short=$(git rev-parse --short "$rev")
say "base (A): $SUITE at $BASE ($short); candidate (B): the working tree; both with this tree's coralperf.h, $CC $OPT"
# -I. first: the working tree's coralperf.h; then the base tree for the suite's other headers
if ! $CC -std=c99 $OPT -I. -I"$STB_INC" -I"$WT" "$WT/$SUITE" -o "$D/base" -lm -pthread >"$D/base.build.log" 2>&1; then
    say "the base build failed:"; sed 's/^/    /' "$D/base.build.log" | head -30; cleanup; exit 1
fi
cleanup
if ! $CC -std=c99 $OPT -I. -I"$STB_INC" "$SUITE" -o "$D/candidate" -lm -pthread >"$D/candidate.build.log" 2>&1; then
    say "the candidate build failed:"; sed 's/^/    /' "$D/candidate.build.log" | head -30; exit 1
fi
# shellcheck disable=SC2086
"./$D/candidate" --ab="$D/base" --no-color ${AB_ARGS:-}
rc=$?
case $rc in
    0) say "no benchmark is slower than at $BASE (exit 0)";;
    1) say "a confirmed regression against $BASE, or an error (exit 1)";;
    2) say "inconclusive for some benchmarks: no regression shown, none ruled out (exit 2)";;
    *) say "the candidate exited $rc";;
esac
exit $rc
