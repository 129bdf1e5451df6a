/* guard_assert.c - performance guards in a unit test that uses nothing but
   assert(): is the tokenizer fast enough, does it allocate only the array it
   returns, and does it leak when called over and over?

   build: cc -O2 -I. -I/usr/include/stb examples/guard_assert.c -lm -pthread -o guard_assert
   run:   ./guard_assert      (exit 0; a broken budget prints its verdict and
                               assert() aborts) */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#undef NDEBUG                 /* the guards are the point of this program */
#include <assert.h>
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

/* Two passes: count, then one cpf_malloc of exactly n offsets (counted by the
   kit's allocator, which is what a CPF_BUDGET_ALLOC budget reads). */
static size_t *tokenize(const char *s, size_t *n_out)
{
    size_t n = count_words(s), k = 0, i;
    size_t *off = (size_t *)cpf_malloc(n ? n * sizeof *off : 1);
    if (!off) return NULL;
    for (i = 0; s[i]; i++)
        if (s[i] != ' ' && (i == 0 || s[i - 1] == ' ')) off[k++] = i;
    *n_out = n;
    return off;
}

/* --- the guards --------------------------------------------------------- */
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

int main(void)
{
    size_t i, len = 0, words;
    cpf_budget fast, lean;
    cpf_verdict v;
    cpf_leak_result leak;

    for (i = 0; len + 8 < sizeof text; i++)   /* words of 1..7 letters */
        len += (size_t)snprintf(text + len, sizeof text - len, "%.*s ", (int)(1 + i % 7), "abcdefg");
    text[len - 1] = 0;
    words = count_words(text);

    /* 1. time: the median call must stay under 2 ms (it takes tens of us on a
          desktop); decided on the median's 95% confidence interval. */
    fast = cpf_budget_make(CPF_BUDGET_MEDIAN, 2e6, 0);   /* ns */
    v = cpf_bench_budget("tokenize/16k", bench_tokenize, NULL, NULL, &fast); /* NULL: quick, ~20 ms */
    assert(CPF_VERDICT_OK(v));
    printf("ok  time:   %s\n", v.message);

    /* 2. memory: one array of `words` offsets per call, nothing else. */
    lean = cpf_budget_make(CPF_BUDGET_ALLOC, (double)(words * sizeof(size_t)), 0); /* bytes per call */
    v = cpf_bench_budget("tokenize/16k", bench_tokenize, NULL, NULL, &lean);
    assert(CPF_VERDICT_OK(v));
    printf("ok  memory: %s\n", v.message);

    /* 3. no leak: 200 calls after the warm-up, slope of live bytes ~ 0. */
    assert(cpf_leak_check(tokenize_once, text, 200, NULL, &leak) == CPF_OK);
    assert(CPF_VERDICT_OK(leak.verdict));
    printf("ok  leak:   %s\n", leak.verdict.message);

    printf("guard_assert: 3 guards passed\n");
    return 0;
}
