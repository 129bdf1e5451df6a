/* bench/load.c - what the load runner adds to each call, side by side in one
   run with the floor: a plain loop calling the same empty operation through
   a function pointer. At 1 user the runner runs on the calling thread; at 2
   users each user is a thread, and both sides run 2 threads at once.
   Per call the runner reads the clock once (the end of one call is the
   start of the next), records the latency in two histograms (whole run and
   the snapshot interval), checks the stop time and acknowledges snapshots.
   Numbers: ns per call per user, median of 5 runs of 300 ms. */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include <stdio.h>

static int empty_op(void *ctx, int user) { (void)ctx; (void)user; return 0; }
static cpf_load_fn volatile op_ptr = empty_op;

#define PLAIN_CALLS 30000000L
typedef struct plain_job { double ns_per_call; } plain_job;
static int plain_loop(void *arg)
{
    plain_job *j = (plain_job *)arg;
    cpf_load_fn f = op_ptr;
    long i;
    int fails = 0;
    uint64_t t0 = cpf_now_ns();
    for (i = 0; i < PLAIN_CALLS; i++) fails += f(NULL, 0);
    cpf_do_not_optimize(fails);
    j->ns_per_call = (double)(cpf_now_ns() - t0) / (double)PLAIN_CALLS;
    return 0;
}

/* Plain loop at 1 or 2 threads: ns per call of the slowest thread. */
static double plain_ns(int threads)
{
    cpf_thread t[2];
    plain_job j[2];
    int i;
    double worst = 0;
    if (threads == 1) { plain_loop(&j[0]); return j[0].ns_per_call; }
    for (i = 0; i < threads; i++) cpf_thread_start(&t[i], plain_loop, &j[i]);
    for (i = 0; i < threads; i++) { cpf_thread_join(&t[i], NULL); if (j[i].ns_per_call > worst) worst = j[i].ns_per_call; }
    return worst;
}

/* Runner, closed loop: wall time x users / calls = ns per call per user. */
static double runner_ns(int users)
{
    cpf_load_opts o;
    cpf_load_result r;
    double ns;
    memset(&o, 0, sizeof o);
    o.threads = users;
    o.duration_ms = 300;
    if (cpf_load_run(&o, empty_op, NULL, &r, NULL, 0) != CPF_OK || r.calls == 0) return 0;
    ns = r.wall_ms * 1e6 * users / (double)r.calls;
    cpf_load_result_free(&r);
    return ns;
}

static int cmp_d(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static double median5(double (*fn)(int), int arg)
{
    double v[5];
    int i;
    for (i = 0; i < 5; i++) v[i] = fn(arg);
    qsort(v, 5, sizeof v[0], cmp_d);
    return v[2];
}

static double clock_ns(int unused)
{
    uint64_t t0 = cpf_now_ns(), sink = 0;
    long i;
    (void)unused;
    for (i = 0; i < 1000000L; i++) sink += cpf_now_ns();
    cpf_do_not_optimize(sink);
    return (double)(cpf_now_ns() - t0) / 1e6;
}

int main(void)
{
    double p1, r1, p2, r2, c;
    /* interleaved, so a neighbour's load hits both sides alike */
    p1 = median5(plain_ns, 1);
    r1 = median5(runner_ns, 1);
    p2 = median5(plain_ns, 2);
    r2 = median5(runner_ns, 2);
    c = median5(clock_ns, 0);
    printf("   empty operation, ns per call per user (median of 5 runs; %d CPUs)\n", cpf_cpu_count());
    printf("   %-9s %16s %16s %10s %16s\n", "users", "plain loop", "load runner", "ratio", "runner overhead");
    printf("   %-9d %13.2f ns %13.2f ns %9.1fx %13.2f ns\n", 1, p1, r1, r1 / p1, r1 - p1);
    printf("   %-9d %13.2f ns %13.2f ns %9.1fx %13.2f ns\n", 2, p2, r2, r2 / p2, r2 - p2);
    printf("   for scale: one cpf_now_ns() costs %.2f ns here; the runner reads the clock once per call\n", c);
    return 0;
}
