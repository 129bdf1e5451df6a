/* The latency histogram (cpf_hist): bucket layout, percentiles against the
   exact nearest-rank percentiles of the same data (sorted copies), merge,
   record_n, mean, and the text form (round trip, truncated and hostile
   text). Thread-free and file-free: runs on the Cortex-M target too. */
#include "coralperf.h"
#include "tinytest.h"
#include <stdlib.h>

/* --- deterministic data ------------------------------------------------- */
static uint64_t rng_state;
static uint64_t rng_next(void) /* splitmix64 (Steele, Lea, Flood 2014) */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double rng_unit(void) { return (double)(rng_next() >> 11) * (1.0 / 9007199254740992.0); } /* [0, 1) */
static double rng_normal(void) /* Box-Muller */
{
    double u = rng_unit(), v = rng_unit();
    if (u < 1e-300) u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The exact nearest-rank percentile of sorted data: the smallest value with
   at least p% of the values at or below it (p = 0: the minimum). */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double p)
{
    double r;
    size_t rank;
    if (p <= 0) return sorted[0];
    if (p >= 100) return sorted[n - 1];
    r = ceil(p / 100.0 * (double)n);
    rank = r < 1 ? 1 : (size_t)r;
    if (rank > n) rank = n;
    return sorted[rank - 1];
}

static const double PCTS[] = { 0, 0.1, 1, 5, 10, 25, 33.3, 50, 66.7, 75, 90, 95, 99, 99.9, 99.99, 100 };
#define NPCTS (sizeof PCTS / sizeof PCTS[0])

/* Records data into a histogram of these bits and checks every percentile of
   PCTS against the exact one: |got - exact| <= exact x 2^-(bits+1), in
   integers (|d| <= floor(exact / 2^(bits+1)) is the same test for integer
   d), so UINT64_MAX-sized values are compared exactly. Also min, max, count. */
static int check_percentiles(const char *what, uint64_t *data, size_t n, int bits)
{
    cpf_hist h;
    size_t i, k;
    int bad = 0;
    if (cpf_hist_init(&h, bits) != CPF_OK) { CHECK_MSG(0, "init bits %d", bits); return 0; }
    for (i = 0; i < n; i++) cpf_hist_record(&h, data[i]);
    qsort(data, n, sizeof *data, cmp_u64);
    CHECK(h.count == (uint64_t)n);
    CHECK(h.min == data[0] && h.max == data[n - 1]);
    for (k = 0; k < NPCTS; k++) {
        uint64_t want = exact_percentile(data, n, PCTS[k]);
        uint64_t got = cpf_hist_percentile(&h, PCTS[k]);
        uint64_t d = got > want ? got - want : want - got;
        uint64_t tol = want >> (bits + 1);
        if (d > tol) {
            bad++;
            CHECK_MSG(d <= tol, "%s, bits %d, p%g: got %llu, exact %llu (tolerance %llu)", what, bits, PCTS[k],
                      (unsigned long long)got, (unsigned long long)want, (unsigned long long)tol);
        }
    }
    CHECK(cpf_hist_percentile(&h, 0) == data[0]);
    CHECK(cpf_hist_percentile(&h, 100) == data[n - 1]);
    cpf_hist_free(&h);
    return bad == 0;
}

static const int BITS[] = { 3, 7, 10 };

