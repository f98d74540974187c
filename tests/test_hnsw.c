/* HNSW: recall against ground truth, determinism, deletion and re-insertion. */
#include "test.h"

#define TX_NO_CLOCK
#include "bench/texmex.h"

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
    ruv_index_options cfg;
    ruv_index *a = NULL, *b = NULL;
    ruv_search_ctx *ctx = NULL;
    REQUIRE(base && qs && qd == dim);
    cfg = ruv_index_options_init((uint32_t)dim);
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
        CHECK(ruv_index_add_batch(b, nb, keys, base, NULL) == RUV_OK);
        free(keys);
    }
    REQUIRE(ruv_search_ctx_create(a, &ctx) == RUV_OK);
    for (q = 0; q < nq; q++) {
        ruv_hit ha[20], hb[20], hc[20];
        size_t na, nbh, nc;
        ruv_search_options p;
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

/* ---- HNSW deletion quality ---------------------------------------------------------------- */
/* GloVe 10k (cosine): delete 30%, re-insert them, three times over; recall@10 at ef 64 stays
   within 0.01 of a fresh build (truth: exact flat search), deleted keys are never returned while
   deleted, and the slots stay within 1.15x the live count (deleted slots are reused). */
TEST(hnsw_delete_reinsert_glove) {
    size_t nb, dim, nq, qd, i, round, n1;
    float *base = load_f(1, "glove25k.fvecs", 10000, &nb, &dim);
    float *qs = load_f(1, "glove_query.fvecs", 200, &nq, &qd);
    uint64_t *truth = NULL, *found = NULL;
    size_t *cnt = NULL;
    ruv_index *flat = NULL, *fresh = NULL, *idx = NULL;
    double r_fresh, r;
    ruv_stats st;
    REQUIRE(base && qs && qd == dim);
    truth = (uint64_t *)malloc(nq * 10 * sizeof *truth);
    found = (uint64_t *)malloc(nq * 10 * sizeof *found);
    cnt = (size_t *)malloc(nq * sizeof *cnt);
    flat = make_index(RUV_METRIC_COSINE, RUV_INDEX_FLAT, dim, base, nb);
    fresh = make_index(RUV_METRIC_COSINE, RUV_INDEX_HNSW, dim, base, nb);
    idx = make_index(RUV_METRIC_COSINE, RUV_INDEX_HNSW, dim, base, nb);
    REQUIRE(truth && found && cnt && flat && fresh && idx);
    REQUIRE(search_all(flat, qs, nq, 10, 0, truth, cnt));
    r_fresh = recall_vs(fresh, qs, nq, truth);
    for (round = 0; round < 3; round++) {
        size_t q;
        for (i = round; i < nb; i += 10) /* 30%: i % 10 in {round, round + 3, round + 6} */
            CHECK(ruv_index_remove(idx, i) == RUV_OK && ruv_index_remove(idx, i + 3) == RUV_OK &&
                  ruv_index_remove(idx, i + 6) == RUV_OK);
        CHECK_EQ_INT(ruv_index_count(idx), nb - 3 * (nb / 10));
        /* no deleted key comes back, and every search has 10 hits */
        CHECK(search_all(idx, qs, nq, 10, 64, found, cnt));
        for (q = 0; q < nq; q++) {
            CHECK_EQ_INT(cnt[q], 10);
            for (i = 0; i < cnt[q]; i++)
                CHECK(found[q * 10 + i] % 10 != round && found[q * 10 + i] % 10 != round + 3 &&
                      found[q * 10 + i] % 10 != round + 6);
        }
        for (i = round; i < nb; i += 10) {
            CHECK(ruv_index_add(idx, i, base + i * dim) == RUV_OK);
            CHECK(ruv_index_add(idx, i + 3, base + (i + 3) * dim) == RUV_OK);
            CHECK(ruv_index_add(idx, i + 6, base + (i + 6) * dim) == RUV_OK);
        }
        st = ruv_index_stats(idx);
        printf("  round %zu: live %zu, slots %zu (deleted %zu, free %zu)\n", round, st.live,
               st.live + st.deleted, st.deleted, st.free_slots);
        CHECK(st.live == nb && (st.live + st.deleted) * 100 <= nb * 115);
    }
    r = recall_vs(idx, qs, nq, truth);
    printf("  recall@10 (ef 64): fresh build %.4f, after 3 x 30%% delete + re-insert %.4f\n",
           r_fresh, r);
    CHECK(r_fresh >= 0.95 && r >= r_fresh - 0.01);
    /* a forced compaction leaves a graph without deleted nodes that still finds itself */
    CHECK(ruv_index_compact(idx) == RUV_OK);
    st = ruv_index_stats(idx);
    CHECK(st.deleted == st.free_slots);
    for (i = 0; i < nb; i += 97) {
        ruv_hit h[1];
        CHECK(ruv_index_search(idx, base + i * dim, 1, NULL, h, &n1) == RUV_OK);
        CHECK(n1 == 1 && h[0].key == i);
    }
    ruv_index_free(flat);
    ruv_index_free(fresh);
    ruv_index_free(idx);
    free(truth);
    free(found);
    free(cnt);
    free(base);
    free(qs);
}
