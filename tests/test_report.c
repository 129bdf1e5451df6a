/* Reports: every format escapes hostile names; JSON has Google Benchmark's
   shape; CSV round-trips through an RFC 4180 reader; Markdown keeps its
   columns. (tests/run.sh also feeds the JSON to python's json and to Google
   Benchmark's compare.py.) */
#include "coralperf.h"
#include "tinytest.h"
#include <stdlib.h>

typedef tt_capture capture; /* suite output into memory (tinytest.h) */

#define HOSTILE "say \"hi\", a|b\tc\nd\\e \xc3\xa9\xe2\x86\x92 \xff<x>*_"

static void bench_nop(cpf_bench *b) { int x = 0; while (cpf_bench_loop(b)) { x++; cpf_do_not_optimize(x); } }

static void run_suite(cpf_suite *s)
{
    char *argv[] = { (char *)"prog", (char *)"--quick", (char *)"--samples=3", NULL };
    capture sink = { NULL, 0, 0 };
    cpf_bench_opts o;
    memset(&o, 0, sizeof o);
    o.bytes_per_op = 64;
    cpf_suite_init(s, "report \"suite\"");
    cpf_suite_set_output(s, tt_capture_write, &sink);
    cpf_suite_add(s, "plain", bench_nop, NULL);
    cpf_suite_add_opts(s, HOSTILE, bench_nop, NULL, &o);
    cpf_suite_run(s, 3, argv);
    free(sink.buf);
}

static char *report(const cpf_suite *s, cpf_report_format f)
{
    capture c = { NULL, 0, 0 };
    CHECK(cpf_report_write(s, f, tt_capture_write, &c) == CPF_OK);
    return c.buf ? c.buf : (char *)calloc(1, 1);
}

static void test_json_escapes_names_and_replaces_invalid_utf8(void)
{
    cpf_suite s;
    char *j;
    run_suite(&s);
    j = report(&s, CPF_REPORT_JSON);
    CHECK(strstr(j, "\"name\": \"say \\\"hi\\\", a|b\\tc\\nd\\\\e \xc3\xa9\xe2\x86\x92 \\ufffd<x>*_\"") != NULL);
    CHECK(strstr(j, "\"suite\": \"report \\\"suite\\\"\"") != NULL);
    CHECK(strchr(j, '\xff') == NULL);
    CHECK(strchr(j, '\t') == NULL);
    free(j);
    cpf_suite_finish(&s);
}

static void test_json_has_google_benchmark_shape(void)
{
    cpf_suite s;
    char *j;
    run_suite(&s);
    j = report(&s, CPF_REPORT_JSON);
    CHECK(strstr(j, "\"context\": {") && strstr(j, "\"benchmarks\": ["));
    CHECK(strstr(j, "\"run_type\": \"iteration\"") && strstr(j, "\"run_type\": \"aggregate\""));
    CHECK(strstr(j, "\"aggregate_name\": \"median\""));
    CHECK(strstr(j, "\"time_unit\": \"ns\"") && strstr(j, "\"real_time\": ") && strstr(j, "\"cpu_time\": "));
    CHECK(strstr(j, "\"repetition_index\": 2"));      /* 3 samples as repetitions 0..2 */
    CHECK(!strstr(j, "\"repetition_index\": 3"));
    CHECK(strstr(j, "\"bytes_per_second\": "));
    CHECK(strstr(j, "\"cpf_ci95_lo_ns\": "));
    CHECK(!strstr(j, "nan") && !strstr(j, "inf"));
    free(j);
    cpf_suite_finish(&s);
}

/* Minimal RFC 4180 reader: the first field of data row `row` (0-based). */
static char *csv_first_field(const char *p, int row)
{
    static char out[512];
    int r = -1;
    for (;;) {
        size_t n = 0;
        int quoted = 0;
        if (!*p) return NULL;
        if (*p == '"') { quoted = 1; p++; }
        for (;;) {
            if (quoted) {
                if (*p == '"' && p[1] == '"') { out[n++] = '"'; p += 2; }
                else if (*p == '"') { p++; break; }
                else if (!*p) return NULL;
                else out[n++] = *p++;
            } else {
                if (*p == ',' || *p == '\r' || *p == '\n' || !*p) break;
                out[n++] = *p++;
            }
        }
        out[n] = 0;
        if (r == row) return out;
        /* skip the rest of the record, honouring quotes */
        quoted = 0;
        while (*p && !(!quoted && *p == '\n')) { if (*p == '"') quoted = !quoted; p++; }
        if (*p) p++;
        r++;
    }
}

static void test_instruction_counts_appear_only_when_measured(void)
{
    cpf_suite s;
    char *j, *c;
    size_t i;
    run_suite(&s);
    for (i = 0; i < cpf_suite_result_count(&s); i++) s.results[i].has_instructions = 0;
    j = report(&s, CPF_REPORT_JSON);
    c = report(&s, CPF_REPORT_CONSOLE);
    CHECK(!strstr(j, "instructions"));
    CHECK(!strstr(c, "instructions"));
    free(j); free(c);
    s.results[0].has_instructions = 1;
    s.results[0].instructions_per_op = 1234.25;
    j = report(&s, CPF_REPORT_JSON);
    c = report(&s, CPF_REPORT_CONSOLE);
    CHECK(strstr(j, "\"instructions_per_op\": 1234.25") != NULL);
    CHECK(strstr(j, "instructions_per_op") && !strstr(strstr(j, "instructions_per_op") + 1, "instructions_per_op"));
    CHECK(strstr(c, "instructions: perf_event_open") && strstr(c, "instructions: perf_event_open") < strchr(c, '\n'));
    free(j); free(c);
    cpf_suite_finish(&s);
}

