/* Regressions for the defects an outside-in audit found (issue 17), each checked against values
   computed here: F16/BF16 components that would round to infinity and f32 vectors whose distances
   could overflow are refused; the loader refuses non-finite floats and header fields outside
   their documented ranges with format statuses; HNSW searches return every passing entry when
   asked for all of them; hostile lengths are refused before any memory is touched. */
#include "test.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static float f32_of_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* The index's state as bytes: its saved form, or where saving is unsupported (big-endian hosts)
   what the public API shows of it: the count, then for keys 1..7 whether each is present and its
   stored vector (dim 2). The caller frees. */
static unsigned char *state_of(const ruv_index *idx, size_t *len) {
    unsigned char *b = save_to_mem(idx, len);
    size_t at = 0;
    uint64_t key;
    if (b)
        return b;
    b = (unsigned char *)calloc(1, 8 + 7 * (1 + 2 * sizeof(float)));
    if (!b)
        return NULL;
    key = ruv_index_count(idx);
    memcpy(b, &key, 8);
    at = 8;
    for (key = 1; key <= 7; key++) {
        float v[2] = {0, 0};
        b[at++] = (unsigned char)ruv_index_contains(idx, key);
        if (b[at - 1] && ruv_index_get_vector(idx, key, v) != RUV_OK)
            v[0] = v[1] = -1; /* present but unreadable: differs from any stored vector */
        memcpy(b + at, v, sizeof v);
        at += sizeof v;
    }
    *len = at;
    return b;
}

/* Adds key with v; returns the status. The index must be unchanged (same state) on error. */
static ruv_result add_unchanged(ruv_index *idx, uint64_t key, const float *v, int how) {
    size_t la = 0, lb = 0;
    unsigned char *a = state_of(idx, &la), *b;
    ruv_result r;
    ruv_item it;
    memset(&it, 0, sizeof it);
    it.key = key;
    it.vector = v;
    r = how == 0   ? ruv_index_add(idx, key, v)
        : how == 1 ? ruv_index_upsert(idx, key, v)
        : how == 2 ? ruv_index_update(idx, key, v)
                   : ruv_index_put(idx, &it, RUV_PUT_UPSERT);
    b = state_of(idx, &lb);
    if (r != RUV_OK)
        CHECK(a && b && la == lb && memcmp(a, b, la) == 0);
    free(a);
    free(b);
    return r;
}

/* D1: F16 / BF16 storage refuses what would round to infinity, for every metric, kind, with and
   without f32 copies, through add, upsert, update and put, and in queries; what it accepts
   searches without NaN. */
