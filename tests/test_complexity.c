/* Scaling sweeps and the big-O fit. The fit is checked on synthetic costs
   (known class, +-3% multiplicative noise, a constant overhead) with fixed
   seeds; real sweeps only assert what a busy 2-core machine cannot blur:
   O(n) vs O(n^2) over a 64x size range is a 64x signal, and the sweep's stop
   reasons are structural (exact allocation counts, sizes, budgets). */
#include "coralperf.h"
#include "tinytest.h"
#include <math.h>
#include <stdlib.h>

/* --- synthetic costs ------------------------------------------------------ */
static uint64_t rng_state;
static double rng_pm1(void) /* uniform in [-1, 1) (xorshift64) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 4503599627370496.0 - 1.0;
}
static double class_f(cpf_big_o o, double n)
{
    double l = log(n) / log(2.0);
    switch (o) {
    case CPF_O_1: return 1;
    case CPF_O_LOG_N: return l;
    case CPF_O_N: return n;
    case CPF_O_N_LOG_N: return n * l;
    case CPF_O_N2: return n * n;
    default: return n * n * n;
    }
}
/* Sizes 16, 32, ... hi; cost = (overhead + coef f(n)) x (1 +- noise). */
static int synth(cpf_big_o o, double coef, double overhead, double noise, double hi, uint64_t seed,
                 double *n, double *t)
{
    int m = 0;
    double x;
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    for (x = 16; x <= hi; x *= 2, m++) {
        n[m] = x;
        t[m] = (overhead + coef * class_f(o, x)) * (1 + noise * rng_pm1());
    }
    return m;
}

/* Every class over 20 seeds: the fitted class is the true one. */
static void test_fit_picks_the_class_of_noisy_synthetic_costs(void)
{
    /* coefficients and overheads in ns, the size range as a sweep would reach */
    static const struct { cpf_big_o o; double coef, overhead, hi; } cases[] = {
        { CPF_O_1, 250, 0, 65536 },
        { CPF_O_LOG_N, 12, 30, 65536 },
        { CPF_O_N, 0.8, 40, 65536 },
        { CPF_O_N_LOG_N, 0.5, 40, 65536 },
        { CPF_O_N2, 0.3, 100, 8192 },
        { CPF_O_N3, 0.2, 100, 1024 },
    };
    size_t i;
    uint64_t seed;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (seed = 1; seed <= 20; seed++) {
            double n[32], t[32];
            int m = synth(cases[i].o, cases[i].coef, cases[i].overhead, 0.03, cases[i].hi, seed, n, t);
            cpf_complexity c;
            CHECK(cpf_complexity_fit(n, t, m, &c) == CPF_OK);
            CHECK_MSG(c.best == cases[i].o, "%s data (seed %d) fitted as %s (rms %.3f; true class rms %.3f)",
                      cpf_big_o_text(cases[i].o), (int)seed, cpf_big_o_text(c.best), c.rms, c.rms_of[cases[i].o]);
            CHECK(c.points == m);
            /* 3% uniform noise: the relative RMS error is about 3%/sqrt(3) */
            CHECK_MSG(c.rms < 0.04, "rms %.3f", c.rms);
            if (cases[i].o != CPF_O_1) /* the slope comes back within the noise */
                CHECK_MSG(fabs(c.coef / cases[i].coef - 1) < 0.1, "%s coef %g, true %g", cpf_big_o_text(c.best), c.coef,
                          cases[i].coef);
        }
}

/* A per-call overhead 10x the smallest size's work would make a fit
   through the origin flatter; the intercept absorbs it. */
