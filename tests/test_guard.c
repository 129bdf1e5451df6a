/* Guards: absolute budgets decided on confidence intervals (synthetic
   results with known statistics), budgets in a suite and the exit codes,
   the guard list and its reports (JUnit, Markdown, JSON, rankings), calls
   mode with failing operations, the confirmation re-run and per-benchmark
   thresholds. Suite tests write under build/test/ (tests/run.sh then feeds
   build/test/guard_junit.xml to xmllint and guard_report.json to python).
   Timed tests use benchmarks whose operations last a set wall time (they
   spin on the clock) and 3x effects against an 80% fail threshold: a CPU-
   bound operation drifts by up to 2-4x between two runs on a shared machine
   (a neighbour on the other hyperthread), a clock-bound one only gets
   outliers from descheduling, which the median ignores. */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* setenv */
#endif
#include "coralperf.h"
#include "tinytest.h"
#include <stdlib.h>

typedef tt_capture capture; /* suite output into memory (tinytest.h) */
static const char *text(const capture *c) { return c->buf ? c->buf : ""; }

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)calloc((size_t)n + 1, 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    return buf;
}

static int starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    const char *p = hay;
    while (p && (p = strstr(p, needle)) != NULL) { n++; p += strlen(needle); }
    return n;
}

/* ---- synthetic results ------------------------------------------------------ */

/* A result as the runner would leave it: n samples of one call each. */
static void fake(cpf_result *r, const char *name, const double *x, size_t n)
{
    memset(r, 0, sizeof *r);
    r->name = (char *)malloc(strlen(name) + 1);
    strcpy(r->name, name);
    r->samples_ns = (double *)malloc(n * sizeof(double));
    memcpy(r->samples_ns, x, n * sizeof(double));
    r->iterations = 1;
    r->total_iterations = r->attempts = n;
    CHECK(cpf_stats_compute(x, n, &r->stats) == CPF_OK);
}
static void unfake(cpf_result *r) { free(r->name); free(r->samples_ns); memset(r, 0, sizeof *r); }

/* n values spread evenly over med * (1 -+ rel); for odd n the median is med. */
static void spread(double *x, size_t n, double med, double rel)
{
    size_t i;
    for (i = 0; i < n; i++) x[i] = med * (1.0 + rel * (2.0 * (double)i / (double)(n - 1) - 1.0));
}

static cpf_verdict check1(const double *x, size_t n, const cpf_budget *b)
{
    cpf_result r;
    cpf_verdict v;
    fake(&r, "infer", x, n);
    v = cpf_check_budget(&r, b);
    unfake(&r);
    return v;
}

#define HAS(v, s) CHECK_MSG(strstr((v).message, s) != NULL, "'%s' not in \"%s\"", s, (v).message)

static void test_median_budget_is_decided_on_the_confidence_interval(void)
{
    double x[21];
    cpf_budget b = cpf_budget_make(CPF_BUDGET_MEDIAN, 1e6, 0); /* 1 ms */
    cpf_verdict v;
    spread(x, 21, 0.9e6, 0.01);   /* 0.9x the limit, CI within +-1% */
    v = check1(x, 21, &b);
    CHECK(v.level == CPF_PASS && v.ok);
    CHECK_NEAR(v.observed, 0.9e6, 1e-6);
    CHECK(v.limit == 1e6);
    HAS(v, "infer: median 900.0 us");  /* observed */
    HAS(v, "limit 1.000 ms");          /* limit */
    HAS(v, "10.0% under");             /* margin */
    HAS(v, "is below the limit");
    spread(x, 21, 1.2e6, 0.01);   /* 1.2x: the whole CI is above */
    v = check1(x, 21, &b);
    CHECK(v.level == CPF_FAIL && !v.ok);
    HAS(v, "median 1.200 ms");
    HAS(v, "20.0% over");
    HAS(v, "entirely above");
    spread(x, 21, 1.0e6, 0.10);   /* median at the limit, CI about +-5%: inconclusive */
    v = check1(x, 21, &b);
    CHECK(v.level == CPF_WARN && v.ok);
    HAS(v, "straddles");
}

/* Below 6 samples no order statistic bounds the median at 95%: however far
   from the limit they are, the verdict is in doubt (a warning that says
   why); from 6 on, min .. max covers it 96.9% of the time and decides. */
static void test_a_median_budget_on_fewer_than_6_samples_is_in_doubt(void)
{
    double x[6];
    cpf_budget b = cpf_budget_make(CPF_BUDGET_MEDIAN, 1e6, 0), tp = cpf_budget_make(CPF_BUDGET_THROUGHPUT, 5e4, 0);
    cpf_result r;
    cpf_verdict v;
    size_t n;
    for (n = 1; n <= 6; n++) {
        spread(x, 6, 3e6, 0.01);  /* 3x the limit */
        v = check1(x, n, &b);
        if (n < 6) {
            CHECK_MSG(v.level == CPF_WARN && v.ok, "n=%lu: %s", (unsigned long)n, v.message);
            HAS(v, "cannot bound the median at 95% (6 can): in doubt");
            CHECK(strstr(v.message, "95% CI") == NULL && strstr(v.message, "entirely") == NULL);
        } else {
            CHECK_MSG(v.level == CPF_FAIL && !v.ok, "n=6: %s", v.message);
            HAS(v, "95% CI 2.970 ms .. 3.030 ms is entirely above the limit");
            CHECK(strstr(v.message, "in doubt") == NULL);
        }
        spread(x, 6, 0.3e6, 0.01); /* 0.3x the limit */
        v = check1(x, n, &b);
        CHECK_MSG(v.level == (n < 6 ? CPF_WARN : CPF_PASS), "n=%lu: %s", (unsigned long)n, v.message);
    }
    HAS(v, "is below the limit");
    /* a throughput budget is decided on the same interval */
    spread(x, 6, 1e6, 0.01);       /* 1 ms per op, 100 items: 100k items/s, twice the minimum */
    fake(&r, "batch", x, 3);
    r.items_per_op = 100;
    v = cpf_check_budget(&r, &tp);
    CHECK_MSG(v.level == CPF_WARN, "%s", v.message);
    HAS(v, "3 samples cannot bound the median at 95%");
    unfake(&r);
    fake(&r, "batch", x, 6);
    r.items_per_op = 100;
    v = cpf_check_budget(&r, &tp);
    CHECK_MSG(v.level == CPF_PASS, "%s", v.message);
    unfake(&r);
}

