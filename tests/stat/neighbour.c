/* neighbour.c - the noisy neighbour of `make stat-check`: copies 32 MiB
   back and forth and spins, on whatever core the OS gives it, until it is
   killed (or for the number of seconds given as its argument). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    size_t n = (size_t)32 << 20, i;
    unsigned char *a = (unsigned char *)malloc(n), *b = (unsigned char *)malloc(n);
    double limit = argc > 1 ? atof(argv[1]) : 3600;
    time_t start = time(NULL);
    volatile unsigned long spin = 0;
    if (!a || !b) return 1;
    memset(a, 1, n);
    while (difftime(time(NULL), start) < limit) {
        memcpy(b, a, n);
        memcpy(a, b, n);
        for (i = 0; i < 20000000; i++) spin += i;
    }
    free(a);
    free(b);
    return 0;
}
