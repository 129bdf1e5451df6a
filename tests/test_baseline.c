/* Baselines: the text format round-trips every field and any name, a
   re-recording changes one line, unknown fields and directives survive,
   broken files give errors (never a crash), the diff classifies changes and
   the suite records and compares. File tests write under build/test/. */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* setenv */
#endif
#include "coralperf.h"
#include "tinytest.h"
#include "gzip_bomb.h"
#include <stdlib.h>
#if defined(__has_include) && !defined(_MSC_VER)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define BL_ON_VALGRIND() (RUNNING_ON_VALGRIND)
#endif
#endif
#ifndef BL_ON_VALGRIND
#define BL_ON_VALGRIND() 0
#endif
#if !defined(_WIN32)
#include <sys/stat.h>
#endif

/* A result with the given samples, as the runner would produce it. */
static void fake_result(cpf_result *r, const char *name, const double *x, size_t n)
{
    memset(r, 0, sizeof *r);
    r->name = (char *)malloc(strlen(name) + 1);
    strcpy(r->name, name);
    r->samples_ns = (double *)malloc(n * sizeof(double));
    memcpy(r->samples_ns, x, n * sizeof(double));
    cpf_stats_compute(x, n, &r->stats);
}

static void free_result(cpf_result *r)
{
    free(r->name);
    free(r->samples_ns);
}

/* n samples around med with a deterministic relative spread. */
static void samples_around(double *x, size_t n, double med, double spread, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = med * (1.0 + spread * (((double)((seed >> 8) & 0xFFFF) / 65535.0) - 0.5));
    }
}

static void test_fps(cpf_fingerprint *b, cpf_fingerprint *h, const char *cpu)
{
    memset(b, 0, sizeof *b);
    memset(h, 0, sizeof *h);
    h->is_host = 1;
    cpf_fingerprint_set(b, "compiler", "gcc 12.2.0");
    cpf_fingerprint_set(b, "opt", "yes");
    cpf_fingerprint_set(h, "cpu", cpu);
    cpf_fingerprint_set(h, "cores", "2");
}

/* Saves b as text and loads it back into out; returns the text (free it). */
static char *round_trip(const cpf_baseline *b, cpf_baseline *out)
{
    cpf_bytes t;
    char msg[300];
    char *text;
    cpf_status st = cpf_baseline_save_mem(b, 0, &t, msg, sizeof msg);
    CHECK_MSG(st == CPF_OK, "save: %s", msg);
    if (st != CPF_OK) { memset(out, 0, sizeof *out); return NULL; }
    st = cpf_baseline_load_mem(out, t.data, t.len, msg, sizeof msg);
    CHECK_MSG(st == CPF_OK, "load: %s\n%s", msg, (const char *)t.data);
    text = (char *)malloc(t.len + 1);
    memcpy(text, t.data, t.len);
    text[t.len] = 0;
    cpf_bytes_free(&t);
    return text;
}

static void test_every_field_round_trips(void)
{
    double x[31];
    cpf_result r;
    cpf_baseline b, l;
    cpf_fingerprint fb, fh;
    const cpf_baseline_entry *e;
    size_t i;
    char *text;
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "Test CPU 3000");
    cpf_fingerprint_set(&fb, "flags", "-O2 -march=native x=y");
    samples_around(x, 31, 1234.5, 0.04, 7);
    fake_result(&r, "parse/json/4096", x, 31);
    r.has_memory = 1; r.alloc_bytes_per_op = 48.5; r.has_rss = 1; r.rss_growth_bytes = 1048576;
    r.machine_ns = 212345.6;
    CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_OK);
    text = round_trip(&b, &l);
    CHECK(strstr(text, " mq=212.35us ") != NULL);
    e = cpf_baseline_find(&l, "parse/json/4096");
    CHECK(e != NULL);
    if (e) {
        CHECK(e->n == 31);
        CHECK_NEAR(e->median_ns / r.stats.median, 1.0, 5e-5); /* 5 significant digits */
        CHECK_NEAR(e->mad_ns / r.stats.median, r.stats.mad / r.stats.median, 1e-4);
        CHECK_NEAR(e->p10_ns / r.stats.median, r.stats.p10 / r.stats.median, 1e-4);
        CHECK_NEAR(e->p90_ns / r.stats.median, r.stats.p90 / r.stats.median, 1e-4);
        CHECK_NEAR(e->ci, (r.stats.ci_hi - r.stats.ci_lo) / 2 / r.stats.median, 1e-4);
        CHECK_NEAR(e->alloc_bytes, 48.5, 1e-9);
        CHECK_NEAR(e->rss_growth_bytes, 1048576, 1e-9);
        CHECK_NEAR(e->machine_ns, 212350, 1e-6);
        CHECK(e->instructions < 0 && e->runs == 1 && e->noise == 0);
        cpf_sort_doubles(x, 31);
        for (i = 0; i < 31; i++) CHECK_NEAR(e->samples_ns[i] / x[i], 1.0, 0.0005 + 1e-9); /* 0.1% steps */
        CHECK(e->build >= 0 && e->host >= 0);
        CHECK_STR(cpf_fingerprint_get(&l.fps[e->build], "flags"), "-O2 -march=native x=y");
        CHECK_STR(cpf_fingerprint_get(&l.fps[e->host], "cpu"), "Test CPU 3000");
        CHECK(!l.fps[e->build].is_host && l.fps[e->host].is_host);
    }
    CHECK(l.version_major == 2);
    {   /* mach= (the chains alone, before 0.10.3) and mp= (three parts,
           0.10.3) load but compare with nothing: the entry has no probe */
        static const char *const olds[] = { " mach=212.35us ", " mp=212.35us " };
        const char *mq = strstr(text, " mq=212.35us ");
        size_t n = strlen(text), k;
        char *old = (char *)malloc(n + 8), msg[300];
        cpf_baseline ob;
        CHECK(mq && old);
        for (k = 0; k < 2 && mq && old; k++) {
            memcpy(old, text, (size_t)(mq - text));
            strcpy(old + (mq - text), olds[k]);
            strcat(old, mq + strlen(" mq=212.35us "));
            CHECK_MSG(cpf_baseline_load_mem(&ob, old, strlen(old), msg, sizeof msg) == CPF_OK, "%s", msg);
            e = cpf_baseline_find(&ob, "parse/json/4096");
            CHECK_MSG(e && e->machine_ns == 0 && e->n == 31, "%s", olds[k]);
            cpf_baseline_free(&ob);
        }
        free(old);
    }
    /* a second recording on the same host and build starts the noise history */
    x[15] *= 1.0; samples_around(x, 31, 1234.5 * 1.02, 0.04, 7);
    free_result(&r);
    fake_result(&r, "parse/json/4096", x, 31);
    CHECK(cpf_baseline_set(&l, &r, &fb, &fh) == CPF_OK);
    e = cpf_baseline_find(&l, "parse/json/4096");
    CHECK(e && e->runs == 2 && e->noise > 0.005 && e->noise < 0.03);
    free(text);
    free_result(&r);
    cpf_baseline_free(&b);
    cpf_baseline_free(&l);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}

static void test_instruction_counts_are_recorded_only_when_measured(void)
{
    double x[9];
    cpf_result r;
    cpf_baseline b, l;
    cpf_fingerprint fb, fh;
    const cpf_baseline_entry *e;
    char *text;
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "Test CPU 3000");
    samples_around(x, 9, 500.0, 0.02, 3);
    fake_result(&r, "counted", x, 9);
    r.has_instructions = 1; r.instructions_per_op = 1234.25;
    CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_OK);
    free_result(&r);
    fake_result(&r, "uncounted", x, 9);
    r.has_instructions = 0; r.instructions_per_op = 99.0; /* not valid: must not be stored */
    CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_OK);
    text = round_trip(&b, &l);
    CHECK(strstr(text, " ins=1234.25") != NULL);
    CHECK(strstr(text, "ins=99") == NULL);
    e = cpf_baseline_find(&l, "counted");
    CHECK(e && e->instructions == 1234.25);
    e = cpf_baseline_find(&l, "uncounted");
    CHECK(e && e->instructions < 0);
    free(text);
    free_result(&r);
    cpf_baseline_free(&b);
    cpf_baseline_free(&l);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}

/* RFC 3629 validity of a whole buffer. */
static int valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], k, len;
        if (c < 0x80) { i++; continue; }
        len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (!len || c > 0xF4 || i + len > n) return 0;
        for (k = 1; k < len; k++) if ((s[i + k] & 0xC0) != 0x80) return 0;
        i += len;
    }
    return 1;
}

static void test_hostile_names_round_trip_exactly_and_the_file_stays_utf8_text(void)
{
    static const char *names[] = {
        "with space", "tab\there", "new\nline", "cr\rreturn", "quote\"'`", "100%", "%41", "@build", "#not a comment",
        "=eq=", "na\xc3\xafve/\xe6\x97\xa5\xe6\x9c\xac", "bad\xff\xfe utf8", "overlong\xc0\xaf", "emoji\xf0\x9f\x98\x80",
        "s=fake n=3", "-", ("\x7f" "del"), "trailing ", ">>>>>>> not a marker"
    };
    size_t i, k, nn = sizeof names / sizeof names[0];
    double x[5] = { 10, 11, 12, 13, 14 };
    cpf_baseline b, l;
    cpf_fingerprint fb, fh;
    char *text;
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "cpu with spaces\tand % signs");
    for (i = 0; i < nn; i++) {
        cpf_result r;
        fake_result(&r, names[i], x, 5);
        CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_OK);
        free_result(&r);
    }
    text = round_trip(&b, &l);
    CHECK(l.count == nn);
    for (i = 0; i < nn; i++) CHECK_MSG(cpf_baseline_find(&l, names[i]) != NULL, "name %u lost", (unsigned)i);
    if (text) {
        size_t len = strlen(text);
        int ctl = 0;
        CHECK(valid_utf8((const unsigned char *)text, len));
        for (k = 0; k < len; k++) if ((unsigned char)text[k] < 0x20 && text[k] != '\n') ctl = 1;
        CHECK(!ctl);
    }
    CHECK(l.fp_count == 2);
    if (l.fp_count == 2) CHECK_STR(cpf_fingerprint_get(&l.fps[l.fps[0].is_host ? 0 : 1], "cpu"), "cpu with spaces\tand % signs");
    free(text);
    cpf_baseline_free(&b);
    cpf_baseline_free(&l);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* Number of lines that differ between two texts with the same line count. */
static int lines_differing(const char *a, const char *b)
{
    int n = 0;
    while (*a || *b) {
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
        if (la != lb || memcmp(a, b, la) != 0) n++;
        a += la + (ea ? 1 : 0);
        b += lb + (eb ? 1 : 0);
    }
    return n;
}

static void test_re_recording_one_benchmark_changes_exactly_one_line(void)
{
    cpf_baseline b, l;
    cpf_fingerprint fb, fh;
    cpf_result r;
    double x[30];
    char name[32], *t1, *t2;
    cpf_bytes out;
    int i;
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "cpu");
    for (i = 0; i < 20; i++) {
        snprintf(name, sizeof name, "bench_%02d/%d", i, 64 << (i % 5));
        samples_around(x, 30, 100.0 * (i + 1), 0.02, (unsigned)i);
        fake_result(&r, name, x, 30);
        cpf_baseline_set(&b, &r, &fb, &fh);
        free_result(&r);
    }
    t1 = round_trip(&b, &l);
    samples_around(x, 30, 777.0, 0.02, 99);
    fake_result(&r, "bench_07/256", x, 30);
    CHECK(cpf_baseline_set(&l, &r, &fb, &fh) == CPF_OK);
    free_result(&r);
    CHECK(cpf_baseline_save_mem(&l, 0, &out, NULL, 0) == CPF_OK);
    t2 = (char *)calloc(out.len + 1, 1);
    memcpy(t2, out.data, out.len);
    if (t1 && t2) {
        CHECK(count_lines(t1) == count_lines(t2));
        CHECK_MSG(lines_differing(t1, t2) == 1, "%d lines differ\n%s\n%s", lines_differing(t1, t2), t1, t2);
    }
    free(t1);
    free(t2);
    cpf_bytes_free(&out);
    cpf_baseline_free(&b);
    cpf_baseline_free(&l);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}

