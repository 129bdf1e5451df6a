/* test_stats.c - the statistics module: cpf_stats_compute(_sorted),
   cpf_quantile_sorted, cpf_sort_doubles and cpf_median_ci_ranks.

   Every expected number below was produced by an independent reference run
   with /usr/bin/python3 (numpy 1.24.2, scipy 1.10.1), not by coralperf:
     quantiles  numpy.quantile(x, p, method="linear")        (type 7)
     stddev     numpy.std(x, ddof=1)
     MAD        numpy.median(abs(x - numpy.median(x)))       (raw)
     median CI  scipy.stats.binom.cdf: largest r with P(B <= r-1) <= 0.025,
                B ~ Bin(n, 1/2); coverage 1 - 2 P(B <= r-1); ranks r, n+1-r
     outliers   Tukey fences on the numpy type-7 quartiles: mild beyond
                1.5 IQR but within 3 IQR, severe beyond 3 IQR. */
#include "coralperf.h"
#include "tinytest.h"

#include <stdlib.h>

/* Relative tolerance for values the reference computes the same way. */
#define CHECK_REL(a, b) CHECK_NEAR((a), (b), 1e-12 * fabs((double)(b)))

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Small irregular data set: 13 values, unsorted, one high outlier (41.5). */
static const double small_set[13] = {
    12.7, 10.3, 11.9, 14.2, 10.8, 12.1, 11.4, 13.6, 10.1, 41.5, 12.9, 11.6, 13.3
};

/* 12 values, unsorted, one mildly low (16.0) and one severely low (3.1). */
static const double low_set[12] = {
    20.3, 21.7, 19.8, 22.4, 20.9, 21.2, 16.0, 20.6, 21.9, 3.1, 22.0, 20.1
};

static void test_stats_small_set_min_max_mean_stddev_match_numpy(void)
{
    cpf_stats st;
    CHECK(cpf_stats_compute(small_set, COUNT(small_set), &st) == CPF_OK);
    CHECK(st.n == 13);
    /* numpy 1.24 x.min(), x.max() */
    CHECK(st.min == 10.1);
    CHECK(st.max == 41.5);
    /* numpy 1.24 mean(x) */
    CHECK_REL(st.mean, 14.338461538461539);
    /* numpy 1.24 std(x, ddof=1) */
    CHECK_REL(st.stddev, 8.256465997582184);
}

static void test_stats_quantiles_type7_match_numpy_linear(void)
{
    cpf_stats st;
    CHECK(cpf_stats_compute(small_set, COUNT(small_set), &st) == CPF_OK);
    /* numpy 1.24 quantile(x, p, method="linear") for p = .5 .25 .75 .1 .9 .95 .99 .999 */
    CHECK_REL(st.median, 12.1);
    CHECK_REL(st.q1, 11.4);
    CHECK_REL(st.q3, 13.3);
    CHECK_REL(st.iqr, 1.9000000000000004);
    CHECK_REL(st.p10, 10.4);
    CHECK_REL(st.p90, 14.08);
    CHECK_REL(st.p95, 25.119999999999962);
    CHECK_REL(st.p99, 38.223999999999975);
    CHECK_REL(st.p999, 41.17239999999999);
}

static void test_stats_mad_is_raw_median_absolute_deviation(void)
{
    cpf_stats st;
    CHECK(cpf_stats_compute(small_set, COUNT(small_set), &st) == CPF_OK);
    /* numpy 1.24 median(abs(x - median(x))) (odd n) */
    CHECK_REL(st.mad, 1.200000000000001);
    CHECK(cpf_stats_compute(low_set, COUNT(low_set), &st) == CPF_OK);
    /* numpy 1.24 median(abs(x - median(x))) (even n: mean of the two middle deviations) */
    CHECK_REL(st.mad, 0.9499999999999993);
    {
        /* Even n whose two middle deviations differ (1.3 and 1.8). */
        const double even[8] = { 3.0, 1.0, 4.0, 1.5, 9.0, 2.6, 7.25, 0.4 };
        CHECK(cpf_stats_compute(even, COUNT(even), &st) == CPF_OK);
        /* numpy 1.24 median(x), median(abs(x - median(x))) */
        CHECK_REL(st.median, 2.8);
        CHECK_REL(st.mad, 1.5499999999999998);
    }
}

