/* Deflate, inflate, gzip and CRC-32: round trips at every level, streams
   written by the gzip program (embedded, so this runs everywhere) and, on
   POSIX hosts with a gzip binary, interop both ways; a corpus of broken
   streams (every prefix, every bit flip, hand-built bad headers) and a
   deflate bomb against a small output limit. Expected values come from
   independent sources noted next to them (the CRC-32 check value of the
   catalogue of CRC algorithms, Python's zlib.crc32, GNU gzip 1.12). */
#include "coralperf.h"
#include "tinytest.h"
#include <stdlib.h>

/* ---- inputs, all generated the same way on every platform --------------- */
static uint32_t dz_rng(uint32_t *s)
{
    *s ^= *s << 13; *s ^= *s >> 17; *s ^= *s << 5; /* xorshift32 */
    return *s;
}
/* English-like words from a small vocabulary: compresses like text */
static unsigned char *dz_text(size_t n, uint32_t seed)
{
    static const char *words[] = { "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "benchmark",
                                   "median", "sample", "deflate", "window", "static", "int", "return", "(void)",
                                   "{", "}", ";\n", "coralperf", "cpf_status", "size_t", "=", "+", "0x1F", "\n" };
    unsigned char *b = (unsigned char *)malloc(n ? n : 1);
    size_t i = 0;
    uint32_t s = seed;
    while (b && i < n) {
        const char *w = words[dz_rng(&s) % (sizeof words / sizeof words[0])];
        while (*w && i < n) b[i++] = (unsigned char)*w++;
        if (i < n) b[i++] = ' ';
    }
    return b;
}
static unsigned char *dz_random(size_t n, uint32_t seed)
{
    unsigned char *b = (unsigned char *)malloc(n ? n : 1);
    size_t i;
    uint32_t s = seed;
    for (i = 0; b && i < n; i++) b[i] = (unsigned char)(dz_rng(&s) >> 24);
    return b;
}
/* runs of one byte, 1..600 long (longer than the longest match, 258) */
static unsigned char *dz_runs(size_t n, uint32_t seed)
{
    unsigned char *b = (unsigned char *)malloc(n ? n : 1);
    size_t i = 0;
    uint32_t s = seed;
    while (b && i < n) {
        size_t run = 1 + dz_rng(&s) % 600;
        unsigned char c = (unsigned char)(dz_rng(&s) % 4 + 'a');
        while (run-- && i < n) b[i++] = c;
    }
    return b;
}
/* "00: The quick brown fox ..." x 60: lines.txt of the embedded gzip stream */
static size_t dz_lines(char *out)
{
    size_t n = 0;
    int i;
    for (i = 0; i < 60; i++)
        n += (size_t)sprintf(out + n, "%02d: The quick brown fox jumps over the lazy dog; coralperf deflate test line.\n", i);
    return n;
}

/* lines.txt.gz, written by GNU gzip 1.12 (`gzip -9 lines.txt`): FNAME
   "lines.txt", MTIME 2026-11-23 12:00 UTC, XFL 2, OS 3, one dynamic block;
   CRC-32 0x014E78F5 and ISIZE 4680 (also Python's zlib.crc32 of the text). */
static const unsigned char dz_lines_gz[264] = {
    0x1f, 0x8b, 0x08, 0x08, 0xc0, 0x2a, 0x04, 0x6b, 0x02, 0x03, 0x6c, 0x69, 0x6e, 0x65, 0x73, 0x2e,
    0x74, 0x78, 0x74, 0x00, 0xad, 0xd3, 0xc9, 0x71, 0xc2, 0x50, 0x10, 0x00, 0xd1, 0xbb, 0xa3, 0x98,
    0x08, 0x5c, 0x9a, 0xcd, 0x78, 0x49, 0x83, 0x04, 0x84, 0xf8, 0x02, 0x6c, 0x99, 0x2f, 0xb4, 0xb0,
    0x38, 0x7a, 0x1c, 0x44, 0x9f, 0xbb, 0xaa, 0x6f, 0xaf, 0x69, 0x3e, 0x65, 0x7b, 0x2c, 0x72, 0x59,
    0x4f, 0xdd, 0x8f, 0xec, 0xa6, 0x7a, 0x3b, 0x4b, 0x5f, 0xef, 0xf2, 0xbd, 0xfe, 0x8e, 0xb3, 0xd4,
    0x6b, 0x99, 0x64, 0xf9, 0xcf, 0x43, 0xfb, 0xf7, 0x90, 0x7d, 0x3d, 0x7c, 0x49, 0x57, 0xa7, 0x76,
    0x18, 0xcb, 0xd4, 0xcb, 0xbe, 0xf4, 0x43, 0xbb, 0x14, 0x59, 0xca, 0xbc, 0xc8, 0x70, 0x3a, 0x97,
    0xd7, 0x97, 0x46, 0xd1, 0x9b, 0xa1, 0x37, 0x47, 0x6f, 0x81, 0xde, 0x12, 0xbd, 0xbd, 0xa1, 0xb7,
    0x0d, 0x7a, 0x7b, 0x47, 0x6f, 0x1f, 0xe4, 0x4d, 0x51, 0x0b, 0x8a, 0x5a, 0x50, 0xd4, 0x82, 0xa2,
    0x16, 0x14, 0xb5, 0xa0, 0xa8, 0x05, 0x45, 0x2d, 0x28, 0x6a, 0x41, 0x51, 0x0b, 0x8a, 0x5a, 0x30,
    0xd4, 0x82, 0xa1, 0x16, 0x0c, 0xb5, 0x60, 0xa8, 0x05, 0x43, 0x2d, 0x18, 0x6a, 0xc1, 0x50, 0x0b,
    0x86, 0x5a, 0x30, 0xd4, 0x82, 0xa1, 0x16, 0x1c, 0xb5, 0xe0, 0xa8, 0x05, 0x47, 0x2d, 0x38, 0x6a,
    0xc1, 0x51, 0x0b, 0x8e, 0x5a, 0x70, 0xd4, 0x82, 0xa3, 0x16, 0x1c, 0xb5, 0xe0, 0xa8, 0x85, 0x40,
    0x2d, 0x04, 0x6a, 0x21, 0x50, 0x0b, 0x81, 0x5a, 0x08, 0xd4, 0x42, 0xa0, 0x16, 0x02, 0xb5, 0x10,
    0xa8, 0x85, 0x40, 0x2d, 0x04, 0x6a, 0x21, 0x51, 0x0b, 0x89, 0x5a, 0x48, 0xd4, 0x42, 0xa2, 0x16,
    0x12, 0xb5, 0x90, 0xa8, 0x85, 0x44, 0x2d, 0x24, 0x6a, 0x21, 0x51, 0x0b, 0x89, 0x5a, 0x78, 0x02,
    0xf5, 0x78, 0x4e, 0x01, 0x48, 0x12, 0x00, 0x00,
};