static const char *valid_text(void)
{
    return "coralperf-baseline 1.0\n"
           "# comment\n"
           "@build b1 compiler=gcc%2012 opt=yes\n"
           "@host h1 cpu=Test%20CPU cores=2\n"
           "alpha fp=b1.h1 n=3 med=1.506us mad=0.50% p10=-1.00% p90=+1.00% ci=0.70% s=gfE44\n"
           "beta fp=b1.h1 n=2 med=20ns ci=1.00% s=gx50\n"
           "@end\n";
}

/* The same benchmark by hand in format 2 (the one written) and format 1
   (read; its sample gaps were one varint each: "gfE" + "44" is gfE + t). */
static void hand_written_file(const char *version, const char *samples, int same_format)
{
    char text[600];
    cpf_baseline b;
    cpf_bytes out;
    char msg[300];
    const cpf_baseline_entry *e;
    snprintf(text, sizeof text,
             "coralperf-baseline %s\r\n"
             "@build b1 compiler=gcc%%2012 opt=yes future=1\n"
             "@host h1 cpu=Test%%20CPU\n"
             "@gpu g1 model=none\n"
             "alpha fp=b1.h1 n=3 med=1.506us mad=0.50%% p10=-1.00%% p90=+1.00%% ci=0.70%% zz=new-field s=%s\n"
             "@end\n"
             "anything after the end marker is ignored\n", version, samples);
    CHECK_MSG(cpf_baseline_load_mem(&b, text, strlen(text), msg, sizeof msg) == CPF_OK, "%s", msg);
    CHECK(b.version_minor == 3);
    e = cpf_baseline_find(&b, "alpha");
    CHECK(e && e->n == 3);
    if (e) {
        CHECK_NEAR(e->median_ns, 1506, 1e-9);
        CHECK_NEAR(e->mad_ns, 7.53, 1e-9);
        CHECK_NEAR(e->p10_ns, 1490.94, 1e-9);
        CHECK_NEAR(e->samples_ns[0] / e->samples_ns[2], 1.0 / pow(1.001, 8), 1e-9);
    }
    CHECK(cpf_baseline_save_mem(&b, 0, &out, msg, sizeof msg) == CPF_OK);
    if (out.data) {
        const char *t = (const char *)out.data;
        /* a line of this format is kept as it is; a format 1 line is written anew (its unknown fields go) */
        CHECK_MSG((strstr(t, "zz=new-field") != NULL) == same_format, "%s", t);
        CHECK(strstr(t, "@gpu g1 model=none\n") != NULL);
        CHECK(strstr(t, "future=1") != NULL);
        CHECK(strstr(t, "anything after") == NULL);
        CHECK_MSG(strncmp(t, same_format ? "coralperf-baseline 2.3\n" : "coralperf-baseline 2.0\n", 23) == 0, "%s", t);
        CHECK(same_format || strstr(t, "\nalpha n=3 med=1.506us ") != NULL);
    }
    cpf_bytes_free(&out);
    cpf_baseline_free(&b);
}

static void test_a_hand_written_file_loads_and_unknown_parts_survive_a_rewrite(void)
{
    hand_written_file("2.3", "gfEt", 1);
}

static void test_a_format_1_file_loads_and_is_rewritten_in_format_2(void)
{
    hand_written_file("1.3", "gfE44", 0);
}

static void test_a_newer_major_version_is_refused_with_a_clear_message(void)
{
    const char *text = "coralperf-baseline 3.0\n@end\n";
    cpf_baseline b;
    char msg[300];
    CHECK(cpf_baseline_load_mem(&b, text, strlen(text), msg, sizeof msg) == CPF_ERR_VERSION);
    CHECK(strstr(msg, "newer") != NULL && strstr(msg, "3.0") != NULL);
    CHECK(b.count == 0 && b.entries == NULL);
}

static void test_broken_files_give_errors_with_line_numbers(void)
{
    static const struct { const char *text, *want; } cases[] = {
        { "not a baseline\n@end\n", "not a coralperf baseline" },
        { "coralperf-baseline 1.0\nalpha fp=b1.h1 n=3 med=1.506us s=gfE44\n@end\n", "not defined" },
        { "coralperf-baseline 1.0\n@build b1 a=1\n@host h1 b=2\nalpha fp=b1.h1 n=4 med=1.506us s=gfE44\n@end\n", "end early" },
        { "coralperf-baseline 1.0\n@build b1 a=1\n@host h1 b=2\nalpha fp=b1.h1 n=2 med=1.506us s=gfE44\n@end\n", "more samples" },
        { "coralperf-baseline 1.0\n@build b1 a=1\n@host h1 b=2\nalpha fp=b1.h1 n=3 med=1.5xs s=gfE44\n@end\n", "line 4" },
        { "coralperf-baseline 1.0\n@build b1 a=1\n@host h1 b=2\nalpha fp=b1.h1 n=3 med=1.5us s=sM3!1\n@end\n", "character" },
        { "coralperf-baseline 1.0\n@build b1 a=1\n@host h1 b=2\nalpha fp=b1.h1 n=1 med=1ns s=0\nalpha fp=b1.h1 n=1 med=1ns s=0\n@end\n", "twice" },
        { "coralperf-baseline 1.0\n<<<<<<< HEAD\n@end\n", "conflict" },
        { "coralperf-baseline 1.0\n@build b1 a=1\n", "truncated" },
        { "coralperf-baseline 1.0\n@end", "truncated" },
        { "coralperf-baseline 1.0\na%zz fp=b1.h1 n=1 med=1us s=0\n@end\n", "hex" },
        { "coralperf-baseline 1.0\na%00 fp=b1.h1 n=1 med=1us s=0\n@end\n", "NUL" },
        { "coralperf-baseline 1.0\n@build b1 a=1\n@host h1 b=2\nalpha fp=b1.h1 n=99999999999 med=1us s=0\n@end\n", "sample count" },
        { "coralperf-baseline 1.0\n@build b1 a=1\n@host h1 b=2\nalpha fp=b1.h1 n=1 med=1us s=WWWWWWWWWWW0\n@end\n", "range" },
        { "coralperf-baseline 1.0\n@build b1 a=1\n@host h1 b=2\nalpha fp=b1.h1 n=3 med=1.2us s=gfE44\n@end\n", "not the median" },
        { "", "empty" },
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cpf_baseline b;
        char msg[300];
        cpf_status st = cpf_baseline_load_mem(&b, cases[i].text, strlen(cases[i].text), msg, sizeof msg);
        CHECK_MSG(st != CPF_OK && strstr(msg, cases[i].want) != NULL, "case %u: status %d, message '%s'", (unsigned)i, (int)st, msg);
        CHECK(b.count == 0);
    }
}

static void test_every_truncation_and_bit_flip_gives_an_error_or_a_valid_baseline(void)
{
    const char *text = valid_text();
    size_t n = strlen(text), i;
    int bit, errors = 0;
    char *buf = (char *)malloc(n);
    cpf_baseline b;
    char msg[300];
    CHECK(cpf_baseline_load_mem(&b, text, n, msg, sizeof msg) == CPF_OK);
    CHECK(b.count == 2);
    cpf_baseline_free(&b);
    for (i = 0; i < n; i++) { /* every proper prefix is an error: the @end line is missing or cut */
        memcpy(buf, text, i);
        CHECK_MSG(cpf_baseline_load_mem(&b, buf, i, msg, sizeof msg) != CPF_OK, "prefix of %u bytes loaded", (unsigned)i);
        cpf_baseline_free(&b);
    }
    for (i = 0; i < n; i++)
        for (bit = 0; bit < 8; bit++) {
            memcpy(buf, text, n);
            buf[i] = (char)(buf[i] ^ (1 << bit));
            if (cpf_baseline_load_mem(&b, buf, n, msg, sizeof msg) != CPF_OK) { errors++; CHECK(msg[0] != 0); }
            cpf_baseline_free(&b);
        }
    CHECK(errors > 0);
    free(buf);
}

static void test_diff_names_same_slower_faster_new_and_vanished(void)
{
    cpf_baseline b;
    cpf_fingerprint fb, fh, other;
    cpf_result r[4];
    double x[21];
    cpf_diff d;
    cpf_diff_opts o;
    size_t i;
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "cpu");
    samples_around(x, 21, 100, 0.01, 1); fake_result(&r[0], "same", x, 21); cpf_baseline_set(&b, &r[0], &fb, &fh);
    samples_around(x, 21, 200, 0.01, 2); fake_result(&r[1], "slower", x, 21); cpf_baseline_set(&b, &r[1], &fb, &fh);
    samples_around(x, 21, 300, 0.01, 3); fake_result(&r[2], "faster", x, 21); cpf_baseline_set(&b, &r[2], &fb, &fh);
    samples_around(x, 21, 50, 0.01, 4); fake_result(&r[3], "gone", x, 21); cpf_baseline_set(&b, &r[3], &fb, &fh);
    for (i = 0; i < 4; i++) free_result(&r[i]);
    samples_around(x, 21, 101, 0.01, 5); fake_result(&r[0], "same", x, 21);
    samples_around(x, 21, 260, 0.01, 6); fake_result(&r[1], "slower", x, 21);
    samples_around(x, 21, 150, 0.01, 7); fake_result(&r[2], "faster", x, 21);
    samples_around(x, 21, 10, 0.01, 8); fake_result(&r[3], "added", x, 21);
    memset(&o, 0, sizeof o);
    o.build = &fb;
    o.host = &fh;
    CHECK(cpf_baseline_diff(&b, r, 4, &o, &d) == CPF_OK);
    CHECK(d.count == 5 && d.same == 1 && d.slower == 1 && d.faster == 1 && d.added == 1 && d.vanished == 1);
    CHECK(d.rows[0].change == CPF_CHANGE_SAME && d.rows[0].level == CPF_PASS);
    /* +30%, every sample apart: beyond the 10% fail threshold and significant */
    CHECK(d.rows[1].change == CPF_CHANGE_SLOWER && d.rows[1].level == CPF_FAIL);
    CHECK_NEAR(d.rows[1].ratio, 1.3, 0.02);
    CHECK(d.rows[1].p_value < 1e-6 && d.rows[1].alpha == 0.002);
    CHECK(d.rows[1].change_lo > 0.25 && d.rows[1].change_lo < 0.3 && d.rows[1].change_hi > 0.3 && d.rows[1].change_hi < 0.35);
    /* +1%: significant (p tiny) but within the 5% tolerance: no alarm */
    CHECK(d.rows[0].p_value < 1e-3 && d.rows[0].change_lo > 0.0 && d.rows[0].change_hi < 0.02);
    CHECK(d.rows[2].change == CPF_CHANGE_FASTER && d.rows[2].level == CPF_PASS);
    CHECK(d.rows[3].change == CPF_CHANGE_NEW && d.rows[3].level == CPF_WARN);
    CHECK(d.rows[4].change == CPF_CHANGE_VANISHED && strcmp(d.rows[4].name, "gone") == 0);
    CHECK(d.level == CPF_FAIL && d.failed == 1 && d.warned == 1 && d.notes[0] == 0);
    cpf_diff_free(&d);
    /* another host: the same changes are report-only, and the note names the field */
    test_fps(&other, &other, "x"); /* other = host fields only (is_host set by the second call) */
    cpf_fingerprint_free(&other);
    memset(&other, 0, sizeof other);
    other.is_host = 1;
    cpf_fingerprint_set(&other, "cpu", "Other CPU");
    cpf_fingerprint_set(&other, "cores", "2");
    o.host = &other;
    CHECK(cpf_baseline_diff(&b, r, 4, &o, &d) == CPF_OK);
    CHECK(d.report_only == 3 && d.rows[1].level == CPF_PASS && !d.rows[1].host_match);
    CHECK(strstr(d.notes, "cpu: 'cpu' -> 'Other CPU'") != NULL);
    CHECK(d.level == CPF_WARN);
    cpf_diff_free(&d);
    for (i = 0; i < 4; i++) free_result(&r[i]);
    cpf_baseline_free(&b);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
    cpf_fingerprint_free(&other);
}

