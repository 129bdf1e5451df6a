#!/bin/sh
# tests/fuzz/run.sh - `make fuzz`: builds each libFuzzer target with
# clang -fsanitize=fuzzer,address,undefined and runs it for FUZZ_SECONDS
# (default 60) from its seed corpus (tests/fuzz/<name>_seeds: every file in
# it is run first). Prints one line per target with the seed libFuzzer used;
# exits non-zero when a target crashes, cannot be built or skipped a seed.
# FUZZ_SEED=N: libFuzzer's -seed=N from an empty working corpus, so a run
# replays the same inputs (CI: tests/matrix.sh sets 1); unset, the seed is
# random and $BUILD/fuzz/<name>/corpus grows from run to run (exploration).
# Crashing inputs are kept in $BUILD/fuzz/<name>/ (crash-*) to reproduce:
#   $BUILD/fuzz/<name>/<name> <crash file>
set -u
STB_INC=${STB_INC:-/usr/include/stb}
BUILD=${BUILD:-build}
SECS=${FUZZ_SECONDS:-60}
SEED=${FUZZ_SEED:-}
CLANG=${FUZZ_CC:-}
MAXLEN=65536
rc=0
ROOT=$(pwd)
for c in clang clang-14 clang-15 clang-16; do
    [ -z "$CLANG" ] && command -v "$c" >/dev/null 2>&1 && CLANG=$c
done
if [ -z "$CLANG" ]; then echo "fuzz: no clang found (sudo apt-get install clang)"; exit 1; fi
for t in baseline inflate hist; do
    d="$BUILD/fuzz/$t"
    seeds="$ROOT/tests/fuzz/${t}_seeds"
    [ -n "$SEED" ] && rm -rf "$d/corpus"   # a seeded run starts from the seeds alone
    mkdir -p "$d/corpus"
    nseeds=$(find "$seeds" -type f | wc -l | tr -d ' ')
    big=$(find "$seeds" -type f -size +${MAXLEN}c)
    if [ -n "$big" ]; then   # libFuzzer would cut them to -max_len, not replay them
        echo "FAIL  fuzz_$t: seeds larger than $MAXLEN bytes: $big"; rc=1; continue
    fi
    if ! $CLANG -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -I"$STB_INC" \
          "tests/fuzz/fuzz_$t.c" -o "$d/fuzz_$t" -lm -pthread >"$d/build.log" 2>&1; then
        echo "FAIL  fuzz_$t: build failed ($CLANG; libFuzzer comes with clang's compiler-rt)"; sed 's/^/      /' "$d/build.log" | head -20
        rc=1; continue
    fi
    (cd "$d" && ./"fuzz_$t" ${SEED:+-seed="$SEED"} -max_total_time="$SECS" -max_len=$MAXLEN -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 corpus "$seeds" >run.log 2>&1)
    r=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/run.log" | tail -n 1)
    used=$(sed -n 's/^INFO: Seed: *//p' "$d/run.log" | head -n 1)
    if [ -n "$SEED" ]; then how="seed $SEED"; else how="random seed ${used:-?}"; fi
    found=$(grep -F " files found in $seeds" "$d/run.log" | head -n 1 | awk '{print $2}')
    if [ $r = 0 ] && [ "${found:-x}" != "$nseeds" ]; then
        echo "FAIL  fuzz_$t: libFuzzer read ${found:-no} of the $nseeds seeds in $seeds ($how)"
        rc=1
    elif [ $r = 0 ]; then
        echo "ok    fuzz_$t: $how, $nseeds seeds replayed, ${runs:-?} inputs in ${SECS} s, no crash, leak or sanitizer report"
    else
        echo "FAIL  fuzz_$t: exit $r after ${runs:-?} inputs, $how (reproducer in $d)"; grep -E "ERROR|SUMMARY|#[0-9]+ " "$d/run.log" | head -20
        rc=1
    fi
done
exit $rc
