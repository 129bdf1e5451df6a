/* The load runner, scaling, the efficiency guard and the thread-safety
   stress harness. Behaviour only: every check is structural (a 100 ms stall
   against 20 us calls is a 5000x signal; counts are exact), never "this took
   less than X ms". Runs under TSan in make test; without threads
   (CORALPERF_NO_THREADS, Cortex-M) the one-user behaviour is checked. */
#include "coralperf.h"
#include "tinytest.h"
#if defined(__has_include) && !defined(_MSC_VER)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define LOAD_ON_VALGRIND() (RUNNING_ON_VALGRIND)
#endif
#endif
#ifndef LOAD_ON_VALGRIND
#define LOAD_ON_VALGRIND() 0
#endif
#include <stdlib.h>

/* Collects report text. */
typedef struct text_buf { char *data; size_t len; } text_buf;
static int text_write(void *user, const char *s, size_t n)
{
    text_buf *t = (text_buf *)user;
    char *d = (char *)realloc(t->data, t->len + n + 1);
    if (!d) return 1;
    memcpy(d + t->len, s, n);
    t->len += n;
    d[t->len] = 0;
    t->data = d;
    return 0;
}
static void text_free(text_buf *t) { free(t->data); t->data = NULL; t->len = 0; }

static cpf_load_opts load_opts(int threads, double duration_ms)
{
    cpf_load_opts o;
    memset(&o, 0, sizeof o);
    o.threads = threads;
    o.duration_ms = duration_ms;
    return o;
}

static uint64_t sum_snapshots(const cpf_load_result *r)
{
    uint64_t s = 0;
    int i;
    for (i = 0; i < r->snapshot_count; i++) s += r->snapshots[i].calls;
    return s;
}

/* --- an operation that counts its calls (and fails every 4th per user) --- */
typedef struct counting { cpf_atomic64 calls; uint64_t per_user[8]; int fail_every; } counting;
static int counting_op(void *ctx, int user)
{
    counting *c = (counting *)ctx;
    cpf_atomic64_fetch_add(&c->calls, 1);
    c->per_user[user]++;       /* each user owns its slot: no sharing */
    return c->fail_every && c->per_user[user] % (uint64_t)c->fail_every == 0;
}

static void test_fairness_index_of_known_shares(void)
{
    uint64_t equal[4] = { 7, 7, 7, 7 }, one[4] = { 9, 0, 0, 0 }, three_to_one[2] = { 3, 1 };
    uint64_t zeros[3] = { 0, 0, 0 };
    /* Jain, Chiu, Hawe 1984: (sum x)^2 / (n sum x^2) */
    CHECK_NEAR(cpf_load_fairness(equal, 4), 1.0, 1e-15);
    CHECK_NEAR(cpf_load_fairness(one, 4), 0.25, 1e-15);          /* 1/n */
    CHECK_NEAR(cpf_load_fairness(three_to_one, 2), 0.8, 1e-15);  /* 16 / (2 x 10) */
    CHECK_NEAR(cpf_load_fairness(zeros, 3), 1.0, 1e-15);
    CHECK_NEAR(cpf_load_fairness(equal, 0), 1.0, 1e-15);
}

static void test_calls_limit_is_exact_at_one_user(void)
{
    counting c;
    cpf_load_opts o = load_opts(1, 0);
    cpf_load_result r;
    char msg[200];
    memset(&c, 0, sizeof c);
    o.calls = 777;
    CHECK(cpf_load_run(&o, counting_op, &c, &r, msg, sizeof msg) == CPF_OK);
    CHECK(r.calls == 777 && cpf_atomic64_load(&c.calls) == 777);
    CHECK(r.latency.count == 777 && r.service.count == 777);
    CHECK(r.calls_per_user[0] == 777);
    CHECK(sum_snapshots(&r) == 777);
    CHECK(r.fairness == 1.0);
    cpf_load_result_free(&r);
}