/* ---- a bit writer for hand-built streams (RFC 1951 3.1.1: fields LSB
   first, Huffman codes MSB first) into a zeroed buffer ------------------- */
typedef struct dz_bits { unsigned char *buf; size_t cap, pos; } dz_bits;
static void dz_put(dz_bits *w, unsigned v, unsigned n)
{
    while (n--) {
        if (w->pos / 8 < w->cap && (v & 1u)) w->buf[w->pos / 8] |= (unsigned char)(1u << (w->pos % 8));
        v >>= 1;
        w->pos++;
    }
}
static void dz_code(dz_bits *w, unsigned code, unsigned len)
{
    while (len--) dz_put(w, (code >> len) & 1u, 1);
}
static size_t dz_bytes(const dz_bits *w) { return (w->pos + 7) / 8; }

/* ---- helpers ------------------------------------------------------------ */
static int dz_roundtrip(const unsigned char *src, size_t n, int level, size_t *packed)
{
    cpf_bytes c, d;
    size_t used = 0;
    char m[200];
    int ok;
    if (cpf_deflate(src, n, level, &c, m, sizeof m) != CPF_OK) { printf("    deflate: %s\n", m); return 0; }
    if (packed) *packed = c.len;
    ok = cpf_inflate(c.data, c.len, 0, &d, &used, m, sizeof m) == CPF_OK && d.len == n && used == c.len &&
         (n == 0 || memcmp(d.data, src, n) == 0);
    if (!ok) printf("    level %d, %lu bytes: %s\n", level, (unsigned long)n, m);
    cpf_bytes_free(&c);
    cpf_bytes_free(&d);
    return ok;
}
static int dz_gz_roundtrip(const unsigned char *src, size_t n, int level)
{
    cpf_bytes c, d;
    char m[200];
    int ok;
    if (cpf_gzip(src, n, level, &c, m, sizeof m) != CPF_OK) return 0;
    ok = cpf_is_gzip(c.data, c.len) && cpf_gunzip(c.data, c.len, 0, &d, m, sizeof m) == CPF_OK && d.len == n &&
         (n == 0 || memcmp(d.data, src, n) == 0);
    if (!ok) printf("    gzip level %d, %lu bytes: %s\n", level, (unsigned long)n, m);
    cpf_bytes_free(&c);
    cpf_bytes_free(&d);
    return ok;
}
/* status of inflating (raw) or gunzipping (gz) a stream; out must come back empty on error */
static cpf_status dz_try(const unsigned char *p, size_t n, int gz, size_t limit, char *m, size_t cap)
{
    cpf_bytes d;
    cpf_status st = gz ? cpf_gunzip(p, n, limit, &d, m, cap) : cpf_inflate(p, n, limit, &d, NULL, m, cap);
    if (st != CPF_OK && (d.data != NULL || d.len != 0)) { printf("    output not empty after an error\n"); st = CPF_ERR_BENCH; }
    cpf_bytes_free(&d);
    return st;
}

/* ---- CRC-32 ------------------------------------------------------------- */
static void test_crc32_check_value_and_chaining(void)
{
    /* 0xCBF43926: the check value of CRC-32/ISO-HDLC (the catalogue of
       parametrised CRC algorithms); 0xE8B7BE43 = zlib.crc32(b"a") */
    CHECK(cpf_crc32(0, "123456789", 9) == 0xCBF43926u);
    CHECK(cpf_crc32(0, "a", 1) == 0xE8B7BE43u);
    CHECK(cpf_crc32(0, "", 0) == 0);
    CHECK(cpf_crc32(0, NULL, 0) == 0);
    CHECK(cpf_crc32(cpf_crc32(0, "1234", 4), "56789", 5) == 0xCBF43926u);
}

