/* Threads: the multi-threaded HNSW build, concurrent readers, and both over SQ8 codes. Run under
   ThreadSanitizer in CI (ruv_tests --label threads). */
#include "test.h"

/* ---- threads ------------------------------------------------------------------------------ */
typedef struct progress_log {
    size_t calls, last, total, bad;
} progress_log;

static void on_progress(void *user, size_t done, size_t total) {
    progress_log *p = (progress_log *)user;
    if (done < p->last || done > total)
        p->bad++;
    p->calls++;
    p->last = done;
    p->total = total;
}

/* GloVe 10k built by 1, 2 and 4 threads: recall@10 at ef 64 >= 0.95 against exact search for
   each, 99% of the vectors find themselves, and progress reports climb to (n, n). */
TEST(hnsw_threads_glove) {
    size_t nb, dim, nq, qd, i, t, n1, self;
    float *base = load_f(1, "glove25k.fvecs", 10000, &nb, &dim);
    float *qs = load_f(1, "glove_query.fvecs", 200, &nq, &qd);
    uint64_t *keys, *truth;
    size_t *cnt;
    ruv_index *flat;
    REQUIRE(base && qs && qd == dim);
    keys = (uint64_t *)malloc(nb * sizeof *keys);
    truth = (uint64_t *)malloc(nq * 10 * sizeof *truth);
    cnt = (size_t *)malloc(nq * sizeof *cnt);
    flat = make_index(RUV_METRIC_COSINE, RUV_INDEX_FLAT, dim, base, nb);
    REQUIRE(keys && truth && cnt && flat && search_all(flat, qs, nq, 10, 0, truth, cnt));
    for (i = 0; i < nb; i++)
        keys[i] = i;
    for (t = 1; t <= 4; t *= 2) {
        ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
        ruv_build_options o;
        progress_log pl;
        ruv_index *idx;
        double r;
        memset(&o, 0, sizeof o);
        memset(&pl, 0, sizeof pl);
        cfg.kind = RUV_INDEX_HNSW;
        cfg.metric = RUV_METRIC_COSINE;
        o.threads = (uint32_t)t;
        o.progress = on_progress;
        o.progress_user = &pl;
        REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
        /* two batches: the second one links into a graph that exists */
        CHECK(ruv_index_add_batch(idx, 3000, keys, base, &o) == RUV_OK);
        CHECK(pl.calls > 0 && pl.bad == 0 && pl.last == 3000 && pl.total == 3000);
        memset(&pl, 0, sizeof pl);
        CHECK(ruv_index_add_batch(idx, nb - 3000, keys + 3000, base + 3000 * dim, &o) == RUV_OK);
        CHECK_EQ_INT(ruv_index_count(idx), nb);
        CHECK(pl.calls > 0 && pl.bad == 0 && pl.last == nb - 3000 && pl.total == nb - 3000);
        r = recall_vs(idx, qs, nq, truth);
        printf("  %zu thread(s): recall@10 (ef 64) %.4f\n", t, r);
        CHECK(r >= 0.95);
        for (i = self = 0; i < nb; i += 10) { /* approximate: nearly every vector finds itself */
            ruv_hit h[1];
            CHECK(ruv_index_search(idx, base + i * dim, 1, NULL, h, &n1) == RUV_OK && n1 == 1);
            self += h[0].key == i;
        }
        CHECK(self * 100 >= (nb / 10) * 99);
        ruv_index_free(idx);
    }
    ruv_index_free(flat);
    free(keys);
    free(truth);
    free(cnt);
    free(base);
    free(qs);
}

#if TEST_THREADS
typedef struct reader {
    const ruv_index *idx;
    const float *qs;
    size_t nq, dim;
    const ruv_hit *want; /* nq x 10, from one thread */
    size_t mismatches;
    ruv_result err;
} reader;

static void *reader_run(void *arg) {
    reader *r = (reader *)arg;
    ruv_search_ctx *ctx;
    ruv_search_options p;
    size_t q, round, i, n;
    memset(&p, 0, sizeof p);
    if ((r->err = ruv_search_ctx_create(r->idx, &ctx)) != RUV_OK)
        return NULL;
    p.ctx = ctx;
    for (round = 0; round < 3; round++)
        for (q = 0; q < r->nq; q++) {
            ruv_hit h[10];
            ruv_result e = ruv_index_search(r->idx, r->qs + q * r->dim, 10, &p, h, &n);
            if (e != RUV_OK)
                r->err = e;
            for (i = 0; i < n; i++)
                r->mismatches += h[i].key != r->want[q * 10 + i].key ||
                                 h[i].distance != r->want[q * 10 + i].distance;
        }
    ruv_search_ctx_free(ctx);
    return NULL;
}
#endif

/* Four threads search one HNSW index at once, each with its own ctx: every result equals the
   single-threaded one, whose distances match a double-precision reference and whose recall@10
   against brute force is >= 0.9. (CI also runs this under ThreadSanitizer.) */
