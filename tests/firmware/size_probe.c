/* Code-size probe for Cortex-M: a program that uses the flat and HNSW indexes over f32 and SQ8
   storage (create, train, add, search, remove, free) through the caller's allocator, built with
   arm-none-eabi-gcc -Os and linked with --gc-sections, so that only what those paths need is
   kept. Built a second time with RUV_FW_BASELINE (an empty main, same start-up and C library), the
   difference in .text is what the library costs the firmware, C library and libgcc helpers it
   pulls in included (tests/firmware/size_report.sh). */
#ifndef RUV_FW_BASELINE
#include "fw_config.h"

static unsigned char g_heap[64 * 1024];
static size_t g_top;
static void *bump(void *user, size_t size) { /* enough to link; the test uses a real arena */
    void *p = g_top + size <= sizeof g_heap ? g_heap + g_top : 0;
    (void)user;
    g_top += (size + 7) & ~(size_t)7;
    return p;
}
static void nofree(void *user, void *p, size_t size) { (void)user, (void)p, (void)size; }

static int probe(ruv_index_kind kind, ruv_quant quant, const float *v, size_t n, unsigned dim) {
    ruv_index_options cfg = ruv_index_options_init(dim);
    ruv_index *idx;
    ruv_hit hits[4];
    size_t i, got = 0;
    cfg.kind = kind;
    cfg.quant = quant;
    cfg.metric = quant == RUV_QUANT_SQ8 ? RUV_METRIC_COSINE : RUV_METRIC_L2SQ;
    cfg.alloc.alloc = bump;
    cfg.alloc.free = nofree;
    if (ruv_index_create(&cfg, &idx) != RUV_OK)
        return 1;
    if (quant == RUV_QUANT_SQ8)
        ruv_index_train(idx, n, v);
    for (i = 0; i < n; i++)
        ruv_index_add(idx, i, v + i * dim);
    ruv_index_remove(idx, 0);
    ruv_index_search(idx, v, 4, NULL, hits, &got);
    ruv_index_free(idx);
    return (int)got;
}

int main(void) {
    static volatile float v[8 * 4] = {1, 2, 3, 4};
    const float *p = (const float *)(uintptr_t)v;
    return probe(RUV_INDEX_FLAT, RUV_QUANT_NONE, p, 8, 4) +
           probe(RUV_INDEX_HNSW, RUV_QUANT_NONE, p, 8, 4) +
           probe(RUV_INDEX_FLAT, RUV_QUANT_SQ8, p, 8, 4) +
           probe(RUV_INDEX_HNSW, RUV_QUANT_SQ8, p, 8, 4);
}
#else
int main(void) { return 0; }
#endif