static void test_p95_budget_says_when_the_samples_cannot_bound_it(void)
{
    double x[100];
    size_t i, lo, hi;
    cpf_budget b = cpf_budget_make(CPF_BUDGET_P95, 1e6, 0);
    cpf_verdict v;
    /* The upper bound needs P(all n below p95) = 0.95^n <= 2.5%: n >= 72
       (0.95^71 = 0.0262, 0.95^72 = 0.0249). */
    cpf_quantile_ci_ranks(20, 0.95, 0.95, &lo, &hi);
    CHECK(hi == 21);
    cpf_quantile_ci_ranks(71, 0.95, 0.95, &lo, &hi);
    CHECK(hi == 72);
    cpf_quantile_ci_ranks(72, 0.95, 0.95, &lo, &hi);
    CHECK(hi == 72);
    /* 20 samples well below: passes, with the note */
    spread(x, 20, 0.6e6, 0.2);
    v = check1(x, 20, &b);
    CHECK(v.level == CPF_PASS);
    HAS(v, "20 samples cannot bound p95 from above (72 can)");
    /* one of 20 above the limit: p95 estimated below it, but the max stands in
       for the upper bound, so the verdict is inconclusive, not a pass */
    x[19] = 1.5e6;
    v = check1(x, 20, &b);
    CHECK(v.observed < 1e6);
    CHECK(v.level == CPF_WARN);
    /* one sample above the limit: it is above p95 5% of the time, so it
       cannot bound p95 from below: in doubt, not a failure; two can */
    x[0] = 3e6;
    v = check1(x, 1, &b);
    CHECK_MSG(v.level == CPF_WARN, "%s", v.message);
    HAS(v, "1 sample cannot bound p95 from below (2 can)");
    HAS(v, "1 sample cannot bound p95 from above (72 can)");
    x[1] = 3.1e6;
    v = check1(x, 2, &b);
    CHECK_MSG(v.level == CPF_FAIL, "%s", v.message);
    CHECK(strstr(v.message, "from below") == NULL);
    /* 100 samples well below: passes, no note */
    spread(x, 100, 0.6e6, 0.2);
    v = check1(x, 100, &b);
    CHECK(v.level == CPF_PASS);
    CHECK(strstr(v.message, "cannot bound") == NULL);
    HAS(v, "p95");
    /* 100 samples, the slowest 20 at 2x the limit: p95's lower bound (rank
       about 91) is among them: fails */
    for (i = 0; i < 100; i++) x[i] = i < 80 ? 0.5e6 + (double)i : 2e6 + (double)i;
    v = check1(x, 100, &b);
    CHECK(v.level == CPF_FAIL);
    CHECK(v.observed >= 2e6);
}

static void test_max_budget_fails_on_any_sample_over_the_limit(void)
{
    double x[21];
    cpf_budget b = cpf_budget_make(CPF_BUDGET_MAX, 1e6, 0);
    cpf_verdict v;
    spread(x, 21, 0.5e6, 0.5); /* max 0.75 ms */
    v = check1(x, 21, &b);
    CHECK(v.level == CPF_PASS);
    HAS(v, "slowest of 21 samples");
    HAS(v, "750.0 us");
    x[7] = 1.01e6;
    v = check1(x, 21, &b);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "exceeds");
    HAS(v, "1.0% over");
}

static void test_compliance_budget_uses_the_wilson_interval(void)
{
    /* 90% of 100 calls within 1 ms. Wilson 95% intervals (z = 1.96):
       95/100 [0.888, 0.978]; 85/100 [0.767, 0.907]; 70/100 [0.604, 0.781]. */
    double x[100];
    size_t i;
    cpf_budget b = cpf_budget_make(CPF_BUDGET_COMPLIANCE, 1e6, 0.9);
    cpf_verdict v;
    for (i = 0; i < 100; i++) x[i] = i < 95 ? 0.5e6 : 2e6;
    v = check1(x, 100, &b);
    CHECK(v.level == CPF_PASS);
    HAS(v, "95.0%");
    HAS(v, "(95 of 100)");
    HAS(v, "required 90%");
    for (i = 0; i < 100; i++) x[i] = i < 85 ? 0.5e6 : 2e6;
    v = check1(x, 100, &b);
    CHECK(v.level == CPF_WARN); /* 85% < 90%, but 90% is inside [76.7%, 90.7%] */
    HAS(v, "90.7%");
    for (i = 0; i < 100; i++) x[i] = i < 70 ? 0.5e6 : 2e6;
    v = check1(x, 100, &b);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "78.1%");
    HAS(v, "1.000 ms"); /* the limit the calls are held to */
}

static void test_throughput_budget_needs_items_per_op(void)
{
    double x[21];
    cpf_result r;
    cpf_budget b = cpf_budget_make(CPF_BUDGET_THROUGHPUT, 5e4, 0); /* 50k items/s */
    cpf_verdict v;
    spread(x, 21, 1e6, 0.01); /* 1 ms per op */
    fake(&r, "batch", x, 21);
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "cpf_bench_set_items_per_op");
    b.bytes = 1;
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "cpf_bench_set_bytes_per_op");
    b.bytes = 0;
    r.items_per_op = 100; /* 100 items per 1 ms op: 100k items/s */
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_PASS);
    CHECK_NEAR(v.observed, 1e5, 1e-6);
    HAS(v, "throughput 100 kitems/s");
    HAS(v, "minimum 50.0 kitems/s");
    HAS(v, "100.0% above");
    b.limit = 2e5;
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "50.0% below");
    b.limit = 1e5; /* exactly the estimate: the CI straddles it */
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_WARN);
    unfake(&r);
}

static void test_success_budget_counts_attempts_and_failures(void)
{
    /* Wilson 95%: 95/100 [0.888, 0.978]; 88/100 [0.802, 0.930]; 80/100 [0.711, 0.867]. */
    double x[21];
    cpf_result r;
    cpf_budget b = cpf_budget_make(CPF_BUDGET_SUCCESS, 0, 0.9);
    cpf_verdict v;
    spread(x, 21, 1e3, 0.01);
    fake(&r, "flaky", x, 21);
    r.attempts = 100;
    r.failures = 5;
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_PASS);
    HAS(v, "success rate 95.0% (95 of 100)");
    r.failures = 12;
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_WARN);
    r.failures = 20;
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "86.7%");
    /* without attempts (a result from elsewhere) the iterations count */
    r.attempts = 0;
    r.total_iterations = 100;
    r.failures = 5;
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_PASS);
    unfake(&r);
}

static void test_memory_budgets_need_a_measurement(void)
{
    double x[21];
    cpf_result r;
    cpf_budget a = cpf_budget_make(CPF_BUDGET_ALLOC, 200, 0), g = cpf_budget_make(CPF_BUDGET_RSS, 1048576, 0);
    cpf_verdict v;
    spread(x, 21, 1e3, 0.01);
    fake(&r, "load", x, 21);
    v = cpf_check_budget(&r, &a);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "memory was not measured");
    HAS(v, "--memory");
    r.has_memory = 1;
    r.alloc_bytes_per_op = 100;
    v = cpf_check_budget(&r, &a);
    CHECK(v.level == CPF_PASS);
    HAS(v, "allocated 100.0 B per op, limit 200.0 B (50.0% under)");
    a.limit = 50;
    v = cpf_check_budget(&r, &a);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "100.0% over");
    v = cpf_check_budget(&r, &g); /* memory measured, but no RSS figure */
    CHECK(v.level == CPF_WARN);
    HAS(v, "does not report RSS");
    r.has_rss = 1;
    r.rss_growth_bytes = 2097152;
    v = cpf_check_budget(&r, &g);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "RSS growth 2.00 MiB, limit 1.00 MiB (100.0% over)");
    g.limit = 0;
    r.rss_growth_bytes = 0;
    v = cpf_check_budget(&r, &g);
    CHECK(v.level == CPF_PASS);
    HAS(v, "no growth allowed");
    unfake(&r);
}

static void test_warn_only_downgrades_a_failure_to_a_warning(void)
{
    double x[21];
    cpf_budget b = cpf_budget_make(CPF_BUDGET_MEDIAN, 1e6, 0);
    cpf_verdict v;
    b.warn_only = 1;
    spread(x, 21, 1.2e6, 0.01);
    v = check1(x, 21, &b);
    CHECK(v.level == CPF_WARN && v.ok);
    HAS(v, "20.0% over");
    HAS(v, "(warning only)");
    spread(x, 21, 0.9e6, 0.01);
    v = check1(x, 21, &b);
    CHECK(v.level == CPF_PASS);
    CHECK(strstr(v.message, "warning only") == NULL);
}

