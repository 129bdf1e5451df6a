/* coralperf.h 0.4.0 - single-header C performance and regression kit
                       https://example.invalid/coralperf (no network needed: copy this file)

   WHAT IT IS
     Timers, robust statistics and a benchmark runner with a suite CLI and
     console/JSON/CSV/Markdown reports, portable threads and atomics, a
     thread-safe lazy-singleton loader and memory sampling (RSS, counting
     allocator, background sampler, leak checks), in one C99 header that also
     compiles as C11, C17 and C++. Later modules (hashing, baselines, guards,
     load runner) arrive in the same file.

   QUICK START (15 lines)
     #define CORALPERF_IMPLEMENTATION      // in exactly one .c file
     #include "coralperf.h"                // needs stb_ds.h on the include path

     static void bench_sum(cpf_bench *b) {
         int64_t n = cpf_bench_arg(b), i, s = 0;
         while (cpf_bench_loop(b)) {
             for (i = 0; i < n; i++) s += i;
             cpf_do_not_optimize(s);
         }
     }
     int main(int argc, char **argv) {
         cpf_suite s;
         cpf_suite_init(&s, "demo");
         cpf_suite_add_range(&s, "sum", bench_sum, NULL, NULL, 16, 4096, 16);
         cpf_suite_run(&s, argc, argv);     // --filter= --list --quick --json= ...
         return cpf_suite_finish(&s);       // 0 ok, 1 a benchmark failed
     }

   TABLE OF CONTENTS
     1. configuration macros        5. statistics (cpf_stats_*)
     2. clock sources               6. benchmark runner (cpf_bench_*)
     3. thread safety               7. suite, CLI and reports (cpf_suite_*, cpf_report_*)
     4. changelog                   8. threads and atomics (cpf_thread_*, cpf_mutex_*,
                                       cpf_cond_*, cpf_atomic*)
                                    9. lazy loader (cpf_lazy_*)
                                    10. memory (cpf_mem_*, cpf_malloc, cpf_leak_check)
                                    11. hashing and dedup (cpf_hash64/128, cpf_hasher_*,
                                        cpf_dedup_*, cpf_tensor_id)
                                    12. license (end of file)

   1. CONFIGURATION MACROS
     "global": define it the same way before every #include of this file.
     "impl":   only needed in the file that defines CORALPERF_IMPLEMENTATION.
     CORALPERF_IMPLEMENTATION     impl   compile the implementation here (one file).
     CORALPERF_STATIC             global every function static (implies IMPLEMENTATION).
     CORALPERF_API                global linkage/decoration of public functions
                                         (default extern; e.g. __declspec(dllexport)).
     CORALPERF_MALLOC(ctx,size)   impl   allocator hooks: define all three or none
     CORALPERF_REALLOC(ctx,p,size)       (#error otherwise); ctx is always NULL
     CORALPERF_FREE(ctx,p)               for now. stb_ds is routed through them.
     CORALPERF_ASSERT(x)          impl   internal assertions (default assert()).
     CORALPERF_STB_DS_INCLUDE     impl   how to include stb_ds.h (default "stb_ds.h").
     CORALPERF_NO_STB_DS_IMPLEMENTATION impl  your program already compiles
                                         STB_DS_IMPLEMENTATION in another file.
     CORALPERF_NOW_NS()           impl   your monotonic nanosecond clock (a
                                         uint64_t expression) for targets the kit
                                         does not know; it wins over the built-ins.
     CORALPERF_NO_FILES           impl   no file I/O (bare metal): report flags and
                                         cpf_report_save say "unsupported"; write
                                         reports through cpf_report_write instead.
     CORALPERF_NO_THREADS         global no threads or atomics anywhere (bare metal,
                                         Cortex-M0). The core kit uses none; later
                                         modules degrade as documented there.
     CORALPERF_HASH_SCALAR        impl   no SIMD in the hash's long-input loop (same results).
     CORALPERF_HASH_ENDIAN        impl   1 little, 0 big, -1 unknown (byte loads); default:
                                         detected at compile time.
     CORALPERF_TICKS()            impl   your cycle counter (uint64_t expression)
     CORALPERF_TICKS_HZ                  and its nominal rate; both or neither.
                                         The kit still calibrates it against
                                         cpf_now_ns().

   2. CLOCK SOURCES (cpf_now_ns / cpf_ticks)
     platform           cpf_now_ns                               cpf_ticks
     Linux, BSD         clock_gettime(CLOCK_MONOTONIC)           x86: lfence;rdtsc;lfence
     macOS              clock_gettime_nsec_np(CLOCK_UPTIME_RAW)  aarch64: isb; mrs cntvct_el0
     Windows            QueryPerformanceCounter (overflow-safe)  x86: __rdtsc + _mm_lfence
     RISC-V Linux       clock_gettime(CLOCK_MONOTONIC)           rdtime (rdcycle traps >= 6.6)
     other / bare metal CORALPERF_NOW_NS() or #error             CORALPERF_TICKS() or the ns clock
     The kit never trusts clock_getres: cpf_clock_measure() measures the
     smallest step the clock really takes and the cost of one read.

   3. THREAD SAFETY
     The kit has no mutable global state. A cpf_suite, a cpf_bench and a
     cpf_result belong to one thread at a time; different threads may run
     different suites. cpf_now_ns, cpf_ticks and the cpf_stats_* functions are
     safe from any thread. A cpf_lazy is meant to be shared: every call but
     cpf_lazy_init and cpf_lazy_free may come from any thread.

   4. CHANGELOG
     0.4.0  2026-11-23  hashing: XXH3-64 and XXH3-128 (cpf_hash64, cpf_hash128,
                        streaming cpf_hasher_*), bit-exact with xxHash 0.8,
                        written from its specification; SSE2/AVX2/NEON paths.
                        Dedup index cpf_dedup_* with exact accounting and
                        byte-for-byte verification; cpf_tensor_id(_python).
     0.3.0  2026-11-23  memory: cpf_mem_rss/peak/peak_reset per platform, the
                        counting allocator cpf_malloc & co., the background
                        sampler cpf_mem_monitor, cpf_leak_check, cpf_mem_below
                        and cpf_verdict, --memory columns in every report.
                        Lazy loader: failed progressive stages are hidden,
                        RETRY waiters keep their failure, huge timeouts wait.
     0.2.0  2026-11-23  portable threads, mutex, condition variable (pthreads,
                        Win32, none) and inline atomics; the lazy-singleton
                        loader cpf_lazy (LAZY, BACKGROUND, PROGRESSIVE; sticky
                        or retry failures; metadata; timeouts);
                        CORALPERF_NO_FILES, CORALPERF_NO_THREADS.
     0.1.0  2026-11-23  first release: clock with measured resolution and
                        overhead, cycle counter, statistics, benchmark runner
                        with calibration, warm-up, adaptive sample count and
                        stability warnings, suite CLI, console/JSON (Google
                        Benchmark schema)/CSV/Markdown reports.

   STATISTICS USED (details at cpf_stats)
     quantiles    Hyndman & Fan type 7 (linear interpolation between order
                  statistics; R's default, numpy's "linear").
     median CI    distribution-free: order statistics whose binomial(n, 1/2)
                  coverage is at least 95% (exact up to n = 5000, normal
                  approximation above); ci_level holds the real coverage.
     outliers     Tukey fences on type-7 quartiles: mild beyond 1.5 IQR, severe
                  beyond 3 IQR.
     MAD          raw median absolute deviation (multiply by 1.4826 for a
                  normal-consistent sigma).
*/
#ifndef CORALPERF_H
#define CORALPERF_H

/* The implementation needs POSIX declarations (clock_gettime, isatty, ...).
   They must be requested before the first system header, so this sits above
   every #include. Nothing is defined when the user chose a feature set. */
#if defined(CORALPERF_STATIC) && !defined(CORALPERF_IMPLEMENTATION)
#define CORALPERF_IMPLEMENTATION
#endif
#if defined(CORALPERF_IMPLEMENTATION) && defined(_MSC_VER) && !defined(_CRT_SECURE_NO_WARNINGS)
#define _CRT_SECURE_NO_WARNINGS /* fopen/strerror/getenv are used correctly here */
#endif
/* Only in strict ISO mode (-std=c99/c11): gnu modes already expose POSIX, and
   defining _POSIX_C_SOURCE there would hide GNU extensions (M_PI, usleep)
   from the user's own code in this file. */
#if defined(CORALPERF_IMPLEMENTATION) && defined(__STRICT_ANSI__) && !defined(_WIN32) && \
    !defined(__APPLE__) && !defined(__FreeBSD__) && !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && \
    !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE) && !defined(_BSD_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>

/* ======================================================================== */
/* ==== public facing API ================================================= */
/* ======================================================================== */

#define CORALPERF_VERSION_MAJOR 0
#define CORALPERF_VERSION_MINOR 4
#define CORALPERF_VERSION_PATCH 0
#define CORALPERF_VERSION (CORALPERF_VERSION_MAJOR * 10000 + CORALPERF_VERSION_MINOR * 100 + CORALPERF_VERSION_PATCH)
#define CORALPERF_VERSION_STRING "0.4.0"

#ifndef CORALPERF_API
#ifdef CORALPERF_STATIC
#define CORALPERF_API static
#else
#define CORALPERF_API extern
#endif
#endif

/* Static functions that a translation unit does not call must not warn. */
#if defined(CORALPERF_STATIC) && (defined(__GNUC__) || defined(__clang__))
#define CPF__UNUSED __attribute__((unused))
#else
#define CPF__UNUSED
#endif
#define CPF_DEF CORALPERF_API CPF__UNUSED

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status ------------------------------------------------------------- */
typedef enum cpf_status {
    CPF_OK = 0,
    CPF_ERR_ARG,         /* an argument is invalid (NULL, zero, out of range) */
    CPF_ERR_NOT_FINITE,  /* a sample is NaN or infinite */
    CPF_ERR_NOMEM,       /* an allocation failed */
    CPF_ERR_IO,          /* a file could not be opened, read or written */
    CPF_ERR_FORMAT,      /* input is malformed */
    CPF_ERR_USAGE,       /* a command-line flag is unknown or has a bad value */
    CPF_ERR_BENCH,       /* a benchmark failed or misused cpf_bench_loop */
    CPF_ERR_UNSUPPORTED, /* the platform cannot do this */
    CPF_ERR_DUPLICATE,   /* a name is registered twice */
    CPF_ERR_TIMEOUT      /* a wait ran out of time */
} cpf_status;

/* One sentence describing a status value (never NULL). */
CPF_DEF const char *cpf_status_text(cpf_status s);

/* Where text output goes: n bytes at s. Returns 0 on success. */
typedef int (*cpf_write_fn)(void *user, const char *s, size_t n);

/* ---- clock -------------------------------------------------------------- */
/* Monotonic clock in nanoseconds (arbitrary origin). */
CPF_DEF uint64_t cpf_now_ns(void);
/* Cycle/tick counter, or cpf_now_ns() where the target has none. */
CPF_DEF uint64_t cpf_ticks(void);
/* Current thread's CPU time in ns, or cpf_now_ns() where unknown. */
CPF_DEF uint64_t cpf_cpu_ns(void);

typedef struct cpf_clock_info {
    const char *source;        /* e.g. "clock_gettime(CLOCK_MONOTONIC)" */
    double resolution_ns;      /* smallest nonzero step actually observed */
    double overhead_ns;        /* median cost of one cpf_now_ns() call */
    const char *ticks_source;  /* e.g. "rdtsc", or "none (uses cpf_now_ns)" */
    int has_ticks;             /* 1 when cpf_ticks() is a real counter */
    int ticks_invariant;       /* 1 known constant-rate, 0 unknown/no */
    double ticks_hz;           /* measured against cpf_now_ns() */
    double ticks_nominal_hz;   /* what the hardware/user says, 0 if unknown */
    double ticks_overhead_ns;  /* median cost of one cpf_ticks() call */
} cpf_clock_info;

/* Measures resolution, read overhead and tick rate (takes about 2-20 ms). */
CPF_DEF cpf_status cpf_clock_measure(cpf_clock_info *out);
/* Converts a tick difference to ns with a measured cpf_clock_info. */
CPF_DEF double cpf_ticks_to_ns(const cpf_clock_info *ci, uint64_t ticks);

/* ---- statistics --------------------------------------------------------- */
typedef struct cpf_stats {
    size_t n;
    double min, max, mean, median;
    double stddev;             /* sample standard deviation (n - 1); 0 when n == 1 */
    double mad;                /* raw median absolute deviation */
    double q1, q3, iqr;        /* type-7 quartiles and q3 - q1 */
    double p10, p90, p95, p99, p999;
    double ci_lo, ci_hi;       /* distribution-free CI of the median */
    double ci_level;           /* its real coverage: >= 0.95 once n >= 6 */
    size_t low_mild, low_severe, high_mild, high_severe; /* Tukey outliers */
} cpf_stats;

/* Statistics of n values (copied, not modified). Rejects n == 0 and NaN/inf. */
CPF_DEF cpf_status cpf_stats_compute(const double *x, size_t n, cpf_stats *out);
/* Same for values already sorted ascending; allocates nothing. */
CPF_DEF cpf_status cpf_stats_compute_sorted(const double *sorted, size_t n, cpf_stats *out);
/* Type-7 quantile (0 <= p <= 1) of sorted values. */
CPF_DEF double cpf_quantile_sorted(const double *sorted, size_t n, double p);
/* Sorts ascending in place (NaN-free input). */
CPF_DEF void cpf_sort_doubles(double *x, size_t n);
/* Ranks (1-based) lo..hi of the order statistics bounding the median with
   coverage >= level (e.g. 0.95); returns the real coverage. */
CPF_DEF double cpf_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi);

/* ---- benchmark runner --------------------------------------------------- */
typedef struct cpf_bench cpf_bench;
typedef void (*cpf_bench_fn)(cpf_bench *b);
typedef void (*cpf_hook_fn)(void *ctx);

/* Zero-initialised options are the defaults shown. */
typedef struct cpf_bench_opts {
    unsigned samples;        /* exact sample count; 0 = adaptive (below) */
    unsigned min_samples;    /* adaptive: at least this many (default 21) */
    unsigned max_samples;    /* adaptive: at most this many (default 101) */
    double target_ci;        /* adaptive: stop once the 95% CI half-width of the
                                median is below this fraction (default 0.01;
                                0.02 quick; negative: never stop early) */
    double min_sample_ms;    /* each sample lasts at least max(this, 1000 x clock
                                resolution) (default 5 ms: long enough to average
                                over timer interrupts and hypervisor pauses, which
                                make 1 ms samples bimodal on VMs) */
    double warmup_ms;        /* run untimed first (default 50 ms, counted from start) */
    double budget_ms;        /* stop sampling after this much time (default 2000) */
    uint64_t iterations;     /* fixed iterations per sample; 0 = calibrate */
    double bytes_per_op;     /* enables bytes/s; also cpf_bench_set_bytes_per_op */
    double items_per_op;     /* enables items/s */
    cpf_hook_fn setup;       /* called before every sample, not timed */
    cpf_hook_fn teardown;    /* called after every sample, not timed */
    int memory;              /* 1: also measure allocations, bytes and RSS growth
                                per op (cpf_malloc counts; RSS from the OS) */
    int quick;               /* 1: quick guard: budget 20 ms, 5..51 samples of
                                >= 0.2 ms, 2 ms warm-up (for unit-test suites) */
} cpf_bench_opts;

/* Warnings a result can carry (bits of cpf_result.warnings). */
#define CPF_WARN_TIMER_COARSE    0x001u /* samples are too short for the clock */
#define CPF_WARN_NOISY           0x002u /* spread (MAD/median) is high */
#define CPF_WARN_UNOPTIMIZED     0x004u /* built without optimisation */
#define CPF_WARN_GOVERNOR        0x008u /* CPU frequency governor not "performance" */
#define CPF_WARN_FEW_SAMPLES     0x010u /* the budget cut the sample count */
#define CPF_WARN_OPTIMIZED_AWAY  0x020u /* faster than any real work can be */
#define CPF_WARN_CI_WIDE         0x040u /* target CI not reached within limits */
#define CPF_WARN_OUTLIERS        0x080u /* > 10% of samples beyond 3 IQR and 5% off */

typedef struct cpf_result {
    char *name;                /* owned copy */
    cpf_status status;         /* CPF_OK, or why the benchmark has no numbers */
    char message[256];         /* error text when status != CPF_OK */
    int skipped;               /* cpf_bench_skip() was called */
    cpf_stats stats;           /* of samples_ns (ns per operation) */
    double *samples_ns;        /* per-op time of each sample, measurement order */
    double *cpu_samples_ns;    /* per-op thread CPU time of each sample */
    uint64_t iterations;       /* per sample (identical for all samples) */
    uint64_t total_iterations; /* measured iterations (warm-up excluded) */
    double cpu_ns_per_op;      /* median of cpu_samples_ns */
    double bytes_per_op, items_per_op;
    double wall_ms;            /* time spent on this benchmark, warm-up included */
    int64_t arg;               /* parameter, when has_arg */
    int has_arg;
    int family, family_instance; /* registration group and index inside it */
    int has_memory;            /* opts.memory was set: the next four are valid */
    double allocs_per_op;      /* cpf_malloc/calloc/realloc calls per operation */
    double alloc_bytes_per_op; /* bytes requested through them per operation */
    int has_rss;               /* the OS reports RSS: rss_growth_bytes is valid */
    double rss_growth_bytes;   /* peak RSS during measurement minus RSS at its start
                                  (end minus start where the peak cannot be reset) */
    unsigned warnings;         /* CPF_WARN_* bits */
    char warning_text[640];    /* the warnings in plain words, '\n'-separated */
} cpf_result;

/* Slow path of cpf_bench_loop (ends a batch, starts the next); not for direct use. */
CPF_DEF int cpf_bench_next_batch(cpf_bench *b);
/* The parameter of a benchmark registered with _add_args/_add_range (0 otherwise). */
CPF_DEF int64_t cpf_bench_arg(const cpf_bench *b);
/* The ctx pointer given at registration. */
CPF_DEF void *cpf_bench_ctx(const cpf_bench *b);
/* Declares how many bytes / items one operation processes (for throughput). */
CPF_DEF void cpf_bench_set_bytes_per_op(cpf_bench *b, double bytes);
CPF_DEF void cpf_bench_set_items_per_op(cpf_bench *b, double items);
/* Marks the benchmark failed with a message; the loop ends at its next check. */
CPF_DEF void cpf_bench_fail(cpf_bench *b, const char *message);
/* Skips the benchmark (not an error) with a reason; the loop ends. */
CPF_DEF void cpf_bench_skip(cpf_bench *b, const char *reason);
/* Runs one benchmark outside a suite (quick guards inside unit tests). */
CPF_DEF cpf_status cpf_bench_run_build(const char *name, cpf_bench_fn fn, void *ctx,
                                       const cpf_bench_opts *opts, cpf_result *out,
                                       int caller_optimized);
/* Releases what a cpf_result owns. */
CPF_DEF void cpf_result_free(cpf_result *r);

/* ---- suite, CLI and reports --------------------------------------------- */
typedef enum cpf_report_format {
    CPF_REPORT_CONSOLE = 0, CPF_REPORT_JSON, CPF_REPORT_CSV, CPF_REPORT_MARKDOWN
} cpf_report_format;

struct cpf__def;
struct cpf__name_index;

/* A suite: zero it or cpf_suite_init it; fields are private. */
typedef struct cpf_suite {
    char *name;
    struct cpf__def **defs;           /* stb_ds array of registered benchmarks */
    struct cpf__name_index *index;    /* stb_ds string map name -> def */
    cpf_result *results;              /* stb_ds array, filled by cpf_suite_run */
    cpf_clock_info clock;
    cpf_bench_opts cli_opts;          /* overrides from the command line */
    char *filter, *json_path, *csv_path, *md_path, *argv0;
    cpf_write_fn out;                 /* console output (default stdout) */
    void *out_user;
    int families, color, list_only, help_only, progress;
    int caller_optimized, exit_code, ran, error_printed;
    char governor[32];
    cpf_status status;
    char message[512];
} cpf_suite;

/* Prepares a suite (records whether the calling file was built optimised). */
CPF_DEF cpf_status cpf_suite_init_build(cpf_suite *s, const char *name, int caller_optimized);
/* Registers a benchmark; ctx is handed back by cpf_bench_ctx. */
CPF_DEF cpf_status cpf_suite_add(cpf_suite *s, const char *name, cpf_bench_fn fn, void *ctx);
/* Same, with options (copied; NULL = defaults). */
CPF_DEF cpf_status cpf_suite_add_opts(cpf_suite *s, const char *name, cpf_bench_fn fn,
                                      void *ctx, const cpf_bench_opts *opts);
/* Registers name/arg for each of n args (e.g. "copy/16", "copy/4096"). */
CPF_DEF cpf_status cpf_suite_add_args(cpf_suite *s, const char *name, cpf_bench_fn fn, void *ctx,
                                      const cpf_bench_opts *opts, const int64_t *args, size_t n);
/* Registers args lo, lo*mult, lo*mult^2, ... and hi itself (lo >= 1, mult >= 2). */
CPF_DEF cpf_status cpf_suite_add_range(cpf_suite *s, const char *name, cpf_bench_fn fn, void *ctx,
                                       const cpf_bench_opts *opts, int64_t lo, int64_t hi,
                                       int64_t mult);
/* Sends console output to w instead of stdout. */
CPF_DEF void cpf_suite_set_output(cpf_suite *s, cpf_write_fn w, void *user);
/* Parses argv, runs the selected benchmarks, prints and writes the reports. */
CPF_DEF cpf_status cpf_suite_run(cpf_suite *s, int argc, char **argv);
/* Frees the suite and returns the exit code: 0 ok, 1 failure/usage error
   (2 = warnings only, reserved for regression guards). */
CPF_DEF int cpf_suite_finish(cpf_suite *s);
/* The last error message ("" when none). */
CPF_DEF const char *cpf_suite_message(const cpf_suite *s);
/* Results of the last run, in run order. */
CPF_DEF size_t cpf_suite_result_count(const cpf_suite *s);
CPF_DEF const cpf_result *cpf_suite_result(const cpf_suite *s, size_t i);
/* The result with this exact name, or NULL. */
CPF_DEF const cpf_result *cpf_suite_find(const cpf_suite *s, const char *name);
/* 1 when name is selected by a filter ("a,b*,-c": substrings or globs; '-' excludes). */
CPF_DEF int cpf_filter_match(const char *filter, const char *name);
/* Writes a report of the suite's results in the given format to w. */
CPF_DEF cpf_status cpf_report_write(const cpf_suite *s, cpf_report_format fmt,
                                    cpf_write_fn w, void *user);
/* Writes a report to a file; on failure s->message says why. */
CPF_DEF cpf_status cpf_report_save(cpf_suite *s, cpf_report_format fmt, const char *path);
/* The usage text of the suite CLI. */
CPF_DEF const char *cpf_suite_usage(void);

/* ---- threads and atomics ------------------------------------------------ */
/* Opaque, fixed-size storage: user files never include <pthread.h> or
   <windows.h>; the implementation checks at compile time that the real
   types fit. All objects must stay in place (not be copied) while in use. */
typedef struct cpf_mutex { union { uint64_t u[8]; void *p; double d; } opaque; } cpf_mutex;
typedef struct cpf_cond { union { uint64_t u[8]; void *p; double d; } opaque; } cpf_cond;
typedef int (*cpf_thread_fn)(void *arg);
typedef struct cpf_thread {
    union { uint64_t u; void *p; } handle;
    cpf_thread_fn fn;
    void *arg;
    int result, started;
} cpf_thread;

/* Starts fn(arg) on a new thread; t must stay in place until joined. */
CPF_DEF cpf_status cpf_thread_start(cpf_thread *t, cpf_thread_fn fn, void *arg);
/* Waits for the thread; *result (optional) receives fn's return value. */
CPF_DEF cpf_status cpf_thread_join(cpf_thread *t, int *result);
/* Gives the CPU to another thread. */
CPF_DEF void cpf_thread_yield(void);
/* Sleeps at least ms milliseconds. */
CPF_DEF void cpf_sleep_ms(unsigned ms);
/* Number of online CPUs (0 when unknown). */
CPF_DEF int cpf_cpu_count(void);
/* Mutex: init before use, destroy after. */
CPF_DEF cpf_status cpf_mutex_init(cpf_mutex *m);
CPF_DEF void cpf_mutex_lock(cpf_mutex *m);
CPF_DEF void cpf_mutex_unlock(cpf_mutex *m);
CPF_DEF void cpf_mutex_destroy(cpf_mutex *m);
/* Condition variable (monotonic clock for timed waits where the OS allows). */
CPF_DEF cpf_status cpf_cond_init(cpf_cond *c);
CPF_DEF void cpf_cond_wait(cpf_cond *c, cpf_mutex *m);
/* Waits at most ms; CPF_ERR_TIMEOUT when the time ran out (spurious wake-ups
   return CPF_OK: re-check your predicate). */
CPF_DEF cpf_status cpf_cond_timedwait(cpf_cond *c, cpf_mutex *m, double ms);
CPF_DEF void cpf_cond_signal(cpf_cond *c);
CPF_DEF void cpf_cond_broadcast(cpf_cond *c);
CPF_DEF void cpf_cond_destroy(cpf_cond *c);

#ifdef __cplusplus
}
#endif

/* ---- inline parts and caller-side macros -------------------------------- */

/* Was the file that uses these macros compiled with optimisation? */
#if defined(__OPTIMIZE__) || (defined(_MSC_VER) && !defined(_DEBUG) && !defined(__clang__))
#define CPF__CALLER_OPTIMIZED 1
#else
#define CPF__CALLER_OPTIMIZED 0
#endif
/* cpf_suite_init(&s, "name"): records the caller's build type (see above). */
#define cpf_suite_init(s, name) cpf_suite_init_build((s), (name), CPF__CALLER_OPTIMIZED)
/* cpf_bench_run(name, fn, ctx, &opts or NULL, &result) */
#define cpf_bench_run(name, fn, ctx, opts, out) \
    cpf_bench_run_build((name), (fn), (ctx), (opts), (out), CPF__CALLER_OPTIMIZED)

/* The runner state. Only cpf__left is read by the inline loop; the rest is private. */
struct cpf_bench {
    uint64_t cpf__left;             /* iterations left in the current batch */
    struct cpf__run *cpf__run;      /* private runner state */
};

static inline int cpf_bench_loop(cpf_bench *b)
{
    if (b->cpf__left) { b->cpf__left--; return 1; }
    return cpf_bench_next_batch(b);
}

/* cpf_do_not_optimize(x): x (an integer, floating or pointer value) counts as
   used, so the code computing it is kept. Also a compiler memory barrier on
   gcc/clang, like Google Benchmark's DoNotOptimize.
   cpf_clobber_memory(): all pending memory writes are treated as observed. */
#if defined(_MSC_VER)
/* Declared here instead of including <intrin.h>, which must come after
   <windows.h> with some SDK headers (wine's, for one). */
#ifdef __cplusplus
extern "C" void _ReadWriteBarrier(void);
#else
void _ReadWriteBarrier(void);
#endif
#pragma intrinsic(_ReadWriteBarrier)
#endif
#if defined(_MSC_VER) && !defined(__cplusplus)
static __inline void cpf__dno_ll(long long v) { volatile long long s = v; (void)s; _ReadWriteBarrier(); }
static __inline void cpf__dno_ull(unsigned long long v) { volatile unsigned long long s = v; (void)s; _ReadWriteBarrier(); }
static __inline void cpf__dno_d(long double v) { volatile long double s = v; (void)s; _ReadWriteBarrier(); }
static __inline void cpf__dno_p(const volatile void *v) { const volatile void *volatile s = v; (void)s; _ReadWriteBarrier(); }
#define cpf_do_not_optimize(x) _Generic((x), \
    _Bool: cpf__dno_ull, char: cpf__dno_ll, signed char: cpf__dno_ll, unsigned char: cpf__dno_ull, \
    short: cpf__dno_ll, unsigned short: cpf__dno_ull, int: cpf__dno_ll, unsigned int: cpf__dno_ull, \
    long: cpf__dno_ll, unsigned long: cpf__dno_ull, long long: cpf__dno_ll, \
    unsigned long long: cpf__dno_ull, float: cpf__dno_d, double: cpf__dno_d, \
    long double: cpf__dno_d, default: cpf__dno_p)(x)
#define cpf_clobber_memory() _ReadWriteBarrier()
#elif defined(_MSC_VER)
template <class T> static __inline void cpf__dno_cxx(T const &v)
{ const volatile void *volatile s = &v; (void)s; _ReadWriteBarrier(); }
#define cpf_do_not_optimize(x) cpf__dno_cxx(x)
#define cpf_clobber_memory() _ReadWriteBarrier()
#elif defined(__GNUC__) || defined(__clang__)
#define cpf_do_not_optimize(x) __asm__ __volatile__("" : : "g"(x) : "memory")
#define cpf_clobber_memory() __asm__ __volatile__("" : : : "memory")
#else
/* Unknown compiler: an opaque call is the portable barrier. */
#ifdef __cplusplus
extern "C" {
#endif
CPF_DEF void cpf__opaque_use(const volatile void *p);
#ifdef __cplusplus
}
#endif
#define cpf_do_not_optimize(x) do { volatile double cpf__v = (double)(x); cpf__opaque_use(&cpf__v); } while (0)
#define cpf_clobber_memory() cpf__opaque_use(0)
#define CPF__NEED_OPAQUE_USE 1
#endif


/* ---- atomics (inline: the lazy loader's status checks cost one load) ----
   load = acquire, store = release, fetch_add and cas = sequentially
   consistent; *_relaxed = no ordering (counters). cas: strong; on failure
   *expected receives the current value. Plain integers inside, so C and C++
   files of one program agree on the layout. */
/* 8-byte alignment for 64-bit atomics: i386 aligns int64_t to 4, and an
   access that crosses a cache line is not atomic. */
#if defined(__GNUC__) || defined(__clang__)
#define CPF__ALIGN8 __attribute__((aligned(8)))
#define CPF__ALIGN8_PRE
#elif defined(_MSC_VER)
#define CPF__ALIGN8
#define CPF__ALIGN8_PRE __declspec(align(8))
#else
#define CPF__ALIGN8
#define CPF__ALIGN8_PRE
#endif
typedef struct cpf_atomic32 { int32_t v; } cpf_atomic32;
typedef CPF__ALIGN8_PRE struct cpf_atomic64 { int64_t v CPF__ALIGN8; } cpf_atomic64;
typedef struct cpf_atomic_ptr { void *v; } cpf_atomic_ptr;

#if defined(CORALPERF_NO_THREADS)
/* One thread only (bare metal): plain accesses; compiler barriers keep the
   order an interrupt handler would see. */
#define CPF__ATOMIC_IMPL "none (CORALPERF_NO_THREADS)"
#if defined(__GNUC__) || defined(__clang__)
#define CPF__CBAR() __asm__ __volatile__("" : : : "memory")
#else
#define CPF__CBAR() ((void)0)
#endif
/* volatile: a loop waiting for a flag that an interrupt handler sets must
   re-read it. fetch_add and cas are not atomic against interrupts here. */
static inline int32_t cpf_atomic32_load(const cpf_atomic32 *a) { int32_t v = *(const volatile int32_t *)&a->v; CPF__CBAR(); return v; }
static inline int32_t cpf_atomic32_load_relaxed(const cpf_atomic32 *a) { return *(const volatile int32_t *)&a->v; }
static inline void cpf_atomic32_store(cpf_atomic32 *a, int32_t v) { CPF__CBAR(); *(volatile int32_t *)&a->v = v; }
static inline void cpf_atomic32_store_relaxed(cpf_atomic32 *a, int32_t v) { *(volatile int32_t *)&a->v = v; }
static inline int32_t cpf_atomic32_fetch_add(cpf_atomic32 *a, int32_t d) { int32_t o = a->v; a->v = (int32_t)((uint32_t)o + (uint32_t)d); return o; }
static inline int32_t cpf_atomic32_fetch_add_relaxed(cpf_atomic32 *a, int32_t d) { return cpf_atomic32_fetch_add(a, d); }
static inline int cpf_atomic32_cas(cpf_atomic32 *a, int32_t *expected, int32_t desired) { if (a->v == *expected) { a->v = desired; return 1; } *expected = a->v; return 0; }
static inline int64_t cpf_atomic64_load(const cpf_atomic64 *a) { int64_t v = *(const volatile int64_t *)&a->v; CPF__CBAR(); return v; }
static inline int64_t cpf_atomic64_load_relaxed(const cpf_atomic64 *a) { return *(const volatile int64_t *)&a->v; }
static inline void cpf_atomic64_store(cpf_atomic64 *a, int64_t v) { CPF__CBAR(); *(volatile int64_t *)&a->v = v; }
static inline void cpf_atomic64_store_relaxed(cpf_atomic64 *a, int64_t v) { *(volatile int64_t *)&a->v = v; }
static inline int64_t cpf_atomic64_fetch_add(cpf_atomic64 *a, int64_t d) { int64_t o = a->v; a->v = (int64_t)((uint64_t)o + (uint64_t)d); return o; }
static inline int64_t cpf_atomic64_fetch_add_relaxed(cpf_atomic64 *a, int64_t d) { return cpf_atomic64_fetch_add(a, d); }
static inline int cpf_atomic64_cas(cpf_atomic64 *a, int64_t *expected, int64_t desired) { if (a->v == *expected) { a->v = desired; return 1; } *expected = a->v; return 0; }
static inline void *cpf_atomic_ptr_load(const cpf_atomic_ptr *a) { void *v = *(void *const volatile *)&a->v; CPF__CBAR(); return v; }
static inline void cpf_atomic_ptr_store(cpf_atomic_ptr *a, void *v) { CPF__CBAR(); *(void *volatile *)&a->v = v; }
static inline int cpf_atomic_ptr_cas(cpf_atomic_ptr *a, void **expected, void *desired) { if (a->v == *expected) { a->v = desired; return 1; } *expected = a->v; return 0; }

