/* Journal and checkpoint (src/journal.h): every check compares the index with the test's own
   model (a plain array of key -> vector, string id, metadata, updated only when the library
   acknowledges a write) and, where the whole state must match, with the snapshot id of the
   index that wrote the journal. Journals go to memory through the test's writer, which can
   fail any call (short write or error) and any sync. */
#include "test.h"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#define JT_POSIX 1
#else
#define JT_POSIX 0
#endif

#define JD 8u  /* dimension */
#define JK 48u /* keys 0..JK-1 (as key * 7 + 3) */

/* ---- the model ---------------------------------------------------------------------------- */
typedef struct jm_entry {
    int live;
    float vec[JD];
    char id[24];
    size_t id_len;
    unsigned char meta[32];
    size_t meta_len;
} jm_entry;

typedef struct jmodel {
    jm_entry e[JK];
    unsigned id_serial;
} jmodel;

static uint64_t jm_key(size_t i) { return (uint64_t)i * 7 + 3; }

static void jm_vec(uint64_t *rng, float *v) {
    size_t d;
    for (d = 0; d < JD; d++)
        v[d] = rng_unit(rng);
}

/* The index equals the model: the same live keys, vectors (bit for bit), ids and metadata. */
static int jm_equal(const ruv_index *idx, const jmodel *m) {
    size_t i, live = 0;
    for (i = 0; i < JK; i++) {
        const jm_entry *e = &m->e[i];
        float v[JD];
        const char *id;
        const void *meta;
        size_t len;
        if (ruv_index_contains(idx, jm_key(i)) != e->live)
            return 0;
        if (!e->live)
            continue;
        live++;
        if (ruv_index_get_vector(idx, jm_key(i), v) != RUV_OK || memcmp(v, e->vec, sizeof v))
            return 0;
        if (ruv_index_get_id(idx, jm_key(i), &id, &len) != RUV_OK || len != e->id_len ||
            (len && memcmp(id, e->id, len)))
            return 0;
        if (ruv_index_get_meta(idx, jm_key(i), &meta, &len) != RUV_OK || len != e->meta_len ||
            (len && memcmp(meta, e->meta, len)))
            return 0;
    }
    return ruv_index_count(idx) == live;
}

/* One random write (or a compaction) on idx and, if acknowledged, on the model. Checks the
   status against the model's prediction unless io_ok (then RUV_E_IO is accepted as well, with
   the model unchanged). Returns the status; *logged = 1 if it is a write that appends a record
   when it succeeds. */
static ruv_result jm_step(ruv_index *idx, jmodel *m, uint64_t *rng, int io_ok, int *logged) {
    size_t op = rng_next(rng) % 10, i = rng_next(rng) % JK, n, k;
    jm_entry *e = &m->e[i];
    ruv_result r, want;
    *logged = 1;
    if (op <= 1) { /* add */
        float v[JD];
        jm_vec(rng, v);
        want = e->live ? RUV_E_EXISTS : RUV_OK;
        r = ruv_index_add(idx, jm_key(i), v);
        if (r == RUV_OK && want == RUV_OK) {
            e->live = 1, e->id_len = e->meta_len = 0;
            memcpy(e->vec, v, sizeof v);
        }
    } else if (op == 2) { /* a batch of 1..6, sometimes with a present or repeated key */
        uint64_t keys[6];
        size_t idx_of[6];
        float v[6 * JD];
        int ok = 1;
        n = 1 + rng_next(rng) % 6;
        for (k = 0; k < n; k++) {
            size_t t;
            idx_of[k] = (i + k * 5) % JK;
            keys[k] = jm_key(idx_of[k]);
            jm_vec(rng, v + k * JD);
            ok &= !m->e[idx_of[k]].live;
            for (t = 0; t < k; t++)
                ok &= idx_of[t] != idx_of[k];
        }
        want = ok ? RUV_OK : RUV_E_EXISTS;
        r = ruv_index_add_batch(idx, n, keys, v, NULL);
        for (k = 0; r == RUV_OK && want == RUV_OK && k < n; k++) {
            jm_entry *f = &m->e[idx_of[k]];
            f->live = 1, f->id_len = f->meta_len = 0;
            memcpy(f->vec, v + k * JD, sizeof f->vec);
        }
    } else if (op <= 5) { /* put: a vector, an id, metadata or a mix, in any mode */
        ruv_item it;
        ruv_put_mode mode = (ruv_put_mode)(rng_next(rng) % 3);
        float v[JD];
        char id[24];
        unsigned char meta[32];
        size_t ml = rng_next(rng) % 21, t;
        int idl = 0;
        memset(&it, 0, sizeof it);
        it.key = jm_key(i);
        jm_vec(rng, v);
        if (rng_next(rng) % 10 < 7)
            it.vector = v;
        if (rng_next(rng) % 2) { /* unique: the key and a serial number */
            idl = snprintf(id, sizeof id, "k%u-%u", (unsigned)i, m->id_serial++);
            if (rng_next(rng) % 8 == 0)
                idl = 0; /* clears */
            it.id = id, it.id_len = (size_t)idl;
        }
        if (rng_next(rng) % 2) {
            for (t = 0; t < ml; t++)
                meta[t] = (unsigned char)rng_next(rng);
            it.meta = meta, it.meta_len = ml;
        }
        if (mode == RUV_PUT_INSERT && e->live)
            want = RUV_E_EXISTS;
        else if (mode == RUV_PUT_UPDATE && !e->live)
            want = RUV_E_NOTFOUND;
        else if (!e->live && !it.vector)
            want = RUV_E_ARG;
        else
            want = RUV_OK;
        r = ruv_index_put(idx, &it, mode);
        if (r == RUV_OK && want == RUV_OK) {
            if (!e->live)
                e->id_len = e->meta_len = 0;
            e->live = 1;
            if (it.vector)
                memcpy(e->vec, v, sizeof v);
            if (it.id)
                memcpy(e->id, id, (size_t)idl), e->id_len = (size_t)idl;
            if (it.meta)
                memcpy(e->meta, meta, ml), e->meta_len = ml;
        }
    } else if (op == 6) { /* update / upsert (vector only) */
        float v[JD];
        int up = (int)(rng_next(rng) % 2);
        jm_vec(rng, v);
        want = up || e->live ? RUV_OK : RUV_E_NOTFOUND;
        r = up ? ruv_index_upsert(idx, jm_key(i), v) : ruv_index_update(idx, jm_key(i), v);
        if (r == RUV_OK && want == RUV_OK) {
            if (!e->live)
                e->id_len = e->meta_len = 0;
            e->live = 1;
            memcpy(e->vec, v, sizeof v);
        }
    } else if (op <= 8) { /* remove */
        want = e->live ? RUV_OK : RUV_E_NOTFOUND;
        r = ruv_index_remove(idx, jm_key(i));
        if (r == RUV_OK && want == RUV_OK)
            e->live = 0;
    } else { /* compaction: no record */
        *logged = 0;
        want = RUV_OK;
        r = ruv_index_compact(idx);
    }
    if (r != want && !(io_ok && r == RUV_E_IO)) {
        printf("  jm_step op %u key %u: %s, expected %s\n", (unsigned)op, (unsigned)i,
               ruv_result_string(r), ruv_result_string(want));
        g_failed_checks++;
    }
    if (r != RUV_OK)
        *logged = 0;
    return r;
}

