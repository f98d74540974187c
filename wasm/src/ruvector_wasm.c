/* Emscripten exports of ruvector.h for JavaScript (wasm/index.js wraps them). Thin: each export
   is one C API call with its arguments flattened for the WebAssembly ABI (u64 keys as two u32
   halves, outputs through pointers into the module's memory). Statuses are ruv_result values. */
#define RUVECTOR_IMPLEMENTATION
#define RUV_NO_STDIO
#include "../../ruvector.h"

#include <emscripten/emscripten.h>
#include <stdlib.h>
#include <string.h>

#define RW EMSCRIPTEN_KEEPALIVE

static uint64_t rw_key(uint32_t lo, uint32_t hi) { return (uint64_t)hi << 32 | lo; }

RW const char *rw_version(void) { return ruv_version(); }
RW const char *rw_result_string(int r) { return ruv_result_string((ruv_result)r); }
RW const char *rw_isa(void) { return ruv_isa_name(ruv_isa_best()); }

/* A new index, or NULL with the status in *status. */
RW ruv_index *rw_create(uint32_t dim, int metric, int kind, uint32_t M, uint32_t efc, uint32_t efs,
                        int quant, uint32_t rerank, uint32_t drop_f32, uint32_t seed,
                        uint32_t capacity, int *status) {
    ruv_config c = ruv_config_init(dim);
    c.capacity = capacity;
    ruv_index *idx = NULL;
    c.metric = (ruv_metric)metric;
    c.kind = (ruv_index_kind)kind;
    c.M = M;
    c.ef_construction = efc;
    c.ef_search = efs;
    c.quant = (ruv_quant)quant;
    c.rerank = rerank;
    c.drop_f32 = drop_f32;
    c.seed = seed;
    *status = ruv_index_create(&c, &idx);
    return idx;
}

RW void rw_free(ruv_index *idx) { ruv_index_free(idx); }

RW int rw_train(ruv_index *idx, uint32_t n, const float *vecs) {
    return ruv_index_train(idx, n, vecs);
}

/* ruv_index_put: vec, id and meta may be NULL (kept); has_id / has_meta with length 0 clear. */
RW int rw_put(ruv_index *idx, uint32_t lo, uint32_t hi, const float *vec, const char *id,
              uint32_t id_len, int has_id, const void *meta, uint32_t meta_len, int has_meta,
              int mode) {
    ruv_item it;
    memset(&it, 0, sizeof it);
    it.key = rw_key(lo, hi);
    it.vector = vec;
    it.id = has_id ? (id ? id : "") : NULL;
    it.id_len = id_len;
    it.meta = has_meta ? (meta ? meta : (const void *)"") : NULL;
    it.meta_len = meta_len;
    return ruv_index_put(idx, &it, (ruv_put_mode)mode);
}

RW int rw_add_batch(ruv_index *idx, uint32_t n, const uint64_t *keys, const float *vecs) {
    return ruv_index_add_batch(idx, n, keys, vecs);
}

RW int rw_remove(ruv_index *idx, uint32_t lo, uint32_t hi) {
    return ruv_index_remove(idx, rw_key(lo, hi));
}

RW int rw_contains(ruv_index *idx, uint32_t lo, uint32_t hi) {
    return ruv_index_contains(idx, rw_key(lo, hi));
}

/* Search into keys[k] and dists[k]; *n = hits. allow: bitset over keys (NULL = none). */
RW int rw_search(ruv_index *idx, const float *q, uint32_t k, uint32_t ef, uint32_t rerank,
                 const uint8_t *allow, uint32_t allow_bits, uint64_t *keys, float *dists,
                 uint32_t *n) {
    static ruv_hit hits_small[64];
    ruv_hit *hits = k <= 64 ? hits_small : (ruv_hit *)malloc(k * sizeof *hits);
    ruv_search_params p;
    size_t got = 0, i;
    ruv_result r;
    *n = 0;
    if (!hits)
        return RUV_E_NOMEM;
    memset(&p, 0, sizeof p);
    p.ef_search = ef;
    p.rerank = rerank;
    p.allow = allow;
    p.allow_bits = allow ? allow_bits : 0;
    r = ruv_index_search(idx, q, k, &p, hits, &got);
    for (i = 0; i < got; i++) {
        keys[i] = hits[i].key;
        dists[i] = hits[i].distance;
    }
    *n = (uint32_t)got;
    if (hits != hits_small)
        free(hits);
    return r;
}

RW int rw_get_vector(ruv_index *idx, uint32_t lo, uint32_t hi, float *out) {
    return ruv_index_get_vector(idx, rw_key(lo, hi), out);
}

RW int rw_get_id(ruv_index *idx, uint32_t lo, uint32_t hi, const char **p, uint32_t *len) {
    size_t l = 0;
    int r = ruv_index_get_id(idx, rw_key(lo, hi), p, &l);
    *len = (uint32_t)l;
    return r;
}

RW int rw_get_meta(ruv_index *idx, uint32_t lo, uint32_t hi, const void **p, uint32_t *len) {
    size_t l = 0;
    int r = ruv_index_get_meta(idx, rw_key(lo, hi), p, &l);
    *len = (uint32_t)l;
    return r;
}

RW int rw_find_id(ruv_index *idx, const char *id, uint32_t len, uint64_t *key) {
    return ruv_index_find_id(idx, id, len, key);
}

/* Next live key after *cursor (0 to start): 1 with *key set, or 0 at the end. */
RW int rw_next(ruv_index *idx, uint32_t *cursor, uint64_t *key) {
    size_t c = *cursor;
    int r = ruv_index_next(idx, &c, key);
    *cursor = (uint32_t)c;
    return r;
}

RW uint32_t rw_count(ruv_index *idx) { return (uint32_t)ruv_index_count(idx); }
RW uint32_t rw_dim(ruv_index *idx) { return ruv_index_dim(idx); }
RW uint32_t rw_memory(ruv_index *idx) { return (uint32_t)ruv_index_memory_usage(idx); }

/* The saved index in a malloc'd buffer (free with free), its length in *len; NULL on error
   with the status in *status. */
RW void *rw_save(ruv_index *idx, uint32_t *len, int *status) {
    size_t need = ruv_index_serialized_size(idx), got = 0;
    void *b = need ? malloc(need) : NULL;
    *len = 0;
    if (!b) {
        *status = idx ? RUV_E_NOMEM : RUV_E_ARG;
        return NULL;
    }
    *status = ruv_index_save_buffer(idx, b, need, &got);
    if (*status != RUV_OK) {
        free(b);
        return NULL;
    }
    *len = (uint32_t)got;
    return b;
}

/* An owned index loaded from buf[0..len-1], or NULL with the status in *status. */
RW ruv_index *rw_load(const void *buf, uint32_t len, uint32_t expect_dim, int *status) {
    ruv_index *idx = NULL;
    ruv_load_options o;
    memset(&o, 0, sizeof o);
    o.expect_dim = expect_dim;
    *status = ruv_index_load_buffer(buf, len, &o, &idx);
    return idx;
}

/* The resolved config: metric, kind, M, ef_construction, ef_search, quant into out[0..5]. */
RW void rw_config(ruv_index *idx, uint32_t *out) {
    ruv_config c = ruv_index_get_config(idx);
    out[0] = (uint32_t)c.metric;
    out[1] = (uint32_t)c.kind;
    out[2] = c.M;
    out[3] = c.ef_construction;
    out[4] = c.ef_search;
    out[5] = (uint32_t)c.quant;
}
