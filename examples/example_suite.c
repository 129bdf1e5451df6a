/* example_suite.c - the suite `make demo` runs: is my parser fast, how does
   copying scale with size, what does sorting cost per element?

   build: cc -O2 -I. -I/usr/include/stb examples/example_suite.c -lm -o example_suite
   run:   ./example_suite [--filter=copy*] [--quick] [--json=out.json] [--help] */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <stdlib.h>
#include <string.h>

/* --- parse: sum the integers of a comma-separated text ------------------ */
static char parse_text[8192];

static long parse_csv_ints(const char *s)
{
    long sum = 0;
    while (*s) {
        char *end;
        sum += strtol(s, &end, 10);
        s = *end ? end + 1 : end;
    }
    return sum;
}

static void bench_parse(cpf_bench *b)
{
    cpf_bench_set_bytes_per_op(b, (double)strlen(parse_text));
    while (cpf_bench_loop(b)) {
        long v = parse_csv_ints(parse_text);
        cpf_do_not_optimize(v);
    }
}

/* --- copy: memcpy of 64 B .. 1 MiB, parameterised ------------------------ */
static void bench_copy(cpf_bench *b)
{
    size_t n = (size_t)cpf_bench_arg(b);
    char *src = (char *)malloc(n), *dst = (char *)malloc(n);
    if (!src || !dst) { free(src); free(dst); cpf_bench_fail(b, "out of memory"); return; }
    memset(src, 'x', n);
    cpf_bench_set_bytes_per_op(b, (double)n);
    while (cpf_bench_loop(b)) {
        memcpy(dst, src, n);
        cpf_do_not_optimize(dst);
        cpf_clobber_memory();
    }
    free(src);
    free(dst);
}

/* --- sort: qsort of 1000 ints; the shuffle is untimed per-sample setup --- */
#define SORT_N 1000
static int sort_data[SORT_N];

static void shuffle(void *ctx)
{
    unsigned x = 12345u, i;
    (void)ctx;
    for (i = 0; i < SORT_N; i++) { x = x * 1103515245u + 12345u; sort_data[i] = (int)(x >> 8); }
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void bench_sort(cpf_bench *b)
{
    cpf_bench_set_items_per_op(b, SORT_N);
    while (cpf_bench_loop(b)) {
        qsort(sort_data, SORT_N, sizeof sort_data[0], cmp_int);
        cpf_do_not_optimize(sort_data[0]);
    }
}

int main(int argc, char **argv)
{
    cpf_suite s;
    cpf_bench_opts sort_opts;
    size_t i, len = 0;

    for (i = 0; len + 8 < sizeof parse_text; i++)
        len += (size_t)snprintf(parse_text + len, sizeof parse_text - len, "%lu,", (unsigned long)(i * 7919u % 100000u));
    parse_text[len ? len - 1 : 0] = 0;

    /* qsort of sorted input is a different benchmark: re-shuffle before every
       sample, untimed, and sort exactly once per sample. */
    memset(&sort_opts, 0, sizeof sort_opts);
    sort_opts.setup = shuffle;
    sort_opts.iterations = 1;
    sort_opts.min_samples = 31;

    cpf_suite_init(&s, "example");
    cpf_suite_add(&s, "parse/csv_ints_8k", bench_parse, NULL);
    cpf_suite_add_range(&s, "copy", bench_copy, NULL, NULL, 64, 1 << 20, 32);
    cpf_suite_add_opts(&s, "sort/qsort_1000", bench_sort, NULL, &sort_opts);
    cpf_suite_run(&s, argc, argv);
    if (cpf_suite_message(&s)[0]) fprintf(stderr, "example_suite: %s\n", cpf_suite_message(&s));
    return cpf_suite_finish(&s);
}
