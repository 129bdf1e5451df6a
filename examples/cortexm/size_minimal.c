/* size_minimal.c - the smallest useful embedded use of coralperf: time an
   operation with the board clock and summarise the samples (clock + stats).
   Built twice by `make test-all`: with KIT=1 and with KIT=0 (same program,
   the kit calls replaced by a plain sum), so arm-none-eabi-size shows what
   the kit itself costs in flash and RAM. */
#include <stdint.h>
#include <stdlib.h>

#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
static uint64_t now_ns(void) { return (uint64_t)(0x00FFFFFFu - SYST_CVR) * 40u; }

#if KIT
#define CORALPERF_NO_THREADS
#define CORALPERF_NO_FILES
#define CORALPERF_NOW_NS() now_ns()
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#endif

static volatile uint32_t sink;

int main(void)
{
    double samples[31];
    int i, j;
    for (i = 0; i < 31; i++) {
#if KIT
        uint64_t t0 = cpf_now_ns();
#else
        uint64_t t0 = now_ns();
#endif
        for (j = 0; j < 100; j++) sink += (uint32_t)j;
#if KIT
        samples[i] = (double)(cpf_now_ns() - t0);
#else
        samples[i] = (double)(now_ns() - t0);
#endif
    }
#if KIT
    {
        cpf_stats st;
        cpf_sort_doubles(samples, 31);
        if (cpf_stats_compute_sorted(samples, 31, &st) != CPF_OK) return 1;
        return st.median > 0.0 && st.ci_hi >= st.ci_lo ? 0 : 1;
    }
#else
    {
        double s = 0;
        for (i = 0; i < 31; i++) s += samples[i];
        return s > 0.0 ? 0 : 1;
    }
#endif
}
