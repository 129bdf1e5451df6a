#!/bin/sh
# tests/matrix.sh - the portability matrix behind `make test-all`.
# One line per stage: "stage NAME: passed|FAILED|skipped (why)". A stage is
# skipped only when its tool is missing and cannot be installed. Totals count
# every test that ran (unit tests per target plus single checks); the last
# line is "N passed, N failed[, N skipped]" and the exit status is non-zero
# when any stage failed. Called with STB_INC, CC, CXX, BUILD from the Makefile.
set -u
STB_INC=${STB_INC:-/usr/include/stb}
CC=${CC:-cc}
CXX=${CXX:-c++}
BUILD=${BUILD:-build}
M="$BUILD/matrix"
mkdir -p "$M"
PASS=0; FAIL=0; SKIP=0; STAGES_FAILED=""
WARN="-Wall -Wextra -Werror -pedantic"
UNIT="tests/test_main.c tests/test_clock.c tests/test_stats.c tests/test_bench.c tests/test_suite.c tests/test_report.c tests/test_lazy.c tests/test_mem.c tests/test_hash.c tests/test_dedup.c tests/test_neardup.c tests/test_deflate.c tests/test_baseline.c tests/test_guard.c tests/test_ab.c tests/test_hist.c tests/test_complexity.c tests/test_load.c"
have() { command -v "$1" >/dev/null 2>&1; }
t0=$(date +%s)

# Each stage line ends with the seconds since the previous stage line, so a
# CI log shows where the time goes.
t_last=$t0
took() { now=$(date +%s); TOOK="$((now - t_last)) s"; t_last=$now; }
stage_pass() { took; echo "stage $1: passed ($2) [$TOOK]"; }
stage_fail() { took; echo "stage $1: FAILED ($2) [$TOOK]"; STAGES_FAILED="$STAGES_FAILED $1"; [ -n "${3:-}" ] && sed 's/^/      /' "$3" | tail -30; }
stage_skip() { took; echo "stage $1: skipped ($2) [$TOOK]"; SKIP=$((SKIP + 1)); }

# Adds the "N passed, N failed" of a unit-test log to the totals; 0 if clean.
count_unit() {
    line=$(tr -d '\r' <"$1" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    [ -n "$line" ] || { FAIL=$((FAIL + 1)); return 1; }
    p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
    PASS=$((PASS + p)); FAIL=$((FAIL + f))
    [ "$f" = 0 ]
}

# Installs Debian packages for a stage when missing and possible.
ensure() {
    missing=""
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
    [ -z "$missing" ] && return 0
    have apt-get && [ "$(id -u)" = 0 ] || return 1
    echo "  installing$missing"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1; }
}

# --- host: make test (gcc/clang, C99..C++17, -O0/-O2, ASan+UBSan, TSan) + valgrind
echo "== host"
sh tests/run.sh >"$M/host.log" 2>&1
host_rc=$?
line=$(tail -n 1 "$M/host.log")
p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p'); f=$(echo "$line" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')
PASS=$((PASS + ${p:-0})); FAIL=$((FAIL + ${f:-1}))
if [ $host_rc = 0 ]; then stage_pass host "make test: $line"
else stage_fail host "make test: $line" "$M/host.log"; fi

if ensure valgrind && have valgrind; then
    valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite -q "$BUILD/test/unit" >"$M/valgrind.log" 2>&1; rc=$?
    count_unit "$M/valgrind.log"; cu=$?
    if [ $rc = 0 ] && [ $cu = 0 ]; then
        stage_pass valgrind "memcheck on the unit tests: no errors, no leaks"
    else stage_fail valgrind "memcheck on the unit tests" "$M/valgrind.log"; fi
else stage_skip valgrind "valgrind cannot be installed"; fi

# Reference table for the exhaustive hash check on targets without libxxhash:
# generated here from libxxhash by tests/xxhash_peer.c --gen. Without it the
# check is skipped, and every stage that would have run it says so and why.
PEER_EXP=""; PEER_SKIP_WHY=""
[ -f /usr/include/xxhash.h ] || ensure libxxhash-dev
if ! [ -f /usr/include/xxhash.h ]; then
    PEER_SKIP_WHY="no reference table: xxhash.h (Debian libxxhash-dev) is not installed and cannot be"
elif ! [ -x "$BUILD/test/xxhash_peer" ]; then
    PEER_SKIP_WHY="no reference table: the host stage built no $BUILD/test/xxhash_peer"
