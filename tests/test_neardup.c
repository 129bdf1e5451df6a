/* Near-duplicate tensors: the sketch against a naive implementation of its
   documented definition and pinned values (same bits on every platform),
   recall and precision on a generated set of fine-tuned copies and
   unrelated tensors, the shape/dtype and norm gates, XOR-delta accounting
   worked out by hand, float16/bfloat16 pairs and their 2-byte deltas,
   the packer hook, data lifetime, several producers,
   and the dedup report in every format. */
#include "coralperf.h"
#include "tinytest.h"
#include <stdlib.h>

/* xorshift64*: the generated set is the same on every platform */
static uint64_t nd_rng(uint64_t *s)
{
    *s ^= *s >> 12; *s ^= *s << 25; *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}
/* uniform in [-1, 1), exact in float (24 random bits) */
static float nd_unif(uint64_t *s) { return (float)((double)(int32_t)((nd_rng(s) >> 40) - (1u << 23)) / 8388608.0); }
static void nd_fill(float *x, size_t n, uint64_t seed)
{
    size_t i;
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (i = 0; i < n; i++) x[i] = nd_unif(&s);
}
/* a "fine-tune": relative noise rel on a fraction frac of the elements */
static void nd_finetune(float *dst, const float *src, size_t n, double frac, double rel, uint64_t seed)
{
    size_t i;
    uint64_t s = seed * 0xD1B54A32D192ED03ull + 7;
    for (i = 0; i < n; i++) {
        double pick = (double)(nd_rng(&s) >> 11) / 9007199254740992.0;
        dst[i] = pick < frac ? (float)((double)src[i] * (1.0 + rel * (double)nd_unif(&s))) : src[i];
    }
}

/* The documented definition, element by element (independent of the
   kernel's rows, lanes and chunks). */
static void nd_reference(const float *x, size_t n, uint64_t *sketch, double *norm)
{
    float acc[64], w[1072];
    double sq[16], s = 0;
    uint64_t st = 0x636f72616c6e6421ull, word = 0, bits = 0;
    size_t Q = (n / 64) * 16, i;
    int k;
    for (k = 0; k < 1072; k++) {
        if (k % 64 == 0) { /* splitmix64 */
            uint64_t z = (st += 0x9E3779B97F4A7C15ull);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            word = z ^ (z >> 31);
        }
        w[k] = ((word >> (k % 64)) & 1u) ? -1.0f : 1.0f;
    }
    memset(acc, 0, sizeof acc);
    memset(sq, 0, sizeof sq);
    for (i = 0; i < n; i++) {
        size_t block = i < 4 * Q ? 16 * (i / Q) + i % 16 : i - 4 * Q;
        acc[block] += w[i % 1072] * x[i];
        sq[i % 16] += (double)x[i] * (double)x[i];
    }
    for (k = 0; k < 16; k++) s += sq[k];
    for (k = 0; k < 64; k++) if (acc[k] > 0.0f) bits |= (uint64_t)1 << k;
    *sketch = bits;
    *norm = sqrt(s);
}

static void test_sketch_follows_its_documented_definition(void)
{
    static const size_t sizes[] = { 0, 1, 15, 16, 63, 64, 65, 127, 1071, 1072, 1073, 4099, 70001 };
    float *x = (float *)malloc(70001 * sizeof(float));
    cpf_neardup nd;
    size_t k;
    CHECK(cpf_neardup_init(&nd, NULL) == CPF_OK);
    nd_fill(x, 70001, 1);
    for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        uint64_t a = 0, b = 0;
        double na = -1, nb = -2;
        CHECK(cpf_neardup_sketch(&nd, CPF_DTYPE_F32, x, sizes[k], &a, &na) == CPF_OK);
        nd_reference(x, sizes[k], &b, &nb);
        CHECK_MSG(a == b && na == nb, "n=%u: %016llx vs %016llx, %.17g vs %.17g", (unsigned)sizes[k],
                  (unsigned long long)a, (unsigned long long)b, na, nb);
    }
    cpf_neardup_free(&nd);
    free(x);
}

static void test_sketch_and_norm_are_the_same_bits_on_every_platform(void)
{
    /* pinned on x86-64; the same on s390x (big-endian), armhf (32-bit),
       aarch64 and riscv64 because every sum has a fixed order */
    float x[1000];
    uint64_t sk = 0;
    double nm = 0;
    cpf_neardup nd;
    int i;
    for (i = 0; i < 1000; i++) x[i] = (float)(int)(((uint32_t)i * 2654435761u >> 8) & 0xFFFFu) / 32768.0f - 1.0f;
    cpf_neardup_init(&nd, NULL);
    cpf_neardup_sketch(&nd, CPF_DTYPE_F32, x, 1000, &sk, &nm);
    CHECK_MSG(sk == 0x9A00B20C4290557Eull, "sketch %016llx", (unsigned long long)sk);
    CHECK_MSG(nm == 18.262412929728182, "norm %.17g", nm);
    cpf_neardup_free(&nd);
}

