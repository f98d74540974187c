/* The API's contract: version and status strings, configuration checks, bad input, allocation
   failure and edge cases, on flat and HNSW indexes. */
#include "test.h"

TEST(version) {
    char want[32];
    int i, j;
    snprintf(want, sizeof want, "%d.%d.%d", RUV_VERSION_MAJOR, RUV_VERSION_MINOR,
             RUV_VERSION_PATCH);
    CHECK(strcmp(ruv_version(), want) == 0);
    CHECK(strcmp(RUV_VERSION_STRING, want) == 0);
    /* every status from RUV_OK down to RUV_E_DIM has its own message */
    CHECK_EQ_INT(RUV_E_DIM, -17);
    for (i = 0; i >= RUV_E_DIM; i--) {
        CHECK(strcmp(ruv_result_string((ruv_result)i), "unknown result") != 0);
        for (j = 0; j > i; j--)
            CHECK(strcmp(ruv_result_string((ruv_result)i), ruv_result_string((ruv_result)j)) != 0);
    }
    CHECK(strcmp(ruv_result_string((ruv_result)-999), "unknown result") == 0);
}

/* ---- bad input ---------------------------------------------------------------------------- */
TEST(bad_config) {
    ruv_index_options c = ruv_index_options_init(8);
    ruv_index *idx = (ruv_index *)&c;
    CHECK(ruv_index_create(NULL, &idx) == RUV_E_ARG && idx == NULL);
    CHECK(ruv_index_create(&c, NULL) == RUV_E_ARG);
    c.dim = 0;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG && idx == NULL);
    c.dim = RUV_MAX_DIM + 1;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c = ruv_index_options_init(8);
    c.metric = (ruv_metric)7;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c = ruv_index_options_init(8);
    c.kind = (ruv_index_kind)5;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c = ruv_index_options_init(8);
    c.M = 1;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c.M = RUV_MAX_M + 1;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c = ruv_index_options_init(8);
    c.capacity = (uint64_t)RUV_MAX_COUNT + 1;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c = ruv_index_options_init(8);
    c.isa = (ruv_isa)99;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c = ruv_index_options_init(8);
    c.alloc.user = &c;
    c.alloc.free = NULL;
    c.alloc.alloc = NULL;
    CHECK(ruv_index_create(&c, &idx) == RUV_OK); /* all-NULL functions = default */
    ruv_index_free(idx);
    c = ruv_index_options_init(8);
    c.kind = RUV_INDEX_HNSW;
    CHECK(ruv_index_create(&c, &idx) == RUV_OK);
    c = ruv_index_config(idx);
    CHECK(c.M == 16 && c.ef_construction == 200 && c.ef_search == 64 && c.capacity == 1024);
    CHECK(c.isa == ruv_isa_best() && c.seed != 0);
    ruv_index_free(idx);
    ruv_index_free(NULL);
    CHECK(ruv_index_count(NULL) == 0 && ruv_index_dim(NULL) == 0);
}

