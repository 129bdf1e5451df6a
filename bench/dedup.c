/* dedup.c - the dedup goals of issue 6, side by side in one run, on one core:
     exact dedup (cpf_tensor_id + cpf_dedup_add_id, index insert included) in
     tensors/s at 100x100 and 200x200 float32 and as a fraction of the read
     bandwidth at 1000x1000; the near-duplicate sketch in GB/s; the whole
     pipeline with near-duplicate detection; recall and false confirmations
     on a generated set.

   build: cc -O2 -I. -I/usr/include/stb bench/dedup.c -lm -pthread -o dedup
   ./dedup [runs, default 11]

   Every figure is the median of the runs. Each run adds a pool of distinct
   tensors to a fresh index, so every add inserts; the read bandwidth is a
   64-bit sum over the same pool (GB/s = 1e9 bytes/s). */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#if defined(CPF_BENCH_XXHASH) /* bench/hash.sh defines it when xxhash.h is installed */
#define XXH_INLINE_ALL
#include <xxhash.h>
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile uint64_t g_sink;

static uint64_t rng(uint64_t *s) { *s ^= *s >> 12; *s ^= *s << 25; *s ^= *s >> 27; return *s * 0x2545F4914F6CDD1Dull; }
static float unif(uint64_t *s) { return (float)((double)(int32_t)((rng(s) >> 40) - (1u << 23)) / 8388608.0); }

typedef struct pool { float *data; void *block; size_t count, n; int64_t dims[2]; } pool;

/* n tensors of side x side float32, back to back; the first at `offset`
   bytes past a 64-byte boundary (every tensor size here is a multiple of
   64 bytes, so all of them are) */
static int pool_make(pool *p, int side, size_t n, uint64_t seed, size_t offset)
{
    size_t i;
    p->dims[0] = p->dims[1] = side;
    p->count = (size_t)side * (size_t)side;
    p->n = n;
    p->block = malloc(p->count * n * sizeof(float) + 128);
    if (!p->block) return 0;
    p->data = (float *)(void *)((unsigned char *)p->block + (64 - (size_t)((uintptr_t)p->block % 64)) % 64 + offset);
    for (i = 0; i < p->count * n; i++) p->data[i] = unif(&seed);
    return 1;
}

static double median(double *x, int n) { cpf_sort_doubles(x, (size_t)n); return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]); }

/* seconds for one pass of the 64-bit sum over the pool */
static double read_pass(const pool *p)
{
    const uint64_t *w = (const uint64_t *)(const void *)p->data;
    size_t i, n = p->count * p->n / 2;
    uint64_t a = 0, b = 0, c = 0, d = 0, t0 = cpf_now_ns();
    for (i = 0; i + 4 <= n; i += 4) { a += w[i]; b += w[i + 1]; c += w[i + 2]; d += w[i + 3]; }
    g_sink ^= a + b + c + d;
    return (double)(cpf_now_ns() - t0) * 1e-9;
}

/* mode 0: exact dedup; 1: exact dedup + near-duplicate index; 2: sketch only;
   3: libxxhash's XXH3-128 of each tensor alone (the peer: no index, no
   header), the ceiling of any XXH3-based dedup on this machine; 4: our
   cpf_hash128 of each tensor alone (the same work as 3); 5: cpf_tensor_id
   alone (the hash of mode 0 without the index) */
static double dedup_pass(const pool *p, int mode)
{
    cpf_dedup d;
    cpf_neardup nd;
    size_t i, bytes = p->count * sizeof(float);
    uint64_t t0 = cpf_now_ns();
    cpf_dedup_init(&d, NULL);
    cpf_neardup_init(&nd, NULL);
    for (i = 0; i < p->n; i++) {
        const float *t = p->data + i * p->count;
#if defined(CPF_BENCH_XXHASH)
        if (mode == 3) {
            XXH128_hash_t h = XXH3_128bits(t, bytes);
            g_sink ^= h.low64 ^ h.high64;
            continue;
        }
#endif
        if (mode == 4) {
            cpf_u128 h = cpf_hash128(t, bytes, 0);
            g_sink ^= h.lo ^ h.hi;
            continue;
        }
        if (mode == 5) {
            cpf_u128 h = cpf_tensor_id(CPF_DTYPE_F32, p->dims, 2, t, bytes);
            g_sink ^= h.lo ^ h.hi;
            continue;
        }
        if (mode == 2) {
            uint64_t sk = 0;
            double nm;
            cpf_neardup_sketch(&nd, CPF_DTYPE_F32, t, p->count, &sk, &nm);
            g_sink ^= sk;
            continue;
        }
        {
            cpf_dedup_result r;
            cpf_dedup_add_id(&d, cpf_tensor_id(CPF_DTYPE_F32, p->dims, 2, t, bytes), t, bytes, &r);
            if (mode == 1 && !r.duplicate) cpf_neardup_add(&nd, CPF_DTYPE_F32, p->dims, 2, t, i, NULL);
        }
    }
    cpf_neardup_free(&nd);
    cpf_dedup_free(&d);
    return (double)(cpf_now_ns() - t0) * 1e-9;
}