static void test_invalid_budgets_and_missing_results_fail_with_a_message(void)
{
    double x[21];
    cpf_result r;
    cpf_budget b;
    cpf_verdict v;
    spread(x, 21, 1e3, 0.01);
    fake(&r, "x", x, 21);
    b = cpf_budget_make(CPF_BUDGET_COMPLIANCE, 1e6, 0); /* fraction 0 */
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "invalid budget");
    b = cpf_budget_make(CPF_BUDGET_SUCCESS, 0, 1.5);
    b.warn_only = 1; /* warn_only does not soften a mistake in the budget */
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "fraction in (0, 1]");
    b = cpf_budget_make(CPF_BUDGET_MEDIAN, -1, 0);
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "limit must be >= 0");
    b = cpf_budget_make(CPF_BUDGET_MAX, NAN, 0);
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_FAIL);
    b = cpf_budget_make((cpf_budget_kind)99, 1, 0);
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "unknown budget");
    b = cpf_budget_make(CPF_BUDGET_MEDIAN, 1e6, 0);
    v = cpf_check_budget(NULL, &b);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "must not be NULL");
    v = cpf_check_budget(&r, NULL);
    CHECK(v.level == CPF_FAIL);
    r.status = CPF_ERR_BENCH;
    strcpy(r.message, "model file missing");
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_FAIL);
    HAS(v, "no result to check (model file missing)");
    r.status = CPF_OK;
    r.skipped = 1;
    strcpy(r.message, "no GPU");
    v = cpf_check_budget(&r, &b);
    CHECK(v.level == CPF_WARN);
    HAS(v, "skipped (no GPU)");
    unfake(&r);
}

/* ---- benchmarks with a known cost ------------------------------------------- */

#define SLOWER 3                   /* the regression the comparison tests inject */
static uint64_t g_work_ns = 20000; /* wall time of one operation of bench_work */
static unsigned g_slow_runs;       /* the next runs of bench_work take g_slow_factor x as long */
static unsigned g_slow_factor = SLOWER;
static unsigned g_runs;            /* how many times bench_work ran */

static void bench_work(cpf_bench *b)
{
    uint64_t ns = g_work_ns;
    g_runs++;
    if (g_slow_runs) { g_slow_runs--; ns *= g_slow_factor; }
    while (cpf_bench_loop(b)) {
        uint64_t t0 = cpf_now_ns();
        while (cpf_now_ns() - t0 < ns) {}
    }
}

/* Every run here may take up to 500 ms per benchmark: quick mode's 20 ms can
   leave fewer than 6 samples on a loaded machine or under valgrind, and a
   median budget on fewer than 6 samples is in doubt (a warning). */
#define ROOM "--budget-ms=500"

static int run(cpf_suite *s, capture *out, int argc, const char *a1, const char *a2, const char *a3,
               const char *a4, const char *a5)
{
    char *argv[9];
    const char *a[5];
    int i, n = 1;
    a[0] = a1; a[1] = a2; a[2] = a3; a[3] = a4; a[4] = a5;
    argv[0] = (char *)"prog";
    for (i = 0; i < argc && i < 5; i++) if (a[i]) argv[n++] = (char *)a[i];
    argv[n++] = (char *)ROOM;
    argv[n] = NULL;
    cpf_suite_set_output(s, tt_capture_write, out);
    cpf_suite_run(s, n, argv);
    return cpf_suite_finish(s);
}

/* A suite of two benchmarks with a median budget on the infer ones only. */
static int run_budget(double limit_ns, int warn_only, capture *out, size_t *nguards, cpf_guard *first)
{
    cpf_suite s;
    cpf_budget b = cpf_budget_make(CPF_BUDGET_MEDIAN, limit_ns, 0);
    b.warn_only = warn_only;
    cpf_suite_init(&s, "budgets");
    cpf_suite_add(&s, "infer/small", bench_work, NULL);
    cpf_suite_add(&s, "load/model", bench_work, NULL);
    CHECK(cpf_suite_budget(&s, "infer/*", &b) == CPF_OK);
    memset(out, 0, sizeof *out);
    cpf_suite_set_output(&s, tt_capture_write, out);
    {
        char *argv[] = { (char *)"prog", (char *)"--quick", (char *)"--no-baseline", (char *)ROOM, NULL };
        cpf_suite_run(&s, 4, argv);
    }
    *nguards = cpf_suite_guard_count(&s);
    if (*nguards) {
        *first = *cpf_suite_guard(&s, 0);
        first->name = NULL; /* freed with the suite */
    }
    CHECK(cpf_suite_guard(&s, *nguards) == NULL);
    return cpf_suite_finish(&s);
}

static void test_suite_budgets_give_exit_codes_0_1_and_2(void)
{
    capture c;
    size_t n;
    cpf_guard g;
    int rc;
    memset(&g, 0, sizeof g);
    rc = run_budget(1e9, 0, &c, &n, &g); /* 1 s: 50000 x the cost */
    CHECK_MSG(rc == 0, "exit %d\n%s", rc, text(&c));
    CHECK(n == 1); /* one budget x the one matching benchmark */
    CHECK_STR(g.what, "median <= 1.000 s");
    CHECK(g.verdict.level == CPF_PASS);
    CHECK(strstr(text(&c), "budgets\n  ok    infer/small: median") != NULL);
    CHECK(strstr(text(&c), "guards: 1 passed, 0 warned, 0 failed (1 budget checks) -> exit 0") != NULL);
    free(c.buf);
    rc = run_budget(10, 0, &c, &n, &g); /* 10 ns: 1/2000 of the cost */
    CHECK_MSG(rc == 1, "exit %d\n%s", rc, text(&c));
    CHECK(n == 1 && g.verdict.level == CPF_FAIL && strstr(g.verdict.message, "entirely above") != NULL);
    CHECK(strstr(text(&c), "  FAIL  infer/small: median") != NULL);
    free(c.buf);
    rc = run_budget(10, 1, &c, &n, &g);
    CHECK_MSG(rc == 2, "exit %d\n%s", rc, text(&c));
    CHECK(n == 1 && g.verdict.level == CPF_WARN && strstr(g.verdict.message, "(warning only)") != NULL);
    free(c.buf);
}

/* A suite budget in doubt looks again, as cpf_bench_budget does: an 8 ms
   operation in quick mode's 20 ms gets 1 or 2 samples (warm-up takes one),
   too few to bound a median, so 1 ms and 2 ms median limits are in doubt at
   first; the benchmark runs again 4x (and if need be 16x) longer, once for
   both budgets, and both fail, saying so. The suite's result keeps the
   first measurement. A budget that is clear at the first look runs nothing
   again. */
