/* ruvector.h test driver: plain C99, no framework, so the same binary runs on the host, under
   qemu-user, on Cortex-M semihosting and under Node (WASM).

     ruv_tests            runs every case
     ruv_tests NAME...    runs the named cases
     ruv_tests --list     prints the case names

   Ends with "N passed, N failed"; exit status 0 iff nothing failed. Each case is registered with
   ctest separately (CMakeLists.txt reads the TEST(name) lines of this file). Data files are read
   from RUV_TEST_DATA_DIR and RUV_EXAMPLE_DATA_DIR (compile-time paths; the environment variables
   of the same names override them). */
#define RUVECTOR_IMPLEMENTATION
#include "../ruvector.h"
#define TX_NO_CLOCK
#include "../bench/texmex.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RUV_TEST_DATA_DIR
#define RUV_TEST_DATA_DIR "tests/data"
#endif
#ifndef RUV_EXAMPLE_DATA_DIR
#define RUV_EXAMPLE_DATA_DIR "examples/data"
#endif

/* ---- driver ------------------------------------------------------------------------------- */
static int g_failed_checks;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);                      \
            g_failed_checks++;                                                                     \
        }                                                                                          \
    } while (0)
#define CHECK_EQ_INT(got, want)                                                                    \
    do {                                                                                           \
        long g_ = (long)(got), w_ = (long)(want);                                                  \
        if (g_ != w_) {                                                                            \
            printf("  %s:%d: %s = %ld, expected %ld\n", __FILE__, __LINE__, #got, g_, w_);         \
            g_failed_checks++;                                                                     \
        }                                                                                          \
    } while (0)
/* Stops the case when a precondition (data file, setup call) is not met. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("  %s:%d: REQUIRE(%s) failed\n", __FILE__, __LINE__, #cond);                    \
            g_failed_checks++;                                                                     \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define TEST(name) static void test_##name(void)

static void data_path(char *out, size_t cap, int example, const char *file) {
    const char *dir = getenv(example ? "RUV_EXAMPLE_DATA_DIR" : "RUV_TEST_DATA_DIR");
    if (!dir)
        dir = example ? RUV_EXAMPLE_DATA_DIR : RUV_TEST_DATA_DIR;
    snprintf(out, cap, "%s/%s", dir, file);
}

static float *load_f(int example, const char *file, size_t max_rows, size_t *n, size_t *dim) {
    char p[1024];
    data_path(p, sizeof p, example, file);
    return tx_read_fvecs(p, max_rows, n, dim);
}

static int32_t *load_i(const char *file, size_t *n, size_t *dim) {
    char p[1024];
    data_path(p, sizeof p, 0, file);
    return tx_read_ivecs(p, 0, n, dim);
}

/* ---- independent references (double precision) ------------------------------------------- */
static double ref_dist(ruv_metric m, const float *a, const float *b, size_t n) {
    double s = 0, aa = 0, bb = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        if (m == RUV_METRIC_L2SQ) {
            double d = (double)a[i] - (double)b[i];
            s += d * d;
        } else if (m == RUV_METRIC_L1) {
            s += fabs((double)a[i] - (double)b[i]);
        } else {
            s += (double)a[i] * (double)b[i];
            aa += (double)a[i] * (double)a[i];
            bb += (double)b[i] * (double)b[i];
        }
    }
    if (m == RUV_METRIC_L2SQ || m == RUV_METRIC_L1)
        return s;
    if (m == RUV_METRIC_IP)
        return 1.0 - s;
    return aa > 0 && bb > 0 ? 1.0 - s / sqrt(aa * bb) : 1.0;
}

/* Tolerance for comparing an f32 distance with the double reference. */
static double tol(ruv_metric m, double d) {
    return m == RUV_METRIC_L2SQ || m == RUV_METRIC_L1 ? 1e-5 * fabs(d) + 1e-4
                                                      : 2e-5 * (1.0 + fabs(d));
}

