/* Several vectors per key (ruv_index_options.multi): searches return each key once with the
   distance of its nearest vector, checked against a brute force over keys computed here in
   double (a key's distance = the minimum over its vectors); remove drops every vector of a key;
   get_vectors returns them all; files keep the flag and the loader refuses shared keys without
   it. */
#include "test.h"

/* A multi-vector corpus: nk keys, key i owning 1 + i % 7 vectors scattered around its own random
   centre (like the token vectors of one document); vectors n x dim, owner[v] = key of v. */
typedef struct mv_set {
    size_t nk, n, dim;
    float *v;
    uint64_t *owner;
} mv_set;

static int mv_make(mv_set *s, size_t nk, size_t dim, uint64_t seed) {
    size_t i, j, d, n = 0;
    float *ctr = random_vecs(nk, dim, seed);
    for (i = 0; i < nk; i++)
        n += 1 + i % 7;
    s->nk = nk;
    s->n = n;
    s->dim = dim;
    s->v = (float *)malloc(n * dim * sizeof *s->v);
    s->owner = (uint64_t *)malloc(n * sizeof *s->owner);
    if (!ctr || !s->v || !s->owner) {
        free(ctr);
        return 0;
    }
    for (i = 0, n = 0; i < nk; i++)
        for (j = 0; j <= i % 7; j++, n++) {
            for (d = 0; d < dim; d++)
                s->v[n * dim + d] = ctr[i * dim + d] + 0.4f * rng_unit(&seed);
            s->owner[n] = i * 3 + 1; /* keys 1, 4, 7, ... */
        }
    free(ctr);
    return 1;
}

static void mv_free(mv_set *s) {
    free(s->v);
    free(s->owner);
}

static ruv_index *mv_index(const mv_set *s, ruv_metric m, ruv_index_kind kind) {
    ruv_index_options o = ruv_index_options_init((uint32_t)s->dim);
    ruv_index *idx = NULL;
    o.metric = m;
    o.kind = kind;
    o.multi = 1;
    if (ruv_index_create(&o, &idx) != RUV_OK)
        return NULL;
    /* keys repeat within the batch and across batches */
    if (ruv_index_add_batch(idx, s->n / 2, s->owner, s->v, NULL) != RUV_OK ||
        ruv_index_add_batch(idx, s->n - s->n / 2, s->owner + s->n / 2, s->v + s->n / 2 * s->dim,
                            NULL) != RUV_OK) {
        ruv_index_free(idx);
        return NULL;
    }
    return idx;
}

typedef struct mv_ref {
    uint64_t key;
    double d;
} mv_ref;

static int mv_ref_cmp(const void *a, const void *b) {
    double x = ((const mv_ref *)a)->d, y = ((const mv_ref *)b)->d;
    return x < y ? -1 : x > y;
}

/* Per-key distances of query q, ascending, into r (s->nk entries); keys failing `even` skipped
   when set. Returns how many. */
static size_t mv_brute(const mv_set *s, ruv_metric m, const float *q, int even, mv_ref *r) {
    size_t v, n = 0, i;
    for (v = 0; v < s->n; v++) {
        double d = ref_dist(m, q, s->v + v * s->dim, s->dim);
        if (even && s->owner[v] % 2)
            continue;
        for (i = 0; i < n && r[i].key != s->owner[v]; i++)
            ;
        if (i == n) {
            r[n].key = s->owner[v];
            r[n++].d = d;
        } else if (d < r[i].d) {
            r[i].d = d;
        }
    }
    qsort(r, n, sizeof *r, mv_ref_cmp);
    return n;
}

static double mv_key_dist(const mv_ref *r, size_t n, uint64_t key) {
    size_t i;
    for (i = 0; i < n; i++)
        if (r[i].key == key)
            return r[i].d;
    return -1.0;
}

static int even_keys(void *user, uint64_t key) {
    (void)user;
    return key % 2 == 0;
}

/* k-NN over keys (flat exact against the brute force, HNSW recall of keys), with a filter, range
   search (flat: the keys whose nearest vector is within the radius), MMR (distinct keys). */