static void test_open_loop_at_one_user_runs_on_schedule_and_counts_from_the_slot(void)
{
    counting c;
    cpf_load_opts o = load_opts(1, 0);
    cpf_load_result r;
    uint64_t t0 = cpf_now_ns();
    memset(&c, 0, sizeof c);
    o.rate = 2000;             /* a slot every 0.5 ms */
    o.calls = 100;
    CHECK(cpf_load_run(&o, counting_op, &c, &r, NULL, 0) == CPF_OK);
    CHECK(r.calls == 100 && cpf_atomic64_load(&c.calls) == 100);
    /* 100 slots 0.5 ms apart: the run cannot end before the 100th slot */
    CHECK(cpf_now_ns() - t0 >= 49500000u);
    CHECK(r.latency.count == 100 && r.service.count == 100);
    CHECK(r.service.min <= r.latency.min); /* latency includes any wait past the slot */
    cpf_load_result_free(&r);
}

static void test_open_loop_rate_is_measured_over_the_whole_duration(void)
{
    counting c;
    cpf_load_opts o = load_opts(1, 200);
    cpf_load_result r;
    memset(&c, 0, sizeof c);
    o.rate = 20;               /* slots at 0, 50, 100 and 150 ms; the next is past the end */
    CHECK(cpf_load_run(&o, counting_op, &c, &r, NULL, 0) == CPF_OK);
    CHECK(r.calls >= 1 && r.calls <= 4);
    CHECK(r.wall_ms >= 199.9);
    CHECK_NEAR(r.ops_per_s, (double)r.calls / (r.wall_ms / 1e3), 1e-9);
    cpf_load_result_free(&r);
}

static void test_failures_are_counted(void)
{
    counting c;
    cpf_load_opts o = load_opts(1, 0);
    cpf_load_result r;
    memset(&c, 0, sizeof c);
    c.fail_every = 4;
    o.calls = 1000;
    CHECK(cpf_load_run(&o, counting_op, &c, &r, NULL, 0) == CPF_OK);
    CHECK(r.failures == 250);
    CHECK_NEAR(r.error_rate, 0.25, 1e-12);
    cpf_load_result_free(&r);
}

static void test_invalid_options_are_refused_with_a_message(void)
{
    cpf_load_opts o = load_opts(2, 100);
    cpf_load_result r;
    char msg[200];
    o.profile = CPF_LOAD_RAMP;
    o.start_threads = 3;
    CHECK(cpf_load_run(&o, counting_op, NULL, &r, msg, sizeof msg) == CPF_ERR_ARG);
    CHECK_MSG(strstr(msg, "start_threads") != NULL, "%s", msg);
    o = load_opts(1, 100);
    o.rate = -1;
    CHECK(cpf_load_run(&o, counting_op, NULL, &r, msg, sizeof msg) == CPF_ERR_ARG);
    CHECK(cpf_load_run(NULL, NULL, NULL, &r, msg, sizeof msg) == CPF_ERR_ARG);
    CHECK(r.calls_per_user == NULL && r.snapshots == NULL);
}

static void test_reports_say_it_in_plain_words(void)
{
    counting c;
    cpf_load_opts o = load_opts(1, 0);
    cpf_load_result r;
    text_buf text;
    memset(&c, 0, sizeof c);
    c.fail_every = 2;
    o.calls = 400;
    CHECK(cpf_load_run(&o, counting_op, &c, &r, NULL, 0) == CPF_OK);
    memset(&text, 0, sizeof text);
    CHECK(cpf_load_report_write(&r, "svc \"a\"", CPF_REPORT_CONSOLE, text_write, &text) == CPF_OK);
    CHECK(text.data && strstr(text.data, "throughput") && strstr(text.data, "error rate   50.000% (200 of 400 calls failed)"));
    CHECK(text.data && strstr(text.data, "p99.9") && strstr(text.data, "fairness") && strstr(text.data, "snapshots"));
    CHECK(text.data && strstr(text.data, "health       WARN: error rate 50.00% (above 1%)"));
    text_free(&text);
    memset(&text, 0, sizeof text);
    CHECK(cpf_load_report_write(&r, "svc \"a\"", CPF_REPORT_JSON, text_write, &text) == CPF_OK);
    CHECK(text.data && strstr(text.data, "\"name\": \"svc \\\"a\\\"\"") && strstr(text.data, "\"calls\": 400, \"failures\": 200"));
    CHECK(text.data && strstr(text.data, "\"snapshots\": [") && strstr(text.data, "\"p99_9\": "));
    text_free(&text);
    CHECK(cpf_load_report_write(&r, "x", CPF_REPORT_CSV, text_write, &text) == CPF_ERR_ARG);
    cpf_load_result_free(&r);
}

