/* bench/lazy.c - what the lazy loader's hot paths cost, side by side in one
   run with the peers a C programmer would otherwise use: a plain load of a
   pointer (the floor) and pthread_once's fast path (the usual "load once").
   Then the same get() from 1 and from 2 threads at once: the fast path
   writes no shared memory, so each thread should keep its speed.
   Goals (issue): is_loaded and get within 1.2x of pthread_once, under 2 ns. */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int the_model = 42;
static void *volatile plain_ptr = &the_model;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_value;
static void once_init(void) { once_value = 42; }
static cpf_lazy lazy;

static cpf_status load(cpf_lazy *l, void *ctx, void **out) { (void)l; (void)ctx; *out = &the_model; return CPF_OK; }

static void bench_plain(cpf_bench *b) { while (cpf_bench_loop(b)) { void *p = plain_ptr; cpf_do_not_optimize(p); } }
static void bench_once(cpf_bench *b) { while (cpf_bench_loop(b)) { pthread_once(&once, once_init); cpf_do_not_optimize(once_value); } }
static void bench_is_loaded(cpf_bench *b) { while (cpf_bench_loop(b)) { int v = cpf_lazy_is_loaded(&lazy); cpf_do_not_optimize(v); } }
static void bench_get(cpf_bench *b)
{
    while (cpf_bench_loop(b)) {
        void *r;
        cpf_lazy_get(&lazy, &r);
        cpf_do_not_optimize(r);
    }
}

/* --- 1 vs 2 threads: fixed work per thread, wall time ------------------- */
#define SCALE_OPS 20000000L
typedef struct job { int kind; double ns_per_op; } job;
static int run_job(void *arg)
{
    job *j = (job *)arg;
    long i;
    uint64_t t0 = cpf_now_ns();
    for (i = 0; i < SCALE_OPS; i++) {
        if (j->kind == 0) { void *r; cpf_lazy_get(&lazy, &r); cpf_do_not_optimize(r); }
        else { pthread_once(&once, once_init); cpf_do_not_optimize(once_value); }
    }
    j->ns_per_op = (double)(cpf_now_ns() - t0) / (double)SCALE_OPS;
    return 0;
}
static double per_thread_ns(int kind, int threads)
{
    cpf_thread t[2];
    job j[2];
    int i;
    double worst = 0;
    for (i = 0; i < threads; i++) { j[i].kind = kind; cpf_thread_start(&t[i], run_job, &j[i]); }
    for (i = 0; i < threads; i++) { cpf_thread_join(&t[i], NULL); if (j[i].ns_per_op > worst) worst = j[i].ns_per_op; }
    return worst;
}
static double median3(double a, double b, double c)
{
    return a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
}

int main(int argc, char **argv)
{
    cpf_lazy_opts o;
    cpf_suite s;
    void *r;
    double plain, once_ns, isl, get, g1, g2, o1, o2;
    int rc;
    memset(&o, 0, sizeof o);
    o.load = load;
    cpf_lazy_init(&lazy, &o);
    cpf_lazy_get(&lazy, &r);            /* loaded: from now on only fast paths */
    pthread_once(&once, once_init);

    cpf_suite_init(&s, "lazy");
    cpf_suite_add(&s, "plain pointer load", bench_plain, NULL);
    cpf_suite_add(&s, "pthread_once (done)", bench_once, NULL);
    cpf_suite_add(&s, "cpf_lazy_is_loaded", bench_is_loaded, NULL);
    cpf_suite_add(&s, "cpf_lazy_get (loaded)", bench_get, NULL);
    cpf_suite_run(&s, argc, argv);
    plain = cpf_suite_find(&s, "plain pointer load")->stats.median;
    once_ns = cpf_suite_find(&s, "pthread_once (done)")->stats.median;
    isl = cpf_suite_find(&s, "cpf_lazy_is_loaded")->stats.median;
    get = cpf_suite_find(&s, "cpf_lazy_get (loaded)")->stats.median;

    g1 = median3(per_thread_ns(0, 1), per_thread_ns(0, 1), per_thread_ns(0, 1));
    g2 = median3(per_thread_ns(0, 2), per_thread_ns(0, 2), per_thread_ns(0, 2));
    o1 = median3(per_thread_ns(1, 1), per_thread_ns(1, 1), per_thread_ns(1, 1));
    o2 = median3(per_thread_ns(1, 2), per_thread_ns(1, 2), per_thread_ns(1, 2));

    printf("\n== lazy loader fast paths vs peers (median ns per call, loop cost included in all)\n");
    printf("   plain pointer load        %6.3f ns   (floor)\n", plain);
    printf("   pthread_once, done        %6.3f ns\n", once_ns);
    printf("   cpf_lazy_is_loaded        %6.3f ns   %.2fx pthread_once   goal <= 1.2x and < 2 ns: %s\n",
           isl, isl / once_ns, isl <= 1.2 * once_ns && isl < 2.0 ? "PASS" : "MISS");
    printf("   cpf_lazy_get (loaded)     %6.3f ns   %.2fx pthread_once   goal <= 1.2x and < 2 ns: %s\n",
           get, get / once_ns, get <= 1.2 * once_ns && get < 2.0 ? "PASS" : "MISS");
    printf("   get, per thread: 1 thread %.3f ns, 2 threads at once %.3f ns  -> %.2fx (1.00 = perfect scaling)\n", g1, g2, g2 / g1);
    printf("   pthread_once, per thread: 1 thread %.3f ns, 2 threads at once %.3f ns  -> %.2fx\n", o1, o2, o2 / o1);
    printf("   sizeof(cpf_lazy) = %u bytes (metadata table: %u entries of %u bytes)\n",
           (unsigned)sizeof(cpf_lazy), (unsigned)CPF_LAZY_META_MAX, (unsigned)sizeof(cpf_lazy_meta));
    rc = cpf_suite_finish(&s);
    cpf_lazy_free(&lazy);
    return rc;
}
