/* Sparse vectors: the kernels against a double reference; the sparse index's three search modes
   against each other (bit-identical) and against an independent double brute force over a
   shadow copy of the entries (random data with ties, filters, writes, compaction); BM25 top-10
   on fiori-bm25 against the data set's ground-truth scores; hostile arguments and failing
   allocations (index unchanged, no leaks). */
#include "test.h"

/* A random sparse vector: nnz distinct ids below vocab (ascending), weights in +-[0.1, 1.1)
   (signed when sign, else positive), quantized to 1/8 so that equal scores (ties) occur. */
static size_t sp_random(uint64_t *s, size_t max_nnz, uint32_t vocab, int sign, uint32_t *ids,
                        float *vals) {
    size_t n = 1 + (size_t)(rng_next(s) % max_nnz), i = 0, j;
    while (i < n) {
        /* skewed ids: low ids (frequent terms) more often */
        uint32_t x = (uint32_t)(rng_next(s) % vocab), y = (uint32_t)(rng_next(s) % vocab);
        uint32_t id = x < y ? x : y;
        for (j = 0; j < i && ids[j] != id; j++)
            ;
        if (j < i)
            continue;
        ids[i] = id;
        vals[i] = (float)(1 + rng_next(s) % 8) / 8.0f;
        if (sign && rng_next(s) % 3 == 0)
            vals[i] = -vals[i];
        i++;
    }
    for (i = 1; i < n; i++) /* insertion sort by id */
        for (j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            uint32_t t = ids[j];
            float v = vals[j];
            ids[j] = ids[j - 1], vals[j] = vals[j - 1];
            ids[j - 1] = t, vals[j - 1] = v;
        }
    return n;
}

/* Reference dot, squared norms and whether any id is shared, by a dense scatter in double. */
static double sp_ref(size_t na, const uint32_t *ia, const float *va, size_t nb, const uint32_t *ib,
                     const float *vb, double *a2, double *b2, int *shared) {
    double s = 0.0;
    size_t i, j;
    *a2 = *b2 = 0.0;
    *shared = 0;
    for (i = 0; i < na; i++) {
        *a2 += (double)va[i] * va[i];
        for (j = 0; j < nb; j++)
            if (ia[i] == ib[j]) {
                s += (double)va[i] * vb[j];
                *shared = 1;
            }
    }
    for (j = 0; j < nb; j++)
        *b2 += (double)vb[j] * vb[j];
    return s;
}

TEST(sparse_kernels) {
    uint32_t ia[400], ib[400];
    float va[400], vb[400], dense[600];
    uint64_t s = 42;
    int round;
    for (round = 0; round < 400; round++) {
        /* lengths from 1 to 400 with ratios past 16 (the galloping path) */
        size_t na = sp_random(&s, round % 4 == 0 ? 3 : 60, 600, 1, ia, va);
        size_t nb = sp_random(&s, round % 3 == 0 ? 400 : 40, 600, 1, ib, vb), i;
        double a2, b2, dot, l2, dd = 0.0;
        int shared;
        dot = sp_ref(na, ia, va, nb, ib, vb, &a2, &b2, &shared);
        l2 = a2 + b2 - 2.0 * dot;
        CHECK(fabs(ruv_sparse_dot(na, ia, va, nb, ib, vb) - dot) <= 1e-6 * (1.0 + fabs(dot)));
        CHECK(fabs(ruv_sparse_dot(nb, ib, vb, na, ia, va) - dot) <= 1e-6 * (1.0 + fabs(dot)));
        CHECK(fabs(ruv_sparse_l2sq(na, ia, va, nb, ib, vb) - l2) <= 1e-5 * (1.0 + l2));
        for (i = 0; i < 600; i++)
            dense[i] = (float)(i % 7) - 3.0f;
        for (i = 0; i < na; i++)
            dd += ia[i] < 500 ? (double)va[i] * dense[ia[i]] : 0.0;
        CHECK(fabs(ruv_sparse_dense_dot(na, ia, va, dense, 500) - dd) <= 1e-6 * (1.0 + fabs(dd)));
    }
    CHECK(ruv_sparse_dot(0, NULL, NULL, 3, ia, va) == 0.0f);
    CHECK(ruv_sparse_dot(3, NULL, va, 3, ia, va) == 0.0f);
    CHECK(ruv_sparse_l2sq(1, ia, va, 0, NULL, NULL) == va[0] * va[0]);
}

/* The test's shadow of a sparse index: every key's current vector. */
typedef struct sp_model {
    size_t n;
    uint64_t key[600];
    size_t nnz[600];
    uint32_t ids[600][24];
    float vals[600][24];
} sp_model;

/* Checks the k-NN of (nq, qi, qv) in idx against a double brute force over the model: same count,
   distances within 1e-5 of the reference in ascending order, every key at most the k-th
   distance (ties may pick either), and all three modes bit-identical. */
static void sp_check_query(ruv_sparse_index *idx, ruv_metric metric, const sp_model *m, size_t nq,
                           const uint32_t *qi, const float *qv, size_t k,
                           const ruv_sparse_search_options *filt, const uint8_t *allow) {
    ruv_hit hits[4][64];
    static double ref[600];
    size_t n[4], i, j, match = 0, mode;
    for (i = 0; i < m->n; i++) {
        double a2, b2, dot;
        int shared;
        dot = sp_ref(nq, qi, qv, m->nnz[i], m->ids[i], m->vals[i], &a2, &b2, &shared);
        ref[i] = -1.0;
        if (allow && !((allow[m->key[i] / 8] >> (m->key[i] % 8)) & 1))
            continue;
        if (metric == RUV_METRIC_L2SQ)
            ref[i] = a2 + b2 - 2.0 * dot;
        else if (!shared)
            continue;
        else
            ref[i] = metric == RUV_METRIC_COSINE ? 1.0 - dot / sqrt(a2 * b2) : 1.0 - dot;
        match++;
    }
    for (mode = 0; mode < 4; mode++) { /* 3: pruned in windows of 64 or 128 slots (the
                                          automatic window holds these few hundred entries) */
        ruv_sparse_search_options o;
        if (filt)
            o = *filt;
        else
            memset(&o, 0, sizeof o);
        o.mode = mode == 3 ? RUV_SPARSE_PRUNED : (ruv_sparse_mode)mode;
        o.window = mode == 3 ? (nq % 2 ? 64u : 128u) : 0u;
        CHECK_EQ_INT(ruv_sparse_search(idx, nq, qi, qv, k, &o, hits[mode], &n[mode]), RUV_OK);
    }
    CHECK(n[0] == n[1] && n[0] == n[2] && n[0] == n[3]);
    CHECK_EQ_INT(n[0], match < k ? match : k);
    for (mode = 1; mode < 4; mode++)
        CHECK(same_hits(hits[0], n[0], hits[mode], n[mode]));
    if (n[0] == 0)
        return;
    {
        static double sorted[600];
        double kth;
        size_t ns = 0;
        for (i = 0; i < m->n; i++) {
            double a2, b2;
            int shared;
            (void)sp_ref(nq, qi, qv, m->nnz[i], m->ids[i], m->vals[i], &a2, &b2, &shared);
            if ((shared || metric == RUV_METRIC_L2SQ) &&
                (!allow || ((allow[m->key[i] / 8] >> (m->key[i] % 8)) & 1)))
                sorted[ns++] = ref[i];
        }
        for (i = 1; i < ns; i++) /* insertion sort */
            for (j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
                double t = sorted[j];
                sorted[j] = sorted[j - 1];
                sorted[j - 1] = t;
            }
        kth = sorted[n[0] - 1];
        for (i = 0; i < n[0]; i++) {
            double want = sorted[i], got = hits[0][i].distance, tolr = 1e-5 * (1.0 + fabs(want));
            size_t e;
            for (e = 0; e < m->n && m->key[e] != hits[0][i].key; e++)
                ;
            CHECK(e < m->n);
            if (e >= m->n)
                continue;
            if (fabs(got - want) > tolr || ref[e] > kth + tolr || fabs(ref[e] - got) > tolr) {
                if (g_failed_checks++ < 10)
                    printf("  metric %d rank %zu key %llu: got %.9g, reference rank %.9g, key's "
                           "own %.9g, k-th %.9g\n",
                           (int)metric, i, (unsigned long long)hits[0][i].key, got, want, ref[e],
                           kth);
            }
            if (i)
                CHECK(hits[0][i].distance >= hits[0][i - 1].distance);
        }
    }
}

/* Random entries (ties on purpose), searched by all modes and the reference, for each metric,
   with and without an allow-list, then under random upserts, removes and compactions. */