static void test_crc32_long_input_matches_byte_at_a_time(void)
{
    /* long inputs take the slicing-by-8 path; one-byte calls never do */
    size_t n = 100003, i;
    unsigned char *b = dz_random(n, 7);
    uint32_t one = 0;
    char text[4700];
    for (i = 0; i < n; i++) one = cpf_crc32(one, b + i, 1);
    CHECK(cpf_crc32(0, b, n) == one);
    CHECK(cpf_crc32(cpf_crc32(0, b, 5), b + 5, n - 5) == one);
    CHECK(cpf_crc32(0, text, dz_lines(text)) == 0x014E78F5u); /* Python zlib.crc32 of lines.txt */
    free(b);
}

/* ---- round trips -------------------------------------------------------- */
static void test_empty_and_one_byte_round_trip_at_every_level(void)
{
    int level;
    unsigned char one = 'x';
    for (level = -1; level <= 9; level++) {
        CHECK_MSG(dz_roundtrip(NULL, 0, level, NULL), "empty, level %d", level);
        CHECK_MSG(dz_roundtrip(&one, 1, level, NULL), "one byte, level %d", level);
        CHECK_MSG(dz_gz_roundtrip(&one, 0, level), "empty gzip, level %d", level);
        CHECK_MSG(dz_gz_roundtrip(&one, 1, level), "one byte gzip, level %d", level);
    }
}

static void test_every_level_round_trips_text_random_zeros_and_runs(void)
{
    /* 75 000 bytes: more than the 32 KiB window and several 16K-symbol blocks */
    size_t n = 75000, packed[4][10], k;
    unsigned char *in[4];
    int level;
    in[0] = dz_text(n, 1);
    in[1] = dz_random(n, 2);
    in[2] = (unsigned char *)calloc(n, 1);
    in[3] = dz_runs(n, 3);
    for (k = 0; k < 4; k++) {
        if (!in[k]) { CHECK(in[k] != NULL); continue; }
        for (level = 0; level <= 9; level++) {
            CHECK_MSG(dz_roundtrip(in[k], n, level, &packed[k][level]), "input %d level %d", (int)k, level);
            CHECK_MSG(dz_gz_roundtrip(in[k], n, level), "input %d level %d (gzip)", (int)k, level);
        }
    }
    /* level 0 stores: 5 bytes per 65535-byte block */
    CHECK(packed[0][0] == n + 5 * 2);
    /* random data falls back to stored blocks at every level */
    for (level = 1; level <= 9; level++) CHECK_MSG(packed[1][level] <= n + 5 * 8, "random, level %d: %lu", level, (unsigned long)packed[1][level]);
    /* zeros: one 258-byte match costs a few bits */
    CHECK(packed[2][6] < 200);
    /* text: more effort never costs much, level 9 beats level 1 */
    CHECK(packed[0][9] < packed[0][1]);
    CHECK(packed[0][6] < n / 2);
    for (k = 0; k < 4; k++) free(in[k]);
}

static void test_matches_reach_back_exactly_32_kib(void)
{
    /* 32 KiB of random bytes twice: only distance 32768 can compress it */
    size_t half = 32768, packed = 0;
    unsigned char *b = dz_random(2 * half, 11);
    if (!b) { CHECK(b != NULL); return; }
    memcpy(b + half, b, half);
    CHECK(dz_roundtrip(b, 2 * half, 6, &packed));
    CHECK_MSG(packed < half + 2000, "%lu bytes", (unsigned long)packed);
    free(b);
}

static void test_deflate_is_deterministic_with_a_recorded_answer(void)
{
    /* The encoder depends on nothing but the input and the level, so these
       CRCs of its output hold on every platform (recorded on x86-64, checked
       on aarch64, armhf, riscv64, s390x big-endian, MinGW and Cortex-M3). */
    size_t n = 50000;
    unsigned char *t = dz_text(n, 42);
    cpf_bytes a, b;
    int level;
    static const uint32_t want[10] = { 0x598D4168u, 0x739F0B8Cu, 0x03B84F5Fu, 0xAC14718Au, 0x1ECCCDD6u,
                                       0xF1B5B8CEu, 0xB5E3145Au, 0x5CBE60FEu, 0xAE752D6Eu, 0xAE752D6Eu };
    if (!t) { CHECK(t != NULL); return; }
    for (level = 0; level <= 9; level++) {
        CHECK(cpf_deflate(t, n, level, &a, NULL, 0) == CPF_OK);
        CHECK(cpf_deflate(t, n, level, &b, NULL, 0) == CPF_OK);
        CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
        CHECK_MSG(cpf_crc32(0, a.data, a.len) == want[level], "level %d: %lu bytes, CRC 0x%08lX", level,
                  (unsigned long)a.len, (unsigned long)cpf_crc32(0, a.data, a.len));
        cpf_bytes_free(&a);
        cpf_bytes_free(&b);
    }
    free(t);
}

static void test_gzip_member_has_the_rfc_1952_header_and_trailer(void)
{
    cpf_bytes g;
    const char *text = "hello, hello, hello";
    CHECK(cpf_gzip(text, 19, 9, &g, NULL, 0) == CPF_OK);
    CHECK(g.len >= 18);
    /* ID1 ID2 CM FLG MTIME(4) XFL OS: 1f 8b 08 00 00000000 02 ff */
    CHECK(g.data[0] == 0x1F && g.data[1] == 0x8B && g.data[2] == 8 && g.data[3] == 0);
    CHECK(g.data[4] == 0 && g.data[5] == 0 && g.data[6] == 0 && g.data[7] == 0);
    CHECK(g.data[8] == 2 && g.data[9] == 255);
    /* CRC-32 and ISIZE, little-endian */
    {
        const unsigned char *t = g.data + g.len - 8;
        uint32_t crc = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
        CHECK(crc == cpf_crc32(0, text, 19));
        CHECK(t[4] == 19 && t[5] == 0 && t[6] == 0 && t[7] == 0);
    }
    cpf_bytes_free(&g);
}

