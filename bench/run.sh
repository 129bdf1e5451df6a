#!/bin/sh
# bench/run.sh - side-by-side precision benchmark: coralperf.h vs Google Benchmark.
#
# What it does
#   1. Builds, with $CC / $CXX -O2, into $BUILD/bench:
#        kernel.o       bench/kernel.c, compiled ONCE and linked into both programs
#        precision_cpf  bench/precision_cpf.c  (coralperf.h, default adaptive options)
#        precision_gb   bench/precision_gb.cc  (Google Benchmark, default settings)
#   2. Runs them interleaved for $ROUNDS rounds (default 5), alternating which
#      tool goes first: one precision_cpf process measures all four benchmarks;
#      precision_gb runs once per benchmark (--benchmark_filter=^NAME$), so each
#      Google Benchmark number comes with the wall time of its own default run.
#   3. Takes the median over the rounds of every number and prints the table.
#
# Environment: STB_INC (folder with stb_ds.h), CC, CXX, BUILD (default build),
#              ROUNDS (default 5).
# Exit status: 1 when something fails to build or run; 0 otherwise. A MISS of a
# timing goal is reported, not a failure: this machine may be shared and noisy.
set -u

CC=${CC:-cc}
CXX=${CXX:-c++}
BUILD=${BUILD:-build}
ROUNDS=${ROUNDS:-5}
NAMES="chain/1000 chain/2000 chain/4000 empty"

ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 1
cd "$ROOT" || exit 1
OUT=$BUILD/bench

die() { echo "bench: error: $*" >&2; exit 1; }

case $ROUNDS in
    ''|*[!0-9]*|0) die "ROUNDS must be a whole number >= 1 (got '$ROUNDS')" ;;
esac

if [ -z "${STB_INC:-}" ]; then
    for d in /usr/include/stb /usr/local/include/stb /usr/include /usr/local/include; do
        if [ -f "$d/stb_ds.h" ]; then STB_INC=$d; break; fi
    done
fi
[ -n "${STB_INC:-}" ] && [ -f "$STB_INC/stb_ds.h" ] ||
    die "stb_ds.h not found (set STB_INC to the folder holding it, or run 'make bench')"

mkdir -p "$OUT" || die "cannot create $OUT"

# ---- 1. build ---------------------------------------------------------------
echo "== building into $OUT with CC=$CC CXX=$CXX, -O2 (no -ffast-math, no -march)"
run_build() {
    echo "   $*"
    "$@" 2>"$OUT/build.log" || { cat "$OUT/build.log" >&2; die "build failed: $*"; }
}
run_build "$CC" -O2 -c bench/kernel.c -o "$OUT/kernel.o"
run_build "$CC" -O2 -std=c99 -Wall -Wextra -I. -I"$STB_INC" -Ibench \
    -c bench/precision_cpf.c -o "$OUT/precision_cpf.o"
run_build "$CC" "$OUT/precision_cpf.o" "$OUT/kernel.o" -o "$OUT/precision_cpf" -lm -pthread
# NDEBUG removes the assert() in Google Benchmark's inline loop iterator (a
# release build of the benchmark, as its documentation recommends).
run_build "$CXX" -O2 -DNDEBUG -Wall -Wextra -Ibench \
    -c bench/precision_gb.cc -o "$OUT/precision_gb.o"
run_build "$CXX" "$OUT/precision_gb.o" "$OUT/kernel.o" -o "$OUT/precision_gb" -lbenchmark -lpthread

# The workload must really be a chain of k multiply-adds: count them in the
# compiled kernel (a folded or vectorised loop would not show mulsd + addsd).
if command -v objdump >/dev/null 2>&1; then
    objdump -d "$OUT/kernel.o" > "$OUT/kernel.dis" 2>/dev/null &&
    awk '/<cpf_bench_chain>:/ { on = 1; next } on && /^$/ { exit }
         on && /mulsd/ { m++ } on && /addsd/ { a++ } on && /(mulpd|addpd|fmadd)/ { v++ }
         END { printf "   kernel check: cpf_bench_chain has %d mulsd, %d addsd, %d packed/fma ops (expect 1, 1, 0)\n", m, a, v }' \
        "$OUT/kernel.dis"
