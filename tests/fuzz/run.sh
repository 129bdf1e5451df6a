#!/bin/sh
# tests/fuzz/run.sh - `make fuzz`: builds each libFuzzer target with
# clang -fsanitize=fuzzer,address,undefined and runs it for FUZZ_SECONDS
# (default 60) from its seed corpus (tests/fuzz/<name>_seeds). Prints one
# line per target; exits non-zero when a target crashes or cannot be built.
# Crashing inputs are kept in $BUILD/fuzz/<name>/ (crash-*) to reproduce:
#   $BUILD/fuzz/<name>/<name> <crash file>
set -u
STB_INC=${STB_INC:-/usr/include/stb}
BUILD=${BUILD:-build}
SECS=${FUZZ_SECONDS:-60}
CLANG=${FUZZ_CC:-}
rc=0
ROOT=$(pwd)
for c in clang clang-14 clang-15 clang-16; do
    [ -z "$CLANG" ] && command -v "$c" >/dev/null 2>&1 && CLANG=$c
done
if [ -z "$CLANG" ]; then echo "fuzz: no clang found (sudo apt-get install clang)"; exit 1; fi
for t in baseline inflate; do
    d="$BUILD/fuzz/$t"
    mkdir -p "$d/corpus"
    if ! $CLANG -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -I"$STB_INC" \
          "tests/fuzz/fuzz_$t.c" -o "$d/fuzz_$t" -lm -pthread >"$d/build.log" 2>&1; then
        echo "FAIL  fuzz_$t: build failed ($CLANG; libFuzzer comes with clang's compiler-rt)"; sed 's/^/      /' "$d/build.log" | head -20
        rc=1; continue
    fi
    (cd "$d" && ./"fuzz_$t" -max_total_time="$SECS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        corpus "$ROOT/tests/fuzz/${t}_seeds" >run.log 2>&1)
    r=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/run.log" | tail -n 1)
    if [ $r = 0 ]; then
        echo "ok    fuzz_$t: ${runs:-?} inputs in ${SECS} s, no crash, leak or sanitizer report"
    else
        echo "FAIL  fuzz_$t: exit $r after ${runs:-?} inputs (reproducer in $d)"; grep -E "ERROR|SUMMARY|#[0-9]+ " "$d/run.log" | head -20
        rc=1
    fi
done
exit $rc
