/* Benchmark runner: calibration, sample counts, setup/teardown, throughput,
   failure/skip/misuse, warnings. Behaviour only: no test asserts a speed. */
#include "coralperf.h"
#include "tinytest.h"

static double spin_work(int n)
{
    volatile double x = 1.0;
    int i;
    for (i = 0; i < n; i++) x = x * 1.000001 + 1e-7;
    return x;
}

static void bench_spin(cpf_bench *b)
{
    int n = (int)cpf_bench_arg(b);
    if (n == 0) n = 100;
    while (cpf_bench_loop(b)) cpf_do_not_optimize(spin_work(n));
}

static cpf_bench_opts small_opts(void)
{
    cpf_bench_opts o;
    memset(&o, 0, sizeof o);
    o.min_samples = 5;
    o.max_samples = 9;
    o.min_sample_ms = 1.0;
    o.warmup_ms = 2.0;
    o.budget_ms = 500.0;
    return o;
}

static void test_calibration_makes_each_sample_last_the_minimum_time(void)
{
    cpf_bench_opts o = small_opts();
    cpf_result r;
    o.min_sample_ms = 2.0;
    CHECK(cpf_bench_run("spin", bench_spin, NULL, &o, &r) == CPF_OK);
    CHECK(r.iterations > 1);
    /* The batch was sized for 2 ms (x1.05) on warm code; the median sample
       cannot be much shorter unless the code got faster after calibration. */
    CHECK_MSG(r.stats.median * (double)r.iterations >= 0.5 * 2e6,
              "sample lasts %g ns", r.stats.median * (double)r.iterations);
    CHECK(r.stats.n >= 5 && r.stats.n <= 9);
    CHECK(r.total_iterations == r.iterations * r.stats.n);
    cpf_result_free(&r);
}

static void test_exact_sample_count_is_honoured(void)
{
    cpf_bench_opts o = small_opts();
    cpf_result r;
    o.samples = 7;
    o.min_sample_ms = 0.2;
    CHECK(cpf_bench_run("spin", bench_spin, NULL, &o, &r) == CPF_OK);
    CHECK(r.stats.n == 7);
    CHECK(r.samples_ns != NULL && r.cpu_samples_ns != NULL);
    cpf_result_free(&r);
    CHECK(r.samples_ns == NULL && r.name == NULL);
}

static void test_fixed_iterations_are_not_calibrated(void)
{
    cpf_bench_opts o = small_opts();
    cpf_result r;
    o.iterations = 3;
    o.samples = 4;
    CHECK(cpf_bench_run("spin", bench_spin, NULL, &o, &r) == CPF_OK);
    CHECK(r.iterations == 3);
    CHECK(r.total_iterations == 12);
    cpf_result_free(&r);
}

static int setups, teardowns, setup_unbalanced;
static void slow_setup(void *ctx)
{
    uint64_t t0 = cpf_now_ns();
    (void)ctx;
    if (setups != teardowns) setup_unbalanced = 1;
    setups++;
    while (cpf_now_ns() - t0 < 2000000u) { /* 2 ms of untimed work */ }
}
static void count_teardown(void *ctx) { (void)ctx; teardowns++; }
static void bench_trivial(cpf_bench *b) { int x = 0; while (cpf_bench_loop(b)) { x++; cpf_do_not_optimize(x); } }

static void test_setup_runs_before_every_sample_and_is_not_timed(void)
{
    cpf_bench_opts o = small_opts();
    cpf_result r;
    o.setup = slow_setup;
    o.teardown = count_teardown;
    o.iterations = 1;
    o.samples = 5;
    setups = teardowns = setup_unbalanced = 0;
    CHECK(cpf_bench_run("setup", bench_trivial, NULL, &o, &r) == CPF_OK);
    CHECK(setups == teardowns);
    CHECK(!setup_unbalanced);
    CHECK(setups >= 5); /* warm-up samples get their setup too */
    /* a 2 ms setup inside the timing would put the median above 2 ms */
    CHECK_MSG(r.stats.median < 1e6, "median %g ns includes the setup", r.stats.median);
    cpf_result_free(&r);
}