static void test_efficiency_guard_message_and_levels(void)
{
    cpf_scaling_result s;
    cpf_verdict v;
    memset(&s, 0, sizeof s);
    s.cpus = 2;
    s.count = 3;
    s.points[0].threads = 1; s.points[0].speedup = 1.0; s.points[0].efficiency = 1.0;
    s.points[1].threads = 2; s.points[1].speedup = 1.66; s.points[1].efficiency = 0.83;
    s.points[2].threads = 4; s.points[2].speedup = 2.0; s.points[2].efficiency = 0.5;
    v = cpf_check_efficiency(&s, 2, 0.8);
    CHECK(v.ok && v.level == CPF_PASS);
    CHECK_STR(v.message, "2 users: 1.66x, 83% efficient (needs 80%)");
    v = cpf_check_efficiency(&s, 2, 0.9);
    CHECK(!v.ok && v.level == CPF_FAIL);
    CHECK_STR(v.message, "2 users: 1.66x, 83% efficient (needs 90%)");
    /* more users than CPUs: said so, and only a warning */
    v = cpf_check_efficiency(&s, 4, 0.8);
    CHECK(v.ok && v.level == CPF_WARN);
    CHECK_MSG(strstr(v.message, "4 users on 2 CPUs: efficiency cannot be expected there") != NULL, "%s", v.message);
    v = cpf_check_efficiency(&s, 3, 0.5);
    CHECK(!v.ok && strstr(v.message, "not measured"));
}

#if !defined(CORALPERF_NO_THREADS)
static void spin_ns(uint64_t ns)
{
    uint64_t t0 = cpf_now_ns();
    while (cpf_now_ns() - t0 < ns) { }
}

static uint64_t sum_per_user(const cpf_load_result *r)
{
    uint64_t s = 0;
    int i;
    for (i = 0; i < r->opts.threads; i++) s += r->calls_per_user[i];
    return s;
}

/* --- the stall: ~20 us per call, one call of 100 ms ----------------------- */
typedef struct staller { cpf_atomic32 calls; } staller;
static int stall_op(void *ctx, int user)
{
    staller *s = (staller *)ctx;
    (void)user;
    if (cpf_atomic32_fetch_add(&s->calls, 1) == 50) cpf_sleep_ms(100);
    else spin_ns(20000);
    return 0;
}

static uint64_t calls_above(const cpf_hist *h, uint64_t ns)
{
    uint64_t n = 0;
    uint32_t b;
    for (b = cpf_hist_bucket(h, ns) + 1; b < h->nbuckets; b++) n += h->counts[b];
    return n;
}

static void test_open_loop_shows_a_stall_that_closed_loop_hides(void)
{
    staller s;
    cpf_load_opts o = load_opts(2, 600);
    cpf_load_result open, closed;
    memset(&s, 0, sizeof s);
    o.rate = 2000;             /* 1000 calls/s per user; the op needs 20 us */
    CHECK(cpf_load_run(&o, stall_op, &s, &open, NULL, 0) == CPF_OK);
    memset(&s, 0, sizeof s);
    o.rate = 0;
    o.duration_ms = 300;
    CHECK(cpf_load_run(&o, stall_op, &s, &closed, NULL, 0) == CPF_OK);
    /* both saw the 100 ms call */
    CHECK(open.max_ns >= 90000000u && closed.max_ns >= 90000000u);
    /* open loop: the ~100 calls due during the stall waited for it, so far
       more than 1% of the calls took over 50 ms, and p99 shows it */
    CHECK_MSG(open.p99_ns >= 50000000u, "open p99 %llu ns", (unsigned long long)open.p99_ns);
    CHECK_MSG(calls_above(&open.latency, 50000000u) * 100 >= open.calls * 2, "%llu of %llu calls above 50 ms",
              (unsigned long long)calls_above(&open.latency, 50000000u), (unsigned long long)open.calls);
    CHECK(open.late_calls >= 20);
    /* the same run's service time (from the real start) hides it like a closed loop */
    CHECK_MSG(cpf_hist_percentile(&open.service, 99.0) < 50000000u, "service p99 %llu", (unsigned long long)cpf_hist_percentile(&open.service, 99.0));
    /* closed loop: one slow call among thousands; p99 stays far below it */
    CHECK(closed.calls > 1000);
    CHECK_MSG(closed.p99_ns < 50000000u, "closed p99 %llu ns", (unsigned long long)closed.p99_ns);
    CHECK(calls_above(&closed.latency, 50000000u) * 100 < closed.calls);
    cpf_load_result_free(&open);
    cpf_load_result_free(&closed);
}

