/* embedded_cortexm.c - coralperf on a bare-metal Cortex-M: no threads, no
   files, a board clock, results over semihosting (or your UART), and the
   exit code back to the host.

   The clock: the DWT cycle counter when the core has one and it advances;
   otherwise SysTick as a free-running 24-bit down-counter (QEMU does not
   emulate DWT, Cortex-M0 has none). Both are extended to 64 bits here, which
   needs a read at least every 2^24 cycles (0.67 s at 25 MHz): the kit reads
   the clock around every sample, and samples are far shorter.

   build (Cortex-M3, QEMU mps2-an385):
     arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -O2 --specs=rdimon.specs \
       -T examples/cortexm/mps2.ld examples/cortexm/startup.c \
       examples/embedded_cortexm.c -I. -I/usr/include/stb -lm -o cm3.elf
   run:
     qemu-system-arm -M mps2-an385 -cpu cortex-m3 -nographic -monitor none \
       -serial none -semihosting-config enable=on,target=native -kernel cm3.elf */
#include <stdint.h>

#ifndef BOARD_CPU_HZ
#define BOARD_CPU_HZ 25000000u /* MPS2 boards clock the core at 25 MHz */
#endif

#define DEMCR      (*(volatile uint32_t *)0xE000EDFCu) /* TRCENA: bit 24 */
#define DWT_CTRL   (*(volatile uint32_t *)0xE0001000u) /* CYCCNTENA: bit 0, NOCYCCNT: bit 25 */
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#define DWT_LAR    (*(volatile uint32_t *)0xE0001FB0u) /* unlock key 0xC5ACCE55 (some M7) */
#define SYST_CSR   (*(volatile uint32_t *)0xE000E010u) /* ENABLE bit 0, CLKSOURCE bit 2 */
#define SYST_RVR   (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR   (*(volatile uint32_t *)0xE000E018u)

static int board_use_dwt;
static uint32_t board_last;
static uint64_t board_cycles64;

static uint64_t board_cycles(void)
{
    uint32_t now;
    if (board_use_dwt) {
        now = DWT_CYCCNT;
        board_cycles64 += (uint32_t)(now - board_last);        /* up-counter, 32 bits */
    } else {
        now = SYST_CVR;
        board_cycles64 += (board_last - now) & 0x00FFFFFFu;   /* down-counter, 24 bits */
    }
    board_last = now;
    return board_cycles64;
}

static uint64_t board_now_ns(void)
{
    return board_cycles() * (1000000000u / BOARD_CPU_HZ);
}

static const char *board_clock_init(void)
{
#if !defined(__ARM_ARCH_6M__) /* Cortex-M0/M0+ have no DWT cycle counter */
    volatile int spin;
    DEMCR |= 1u << 24;
    DWT_LAR = 0xC5ACCE55u;
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;
    for (spin = 0; spin < 1000; spin++) { }
    board_use_dwt = !(DWT_CTRL & (1u << 25)) && DWT_CYCCNT != 0;
#endif
    if (!board_use_dwt) {
        SYST_RVR = 0x00FFFFFFu;
        SYST_CVR = 0;
        SYST_CSR = (1u << 2) | 1u; /* core clock, enabled, no interrupt */
    }
    board_last = board_use_dwt ? DWT_CYCCNT : SYST_CVR;
    return board_use_dwt ? "DWT CYCCNT" : "SysTick (DWT absent or not advancing)";
}

#define CORALPERF_NO_THREADS
#define CORALPERF_NO_FILES
#define CORALPERF_NOW_NS() board_now_ns()
#define CORALPERF_TICKS() board_cycles()
#define CORALPERF_TICKS_HZ ((double)BOARD_CPU_HZ)
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