TEST(sparse_search) {
    static const ruv_metric metrics[3] = {RUV_METRIC_IP, RUV_METRIC_COSINE, RUV_METRIC_L2SQ};
    static sp_model m;
    int mi;
    for (mi = 0; mi < 3; mi++) {
        ruv_sparse_options opt = ruv_sparse_options_init();
        ruv_sparse_index *idx = NULL;
        uint64_t s = 7 + (uint64_t)mi;
        uint8_t allow[128];
        ruv_sparse_search_options filt;
        size_t i, q, round;
        opt.metric = metrics[mi];
        REQUIRE(ruv_sparse_create(&opt, &idx) == RUV_OK);
        m.n = 0;
        for (i = 0; i < 500; i++) { /* key = 2 i, so that some keys are absent */
            m.key[m.n] = 2 * i;
            m.nnz[m.n] = sp_random(&s, 24, 300, mi == 0, m.ids[m.n], m.vals[m.n]);
            if (i % 50 == 7) { /* duplicates of an earlier vector: exact ties */
                m.nnz[m.n] = m.nnz[m.n - 5];
                memcpy(m.ids[m.n], m.ids[m.n - 5], sizeof m.ids[0]);
                memcpy(m.vals[m.n], m.vals[m.n - 5], sizeof m.vals[0]);
            }
            CHECK_EQ_INT(ruv_sparse_add(idx, m.key[m.n], m.nnz[m.n], m.ids[m.n], m.vals[m.n]),
                         RUV_OK);
            m.n++;
        }
        CHECK_EQ_INT(ruv_sparse_count(idx), 500);
        for (i = 0; i < sizeof allow; i++)
            allow[i] = (uint8_t)(0x5A ^ i);
        memset(&filt, 0, sizeof filt);
        filt.allow = allow;
        filt.allow_bits = sizeof allow * 8;
        for (round = 0; round < 6; round++) {
            for (q = 0; q < 40; q++) {
                uint32_t qi[24];
                float qv[24];
                size_t nq = sp_random(&s, q % 2 ? 4 : 12, 300, mi == 0, qi, qv);
                size_t k = q % 5 == 0 ? 1 : q % 5 == 1 ? 50 : 10;
                sp_check_query(idx, metrics[mi], &m, nq, qi, qv, k, NULL, NULL);
                if (q % 4 == 0)
                    sp_check_query(idx, metrics[mi], &m, nq, qi, qv, k, &filt, allow);
            }
            /* writes: remove, re-add and upsert about a fifth of the entries */
            for (i = 0; i < 100; i++) {
                size_t e = (size_t)(rng_next(&s) % m.n);
                int op = (int)(rng_next(&s) % 3);
                if (op == 0) {
                    CHECK_EQ_INT(ruv_sparse_remove(idx, m.key[e]), RUV_OK);
                    CHECK_EQ_INT(ruv_sparse_remove(idx, m.key[e]), RUV_E_NOTFOUND);
                    m.key[e] = m.key[m.n - 1], m.nnz[e] = m.nnz[m.n - 1];
                    memcpy(m.ids[e], m.ids[m.n - 1], sizeof m.ids[0]);
                    memcpy(m.vals[e], m.vals[m.n - 1], sizeof m.vals[0]);
                    m.n--;
                } else if (op == 1 && m.n < 600) {
                    uint64_t key = 1 + 2 * (rng_next(&s) % 500); /* odd: never present yet */
                    size_t f;
                    for (f = 0; f < m.n && m.key[f] != key; f++)
                        ;
                    if (f < m.n)
                        continue;
                    m.key[m.n] = key;
                    m.nnz[m.n] = sp_random(&s, 24, 300, mi == 0, m.ids[m.n], m.vals[m.n]);
                    CHECK_EQ_INT(ruv_sparse_add(idx, key, m.nnz[m.n], m.ids[m.n], m.vals[m.n]),
                                 RUV_OK);
                    m.n++;
                } else {
                    m.nnz[e] = sp_random(&s, 24, 300, mi == 0, m.ids[e], m.vals[e]);
                    CHECK_EQ_INT(ruv_sparse_upsert(idx, m.key[e], m.nnz[e], m.ids[e], m.vals[e]),
                                 RUV_OK);
                }
            }
            if (round == 3)
                CHECK_EQ_INT(ruv_sparse_compact(idx), RUV_OK);
            CHECK_EQ_INT(ruv_sparse_count(idx), m.n);
            for (i = 0; i < m.n; i += 37) { /* get returns the vector as given */
                uint32_t gi[24];
                float gv[24];
                size_t gn = 0;
                CHECK_EQ_INT(ruv_sparse_get(idx, m.key[i], gi, gv, 24, &gn), RUV_OK);
                CHECK(gn == m.nnz[i] && !memcmp(gi, m.ids[i], gn * 4) &&
                      !memcmp(gv, m.vals[i], gn * 4));
            }
        }
        ruv_sparse_free(idx);
    }
}

/* CSR file (big-ann-benchmarks sparse format) from tests/data: row pointers, ids, values. */
static int sp_load_csr(const char *file, int64_t *rows, int64_t **ptr, uint32_t **ids,
                       float **vals) {
    size_t len = 0, i;
    unsigned char *b = load_bytes(file, &len);
    int64_t hdr[3];
    if (!b || len < 24)
        return 0;
    memcpy(hdr, b, 24);
    if (hdr[0] < 0 || hdr[2] < 0 || len != 24 + (size_t)(hdr[0] + 1) * 8 + (size_t)hdr[2] * 8) {
        free(b);
        return 0;
    }
    *rows = hdr[0];
    *ptr = (int64_t *)malloc((size_t)(hdr[0] + 1) * 8);
    *ids = (uint32_t *)malloc((size_t)hdr[2] * 4 + 4);
    *vals = (float *)malloc((size_t)hdr[2] * 4 + 4);
    if (!*ptr || !*ids || !*vals) {
        free(b);
        return 0;
    }
    memcpy(*ptr, b + 24, (size_t)(hdr[0] + 1) * 8);
    for (i = 0; i < (size_t)hdr[2]; i++) {
        memcpy(&(*ids)[i], b + 24 + (size_t)(hdr[0] + 1) * 8 + i * 4, 4);
        memcpy(&(*vals)[i], b + 24 + (size_t)(hdr[0] + 1) * 8 + (size_t)hdr[2] * 4 + i * 4, 4);
    }
    free(b);
    return 1;
}

/* BM25 on fiori-bm25 (678 documents, 100 title queries): every mode's top-10 scores equal the
   ground-truth scores rank by rank (float rounding), and the pruned search in windows of 64
   slots completes fewer than half the scores of the exhaustive one. */
TEST(sparse_bm25) {
    int64_t nb = 0, nq = 0, *bp = NULL, *qp = NULL;
    uint32_t *bi = NULL, *qi = NULL;
    float *bv = NULL, *qv = NULL, *gs;
    size_t gn = 0, gd = 0, q, i;
    ruv_sparse_options opt = ruv_sparse_options_init();
    ruv_sparse_index *idx = NULL;
    uint64_t work[2] = {0, 0};
    REQUIRE(sp_load_csr("fiori_bm25_base.csr", &nb, &bp, &bi, &bv));
    REQUIRE(sp_load_csr("fiori_bm25_query.csr", &nq, &qp, &qi, &qv));
    gs = load_f(0, "fiori_bm25_groundtruth_scores.fvecs", 0, &gn, &gd);
    REQUIRE(gs && gn == (size_t)nq && gd == 100);
    REQUIRE(ruv_sparse_create(&opt, &idx) == RUV_OK);
    for (i = 0; i < (size_t)nb; i++)
        CHECK_EQ_INT(ruv_sparse_add(idx, i, (size_t)(bp[i + 1] - bp[i]), bi + bp[i], bv + bp[i]),
                     RUV_OK);
    for (q = 0; q < (size_t)nq; q++) {
        ruv_hit h[4][10];
        size_t n[4], mode, want = 0;
        for (i = 0; i < 10; i++)
            want += gs[q * 100 + i] > 0.0f;
        for (mode = 0; mode < 4; mode++) { /* 3: pruned in windows of 64 slots */
            ruv_sparse_search_options o;
            uint64_t sc = 0;
            memset(&o, 0, sizeof o);
            o.mode = mode == 3 ? RUV_SPARSE_PRUNED : (ruv_sparse_mode)mode;
            o.window = mode == 3 ? 64u : 0u;
            o.scored = &sc;
            CHECK_EQ_INT(ruv_sparse_search(idx, (size_t)(qp[q + 1] - qp[q]), qi + qp[q], qv + qp[q],
                                           10, &o, h[mode], &n[mode]),
                         RUV_OK);
            if (mode == 1 || mode == 3)
                work[mode == 1] += sc; /* [0] pruned, [1] exhaustive */
            CHECK_EQ_INT(n[mode], want);
            for (i = 0; i < n[mode] && i < want; i++) {
                double got = 1.0 - (double)h[mode][i].distance, exp = gs[q * 100 + i];
                if (fabs(got - exp) > 2e-6 * (1.0 + exp) && g_failed_checks++ < 10)
                    printf("  query %zu mode %zu rank %zu: score %.7g, ground truth %.7g\n", q,
                           mode, i, got, exp);
            }
        }
        CHECK(same_hits(h[0], n[0], h[1], n[1]) && same_hits(h[0], n[0], h[2], n[2]) &&
              same_hits(h[0], n[0], h[3], n[3]));
    }
    printf("  entries scored: pruned %llu, exhaustive %llu\n", (unsigned long long)work[0],
           (unsigned long long)work[1]);
    CHECK(work[0] * 2 < work[1]);
    ruv_sparse_free(idx);
    free(bp), free(bi), free(bv), free(qp), free(qi), free(qv), free(gs);
}