/* --- stress: a racy counter and a correct one ------------------------------ */
typedef struct counter { cpf_atomic64 value; int atomic_add; int sleep_ms; } counter;
static void counter_reset(void *ctx, int threads) { (void)threads; cpf_atomic64_store(&((counter *)ctx)->value, 0); }
static int counter_op(void *ctx, int user)
{
    counter *c = (counter *)ctx;
    (void)user;
    if (c->atomic_add) { cpf_atomic64_fetch_add(&c->value, 1); return 0; }
    {
        /* read-modify-write in two steps, 1 us apart (relaxed atomics: a
           lost-update race that is no data race, so TSan stays quiet while
           updates are lost). A spin, not cpf_thread_yield: on a busy machine
           a yield hands the CPU to another process for a whole time slice.
           Under valgrind, which runs one thread at a time and may hand its
           lock straight back to the same thread on a busy machine, a 1 ms
           sleep: the thread leaves the lock, and the others read the old
           value meanwhile. */
        int64_t v = cpf_atomic64_load_relaxed(&c->value);
        if (c->sleep_ms) cpf_sleep_ms((unsigned)c->sleep_ms);
        else spin_ns(1000);
        cpf_atomic64_store_relaxed(&c->value, v + 1);
    }
    return 0;
}
static int counter_check(void *ctx, int threads, uint64_t calls_per_user, char *msg, size_t cap)
{
    int64_t want = (int64_t)threads * (int64_t)calls_per_user, got = cpf_atomic64_load(&((counter *)ctx)->value);
    if (got == want) return 0;
    snprintf(msg, cap, "counter is %lld after %lld increments: %lld lost", (long long)got, (long long)want, (long long)(want - got));
    return 1;
}

static void test_stress_finds_a_racy_counter_from_2_threads(void)
{
    counter c;
    cpf_stress_opts o;
    cpf_stress_result r;
    memset(&c, 0, sizeof c);
    memset(&o, 0, sizeof o);
    o.max_threads = 4;
    o.rounds = 5;
    o.calls_per_user = 5000;
    if (LOAD_ON_VALGRIND()) {
        /* CI's valgrind stage, on a loaded machine, once ran all 4 threads
           one after another: nothing lost in 5 rounds. */
        c.sleep_ms = 1;
        o.calls_per_user = 200;
    }
    CHECK(cpf_stress_run(&o, counter_reset, counter_op, counter_check, &c, &r, NULL, 0) == CPF_OK);
    CHECK_MSG(r.broke_at >= 2, "broke at %d", r.broke_at);   /* 1 thread cannot lose an update */
    CHECK(r.max_tested == r.broke_at - 1);
    CHECK(r.round >= 0 && r.round < 5);
    CHECK_MSG(strstr(r.message, " lost") != NULL, "%s", r.message);
    CHECK(r.rounds_run >= 6); /* the 5 rounds at 1 thread, then the failing one */
}

static void test_stress_passes_a_correct_counter_at_every_thread_count(void)
{
    counter c;
    cpf_stress_opts o;
    cpf_stress_result r;
    memset(&c, 0, sizeof c);
    c.atomic_add = 1;
    memset(&o, 0, sizeof o);
    o.max_threads = 4;
    o.rounds = 3;
    o.calls_per_user = 5000;
    CHECK(cpf_stress_run(&o, counter_reset, counter_op, counter_check, &c, &r, NULL, 0) == CPF_OK);
    CHECK(r.broke_at == 0 && r.max_tested == 4 && r.rounds_run == 12);
    CHECK_STR(r.message, "held up to 4 threads (3 rounds of 5000 calls per user each)");
    CHECK(cpf_atomic64_load(&c.value) == 4 * 5000);
}

