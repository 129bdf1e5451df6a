#!/bin/sh
# tests/count.sh - `make count`: exact instructions per operation for every
# benchmark of the suite SUITE (default examples/example_suite.c), counted
# by Callgrind, compared with baselines/<suite>.count.cpb (more than +1%
# fails on the same build and host). Deterministic: the same code gives the
# same counts on every run, however busy the machine is.
#   SUITE=file.c          the suite source
#   COUNT_ARGS="..."      more flags (e.g. --update-baseline=all to record,
#                         --count-iters=N, --filter=...)
# Needs valgrind (installed with apt-get when missing and possible).
set -u
SUITE=${SUITE:-examples/example_suite.c}
BUILD=${BUILD:-build}
CC=${CC:-cc}
STB_INC=${STB_INC:-/usr/include/stb}
D="$BUILD/count"
if ! command -v valgrind >/dev/null 2>&1 || [ ! -f /usr/include/valgrind/callgrind.h ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "count: installing valgrind with apt-get"
        apt-get install -y -qq valgrind >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq valgrind >/dev/null 2>&1; }
    fi
fi
if ! command -v valgrind >/dev/null 2>&1; then
    echo "count: valgrind is not installed (Debian/Ubuntu: sudo apt-get install valgrind); instruction counts are unavailable"; exit 1
fi
mkdir -p "$D"
rm -f "$D"/cg.*
name=$(basename "$SUITE" .c)
if ! $CC -std=c99 -O2 -g -I. -I"$STB_INC" "$SUITE" -o "$D/$name" -lm -pthread >"$D/build.log" 2>&1; then
    echo "count: the build of $SUITE failed:"; sed 's/^/    /' "$D/build.log" | head -30; exit 1
fi
echo "count: $SUITE under valgrind --tool=callgrind (each benchmark: a warm-up batch, then a counted one)"
# shellcheck disable=SC2086
CORALPERF_COUNT_OUT="$D/cg" valgrind -q --tool=callgrind --collect-atstart=no --callgrind-out-file="$D/cg.%p" \
    "./$D/$name" --count --no-color ${COUNT_ARGS:-}
rc=$?
rm -f "$D"/cg.*
case $rc in
    0) echo "count: no benchmark executes more instructions than its baseline allows (exit 0)";;
    1) echo "count: more instructions than the baseline allows, or an error (exit 1)";;
    2) echo "count: warnings only (exit 2): new benchmarks, another build or host";;
    *) echo "count: the suite exited $rc";;
esac
exit $rc