/* ---- a journal in memory, with failures on demand ----------------------------------------- */
typedef struct jmem {
    unsigned char *b;
    size_t len, cap;
    unsigned writes, syncs;
    unsigned fail_write; /* fail this write call (1-based; 0 = never) */
    unsigned fail_sync;  /* fail this sync call */
    int short_write;     /* the failing write stores half of its bytes first */
    int sticky;          /* every write from fail_write on fails */
} jmem;

static void jmem_append(jmem *m, const void *p, size_t n) {
    if (m->len + n > m->cap) {
        m->cap = (m->len + n) * 2 + 256;
        m->b = (unsigned char *)realloc(m->b, m->cap);
    }
    if (n)
        memcpy(m->b + m->len, p, n);
    m->len += n;
}

static int jmem_write(void *user, const void *data, size_t len) {
    jmem *m = (jmem *)user;
    m->writes++;
    if (m->fail_write && (m->writes == m->fail_write || (m->sticky && m->writes > m->fail_write))) {
        if (m->short_write)
            jmem_append(m, data, len / 2);
        return -1;
    }
    jmem_append(m, data, len);
    return 0;
}

static int jmem_sync(void *user) {
    jmem *m = (jmem *)user;
    m->syncs++;
    return m->fail_sync && m->syncs == m->fail_sync ? -1 : 0;
}

static int jmem_truncate(void *user, uint64_t size) {
    jmem *m = (jmem *)user;
    if (size > m->len)
        return -1;
    m->len = (size_t)size;
    return 0;
}

/* The index configurations the tests cover: flat and HNSW over f32, SQ8 (trained: its tables go
   through the journal), HNSW over SQ8 with a set range, F16 storage, flat IP. */
#define JCONFIGS 6
static ruv_index_options jt_options(int c) {
    ruv_index_options o = ruv_index_options_init(JD);
    o.kind = c == 1 || c == 3 ? RUV_INDEX_HNSW : RUV_INDEX_FLAT;
    o.quant = c == 2 || c == 3 ? RUV_QUANT_SQ8 : c == 4 ? RUV_QUANT_F16 : RUV_QUANT_NONE;
    o.metric = c == 5 ? RUV_METRIC_IP : RUV_METRIC_L2SQ;
    o.M = 4;
    o.ef_construction = 16;
    o.capacity = 4;
    return o;
}

/* Trains an SQ8 index (a record when a journal is attached). */
static ruv_result jt_train(ruv_index *idx, int c) {
    float lo[JD], hi[JD], *sample;
    size_t d;
    ruv_result r;
    if (c == 2) {
        sample = random_vecs(300, JD, 77);
        r = ruv_index_train(idx, 300, sample);
        free(sample);
        return r;
    }
    if (c == 3) {
        for (d = 0; d < JD; d++)
            lo[d] = -1.0f, hi[d] = 1.0f;
        return ruv_index_set_sq8_range(idx, lo, hi);
    }
    return RUV_OK;
}

/* The index equals the model and, for flat indexes, has the snapshot id of the writer's index
   (HNSW compactions write no record, so only the logical content of a replayed HNSW index is
   the writer's). */
