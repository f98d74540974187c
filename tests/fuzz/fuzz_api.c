/* libFuzzer target for sequences of API calls. The input picks an index (dimension, metric,
   kind, storage, M, ef, the bits walk) and then a sequence of operations: add, add_batch, put
   (insert, update, upsert; vectors, string ids, metadata), update, upsert, remove, compact,
   reserve, train, search (k, ef, allow-list and callback filters), range search, MMR, batch search,
   save + load + view, and lookups of every entry. A shadow model (plain arrays: which keys are
   live, the vector each was given, its id and metadata) predicts every status, and the results are
   checked against it and against a double-precision brute force:
     - every status is the one the documentation promises for that state and input;
     - a search returns min(k, live entries passing the filters) hits (HNSW too), unique, live,
       passing, in ascending distance; on a flat f32 index every distance equals the brute force
       one and no closer entry was left out;
     - a range search returns unique, live, passing entries within the radius, ascending; on a
       flat f32 index (or f32 copies) exactly the brute force's set;
     - get_vector gives back the vector (normalised for cosine; f32 storage and f32 copies),
       get_id / get_meta / get_key / next / count agree with the model;
     - a saved index loads and views with the same bytes and the same search results.
   Build (clang):
     clang -g -O1 -fsanitize=fuzzer,address,undefined tests/fuzz/fuzz_api.c -o fuzz_api -lm
   With -DRUV_FUZZ_REPLAY (any compiler) main() runs the files named on the command line through
   the same checks: the corpus regression test in ctest (tests/fuzz/corpus-api/). */
#define RUVECTOR_IMPLEMENTATION
#include "ruvector.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(c)                                                                                \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_api: %s:%d: %s\n", __FILE__, __LINE__, #c);                      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define FZ_KEYS 32   /* keys 0..31: collisions are frequent */
#define FZ_MAXDIM 12 /* dimensions 1..12 */
#define FZ_MAXK 40

static int fz_trace; /* replay with RUV_FUZZ_TRACE set: print each operation */

/* ---- input ------------------------------------------------------------------------------- */
typedef struct fz_in {
    const uint8_t *p;
    size_t n, i;
} fz_in;

static unsigned fz_u8(fz_in *in) { return in->i < in->n ? in->p[in->i++] : 0u; }
static int fz_more(const fz_in *in) { return in->i < in->n; }

/* A value: mostly small, sometimes one at a storage type's edge, rarely not finite. */
static float fz_value(fz_in *in) {
    static const float edge[] = {65504.0f,  65519.0f, 65520.0f, 1e5f,  -7e4f,    3.3895e38f,
                                 3.397e38f, 1e-40f,   -0.0f,    1e30f, -3.0e38f, 0.5f};
    unsigned b = fz_u8(in);
    if (b < 240)
        return (float)((int)b - 120) / 16.0f;
    if (b < 252)
        return edge[b - 240];
    if (b < 254)
        return (float)(b == 252 ? INFINITY : -INFINITY);
    return (float)NAN;
}

/* ---- shadow model ------------------------------------------------------------------------- */
typedef struct fz_model {
    ruv_index_options opt;
    int live[FZ_KEYS];
    float vec[FZ_KEYS][FZ_MAXDIM];
    char id[FZ_KEYS][8];
    size_t id_len[FZ_KEYS];
    unsigned char meta[FZ_KEYS][8];
    size_t meta_len[FZ_KEYS];
    int trained, ever; /* quantizer trained; an entry was ever added */
    uint32_t rerank;   /* resolved re-rank factor */
    size_t count;
} fz_model;

static int fz_needs_training(const fz_model *m) {
    return m->opt.quant == RUV_QUANT_SQ8 || m->opt.quant == RUV_QUANT_BIN ||
           m->opt.quant == RUV_QUANT_PQ || m->opt.walk_bits;
}

/* What the documentation says the index accepts (independent of the library's own check). */
static int fz_accepts(const fz_model *m, const float *v) {
    uint32_t i;
    double nn = 0;
    for (i = 0; i < m->opt.dim; i++)
        nn += (double)v[i] * v[i];
    if (m->opt.metric != RUV_METRIC_COSINE && !(nn <= 3.4028234663852886e38 / 4))
        return 0;
    for (i = 0; i < m->opt.dim; i++) {
        double a = fabs((double)v[i]);
        if (v[i] != v[i] || a > 3.4028234663852886e38)
            return 0;
        if (m->opt.metric == RUV_METRIC_COSINE)
            continue;
        if (m->opt.quant == RUV_QUANT_F16 && a >= 65520.0)
            return 0;
        if (m->opt.quant == RUV_QUANT_BF16 && a >= 3.3961775292304e38) /* (2 - 2^-8) 2^127 */
            return 0;
    }
    return 1;
}

