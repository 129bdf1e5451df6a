/* Memory: RSS and peak, the counting allocator, the background sampler, the
   leak check and memory budgets. Behaviour only; tolerances are explained
   where they are used. */
#include "coralperf.h"
#include "tinytest.h"
#include <stdlib.h>

#define MiB (1024.0 * 1024.0)

void tests_mem_review(void);

/* Keeps the compiler from deleting a malloc + memset + free whose result is
   unused (gcc -O2 does that). */
static void touch(volatile char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i += 1024) p[i] = (char)i;
    cpf_clobber_memory();
}

#if !defined(TEST_EMBEDDED)
static void test_rss_grows_by_about_the_bytes_touched(void)
{
    /* 64 MiB malloc'd (an mmap of its own in glibc) and every page written:
       RSS must grow by 64 MiB. Tolerance: -10% (pages of the block that the
       OS has not mapped yet when read) and +8 MiB (other allocations, page
       tables, the allocator's own bookkeeping). */
    const size_t n = 64u << 20;
    uint64_t before = 0, after = 0, peak = 0;
    double hi = (double)n + 8 * MiB;
    char *p;
    if (cpf_mem_rss(&before) == CPF_ERR_UNSUPPORTED) { CHECK(strstr(cpf_mem_source(), "none") != NULL); return; }
    /* Sanitizers map shadow memory for what is touched (ASan 1/8, TSan 4x
       or more); the kit says so in cpf_mem_source(), and only the lower
       bound can be checked then. */
    if (strstr(cpf_mem_source(), "sanitizer")) hi = 16.0 * (double)n;
    p = (char *)malloc(n);
    CHECK(p != NULL);
    if (!p) return;
    touch(p, n);
    CHECK(cpf_mem_rss(&after) == CPF_OK);
    CHECK(cpf_mem_peak(&peak) == CPF_OK);
    CHECK_MSG((double)after - (double)before >= 0.9 * (double)n && (double)after - (double)before <= hi,
              "RSS grew %.1f MiB for 64 MiB touched", ((double)after - (double)before) / MiB);
    CHECK(peak >= after);
    free(p);
}

static void test_peak_reset_is_verified_or_reported_unsupported(void)
{
    const size_t n = 48u << 20;
    uint64_t rss = 0, peak = 0;
    char *p = (char *)malloc(n);
    cpf_status st;
    CHECK(p != NULL);
    if (!p) return;
    touch(p, n);
    free(p);                           /* RSS drops, the peak stays */
    st = cpf_mem_peak_reset();
    CHECK(st == CPF_OK || st == CPF_ERR_UNSUPPORTED);
    if (st == CPF_OK) {
        CHECK(cpf_mem_peak(&peak) == CPF_OK && cpf_mem_rss(&rss) == CPF_OK);
        /* after the reset the peak is the current RSS, not the 48 MiB ago */
        CHECK_MSG((double)peak <= (double)rss + 4 * MiB, "peak %.1f MiB, rss %.1f MiB", (double)peak / MiB, (double)rss / MiB);
    }
}
#endif

static void test_memory_source_is_named_and_null_is_refused(void)
{
    CHECK(cpf_mem_source()[0] != 0);
    CHECK(cpf_mem_rss(NULL) == CPF_ERR_ARG);
    CHECK(cpf_mem_peak(NULL) == CPF_ERR_ARG);
}

#if defined(TEST_EMBEDDED)
static void test_unsupported_platform_says_so_instead_of_zero(void)
{
    uint64_t b = 12345;
    cpf_mem_monitor m;
    CHECK(cpf_mem_rss(&b) == CPF_ERR_UNSUPPORTED && b == 0);
    CHECK(cpf_mem_peak(&b) == CPF_ERR_UNSUPPORTED);
    CHECK(cpf_mem_peak_reset() == CPF_ERR_UNSUPPORTED);
    CHECK(cpf_mem_monitor_start(&m, 5) == CPF_ERR_UNSUPPORTED);
    CHECK(strstr(cpf_mem_source(), "none") != NULL);
}
#endif

