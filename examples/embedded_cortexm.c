/* embedded_cortexm.c - coralperf on a bare-metal Cortex-M: no threads, no
   files, a board clock, time budgets, a baseline compiled into the firmware
   as a gzip byte array, results over semihosting (or your UART) as a
   baseline stream for the host to store, and the exit code back to the host.

   The clock (examples/cortexm/board_clock.h): the DWT cycle counter when
   it advances, SysTick otherwise (QEMU does not emulate DWT; the M0 has none).

   build (Cortex-M3, QEMU mps2-an385):
     arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -O2 --specs=rdimon.specs \
       -T examples/cortexm/mps2.ld examples/cortexm/startup.c \
       examples/embedded_cortexm.c -I. -I/usr/include/stb -lm -o cm3.elf
   run:
     qemu-system-arm -M mps2-an385 -cpu cortex-m3 -nographic -monitor none \
       -serial none -semihosting-config enable=on,target=native -kernel cm3.elf
   re-record the compiled-in baseline from a run's output:
     sed -n '/^coralperf-baseline /,/^@end$/p' run.log | gzip -9n | xxd -i \
       (paste the bytes into examples/cortexm/baseline_cortexm.h)
   exit code: 0 ok, 1 a benchmark failed or a budget is broken, 2 warnings
   (slower than the baseline, a budget too close to call). */
#include "cortexm/board_clock.h" /* the DWT/SysTick clock hook */

#define CORALPERF_NO_THREADS
#define CORALPERF_NO_FILES
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <stdio.h>
#include <string.h>

#include "cortexm/baseline_cortexm.h" /* cortexm_baseline_gz[]: a .cpb.gz as bytes */

static uint32_t data[256];

static void bench_sum(cpf_bench *b)
{
    size_t n = (size_t)cpf_bench_arg(b), i;
    cpf_bench_set_bytes_per_op(b, (double)(n * sizeof data[0]));
    while (cpf_bench_loop(b)) {
        uint32_t s = 0;
        for (i = 0; i < n; i++) s += data[i];
        cpf_do_not_optimize(s);
    }
}

static void bench_crc32(cpf_bench *b)
{
    cpf_bench_set_bytes_per_op(b, sizeof data);
    while (cpf_bench_loop(b)) {
        const uint8_t *p = (const uint8_t *)data;
        uint32_t c = 0xFFFFFFFFu;
        size_t i;
        int k;
        for (i = 0; i < sizeof data; i++) {
            c ^= p[i];
            for (k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        }
        cpf_do_not_optimize(c);
    }
}

static void bench_memcpy(cpf_bench *b)
{
    static uint8_t dst[1024];
    cpf_bench_set_bytes_per_op(b, sizeof dst);
    while (cpf_bench_loop(b)) {
        memcpy(dst, data, sizeof dst);
        cpf_clobber_memory();
    }
}

#ifdef FORCE_FAILURE
static void bench_fails(cpf_bench *b)
{
    cpf_bench_fail(b, "failed on purpose (FORCE_FAILURE)");
    while (cpf_bench_loop(b)) { }
}
#endif

/* Absolute budgets: what this firmware must meet whatever the baseline says.
   Decided on the median's 95% confidence interval: broken when even its lower
   bound is over the limit, too close to call when the limit is inside it. */
static int check_budgets(const cpf_suite *s)
{
    static const struct { const char *name; double limit_ns; } budgets[] = {
        { "crc32/1k", 50e6 },   /* 50 ms */
        { "memcpy/1k", 5e6 },   /* 5 ms */
    };
    unsigned i;
    int worst = 0;
    for (i = 0; i < sizeof budgets / sizeof budgets[0]; i++) {
        const cpf_result *r = cpf_suite_find(s, budgets[i].name);
        const char *verdict;
        int level;
        if (!r || r->status != CPF_OK) {
            printf("budget %-10s no result: FAIL\n", budgets[i].name);
            worst = 1;
            continue;
        }
        level = r->stats.ci_lo > budgets[i].limit_ns ? 1 : r->stats.ci_hi > budgets[i].limit_ns ? 2 : 0;
        verdict = level == 1 ? "FAIL" : level == 2 ? "WARN (the limit is inside the 95% CI)" : "PASS";
        printf("budget %-10s median %.0f ns, 95%% CI [%.0f, %.0f], limit %.0f ns, margin %.1f%%: %s\n", budgets[i].name,
               r->stats.median, r->stats.ci_lo, r->stats.ci_hi, budgets[i].limit_ns,
               100.0 * (budgets[i].limit_ns - r->stats.median) / budgets[i].limit_ns, verdict);
        if (level == 1 || (level == 2 && worst == 0)) worst = level;
    }
    return worst;
}

static int write_stdout(void *user, const char *s, size_t n)
{
    (void)user;
    return fwrite(s, 1, n, stdout) == n ? 0 : -1;
}

int main(void)
{
    char *argv[] = { (char *)"cortexm", (char *)"--quick", NULL };
    const char *clock_name = board_clock_init();
    cpf_clock_info ci;
    cpf_suite s;
    unsigned i;
    int budget, code;
    for (i = 0; i < 256; i++) data[i] = i * 2654435761u;

    cpf_clock_measure(&ci);
    printf("board clock: %s, resolution %.0f ns, %.0f ns per read, ticks %s\n",
           clock_name, ci.resolution_ns, ci.overhead_ns, ci.has_ticks ? "advance" : "do not advance");

    cpf_suite_init(&s, "cortexm");
    cpf_suite_add_range(&s, "sum", bench_sum, NULL, NULL, 16, 256, 4);
    cpf_suite_add(&s, "crc32/1k", bench_crc32, NULL);
    cpf_suite_add(&s, "memcpy/1k", bench_memcpy, NULL);
#ifdef FORCE_FAILURE /* proves that a failure's exit code reaches the host */
    cpf_suite_add(&s, "forced/failure", bench_fails, NULL);
#endif
    /* The diff against the compiled-in baseline is printed by the run. On
       SysTick (no DWT cycle counter: QEMU, or a Cortex-M0) the times come
       from an emulator or a coarse tick, so a slowdown warns but never
       fails; on a board with a running DWT the kit's defaults apply. */
    if (strncmp(clock_name, "SysTick", 7) == 0) {
        cpf_threshold t;
        memset(&t, 0, sizeof t);
        t.pattern = "*";
        t.fail = 1e9;
        cpf_suite_threshold(&s, &t);
    }
    cpf_suite_set_baseline_mem(&s, cortexm_baseline_gz, sizeof cortexm_baseline_gz);
    cpf_suite_run(&s, 2, argv);
    budget = check_budgets(&s);
    printf("---- results as a baseline stream (store on the host as baselines/cortexm.cpb)\n");
    cpf_suite_write_baseline(&s, write_stdout, NULL);
    /* Timings under QEMU mean little; that the kit ran, compared and
       returned its verdict is what this example proves. */
    code = cpf_suite_finish(&s);
    if (code == 1 || budget == 1) return 1;
    return code == 2 || budget == 2 ? 2 : 0;
}