elif "$BUILD/test/xxhash_peer" --gen >"$M/expected.h" 2>/dev/null; then
    PEER_EXP="-DCPF_TEST_EXPECTED -I$M"
else
    PEER_SKIP_WHY="no reference table: $BUILD/test/xxhash_peer --gen failed"
fi
[ -z "$PEER_SKIP_WHY" ] || echo "  exhaustive XXH3 check on the other targets skipped: $PEER_SKIP_WHY"
# peer_cross NAME CC RUNNER...: the exhaustive hash check on one target (adds to
# the totals); PEER_RESULT says what happened, for the stage's line.
peer_cross() {
    n=$1; pcc=$2; shift 2
    if [ -z "$PEER_EXP" ]; then
        SKIP=$((SKIP + 1)); PEER_RESULT="exhaustive XXH3 check skipped ($PEER_SKIP_WHY)"
        echo "  XXH3 exhaustive check on $n: skipped ($PEER_SKIP_WHY)"; return 0
    fi
    PEER_RESULT="exhaustive XXH3 check FAILED"
    if $pcc -std=c99 -O2 $WARN -I. -I"$STB_INC" $PEER_EXP tests/xxhash_peer.c tests/xxhash_peer_scalar.c -o "$M/peer.$n" -lm $PEER_LIBS >"$M/peer.$n.build.log" 2>&1; then
        "$@" "$M/peer.$n" >"$M/peer.$n.log" 2>&1
        if count_unit "$M/peer.$n.log"; then
            PEER_RESULT="exhaustive XXH3 check passed"
            echo "  XXH3 exhaustive check on $n: $(tr -d '\r' <"$M/peer.$n.log" | tail -n 1)"; return 0
        fi
    else FAIL=$((FAIL + 1)); fi
    echo "  XXH3 exhaustive check on $n FAILED"; cat "$M/peer.$n.log" "$M/peer.$n.build.log" 2>/dev/null | sed 's/^/      /' | tail -10
    return 1
}

