/* Threads, atomics and the lazy loader. The stress tests are meant to run
   under TSan (make test), MinGW + wine and qemu-aarch64 (make test-all);
   without threads (CORALPERF_NO_THREADS, Cortex-M) the single-threaded
   behaviour is checked. Behaviour only: no test asserts a speed. */
#include "coralperf.h"
#include "tinytest.h"
#include <stdlib.h>

void tests_lazy_review(void);

/* --- a resource with many fields: a torn publish would show ---------------- */
#define MODEL_MAGIC 0x5EEDF00Du
typedef struct model { uint32_t magic; int32_t dim; int32_t weights[64]; } model;

static int model_complete(const model *m)
{
    int i;
    if (!m || m->magic != MODEL_MAGIC || m->dim != 64) return 0;
    for (i = 0; i < 64; i++) if (m->weights[i] != i * 3) return 0;
    return 1;
}

static cpf_status load_model(cpf_lazy *l, void *ctx, void **out)
{
    model *m = (model *)malloc(sizeof *m);
    int i;
    (void)l; (void)ctx;
    if (!m) return CPF_ERR_NOMEM;
    for (i = 0; i < 64; i++) m->weights[i] = i * 3;
    m->dim = 64;
    m->magic = MODEL_MAGIC;
    *out = m;
    return CPF_OK;
}
static void free_model(void *ctx, void *res) { (void)ctx; free(res); }

static cpf_lazy_opts model_opts(cpf_lazy_strategy s)
{
    cpf_lazy_opts o;
    memset(&o, 0, sizeof o);
    o.name = "model";
    o.strategy = s;
    o.load = load_model;
    o.destroy = free_model;
    return o;
}

/* --- single-threaded behaviour (also what CORALPERF_NO_THREADS gets) ----- */
static void test_lazy_loads_on_first_get_and_only_once(void)
{
    cpf_lazy l;
    cpf_lazy_opts o = model_opts(CPF_LAZY_ON_FIRST_GET);
    void *a = NULL, *b = NULL;
    CHECK(cpf_lazy_init(&l, &o) == CPF_OK);
    CHECK(cpf_lazy_state_of(&l) == CPF_LAZY_UNLOADED);
    CHECK(!cpf_lazy_is_loaded(&l) && !cpf_lazy_is_loading(&l));
    CHECK(cpf_lazy_peek(&l) == NULL);
    CHECK(cpf_atomic32_load(&l.loads) == 0);
    CHECK(cpf_lazy_get(&l, &a) == CPF_OK);
    CHECK(cpf_lazy_get(&l, &b) == CPF_OK);
    CHECK(a == b && model_complete((model *)a));
    CHECK(cpf_lazy_is_loaded(&l));
    CHECK(cpf_lazy_peek(&l) == a);
    CHECK(cpf_lazy_progress(&l) == 1.0);
    CHECK(cpf_atomic32_load(&l.loads) == 1);
    cpf_lazy_free(&l);
}

static void test_metadata_is_readable_without_loading(void)
{
    cpf_lazy l;
    cpf_lazy_opts o = model_opts(CPF_LAZY_ON_FIRST_GET);
    int64_t dim = 0;
    double ver = 0;
    char name[32];
    cpf_lazy_init(&l, &o);
    CHECK(cpf_lazy_set_meta_int(&l, "dim", 384) == CPF_OK);
    CHECK(cpf_lazy_set_meta_num(&l, "version", 2.5) == CPF_OK);
    CHECK(cpf_lazy_set_meta_text(&l, "name", "mini-embedder") == CPF_OK);
    CHECK(cpf_lazy_meta_int(&l, "dim", &dim) == CPF_OK && dim == 384);
    CHECK(cpf_lazy_meta_num(&l, "version", &ver) == CPF_OK && ver == 2.5);
    CHECK(cpf_lazy_meta_text(&l, "name", name, sizeof name) == CPF_OK && strcmp(name, "mini-embedder") == 0);
    CHECK(cpf_lazy_meta_int(&l, "name", &dim) == CPF_ERR_ARG);      /* wrong type */
    CHECK(cpf_lazy_meta_int(&l, "missing", &dim) == CPF_ERR_ARG);
    CHECK(cpf_lazy_set_meta_int(&l, "a_key_that_is_far_too_long_to_fit", 1) == CPF_ERR_ARG);
    CHECK(cpf_lazy_set_meta_int(&l, "dim", 768) == CPF_OK && cpf_lazy_meta_int(&l, "dim", &dim) == CPF_OK && dim == 768);
    CHECK(cpf_lazy_state_of(&l) == CPF_LAZY_UNLOADED);
    CHECK(cpf_atomic32_load(&l.loads) == 0);
    cpf_lazy_free(&l);
}

