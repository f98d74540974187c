/* WebAssembly exports of ruvector.h for JavaScript (wasm/src/core.js wraps them). Thin: each export
   is one public C API call with its arguments flattened for the WebAssembly ABI (u64 keys as two
   u32 halves, outputs through pointers into the module's memory). Statuses are ruv_result values.

   Built as a standalone module (no Emscripten JS runtime): its only imports are
   env.emscripten_notify_memory_growth (memory grew: JS refreshes its views) and env.rw_progress
   (build progress, see rw_add_batch). core.js checks every argument before it gets here; the
   checks below are a second line (defence in depth): nothing a caller passes makes the glue write
   outside the buffers it was given. */
#define RUVECTOR_IMPLEMENTATION
#define RUV_NO_STDIO
#define RUV_NO_DEPRECATED
#include "../../ruvector.h"

#include <emscripten/emscripten.h>
#include <stdlib.h>
#include <string.h>

#define RW EMSCRIPTEN_KEEPALIVE

/* Build progress, implemented in JavaScript (core.js): done of total vectors linked. */
__attribute__((import_module("env"), import_name("rw_progress"))) void rw_progress(uint32_t done,
                                                                                   uint32_t total);

static uint64_t rw_key(uint32_t lo, uint32_t hi) { return (uint64_t)hi << 32 | lo; }

RW const char *rw_version(void) { return ruv_version(); }
RW const char *rw_result_string(int r) { return ruv_result_string((ruv_result)r); }
RW const char *rw_isa(void) { return ruv_isa_name(ruv_isa_best()); }

/* A new index, or NULL with the status in *status. multi and walk_bits: ruv_index_options.multi
   and .walk_bits (the C library checks them: > 1 is RUV_E_ARG); rerank_dtype:
   ruv_index_options.rerank_dtype (ruv_dtype of the re-ranking copies; the C library refuses
   anything but F32, F16, BF16, and F16 / BF16 without copies, with RUV_E_ARG). */
RW ruv_index *rw_create(uint32_t dim, int metric, int kind, uint32_t M, uint32_t efc, uint32_t efs,
                        int quant, uint32_t rerank, uint32_t drop_f32, uint32_t seed,
                        uint32_t capacity, int dtype, uint32_t pq_m, uint32_t multi,
                        uint32_t walk_bits, int rerank_dtype, int *status) {
    ruv_index_options c = ruv_index_options_init(dim);
    ruv_index *idx = NULL;
    int st;
    c.capacity = capacity;
    c.metric = (ruv_metric)metric;
    c.kind = (ruv_index_kind)kind;
    c.M = M;
    c.ef_construction = efc;
    c.ef_search = efs;
    c.quant = (ruv_quant)quant;
    c.rerank = rerank;
    c.drop_f32 = drop_f32;
    c.seed = seed;
    c.dtype = (ruv_dtype)dtype;
    c.pq_m = pq_m;
    c.multi = multi;
    c.walk_bits = walk_bits;
    c.rerank_dtype = (ruv_dtype)rerank_dtype;
    st = ruv_index_create(&c, &idx);
    if (status)
        *status = st;
    return idx;
}

static void rw__journal_drop(ruv_index *idx);

RW void rw_free(ruv_index *idx) {
    ruv_index_free(idx);
    rw__journal_drop(idx);
}

RW int rw_train(ruv_index *idx, uint32_t n, const float *vecs) {
    return ruv_index_train(idx, n, vecs);
}

/* ruv_index_put: vec (one vector of the index dtype), id and meta may be NULL (kept); has_id /
 * has_meta with length 0 clear. */
RW int rw_put(ruv_index *idx, uint32_t lo, uint32_t hi, const void *vec, const char *id,
              uint32_t id_len, int has_id, const void *meta, uint32_t meta_len, int has_meta,
              int mode) {
    ruv_item it;
    if ((has_id && id_len && !id) || (has_meta && meta_len && !meta))
        return RUV_E_ARG;
    memset(&it, 0, sizeof it);
    it.key = rw_key(lo, hi);
    it.vector = vec;
    it.id = has_id ? (id ? id : "") : NULL;
    it.id_len = has_id ? id_len : 0;
    it.meta = has_meta ? (meta ? meta : (const void *)"") : NULL;
    it.meta_len = has_meta ? meta_len : 0;
    return ruv_index_put(idx, &it, (ruv_put_mode)mode);
}

/* ruv_index_add: one vector of the index dtype under key (opt.multi: another vector of a present
   key; ruv_index_put refuses multi indexes). */