TEST(audit_f16_bf16_range) {
    /* the largest finite values and the first ones that round to infinity, from the types'
       definitions: F16 max 65504 = (2 - 2^-10) 2^15, rounding to inf from 65520 = (2 - 2^-11)
       2^15; BF16 max 0x7F7F (as f32 bits 0x7F7F0000), inf from 0x7F7F8000 (ties to even) */
    const float f16_ok[2] = {65504.0f, 65519.99f}, f16_bad[2] = {65520.0f, 1e5f};
    const float bf16_ok[2] = {4e18f, -4e18f}; /* (BF16 range is beyond the norm bound) */
    const float bf16_bad[2] = {f32_of_bits(0x7F7F8000u), FLT_MAX};
    int qt, m, kind, drop, how, e;
    for (qt = 0; qt < 2; qt++)
        for (m = 0; m < 4; m++)
            for (kind = 0; kind < 2; kind++)
                for (drop = 0; drop < 2; drop++) {
                    ruv_index_options o = ruv_index_options_init(2);
                    ruv_index *idx = NULL;
                    ruv_hit h[4];
                    size_t n = 0, i;
                    float v[2] = {0, 1};
                    const float *ok = qt ? bf16_ok : f16_ok, *bad = qt ? bf16_bad : f16_bad;
                    int cosine = m == RUV_METRIC_COSINE;
                    o.quant = qt ? RUV_QUANT_BF16 : RUV_QUANT_F16;
                    o.metric = (ruv_metric)m;
                    o.kind = (ruv_index_kind)kind;
                    o.drop_f32 = (uint32_t)drop;
                    REQUIRE(ruv_index_create(&o, &idx) == RUV_OK);
                    CHECK_EQ_INT(ruv_index_add(idx, 1, v), RUV_OK);
                    for (e = 0; e < 2; e++) {
                        v[0] = bad[e];
                        for (how = 0; how < 4; how++)
                            CHECK_EQ_INT(add_unchanged(idx, how == 2 ? 1 : 7, v, how),
                                         cosine ? RUV_OK : RUV_E_VALUE);
                        v[0] = -bad[e];
                        CHECK_EQ_INT(ruv_index_search(idx, v, 2, NULL, h, &n),
                                     cosine ? RUV_OK : RUV_E_VALUE);
                        if (cosine) /* undo: the cosine index took them */
                            CHECK(ruv_index_remove(idx, 7) == RUV_OK ||
                                  !ruv_index_contains(idx, 7));
                    }
                    CHECK_EQ_INT(ruv_index_count(idx), 1);
                    for (e = 0; e < 2; e++) {
                        v[0] = ok[e];
                        v[1] = 1.0f;
                        CHECK_EQ_INT(ruv_index_upsert(idx, 10 + (uint64_t)e, v), RUV_OK);
                    }
                    v[0] = 0.0f;
                    CHECK_EQ_INT(ruv_index_upsert(idx, 20, v), RUV_OK);
                    for (e = 0; e < 2; e++) {
                        v[0] = ok[e];
                        v[1] = 1.0f;
                        CHECK_EQ_INT(ruv_index_search(idx, v, 4, NULL, h, &n), RUV_OK);
                        CHECK_EQ_INT(n, 4);
                        for (i = 0; i < n; i++) {
                            CHECK(h[i].distance == h[i].distance); /* no NaN */
                            CHECK(i == 0 || h[i - 1].distance <= h[i].distance);
                        }
                        /* the vector itself comes first (L2, L1: at distance 0) */
                        if (m == RUV_METRIC_L2SQ || m == RUV_METRIC_L1)
                            CHECK(h[0].distance == 0.0f && (h[0].key == 10 || h[0].key == 11));
                    }
                    ruv_index_free(idx);
                }
}

/* D1 for f32 storage: finite vectors whose distances could overflow f32 (squared norm above
   FLT_MAX / 4) are refused, except for cosine, so no search returns a NaN distance. */
TEST(audit_f32_overflow) {
    int m, kind;
    for (m = 0; m < 4; m++)
        for (kind = 0; kind < 2; kind++) {
            ruv_index_options o = ruv_index_options_init(2);
            ruv_index *idx = NULL;
            float big[2] = {1e30f, 1e30f}, neg[2] = {1e30f, -1e30f}, edge[2], q[2] = {1, 1};
            ruv_hit h[8];
            size_t n = 0, i;
            int cosine = m == RUV_METRIC_COSINE;
            /* |edge|^2 = FLT_MAX / 4 - a little: accepted everywhere */
            edge[0] = edge[1] = (float)(sqrt((double)FLT_MAX / 8.0) * 0.999);
            o.metric = (ruv_metric)m;
            o.kind = (ruv_index_kind)kind;
            REQUIRE(ruv_index_create(&o, &idx) == RUV_OK);
            CHECK_EQ_INT(add_unchanged(idx, 1, big, 0), cosine ? RUV_OK : RUV_E_VALUE);
            CHECK_EQ_INT(add_unchanged(idx, 2, neg, 3), cosine ? RUV_OK : RUV_E_VALUE);
            CHECK_EQ_INT(ruv_index_search(idx, big, 2, NULL, h, &n), cosine ? RUV_OK : RUV_E_VALUE);
            CHECK_EQ_INT(ruv_index_add(idx, 3, edge), RUV_OK);
            edge[1] = -edge[1];
            CHECK_EQ_INT(ruv_index_add(idx, 4, edge), RUV_OK);
            CHECK_EQ_INT(ruv_index_add(idx, 5, q), RUV_OK);
            CHECK_EQ_INT(ruv_index_search(idx, edge, 8, NULL, h, &n), RUV_OK);
            CHECK_EQ_INT(n, ruv_index_count(idx));
            for (i = 0; i < n; i++)
                CHECK(h[i].distance == h[i].distance &&
                      (i == 0 || h[i - 1].distance <= h[i].distance));
            ruv_index_free(idx);
        }
}