static void test_csv_round_trips_hostile_names(void)
{
    cpf_suite s;
    char *c, *f;
    run_suite(&s);
    c = report(&s, CPF_REPORT_CSV);
    CHECK(strncmp(c, "name,status,samples,", 20) == 0);
    f = csv_first_field(c, 0);
    CHECK_STR(f, "plain");
    f = csv_first_field(c, 1);
    CHECK_STR(f, HOSTILE);
    free(c);
    cpf_suite_finish(&s);
}

static void bench_breaks(cpf_bench *b) { cpf_bench_fail(b, "bad, \"input\"\nline 2"); while (cpf_bench_loop(b)) {} }

static void test_csv_failed_rows_have_every_column(void)
{
    cpf_suite s;
    char *argv[] = { (char *)"prog", (char *)"--quick", NULL };
    capture sink = { NULL, 0, 0 };
    char *c, *p;
    int cols = 1, quoted = 0, header_cols = 0;
    cpf_suite_init(&s, "csv");
    cpf_suite_set_output(&s, tt_capture_write, &sink);
    cpf_suite_add(&s, "broken", bench_breaks, NULL);
    cpf_suite_run(&s, 2, argv);
    c = report(&s, CPF_REPORT_CSV);
    for (p = c; *p; p++) {
        if (*p == '"') quoted = !quoted;
        else if (!quoted && *p == ',') cols++;
        else if (!quoted && *p == '\n') { if (!header_cols) header_cols = cols; cols = 1; }
    }
    CHECK(header_cols == 25);
    CHECK_MSG(cols == 1 && strstr(c, "broken,failed,") != NULL, "%s", c);
    /* count the data row's columns: it ends with the quoted message */
    {
        char *row = strstr(c, "broken,failed,");
        int n = 1;
        quoted = 0;
        for (p = row; *p && !( !quoted && *p == '\r'); p++) {
            if (*p == '"') quoted = !quoted;
            else if (!quoted && *p == ',') n++;
        }
        CHECK_MSG(n == 25, "failed row has %d columns", n);
        CHECK(strstr(row, "\"bad, \"\"input\"\"\nline 2\",,,") != NULL);
    }
    free(c);
    free(sink.buf);
    CHECK(cpf_suite_finish(&s) == 1);
}

static void test_markdown_keeps_columns_with_pipes_and_newlines_in_names(void)
{
    cpf_suite s;
    char *m, *line;
    int lines = 0;
    run_suite(&s);
    m = report(&s, CPF_REPORT_MARKDOWN);
    CHECK(strstr(m, "a\\|b") != NULL);
    CHECK(strstr(m, "c<br>d") != NULL);
    CHECK(strstr(m, "&lt;x&gt;\\*\\_") != NULL);
    CHECK(strncmp(m, "### coralperf: report \"suite\"\n", 30) == 0); /* one heading per suite */
    /* every table line has the same number of unescaped pipes (9 for 8 columns) */
    for (line = strtok(m, "\n"); line; line = strtok(NULL, "\n")) {
        int pipes = 0;
        const char *p;
        if (line[0] != '|') continue; /* the heading and the rankings */
        for (p = line; *p; p++) {
            if (*p == '\\' && p[1]) { p++; continue; }
            if (*p == '|') pipes++;
        }
        CHECK_MSG(pipes == 9, "line '%s' has %d pipes", line, pipes);
        lines++;
    }
    CHECK(lines == 4);
    free(m);
    cpf_suite_finish(&s);
}

static void test_console_shows_control_characters_as_escapes(void)
{
    cpf_suite s;
    char *t;
    run_suite(&s);
    t = report(&s, CPF_REPORT_CONSOLE);
    CHECK(strstr(t, "a|b\\tc\\nd\\e") != NULL);
    CHECK(strstr(t, "median/op") != NULL);
    CHECK(strstr(t, "2 benchmarks, 0 failed") != NULL);
    free(t);
    cpf_suite_finish(&s);
}

static void test_report_save_reports_io_errors(void)
{
    cpf_suite s;
    run_suite(&s);
    CHECK(cpf_report_save(&s, CPF_REPORT_JSON, "/nonexistent-dir/r.json") == CPF_ERR_IO);
    CHECK(strstr(cpf_suite_message(&s), "/nonexistent-dir/r.json") != NULL);
    CHECK(cpf_report_write(&s, (cpf_report_format)42, tt_capture_write, NULL) == CPF_ERR_ARG);
    cpf_suite_finish(&s);
}

void tests_report(void)
{
    RUN(test_json_escapes_names_and_replaces_invalid_utf8);
    RUN(test_json_has_google_benchmark_shape);
    RUN(test_instruction_counts_appear_only_when_measured);
    RUN(test_csv_round_trips_hostile_names);
    RUN(test_csv_failed_rows_have_every_column);
    RUN(test_markdown_keeps_columns_with_pipes_and_newlines_in_names);
    RUN(test_console_shows_control_characters_as_escapes);
    RUN(test_report_save_reports_io_errors);
}
