/* Store operations (put/update/upsert/remove, ids, metadata, iteration) against a reference
   model kept by the test. */
#include "test.h"

#define SM_N 300 /* keys 0..SM_N-1 map to key values k * 7919 + 3 */
#define SM_DIM 9

typedef struct store_model {
    int present[SM_N];
    float vec[SM_N][SM_DIM];
    char id[SM_N][24];
    size_t id_len[SM_N];
    unsigned char meta[SM_N][40];
    size_t meta_len[SM_N];
} store_model;

static uint64_t sm_key(size_t i) { return (uint64_t)i * 7919u + 3u; }

/* Everything the index reports agrees with the model: counts, contains, vectors, ids, metadata,
   id lookup, iteration, and searches (flat: the exact neighbours by double brute force; HNSW:
   only live keys, k of them, recall@10 >= 0.9 against the same brute force). */
static void sm_verify(const ruv_index *idx, const store_model *m, int hnsw, uint64_t *seed) {
    size_t i, live = 0, cur = 0, seen = 0, q, hit = 0, total = 0;
    uint64_t key;
    float v[SM_DIM];
    ruv_stats st;
    for (i = 0; i < SM_N; i++) {
        const char *id;
        const void *meta;
        size_t len;
        uint64_t k2 = 0;
        live += (size_t)m->present[i];
        CHECK_EQ_INT(ruv_index_contains(idx, sm_key(i)), m->present[i]);
        if (!m->present[i]) {
            CHECK(ruv_index_get_vector(idx, sm_key(i), v) == RUV_E_NOTFOUND);
            CHECK(ruv_index_get_id(idx, sm_key(i), &id, &len) == RUV_E_NOTFOUND);
            continue;
        }
        CHECK(ruv_index_get_vector(idx, sm_key(i), v) == RUV_OK);
        CHECK(memcmp(v, m->vec[i], sizeof v) == 0);
        CHECK(ruv_index_get_id(idx, sm_key(i), &id, &len) == RUV_OK);
        CHECK(len == m->id_len[i] && (len == 0 ? id == NULL : memcmp(id, m->id[i], len) == 0));
        CHECK(ruv_index_get_meta(idx, sm_key(i), &meta, &len) == RUV_OK);
        CHECK(len == m->meta_len[i] &&
              (len == 0 ? meta == NULL : memcmp(meta, m->meta[i], len) == 0));
        if (m->id_len[i]) {
            CHECK(ruv_index_get_key(idx, m->id[i], m->id_len[i], &k2) == RUV_OK);
            CHECK(k2 == sm_key(i));
        }
    }
    CHECK_EQ_INT(ruv_index_count(idx), live);
    st = ruv_index_stats(idx);
    CHECK(st.live == live);
    while (ruv_index_next(idx, &cur, &key)) {
        size_t k = (size_t)((key - 3) / 7919);
        CHECK(k < SM_N && sm_key(k) == key && m->present[k]);
        seen++;
    }
    CHECK_EQ_INT(seen, live);
    for (q = 0; q < 20 && live; q++) {
        float qv[SM_DIM];
        ruv_hit h[10];
        size_t n, k = 10, j, want = live < k ? live : k;
        double best[10];
        for (i = 0; i < SM_DIM; i++)
            qv[i] = rng_unit(seed);
        for (j = 0; j < want; j++)
            best[j] = 1e300;
        for (i = 0; i < SM_N; i++) { /* the k smallest distances, sorted */
            double d;
            if (!m->present[i])
                continue;
            d = ref_dist(RUV_METRIC_L2SQ, qv, m->vec[i], SM_DIM);
            for (j = want; j > 0 && best[j - 1] > d; j--)
                if (j < want)
                    best[j] = best[j - 1];
            if (j < want)
                best[j] = d;
        }
        CHECK(ruv_index_search(idx, qv, k, NULL, h, &n) == RUV_OK);
        CHECK_EQ_INT(n, want);
        for (j = 0; j < n; j++) {
            size_t kk = (size_t)((h[j].key - 3) / 7919);
            REQUIRE(kk < SM_N && m->present[kk]);
            double d = ref_dist(RUV_METRIC_L2SQ, qv, m->vec[kk], SM_DIM);
            CHECK(fabs(h[j].distance - d) <= tol(RUV_METRIC_L2SQ, d));
            if (!hnsw)
                CHECK(fabs(d - best[j]) <= tol(RUV_METRIC_L2SQ, best[j]));
            hit += d <= best[want - 1] + tol(RUV_METRIC_L2SQ, best[want - 1]);
            total++;
        }
    }
    CHECK(hit * 10 >= total * 9);
}

/* Random inserts, updates, upserts, id/metadata changes and removals, checked against the model
   after every 100 operations; error cases leave everything as it was. */