static int jt_same(const ruv_index *idx, const jmodel *m, uint64_t id) {
    return jm_equal(idx, m) &&
           (ruv_index_config(idx).kind == RUV_INDEX_HNSW || ruv_index_snapshot_id(idx) == id);
}

static ruv_index *jt_load(const unsigned char *snap, size_t len) {
    ruv_index *idx = NULL;
    return ruv_index_load_buffer(snap, len, NULL, &idx) == RUV_OK ? idx : NULL;
}

/* Random writes on each configuration with a journal attached; the journal replayed on the
   snapshot taken when it was attached gives the model's state, the same snapshot id, and
   reports every record applied. Also: replay does not append to a journal attached to the
   index it replays into; a journal replayed onto another snapshot (base) applies nothing. */
TEST(journal_replay_model) {
    int c;
    for (c = 0; c < JCONFIGS; c++) {
        ruv_index_options o = jt_options(c);
        ruv_index *a = NULL, *b;
        jmodel m;
        jmem j;
        ruv_journal_options jo;
        ruv_journal_report rep;
        unsigned char *snap;
        size_t slen, step, records = 0, before;
        uint64_t rng = 1000 + (uint64_t)c, base;
        int logged;
        memset(&m, 0, sizeof m);
        memset(&j, 0, sizeof j);
        REQUIRE(ruv_index_create(&o, &a) == RUV_OK);
        REQUIRE((snap = save_to_mem(a, &slen)) != NULL);
        base = ruv_index_snapshot_id(a);
        CHECK(base != 0);
        memset(&jo, 0, sizeof jo);
        jo.write = jmem_write, jo.sync = jmem_sync, jo.user = &j, jo.base = base;
        REQUIRE(ruv_index_journal_attach(a, &jo) == RUV_OK);
        CHECK_EQ_INT(j.len, 32);
        if (c == 2 || c == 3) {
            CHECK(jt_train(a, c) == RUV_OK);
            records++;
        }
        for (step = 0; step < 600; step++) {
            jm_step(a, &m, &rng, 0, &logged);
            records += (size_t)logged;
        }
        CHECK(jm_equal(a, &m));
        REQUIRE((b = jt_load(snap, slen)) != NULL);
        CHECK(ruv_index_journal_replay(b, j.b, j.len, base, &rep) == RUV_OK);
        CHECK_EQ_INT(rep.records, records);
        CHECK_EQ_INT(rep.stop, RUV_JOURNAL_END);
        CHECK_EQ_INT(rep.valid_bytes, j.len);
        CHECK_EQ_INT(rep.ignored_bytes, 0);
        CHECK_EQ_INT(rep.next_seq, records + 1);
        CHECK(rep.base == base);
        CHECK(jm_equal(b, &m));
        CHECK(jt_same(b, &m, ruv_index_snapshot_id(a)));
        ruv_index_free(b);
        /* the journal's own index: the replay appends nothing */
        REQUIRE((b = jt_load(snap, slen)) != NULL);
        before = j.len;
        jo.base = base;
        {
            jmem j2;
            ruv_journal_options jo2 = jo;
            memset(&j2, 0, sizeof j2);
            jo2.user = &j2;
            REQUIRE(ruv_index_journal_attach(b, &jo2) == RUV_OK);
            CHECK(ruv_index_journal_replay(b, j.b, j.len, 0, &rep) == RUV_OK);
            CHECK_EQ_INT(j2.len, 32);
            CHECK(jm_equal(b, &m));
            CHECK(ruv_index_journal_detach(b) == RUV_OK);
            free(j2.b);
        }
        CHECK_EQ_INT(j.len, before);
        ruv_index_free(b);
        /* another base: nothing applied */
        REQUIRE((b = jt_load(snap, slen)) != NULL);
        CHECK(ruv_index_journal_replay(b, j.b, j.len, base ^ 1, &rep) == RUV_OK);
        CHECK_EQ_INT(rep.stop, RUV_JOURNAL_BASE);
        CHECK_EQ_INT(rep.records, 0);
        CHECK_EQ_INT(ruv_index_count(b), 0);
        ruv_index_free(b);
        ruv_index_free(a);
        free(snap);
        free(j.b);
    }
}

/* A journal of about 60 records (flat and HNSW): replaying any prefix of it applies exactly the
   records wholly inside the prefix (state = the writer's snapshot id after that many writes),
   reporting END at a record boundary and TORN inside one; flipping any single byte applies
   exactly the records before the damaged one, and reports the rest as ignored. */
