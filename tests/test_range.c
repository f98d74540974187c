/* Range search (ruv_index_search_range, ruv_index_search_range_each) against a double-precision
   brute force: exact on flat indexes, recall of the in-radius set on HNSW. */
#include "test.h"

/* Reference distances of every base vector to q, and the r-th smallest (0-based) in *rth. */
static double *ref_all(ruv_metric m, const float *base, size_t n, size_t dim, const float *q,
                       size_t r, double *rth) {
    double *d = (double *)malloc(n * sizeof *d), *s = (double *)malloc(n * sizeof *s);
    size_t i, j;
    if (!d || !s) {
        free(d);
        free(s);
        return NULL;
    }
    for (i = 0; i < n; i++)
        s[i] = d[i] = ref_dist(m, q, base + i * dim, dim);
    for (j = 0; j <= r && j < n; j++) { /* partial selection sort */
        size_t best = j;
        double t;
        for (i = j + 1; i < n; i++)
            if (s[i] < s[best])
                best = i;
        t = s[best];
        s[best] = s[j];
        s[j] = t;
    }
    *rth = s[r < n ? r : n - 1];
    free(s);
    return d;
}

typedef struct collect {
    ruv_hit h[64];
    size_t n, stop_after;
} collect;

static int collect_hit(void *user, uint64_t key, float distance) {
    collect *c = (collect *)user;
    if (c->n < 64) {
        c->h[c->n].key = key;
        c->h[c->n].distance = distance;
    }
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

/* Passes about half of the keys, in no pattern that evenly spaced samples alias with (the
   filtered search estimates its pass rate from evenly spaced slots). */
static int half_pass(uint64_t key) { return (int)(((key + 1) * 0x9E3779B97F4A7C15ull >> 40) & 1u); }

static int half_keys(void *user, uint64_t key) {
    (void)user;
    return half_pass(key);
}

/* Checks hits[0..n-1] of a range search of radius r against the reference distances d (keys
   index d; key % 2 == 0 skipped when half): ascending, each within r and equal to its
   reference, and every entry clearly inside r present. Returns the number of reference entries
   within r (boundary ties within tolerance counted only if returned). */
static void check_exact(ruv_metric m, const ruv_hit *h, size_t n, const double *d, size_t nb,
                        double r, int half, const uint8_t *dead) {
    size_t i, inside = 0, found = 0;
    unsigned char *seen = (unsigned char *)calloc(nb, 1);
    if (!seen) {
        g_failed_checks++;
        return;
    }
    for (i = 0; i < n; i++) {
        uint64_t k = h[i].key;
        CHECK(k < nb);
        if (k >= nb)
            continue;
        CHECK(!seen[k]);
        seen[k] = 1;
        CHECK(!(half && !half_pass(k)));
        CHECK(!(dead && dead[k]));
        CHECK(fabs((double)h[i].distance - d[k]) <= tol(m, d[k]));
        CHECK(d[k] <= r + tol(m, r));
        CHECK(i == 0 || h[i - 1].distance <= h[i].distance);
    }
    for (i = 0; i < nb; i++) {
        if ((half && !half_pass(i)) || (dead && dead[i]))
            continue;
        if (d[i] <= r - tol(m, r)) {
            inside++;
            found += seen[i];
        }
    }
    CHECK_EQ_INT(found, inside);
    free(seen);
}

TEST(range_flat) {
    static const ruv_metric metrics[4] = {RUV_METRIC_L2SQ, RUV_METRIC_IP, RUV_METRIC_COSINE,
                                          RUV_METRIC_L1};
    size_t nb = 600, dim = 12, nq = 8, mi, q, n, i;
    float *base = random_vecs(nb, dim, 71), *qs = random_vecs(nq, dim, 72);
    ruv_hit *h = (ruv_hit *)malloc(nb * sizeof *h);
    REQUIRE(base && qs && h);
    for (mi = 0; mi < 4; mi++) {
        ruv_metric m = metrics[mi];
        ruv_index *idx = make_index(m, RUV_INDEX_FLAT, dim, base, nb);
        uint8_t dead[600] = {0};
        REQUIRE(idx);
        for (q = 0; q < nq; q++) {
            const float *qv = qs + q * dim;
            double r;
            double *d = ref_all(m, base, nb, dim, qv, 3 + 11 * q, &r);
            ruv_search_options opt;
            collect col;
            size_t count;
            REQUIRE(d);
            CHECK(ruv_index_search_range(idx, qv, (float)r, NULL, h, nb, &n) == RUV_OK);
            check_exact(m, h, n, d, nb, r, 0, NULL);
            /* counting only, then a capacity below the count: the closest ones */
            CHECK(ruv_index_search_range(idx, qv, (float)r, NULL, NULL, 0, &count) == RUV_OK);
            CHECK_EQ_INT(count, n);
            if (n > 2) {
                ruv_hit few[2];
                CHECK(ruv_index_search_range(idx, qv, (float)r, NULL, few, 2, &count) == RUV_OK);
                CHECK(count == n && few[0].key == h[0].key && few[1].key == h[1].key);
            }
            /* the callback sees the same sequence; a nonzero return stops it */
            memset(&col, 0, sizeof col);
            CHECK(ruv_index_search_range_each(idx, qv, (float)r, NULL, collect_hit, &col, &count) ==
                  RUV_OK);
            CHECK(count == n && col.n == n);
            for (i = 0; i < n && i < 64; i++)
                CHECK(col.h[i].key == h[i].key && col.h[i].distance == h[i].distance);
            memset(&col, 0, sizeof col);
            col.stop_after = 1;
            CHECK(ruv_index_search_range_each(idx, qv, (float)r, NULL, collect_hit, &col, NULL) ==
                  RUV_OK);
            CHECK(col.n == (n ? 1u : 0u));
            /* filters */
            memset(&opt, 0, sizeof opt);
            opt.filter = half_keys;
            CHECK(ruv_index_search_range(idx, qv, (float)r, &opt, h, nb, &n) == RUV_OK);
            check_exact(m, h, n, d, nb, r, 1, NULL);
            free(d);
        }
        /* deleted entries are not returned */
        for (i = 0; i < nb; i += 3) {
            CHECK(ruv_index_remove(idx, i) == RUV_OK);
            dead[i] = 1;
        }
        for (q = 0; q < nq; q++) {
            double r;
            double *d = ref_all(m, base, nb, dim, qs + q * dim, 40, &r);
            REQUIRE(d);
            CHECK(ruv_index_search_range(idx, qs + q * dim, (float)r, NULL, h, nb, &n) == RUV_OK);
            check_exact(m, h, n, d, nb, r, 0, dead);
            free(d);
        }
        ruv_index_free(idx);
    }
    free(base);
    free(qs);
    free(h);
}

/* Inner product distances can be negative, and so can the radius; an infinite radius takes
   every entry; quantized storage with f32 copies is exact on the f32 distance. */
TEST(range_flat_edges) {
    size_t nb = 300, dim = 8, n, i;
    float *base = random_vecs(nb, dim, 81), *qs = random_vecs(4, dim, 82);
    ruv_hit *h = (ruv_hit *)malloc(nb * sizeof *h);
    ruv_index *idx, *sq;
    double r, *d;
    REQUIRE(base && qs && h);
    for (i = 0; i < nb * dim; i++) /* push most inner products above 1: negative distances */
        base[i] *= 3.0f;
    idx = make_index(RUV_METRIC_IP, RUV_INDEX_FLAT, dim, base, nb);
    REQUIRE(idx);
    d = ref_all(RUV_METRIC_IP, base, nb, dim, qs, 9, &r);
    REQUIRE(d);
    CHECK(r < 0);
    CHECK(ruv_index_search_range(idx, qs, (float)r, NULL, h, nb, &n) == RUV_OK);
    check_exact(RUV_METRIC_IP, h, n, d, nb, r, 0, NULL);
    CHECK(n >= 9 && n <= 11);
    free(d);
    CHECK(ruv_index_search_range(idx, qs, INFINITY, NULL, h, nb, &n) == RUV_OK && n == nb);
    CHECK(ruv_index_search_range(idx, qs, -INFINITY, NULL, h, nb, &n) == RUV_OK && n == 0);
    ruv_index_free(idx);

    sq = quant_index(RUV_QUANT_SQ8, RUV_METRIC_L2SQ, RUV_INDEX_FLAT, dim, 0, 0, base, nb);
    REQUIRE(sq && add_all(sq, base, nb));
    for (i = 0; i < 4; i++) {
        d = ref_all(RUV_METRIC_L2SQ, base, nb, dim, qs + i * dim, 25, &r);
        REQUIRE(d);
        CHECK(ruv_index_search_range(sq, qs + i * dim, (float)r, NULL, h, nb, &n) == RUV_OK);
        check_exact(RUV_METRIC_L2SQ, h, n, d, nb, r, 0, NULL);
        free(d);
    }
    ruv_index_free(sq);
    free(base);
    free(qs);
    free(h);
}

/* Hostile arguments: clear statuses, *n_out = 0, and the index still searches afterwards. */
TEST(range_bad_input) {
    size_t dim = 4, n = 99, nb = 50;
    float *base = random_vecs(nb, dim, 91), bad[4] = {0, NAN, 0, 0};
    ruv_index *idx, *other = NULL;
    ruv_hit h[8];
    ruv_search_options opt;
    ruv_search_ctx *ctx = NULL;
    REQUIRE(base);
    idx = make_index(RUV_METRIC_L2SQ, RUV_INDEX_HNSW, dim, base, nb);
    {
        ruv_index_options cfg = ruv_index_options_init((uint32_t)dim + 1);
        REQUIRE(ruv_index_create(&cfg, &other) == RUV_OK);
    }
    REQUIRE(idx);
    CHECK(ruv_index_search_range(NULL, base, 1.0f, NULL, h, 8, &n) == RUV_E_ARG && n == 0);
    n = 99;
    CHECK(ruv_index_search_range(idx, NULL, 1.0f, NULL, h, 8, &n) == RUV_E_ARG && n == 0);
    CHECK(ruv_index_search_range(idx, base, 1.0f, NULL, h, 8, NULL) == RUV_E_ARG);
    CHECK(ruv_index_search_range(idx, base, 1.0f, NULL, NULL, 8, &n) == RUV_E_ARG);
    CHECK(ruv_index_search_range(idx, base, NAN, NULL, h, 8, &n) == RUV_E_ARG && n == 0);
    CHECK(ruv_index_search_range(idx, bad, 1.0f, NULL, h, 8, &n) == RUV_E_VALUE && n == 0);
    CHECK(ruv_index_search_range_each(idx, base, 1.0f, NULL, NULL, NULL, &n) == RUV_E_ARG);
    memset(&opt, 0, sizeof opt);
    opt.allow_bits = 8;
    CHECK(ruv_index_search_range(idx, base, 1.0f, &opt, h, 8, &n) == RUV_E_ARG);
    memset(&opt, 0, sizeof opt);
    REQUIRE(ruv_search_ctx_create(other, &ctx) == RUV_OK);
    opt.ctx = ctx;
    CHECK(ruv_index_search_range(idx, base, 1.0f, &opt, h, 8, &n) == RUV_E_ARG);
    ruv_search_ctx_free(ctx);
    /* an empty index finds nothing */
    CHECK(ruv_index_search_range(other, base, INFINITY, NULL, h, 8, &n) == RUV_OK && n == 0);
    /* still works: the query vector itself is at distance 0 */
    CHECK(ruv_index_search_range(idx, base + 7 * dim, 0.0f, NULL, h, 8, &n) == RUV_OK);
    CHECK(n >= 1 && h[0].key == 7 && h[0].distance == 0.0f);
    ruv_index_free(idx);
    ruv_index_free(other);
    free(base);
}

/* HNSW: recall of the in-radius set against brute force at ef_search ef, for radii holding
   about rank + 1 entries; every hit within the radius, ascending. Returns the recall over all
   queries. */
static double hnsw_range_recall(ruv_index *idx, ruv_metric m, const float *base, size_t nb,
                                size_t dim, const float *qs, size_t nq, size_t rank, uint32_t ef,
                                const uint8_t *dead, int half) {
    size_t q, i, n, inside = 0, found = 0;
    ruv_hit *h = (ruv_hit *)malloc(nb * sizeof *h);
    unsigned char *seen = (unsigned char *)malloc(nb);
    ruv_search_options opt;
    memset(&opt, 0, sizeof opt);
    opt.ef_search = ef;
    if (half)
        opt.filter = half_keys;
    if (!h || !seen) {
        free(h);
        free(seen);
        return -1;
    }
    for (q = 0; q < nq; q++) {
        double r, *d = ref_all(m, base, nb, dim, qs + q * dim, rank, &r);
        if (!d || ruv_index_search_range(idx, qs + q * dim, (float)r, &opt, h, nb, &n) != RUV_OK) {
            free(d);
            found = 0;
            break;
        }
        memset(seen, 0, nb);
        for (i = 0; i < n; i++) {
            uint64_t k = h[i].key;
            CHECK(k < nb && d[k] <= r + tol(m, r) && !(dead && dead[k]) && (!half || half_pass(k)));
            CHECK(i == 0 || h[i - 1].distance <= h[i].distance);
            if (k < nb)
                seen[k] = 1;
        }
        for (i = 0; i < nb; i++)
            if (d[i] <= r - tol(m, r) && !(dead && dead[i]) && (!half || half_pass(i))) {
                inside++;
                found += seen[i];
            }
        free(d);
    }
    free(h);
    free(seen);
    return inside ? (double)found / (double)inside : 1.0;
}

/* Ranges of about 10 entries at ef 64 (one beam search) and at ef 4 (the list doubles to 32),
   and of about 300 of 3000 (the list would pass a 64th of the slots: the exact scan, recall 1),
   with deletions and a filter. */
TEST(range_hnsw_random) {
    size_t nb = 3000, dim = 8, nq = 10, i;
    float *base = random_vecs(nb, dim, 101), *qs = random_vecs(nq, dim, 102);
    uint8_t *dead = (uint8_t *)calloc(nb, 1);
    ruv_index *idx;
    double rec;
    REQUIRE(base && qs && dead);
    idx = make_index(RUV_METRIC_L2SQ, RUV_INDEX_HNSW, dim, base, nb);
    REQUIRE(idx);
    rec = hnsw_range_recall(idx, RUV_METRIC_L2SQ, base, nb, dim, qs, nq, 9, 64, NULL, 0);
    printf("  recall of the in-radius set, ~10 inside, ef 64: %.4f\n", rec);
    CHECK(rec >= 0.95);
    rec = hnsw_range_recall(idx, RUV_METRIC_L2SQ, base, nb, dim, qs, nq, 9, 4, NULL, 0);
    printf("  ~10 inside, ef 4: %.4f\n", rec);
    CHECK(rec >= 0.95);
    rec = hnsw_range_recall(idx, RUV_METRIC_L2SQ, base, nb, dim, qs, nq, 299, 64, NULL, 0);
    printf("  ~300 inside (exact scan): %.4f\n", rec);
    CHECK(rec == 1.0);
    for (i = 0; i < nb; i += 5) {
        CHECK(ruv_index_remove(idx, i) == RUV_OK);
        dead[i] = 1;
    }
    rec = hnsw_range_recall(idx, RUV_METRIC_L2SQ, base, nb, dim, qs, nq, 11, 4, dead, 1);
    printf("  1/5 deleted, half the keys, ~5 inside, ef 4: %.4f\n", rec);
    CHECK(rec >= 0.95);
    ruv_index_free(idx);
    free(base);
    free(qs);
    free(dead);
}

TEST(range_hnsw_glove) {
    size_t nb, dim, nq, qd;
    float *base = load_f(1, "glove25k.fvecs", 10000, &nb, &dim);
    float *qs = load_f(1, "glove_query.fvecs", 50, &nq, &qd);
    ruv_index *idx;
    double rec;
    REQUIRE(base && qs && qd == dim);
    idx = make_index(RUV_METRIC_COSINE, RUV_INDEX_HNSW, dim, base, nb);
    REQUIRE(idx);
    rec = hnsw_range_recall(idx, RUV_METRIC_COSINE, base, nb, dim, qs, nq, 9, 64, NULL, 0);
    printf("  GloVe 10k cosine, recall of the in-radius set, ~10 inside, ef 64: %.4f\n", rec);
    CHECK(rec >= 0.95);
    rec = hnsw_range_recall(idx, RUV_METRIC_COSINE, base, nb, dim, qs, nq, 39, 16, NULL, 0);
    printf("  GloVe 10k cosine, ~40 inside, ef 16: %.4f\n", rec);
    CHECK(rec >= 0.95);
    ruv_index_free(idx);
    free(base);
    free(qs);
}

/* Every allocation of a range search that grows a fresh ctx fails in turn: RUV_E_NOMEM with
 *n_out = 0 and hits untouched, nothing leaks, and the same ctx then finds the exact set. */
TEST(range_alloc_failure) {
    static const ruv_index_kind kinds[2] = {RUV_INDEX_FLAT, RUV_INDEX_HNSW};
    size_t nb = 500, dim = 8, kd;
    float *base = random_vecs(nb, dim, 111);
    ruv_hit *h = (ruv_hit *)malloc(nb * sizeof *h);
    REQUIRE(base && h);
    for (kd = 0; kd < 2; kd++) {
        tally t;
        ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
        ruv_index *idx = NULL;
        ruv_search_ctx *ctx = NULL;
        ruv_search_options opt;
        uint64_t *keys = (uint64_t *)malloc(nb * sizeof *keys);
        size_t i, n = 0, f, fails = 0, live;
        double r, *d;
        ruv_result res;
        REQUIRE(keys);
        memset(&t, 0, sizeof t);
        cfg.kind = kinds[kd];
        cfg.alloc.alloc = tally_alloc;
        cfg.alloc.free = tally_free;
        cfg.alloc.user = &t;
        for (i = 0; i < nb; i++)
            keys[i] = i;
        REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
        REQUIRE(ruv_index_add_batch(idx, nb, keys, base, NULL) == RUV_OK);
        REQUIRE(ruv_search_ctx_create(idx, &ctx) == RUV_OK);
        memset(&opt, 0, sizeof opt);
        opt.ctx = ctx;
        opt.ef_search = 4;
        /* a radius holding a tenth of the entries: the HNSW list doubles, then scans */
        d = ref_all(RUV_METRIC_L2SQ, base, nb, dim, base, 49, &r);
        REQUIRE(d);
        live = t.live;
        for (f = 1;; f++) {
            t.fail_at = f;
            t.calls = 0;
            h[0].key = 12345;
            n = 99;
            res = ruv_index_search_range(idx, base, (float)r, &opt, h, nb, &n);
            if (res == RUV_OK)
                break;
            fails++;
            CHECK(res == RUV_E_NOMEM && n == 0 && h[0].key == 12345);
        }
        t.fail_at = 0;
        CHECK(fails > 0);
        CHECK(t.live >= live);
        check_exact(RUV_METRIC_L2SQ, h, n, d, nb, r, 0, NULL);
        CHECK(ruv_index_search_range(idx, base, (float)r, &opt, h, nb, &n) == RUV_OK);
        check_exact(RUV_METRIC_L2SQ, h, n, d, nb, r, 0, NULL);
        free(d);
        ruv_search_ctx_free(ctx);
        ruv_index_free(idx);
        CHECK_EQ_INT(t.live, 0);
        free(keys);
    }
    free(base);
    free(h);
}