static void test_one_hundred_benchmarks_of_thirty_samples_fit_in_12_kib(void)
{
    cpf_baseline b;
    cpf_fingerprint fb, fh;
    cpf_bytes out;
    double x[30];
    int i;
    memset(&b, 0, sizeof b);
    CHECK(cpf_fingerprint_build(&fb) == CPF_OK);
    CHECK(cpf_fingerprint_host(&fh) == CPF_OK);
    for (i = 0; i < 100; i++) {
        cpf_result r;
        char name[64];
        snprintf(name, sizeof name, "%s/%s_%d/%d", i % 3 ? "parse" : "hash", i % 2 ? "json" : "csv", i, 16 << (i % 9));
        samples_around(x, 30, 50.0 * (1 + i % 17) * (1 << (i % 12)), 0.03, (unsigned)i * 7u + 1u);
        fake_result(&r, name, x, 30);
        r.machine_ns = 56347.0 + i; /* a full run writes mq= on every line */
        cpf_baseline_set(&b, &r, &fb, &fh);
        free_result(&r);
    }
    CHECK(cpf_baseline_save_mem(&b, 0, &out, NULL, 0) == CPF_OK);
    printf("    100 benchmarks x 30 samples: %lu bytes of text as recorded", (unsigned long)out.len);
    CHECK_MSG(out.len <= 12 * 1024, "%lu bytes", (unsigned long)out.len);
    cpf_bytes_free(&out);
    /* after `--update-baseline=noise` runs every line also has noise= and runs= */
    for (i = 0; i < (int)b.count; i++) {
        b.entries[i].noise = 0.0032 * (1 + i % 7);
        b.entries[i].runs = 5;
    }
    CHECK(cpf_baseline_save_mem(&b, 0, &out, NULL, 0) == CPF_OK);
    printf(", %lu with learned noise\n", (unsigned long)out.len);
    CHECK_MSG(out.len <= 12 * 1024, "%lu bytes", (unsigned long)out.len);
    cpf_bytes_free(&out);
    cpf_baseline_free(&b);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}

/* Sample coding: any gaps (runs of equal values, gaps of 1..5, large
   jumps, both signs of the first value) and any count decode to the same
   0.1% steps; a sample too many or too few is an error. */
static void test_samples_of_any_shape_round_trip_in_their_steps(void)
{
    static const double scale[] = { 1e-6, 1.0, 2.5e3, 7e9 };
    unsigned seed = 12345u;
    int n, rep;
    for (n = 1; n <= 40; n++) {
        for (rep = 0; rep < 8; rep++) {
            double x[40], q = 0;
            cpf_baseline b, l;
            cpf_result r;
            cpf_fingerprint fb, fh;
            char *text;
            int i;
            const cpf_baseline_entry *e;
            for (i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                /* rep 0: all equal; 1: gaps 0..2; 2: gaps 0..5; 3: gaps 6..31 (written after '~');
                   4+: mixed with jumps up to 500 steps */
                q += rep == 0 ? 0 : rep == 1 ? (seed >> 16) % 3 : rep == 2 ? (seed >> 16) % 6 : rep == 3 ? 6 + (seed >> 16) % 26
                   : ((seed >> 12) % 7 == 0 ? (double)((seed >> 16) % 500) : (double)((seed >> 16) % 4));
                x[i] = scale[rep % 4] * pow(1.001, q);
            }
            memset(&b, 0, sizeof b);
            test_fps(&fb, &fh, "cpu");
            fake_result(&r, "s", x, (size_t)n);
            CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_OK);
            text = round_trip(&b, &l);
            e = cpf_baseline_find(&l, "s");
            CHECK_MSG(e && e->n == (size_t)n, "n=%d rep=%d\n%s", n, rep, text ? text : "");
            if (rep == 3 && n > 2) CHECK_MSG(text && strstr(text, " s=~"), "%s", text ? text : "");
            if (rep == 2 && n > 2) CHECK_MSG(text && !strstr(text, " s=~"), "%s", text ? text : "");
            if (e && e->n == (size_t)n) {
                cpf_sort_doubles(x, (size_t)n);
                for (i = 0; i < n; i++) CHECK_NEAR(e->samples_ns[i] / x[i], 1.0, 0.0005 + 1e-9);
            }
            free(text);
            free_result(&r);
            cpf_baseline_free(&b);
            cpf_baseline_free(&l);
            cpf_fingerprint_free(&fb);
            cpf_fingerprint_free(&fh);
        }
    }
    {   /* "t" is two gaps (4, 4): with n=3 exact, n=2 one too many, n=4 one too few */
        const char *fmt = "coralperf-baseline 2.0\n@build b compiler=x\n@host h cpu=y\nz n=%d med=%s s=gfEt\n@end\n";
        char text[200], msg[300];
        cpf_baseline b;
        snprintf(text, sizeof text, fmt, 3, "1.506us");
        CHECK_MSG(cpf_baseline_load_mem(&b, text, strlen(text), msg, sizeof msg) == CPF_OK, "%s", msg);
        cpf_baseline_free(&b);
        snprintf(text, sizeof text, fmt, 2, "1.5045us");
        CHECK(cpf_baseline_load_mem(&b, text, strlen(text), msg, sizeof msg) == CPF_ERR_FORMAT && strstr(msg, "more samples than n"));
        snprintf(text, sizeof text, fmt, 4, "1.506us");
        CHECK(cpf_baseline_load_mem(&b, text, strlen(text), msg, sizeof msg) == CPF_ERR_FORMAT && strstr(msg, "fewer than n"));
    }
}

#if !defined(CORALPERF_NO_FILES)
static int write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

/* Two branches re-record neighbouring benchmarks: git merges the two
   files without a conflict and the result has both new recordings. */
static void test_two_branches_that_re_record_neighbours_merge_without_conflict(void)
{
    cpf_baseline b, l, m;
    cpf_fingerprint fb, fh;
    cpf_result r;
    cpf_bytes oa, ob;
    double x[30];
    char name[32], *t0;
    int i, rc;
    const cpf_baseline_entry *e;
    if (system("git --version >/dev/null 2>&1") != 0) { printf("    skipped: git is not installed\n"); return; }
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "cpu");
    for (i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "bench_%d", i);
        samples_around(x, 30, 100.0 * (i + 1), 0.02, (unsigned)i);
        fake_result(&r, name, x, 30);
        cpf_baseline_set(&b, &r, &fb, &fh);
        free_result(&r);
    }
    t0 = round_trip(&b, &l);
    /* branch a re-records bench_2, branch b its neighbour bench_3 */
    samples_around(x, 30, 555.0, 0.02, 77);
    fake_result(&r, "bench_2", x, 30);
    CHECK(cpf_baseline_set(&l, &r, &fb, &fh) == CPF_OK);
    free_result(&r);
    CHECK(cpf_baseline_save_mem(&l, 0, &oa, NULL, 0) == CPF_OK);
    cpf_baseline_free(&l);
    CHECK(cpf_baseline_load_mem(&l, t0, strlen(t0), NULL, 0) == CPF_OK);
    samples_around(x, 30, 999.0, 0.02, 78);
    fake_result(&r, "bench_3", x, 30);
    CHECK(cpf_baseline_set(&l, &r, &fb, &fh) == CPF_OK);
    free_result(&r);
    CHECK(cpf_baseline_save_mem(&l, 0, &ob, NULL, 0) == CPF_OK);
    CHECK(write_text_file("build/test/merge.base.cpb", t0) && oa.data && write_text_file("build/test/merge.a.cpb", (const char *)oa.data) &&
          ob.data && write_text_file("build/test/merge.b.cpb", (const char *)ob.data));
    rc = system("git merge-file build/test/merge.a.cpb build/test/merge.base.cpb build/test/merge.b.cpb");
    CHECK_MSG(rc == 0, "git merge-file found %d conflict(s)", rc);
    CHECK(cpf_baseline_load(&m, "build/test/merge.a.cpb", NULL, 0) == CPF_OK && m.count == 6);
    e = cpf_baseline_find(&m, "bench_2");
    CHECK(e && fabs(e->median_ns / 555.0 - 1) < 0.02);
    e = cpf_baseline_find(&m, "bench_3");
    CHECK(e && fabs(e->median_ns / 999.0 - 1) < 0.02);
    e = cpf_baseline_find(&m, "bench_4");
    CHECK(e && fabs(e->median_ns / 500.0 - 1) < 0.02);
    cpf_baseline_free(&m);
    cpf_bytes_free(&oa);
    cpf_bytes_free(&ob);
    free(t0);
    cpf_baseline_free(&b);
    cpf_baseline_free(&l);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}
#endif

static void test_gzip_baselines_load_from_memory_like_text(void)
{
    cpf_baseline b, l;
    cpf_fingerprint fb, fh;
    cpf_result r;
    cpf_bytes text, gz;
    double x[30];
    char msg[300];
    int i;
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "cpu");
    for (i = 0; i < 12; i++) {
        char name[32];
        snprintf(name, sizeof name, "gz/%d", i);
        samples_around(x, 30, 100.0 + i, 0.02, (unsigned)i);
        fake_result(&r, name, x, 30);
        cpf_baseline_set(&b, &r, &fb, &fh);
        free_result(&r);
    }
    CHECK(cpf_baseline_save_mem(&b, 0, &text, msg, sizeof msg) == CPF_OK);
    CHECK(cpf_baseline_save_mem(&b, 1, &gz, msg, sizeof msg) == CPF_OK);
    CHECK(cpf_is_gzip(gz.data, gz.len) && gz.len < text.len);
    CHECK_MSG(cpf_baseline_load_mem(&l, gz.data, gz.len, msg, sizeof msg) == CPF_OK, "%s", msg);
    CHECK(l.gzip == 1 && l.count == 12);
    cpf_baseline_free(&l);
    /* a damaged gzip baseline is an error, not a crash or a partial load */
    if (gz.len > 20) {
        gz.data[gz.len - 5] ^= 0x40; /* inside the CRC-32/ISIZE trailer */
        CHECK(cpf_baseline_load_mem(&l, gz.data, gz.len, msg, sizeof msg) == CPF_ERR_FORMAT);
        CHECK(strstr(msg, "gzip") != NULL);
        CHECK(cpf_baseline_load_mem(&l, gz.data, gz.len / 2, msg, sizeof msg) != CPF_OK);
    }
    /* a gzip member holding no text (found by fuzz_baseline): an error with a message */
    {
        cpf_bytes empty = { NULL, 0 };
        CHECK(cpf_gzip("", 0, 6, &empty, msg, sizeof msg) == CPF_OK && cpf_is_gzip(empty.data, empty.len));
        msg[0] = 0;
        CHECK(cpf_baseline_load_mem(&l, empty.data, empty.len, msg, sizeof msg) == CPF_ERR_FORMAT);
        CHECK_MSG(msg[0] != 0, "no message for an empty gzip baseline");
        CHECK(cpf_baseline_load_mem(&l, NULL, 0, msg, sizeof msg) == CPF_ERR_FORMAT && msg[0]);
        cpf_bytes_free(&empty);
    }
    cpf_bytes_free(&text);
    cpf_bytes_free(&gz);
    cpf_baseline_free(&b);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}