TEST(journal_damage) {
    int c;
    for (c = 0; c < 2; c++) {
        ruv_index_options o = jt_options(c);
        ruv_index *a = NULL, *b;
        jmodel m;
        jmem j;
        ruv_journal_options jo;
        ruv_journal_report rep;
        unsigned char *snap, *buf;
        size_t slen, nrec = 0, i, k, bad = 0;
        size_t ends[80];
        uint64_t ids[80], rng = 5 + (uint64_t)c;
        jmodel *ms = (jmodel *)malloc(80 * sizeof *ms);
        int logged;
        memset(&m, 0, sizeof m);
        memset(&j, 0, sizeof j);
        REQUIRE(ruv_index_create(&o, &a) == RUV_OK);
        REQUIRE((snap = save_to_mem(a, &slen)) != NULL);
        memset(&jo, 0, sizeof jo);
        jo.write = jmem_write, jo.user = &j, jo.base = ruv_index_snapshot_id(a);
        REQUIRE(ruv_index_journal_attach(a, &jo) == RUV_OK);
        REQUIRE(ms != NULL);
        ends[0] = j.len;
        ids[0] = ruv_index_snapshot_id(a);
        ms[0] = m;
        while (nrec < 60) {
            jm_step(a, &m, &rng, 0, &logged);
            if (logged) {
                nrec++;
                ends[nrec] = j.len;
                ids[nrec] = ruv_index_snapshot_id(a);
                ms[nrec] = m;
            }
        }
        buf = (unsigned char *)malloc(j.len + 8);
        REQUIRE(buf != NULL);
        for (i = 0; i <= j.len; i++) { /* every prefix */
            size_t want = 0;
            while (want < nrec && ends[want + 1] <= i)
                want++;
            REQUIRE((b = jt_load(snap, slen)) != NULL);
            memcpy(buf, j.b, i);
            if (ruv_index_journal_replay(b, buf, i, 0, &rep) != RUV_OK || rep.records != want ||
                rep.valid_bytes != (i < 32 ? 0 : ends[want]) ||
                rep.ignored_bytes != i - rep.valid_bytes ||
                rep.stop != (i >= 32 && i == ends[want] ? RUV_JOURNAL_END : RUV_JOURNAL_TORN) ||
                !jt_same(b, &ms[want], ids[want]))
                bad++;
            ruv_index_free(b);
        }
        CHECK_EQ_INT(bad, 0);
        for (i = 0; i < j.len; i++) { /* every byte flipped */
            size_t want = 0;
            while (want < nrec && ends[want + 1] <= i)
                want++;
            if (i < 32)
                want = 0;
            REQUIRE((b = jt_load(snap, slen)) != NULL);
            memcpy(buf, j.b, j.len);
            buf[i] ^= (unsigned char)(1u << (i % 8));
            if (ruv_index_journal_replay(b, buf, j.len, 0, &rep) != RUV_OK || rep.records != want ||
                rep.stop == RUV_JOURNAL_END || rep.valid_bytes != (i < 32 ? 0 : ends[want]) ||
                rep.ignored_bytes != j.len - rep.valid_bytes || !jt_same(b, &ms[want], ids[want]))
                bad++;
            ruv_index_free(b);
        }
        CHECK_EQ_INT(bad, 0);
        /* unaligned buffer: the same result */
        for (k = 1; k < 8; k++) {
            REQUIRE((b = jt_load(snap, slen)) != NULL);
            memcpy(buf + k, j.b, j.len);
            CHECK(ruv_index_journal_replay(b, buf + k, j.len, 0, &rep) == RUV_OK);
            CHECK_EQ_INT(rep.records, nrec);
            CHECK(jt_same(b, &ms[nrec], ids[nrec]));
            ruv_index_free(b);
        }
        free(buf);
        free(ms);
        ruv_index_free(a);
        free(snap);
        free(j.b);
    }
}

/* Fault injection: a run of random writes whose journal fails at write call N (an error, or a
   short write; once, or from then on) or at sync call N, for every N until a run has no
   failure, on flat, HNSW and SQ8. The failing write returns RUV_E_IO with the index unchanged
   (the model's content; its arrays may have grown), and at the end the journal's bytes replay to
   exactly the acknowledged writes (the model, the writer's snapshot id). Without a truncate
   callback the journal refuses every write after the failure, and its bytes still replay to the
   acknowledged ones. */
