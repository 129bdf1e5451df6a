/* Baseline updates under stress (POSIX; run by `make test`):
     1. 8 processes update one baseline at the same time, 10 entries each:
        the file ends valid with all 80 entries (no lost update).
     2. A writer that re-records a 60-entry baseline in a loop is killed with
        SIGKILL at a random moment, 200 times: after every kill the file
        loads and still has all its entries.
   Usage: baseline_stress DIR [kills]. Prints one line per part; exit 0 = ok. */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

static void fake(cpf_result *r, char *name, double *x, size_t n, double med, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = med * (1.0 + 0.02 * (((double)((seed >> 8) & 0xFFFF) / 65535.0) - 0.5));
    }
    memset(r, 0, sizeof *r);
    r->name = name;
    r->samples_ns = x;
    cpf_stats_compute(x, n, &r->stats);
}

static int update_one(const char *path, const char *name, double med, unsigned seed, char *msg, size_t cap)
{
    cpf_baseline ch;
    cpf_result r;
    double x[30];
    char nm[64];
    cpf_status st;
    memset(&ch, 0, sizeof ch);
    snprintf(nm, sizeof nm, "%s", name);
    fake(&r, nm, x, 30, med, seed);
    st = cpf_baseline_set(&ch, &r, NULL, NULL);
    if (st == CPF_OK) st = cpf_baseline_update_file(path, &ch, NULL, 0, msg, cap);
    cpf_baseline_free(&ch);
    return st == CPF_OK;
}

static int concurrent(const char *dir)
{
    char path[512], msg[400];
    pid_t kids[8];
    int k, ok = 1, j;
    cpf_baseline b;
    snprintf(path, sizeof path, "%s/concurrent.cpb", dir);
    remove(path);
    for (k = 0; k < 8; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            for (j = 0; j < 10; j++) {
                char name[32];
                snprintf(name, sizeof name, "proc%d/entry%d", k, j);
                if (!update_one(path, name, 100.0 * (k + 1) + j, (unsigned)(k * 100 + j), msg, sizeof msg)) {
                    fprintf(stderr, "process %d: %s\n", k, msg);
                    _exit(1);
                }
            }
            _exit(0);
        }
    }
    for (k = 0; k < 8; k++) {
        int status = 0;
        waitpid(kids[k], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ok = 0;
    }
    if (cpf_baseline_load(&b, path, msg, sizeof msg) != CPF_OK) {
        printf("FAIL  8 concurrent writers: the baseline does not load: %s\n", msg);
        return 0;
    }
    for (k = 0; k < 8; k++)
        for (j = 0; j < 10; j++) {
            char name[32];
            snprintf(name, sizeof name, "proc%d/entry%d", k, j);
            if (!cpf_baseline_find(&b, name)) { ok = 0; printf("      lost: %s\n", name); }
        }
    printf("%s  8 concurrent writers x 10 updates: %lu of 80 entries in a valid file\n", ok ? "ok  " : "FAIL",
           (unsigned long)b.count);
    cpf_baseline_free(&b);
    return ok;
}

static int kills(const char *dir, int rounds)
{
    char path[512], msg[400];
    int i, ok = 1, mid_write = 0;
    unsigned seed = 12345;
    cpf_baseline b;
    snprintf(path, sizeof path, "%s/killed.cpb", dir);
    remove(path);
    for (i = 0; i < 60; i++) {
        char name[32];
        snprintf(name, sizeof name, "bench%02d", i);
        if (!update_one(path, name, 50.0 + i, (unsigned)i, msg, sizeof msg)) { printf("FAIL  setup: %s\n", msg); return 0; }
    }
    for (i = 0; i < rounds && ok; i++) {
        pid_t kid;
        struct timespec ts;
        int status;
        FILE *tmp;
        char tmpname[540];
        snprintf(tmpname, sizeof tmpname, "%s.tmp", path);
        remove(tmpname); /* so that one after the kill was being written at the kill */
        kid = fork();
        if (kid == 0) {
            unsigned j;
            for (j = 0;; j++) {
                char name[32];
                snprintf(name, sizeof name, "bench%02u", j % 60);
                update_one(path, name, 50.0 + (double)(j % 97), j, msg, sizeof msg);
            }
        }
        seed = seed * 1103515245u + 12345u;
        ts.tv_sec = 0;
        ts.tv_nsec = (long)((seed >> 8) % 20000u) * 1000L; /* 0-20 ms */
        nanosleep(&ts, NULL);
        kill(kid, SIGKILL);
        waitpid(kid, &status, 0);
        tmp = fopen(tmpname, "rb");
        if (tmp) { mid_write++; fclose(tmp); }
        if (cpf_baseline_load(&b, path, msg, sizeof msg) != CPF_OK) {
            printf("FAIL  kill %d: the baseline does not load: %s\n", i + 1, msg);
            ok = 0;
        } else if (b.count != 60) {
            printf("FAIL  kill %d: %lu entries instead of 60\n", i + 1, (unsigned long)b.count);
            ok = 0;
        }
        cpf_baseline_free(&b);
    }
    if (ok)
        printf("ok    SIGKILL during updates %d times (%d of them in the middle of writing a new file): the baseline always loads with all 60 entries\n",
               rounds, mid_write);
    return ok;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    int rounds = argc > 2 ? atoi(argv[2]) : 200;
    int ok = concurrent(dir);
    ok = kills(dir, rounds) && ok;
    return ok ? 0 : 1;
}