#elif defined(__GNUC__) || defined(__clang__)
/* gcc/clang builtins (what <stdatomic.h> expands to there), usable from C99
   and C++ alike. */
#define CPF__ATOMIC_IMPL "gcc/clang __atomic builtins"
static inline int32_t cpf_atomic32_load(const cpf_atomic32 *a) { return __atomic_load_n(&a->v, __ATOMIC_ACQUIRE); }
static inline int32_t cpf_atomic32_load_relaxed(const cpf_atomic32 *a) { return __atomic_load_n(&a->v, __ATOMIC_RELAXED); }
static inline void cpf_atomic32_store(cpf_atomic32 *a, int32_t v) { __atomic_store_n(&a->v, v, __ATOMIC_RELEASE); }
static inline void cpf_atomic32_store_relaxed(cpf_atomic32 *a, int32_t v) { __atomic_store_n(&a->v, v, __ATOMIC_RELAXED); }
static inline int32_t cpf_atomic32_fetch_add(cpf_atomic32 *a, int32_t d) { return __atomic_fetch_add(&a->v, d, __ATOMIC_SEQ_CST); }
static inline int32_t cpf_atomic32_fetch_add_relaxed(cpf_atomic32 *a, int32_t d) { return __atomic_fetch_add(&a->v, d, __ATOMIC_RELAXED); }
static inline int cpf_atomic32_cas(cpf_atomic32 *a, int32_t *expected, int32_t desired) { return __atomic_compare_exchange_n(&a->v, expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
static inline int64_t cpf_atomic64_load(const cpf_atomic64 *a) { return __atomic_load_n(&a->v, __ATOMIC_ACQUIRE); }
static inline int64_t cpf_atomic64_load_relaxed(const cpf_atomic64 *a) { return __atomic_load_n(&a->v, __ATOMIC_RELAXED); }
static inline void cpf_atomic64_store(cpf_atomic64 *a, int64_t v) { __atomic_store_n(&a->v, v, __ATOMIC_RELEASE); }
static inline void cpf_atomic64_store_relaxed(cpf_atomic64 *a, int64_t v) { __atomic_store_n(&a->v, v, __ATOMIC_RELAXED); }
static inline int64_t cpf_atomic64_fetch_add(cpf_atomic64 *a, int64_t d) { return __atomic_fetch_add(&a->v, d, __ATOMIC_SEQ_CST); }
static inline int64_t cpf_atomic64_fetch_add_relaxed(cpf_atomic64 *a, int64_t d) { return __atomic_fetch_add(&a->v, d, __ATOMIC_RELAXED); }
static inline int cpf_atomic64_cas(cpf_atomic64 *a, int64_t *expected, int64_t desired) { return __atomic_compare_exchange_n(&a->v, expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
static inline void *cpf_atomic_ptr_load(const cpf_atomic_ptr *a) { return __atomic_load_n(&a->v, __ATOMIC_ACQUIRE); }
static inline void cpf_atomic_ptr_store(cpf_atomic_ptr *a, void *v) { __atomic_store_n(&a->v, v, __ATOMIC_RELEASE); }
static inline int cpf_atomic_ptr_cas(cpf_atomic_ptr *a, void **expected, void *desired) { return __atomic_compare_exchange_n(&a->v, expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }

#elif defined(_MSC_VER)
/* MSVC: Interlocked intrinsics (full barriers) for read-modify-write; on
   x86/x64 (TSO) plain volatile accesses plus a compiler barrier are acquire
   loads and release stores; elsewhere (ARM64) loads and stores go through
   Interlocked too. MSVC's <stdatomic.h> is experimental: not used. */
#define CPF__ATOMIC_IMPL "MSVC Interlocked intrinsics"
#ifdef __cplusplus
extern "C" {
#endif
long _InterlockedExchangeAdd(long volatile *, long);
long _InterlockedCompareExchange(long volatile *, long, long);
long _InterlockedExchange(long volatile *, long);
__int64 _InterlockedCompareExchange64(__int64 volatile *, __int64, __int64);
#ifdef __cplusplus
}
#endif
#pragma intrinsic(_InterlockedExchangeAdd, _InterlockedCompareExchange, _InterlockedExchange, _InterlockedCompareExchange64)
#if defined(_M_IX86) || defined(_M_X64)
#define CPF__MSVC_TSO 1
#endif
static __inline int32_t cpf_atomic32_load(const cpf_atomic32 *a)
{
#ifdef CPF__MSVC_TSO
    int32_t v = *(const volatile int32_t *)&a->v; _ReadWriteBarrier(); return v;
#else
    return (int32_t)_InterlockedCompareExchange((long volatile *)&a->v, 0, 0);
#endif
}
static __inline int32_t cpf_atomic32_load_relaxed(const cpf_atomic32 *a) { return *(const volatile int32_t *)&a->v; }
static __inline void cpf_atomic32_store(cpf_atomic32 *a, int32_t v)
{
#ifdef CPF__MSVC_TSO
    _ReadWriteBarrier(); *(volatile int32_t *)&a->v = v;
#else
    _InterlockedExchange((long volatile *)&a->v, (long)v);
#endif
}
static __inline void cpf_atomic32_store_relaxed(cpf_atomic32 *a, int32_t v) { *(volatile int32_t *)&a->v = v; }
static __inline int32_t cpf_atomic32_fetch_add(cpf_atomic32 *a, int32_t d) { return (int32_t)_InterlockedExchangeAdd((long volatile *)&a->v, (long)d); }
static __inline int32_t cpf_atomic32_fetch_add_relaxed(cpf_atomic32 *a, int32_t d) { return cpf_atomic32_fetch_add(a, d); }
static __inline int cpf_atomic32_cas(cpf_atomic32 *a, int32_t *expected, int32_t desired)
{
    long old = _InterlockedCompareExchange((long volatile *)&a->v, (long)desired, (long)*expected);
    if (old == (long)*expected) return 1;
    *expected = (int32_t)old;
    return 0;
}
static __inline int cpf_atomic64_cas(cpf_atomic64 *a, int64_t *expected, int64_t desired)
{
    __int64 old = _InterlockedCompareExchange64((__int64 volatile *)&a->v, desired, *expected);
    if (old == *expected) return 1;
    *expected = old;
    return 0;
}
static __inline int64_t cpf_atomic64_load(const cpf_atomic64 *a)
{
#if defined(_M_X64)
    int64_t v = *(const volatile int64_t *)&a->v; _ReadWriteBarrier(); return v;
#else
    return _InterlockedCompareExchange64((__int64 volatile *)&a->v, 0, 0); /* x86-32: no plain 64-bit load */
#endif
}
static __inline int64_t cpf_atomic64_load_relaxed(const cpf_atomic64 *a) { return cpf_atomic64_load(a); }
static __inline int64_t cpf_atomic64_fetch_add(cpf_atomic64 *a, int64_t d)
{
    int64_t old = cpf_atomic64_load_relaxed(a);
    while (!cpf_atomic64_cas(a, &old, (int64_t)((uint64_t)old + (uint64_t)d))) { }
    return old;
}
static __inline int64_t cpf_atomic64_fetch_add_relaxed(cpf_atomic64 *a, int64_t d) { return cpf_atomic64_fetch_add(a, d); }
static __inline void cpf_atomic64_store(cpf_atomic64 *a, int64_t v)
{
#if defined(_M_X64)
    _ReadWriteBarrier(); *(volatile int64_t *)&a->v = v;
#else
    int64_t old = cpf_atomic64_load_relaxed(a);
    while (!cpf_atomic64_cas(a, &old, v)) { }
#endif
}
static __inline void cpf_atomic64_store_relaxed(cpf_atomic64 *a, int64_t v) { cpf_atomic64_store(a, v); }
/* Pointers travel as integers of their own width. */
#if defined(_WIN64)
#define CPF__PA_INT int64_t
#define CPF__PA_OBJ cpf_atomic64
#define CPF__PA(op) cpf_atomic64_##op
#else
#define CPF__PA_INT int32_t
#define CPF__PA_OBJ cpf_atomic32
#define CPF__PA(op) cpf_atomic32_##op
#endif
static __inline void *cpf_atomic_ptr_load(const cpf_atomic_ptr *a) { return (void *)(intptr_t)CPF__PA(load)((const CPF__PA_OBJ *)(const void *)a); }
static __inline void cpf_atomic_ptr_store(cpf_atomic_ptr *a, void *v) { CPF__PA(store)((CPF__PA_OBJ *)(void *)a, (CPF__PA_INT)(intptr_t)v); }
static __inline int cpf_atomic_ptr_cas(cpf_atomic_ptr *a, void **expected, void *desired)
{
    CPF__PA_INT e = (CPF__PA_INT)(intptr_t)*expected;
    int ok = CPF__PA(cas)((CPF__PA_OBJ *)(void *)a, &e, (CPF__PA_INT)(intptr_t)desired);
    *expected = (void *)(intptr_t)e;
    return ok;
}

#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__STDC_NO_ATOMICS__) && !defined(__cplusplus)
/* Another C11 compiler: <stdatomic.h> on the plain fields (same size and
   alignment as _Atomic on the ABIs such compilers target). */
#include <stdatomic.h>
#define CPF__ATOMIC_IMPL "C11 <stdatomic.h>"
#define CPF__A32(a) ((_Atomic int32_t *)(void *)&(a)->v)
#define CPF__A64(a) ((_Atomic int64_t *)(void *)&(a)->v)
#define CPF__AP(a) ((void *_Atomic *)(void *)&(a)->v)
static inline int32_t cpf_atomic32_load(const cpf_atomic32 *a) { return atomic_load_explicit(CPF__A32(a), memory_order_acquire); }
static inline int32_t cpf_atomic32_load_relaxed(const cpf_atomic32 *a) { return atomic_load_explicit(CPF__A32(a), memory_order_relaxed); }
static inline void cpf_atomic32_store(cpf_atomic32 *a, int32_t v) { atomic_store_explicit(CPF__A32(a), v, memory_order_release); }
static inline void cpf_atomic32_store_relaxed(cpf_atomic32 *a, int32_t v) { atomic_store_explicit(CPF__A32(a), v, memory_order_relaxed); }
static inline int32_t cpf_atomic32_fetch_add(cpf_atomic32 *a, int32_t d) { return atomic_fetch_add(CPF__A32(a), d); }
static inline int32_t cpf_atomic32_fetch_add_relaxed(cpf_atomic32 *a, int32_t d) { return atomic_fetch_add_explicit(CPF__A32(a), d, memory_order_relaxed); }
static inline int cpf_atomic32_cas(cpf_atomic32 *a, int32_t *e, int32_t d) { return atomic_compare_exchange_strong(CPF__A32(a), e, d); }
static inline int64_t cpf_atomic64_load(const cpf_atomic64 *a) { return atomic_load_explicit(CPF__A64(a), memory_order_acquire); }
static inline int64_t cpf_atomic64_load_relaxed(const cpf_atomic64 *a) { return atomic_load_explicit(CPF__A64(a), memory_order_relaxed); }
static inline void cpf_atomic64_store(cpf_atomic64 *a, int64_t v) { atomic_store_explicit(CPF__A64(a), v, memory_order_release); }
static inline void cpf_atomic64_store_relaxed(cpf_atomic64 *a, int64_t v) { atomic_store_explicit(CPF__A64(a), v, memory_order_relaxed); }
static inline int64_t cpf_atomic64_fetch_add(cpf_atomic64 *a, int64_t d) { return atomic_fetch_add(CPF__A64(a), d); }
static inline int64_t cpf_atomic64_fetch_add_relaxed(cpf_atomic64 *a, int64_t d) { return atomic_fetch_add_explicit(CPF__A64(a), d, memory_order_relaxed); }
static inline int cpf_atomic64_cas(cpf_atomic64 *a, int64_t *e, int64_t d) { return atomic_compare_exchange_strong(CPF__A64(a), e, d); }
static inline void *cpf_atomic_ptr_load(const cpf_atomic_ptr *a) { return atomic_load_explicit(CPF__AP(a), memory_order_acquire); }
static inline void cpf_atomic_ptr_store(cpf_atomic_ptr *a, void *v) { atomic_store_explicit(CPF__AP(a), v, memory_order_release); }
static inline int cpf_atomic_ptr_cas(cpf_atomic_ptr *a, void **e, void *d) { return atomic_compare_exchange_strong(CPF__AP(a), e, d); }
#else
#error "coralperf: no atomics known for this compiler. Define CORALPERF_NO_THREADS for a single-threaded build."
#endif

/* ---- lazy loader ---------------------------------------------------------
   An expensive resource loaded exactly once, on first use or in the
   background, by any number of threads. Status checks are one acquire load. */
typedef enum cpf_lazy_state {
    CPF_LAZY_UNLOADED = 0, CPF_LAZY_LOADING = 1, CPF_LAZY_LOADED = 2, CPF_LAZY_FAILED = 3
} cpf_lazy_state;
typedef enum cpf_lazy_strategy {
    CPF_LAZY_ON_FIRST_GET = 0, /* LAZY: the first get() loads, others wait */
    CPF_LAZY_BACKGROUND,       /* a thread starts loading at init; get() waits */
    CPF_LAZY_PROGRESSIVE       /* background, and the loader publishes stages */
} cpf_lazy_strategy;
typedef enum cpf_lazy_on_failure {
    CPF_LAZY_STICKY = 0,       /* a failure is final: every get() returns it */
    CPF_LAZY_RETRY             /* waiters of the failed attempt get the error;
                                  the next get() tries again */
} cpf_lazy_on_failure;

typedef struct cpf_lazy cpf_lazy;
/* Builds the resource into *out; returns CPF_OK or an error (set a message
   with cpf_lazy_set_error). Progressive loaders call cpf_lazy_publish_stage. */
typedef cpf_status (*cpf_lazy_load_fn)(cpf_lazy *l, void *ctx, void **out);
/* Releases a loaded resource (cpf_lazy_free). */
typedef void (*cpf_lazy_destroy_fn)(void *ctx, void *resource);

typedef struct cpf_lazy_opts {
    const char *name;              /* for messages */
    cpf_lazy_strategy strategy;
    cpf_lazy_on_failure on_failure;
    cpf_lazy_load_fn load;         /* required */
    cpf_lazy_destroy_fn destroy;   /* optional */
    void *ctx;
    int stages;                    /* PROGRESSIVE: number of stages (>= 1) */
} cpf_lazy_opts;

#define CPF_LAZY_META_MAX 16
typedef struct cpf_lazy_meta {
    char key[32];
    int type;                      /* 1 integer, 2 number, 3 text */
    int64_t i;
    double d;
    char text[64];
} cpf_lazy_meta;

struct cpf_lazy {
    /* read lock-free by the inline status checks */
    cpf_atomic32 state;            /* cpf_lazy_state */
    cpf_atomic32 stage;            /* stages published so far */
    cpf_atomic32 progress_milli;   /* 0..1000 */
    cpf_atomic32 loads;            /* load() calls so far */
    cpf_atomic_ptr resource;
    /* private, under mu */
    cpf_lazy_opts opts;
    cpf_mutex mu;
    cpf_cond cv;
    cpf_thread thread;
    int has_thread;
    uint32_t attempt, failed_attempt;  /* attempts count from 1; 0 = none */
    cpf_status fail_status;            /* of the last failed attempt */
    char fail_message[256];
    char pending_message[256];         /* cpf_lazy_set_error during an attempt */
    void **retired;                    /* stb_ds array: stages published by failed attempts */
    int meta_count;
    cpf_lazy_meta meta[CPF_LAZY_META_MAX];
};

#ifdef __cplusplus
extern "C" {
#endif
/* Prepares l (BACKGROUND/PROGRESSIVE: starts the loading thread now). */
CPF_DEF cpf_status cpf_lazy_init(cpf_lazy *l, const cpf_lazy_opts *opts);
/* Like cpf_lazy_get, but waits for another thread's load at most ms
   (CPF_ERR_TIMEOUT). A LAZY caller that starts the load itself runs it to the end. */
CPF_DEF cpf_status cpf_lazy_get_timeout(cpf_lazy *l, double ms, void **out);
/* PROGRESSIVE: waits until stage n (1-based) is published; *out = the resource. */
CPF_DEF cpf_status cpf_lazy_get_stage(cpf_lazy *l, int n, double timeout_ms, void **out);
/* Status and message of the last failed attempt (CPF_OK and "" when the
   last attempt did not fail); the message is copied, so it is safe while
   other threads retry. */
CPF_DEF cpf_status cpf_lazy_last_error(cpf_lazy *l, char *buf, size_t cap);
/* Joins a background loader, destroys the resource, releases l. */
CPF_DEF void cpf_lazy_free(cpf_lazy *l);
/* For load functions: a message for the failure being returned. */
CPF_DEF void cpf_lazy_set_error(cpf_lazy *l, const char *message);
/* For load functions: loading progress, 0..1. */
CPF_DEF void cpf_lazy_set_progress(cpf_lazy *l, double fraction);
/* For progressive load functions: stage n (1-based) of resource is usable.
   What is published belongs to the object from then on (cpf_lazy_free
   destroys it, also after a failure); the data of stage n must not change
   after it is published, later stages may add to it. CPF_ERR_ARG unless
   called during a load with stage < n <= stages. */
CPF_DEF cpf_status cpf_lazy_publish_stage(cpf_lazy *l, int n, void *resource);
/* Metadata readable at any time without loading (keys up to 31 bytes). */
CPF_DEF cpf_status cpf_lazy_set_meta_int(cpf_lazy *l, const char *key, int64_t value);
CPF_DEF cpf_status cpf_lazy_set_meta_num(cpf_lazy *l, const char *key, double value);
CPF_DEF cpf_status cpf_lazy_set_meta_text(cpf_lazy *l, const char *key, const char *value);
/* CPF_OK and the value, or CPF_ERR_ARG when the key is unknown or of another type. */
CPF_DEF cpf_status cpf_lazy_meta_int(cpf_lazy *l, const char *key, int64_t *value);
CPF_DEF cpf_status cpf_lazy_meta_num(cpf_lazy *l, const char *key, double *value);
/* Copies the text into buf (cap bytes, always terminated). */
CPF_DEF cpf_status cpf_lazy_meta_text(cpf_lazy *l, const char *key, char *buf, size_t cap);
#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
extern "C" {
#endif
/* ---- memory --------------------------------------------------------------
   Resident set size (RSS) and its peak from the OS, a counting allocator for
   exact bytes and allocations, a background peak sampler and a leak check.
   Bytes everywhere. Where the OS offers no figure: CPF_ERR_UNSUPPORTED,
   never a made-up 0. */

/* A pass/warn/fail answer usable in any test framework:
   cpf_verdict v = cpf_mem_below(fn, ctx, 1 << 30); assert(v.ok); */
typedef enum cpf_level { CPF_PASS = 0, CPF_WARN = 1, CPF_FAIL = 2 } cpf_level;
typedef struct cpf_verdict {
    int ok;                   /* 1 unless level == CPF_FAIL */
    cpf_level level;
    double observed, limit;   /* in the check's unit (bytes here) */
    char message[320];        /* observed value, limit and margin in words */
} cpf_verdict;

/* Current resident set size. */
CPF_DEF cpf_status cpf_mem_rss(uint64_t *bytes);
/* Peak resident set size since start (or since a successful reset). */
CPF_DEF cpf_status cpf_mem_peak(uint64_t *bytes);
/* Resets the peak to the current RSS where the OS allows (Linux clear_refs);
   CPF_OK only when the reset was verified, CPF_ERR_UNSUPPORTED otherwise. */
CPF_DEF cpf_status cpf_mem_peak_reset(void);
/* Where the figures come from on this platform, e.g. "/proc/self/statm". */
CPF_DEF const char *cpf_mem_source(void);

/* Counting allocator: a drop-in for malloc/calloc/realloc/free (blocks from
   cpf_malloc must be freed with cpf_free). Thread-safe; counts are exact. */
CPF_DEF void *cpf_malloc(size_t n);
CPF_DEF void *cpf_calloc(size_t count, size_t size);
CPF_DEF void *cpf_realloc(void *p, size_t n);
CPF_DEF void cpf_free(void *p);
typedef struct cpf_alloc_stats {
    int64_t live_bytes;       /* allocated and not yet freed */
    int64_t peak_live_bytes;  /* highest live_bytes (since start or reset), exact
                                 to within 4 KiB per allocating thread */
    int64_t allocs, frees, reallocs;
    int64_t bytes_allocated;  /* total requested by malloc/calloc/realloc */
} cpf_alloc_stats;
/* A snapshot of the counters (sums the per-thread counters). */
CPF_DEF void cpf_alloc_stats_get(cpf_alloc_stats *out);
/* Sets peak_live_bytes to the current live_bytes. */
CPF_DEF void cpf_alloc_peak_reset(void);

/* Background sampler: a thread reads RSS every interval and keeps the peak
   and a bounded timeline (at most CPF_MEM_TIMELINE points: when full, every
   other point is dropped and the spacing doubles). Without threads, or in
   addition, call cpf_mem_monitor_sample() yourself. */
#define CPF_MEM_TIMELINE 512
typedef struct cpf_mem_point { uint64_t t_ns, rss; } cpf_mem_point;
typedef struct cpf_mem_monitor {
    cpf_mutex mu;
    cpf_cond cv;
    cpf_thread thread;
    int running, stop;
    double interval_ms;
    uint64_t start_ns, start_rss, peak_rss, samples;
    uint64_t keep_every, seen;          /* timeline decimation */
    cpf_mem_point timeline[CPF_MEM_TIMELINE];
    int timeline_n;
    cpf_status status;
} cpf_mem_monitor;
/* Starts sampling every interval_ms (>= 0.1) on a new thread; takes a first sample now. */
CPF_DEF cpf_status cpf_mem_monitor_start(cpf_mem_monitor *m, double interval_ms);
/* Takes one sample now (any thread; also works without threads). */
CPF_DEF cpf_status cpf_mem_monitor_sample(cpf_mem_monitor *m);
/* Stops and joins the thread, takes a last sample; results stay readable. */
CPF_DEF cpf_status cpf_mem_monitor_stop(cpf_mem_monitor *m);
/* Peak RSS seen so far, and how far above the RSS at start it was. */
CPF_DEF uint64_t cpf_mem_monitor_peak(cpf_mem_monitor *m);
CPF_DEF int64_t cpf_mem_monitor_growth(cpf_mem_monitor *m);
/* Copies up to cap timeline points (oldest first); returns how many. */
CPF_DEF int cpf_mem_monitor_timeline(cpf_mem_monitor *m, cpf_mem_point *out, int cap);

/* Leak check: fn(ctx) runs warmup times, then `iterations` times with the
   memory read after each call; least-squares slopes (bytes per iteration,
   with standard errors) of counted live bytes, of the C heap's in-use bytes
   (glibc mallinfo2) and of RSS. Fails when the counted or heap slope's lower
   bound (slope - 3 standard errors) is above the threshold; RSS is reported
   separately (pages and allocator caches move it without a leak). */
typedef void (*cpf_task_fn)(void *ctx);
typedef struct cpf_leak_opts {
    int warmup;                    /* default max(iterations, 300) calls */
    double threshold_bytes;        /* per iteration; default 16 */
    double rss_threshold_bytes;    /* RSS slope worth mentioning; default 4096.
                                      RSS is reported, never judged */
} cpf_leak_opts;
typedef struct cpf_leak_result {
    cpf_verdict verdict;
    int iterations;
    double live_slope, live_se;    /* counting allocator (cpf_malloc) */
    double heap_slope, heap_se;    /* C heap in use; has_heap = 0 where unknown */
    double rss_slope, rss_se;      /* has_rss = 0 where unsupported */
    int has_heap, has_rss;
} cpf_leak_result;
CPF_DEF cpf_status cpf_leak_check(cpf_task_fn fn, void *ctx, int iterations,
                                  const cpf_leak_opts *opts, cpf_leak_result *out);

/* Budget: runs fn(ctx) once; passes when its peak memory growth (RSS peak
   where the OS allows a reset or a sampler can run, else counted bytes) is
   below limit_bytes. */
CPF_DEF cpf_verdict cpf_mem_below(cpf_task_fn fn, void *ctx, double limit_bytes);
/* Least-squares slope of y over x = 0..n-1, with its standard error. */
CPF_DEF double cpf_slope(const double *y, size_t n, double *stderr_out);
#ifdef __cplusplus
}
#endif

/* Status checks: one acquire load each, never block, never load. */
static inline int cpf_lazy_is_loaded(const cpf_lazy *l) { return cpf_atomic32_load(&l->state) == CPF_LAZY_LOADED; }
static inline int cpf_lazy_is_loading(const cpf_lazy *l) { return cpf_atomic32_load(&l->state) == CPF_LAZY_LOADING; }
static inline cpf_lazy_state cpf_lazy_state_of(const cpf_lazy *l) { return (cpf_lazy_state)cpf_atomic32_load(&l->state); }
static inline double cpf_lazy_progress(const cpf_lazy *l) { return cpf_atomic32_load(&l->progress_milli) / 1000.0; }
/* The loaded resource without blocking, or NULL when not loaded (yet). */
static inline void *cpf_lazy_peek(const cpf_lazy *l)
{
    return cpf_lazy_is_loaded(l) ? cpf_atomic_ptr_load(&l->resource) : (void *)0;
}
/* The resource, loading it first when needed (blocks until loaded or the
   attempt failed; *out is NULL then). Once loaded: one acquire load, no lock. */
static inline cpf_status cpf_lazy_get(cpf_lazy *l, void **out)
{
    if (cpf_lazy_is_loaded(l)) { *out = cpf_atomic_ptr_load(&l->resource); return CPF_OK; }
    *out = (void *)0; /* also what a failed get leaves behind */
    return cpf_lazy_get_timeout(l, -1.0, out);
}

#ifdef __cplusplus
extern "C" {
#endif

/* ---- hashing (XXH3) ------------------------------------------------------
   Fast non-cryptographic hashes, bit-identical to xxHash's XXH3:
     cpf_hash64  == XXH3_64bits_withSeed,  cpf_hash128 == XXH3_128bits_withSeed.
   Safe from any thread; no allocation; data may be NULL when len is 0.
   A 128-bit hash is {lo, hi} (XXH128_hash_t's low64, high64). lo equals
   cpf_hash64 only for 1..3 and for more than 240 bytes: do not derive one
   from the other. Printed canonically (big-endian, as xxhsum prints it) a
   128-bit hash is hi then lo, 32 hex digits. */
/* Named cpf_u128, not cpf_hash128_t: the kit's types carry no _t suffix
   (POSIX reserves it), the name cpf_hash128 belongs to the function, and the
   type is a plain 128-bit value that later modules can reuse. */
typedef struct cpf_u128 {
    uint64_t lo; /* low 64 bits  (XXH128_hash_t.low64) */
    uint64_t hi; /* high 64 bits (XXH128_hash_t.high64) */
} cpf_u128;

/* 64-bit hash of len bytes at data. */
CPF_DEF uint64_t cpf_hash64(const void *data, size_t len, uint64_t seed);
/* 128-bit hash of len bytes at data. */
CPF_DEF cpf_u128 cpf_hash128(const void *data, size_t len, uint64_t seed);
/* "avx2", "sse2", "neon" or "scalar": the long-input loop compiled in. */
CPF_DEF const char *cpf_hash_backend(void);

/* Streaming: feed the input in pieces of any size; the digests equal the
   one-shot hashes of everything fed so far. A cpf_hasher is a plain value
   (536 bytes, no allocation, no cleanup): it may live on the stack, be
   copied with memcpy to fork a stream, and be abandoned at any time. One
   thread at a time per hasher. Fields are private. */
typedef struct cpf_hasher {
    uint64_t acc[8];              /* long-input accumulators */
    unsigned char secret[192];    /* secret derived from the seed */
    unsigned char buf[256];       /* input not yet consumed (1..256 bytes once
                                     any input came); its last 64 bytes keep
                                     the last consumed stripe */
    uint64_t seed;
    uint64_t total_len;           /* bytes fed so far */
    uint32_t buf_len;             /* bytes waiting in buf */
    uint32_t stripes;             /* stripes consumed in the current block */
} cpf_hasher;

/* Starts (or restarts) a stream. */
CPF_DEF void cpf_hasher_init(cpf_hasher *h, uint64_t seed);
/* Appends len bytes (data may be NULL when len is 0). */
CPF_DEF void cpf_hasher_update(cpf_hasher *h, const void *data, size_t len);
/* Hash of all bytes so far; the state is unchanged, updates may follow. */
CPF_DEF uint64_t cpf_hasher_digest64(const cpf_hasher *h);
CPF_DEF cpf_u128 cpf_hasher_digest128(const cpf_hasher *h);

#ifdef __cplusplus
}
#endif

/* ---- dedup index ---------------------------------------------------------
   Which blobs are byte-identical, at hashing speed: 128-bit XXH3 IDs key a
   stb_ds string map (the length must match too), with exact accounting. With verify_bytes the index keeps a
   pointer to each unique blob (the caller keeps the data alive) and confirms
   every duplicate byte for byte, counting any true collision. Not
   thread-safe unless `locked` is set (then one mutex serialises add). */
typedef struct cpf_dedup_opts {
    int verify_bytes;           /* confirm duplicates with memcmp */
    int locked;                 /* several producer threads may call add */
    uint64_t seed;              /* hash seed (default 0) */
} cpf_dedup_opts;
typedef struct cpf_dedup_stats {
    uint64_t blobs, unique_blobs;
    uint64_t total_bytes, unique_bytes, duplicate_bytes;
    double byte_ratio;          /* total_bytes / unique_bytes (1 = nothing saved) */
    double savings_pct;         /* 100 * duplicate_bytes / total_bytes */
    double count_ratio;         /* blobs / unique_blobs: a count, not bytes */
    uint64_t collisions;        /* equal IDs, different bytes (verify_bytes only) */
    size_t index_bytes;         /* memory the index itself uses */
} cpf_dedup_stats;
typedef struct cpf_dedup_result {
    cpf_u128 id;                /* the blob's 128-bit hash */
    int duplicate;              /* 1 when an identical blob was added before */
    uint64_t first;             /* 0-based add number of the first identical blob */
} cpf_dedup_result;
struct cpf__dedup_slot;
typedef struct cpf_dedup {
    struct cpf__dedup_slot *map;   /* stb_ds string map: ID in hex -> first entry */
    struct cpf__dedup_entry *entries; /* stb_ds array of unique blobs */
    cpf_dedup_opts opts;
    cpf_dedup_stats st;
    cpf_mutex mu;
} cpf_dedup;

#ifdef __cplusplus
extern "C" {
#endif
/* Prepares an empty index (opts may be NULL). */
CPF_DEF cpf_status cpf_dedup_init(cpf_dedup *d, const cpf_dedup_opts *opts);
/* Adds a blob; *out (optional) says whether it duplicates an earlier one. */
CPF_DEF cpf_status cpf_dedup_add(cpf_dedup *d, const void *data, size_t len, cpf_dedup_result *out);
/* Adds a blob whose 128-bit ID the caller computed (e.g. cpf_tensor_id). */
CPF_DEF cpf_status cpf_dedup_add_id(cpf_dedup *d, cpf_u128 id, const void *data, size_t len, cpf_dedup_result *out);
/* A snapshot of the accounting. */
CPF_DEF void cpf_dedup_stats_get(cpf_dedup *d, cpf_dedup_stats *out);
/* Releases the index (not the blobs). */
CPF_DEF void cpf_dedup_free(cpf_dedup *d);

/* Tensor identity: a domain-separated header ("cpfT", dtype code, rank,
   each dimension, all little-endian) then the raw bytes, hashed with XXH3-128.
   Equal IDs mean equal dtype, shape and bytes. */
CPF_DEF cpf_u128 cpf_tensor_id(uint32_t dtype_code, const int64_t *dims, int rank, const void *data, size_t nbytes);
/* The ID a Python tool computes as xxhash.xxh3_64(str(shape).encode() +
   dtype_name.encode() + array.tobytes()): str(shape) is Python's tuple text,
   "(200, 200)", "(7,)" or "()". */
CPF_DEF uint64_t cpf_tensor_id_python(const int64_t *dims, int rank, const char *dtype_name, const void *data, size_t nbytes);
#ifdef __cplusplus
}
#endif

#endif /* CORALPERF_H */

/* ======================================================================== */
/* ==== implementation ==================================================== */
/* ======================================================================== */
#ifdef CORALPERF_IMPLEMENTATION
#ifndef CORALPERF_IMPLEMENTATION_DONE
#define CORALPERF_IMPLEMENTATION_DONE

#if defined(CORALPERF_MALLOC) || defined(CORALPERF_REALLOC) || defined(CORALPERF_FREE)
#if !defined(CORALPERF_MALLOC) || !defined(CORALPERF_REALLOC) || !defined(CORALPERF_FREE)
#error "coralperf: define all of CORALPERF_MALLOC, CORALPERF_REALLOC and CORALPERF_FREE, or none."
#endif
#else
#include <stdlib.h>
#define CORALPERF_MALLOC(ctx, size) ((void)(ctx), malloc(size))
#define CORALPERF_REALLOC(ctx, p, size) ((void)(ctx), realloc((p), (size)))
#define CORALPERF_FREE(ctx, p) ((void)(ctx), free(p))
#endif
#if defined(CORALPERF_TICKS) != defined(CORALPERF_TICKS_HZ)
#error "coralperf: define both CORALPERF_TICKS() and CORALPERF_TICKS_HZ, or neither."
#endif
#ifndef CORALPERF_ASSERT
#include <assert.h>
#define CORALPERF_ASSERT(x) assert(x)
#endif
#ifndef CORALPERF_STB_DS_INCLUDE
#define CORALPERF_STB_DS_INCLUDE "stb_ds.h"
#endif

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* stb_ds: routed through the kit's allocator unless the user's own stb_ds
   (already included, or compiled elsewhere) decides. Its implementation is
   not -Wextra clean in C++ ({0} initialiser), hence the scoped pragma. */
#if !defined(INCLUDE_STB_DS_H) && !defined(STBDS_REALLOC) && !defined(CORALPERF_NO_STB_DS_IMPLEMENTATION)
#define STBDS_REALLOC(c, p, s) CORALPERF_REALLOC(c, p, s)
#define STBDS_FREE(c, p) CORALPERF_FREE(c, p)
#endif
#if !defined(CORALPERF_NO_STB_DS_IMPLEMENTATION) && !defined(STB_DS_IMPLEMENTATION)
#define STB_DS_IMPLEMENTATION
#endif
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
#include CORALPERF_STB_DS_INCLUDE
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif

#define CPF__ALLOC(type, n) ((type *)CORALPERF_MALLOC(NULL, sizeof(type) * (size_t)(n)))
#define CPF__FREE(p) CORALPERF_FREE(NULL, (p))

/* --- platform: includes ------------------------------------------------- */
#if defined(_WIN32)
/* SRWLOCK and CONDITION_VARIABLE need Vista; 0x0601 (Windows 7) also keeps
   MinGW's PSAPI_VERSION at 2 (no -lpsapi needed later). */
#if !defined(_WIN32_WINNT)
#define _WIN32_WINNT 0x0601
#elif _WIN32_WINNT < 0x0600
#error "coralperf: _WIN32_WINNT must be at least 0x0600 (Vista) for SRW locks and condition variables."
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#define CPF__UNDEF_LEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#define CPF__UNDEF_NOMINMAX
#endif
#include <windows.h>
#include <io.h>
#include <process.h> /* _beginthreadex */
#include <psapi.h>   /* GetProcessMemoryInfo: kernel32's K32 entry with PSAPI_VERSION 2 */
#if defined(_MSC_VER)
#pragma comment(lib, "psapi.lib") /* for builds that ask for PSAPI_VERSION 1 (Vista) */
#endif
#if defined(_MSC_VER)
#include <intrin.h> /* __rdtsc, __cpuid: after <windows.h> */
#if defined(_M_IX86) || defined(_M_X64)
#include <emmintrin.h> /* _mm_lfence (not pulled in by <intrin.h> everywhere) */
#endif
#endif
#ifdef CPF__UNDEF_LEAN
#undef WIN32_LEAN_AND_MEAN
#undef CPF__UNDEF_LEAN
#endif
#ifdef CPF__UNDEF_NOMINMAX
#undef NOMINMAX
#undef CPF__UNDEF_NOMINMAX
#endif
#define CPF__ISATTY(f) _isatty(_fileno(f))
#elif defined(__unix__) || defined(__unix) || defined(__APPLE__)
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#if defined(__GLIBC__)
#include <malloc.h> /* mallinfo2 */
#endif
#if defined(__APPLE__)
#include <mach/mach.h>
#endif
#if defined(__FreeBSD__)
#include <sys/param.h>
#include <sys/types.h>
#include <sys/sysctl.h>
#include <sys/user.h>
#endif
#if !defined(CORALPERF_NO_THREADS)
#include <pthread.h>
#include <sched.h>
#endif
#define CPF__POSIX 1
#define CPF__ISATTY(f) isatty(fileno(f))
#else
#define CPF__ISATTY(f) ((void)(f), 0)
#endif
#if defined(__APPLE__)
#include <time.h>
#endif
/* glibc hides POSIX (clock_gettime, fileno, localtime_r, ...) in strict ISO
   mode when a system header was included before coralperf.h defined
   _POSIX_C_SOURCE. Say how to fix it rather than fail on a missing name. */
#if defined(CPF__POSIX) && !defined(__APPLE__) && \
    ((defined(__GLIBC__) && !defined(__USE_XOPEN2K8)) || (!defined(CORALPERF_NOW_NS) && !defined(CLOCK_MONOTONIC)))
#error "coralperf: POSIX declarations are hidden (strict -std=c99/c11 and a system header included before coralperf.h). In the file that defines CORALPERF_IMPLEMENTATION, include coralperf.h before any other header, or compile with -D_POSIX_C_SOURCE=200809L."
#else /* the rest of the implementation: skipped after that error so it stands alone */

/* --- platform: clock ---------------------------------------------------- */
#if defined(CORALPERF_NOW_NS)
#define CPF__CLOCK_SOURCE "CORALPERF_NOW_NS() (user hook)"
CPF_DEF uint64_t cpf_now_ns(void) { return (uint64_t)(CORALPERF_NOW_NS()); }
#elif defined(_WIN32)
#define CPF__CLOCK_SOURCE "QueryPerformanceCounter"
CPF_DEF uint64_t cpf_now_ns(void)
{
    /* QPF is fixed at boot; reading it each call costs ~nothing and keeps the
       function free of shared state. Split the product so c * 1e9 cannot
       overflow 64 bits (c reaches 2^63 / 1e9 after ~29 years at 10 MHz). */
    LARGE_INTEGER c, f;
    uint64_t q, r, hz;
    QueryPerformanceCounter(&c);
    QueryPerformanceFrequency(&f);
    hz = (uint64_t)f.QuadPart;
    q = (uint64_t)c.QuadPart / hz;
    r = (uint64_t)c.QuadPart % hz;
    return q * 1000000000u + r * 1000000000u / hz;
}
#elif defined(__APPLE__)
#define CPF__CLOCK_SOURCE "clock_gettime_nsec_np(CLOCK_UPTIME_RAW)"
CPF_DEF uint64_t cpf_now_ns(void) { return (uint64_t)clock_gettime_nsec_np(CLOCK_UPTIME_RAW); }
#elif defined(CPF__POSIX)
#define CPF__CLOCK_SOURCE "clock_gettime(CLOCK_MONOTONIC)"
CPF_DEF uint64_t cpf_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#else
#error "coralperf: no monotonic clock known for this target. Define CORALPERF_NOW_NS() as an expression returning monotonic nanoseconds (uint64_t), e.g. from a hardware timer."
#endif

/* --- platform: thread CPU time ------------------------------------------ */
#if defined(_WIN32)
CPF_DEF uint64_t cpf_cpu_ns(void)
{
    FILETIME c, e, k, u;
    if (GetThreadTimes(GetCurrentThread(), &c, &e, &k, &u)) {
        uint64_t kt = ((uint64_t)k.dwHighDateTime << 32) | k.dwLowDateTime;
        uint64_t ut = ((uint64_t)u.dwHighDateTime << 32) | u.dwLowDateTime;
        return (kt + ut) * 100u; /* FILETIME counts 100 ns units */
    }
    return cpf_now_ns();
}
#elif defined(CPF__POSIX) && (defined(CLOCK_THREAD_CPUTIME_ID) || defined(CLOCK_PROCESS_CPUTIME_ID))
CPF_DEF uint64_t cpf_cpu_ns(void)
{
    struct timespec ts;
#ifdef CLOCK_THREAD_CPUTIME_ID
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
#else
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0)
#endif
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return cpf_now_ns();
}
#else
CPF_DEF uint64_t cpf_cpu_ns(void) { return cpf_now_ns(); }
#endif

/* --- platform: cycle counter -------------------------------------------- */
#if defined(CORALPERF_TICKS)
#define CPF__TICKS_SOURCE "CORALPERF_TICKS() (user hook)"
#define CPF__TICKS_NOMINAL_HZ ((double)(CORALPERF_TICKS_HZ))
CPF_DEF uint64_t cpf_ticks(void) { return (uint64_t)(CORALPERF_TICKS()); }
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#define CPF__TICKS_SOURCE "rdtsc (lfence-serialised)"
#define CPF__TICKS_NOMINAL_HZ 0.0
#define CPF__TICKS_X86 1
CPF_DEF uint64_t cpf_ticks(void)
{
    uint64_t t;
    _mm_lfence();
    t = __rdtsc();
    _mm_lfence();
    return t;
}
#elif (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define CPF__TICKS_SOURCE "rdtsc (lfence-serialised)"
#define CPF__TICKS_NOMINAL_HZ 0.0
#define CPF__TICKS_X86 1
CPF_DEF uint64_t cpf_ticks(void)
{
    /* lfence before: earlier instructions finish; after: later ones wait. */
    uint32_t lo, hi;
    __asm__ __volatile__("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
#define CPF__TICKS_SOURCE "cntvct_el0 (isb-serialised)"
#define CPF__TICKS_NOMINAL_HZ cpf__cntfrq()
static double cpf__cntfrq(void)
{
    uint64_t f;
    __asm__ __volatile__("mrs %0, cntfrq_el0" : "=r"(f));
    return (double)f;
}
CPF_DEF uint64_t cpf_ticks(void)
{
    uint64_t v;
    __asm__ __volatile__("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
    return v;
}
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__riscv) && (__riscv_xlen == 64)
/* rdtime, not rdcycle: Linux >= 6.6 makes rdcycle trap in user mode. */
#define CPF__TICKS_SOURCE "rdtime"
#define CPF__TICKS_NOMINAL_HZ 0.0
CPF_DEF uint64_t cpf_ticks(void)
{
    uint64_t v;
    __asm__ __volatile__("rdtime %0" : "=r"(v) : : "memory");
    return v;
}
#else
#define CPF__TICKS_SOURCE "none (cpf_ticks uses cpf_now_ns)"
#define CPF__TICKS_NOMINAL_HZ 1e9
#define CPF__NO_TICKS 1
CPF_DEF uint64_t cpf_ticks(void) { return cpf_now_ns(); }
#endif

/* Invariant TSC: CPUID.80000007H:EDX[8] (Intel SDM vol. 3, 18.17.1). */
static int cpf__ticks_invariant(void)
{
#if defined(CPF__TICKS_X86) && defined(_MSC_VER)
    int r[4];
    __cpuid(r, (int)0x80000000u);
    if ((unsigned)r[0] < 0x80000007u) return 0;
    __cpuid(r, (int)0x80000007u);
    return ((unsigned)r[3] >> 8) & 1u;
#elif defined(CPF__TICKS_X86) && defined(__x86_64__)
    uint32_t a, b, c, d;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0u));
    if (a < 0x80000007u) return 0;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000007u), "c"(0u));
    (void)b; (void)c;
    return (int)((d >> 8) & 1u);
#elif defined(CPF__TICKS_X86)
    return 0; /* i386 PIC code cannot clobber ebx freely; report unknown */
#elif defined(CPF__NO_TICKS)
    return 1; /* it is the ns clock */
#else
    return 1; /* generic timers (cntvct, rdtime, user hook) are constant-rate */
#endif
}

/* --- platform: system facts --------------------------------------------- */
static int cpf__num_cpus(void)
{
#if defined(_WIN32)
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return (int)si.dwNumberOfProcessors;
#elif defined(CPF__POSIX) && defined(_SC_NPROCESSORS_ONLN)
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 0;
#else
    return 0;
#endif
}

static void cpf__host_name(char *buf, size_t cap)
{
    buf[0] = 0;
#if defined(_WIN32)
    {
        DWORD n = (DWORD)cap;
        if (!GetComputerNameA(buf, &n)) buf[0] = 0;
    }
#elif defined(CPF__POSIX)
    if (gethostname(buf, cap) != 0) buf[0] = 0;
    buf[cap - 1] = 0;
#else
    (void)cap;
#endif
}

#if defined(__linux__)
/* Reads the first line of a small text file into buf; 0 when unreadable. */
static int cpf__read_line(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f) return 0;
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    buf[strcspn(buf, "\r\n")] = 0;
    return n > 0;
}
#endif

/* 1 when ANSI escape sequences can be written to f (a terminal; on Windows
   one whose virtual-terminal processing could be switched on). */
static int cpf__ansi_terminal(FILE *f)
{
#if defined(_WIN32)
    HANDLE h;
    DWORD mode;
    if (!CPF__ISATTY(f)) return 0;
    h = GetStdHandle(f == stderr ? STD_ERROR_HANDLE : STD_OUTPUT_HANDLE);
    if (h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode)) return 0;
    if (mode & 0x0004) return 1; /* ENABLE_VIRTUAL_TERMINAL_PROCESSING */
    return SetConsoleMode(h, mode | 0x0004) != 0;
#else
    return CPF__ISATTY(f);
#endif
}

/* Linux CPU frequency governor of cpu0, "" when the kernel exposes none. */
static void cpf__governor(char *buf, size_t cap)
{
    buf[0] = 0;
#if defined(__linux__)
    if (!cpf__read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, cap)) buf[0] = 0;
#else
    (void)cap;
#endif
}