/* --- layout --------------------------------------------------------------- */
static void test_hist_init_defaults_and_rejects_bad_bits(void)
{
    cpf_hist h;
    CHECK(cpf_hist_init(&h, 0) == CPF_OK);
    CHECK(h.bits == 7 && h.nbuckets == (65u - 7u) << 7);
    CHECK(h.count == 0 && h.min == UINT64_MAX && h.max == 0 && h.sum == 0);
    {
        uint32_t i, nonzero = 0;
        for (i = 0; i < h.nbuckets; i++) nonzero += h.counts[i] != 0;
        CHECK(nonzero == 0);
    }
    cpf_hist_free(&h);
    CHECK(h.counts == NULL);
    cpf_hist_free(&h); /* twice is harmless */
    CHECK(cpf_hist_init(&h, -1) == CPF_ERR_ARG && h.counts == NULL);
    CHECK(cpf_hist_init(&h, 15) == CPF_ERR_ARG && h.counts == NULL);
    cpf_hist_free(&h);
    CHECK(cpf_hist_init(NULL, 7) == CPF_ERR_ARG);
    CHECK(cpf_hist_init(&h, 1) == CPF_OK && h.nbuckets == 128);
    cpf_hist_free(&h);
#if !defined(TEST_EMBEDDED) /* 6.7 MB: more than the board's RAM */
    CHECK(cpf_hist_init(&h, 14) == CPF_OK && h.nbuckets == 51u << 14);
    cpf_hist_record(&h, UINT64_MAX);
    CHECK(h.counts[h.nbuckets - 1] == 1);
    cpf_hist_free(&h);
#endif
}

static void test_hist_buckets_are_exact_below_2_pow_bits_plus_1(void)
{
    cpf_hist h;
    uint64_t v;
    CHECK(cpf_hist_init(&h, 3) == CPF_OK);
    for (v = 0; v < 16; v++) CHECK(cpf_hist_bucket(&h, v) == (uint32_t)v);
    /* 16..31 in steps of 2, 32..63 in steps of 4 (8 buckets per octave) */
    CHECK(cpf_hist_bucket(&h, 16) == 16 && cpf_hist_bucket(&h, 17) == 16 && cpf_hist_bucket(&h, 18) == 17);
    CHECK(cpf_hist_bucket(&h, 31) == 23 && cpf_hist_bucket(&h, 32) == 24 && cpf_hist_bucket(&h, 35) == 24);
    CHECK(cpf_hist_bucket(&h, 36) == 25);
    cpf_hist_free(&h);
}

/* Every bucket index is used, in order, and UINT64_MAX lands in the last one:
   walk the bucket boundaries (each power of two and its 2^bits steps). */
static void test_hist_buckets_cover_uint64_in_order(void)
{
    size_t b;
    for (b = 0; b < sizeof BITS / sizeof BITS[0]; b++) {
        cpf_hist h;
        int bits = BITS[b], e, ok = 1;
        uint32_t expect = 0;
        CHECK(cpf_hist_init(&h, bits) == CPF_OK);
        CHECK(cpf_hist_bucket(&h, 0) == 0);
        CHECK(cpf_hist_bucket(&h, UINT64_MAX) == h.nbuckets - 1);
        for (e = 0; e < 64 && ok; e++) {
            uint64_t lo = (uint64_t)1 << e, step = e > bits ? (uint64_t)1 << (e - bits) : 1, v;
            for (v = lo; ok; v += step) {
                uint32_t i = cpf_hist_bucket(&h, v);
                if (e == 0 && v == 1) expect = 1;
                if (i != expect || (v > 0 && cpf_hist_bucket(&h, v - 1) != expect - 1)) {
                    ok = 0;
                    CHECK_MSG(0, "bits %d: value %llu in bucket %u, expected %u", bits, (unsigned long long)v, (unsigned)i, (unsigned)expect);
                }
                expect++;
                if (v + step >= (e == 63 ? UINT64_MAX : lo << 1) || v + step < v) break;
            }
        }
        CHECK(expect == h.nbuckets);
        cpf_hist_free(&h);
    }
}

static void test_hist_record_and_bucket_agree(void)
{
    cpf_hist h;
    int i;
    rng_state = 11;
    CHECK(cpf_hist_init(&h, 5) == CPF_OK);
    for (i = 0; i < 2000; i++) {
        uint64_t v = rng_next() >> (rng_next() & 63);
        uint32_t k = cpf_hist_bucket(&h, v);
        uint64_t before = h.counts[k];
        cpf_hist_record(&h, v);
        CHECK(h.counts[k] == before + 1);
    }
    CHECK(h.count == 2000);
    cpf_hist_free(&h);
}

