/* load_service.c - a load test of an in-process service: a request handler
   with a cache (behind a mutex) in front of a slow path, driven the four
   usual ways:
     basic      a few users, closed loop: latency and throughput at normal load
     stress     more users than CPUs, the scaling table 1..N users, and a
                thread-safety check of the cache's counters under contention
     spike      open loop at a target rate; the users jump to the peak for a
                fifth of the run and back (does the tail recover?)
     endurance  open loop at a steady rate, with snapshots so drift shows
   Each prints p95/p99, error rate, throughput and a health line; a summary
   ends the run. Durations are short by default (a few seconds in all).

   build: cc -O2 -I. -I/usr/include/stb examples/load_service.c -lm -pthread -o load_service
   run:   ./load_service [--profile=basic|stress|spike|endurance|all] [--seconds=S]
                         [--users=N] [--rate=CALLS_PER_S] [--json]
          e.g. ./load_service --profile=endurance --seconds=600 for ten minutes */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the service ------------------------------------------------------------ */
#define CACHE_SLOTS 1024
#define KEYS 4096                       /* a quarter of the keys fit: ~60% hits after warm-up */

typedef struct service {
    cpf_mutex lock;                     /* guards the cache and its counters */
    uint32_t keys[CACHE_SLOTS];
    uint64_t values[CACHE_SLOTS];
    uint64_t hits, misses, requests;
    uint64_t rng[64];                   /* per user: each user owns its slot */
} service;

static uint64_t next_key(service *s, int user)
{
    uint64_t x = s->rng[user & 63] += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    /* skewed: half the requests go to the 256 hottest keys */
    return (x & 1) ? (x >> 8) % 256 : (x >> 8) % KEYS;
}

static void spin_us(double us)
{
    uint64_t t0 = cpf_now_ns();
    while ((double)(cpf_now_ns() - t0) < us * 1000.0) { }
}

/* The slow path: a "database" that takes ~300 us and fails 1 time in 500. */
static int slow_lookup(uint64_t key, uint64_t *value)
{
    spin_us(300);
    *value = key * 2654435761u;
    return key % 500 == 499 ? 1 : 0;
}

/* One request: the cache, else the slow path (outside the lock), then fill. */
static int handle_request(void *ctx, int user)
{
    service *s = (service *)ctx;
    uint64_t key = next_key(s, user), value;
    size_t slot = (size_t)(key % CACHE_SLOTS);
    int hit;
    cpf_mutex_lock(&s->lock);
    s->requests++;
    hit = s->keys[slot] == (uint32_t)key + 1;
    if (hit) { s->hits++; value = s->values[slot]; }
    else s->misses++;
    cpf_mutex_unlock(&s->lock);
    if (hit) { spin_us(5); cpf_do_not_optimize(value); return 0; } /* render the cached answer */
    if (slow_lookup(key, &value)) return 1;                        /* backend error */
    cpf_mutex_lock(&s->lock);
    s->keys[slot] = (uint32_t)key + 1;
    s->values[slot] = value;
    cpf_mutex_unlock(&s->lock);
    return 0;
}

static void service_reset(void *ctx, int threads)
{
    service *s = (service *)ctx;
    (void)threads;
    cpf_mutex_lock(&s->lock);
    memset(s->keys, 0, sizeof s->keys);
    s->hits = s->misses = s->requests = 0;
    cpf_mutex_unlock(&s->lock);
}

/* The stress invariant: every request is counted once, as a hit or a miss. */
static int service_check(void *ctx, int threads, uint64_t calls_per_user, char *msg, size_t cap)
{
    service *s = (service *)ctx;
    uint64_t want = (uint64_t)threads * calls_per_user;
    if (s->requests == want && s->hits + s->misses == want) return 0;
    snprintf(msg, cap, "%llu requests counted, %llu hits + %llu misses, %llu made", (unsigned long long)s->requests,
             (unsigned long long)s->hits, (unsigned long long)s->misses, (unsigned long long)want);
    return 1;
}

/* --- the load test ------------------------------------------------------------ */
static int to_stdout(void *user, const char *s, size_t n) { (void)user; return fwrite(s, 1, n, stdout) == n ? 0 : 1; }

/* --json: stdout holds one JSON array of the reports; the words go to stderr */
static int json_mode, json_items;
static FILE *words;
static void json_next(void) { if (json_mode) printf(json_items++ ? "," : "["); }

typedef struct outcome { const char *name; int ran; int healthy; double p99_ms, err_pct, ops; char why[256]; } outcome;

static int run_profile(const char *name, const cpf_load_opts *o, service *svc, int json, outcome *out)
{
    cpf_load_result r;
    char msg[256];
    cpf_status st = cpf_load_run(o, handle_request, svc, &r, msg, sizeof msg);
    out->name = name;
    out->ran = st == CPF_OK;
    if (st != CPF_OK) { fprintf(words, "%s: %s\n", name, msg); return 1; }
    json_next();
    cpf_load_report_write(&r, name, json ? CPF_REPORT_JSON : CPF_REPORT_CONSOLE, to_stdout, NULL);
    fprintf(words, "%s: p95 %.3f ms, p99 %.3f ms, error rate %.2f%%, throughput %.0f requests/s\n\n", name, (double)r.p95_ns / 1e6,
           (double)r.p99_ns / 1e6, 100.0 * r.error_rate, r.ops_per_s);
    out->p99_ms = (double)r.p99_ns / 1e6;
    out->err_pct = 100.0 * r.error_rate;
    out->ops = r.ops_per_s;
    out->healthy = cpf_load_health(&r, out->why, sizeof out->why);
    cpf_load_result_free(&r);
    return 0;
}

