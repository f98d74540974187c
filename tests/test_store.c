/* Store and persistence tests, included by test_main.c (uses its driver, references, tally
   allocator). Expected values come from a plain reference model kept by the test, from double
   precision brute force, or from an independent XXH64 (libxxhash 0.8.1). */

/* ---- checksum ----------------------------------------------------------------------------- */
/* XXH64 of bytes (i * 7 + 3) & 0xFF, i = 0..n-1, from libxxhash 0.8.1 (Debian libxxhash0). */
TEST(xxh64_vectors) {
    static const struct {
        size_t n;
        uint64_t seed, want;
    } v[] = {{0, 0, 0xef46db3751d8e999ull},      {1, 0, 0x1f25c8d0bc1f4bb6ull},
             {3, 0, 0x31d2363f52e564c9ull},      {4, 0, 0x9bb64b7d66ee9fdaull},
             {8, 0, 0xdab99d95c6f90092ull},      {13, 0, 0xf78b031308f5bfc8ull},
             {31, 0, 0xa2aa5f33cc4a6119ull},     {32, 0, 0x23c3c17ef790fd97ull},
             {33, 0, 0x50a7cfc7ba588784ull},     {63, 0, 0x5e3e54b431c7493cull},
             {64, 0, 0x0eb64b3ef6eeb01full},     {100, 0, 0xa61f8d4c170fe531ull},
             {299, 0, 0x5e6f8a0c9110e74eull},    {300, 0, 0x240004dbee0ba6dcull},
             {300, 12345, 0x3b45f71459bc8fafull}};
    unsigned char data[300];
    size_t i, j, step;
    for (i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)((i * 7 + 3) & 0xFF);
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        CHECK(ruv__xxh64(data, v[i].n, v[i].seed) == v[i].want);
        for (step = 1; step <= 40; step += 13) { /* streamed in pieces */
            ruv__xxh h;
            ruv__xxh_init(&h, v[i].seed);
            for (j = 0; j < v[i].n; j += step)
                ruv__xxh_update(&h, data + j, v[i].n - j < step ? v[i].n - j : step);
            CHECK(ruv__xxh_final(&h) == v[i].want);
        }
    }
}

/* ---- store operations against a reference model ----------------------------------------- */
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
            CHECK(ruv_index_find_id(idx, m->id[i], m->id_len[i], &k2) == RUV_OK);
            CHECK(k2 == sm_key(i));
        }
    }
    CHECK_EQ_INT(ruv_index_count(idx), live);
    CHECK(ruv_index_stats(idx, &st) == RUV_OK && st.live == live);
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
    ruv_config cfg = ruv_config_init(SM_DIM);
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

/* ---- persistence: round trips on real data ---------------------------------------------- */
static unsigned char *save_to_mem(const ruv_index *idx, size_t *len) {
    size_t need = ruv_index_serialized_size(idx), got = 0;
    unsigned char *b = (unsigned char *)malloc(need ? need : 1);
    *len = 0;
    if (!b || ruv_index_save_buffer(idx, b, need, &got) != RUV_OK || got != need) {
        free(b);
        return NULL;
    }
    *len = got;
    return b;
}

/* Same hits (keys and bit-identical distances) for every query. */
static int same_searches(const ruv_index *a, const ruv_index *b, const float *qs, size_t nq) {
    size_t q, i;
    for (q = 0; q < nq; q++) {
        ruv_hit ha[10], hb[10];
        size_t na, nb;
        size_t dim = ruv_index_dim(a);
        if (ruv_index_search(a, qs + q * dim, 10, NULL, ha, &na) != RUV_OK ||
            ruv_index_search(b, qs + q * dim, 10, NULL, hb, &nb) != RUV_OK || na != nb)
            return 0;
        for (i = 0; i < na; i++)
            if (ha[i].key != hb[i].key || memcmp(&ha[i].distance, &hb[i].distance, 4) != 0)
                return 0;
    }
    return 1;
}

/* fiori (cosine): ids on every third entry, metadata on every fifth, 10% removed; then
   save -> load gives identical searches and getters, saving the loaded index gives identical
   bytes, a view searches like the loaded index, and the file path round trip agrees. */