# --- Windows: MinGW-w64 build run under wine (the real Win32 code paths) ------
echo "== windows"
if ensure gcc-mingw-w64-x86-64 wine wine64 && have x86_64-w64-mingw32-gcc && have wine; then
    W="$M/wine"; mkdir -p "$W"
    export WINEDEBUG=-all WINEPREFIX="$PWD/$M/wineprefix"
    # One persistent wineserver for both Windows stages: by default it exits
    # 3 s after its last client, and a wine started in that moment failed
    # with "wine client error:0: recvmsg: Connection reset by peer" (a CI run
    # of 2026-12-03). Stopped after the A/B stage below.
    mkdir -p "$WINEPREFIX"; have wineserver && wineserver -p >/dev/null 2>&1
    if x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" -Itests $UNIT -o "$W/unit.exe" -lm >"$W/build.log" 2>&1 &&
       x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" examples/example_suite.c -o "$W/example_suite.exe" -lm >>"$W/build.log" 2>&1 &&
       x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" examples/lazy_model.c -o "$W/lazy_model.exe" -lm >>"$W/build.log" 2>&1 &&
       x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" examples/mem_weights.c -o "$W/mem_weights.exe" -lm >>"$W/build.log" 2>&1 &&
       x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" examples/weight_store.c -o "$W/weight_store.exe" -lm >>"$W/build.log" 2>&1 &&
       x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" examples/guard_assert.c -o "$W/guard_assert.exe" -lm >>"$W/build.log" 2>&1 &&
       x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" examples/inference_budget.c -o "$W/inference_budget.exe" -lm >>"$W/build.log" 2>&1 &&
       x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" examples/suite_timing.c -o "$W/suite_timing.exe" -lm >>"$W/build.log" 2>&1 &&
       x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" examples/load_service.c -o "$W/load_service.exe" -lm >>"$W/build.log" 2>&1 &&
       x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" tests/baseline_stress.c -o "$W/baseline_stress.exe" -lm >>"$W/build.log" 2>&1; then
        # s and l name the step in progress and its log, x its exit code, so
        # that a failure says which program failed and shows its output.
        s="unit tests" l="$W/unit.log" x=""
        wine "$W/unit.exe" >"$W/unit.log" 2>&1; rc=$?
        count_unit "$W/unit.log"; cu=$?
        if [ $rc = 0 ] && [ $cu = 0 ] &&
           { s="example_suite --quick (exit 0 or 2)" l="$W/example.log"; wine "$W/example_suite.exe" --quick >"$l" 2>&1; x=$?; # 2: another host than the baseline's
             { [ $x = 0 ] || [ $x = 2 ]; } && grep -q "compared with baselines/example.cpb" "$l"; } &&
           { s=weight_store l="$W/weight_store.log"; wine "$W/weight_store.exe" >"$l" 2>&1; x=$?; [ $x = 0 ]; } &&
           { s="baseline_stress (8 writers, 20 kills)" l="$W/stress.log"; rm -rf "$W/stress"; mkdir -p "$W/stress"; wine "$W/baseline_stress.exe" "$W/stress" 20 >"$l" 2>&1; x=$?; [ $x = 0 ]; } &&
           { s=lazy_model l="$W/lazy_model.log"; wine "$W/lazy_model.exe" >"$l" 2>&1; x=$?; [ $x = 0 ] && grep -q "loaded 1 time" "$l"; } &&
           { s=mem_weights l="$W/mem_weights.log"; wine "$W/mem_weights.exe" >"$l" 2>&1; x=$?; [ $x = 0 ] && grep -q "GetProcessMemoryInfo" "$l"; } &&
           { s=guard_assert l="$W/guard_assert.log"; wine "$W/guard_assert.exe" >"$l" 2>&1; x=$?; [ $x = 0 ] && grep -q "3 guards passed" "$l"; } &&
           { s=suite_timing l="$W/suite_timing.log"; wine "$W/suite_timing.exe" >"$l" 2>&1; x=$?; [ $x = 0 ] && grep -q "running on 2 threads saves" "$l"; } &&
           { s="inference_budget --quick (exit 0 or 2)" l="$W/inference.log"; wine "$W/inference_budget.exe" --quick >"$l" 2>&1; x=$?; [ $x = 0 ] || [ $x = 2 ]; } &&
           { s="inference_budget --quick --strict-xl (exit 1)" l="$W/inference_strict.log"; wine "$W/inference_budget.exe" --quick --strict-xl >"$l" 2>&1; x=$?; [ $x = 1 ] &&
             grep -q "FAIL  infer/xl: p95" "$l"; } &&
           { s=load_service l="$W/load_service.log"; wine "$W/load_service.exe" >"$l" 2>&1; x=$?; [ $x = 0 ] && grep -q "^endurance: p95" "$l" &&
             grep -q "thread safety of the cache counters: held up to" "$l"; }; then
            PASS=$((PASS + 1))
            if PEER_LIBS="" peer_cross mingw x86_64-w64-mingw32-gcc wine; then
                stage_pass windows-mingw "unit tests (lazy stress, memory, hash, baselines included), example suite with its baseline diff, lazy_model, mem_weights, weight_store, guard_assert, suite_timing, load_service, inference_budget (exit 0/2, and 1 with --strict-xl), 8 processes updating one baseline (LockFileEx, MoveFileEx) and 20 TerminateProcess kills mid-update under wine: $(tr -d "\\r" <"$W/unit.log" | tail -n 1); $PEER_RESULT"
            else STAGES_FAILED="$STAGES_FAILED windows-mingw"; echo "stage windows-mingw: FAILED (XXH3 exhaustive check)"; fi
        else FAIL=$((FAIL + 1)); stage_fail windows-mingw "under wine: $s: $([ -n "$x" ] && echo "exit $x, or its output lacks the expected line" || echo "exit $rc")" "$l"; fi
    else FAIL=$((FAIL + 1)); stage_fail windows-mingw "MinGW build" "$W/build.log"; fi
else stage_skip windows-mingw "MinGW-w64 or wine cannot be installed"; fi