static void test_stats_median_ci_brackets_with_binomial_order_statistics(void)
{
    cpf_stats st;
    CHECK(cpf_stats_compute(small_set, COUNT(small_set), &st) == CPF_OK);
    /* scipy 1.10 binom.cdf: n = 13 -> ranks 3 and 11 of sorted x, coverage 1 - 2 P(B <= 2) */
    CHECK(st.ci_lo == 10.8);
    CHECK(st.ci_hi == 13.6);
    CHECK_REL(st.ci_level, 0.9775390625);
    CHECK(st.ci_lo <= st.median && st.median <= st.ci_hi);
}

static void test_stats_tukey_high_outlier_counted_severe(void)
{
    cpf_stats st;
    CHECK(cpf_stats_compute(small_set, COUNT(small_set), &st) == CPF_OK);
    /* Tukey fences on numpy 1.24 quantile(method="linear") quartiles:
       mild (8.55, 16.15), severe (5.7, 19.0); 41.5 is the only value outside */
    CHECK(st.low_mild == 0);
    CHECK(st.low_severe == 0);
    CHECK(st.high_mild == 0);
    CHECK(st.high_severe == 1);
}

static void test_stats_tukey_low_outliers_counted_mild_and_severe(void)
{
    cpf_stats st;
    CHECK(cpf_stats_compute(low_set, COUNT(low_set), &st) == CPF_OK);
    /* numpy 1.24 quantile(method="linear"): q1 20.025, q3 21.75, iqr 1.725 */
    CHECK_REL(st.q1, 20.025000000000002);
    CHECK_REL(st.q3, 21.75);
    CHECK_REL(st.iqr, 1.7249999999999979);
    /* Tukey fences: low mild 17.4375, low severe 14.85 -> 16.0 mild, 3.1 severe */
    CHECK(st.low_mild == 1);
    CHECK(st.low_severe == 1);
    CHECK(st.high_mild == 0);
    CHECK(st.high_severe == 0);
    /* numpy 1.24 mean(x), std(x, ddof=1), median(x), quantile(x, .1, method="linear") */
    CHECK_REL(st.mean, 19.166666666666664);
    CHECK_REL(st.stddev, 5.328198285508617);
    CHECK_REL(st.median, 20.75);
    CHECK_REL(st.p10, 16.38);
    /* scipy 1.10 binom.cdf: n = 12 -> ranks 3 and 10, coverage 1 - 2 P(B <= 2) */
    CHECK(st.ci_lo == 19.8);
    CHECK(st.ci_hi == 21.9);
    CHECK_REL(st.ci_level, 0.96142578125);
}

static void test_stats_single_value_collapses_all_statistics(void)
{
    const double x[1] = { 3.25 };
    cpf_stats st;
    CHECK(cpf_stats_compute(x, 1, &st) == CPF_OK);
    CHECK(st.n == 1);
    /* numpy 1.24: every quantile(method="linear") of [3.25] is 3.25; mean 3.25 */
    CHECK(st.min == 3.25);
    CHECK(st.max == 3.25);
    CHECK(st.mean == 3.25);
    CHECK(st.median == 3.25);
    CHECK(st.q1 == 3.25);
    CHECK(st.q3 == 3.25);
    CHECK(st.p10 == 3.25);
    CHECK(st.p90 == 3.25);
    CHECK(st.p95 == 3.25);
    CHECK(st.p99 == 3.25);
    CHECK(st.p999 == 3.25);
    /* documented: stddev 0 when n == 1; numpy median(abs(x - median)) = 0 */
    CHECK(st.stddev == 0.0);
    CHECK(st.mad == 0.0);
    CHECK(st.iqr == 0.0);
    /* scipy 1.10 binom.cdf: n = 1 -> r = 1, coverage 1 - 2 P(B <= 0) = 0 */
    CHECK(st.ci_lo == 3.25);
    CHECK(st.ci_hi == 3.25);
    CHECK(st.ci_level == 0.0);
    CHECK(st.low_mild + st.low_severe + st.high_mild + st.high_severe == 0);
}

