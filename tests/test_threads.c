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

/* ---- threaded batch search, cancellation, calls from callbacks ----------------------------- */
/* ruv_index_search_batch with 1, 2 and 3 threads (and a ctx of the caller's or none) gives the
   same hits as one ruv_index_search per query, whose distances match a double-precision
   reference; a bad query in the middle stops it as one thread would: the queries before it keep
   their hits, it and those after it read 0, and its error comes back. HNSW and flat. */
TEST(search_batch_threads) {
    size_t n = 2000, dim = 20, nq = 90, k = 8, i, j, t;
    float *base = random_vecs(n, dim, 51), *qs = random_vecs(nq, dim, 52);
    ruv_hit *want = (ruv_hit *)malloc(nq * k * sizeof *want),
            *got = (ruv_hit *)malloc(nq * k * sizeof *got);
    size_t *wn = (size_t *)malloc(nq * sizeof *wn), *gn = (size_t *)malloc(nq * sizeof *gn);
    int kind;
    REQUIRE(base && qs && want && got && wn && gn);
    for (kind = 0; kind < 2; kind++) {
        ruv_index *idx =
            make_index(RUV_METRIC_L2SQ, kind ? RUV_INDEX_HNSW : RUV_INDEX_FLAT, dim, base, n);
        ruv_search_ctx *ctx;
        float keep = qs[41 * dim + 3];
        REQUIRE(idx && ruv_search_ctx_create(idx, &ctx) == RUV_OK);
        for (i = 0; i < nq; i++) {
            CHECK(ruv_index_search(idx, qs + i * dim, k, NULL, want + i * k, wn + i) == RUV_OK &&
                  wn[i] == k);
            for (j = 0; j < wn[i]; j++) {
                double d =
                    ref_dist(RUV_METRIC_L2SQ, qs + i * dim, base + want[i * k + j].key * dim, dim);
                CHECK(fabs(want[i * k + j].distance - d) <= tol(RUV_METRIC_L2SQ, d));
            }
        }
        for (t = 1; t <= 3; t++) {
            int withctx;
            for (withctx = 0; withctx < 2; withctx++) {
                ruv_search_options o;
                memset(&o, 0, sizeof o);
                o.threads = (uint32_t)t;
                o.ctx = withctx ? ctx : NULL;
                memset(got, 0xAB, nq * k * sizeof *got);
                CHECK(ruv_index_search_batch(idx, nq, qs, k, &o, got, gn) == RUV_OK);
                for (i = 0; i < nq; i++)
                    CHECK(same_hits(want + i * k, wn[i], got + i * k, gn[i]));
                /* a NaN in query 41 */
                qs[41 * dim + 3] = NAN;
                CHECK(ruv_index_search_batch(idx, nq, qs, k, &o, got, gn) == RUV_E_VALUE);
                qs[41 * dim + 3] = keep;
                for (i = 0; i < nq; i++)
                    CHECK(i < 41 ? same_hits(want + i * k, wn[i], got + i * k, gn[i]) : gn[i] == 0);
            }
        }
        { /* hostile thread counts: capped, same hits */
            ruv_search_options o;
            memset(&o, 0, sizeof o);
            o.threads = 0xFFFFFFFFu;
            CHECK(ruv_index_search_batch(idx, nq, qs, k, &o, got, gn) == RUV_OK);
            for (i = 0; i < nq; i++)
                CHECK(same_hits(want + i * k, wn[i], got + i * k, gn[i]));
            CHECK(ruv_index_search_batch(idx, 0, NULL, k, &o, NULL, gn) == RUV_OK);
            ruv_index_read_end(NULL);
            CHECK(ruv_index_read_begin(NULL) == RUV_E_ARG);
        }
        {
            ruv_search_options o;
            memset(&o, 0, sizeof o);
            o.threads = 4; /* more threads than queries */
            CHECK(ruv_index_search_batch(idx, 1, qs + 41 * dim, k, &o, got, gn) == RUV_OK);
            CHECK(same_hits(want + 41 * k, wn[41], got, gn[0]));
        }
        ruv_search_ctx_free(ctx);
        ruv_index_free(idx);
    }
    free(base);
    free(qs);
    free(want);
    free(got);
    free(wn);
    free(gn);
}