# A/B mode's worker protocol on Win32: CreateProcess, inherited pipe handles.
if have x86_64-w64-mingw32-gcc && have wine; then
    W="$M/wine"; mkdir -p "$W"
    export WINEDEBUG=-all WINEPREFIX="$PWD/$M/wineprefix"
    if x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" tests/ab_suite.c -DAB_ONLY_BASE -o "$W/ab_base.exe" -lm >"$W/ab.build.log" 2>&1 &&
       x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" tests/ab_suite.c -DAB_SLOW=spin/300 -DAB_PCT=100 -o "$W/ab_slow.exe" -lm >>"$W/ab.build.log" 2>&1 &&
       x86_64-w64-mingw32-gcc -std=c99 -O2 $WARN -I. -I"$STB_INC" tests/ab_suite.c -DAB_HANG=spin/300 -o "$W/ab_hang.exe" -lm >>"$W/ab.build.log" 2>&1; then
        # wine's CreateProcess now and then fails inside wine itself (error 1359,
        # ERROR_INTERNAL_ERROR: "cannot start 'ab_slow.exe'" in a CI run of
        # 2026-12-03, and fine on 3 reruns). Such a run is repeated once, and
        # the stage says so; any other outcome counts as it is.
        ab_wine() {
            log=$1; shift
            (cd "$W" && wine "$@" >"$log" 2>&1); r=$?
            if grep -qs "(CreateProcess error 1359)" "$W/$log"; then
                echo "  windows-ab: wine could not start a worker (CreateProcess error 1359, wine's internal error); the run repeated once (first log: $W/$log.first)"
                mv "$W/$log" "$W/$log.first"
                (cd "$W" && wine "$@" >"$log" 2>&1); r=$?
            fi
            return $r
        }
        ab_wine ab.log ab_slow.exe --quick --no-color --ab=ab_base.exe; rab=$?
        # a filter with a space and a quote: the workers' command lines must split like the driver's
        ab_wine ab2.log ab_slow.exe --quick --no-color --ab=ab_base.exe '--filter=spin/300,odd name*,"q'; rab2=$?
        # a candidate that hangs: the timer ends the worker after --ab-timeout
        ab_wine ab3.log ab_hang.exe --quick --no-color --ab=ab_base.exe --ab-timeout=3; rab3=$?
        if [ $rab = 1 ] && grep -q "^  FAIL spin/300 .*(confirmed: " "$W/ab.log" && grep -q -E "^A/B: [0-3] passed, [0-3] warned, 1 failed" "$W/ab.log" &&
           grep -q "^  gone   only/base" "$W/ab.log" && [ $rab2 = 1 ] && grep -q -E "^A/B: [01] passed, [01] warned, 1 failed" "$W/ab2.log" &&
           [ $rab3 = 1 ] && grep -q "^  spin/300: the candidate build did not answer within 3 s in this benchmark" "$W/ab3.log"; then
            PASS=$((PASS + 1)); stage_pass windows-ab "A/B mode under wine: two MinGW builds of tests/ab_suite.c as CreateProcess workers over inherited pipes; 2x work caught and confirmed (exit 1), the others do not fail; arguments with spaces and quotes reach the workers; a hanging candidate is stopped after --ab-timeout"
        else FAIL=$((FAIL + 1)); cat "$W/ab2.log" "$W/ab3.log" "$W/ab.log" >"$W/ab_all.log" 2>/dev/null; stage_fail windows-ab "A/B run under wine (exits $rab, $rab2, $rab3)" "$W/ab_all.log"; fi
    else FAIL=$((FAIL + 1)); stage_fail windows-ab "MinGW build of tests/ab_suite.c" "$W/ab.build.log"; fi
else stage_skip windows-ab "MinGW-w64 or wine cannot be installed"; fi
[ -n "${WINEPREFIX:-}" ] && have wineserver && wineserver -k >/dev/null 2>&1

