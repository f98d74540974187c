/* libFuzzer target for reading saved indexes: ruv_index_load_buffer by default, ruv_index_view
   with -DRUV_FUZZ_VIEW. Build (clang):
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

/* Returns 1 if data loaded (or viewed). */
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
    free(buf);
    return r == RUV_OK;
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
