/* Suite: registration, filters, CLI parsing, exit codes. */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* setenv */
#endif
#include "coralperf.h"
#include "tinytest.h"
#include <stdlib.h>
#include <sys/stat.h>
#if defined(_WIN32)
#include <direct.h>
#endif

typedef struct capture { char buf[16384]; size_t len; } capture;
static int capture_write(void *user, const char *s, size_t n)
{
    capture *c = (capture *)user;
    if (c->len + n >= sizeof c->buf) n = sizeof c->buf - 1 - c->len;
    memcpy(c->buf + c->len, s, n);
    c->len += n;
    c->buf[c->len] = 0;
    return 0;
}

static int runs;
void tests_suite_review(void);
static void bench_count(cpf_bench *b) { int x = 0; runs++; while (cpf_bench_loop(b)) { x++; cpf_do_not_optimize(x); } }
static void bench_fail(cpf_bench *b) { cpf_bench_fail(b, "broken on purpose"); while (cpf_bench_loop(b)) {} }

/* A suite with three cheap benchmarks whose output goes to a buffer. */
static void make_suite(cpf_suite *s, capture *c)
{
    cpf_suite_init(s, "t");
    memset(c, 0, sizeof *c);
    cpf_suite_set_output(s, capture_write, c);
    cpf_suite_add(s, "parse/small", bench_count, NULL);
    cpf_suite_add(s, "parse/large", bench_count, NULL);
    cpf_suite_add(s, "copy/64", bench_count, NULL);
}

static int run_with(const char *a1, const char *a2, capture *c)
{
    cpf_suite s;
    char *argv[5];
    int argc = 1;
    argv[0] = (char *)"prog";
    if (a1) argv[argc++] = (char *)a1;
    if (a2) argv[argc++] = (char *)a2;
    argv[argc] = NULL;
    make_suite(&s, c);
    runs = 0;
    cpf_suite_run(&s, argc, argv);
    return cpf_suite_finish(&s);
}

static void test_filter_matches_substrings_globs_lists_and_exclusions(void)
{
    CHECK(cpf_filter_match(NULL, "a"));
    CHECK(cpf_filter_match("", "a"));
    CHECK(cpf_filter_match("pars", "parse/small"));
    CHECK(!cpf_filter_match("copy", "parse/small"));
    CHECK(cpf_filter_match("parse/*", "parse/small"));
    CHECK(!cpf_filter_match("*/64x", "copy/64"));
    CHECK(cpf_filter_match("*/6?", "copy/64"));
    CHECK(!cpf_filter_match("parse", "copy/64"));
    CHECK(cpf_filter_match("copy,parse", "copy/64"));
    CHECK(cpf_filter_match("copy,parse", "parse/x"));
    CHECK(!cpf_filter_match("parse,-large", "parse/large"));
    CHECK(cpf_filter_match("parse,-large", "parse/small"));
    CHECK(cpf_filter_match("-large", "copy/64"));       /* only exclusions: all others */
    CHECK(cpf_filter_match("a*b*c", "aXXbYYc"));
    CHECK(!cpf_filter_match("a*b*c", "aXXbYYcd"));
}

static void test_filter_flag_selects_benchmarks(void)
{
    capture c;
    CHECK(run_with("--filter=parse/*", "--quick", &c) == 0);
    CHECK(runs == 2);
    CHECK(strstr(c.buf, "parse/small") && strstr(c.buf, "parse/large") && !strstr(c.buf, "copy/64"));
}

static void test_filter_from_environment_and_flag_wins(void)
{
    capture c;
#if defined(_WIN32)
    _putenv("CORALPERF_FILTER=copy");
#else
    setenv("CORALPERF_FILTER", "copy", 1);
#endif
    CHECK(run_with("--quick", NULL, &c) == 0);
    CHECK(runs == 1);
    CHECK(run_with("--quick", "--filter=parse/small", &c) == 0);
    CHECK(runs == 1 && strstr(c.buf, "parse/small"));
#if defined(_WIN32)
    _putenv("CORALPERF_FILTER=");
#else
    unsetenv("CORALPERF_FILTER");
#endif
}

