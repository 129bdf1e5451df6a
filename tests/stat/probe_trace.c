/* probe_trace.c - how well a machine-speed probe follows real code on this
   machine (the numbers in README.md, "A slower machine is allowed for").
   `make stat-check` builds it; run it by hand:
     build/stat/probe_trace 2000
   Each round times, as the median of 5 timings, four probes and five
   kernels. The probes are the four parts of the kit's probe since 0.10.4
   (cpf__machine_probe, their "blend": the geometric mean with l1 counted
   twice): "chains", four multiply-xorshift chains, latency-bound (the
   kit's probe alone before 0.10.3); "branches", a branch on random bits in
   every step, mispredicted about half the time; "thru", eight independent
   add/xor/shift chains that keep the core's ALUs busy (what a busy sibling
   hyperthread competes for); "l1", loads over 24 KiB (the L1 cache and
   load ports a sibling shares). The kernels: the kit's XXH3 over 64 KiB,
   strtol over 1,000 numbers, 64 mallocs and frees, qsort of 2,048 ints, a
   4 MiB pointer chase. It prints the median of each per 200 rounds (the
   host's speed states show as jumps), then per kernel the drift left after
   dividing by each probe and by the blend: the standard deviation of
   20-round means of ln(kernel) - ln(probe) ("raw": of ln(kernel) alone).
   Lower than raw: the probe follows the kernel. */
#define _POSIX_C_SOURCE 200809L
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
static volatile uint64_t sink;
/* the four parts of the kit's probe, as the kit runs them (internal
   functions of the implementation included above) */