TEST(multi_search) {
    mv_set s;
    size_t mi, kind, q, i, nq = 25;
    static const ruv_metric ms[2] = {RUV_METRIC_L2SQ, RUV_METRIC_COSINE};
    float *qs = random_vecs(nq, 24, 211);
    mv_ref *r = NULL;
    REQUIRE(qs && mv_make(&s, 400, 24, 212));
    r = (mv_ref *)malloc(s.nk * sizeof *r);
    REQUIRE(r);
    for (mi = 0; mi < 2; mi++)
        for (kind = 0; kind < 2; kind++) {
            ruv_index *idx = mv_index(&s, ms[mi], (ruv_index_kind)kind);
            ruv_search_options opt;
            size_t hit = 0, n, nr, j;
            ruv_hit h[20], rh[400];
            REQUIRE(idx);
            CHECK_EQ_INT(ruv_index_count(idx), s.n);
            memset(&opt, 0, sizeof opt);
            for (q = 0; q < nq; q++) {
                const float *qv = qs + q * s.dim;
                nr = mv_brute(&s, ms[mi], qv, 0, r);
                CHECK(ruv_index_search(idx, qv, 10, NULL, h, &n) == RUV_OK && n == 10);
                for (i = 0; i < n; i++) {
                    double d = mv_key_dist(r, nr, h[i].key);
                    for (j = 0; j < i; j++)
                        CHECK(h[j].key != h[i].key);
                    CHECK(d >= 0 && fabs((double)h[i].distance - d) <= tol(ms[mi], d));
                    if (kind == 0)
                        CHECK(fabs((double)h[i].distance - r[i].d) <= tol(ms[mi], r[i].d));
                    hit += d <= r[9].d + tol(ms[mi], r[9].d);
                }
                /* a filter: even keys only */
                opt.filter = even_keys;
                nr = mv_brute(&s, ms[mi], qv, 1, r);
                CHECK(ruv_index_search(idx, qv, 5, &opt, h, &n) == RUV_OK && n == 5);
                for (i = 0; i < n; i++) {
                    CHECK(h[i].key % 2 == 0);
                    if (kind == 0)
                        CHECK(h[i].key == r[i].key ||
                              fabs((double)h[i].distance - r[i].d) <= tol(ms[mi], r[i].d));
                }
                opt.filter = NULL;
                /* range: flat exact over keys (radius between the 15th and 16th key) */
                nr = mv_brute(&s, ms[mi], qv, 0, r);
                if (kind == 0 && r[15].d - r[14].d > 2 * tol(ms[mi], r[15].d)) {
                    float rad = (float)((r[14].d + r[15].d) / 2);
                    CHECK(ruv_index_search_range(idx, qv, rad, NULL, rh, 400, &n) == RUV_OK);
                    CHECK_EQ_INT(n, 15);
                    for (i = 0; i < n && i < 15; i++)
                        CHECK(mv_key_dist(r, 15, rh[i].key) >= 0);
                }
                /* MMR: distinct keys, lambda 1 = the nearest order */
                CHECK(ruv_index_search_mmr(idx, qv, 8, 1.0f, 0, NULL, h, &n) == RUV_OK && n == 8);
                for (i = 0; i < n; i++)
                    for (j = 0; j < i; j++)
                        CHECK(h[j].key != h[i].key);
            }
            printf("  metric %d %s: recall@10 over keys %.4f\n", (int)ms[mi],
                   kind ? "HNSW" : "flat", (double)hit / (double)(nq * 10));
            CHECK((double)hit / (double)(nq * 10) >= (kind ? 0.95 : 1.0));
            /* asking for every key returns each once */
            {
                ruv_hit *all = (ruv_hit *)malloc((s.nk + 5) * sizeof *all);
                REQUIRE(all);
                CHECK(ruv_index_search(idx, qs, s.nk + 5, NULL, all, &n) == RUV_OK);
                CHECK_EQ_INT(n, s.nk);
                free(all);
            }
            ruv_index_free(idx);
        }
    free(r);
    free(qs);
    mv_free(&s);
}

/* The store of a multi index: adds under a present key, get_vectors (every vector, slot order),
   remove (all of a key's vectors; flat moves slots, HNSW flags them), refusals. */
