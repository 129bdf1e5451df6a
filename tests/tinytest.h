/* tinytest.h - the test runner of coralperf's own tests.
   One behaviour per test function; CHECK* record failures with file:line and
   keep going; the runner prints "N passed, N failed" as its last line. */
#ifndef TINYTEST_H
#define TINYTEST_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tt_state { int failed_checks; int passed, failed; const char *current; } tt_state;
extern tt_state tt;

#define CHECK(cond) do { if (!(cond)) { tt.failed_checks++; \
    printf("    %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_MSG(cond, ...) do { if (!(cond)) { tt.failed_checks++; \
    printf("    %s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); printf(__VA_ARGS__); printf("\n"); } } while (0)
/* |a - b| <= tol */
#define CHECK_NEAR(a, b, tol) do { double tt_a = (double)(a), tt_b = (double)(b); \
    if (!(fabs(tt_a - tt_b) <= (tol))) { tt.failed_checks++; \
    printf("    %s:%d: CHECK_NEAR(%s, %s) failed: %.17g vs %.17g (tol %g)\n", __FILE__, __LINE__, #a, #b, tt_a, tt_b, (double)(tol)); } } while (0)
#define CHECK_STR(a, b) do { const char *tt_a = (a), *tt_b = (b); \
    if (!tt_a || !tt_b || strcmp(tt_a, tt_b) != 0) { tt.failed_checks++; \
    printf("    %s:%d: CHECK_STR(%s, %s) failed:\n      got      \"%s\"\n      expected \"%s\"\n", __FILE__, __LINE__, #a, #b, tt_a ? tt_a : "(null)", tt_b ? tt_b : "(null)"); } } while (0)

/* Output captured into memory (cpf_suite_set_output(&s, tt_capture_write, &c));
   c.buf is NUL-terminated, NULL before the first write; free it. */
typedef struct tt_capture { char *buf; size_t len, cap; } tt_capture;
static inline int tt_capture_write(void *user, const char *s, size_t n)
{
    tt_capture *c = (tt_capture *)user;
    if (c->len + n + 1 > c->cap) {
        size_t cap = (c->len + n + 1) * 2;
        char *nb = (char *)realloc(c->buf, cap);
        if (!nb) return -1;
        c->buf = nb;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, s, n);
    c->len += n;
    c->buf[c->len] = 0;
    return 0;
}

#define RUN(fn) do { int tt_before = tt.failed_checks; tt.current = #fn; fn(); \
    if (tt.failed_checks == tt_before) tt.passed++; else { tt.failed++; printf("FAIL %s\n", #fn); } } while (0)

#endif