static void part_chains(void) { sink ^= cpf__probe_chains(); }
static void part_branches(void) { sink ^= cpf__probe_branches(); }
static void part_thru(void) { sink ^= cpf__probe_thru(); }
static uint64_t l1_buf[CPF__PROBE_L1_WORDS]; /* filled in main: never folded to zeros */
static void part_l1(void) { sink ^= cpf__probe_l1(l1_buf); }
static unsigned char hash_buf[65536];
static void k_hash(void) { sink ^= cpf_hash64(hash_buf, sizeof hash_buf, sink); }
static char *text;
static void k_strtol(void)
{
    const char *p = text;
    long s = 0;
    while (*p) {
        char *e;
        s += strtol(p, &e, 10);
        if (e == p) break;
        p = e + 1;
    }
    sink = (uint64_t)s;
}
static void k_malloc(void)
{
    void *p[64];
    int i;
    for (i = 0; i < 64; i++) p[i] = malloc((size_t)(16 + 8 * i));
    for (i = 0; i < 64; i++) { sink += (uint64_t)(uintptr_t)p[i]; free(p[i]); }
}
static int *sort_src, *sort_dst;
static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}
static void k_qsort(void)
{
    memcpy(sort_dst, sort_src, 2048 * sizeof(int));
    qsort(sort_dst, 2048, sizeof(int), cmp_int);
    sink = (uint64_t)sort_dst[7];
}
static size_t *chase;
#define CHASE_N ((size_t)1 << 19)
static void k_chase(void)
{
    size_t p = 0;
    int i;
    for (i = 0; i < 4096; i++) p = chase[p];
    sink = p;
}
typedef void (*fn)(void);
static double time_it(fn f, int reps)
{
    double t[5], tmp;
    int k, i, j;
    for (k = 0; k < 5; k++) {
        uint64_t t0 = now_ns();
        for (i = 0; i < reps; i++) f();
        t[k] = (double)(now_ns() - t0) / reps;
    }
    for (i = 0; i < 5; i++)
        for (j = i + 1; j < 5; j++)
            if (t[j] < t[i]) tmp = t[i], t[i] = t[j], t[j] = tmp;
    return t[2];
}
static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
#define NPROBE 4 /* columns 0..3 are probes; column NCOL is their blend (l1 twice, as the kit) */
#define NCOL 9
static const char *const names[NCOL] = { "chains", "branches", "thru", "l1", "hash64k", "strtol", "malloc", "qsort", "chase" };
static const fn fns[NCOL] = { part_chains, part_branches, part_thru, part_l1, k_hash, k_strtol, k_malloc, k_qsort, k_chase };
static const int reps[NCOL] = { 2, 4, 2, 2, 40, 20, 2000, 4, 4 };
/* sd of 20-round means of ln(col a) - ln(col b) (b < 0: ln(a) alone) */
static double drift(double *const *v, int rounds, int a, int b)
{
    int nb = rounds / 20, i, j;
    double sum = 0, sq = 0;
    for (i = 0; i < nb; i++) {
        double m = 0;
        for (j = 0; j < 20; j++) m += log(v[a][i * 20 + j]) - (b >= 0 ? log(v[b][i * 20 + j]) : 0);
        m /= 20;
        sum += m, sq += m * m;
    }
    return nb > 1 ? sqrt(sq / nb - (sum / nb) * (sum / nb)) : 0;
}
int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 2000, r, c, i;
    unsigned x = 12345;
    size_t n = 0, k;
    double *v[NCOL + 1];
    if (rounds < 40) { fprintf(stderr, "usage: probe_trace [rounds >= 40]\n"); return 2; }
    text = (char *)malloc(16384);
    sort_src = (int *)malloc(2048 * sizeof(int));
    sort_dst = (int *)malloc(2048 * sizeof(int));
    chase = (size_t *)malloc(CHASE_N * sizeof(size_t));
    for (c = 0; c <= NCOL; c++) v[c] = (double *)malloc((size_t)rounds * sizeof(double));
    if (!text || !sort_src || !sort_dst || !chase) return 1;
    for (c = 0; c <= NCOL; c++) if (!v[c]) return 1;
    for (k = 0; k < CPF__PROBE_L1_WORDS; k++) l1_buf[k] = (uint64_t)k ^ now_ns();
    for (k = 0; k < sizeof hash_buf; k++) hash_buf[k] = (unsigned char)(k * 131);
    for (i = 0; i < 1000; i++) { x = x * 1103515245u + 12345u; n += (size_t)sprintf(text + n, "%u\n", x >> 4); }
    for (i = 0; i < 2048; i++) { x = x * 1103515245u + 12345u; sort_src[i] = (int)(x >> 8); }
    for (k = 0; k < CHASE_N; k++) chase[k] = k;
    for (k = CHASE_N - 1; k > 0; k--) { /* one random cycle (Sattolo) */
        size_t j, t;
        x = x * 1103515245u + 12345u;
        j = (size_t)x % k;
        t = chase[k], chase[k] = chase[j], chase[j] = t;
    }
    for (r = 0; r < rounds; r++)
        for (c = 0; c < NCOL; c++) v[c][r] = time_it(fns[c], reps[c]);
    for (r = 0; r < rounds; r++) {
        double t4[NPROBE];
        for (c = 0; c < NPROBE; c++) t4[c] = v[c][r];
        v[NCOL][r] = cpf__probe_blend(t4); /* the kit's own weights */
    }
    printf("medians per 200 rounds (ns):\n");
    for (c = 0; c < NCOL; c++) {
        printf("  %-9s", names[c]);
        for (r = 0; r < rounds; r += 200) {
            int m = rounds - r < 200 ? rounds - r : 200;
            double *t = (double *)malloc((size_t)m * sizeof(double));
            if (!t) return 1;
            memcpy(t, v[c] + r, (size_t)m * sizeof(double));
            qsort(t, (size_t)m, sizeof(double), cmp_dbl);
            printf(" %.0f", t[m / 2]);
            free(t);
        }
        printf("\n");
    }
    printf("drift left (sd of 20-round means of ln time): raw, / chains, / branches, / thru, / l1, / blend\n");
    for (c = NPROBE; c < NCOL; c++)
        printf("  %-9s %.3f  %.3f  %.3f  %.3f  %.3f  %.3f\n", names[c], drift(v, rounds, c, -1), drift(v, rounds, c, 0),
               drift(v, rounds, c, 1), drift(v, rounds, c, 2), drift(v, rounds, c, 3), drift(v, rounds, c, NCOL));
    for (c = 0; c <= NCOL; c++) free(v[c]);
    free(text); free(sort_src); free(sort_dst); free(chase);
    return 0;
}
