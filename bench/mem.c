/* bench/mem.c - what the memory probes and the counting allocator cost, side
   by side in one run with what a C programmer would otherwise do.
   Goals (issue): cpf_mem_rss at least 3x faster than open/read/close of
   /proc/self/statm; the counting allocator adds under 10 ns to a
   malloc/free pair. Linux only (the peers are Linux calls). */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

static void bench_cpf_rss(cpf_bench *b) { while (cpf_bench_loop(b)) { uint64_t r; cpf_mem_rss(&r); cpf_do_not_optimize(r); } }
static void bench_statm(cpf_bench *b)
{
    while (cpf_bench_loop(b)) {
        char buf[128];
        int fd = open("/proc/self/statm", O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
        if (fd >= 0) close(fd);
        cpf_do_not_optimize(n);
    }
}
static void bench_getrusage(cpf_bench *b) { while (cpf_bench_loop(b)) { struct rusage ru; getrusage(RUSAGE_SELF, &ru); cpf_do_not_optimize(ru.ru_maxrss); } }
static void bench_malloc(cpf_bench *b) { while (cpf_bench_loop(b)) { void *p = malloc(64); cpf_do_not_optimize(p); free(p); } }
static void bench_cpf_malloc(cpf_bench *b) { while (cpf_bench_loop(b)) { void *p = cpf_malloc(64); cpf_do_not_optimize(p); cpf_free(p); } }

int main(int argc, char **argv)
{
    cpf_suite s;
    double rss, statm, gru, m, cm;
    int rc;
    cpf_suite_init(&s, "mem");
    cpf_suite_add(&s, "cpf_mem_rss", bench_cpf_rss, NULL);
    cpf_suite_add(&s, "open/read/close statm", bench_statm, NULL);
    cpf_suite_add(&s, "getrusage", bench_getrusage, NULL);
    cpf_suite_add(&s, "malloc+free 64 B", bench_malloc, NULL);
    cpf_suite_add(&s, "cpf_malloc+cpf_free 64 B", bench_cpf_malloc, NULL);
    cpf_suite_run(&s, argc, argv);
    rss = cpf_suite_find(&s, "cpf_mem_rss")->stats.median;
    statm = cpf_suite_find(&s, "open/read/close statm")->stats.median;
    gru = cpf_suite_find(&s, "getrusage")->stats.median;
    m = cpf_suite_find(&s, "malloc+free 64 B")->stats.median;
    cm = cpf_suite_find(&s, "cpf_malloc+cpf_free 64 B")->stats.median;
    printf("\n== memory probes and the counting allocator (median per call)\n");
    printf("   cpf_mem_rss (kept-open statm, pread)  %8.0f ns\n", rss);
    printf("   open/read/close /proc/self/statm      %8.0f ns   cpf_mem_rss is %.1fx faster   goal >= 3x: %s\n",
           statm, statm / rss, statm / rss >= 3.0 ? "PASS" : "MISS");
    printf("   getrusage (peak only, KiB)            %8.0f ns   (%.2fx cpf_mem_rss)\n", gru, gru / rss);
    printf("   malloc+free 64 B                      %8.2f ns\n", m);
    printf("   cpf_malloc+cpf_free 64 B              %8.2f ns   adds %.2f ns   goal < 10 ns: %s\n",
           cm, cm - m, cm - m < 10.0 ? "PASS" : "MISS");
    rc = cpf_suite_finish(&s);
    return rc;
}
