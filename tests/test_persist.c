/* Persistence: the checksum, save/load/view round trips on real data, damaged files, allocation
   failure in store writes, load, view and save, and the byte order. Saved files are inspected
   and edited with the test's own little-endian helpers, the format's constants and an independent
   XXH64 (test_util.c). */
#include "test.h"

/* ---- checksum ----------------------------------------------------------------------------- */
static unsigned char *small_saved(size_t *len, ruv_index_kind kind);

/* The test's XXH64 of n bytes, in one piece and streamed in pieces of 1, 14, 27 and 40 bytes. */
static void xxh_check(const unsigned char *data, size_t n, uint64_t seed, uint64_t want) {
    size_t j, step;
    CHECK(test_xxh64_hash(data, n, seed) == want);
    for (step = 1; step <= 40; step += 13) { /* streamed in pieces */
        test_xxh64 h;
        test_xxh64_init(&h, seed);
        for (j = 0; j < n; j += step)
            test_xxh64_update(&h, data + j, n - j < step ? n - j : step);
        CHECK(test_xxh64_final(&h) == want);
    }
}

/* The tests' own XXH64 (test_util.c) against published vectors: xxHash's sanity check (xxhsum,
   a 101-byte generated buffer, seeds 0 and 2654435761), three strings, and bytes
   (i * 7 + 3) & 0xFF, i = 0..n-1, from libxxhash 0.8.1 (Debian libxxhash0); then, where files
   can be saved (little-endian hosts), the library's checksums in a saved file, of the header and
   of every section, equal that reference. */
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
             {300, 12345, 0x3b45f71459bc8fafull}},
      sanity[] = {{0, 0, 0xEF46DB3751D8E999ull},   {0, 2654435761u, 0xAC75FDA2929B17EFull},
                  {1, 0, 0x4FCE394CC88952D8ull},   {1, 2654435761u, 0x739840CB819FA723ull},
                  {14, 0, 0xCFFA8DB881BC3A3Dull},  {14, 2654435761u, 0x5B9611585EFCC9CBull},
                  {101, 0, 0x0EAB543384F878ADull}, {101, 2654435761u, 0xCAA65939306F1E21ull}};
    static const struct {
        const char *s;
        uint64_t want;
    } text[] = {{"a", 0xD24EC4F1A98C6E5Bull},
                {"abc", 0x44BC2CF5AD770999ull},
                {"Nobody inspects the spammish repetition", 0xFBCEA83C8A378BF1ull}};
    const uint16_t one = 1;
    unsigned char data[300], gen[101];
    uint32_t byte_gen = 2654435761u;
    size_t i;
    for (i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)((i * 7 + 3) & 0xFF);
    for (i = 0; i < sizeof gen; i++) { /* xxhsum's sanity buffer */
        gen[i] = (unsigned char)(byte_gen >> 24);
        byte_gen *= byte_gen;
    }
    for (i = 0; i < sizeof v / sizeof v[0]; i++)
        xxh_check(data, v[i].n, v[i].seed, v[i].want);
    for (i = 0; i < sizeof sanity / sizeof sanity[0]; i++)
        xxh_check(gen, sanity[i].n, sanity[i].seed, sanity[i].want);
    for (i = 0; i < sizeof text / sizeof text[0]; i++)
        xxh_check((const unsigned char *)text[i].s, strlen(text[i].s), 0, text[i].want);
    if (*(const unsigned char *)&one == 1) { /* the checksums of a saved file */
        size_t len = 0, nsec;
        unsigned char *b = small_saved(&len, RUV_INDEX_HNSW), hdr[FMT_HDR + 32 * FMT_SECENT];
        REQUIRE(b && len >= FMT_HDR);
        nsec = rd32le(b + 20);
        REQUIRE(nsec >= 9 && nsec <= 32 && FMT_HDR + nsec * FMT_SECENT <= len);
        memcpy(hdr, b, FMT_HDR + nsec * FMT_SECENT);
        memset(hdr + 120, 0, 8);
        CHECK(test_xxh64_hash(hdr, FMT_HDR + nsec * FMT_SECENT, 0) == rd64le(b + 120));
        for (i = 0; i < nsec; i++) {
            const unsigned char *e = b + FMT_HDR + i * FMT_SECENT;
            uint64_t off = rd64le(e + 8), sl = rd64le(e + 16);
            REQUIRE(off <= len && sl <= len - off);
            CHECK(test_xxh64_hash(b + off, (size_t)sl, 0) == rd64le(e + 24));
        }
        free(b);
    } else {
        printf("  big-endian host: no saved file to check (saving is refused)\n");
    }
}

