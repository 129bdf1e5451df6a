/* statcheck_budget.c - the absolute-budget rows of `make stat-check`.
     statcheck_budget --trial R [MS [CHECK_MS]]
                                       row 4: calibrates the kernel (MS ms,
                                       default 40), checks it against a
                                       median budget of calibration / R
                                       (CHECK_MS: the check's budget_ms; 0,
                                       the default: quick mode, ~20 ms, the
                                       way a unit test would use it),
                                       calibrates again. The two
                                       calibrations tell whether the kernel
                                       really was at R x its limit while it
                                       was checked (this host's speed moves
                                       by 10-40% within seconds).
     statcheck_budget --fixed NS R [CHECK_MS]
                                       row 4b: a call whose time is fixed in
                                       wall time (it waits on the clock for
                                       NS ns, as a call waiting on a device
                                       or a lock does), checked (as above)
                                       against a median budget of NS / R.
   Both print "LEVEL BEFORE_NS AFTER_NS message" (for --fixed, NS twice)
   and exit 0 pass, 1 fail, 2 warn; 3 when the harness itself failed. */
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

/* the kernel's median ns per op over a careful run of ms */
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

/* a median budget of limit ns; check_ms 0: quick mode (NULL options), else
   a run of that budget */
static cpf_verdict check(const char *name, cpf_bench_fn fn, double limit, double check_ms)
{
    cpf_budget bud = cpf_budget_make(CPF_BUDGET_MEDIAN, limit, 0);
    cpf_bench_opts o;
    memset(&o, 0, sizeof o);
    o.budget_ms = check_ms;
    return cpf_bench_budget(name, fn, NULL, check_ms > 0 ? &o : NULL, &bud);
}

static int report(const cpf_verdict *v, double before, double after)
{
    printf("%s %.3f %.3f %s\n", cpf_level_text(v->level), before, after, v->message);
    return v->level == CPF_PASS ? 0 : v->level == CPF_FAIL ? 1 : 2;
}

int main(int argc, char **argv)
{
    size_t i;
    for (i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 131);
    if (argc > 2 && strcmp(argv[1], "--trial") == 0) {
        double ratio = atof(argv[2]), ms = argc > 3 ? atof(argv[3]) : 40, check_ms = argc > 4 ? atof(argv[4]) : 0;
        double before, after;
        cpf_verdict v;
        if (ratio <= 0 || ms <= 0 || check_ms < 0) { fprintf(stderr, "--trial: needs a ratio > 0, MS > 0, CHECK_MS >= 0\n"); return 3; }
        if (!calibrate(ms, &before)) return 3;
        v = check("hash/64k", kernel, before / ratio, check_ms);
        if (!calibrate(ms, &after)) return 3;
        return report(&v, before, after);
    }
    if (argc > 3 && strcmp(argv[1], "--fixed") == 0) {
        double ns = atof(argv[2]), ratio = atof(argv[3]), check_ms = argc > 4 ? atof(argv[4]) : 0;
        cpf_verdict v;
        if (ns < 1 || ratio <= 0 || check_ms < 0) { fprintf(stderr, "--fixed: needs NS >= 1, a ratio > 0, CHECK_MS >= 0\n"); return 3; }
        g_wait_ns = (uint64_t)ns;
        v = check("wait/fixed", fixed, ns / ratio, check_ms);
        return report(&v, ns, ns);
    }
    fprintf(stderr, "usage: %s --trial RATIO [MS [CHECK_MS]] | --fixed NS RATIO [CHECK_MS]\n", argv[0]);
    return 3;
}