static int fail_first_calls;
static cpf_status load_fails_first(cpf_lazy *l, void *ctx, void **out)
{
    int *calls = (int *)ctx;
    if ((*calls)++ < fail_first_calls) {
        cpf_lazy_set_error(l, "weights file is truncated");
        return CPF_ERR_FORMAT;
    }
    return load_model(l, NULL, out);
}

static void test_sticky_failure_is_final(void)
{
    cpf_lazy l;
    cpf_lazy_opts o = model_opts(CPF_LAZY_ON_FIRST_GET);
    int calls = 0;
    void *r = NULL;
    char msg[128];
    fail_first_calls = 1000;
    o.load = load_fails_first;
    o.ctx = &calls;
    o.on_failure = CPF_LAZY_STICKY;
    cpf_lazy_init(&l, &o);
    CHECK(cpf_lazy_get(&l, &r) == CPF_ERR_FORMAT);
    CHECK(cpf_lazy_get(&l, &r) == CPF_ERR_FORMAT);
    CHECK(calls == 1);
    CHECK(cpf_lazy_state_of(&l) == CPF_LAZY_FAILED);
    CHECK(cpf_lazy_last_error(&l, msg, sizeof msg) == CPF_ERR_FORMAT);
    CHECK_STR(msg, "weights file is truncated");
    cpf_lazy_free(&l);
}

static void test_retry_policy_loads_again_after_a_failure(void)
{
    cpf_lazy l;
    cpf_lazy_opts o = model_opts(CPF_LAZY_ON_FIRST_GET);
    int calls = 0;
    void *r = NULL;
    char msg[64];
    fail_first_calls = 1;
    o.load = load_fails_first;
    o.ctx = &calls;
    o.on_failure = CPF_LAZY_RETRY;
    cpf_lazy_init(&l, &o);
    CHECK(cpf_lazy_get(&l, &r) == CPF_ERR_FORMAT);
    CHECK(cpf_lazy_get(&l, &r) == CPF_OK && model_complete((model *)r));
    CHECK(calls == 2);
    CHECK(cpf_lazy_last_error(&l, msg, sizeof msg) == CPF_OK && msg[0] == 0);
    cpf_lazy_free(&l);
}

static void test_init_without_a_loader_is_refused(void)
{
    cpf_lazy l;
    cpf_lazy_opts o = model_opts(CPF_LAZY_ON_FIRST_GET);
    void *r = NULL;
    char msg[16];
    o.load = NULL;
    CHECK(cpf_lazy_init(&l, &o) == CPF_ERR_ARG);
    CHECK(cpf_lazy_get(&l, &r) == CPF_ERR_ARG);   /* the object says so, no crash */
    CHECK(cpf_lazy_init(&l, NULL) == CPF_ERR_ARG);
    CHECK(cpf_lazy_init(NULL, &o) == CPF_ERR_ARG);
    CHECK(cpf_lazy_last_error(NULL, msg, sizeof msg) == CPF_ERR_ARG);
    cpf_lazy_free(&l);                            /* harmless */
}

static cpf_status load_plain_failure(cpf_lazy *l, void *ctx, void **out) { (void)l; (void)ctx; (void)out; return CPF_ERR_IO; }

