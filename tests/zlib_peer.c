/* Deflate against its peer, zlib (zlib1g-dev, a test-time peer only; run by
   `make test` when zlib.h is installed):
     - zlib inflates what cpf_deflate writes at every level 0..9, and zlib's
       uncompress reads cpf_gzip's CRC and length through gzip framing;
     - cpf_inflate reads what zlib writes at every level with every strategy
       (default, filtered, Huffman only, RLE, fixed);
     - on 3 MiB of mixed input (the header's text, then text with random
       bytes), so that blocks, the 32 KiB window and long matches are crossed.
   Prints one line per direction and "N passed, N failed". */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include <zlib.h>

static uint32_t rs = 1;
static uint32_t rnd(void) { rs ^= rs << 13; rs ^= rs >> 17; rs ^= rs << 5; return rs; }

static int z_inflate_raw(const unsigned char *p, size_t n, unsigned char *o, size_t cap, size_t *got)
{
    z_stream z;
    int r;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) return -1;
    z.next_in = (unsigned char *)p;
    z.avail_in = (uInt)n;
    z.next_out = o;
    z.avail_out = (uInt)cap;
    r = inflate(&z, Z_FINISH);
    *got = z.total_out;
    inflateEnd(&z);
    return r == Z_STREAM_END ? 0 : (r ? r : -2);
}

static size_t z_deflate_raw(const unsigned char *p, size_t n, int level, int strategy, unsigned char *o, size_t cap)
{
    z_stream z;
    size_t r;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, strategy) != Z_OK) return 0;
    z.next_in = (unsigned char *)p;
    z.avail_in = (uInt)n;
    z.next_out = o;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    r = z.total_out;
    deflateEnd(&z);
    return r;
}

int main(void)
{
    const size_t n = (size_t)3 << 20;
    unsigned char *in = (unsigned char *)malloc(n), *out = (unsigned char *)malloc(2 * n), *comp = (unsigned char *)malloc(2 * n);
    static const int strategies[] = { Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED };
    int level, k, passed = 0, failed = 0;
    size_t hl = 0, i;
    FILE *f = fopen("coralperf.h", "rb");
    if (!in || !out || !comp) return 1;
    if (f) { hl = fread(in, 1, n / 2, f); fclose(f); }
    if (hl == 0) { memset(in, 'a', 64); hl = 64; }
    for (i = hl; i < n; i++) in[i] = rnd() % 7 == 0 ? (unsigned char)rnd() : in[i % hl];
    for (level = 0; level <= 9; level++) {
        cpf_bytes b;
        char msg[200];
        size_t got = 0;
        int ok = cpf_deflate(in, n, level, &b, msg, sizeof msg) == CPF_OK &&
                 z_inflate_raw(b.data, b.len, out, 2 * n, &got) == 0 && got == n && memcmp(out, in, n) == 0;
        if (ok) passed++; else { failed++; printf("FAIL  zlib cannot read cpf_deflate level %d\n", level); }
        cpf_bytes_free(&b);
    }
    printf("%s  zlib inflates cpf_deflate's output at levels 0..9 (3 MiB)\n", failed ? "FAIL" : "ok  ");
    {   /* gzip framing: zlib with windowBits 15+16 reads cpf_gzip */
        cpf_bytes g;
        z_stream z;
        int ok = cpf_gzip(in, n, 6, &g, NULL, 0) == CPF_OK;
        memset(&z, 0, sizeof z);
        ok = ok && inflateInit2(&z, 15 + 16) == Z_OK;
        if (ok) {
            z.next_in = g.data; z.avail_in = (uInt)g.len; z.next_out = out; z.avail_out = (uInt)(2 * n);
            ok = inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == n && memcmp(out, in, n) == 0;
            inflateEnd(&z);
        }
        if (ok) passed++; else failed++;
        printf("%s  zlib reads cpf_gzip's member (header, CRC-32, ISIZE)\n", ok ? "ok  " : "FAIL");
        cpf_bytes_free(&g);
    }
    k = failed;
    for (level = 0; level <= 9; level++)
        for (i = 0; i < sizeof strategies / sizeof strategies[0]; i++) {
            size_t cl = z_deflate_raw(in, n, level, strategies[i], comp, 2 * n);
            cpf_bytes d;
            char msg[200];
            int ok = cl > 0 && cpf_inflate(comp, cl, 0, &d, NULL, msg, sizeof msg) == CPF_OK && d.len == n &&
                     memcmp(d.data, in, n) == 0;
            if (ok) passed++; else { failed++; printf("FAIL  cpf_inflate cannot read zlib level %d strategy %d: %s\n", level, (int)i, msg); }
            cpf_bytes_free(&d);
        }
    printf("%s  cpf_inflate reads zlib at levels 0..9 x 5 strategies\n", failed > k ? "FAIL" : "ok  ");
    printf("%d passed, %d failed\n", passed, failed);
    free(in); free(out); free(comp);
    return failed ? 1 : 0;
}
