/* libFuzzer target: the latency histogram's text form (cpf_hist_decode).
   Nothing may crash, leak, read out of bounds or run away; every rejection
   has a message and leaves an empty histogram; whatever decodes must be
   consistent (counts add up to count, min <= max inside the first and last
   non-empty buckets) and must encode back to exactly the input bytes.
   Build: clang -fsanitize=fuzzer,address,undefined -I. -I<stb> fuzz_hist.c
   Seeds: tests/fuzz/hist_seeds (empty, one value, 0/UINT64_MAX, lognormal
   latencies at bits 3, 7 and 10). */
#ifndef CORALPERF_IMPLEMENTATION
#define CORALPERF_IMPLEMENTATION
#endif
#include "coralperf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cpf_hist h;
    cpf_bytes back;
    char msg[300];
    cpf_status st = cpf_hist_decode(&h, (const char *)data, size, msg, sizeof msg);
    if (st == CPF_OK) {
        uint64_t total = 0;
        uint32_t i, first = UINT32_MAX, last = 0;
        for (i = 0; i < h.nbuckets; i++)
            if (h.counts[i]) { total += h.counts[i]; if (first == UINT32_MAX) first = i; last = i; }
        if (total != h.count) __builtin_trap();
        if (h.count && (h.min > h.max || cpf_hist_bucket(&h, h.min) != first || cpf_hist_bucket(&h, h.max) != last))
            __builtin_trap();
        if (h.count && (cpf_hist_percentile(&h, 50) < h.min || cpf_hist_percentile(&h, 50) > h.max)) __builtin_trap();
        if (cpf_hist_encode(&h, &back) != CPF_OK) __builtin_trap();
        if (back.len != size || memcmp(back.data, data, size) != 0) __builtin_trap();
        cpf_bytes_free(&back);
        cpf_hist_free(&h);
    } else {
        if (!msg[0] || h.counts || h.count) __builtin_trap();
        if (st != CPF_ERR_FORMAT && st != CPF_ERR_VERSION) __builtin_trap();
    }
    return 0;
}