typedef struct canceler {
    size_t calls, stop_at; /* cancel from the stop_at-th call on (0 = never) */
} canceler;

static int cancel_after(void *user, size_t unused) {
    (void)unused;
    return user != NULL;
}

static int on_cancel(void *user) {
    canceler *c = (canceler *)user;
    c->calls++;
    return c->stop_at && c->calls >= c->stop_at;
}

/* Cancellation. Searches (HNSW walk, flat scan, filtered scan, range search) asked to stop
   return RUV_E_CANCELED with no hits, after the callback was polled at the documented interval;
   the same index and ctx then search as before. A batch add cancelled part-way (one thread and
   three) returns RUV_E_CANCELED and leaves the index as it was: same count, none of its keys, the
   same exact search results, and the batch can be added afterwards. */
TEST(cancel) {
    size_t n = 6000, dim = 16, nb = 700, i, cnt;
    float *base = random_vecs(n + nb, dim, 61);
    uint64_t *keys = (uint64_t *)malloc(nb * sizeof *keys);
    ruv_hit h1[10], h2[10];
    int kind;
    (void)cancel_after;
    REQUIRE(base && keys);
    for (i = 0; i < nb; i++)
        keys[i] = n + i;
    for (kind = 0; kind < 2; kind++) {
        ruv_index *idx =
            make_index(RUV_METRIC_L2SQ, kind ? RUV_INDEX_HNSW : RUV_INDEX_FLAT, dim, base, n);
        ruv_search_ctx *ctx;
        ruv_search_options o;
        ruv_build_options b;
        canceler c;
        size_t n1, n2, t;
        float *q = base + 17 * dim;
        REQUIRE(idx && ruv_search_ctx_create(idx, &ctx) == RUV_OK);
        memset(&o, 0, sizeof o);
        o.ctx = ctx;
        o.ef_search = 2000;
        CHECK(ruv_index_search(idx, q, 10, &o, h1, &n1) == RUV_OK && n1 == 10);
        /* never cancelled: polled, same hits; flat: 6000 slots, every 1024 */
        memset(&c, 0, sizeof c);
        o.cancel = on_cancel;
        o.cancel_user = &c;
        CHECK(ruv_index_search(idx, q, 10, &o, h2, &n2) == RUV_OK && same_hits(h1, n1, h2, n2));
        CHECK(c.calls >= (kind ? 2u : 5u));
        /* cancelled at the second poll */
        memset(&c, 0, sizeof c);
        c.stop_at = 2;
        n2 = 99;
        CHECK(ruv_index_search(idx, q, 10, &o, h2, &n2) == RUV_E_CANCELED && n2 == 0);
        CHECK(c.calls == 2);
        memset(&c, 0, sizeof c);
        c.stop_at = 1;
        CHECK(ruv_index_search_range(idx, q, 1e30f, &o, h2, 10, &n2) == RUV_E_CANCELED && n2 == 0);
        CHECK(ruv_index_search_batch(idx, 1, q, 10, &o, h2, &n2) == RUV_E_CANCELED && n2 == 0);
        o.cancel = NULL;
        CHECK(ruv_index_search(idx, q, 10, &o, h2, &n2) == RUV_OK && same_hits(h1, n1, h2, n2));
        CHECK(ruv_index_search(idx, q, 10, NULL, h2, &n2) == RUV_OK && n2 == 10);
        /* a batch add cancelled part-way, by one thread and by three */
        for (t = 1; t <= 3; t += 2) {
            memset(&b, 0, sizeof b);
            memset(&c, 0, sizeof c);
            c.stop_at = t == 1 ? 300 : 10;
            b.threads = (uint32_t)t;
            b.cancel = on_cancel;
            b.cancel_user = &c;
            CHECK(ruv_index_add_batch(idx, nb, keys, base + n * dim, &b) == RUV_E_CANCELED);
            CHECK(c.calls == c.stop_at);
            CHECK_EQ_INT(ruv_index_count(idx), n);
            for (i = cnt = 0; i < nb; i++)
                cnt += ruv_index_contains(idx, keys[i]) != 0;
            CHECK_EQ_INT(cnt, 0);
            o.ef_search = 2000;
            CHECK(ruv_index_search(idx, q, 10, &o, h2, &n2) == RUV_OK &&
                  (kind ? n2 == 10 : same_hits(h1, n1, h2, n2)));
        }
        /* and it can be added afterwards: a vector of the batch then finds itself */
        memset(&c, 0, sizeof c);
        CHECK(ruv_index_add_batch(idx, nb, keys, base + n * dim, &b) == RUV_OK && c.calls > 0);
        CHECK_EQ_INT(ruv_index_count(idx), n + nb);
        CHECK(ruv_index_search(idx, base + (n + 5) * dim, 1, &o, h2, &n2) == RUV_OK && n2 == 1 &&
              h2[0].key == n + 5);
        ruv_search_ctx_free(ctx);
        ruv_index_free(idx);
    }
    free(base);
    free(keys);
}