static void test_calls_limit_is_exact_across_users_with_warm_up(void)
{
    counting c;
    cpf_load_opts o = load_opts(3, 0);
    cpf_load_result r;
    int i;
    memset(&c, 0, sizeof c);
    o.calls = 5000;
    CHECK(cpf_load_run(&o, counting_op, &c, &r, NULL, 0) == CPF_OK);
    CHECK(r.calls == 5000 && cpf_atomic64_load(&c.calls) == 5000 && sum_per_user(&r) == 5000);
    CHECK(r.latency.count == 5000 && sum_snapshots(&r) == 5000);
    for (i = 0; i < 3; i++) CHECK(r.calls_per_user[i] == c.per_user[i]);
    cpf_load_result_free(&r);
    /* warm-up calls run but are not recorded nor counted against the limit */
    memset(&c, 0, sizeof c);
    o.warmup_ms = 20;
    CHECK(cpf_load_run(&o, counting_op, &c, &r, NULL, 0) == CPF_OK);
    CHECK(r.calls == 5000 && sum_per_user(&r) == 5000 && r.latency.count == 5000);
    CHECK(cpf_atomic64_load(&c.calls) > 5000);
    cpf_load_result_free(&r);
}

static int micro_op(void *ctx, int user) { (void)ctx; (void)user; spin_ns(1000); return 0; }

static void test_snapshots_lose_no_call_and_stay_bounded(void)
{
    counting c;
    cpf_load_opts o = load_opts(3, 200);
    cpf_load_result r;
    memset(&c, 0, sizeof c);
    o.snapshot_ms = 0.1;       /* raised to fit the table: duration / 255 */
    CHECK(cpf_load_run(&o, counting_op, &c, &r, NULL, 0) == CPF_OK);
    CHECK_NEAR(r.opts.snapshot_ms, 200.0 / 255, 1e-9);
    /* (a snapshot waits until every user has passed a call boundary, so on
       a busy machine or under valgrind there are fewer than 255; no call is
       lost) */
    CHECK(r.snapshot_count >= 1 && r.snapshot_count <= CPF_LOAD_MAX_SNAPSHOTS);
    CHECK(sum_snapshots(&r) == r.calls && r.calls == r.latency.count);
    cpf_load_result_free(&r);
    /* a calls limit and no duration: 100 ms of 1 us calls in 0.1 ms
       intervals overflow the table; neighbours merge and nothing is lost */
    o = load_opts(1, 0);
    o.calls = 100000;
    o.snapshot_ms = 0.1;
    CHECK(cpf_load_run(&o, micro_op, NULL, &r, NULL, 0) == CPF_OK);
    CHECK(r.calls == 100000 && sum_snapshots(&r) == 100000);
    CHECK_MSG(r.snapshot_count >= CPF_LOAD_MAX_SNAPSHOTS / 2 && r.snapshot_count <= CPF_LOAD_MAX_SNAPSHOTS, "%d", r.snapshot_count);
    CHECK(r.snapshots[r.snapshot_count - 1].t_ms >= 99.0);
    cpf_load_result_free(&r);
}

static int light_op(void *ctx, int user) { (void)ctx; (void)user; spin_ns(20000); return 0; }

/* light_op that notes when each user made its first call (each user writes
   only its own slot; the test reads them after the run has joined) */
typedef struct first_calls { uint64_t ns[4]; } first_calls;
static int noting_op(void *ctx, int user)
{
    first_calls *f = (first_calls *)ctx;
    if (!f->ns[user]) f->ns[user] = cpf_now_ns();
    spin_ns(20000);
    return 0;
}

/* Users a profile has at t_ms into the run (independent of the runner:
   ramp 1..4 in equal quarters; spike 2, and 4 in [0.4, 0.7) of the run);
   -1 within 0.05 ms of a step, where either count is right. */
static int expected_users(cpf_load_profile p, double t_ms, double run_ms)
{
    double f = t_ms / run_ms;
    if (p == CPF_LOAD_RAMP) {
        double q = f * 4.0;
        if (fabs(q - floor(q + 0.5)) * run_ms / 4.0 < 0.05 && q > 0.5) return -1;
        return q >= 3 ? 4 : 1 + (int)q;
    }
    if (fabs(f - 0.4) * run_ms < 0.05 || fabs(f - 0.7) * run_ms < 0.05) return -1;
    return f >= 0.4 && f < 0.7 ? 4 : 2;
}