static void test_fit_is_not_fooled_by_a_large_fixed_overhead(void)
{
    double n[32], t[32];
    cpf_complexity c;
    int m = synth(CPF_O_N, 1.0, 160, 0.0, 65536, 1, n, t); /* t = 160 + n: 11x the work at n = 16 */
    CHECK(cpf_complexity_fit(n, t, m, &c) == CPF_OK);
    CHECK_MSG(c.best == CPF_O_N, "fitted %s", cpf_big_o_text(c.best));
    CHECK_NEAR(c.coef, 1.0, 1e-9);
    CHECK(c.rms < 1e-9);
    m = synth(CPF_O_N2, 0.5, 5000, 0.0, 4096, 1, n, t);
    CHECK(cpf_complexity_fit(n, t, m, &c) == CPF_OK);
    CHECK_MSG(c.best == CPF_O_N2, "fitted %s", cpf_big_o_text(c.best));
    CHECK_NEAR(c.coef, 0.5, 1e-9);
}

/* Exact costs: every class's coefficient and error are what least squares
   gives by hand (t = 3 n: the n class fits exactly, n^2 cannot). */
static void test_fit_exact_linear_data(void)
{
    double n[] = { 10, 20, 40, 80 }, t[] = { 30, 60, 120, 240 };
    cpf_complexity c;
    CHECK(cpf_complexity_fit(n, t, 4, &c) == CPF_OK);
    CHECK(c.best == CPF_O_N);
    CHECK_NEAR(c.coef, 3.0, 1e-12);
    CHECK(c.rms < 1e-12);
    CHECK(c.rms_of[CPF_O_N2] > 0.05 && c.rms_of[CPF_O_1] > 0.3);
    CHECK(c.coef_of[CPF_O_N] == c.coef);
}

static void test_fit_rejects_bad_input(void)
{
    double n[] = { 16, 32, 64, 128 }, t[] = { 1, 2, 3, 4 };
    double bad_n[] = { 16, 0, 64, 128 }, neg_n[] = { 16, -32, 64, 128 }, nan_t[] = { 1, 2, 3, 4 };
    double same_n[] = { 16, 16, 64, 64 }, zero_t[] = { 0, 0, 0, 0 }, neg_t[] = { 1, -2, 3, 4 };
    cpf_complexity c;
    nan_t[2] = sqrt(-1.0 + 0 * t[0]);
    CHECK(cpf_complexity_fit(n, t, 2, &c) == CPF_ERR_ARG);   /* fewer than 3 points */
    CHECK(cpf_complexity_fit(n, t, 3, &c) == CPF_OK);
    CHECK(cpf_complexity_fit(bad_n, t, 4, &c) == CPF_ERR_ARG);
    CHECK(cpf_complexity_fit(neg_n, t, 4, &c) == CPF_ERR_ARG);
    CHECK(cpf_complexity_fit(n, nan_t, 4, &c) == CPF_ERR_ARG);
    CHECK(cpf_complexity_fit(same_n, t, 4, &c) == CPF_ERR_ARG); /* 2 distinct sizes */
    CHECK(cpf_complexity_fit(n, zero_t, 4, &c) == CPF_ERR_ARG);
    CHECK(cpf_complexity_fit(n, neg_t, 4, &c) == CPF_ERR_ARG);
    CHECK(cpf_complexity_fit(NULL, t, 4, &c) == CPF_ERR_ARG);
    CHECK(cpf_complexity_fit(n, t, 4, NULL) == CPF_ERR_ARG);
}

static void test_big_o_text(void)
{
    CHECK_STR(cpf_big_o_text(CPF_O_1), "O(1)");
    CHECK_STR(cpf_big_o_text(CPF_O_LOG_N), "O(log n)");
    CHECK_STR(cpf_big_o_text(CPF_O_N), "O(n)");
    CHECK_STR(cpf_big_o_text(CPF_O_N_LOG_N), "O(n log n)");
    CHECK_STR(cpf_big_o_text(CPF_O_N2), "O(n^2)");
    CHECK_STR(cpf_big_o_text(CPF_O_N3), "O(n^3)");
    CHECK_STR(cpf_big_o_text(CPF_O_COUNT), "O(?)");
}

/* --- the guard ------------------------------------------------------------ */
static cpf_complexity made_fit(cpf_big_o best, double rms, int points)
{
    cpf_complexity c;
    memset(&c, 0, sizeof c);
    c.best = best;
    c.rms = rms;
    c.points = points;
    c.coef = 1;
    return c;
}

