#!/bin/sh
# tests/run.sh - everything `make test` checks. Called by the Makefile with
# STB_INC (folder of stb_ds.h), CC, CXX and BUILD set. Each check prints one
# line; the last line is "N passed, N failed[, N skipped]".
set -u
STB_INC=${STB_INC:-/usr/include/stb}
CC=${CC:-cc}
CXX=${CXX:-c++}
BUILD=${BUILD:-build}
T="$BUILD/test"
mkdir -p "$T"
PASS=0; FAIL=0; SKIP=0; FAILED_NAMES=""
WARN="-Wall -Wextra -Werror -pedantic"
INC="-I. -I$STB_INC -Itests"
UNIT_SRC="tests/test_main.c tests/test_clock.c tests/test_stats.c tests/test_bench.c tests/test_suite.c tests/test_report.c tests/test_lazy.c tests/test_mem.c tests/test_hash.c tests/test_dedup.c tests/test_neardup.c tests/test_deflate.c tests/test_baseline.c tests/test_guard.c tests/test_ab.c tests/test_hist.c tests/test_complexity.c tests/test_load.c"

ok()   { PASS=$((PASS + 1)); echo "ok    $1"; }
# bad NAME [LOG]: counts a failure; the failure list at the end names the
# first failing unit test inside LOG too (sanitizer runs of the unit tests).
bad()  {
    FAIL=$((FAIL + 1)); inner=""
    [ -n "${2:-}" ] && [ -f "$2" ] && inner=$(grep -E '^FAIL ' "$2" | head -n 1 | sed 's/^FAIL */: /')
    FAILED_NAMES="$FAILED_NAMES
  $1$inner"; echo "FAIL  $1"; [ -n "${2:-}" ] && sed 's/^/      /' "$2" | head -40
}
skip() { SKIP=$((SKIP + 1)); echo "skip  $1"; }
have() { command -v "$1" >/dev/null 2>&1; }
# check NAME LOG CMD... : runs CMD with output to LOG; ok when it exits 0
check() { n=$1; log=$2; shift 2; if "$@" >"$log" 2>&1; then ok "$n"; else bad "$n" "$log"; fi; }

# Test-time peers (not needed by users of the header): install when we can.
if ! [ -f /usr/share/benchmark/compare.py ] || ! /usr/bin/python3 -c 'import scipy' >/dev/null 2>&1; then
    if have apt-get && [ "$(id -u)" = 0 ]; then
        echo "installing test-time peers (libbenchmark-tools python3-scipy) with apt-get"
        (apt-get install -y -qq libbenchmark-tools python3-scipy >/dev/null 2>&1 ||
         (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libbenchmark-tools python3-scipy >/dev/null 2>&1)) ||
            echo "  could not install them; the compare.py check will be skipped"
    fi
fi

# --- 1. unit tests (the individual tests count one each) --------------------
echo "== unit tests ($CC -std=c99 -O2)"
if $CC -std=c99 -O2 $WARN $INC $UNIT_SRC -o "$T/unit" -lm -pthread >"$T/unit.build.log" 2>&1; then
    "$T/unit" >"$T/unit.log" 2>&1
    rc=$?
    grep -E '^FAIL |^    [A-Za-z0-9_./]+:[0-9]+: ' "$T/unit.log" | head -60
    line=$(tail -n 1 "$T/unit.log")
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -n "$p" ]; then
        PASS=$((PASS + p)); FAIL=$((FAIL + f))
        [ "$f" = 0 ] || FAILED_NAMES="$FAILED_NAMES
$(grep -E '^FAIL ' "$T/unit.log" | head -10 | sed 's/^FAIL */  unit: /')"
        echo "      unit tests: $p passed, $f failed"
        [ "$rc" = 0 ] || [ "$f" != 0 ] || bad "unit test binary exited $rc" "$T/unit.log"
    else
        bad "unit test binary crashed or printed no summary (exit $rc)" "$T/unit.log"
    fi
else
    bad "unit tests build" "$T/unit.build.log"
fi

# --- 1b. the guard reports the unit tests wrote, read by the tools CI uses ---
echo "== guard reports (JUnit, JSON) read by other tools"
G=build/test # where tests/test_guard.c writes
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
cat >"$T/junit_check.py" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root.find("testsuite")
cases = suite.findall("testcase")
fails = [c for c in cases if c.find("failure") is not None]
ok = root.tag == "testsuites" and len(cases) == int(suite.get("tests")) == 3
ok = ok and len(fails) == int(suite.get("failures")) == 1 and float(suite.get("time")) >= 0
ok = ok and all(float(c.get("time")) >= 0 for c in cases)
# the hostile name comes back with its quotes, <&>, tab and CR LF intact
name = fails[0].get("name") if fails else ""
ok = ok and name.startswith("slow \"q\" 'a' <&> ]]> ") and "tab\there\r\nline" in name
ok = ok and fails[0].find("failure").get("message").startswith("slow ")
print(len(cases), "testcases,", len(fails), "failure:", repr(name))
sys.exit(0 if ok else 1)
PYEOF
cat >"$T/json_check.py" <<'PYEOF'
import json, sys
runs = json.load(open(sys.argv[1]))       # budgets, no baseline
diff = json.load(open(sys.argv[2]))       # compared with a baseline
g = runs["guards"]
ok = len(g) == 3 and sorted(x["level"] for x in g) == ["fail", "pass", "warn"]
ok = ok and all({"name", "what", "level", "ok", "observed", "limit", "message"} <= set(x) for x in g)
med = [b for b in diff["benchmarks"] if b.get("aggregate_name") == "median"]
ok = ok and len(med) == 3 and sorted(b["cpf_verdict"] for b in med) == ["fail", "pass", "warn"]
ok = ok and all(b["cpf_baseline_ratio"] > 1 and 0 <= b["cpf_p_value"] <= 1 and len(b["cpf_change_ci"]) == 2 for b in med)
print(len(g), "guards;", [(b["name"], b["cpf_verdict"], round(b["cpf_baseline_ratio"], 2)) for b in med])
sys.exit(0 if ok else 1)
PYEOF
if [ -s "$G/guard_junit.xml" ]; then
    if have xmllint; then check "JUnit XML with hostile names is well-formed (xmllint --noout)" "$T/xml.log" xmllint --noout "$G/guard_junit.xml"
    else skip "xmllint not installed (Debian libxml2-utils): JUnit checked with python only"; fi
    if have "$PY"; then
        check "JUnit XML parses with python's xml.etree: one testcase per guard, the failure, the name intact" "$T/xml_py.log" "$PY" "$T/junit_check.py" "$G/guard_junit.xml"
        check "JSON verdicts: a guards array and per-benchmark cpf_verdict/baseline fields (python json)" "$T/json_py.log" "$PY" "$T/json_check.py" "$G/guard_report.json" "$G/guard_diff.json"
    else skip "python3 missing: JUnit and JSON parse checks"; fi
    if [ -f /usr/share/benchmark/compare.py ] && /usr/bin/python3 -c 'import scipy' >/dev/null 2>&1; then
        check "Google Benchmark's compare.py reads JSON that carries verdicts" "$T/cmp_guard.log" sh -c \
            "/usr/bin/python3 /usr/share/benchmark/compare.py benchmarks $G/guard_diff.json $G/guard_diff.json > $T/cmp_guard.out 2>&1; rc=\$?; cat $T/cmp_guard.out; [ \$rc = 0 ] && grep -q 'th/a' $T/cmp_guard.out"
    else skip "compare.py on JSON with verdicts: libbenchmark-tools or python3-scipy not installed"; fi
else
    bad "the guard unit tests wrote no $G/guard_junit.xml"
fi

# --- 2. sanitizers ------------------------------------------------------------
echo "== sanitizers"
run_san() { # name compiler flags...
    n=$1; c=$2; shift 2
    if $c -std=c11 -O1 -g $WARN "$@" $INC $UNIT_SRC -o "$T/unit_$n" -lm -pthread >"$T/$n.build.log" 2>&1; then
        check "unit tests under $n ($c)" "$T/$n.log" env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            TSAN_OPTIONS=halt_on_error=1 "$T/unit_$n"
    else
        bad "unit tests build under $n" "$T/$n.build.log"
    fi
}
SAN_CC=clang
if ! have clang; then
    if have apt-get && [ "$(id -u)" = 0 ]; then apt-get install -y -qq clang >/dev/null 2>&1; fi
    have clang || SAN_CC=$CC   # gcc has ASan and UBSan too