static void test_stream_written_by_gzip_decodes_to_its_text(void)
{
    char text[4700];
    size_t n = dz_lines(text);
    cpf_bytes d;
    char m[200];
    CHECK(n == 4680);
    CHECK(cpf_is_gzip(dz_lines_gz, sizeof dz_lines_gz));
    CHECK_MSG(cpf_gunzip(dz_lines_gz, sizeof dz_lines_gz, 0, &d, m, sizeof m) == CPF_OK, "%s", m);
    CHECK(d.len == n && d.data && memcmp(d.data, text, n) == 0);
    cpf_bytes_free(&d);
    {   /* its deflate data alone: header is 10 bytes + "lines.txt\0" */
        size_t used = 0;
        CHECK(cpf_inflate(dz_lines_gz + 20, sizeof dz_lines_gz - 20, 0, &d, &used, m, sizeof m) == CPF_OK);
        CHECK(d.len == n && used == sizeof dz_lines_gz - 28);
        cpf_bytes_free(&d);
    }
}

static void test_header_fields_fextra_fname_fcomment_fhcrc_are_parsed_and_checked(void)
{
    unsigned char f[512];
    cpf_bytes body, d;
    size_t n = 0, h;
    uint32_t hc;
    char m[200];
    const char *text = "header fields test";
    CHECK(cpf_gzip(text, 18, 6, &body, NULL, 0) == CPF_OK);
    if (!body.data) return;
    memcpy(f, body.data, 10);
    f[3] = 2 | 4 | 8 | 16; /* FHCRC FEXTRA FNAME FCOMMENT */
    n = 10;
    f[n++] = 8; f[n++] = 0;                          /* XLEN 8: one subfield */
    memcpy(f + n, "AP\4\0abcd", 8); n += 8;          /* SI1 SI2 LEN=4 data */
    memcpy(f + n, "name.txt", 9); n += 9;            /* FNAME with its zero */
    memcpy(f + n, "a comment", 10); n += 10;         /* FCOMMENT with its zero */
    h = n;
    hc = cpf_crc32(0, f, h);
    f[n++] = (unsigned char)hc; f[n++] = (unsigned char)(hc >> 8);
    memcpy(f + n, body.data + 10, body.len - 10);
    n += body.len - 10;
    CHECK_MSG(cpf_gunzip(f, n, 0, &d, m, sizeof m) == CPF_OK, "%s", m);
    CHECK(d.len == 18 && memcmp(d.data, text, 18) == 0);
    cpf_bytes_free(&d);
    f[h] ^= 1; /* wrong header CRC */
    CHECK(dz_try(f, n, 1, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "FHCRC"));
    f[h] ^= 1;
    f[3] |= 0x20; /* reserved flag bit */
    CHECK(dz_try(f, n, 1, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "reserved"));
    f[3] &= 0x1F;
    CHECK(dz_try(f, 24, 1, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "FNAME")); /* cut inside the name */
    cpf_bytes_free(&body);
}

static void test_multi_member_files_concatenate_and_zero_padding_is_accepted(void)
{
    cpf_bytes a, b, d;
    unsigned char f[400];
    size_t n;
    char m[200];
    CHECK(cpf_gzip("first,", 6, 6, &a, NULL, 0) == CPF_OK);
    CHECK(cpf_gzip("second", 6, 1, &b, NULL, 0) == CPF_OK);
    if (!a.data || !b.data) return;
    memcpy(f, a.data, a.len);
    memcpy(f + a.len, b.data, b.len);
    n = a.len + b.len;
    CHECK_MSG(cpf_gunzip(f, n, 0, &d, m, sizeof m) == CPF_OK, "%s", m);
    CHECK(d.len == 12 && memcmp(d.data, "first,second", 12) == 0);
    cpf_bytes_free(&d);
    /* the limit counts all members together */
    CHECK(dz_try(f, n, 1, 11, m, sizeof m) == CPF_ERR_LIMIT);
    memset(f + n, 0, 64); /* zero padding, as tape blocking adds */
    CHECK(dz_try(f, n + 64, 1, 0, m, sizeof m) == CPF_OK);
    f[n + 10] = 'x';      /* anything else is garbage */
    CHECK(dz_try(f, n + 64, 1, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "trailing garbage"));
    CHECK(dz_try(f, n + 5, 1, 0, m, sizeof m) == CPF_OK);
    f[n] = 0x1F; f[n + 1] = 0x8B; /* the start of a member that is cut short */
    CHECK(dz_try(f, n + 5, 1, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "truncated"));
    cpf_bytes_free(&a);
    cpf_bytes_free(&b);
}

static void test_raw_inflate_reports_the_bytes_it_used(void)
{
    cpf_bytes c, d;
    unsigned char buf[3000];
    size_t used = 0;
    unsigned char *t = dz_text(2000, 5);
    if (!t) return;
    CHECK(cpf_deflate(t, 2000, 9, &c, NULL, 0) == CPF_OK);
    CHECK(c.len + 100 < sizeof buf);
    if (c.len + 100 >= sizeof buf) { cpf_bytes_free(&c); free(t); return; }
    memcpy(buf, c.data, c.len);
    memset(buf + c.len, 0xA5, 100); /* bytes after the stream are not read */
    CHECK(cpf_inflate(buf, c.len + 100, 0, &d, &used, NULL, 0) == CPF_OK);
    CHECK(used == c.len && d.len == 2000 && memcmp(d.data, t, 2000) == 0);
    cpf_bytes_free(&c);
    cpf_bytes_free(&d);
    free(t);
}