/* Saves idx, lets edit() change the bytes, reseals the checksums, and expects `want` from both
   load and view (and no index). */
static void expect_refused(const ruv_index *idx, void (*edit)(unsigned char *, size_t, void *),
                           void *user, ruv_result want, int line) {
    size_t len = 0;
    unsigned char *b = save_to_mem(idx, &len);
    ruv_index *out = (ruv_index *)&len;
    ruv_result r1, r2;
    if (!b) {
        CHECK(b != NULL);
        return;
    }
    edit(b, len, user);
    reseal(b, len);
    r1 = ruv_index_load_buffer(b, len, NULL, &out);
    CHECK(out == NULL);
    if (out != (ruv_index *)&len)
        ruv_index_free(out);
    out = (ruv_index *)&len;
    r2 = ruv_index_view(b, len, NULL, &out);
    CHECK(out == NULL);
    if (out != (ruv_index *)&len)
        ruv_index_free(out);
    if (r1 != want || r2 != want) {
        printf("  case %d: load %s, view %s, expected %s\n", line, ruv_result_string(r1),
               ruv_result_string(r2), ruv_result_string(want));
        CHECK(r1 == want && r2 == want);
    }
    free(b);
}

typedef struct patch {
    uint32_t section; /* 0: the header */
    size_t at;        /* offset within it */
    uint32_t bits;    /* u32 written there */
    int width;        /* 4 or 2 bytes */
} patch;

static void apply_patch(unsigned char *b, size_t len, void *user) {
    const patch *p = (const patch *)user;
    size_t off = 0, slen = 0;
    if (p->section) {
        off = sec_off(b, p->section, &slen);
        if (!off || p->at + (size_t)p->width > slen) {
            CHECK(!"section missing or too short");
            return;
        }
    }
    if (off + p->at + 4 > len)
        return;
    if (p->width == 2) {
        b[off + p->at] = (unsigned char)p->bits;
        b[off + p->at + 1] = (unsigned char)(p->bits >> 8);
    } else {
        wr32le(b + off + p->at, p->bits);
    }
}

static ruv_index *small_index(ruv_quant qt, ruv_metric m, uint32_t drop, size_t n) {
    ruv_index_options o = ruv_index_options_init(8);
    ruv_index *idx = NULL;
    float *v = random_vecs(n, 8, 77);
    size_t i;
    o.quant = qt;
    o.metric = m;
    o.drop_f32 = drop;
    o.pq_m = qt == RUV_QUANT_PQ ? 4 : 0;
    if (!v || ruv_index_create(&o, &idx) != RUV_OK ||
        (qt >= RUV_QUANT_SQ8 && ruv_index_train(idx, n, v) != RUV_OK)) {
        free(v);
        ruv_index_free(idx);
        return NULL;
    }
    for (i = 0; i < n; i++)
        if (ruv_index_add(idx, i, v + i * 8) != RUV_OK) {
            ruv_index_free(idx);
            idx = NULL;
            break;
        }
    free(v);
    return idx;
}

/* D2: every float the loader reads that the API never writes non-finite is checked: f32 slot
   vectors, F16/BF16 halves, the SQ8 per-code float, PQ centroids, f32 copies (and, as before,
   the SQ8/BIN range tables). */