/* --- platform: threads -------------------------------------------------- */
#if defined(CORALPERF_NO_THREADS)
/* One thread: locks are no-ops; waiting would wait forever, so it is an
   error that the callers below turn into a message. */
CPF_DEF cpf_status cpf_thread_start(cpf_thread *t, cpf_thread_fn fn, void *arg)
{
    (void)fn; (void)arg;
    if (t) memset(t, 0, sizeof *t);
    return CPF_ERR_UNSUPPORTED;
}
CPF_DEF cpf_status cpf_thread_join(cpf_thread *t, int *result) { (void)t; if (result) *result = 0; return CPF_ERR_UNSUPPORTED; }
CPF_DEF void cpf_thread_yield(void) { }
CPF_DEF void cpf_sleep_ms(unsigned ms)
{
    uint64_t t0 = cpf_now_ns();
    while (cpf_now_ns() - t0 < (uint64_t)ms * 1000000u) { }
}
CPF_DEF cpf_status cpf_mutex_init(cpf_mutex *m) { if (m) memset(m, 0, sizeof *m); return CPF_OK; }
CPF_DEF void cpf_mutex_lock(cpf_mutex *m) { (void)m; }
CPF_DEF void cpf_mutex_unlock(cpf_mutex *m) { (void)m; }
CPF_DEF void cpf_mutex_destroy(cpf_mutex *m) { (void)m; }
CPF_DEF cpf_status cpf_cond_init(cpf_cond *c) { if (c) memset(c, 0, sizeof *c); return CPF_OK; }
CPF_DEF void cpf_cond_wait(cpf_cond *c, cpf_mutex *m) { (void)c; (void)m; }
CPF_DEF cpf_status cpf_cond_timedwait(cpf_cond *c, cpf_mutex *m, double ms) { (void)c; (void)m; (void)ms; return CPF_ERR_TIMEOUT; }
CPF_DEF void cpf_cond_signal(cpf_cond *c) { (void)c; }
CPF_DEF void cpf_cond_broadcast(cpf_cond *c) { (void)c; }
CPF_DEF void cpf_cond_destroy(cpf_cond *c) { (void)c; }

#elif defined(_WIN32)
/* Win32: _beginthreadex, SRWLOCK, CONDITION_VARIABLE (Vista and later). */
typedef char cpf__srw_fits[sizeof(SRWLOCK) <= sizeof(((cpf_mutex *)0)->opaque) ? 1 : -1];
typedef char cpf__cv_fits[sizeof(CONDITION_VARIABLE) <= sizeof(((cpf_cond *)0)->opaque) ? 1 : -1];
static unsigned __stdcall cpf__thread_main(void *p)
{
    cpf_thread *t = (cpf_thread *)p;
    t->result = t->fn(t->arg);
    return 0;
}
CPF_DEF cpf_status cpf_thread_start(cpf_thread *t, cpf_thread_fn fn, void *arg)
{
    uintptr_t h;
    if (!t || !fn) return CPF_ERR_ARG;
    memset(t, 0, sizeof *t);
    t->fn = fn;
    t->arg = arg;
    h = _beginthreadex(NULL, 0, cpf__thread_main, t, 0, NULL);
    if (!h) return CPF_ERR_NOMEM;
    t->handle.p = (void *)h;
    t->started = 1;
    return CPF_OK;
}
CPF_DEF cpf_status cpf_thread_join(cpf_thread *t, int *result)
{
    if (!t || !t->started) return CPF_ERR_ARG;
    WaitForSingleObject((HANDLE)t->handle.p, INFINITE);
    CloseHandle((HANDLE)t->handle.p);
    t->started = 0;
    if (result) *result = t->result;
    return CPF_OK;
}
CPF_DEF void cpf_thread_yield(void) { SwitchToThread(); }
CPF_DEF void cpf_sleep_ms(unsigned ms) { Sleep(ms); }
CPF_DEF cpf_status cpf_mutex_init(cpf_mutex *m) { InitializeSRWLock((PSRWLOCK)(void *)&m->opaque); return CPF_OK; }
CPF_DEF void cpf_mutex_lock(cpf_mutex *m) { AcquireSRWLockExclusive((PSRWLOCK)(void *)&m->opaque); }
CPF_DEF void cpf_mutex_unlock(cpf_mutex *m) { ReleaseSRWLockExclusive((PSRWLOCK)(void *)&m->opaque); }
CPF_DEF void cpf_mutex_destroy(cpf_mutex *m) { (void)m; /* SRW locks need no destruction */ }
CPF_DEF cpf_status cpf_cond_init(cpf_cond *c) { InitializeConditionVariable((PCONDITION_VARIABLE)(void *)&c->opaque); return CPF_OK; }
CPF_DEF void cpf_cond_wait(cpf_cond *c, cpf_mutex *m)
{
    SleepConditionVariableSRW((PCONDITION_VARIABLE)(void *)&c->opaque, (PSRWLOCK)(void *)&m->opaque, INFINITE, 0);
}
CPF_DEF cpf_status cpf_cond_timedwait(cpf_cond *c, cpf_mutex *m, double ms)
{
    DWORD w = ms <= 0.0 ? 0 : ms >= 4e9 ? INFINITE - 1 : (DWORD)ceil(ms);
    if (SleepConditionVariableSRW((PCONDITION_VARIABLE)(void *)&c->opaque, (PSRWLOCK)(void *)&m->opaque, w, 0)) return CPF_OK;
    return GetLastError() == ERROR_TIMEOUT ? CPF_ERR_TIMEOUT : CPF_OK;
}
CPF_DEF void cpf_cond_signal(cpf_cond *c) { WakeConditionVariable((PCONDITION_VARIABLE)(void *)&c->opaque); }
CPF_DEF void cpf_cond_broadcast(cpf_cond *c) { WakeAllConditionVariable((PCONDITION_VARIABLE)(void *)&c->opaque); }
CPF_DEF void cpf_cond_destroy(cpf_cond *c) { (void)c; }

#elif defined(CPF__POSIX)
/* pthreads. Timed waits use CLOCK_MONOTONIC where the condition attribute
   allows it (not macOS), so a wall-clock change cannot stretch a timeout. */
typedef char cpf__mutex_fits[sizeof(pthread_mutex_t) <= sizeof(((cpf_mutex *)0)->opaque) ? 1 : -1];
typedef char cpf__cond_fits[sizeof(pthread_cond_t) <= sizeof(((cpf_cond *)0)->opaque) ? 1 : -1];
typedef char cpf__thread_fits[sizeof(pthread_t) <= sizeof(((cpf_thread *)0)->handle) ? 1 : -1];
#define CPF__PM(m) ((pthread_mutex_t *)(void *)&(m)->opaque)
#define CPF__PC(c) ((pthread_cond_t *)(void *)&(c)->opaque)
static void *cpf__thread_main(void *p)
{
    cpf_thread *t = (cpf_thread *)p;
    t->result = t->fn(t->arg);
    return NULL;
}
CPF_DEF cpf_status cpf_thread_start(cpf_thread *t, cpf_thread_fn fn, void *arg)
{
    pthread_t th;
    if (!t || !fn) return CPF_ERR_ARG;
    memset(t, 0, sizeof *t);
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&th, NULL, cpf__thread_main, t) != 0) return CPF_ERR_NOMEM;
    memcpy(&t->handle, &th, sizeof th);
    t->started = 1;
    return CPF_OK;
}
CPF_DEF cpf_status cpf_thread_join(cpf_thread *t, int *result)
{
    pthread_t th;
    if (!t || !t->started) return CPF_ERR_ARG;
    memcpy(&th, &t->handle, sizeof th);
    if (pthread_join(th, NULL) != 0) return CPF_ERR_ARG;
    t->started = 0;
    if (result) *result = t->result;
    return CPF_OK;
}
CPF_DEF void cpf_thread_yield(void) { sched_yield(); }
CPF_DEF void cpf_sleep_ms(unsigned ms)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) { }
}
CPF_DEF cpf_status cpf_mutex_init(cpf_mutex *m) { return pthread_mutex_init(CPF__PM(m), NULL) == 0 ? CPF_OK : CPF_ERR_NOMEM; }
CPF_DEF void cpf_mutex_lock(cpf_mutex *m) { pthread_mutex_lock(CPF__PM(m)); }
CPF_DEF void cpf_mutex_unlock(cpf_mutex *m) { pthread_mutex_unlock(CPF__PM(m)); }
CPF_DEF void cpf_mutex_destroy(cpf_mutex *m) { pthread_mutex_destroy(CPF__PM(m)); }
CPF_DEF cpf_status cpf_cond_init(cpf_cond *c)
{
    pthread_condattr_t a;
    int rc;
    if (pthread_condattr_init(&a) != 0) return CPF_ERR_NOMEM;
#if !defined(__APPLE__)
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
#endif
    rc = pthread_cond_init(CPF__PC(c), &a);
    pthread_condattr_destroy(&a);
    return rc == 0 ? CPF_OK : CPF_ERR_NOMEM;
}
CPF_DEF void cpf_cond_wait(cpf_cond *c, cpf_mutex *m) { pthread_cond_wait(CPF__PC(c), CPF__PM(m)); }
CPF_DEF cpf_status cpf_cond_timedwait(cpf_cond *c, cpf_mutex *m, double ms)
{
    struct timespec ts;
    uint64_t ns;
#if defined(__APPLE__)
    clock_gettime(CLOCK_REALTIME, &ts);
#else
    clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
    if (ms < 0.0) ms = 0.0;
    if (ms > 1e12) ms = 1e12;
    ns = (uint64_t)ts.tv_nsec + (uint64_t)(ms * 1e6);
    ts.tv_sec += (time_t)(ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    return pthread_cond_timedwait(CPF__PC(c), CPF__PM(m), &ts) == ETIMEDOUT ? CPF_ERR_TIMEOUT : CPF_OK;
}
CPF_DEF void cpf_cond_signal(cpf_cond *c) { pthread_cond_signal(CPF__PC(c)); }
CPF_DEF void cpf_cond_broadcast(cpf_cond *c) { pthread_cond_broadcast(CPF__PC(c)); }
CPF_DEF void cpf_cond_destroy(cpf_cond *c) { pthread_cond_destroy(CPF__PC(c)); }
#undef CPF__PM
#undef CPF__PC
#else
#error "coralperf: no thread API known for this target. Define CORALPERF_NO_THREADS for a single-threaded build (bare metal)."
#endif

CPF_DEF int cpf_cpu_count(void) { return cpf__num_cpus(); }

/* --- platform: memory probes -------------------------------------------- */
#if defined(__linux__)
#define CPF__MEM_SOURCE "/proc/self/statm (RSS), /proc/self/status VmHWM (peak)"
/* /proc/self/statm stays open (pread costs ~2 us, open/read/close ~6-9 us).
   After fork() the child must not read its parent's file: a fork handler
   (registered when the descriptor is first cached) drops it in the child,
   so the hot path needs no getpid() system call. */
static cpf_atomic32 cpf__statm_cache; /* fd + 1; 0 = none */
#if !defined(CORALPERF_NO_THREADS)
static void cpf__statm_forget_in_child(void)
{
    /* Forget, do not close: the number may belong to the program by now. */
    cpf_atomic32_store(&cpf__statm_cache, 0);
}
#endif
static int cpf__statm_fd(void)
{
    int32_t cur = cpf_atomic32_load(&cpf__statm_cache);
    int fd;
    if (cur > 0) return cur - 1;
    fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC); /* not inherited by exec'd children */
    if (fd < 0) return -1;
    if (cpf_atomic32_cas(&cpf__statm_cache, &cur, fd + 1)) {
#if !defined(CORALPERF_NO_THREADS)
        pthread_atfork(NULL, NULL, cpf__statm_forget_in_child); /* once: only the CAS winner */
#endif
        return fd;
    }
    close(fd); /* another thread cached one first */
    return cur - 1;
}
static long cpf__page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? p : 4096;
}
/* statm is "size resident shared text lib data dt\n" (pages). */
static int cpf__parse_statm(const char *buf, unsigned long long *resident)
{
    const char *p = buf;
    int fields = 0;
    while (*p) {
        unsigned long long v = 0;
        if (*p < '0' || *p > '9') return 0;
        while (*p >= '0' && *p <= '9') v = v * 10u + (unsigned)(*p++ - '0');
        if (++fields == 2) *resident = v;
        if (*p == ' ') p++;
        else break;
    }
    return fields == 7 && (*p == '\n' || *p == 0);
}
static cpf_status cpf__os_rss(uint64_t *out)
{
    char buf[160];
    unsigned long long pages = 0;
    int attempt;
    for (attempt = 0; attempt < 2; attempt++) {
        int fd = cpf__statm_fd();
        ssize_t n;
        if (fd < 0) return CPF_ERR_UNSUPPORTED;
        do n = pread(fd, buf, sizeof buf - 1, 0); while (n < 0 && errno == EINTR);
        if (n > 0) {
            buf[n] = 0;
            if (cpf__parse_statm(buf, &pages)) {
                *out = (uint64_t)pages * (uint64_t)cpf__page_size();
                return CPF_OK;
            }
        }
        /* The descriptor was closed or reused behind our back: drop it, reopen once. */
        {
            int32_t cur = fd + 1;
            cpf_atomic32_cas(&cpf__statm_cache, &cur, 0);
        }
    }
    return CPF_ERR_IO;
}
/* VmHWM and VmRSS from /proc/self/status, in bytes. */
static cpf_status cpf__proc_status(uint64_t *hwm, uint64_t *rss)
{
    char buf[4096];
    const char *k;
    int fd = open("/proc/self/status", O_RDONLY);
    ssize_t n;
    if (fd < 0) return CPF_ERR_UNSUPPORTED;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return CPF_ERR_IO;
    buf[n] = 0;
    k = strstr(buf, "VmHWM:");
    if (!k || !hwm) return k ? CPF_OK : CPF_ERR_UNSUPPORTED;
    *hwm = (uint64_t)strtoull(k + 6, NULL, 10) * 1024u;
    if (rss) {
        k = strstr(buf, "VmRSS:");
        *rss = k ? (uint64_t)strtoull(k + 6, NULL, 10) * 1024u : 0;
    }
    return CPF_OK;
}
static cpf_status cpf__os_peak(uint64_t *out)
{
    struct rusage ru;
    if (cpf__proc_status(out, NULL) == CPF_OK) return CPF_OK;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return CPF_ERR_UNSUPPORTED;
    *out = (uint64_t)ru.ru_maxrss * 1024u; /* KiB on Linux */
    return CPF_OK;
}
static cpf_status cpf__os_peak_reset(void)
{
    /* Writing "5" to clear_refs resets VmHWM to the current RSS (Linux >= 4.0,
       Documentation/filesystems/proc.rst). Verified by reading it back. */
    uint64_t hwm = 0, rss = 0;
    int fd = open("/proc/self/clear_refs", O_WRONLY);
    ssize_t w;
    if (fd < 0) return CPF_ERR_UNSUPPORTED;
    w = write(fd, "5", 1);
    close(fd);
    if (w != 1 || cpf__proc_status(&hwm, &rss) != CPF_OK) return CPF_ERR_UNSUPPORTED;
    return hwm <= rss + 1048576u ? CPF_OK : CPF_ERR_UNSUPPORTED;
}
#elif defined(__APPLE__)
#define CPF__MEM_SOURCE "task_info(MACH_TASK_BASIC_INFO)"
static cpf_status cpf__os_basic(mach_task_basic_info_data_t *info)
{
    mach_msg_type_number_t count = MACH_TASK_BASIC_INFO_COUNT;
    return task_info(mach_task_self(), MACH_TASK_BASIC_INFO, (task_info_t)info, &count) == KERN_SUCCESS
               ? CPF_OK : CPF_ERR_UNSUPPORTED;
}
static cpf_status cpf__os_rss(uint64_t *out)
{
    mach_task_basic_info_data_t info;
    cpf_status st = cpf__os_basic(&info);
    if (st == CPF_OK) *out = (uint64_t)info.resident_size;
    return st;
}
static cpf_status cpf__os_peak(uint64_t *out)
{
    mach_task_basic_info_data_t info;
    cpf_status st = cpf__os_basic(&info);
    if (st == CPF_OK) *out = (uint64_t)info.resident_size_max; /* bytes (ru_maxrss is bytes too here) */
    return st;
}
static cpf_status cpf__os_peak_reset(void) { return CPF_ERR_UNSUPPORTED; }
#elif defined(_WIN32)
#define CPF__MEM_SOURCE "GetProcessMemoryInfo (working set)"
static cpf_status cpf__os_counters(PROCESS_MEMORY_COUNTERS *pmc)
{
    return GetProcessMemoryInfo(GetCurrentProcess(), pmc, sizeof *pmc) ? CPF_OK : CPF_ERR_UNSUPPORTED;
}
static cpf_status cpf__os_rss(uint64_t *out)
{
    PROCESS_MEMORY_COUNTERS pmc;
    cpf_status st = cpf__os_counters(&pmc);
    if (st == CPF_OK) *out = (uint64_t)pmc.WorkingSetSize;
    return st;
}
static cpf_status cpf__os_peak(uint64_t *out)
{
    PROCESS_MEMORY_COUNTERS pmc;
    cpf_status st = cpf__os_counters(&pmc);
    if (st == CPF_OK) *out = (uint64_t)pmc.PeakWorkingSetSize;
    return st;
}
static cpf_status cpf__os_peak_reset(void) { return CPF_ERR_UNSUPPORTED; }
#elif defined(__FreeBSD__)
#define CPF__MEM_SOURCE "sysctl KERN_PROC_PID (RSS), getrusage (peak)"
static cpf_status cpf__os_rss(uint64_t *out)
{
    struct kinfo_proc kp;
    size_t len = sizeof kp;
    int mib[4];
    mib[0] = CTL_KERN; mib[1] = KERN_PROC; mib[2] = KERN_PROC_PID; mib[3] = (int)getpid();
    if (sysctl(mib, 4, &kp, &len, NULL, 0) != 0) return CPF_ERR_UNSUPPORTED;
    *out = (uint64_t)kp.ki_rssize * (uint64_t)sysconf(_SC_PAGESIZE);
    return CPF_OK;
}
static cpf_status cpf__os_peak(uint64_t *out)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return CPF_ERR_UNSUPPORTED;
    *out = (uint64_t)ru.ru_maxrss * 1024u; /* KiB on the BSDs */
    return CPF_OK;
}
static cpf_status cpf__os_peak_reset(void) { return CPF_ERR_UNSUPPORTED; }
#else
#define CPF__MEM_SOURCE "none (this platform reports no process memory)"
static cpf_status cpf__os_rss(uint64_t *out) { (void)out; return CPF_ERR_UNSUPPORTED; }
static cpf_status cpf__os_peak(uint64_t *out) { (void)out; return CPF_ERR_UNSUPPORTED; }
static cpf_status cpf__os_peak_reset(void) { return CPF_ERR_UNSUPPORTED; }
#endif

/* Bytes in use by the C heap (glibc >= 2.33 mallinfo2), for leak checks of
   code that does not use cpf_malloc. */
static int cpf__heap_in_use(uint64_t *out)
{
#if defined(__GLIBC__) && ((__GLIBC__ > 2) || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    *out = (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
    return 1;
#else
    (void)out;
    return 0;
#endif
}


/* ======================================================================== */
/* ==== module: common ==================================================== */

CPF_DEF const char *cpf_status_text(cpf_status s)
{
    switch (s) {
    case CPF_OK: return "ok";
    case CPF_ERR_ARG: return "invalid argument";
    case CPF_ERR_NOT_FINITE: return "a value is NaN or infinite";
    case CPF_ERR_NOMEM: return "out of memory";
    case CPF_ERR_IO: return "input/output error";
    case CPF_ERR_FORMAT: return "malformed input";
    case CPF_ERR_USAGE: return "bad command-line usage";
    case CPF_ERR_BENCH: return "benchmark failed";
    case CPF_ERR_UNSUPPORTED: return "not supported on this platform";
    case CPF_ERR_DUPLICATE: return "name registered twice";
    case CPF_ERR_TIMEOUT: return "timed out";
    }
    return "unknown status";
}

#ifdef CPF__NEED_OPAQUE_USE
CPF_DEF void cpf__opaque_use(const volatile void *p) { (void)p; }
#endif

