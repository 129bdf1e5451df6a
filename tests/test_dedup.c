/* Dedup index: exact accounting on a known set, duplicates confirmed byte
   for byte, several producer threads, tensor identities (ours and the
   Python tool's, against values computed with libxxhash over the same
   bytes). */
#include "coralperf.h"
#include "tinytest.h"
#include <stdlib.h>

static void test_dedup_accounting_is_exact_on_a_known_set(void)
{
    /* A(100) B(200) A C(50) B A: 6 blobs, 3 unique, 750 bytes, 350 unique */
    unsigned char a[100], b[200], c[50];
    const void *blobs[6];
    size_t lens[6];
    int want_dup[6] = { 0, 0, 1, 0, 1, 1 }, want_first[6] = { 0, 1, 0, 3, 1, 0 }, i;
    cpf_dedup d;
    cpf_dedup_stats st;
    memset(a, 'a', sizeof a); memset(b, 'b', sizeof b); memset(c, 'c', sizeof c);
    blobs[0] = a; lens[0] = 100; blobs[1] = b; lens[1] = 200; blobs[2] = a; lens[2] = 100;
    blobs[3] = c; lens[3] = 50; blobs[4] = b; lens[4] = 200; blobs[5] = a; lens[5] = 100;
    CHECK(cpf_dedup_init(&d, NULL) == CPF_OK);
    for (i = 0; i < 6; i++) {
        cpf_dedup_result r;
        CHECK(cpf_dedup_add(&d, blobs[i], lens[i], &r) == CPF_OK);
        CHECK_MSG(r.duplicate == want_dup[i] && (int)r.first == want_first[i], "blob %d: dup %d first %d", i, r.duplicate, (int)r.first);
    }
    cpf_dedup_stats_get(&d, &st);
    CHECK(st.blobs == 6 && st.unique_blobs == 3);
    CHECK(st.total_bytes == 750 && st.unique_bytes == 350 && st.duplicate_bytes == 400);
    CHECK_NEAR(st.byte_ratio, 750.0 / 350.0, 1e-12);
    CHECK_NEAR(st.savings_pct, 100.0 * 400.0 / 750.0, 1e-12);
    CHECK_NEAR(st.count_ratio, 2.0, 1e-12);
    CHECK(st.index_bytes > 0 && st.collisions == 0);
    cpf_dedup_free(&d);
}

static void test_same_bytes_with_another_length_or_seed_are_distinct(void)
{
    unsigned char z[64];
    cpf_dedup d;
    cpf_dedup_result r;
    memset(z, 0, sizeof z);
    cpf_dedup_init(&d, NULL);
    cpf_dedup_add(&d, z, 32, &r);
    cpf_dedup_add(&d, z, 64, &r);
    CHECK(!r.duplicate);
    cpf_dedup_add(&d, NULL, 0, &r);
    CHECK(!r.duplicate);
    cpf_dedup_add(&d, z, 0, &r);        /* empty blobs are identical */
    CHECK(r.duplicate && r.first == 2);
    CHECK(cpf_dedup_add(&d, NULL, 5, &r) == CPF_ERR_ARG);
    cpf_dedup_free(&d);
}

static void test_verify_mode_confirms_duplicates_byte_for_byte(void)
{
    cpf_dedup_opts o;
    cpf_dedup d;
    cpf_dedup_result r;
    cpf_dedup_stats st;
    unsigned char x[300], y[300], w[300];
    memset(&o, 0, sizeof o);
    o.verify_bytes = 1;
    memset(x, 7, sizeof x); memset(y, 7, sizeof y); memset(w, 8, sizeof w);
    cpf_dedup_init(&d, &o);
    cpf_dedup_add(&d, x, sizeof x, &r);
    cpf_dedup_add(&d, y, sizeof y, &r);  /* other memory, same bytes */
    CHECK(r.duplicate == 1);
    /* a forged ID equal to x's but other bytes: counted as a true collision */
    cpf_dedup_add_id(&d, cpf_hash128(x, sizeof x, 0), w, sizeof w, &r);
    CHECK(r.duplicate == 0);
    cpf_dedup_stats_get(&d, &st);
    CHECK(st.collisions == 1 && st.unique_blobs == 2 && st.blobs == 3);
    cpf_dedup_free(&d);
}

/* The index keys on the ID's low 64 bits with 4 bits cleared (bits 7, 31,
   39, 63); IDs that differ only there, or only in the high half, are still
   distinct blobs, and the same ID again is a duplicate of the right one. */