/* Medians over runs of seconds per tensor for mode and for the read pass
   over the same pool, interleaved so that a busy moment hits both; each run
   lasts >= 20 ms. */
static double per_tensor(const pool *p, int mode, int runs, double *read_bw_gbs)
{
    double x[64], y[64];
    int r, k, passes = 1;
    double t = mode < 0 ? read_pass(p) : dedup_pass(p, mode);  /* warm-up and calibration */
    while (t * passes < 0.02) passes *= 2;
    for (r = 0; r < runs; r++) {
        double s = 0, q = 0;
        for (k = 0; k < passes; k++) s += dedup_pass(p, mode);
        for (k = 0; k < passes; k++) q += read_pass(p);
        x[r] = s / passes / (double)p->n;
        y[r] = q / passes / (double)p->n;
    }
    *read_bw_gbs = (double)(p->count * sizeof(float)) / median(y, runs) * 1e-9;
    return median(x, runs);
}

/* one row: tensors/s, GB/s, fraction of the read bandwidth, goals */
static void row(const char *name, const pool *p, int mode, int runs, double goal_rate, double goal_gbs, double goal_bw)
{
    double bw, per = per_tensor(p, mode, runs, &bw), rate = 1.0 / per;
    double gbs = (double)(p->count * sizeof(float)) * rate * 1e-9;
    printf("%-42s %10.0f /s %7.2f GB/s %6.1f%% of %5.1f GB/s read", name, rate, gbs, 100.0 * gbs / bw, bw);
    if (goal_rate > 0) printf("   goal >= %.0f/s: %s", goal_rate, rate >= goal_rate ? "PASS" : "MISS");
    if (goal_gbs > 0) printf("   goal >= %.0f GB/s: %s", goal_gbs, gbs >= goal_gbs ? "PASS" : "MISS");
    if (goal_bw > 0) printf("   goal >= %.0f%% of read: %s", 100 * goal_bw, gbs / bw >= goal_bw ? "PASS" : "MISS");
    printf("\n");
    fflush(stdout);
}