static char *cpf__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = CPF__ALLOC(char, n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Growable text buffer on a stb_ds array; always NUL-terminated when len > 0. */
typedef struct cpf__sb { char *a; } cpf__sb;

static void cpf__sb_putn(cpf__sb *sb, const char *s, size_t n)
{
    size_t len = stbds_arrlenu(sb->a);
    if (len) len--; /* overwrite the terminator */
    stbds_arrsetlen(sb->a, len + n + 1);
    memcpy(sb->a + len, s, n);
    sb->a[len + n] = 0;
}
static void cpf__sb_puts(cpf__sb *sb, const char *s) { cpf__sb_putn(sb, s, strlen(s)); }
static void cpf__sb_printf(cpf__sb *sb, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) { cpf__sb_putn(sb, tmp, (size_t)n); return; }
    {
        char *big = CPF__ALLOC(char, (size_t)n + 1);
        if (!big) return;
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        cpf__sb_putn(sb, big, (size_t)n);
        CPF__FREE(big);
    }
}
static size_t cpf__sb_len(const cpf__sb *sb) { size_t n = stbds_arrlenu(sb->a); return n ? n - 1 : 0; }
static const char *cpf__sb_str(const cpf__sb *sb) { return sb->a ? sb->a : ""; }
static void cpf__sb_free(cpf__sb *sb) { stbds_arrfree(sb->a); }
#if !defined(CORALPERF_NO_FILES)
static int cpf__sb_write(void *user, const char *s, size_t n) { cpf__sb_putn((cpf__sb *)user, s, n); return 0; }
#endif
static void cpf__esc_console(cpf__sb *sb, const char *s);

/* Formats a number with '.' as decimal point whatever the C locale says. */
static void cpf__fmt_num(char *buf, size_t cap, const char *fmt, double v)
{
    char *p;
    snprintf(buf, cap, fmt, v);
    for (p = buf; *p; p++)
        if (*p == ',') *p = '.';
}

static void cpf__msg(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

/* ======================================================================== */
/* ==== module: clock ===================================================== */

static int cpf__cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median cost of one call of a clock function, from 9 runs of 256 calls. */
static double cpf__read_overhead(uint64_t (*fn)(void))
{
    double per[9];
    int r, i;
    for (r = 0; r < 9; r++) {
        uint64_t t0 = cpf_now_ns(), t1;
        volatile uint64_t sink = 0;
        for (i = 0; i < 256; i++) sink += fn();
        t1 = cpf_now_ns();
        (void)sink;
        per[r] = (double)(t1 - t0) / 256.0;
    }
    qsort(per, 9, sizeof per[0], cpf__cmp_double);
    return per[4];
}

CPF_DEF cpf_status cpf_clock_measure(cpf_clock_info *out)
{
    uint64_t start, t0, t1, min_step = 0;
    int steps = 0;
    if (!out) return CPF_ERR_ARG;
    memset(out, 0, sizeof *out);
    out->source = CPF__CLOCK_SOURCE;
    out->ticks_source = CPF__TICKS_SOURCE;

    /* Resolution: the smallest nonzero difference between consecutive reads,
       over up to 200 transitions or 20 ms (a 10 ms tick clock then still
       yields its step, just from fewer transitions). */
    start = cpf_now_ns();
    while (steps < 200) {
        t0 = cpf_now_ns();
        do t1 = cpf_now_ns(); while (t1 == t0 && t1 - start < 50000000u);
        if (t1 != t0) {
            uint64_t d = t1 - t0;
            if (!min_step || d < min_step) min_step = d;
            steps++;
        }
        if (t1 - start > 20000000u) break;
    }
    out->resolution_ns = min_step ? (double)min_step : 50e6;
    out->overhead_ns = cpf__read_overhead(cpf_now_ns);

    /* Tick rate: ticks elapsed against ns elapsed over at least 0.5 ms and
       1000 clock resolutions (error under 0.1% plus the read cost). */
    out->ticks_overhead_ns = cpf__read_overhead(cpf_ticks);
    out->ticks_nominal_hz = CPF__TICKS_NOMINAL_HZ;
    out->ticks_invariant = cpf__ticks_invariant();
#ifdef CPF__NO_TICKS
    out->has_ticks = 0;
    out->ticks_hz = 1e9;
#else
    {
        double window = 5e5;
        uint64_t k0, k1, n0, n1;
        if (window < 1000.0 * out->resolution_ns) window = 1000.0 * out->resolution_ns;
        if (window > 200e6) window = 200e6;
        n0 = cpf_now_ns();
        k0 = cpf_ticks();
        do { n1 = cpf_now_ns(); } while ((double)(n1 - n0) < window);
        k1 = cpf_ticks();
        n1 = cpf_now_ns();
        out->ticks_hz = (n1 > n0) ? (double)(k1 - k0) * 1e9 / (double)(n1 - n0) : 0.0;
        /* A counter that did not move (QEMU's DWT, a trapped rdtime) is none. */
        out->has_ticks = k1 != k0;
        if (!out->has_ticks) {
            out->ticks_source = "none (counter does not advance; cpf_ticks is unusable)";
            out->ticks_hz = 0.0;
        }
    }
#endif
    return CPF_OK;
}

CPF_DEF double cpf_ticks_to_ns(const cpf_clock_info *ci, uint64_t ticks)
{
    if (!ci || ci->ticks_hz <= 0.0) return 0.0;
    return (double)ticks * 1e9 / ci->ticks_hz;
}

/* ======================================================================== */
/* ==== module: stats ===================================================== */

CPF_DEF void cpf_sort_doubles(double *x, size_t n)
{
    if (x && n > 1) qsort(x, n, sizeof *x, cpf__cmp_double);
}

CPF_DEF double cpf_quantile_sorted(const double *s, size_t n, double p)
{
    double h, f;
    size_t i;
    if (!s || n == 0) return 0.0;
    if (p <= 0.0) return s[0];
    if (p >= 1.0) return s[n - 1];
    h = (double)(n - 1) * p;   /* type 7: h = (n - 1) p, 0-based */
    i = (size_t)h;
    f = h - (double)i;
    if (i + 1 >= n) return s[n - 1];
    return s[i] + f * (s[i + 1] - s[i]);
}

/* Standard normal CDF, Abramowitz & Stegun 26.2.17 (|error| < 7.5e-8): a
   few lines instead of libm's erf, which costs ~4 KB of flash on Cortex-M. */
static double cpf__normal_cdf(double x)
{
    const double p = 0.2316419, b1 = 0.319381530, b2 = -0.356563782, b3 = 1.781477937,
                 b4 = -1.821255978, b5 = 1.330274429;
    double ax = fabs(x), t = 1.0 / (1.0 + p * ax);
    double tail = exp(-ax * ax / 2.0) / 2.5066282746310002 * t * (b1 + t * (b2 + t * (b3 + t * (b4 + t * b5))));
    return x >= 0.0 ? 1.0 - tail : tail;
}

/* log P(B <= k) for B ~ Binomial(n, 1/2), summed in log space. */
static double cpf__log_binom_cdf_half(size_t n, size_t k)
{
    double lp = -(double)n * log(2.0), acc = lp;
    size_t j;
    for (j = 0; j < k; j++) {
        lp += log((double)(n - j)) - log((double)(j + 1)); /* pmf(j+1)/pmf(j) */
        /* log(1 + x) rather than log1p: x <= 1 here, and the terms where they
           differ are far below the 2.5% tail being tested. */
        acc = acc > lp ? acc + log(1.0 + exp(lp - acc)) : lp + log(1.0 + exp(acc - lp));
    }
    return acc;
}

CPF_DEF double cpf_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi)
{
    /* Rank r bounds the median with P(X(r) <= m <= X(n+1-r)) = 1 - 2 P(B <= r-1). */
    double tail = (1.0 - level) / 2.0, cover;
    size_t r = 1;
    if (n == 0) { if (lo) *lo = 0; if (hi) *hi = 0; return 0.0; }
    if (n <= 5000) {
        double ltail = log(tail);
        size_t cand = 1;
        while (cand + 1 <= (n + 1) / 2 && cpf__log_binom_cdf_half(n, cand) <= ltail) cand++;
        r = cand;
        cover = 1.0 - 2.0 * exp(cpf__log_binom_cdf_half(n, r - 1));
    } else {
        /* Normal approximation (continuity-corrected), z for the level. */
        double z = level >= 0.99 ? 2.5758293035489 : level >= 0.95 ? 1.959963984540 : 1.6448536269514;
        double rr = floor(((double)n + 1.0) / 2.0 - z * sqrt((double)n) / 2.0);
        r = rr < 1.0 ? 1 : (size_t)rr;
        {
            double zz = ((double)n / 2.0 - ((double)r - 0.5)) / (sqrt((double)n) / 2.0);
            cover = 2.0 * cpf__normal_cdf(zz) - 1.0;
        }
    }
    if (cover < 0.0) cover = 0.0;
    if (lo) *lo = r;
    if (hi) *hi = n + 1 - r;
    return cover;
}

/* k-th smallest (0-based) absolute deviation from m of sorted s, without
   allocating: deviations left of the split grow leftwards, right ones grow
   rightwards, so a merge from the split point visits them in order. */
static double cpf__kth_abs_dev(const double *s, size_t n, double m, size_t k)
{
    size_t right = 0, cnt = 0;
    ptrdiff_t left;
    double d = 0.0;
    while (right < n && s[right] < m) right++;
    left = (ptrdiff_t)right - 1;
    while (cnt <= k) {
        double dl = left >= 0 ? m - s[left] : DBL_MAX;
        double dr = right < n ? s[right] - m : DBL_MAX;
        if (dl <= dr) { d = dl; left--; } else { d = dr; right++; }
        cnt++;
    }
    return d;
}

CPF_DEF cpf_status cpf_stats_compute_sorted(const double *s, size_t n, cpf_stats *o)
{
    size_t i, lo, hi;
    double sum = 0.0, comp = 0.0, ss = 0.0, lf_mild, lf_sev, hf_mild, hf_sev;
    if (!o) return CPF_ERR_ARG;
    memset(o, 0, sizeof *o);
    if (!s || n == 0) return CPF_ERR_ARG;
    for (i = 0; i < n; i++) {
        double t, y;
        if (!(s[i] == s[i]) || s[i] > DBL_MAX || s[i] < -DBL_MAX) return CPF_ERR_NOT_FINITE;
        if (i && s[i] < s[i - 1]) return CPF_ERR_ARG; /* not sorted */
        /* Neumaier compensated sum: exact enough for a million samples. */
        t = sum + s[i];
        y = fabs(sum) >= fabs(s[i]) ? (sum - t) + s[i] : (s[i] - t) + sum;
        comp += y;
        sum = t;
    }
    o->n = n;
    o->min = s[0];
    o->max = s[n - 1];
    o->mean = (sum + comp) / (double)n;
    for (i = 0; i < n; i++) ss += (s[i] - o->mean) * (s[i] - o->mean);
    o->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    o->median = cpf_quantile_sorted(s, n, 0.5);
    o->q1 = cpf_quantile_sorted(s, n, 0.25);
    o->q3 = cpf_quantile_sorted(s, n, 0.75);
    o->iqr = o->q3 - o->q1;
    o->p10 = cpf_quantile_sorted(s, n, 0.10);
    o->p90 = cpf_quantile_sorted(s, n, 0.90);
    o->p95 = cpf_quantile_sorted(s, n, 0.95);
    o->p99 = cpf_quantile_sorted(s, n, 0.99);
    o->p999 = cpf_quantile_sorted(s, n, 0.999);
    /* MAD as the type-7 median of the n deviations. */
    {
        double a = cpf__kth_abs_dev(s, n, o->median, (n - 1) / 2);
        double b = (n % 2) ? a : cpf__kth_abs_dev(s, n, o->median, n / 2);
        o->mad = (a + b) / 2.0;
    }
    o->ci_level = cpf_median_ci_ranks(n, 0.95, &lo, &hi);
    o->ci_lo = s[lo - 1];
    o->ci_hi = s[hi - 1];
    lf_mild = o->q1 - 1.5 * o->iqr;
    lf_sev = o->q1 - 3.0 * o->iqr;
    hf_mild = o->q3 + 1.5 * o->iqr;
    hf_sev = o->q3 + 3.0 * o->iqr;
    for (i = 0; i < n; i++) {
        if (s[i] < lf_sev) o->low_severe++;
        else if (s[i] < lf_mild) o->low_mild++;
        else if (s[i] > hf_sev) o->high_severe++;
        else if (s[i] > hf_mild) o->high_mild++;
    }
    return CPF_OK;
}

CPF_DEF cpf_status cpf_stats_compute(const double *x, size_t n, cpf_stats *out)
{
    double *tmp;
    size_t i;
    cpf_status st;
    if (!out) return CPF_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (!x || n == 0) return CPF_ERR_ARG;
    for (i = 0; i < n; i++)
        if (!(x[i] == x[i]) || x[i] > DBL_MAX || x[i] < -DBL_MAX) return CPF_ERR_NOT_FINITE;
    tmp = CPF__ALLOC(double, n);
    if (!tmp) return CPF_ERR_NOMEM;
    memcpy(tmp, x, n * sizeof *x);
    cpf_sort_doubles(tmp, n);
    st = cpf_stats_compute_sorted(tmp, n, out);
    CPF__FREE(tmp);
    return st;
}

/* ======================================================================== */
/* ==== module: bench ===================================================== */

enum { CPF__PH_START, CPF__PH_CALIBRATE, CPF__PH_WARMUP, CPF__PH_MEASURE, CPF__PH_DONE };

struct cpf__run {
    cpf_bench_opts o;             /* effective options */
    const cpf_clock_info *clock;
    void *ctx;
    int64_t arg;
    int phase, in_batch, failed, skipped;
    uint64_t batch, start_ns, t0, cpu0;
    double target_sample_ns, budget_ns, warmup_ns;
    double *samples, *cpu_samples, *scratch;
    unsigned n, cap;
    uint64_t total_iters;
    double bytes_per_op, items_per_op;
    double last_batch_ns;         /* duration of the last sample, to respect the budget */
    double best_per_iter;         /* fastest ns/iteration of a calibration/warm-up batch */
    unsigned next_check;          /* sample count at which the CI is checked next */
    int recalibrations;
    int mem_on, mem_started, mem_done, mem_peak_reset, mem_has_rss;
    cpf_alloc_stats mem_b0;       /* counters at the start of the current timed batch */
    int64_t mem_allocs, mem_bytes; /* summed over timed batches only: setup and
                                      teardown allocations are not the op's */
    uint64_t mem_rss0, mem_rss1;
    int budget_cut;
    char message[256];
};

CPF_DEF int64_t cpf_bench_arg(const cpf_bench *b) { return b && b->cpf__run ? b->cpf__run->arg : 0; }
CPF_DEF void *cpf_bench_ctx(const cpf_bench *b) { return b && b->cpf__run ? b->cpf__run->ctx : NULL; }
CPF_DEF void cpf_bench_set_bytes_per_op(cpf_bench *b, double bytes) { if (b && b->cpf__run) b->cpf__run->bytes_per_op = bytes; }
CPF_DEF void cpf_bench_set_items_per_op(cpf_bench *b, double items) { if (b && b->cpf__run) b->cpf__run->items_per_op = items; }

CPF_DEF void cpf_bench_fail(cpf_bench *b, const char *message)
{
    if (!b || !b->cpf__run) return;
    b->cpf__run->failed = 1;
    cpf__msg(b->cpf__run->message, sizeof b->cpf__run->message, "%s", message ? message : "failed");
    b->cpf__left = 0;
}

CPF_DEF void cpf_bench_skip(cpf_bench *b, const char *reason)
{
    if (!b || !b->cpf__run) return;
    b->cpf__run->skipped = 1;
    cpf__msg(b->cpf__run->message, sizeof b->cpf__run->message, "%s", reason ? reason : "skipped");
    b->cpf__left = 0;
}

/* Adaptive stop: the 95% CI half-width of the median relative to it. */
static int cpf__ci_reached(struct cpf__run *r)
{
    size_t lo, hi;
    double med;
    memcpy(r->scratch, r->samples, r->n * sizeof *r->samples);
    cpf_sort_doubles(r->scratch, r->n);
    cpf_median_ci_ranks(r->n, 0.95, &lo, &hi);
    med = cpf_quantile_sorted(r->scratch, r->n, 0.5);
    if (med <= 0.0) return 1;
    return (r->scratch[hi - 1] - r->scratch[lo - 1]) / 2.0 <= r->o.target_ci * med;
}

static uint64_t cpf__batch_for(double target_ns, double per_iter_ns)
{
    double b = per_iter_ns > 0.0 ? ceil(target_ns / per_iter_ns) : 1e3;
    if (b < 1.0) b = 1.0;
    if (b > 1e12) b = 1e12;
    return (uint64_t)b;
}

CPF_DEF int cpf_bench_next_batch(cpf_bench *b)
{
    uint64_t t1 = cpf_now_ns();
    struct cpf__run *r = b->cpf__run;
    double elapsed = 0.0, since;
    int ended = r->in_batch;

    if (ended) {
        elapsed = (double)(t1 - r->t0);
        r->in_batch = 0;
        if (r->phase == CPF__PH_MEASURE && !r->failed && !r->skipped) {
            uint64_t c1 = cpf_cpu_ns();
            r->samples[r->n] = elapsed / (double)r->batch;
            r->cpu_samples[r->n] = (double)(c1 - r->cpu0) / (double)r->batch;
            if (r->mem_on) {
                cpf_alloc_stats a;
                cpf_alloc_stats_get(&a);
                r->mem_allocs += a.allocs + a.reallocs - r->mem_b0.allocs - r->mem_b0.reallocs;
                r->mem_bytes += a.bytes_allocated - r->mem_b0.bytes_allocated;
            }
            r->n++;
            r->total_iters += r->batch;
            r->last_batch_ns = elapsed;
        }
        if (r->o.teardown) r->o.teardown(r->ctx);
    } else if (r->phase == CPF__PH_START) {
        r->start_ns = t1;
        r->phase = r->o.iterations ? CPF__PH_WARMUP : CPF__PH_CALIBRATE;
        r->batch = r->o.iterations ? r->o.iterations : 1;
    } else {
        return 0; /* called again after the end */
    }
    if (r->failed || r->skipped) { r->phase = CPF__PH_DONE; b->cpf__left = 0; return 0; }

    since = (double)(cpf_now_ns() - r->start_ns);
    /* The fastest per-iteration time of any long-enough batch sizes the
       samples: a preempted batch only looks slower, never faster. */
    if (ended && !r->o.iterations && elapsed >= r->target_sample_ns / 10.0 &&
        (r->best_per_iter <= 0.0 || elapsed / (double)r->batch < r->best_per_iter))
        r->best_per_iter = elapsed / (double)r->batch;
    if (r->phase == CPF__PH_CALIBRATE) {
        if (ended && elapsed >= r->target_sample_ns) {
            r->phase = CPF__PH_WARMUP;
        } else if (ended) {
            /* Too short to extrapolate from (or 0 on a coarse clock): x10. */
            if (elapsed < r->target_sample_ns / 100.0)
                r->batch = r->batch > 100000000000ull ? 1000000000000ull : r->batch * 10;
            else
                r->batch = cpf__batch_for(r->target_sample_ns * 1.05, r->best_per_iter > 0.0 ? r->best_per_iter : elapsed / (double)r->batch);
        }
        if (r->phase == CPF__PH_CALIBRATE && since > r->budget_ns / 4.0) {
            r->phase = CPF__PH_WARMUP;
            r->budget_cut = 1;
        }
    }
    if (r->phase == CPF__PH_WARMUP) {
        /* Calibration time counts as warm-up; the batch follows the warming code. */
        if (!r->o.iterations && r->best_per_iter > 0.0)
            r->batch = cpf__batch_for(r->target_sample_ns * 1.05, r->best_per_iter);
        if (since >= r->warmup_ns || since > r->budget_ns / 4.0) r->phase = CPF__PH_MEASURE;
    } else if (r->phase == CPF__PH_MEASURE) {
        unsigned want_min = r->o.samples ? r->o.samples : r->o.min_samples;
        unsigned want_max = r->o.samples ? r->o.samples : r->o.max_samples;
        double next_end = since + (r->last_batch_ns > 0.0 ? r->last_batch_ns : 0.0);
        if (ended && !r->o.iterations && r->n == 1 && r->recalibrations < 3 &&
            elapsed < 0.5 * r->target_sample_ns && since < r->budget_ns / 2.0) {
            /* The code runs faster than calibration saw (it was still warming,
               or calibration was preempted): resize and start measuring over. */
            r->batch = cpf__batch_for(r->target_sample_ns * 1.05, elapsed / (double)r->batch);
            r->n = 0;
            r->total_iters = 0;
            r->mem_allocs = r->mem_bytes = 0;
            r->recalibrations++;
        } else if (r->n >= want_max) r->phase = CPF__PH_DONE;
        else if (!r->o.samples && r->n >= r->next_check && r->o.target_ci > 0.0) {
            /* Looking at the CI after every sample and stopping on the first
               narrow one would bias it; look at geometric checkpoints only. */
            r->next_check = r->next_check + (r->next_check + 1) / 2;
            if (cpf__ci_reached(r)) r->phase = CPF__PH_DONE;
        }
        if (r->phase == CPF__PH_MEASURE && r->n >= 1 && next_end > r->budget_ns) {
            if (r->n < want_min) r->budget_cut = 1;
            r->phase = CPF__PH_DONE;
        }
    }
    if (r->mem_on && r->mem_started && !r->mem_done && r->phase == CPF__PH_DONE) {
        /* End of the measured phase: RSS after the last batch. */
        if (r->mem_has_rss)
            r->mem_has_rss = (r->mem_peak_reset ? cpf_mem_peak(&r->mem_rss1) : cpf_mem_rss(&r->mem_rss1)) == CPF_OK;
        r->mem_done = 1;
    }
    if (r->phase == CPF__PH_DONE) { b->cpf__left = 0; return 0; }

    if (r->o.setup) r->o.setup(r->ctx);
    if (r->mem_on && r->phase == CPF__PH_MEASURE && r->n == 0) {
        /* Start (or, after a recalibration, restart) of the measured phase. */
        r->mem_has_rss = cpf_mem_rss(&r->mem_rss0) == CPF_OK;
        r->mem_peak_reset = r->mem_has_rss && cpf_mem_peak_reset() == CPF_OK;
        r->mem_started = 1;
    }
    if (r->mem_on && r->phase == CPF__PH_MEASURE) cpf_alloc_stats_get(&r->mem_b0); /* after setup */
    if (r->phase == CPF__PH_MEASURE) r->cpu0 = cpf_cpu_ns();
    r->in_batch = 1;
    b->cpf__left = r->batch - 1;
    r->t0 = cpf_now_ns();
    return 1;
}

/* Effective options: defaults, then the benchmark's own, then overrides. */
static cpf_bench_opts cpf__effective_opts(const cpf_bench_opts *own, const cpf_bench_opts *over)
{
    cpf_bench_opts o;
    memset(&o, 0, sizeof o);
    if (own) o = *own;
    if (over && over->quick) o.quick = 1;
    if (over && over->memory) o.memory = 1;
    if (o.quick) {
        /* 9 samples: the smallest n whose median CI excludes min and max */
        if (!o.min_samples) o.min_samples = 9;
        if (!o.max_samples) o.max_samples = 51;
        if (o.budget_ms <= 0.0 || o.budget_ms > 20.0) o.budget_ms = 20.0;
        if (o.warmup_ms <= 0.0) o.warmup_ms = 2.0;
        if (o.min_sample_ms <= 0.0) o.min_sample_ms = 0.2;
        if (o.target_ci == 0.0) o.target_ci = 0.02;
    }
    /* Flags given on the command line win over quick mode and the code. */
    if (over && over->samples) o.samples = over->samples;
    if (over && over->budget_ms > 0.0) o.budget_ms = over->budget_ms;
    if (!o.max_samples) o.max_samples = 101;
    if (!o.min_samples) o.min_samples = o.max_samples < 21 ? o.max_samples : 21;
    if (o.max_samples < o.min_samples) o.max_samples = o.min_samples;
    if (o.target_ci == 0.0) o.target_ci = 0.01;
    if (o.min_sample_ms <= 0.0) o.min_sample_ms = 5.0;
    if (o.warmup_ms <= 0.0) o.warmup_ms = 50.0;
    if (o.budget_ms <= 0.0) o.budget_ms = 2000.0;
    return o;
}

static void cpf__warn(cpf_result *res, unsigned bit, const char *fmt, ...)
{
    size_t len = strlen(res->warning_text);
    va_list ap;
    res->warnings |= bit;
    if (len && len + 1 < sizeof res->warning_text) res->warning_text[len++] = '\n', res->warning_text[len] = 0;
    va_start(ap, fmt);
    vsnprintf(res->warning_text + len, sizeof res->warning_text - len, fmt, ap);
    va_end(ap);
}

/* Formats a byte count with an auto-scaled binary unit. */
static void cpf__fmt_bytes(char *buf, size_t cap, double b)
{
    double a = fabs(b);
    if (a >= 1073741824.0) cpf__fmt_num(buf, cap, "%.2f GiB", b / 1073741824.0);
    else if (a >= 1048576.0) cpf__fmt_num(buf, cap, "%.2f MiB", b / 1048576.0);
    else if (a >= 10240.0) cpf__fmt_num(buf, cap, "%.1f KiB", b / 1024.0);
    else cpf__fmt_num(buf, cap, "%.1f B", b);
}

/* Formats a duration in ns with an auto-scaled unit, 4 significant digits. */
static void cpf__fmt_time(char *buf, size_t cap, double ns)
{
    const char *u = "ns";
    double v = ns;
    if (ns >= 1e9) v = ns / 1e9, u = "s";
    else if (ns >= 1e6) v = ns / 1e6, u = "ms";
    else if (ns >= 1e3) v = ns / 1e3, u = "us";
    if (v >= 100.0) snprintf(buf, cap, "%.1f %s", v, u);
    else if (v >= 10.0) snprintf(buf, cap, "%.2f %s", v, u);
    else snprintf(buf, cap, "%.3f %s", v, u);
    { char *p; for (p = buf; *p; p++) if (*p == ',') *p = '.'; }
}

/* Runs one benchmark into res; res->name must already be set. */
static cpf_status cpf__run_one(cpf_bench_fn fn, void *ctx, int64_t arg, int has_arg,
                               const cpf_bench_opts *opts, const cpf_clock_info *ci,
                               int optimized, const char *governor, cpf_result *res)
{
    struct cpf__run r;
    cpf_bench b;
    uint64_t t_begin;
    double floor_ns;
    memset(&r, 0, sizeof r);
    r.o = *opts;
    r.clock = ci;
    r.ctx = ctx;
    r.arg = arg;
    r.bytes_per_op = opts->bytes_per_op;
    r.items_per_op = opts->items_per_op;
    r.cap = r.o.samples ? r.o.samples : r.o.max_samples;
    r.next_check = r.o.min_samples;
    r.mem_on = r.o.memory;
    floor_ns = 1000.0 * ci->resolution_ns;
    r.target_sample_ns = r.o.min_sample_ms * 1e6 > floor_ns ? r.o.min_sample_ms * 1e6 : floor_ns;
    r.budget_ns = r.o.budget_ms * 1e6;
    r.warmup_ns = r.o.warmup_ms * 1e6;
    res->arg = arg;
    res->has_arg = has_arg;
    /* All buffers exist before the first timed batch: nothing allocates inside. */
    r.samples = CPF__ALLOC(double, r.cap);
    r.cpu_samples = CPF__ALLOC(double, r.cap);
    r.scratch = CPF__ALLOC(double, r.cap);
    if (!r.samples || !r.cpu_samples || !r.scratch) {
        CPF__FREE(r.samples); CPF__FREE(r.cpu_samples); CPF__FREE(r.scratch);
        res->status = CPF_ERR_NOMEM;
        cpf__msg(res->message, sizeof res->message, "out of memory for %u samples", r.cap);
        return res->status;
    }
    b.cpf__left = 0;
    b.cpf__run = &r;
    t_begin = cpf_now_ns();
    fn(&b);
    res->wall_ms = (double)(cpf_now_ns() - t_begin) / 1e6;
    CPF__FREE(r.scratch);
    res->bytes_per_op = r.bytes_per_op;
    res->items_per_op = r.items_per_op;
    res->iterations = r.batch;
    res->total_iterations = r.total_iters;

    if (r.skipped) {
        res->skipped = 1;
        res->status = CPF_OK;
        cpf__msg(res->message, sizeof res->message, "%s", r.message);
        CPF__FREE(r.samples); CPF__FREE(r.cpu_samples);
        return CPF_OK;
    }
    if (r.failed || r.phase != CPF__PH_DONE || r.n == 0) {
        res->status = CPF_ERR_BENCH;
        if (r.failed) cpf__msg(res->message, sizeof res->message, "%s", r.message);
        else if (r.phase == CPF__PH_START)
            cpf__msg(res->message, sizeof res->message, "the benchmark function never called cpf_bench_loop()");
        else
            cpf__msg(res->message, sizeof res->message, "the benchmark function returned before cpf_bench_loop() returned 0 (a break or return inside the loop?)");
        CPF__FREE(r.samples); CPF__FREE(r.cpu_samples);
        return res->status;
    }
    res->samples_ns = r.samples;
    res->cpu_samples_ns = r.cpu_samples;
    if (r.mem_on && r.mem_done && r.total_iters > 0) {
        double it = (double)r.total_iters;
        res->has_memory = 1;
        res->allocs_per_op = (double)r.mem_allocs / it;
        res->alloc_bytes_per_op = (double)r.mem_bytes / it;
        res->has_rss = r.mem_has_rss;
        res->rss_growth_bytes = r.mem_has_rss ? (double)r.mem_rss1 - (double)r.mem_rss0 : 0.0;
    }
    cpf_stats_compute(r.samples, r.n, &res->stats);
    {
        cpf_stats cs;
        cpf_stats_compute(r.cpu_samples, r.n, &cs);
        res->cpu_ns_per_op = cs.median;
    }
    res->status = CPF_OK;

    /* Stability warnings, in plain words. */
    {
        double med = res->stats.median, sample_ns = med * (double)res->iterations;
        char t1[32], t2[32], t3[32], n1[32], n2[32];
        if (sample_ns < 100.0 * ci->resolution_ns) {
            cpf__fmt_time(t1, sizeof t1, sample_ns);
            cpf__fmt_time(t2, sizeof t2, ci->resolution_ns);
            cpf__fmt_time(t3, sizeof t3, ci->overhead_ns);
            cpf__fmt_num(n1, sizeof n1, "%.0f", sample_ns / ci->resolution_ns);
            cpf__fmt_num(n2, sizeof n2, "%.1f", 100.0 * (ci->resolution_ns + ci->overhead_ns) / (sample_ns > 0 ? sample_ns : 1));
            cpf__warn(res, CPF_WARN_TIMER_COARSE,
                      "timer too coarse: one sample lasts %s, only %s clock steps of %s (and a clock read "
                      "costs %s), so each sample can be off by %s%%; give each sample more work "
                      "(more iterations, or more input per iteration)", t1, n1, t2, t3, n2);
        } else if (!r.o.iterations && sample_ns < 0.5 * r.target_sample_ns) {
            cpf__fmt_time(t1, sizeof t1, sample_ns);
            cpf__fmt_time(t2, sizeof t2, r.target_sample_ns);
            cpf__warn(res, CPF_WARN_TIMER_COARSE,
                      "samples last %s, under half the %s target: the code ran much faster than during "
                      "calibration (still warming up?)", t1, t2);
        }
        if (med < 0.1) {
            cpf__fmt_time(t1, sizeof t1, med);
            cpf__warn(res, CPF_WARN_OPTIMIZED_AWAY,
                      "%s per operation is below 0.1 ns, less than one CPU cycle: the compiler probably "
                      "removed the body (pass its result to cpf_do_not_optimize)", t1);
        }
        if (med > 0.0 && res->stats.n >= 3 && 1.4826 * res->stats.mad / med > 0.05) {
            cpf__fmt_num(n1, sizeof n1, "%.1f", 100.0 * 1.4826 * res->stats.mad / med);
            cpf__warn(res, CPF_WARN_NOISY,
                      "noisy: the spread (1.4826 x MAD) is %s%% of the median; other load on the machine? "
                      "results are less trustworthy", n1);
        }
        {
            /* Beyond 3 IQR of a very tight distribution can still be 0.1%
               off: only outliers that are also 5% off the median matter. */
            size_t k, n_far = 0;
            double hi = res->stats.q3 + 3.0 * res->stats.iqr, lo = res->stats.q1 - 3.0 * res->stats.iqr;
            for (k = 0; k < res->stats.n; k++) {
                double v = r.samples[k];
                if ((v > hi && v > med * 1.05) || (v < lo && v < med * 0.95)) n_far++;
            }
            if (res->stats.n >= 9 && n_far >= 2 && (double)n_far > 0.1 * (double)res->stats.n)
                cpf__warn(res, CPF_WARN_OUTLIERS,
                          "%u of %u samples are severe outliers (beyond 3 IQR and 5%% off the median): "
                          "something else ran during the measurement", (unsigned)n_far, (unsigned)res->stats.n);
        }
        if (r.budget_cut) {
            unsigned want = r.o.samples ? r.o.samples : r.o.min_samples;
            cpf__fmt_num(n1, sizeof n1, "%.0f", r.o.budget_ms);
            cpf__warn(res, CPF_WARN_FEW_SAMPLES,
                      "only %u of %u samples fit in the %s ms budget (raise budget_ms or --budget-ms)",
                      r.n, want, n1);
        } else if (!r.o.samples && r.o.target_ci > 0.0 && med > 0.0 &&
                   (res->stats.ci_hi - res->stats.ci_lo) / 2.0 > r.o.target_ci * med) {
            cpf__fmt_num(n1, sizeof n1, "%.2f", 100.0 * (res->stats.ci_hi - res->stats.ci_lo) / 2.0 / med);
            cpf__fmt_num(n2, sizeof n2, "%.2f", 100.0 * r.o.target_ci);
            cpf__warn(res, CPF_WARN_CI_WIDE,
                      "the 95%% CI of the median is +/-%s%%, wider than the %s%% target after %u samples",
                      n1, n2, r.n);
        }
        if (!optimized)
            cpf__warn(res, CPF_WARN_UNOPTIMIZED,
                      "built without optimisation (no -O2 / Release): timings do not represent real builds");
        if (governor && governor[0] && strcmp(governor, "performance") != 0)
            cpf__warn(res, CPF_WARN_GOVERNOR,
                      "CPU frequency governor is '%s', not 'performance': clock speed may change during the run",
                      governor);
    }
    return CPF_OK;
}