/* ---- broken input ------------------------------------------------------- */
static void test_every_truncation_of_a_stream_is_a_format_error(void)
{
    cpf_bytes g, r;
    size_t k;
    int bad = 0;
    char m[200];
    unsigned char *t = dz_text(3000, 9);
    if (!t) return;
    CHECK(cpf_gzip(t, 3000, 6, &g, NULL, 0) == CPF_OK);
    CHECK(cpf_deflate(t, 3000, 0, &r, NULL, 0) == CPF_OK); /* stored blocks too */
    for (k = 0; k < g.len; k++)
        if (dz_try(g.data, k, 1, 0, m, sizeof m) != CPF_ERR_FORMAT) bad++;
    for (k = 0; k + 18 < g.len; k++) /* the raw deflate data inside it (header 10, trailer 8) */
        if (dz_try(g.data + 10, k, 0, 0, m, sizeof m) != CPF_ERR_FORMAT) bad++;
    for (k = 0; k < r.len; k++)
        if (dz_try(r.data, k, 0, 0, m, sizeof m) != CPF_ERR_FORMAT) bad++;
    for (k = 0; k < sizeof dz_lines_gz; k++)
        if (dz_try(dz_lines_gz, k, 1, 0, m, sizeof m) != CPF_ERR_FORMAT) bad++;
    CHECK_MSG(bad == 0, "%d prefixes were not CPF_ERR_FORMAT", bad);
    CHECK(dz_try(dz_lines_gz, 100, 1, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "truncated"));
    cpf_bytes_free(&g);
    cpf_bytes_free(&r);
    free(t);
}

static void test_every_single_bit_flip_is_an_error_or_the_right_text(void)
{
    /* Unchecked by any CRC: FTEXT (byte 3 bit 0), MTIME, XFL and OS (bytes
       4-9), the letters of "lines.txt" (10-18; no flip makes one zero) and
       the 6 bits after the end-of-block code in byte 255. Every other flip
       must be an error, and no flip may give other output. */
    unsigned char f[sizeof dz_lines_gz];
    char text[4700];
    size_t n = dz_lines(text), bit;
    int wrong = 0, missed = 0;
    memcpy(f, dz_lines_gz, sizeof f);
    for (bit = 0; bit < 8 * sizeof f; bit++) {
        cpf_bytes d;
        cpf_status st;
        size_t byte = bit / 8;
        int harmless = bit == 24 || (byte >= 4 && byte <= 18) || (byte == 255 && bit % 8 >= 2);
        f[byte] ^= (unsigned char)(1u << (bit % 8));
        st = cpf_gunzip(f, sizeof f, 1 << 20, &d, NULL, 0);
        if (st == CPF_OK && (d.len != n || memcmp(d.data, text, n) != 0)) wrong++;
        if (st != CPF_OK && (d.data || d.len)) wrong++;
        if ((st == CPF_OK) != harmless) missed++;
        cpf_bytes_free(&d);
        f[byte] ^= (unsigned char)(1u << (bit % 8));
    }
    CHECK_MSG(wrong == 0, "%d flips gave wrong output", wrong);
    CHECK_MSG(missed == 0, "%d flips were not caught (or harmless ones were)", missed);
}