/* Pruning at scale: 12,000 entries (several automatic windows of 4,096 slots), skewed ids, weights
   in eighths (many exact ties), then removes and upserts; every query's top-k from the pruned,
   exhaustive and brute modes equals an independent reference computed here in double (scores
   exact in eighths, ties to the earlier write), keys and order. */
TEST(sparse_large) {
    enum { N = 12000, NNZ = 16, V = 3000 };
    uint32_t *ids = (uint32_t *)malloc((size_t)N * NNZ * sizeof *ids);
    float *vals = (float *)malloc((size_t)N * NNZ * sizeof *vals);
    size_t *nnz = (size_t *)calloc(N, sizeof *nnz), q, i, j;
    uint64_t *seq = (uint64_t *)calloc(N, sizeof *seq), s = 99, clock = 0, work[2] = {0, 0};
    double *score = (double *)malloc(N * sizeof *score);
    unsigned char *live = (unsigned char *)calloc(N, 1);
    ruv_sparse_options opt = ruv_sparse_options_init();
    ruv_sparse_index *idx = NULL;
    REQUIRE(ids && vals && nnz && seq && score && live);
    REQUIRE(ruv_sparse_create(&opt, &idx) == RUV_OK);
    for (i = 0; i < N; i++) {
        nnz[i] = sp_random(&s, NNZ, V, 0, ids + i * NNZ, vals + i * NNZ);
        CHECK_EQ_INT(ruv_sparse_add(idx, i, nnz[i], ids + i * NNZ, vals + i * NNZ), RUV_OK);
        seq[i] = clock++;
        live[i] = 1;
    }
    for (q = 0; q < 200; q++) {
        uint32_t qi[12];
        float qv[12];
        size_t nq = sp_random(&s, q % 3 ? 6 : 12, V, 0, qi, qv), k = q % 4 ? 10 : 1, mode;
        ruv_hit hits[3][10], ref[10];
        size_t n[3], nref = 0;
        if (q == 100) /* writes: remove a tenth, re-write another tenth (new slots, later ties) */
            for (i = 0; i < N; i += 5) {
                if (i % 10 == 0) {
                    CHECK_EQ_INT(ruv_sparse_remove(idx, i), RUV_OK);
                    live[i] = 0;
                } else {
                    nnz[i] = sp_random(&s, NNZ, V, 0, ids + i * NNZ, vals + i * NNZ);
                    CHECK_EQ_INT(ruv_sparse_upsert(idx, i, nnz[i], ids + i * NNZ, vals + i * NNZ),
                                 RUV_OK);
                    seq[i] = clock++;
                }
            }
        for (i = 0; i < N; i++) { /* reference scores: merge in ascending id order */
            size_t a = 0, b = 0;
            int shared = 0;
            score[i] = 0.0;
            while (a < nq && b < nnz[i]) {
                uint32_t x = qi[a], y = ids[i * NNZ + b];
                if (x == y) {
                    score[i] += (double)qv[a] * (double)vals[i * NNZ + b];
                    shared = 1;
                }
                a += x <= y, b += y <= x;
            }
            if (!shared || !live[i])
                score[i] = -1e300; /* not ranked */
        }
        for (j = 0; j < k; j++) { /* selection: best score, then the earlier write */
            size_t best = N;
            for (i = 0; i < N; i++) {
                size_t r;
                int taken = 0;
                for (r = 0; r < nref; r++)
                    taken |= ref[r].key == i;
                if (taken || score[i] == -1e300)
                    continue;
                if (best == N || score[i] > score[best] ||
                    (score[i] == score[best] && seq[i] < seq[best]))
                    best = i;
            }
            if (best == N)
                break;
            ref[nref].key = best;
            ref[nref++].distance = (float)(1.0 - score[best]);
        }
        for (mode = 0; mode < 3; mode++) {
            ruv_sparse_search_options o;
            uint64_t sc = 0;
            memset(&o, 0, sizeof o);
            o.mode = (ruv_sparse_mode)mode;
            o.scored = &sc;
            CHECK_EQ_INT(ruv_sparse_search(idx, nq, qi, qv, k, &o, hits[mode], &n[mode]), RUV_OK);
            if (mode < 2)
                work[mode] += sc;
            if (!same_hits(hits[mode], n[mode], ref, nref) && g_failed_checks++ < 5)
                printf(
                    "  query %zu mode %zu: %zu hits, first key %llu; reference %zu, first %llu\n",
                    q, mode, n[mode], (unsigned long long)(n[mode] ? hits[mode][0].key : 0), nref,
                    (unsigned long long)(nref ? ref[0].key : 0));
        }
    }
    printf("  entries scored: pruned %llu, exhaustive %llu\n", (unsigned long long)work[0],
           (unsigned long long)work[1]);
    CHECK(work[0] * 4 < work[1]); /* the automatic windows prune */
    ruv_sparse_free(idx);
    free(ids), free(vals), free(nnz), free(seq), free(score), free(live);
}

/* ruv_sparse_update (present keys only) and ruv_sparse_next (live keys in write order, an
   updated key moved last), against the order the test wrote. */
TEST(sparse_update_next) {
    ruv_sparse_options opt = ruv_sparse_options_init();
    ruv_sparse_index *idx = NULL;
    uint32_t ids[2] = {3, 9}, bad[2] = {9, 3}, gi[2];
    float v[2] = {1.0f, 2.0f}, w[2] = {4.0f, 5.0f}, gv[2];
    uint64_t order[8], key = 0;
    size_t n = 0, cursor = 0, i, z = 0;
    REQUIRE(ruv_sparse_create(&opt, &idx) == RUV_OK);
    for (i = 0; i < 6; i++)
        CHECK_EQ_INT(ruv_sparse_add(idx, 10 + i, 2, ids, v), RUV_OK);
    CHECK_EQ_INT(ruv_sparse_update(idx, 12, 2, ids, w), RUV_OK); /* 12 moves last */
    CHECK_EQ_INT(ruv_sparse_update(idx, 99, 2, ids, w), RUV_E_NOTFOUND);
    CHECK_EQ_INT(ruv_sparse_update(idx, 99, 2, bad, w), RUV_E_VALUE);
    CHECK_EQ_INT(ruv_sparse_update(idx, 12, 2, bad, w), RUV_E_VALUE);
    CHECK_EQ_INT(ruv_sparse_update(NULL, 12, 2, ids, w), RUV_E_ARG);
    CHECK_EQ_INT(ruv_sparse_remove(idx, 14), RUV_OK);
    CHECK(!ruv_sparse_contains(idx, 99) && ruv_sparse_count(idx) == 5);
    CHECK_EQ_INT(ruv_sparse_get(idx, 12, gi, gv, 2, &z), RUV_OK);
    CHECK(z == 2 && gv[0] == 4.0f && gv[1] == 5.0f);
    while (n < 8 && ruv_sparse_next(idx, &cursor, &key))
        order[n++] = key;
    CHECK_EQ_INT(n, 5);
    CHECK(n == 5 && order[0] == 10 && order[1] == 11 && order[2] == 13 && order[3] == 15 &&
          order[4] == 12);
    CHECK(!ruv_sparse_next(idx, &cursor, &key) && !ruv_sparse_next(NULL, &cursor, &key) &&
          !ruv_sparse_next(idx, NULL, &key) && !ruv_sparse_next(idx, &cursor, NULL));
    ruv_sparse_free(idx);
}

