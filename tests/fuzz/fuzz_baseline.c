/* libFuzzer target: the baseline parser (text and gzip). Whatever loads must
   save, load again and save to the same bytes (the format is stable under
   a rewrite), and nothing may crash, leak or read out of bounds.
   Build: clang -fsanitize=fuzzer,address,undefined -I. -I<stb> fuzz_baseline.c */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cpf_baseline b, b2;
    cpf_bytes t1, t2;
    char msg[300];
    if (cpf_baseline_load_mem(&b, data, size, msg, sizeof msg) != CPF_OK) {
        if (!msg[0]) __builtin_trap(); /* every error has a message */
        return 0;
    }
    if (cpf_baseline_save_mem(&b, 0, &t1, msg, sizeof msg) != CPF_OK) __builtin_trap();
    if (cpf_baseline_load_mem(&b2, t1.data, t1.len, msg, sizeof msg) != CPF_OK) __builtin_trap();
    if (cpf_baseline_save_mem(&b2, 0, &t2, msg, sizeof msg) != CPF_OK) __builtin_trap();
    if (t1.len != t2.len || memcmp(t1.data, t2.data, t1.len) != 0) __builtin_trap();
    if (b.count != b2.count) __builtin_trap();
    cpf_bytes_free(&t1);
    cpf_bytes_free(&t2);
    cpf_baseline_free(&b);
    cpf_baseline_free(&b2);
    return 0;
}
