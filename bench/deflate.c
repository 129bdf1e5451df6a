/* deflate.c - cpf_deflate/cpf_inflate/cpf_gzip against zlib and the gzip
   program, side by side in one run.

   cc -O2 -I. -I<stb> bench/deflate.c -lz -lm -pthread -o deflate
   ./deflate [file ...]          (default: coralperf.h, then README.md + coralperf.h)

   For every input:
     size   ours level 9 as a gzip file   vs `gzip -9` (zlib's level 9 when the
                                             gzip program is missing; said so)
     size   ours level 6 (raw deflate)    vs zlib level 6 (raw, windowBits -15)
     speed  deflate level 6, MB/s of input, ours vs zlib
     speed  inflate MB/s of output, ours vs zlib, both decoding zlib's level-6
            stream (and ours decoding our own, for information)
   Timing: each sample repeats the operation for >= SAMPLE_MS; 11 samples per
   side, ours and zlib alternating (and alternately first) so that a busy
   machine hurts both alike; the median sample counts. ratio = ours / theirs
   for sizes (lower is better) and speeds (higher is better). A MISS is
   reported, not a failure (shared machines are noisy); exit 1 only when
   something breaks (a round trip fails, zlib errors). */
#ifndef CORALPERF_IMPLEMENTATION
#define CORALPERF_IMPLEMENTATION
#endif
#include "coralperf.h"
#include <zlib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLES 11
#define SAMPLE_MS 40.0

static int g_fail;

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b = NULL;
    size_t cap = 0, len = 0, got;
    if (!f) return NULL;
    for (;;) {
        if (cap - len < 65536) {
            unsigned char *nb = (unsigned char *)realloc(b, cap * 2 + 65536);
            if (!nb) { free(b); fclose(f); return NULL; }
            b = nb;
            cap = cap * 2 + 65536;
        }
        got = fread(b + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    fclose(f);
    *n = len;
    return b;
}

/* ---- zlib, raw deflate (windowBits -15), the same memLevel 8 as gzip ---- */
static size_t z_deflate(const unsigned char *src, size_t n, int level, unsigned char *dst, size_t cap)
{
    z_stream z;
    size_t out;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)n;
    z.next_out = dst;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) { deflateEnd(&z); return 0; }
    out = (size_t)z.total_out;
    deflateEnd(&z);
    return out;
}
static size_t z_inflate(const unsigned char *src, size_t n, unsigned char *dst, size_t cap)
{
    z_stream z;
    size_t out;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) return 0;
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)n;
    z.next_out = dst;
    z.avail_out = (uInt)cap;
    if (inflate(&z, Z_FINISH) != Z_STREAM_END) { inflateEnd(&z); return 0; }
    out = (size_t)z.total_out;
    inflateEnd(&z);
    return out;
}

/* ---- the operations timed ---------------------------------------------- */
enum { OP_OURS_DEFLATE, OP_ZLIB_DEFLATE, OP_OURS_INFLATE, OP_ZLIB_INFLATE };
typedef struct job {
    const unsigned char *src;
    size_t n;
    const unsigned char *comp; /* the stream both inflaters decode */
    size_t comp_n;
    unsigned char *scratch;
    size_t scratch_cap;
    int level;
} job;

static size_t run_op(int op, const job *j)
{
    cpf_bytes b;
    size_t r = 0;
    switch (op) {
    case OP_OURS_DEFLATE:
        if (cpf_deflate(j->src, j->n, j->level, &b, NULL, 0) != CPF_OK) g_fail = 1;
        r = b.len;
        cpf_bytes_free(&b);
        break;
    case OP_ZLIB_DEFLATE: r = z_deflate(j->src, j->n, j->level, j->scratch, j->scratch_cap); break;
    case OP_OURS_INFLATE:
        if (cpf_inflate(j->comp, j->comp_n, 0, &b, NULL, NULL, 0) != CPF_OK || b.len != j->n) g_fail = 1;
        r = b.len;
        cpf_bytes_free(&b);
        break;
    default: r = z_inflate(j->comp, j->comp_n, j->scratch, j->scratch_cap); break;
    }
    if (r == 0) g_fail = 1;
    return r;
}