static void test_counting_allocator_counts_exactly(void)
{
    cpf_alloc_stats a, b;
    char *p, *q;
    cpf_alloc_stats_get(&a);
    p = (char *)cpf_malloc(100);
    q = (char *)cpf_calloc(10, 30);
    CHECK(p && q && q[299] == 0);
    p = (char *)cpf_realloc(p, 1000);
    CHECK(p != NULL);
    memset(p, 1, 1000);
    cpf_alloc_stats_get(&b);
    CHECK(b.live_bytes - a.live_bytes == 1000 + 300);
    CHECK(b.allocs - a.allocs == 2 && b.reallocs - a.reallocs == 1 && b.frees == a.frees);
    CHECK(b.bytes_allocated - a.bytes_allocated == 100 + 300 + 1000);
    CHECK(b.peak_live_bytes >= b.live_bytes);
    cpf_free(p);
    cpf_free(q);
    cpf_free(NULL);                   /* not counted */
    cpf_alloc_stats_get(&b);
    CHECK(b.live_bytes == a.live_bytes);
    CHECK(b.frees - a.frees == 2);
    p = (char *)cpf_realloc(NULL, 8);  /* realloc(NULL, n) is malloc(n) */
    CHECK(cpf_realloc(p, 0) == NULL);  /* realloc(p, 0) frees */
    cpf_alloc_stats_get(&b);
    CHECK(b.live_bytes == a.live_bytes && b.allocs - a.allocs == 3 && b.frees - a.frees == 3);
    CHECK(cpf_calloc((size_t)-1, 16) == NULL);  /* overflow refused */
}

static void test_peak_live_bytes_follow_the_high_water_mark(void)
{
    cpf_alloc_stats s;
    void *p;
    cpf_alloc_peak_reset();
    cpf_alloc_stats_get(&s);
    p = cpf_malloc(1 << 20);
    cpf_free(p);
    {
        cpf_alloc_stats t;
        cpf_alloc_stats_get(&t);
        CHECK(t.peak_live_bytes - s.live_bytes >= 1 << 20);
        CHECK(t.live_bytes == s.live_bytes);
    }
    cpf_alloc_peak_reset();
    cpf_alloc_stats_get(&s);
    CHECK(s.peak_live_bytes == s.live_bytes);
}

/* Leak check: a clean function whose memory use fluctuates passes; one that
   leaks 64 bytes a call (through cpf_malloc, or plain malloc where the C
   heap is measurable) fails. */
static void *kept_buffer;
static unsigned fluct_state = 1;
static void clean_but_fluctuating(void *ctx)
{
    size_t n;
    (void)ctx;
    fluct_state = fluct_state * 1103515245u + 12345u;
    n = 1000 + (fluct_state >> 16) % 50000;       /* 1..51 KB, changes every call */
    cpf_free(kept_buffer);
    kept_buffer = cpf_malloc(n);
    touch((volatile char *)kept_buffer, n);
}
static void *leaked[4096];
static int nleaked;
static void leaks_64_counted(void *ctx) { (void)ctx; if (nleaked < 4096) leaked[nleaked++] = cpf_malloc(64); }
static void leaks_64_plain(void *ctx) { (void)ctx; if (nleaked < 4096) leaked[nleaked++] = malloc(64); }

static void test_leak_check_passes_a_clean_fluctuating_function(void)
{
    cpf_leak_result r;
    CHECK(cpf_leak_check(clean_but_fluctuating, NULL, 200, NULL, &r) == CPF_OK);
    CHECK_MSG(r.verdict.ok && r.verdict.level == CPF_PASS, "%s", r.verdict.message);
    CHECK(strstr(r.verdict.message, "no leak") != NULL);
    cpf_free(kept_buffer);
    kept_buffer = NULL;
}