fi

# ---- 2. run, interleaved ----------------------------------------------------
RAW=$OUT/raw.txt
LOG=$OUT/run.log
: > "$RAW"
: > "$LOG"

run_cpf() {
    echo "## round $1: precision_cpf" >> "$LOG"
    "$OUT/precision_cpf" > "$OUT/cpf.out" 2>> "$LOG" || { cat "$OUT/cpf.out" >&2; die "precision_cpf failed (round $1, see $LOG)"; }
    for n in $NAMES; do
        grep -q "^cpf $n median_ns=" "$OUT/cpf.out" || die "precision_cpf printed no result for $n (round $1)"
    done
    sed "s/\$/ round=$1/" "$OUT/cpf.out" >> "$RAW"
}
run_gb() {
    for n in $NAMES; do
        echo "## round $1: precision_gb --benchmark_filter=^$n\$" >> "$LOG"
        "$OUT/precision_gb" "--benchmark_filter=^$n\$" > "$OUT/gb.out" 2>> "$LOG" ||
            { cat "$OUT/gb.out" >&2; die "precision_gb failed on $n (round $1, see $LOG)"; }
        grep -q "^gb $n real_ns=" "$OUT/gb.out" || die "precision_gb printed no result for $n (round $1)"
        grep "^gb $n " "$OUT/gb.out" | sed "s/\$/ round=$1/" >> "$RAW"
        # the wall time of this default run belongs to benchmark $n
        sed -n "s|^gb_total |gbwall $n |p" "$OUT/gb.out" | sed "s/\$/ round=$1/" >> "$RAW"
    done
}

echo "== running $ROUNDS interleaved rounds (odd rounds: kit first, even rounds: Google Benchmark first)"
echo "   kit: one process, 4 benchmarks, default adaptive options"
echo "   GB:  one process per benchmark, default settings (min time 0.5 s)"
r=1
while [ "$r" -le "$ROUNDS" ]; do
    printf '   round %d/%d ...' "$r" "$ROUNDS"
    if [ $((r % 2)) -eq 1 ]; then run_cpf "$r"; run_gb "$r"; else run_gb "$r"; run_cpf "$r"; fi
    echo " done"
    r=$((r + 1))
done
echo "   raw lines: $RAW   tool logs: $LOG"