fi
run_san asan+ubsan "$SAN_CC" -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# TSan needs an address layout some kernels refuse; probe before judging the code.
printf 'int main(void){return 0;}\n' >"$T/tsan_probe.c"
if $CC -fsanitize=thread "$T/tsan_probe.c" -o "$T/tsan_probe" >/dev/null 2>&1 && "$T/tsan_probe" >/dev/null 2>&1; then
    run_san tsan "$CC" -fsanitize=thread
elif have setarch && setarch "$(uname -m)" -R "$T/tsan_probe" >/dev/null 2>&1; then
    if $CC -std=c11 -O1 -g $WARN -fsanitize=thread $INC $UNIT_SRC -o "$T/unit_tsan" -lm -pthread >"$T/tsan.build.log" 2>&1; then
        check "unit tests under tsan ($CC, ASLR off)" "$T/tsan.log" env TSAN_OPTIONS=halt_on_error=1 setarch "$(uname -m)" -R "$T/unit_tsan"
    else
        bad "unit tests build under tsan" "$T/tsan.build.log"
    fi
else
    skip "unit tests under tsan: this kernel refuses TSan's memory layout"
fi

# peer_run PROGRAM LOG WHAT NAME [ARGS...]: runs a peer test (with ARGS) that ends
# with "N passed, N failed" and adds its counts to the totals.
peer_run() {
    pr_prog=$1; pr_log=$2; pr_what=$3; pr_name=$4; shift 4
    "$pr_prog" "$@" >"$pr_log" 2>&1; rc=$?
    line=$(tail -n 1 "$pr_log")
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p'); f=$(echo "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    if [ -n "$p" ] && [ $rc = 0 ]; then PASS=$((PASS + p)); FAIL=$((FAIL + f)); echo "      $pr_what: $line"
    else bad "$pr_name (exit $rc)" "$pr_log"; fi
}

# --- 2b. the hash against its peer, libxxhash (every length 0..4096, random to 16 MiB)
echo "== XXH3 against libxxhash"
if ! [ -f /usr/include/xxhash.h ] && have apt-get && [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq libxxhash-dev >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libxxhash-dev >/dev/null 2>&1; }
fi
if [ -f /usr/include/xxhash.h ]; then
    PEER_SRC="tests/xxhash_peer.c tests/xxhash_peer_scalar.c"
    # On x86-64 the default build picks the AVX-512 or AVX2 loop at run time
    # when the CPU has it, so the SSE2 and AVX2 loops get builds of their own;
    # each of these builds names the loop it must run (--expect-backend) and
    # fails on another one.
    X86_64=0; CPU_AVX2=unknown; CPU_AVX512=unknown
    $CC -dM -E - </dev/null 2>/dev/null | grep -q '__x86_64__' && X86_64=1
    if [ -r /proc/cpuinfo ]; then
        if grep -qw avx2 /proc/cpuinfo; then CPU_AVX2=yes; else CPU_AVX2=no; fi
        if grep -qw avx512f /proc/cpuinfo; then CPU_AVX512=yes; else CPU_AVX512=no; fi
    fi
    DEFAULT_EXPECT=""
    if [ $X86_64 = 1 ] && [ $CPU_AVX512 = yes ]; then DEFAULT_EXPECT="--expect-backend=avx512"
    elif [ $X86_64 = 1 ] && [ $CPU_AVX2 = yes ]; then DEFAULT_EXPECT="--expect-backend=avx2"
    elif [ $X86_64 = 1 ] && [ $CPU_AVX2 = no ]; then DEFAULT_EXPECT="--expect-backend=sse2"; fi
    if $CC -std=c99 -O2 $WARN $INC $PEER_SRC -o "$T/xxhash_peer" -lxxhash -lm -pthread >"$T/peer.build.log" 2>&1; then
        peer_run "$T/xxhash_peer" "$T/peer.log" "bit-exact with libxxhash (default build${DEFAULT_EXPECT:+, ${DEFAULT_EXPECT#--expect-backend=} loop})" \
            "XXH3 against libxxhash" $DEFAULT_EXPECT
    else bad "XXH3 peer test build" "$T/peer.build.log"; fi
    if [ $X86_64 = 1 ]; then
        # -mno-avx2: the SSE2 loop even if this compiler targets AVX2 by default;
        # this build and the run-time AVX2 one prefetch 2 KiB ahead from 4 KiB on
        # (CORALPERF_HASH_FAR_MIN), so that path is checked on every long length
        if $CC -std=c99 -O2 $WARN $INC -DCORALPERF_HASH_NO_DISPATCH -DCORALPERF_HASH_FAR_MIN=4096 -mno-avx2 $PEER_SRC -o "$T/xxhash_peer_sse2" -lxxhash -lm -pthread >"$T/peer_sse2.build.log" 2>&1; then
            peer_run "$T/xxhash_peer_sse2" "$T/peer_sse2.log" "bit-exact with libxxhash (-DCORALPERF_HASH_NO_DISPATCH, sse2 loop, far prefetch from 4 KiB)" \
                "XXH3 against libxxhash, SSE2 build (-DCORALPERF_HASH_NO_DISPATCH)" --expect-backend=sse2
        else bad "XXH3 peer test build with -DCORALPERF_HASH_NO_DISPATCH" "$T/peer_sse2.build.log"; fi
        if [ $CPU_AVX2 = yes ]; then
            if $CC -std=c99 -O2 $WARN $INC -mavx2 -DCORALPERF_HASH_NO_AVX512 $PEER_SRC -o "$T/xxhash_peer_avx2" -lxxhash -lm -pthread >"$T/peer_avx2.build.log" 2>&1; then
                peer_run "$T/xxhash_peer_avx2" "$T/peer_avx2.log" "bit-exact with libxxhash (-mavx2 -DCORALPERF_HASH_NO_AVX512, avx2 loop)" \
                    "XXH3 against libxxhash, AVX2 build (-mavx2)" --expect-backend=avx2
            else bad "XXH3 peer test build with -mavx2" "$T/peer_avx2.build.log"; fi
            # the AVX2 loop chosen at run time in an SSE2 build
            if $CC -std=c99 -O2 $WARN $INC -DCORALPERF_HASH_NO_AVX512 -DCORALPERF_HASH_FAR_MIN=4096 -mno-avx2 $PEER_SRC -o "$T/xxhash_peer_avx2rt" -lxxhash -lm -pthread >"$T/peer_avx2rt.build.log" 2>&1; then
                peer_run "$T/xxhash_peer_avx2rt" "$T/peer_avx2rt.log" "bit-exact with libxxhash (-DCORALPERF_HASH_NO_AVX512, avx2 loop chosen at run time, far prefetch from 4 KiB)" \
                    "XXH3 against libxxhash, AVX2 chosen at run time" --expect-backend=avx2
            else bad "XXH3 peer test build with -DCORALPERF_HASH_NO_AVX512" "$T/peer_avx2rt.build.log"; fi
        else skip "XXH3 against libxxhash, AVX2 builds: this CPU has no AVX2 (or /proc/cpuinfo is unreadable)"; fi
        if [ $CPU_AVX512 = yes ]; then
            # an AVX2 build (e.g. -march=haswell) picks the AVX-512 loop at run time
            if $CC -std=c99 -O2 $WARN $INC -mavx2 $PEER_SRC -o "$T/xxhash_peer_avx2_512" -lxxhash -lm -pthread >"$T/peer_avx2_512.build.log" 2>&1; then
                peer_run "$T/xxhash_peer_avx2_512" "$T/peer_avx2_512.log" "bit-exact with libxxhash (-mavx2, avx512 loop chosen at run time)" \
                    "XXH3 against libxxhash, AVX2 build choosing AVX-512" --expect-backend=avx512
            else bad "XXH3 peer test build with -mavx2 (run-time AVX-512)" "$T/peer_avx2_512.build.log"; fi
            if $CC -std=c99 -O2 $WARN $INC -mavx512f $PEER_SRC -o "$T/xxhash_peer_avx512" -lxxhash -lm -pthread >"$T/peer_avx512.build.log" 2>&1; then
                peer_run "$T/xxhash_peer_avx512" "$T/peer_avx512.log" "bit-exact with libxxhash (-mavx512f, avx512 loop)" \
                    "XXH3 against libxxhash, AVX-512 build (-mavx512f)" --expect-backend=avx512
            else bad "XXH3 peer test build with -mavx512f" "$T/peer_avx512.build.log"; fi
        else skip "XXH3 against libxxhash, -mavx512f build: this CPU has no AVX-512F (or /proc/cpuinfo is unreadable)"; fi
    else
        skip "XXH3 against libxxhash, SSE2, AVX2 and AVX-512 builds: $CC does not target x86-64"
    fi