static void persist_roundtrip_for(ruv_index_kind kind, const char *file) {
    size_t nb, dim, nq, qd, i, len1, len2, len3;
    float *base = load_f(0, "fiori_base.fvecs", 0, &nb, &dim);
    float *qs = load_f(0, "fiori_query.fvecs", 0, &nq, &qd);
    ruv_config cfg;
    ruv_index *idx = NULL, *ld = NULL, *vw = NULL, *fl = NULL;
    unsigned char *b1 = NULL, *b2 = NULL, *b3 = NULL;
    ruv_load_options opt;
    REQUIRE(base && qs && qd == dim);
    cfg = ruv_config_init((uint32_t)dim);
    cfg.kind = kind;
    cfg.metric = RUV_METRIC_COSINE;
    REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
    for (i = 0; i < nb; i++) {
        ruv_item it;
        char id[32], meta[64];
        memset(&it, 0, sizeof it);
        it.key = 1000 + i;
        it.vector = base + i * dim;
        if (i % 3 == 0) {
            it.id_len = (size_t)snprintf(id, sizeof id, "fiori-%zu", i);
            it.id = id;
        }
        if (i % 5 == 0) {
            it.meta_len = (size_t)snprintf(meta, sizeof meta, "{\"row\":%zu}", i);
            it.meta = meta;
        }
        CHECK(ruv_index_put(idx, &it, RUV_PUT_INSERT) == RUV_OK);
    }
    for (i = 0; i < nb; i += 10)
        CHECK(ruv_index_remove(idx, 1000 + i) == RUV_OK);
    b1 = save_to_mem(idx, &len1);
    REQUIRE(b1);
    memset(&opt, 0, sizeof opt);
    opt.expect_dim = (uint32_t)dim;
    REQUIRE(ruv_index_load_buffer(b1, len1, &opt, &ld) == RUV_OK);
    CHECK(same_searches(idx, ld, qs, nq));
    CHECK_EQ_INT(ruv_index_count(ld), ruv_index_count(idx));
    for (i = 0; i < nb; i++) {
        const char *id1, *id2;
        const void *m1, *m2;
        size_t l1, l2, l3, l4;
        float v1[512], v2[512];
        uint64_t k = 1000 + i;
        REQUIRE(dim <= 512);
        CHECK_EQ_INT(ruv_index_contains(ld, k), i % 10 != 0);
        if (i % 10 == 0)
            continue;
        CHECK(ruv_index_get_vector(idx, k, v1) == RUV_OK);
        CHECK(ruv_index_get_vector(ld, k, v2) == RUV_OK);
        CHECK(memcmp(v1, v2, dim * sizeof *v1) == 0);
        CHECK(ruv_index_get_id(ld, k, &id1, &l1) == RUV_OK);
        CHECK(ruv_index_get_id(idx, k, &id2, &l2) == RUV_OK);
        CHECK(l1 == l2 && (l1 == 0 || memcmp(id1, id2, l1) == 0));
        CHECK((i % 3 == 0) == (l1 > 0));
        CHECK(ruv_index_get_meta(ld, k, &m1, &l3) == RUV_OK);
        CHECK(ruv_index_get_meta(idx, k, &m2, &l4) == RUV_OK);
        CHECK(l3 == l4 && (l3 == 0 || memcmp(m1, m2, l3) == 0));
        CHECK((i % 5 == 0) == (l3 > 0));
    }
    {
        uint64_t k = 0;
        CHECK(ruv_index_find_id(ld, "fiori-3", 7, &k) == RUV_OK && k == 1003);
        CHECK(ruv_index_find_id(ld, "fiori-30", 8, &k) == RUV_E_NOTFOUND); /* removed */
    }
    /* saving the loaded index gives the same bytes */
    b2 = save_to_mem(ld, &len2);
    CHECK(b2 && len2 == len1 && memcmp(b1, b2, len1) == 0);
    /* a view over the bytes searches like the loaded index, saves the same bytes, refuses writes */
    CHECK(ruv_index_view(b1, len1, NULL, &vw) == RUV_OK);
    if (vw) {
        ruv_stats st;
        float *v = base;
        uint64_t kfive = 5;
        CHECK(same_searches(ld, vw, qs, nq));
        b3 = save_to_mem(vw, &len3);
        CHECK(b3 && len3 == len1 && memcmp(b1, b3, len1) == 0);
        CHECK(ruv_index_add(vw, 5, v) == RUV_E_READONLY);
        CHECK(ruv_index_upsert(vw, 1001, v) == RUV_E_READONLY);
        CHECK(ruv_index_remove(vw, 1001) == RUV_E_READONLY);
        CHECK(ruv_index_add_batch(vw, 1, &kfive, v) == RUV_E_READONLY);
        CHECK(ruv_index_stats(vw, &st) == RUV_OK && st.readonly == 1);
        /* the view owns only its struct and scratch */
        CHECK(ruv_index_memory_usage(vw) < ruv_index_memory_usage(ld) / 4);
    }
    /* file round trip */
    CHECK(ruv_index_save_file(idx, file) == RUV_OK);
    CHECK(ruv_index_load_file(file, NULL, &fl) == RUV_OK);
    if (fl) {
        CHECK(same_searches(idx, fl, qs, nq));
        free(b2);
        b2 = save_to_mem(fl, &len2);
        CHECK(b2 && len2 == len1 && memcmp(b1, b2, len1) == 0);
    }
    {
        char tmp[512];
        FILE *f;
        snprintf(tmp, sizeof tmp, "%s.ruvtmp", file);
        f = fopen(tmp, "rb");
        CHECK(f == NULL); /* no temporary left behind */
        if (f)
            fclose(f);
    }
    remove(file);
    ruv_index_free(fl);
    fl = NULL;
    CHECK(ruv_index_save_file(idx, "no-such-dir/x/index.ruv") == RUV_E_IO);
    CHECK(ruv_index_load_file("no-such-dir/x/index.ruv", NULL, &fl) == RUV_E_IO && fl == NULL);
    opt.expect_dim = (uint32_t)dim + 1;
    CHECK(ruv_index_load_buffer(b1, len1, &opt, &fl) == RUV_E_DIM && fl == NULL);
    CHECK(ruv_index_view(b1, len1, &opt, &fl) == RUV_E_DIM && fl == NULL);
    /* the loaded index stays writable and agrees with the original after the same writes */
    for (i = 0; i < 50; i++) {
        CHECK(ruv_index_remove(ld, 1001 + i * 7) == ruv_index_remove(idx, 1001 + i * 7));
        CHECK(ruv_index_upsert(ld, 1000 + i * 10, base + i * dim) == RUV_OK);
        CHECK(ruv_index_upsert(idx, 1000 + i * 10, base + i * dim) == RUV_OK);
    }
    CHECK(same_searches(idx, ld, qs, nq));
    ruv_index_free(fl);
    ruv_index_free(vw);
    ruv_index_free(ld);
    ruv_index_free(idx);
    free(b1);
    free(b2);
    free(b3);
    free(base);
    free(qs);
}