static void test_default_failure_message_names_the_loader(void)
{
    cpf_lazy l;
    cpf_lazy_opts o = model_opts(CPF_LAZY_ON_FIRST_GET);
    void *r;
    char msg[128];
    o.load = load_plain_failure;
    o.name = "index";
    cpf_lazy_init(&l, &o);
    CHECK(cpf_lazy_get(&l, &r) == CPF_ERR_IO);
    CHECK(cpf_lazy_last_error(&l, msg, sizeof msg) == CPF_ERR_IO);
    CHECK(strstr(msg, "index") != NULL && strstr(msg, "input/output") != NULL);
    cpf_lazy_free(&l);
}

static int destroyed;
static void count_destroy(void *ctx, void *res) { (void)ctx; destroyed++; free(res); }

static void test_free_destroys_a_loaded_resource_once_and_nothing_else(void)
{
    cpf_lazy l;
    cpf_lazy_opts o = model_opts(CPF_LAZY_ON_FIRST_GET);
    void *r;
    o.destroy = count_destroy;
    destroyed = 0;
    cpf_lazy_init(&l, &o);
    cpf_lazy_free(&l);                 /* never loaded: nothing to destroy */
    CHECK(destroyed == 0);
    cpf_lazy_init(&l, &o);
    cpf_lazy_get(&l, &r);
    cpf_lazy_free(&l);
    CHECK(destroyed == 1);
    cpf_lazy_free(&l);                 /* a second free is harmless */
    CHECK(destroyed == 1);
}

static void test_atomics_do_arithmetic_on_64_bit_values(void)
{
    cpf_atomic64 a;
    cpf_atomic32 b;
    cpf_atomic_ptr p;
    int64_t e;
    int32_t e32;
    void *ep;
    int x, y;
    cpf_atomic64_store(&a, (int64_t)1 << 40);
    CHECK(cpf_atomic64_fetch_add(&a, 5) == (int64_t)1 << 40);
    CHECK(cpf_atomic64_load(&a) == ((int64_t)1 << 40) + 5);
    e = 7;
    CHECK(!cpf_atomic64_cas(&a, &e, 9) && e == ((int64_t)1 << 40) + 5);
    CHECK(cpf_atomic64_cas(&a, &e, -3) && cpf_atomic64_load_relaxed(&a) == -3);
    cpf_atomic32_store_relaxed(&b, 2147483647);
    CHECK(cpf_atomic32_fetch_add_relaxed(&b, 0) == 2147483647);
    e32 = 2147483647;
    CHECK(cpf_atomic32_cas(&b, &e32, -1) && cpf_atomic32_load(&b) == -1);
    cpf_atomic_ptr_store(&p, &x);
    ep = &y;
    CHECK(!cpf_atomic_ptr_cas(&p, &ep, &y) && ep == &x);
    CHECK(cpf_atomic_ptr_cas(&p, &ep, &y) && cpf_atomic_ptr_load(&p) == &y);
}

#if !defined(CORALPERF_NO_THREADS)
/* --- threads and contention -------------------------------------------------- */
typedef struct barrier { cpf_mutex mu; cpf_cond cv; int n, waiting, round; } barrier;
static void barrier_init(barrier *b, int n) { cpf_mutex_init(&b->mu); cpf_cond_init(&b->cv); b->n = n; b->waiting = 0; b->round = 0; }
static void barrier_wait(barrier *b)
{
    int round;
    cpf_mutex_lock(&b->mu);
    round = b->round;
    if (++b->waiting == b->n) { b->waiting = 0; b->round++; cpf_cond_broadcast(&b->cv); }
    else while (round == b->round) cpf_cond_wait(&b->cv, &b->mu);
    cpf_mutex_unlock(&b->mu);
}
static void barrier_free(barrier *b) { cpf_cond_destroy(&b->cv); cpf_mutex_destroy(&b->mu); }