static void test_hand_built_bad_streams_are_format_errors_naming_the_fault(void)
{
    unsigned char b[64];
    dz_bits w;
    char m[200];
    int i;
#define DZ_NEW() (memset(b, 0, sizeof b), w.buf = b, w.cap = sizeof b, w.pos = 0)
    /* reserved block type 3 */
    DZ_NEW(); dz_put(&w, 1, 1); dz_put(&w, 3, 2);
    CHECK(dz_try(b, 4, 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "block type 3"));
    /* HLIT 287 (> 286) */
    DZ_NEW(); dz_put(&w, 1, 1); dz_put(&w, 2, 2); dz_put(&w, 30, 5); dz_put(&w, 0, 5); dz_put(&w, 0, 4);
    CHECK(dz_try(b, 8, 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "HLIT"));
    /* HDIST 31 (> 30) */
    DZ_NEW(); dz_put(&w, 1, 1); dz_put(&w, 2, 2); dz_put(&w, 0, 5); dz_put(&w, 30, 5); dz_put(&w, 0, 4);
    CHECK(dz_try(b, 8, 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "HDIST"));
    /* stored block whose NLEN is not the complement of LEN */
    memcpy(b, "\x01\x05\x00\x00\x00hello", 10);
    CHECK(dz_try(b, 10, 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "NLEN"));
    memcpy(b, "\x01\x05\x00\xfa\xffhello", 10); /* and the correct one */
    CHECK(dz_try(b, 10, 0, 0, m, sizeof m) == CPF_OK);
    /* fixed block starting with a match: distance 1 before any output */
    DZ_NEW(); dz_put(&w, 1, 1); dz_put(&w, 1, 2); dz_code(&w, 1, 7); dz_code(&w, 0, 5); dz_code(&w, 0, 7);
    CHECK(dz_try(b, dz_bytes(&w), 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "too far back"));
    /* fixed block: literal 'a', then a distance of 2 (too far back by one) */
    DZ_NEW(); dz_put(&w, 1, 1); dz_put(&w, 1, 2); dz_code(&w, 0x30 + 'a', 8); dz_code(&w, 1, 7); dz_code(&w, 1, 5); dz_code(&w, 0, 7);
    CHECK(dz_try(b, dz_bytes(&w), 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "too far back"));
    /* fixed block: literal/length symbol 286 (8-bit code 11000110) */
    DZ_NEW(); dz_put(&w, 1, 1); dz_put(&w, 1, 2); dz_code(&w, 0xC6, 8); dz_code(&w, 0, 7);
    CHECK(dz_try(b, dz_bytes(&w), 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "literal/length code"));
    /* fixed block: literal, length 3, distance symbol 30 */
    DZ_NEW(); dz_put(&w, 1, 1); dz_put(&w, 1, 2); dz_code(&w, 0x30 + 'a', 8); dz_code(&w, 1, 7); dz_code(&w, 30, 5); dz_code(&w, 0, 7);
    CHECK(dz_try(b, dz_bytes(&w), 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "distance code"));
    /* code-length code with all 19 lengths 1: over-subscribed */
    DZ_NEW(); dz_put(&w, 1, 1); dz_put(&w, 2, 2); dz_put(&w, 0, 5); dz_put(&w, 0, 5); dz_put(&w, 15, 4);
    for (i = 0; i < 19; i++) dz_put(&w, 1, 3);
    CHECK(dz_try(b, dz_bytes(&w) + 4, 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "code-length code"));
    /* code-length code {0: "0", 16: "1"}; the first length is a repeat of nothing */
    DZ_NEW(); dz_put(&w, 1, 1); dz_put(&w, 2, 2); dz_put(&w, 0, 5); dz_put(&w, 0, 5); dz_put(&w, 0, 4);
    dz_put(&w, 1, 3); dz_put(&w, 0, 3); dz_put(&w, 0, 3); dz_put(&w, 1, 3); /* order 16 17 18 0 */
    dz_code(&w, 1, 1); dz_put(&w, 0, 2);
    CHECK(dz_try(b, dz_bytes(&w) + 4, 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "no previous length"));
    /* code-length code {0: "0", 18: "1"}: 138 + 138 zeros overflow HLIT + HDIST = 258 */
    DZ_NEW(); dz_put(&w, 1, 1); dz_put(&w, 2, 2); dz_put(&w, 0, 5); dz_put(&w, 0, 5); dz_put(&w, 0, 4);
    dz_put(&w, 0, 3); dz_put(&w, 0, 3); dz_put(&w, 1, 3); dz_put(&w, 1, 3);
    dz_code(&w, 1, 1); dz_put(&w, 127, 7); dz_code(&w, 1, 1); dz_put(&w, 127, 7);
    CHECK(dz_try(b, dz_bytes(&w) + 4, 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "runs past"));
    /* code-length code {18: "0", 0: "10", 1: "11"}: literals 0 and 1 get
       length 1, everything else 0: no end-of-block code */
    DZ_NEW(); dz_put(&w, 1, 1); dz_put(&w, 2, 2); dz_put(&w, 0, 5); dz_put(&w, 0, 5); dz_put(&w, 14, 4);
    for (i = 0; i < 18; i++) dz_put(&w, i == 2 ? 1u : (i == 3 || i == 17) ? 2u : 0u, 3); /* 18:1 0:2 1:2 */
    dz_code(&w, 3, 2); dz_code(&w, 3, 2); dz_code(&w, 0, 1); dz_put(&w, 127, 7); dz_code(&w, 0, 1); dz_put(&w, 107, 7);
    CHECK(dz_try(b, dz_bytes(&w) + 4, 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "end-of-block"));
    /* lengths 2 for literal 0 and end-of-block only: an incomplete code */
    DZ_NEW(); dz_put(&w, 1, 1); dz_put(&w, 2, 2); dz_put(&w, 0, 5); dz_put(&w, 0, 5); dz_put(&w, 14, 4);
    for (i = 0; i < 18; i++) dz_put(&w, (i == 2 || i == 3 || i == 15 || i == 17) ? 2u : 0u, 3); /* 18 0 2 1: "11" "00" "10" "01" */
    dz_code(&w, 2, 2);                                            /* literal 0: length 2 */
    dz_code(&w, 3, 2); dz_put(&w, 127, 7); dz_code(&w, 3, 2); dz_put(&w, 106, 7); /* 255 zeros */
    dz_code(&w, 2, 2);                                            /* 256: length 2 */
    dz_code(&w, 0, 2);                                            /* one distance length 0 */
    CHECK(dz_try(b, dz_bytes(&w) + 4, 0, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "incomplete literal/length"));
#undef DZ_NEW
}