TEST(persist_roundtrip_flat) { persist_roundtrip_for(RUV_INDEX_FLAT, "ruv_test_flat.ruv"); }

TEST(persist_roundtrip_hnsw) { persist_roundtrip_for(RUV_INDEX_HNSW, "ruv_test_hnsw.ruv"); }

/* ---- persistence: bad input ------------------------------------------------------------- */
/* A small HNSW index with ids, metadata and a deleted node, saved; *len bytes. */
static unsigned char *small_saved(size_t *len, ruv_index_kind kind) {
    ruv_config cfg = ruv_config_init(6);
    ruv_index *idx;
    float *v = random_vecs(40, 6, 5);
    unsigned char *b = NULL;
    size_t i;
    cfg.kind = kind;
    cfg.M = 4;
    if (v && ruv_index_create(&cfg, &idx) == RUV_OK) {
        for (i = 0; i < 40; i++) {
            ruv_item it;
            char id[16];
            memset(&it, 0, sizeof it);
            it.key = i * 3;
            it.vector = v + i * 6;
            it.id_len = (size_t)snprintf(id, sizeof id, "id%zu", i);
            it.id = i % 2 ? id : NULL;
            it.meta = i % 3 ? "meta" : NULL;
            it.meta_len = 4;
            ruv_index_put(idx, &it, RUV_PUT_INSERT);
        }
        ruv_index_remove(idx, 9);
        b = save_to_mem(idx, len);
        ruv_index_free(idx);
    }
    free(v);
    return b;
}