static int thread_returns_arg(void *arg) { return *(int *)arg * 2; }

static void test_threads_start_join_and_return_a_result(void)
{
    cpf_thread t[4];
    int args[4] = { 1, 2, 3, 4 }, i, r;
    for (i = 0; i < 4; i++) CHECK(cpf_thread_start(&t[i], thread_returns_arg, &args[i]) == CPF_OK);
    for (i = 0; i < 4; i++) { r = -1; CHECK(cpf_thread_join(&t[i], &r) == CPF_OK && r == args[i] * 2); }
    CHECK(cpf_thread_join(&t[0], &r) == CPF_ERR_ARG);  /* already joined */
    CHECK(cpf_cpu_count() >= 1);
}

typedef struct counters { cpf_atomic32 relaxed32; cpf_atomic64 seq64; cpf_mutex mu; long locked; } counters;
static int count_up(void *arg)
{
    counters *c = (counters *)arg;
    int i;
    for (i = 0; i < 20000; i++) {
        int64_t e;
        cpf_atomic32_fetch_add_relaxed(&c->relaxed32, 1);
        e = cpf_atomic64_load_relaxed(&c->seq64);
        while (!cpf_atomic64_cas(&c->seq64, &e, e + 3)) { }
        cpf_mutex_lock(&c->mu);
        c->locked++;
        cpf_mutex_unlock(&c->mu);
    }
    return 0;
}

static void test_atomics_and_mutex_count_exactly_under_8_threads(void)
{
    counters c;
    cpf_thread t[8];
    int i;
    memset(&c, 0, sizeof c);
    cpf_mutex_init(&c.mu);
    for (i = 0; i < 8; i++) cpf_thread_start(&t[i], count_up, &c);
    for (i = 0; i < 8; i++) cpf_thread_join(&t[i], NULL);
    CHECK(cpf_atomic32_load(&c.relaxed32) == 8 * 20000);
    CHECK(cpf_atomic64_load(&c.seq64) == (int64_t)8 * 20000 * 3);
    CHECK(c.locked == 8 * 20000);
    cpf_mutex_destroy(&c.mu);
}

static void test_cond_timedwait_times_out(void)
{
    cpf_mutex m;
    cpf_cond c;
    cpf_status st;
    uint64_t t0;
    cpf_mutex_init(&m);
    cpf_cond_init(&c);
    cpf_mutex_lock(&m);
    t0 = cpf_now_ns();
    do st = cpf_cond_timedwait(&c, &m, 20.0); while (st == CPF_OK && cpf_now_ns() - t0 < 2000000000u);
    cpf_mutex_unlock(&m);
    CHECK(st == CPF_ERR_TIMEOUT);
    CHECK(cpf_now_ns() - t0 >= 15000000u); /* it did wait (timer slack allowed) */
    cpf_cond_destroy(&c);
    cpf_mutex_destroy(&m);
}

/* 64 threads x 1,000 fresh loaders: every loader is raced by all threads at
   once (a barrier per round); exactly one load per loader, and every thread
   sees the complete resource. */
#define STRESS_THREADS 64
#define STRESS_LOADERS 1000
typedef struct stress { cpf_lazy *lazies; barrier bar; cpf_atomic32 bad; } stress;
static int stress_thread(void *arg)
{
    stress *s = (stress *)arg;
    int r;
    for (r = 0; r < STRESS_LOADERS; r++) {
        void *res = NULL;
        barrier_wait(&s->bar);
        if (cpf_lazy_get(&s->lazies[r], &res) != CPF_OK || !model_complete((const model *)res))
            cpf_atomic32_fetch_add(&s->bad, 1);
    }
    return 0;
}

