/* suite_timing.c - a test-suite timing report: which sub-suites are slow,
   are they waiting or computing (CPU time vs wall time), and how much would
   running them on 2 threads save? Each "sub-suite" is a plain function.

   build: cc -O2 -I. -I/usr/include/stb examples/suite_timing.c -lm -pthread -o suite_timing */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <stdio.h>
#include <stdlib.h>

static volatile uint64_t sink; /* results go here, so no work is optimised away */

/* --- the sub-suites: different amounts of computing and waiting ---------- */
static void suite_parser(void)   /* hashes text: CPU only */
{
    static const char line[] = "key=value; other_key = 42; nested = { a = 1, b = [1, 2, 3] }\n";
    uint64_t h = 0;
    int i;
    for (i = 0; i < 3000000; i++) h ^= cpf_hash64(line, sizeof line - 1, (uint64_t)i);
    sink += h;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}
static void suite_sorting(void)  /* sorts 300k numbers: CPU and memory */
{
    size_t i, n = 300000;
    uint32_t *v = (uint32_t *)malloc(n * sizeof *v);
    if (!v) return;
    for (i = 0; i < n; i++) v[i] = (uint32_t)(i * 2654435761u);
    qsort(v, n, sizeof *v, cmp_u32);
    sink += v[n / 2];
    free(v);
}

static void suite_matrix(void)   /* 200 x 200 matrix product: CPU only */
{
    enum { N = 200 };
    static double a[N][N], b[N][N]; /* read-only after the first fill: shared safely */
    double s = 0;
    int i, j, k;
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++) {
            double c = 0;
            for (k = 0; k < N; k++) c += (double)((i + k) % 7) * (double)((k * j) % 5) + a[i][k] * b[k][j];
            s += c;
        }
    sink += (uint64_t)s;
}

static void suite_network(void)  /* waits on a (simulated) server: no CPU */
{
    cpf_sleep_ms(60);
}

static void suite_startup(void)  /* a little of each */
{
    int i;
    uint64_t h = 0;
    for (i = 0; i < 200000; i++) h ^= cpf_hash64(&i, sizeof i, h);
    cpf_sleep_ms(10);
    sink += h;
}

static void suite_database(void) /* computes, waits for I/O, computes */
{
    suite_parser();
    cpf_sleep_ms(25);
    suite_parser();
}

typedef struct task {
    const char *name;
    void (*fn)(void);
    double wall_ms, cpu_ms;      /* measured alone, on the main thread */
} task;

static task tasks[] = {
    { "parser", suite_parser, 0, 0 },   { "sorting", suite_sorting, 0, 0 },
    { "matrix", suite_matrix, 0, 0 },   { "network", suite_network, 0, 0 },
    { "startup", suite_startup, 0, 0 }, { "database", suite_database, 0, 0 },
};
#define NTASKS (int)(sizeof tasks / sizeof tasks[0])

static int slower_first(const void *a, const void *b)
{
    double x = ((const task *)a)->wall_ms, y = ((const task *)b)->wall_ms;
    return (x < y) - (x > y);
}

/* --- the work queue: workers take the next task until none is left ------- */
typedef struct queue {
    cpf_mutex mu;
    int next;
    double cpu_ms[2];            /* CPU time of each worker */
} queue;
typedef struct worker { queue *q; int id; } worker;

static int worker_main(void *arg)
{
    worker *w = (worker *)arg;
    uint64_t c0 = cpf_cpu_ns();
    for (;;) {
        int i;
        cpf_mutex_lock(&w->q->mu);
        i = w->q->next++;
        cpf_mutex_unlock(&w->q->mu);
        if (i >= NTASKS) break;
        tasks[i].fn();
    }
    w->q->cpu_ms[w->id] = (double)(cpf_cpu_ns() - c0) / 1e6;
    return 0;
}

/* Runs every task on `threads` workers (1 or 2); returns the wall time in ms. */
static double run_all(int threads, double *cpu_ms)
{
    queue q;
    worker w[2];
    cpf_thread t[2];
    uint64_t t0;
    int i;
    memset(&q, 0, sizeof q);
    cpf_mutex_init(&q.mu);
    t0 = cpf_now_ns();
    for (i = 0; i < threads; i++) {
        w[i].q = &q;
        w[i].id = i;
        if (i > 0) cpf_thread_start(&t[i], worker_main, &w[i]);
    }
    worker_main(&w[0]);          /* the main thread is worker 0 */
    for (i = 1; i < threads; i++) cpf_thread_join(&t[i], NULL);
    *cpu_ms = q.cpu_ms[0] + (threads > 1 ? q.cpu_ms[1] : 0);
    cpf_mutex_destroy(&q.mu);
    return (double)(cpf_now_ns() - t0) / 1e6;
}

int main(void)
{
    int i;
    double total_wall = 0, total_cpu = 0, wall1, wall2, cpu1, cpu2, speedup;
    /* 1. each sub-suite alone: wall time and this thread's CPU time */
    for (i = 0; i < NTASKS; i++) {
        uint64_t w0 = cpf_now_ns(), c0 = cpf_cpu_ns();
        tasks[i].fn();
        tasks[i].cpu_ms = (double)(cpf_cpu_ns() - c0) / 1e6;
        tasks[i].wall_ms = (double)(cpf_now_ns() - w0) / 1e6;
        total_wall += tasks[i].wall_ms;
        total_cpu += tasks[i].cpu_ms;
    }
    qsort(tasks, NTASKS, sizeof tasks[0], slower_first);
    printf("test-suite timing report (%d sub-suites, %d CPUs)\n\n", NTASKS, cpf_cpu_count());
    printf("rank  sub-suite   wall ms    CPU ms   CPU/wall  share of wall  kind\n");
    for (i = 0; i < NTASKS; i++) {
        double ratio = tasks[i].wall_ms > 0 ? tasks[i].cpu_ms / tasks[i].wall_ms : 0;
        printf("%4d  %-9s %9.1f %9.1f %8.0f%% %13.1f%%  %s\n", i + 1, tasks[i].name, tasks[i].wall_ms, tasks[i].cpu_ms,
               100 * ratio, 100 * tasks[i].wall_ms / total_wall,
               ratio > 0.8 ? "computing" : ratio < 0.2 ? "waiting" : "mixed");
    }
    printf("      total     %9.1f %9.1f %8.0f%%\n\n", total_wall, total_cpu, 100 * total_cpu / total_wall);

    /* 2. the whole set on 1 worker, then on 2, slowest first (the queue hands
       out the longest tasks first, which keeps the two workers' ends close) */
    wall1 = run_all(1, &cpu1);
    wall2 = run_all(2, &cpu2);
    speedup = wall1 / wall2;
    printf("threads   wall ms    CPU ms   speed-up  efficiency\n");
    printf("%7d %9.1f %9.1f %9.2fx %10.0f%%\n", 1, wall1, cpu1, 1.0, 100.0);
    printf("%7d %9.1f %9.1f %9.2fx %10.0f%%\n", 2, wall2, cpu2, speedup, 100 * speedup / 2);
    printf("\nrunning on 2 threads saves %.0f ms of %.0f ms (%.0f%%)%s\n", wall1 - wall2, wall1,
           100 * (wall1 - wall2) / wall1,
           cpf_cpu_count() < 2 ? "; one CPU only: just the waiting overlaps" : "");
    return wall1 > 0 && wall2 > 0 ? 0 : 1;
}
