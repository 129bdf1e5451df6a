/* bench/precision_cpf.c - the coralperf side of the precision benchmark.

   Measures, with the kit's default adaptive options (zeroed cpf_bench_opts:
   calibrated batches of >= 1 ms per sample, 50 ms warm-up, 21..101 samples,
   stop once the 95% CI half-width of the median reaches the default target,
   2 s budget; see cpf_bench_opts in coralperf.h; the environment variable
   CPF_BENCH_MIN_SAMPLE_MS=X, unset by default, sets min_sample_ms to X for
   experiments with longer samples):
     chain/1000, chain/2000, chain/4000   k dependent multiply-adds (kernel.c)
     empty                                a loop with an empty body
   and prints one machine-readable line per benchmark on stdout:
     cpf NAME median_ns=.. mean_ns=.. ci_lo_ns=.. ci_hi_ns=.. ci_half_pct=..
         mad_pct=.. samples=.. iters=.. wall_ms=.. warnings=0x..
   (mean_ns, the mean of the samples, is printed only to compare estimators:
   Google Benchmark reports a mean over one long run.)
   ci_half_pct = (ci_hi - ci_lo) / 2 / median * 100; wall_ms is
   cpf_result.wall_ms (calibration, warm-up and sampling of that benchmark).
   The kit's own console report goes to stderr. Suite flags work, e.g.
   --filter=chain/1000 runs one benchmark. Exit status: 0 when every
   benchmark produced numbers (warnings such as "noisy" are not failures),
   1 otherwise. */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include "kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One dependency chain through the whole run: the result of one operation is
   the input of the next, so consecutive operations cannot overlap in the
   out-of-order window and each one costs exactly k multiply-add latencies. */
static void bench_chain(cpf_bench *b)
{
    int k = (int)cpf_bench_arg(b);
    double x = cpf_bench_chain_seed();
    while (cpf_bench_loop(b)) {
        x = cpf_bench_chain(x, k);
        cpf_do_not_optimize(x);
    }
}

/* The loop alone: what the kit's per-iteration bookkeeping costs. */
static void bench_empty(cpf_bench *b)
{
    while (cpf_bench_loop(b)) {
    }
}

static int write_stderr(void *user, const char *s, size_t n)
{
    (void)user;
    return fwrite(s, 1, n, stderr) == n ? 0 : -1;
}

int main(int argc, char **argv)
{
    static const int64_t ks[] = { 1000, 2000, 4000 };
    const char *env = getenv("CPF_BENCH_MIN_SAMPLE_MS");
    cpf_bench_opts opts;
    cpf_suite s;
    size_t i;
    int bad = 0;
    uint64_t t0, t1;
    double bench_ms = 0.0;

    /* Zeroed options are the kit's defaults. CPF_BENCH_MIN_SAMPLE_MS=X (an
       experiment knob, unset by default) lengthens every sample to X ms. */
    memset(&opts, 0, sizeof opts);
    if (env && *env) {
        opts.min_sample_ms = strtod(env, NULL);
        if (!(opts.min_sample_ms > 0.0)) {
            fprintf(stderr, "precision_cpf: CPF_BENCH_MIN_SAMPLE_MS must be a positive number of ms, got '%s'\n", env);
            return 1;
        }
    }
    cpf_suite_init(&s, "precision_cpf");
    cpf_suite_set_output(&s, write_stderr, NULL);
    cpf_suite_add_args(&s, "chain", bench_chain, NULL, &opts, ks, 3);
    cpf_suite_add_opts(&s, "empty", bench_empty, NULL, &opts);
    t0 = cpf_now_ns();
    cpf_suite_run(&s, argc, argv); /* accepts the suite flags, e.g. --filter=chain */
    t1 = cpf_now_ns();

    for (i = 0; i < cpf_suite_result_count(&s); i++) {
        const cpf_result *r = cpf_suite_result(&s, i);
        const cpf_stats *st = &r->stats;
        if (r->status != CPF_OK || r->skipped || st->n == 0 || !(st->median > 0.0 || strcmp(r->name, "empty") == 0)) {
            printf("cpf %s error=\"%s\"\n", r->name, r->message);
            bad = 1;
            continue;
        }
        printf("cpf %s median_ns=%.6f mean_ns=%.6f ci_lo_ns=%.6f ci_hi_ns=%.6f ci_half_pct=%.4f mad_pct=%.4f "
               "samples=%u iters=%llu wall_ms=%.3f warnings=0x%03x\n",
               r->name, st->median, st->mean, st->ci_lo, st->ci_hi,
               st->median > 0.0 ? 100.0 * (st->ci_hi - st->ci_lo) / 2.0 / st->median : 0.0,
               st->median > 0.0 ? 100.0 * 1.4826 * st->mad / st->median : 0.0,
               (unsigned)st->n, (unsigned long long)r->iterations, r->wall_ms, r->warnings);
        bench_ms += r->wall_ms;
    }
    /* The whole suite run; other_ms is what it spent outside the benchmarks
       (the one-off clock measurement, argument parsing, the report). */
    printf("cpf_total all run_ms=%.3f other_ms=%.3f clock_resolution_ns=%.1f clock_overhead_ns=%.1f min_sample_ms=%g\n",
           (double)(t1 - t0) / 1e6, (double)(t1 - t0) / 1e6 - bench_ms,
           s.clock.resolution_ns, s.clock.overhead_ns, opts.min_sample_ms);
    if (cpf_suite_result_count(&s) == 0) bad = 1;
    if (cpf_suite_finish(&s) == 1) bad = 1;
    return bad;
}