static void test_stress_64_threads_race_on_1000_fresh_loaders(void)
{
    stress s;
    cpf_thread t[STRESS_THREADS];
    cpf_lazy_opts o = model_opts(CPF_LAZY_ON_FIRST_GET);
    int i, loads_ok = 1;
    s.lazies = (cpf_lazy *)malloc(sizeof(cpf_lazy) * STRESS_LOADERS);
    CHECK(s.lazies != NULL);
    if (!s.lazies) return;
    for (i = 0; i < STRESS_LOADERS; i++) cpf_lazy_init(&s.lazies[i], &o);
    barrier_init(&s.bar, STRESS_THREADS);
    cpf_atomic32_store(&s.bad, 0);
    for (i = 0; i < STRESS_THREADS; i++) CHECK(cpf_thread_start(&t[i], stress_thread, &s) == CPF_OK);
    for (i = 0; i < STRESS_THREADS; i++) cpf_thread_join(&t[i], NULL);
    CHECK_MSG(cpf_atomic32_load(&s.bad) == 0, "%d gets saw an error or a half-built resource", (int)cpf_atomic32_load(&s.bad));
    for (i = 0; i < STRESS_LOADERS; i++) {
        if (cpf_atomic32_load(&s.lazies[i].loads) != 1) loads_ok = 0;
        cpf_lazy_free(&s.lazies[i]);
    }
    CHECK_MSG(loads_ok, "some loader ran more than once");
    barrier_free(&s.bar);
    free(s.lazies);
}

/* Failure under contention: every waiter of the failed attempt gets its
   error; under RETRY a later get succeeds and the loader ran exactly twice. */
typedef struct race { cpf_lazy l; barrier bar; cpf_atomic32 ok, failed, wrong_msg; } race;
static int race_thread(void *arg)
{
    race *r = (race *)arg;
    void *res = NULL;
    cpf_status st;
    barrier_wait(&r->bar);
    st = cpf_lazy_get(&r->l, &res);
    if (st == CPF_OK && model_complete((const model *)res)) cpf_atomic32_fetch_add(&r->ok, 1);
    else if (st == CPF_ERR_FORMAT) {
        char msg[64];
        cpf_atomic32_fetch_add(&r->failed, 1);
        if (r->l.opts.on_failure == CPF_LAZY_STICKY &&
            (cpf_lazy_last_error(&r->l, msg, sizeof msg) != CPF_ERR_FORMAT || strcmp(msg, "weights file is truncated") != 0))
            cpf_atomic32_fetch_add(&r->wrong_msg, 1);
        if (r->l.opts.on_failure == CPF_LAZY_RETRY && cpf_lazy_get(&r->l, &res) == CPF_OK && model_complete((const model *)res))
            cpf_atomic32_fetch_add(&r->ok, 1);
    }
    return 0;
}

static void run_race(race *r, cpf_lazy_on_failure policy, int *calls)
{
    cpf_thread t[16];
    cpf_lazy_opts o = model_opts(CPF_LAZY_ON_FIRST_GET);
    int i;
    o.load = load_fails_first;
    o.ctx = calls;
    o.on_failure = policy;
    memset(r, 0, sizeof *r);
    cpf_lazy_init(&r->l, &o);
    barrier_init(&r->bar, 16);
    for (i = 0; i < 16; i++) cpf_thread_start(&t[i], race_thread, r);
    for (i = 0; i < 16; i++) cpf_thread_join(&t[i], NULL);
    barrier_free(&r->bar);
}

static void test_sticky_failure_reaches_every_thread_with_its_message(void)
{
    race r;
    int calls = 0;
    fail_first_calls = 1000;
    run_race(&r, CPF_LAZY_STICKY, &calls);
    CHECK(calls == 1);
    CHECK(cpf_atomic32_load(&r.failed) == 16 && cpf_atomic32_load(&r.ok) == 0);
    CHECK(cpf_atomic32_load(&r.wrong_msg) == 0);
    cpf_lazy_free(&r.l);
}