static void test_a_suite_budget_in_doubt_looks_again_longer(void)
{
    cpf_suite s;
    capture c;
    cpf_budget tight = cpf_budget_make(CPF_BUDGET_MEDIAN, 1e6, 0), loose = cpf_budget_make(CPF_BUDGET_MEDIAN, 1e10, 0);
    cpf_budget tight2 = cpf_budget_make(CPF_BUDGET_MEDIAN, 2e6, 0);
    const cpf_guard *g;
    int rc;
    size_t k;
    int deep = 0;
    uint64_t keep = g_work_ns;
    char *argv[] = { (char *)"prog", (char *)"--quick", (char *)"--no-baseline", NULL };
    g_work_ns = 8000000;
    g_slow_runs = 0;
    cpf_suite_init(&s, "look");
    cpf_suite_add(&s, "slow/op", bench_work, NULL);
    cpf_suite_budget(&s, "slow/op", &tight);
    cpf_suite_budget(&s, "slow/op", &tight2); /* in doubt too: the two share the longer looks */
    memset(&c, 0, sizeof c);
    cpf_suite_set_output(&s, tt_capture_write, &c);
    g_runs = 0;
    cpf_suite_run(&s, 3, argv);
    CHECK(cpf_suite_guard_count(&s) == 2);
    for (k = 0; k < 2; k++) {
        g = cpf_suite_guard(&s, k);
        CHECK(g != NULL);
        if (g) {
            CHECK_MSG(g->verdict.level == CPF_FAIL && strstr(g->verdict.message, "entirely above") &&
                      strstr(g->verdict.message, "(measured again 4x") && strstr(g->verdict.message, "in doubt)"), "%s",
                      g->verdict.message);
            if (strstr(g->verdict.message, "again 4x and 16x longer")) deep = 1;
        }
    }
    /* the first run and one look per level, shared by the two budgets */
    CHECK_MSG(g_runs == (deep ? 3u : 2u), "%u runs (16x look: %d)", g_runs, deep);
    CHECK(cpf_suite_result(&s, 0) && cpf_suite_result(&s, 0)->stats.n < 6);
    rc = cpf_suite_finish(&s);
    CHECK_MSG(rc == 1, "exit %d\n%s", rc, text(&c));
    free(c.buf);
    /* a 10 s limit with 200 ms of measuring (about 18 samples): clear at the
       first look (in quick mode, fewer than 6 samples would be in doubt
       whatever the limit) */
    cpf_suite_init(&s, "look");
    cpf_suite_add(&s, "slow/op", bench_work, NULL);
    cpf_suite_budget(&s, "slow/op", &loose);
    memset(&c, 0, sizeof c);
    cpf_suite_set_output(&s, tt_capture_write, &c);
    g_runs = 0;
    {
        char *argv2[] = { (char *)"prog", (char *)"--budget-ms=200", (char *)"--no-baseline", NULL };
        cpf_suite_run(&s, 3, argv2);
    }
    CHECK_MSG(g_runs == 1, "%u runs", g_runs);
    g = cpf_suite_guard(&s, 0);
    CHECK(g && g->verdict.level == CPF_PASS && !strstr(g->verdict.message, "measured again"));
    rc = cpf_suite_finish(&s);
    CHECK_MSG(rc == 0, "exit %d\n%s", rc, text(&c));
    free(c.buf);
    g_work_ns = keep;
}

/* Is s well-formed XML 1.0 text as far as bytes go: valid UTF-8, no control
   characters but tab, LF and CR, no U+FFFE/U+FFFF? */
static int xml_bytes_ok(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        int n = *s < 0x80 ? 1 : (*s >> 5) == 6 ? 2 : (*s >> 4) == 14 ? 3 : (*s >> 3) == 30 ? 4 : 0;
        int i;
        if (n == 0 || (*s >= 0xC0 && *s < 0xC2) || *s > 0xF4) return 0;
        if (n == 1 && *s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r') return 0;
        for (i = 1; i < n; i++) if ((s[i] & 0xC0) != 0x80) return 0;
        if (n == 3 && s[0] == 0xEF && s[1] == 0xBF && s[2] >= 0xBE) return 0;
        if (n == 3 && s[0] == 0xED && s[1] >= 0xA0) return 0;
        s += n;
    }
    return 1;
}

#define NASTY "slow \"q\" 'a' <&> ]]> \x01\x1f tab\there\r\nline \xff\xfe \xef\xbf\xbe \xc3\xa9"

static void test_junit_has_one_testcase_per_guard_and_survives_any_name(void)
{
    cpf_suite s;
    capture c;
    cpf_budget fast = cpf_budget_make(CPF_BUDGET_MEDIAN, 1e9, 0), slow = cpf_budget_make(CPF_BUDGET_MEDIAN, 10, 0);
    cpf_budget warn = cpf_budget_make(CPF_BUDGET_MEDIAN, 10, 0);
    char *x, *md, *js, *p;
    int rc, pipes_ok = 1;
    const char *xml = "build/test/guard_junit.xml", *mdp = "build/test/guard_report.md", *jsp = "build/test/guard_report.json";
    warn.warn_only = 1;
    remove(xml);
    cpf_suite_init(&s, "junit <suite> & \"co\"");
    cpf_suite_add(&s, "fast", bench_work, NULL);
    cpf_suite_add(&s, NASTY, bench_work, NULL);
    cpf_suite_budget(&s, "fast", &fast);
    cpf_suite_budget(&s, "fast", &warn);
    cpf_suite_budget(&s, "slow*", &slow);
    memset(&c, 0, sizeof c);
    rc = run(&s, &c, 5, "--quick", "--no-baseline", "--junit=build/test/guard_junit.xml",
             "--markdown=build/test/guard_report.md", "--json=build/test/guard_report.json");
    CHECK_MSG(rc == 1, "exit %d\n%s", rc, text(&c));
    x = slurp(xml);
    CHECK(x != NULL);
    if (x) {
        CHECK(starts(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"junit &lt;suite&gt; "
                        "&amp; &quot;co&quot;\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\""));
        CHECK(count(x, "<testcase ") == 3);
        CHECK(count(x, "<failure ") == 1);
        CHECK(count(x, "<system-out>warning: ") == 1);
        CHECK(strstr(x, "name=\"fast: median &lt;= 1.000 s\" time=\"") != NULL);
        CHECK(strstr(x, "name=\"slow &quot;q&quot; &apos;a&apos; &lt;&amp;&gt; ]]&gt; \xef\xbf\xbd\xef\xbf\xbd tab&#9;here&#13;&#10;line "
                        "\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd \xc3\xa9: median &lt;= 10.00 ns\"") != NULL);
        /* the failure sits in the failing guard's testcase */
        p = strstr(x, "<failure ");
        CHECK(p && strstr(p, "</testcase>") && strstr(x, "median &lt;= 10.00 ns") < p);
        CHECK(xml_bytes_ok(x));
        CHECK(count(x, "<") == count(x, ">")); /* nothing unescaped inside */
        free(x);
    }
    /* the same verdicts in Markdown: a summary, the failure and the warning
       with their messages, the pass only counted; tables keep their columns */
    md = slurp(mdp);
    CHECK(md != NULL);
    if (md) {
        CHECK(strstr(md, "### coralperf: junit &lt;suite&gt; &amp; \"co\"\n\n**1 failed, 1 warning** of 3 guards\n") == md);
        CHECK(strstr(md, "#### Guards: 1 failed, 1 warned, 1 passed") != NULL);
        CHECK(strstr(md, "- **FAIL** (median &lt;= 10.00 ns) slow \"q\" 'a' &lt;&amp;&gt; \\]\\]&gt; ") != NULL);
        CHECK(strstr(md, "- **warn** (median &lt;= 10.00 ns) fast: median") != NULL);
        CHECK(strstr(md, "median &lt;= 1.000 s") == NULL); /* passed: counted, not listed */
        CHECK(strstr(md, "**slowest:** ") != NULL);
        CHECK(strstr(md, "\xff") == NULL && strstr(md, "\x01") == NULL);
        for (p = strtok(md, "\n"); p; p = strtok(NULL, "\n")) {
            int pipes = 0;
            const char *q;
            if (p[0] != '|') continue;
            for (q = p; *q; q++) {
                if (*q == '\\' && q[1]) { q++; continue; }
                pipes += *q == '|';
            }
            if (pipes != 9) { pipes_ok = 0; printf("      table line with %d pipes: %s\n", pipes, p); }
        }
        CHECK(pipes_ok);
        free(md);
    }
    /* and in JSON: the guard list and each benchmark's verdict */
    js = slurp(jsp);
    CHECK(js != NULL);
    if (js) {
        CHECK(strstr(js, "\n  \"guards\": [\n    {\"name\": \"fast\", \"what\": \"median <= 1.000 s\", \"level\": \"pass\", \"ok\": true, ") != NULL);
        CHECK(strstr(js, "\"what\": \"median <= 10.00 ns\", \"level\": \"fail\", \"ok\": false, ") != NULL);
        CHECK(count(js, "\"cpf_verdict\": \"warn\"") == 1);  /* fast: worst of pass and warn */
        CHECK(count(js, "\"cpf_verdict\": \"fail\"") == 1);
        CHECK(strstr(js, "\"cpf_baseline_ratio\"") == NULL); /* no baseline */
        free(js);
    }
    free(c.buf);
}

