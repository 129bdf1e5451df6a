/* startup.c - the vector table for the Cortex-M examples. Reset enters
   newlib's rdimon crt0 (_start), which clears .bss, sets up semihosting
   (printf, exit codes) and calls main. Faults stop in a loop; the host-side
   timeout then reports the failure. */
#include <stdint.h>

extern void _start(void);
extern uint32_t __stack_top;

static void cortexm_fault(void)
{
    for (;;) { }
}

typedef void (*cortexm_vector)(void);

__attribute__((used, section(".isr_vector")))
const cortexm_vector cortexm_vectors[16] = {
    (cortexm_vector)(uintptr_t)&__stack_top, /* initial stack pointer */
    _start,                                   /* reset */
    cortexm_fault,                            /* NMI */
    cortexm_fault,                            /* HardFault */
    cortexm_fault, cortexm_fault, cortexm_fault, /* MemManage, BusFault, UsageFault */
    0, 0, 0, 0,                               /* reserved */
    cortexm_fault,                            /* SVCall */
    cortexm_fault,                            /* DebugMonitor */
    0,                                        /* reserved */
    cortexm_fault,                            /* PendSV */
    cortexm_fault                             /* SysTick (not enabled: counting only) */
};
