/* Custom metric (RUV_METRIC_CUSTOM): a weighted squared L2 given as a callback, checked against
   the same distance computed in double precision here; options, NaN results, persistence. */
#include "test.h"

typedef struct weights {
    const float *w; /* dim weights */
    size_t calls;   /* counts calls (single-threaded cases only) */
} weights;

static float weighted_l2(void *user, const float *a, const float *b, size_t dim) {
    weights *u = (weights *)user;
    float s = 0;
    size_t i;
    u->calls++;
    for (i = 0; i < dim; i++)
        s += u->w[i] * (a[i] - b[i]) * (a[i] - b[i]);
    return s;
}

static double ref_weighted(const float *w, const float *a, const float *b, size_t dim) {
    double s = 0;
    size_t i;
    for (i = 0; i < dim; i++)
        s += (double)w[i] * ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return s;
}

/* NaN for every vector whose first component is negative, else plain squared L2. */
static float nan_for_negative(void *user, const float *a, const float *b, size_t dim) {
    float s = 0;
    size_t i;
    (void)user;
    if (a[0] < 0 || b[0] < 0)
        return NAN;
    for (i = 0; i < dim; i++)
        s += (a[i] - b[i]) * (a[i] - b[i]);
    return s;
}

static ruv_index *custom_index(ruv_index_kind kind, size_t dim, weights *u, const float *base,
                               size_t n) {
    ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
    ruv_index *idx = NULL;
    size_t i;
    cfg.metric = RUV_METRIC_CUSTOM;
    cfg.kind = kind;
    cfg.distance = weighted_l2;
    cfg.distance_user = u;
    cfg.distance_id = 0x5745494748544C32ull;
    if (ruv_index_create(&cfg, &idx) != RUV_OK)
        return NULL;
    for (i = 0; i < n; i++)
        if (ruv_index_add(idx, i, base + i * dim) != RUV_OK) {
            ruv_index_free(idx);
            return NULL;
        }
    return idx;
}

/* The exact top-k (k <= 16) keys by the double reference, and the k-th distance. */
static double ref_topk(const float *w, const float *base, size_t n, size_t dim, const float *q,
                       size_t k, uint64_t *keys) {
    double best[16];
    size_t i, j, m = 0;
    for (i = 0; i < n; i++) {
        double d = ref_weighted(w, q, base + i * dim, dim);
        if (m == k && d >= best[k - 1])
            continue;
        j = m < k ? m++ : k - 1;
        while (j > 0 && best[j - 1] > d) {
            best[j] = best[j - 1];
            keys[j] = keys[j - 1];
            j--;
        }
        best[j] = d;
        keys[j] = i;
    }
    return best[k - 1];
}