static void test_check_complexity_verdicts(void)
{
    cpf_complexity c = made_fit(CPF_O_N2, 0.031, 8);
    cpf_verdict v = cpf_check_complexity(&c, CPF_O_N_LOG_N);
    CHECK(v.level == CPF_FAIL && !v.ok);
    CHECK_MSG(strstr(v.message, "fitted O(n^2) (rms 3.1%") && strstr(v.message, "allowed at most O(n log n)"), "%s", v.message);
    c = made_fit(CPF_O_N, 0.02, 8);
    v = cpf_check_complexity(&c, CPF_O_N_LOG_N);
    CHECK(v.level == CPF_PASS && v.ok);
    c = made_fit(CPF_O_N_LOG_N, 0.02, 8); /* the limit itself passes */
    CHECK(cpf_check_complexity(&c, CPF_O_N_LOG_N).level == CPF_PASS);
    /* unreliable fits warn, whichever side they fall */
    c = made_fit(CPF_O_N3, 0.02, 3);
    v = cpf_check_complexity(&c, CPF_O_N);
    CHECK(v.level == CPF_WARN && v.ok);
    CHECK_MSG(strstr(v.message, "unreliable") && strstr(v.message, "fewer than 4 sizes"), "%s", v.message);
    c = made_fit(CPF_O_N3, 0.35, 10);
    v = cpf_check_complexity(&c, CPF_O_N);
    CHECK(v.level == CPF_WARN && strstr(v.message, "rms error above 20%"));
    c = made_fit(CPF_O_1, 0, 2);
    v = cpf_check_complexity(&c, CPF_O_N);
    CHECK(v.level == CPF_WARN && strstr(v.message, "no complexity fit"));
    CHECK(cpf_check_complexity(NULL, CPF_O_N).level == CPF_WARN);
}

#if !defined(TEST_EMBEDDED)
/* --- real sweeps (not on the bare-metal target: timings under qemu) -------- */
/* Under valgrind (make test-all) timings are the translator's, not the
   code's: the sweeps still run and stop as they should, but which class
   they fit is not checked. Its preload library gives it away. */
static int timings_are_real(void)
{
    const char *pre = getenv("LD_PRELOAD");
    return !(pre && strstr(pre, "vgpreload"));
}

static uint32_t work_buf[65536];

static void bench_linear(cpf_bench *b)
{
    int64_t n = cpf_bench_arg(b), i;
    while (cpf_bench_loop(b)) {
        uint32_t s = 0;
        cpf_clobber_memory(); /* the buffer may have changed: no hoisting the loop out */
        for (i = 0; i < n; i++) s = s * 31u + work_buf[i & 65535];
        cpf_do_not_optimize(s);
    }
}

static void bench_quadratic(cpf_bench *b)
{
    int64_t n = cpf_bench_arg(b), i, j;
    while (cpf_bench_loop(b)) {
        uint32_t s = 0;
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) s = s * 31u + (uint32_t)(i ^ j);
        cpf_do_not_optimize(s);
    }
}

static cpf_sweep_opts sweep_opts(int64_t start, int64_t max_n)
{
    cpf_sweep_opts o;
    memset(&o, 0, sizeof o);
    o.start = start;
    o.max_n = max_n;
    o.factor = 2;
    return o;
}

/* O(n) vs O(n^2) over a 64x range of sizes: the quadratic loop's cost
   grows 64x more. The quadratic sizes stay small (16..1024, at most about
   1 ms an op) so that every size gets several samples in quick mode, and a
   preempted sample cannot become a median. */
