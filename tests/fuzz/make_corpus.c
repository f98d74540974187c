/* Writes the fuzz seed corpus: small valid indexes of each shape (flat, HNSW; L2, cosine, IP;
   empty; with string ids, metadata and deleted nodes; quantized; typed vectors). Run from
   the repository root: cc -O1 -Itests tests/fuzz/make_corpus.c -o make_corpus -lm && ./make_corpus
   tests/fuzz/corpus
 */
#define RUVECTOR_IMPLEMENTATION
#include "../../ruvector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t g_rng = 12345;
static uint32_t g_walk_bits, g_multi; /* options of the next emit_q */
static float unit(void) {
    g_rng = g_rng * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((g_rng >> 40) & 0xFFFF) / 32768.0f - 1.0f;
}

static int emit_q(const char *dir, const char *name, ruv_index_kind kind, ruv_metric metric,
                  uint32_t dim, size_t n, int ids, int meta, size_t removed, ruv_quant q,
                  uint32_t drop) {
    ruv_index_options c = ruv_index_options_init(dim);
    ruv_index *idx;
    char path[512];
    float v[64];
    size_t i, j;
    ruv_result r;
    c.kind = kind;
    c.metric = metric;
    c.M = 4;
    c.ef_construction = 16;
    c.capacity = 4;
    c.quant = q;
    c.pq_m = 2;
    c.drop_f32 = drop;
    c.walk_bits = g_walk_bits;
    c.multi = g_multi;
    if (ruv_index_create(&c, &idx) != RUV_OK)
        return 1;
    if (q != RUV_QUANT_NONE ||
        g_walk_bits) { /* trained on 256 vectors (PQ needs one per centroid) */
        float *t = (float *)malloc(256 * dim * sizeof *t);
        if (!t)
            return 1;
        for (i = 0; i < 256 * dim; i++)
            t[i] = unit();
        r = ruv_index_train(idx, 256, t);
        free(t);
        if (r != RUV_OK)
            return 1;
    }
    for (i = 0; i < n; i++) {
        ruv_item it;
        char id[24], m[24];
        memset(&it, 0, sizeof it);
        for (j = 0; j < dim; j++)
            v[j] = unit();
        it.key = g_multi ? i / 3 * 11 + 1 : i * 11 + 1;
        it.vector = v;
        if (ids && i % 2) {
            it.id_len = (size_t)snprintf(id, sizeof id, "doc-%zu", i);
            it.id = id;
        }
        if (meta && i % 3) {
            it.meta_len = (size_t)snprintf(m, sizeof m, "{\"i\":%zu}", i);
            it.meta = m;
        }
        if (g_multi ? ruv_index_add(idx, it.key, v) != RUV_OK
                    : ruv_index_put(idx, &it, RUV_PUT_INSERT) != RUV_OK)
            return 1;
    }
    for (i = 0; i < removed; i++)
        ruv_index_remove(idx, (i * 3 % n) * 11 + 1);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    r = ruv_index_save_file(idx, path);
    ruv_index_free(idx);
    return r != RUV_OK;
}

static int emit(const char *dir, const char *name, ruv_index_kind kind, ruv_metric metric,
                uint32_t dim, size_t n, int ids, int meta, size_t removed) {
    return emit_q(dir, name, kind, metric, dim, n, ids, meta, removed, RUV_QUANT_NONE, 0);
}

/* A typed index (int8, uint8 or bits): n pseudo-random vectors. */
static int emit_t(const char *dir, const char *name, ruv_index_kind kind, ruv_metric metric,
                  ruv_dtype t, uint32_t dim, size_t n, size_t removed) {
    ruv_index_options c = ruv_index_options_init(dim);
    ruv_index *idx;
    char path[512];
    unsigned char v[64];
    size_t i, j;
    ruv_result r;
    c.kind = kind;
    c.metric = metric;
    c.dtype = t;
    c.M = 4;
    c.ef_construction = 16;
    c.capacity = 4;
    if (ruv_index_create(&c, &idx) != RUV_OK)
        return 1;
    for (i = 0; i < n; i++) {
        for (j = 0; j < sizeof v; j++) /* halves: high bytes below 0x40, finite */
            v[j] = (unsigned char)((unsigned)(unit() * 127.0f) &
                                   ((t == RUV_DTYPE_F16 || t == RUV_DTYPE_BF16) && j % 2 ? 0x3Fu
                                                                                         : 0xFFu));
        if (ruv_index_add(idx, i * 7 + 3, v) != RUV_OK)
            return 1;
    }
    for (i = 0; i < removed; i++)
        ruv_index_remove(idx, (i * 3 % n) * 7 + 3);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    r = ruv_index_save_file(idx, path);
    ruv_index_free(idx);
    return r != RUV_OK;
}

/* A sparse index (format 1.1, kind 2): n entries of up to 6 nonzeros over 12 dimensions,
   every third of them removed before saving. */