static void test_stats_two_values_interpolate(void)
{
    const double x[2] = { 7.5, 2.25 };
    cpf_stats st;
    CHECK(cpf_stats_compute(x, 2, &st) == CPF_OK);
    CHECK(st.n == 2);
    CHECK(st.min == 2.25);
    CHECK(st.max == 7.5);
    /* numpy 1.24 mean(x), std(x, ddof=1), median(abs(x - median(x))) */
    CHECK_REL(st.mean, 4.875);
    CHECK_REL(st.stddev, 3.7123106012293743);
    CHECK_REL(st.mad, 2.625);
    /* numpy 1.24 quantile(x, p, method="linear") */
    CHECK_REL(st.median, 4.875);
    CHECK_REL(st.q1, 3.5625);
    CHECK_REL(st.q3, 6.1875);
    CHECK_REL(st.iqr, 2.625);
    CHECK_REL(st.p10, 2.775);
    CHECK_REL(st.p90, 6.975);
    CHECK_REL(st.p95, 7.2375);
    CHECK_REL(st.p99, 7.4475);
    CHECK_REL(st.p999, 7.49475);
    /* scipy 1.10 binom.cdf: n = 2 -> ranks 1 and 2, coverage 1 - 2 * 0.25 */
    CHECK(st.ci_lo == 2.25);
    CHECK(st.ci_hi == 7.5);
    CHECK_REL(st.ci_level, 0.5);
    /* Tukey fences (-0.375, 10.125): nothing outside */
    CHECK(st.low_mild + st.low_severe + st.high_mild + st.high_severe == 0);
}

static void test_stats_all_ties_give_zero_spread_and_no_outliers(void)
{
    double x[9];
    size_t i;
    cpf_stats st;
    for (i = 0; i < COUNT(x); i++) x[i] = 4.5;
    CHECK(cpf_stats_compute(x, COUNT(x), &st) == CPF_OK);
    /* numpy 1.24: all quantiles 4.5, std(ddof=1) 0, MAD 0, IQR 0 */
    CHECK(st.min == 4.5);
    CHECK(st.max == 4.5);
    CHECK(st.mean == 4.5);
    CHECK(st.median == 4.5);
    CHECK(st.q1 == 4.5);
    CHECK(st.q3 == 4.5);
    CHECK(st.p999 == 4.5);
    CHECK(st.stddev == 0.0);
    CHECK(st.mad == 0.0);
    CHECK(st.iqr == 0.0);
    CHECK(st.low_mild == 0);
    CHECK(st.low_severe == 0);
    CHECK(st.high_mild == 0);
    CHECK(st.high_severe == 0);
    /* scipy 1.10 binom.cdf: n = 9 -> ranks 2 and 8, coverage 1 - 2 P(B <= 1) */
    CHECK(st.ci_lo == 4.5);
    CHECK(st.ci_hi == 4.5);
    CHECK_REL(st.ci_level, 0.9609375);
}

static void test_stats_rejects_nan_and_infinities(void)
{
    double x[5] = { 1.0, 2.0, 3.0, 4.0, 5.0 };
    const double bad[3] = { NAN, INFINITY, -INFINITY };
    const size_t where[3] = { 0, 2, 4 };
    size_t b, w;
    cpf_stats st;
    for (b = 0; b < 3; b++) {
        for (w = 0; w < 3; w++) {
            double y[5];
            memcpy(y, x, sizeof x);
            y[where[w]] = bad[b];
            CHECK_MSG(cpf_stats_compute(y, 5, &st) == CPF_ERR_NOT_FINITE,
                      "cpf_stats_compute: bad value %g at index %u", bad[b], (unsigned)where[w]);
        }
    }
    /* The sorted variant: the bad value placed where the order still holds. */
    {
        const double nan_last[3] = { 1.0, 2.0, NAN };
        const double nan_first[3] = { NAN, 1.0, 2.0 };
        const double pinf_last[3] = { 1.0, 2.0, INFINITY };
        const double ninf_first[3] = { -INFINITY, 1.0, 2.0 };
        CHECK(cpf_stats_compute_sorted(nan_last, 3, &st) == CPF_ERR_NOT_FINITE);
        CHECK(cpf_stats_compute_sorted(nan_first, 3, &st) == CPF_ERR_NOT_FINITE);
        CHECK(cpf_stats_compute_sorted(pinf_last, 3, &st) == CPF_ERR_NOT_FINITE);
        CHECK(cpf_stats_compute_sorted(ninf_first, 3, &st) == CPF_ERR_NOT_FINITE);
    }
    /* A single non-finite value. */
    {
        const double one_nan[1] = { NAN };
        const double one_inf[1] = { INFINITY };
        CHECK(cpf_stats_compute(one_nan, 1, &st) == CPF_ERR_NOT_FINITE);
        CHECK(cpf_stats_compute(one_inf, 1, &st) == CPF_ERR_NOT_FINITE);
    }
}