TEST(custom_metric) {
    size_t nb = 2000, dim = 16, nq = 20, q, i, j, hit = 0;
    float *base = random_vecs(nb, dim, 121), *qs = random_vecs(nq, dim, 122), w[16];
    weights u;
    ruv_index *flat, *hnsw;
    ruv_hit h[16];
    size_t n;
    REQUIRE(base && qs);
    for (i = 0; i < dim; i++) /* weights 0.05 .. 8: far from plain L2 */
        w[i] = i < 4 ? 8.0f : i < 8 ? 1.0f : 0.05f;
    u.w = w;
    u.calls = 0;
    flat = custom_index(RUV_INDEX_FLAT, dim, &u, base, nb);
    hnsw = custom_index(RUV_INDEX_HNSW, dim, &u, base, nb);
    REQUIRE(flat && hnsw);
    CHECK(u.calls > 0); /* the HNSW build went through the callback with its user pointer */
    CHECK(ruv_index_config(flat).metric == RUV_METRIC_CUSTOM &&
          ruv_index_config(flat).distance == weighted_l2 &&
          ruv_index_config(flat).distance_user == &u);
    for (q = 0; q < nq; q++) {
        const float *qv = qs + q * dim;
        uint64_t truth[10];
        double kth = ref_topk(w, base, nb, dim, qv, 10, truth);
        CHECK(ruv_index_search(flat, qv, 10, NULL, h, &n) == RUV_OK && n == 10);
        for (i = 0; i < n; i++) {
            double d = ref_weighted(w, qv, base + h[i].key * dim, dim);
            CHECK(fabs((double)h[i].distance - d) <= 1e-4 * (1.0 + d));
            CHECK(d <= kth + 1e-4 * (1.0 + kth));
        }
        CHECK(ruv_index_search(hnsw, qv, 10, NULL, h, &n) == RUV_OK && n == 10);
        for (i = 0; i < n; i++)
            for (j = 0; j < 10; j++)
                hit += h[i].key == truth[j];
        /* range search on the custom distance: flat exact */
        {
            ruv_hit r[64];
            size_t inside = 0;
            CHECK(ruv_index_search_range(flat, qv, (float)kth, NULL, r, 64, &n) == RUV_OK);
            for (i = 0; i < nb; i++)
                inside += ref_weighted(w, qv, base + i * dim, dim) <= kth - 1e-4 * (1.0 + kth);
            CHECK(n >= inside && n <= 12);
            for (i = 0; i < n && i < 64; i++)
                CHECK(ref_weighted(w, qv, base + r[i].key * dim, dim) <= kth + 1e-4 * (1.0 + kth));
        }
    }
    printf("  HNSW recall@10 on the weighted L2 (ef 64): %.4f\n", (double)hit / (double)(nq * 10));
    CHECK((double)hit / (double)(nq * 10) >= 0.95);
    /* the weights matter: plain L2 ranks differently for some query */
    {
        ruv_index *l2 = make_index(RUV_METRIC_L2SQ, RUV_INDEX_FLAT, dim, base, nb);
        ruv_hit a[10];
        size_t na, differ = 0;
        REQUIRE(l2);
        for (q = 0; q < nq; q++) {
            CHECK(ruv_index_search(l2, qs + q * dim, 10, NULL, a, &na) == RUV_OK);
            CHECK(ruv_index_search(flat, qs + q * dim, 10, NULL, h, &n) == RUV_OK);
            differ += a[0].key != h[0].key;
        }
        CHECK(differ > 0);
        ruv_index_free(l2);
    }
    ruv_index_free(flat);
    ruv_index_free(hnsw);
    free(base);
    free(qs);
}

TEST(custom_metric_options) {
    ruv_index_options cfg = ruv_index_options_init(4);
    ruv_index *idx = NULL;
    weights u;
    float w[4] = {1, 1, 1, 1}, v[4] = {1, 2, 3, 4}, neg[4] = {-1, 2, 3, 4};
    float big[4] = {1e30f, 1e30f, 0, 0}, nan_v[4] = {NAN, 0, 0, 0};
    ruv_hit h[4];
    size_t n;
    u.w = w;
    u.calls = 0;
    cfg.metric = RUV_METRIC_CUSTOM;
    CHECK(ruv_index_create(&cfg, &idx) == RUV_E_ARG && !idx); /* no function */
    cfg.distance = weighted_l2;
    cfg.distance_user = &u;
    cfg.quant = RUV_QUANT_SQ8;
    CHECK(ruv_index_create(&cfg, &idx) == RUV_E_UNSUPPORTED && !idx);
    cfg.quant = RUV_QUANT_F16;
    CHECK(ruv_index_create(&cfg, &idx) == RUV_E_UNSUPPORTED && !idx);
    cfg.quant = RUV_QUANT_NONE;
    cfg.metric = RUV_METRIC_L2SQ; /* a function with a built-in metric */
    CHECK(ruv_index_create(&cfg, &idx) == RUV_E_ARG && !idx);
    cfg.metric = (ruv_metric)5;
    CHECK(ruv_index_create(&cfg, &idx) == RUV_E_ARG && !idx);
    /* no norm bound for a custom metric (the function owns its range); NaN/Inf still refused */
    cfg.metric = RUV_METRIC_CUSTOM;
    REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
    CHECK(ruv_index_add(idx, 1, big) == RUV_OK);
    CHECK(ruv_index_add(idx, 2, nan_v) == RUV_E_VALUE);
    CHECK(ruv_index_count(idx) == 1);
    ruv_index_free(idx);
    /* a NaN distance counts as +infinity: those entries come last, and within no finite radius */
    cfg.distance = nan_for_negative;
    cfg.distance_user = NULL;
    REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
    CHECK(ruv_index_add(idx, 1, neg) == RUV_OK);
    CHECK(ruv_index_add(idx, 2, v) == RUV_OK);
    CHECK(ruv_index_search(idx, v, 2, NULL, h, &n) == RUV_OK && n == 2);
    CHECK(h[0].key == 2 && h[0].distance == 0.0f && h[1].key == 1 && h[1].distance > FLT_MAX);
    CHECK(ruv_index_search_range(idx, v, FLT_MAX, NULL, h, 4, &n) == RUV_OK && n == 1);
    ruv_index_free(idx);
}