TEST(audit_loader_nonfinite) {
    const uint32_t nan32 = 0x7FC00000u, inf32 = 0x7F800000u;
    struct {
        ruv_quant qt;
        ruv_metric m;
        uint32_t drop;
        patch p;
    } cases[] = {
        {RUV_QUANT_NONE, RUV_METRIC_L2SQ, 0, {FMT_S_SLOTS, 2 * 32 + 4, nan32, 4}}, /* slot 2 */
        {RUV_QUANT_NONE, RUV_METRIC_IP, 0, {FMT_S_SLOTS, 0, inf32, 4}},
        {RUV_QUANT_F16, RUV_METRIC_L2SQ, 1, {FMT_S_SLOTS, 16 + 2, 0x7C00u, 2}}, /* +inf half */
        {RUV_QUANT_F16, RUV_METRIC_L1, 1, {FMT_S_SLOTS, 4, 0xFE00u, 2}},        /* NaN half */
        {RUV_QUANT_BF16, RUV_METRIC_IP, 1, {FMT_S_SLOTS, 6, 0x7F80u, 2}},
        {RUV_QUANT_SQ8,
         RUV_METRIC_L2SQ,
         1,
         {FMT_S_SLOTS, 8, nan32, 4}}, /* the float after 8 codes */
        {RUV_QUANT_SQ8, RUV_METRIC_COSINE, 0, {FMT_S_SLOTS, 16 + 8, inf32, 4}},
        {RUV_QUANT_PQ, RUV_METRIC_L2SQ, 1, {FMT_S_QUANT, 8 * 4 + 4 * 100, nan32, 4}}, /* centroid */
        {RUV_QUANT_SQ8, RUV_METRIC_L2SQ, 0, {FMT_S_F32, 4 * 9, nan32, 4}},            /* f32 copy */
        {RUV_QUANT_F16, RUV_METRIC_L2SQ, 0, {FMT_S_F32, 0, inf32, 4}},
        {RUV_QUANT_SQ8,
         RUV_METRIC_L2SQ,
         1,
         {FMT_S_QUANT, 4, nan32, 4}}, /* range table, as before */
    };
    size_t c;
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ruv_index *idx = small_index(cases[c].qt, cases[c].m, cases[c].drop, 300);
        REQUIRE(idx != NULL);
        expect_refused(idx, apply_patch, &cases[c].p, RUV_E_CORRUPT, (int)c);
        ruv_index_free(idx);
    }
}

/* D3: every header field outside its documented range gives RUV_E_CORRUPT from load and view
   (not RUV_E_ARG), and the values at the bounds load. */