static void test_stats_rejects_empty_and_null(void)
{
    const double x[3] = { 1.0, 2.0, 3.0 };
    cpf_stats st;
    CHECK(cpf_stats_compute(x, 0, &st) == CPF_ERR_ARG);
    CHECK(cpf_stats_compute(NULL, 3, &st) == CPF_ERR_ARG);
    CHECK(cpf_stats_compute(NULL, 0, &st) == CPF_ERR_ARG);
    CHECK(cpf_stats_compute(x, 3, NULL) == CPF_ERR_ARG);
    CHECK(cpf_stats_compute_sorted(x, 0, &st) == CPF_ERR_ARG);
    CHECK(cpf_stats_compute_sorted(NULL, 3, &st) == CPF_ERR_ARG);
    CHECK(cpf_stats_compute_sorted(x, 3, NULL) == CPF_ERR_ARG);
}

static void test_stats_compute_does_not_modify_input(void)
{
    double x[13], before[13];
    cpf_stats st;
    memcpy(x, small_set, sizeof x);
    memcpy(before, small_set, sizeof before);
    CHECK(cpf_stats_compute(x, COUNT(x), &st) == CPF_OK);
    CHECK(memcmp(x, before, sizeof x) == 0);
    CHECK_REL(st.median, 12.1); /* numpy 1.24 median(x) */
}

static void test_stats_compute_sorted_rejects_unsorted_input(void)
{
    const double unsorted[4] = { 1.0, 3.0, 2.0, 4.0 };
    const double last_pair[4] = { 1.0, 2.0, 3.0, 2.5 };
    const double descending[3] = { 3.0, 2.0, 1.0 };
    cpf_stats st;
    CHECK(cpf_stats_compute_sorted(unsorted, 4, &st) == CPF_ERR_ARG);
    CHECK(cpf_stats_compute_sorted(last_pair, 4, &st) == CPF_ERR_ARG);
    CHECK(cpf_stats_compute_sorted(descending, 3, &st) == CPF_ERR_ARG);
    CHECK(cpf_stats_compute_sorted(small_set, COUNT(small_set), &st) == CPF_ERR_ARG);
}

static void test_stats_compute_sorted_matches_compute_on_sorted_copy(void)
{
    /* numpy 1.24 sort(small_set) */
    const double sorted[13] = {
        10.1, 10.3, 10.8, 11.4, 11.6, 11.9, 12.1, 12.7, 12.9, 13.3, 13.6, 14.2, 41.5
    };
    cpf_stats a, b;
    CHECK(cpf_stats_compute_sorted(sorted, COUNT(sorted), &a) == CPF_OK);
    CHECK(cpf_stats_compute(small_set, COUNT(small_set), &b) == CPF_OK);
    CHECK(a.n == b.n);
    CHECK(a.mean == b.mean);
    CHECK(a.median == b.median);
    CHECK(a.stddev == b.stddev);
    CHECK(a.mad == b.mad);
    CHECK(a.p99 == b.p99);
    CHECK(a.ci_lo == b.ci_lo && a.ci_hi == b.ci_hi && a.ci_level == b.ci_level);
    CHECK(a.high_severe == b.high_severe);
    /* numpy 1.24 quantile(method="linear") and std(ddof=1) */
    CHECK_REL(a.p95, 25.119999999999962);
    CHECK_REL(a.stddev, 8.256465997582184);
}

