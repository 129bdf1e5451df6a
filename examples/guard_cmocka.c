/* guard_cmocka.c - performance guards as cmocka tests: is the tokenizer fast
   enough, does it allocate only the array it returns, does it leak? A broken
   budget is an ordinary cmocka failure that prints the verdict.

   build: cc -O2 -I. -I/usr/include/stb examples/guard_cmocka.c -lcmocka -lm -pthread -o guard_cmocka
          (Debian/Ubuntu: apt-get install libcmocka-dev)
   run:   ./guard_cmocka                 the guards (exit 0 when they hold)
          ./guard_cmocka --demo-failure  one impossible budget, to see how a
                                         miss is reported (exit 1) */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <stdarg.h>                   /* cmocka.h needs these four first */
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

/* --- the code under test: word offsets of a text, in one new array ------- */
static char text[16384];

static size_t count_words(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += s[0] != ' ' && (s[1] == ' ' || s[1] == 0);
    return n;
}

static size_t *tokenize(const char *s, size_t *n_out)
{
    size_t n = count_words(s), k = 0, i;
    size_t *off = (size_t *)cpf_malloc(n ? n * sizeof *off : 1); /* counted by the kit */
    if (!off) return NULL;
    for (i = 0; s[i]; i++)
        if (s[i] != ' ' && (i == 0 || s[i - 1] == ' ')) off[k++] = i;
    *n_out = n;
    return off;
}

static void bench_tokenize(cpf_bench *b)
{
    while (cpf_bench_loop(b)) {
        size_t n = 0, *off = tokenize(text, &n);
        cpf_do_not_optimize(off);
        cpf_free(off);
    }
}

static void tokenize_once(void *ctx)
{
    size_t n = 0;
    cpf_free(tokenize((const char *)ctx, &n));
}

static int make_text(void **state)
{
    size_t i, len = 0;
    (void)state;
    for (i = 0; len + 8 < sizeof text; i++)   /* words of 1..7 letters */
        len += (size_t)snprintf(text + len, sizeof text - len, "%.*s ", (int)(1 + i % 7), "abcdefg");
    text[len - 1] = 0;
    return 0;
}

/* --- the guards --------------------------------------------------------- */
static void tokenize_median_under_2ms(void **state)
{
    cpf_budget b = cpf_budget_make(CPF_BUDGET_MEDIAN, 2e6, 0);   /* ns */
    (void)state;
    CPF_CMOCKA_CHECK(cpf_bench_budget("tokenize/16k", bench_tokenize, NULL, NULL, &b)); /* NULL: quick, ~20 ms */
}

static void tokenize_allocates_one_offset_per_word(void **state)
{
    cpf_budget b = cpf_budget_make(CPF_BUDGET_ALLOC, (double)(count_words(text) * sizeof(size_t)), 0);
    (void)state;
    CPF_CMOCKA_CHECK(cpf_bench_budget("tokenize/16k", bench_tokenize, NULL, NULL, &b));
}

static void tokenize_does_not_leak(void **state)
{
    cpf_leak_result leak;
    (void)state;
    assert_int_equal(cpf_leak_check(tokenize_once, text, 200, NULL, &leak), CPF_OK);
    CPF_CMOCKA_CHECK(leak.verdict);
}

/* A budget no tokenizer can meet (100 ns for 16 KiB): shows the report. */
static void tokenize_median_under_100ns(void **state)
{
    cpf_budget b = cpf_budget_make(CPF_BUDGET_MEDIAN, 100, 0);
    (void)state;
    CPF_CMOCKA_CHECK(cpf_bench_budget("tokenize/16k", bench_tokenize, NULL, NULL, &b));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest guards[] = {
        cmocka_unit_test(tokenize_median_under_2ms),
        cmocka_unit_test(tokenize_allocates_one_offset_per_word),
        cmocka_unit_test(tokenize_does_not_leak),
    };
    const struct CMUnitTest demo[] = {
        cmocka_unit_test(tokenize_median_under_100ns),
    };
    if (argc > 1 && strcmp(argv[1], "--demo-failure") == 0)
        return cmocka_run_group_tests_name("demo_failure", demo, make_text, NULL) ? 1 : 0;
    return cmocka_run_group_tests_name("guards", guards, make_text, NULL) ? 1 : 0;
}