static void test_ids_that_share_the_map_key_stay_distinct(void)
{
    static const uint64_t lows[6] = { 0, 1ull << 7, 1ull << 31, 1ull << 39, 1ull << 63, 0xFFFFFFFFFFFFFFFFull };
    unsigned char z[16];
    cpf_dedup d;
    cpf_dedup_result r;
    cpf_dedup_stats st;
    int i;
    memset(z, 0, sizeof z);
    CHECK(cpf_dedup_init(&d, NULL) == CPF_OK);
    for (i = 0; i < 6; i++) {
        cpf_u128 id;
        id.lo = lows[i];
        id.hi = 0x1234;
        CHECK(cpf_dedup_add_id(&d, id, z, sizeof z, &r) == CPF_OK);
        CHECK_MSG(!r.duplicate && r.first == (uint64_t)i, "id %d: dup %d first %d", i, r.duplicate, (int)r.first);
    }
    {
        cpf_u128 id;
        id.lo = 0;
        id.hi = 0x5678; /* same low half as add 0, other high half */
        cpf_dedup_add_id(&d, id, z, sizeof z, &r);
        CHECK(!r.duplicate && r.first == 6);
    }
    for (i = 5; i >= 0; i--) {
        cpf_u128 id;
        id.lo = lows[i];
        id.hi = 0x1234;
        cpf_dedup_add_id(&d, id, z, sizeof z, &r);
        CHECK_MSG(r.duplicate && r.first == (uint64_t)i, "again %d: dup %d first %d", i, r.duplicate, (int)r.first);
    }
    cpf_dedup_stats_get(&d, &st);
    CHECK(st.blobs == 13 && st.unique_blobs == 7 && st.collisions == 0);
    cpf_dedup_free(&d);
}

#if !defined(CORALPERF_NO_THREADS)
typedef struct producer { cpf_dedup *d; int id; } producer;
static unsigned char pool[100][64];
static int produce(void *arg)
{
    producer *p = (producer *)arg;
    int i;
    for (i = 0; i < 1000; i++) {
        int k = (i * 7 + p->id * 13) % 100;
        cpf_dedup_add(p->d, pool[k], sizeof pool[k], NULL);
    }
    return 0;
}

static void test_locked_mode_counts_exactly_under_4_producers(void)
{
    cpf_dedup_opts o;
    cpf_dedup d;
    cpf_dedup_stats st;
    cpf_thread t[4];
    producer p[4];
    int i;
    memset(&o, 0, sizeof o);
    o.locked = 1;
    for (i = 0; i < 100; i++) memset(pool[i], i, sizeof pool[i]);
    cpf_dedup_init(&d, &o);
    for (i = 0; i < 4; i++) { p[i].d = &d; p[i].id = i; cpf_thread_start(&t[i], produce, &p[i]); }
    for (i = 0; i < 4; i++) cpf_thread_join(&t[i], NULL);
    cpf_dedup_stats_get(&d, &st);
    CHECK(st.blobs == 4000 && st.unique_blobs == 100);
    CHECK(st.unique_bytes == 100 * 64 && st.total_bytes == 4000 * 64);
    cpf_dedup_free(&d);
}
#endif

static void test_tensor_id_separates_dtype_shape_and_bytes(void)
{
    float f[6] = { 1, 2, 3, 4, 5, 6 }, g[6] = { 1, 2, 3, 4, 5, 7 };
    int64_t s23[2] = { 2, 3 }, s32[2] = { 3, 2 }, s6[1] = { 6 };
    cpf_u128 a = cpf_tensor_id(1, s23, 2, f, sizeof f), b;
    b = cpf_tensor_id(1, s23, 2, f, sizeof f);
    CHECK(a.lo == b.lo && a.hi == b.hi);
    b = cpf_tensor_id(1, s32, 2, f, sizeof f);   /* same bytes, transposed shape */
    CHECK(a.lo != b.lo || a.hi != b.hi);
    b = cpf_tensor_id(1, s6, 1, f, sizeof f);    /* same bytes, flattened */
    CHECK(a.lo != b.lo || a.hi != b.hi);
    b = cpf_tensor_id(2, s23, 2, f, sizeof f);   /* same bytes, another dtype */
    CHECK(a.lo != b.lo || a.hi != b.hi);
    b = cpf_tensor_id(1, s23, 2, g, sizeof g);   /* one element differs */
    CHECK(a.lo != b.lo || a.hi != b.hi);
}