/* Recomputes the section and header checksums after a deliberate edit. */
static void reseal(unsigned char *b, size_t len) {
    uint32_t n = ruv__le_rd32(b + 20), i;
    for (i = 0; i < n; i++) {
        unsigned char *e = b + RUV__HDR + i * RUV__SECENT;
        uint64_t off = ruv__le_rd64(e + 8), sl = ruv__le_rd64(e + 16);
        if (off <= len && sl <= len - off)
            ruv__le_wr64(e + 24, ruv__xxh64(b + off, (size_t)sl, 0));
    }
    memset(b + 120, 0, 8);
    ruv__le_wr64(b + 120, ruv__xxh64(b, RUV__HDR + n * RUV__SECENT, 0));
}

/* Offset of section id's bytes (0 if absent). */
static size_t sec_off(const unsigned char *b, uint32_t id, size_t *len) {
    uint32_t n = ruv__le_rd32(b + 20), i;
    for (i = 0; i < n; i++) {
        const unsigned char *e = b + RUV__HDR + i * RUV__SECENT;
        if (ruv__le_rd32(e) == id) {
            *len = (size_t)ruv__le_rd64(e + 16);
            return (size_t)ruv__le_rd64(e + 8);
        }
    }
    return 0;
}

/* load and view of buf both give want (and nothing leaks: the tally allocator ends at 0). */
static void expect_both(const unsigned char *buf, size_t len, ruv_result want, const char *what) {
    tally t;
    ruv_load_options o;
    ruv_index *idx = NULL;
    ruv_result a, b;
    unsigned char *copy = (unsigned char *)malloc(len ? len : 1);
    if (!copy)
        return;
    memcpy(copy, buf, len);
    memset(&t, 0, sizeof t);
    memset(&o, 0, sizeof o);
    o.alloc.alloc = tally_alloc;
    o.alloc.free = tally_free;
    o.alloc.user = &t;
    a = ruv_index_load_buffer(copy, len, &o, &idx);
    ruv_index_free(idx);
    idx = NULL;
    b = ruv_index_view(copy, len, &o, &idx);
    ruv_index_free(idx);
    if (a != want || b != want || t.live != 0) {
        printf("  %s: load %d, view %d, expected %d (live bytes %zu)\n", what, (int)a, (int)b,
               (int)want, t.live);
        g_failed_checks++;
    }
    free(copy);
}

