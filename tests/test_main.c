/* The unit-test binary: the implementation lives here; each tests/test_*.c
   is a separate translation unit that only includes the header (so this
   binary also proves that two units link without duplicate symbols). */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include "tinytest.h"

tt_state tt;

void tests_clock(void);
void tests_stats(void);
void tests_bench(void);
void tests_suite(void);
void tests_report(void);

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
#define GROUP(g) do { if (!only || strcmp(only, #g) == 0) { printf("== %s\n", #g); tests_##g(); } } while (0)
    GROUP(clock);
    GROUP(stats);
    GROUP(bench);
    GROUP(suite);
    GROUP(report);
    printf("%d passed, %d failed\n", tt.passed, tt.failed);
    return tt.failed ? 1 : 0;
}