TEST(journal_faults) {
    int c, mode, runs = 0, failures = 0;
    for (c = 0; c < 3; c++)
        for (mode = 0; mode < 5; mode++) {
            unsigned n;
            for (n = 1;; n++) {
                ruv_index_options o = jt_options(c);
                ruv_index *a = NULL, *b;
                jmodel m;
                jmem j;
                ruv_journal_options jo;
                ruv_journal_report rep;
                unsigned char *snap;
                size_t slen, step, acked = 0;
                uint64_t rng = 99 + (uint64_t)c, base;
                int logged, failed = 0;
                ruv_result r;
                memset(&m, 0, sizeof m);
                memset(&j, 0, sizeof j);
                if (mode == 4)
                    j.fail_sync = n;
                else
                    j.fail_write = n;
                j.short_write = mode == 1 || mode == 3;
                j.sticky = mode == 2;
                REQUIRE(ruv_index_create(&o, &a) == RUV_OK);
                REQUIRE((snap = save_to_mem(a, &slen)) != NULL);
                base = ruv_index_snapshot_id(a);
                memset(&jo, 0, sizeof jo);
                jo.write = jmem_write, jo.sync = jmem_sync, jo.user = &j, jo.base = base;
                jo.truncate = mode == 3 ? NULL : jmem_truncate;
                r = ruv_index_journal_attach(a, &jo);
                if (r != RUV_OK) { /* the header failed */
                    CHECK(r == RUV_E_IO);
                    failed = 1;
                    ruv_index_free(a);
                    free(snap);
                    free(j.b);
                    continue;
                }
                if (c == 2) {
                    uint64_t id0 = ruv_index_snapshot_id(a);
                    r = jt_train(a, c);
                    CHECK(r == RUV_OK || r == RUV_E_IO);
                    if (r != RUV_OK) {
                        failed = 1;
                        CHECK(!ruv_index_is_trained(a) && ruv_index_snapshot_id(a) == id0);
                        if (mode == 3 || mode == 2)
                            goto done; /* nothing can be written any more */
                        CHECK(jt_train(a, c) == RUV_OK);
                    }
                    acked++;
                }
                for (step = 0; step < 120; step++) {
                    jmodel m0 = m;
                    r = jm_step(a, &m, &rng, 1, &logged);
                    acked += (size_t)logged;
                    if (r == RUV_E_IO) {
                        failed = 1;
                        CHECK(memcmp(m0.e, m.e, sizeof m.e) == 0);
                        CHECK(jm_equal(a, &m));
                    }
                }
            done:
                /* a failing call was made: some write must have reported it */
                CHECK(failed || (mode == 4 ? j.syncs < n : j.writes < n));
                REQUIRE((b = jt_load(snap, slen)) != NULL);
                CHECK(ruv_index_journal_replay(b, j.b, j.len, base, &rep) == RUV_OK);
                CHECK_EQ_INT(rep.records, acked);
                CHECK(jm_equal(b, &m));
                ruv_index_free(b);
                ruv_index_free(a);
                free(snap);
                free(j.b);
                runs++;
                failures += failed;
                if (!failed || n > 2000)
                    break;
            }
        }
    printf("  %d runs, %d with a failure\n", runs, failures);
    CHECK(failures > 100);
}

/* Group commit and manual durability: syncs happen every group_records records (and on
   ruv_index_sync), never per record; each-record durability syncs every record. */
TEST(journal_durability) {
    int lvl;
    for (lvl = 0; lvl < 3; lvl++) {
        ruv_index_options o = jt_options(0);
        ruv_index *a = NULL;
        jmem j;
        ruv_journal_options jo;
        float v[JD] = {0};
        uint64_t k;
        memset(&j, 0, sizeof j);
        REQUIRE(ruv_index_create(&o, &a) == RUV_OK);
        memset(&jo, 0, sizeof jo);
        jo.write = jmem_write, jo.sync = jmem_sync, jo.user = &j;
        jo.durability = (ruv_durability)lvl;
        jo.group_records = 10;
        REQUIRE(ruv_index_journal_attach(a, &jo) == RUV_OK);
        CHECK_EQ_INT(j.syncs, 1); /* the header */
        for (k = 0; k < 25; k++)
            CHECK(ruv_index_add(a, k, v) == RUV_OK);
        CHECK_EQ_INT(j.syncs, lvl == 0 ? 26 : lvl == 1 ? 3 : 1);
        CHECK_EQ_INT(j.writes, 26); /* one write per small record */
        CHECK(ruv_index_sync(a) == RUV_OK);
        CHECK_EQ_INT(j.syncs, lvl == 0 ? 27 : lvl == 1 ? 4 : 2);
        j.fail_sync = j.syncs + 1;
        CHECK(ruv_index_sync(a) == RUV_E_IO);
        ruv_index_free(a);
        free(j.b);
    }
    {
        ruv_index_options o = jt_options(0);
        ruv_index *a = NULL;
        ruv_journal_options jo;
        memset(&jo, 0, sizeof jo);
        REQUIRE(ruv_index_create(&o, &a) == RUV_OK);
        CHECK(ruv_index_journal_attach(a, &jo) == RUV_E_ARG);
        CHECK(ruv_index_journal_attach(NULL, &jo) == RUV_E_ARG);
        jo.write = jmem_write;
        jo.durability = (ruv_durability)3;
        CHECK(ruv_index_journal_attach(a, &jo) == RUV_E_ARG);
        CHECK(ruv_index_journal_replay(NULL, NULL, 0, 0, NULL) == RUV_E_ARG);
        CHECK(ruv_index_journal_replay(a, NULL, 5, 0, NULL) == RUV_E_ARG);
        CHECK(ruv_index_journal_detach(a) == RUV_OK);
        CHECK(ruv_index_sync(a) == RUV_OK);
        CHECK(ruv_index_checkpoint(a) == RUV_E_ARG);
        CHECK(ruv_index_sync(NULL) == RUV_E_ARG);
        CHECK(ruv_index_snapshot_id(NULL) == 0);
        ruv_index_free(a);
    }
}

/* Failing allocations while attaching and replaying: RUV_E_NOMEM, nothing leaks, and a replay
   stopped by memory reports it (RUV_JOURNAL_RECORD with RUV_E_NOMEM). */