CPF_DEF void cpf_result_free(cpf_result *r)
{
    if (!r) return;
    CPF__FREE(r->name);
    CPF__FREE(r->samples_ns);
    CPF__FREE(r->cpu_samples_ns);
    memset(r, 0, sizeof *r);
}

static int cpf__impl_optimized(void)
{
#if defined(__OPTIMIZE__) || (defined(_MSC_VER) && !defined(_DEBUG) && !defined(__clang__))
    return 1;
#else
    return 0;
#endif
}

CPF_DEF cpf_status cpf_bench_run_build(const char *name, cpf_bench_fn fn, void *ctx,
                                       const cpf_bench_opts *opts, cpf_result *out,
                                       int caller_optimized)
{
    cpf_clock_info ci;
    cpf_bench_opts o;
    char gov[32];
    if (!out) return CPF_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (!name || !fn) {
        out->status = CPF_ERR_ARG;
        cpf__msg(out->message, sizeof out->message, "cpf_bench_run: name and fn must not be NULL");
        return out->status;
    }
    out->name = cpf__strdup(name);
    if (!out->name) return out->status = CPF_ERR_NOMEM;
    cpf_clock_measure(&ci);
    cpf__governor(gov, sizeof gov);
    o = cpf__effective_opts(opts, NULL);
    return cpf__run_one(fn, ctx, 0, 0, &o, &ci, caller_optimized && cpf__impl_optimized(), gov, out);
}

/* ======================================================================== */
/* ==== module: suite ===================================================== */

struct cpf__def {
    char *name;
    cpf_bench_fn fn;
    void *ctx;
    cpf_bench_opts opts;
    int64_t arg;
    int has_arg, family, instance;
};

struct cpf__name_index { char *key; int value; };

static int cpf__stdout_write(void *user, const char *s, size_t n)
{
    (void)user;
    return fwrite(s, 1, n, stdout) == n ? 0 : -1;
}

CPF_DEF cpf_status cpf_suite_init_build(cpf_suite *s, const char *name, int caller_optimized)
{
    if (!s) return CPF_ERR_ARG;
    memset(s, 0, sizeof *s);
    s->out = cpf__stdout_write;
    s->caller_optimized = caller_optimized;
    s->name = cpf__strdup(name && name[0] ? name : "suite");
    if (!s->name) return s->status = CPF_ERR_NOMEM;
    stbds_sh_new_strdup(s->index);
    return CPF_OK;
}

CPF_DEF void cpf_suite_set_output(cpf_suite *s, cpf_write_fn w, void *user)
{
    if (!s) return;
    s->out = w ? w : cpf__stdout_write;
    s->out_user = w ? user : NULL;
}

static cpf_status cpf__suite_error(cpf_suite *s, cpf_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->message, sizeof s->message, fmt, ap);
    va_end(ap);
    s->status = st;
    return st;
}

static cpf_status cpf__add(cpf_suite *s, const char *name, cpf_bench_fn fn, void *ctx,
                           const cpf_bench_opts *opts, int64_t arg, int has_arg, int family, int instance)
{
    struct cpf__def *d;
    if (!s->name) cpf_suite_init_build(s, "suite", 1); /* a zeroed suite is valid */
    if (stbds_shgeti(s->index, name) >= 0)
        return cpf__suite_error(s, CPF_ERR_DUPLICATE, "benchmark '%s' is registered twice", name);
    d = CPF__ALLOC(struct cpf__def, 1);
    if (!d) return cpf__suite_error(s, CPF_ERR_NOMEM, "out of memory registering '%s'", name);
    memset(d, 0, sizeof *d);
    d->name = cpf__strdup(name);
    if (!d->name) { CPF__FREE(d); return cpf__suite_error(s, CPF_ERR_NOMEM, "out of memory"); }
    d->fn = fn;
    d->ctx = ctx;
    if (opts) d->opts = *opts;
    d->arg = arg;
    d->has_arg = has_arg;
    d->family = family;
    d->instance = instance;
    stbds_arrput(s->defs, d);
    stbds_shput(s->index, name, (int)(stbds_arrlen(s->defs) - 1));
    return CPF_OK;
}

static int cpf__check_add(cpf_suite *s, const char *name, cpf_bench_fn fn)
{
    if (!s) return 0;
    if (!name || !name[0] || !fn) {
        cpf__suite_error(s, CPF_ERR_ARG, "cpf_suite_add: a benchmark needs a non-empty name and a function");
        return 0;
    }
    return 1;
}

CPF_DEF cpf_status cpf_suite_add_opts(cpf_suite *s, const char *name, cpf_bench_fn fn,
                                      void *ctx, const cpf_bench_opts *opts)
{
    if (!cpf__check_add(s, name, fn)) return CPF_ERR_ARG;
    return cpf__add(s, name, fn, ctx, opts, 0, 0, s->families++, 0);
}

CPF_DEF cpf_status cpf_suite_add(cpf_suite *s, const char *name, cpf_bench_fn fn, void *ctx)
{
    return cpf_suite_add_opts(s, name, fn, ctx, NULL);
}

CPF_DEF cpf_status cpf_suite_add_args(cpf_suite *s, const char *name, cpf_bench_fn fn, void *ctx,
                                      const cpf_bench_opts *opts, const int64_t *args, size_t n)
{
    size_t i;
    int family;
    cpf_status st = CPF_OK;
    if (!cpf__check_add(s, name, fn)) return CPF_ERR_ARG;
    if (!args || n == 0) return cpf__suite_error(s, CPF_ERR_ARG, "cpf_suite_add_args('%s'): no arguments given", name);
    family = s->families++;
    for (i = 0; i < n && st == CPF_OK; i++) {
        char full[512];
        cpf__msg(full, sizeof full, "%s/%lld", name, (long long)args[i]);
        st = cpf__add(s, full, fn, ctx, opts, args[i], 1, family, (int)i);
    }
    return st;
}

CPF_DEF cpf_status cpf_suite_add_range(cpf_suite *s, const char *name, cpf_bench_fn fn, void *ctx,
                                       const cpf_bench_opts *opts, int64_t lo, int64_t hi, int64_t mult)
{
    int64_t args[64], v;
    size_t n = 0;
    if (!cpf__check_add(s, name, fn)) return CPF_ERR_ARG;
    if (lo < 1 || hi < lo || mult < 2)
        return cpf__suite_error(s, CPF_ERR_ARG,
                                "cpf_suite_add_range('%s'): need 1 <= lo <= hi and mult >= 2 (got lo=%lld hi=%lld mult=%lld)",
                                name, (long long)lo, (long long)hi, (long long)mult);
    for (v = lo; n < 63; ) {
        args[n++] = v;
        if (v > hi / mult) break;
        v *= mult;
        if (v >= hi) break;
    }
    if (args[n - 1] != hi) args[n++] = hi;
    return cpf_suite_add_args(s, name, fn, ctx, opts, args, n);
}

/* Glob with '*' and '?' over the whole name. */
static int cpf__glob(const char *p, const char *pe, const char *s)
{
    const char *star_p = NULL, *star_s = NULL;
    while (*s) {
        if (p < pe && (*p == '?' || *p == *s)) { p++; s++; }
        else if (p < pe && *p == '*') { star_p = ++p; star_s = s; }
        else if (star_p) { p = star_p; s = ++star_s; }
        else return 0;
    }
    while (p < pe && *p == '*') p++;
    return p == pe;
}

static int cpf__pattern_match(const char *p, const char *pe, const char *name)
{
    const char *q;
    size_t n = (size_t)(pe - p), len = strlen(name), i;
    for (q = p; q < pe; q++)
        if (*q == '*' || *q == '?') return cpf__glob(p, pe, name);
    if (n == 0) return 1;
    for (i = 0; i + n <= len; i++)
        if (memcmp(name + i, p, n) == 0) return 1;
    return 0;
}

CPF_DEF int cpf_filter_match(const char *filter, const char *name)
{
    const char *p;
    int positives = 0, hit = 0;
    if (!filter || !filter[0]) return 1;
    if (!name) return 0;
    for (p = filter; *p; ) {
        const char *e = strchr(p, ',');
        if (!e) e = p + strlen(p);
        if (*p == '-') {
            if (e > p + 1 && cpf__pattern_match(p + 1, e, name)) return 0;
        } else if (e > p) {
            positives++;
            if (cpf__pattern_match(p, e, name)) hit = 1;
        }
        p = *e ? e + 1 : e;
    }
    return positives ? hit : 1;
}

CPF_DEF const char *cpf_suite_usage(void)
{
    return
        "usage: PROGRAM [options]\n"
        "  --filter=PATTERNS   run only matching benchmarks: comma-separated substrings or\n"
        "                      globs with * and ?; a leading - excludes (env CORALPERF_FILTER)\n"
        "  --list              list the benchmark names and exit\n"
        "  --quick             small fixed budget per benchmark (20 ms), for smoke runs\n"
        "  --memory            also report allocations/op, bytes/op (cpf_malloc) and RSS growth\n"
        "  --samples=N         exactly N samples per benchmark (1..100000)\n"
        "  --budget-ms=MS      time budget per benchmark in milliseconds\n"
        "  --json=FILE         write results as JSON (Google Benchmark schema)\n"
        "  --csv=FILE          write results as CSV\n"
        "  --markdown=FILE     write results as a GitHub-flavoured Markdown table\n"
        "  --color / --no-color  force colours on or off (default: on for a terminal\n"
        "                      unless NO_COLOR is set)\n"
        "  --help              show this text\n"
        "exit codes: 0 ok, 1 a benchmark failed or bad usage (2, warnings only, comes from\n"
        "regression guards; stability warnings alone keep 0)\n";
}

static int cpf__flag_value(const char *arg, const char *flag, const char **value)
{
    size_t n = strlen(flag);
    if (strncmp(arg, flag, n) != 0) return 0;
    if (arg[n] == '=') { *value = arg + n + 1; return 1; }
    if (arg[n] == 0) { *value = NULL; return 1; }
    return 0;
}

static cpf_status cpf__usage_error(cpf_suite *s, const char *fmt, ...)
{
    va_list ap;
    char line[400];
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cpf__msg(s->message, sizeof s->message, "%s", line);
    s->status = CPF_ERR_USAGE;
    s->exit_code = 1;
    s->error_printed = 1;
    fprintf(stderr, "%s: %s\nusage: %s [options]%s", s->argv0 ? s->argv0 : "coralperf", line,
            s->argv0 ? s->argv0 : "PROGRAM", strchr(cpf_suite_usage(), '\n'));
    return CPF_ERR_USAGE;
}

static int cpf__parse_number(const char *v, double lo, double hi, double *out)
{
    char *end;
    double d;
    if (!v || !*v) return 0;
    errno = 0;
    d = strtod(v, &end);
    if (errno || *end || !(d >= lo && d <= hi)) return 0;
    *out = d;
    return 1;
}

static cpf_status cpf__set_str(cpf_suite *s, char **dst, const char *v, const char *flag)
{
    if (!v || !*v)
        return cpf__usage_error(s, "%s needs a value, as in %s=%s", flag, flag,
                                strcmp(flag, "--filter") == 0 ? "parse*" : "FILE");
    CPF__FREE(*dst);
    *dst = cpf__strdup(v);
    return *dst ? CPF_OK : cpf__suite_error(s, CPF_ERR_NOMEM, "out of memory");
}

static cpf_status cpf__parse_args(cpf_suite *s, int argc, char **argv)
{
    int i;
    const char *env_filter = getenv("CORALPERF_FILTER");
    const char *no_color = getenv("NO_COLOR");
    s->color = -1;
    if (env_filter && *env_filter && cpf__set_str(s, &s->filter, env_filter, "CORALPERF_FILTER") != CPF_OK) return s->status;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        double d;
        if (!a) continue;
        if (cpf__flag_value(a, "--filter", &v)) {
            if (cpf__set_str(s, &s->filter, v, "--filter") != CPF_OK) return s->status;
        } else if (strcmp(a, "--list") == 0) s->list_only = 1;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) s->help_only = 1;
        else if (strcmp(a, "--quick") == 0) s->cli_opts.quick = 1;
        else if (strcmp(a, "--memory") == 0) s->cli_opts.memory = 1;
        else if (strcmp(a, "--color") == 0) s->color = 1;
        else if (strcmp(a, "--no-color") == 0) s->color = 0;
        else if (cpf__flag_value(a, "--samples", &v)) {
            if (!cpf__parse_number(v, 1, 100000, &d) || d != floor(d))
                return cpf__usage_error(s, "--samples needs a whole number from 1 to 100000, got '%s'", v ? v : "");
            s->cli_opts.samples = (unsigned)d;
        } else if (cpf__flag_value(a, "--budget-ms", &v)) {
            if (!cpf__parse_number(v, 0.001, 1e9, &d))
                return cpf__usage_error(s, "--budget-ms needs a positive number of milliseconds, got '%s'", v ? v : "");
            s->cli_opts.budget_ms = d;
        } else if (cpf__flag_value(a, "--json", &v)) {
            if (cpf__set_str(s, &s->json_path, v, "--json") != CPF_OK) return s->status;
        } else if (cpf__flag_value(a, "--csv", &v)) {
            if (cpf__set_str(s, &s->csv_path, v, "--csv") != CPF_OK) return s->status;
        } else if (cpf__flag_value(a, "--markdown", &v)) {
            if (cpf__set_str(s, &s->md_path, v, "--markdown") != CPF_OK) return s->status;
        } else {
            return cpf__usage_error(s, "unknown option '%s'", a);
        }
    }
    if (s->color < 0) s->color = (!no_color || !*no_color) && s->out == cpf__stdout_write && cpf__ansi_terminal(stdout);
    return CPF_OK;
}

/* Refuses to start a long run whose report file cannot be written. Creates
   nothing that was not there: a probe file that did not exist is removed. */
static cpf_status cpf__probe_writable(cpf_suite *s, const char *path, const char *flag)
{
#if defined(CORALPERF_NO_FILES)
    if (!path) return CPF_OK;
    return cpf__usage_error(s, "%s: this program was built with CORALPERF_NO_FILES and writes no files", flag);
#else
    FILE *f;
    int existed;
    if (!path) return CPF_OK;
    f = fopen(path, "rb");
    existed = f != NULL;
    if (f) fclose(f);
    f = fopen(path, existed ? "r+b" : "wb");
    if (!f)
        return cpf__usage_error(s, "%s: cannot write '%s': %s", flag, path, strerror(errno));
    fclose(f);
    if (!existed) remove(path);
    return CPF_OK;
#endif
}

static void cpf__out(const cpf_suite *s, const char *str)
{
    s->out(s->out_user, str, strlen(str));
}

static cpf_status cpf__suite_run(cpf_suite *s, int argc, char **argv);

CPF_DEF cpf_status cpf_suite_run(cpf_suite *s, int argc, char **argv)
{
    cpf_status st;
    if (!s) return CPF_ERR_ARG;
    st = cpf__suite_run(s, argc, argv);
    /* Every error reaches the user, even when main ignores the status. */
    if (st != CPF_OK && s->message[0] && !s->error_printed) {
        fprintf(stderr, "%s: %s\n", s->argv0 ? s->argv0 : (s->name ? s->name : "coralperf"), s->message);
        s->error_printed = 1;
    }
    return st;
}

static cpf_status cpf__suite_run(cpf_suite *s, int argc, char **argv)
{
    size_t i, nsel = 0, ndefs;
    int progress;
    uint64_t run_start;
    if (!s) return CPF_ERR_ARG;
    if (!s->name && cpf_suite_init_build(s, "suite", 1) != CPF_OK) return s->status;
    CPF__FREE(s->argv0);
    s->argv0 = cpf__strdup(argc > 0 && argv && argv[0] ? argv[0] : s->name);
    if (s->status != CPF_OK) { s->exit_code = 1; return s->status; } /* a registration failed */
    if (cpf__parse_args(s, argc, argv) != CPF_OK) { s->exit_code = 1; return s->status; }
    if (s->help_only) { cpf__out(s, cpf_suite_usage()); return CPF_OK; }
    ndefs = (size_t)stbds_arrlen(s->defs);
    for (i = 0; i < ndefs; i++) nsel += cpf_filter_match(s->filter, s->defs[i]->name);
    if (ndefs && !nsel) {
        s->exit_code = 1;
        return cpf__suite_error(s, CPF_ERR_USAGE, "no benchmark matches the filter '%s' (--list without --filter shows the names)",
                                s->filter ? s->filter : "");
    }
    if (s->list_only) {
        for (i = 0; i < ndefs; i++)
            if (cpf_filter_match(s->filter, s->defs[i]->name)) {
                cpf__sb line = { NULL };
                cpf__esc_console(&line, s->defs[i]->name);
                cpf__sb_puts(&line, "\n");
                cpf__out(s, cpf__sb_str(&line));
                cpf__sb_free(&line);
            }
        return CPF_OK;
    }
    if (cpf__probe_writable(s, s->json_path, "--json") || cpf__probe_writable(s, s->csv_path, "--csv") ||
        cpf__probe_writable(s, s->md_path, "--markdown"))
        return s->status;
    cpf_clock_measure(&s->clock);
    cpf__governor(s->governor, sizeof s->governor);
    progress = cpf__ansi_terminal(stderr);
    run_start = cpf_now_ns();
    for (i = 0; i < ndefs; i++) {
        struct cpf__def *d = s->defs[i];
        cpf_result res;
        cpf_bench_opts o;
        if (!cpf_filter_match(s->filter, d->name)) continue;
        if (progress && (double)(cpf_now_ns() - run_start) > 1e9) {
            fprintf(stderr, "\r\033[K[%u/%u] %s", (unsigned)(stbds_arrlen(s->results) + 1), (unsigned)nsel, d->name);
            fflush(stderr);
            s->progress = 1;
        }
        memset(&res, 0, sizeof res);
        res.name = cpf__strdup(d->name);
        res.family = d->family;
        res.family_instance = d->instance;
        o = cpf__effective_opts(&d->opts, &s->cli_opts);
        if (res.name)
            cpf__run_one(d->fn, d->ctx, d->arg, d->has_arg, &o, &s->clock,
                         s->caller_optimized && cpf__impl_optimized(), s->governor, &res);
        else
            res.status = CPF_ERR_NOMEM;
        stbds_arrput(s->results, res);
    }
    if (s->progress) { fprintf(stderr, "\r\033[K"); fflush(stderr); }
    s->ran = 1;
    s->exit_code = 0;
    for (i = 0; i < (size_t)stbds_arrlen(s->results); i++)
        if (s->results[i].status != CPF_OK) s->exit_code = 1;
    cpf_report_write(s, CPF_REPORT_CONSOLE, s->out, s->out_user);
    if (s->json_path && cpf_report_save(s, CPF_REPORT_JSON, s->json_path) != CPF_OK) s->exit_code = 1;
    if (s->csv_path && cpf_report_save(s, CPF_REPORT_CSV, s->csv_path) != CPF_OK) s->exit_code = 1;
    if (s->md_path && cpf_report_save(s, CPF_REPORT_MARKDOWN, s->md_path) != CPF_OK) s->exit_code = 1;
    if (s->exit_code && s->status == CPF_OK) {
        s->status = CPF_ERR_BENCH;
        if (!s->message[0]) cpf__msg(s->message, sizeof s->message, "at least one benchmark failed");
    }
    return s->status;
}

CPF_DEF int cpf_suite_finish(cpf_suite *s)
{
    int code;
    size_t i;
    if (!s) return 1;
    code = s->exit_code;
    if (s->status != CPF_OK && code == 0) code = 1;
    for (i = 0; i < (size_t)stbds_arrlen(s->defs); i++) {
        CPF__FREE(s->defs[i]->name);
        CPF__FREE(s->defs[i]);
    }
    stbds_arrfree(s->defs);
    stbds_shfree(s->index);
    for (i = 0; i < (size_t)stbds_arrlen(s->results); i++) cpf_result_free(&s->results[i]);
    stbds_arrfree(s->results);
    CPF__FREE(s->name);
    CPF__FREE(s->filter);
    CPF__FREE(s->json_path);
    CPF__FREE(s->csv_path);
    CPF__FREE(s->md_path);
    CPF__FREE(s->argv0);
    memset(s, 0, sizeof *s);
    return code;
}

CPF_DEF const char *cpf_suite_message(const cpf_suite *s) { return s ? s->message : ""; }
CPF_DEF size_t cpf_suite_result_count(const cpf_suite *s) { return s ? (size_t)stbds_arrlen(s->results) : 0; }
CPF_DEF const cpf_result *cpf_suite_result(const cpf_suite *s, size_t i)
{
    return s && i < (size_t)stbds_arrlen(s->results) ? &s->results[i] : NULL;
}
CPF_DEF const cpf_result *cpf_suite_find(const cpf_suite *s, const char *name)
{
    size_t i;
    if (!s || !name) return NULL;
    for (i = 0; i < (size_t)stbds_arrlen(s->results); i++)
        if (strcmp(s->results[i].name, name) == 0) return &s->results[i];
    return NULL;
}

/* ======================================================================== */
/* ==== module: report ==================================================== */

/* Console: control characters shown as escapes so a name cannot break the table. */
static void cpf__esc_console(cpf__sb *sb, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n') cpf__sb_puts(sb, "\\n");
        else if (c == '\t') cpf__sb_puts(sb, "\\t");
        else if (c == '\r') cpf__sb_puts(sb, "\\r");
        else if (c < 0x20 || c == 0x7f) cpf__sb_printf(sb, "\\x%02x", c);
        else cpf__sb_putn(sb, s, 1);
    }
}

/* Display width of UTF-8 text (code points; good enough for alignment). */
static size_t cpf__utf8_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++) if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

/* Length of a valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static int cpf__utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (s[0] == 0xE0 && s[1] < 0xA0) return 0;  /* overlong */
        if (s[0] == 0xED && s[1] >= 0xA0) return 0; /* surrogates */
        return 3;
    }
    if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (s[0] == 0xF0 && s[1] < 0x90) return 0;
        if (s[0] == 0xF4 && s[1] >= 0x90) return 0;
        return 4;
    }
    return 0;
}

/* JSON string body (RFC 8259); invalid UTF-8 bytes become U+FFFD. */
static void cpf__esc_json(cpf__sb *sb, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        int n;
        if (*s == '"') { cpf__sb_puts(sb, "\\\""); s++; continue; }
        if (*s == '\\') { cpf__sb_puts(sb, "\\\\"); s++; continue; }
        if (*s == '\n') { cpf__sb_puts(sb, "\\n"); s++; continue; }
        if (*s == '\t') { cpf__sb_puts(sb, "\\t"); s++; continue; }
        if (*s == '\r') { cpf__sb_puts(sb, "\\r"); s++; continue; }
        if (*s < 0x20) { cpf__sb_printf(sb, "\\u%04x", *s); s++; continue; }
        n = cpf__utf8_len(s);
        if (n == 0) { cpf__sb_puts(sb, "\\ufffd"); s++; continue; }
        cpf__sb_putn(sb, (const char *)s, (size_t)n);
        s += n;
    }
}

/* CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF. */
static void cpf__esc_csv(cpf__sb *sb, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) { cpf__sb_puts(sb, s); return; }
    cpf__sb_puts(sb, "\"");
    for (; *s; s++) {
        if (*s == '"') cpf__sb_puts(sb, "\"\"");
        else cpf__sb_putn(sb, s, 1);
    }
    cpf__sb_puts(sb, "\"");
}

/* Markdown table cell (GitHub-flavoured): pipes and Markdown/HTML
   punctuation are escaped, line breaks become <br>. */
static void cpf__esc_md(cpf__sb *sb, const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (c == '|' || c == '\\' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']' ||
            c == '#' || c == '~') {
            char e[3] = { '\\', c, 0 };
            cpf__sb_puts(sb, e);
        } else if (c == '<') cpf__sb_puts(sb, "&lt;");
        else if (c == '>') cpf__sb_puts(sb, "&gt;");
        else if (c == '&') cpf__sb_puts(sb, "&amp;");
        else if (c == '\n') cpf__sb_puts(sb, "<br>");
        else if (c == '\r') { /* dropped: CRLF shows as one break */ }
        else if (c == '\t') cpf__sb_puts(sb, " ");
        else cpf__sb_putn(sb, s, 1);
    }
}