/* --- percentiles against exact ones --------------------------------------- */
#define NDATA 20000
static void test_hist_percentiles_uniform(void)
{
    uint64_t *d = (uint64_t *)malloc(sizeof(uint64_t) * NDATA);
    size_t b, i;
    if (!d) { CHECK(d != NULL); return; }
    for (b = 0; b < sizeof BITS / sizeof BITS[0]; b++) {
        rng_state = 1 + b;
        for (i = 0; i < NDATA; i++) d[i] = rng_next() % 1000000u; /* 0..1 ms in ns */
        check_percentiles("uniform 0..1e6", d, NDATA, BITS[b]);
        for (i = 0; i < NDATA; i++) d[i] = rng_next() >> 24; /* 0..2^40 */
        check_percentiles("uniform 0..2^40", d, NDATA, BITS[b]);
    }
    free(d);
}

static void test_hist_percentiles_lognormal(void)
{
    uint64_t *d = (uint64_t *)malloc(sizeof(uint64_t) * NDATA);
    size_t b, i;
    if (!d) { CHECK(d != NULL); return; }
    for (b = 0; b < sizeof BITS / sizeof BITS[0]; b++) {
        rng_state = 100 + b;
        /* median 100 us, sigma 1.5: from about 1 us to tens of ms */
        for (i = 0; i < NDATA; i++) d[i] = (uint64_t)exp(log(1e5) + 1.5 * rng_normal());
        check_percentiles("lognormal", d, NDATA, BITS[b]);
    }
    free(d);
}

static void test_hist_percentiles_near_powers_of_two(void)
{
    uint64_t d[64 * 3];
    size_t b, n;
    int e;
    for (b = 0; b < sizeof BITS / sizeof BITS[0]; b++) {
        n = 0;
        for (e = 0; e < 64; e++) {
            uint64_t p = (uint64_t)1 << e;
            d[n++] = p - 1;
            d[n++] = p;
            d[n++] = p + 1;
        }
        check_percentiles("2^k - 1, 2^k, 2^k + 1", d, n, BITS[b]);
    }
}

static void test_hist_percentiles_extremes(void)
{
    size_t b, i;
    for (b = 0; b < sizeof BITS / sizeof BITS[0]; b++) {
        uint64_t one[1] = { UINT64_MAX }, zero[1] = { 0 };
        uint64_t mix[7] = { 0, 1, UINT64_MAX, UINT64_MAX - 1, (uint64_t)1 << 63, 12345, 0 };
        uint64_t huge[1000];
        check_percentiles("UINT64_MAX alone", one, 1, BITS[b]);
        check_percentiles("0 alone", zero, 1, BITS[b]);
        check_percentiles("0, 1 and UINT64_MAX", mix, 7, BITS[b]);
        rng_state = 7 + b;
        for (i = 0; i < 1000; i++) huge[i] = rng_next() | ((uint64_t)1 << 63);
        check_percentiles("2^63..2^64-1", huge, 1000, BITS[b]);
    }
}

/* The stated bound is also the worst case: a value at the bottom of a wide
   bucket is reported at the bucket's midpoint (not closer). */
static void test_hist_percentile_error_reaches_the_bound(void)
{
    cpf_hist h;
    CHECK(cpf_hist_init(&h, 3) == CPF_OK);
    cpf_hist_record(&h, 1024); /* bucket [1024, 1151], midpoint 1088 */
    cpf_hist_record(&h, 2000);
    CHECK(cpf_hist_percentile(&h, 50) == 1024 + 64);
    CHECK(1024 + 64 - 1024 <= 1024 >> 4);
    cpf_hist_free(&h);
}

static void test_hist_percentile_clamps_p(void)
{
    cpf_hist h;
    CHECK(cpf_hist_init(&h, 7) == CPF_OK);
    cpf_hist_record(&h, 1000);
    cpf_hist_record(&h, 5000);
    CHECK(cpf_hist_percentile(&h, -5) == 1000);
    CHECK(cpf_hist_percentile(&h, 250) == 5000);
    CHECK(cpf_hist_percentile(&h, 50) == 1000 || cpf_hist_percentile(&h, 50) <= 1004);
    cpf_hist_free(&h);
}

