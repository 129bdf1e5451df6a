/* statcheck_suite.c - the suite `make stat-check` runs again and again
   against one stored baseline to count false alarms and detections.

   Eight kernels with different bottlenecks (hashing, sorting, cache and
   memory copies, a pointer chase, parsing, malloc, floating point), so a
   neighbour on the other core hurts some more than others.
     STAT_INJECT=name:0.2   makes `name` do 20% more work (every fifth
                            operation runs twice): an exact, known regression
     --wide                 registers 100 small benchmarks instead (the
                            multiple-comparisons row)
     STAT_AB20=1            registers 20: the eight and twelve hashing sizes
                            (the A/B rows; an environment variable, since the
                            A/B workers inherit the environment)
     -DSTAT_INJECT_BUILD="name:0.05"  the injection compiled in (A/B rows:
                            the candidate build differs, not the environment) */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <stdlib.h>
#include <string.h>

static const char *inject_name;
/* The A/B rows' candidate: the injection as data of a fixed size, read
   through a volatile pointer, so builds with and without it have the same
   code and the same layout (a change of code would move every function
   after it and shift unrelated benchmarks by a few percent - a real
   difference between two such builds, but not the one being injected). */
#ifndef STAT_INJECT_BUILD
#define STAT_INJECT_BUILD ""
#endif
static const char inject_build[64] = STAT_INJECT_BUILD;
static const char *volatile inject_build_p = inject_build;
static double inject_frac;

/* Extra work for the injected benchmark: an accumulator adds one more
   operation each time it passes 1, so the work grows by exactly frac. */
typedef struct { double acc, frac; } extra;
static extra extra_for(const char *name)
{
    extra e;
    e.acc = 0.5; /* rounds the extra operations of a batch to the nearest */
    e.frac = inject_name && strcmp(inject_name, name) == 0 ? inject_frac : 0;
    return e;
}
/* How many extra operations this iteration owes (a fraction above 1 is
   kept: STAT_INJECT=name:9 is ten times the work). */
static int extra_times(extra *e)
{
    int k;
    if (e->frac <= 0) return 0;
    e->acc += e->frac;
    k = (int)e->acc;
    e->acc -= k;
    return k;
}
/* At most one extra operation per iteration: the benchmarks other than
   math/poly_4096 (injections there are at most +100%). */
static int extra_again(extra *e) { return extra_times(e) > 0; }

static unsigned char *buf_a, *buf_b;
static int *sort_src, *sort_dst;
static size_t *chase;
static char *text;
#define BIG ((size_t)8 << 20)
#define CHASE_N ((size_t)1 << 19)  /* 4 MiB of size_t on 64-bit */

static void setup_data(void)
{
    size_t i;
    unsigned x = 12345;
    buf_a = (unsigned char *)malloc(BIG);
    buf_b = (unsigned char *)malloc(BIG);
    sort_src = (int *)malloc(2048 * sizeof(int));
    sort_dst = (int *)malloc(2048 * sizeof(int));
    chase = (size_t *)malloc(CHASE_N * sizeof(size_t));
    text = (char *)malloc(16384);
    if (!buf_a || !buf_b || !sort_src || !sort_dst || !chase || !text) { fprintf(stderr, "out of memory\n"); exit(1); }
    for (i = 0; i < BIG; i++) buf_a[i] = (unsigned char)(i * 31), buf_b[i] = 0;
    for (i = 0; i < 2048; i++) { x = x * 1103515245u + 12345u; sort_src[i] = (int)(x >> 8); }
    /* one random cycle through all slots (Sattolo) */
    for (i = 0; i < CHASE_N; i++) chase[i] = i;
    for (i = CHASE_N - 1; i > 0; i--) {
        size_t j, t;
        x = x * 1103515245u + 12345u;
        j = (size_t)x % i;
        t = chase[i]; chase[i] = chase[j]; chase[j] = t;
    }
    {
        size_t n = 0;
        for (i = 0; i < 1000 && n + 16 < 16384; i++) {
            x = x * 1103515245u + 12345u;
            n += (size_t)sprintf(text + n, "%u\n", x >> 4);
        }
    }
}

static void bench_hash(cpf_bench *b)
{
    extra e = extra_for("hash/xxh3_16k");
    uint64_t h = 0;
    while (cpf_bench_loop(b)) {
        h ^= cpf_hash64(buf_a, 16384, h);
        if (extra_again(&e)) h ^= cpf_hash64(buf_a, 16384, h);
    }
    cpf_do_not_optimize(h);
}

static int cmp_int(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return a < b ? -1 : a > b;
}
static void bench_sort(cpf_bench *b)
{
    extra e = extra_for("sort/qsort_2k");
    while (cpf_bench_loop(b)) {
        memcpy(sort_dst, sort_src, 2048 * sizeof(int));
        qsort(sort_dst, 2048, sizeof(int), cmp_int);
        if (extra_again(&e)) { memcpy(sort_dst, sort_src, 2048 * sizeof(int)); qsort(sort_dst, 2048, sizeof(int), cmp_int); }
        cpf_do_not_optimize(sort_dst[7]);
    }
}

static void bench_copy_l2(cpf_bench *b)
{
    extra e = extra_for("copy/memcpy_256k");
    while (cpf_bench_loop(b)) {
        memcpy(buf_b, buf_a, 256 << 10);
        if (extra_again(&e)) memcpy(buf_b + 4096, buf_a, 256 << 10);
        cpf_clobber_memory();
    }
}