static void test_stats_quantile_sorted_matches_numpy_linear(void)
{
    /* numpy 1.24 sort(small_set) */
    const double s[13] = {
        10.1, 10.3, 10.8, 11.4, 11.6, 11.9, 12.1, 12.7, 12.9, 13.3, 13.6, 14.2, 41.5
    };
    /* numpy 1.24 quantile(s, p, method="linear") */
    CHECK(cpf_quantile_sorted(s, 13, 0.0) == 10.1);
    CHECK(cpf_quantile_sorted(s, 13, 1.0) == 41.5);
    CHECK_REL(cpf_quantile_sorted(s, 13, 0.05), 10.22);
    CHECK_REL(cpf_quantile_sorted(s, 13, 1.0 / 3.0), 11.6);
    CHECK_REL(cpf_quantile_sorted(s, 13, 0.5), 12.1);
    CHECK_REL(cpf_quantile_sorted(s, 13, 0.625), 12.8);
    CHECK_REL(cpf_quantile_sorted(s, 13, 0.97), 31.672000000000015);
    /* n = 1: every p gives the value */
    CHECK(cpf_quantile_sorted(s, 1, 0.37) == 10.1);
}

static void test_stats_sort_doubles_sorts_ascending(void)
{
    double x[13];
    /* numpy 1.24 sort(small_set) */
    const double expect[13] = {
        10.1, 10.3, 10.8, 11.4, 11.6, 11.9, 12.1, 12.7, 12.9, 13.3, 13.6, 14.2, 41.5
    };
    double neg[5] = { 0.0, -2.5, 7.0, -2.5, -100.0 };
    const double neg_expect[5] = { -100.0, -2.5, -2.5, 0.0, 7.0 };
    memcpy(x, small_set, sizeof x);
    cpf_sort_doubles(x, COUNT(x));
    CHECK(memcmp(x, expect, sizeof x) == 0);
    cpf_sort_doubles(neg, COUNT(neg));
    CHECK(memcmp(neg, neg_expect, sizeof neg) == 0);
}

static void test_stats_ci_ranks_n5_cannot_reach_95_and_spans_all(void)
{
    size_t lo = 0, hi = 0;
    double cov = cpf_median_ci_ranks(5, 0.95, &lo, &hi);
    /* scipy 1.10 binom.cdf: P(B <= 0) = 1/32 > 0.025, so the widest interval
       (ranks 1..5) with coverage 1 - 2/32 */
    CHECK(lo == 1);
    CHECK(hi == 5);
    CHECK_REL(cov, 0.9375);
    CHECK(cov < 0.95);
}

static void test_stats_ci_ranks_match_scipy_binomial(void)
{
    /* scipy 1.10 binom.cdf: largest r with P(B <= r-1) <= 0.025, B ~ Bin(n, 1/2);
       coverage 1 - 2 P(B <= r-1) */
    static const struct { size_t n, lo, hi; double cov; } ref[] = {
        { 6, 1, 6, 0.96875 },
        { 31, 10, 22, 0.9705506265163422 },
        { 100, 40, 61, 0.9647997997822951 },
        { 1000, 469, 532, 0.9537088026395019 },
        { 5000, 2431, 2570, 0.9506841418958285 },
    };
    size_t i;
    for (i = 0; i < COUNT(ref); i++) {
        size_t lo = 0, hi = 0;
        double cov = cpf_median_ci_ranks(ref[i].n, 0.95, &lo, &hi);
        CHECK_MSG(lo == ref[i].lo && hi == ref[i].hi, "n=%u: ranks %u..%u, scipy %u..%u",
                  (unsigned)ref[i].n, (unsigned)lo, (unsigned)hi, (unsigned)ref[i].lo, (unsigned)ref[i].hi);
        CHECK_MSG(fabs(cov - ref[i].cov) <= 1e-10 * ref[i].cov, "n=%u: coverage %.17g, scipy %.17g",
                  (unsigned)ref[i].n, cov, ref[i].cov);
        CHECK(cov >= 0.95);
    }
}