RW int rw_add(ruv_index *idx, uint32_t lo, uint32_t hi, const void *vec) {
    return ruv_index_add(idx, rw_key(lo, hi), vec);
}

static void rw__progress(void *user, size_t done, size_t total) {
    (void)user;
    rw_progress((uint32_t)done, (uint32_t)total);
}

/* n vectors of the index dtype under keys (all or nothing); progress != 0 reports through
 * env.rw_progress. */
RW int rw_add_batch(ruv_index *idx, uint32_t n, const uint64_t *keys, const void *vecs,
                    int progress) {
    ruv_build_options o;
    memset(&o, 0, sizeof o);
    if (progress)
        o.progress = rw__progress;
    return ruv_index_add_batch(idx, n, keys, vecs, &o);
}

/* Room for n entries in all (ruv_index_reserve). */
RW int rw_reserve(ruv_index *idx, uint32_t n) { return ruv_index_reserve(idx, n); }

RW int rw_remove(ruv_index *idx, uint32_t lo, uint32_t hi) {
    return ruv_index_remove(idx, rw_key(lo, hi));
}

RW int rw_contains(ruv_index *idx, uint32_t lo, uint32_t hi) {
    return ruv_index_contains(idx, rw_key(lo, hi));
}

/* Hits of up to 64 results (searches of at most 64 need no malloc). */
static ruv_hit rw__hits_small[64];

/* Search into keys[k] and dists[k] (the caller's buffers hold k entries); *n = hits.
   q: one vector of the index dtype (f32_query: dim floats). allow: bitset over keys (NULL = none)
   of allow_bits bits. */
RW int rw_search(ruv_index *idx, const void *q, uint32_t k, uint32_t ef, uint32_t rerank,
                 const uint8_t *allow, uint32_t allow_bits, uint32_t f32_query, uint64_t *keys,
                 float *dists, uint32_t *n) {
    ruv_hit *const hits_small = rw__hits_small;
    ruv_hit *hits;
    ruv_search_options p;
    size_t got = 0, i, live;
    ruv_result r;
    if (!n)
        return RUV_E_ARG;
    *n = 0;
    if (!idx || !q || !keys || !dists || k == 0)
        return RUV_E_ARG;
    /* never more hits than live entries: the scratch below is bounded by the index */
    live = ruv_index_count(idx);
    if (live == 0)
        return RUV_OK;
    if (k > live)
        k = (uint32_t)live;
    hits = k <= 64 ? hits_small : (ruv_hit *)malloc((size_t)k * sizeof *hits);
    if (!hits)
        return RUV_E_NOMEM;
    memset(&p, 0, sizeof p);
    p.ef_search = ef;
    p.rerank = rerank;
    p.allow = allow;
    p.allow_bits = allow ? allow_bits : 0;
    p.f32_query = f32_query;
    r = ruv_index_search(idx, q, k, &p, hits, &got);
    if (got > k)
        got = k;
    for (i = 0; i < got; i++) {
        keys[i] = hits[i].key;
        dists[i] = hits[i].distance;
    }
    *n = (uint32_t)got;
    if (hits != hits_small)
        free(hits);
    return r;
}

/* ruv_index_search_range: every entry within radius; *total = how many (may exceed cap), the
   closest min(cap, *total) of them into keys[] and dists[] (the caller's buffers hold cap). */
RW int rw_search_range(ruv_index *idx, const void *q, float radius, uint32_t ef,
                       const uint8_t *allow, uint32_t allow_bits, uint32_t f32_query,
                       uint64_t *keys, float *dists, uint32_t cap, uint32_t *total) {
    ruv_hit *hits = NULL;
    ruv_search_options p;
    size_t got = 0, i, live, n;
    ruv_result r;
    if (!total)
        return RUV_E_ARG;
    *total = 0;
    if (!idx || !q || (cap && (!keys || !dists)))
        return RUV_E_ARG;
    /* never more hits than live entries: the scratch below is bounded by the index */
    live = ruv_index_count(idx);
    if (cap > live)
        cap = (uint32_t)live;
    if (cap) {
        hits = cap <= 64 ? rw__hits_small : (ruv_hit *)malloc((size_t)cap * sizeof *hits);
        if (!hits)
            return RUV_E_NOMEM;
    }
    memset(&p, 0, sizeof p);
    p.ef_search = ef;
    p.allow = allow;
    p.allow_bits = allow ? allow_bits : 0;
    p.f32_query = f32_query;
    r = ruv_index_search_range(idx, q, radius, &p, hits, cap, &got);
    if (r == RUV_OK) {
        n = got < cap ? got : cap;
        for (i = 0; i < n; i++) {
            keys[i] = hits[i].key;
            dists[i] = hits[i].distance;
        }
        *total = got > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)got;
    }
    if (hits && hits != rw__hits_small)
        free(hits);
    return r;
}

