/* libFuzzer target: raw inflate and gunzip of the same bytes, with a 1 MiB
   output limit. Nothing may crash, leak, read or write out of bounds or run
   away; every error has a message and leaves the output empty; a raw stream
   that inflates must report a consumed count within the input, and whatever
   inflates must survive a deflate/inflate round trip unchanged.
   Build: clang -fsanitize=fuzzer,address,undefined -I. -I<stb> fuzz_inflate.c
   Seeds: tests/fuzz/inflate_seeds (stored, fixed and dynamic blocks, a gzip
   member with FEXTRA, FNAME, FCOMMENT and FHCRC, two members). */
#ifndef CORALPERF_IMPLEMENTATION
#define CORALPERF_IMPLEMENTATION
#endif
#include "coralperf.h"

#define LIMIT ((size_t)1 << 20)

static void round_trip(const cpf_bytes *d, int level)
{
    cpf_bytes c, back;
    if (cpf_deflate(d->data, d->len, level, &c, NULL, 0) != CPF_OK) __builtin_trap();
    if (cpf_inflate(c.data, c.len, LIMIT, &back, NULL, NULL, 0) != CPF_OK) __builtin_trap();
    if (back.len != d->len || (d->len && memcmp(back.data, d->data, d->len) != 0)) __builtin_trap();
    cpf_bytes_free(&c);
    cpf_bytes_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cpf_bytes d;
    size_t used = (size_t)-1;
    char msg[300];
    cpf_status st = cpf_inflate(data, size, LIMIT, &d, &used, msg, sizeof msg);
    if (st == CPF_OK) {
        if (used > size || (d.len > 0) != (d.data != NULL) || d.len > LIMIT) __builtin_trap();
        if (d.len <= 65536) round_trip(&d, (int)(size % 10));
        cpf_bytes_free(&d);
    } else {
        if (!msg[0] || d.data || d.len || used != 0) __builtin_trap();
        if (st != CPF_ERR_FORMAT && st != CPF_ERR_LIMIT) __builtin_trap();
    }
    st = cpf_gunzip(data, size, LIMIT, &d, msg, sizeof msg);
    if (st == CPF_OK) {
        if (d.len > LIMIT) __builtin_trap();
        if (d.len <= 65536) round_trip(&d, 9 - (int)(size % 10));
        cpf_bytes_free(&d);
    } else {
        if (!msg[0] || d.data || d.len) __builtin_trap();
        if (st != CPF_ERR_FORMAT && st != CPF_ERR_LIMIT) __builtin_trap();
    }
    return 0;
}