TEST(concurrent_readers) {
#if TEST_THREADS
    size_t n = 3000, dim = 24, nq = 100, i, n1, exact_miss = 0;
    float *base = random_vecs(n, dim, 41), *qs = random_vecs(nq, dim, 42);
    ruv_index *idx;
    ruv_hit *want;
    reader rd[4];
    pthread_t tid[4];
    REQUIRE(base && qs);
    idx = make_index(RUV_METRIC_L2SQ, RUV_INDEX_HNSW, dim, base, n);
    want = (ruv_hit *)malloc(nq * 10 * sizeof *want);
    REQUIRE(idx && want);
    for (i = 0; i < nq; i++) { /* the expected hits: real distances, and mostly the exact ones */
        size_t j, b, closer;
        CHECK(ruv_index_search(idx, qs + i * dim, 10, NULL, want + i * 10, &n1) == RUV_OK &&
              n1 == 10);
        for (j = 0; j < n1; j++) {
            double d =
                ref_dist(RUV_METRIC_L2SQ, qs + i * dim, base + want[i * 10 + j].key * dim, dim);
            CHECK(fabs(want[i * 10 + j].distance - d) <= tol(RUV_METRIC_L2SQ, d));
        }
        for (b = closer = 0; b < n; b++) { /* closer than the 10th hit, yet not returned */
            double d = ref_dist(RUV_METRIC_L2SQ, qs + i * dim, base + b * dim, dim);
            int returned = 0;
            for (j = 0; j < n1; j++)
                returned |= want[i * 10 + j].key == b;
            closer += !returned && d < want[i * 10 + 9].distance -
                                           tol(RUV_METRIC_L2SQ, want[i * 10 + 9].distance);
        }
        exact_miss += closer;
    }
    CHECK(exact_miss * 10 <= nq * 10); /* at most 1 miss per 10 hits: recall@10 >= 0.9 */
    for (i = 0; i < 4; i++) {
        rd[i].idx = idx;
        rd[i].qs = qs;
        rd[i].nq = nq;
        rd[i].dim = dim;
        rd[i].want = want;
        rd[i].mismatches = 0;
        rd[i].err = RUV_OK;
        REQUIRE(pthread_create(&tid[i], NULL, reader_run, &rd[i]) == 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(tid[i], NULL);
        CHECK(rd[i].err == RUV_OK && rd[i].mismatches == 0);
    }
    ruv_index_free(idx);
    free(want);
    free(base);
    free(qs);
#else
    printf("  no threads in this build: nothing to run\n");
#endif
}

/* HNSW over SQ8 codes linked by 2 and 4 threads (each with its own scratch for decoding and
   preparing codes), then searched by 4 threads at once with their own contexts: recall@10 at
   ef 64 (re-ranked x4) >= 0.95 against exact f32 search, and each thread's hits equal a
   single-threaded search of the same query (the readers of concurrent_readers, above).
   Run under ThreadSanitizer in CI. */
TEST(quant_threads) {
#if TEST_THREADS
    size_t nb, dim, nq, qd, t, i, q, n;
    float *base = load_f(1, "glove25k.fvecs", 10000, &nb, &dim);
    float *qs = load_f(1, "glove_query.fvecs", 100, &nq, &qd);
    uint64_t *keys, *truth;
    ruv_hit *want;
    REQUIRE(base && qs && qd == dim);
    truth = exact_top10(RUV_METRIC_COSINE, base, nb, dim, qs, nq);
    keys = (uint64_t *)malloc(nb * sizeof *keys);
    want = (ruv_hit *)malloc(nq * 10 * sizeof *want);
    REQUIRE(truth && keys && want);
    for (i = 0; i < nb; i++)
        keys[i] = i;
    for (t = 2; t <= 4; t *= 2) {
        ruv_index *idx =
            quant_index(RUV_QUANT_SQ8, RUV_METRIC_COSINE, RUV_INDEX_HNSW, dim, 0, 0, base, nb);
        ruv_build_options o;
        pthread_t th[4];
        reader rd[4];
        double r;
        REQUIRE(idx);
        memset(&o, 0, sizeof o);
        o.threads = (uint32_t)t;
        CHECK(ruv_index_add_batch(idx, nb, keys, base, &o) == RUV_OK);
        r = quant_recall(idx, qs, nq, truth, 64, 4);
        printf("  SQ8 HNSW built by %zu threads: recall@10 %.4f\n", t, r);
        CHECK(r >= 0.95);
        for (q = 0; q < nq; q++)
            CHECK(ruv_index_search(idx, qs + q * dim, 10, NULL, want + q * 10, &n) == RUV_OK);
        for (i = 0; i < 4; i++) {
            memset(&rd[i], 0, sizeof rd[i]);
            rd[i].idx = idx;
            rd[i].qs = qs;
            rd[i].nq = nq;
            rd[i].dim = dim;
            rd[i].want = want;
            REQUIRE(pthread_create(&th[i], NULL, reader_run, &rd[i]) == 0);
        }
        for (i = 0; i < 4; i++) {
            pthread_join(th[i], NULL);
            CHECK_EQ_INT(rd[i].err, RUV_OK);
            CHECK_EQ_INT(rd[i].mismatches, 0);
        }
        ruv_index_free(idx);
    }
    free(base);
    free(qs);
    free(truth);
    free(keys);
    free(want);
#else
    printf("  built without threads: nothing to test\n");
#endif
}