/* ruv_index_search_batch: nq queries (of the index dtype, or dim floats each with f32_query, back
   to back), k hits each into
   keys[nq * k] and dists[nq * k] (query i from i * k), counts[i] = hits of query i. */
RW int rw_search_batch(ruv_index *idx, uint32_t nq, const void *qs, uint32_t k, uint32_t ef,
                       uint32_t rerank, const uint8_t *allow, uint32_t allow_bits,
                       uint32_t f32_query, uint64_t *keys, float *dists, uint32_t *counts) {
    ruv_hit *hits;
    size_t *n_out, i, j, live;
    ruv_search_options p;
    ruv_result r;
    if (!idx || !qs || !keys || !dists || !counts || k == 0 || nq == 0)
        return RUV_E_ARG;
    memset(counts, 0, (size_t)nq * sizeof *counts);
    live = ruv_index_count(idx);
    if (live == 0)
        return RUV_OK;
    if (k > live)
        return RUV_E_ARG; /* core.js passes min(k, count) */
    if ((size_t)nq > ((size_t)-1 / sizeof *hits) / k)
        return RUV_E_NOMEM;
    hits = (ruv_hit *)malloc((size_t)nq * k * sizeof *hits);
    n_out = (size_t *)malloc((size_t)nq * sizeof *n_out);
    if (!hits || !n_out) {
        free(hits);
        free(n_out);
        return RUV_E_NOMEM;
    }
    memset(n_out, 0, (size_t)nq * sizeof *n_out);
    memset(&p, 0, sizeof p);
    p.ef_search = ef;
    p.rerank = rerank;
    p.allow = allow;
    p.allow_bits = allow ? allow_bits : 0;
    p.f32_query = f32_query;
    r = ruv_index_search_batch(idx, nq, qs, k, &p, hits, n_out);
    for (i = 0; i < nq; i++) {
        size_t got = n_out[i] > k ? k : n_out[i];
        for (j = 0; j < got; j++) {
            keys[i * k + j] = hits[i * k + j].key;
            dists[i * k + j] = hits[i * k + j].distance;
        }
        counts[i] = (uint32_t)got;
    }
    free(hits);
    free(n_out);
    return r;
}

/* One vector of the index dtype into out. */
RW int rw_get_vector(ruv_index *idx, uint32_t lo, uint32_t hi, void *out) {
    return ruv_index_get_vector(idx, rw_key(lo, hi), out);
}

/* ruv_index_get_vectors: the first min(cap, *n) vectors of key into out (cap vectors of the index
   dtype), slot order; *n = how many the key has (cap 0 with out NULL counts only). */
RW int rw_get_vectors(ruv_index *idx, uint32_t lo, uint32_t hi, void *out, uint32_t cap,
                      uint32_t *n) {
    size_t got = 0;
    int r;
    if (!n)
        return RUV_E_ARG;
    r = ruv_index_get_vectors(idx, rw_key(lo, hi), out, cap, &got);
    *n = got > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)got;
    return r;
}

RW int rw_get_id(ruv_index *idx, uint32_t lo, uint32_t hi, const char **p, uint32_t *len) {
    size_t l = 0;
    int r;
    if (!p || !len)
        return RUV_E_ARG;
    r = ruv_index_get_id(idx, rw_key(lo, hi), p, &l);
    *len = (uint32_t)l;
    return r;
}

RW int rw_get_meta(ruv_index *idx, uint32_t lo, uint32_t hi, const void **p, uint32_t *len) {
    size_t l = 0;
    int r;
    if (!p || !len)
        return RUV_E_ARG;
    r = ruv_index_get_meta(idx, rw_key(lo, hi), p, &l);
    *len = (uint32_t)l;
    return r;
}

/* The key of the entry with string id (ruv_index_get_key; ruv_index_get_key from 0.2.0). */
RW int rw_get_key(ruv_index *idx, const char *id, uint32_t len, uint64_t *key) {
    return ruv_index_get_key(idx, id, len, key);
}

