/* gzip_bomb.h - a gzip member that inflates to far more than it takes, for
   the tests of the inflate limit on baselines (tests/test_baseline.c,
   tests/baseline_bomb.c). Include after coralperf.h (it uses cpf_crc32).

   One fixed-Huffman deflate block (RFC 1951 3.2.6): the literal 0, then
   `pairs` copies of length 258 (symbol 285, code 11000101, no extra bits)
   at distance 1 (distance code 0, 5 bits 00000), then end of block (symbol
   256, 0000000). 13 bits per 258 zero bytes: 1 + 258 * pairs bytes from
   about 1.6 * pairs. The trailer holds the true CRC-32 and ISIZE (RFC 1952),
   so the member is valid and only a size limit stops it. */
#ifndef GZIP_BOMB_H
#define GZIP_BOMB_H
#include <stdlib.h>
#include <string.h>

typedef struct gzb_bits { unsigned char *buf; size_t pos; } gzb_bits; /* pos counts bits */

/* One bit; deflate fills each byte from its least significant bit. */
static void gzb_bit(gzb_bits *w, unsigned b)
{
    if (b) w->buf[w->pos >> 3] |= (unsigned char)(1u << (w->pos & 7u));
    w->pos++;
}
/* n bits of v, least significant first (header fields). */
static void gzb_put(gzb_bits *w, unsigned v, int n)
{
    int i;
    for (i = 0; i < n; i++) gzb_bit(w, (v >> i) & 1u);
}
/* A Huffman code of len bits, most significant first (RFC 1951 3.1.1). */
static void gzb_code(gzb_bits *w, unsigned code, int len)
{
    int i;
    for (i = len - 1; i >= 0; i--) gzb_bit(w, (code >> i) & 1u);
}

/* The gzip member (malloc'd, free it) of *n bytes; NULL when out of memory. */
static unsigned char *gzip_bomb(size_t pairs, size_t *n)
{
    static const unsigned char head[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255 }; /* deflate, no flags, OS unknown */
    static const unsigned char zeros[4096] = { 0 };
    size_t bits = 3 + 8 + 13 * pairs + 7, at, left, i, out = 1 + 258 * pairs;
    uint32_t crc = 0;
    gzb_bits w;
    w.buf = (unsigned char *)calloc(10 + (bits + 7) / 8 + 8, 1);
    if (!w.buf) return NULL;
    memcpy(w.buf, head, sizeof head);
    w.pos = 8 * sizeof head;
    gzb_put(&w, 1, 1);               /* BFINAL */
    gzb_put(&w, 1, 2);               /* BTYPE 01: fixed Huffman codes */
    gzb_code(&w, 0x30, 8);           /* literal 0: 00110000 */
    for (i = 0; i < pairs; i++) {
        gzb_code(&w, 0xC5, 8);       /* length 258 */
        gzb_code(&w, 0, 5);          /* distance 1 */
    }
    gzb_code(&w, 0, 7);              /* end of block */
    at = (w.pos + 7) / 8;
    for (left = out; left; ) {
        size_t k = left < sizeof zeros ? left : sizeof zeros;
        crc = cpf_crc32(crc, zeros, k);
        left -= k;
    }
    for (i = 0; i < 4; i++) w.buf[at + i] = (unsigned char)(crc >> (8 * i));
    for (i = 0; i < 4; i++) w.buf[at + 4 + i] = (unsigned char)((uint32_t)out >> (8 * i));
    *n = at + 8;
    return w.buf;
}
#endif