else
    skip "XXH3 against libxxhash: xxhash.h not installed (Debian libxxhash-dev)"
fi

# --- 2c. deflate against its peer, zlib (both directions, every level/strategy)
echo "== deflate against zlib"
if ! [ -f /usr/include/zlib.h ] && have apt-get && [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq zlib1g-dev >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq zlib1g-dev >/dev/null 2>&1; }
fi
if [ -f /usr/include/zlib.h ]; then
    if $CC -std=c99 -O2 $WARN $INC tests/zlib_peer.c -o "$T/zlib_peer" -lz -lm -pthread >"$T/zpeer.build.log" 2>&1; then
        peer_run "$T/zlib_peer" "$T/zpeer.log" "zlib reads ours and we read zlib's" "deflate against zlib"
    else bad "zlib peer test build" "$T/zpeer.build.log"; fi
else
    skip "deflate against zlib: zlib.h not installed (Debian zlib1g-dev)"
fi

# --- 3. compile matrix: every standard, with and without the implementation -
echo "== compile matrix (-Wall -Wextra -Werror -pedantic)"
printf '#include "coralperf.h"\nint use(void);\nint use(void) { return (int)cpf_now_ns(); }\n' >"$T/inc.c"
printf '#define CORALPERF_IMPLEMENTATION\n#include "coralperf.h"\nint main(void) { cpf_clock_info ci; return cpf_clock_measure(&ci) == CPF_OK ? 0 : 1; }\n' >"$T/impl.c"
cp "$T/inc.c" "$T/inc.cpp"; cp "$T/impl.c" "$T/impl.cpp"
# Two compiles at a time (this machine has 2 cores; an implementation
# compile takes 5-11 s): pj NAME CMD... starts one (and waits for the pair
# once two run); pj_wait waits and reports each as ok or FAIL with its log.
PJ_N=0 PJ_PIDS=""
pj() {
    PJ_N=$((PJ_N + 1)); printf '%s\n' "$1" >"$T/pj.$PJ_N.name"; shift
    ( "$@" >"$T/pj.$PJ_N.log" 2>&1; echo $? >"$T/pj.$PJ_N.rc" ) &
    PJ_PIDS="$PJ_PIDS $!"
    [ $(echo $PJ_PIDS | wc -w) -ge 2 ] && pj_wait
    return 0
}
pj_wait() {
    [ -n "$PJ_PIDS" ] && wait $PJ_PIDS
    PJ_PIDS=""
    for f in "$T"/pj.*.rc; do
        [ -f "$f" ] || continue
        i=${f%.rc}; i=${i##*.}
        if [ "$(cat "$f")" = 0 ]; then ok "$(cat "$T/pj.$i.name")"; else bad "$(cat "$T/pj.$i.name")" "$T/pj.$i.log"; fi
        rm -f "$f"
    done
}
for what in include implementation; do # the slow implementation compiles run in pairs
    for cc in gcc clang; do
        have $cc || { [ $what = include ] && skip "$cc not installed"; continue; }
        for std in c99 c11 c17; do
            for opt in -O0 -O2; do
                if [ $what = include ]; then
                    pj "$cc -std=$std $opt include only" $cc -std=$std $opt $WARN $INC -c "$T/inc.c" -o "$T/inc.$cc$std$opt.o"
                else
                    pj "$cc -std=$std $opt implementation" $cc -std=$std $opt $WARN $INC "$T/impl.c" -o "$T/impl.$cc$std$opt" -lm -pthread
                fi
            done
        done
    done
    for cxx in g++ clang++; do
        have $cxx || { [ $what = include ] && skip "$cxx not installed"; continue; }
        for std in c++11 c++17; do
            if [ $what = include ]; then
                pj "$cxx -std=$std include only" $cxx -std=$std -O2 $WARN $INC -c "$T/inc.cpp" -o "$T/inc.$cxx$std.o"
            else
                pj "$cxx -std=$std implementation" $cxx -std=$std -O2 $WARN $INC "$T/impl.cpp" -o "$T/impl.$cxx$std" -lm -pthread
            fi
        done
    done
done
pj_wait

# --- 4. linking and configuration macros -------------------------------------
echo "== linking and configuration macros"
# C++ unit using the API + C unit with the implementation: extern "C" works.
printf '#include "coralperf.h"\nextern "C" int cxx_side(void);\nint cxx_side(void) { cpf_stats st; double x[3] = {3, 1, 2}; return cpf_stats_compute(x, 3, &st) == CPF_OK && st.median == 2.0; }\n' >"$T/two_a.cpp"
printf '#define CORALPERF_IMPLEMENTATION\n#include "coralperf.h"\nint cxx_side(void);\nint main(void) { return cxx_side() ? 0 : 1; }\n' >"$T/two_b.c"
if $CXX -std=c++11 -O2 $WARN $INC -c "$T/two_a.cpp" -o "$T/two_a.o" >"$T/l.log" 2>&1 &&
   $CC -std=c99 -O2 $WARN $INC -c "$T/two_b.c" -o "$T/two_b.o" >>"$T/l.log" 2>&1 &&
   $CXX "$T/two_a.o" "$T/two_b.o" -o "$T/two" -lm -pthread >>"$T/l.log" 2>&1 && "$T/two" >>"$T/l.log" 2>&1; then
    ok "C++ unit + C implementation unit link and run"
else bad "C++ unit + C implementation unit link and run" "$T/l.log"; fi

# CORALPERF_STATIC in two units of one program: no symbol clashes; the second
# uses the first one's stb_ds (stb_ds has no static mode).
printf '#define CORALPERF_STATIC\n#include "coralperf.h"\nint other(void);\nint main(void) { return cpf_now_ns() > 0 && other() ? 0 : 1; }\n' >"$T/st_a.c"
printf '#define CORALPERF_STATIC\n#define CORALPERF_NO_STB_DS_IMPLEMENTATION\n#include "coralperf.h"\nint other(void);\nint other(void) { cpf_suite s; cpf_suite_init(&s, "x"); return cpf_suite_finish(&s) == 0; }\n' >"$T/st_b.c"
check "CORALPERF_STATIC in two units links and runs" "$T/l.log" sh -c \
    "$CC -std=c99 -O2 $WARN $INC $T/st_a.c $T/st_b.c -o $T/st -lm -pthread && $T/st"

# The bare-metal configuration macros compile warning-free on the host too
# (the Cortex-M stages of make test-all run them for real).
printf '#define CORALPERF_IMPLEMENTATION\n#include "coralperf.h"\nint main(void) { return 0; }\n' >"$T/bare.c"
check "CORALPERF_NO_FILES and CORALPERF_NO_THREADS (alone and together) compile warning-free" "$T/l.log" sh -c \
    "$CC -std=c99 -O2 $WARN $INC -DCORALPERF_NO_FILES -c $T/bare.c -o $T/bare1.o && $CC -std=c99 -O2 $WARN $INC -DCORALPERF_NO_THREADS -c $T/bare.c -o $T/bare2.o && $CC -std=c99 -O2 $WARN $INC -DCORALPERF_NO_FILES -DCORALPERF_NO_THREADS -c $T/bare.c -o $T/bare3.o"

# CORALPERF_NO_PERF: no counter is opened, and the reason says so.
printf '#define CORALPERF_IMPLEMENTATION\n#include "coralperf.h"\nint main(void) { char w[128]; return cpf_counters_available(w, sizeof w) == 0 && strstr(w, "CORALPERF_NO_PERF") ? 0 : 1; }\n' >"$T/noperf.c"
check "CORALPERF_NO_PERF: no instruction counts, and cpf_counters_available names the macro" "$T/l.log" sh -c \
    "$CC -std=c99 -O2 $WARN $INC -DCORALPERF_NO_PERF $T/noperf.c -o $T/noperf -lm -pthread && $T/noperf"

# The build fingerprint: CORALPERF_BUILD_FLAGS is recorded as flags=;
# without it flags_from_macros= holds what the predefined macros tell about
# known flags (and nothing that opt= or isa= already hold).
printf '#define CORALPERF_IMPLEMENTATION\n#include "coralperf.h"\n#include <stdio.h>\nint main(void) { cpf_fingerprint f; const char *a, *b; if (cpf_fingerprint_build(&f) != CPF_OK) return 1; a = cpf_fingerprint_get(&f, "flags"); b = cpf_fingerprint_get(&f, "flags_from_macros");\n printf("flags=%%s\\nflags_from_macros=,%%s,\\nopt=%%s\\nisa=,%%s,\\n", a ? a : "(none)", b ? b : "(none)", cpf_fingerprint_get(&f, "opt"), cpf_fingerprint_get(&f, "isa")); cpf_fingerprint_free(&f); return 0; }\n' >"$T/fpflags.c"
if [ "$(uname -s)" = Linux ] && ldd --version 2>&1 | grep -qi 'glibc\|gnu libc'; then
    check "build fingerprint: -DCORALPERF_BUILD_FLAGS is recorded as flags= as given, and no flags_from_macros=" "$T/fpf1.log" sh -c \
        "$CC -std=c99 -O2 $WARN $INC -DCORALPERF_BUILD_FLAGS='\"-O3 -march=native \\\"q\\\"\"' $T/fpflags.c -o $T/fpflags1 -lm -pthread && $T/fpflags1 > $T/fpf1.out; cat $T/fpf1.out;
         grep -qx 'flags=-O3 -march=native \"q\"' $T/fpf1.out && grep -qx 'flags_from_macros=,(none),' $T/fpf1.out"
    check "build fingerprint without CORALPERF_BUILD_FLAGS: -std=gnu11 -O2 -fno-inline -fPIC -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fno-math-errno give gnu11, no-inline, fPIC, ssp-strong, fortify2, no-math-errno" "$T/fpf2.log" sh -c \
        "$CC -std=gnu11 -O2 -fno-inline -fPIC -fstack-protector-strong -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2 -fno-math-errno $WARN $INC $T/fpflags.c -o $T/fpflags2 -lm -pthread && $T/fpflags2 > $T/fpf2.out; cat $T/fpf2.out;
         grep -qx 'flags=(none)' $T/fpf2.out && grep -qx 'opt=yes' $T/fpf2.out &&
         for t in gnu11 no-inline fPIC ssp-strong fortify2 no-math-errno; do grep -q \"^flags_from_macros=.*,\$t,\" $T/fpf2.out || { echo \"missing \$t\"; exit 1; }; done &&
         ! grep -q -e '^flags_from_macros=.*,fPIE,' -e '^flags_from_macros=.*,fpie,' $T/fpf2.out"
    check "build fingerprint without CORALPERF_BUILD_FLAGS: -std=c99 -O0 -fno-pie -fno-stack-protector -ffast-math give c99 and no pic, ssp or no-inline token; fast-math and -O0 only in isa= and opt=" "$T/fpf3.log" sh -c \
        "$CC -std=c99 -O0 -fno-pie -no-pie -fno-stack-protector -ffast-math $WARN $INC $T/fpflags.c -o $T/fpflags3 -lm -pthread && $T/fpflags3 > $T/fpf3.out; cat $T/fpf3.out;
         grep -q '^flags_from_macros=,c99,' $T/fpf3.out && grep -qx 'opt=no' $T/fpf3.out && grep -q '^isa=.*,fast-math,' $T/fpf3.out &&
         ! grep -q -E '^flags_from_macros=.*,(fpic|fPIC|fpie|fPIE|ssp|ssp-strong|no-inline|no-math-errno|finite-math-only|fast-math),' $T/fpf3.out"
else skip "build fingerprint flag checks: Linux with glibc only (the gcc/clang flags and -no-pie)"; fi

# The program compiles STB_DS_IMPLEMENTATION itself.
printf '#define STB_DS_IMPLEMENTATION\n#include "stb_ds.h"\nint kit(void);\nint main(void) { int *a = 0; stbds_arrput(a, 1); stbds_arrfree(a); return kit(); }\n' >"$T/own_a.c"
printf '#define CORALPERF_IMPLEMENTATION\n#define CORALPERF_NO_STB_DS_IMPLEMENTATION\n#include "coralperf.h"\nint kit(void);\nint kit(void) { cpf_suite s; cpf_suite_init(&s, "x"); cpf_suite_add(&s, "a", (cpf_bench_fn)0 + 0 ? 0 : 0, 0); return cpf_suite_finish(&s) == 1 ? 0 : 1; }\n' >"$T/own_b.c"
check "CORALPERF_NO_STB_DS_IMPLEMENTATION with the user's stb_ds links" "$T/l.log" sh -c \
    "$CC -std=c99 -O2 -Wall -Wextra -Werror $INC $T/own_a.c $T/own_b.c -o $T/own -lm -pthread && $T/own"

# CORALPERF_STB_DS_INCLUDE: found without -I on stb's folder.
printf '#define CORALPERF_IMPLEMENTATION\n#define CORALPERF_STB_DS_INCLUDE "%s/stb_ds.h"\n#include "coralperf.h"\nint main(void) { return 0; }\n' "$STB_INC" >"$T/inc_path.c"
check "CORALPERF_STB_DS_INCLUDE names the header's path" "$T/l.log" \
    $CC -std=c99 -O2 $WARN -I. "$T/inc_path.c" -o "$T/inc_path" -lm

# User clock and tick hooks, and allocator hooks that count every call.
cat >"$T/hooks.c" <<'EOF'
#define _POSIX_C_SOURCE 200809L
#include <time.h>
static unsigned long long fake_ns;
static unsigned long long my_now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); fake_ns = (unsigned long long)t.tv_sec * 1000000000ull + (unsigned long long)t.tv_nsec; return fake_ns; }
static long allocs, frees;
#include <stdlib.h>
static void *my_malloc(size_t n) { allocs++; return malloc(n); }
static void *my_realloc(void *p, size_t n) { if (!p) allocs++; return realloc(p, n); }
static void my_free(void *p) { if (p) frees++; free(p); }
#define CORALPERF_NOW_NS() my_now()
#define CORALPERF_TICKS() (my_now() / 10u)
#define CORALPERF_TICKS_HZ 1e8
#define CORALPERF_MALLOC(c, n) my_malloc(n)
#define CORALPERF_REALLOC(c, p, n) my_realloc(p, n)
#define CORALPERF_FREE(c, p) my_free(p)
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include <stdio.h>
static void b(cpf_bench *x) { int i = 0; while (cpf_bench_loop(x)) { i++; cpf_do_not_optimize(i); } }
int main(void) {
    cpf_clock_info ci; cpf_suite s; char *argv[] = { (char *)"h", (char *)"--quick", (char *)"--json=" HOOK_JSON, NULL };
    cpf_clock_measure(&ci);
    if (!strstr(ci.source, "user hook") || !strstr(ci.ticks_source, "user hook")) { printf("sources: %s / %s\n", ci.source, ci.ticks_source); return 1; }
    if (ci.ticks_hz < 0.9e8 || ci.ticks_hz > 1.1e8 || ci.ticks_nominal_hz != 1e8) { printf("ticks_hz %g\n", ci.ticks_hz); return 1; }
    cpf_suite_init(&s, "hooks"); cpf_suite_add(&s, "b", b, NULL);
    cpf_suite_run(&s, 3, argv);
    if (cpf_suite_finish(&s) != 0) return 1;
    printf("allocs %ld frees %ld\n", allocs, frees);
    return allocs > 0 && allocs == frees ? 0 : 1;
}
EOF
check "user clock, tick and allocator hooks are used (all allocations freed)" "$T/l.log" sh -c \
    "$CC -std=c99 -O2 $WARN $INC -DHOOK_JSON='\"$T/hooks.json\"' $T/hooks.c -o $T/hooks -lm && $T/hooks"