typedef struct reentry {
    ruv_index *idx;
    const float *base;
    size_t dim, calls, bad;
    ruv_result write_r, search_r;
} reentry;

/* A filter that reads the index it filters (get_vector: must work) and tries to write it or to
   search it without a ctx (RUV_E_BUSY with threads: this thread holds it). */
static int reentry_filter(void *user, uint64_t key) {
    reentry *r = (reentry *)user;
    float v[64];
    size_t i;
    ruv_hit h;
    size_t nh;
    r->calls++;
    if (ruv_index_get_vector(r->idx, key, v) != RUV_OK || !ruv_index_contains(r->idx, key))
        r->bad++;
    for (i = 0; i < r->dim; i++)
        r->bad += v[i] != r->base[key * r->dim + i];
    if (r->calls == 1) {
        r->write_r = ruv_index_remove(r->idx, key);
        r->search_r = ruv_index_search(r->idx, v, 1, NULL, &h, &nh);
    }
    return key % 2 == 0;
}

static void reentry_progress(void *user, size_t done, size_t total) {
    reentry *r = (reentry *)user;
    ruv_search_ctx *c;
    ruv_search_options o;
    ruv_hit h;
    size_t nh;
    (void)done;
    (void)total;
    r->calls++;
    r->write_r = ruv_index_remove(r->idx, 0);
    /* searching with a ctx of one's own from a progress report works */
    memset(&o, 0, sizeof o);
    if (ruv_search_ctx_create(r->idx, &c) != RUV_OK)
        r->bad++;
    o.ctx = c;
    if (ruv_index_search(r->idx, r->base, 1, &o, &h, &nh) != RUV_OK || nh != 1 || h.key != 0)
        r->bad++;
    ruv_search_ctx_free(c);
}

/* Calls into an index from its own callbacks: reads work (nested, without deadlock when a writer
   waits), writes and ctx-less searches give RUV_E_BUSY with threads, and the index is intact. */