static void test_unknown_flag_is_a_usage_error_and_runs_nothing(void)
{
    capture c;
    CHECK(run_with("--bogus", NULL, &c) == 1);
    CHECK(runs == 0);
    CHECK(run_with("--quick", "filter=x", &c) == 1);
    CHECK(runs == 0);
}

static void test_bad_flag_values_are_usage_errors(void)
{
    capture c;
    const char *bad[] = { "--samples=0", "--samples=abc", "--samples=1.5", "--samples", "--budget-ms=-1",
                          "--budget-ms=", "--json=", "--json", "--csv=", "--markdown=", "--filter" };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_MSG(run_with(bad[i], NULL, &c) == 1, "%s accepted", bad[i]);
        CHECK_MSG(runs == 0, "%s ran benchmarks", bad[i]);
    }
}

static void test_usage_error_message_names_the_flag(void)
{
    cpf_suite s;
    capture c;
    char *argv[] = { (char *)"prog", (char *)"--samples=zero", NULL };
    make_suite(&s, &c);
    CHECK(cpf_suite_run(&s, 2, argv) == CPF_ERR_USAGE);
    CHECK(strstr(cpf_suite_message(&s), "--samples") != NULL);
    CHECK(cpf_suite_finish(&s) == 1);
}

static void test_list_prints_names_and_runs_nothing(void)
{
    capture c;
    CHECK(run_with("--list", "--filter=parse", &c) == 0);
    CHECK(runs == 0);
    CHECK_STR(c.buf, "parse/small\nparse/large\n");
}

static void test_help_prints_usage_and_runs_nothing(void)
{
    capture c;
    CHECK(run_with("--help", NULL, &c) == 0);
    CHECK(runs == 0);
    CHECK(strstr(c.buf, "--filter=") && strstr(c.buf, "--json=") && strstr(c.buf, "exit codes"));
}

static void test_filter_matching_nothing_fails(void)
{
    capture c;
    cpf_suite s;
    char *argv[] = { (char *)"prog", (char *)"--filter=nothing*", NULL };
    make_suite(&s, &c);
    runs = 0;
    CHECK(cpf_suite_run(&s, 2, argv) != CPF_OK);
    CHECK(strstr(cpf_suite_message(&s), "no benchmark matches") != NULL);
    CHECK(cpf_suite_finish(&s) == 1);
    CHECK(runs == 0);
}

static void test_duplicate_names_are_refused(void)
{
    cpf_suite s;
    capture c;
    char *argv[] = { (char *)"prog", (char *)"--quick", NULL };
    make_suite(&s, &c);
    CHECK(cpf_suite_add(&s, "copy/64", bench_count, NULL) == CPF_ERR_DUPLICATE);
    runs = 0;
    CHECK(cpf_suite_run(&s, 2, argv) == CPF_ERR_DUPLICATE);
    CHECK(runs == 0);
    CHECK(strstr(cpf_suite_message(&s), "copy/64") != NULL);
    CHECK(cpf_suite_finish(&s) == 1);
}

static void test_failing_benchmark_makes_exit_code_1_and_others_still_run(void)
{
    cpf_suite s;
    capture c;
    char *argv[] = { (char *)"prog", (char *)"--quick", NULL };
    make_suite(&s, &c);
    cpf_suite_add(&s, "zz/fails", bench_fail, NULL);
    runs = 0;
    cpf_suite_run(&s, 2, argv);
    CHECK(runs == 3);
    CHECK(cpf_suite_result_count(&s) == 4);
    CHECK(cpf_suite_find(&s, "zz/fails") && cpf_suite_find(&s, "zz/fails")->status == CPF_ERR_BENCH);
    CHECK(strstr(c.buf, "broken on purpose") != NULL);
    CHECK(cpf_suite_finish(&s) == 1);
}

