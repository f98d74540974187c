/* Search options: filters (allow-lists and callbacks) and maximal marginal relevance. */
#include "test.h"

/* ---- filtered search ---------------------------------------------------------------------- */
static int filter_mod(void *user, uint64_t key) {
    const uint64_t *m = (const uint64_t *)user; /* {modulus, remainder} */
    return (key * 2654435761u) % m[0] == m[1];
}

/* GloVe 10k HNSW (cosine), filters passing 50% (allow-list), 10% (callback), 1% (allow-list)
   and 0.1% (callback) of the keys: every search returns min(10, passing) hits, all passing,
   and recall@10 against a double-precision brute force over the passing vectors is >= 0.95
   (>= 0.999 where the selectivity rule picks the exact scan). */
TEST(hnsw_filtered_glove) {
    size_t nb, dim, nq, qd, i, q, j, t;
    float *base = load_f(1, "glove25k.fvecs", 10000, &nb, &dim);
    float *qs = load_f(1, "glove_query.fvecs", 100, &nq, &qd);
    ruv_index *idx;
    uint8_t *allow;
    double *d;
    REQUIRE(base && qs && qd == dim);
    idx = make_index(RUV_METRIC_COSINE, RUV_INDEX_HNSW, dim, base, nb);
    allow = (uint8_t *)calloc(nb / 8 + 1, 1);
    d = (double *)malloc(nb * sizeof *d);
    REQUIRE(idx && allow && d);
    for (t = 0; t < 4; t++) {
        static const double sel[4] = {0.5, 0.1, 0.01, 0.001};
        uint64_t mod[2] = {t == 1 ? 10u : 1000u, 7u}, seed = 5 + t;
        ruv_search_options p;
        size_t hit = 0, want_total = 0, passing = 0;
        memset(&p, 0, sizeof p);
        memset(allow, 0, nb / 8 + 1);
        if (t % 2 == 0) {
            for (i = 0; i < nb; i++)
                if ((double)(rng_next(&seed) >> 11) * (1.0 / 9007199254740992.0) < sel[t])
                    allow[i / 8] |= (uint8_t)(1u << (i % 8));
            p.allow = allow;
            p.allow_bits = nb;
        } else {
            p.filter = filter_mod;
            p.filter_user = mod;
        }
        for (i = 0; i < nb; i++)
            passing +=
                t % 2 == 0 ? (size_t)((allow[i / 8] >> (i % 8)) & 1u) : (size_t)filter_mod(mod, i);
        for (q = 0; q < nq; q++) {
            ruv_hit h[10];
            size_t n, want = passing < 10 ? passing : 10;
            double worst = 0;
            const float *qv = qs + q * dim;
            for (i = 0; i < nb; i++) {
                int pass = t % 2 == 0 ? (int)((allow[i / 8] >> (i % 8)) & 1u) : filter_mod(mod, i);
                d[i] = pass ? ref_dist(RUV_METRIC_COSINE, qv, base + i * dim, dim) : 1e300;
            }
            /* the want-th smallest passing distance */
            for (j = 0; j < want; j++) {
                size_t best = j;
                for (i = j + 1; i < nb; i++)
                    if (d[i] < d[best])
                        best = i;
                worst = d[best];
                d[best] = d[j];
                d[j] = worst;
            }
            CHECK(ruv_index_search(idx, qv, 10, &p, h, &n) == RUV_OK);
            CHECK_EQ_INT(n, want);
            for (i = 0; i < n; i++) {
                uint64_t key = h[i].key;
                double dd = ref_dist(RUV_METRIC_COSINE, qv, base + key * dim, dim);
                CHECK(t % 2 == 0 ? (int)((allow[key / 8] >> (key % 8)) & 1u)
                                 : filter_mod(mod, key));
                hit += dd <= worst + tol(RUV_METRIC_COSINE, worst);
            }
            want_total += want;
        }
        printf("  selectivity %.1f%% (%zu passing): recall@10 %.4f\n", 100.0 * sel[t], passing,
               (double)hit / (double)want_total);
        CHECK((double)hit >= (t < 2 ? 0.95 : 0.999) * (double)want_total);
    }
    free(allow);
    free(d);
    ruv_index_free(idx);
    free(base);
    free(qs);
}