/* --- empty, mean, record_n, reset ---------------------------------------- */
static void test_hist_empty(void)
{
    cpf_hist h;
    CHECK(cpf_hist_init(&h, 7) == CPF_OK);
    CHECK(cpf_hist_percentile(&h, 0) == 0 && cpf_hist_percentile(&h, 50) == 0 && cpf_hist_percentile(&h, 100) == 0);
    CHECK(cpf_hist_mean(&h) == 0);
    CHECK(h.count == 0 && h.min == UINT64_MAX && h.max == 0);
    CHECK(cpf_hist_percentile(NULL, 50) == 0 && cpf_hist_mean(NULL) == 0);
    cpf_hist_free(&h);
}

static void test_hist_mean_is_exact(void)
{
    cpf_hist h;
    uint64_t v;
    CHECK(cpf_hist_init(&h, 3) == CPF_OK); /* coarse buckets: the mean does not use them */
    for (v = 1; v <= 1000; v++) cpf_hist_record(&h, v * 1000 + 7);
    CHECK(cpf_hist_mean(&h) == 500507.0); /* (1001 x 1000 / 2 x 1000 + 7000) / 1000 */
    cpf_hist_reset(&h);
    cpf_hist_record(&h, 3);
    cpf_hist_record(&h, 4);
    CHECK(cpf_hist_mean(&h) == 3.5);
    cpf_hist_free(&h);
}

static void test_hist_record_n_equals_n_records(void)
{
    cpf_hist a, b;
    uint64_t vals[5] = { 0, 17, 1000003, (uint64_t)1 << 40, UINT64_MAX };
    uint64_t ns[5] = { 1, 5, 1000, 3, 2 };
    int i;
    uint64_t k;
    CHECK(cpf_hist_init(&a, 7) == CPF_OK && cpf_hist_init(&b, 7) == CPF_OK);
    for (i = 0; i < 5; i++) {
        cpf_hist_record_n(&a, vals[i], ns[i]);
        for (k = 0; k < ns[i]; k++) cpf_hist_record(&b, vals[i]);
    }
    CHECK(a.count == b.count && a.count == 1011);
    CHECK(a.min == b.min && a.max == b.max);
    CHECK_NEAR(a.sum, b.sum, b.sum * 1e-15); /* one product vs n rounded additions */
    CHECK(memcmp(a.counts, b.counts, sizeof(uint64_t) * a.nbuckets) == 0);
    cpf_hist_reset(&a);
    cpf_hist_record_n(&a, 5, 0); /* zero times: nothing, not even min/max */
    CHECK(a.count == 0 && a.min == UINT64_MAX && a.max == 0);
    cpf_hist_free(&a);
    cpf_hist_free(&b);
}

static void test_hist_reset_forgets_values(void)
{
    cpf_hist h;
    uint32_t i, nonzero = 0;
    CHECK(cpf_hist_init(&h, 4) == CPF_OK);
    cpf_hist_record(&h, 77);
    cpf_hist_record(&h, UINT64_MAX);
    cpf_hist_reset(&h);
    for (i = 0; i < h.nbuckets; i++) nonzero += h.counts[i] != 0;
    CHECK(nonzero == 0 && h.count == 0 && h.min == UINT64_MAX && h.max == 0 && h.sum == 0);
    CHECK(h.bits == 4 && h.counts != NULL);
    cpf_hist_free(&h);
}