static void test_float16_and_bfloat16_convert_exactly(void)
{
    /* IEEE 754 binary16: 1, -2, 65504 (max), 2^-24 (smallest subnormal),
       1023 * 2^-24 (largest subnormal), -0, 0.333251953125 (0x3555);
       bfloat16 is the upper half of a binary32: 1, -123.5, 2^-126 */
    static const uint16_t h[7] = { 0x3C00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x8000, 0x3555 };
    static const uint16_t bf[3] = { 0x3F80, 0xC2F7, 0x0080 };
    float fh[7], fb[3];
    uint64_t a, b;
    double na, nb;
    cpf_neardup nd;
    fh[0] = 1.0f; fh[1] = -2.0f; fh[2] = 65504.0f; fh[3] = 1.0f / 16777216.0f; fh[4] = 1023.0f / 16777216.0f;
    fh[5] = -0.0f; fh[6] = 0.333251953125f;
    fb[0] = 1.0f; fb[1] = -123.5f; fb[2] = 1.17549435e-38f;
    cpf_neardup_init(&nd, NULL);
    CHECK(cpf_neardup_sketch(&nd, CPF_DTYPE_F16, h, 7, &a, &na) == CPF_OK);
    cpf_neardup_sketch(&nd, CPF_DTYPE_F32, fh, 7, &b, &nb);
    CHECK(a == b && na == nb);
    CHECK(cpf_neardup_sketch(&nd, CPF_DTYPE_BF16, bf, 3, &a, &na) == CPF_OK);
    cpf_neardup_sketch(&nd, CPF_DTYPE_F32, fb, 3, &b, &nb);
    CHECK(a == b && na == nb);
    cpf_neardup_free(&nd);
}

enum { ND_N = 4096, ND_RN = 1024, ND_BASES = 30, ND_VARIANTS = 4, ND_UNRELATED = 150 };

static void test_finetuned_copies_are_found_and_unrelated_tensors_never_confirmed(void)
{
    /* 30 bases, each with 4 fine-tuned copies (relative noise 1e-3 on 1%, 2%,
       5%, 10% of the elements), then 150 unrelated tensors, all 32x32
       (1.3 MB: the Cortex-M3 board has 4 MB) */
    static const double fracs[ND_VARIANTS] = { 0.01, 0.02, 0.05, 0.10 };
    int64_t dims[2] = { 32, 32 };
    float *pool = (float *)malloc((size_t)(ND_BASES * (1 + ND_VARIANTS) + ND_UNRELATED) * ND_RN * sizeof(float));
    cpf_neardup nd;
    cpf_neardup_stats st;
    int b, v, u, found = 0, wrong = 0, false_conf = 0, positives = ND_BASES * ND_VARIANTS;
    float *p = pool, *hard, *noise;
    CHECK(pool != NULL);
    if (!pool) return;
    cpf_neardup_init(&nd, NULL);
    for (b = 0; b < ND_BASES; b++) {
        cpf_neardup_result r;
        float *base = p;
        nd_fill(base, ND_RN, 100 + (uint64_t)b);
        cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 2, base, (uint64_t)b, &r);
        CHECK(!r.is_near);
        p += ND_RN;
        for (v = 0; v < ND_VARIANTS; v++, p += ND_RN) {
            nd_finetune(p, base, ND_RN, fracs[v], 1e-3, 1000 + (uint64_t)(b * ND_VARIANTS + v));
            CHECK(cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 2, p, (uint64_t)b, &r) == CPF_OK);
            if (r.is_near && r.base_tag == (uint64_t)b) found++;
            else if (r.is_near) wrong++;
        }
    }
    for (u = 0; u < ND_UNRELATED; u++, p += ND_RN) {
        cpf_neardup_result r;
        nd_fill(p, ND_RN, 50000 + (uint64_t)u);
        cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 2, p, 999, &r);
        if (r.is_near) false_conf++;
    }
    /* hard negatives: base + 0.2 x noise has cosine about 0.98, just under the
       threshold; their sketches often share a band with the base, so the exact
       check must reject them (the index keeps pointers: freed after the index) */
    hard = (float *)malloc(20 * ND_RN * sizeof(float));
    noise = (float *)malloc(ND_RN * sizeof(float));
    for (b = 0; b < 20 && hard && noise; b++) {
        cpf_neardup_result r;
        float *h = hard + (size_t)b * ND_RN;
        int i;
        nd_fill(noise, ND_RN, 70000 + (uint64_t)b);
        for (i = 0; i < ND_RN; i++) h[i] = pool[(size_t)b * (1 + ND_VARIANTS) * ND_RN + (size_t)i] + 0.2f * noise[i];
        cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 2, h, 777, &r);
        if (r.is_near) false_conf++;
    }
    cpf_neardup_stats_get(&nd, &st);
    CHECK_MSG((double)found >= 0.99 * positives, "recall %d/%d", found, positives);
    CHECK_MSG(wrong == 0 && false_conf == 0, "%d wrong bases, %d false confirmations", wrong, false_conf);
    CHECK_MSG(st.rejected > 0, "no hard negative reached the exact check");
    CHECK(st.tensors == (uint64_t)(ND_BASES * (1 + ND_VARIANTS) + ND_UNRELATED + 20));
    CHECK(st.near_duplicates == (uint64_t)found && st.indexed == st.tensors && st.not_comparable == 0);
    CHECK(st.near_bytes == (uint64_t)found * ND_RN * 4);
    /* the deltas are mostly zero bytes: 1-10% of the elements changed */
    CHECK(st.delta_zero_bytes > st.near_bytes * 8 / 10 && st.delta_packed_bytes < st.near_bytes / 4);
    cpf_neardup_free(&nd);
    free(pool);
    free(hard);
    free(noise);
}