static int g_calls;
static void bench_flaky(cpf_bench *b)
{
    uint64_t x = 1;
    unsigned i, n;
    while (cpf_bench_loop(b)) {
        /* every 10th call fails, and takes 500x longer: its time must not count */
        n = ++g_calls % 10 == 0 ? 100000 : 200;
        for (i = 0; i < n; i++) x = x * 6364136223846793005ull + 1442695040888963407ull;
        cpf_do_not_optimize(x);
        if (g_calls % 10 == 0) cpf_bench_op_failed(b);
    }
}

static void bench_always_fails(cpf_bench *b)
{
    while (cpf_bench_loop(b)) cpf_bench_op_failed(b);
}

static void test_calls_mode_counts_failed_calls_and_leaves_out_their_time(void)
{
    cpf_bench_opts o;
    cpf_result r;
    cpf_budget strict = cpf_budget_make(CPF_BUDGET_SUCCESS, 0, 0.95), lax = cpf_budget_make(CPF_BUDGET_SUCCESS, 0, 0.85);
    cpf_verdict v;
    memset(&o, 0, sizeof o);
    o.calls = 1;
    o.samples = 900;
    o.warmup_ms = 1;
    o.budget_ms = 5000;
    g_calls = 0;
    CHECK(cpf_bench_run_build("flaky", bench_flaky, NULL, &o, &r, 1) == CPF_OK);
    CHECK_MSG(r.status == CPF_OK, "%s", r.message);
    CHECK(r.iterations == 1);
    CHECK(r.stats.n == 900);
    CHECK_MSG(r.attempts == r.stats.n + r.failures, "attempts %llu, samples %u, failures %llu",
              (unsigned long long)r.attempts, (unsigned)r.stats.n, (unsigned long long)r.failures);
    CHECK_MSG(r.failures * 10 + 10 >= r.attempts && r.failures * 10 <= r.attempts + 10, "attempts %llu failures %llu",
              (unsigned long long)r.attempts, (unsigned long long)r.failures);
    /* had the failed calls (10%, 500x slower) been timed, p95 would be one of them */
    CHECK_MSG(r.stats.p95 < 10 * r.stats.median, "p95 %g, median %g", r.stats.p95, r.stats.median);
    /* 900 of about 1000: 90%, Wilson 95% [88.0%, 91.7%] */
    v = cpf_check_budget(&r, &strict);
    CHECK_MSG(v.level == CPF_FAIL, "%s", v.message);
    v = cpf_check_budget(&r, &lax);
    CHECK_MSG(v.level == CPF_PASS, "%s", v.message);
    cpf_result_free(&r);
    /* every call failing: the run ends at its budget with an error, no hang */
    o.samples = 0;
    o.budget_ms = 30;
    CHECK(cpf_bench_run_build("broken", bench_always_fails, NULL, &o, &r, 1) == CPF_ERR_BENCH);
    CHECK(r.status == CPF_ERR_BENCH);
    CHECK_MSG(strstr(r.message, "measured calls failed (cpf_bench_op_failed)") != NULL, "%s", r.message);
    CHECK(r.failures > 0 && r.stats.n == 0);
    CHECK_MSG(r.wall_ms < 1000, "%g ms", r.wall_ms);
    cpf_result_free(&r);
}

static void test_a_failing_benchmark_is_a_failed_guard(void)
{
    cpf_suite s;
    capture c;
    cpf_bench_opts o;
    int rc;
    memset(&o, 0, sizeof o);
    o.calls = 1;
    o.budget_ms = 20;
    cpf_suite_init(&s, "runs");
    cpf_suite_add_opts(&s, "broken", bench_always_fails, NULL, &o);
    memset(&c, 0, sizeof c);
    cpf_suite_set_output(&s, tt_capture_write, &c);
    {
        char *argv[] = { (char *)"prog", (char *)"--quick", (char *)"--no-baseline", NULL };
        cpf_suite_run(&s, 3, argv);
    }
    CHECK(cpf_suite_guard_count(&s) == 1);
    if (cpf_suite_guard_count(&s) == 1) {
        const cpf_guard *g = cpf_suite_guard(&s, 0);
        CHECK_STR(g->what, "runs");
        CHECK(g->verdict.level == CPF_FAIL);
        CHECK(strstr(g->verdict.message, "broken: did not run: all ") != NULL);
    }
    rc = cpf_suite_finish(&s);
    CHECK(rc == 1);
    free(c.buf);
}

#if !defined(CORALPERF_NO_FILES)
static const cpf_diff_row *row_of(const cpf_suite *s, const char *name)
{
    const cpf_diff *d = cpf_suite_diff(s);
    size_t i;
    for (i = 0; d && i < d->count; i++) if (strcmp(d->rows[i].name, name) == 0) return &d->rows[i];
    return NULL;
}

/* Comparison runs: 21 samples each (exact Mann-Whitney, and a median CI
   that ignores up to 5 outliers per side; --quick alone lets a descheduled
   moment cut a run to a handful of samples), a 200 ms cap that only a very
   busy machine reaches, and an 80% fail threshold: the 3x effects below
   fail, what is left of a shared machine's drift (up to 1.7x either way)
   does not. quick 0 leaves out --quick: the machine-speed probe then runs. */
static int guard_run(cpf_suite *s, capture *out, int quick, const char *extra1, const char *extra2, const char *extra3)
{
    char *argv[10];
    int argc = 0;
    argv[argc++] = (char *)"prog";
    if (quick) argv[argc++] = (char *)"--quick";
    argv[argc++] = (char *)"--samples=21";
    argv[argc++] = (char *)"--budget-ms=200";
    argv[argc++] = (char *)"--fail-threshold=80%";
    argv[argc++] = (char *)"--baseline-dir=build/test/guard_bl";
    if (extra1) argv[argc++] = (char *)extra1;
    if (extra2) argv[argc++] = (char *)extra2;
    if (extra3) argv[argc++] = (char *)extra3;
    argv[argc] = NULL;
    memset(out, 0, sizeof *out);
    cpf_suite_set_output(s, tt_capture_write, out);
    return (int)cpf_suite_run(s, argc, argv);
}

static int compare_run(cpf_suite *s, capture *out, const char *extra1, const char *extra2, const char *extra3)
{
    return guard_run(s, out, 1, extra1, extra2, extra3);
}

/* Records the baseline of suite name: one benchmark "step" of 20 us. */
static void record_step(const char *name)
{
    cpf_suite s;
    capture c;
    int rc;
    char path[128];
    snprintf(path, sizeof path, "build/test/guard_bl/%s.cpb", name);
    remove(path);
    g_work_ns = 20000;
    g_slow_runs = 0;
    cpf_suite_init(&s, name);
    cpf_suite_add(&s, "step", bench_work, NULL);
    compare_run(&s, &c, "--update-baseline=all", NULL, NULL);
    rc = cpf_suite_finish(&s);
    CHECK_MSG(rc == 0, "recording: exit %d\n%s", rc, text(&c));
    free(c.buf);
}

/* Runs suite name (one "step" of 20 us, recorded by record_step) against
   its baseline, the step taking factor x as long in every run (first_only
   0) or in its first run only (first_only 1); returns its diff row. */