TEST(callback_reentry) {
    size_t n = 500, dim = 12;
    float *base = random_vecs(n + 100, dim, 71);
    ruv_index *idx;
    ruv_search_options o;
    ruv_build_options b;
    ruv_search_ctx *ctx;
    reentry r;
    ruv_hit h[5];
    size_t nh, i;
    uint64_t keys[100];
    REQUIRE(base);
    idx = make_index(RUV_METRIC_L2SQ, RUV_INDEX_HNSW, dim, base, n);
    REQUIRE(idx && ruv_search_ctx_create(idx, &ctx) == RUV_OK);
    memset(&r, 0, sizeof r);
    r.idx = idx;
    r.base = base;
    r.dim = dim;
    memset(&o, 0, sizeof o);
    o.ctx = ctx;
    o.filter = reentry_filter;
    o.filter_user = &r;
    CHECK(ruv_index_search(idx, base + 10 * dim, 5, &o, h, &nh) == RUV_OK && nh == 5);
    CHECK(r.calls > 0 && r.bad == 0);
    for (i = 0; i < nh; i++)
        CHECK(h[i].key % 2 == 0);
#if TEST_THREADS
    CHECK(r.write_r == RUV_E_BUSY && r.search_r == RUV_E_BUSY);
    CHECK_EQ_INT(ruv_index_count(idx), n);
    /* a progress report of a write: its reads work, its writes are refused */
    memset(&r, 0, sizeof r);
    r.idx = idx;
    r.base = base;
    r.dim = dim;
    memset(&b, 0, sizeof b);
    b.progress = reentry_progress;
    b.progress_user = &r;
    for (i = 0; i < 100; i++)
        keys[i] = n + i;
    CHECK(ruv_index_add_batch(idx, 100, keys, base + n * dim, &b) == RUV_OK);
    CHECK(r.calls > 0 && r.bad == 0 && r.write_r == RUV_E_BUSY);
    CHECK_EQ_INT(ruv_index_count(idx), n + 100);
    /* held across calls: reads work, this thread's writes and ctx-less searches are refused,
       a second hold too; after the end, all works again */
    CHECK(ruv_index_read_begin(idx) == RUV_OK);
    CHECK(ruv_index_read_begin(idx) == RUV_E_BUSY);
    CHECK(ruv_index_contains(idx, 3) && ruv_index_count(idx) == n + 100);
    CHECK(ruv_index_search(idx, base, 5, &o, h, &nh) == RUV_OK && nh == 5);
    CHECK(ruv_index_remove(idx, 3) == RUV_E_BUSY);
    CHECK(ruv_index_search(idx, base, 5, NULL, h, &nh) == RUV_E_BUSY && nh == 0);
    ruv_index_read_end(idx);
    ruv_index_read_end(idx); /* nothing held: nothing happens */
    CHECK(ruv_index_remove(idx, 3) == RUV_OK && !ruv_index_contains(idx, 3));
    CHECK(ruv_index_search(idx, base, 5, NULL, h, &nh) == RUV_OK && nh == 5);
#else
    (void)b;
    (void)keys;
    (void)reentry_progress;
    printf("  no threads in this build: the refusals are not checked\n");
#endif
    ruv_search_ctx_free(ctx);
    ruv_index_free(idx);
    free(base);
}

/* ---- a journal written while readers search ------------------------------------------------ */
#if TEST_THREADS
typedef struct jbuf {
    unsigned char *p;
    size_t len, cap, syncs;
} jbuf;

