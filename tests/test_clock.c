/* Clock: monotonic, measured resolution and overhead, tick calibration. */
#include "coralperf.h"
#include "tinytest.h"

static void test_now_ns_never_goes_backwards(void)
{
    uint64_t prev = cpf_now_ns(), t;
    int i, backwards = 0;
    for (i = 0; i < 200000; i++) {
        t = cpf_now_ns();
        if (t < prev) backwards++;
        prev = t;
    }
    CHECK(backwards == 0);
}

static void test_clock_measure_reports_plausible_resolution_and_overhead(void)
{
    cpf_clock_info ci;
    CHECK(cpf_clock_measure(&ci) == CPF_OK);
    CHECK(ci.source != NULL && ci.source[0] != 0);
    CHECK(ci.ticks_source != NULL);
    /* a real clock steps somewhere between 1 ns and 10 ms */
    CHECK_MSG(ci.resolution_ns >= 1.0 && ci.resolution_ns <= 1e7, "resolution %g ns", ci.resolution_ns);
    /* a read costs something, and far less than a millisecond */
    CHECK_MSG(ci.overhead_ns > 0.0 && ci.overhead_ns < 1e6, "overhead %g ns", ci.overhead_ns);
    CHECK(cpf_clock_measure(NULL) == CPF_ERR_ARG);
}

/* A tick read between two clock reads, taken again while a preemption
   widened the bracket (as the kit's calibration does): n is its middle. */
static void tick_pair(uint64_t *k, uint64_t *n)
{
    uint64_t a = 0, b = 0;
    int i;
    for (i = 0; i < 100; i++) {
        a = cpf_now_ns();
        *k = cpf_ticks();
        b = cpf_now_ns();
        if (b - a < 50000u) break;
    }
    *n = a + (b - a) / 2;
}

static void test_ticks_calibration_agrees_with_ns_clock(void)
{
    /* Each tick read is bracketed by clock reads, so preemption hits both
       spans alike: the converted tick span must match the ns span (10%
       slack for the calibration window of a few ms on a loaded machine). */
    cpf_clock_info ci;
    uint64_t n0, k0, n1, k1, t;
    double ns, tk;
    cpf_clock_measure(&ci);
    if (!ci.has_ticks) { CHECK(ci.ticks_hz == 0.0 || ci.ticks_hz == 1e9); return; }
    CHECK(ci.ticks_hz > 1e6);
    tick_pair(&k0, &n0);
    do t = cpf_now_ns(); while (t - n0 < 20000000u);
    tick_pair(&k1, &n1);
    ns = (double)(n1 - n0);
    tk = cpf_ticks_to_ns(&ci, k1 - k0);
    CHECK_MSG(tk > 0.9 * ns && tk < 1.1 * ns, "ticks say %g ns, clock says %g ns", tk, ns);
}

static void test_cpu_time_advances_while_spinning(void)
{
    uint64_t c0 = cpf_cpu_ns(), w0 = cpf_now_ns(), c1, w1;
    volatile double x = 1.0;
    while (cpf_now_ns() - w0 < 30000000u) x = x * 1.0000001 + 1e-9;
    c1 = cpf_cpu_ns(); w1 = cpf_now_ns();
    CHECK(c1 > c0);
    /* CPU time cannot exceed wall time by more than the clocks' granularity */
    CHECK_MSG((double)(c1 - c0) <= (double)(w1 - w0) * 1.05 + 2e7, "cpu %llu wall %llu",
              (unsigned long long)(c1 - c0), (unsigned long long)(w1 - w0));
}

static void test_status_text_is_never_null(void)
{
    int s;
    for (s = CPF_OK; s <= CPF_ERR_VERSION; s++) CHECK(cpf_status_text((cpf_status)s)[0] != 0);
    CHECK(cpf_status_text((cpf_status)999) != NULL);
}

void tests_clock(void)
{
    RUN(test_now_ns_never_goes_backwards);
    RUN(test_clock_measure_reports_plausible_resolution_and_overhead);
    RUN(test_ticks_calibration_agrees_with_ns_clock);
    RUN(test_cpu_time_advances_while_spinning);
    RUN(test_status_text_is_never_null);
}