static void store_ops_for(ruv_index_kind kind) {
    ruv_index_options cfg = ruv_index_options_init(SM_DIM);
    ruv_index *idx;
    store_model *m = (store_model *)calloc(1, sizeof *m);
    uint64_t seed = 99 + (uint64_t)kind;
    size_t op, i;
    REQUIRE(m);
    cfg.kind = kind;
    cfg.capacity = 8;
    cfg.M = 8;
    REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
    for (op = 0; op < 3000; op++) {
        size_t k = (size_t)(rng_next(&seed) % SM_N), a = (size_t)(rng_next(&seed) % 10);
        ruv_item it;
        float v[SM_DIM];
        char id[24];
        unsigned char meta[40];
        size_t id_len = 0, meta_len = 0;
        ruv_result r, want;
        memset(&it, 0, sizeof it);
        for (i = 0; i < SM_DIM; i++)
            v[i] = rng_unit(&seed);
        if (rng_next(&seed) % 2) {
            id_len = (size_t)snprintf(id, sizeof id, "doc-%zu-%llu", k,
                                      (unsigned long long)(rng_next(&seed) % 3));
        }
        meta_len = (size_t)(rng_next(&seed) % sizeof meta);
        for (i = 0; i < meta_len; i++)
            meta[i] = (unsigned char)rng_next(&seed);
        it.key = sm_key(k);
        if (a < 4) { /* put, mode per a: insert / update / upsert */
            ruv_put_mode mode = (ruv_put_mode)(a % 3);
            size_t other;
            it.vector = (a == 3) ? NULL : v;
            it.id = id_len ? id : NULL;
            it.id_len = id_len;
            it.meta = meta;
            it.meta_len = meta_len;
            if (a == 3)
                mode = RUV_PUT_UPDATE;
            want = RUV_OK;
            if (mode == RUV_PUT_INSERT && m->present[k])
                want = RUV_E_EXISTS;
            if (mode == RUV_PUT_UPDATE && !m->present[k])
                want = RUV_E_NOTFOUND;
            for (other = 0; want == RUV_OK && id_len && other < SM_N; other++)
                if (other != k && m->present[other] && m->id_len[other] == id_len &&
                    memcmp(m->id[other], id, id_len) == 0)
                    want = RUV_E_EXISTS;
            r = ruv_index_put(idx, &it, mode);
            CHECK_EQ_INT(r, want);
            if (r == RUV_OK) {
                if (!m->present[k]) {
                    m->id_len[k] = 0;
                    m->meta_len[k] = 0;
                }
                m->present[k] = 1;
                if (it.vector)
                    memcpy(m->vec[k], v, sizeof v);
                if (id_len) {
                    memcpy(m->id[k], id, id_len);
                    m->id_len[k] = id_len;
                }
                memcpy(m->meta[k], meta, meta_len);
                m->meta_len[k] = meta_len;
            }
        } else if (a < 6) { /* upsert / update of the vector only */
            r = a == 4 ? ruv_index_upsert(idx, it.key, v) : ruv_index_update(idx, it.key, v);
            want = a == 5 && !m->present[k] ? RUV_E_NOTFOUND : RUV_OK;
            CHECK_EQ_INT(r, want);
            if (r == RUV_OK) {
                if (!m->present[k])
                    m->id_len[k] = m->meta_len[k] = 0;
                m->present[k] = 1;
                memcpy(m->vec[k], v, sizeof v);
            }
        } else if (a < 8) { /* remove */
            r = ruv_index_remove(idx, it.key);
            CHECK_EQ_INT(r, m->present[k] ? RUV_OK : RUV_E_NOTFOUND);
            m->present[k] = 0;
        } else if (a == 8) { /* clear the id and metadata of a present key */
            it.id = "";
            it.meta = "";
            r = ruv_index_put(idx, &it, RUV_PUT_UPDATE);
            CHECK_EQ_INT(r, m->present[k] ? RUV_OK : RUV_E_NOTFOUND);
            m->id_len[k] = m->meta_len[k] = 0;
        } else { /* invalid input: nothing changes */
            float bad[SM_DIM];
            char longid[RUV_MAX_ID_BYTES + 1];
            memcpy(bad, v, sizeof v);
            bad[k % SM_DIM] = NAN;
            CHECK(ruv_index_upsert(idx, it.key, bad) == RUV_E_VALUE);
            it.vector = v;
            memset(longid, 'x', sizeof longid);
            it.id = longid;
            it.id_len = sizeof longid;
            CHECK(ruv_index_put(idx, &it, RUV_PUT_UPSERT) == RUV_E_ARG);
            CHECK(ruv_index_put(idx, &it, (ruv_put_mode)7) == RUV_E_ARG);
            it.vector = NULL;
            it.id = NULL;
            if (!m->present[k])
                CHECK(ruv_index_put(idx, &it, RUV_PUT_UPSERT) == RUV_E_ARG);
        }
        if (op % 100 == 99)
            sm_verify(idx, m, kind == RUV_INDEX_HNSW, &seed);
    }
    ruv_index_free(idx);
    free(m);
}

TEST(store_ops_flat) { store_ops_for(RUV_INDEX_FLAT); }

TEST(store_ops_hnsw) { store_ops_for(RUV_INDEX_HNSW); }