/* Hostile arguments: each refused with its status, the index unchanged and still exact. */
TEST(sparse_errors) {
    ruv_sparse_options opt = ruv_sparse_options_init();
    ruv_sparse_index *idx = NULL, *cos = NULL;
    uint32_t ids[4] = {1, 5, 9, 12}, bad_order[3] = {5, 1, 9}, dup[3] = {1, 1, 2};
    uint32_t top[2] = {3, 0xFFFFFFFFu}, gi[4];
    float vals[4] = {1.0f, 2.0f, 0.5f, -1.0f}, nanv[2] = {1.0f, 0.0f}, gv[4];
    float big[2] = {3e38f, 3e38f};
    ruv_hit h[4];
    size_t n = 9, gn = 9;
    ruv_sparse_search_options so;
    nanv[1] = (float)NAN;
    CHECK_EQ_INT(ruv_sparse_create(NULL, &idx), RUV_E_ARG);
    CHECK_EQ_INT(ruv_sparse_create(&opt, NULL), RUV_E_ARG);
    opt.metric = RUV_METRIC_L1;
    CHECK_EQ_INT(ruv_sparse_create(&opt, &idx), RUV_E_UNSUPPORTED);
    opt.metric = RUV_METRIC_IP;
    opt.max_nnz = RUV_SPARSE_MAX_NNZ + 1;
    CHECK_EQ_INT(ruv_sparse_create(&opt, &idx), RUV_E_ARG);
    opt.max_nnz = 3;
    opt.alloc.alloc = tally_alloc;
    CHECK_EQ_INT(ruv_sparse_create(&opt, &idx), RUV_E_ARG); /* alloc without free */
    opt.alloc.alloc = NULL;
    CHECK(idx == NULL);
    REQUIRE(ruv_sparse_create(&opt, &idx) == RUV_OK);
    CHECK_EQ_INT(ruv_sparse_add(idx, 1, 3, ids, vals), RUV_OK);
    CHECK_EQ_INT(ruv_sparse_add(NULL, 2, 3, ids, vals), RUV_E_ARG);
    CHECK_EQ_INT(ruv_sparse_add(idx, 2, 3, NULL, vals), RUV_E_ARG);
    CHECK_EQ_INT(ruv_sparse_add(idx, 2, 3, ids, NULL), RUV_E_ARG);
    CHECK_EQ_INT(ruv_sparse_add(idx, 2, 4, ids, vals), RUV_E_VALUE); /* over max_nnz 3 */
    CHECK_EQ_INT(ruv_sparse_add(idx, 2, 3, bad_order, vals), RUV_E_VALUE);
    CHECK_EQ_INT(ruv_sparse_add(idx, 2, 3, dup, vals), RUV_E_VALUE);
    CHECK_EQ_INT(ruv_sparse_add(idx, 2, 2, top, vals), RUV_E_VALUE);
    CHECK_EQ_INT(ruv_sparse_add(idx, 2, 2, ids, nanv), RUV_E_VALUE);
    nanv[1] = (float)INFINITY;
    CHECK_EQ_INT(ruv_sparse_add(idx, 2, 2, ids, nanv), RUV_E_VALUE);
    nanv[1] = 0.0f;
    CHECK_EQ_INT(ruv_sparse_add(idx, 2, 2, ids, nanv), RUV_E_VALUE); /* explicit zero */
    CHECK_EQ_INT(ruv_sparse_add(idx, 2, 2, ids, big), RUV_E_VALUE);  /* norm above FLT_MAX */
    CHECK_EQ_INT(ruv_sparse_add(idx, 1, 3, ids, vals), RUV_E_EXISTS);
    CHECK_EQ_INT(ruv_sparse_upsert(idx, 1, 3, bad_order, vals), RUV_E_VALUE);
    CHECK_EQ_INT(ruv_sparse_remove(idx, 77), RUV_E_NOTFOUND);
    CHECK_EQ_INT(ruv_sparse_remove(NULL, 1), RUV_E_ARG);
    CHECK_EQ_INT(ruv_sparse_get(idx, 1, gi, gv, 2, &gn), RUV_E_SPACE);
    CHECK_EQ_INT(gn, 3);
    CHECK_EQ_INT(ruv_sparse_get(idx, 1, NULL, gv, 4, &gn), RUV_E_ARG);
    CHECK_EQ_INT(ruv_sparse_get(idx, 9, gi, gv, 4, &gn), RUV_E_NOTFOUND);
    CHECK_EQ_INT(ruv_sparse_add(idx, 3, 0, NULL, NULL), RUV_OK); /* empty vector: IP allows it */
    /* searches */
    CHECK_EQ_INT(ruv_sparse_search(idx, 3, ids, vals, 0, NULL, h, &n), RUV_E_ARG);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(ruv_sparse_search(idx, 3, ids, vals, 4, NULL, NULL, &n), RUV_E_ARG);
    CHECK_EQ_INT(ruv_sparse_search(idx, 3, ids, vals, 4, NULL, h, NULL), RUV_E_ARG);
    CHECK_EQ_INT(ruv_sparse_search(NULL, 3, ids, vals, 4, NULL, h, &n), RUV_E_ARG);
    CHECK_EQ_INT(ruv_sparse_search(idx, 3, bad_order, vals, 4, NULL, h, &n), RUV_E_VALUE);
    CHECK_EQ_INT(ruv_sparse_search(idx, 2, ids, nanv, 4, NULL, h, &n), RUV_E_VALUE);
    memset(&so, 0, sizeof so);
    so.mode = (ruv_sparse_mode)3;
    CHECK_EQ_INT(ruv_sparse_search(idx, 3, ids, vals, 4, &so, h, &n), RUV_E_ARG);
    so.mode = RUV_SPARSE_PRUNED;
    so.allow_bits = 8;
    CHECK_EQ_INT(ruv_sparse_search(idx, 3, ids, vals, 4, &so, h, &n), RUV_E_ARG);
    so.allow_bits = 0;
    so.window = 32; /* windows: powers of two in 64..4096 */
    CHECK_EQ_INT(ruv_sparse_search(idx, 3, ids, vals, 4, &so, h, &n), RUV_E_ARG);
    so.window = 96;
    CHECK_EQ_INT(ruv_sparse_search(idx, 3, ids, vals, 4, &so, h, &n), RUV_E_ARG);
    so.window = 8192;
    CHECK_EQ_INT(ruv_sparse_search(idx, 3, ids, vals, 4, &so, h, &n), RUV_E_ARG);
    so.window = 4096;
    CHECK_EQ_INT(ruv_sparse_search(idx, 3, ids, vals, 4, &so, h, &n), RUV_OK);
    CHECK(n == 1 && h[0].key == 1);
    CHECK_EQ_INT(ruv_sparse_search(idx, 0, NULL, NULL, 4, NULL, h, &n), RUV_OK);
    CHECK_EQ_INT(n, 0); /* an empty IP query matches nothing */
    /* still exact: key 1 (dot 1 + 4 + 0.25 = 5.25), key 3 (empty) never listed */
    CHECK_EQ_INT(ruv_sparse_search(idx, 3, ids, vals, 4, NULL, h, &n), RUV_OK);
    CHECK(n == 1 && h[0].key == 1 && h[0].distance == 1.0f - 5.25f);
    CHECK_EQ_INT(ruv_sparse_count(idx), 2);
    CHECK(ruv_sparse_contains(idx, 3) && !ruv_sparse_contains(idx, 2) &&
          !ruv_sparse_contains(NULL, 1));
    CHECK_EQ_INT(ruv_sparse_compact(NULL), RUV_E_ARG);
    ruv_sparse_free(idx);
    ruv_sparse_free(NULL);
    /* cosine refuses empty vectors; L2 over an empty query gives every entry by its norm */
    opt = ruv_sparse_options_init();
    opt.metric = RUV_METRIC_COSINE;
    REQUIRE(ruv_sparse_create(&opt, &cos) == RUV_OK);
    CHECK_EQ_INT(ruv_sparse_add(cos, 1, 0, NULL, NULL), RUV_E_VALUE);
    CHECK_EQ_INT(ruv_sparse_add(cos, 1, 2, ids, vals), RUV_OK);
    CHECK_EQ_INT(ruv_sparse_search(cos, 2, ids, vals, 4, NULL, h, &n), RUV_OK);
    CHECK(n == 1 && fabs(h[0].distance) < 1e-6);
    ruv_sparse_free(cos);
    opt.metric = RUV_METRIC_L2SQ;
    REQUIRE(ruv_sparse_create(&opt, &cos) == RUV_OK);
    CHECK_EQ_INT(ruv_sparse_add(cos, 1, 2, ids, vals), RUV_OK);
    CHECK_EQ_INT(ruv_sparse_add(cos, 2, 1, ids + 3, vals + 3), RUV_OK);
    CHECK_EQ_INT(ruv_sparse_search(cos, 0, NULL, NULL, 4, NULL, h, &n), RUV_OK);
    CHECK(n == 2 && h[0].key == 2 && h[0].distance == 1.0f && h[1].distance == 5.0f);
    ruv_sparse_free(cos);
}

/* The writes of the allocation test: 60 adds and upserts from a fixed seed, the first `upto`. */
static ruv_result sp_writes(ruv_sparse_index *idx, size_t upto, size_t *done) {
    uint32_t ids[30];
    float vals[30];
    uint64_t s = 99;
    size_t i;
    for (i = 0; i < upto; i++) {
        size_t nnz = sp_random(&s, 30, 200, 0, ids, vals);
        ruv_result r;
        if (i % 3 == 0) { /* one put: vector, id and metadata (upserts below keep them) */
            char id[16];
            ruv_sparse_vector v;
            ruv_sparse_item it;
            memset(&it, 0, sizeof it);
            v.nnz = nnz, v.ids = ids, v.values = vals;
            it.key = i;
            it.vector = &v;
            it.id = id;
            it.id_len = (size_t)sprintf(id, "id-%u", (unsigned)i);
            it.meta = vals;
            it.meta_len = nnz * 4;
            r = ruv_sparse_put(idx, &it, RUV_PUT_INSERT);
        } else
            r = i % 7 == 6 ? ruv_sparse_upsert(idx, i / 2, nnz, ids, vals)
                           : ruv_sparse_add(idx, i, nnz, ids, vals);
        if (i % 5 == 4 && r == RUV_OK)
            r = ruv_sparse_remove(idx, i - 2);
        if (r != RUV_OK && r != RUV_E_EXISTS && r != RUV_E_NOTFOUND) {
            *done = i;
            return r;
        }
    }
    *done = upto;
    return RUV_OK;
}

/* Every allocation of a growing index failing in turn: the failing write returns RUV_E_NOMEM and
   leaves the index as the writes before it made it (same hits as an index given only those),
   compaction under a failing allocator keeps it too, and nothing leaks. */
