/* libFuzzer target for reading saved indexes: ruv_index_load_buffer by default, ruv_index_view
   with -DRUV_FUZZ_VIEW; every input also through ruv_sparse_load_buffer (sparse index files) and
   ruv_index_journal_replay (journals, src/journal.h). Build
   (clang):
     clang -g -O1 -fsanitize=fuzzer,address,undefined -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
       tests/fuzz/fuzz_index.c -o fuzz_load -lm
   FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION makes the loader ignore checksum mismatches, so that
   mutated inputs reach the structural checks. Whatever an input is, there must be no crash, no
   out-of-bounds access, no leak; an input that loads must search, iterate, save, reload to the
   same bytes, and (loaded copies) survive writes that are then saved and reloaded again.

   With -DRUV_FUZZ_REPLAY (any compiler) main() runs the files named on the command line through
   the same checks and requires each to load: the corpus regression test in ctest. */
#define RUVECTOR_IMPLEMENTATION
#include "../../ruvector.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(c)                                                                                \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_index: %s:%d: %s\n", __FILE__, __LINE__, #c);                    \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Saves idx, reloads the bytes (must work) and saves again (must match). */
static void fz_resave(const ruv_index *idx) {
    size_t n = ruv_index_serialized_size(idx), got = 0, got2 = 0;
    unsigned char *a, *b;
    ruv_index *re = NULL;
    FZ_CHECK(n > 0);
    a = (unsigned char *)malloc(n);
    b = (unsigned char *)malloc(n);
    FZ_CHECK(a && b);
    FZ_CHECK(ruv_index_save_buffer(idx, a, n, &got) == RUV_OK && got == n);
    FZ_CHECK(ruv_index_load_buffer(a, n, NULL, &re) == RUV_OK);
    FZ_CHECK(ruv_index_save_buffer(re, b, n, &got2) == RUV_OK && got2 == n);
    FZ_CHECK(memcmp(a, b, n) == 0);
    ruv_index_free(re);
    free(a);
    free(b);
}

static void fz_exercise(ruv_index *idx, int view) {
    uint32_t dim = ruv_index_dim(idx), i;
    float *q = (float *)malloc(dim * sizeof *q);
    ruv_hit hits[8];
    size_t n = 0, cursor = 0, seen = 0;
    uint64_t key = 0, first = 0;
    ruv_search_options p;
    ruv_stats st;
    FZ_CHECK(q);
    for (i = 0; i < dim; i++)
        q[i] = 0.25f * (float)(i % 7) - 0.5f;
    memset(&p, 0, sizeof p);
    p.ef_search = 16;
    FZ_CHECK(ruv_index_search(idx, q, 8, &p, hits, &n) == RUV_OK);
    FZ_CHECK(n <= 8 && n <= ruv_index_count(idx));
    for (i = 0; i < n; i++)
        FZ_CHECK(ruv_index_contains(idx, hits[i].key));
    while (ruv_index_next(idx, &cursor, &key) && seen < 4096) {
        const char *id;
        const void *meta;
        size_t len, mlen;
        uint64_t back;
        if (!seen)
            first = key;
        seen++;
        FZ_CHECK(ruv_index_get_vector(idx, key, q) == RUV_OK);
        FZ_CHECK(ruv_index_get_meta(idx, key, &meta, &mlen) == RUV_OK);
        FZ_CHECK(ruv_index_get_id(idx, key, &id, &len) == RUV_OK);
        if (len)
            FZ_CHECK(ruv_index_get_key(idx, id, len, &back) == RUV_OK && back == key);
    }
    st = ruv_index_stats(idx);
    FZ_CHECK(st.live == ruv_index_count(idx));
    fz_resave(idx);
    if (!view) {
        ruv_item it;
        for (i = 0; i < dim; i++)
            q[i] = (float)i;
        if (seen)
            FZ_CHECK(ruv_index_remove(idx, first) == RUV_OK);
        memset(&it, 0, sizeof it);
        it.key = 0xF0F0F0F0F0ull;
        it.vector = q;
        it.id = "fuzz-id";
        it.id_len = 7;
        it.meta = "{}";
        it.meta_len = 2;
        if (ruv_index_put(idx, &it, RUV_PUT_UPSERT) == RUV_OK) {
            /* a mutated graph need not reach the new node: only the status is certain */
            FZ_CHECK(ruv_index_search(idx, q, 8, &p, hits, &n) == RUV_OK);
            FZ_CHECK(ruv_index_contains(idx, it.key));
            FZ_CHECK(ruv_index_upsert(idx, it.key, q) == RUV_OK);
            fz_resave(idx);
        }
    }
    free(q);
}