TEST(audit_header_bounds) {
    struct {
        size_t at;
        uint32_t bad, good; /* good = 0: no in-range value to try */
        int hnsw;
    } f[] = {
        {32, 0, 0, 0},               /* dim 0 */
        {32, RUV_MAX_DIM + 1, 0, 0}, /* dim too large (also the stride) */
        {36, 5, 0, 0},               /* metric (4, custom: test_custom.c) */
        {40, 3, 0, 0},             /* kind (2, a sparse index: RUV_E_UNSUPPORTED, test_sparse.c) */
        {44, 6, 0, 0},             /* quant */
        {44, 0x200u, 0, 0},        /* f16 copies (drop_f32 byte 2) of f32 storage */
        {44, 0x400u, 0, 0},        /* drop_f32 byte 4 */
        {48, 1, 0, 0},             /* M below 2 */
        {48, RUV_MAX_M + 1, 0, 0}, /* M above the largest */
        {52, 15, 0, 0},            /* ef_construction below M (16) */
        {52, RUV_MAX_EF + 1, RUV_MAX_EF, 0}, /* ef_construction above RUV_MAX_EF */
        {52, 0xFFFFFFFFu, 0, 0},             /* ... far above */
        {56, 0, 0, 0},                       /* ef_search 0 */
        {56, RUV_MAX_EF + 1, RUV_MAX_EF, 0}, /* ef_search above RUV_MAX_EF */
        {56, 0xFFFFFFFFu, 0, 0},             /* ... far above */
        {60, 32, 0, 1},                      /* top level above 31 */
        {104, 0, 0, 0},                      /* capacity 0 */
        {108, 1, 0, 0},                      /* capacity above 2^32 */
        {112, 2, 0, 0},                      /* pq_m on an f32 index */
        {116, 4, 0, 0},                      /* rerank on an f32 index */
        {96, 1000, 0, 1},                    /* entry beyond the slots */
    };
    size_t i;
    ruv_index *flat = small_index(RUV_QUANT_NONE, RUV_METRIC_L2SQ, 0, 50), *hnsw = NULL;
    float *v = random_vecs(50, 8, 5);
    REQUIRE(flat && v);
    hnsw = make_index(RUV_METRIC_L2SQ, RUV_INDEX_HNSW, 8, v, 50);
    REQUIRE(hnsw != NULL);
    for (i = 0; i < sizeof f / sizeof f[0]; i++) {
        patch p;
        const ruv_index *idx = f[i].hnsw ? hnsw : flat;
        p.section = 0;
        p.at = f[i].at;
        p.width = 4;
        p.bits = f[i].bad;
        expect_refused(idx, apply_patch, &p, RUV_E_CORRUPT, (int)i);
        if (f[i].good) { /* the bound itself loads */
            size_t len = 0;
            unsigned char *b = save_to_mem(idx, &len);
            ruv_index *out = NULL;
            REQUIRE(b != NULL);
            p.bits = f[i].good;
            apply_patch(b, len, &p);
            reseal(b, len);
            CHECK_EQ_INT(ruv_index_load_buffer(b, len, NULL, &out), RUV_OK);
            ruv_index_free(out);
            free(b);
        }
    }
    free(v);
    ruv_index_free(flat);
    ruv_index_free(hnsw);
}

static int keep_odd(void *user, uint64_t key) {
    (void)user;
    return (int)(key & 1u);
}

/* D4: an HNSW search for every entry returns every live entry exactly once (and a filtered one
   every passing entry), after builds of many seeds, M values and thread counts, and after
   delete and compaction rounds. The audit's case: 300 random 8-d vectors plus a zero and a
   denormal one, M=4, ef_construction=16, which left up to 9 entries unreachable. */