/* Largest magnitude of a live vector (exactness is checked only where f32 sums cannot
   overflow). */
static double fz_scale(const fz_model *m, const float *q) {
    double s = 0;
    uint32_t i, k;
    for (i = 0; i < m->opt.dim; i++)
        s = fabs((double)q[i]) > s ? fabs((double)q[i]) : s;
    for (k = 0; k < FZ_KEYS; k++)
        for (i = 0; m->live[k] && i < m->opt.dim; i++)
            s = fabs((double)m->vec[k][i]) > s ? fabs((double)m->vec[k][i]) : s;
    return s;
}

static double fz_ref(const fz_model *m, const float *a, const float *b) {
    double s = 0, aa = 0, bb = 0;
    uint32_t i;
    for (i = 0; i < m->opt.dim; i++) {
        double x = a[i], y = b[i];
        if (m->opt.metric == RUV_METRIC_L2SQ)
            s += (x - y) * (x - y);
        else if (m->opt.metric == RUV_METRIC_L1)
            s += fabs(x - y);
        else {
            s += x * y;
            aa += x * x;
            bb += y * y;
        }
    }
    if (m->opt.metric == RUV_METRIC_L2SQ || m->opt.metric == RUV_METRIC_L1)
        return s;
    if (m->opt.metric == RUV_METRIC_IP)
        return 1.0 - s;
    return aa > 0 && bb > 0 ? 1.0 - s / sqrt(aa * bb) : 1.0; /* zero vectors: 1 */
}

/* ---- filters ------------------------------------------------------------------------------ */
typedef struct fz_filter {
    unsigned mod, rem;
} fz_filter;

static int fz_keep(void *user, uint64_t key) {
    const fz_filter *f = (const fz_filter *)user;
    return (unsigned)(key % f->mod) == f->rem;
}

static int fz_passes(const ruv_search_options *o, uint64_t key) {
    if (o->allow && (key >= o->allow_bits || !((o->allow[key / 8] >> (key % 8)) & 1u)))
        return 0;
    return !o->filter || o->filter(o->filter_user, key);
}

/* ---- checks ------------------------------------------------------------------------------- */
/* Hits of a search: count, uniqueness, liveness, filters, order; exact on a flat f32 index. */
static void fz_check_hits(const fz_model *m, const float *q, const ruv_search_options *o, size_t k,
                          const ruv_hit *h, size_t n, int exact, int ordered) {
    size_t i, j, passing = 0;
    double ref[FZ_KEYS];
    for (i = 0; i < FZ_KEYS; i++)
        if (m->live[i] && fz_passes(o, i)) {
            ref[passing++] = fz_ref(m, q, m->vec[i]);
        }
    FZ_CHECK(n == (k < passing ? k : passing));
    for (i = 0; i < n; i++) {
        FZ_CHECK(h[i].key < FZ_KEYS && m->live[h[i].key] && fz_passes(o, h[i].key));
        FZ_CHECK(h[i].distance == h[i].distance);
        if (i && ordered) /* (MMR hits come in pick order) */
            FZ_CHECK(h[i - 1].distance <= h[i].distance);
        for (j = 0; j < i; j++)
            FZ_CHECK(h[j].key != h[i].key);
    }
    if (exact && n) {
        /* the n-th smallest reference distance */
        double kth;
        for (i = 1; i < passing; i++) { /* insertion sort, at most 32 */
            double t = ref[i];
            for (j = i; j > 0 && ref[j - 1] > t; j--)
                ref[j] = ref[j - 1];
            ref[j] = t;
        }
        kth = ref[n - 1];
        for (i = 0; i < n; i++) {
            double d = fz_ref(m, q, m->vec[h[i].key]), tol = 1e-4 * (1.0 + fabs(d));
            FZ_CHECK(fabs((double)h[i].distance - d) <= tol);
            FZ_CHECK(d <= kth + tol);
        }
    }
}