static void test_python_tensor_id_matches_xxh3_of_shape_dtype_bytes(void)
{
    /* libxxhash 0.8.1 XXH3_64bits over str(shape) + dtype name + bytes, as
       xxhash.xxh3_64(str(a.shape).encode() + a.dtype.name.encode() + a.tobytes())
       computes it: */
    /* tobytes() is native byte order; these are the little-endian bytes of
       float32 1, 2, 3, 4, 5, 6 and float64 0.5 (IEEE 754), as x86 and ARM
       store them, so the test gives the same answer on big-endian s390x. */
    static const unsigned char f[24] = { 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40,
                                         0, 0, 0x80, 0x40, 0, 0, 0xA0, 0x40, 0, 0, 0xC0, 0x40 };
    static const unsigned char z[8] = { 0, 0, 0, 0, 0, 0, 0xE0, 0x3F };
    int64_t s23[2] = { 2, 3 }, s6[1] = { 6 };
    CHECK(cpf_tensor_id_python(s23, 2, "float32", f, sizeof f) == 0xA3295A5D0DEFD2DEull); /* "(2, 3)float32" */
    CHECK(cpf_tensor_id_python(s6, 1, "float32", f, sizeof f) == 0x8CD1DC99008313E0ull);  /* "(6,)float32" */
    CHECK(cpf_tensor_id_python(NULL, 0, "float64", z, sizeof z) == 0xEF7796BEB7E1B772ull); /* "()float64" */
}

static void test_tensor_id_is_the_same_value_on_every_platform(void)
{
    /* XXH3_128bits_withSeed(.., 0) of libxxhash 0.8.1 over the documented
       layout: "cpfT", dtype 1 and the rank as little-endian uint32, each
       dimension as little-endian int64, zeros up to a multiple of 64 bytes,
       then the 24 bytes below (float32 1..6, little-endian; given as bytes,
       so big-endian targets hash the same input). Rank 2: 28 header bytes
       and 36 zeros (88 bytes in all); rank 7 (dimensions 1..7): 68 header
       bytes and 60 zeros (152 bytes). */
    static const unsigned char f[24] = { 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40,
                                         0, 0, 0x80, 0x40, 0, 0, 0xA0, 0x40, 0, 0, 0xC0, 0x40 };
    int64_t s23[2] = { 2, 3 }, s7[7] = { 1, 2, 3, 4, 5, 6, 7 };
    cpf_u128 id = cpf_tensor_id(1, s23, 2, f, sizeof f);
    CHECK_MSG(id.lo == 0xFED4D93727BF2AE7ull && id.hi == 0x50BBDE5FDDEFBC26ull, "id %016llx %016llx",
              (unsigned long long)id.lo, (unsigned long long)id.hi);
    id = cpf_tensor_id(1, s7, 7, f, sizeof f);
    CHECK_MSG(id.lo == 0xF09DFC1F876B88E8ull && id.hi == 0x9645A6E7BDC8A93Cull, "rank 7: id %016llx %016llx",
              (unsigned long long)id.lo, (unsigned long long)id.hi);
    {   /* above 176 data bytes (the in-place path): shape 10 x 25, dtype 1,
           1000 bytes (i * 7 + 3) & 255; 1064 bytes in all */
        unsigned char big[1000];
        int64_t s1025[2] = { 10, 25 };
        int i;
        for (i = 0; i < 1000; i++) big[i] = (unsigned char)(i * 7 + 3);
        id = cpf_tensor_id(1, s1025, 2, big, sizeof big);
        CHECK_MSG(id.lo == 0xF5DEA56C1399A129ull && id.hi == 0xFE5D137AF33DF5DEull, "1000 bytes: id %016llx %016llx",
                  (unsigned long long)id.lo, (unsigned long long)id.hi);
    }
}

/* Above 176 data bytes a header of rank <= 6 takes a path that hashes the
   data in place; it must equal XXH3-128 over the documented layout built
   in one buffer (the one-shot hash, checked against libxxhash elsewhere),
   at every length around the stripe and block edges and at random ones. */