#if !defined(TEST_EMBEDDED)
/* 65 MiB of zeros from about 430 KB, from memory and from a file. */
static void gzip_bomb_at_the_default_limit(void)
{
    cpf_baseline b;
    unsigned char *bomb;
    size_t n = 0;
    char msg[400], want[200];
    bomb = gzip_bomb((CPF_INFLATE_LIMIT_DEFAULT + ((size_t)1 << 20)) / 258, &n);
    CHECK(bomb != NULL);
    if (!bomb) return;
    CHECK(n < 440000);
    snprintf(want, sizeof want, "gzip: inflated output exceeds the limit of %lu bytes", (unsigned long)CPF_INFLATE_LIMIT_DEFAULT);
    CHECK(cpf_baseline_load_mem(&b, bomb, n, msg, sizeof msg) == CPF_ERR_LIMIT);
    CHECK_MSG(strncmp(msg, want, strlen(want)) == 0, "%s", msg);
    CHECK(b.count == 0 && b.entries == NULL && b.fp_count == 0);
#if !defined(CORALPERF_NO_FILES)
    {
        const char *path = "build/test/bomb.cpb.gz";
        FILE *f = fopen(path, "wb");
        CHECK(f != NULL);
        if (f) {
            CHECK(fwrite(bomb, 1, n, f) == n);
            CHECK(fclose(f) == 0);
            CHECK(cpf_baseline_load(&b, path, msg, sizeof msg) == CPF_ERR_LIMIT);
            CHECK_MSG(strncmp(msg, path, strlen(path)) == 0 && strstr(msg, want) != NULL, "%s", msg);
            CHECK(b.count == 0 && b.entries == NULL);
            remove(path);
        }
    }
#endif
    free(bomb);
}
#endif

/* A .cpb.gz that inflates past the limit (64 MiB unless CORALPERF_INFLATE_LIMIT
   says otherwise; the API takes no limit) stops there with CPF_ERR_LIMIT and a
   message, from memory and from a file; tests/baseline_bomb.c (make test)
   counts the bytes allocated on the way, under a 1 MiB and the default limit. */
static void test_a_gzip_bomb_baseline_stops_at_the_inflate_limit(void)
{
    cpf_baseline b;
    cpf_bytes d;
    unsigned char *bomb;
    size_t n = 0, i, nonzero = 0;
    char msg[400];
    /* the construction is right: 1000 pairs are a valid member of 258 001 zero bytes */
    bomb = gzip_bomb(1000, &n);
    CHECK(bomb != NULL);
    if (!bomb) return;
    CHECK_MSG(cpf_gunzip(bomb, n, 0, &d, msg, sizeof msg) == CPF_OK, "%s", msg);
    CHECK(d.len == 258001 && n < 1700);
    for (i = 0; i < d.len; i++) nonzero += d.data[i] != 0;
    CHECK(nonzero == 0);
    cpf_bytes_free(&d);
    CHECK(cpf_baseline_load_mem(&b, bomb, n, msg, sizeof msg) == CPF_ERR_FORMAT); /* zeros are no baseline */
    free(bomb);
#if defined(TEST_EMBEDDED)
    printf("    skip: the 64 MiB bomb needs more memory than the board has\n");
#else
    gzip_bomb_at_the_default_limit();
#endif
}

static void test_whatever_is_saved_loads_again_even_at_the_edges(void)
{
    double zeros[10] = { 0, 0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000 };
    static const char *odd[] = { "|||||||merge", "a", ("\xe2\x80\x8b" "zero-width") };
    const char *hostile[] = {
        "coralperf-baseline 1.0\n@build b a=1\n@host h c=2\nx\tfp=b.h n=1 med=1ns s=0 fp=q.q\n@end\n",
        "coralperf-baseline 1.0\n@build b a=1\n@host h c=2\nx fp=b.h n=1 med=1e308s s=0\n@end\n",
        "coralperf-baseline 1.0\n@build b a=1\n@host h c=2\nx fp=b.h n=1 med=1ns rss=1e300 s=0\n@end\n",
    };
    cpf_baseline b, l;
    cpf_fingerprint fb, fh;
    cpf_result r;
    char msg[300], *text;
    size_t i;
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "cpu");
    fake_result(&r, "zeros", zeros, 10);           /* p10 = 0: -100% of the median */
    CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_OK);
    free_result(&r);
    for (i = 0; i < 3; i++) {
        fake_result(&r, odd[i], zeros + 2, 8);
        CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_OK);
        free_result(&r);
    }
    fake_result(&r, "", zeros, 10);                /* an empty name would not load again */
    CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_ERR_ARG);
    free_result(&r);
    text = round_trip(&b, &l);
    CHECK(l.count == 4 && cpf_baseline_find(&l, "|||||||merge") && cpf_baseline_find(&l, "zeros"));
    free(text);
    cpf_baseline_free(&l);
    /* hostile lines: rejected, or loaded and saved to something that loads */
    for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        cpf_bytes out;
        if (cpf_baseline_load_mem(&l, hostile[i], strlen(hostile[i]), msg, sizeof msg) != CPF_OK) continue;
        CHECK(cpf_baseline_save_mem(&l, 0, &out, msg, sizeof msg) == CPF_OK);
        cpf_baseline_free(&l);
        CHECK_MSG(cpf_baseline_load_mem(&l, out.data, out.len, msg, sizeof msg) == CPF_OK, "case %u: %s\n%s", (unsigned)i, msg, (const char *)out.data);
        cpf_baseline_free(&l);
        cpf_bytes_free(&out);
    }
    CHECK(cpf_baseline_load_mem(&l, hostile[1], strlen(hostile[1]), msg, sizeof msg) == CPF_ERR_FORMAT);
    cpf_baseline_free(&b);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}

/* Fuzzer find: a fingerprint no benchmark uses is dropped from the file, so
   it must not lengthen the ids of the ones written. Here the unused host's
   id shares its first 4 hex digits with the used one's: the first save gave
   6-digit ids, the reloaded file (without it) 4-digit ones, and every line
   changed on the second save. */
static void test_an_unused_fingerprint_does_not_change_the_ids_of_a_resave(void)
{
    const char *text =
        "coralperf-baseline 1.0\n"
        "@build b a=1\n"
        "@host h cpu=used\n"
        "@host u cpu=unused-78661\n"
        "x fp=b.h n=1 med=1ns s=0\n"
        "@end\n";
    const char *used = "host cpu=used", *unused = "host cpu=unused-78661"; /* the text the ids hash */
    cpf_baseline b, l;
    cpf_bytes t1, t2;
    char msg[300];
    CHECK_MSG((cpf_hash64(used, strlen(used), 0) >> 48) == (cpf_hash64(unused, strlen(unused), 0) >> 48),
              "the two host fingerprints no longer share 4 hex digits: pick another unused-N");
    CHECK_MSG(cpf_baseline_load_mem(&b, text, strlen(text), msg, sizeof msg) == CPF_OK, "%s", msg);
    CHECK(b.count == 1 && b.fp_count == 3);
    CHECK(cpf_baseline_save_mem(&b, 0, &t1, msg, sizeof msg) == CPF_OK);
    CHECK_MSG(cpf_baseline_load_mem(&l, t1.data, t1.len, msg, sizeof msg) == CPF_OK, "%s", msg);
    CHECK(l.count == 1 && l.fp_count == 2); /* the unused host is dropped */
    CHECK(cpf_baseline_save_mem(&l, 0, &t2, msg, sizeof msg) == CPF_OK);
    CHECK_MSG(t1.data && t2.data && t1.len == t2.len && memcmp(t1.data, t2.data, t1.len) == 0, "the re-save differs\n%s---\n%s",
              (const char *)t1.data, (const char *)t2.data);
    /* 4 digits: no clash among the written; x has the default fingerprints (no fp=) */
    CHECK(t1.data && strstr((const char *)t1.data, "\n@host aed5 ") != NULL && strstr((const char *)t1.data, "\nx n=1 ") != NULL);
    cpf_bytes_free(&t1);
    cpf_bytes_free(&t2);
    cpf_baseline_free(&b);
    cpf_baseline_free(&l);
}

static void test_noise_learns_from_reruns_not_from_accepted_changes(void)
{
    cpf_baseline b;
    cpf_fingerprint fb, fh;
    cpf_result r;
    double x[21];
    const cpf_baseline_entry *e;
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "cpu");
    samples_around(x, 21, 1000, 0.01, 1); fake_result(&r, "k", x, 21); cpf_baseline_set(&b, &r, &fb, &fh); free_result(&r);
    samples_around(x, 21, 1010, 0.01, 2); fake_result(&r, "k", x, 21); cpf_baseline_set(&b, &r, &fb, &fh); free_result(&r);
    e = cpf_baseline_find(&b, "k");
    CHECK(e && e->runs == 2 && e->noise > 0.004 && e->noise < 0.01);    /* ~1% / sqrt 2 */
    samples_around(x, 21, 1200, 0.01, 3); fake_result(&r, "k", x, 21); cpf_baseline_set(&b, &r, &fb, &fh); free_result(&r);
    e = cpf_baseline_find(&b, "k");
    CHECK(e && e->runs == 1 && e->noise == 0);   /* +19%: a change accepted, the history restarts */
    cpf_baseline_free(&b);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}

/* 1 when the comma-separated list has the token t. */
static int has_token(const char *list, const char *t)
{
    size_t n = strlen(t);
    const char *p = list;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, t, n) == 0) return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

#if defined(__linux__)
/* The first line of a file, without its line end; 0 when unreadable or empty. */
static int first_line(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f) return 0;
    if (!fgets(buf, (int)cap, f)) buf[0] = 0;
    fclose(f);
    n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = 0;
    return n > 0;
}

/* The value of /proc/cpuinfo's first "key<blanks>: value" line, trimmed. */
static int cpuinfo_value(const char *key, char *buf, size_t cap)
{
    FILE *f = fopen("/proc/cpuinfo", "rb");
    char line[4096];
    size_t kl = strlen(key);
    int found = 0;
    if (!f) return 0;
    while (!found && fgets(line, sizeof line, f)) {
        const char *p = line + kl, *v;
        size_t n;
        if (strncmp(line, key, kl) != 0) continue;
        while (*p == ' ' || *p == '\t') p++;
        if (*p != ':') continue;
        for (v = p + 1; *v == ' ' || *v == '\t'; v++) {}
        snprintf(buf, cap, "%s", v);
        n = strlen(buf);
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '\t')) buf[--n] = 0;
        found = 1;
    }
    fclose(f);
    return found;
}

/* CPUs in /sys/devices/system/cpu/online ("0-3,6"), what sysconf reads; -1 unknown. */
static int online_cpus(void)
{
    char s[256];
    const char *p = s;
    int n = 0;
    if (!first_line("/sys/devices/system/cpu/online", s, sizeof s)) return -1;
    while (*p) {
        char *e;
        long a = strtol(p, &e, 10), b = a;
        if (e == p) return -1;
        p = e;
        if (*p == '-') { b = strtol(p + 1, &e, 10); p = e; }
        n += (int)(b - a + 1);
        if (*p == ',') p++;
        else if (*p) return -1;
    }
    return n;
}
#endif