/* seconds per operation: one sample of reps calls */
static double sample(int op, const job *j, size_t reps)
{
    size_t i;
    uint64_t t0 = cpf_now_ns();
    for (i = 0; i < reps; i++) run_op(op, j);
    return (double)(cpf_now_ns() - t0) * 1e-9 / (double)reps;
}
static size_t calibrate(int op, const job *j)
{
    size_t reps = 1;
    for (;;) {
        double t = sample(op, j, reps) * (double)reps;
        if (t * 1e3 >= SAMPLE_MS || reps > ((size_t)1 << 30)) return reps;
        reps = t * 1e3 < SAMPLE_MS / 8 ? reps * 8 : (size_t)((double)reps * SAMPLE_MS / (t * 1e3)) + 1;
    }
}
static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
/* medians of SAMPLES interleaved samples of ops a and b (seconds per op) */
static void duel(int a, int b, const job *j, double *ta, double *tb)
{
    double sa[SAMPLES], sb[SAMPLES];
    size_t ra = calibrate(a, j), rb = calibrate(b, j);
    int i;
    for (i = 0; i < SAMPLES; i++) {
        if (i & 1) { sb[i] = sample(b, j, rb); sa[i] = sample(a, j, ra); }
        else { sa[i] = sample(a, j, ra); sb[i] = sample(b, j, rb); }
    }
    qsort(sa, SAMPLES, sizeof sa[0], cmp_d);
    qsort(sb, SAMPLES, sizeof sb[0], cmp_d);
    *ta = sa[SAMPLES / 2];
    *tb = sb[SAMPLES / 2];
}

static int g_pass, g_miss;
static void verdict_row(const char *what, double ours, double theirs, const char *unit, double ratio, int lower_better,
                        double goal)
{
    int ok = lower_better ? ratio <= goal : ratio >= goal;
    if (ok) g_pass++; else g_miss++;
    printf("  %-38s %10.1f %10.1f %-5s %6.3f   %s %.2f  %s\n", what, ours, theirs, unit, ratio, lower_better ? "<=" : ">=",
           goal, ok ? "PASS" : "MISS");
}
static void info_row(const char *what, double ours, double theirs, const char *unit, double ratio)
{
    printf("  %-38s %10.1f %10.1f %-5s %6.3f   (information)\n", what, ours, theirs, unit, ratio);
}

/* size of `gzip -9 -c path`, or 0 when there is no gzip program */
static size_t gzip_program_size(const char *path)
{
#if !defined(_WIN32)
    char cmd[4200];
    FILE *p;
    size_t total = 0, got;
    unsigned char buf[65536];
    if (strlen(path) > 4000 || strchr(path, '\'')) return 0;
    if (system("command -v gzip >/dev/null 2>&1") != 0) return 0;
    snprintf(cmd, sizeof cmd, "gzip -9 -c -n '%s'", path);
    p = popen(cmd, "r");
    if (!p) return 0;
    while ((got = fread(buf, 1, sizeof buf, p)) > 0) total += got;
    return pclose(p) == 0 ? total : 0;
#else
    (void)path;
    return 0;
#endif
}