static void bench_copy_mem(cpf_bench *b)
{
    extra e = extra_for("copy/memcpy_8m");
    while (cpf_bench_loop(b)) {
        memcpy(buf_b, buf_a, BIG);
        if (extra_again(&e)) memcpy(buf_b, buf_a, BIG);
        cpf_clobber_memory();
    }
}

static void bench_chase(cpf_bench *b)
{
    extra e = extra_for("chase/list_4m");
    size_t p = 0, i;
    while (cpf_bench_loop(b)) {
        for (i = 0; i < 4096; i++) p = chase[p];
        if (extra_again(&e)) for (i = 0; i < 4096; i++) p = chase[p];
    }
    cpf_do_not_optimize(p);
}

static long parse_all(void)
{
    const char *p = text;
    long sum = 0;
    while (*p) {
        char *end;
        sum += strtol(p, &end, 10);
        if (end == p) break;
        p = end + 1;
    }
    return sum;
}
static void bench_parse(cpf_bench *b)
{
    extra e = extra_for("parse/strtol_1000");
    long s = 0;
    while (cpf_bench_loop(b)) {
        s += parse_all();
        if (extra_again(&e)) s += parse_all();
    }
    cpf_do_not_optimize(s);
}

static void malloc_free(void)
{
    void *p[64];
    int i;
    for (i = 0; i < 64; i++) p[i] = malloc((size_t)(16 + 8 * i));
    for (i = 0; i < 64; i++) { cpf_do_not_optimize(p[i]); free(p[i]); }
}
static void bench_alloc(cpf_bench *b)
{
    extra e = extra_for("alloc/malloc_free_64");
    while (cpf_bench_loop(b)) {
        malloc_free();
        if (extra_again(&e)) malloc_free();
    }
}

static double poly(double x0)
{
    double x = x0, acc = 0;
    int i;
    for (i = 0; i < 4096; i++) {
        acc = ((((acc * x + 0.5) * x - 0.25) * x + 0.125) * x) * 0.999;
        x += 1e-6;
    }
    return acc;
}
static void bench_poly(cpf_bench *b)
{
    extra e = extra_for("math/poly_4096");
    double s = 0;
    while (cpf_bench_loop(b)) {
        int k;
        s += poly(0.3 + s * 1e-300);
        for (k = extra_times(&e); k > 0; k--) s += poly(0.3 + s * 1e-300);
    }
    cpf_do_not_optimize(s);
}

/* --wide: 100 benchmarks wide/1 .. wide/100 hashing 1..100 KiB. */
static void bench_wide(cpf_bench *b)
{
    size_t n = (size_t)cpf_bench_arg(b) * 1024;
    uint64_t h = 0;
    while (cpf_bench_loop(b)) h ^= cpf_hash64(buf_a, n, h);
    cpf_do_not_optimize(h);
}

int main(int argc, char **argv)
{
    cpf_suite s;
    const char *inj = getenv("STAT_INJECT"), *ab20 = getenv("STAT_AB20");
    char *args[64];
    int i, n = 0, wide = 0;
    if ((!inj || !*inj) && inject_build_p[0]) inj = inject_build_p;
    if (inj && *inj) {
        static char name[128];
        const char *colon = strrchr(inj, ':');
        if (!colon || (size_t)(colon - inj) >= sizeof name) { fprintf(stderr, "STAT_INJECT=name:fraction\n"); return 1; }
        memcpy(name, inj, (size_t)(colon - inj));
        name[colon - inj] = 0;
        inject_name = name;
        inject_frac = atof(colon + 1);
    }
    for (i = 0; i < argc && n < 63; i++) {
        if (strcmp(argv[i], "--wide") == 0) wide = 1;
        else args[n++] = argv[i];
    }
    args[n] = NULL;
    setup_data();
    cpf_suite_init(&s, wide ? "statcheck_wide" : "statcheck");
    if (wide) {
        int64_t k, kib[100];
        for (k = 0; k < 100; k++) kib[k] = k + 1;
        cpf_bench_opts o;
        memset(&o, 0, sizeof o);
        o.samples = 25;         /* 25 samples of 0.5 ms: ~20 ms per benchmark */
        o.min_sample_ms = 0.5;
        o.warmup_ms = 5;
        cpf_suite_add_args(&s, "wide", bench_wide, NULL, &o, kib, 100);
    } else {
        cpf_suite_add(&s, "hash/xxh3_16k", bench_hash, NULL);
        cpf_suite_add(&s, "sort/qsort_2k", bench_sort, NULL);
        cpf_suite_add(&s, "copy/memcpy_256k", bench_copy_l2, NULL);
        cpf_suite_add(&s, "copy/memcpy_8m", bench_copy_mem, NULL);
        cpf_suite_add(&s, "chase/list_4m", bench_chase, NULL);
        cpf_suite_add(&s, "parse/strtol_1000", bench_parse, NULL);
        cpf_suite_add(&s, "alloc/malloc_free_64", bench_alloc, NULL);
        cpf_suite_add(&s, "math/poly_4096", bench_poly, NULL);
        if (ab20 && strcmp(ab20, "1") == 0) {
            int64_t kib[12];
            for (i = 0; i < 12; i++) kib[i] = 4 * (i + 1);
            cpf_suite_add_args(&s, "wide", bench_wide, NULL, NULL, kib, 12);
        }
    }
    cpf_suite_run(&s, n, args);
    free(buf_a); free(buf_b); free(sort_src); free(sort_dst); free(chase); free(text);
    return cpf_suite_finish(&s);
}