static void test_leak_check_fails_a_function_leaking_64_bytes_per_call(void)
{
    cpf_leak_result r;
    int i;
    nleaked = 0;
    CHECK(cpf_leak_check(leaks_64_counted, NULL, 200, NULL, &r) == CPF_OK);
    CHECK_MSG(!r.verdict.ok && r.verdict.level == CPF_FAIL, "%s", r.verdict.message);
    CHECK_NEAR(r.live_slope, 64.0, 1e-9);
    CHECK(strstr(r.verdict.message, "LEAK") != NULL && strstr(r.verdict.message, "64.0 B") != NULL);
    for (i = 0; i < nleaked; i++) cpf_free(leaked[i]);
    nleaked = 0;
    CHECK(cpf_leak_check(leaks_64_plain, NULL, 200, NULL, &r) == CPF_OK);
    if (r.has_heap && r.heap_slope > 0.0) {
        /* plain malloc leaks are seen through the C heap (glibc mallinfo2) */
        CHECK_MSG(!r.verdict.ok, "%s", r.verdict.message);
        CHECK_MSG(r.heap_slope >= 64.0 && r.heap_slope <= 96.0, "heap slope %g", r.heap_slope);
    }
    for (i = 0; i < nleaked; i++) free(leaked[i]);
    nleaked = 0;
    CHECK(cpf_leak_check(NULL, NULL, 200, NULL, &r) == CPF_ERR_ARG && !r.verdict.ok);
    CHECK(cpf_leak_check(leaks_64_counted, NULL, 2, NULL, &r) == CPF_ERR_ARG);
}

static void test_slope_matches_a_hand_computed_fit(void)
{
    /* y = 2x + 1 exactly: slope 2, standard error 0. y = {1, 3, 2, 5} over
       x = 0..3: means 1.5 and 2.75, Sxy = 2.625 - 0.125 - 0.375 + 3.375 =
       5.5, Sxx = 5, so b = 1.1. */
    double a[5] = { 1, 3, 5, 7, 9 }, b[4] = { 1, 3, 2, 5 }, se = -1;
    CHECK_NEAR(cpf_slope(a, 5, &se), 2.0, 1e-12);
    CHECK_NEAR(se, 0.0, 1e-12);
    CHECK_NEAR(cpf_slope(b, 4, &se), 1.1, 1e-12);
    CHECK(se > 0.0);
}

typedef struct big { size_t n; } big;
static void use_bytes(void *ctx)
{
    big *b = (big *)ctx;
    char *p = (char *)cpf_malloc(b->n);
    if (p) touch(p, b->n);
    cpf_free(p);
}

static void test_memory_budget_passes_below_and_fails_above_the_limit(void)
{
    big b;
    cpf_verdict v;
#if defined(TEST_EMBEDDED)
    const double unit = 64 * 1024.0;   /* the board has 4 MiB of RAM */
#else
    const double unit = 8 * MiB;
#endif
    b.n = (size_t)(4 * unit);
    /* under a sanitizer the RSS peak includes shadow memory (see above) */
    v = cpf_mem_below(use_bytes, &b, strstr(cpf_mem_source(), "sanitizer") ? 64 * unit : 8 * unit);
    CHECK_MSG(v.ok && v.level == CPF_PASS, "%s", v.message);
    CHECK(v.observed >= 4 * unit);
    CHECK(v.limit >= 8 * unit);
    CHECK(strstr(v.message, "within") != NULL && strstr(v.message, "limit") != NULL);
    v = cpf_mem_below(use_bytes, &b, 2 * unit);
    CHECK_MSG(!v.ok && v.level == CPF_FAIL, "%s", v.message);
    CHECK(strstr(v.message, "above") != NULL);
    v = cpf_mem_below(NULL, &b, 1);
    CHECK(!v.ok);
}

#if !defined(CORALPERF_NO_THREADS)
typedef struct hammer { int id; void *keep[64]; } hammer;
static int alloc_hammer(void *arg)
{
    hammer *h = (hammer *)arg;
    int i;
    for (i = 0; i < 20000; i++) {
        int k = i % 64;
        cpf_free(h->keep[k]);
        h->keep[k] = cpf_malloc((size_t)(16 + (i % 100)));
    }
    for (i = 0; i < 64; i++) { cpf_free(h->keep[i]); h->keep[i] = NULL; }
    return 0;
}

