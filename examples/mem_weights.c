/* mem_weights.c - memory questions of a model-weights store: what does
   loading a tensor cost in time and memory, does repeated loading leak, and
   how high does memory go during a burst of loads?

   build: cc -O2 -I. -I/usr/include/stb examples/mem_weights.c -lm -pthread -o mem_weights */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct tensor { int rows, cols; float *data; } tensor;

/* "Loads" a rows x cols float32 tensor: allocate through the counting
   allocator and fill it, as a parser filling weights from a file would. */
static tensor *tensor_load(int rows, int cols)
{
    tensor *t = (tensor *)cpf_malloc(sizeof *t);
    size_t i, n = (size_t)rows * (size_t)cols;
    if (!t) return NULL;
    t->rows = rows;
    t->cols = cols;
    t->data = (float *)cpf_malloc(n * sizeof *t->data);
    if (!t->data) { cpf_free(t); return NULL; }
    for (i = 0; i < n; i++) t->data[i] = (float)(i % 1000) * 0.001f;
    return t;
}
static void tensor_free(tensor *t) { if (t) { cpf_free(t->data); cpf_free(t); } }

/* one load-and-release cycle, for the leak check */
static void load_release(void *ctx) { int n = *(int *)ctx; tensor_free(tensor_load(n, n)); }

int main(void)
{
    static const int sizes[3] = { 100, 500, 1000 };
    cpf_leak_result leak;
    cpf_mem_monitor mon;
    int i, n = 500;
    uint64_t rss;
    if (cpf_mem_rss(&rss) != CPF_OK) { printf("this platform reports no RSS (%s)\n", cpf_mem_source()); return 0; }
    printf("memory source: %s\n\n", cpf_mem_source());
    printf("%-10s %12s %12s %12s %10s\n", "tensor", "load time", "payload", "RSS growth", "overhead");
    for (i = 0; i < 3; i++) {
        uint64_t r0 = 0, r1 = 0, t0, t1;
        double payload = (double)sizes[i] * sizes[i] * sizeof(float);
        tensor *t;
        cpf_mem_rss(&r0);
        t0 = cpf_now_ns();
        t = tensor_load(sizes[i], sizes[i]);
        t1 = cpf_now_ns();
        cpf_mem_rss(&r1);
        /* overhead = RSS growth / payload: 1.00 means no memory beyond the data */
        printf("%4dx%-5d %9.3f ms %9.2f MiB %9.2f MiB %9.2fx\n", sizes[i], sizes[i], (double)(t1 - t0) / 1e6,
               payload / 1048576.0, ((double)r1 - (double)r0) / 1048576.0, ((double)r1 - (double)r0) / payload);
        tensor_free(t);
    }

    if (cpf_leak_check(load_release, &n, 50, NULL, &leak) == CPF_OK)
        printf("\nleak check, 50 repeated loads of 500x500: %s\n  %s\n", leak.verdict.ok ? "PASS" : "FAIL", leak.verdict.message);

    if (cpf_mem_monitor_start(&mon, 2.0) == CPF_OK) {
        tensor *burst[8];
        for (i = 0; i < 8; i++) burst[i] = tensor_load(1000, 1000);   /* 8 x 3.8 MiB at once */
        cpf_sleep_ms(20);
        for (i = 0; i < 8; i++) tensor_free(burst[i]);
        cpf_mem_monitor_stop(&mon);
        printf("\nburst of 8 loads of 1000x1000 (30.5 MiB payload): peak RSS %.1f MiB, %.1f MiB above the start (%llu samples at 2 ms)\n",
               (double)cpf_mem_monitor_peak(&mon) / 1048576.0, (double)cpf_mem_monitor_growth(&mon) / 1048576.0,
               (unsigned long long)mon.samples);
    }
    return leak.verdict.ok ? 0 : 1;
}