# MSVC code paths (_MSC_VER): syntax-checked by clang-cl against wine's headers.
# C++ is checked include-only: wine's <windows.h> itself does not compile as
# C++ under clang-cl, with or without coralperf.
if ensure clang-14 libwine-dev && have clang-cl-14 && [ -d /usr/include/wine/wine/msvcrt ]; then
    CL="clang-cl-14 --target=x86_64-pc-windows-msvc /W4 /WX -fsyntax-only -imsvc /usr/include/wine/wine/msvcrt -imsvc /usr/include/wine/wine/windows -I. -I$STB_INC -Itests"
    ok=1; : >"$M/msvc.log"
    for f in $UNIT examples/example_suite.c examples/lazy_model.c examples/mem_weights.c examples/weight_store.c \
             examples/guard_assert.c examples/inference_budget.c examples/suite_timing.c examples/load_service.c; do
        $CL /std:c11 /D_CRT_SECURE_NO_WARNINGS "$f" >>"$M/msvc.log" 2>&1 || { ok=0; echo "  in $f" >>"$M/msvc.log"; }
        # 32-bit x86: other intrinsics, 64-bit atomics through cmpxchg8b
        $CL --target=i686-pc-windows-msvc /std:c11 /D_CRT_SECURE_NO_WARNINGS "$f" >>"$M/msvc.log" 2>&1 || { ok=0; echo "  in $f (32-bit)" >>"$M/msvc.log"; }
    done
    printf '#include "coralperf.h"\nint f(void);\nint f(void) { int x = 1; double d = 2; cpf_do_not_optimize(x); cpf_do_not_optimize(d); cpf_clobber_memory(); return (int)cpf_now_ns(); }\n' >"$M/msvc_inc.cpp"
    $CL /std:c++17 "$M/msvc_inc.cpp" >>"$M/msvc.log" 2>&1 || ok=0
    # build.bat must build every unit-test file the Makefile builds.
    for f in $UNIT; do grep -q "$(echo "$f" | sed 's|/|\\\\|')" build.bat || { ok=0; echo "build.bat does not build $f" >>"$M/msvc.log"; }; done
    if [ $ok = 1 ]; then PASS=$((PASS + 1)); stage_pass msvc-clang-cl "C11 /W4 /WX for tests and examples on x64 and x86, C++17 include-only, build.bat lists every test"
    else FAIL=$((FAIL + 1)); stage_fail msvc-clang-cl "syntax check of the _MSC_VER paths" "$M/msvc.log"; fi
else stage_skip msvc-clang-cl "clang-cl or wine headers (libwine-dev) cannot be installed"; fi