static void test_sweep_tells_linear_from_quadratic(void)
{
    cpf_sweep_opts o = sweep_opts(64, 4096), oq = sweep_opts(16, 1024);
    cpf_sweep_result lin, quad;
    char msg[256];
    cpf_verdict v;
    int i;
    CHECK(cpf_sweep_run("linear", bench_linear, NULL, &o, &lin, msg, sizeof msg) == CPF_OK);
    CHECK(cpf_sweep_run("quadratic", bench_quadratic, NULL, &oq, &quad, msg, sizeof msg) == CPF_OK);
    CHECK(lin.count == 7 && quad.count == 7);
    for (i = 0; i < lin.count; i++) CHECK(lin.n[i] == (int64_t)64 << i && lin.ns[i] > 0);
    CHECK_MSG(strstr(lin.stopped, "size limit") != NULL, "%s", lin.stopped);
    CHECK(lin.fit.points == 7 && quad.fit.points == 7);
    if (timings_are_real()) {
        CHECK_MSG(lin.fit.best == CPF_O_N || lin.fit.best == CPF_O_N_LOG_N, "linear loop fitted %s (rms %.3f)",
                  cpf_big_o_text(lin.fit.best), lin.fit.rms);
        CHECK_MSG(quad.fit.best == CPF_O_N2, "quadratic loop fitted %s (rms %.3f)", cpf_big_o_text(quad.fit.best),
                  quad.fit.rms);
        v = cpf_check_complexity(&quad.fit, CPF_O_N_LOG_N);
        CHECK_MSG(!v.ok || v.level == CPF_WARN, "%s", v.message); /* fails (or warns when the machine was too noisy) */
        v = cpf_check_complexity(&lin.fit, CPF_O_N_LOG_N);
        CHECK_MSG(v.ok, "%s", v.message);
    }
    cpf_sweep_result_free(&lin);
    cpf_sweep_result_free(&quad);
    CHECK(lin.n == NULL && lin.count == 0);
}

/* One op busy-waits n microseconds: over max_time_ms = 1 at n >= 1024 at
   the latest (a busy machine can only make it stop earlier). */
static void bench_wait_n_us(cpf_bench *b)
{
    int64_t n = cpf_bench_arg(b);
    while (cpf_bench_loop(b)) {
        uint64_t t0 = cpf_now_ns();
        while (cpf_now_ns() - t0 < (uint64_t)n * 1000u) { }
    }
}

static void test_sweep_stops_at_the_time_limit(void)
{
    cpf_sweep_opts o = sweep_opts(16, 1 << 20);
    cpf_sweep_result r;
    char msg[256];
    o.max_time_ms = 1;
    CHECK(cpf_sweep_run("wait", bench_wait_n_us, NULL, &o, &r, msg, sizeof msg) == CPF_OK);
    CHECK_MSG(strncmp(r.stopped, "time limit: one op at n=", 24) == 0, "%s", r.stopped);
    CHECK(r.count >= 1 && r.n[r.count - 1] <= 1024);
    CHECK(r.ns[r.count - 1] > 1e6);
    CHECK(strstr(r.stopped, "over max_time_ms (1.000 ms)") != NULL);
    cpf_sweep_result_free(&r);
}

/* One op allocates n KiB through cpf_malloc (counted exactly): with a
   1.5 MiB budget the sweep measures 1024 KiB and refuses 2048 KiB. */
static void bench_alloc_n_kib(cpf_bench *b)
{
    int64_t n = cpf_bench_arg(b);
    while (cpf_bench_loop(b)) {
        char *p = (char *)cpf_malloc((size_t)n * 1024);
        if (!p) { cpf_bench_fail(b, "out of memory"); break; }
        memset(p, 1, (size_t)n * 1024);
        cpf_do_not_optimize(p[n * 512]);
        cpf_free(p);
    }
}