/* Next live key after *cursor (0 to start): 1 with *key set, or 0 at the end. */
RW int rw_next(ruv_index *idx, uint32_t *cursor, uint64_t *key) {
    size_t c;
    int r;
    if (!cursor || !key)
        return 0;
    c = *cursor;
    r = ruv_index_next(idx, &c, key);
    *cursor = (uint32_t)c;
    return r;
}

RW uint32_t rw_count(ruv_index *idx) { return (uint32_t)ruv_index_count(idx); }
RW uint32_t rw_dim(ruv_index *idx) { return ruv_index_dim(idx); }
RW uint32_t rw_memory(ruv_index *idx) { return (uint32_t)ruv_index_memory_usage(idx); }

/* ruv_index_stats into out[0..11]: live, deleted, free_slots, capacity, vector_bytes, code_bytes,
   graph_bytes, key_bytes, id_bytes, meta_bytes, total_bytes, readonly. */
RW int rw_stats(ruv_index *idx, uint32_t *out) {
    ruv_stats s;
    if (!out || !idx)
        return RUV_E_ARG;
    s = ruv_index_stats(idx);
    out[0] = (uint32_t)s.live;
    out[1] = (uint32_t)s.deleted;
    out[2] = (uint32_t)s.free_slots;
    out[3] = (uint32_t)s.capacity;
    out[4] = (uint32_t)s.vector_bytes;
    out[5] = (uint32_t)s.code_bytes;
    out[6] = (uint32_t)s.graph_bytes;
    out[7] = (uint32_t)s.key_bytes;
    out[8] = (uint32_t)s.id_bytes;
    out[9] = (uint32_t)s.meta_bytes;
    out[10] = (uint32_t)s.total_bytes;
    out[11] = (uint32_t)s.readonly;
    return RUV_OK;
}

/* The saved index in a malloc'd buffer (free with free), its length in *len; NULL on error
   with the status in *status. */
RW void *rw_save(ruv_index *idx, uint32_t *len, int *status) {
    size_t need, got = 0;
    void *b;
    if (!len || !status)
        return NULL;
    *len = 0;
    need = ruv_index_serialized_size(idx);
    if (need > 0xFFFFFFFFu) {
        *status = RUV_E_NOMEM;
        return NULL;
    }
    b = need ? malloc(need) : NULL;
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
    int st;
    memset(&o, 0, sizeof o);
    o.expect_dim = expect_dim;
    st = ruv_index_load_buffer(buf, len, &o, &idx);
    if (status)
        *status = st;
    return idx;
}

/* ---- journal (incremental persistence: core.js keeps the bytes in IndexedDB) ---------------- */

/* The journal of one index: its write callback appends to buf, which JavaScript empties with
   rw_journal_take (and stores); taken = journal bytes handed out before buf[0]. */
typedef struct rw_journal {
    ruv_index *idx;
    unsigned char *buf;
    size_t len, cap;
    uint64_t taken;
    struct rw_journal *next;
} rw_journal;

static rw_journal *rw__journals;

static rw_journal **rw__journal_find(ruv_index *idx) {
    rw_journal **j = &rw__journals;
    while (*j && (*j)->idx != idx)
        j = &(*j)->next;
    return j;
}

/* Forgets idx's journal buffer (after ruv_index_free or ruv_index_journal_detach). */
static void rw__journal_drop(ruv_index *idx) {
    rw_journal **at = rw__journal_find(idx), *j = *at;
    if (!j || !idx)
        return;
    *at = j->next;
    free(j->buf);
    free(j);
}

static int rw__journal_write(void *user, const void *data, size_t len) {
    rw_journal *j = (rw_journal *)user;
    if (len > j->cap - j->len) {
        size_t cap = j->cap ? j->cap : 4096;
        unsigned char *b;
        while (cap - j->len < len) {
            if (cap > ((size_t)-1) / 2)
                return -1;
            cap *= 2;
        }
        b = (unsigned char *)realloc(j->buf, cap);
        if (!b)
            return -1;
        j->buf = b;
        j->cap = cap;
    }
    memcpy(j->buf + j->len, data, len);
    j->len += len;
    return 0;
}

/* Cuts a failed append off (only bytes not yet taken can be cut). */
static int rw__journal_truncate(void *user, uint64_t size) {
    rw_journal *j = (rw_journal *)user;
    if (size < j->taken || size - j->taken > j->len)
        return -1;
    j->len = (size_t)(size - j->taken);
    return 0;
}