/* Every field the README lists, checked against what this platform says
   itself: this file is built with the same command line as the one that
   holds the implementation (tests/test_main.c), so its predefined macros are
   the implementation's; host facts come from /proc and /sys on Linux. */
static void test_this_machine_has_a_fingerprint(void)
{
    cpf_fingerprint fb, fh, fb2;
    char diff[200], want[512];
    const char *v;
    const uint32_t one = 1;
    CHECK(cpf_fingerprint_build(&fb) == CPF_OK);
    CHECK(cpf_fingerprint_host(&fh) == CPF_OK);
    CHECK(cpf_fingerprint_build(&fb2) == CPF_OK);
    CHECK(!fb.is_host && fh.is_host);

    /* build: compiler and version */
    v = cpf_fingerprint_get(&fb, "compiler");
#if defined(__clang__)
    snprintf(want, sizeof want, "clang %d.%d", __clang_major__, __clang_minor__); /* then ".patch" */
#elif defined(__GNUC__)
    snprintf(want, sizeof want, "gcc %d", __GNUC__); /* then ".minor.patch", or "-win32" from MinGW */
#elif defined(_MSC_VER)
    snprintf(want, sizeof want, "msvc %lu", (unsigned long)_MSC_FULL_VER);
#else
    snprintf(want, sizeof want, "unknown");
#endif
    CHECK_MSG(v && strncmp(v, want, strlen(want)) == 0 && !(v[strlen(want)] >= '0' && v[strlen(want)] <= '9'),
              "compiler '%s', expected it to start with '%s'", v ? v : "(none)", want);
    CHECK_STR(cpf_fingerprint_get(&fb, "lang"), "c");

    /* build: flags, given or read from the predefined macros (never both) */
#if defined(CORALPERF_BUILD_FLAGS)
    CHECK_STR(cpf_fingerprint_get(&fb, "flags"), CORALPERF_BUILD_FLAGS);
    CHECK(cpf_fingerprint_get(&fb, "flags_from_macros") == NULL);
#else
    CHECK(cpf_fingerprint_get(&fb, "flags") == NULL);
    v = cpf_fingerprint_get(&fb, "flags_from_macros");
    CHECK(v != NULL);
    if (!v) v = "";
#if defined(__GNUC__) && defined(__STDC_VERSION__)
    snprintf(want, sizeof want, "%s%s",
#if defined(__STRICT_ANSI__)
             "c",
#else
             "gnu",
#endif
             __STDC_VERSION__ == 199901L ? "99" : __STDC_VERSION__ == 201112L ? "11" : __STDC_VERSION__ == 201710L ? "17" : "?");
    CHECK_MSG(want[strlen(want) - 1] == '?' || has_token(v, want), "flags_from_macros '%s' lacks '%s'", v, want);
#endif
#if defined(__NO_INLINE__) && defined(__OPTIMIZE__)
    CHECK(has_token(v, "no-inline"));
#else
    CHECK(!has_token(v, "no-inline"));
#endif
#if defined(__PIE__) && __PIE__ == 2
    CHECK(has_token(v, "fPIE") && !has_token(v, "fPIC"));
#elif defined(__PIE__)
    CHECK(has_token(v, "fpie"));
#elif defined(__PIC__) && __PIC__ == 2
    CHECK(has_token(v, "fPIC"));
#elif defined(__PIC__)
    CHECK(has_token(v, "fpic"));
#else
    CHECK(!has_token(v, "fPIE") && !has_token(v, "fpie") && !has_token(v, "fPIC") && !has_token(v, "fpic"));
#endif
#if defined(__SSP_STRONG__)
    CHECK(has_token(v, "ssp-strong"));
#elif !defined(__SSP__) && !defined(__SSP_ALL__) && !defined(__SSP_EXPLICIT__)
    CHECK(!has_token(v, "ssp") && !has_token(v, "ssp-strong") && !has_token(v, "ssp-all"));
#endif
#if defined(_FORTIFY_SOURCE) && _FORTIFY_SOURCE + 0 > 0
    snprintf(want, sizeof want, "fortify%d", (int)(_FORTIFY_SOURCE + 0));
    CHECK(has_token(v, want));
#else
    CHECK(strstr(v, "fortify") == NULL);
#endif
    /* what opt= and isa= hold is not repeated */
    CHECK(!has_token(v, "fast-math") && !has_token(v, "asan") && !has_token(v, "O2") && !has_token(v, "-O2"));
#endif

    /* build: optimisation and NDEBUG of this command line */
#if defined(__OPTIMIZE_SIZE__)
    CHECK_STR(cpf_fingerprint_get(&fb, "opt"), "size");
#elif defined(__OPTIMIZE__)
    CHECK_STR(cpf_fingerprint_get(&fb, "opt"), "yes");
#elif defined(__GNUC__)
    CHECK_STR(cpf_fingerprint_get(&fb, "opt"), "no");
#else
    CHECK(cpf_fingerprint_get(&fb, "opt") != NULL);
#endif
#if defined(NDEBUG)
    CHECK_STR(cpf_fingerprint_get(&fb, "ndebug"), "1");
#else
    CHECK_STR(cpf_fingerprint_get(&fb, "ndebug"), "0");
#endif

    /* build: ISA macros, the architecture first, then extensions and sanitizers */
    v = cpf_fingerprint_get(&fb, "isa");
    CHECK(v != NULL);
    if (!v) v = "";
#if defined(__x86_64__) || defined(_M_X64)
    CHECK(strncmp(v, "x86_64", 6) == 0 && (v[6] == 0 || v[6] == ','));
#elif defined(__aarch64__) || defined(_M_ARM64)
    CHECK(strncmp(v, "aarch64", 7) == 0);
#endif
#if defined(__AVX2__)
    CHECK(has_token(v, "avx2"));
#else
    CHECK(!has_token(v, "avx2"));
#endif
#if defined(__ARM_NEON) || defined(__ARM_NEON__)
    CHECK(has_token(v, "neon"));
#endif
#if defined(__FAST_MATH__)
    CHECK(has_token(v, "fast-math"));
#else
    CHECK(!has_token(v, "fast-math"));
#endif
    {   /* make test runs these tests under clang's ASan+UBSan and gcc's TSan */
        int asan = 0, tsan = 0, ubsan = -1; /* -1: no macro tells (gcc) */
#if defined(__SANITIZE_ADDRESS__)
        asan = 1;
#endif
#if defined(__SANITIZE_THREAD__)
        tsan = 1;
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
        asan = 1;
#endif
#if __has_feature(thread_sanitizer)
        tsan = 1;
#endif
#if __has_feature(undefined_behavior_sanitizer)
        ubsan = 1;
#else
        ubsan = 0;
#endif
#endif
        CHECK_MSG(has_token(v, "asan") == asan, "isa '%s', asan %d", v, asan);
        CHECK_MSG(has_token(v, "tsan") == tsan, "isa '%s', tsan %d", v, tsan);
        CHECK_MSG(ubsan < 0 || has_token(v, "ubsan") == ubsan, "isa '%s', ubsan %d", v, ubsan);
    }

    /* build: word size and byte order */
    snprintf(want, sizeof want, "%d", (int)(sizeof(void *) * 8));
    CHECK_STR(cpf_fingerprint_get(&fb, "word"), want);
    CHECK_STR(cpf_fingerprint_get(&fb, "endian"), *(const unsigned char *)&one ? "little" : "big");

    /* host: CPU model, cores, caches, hypervisor, governor, OS and kernel, libc */
    v = cpf_fingerprint_get(&fh, "cpu");
    CHECK(v != NULL && v[0]);
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
    CHECK_MSG(v && strcmp(v, "unknown") != 0, "an x86 CPU has a CPUID brand string");
#endif
#if defined(__linux__) || defined(_WIN32) || defined(__APPLE__) || defined(__FreeBSD__)
    CHECK(cpf_fingerprint_get(&fh, "cores") && atoi(cpf_fingerprint_get(&fh, "cores")) >= 1);
#else
    CHECK(cpf_fingerprint_get(&fh, "cores") != NULL); /* bare metal: "unknown" */
#endif
    CHECK(cpf_fingerprint_get(&fh, "hypervisor") != NULL);
    CHECK(cpf_fingerprint_get(&fh, "governor") != NULL);
    CHECK(cpf_fingerprint_get(&fh, "os") != NULL);
    CHECK(cpf_fingerprint_get(&fh, "libc") != NULL);
    CHECK(cpf_fingerprint_get(&fh, "host") == NULL && cpf_fingerprint_get(&fh, "hostname") == NULL);
#if defined(__linux__)
    {
        char s[400], path[96], level[16], type[32], size[32], key[24];
        int i, n, caches = 0;
        /* valgrind answers CPUID with a CPU of its own: model and hypervisor bit differ from the kernel's */
        if (!BL_ON_VALGRIND() && cpuinfo_value("model name", s, sizeof s) && s[0])
            CHECK_STR(cpf_fingerprint_get(&fh, "cpu"), s);
        n = online_cpus(); /* glibc's sysconf reads this file too (musl asks sched_getaffinity) */
        if (n > 0 && strncmp(cpf_fingerprint_get(&fh, "libc"), "glibc", 5) == 0) { snprintf(want, sizeof want, "%d", n); CHECK_STR(cpf_fingerprint_get(&fh, "cores"), want); }
        for (i = 0; i < 5; i++) { /* cpu0's data and unified caches, as sysfs lists them */
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
            if (!first_line(path, level, sizeof level)) break;
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
            if (!first_line(path, type, sizeof type) || strcmp(type, "Instruction") == 0) continue;
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
            if (!first_line(path, size, sizeof size)) continue;
            snprintf(key, sizeof key, "l%s%s", level, strcmp(type, "Data") == 0 ? "d" : "");
            CHECK_STR(cpf_fingerprint_get(&fh, key), size);
            caches++;
        }
        if (!caches) CHECK(!cpf_fingerprint_get(&fh, "l1d") && !cpf_fingerprint_get(&fh, "l2") && !cpf_fingerprint_get(&fh, "l3"));
#if defined(__x86_64__) || defined(__i386__)
        /* the kernel's "hypervisor" CPU flag is the CPUID bit the kit reads */
        if (!BL_ON_VALGRIND() && cpuinfo_value("flags", s, sizeof s)) {
            int flagged = strstr(s, " hypervisor") != NULL || strncmp(s, "hypervisor", 10) == 0;
            CHECK_MSG(flagged == (strcmp(cpf_fingerprint_get(&fh, "hypervisor"), "none") != 0),
                      "hypervisor '%s', cpuinfo flag %d", cpf_fingerprint_get(&fh, "hypervisor"), flagged);
        }
#endif
        if (first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", s, sizeof s))
            CHECK_STR(cpf_fingerprint_get(&fh, "governor"), s);
        else
            CHECK_STR(cpf_fingerprint_get(&fh, "governor"), "none");
        if (first_line("/proc/sys/kernel/osrelease", s, sizeof s)) {
            snprintf(want, sizeof want, "Linux %s", s);
            CHECK_STR(cpf_fingerprint_get(&fh, "os"), want);
        }
    }
#elif defined(_WIN32)
    CHECK_STR(cpf_fingerprint_get(&fh, "os"), "Windows");
#endif
#if defined(__GLIBC__)
    snprintf(want, sizeof want, "glibc %d.%d", __GLIBC__, __GLIBC_MINOR__);
    CHECK_STR(cpf_fingerprint_get(&fh, "libc"), want);
#endif

    /* two fingerprints of one build are equal; a change is named field by field */
    CHECK(cpf_fingerprint_compare(&fb, &fb2, diff, sizeof diff) == 0 && diff[0] == 0);
    cpf_fingerprint_set(&fb2, "opt", "no");
    cpf_fingerprint_set(&fb2, "extra", "1");
    CHECK(cpf_fingerprint_compare(&fb, &fb2, diff, sizeof diff) == (strcmp(cpf_fingerprint_get(&fb, "opt"), "no") ? 2 : 1));
    CHECK(strstr(diff, "extra: '(none)' -> '1'") != NULL);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
    cpf_fingerprint_free(&fb2);
}

typedef struct sink { char buf[65536]; size_t len; } sink;
static int sink_write(void *user, const char *s, size_t n)
{
    sink *k = (sink *)user;
    if (k->len + n >= sizeof k->buf) return -1;
    memcpy(k->buf + k->len, s, n);
    k->len += n;
    k->buf[k->len] = 0;
    return 0;
}

static void bench_tiny(cpf_bench *b) { int x = 0; while (cpf_bench_loop(b)) { x++; cpf_do_not_optimize(x); } }

static void make(cpf_suite *s, sink *k, const char *name, int nbench)
{
    static const char *names[] = { "a/one", "b/two", "c/three" };
    int i;
    cpf_suite_init(s, name);
    memset(k, 0, sizeof *k);
    cpf_suite_set_output(s, sink_write, k);
    for (i = 0; i < nbench; i++) cpf_suite_add(s, names[i], bench_tiny, NULL);
}

static void test_suite_run_streams_its_results_as_a_loadable_baseline(void)
{
    cpf_suite s;
    sink k, out;
    cpf_baseline b;
    char msg[300];
    char *argv[] = { (char *)"prog", (char *)"--quick", (char *)"--no-baseline", NULL };
    make(&s, &k, "stream", 2);
    cpf_suite_run(&s, 3, argv);
    CHECK(cpf_suite_diff(&s) == NULL);
    memset(&out, 0, sizeof out);
    CHECK(cpf_suite_write_baseline(&s, sink_write, &out) == CPF_OK);
    CHECK_MSG(cpf_baseline_load_mem(&b, out.buf, out.len, msg, sizeof msg) == CPF_OK, "%s", msg);
    CHECK(b.count == 2 && cpf_baseline_find(&b, "a/one") && cpf_baseline_find(&b, "b/two"));
    /* the same text, given back as an in-memory baseline, is compared against */
    cpf_suite_finish(&s);
    {
        /* Same code, but a ~5 ns loop can time 15% apart from one run to the
           next (seen under TSan, where it depends on the stack layout): this
           test is about the comparison, not about a timing verdict. */
        char *argv2[] = { (char *)"prog", (char *)"--quick", (char *)"--fail-threshold=1000", NULL };
        make(&s, &k, "stream", 3);
        cpf_suite_set_baseline_mem(&s, out.buf, out.len);
        cpf_suite_run(&s, 3, argv2);
        CHECK(cpf_suite_diff(&s) != NULL);
        if (cpf_suite_diff(&s)) CHECK(cpf_suite_diff(&s)->count == 3 && cpf_suite_diff(&s)->added == 1);
        CHECK(strstr(k.buf, "compared with the baseline in memory") != NULL);
        CHECK(cpf_suite_finish(&s) == 2); /* c/three is missing from the baseline: a warning */
    }
    cpf_baseline_free(&b);
}

#if !defined(CORALPERF_NO_FILES)
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)calloc((size_t)n + 1, 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    return buf;
}