TEST(journal_nomem) {
    ruv_index_options o = jt_options(1);
    ruv_index *a = NULL, *b;
    jmodel m;
    jmem j;
    ruv_journal_options jo;
    ruv_journal_report rep;
    unsigned char *snap;
    size_t slen, step, fail, oks = 0, nomems = 0;
    uint64_t rng = 3;
    int logged;
    memset(&m, 0, sizeof m);
    memset(&j, 0, sizeof j);
    REQUIRE(ruv_index_create(&o, &a) == RUV_OK);
    REQUIRE((snap = save_to_mem(a, &slen)) != NULL);
    memset(&jo, 0, sizeof jo);
    jo.write = jmem_write, jo.user = &j;
    REQUIRE(ruv_index_journal_attach(a, &jo) == RUV_OK);
    for (step = 0; step < 150; step++)
        jm_step(a, &m, &rng, 0, &logged);
    for (fail = 1; fail < 100000; fail++) {
        tally t = {0, 0, 0};
        ruv_load_options lo;
        ruv_result r;
        int done = 0;
        memset(&lo, 0, sizeof lo);
        lo.alloc.alloc = tally_alloc, lo.alloc.free = tally_free, lo.alloc.user = &t;
        if (ruv_index_load_buffer(snap, slen, &lo, &b) != RUV_OK)
            continue;
        t.fail_at = t.calls + fail;
        r = ruv_index_journal_replay(b, j.b, j.len, 0, &rep);
        CHECK(r == RUV_OK || r == RUV_E_NOMEM);
        if (r == RUV_E_NOMEM) {
            nomems++;
            CHECK_EQ_INT(rep.stop, RUV_JOURNAL_RECORD);
            CHECK_EQ_INT(rep.status, RUV_E_NOMEM);
        } else {
            CHECK(jm_equal(b, &m)); /* a failure that the index absorbs (scratch), or none */
            oks += done = t.calls < t.fail_at;
        }
        {
            jmem j2;
            ruv_journal_options jo2 = jo;
            memset(&j2, 0, sizeof j2);
            jo2.user = &j2;
            t.fail_at = t.calls + 1;
            CHECK(ruv_index_journal_attach(b, &jo2) == RUV_E_NOMEM);
            free(j2.b);
        }
        ruv_index_free(b);
        CHECK_EQ_INT(t.live, 0);
        if (done)
            break;
    }
    printf("  %u allocation failures, then %u success\n", (unsigned)nomems, (unsigned)oks);
    CHECK(nomems > 5 && oks == 1);
    ruv_index_free(a);
    free(snap);
    free(j.b);
}

/* Multi-vector keys (adds under a present key, a batch repeating a key, remove of all of a
   key's vectors) and int8 vectors (records carry the caller's bytes) replay to the writer's
   state: the same vectors per key, the same snapshot id. */
TEST(journal_multi_dtype) {
    int c;
    for (c = 0; c < 2; c++) {
        ruv_index_options o = ruv_index_options_init(JD);
        ruv_index *a = NULL, *b;
        jmem j;
        ruv_journal_options jo;
        ruv_journal_report rep;
        unsigned char *snap;
        size_t slen, i, k, n;
        uint64_t rng = 11, keys[5] = {1, 2, 1, 3, 1};
        float fv[5 * JD], got[8 * JD], want[8 * JD];
        int8_t iv[5 * JD];
        memset(&j, 0, sizeof j);
        for (i = 0; i < 5 * JD; i++) {
            fv[i] = rng_unit(&rng);
            iv[i] = (int8_t)(rng_next(&rng) & 0xFF);
        }
        o.multi = c == 0;
        o.dtype = c ? RUV_DTYPE_I8 : RUV_DTYPE_F32;
        o.kind = c ? RUV_INDEX_FLAT : RUV_INDEX_HNSW;
        REQUIRE(ruv_index_create(&o, &a) == RUV_OK);
        REQUIRE((snap = save_to_mem(a, &slen)) != NULL);
        memset(&jo, 0, sizeof jo);
        jo.write = jmem_write, jo.user = &j;
        REQUIRE(ruv_index_journal_attach(a, &jo) == RUV_OK);
        if (c == 0) {
            CHECK(ruv_index_add_batch(a, 5, keys, fv, NULL) == RUV_OK);
            CHECK(ruv_index_add(a, 2, fv + JD) == RUV_OK);
            CHECK(ruv_index_remove(a, 3) == RUV_OK);
            CHECK(ruv_index_upsert(a, 2, fv) == RUV_E_UNSUPPORTED); /* no record */
        } else {
            ruv_item it;
            CHECK(ruv_index_add_batch(a, 3, keys + 1, iv, NULL) == RUV_OK);
            CHECK(ruv_index_upsert(a, 2, iv + 4 * JD) == RUV_OK);
            memset(&it, 0, sizeof it);
            it.key = 9, it.vector = iv + JD, it.meta = "m", it.meta_len = 1;
            CHECK(ruv_index_put(a, &it, RUV_PUT_INSERT) == RUV_OK);
            CHECK(ruv_index_remove(a, 1) == RUV_OK);
        }
        REQUIRE((b = jt_load(snap, slen)) != NULL);
        CHECK(ruv_index_journal_replay(b, j.b, j.len, 0, &rep) == RUV_OK);
        CHECK_EQ_INT(rep.records, c ? 4 : 3);
        CHECK_EQ_INT(rep.stop, RUV_JOURNAL_END);
        CHECK_EQ_INT(ruv_index_count(b), ruv_index_count(a));
        for (k = 0; k < 10; k++) {
            size_t na = 0, nb = 0;
            ruv_result ra = ruv_index_get_vectors(a, k, want, 8, &na);
            CHECK(ruv_index_get_vectors(b, k, got, 8, &nb) == ra);
            CHECK_EQ_INT(nb, na);
            n = na < 8 ? na : 8;
            CHECK(memcmp(got, want, n * (c ? JD : JD * sizeof(float))) == 0);
        }
        CHECK(ruv_index_snapshot_id(b) == ruv_index_snapshot_id(a));
        ruv_index_free(b);
        ruv_index_free(a);
        free(snap);
        free(j.b);
    }
}

