/* board_clock.h - a 64-bit cycle clock for Cortex-M boards, for
   CORALPERF_NOW_NS() / CORALPERF_TICKS(). The DWT cycle counter when the
   core has one and it advances; otherwise SysTick as a free-running 24-bit
   down-counter (QEMU does not emulate DWT; Cortex-M0 has none). Both are
   extended to 64 bits here, which needs a read at least every 2^24 cycles
   (0.67 s at 25 MHz): the kit reads the clock around every sample, and
   samples are far shorter. Single-threaded (CORALPERF_NO_THREADS). */
#ifndef BOARD_CLOCK_H
#define BOARD_CLOCK_H
#include <stdint.h>

#ifndef BOARD_CPU_HZ
#define BOARD_CPU_HZ 25000000u /* MPS2 boards clock the core at 25 MHz */
#endif

#define BOARD_DEMCR      (*(volatile uint32_t *)0xE000EDFCu) /* TRCENA: bit 24 */
#define BOARD_DWT_CTRL   (*(volatile uint32_t *)0xE0001000u) /* CYCCNTENA: bit 0, NOCYCCNT: bit 25 */
#define BOARD_DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#define BOARD_DWT_LAR    (*(volatile uint32_t *)0xE0001FB0u) /* unlock key 0xC5ACCE55 (some M7) */
#define BOARD_SYST_CSR   (*(volatile uint32_t *)0xE000E010u) /* ENABLE bit 0, CLKSOURCE bit 2 */
#define BOARD_SYST_RVR   (*(volatile uint32_t *)0xE000E014u)
#define BOARD_SYST_CVR   (*(volatile uint32_t *)0xE000E018u)

static int board_use_dwt;
static uint32_t board_last;
static uint64_t board_cycles64;

static uint64_t board_cycles(void)
{
    uint32_t now;
    if (board_use_dwt) {
        now = BOARD_DWT_CYCCNT;
        board_cycles64 += (uint32_t)(now - board_last);      /* up-counter, 32 bits */
    } else {
        now = BOARD_SYST_CVR;
        board_cycles64 += (board_last - now) & 0x00FFFFFFu; /* down-counter, 24 bits */
    }
    board_last = now;
    return board_cycles64;
}

static uint64_t board_now_ns(void)
{
    return board_cycles() * (1000000000u / BOARD_CPU_HZ);
}

/* Call once at start-up; returns the name of the counter in use. */
static const char *board_clock_init(void)
{
#if !defined(__ARM_ARCH_6M__) /* Cortex-M0/M0+ have no DWT cycle counter */
    volatile int spin;
    BOARD_DEMCR |= 1u << 24;
    BOARD_DWT_LAR = 0xC5ACCE55u;
    BOARD_DWT_CYCCNT = 0;
    BOARD_DWT_CTRL |= 1u;
    for (spin = 0; spin < 1000; spin++) { }
    board_use_dwt = !(BOARD_DWT_CTRL & (1u << 25)) && BOARD_DWT_CYCCNT != 0;
#endif
    if (!board_use_dwt) {
        BOARD_SYST_RVR = 0x00FFFFFFu;
        BOARD_SYST_CVR = 0;
        BOARD_SYST_CSR = (1u << 2) | 1u; /* core clock, enabled, no interrupt */
    }
    board_last = board_use_dwt ? BOARD_DWT_CYCCNT : BOARD_SYST_CVR;
    return board_use_dwt ? "DWT CYCCNT" : "SysTick (DWT absent or not advancing)";
}

#define CORALPERF_NOW_NS() board_now_ns()
#define CORALPERF_TICKS() board_cycles()
#define CORALPERF_TICKS_HZ ((double)BOARD_CPU_HZ)
#endif