static void test_cosine_below_threshold_is_rejected_and_thresholds_are_configurable(void)
{
    /* y = x + 0.3 * noise: cosine about 0.985 < 0.99; z = 1.2 x: cosine 1, norm 20% off */
    float *x = (float *)malloc(3 * ND_N * sizeof(float)), *y = x + ND_N, *z = y + ND_N, *n = (float *)malloc(ND_N * sizeof(float));
    int64_t dims[1] = { ND_N };
    cpf_neardup nd;
    cpf_neardup_opts o;
    cpf_neardup_result r;
    int i;
    nd_fill(x, ND_N, 7);
    nd_fill(n, ND_N, 8);
    for (i = 0; i < ND_N; i++) { y[i] = x[i] + 0.3f * n[i]; z[i] = 1.2f * x[i]; }
    memset(&o, 0, sizeof o);
    o.max_hamming = 64;               /* let the check see y even if its sketch drifted */
    o.multi_probe = 1;
    cpf_neardup_init(&nd, &o);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, x, 1, &r);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, y, 2, &r);
    CHECK(!r.is_near);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, z, 3, &r);
    CHECK(!r.is_near && r.checks == 0);   /* the norm gate needs no data pass */
    cpf_neardup_free(&nd);
    o.min_cosine = 0.95;
    o.max_norm_diff = 0.25;
    cpf_neardup_init(&nd, &o);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, x, 1, &r);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, z, 3, &r);
    CHECK(r.is_near && r.base_tag == 1 && fabs(r.norm_ratio - 1.2) < 1e-6 && r.cosine > 0.999999);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, y, 2, &r);
    CHECK_MSG(r.is_near && r.cosine > 0.95 && r.cosine < 0.99, "near %d cosine %g hamming %d", r.is_near, r.cosine, r.hamming);
    cpf_neardup_free(&nd);
    o.min_cosine = 2.0;
    CHECK(cpf_neardup_init(&nd, &o) == CPF_ERR_ARG);
    o.min_cosine = 0.99;
    o.deflate_level = 10; /* not a deflate level: refused, not silently run-length */
    CHECK(cpf_neardup_init(&nd, &o) == CPF_ERR_ARG);
    free(x);
    free(n);
}

static void test_only_tensors_of_equal_shape_and_dtype_are_compared(void)
{
    float *x = (float *)malloc(ND_N * sizeof(float));
    uint16_t *hb = (uint16_t *)malloc(ND_N * sizeof(uint16_t));
    int64_t s64[2] = { 64, 64 }, s1[1] = { ND_N }, s32[2] = { 32, 128 };
    cpf_neardup nd;
    cpf_neardup_result r;
    int i;
    nd_fill(x, ND_N, 9);
    for (i = 0; i < ND_N; i++) { uint32_t u; memcpy(&u, &x[i], 4); hb[i] = (uint16_t)(u >> 16); }
    cpf_neardup_init(&nd, NULL);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, s64, 2, x, 1, &r);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, s1, 1, x, 2, &r);
    CHECK(!r.is_near && r.candidates == 0);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, s32, 2, x, 3, &r);
    CHECK(!r.is_near && r.candidates == 0);
    cpf_neardup_add(&nd, CPF_DTYPE_BF16, s64, 2, hb, 4, &r);  /* same values truncated, other dtype */
    CHECK(!r.is_near && r.candidates == 0);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, s32, 2, x, 5, &r);    /* identical: near with cosine 1 */
    CHECK(r.is_near && r.base_tag == 3 && r.hamming == 0 && r.delta_zero_bytes == ND_N * 4);
    cpf_neardup_free(&nd);
    free(x);
    free(hb);
}

/* Half-width tensors drawn as bit patterns (normal numbers of magnitude
   1/16..2, random signs), so no float-to-half rounding is involved.
   f16: 1 sign, 5 exponent (bias 15), 10 mantissa bits (IEEE 754 binary16);
   bf16: 1 sign, 8 exponent (bias 127), 7 mantissa bits. */
