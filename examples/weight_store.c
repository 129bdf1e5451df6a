/* weight_store.c - a model-weights store: which tensors of a new checkpoint
   are already stored (exact duplicates), which are a fine-tune of a stored
   one (store an XOR delta instead), and how fast can we tell?

   Five synthetic checkpoints of 62 float32 tensors (40 x 100x100, 20 x
   200x200, 2 x 1000x1000). From one checkpoint to the next, each tensor is
   kept as is (50%), fine-tuned (40%: relative noise 1e-3 on 5% of its
   elements) or retrained (10%). The generator knows the truth, so the
   near-duplicate recall is measured, not assumed.

   build: cc -O2 -I. -I/usr/include/stb examples/weight_store.c -lm -pthread -o weight_store */
#define CORALPERF_IMPLEMENTATION
#include "coralperf.h"

#include <stdio.h>
#include <stdlib.h>

enum { SLOTS = 62, VERSIONS = 5 };

typedef struct tensor {
    int64_t dims[2];
    float *data;       /* owned when fresh, else shared with the previous version */
    int owned;
    uint64_t lineage;  /* ground truth: fine-tunes keep their parent's lineage */
    int finetuned;     /* ground truth: a near-duplicate of the previous version */
} tensor;

static uint64_t rng(uint64_t *s) { *s ^= *s >> 12; *s ^= *s << 25; *s ^= *s >> 27; return *s * 0x2545F4914F6CDD1Dull; }
static double unif(uint64_t *s) { return (double)(rng(s) >> 11) / 9007199254740992.0; } /* [0, 1) */

static int side_of(int slot) { return slot < 40 ? 100 : slot < 60 ? 200 : 1000; }

/* version v of a slot, from the previous version (NULL for the first) */
static int make(tensor *t, const tensor *prev, int slot, uint64_t *s, uint64_t *lineages)
{
    size_t i, n;
    double pick = prev ? unif(s) : 1.0;
    t->dims[0] = t->dims[1] = side_of(slot);
    n = (size_t)t->dims[0] * (size_t)t->dims[1];
    t->finetuned = 0;
    if (prev && pick < 0.5) { *t = *prev; t->owned = 0; t->finetuned = 0; return 1; } /* kept */
    t->data = (float *)malloc(n * sizeof(float));
    t->owned = 1;
    if (!t->data) return 0;
    if (prev && pick < 0.9) { /* fine-tuned */
        for (i = 0; i < n; i++)
            t->data[i] = unif(s) < 0.05 ? (float)(prev->data[i] * (1.0 + 1e-3 * (2 * unif(s) - 1))) : prev->data[i];
        t->lineage = prev->lineage;
        t->finetuned = 1;
    } else { /* first version or retrained */
        for (i = 0; i < n; i++) t->data[i] = (float)(2 * unif(s) - 1) * 0.05f;
        t->lineage = (*lineages)++;
    }
    return 1;
}

static int out_stdout(void *user, const char *s, size_t n) { (void)user; return fwrite(s, 1, n, stdout) == n ? 0 : 1; }

int main(void)
{
    static tensor store[VERSIONS][SLOTS];
    uint64_t seed = 42, lineages = 0, t0, t1;
    double bytes = 0;
    int v, k, tensors = 0, truth = 0, found = 0, false_conf = 0;
    cpf_dedup exact;
    cpf_neardup nd;
    cpf_dedup_stats es;
    cpf_neardup_stats ns;

    for (v = 0; v < VERSIONS; v++)
        for (k = 0; k < SLOTS; k++)
            if (!make(&store[v][k], v ? &store[v - 1][k] : NULL, k, &seed, &lineages)) { printf("out of memory\n"); return 1; }

    /* The store keeps every tensor it indexed alive (the near-duplicate
       check reads the base again); set opts.keep_copy to let it copy. */
    cpf_dedup_init(&exact, NULL);
    cpf_neardup_init(&nd, NULL);
    t0 = cpf_now_ns();
    for (v = 0; v < VERSIONS; v++) {
        for (k = 0; k < SLOTS; k++) {
            const tensor *t = &store[v][k];
            size_t nbytes = (size_t)(t->dims[0] * t->dims[1]) * sizeof(float);
            cpf_dedup_result dr;
            cpf_neardup_result nr;
            cpf_dedup_add_id(&exact, cpf_tensor_id(CPF_DTYPE_F32, t->dims, 2, t->data, nbytes), t->data, nbytes, &dr);
            tensors++;
            bytes += (double)nbytes;
            truth += t->finetuned;
            if (dr.duplicate) continue; /* stored already: nothing to do */
            cpf_neardup_add(&nd, CPF_DTYPE_F32, t->dims, 2, t->data, t->lineage, &nr);
            if (nr.is_near && t->finetuned && nr.base_tag == t->lineage) found++;
            else if (nr.is_near) false_conf++;
        }
    }
    t1 = cpf_now_ns();

    cpf_dedup_stats_get(&exact, &es);
    cpf_neardup_stats_get(&nd, &ns);
    printf("%d tensors, %.1f MB in %.1f ms: %.0f tensors/s, %.2f GB/s (one core, exact + near-duplicate)\n", tensors,
           bytes / 1e6, (double)(t1 - t0) / 1e6, tensors / ((double)(t1 - t0) * 1e-9), bytes / (double)(t1 - t0));
    printf("byte dedup ratio %.2fx (exact duplicates), near-duplicate recall %.1f%% (%d of %d fine-tunes), "
           "%d false confirmations\n", es.byte_ratio, truth ? 100.0 * found / truth : 100.0, found, truth, false_conf);
    printf("delta compression ratio %.1fx (%s): fine-tunes take %.1f MB as XOR deltas instead of %.1f MB\n",
           ns.delta_ratio, cpf_neardup_packer_name(ns.packed_by), (double)ns.delta_packed_bytes / 1e6,
           (double)ns.near_bytes / 1e6);
    printf("store: %.1f MB of %.1f MB (%.1f%% saved)\n\n",
           (double)(es.unique_bytes - ns.near_bytes + ns.delta_packed_bytes) / 1e6, bytes / 1e6,
           100.0 * (1.0 - (double)(es.unique_bytes - ns.near_bytes + ns.delta_packed_bytes) / bytes));
    cpf_dedup_report_write(&es, &ns, CPF_REPORT_CONSOLE, out_stdout, NULL);

    cpf_neardup_free(&nd);
    cpf_dedup_free(&exact);
    for (v = 0; v < VERSIONS; v++)
        for (k = 0; k < SLOTS; k++)
            if (store[v][k].owned) free(store[v][k].data);
    return found == truth && false_conf == 0 ? 0 : 1;
}