TEST(persist_corrupt) {
    size_t len = 0, i, off, slen, bad = 0;
    unsigned char *b = small_saved(&len, RUV_INDEX_HNSW), *c;
    char what[64];
    REQUIRE(b);
    c = (unsigned char *)malloc(len);
    REQUIRE(c);
    expect_both(b, len, RUV_OK, "intact");
    /* every truncation */
    for (i = 0; i < len; i++) {
        snprintf(what, sizeof what, "truncated to %zu", i);
        expect_both(b, i, RUV_E_TRUNCATED, what);
    }
    /* every byte with one bit flipped: always an error (checksum, or zero padding) */
    for (i = 0; i < len; i++) {
        tally t;
        ruv_load_options o;
        ruv_index *idx = NULL;
        memcpy(c, b, len);
        c[i] ^= (unsigned char)(1u << (i % 8));
        memset(&t, 0, sizeof t);
        memset(&o, 0, sizeof o);
        o.alloc.alloc = tally_alloc;
        o.alloc.free = tally_free;
        o.alloc.user = &t;
        if (ruv_index_load_buffer(c, len, &o, &idx) == RUV_OK ||
            ruv_index_view(c, len, &o, &idx) == RUV_OK || t.live != 0)
            bad++;
        ruv_index_free(idx);
    }
    CHECK_EQ_INT(bad, 0);
    /* specific header errors */
    memcpy(c, b, len);
    c[0] = 'X';
    expect_both(c, len, RUV_E_FORMAT, "magic");
    memcpy(c, b, len);
    c[8] = 2;
    expect_both(c, len, RUV_E_VERSION, "version 2");
    memcpy(c, b, len);
    ruv__le_wr32(c + 12, 0x04030201u);
    expect_both(c, len, RUV_E_ENDIAN, "big-endian");
    memcpy(c, b, len);
    c[40] ^= 1;
    expect_both(c, len, RUV_E_CHECKSUM, "field changed, checksum kept");
    /* consistent checksums, inconsistent contents */
    memcpy(c, b, len);
    ruv__le_wr64(c + 80, (uint64_t)1 << 40); /* count */
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "huge count");
    memcpy(c, b, len);
    ruv__le_wr64(c + 88, ruv__le_rd64(c + 80) + 1); /* live > count */
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "live > count");
    memcpy(c, b, len);
    ruv__le_wr32(c + 32, 64); /* dim: stride and section sizes disagree */
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "dim");
    memcpy(c, b, len);
    ruv__le_wr64(c + RUV__HDR + 16, (uint64_t)-64); /* first section length overflows */
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "section length");
    memcpy(c, b, len);
    ruv__le_wr64(c + RUV__HDR + 8, ruv__le_rd64(c + RUV__HDR + 8) + 64); /* offset moved */
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "section offset");
    memcpy(c, b, len);
    ruv__le_wr32(c + 20, 2); /* sections missing */
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "missing sections");
    /* a level-0 link out of range */
    memcpy(c, b, len);
    off = sec_off(c, RUV__S_SLOTS, &slen);
    REQUIRE(off && ruv__le_rd32(c + off) > 0);
    ruv__le_wr32(c + off + 4, 40);
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "link out of range");
    /* a link count above 2M */
    memcpy(c, b, len);
    ruv__le_wr32(c + off, 9);
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "link count");
    /* a key table entry emptied */
    memcpy(c, b, len);
    off = sec_off(c, RUV__S_KEYTAB, &slen);
    for (i = 0; i < slen / 4 && ruv__le_rd32(c + off + 4 * i) == RUV__NONE; i++)
        ;
    REQUIRE(i < slen / 4);
    ruv__le_wr32(c + off + 4 * i, RUV__NONE);
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "key table");
    /* a key table full of entries (no empty slot to end a probe) */
    memcpy(c, b, len);
    for (i = 0; i < slen / 4; i++)
        ruv__le_wr32(c + off + 4 * i, 0);
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "full key table");
    /* a metadata reference past its bytes */
    memcpy(c, b, len);
    off = sec_off(c, RUV__S_METAREF, &slen);
    REQUIRE(off);
    ruv__le_wr32(c + off + 8, 1000000);
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "metadata reference");
    /* a level above the top level */
    memcpy(c, b, len);
    off = sec_off(c, RUV__S_LEVELS, &slen);
    REQUIRE(off);
    c[off] = 30;
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "level");
    /* non-zero padding */
    memcpy(c, b, len);
    c[RUV__HDR + ruv__le_rd32(c + 20) * RUV__SECENT] = 1;
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "padding");
    /* bytes after the index are ignored */
    {
        unsigned char *e = (unsigned char *)calloc(len + 100, 1);
        REQUIRE(e);
        memcpy(e, b, len);
        expect_both(e, len + 100, RUV_OK, "trailing bytes");
        free(e);
    }
    /* bad arguments */
    {
        ruv_index *idx = (ruv_index *)&len;
        ruv_load_options o;
        CHECK(ruv_index_view(b + 4, len - 4, NULL, &idx) == RUV_E_ARG && idx == NULL);
        CHECK(ruv_index_load_buffer(NULL, 5, NULL, &idx) == RUV_E_ARG);
        CHECK(ruv_index_load_buffer(b, len, NULL, NULL) == RUV_E_ARG);
        memset(&o, 0, sizeof o);
        o.isa = (ruv_isa)99;
        CHECK(ruv_index_load_buffer(b, len, &o, &idx) == RUV_E_ARG);
        CHECK(ruv_index_save_buffer(NULL, c, len, &i) == RUV_E_ARG);
        CHECK(ruv_index_save_buffer(NULL, c, len, NULL) == RUV_E_ARG);
    }
    free(b);
    free(c);
}

