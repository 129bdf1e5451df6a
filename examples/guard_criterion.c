/* guard_criterion.c - performance guards as Criterion tests: is the tokenizer
   fast enough, does it allocate only the array it returns, does it leak? A
   broken budget is an ordinary Criterion failure that prints the verdict.

   build: cc -O2 -I. -I/usr/include/stb examples/guard_criterion.c -lcriterion -lm -pthread -o guard_criterion
          (Debian/Ubuntu: apt-get install libcriterion-dev)
   run:   ./guard_criterion                 the guards (exit 0 when they hold)
          ./guard_criterion --demo-failure  also one impossible budget, to see
                                            how a miss is reported (exit 1)
          Criterion's own options work too (--verbose, --list).  */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdio.h>
#include <stdlib.h>
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

static void make_text(void)
{
    size_t i, len = 0;
    for (i = 0; len + 8 < sizeof text; i++)   /* words of 1..7 letters */
        len += (size_t)snprintf(text + len, sizeof text - len, "%.*s ", (int)(1 + i % 7), "abcdefg");
    text[len - 1] = 0;
}

/* --- the guards --------------------------------------------------------- */
Test(tokenize, median_under_2ms, .init = make_text)
{
    cpf_budget b = cpf_budget_make(CPF_BUDGET_MEDIAN, 2e6, 0);   /* ns */
    CPF_CR_CHECK(cpf_bench_budget("tokenize/16k", bench_tokenize, NULL, NULL, &b)); /* NULL: quick, ~20 ms */
}

Test(tokenize, allocates_one_offset_per_word, .init = make_text)
{
    cpf_budget b = cpf_budget_make(CPF_BUDGET_ALLOC, (double)(count_words(text) * sizeof(size_t)), 0);
    CPF_CR_CHECK(cpf_bench_budget("tokenize/16k", bench_tokenize, NULL, NULL, &b));
}

Test(tokenize, does_not_leak, .init = make_text)
{
    cpf_leak_result leak;
    cr_assert(cpf_leak_check(tokenize_once, text, 200, NULL, &leak) == CPF_OK);
    CPF_CR_CHECK(leak.verdict);
}

/* A budget no tokenizer can meet (100 ns for 16 KiB): shows the report.
   Skipped unless the program runs with --demo-failure. Tests run in worker
   processes of their own, which see the environment but not main's
   variables: hence GUARD_DEMO_FAILURE. */
Test(demo_failure, median_under_100ns, .init = make_text)
{
    cpf_budget b = cpf_budget_make(CPF_BUDGET_MEDIAN, 100, 0);
    if (!getenv("GUARD_DEMO_FAILURE")) cr_skip_test("run with --demo-failure to see a failing budget");
    CPF_CR_CHECK(cpf_bench_budget("tokenize/16k", bench_tokenize, NULL, NULL, &b));
}

/* Our own main: turns --demo-failure into GUARD_DEMO_FAILURE=1 for the
   workers, and runs the tests one at a time, since timing guards running in
   parallel workers would measure each other. */
int main(int argc, char **argv)
{
    struct criterion_test_set *tests;
    int i, j, ok = 0;
    for (i = j = 1; i < argc; i++) {
        if (strcmp(argv[i], "--demo-failure") == 0) setenv("GUARD_DEMO_FAILURE", "1", 1);
        else argv[j++] = argv[i];
    }
    argc = j;
    tests = criterion_initialize();
    criterion_options.jobs = 1;
    if (criterion_handle_args(argc, argv, true)) ok = criterion_run_all_tests(tests);
    criterion_finalize(tests);
    return ok ? 0 : 1;
}