static int jbuf_write(void *user, const void *data, size_t len) {
    jbuf *b = (jbuf *)user;
    if (b->len + len > b->cap) {
        size_t cap = (b->len + len) * 2;
        unsigned char *p = (unsigned char *)realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
    return 0;
}

static int jbuf_sync(void *user) {
    ((jbuf *)user)->syncs++;
    return 0;
}

typedef struct jreader {
    ruv_index *idx;
    const float *qs;
    size_t nq, dim, bad;
    int *stop;
} jreader;

static void *jreader_run(void *arg) {
    jreader *r = (jreader *)arg;
    ruv_search_ctx *c;
    ruv_search_options o;
    ruv_hit h[10];
    size_t n, i, q = 0;
    if (ruv_search_ctx_create(r->idx, &c) != RUV_OK) {
        r->bad++;
        return NULL;
    }
    memset(&o, 0, sizeof o);
    o.ctx = c;
    while (!__atomic_load_n(r->stop, __ATOMIC_ACQUIRE)) {
        if (ruv_index_search(r->idx, r->qs + (q++ % r->nq) * r->dim, 10, &o, h, &n) != RUV_OK)
            r->bad++;
        for (i = 1; i < n; i++)
            r->bad += h[i].distance < h[i - 1].distance;
    }
    ruv_search_ctx_free(c);
    return NULL;
}
#endif

/* HNSW with a journal attached (every record synced) written by one thread while two search:
   the searches stay sorted and error-free; the index and the snapshot taken before plus the
   journal replayed both hold exactly the test's own model of the writes (which key is live, the
   row of its last vector, its last metadata), compared key by key. */
TEST(journal_concurrent) {
#if TEST_THREADS
    size_t n = 400, dim = 16, nw = 1500, i, len;
    float *base = random_vecs(n + nw, dim, 81), *qs = random_vecs(50, dim, 82);
    ruv_index *idx = NULL, *copy = NULL;
    unsigned char *snap;
    jbuf jb;
    ruv_journal_options jo;
    ruv_journal_report rep;
    jreader rd[2];
    pthread_t tid[2];
    int stop = 0, w;
    size_t *row = (size_t *)malloc((n + 200) * sizeof *row); /* model: row of key's vector */
    long *mno = (long *)malloc((n + 200) * sizeof *mno);     /* its metadata "m<no>", -1 none */
    REQUIRE(base && qs && row && mno);
    for (i = 0; i < n + 200; i++) {
        row[i] = i < n ? i : (size_t)-1; /* (size_t)-1: not live */
        mno[i] = -1;
    }
    idx = make_index(RUV_METRIC_L2SQ, RUV_INDEX_HNSW, dim, base, n);
    REQUIRE(idx && (snap = save_to_mem(idx, &len)) != NULL);
    memset(&jb, 0, sizeof jb);
    memset(&jo, 0, sizeof jo);
    jo.write = jbuf_write;
    jo.sync = jbuf_sync;
    jo.user = &jb;
    jo.base = ruv_index_snapshot_id(idx);
    REQUIRE(ruv_index_journal_attach(idx, &jo) == RUV_OK);
    for (i = 0; i < 2; i++) {
        rd[i].idx = idx;
        rd[i].qs = qs;
        rd[i].nq = 50;
        rd[i].dim = dim;
        rd[i].bad = 0;
        rd[i].stop = &stop;
        REQUIRE(pthread_create(&tid[i], NULL, jreader_run, &rd[i]) == 0);
    }
    for (i = 0; i < nw; i++) {
        ruv_item it;
        char meta[16];
        memset(&it, 0, sizeof it);
        it.key = (i * 7) % (n + 200);
        it.vector = base + (n + i) * dim;
        sprintf(meta, "m%zu", i);
        it.meta = meta;
        it.meta_len = strlen(meta);
        CHECK(ruv_index_put(idx, &it, RUV_PUT_UPSERT) == RUV_OK);
        row[it.key] = n + i;
        mno[it.key] = (long)i;
        if (i % 5 == 4) {
            size_t k = (i * 13) % (n + 200);
            CHECK(ruv_index_remove(idx, k) == (row[k] != (size_t)-1 ? RUV_OK : RUV_E_NOTFOUND));
            row[k] = (size_t)-1;
            mno[k] = -1;
        }
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (i = 0; i < 2; i++) {
        pthread_join(tid[i], NULL);
        CHECK_EQ_INT(rd[i].bad, 0);
    }
    CHECK(jb.syncs >= nw);
    /* the snapshot plus the journal = the final state */
    REQUIRE(ruv_index_load_buffer(snap, len, NULL, &copy) == RUV_OK);
    CHECK(ruv_index_journal_replay(copy, jb.p, jb.len, jo.base, &rep) == RUV_OK);
    CHECK(rep.stop == RUV_JOURNAL_END && rep.ignored_bytes == 0);
    for (w = 0; w < 2; w++) { /* the live index, then the replayed copy */
        ruv_index *x = w ? copy : idx;
        size_t live = 0;
        for (i = 0; i < n + 200; i++) {
            float a[16];
            const void *m;
            size_t ml;
            char want[32];
            int in = ruv_index_contains(x, i);
            CHECK(in == (row[i] != (size_t)-1));
            if (!in)
                continue;
            live++;
            CHECK(ruv_index_get_vector(x, i, a) == RUV_OK &&
                  memcmp(a, base + row[i] * dim, sizeof a) == 0);
            if (mno[i] < 0)
                want[0] = 0;
            else
                sprintf(want, "m%ld", mno[i]);
            CHECK(ruv_index_get_meta(x, i, &m, &ml) == RUV_OK && ml == strlen(want) &&
                  (ml == 0 || memcmp(m, want, ml) == 0));
        }
        CHECK_EQ_INT(ruv_index_count(x), live);
    }
    ruv_index_free(copy);
    ruv_index_free(idx);
    free(snap);
    free(jb.p);
    free(base);
    free(qs);
    free(row);
    free(mno);
#else
    printf("  no threads in this build: nothing to run\n");
#endif
}

#if TEST_THREADS
/* copies16_get_vector: readers of one index with f16 re-ranking copies. */
typedef struct getter {
    const ruv_index *idx;
    const float *v; /* the vectors given, n x dim */
    size_t n, dim, bad;
    ruv_result err;
} getter;

static void *getter_run(void *arg) {
    getter *g = (getter *)arg;
    float out[32];
    size_t round, i, j;
    for (round = 0; round < 20; round++)
        for (i = 0; i < g->n; i++) {
            ruv_result e = ruv_index_get_vector(g->idx, i, out);
            if (e != RUV_OK)
                g->err = e;
            for (j = 0; e == RUV_OK && j < g->dim; j++) { /* half an f16 ulp, in double */
                double x = g->v[i * g->dim + j];
                g->bad += !(fabs(out[j] - x) <= fabs(x) / 2048 + 1e-7);
            }
        }
    return NULL;
}
#endif

/* Two threads read vectors back (ruv_index_get_vector) from an HNSW index with f16 re-ranking
   copies while a third adds to it: every vector read is its own, within half an f16 ulp of what
   was given (the 16-bit copies are widened into the caller's buffer, never into the index's
   scratch, which the writer's insert uses). CI runs it under ThreadSanitizer. */
TEST(copies16_get_vector) {
#if TEST_THREADS
    size_t n = 1500, dim = 32, i;
    float *v = random_vecs(2 * n, dim, 61);
    ruv_index_options o = ruv_index_options_init((uint32_t)dim);
    ruv_index *idx = NULL;
    getter g[2];
    pthread_t th[2];
    REQUIRE(v);
    o.kind = RUV_INDEX_HNSW;
    o.quant = RUV_QUANT_SQ8;
    o.rerank_dtype = RUV_DTYPE_F16;
    REQUIRE(ruv_index_create(&o, &idx) == RUV_OK);
    REQUIRE(ruv_index_train(idx, 2 * n, v) == RUV_OK);
    CHECK(add_all(idx, v, n));
    for (i = 0; i < 2; i++) {
        g[i].idx = idx;
        g[i].v = v;
        g[i].n = n;
        g[i].dim = dim;
        g[i].bad = 0;
        g[i].err = RUV_OK;
        REQUIRE(pthread_create(&th[i], NULL, getter_run, &g[i]) == 0);
    }
    for (i = n; i < 2 * n; i++) /* the writer: inserts search with the lock released */
        CHECK(ruv_index_add(idx, i, v + i * dim) == RUV_OK);
    for (i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(g[i].err, RUV_OK);
        CHECK_EQ_INT(g[i].bad, 0);
    }
    CHECK_EQ_INT(ruv_index_count(idx), 2 * n);
    ruv_index_free(idx);
    free(v);
#endif
}
