/* embedded_cortexm.c - coralperf on a bare-metal Cortex-M: no threads, no
   files, a board clock, results over semihosting (or your UART), and the
   exit code back to the host.

   The clock (examples/cortexm/board_clock.h): the DWT cycle counter when
   it advances, SysTick otherwise (QEMU does not emulate DWT; the M0 has none).

   build (Cortex-M3, QEMU mps2-an385):
     arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -O2 --specs=rdimon.specs \
       -T examples/cortexm/mps2.ld examples/cortexm/startup.c \
       examples/embedded_cortexm.c -I. -I/usr/include/stb -lm -o cm3.elf
   run:
     qemu-system-arm -M mps2-an385 -cpu cortex-m3 -nographic -monitor none \
       -serial none -semihosting-config enable=on,target=native -kernel cm3.elf */
#include "cortexm/board_clock.h" /* the DWT/SysTick clock hook */

#define CORALPERF_NO_THREADS
#define CORALPERF_NO_FILES
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <stdio.h>
#include <string.h>

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

int main(void)
{
    char *argv[] = { (char *)"cortexm", (char *)"--quick", NULL };
    const char *clock_name = board_clock_init();
    cpf_clock_info ci;
    cpf_suite s;
    unsigned i;
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
    cpf_suite_run(&s, 2, argv);
    /* Timings under QEMU mean nothing; that the kit ran and returned its
       verdict is what this example proves. */
    return cpf_suite_finish(&s);
}