/* ruv_index_journal_attach with a journal kept in memory until rw_journal_take: a new journal
   (next_seq 0: its header is the first bytes to take) following snapshot base, or the
   continuation of one that holds size bytes and whose next record is next_seq (a replay's
   report). Replaces idx's journal (its bytes not taken are dropped) only on success. */
RW int rw_journal_attach(ruv_index *idx, uint32_t base_lo, uint32_t base_hi, uint32_t seq_lo,
                         uint32_t seq_hi, uint32_t size_lo, uint32_t size_hi) {
    ruv_journal_options o;
    rw_journal *j;
    int r;
    if (!idx)
        return RUV_E_ARG;
    j = (rw_journal *)calloc(1, sizeof *j);
    if (!j)
        return RUV_E_NOMEM;
    j->idx = idx;
    memset(&o, 0, sizeof o);
    o.write = rw__journal_write;
    o.truncate = rw__journal_truncate;
    o.user = j;
    o.durability = RUV_DURABLE_EACH; /* no sync callback: JavaScript stores the bytes */
    o.base = rw_key(base_lo, base_hi);
    o.next_seq = rw_key(seq_lo, seq_hi);
    o.size = o.next_seq ? rw_key(size_lo, size_hi) : 0;
    j->taken = o.size;
    r = ruv_index_journal_attach(idx, &o);
    if (r != RUV_OK) {
        free(j->buf);
        free(j);
        return r;
    }
    rw__journal_drop(idx);
    j->next = rw__journals;
    rw__journals = j;
    return RUV_OK;
}

/* Detaches idx's journal (its bytes not taken are dropped). */
RW int rw_journal_detach(ruv_index *idx) {
    int r;
    if (!idx)
        return RUV_E_ARG;
    r = ruv_index_journal_detach(idx);
    rw__journal_drop(idx);
    return r;
}

/* The journal bytes appended since the last take: out[0] = pointer (valid until the next write
   to idx), out[1] = length, out[2..3] = the journal's size after them (lo, hi). They count as
   taken: the next take starts after them. RUV_E_ARG: no journal attached (out zeroed). */
RW int rw_journal_take(ruv_index *idx, uint32_t *out) {
    rw_journal *j;
    uint64_t size;
    if (!out)
        return RUV_E_ARG;
    memset(out, 0, 4 * sizeof *out);
    j = idx ? *rw__journal_find(idx) : NULL;
    if (!j)
        return RUV_E_ARG;
    size = j->taken + j->len;
    out[0] = (uint32_t)(uintptr_t)j->buf;
    out[1] = (uint32_t)j->len;
    out[2] = (uint32_t)size;
    out[3] = (uint32_t)(size >> 32);
    j->taken = size;
    j->len = 0;
    return RUV_OK;
}

/* ruv_index_journal_replay of buf[0..len-1] (base lo/hi: 0 = any); the report into out[0..11]:
   records, valid_bytes, ignored_bytes, next_seq, base (each lo, hi), stop, status. */
RW int rw_journal_replay(ruv_index *idx, const void *buf, uint32_t len, uint32_t base_lo,
                         uint32_t base_hi, uint32_t *out) {
    ruv_journal_report rep;
    int r;
    if (!out)
        return RUV_E_ARG;
    memset(&rep, 0, sizeof rep);
    r = ruv_index_journal_replay(idx, buf, len, rw_key(base_lo, base_hi), &rep);
    out[0] = (uint32_t)rep.records;
    out[1] = (uint32_t)(rep.records >> 32);
    out[2] = (uint32_t)rep.valid_bytes;
    out[3] = (uint32_t)(rep.valid_bytes >> 32);
    out[4] = (uint32_t)rep.ignored_bytes;
    out[5] = (uint32_t)(rep.ignored_bytes >> 32);
    out[6] = (uint32_t)rep.next_seq;
    out[7] = (uint32_t)(rep.next_seq >> 32);
    out[8] = (uint32_t)rep.base;
    out[9] = (uint32_t)(rep.base >> 32);
    out[10] = (uint32_t)rep.stop;
    out[11] = (uint32_t)rep.status;
    return r;
}

/* ruv_index_snapshot_id into out[0..1] (lo, hi). */
RW int rw_snapshot_id(ruv_index *idx, uint32_t *out) {
    uint64_t id;
    if (!idx || !out)
        return RUV_E_ARG;
    id = ruv_index_snapshot_id(idx);
    out[0] = (uint32_t)id;
    out[1] = (uint32_t)(id >> 32);
    return id ? RUV_OK : RUV_E_UNSUPPORTED;
}