static void cpf__fmt_rate(char *buf, size_t cap, double per_s, const char *unit)
{
    const char *p = "";
    double v = per_s;
    if (per_s >= 1e12) v = per_s / 1e12, p = "T";
    else if (per_s >= 1e9) v = per_s / 1e9, p = "G";
    else if (per_s >= 1e6) v = per_s / 1e6, p = "M";
    else if (per_s >= 1e3) v = per_s / 1e3, p = "k";
    cpf__fmt_num(buf, cap, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    strncat(buf, " ", cap - strlen(buf) - 1);
    strncat(buf, p, cap - strlen(buf) - 1);
    strncat(buf, unit, cap - strlen(buf) - 1);
}

static void cpf__throughput(const cpf_result *r, char *buf, size_t cap)
{
    double med = r->stats.median;
    buf[0] = 0;
    if (med <= 0.0) return;
    if (r->bytes_per_op > 0.0) cpf__fmt_rate(buf, cap, r->bytes_per_op * 1e9 / med, "B/s");
    else if (r->items_per_op > 0.0) cpf__fmt_rate(buf, cap, r->items_per_op * 1e9 / med, "items/s");
}

/* CI half-width and robust spread as % of the median; "-" for a CI whose
   real coverage is below 95% (fewer than 6 samples). */
static void cpf__fmt_ci_mad(const cpf_result *r, char *ci, size_t ci_cap, char *mad, size_t mad_cap)
{
    if (r->stats.ci_level >= 0.95)
        cpf__fmt_num(ci, ci_cap, "%.2f%%", 100.0 * (r->stats.ci_hi - r->stats.ci_lo) / 2.0 / r->stats.median);
    else
        snprintf(ci, ci_cap, "-");
    if (r->stats.n >= 3)
        cpf__fmt_num(mad, mad_cap, "%.1f%%", 100.0 * 1.4826 * r->stats.mad / r->stats.median);
    else
        snprintf(mad, mad_cap, "-");
}

static void cpf__pad(cpf__sb *sb, size_t have, size_t want)
{
    while (have++ < want) cpf__sb_putn(sb, " ", 1);
}

static void cpf__report_console(const cpf_suite *s, cpf__sb *sb)
{
    size_t i, n = (size_t)stbds_arrlen(s->results), w = 9;
    const char *yel = s->color ? "\033[33m" : "", *red = s->color ? "\033[31m" : "", *off = s->color ? "\033[0m" : "";
    char t[64];
    unsigned nwarn = 0, nfail = 0;
    int mem = 0;
    cpf__fmt_time(t, sizeof t, s->clock.resolution_ns);
    cpf__sb_printf(sb, "coralperf %s  suite: ", CORALPERF_VERSION_STRING);
    cpf__esc_console(sb, s->name);
    cpf__sb_printf(sb, "  clock: %s, resolution %s, ", s->clock.source, t);
    cpf__fmt_time(t, sizeof t, s->clock.overhead_ns);
    cpf__sb_printf(sb, "%s per read\n", t);
    for (i = 0; i < n; i++) {
        cpf__sb tmp = { NULL };
        cpf__esc_console(&tmp, s->results[i].name);
        if (cpf__utf8_width(cpf__sb_str(&tmp)) > w) w = cpf__utf8_width(cpf__sb_str(&tmp));
        cpf__sb_free(&tmp);
    }
    cpf__sb_puts(sb, "benchmark");
    cpf__pad(sb, 9, w + 2);
    for (i = 0; i < n; i++) mem |= s->results[i].has_memory;
    cpf__sb_printf(sb, " %10s  %8s  %6s  %-12s  %-13s  %-15s  %-8s", "median/op", "+/-ci95", "mad%", "ops/s",
                   "throughput", "samples x iters", "outliers");
    if (mem) cpf__sb_printf(sb, "  %9s  %10s  %10s", "allocs/op", "bytes/op", "RSS growth");
    cpf__sb_puts(sb, "\n");
    for (i = 0; i < n; i++) {
        const cpf_result *r = &s->results[i];
        cpf__sb name = { NULL };
        char med[32], ops[32], thr[40], si[40], ci[16], mad[16], out[16];
        cpf__esc_console(&name, r->name);
        cpf__sb_puts(sb, cpf__sb_str(&name));
        cpf__pad(sb, cpf__utf8_width(cpf__sb_str(&name)), w + 2);
        cpf__sb_free(&name);
        if (r->status != CPF_OK || r->skipped) {
            cpf__sb_printf(sb, " %s%s: ", r->skipped ? "" : red, r->skipped ? "skipped" : "FAILED");
            cpf__esc_console(sb, r->message);
            cpf__sb_printf(sb, "%s\n", r->skipped ? "" : off);
            nfail += !r->skipped;
            continue;
        }
        cpf__fmt_time(med, sizeof med, r->stats.median);
        if (r->stats.median > 0.0) {
            cpf__fmt_rate(ops, sizeof ops, 1e9 / r->stats.median, "");
            cpf__fmt_ci_mad(r, ci, sizeof ci, mad, sizeof mad);
        } else {
            strcpy(ops, "-"); strcpy(ci, "-"); strcpy(mad, "-");
        }
        cpf__throughput(r, thr, sizeof thr);
        if (!thr[0]) strcpy(thr, "-");
        snprintf(si, sizeof si, "%u x %llu", (unsigned)r->stats.n, (unsigned long long)r->iterations);
        snprintf(out, sizeof out, "%u/%u", (unsigned)(r->stats.low_mild + r->stats.low_severe),
                 (unsigned)(r->stats.high_mild + r->stats.high_severe));
        cpf__sb_printf(sb, " %10s  %8s  %6s  %-12s  %-13s  %-15s  %-8s", med, ci, mad, ops, thr, si, out);
        if (mem && r->has_memory) {
            char a1[32], b1[32], g1[32];
            cpf__fmt_num(a1, sizeof a1, "%.2f", r->allocs_per_op);
            cpf__fmt_bytes(b1, sizeof b1, r->alloc_bytes_per_op);
            if (r->has_rss) cpf__fmt_bytes(g1, sizeof g1, r->rss_growth_bytes); else strcpy(g1, "-");
            cpf__sb_printf(sb, "  %9s  %10s  %10s", a1, b1, g1);
        }
        cpf__sb_puts(sb, "\n");
        if (r->warnings) {
            const char *p = r->warning_text;
            while (*p) {
                const char *e = strchr(p, '\n');
                size_t len = e ? (size_t)(e - p) : strlen(p);
                cpf__sb_printf(sb, "  %s! %.*s%s\n", yel, (int)len, p, off);
                p += len + (e ? 1 : 0);
            }
            nwarn++;
        }
    }
    cpf__sb_printf(sb, "%u benchmarks, %u failed, %u with warnings\n", (unsigned)n, nfail, nwarn);
}

static void cpf__json_num(cpf__sb *sb, const char *key, double v)
{
    char buf[64];
    if (!(v == v) || v > DBL_MAX || v < -DBL_MAX) { cpf__sb_printf(sb, "\"%s\": null", key); return; }
    cpf__fmt_num(buf, sizeof buf, "%.17g", v);
    cpf__sb_printf(sb, "\"%s\": %s", key, buf);
}

static void cpf__json_entry_head(cpf__sb *sb, const cpf_result *r, const char *run_type)
{
    cpf__sb_puts(sb, "    {\n      \"name\": \"");
    cpf__esc_json(sb, r->name);
    cpf__sb_printf(sb, "\",\n      \"family_index\": %d,\n      \"per_family_instance_index\": %d,\n      \"run_name\": \"",
                   r->family, r->family_instance);
    cpf__esc_json(sb, r->name);
    cpf__sb_printf(sb, "\",\n      \"run_type\": \"%s\",\n      \"repetitions\": %u,\n      \"threads\": 1,\n",
                   run_type, (unsigned)r->stats.n);
}

static void cpf__json_rates(cpf__sb *sb, const cpf_result *r, double ns)
{
    if (ns > 0.0 && r->bytes_per_op > 0.0) { cpf__sb_puts(sb, ",\n      "); cpf__json_num(sb, "bytes_per_second", r->bytes_per_op * 1e9 / ns); }
    if (ns > 0.0 && r->items_per_op > 0.0) { cpf__sb_puts(sb, ",\n      "); cpf__json_num(sb, "items_per_second", r->items_per_op * 1e9 / ns); }
}

static void cpf__report_json(const cpf_suite *s, cpf__sb *sb)
{
    size_t i, j, n = (size_t)stbds_arrlen(s->results);
    char host[256], date[64];
    int first = 1;
    time_t now = time(NULL);
    struct tm tmv;
    int have_tm;
#if defined(_WIN32)
    {
        __time64_t now64 = (__time64_t)now;
        have_tm = _localtime64_s(&tmv, &now64) == 0;
    }
#elif defined(CPF__POSIX)
    have_tm = localtime_r(&now, &tmv) != NULL;
#else
    have_tm = 0; /* localtime() is not thread-safe: no date rather than a race */
    (void)now;
#endif
    cpf__host_name(host, sizeof host);
    date[0] = 0;
    if (have_tm) strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", &tmv);
    cpf__sb_puts(sb, "{\n  \"context\": {\n    \"date\": \"");
    cpf__esc_json(sb, date);
    cpf__sb_puts(sb, "\",\n    \"host_name\": \"");
    cpf__esc_json(sb, host);
    cpf__sb_puts(sb, "\",\n    \"executable\": \"");
    cpf__esc_json(sb, s->argv0 ? s->argv0 : "");
    cpf__sb_printf(sb, "\",\n    \"num_cpus\": %d,\n    \"mhz_per_cpu\": 0,\n    \"cpu_scaling_enabled\": %s,\n",
                   cpf__num_cpus(), s->governor[0] && strcmp(s->governor, "performance") ? "true" : "false");
    cpf__sb_printf(sb, "    \"caches\": [],\n    \"load_avg\": [],\n    \"library_build_type\": \"%s\",\n",
                   s->caller_optimized && cpf__impl_optimized() ? "release" : "debug");
    cpf__sb_printf(sb, "    \"coralperf_version\": \"%s\",\n    \"suite\": \"", CORALPERF_VERSION_STRING);
    cpf__esc_json(sb, s->name);
    cpf__sb_printf(sb, "\",\n    \"clock_source\": \"%s\",\n    ", s->clock.source);
    cpf__json_num(sb, "clock_resolution_ns", s->clock.resolution_ns);
    cpf__sb_puts(sb, ",\n    ");
    cpf__json_num(sb, "clock_overhead_ns", s->clock.overhead_ns);
    cpf__sb_puts(sb, ",\n    \"cpu_governor\": \"");
    cpf__esc_json(sb, s->governor);
    cpf__sb_puts(sb, "\"\n  },\n  \"benchmarks\": [");
    for (i = 0; i < n; i++) {
        const cpf_result *r = &s->results[i];
        static const char *const agg[4] = { "mean", "median", "stddev", "cv" };
        double aggv[4], aggc[4];
        if (r->status != CPF_OK || r->skipped) {
            cpf__sb_puts(sb, first ? "\n" : ",\n");
            first = 0;
            cpf__json_entry_head(sb, r, "iteration");
            cpf__sb_printf(sb, "      \"repetition_index\": 0,\n      \"iterations\": 0,\n      \"%s\": true,\n      \"%s\": \"",
                           r->skipped ? "skipped" : "error_occurred", r->skipped ? "skip_message" : "error_message");
            cpf__esc_json(sb, r->message);
            cpf__sb_puts(sb, "\"\n    }");
            continue;
        }
        for (j = 0; j < r->stats.n; j++) {
            cpf__sb_puts(sb, first ? "\n" : ",\n");
            first = 0;
            cpf__json_entry_head(sb, r, "iteration");
            cpf__sb_printf(sb, "      \"repetition_index\": %u,\n      \"iterations\": %llu,\n      ",
                           (unsigned)j, (unsigned long long)r->iterations);
            cpf__json_num(sb, "real_time", r->samples_ns[j]);
            cpf__sb_puts(sb, ",\n      ");
            cpf__json_num(sb, "cpu_time", r->cpu_samples_ns[j]);
            cpf__sb_puts(sb, ",\n      \"time_unit\": \"ns\"");
            cpf__json_rates(sb, r, r->samples_ns[j]);
            cpf__sb_puts(sb, "\n    }");
        }
        {
            cpf_stats cs;
            cpf_stats_compute(r->cpu_samples_ns, r->stats.n, &cs);
            aggv[0] = r->stats.mean; aggc[0] = cs.mean;
            aggv[1] = r->stats.median; aggc[1] = cs.median;
            aggv[2] = r->stats.stddev; aggc[2] = cs.stddev;
            aggv[3] = r->stats.mean > 0 ? r->stats.stddev / r->stats.mean : 0;
            aggc[3] = cs.mean > 0 ? cs.stddev / cs.mean : 0;
        }
        for (j = 0; j < 4; j++) {
            cpf__sb_puts(sb, ",\n");
            cpf__json_entry_head(sb, r, "aggregate");
            cpf__sb_printf(sb, "      \"aggregate_name\": \"%s\",\n      \"aggregate_unit\": \"%s\",\n      \"iterations\": %u,\n      ",
                           agg[j], j == 3 ? "percentage" : "time", (unsigned)r->stats.n);
            cpf__json_num(sb, "real_time", aggv[j]);
            cpf__sb_puts(sb, ",\n      ");
            cpf__json_num(sb, "cpu_time", aggc[j]);
            cpf__sb_puts(sb, ",\n      \"time_unit\": \"ns\"");
            if (j < 2) cpf__json_rates(sb, r, aggv[j]);
            if (j == 1) {
                /* coralperf's own fields on the median entry */
                const char *keys[] = { "cpf_min_ns", "cpf_max_ns", "cpf_mad_ns", "cpf_p10_ns", "cpf_p90_ns",
                                       "cpf_p99_ns", "cpf_ci95_lo_ns", "cpf_ci95_hi_ns", "cpf_ci_level" };
                double vals[9];
                size_t k;
                vals[0] = r->stats.min; vals[1] = r->stats.max; vals[2] = r->stats.mad;
                vals[3] = r->stats.p10; vals[4] = r->stats.p90; vals[5] = r->stats.p99;
                vals[6] = r->stats.ci_lo; vals[7] = r->stats.ci_hi; vals[8] = r->stats.ci_level;
                for (k = 0; k < 9; k++) { cpf__sb_puts(sb, ",\n      "); cpf__json_num(sb, keys[k], vals[k]); }
                cpf__sb_printf(sb, ",\n      \"cpf_iterations_per_sample\": %llu,\n      \"cpf_outliers\": [%u, %u, %u, %u],\n      \"cpf_warnings\": \"",
                               (unsigned long long)r->iterations, (unsigned)r->stats.low_severe, (unsigned)r->stats.low_mild,
                               (unsigned)r->stats.high_mild, (unsigned)r->stats.high_severe);
                cpf__esc_json(sb, r->warning_text);
                cpf__sb_puts(sb, "\"");
                if (r->has_memory) {
                    cpf__sb_puts(sb, ",\n      "); cpf__json_num(sb, "cpf_allocs_per_op", r->allocs_per_op);
                    cpf__sb_puts(sb, ",\n      "); cpf__json_num(sb, "cpf_alloc_bytes_per_op", r->alloc_bytes_per_op);
                    if (r->has_rss) { cpf__sb_puts(sb, ",\n      "); cpf__json_num(sb, "cpf_rss_growth_bytes", r->rss_growth_bytes); }
                }
            }
            cpf__sb_puts(sb, "\n    }");
        }
    }
    cpf__sb_puts(sb, "\n  ]\n}\n");
}

static void cpf__report_csv(const cpf_suite *s, cpf__sb *sb)
{
    size_t i, k, n = (size_t)stbds_arrlen(s->results);
    cpf__sb_puts(sb, "name,status,samples,iterations_per_sample,median_ns,mean_ns,min_ns,max_ns,stddev_ns,mad_ns,"
                     "p10_ns,p90_ns,p99_ns,ci95_lo_ns,ci95_hi_ns,cpu_ns,ops_per_s,bytes_per_s,items_per_s,"
                     "outliers_low,outliers_high,warnings,allocs_per_op,alloc_bytes_per_op,rss_growth_bytes\r\n");
    for (i = 0; i < n; i++) {
        const cpf_result *r = &s->results[i];
        double v[12];
        char buf[64];
        cpf__esc_csv(sb, r->name);
        if (r->status != CPF_OK || r->skipped) {
            cpf__sb_puts(sb, r->skipped ? ",skipped," : ",failed,");
            cpf__sb_puts(sb, ",,,,,,,,,,,,,,,,,,,"); /* 19 empty columns, then warnings = the message */
            cpf__esc_csv(sb, r->message);
            cpf__sb_puts(sb, ",,,\r\n");            /* no memory figures */
            continue;
        }
        cpf__sb_printf(sb, ",ok,%u,%llu", (unsigned)r->stats.n, (unsigned long long)r->iterations);
        v[0] = r->stats.median; v[1] = r->stats.mean; v[2] = r->stats.min; v[3] = r->stats.max;
        v[4] = r->stats.stddev; v[5] = r->stats.mad; v[6] = r->stats.p10; v[7] = r->stats.p90;
        v[8] = r->stats.p99; v[9] = r->stats.ci_lo; v[10] = r->stats.ci_hi; v[11] = r->cpu_ns_per_op;
        for (k = 0; k < 12; k++) { cpf__fmt_num(buf, sizeof buf, "%.6g", v[k]); cpf__sb_printf(sb, ",%s", buf); }
        if (r->stats.median > 0.0) { cpf__fmt_num(buf, sizeof buf, "%.6g", 1e9 / r->stats.median); cpf__sb_printf(sb, ",%s", buf); }
        else cpf__sb_puts(sb, ",");
        if (r->stats.median > 0.0 && r->bytes_per_op > 0.0) { cpf__fmt_num(buf, sizeof buf, "%.6g", r->bytes_per_op * 1e9 / r->stats.median); cpf__sb_printf(sb, ",%s", buf); }
        else cpf__sb_puts(sb, ",");
        if (r->stats.median > 0.0 && r->items_per_op > 0.0) { cpf__fmt_num(buf, sizeof buf, "%.6g", r->items_per_op * 1e9 / r->stats.median); cpf__sb_printf(sb, ",%s", buf); }
        else cpf__sb_puts(sb, ",");
        cpf__sb_printf(sb, ",%u,%u,", (unsigned)(r->stats.low_mild + r->stats.low_severe),
                       (unsigned)(r->stats.high_mild + r->stats.high_severe));
        cpf__esc_csv(sb, r->warning_text);
        if (r->has_memory) {
            cpf__fmt_num(buf, sizeof buf, "%.6g", r->allocs_per_op);
            cpf__sb_printf(sb, ",%s", buf);
            cpf__fmt_num(buf, sizeof buf, "%.6g", r->alloc_bytes_per_op);
            cpf__sb_printf(sb, ",%s,", buf);
            if (r->has_rss) { cpf__fmt_num(buf, sizeof buf, "%.0f", r->rss_growth_bytes); cpf__sb_puts(sb, buf); }
        } else {
            cpf__sb_puts(sb, ",,,");
        }
        cpf__sb_puts(sb, "\r\n");
    }
}

static void cpf__report_markdown(const cpf_suite *s, cpf__sb *sb)
{
    size_t i, n = (size_t)stbds_arrlen(s->results);
    int mem = 0;
    for (i = 0; i < n; i++) mem |= s->results[i].has_memory;
    cpf__sb_puts(sb, mem ? "| benchmark | median/op | ±CI95 | MAD | ops/s | throughput | samples × iters | allocs/op | bytes/op | RSS growth | notes |\n"
                         : "| benchmark | median/op | ±CI95 | MAD | ops/s | throughput | samples × iters | notes |\n");
    cpf__sb_puts(sb, mem ? "|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|:--|\n" : "|:--|--:|--:|--:|--:|--:|--:|:--|\n");
    for (i = 0; i < n; i++) {
        const cpf_result *r = &s->results[i];
        char med[32], ops[32], thr[40], ci[16], mad[16];
        cpf__sb_puts(sb, "| ");
        cpf__esc_md(sb, r->name);
        if (r->status != CPF_OK || r->skipped) {
            cpf__sb_puts(sb, r->skipped ? " | skipped | | | | | | " : " | **failed** | | | | | | ");
            if (mem) cpf__sb_puts(sb, " | | | ");
            cpf__esc_md(sb, r->message);
            cpf__sb_puts(sb, " |\n");
            continue;
        }
        cpf__fmt_time(med, sizeof med, r->stats.median);
        if (r->stats.median > 0.0) {
            cpf__fmt_rate(ops, sizeof ops, 1e9 / r->stats.median, "");
            cpf__fmt_ci_mad(r, ci, sizeof ci, mad, sizeof mad);
        } else {
            strcpy(ops, "-"); strcpy(ci, "-"); strcpy(mad, "-");
        }
        cpf__throughput(r, thr, sizeof thr);
        cpf__sb_printf(sb, " | %s | %s | %s | %s | %s | %u × %llu | ", med, ci, mad, ops, thr[0] ? thr : "-",
                       (unsigned)r->stats.n, (unsigned long long)r->iterations);
        if (mem) {
            char a1[32] = "-", b1[32] = "-", g1[32] = "-";
            if (r->has_memory) {
                cpf__fmt_num(a1, sizeof a1, "%.2f", r->allocs_per_op);
                cpf__fmt_bytes(b1, sizeof b1, r->alloc_bytes_per_op);
                if (r->has_rss) cpf__fmt_bytes(g1, sizeof g1, r->rss_growth_bytes);
            }
            cpf__sb_printf(sb, "%s | %s | %s | ", a1, b1, g1);
        }
        cpf__esc_md(sb, r->warning_text);
        cpf__sb_puts(sb, " |\n");
    }
}

CPF_DEF cpf_status cpf_report_write(const cpf_suite *s, cpf_report_format fmt, cpf_write_fn w, void *user)
{
    cpf__sb sb = { NULL };
    int rc;
    if (!s || !w) return CPF_ERR_ARG;
    switch (fmt) {
    case CPF_REPORT_CONSOLE: cpf__report_console(s, &sb); break;
    case CPF_REPORT_JSON: cpf__report_json(s, &sb); break;
    case CPF_REPORT_CSV: cpf__report_csv(s, &sb); break;
    case CPF_REPORT_MARKDOWN: cpf__report_markdown(s, &sb); break;
    default: return CPF_ERR_ARG;
    }
    rc = w(user, cpf__sb_str(&sb), cpf__sb_len(&sb));
    cpf__sb_free(&sb);
    return rc == 0 ? CPF_OK : CPF_ERR_IO;
}

#if !defined(CORALPERF_NO_FILES)
/* 1 when path names something that is not a regular file (a device, a FIFO):
   such targets are written in place, never replaced by a rename. */
static int cpf__is_special_file(const char *path)
{
#if defined(CPF__POSIX)
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
#else
    (void)path;
    return 0;
#endif
}

static int cpf__replace_file(const char *from, const char *to)
{
#if defined(_WIN32)
    return MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) ? 0 : -1;
#else
    return rename(from, to);
#endif
}

/* Writes data to path so that a failure leaves the old file untouched: a
   temporary file beside it, flushed, then renamed over it. On error, msg
   says why and nothing the kit did not create is removed. */
static cpf_status cpf__save_file(const char *path, const char *data, size_t n, char *msg, size_t cap)
{
    FILE *f;
    char *tmp;
    size_t plen = strlen(path);
    int ok;
    if (cpf__is_special_file(path)) {
        f = fopen(path, "wb");
        if (!f) { cpf__msg(msg, cap, "cannot open '%s': %s", path, strerror(errno)); return CPF_ERR_IO; }
        ok = fwrite(data, 1, n, f) == n;
        ok = (fclose(f) == 0) && ok;
        if (!ok) { cpf__msg(msg, cap, "cannot write '%s': %s", path, strerror(errno)); return CPF_ERR_IO; }
        return CPF_OK;
    }
    tmp = CPF__ALLOC(char, plen + 32);
    if (!tmp) { cpf__msg(msg, cap, "out of memory"); return CPF_ERR_NOMEM; }
    snprintf(tmp, plen + 32, "%s.tmp%lu", path, (unsigned long)(cpf_now_ns() % 1000000007u));
    f = fopen(tmp, "wb");
    if (!f) {
        cpf__msg(msg, cap, "cannot write '%s' (temporary '%s'): %s", path, tmp, strerror(errno));
        CPF__FREE(tmp);
        return CPF_ERR_IO;
    }
    ok = fwrite(data, 1, n, f) == n;
    ok = (fflush(f) == 0) && ok;
    ok = (fclose(f) == 0) && ok;
    if (!ok || cpf__replace_file(tmp, path) != 0) {
        cpf__msg(msg, cap, "cannot write '%s': %s (the previous file, if any, is unchanged)", path, strerror(errno));
        remove(tmp);
        CPF__FREE(tmp);
        return CPF_ERR_IO;
    }
    CPF__FREE(tmp);
    return CPF_OK;
}
#endif

CPF_DEF cpf_status cpf_report_save(cpf_suite *s, cpf_report_format fmt, const char *path)
{
#if defined(CORALPERF_NO_FILES)
    (void)fmt;
    if (!s || !path) return CPF_ERR_ARG;
    return cpf__suite_error(s, CPF_ERR_UNSUPPORTED, "cannot write report '%s': built with CORALPERF_NO_FILES "
                            "(use cpf_report_write with your own output function)", path);
#else
    cpf__sb sb = { NULL };
    cpf_status st;
    char msg[400];
    if (!s || !path) return CPF_ERR_ARG;
    st = cpf_report_write(s, fmt, cpf__sb_write, &sb);
    if (st == CPF_OK) st = cpf__save_file(path, cpf__sb_str(&sb), cpf__sb_len(&sb), msg, sizeof msg);
    else cpf__msg(msg, sizeof msg, "cannot build the report: %s", cpf_status_text(st));
    cpf__sb_free(&sb);
    if (st != CPF_OK) return cpf__suite_error(s, st, "report: %s", msg);
    return CPF_OK;
#endif
}

/* ======================================================================== */
/* ==== module: lazy ====================================================== */
/* State machine (under mu; the state itself is also published atomically
   so that status checks need no lock):
     UNLOADED --get/thread--> LOADING --ok--> LOADED (final until free)
                                      \--error--> FAILED
     FAILED --(RETRY policy) next get that did not wait on that attempt--> LOADING
   The resource pointer is stored before the release store of LOADED, so a
   thread that acquire-loads LOADED sees a fully built resource. */

static void cpf__lazy_finish(cpf_lazy *l, cpf_status st, void *res)
{
    void *published;
    cpf_mutex_lock(&l->mu);
    published = cpf_atomic_ptr_load(&l->resource);
    if (st == CPF_OK) {
        if (!res) res = published;    /* a progressive loader may only publish */
        else if (published && published != res) stbds_arrput(l->retired, published);
        cpf_atomic_ptr_store(&l->resource, res);
        cpf_atomic32_store(&l->stage, l->opts.stages > 0 ? l->opts.stages : 1);
        cpf_atomic32_store(&l->progress_milli, 1000);
        cpf_atomic32_store(&l->state, CPF_LAZY_LOADED);
    } else {
        /* Nothing of a failed attempt stays visible: its stages are retired
           (destroyed by cpf_lazy_free), so get_stage cannot hand them out. */
        if (published) stbds_arrput(l->retired, published);
        cpf_atomic_ptr_store(&l->resource, NULL);
        cpf_atomic32_store(&l->stage, 0);
        cpf_atomic32_store(&l->progress_milli, 0);
        l->fail_status = st;
        if (l->pending_message[0]) cpf__msg(l->fail_message, sizeof l->fail_message, "%s", l->pending_message);
        else cpf__msg(l->fail_message, sizeof l->fail_message, "%s: load failed: %s",
                      l->opts.name ? l->opts.name : "lazy", cpf_status_text(st));
        l->failed_attempt = l->attempt;
        cpf_atomic32_store(&l->state, CPF_LAZY_FAILED);
    }
    cpf_cond_broadcast(&l->cv);
    cpf_mutex_unlock(&l->mu);
}

/* Runs the user's load function; the caller set LOADING under the lock. */
static void cpf__lazy_load(cpf_lazy *l)
{
    void *res = NULL;
    cpf_status st;
    cpf_atomic32_fetch_add(&l->loads, 1);
    st = l->opts.load(l, l->opts.ctx, &res);
    cpf__lazy_finish(l, st, res);
}

#if !defined(CORALPERF_NO_THREADS)
static int cpf__lazy_thread(void *arg)
{
    cpf__lazy_load((cpf_lazy *)arg);
    return 0;
}
#endif

/* Under the lock: starts attempt number l->attempt + 1 in the caller. */
static void cpf__lazy_begin_attempt(cpf_lazy *l)
{
    l->attempt++;
    l->pending_message[0] = 0;
    cpf_atomic32_store(&l->state, CPF_LAZY_LOADING);
}

CPF_DEF cpf_status cpf_lazy_init(cpf_lazy *l, const cpf_lazy_opts *opts)
{
    if (!l) return CPF_ERR_ARG;
    memset(l, 0, sizeof *l);
    if (!opts || !opts->load) return CPF_ERR_ARG;
    l->opts = *opts;
    if (l->opts.strategy == CPF_LAZY_PROGRESSIVE && l->opts.stages < 1) l->opts.stages = 1;
    if (cpf_mutex_init(&l->mu) != CPF_OK) { memset(l, 0, sizeof *l); return CPF_ERR_NOMEM; }
    if (cpf_cond_init(&l->cv) != CPF_OK) { cpf_mutex_destroy(&l->mu); memset(l, 0, sizeof *l); return CPF_ERR_NOMEM; }
#if !defined(CORALPERF_NO_THREADS)
    if (l->opts.strategy != CPF_LAZY_ON_FIRST_GET) {
        /* LOADING before the thread exists: an early get() waits for it. */
        cpf__lazy_begin_attempt(l);
        if (cpf_thread_start(&l->thread, cpf__lazy_thread, l) == CPF_OK) {
            l->has_thread = 1;
        } else {
            /* No thread to be had: fall back to loading on the first get()
               (documented; the object works, only later). */
            l->attempt = 0;
            cpf_atomic32_store(&l->state, CPF_LAZY_UNLOADED);
        }
    }
#endif
    return CPF_OK;
}

/* Waits (under the lock) until pred says stop; shared by get and get_stage. */
static cpf_status cpf__lazy_wait(cpf_lazy *l, int stage_wanted, double ms, void **out)
{
    uint64_t deadline;
    uint32_t waited_on = 0; /* the attempt this caller waited on or ran */
    cpf_status st;
    if (ms != ms) ms = 0.0;        /* NaN: do not wait */
    if (ms > 1e12) ms = -1.0;      /* beyond 30 years (or infinity): forever */
    deadline = ms >= 0.0 ? cpf_now_ns() + (uint64_t)(ms * 1e6) : 0;
    cpf_mutex_lock(&l->mu);
    for (;;) {
        int state = cpf_atomic32_load_relaxed(&l->state);
        if (state == CPF_LAZY_LOADED ||
            (stage_wanted > 0 && state == CPF_LAZY_LOADING && cpf_atomic32_load_relaxed(&l->stage) >= stage_wanted)) {
            if (out) *out = cpf_atomic_ptr_load(&l->resource);
            st = CPF_OK;
            break;
        }
        /* The attempt this caller waited on (or a later one) failed: that
           failure is the answer, even if another attempt already started. */
        if ((waited_on && l->failed_attempt >= waited_on) ||
            (state == CPF_LAZY_FAILED && l->opts.on_failure == CPF_LAZY_STICKY)) {
            st = l->fail_status;
            break;
        }
        if (state == CPF_LAZY_UNLOADED || state == CPF_LAZY_FAILED) {
            /* First use, or a retry: this thread loads, others wait for it. */
            cpf__lazy_begin_attempt(l);
            waited_on = l->attempt;
            cpf_mutex_unlock(&l->mu);
            cpf__lazy_load(l);
            cpf_mutex_lock(&l->mu);
            continue;
        }
        /* LOADING in another thread (or, single-threaded, in our own caller). */
#if defined(CORALPERF_NO_THREADS)
        (void)deadline;
        st = CPF_ERR_ARG; /* cpf_lazy_get called from inside its own load function */
        break;
#else
        waited_on = l->attempt;
        if (ms < 0.0) {
            cpf_cond_wait(&l->cv, &l->mu);
        } else {
            uint64_t now = cpf_now_ns();
            if (now >= deadline) { st = CPF_ERR_TIMEOUT; break; }
            cpf_cond_timedwait(&l->cv, &l->mu, (double)(deadline - now) / 1e6);
        }
#endif
    }
    cpf_mutex_unlock(&l->mu);
    return st;
}

CPF_DEF cpf_status cpf_lazy_get_timeout(cpf_lazy *l, double ms, void **out)
{
    if (out) *out = NULL;
    if (!l || !l->opts.load) return CPF_ERR_ARG;
    if (cpf_lazy_is_loaded(l)) {
        if (out) *out = cpf_atomic_ptr_load(&l->resource);
        return CPF_OK;
    }
    return cpf__lazy_wait(l, 0, ms, out);
}

CPF_DEF cpf_status cpf_lazy_get_stage(cpf_lazy *l, int n, double timeout_ms, void **out)
{
    if (out) *out = NULL;
    if (!l || !l->opts.load || n < 1) return CPF_ERR_ARG;
    if (cpf_atomic32_load(&l->state) != CPF_LAZY_FAILED && cpf_atomic32_load(&l->stage) >= n) {
        if (out) *out = cpf_atomic_ptr_load(&l->resource);
        return CPF_OK;
    }
    return cpf__lazy_wait(l, n, timeout_ms, out);
}

CPF_DEF cpf_status cpf_lazy_last_error(cpf_lazy *l, char *buf, size_t cap)
{
    cpf_status st;
    if (!l || !l->opts.load) { if (buf && cap) buf[0] = 0; return CPF_ERR_ARG; }
    cpf_mutex_lock(&l->mu);
    st = l->failed_attempt && cpf_atomic32_load_relaxed(&l->state) != CPF_LAZY_LOADED ? l->fail_status : CPF_OK;
    if (buf && cap) cpf__msg(buf, cap, "%s", st == CPF_OK ? "" : l->fail_message);
    cpf_mutex_unlock(&l->mu);
    return st;
}

CPF_DEF void cpf_lazy_set_error(cpf_lazy *l, const char *message)
{
    if (!l) return;
    cpf_mutex_lock(&l->mu);
    cpf__msg(l->pending_message, sizeof l->pending_message, "%s", message ? message : "");
    cpf_mutex_unlock(&l->mu);
}

CPF_DEF void cpf_lazy_set_progress(cpf_lazy *l, double fraction)
{
    if (!l) return;
    if (!(fraction >= 0.0)) fraction = 0.0;
    if (fraction > 1.0) fraction = 1.0;
    cpf_atomic32_store(&l->progress_milli, (int32_t)(fraction * 1000.0 + 0.5));
}

CPF_DEF cpf_status cpf_lazy_publish_stage(cpf_lazy *l, int n, void *resource)
{
    void *prev;
    if (!l || !l->opts.load) return CPF_ERR_ARG;
    cpf_mutex_lock(&l->mu);
    if (cpf_atomic32_load_relaxed(&l->state) != CPF_LAZY_LOADING || n <= cpf_atomic32_load_relaxed(&l->stage) ||
        n > (l->opts.stages > 0 ? l->opts.stages : 1)) {
        cpf_mutex_unlock(&l->mu);
        return CPF_ERR_ARG;
    }
    prev = cpf_atomic_ptr_load(&l->resource);
    if (prev && prev != resource) stbds_arrput(l->retired, prev); /* still owned, destroyed at free */
    cpf_atomic_ptr_store(&l->resource, resource);
    cpf_atomic32_store(&l->stage, n);
    cpf_cond_broadcast(&l->cv);
    cpf_mutex_unlock(&l->mu);
    return CPF_OK;
}

CPF_DEF void cpf_lazy_free(cpf_lazy *l)
{
    int had_load;
    if (!l || !l->opts.load) return;
#if !defined(CORALPERF_NO_THREADS)
    if (l->has_thread) cpf_thread_join(&l->thread, NULL);
#endif
    had_load = cpf_atomic32_load(&l->state) == CPF_LAZY_LOADED;
    if (had_load && l->opts.destroy) l->opts.destroy(l->opts.ctx, cpf_atomic_ptr_load(&l->resource));
    {
        ptrdiff_t i;
        for (i = 0; i < stbds_arrlen(l->retired); i++)
            if (l->opts.destroy) l->opts.destroy(l->opts.ctx, l->retired[i]);
        stbds_arrfree(l->retired);
    }
    cpf_cond_destroy(&l->cv);
    cpf_mutex_destroy(&l->mu);
    memset(l, 0, sizeof *l);
}

static cpf_lazy_meta *cpf__lazy_meta_slot(cpf_lazy *l, const char *key, int create)
{
    int i;
    for (i = 0; i < l->meta_count; i++)
        if (strcmp(l->meta[i].key, key) == 0) return &l->meta[i];
    if (!create || l->meta_count >= CPF_LAZY_META_MAX) return NULL;
    memset(&l->meta[l->meta_count], 0, sizeof l->meta[0]);
    cpf__msg(l->meta[l->meta_count].key, sizeof l->meta[0].key, "%s", key);
    return &l->meta[l->meta_count++];
}

static cpf_status cpf__lazy_set_meta(cpf_lazy *l, const char *key, int type, int64_t i, double d, const char *text)
{
    cpf_lazy_meta *m;
    if (!l || !key || !key[0] || strlen(key) >= sizeof l->meta[0].key) return CPF_ERR_ARG;
    cpf_mutex_lock(&l->mu);
    m = cpf__lazy_meta_slot(l, key, 1);
    if (m) {
        m->type = type;
        m->i = i;
        m->d = d;
        cpf__msg(m->text, sizeof m->text, "%s", text ? text : "");
    }
    cpf_mutex_unlock(&l->mu);
    return m ? CPF_OK : CPF_ERR_NOMEM;
}

CPF_DEF cpf_status cpf_lazy_set_meta_int(cpf_lazy *l, const char *key, int64_t value) { return cpf__lazy_set_meta(l, key, 1, value, 0.0, NULL); }
CPF_DEF cpf_status cpf_lazy_set_meta_num(cpf_lazy *l, const char *key, double value) { return cpf__lazy_set_meta(l, key, 2, 0, value, NULL); }
CPF_DEF cpf_status cpf_lazy_set_meta_text(cpf_lazy *l, const char *key, const char *value) { return cpf__lazy_set_meta(l, key, 3, 0, 0.0, value); }

static cpf_status cpf__lazy_get_meta(cpf_lazy *l, const char *key, int type, int64_t *i, double *d, char *buf, size_t cap)
{
    cpf_lazy_meta *m;
    cpf_status st = CPF_ERR_ARG;
    if (!l || !key) return CPF_ERR_ARG;
    cpf_mutex_lock(&l->mu);
    m = cpf__lazy_meta_slot(l, key, 0);
    if (m && m->type == type) {
        if (i) *i = m->i;
        if (d) *d = m->d;
        if (buf && cap) cpf__msg(buf, cap, "%s", m->text);
        st = CPF_OK;
    }
    cpf_mutex_unlock(&l->mu);
    return st;
}

CPF_DEF cpf_status cpf_lazy_meta_int(cpf_lazy *l, const char *key, int64_t *value) { return cpf__lazy_get_meta(l, key, 1, value, NULL, NULL, 0); }
CPF_DEF cpf_status cpf_lazy_meta_num(cpf_lazy *l, const char *key, double *value) { return cpf__lazy_get_meta(l, key, 2, NULL, value, NULL, 0); }
CPF_DEF cpf_status cpf_lazy_meta_text(cpf_lazy *l, const char *key, char *buf, size_t cap) { return cpf__lazy_get_meta(l, key, 3, NULL, NULL, buf, cap); }

/* ======================================================================== */
/* ==== module: mem ======================================================= */

CPF_DEF cpf_status cpf_mem_rss(uint64_t *bytes)
{
    if (!bytes) return CPF_ERR_ARG;
    *bytes = 0;
    return cpf__os_rss(bytes);
}
CPF_DEF cpf_status cpf_mem_peak(uint64_t *bytes)
{
    if (!bytes) return CPF_ERR_ARG;
    *bytes = 0;
    return cpf__os_peak(bytes);
}
CPF_DEF cpf_status cpf_mem_peak_reset(void) { return cpf__os_peak_reset(); }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CPF__SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define CPF__SANITIZED 1
#endif
#endif
CPF_DEF const char *cpf_mem_source(void)
{
#ifdef CPF__SANITIZED
    return CPF__MEM_SOURCE "; sanitizer build: RSS includes shadow memory and quarantine";
#else
    /* valgrind cannot be seen at compile time; its preload library can. */
    const char *pre = getenv("LD_PRELOAD");
    if (pre && strstr(pre, "vgpreload")) return CPF__MEM_SOURCE "; under valgrind (a sanitizer-like tool): RSS includes its shadow memory";
    return CPF__MEM_SOURCE;
#endif
}

/* Counting allocator. Every counter lives in a per-thread record that only
   its own thread writes (relaxed load + store: no locked instruction), and
   readers sum the records, so counts and live bytes are exact. Live bytes
   also feed a shared total used for the peak: a thread moves its pending
   change into it once that reaches 4 KiB either way, so small alloc/free
   churn costs no shared write, and the peak is exact to within 4 KiB per
   thread. Records are kept for the life of the process (48 bytes per thread
   that ever allocated through cpf_malloc). */