static void test_zeroed_suite_is_usable(void)
{
    cpf_suite s;
    capture c;
    char *argv[] = { (char *)"prog", (char *)"--quick", NULL };
    memset(&s, 0, sizeof s);
    memset(&c, 0, sizeof c);
    CHECK(cpf_suite_add(&s, "one", bench_count, NULL) == CPF_OK);
    cpf_suite_set_output(&s, capture_write, &c);
    CHECK(cpf_suite_run(&s, 2, argv) == CPF_OK);
    CHECK(cpf_suite_result_count(&s) == 1);
    CHECK(cpf_suite_finish(&s) == 0);
}

static void bench_arg(cpf_bench *b)
{
    int64_t *seen = (int64_t *)cpf_bench_ctx(b);
    seen[runs++] = cpf_bench_arg(b);
    while (cpf_bench_loop(b)) {}
}

static void test_range_registers_geometric_args_including_the_end(void)
{
    cpf_suite s;
    capture c;
    int64_t seen[16];
    char *argv[] = { (char *)"prog", (char *)"--list", NULL };
    char *argv2[] = { (char *)"prog", (char *)"--quick", NULL };
    cpf_suite_init(&s, "r");
    memset(&c, 0, sizeof c);
    cpf_suite_set_output(&s, capture_write, &c);
    CHECK(cpf_suite_add_range(&s, "x", bench_arg, seen, NULL, 1, 100, 8) == CPF_OK);
    cpf_suite_run(&s, 2, argv);
    CHECK_STR(c.buf, "x/1\nx/8\nx/64\nx/100\n");
    cpf_suite_finish(&s);

    cpf_suite_init(&s, "r");
    cpf_suite_set_output(&s, capture_write, &c);
    cpf_suite_add_range(&s, "x", bench_arg, seen, NULL, 1, 100, 8);
    runs = 0;
    cpf_suite_run(&s, 2, argv2);
    CHECK(runs == 4 && seen[0] == 1 && seen[1] == 8 && seen[2] == 64 && seen[3] == 100);
    CHECK(cpf_suite_find(&s, "x/64") && cpf_suite_find(&s, "x/64")->arg == 64);
    CHECK(cpf_suite_find(&s, "x/64")->has_arg == 1);
    cpf_suite_finish(&s);
}

static void test_bad_registrations_are_refused(void)
{
    cpf_suite s;
    int64_t none[1] = { 0 };
    cpf_suite_init(&s, "bad");
    CHECK(cpf_suite_add(&s, "", bench_count, NULL) == CPF_ERR_ARG);
    CHECK(cpf_suite_add(&s, "x", NULL, NULL) == CPF_ERR_ARG);
    CHECK(cpf_suite_add_range(&s, "r", bench_count, NULL, NULL, 0, 10, 2) == CPF_ERR_ARG);
    CHECK(cpf_suite_add_range(&s, "r", bench_count, NULL, NULL, 10, 1, 2) == CPF_ERR_ARG);
    CHECK(cpf_suite_add_range(&s, "r", bench_count, NULL, NULL, 1, 10, 1) == CPF_ERR_ARG);
    CHECK(cpf_suite_add_args(&s, "a", bench_count, NULL, NULL, none, 0) == CPF_ERR_ARG);
    CHECK(strstr(cpf_suite_message(&s), "no arguments") != NULL);
    CHECK(cpf_suite_finish(&s) == 1);
}

static void test_unwritable_report_path_fails_before_running(void)
{
    capture c;
    CHECK(run_with("--json=/nonexistent-dir/x/out.json", NULL, &c) == 1);
    CHECK(runs == 0);
    CHECK(run_with("--csv=/nonexistent-dir/x/out.csv", "--quick", &c) == 1);
    CHECK(runs == 0);
}

void tests_suite(void)
{
    RUN(test_filter_matches_substrings_globs_lists_and_exclusions);
    RUN(test_filter_flag_selects_benchmarks);
    RUN(test_filter_from_environment_and_flag_wins);
    RUN(test_unknown_flag_is_a_usage_error_and_runs_nothing);
    RUN(test_bad_flag_values_are_usage_errors);
    RUN(test_usage_error_message_names_the_flag);
    RUN(test_list_prints_names_and_runs_nothing);
    RUN(test_help_prints_usage_and_runs_nothing);
    RUN(test_filter_matching_nothing_fails);
    RUN(test_duplicate_names_are_refused);
    RUN(test_failing_benchmark_makes_exit_code_1_and_others_still_run);
    RUN(test_zeroed_suite_is_usable);
    RUN(test_range_registers_geometric_args_including_the_end);
    RUN(test_bad_registrations_are_refused);
    RUN(test_unwritable_report_path_fails_before_running);
    tests_suite_review();
}

