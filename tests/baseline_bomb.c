/* A gzip bomb in a .cpb.gz baseline (run by `make test`, built twice: with
   -DCORALPERF_INFLATE_LIMIT=1048576 and with the default 64 MiB limit). The
   baseline API takes no limit of its own, so the build's inflate limit is the
   one that must hold. Loaded from memory and from a file, the bomb (valid
   gzip, twice the limit of zeros) must stop with CPF_ERR_LIMIT and a message
   naming the limit, and the kit's allocations, counted by the allocator hooks,
   must stay within it: no single request above the limit, and at most the
   limit plus the compressed file and the inflater's own state live at once.
   Usage: baseline_bomb DIR. Prints one line per check; exit 0 = ok. */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* the hooks need <stdlib.h> before coralperf.h */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Counting allocator: a 16-byte header keeps each block's size. */
static size_t g_live, g_peak, g_largest;
static void *count_malloc(size_t n)
{
    unsigned char *p = (unsigned char *)malloc(n + 16);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    g_live += n;
    if (g_live > g_peak) g_peak = g_live;
    if (n > g_largest) g_largest = n;
    return p + 16;
}
static void count_free(void *q)
{
    size_t n;
    if (!q) return;
    memcpy(&n, (unsigned char *)q - 16, sizeof n);
    g_live -= n;
    free((unsigned char *)q - 16);
}
static void *count_realloc(void *q, size_t n)
{
    size_t old = 0;
    unsigned char *p;
    if (!q) return count_malloc(n);
    memcpy(&old, (unsigned char *)q - 16, sizeof old);
    p = (unsigned char *)realloc((unsigned char *)q - 16, n + 16);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    g_live = g_live - old + n;
    if (g_live > g_peak) g_peak = g_live;
    if (n > g_largest) g_largest = n;
    return p + 16;
}
#define CORALPERF_MALLOC(c, n) count_malloc(n)
#define CORALPERF_REALLOC(c, p, n) count_realloc(p, n)
#define CORALPERF_FREE(c, p) count_free(p)
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include "gzip_bomb.h"

#if defined(CORALPERF_INFLATE_LIMIT)
#define LIMIT ((size_t)(CORALPERF_INFLATE_LIMIT))
#else
#define LIMIT CPF_INFLATE_LIMIT_DEFAULT
#endif
#define STATE_SLACK ((size_t)64 << 10) /* the inflater's state and tables, the baseline struct */

static void reset(void) { g_peak = g_live; g_largest = 0; }

/* One load: status, message and the allocations it made. */
static int judge(const char *what, cpf_status st, const char *msg, const cpf_baseline *b, size_t extra)
{
    char want[120];
    int ok;
    snprintf(want, sizeof want, "inflated output exceeds the limit of %lu bytes", (unsigned long)LIMIT);
    ok = st == CPF_ERR_LIMIT && strstr(msg, want) != NULL && b->count == 0 && b->entries == NULL &&
         g_largest <= LIMIT && g_peak <= LIMIT + extra + STATE_SLACK;
    printf("%s  %s: %s (\"%s\"); largest allocation %lu, peak %lu bytes live, limit %lu\n", ok ? "ok  " : "FAIL", what,
           cpf_status_text(st), msg, (unsigned long)g_largest, (unsigned long)g_peak, (unsigned long)LIMIT);
    return ok;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    char path[512], msg[400];
    size_t n = 0, before;
    unsigned char *bomb = gzip_bomb(2 * LIMIT / 258, &n); /* twice the limit; plain malloc, not counted */
    cpf_baseline b;
    cpf_status st;
    FILE *f;
    int ok = 1;
    if (!bomb) { printf("FAIL  out of memory building the bomb\n"); return 1; }
    printf("      a valid gzip member of %lu bytes that inflates to %lu bytes\n", (unsigned long)n,
           (unsigned long)(1 + 258 * (2 * LIMIT / 258)));
    before = g_live;
    reset();
    st = cpf_baseline_load_mem(&b, bomb, n, msg, sizeof msg);
    ok = judge("cpf_baseline_load_mem", st, msg, &b, 0) && ok;
    cpf_baseline_free(&b);
    snprintf(path, sizeof path, "%s/bomb.cpb.gz", dir);
    f = fopen(path, "wb");
    if (!f || fwrite(bomb, 1, n, f) != n || fclose(f) != 0) { printf("FAIL  cannot write %s\n", path); return 1; }
    reset();
    st = cpf_baseline_load(&b, path, msg, sizeof msg);
    /* the file is read whole first: its buffer grows by doubling from 64 KiB */
    ok = judge("cpf_baseline_load", st, msg, &b, 2 * n + 65536) && ok;
    ok = ok && strncmp(msg, path, strlen(path)) == 0;
    cpf_baseline_free(&b);
    if (g_live != before) { printf("FAIL  %lu bytes still allocated after the loads\n", (unsigned long)(g_live - before)); ok = 0; }
    remove(path);
    free(bomb);
    return ok ? 0 : 1;
}