TEST(audit_hnsw_all_reachable) {
    const size_t n = 302, dim = 8;
    uint32_t ms[] = {2, 4, 8};
    int mi, seed, metric, threads, round;
    float *v = random_vecs(n, dim, 99);
    ruv_hit *h = (ruv_hit *)malloc(n * sizeof *h);
    REQUIRE(v && h);
    memset(v + 300 * dim, 0, 2 * dim * sizeof *v); /* a zero vector and a denormal one */
    v[301 * dim] = 1e-40f;
    for (mi = 0; mi < 3; mi++)
        for (seed = 1; seed <= 6; seed++)
            for (metric = 0; metric < 3; metric++)
                for (threads = 1; threads <= (TEST_THREADS ? 4 : 1); threads += 3) {
                    ruv_index_options o = ruv_index_options_init((uint32_t)dim);
                    ruv_build_options bo;
                    ruv_index *idx = NULL;
                    uint64_t *keys = (uint64_t *)malloc(n * sizeof *keys);
                    unsigned char seen[302];
                    size_t i, got = 0, live;
                    REQUIRE(keys != NULL);
                    o.kind = RUV_INDEX_HNSW;
                    o.metric = (ruv_metric)metric;
                    o.M = ms[mi];
                    o.ef_construction = 16;
                    o.seed = (uint64_t)seed;
                    memset(&bo, 0, sizeof bo);
                    bo.threads = (uint32_t)threads;
                    for (i = 0; i < n; i++)
                        keys[i] = i;
                    REQUIRE(ruv_index_create(&o, &idx) == RUV_OK);
                    REQUIRE(ruv_index_add_batch(idx, n, keys, v, &bo) == RUV_OK);
                    for (round = 0; round < 3; round++) {
                        ruv_search_options so;
                        size_t passing = 0;
                        if (round) { /* delete a third, compact, put half of them back */
                            for (i = (size_t)round; i < n; i += 3)
                                if (ruv_index_contains(idx, i))
                                    CHECK_EQ_INT(ruv_index_remove(idx, i), RUV_OK);
                            CHECK_EQ_INT(ruv_index_compact(idx), RUV_OK);
                            for (i = (size_t)round; i < n; i += 6)
                                CHECK_EQ_INT(ruv_index_add(idx, i, v + i * dim), RUV_OK);
                        }
                        live = ruv_index_count(idx);
                        CHECK_EQ_INT(ruv_index_search(idx, v, (size_t)-1, NULL, h, &got), RUV_OK);
                        CHECK_EQ_INT(got, live);
                        memset(seen, 0, sizeof seen);
                        for (i = 0; i < got; i++) {
                            CHECK(h[i].key < n && !seen[h[i].key] &&
                                  ruv_index_contains(idx, h[i].key));
                            if (h[i].key < n)
                                seen[h[i].key] = 1;
                        }
                        memset(&so, 0, sizeof so);
                        so.filter = keep_odd;
                        for (i = 0; i < n; i++)
                            passing += ruv_index_contains(idx, i) && (i & 1u);
                        CHECK_EQ_INT(ruv_index_search(idx, v + dim, n, &so, h, &got), RUV_OK);
                        CHECK_EQ_INT(got, passing);
                    }
                    ruv_index_free(idx);
                    free(keys);
                }
    free(v);
    free(h);
}

/* Also: lengths beyond anything stored are refused before the caller's memory is read or
   written (ASan watches the short buffers). */
TEST(audit_hostile_lengths) {
    float v[4] = {1, 2, 3, 4};
    ruv_index *idx = make_index(RUV_METRIC_L2SQ, RUV_INDEX_FLAT, 4, v, 1);
    char id[4] = {'a', 'b', 'c', 'd'};
    uint64_t key = 7;
    ruv_hit h[2];
    size_t nout[2] = {123, 456};
    ruv_item it;
    REQUIRE(idx != NULL);
    memset(&it, 0, sizeof it); /* an id, so that id lookups reach the id table */
    it.key = 0;
    it.id = "abcd";
    it.id_len = 4;
    REQUIRE(ruv_index_put(idx, &it, RUV_PUT_UPDATE) == RUV_OK);
    CHECK_EQ_INT(ruv_index_get_key(idx, id, (size_t)-1, &key), RUV_E_NOTFOUND);
    CHECK_EQ_INT(ruv_index_get_key(idx, id, RUV_MAX_ID_BYTES + 1, &key), RUV_E_NOTFOUND);
    CHECK_EQ_INT(key, 0); /* out-parameters read 0 on an error (API CONVENTIONS) */
    CHECK_EQ_INT(ruv_index_get_key(idx, id, 4, &key), RUV_OK);
    CHECK_EQ_INT(key, 0);
    CHECK_EQ_INT(ruv_index_search_batch(idx, (size_t)-1, v, 2, NULL, h, nout), RUV_E_ARG);
    CHECK_EQ_INT(ruv_index_search_batch(idx, (size_t)-1 / 16, v, 32, NULL, h, nout), RUV_E_ARG);
    CHECK(nout[0] == 123 && nout[1] == 456); /* untouched */
    CHECK_EQ_INT(ruv_index_search_batch(idx, 1, v, 2, NULL, h, nout), RUV_OK);
    CHECK(nout[0] == 1 && h[0].key == 0 && h[0].distance == 0.0f);
    ruv_index_free(idx);
}