/* NULL pointers, k 0, NaN/Inf and duplicate keys: the right status and the index unchanged. */
static void bad_input_for(ruv_index_kind kind) {
    size_t dim = 16, n = 50, n0, n1;
    float *base = random_vecs(n + 3, dim, 5), v[16], nanv[16];
    uint64_t keys[3] = {1000, 1001, 1002};
    ruv_index *idx = make_index(RUV_METRIC_L2SQ, kind, dim, base, n);
    ruv_hit h0[8], h1[8];
    REQUIRE(base && idx);
    memcpy(v, base, sizeof v);
    CHECK(ruv_index_search(idx, v, 8, NULL, h0, &n0) == RUV_OK && n0 == 8);
    CHECK(h0[0].key == 0 && h0[0].distance == 0.0f);

    CHECK(ruv_index_add(NULL, 1, v) == RUV_E_ARG);
    CHECK(ruv_index_add(idx, 1000, NULL) == RUV_E_ARG);
    CHECK(ruv_index_add_batch(idx, 2, NULL, base, NULL) == RUV_E_ARG);
    CHECK(ruv_index_add_batch(idx, 2, keys, NULL, NULL) == RUV_E_ARG);
    CHECK(ruv_index_add_batch(idx, 0, NULL, NULL, NULL) == RUV_OK);
    memcpy(nanv, v, sizeof v);
    nanv[dim - 1] = (float)NAN;
    CHECK(ruv_index_add(idx, 1000, nanv) == RUV_E_VALUE);
    nanv[dim - 1] = (float)INFINITY;
    CHECK(ruv_index_add(idx, 1000, nanv) == RUV_E_VALUE);
    nanv[0] = -(float)INFINITY;
    CHECK(ruv_index_add(idx, 1000, nanv) == RUV_E_VALUE);
    /* duplicate key: refused, the stored vector is kept */
    CHECK(ruv_index_add(idx, 0, base + dim) == RUV_E_EXISTS);
    /* a batch with a NaN in its last vector, or a repeated key, adds nothing */
    {
        float *b3 = (float *)malloc(3 * dim * sizeof *b3);
        REQUIRE(b3);
        memcpy(b3, base + n * dim, 3 * dim * sizeof *b3);
        b3[3 * dim - 1] = (float)NAN;
        CHECK(ruv_index_add_batch(idx, 3, keys, b3, NULL) == RUV_E_VALUE);
        b3[3 * dim - 1] = 0.5f;
        keys[2] = keys[0];
        CHECK(ruv_index_add_batch(idx, 3, keys, b3, NULL) == RUV_E_EXISTS);
        keys[2] = 7; /* already in the index */
        CHECK(ruv_index_add_batch(idx, 3, keys, b3, NULL) == RUV_E_EXISTS);
        free(b3);
    }
    CHECK_EQ_INT(ruv_index_count(idx), n);
    CHECK(ruv_index_search(idx, v, 8, NULL, h1, &n1) == RUV_OK);
    CHECK(same_hits(h0, n0, h1, n1));

    CHECK(ruv_index_search(idx, v, 0, NULL, h1, &n1) == RUV_E_ARG && n1 == 0);
    CHECK(ruv_index_search(NULL, v, 8, NULL, h1, &n1) == RUV_E_ARG);
    CHECK(ruv_index_search(idx, NULL, 8, NULL, h1, &n1) == RUV_E_ARG);
    CHECK(ruv_index_search(idx, v, 8, NULL, NULL, &n1) == RUV_E_ARG);
    CHECK(ruv_index_search(idx, v, 8, NULL, h1, NULL) == RUV_E_ARG);
    nanv[0] = (float)NAN;
    CHECK(ruv_index_search(idx, nanv, 8, NULL, h1, &n1) == RUV_E_VALUE && n1 == 0);
    CHECK(ruv_index_search_batch(idx, 1, v, 8, NULL, h1, NULL) == RUV_E_ARG);
    CHECK(ruv_search_ctx_create(NULL, NULL) == RUV_E_ARG);
    ruv_index_free(idx);
    free(base);
}

TEST(bad_input_flat) { bad_input_for(RUV_INDEX_FLAT); }

TEST(bad_input_hnsw) { bad_input_for(RUV_INDEX_HNSW); }

/* ---- allocation failure ------------------------------------------------------------------- */
/* Fails every allocation in turn during create, a growing add_batch, a single add and a search
   with a new ctx: each failure gives RUV_E_NOMEM and leaves the index as it was; nothing leaks. */
static void alloc_failure_for(ruv_index_kind kind) {
    size_t dim = 12, n = 40, i, n0, n1, fails = 0, f;
    float *base = random_vecs(n + 1, dim, 9);
    uint64_t keys[40];
    tally t;
    ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
    ruv_index *idx = NULL;
    ruv_hit h0[10], h1[10];
    ruv_result r;
    REQUIRE(base);
    memset(&t, 0, sizeof t);
    cfg.kind = kind;
    cfg.capacity = 4;
    cfg.alloc.alloc = tally_alloc;
    cfg.alloc.free = tally_free;
    cfg.alloc.user = &t;
    for (i = 0; i < n; i++)
        keys[i] = 100 + i;
    /* create */
    for (f = 1;; f++) {
        t.fail_at = f;
        t.calls = 0;
        r = ruv_index_create(&cfg, &idx);
        if (r == RUV_OK)
            break;
        CHECK(r == RUV_E_NOMEM && idx == NULL && t.live == 0);
        fails++;
    }
    t.fail_at = 0;
    CHECK(ruv_index_memory_usage(idx) == t.live);
    CHECK(ruv_index_add_batch(idx, 4, keys, base, NULL) == RUV_OK);
    CHECK(ruv_index_search(idx, base, 10, NULL, h0, &n0) == RUV_OK);
    /* a batch that must grow every array */
    for (f = 1;; f++) {
        t.fail_at = f;
        size_t live = t.live;
        t.calls = 0;
        r = ruv_index_add_batch(idx, n - 4, keys + 4, base + 4 * dim, NULL);
        if (r == RUV_OK)
            break;
        fails++;
        CHECK(r == RUV_E_NOMEM);
        CHECK(t.live == live);
        CHECK_EQ_INT(ruv_index_count(idx), 4);
        t.fail_at = 0;
        CHECK(ruv_index_search(idx, base, 10, NULL, h1, &n1) == RUV_OK);
        CHECK(same_hits(h0, n0, h1, n1));
    }
    t.fail_at = 0;
    CHECK_EQ_INT(ruv_index_count(idx), n);
    /* every vector is found under its own key */
    for (i = 0; i < n; i++) {
        CHECK(ruv_index_search(idx, base + i * dim, 1, NULL, h1, &n1) == RUV_OK);
        CHECK(n1 == 1 && h1[0].key == keys[i]);
    }
    /* a single add (HNSW: the temporary for the batch check is not needed, growth may be) */
    for (f = 1;; f++) {
        t.fail_at = f;
        t.calls = 0;
        r = ruv_index_add(idx, 7, base + n * dim);
        if (r == RUV_OK)
            break;
        CHECK(r == RUV_E_NOMEM && ruv_index_count(idx) == n);
    }
    t.fail_at = 0;
    CHECK(ruv_index_memory_usage(idx) == t.live);
    /* a search with a fresh ctx that must grow */
    {
        ruv_search_ctx *ctx = NULL;
        ruv_search_options p;
        size_t live = t.live;
        memset(&p, 0, sizeof p);
        for (f = 1;; f++) {
            t.fail_at = f;
            t.calls = 0;
            r = ruv_search_ctx_create(idx, &ctx);
            if (r == RUV_OK)
                break;
            CHECK(r == RUV_E_NOMEM && ctx == NULL && t.live == live);
        }
        p.ctx = ctx;
        for (f = 1;; f++) {
            t.fail_at = f;
            t.calls = 0;
            r = ruv_index_search(idx, base, 10, &p, h1, &n1);
            if (r == RUV_OK)
                break;
            CHECK(r == RUV_E_NOMEM && n1 == 0);
        }
        t.fail_at = 0;
        CHECK(ruv_index_search(idx, base, 10, NULL, h0, &n0) == RUV_OK);
        CHECK(same_hits(h0, n0, h1, n1));
        ruv_search_ctx_free(ctx);
        CHECK(t.live == live);
    }
    ruv_index_free(idx);
    CHECK(t.live == 0);
    CHECK(fails >= 3);
    free(base);
}

