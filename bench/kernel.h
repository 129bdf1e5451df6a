/* bench/kernel.h - the workload shared by precision_cpf.c and precision_gb.cc.
   Defined in kernel.c, a translation unit of its own compiled once with -O2
   and linked into both programs, so both measure the very same machine code. */
#ifndef CPF_BENCH_KERNEL_H
#define CPF_BENCH_KERNEL_H
#ifdef __cplusplus
extern "C" {
#endif

/* k dependent floating-point multiply-adds x = x * a + b; returns the last x.
   Its cost is k times the latency of one multiply plus one add. */
double cpf_bench_chain(double x, int k);

/* The start value of the chain (a run-time value the compiler cannot see). */
double cpf_bench_chain_seed(void);

#ifdef __cplusplus
}
#endif
#endif