static void test_sweep_stops_before_the_memory_budget(void)
{
    cpf_sweep_opts o = sweep_opts(64, 1 << 20);
    cpf_sweep_result r;
    char msg[256];
    int i;
    o.max_bytes = 1.5 * 1048576;
    CHECK(cpf_sweep_run("alloc", bench_alloc_n_kib, NULL, &o, &r, msg, sizeof msg) == CPF_OK);
    CHECK_MSG(strncmp(r.stopped, "memory limit: n=", 16) == 0, "%s", r.stopped);
    CHECK_MSG(r.count == 5 && r.n[r.count - 1] == 1024, "%d sizes, last %lld: %s", r.count,
              (long long)(r.count ? r.n[r.count - 1] : 0), r.stopped);
    for (i = 0; i < r.count; i++) CHECK_NEAR(r.bytes[i], (double)r.n[i] * 1024, 1e-6); /* exact counts */
    CHECK_MSG(strstr(r.stopped, "n=2048 would use about 2.00 MiB per op, over max_bytes (1.50 MiB)") != NULL, "%s", r.stopped);
    CHECK(r.fit.points == 5);
    cpf_sweep_result_free(&r);
}

static void test_sweep_stops_when_its_budget_is_spent(void)
{
    cpf_sweep_opts o = sweep_opts(16, (int64_t)1 << 30);
    cpf_sweep_result r;
    char msg[256];
    o.budget_ms = 30; /* quick runs take about 22 ms a size */
    CHECK(cpf_sweep_run("lin", bench_linear, NULL, &o, &r, msg, sizeof msg) == CPF_OK);
    CHECK_MSG(strncmp(r.stopped, "time budget: the sweep's budget_ms (30.00 ms) is spent", 54) == 0, "%s", r.stopped);
    CHECK(r.count >= 1 && r.n[r.count - 1] < (int64_t)1 << 30);
    CHECK(r.fit.points == r.count); /* fitted when 3 or more, else none */
    cpf_sweep_result_free(&r);
}

static void bench_fails_at_64(cpf_bench *b)
{
    if (cpf_bench_arg(b) >= 64) { cpf_bench_fail(b, "too big"); return; }
    while (cpf_bench_loop(b)) cpf_do_not_optimize(cpf_bench_arg(b));
}

static void test_sweep_errors(void)
{
    cpf_sweep_opts o = sweep_opts(16, 1024);
    cpf_sweep_result r;
    char msg[256];
    o.factor = 1;
    CHECK(cpf_sweep_run("x", bench_linear, NULL, &o, &r, msg, sizeof msg) == CPF_ERR_ARG);
    CHECK(strstr(msg, "factor > 1") != NULL);
    CHECK(r.count == 0 && r.n == NULL);
    CHECK(cpf_sweep_run(NULL, bench_linear, NULL, NULL, &r, msg, sizeof msg) == CPF_ERR_ARG);
    o = sweep_opts(16, 1024);
    CHECK(cpf_sweep_run("fails", bench_fails_at_64, NULL, &o, &r, msg, sizeof msg) != CPF_OK);
    CHECK_MSG(r.count == 2 && strstr(r.stopped, "size 64 failed: too big"), "%d: %s", r.count, r.stopped);
    CHECK(strcmp(msg, r.stopped) == 0);
    cpf_sweep_result_free(&r);
}

/* --- suite integration ------------------------------------------------------ */
typedef tt_capture capture; /* suite output into memory (tinytest.h) */

static const cpf_guard *find_guard(const cpf_suite *s, const char *name)
{
    size_t i;
    for (i = 0; i < cpf_suite_guard_count(s); i++)
        if (strcmp(cpf_suite_guard(s, i)->name, name) == 0) return cpf_suite_guard(s, i);
    return NULL;
}