static const cpf_diff_row *compare_step(cpf_suite *s, capture *c, const char *name, unsigned factor, int first_only,
                                        const char *extra1, const char *extra2, const char *extra3)
{
    const cpf_diff_row *row;
    g_work_ns = first_only ? 20000 : 20000 * (uint64_t)factor;
    g_slow_runs = first_only ? 1 : 0;
    g_slow_factor = factor;
    g_runs = 0;
    cpf_suite_init(s, name);
    cpf_suite_add(s, "step", bench_work, NULL);
    compare_run(s, c, extra1, extra2, extra3);
    g_slow_factor = SLOWER;
    row = row_of(s, "step");
    CHECK(row != NULL);
    return row;
}

#define CONFIRM_SLOWER 10

static void test_a_regression_must_repeat_in_the_confirmation_rerun(void)
{
    cpf_suite s;
    capture c;
    const cpf_diff_row *row;
    int rc;
    record_step("confirm");
    /* 10x slower for good: fails, and the re-run confirms it. 10x, not 3x:
       a recording under valgrind in CI on a busy machine had a +-124%
       interval, and the threshold takes it in (3x measured +110% there). */
    row = compare_step(&s, &c, "confirm", CONFIRM_SLOWER, 0, NULL, NULL, NULL);
    CHECK(g_runs == 2); /* the run and its confirmation */
    if (row) {
        CHECK_MSG(row->level == CPF_FAIL && row->confirmed == 1, "level %d confirmed %d: %s", (int)row->level, row->confirmed, row->reason);
        CHECK_MSG(strstr(row->reason, "(confirmed: first run +") != NULL, "%s", row->reason);
        CHECK_MSG(row->ratio > 3 && row->p_value < 0.002 && row->change_lo > 0.8, "ratio %g p %g CI [%g, %g]", row->ratio,
                  row->p_value, row->change_lo, row->change_hi);
    }
    CHECK(strstr(text(&c), "confirming by a re-run: step") != NULL); /* in-process: argv[0] is not this program; no pause in --quick */
    rc = cpf_suite_finish(&s);
    CHECK_MSG(rc == 1, "exit %d\n%s", rc, text(&c));
    free(c.buf);
    /* slow in the first run only: the re-run does not repeat it, a warning */
    row = compare_step(&s, &c, "confirm", CONFIRM_SLOWER, 1, NULL, NULL, NULL);
    CHECK(g_runs == 2);
    if (row) {
        CHECK_MSG(row->level == CPF_WARN && row->confirmed == -1, "level %d confirmed %d: %s", (int)row->level, row->confirmed, row->reason);
        CHECK_MSG(strstr(row->reason, "failed, the re-run did not") != NULL, "%s", row->reason);
    }
    rc = cpf_suite_finish(&s);
    CHECK_MSG(rc == 2, "exit %d\n%s", rc, text(&c));
    free(c.buf);
}

/* A re-run that cannot judge is no evidence either way: when the machine-
   speed probe reads more than 25% slower than at recording, the re-run's
   time is report-only, and the kit looks again (2 s later, at most twice
   more). Faked through tests/test_main.c's probe hook: every probe reads
   1000 ns, and chosen ones 4x that; each benchmark run takes two probes
   (before and after it), numbered from 0. The probe runs outside --quick,
   so these runs leave it out (guard_run with quick 0). */
extern double test_probe_fixed, test_probe_slow;
extern unsigned test_probe_count, test_probe_from, test_probe_until;

static void test_a_rerun_that_cannot_judge_looks_again(void)
{
    cpf_suite s;
    capture c;
    const cpf_diff_row *row;
    int rc, scenario;
    test_probe_fixed = 1000, test_probe_until = 0, test_probe_slow = 4;
    g_work_ns = 20000, g_slow_runs = 0;
    remove("build/test/guard_bl/unjudged.cpb");
    cpf_suite_init(&s, "unjudged");
    cpf_suite_add(&s, "step", bench_work, NULL);
    rc = guard_run(&s, &c, 0, "--update-baseline=all", NULL, NULL);
    CHECK_MSG(rc == 0 && cpf_suite_finish(&s) == 0, "recording: exit %d\n%s", rc, text(&c));
    free(c.buf);
    for (scenario = 0; scenario < 2; scenario++) {
        /* 0: the machine 4x slower in the first re-run only (probes 2 and
           3): the second re-run judges and confirms the failure. 1: slow in
           every re-run: three re-runs, none could judge; the failure is not
           confirmed, a warning that says so */
        test_probe_count = 0, test_probe_from = 2, test_probe_until = scenario ? 1000 : 4;
        g_work_ns = 20000 * (uint64_t)CONFIRM_SLOWER, g_slow_runs = 0, g_runs = 0;
        cpf_suite_init(&s, "unjudged");
        cpf_suite_add(&s, "step", bench_work, NULL);
        guard_run(&s, &c, 0, NULL, NULL, NULL);
        row = row_of(&s, "step");
        CHECK_MSG(g_runs == (scenario ? 4u : 3u), "scenario %d: %u runs\n%s", scenario, g_runs, text(&c));
        CHECK(strstr(text(&c), "the re-run could not judge (the machine ran more than 25% slower than at recording); "
                               "looking again by a re-run (after a 2 s pause): step") != NULL);
        if (row && !scenario) {
            CHECK_MSG(row->level == CPF_FAIL && row->confirmed == 1, "level %d confirmed %d: %s", (int)row->level, row->confirmed, row->reason);
            CHECK_MSG(strstr(row->reason, "(confirmed: first run +") != NULL, "%s", row->reason);
        } else if (row) {
            CHECK_MSG(row->level == CPF_WARN && row->confirmed == -1, "level %d confirmed %d: %s", (int)row->level, row->confirmed, row->reason);
            CHECK_MSG(strstr(row->reason, "failed; 3 re-runs could not judge: ") && strstr(row->reason, "report only"), "%s", row->reason);
        }
        rc = cpf_suite_finish(&s);
        CHECK_MSG(rc == (scenario ? 2 : 1), "scenario %d: exit %d\n%s", scenario, rc, text(&c));
        free(c.buf);
    }
    test_probe_fixed = 0, test_probe_until = 0, test_probe_slow = 1;
    g_work_ns = 20000;
}

/* A slower warning must repeat too: with failing ruled out (a 1000% fail
   threshold, the most the flag takes) and a 100% warn threshold (a shared
   machine's drift, up to 1.7x, stays within it), a 5x slowdown warns; for good, the re-run repeats it and the
   row stays a warning; in the first run only, the re-run does not and the
   row passes, saying what the first run measured. A noise recording
   (--update-baseline=noise) re-runs nothing: its first measurements are
   the noise it learns. */
#define WARN_SLOWER 5