/* The resolved config: metric, kind, M, ef_construction, ef_search, quant, rerank, drop_f32,
   dtype, pq_m, multi, walk_bits, rerank_dtype into out[0..12]. */
RW void rw_config(ruv_index *idx, uint32_t *out) {
    ruv_index_options c = ruv_index_config(idx);
    if (!out)
        return;
    out[0] = (uint32_t)c.metric;
    out[1] = (uint32_t)c.kind;
    out[2] = c.M;
    out[3] = c.ef_construction;
    out[4] = c.ef_search;
    out[5] = (uint32_t)c.quant;
    out[6] = c.rerank;
    out[7] = c.drop_f32;
    out[8] = (uint32_t)c.dtype;
    out[9] = c.pq_m;
    out[10] = c.multi;
    out[11] = c.walk_bits;
    out[12] = (uint32_t)c.rerank_dtype;
}

/* The element type (ruv_dtype) of the index's vectors. */
RW int rw_dtype(ruv_index *idx) { return (int)ruv_index_config(idx).dtype; }

/* 1 if the index lets a key own several vectors (ruv_index_options.multi). */
RW int rw_multi(ruv_index *idx) { return (int)ruv_index_config(idx).multi; }

/* ---- sparse index (ruv_sparse_*) and rank fusion (ruv_fuse) ---------------------------------- */

/* A new sparse index (metric: RUV_METRIC_IP, _COSINE or _L2SQ; max_nnz 0 = the default), or NULL
   with the status in *status. */
RW ruv_sparse_index *rw_sparse_create(int metric, uint32_t max_nnz, int *status) {
    ruv_sparse_options o = ruv_sparse_options_init();
    ruv_sparse_index *idx = NULL;
    int st;
    o.metric = (ruv_metric)metric;
    o.max_nnz = max_nnz;
    st = ruv_sparse_create(&o, &idx);
    if (status)
        *status = st;
    return idx;
}

RW void rw_sparse_free(ruv_sparse_index *idx) { ruv_sparse_free(idx); }

/* ruv_sparse_put: the vector (nnz, ids, values) when has_vec (else NULL: kept), id and meta as
   rw_put (has_id / has_meta: set, length 0 clears; else kept); mode: ruv_put_mode (0 insert, 1
   update, 2 upsert). ruv_sparse_add / _update / _upsert are this call with a vector alone. */
RW int rw_sparse_put(ruv_sparse_index *idx, uint32_t lo, uint32_t hi, int has_vec, uint32_t nnz,
                     const uint32_t *ids, const float *values, const char *id, uint32_t id_len,
                     int has_id, const void *meta, uint32_t meta_len, int has_meta, int mode) {
    ruv_sparse_item it;
    ruv_sparse_vector v;
    if ((has_id && id_len && !id) || (has_meta && meta_len && !meta))
        return RUV_E_ARG;
    memset(&it, 0, sizeof it);
    v.nnz = nnz;
    v.ids = ids;
    v.values = values;
    it.key = rw_key(lo, hi);
    it.vector = has_vec ? &v : NULL;
    it.id = has_id ? (id ? id : "") : NULL;
    it.id_len = has_id ? id_len : 0;
    it.meta = has_meta ? (meta ? meta : (const void *)"") : NULL;
    it.meta_len = has_meta ? meta_len : 0;
    return ruv_sparse_put(idx, &it, (ruv_put_mode)mode);
}

RW int rw_sparse_get_id(ruv_sparse_index *idx, uint32_t lo, uint32_t hi, const char **p,
                        uint32_t *len) {
    size_t l = 0;
    int r;
    if (!p || !len)
        return RUV_E_ARG;
    r = ruv_sparse_get_id(idx, rw_key(lo, hi), p, &l);
    *len = (uint32_t)l;
    return r;
}

RW int rw_sparse_get_meta(ruv_sparse_index *idx, uint32_t lo, uint32_t hi, const void **p,
                          uint32_t *len) {
    size_t l = 0;
    int r;
    if (!p || !len)
        return RUV_E_ARG;
    r = ruv_sparse_get_meta(idx, rw_key(lo, hi), p, &l);
    *len = (uint32_t)l;
    return r;
}

/* The key of the entry with string id (ruv_sparse_get_key). */
RW int rw_sparse_get_key(ruv_sparse_index *idx, const char *id, uint32_t len, uint64_t *key) {
    return ruv_sparse_get_key(idx, id, len, key);
}