/* Continuing a journal after a replay (the callback level's open): replay, cut the buffer to
   valid_bytes, attach with next_seq and size from the report, write more; the whole journal then
   replays onto the snapshot to the model, with consecutive sequence numbers across the two
   sessions, also after a torn tail was cut. */
TEST(journal_continue) {
    ruv_index_options o = jt_options(0);
    ruv_index *a = NULL, *b = NULL, *c = NULL;
    jmodel m;
    jmem j;
    ruv_journal_options jo;
    ruv_journal_report rep;
    unsigned char *snap;
    size_t slen, step, first;
    uint64_t rng = 21, base;
    int logged;
    memset(&m, 0, sizeof m);
    memset(&j, 0, sizeof j);
    REQUIRE(ruv_index_create(&o, &a) == RUV_OK);
    REQUIRE((snap = save_to_mem(a, &slen)) != NULL);
    base = ruv_index_snapshot_id(a);
    memset(&jo, 0, sizeof jo);
    jo.write = jmem_write, jo.sync = jmem_sync, jo.truncate = jmem_truncate, jo.user = &j;
    jo.base = base;
    REQUIRE(ruv_index_journal_attach(a, &jo) == RUV_OK);
    for (step = 0; step < 100; step++)
        jm_step(a, &m, &rng, 0, &logged);
    ruv_index_free(a); /* session 1 ends; its last record torn */
    j.len -= 3;
    REQUIRE((b = jt_load(snap, slen)) != NULL);
    CHECK(ruv_index_journal_replay(b, j.b, j.len, base, &rep) == RUV_OK);
    CHECK_EQ_INT(rep.stop, RUV_JOURNAL_TORN);
    first = (size_t)rep.records;
    j.len = (size_t)rep.valid_bytes; /* cut the tail */
    {                                /* the model: the index after the replay */
        size_t i;
        memset(&m, 0, sizeof m);
        for (i = 0; i < JK; i++) {
            const char *id;
            const void *meta;
            size_t len;
            if (!(m.e[i].live = ruv_index_contains(b, jm_key(i))))
                continue;
            ruv_index_get_vector(b, jm_key(i), m.e[i].vec);
            ruv_index_get_id(b, jm_key(i), &id, &len);
            if (len)
                memcpy(m.e[i].id, id, len);
            m.e[i].id_len = len;
            ruv_index_get_meta(b, jm_key(i), &meta, &len);
            if (len)
                memcpy(m.e[i].meta, meta, len);
            m.e[i].meta_len = len;
        }
        m.id_serial = 1000;
    }
    jo.next_seq = rep.next_seq;
    jo.size = rep.valid_bytes;
    REQUIRE(ruv_index_journal_attach(b, &jo) == RUV_OK);
    CHECK_EQ_INT(j.len, rep.valid_bytes); /* no header */
    for (step = 0; step < 100; step++)
        jm_step(b, &m, &rng, 0, &logged);
    CHECK(jm_equal(b, &m));
    REQUIRE((c = jt_load(snap, slen)) != NULL);
    CHECK(ruv_index_journal_replay(c, j.b, j.len, base, &rep) == RUV_OK);
    CHECK_EQ_INT(rep.stop, RUV_JOURNAL_END);
    CHECK(rep.records > first);
    CHECK(jm_equal(c, &m));
    CHECK(ruv_index_snapshot_id(c) == ruv_index_snapshot_id(b));
    ruv_index_free(c);
    ruv_index_free(b);
    free(snap);
    free(j.b);
}

#if JT_POSIX
/* A fresh path in the temporary folder (dir: the folder, for jt_cleanup). */
static void jt_path(char *dir, size_t cap, char *path, const char *name) {
    static unsigned serial;
    const char *t = getenv("TMPDIR");
    snprintf(dir, cap, "%s", t && *t ? t : "/tmp");
    snprintf(path, 512, "%s/ruv_jt_%ld_%u_%s", dir, (long)getpid(), serial++, name);
}

static void jt_cleanup(const char *dir, const char *path) {
    char b[600];
    (void)dir;
    snprintf(b, sizeof b, "%s.journal", path);
    remove(b);
    snprintf(b, sizeof b, "%s.journal.ruvtmp", path);
    remove(b);
    snprintf(b, sizeof b, "%s.ruvtmp", path);
    remove(b);
    remove(path);
}

static unsigned char *jt_read(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = (unsigned char *)malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

static void jt_write(const char *path, const unsigned char *b, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(b, 1, len, f);
        fclose(f);
    }
}

/* ruv_index_open_file: create, writes, reopen (= model), checkpoint, reopen; a torn tail is
   reported and cut before new records (which a later open then finds); a journal left over
   from before a checkpoint (the crash between its two steps) is ignored; a missing journal is
   started again; SQ8 training through the file journal. */