static void test_retry_under_contention_fails_once_then_loads_once(void)
{
    race r;
    int calls = 0;
    fail_first_calls = 1;
    run_race(&r, CPF_LAZY_RETRY, &calls);
    CHECK_MSG(calls == 2, "loader ran %d times", calls);
    CHECK(cpf_atomic32_load(&r.ok) == 16);     /* everyone ends with the model */
    CHECK(cpf_atomic32_load(&r.failed) >= 1);  /* at least the first loader saw the failure */
    CHECK(cpf_lazy_is_loaded(&r.l));
    cpf_lazy_free(&r.l);
}

/* Background and progressive loading, paced by a gate the test opens. */
typedef struct gate { cpf_mutex mu; cpf_cond cv; int open; } gate;
static void gate_wait(gate *g) { cpf_mutex_lock(&g->mu); while (!g->open) cpf_cond_wait(&g->cv, &g->mu); cpf_mutex_unlock(&g->mu); }
static void gate_open(gate *g) { cpf_mutex_lock(&g->mu); g->open = 1; cpf_cond_broadcast(&g->cv); cpf_mutex_unlock(&g->mu); }

static cpf_status load_progressive(cpf_lazy *l, void *ctx, void **out)
{
    gate *gates = (gate *)ctx;
    model *m = (model *)calloc(1, sizeof *m);
    int i;
    if (!m) return CPF_ERR_NOMEM;
    m->dim = 64;                                 /* stage 1: metadata */
    cpf_lazy_set_meta_int(l, "dim", 64);
    cpf_lazy_set_progress(l, 0.25);
    cpf_lazy_publish_stage(l, 1, m);
    gate_wait(&gates[0]);
    for (i = 0; i < 64; i++) m->weights[i] = i * 3; /* stage 2: weights */
    cpf_lazy_set_progress(l, 0.75);
    cpf_lazy_publish_stage(l, 2, m);
    gate_wait(&gates[1]);
    m->magic = MODEL_MAGIC;                      /* stage 3: complete */
    *out = m;
    return CPF_OK;
}

static void test_progressive_stages_are_usable_before_the_full_load(void)
{
    cpf_lazy l;
    cpf_lazy_opts o = model_opts(CPF_LAZY_PROGRESSIVE);
    gate gates[2];
    void *r = NULL;
    int i;
    int64_t dim = 0;
    for (i = 0; i < 2; i++) { cpf_mutex_init(&gates[i].mu); cpf_cond_init(&gates[i].cv); gates[i].open = 0; }
    o.load = load_progressive;
    o.ctx = gates;
    o.stages = 3;
    CHECK(cpf_lazy_init(&l, &o) == CPF_OK);
    CHECK(cpf_lazy_get_stage(&l, 1, 5000, &r) == CPF_OK && r != NULL && ((model *)r)->dim == 64);
    CHECK(cpf_lazy_meta_int(&l, "dim", &dim) == CPF_OK && dim == 64);
    CHECK(!cpf_lazy_is_loaded(&l) && cpf_lazy_is_loading(&l));
    CHECK(cpf_lazy_progress(&l) >= 0.25 && cpf_lazy_progress(&l) < 1.0);
    /* the loader is held at the gate: a bounded wait must time out */
    CHECK(cpf_lazy_get_timeout(&l, 20, &r) == CPF_ERR_TIMEOUT);
    CHECK(cpf_lazy_get_stage(&l, 2, 20, &r) == CPF_ERR_TIMEOUT);
    gate_open(&gates[0]);
    CHECK(cpf_lazy_get_stage(&l, 2, 5000, &r) == CPF_OK && ((model *)r)->weights[63] == 189);
    gate_open(&gates[1]);
    CHECK(cpf_lazy_get(&l, &r) == CPF_OK && model_complete((model *)r));
    CHECK(cpf_atomic32_load(&l.stage) == 3);
    CHECK(cpf_atomic32_load(&l.loads) == 1);
    cpf_lazy_free(&l);
    for (i = 0; i < 2; i++) { cpf_cond_destroy(&gates[i].cv); cpf_mutex_destroy(&gates[i].mu); }
}