TEST(sparse_nomem) {
    size_t fail;
    int completed = 0;
    for (fail = 1; fail < 2000 && !completed; fail++) {
        tally t = {0, 0, 0};
        ruv_sparse_options opt = ruv_sparse_options_init();
        ruv_sparse_index *idx = NULL, *ref = NULL;
        size_t done = 0, q;
        ruv_result r;
        opt.alloc.alloc = tally_alloc;
        opt.alloc.free = tally_free;
        opt.alloc.user = &t;
        if (ruv_sparse_create(&opt, &idx) != RUV_OK)
            continue;
        t.fail_at = t.calls + fail;
        r = sp_writes(idx, 60, &done);
        t.fail_at = 0;
        CHECK(r == RUV_OK || r == RUV_E_NOMEM);
        completed = r == RUV_OK;
        if (!completed) { /* a failing compaction keeps the index as well */
            t.fail_at = t.calls + 1 + fail % 3;
            r = ruv_sparse_compact(idx);
            CHECK(r == RUV_OK || r == RUV_E_NOMEM);
            t.fail_at = 0;
        }
        opt = ruv_sparse_options_init();
        REQUIRE(ruv_sparse_create(&opt, &ref) == RUV_OK);
        CHECK_EQ_INT(sp_writes(ref, done, &done), RUV_OK);
        CHECK_EQ_INT(ruv_sparse_count(idx), ruv_sparse_count(ref));
        for (q = 0; q < 60; q++) { /* the same ids and metadata */
            const void *pa = NULL, *pb = NULL;
            size_t la = 0, lb = 0;
            CHECK_EQ_INT(ruv_sparse_get_id(idx, q, (const char **)&pa, &la),
                         ruv_sparse_get_id(ref, q, (const char **)&pb, &lb));
            CHECK(la == lb && (!la || !memcmp(pa, pb, la)));
            CHECK_EQ_INT(ruv_sparse_get_meta(idx, q, &pa, &la),
                         ruv_sparse_get_meta(ref, q, &pb, &lb));
            CHECK(la == lb && (!la || !memcmp(pa, pb, la)));
        }
        for (q = 0; q < 5; q++) {
            uint32_t ids[30];
            float vals[30];
            ruv_hit a[10], b[10];
            size_t na = 0, nb = 0;
            uint64_t s = 1000 + q;
            size_t nq = sp_random(&s, 6, 200, 0, ids, vals);
            CHECK_EQ_INT(ruv_sparse_search(idx, nq, ids, vals, 10, NULL, a, &na), RUV_OK);
            CHECK_EQ_INT(ruv_sparse_search(ref, nq, ids, vals, 10, NULL, b, &nb), RUV_OK);
            CHECK(same_hits(a, na, b, nb)); /* compaction keeps the slots' order: ties too */
        }
        ruv_sparse_free(ref);
        ruv_sparse_free(idx);
        CHECK_EQ_INT(t.live, 0);
    }
    CHECK(completed);
}

/* The fused score of key by the definition, computed independently: each list scanned for the
   key's first position, RRF or the min-max normalised weighted sum, in double. */
static double fuse_ref(ruv_fuse_method method, double rrf_k, const float *w, size_t nl,
                       const ruv_hit *const *lists, const size_t *counts, uint64_t key,
                       int *present) {
    double s = 0.0;
    size_t l, j;
    *present = 0;
    for (l = 0; l < nl; l++) {
        double lo = 0.0, hi = 0.0, wl = w ? w[l] : 1.0;
        for (j = 0; j < counts[l]; j++) {
            double d = lists[l][j].distance;
            lo = j == 0 || d < lo ? d : lo;
            hi = j == 0 || d > hi ? d : hi;
        }
        for (j = 0; j < counts[l] && lists[l][j].key != key; j++)
            ;
        if (j == counts[l])
            continue;
        *present = 1;
        if (method == RUV_FUSE_RRF)
            s += wl / (rrf_k + (double)(j + 1));
        else
            s += hi > lo ? wl * (hi - lists[l][j].distance) / (hi - lo) : wl;
    }
    return s;
}

/* ruv_fuse: a hand-computed RRF case; random lists (overlapping keys, repeats within a list,
   tied distances, 1-4 lists, weights) against fuse_ref by a full scan over the key space; hostile
   arguments; a failing allocator (RUV_E_NOMEM, nothing leaks, the next call works). */
TEST(fuse) {
    const ruv_hit a[3] = {{1, 0.1f}, {2, 0.2f}, {3, 0.3f}}, b[2] = {{3, 5.0f}, {1, 6.0f}};
    const ruv_hit *ab[2] = {a, b};
    size_t cab[2] = {3, 2}, n = 99, t, i;
    ruv_fused_hit out[64];
    ruv_fuse_options o = ruv_fuse_options_init();
    uint64_t s = 7;
    CHECK_EQ_INT(ruv_fuse(2, ab, cab, 10, NULL, out, &n), RUV_OK);
    REQUIRE(n == 3);
    CHECK(out[0].key == 1 && out[1].key == 3 && out[2].key == 2);
    CHECK(fabs(out[0].score - (1.0 / 61 + 1.0 / 62)) < 1e-7);
    CHECK(fabs(out[1].score - (1.0 / 61 + 1.0 / 63)) < 1e-7);
    o.method = RUV_FUSE_WEIGHTED; /* a: 1 -> 1, 2 -> 0.5, 3 -> 0; b: 3 -> 1, 1 -> 0 */
    CHECK_EQ_INT(ruv_fuse(2, ab, cab, 2, &o, out, &n), RUV_OK);
    CHECK(n == 2 && out[0].key == 1 && out[1].key == 3 && fabs(out[0].score - 1.0) < 1e-6);
    for (t = 0; t < 300; t++) {
        ruv_hit lists[4][20];
        const ruv_hit *lp[4];
        size_t counts[4], nl = 1 + (size_t)(rng_next(&s) % 4), k = 1 + (size_t)(rng_next(&s) % 12);
        float w[4];
        uint64_t key;
        double prev = 1e300;
        size_t l, j, expect = 0;
        o = ruv_fuse_options_init();
        o.method = t % 2 ? RUV_FUSE_WEIGHTED : RUV_FUSE_RRF;
        o.rrf_k = t % 3 == 0 ? 0.0 : (double)(rng_next(&s) % 100);
        o.weights = t % 4 == 1 ? w : NULL;
        for (l = 0; l < nl; l++) {
            counts[l] = (size_t)(rng_next(&s) % 20);
            w[l] = (float)(rng_next(&s) % 5) / 2.0f;
            for (j = 0; j < counts[l]; j++) { /* keys 0..29: overlaps and repeats */
                lists[l][j].key = rng_next(&s) % 30;
                lists[l][j].distance = (float)(j / 2) * 0.25f - 1.0f; /* ties in pairs */
            }
            lp[l] = lists[l];
        }
        CHECK_EQ_INT(ruv_fuse(nl, lp, counts, k, &o, out, &n), RUV_OK);
        for (key = 0; key < 30; key++) { /* every present key with a better score is listed */
            int present;
            double ref = fuse_ref(o.method, o.rrf_k == 0.0 ? 60.0 : o.rrf_k, o.weights, nl, lp,
                                  counts, key, &present);
            size_t better = 0, at = n;
            uint64_t k2;
            if (!present)
                continue;
            expect++;
            for (k2 = 0; k2 < 30; k2++) {
                int p2;
                double r2 = fuse_ref(o.method, o.rrf_k == 0.0 ? 60.0 : o.rrf_k, o.weights, nl, lp,
                                     counts, k2, &p2);
                better += p2 && (r2 > ref || (r2 == ref && k2 < key));
            }
            for (i = 0; i < n; i++)
                if (out[i].key == key)
                    at = i;
            if (better < k) { /* its rank is `better` */
                CHECK(at == better);
                if (at < n)
                    CHECK(fabs(out[at].score - ref) <= 1e-6 * (1.0 + fabs(ref)));
            } else
                CHECK(at == n);
        }
        CHECK_EQ_INT(n, expect < k ? expect : k);
        for (i = 0; i < n; i++) { /* sorted (the order itself: the ranks above), no repeats */
            for (j = 0; j < i; j++)
                CHECK(out[j].key != out[i].key);
            CHECK(out[i].score <= prev);
            prev = out[i].score;
        }
    }
    { /* hostile arguments: each refused, *n_out 0 */
        float nanw[2] = {1.0f, NAN}, negw[2] = {1.0f, -1.0f};
        ruv_hit bad[1] = {{5, NAN}}, inf[1] = {{5, INFINITY}};
        const ruv_hit *pb[1] = {bad}, *pi[1] = {inf}, *pnull[2] = {a, NULL};
        size_t c1[1] = {1};
        tally tl = {0, 0, 0};
        CHECK_EQ_INT(ruv_fuse(2, ab, cab, 0, NULL, out, &n), RUV_E_ARG);
        CHECK_EQ_INT(ruv_fuse(2, ab, cab, 10, NULL, NULL, &n), RUV_E_ARG);
        CHECK_EQ_INT(ruv_fuse(2, ab, cab, 10, NULL, out, NULL), RUV_E_ARG);
        CHECK_EQ_INT(ruv_fuse(2, NULL, cab, 10, NULL, out, &n), RUV_E_ARG);
        CHECK_EQ_INT(ruv_fuse(2, ab, NULL, 10, NULL, out, &n), RUV_E_ARG);
        CHECK_EQ_INT(ruv_fuse(2, pnull, cab, 10, NULL, out, &n), RUV_E_ARG);
        n = 5;
        CHECK_EQ_INT(ruv_fuse(0, NULL, NULL, 10, NULL, out, &n), RUV_OK);
        CHECK_EQ_INT(n, 0);
        o = ruv_fuse_options_init();
        o.method = (ruv_fuse_method)7;
        CHECK_EQ_INT(ruv_fuse(2, ab, cab, 10, &o, out, &n), RUV_E_ARG);
        o = ruv_fuse_options_init();
        o.rrf_k = -1.0;
        CHECK_EQ_INT(ruv_fuse(2, ab, cab, 10, &o, out, &n), RUV_E_ARG);
        o.rrf_k = NAN;
        CHECK_EQ_INT(ruv_fuse(2, ab, cab, 10, &o, out, &n), RUV_E_ARG);
        o.rrf_k = INFINITY;
        CHECK_EQ_INT(ruv_fuse(2, ab, cab, 10, &o, out, &n), RUV_E_ARG);
        o = ruv_fuse_options_init();
        o.weights = nanw;
        CHECK_EQ_INT(ruv_fuse(2, ab, cab, 10, &o, out, &n), RUV_E_VALUE);
        o.weights = negw;
        CHECK_EQ_INT(ruv_fuse(2, ab, cab, 10, &o, out, &n), RUV_E_VALUE);
        CHECK_EQ_INT(n, 0);
        CHECK_EQ_INT(ruv_fuse(1, pb, c1, 10, NULL, out, &n), RUV_E_VALUE);
        CHECK_EQ_INT(ruv_fuse(1, pi, c1, 10, NULL, out, &n), RUV_OK); /* RRF: ranks only */
        o = ruv_fuse_options_init();
        o.method = RUV_FUSE_WEIGHTED;
        CHECK_EQ_INT(ruv_fuse(1, pi, c1, 10, &o, out, &n), RUV_E_VALUE);
        o = ruv_fuse_options_init();
        o.alloc.alloc = tally_alloc;
        CHECK_EQ_INT(ruv_fuse(2, ab, cab, 10, &o, out, &n), RUV_E_ARG);
        o.alloc.free = tally_free;
        o.alloc.user = &tl;
        tl.fail_at = tl.calls + 1;
        CHECK_EQ_INT(ruv_fuse(2, ab, cab, 10, &o, out, &n), RUV_E_NOMEM);
        CHECK_EQ_INT(n, 0);
        tl.fail_at = 0;
        CHECK_EQ_INT(ruv_fuse(2, ab, cab, 10, &o, out, &n), RUV_OK);
        CHECK(n == 3 && out[0].key == 1);
        CHECK_EQ_INT(tl.live, 0);
    }
}