/* Saved files record the metric and the id: loading needs a function and the same id; the file
   says version 1.1 (other files stay 1.0); a loaded copy and a view search as the original. */
TEST(custom_metric_persist) {
    size_t nb = 300, dim = 8, len = 0, len2 = 0;
    float *base = random_vecs(nb, dim, 131), w[8] = {4, 4, 1, 1, 1, 1, 0.1f, 0.1f};
    weights u;
    ruv_index *idx, *back = NULL, *view = NULL, *l2;
    ruv_load_options lo;
    unsigned char *b, *b2;
    REQUIRE(base);
    u.w = w;
    u.calls = 0;
    idx = custom_index(RUV_INDEX_HNSW, dim, &u, base, nb);
    l2 = make_index(RUV_METRIC_L2SQ, RUV_INDEX_FLAT, dim, base, nb);
    REQUIRE(idx && l2);
    b = save_to_mem(idx, &len);
    b2 = save_to_mem(l2, &len2);
    REQUIRE(b && b2);
    CHECK(b[8] == 1 && b[9] == 0 && b[10] == 1 && b[11] == 0);     /* 1.1 */
    CHECK(b2[8] == 1 && b2[9] == 0 && b2[10] == 0 && b2[11] == 0); /* 1.0 */
    CHECK(rd32le(b + 36) == 4 && rd64le(b + 112) == 0x5745494748544C32ull);
    memset(&lo, 0, sizeof lo);
    CHECK(ruv_index_load_buffer(b, len, &lo, &back) == RUV_E_METRIC && !back);
    CHECK(ruv_index_load_buffer(b, len, NULL, &back) == RUV_E_METRIC && !back);
    CHECK(ruv_index_view(b, len, &lo, &view) == RUV_E_METRIC && !view);
    lo.distance = weighted_l2;
    lo.distance_user = &u;
    lo.distance_id = 0x5745494748544C33ull; /* another id */
    CHECK(ruv_index_load_buffer(b, len, &lo, &back) == RUV_E_METRIC && !back);
    lo.distance_id = 0x5745494748544C32ull;
    CHECK(ruv_index_load_buffer(b, len, &lo, &back) == RUV_OK && back);
    CHECK(ruv_index_view(b, len, &lo, &view) == RUV_OK && view);
    if (back && view) {
        CHECK(same_searches(idx, back, base, 20));
        CHECK(same_searches(idx, view, base, 20));
        CHECK(ruv_index_config(back).distance == weighted_l2);
    }
    ruv_index_free(back);
    ruv_index_free(view);
    back = NULL;
    /* a built-in metric's file ignores the distance options */
    CHECK(ruv_index_load_buffer(b2, len2, &lo, &back) == RUV_OK && back);
    if (back)
        CHECK(ruv_index_config(back).metric == RUV_METRIC_L2SQ && !ruv_index_config(back).distance);
    ruv_index_free(back);
    back = NULL;
    /* metric 4 with quantized storage is not a file this library writes */
    {
        ruv_index *sq =
            quant_index(RUV_QUANT_SQ8, RUV_METRIC_L2SQ, RUV_INDEX_FLAT, dim, 0, 0, base, nb);
        unsigned char *b3;
        size_t len3 = 0;
        REQUIRE(sq);
        b3 = save_to_mem(sq, &len3);
        REQUIRE(b3);
        wr32le(b3 + 36, 4);
        reseal(b3, len3);
        CHECK(ruv_index_load_buffer(b3, len3, &lo, &back) == RUV_E_CORRUPT && !back);
        free(b3);
        ruv_index_free(sq);
    }
    free(b);
    free(b2);
    ruv_index_free(idx);
    ruv_index_free(l2);
    free(base);
}