static void test_stats_ci_ranks_normal_approximation_above_5000(void)
{
    size_t lo = 0, hi = 0;
    double cov;
    /* n = 5001 (first normal-approximation size).
       scipy 1.10 binom.cdf: exact largest r is 2431 (coverage 0.95227...);
       r = 2430 would cover 0.95537, r = 2432 only 0.94900 */
    cov = cpf_median_ci_ranks(5001, 0.95, &lo, &hi);
    CHECK(hi == 5001 + 1 - lo);
    CHECK_MSG(lo == 2431, "n=5001: lo %u, scipy 2431", (unsigned)lo);
    CHECK_NEAR(cov, 0.9522736955323166, 0.002);
    /* n = 1,000,000. scipy 1.10 binom.cdf: exact largest r is 499020 with
       coverage 0.9501210313476314; ranks 499012..499028 are the ones whose
       exact coverage lies within 0.002 of 0.95 */
    cov = cpf_median_ci_ranks(1000000, 0.95, &lo, &hi);
    CHECK(hi == 1000000 + 1 - lo);
    CHECK_MSG(lo >= 499012 && lo <= 499028, "lo %u", (unsigned)lo);
    CHECK_NEAR(cov, 0.95, 0.002);
    CHECK_MSG(lo == 499020, "n=1e6: lo %u, scipy 499020", (unsigned)lo);
    CHECK_NEAR(cov, 0.9501210313476314, 1e-5);
}

#if !defined(TEST_EMBEDDED) /* 8 MB of samples: more than the Cortex-M board's RAM */
static void test_stats_million_shuffled_values_median_mean_p99(void)
{
    const size_t n = 1000000;
    double *x = (double *)malloc(n * sizeof *x);
    size_t i;
    uint64_t state = 0x9E3779B97F4A7C15u;
    cpf_stats st;
    CHECK(x != NULL);
    if (!x) return;
    for (i = 0; i < n; i++) x[i] = (double)i * 0.5;
    /* Fisher-Yates with a 64-bit LCG: a deterministic permutation. */
    for (i = n - 1; i > 0; i--) {
        size_t j;
        double t;
        state = state * 6364136223846793005u + 1442695040888963407u;
        j = (size_t)((state >> 33) % (uint64_t)(i + 1));
        t = x[i]; x[i] = x[j]; x[j] = t;
    }
    CHECK(cpf_stats_compute(x, n, &st) == CPF_OK);
    CHECK(st.n == n);
    CHECK(st.min == 0.0);
    CHECK(st.max == 499999.5);
    /* numpy 1.24 median / mean / quantile(.99, method="linear") of arange(1e6) * 0.5 */
    CHECK_REL(st.median, 249999.75);
    CHECK_REL(st.mean, 249999.75);
    CHECK_REL(st.p99, 494999.505);
    /* Normal-approximation CI (n > 5000): coverage within 0.002 of 0.95 and
       brackets the median. scipy 1.10 binom.cdf: exact r = 499020, so the
       bounds are the values of ranks 499020 and 500981: (r - 1) * 0.5 */
    CHECK_NEAR(st.ci_level, 0.95, 0.002);
    CHECK(st.ci_lo < st.median && st.median < st.ci_hi);
    CHECK(st.ci_lo == 249509.5);
    CHECK(st.ci_hi == 250490.0);
    /* Uniform data: no Tukey outliers. */
    CHECK(st.low_mild + st.low_severe + st.high_mild + st.high_severe == 0);
    free(x);
}

#endif

/* Reference values: /usr/bin/python3, scipy 1.10.1:
     stats.mannwhitneyu(b, a, alternative="greater", method="exact" / "asymptotic")
     quantile CI ranks from stats.binom.cdf (same rule as the median's)
     Wilson: stats.binomtest(k, n).proportion_ci(method="wilson")
     Hodges-Lehmann: numpy median of all b - a; Moses bounds d[k-1], d[m-k]
     with k = floor(na nb / 2 - z sqrt(na nb (na + nb + 1) / 12)). */