static int emit_sparse(const char *dir, const char *name, ruv_metric metric, size_t n) {
    ruv_sparse_options o = ruv_sparse_options_init();
    ruv_sparse_index *sp;
    char path[512];
    size_t i, j;
    ruv_result r;
    o.metric = metric;
    o.max_nnz = 8;
    if (ruv_sparse_create(&o, &sp) != RUV_OK)
        return 1;
    for (i = 0; i < n; i++) {
        uint32_t ids[6];
        float v[6];
        size_t z = 1 + i % 6;
        for (j = 0; j < z; j++) {
            ids[j] = (uint32_t)(j * 2 + i % 2);
            v[j] = 0.25f + unit() * (metric == RUV_METRIC_IP && j % 2 ? -1.0f : 1.0f);
        }
        if (ruv_sparse_add(sp, i * 5 + 1, z, ids, v) != RUV_OK)
            return 1;
        if (metric == RUV_METRIC_IP && i % 2 == 0) { /* ids on half, metadata on a third */
            char id[16];
            ruv_sparse_item it;
            memset(&it, 0, sizeof it);
            it.key = i * 5 + 1;
            it.id = id;
            it.id_len = (size_t)snprintf(id, sizeof id, "sp-%u", (unsigned)i);
            if (i % 3 == 0)
                it.meta = v, it.meta_len = z * sizeof *v;
            if (ruv_sparse_put(sp, &it, RUV_PUT_UPDATE) != RUV_OK)
                return 1;
        }
    }
    for (i = 0; i < n; i += 3)
        ruv_sparse_remove(sp, i * 5 + 1);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    r = ruv_sparse_save_file(sp, path);
    ruv_sparse_free(sp);
    return r != RUV_OK;
}

static int fz_file_write(void *user, const void *data, size_t len) {
    return fwrite(data, 1, len, (FILE *)user) == len ? 0 : -1;
}

/* A journal of every record kind for the index that tests/fuzz/fuzz_index.c builds for it:
   configuration cfg (written as the base) and dimension dim. */
static int emit_journal(const char *dir, const char *name, uint32_t cfg, uint32_t dim) {
    ruv_index_options c = ruv_index_options_init(dim);
    ruv_journal_options jo;
    ruv_index *idx;
    ruv_item it;
    char path[512];
    float v[5 * 64], lo[64], hi[64];
    uint64_t keys[5];
    size_t i;
    int e = 0;
    FILE *f;
    c.M = 4;
    c.ef_construction = 16;
    c.capacity = 4;
    c.kind = cfg & 1u ? RUV_INDEX_HNSW : RUV_INDEX_FLAT;
    c.metric = cfg == 1 ? RUV_METRIC_COSINE : cfg == 3 ? RUV_METRIC_IP : RUV_METRIC_L2SQ;
    c.quant = cfg == 2 ? RUV_QUANT_SQ8 : cfg == 3 ? RUV_QUANT_F16 : RUV_QUANT_NONE;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (ruv_index_create(&c, &idx) != RUV_OK || !(f = fopen(path, "wb")))
        return 1;
    memset(&jo, 0, sizeof jo);
    jo.write = fz_file_write, jo.user = f, jo.base = cfg;
    e |= ruv_index_journal_attach(idx, &jo) != RUV_OK;
    for (i = 0; i < dim; i++)
        lo[i] = -1.0f, hi[i] = 1.0f;
    if (cfg == 2)
        e |= ruv_index_set_sq8_range(idx, lo, hi) != RUV_OK;
    for (i = 0; i < 5 * dim; i++)
        v[i] = unit();
    for (i = 0; i < 5; i++)
        keys[i] = 100 + i;
    e |= ruv_index_add(idx, 1, v) != RUV_OK;
    e |= ruv_index_add_batch(idx, 5, keys, v, NULL) != RUV_OK;
    memset(&it, 0, sizeof it);
    it.key = 2, it.vector = v + dim, it.id = "doc-2", it.id_len = 5, it.meta = "{\"a\":1}";
    it.meta_len = 7;
    e |= ruv_index_put(idx, &it, RUV_PUT_INSERT) != RUV_OK;
    it.vector = NULL, it.meta = "", it.meta_len = 0;
    e |= ruv_index_put(idx, &it, RUV_PUT_UPDATE) != RUV_OK;
    e |= ruv_index_upsert(idx, 101, v + 2 * dim) != RUV_OK;
    e |= ruv_index_remove(idx, 1) != RUV_OK;
    e |= ruv_index_update(idx, 2, v + 3 * dim) != RUV_OK;
    ruv_index_free(idx);
    return fclose(f) != 0 || e;
}