/* --- behaviours fixed after review ---------------------------------------- */
static void test_command_line_budget_wins_over_quick_mode(void)
{
    cpf_suite s;
    capture c;
    char *argv[] = { (char *)"prog", (char *)"--quick", (char *)"--budget-ms=300", (char *)"--filter=copy", NULL };
    make_suite(&s, &c);
    cpf_suite_run(&s, 4, argv);
    /* the benchmark must not claim a 20 ms budget that the user overrode */
    CHECK(cpf_suite_find(&s, "copy/64") != NULL);
    CHECK(strstr(c.buf, "20 ms budget") == NULL);
    cpf_suite_finish(&s);
}

static void test_max_samples_below_default_minimum_is_honoured(void)
{
    cpf_bench_opts o;
    cpf_result r;
    memset(&o, 0, sizeof o);
    o.max_samples = 10;
    o.min_sample_ms = 0.2;
    o.target_ci = -1;          /* never stop early: run to max_samples */
    CHECK(cpf_bench_run("few", bench_count, NULL, &o, &r) == CPF_OK);
    CHECK_MSG(r.stats.n == 10, "n = %u", (unsigned)r.stats.n);
    cpf_result_free(&r);
}

static void test_list_with_a_filter_matching_nothing_is_an_error(void)
{
    capture c;
    CHECK(run_with("--list", "--filter=zzz", &c) == 1);
    CHECK(c.len == 0);
}

static int dir_exists(const char *path)
{
    struct stat st;
    #if defined(_WIN32)
    return stat(path, &st) == 0 && (st.st_mode & _S_IFMT) == _S_IFDIR;
#else
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
#endif
}

static void test_report_save_replaces_files_and_never_removes_what_it_cannot_replace(void)
{
    cpf_suite s;
    capture c;
    FILE *f;
    char buf[16] = { 0 };
    char *argv[] = { (char *)"prog", (char *)"--quick", (char *)"--filter=copy", NULL };
    const char *prev = "build/test/prev_report.json", *dir = "build/test/report_dir";
    make_suite(&s, &c);
    cpf_suite_run(&s, 3, argv);
    /* an existing report is replaced as a whole */
    f = fopen(prev, "wb");
    if (f) { fputs("previous", f); fclose(f); }
    CHECK(cpf_report_save(&s, CPF_REPORT_JSON, prev) == CPF_OK);
    f = fopen(prev, "rb");
    CHECK(f != NULL);
    if (f) { CHECK(fread(buf, 1, 1, f) == 1 && buf[0] == '{'); fclose(f); }
    remove(prev);
    /* a path that cannot be replaced: error with the path, the directory stays */
#if defined(_WIN32)
    _mkdir(dir);
#else
    mkdir(dir, 0755);
#endif
    CHECK(dir_exists(dir));
    CHECK(cpf_report_save(&s, CPF_REPORT_JSON, dir) == CPF_ERR_IO);
    CHECK(strstr(cpf_suite_message(&s), "report_dir") != NULL);
    CHECK(dir_exists(dir));
    CHECK(cpf_report_save(&s, CPF_REPORT_JSON, "build/test/no-such-dir/r.json") == CPF_ERR_IO);
    CHECK(strstr(cpf_suite_message(&s), "no-such-dir") != NULL);
    cpf_suite_finish(&s);
}

void tests_suite_review(void)
{
    RUN(test_command_line_budget_wins_over_quick_mode);
    RUN(test_max_samples_below_default_minimum_is_honoured);
    RUN(test_list_with_a_filter_matching_nothing_is_an_error);
    RUN(test_report_save_replaces_files_and_never_removes_what_it_cannot_replace);
}