static void nd_fill_half(uint16_t *h, size_t n, int bf16, uint64_t seed)
{
    size_t i;
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 3;
    for (i = 0; i < n; i++) {
        uint64_t r = nd_rng(&s);
        unsigned sign = (unsigned)(r >> 63), e = (unsigned)((r >> 32) % 5);
        h[i] = bf16 ? (uint16_t)(sign << 15 | (123u + e) << 7 | (unsigned)(r & 0x7F))
                    : (uint16_t)(sign << 15 | (11u + e) << 10 | (unsigned)(r & 0x3FF));
    }
}
/* the value of such a normal number, in double (independent of the kit) */
static double nd_half_value(uint16_t h, int bf16)
{
    int mbits = bf16 ? 7 : 10, bias = bf16 ? 127 : 15;
    unsigned m = h & ((1u << mbits) - 1u), e = (h & 0x7FFFu) >> mbits;
    double v = ldexp(1.0 + (double)m / (double)(1u << mbits), (int)e - bias);
    return (h & 0x8000u) ? -v : v;
}
/* small noise: frac of the elements move 1..4 units in the last place
   (the magnitude's bits are monotonic, so this is +-0.1..0.4% for f16,
   +-0.8..3% for bf16, and stays a normal number) */
static void nd_noise_half(uint16_t *dst, const uint16_t *src, size_t n, double frac, uint64_t seed)
{
    size_t i;
    uint64_t s = seed * 0xD1B54A32D192ED03ull + 5;
    for (i = 0; i < n; i++) {
        uint64_t r = nd_rng(&s);
        int step = (int)(r & 3) + 1;
        dst[i] = src[i];
        if ((double)(r >> 11) / 9007199254740992.0 < frac)
            dst[i] = (uint16_t)((src[i] & 0x8000u) | (unsigned)((int)(src[i] & 0x7FFFu) + ((r >> 2) & 1 ? step : -step)));
    }
}

static void test_float16_and_bfloat16_near_duplicates_are_confirmed_with_2_byte_deltas(void)
{
    enum { N = 64 * 64 };
    int64_t dims[2] = { 64, 64 };
    uint16_t *t = (uint16_t *)malloc(45 * N * sizeof(uint16_t));
    cpf_neardup nd;
    cpf_neardup_opts o;
    cpf_neardup_result r;
    cpf_neardup_stats st;
    int bf, u, false_conf = 0;
    CHECK(t != NULL);
    if (!t) return;
    cpf_neardup_init(&nd, NULL); /* default thresholds: cosine >= 0.99, norm within 10% */
    for (bf = 0; bf < 2; bf++) {
        uint16_t *a = t + (size_t)(2 * bf) * N, *b = a + N;
        cpf_dtype dt = bf ? CPF_DTYPE_BF16 : CPF_DTYPE_F16;
        double dot = 0, na = 0, nb = 0;
        uint64_t zeros = 0;
        size_t i;
        nd_fill_half(a, N, bf, 300 + (uint64_t)bf);
        nd_noise_half(b, a, N, 0.05, 400 + (uint64_t)bf);
        for (i = 0; i < N; i++) {
            double x = nd_half_value(a[i], bf), y = nd_half_value(b[i], bf);
            unsigned d = (unsigned)(a[i] ^ b[i]);
            dot += x * y; na += x * x; nb += y * y;
            zeros += ((d & 0xFFu) == 0) + ((d >> 8) == 0);
        }
        CHECK(cpf_neardup_add(&nd, dt, dims, 2, a, 10 + (uint64_t)bf, &r) == CPF_OK && !r.is_near);
        CHECK(cpf_neardup_add(&nd, dt, dims, 2, b, 20 + (uint64_t)bf, &r) == CPF_OK);
        CHECK_MSG(r.is_near && r.base_tag == 10 + (uint64_t)bf && r.cosine >= 0.99, "%s: near %d base %llu cosine %.9f",
                  bf ? "bf16" : "f16", r.is_near, (unsigned long long)r.base_tag, r.cosine);
        CHECK_NEAR(r.cosine, dot / sqrt(na * nb), 1e-12);
        CHECK_MSG(zeros < 2u * N && zeros > 2u * N * 9 / 10, "%s: %llu zero bytes", bf ? "bf16" : "f16", (unsigned long long)zeros);
        /* the XOR delta is over 2-byte elements: n * 2 bytes, zero bytes as counted here */
        CHECK_MSG(r.delta_bytes == 2u * N && r.delta_zero_bytes == zeros, "%s: delta %llu bytes, %llu zero (want %u, %llu)",
                  bf ? "bf16" : "f16", (unsigned long long)r.delta_bytes, (unsigned long long)r.delta_zero_bytes, 2u * N,
                  (unsigned long long)zeros);
    }
    cpf_neardup_stats_get(&nd, &st);
    CHECK(st.near_duplicates == 2 && st.near_bytes == 2u * 2u * N && st.total_bytes == 4u * 2u * N);
    cpf_neardup_free(&nd);

    /* Unrelated f16 tensors are never confirmed, even when every candidate
       the bands propose gets an exact check; a tensor sharing 95% of the
       base's elements (cosine about 0.95) reaches the check and fails it. */
    memset(&o, 0, sizeof o);
    o.max_hamming = 64;
    o.multi_probe = 1;
    cpf_neardup_init(&nd, &o);
    cpf_neardup_add(&nd, CPF_DTYPE_F16, dims, 2, t, 0, &r);
    for (u = 0; u < 40; u++) {
        uint16_t *x = t + (size_t)(4 + u) * N;
        nd_fill_half(x, N, 0, 500 + (uint64_t)u);
        cpf_neardup_add(&nd, CPF_DTYPE_F16, dims, 2, x, 1, &r);
        if (r.is_near) false_conf++;
    }
    CHECK_MSG(false_conf == 0, "%d unrelated f16 tensors confirmed", false_conf);
    {
        uint16_t *x = t + (size_t)44 * N;
        size_t i;
        nd_fill_half(x, N, 0, 600);
        for (i = 0; i < N; i++) if (i % 20 != 0) x[i] = t[i];
        cpf_neardup_add(&nd, CPF_DTYPE_F16, dims, 2, x, 2, &r);
        CHECK_MSG(!r.is_near && r.checks >= 1, "95%% shared: near %d checks %u cosine %g", r.is_near, r.checks, r.cosine);
    }
    cpf_neardup_stats_get(&nd, &st);
    CHECK(st.near_duplicates == 0 && st.tensors == 42 && st.rejected >= 1);
    cpf_neardup_free(&nd);
    free(t);
}