/* ---- allocation failure in store writes, load, view and save ---------------------------- */
TEST(alloc_failure_store) {
    size_t len, f, n0, n1, i;
    unsigned char *b = small_saved(&len, RUV_INDEX_HNSW), *before, *after;
    tally t;
    ruv_load_options o;
    ruv_index *idx = NULL;
    ruv_result r;
    float v[6] = {1, 2, 3, 4, 5, 6};
    REQUIRE(b);
    memset(&t, 0, sizeof t);
    memset(&o, 0, sizeof o);
    o.alloc.alloc = tally_alloc;
    o.alloc.free = tally_free;
    o.alloc.user = &t;
    /* load and view: every allocation in turn */
    for (f = 1;; f++) {
        t.fail_at = f;
        t.calls = 0;
        r = ruv_index_load_buffer(b, len, &o, &idx);
        if (r == RUV_OK)
            break;
        CHECK(r == RUV_E_NOMEM && idx == NULL && t.live == 0);
    }
    CHECK(f > 5);
    ruv_index_free(idx);
    for (f = 1;; f++) {
        t.fail_at = f;
        t.calls = 0;
        r = ruv_index_view(b, len, &o, &idx);
        if (r == RUV_OK)
            break;
        CHECK(r == RUV_E_NOMEM && idx == NULL && t.live == 0);
    }
    ruv_index_free(idx);
    CHECK(t.live == 0);
    /* writes on a loaded index: put with a new id and metadata (grows every array),
       an HNSW update, then a save to a file; each failure leaves identical saved bytes */
    t.fail_at = 0;
    REQUIRE(ruv_index_load_buffer(b, len, &o, &idx) == RUV_OK);
    before = save_to_mem(idx, &n0);
    REQUIRE(before);
    for (i = 0; i < 3; i++) {
        for (f = 1;; f++) {
            ruv_item it;
            memset(&it, 0, sizeof it);
            it.key = i == 2 ? 3 : 1000 + i;
            it.vector = v;
            it.id = i == 0 ? "a-new-id" : i == 1 ? "another" : "third";
            it.id_len = strlen(it.id);
            it.meta = "0123456789012345678901234567890123456789";
            it.meta_len = 40;
            t.fail_at = f;
            t.calls = 0;
            r = ruv_index_put(idx, &it, RUV_PUT_UPSERT);
            t.fail_at = 0;
            if (r == RUV_OK)
                break;
            CHECK_EQ_INT(r, RUV_E_NOMEM);
            if (r != RUV_E_NOMEM)
                break;
            after = save_to_mem(idx, &n1);
            CHECK(after && n1 == n0 && memcmp(before, after, n0) == 0);
            free(after);
        }
        free(before);
        before = save_to_mem(idx, &n0);
        REQUIRE(before);
    }
    for (f = 1;; f++) {
        t.fail_at = f;
        t.calls = 0;
        r = ruv_index_save_file(idx, "ruv_test_alloc.ruv");
        t.fail_at = 0;
        if (r == RUV_OK)
            break;
        CHECK(r == RUV_E_NOMEM);
    }
    {
        ruv_index *fl = NULL;
        CHECK(ruv_index_load_file("ruv_test_alloc.ruv", NULL, &fl) == RUV_OK);
        after = fl ? save_to_mem(fl, &n1) : NULL;
        CHECK(after && n1 == n0 && memcmp(before, after, n0) == 0);
        free(after);
        ruv_index_free(fl);
        remove("ruv_test_alloc.ruv");
    }
    /* saving to memory and removing allocate nothing */
    t.calls = 0;
    t.fail_at = 1;
    after = (unsigned char *)malloc(n0);
    REQUIRE(after);
    CHECK(ruv_index_save_buffer(idx, after, n0, &n1) == RUV_OK && n1 == n0);
    CHECK(memcmp(before, after, n0) == 0);
    CHECK(ruv_index_save_buffer(idx, after, n0 - 1, &n1) == RUV_E_SPACE && n1 == n0);
    CHECK(ruv_index_remove(idx, 3) == RUV_OK);
    CHECK(t.calls == 0);
    t.fail_at = 0;
    free(after);
    free(before);
    ruv_index_free(idx);
    CHECK(t.live == 0);
    free(b);
}