/* An allocator that refuses any single block above a size (as a 32-bit heap near its end does). */
static size_t g_block_limit;
static void *limited_alloc(void *user, size_t size) {
    (void)user;
    return size > g_block_limit ? NULL : malloc(size);
}
static void limited_free(void *user, void *p, size_t size) {
    (void)user;
    (void)size;
    free(p);
}

/* Growth near the memory limit: when the usual step (doubling) cannot be had, the arrays grow by
   less, down to exactly what is needed, so an index fills all the room there is; past it, adds
   fail with RUV_E_NOMEM and leave the index as it was. With a 1 KiB slot and blocks of at most
   300 slots (plus alignment), 300 entries fit (doubling alone stops at 256). ruv_index_reserve
   takes exactly what it is asked for. */
TEST(store_growth_near_limit) {
    const size_t dim = 256, room = 300;
    ruv_index_options o = ruv_index_options_init((uint32_t)dim);
    ruv_index *idx = NULL;
    float *v = random_vecs(400, dim, 3);
    size_t i, n = 0;
    ruv_result r = RUV_OK;
    ruv_hit h[1];
    REQUIRE(v != NULL);
    g_block_limit = room * dim * sizeof(float) + 64 + sizeof(void *);
    o.alloc.alloc = limited_alloc;
    o.alloc.free = limited_free;
    o.capacity = 16;
    REQUIRE(ruv_index_create(&o, &idx) == RUV_OK);
    for (i = 0; i < 400 && (r = ruv_index_add(idx, i, v + i * dim)) == RUV_OK; i++)
        ;
    CHECK_EQ_INT(r, RUV_E_NOMEM);
    CHECK_EQ_INT(i, room);
    CHECK_EQ_INT(ruv_index_count(idx), room);
    CHECK_EQ_INT(ruv_index_stats(idx).capacity, room);
    for (i = 0; i < room; i += 37) { /* every entry still there, found exactly */
        CHECK_EQ_INT(ruv_index_search(idx, v + i * dim, 1, NULL, h, &n), RUV_OK);
        CHECK(n == 1 && h[0].key == i && h[0].distance == 0.0f);
    }
    ruv_index_free(idx);
    REQUIRE(ruv_index_create(&o, &idx) == RUV_OK);
    CHECK_EQ_INT(ruv_index_reserve(idx, room + 1), RUV_E_NOMEM);
    CHECK_EQ_INT(ruv_index_reserve(idx, 250), RUV_OK);
    CHECK_EQ_INT(ruv_index_stats(idx).capacity, 250);
    CHECK_EQ_INT(ruv_index_reserve(idx, 100), RUV_OK); /* at or below capacity: nothing */
    CHECK_EQ_INT(ruv_index_stats(idx).capacity, 250);
    CHECK_EQ_INT(ruv_index_reserve(idx, (size_t)RUV_MAX_COUNT + 1), RUV_E_FULL);
    CHECK_EQ_INT(ruv_index_reserve(NULL, 10), RUV_E_ARG);
    ruv_index_free(idx);
    free(v);
}

/* Capacity as documented (ruv_index_reserve): exactly the capacity asked for at creation (the
   first version of a batch-size rule doubled it); adds past it double it, as often as a batch
   needs; both index kinds. */
TEST(store_capacity_growth) {
    size_t dim = 8, i, k;
    float *v = random_vecs(1200, dim, 5);
    uint64_t *keys = (uint64_t *)malloc(1200 * sizeof *keys);
    REQUIRE(v && keys);
    for (i = 0; i < 1200; i++)
        keys[i] = i;
    for (k = 0; k < 2; k++) {
        ruv_index_options o = ruv_index_options_init((uint32_t)dim);
        ruv_index *idx = NULL;
        o.kind = k ? RUV_INDEX_HNSW : RUV_INDEX_FLAT;
        o.capacity = 100;
        REQUIRE(ruv_index_create(&o, &idx) == RUV_OK);
        CHECK_EQ_INT(ruv_index_stats(idx).capacity, 100);
        for (i = 0; i < 100; i++)
            REQUIRE(ruv_index_add(idx, keys[i], v + i * dim) == RUV_OK);
        CHECK_EQ_INT(ruv_index_stats(idx).capacity, 100);
        REQUIRE(ruv_index_add(idx, keys[100], v + 100 * dim) == RUV_OK);
        CHECK_EQ_INT(ruv_index_stats(idx).capacity, 200);
        REQUIRE(ruv_index_add_batch(idx, 1000, keys + 101, v + 101 * dim, NULL) == RUV_OK);
        CHECK_EQ_INT(ruv_index_stats(idx).capacity, 1600);
        REQUIRE(ruv_index_add_batch(idx, 99, keys + 1101, v + 1101 * dim, NULL) == RUV_OK);
        CHECK_EQ_INT(ruv_index_stats(idx).capacity, 1600);
        CHECK_EQ_INT(ruv_index_count(idx), 1200);
        ruv_index_free(idx);
    }
    free(v);
    free(keys);
}