/* --- merge ------------------------------------------------------------------ */
static void test_hist_merge_equals_one_histogram(void)
{
    cpf_hist all, part[3], empty;
    int i, k;
    CHECK(cpf_hist_init(&all, 7) == CPF_OK && cpf_hist_init(&empty, 7) == CPF_OK);
    for (k = 0; k < 3; k++) CHECK(cpf_hist_init(&part[k], 7) == CPF_OK);
    rng_state = 42;
    for (i = 0; i < 30000; i++) {
        uint64_t v = rng_next() >> (30 + (rng_next() & 31)); /* below 2^34: the double sums stay exact */
        cpf_hist_record(&all, v);
        cpf_hist_record(&part[i % 3], v);
    }
    CHECK(cpf_hist_merge(&part[0], &part[1]) == CPF_OK);
    CHECK(cpf_hist_merge(&part[0], &part[2]) == CPF_OK);
    CHECK(cpf_hist_merge(&part[0], &empty) == CPF_OK);
    CHECK(part[0].count == all.count && part[0].min == all.min && part[0].max == all.max);
    CHECK(part[0].sum == all.sum);
    CHECK(memcmp(part[0].counts, all.counts, sizeof(uint64_t) * all.nbuckets) == 0);
    CHECK(cpf_hist_percentile(&part[0], 99) == cpf_hist_percentile(&all, 99));
    /* merging into an empty histogram copies */
    CHECK(cpf_hist_merge(&empty, &all) == CPF_OK);
    CHECK(empty.count == all.count && empty.min == all.min && empty.max == all.max);
    CHECK(memcmp(empty.counts, all.counts, sizeof(uint64_t) * all.nbuckets) == 0);
    for (k = 0; k < 3; k++) cpf_hist_free(&part[k]);
    cpf_hist_free(&all);
    cpf_hist_free(&empty);
}

static void test_hist_merge_of_different_bits_fails(void)
{
    cpf_hist a, b;
    CHECK(cpf_hist_init(&a, 7) == CPF_OK && cpf_hist_init(&b, 8) == CPF_OK);
    cpf_hist_record(&a, 5);
    cpf_hist_record(&b, 6);
    CHECK(cpf_hist_merge(&a, &b) == CPF_ERR_ARG);
    CHECK(a.count == 1 && a.max == 5 && a.counts[5] == 1 && a.counts[6] == 0); /* untouched */
    CHECK(cpf_hist_merge(&a, NULL) == CPF_ERR_ARG && cpf_hist_merge(NULL, &a) == CPF_ERR_ARG);
    cpf_hist_free(&a);
    cpf_hist_free(&b);
}

/* --- text form ------------------------------------------------------------ */
static int same_hist(const cpf_hist *a, const cpf_hist *b)
{
    return a->bits == b->bits && a->nbuckets == b->nbuckets && a->count == b->count && a->min == b->min &&
           a->max == b->max && memcmp(&a->sum, &b->sum, sizeof a->sum) == 0 &&
           memcmp(a->counts, b->counts, sizeof(uint64_t) * a->nbuckets) == 0;
}