static void test_counts_are_exact_under_8_threads(void)
{
    cpf_alloc_stats a, b;
    cpf_thread t[8];
    hammer h[8];
    int i;
    memset(h, 0, sizeof h);
    cpf_alloc_stats_get(&a);
    for (i = 0; i < 8; i++) cpf_thread_start(&t[i], alloc_hammer, &h[i]);
    for (i = 0; i < 8; i++) cpf_thread_join(&t[i], NULL);
    cpf_alloc_stats_get(&b);
    CHECK(b.allocs - a.allocs == 8 * 20000);
    CHECK(b.frees - a.frees == 8 * 20000);  /* 64 first frees are of NULL: not counted */
    CHECK(b.live_bytes == a.live_bytes);
    {
        /* bytes allocated: sum over i of 16 + i % 100, per thread */
        int64_t per = 0;
        for (i = 0; i < 20000; i++) per += 16 + i % 100;
        CHECK(b.bytes_allocated - a.bytes_allocated == 8 * per);
    }
}

static void test_sampler_catches_a_256_mib_spike_of_50_ms(void)
{
    const size_t n = 256u << 20;
    cpf_mem_monitor m;
    cpf_mem_point pts[CPF_MEM_TIMELINE];
    char *p;
    int np;
    uint64_t t0;
    if (cpf_mem_monitor_start(&m, 5.0) != CPF_OK) { CHECK(cpf_mem_rss(&t0) == CPF_ERR_UNSUPPORTED); return; }
    cpf_sleep_ms(20);
    p = (char *)malloc(n);
    CHECK(p != NULL);
    if (p) {
        touch(p, n);
        t0 = cpf_now_ns();
        while (cpf_now_ns() - t0 < 50000000u) cpf_sleep_ms(1);  /* held for 50 ms */
        free(p);
    }
    cpf_sleep_ms(20);
    CHECK(cpf_mem_monitor_stop(&m) == CPF_OK);
    CHECK_MSG((double)cpf_mem_monitor_growth(&m) >= 0.9 * (double)n, "peak growth %.1f MiB",
              (double)cpf_mem_monitor_growth(&m) / MiB);
    np = cpf_mem_monitor_timeline(&m, pts, CPF_MEM_TIMELINE);
    CHECK(np >= 10 && np <= CPF_MEM_TIMELINE);
    CHECK(m.samples >= 10);
}

static void test_sampler_timeline_stays_bounded(void)
{
    cpf_mem_monitor m;
    int i;
    if (cpf_mem_monitor_start(&m, 1000.0) != CPF_OK) return;
    for (i = 0; i < 5000; i++) cpf_mem_monitor_sample(&m);  /* far more than 512 */
    cpf_mem_monitor_stop(&m);
    CHECK(m.timeline_n <= CPF_MEM_TIMELINE);
    CHECK(m.samples >= 5001);
    CHECK(m.keep_every >= 8);
}
#endif

void tests_mem(void)
{
#if !defined(TEST_EMBEDDED)
    RUN(test_rss_grows_by_about_the_bytes_touched);
    RUN(test_peak_reset_is_verified_or_reported_unsupported);
#else
    RUN(test_unsupported_platform_says_so_instead_of_zero);
#endif
    RUN(test_memory_source_is_named_and_null_is_refused);
    RUN(test_counting_allocator_counts_exactly);
    RUN(test_peak_live_bytes_follow_the_high_water_mark);
    RUN(test_leak_check_passes_a_clean_fluctuating_function);
    RUN(test_leak_check_fails_a_function_leaking_64_bytes_per_call);
    RUN(test_slope_matches_a_hand_computed_fit);
    RUN(test_memory_budget_passes_below_and_fails_above_the_limit);
#if !defined(CORALPERF_NO_THREADS)
    RUN(test_counts_are_exact_under_8_threads);
    RUN(test_sampler_catches_a_256_mib_spike_of_50_ms);
    RUN(test_sampler_timeline_stays_bounded);
#endif
    tests_mem_review();
}

