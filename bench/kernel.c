/* bench/kernel.c - the workload of known relative cost.

   cpf_bench_chain(x, k) performs k dependent multiply-adds x = x * a + b.
   Every step needs the previous result, so the time is k times the latency
   of a multiply followed by an add: linear in k by construction, and it can
   be neither vectorised nor reordered (floating-point, no -ffast-math, so
   the compiler may not reassociate or fold the chain into a closed form; an
   integer affine recurrence would be folded).

   a = 1 - 2^-20 and b = 2^-20 make x = 1 the attracting fixed point: from a
   start near 1 the values stay finite and normal (no denormal slow paths,
   no overflow). a and b are read from volatile objects once per call, so the
   compiler cannot treat them as constants either. */
#include "kernel.h"

static volatile double cpf__chain_a = 1.0 - 1.0 / 1048576.0;
static volatile double cpf__chain_b = 1.0 / 1048576.0;
static volatile double cpf__chain_seed = 1.0 + 1.0 / 3.0;

double cpf_bench_chain(double x, int k)
{
    const double a = cpf__chain_a, b = cpf__chain_b;
    int i;
    for (i = 0; i < k; i++) x = x * a + b;
    return x;
}

double cpf_bench_chain_seed(void) { return cpf__chain_seed; }