static int text_is_field_safe(const cpf_bytes *t)
{
    size_t i;
    for (i = 0; i < t->len; i++) {
        char c = (char)t->data[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return t->len > 0 && t->data[t->len] == 0;
}

static void roundtrip(const cpf_hist *h, const char *what)
{
    cpf_bytes t, t2;
    cpf_hist d;
    char msg[256];
    CHECK(cpf_hist_encode(h, &t) == CPF_OK);
    CHECK_MSG(text_is_field_safe(&t), "%s: %s", what, (const char *)t.data);
    CHECK_MSG(cpf_hist_decode(&d, (const char *)t.data, t.len, msg, sizeof msg) == CPF_OK, "%s: %s", what, msg);
    CHECK_MSG(same_hist(h, &d), "%s", what);
    CHECK(cpf_hist_encode(&d, &t2) == CPF_OK);
    CHECK(t2.len == t.len && memcmp(t.data, t2.data, t.len) == 0);
    cpf_bytes_free(&t);
    cpf_bytes_free(&t2);
    cpf_hist_free(&d);
}

static void test_hist_encode_decode_round_trip(void)
{
    cpf_hist h;
    size_t b;
    int i;
    for (b = 0; b < sizeof BITS / sizeof BITS[0]; b++) {
        CHECK(cpf_hist_init(&h, BITS[b]) == CPF_OK);
        roundtrip(&h, "empty");
        cpf_hist_record(&h, 0);
        roundtrip(&h, "one zero");
        cpf_hist_record(&h, UINT64_MAX);
        cpf_hist_record_n(&h, 1, (uint64_t)1 << 62);
        roundtrip(&h, "0, UINT64_MAX and 2^62 ones");
        rng_state = 5;
        for (i = 0; i < 5000; i++) cpf_hist_record(&h, (uint64_t)exp(log(1e5) + rng_normal()));
        roundtrip(&h, "lognormal");
        cpf_hist_free(&h);
    }
}

static void test_hist_text_is_compact(void)
{
    cpf_hist h;
    cpf_bytes t;
    int i;
    CHECK(cpf_hist_init(&h, 7) == CPF_OK);
    cpf_hist_encode(&h, &t);
    CHECK_MSG(t.len < 40, "empty: %u bytes", (unsigned)t.len);
    cpf_bytes_free(&t);
    rng_state = 9;
    for (i = 0; i < 100000; i++) cpf_hist_record(&h, (uint64_t)exp(log(1e5) + 0.3 * rng_normal()));
    cpf_hist_encode(&h, &t);
    /* a few hundred non-empty buckets, a few bytes each */
    CHECK_MSG(t.len < 4000, "%u bytes", (unsigned)t.len);
    cpf_bytes_free(&t);
    cpf_hist_free(&h);
}

static cpf_status decode_str(const char *s, char *msg, size_t cap)
{
    cpf_hist d;
    cpf_status st = cpf_hist_decode(&d, s, strlen(s), msg, cap);
    CHECK(st == CPF_OK || (d.counts == NULL && d.count == 0));
    cpf_hist_free(&d);
    return st;
}

/* The text form written here from its description (README, header): "h1."
   then varints of 5 bits a character (low group first, 32 = more) in the
   alphabet 0-9 A-Z a-z - _: bits, count, min, max, the IEEE-754 bits of
   sum, then (gap, count - 1) per non-empty bucket. */
static const char ALPHA[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
static char *put(char *o, uint64_t v)
{
    do { *o++ = ALPHA[(v & 31) | (v >> 5 ? 32 : 0)]; v >>= 5; } while (v);
    *o = 0;
    return o;
}
static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, sizeof u); return u; }
/* n numbers after "h1." */
static const char *text_of(char *buf, int n, const uint64_t *v)
{
    char *o = buf + 3;
    int i;
    memcpy(buf, "h1.", 4);
    for (i = 0; i < n; i++) o = put(o, v[i]);
    return buf;
}

static void test_hist_decode_accepts_text_written_from_the_description(void)
{
    char buf[256], msg[256];
    cpf_hist d;
    /* bits 7; 3 values: 10, 10 and 1000 (log2 9, shift 9 - 7 = 2: bucket 2 x 128 + 1000 / 4 = 506) */
    uint64_t v[] = { 7, 3, 10, 1000, 0, 10, 1, 506 - 11, 0 };
    v[4] = dbits(1020.0);
    text_of(buf, 9, v);
    if (cpf_hist_decode(&d, buf, strlen(buf), msg, sizeof msg) != CPF_OK) { CHECK_MSG(0, "%s: %s", buf, msg); return; }
    CHECK(d.bits == 7 && d.count == 3 && d.min == 10 && d.max == 1000 && d.sum == 1020.0);
    CHECK(d.counts[10] == 2 && d.counts[506] == 1);
    CHECK(cpf_hist_percentile(&d, 50) == 10 && cpf_hist_percentile(&d, 90) == 1000);
    cpf_hist_free(&d);
}

static void test_hist_decode_rejects_garbage_with_a_message(void)
{
    struct { const char *why; int n; uint64_t v[12]; } bad[] = {
        { "bits 0", 5, { 0, 0, UINT64_MAX, 0, 0 } },
        { "bits 15", 5, { 15, 0, UINT64_MAX, 0, 0 } },
        { "no sum", 4, { 7, 0, UINT64_MAX, 0 } },
        { "empty with a min", 5, { 7, 0, 5, 0, 0 } },
        { "empty with a sum", 5, { 7, 0, UINT64_MAX, 0, 0x4024000000000000ull } },
        { "min > max", 7, { 7, 1, 11, 10, 0x4024000000000000ull, 10, 0 } },
        { "sum far below min x count", 7, { 7, 1, 10, 10, 0, 10, 0 } },
        { "negative sum", 7, { 7, 1, 10, 10, 0xC024000000000000ull, 10, 0 } },
        { "NaN sum", 7, { 7, 1, 10, 10, 0x7FF8000000000000ull, 10, 0 } },
        { "count 1, no buckets", 5, { 7, 1, 10, 10, 0x4024000000000000ull } },
        { "two values where count says 1", 9, { 7, 1, 10, 10, 0x4024000000000000ull, 10, 0, 0, 0 } },
        { "bucket count above count", 7, { 7, 1, 10, 10, 0x4024000000000000ull, 10, 1 } },
        { "a gap without a count", 6, { 7, 1, 10, 10, 0x4024000000000000ull, 10 } },
        { "index beyond the last bucket", 7, { 7, 1, 10, 10, 0x4024000000000000ull, 7424, 0 } },
        { "huge gap", 7, { 7, 1, 10, 10, 0x4024000000000000ull, UINT64_MAX, 0 } },
        { "min not in the first bucket", 7, { 7, 1, 10, 10, 0x4024000000000000ull, 11, 0 } },
        { "max not in the last bucket", 9, { 7, 2, 10, 10, 0x4034000000000000ull, 10, 0, 0, 0 } },
    };
    static const char *raw[] = {
        "", "h1", "h1.", "x1.70000", "H1.70000", "h1.7", "h1.7 0", "h1.7!0",
        "h1.70_____________0", /* a number above 2^64 - 1 */
        "h1.7W0",              /* a redundant zero digit */
    };
    char buf[256], msg[256];
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cpf_status st;
        text_of(buf, bad[i].n, bad[i].v);
        st = decode_str(buf, msg, sizeof msg);
        CHECK_MSG(st == CPF_ERR_FORMAT, "%s: \"%s\" -> %d", bad[i].why, buf, (int)st);
        CHECK_MSG(strlen(msg) > 20 && strstr(msg, "histogram"), "%s: \"%s\"", bad[i].why, msg);
    }
    for (i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        cpf_status st = decode_str(raw[i], msg, sizeof msg);
        CHECK_MSG(st == CPF_ERR_FORMAT, "\"%s\" -> %d", raw[i], (int)st);
        CHECK_MSG(strlen(msg) > 20 && strstr(msg, "histogram"), "\"%s\": \"%s\"", raw[i], msg);
    }
    CHECK(decode_str("h2.70", msg, sizeof msg) == CPF_ERR_VERSION && strstr(msg, "newer"));
    CHECK(cpf_hist_decode(NULL, "h1.", 3, msg, sizeof msg) == CPF_ERR_ARG);
}