/* ---- MMR ---------------------------------------------------------------------------------- */
/* Random L2 data: lambda 1 gives the plain order; for lambda 0.5 the picks equal a greedy MMR
   computed here in double precision over the plain search's top `fetch`; with every vector
   stored three times, plain top-3 is three copies while MMR's are three different vectors. */
TEST(mmr) {
    size_t n = 400, dim = 16, q, i, j, t, cnt, cm;
    float *base = random_vecs(n, dim, 31), *qs = random_vecs(20, dim, 32);
    ruv_index *idx;
    ruv_hit plain[40], mmr[10];
    uint64_t keys3[3];
    REQUIRE(base && qs);
    idx = make_index(RUV_METRIC_L2SQ, RUV_INDEX_HNSW, dim, base, n);
    REQUIRE(idx);
    CHECK(ruv_index_search_mmr(idx, qs, 5, 1.5f, 0, NULL, mmr, &cm) == RUV_E_ARG);
    CHECK(ruv_index_search_mmr(idx, qs, 5, NAN, 0, NULL, mmr, &cm) == RUV_E_ARG);
    for (q = 0; q < 20; q++) {
        const float *qv = qs + q * dim;
        int picked[40] = {0};
        double mind[40];
        CHECK(ruv_index_search(idx, qv, 40, NULL, plain, &cnt) == RUV_OK && cnt == 40);
        CHECK(ruv_index_search_mmr(idx, qv, 10, 1.0f, 40, NULL, mmr, &cm) == RUV_OK && cm == 10);
        for (i = 0; i < 10; i++)
            CHECK(mmr[i].key == plain[i].key);
        CHECK(ruv_index_search_mmr(idx, qv, 10, 0.5f, 40, NULL, mmr, &cm) == RUV_OK && cm == 10);
        for (t = 0; t < 10; t++) { /* reference greedy MMR in double */
            size_t best = 40;
            double bs = 0;
            for (i = 0; i < 40; i++) {
                double s;
                if (picked[i])
                    continue;
                s = -0.5 * ref_dist(RUV_METRIC_L2SQ, qv, base + plain[i].key * dim, dim) +
                    (t ? 0.5 * mind[i] : 0.0);
                if (best == 40 || s > bs) {
                    best = i;
                    bs = s;
                }
            }
            picked[best] = 1;
            CHECK(mmr[t].key == plain[best].key);
            for (i = 0; i < 40; i++) {
                double d = ref_dist(RUV_METRIC_L2SQ, base + plain[i].key * dim,
                                    base + plain[best].key * dim, dim);
                if (t == 0 || d < mind[i])
                    mind[i] = d;
            }
        }
    }
    /* duplicates: keys n + i and 2n + i hold vector i as well */
    for (i = 0; i < n; i++)
        for (j = 1; j <= 2; j++)
            CHECK(ruv_index_add(idx, j * n + i, base + i * dim) == RUV_OK);
    CHECK(ruv_index_search(idx, qs, 3, NULL, plain, &cnt) == RUV_OK && cnt == 3);
    for (i = 0; i < 3; i++)
        keys3[i] = plain[i].key % n;
    CHECK(keys3[0] == keys3[1] && keys3[1] == keys3[2]);
    CHECK(ruv_index_search_mmr(idx, qs, 3, 0.5f, 0, NULL, mmr, &cm) == RUV_OK && cm == 3);
    CHECK(mmr[0].key % n == keys3[0] && mmr[1].key % n != mmr[0].key % n &&
          mmr[2].key % n != mmr[0].key % n && mmr[2].key % n != mmr[1].key % n);
    ruv_index_free(idx);
    free(base);
    free(qs);
}
