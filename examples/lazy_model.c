/* lazy_model.c - an application's start-up path with an embedding model:
   start loading in the background at program start, answer metadata
   questions at once, check the status for free, use the model when ready.
   Prints what each step costs.

   build: cc -O2 -I. -I/usr/include/stb examples/lazy_model.c -lm -pthread -o lazy_model */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <stdio.h>
#include <stdlib.h>

#define DIM 384
#define VOCAB 20000

typedef struct embedder { int dim, vocab; float *weights; } embedder;

/* Stands in for reading ~30 MB of weights from disk and parsing them. */
static cpf_status load_embedder(cpf_lazy *l, void *ctx, void **out)
{
    embedder *m = (embedder *)malloc(sizeof *m);
    size_t i, n = (size_t)DIM * VOCAB;
    (void)ctx;
    if (!m) return CPF_ERR_NOMEM;
    m->dim = DIM;
    m->vocab = VOCAB;
    m->weights = (float *)malloc(n * sizeof *m->weights);
    if (!m->weights) { free(m); cpf_lazy_set_error(l, "no memory for the weights"); return CPF_ERR_NOMEM; }
    for (i = 0; i < n; i++) {
        m->weights[i] = (float)((i * 2654435761u) % 1000u) / 1000.0f;
        if (i % (n / 20) == 0) { cpf_lazy_set_progress(l, (double)i / (double)n); cpf_sleep_ms(15); }
    }
    *out = m;
    return CPF_OK;
}

static void free_embedder(void *ctx, void *res)
{
    embedder *m = (embedder *)res;
    (void)ctx;
    free(m->weights);
    free(m);
}

/* Mean of the token vectors: the "embedding" of a text. */
static void embed(const embedder *m, const int *tokens, int n, float *out)
{
    int d, t;
    for (d = 0; d < m->dim; d++) out[d] = 0.0f;
    for (t = 0; t < n; t++)
        for (d = 0; d < m->dim; d++) out[d] += m->weights[(size_t)tokens[t] * (size_t)m->dim + (size_t)d] / (float)n;
}

int main(void)
{
    cpf_lazy model;
    cpf_lazy_opts o;
    uint64_t t0, t1;
    int64_t dim = 0;
    char name[64];
    int checks = 0, i;
    void *res = NULL;
    float vec[DIM];
    int tokens[5] = { 17, 512, 9000, 42, 1999 };

    memset(&o, 0, sizeof o);
    o.name = "mini-embedder";
    o.strategy = CPF_LAZY_BACKGROUND;
    o.on_failure = CPF_LAZY_RETRY;
    o.load = load_embedder;
    o.destroy = free_embedder;

    t0 = cpf_now_ns();
    if (cpf_lazy_init(&model, &o) != CPF_OK) { fprintf(stderr, "cannot start the loader\n"); return 1; }
    cpf_lazy_set_meta_int(&model, "dim", DIM);
    cpf_lazy_set_meta_text(&model, "name", "mini-embedder-v2");
    t1 = cpf_now_ns();
    printf("start-up: loader started in the background in %.1f us\n", (double)(t1 - t0) / 1e3);

    t0 = cpf_now_ns();
    cpf_lazy_meta_int(&model, "dim", &dim);
    cpf_lazy_meta_text(&model, "name", name, sizeof name);
    t1 = cpf_now_ns();
    printf("metadata while loading: %s, dim %lld (%.0f ns, model not touched)\n", name, (long long)dim, (double)(t1 - t0));

    t0 = cpf_now_ns();
    for (i = 0; i < 1000000; i++) checks += cpf_lazy_is_loaded(&model);
    t1 = cpf_now_ns();
    printf("status check: %.2f ns per cpf_lazy_is_loaded (1e6 calls); loading %.0f%% done\n",
           (double)(t1 - t0) / 1e6, 100.0 * cpf_lazy_progress(&model));

    t0 = cpf_now_ns();
    if (cpf_lazy_get(&model, &res) != CPF_OK) {
        char msg[256];
        cpf_lazy_last_error(&model, msg, sizeof msg);
        fprintf(stderr, "model failed to load: %s\n", msg);
        cpf_lazy_free(&model);
        return 1;
    }
    t1 = cpf_now_ns();
    printf("first use: waited %.1f ms for the background load to finish\n", (double)(t1 - t0) / 1e6);

    embed((const embedder *)res, tokens, 5, vec);
    printf("embedding of 5 tokens: [%.3f, %.3f, %.3f, ...] (%d values)\n", vec[0], vec[1], vec[2], DIM);

    t0 = cpf_now_ns();
    for (i = 0; i < 1000000; i++) { void *r; cpf_lazy_get(&model, &r); cpf_do_not_optimize(r); }
    t1 = cpf_now_ns();
    printf("later uses: %.2f ns per cpf_lazy_get once loaded; loaded %d time(s)\n",
           (double)(t1 - t0) / 1e6, (int)cpf_atomic32_load(&model.loads));
    (void)checks;
    cpf_lazy_free(&model);
    return 0;
}