#define CPF__FLUSH_BYTES 4096
#if defined(CORALPERF_NO_THREADS)
#define CPF__TLS
#elif defined(__cplusplus) && __cplusplus >= 201103L
#define CPF__TLS thread_local
#elif defined(_MSC_VER)
#define CPF__TLS __declspec(thread)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define CPF__TLS _Thread_local
#else
#define CPF__TLS __thread /* gcc/clang in C99 mode */
#endif
#define CPF__HDR 16 /* keeps the 16-byte alignment malloc gives on 64-bit ABIs */

typedef struct cpf__alloc_rec {
    cpf_atomic64 allocs, frees, reallocs, bytes;
    cpf_atomic64 pending;   /* live-byte change not yet in cpf__live */
    struct cpf__alloc_rec *next;
} cpf__alloc_rec;
static cpf_atomic64 cpf__live, cpf__peak_live;
static cpf_atomic_ptr cpf__recs;           /* list head, pushed with CAS */
static CPF__TLS cpf__alloc_rec *cpf__my_rec;

static cpf__alloc_rec *cpf__rec(void)
{
    cpf__alloc_rec *r = cpf__my_rec;
    void *head;
    if (r) return r;
    r = (cpf__alloc_rec *)calloc(1, sizeof *r);
    if (!r) return NULL;
    head = cpf_atomic_ptr_load(&cpf__recs);
    do r->next = (cpf__alloc_rec *)head; while (!cpf_atomic_ptr_cas(&cpf__recs, &head, r));
    cpf__my_rec = r;
    return r;
}
static void cpf__bump(cpf_atomic64 *c, int64_t d) { cpf_atomic64_store_relaxed(c, cpf_atomic64_load_relaxed(c) + d); }
static void cpf__live_add(cpf__alloc_rec *r, int64_t d)
{
    int64_t now, peak;
    if (r) {
        int64_t p = cpf_atomic64_load_relaxed(&r->pending) + d;
        if (p < CPF__FLUSH_BYTES && p > -CPF__FLUSH_BYTES) { cpf_atomic64_store_relaxed(&r->pending, p); return; }
        cpf_atomic64_store_relaxed(&r->pending, 0);
        d = p;
    }
    now = cpf_atomic64_fetch_add_relaxed(&cpf__live, d) + d;
    if (d > 0) {
        /* The peak candidate counts every record's pending bytes too: those of
           threads that exited stay pending forever (a flush happens only every
           4 KiB of change, so walking the records here is cheap). */
        const cpf__alloc_rec *q;
        for (q = (const cpf__alloc_rec *)cpf_atomic_ptr_load(&cpf__recs); q; q = q->next)
            if (q != r) now += cpf_atomic64_load_relaxed(&q->pending);
    }
    peak = cpf_atomic64_load_relaxed(&cpf__peak_live);
    while (now > peak && !cpf_atomic64_cas(&cpf__peak_live, &peak, now)) { }
}
/* Exact live bytes: the shared total plus every thread's pending change. */
static int64_t cpf__live_now(void)
{
    const cpf__alloc_rec *r;
    int64_t live = cpf_atomic64_load(&cpf__live);
    for (r = (const cpf__alloc_rec *)cpf_atomic_ptr_load(&cpf__recs); r; r = r->next)
        live += cpf_atomic64_load_relaxed(&r->pending);
    return live;
}

CPF_DEF void *cpf_malloc(size_t n)
{
    cpf__alloc_rec *r;
    char *p;
    if (n > SIZE_MAX - CPF__HDR) return NULL;
    p = (char *)malloc(n + CPF__HDR);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    r = cpf__rec();
    cpf__live_add(r, (int64_t)n);
    if (r) { cpf__bump(&r->allocs, 1); cpf__bump(&r->bytes, (int64_t)n); }
    return p + CPF__HDR;
}
CPF_DEF void *cpf_calloc(size_t count, size_t size)
{
    void *p;
    if (size && count > SIZE_MAX / size) return NULL;
    p = cpf_malloc(count * size);
    if (p) memset(p, 0, count * size);
    return p;
}
CPF_DEF void cpf_free(void *q)
{
    char *p;
    size_t n;
    cpf__alloc_rec *r;
    if (!q) return;
    p = (char *)q - CPF__HDR;
    memcpy(&n, p, sizeof n);
    r = cpf__rec();
    cpf__live_add(r, -(int64_t)n);
    if (r) cpf__bump(&r->frees, 1);
    free(p);
}
CPF_DEF void *cpf_realloc(void *q, size_t n)
{
    char *p, *np;
    size_t old;
    cpf__alloc_rec *r;
    if (!q) return cpf_malloc(n);
    if (n == 0) { cpf_free(q); return NULL; }
    if (n > SIZE_MAX - CPF__HDR) return NULL;
    p = (char *)q - CPF__HDR;
    memcpy(&old, p, sizeof old);
    np = (char *)realloc(p, n + CPF__HDR);
    if (!np) return NULL;             /* the old block is untouched */
    memcpy(np, &n, sizeof n);
    r = cpf__rec();
    cpf__live_add(r, (int64_t)n - (int64_t)old);
    if (r) { cpf__bump(&r->reallocs, 1); cpf__bump(&r->bytes, (int64_t)n); }
    return np + CPF__HDR;
}
CPF_DEF void cpf_alloc_stats_get(cpf_alloc_stats *out)
{
    const cpf__alloc_rec *r;
    if (!out) return;
    memset(out, 0, sizeof *out);
    out->live_bytes = cpf_atomic64_load(&cpf__live);
    out->peak_live_bytes = cpf_atomic64_load(&cpf__peak_live);
    for (r = (const cpf__alloc_rec *)cpf_atomic_ptr_load(&cpf__recs); r; r = r->next) {
        out->live_bytes += cpf_atomic64_load_relaxed(&r->pending);
        out->allocs += cpf_atomic64_load_relaxed(&r->allocs);
        out->frees += cpf_atomic64_load_relaxed(&r->frees);
        out->reallocs += cpf_atomic64_load_relaxed(&r->reallocs);
        out->bytes_allocated += cpf_atomic64_load_relaxed(&r->bytes);
    }
    if (out->peak_live_bytes < out->live_bytes) {
        /* never report a peak below what was seen: store the higher value */
        int64_t p = cpf_atomic64_load_relaxed(&cpf__peak_live);
        while (out->live_bytes > p && !cpf_atomic64_cas(&cpf__peak_live, &p, out->live_bytes)) { }
        out->peak_live_bytes = out->live_bytes;
    }
}
CPF_DEF void cpf_alloc_peak_reset(void) { cpf_atomic64_store(&cpf__peak_live, cpf__live_now()); }

/* --- background sampler ---------------------------------------------------- */
static void cpf__monitor_record(cpf_mem_monitor *m, uint64_t t, uint64_t rss)
{
    m->samples++;
    if (rss > m->peak_rss) m->peak_rss = rss;
    if (m->seen++ % m->keep_every != 0) return;
    if (m->timeline_n == CPF_MEM_TIMELINE) {
        int i;
        for (i = 0; i < CPF_MEM_TIMELINE / 2; i++) m->timeline[i] = m->timeline[2 * i];
        m->timeline_n = CPF_MEM_TIMELINE / 2;
        m->keep_every *= 2;
    }
    m->timeline[m->timeline_n].t_ns = t - m->start_ns;
    m->timeline[m->timeline_n].rss = rss;
    m->timeline_n++;
}

CPF_DEF cpf_status cpf_mem_monitor_sample(cpf_mem_monitor *m)
{
    uint64_t rss, t;
    cpf_status st;
    if (!m || !(m->interval_ms > 0.0)) return CPF_ERR_ARG;
    st = cpf__os_rss(&rss);
    t = cpf_now_ns();
    if (st != CPF_OK) return st;
    cpf_mutex_lock(&m->mu);
    cpf__monitor_record(m, t, rss);
    cpf_mutex_unlock(&m->mu);
    return CPF_OK;
}

#if !defined(CORALPERF_NO_THREADS)
static int cpf__monitor_thread(void *arg)
{
    cpf_mem_monitor *m = (cpf_mem_monitor *)arg;
    cpf_mutex_lock(&m->mu);
    while (!m->stop) {
        cpf_mutex_unlock(&m->mu);
        cpf_mem_monitor_sample(m);
        cpf_mutex_lock(&m->mu);
        if (!m->stop) cpf_cond_timedwait(&m->cv, &m->mu, m->interval_ms);
    }
    cpf_mutex_unlock(&m->mu);
    return 0;
}
#endif

CPF_DEF cpf_status cpf_mem_monitor_start(cpf_mem_monitor *m, double interval_ms)
{
    uint64_t rss;
    cpf_status st;
    if (!m || !(interval_ms >= 0.1)) return CPF_ERR_ARG;
    memset(m, 0, sizeof *m);
    st = cpf__os_rss(&rss);
    if (st != CPF_OK) return m->status = st;
    cpf_mutex_init(&m->mu);
    cpf_cond_init(&m->cv);
    m->interval_ms = interval_ms;
    m->keep_every = 1;
    m->start_ns = cpf_now_ns();
    m->start_rss = rss;
    cpf__monitor_record(m, m->start_ns, rss);
#if !defined(CORALPERF_NO_THREADS)
    if (cpf_thread_start(&m->thread, cpf__monitor_thread, m) == CPF_OK) m->running = 1;
#endif
    return CPF_OK; /* without a thread: explicit cpf_mem_monitor_sample calls */
}

CPF_DEF cpf_status cpf_mem_monitor_stop(cpf_mem_monitor *m)
{
    if (!m || !(m->interval_ms > 0.0)) return CPF_ERR_ARG; /* set once, before the thread */
#if !defined(CORALPERF_NO_THREADS)
    if (m->running) {
        cpf_mutex_lock(&m->mu);
        m->stop = 1;
        cpf_cond_broadcast(&m->cv);
        cpf_mutex_unlock(&m->mu);
        cpf_thread_join(&m->thread, NULL);
        m->running = 0;
    }
#endif
    cpf_mem_monitor_sample(m);
    return CPF_OK;
}

CPF_DEF uint64_t cpf_mem_monitor_peak(cpf_mem_monitor *m)
{
    uint64_t p;
    if (!m || !(m->interval_ms > 0.0)) return 0;
    cpf_mutex_lock(&m->mu);
    p = m->peak_rss;
    cpf_mutex_unlock(&m->mu);
    return p;
}
CPF_DEF int64_t cpf_mem_monitor_growth(cpf_mem_monitor *m)
{
    return m && m->interval_ms > 0.0 ? (int64_t)cpf_mem_monitor_peak(m) - (int64_t)m->start_rss : 0;
}
CPF_DEF int cpf_mem_monitor_timeline(cpf_mem_monitor *m, cpf_mem_point *out, int cap)
{
    int n;
    if (!m || !(m->interval_ms > 0.0) || !out || cap <= 0) return 0;
    cpf_mutex_lock(&m->mu);
    n = m->timeline_n < cap ? m->timeline_n : cap;
    memcpy(out, m->timeline, (size_t)n * sizeof *out);
    cpf_mutex_unlock(&m->mu);
    return n;
}

/* --- leak check and budgets ------------------------------------------------ */
CPF_DEF double cpf_slope(const double *y, size_t n, double *se)
{
    /* x = 0..n-1: mean (n-1)/2, Sxx = n(n^2-1)/12 */
    double mx = ((double)n - 1.0) / 2.0, my = 0.0, sxy = 0.0, sxx, b, ssr = 0.0;
    size_t i;
    if (se) *se = 0.0;
    if (!y || n < 2) return 0.0;
    for (i = 0; i < n; i++) my += y[i];
    my /= (double)n;
    for (i = 0; i < n; i++) sxy += ((double)i - mx) * (y[i] - my);
    sxx = (double)n * ((double)n * (double)n - 1.0) / 12.0;
    b = sxy / sxx;
    if (se && n > 2) {
        for (i = 0; i < n; i++) {
            double r = y[i] - (my + b * ((double)i - mx));
            ssr += r * r;
        }
        *se = sqrt(ssr / (double)(n - 2) / sxx);
    }
    return b;
}


CPF_DEF cpf_status cpf_leak_check(cpf_task_fn fn, void *ctx, int iterations,
                                  const cpf_leak_opts *opts, cpf_leak_result *out)
{
    double *live, *heap, *rss, thr, rthr;
    int warmup, i, fail = 0;
    char s1[32], s2[32], s3[32], t1[32], t2[32], rss_note[64] = "";
    int inconclusive;
    if (!out) return CPF_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (!fn || iterations < 3) {
        cpf__msg(out->verdict.message, sizeof out->verdict.message, "leak check needs a function and at least 3 iterations");
        out->verdict.level = CPF_FAIL;
        return CPF_ERR_ARG;
    }
    /* Default warm-up: as many calls as measured, at least 300 - glibc's
       per-thread cache keeps filling for a few hundred calls of a clean
       function, which looks like heap growth. */
    warmup = opts && opts->warmup > 0 ? opts->warmup : (iterations > 300 ? iterations : 300);
    thr = opts && opts->threshold_bytes > 0.0 ? opts->threshold_bytes : 16.0;
    rthr = opts && opts->rss_threshold_bytes > 0.0 ? opts->rss_threshold_bytes : 4096.0;
    live = CPF__ALLOC(double, (size_t)iterations * 3);
    if (!live) return CPF_ERR_NOMEM;
    heap = live + iterations;
    rss = heap + iterations;
    out->has_heap = out->has_rss = 1;
    for (i = 0; i < warmup; i++) fn(ctx);
    for (i = 0; i < iterations; i++) {
        uint64_t h = 0, r = 0;
        fn(ctx);
        live[i] = (double)cpf__live_now();
        if (!cpf__heap_in_use(&h)) out->has_heap = 0;
        heap[i] = (double)h;
        if (cpf__os_rss(&r) != CPF_OK) out->has_rss = 0;
        rss[i] = (double)r;
    }
    out->iterations = iterations;
    out->live_slope = cpf_slope(live, (size_t)iterations, &out->live_se);
    if (out->has_heap) out->heap_slope = cpf_slope(heap, (size_t)iterations, &out->heap_se);
    if (out->has_rss) out->rss_slope = cpf_slope(rss, (size_t)iterations, &out->rss_se);
    CPF__FREE(live);
    /* Fail only when even the slope's lower bound (3 standard errors) is
       above the threshold: memory that merely fluctuates passes. */
    if (out->live_slope - 3.0 * out->live_se > thr) fail = 1;
    if (out->has_heap && out->heap_slope - 3.0 * out->heap_se > thr) fail |= 2;
    /* Above the threshold but not by 3 standard errors: say so, do not pass
       it off as "no leak". */
    inconclusive = !fail && (out->live_slope > thr || (out->has_heap && out->heap_slope > thr));
    /* RSS is reported, not judged: pages, allocator caches and sanitizer
       quarantines move it without a leak. */
    cpf__fmt_bytes(s1, sizeof s1, out->live_slope);
    cpf__fmt_bytes(s2, sizeof s2, out->heap_slope);
    cpf__fmt_bytes(s3, sizeof s3, out->rss_slope);
    cpf__fmt_bytes(t1, sizeof t1, thr);
    cpf__fmt_bytes(t2, sizeof t2, rthr);
    if (out->has_rss && out->rss_slope - 3.0 * out->rss_se > rthr) {
        rss_note[0] = ';'; rss_note[1] = ' ';
        cpf__msg(rss_note + 2, sizeof rss_note - 2, "above %s: worth a look", t2);
    }
    out->verdict.level = fail ? CPF_FAIL : inconclusive ? CPF_WARN : CPF_PASS;
    out->verdict.ok = !fail;
    out->verdict.limit = thr;
    out->verdict.observed = (fail & 1) || !out->has_heap ? out->live_slope : out->heap_slope;
    cpf__msg(out->verdict.message, sizeof out->verdict.message,
             "%s over %d calls: counted live bytes %s per call%s, C heap %s%s; limit %s per call; RSS %s per call (reported only%s)",
             fail ? "LEAK" : inconclusive ? "inconclusive (run more iterations)" : "no leak", iterations, s1, (fail & 1) ? " (leaking)" : "",
             out->has_heap ? s2 : "not measurable here", (fail & 2) ? " (leaking)" : "", t1,
             out->has_rss ? s3 : "not measurable here", rss_note);
    return CPF_OK;
}

CPF_DEF cpf_verdict cpf_mem_below(cpf_task_fn fn, void *ctx, double limit_bytes)
{
    cpf_verdict v;
    uint64_t rss0 = 0, peak = 0;
    int64_t live0;
    int have_rss, reset, sampled = 0;
    double counted, via_rss = -1.0, observed;
    char o[32], l[32], mgn[32];
    cpf_mem_monitor mon;
    memset(&v, 0, sizeof v);
    memset(&mon, 0, sizeof mon);
    v.limit = limit_bytes;
    if (!fn || !(limit_bytes > 0.0)) {
        v.level = CPF_FAIL;
        cpf__msg(v.message, sizeof v.message, "cpf_mem_below needs a function and a positive limit");
        return v;
    }
#if defined(__GLIBC__)
    malloc_trim(0); /* otherwise heap memory that is already resident hides the call's growth */
#endif
    have_rss = cpf__os_rss(&rss0) == CPF_OK;
    reset = have_rss && cpf__os_peak_reset() == CPF_OK;
#if !defined(CORALPERF_NO_THREADS)
    if (have_rss && !reset) sampled = cpf_mem_monitor_start(&mon, 1.0) == CPF_OK;
#endif
    live0 = cpf__live_now();
    cpf_alloc_peak_reset();
    fn(ctx);
    {
        int64_t peak_live = cpf_atomic64_load(&cpf__peak_live), now = cpf__live_now();
        counted = (double)((peak_live > now ? peak_live : now) - live0);
    }
    if (reset && cpf__os_peak(&peak) == CPF_OK) via_rss = (double)peak - (double)rss0;
    if (sampled) { cpf_mem_monitor_stop(&mon); via_rss = (double)cpf_mem_monitor_growth(&mon); }
    observed = via_rss > counted ? via_rss : counted;
    v.observed = observed;
    v.level = observed <= limit_bytes ? CPF_PASS : CPF_FAIL;
    v.ok = v.level != CPF_FAIL;
    cpf__fmt_bytes(o, sizeof o, observed);
    cpf__fmt_bytes(l, sizeof l, limit_bytes);
    cpf__fmt_bytes(mgn, sizeof mgn, fabs(limit_bytes - observed));
    cpf__msg(v.message, sizeof v.message, "peak memory growth %s is %s the %s limit (%s %s, %.1f%% of the limit); measured as %s",
             o, v.ok ? "within" : "above", l, mgn, v.ok ? "to spare" : "over", 100.0 * observed / limit_bytes,
             via_rss >= 0.0 ? (reset ? "the RSS peak (reset before the call) and counted bytes"
                                     : "RSS sampled every 1 ms and counted bytes")
                            : "bytes counted by cpf_malloc only (this platform gives no RSS peak)");
    return v;
}

/* ======================================================================== */
/* ==== module: hash (XXH3-64/128, written from the xxHash specification) = */

#include <string.h> /* memcpy */

/* --- hash: compiler helpers ------------------------------------------------ */
#if defined(_MSC_VER) && !defined(__clang__)
#define CPF__HINLINE static __forceinline
#define CPF__HNOINLINE static __declspec(noinline)
#elif defined(__GNUC__) || defined(__clang__)
#define CPF__HINLINE static inline __attribute__((always_inline))
#define CPF__HNOINLINE static __attribute__((noinline))
#else
#define CPF__HINLINE static inline
#define CPF__HNOINLINE static
#endif

#if defined(__GNUC__) || defined(__clang__)
#define CPF__HLIKELY(x) __builtin_expect(!!(x), 1)
#else
#define CPF__HLIKELY(x) (x)
#endif

/* --- hash: byte order ------------------------------------------------------
   CPF__HASH_LE: 1 little-endian, 0 big-endian, -1 unknown (byte loads). */
#if defined(CORALPERF_HASH_ENDIAN)
#define CPF__HASH_LE (CORALPERF_HASH_ENDIAN)
#elif defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CPF__HASH_LE 1
#elif defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define CPF__HASH_LE 0
#elif defined(_WIN32) || defined(_M_IX86) || defined(_M_X64) || defined(_M_AMD64) || defined(_M_ARM) || \
    defined(_M_ARM64) || defined(__i386__) || defined(__x86_64__) || defined(__LITTLE_ENDIAN__) ||      \
    defined(__ARMEL__) || defined(__AARCH64EL__) || defined(__MIPSEL__)
#define CPF__HASH_LE 1
#elif defined(__BIG_ENDIAN__) || defined(__ARMEB__) || defined(__AARCH64EB__) || defined(__MIPSEB__) || \
    defined(__s390__) || defined(__sparc__) || defined(__m68k__)
#define CPF__HASH_LE 0
#else
#define CPF__HASH_LE (-1)
#endif

/* --- hash: SIMD selection (CPF__HASH_SIMD: 0 scalar, 1 SSE2, 2 AVX2, 3 NEON) */
#if defined(CORALPERF_HASH_SCALAR) || CPF__HASH_LE != 1
#define CPF__HASH_SIMD 0
#elif defined(__AVX2__)
#define CPF__HASH_SIMD 2
#elif defined(__SSE2__) || defined(_M_X64) || defined(_M_AMD64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#define CPF__HASH_SIMD 1
#elif defined(__ARM_NEON) || defined(__ARM_NEON__) || defined(_M_ARM64)
#define CPF__HASH_SIMD 3
#else
#define CPF__HASH_SIMD 0
#endif

#if defined(_MSC_VER)
#include <stdlib.h> /* _byteswap_ulong, _byteswap_uint64 */
#include <intrin.h> /* _umul128, __umulh, __emulu, _mm_prefetch (after <windows.h>) */
#endif
#if CPF__HASH_SIMD == 2
#include <immintrin.h>
#elif CPF__HASH_SIMD == 1
#include <emmintrin.h>
#elif CPF__HASH_SIMD == 3
#include <arm_neon.h>
#endif

/* Prefetch distance for the long-input loop, in bytes ahead of the stripe. */
#if defined(__GNUC__) || defined(__clang__)
#define CPF__HASH_PREFETCH(p) __builtin_prefetch((const void *)(p))
#elif defined(_MSC_VER) && (CPF__HASH_SIMD == 1 || CPF__HASH_SIMD == 2)
#define CPF__HASH_PREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#else
#define CPF__HASH_PREFETCH(p) ((void)0)
#endif
#define CPF__HASH_PREFETCH_DIST 384

/* --- hash: constants (specification values) ------------------------------ */
#define CPF__P32_1 0x9E3779B1U
#define CPF__P32_2 0x85EBCA77U
#define CPF__P32_3 0xC2B2AE3DU
#define CPF__P64_1 0x9E3779B185EBCA87ULL
#define CPF__P64_2 0xC2B2AE3D27D4EB4FULL
#define CPF__P64_3 0x165667B19E3779F9ULL
#define CPF__P64_4 0x85EBCA77C2B2AE63ULL
#define CPF__P64_5 0x27D4EB2F165667C5ULL
#define CPF__PMX_1 0x165667919E3779F9ULL
#define CPF__PMX_2 0x9FB21C651E98DF25ULL

#define CPF__HASH_SECRET_LEN 192
#define CPF__HASH_STRIPE 64
#define CPF__HASH_STRIPES_PER_BLOCK 16 /* (192 - 64) / 8 */
#define CPF__HASH_BLOCK 1024           /* 64 * 16 */

/* The default secret of the specification. */
static const unsigned char cpf__hash_secret[CPF__HASH_SECRET_LEN] = {
    0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
    0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
    0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
    0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
    0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
    0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
    0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
    0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
    0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
    0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
    0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
    0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e};

/* --- hash: integer helpers ------------------------------------------------ */
CPF__HINLINE uint32_t cpf__bswap32(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_bswap32(x);
#elif defined(_MSC_VER)
    return (uint32_t)_byteswap_ulong((unsigned long)x);
#else
    return (x >> 24) | ((x >> 8) & 0xFF00U) | ((x << 8) & 0xFF0000U) | (x << 24);
#endif
}

CPF__HINLINE uint64_t cpf__bswap64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_bswap64(x);
#elif defined(_MSC_VER)
    return (uint64_t)_byteswap_uint64((unsigned __int64)x);
#else
    return ((uint64_t)cpf__bswap32((uint32_t)x) << 32) | cpf__bswap32((uint32_t)(x >> 32));
#endif
}

CPF__HINLINE uint64_t cpf__rotl64(uint64_t x, unsigned r) { return (x << r) | (x >> (64 - r)); }
CPF__HINLINE uint32_t cpf__rotl32(uint32_t x, unsigned r) { return (x << r) | (x >> (32 - r)); }

/* little-endian loads from any address */
CPF__HINLINE uint32_t cpf__rd32(const unsigned char *p)
{
#if CPF__HASH_LE == 1
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
#elif CPF__HASH_LE == 0
    uint32_t v;
    memcpy(&v, p, 4);
    return cpf__bswap32(v);
#else
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
#endif
}

CPF__HINLINE uint64_t cpf__rd64(const unsigned char *p)
{
#if CPF__HASH_LE == 1
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#elif CPF__HASH_LE == 0
    uint64_t v;
    memcpy(&v, p, 8);
    return cpf__bswap64(v);
#else
    return (uint64_t)cpf__rd32(p) | ((uint64_t)cpf__rd32(p + 4) << 32);
#endif
}

CPF__HINLINE void cpf__wr64(unsigned char *p, uint64_t v)
{
#if CPF__HASH_LE == 1
    memcpy(p, &v, 8);
#elif CPF__HASH_LE == 0
    v = cpf__bswap64(v);
    memcpy(p, &v, 8);
#else
    int i;
    for (i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
#endif
}

/* 32x32 -> 64 multiply (MSVC x86 would otherwise call a 64x64 helper) */
#if defined(_MSC_VER) && defined(_M_IX86) && !defined(__clang__)
#define CPF__MUL32(a, b) ((uint64_t)__emulu((unsigned)(a), (unsigned)(b)))
#else
#define CPF__MUL32(a, b) ((uint64_t)(uint32_t)(a) * (uint64_t)(uint32_t)(b))
#endif

/* 64x64 -> 128 multiply */
#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 cpf__uint128;
CPF__HINLINE cpf_u128 cpf__mul128(uint64_t a, uint64_t b)
{
    cpf__uint128 p = (cpf__uint128)a * b;
    cpf_u128 r;
    r.lo = (uint64_t)p;
    r.hi = (uint64_t)(p >> 64);
    return r;
}
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_AMD64)) && !defined(_M_ARM64EC)
#pragma intrinsic(_umul128)
CPF__HINLINE cpf_u128 cpf__mul128(uint64_t a, uint64_t b)
{
    cpf_u128 r;
    unsigned __int64 hi;
    r.lo = (uint64_t)_umul128(a, b, &hi);
    r.hi = (uint64_t)hi;
    return r;
}
#elif defined(_MSC_VER) && (defined(_M_ARM64) || defined(_M_ARM64EC))
#pragma intrinsic(__umulh)
CPF__HINLINE cpf_u128 cpf__mul128(uint64_t a, uint64_t b)
{
    cpf_u128 r;
    r.lo = a * b;
    r.hi = (uint64_t)__umulh(a, b);
    return r;
}
#else
/* schoolbook on 32-bit limbs; the middle sum cannot overflow 64 bits */
CPF__HINLINE cpf_u128 cpf__mul128(uint64_t a, uint64_t b)
{
    uint64_t ll = CPF__MUL32(a, b);
    uint64_t hl = CPF__MUL32(a >> 32, b);
    uint64_t lh = CPF__MUL32(a, b >> 32);
    uint64_t hh = CPF__MUL32(a >> 32, b >> 32);
    uint64_t mid = (ll >> 32) + (hl & 0xFFFFFFFFU) + lh;
    cpf_u128 r;
    r.lo = (mid << 32) | (ll & 0xFFFFFFFFU);
    r.hi = hh + (hl >> 32) + (mid >> 32);
    return r;
}
#endif

CPF__HINLINE uint64_t cpf__mulfold(uint64_t a, uint64_t b)
{
    cpf_u128 p = cpf__mul128(a, b);
    return p.lo ^ p.hi;
}

/* avalanche_XXH64 of the specification */
CPF__HINLINE uint64_t cpf__fmix64(uint64_t x)
{
    x ^= x >> 33;
    x *= CPF__P64_2;
    x ^= x >> 29;
    x *= CPF__P64_3;
    x ^= x >> 32;
    return x;
}

/* avalanche of the specification */
CPF__HINLINE uint64_t cpf__avalanche(uint64_t x)
{
    x ^= x >> 37;
    x *= CPF__PMX_1;
    x ^= x >> 32;
    return x;
}

/* mixStep: 16 input bytes with 16 secret bytes and the seed */
CPF__HINLINE uint64_t cpf__mix16(const unsigned char *in, const unsigned char *sec, uint64_t seed)
{
    uint64_t a = cpf__rd64(in) ^ (cpf__rd64(sec) + seed);
    uint64_t b = cpf__rd64(in + 8) ^ (cpf__rd64(sec + 8) - seed);
    return cpf__mulfold(a, b);
}

/* --- hash: XXH3-64, 0..240 bytes ------------------------------------------ */
CPF__HINLINE uint64_t cpf__h64_1to3(const unsigned char *p, size_t len, const unsigned char *s, uint64_t seed)
{
    uint32_t c = ((uint32_t)p[0] << 16) | ((uint32_t)p[len >> 1] << 24) | (uint32_t)p[len - 1] | ((uint32_t)len << 8);
    uint64_t key = (uint64_t)(cpf__rd32(s) ^ cpf__rd32(s + 4)) + seed;
    return cpf__fmix64((uint64_t)c ^ key);
}

CPF__HINLINE uint64_t cpf__h64_4to8(const unsigned char *p, size_t len, const unsigned char *s, uint64_t seed)
{
    uint64_t mseed = seed ^ ((uint64_t)cpf__bswap32((uint32_t)seed) << 32);
    uint64_t in = (uint64_t)cpf__rd32(p + len - 4) | ((uint64_t)cpf__rd32(p) << 32);
    uint64_t v = ((cpf__rd64(s + 8) ^ cpf__rd64(s + 16)) - mseed) ^ in;
    v ^= cpf__rotl64(v, 49) ^ cpf__rotl64(v, 24);
    v *= CPF__PMX_2;
    v ^= (v >> 35) + (uint64_t)len;
    v *= CPF__PMX_2;
    return v ^ (v >> 28);
}

CPF__HINLINE uint64_t cpf__h64_9to16(const unsigned char *p, size_t len, const unsigned char *s, uint64_t seed)
{
    uint64_t lo = ((cpf__rd64(s + 24) ^ cpf__rd64(s + 32)) + seed) ^ cpf__rd64(p);
    uint64_t hi = ((cpf__rd64(s + 40) ^ cpf__rd64(s + 48)) - seed) ^ cpf__rd64(p + len - 8);
    uint64_t v = (uint64_t)len + cpf__bswap64(lo) + hi + cpf__mulfold(lo, hi);
    return cpf__avalanche(v);
}

CPF__HINLINE uint64_t cpf__h64_0to16(const unsigned char *p, size_t len, const unsigned char *s, uint64_t seed)
{
    if (CPF__HLIKELY(len > 8)) return cpf__h64_9to16(p, len, s, seed);
    if (CPF__HLIKELY(len >= 4)) return cpf__h64_4to8(p, len, s, seed);
    if (len) return cpf__h64_1to3(p, len, s, seed);
    return cpf__fmix64(seed ^ cpf__rd64(s + 56) ^ cpf__rd64(s + 64));
}

CPF__HNOINLINE uint64_t cpf__h64_17to128(const unsigned char *p, size_t len, const unsigned char *s, uint64_t seed)
{
    uint64_t acc = (uint64_t)len * CPF__P64_1;
    if (len > 32) {
        if (len > 64) {
            if (len > 96) {
                acc += cpf__mix16(p + 48, s + 96, seed);
                acc += cpf__mix16(p + len - 64, s + 112, seed);
            }
            acc += cpf__mix16(p + 32, s + 64, seed);
            acc += cpf__mix16(p + len - 48, s + 80, seed);
        }
        acc += cpf__mix16(p + 16, s + 32, seed);
        acc += cpf__mix16(p + len - 32, s + 48, seed);
    }
    acc += cpf__mix16(p, s, seed);
    acc += cpf__mix16(p + len - 16, s + 16, seed);
    return cpf__avalanche(acc);
}

CPF__HNOINLINE uint64_t cpf__h64_129to240(const unsigned char *p, size_t len, const unsigned char *s, uint64_t seed)
{
    uint64_t acc = (uint64_t)len * CPF__P64_1;
    size_t n = len >> 4, i;
    for (i = 0; i < 8; i++) acc += cpf__mix16(p + 16 * i, s + 16 * i, seed);
    acc = cpf__avalanche(acc);
    for (i = 8; i < n; i++) acc += cpf__mix16(p + 16 * i, s + 16 * (i - 8) + 3, seed);
    acc += cpf__mix16(p + len - 16, s + 119, seed);
    return cpf__avalanche(acc);
}

/* --- hash: XXH3-128, 0..240 bytes ----------------------------------------- */
CPF__HINLINE cpf_u128 cpf__h128_1to3(const unsigned char *p, size_t len, const unsigned char *s, uint64_t seed)
{
    uint32_t c = ((uint32_t)p[0] << 16) | ((uint32_t)p[len >> 1] << 24) | (uint32_t)p[len - 1] | ((uint32_t)len << 8);
    uint32_t ch = cpf__rotl32(cpf__bswap32(c), 13);
    uint64_t kl = (uint64_t)(cpf__rd32(s) ^ cpf__rd32(s + 4)) + seed;
    uint64_t kh = (uint64_t)(cpf__rd32(s + 8) ^ cpf__rd32(s + 12)) - seed;
    cpf_u128 r;
    r.lo = cpf__fmix64((uint64_t)c ^ kl);
    r.hi = cpf__fmix64((uint64_t)ch ^ kh);
    return r;
}