/* Range search of radius r, which is the (k % (passing + 1))-th smallest reference distance of
   the passing entries (beyond all of them when k % (passing + 1) == passing): hits unique, live,
   passing, ascending, within r; exact (the reference set) on a flat f32 index. */
static void fz_check_range(const fz_model *m, ruv_index *idx, const float *q,
                           const ruv_search_options *o, size_t k, int exact) {
    size_t i, j, passing = 0, n = 99, inside = 0;
    double ref[FZ_KEYS];
    float r;
    ruv_hit h[FZ_KEYS];
    for (i = 0; i < FZ_KEYS; i++)
        if (m->live[i] && fz_passes(o, i))
            ref[passing++] = fz_ref(m, q, m->vec[i]);
    for (i = 1; i < passing; i++) {
        double t = ref[i];
        for (j = i; j > 0 && ref[j - 1] > t; j--)
            ref[j] = ref[j - 1];
        ref[j] = t;
    }
    j = k % (passing + 1);
    r = j < passing ? (float)ref[j] : passing ? (float)ref[passing - 1] * 2.0f + 1.0f : 0.0f;
    if (r != r)
        r = 0.0f;
    FZ_CHECK(ruv_index_search_range(idx, q, r, o, h, FZ_KEYS, &n) == RUV_OK);
    FZ_CHECK(n <= passing);
    for (i = 0; i < n; i++) {
        FZ_CHECK(h[i].key < FZ_KEYS && m->live[h[i].key] && fz_passes(o, h[i].key));
        FZ_CHECK(h[i].distance <= r);
        FZ_CHECK(i == 0 || h[i - 1].distance <= h[i].distance);
        for (j = 0; j < i; j++)
            FZ_CHECK(h[j].key != h[i].key);
        if (exact) {
            double d = fz_ref(m, q, m->vec[h[i].key]);
            FZ_CHECK(fabs((double)h[i].distance - d) <= 1e-4 * (1.0 + fabs(d)));
        }
    }
    for (i = 0; exact && i < passing; i++)
        inside += ref[i] <= (double)r - 1e-4 * (1.0 + fabs((double)r));
    FZ_CHECK(!exact || n >= inside);
}

/* Every entry of the model through the lookups, and nothing else through iteration. */
static void fz_check_entries(const fz_model *m, const ruv_index *idx) {
    size_t cursor = 0, seen = 0;
    uint64_t key;
    uint32_t k, i;
    float v[FZ_MAXDIM];
    FZ_CHECK(ruv_index_count(idx) == m->count);
    FZ_CHECK(ruv_index_stats(idx).live == m->count);
    while (ruv_index_next(idx, &cursor, &key)) {
        FZ_CHECK(key < FZ_KEYS && m->live[key]);
        seen++;
    }
    FZ_CHECK(seen == m->count);
    for (k = 0; k < FZ_KEYS; k++) {
        const char *id;
        const void *meta;
        size_t len;
        uint64_t back;
        FZ_CHECK(ruv_index_contains(idx, k) == m->live[k]);
        if (!m->live[k]) {
            FZ_CHECK(ruv_index_get_vector(idx, k, v) == RUV_E_NOTFOUND);
            continue;
        }
        FZ_CHECK(ruv_index_get_vector(idx, k, v) == RUV_OK);
        if (m->opt.quant == RUV_QUANT_NONE || !m->opt.drop_f32) {
            if (m->opt.metric != RUV_METRIC_COSINE) {
                FZ_CHECK(memcmp(v, m->vec[k], m->opt.dim * sizeof *v) == 0);
            } else {
                double s = 0;
                for (i = 0; i < m->opt.dim; i++)
                    s += (double)m->vec[k][i] * m->vec[k][i];
                for (i = 0; i < m->opt.dim; i++)
                    FZ_CHECK(fabs(v[i] - (s > 0 ? m->vec[k][i] / sqrt(s) : 0.0)) <= 1e-6);
            }
        }
        FZ_CHECK(ruv_index_get_id(idx, k, &id, &len) == RUV_OK && len == m->id_len[k]);
        FZ_CHECK(len == 0 ? id == NULL : memcmp(id, m->id[k], len) == 0);
        if (len)
            FZ_CHECK(ruv_index_get_key(idx, m->id[k], len, &back) == RUV_OK && back == k);
        FZ_CHECK(ruv_index_get_meta(idx, k, &meta, &len) == RUV_OK && len == m->meta_len[k]);
        FZ_CHECK(len == 0 || memcmp(meta, m->meta[k], len) == 0);
    }
}