static void test_suite_complexity_adds_a_guard_per_family(void)
{
    cpf_suite s;
    capture c = { NULL, 0, 0 };
    char *argv[] = { (char *)"prog", (char *)"--quick", (char *)"--no-baseline", NULL };
    const cpf_guard *gl, *gq, *gm, *g2;
    static const int64_t two_sizes[] = { 64, 128 };
    memset(&s, 0, sizeof s);
    cpf_suite_init(&s, "cx");
    CHECK(cpf_suite_add_range(&s, "lin", bench_linear, NULL, NULL, 64, 4096, 2) == CPF_OK);
    CHECK(cpf_suite_add_range(&s, "quad", bench_quadratic, NULL, NULL, 16, 1024, 2) == CPF_OK);
    CHECK(cpf_suite_add(&s, "plain", bench_linear, NULL) == CPF_OK); /* no sizes: not fitted */
    CHECK(cpf_suite_add_args(&s, "two", bench_linear, NULL, NULL, two_sizes, 2) == CPF_OK);
    CHECK(cpf_suite_complexity(&s, "two", CPF_O_N) == CPF_OK);
    CHECK(cpf_suite_complexity(&s, "lin/*", CPF_O_N_LOG_N) == CPF_OK);
    CHECK(cpf_suite_complexity(&s, "quad*", CPF_O_N_LOG_N) == CPF_OK);
    CHECK(cpf_suite_complexity(&s, "nothing*", CPF_O_N) == CPF_OK);
    CHECK(cpf_suite_complexity(&s, "", CPF_O_N) == CPF_ERR_ARG);
    s.status = CPF_OK; /* the bad registration above would fail the run */
    s.message[0] = 0;
    cpf_suite_set_output(&s, tt_capture_write, &c);
    cpf_suite_run(&s, 3, argv);
    gl = find_guard(&s, "lin/*");
    gq = find_guard(&s, "quad/*");
    gm = find_guard(&s, "nothing*");
    CHECK(gl && gq && gm);
    if (gl && gq && gm) {
        CHECK_STR(gl->what, "complexity <= O(n log n)");
        CHECK_STR(gq->what, "complexity <= O(n log n)");
        CHECK(strncmp(gq->verdict.message, "quad/*: fitted O(", 17) == 0);
        CHECK(gm->verdict.level == CPF_WARN);
        if (timings_are_real()) {
            CHECK_MSG(gl->verdict.ok, "%s", gl->verdict.message);
            CHECK_MSG(gq->verdict.level == CPF_FAIL || gq->verdict.level == CPF_WARN, "%s", gq->verdict.message);
            CHECK_MSG(strstr(gq->verdict.message, "quad/*: fitted O(n^2)") != NULL, "%s", gq->verdict.message);
        }
    }
    CHECK_MSG(strstr(c.buf, "\ncomplexity (") && strstr(c.buf, "  quad/*: O(") && strstr(c.buf, "(<= O(n log n): ") &&
              strstr(c.buf, "  lin/*: O("), "%s", c.buf);
    if (timings_are_real()) CHECK(strstr(c.buf, "  quad/*: O(n^2), coef ") && strstr(c.buf, "  lin/*: O(n"));
    CHECK(find_guard(&s, "plain/*") == NULL);
    g2 = find_guard(&s, "two/*"); /* 2 sizes: warns that it cannot fit */
    CHECK(g2 && g2->verdict.level == CPF_WARN && strstr(g2->verdict.message, "no complexity fit"));
    CHECK(strstr(c.buf, "  two/*: no fit from 2 sizes (<= O(n): warn)") != NULL);
    if (gq && gq->verdict.level == CPF_FAIL) CHECK(cpf_suite_finish(&s) == 1);
    else cpf_suite_finish(&s);
    CHECK(s.complexity == NULL);
    free(c.buf);
}
#endif

void tests_complexity(void)
{
#if !defined(TEST_EMBEDDED)
    uint32_t i;
    for (i = 0; i < 65536; i++) work_buf[i] = i * 2654435761u; /* not all zero: nothing to fold away */
#endif
    RUN(test_fit_picks_the_class_of_noisy_synthetic_costs);
    RUN(test_fit_is_not_fooled_by_a_large_fixed_overhead);
    RUN(test_fit_exact_linear_data);
    RUN(test_fit_rejects_bad_input);
    RUN(test_big_o_text);
    RUN(test_check_complexity_verdicts);
#if !defined(TEST_EMBEDDED)
    RUN(test_sweep_tells_linear_from_quadratic);
    RUN(test_sweep_stops_at_the_time_limit);
    RUN(test_sweep_stops_before_the_memory_budget);
    RUN(test_sweep_stops_when_its_budget_is_spent);
    RUN(test_sweep_errors);
    RUN(test_suite_complexity_adds_a_guard_per_family);
#endif
}