# --- Linux on other CPUs under qemu-user ------------------------------------
echo "== qemu-user"
for target in aarch64-linux-gnu:aarch64:gcc-aarch64-linux-gnu \
              arm-linux-gnueabihf:arm:gcc-arm-linux-gnueabihf \
              riscv64-linux-gnu:riscv64:gcc-riscv64-linux-gnu \
              s390x-linux-gnu:s390x:gcc-s390x-linux-gnu; do
    tc=${target%%:*}; rest=${target#*:}; q=${rest%%:*}; pkg=${rest#*:}
    name="qemu-$q"
    [ "$q" = s390x ] && name="qemu-s390x (big-endian)"
    [ "$q" = arm ] && name="qemu-armhf (32-bit)"
    if ensure "$pkg" qemu-user && have "$tc-gcc" && have "qemu-$q"; then
        if "$tc-gcc" -std=c99 -O2 $WARN -I. -I"$STB_INC" -Itests $UNIT -o "$M/unit.$q" -lm -pthread >"$M/$q.build.log" 2>&1; then
            "qemu-$q" -L "/usr/$tc" "$M/unit.$q" >"$M/$q.log" 2>&1; rc=$?
            count_unit "$M/$q.log"; cu=$?
            PEER_LIBS=-pthread peer_cross "$q" "$tc-gcc" "qemu-$q" -L "/usr/$tc"; pc=$?
            if [ $rc = 0 ] && [ $cu = 0 ] && [ $pc = 0 ]; then stage_pass "$name" "unit tests: $(tail -n 1 "$M/$q.log"); $PEER_RESULT"
            else stage_fail "$name" "unit tests (exit $rc); $PEER_RESULT" "$M/$q.log"; fi
        else FAIL=$((FAIL + 1)); stage_fail "$name" "cross build" "$M/$q.build.log"; fi
    else stage_skip "$name" "$pkg or qemu-user cannot be installed"; fi
done

# --- Cortex-M, bare metal, newlib + semihosting, under qemu-system-arm -------
echo "== cortex-m"
CMFLAGS="-mthumb -O2 -std=c99 $WARN --specs=rdimon.specs -T examples/cortexm/mps2.ld examples/cortexm/startup.c -I. -I$STB_INC"
QEMU_CM="-nographic -monitor none -serial none -semihosting-config enable=on,target=native"
if ensure gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm && have arm-none-eabi-gcc && have qemu-system-arm; then
    for cpu in cortex-m3:mps2-an385 cortex-m7:mps2-an500; do
        c=${cpu%%:*}; board=${cpu#*:}
        if arm-none-eabi-gcc -mcpu=$c $CMFLAGS examples/embedded_cortexm.c -lm -o "$M/$c.elf" >"$M/$c.build.log" 2>&1 &&
           arm-none-eabi-gcc -mcpu=$c -DFORCE_FAILURE $CMFLAGS examples/embedded_cortexm.c -lm -o "$M/$c-fail.elf" >>"$M/$c.build.log" 2>&1; then
            timeout 120 qemu-system-arm -M $board -cpu $c $QEMU_CM -kernel "$M/$c.elf" >"$M/$c.log" 2>&1; rc=$?
            timeout 120 qemu-system-arm -M $board -cpu $c $QEMU_CM -kernel "$M/$c-fail.elf" >"$M/$c-fail.log" 2>&1; rcf=$?
            # exit 2 is fine: QEMU's speed follows the host's load, so the diff against
            # the compiled-in baseline may warn; 1 (a failure or a broken budget) is not.
            if { [ $rc = 0 ] || [ $rc = 2 ]; } && [ $rcf = 1 ] && grep -q "5 benchmarks, 0 failed" "$M/$c.log" && grep -q "board clock:" "$M/$c.log" &&
               grep -q "compared with the baseline in memory" "$M/$c.log" && grep -q "^budget crc32/1k .*PASS" "$M/$c.log" &&
               grep -q "^@end" "$M/$c.log"; then
                PASS=$((PASS + 1))
                stage_pass "$c" "embedded example on $board: clock $(grep 'board clock' "$M/$c.log" | sed 's/^board clock: //; s/,.*//'); budgets pass, diffed against the gzip baseline in flash, results streamed as a baseline; exit $rc, and exit 1 with a forced failure"
            else FAIL=$((FAIL + 1)); stage_fail "$c" "embedded example (exit $rc, forced failure exit $rcf, want 0 or 2, and 1)" "$M/$c.log"; fi
        else FAIL=$((FAIL + 1)); stage_fail "$c" "build" "$M/$c.build.log"; fi
    done
    # The unit tests that need no files, single-threaded, on the M3.
    ET="-DTEST_EMBEDDED -DCORALPERF_NO_THREADS -DCORALPERF_NO_FILES -Itests tests/test_main.c tests/test_clock.c tests/test_stats.c tests/test_bench.c tests/test_lazy.c tests/test_mem.c tests/test_hash.c tests/test_dedup.c tests/test_neardup.c tests/test_deflate.c tests/test_baseline.c tests/test_hist.c tests/test_complexity.c tests/test_load.c"
    if arm-none-eabi-gcc -mcpu=cortex-m3 $CMFLAGS $ET -lm -o "$M/cm3-unit.elf" >"$M/cm3-unit.build.log" 2>&1; then
        timeout 600 qemu-system-arm -M mps2-an385 -cpu cortex-m3 $QEMU_CM -kernel "$M/cm3-unit.elf" >"$M/cm3-unit.log" 2>&1; rc=$?
        count_unit "$M/cm3-unit.log"; cu=$?
        if [ $rc = 0 ] && [ $cu = 0 ]; then stage_pass cortex-m3-unit "clock, stats, bench, lazy, memory, hash, dedup, deflate, baseline and histogram tests, CORALPERF_NO_THREADS: $(tr -d '\r' <"$M/cm3-unit.log" | tail -n 1)"
        else stage_fail cortex-m3-unit "unit tests (exit $rc)" "$M/cm3-unit.log"; fi
    else FAIL=$((FAIL + 1)); stage_fail cortex-m3-unit "build" "$M/cm3-unit.build.log"; fi
    # Cortex-M0: no DWT, no atomics: must compile and link.
    if arm-none-eabi-gcc -mcpu=cortex-m0 $CMFLAGS examples/embedded_cortexm.c -lm -o "$M/cortex-m0.elf" >"$M/m0.log" 2>&1 &&
       arm-none-eabi-gcc -mcpu=cortex-m0 $CMFLAGS $ET -lm -o "$M/cortex-m0-unit.elf" >>"$M/m0.log" 2>&1; then
        PASS=$((PASS + 1)); stage_pass cortex-m0 "example and unit tests (lazy loader included) compile and link: thumbv6m, no atomics"
    else FAIL=$((FAIL + 1)); stage_fail cortex-m0 "compile and link" "$M/m0.log"; fi
    # Flash/RAM of the minimal configuration (clock + stats), kit's share isolated.
    SZ="-mcpu=cortex-m3 -mthumb -Os -std=c99 $WARN -ffunction-sections -fdata-sections -Wl,--gc-sections --specs=nano.specs --specs=rdimon.specs -T examples/cortexm/mps2.ld examples/cortexm/startup.c examples/cortexm/size_minimal.c -I. -I$STB_INC -lm"
    if arm-none-eabi-gcc -DKIT=1 $SZ -o "$M/min_kit.elf" >"$M/size.log" 2>&1 && arm-none-eabi-gcc -DKIT=0 $SZ -o "$M/min_plain.elf" >>"$M/size.log" 2>&1; then
        set -- $(arm-none-eabi-size "$M/min_kit.elf" | tail -n 1); kt=$1; kd=$2; kb=$3
        set -- $(arm-none-eabi-size "$M/min_plain.elf" | tail -n 1); pt=$1; pd=$2; pb=$3
        flash=$((kt + kd - pt - pd)); ram=$((kd + kb - pd - pb))
        echo "  minimal embedded configuration (clock + stats, -Os, gc-sections, nano.specs), Cortex-M3:"
        echo "    program with the kit: text $kt data $kd bss $kb; same program without: text $pt data $pd bss $pb"
        echo "    the kit's share: flash $flash bytes, static RAM $ram bytes (goal: flash under 16384)"
        if [ $flash -lt 16384 ]; then PASS=$((PASS + 1)); stage_pass cortex-m-size "kit adds $flash bytes of flash (< 16 KB)"
        else FAIL=$((FAIL + 1)); stage_fail cortex-m-size "kit adds $flash bytes of flash, goal < 16384"; fi
    else FAIL=$((FAIL + 1)); stage_fail cortex-m-size "build" "$M/size.log"; fi
else
    stage_skip cortex-m "arm-none-eabi-gcc, newlib or qemu-system-arm cannot be installed"
fi

# --- fuzzing: libFuzzer on the baseline parser and inflate (make fuzz) ------
# A fixed seed (FUZZ_SEED, default 1) from the seed corpus alone: CI replays
# the same inputs and cannot go red on a new random find; `make fuzz` (no
# FUZZ_SEED) keeps exploring with a random seed. 20 s a target here (make
# fuzz: 60 s), so CI stays under 30 minutes on a 2-core machine.
echo "== fuzz"
if ensure clang libclang-rt-14-dev && have clang; then
    FUZZ_SEED=${FUZZ_SEED:-1}
    FUZZ_SEED=$FUZZ_SEED FUZZ_SECONDS=${FUZZ_SECONDS:-20} STB_INC="$STB_INC" BUILD="$BUILD" sh tests/fuzz/run.sh >"$M/fuzz.log" 2>&1; rc=$?
    if [ $rc = 0 ]; then
        n=$(grep -c '^ok ' "$M/fuzz.log"); PASS=$((PASS + n))
        stage_pass fuzz "$(grep '^ok ' "$M/fuzz.log" | sed 's/^ok *//' | tr '\n' ';' | sed 's/;$//')"
    else FAIL=$((FAIL + 1)); stage_fail fuzz "FUZZ_SEED=$FUZZ_SEED: a fuzz target crashed, skipped a seed or did not build" "$M/fuzz.log"; fi
else stage_skip fuzz "clang cannot be installed"; fi

secs=$(( $(date +%s) - t0 ))
# The host stage's failing tests again at the end, so that a CI log's last lines name them.
if grep -q '^failed:$' "$M/host.log" 2>/dev/null; then
    echo "host stage, failing tests:"; sed -n '/^failed:$/,$p' "$M/host.log" | sed '1d' | grep -v -E '^[0-9]+ passed, [0-9]+ failed' | head -12
fi
case "$STAGES_FAILED" in *valgrind*)
    echo "valgrind stage, failing tests:"; grep -E '^FAIL ' "$M/valgrind.log" | head -5 | sed 's/^FAIL */  /'
    grep -E '^==[0-9]+== (Invalid|Conditional|Mismatched|Syscall|Source and destination)' "$M/valgrind.log" | head -3 ;;
esac
if [ -n "$STAGES_FAILED" ]; then echo "test-all: failed stages:$STAGES_FAILED ($secs s)"; else echo "test-all: every stage passed or was skipped with a reason ($secs s)"; fi
if [ $SKIP -gt 0 ]; then echo "$PASS passed, $FAIL failed, $SKIP skipped"; else echo "$PASS passed, $FAIL failed"; fi
[ -z "$STAGES_FAILED" ]