/* Saves, loads and views: same bytes, same count, same hits for a few queries. */
static void fz_roundtrip(const fz_model *m, const ruv_index *idx) {
    size_t n = ruv_index_serialized_size(idx), got = 0, q, i, na, nb, nc;
    unsigned char *a = (unsigned char *)malloc(n), *b = (unsigned char *)malloc(n);
    ruv_index *ld = NULL, *vw = NULL;
    float v[FZ_MAXDIM];
    ruv_hit ha[FZ_KEYS], hb[FZ_KEYS], hc[FZ_KEYS];
    FZ_CHECK(a && b && n);
    FZ_CHECK(ruv_index_save_buffer(idx, a, n, &got) == RUV_OK && got == n);
    FZ_CHECK(ruv_index_load_buffer(a, n, NULL, &ld) == RUV_OK);
    FZ_CHECK(ruv_index_view(a, n, NULL, &vw) == RUV_OK);
    FZ_CHECK(ruv_index_save_buffer(ld, b, n, &got) == RUV_OK && got == n && !memcmp(a, b, n));
    fz_check_entries(m, ld);
    fz_check_entries(m, vw);
    memset(v, 0, sizeof v);
    FZ_CHECK(ruv_index_add(vw, 0, v) == RUV_E_READONLY);
    for (q = 0; q < 3; q++) {
        for (i = 0; i < m->opt.dim; i++)
            v[i] = (float)((int)((q * 7 + i * 3) % 11) - 5) / 4.0f;
        FZ_CHECK(ruv_index_search(idx, v, FZ_KEYS, NULL, ha, &na) == RUV_OK);
        FZ_CHECK(ruv_index_search(ld, v, FZ_KEYS, NULL, hb, &nb) == RUV_OK);
        FZ_CHECK(ruv_index_search(vw, v, FZ_KEYS, NULL, hc, &nc) == RUV_OK);
        FZ_CHECK(na == nb && na == nc && na == m->count);
        for (i = 0; i < na; i++)
            FZ_CHECK(ha[i].key == hb[i].key && ha[i].key == hc[i].key &&
                     ha[i].distance == hb[i].distance && ha[i].distance == hc[i].distance);
    }
    ruv_index_free(ld);
    ruv_index_free(vw);
    free(a);
    free(b);
}

/* ---- one input ---------------------------------------------------------------------------- */
static void fz_vec(fz_in *in, const fz_model *m, float *v) {
    uint32_t i;
    for (i = 0; i < m->opt.dim; i++)
        v[i] = fz_value(in);
}

/* Applies a put that the model accepted. */
static void fz_apply(fz_model *m, const ruv_item *it) {
    uint64_t k = it->key;
    m->ever = 1;
    if (!m->live[k]) {
        m->live[k] = 1;
        m->count++;
        m->id_len[k] = m->meta_len[k] = 0;
    }
    if (it->vector)
        memcpy(m->vec[k], it->vector, m->opt.dim * sizeof(float));
    if (it->id) {
        m->id_len[k] = it->id_len;
        memcpy(m->id[k], it->id, it->id_len);
    }
    if (it->meta) {
        m->meta_len[k] = it->meta_len;
        memcpy(m->meta[k], it->meta, it->meta_len);
    }
}

/* The status the documentation gives for ruv_index_put(it, mode) in the model's state. */
static ruv_result fz_expect_put(const fz_model *m, const ruv_item *it, ruv_put_mode mode) {
    uint32_t k;
    int present = m->live[it->key];
    if (present && mode == RUV_PUT_INSERT)
        return RUV_E_EXISTS;
    if (!present && mode == RUV_PUT_UPDATE)
        return RUV_E_NOTFOUND;
    if (it->vector && fz_needs_training(m) && !m->trained)
        return RUV_E_UNTRAINED;
    if (!present && !it->vector)
        return RUV_E_ARG;
    if (it->vector && !fz_accepts(m, it->vector))
        return RUV_E_VALUE;
    for (k = 0; it->id && it->id_len && k < FZ_KEYS; k++)
        if (m->live[k] && k != it->key && m->id_len[k] == it->id_len &&
            !memcmp(m->id[k], it->id, it->id_len))
            return RUV_E_EXISTS;
    return RUV_OK;
}