static void test_gzip_wrapper_faults_are_format_errors(void)
{
    cpf_bytes g;
    char m[200];
    CHECK(cpf_gzip("some text to wrap", 17, 6, &g, NULL, 0) == CPF_OK);
    if (!g.data) return;
    CHECK(dz_try(g.data, g.len, 1, 0, m, sizeof m) == CPF_OK);
    g.data[1] ^= 0xFF;
    CHECK(dz_try(g.data, g.len, 1, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "magic"));
    CHECK(!cpf_is_gzip(g.data, g.len));
    g.data[1] ^= 0xFF;
    g.data[2] = 7;
    CHECK(dz_try(g.data, g.len, 1, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "CM"));
    g.data[2] = 8;
    g.data[g.len - 8] ^= 0x40;
    CHECK(dz_try(g.data, g.len, 1, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "CRC-32 mismatch"));
    g.data[g.len - 8] ^= 0x40;
    g.data[g.len - 4] ^= 0x01;
    CHECK(dz_try(g.data, g.len, 1, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "ISIZE"));
    g.data[g.len - 4] ^= 0x01;
    CHECK(dz_try(g.data, 0, 1, 0, m, sizeof m) == CPF_ERR_FORMAT);
    CHECK(dz_try(g.data, 9, 1, 0, m, sizeof m) == CPF_ERR_FORMAT && strstr(m, "header"));
    CHECK(!cpf_is_gzip(g.data, 1) && !cpf_is_gzip(NULL, 2) && cpf_is_gzip(g.data, 2));
    cpf_bytes_free(&g);
}

static void test_bad_arguments_are_rejected(void)
{
    cpf_bytes b;
    char m[100];
    CHECK(cpf_deflate("x", 1, 10, &b, m, sizeof m) == CPF_ERR_ARG && b.data == NULL && strstr(m, "level"));
    CHECK(cpf_deflate("x", 1, -2, &b, NULL, 0) == CPF_ERR_ARG);
    CHECK(cpf_gzip("x", 1, 11, &b, NULL, 0) == CPF_ERR_ARG);
    CHECK(cpf_deflate(NULL, 5, 6, &b, NULL, 0) == CPF_ERR_ARG);
    CHECK(cpf_deflate("x", 1, 6, NULL, NULL, 0) == CPF_ERR_ARG);
    CHECK(cpf_inflate(NULL, 5, 0, &b, NULL, NULL, 0) == CPF_ERR_ARG);
    CHECK(cpf_inflate("x", 1, 0, NULL, NULL, NULL, 0) == CPF_ERR_ARG);
    CHECK(cpf_gunzip(NULL, 5, 0, &b, NULL, 0) == CPF_ERR_ARG);
    CHECK(cpf_inflate(NULL, 0, 0, &b, NULL, m, sizeof m) == CPF_ERR_FORMAT && b.data == NULL); /* empty is truncated */
    b.data = NULL; b.len = 0;
    cpf_bytes_free(&b);
    cpf_bytes_free(NULL);
}

/* ---- limits ------------------------------------------------------------- */
static void test_output_limit_is_exact(void)
{
    unsigned char z[1000];
    cpf_bytes c;
    char m[200];
    memset(z, 0, sizeof z);
    CHECK(cpf_deflate(z, sizeof z, 6, &c, NULL, 0) == CPF_OK);
    CHECK(dz_try(c.data, c.len, 0, 1000, m, sizeof m) == CPF_OK);
    CHECK(dz_try(c.data, c.len, 0, 999, m, sizeof m) == CPF_ERR_LIMIT);
    CHECK_MSG(strstr(m, "inflated output exceeds the limit of 999 bytes") == m, "%s", m);
    cpf_bytes_free(&c);
    CHECK(cpf_deflate(z, sizeof z, 0, &c, NULL, 0) == CPF_OK); /* stored blocks too */
    CHECK(dz_try(c.data, c.len, 0, 1000, m, sizeof m) == CPF_OK);
    CHECK(dz_try(c.data, c.len, 0, 999, m, sizeof m) == CPF_ERR_LIMIT);
    cpf_bytes_free(&c);
}

/* One dynamic block: literal 0 (code "10"), then `pairs` times length 258
   (code "0") at distance 1 (code "0"), then end-of-block ("11"). Every pair
   is 2 zero bits for 258 bytes: 1 + 258 * pairs zeros from pairs / 4 bytes. */
static unsigned char *dz_bomb(size_t pairs, size_t *n)
{
    dz_bits w;
    int i;
    w.cap = 64 + pairs / 4;
    w.buf = (unsigned char *)calloc(w.cap, 1);
    w.pos = 0;
    if (!w.buf) return NULL;
    dz_put(&w, 1, 1); dz_put(&w, 2, 2);              /* final, dynamic */
    dz_put(&w, 29, 5); dz_put(&w, 0, 5); dz_put(&w, 14, 4); /* HLIT 286, HDIST 1, HCLEN 18 */
    /* code-length code: 0, 1, 2, 18 all length 2 -> "00" "01" "10" "11" */
    for (i = 0; i < 18; i++) dz_put(&w, (i == 2 || i == 3 || i == 15 || i == 17) ? 2u : 0u, 3);
    dz_code(&w, 2, 2);                                /* literal 0: length 2 */
    dz_code(&w, 3, 2); dz_put(&w, 127, 7);            /* 138 zeros */
    dz_code(&w, 3, 2); dz_put(&w, 106, 7);            /* 117 zeros: 1..255 */
    dz_code(&w, 2, 2);                                /* 256: length 2 */
    dz_code(&w, 3, 2); dz_put(&w, 17, 7);             /* 28 zeros: 257..284 */
    dz_code(&w, 1, 2);                                /* 285: length 1 */
    dz_code(&w, 1, 2);                                /* distance 0: length 1 */
    dz_code(&w, 2, 2);                                /* the literal 0 */
    w.pos += 2 * pairs;                               /* (285, distance 0) x pairs: zero bits */
    dz_code(&w, 3, 2);                                /* end of block */
    *n = dz_bytes(&w);
    return w.buf;
}