static void test_stats_mann_whitney_exact_matches_scipy(void)
{
    static const double a[7] = { 1.0, 2.5, 3.1, 4.7, 5.2, 6.0, 7.3 };
    static const double b[8] = { 3.3, 4.8, 5.9, 6.1, 7.7, 8.2, 9.0, 9.5 };
    static const double a3[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
    double b3[20], u;
    int i;
    CHECK_NEAR(cpf_mann_whitney_greater(a, 7, b, 8, &u), 0.020046620046620046, 1e-12);
    CHECK(u == 46.0);
    for (i = 0; i < 20; i++) b3[i] = i + 3.5;
    CHECK_NEAR(cpf_mann_whitney_greater(a3, 20, b3, 20, &u), 0.10548216362406039, 1e-10);
    CHECK(u == 247.0);
    /* the other direction is the complement plus the point mass */
    CHECK(cpf_mann_whitney_greater(b, 8, a, 7, &u) > 0.97);
}

static void test_stats_mann_whitney_ties_and_large_use_normal_approximation(void)
{
    static const double a2[10] = { 1, 2, 2, 3, 3, 3, 4, 5, 5, 6 };
    static const double b2[11] = { 2, 3, 4, 4, 5, 6, 6, 7, 7, 8, 9 };
    static const double x[40] = { 95.99, 93.378, 98.758, 102.102, 105.68, 100.549, 97.237, 96.076, 103.744, 108.174,
        101.364, 93.833, 95.209, 108.0, 101.014, 91.339, 99.582, 94.184, 96.854, 97.56, 96.433, 102.767, 99.685,
        97.053, 102.048, 104.149, 91.785, 98.716, 95.096, 99.134, 93.553, 100.103, 99.811, 98.478, 94.76, 98.019,
        94.543, 93.224, 101.124, 94.453 };
    static const double y[35] = { 108.851, 106.583, 93.011, 104.361, 97.491, 103.165, 103.218, 93.058, 101.833,
        101.721, 107.81, 97.093, 106.69, 97.505, 101.344, 98.798, 110.244, 105.841, 115.159, 106.21, 107.225,
        107.203, 99.967, 102.65, 109.752, 101.017, 103.944, 102.894, 106.046, 101.175, 102.238, 104.212, 103.515,
        98.675, 107.479 };
    double u;
    /* scipy's normal CDF is exact; ours (A&S 26.2.17) is within 7.5e-8 */
    CHECK_NEAR(cpf_mann_whitney_greater(a2, 10, b2, 11, &u), 0.013820442107149456, 2e-7);
    CHECK(u == 86.5);
    CHECK_NEAR(cpf_mann_whitney_greater(x, 40, y, 35, &u), 9.131883114943362e-06, 2e-7);
    CHECK(u == 1104.0);
    CHECK(cpf_mann_whitney_greater(x, 0, y, 35, NULL) == 1.0);
}

static void test_stats_quantile_ci_ranks_match_scipy_binomial(void)
{
    size_t lo, hi;
    CHECK_NEAR(cpf_quantile_ci_ranks(100, 0.95, 0.95, &lo, &hi), 0.9826070607121812, 1e-9);
    CHECK(lo == 90 && hi == 100);
    CHECK_NEAR(cpf_quantile_ci_ranks(20, 0.95, 0.95, &lo, &hi), 0.9840984739802364, 1e-9);
    CHECK(lo == 17 && hi == 21); /* 21 = n + 1: no upper bound from 20 values */
    CHECK_NEAR(cpf_quantile_ci_ranks(200, 0.9, 0.95, &lo, &hi), 0.9668839008979295, 1e-9);
    CHECK(lo == 171 && hi == 189);
    CHECK_NEAR(cpf_quantile_ci_ranks(50, 0.5, 0.95, &lo, &hi), 0.9671608624357315, 1e-9);
    CHECK(lo == 18 && hi == 33);
    {
        size_t l2, h2;
        cpf_median_ci_ranks(50, 0.95, &l2, &h2);
        CHECK(l2 == lo && h2 == hi);
    }
    /* (1 - p)^n underflows here (0.05^300 < 1e-390): exact values from
       Python's fractions (math.comb(n, k) * p**k * (1 - p)**(n - k)) */
    CHECK_NEAR(cpf_quantile_ci_ranks(300, 0.95, 0.95, &lo, &hi), 0.9671879247859064, 1e-9);
    CHECK(lo == 277 && hi == 293);
    CHECK_NEAR(cpf_quantile_ci_ranks(1000, 0.95, 0.95, &lo, &hi), 0.9580952682226541, 1e-9);
    CHECK(lo == 936 && hi == 964);
    CHECK_NEAR(cpf_quantile_ci_ranks(200, 0.99, 0.95, &lo, &hi), 0.9839770930908225, 1e-9);
    CHECK(lo == 195 && hi == 201);
}

static void test_stats_shift_ci_hodges_lehmann_matches_numpy(void)
{
    static const double a[10] = { 10.2, 10.5, 9.9, 10.1, 10.4, 10.0, 10.3, 10.6, 9.8, 10.2 };
    static const double b[9] = { 11.0, 10.9, 11.3, 10.7, 11.1, 11.4, 10.8, 11.2, 11.0 };
    double est, lo, hi;
    CHECK(cpf_shift_ci(a, 10, b, 9, 0.95, &est, &lo, &hi) == CPF_OK);
    CHECK_NEAR(est, 0.8, 1e-9);
    CHECK_NEAR(lo, 0.6, 1e-9);
    CHECK_NEAR(hi, 1.1, 1e-9);
    CHECK(cpf_shift_ci(a, 0, b, 9, 0.95, &est, &lo, &hi) == CPF_ERR_ARG);
}

static void test_stats_proportion_ci_is_wilson(void)
{
    double lo, hi;
    cpf_proportion_ci(18, 20, 0.95, &lo, &hi);
    CHECK_NEAR(lo, 0.6989663547715128, 1e-8);
    CHECK_NEAR(hi, 0.9721335187862319, 1e-8);
    cpf_proportion_ci(95, 100, 0.95, &lo, &hi);
    CHECK_NEAR(lo, 0.8882495307680808, 1e-8);
    CHECK_NEAR(hi, 0.9784563208456319, 1e-8);
    cpf_proportion_ci(0, 10, 0.95, &lo, &hi);
    CHECK(lo == 0.0);
    CHECK_NEAR(hi, 0.2775327998628892, 1e-8);
    /* scipy.stats.norm.ppf */
    CHECK_NEAR(cpf_normal_quantile(0.975), 1.95996398, 1e-7);
    CHECK_NEAR(cpf_normal_quantile(0.999), 3.09023231, 1e-7);
    CHECK_NEAR(cpf_normal_quantile(0.01), -2.32634787, 1e-7);
    CHECK_NEAR(cpf_normal_quantile(1e-6), -4.75342431, 1e-6);
}

void tests_stats(void)
{
    RUN(test_stats_mann_whitney_exact_matches_scipy);
    RUN(test_stats_mann_whitney_ties_and_large_use_normal_approximation);
    RUN(test_stats_quantile_ci_ranks_match_scipy_binomial);
    RUN(test_stats_shift_ci_hodges_lehmann_matches_numpy);
    RUN(test_stats_proportion_ci_is_wilson);
    RUN(test_stats_small_set_min_max_mean_stddev_match_numpy);
    RUN(test_stats_quantiles_type7_match_numpy_linear);
    RUN(test_stats_mad_is_raw_median_absolute_deviation);
    RUN(test_stats_median_ci_brackets_with_binomial_order_statistics);
    RUN(test_stats_tukey_high_outlier_counted_severe);
    RUN(test_stats_tukey_low_outliers_counted_mild_and_severe);
    RUN(test_stats_single_value_collapses_all_statistics);
    RUN(test_stats_two_values_interpolate);
    RUN(test_stats_all_ties_give_zero_spread_and_no_outliers);
    RUN(test_stats_rejects_nan_and_infinities);
    RUN(test_stats_rejects_empty_and_null);
    RUN(test_stats_compute_does_not_modify_input);
    RUN(test_stats_compute_sorted_rejects_unsorted_input);
    RUN(test_stats_compute_sorted_matches_compute_on_sorted_copy);
    RUN(test_stats_quantile_sorted_matches_numpy_linear);
    RUN(test_stats_sort_doubles_sorts_ascending);
    RUN(test_stats_ci_ranks_n5_cannot_reach_95_and_spans_all);
    RUN(test_stats_ci_ranks_match_scipy_binomial);
    RUN(test_stats_ci_ranks_normal_approximation_above_5000);
#if !defined(TEST_EMBEDDED) /* 8 MB of samples: more than the Cortex-M board's RAM */
    RUN(test_stats_million_shuffled_values_median_mean_p99);
#endif
}