static void bench_input(const char *label, const char *path_for_gzip, const unsigned char *src, size_t n)
{
    job j;
    cpf_bytes g9, d6, back;
    unsigned char *z6;
    size_t z6n, gz9, zcap = n + n / 100 + 1024;
    double to, tz;
    char m[256];
    printf("\n%s: %lu bytes\n", label, (unsigned long)n);
    printf("  %-38s %10s %10s %-5s %6s   %s\n", "", "ours", "peer", "unit", "ratio", "goal");
    z6 = (unsigned char *)malloc(zcap);
    j.scratch_cap = n + 1024 > zcap ? n + 1024 : zcap;
    j.scratch = (unsigned char *)malloc(j.scratch_cap);
    if (!z6 || !j.scratch) { g_fail = 1; return; }
    if (cpf_gzip(src, n, 9, &g9, m, sizeof m) != CPF_OK || cpf_deflate(src, n, 6, &d6, m, sizeof m) != CPF_OK) {
        printf("  our compressor failed: %s\n", m);
        g_fail = 1;
        return;
    }
    z6n = z_deflate(src, n, 6, z6, zcap);
    /* round trips: ours <-> zlib, before any number is trusted */
    if (cpf_gunzip(g9.data, g9.len, 0, &back, m, sizeof m) != CPF_OK || back.len != n || memcmp(back.data, src, n)) {
        printf("  our gzip does not round-trip: %s\n", m);
        g_fail = 1;
    }
    cpf_bytes_free(&back);
    if (z_inflate(d6.data, d6.len, j.scratch, j.scratch_cap) != n || memcmp(j.scratch, src, n)) {
        printf("  zlib cannot read our level-6 stream\n");
        g_fail = 1;
    }
    if (cpf_inflate(z6, z6n, 0, &back, NULL, m, sizeof m) != CPF_OK || back.len != n || memcmp(back.data, src, n)) {
        printf("  we cannot read zlib's level-6 stream: %s\n", m);
        g_fail = 1;
    }
    cpf_bytes_free(&back);

    gz9 = path_for_gzip ? gzip_program_size(path_for_gzip) : 0;
    if (gz9) {
        verdict_row("size: level 9 gzip vs gzip -9 -n", (double)g9.len, (double)gz9, "bytes", (double)g9.len / (double)gz9, 1, 1.05);
    } else {
        size_t z9 = z_deflate(src, n, 9, j.scratch, j.scratch_cap) + 18; /* + gzip header and trailer */
        verdict_row("size: level 9 gzip vs zlib 9 + 18", (double)g9.len, (double)z9, "bytes", (double)g9.len / (double)z9, 1, 1.05);
    }
    verdict_row("size: level 6 raw vs zlib 6 raw", (double)d6.len, (double)z6n, "bytes", (double)d6.len / (double)z6n, 1, 1.10);

    j.src = src;
    j.n = n;
    j.comp = z6;
    j.comp_n = z6n;
    j.level = 6;
    duel(OP_OURS_DEFLATE, OP_ZLIB_DEFLATE, &j, &to, &tz);
    verdict_row("speed: deflate level 6", n / to * 1e-6, n / tz * 1e-6, "MB/s", tz / to, 0, 0.70);
    duel(OP_OURS_INFLATE, OP_ZLIB_INFLATE, &j, &to, &tz);
    verdict_row("speed: inflate (zlib's level-6 data)", n / to * 1e-6, n / tz * 1e-6, "MB/s", tz / to, 0, 0.70);
    j.level = 9;
    duel(OP_OURS_DEFLATE, OP_ZLIB_DEFLATE, &j, &to, &tz);
    info_row("speed: deflate level 9", n / to * 1e-6, n / tz * 1e-6, "MB/s", tz / to);
    j.level = 1;
    duel(OP_OURS_DEFLATE, OP_ZLIB_DEFLATE, &j, &to, &tz);
    info_row("speed: deflate level 1", n / to * 1e-6, n / tz * 1e-6, "MB/s", tz / to);
    {
        size_t z1 = z_deflate(src, n, 1, j.scratch, j.scratch_cap);
        cpf_bytes d1;
        if (cpf_deflate(src, n, 1, &d1, NULL, 0) == CPF_OK)
            info_row("size: level 1 raw vs zlib 1 raw", (double)d1.len, (double)z1, "bytes", (double)d1.len / (double)z1);
        cpf_bytes_free(&d1);
    }
    j.comp = d6.data;
    j.comp_n = d6.len;
    j.level = 6;
    {
        double ts[SAMPLES];
        size_t reps = calibrate(OP_OURS_INFLATE, &j);
        int i;
        for (i = 0; i < SAMPLES; i++) ts[i] = sample(OP_OURS_INFLATE, &j, reps);
        qsort(ts, SAMPLES, sizeof ts[0], cmp_d);
        printf("  %-38s %10.1f %10s %-5s\n", "speed: inflate (our level-6 data)", n / ts[SAMPLES / 2] * 1e-6, "", "MB/s");
    }
    cpf_bytes_free(&g9);
    cpf_bytes_free(&d6);
    free(z6);
    free(j.scratch);
}

int main(int argc, char **argv)
{
    int i;
    printf("deflate: coralperf vs zlib %s (ratio = ours/peer for sizes, ours/peer speed for MB/s; median of %d interleaved samples of >= %.0f ms)\n",
           zlibVersion(), SAMPLES, SAMPLE_MS);
    if (argc > 1) {
        for (i = 1; i < argc; i++) {
            size_t n = 0;
            unsigned char *b = read_all(argv[i], &n);
            if (!b) { printf("cannot read %s\n", argv[i]); return 1; }
            bench_input(argv[i], argv[i], b, n);
            free(b);
        }
    } else {
        size_t n1 = 0, n2 = 0;
        unsigned char *h = read_all("coralperf.h", &n1), *r = read_all("README.md", &n2), *both;
        if (!h || !r) { printf("run from the repository root (coralperf.h, README.md)\n"); return 1; }
        bench_input("coralperf.h", "coralperf.h", h, n1);
        both = (unsigned char *)malloc(n1 + n2);
        if (!both) return 1;
        memcpy(both, r, n2);
        memcpy(both + n2, h, n1);
        {   /* the gzip program reads the same bytes from a temporary file */
            const char *dir = getenv("BUILD");
            char tmp[1024];
            FILE *f;
            snprintf(tmp, sizeof tmp, "%s/bench/deflate_readme_header.txt", dir && *dir ? dir : "build");
            f = fopen(tmp, "wb");
            int ok = f && fwrite(both, 1, n1 + n2, f) == n1 + n2;
            if (f) fclose(f);
            bench_input("README.md + coralperf.h", ok ? tmp : NULL, both, n1 + n2);
            if (ok) remove(tmp);
        }
        free(both);
        free(h);
        free(r);
    }
    printf("\n%d PASS, %d MISS%s\n", g_pass, g_miss, g_fail ? ", and an ERROR above" : "");
    return g_fail ? 1 : 0;
}
