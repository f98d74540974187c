/* The flat (exact) index against shared ground truth and double-precision brute force. */
#include "test.h"

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
        ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
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
        CHECK_EQ_INT(ruv_index_config(idx).isa, isa);
        CHECK(ruv_index_add_batch(idx, nb, keys, base, NULL) == RUV_OK);
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