/* A loaded sparse index: searches in the three modes agree, hits read back (vector, id leading
   back to the key, metadata), the bytes save,
   reload and save the same, and writes then work and save again. */
static void fz_sparse(ruv_sparse_index *sp) {
    static const uint32_t qi[3] = {1, 5, 9};
    static const float qv[3] = {1.0f, 0.5f, -0.25f};
    ruv_hit h[3][8];
    size_t n[3], m, i, len = ruv_sparse_serialized_size(sp), got = 0, got2 = 0;
    unsigned char *a, *b;
    ruv_sparse_index *re = NULL;
    uint32_t ids[4];
    float vals[4];
    for (m = 0; m < 3; m++) {
        ruv_sparse_search_options o;
        memset(&o, 0, sizeof o);
        o.mode = (ruv_sparse_mode)m;
        FZ_CHECK(ruv_sparse_search(sp, 3, qi, qv, 8, &o, h[m], &n[m]) == RUV_OK);
        FZ_CHECK(n[m] == n[0] && n[m] <= ruv_sparse_count(sp));
        for (i = 0; i < n[m]; i++)
            FZ_CHECK(h[m][i].key == h[0][i].key && h[m][i].distance == h[0][i].distance);
    }
    for (i = 0; i < n[0]; i++) {
        size_t z = 0;
        ruv_result r = ruv_sparse_get(sp, h[0][i].key, ids, vals, 4, &z);
        const char *id = NULL;
        const void *meta = NULL;
        uint64_t back = 0;
        FZ_CHECK(r == RUV_OK || (r == RUV_E_SPACE && z > 4));
        FZ_CHECK(ruv_sparse_get_id(sp, h[0][i].key, &id, &z) == RUV_OK && !id == !z);
        if (id) /* ids are unique: the id leads back to the key */
            FZ_CHECK(ruv_sparse_get_key(sp, id, z, &back) == RUV_OK && back == h[0][i].key);
        FZ_CHECK(ruv_sparse_get_meta(sp, h[0][i].key, &meta, &z) == RUV_OK && !meta == !z);
    }
    FZ_CHECK(len > 0 && (a = (unsigned char *)malloc(len)) != NULL &&
             (b = (unsigned char *)malloc(len)) != NULL);
    FZ_CHECK(ruv_sparse_save_buffer(sp, a, len, &got) == RUV_OK && got == len);
    FZ_CHECK(ruv_sparse_load_buffer(a, len, NULL, &re) == RUV_OK);
    FZ_CHECK(ruv_sparse_save_buffer(re, b, len, &got2) == RUV_OK && got2 == len);
    FZ_CHECK(memcmp(a, b, len) == 0);
    ids[0] = 2, ids[1] = 5, vals[0] = 1.0f, vals[1] = 2.0f;
    FZ_CHECK(ruv_sparse_upsert(re, 0xF0F0F0F0F0ull, 2, ids, vals) == RUV_OK);
    if (n[0])
        FZ_CHECK(ruv_sparse_remove(re, h[0][0].key) == RUV_OK);
    FZ_CHECK(ruv_sparse_search(re, 3, qi, qv, 8, NULL, h[0], &n[0]) == RUV_OK);
    FZ_CHECK(ruv_sparse_compact(re) == RUV_OK);
    ruv_sparse_free(re);
    free(a);
    free(b);
}

/* The index a journal input replays into: dimension from its header (1..64, else 4), one of
   four configurations from the low bits of its base (flat L2; HNSW cosine; flat SQ8, untrained:
   a tables record trains it; HNSW IP over F16). tests/fuzz/make_corpus.c writes seeds of each. */