TEST(alloc_failure_flat) { alloc_failure_for(RUV_INDEX_FLAT); }

TEST(alloc_failure_hnsw) { alloc_failure_for(RUV_INDEX_HNSW); }

/* ---- edge cases --------------------------------------------------------------------------- */
TEST(edge_cases) {
    size_t dim = 5, n1, i;
    float z[5] = {0, 0, 0, 0, 0}, v[5] = {1, 2, 3, 4, 5};
    ruv_hit h[4];
    int kind;
    for (kind = RUV_INDEX_FLAT; kind <= RUV_INDEX_HNSW; kind++) {
        ruv_index_options c = ruv_index_options_init((uint32_t)dim);
        ruv_index *idx;
        float *many;
        c.kind = (ruv_index_kind)kind;
        c.metric = RUV_METRIC_COSINE;
        c.capacity = 1;
        REQUIRE(ruv_index_create(&c, &idx) == RUV_OK);
        /* empty index */
        CHECK(ruv_index_search(idx, v, 3, NULL, h, &n1) == RUV_OK && n1 == 0);
        /* zero vector: cosine distance 1 to everything, also for a zero query */
        CHECK(ruv_index_add(idx, UINT64_MAX, z) == RUV_OK);
        CHECK(ruv_index_search(idx, v, 3, NULL, h, &n1) == RUV_OK && n1 == 1);
        CHECK(h[0].key == UINT64_MAX && h[0].distance == 1.0f);
        CHECK(ruv_index_add(idx, 0, v) == RUV_OK);
        CHECK(ruv_index_search(idx, z, 4, NULL, h, &n1) == RUV_OK && n1 == 2);
        CHECK(h[0].distance == 1.0f && h[1].distance == 1.0f);
        /* k larger than the count; self match at distance ~0 */
        CHECK(ruv_index_search(idx, v, 4, NULL, h, &n1) == RUV_OK && n1 == 2);
        CHECK(h[0].key == 0 && fabs(h[0].distance) < 1e-6);
        ruv_index_free(idx);

        /* capacity 1 grown to 1000: every vector found under its key */
        c.metric = RUV_METRIC_L2SQ;
        REQUIRE(ruv_index_create(&c, &idx) == RUV_OK);
        many = random_vecs(1000, dim, 77);
        REQUIRE(many);
        for (i = 0; i < 1000; i++)
            CHECK(ruv_index_add(idx, i * 1000003u, many + i * dim) == RUV_OK);
        for (i = 0; i < 1000; i++) {
            CHECK(ruv_index_search(idx, many + i * dim, 1, NULL, h, &n1) == RUV_OK);
            CHECK(n1 == 1 && h[0].key == i * 1000003u && h[0].distance == 0.0f);
        }
        CHECK(ruv_index_memory_usage(idx) >= 1000 * dim * sizeof(float));
        free(many);
        ruv_index_free(idx);
    }
}