static int wants(const char *profile, const char *name) { return strcmp(profile, "all") == 0 || strcmp(profile, name) == 0; }

int main(int argc, char **argv)
{
    static service svc;
    const char *profile = "all";
    double seconds = 0;
    int users = 2, json = 0, i, failed = 0, n = 0, cpus = cpf_cpu_count();
    double rate = 2000;
    outcome res[4];
    cpf_load_opts o;
    for (i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--profile=", 10) == 0) profile = argv[i] + 10;
        else if (strncmp(argv[i], "--seconds=", 10) == 0) seconds = atof(argv[i] + 10);
        else if (strncmp(argv[i], "--users=", 8) == 0) users = atoi(argv[i] + 8);
        else if (strncmp(argv[i], "--rate=", 7) == 0) rate = atof(argv[i] + 7);
        else if (strcmp(argv[i], "--json") == 0) json = 1;
        else {
            fprintf(strcmp(argv[i], "--help") == 0 ? stdout : stderr, "usage: %s [--profile=basic|stress|spike|endurance|all] [--seconds=S] [--users=N] [--rate=R] [--json]\n", argv[0]);
            return strcmp(argv[i], "--help") == 0 ? 0 : 1;
        }
    }
    if (users < 1 || rate <= 0 || seconds < 0 || (!wants(profile, "basic") && !wants(profile, "stress") &&
        !wants(profile, "spike") && !wants(profile, "endurance"))) {
        fprintf(stderr, "bad option: users >= 1, rate > 0, seconds >= 0, profile basic|stress|spike|endurance|all\n");
        return 1;
    }
    if (cpus < 1) cpus = 1;
    json_mode = json;
    words = json ? stderr : stdout;
    cpf_mutex_init(&svc.lock);
    memset(res, 0, sizeof res);

    if (wants(profile, "basic")) {
        memset(&o, 0, sizeof o);
        o.threads = users;
        o.duration_ms = seconds > 0 ? seconds * 1000 : 500;
        o.warmup_ms = 100;     /* fill the cache first: cold misses are not the steady state */
        failed |= run_profile("basic", &o, &svc, json, &res[n++]);
    }
    if (wants(profile, "stress")) {
        cpf_scaling_result sc;
        cpf_stress_opts so;
        cpf_stress_result sr;
        char msg[256];
        int top = 2 * cpus > 4 ? 2 * cpus : 4;
        memset(&o, 0, sizeof o);
        o.threads = top;       /* more users than CPUs: queueing shows in the tail */
        o.duration_ms = seconds > 0 ? seconds * 1000 : 500;
        o.warmup_ms = 100;
        failed |= run_profile("stress", &o, &svc, json, &res[n++]);
        o.duration_ms = seconds > 0 ? seconds * 250 : 150;
        if (cpf_load_scaling(&o, top, handle_request, &svc, &sc, msg, sizeof msg) == CPF_OK) {
            cpf_verdict v = cpf_check_efficiency(&sc, 2, 0.7);
            json_next();
            cpf_scaling_report_write(&sc, "stress", json ? CPF_REPORT_JSON : CPF_REPORT_CONSOLE, to_stdout, NULL);
            fprintf(words, "scaling guard: %s %s\n", v.level == CPF_PASS ? "ok  " : v.level == CPF_WARN ? "WARN" : "FAIL", v.message);
        } else { fprintf(words, "scaling: %s\n", msg); failed = 1; }
        memset(&so, 0, sizeof so);
        so.max_threads = top;
        so.rounds = 3;
        so.calls_per_user = 200;
        so.budget_ms = seconds > 0 ? seconds * 1000 : 2000;
        if (cpf_stress_run(&so, service_reset, handle_request, service_check, &svc, &sr, msg, sizeof msg) == CPF_OK)
            fprintf(words, "thread safety of the cache counters: %s%s\n\n", sr.broke_at ? "BROKE: " : "", sr.message);
        else { fprintf(words, "thread safety: %s\n\n", msg); failed = 1; }
        if (sr.broke_at) failed = 1;
    }
    if (wants(profile, "spike")) {
        memset(&o, 0, sizeof o);
        o.profile = CPF_LOAD_SPIKE;
        o.threads = 4 * users;
        o.start_threads = users;
        o.rate = rate * 4;     /* at the peak; rate x users/peak outside it */
        o.duration_ms = seconds > 0 ? seconds * 1000 : 1000;
        o.warmup_ms = 100;
        failed |= run_profile("spike", &o, &svc, json, &res[n++]);
    }
    if (wants(profile, "endurance")) {
        memset(&o, 0, sizeof o);
        o.profile = CPF_LOAD_ENDURANCE;
        o.threads = users;
        o.rate = rate;
        o.duration_ms = seconds > 0 ? seconds * 1000 : 1000;
        o.warmup_ms = 100;
        failed |= run_profile("endurance", &o, &svc, json, &res[n++]);
    }

    if (json) printf(json_items ? "]\n" : "[]\n");
    fprintf(words, "health summary\n");
    for (i = 0; i < n; i++) {
        if (!res[i].ran) { fprintf(words, "  %-10s did not run\n", res[i].name); continue; }
        fprintf(words, "  %-10s p99 %8.3f ms, %5.2f%% errors, %7.0f requests/s: %s%s\n", res[i].name, res[i].p99_ms, res[i].err_pct,
               res[i].ops, res[i].healthy ? "" : "WARN ", res[i].why);
    }
    cpf_mutex_destroy(&svc.lock);
    return failed ? 1 : 0;
}