static void test_a_slower_warning_must_repeat_in_the_confirmation_rerun(void)
{
    cpf_suite s;
    capture c;
    const cpf_diff_row *row;
    int rc;
    record_step("confirmw");
    /* slower for good: a warning in both runs */
    row = compare_step(&s, &c, "confirmw", WARN_SLOWER, 0, "--fail-threshold=1000%", "--warn-threshold=100%", NULL);
    CHECK(g_runs == 2);
    if (row) {
        CHECK_MSG(row->level == CPF_WARN && row->change == CPF_CHANGE_SLOWER && row->confirmed == 1, "level %d confirmed %d: %s",
                  (int)row->level, row->confirmed, row->reason);
        CHECK_MSG(strstr(row->reason, "(repeated: first run +") != NULL, "%s", row->reason);
    }
    CHECK(strstr(text(&c), "confirming by a re-run: step") != NULL);
    rc = cpf_suite_finish(&s);
    CHECK_MSG(rc == 2, "exit %d\n%s", rc, text(&c));
    free(c.buf);
    /* slower in the first run only: the re-run does not repeat it, a pass */
    row = compare_step(&s, &c, "confirmw", WARN_SLOWER, 1, "--fail-threshold=1000%", "--warn-threshold=100%", NULL);
    CHECK(g_runs == 2);
    if (row) {
        CHECK_MSG(row->level == CPF_PASS && row->change != CPF_CHANGE_SLOWER && row->confirmed == -1, "level %d confirmed %d: %s",
                  (int)row->level, row->confirmed, row->reason);
        CHECK_MSG(strstr(row->reason, "first run +") && strstr(row->reason, "warned, the re-run did not: "), "%s", row->reason);
    }
    rc = cpf_suite_finish(&s);
    CHECK_MSG(rc == 0, "exit %d\n%s", rc, text(&c));
    free(c.buf);
    /* a noise recording: the slow first run stands, nothing is re-run */
    row = compare_step(&s, &c, "confirmw", WARN_SLOWER, 1, "--fail-threshold=1000%", "--warn-threshold=100%", "--update-baseline=noise");
    CHECK_MSG(g_runs == 1, "%u runs", g_runs);
    if (row) CHECK_MSG(row->level == CPF_WARN && row->confirmed == 0, "level %d confirmed %d: %s", (int)row->level, row->confirmed, row->reason);
    CHECK(strstr(text(&c), "confirming") == NULL);
    cpf_suite_finish(&s);
    free(c.buf);
}

#define ODD "th/c <b>|x"

static void test_per_benchmark_thresholds_and_the_reports_of_a_diff(void)
{
    cpf_suite s;
    capture c;
    cpf_threshold ta, tb;
    const cpf_diff_row *ra, *rb, *rc_;
    int rc;
    char *md, *js;
    const char *out, *p;
    remove("build/test/guard_bl/thresholds.cpb");
    g_work_ns = 20000;
    g_slow_runs = 0;
    cpf_suite_init(&s, "thresholds");
    cpf_suite_add(&s, "th/a", bench_work, NULL);
    cpf_suite_add(&s, "th/b", bench_work, NULL);
    cpf_suite_add(&s, ODD, bench_work, NULL);
    compare_run(&s, &c, "--update-baseline=all", NULL, NULL);
    rc = cpf_suite_finish(&s);
    CHECK_MSG(rc == 0, "recording: exit %d\n%s", rc, text(&c));
    free(c.buf);
    /* all three 3x slower; a tolerates +300%, b fails only beyond +300%,
       c has the suite's thresholds (fails beyond +80%) */
    g_work_ns = 20000 * SLOWER;
    g_runs = 0;
    memset(&ta, 0, sizeof ta);
    memset(&tb, 0, sizeof tb);
    ta.pattern = "th/a";
    ta.warn = 3.0;
    tb.pattern = "th/b";
    tb.fail = 3.0;
    cpf_suite_init(&s, "thresholds");
    cpf_suite_add(&s, "th/a", bench_work, NULL);
    cpf_suite_add(&s, "th/b", bench_work, NULL);
    cpf_suite_add(&s, ODD, bench_work, NULL);
    CHECK(cpf_suite_threshold(&s, &ta) == CPF_OK);
    CHECK(cpf_suite_threshold(&s, &tb) == CPF_OK);
    compare_run(&s, &c, "--no-confirm", "--markdown=build/test/guard_diff.md", "--json=build/test/guard_diff.json");
    CHECK(g_runs == 3); /* --no-confirm: no re-run */
    ra = row_of(&s, "th/a");
    rb = row_of(&s, "th/b");
    rc_ = row_of(&s, ODD);
    CHECK(ra && rb && rc_);
    if (ra && rb && rc_) {
        CHECK_MSG(ra->level == CPF_PASS && ra->change == CPF_CHANGE_SAME && ra->tolerance >= 3.0, "a: %s", ra->reason);
        CHECK_MSG(rb->level == CPF_WARN && rb->change == CPF_CHANGE_SLOWER && rb->fail_threshold >= 3.0, "b: %s", rb->reason);
        CHECK_MSG(rc_->level == CPF_FAIL && rc_->confirmed == 0, "c: %s", rc_->reason);
        CHECK_NEAR(rc_->fail_threshold, 0.8, 1e-12);
    }
    out = text(&c);
    CHECK(strstr(out, "confirming") == NULL);
    /* the rankings follow the diff table */
    p = strstr(out, "\nbaseline: ");
    CHECK(p && strstr(p, "\nslowest: ") && strstr(p, "\nbiggest changes: "));
    CHECK(strstr(out, ", ...") == NULL); /* three of at most five: no ellipsis */
    rc = cpf_suite_finish(&s);
    CHECK_MSG(rc == 1, "exit %d\n%s", rc, out);
    md = slurp("build/test/guard_diff.md");
    CHECK(md != NULL);
    if (md) {
        CHECK(strstr(md, "**1 failed, 1 warning** of 3 guards") != NULL);
        CHECK(strstr(md, "\n#### Compared with the baseline: 1 same, 2 slower, 0 faster, 0 new, 0 vanished\n\n"
                         "| benchmark | baseline | now | change | 95% CI | p | verdict | reason |\n|:--|--:|--:|--:|--:|--:|:--|:--|\n") != NULL);
        CHECK(strstr(md, "\n| th/c &lt;b&gt;\\|x | ") != NULL);
        CHECK(strstr(md, " | **fail** | slower +") != NULL);
        CHECK(strstr(md, " | **warn** | slower +") != NULL);
        CHECK(strstr(md, " | pass | same (within +-300.0%) |") != NULL);
        CHECK(strstr(md, "**biggest changes:** ") != NULL);
        CHECK(strstr(md, "<details>") == NULL); /* not folded: something failed */
        free(md);
    }
    js = slurp("build/test/guard_diff.json");
    CHECK(js != NULL);
    if (js) {
        CHECK(count(js, "\"cpf_baseline_ratio\": ") == 3);
        CHECK(count(js, "\"cpf_change_ci\": [") == 3);
        CHECK(count(js, "\"cpf_p_value\": ") == 3);
        CHECK(strstr(js, "\"cpf_verdict\": \"fail\",\n      \"cpf_baseline_change\": \"slower\"") != NULL);
        CHECK(strstr(js, "\"cpf_verdict_reason\": \"slower +") != NULL);
        free(js);
    }
    free(c.buf);
}

static void test_markdown_to_the_github_job_summary_is_appended(void)
{
    const char *path = "build/test/step_summary.md", *other = "build/test/not_summary.md";
    cpf_suite s;
    capture c;
    FILE *f;
    char *t;
    int rc;
    f = fopen(path, "wb");
    if (f) { fputs("earlier step output", f); fclose(f); } /* no newline at the end */
    f = fopen(other, "wb");
    if (f) { fputs("stale", f); fclose(f); }
#if defined(_WIN32)
    _putenv("GITHUB_STEP_SUMMARY=build/test/step_summary.md");
#else
    setenv("GITHUB_STEP_SUMMARY", path, 1);
#endif
    cpf_suite_init(&s, "summary");
    cpf_suite_add(&s, "w", bench_work, NULL);
    memset(&c, 0, sizeof c);
    rc = run(&s, &c, 3, "--quick", "--no-baseline", "--markdown=build/test/step_summary.md", NULL, NULL);
    CHECK(rc == 0);
    free(c.buf);
    cpf_suite_init(&s, "summary2");
    cpf_suite_add(&s, "w", bench_work, NULL);
    memset(&c, 0, sizeof c);
    {
        char *argv[] = { (char *)"prog", (char *)"--quick", (char *)"--no-baseline", NULL };
        cpf_suite_set_output(&s, tt_capture_write, &c);
        cpf_suite_run(&s, 3, argv);
    }
    CHECK(cpf_report_save(&s, CPF_REPORT_MARKDOWN, path) == CPF_OK);
    CHECK(cpf_report_save(&s, CPF_REPORT_MARKDOWN, other) == CPF_OK); /* any other path is replaced */
    cpf_suite_finish(&s);
    free(c.buf);
#if defined(_WIN32)
    _putenv("GITHUB_STEP_SUMMARY=");
#else
    unsetenv("GITHUB_STEP_SUMMARY");
#endif
    t = slurp(path);
    CHECK(t != NULL);
    if (t) {
        CHECK(starts(t, "earlier step output\n### coralperf: summary\n"));
        CHECK(strstr(t, "\n\n### coralperf: summary2\n") != NULL);
        CHECK(count(t, "### coralperf: ") == 2);
        free(t);
    }
    t = slurp(other);
    CHECK(t && starts(t, "### coralperf: summary2\n"));
    free(t);
    remove(path);
    remove(other);
}
#endif