/* ruv_sparse_get_stats into out[0..10]: live, tombstones, dims, postings, dead_postings,
   vector_bytes, posting_bytes, key_bytes, id_bytes, meta_bytes, total_bytes (saturated at
   2^32 - 1; size_t is 32 bits here anyway). */
RW int rw_sparse_stats(ruv_sparse_index *idx, uint32_t *out) {
    ruv_sparse_stats s;
    size_t f[11];
    int i;
    if (!out || !idx)
        return RUV_E_ARG;
    s = ruv_sparse_get_stats(idx);
    f[0] = s.live;
    f[1] = s.tombstones;
    f[2] = s.dims;
    f[3] = s.postings;
    f[4] = s.dead_postings;
    f[5] = s.vector_bytes;
    f[6] = s.posting_bytes;
    f[7] = s.key_bytes;
    f[8] = s.id_bytes;
    f[9] = s.meta_bytes;
    f[10] = s.total_bytes;
    for (i = 0; i < 11; i++)
        out[i] = f[i] > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)f[i];
    return RUV_OK;
}

RW int rw_sparse_remove(ruv_sparse_index *idx, uint32_t lo, uint32_t hi) {
    return ruv_sparse_remove(idx, rw_key(lo, hi));
}

RW int rw_sparse_contains(ruv_sparse_index *idx, uint32_t lo, uint32_t hi) {
    return ruv_sparse_contains(idx, rw_key(lo, hi));
}

/* ruv_sparse_get: key's vector into ids[cap] / values[cap]; *nnz = its nonzeros (RUV_E_SPACE
   when cap is smaller, nothing copied; cap 0 with NULL buffers asks for the size). */
RW int rw_sparse_get(ruv_sparse_index *idx, uint32_t lo, uint32_t hi, uint32_t *ids, float *values,
                     uint32_t cap, uint32_t *nnz) {
    size_t got = 0;
    int r;
    if (!nnz)
        return RUV_E_ARG;
    r = ruv_sparse_get(idx, rw_key(lo, hi), ids, values, cap, &got);
    *nnz = got > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)got;
    return r;
}

RW uint32_t rw_sparse_count(ruv_sparse_index *idx) { return (uint32_t)ruv_sparse_count(idx); }
RW uint32_t rw_sparse_memory(ruv_sparse_index *idx) {
    size_t m = ruv_sparse_memory_usage(idx);
    return m > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)m;
}
RW int rw_sparse_compact(ruv_sparse_index *idx) { return ruv_sparse_compact(idx); }

/* Next live key after *cursor (0 to start): 1 with *key set, or 0 at the end. */
RW int rw_sparse_next(ruv_sparse_index *idx, uint32_t *cursor, uint64_t *key) {
    size_t c;
    int r;
    if (!cursor || !key)
        return 0;
    c = *cursor;
    r = ruv_sparse_next(idx, &c, key);
    *cursor = (uint32_t)c;
    return r;
}

/* ruv_sparse_search of the query (nnz, ids, values) into keys[k] and dists[k] (the caller's
   buffers hold k entries); *n = hits, *scored = entries whose score was completed (saturated at
   2^32 - 1). mode: ruv_sparse_mode; window: ruv_sparse_search_options.window; allow: bitset over
   keys (NULL = none) of allow_bits bits. */
RW int rw_sparse_search(ruv_sparse_index *idx, uint32_t nnz, const uint32_t *ids,
                        const float *values, uint32_t k, int mode, uint32_t window,
                        const uint8_t *allow, uint32_t allow_bits, uint64_t *keys, float *dists,
                        uint32_t *n, uint32_t *scored) {
    ruv_hit *hits;
    ruv_sparse_search_options o;
    uint64_t sc = 0;
    size_t got = 0, i, live;
    ruv_result r;
    if (!n || !scored)
        return RUV_E_ARG;
    *n = 0;
    *scored = 0;
    if (!idx || !keys || !dists || k == 0)
        return RUV_E_ARG;
    /* never more hits than live entries: the buffer below is bounded by the index */
    live = ruv_sparse_count(idx);
    if (k > live)
        k = live ? (uint32_t)live : 1;
    hits = k <= 64 ? rw__hits_small : (ruv_hit *)malloc((size_t)k * sizeof *hits);
    if (!hits)
        return RUV_E_NOMEM;
    memset(&o, 0, sizeof o);
    o.mode = (ruv_sparse_mode)mode;
    o.allow = allow;
    o.allow_bits = allow ? allow_bits : 0;
    o.scored = &sc;
    o.window = window;
    r = ruv_sparse_search(idx, nnz, ids, values, k, &o, hits, &got);
    if (got > k)
        got = k;
    for (i = 0; i < got; i++) {
        keys[i] = hits[i].key;
        dists[i] = hits[i].distance;
    }
    *n = (uint32_t)got;
    *scored = sc > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)sc;
    if (hits != rw__hits_small)
        free(hits);
    return r;
}