# Strict C with a system header first: a clear message, not missing names.
printf '#include <stdio.h>\n#define CORALPERF_IMPLEMENTATION\n#include "coralperf.h"\nint main(void) { return 0; }\n' >"$T/order.c"
if [ "$(uname -s)" = Linux ] && ldd --version 2>&1 | grep -qi 'glibc\|gnu libc'; then
    if $CC -std=c99 $INC "$T/order.c" -o "$T/order" >"$T/order.log" 2>&1; then bad "strict C99 with <stdio.h> first must not compile silently"
    elif grep -q "include coralperf.h before any other header" "$T/order.log" && [ "$(grep -c 'error' "$T/order.log")" -le 2 ]; then
        ok "strict C99 with a system header first: one clear error saying what to do"
    else bad "strict C99 with a system header first: unclear errors" "$T/order.log"; fi
    check "... and -D_POSIX_C_SOURCE=200809L fixes it" "$T/order2.log" $CC -std=c99 $WARN -D_POSIX_C_SOURCE=200809L $INC "$T/order.c" -o "$T/order" -lm
else skip "include-order check: glibc only"; fi

# Half an allocator or tick hook is a compile error that names the macros.
printf '#define CORALPERF_MALLOC(c, n) malloc(n)\n#define CORALPERF_IMPLEMENTATION\n#include "coralperf.h"\nint main(void) { return 0; }\n' >"$T/half.c"
if $CC -std=c99 $INC "$T/half.c" -o "$T/half" >"$T/half.log" 2>&1; then bad "half an allocator hook must not compile"
elif grep -q "CORALPERF_REALLOC" "$T/half.log"; then ok "half an allocator hook fails with a message naming the macros"
else bad "half an allocator hook: message does not name the macros" "$T/half.log"; fi
printf '#define CORALPERF_TICKS() 0\n#define CORALPERF_IMPLEMENTATION\n#include "coralperf.h"\nint main(void) { return 0; }\n' >"$T/half2.c"
if $CC -std=c99 $INC "$T/half2.c" -o "$T/half2" >"$T/half2.log" 2>&1; then bad "CORALPERF_TICKS without _HZ must not compile"
elif grep -q "CORALPERF_TICKS_HZ" "$T/half2.log"; then ok "CORALPERF_TICKS without CORALPERF_TICKS_HZ fails with a clear message"
else bad "CORALPERF_TICKS without _HZ: unclear message" "$T/half2.log"; fi