/* Every prefix of a valid text is rejected (a cut never looks complete), and
   the text with a NUL inside or bytes appended is too. */
static void test_hist_decode_rejects_every_truncation(void)
{
    cpf_hist h, d;
    cpf_bytes t;
    char msg[256], *buf;
    size_t n, fails = 0;
    int i;
    CHECK(cpf_hist_init(&h, 5) == CPF_OK);
    rng_state = 3;
    for (i = 0; i < 3000; i++) cpf_hist_record(&h, rng_next() >> (rng_next() & 63));
    CHECK(cpf_hist_encode(&h, &t) == CPF_OK);
    for (n = 0; n < t.len; n++) {
        /* a copy of exactly n bytes, so ASan sees a read past the cut */
        buf = (char *)malloc(n ? n : 1);
        if (!buf) break;
        memcpy(buf, t.data, n);
        msg[0] = 0;
        if (cpf_hist_decode(&d, buf, n, msg, sizeof msg) != CPF_OK && msg[0]) fails++;
        else CHECK_MSG(0, "prefix of %u bytes accepted or without a message", (unsigned)n);
        cpf_hist_free(&d);
        free(buf);
    }
    CHECK(fails == t.len);
    buf = (char *)malloc(t.len + 2);
    if (buf) {
        memcpy(buf, t.data, t.len);
        buf[t.len] = '0';
        CHECK(cpf_hist_decode(&d, buf, t.len + 1, msg, sizeof msg) == CPF_ERR_FORMAT);
        buf[t.len] = 0;
        CHECK(cpf_hist_decode(&d, buf, t.len + 1, msg, sizeof msg) == CPF_ERR_FORMAT);
        free(buf);
    }
    cpf_bytes_free(&t);
    cpf_hist_free(&h);
}