static int run_args(const char *name, int nbench, const char *a1, const char *a2, const char *a3, sink *k)
{
    cpf_suite s;
    char *argv[6];
    int argc = 0;
    argv[argc++] = (char *)"prog";
    argv[argc++] = (char *)"--quick";
    if (a1) argv[argc++] = (char *)a1;
    if (a2) argv[argc++] = (char *)a2;
    if (a3) argv[argc++] = (char *)a3;
    argv[argc] = NULL;
    make(&s, k, name, nbench);
    cpf_suite_run(&s, argc, argv);
    return cpf_suite_finish(&s);
}

static void test_suite_records_compares_adds_and_prunes_only_the_lines_asked_for(void)
{
    const char *path = "build/test/bl/rec.cpb";
    sink k;
    char *t1, *t2, *t3;
    int rc;
    cpf_baseline b;
    remove(path);
    rc = run_args("rec", 2, "--baseline-dir=build/test/bl", "--update-baseline=all", NULL, &k);
    CHECK_MSG(rc == 0, "rc %d\n%s", rc, k.buf);
    CHECK(strstr(k.buf, "created build/test/bl/rec.cpb: 2 new") != NULL);
    t1 = slurp(path);
    CHECK(t1 != NULL);
    /* timing may differ, even 15% for this tiny loop under TSan: no timing failure */
    rc = run_args("rec", 2, "--baseline-dir=build/test/bl", "--fail-threshold=1000", NULL, &k);
    CHECK_MSG(rc == 0 || rc == 2, "rc %d\n%s", rc, k.buf);
    CHECK(strstr(k.buf, "compared with build/test/bl/rec.cpb") != NULL);
    CHECK(strstr(k.buf, "baseline: ") != NULL);
    /* a third benchmark: --update-baseline=new adds its line and touches no other */
    rc = run_args("rec", 3, "--baseline-dir=build/test/bl", "--update-baseline=new", NULL, &k);
    CHECK(strstr(k.buf, "1 new, 0 re-recorded") != NULL);
    t2 = slurp(path);
    if (t1 && t2) {
        const char *l1 = strstr(t1, "\na/one "), *l2 = strstr(t1, "\nb/two ");
        CHECK(l1 && l2);
        if (l1 && l2) {
            char line[4096];
            size_t n = (size_t)(strchr(l1 + 1, '\n') - l1);
            memcpy(line, l1, n); line[n] = 0;
            CHECK(strstr(t2, line) != NULL);
            n = (size_t)(strchr(l2 + 1, '\n') - l2);
            memcpy(line, l2, n); line[n] = 0;
            CHECK(strstr(t2, line) != NULL);
        }
        CHECK(count_lines(t2) == count_lines(t1) + 2 && strstr(t2, "\nc/three ") != NULL); /* the line and a blank */
    }
    /* back to one registered benchmark: the other two are vanished, prune drops them */
    rc = run_args("rec", 1, "--baseline-dir=build/test/bl", "--update-baseline=prune", NULL, &k);
    CHECK(strstr(k.buf, "2 removed") != NULL);
    CHECK(cpf_baseline_load(&b, path, NULL, 0) == CPF_OK && b.count == 1 && cpf_baseline_find(&b, "a/one"));
    cpf_baseline_free(&b);
    t3 = slurp(path);
    free(t1); free(t2); free(t3);
}

/* 20000 additions per op: thousands of times bench_tiny. */
static void bench_slow(cpf_bench *b)
{
    unsigned x = 0;
    while (cpf_bench_loop(b)) {
        unsigned i;
        for (i = 0; i < 20000; i++) { x += i; cpf_do_not_optimize(x); }
    }
}

/* The verdicts of one run, by benchmark (index in make()'s names). */
typedef struct run_rows { int seen[3]; cpf_level level[3]; int host_match[3]; } run_rows;

/* make() + run with --quick and up to 6 more flags (NULL-terminated);
   slow_first: a/one runs bench_slow. Returns the exit code; rows (optional)
   gets the diff's verdicts before the suite is finished. */
static int run_flags(const char *name, int nbench, int slow_first, const char *const *flags, sink *k, run_rows *rows)
{
    static const char *names[] = { "a/one", "b/two", "c/three" };
    cpf_suite s;
    char *argv[9];
    int argc = 0, i;
    const cpf_diff *d;
    argv[argc++] = (char *)"prog";
    argv[argc++] = (char *)"--quick";
    for (i = 0; flags[i] && argc < 8; i++) argv[argc++] = (char *)flags[i];
    argv[argc] = NULL;
    cpf_suite_init(&s, name);
    memset(k, 0, sizeof *k);
    cpf_suite_set_output(&s, sink_write, k);
    for (i = 0; i < nbench; i++) cpf_suite_add(&s, names[i], i == 0 && slow_first ? bench_slow : bench_tiny, NULL);
    cpf_suite_run(&s, argc, argv);
    if (rows) {
        size_t r;
        memset(rows, 0, sizeof *rows);
        d = cpf_suite_diff(&s);
        for (r = 0; d && r < d->count; r++)
            for (i = 0; i < 3; i++)
                if (strcmp(d->rows[r].name, names[i]) == 0) {
                    rows->seen[i] = 1;
                    rows->level[i] = d->rows[r].level;
                    rows->host_match[i] = d->rows[r].host_match;
                }
    }
    return cpf_suite_finish(&s);
}

/* Line i (0-based) of text, without its line end, into buf; 0 past the end. */
static int nth_line(const char *text, int i, char *buf, size_t cap)
{
    const char *p = text, *e;
    size_t n;
    while (i-- > 0) {
        p = strchr(p, '\n');
        if (!p) return 0;
        p++;
    }
    if (!*p) return 0;
    e = strchr(p, '\n');
    n = e ? (size_t)(e - p) : strlen(p);
    if (n >= cap) n = cap - 1;
    memcpy(buf, p, n);
    buf[n] = 0;
    return 1;
}

static void test_update_baseline_failed_rewrites_the_warned_and_failed_lines_and_no_other(void)
{
    static const char *names[] = { "a/one ", "b/two ", "c/three " };
    const char *path = "build/test/bl/failed.cpb";
    const char *rec[] = { "--baseline-dir=build/test/bl", "--update-baseline=all", NULL };
    /* thresholds of 900%/1000%: only the injected slowdown is beyond them, so
       the other two lines stay; --no-confirm: no re-run in a child process */
    const char *upd[] = { "--baseline-dir=build/test/bl", "--update-baseline=failed", "--warn-threshold=900%",
                          "--fail-threshold=1000%", "--no-confirm", NULL };
    sink k;
    run_rows rows;
    char *t1, *t2, l1[4096], l2[4096], want[64];
    int rc, i, j, rewritten = 0, kept = 0;
    remove(path);
    rc = run_flags("failed", 3, 0, rec, &k, NULL);
    CHECK_MSG(rc == 0, "rc %d\n%s", rc, k.buf);
    t1 = slurp(path);
    CHECK(t1 != NULL);
    rc = run_flags("failed", 3, 1, upd, &k, &rows); /* a/one now does 20000 additions per op */
    t2 = slurp(path);
    CHECK(t2 != NULL);
    CHECK_MSG(rows.seen[0] && rows.level[0] != CPF_PASS, "a/one is not flagged:\n%s", k.buf);
    if (rows.level[0] == CPF_FAIL) CHECK(rc == 1); /* re-recording does not hide a failure */
    if (!t1 || !t2) { free(t1); free(t2); return; }
    CHECK(count_lines(t1) == count_lines(t2));
    for (i = 0; nth_line(t1, i, l1, sizeof l1); i++) {
        int bench = -1;
        CHECK(nth_line(t2, i, l2, sizeof l2));
        for (j = 0; j < 3; j++)
            if (strncmp(l1, names[j], strlen(names[j])) == 0) bench = j;
        if (bench < 0) {              /* header, comments, @build, @host, @end */
            CHECK_STR(l2, l1);
        } else {
            CHECK(rows.seen[bench] && rows.host_match[bench]);
            CHECK(strncmp(l2, names[bench], strlen(names[bench])) == 0);
            if (rows.level[bench] != CPF_PASS) {
                CHECK_MSG(strcmp(l1, l2) != 0, "%s was %s but not re-recorded", names[bench], cpf_level_text(rows.level[bench]));
                rewritten++;
            } else {
                CHECK_MSG(strcmp(l1, l2) == 0, "%s passed but its line changed:\n%s\n%s", names[bench], l1, l2);
                kept++;
            }
        }
    }
    CHECK(rewritten >= 1 && rewritten + kept == 3);
    CHECK_MSG(kept >= 1, "no benchmark passed, nothing shows that passing lines are kept:\n%s", k.buf);
    snprintf(want, sizeof want, "0 new, %d re-recorded, 0 removed", rewritten);
    CHECK_MSG(strstr(k.buf, want) != NULL, "expected '%s' in:\n%s", want, k.buf);
    free(t1);
    free(t2);
}