/* --- behaviours fixed after review ------------------------------------------ */
static void *setup_block;
static void alloc_in_setup(void *ctx) { (void)ctx; setup_block = cpf_malloc(65536); }
static void free_in_teardown(void *ctx) { (void)ctx; cpf_free(setup_block); setup_block = NULL; }
static void op_allocates_twice(cpf_bench *b)
{
    while (cpf_bench_loop(b)) {
        void *p = cpf_malloc(100), *q = cpf_malloc(28);
        cpf_do_not_optimize(p);
        cpf_free(q);
        cpf_free(p);
    }
}

static void test_memory_columns_count_the_op_not_its_setup(void)
{
    cpf_bench_opts o;
    cpf_result r;
    memset(&o, 0, sizeof o);
    o.memory = 1;
    o.setup = alloc_in_setup;
    o.teardown = free_in_teardown;
    o.samples = 5;
    o.min_sample_ms = 0.5;
    CHECK(cpf_bench_run("allocs", op_allocates_twice, NULL, &o, &r) == CPF_OK);
    CHECK(r.has_memory);
    CHECK_MSG(r.allocs_per_op == 2.0, "allocs/op %g", r.allocs_per_op);       /* not 2 + 1/iterations */
    CHECK_MSG(r.alloc_bytes_per_op == 128.0, "bytes/op %g", r.alloc_bytes_per_op);
    cpf_result_free(&r);
}

#if !defined(CORALPERF_NO_THREADS)
static void *handed[200];
static cpf_atomic32 nhanded;
static int allocate_and_exit(void *arg)
{
    (void)arg;
    handed[cpf_atomic32_fetch_add(&nhanded, 1)] = cpf_malloc(4000); /* stays pending: < 4 KiB */
    return 0;
}

static void test_peak_counts_bytes_of_threads_that_exited(void)
{
    /* 200 short-lived threads each allocate 4000 B (below the per-thread
       flush step) and exit; then one big block. The peak must include the
       800,000 bytes the exited threads still hold. */
    cpf_thread t;
    cpf_alloc_stats s0, s1;
    int i;
    void *big;
    cpf_atomic32_store(&nhanded, 0);
    cpf_alloc_stats_get(&s0);
    for (i = 0; i < 200; i++) { cpf_thread_start(&t, allocate_and_exit, NULL); cpf_thread_join(&t, NULL); }
    cpf_alloc_peak_reset();
    big = cpf_malloc(1 << 20);
    cpf_free(big);
    cpf_alloc_stats_get(&s1);
    CHECK(s1.live_bytes - s0.live_bytes == 200 * 4000);
    CHECK_MSG(s1.peak_live_bytes - s0.live_bytes >= 200 * 4000 + (1 << 20),
              "peak %lld above start, want >= %d", (long long)(s1.peak_live_bytes - s0.live_bytes), 200 * 4000 + (1 << 20));
    for (i = 0; i < 200; i++) cpf_free(handed[i]);
}
#endif

static void clean_random_malloc(void *ctx)
{
    /* a clean function using plain malloc with random sizes: glibc's
       per-thread cache fills for a few hundred calls (looks like growth) */
    size_t n;
    void *p;
    (void)ctx;
    fluct_state = fluct_state * 1103515245u + 12345u;
    n = 16 + (fluct_state >> 16) % 1000;
    p = malloc(n);
    touch((volatile char *)p, n);
    free(p);
}

static void test_leak_check_default_warmup_absorbs_allocator_caches(void)
{
    cpf_leak_result r;
    CHECK(cpf_leak_check(clean_random_malloc, NULL, 200, NULL, &r) == CPF_OK);
    CHECK_MSG(r.verdict.ok, "%s", r.verdict.message);
}

void tests_mem_review(void)
{
    RUN(test_memory_columns_count_the_op_not_its_setup);
#if !defined(CORALPERF_NO_THREADS)
    RUN(test_peak_counts_bytes_of_threads_that_exited);
#endif
    RUN(test_leak_check_default_warmup_absorbs_allocator_caches);
}