static uint64_t rng_next(uint64_t *s) {
    uint64_t x = (*s += 0x9E3779B97F4A7C15ull);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static float rng_unit(uint64_t *s) { /* uniform in [-1, 1) */
    return (float)((double)(rng_next(s) >> 11) * (2.0 / 9007199254740992.0) - 1.0);
}

static float *random_vecs(size_t n, size_t dim, uint64_t seed) {
    float *v = (float *)malloc(n * dim * sizeof *v);
    size_t i;
    for (i = 0; v && i < n * dim; i++)
        v[i] = rng_unit(&seed);
    return v;
}

static ruv_index *make_index(ruv_metric metric, ruv_index_kind kind, size_t dim, const float *base,
                             size_t n) {
    ruv_config cfg = ruv_config_init((uint32_t)dim);
    ruv_index *idx = NULL;
    uint64_t *keys = (uint64_t *)malloc(n * sizeof *keys);
    size_t i;
    cfg.metric = metric;
    cfg.kind = kind;
    if (!keys)
        return NULL;
    for (i = 0; i < n; i++)
        keys[i] = i;
    if (ruv_index_create(&cfg, &idx) != RUV_OK ||
        ruv_index_add_batch(idx, n, keys, base) != RUV_OK) {
        ruv_index_free(idx);
        idx = NULL;
    }
    free(keys);
    return idx;
}

/* Runs all queries (k each); keys into found (nq x k), counts into cnt. */
static int search_all(const ruv_index *idx, const float *q, size_t nq, size_t k, uint32_t ef,
                      uint64_t *found, size_t *cnt) {
    ruv_hit *h = (ruv_hit *)malloc(nq * k * sizeof *h);
    ruv_search_params p;
    size_t i;
    int ok;
    memset(&p, 0, sizeof p);
    p.ef_search = ef;
    if (!h)
        return 0;
    ok = ruv_index_search_batch(idx, nq, q, k, &p, h, cnt) == RUV_OK;
    for (i = 0; i < nq * k; i++)
        found[i] = h[i].key;
    free(h);
    return ok;
}

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

#include "test_kernels.c"

/* ---- flat index against the shared ground truth ---------------------------------------------- */
/* For every available ISA: each returned distance equals the double-precision distance of the
   returned vector; rank by rank, the distances equal those of the true neighbours (ties aside);
   at least 99% of the ids are exactly the true ones. */
static void check_flat_gt(const char *prefix, ruv_metric metric) {
    char f[256];
    size_t nb, dim, nq, qd, ng, gd, k = 10, q, i, exact = 0;
    float *base, *qs;
    int32_t *gt;
    int isa;
    snprintf(f, sizeof f, "%s_base.fvecs", prefix);
    base = load_f(0, f, 0, &nb, &dim);
    snprintf(f, sizeof f, "%s_query.fvecs", prefix);
    qs = load_f(0, f, 0, &nq, &qd);
    snprintf(f, sizeof f, "%s_groundtruth.ivecs", prefix);
    gt = load_i(f, &ng, &gd);
    REQUIRE(base && qs && gt && qd == dim && ng == nq && gd >= k);
    for (isa = RUV_ISA_SERIAL; isa < RUV_ISA_COUNT; isa++) {
        ruv_config cfg = ruv_config_init((uint32_t)dim);
        ruv_index *idx;
        uint64_t *keys = (uint64_t *)malloc(nb * sizeof *keys);
        if (!ruv_isa_available((ruv_isa)isa)) {
            free(keys);
            continue;
        }
        cfg.metric = metric;
        cfg.isa = (ruv_isa)isa;
        cfg.capacity = 7; /* exercises growth */
        for (i = 0; i < nb; i++)
            keys[i] = i;
        REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
        CHECK_EQ_INT(ruv_index_get_config(idx).isa, isa);
        CHECK(ruv_index_add_batch(idx, nb, keys, base) == RUV_OK);
        CHECK_EQ_INT(ruv_index_count(idx), nb);
        exact = 0;
        for (q = 0; q < nq; q++) {
            ruv_hit h[10];
            size_t n;
            const float *qv = qs + q * dim;
            CHECK(ruv_index_search(idx, qv, k, NULL, h, &n) == RUV_OK);
            CHECK_EQ_INT(n, k);
            for (i = 0; i < n; i++) {
                double mine = ref_dist(metric, qv, base + h[i].key * dim, dim);
                double want = ref_dist(metric, qv, base + (size_t)gt[q * gd + i] * dim, dim);
                if (fabs(h[i].distance - mine) > tol(metric, mine) ||
                    fabs(mine - want) > tol(metric, want)) {
                    printf("  %s/%s q%zu rank %zu: key %llu d=%g (ref %g), truth %ld d=%g\n",
                           prefix, ruv_isa_name((ruv_isa)isa), q, i, (unsigned long long)h[i].key,
                           h[i].distance, mine, (long)gt[q * gd + i], want);
                    g_failed_checks++;
                }
                exact += h[i].key == (uint64_t)gt[q * gd + i];
                if (i)
                    CHECK(h[i - 1].distance <= h[i].distance);
            }
        }
        CHECK(exact * 100 >= nq * k * 99);
        ruv_index_free(idx);
        free(keys);
    }
    free(base);
    free(qs);
    free(gt);
}

TEST(flat_gt_fiori_cosine) { check_flat_gt("fiori", RUV_METRIC_COSINE); }

TEST(flat_gt_mnist_l2) { check_flat_gt("mnist", RUV_METRIC_L2SQ); }

/* A metric on random data (odd dim for the kernel tails) against a double brute force. */
static void flat_random_for(ruv_metric metric) {
    size_t n = 600, dim = 37, nq = 40, k = 15, q, i, j;
    float *base = random_vecs(n, dim, 11), *qs = random_vecs(nq, dim, 12);
    double *ref = (double *)malloc(n * sizeof *ref);
    ruv_index *idx;
    REQUIRE(base && qs && ref);
    idx = make_index(metric, RUV_INDEX_FLAT, dim, base, n);
    REQUIRE(idx);
    for (q = 0; q < nq; q++) {
        ruv_hit h[15];
        size_t cnt;
        for (i = 0; i < n; i++)
            ref[i] = ref_dist(metric, qs + q * dim, base + i * dim, dim);
        /* partial selection sort of the reference distances */
        for (i = 0; i < k; i++)
            for (j = i + 1; j < n; j++)
                if (ref[j] < ref[i]) {
                    double t = ref[i];
                    ref[i] = ref[j];
                    ref[j] = t;
                }
        CHECK(ruv_index_search(idx, qs + q * dim, k, NULL, h, &cnt) == RUV_OK);
        CHECK_EQ_INT(cnt, k);
        for (i = 0; i < cnt; i++) {
            double mine = ref_dist(metric, qs + q * dim, base + h[i].key * dim, dim);
            CHECK(fabs(h[i].distance - mine) <= tol(metric, mine));
            CHECK(fabs(mine - ref[i]) <= tol(metric, ref[i]));
        }
    }
    ruv_index_free(idx);
    free(base);
    free(qs);
    free(ref);
}

TEST(flat_ip_random) { flat_random_for(RUV_METRIC_IP); }

TEST(flat_l1_random) { flat_random_for(RUV_METRIC_L1); }

/* ---- HNSW --------------------------------------------------------------------------------- */
/* Recall@10 of HNSW at ef_search 64 against exact neighbours: the shared ground truth where the
   set has one (truth != NULL), else the exact flat index (itself checked against ground truth). */
static double hnsw_recall(ruv_metric metric, const float *base, size_t nb, const float *qs,
                          size_t nq, size_t dim, const int32_t *truth, size_t tdim, uint32_t ef) {
    size_t k = 10;
    uint64_t *found = (uint64_t *)malloc(nq * k * sizeof *found);
    uint64_t *exact = (uint64_t *)malloc(nq * k * sizeof *exact);
    int32_t *t = (int32_t *)malloc(nq * k * sizeof *t);
    size_t *cnt = (size_t *)malloc(nq * sizeof *cnt), i;
    ruv_index *h = make_index(metric, RUV_INDEX_HNSW, dim, base, nb);
    double r = -1;
    if (!found || !exact || !t || !cnt || !h)
        goto done;
    if (!truth) {
        ruv_index *f = make_index(metric, RUV_INDEX_FLAT, dim, base, nb);
        int ok = f && search_all(f, qs, nq, k, 0, exact, cnt);
        ruv_index_free(f);
        if (!ok)
            goto done;
        for (i = 0; i < nq * k; i++)
            t[i] = (int32_t)exact[i];
        truth = t;
        tdim = k;
    }
    if (search_all(h, qs, nq, k, ef, found, cnt))
        r = tx_recall(found, cnt, k, truth, tdim, nq);
done:
    ruv_index_free(h);
    free(found);
    free(exact);
    free(t);
    free(cnt);
    return r;
}

TEST(hnsw_recall_glove_cosine) {
    size_t nb, dim, nq, qd;
    float *base = load_f(1, "glove25k.fvecs", 10000, &nb, &dim);
    float *qs = load_f(1, "glove_query.fvecs", 200, &nq, &qd);
    double r;
    REQUIRE(base && qs && qd == dim);
    r = hnsw_recall(RUV_METRIC_COSINE, base, nb, qs, nq, dim, NULL, 0, 64);
    printf("  glove 10k cosine recall@10 (ef 64) = %.4f\n", r);
    CHECK(r >= 0.95);
    free(base);
    free(qs);
}

/* HNSW recall@10 at ef_search 64 against a shared set's own ground truth. */
static void check_hnsw_recall_gt(const char *prefix, ruv_metric metric) {
    char f[256];
    size_t nb, dim, nq, qd, ng, gd;
    float *base, *qs;
    int32_t *gt;
    double r;
    snprintf(f, sizeof f, "%s_base.fvecs", prefix);
    base = load_f(0, f, 0, &nb, &dim);
    snprintf(f, sizeof f, "%s_query.fvecs", prefix);
    qs = load_f(0, f, 0, &nq, &qd);
    snprintf(f, sizeof f, "%s_groundtruth.ivecs", prefix);
    gt = load_i(f, &ng, &gd);
    REQUIRE(base && qs && gt && qd == dim && ng == nq);
    r = hnsw_recall(metric, base, nb, qs, nq, dim, gt, gd, 64);
    printf("  %s recall@10 (ef 64) = %.4f\n", prefix, r);
    CHECK(r >= 0.95);
    free(base);
    free(qs);
    free(gt);
}

TEST(hnsw_recall_mnist_l2) { check_hnsw_recall_gt("mnist", RUV_METRIC_L2SQ); }

/* L1 (Manhattan) on mnist: truth by the exact flat index, itself checked by flat_l1_random. */
TEST(hnsw_recall_mnist_l1) {
    size_t nb, dim, nq, qd;
    float *base = load_f(0, "mnist_base.fvecs", 0, &nb, &dim);
    float *qs = load_f(0, "mnist_query.fvecs", 0, &nq, &qd);
    double r;
    REQUIRE(base && qs && qd == dim);
    r = hnsw_recall(RUV_METRIC_L1, base, nb, qs, nq, dim, NULL, 0, 64);
    printf("  mnist L1 recall@10 (ef 64) = %.4f\n", r);
    CHECK(r >= 0.95);
    free(base);
    free(qs);
}

/* fiori vectors have unit length: inner-product order = cosine order = the ground truth */
TEST(hnsw_recall_fiori_ip) { check_hnsw_recall_gt("fiori", RUV_METRIC_IP); }

/* Same seed -> identical results; one batch -> the same graph as one add per vector; results
   from a caller's ctx equal those from the index's own. */
TEST(hnsw_deterministic) {
    size_t nb, dim, nq, qd, i, q;
    float *base = load_f(1, "glove25k.fvecs", 3000, &nb, &dim);
    float *qs = load_f(1, "glove_query.fvecs", 100, &nq, &qd);
    ruv_config cfg;
    ruv_index *a = NULL, *b = NULL;
    ruv_search_ctx *ctx = NULL;
    REQUIRE(base && qs && qd == dim);
    cfg = ruv_config_init((uint32_t)dim);
    cfg.kind = RUV_INDEX_HNSW;
    cfg.metric = RUV_METRIC_COSINE;
    cfg.seed = 1234;
    cfg.M = 8;
    cfg.ef_construction = 64;
    REQUIRE(ruv_index_create(&cfg, &a) == RUV_OK && ruv_index_create(&cfg, &b) == RUV_OK);
    for (i = 0; i < nb; i++)
        CHECK(ruv_index_add(a, i * 7 + 1, base + i * dim) == RUV_OK);
    {
        uint64_t *keys = (uint64_t *)malloc(nb * sizeof *keys);
        REQUIRE(keys);
        for (i = 0; i < nb; i++)
            keys[i] = i * 7 + 1;
        CHECK(ruv_index_add_batch(b, nb, keys, base) == RUV_OK);
        free(keys);
    }
    REQUIRE(ruv_search_ctx_create(a, &ctx) == RUV_OK);
    for (q = 0; q < nq; q++) {
        ruv_hit ha[20], hb[20], hc[20];
        size_t na, nbh, nc;
        ruv_search_params p;
        memset(&p, 0, sizeof p);
        p.ef_search = 40;
        CHECK(ruv_index_search(a, qs + q * dim, 20, &p, ha, &na) == RUV_OK);
        CHECK(ruv_index_search(b, qs + q * dim, 20, &p, hb, &nbh) == RUV_OK);
        p.ctx = ctx;
        CHECK(ruv_index_search(a, qs + q * dim, 20, &p, hc, &nc) == RUV_OK);
        CHECK_EQ_INT(na, 20);
        CHECK(na == nbh && na == nc);
        for (i = 0; i < na && i < nbh && i < nc; i++) {
            CHECK(ha[i].key == hb[i].key && ha[i].distance == hb[i].distance);
            CHECK(ha[i].key == hc[i].key && ha[i].distance == hc[i].distance);
        }
    }
    ruv_search_ctx_free(ctx);
    ruv_index_free(a);
    ruv_index_free(b);
    free(base);
    free(qs);
}

/* ---- bad input ---------------------------------------------------------------------------- */
static int same_hits(const ruv_hit *a, size_t na, const ruv_hit *b, size_t nb) {
    size_t i;
    if (na != nb)
        return 0;
    for (i = 0; i < na; i++)
        if (a[i].key != b[i].key || a[i].distance != b[i].distance)
            return 0;
    return 1;
}

TEST(bad_config) {
    ruv_config c = ruv_config_init(8);
    ruv_index *idx = (ruv_index *)&c;
    CHECK(ruv_index_create(NULL, &idx) == RUV_E_ARG && idx == NULL);
    CHECK(ruv_index_create(&c, NULL) == RUV_E_ARG);
    c.dim = 0;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG && idx == NULL);
    c.dim = RUV_MAX_DIM + 1;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c = ruv_config_init(8);
    c.metric = (ruv_metric)7;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c = ruv_config_init(8);
    c.kind = (ruv_index_kind)5;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c = ruv_config_init(8);
    c.M = 1;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c.M = RUV_MAX_M + 1;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c = ruv_config_init(8);
    c.capacity = (uint64_t)RUV_MAX_COUNT + 1;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c = ruv_config_init(8);
    c.isa = (ruv_isa)99;
    CHECK(ruv_index_create(&c, &idx) == RUV_E_ARG);
    c = ruv_config_init(8);
    c.alloc.user = &c;
    c.alloc.free = NULL;
    c.alloc.alloc = NULL;
    CHECK(ruv_index_create(&c, &idx) == RUV_OK); /* all-NULL functions = default */
    ruv_index_free(idx);
    c = ruv_config_init(8);
    c.kind = RUV_INDEX_HNSW;
    CHECK(ruv_index_create(&c, &idx) == RUV_OK);
    c = ruv_index_get_config(idx);
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
    CHECK(ruv_index_add_batch(idx, 2, NULL, base) == RUV_E_ARG);
    CHECK(ruv_index_add_batch(idx, 2, keys, NULL) == RUV_E_ARG);
    CHECK(ruv_index_add_batch(idx, 0, NULL, NULL) == RUV_OK);
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
        CHECK(ruv_index_add_batch(idx, 3, keys, b3) == RUV_E_VALUE);
        b3[3 * dim - 1] = 0.5f;
        keys[2] = keys[0];
        CHECK(ruv_index_add_batch(idx, 3, keys, b3) == RUV_E_EXISTS);
        keys[2] = 7; /* already in the index */
        CHECK(ruv_index_add_batch(idx, 3, keys, b3) == RUV_E_EXISTS);
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

/* ---- allocator ---------------------------------------------------------------------------- */
/* Counts live bytes; fails the allocation numbered fail_at (1-based, 0 = never). */
typedef struct tally {
    size_t live, calls, fail_at;
} tally;

static void *tally_alloc(void *user, size_t size) {
    tally *t = (tally *)user;
    void *p;
    if (++t->calls == t->fail_at)
        return NULL;
    p = malloc(size);
    if (p)
        t->live += size;
    return p;
}

static void tally_free(void *user, void *p, size_t size) {
    tally *t = (tally *)user;
    t->live -= size;
    free(p);
}

/* Fails every allocation in turn during create, a growing add_batch, a single add and a search
   with a new ctx: each failure gives RUV_E_NOMEM and leaves the index as it was; nothing leaks. */
static void alloc_failure_for(ruv_index_kind kind) {
    size_t dim = 12, n = 40, i, n0, n1, fails = 0, f;
    float *base = random_vecs(n + 1, dim, 9);
    uint64_t keys[40];
    tally t;
    ruv_config cfg = ruv_config_init((uint32_t)dim);
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
    CHECK(ruv_index_add_batch(idx, 4, keys, base) == RUV_OK);
    CHECK(ruv_index_search(idx, base, 10, NULL, h0, &n0) == RUV_OK);
    /* a batch that must grow every array */
    for (f = 1;; f++) {
        t.fail_at = f;
        size_t live = t.live;
        t.calls = 0;
        r = ruv_index_add_batch(idx, n - 4, keys + 4, base + 4 * dim);
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
        ruv_search_params p;
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
        ruv_config c = ruv_config_init((uint32_t)dim);
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

#include "test_store.c"

/* uses the helpers of test_store.c */
#include "test_quant.c"

/* ---- registry ----------------------------------------------------------------------------- */
typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;

#define T(name) {#name, test_##name},
static const test_case g_tests[] = {
    T(version) T(kernels) T(kernels_alignment_invariant) T(kernels_special) T(convert_f16)
        T(convert_bf16) T(flat_gt_fiori_cosine) T(flat_gt_mnist_l2) T(flat_ip_random)
            T(flat_l1_random) T(hnsw_recall_mnist_l1) T(hnsw_recall_glove_cosine)
                T(hnsw_recall_mnist_l2) T(hnsw_recall_fiori_ip) T(hnsw_deterministic) T(bad_config)
                    T(bad_input_flat) T(bad_input_hnsw) T(alloc_failure_flat) T(alloc_failure_hnsw)
                        T(edge_cases) T(xxh64_vectors) T(store_ops_flat) T(store_ops_hnsw)
                            T(persist_roundtrip_flat) T(persist_roundtrip_hnsw) T(persist_corrupt)
                                T(alloc_failure_store) T(hnsw_delete_reinsert_glove)
                                    T(hnsw_filtered_glove) T(mmr) T(hnsw_threads_glove)
                                        T(concurrent_readers) T(byte_order) T(quant_kernels)
                                            T(quant_dot_i16) T(quant_codes) T(quant_recall_glove)
                                                T(quant_recall_mnist) T(quant_deterministic)
                                                    T(quant_bad_input) T(quant_persist)
                                                        T(quant_alloc_failure) T(quant_threads)};
#undef T

int main(int argc, char **argv) {
    size_t i, nt = sizeof g_tests / sizeof g_tests[0];
    int a, passed = 0, failed = 0;
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (i = 0; i < nt; i++)
            printf("%s\n", g_tests[i].name);
        return 0;
    }
    for (a = 1; a < argc; a++) {
        for (i = 0; i < nt && strcmp(argv[a], g_tests[i].name) != 0; i++)
            ;
        if (i == nt) {
            printf("unknown test case: %s\n", argv[a]);
            failed++;
        }
    }
    for (i = 0; i < nt; i++) {
        int run = argc == 1;
        for (a = 1; a < argc && !run; a++)
            run = strcmp(argv[a], g_tests[i].name) == 0;
        if (!run)
            continue;
        g_failed_checks = 0;
        printf("[ RUN  ] %s\n", g_tests[i].name);
        fflush(stdout);
        g_tests[i].fn();
        printf("[ %s ] %s\n", g_failed_checks ? "FAIL" : " OK ", g_tests[i].name);
        if (g_failed_checks)
            failed++;
        else
            passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