static int g_hook_calls;
static size_t g_hook_len;
static int g_hook_bytes_ok;
static cpf_status nd_pack_hook(void *user, const void *delta, size_t len, size_t *packed)
{
    const unsigned char *d = (const unsigned char *)delta;
    size_t i;
    int ok = 1;
    g_hook_calls++;
    g_hook_len = len;
    for (i = 0; i < len; i++) {
        unsigned char want = (i == 20 || i == 160 || i == 161 || i == 166) ? 1 : 0;
        if (d[i] != want) ok = 0;
    }
    g_hook_bytes_ok = ok;
    if (user) return CPF_ERR_IO; /* the failing variant */
    *packed = 42;
    return CPF_OK;
}

/* base and a copy whose element bits differ by XOR 0x1 (element 5),
   0x101 (element 40) and 0x10000 (element 41) */
static void nd_delta_pair(float *base, float *copy)
{
    uint32_t u;
    nd_fill(base, ND_N, 11);
    memcpy(copy, base, ND_N * sizeof(float));
    memcpy(&u, &copy[5], 4); u ^= 0x1u; memcpy(&copy[5], &u, 4);
    memcpy(&u, &copy[40], 4); u ^= 0x101u; memcpy(&copy[40], &u, 4);
    memcpy(&u, &copy[41], 4); u ^= 0x10000u; memcpy(&copy[41], &u, 4);
}

static void test_xor_delta_counts_zero_bytes_and_run_length_size_exactly(void)
{
    /* Little-endian delta bytes: 20 zeros, 01, 139 zeros, 01 01, 4 zeros, 01,
       16217 zeros. Pairs (zero run, literal run) with LEB128 lengths:
       (20,1)+1 literal = 3, (139,2)+2 = 2+1+2 = 5, (4,1)+1 = 3, (16217,0) = 2+1:
       14 bytes. 16384 - 4 = 16380 zero bytes. */
    float *a = (float *)malloc(2 * ND_N * sizeof(float)), *b = a + ND_N;
    int64_t dims[1] = { ND_N };
    cpf_neardup nd;
    cpf_neardup_opts o;
    cpf_neardup_result r;
    cpf_neardup_stats st;
    nd_delta_pair(a, b);
    cpf_neardup_init(&nd, NULL);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, a, 0, &r);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, b, 1, &r);
    CHECK(r.is_near && r.base == 0 && r.delta_bytes == ND_N * 4);
    CHECK_MSG(r.delta_zero_bytes == 16380 && r.delta_rle_bytes == 14, "zeros %llu rle %llu",
              (unsigned long long)r.delta_zero_bytes, (unsigned long long)r.delta_rle_bytes);
    { /* the default packer is the kit's deflate (level 6) of the little-endian XOR bytes */
        unsigned char *x = (unsigned char *)malloc(ND_N * 4);
        cpf_bytes z;
        size_t i;
        for (i = 0; i < ND_N; i++) {
            uint32_t ua, ub, u;
            memcpy(&ua, &a[i], 4);
            memcpy(&ub, &b[i], 4);
            u = ua ^ ub;
            x[4 * i] = (unsigned char)u; x[4 * i + 1] = (unsigned char)(u >> 8);
            x[4 * i + 2] = (unsigned char)(u >> 16); x[4 * i + 3] = (unsigned char)(u >> 24);
        }
        CHECK(cpf_deflate(x, ND_N * 4, 6, &z, NULL, 0) == CPF_OK);
        CHECK_MSG(r.packed_by == CPF_NEARDUP_PACKED_DEFLATE && r.delta_packed_bytes == z.len,
                  "packed by %s: %llu bytes, deflate gives %lu", cpf_neardup_packer_name(r.packed_by),
                  (unsigned long long)r.delta_packed_bytes, (unsigned long)z.len);
        cpf_bytes_free(&z);
        free(x);
    }
    cpf_neardup_stats_get(&nd, &st);
    CHECK(st.delta_zero_bytes == 16380 && st.delta_rle_bytes == 14 && st.near_bytes == ND_N * 4);
    CHECK_NEAR(st.delta_ratio, (double)st.near_bytes / (double)st.delta_packed_bytes, 1e-12);
    cpf_neardup_free(&nd);

    /* a packer hook sees exactly those bytes and its size is reported */
    memset(&o, 0, sizeof o);
    o.pack = nd_pack_hook;
    g_hook_calls = 0;
    cpf_neardup_init(&nd, &o);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, a, 0, &r);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, b, 1, &r);
    CHECK(g_hook_calls == 1 && g_hook_len == ND_N * 4 && g_hook_bytes_ok);
    CHECK(r.delta_packed_bytes == 42 && r.packed_by == CPF_NEARDUP_PACKED_HOOK && r.delta_rle_bytes == 14);
    cpf_neardup_free(&nd);

    /* a failing packer: counted, and the run-length size stands in */
    o.pack_user = &o;
    cpf_neardup_init(&nd, &o);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, a, 0, &r);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, b, 1, &r);
    cpf_neardup_stats_get(&nd, &st);
    CHECK(r.delta_packed_bytes == 14 && r.packed_by == CPF_NEARDUP_PACKED_RLE && st.pack_failures == 1);
    cpf_neardup_free(&nd);

    /* DELTA_NONE skips the pass, RLE never calls the packer */
    o.pack_user = NULL;
    o.delta = CPF_NEARDUP_DELTA_RLE;
    g_hook_calls = 0;
    cpf_neardup_init(&nd, &o);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, a, 0, &r);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, b, 1, &r);
    CHECK(g_hook_calls == 0 && r.delta_packed_bytes == 14);
    cpf_neardup_free(&nd);
    o.delta = CPF_NEARDUP_DELTA_NONE;
    cpf_neardup_init(&nd, &o);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, a, 0, &r);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, b, 1, &r);
    CHECK(r.is_near && r.delta_zero_bytes == 0 && r.delta_packed_bytes == 0 && r.packed_by == CPF_NEARDUP_PACKED_NONE);
    cpf_neardup_free(&nd);
    free(a);
}