static void bench_bytes(cpf_bench *b)
{
    cpf_bench_set_bytes_per_op(b, 4096);
    cpf_bench_set_items_per_op(b, 2);
    bench_spin(b);
}

static void test_throughput_units_are_recorded(void)
{
    cpf_bench_opts o = small_opts();
    cpf_result r;
    CHECK(cpf_bench_run("bytes", bench_bytes, NULL, &o, &r) == CPF_OK);
    CHECK(r.bytes_per_op == 4096.0);
    CHECK(r.items_per_op == 2.0);
    cpf_result_free(&r);
}

static void bench_fails(cpf_bench *b)
{
    int i = 0;
    while (cpf_bench_loop(b)) if (++i == 5) cpf_bench_fail(b, "checksum mismatch");
}

static void test_a_failing_benchmark_reports_its_message(void)
{
    cpf_bench_opts o = small_opts();
    cpf_result r;
    CHECK(cpf_bench_run("fails", bench_fails, NULL, &o, &r) == CPF_ERR_BENCH);
    CHECK(r.status == CPF_ERR_BENCH);
    CHECK_STR(r.message, "checksum mismatch");
    CHECK(r.samples_ns == NULL);
    cpf_result_free(&r);
}

static void bench_skips(cpf_bench *b) { cpf_bench_skip(b, "needs AVX2"); while (cpf_bench_loop(b)) {} }

static void test_a_skipped_benchmark_is_not_an_error(void)
{
    cpf_result r;
    CHECK(cpf_bench_run("skips", bench_skips, NULL, NULL, &r) == CPF_OK);
    CHECK(r.skipped == 1);
    CHECK_STR(r.message, "needs AVX2");
    cpf_result_free(&r);
}

static void bench_breaks(cpf_bench *b) { int i = 0; while (cpf_bench_loop(b)) if (++i > 3) break; }
static void bench_never_loops(cpf_bench *b) { (void)b; }

static void test_leaving_the_loop_early_is_reported(void)
{
    cpf_result r;
    CHECK(cpf_bench_run("breaks", bench_breaks, NULL, NULL, &r) == CPF_ERR_BENCH);
    CHECK(strstr(r.message, "returned before") != NULL);
    cpf_result_free(&r);
    CHECK(cpf_bench_run("never", bench_never_loops, NULL, NULL, &r) == CPF_ERR_BENCH);
    CHECK(strstr(r.message, "never called") != NULL);
    cpf_result_free(&r);
}

static void test_null_arguments_are_rejected(void)
{
    cpf_result r;
    CHECK(cpf_bench_run(NULL, bench_spin, NULL, NULL, &r) == CPF_ERR_ARG);
    CHECK(r.message[0] != 0);
    cpf_result_free(&r);
    CHECK(cpf_bench_run("x", NULL, NULL, NULL, &r) == CPF_ERR_ARG);
    cpf_result_free(&r);
    CHECK(cpf_bench_run("x", bench_spin, NULL, NULL, NULL) == CPF_ERR_ARG);
}

static void bench_slow(cpf_bench *b)
{
    while (cpf_bench_loop(b)) {
        uint64_t t0 = cpf_now_ns();
        while (cpf_now_ns() - t0 < 5000000u) { }
    }
}

static void test_budget_cut_warns_about_few_samples(void)
{
    cpf_bench_opts o = small_opts();
    cpf_result r;
    o.samples = 50;          /* 50 x 5 ms cannot fit in 40 ms */
    o.budget_ms = 40.0;
    o.iterations = 1;
    CHECK(cpf_bench_run("slow", bench_slow, NULL, &o, &r) == CPF_OK);
    CHECK(r.stats.n >= 1 && r.stats.n < 50);
    CHECK(r.warnings & CPF_WARN_FEW_SAMPLES);
    CHECK(strstr(r.warning_text, "budget") != NULL);
    cpf_result_free(&r);
}