/* Every snapshot reports the users the profile has at its time; the counts
   never fall (ramp) and the last one is the peak. A snapshot can come late
   on a busy machine or under valgrind (it waits for every user to finish a
   call), so the checks hold whatever the snapshot times and count. */
static void test_ramp_adds_users_evenly_and_snapshots_show_it(void)
{
    cpf_load_opts o = load_opts(4, 400);
    cpf_load_result r;
    first_calls f;
    uint64_t t_before = cpf_now_ns();
    int i, prev = 0, ok = 1;
    memset(&f, 0, sizeof f);
    o.profile = CPF_LOAD_RAMP;
    o.snapshot_ms = 50;
    CHECK(cpf_load_run(&o, noting_op, &f, &r, NULL, 0) == CPF_OK);
    CHECK(r.opts.start_threads == 1 && r.snapshot_count >= 1);
    for (i = 0; i < r.snapshot_count; i++) {
        int want = expected_users(CPF_LOAD_RAMP, r.snapshots[i].t_ms, 400);
        CHECK_MSG(want < 0 || r.snapshots[i].threads == want, "snapshot at %.3f ms: %d users, expected %d",
                  r.snapshots[i].t_ms, r.snapshots[i].threads, want);
        if (r.snapshots[i].threads < prev) ok = 0;
        prev = r.snapshots[i].threads;
    }
    CHECK(ok && prev == 4);
    /* user k joins after k quarters: never earlier (however busy the machine) */
    CHECK(r.calls_per_user[0] > 0);
    for (i = 1; i < 4; i++)
        CHECK_MSG(!f.ns[i] || f.ns[i] >= t_before + (uint64_t)i * 100000000u, "user %d first called %.1f ms after the start", i,
                  (double)(f.ns[i] - t_before) / 1e6);
    CHECK(r.fairness == 1.0); /* over the users present the whole time: user 0 alone */
    cpf_load_result_free(&r);
}

static void test_spike_jumps_to_the_peak_and_back(void)
{
    cpf_load_opts o = load_opts(4, 600);
    cpf_load_result r;
    first_calls f;
    uint64_t t_before = cpf_now_ns();
    int i;
    memset(&f, 0, sizeof f);
    o.profile = CPF_LOAD_SPIKE;
    o.start_threads = 2;
    o.spike_length = 0.3;      /* 4 users from 240 to 420 ms */
    o.snapshot_ms = 50;
    CHECK(cpf_load_run(&o, noting_op, &f, &r, NULL, 0) == CPF_OK);
    CHECK(r.snapshot_count >= 1);
    for (i = 0; i < r.snapshot_count; i++) {
        int want = expected_users(CPF_LOAD_SPIKE, r.snapshots[i].t_ms, 600);
        CHECK_MSG(want < 0 || r.snapshots[i].threads == want, "snapshot at %.3f ms: %d users, expected %d",
                  r.snapshots[i].t_ms, r.snapshots[i].threads, want);
    }
    CHECK(r.snapshot_count > 0 && r.snapshots[r.snapshot_count - 1].threads == 2);
    /* users 2 and 3 ran during the spike only: never before it, and fewer
       calls than the two users present all along */
    for (i = 2; i < 4; i++)
        CHECK_MSG(!f.ns[i] || f.ns[i] >= t_before + 240000000u, "user %d first called %.1f ms after the start", i,
                  (double)(f.ns[i] - t_before) / 1e6);
    CHECK(r.calls_per_user[2] + r.calls_per_user[3] < r.calls_per_user[0] + r.calls_per_user[1]);
    cpf_load_result_free(&r);
}

/* two users whose calls take 100 us and 300 us: about 3:1 shares */
static int uneven_op(void *ctx, int user) { (void)ctx; spin_ns(user == 0 ? 100000u : 300000u); return 0; }

static void test_fairness_of_a_run_is_jains_index_of_its_calls_per_user(void)
{
    cpf_load_opts o = load_opts(2, 150);
    cpf_load_result r;
    double s, s2;
    CHECK(cpf_load_run(&o, uneven_op, NULL, &r, NULL, 0) == CPF_OK);
    s = (double)r.calls_per_user[0] + (double)r.calls_per_user[1];
    s2 = (double)r.calls_per_user[0] * (double)r.calls_per_user[0] + (double)r.calls_per_user[1] * (double)r.calls_per_user[1];
    CHECK_NEAR(r.fairness, s * s / (2 * s2), 1e-12);
    /* both users ran - except under valgrind, which runs one thread at a
       time and can leave the second user without a slice for the whole run */
    CHECK(s > 0);
    if (!LOAD_ON_VALGRIND()) CHECK(r.calls_per_user[0] > 0 && r.calls_per_user[1] > 0);
    cpf_load_result_free(&r);
}