static void set_update_env(const char *value)
{
#if defined(_WIN32)
    char e[64];
    snprintf(e, sizeof e, "CORALPERF_UPDATE_BASELINE=%s", value ? value : "");
    _putenv(e);
#else
    if (value) setenv("CORALPERF_UPDATE_BASELINE", value, 1);
    else unsetenv("CORALPERF_UPDATE_BASELINE");
#endif
}

/* Records a/one and b/two in dir, then runs three benchmarks with flags:
   returns the file after that run (free it) and its output in k. */
static char *add_third(const char *dir, const char *flag, sink *k, char **before)
{
    char path[128], bdir[128];
    const char *rec[] = { NULL, "--update-baseline=all", NULL };
    const char *run[] = { NULL, NULL, NULL };
    snprintf(bdir, sizeof bdir, "--baseline-dir=%s", dir);
    snprintf(path, sizeof path, "%s/env.cpb", dir);
    remove(path);
    rec[0] = bdir;
    run[0] = bdir;
    run[1] = flag;
    CHECK(run_flags("env", 2, 0, rec, k, NULL) == 0);
    *before = slurp(path);
    run_flags("env", 3, 0, run, k, NULL);
    return slurp(path);
}

static void test_the_update_baseline_environment_variable_does_what_the_flag_does(void)
{
    sink kf, ke, kn;
    char *bf = NULL, *af, *be = NULL, *ae, *bn = NULL, *an;
    const char *lines[] = { "\na/one ", "\nb/two " };
    int i;
    set_update_env(NULL);
    af = add_third("build/test/bl_flag", "--update-baseline=new", &kf, &bf);
    set_update_env("new");
    ae = add_third("build/test/bl_env", NULL, &ke, &be);
    set_update_env(NULL);
    an = add_third("build/test/bl_none", NULL, &kn, &bn); /* neither: nothing is written */
    CHECK(af && ae && an && bf && be && bn);
    if (af && ae && an && bf && be && bn) {
        CHECK_MSG(strstr(kf.buf, "baseline: updated build/test/bl_flag/env.cpb: 1 new, 0 re-recorded, 0 removed") != NULL, "%s", kf.buf);
        CHECK_MSG(strstr(ke.buf, "baseline: updated build/test/bl_env/env.cpb: 1 new, 0 re-recorded, 0 removed") != NULL, "%s", ke.buf);
        CHECK(strstr(kn.buf, "baseline: updated") == NULL && strcmp(an, bn) == 0);
        for (i = 0; i < 2; i++) { /* the recorded lines stay byte for byte, the new one is added */
            const char *p = strstr(bf, lines[i]), *q = strstr(be, lines[i]);
            char lf[4096], le[4096];
            size_t n;
            CHECK(p && q);
            if (!p || !q) continue;
            n = (size_t)(strchr(p + 1, '\n') - p); memcpy(lf, p, n); lf[n] = 0;
            n = (size_t)(strchr(q + 1, '\n') - q); memcpy(le, q, n); le[n] = 0;
            CHECK(strstr(af, lf) != NULL);
            CHECK(strstr(ae, le) != NULL);
        }
        CHECK(count_lines(af) == count_lines(bf) + 2 && strstr(af, "\nc/three ") != NULL);
        CHECK(count_lines(ae) == count_lines(be) + 2 && strstr(ae, "\nc/three ") != NULL);
    }
    free(af); free(ae); free(an); free(bf); free(be); free(bn);
}

static void test_a_missing_baseline_says_how_to_record_it_and_keeps_the_exit_code(void)
{
    const char *path = "build/test/bl/missing_suite.cpb";
    const char *with[] = { "--baseline-dir=build/test/bl", NULL, NULL };
    const char *without[] = { "--no-baseline", NULL };
    const char *msg = "baseline: no build/test/bl/missing_suite.cpb yet; record one with --update-baseline=all\n";
    const char *at;
    char cmd[64];
    sink k;
    int rc, rc_none;
    FILE *f;
    set_update_env(NULL);
    remove(path);
    rc_none = run_flags("missing_suite", 2, 0, without, &k, NULL);
    rc = run_flags("missing_suite", 2, 0, with, &k, NULL);
    CHECK_MSG(rc == rc_none && rc == 0, "exit %d with the baseline missing, %d with --no-baseline\n%s", rc, rc_none, k.buf);
    at = strstr(k.buf, msg);
    CHECK_MSG(at != NULL, "no '%s' in:\n%s", msg, k.buf);
    f = fopen(path, "rb");
    CHECK(f == NULL); /* reported, not written */
    if (f) fclose(f);
    if (!at) return;
    /* the command it names records the baseline */
    snprintf(cmd, sizeof cmd, "%s", strstr(at, "record one with ") + strlen("record one with "));
    cmd[strcspn(cmd, "\n")] = 0;
    CHECK_STR(cmd, "--update-baseline=all");
    with[1] = cmd;
    rc = run_flags("missing_suite", 2, 0, with, &k, NULL);
    CHECK_MSG(rc == 0 && strstr(k.buf, "baseline: created build/test/bl/missing_suite.cpb: 2 new") != NULL, "%s", k.buf);
    f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f) fclose(f);
    remove(path);
}

static void test_an_unreadable_baseline_fails_the_run_and_is_left_alone(void)
{
    const char *path = "build/test/bl/corrupt.cpb";
    const char *junk = "coralperf-baseline 1.0\nthis line is not a benchmark\n";
    sink k;
    FILE *f;
    char *after;
    int rc;
    run_args("corrupt", 1, "--baseline-dir=build/test/bl", "--update-baseline=new", NULL, &k); /* makes the folder */
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(junk, f);
    fclose(f);
    rc = run_args("corrupt", 1, "--baseline-dir=build/test/bl", "--update-baseline=all", NULL, &k);
    CHECK(rc == 1);
    after = slurp(path);
    CHECK(after && strcmp(after, junk) == 0);
    free(after);
    remove(path);
}

static void test_update_file_merges_with_what_another_process_wrote(void)
{
    const char *path = "build/test/bl/merge.cpb";
    cpf_baseline a, b, l;
    cpf_fingerprint fb, fh;
    cpf_result r;
    double x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    const char *rm[] = { "x" };
    char msg[300];
    remove(path);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "cpu");
    fake_result(&r, "x", x, 9); cpf_baseline_set(&a, &r, &fb, &fh); free_result(&r);
    fake_result(&r, "y", x, 9); cpf_baseline_set(&a, &r, &fb, &fh); free_result(&r);
    fake_result(&r, "z", x, 9); cpf_baseline_set(&b, &r, &fb, &fh); free_result(&r);
    CHECK_MSG(cpf_baseline_update_file(path, &a, NULL, 0, msg, sizeof msg) == CPF_OK, "%s", msg);
    CHECK_MSG(cpf_baseline_update_file(path, &b, rm, 1, msg, sizeof msg) == CPF_OK, "%s", msg);
    CHECK(cpf_baseline_load(&l, path, msg, sizeof msg) == CPF_OK);
    CHECK(l.count == 2 && !cpf_baseline_find(&l, "x") && cpf_baseline_find(&l, "y") && cpf_baseline_find(&l, "z"));
    CHECK(l.fp_count == 2);
    cpf_baseline_free(&a);
    cpf_baseline_free(&b);
    cpf_baseline_free(&l);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
    /* a file that cannot be read is reported with its path */
    CHECK(cpf_baseline_load(&l, "build/test/bl/missing.cpb", msg, sizeof msg) == CPF_ERR_IO);
    CHECK(strstr(msg, "missing.cpb") != NULL);
}
static void test_update_file_continues_the_noise_history_of_the_file(void)
{
    const char *path = "build/test/bl/noise.cpb";
    cpf_fingerprint fb, fh;
    cpf_baseline l;
    double x[21];
    int i;
    remove(path);
    test_fps(&fb, &fh, "cpu");
    for (i = 0; i < 3; i++) {
        cpf_baseline ch;
        cpf_result r;
        memset(&ch, 0, sizeof ch);
        samples_around(x, 21, 1000.0 + 10 * i, 0.01, (unsigned)i);
        fake_result(&r, "n", x, 21);
        CHECK(cpf_baseline_set(&ch, &r, &fb, &fh) == CPF_OK);
        CHECK(cpf_baseline_update_file(path, &ch, NULL, 0, NULL, 0) == CPF_OK);
        free_result(&r);
        cpf_baseline_free(&ch);
    }
    CHECK(cpf_baseline_load(&l, path, NULL, 0) == CPF_OK);
    CHECK(l.count == 1 && l.entries[0].runs == 3 && l.entries[0].noise > 0);
    cpf_baseline_free(&l);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}

static void test_gzip_files_interoperate_with_the_gzip_tool(void)
{
    const char *txt = "build/test/bl/interop.cpb", *gz = "build/test/bl/interop.cpb.gz";
    cpf_baseline b, l;
    cpf_fingerprint fb, fh;
    cpf_result r;
    double x[30];
    char msg[300];
    int i;
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "cpu");
    for (i = 0; i < 8; i++) {
        char name[32];
        snprintf(name, sizeof name, "interop/%d", i);
        samples_around(x, 30, 10.0 * (i + 1), 0.02, (unsigned)i);
        fake_result(&r, name, x, 30);
        cpf_baseline_set(&b, &r, &fb, &fh);
        free_result(&r);
    }
    remove(txt); remove(gz);
    CHECK(cpf_baseline_save(&b, txt, msg, sizeof msg) == CPF_OK);
    CHECK(cpf_baseline_save(&b, gz, msg, sizeof msg) == CPF_OK);     /* ".gz": gzipped */
    CHECK(cpf_baseline_load(&l, gz, msg, sizeof msg) == CPF_OK && l.gzip && l.count == 8);
    cpf_baseline_free(&l);
#if defined(_WIN32)
    printf("    skip: the gzip tool checks need a POSIX shell\n");
#else
    if (system("command -v gzip >/dev/null 2>&1") != 0) {
        printf("    skip: no gzip binary\n");
    } else {
        char cmd[600], *a, *c;
        /* gzip reads what we write ... */
        snprintf(cmd, sizeof cmd, "gzip -dc %s > build/test/bl/interop.out && cmp -s build/test/bl/interop.out %s", gz, txt);
        CHECK_MSG(system(cmd) == 0, "gzip -dc of our .cpb.gz differs from the text");
        /* ... and we read what gzip -9 writes */
        snprintf(cmd, sizeof cmd, "gzip -9 -c %s > build/test/bl/by_gzip.cpb.gz", txt);
        CHECK(system(cmd) == 0);
        CHECK_MSG(cpf_baseline_load(&l, "build/test/bl/by_gzip.cpb.gz", msg, sizeof msg) == CPF_OK, "%s", msg);
        CHECK(l.count == 8);
        cpf_baseline_free(&l);
        a = slurp(txt);
        c = slurp("build/test/bl/interop.out");
        CHECK(a && c && strcmp(a, c) == 0);
        free(a);
        free(c);
    }
#endif
    cpf_baseline_free(&b);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}
#endif


/* The machine-speed probe: a slowdown the probe also saw is allowed for;
   beyond 25% the wall times are report-only; without it, +30% fails. */