static void test_tensor_id_fast_path_equals_the_layout_hashed_whole(void)
{
    enum { MAXN = 5000 };
    unsigned char *buf = (unsigned char *)malloc(64 + MAXN), *data = (unsigned char *)malloc(MAXN);
    int64_t dims[6] = { 3, -1, 70000, 1, 2, (int64_t)0x123456789ALL };
    uint64_t x = 99;
    int bad = 0, tried = 0, rank;
    size_t n, i;
    if (!buf || !data) { CHECK(0); free(buf); free(data); return; }
    for (i = 0; i < MAXN; i++) { x = x * 6364136223846793005ull + 1442695040888963407ull; data[i] = (unsigned char)(x >> 56); }
    for (rank = 0; rank <= 6; rank++) {
        for (n = 150; n < MAXN; n += (n < 1300 ? 1 : 97)) {
            cpf_u128 a, b;
            int k;
            memset(buf, 0, 64);
            memcpy(buf, "cpfT", 4);
            buf[4] = 7; /* dtype 7, little-endian */
            buf[8] = (unsigned char)rank;
            for (k = 0; k < rank; k++) {
                uint64_t v = (uint64_t)dims[k];
                int j;
                for (j = 0; j < 8; j++) buf[12 + 8 * k + j] = (unsigned char)(v >> (8 * j));
            }
            memcpy(buf + 64, data, n);
            a = cpf_tensor_id(7, dims, rank, data, n);
            b = cpf_hash128(buf, 64 + n, 0);
            tried++;
            if (a.lo != b.lo || a.hi != b.hi) bad++;
        }
    }
    CHECK_MSG(bad == 0, "%d of %d lengths differ", bad, tried);
    free(buf);
    free(data);
}

static void test_python_tensor_id_has_no_rank_limit(void)
{
    /* rank 70, dims 10^12 + i*i: str(shape) is 1050 characters (more than
       twice the 512-byte text buffer that once cut it short). Expected:
       libxxhash 0.8.1 XXH3_64bits over that text + "float32" + the bytes,
       and the same through our one-shot hash of the text built here. */
    static const unsigned char f[24] = { 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40,
                                         0, 0, 0x80, 0x40, 0, 0, 0xA0, 0x40, 0, 0, 0xC0, 0x40 };
    int64_t dims[70], one[1];
    char *text = (char *)malloc(2048);
    size_t n = 0;
    int i;
    CHECK(text != NULL);
    if (!text) return;
    text[n++] = '(';
    for (i = 0; i < 70; i++) {
        dims[i] = 1000000000000LL + (int64_t)i * i;
        n += (size_t)sprintf(text + n, i ? ", %lld" : "%lld", (long long)dims[i]);
    }
    text[n++] = ')';
    memcpy(text + n, "float32", 7);
    memcpy(text + n + 7, f, sizeof f);
    CHECK_MSG(n == 1050, "str(shape) is %u characters", (unsigned)n);
    CHECK(cpf_tensor_id_python(dims, 70, "float32", f, sizeof f) == 0xD225A79CF868906Eull);
    CHECK(cpf_tensor_id_python(dims, 70, "float32", f, sizeof f) == cpf_hash64(text, n + 7 + sizeof f, 0));
    /* a dimension that differs only at the end of the text still counts */
    dims[69]++;
    CHECK(cpf_tensor_id_python(dims, 70, "float32", f, sizeof f) != 0xD225A79CF868906Eull);
    /* the longest dimension text: "(-9223372036854775808,)float32" */
    one[0] = (int64_t)(-9223372036854775807LL - 1);
    CHECK(cpf_tensor_id_python(one, 1, "float32", NULL, 0) == 0x222C858F2E9D7332ull);
    free(text);
}

void tests_dedup(void)
{
    RUN(test_dedup_accounting_is_exact_on_a_known_set);
    RUN(test_same_bytes_with_another_length_or_seed_are_distinct);
    RUN(test_verify_mode_confirms_duplicates_byte_for_byte);
    RUN(test_ids_that_share_the_map_key_stay_distinct);
#if !defined(CORALPERF_NO_THREADS)
    RUN(test_locked_mode_counts_exactly_under_4_producers);
#endif
    RUN(test_tensor_id_separates_dtype_shape_and_bytes);
    RUN(test_python_tensor_id_matches_xxh3_of_shape_dtype_bytes);
    RUN(test_tensor_id_is_the_same_value_on_every_platform);
    RUN(test_tensor_id_fast_path_equals_the_layout_hashed_whole);
    RUN(test_python_tensor_id_has_no_rank_limit);
}