static void test_background_loading_starts_at_init_and_free_joins_it(void)
{
    cpf_lazy l;
    cpf_lazy_opts o = model_opts(CPF_LAZY_BACKGROUND);
    void *r = NULL;
    uint64_t t0;
    CHECK(cpf_lazy_init(&l, &o) == CPF_OK);
    /* without any get(), the thread loads by itself */
    t0 = cpf_now_ns();
    while (!cpf_lazy_is_loaded(&l) && cpf_now_ns() - t0 < 10000000000ull) cpf_sleep_ms(1);
    CHECK(cpf_lazy_is_loaded(&l));
    CHECK(cpf_lazy_get(&l, &r) == CPF_OK && model_complete((model *)r));
    CHECK(cpf_atomic32_load(&l.loads) == 1);
    cpf_lazy_free(&l);
    /* free right after init: joins the loader before destroying */
    destroyed = 0;
    o.destroy = count_destroy;
    cpf_lazy_init(&l, &o);
    cpf_lazy_free(&l);
    CHECK(destroyed == 1);
}
#endif /* !CORALPERF_NO_THREADS */

void tests_lazy(void)
{
    RUN(test_lazy_loads_on_first_get_and_only_once);
    RUN(test_metadata_is_readable_without_loading);
    RUN(test_sticky_failure_is_final);
    RUN(test_retry_policy_loads_again_after_a_failure);
    RUN(test_init_without_a_loader_is_refused);
    RUN(test_default_failure_message_names_the_loader);
    RUN(test_free_destroys_a_loaded_resource_once_and_nothing_else);
    RUN(test_atomics_do_arithmetic_on_64_bit_values);
#if !defined(CORALPERF_NO_THREADS)
    RUN(test_threads_start_join_and_return_a_result);
    RUN(test_atomics_and_mutex_count_exactly_under_8_threads);
    RUN(test_cond_timedwait_times_out);
    RUN(test_stress_64_threads_race_on_1000_fresh_loaders);
    RUN(test_sticky_failure_reaches_every_thread_with_its_message);
    RUN(test_retry_under_contention_fails_once_then_loads_once);
    RUN(test_progressive_stages_are_usable_before_the_full_load);
    RUN(test_background_loading_starts_at_init_and_free_joins_it);
#endif
    tests_lazy_review();
}

/* --- behaviours fixed after review ------------------------------------------ */
static cpf_status load_publish_then_fail(cpf_lazy *l, void *ctx, void **out)
{
    model *m = (model *)calloc(1, sizeof *m);
    (void)ctx; (void)out;
    if (!m) return CPF_ERR_NOMEM;
    m->dim = 64;
    CHECK(cpf_lazy_publish_stage(l, 1, m) == CPF_OK);
    CHECK(cpf_lazy_publish_stage(l, 1, m) == CPF_ERR_ARG);  /* not a later stage */
    CHECK(cpf_lazy_publish_stage(l, 9, m) == CPF_ERR_ARG);  /* beyond `stages` */
    cpf_lazy_set_error(l, "index file is corrupt");
    return CPF_ERR_FORMAT;  /* m now belongs to the lazy object: not freed here */
}

static void test_failure_after_a_published_stage_hides_that_stage(void)
{
    cpf_lazy l;
    cpf_lazy_opts o = model_opts(CPF_LAZY_ON_FIRST_GET);
    void *r = (void *)&r;
    char msg[64];
    o.load = load_publish_then_fail;
    o.stages = 3;
    o.destroy = count_destroy;
    destroyed = 0;
    cpf_lazy_init(&l, &o);
    CHECK(cpf_lazy_get(&l, &r) == CPF_ERR_FORMAT && r == NULL);
    CHECK(cpf_lazy_get_stage(&l, 1, 10, &r) == CPF_ERR_FORMAT && r == NULL);
    CHECK(cpf_lazy_peek(&l) == NULL);
    CHECK(cpf_lazy_last_error(&l, msg, sizeof msg) == CPF_ERR_FORMAT);
    CHECK_STR(msg, "index file is corrupt");
    CHECK(cpf_lazy_publish_stage(&l, 2, NULL) == CPF_ERR_ARG); /* not during a load */
    cpf_lazy_free(&l);
    CHECK(destroyed == 1);                  /* the published stage, freed once */
}