static void test_scaling_runs_1_2_and_the_maximum(void)
{
    cpf_scaling_result s;
    cpf_load_opts o = load_opts(0, 60);
    text_buf text;
    int i;
    CHECK(cpf_load_scaling(&o, 3, light_op, NULL, &s, NULL, 0) == CPF_OK);
    CHECK(s.count == 3 && s.points[0].threads == 1 && s.points[1].threads == 2 && s.points[2].threads == 3);
    CHECK(s.points[0].speedup == 1.0 && s.cpus == cpf_cpu_count());
    for (i = 0; i < s.count; i++) {
        CHECK(s.points[i].ops_per_s > 0);
        CHECK_NEAR(s.points[i].efficiency, s.points[i].speedup / s.points[i].threads, 1e-12);
        CHECK_NEAR(s.points[i].speedup, s.points[i].ops_per_s / s.points[0].ops_per_s, 1e-12);
    }
    memset(&text, 0, sizeof text);
    CHECK(cpf_scaling_report_write(&s, "light", CPF_REPORT_CONSOLE, text_write, &text) == CPF_OK);
    CHECK(text.data && strstr(text.data, "speed-up") && strstr(text.data, "efficiency"));
    text_free(&text);
    memset(&text, 0, sizeof text);
    CHECK(cpf_scaling_report_write(&s, "light", CPF_REPORT_JSON, text_write, &text) == CPF_OK);
    CHECK(text.data && strstr(text.data, "\"threads\": 3"));
    text_free(&text);
}
#else
static void test_without_threads_only_one_user_runs(void)
{
    counting c;
    cpf_load_opts o = load_opts(2, 50);
    cpf_load_result r;
    cpf_stress_result sr;
    char msg[200];
    memset(&c, 0, sizeof c);
    CHECK(cpf_load_run(&o, counting_op, &c, &r, msg, sizeof msg) == CPF_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(msg, "CORALPERF_NO_THREADS") != NULL, "%s", msg);
    CHECK(cpf_atomic64_load(&c.calls) == 0);
    o = load_opts(1, 0);
    o.calls = 50;
    CHECK(cpf_load_run(&o, counting_op, &c, &r, msg, sizeof msg) == CPF_OK);
    CHECK(r.calls == 50);
    cpf_load_result_free(&r);
    CHECK(cpf_stress_run(NULL, NULL, counting_op, NULL, &c, &sr, msg, sizeof msg) == CPF_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(msg, "CORALPERF_NO_THREADS") != NULL, "%s", msg);
}
#endif

void tests_load(void)
{
    RUN(test_fairness_index_of_known_shares);
    RUN(test_calls_limit_is_exact_at_one_user);
    RUN(test_open_loop_at_one_user_runs_on_schedule_and_counts_from_the_slot);
    RUN(test_open_loop_rate_is_measured_over_the_whole_duration);
    RUN(test_failures_are_counted);
    RUN(test_invalid_options_are_refused_with_a_message);
    RUN(test_reports_say_it_in_plain_words);
    RUN(test_efficiency_guard_message_and_levels);
#if !defined(CORALPERF_NO_THREADS)
    RUN(test_open_loop_shows_a_stall_that_closed_loop_hides);
    RUN(test_stress_finds_a_racy_counter_from_2_threads);
    RUN(test_stress_passes_a_correct_counter_at_every_thread_count);
    RUN(test_calls_limit_is_exact_across_users_with_warm_up);
    RUN(test_snapshots_lose_no_call_and_stay_bounded);
    RUN(test_ramp_adds_users_evenly_and_snapshots_show_it);
    RUN(test_spike_jumps_to_the_peak_and_back);
    RUN(test_fairness_of_a_run_is_jains_index_of_its_calls_per_user);
    RUN(test_scaling_runs_1_2_and_the_maximum);
#else
    RUN(test_without_threads_only_one_user_runs);
#endif
}