# --- 5. the example suite's command line and report files --------------------
echo "== example suite command line"
EX="$T/example_suite"
if $CC -std=c99 -O2 $WARN $INC examples/example_suite.c -o "$EX" -lm -pthread >"$T/ex.build.log" 2>&1; then
    check "--help exits 0 and prints the usage" "$T/cli.log" sh -c "$EX --help | grep -q -- '--filter='"
    "$EX" --bogus >"$T/cli.log" 2>&1; rc=$?
    if [ $rc = 1 ] && grep -q "unknown option '--bogus'" "$T/cli.log" && ! grep -q "median/op" "$T/cli.log"; then
        ok "unknown flag: exit 1, one-line error, nothing run"
    else bad "unknown flag: exit 1, one-line error, nothing run (exit $rc)" "$T/cli.log"; fi
    check "--list prints the names" "$T/cli.log" sh -c "$EX --list | grep -qx 'copy/1048576'"
    rm -f "$T/a.json" "$T/b.json" "$T/a.csv" "$T/a.md"
    check "--quick run writes JSON, CSV and Markdown" "$T/cli.log" sh -c \
        "$EX --quick --no-baseline --json=$T/a.json --csv=$T/a.csv --markdown=$T/a.md && test -s $T/a.json && test -s $T/a.csv && test -s $T/a.md"
    check "second run with a filter and NO_COLOR" "$T/cli2.log" sh -c \
        "NO_COLOR=1 $EX --quick --no-baseline --filter='copy/*,parse*' --json=$T/b.json | grep -q 'copy/64' && ! grep -q 'sort/' $T/cli2.log"
    PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
    if have "$PY" || [ -x "$PY" ]; then
        check "JSON report is valid JSON with every benchmark" "$T/py.log" "$PY" -c \
            "import json,sys; d=json.load(open('$T/a.json')); n={b['name'] for b in d['benchmarks']}; sys.exit(0 if {'parse/csv_ints_8k','copy/64','sort/qsort_1000'} <= n else 1)"
        check "CSV report parses with python's csv module" "$T/py.log" "$PY" -c \
            "import csv,sys; r=list(csv.DictReader(open('$T/a.csv', newline=''))); sys.exit(0 if len(r)==6 and r[0]['status']=='ok' and all(len(x)==25 for x in r) else 1)"
    else skip "python3 missing: JSON/CSV parse checks"; fi
    if [ -f /usr/share/benchmark/compare.py ] && /usr/bin/python3 -c 'import scipy' >/dev/null 2>&1; then
        check "Google Benchmark's compare.py reads two kit JSON files" "$T/cmp.log" sh -c \
            "/usr/bin/python3 /usr/share/benchmark/compare.py benchmarks $T/a.json $T/b.json > $T/cmp.out 2>&1; rc=\$?; cat $T/cmp.out; [ \$rc = 0 ] && grep -q 'copy/64' $T/cmp.out && grep -q 'parse/csv_ints_8k' $T/cmp.out"
    else skip "compare.py check: libbenchmark-tools or python3-scipy not installed"; fi
    check "make demo's suite passes (exit 0)" "$T/demo.log" "$EX" --quick --no-baseline
    # --fail-threshold=1000%: this checks the comparison, not the timing of a
    # busy test machine against a baseline recorded on another day
    check "the example suite compares with baselines/example.cpb (exit 0 or 2, never 1)" "$T/demo_bl.log" sh -c \
        "$EX --quick --fail-threshold=1000% > $T/demo_bl.out 2>&1; rc=\$?; cat $T/demo_bl.out; [ \$rc = 0 -o \$rc = 2 ] && grep -q 'compared with baselines/example.cpb' $T/demo_bl.out && grep -q '^baseline: .* same' $T/demo_bl.out"
    if $CC -std=c99 -O2 $WARN $INC examples/lazy_model.c -o "$T/lazy_model" -lm -pthread >"$T/lm.build.log" 2>&1; then
        check "lazy_model example: background load, metadata first, loaded once" "$T/lm.log" sh -c \
            "$T/lazy_model > $T/lm.out 2>&1; rc=\$?; cat $T/lm.out; [ \$rc = 0 ] && grep -q 'dim 384' $T/lm.out && grep -q 'loaded 1 time' $T/lm.out"
    else bad "lazy_model example build" "$T/lm.build.log"; fi
    if $CC -std=c99 -O2 $WARN $INC examples/mem_weights.c -o "$T/mem_weights" -lm -pthread >"$T/mw.build.log" 2>&1; then
        check "mem_weights example: overhead per size, leak check passes, burst peak" "$T/mw.log" sh -c \
            "$T/mem_weights > $T/mw.out 2>&1; rc=\$?; cat $T/mw.out; [ \$rc = 0 ] && grep -q '1000x1000' $T/mw.out && grep -q 'leak check.*PASS' $T/mw.out && grep -q 'peak RSS' $T/mw.out"
    else bad "mem_weights example build" "$T/mw.build.log"; fi
    if $CC -std=c99 -O2 $WARN $INC examples/weight_store.c -o "$T/weight_store" -lm -pthread >"$T/ws.build.log" 2>&1; then
        check "weight_store example: exact and near duplicates found, none wrongly confirmed" "$T/ws.log" sh -c \
            "$T/weight_store > $T/ws.out 2>&1; rc=\$?; cat $T/ws.out; [ \$rc = 0 ] && grep -qi 'recall' $T/ws.out"
    else bad "weight_store example build" "$T/ws.build.log"; fi
    if $CC -std=c99 -O2 $WARN $INC examples/suite_timing.c -o "$T/suite_timing" -lm -pthread >"$T/st.build.log" 2>&1; then
        check "suite_timing example: sub-suites ranked, CPU vs wall, 1 vs 2 threads" "$T/st.log" sh -c \
            "$T/suite_timing > $T/st.out 2>&1; rc=\$?; cat $T/st.out; [ \$rc = 0 ] && grep -q '^   1  ' $T/st.out && grep -q '^   6  ' $T/st.out && grep -q ' waiting' $T/st.out && grep -q '^      2 .*x' $T/st.out"
    else bad "suite_timing example build" "$T/st.build.log"; fi