/* A reader over a byte buffer (ruv_read_fn): 1 (the data ended) past its end. */
typedef struct sp_stream {
    const unsigned char *p;
    size_t len, pos;
} sp_stream;
static int sp_stream_read(void *user, void *dst, size_t len) {
    sp_stream *m = (sp_stream *)user;
    if (len > m->len - m->pos)
        return 1;
    memcpy(dst, m->p + m->pos, len);
    m->pos += len;
    return 0;
}
/* An allocator refusing blocks over 64 MB (a device with little memory). */
static void *sp_small_alloc(void *user, size_t size) {
    (void)user;
    return size > ((size_t)1 << 26) ? NULL : malloc(size);
}
static void sp_small_free(void *user, void *p, size_t size) {
    (void)user, (void)size;
    free(p);
}

/* Saved sparse indexes: a round trip gives the same hits bit for bit (ties too) and the same
   bytes again; the bytes are as FORMAT kind 2 says (read here with the test's own readers);
   every truncation, every byte flip and each structural edit (re-sealed with valid checksums)
   is refused with the index not created; dense and sparse files are told apart; failing
   allocations; hostile arguments. */
TEST(sparse_persist) {
    static sp_model m;
    ruv_sparse_options opt = ruv_sparse_options_init();
    ruv_sparse_index *idx = NULL, *back = NULL;
    unsigned char *buf, *b2, *bad;
    size_t len = 0, len2 = 0, i, q, off, sl;
    uint64_t s = 5;
    ruv_result r;
    REQUIRE(ruv_sparse_create(&opt, &idx) == RUV_OK);
    for (i = 0, m.n = 0; i < 300; i++, m.n++) {
        m.key[m.n] = 1000 + i;
        m.nnz[m.n] = sp_random(&s, 24, 300, 1, m.ids[m.n], m.vals[m.n]);
        CHECK_EQ_INT(ruv_sparse_add(idx, m.key[m.n], m.nnz[m.n], m.ids[m.n], m.vals[m.n]), RUV_OK);
    }
    for (i = 0; i < 300; i += 7) /* tombstones and re-written entries */
        CHECK_EQ_INT(i % 2 ? ruv_sparse_remove(idx, 1000 + i)
                           : ruv_sparse_upsert(idx, 1000 + i, m.nnz[i], m.ids[i], m.vals[i]),
                     RUV_OK);
    CHECK_EQ_INT(ruv_sparse_save_buffer(idx, NULL, 0, &len), RUV_E_SPACE);
    CHECK_EQ_INT(len, ruv_sparse_serialized_size(idx));
    REQUIRE(len >= 256 && (buf = (unsigned char *)malloc(len)) != NULL);
    CHECK_EQ_INT(ruv_sparse_save_buffer(idx, buf, len, &len2), RUV_OK);
    CHECK_EQ_INT(len2, len);
    if (len2 != len) {
        free(buf);
        ruv_sparse_free(idx);
        return;
    }
    { /* the layout, read independently: header fields and the sections' sizes */
        size_t nnz_total = 0, e;
        CHECK(!memcmp(buf, "RUVECIDX", 8) && rd32le(buf + 20) == 4 && rd64le(buf + 24) == len);
        CHECK(rd32le(buf + 36) == (uint32_t)RUV_METRIC_IP && rd32le(buf + 40) == 2);
        CHECK(rd64le(buf + 80) == ruv_sparse_count(idx) && rd64le(buf + 88) == rd64le(buf + 80));
        off = sec_off(buf, 15, &sl);
        CHECK(off && sl == 4 * ruv_sparse_count(idx));
        for (e = 0; off && e < sl / 4; e++)
            nnz_total += rd32le(buf + off + 4 * e);
        CHECK(sec_off(buf, 16, &sl) && sl == 4 * nnz_total);
        CHECK(sec_off(buf, 17, &sl) && sl == 4 * nnz_total);
        CHECK(sec_off(buf, 2, &sl) && sl == 8 * ruv_sparse_count(idx));
    }
    CHECK_EQ_INT(ruv_sparse_load_buffer(buf, len, NULL, &back), RUV_OK);
    REQUIRE(back != NULL);
    CHECK_EQ_INT(ruv_sparse_count(back), ruv_sparse_count(idx));
    for (q = 0; q < 40; q++) {
        uint32_t qi[24];
        float qv[24];
        ruv_hit a[20], b[20];
        size_t na = 0, nb = 0, nq = sp_random(&s, 10, 300, 1, qi, qv);
        CHECK_EQ_INT(ruv_sparse_search(idx, nq, qi, qv, 20, NULL, a, &na), RUV_OK);
        CHECK_EQ_INT(ruv_sparse_search(back, nq, qi, qv, 20, NULL, b, &nb), RUV_OK);
        CHECK(same_hits(a, na, b, nb));
    }
    REQUIRE((b2 = (unsigned char *)malloc(len)) != NULL);
    CHECK_EQ_INT(ruv_sparse_save_buffer(back, b2, len, &len2), RUV_OK);
    CHECK(len2 == len && !memcmp(buf, b2, len)); /* a loaded index saves the same bytes */
    ruv_sparse_free(back);
    back = NULL;
    for (i = 0; i < len; i++) { /* every truncation */
        r = ruv_sparse_load_buffer(buf, i, NULL, &back);
        if (r != RUV_E_TRUNCATED || back) {
            if (g_failed_checks++ < 5)
                printf("  truncated to %zu bytes: %s\n", i, ruv_result_string(r));
            ruv_sparse_free(back);
            back = NULL;
        }
    }
    REQUIRE((bad = (unsigned char *)malloc(len)) != NULL);
    for (i = 0; i < len; i += 1 + i / 64) { /* byte flips all over the file */
        memcpy(bad, buf, len);
        bad[i] ^= (unsigned char)(1u << (i % 8));
        r = ruv_sparse_load_buffer(bad, len, NULL, &back);
        if (r == RUV_OK || back) {
            if (g_failed_checks++ < 5)
                printf("  byte %zu flipped: loaded\n", i);
            ruv_sparse_free(back);
            back = NULL;
        }
    }
    { /* structural edits with valid checksums: each RUV_E_CORRUPT */
        size_t ids_off = sec_off(buf, 16, &sl), vals_off = sec_off(buf, 17, &sl),
               nnz_off = sec_off(buf, 15, &sl), keys_off = sec_off(buf, 2, &sl);
        int edit;
        float nanv = NAN, zero = 0.0f;
        for (edit = 0; edit < 8; edit++) {
            uint32_t n0;
            memcpy(bad, buf, len);
            n0 = rd32le(bad + nnz_off);
            if (edit == 0 && n0 >= 2) /* ids of entry 0 out of order */
                wr32le(bad + ids_off, rd32le(bad + ids_off + 4));
            else if (edit == 1) /* a NaN value */
                memcpy(bad + vals_off, &nanv, 4);
            else if (edit == 2) /* a zero value */
                memcpy(bad + vals_off, &zero, 4);
            else if (edit == 3) /* entry 1's key = entry 0's */
                memcpy(bad + keys_off + 8, bad + keys_off, 8);
            else if (edit == 4) /* nnz of entry 0 changed: the lengths disagree */
                wr32le(bad + nnz_off, n0 + 1);
            else if (edit == 5) /* an unknown metric */
                wr32le(bad + 36, 7);
            else if (edit == 6) /* a field sparse files leave 0 */
                bad[50] = 1;
            else /* an id of 2^32 - 1 */
                wr32le(bad + ids_off + 4 * (n0 - 1), 0xFFFFFFFFu);
            reseal(bad, len);
            r = ruv_sparse_load_buffer(bad, len, NULL, &back);
            if (r != RUV_E_CORRUPT || back) {
                if (g_failed_checks++ < 5)
                    printf("  edit %d: %s\n", edit, ruv_result_string(r));
                ruv_sparse_free(back);
                back = NULL;
            }
        }
    }
    { /* dense and sparse files told apart */
        ruv_index_options io = ruv_index_options_init(4);
        ruv_index *dense = NULL, *dl = NULL;
        float v[4] = {1, 2, 3, 4};
        size_t dlen = 0;
        unsigned char *db;
        CHECK_EQ_INT(ruv_index_load_buffer(buf, len, NULL, &dl), RUV_E_UNSUPPORTED);
        CHECK_EQ_INT(ruv_index_view(buf, len, NULL, &dl), RUV_E_UNSUPPORTED);
        CHECK(dl == NULL);
        REQUIRE(ruv_index_create(&io, &dense) == RUV_OK);
        CHECK_EQ_INT(ruv_index_add(dense, 1, v), RUV_OK);
        db = save_to_mem(dense, &dlen);
        REQUIRE(db != NULL);
        CHECK_EQ_INT(ruv_sparse_load_buffer(db, dlen, NULL, &back), RUV_E_UNSUPPORTED);
        CHECK(back == NULL);
        free(db);
        ruv_index_free(dense);
    }
    { /* failing allocations while loading: RUV_E_NOMEM, nothing leaks */
        size_t fail;
        int done = 0;
        for (fail = 1; fail < 100000 && !done; fail += 1 + fail / 256) {
            tally t = {0, 0, 0};
            ruv_load_options lo;
            memset(&lo, 0, sizeof lo);
            lo.alloc.alloc = tally_alloc;
            lo.alloc.free = tally_free;
            lo.alloc.user = &t;
            t.fail_at = fail;
            r = ruv_sparse_load_buffer(buf, len, &lo, &back);
            CHECK(r == RUV_OK || r == RUV_E_NOMEM);
            CHECK((r == RUV_OK) == (back != NULL));
            done = r == RUV_OK;
            ruv_sparse_free(back);
            back = NULL;
            CHECK_EQ_INT(t.live, 0);
        }
        CHECK(done);
    }
    { /* a header claiming 2^30 + 1 entries (their sections far beyond the data), read from a
         stream of unknown length: refused before any oversized read (32-bit targets: the
         lengths do not fit in size_t, RUV_E_NOMEM; else the allocator refuses the keys) */
        unsigned char h[256];
        uint64_t e = ((uint64_t)1 << 30) + 1, off = 256, lens[4], total;
        sp_stream st;
        ruv_load_options lo;
        int j;
        memcpy(h, buf, 256);
        lens[0] = 8 * e, lens[1] = 4 * e, lens[2] = 0, lens[3] = 0;
        for (j = 0; j < 4; j++) {
            wr64le(h + 128 + 32 * j + 8, off);
            wr64le(h + 128 + 32 * j + 16, lens[j]);
            off = (off + lens[j] + 63) / 64 * 64;
        }
        total = rd64le(h + 128 + 32 * 3 + 8);
        wr64le(h + 24, total);
        wr64le(h + 80, e);
        wr64le(h + 88, e);
        reseal(h, sizeof h);
        memset(&lo, 0, sizeof lo);
        lo.alloc.alloc = sp_small_alloc;
        lo.alloc.free = sp_small_free;
        st.p = h, st.len = sizeof h, st.pos = 0;
        CHECK_EQ_INT(ruv_sparse_load(sp_stream_read, &st, &lo, &back), RUV_E_NOMEM);
        CHECK(back == NULL && st.pos == sizeof h);
    }
    { /* an empty index, and hostile arguments */
        ruv_sparse_index *empty = NULL;
        size_t el = 0;
        unsigned char eb[512];
        REQUIRE(ruv_sparse_create(&opt, &empty) == RUV_OK);
        CHECK_EQ_INT(ruv_sparse_save_buffer(empty, eb, sizeof eb, &el), RUV_OK);
        ruv_sparse_free(empty);
        empty = NULL;
        CHECK_EQ_INT(ruv_sparse_load_buffer(eb, el, NULL, &empty), RUV_OK);
        CHECK(empty && ruv_sparse_count(empty) == 0);
        ruv_sparse_free(empty);
        CHECK_EQ_INT(ruv_sparse_save(NULL, NULL, NULL), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_save_buffer(idx, NULL, 10, &el), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_save_buffer(idx, buf, len, NULL), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_save_buffer(idx, buf, len - 1, &el), RUV_E_SPACE);
        CHECK_EQ_INT(el, len);
        CHECK_EQ_INT(ruv_sparse_save_file(idx, ""), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_load_buffer(NULL, 10, NULL, &back), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_load_buffer(buf, len, NULL, NULL), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_load(NULL, NULL, NULL, &back), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_serialized_size(NULL), 0);
    }
    CHECK_EQ_INT(ruv_sparse_count(idx), 300 - 21); /* the 21 odd multiples of 7 removed */
    free(buf), free(b2), free(bad);
    ruv_sparse_free(idx);
}