/* recall and false confirmations: bases, fine-tuned copies, unrelated tensors */
static void recall_row(const char *name, double frac, double rel, int multi_probe)
{
    enum { N = 64 * 64, BASES = 100, COPIES = 3, UNRELATED = 300 };
    int64_t dims[2] = { 64, 64 };
    float *buf = (float *)malloc((size_t)(BASES * (1 + COPIES) + UNRELATED) * N * sizeof(float)), *p = buf;
    cpf_neardup nd;
    cpf_neardup_opts o;
    uint64_t s = 12345;
    int b, c, u, found = 0, falses = 0;
    double minc = 2, ham = 0;
    if (!buf) return;
    memset(&o, 0, sizeof o);
    o.multi_probe = multi_probe;
    o.delta = CPF_NEARDUP_DELTA_NONE;
    cpf_neardup_init(&nd, &o);
    for (b = 0; b < BASES; b++) {
        float *base = p;
        size_t i;
        for (i = 0; i < N; i++) base[i] = unif(&s);
        cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 2, base, (uint64_t)b, NULL);
        p += N;
        for (c = 0; c < COPIES; c++, p += N) {
            cpf_neardup_result r;
            for (i = 0; i < N; i++)
                p[i] = (double)(rng(&s) >> 11) / 9007199254740992.0 < frac ? (float)(base[i] * (1.0 + rel * unif(&s))) : base[i];
            cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 2, p, (uint64_t)b, &r);
            if (r.is_near && r.base_tag == (uint64_t)b) { found++; ham += r.hamming; if (r.cosine < minc) minc = r.cosine; }
        }
    }
    for (u = 0; u < UNRELATED; u++, p += N) {
        cpf_neardup_result r;
        size_t i;
        for (i = 0; i < N; i++) p[i] = unif(&s);
        cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 2, p, 999999, &r);
        falses += r.is_near;
    }
    printf("%-44s recall %6.2f%% (%d/%d)  false confirmations %d/%d  mean Hamming %.2f  min cosine %.6f\n", name,
           100.0 * found / (BASES * COPIES), found, BASES * COPIES, falses, UNRELATED, found ? ham / found : 0.0, minc);
    cpf_neardup_free(&nd);
    free(buf);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 11;
    pool small, mid, big, small16;
    if (runs < 9) runs = 9;
    if (runs > 64) runs = 64;
    if (!pool_make(&small, 100, 256, 1, 0) || !pool_make(&mid, 200, 64, 2, 0) || !pool_make(&big, 1000, 16, 3, 0) ||
        !pool_make(&small16, 100, 256, 1, 16)) {
        printf("dedup bench: out of memory\n");
        return 1;
    }
    printf("pools of distinct float32 tensors: 256 x 100x100 (10 MB), 64 x 200x200 (10 MB), 16 x 1000x1000 (64 MB),\n"
           "each tensor 64-byte aligned (as PyTorch allocates; one row at 16 past it, where glibc's malloc puts large blocks);\n"
           "hash backend %s; medians of %d runs; read = 64-bit sum over the same pool, interleaved\n", cpf_hash_backend(), runs);
    row("exact dedup 100x100", &small, 0, runs, 500000, 0, 0);
    row("exact dedup 100x100, 16 B off", &small16, 0, runs, 0, 0, 0);
    row("exact dedup 200x200", &mid, 0, runs, 150000, 0, 0);
    row("exact dedup 1000x1000", &big, 0, runs, 0, 0, 0.80);
#if defined(CPF_BENCH_XXHASH)
#if XXH_VECTOR == XXH_AVX512
#define PEER "peer: libxxhash XXH3-128 (avx512)"
#elif XXH_VECTOR == XXH_AVX2
#define PEER "peer: libxxhash XXH3-128 (avx2)"
#elif XXH_VECTOR == XXH_SSE2
#define PEER "peer: libxxhash XXH3-128 (sse2)"
#else
#define PEER "peer: libxxhash XXH3-128"
#endif
    row(PEER " 100x100", &small, 3, runs, 0, 0, 0);
    row(PEER " 200x200", &mid, 3, runs, 0, 0, 0);
#endif
    row("ours: cpf_hash128 alone 100x100", &small, 4, runs, 0, 0, 0);
    row("ours: cpf_tensor_id alone 100x100", &small, 5, runs, 0, 0, 0);
    row("near-dup sketch 200x200", &mid, 2, runs, 0, 10, 0);
    row("near-dup sketch 1000x1000", &big, 2, runs, 0, 10, 0);
    row("exact + near-dup index 100x100", &small, 1, runs, 0, 0, 0);
    row("exact + near-dup index 200x200", &mid, 1, runs, 0, 0, 0);
    row("exact + near-dup index 1000x1000", &big, 1, runs, 0, 0, 0);
    printf("near-duplicate recall, 100 bases x 3 copies + 300 unrelated, 64x64 (goal: >= 99%%, no false confirmation):\n");
    recall_row("  fine-tune 1e-3 on 1% of elements", 0.01, 1e-3, 0);
    recall_row("  fine-tune 1e-3 on 10% of elements", 0.10, 1e-3, 0);
    recall_row("  noise 1e-2 on all elements", 1.0, 1e-2, 0);
    recall_row("  noise 0.1 on all elements", 1.0, 0.1, 0);
    recall_row("  noise 0.2 on all elements (cos ~0.993)", 1.0, 0.2, 0);
    recall_row("  noise 0.2 on all elements, multi_probe", 1.0, 0.2, 1);
    free(small.block);
    free(small16.block);
    free(mid.block);
    free(big.block);
    return 0;
}
