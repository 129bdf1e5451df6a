/* A small suite for the A/B mode tests (tests/run.sh, tests/matrix.sh and
   tests/stat/run.sh): built twice, as the base and as the candidate, it
   drives the worker protocol for real.
     -DAB_SLOW=NAME -DAB_PCT=P  the benchmark NAME does P% more work
     -DAB_ONLY_BASE             one more benchmark that only the base has
     AB_START_LOG=file          every process appends a line to file at start
     -DAB_CRASH=NAME            the benchmark NAME aborts the process
     -DAB_HANG=NAME             the benchmark NAME never returns (it spins)
     AB_FAIL_EARLY=NAME         the benchmark NAME fails and returns inside its loop
     AB_TIME_BUDGET=1           spin/100 gets a median budget of 1 ns (fails
                                in a timed run; count mode does not judge it)
   The names include bytes that the pipe protocol must escape. */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include <stdlib.h>
#include <string.h>

#ifndef AB_PCT
#define AB_PCT 0
#endif
#define AB_STR2(x) #x
#define AB_STR(x) AB_STR2(x)

static uint64_t spin(uint64_t n, uint64_t seed)
{
    uint64_t x = seed | 1u, i;
    for (i = 0; i < n; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; }
    return x;
}

typedef struct ab_work { const char *name; uint64_t n; } ab_work;

static uint64_t work_of(const ab_work *w)
{
#ifdef AB_SLOW
    if (strcmp(w->name, AB_STR(AB_SLOW)) == 0) return w->n + w->n * (uint64_t)AB_PCT / 100u;
#endif
    return w->n;
}

static void bench_spin(cpf_bench *b)
{
    const ab_work *w = (const ab_work *)cpf_bench_ctx(b);
    uint64_t n = work_of(w);
    unsigned long k = 0;
    const char *fail_early = getenv("AB_FAIL_EARLY");
    int fail_here = fail_early && strcmp(fail_early, w->name) == 0; /* decided outside the loop: the
                                                                      other benchmarks' counts stay the same */
#ifdef AB_CRASH
    if (strcmp(w->name, AB_STR(AB_CRASH)) == 0) abort(); /* a candidate that crashes in one benchmark */
#endif
#ifdef AB_HANG
    if (strcmp(w->name, AB_STR(AB_HANG)) == 0) /* a candidate that hangs in one benchmark */
        for (;;) cpf_do_not_optimize(spin(1000, 3));
#endif
    while (cpf_bench_loop(b)) {
        cpf_do_not_optimize(spin(n, 7));
        if (fail_here && ++k > 25) { /* count mode (20 per batch): inside the counted batch */
            cpf_bench_fail(b, "failed in the middle of a batch");
            return; /* leaves the batch open: the kit must close it */
        }
    }
}

static ab_work works[] = {
    { "spin/100", 100 }, { "spin/300", 300 }, { "spin/1000", 1000 },
    { "odd name %41\t\xc3\xa9/x", 200 },
};

int main(int argc, char **argv)
{
    cpf_suite s;
    size_t i;
    cpf_suite_init(&s, "ab_fixture");
    for (i = 0; i < sizeof works / sizeof works[0]; i++) cpf_suite_add(&s, works[i].name, bench_spin, &works[i]);
#ifdef AB_ONLY_BASE
    {
        static ab_work extra = { "only/base", 50 };
        cpf_suite_add(&s, extra.name, bench_spin, &extra);
    }
#endif
    {   /* AB_START_LOG=file: every process appends a line when it starts
           (the tests count the workers an A/B run started) */
        const char *log = getenv("AB_START_LOG");
        FILE *f = log && *log ? fopen(log, "a") : NULL;
        if (f) { fprintf(f, "%llu\n", (unsigned long long)cpf_now_ns()); fclose(f); }
    }
    {
        const char *tb = getenv("AB_TIME_BUDGET");
        if (tb && strcmp(tb, "1") == 0) {
            cpf_budget b = cpf_budget_make(CPF_BUDGET_MEDIAN, 1.0, 0);
            cpf_suite_budget(&s, "spin/100", &b);
        }
    }
    printf("this line goes to stdout (a POSIX worker sends it nowhere)\n");
    cpf_suite_run(&s, argc, argv);
    return cpf_suite_finish(&s);
}