int main(int argc, char **argv) {
    const char *d = argc > 1 ? argv[1] : "tests/fuzz/corpus";
    int e = 0;
    e |= emit(d, "flat-empty.ruv", RUV_INDEX_FLAT, RUV_METRIC_L2SQ, 3, 0, 0, 0, 0);
    e |= emit(d, "flat-l2-ids-meta.ruv", RUV_INDEX_FLAT, RUV_METRIC_L2SQ, 4, 12, 1, 1, 2);
    e |= emit(d, "hnsw-empty.ruv", RUV_INDEX_HNSW, RUV_METRIC_COSINE, 2, 0, 0, 0, 0);
    e |= emit(d, "hnsw-cos.ruv", RUV_INDEX_HNSW, RUV_METRIC_COSINE, 5, 24, 0, 0, 0);
    e |= emit(d, "hnsw-ip-ids-meta-deleted.ruv", RUV_INDEX_HNSW, RUV_METRIC_IP, 4, 30, 1, 1, 1);
    e |= emit(d, "hnsw-l2-deleted.ruv", RUV_INDEX_HNSW, RUV_METRIC_L2SQ, 3, 40, 0, 1, 2);
    /* 20 of 60 removed: compaction runs, leaving free slots */
    e |= emit(d, "hnsw-l2-compacted.ruv", RUV_INDEX_HNSW, RUV_METRIC_L2SQ, 3, 60, 1, 0, 20);
    /* quantized: codes, f32 copies and quantizer tables */
    e |= emit_q(d, "hnsw-sq8-cos.ruv", RUV_INDEX_HNSW, RUV_METRIC_COSINE, 6, 30, 0, 0, 3,
                RUV_QUANT_SQ8, 0);
    e |= emit_q(d, "hnsw-f16-ip-nof32.ruv", RUV_INDEX_HNSW, RUV_METRIC_IP, 4, 20, 0, 0, 0,
                RUV_QUANT_F16, 1);
    e |= emit_q(d, "flat-pq-l2.ruv", RUV_INDEX_FLAT, RUV_METRIC_L2SQ, 4, 20, 1, 0, 2, RUV_QUANT_PQ,
                0);
    e |= emit_q(d, "flat-bin-l2-nof32.ruv", RUV_INDEX_FLAT, RUV_METRIC_L2SQ, 12, 20, 0, 0, 0,
                RUV_QUANT_BIN, 1);
    e |= emit_q(d, "flat-sq8-empty.ruv", RUV_INDEX_FLAT, RUV_METRIC_IP, 3, 0, 0, 0, 0,
                RUV_QUANT_SQ8, 0);
    /* element types (format 1.1): int8 L1 flat, bits with Jaccard on HNSW (a partial byte) */
    e |= emit_t(d, "flat-i8-l1.ruv", RUV_INDEX_FLAT, RUV_METRIC_L1, RUV_DTYPE_I8, 6, 20, 2);
    e |= emit_t(d, "hnsw-bin-jaccard.ruv", RUV_INDEX_HNSW, RUV_METRIC_JACCARD, RUV_DTYPE_BIN, 20,
                30, 3);
    /* HNSW over binary and PQ codes; half vectors */
    e |=
        emit_q(d, "hnsw-pq-ip.ruv", RUV_INDEX_HNSW, RUV_METRIC_IP, 4, 24, 0, 0, 2, RUV_QUANT_PQ, 0);
    e |= emit_q(d, "hnsw-bin-cos-nof32.ruv", RUV_INDEX_HNSW, RUV_METRIC_COSINE, 10, 24, 0, 0, 0,
                RUV_QUANT_BIN, 1);
    e |= emit_t(d, "flat-f16-cos.ruv", RUV_INDEX_FLAT, RUV_METRIC_COSINE, RUV_DTYPE_F16, 5, 12, 1);
    e |= emit_t(d, "hnsw-bf16-l2.ruv", RUV_INDEX_HNSW, RUV_METRIC_L2SQ, RUV_DTYPE_BF16, 7, 20, 0);
    /* the bits walk over SQ8; several vectors per key */
    g_walk_bits = 1;
    e |= emit_q(d, "hnsw-sq8-walk-bits.ruv", RUV_INDEX_HNSW, RUV_METRIC_COSINE, 12, 30, 0, 0, 2,
                RUV_QUANT_SQ8, 0);
    g_walk_bits = 0;
    g_multi = 1;
    e |= emit_q(d, "flat-multi-l2.ruv", RUV_INDEX_FLAT, RUV_METRIC_L2SQ, 3, 18, 0, 0, 2,
                RUV_QUANT_NONE, 0);
    g_multi = 0;
    /* sparse indexes */
    e |= emit_sparse(d, "sparse-ip.ruv", RUV_METRIC_IP, 20);
    e |= emit_sparse(d, "sparse-cos.ruv", RUV_METRIC_COSINE, 9);
    e |= emit_sparse(d, "sparse-l2-empty.ruv", RUV_METRIC_L2SQ, 0);
    /* journals (their bytes also go through the loaders, which refuse them) */
    e |= emit_journal(d, "journal-flat-l2.ruv", 0, 4);
    e |= emit_journal(d, "journal-hnsw-cos.ruv", 1, 5);
    e |= emit_journal(d, "journal-flat-sq8.ruv", 2, 3);
    e |= emit_journal(d, "journal-hnsw-f16-ip.ruv", 3, 6);
    return e;
}