static void test_quick_mode_stays_near_its_budget(void)
{
    cpf_bench_opts o;
    cpf_result r;
    memset(&o, 0, sizeof o);
    o.quick = 1;
    CHECK(cpf_bench_run("quick", bench_spin, NULL, &o, &r) == CPF_OK);
    CHECK(r.stats.n >= 1);
    /* 20 ms budget; generous slack for a loaded machine, still far below the
       2 s default budget, which is what this checks */
    CHECK_MSG(r.wall_ms < 1000.0, "quick run took %g ms", r.wall_ms);
    cpf_result_free(&r);
}

static void test_one_iteration_samples_warn_that_the_timer_is_coarse(void)
{
    cpf_bench_opts o = small_opts();
    cpf_result r;
    o.iterations = 1;
    o.samples = 5;
    CHECK(cpf_bench_run("coarse", bench_trivial, NULL, &o, &r) == CPF_OK);
    CHECK(r.warnings & CPF_WARN_TIMER_COARSE);
    CHECK(strstr(r.warning_text, "timer too coarse") != NULL);
    cpf_result_free(&r);
}

/* every other call spins 3x longer: a spread far over 5% of the median */
static unsigned g_toggle;
static void bench_bimodal(cpf_bench *b)
{
    while (cpf_bench_loop(b)) {
        uint64_t t0 = cpf_now_ns(), d = (g_toggle++ & 1u) ? 300000u : 100000u;
        while (cpf_now_ns() - t0 < d) { }
    }
}

/* 11 calls of 300 us in every 20 consecutive ones, 9 of 100 us: whatever
   call the 20 samples start at, the larger group is tight and the MAD about
   0; the IQR sees the two groups. */
static unsigned g_split;
static void bench_split_11_9(cpf_bench *b)
{
    while (cpf_bench_loop(b)) {
        uint64_t t0 = cpf_now_ns(), d = (g_split++ % 20u) < 11u ? 300000u : 100000u;
        while (cpf_now_ns() - t0 < d) { }
    }
}

static void test_a_bimodal_benchmark_is_warned_about_as_noisy(void)
{
    cpf_bench_opts o = small_opts();
    cpf_result r;
    o.iterations = 1;
    o.samples = 20;
    /* alternating 100 / 300 us: the MAD sees it (a busy machine can stretch
       a short call into the long group, and then the IQR does) */
    CHECK(cpf_bench_run("bimodal", bench_bimodal, NULL, &o, &r) == CPF_OK);
    CHECK(r.stats.n >= 3);
    CHECK(r.warnings & CPF_WARN_NOISY);
    CHECK_MSG(strstr(r.warning_text, "noisy: the spread (") != NULL, "%s", r.warning_text);
    CHECK(strstr(r.warning_text, "processes") == NULL);
    cpf_result_free(&r);
    /* 11 long and 9 short in any 20 consecutive calls */
    CHECK(cpf_bench_run("split", bench_split_11_9, NULL, &o, &r) == CPF_OK);
    CHECK(r.stats.n == 20);
    CHECK_MSG(r.warnings & CPF_WARN_NOISY, "MAD %g, IQR %g, median %g", r.stats.mad, r.stats.iqr, r.stats.median);
    CHECK_MSG(strstr(r.warning_text, "noisy: the spread (") != NULL, "%s", r.warning_text);
    cpf_result_free(&r);
}

static void test_unoptimised_caller_is_warned_about(void)
{
    cpf_bench_opts o = small_opts();
    cpf_result r;
    CHECK(cpf_bench_run_build("unopt", bench_spin, NULL, &o, &r, 0) == CPF_OK);
    CHECK(r.warnings & CPF_WARN_UNOPTIMIZED);
    cpf_result_free(&r);
}

static void test_do_not_optimize_accepts_every_scalar_type(void)
{
    char c = 'a'; int i = 1; unsigned long long u = 2; float f = 1.5f; double d = 2.5;
    long double ld = 3.5L; const char *p = "x"; short sh = 3;
    cpf_do_not_optimize(c); cpf_do_not_optimize(i); cpf_do_not_optimize(u);
    cpf_do_not_optimize(f); cpf_do_not_optimize(d); cpf_do_not_optimize(ld);
    cpf_do_not_optimize(p); cpf_do_not_optimize(sh); cpf_do_not_optimize(i + 1);
    cpf_clobber_memory();
    CHECK(i == 1 && d == 2.5);
}

