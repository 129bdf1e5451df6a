/* statcheck_budget.c - the absolute-budget rows of `make stat-check`.
     statcheck_budget --calibrate [MS] prints the kernel's median ns per op
                                       (a careful measurement, MS ms: default
                                       3000)
     statcheck_budget LIMIT_NS         one guard in quick mode (the way a unit
                                       test would use it): exit 0 pass, 1 fail,
                                       2 warn, and the verdict's message
     statcheck_budget --trial R [MS [CHECK_MS]]
                                       row 4: calibrates the kernel (MS ms,
                                       default 40), checks it against a
                                       median budget of calibration / R
                                       (CHECK_MS: the check's budget_ms; 0,
                                       the default: quick mode, ~20 ms),
                                       calibrates again;
                                       prints "LEVEL BEFORE_NS AFTER_NS
                                       message" and exits as above. The two
                                       calibrations tell whether the kernel
                                       really was at R x its limit while it
                                       was checked (this host's speed moves
                                       by 10-40% within seconds).
     statcheck_budget --fixed NS R [CHECK_MS]
                                       row 4b: a call whose time is fixed in
                                       wall time (it waits on the clock for
                                       NS ns, as a call waiting on a device
                                       or a lock does), checked (as above)
                                       against a median budget of NS / R;
                                       output and exit as above */
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

static uint64_t g_wait_ns;
static void fixed(cpf_bench *b)
{
    while (cpf_bench_loop(b)) {
        uint64_t end = cpf_now_ns() + g_wait_ns;
        while (cpf_now_ns() < end) {}
    }
}

static int calibrate(double ms, double *ns)
{
    cpf_result r;
    cpf_bench_opts o;
    memset(&o, 0, sizeof o);
    o.budget_ms = ms;
    o.min_samples = 31;
    o.max_samples = 301;
    o.target_ci = -1;
    cpf_bench_run("calibrate", kernel, NULL, &o, &r);
    if (r.status != CPF_OK) { fprintf(stderr, "%s\n", r.message); cpf_result_free(&r); return 0; }
    *ns = r.stats.median;
    cpf_result_free(&r);
    return 1;
}

/* check_ms 0: quick mode (NULL options), else a run of that budget */
static int check(const char *name, cpf_bench_fn fn, double limit, double check_ms, double before, double after_or_neg)
{
    cpf_budget bud = cpf_budget_make(CPF_BUDGET_MEDIAN, limit, 0);
    cpf_bench_opts o;
    cpf_verdict v;
    memset(&o, 0, sizeof o);
    o.budget_ms = check_ms;
    v = cpf_bench_budget(name, fn, NULL, check_ms > 0 ? &o : NULL, &bud);
    double after = after_or_neg;
    if (after_or_neg < 0 && !calibrate(-after_or_neg, &after)) return 3;
    printf("%s %.3f %.3f %s\n", cpf_level_text(v.level), before, after, v.message);
    return v.level == CPF_PASS ? 0 : v.level == CPF_FAIL ? 1 : 2;
}

int main(int argc, char **argv)
{
    size_t i;
    for (i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 131);
    if (argc > 1 && strcmp(argv[1], "--calibrate") == 0) {
        double ns;
        if (!calibrate(argc > 2 ? atof(argv[2]) : 3000, &ns)) return 1;
        printf("%.3f\n", ns);
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "--trial") == 0) {
        double ratio = atof(argv[2]), ms = argc > 3 ? atof(argv[3]) : 40, check_ms = argc > 4 ? atof(argv[4]) : 0, before;
        if (ratio <= 0 || ms <= 0 || check_ms < 0) { fprintf(stderr, "--trial: needs a ratio > 0, MS > 0, CHECK_MS >= 0\n"); return 3; }
        if (!calibrate(ms, &before)) return 3;
        return check("hash/64k", kernel, before / ratio, check_ms, before, -ms);
    }
    if (argc > 3 && strcmp(argv[1], "--fixed") == 0) {
        double ns = atof(argv[2]), ratio = atof(argv[3]), check_ms = argc > 4 ? atof(argv[4]) : 0;
        if (ns < 1 || ratio <= 0 || check_ms < 0) { fprintf(stderr, "--fixed: needs NS >= 1, a ratio > 0, CHECK_MS >= 0\n"); return 3; }
        g_wait_ns = (uint64_t)ns;
        return check("wait/fixed", fixed, ns / ratio, check_ms, ns, ns);
    }
    if (argc > 1 && argv[1][0] != '-') {
        cpf_budget bud = cpf_budget_make(CPF_BUDGET_MEDIAN, atof(argv[1]), 0);
        cpf_verdict v = cpf_bench_budget("hash/64k", kernel, NULL, NULL, &bud);
        printf("%s %s\n", cpf_level_text(v.level), v.message);
        return v.level == CPF_PASS ? 0 : v.level == CPF_FAIL ? 1 : 2;
    }
    fprintf(stderr, "usage: %s --calibrate [MS] | LIMIT_NS | --trial RATIO [MS [CHECK_MS]] | --fixed NS RATIO [CHECK_MS]\n", argv[0]);
    return 3;
}