static void test_deflate_bomb_stops_at_the_limit(void)
{
    size_t n = 0, small = 0;
    unsigned char *bomb;
    cpf_bytes d;
    char m[200];
    /* the construction is right: 1000 pairs give 258 001 zero bytes */
    bomb = dz_bomb(1000, &small);
    if (bomb) {
        size_t i, nonzero = 0;
        CHECK_MSG(cpf_inflate(bomb, small, 0, &d, NULL, m, sizeof m) == CPF_OK, "%s", m);
        CHECK(d.len == 258001);
        for (i = 0; i < d.len; i++) nonzero += d.data[i] != 0;
        CHECK(nonzero == 0);
        cpf_bytes_free(&d);
        free(bomb);
    }
    /* 200 MiB of zeros in about 200 KB, against a 1 MiB limit */
    bomb = dz_bomb((size_t)200 * 1048576 / 258, &n);
    if (!bomb) { CHECK(bomb != NULL); return; }
    CHECK(n < 210000);
    CHECK(cpf_inflate(bomb, n, 1048576, &d, NULL, m, sizeof m) == CPF_ERR_LIMIT && d.data == NULL && d.len == 0);
    CHECK_MSG(strstr(m, "inflated output exceeds the limit of 1048576 bytes") == m, "%s", m);
    free(bomb);
}

/* ---- interop with the gzip program (POSIX hosts that have it) ---------- */
#if !defined(CORALPERF_NO_FILES) && !defined(_WIN32)
static int dz_write(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(p, 1, n, f) == n;
    if (f && fclose(f) != 0) ok = 0;
    return ok;
}
static unsigned char *dz_read(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    size_t cap = 1 << 20;
    if (!f) return NULL;
    b = (unsigned char *)malloc(cap);
    *n = b ? fread(b, 1, cap, f) : 0;
    fclose(f);
    return b;
}
static void test_gzip_program_reads_ours_and_we_read_its_output(void)
{
    char base[256], gz[300], txt[300], cmd[800];
    const char *tmp = getenv("TMPDIR");
    size_t n = 120000, got = 0;
    unsigned char *t, *back;
    cpf_bytes g, d;
    char m[200];
    int level;
    if (system("command -v gzip >/dev/null 2>&1") != 0) { printf("    skip: no gzip program\n"); return; }
    snprintf(base, sizeof base, "%s/cpf_test_deflate_%llu", tmp && *tmp ? tmp : "/tmp", (unsigned long long)(cpf_now_ns() % 1000000007u));
    snprintf(gz, sizeof gz, "%s.gz", base);
    snprintf(txt, sizeof txt, "%s.txt", base);
    t = dz_text(n, 77);
    if (!t) return;
    for (level = 1; level <= 9; level += 4) { /* ours -> gzip -dc */
        CHECK(cpf_gzip(t, n, level, &g, NULL, 0) == CPF_OK);
        CHECK(dz_write(gz, g.data, g.len));
        snprintf(cmd, sizeof cmd, "gzip -dc '%s' > '%s'", gz, txt);
        CHECK_MSG(system(cmd) == 0, "%s", cmd);
        back = dz_read(txt, &got);
        CHECK(back && got == n && memcmp(back, t, n) == 0);
        free(back);
        cpf_bytes_free(&g);
    }
    CHECK(dz_write(txt, t, n)); /* gzip -9 -> ours (FNAME and MTIME set) */
    snprintf(cmd, sizeof cmd, "gzip -9 -c '%s' > '%s'", txt, gz);
    CHECK_MSG(system(cmd) == 0, "%s", cmd);
    back = dz_read(gz, &got);
    CHECK(back != NULL);
    if (back) {
        CHECK_MSG(cpf_gunzip(back, got, 0, &d, m, sizeof m) == CPF_OK, "%s", m);
        CHECK(d.len == n && memcmp(d.data, t, n) == 0);
        cpf_bytes_free(&d);
        free(back);
    }
    remove(gz);
    remove(txt);
    free(t);
}
#endif

void tests_deflate(void)
{
    RUN(test_crc32_check_value_and_chaining);
    RUN(test_crc32_long_input_matches_byte_at_a_time);
    RUN(test_empty_and_one_byte_round_trip_at_every_level);
    RUN(test_every_level_round_trips_text_random_zeros_and_runs);
    RUN(test_matches_reach_back_exactly_32_kib);
    RUN(test_deflate_is_deterministic_with_a_recorded_answer);
    RUN(test_gzip_member_has_the_rfc_1952_header_and_trailer);
    RUN(test_stream_written_by_gzip_decodes_to_its_text);
    RUN(test_header_fields_fextra_fname_fcomment_fhcrc_are_parsed_and_checked);
    RUN(test_multi_member_files_concatenate_and_zero_padding_is_accepted);
    RUN(test_raw_inflate_reports_the_bytes_it_used);
    RUN(test_every_truncation_of_a_stream_is_a_format_error);
    RUN(test_every_single_bit_flip_is_an_error_or_the_right_text);
    RUN(test_hand_built_bad_streams_are_format_errors_naming_the_fault);
    RUN(test_gzip_wrapper_faults_are_format_errors);
    RUN(test_bad_arguments_are_rejected);
    RUN(test_output_limit_is_exact);
    RUN(test_deflate_bomb_stops_at_the_limit);
#if !defined(CORALPERF_NO_FILES) && !defined(_WIN32)
    RUN(test_gzip_program_reads_ours_and_we_read_its_output);
#endif
}
