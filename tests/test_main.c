/* The unit-test binary: the implementation lives here; each tests/test_*.c
   is a separate translation unit that only includes the header (so this
   binary also proves that two units link without duplicate symbols). */
#if defined(TEST_EMBEDDED)
/* Bare-metal build (make test-all, Cortex-M3 under qemu-system-arm), with
   -DCORALPERF_NO_THREADS -DCORALPERF_NO_FILES for every file: the board
   clock; the groups that need no files run. */
#include "../examples/cortexm/board_clock.h"
#endif
/* A hook for tests/test_guard.c: with test_probe_fixed > 0 every machine-
   speed probe reads that many ns instead of what it measured; probes number
   test_probe_from to test_probe_until - 1 (counted from 0 in
   test_probe_count) read test_probe_slow times that, a slower machine
   faked. The defaults leave the probe as measured. */
double test_probe_fixed, test_probe_slow = 1;
unsigned test_probe_count, test_probe_from, test_probe_until;
static double test_probe_map(double ns)
{
    unsigned k = test_probe_count++;
    double v = test_probe_fixed > 0 ? test_probe_fixed : ns;
    return k >= test_probe_from && k < test_probe_until ? v * test_probe_slow : v;
}
#define CORALPERF_MACHINE_PROBE_MAP(ns) test_probe_map(ns)
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include "tinytest.h"

tt_state tt;

void tests_clock(void);
void tests_stats(void);
void tests_bench(void);
void tests_suite(void);
void tests_report(void);
void tests_lazy(void);
void tests_mem(void);
void tests_hash(void);
void tests_dedup(void);
void tests_neardup(void);
void tests_deflate(void);
void tests_baseline(void);
void tests_guard(void);
void tests_ab(void);
void tests_hist(void);
void tests_complexity(void);
void tests_load(void);

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
#if defined(TEST_EMBEDDED)
    printf("board clock: %s\n", board_clock_init());
#endif
#define GROUP(g) do { if (!only || strcmp(only, #g) == 0) { printf("== %s\n", #g); tests_##g(); } } while (0)
    GROUP(clock);
    GROUP(stats);
    GROUP(bench);
#if !defined(TEST_EMBEDDED)
    GROUP(suite);
    GROUP(report);
#endif
    GROUP(lazy);
    GROUP(mem);
    GROUP(hash);
    GROUP(dedup);
    GROUP(neardup);
    GROUP(deflate);
    GROUP(baseline);
#if !defined(TEST_EMBEDDED)
    GROUP(guard); /* suites with files and timed runs: not on the bare-metal target */
    GROUP(ab);    /* timed rounds: emulated time on the bare-metal target says nothing */
#endif
    GROUP(hist);
    GROUP(complexity); /* the fit everywhere; the timed sweeps not on the bare-metal target */
    GROUP(load);
    printf("%d passed, %d failed\n", tt.passed, tt.failed);
    return tt.failed ? 1 : 0;
}
