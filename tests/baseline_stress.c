/* Baseline updates under stress (run by `make test` on POSIX and by the
   windows-mingw stage of `make test-all` under wine):
     1. 8 processes update one baseline at the same time, 10 entries each:
        the file ends valid with all 80 entries (no lost update).
     2. A writer that re-records a 60-entry baseline in a loop is killed
        (SIGKILL / TerminateProcess) at a random moment, N times (default
        200): after every kill the file loads and still has all its entries,
        and at least N/10 of the kills landed while a new file was being
        written (its <file>.tmp was there after the kill): otherwise the
        test would not have shown what it claims.
   The workers are this program run again ("worker" mode), so the test needs
   no fork and runs the Windows lock (LockFileEx) and replace (MoveFileEx)
   paths for real under wine.
   Usage: baseline_stress DIR [kills]. Prints one line per part; exit 0 = ok. */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#if defined(_WIN32)
#include <process.h>
typedef intptr_t proc_t;
static const char *g_self;
static proc_t spawn(const char *mode, const char *a, const char *path)
{
    const char *args[5];
    args[0] = g_self; args[1] = mode; args[2] = a; args[3] = path; args[4] = NULL;
    return _spawnv(_P_NOWAIT, g_self, args);
}
static int wait_ok(proc_t p) { int st = 0; return _cwait(&st, p, 0) != -1 && st == 0; }
static void kill_now(proc_t p) { TerminateProcess((HANDLE)p, 9); { int st; _cwait(&st, p, 0); } }
static void sleep_us(long us) { Sleep((DWORD)(us / 1000)); }
#else
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
typedef pid_t proc_t;
static const char *g_self;
static proc_t spawn(const char *mode, const char *a, const char *path)
{
    proc_t p = fork();
    if (p == 0) {
        execl(g_self, g_self, mode, a, path, (char *)NULL);
        _exit(127);
    }
    return p;
}
static int wait_ok(proc_t p) { int st = 0; return waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0; }
static void kill_now(proc_t p) { int st; kill(p, SIGKILL); waitpid(p, &st, 0); }
static void sleep_us(long us) { struct timespec ts; ts.tv_sec = us / 1000000; ts.tv_nsec = (us % 1000000) * 1000; nanosleep(&ts, NULL); }
#endif

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

/* A kill lands between KILL_AFTER_US and twice that after the start: long
   enough for the worker to be writing (process start-up is slow under wine). */
#if defined(_WIN32)
#define KILL_AFTER_US 300000L
#else
#define KILL_AFTER_US 20000L
#endif

static int worker_concurrent(int k, const char *path)
{
    char msg[400];
    int j;
    for (j = 0; j < 10; j++) {
        char name[32];
        snprintf(name, sizeof name, "proc%d/entry%d", k, j);
        if (!update_one(path, name, 100.0 * (k + 1) + j, (unsigned)(k * 100 + j), msg, sizeof msg)) {
            fprintf(stderr, "process %d: %s\n", k, msg);
            return 1;
        }
    }
    return 0;
}

static int worker_loop(const char *path)
{
    char msg[400];
    unsigned j;
    for (j = 0; j != (unsigned)-1; j++) { /* until killed */
        char name[32];
        snprintf(name, sizeof name, "bench%02u", j % 60);
        update_one(path, name, 50.0 + (double)(j % 97), j, msg, sizeof msg);
    }
    return 0;
}

static int concurrent(const char *dir)
{
    char path[512], msg[400];
    proc_t kids[8];
    int k, ok = 1, j;
    cpf_baseline b;
    snprintf(path, sizeof path, "%s/concurrent.cpb", dir);
    remove(path);
    for (k = 0; k < 8; k++) {
        char num[8];
        snprintf(num, sizeof num, "%d", k);
        kids[k] = spawn("worker-concurrent", num, path);
    }
    for (k = 0; k < 8; k++)
        if (!wait_ok(kids[k])) ok = 0;
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
        proc_t kid;
        FILE *tmp;
        char tmpname[540];
        snprintf(tmpname, sizeof tmpname, "%s.tmp", path);
        remove(tmpname); /* so that one after the kill was being written at the kill */
        kid = spawn("worker-loop", "0", path);
        seed = seed * 1103515245u + 12345u;
        sleep_us(KILL_AFTER_US + (long)((seed >> 8) % (unsigned)KILL_AFTER_US)); /* the worker is writing by then */
        kill_now(kid);
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
    if (ok && mid_write < (rounds >= 10 ? rounds / 10 : 1)) {
        printf("FAIL  only %d of %d kills landed in the middle of writing a new file (%s.tmp there after the kill), "
               "fewer than %d: the kills did not test an interrupted write\n", mid_write, rounds, path, rounds >= 10 ? rounds / 10 : 1);
        ok = 0;
    }
    if (ok)
        printf("ok    killed the writer during updates %d times (%d of them in the middle of writing a new file, at least %d required): the baseline always loads with all 60 entries\n",
               rounds, mid_write, rounds >= 10 ? rounds / 10 : 1);
    return ok;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    int rounds = argc > 2 ? atoi(argv[2]) : 200, ok;
    g_self = argv[0];
    if (argc == 4 && strcmp(argv[1], "worker-concurrent") == 0) return worker_concurrent(atoi(argv[2]), argv[3]);
    if (argc == 4 && strcmp(argv[1], "worker-loop") == 0) return worker_loop(argv[3]);
    ok = concurrent(dir);
    ok = kills(dir, rounds) && ok;
    return ok ? 0 : 1;
}