#if !defined(CORALPERF_NO_THREADS)
static cpf_status load_slow(cpf_lazy *l, void *ctx, void **out) { cpf_sleep_ms(50); return load_model(l, ctx, out); }

static void test_huge_and_infinite_timeouts_wait_for_the_load(void)
{
    cpf_lazy l;
    cpf_lazy_opts o = model_opts(CPF_LAZY_BACKGROUND);
    void *r = NULL;
    o.load = load_slow;
    cpf_lazy_init(&l, &o);
    CHECK(cpf_lazy_get_timeout(&l, 1e300, &r) == CPF_OK && model_complete((model *)r));
    cpf_lazy_free(&l);
    cpf_lazy_init(&l, &o);
    CHECK(cpf_lazy_get_timeout(&l, 2e13, &r) == CPF_OK && model_complete((model *)r));
    cpf_lazy_free(&l);
}

/* RETRY with a loader that always fails: every get() returns a failure (the
   one it waited on or ran, never a hang, never a success) with its message. */
static cpf_status load_always_fails(cpf_lazy *l, void *ctx, void **out)
{
    (void)ctx; (void)out;
    cpf_sleep_ms(1);
    cpf_lazy_set_error(l, "model server unreachable");
    return CPF_ERR_IO;
}
typedef struct retry_race { cpf_lazy l; barrier bar; cpf_atomic32 errors, bad; } retry_race;
static int retry_thread(void *arg)
{
    retry_race *r = (retry_race *)arg;
    int i;
    barrier_wait(&r->bar);
    for (i = 0; i < 20; i++) {
        void *res = (void *)&res;
        char msg[64];
        if (cpf_lazy_get(&r->l, &res) == CPF_ERR_IO && res == NULL) cpf_atomic32_fetch_add(&r->errors, 1);
        else cpf_atomic32_fetch_add(&r->bad, 1);
        if (cpf_lazy_last_error(&r->l, msg, sizeof msg) != CPF_ERR_IO || strcmp(msg, "model server unreachable") != 0)
            cpf_atomic32_fetch_add(&r->bad, 1);
    }
    return 0;
}

static void test_retry_waiters_get_the_failure_they_waited_on(void)
{
    retry_race r;
    cpf_thread t[8];
    cpf_lazy_opts o = model_opts(CPF_LAZY_ON_FIRST_GET);
    int i;
    memset(&r, 0, sizeof r);
    o.load = load_always_fails;
    o.on_failure = CPF_LAZY_RETRY;
    cpf_lazy_init(&r.l, &o);
    barrier_init(&r.bar, 8);
    for (i = 0; i < 8; i++) cpf_thread_start(&t[i], retry_thread, &r);
    for (i = 0; i < 8; i++) cpf_thread_join(&t[i], NULL);
    CHECK(cpf_atomic32_load(&r.errors) == 8 * 20);
    CHECK_MSG(cpf_atomic32_load(&r.bad) == 0, "%d bad answers", (int)cpf_atomic32_load(&r.bad));
    /* each get ran or waited on at most a couple of attempts: far fewer loads than gets */
    CHECK(cpf_atomic32_load(&r.l.loads) <= 8 * 20);
    barrier_free(&r.bar);
    cpf_lazy_free(&r.l);
}
#endif

void tests_lazy_review(void)
{
    RUN(test_failure_after_a_published_stage_hides_that_stage);
#if !defined(CORALPERF_NO_THREADS)
    RUN(test_huge_and_infinite_timeouts_wait_for_the_load);
    RUN(test_retry_waiters_get_the_failure_they_waited_on);
#endif
}