static void fz_run(const uint8_t *data, size_t size) {
    fz_in in;
    fz_model *m = (fz_model *)calloc(1, sizeof *m);
    ruv_index *idx = NULL;
    ruv_search_ctx *ctx = NULL;
    ruv_result r, want;
    unsigned ops = 0, c8;
    in.p = data;
    in.n = size;
    in.i = 0;
    FZ_CHECK(m);
    m->opt = ruv_index_options_init(1 + fz_u8(&in) % FZ_MAXDIM);
    m->opt.metric = (ruv_metric)(fz_u8(&in) % 4);
    m->opt.kind = (ruv_index_kind)(fz_u8(&in) % 2);
    m->opt.quant = (ruv_quant)(fz_u8(&in) % 6);
    m->opt.drop_f32 = fz_u8(&in) % 2;
    m->opt.M = 2 + fz_u8(&in) % 6;
    m->opt.ef_construction = m->opt.M + fz_u8(&in) % 24;
    m->opt.ef_search = 1 + fz_u8(&in) % 24;
    c8 = fz_u8(&in);
    m->opt.capacity = 1 + c8 % 8;
    m->opt.seed = 1 + fz_u8(&in);
    /* the bits walk (HNSW, storage other than BIN) from bit 3 of the capacity byte */
    m->opt.walk_bits = m->opt.kind == RUV_INDEX_HNSW && m->opt.quant != RUV_QUANT_BIN && (c8 & 8);
    if (m->opt.quant == RUV_QUANT_PQ) { /* a divisor of dim */
        uint32_t d = m->opt.dim, c = 1 + fz_u8(&in) % d;
        while (d % c)
            c--;
        m->opt.pq_m = c;
    }
    if (m->opt.quant == RUV_QUANT_NONE)
        m->opt.drop_f32 = 0;
    want = RUV_OK;
    if (m->opt.quant != RUV_QUANT_NONE && m->opt.metric == RUV_METRIC_L1 &&
        m->opt.quant != RUV_QUANT_F16 && m->opt.quant != RUV_QUANT_BF16)
        want = RUV_E_UNSUPPORTED;
    r = ruv_index_create(&m->opt, &idx);
    FZ_CHECK(r == want && (r == RUV_OK) == (idx != NULL));
    if (r != RUV_OK) {
        free(m);
        return;
    }
    m->trained = !fz_needs_training(m);
    m->rerank = ruv_index_config(idx).rerank;
    FZ_CHECK(ruv_index_is_trained(idx) == m->trained);
    FZ_CHECK(ruv_search_ctx_create(idx, &ctx) == RUV_OK);
    while (fz_more(&in) && ops++ < 200) {
        unsigned op = fz_u8(&in) % 13;
        uint64_t key = fz_u8(&in) % FZ_KEYS;
        if (fz_trace)
            fprintf(stderr, "op %u key %u (live %u)\n", op, (unsigned)key, (unsigned)m->count);
        float v[FZ_MAXDIM], q[FZ_MAXDIM];
        ruv_hit hits[FZ_MAXK];
        size_t n, k;
        switch (op) {
        case 0:   /* add */
        case 2:   /* update */
        case 3: { /* upsert */
            ruv_item it;
            ruv_put_mode mode = op == 0   ? RUV_PUT_INSERT
                                : op == 2 ? RUV_PUT_UPDATE
                                          : RUV_PUT_UPSERT;
            fz_vec(&in, m, v);
            memset(&it, 0, sizeof it);
            it.key = key;
            it.vector = v;
            want = fz_expect_put(m, &it, mode);
            if (op == 0) /* ruv_index_add: untrained, then the vector, then the key */
                want = fz_needs_training(m) && !m->trained ? RUV_E_UNTRAINED
                       : !fz_accepts(m, v)                 ? RUV_E_VALUE
                       : m->live[key]                      ? RUV_E_EXISTS
                                                           : RUV_OK;
            r = op == 0   ? ruv_index_add(idx, key, v)
                : op == 2 ? ruv_index_update(idx, key, v)
                          : ruv_index_upsert(idx, key, v);
            FZ_CHECK(r == want);
            if (r == RUV_OK)
                fz_apply(m, &it);
            break;
        }
        case 1: { /* put with id and metadata */
            ruv_item it;
            unsigned f = fz_u8(&in);
            ruv_put_mode mode = (ruv_put_mode)(f % 3);
            char id[8];
            unsigned char meta[8];
            memset(&it, 0, sizeof it);
            it.key = key;
            if (f & 4) {
                fz_vec(&in, m, v);
                it.vector = v;
            }
            if (f & 8) { /* ids from a small alphabet: clashes happen */
                it.id_len = fz_u8(&in) % 3;
                id[0] = (char)('a' + fz_u8(&in) % 3);
                id[1] = (char)('a' + fz_u8(&in) % 2);
                it.id = id;
            }
            if (f & 16) {
                it.meta_len = fz_u8(&in) % 8;
                memset(meta, (int)fz_u8(&in), sizeof meta);
                it.meta = meta;
            }
            want = fz_expect_put(m, &it, mode);
            r = ruv_index_put(idx, &it, mode);
            FZ_CHECK(r == want);
            if (r == RUV_OK)
                fz_apply(m, &it);
            break;
        }
        case 4: /* remove */
            r = ruv_index_remove(idx, key);
            FZ_CHECK(r == (m->live[key] ? RUV_OK : RUV_E_NOTFOUND));
            if (r == RUV_OK) {
                m->live[key] = 0;
                m->count--;
            }
            break;
        case 5:   /* search */
        case 6: { /* MMR */
            ruv_search_options o;
            fz_filter flt;
            uint8_t allow[FZ_KEYS / 8];
            unsigned f = fz_u8(&in);
            memset(&o, 0, sizeof o);
            fz_vec(&in, m, q);
            k = fz_u8(&in) % FZ_MAXK;
            o.ef_search = fz_u8(&in) % 48;
            o.ctx = (f & 1) ? ctx : NULL;
            if (f & 2) {
                flt.mod = 1 + fz_u8(&in) % 5;
                flt.rem = fz_u8(&in) % flt.mod;
                o.filter = fz_keep;
                o.filter_user = &flt;
            }
            if (f & 4) {
                allow[0] = (uint8_t)fz_u8(&in), allow[1] = (uint8_t)fz_u8(&in);
                allow[2] = (uint8_t)fz_u8(&in), allow[3] = (uint8_t)fz_u8(&in);
                o.allow = allow;
                o.allow_bits = fz_u8(&in) % (FZ_KEYS + 1);
            }
            if (op == 5 && (f & 64)) { /* range search instead */
                if (fz_accepts(m, q))
                    fz_check_range(m, idx, q, &o, k,
                                   m->opt.kind == RUV_INDEX_FLAT &&
                                       (m->opt.quant == RUV_QUANT_NONE || !m->opt.drop_f32) &&
                                       fz_scale(m, q) < 1e6);
                else
                    FZ_CHECK(ruv_index_search_range(idx, q, 1.0f, &o, hits, FZ_MAXK, &n) ==
                                 RUV_E_VALUE &&
                             n == 0);
                break;
            }
            if (op == 5)
                r = ruv_index_search(idx, q, k, &o, hits, &n);
            else
                r = ruv_index_search_mmr(idx, q, k, (float)(fz_u8(&in) % 5) / 4.0f, fz_u8(&in) % 64,
                                         &o, hits, &n);
            want = k == 0 ? RUV_E_ARG : !fz_accepts(m, q) ? RUV_E_VALUE : RUV_OK;
            FZ_CHECK(r == want);
            if (r != RUV_OK) {
                FZ_CHECK(n == 0);
                break;
            }
            fz_check_hits(m, q, &o, k, hits, n,
                          op == 5 && m->opt.kind == RUV_INDEX_FLAT &&
                              (m->opt.quant == RUV_QUANT_NONE ||
                               (!m->opt.drop_f32 && k * m->rerank >= m->count)) &&
                              fz_scale(m, q) < 1e6,
                          op == 5);
            break;
        }
        case 7: /* compact, reserve */
            FZ_CHECK(ruv_index_compact(idx) == RUV_OK);
            FZ_CHECK(ruv_index_reserve(idx, fz_u8(&in) % 64) == RUV_OK);
            break;
        case 8: /* save, load, view */
            fz_roundtrip(m, idx);
            break;
        case 9: { /* train */
            size_t t, cnt = m->opt.quant == RUV_QUANT_PQ ? 256 + fz_u8(&in) % 8 : 1 + fz_u8(&in);
            float *s = (float *)malloc(cnt * m->opt.dim * sizeof *s);
            uint64_t x = 0x9E3779B97F4A7C15ull * (1 + fz_u8(&in));
            FZ_CHECK(s);
            for (t = 0; t < cnt * m->opt.dim; t++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                s[t] = (float)((double)(x >> 11) / 9007199254740992.0 * 8.0 - 4.0);
            }
            r = ruv_index_train(idx, cnt, s);
            free(s);
            /* an HNSW index keeps deleted nodes (until reused): it may still hold vectors */
            FZ_CHECK(m->count                                   ? r == RUV_E_STATE
                     : m->opt.kind == RUV_INDEX_HNSW && m->ever ? r == RUV_E_STATE || r == RUV_OK
                                                                : r == RUV_OK);
            if (r == RUV_OK)
                m->trained = 1;
            FZ_CHECK(ruv_index_is_trained(idx) == m->trained);
            break;
        }
        case 10: { /* add_batch: all or nothing */
            uint64_t keys[4];
            float vs[4 * FZ_MAXDIM];
            size_t b, c, cnt = fz_u8(&in) % 5;
            int dup = 0, bad = 0, exists = 0;
            ruv_build_options bo;
            memset(&bo, 0, sizeof bo);
            bo.threads = 1 + fz_u8(&in) % 3;
            for (b = 0; b < cnt; b++) {
                keys[b] = fz_u8(&in) % FZ_KEYS;
                fz_vec(&in, m, vs + b * m->opt.dim);
            }
            for (b = 0; b < cnt; b++) { /* the first failing vector decides, as documented */
                if (!bad && !exists && !fz_accepts(m, vs + b * m->opt.dim))
                    bad = 1;
                if (!bad && !exists && m->live[keys[b]])
                    exists = 1;
                for (c = 0; c < b; c++)
                    dup |= keys[b] == keys[c];
            }
            want = cnt == 0                              ? RUV_OK
                   : fz_needs_training(m) && !m->trained ? RUV_E_UNTRAINED
                   : bad                                 ? RUV_E_VALUE
                   : exists || dup                       ? RUV_E_EXISTS
                                                         : RUV_OK;
            r = ruv_index_add_batch(idx, cnt, keys, vs, &bo);
            FZ_CHECK(r == want);
            for (b = 0; r == RUV_OK && b < cnt; b++) {
                ruv_item it;
                memset(&it, 0, sizeof it);
                it.key = keys[b];
                it.vector = vs + b * m->opt.dim;
                fz_apply(m, &it);
            }
            break;
        }
        case 11: /* lookups */
            fz_check_entries(m, idx);
            break;
        default: { /* batch search: one search per query, same as single searches */
            float qs[3 * FZ_MAXDIM];
            ruv_hit bh[3 * 4];
            size_t bn[3], i, one;
            int ok = 1;
            for (i = 0; i < 3; i++) {
                fz_vec(&in, m, qs + i * m->opt.dim);
                ok &= fz_accepts(m, qs + i * m->opt.dim);
            }
            r = ruv_index_search_batch(idx, 3, qs, 4, NULL, bh, bn);
            FZ_CHECK(ok ? r == RUV_OK : r == RUV_E_VALUE);
            for (i = 0; r == RUV_OK && i < 3; i++) {
                FZ_CHECK(ruv_index_search(idx, qs + i * m->opt.dim, 4, NULL, hits, &one) == RUV_OK);
                FZ_CHECK(one == bn[i]);
                for (k = 0; k < one; k++)
                    FZ_CHECK(hits[k].key == bh[4 * i + k].key &&
                             hits[k].distance == bh[4 * i + k].distance);
            }
            break;
        }
        }
    }
    fz_check_entries(m, idx);
    fz_roundtrip(m, idx);
    ruv_search_ctx_free(ctx);
    ruv_index_free(idx);
    free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_run(data, size);
    return 0;
}

#ifdef RUV_FUZZ_REPLAY
int main(int argc, char **argv) {
    int i;
    fz_trace = getenv("RUV_FUZZ_TRACE") != NULL;
    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        long len;
        uint8_t *buf;
        FZ_CHECK(f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0);
        FZ_CHECK(fseek(f, 0, SEEK_SET) == 0);
        buf = (uint8_t *)malloc((size_t)len + 1);
        FZ_CHECK(buf && fread(buf, 1, (size_t)len, f) == (size_t)len);
        fclose(f);
        fz_run(buf, (size_t)len);
        free(buf);
    }
    printf("%d passed, 0 failed\n", argc - 1);
    return 0;
}
#endif