else
    bad "example suite build" "$T/ex.build.log"
fi

# --- 5b. guards: plain assert, cmocka, Criterion, and the inference budgets --
echo "== guards in unit tests (examples/guard_*.c) and the inference-budget suite"
if $CC -std=c99 -O2 $WARN $INC examples/guard_assert.c -o "$T/guard_assert" -lm -pthread >"$T/ga.build.log" 2>&1; then
    check "guard_assert example: time budget, memory budget and leak check hold under plain assert()" "$T/ga.log" sh -c \
        "$T/guard_assert > $T/ga.out 2>&1; rc=\$?; cat $T/ga.out; [ \$rc = 0 ] && grep -q '^ok  time: .*is below the limit' $T/ga.out && grep -q '^ok  leak: .*no leak' $T/ga.out && grep -q '3 guards passed' $T/ga.out"
else bad "guard_assert example build" "$T/ga.build.log"; fi

# framework_ready NAME PACKAGE LIB INCLUDES: 0 when a program with INCLUDES
# links with -lLIB; installs the Debian PACKAGE first when it can.
framework_ready() {
    printf '%b\nint main(void) { return 0; }\n' "$4" >"$T/probe_$1.c"
    probe() { $CC -std=c99 "$T/probe_$1.c" -o "$T/probe_$1" -l"$3" >/dev/null 2>&1; }
    probe "$@" && return 0
    if have apt-get && [ "$(id -u)" = 0 ]; then
        echo "installing $2 with apt-get (for examples/guard_$1.c)"
        apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$2" >/dev/null 2>&1; }
    fi
    probe "$@"
}
# guard_framework NAME LIB FAIL_LINE PASS_LINE: builds examples/guard_NAME.c;
# the default run must pass (PASS_LINE in its output), --demo-failure must
# exit 1 and report the verdict as a test failure (FAIL_LINE).
guard_framework() {
    fw=$1; lib=$2; fail_line=$3; pass_line=$4   # not n: check() sets it
    if $CC -std=c99 -O2 $WARN $INC examples/guard_$fw.c -o "$T/guard_$fw" -l$lib -lm -pthread >"$T/g$fw.build.log" 2>&1; then
        check "guard_$fw example: time budget, memory budget and leak check pass as $fw tests" "$T/g$fw.log" sh -c \
            "$T/guard_$fw > $T/g$fw.out 2>&1; rc=\$?; cat $T/g$fw.out; [ \$rc = 0 ] && grep -q '$pass_line' $T/g$fw.out"
        check "guard_$fw --demo-failure: a missed budget is a $fw failure (exit 1) carrying the verdict" "$T/g${fw}f.log" sh -c \
            "$T/guard_$fw --demo-failure > $T/g${fw}f.out 2>&1; rc=\$?; cat $T/g${fw}f.out; [ \$rc = 1 ] && grep -q 'tokenize/16k: median .*limit 100.0 ns.*is entirely above the limit' $T/g${fw}f.out && grep -q '$fail_line' $T/g${fw}f.out"
    else bad "guard_$fw example build" "$T/g$fw.build.log"; fi
}
if framework_ready cmocka libcmocka-dev cmocka '#include <stdarg.h>\n#include <stddef.h>\n#include <setjmp.h>\n#include <stdint.h>\n#include <cmocka.h>'; then
    guard_framework cmocka cmocka '\[  FAILED  \] tokenize_median_under_100ns' '\[  PASSED  \] 3 test(s)'
else
    skip "guard_cmocka example: cmocka.h or libcmocka not installed (Debian/Ubuntu: apt-get install libcmocka-dev)"
fi
if framework_ready criterion libcriterion-dev criterion '#include <criterion/criterion.h>'; then
    guard_framework criterion criterion '\[FAIL\] demo_failure::median_under_100ns' 'Passing: 3 | Failing: 0'
else
    skip "guard_criterion example: criterion/criterion.h or libcriterion not installed (Debian/Ubuntu: apt-get install libcriterion-dev)"
fi

if $CC -std=c99 -O2 $WARN $INC examples/inference_budget.c -o "$T/inference_budget" -lm -pthread >"$T/ib.build.log" 2>&1; then
    check "inference_budget example: every tier budget of nano..xl checked; xl's advisory p95 budget warns (exit 0 or 2, never 1)" "$T/ib.log" sh -c \
        "$T/inference_budget > $T/ib.out 2>&1; rc=\$?; cat $T/ib.out; [ \$rc = 0 -o \$rc = 2 ] && grep -q '^  WARN  infer/xl: p95 .*limit 1.000 ms.*(warning only)' $T/ib.out && grep -q '^guards: .*(36 budget checks)' $T/ib.out && grep -q 'loaded lazily, once per variant served: nano 1, small 1, medium 1, large 1, xl 1' $T/ib.out && grep -q \"^exit \$rc: \" $T/ib.out"
    check "inference_budget --strict-xl --quick: xl misses its p95 budget, exit 1" "$T/ib2.log" sh -c \
        "$T/inference_budget --strict-xl --quick > $T/ib2.out 2>&1; rc=\$?; cat $T/ib2.out; [ \$rc = 1 ] && grep -q '^  FAIL  infer/xl: p95 .*limit 1.000 ms.*is entirely above the limit' $T/ib2.out && grep -q '^exit 1: ' $T/ib2.out"
else bad "inference_budget example build" "$T/ib.build.log"; fi

# --- 5b2. the load-test example: four profiles, scaling, stress, health ------
echo "== load testing (examples/load_service.c)"
if $CC -std=c99 -O2 $WARN $INC examples/load_service.c -o "$T/load_service" -lm -pthread >"$T/ls.build.log" 2>&1; then
    check "load_service example: basic, stress, spike and endurance print p95/p99, error rate, throughput and health; the cache counters hold under stress" "$T/ls.log" sh -c \
        "$T/load_service > $T/ls.out 2>&1; rc=\$?; cat $T/ls.out; [ \$rc = 0 ] && for p in basic stress spike endurance; do grep -q \"^\$p: p95 .* ms, p99 .* ms, error rate .*%, throughput .* requests/s\" $T/ls.out || exit 1; done &&
         grep -q '^  health       ' $T/ls.out && grep -q '^scaling \"stress\"' $T/ls.out && grep -q '^thread safety of the cache counters: held up to' $T/ls.out && grep -q '^health summary' $T/ls.out"
    if have "$PY"; then
        check "load_service --json: the load and scaling reports are valid JSON (python json)" "$T/ls_json.log" sh -c \
            "$T/load_service --seconds=0.2 --json 2>/dev/null | $PY -c 'import json,sys; d=json.load(sys.stdin); n=[x[\"name\"] for x in d]; ok=n==[\"basic\",\"stress\",\"stress\",\"spike\",\"endurance\"] and all(\"latency_ns\" in x or \"points\" in x for x in d); print(n); sys.exit(0 if ok else 1)'"
    else skip "python3 missing: load_service JSON check"; fi
else bad "load_service example build" "$T/ls.build.log"; fi