/* ---- HNSW deletion quality ---------------------------------------------------------------- */
/* Recall@10 (ef 64) of idx against the exact neighbours in truth (nq x 10 keys). */
static double recall_vs(const ruv_index *idx, const float *qs, size_t nq, const uint64_t *truth) {
    uint64_t *found = (uint64_t *)malloc(nq * 10 * sizeof *found);
    size_t *cnt = (size_t *)malloc(nq * sizeof *cnt), q, i, j, hit = 0;
    double r = -1;
    if (found && cnt && search_all(idx, qs, nq, 10, 64, found, cnt)) {
        for (q = 0; q < nq; q++)
            for (i = 0; i < cnt[q]; i++)
                for (j = 0; j < 10; j++)
                    if (found[q * 10 + i] == truth[q * 10 + j]) {
                        hit++;
                        break;
                    }
        r = (double)hit / (double)(nq * 10);
    }
    free(found);
    free(cnt);
    return r;
}

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
        CHECK(ruv_index_stats(idx, &st) == RUV_OK);
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
    CHECK(ruv_index_stats(idx, &st) == RUV_OK && st.deleted == st.free_slots);
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
        ruv_search_params p;
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
        ruv_config cfg = ruv_config_init((uint32_t)dim);
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
        CHECK(ruv_index_add_batch_ex(idx, 3000, keys, base, &o) == RUV_OK);
        CHECK(pl.calls > 0 && pl.bad == 0 && pl.last == 3000 && pl.total == 3000);
        memset(&pl, 0, sizeof pl);
        CHECK(ruv_index_add_batch_ex(idx, nb - 3000, keys + 3000, base + 3000 * dim, &o) == RUV_OK);
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

#if RUV__THREADS
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
    ruv_search_params p;
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
#if RUV__THREADS
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

/* The file format is little-endian. A little-endian host saves and loads, and a file whose
   byte-order mark is reversed (what a big-endian writer would produce) is RUV_E_ENDIAN; a
   big-endian host refuses to save or load with RUV_E_UNSUPPORTED (documented). On both, the
   in-memory index answers exactly (against a double-precision scan). Run under qemu-s390x in
   CI. */
TEST(byte_order) {
    const uint16_t one = 1;
    int le = *(const unsigned char *)&one == 1;
    float v[64][8];
    uint64_t rng = 7, key;
    ruv_config cfg = ruv_config_init(8);
    ruv_index *idx = NULL, *back = NULL;
    unsigned char *buf;
    size_t size, written = 0, i, d, q;
    REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
    for (key = 0; key < 64; key++)
        for (d = 0; d < 8; d++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            v[key][d] = (float)((double)(rng >> 40) / 16777216.0 - 0.5);
        }
    for (key = 0; key < 64; key++)
        CHECK(ruv_index_add(idx, key, v[key]) == RUV_OK);
    for (q = 0; q < 8; q++) { /* query = a perturbed base vector; nearest by double scan */
        float qv[8];
        double best = 1e300;
        size_t want = 0, n = 0;
        ruv_hit hit;
        for (d = 0; d < 8; d++)
            qv[d] = v[q * 7][d] + 0.01f * (float)d;
        for (i = 0; i < 64; i++) {
            double s = 0;
            for (d = 0; d < 8; d++)
                s += ((double)qv[d] - v[i][d]) * ((double)qv[d] - v[i][d]);
            if (s < best)
                best = s, want = i;
        }
        CHECK(ruv_index_search(idx, qv, 1, NULL, &hit, &n) == RUV_OK && n == 1);
        CHECK_EQ_INT(hit.key, want);
    }
    size = ruv_index_serialized_size(idx);
    buf = (unsigned char *)malloc(size);
    REQUIRE(buf);
    if (le) {
        CHECK(ruv_index_save_buffer(idx, buf, size, &written) == RUV_OK && written == size);
        CHECK(ruv_index_load_buffer(buf, size, NULL, &back) == RUV_OK);
        CHECK_EQ_INT(ruv_index_count(back), 64);
        ruv_index_free(back);
        back = NULL;
        for (i = 0; i < 2; i++) { /* bytes 12..15: the mark 0x01020304, reversed */
            unsigned char t = buf[12 + i];
            buf[12 + i] = buf[15 - i];
            buf[15 - i] = t;
        }
        CHECK_EQ_INT(ruv_index_load_buffer(buf, size, NULL, &back), RUV_E_ENDIAN);
    } else {
        CHECK_EQ_INT(ruv_index_save_buffer(idx, buf, size, &written), RUV_E_UNSUPPORTED);
        memset(buf, 0, size);
        memcpy(buf, "RUVECIDX", 8);
        CHECK_EQ_INT(ruv_index_load_buffer(buf, size, NULL, &back), RUV_E_UNSUPPORTED);
        CHECK_EQ_INT(ruv_index_view(buf, size, NULL, &back), RUV_E_UNSUPPORTED);
    }
    CHECK(back == NULL);
    printf("  %s-endian host\n", le ? "little" : "big");
    free(buf);
    ruv_index_free(idx);
}