static void test_keep_copy_survives_the_caller_reusing_its_buffer(void)
{
    float *buf = (float *)malloc(2 * ND_N * sizeof(float)), *v = buf + ND_N;
    int64_t dims[1] = { ND_N };
    cpf_neardup nd;
    cpf_neardup_opts o;
    cpf_neardup_result r;
    cpf_neardup_stats st;
    int keep;
    for (keep = 0; keep < 2; keep++) {
        memset(&o, 0, sizeof o);
        o.keep_copy = keep;
        cpf_neardup_init(&nd, &o);
        nd_fill(buf, ND_N, 21);
        nd_finetune(v, buf, ND_N, 0.05, 1e-3, 22);
        cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, buf, 0, &r);
        nd_fill(buf, ND_N, 23);   /* the caller reuses its buffer */
        cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, v, 1, &r);
        cpf_neardup_stats_get(&nd, &st);
        /* without a copy the index compares against whatever the buffer holds now */
        CHECK_MSG(r.is_near == keep, "keep_copy %d: near %d", keep, r.is_near);
        CHECK(st.copy_bytes == (keep ? 2u * ND_N * 4 : 0u));
        cpf_neardup_free(&nd);
    }
    free(buf);
}

static void test_zero_nonfinite_and_empty_tensors_are_not_comparable(void)
{
    float z[64], nan_[64], one[64];
    int64_t d64[1] = { 64 }, d0[2] = { 0, 5 };
    cpf_neardup nd;
    cpf_neardup_result r;
    cpf_neardup_stats st;
    int i;
    for (i = 0; i < 64; i++) { z[i] = 0.0f; nan_[i] = 1.0f; one[i] = 1.0f; }
    { uint32_t qnan = 0x7FC00000u; memcpy(&nan_[7], &qnan, 4); }
    cpf_neardup_init(&nd, NULL);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, d64, 1, z, 0, &r);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, d64, 1, z, 1, &r);
    CHECK(!r.is_near && r.norm == 0);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, d64, 1, nan_, 2, &r);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, d64, 1, nan_, 3, &r);
    CHECK(!r.is_near);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, d0, 2, NULL, 4, &r);
    CHECK(!r.is_near);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, d64, 1, one, 5, &r);
    cpf_neardup_stats_get(&nd, &st);
    CHECK(st.tensors == 6 && st.not_comparable == 5 && st.indexed == 1 && st.near_duplicates == 0);
    cpf_neardup_free(&nd);
}