# --- 5c. a failure is confirmed in a fresh process ----------------------------
echo "== confirmation of a failure in a fresh process (tests/stat/statcheck_suite.c)"
if $CC -std=c99 -O2 $WARN -I. -I"$STB_INC" tests/stat/statcheck_suite.c -o "$T/statcheck" -lm -pthread >"$T/sc.build.log" 2>&1; then
    rm -rf "$T/confirm_bl"
    check "ten times the work in math/poly_4096: exit 1, confirmed in a fresh process; every failure the run reports was confirmed in the fresh process (a busy machine may slow another benchmark in the first run: the confirmation removes that; on this VM a whole process can also run up to 2x slower for its life, which is why the injection is 10x and why hash/xxh3_16k beside it may fail only when confirmed); when the machine-speed probe finds the machine much slower than at recording, the kit says so and does not judge: exit 2" "$T/sc.log" sh -c \
        "$T/statcheck --no-color --budget-ms=300 --filter=math,hash --baseline-dir=$T/confirm_bl --update-baseline=all > $T/sc0.out 2>&1 || { cat $T/sc0.out; exit 1; };
         STAT_INJECT=math/poly_4096:9 $T/statcheck --no-color --budget-ms=300 --filter=math,hash --baseline-dir=$T/confirm_bl > $T/sc.out 2>&1; rc=\$?; cat $T/sc.out;
         ! grep -E '^[a-z0-9/_]+ .* FAIL ' $T/sc.out | grep -v -q '(confirmed: first run ' &&
         { { [ \$rc = 1 ] && grep -q '^confirming in a fresh process (after a 1 s pause): .*math/poly_4096 ' $T/sc.out &&
             grep -q '^math/poly_4096 .* FAIL slower .*(confirmed: first run +' $T/sc.out; } ||
           { [ \$rc = 2 ] && grep -q '^math/poly_4096 .*(report only: the machine runs [0-9.]*% slower than at recording, more than the' $T/sc.out; }; }"
    rm -rf "$T/procs_bl"
    check "--processes=4: this process and 3 fresh ones each measure a quarter and the samples are pooled; the recording keeps procs=4 and the processes' spread as its noise (runs=4); CORALPERF_PROCESSES=4 then confirms a 10x injection in 4 fresh processes (or, on a much slower machine, reports only: exit 2); --processes=0 is a usage error" "$T/procs.log" sh -c \
        "$T/statcheck --no-color --budget-ms=150 --filter=math,hash --baseline-dir=$T/procs_bl --processes=4 --update-baseline=all > $T/pr0.out 2>&1; rc=\$?; cat $T/pr0.out; [ \$rc = 0 ] &&
         grep -q '^processes: 4 (this one, then 3 fresh ones, each measuring 1/4 of every benchmark; samples pooled); spread of the process medians: ' $T/pr0.out &&
         cat $T/procs_bl/statcheck.cpb && grep -q '^math/poly_4096 .* noise=[0-9.]*% runs=4 procs=4 ' $T/procs_bl/statcheck.cpb &&
         STAT_INJECT=math/poly_4096:9 CORALPERF_PROCESSES=4 $T/statcheck --no-color --budget-ms=150 --filter=math,hash --baseline-dir=$T/procs_bl > $T/pr1.out 2>&1; rc=\$?; cat $T/pr1.out;
         { { [ \$rc = 1 ] && grep -q '^confirming in 4 fresh processes (after a 1 s pause): .*math/poly_4096 ' $T/pr1.out &&
             grep -q '^math/poly_4096 .* FAIL slower .*(confirmed: first run +' $T/pr1.out; } ||
           { [ \$rc = 2 ] && grep -q '^math/poly_4096 .*(report only: the machine runs [0-9.]*% slower than at recording, more than the' $T/pr1.out; }; } &&
         { $T/statcheck --processes=0 > $T/pr2.out 2>&1; [ \$? = 1 ] && cat $T/pr2.out && grep -q 'processes needs a whole number from 1 to 64' $T/pr2.out; }"
else bad "statcheck suite build" "$T/sc.build.log"; fi

# --- 5d. A/B mode: two builds driven over pipes ------------------------------
echo "== A/B mode: two builds of tests/ab_suite.c over pipes"
ABF="-std=c99 -O2 $WARN $INC tests/ab_suite.c -lm -pthread"
if $CC $ABF -DAB_ONLY_BASE -o "$T/ab_base" >"$T/ab.build.log" 2>&1 && $CC $ABF -o "$T/ab_same" >>"$T/ab.build.log" 2>&1 &&
   $CC $ABF -DAB_SLOW=spin/300 -DAB_PCT=100 -o "$T/ab_slow" >>"$T/ab.build.log" 2>&1; then
    check "twice the work in spin/300: exit 1, confirmed, named; the others (an escaped name too) do not fail (a warning is allowed: a busy machine can leave one too noisy to tell); a base-only benchmark is listed" "$T/ab1.log" sh -c \
        "$T/ab_slow --no-color --quick --ab=$T/ab_base --junit=$T/ab.junit.xml > $T/ab1.out 2>&1; rc=\$?; cat $T/ab1.out;
         [ \$rc = 1 ] && grep -q '^  FAIL spin/300 .* paired n=[0-9]* sigma=.*(confirmed: +[0-9.]*% when measured again)\$' $T/ab1.out &&
         [ \$(grep -c -E '^  (ok|WARN) ' $T/ab1.out) = 3 ] && grep -q -E '^  (ok|WARN) odd name %41.*/x ' $T/ab1.out &&
         grep -q '^  gone   only/base (only in the base build)' $T/ab1.out &&
         grep -q -E '^A/B: [0-3] passed, [0-3] warned, 1 failed in ' $T/ab1.out &&
         [ \$(grep -c 'goes to stdout' $T/ab1.out) = 1 ] && grep -q '<failure' $T/ab.junit.xml"
    check "the workers get the driver's arguments: a --filter with a space selects the same two benchmarks in both builds" "$T/ab4.log" sh -c \
        "$T/ab_slow --no-color --quick --ab=$T/ab_base '--filter=spin/300,odd name*' > $T/ab4.out 2>&1; rc=\$?; cat $T/ab4.out;
         [ \$rc = 1 ] && grep -q -E '^A/B: [01] passed, [01] warned, 1 failed in ' $T/ab4.out && grep -q -E '^  (ok|WARN) odd name' $T/ab4.out"
    check "two separately linked builds of the same source: never exit 1; every block of 5 rounds ran in fresh workers" "$T/ab2.log" sh -c \
        "rm -f $T/ab_starts; AB_START_LOG=$T/ab_starts $T/ab_same --no-color --quick --ab=$T/ab_base --ab-max-pairs=40 > $T/ab2.out 2>&1; rc=\$?; cat $T/ab2.out;
         [ \$rc = 0 -o \$rc = 2 ] && ! grep -q '^  FAIL' $T/ab2.out && echo \"\$(wc -l < $T/ab_starts) processes started\" && [ \$(wc -l < $T/ab_starts) -ge 17 ]"
    if $CC $ABF -DAB_CRASH=spin/300 -o "$T/ab_crash" >>"$T/ab.build.log" 2>&1; then
        check "a candidate that crashes in one benchmark: that one is an error (exit 1), the others are still compared" "$T/ab5.log" sh -c \
            "$T/ab_crash --no-color --quick --ab=$T/ab_base > $T/ab5.out 2>&1; rc=\$?; cat $T/ab5.out;
             [ \$rc = 1 ] && grep -q '^  spin/300: the candidate build stopped answering in this benchmark (killed by signal 6)' $T/ab5.out &&
             [ \$(grep -c -E '^  (ok|WARN) ' $T/ab5.out) = 3 ] && grep -q 'at least one A/B comparison did not run' $T/ab5.out"
    else bad "A/B crash fixture build" "$T/ab.build.log"; fi
    if $CC $ABF -DAB_HANG=spin/300 -o "$T/ab_hang" >>"$T/ab.build.log" 2>&1; then
        check "a candidate that hangs in one benchmark: stopped after --ab-timeout, that one is an error (exit 1), the others are still compared" "$T/ab6.log" sh -c \
            "$T/ab_hang --no-color --quick --ab=$T/ab_base --ab-timeout=2 > $T/ab6.out 2>&1; rc=\$?; cat $T/ab6.out;
             [ \$rc = 1 ] && grep -q '^  spin/300: the candidate build did not answer within 2 s in this benchmark (--ab-timeout): does it hang?' $T/ab6.out &&
             [ \$(grep -c -E '^  (ok|WARN) ' $T/ab6.out) = 3 ] && grep -q 'at least one A/B comparison did not run' $T/ab6.out"
    else bad "A/B hang fixture build" "$T/ab.build.log"; fi
    check "--ab errors in plain words: a missing base build, a program that is no worker, bad options" "$T/ab3.log" sh -c \
        "$T/ab_same --ab=$T/no-such-build > $T/ab3a.out 2>&1; [ \$? = 1 ] && grep -q 'cannot start .*no-such-build' $T/ab3a.out &&
         { $T/ab_same --ab=/bin/true > $T/ab3b.out 2>&1; [ \$? = 1 ]; } && grep -q 'did not answer as an A/B worker' $T/ab3b.out &&
         { $T/ab_same --ab=$T/ab_base --ab-max-pairs=3 > $T/ab3c.out 2>&1; [ \$? = 1 ]; } && grep -q 'ab-max-pairs needs a whole number from 8' $T/ab3c.out &&
         { $T/ab_same --ab=$T/ab_base --json=$T/x.json > $T/ab3d.out 2>&1; [ \$? = 1 ]; } && grep -q 'not --json' $T/ab3d.out &&
         { $T/ab_same --ab=$T/ab_base --filter=nothing > $T/ab3e.out 2>&1; [ \$? = 1 ]; } && grep -q 'no benchmark matches' $T/ab3e.out &&
         { $T/ab_same --ab=$T/ab_base --ab-block=4 --ab-max-pairs=20 > $T/ab3f.out 2>&1; [ \$? = 1 ]; } && grep -q 'ab-max-pairs must be at least 32: 8 blocks of 4 rounds' $T/ab3f.out &&
         { $T/ab_same --ab=$T/ab_base --ab-timeout=-1 > $T/ab3g.out 2>&1; [ \$? = 1 ]; } && grep -q 'ab-timeout needs a number of seconds from 0 (no limit)' $T/ab3g.out; cat $T/ab3?.out"