/* ruv_sparse_save_file / ruv_sparse_load_file: a round trip with the same hits; a missing
   directory is RUV_E_IO for both (files: not on the Cortex-M boards, hence big_ram). */
TEST(sparse_persist_file) {
    ruv_sparse_options opt = ruv_sparse_options_init();
    ruv_sparse_index *idx = NULL, *back = NULL;
    uint32_t ids[3] = {1, 4, 9};
    float v[3] = {0.5f, 1.5f, 2.0f};
    ruv_hit a[4], b[4];
    size_t na = 0, nb = 0;
    uint64_t key;
    REQUIRE(ruv_sparse_create(&opt, &idx) == RUV_OK);
    for (key = 0; key < 20; key++) {
        v[0] = 0.5f + (float)key;
        CHECK_EQ_INT(ruv_sparse_add(idx, key, 3, ids, v), RUV_OK);
    }
    CHECK_EQ_INT(ruv_sparse_save_file(idx, "ruv_test_sparse.ruv"), RUV_OK);
    CHECK_EQ_INT(ruv_sparse_load_file("ruv_test_sparse.ruv", NULL, &back), RUV_OK);
    REQUIRE(back != NULL);
    CHECK_EQ_INT(ruv_sparse_search(idx, 3, ids, v, 4, NULL, a, &na), RUV_OK);
    CHECK_EQ_INT(ruv_sparse_search(back, 3, ids, v, 4, NULL, b, &nb), RUV_OK);
    CHECK(na == 4 && same_hits(a, na, b, nb) && a[0].key == 19);
    ruv_sparse_free(back);
    back = NULL;
    remove("ruv_test_sparse.ruv");
    CHECK_EQ_INT(ruv_sparse_save_file(idx, "no-such-dir/x/s.ruv"), RUV_E_IO);
    CHECK_EQ_INT(ruv_sparse_load_file("no-such-dir/x/s.ruv", NULL, &back), RUV_E_IO);
    CHECK(back == NULL);
    CHECK_EQ_INT(ruv_sparse_save_file(NULL, "x.ruv"), RUV_E_ARG);
    CHECK_EQ_INT(ruv_sparse_load_file(NULL, NULL, &back), RUV_E_ARG);
    ruv_sparse_free(idx);
}

/* String ids and metadata on the sparse index, against a shadow model kept by the test: random
   puts (each field kept, set or cleared), upserts and removes, compactions and save / load round
   trips; after every step each key's vector, id and metadata are those of the model, every id
   maps back to its key, refused writes (an id another key has, INSERT of a present key, UPDATE
   of an absent one, oversized fields) change nothing, and the stats add up. */
