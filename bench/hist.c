/* bench/hist.c - what cpf_hist_record costs per value, side by side in one
   run with the floor a C programmer would compare it to: a plain array
   increment (counts[v & mask]++, a 64 KiB table, about the size of the
   default histogram's 58 KiB). Both walk the same 4096 latencies (lognormal,
   median 100 us, so they spread over hundreds of buckets) per operation;
   the per-value figure is the median per operation / 4096.
   Goal (issue 9): record under 5 ns per value. Also shown: a percentile
   query and encoding the histogram's text, for scale. */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include <stdio.h>
#include <stdlib.h>

#define NVAL 4096
#define MASK 8191u
static uint64_t values[NVAL];
static uint64_t plain_counts[MASK + 1];
static cpf_hist h3, h7, h10;

static void bench_plain(cpf_bench *b)
{
    while (cpf_bench_loop(b)) {
        int i;
        for (i = 0; i < NVAL; i++) plain_counts[values[i] & MASK]++;
        cpf_do_not_optimize(plain_counts[values[0] & MASK]);
    }
}
static void record_all(cpf_bench *b, cpf_hist *h)
{
    while (cpf_bench_loop(b)) {
        int i;
        for (i = 0; i < NVAL; i++) cpf_hist_record(h, values[i]);
        cpf_do_not_optimize(h->count);
    }
}
static void bench_record7(cpf_bench *b) { record_all(b, &h7); }
static void bench_record3(cpf_bench *b) { record_all(b, &h3); }
static void bench_record10(cpf_bench *b) { record_all(b, &h10); }
static void bench_p99(cpf_bench *b)
{
    while (cpf_bench_loop(b)) { uint64_t v = cpf_hist_percentile(&h7, 99); cpf_do_not_optimize(v); }
}
static void bench_encode(cpf_bench *b)
{
    while (cpf_bench_loop(b)) {
        cpf_bytes t;
        cpf_hist_encode(&h7, &t);
        cpf_do_not_optimize(t.len);
        cpf_bytes_free(&t);
    }
}

int main(int argc, char **argv)
{
    cpf_suite s;
    uint64_t state = 1;
    double plain, r3, r7, r10, p99, enc;
    cpf_bytes t;
    int i, rc;
    unsigned k, nonempty = 0;
    for (i = 0; i < NVAL; i += 2) { /* lognormal by Box-Muller on a splitmix64 stream */
        double u, v, r;
        uint64_t z;
        z = (state += 0x9E3779B97F4A7C15ull); z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull; z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        u = ((double)((z ^ (z >> 31)) >> 11) + 1.0) / 9007199254740993.0;
        z = (state += 0x9E3779B97F4A7C15ull); z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull; z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        v = (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
        r = sqrt(-2.0 * log(u));
        values[i] = (uint64_t)exp(log(1e5) + r * cos(6.283185307179586 * v));
        values[i + 1] = (uint64_t)exp(log(1e5) + r * sin(6.283185307179586 * v));
    }
    if (cpf_hist_init(&h3, 3) != CPF_OK || cpf_hist_init(&h7, 7) != CPF_OK || cpf_hist_init(&h10, 10) != CPF_OK) {
        fprintf(stderr, "hist: out of memory\n");
        return 1;
    }
    cpf_suite_init(&s, "hist");
    cpf_suite_add(&s, "plain counts[v & mask]++ x4096", bench_plain, NULL);
    cpf_suite_add(&s, "cpf_hist_record bits 7 x4096", bench_record7, NULL);
    cpf_suite_add(&s, "cpf_hist_record bits 3 x4096", bench_record3, NULL);
    cpf_suite_add(&s, "cpf_hist_record bits 10 x4096", bench_record10, NULL);
    cpf_suite_add(&s, "cpf_hist_percentile p99 bits 7", bench_p99, NULL);
    cpf_suite_add(&s, "cpf_hist_encode bits 7", bench_encode, NULL);
    cpf_suite_run(&s, argc, argv);
    plain = cpf_suite_find(&s, "plain counts[v & mask]++ x4096")->stats.median / NVAL;
    r7 = cpf_suite_find(&s, "cpf_hist_record bits 7 x4096")->stats.median / NVAL;
    r3 = cpf_suite_find(&s, "cpf_hist_record bits 3 x4096")->stats.median / NVAL;
    r10 = cpf_suite_find(&s, "cpf_hist_record bits 10 x4096")->stats.median / NVAL;
    p99 = cpf_suite_find(&s, "cpf_hist_percentile p99 bits 7")->stats.median;
    enc = cpf_suite_find(&s, "cpf_hist_encode bits 7")->stats.median;
    cpf_hist_encode(&h7, &t);
    for (k = 0; k < h7.nbuckets; k++) nonempty += h7.counts[k] != 0;

    printf("\n== histogram record cost per value (median ns per value, 4096 lognormal latencies per op)\n");
    printf("   plain array increment counts[v & mask]++  %6.3f ns   (floor)\n", plain);
    printf("   cpf_hist_record, bits 7 (default, 0.4%%)   %6.3f ns   %.2fx plain   goal < 5 ns: %s\n",
           r7, r7 / plain, r7 < 5.0 ? "PASS" : "MISS");
    printf("   cpf_hist_record, bits 3 (6.25%%)           %6.3f ns   %.2fx plain\n", r3, r3 / plain);
    printf("   cpf_hist_record, bits 10 (0.05%%)          %6.3f ns   %.2fx plain\n", r10, r10 / plain);
    printf("   cpf_hist_percentile(p99), bits 7         %8.1f ns per query (walks %u buckets)\n", p99, (unsigned)h7.nbuckets);
    printf("   cpf_hist_encode, bits 7                  %8.1f ns -> %u bytes of text for %u non-empty buckets\n", enc,
           (unsigned)t.len, nonempty);
    cpf_bytes_free(&t);
    rc = cpf_suite_finish(&s);
    cpf_hist_free(&h3);
    cpf_hist_free(&h7);
    cpf_hist_free(&h10);
    return rc;
}