CPF__HINLINE cpf_u128 cpf__h128_4to8(const unsigned char *p, size_t len, const unsigned char *s, uint64_t seed)
{
    uint64_t mseed = seed ^ ((uint64_t)cpf__bswap32((uint32_t)seed) << 32);
    uint64_t in = (uint64_t)cpf__rd32(p) | ((uint64_t)cpf__rd32(p + len - 4) << 32);
    uint64_t v = ((cpf__rd64(s + 16) ^ cpf__rd64(s + 24)) + mseed) ^ in;
    cpf_u128 m = cpf__mul128(v, CPF__P64_1 + ((uint64_t)len << 2));
    m.hi += m.lo << 1;
    m.lo ^= m.hi >> 3;
    m.lo ^= m.lo >> 35;
    m.lo *= CPF__PMX_2;
    m.lo ^= m.lo >> 28;
    m.hi = cpf__avalanche(m.hi);
    return m;
}

CPF__HINLINE cpf_u128 cpf__h128_9to16(const unsigned char *p, size_t len, const unsigned char *s, uint64_t seed)
{
    uint64_t first = cpf__rd64(p), last = cpf__rd64(p + len - 8);
    uint64_t v1 = ((cpf__rd64(s + 32) ^ cpf__rd64(s + 40)) - seed) ^ first ^ last;
    uint64_t v2 = ((cpf__rd64(s + 48) ^ cpf__rd64(s + 56)) + seed) ^ last;
    cpf_u128 m = cpf__mul128(v1, CPF__P64_1), r;
    uint64_t lo = m.lo + ((uint64_t)(len - 1) << 54);
    uint64_t hi = m.hi + (v2 & 0xFFFFFFFF00000000ULL) + CPF__MUL32(v2, CPF__P32_2);
    lo ^= cpf__bswap64(hi);
    r = cpf__mul128(lo, CPF__P64_2);
    r.hi += hi * CPF__P64_2;
    r.lo = cpf__avalanche(r.lo);
    r.hi = cpf__avalanche(r.hi);
    return r;
}

CPF__HINLINE cpf_u128 cpf__h128_0to16(const unsigned char *p, size_t len, const unsigned char *s, uint64_t seed)
{
    cpf_u128 r;
    if (CPF__HLIKELY(len > 8)) return cpf__h128_9to16(p, len, s, seed);
    if (CPF__HLIKELY(len >= 4)) return cpf__h128_4to8(p, len, s, seed);
    if (len) return cpf__h128_1to3(p, len, s, seed);
    r.lo = cpf__fmix64(seed ^ cpf__rd64(s + 64) ^ cpf__rd64(s + 72));
    r.hi = cpf__fmix64(seed ^ cpf__rd64(s + 80) ^ cpf__rd64(s + 88));
    return r;
}

/* mixTwoChunks: a += 16 bytes at in1, b += 16 bytes at in2, cross-fed */
CPF__HINLINE void cpf__mix32(uint64_t *a, uint64_t *b, const unsigned char *in1, const unsigned char *in2,
                             const unsigned char *sec, uint64_t seed)
{
    *a += cpf__mix16(in1, sec, seed);
    *a ^= cpf__rd64(in2) + cpf__rd64(in2 + 8);
    *b += cpf__mix16(in2, sec + 16, seed);
    *b ^= cpf__rd64(in1) + cpf__rd64(in1 + 8);
}

CPF__HINLINE cpf_u128 cpf__h128_mid_end(uint64_t a, uint64_t b, size_t len, uint64_t seed)
{
    cpf_u128 r;
    r.lo = cpf__avalanche(a + b);
    r.hi = (uint64_t)0 - cpf__avalanche(a * CPF__P64_1 + b * CPF__P64_4 + ((uint64_t)len - seed) * CPF__P64_2);
    return r;
}

CPF__HNOINLINE cpf_u128 cpf__h128_17to128(const unsigned char *p, size_t len, const unsigned char *s, uint64_t seed)
{
    uint64_t a = (uint64_t)len * CPF__P64_1, b = 0;
    if (len > 32) {
        if (len > 64) {
            if (len > 96) cpf__mix32(&a, &b, p + 48, p + len - 64, s + 96, seed);
            cpf__mix32(&a, &b, p + 32, p + len - 48, s + 64, seed);
        }
        cpf__mix32(&a, &b, p + 16, p + len - 32, s + 32, seed);
    }
    cpf__mix32(&a, &b, p, p + len - 16, s, seed);
    return cpf__h128_mid_end(a, b, len, seed);
}

CPF__HNOINLINE cpf_u128 cpf__h128_129to240(const unsigned char *p, size_t len, const unsigned char *s, uint64_t seed)
{
    uint64_t a = (uint64_t)len * CPF__P64_1, b = 0;
    size_t n = len >> 5, i;
    for (i = 0; i < 4; i++) cpf__mix32(&a, &b, p + 32 * i, p + 32 * i + 16, s + 32 * i, seed);
    a = cpf__avalanche(a);
    b = cpf__avalanche(b);
    for (i = 4; i < n; i++) cpf__mix32(&a, &b, p + 32 * i, p + 32 * i + 16, s + 32 * (i - 4) + 3, seed);
    cpf__mix32(&a, &b, p + len - 16, p + len - 32, s + 103, (uint64_t)0 - seed);
    return cpf__h128_mid_end(a, b, len, seed);
}

/* --- hash: long inputs (> 240 bytes) ----------------------------------------
   cpf__hash_accum: n stripes of 64 bytes at in, the secret moving 8 bytes per
   stripe; cpf__hash_scramble: end of a 1024-byte block. acc is 8 uint64_t in
   native order (no alignment needed). Every backend computes the same. */
#if CPF__HASH_SIMD == 2 /* AVX2 */
CPF__HINLINE void cpf__hash_accum(uint64_t *acc, const unsigned char *in, const unsigned char *sec, size_t n)
{
    __m256i a0 = _mm256_loadu_si256((const __m256i *)(const void *)acc);
    __m256i a1 = _mm256_loadu_si256((const __m256i *)(const void *)(acc + 4));
    for (; n; n--, in += CPF__HASH_STRIPE, sec += 8) {
        __m256i d0 = _mm256_loadu_si256((const __m256i *)(const void *)in);
        __m256i d1 = _mm256_loadu_si256((const __m256i *)(const void *)(in + 32));
        __m256i k0 = _mm256_xor_si256(d0, _mm256_loadu_si256((const __m256i *)(const void *)sec));
        __m256i k1 = _mm256_xor_si256(d1, _mm256_loadu_si256((const __m256i *)(const void *)(sec + 32)));
        CPF__HASH_PREFETCH(in + CPF__HASH_PREFETCH_DIST);
        /* lo32 * hi32 of each lane; input added to the neighbouring lane */
        a0 = _mm256_add_epi64(a0, _mm256_add_epi64(_mm256_mul_epu32(k0, _mm256_shuffle_epi32(k0, 0x31)),
                                                   _mm256_shuffle_epi32(d0, 0x4E)));
        a1 = _mm256_add_epi64(a1, _mm256_add_epi64(_mm256_mul_epu32(k1, _mm256_shuffle_epi32(k1, 0x31)),
                                                   _mm256_shuffle_epi32(d1, 0x4E)));
    }
    _mm256_storeu_si256((__m256i *)(void *)acc, a0);
    _mm256_storeu_si256((__m256i *)(void *)(acc + 4), a1);
}

CPF__HINLINE __m256i cpf__hash_scramble256(__m256i a, const unsigned char *sec)
{
    const __m256i prime = _mm256_set1_epi32((int)CPF__P32_1);
    __m256i lo, hi;
    a = _mm256_xor_si256(a, _mm256_srli_epi64(a, 47));
    a = _mm256_xor_si256(a, _mm256_loadu_si256((const __m256i *)(const void *)sec));
    lo = _mm256_mul_epu32(a, prime);
    hi = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), prime);
    return _mm256_add_epi64(lo, _mm256_slli_epi64(hi, 32));
}

CPF__HINLINE void cpf__hash_scramble(uint64_t *acc, const unsigned char *sec)
{
    __m256i a0 = _mm256_loadu_si256((const __m256i *)(const void *)acc);
    __m256i a1 = _mm256_loadu_si256((const __m256i *)(const void *)(acc + 4));
    _mm256_storeu_si256((__m256i *)(void *)acc, cpf__hash_scramble256(a0, sec));
    _mm256_storeu_si256((__m256i *)(void *)(acc + 4), cpf__hash_scramble256(a1, sec + 32));
}

#elif CPF__HASH_SIMD == 1 /* SSE2 */
#define CPF__SSE_LANE(a, i)                                                                          \
    do {                                                                                            \
        __m128i d_ = _mm_loadu_si128((const __m128i *)(const void *)(in + 16 * (i)));               \
        __m128i k_ = _mm_xor_si128(d_, _mm_loadu_si128((const __m128i *)(const void *)(sec + 16 * (i)))); \
        a = _mm_add_epi64(a, _mm_add_epi64(_mm_mul_epu32(k_, _mm_shuffle_epi32(k_, 0x31)),           \
                                           _mm_shuffle_epi32(d_, 0x4E)));                           \
    } while (0)

CPF__HINLINE void cpf__hash_accum(uint64_t *acc, const unsigned char *in, const unsigned char *sec, size_t n)
{
    __m128i a0 = _mm_loadu_si128((const __m128i *)(const void *)acc);
    __m128i a1 = _mm_loadu_si128((const __m128i *)(const void *)(acc + 2));
    __m128i a2 = _mm_loadu_si128((const __m128i *)(const void *)(acc + 4));
    __m128i a3 = _mm_loadu_si128((const __m128i *)(const void *)(acc + 6));
    for (; n; n--, in += CPF__HASH_STRIPE, sec += 8) {
        CPF__HASH_PREFETCH(in + CPF__HASH_PREFETCH_DIST);
        CPF__SSE_LANE(a0, 0);
        CPF__SSE_LANE(a1, 1);
        CPF__SSE_LANE(a2, 2);
        CPF__SSE_LANE(a3, 3);
    }
    _mm_storeu_si128((__m128i *)(void *)acc, a0);
    _mm_storeu_si128((__m128i *)(void *)(acc + 2), a1);
    _mm_storeu_si128((__m128i *)(void *)(acc + 4), a2);
    _mm_storeu_si128((__m128i *)(void *)(acc + 6), a3);
}

CPF__HINLINE void cpf__hash_scramble(uint64_t *acc, const unsigned char *sec)
{
    const __m128i prime = _mm_set1_epi32((int)CPF__P32_1);
    int i;
    for (i = 0; i < 4; i++) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(acc + 2 * i)), lo, hi;
        a = _mm_xor_si128(a, _mm_srli_epi64(a, 47));
        a = _mm_xor_si128(a, _mm_loadu_si128((const __m128i *)(const void *)(sec + 16 * i)));
        lo = _mm_mul_epu32(a, prime);
        hi = _mm_mul_epu32(_mm_srli_epi64(a, 32), prime);
        _mm_storeu_si128((__m128i *)(void *)(acc + 2 * i), _mm_add_epi64(lo, _mm_slli_epi64(hi, 32)));
    }
}

#elif CPF__HASH_SIMD == 3 /* NEON (aarch64 or ARMv7 with NEON, little-endian) */
#define CPF__NEON_LANE(a, i)                                                \
    do {                                                                   \
        uint64x2_t d_ = vreinterpretq_u64_u8(vld1q_u8(in + 16 * (i)));     \
        uint64x2_t k_ = veorq_u64(d_, vreinterpretq_u64_u8(vld1q_u8(sec + 16 * (i)))); \
        a = vmlal_u32(a, vmovn_u64(k_), vshrn_n_u64(k_, 32));              \
        a = vaddq_u64(a, vextq_u64(d_, d_, 1));                            \
    } while (0)

CPF__HINLINE void cpf__hash_accum(uint64_t *acc, const unsigned char *in, const unsigned char *sec, size_t n)
{
    uint64x2_t a0 = vld1q_u64(acc), a1 = vld1q_u64(acc + 2), a2 = vld1q_u64(acc + 4), a3 = vld1q_u64(acc + 6);
    for (; n; n--, in += CPF__HASH_STRIPE, sec += 8) {
        CPF__HASH_PREFETCH(in + CPF__HASH_PREFETCH_DIST);
        CPF__NEON_LANE(a0, 0);
        CPF__NEON_LANE(a1, 1);
        CPF__NEON_LANE(a2, 2);
        CPF__NEON_LANE(a3, 3);
    }
    vst1q_u64(acc, a0);
    vst1q_u64(acc + 2, a1);
    vst1q_u64(acc + 4, a2);
    vst1q_u64(acc + 6, a3);
}

CPF__HINLINE void cpf__hash_scramble(uint64_t *acc, const unsigned char *sec)
{
    const uint32x2_t prime = vdup_n_u32(CPF__P32_1);
    int i;
    for (i = 0; i < 4; i++) {
        uint64x2_t a = vld1q_u64(acc + 2 * i);
        a = veorq_u64(a, vshrq_n_u64(a, 47));
        a = veorq_u64(a, vreinterpretq_u64_u8(vld1q_u8(sec + 16 * i)));
        /* a * P32_1 = lo32(a) * P + (hi32(a) * P << 32) */
        vst1q_u64(acc + 2 * i, vmlal_u32(vshlq_n_u64(vmull_u32(vshrn_n_u64(a, 32), prime), 32), vmovn_u64(a), prime));
    }
}

#else /* portable */
#define CPF__SCALAR_LANE(i, ai, aj)                                  \
    do {                                                            \
        uint64_t d_ = cpf__rd64(in + 8 * (i));                      \
        uint64_t k_ = d_ ^ cpf__rd64(sec + 8 * (i));                \
        aj += d_;                                                   \
        ai += CPF__MUL32(k_, k_ >> 32);                             \
    } while (0)

CPF__HINLINE void cpf__hash_accum(uint64_t *acc, const unsigned char *in, const unsigned char *sec, size_t n)
{
    uint64_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    uint64_t a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
    for (; n; n--, in += CPF__HASH_STRIPE, sec += 8) {
        CPF__HASH_PREFETCH(in + CPF__HASH_PREFETCH_DIST);
        CPF__SCALAR_LANE(0, a0, a1);
        CPF__SCALAR_LANE(1, a1, a0);
        CPF__SCALAR_LANE(2, a2, a3);
        CPF__SCALAR_LANE(3, a3, a2);
        CPF__SCALAR_LANE(4, a4, a5);
        CPF__SCALAR_LANE(5, a5, a4);
        CPF__SCALAR_LANE(6, a6, a7);
        CPF__SCALAR_LANE(7, a7, a6);
    }
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
    acc[4] = a4; acc[5] = a5; acc[6] = a6; acc[7] = a7;
}

CPF__HINLINE void cpf__hash_scramble(uint64_t *acc, const unsigned char *sec)
{
    int i;
    for (i = 0; i < 8; i++) {
        uint64_t a = acc[i];
        a ^= a >> 47;
        a ^= cpf__rd64(sec + 8 * i);
        acc[i] = a * CPF__P32_1;
    }
}
#endif

CPF__HINLINE void cpf__hash_acc_init(uint64_t *acc)
{
    acc[0] = CPF__P32_3;
    acc[1] = CPF__P64_1;
    acc[2] = CPF__P64_2;
    acc[3] = CPF__P64_3;
    acc[4] = CPF__P64_4;
    acc[5] = CPF__P32_2;
    acc[6] = CPF__P64_5;
    acc[7] = CPF__P32_1;
}

/* All of a long input (len > 240 >= 64): full blocks, the stripes of the
   last block but its last, then the input's last 64 bytes. */
CPF__HINLINE void cpf__hash_long_acc(uint64_t *acc, const unsigned char *p, size_t len, const unsigned char *sec)
{
    size_t nblocks = (len - 1) / CPF__HASH_BLOCK, b;
    for (b = 0; b < nblocks; b++, p += CPF__HASH_BLOCK) {
        cpf__hash_accum(acc, p, sec, CPF__HASH_STRIPES_PER_BLOCK);
        cpf__hash_scramble(acc, sec + CPF__HASH_SECRET_LEN - CPF__HASH_STRIPE);
    }
    len -= nblocks * CPF__HASH_BLOCK; /* 1..1024 */
    cpf__hash_accum(acc, p, sec, (len - 1) / CPF__HASH_STRIPE);
    cpf__hash_accum(acc, p + len - CPF__HASH_STRIPE, sec + CPF__HASH_SECRET_LEN - CPF__HASH_STRIPE - 7, 1);
}

CPF__HINLINE uint64_t cpf__hash_merge(const uint64_t *acc, const unsigned char *sec, uint64_t start)
{
    uint64_t r = start;
    r += cpf__mulfold(acc[0] ^ cpf__rd64(sec), acc[1] ^ cpf__rd64(sec + 8));
    r += cpf__mulfold(acc[2] ^ cpf__rd64(sec + 16), acc[3] ^ cpf__rd64(sec + 24));
    r += cpf__mulfold(acc[4] ^ cpf__rd64(sec + 32), acc[5] ^ cpf__rd64(sec + 40));
    r += cpf__mulfold(acc[6] ^ cpf__rd64(sec + 48), acc[7] ^ cpf__rd64(sec + 56));
    return cpf__avalanche(r);
}

CPF__HINLINE uint64_t cpf__hash_end64(const uint64_t *acc, const unsigned char *sec, uint64_t len)
{
    return cpf__hash_merge(acc, sec + 11, len * CPF__P64_1);
}

CPF__HINLINE cpf_u128 cpf__hash_end128(const uint64_t *acc, const unsigned char *sec, uint64_t len)
{
    cpf_u128 r;
    r.lo = cpf__hash_merge(acc, sec + 11, len * CPF__P64_1);
    r.hi = cpf__hash_merge(acc, sec + CPF__HASH_SECRET_LEN - CPF__HASH_STRIPE - 11, ~(len * CPF__P64_2));
    return r;
}

/* deriveSecret: 64-bit words alternately plus and minus the seed */
static void cpf__hash_derive(unsigned char *out, uint64_t seed)
{
    int i;
    for (i = 0; i < CPF__HASH_SECRET_LEN; i += 16) {
        cpf__wr64(out + i, cpf__rd64(cpf__hash_secret + i) + seed);
        cpf__wr64(out + i + 8, cpf__rd64(cpf__hash_secret + i + 8) - seed);
    }
}

/* The long-input loop shared by both widths; returns the secret (the
   default one, or derived from the seed into `derived`) the finish uses. */
CPF__HINLINE const unsigned char *cpf__hash_long(uint64_t acc[8], unsigned char *derived,
                                                 const unsigned char *p, size_t len, uint64_t seed)
{
    const unsigned char *sec = cpf__hash_secret;
    if (seed) {
        cpf__hash_derive(derived, seed);
        sec = derived;
    }
    cpf__hash_acc_init(acc);
    cpf__hash_long_acc(acc, p, len, sec);
    return sec;
}

CPF__HNOINLINE uint64_t cpf__h64_long(const unsigned char *p, size_t len, uint64_t seed)
{
    unsigned char derived[CPF__HASH_SECRET_LEN];
    uint64_t acc[8];
    const unsigned char *sec = cpf__hash_long(acc, derived, p, len, seed);
    return cpf__hash_end64(acc, sec, (uint64_t)len);
}

CPF__HNOINLINE cpf_u128 cpf__h128_long(const unsigned char *p, size_t len, uint64_t seed)
{
    unsigned char derived[CPF__HASH_SECRET_LEN];
    uint64_t acc[8];
    const unsigned char *sec = cpf__hash_long(acc, derived, p, len, seed);
    return cpf__hash_end128(acc, sec, (uint64_t)len);
}

/* --- hash: one-shot API ------------------------------------------------------ */
CPF__HINLINE uint64_t cpf__h64_any(const unsigned char *p, size_t len, uint64_t seed)
{
    if (len <= 16) return cpf__h64_0to16(p, len, cpf__hash_secret, seed);
    if (len <= 128) return cpf__h64_17to128(p, len, cpf__hash_secret, seed);
    if (len <= 240) return cpf__h64_129to240(p, len, cpf__hash_secret, seed);
    return cpf__h64_long(p, len, seed);
}

CPF__HINLINE cpf_u128 cpf__h128_any(const unsigned char *p, size_t len, uint64_t seed)
{
    if (len <= 16) return cpf__h128_0to16(p, len, cpf__hash_secret, seed);
    if (len <= 128) return cpf__h128_17to128(p, len, cpf__hash_secret, seed);
    if (len <= 240) return cpf__h128_129to240(p, len, cpf__hash_secret, seed);
    return cpf__h128_long(p, len, seed);
}

CPF_DEF uint64_t cpf_hash64(const void *data, size_t len, uint64_t seed)
{
    return cpf__h64_any((const unsigned char *)data, len, seed);
}

CPF_DEF cpf_u128 cpf_hash128(const void *data, size_t len, uint64_t seed)
{
    return cpf__h128_any((const unsigned char *)data, len, seed);
}

CPF_DEF const char *cpf_hash_backend(void)
{
#if CPF__HASH_SIMD == 2
    return "avx2";
#elif CPF__HASH_SIMD == 1
    return "sse2";
#elif CPF__HASH_SIMD == 3
    return "neon";
#else
    return "scalar";
#endif
}

/* --- hash: streaming ----------------------------------------------------------
   A stripe is consumed only once input beyond it has arrived, so the last
   1..64 bytes are always still pending and a finished block can be scrambled
   at once - exactly the one-shot order. buf[192..256) keeps the last consumed
   stripe so that a digest can rebuild the final 64 bytes when fewer than 64
   are pending. */
#define CPF__HASHER_BUF 256

/* n stripes at p into acc, with the position in the block in *stripes */
static void cpf__hasher_consume(uint64_t *acc, uint32_t *stripes, const unsigned char *p, size_t n,
                                const unsigned char *sec)
{
    while (n) {
        size_t room = (size_t)(CPF__HASH_STRIPES_PER_BLOCK - *stripes);
        size_t take = n < room ? n : room;
        cpf__hash_accum(acc, p, sec + 8 * (size_t)*stripes, take);
        p += take * CPF__HASH_STRIPE;
        n -= take;
        *stripes += (uint32_t)take;
        if (*stripes == CPF__HASH_STRIPES_PER_BLOCK) {
            cpf__hash_scramble(acc, sec + CPF__HASH_SECRET_LEN - CPF__HASH_STRIPE);
            *stripes = 0;
        }
    }
}

CPF_DEF void cpf_hasher_init(cpf_hasher *h, uint64_t seed)
{
    cpf__hash_acc_init(h->acc);
    cpf__hash_derive(h->secret, seed);
    h->seed = seed;
    h->total_len = 0;
    h->buf_len = 0;
    h->stripes = 0;
}

CPF_DEF void cpf_hasher_update(cpf_hasher *h, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t n;
    if (len == 0) return;
    h->total_len += (uint64_t)len;
    if (len <= (size_t)(CPF__HASHER_BUF - h->buf_len)) { /* nothing can be consumed yet */
        memcpy(h->buf + h->buf_len, p, len);
        h->buf_len += (uint32_t)len;
        return;
    }
    if (h->buf_len) { /* complete the buffer; more input follows it */
        size_t fill = (size_t)(CPF__HASHER_BUF - h->buf_len);
        memcpy(h->buf + h->buf_len, p, fill);
        p += fill;
        len -= fill;
        cpf__hasher_consume(h->acc, &h->stripes, h->buf, CPF__HASHER_BUF / CPF__HASH_STRIPE, h->secret);
        h->buf_len = 0;
    }
    if (len > CPF__HASHER_BUF) { /* straight from the input, keeping 1..64 bytes */
        n = (len - 1) / CPF__HASH_STRIPE;
        cpf__hasher_consume(h->acc, &h->stripes, p, n, h->secret);
        p += n * CPF__HASH_STRIPE;
        len -= n * CPF__HASH_STRIPE;
        memcpy(h->buf + CPF__HASHER_BUF - CPF__HASH_STRIPE, p - CPF__HASH_STRIPE, CPF__HASH_STRIPE);
    }
    memcpy(h->buf, p, len);
    h->buf_len = (uint32_t)len;
}

/* accumulators after the pending bytes and the final stripe (total > 240) */
static void cpf__hasher_final_acc(const cpf_hasher *h, uint64_t *acc)
{
    unsigned char last[CPF__HASH_STRIPE];
    const unsigned char *lp;
    uint32_t stripes = h->stripes;
    size_t bl = h->buf_len;
    memcpy(acc, h->acc, sizeof h->acc);
    if (bl >= CPF__HASH_STRIPE) {
        cpf__hasher_consume(acc, &stripes, h->buf, (bl - 1) / CPF__HASH_STRIPE, h->secret);
        lp = h->buf + bl - CPF__HASH_STRIPE;
    } else {
        size_t old = CPF__HASH_STRIPE - bl;
        memcpy(last, h->buf + CPF__HASHER_BUF - old, old);
        memcpy(last + old, h->buf, bl);
        lp = last;
    }
    cpf__hash_accum(acc, lp, h->secret + CPF__HASH_SECRET_LEN - CPF__HASH_STRIPE - 7, 1);
}

CPF_DEF uint64_t cpf_hasher_digest64(const cpf_hasher *h)
{
    uint64_t acc[8];
    if (h->total_len <= 240) return cpf__h64_any(h->buf, (size_t)h->total_len, h->seed);
    cpf__hasher_final_acc(h, acc);
    return cpf__hash_end64(acc, h->secret, h->total_len);
}

CPF_DEF cpf_u128 cpf_hasher_digest128(const cpf_hasher *h)
{
    uint64_t acc[8];
    if (h->total_len <= 240) return cpf__h128_any(h->buf, (size_t)h->total_len, h->seed);
    cpf__hasher_final_acc(h, acc);
    return cpf__hash_end128(acc, h->secret, h->total_len);
}

#undef CPF__SSE_LANE
#undef CPF__NEON_LANE
#undef CPF__SCALAR_LANE

/* ======================================================================== */
/* ==== module: dedup ===================================================== */

struct cpf__dedup_entry {
    uint64_t len, first;         /* blob length, add number */
    const void *data;            /* verify_bytes only */
    ptrdiff_t next;              /* next entry with the same ID (other length or bytes), or -1 */
};
/* The key is the 128-bit ID as 32 hex digits in a stb_ds *string* map:
   stb_ds's byte-key hashes (its 8-byte path and SipHash) shift bytes >= 0x80
   into the sign bit of an int, undefined behaviour that UBSan reports in
   any program using them; its string hash is clean. */
struct cpf__dedup_slot { char *key; ptrdiff_t value; };
static void cpf__id_hex(cpf_u128 id, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    int i;
    for (i = 0; i < 16; i++) {
        out[i] = hex[(id.hi >> (60 - 4 * i)) & 15u];
        out[16 + i] = hex[(id.lo >> (60 - 4 * i)) & 15u];
    }
    out[32] = 0;
}

CPF_DEF cpf_status cpf_dedup_init(cpf_dedup *d, const cpf_dedup_opts *opts)
{
    if (!d) return CPF_ERR_ARG;
    memset(d, 0, sizeof *d);
    if (opts) d->opts = *opts;
    stbds_sh_new_strdup(d->map); /* not the arena: its char[8] struct hack trips UBSan */
    stbds_shdefault(d->map, -1);
    return cpf_mutex_init(&d->mu);
}

static void cpf__dedup_ratios(cpf_dedup_stats *s)
{
    s->duplicate_bytes = s->total_bytes - s->unique_bytes;
    s->byte_ratio = s->unique_bytes ? (double)s->total_bytes / (double)s->unique_bytes : 1.0;
    s->savings_pct = s->total_bytes ? 100.0 * (double)s->duplicate_bytes / (double)s->total_bytes : 0.0;
    s->count_ratio = s->unique_blobs ? (double)s->blobs / (double)s->unique_blobs : 1.0;
}

CPF_DEF cpf_status cpf_dedup_add_id(cpf_dedup *d, cpf_u128 id, const void *data, size_t len, cpf_dedup_result *out)
{
    ptrdiff_t i, head;
    char key[33];
    uint64_t number;
    int dup = 0;
    if (!d || (!data && len)) return CPF_ERR_ARG;
    if (d->opts.locked) cpf_mutex_lock(&d->mu);
    number = d->st.blobs++;
    d->st.total_bytes += len;
    cpf__id_hex(id, key);
    head = stbds_shget(d->map, key);
    for (i = head; i >= 0; i = d->entries[i].next) {
        struct cpf__dedup_entry *e = &d->entries[i];
        if (e->len != len) continue;
        if (d->opts.verify_bytes && e->data && len && memcmp(e->data, data, len) != 0) {
            d->st.collisions++;  /* same 128-bit ID, different bytes */
            continue;
        }
        dup = 1;
        if (out) { out->id = id; out->duplicate = 1; out->first = e->first; }
        break;
    }
    if (!dup) {
        struct cpf__dedup_entry e;
        e.len = len;
        e.first = number;
        e.data = d->opts.verify_bytes ? data : NULL;
        e.next = head;
        stbds_arrput(d->entries, e);
        i = stbds_arrlen(d->entries) - 1;
        stbds_shput(d->map, key, i);
        d->st.unique_blobs++;
        d->st.unique_bytes += len;
        if (out) { out->id = id; out->duplicate = 0; out->first = number; }
    }
    if (d->opts.locked) cpf_mutex_unlock(&d->mu);
    return CPF_OK;
}

CPF_DEF cpf_status cpf_dedup_add(cpf_dedup *d, const void *data, size_t len, cpf_dedup_result *out)
{
    if (!d || (!data && len)) return CPF_ERR_ARG;
    return cpf_dedup_add_id(d, cpf_hash128(data, len, d->opts.seed), data, len, out);
}

CPF_DEF void cpf_dedup_stats_get(cpf_dedup *d, cpf_dedup_stats *out)
{
    if (!d || !out) return;
    if (d->opts.locked) cpf_mutex_lock(&d->mu);
    *out = d->st;
    /* the map's slots and hash table plus the entry array, by capacity */
    /* entries, map slots (x2 for the hash table) and the strdup'd 33-byte keys */
    out->index_bytes = sizeof *d + (size_t)stbds_arrcap(d->entries) * sizeof(struct cpf__dedup_entry) +
                       (d->map ? (size_t)stbds_arrcap(d->map) * sizeof(struct cpf__dedup_slot) * 2 : 0) +
                       (size_t)out->unique_blobs * 33u;
    if (d->opts.locked) cpf_mutex_unlock(&d->mu);
    cpf__dedup_ratios(out);
}

CPF_DEF void cpf_dedup_free(cpf_dedup *d)
{
    if (!d) return;
    stbds_shfree(d->map);
    stbds_arrfree(d->entries);
    cpf_mutex_destroy(&d->mu);
    memset(d, 0, sizeof *d);
}

static void cpf__le32(unsigned char *p, uint32_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24); }

CPF_DEF cpf_u128 cpf_tensor_id(uint32_t dtype_code, const int64_t *dims, int rank, const void *data, size_t nbytes)
{
    cpf_hasher h;
    unsigned char hdr[12];
    int i;
    memcpy(hdr, "cpfT", 4);
    cpf__le32(hdr + 4, dtype_code);
    cpf__le32(hdr + 8, (uint32_t)(rank < 0 ? 0 : rank));
    cpf_hasher_init(&h, 0);
    cpf_hasher_update(&h, hdr, sizeof hdr);
    for (i = 0; i < rank && dims; i++) {
        unsigned char d8[8];
        cpf__le32(d8, (uint32_t)((uint64_t)dims[i] & 0xFFFFFFFFu));
        cpf__le32(d8 + 4, (uint32_t)((uint64_t)dims[i] >> 32));
        cpf_hasher_update(&h, d8, 8);
    }
    cpf_hasher_update(&h, data, data ? nbytes : 0);
    return cpf_hasher_digest128(&h);
}

CPF_DEF uint64_t cpf_tensor_id_python(const int64_t *dims, int rank, const char *dtype_name, const void *data, size_t nbytes)
{
    cpf_hasher h;
    char text[512];
    size_t len = 0;
    int i;
    /* Python's repr of a tuple of ints: "()", "(7,)", "(200, 200)" */
    text[len++] = '(';
    for (i = 0; i < rank && dims && len < sizeof text - 32; i++) {
        len += (size_t)snprintf(text + len, sizeof text - len, i ? ", %lld" : "%lld", (long long)dims[i]);
    }
    if (rank == 1) text[len++] = ',';
    text[len++] = ')';
    cpf_hasher_init(&h, 0);
    cpf_hasher_update(&h, text, len);
    if (dtype_name) cpf_hasher_update(&h, dtype_name, strlen(dtype_name));
    cpf_hasher_update(&h, data, data ? nbytes : 0);
    return cpf_hasher_digest64(&h);
}


#undef CPF__ALLOC
#undef CPF__FREE

#endif /* POSIX declarations visible */
#endif /* CORALPERF_IMPLEMENTATION_DONE */
#endif /* CORALPERF_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the coralperf.h authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication in the overt act of relinquishing all present
and future charges or claims of copyright interest in the software under
copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