#define SPS_KEYS 40
typedef struct sps_entry {
    int live, id_len, meta_len;
    char id[12];
    unsigned char meta[40];
    uint32_t ids[8];
    float vals[8];
    size_t nnz;
} sps_entry;

static void sps_verify(const ruv_sparse_index *idx, const sps_entry *m) {
    size_t k, live = 0, len, nnz;
    uint32_t gi[8];
    float gv[8];
    ruv_sparse_stats st = ruv_sparse_get_stats(idx);
    for (k = 0; k < SPS_KEYS; k++) {
        const char *id = NULL;
        const void *meta = NULL;
        uint64_t back = 999;
        if (!m[k].live) {
            CHECK_EQ_INT(ruv_sparse_get_id(idx, k, &id, &len), RUV_E_NOTFOUND);
            CHECK_EQ_INT(ruv_sparse_get_meta(idx, k, &meta, &len), RUV_E_NOTFOUND);
            continue;
        }
        live++;
        CHECK_EQ_INT(ruv_sparse_get(idx, k, gi, gv, 8, &nnz), RUV_OK);
        CHECK(nnz == m[k].nnz && !memcmp(gi, m[k].ids, nnz * 4) && !memcmp(gv, m[k].vals, nnz * 4));
        CHECK_EQ_INT(ruv_sparse_get_id(idx, k, &id, &len), RUV_OK);
        CHECK(len == (size_t)m[k].id_len && (!len || !memcmp(id, m[k].id, len)) && (len || !id));
        if (len) {
            CHECK_EQ_INT(ruv_sparse_get_key(idx, m[k].id, len, &back), RUV_OK);
            CHECK_EQ_INT(back, k);
        }
        CHECK_EQ_INT(ruv_sparse_get_meta(idx, k, &meta, &len), RUV_OK);
        CHECK(len == (size_t)m[k].meta_len && (!len || !memcmp(meta, m[k].meta, len)));
    }
    CHECK_EQ_INT(st.live, live);
    CHECK_EQ_INT(ruv_sparse_count(idx), live);
    CHECK_EQ_INT(st.vector_bytes + st.posting_bytes + st.key_bytes + st.id_bytes + st.meta_bytes,
                 st.total_bytes);
    CHECK_EQ_INT(st.total_bytes, ruv_sparse_memory_usage(idx));
    CHECK(st.dead_postings <= st.postings);
}

/* Save, load, check the bytes a loaded index saves are the same; returns the loaded index. */
static ruv_sparse_index *sps_roundtrip(ruv_sparse_index *idx) {
    size_t need = ruv_sparse_serialized_size(idx), w = 0, w2 = 0;
    unsigned char *a = (unsigned char *)malloc(need), *b = (unsigned char *)malloc(need);
    ruv_sparse_index *back = NULL;
    if (!a || !b) {
        free(a), free(b);
        return idx;
    }
    CHECK_EQ_INT(ruv_sparse_save_buffer(idx, a, need, &w), RUV_OK);
    CHECK_EQ_INT(w, need);
    CHECK_EQ_INT(ruv_sparse_load_buffer(a, w, NULL, &back), RUV_OK);
    if (back) {
        CHECK_EQ_INT(ruv_sparse_save_buffer(back, b, need, &w2), RUV_OK);
        CHECK(w2 == w && !memcmp(a, b, w));
        ruv_sparse_free(idx);
        idx = back;
    }
    free(a), free(b);
    return idx;
}

TEST(sparse_store) {
    ruv_sparse_options opt = ruv_sparse_options_init();
    ruv_sparse_index *idx = NULL;
    sps_entry m[SPS_KEYS];
    uint64_t s = 2024;
    size_t step;
    memset(m, 0, sizeof m);
    REQUIRE(ruv_sparse_create(&opt, &idx) == RUV_OK);
    for (step = 0; step < 1500; step++) {
        uint64_t key = rng_next(&s) % SPS_KEYS;
        unsigned op = (unsigned)(rng_next(&s) % 10);
        sps_entry e = m[key];
        ruv_sparse_vector v;
        ruv_sparse_item it;
        ruv_put_mode mode = (ruv_put_mode)(rng_next(&s) % 3);
        ruv_result want, got;
        size_t j;
        memset(&it, 0, sizeof it);
        it.key = key;
        if (op == 0) { /* remove */
            CHECK_EQ_INT(ruv_sparse_remove(idx, key), e.live ? RUV_OK : RUV_E_NOTFOUND);
            memset(&m[key], 0, sizeof m[key]);
        } else if (op == 1) { /* upsert of a vector: id and metadata kept */
            e.nnz = sp_random(&s, 8, 50, 1, e.ids, e.vals);
            CHECK_EQ_INT(ruv_sparse_upsert(idx, key, e.nnz, e.ids, e.vals), RUV_OK);
            e.live = 1;
            m[key] = e;
        } else if (op == 2 && step % 50 == 0) {
            CHECK_EQ_INT(ruv_sparse_compact(idx), RUV_OK);
        } else if (op == 2 && step % 97 == 1) {
            idx = sps_roundtrip(idx);
        } else { /* put: each field kept (NULL), set or cleared */
            unsigned f = (unsigned)(rng_next(&s) % 27);
            int clash = 0;
            if (f % 3 == 1) {
                e.nnz = sp_random(&s, 8, 50, 1, e.ids, e.vals);
                v.nnz = e.nnz, v.ids = e.ids, v.values = e.vals;
                it.vector = &v;
            }
            if (f / 3 % 3 == 1) { /* ids from a small pool: clashes with other keys happen */
                e.id_len = sprintf(e.id, "doc-%u", (unsigned)(rng_next(&s) % 60));
                it.id = e.id, it.id_len = (size_t)e.id_len;
                for (j = 0; j < SPS_KEYS; j++)
                    clash |= j != key && m[j].live && m[j].id_len == e.id_len &&
                             !memcmp(m[j].id, e.id, (size_t)e.id_len);
            } else if (f / 3 % 3 == 2) {
                e.id_len = 0;
                it.id = "", it.id_len = 0;
            }
            if (f / 9 == 1) {
                e.meta_len = (int)(rng_next(&s) % 41);
                for (j = 0; j < (size_t)e.meta_len; j++)
                    e.meta[j] = (unsigned char)rng_next(&s);
                it.meta = e.meta, it.meta_len = (size_t)e.meta_len;
            } else if (f / 9 == 2) {
                e.meta_len = 0;
                it.meta = e.meta, it.meta_len = 0;
            }
            want = m[key].live && mode == RUV_PUT_INSERT    ? RUV_E_EXISTS
                   : !m[key].live && mode == RUV_PUT_UPDATE ? RUV_E_NOTFOUND
                   : !m[key].live && !it.vector             ? RUV_E_ARG
                   : clash                                  ? RUV_E_EXISTS
                                                            : RUV_OK;
            got = ruv_sparse_put(idx, &it, mode);
            CHECK_EQ_INT(got, want);
            if (got == RUV_OK) {
                if (!m[key].live && !it.id)
                    e.id_len = 0;
                if (!m[key].live && !it.meta)
                    e.meta_len = 0;
                e.live = 1;
                m[key] = e;
            }
        }
        sps_verify(idx, m);
    }
    { /* oversized fields, NULL arguments: refused, nothing changed */
        ruv_sparse_item it;
        uint64_t k = 0;
        const char *id;
        size_t len;
        memset(&it, 0, sizeof it);
        it.key = 0;
        it.id = "x", it.id_len = RUV_MAX_ID_BYTES + 1;
        CHECK_EQ_INT(ruv_sparse_put(idx, &it, RUV_PUT_UPSERT), RUV_E_ARG);
        it.id = NULL, it.meta = "x", it.meta_len = (size_t)RUV_MAX_META_BYTES + 1;
        CHECK_EQ_INT(ruv_sparse_put(idx, &it, RUV_PUT_UPSERT), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_put(idx, NULL, RUV_PUT_UPSERT), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_put(NULL, &it, RUV_PUT_UPSERT), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_put(idx, &it, (ruv_put_mode)3), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_get_key(idx, "doc-1", 0, &k), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_get_key(idx, NULL, 3, &k), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_get_key(idx, "doc-1", RUV_MAX_ID_BYTES + 1, &k), RUV_E_NOTFOUND);
        CHECK_EQ_INT(ruv_sparse_get_key(idx, "no-such", 7, &k), RUV_E_NOTFOUND);
        CHECK_EQ_INT(ruv_sparse_get_id(idx, 0, NULL, &len), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_get_id(NULL, 0, &id, &len), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_get_meta(idx, 0, NULL, &len), RUV_E_ARG);
        CHECK_EQ_INT(ruv_sparse_get_stats(NULL).total_bytes, 0);
        sps_verify(idx, m);
    }
    idx = sps_roundtrip(idx);
    sps_verify(idx, m);
    CHECK_EQ_INT(ruv_sparse_compact(idx), RUV_OK);
    sps_verify(idx, m);
    ruv_sparse_free(idx);
}