static void test_bad_arguments_are_errors_with_a_message(void)
{
    float x[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    unsigned char raw[40];
    int64_t d[1] = { 8 }, neg[1] = { -1 };
    cpf_neardup nd;
    cpf_neardup_result r;
    cpf_neardup_stats st;
    memset(raw, 0, sizeof raw);
    CHECK(cpf_neardup_init(NULL, NULL) == CPF_ERR_ARG);
    cpf_neardup_init(&nd, NULL);
    CHECK(cpf_neardup_add(&nd, (cpf_dtype)9, d, 1, x, 0, &r) == CPF_ERR_ARG && strstr(r.message, "dtype"));
    CHECK(cpf_neardup_add(&nd, CPF_DTYPE_F32, d, -1, x, 0, &r) == CPF_ERR_ARG && r.message[0]);
    CHECK(cpf_neardup_add(&nd, CPF_DTYPE_F32, neg, 1, x, 0, &r) == CPF_ERR_ARG && strstr(r.message, "negative"));
    CHECK(cpf_neardup_add(&nd, CPF_DTYPE_F32, d, 1, NULL, 0, &r) == CPF_ERR_ARG);
    CHECK(cpf_neardup_add(&nd, CPF_DTYPE_F32, d, 1, raw + 1, 0, &r) == CPF_ERR_ARG && strstr(r.message, "aligned"));
    CHECK(cpf_neardup_add(&nd, CPF_DTYPE_F32, d, 1, x, 0, NULL) == CPF_OK);
    CHECK(cpf_neardup_sketch(&nd, CPF_DTYPE_F16, raw + 1, 4, NULL, NULL) == CPF_ERR_ARG);
    cpf_neardup_stats_get(&nd, &st);
    CHECK(st.tensors == 1);            /* failed adds change nothing */
    cpf_neardup_free(&nd);
    CHECK(cpf_neardup_add(&nd, CPF_DTYPE_F32, d, 1, x, 0, &r) == CPF_ERR_ARG);  /* freed = zeroed */
    CHECK(cpf_neardup_distance(0, ~(uint64_t)0) == 64 && cpf_neardup_distance(5, 6) == 2);
}

#if !defined(CORALPERF_NO_THREADS)
typedef struct nd_producer { cpf_neardup *nd; const float *data; int first; } nd_producer;
static int nd_produce(void *arg)
{
    nd_producer *p = (nd_producer *)arg;
    int64_t dims[1] = { 1024 };
    int f;
    for (f = p->first; f < p->first + 5; f++) { /* 5 families of base + 3 copies */
        int k;
        for (k = 0; k < 4; k++) cpf_neardup_add(p->nd, CPF_DTYPE_F32, dims, 1, p->data + (size_t)(f * 4 + k) * 1024, (uint64_t)f, NULL);
    }
    return 0;
}

static void test_locked_mode_counts_exactly_under_4_producers(void)
{
    float *data = (float *)malloc(20 * 4 * 1024 * sizeof(float));
    cpf_neardup nd;
    cpf_neardup_opts o;
    cpf_neardup_stats st;
    cpf_thread t[4];
    nd_producer p[4];
    int f, k;
    for (f = 0; f < 20; f++) {
        nd_fill(data + (size_t)f * 4 * 1024, 1024, 300 + (uint64_t)f);
        for (k = 1; k < 4; k++)
            nd_finetune(data + (size_t)(f * 4 + k) * 1024, data + (size_t)f * 4 * 1024, 1024, 0.05, 1e-3, (uint64_t)(f * 4 + k));
    }
    memset(&o, 0, sizeof o);
    o.locked = 1;
    cpf_neardup_init(&nd, &o);
    for (k = 0; k < 4; k++) { p[k].nd = &nd; p[k].data = data; p[k].first = 5 * k; cpf_thread_start(&t[k], nd_produce, &p[k]); }
    for (k = 0; k < 4; k++) cpf_thread_join(&t[k], NULL);
    cpf_neardup_stats_get(&nd, &st);
    CHECK(st.tensors == 80 && st.indexed == 80);
    CHECK_MSG(st.near_duplicates == 60, "near %llu", (unsigned long long)st.near_duplicates);
    cpf_neardup_free(&nd);
    free(data);
}
#endif

static int nd_sb_write(void *user, const char *s, size_t n)
{
    char *dst = (char *)user;
    size_t len = strlen(dst);
    if (len + n >= 8192) return 1;
    memcpy(dst + len, s, n);
    dst[len + n] = 0;
    return 0;
}
static int nd_count(const char *s, char c, const char *end)
{
    int n = 0;
    for (; *s && s != end; s++) n += *s == c;
    return n;
}

static void test_dedup_report_in_every_format(void)
{
    float *a = (float *)malloc(2 * ND_N * sizeof(float)), *b = a + ND_N;
    int64_t dims[1] = { ND_N };
    static char out[8192];
    cpf_dedup d;
    cpf_dedup_stats ds;
    cpf_neardup nd;
    cpf_neardup_stats ns;
    const char *nl;
    char packer[64];
    nd_delta_pair(a, b);
    cpf_dedup_init(&d, NULL);
    cpf_neardup_init(&nd, NULL);
    cpf_dedup_add(&d, a, ND_N * 4, NULL);
    cpf_dedup_add(&d, a, ND_N * 4, NULL);
    cpf_dedup_add(&d, b, ND_N * 4, NULL);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, a, 0, NULL);
    cpf_neardup_add(&nd, CPF_DTYPE_F32, dims, 1, b, 2, NULL);
    cpf_dedup_stats_get(&d, &ds);
    cpf_neardup_stats_get(&nd, &ns);
    snprintf(packer, sizeof packer, "\"near_packed_by\": \"%s\"}\n}\n", cpf_neardup_packer_name(ns.packed_by));
    CHECK(ns.packed_by == CPF_NEARDUP_PACKED_DEFLATE && ns.pack_failures == 0);

    out[0] = 0;
    CHECK(cpf_dedup_report_write(&ds, &ns, CPF_REPORT_CONSOLE, nd_sb_write, out) == CPF_OK);
    CHECK(strstr(out, "byte dedup ratio 1.500x") && strstr(out, "savings 33.33%"));
    CHECK(strstr(out, "count ratio      1.500x (blobs / unique blobs: a count, not bytes)"));
    CHECK(strstr(out, "confirmed        1 (16.0 KiB)") && strstr(out, cpf_neardup_packer_name(ns.packed_by)));

    out[0] = 0;
    CHECK(cpf_dedup_report_write(&ds, &ns, CPF_REPORT_JSON, nd_sb_write, out) == CPF_OK);
    CHECK(out[0] == '{' && strstr(out, "\"dedup\": {\"blobs\": 3, \"unique_blobs\": 2,"));
    CHECK(strstr(out, "\"byte_dedup_ratio\": 1.5,") && strstr(out, "\"near_duplicates\": 1,"));
    CHECK(strstr(out, "\"near_delta_rle_bytes\": 14,") && strstr(out, packer));
    CHECK(nd_count(out, '{', NULL) == 3 && nd_count(out, '}', NULL) == 3);

    out[0] = 0;   /* CSV: a header and one row with as many fields */
    CHECK(cpf_dedup_report_write(&ds, &ns, CPF_REPORT_CSV, nd_sb_write, out) == CPF_OK);
    nl = strchr(out, '\n');
    CHECK(nl && strncmp(out, "blobs,unique_blobs,", 19) == 0 && strncmp(nl + 1, "3,2,", 4) == 0);
    CHECK(nl && nd_count(out, ',', nl) == nd_count(nl + 1, ',', NULL) && nd_count(nl + 1, '\n', NULL) == 1);
    out[0] = 0;   /* near-duplicates only: the dedup columns stay, empty */
    CHECK(cpf_dedup_report_write(NULL, &ns, CPF_REPORT_CSV, nd_sb_write, out) == CPF_OK);
    nl = strchr(out, '\n');
    CHECK(nl && nd_count(out, ',', nl) == nd_count(nl + 1, ',', NULL) && strncmp(nl + 1, ",,,,,,,,,,2,", 12) == 0);
    out[0] = 0;
    CHECK(cpf_dedup_report_write(&ds, NULL, CPF_REPORT_CSV, nd_sb_write, out) == CPF_OK);
    nl = strchr(out, '\n');
    CHECK(nl && nd_count(out, ',', nl) == nd_count(nl + 1, ',', NULL));

    out[0] = 0;
    CHECK(cpf_dedup_report_write(&ds, &ns, CPF_REPORT_MARKDOWN, nd_sb_write, out) == CPF_OK);
    CHECK(strncmp(out, "| metric | value |\n|---|---:|\n| blobs | 3 |\n", 44) == 0);
    CHECK(strstr(out, "| near_delta_zero_bytes | 16380 |\n") != NULL);

    CHECK(cpf_dedup_report_write(NULL, NULL, CPF_REPORT_JSON, nd_sb_write, out) == CPF_ERR_ARG);
    CHECK(cpf_dedup_report_write(&ds, NULL, (cpf_report_format)9, nd_sb_write, out) == CPF_ERR_ARG);
    cpf_dedup_free(&d);
    cpf_neardup_free(&nd);
    free(a);
}

void tests_neardup(void)
{
    RUN(test_sketch_follows_its_documented_definition);
    RUN(test_sketch_and_norm_are_the_same_bits_on_every_platform);
    RUN(test_float16_and_bfloat16_convert_exactly);
    RUN(test_finetuned_copies_are_found_and_unrelated_tensors_never_confirmed);
    RUN(test_cosine_below_threshold_is_rejected_and_thresholds_are_configurable);
    RUN(test_only_tensors_of_equal_shape_and_dtype_are_compared);
    RUN(test_float16_and_bfloat16_near_duplicates_are_confirmed_with_2_byte_deltas);
    RUN(test_xor_delta_counts_zero_bytes_and_run_length_size_exactly);
    RUN(test_keep_copy_survives_the_caller_reusing_its_buffer);
    RUN(test_zero_nonfinite_and_empty_tensors_are_not_comparable);
    RUN(test_bad_arguments_are_errors_with_a_message);
#if !defined(CORALPERF_NO_THREADS)
    RUN(test_locked_mode_counts_exactly_under_4_producers);
#endif
    RUN(test_dedup_report_in_every_format);
}