else bad "A/B suite builds" "$T/ab.build.log"; fi

# --- 5e. count mode: instruction counts under Callgrind ---------------------
echo "== count mode (--count under valgrind --tool=callgrind)"
if have valgrind && [ -f /usr/include/valgrind/callgrind.h ]; then
    CF="-std=c99 -O2 -g $WARN $INC tests/ab_suite.c -lm -pthread"
    if $CC $CF -o "$T/cnt_base" >"$T/cnt.build.log" 2>&1 && $CC $CF -DAB_SLOW=spin/1000 -DAB_PCT=2 -o "$T/cnt_plus2" >>"$T/cnt.build.log" 2>&1; then
        rm -rf "$T/cnt_bl" "$T/cg"; mkdir -p "$T/cg"
        CG="valgrind -q --tool=callgrind --collect-atstart=no --callgrind-out-file=$T/cg/cg.%p"
        check "count mode records exact counts, the same code counts +0.00% again (also after a benchmark that failed inside its batch), and +2% work in spin/1000 fails on instructions alone; a time budget is not judged in count mode" "$T/cnt.log" sh -c \
            "export CORALPERF_COUNT_OUT=$T/cg/cg;
             $CG $T/cnt_base --count --no-color --baseline-dir=$T/cnt_bl --update-baseline=all > $T/cnt0.out 2>&1 || { cat $T/cnt0.out; exit 1; };
             grep -q 'spin/1000 .* ins=' $T/cnt_bl/ab_fixture.count.cpb || { echo no ins= in the count baseline; exit 1; };
             $CG $T/cnt_base --count --no-color --baseline-dir=$T/cnt_bl > $T/cnt1.out 2>&1; r1=\$?; cat $T/cnt1.out;
             [ \$r1 = 0 ] && [ \$(grep -c 'report only: count mode); instructions +0.00%' $T/cnt1.out) = 4 ] || exit 1;
             $CG $T/cnt_plus2 --count --no-color --baseline-dir=$T/cnt_bl > $T/cnt2.out 2>&1; r2=\$?; cat $T/cnt2.out;
             [ \$r2 = 1 ] && grep -q '^spin/1000 .*instructions +2.0[0-9]% (beyond +1.0%)' $T/cnt2.out && [ \$(grep -c 'instructions +0.00%' $T/cnt2.out) = 3 ] &&
             { AB_FAIL_EARLY=spin/100 $CG $T/cnt_base --count --no-color --baseline-dir=$T/cnt_bl > $T/cnt4.out 2>&1; [ \$? = 1 ]; } && cat $T/cnt4.out &&
             [ \$(grep -c 'instructions +0.00%' $T/cnt4.out) = 3 ] &&
             { AB_TIME_BUDGET=1 $CG $T/cnt_base --count --no-color --baseline-dir=$T/cnt_bl > $T/cnt5.out 2>&1; r5=\$?; cat $T/cnt5.out; [ \$r5 = 0 ]; } &&
             grep -q '^  ok    spin/100: median .*not judged in count mode' $T/cnt5.out &&
             [ -z \"\$(ls $T/cg | grep -v '^cg\.[0-9]*\$')\" ]"
    else bad "count mode builds" "$T/cnt.build.log"; fi
else skip "count mode: valgrind or <valgrind/callgrind.h> missing"; fi
check "--count outside valgrind: exit 1 and says how to run it" "$T/cnt3.log" sh -c \
    "$T/ab_same --count > $T/cnt3.out 2>&1; rc=\$?; cat $T/cnt3.out; [ \$rc = 1 ] && grep -q -e 'not running under valgrind' -e 'built without <valgrind/callgrind.h>' $T/cnt3.out"

# --- 6. baselines under stress: concurrent writers and SIGKILL (POSIX) ------
echo "== baselines under stress"
# A gzip bomb in a .cpb.gz: the build's inflate limit holds, allocations counted.
for lim in 1048576 default; do
    def="-DCORALPERF_INFLATE_LIMIT=$lim"; what="1 MiB (CORALPERF_INFLATE_LIMIT=$lim)"
    [ $lim = default ] && { def=""; what="default 64 MiB"; }
    if $CC -std=c99 -O2 $WARN $INC $def tests/baseline_bomb.c -o "$T/bl_bomb" -lm -pthread >"$T/blb.build.log" 2>&1; then
        check "a gzip bomb in a .cpb.gz (valid gzip, twice the limit of zeros) loaded from memory and from a file stops with CPF_ERR_LIMIT and a message at the $what inflate limit; no allocation above the limit, at most the limit + the file + 64 KiB live" \
            "$T/bomb_$lim.log" "$T/bl_bomb" "$T"
        sed 's/^/      /' "$T/bomb_$lim.log"
    else
        bad "gzip bomb test build ($lim)" "$T/blb.build.log"
    fi
done
if $CC -std=c99 -O2 $WARN $INC tests/baseline_stress.c -o "$T/bl_stress" -lm -pthread >"$T/bls.build.log" 2>&1; then
    rm -rf "$T/stress"; mkdir -p "$T/stress"
    check "8 processes update one baseline at once and lose nothing; 200 SIGKILLs mid-update never break it, and at least 20 of them landed while the new file was being written" \
        "$T/stress.log" "$T/bl_stress" "$T/stress" 200
    sed 's/^/      /' "$T/stress.log"
else
    bad "baseline stress build" "$T/bls.build.log"
fi

# The failures again at the end, so that a CI log's last lines name them.
[ -z "$FAILED_NAMES" ] || { echo "failed:"; printf '%s\n' "$FAILED_NAMES" | sed '/^$/d' | cut -c1-160; }
if [ $SKIP -gt 0 ]; then echo "$PASS passed, $FAIL failed, $SKIP skipped"; else echo "$PASS passed, $FAIL failed"; fi
[ $FAIL = 0 ]
