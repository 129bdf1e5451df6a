/* bench/baseline.c - baseline sizes and load+diff time (make bench).
   Side by side in one run, for the same synthetic results (realistic names,
   samples with ~2% spread):
     - the .cpb text, our .cpb.gz (cpf_gzip level 9), and Google-Benchmark-
       style JSON (the kit's own --json report, one repetition per sample)
       raw and compressed by the gzip program at -9 (zlib level 9 with gzip
       framing where the program is missing; the label says which);
     - loading a 1,000-benchmark baseline from memory and diffing it against
       1,000 results: median of 9 runs (goal: under 50 ms).
   Numbers are printed, never asserted. */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"
#include <zlib.h>

static void samples_around(double *x, size_t n, double med, double spread, unsigned *seed)
{
    size_t i;
    for (i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        x[i] = med * (1.0 + spread * (((double)((*seed >> 8) & 0xFFFF) / 65535.0) - 0.5));
    }
}

static void make_results(cpf_result **out, int count, int nsamples)
{
    static const char *groups[] = { "parse", "hash", "copy", "sort", "encode", "decode" };
    static const char *kinds[] = { "json", "csv", "utf8", "ints", "floats" };
    unsigned seed = 42;
    int i;
    for (i = 0; i < count; i++) {
        cpf_result r;
        char name[96];
        memset(&r, 0, sizeof r);
        snprintf(name, sizeof name, "%s/%s_%d/%d", groups[i % 6], kinds[(i / 6) % 5], i, 16 << (i % 10));
        r.name = (char *)malloc(strlen(name) + 1);
        strcpy(r.name, name);
        r.samples_ns = (double *)malloc((size_t)nsamples * sizeof(double));
        r.cpu_samples_ns = (double *)malloc((size_t)nsamples * sizeof(double));
        samples_around(r.samples_ns, (size_t)nsamples, 20.0 * (1 + i % 13) * (double)(1 << (i % 14)), 0.04, &seed);
        memcpy(r.cpu_samples_ns, r.samples_ns, (size_t)nsamples * sizeof(double));
        cpf_stats_compute(r.samples_ns, (size_t)nsamples, &r.stats);
        r.iterations = 1000;
        r.total_iterations = 1000 * (uint64_t)nsamples;
        r.cpu_ns_per_op = r.stats.median;
        r.machine_ns = 56000.0 + i % 50; /* a full run writes the machine probe (mq=) on every line */
        stbds_arrput(*out, r);
    }
}

static size_t zlib9(const char *s, size_t n)
{
    uLongf cap = compressBound((uLong)n);
    Bytef *buf = (Bytef *)malloc(cap);
    size_t out = 0;
    if (buf && compress2(buf, &cap, (const Bytef *)s, (uLong)n, 9) == Z_OK) out = (size_t)cap + 18 - 6; /* gzip framing instead of zlib's */
    free(buf);
    return out;
}

/* Size of gzip -9 -n of the text, by the gzip program; 0 when it cannot run. */
static size_t gzip9_program(const char *s, size_t n)
{
    const char *path = "build/bench/baseline_json.tmp";
    FILE *f = fopen(path, "wb"), *p;
    unsigned long out = 0;
    if (!f) return 0;
    if (fwrite(s, 1, n, f) != n) { fclose(f); remove(path); return 0; }
    fclose(f);
    p = popen("gzip -9 -n -c build/bench/baseline_json.tmp 2>/dev/null | wc -c", "r");
    if (p) {
        if (fscanf(p, "%lu", &out) != 1) out = 0;
        if (pclose(p) != 0) out = 0;
    }
    remove(path);
    return (size_t)out;
}

static int sb_write(void *user, const char *s, size_t n) { cpf__sb_putn((cpf__sb *)user, s, n); return 0; }

static void sizes(int count, int nsamples)
{
    cpf_suite s;
    cpf_baseline b;
    cpf_bytes text, gz;
    cpf__sb json = { NULL };
    size_t i;
    cpf_suite_init(&s, "sizes");
    make_results(&s.results, count, nsamples);
    s.ran = 1;
    memset(&b, 0, sizeof b);
    for (i = 0; i < (size_t)stbds_arrlen(s.results); i++) cpf_baseline_set(&b, &s.results[i], NULL, NULL);
    cpf_baseline_save_mem(&b, 0, &text, NULL, 0);
    cpf_baseline_save_mem(&b, 1, &gz, NULL, 0);
    cpf_report_write(&s, CPF_REPORT_JSON, sb_write, &json);
    {
        size_t g = gzip9_program(cpf__sb_str(&json), cpf__sb_len(&json));
        printf("  %4d benchmarks x %2d samples: .cpb %7.1f KiB   .cpb.gz %6.1f KiB   GB-style JSON %7.1f KiB, %s %6.1f KiB\n",
               count, nsamples, text.len / 1024.0, gz.len / 1024.0, cpf__sb_len(&json) / 1024.0, g ? "gzip -9" : "zlib 9",
               (g ? g : zlib9(cpf__sb_str(&json), cpf__sb_len(&json))) / 1024.0);
    }
    if (count == 100 && nsamples == 30)
        printf("        goal: 100 x 30 in at most 12 KiB of text: %s\n", text.len <= 12 * 1024 ? "PASS" : "MISS");
    cpf__sb_free(&json);
    cpf_bytes_free(&text);
    cpf_bytes_free(&gz);
    cpf_baseline_free(&b);
    cpf_suite_finish(&s); /* frees the results */
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void load_and_diff(void)
{
    cpf_result *res = NULL;
    cpf_baseline b;
    cpf_bytes text;
    double ms[9], ms_load[9];
    size_t i;
    int k;
    make_results(&res, 1000, 30);
    memset(&b, 0, sizeof b);
    for (i = 0; i < 1000; i++) cpf_baseline_set(&b, &res[i], NULL, NULL);
    cpf_baseline_save_mem(&b, 0, &text, NULL, 0);
    cpf_baseline_free(&b);
    for (k = 0; k < 9; k++) {
        cpf_baseline l;
        cpf_diff d;
        uint64_t t0 = cpf_now_ns(), t1;
        cpf_baseline_load_mem(&l, text.data, text.len, NULL, 0);
        t1 = cpf_now_ns();
        cpf_baseline_diff(&l, res, 1000, NULL, &d);
        ms[k] = (double)(cpf_now_ns() - t0) / 1e6;
        ms_load[k] = (double)(t1 - t0) / 1e6;
        if (k == 0 && (l.count != 1000 || d.count != 1000)) printf("  (unexpected: %u entries, %u rows)\n", (unsigned)l.count, (unsigned)d.count);
        cpf_diff_free(&d);
        cpf_baseline_free(&l);
    }
    qsort(ms, 9, sizeof ms[0], cmp_d);
    qsort(ms_load, 9, sizeof ms_load[0], cmp_d);
    printf("  load + diff of a 1,000-benchmark baseline (%.0f KiB): %.2f ms (load %.2f ms), median of 9; goal < 50 ms: %s\n",
           text.len / 1024.0, ms[4], ms_load[4], ms[4] < 50 ? "PASS" : "MISS");
    cpf_bytes_free(&text);
    for (i = 0; i < 1000; i++) cpf_result_free(&res[i]);
    stbds_arrfree(res);
}

int main(void)
{
    printf("  sizes of the same results (the issue measured 60 x 31: 519 KiB JSON, 48 KiB gzipped JSON, ~6 KiB text):\n");
    sizes(60, 31);
    sizes(100, 30);
    sizes(1000, 30);
    load_and_diff();
    return 0;
}