# ---- 3. table -----------------------------------------------------------------
awk -v rounds="$ROUNDS" '
function med(key,    m, i, j, t, a) {
    m = cnt[key]
    if (!m) return -1
    for (i = 1; i <= m; i++) a[i] = val[key, i]
    for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
function lo(key,    m, i, x) { m = cnt[key]; x = val[key, 1]; for (i = 2; i <= m; i++) if (val[key, i] < x) x = val[key, i]; return x }
function hi(key,    m, i, x) { m = cnt[key]; x = val[key, 1]; for (i = 2; i <= m; i++) if (val[key, i] > x) x = val[key, i]; return x }
function abs(x) { return x < 0 ? -x : x }
function verdict(ok) { return ok ? "PASS" : "MISS" }
{
    tool = $1; name = $2
    for (i = 3; i <= NF; i++) {
        eq = index($i, "="); if (!eq) continue
        k = substr($i, 1, eq - 1); v = substr($i, eq + 1)
        if (k == "warnings") { if (v != "0x000") warned[tool, name]++; continue }
        if (k == "round") continue
        key = tool SUBSEP name SUBSEP k
        cnt[key]++; val[key, cnt[key]] = v + 0
    }
}
END {
    sep = "-----------------------------------------------------------------------------------------"
    print ""
    printf "RESULTS  (median of %d rounds; spread = (max - min) / median over the rounds)\n", rounds
    print sep
    print "1. per-op time of the chain of k dependent multiply-adds   goal: kit within 2% of GB"
    printf "   %-6s %13s %8s %13s %8s %9s %8s  %s\n", "k", "kit ns/op", "spread", "GB ns/op", "spread", "kit/GB", "diff", "goal"
    for (k = 1000; k <= 4000; k *= 2) {
        n = "chain/" k
        c = med("cpf" SUBSEP n SUBSEP "median_ns"); g = med("gb" SUBSEP n SUBSEP "real_ns")
        ck = "cpf" SUBSEP n SUBSEP "median_ns"; gk = "gb" SUBSEP n SUBSEP "real_ns"
        tc[k] = c; tg[k] = g
        ratio = g > 0 ? c / g : 0
        printf "   %-6d %13.2f %7.2f%% %13.2f %7.2f%% %9.4f %+7.2f%%  %s\n", k, c, 100 * (hi(ck) - lo(ck)) / c,
               g, 100 * (hi(gk) - lo(gk)) / g, ratio, 100 * (ratio - 1), verdict(abs(ratio - 1) < 0.02)
    }
    print ""
    print "2. linearity in k: t(k)/t(1000)/(k/1000), 1 = perfectly linear   goal: within 1%"
    printf "   %-22s %10s %9s %5s   %10s %9s %5s\n", "", "kit", "vs linear", "goal", "GB", "vs linear", "goal"
    for (k = 2000; k <= 4000; k *= 2) {
        sc = tc[k] / tc[1000] / (k / 1000); sg = tg[k] / tg[1000] / (k / 1000)
        printf "   t(%d)/t(1000)/%-6d %10.4f %+8.2f%% %5s   %10.4f %+8.2f%% %5s\n", k, k / 1000,
               sc, 100 * (sc - 1), verdict(abs(sc - 1) < 0.01), sg, 100 * (sg - 1), verdict(abs(sg - 1) < 0.01)
    }
    print ""
    print "3. empty loop body (the per-iteration cost of the loop itself)   goal: kit under 1 ns/op"
    e = med("cpf" SUBSEP "empty" SUBSEP "median_ns"); ge = med("gb" SUBSEP "empty" SUBSEP "real_ns")
    printf "   kit %.3f ns/op  %s        GB %.6f ns/op", e, verdict(e < 1.0), ge
    if (ge < 0.01) printf "  (GB: the compiler removed its empty loop: 0 work per iteration)"
    printf "\n\n"
    print "4. wall time to a median whose 95% CI half-width is under 1%, vs GB default run"
    print "   kit: cpf_result.wall_ms with default adaptive options (calibration + warm-up + samples);"
    print "   GB:  wall time of RunSpecifiedBenchmarks() filtered to that one benchmark (default min time)."
    print "   goal: kit CI half-width < 1% and kit wall < GB wall"
    printf "   %-11s %10s %8s %8s %7s %11s %9s  %s\n", "benchmark", "kit ms", "kit CI", "samples", "CI<1%", "GB ms", "kit/GB", "goal"
    for (i = 1; i <= 4; i++) {
        n = (i < 4) ? "chain/" (500 * 2 ^ i) : "empty"
        w = med("cpf" SUBSEP n SUBSEP "wall_ms"); ci = med("cpf" SUBSEP n SUBSEP "ci_half_pct")
        s = med("cpf" SUBSEP n SUBSEP "samples"); gw = med("gbwall" SUBSEP n SUBSEP "run_ms")
        ok = 0; key = "cpf" SUBSEP n SUBSEP "ci_half_pct"
        for (j = 1; j <= cnt[key]; j++) if (val[key, j] < 1.0) ok++
        note = ""
        if (n == "empty" && ge < 0.01) note = "  (not comparable: GB timed no work)"
        printf "   %-11s %10.1f %7.3f%% %8d %3d/%-3d %11.1f %9.3f  %s%s\n", n, w, ci, s, ok, cnt[key], gw,
               (gw > 0 ? w / gw : 0), ((note != "") ? "n/a " : verdict(ci < 1.0 && w < gw)), note
    }
    print ""
    printf "   (the kit process also spends %.1f ms once, outside any benchmark: clock measurement, report)\n", \
           med("cpf_total" SUBSEP "all" SUBSEP "other_ms")
    print sep
    nw = 0
    for (key in warned) { split(key, p, SUBSEP); printf "   note: kit warnings on %s in %d of %d rounds (see the log)\n", p[2], warned[key], rounds; nw++ }
    print "Timing goals are reported, not enforced: PASS/MISS depend on the load of this machine."
}' "$RAW" || die "could not summarise $RAW"
exit 0