TEST(journal_file) {
    char dir[64], path[512], jpath[600];
    int c;
    for (c = 0; c < 3; c++) {
        ruv_index_options o = jt_options(c);
        ruv_open_options oo;
        ruv_journal_report rep;
        ruv_index *idx = NULL;
        jmodel m;
        uint64_t rng = 42;
        size_t step, jlen, old_len;
        unsigned char *jb, *old;
        int logged;
        memset(&m, 0, sizeof m);
        jt_path(dir, sizeof dir, path, "db.ruv");
        REQUIRE(dir[0]);
        snprintf(jpath, sizeof jpath, "%s.journal", path);
        memset(&oo, 0, sizeof oo);
        CHECK(ruv_index_open_file(path, &oo, &idx, &rep) == RUV_E_IO); /* missing, no create */
        CHECK(idx == NULL);
        oo.create = &o;
        REQUIRE(ruv_index_open_file(path, &oo, &idx, &rep) == RUV_OK);
        CHECK_EQ_INT(rep.stop, RUV_JOURNAL_MISSING);
        if (c == 2)
            CHECK(jt_train(idx, c) == RUV_OK);
        for (step = 0; step < 200; step++)
            jm_step(idx, &m, &rng, 0, &logged);
        ruv_index_free(idx);
        REQUIRE(ruv_index_open_file(path, NULL, &idx, &rep) == RUV_OK);
        CHECK(jm_equal(idx, &m));
        CHECK_EQ_INT(rep.stop, RUV_JOURNAL_END);
        CHECK(rep.records > 50);
        CHECK(ruv_index_checkpoint(idx) == RUV_OK);
        for (step = 0; step < 50; step++)
            jm_step(idx, &m, &rng, 0, &logged);
        ruv_index_free(idx);
        REQUIRE(ruv_index_open_file(path, NULL, &idx, &rep) == RUV_OK);
        CHECK(jm_equal(idx, &m));
        CHECK(rep.records > 10 && rep.records < 60);
        ruv_index_free(idx);
        /* a torn tail: cut at open, and records appended after it are found */
        REQUIRE((jb = jt_read(jpath, &jlen)) != NULL);
        jt_write(jpath, jb, jlen - 5);
        free(jb);
        /* the last record is lost with its bytes: rebuild the model by reopening */
        REQUIRE(ruv_index_open_file(path, NULL, &idx, &rep) == RUV_OK);
        CHECK_EQ_INT(rep.stop, RUV_JOURNAL_TORN);
        CHECK(rep.ignored_bytes > 0);
        {
            size_t i;
            for (i = 0; i < JK; i++) { /* the model from the index (checked above) */
                float v[JD];
                const char *id;
                const void *meta;
                size_t len;
                m.e[i].live = ruv_index_contains(idx, jm_key(i));
                if (!m.e[i].live)
                    continue;
                ruv_index_get_vector(idx, jm_key(i), v);
                memcpy(m.e[i].vec, v, sizeof v);
                ruv_index_get_id(idx, jm_key(i), &id, &len);
                if (len)
                    memcpy(m.e[i].id, id, len);
                m.e[i].id_len = len;
                ruv_index_get_meta(idx, jm_key(i), &meta, &len);
                if (len)
                    memcpy(m.e[i].meta, meta, len);
                m.e[i].meta_len = len;
            }
        }
        for (step = 0; step < 30; step++)
            jm_step(idx, &m, &rng, 0, &logged);
        ruv_index_free(idx);
        REQUIRE(ruv_index_open_file(path, NULL, &idx, &rep) == RUV_OK);
        CHECK_EQ_INT(rep.stop, RUV_JOURNAL_END);
        CHECK(jm_equal(idx, &m));
        /* the crash between a checkpoint's snapshot and its journal: an older journal */
        REQUIRE((old = jt_read(jpath, &old_len)) != NULL);
        CHECK(ruv_index_checkpoint(idx) == RUV_OK);
        ruv_index_free(idx);
        jt_write(jpath, old, old_len);
        free(old);
        REQUIRE(ruv_index_open_file(path, NULL, &idx, &rep) == RUV_OK);
        CHECK_EQ_INT(rep.stop, RUV_JOURNAL_BASE);
        CHECK_EQ_INT(rep.records, 0);
        CHECK(jm_equal(idx, &m));
        for (step = 0; step < 20; step++)
            jm_step(idx, &m, &rng, 0, &logged);
        ruv_index_free(idx);
        /* a missing journal: the snapshot alone, a new journal */
        remove(jpath);
        REQUIRE(ruv_index_open_file(path, NULL, &idx, &rep) == RUV_OK);
        CHECK_EQ_INT(rep.stop, RUV_JOURNAL_MISSING);
        CHECK(ruv_index_count(idx) <= JK);
        ruv_index_free(idx);
        jt_cleanup(dir, path);
    }
    {
        ruv_index *idx = (ruv_index *)&idx;
        CHECK(ruv_index_open_file(NULL, NULL, &idx, NULL) == RUV_E_ARG);
        CHECK(idx == NULL);
        CHECK(ruv_index_open_file("", NULL, &idx, NULL) == RUV_E_ARG);
    }
}
#else
TEST(journal_file) { printf("  skipped: no POSIX files\n"); }
#endif
