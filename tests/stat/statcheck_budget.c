/* statcheck_budget.c - the absolute-budget rows of `make stat-check`.
     statcheck_budget --calibrate [MS] prints the kernel's median ns per op
                                       (a careful measurement, MS ms: default
                                       3000)
     statcheck_budget LIMIT_NS         one guard in quick mode (the way a unit
                                       test would use it): exit 0 pass, 1 fail,
                                       2 warn, and the verdict's message */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <stdlib.h>

static unsigned char data[65536];

static void kernel(cpf_bench *b)
{
    uint64_t h = 0;
    while (cpf_bench_loop(b)) h ^= cpf_hash64(data, sizeof data, h);
    cpf_do_not_optimize(h);
}

int main(int argc, char **argv)
{
    size_t i;
    for (i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 131);
    if (argc > 1 && strcmp(argv[1], "--calibrate") == 0) {
        cpf_result r;
        cpf_bench_opts o;
        memset(&o, 0, sizeof o);
        o.budget_ms = argc > 2 ? atof(argv[2]) : 3000;
        o.min_samples = 101;
        o.max_samples = 301;
        o.target_ci = -1;
        cpf_bench_run("calibrate", kernel, NULL, &o, &r);
        if (r.status != CPF_OK) { fprintf(stderr, "%s\n", r.message); return 1; }
        printf("%.3f\n", r.stats.median);
        cpf_result_free(&r);
        return 0;
    }
    if (argc > 1) {
        cpf_budget bud = cpf_budget_make(CPF_BUDGET_MEDIAN, atof(argv[1]), 0);
        cpf_verdict v = cpf_bench_budget("hash/64k", kernel, NULL, NULL, &bud);
        printf("%s %s\n", cpf_level_text(v.level), v.message);
        return v.level == CPF_PASS ? 0 : v.level == CPF_FAIL ? 1 : 2;
    }
    fprintf(stderr, "usage: %s --calibrate | LIMIT_NS\n", argv[0]);
    return 1;
}