static void test_threshold_flags_are_parsed_and_bad_values_are_usage_errors(void)
{
    static const char *const bad[][2] = {
        { "--warn-threshold=abc", "--warn-threshold" }, { "--warn-threshold=0", "--warn-threshold" },
        { "--warn-threshold", "--warn-threshold" },     { "--fail-threshold=-5", "--fail-threshold" },
        { "--fail-threshold=10x", "--fail-threshold" }, { "--fail-threshold=2000%", "--fail-threshold" },
        { "--alpha=0.7", "--alpha" },                   { "--alpha=0", "--alpha" },
        { "--alpha=abc", "--alpha" },                   { "--alpha", "--alpha" },
    };
    size_t i;
    cpf_suite s;
    capture c;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = { (char *)"prog", (char *)bad[i][0], NULL };
        cpf_suite_init(&s, "flags");
        cpf_suite_add(&s, "w", bench_work, NULL);
        memset(&c, 0, sizeof c);
        cpf_suite_set_output(&s, tt_capture_write, &c);
        CHECK(cpf_suite_run(&s, 2, argv) == CPF_ERR_USAGE);
        CHECK_MSG(strstr(cpf_suite_message(&s), bad[i][1]) != NULL && strstr(cpf_suite_message(&s), "got '") != NULL,
                  "%s: %s", bad[i][0], cpf_suite_message(&s));
        CHECK(cpf_suite_result_count(&s) == 0); /* nothing ran */
        CHECK(cpf_suite_finish(&s) == 1);
        free(c.buf);
    }
    {
        char *argv[] = { (char *)"prog", (char *)"--warn-threshold=7%", (char *)"--fail-threshold=25",
                         (char *)"--alpha=0.01", (char *)"--no-confirm", (char *)"--list", NULL };
        cpf_suite_init(&s, "flags");
        cpf_suite_add(&s, "w", bench_work, NULL);
        memset(&c, 0, sizeof c);
        cpf_suite_set_output(&s, tt_capture_write, &c);
        CHECK(cpf_suite_run(&s, 6, argv) == CPF_OK);
        CHECK_NEAR(s.warn_threshold, 0.07, 1e-12);
        CHECK_NEAR(s.fail_threshold, 0.25, 1e-12);
        CHECK_NEAR(s.alpha, 0.01, 1e-12);
        CHECK(s.no_confirm == 1);
        CHECK(cpf_suite_finish(&s) == 0);
        free(c.buf);
    }
}

static void test_bench_budget_runs_and_checks_in_one_call(void)
{
    cpf_budget fast = cpf_budget_make(CPF_BUDGET_MEDIAN, 1e9, 0), slow = cpf_budget_make(CPF_BUDGET_MEDIAN, 10, 0);
    cpf_verdict v;
    g_work_ns = 20000;
    v = cpf_bench_budget("work", bench_work, NULL, NULL, &fast);
    CHECK_MSG(v.level == CPF_PASS, "%s", v.message);
    v = cpf_bench_budget("work", bench_work, NULL, NULL, &slow);
    CHECK_MSG(v.level == CPF_FAIL, "%s", v.message);
    CHECK(strstr(v.message, "work: median ") == v.message);
}

/* Every other sample does 10x the work: the median's interval spans both
   modes, so a limit between them stays in doubt however long it looks; the
   guard looks twice more (4x, 16x longer) before it says so. A budget far
   from the code is decided at the first look (the second when the first
   had fewer than 6 samples). */
static int g_alt;
static void toggle_mode(void *ctx) { (void)ctx; g_alt = !g_alt; }
static void bench_bimodal(cpf_bench *b)
{
    while (cpf_bench_loop(b)) {
        uint64_t t0 = cpf_now_ns(), ns = g_alt ? 200000 : 20000;
        while (cpf_now_ns() - t0 < ns) {}
    }
}

static void test_a_budget_in_doubt_looks_again_longer(void)
{
    cpf_bench_opts o;
    cpf_budget mid = cpf_budget_make(CPF_BUDGET_MEDIAN, 60000, 0), far = cpf_budget_make(CPF_BUDGET_MEDIAN, 1e9, 0);
    cpf_verdict v;
    memset(&o, 0, sizeof o);
    o.quick = 1;
    o.setup = toggle_mode;
    /* the far budget first: it also warms the code up (under valgrind, the
       first run of untranslated code spent quick mode's 20 ms on 1 sample) */
    v = cpf_bench_budget("bimodal", bench_bimodal, NULL, &o, &far);
    /* at most one more look: when a loaded machine leaves quick mode's 20 ms
       fewer than 6 samples, the first look is in doubt (no 95% interval) */
    CHECK_MSG(v.level == CPF_PASS && !strstr(v.message, "16x longer"), "%s", v.message);
    v = cpf_bench_budget("bimodal", bench_bimodal, NULL, &o, &mid);
    CHECK_MSG(v.level == CPF_WARN && strstr(v.message, "straddles the limit (inconclusive)") &&
              strstr(v.message, "(measured again 4x and 16x longer: the first look and the second were in doubt)"), "%s", v.message);
}

void tests_guard(void)
{
    RUN(test_a_budget_in_doubt_looks_again_longer);
    RUN(test_median_budget_is_decided_on_the_confidence_interval);
    RUN(test_a_median_budget_on_fewer_than_6_samples_is_in_doubt);
    RUN(test_p95_budget_says_when_the_samples_cannot_bound_it);
    RUN(test_max_budget_fails_on_any_sample_over_the_limit);
    RUN(test_compliance_budget_uses_the_wilson_interval);
    RUN(test_throughput_budget_needs_items_per_op);
    RUN(test_success_budget_counts_attempts_and_failures);
    RUN(test_memory_budgets_need_a_measurement);
    RUN(test_warn_only_downgrades_a_failure_to_a_warning);
    RUN(test_invalid_budgets_and_missing_results_fail_with_a_message);
    RUN(test_bench_budget_runs_and_checks_in_one_call);
    RUN(test_suite_budgets_give_exit_codes_0_1_and_2);
    RUN(test_a_suite_budget_in_doubt_looks_again_longer);
    RUN(test_junit_has_one_testcase_per_guard_and_survives_any_name);
    RUN(test_calls_mode_counts_failed_calls_and_leaves_out_their_time);
    RUN(test_a_failing_benchmark_is_a_failed_guard);
    RUN(test_threshold_flags_are_parsed_and_bad_values_are_usage_errors);
#if !defined(CORALPERF_NO_FILES)
    RUN(test_a_regression_must_repeat_in_the_confirmation_rerun);
    RUN(test_a_rerun_that_cannot_judge_looks_again);
    RUN(test_a_slower_warning_must_repeat_in_the_confirmation_rerun);
    RUN(test_per_benchmark_thresholds_and_the_reports_of_a_diff);
    RUN(test_markdown_to_the_github_job_summary_is_appended);
#endif
}