/* Instruction counts come from the hardware (Linux perf_event_open) or not
   at all: where counting is impossible (no Linux, CORALPERF_NO_PERF, a VM
   without a virtual PMU, perf_event_paranoid 3) the kit says why. */
static void test_counters_available_says_why_not_and_keeps_its_answer(void)
{
    char why[256], small[8];
    int a = cpf_counters_available(why, sizeof why);
    CHECK(a == 0 || a == 1);
    if (!a) CHECK_MSG(strlen(why) > 10, "reason \"%s\"", why);
    CHECK(cpf_counters_available(NULL, 0) == a);  /* the probe is cached */
    memset(small, 'x', sizeof small);
    CHECK(cpf_counters_available(small, sizeof small) == a);
    CHECK(memchr(small, 0, sizeof small) != NULL); /* truncated, terminated */
    memset(small, 'x', sizeof small);
    cpf_counters_available(small, 0);
    CHECK(small[0] == 'x');                        /* cap 0: nothing written */
}

static void bench_spin1000(cpf_bench *b) { while (cpf_bench_loop(b)) cpf_do_not_optimize(spin_work(1000)); }
static void bench_spin4000(cpf_bench *b) { while (cpf_bench_loop(b)) cpf_do_not_optimize(spin_work(4000)); }

static void test_instructions_per_op_are_counted_or_absent_never_substituted(void)
{
    cpf_bench_opts o = small_opts();
    cpf_result r1, r4;
    int a = cpf_counters_available(NULL, 0);
    CHECK(cpf_bench_run("spin/1000", bench_spin1000, NULL, &o, &r1) == CPF_OK);
    CHECK(cpf_bench_run("spin/4000", bench_spin4000, NULL, &o, &r4) == CPF_OK);
    if (a) {
        /* spin_work(n) retires at least one instruction per loop turn, and
           four times the turns take about four times the instructions. */
        CHECK(r1.has_instructions && r4.has_instructions);
        CHECK_MSG(r1.instructions_per_op > 1000.0, "%g instructions per op", r1.instructions_per_op);
        CHECK_MSG(r4.instructions_per_op / r1.instructions_per_op > 3.0 &&
                  r4.instructions_per_op / r1.instructions_per_op < 5.0,
                  "%g vs %g instructions per op", r4.instructions_per_op, r1.instructions_per_op);
    } else {
        CHECK(!r1.has_instructions && r1.instructions_per_op == 0.0);
        CHECK(!r4.has_instructions && r4.instructions_per_op == 0.0);
    }
    cpf_result_free(&r1);
    cpf_result_free(&r4);
}

void tests_bench(void)
{
    RUN(test_calibration_makes_each_sample_last_the_minimum_time);
    RUN(test_exact_sample_count_is_honoured);
    RUN(test_fixed_iterations_are_not_calibrated);
    RUN(test_setup_runs_before_every_sample_and_is_not_timed);
    RUN(test_throughput_units_are_recorded);
    RUN(test_a_failing_benchmark_reports_its_message);
    RUN(test_a_skipped_benchmark_is_not_an_error);
    RUN(test_leaving_the_loop_early_is_reported);
    RUN(test_null_arguments_are_rejected);
    RUN(test_budget_cut_warns_about_few_samples);
    RUN(test_quick_mode_stays_near_its_budget);
    RUN(test_one_iteration_samples_warn_that_the_timer_is_coarse);
    RUN(test_a_bimodal_benchmark_is_warned_about_as_noisy);
    RUN(test_unoptimised_caller_is_warned_about);
    RUN(test_do_not_optimize_accepts_every_scalar_type);
    RUN(test_counters_available_says_why_not_and_keeps_its_answer);
    RUN(test_instructions_per_op_are_counted_or_absent_never_substituted);
}