TEST(multi_store) {
    mv_set s;
    size_t kind;
    REQUIRE(mv_make(&s, 60, 8, 221));
    for (kind = 0; kind < 2; kind++) {
        ruv_index *idx = mv_index(&s, RUV_METRIC_L2SQ, (ruv_index_kind)kind);
        float out[8 * 8], one[8];
        size_t n, i, v, removed = 0, cursor = 0, seen = 0;
        uint64_t key;
        ruv_hit h[60];
        ruv_item it;
        REQUIRE(idx);
        CHECK(ruv_index_config(idx).multi == 1);
        /* key 3 * 6 + 1 = 19 owns 1 + 6 % 7 = 7 vectors: rows 21..27 */
        CHECK(ruv_index_get_vectors(idx, 19, out, 8, &n) == RUV_OK && n == 7);
        for (i = 0; i < 7; i++) { /* each row once (slot order = insertion order here) */
            for (v = 21; v < 28 && memcmp(out + i * 8, s.v + v * 8, sizeof one) != 0; v++)
                ;
            CHECK(v < 28);
        }
        CHECK(ruv_index_get_vectors(idx, 19, NULL, 0, &n) == RUV_OK && n == 7);
        CHECK(ruv_index_get_vectors(idx, 19, out, 2, &n) == RUV_OK && n == 7);
        CHECK(ruv_index_get_vectors(idx, 2, out, 8, &n) == RUV_E_NOTFOUND && n == 0);
        CHECK(ruv_index_get_vectors(idx, 19, NULL, 1, &n) == RUV_E_ARG);
        CHECK(ruv_index_get_vector(idx, 19, one) == RUV_OK);
        for (v = 21; v < 28 && memcmp(one, s.v + v * 8, sizeof one) != 0; v++)
            ;
        CHECK(v < 28);
        /* an add under a present key adds a vector */
        for (i = 0; i < 8; i++)
            one[i] = 9.0f;
        CHECK(ruv_index_add(idx, 19, one) == RUV_OK);
        CHECK(ruv_index_get_vectors(idx, 19, out, 8, &n) == RUV_OK && n == 8);
        CHECK(ruv_index_search(idx, one, 1, NULL, h, &n) == RUV_OK && n == 1 && h[0].key == 19 &&
              h[0].distance == 0.0f);
        /* not on multi indexes: put, update, upsert */
        memset(&it, 0, sizeof it);
        it.key = 1000;
        it.vector = one;
        CHECK(ruv_index_put(idx, &it, RUV_PUT_INSERT) == RUV_E_UNSUPPORTED);
        CHECK(ruv_index_update(idx, 19, one) == RUV_E_UNSUPPORTED);
        CHECK(ruv_index_upsert(idx, 19, one) == RUV_E_UNSUPPORTED);
        /* remove every third key: all its vectors go */
        for (i = 0; i < s.nk; i += 3) {
            CHECK(ruv_index_remove(idx, i * 3 + 1) == RUV_OK);
            CHECK(!ruv_index_contains(idx, i * 3 + 1));
            removed += 1 + i % 7 + (i * 3 + 1 == 19);
        }
        CHECK(ruv_index_remove(idx, 1) == RUV_E_NOTFOUND);
        CHECK_EQ_INT(ruv_index_count(idx), s.n + 1 - removed);
        while (ruv_index_next(idx, &cursor, &key)) {
            CHECK(key % 9 != 1); /* keys 1, 10, 19, ...: (i * 3 + 1) with i % 3 == 0 */
            seen++;
        }
        CHECK_EQ_INT(seen, s.n + 1 - removed);
        CHECK(ruv_index_search(idx, s.v, 60, NULL, h, &n) == RUV_OK);
        CHECK_EQ_INT(n, s.nk - (s.nk + 2) / 3);
        for (i = 0; i < n; i++)
            CHECK(h[i].key % 9 != 1);
        /* the remaining keys keep their vectors (flat moved slots into the holes) */
        CHECK(ruv_index_get_vectors(idx, 4, out, 8, &n) == RUV_OK && n == 2);
        CHECK(ruv_index_compact(idx) == RUV_OK);
        CHECK(ruv_index_get_vectors(idx, 7, out, 8, &n) == RUV_OK && n == 3);
        CHECK(ruv_index_search(idx, s.v + 3 * 8, 1, NULL, h, &n) == RUV_OK && n == 1 &&
              h[0].key == 7);
        ruv_index_free(idx);
    }
    {
        ruv_index_options o = ruv_index_options_init(4);
        ruv_index *idx = NULL;
        o.multi = 2;
        CHECK(ruv_index_create(&o, &idx) == RUV_E_ARG && !idx);
    }
    mv_free(&s);
}

/* Files: the flag survives save, load and view (same searches; format 1.1, header byte 47), a
   loaded index takes more vectors under a present key; the loader refuses an unknown flag value
   and shared keys in a file without the flag. */
TEST(multi_persist) {
    mv_set s;
    size_t len = 0, q;
    unsigned char *b;
    ruv_index *idx, *back = NULL, *view = NULL;
    REQUIRE(mv_make(&s, 80, 12, 231));
    idx = mv_index(&s, RUV_METRIC_COSINE, RUV_INDEX_HNSW);
    REQUIRE(idx);
    b = save_to_mem(idx, &len);
    REQUIRE(b);
    CHECK(b[10] == 1 && b[47] == 1);
    CHECK(ruv_index_load_buffer(b, len, NULL, &back) == RUV_OK && back);
    CHECK(ruv_index_view(b, len, NULL, &view) == RUV_OK && view);
    REQUIRE(back && view);
    CHECK(ruv_index_config(back).multi == 1);
    for (q = 0; q < 10; q++) {
        ruv_hit h0[10], h1[10], h2[10];
        size_t n0, n1, n2;
        CHECK(ruv_index_search(idx, s.v + q * 12, 10, NULL, h0, &n0) == RUV_OK);
        CHECK(ruv_index_search(back, s.v + q * 12, 10, NULL, h1, &n1) == RUV_OK);
        CHECK(ruv_index_search(view, s.v + q * 12, 10, NULL, h2, &n2) == RUV_OK);
        CHECK(n0 == 10 && same_hits(h0, n0, h1, n1) && same_hits(h0, n0, h2, n2));
    }
    CHECK(ruv_index_add(back, 4, s.v) == RUV_OK);
    {
        size_t n;
        CHECK(ruv_index_get_vectors(back, 4, NULL, 0, &n) == RUV_OK && n == 3);
    }
    ruv_index_free(back);
    ruv_index_free(view);
    back = NULL;
    b[47] = 2;
    reseal(b, len);
    CHECK(ruv_index_load_buffer(b, len, NULL, &back) == RUV_E_CORRUPT && !back);
    b[47] = 0; /* shared keys in a one-vector-per-key file */
    reseal(b, len);
    CHECK(ruv_index_load_buffer(b, len, NULL, &back) == RUV_E_CORRUPT && !back);
    free(b);
    ruv_index_free(idx);
    mv_free(&s);
}