/* Hostile edits: every byte of a valid text replaced by a few others. The
   decoder either rejects the text or accepts one that encodes back to the
   same bytes (it never reads outside the text: ASan in make test). */
static void test_hist_decode_survives_byte_edits(void)
{
    static const char repl[] = { '0', '1', 'V', 'W', '_', '-', '.', ' ', '\0', 'h' };
    cpf_hist h, d;
    cpf_bytes t, t2;
    char msg[256], *buf;
    size_t n, k;
    int i, accepted = 0, rejected = 0;
    CHECK(cpf_hist_init(&h, 3) == CPF_OK);
    rng_state = 8;
    for (i = 0; i < 200; i++) cpf_hist_record(&h, rng_next() % 100000);
    CHECK(cpf_hist_encode(&h, &t) == CPF_OK);
    buf = (char *)malloc(t.len);
    if (!buf) { CHECK(buf != NULL); return; }
    for (n = 0; n < t.len; n++) {
        for (k = 0; k < sizeof repl; k++) {
            memcpy(buf, t.data, t.len);
            if (buf[n] == repl[k]) continue;
            buf[n] = repl[k];
            if (cpf_hist_decode(&d, buf, t.len, msg, sizeof msg) == CPF_OK) {
                accepted++;
                CHECK(d.count == h.count || d.count != 0);
                CHECK(cpf_hist_encode(&d, &t2) == CPF_OK);
                CHECK(t2.len == t.len && memcmp(t2.data, buf, t.len) == 0);
                cpf_bytes_free(&t2);
            } else {
                rejected++;
                CHECK(msg[0] != 0);
            }
            cpf_hist_free(&d);
        }
    }
    CHECK(rejected > accepted);
    free(buf);
    cpf_bytes_free(&t);
    cpf_hist_free(&h);
}

static void test_hist_encode_rejects_uninitialised(void)
{
    cpf_hist h;
    cpf_bytes t;
    memset(&h, 0, sizeof h);
    CHECK(cpf_hist_encode(&h, &t) == CPF_ERR_ARG && t.data == NULL);
    CHECK(cpf_hist_encode(NULL, &t) == CPF_ERR_ARG);
}

void tests_hist(void)
{
    RUN(test_hist_init_defaults_and_rejects_bad_bits);
    RUN(test_hist_buckets_are_exact_below_2_pow_bits_plus_1);
    RUN(test_hist_buckets_cover_uint64_in_order);
    RUN(test_hist_record_and_bucket_agree);
    RUN(test_hist_percentiles_uniform);
    RUN(test_hist_percentiles_lognormal);
    RUN(test_hist_percentiles_near_powers_of_two);
    RUN(test_hist_percentiles_extremes);
    RUN(test_hist_percentile_error_reaches_the_bound);
    RUN(test_hist_percentile_clamps_p);
    RUN(test_hist_empty);
    RUN(test_hist_mean_is_exact);
    RUN(test_hist_record_n_equals_n_records);
    RUN(test_hist_reset_forgets_values);
    RUN(test_hist_merge_equals_one_histogram);
    RUN(test_hist_merge_of_different_bits_fails);
    RUN(test_hist_encode_decode_round_trip);
    RUN(test_hist_text_is_compact);
    RUN(test_hist_decode_accepts_text_written_from_the_description);
    RUN(test_hist_decode_rejects_garbage_with_a_message);
    RUN(test_hist_decode_rejects_every_truncation);
    RUN(test_hist_decode_survives_byte_edits);
    RUN(test_hist_encode_rejects_uninitialised);
}