/* ---- persistence: round trips on real data ---------------------------------------------- */

/* fiori (cosine): ids on every third entry, metadata on every fifth, 10% removed; then
   save -> load gives identical searches and getters, saving the loaded index gives identical
   bytes, a view searches like the loaded index, and the file path round trip agrees. */
static void persist_roundtrip_for(ruv_index_kind kind, const char *file) {
    size_t nb, dim, nq, qd, i, len1, len2, len3;
    float *base = load_f(0, "fiori_base.fvecs", 0, &nb, &dim);
    float *qs = load_f(0, "fiori_query.fvecs", 0, &nq, &qd);
    ruv_index_options cfg;
    ruv_index *idx = NULL, *ld = NULL, *vw = NULL, *fl = NULL;
    unsigned char *b1 = NULL, *b2 = NULL, *b3 = NULL;
    ruv_load_options opt;
    REQUIRE(base && qs && qd == dim);
    cfg = ruv_index_options_init((uint32_t)dim);
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
        CHECK(ruv_index_get_key(ld, "fiori-3", 7, &k) == RUV_OK && k == 1003);
        CHECK(ruv_index_get_key(ld, "fiori-30", 8, &k) == RUV_E_NOTFOUND); /* removed */
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
        CHECK(ruv_index_add_batch(vw, 1, &kfive, v, NULL) == RUV_E_READONLY);
        st = ruv_index_stats(vw);
        CHECK(st.readonly == 1);
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
    ruv_index_options cfg = ruv_index_options_init(6);
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
    wr32le(c + 12, 0x04030201u);
    expect_both(c, len, RUV_E_ENDIAN, "big-endian");
    memcpy(c, b, len);
    c[40] ^= 1;
    expect_both(c, len, RUV_E_CHECKSUM, "field changed, checksum kept");
    /* consistent checksums, inconsistent contents */
    memcpy(c, b, len);
    wr64le(c + 80, (uint64_t)1 << 40); /* count */
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "huge count");
    memcpy(c, b, len);
    wr64le(c + 88, rd64le(c + 80) + 1); /* live > count */
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "live > count");
    memcpy(c, b, len);
    wr32le(c + 32, 64); /* dim: stride and section sizes disagree */
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "dim");
    memcpy(c, b, len);
    wr64le(c + FMT_HDR + 16, (uint64_t)-64); /* first section length overflows */
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "section length");
    memcpy(c, b, len);
    wr64le(c + FMT_HDR + 8, rd64le(c + FMT_HDR + 8) + 64); /* offset moved */
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "section offset");
    memcpy(c, b, len);
    wr32le(c + 20, 2); /* sections missing */
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "missing sections");
    /* a level-0 link out of range */
    memcpy(c, b, len);
    off = sec_off(c, FMT_S_SLOTS, &slen);
    REQUIRE(off && rd32le(c + off) > 0);
    wr32le(c + off + 4, 40);
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "link out of range");
    /* a link count above 2M */
    memcpy(c, b, len);
    wr32le(c + off, 9);
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "link count");
    /* a key table entry emptied */
    memcpy(c, b, len);
    off = sec_off(c, FMT_S_KEYTAB, &slen);
    for (i = 0; i < slen / 4 && rd32le(c + off + 4 * i) == FMT_NONE; i++)
        ;
    REQUIRE(i < slen / 4);
    wr32le(c + off + 4 * i, FMT_NONE);
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "key table");
    /* a key table full of entries (no empty slot to end a probe) */
    memcpy(c, b, len);
    for (i = 0; i < slen / 4; i++)
        wr32le(c + off + 4 * i, 0);
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "full key table");
    /* a metadata reference past its bytes */
    memcpy(c, b, len);
    off = sec_off(c, FMT_S_METAREF, &slen);
    REQUIRE(off);
    wr32le(c + off + 8, 1000000);
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "metadata reference");
    /* a level above the top level */
    memcpy(c, b, len);
    off = sec_off(c, FMT_S_LEVELS, &slen);
    REQUIRE(off);
    c[off] = 30;
    reseal(c, len);
    expect_both(c, len, RUV_E_CORRUPT, "level");
    /* non-zero padding */
    memcpy(c, b, len);
    c[FMT_HDR + rd32le(c + 20) * FMT_SECENT] = 1;
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
    ruv_index_options cfg = ruv_index_options_init(8);
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