static void test_diff_allows_for_a_slower_machine_and_goes_report_only_beyond_25_percent(void)
{
    cpf_baseline b;
    cpf_fingerprint fb, fh;
    cpf_result r;
    double x[21];
    cpf_diff d;
    cpf_diff_opts o;
    cpf_baseline_entry *e;
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "cpu");
    samples_around(x, 21, 100, 0.01, 1);
    fake_result(&r, "k", x, 21);
    r.machine_ns = 1000;
    CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_OK);
    free_result(&r);
    e = &b.entries[0];
    CHECK(e->machine_ns == 1000);
    samples_around(x, 21, 130, 0.01, 2);
    fake_result(&r, "k", x, 21);
    memset(&o, 0, sizeof o);
    o.build = &fb;
    o.host = &fh;
    r.machine_ns = 1000; /* same machine speed: a regression */
    CHECK(cpf_baseline_diff(&b, &r, 1, &o, &d) == CPF_OK);
    CHECK(d.count == 1 && d.rows[0].level == CPF_FAIL && d.rows[0].machine == 1.0);
    cpf_diff_free(&d);
    r.machine_ns = 1250; /* the machine itself is 25% slower: +4% remains */
    CHECK(cpf_baseline_diff(&b, &r, 1, &o, &d) == CPF_OK);
    CHECK(d.count == 1 && d.rows[0].level == CPF_PASS && d.rows[0].change == CPF_CHANGE_SAME);
    CHECK_NEAR(d.rows[0].machine, 1.25, 1e-12);
    CHECK(strstr(d.rows[0].reason, "machine runs 25% slower") != NULL);
    CHECK(d.level == CPF_PASS);
    cpf_diff_free(&d);
    r.machine_ns = 1400; /* 40% slower: nothing to judge by */
    CHECK(cpf_baseline_diff(&b, &r, 1, &o, &d) == CPF_OK);
    CHECK(d.rows[0].level == CPF_PASS && strstr(d.rows[0].reason, "report only") != NULL);
    CHECK(d.level == CPF_WARN && d.report_only == 1 && strstr(d.notes, "probe runs 40% slower") != NULL);
    CHECK_MSG(strstr(d.rows[0].reason, "+30.") == d.rows[0].reason &&
              strstr(d.rows[0].reason, "% measured (report only: the machine runs 40.0% slower than at recording, more than "
                                       "the 25% allowed for)") != NULL, "%s", d.rows[0].reason);
    cpf_diff_free(&d);
    {   /* on another host the probe compares two machines: nothing allowed, the change as measured */
        cpf_fingerprint fb2, fh2;
        test_fps(&fb2, &fh2, "another cpu");
        o.host = &fh2;
        r.machine_ns = 1200;
        CHECK(cpf_baseline_diff(&b, &r, 1, &o, &d) == CPF_OK);
        CHECK_MSG(d.rows[0].level == CPF_PASS && strstr(d.rows[0].reason, "slower +30.") == d.rows[0].reason &&
                  strstr(d.rows[0].reason, "(report only: recorded on another host)") != NULL &&
                  strstr(d.rows[0].reason, "machine runs") == NULL, "%s", d.rows[0].reason);
        CHECK(d.level == CPF_WARN && d.report_only == 1);
        cpf_diff_free(&d);
        o.host = &fh;
        cpf_fingerprint_free(&fb2);
        cpf_fingerprint_free(&fh2);
    }
    free_result(&r);
    samples_around(x, 21, 100.5, 0.01, 3); /* unchanged (+0.5%) on a machine 14% slower */
    fake_result(&r, "k", x, 21);
    r.machine_ns = 1140;
    CHECK(cpf_baseline_diff(&b, &r, 1, &o, &d) == CPF_OK);
    CHECK_MSG(d.rows[0].level == CPF_PASS && d.rows[0].change == CPF_CHANGE_SAME && d.faster == 0 && d.same == 1,
              "%s", d.rows[0].reason); /* the allowance excuses slowdowns; it makes nothing faster */
    CHECK(strstr(d.rows[0].reason, "same (within") == d.rows[0].reason);
    cpf_diff_free(&d);
    free_result(&r);
    samples_around(x, 21, 130, 0.01, 2);
    fake_result(&r, "k", x, 21);
    r.machine_ns = 700; /* a faster machine allows nothing */
    CHECK(cpf_baseline_diff(&b, &r, 1, &o, &d) == CPF_OK);
    CHECK(d.rows[0].level == CPF_FAIL);
    cpf_diff_free(&d);
    free_result(&r);
    cpf_baseline_free(&b);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}

/* --processes: a recording pooled from 8 processes carries their spread as
   its own noise (7 degrees of freedom: runs=8) and procs=8; a second such
   recording pools d^2 / (1/8 + 1/8) and its own spread; the warn tolerance
   is 3 x noise x sqrt((1/kb + 1/kn) / 2). */
static void test_a_recording_from_several_processes_has_its_own_noise(void)
{
    cpf_baseline b, l;
    cpf_fingerprint fb, fh;
    cpf_result r;
    cpf_diff d;
    cpf_diff_opts o;
    double x[41], dd, want;
    const cpf_baseline_entry *e;
    char *text;
    memset(&b, 0, sizeof b);
    test_fps(&fb, &fh, "cpu");
    samples_around(x, 41, 1000, 0.002, 1);
    fake_result(&r, "k", x, 41);
    r.processes = 8;
    r.process_spread = 0.08;
    CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_OK);
    free_result(&r);
    e = cpf_baseline_find(&b, "k");
    CHECK(e && e->procs == 8 && e->runs == 8 && e->noise == 0.08);
    text = round_trip(&b, &l);
    CHECK_MSG(text && strstr(text, " noise=8.00% runs=8 procs=8 ") != NULL, "%s", text ? text : "");
    e = cpf_baseline_find(&l, "k");
    CHECK(e && e->procs == 8 && e->runs == 8 && fabs(e->noise - 0.08) < 1e-9);
    free(text);
    cpf_baseline_free(&l);
    /* a second recording of 8 processes, 1% slower, spread 6% */
    samples_around(x, 41, 1010, 0.002, 2);
    fake_result(&r, "k", x, 41);
    r.processes = 8;
    r.process_spread = 0.06;
    dd = log(r.stats.median / cpf_baseline_find(&b, "k")->median_ns);
    CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_OK);
    free_result(&r);
    want = sqrt((7 * 0.08 * 0.08 + dd * dd / (1.0 / 8 + 1.0 / 8) + 7 * 0.06 * 0.06) / 15);
    e = cpf_baseline_find(&b, "k");
    CHECK(e && e->procs == 8 && e->runs == 16);
    CHECK_NEAR(e->noise, want, 1e-12);
    /* the diff: 8 processes now -> 3 x noise x sqrt(1/8); one process -> x sqrt(9/16) */
    samples_around(x, 41, 1030, 0.002, 3);
    fake_result(&r, "k", x, 41);
    memset(&o, 0, sizeof o);
    o.build = &fb;
    o.host = &fh;
    r.processes = 8;
    r.process_spread = 0.05;
    CHECK(cpf_baseline_diff(&b, &r, 1, &o, &d) == CPF_OK);
    CHECK(d.count == 1);
    CHECK_NEAR(d.rows[0].tolerance, 3 * want * sqrt(1.0 / 8), 1e-12);
    cpf_diff_free(&d);
    r.processes = 1;
    CHECK(cpf_baseline_diff(&b, &r, 1, &o, &d) == CPF_OK);
    CHECK_NEAR(d.rows[0].tolerance, 3 * want * sqrt((1.0 / 8 + 1) / 2), 1e-12);
    cpf_diff_free(&d);
    free_result(&r);
    cpf_baseline_free(&b);
    /* no stored noise (one process recorded): this run's spread stands in */
    memset(&b, 0, sizeof b);
    samples_around(x, 41, 1000, 0.002, 4);
    fake_result(&r, "k", x, 41);
    CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_OK);
    CHECK(b.entries[0].procs == 1 && b.entries[0].runs == 1 && b.entries[0].noise == 0);
    r.processes = 4;
    r.process_spread = 0.1;
    CHECK(cpf_baseline_diff(&b, &r, 1, &o, &d) == CPF_OK);
    CHECK_NEAR(d.rows[0].tolerance, 3 * 0.1 * sqrt((1 + 1.0 / 4) / 2), 1e-12);
    cpf_diff_free(&d);
    /* 3 processes: too few for a spread to widen anything */
    r.processes = 3;
    CHECK(cpf_baseline_diff(&b, &r, 1, &o, &d) == CPF_OK);
    CHECK_MSG(d.rows[0].tolerance < 0.06, "%g", d.rows[0].tolerance);
    cpf_diff_free(&d);
    cpf_baseline_free(&b);
    memset(&b, 0, sizeof b);
    CHECK(cpf_baseline_set(&b, &r, &fb, &fh) == CPF_OK);
    CHECK(b.entries[0].procs == 3 && b.entries[0].runs == 1 && b.entries[0].noise == 0);
    free_result(&r);
    cpf_baseline_free(&b);
    cpf_fingerprint_free(&fb);
    cpf_fingerprint_free(&fh);
}

void tests_baseline(void)
{
    RUN(test_a_recording_from_several_processes_has_its_own_noise);
    RUN(test_diff_allows_for_a_slower_machine_and_goes_report_only_beyond_25_percent);
    RUN(test_every_field_round_trips);
    RUN(test_instruction_counts_are_recorded_only_when_measured);
    RUN(test_hostile_names_round_trip_exactly_and_the_file_stays_utf8_text);
    RUN(test_re_recording_one_benchmark_changes_exactly_one_line);
    RUN(test_a_hand_written_file_loads_and_unknown_parts_survive_a_rewrite);
    RUN(test_a_format_1_file_loads_and_is_rewritten_in_format_2);
    RUN(test_a_newer_major_version_is_refused_with_a_clear_message);
    RUN(test_broken_files_give_errors_with_line_numbers);
    RUN(test_every_truncation_and_bit_flip_gives_an_error_or_a_valid_baseline);
    RUN(test_diff_names_same_slower_faster_new_and_vanished);
    RUN(test_one_hundred_benchmarks_of_thirty_samples_fit_in_12_kib);
    RUN(test_samples_of_any_shape_round_trip_in_their_steps);
    RUN(test_gzip_baselines_load_from_memory_like_text);
    RUN(test_a_gzip_bomb_baseline_stops_at_the_inflate_limit);
    RUN(test_whatever_is_saved_loads_again_even_at_the_edges);
    RUN(test_an_unused_fingerprint_does_not_change_the_ids_of_a_resave);
    RUN(test_noise_learns_from_reruns_not_from_accepted_changes);
    RUN(test_this_machine_has_a_fingerprint);
    RUN(test_suite_run_streams_its_results_as_a_loadable_baseline);
#if !defined(CORALPERF_NO_FILES)
    RUN(test_suite_records_compares_adds_and_prunes_only_the_lines_asked_for);
    RUN(test_update_baseline_failed_rewrites_the_warned_and_failed_lines_and_no_other);
    RUN(test_the_update_baseline_environment_variable_does_what_the_flag_does);
    RUN(test_a_missing_baseline_says_how_to_record_it_and_keeps_the_exit_code);
    RUN(test_an_unreadable_baseline_fails_the_run_and_is_left_alone);
    RUN(test_update_file_merges_with_what_another_process_wrote);
    RUN(test_update_file_continues_the_noise_history_of_the_file);
    RUN(test_gzip_files_interoperate_with_the_gzip_tool);
    RUN(test_two_branches_that_re_record_neighbours_merge_without_conflict);
#endif
}