static ruv_index *fz_journal_index(const uint8_t *data, size_t size) {
    uint32_t dim = 4, cfg = 0;
    ruv_index_options o;
    ruv_index *idx = NULL;
    if (size >= 24) {
        dim = (uint32_t)data[12] | (uint32_t)data[13] << 8 | (uint32_t)data[14] << 16 |
              (uint32_t)data[15] << 24;
        cfg = data[16] & 3u;
    }
    if (!dim || dim > 64)
        dim = 4;
    o = ruv_index_options_init(dim);
    o.M = 4;
    o.ef_construction = 16;
    o.capacity = 4;
    o.kind = cfg & 1u ? RUV_INDEX_HNSW : RUV_INDEX_FLAT;
    o.metric = cfg == 1 ? RUV_METRIC_COSINE : cfg == 3 ? RUV_METRIC_IP : RUV_METRIC_L2SQ;
    o.quant = cfg == 2 ? RUV_QUANT_SQ8 : cfg == 3 ? RUV_QUANT_F16 : RUV_QUANT_NONE;
    FZ_CHECK(ruv_index_create(&o, &idx) == RUV_OK);
    return idx;
}

/* The bytes as a journal (ruv_index_journal_replay, data as given: any alignment): no crash, no
   leak, a consistent report, and the index usable afterwards. 1 if every record applied. */
static int fz_journal(const uint8_t *data, size_t size) {
    ruv_index *idx = fz_journal_index(data, size);
    ruv_journal_report rep;
    ruv_result r = ruv_index_journal_replay(idx, data, size, 0, &rep);
    FZ_CHECK(r == RUV_OK || r == RUV_E_CORRUPT || r == RUV_E_NOMEM);
    FZ_CHECK(rep.valid_bytes + rep.ignored_bytes == size);
    FZ_CHECK((r == RUV_OK) == (rep.stop != RUV_JOURNAL_RECORD));
    FZ_CHECK(rep.stop != RUV_JOURNAL_END || rep.ignored_bytes == 0);
    FZ_CHECK(rep.records == 0 || rep.next_seq == rep.records + 1);
    if (ruv_index_is_trained(idx))
        fz_exercise(idx, 0);
    ruv_index_free(idx);
    return r == RUV_OK && rep.stop == RUV_JOURNAL_END && rep.records > 0;
}

/* Returns 1 if data loaded (or viewed), as a dense or as a sparse index, or replayed as a
   journal. */
static int fz_one(const uint8_t *data, size_t size) {
    unsigned char *buf = (unsigned char *)malloc(size ? size : 1); /* aligned for the view */
    ruv_index *idx = NULL;
    ruv_result r;
    int view = 0;
    FZ_CHECK(buf);
    if (size)
        memcpy(buf, data, size);
#ifdef RUV_FUZZ_VIEW
    view = 1;
    r = ruv_index_view(buf, size, NULL, &idx);
#else
    r = ruv_index_load_buffer(buf, size, NULL, &idx);
#endif
    FZ_CHECK((r == RUV_OK) == (idx != NULL));
    if (idx)
        fz_exercise(idx, view);
    ruv_index_free(idx);
    { /* the same bytes as a sparse index (a dense file is RUV_E_UNSUPPORTED there) */
        ruv_sparse_index *sp = NULL;
        ruv_result rs = ruv_sparse_load_buffer(buf, size, NULL, &sp);
        FZ_CHECK((rs == RUV_OK) == (sp != NULL));
        FZ_CHECK(rs != RUV_OK || r != RUV_OK); /* never both */
        if (sp)
            fz_sparse(sp);
        ruv_sparse_free(sp);
        if (rs == RUV_OK)
            r = RUV_OK;
    }
    free(buf);
    return fz_journal(data, size) || r == RUV_OK;
}

#ifdef RUV_FUZZ_REPLAY
int main(int argc, char **argv) {
    int a, failed = 0;
    for (a = 1; a < argc; a++) {
        FILE *f = fopen(argv[a], "rb");
        unsigned char *d = NULL;
        long n = -1;
        if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
            (d = (unsigned char *)malloc((size_t)n + 1)) != NULL &&
            fread(d, 1, (size_t)n, f) == (size_t)n && fz_one(d, (size_t)n)) {
            printf("ok   %s\n", argv[a]);
        } else {
            printf("FAIL %s\n", argv[a]);
            failed++;
        }
        free(d);
        if (f)
            fclose(f);
    }
    printf("%d passed, %d failed\n", argc - 1 - failed, failed);
    return failed != 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_one(data, size);
    return 0;
}
#endif