/* The saved sparse index in a malloc'd buffer (free with free), its length in *len; NULL on
   error with the status in *status. */
RW void *rw_sparse_save(ruv_sparse_index *idx, uint32_t *len, int *status) {
    size_t need, got = 0;
    void *b;
    if (!len || !status)
        return NULL;
    *len = 0;
    need = ruv_sparse_serialized_size(idx);
    if (need > 0xFFFFFFFFu) {
        *status = RUV_E_NOMEM;
        return NULL;
    }
    b = need ? malloc(need) : NULL;
    if (!b) {
        *status = idx ? RUV_E_NOMEM : RUV_E_ARG;
        return NULL;
    }
    *status = ruv_sparse_save_buffer(idx, b, need, &got);
    if (*status != RUV_OK) {
        free(b);
        return NULL;
    }
    *len = (uint32_t)got;
    return b;
}

/* An owned sparse index loaded from buf[0..len-1], or NULL with the status in *status. */
RW ruv_sparse_index *rw_sparse_load(const void *buf, uint32_t len, int *status) {
    ruv_sparse_index *idx = NULL;
    int st = ruv_sparse_load_buffer(buf, len, NULL, &idx);
    if (status)
        *status = st;
    return idx;
}

/* ruv_fuse of nlists lists given back to back: list l holds counts[l] hits, their keys and
   distances in keys[] / dists[] after those of the lists before it. method: ruv_fuse_method;
   rrf_k: 0 = 60; weights: nlists floats or NULL (1 each). The best min(k, distinct keys) into
   out_keys[] / out_scores[] (the caller's buffers hold k); *n = how many. */
RW int rw_fuse(uint32_t nlists, const uint32_t *counts, const uint64_t *keys, const float *dists,
               uint32_t k, int method, double rrf_k, const float *weights, uint64_t *out_keys,
               float *out_scores, uint32_t *n) {
    ruv_fuse_options o = ruv_fuse_options_init();
    ruv_hit *hits = NULL;
    const ruv_hit **lists = NULL;
    size_t *cnt = NULL, total = 0, got = 0, i;
    ruv_fused_hit *out = NULL;
    ruv_result r;
    if (!n)
        return RUV_E_ARG;
    *n = 0;
    if ((nlists && !counts) || !out_keys || !out_scores || k == 0)
        return RUV_E_ARG;
    for (i = 0; i < nlists; i++) {
        if (counts[i] > 0x7FFFFFFFu - total)
            return RUV_E_ARG;
        total += counts[i];
    }
    if (total && (!keys || !dists))
        return RUV_E_ARG;
    /* never more results than input hits: the buffer below is bounded by the input */
    if (k > total)
        k = total ? (uint32_t)total : 1;
    hits = (ruv_hit *)malloc((total ? total : 1) * sizeof *hits);
    lists = (const ruv_hit **)malloc((nlists ? nlists : 1) * sizeof *lists);
    cnt = (size_t *)malloc((nlists ? nlists : 1) * sizeof *cnt);
    out = (ruv_fused_hit *)malloc((size_t)k * sizeof *out);
    if (!hits || !lists || !cnt || !out) {
        r = RUV_E_NOMEM;
        goto done;
    }
    for (i = 0; i < total; i++) {
        hits[i].key = keys[i];
        hits[i].distance = dists[i];
    }
    for (i = 0, total = 0; i < nlists; i++) {
        lists[i] = hits + total;
        cnt[i] = counts[i];
        total += counts[i];
    }
    o.method = (ruv_fuse_method)method;
    o.rrf_k = rrf_k;
    o.weights = weights;
    r = ruv_fuse(nlists, lists, cnt, k, &o, out, &got);
    if (got > k)
        got = k;
    for (i = 0; i < got; i++) {
        out_keys[i] = out[i].key;
        out_scores[i] = out[i].score;
    }
    *n = (uint32_t)got;
done:
    free(hits);
    free(lists);
    free(cnt);
    free(out);
    return r;
}
