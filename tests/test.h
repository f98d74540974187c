/* Shared by every test file: the check macros, the case declarations (from cases.h) and the
   helpers of test_util.c (data files, double-precision references, random data, index builders,
   a counting allocator, saved-file helpers with an independent XXH64). Tests use the public API
   of the shipped ruvector.h only; test_impl.c holds its implementation. */
#ifndef RUV_TEST_H
#define RUV_TEST_H

#include "ruvector.h"

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* POSIX threads in the tests exactly when the library has them (test_impl.c checks that this
   agrees with the library's RUV__THREADS). */
#if !defined(RUV_NO_THREADS) && (defined(__unix__) || defined(__APPLE__)) &&                       \
    !defined(__EMSCRIPTEN__)
#define TEST_THREADS 1
#include <pthread.h>
#else
#define TEST_THREADS 0
#endif

/* ---- checks ------------------------------------------------------------------------------- */
/* Failed checks of the running case (test_main.c resets it before each case). A check that
   prints its own message increments it directly. */
extern int g_failed_checks;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);                      \
            g_failed_checks++;                                                                     \
        }                                                                                          \
    } while (0)
#define CHECK_EQ_INT(got, want)                                                                    \
    do {                                                                                           \
        long g_ = (long)(got), w_ = (long)(want);                                                  \
        if (g_ != w_) {                                                                            \
            printf("  %s:%d: %s = %ld, expected %ld\n", __FILE__, __LINE__, #got, g_, w_);         \
            g_failed_checks++;                                                                     \
        }                                                                                          \
    } while (0)
/* Stops the case when a precondition (data file, setup call) is not met. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("  %s:%d: REQUIRE(%s) failed\n", __FILE__, __LINE__, #cond);                    \
            g_failed_checks++;                                                                     \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* A case: TEST(name) { ... } defines test_name, which cases.h must list. */
#define TEST(name) void test_##name(void)
#define X(name, labels) TEST(name);
#include "cases.h"
#undef X

/* ---- data files --------------------------------------------------------------------------- */
/* Rows of a .fvecs / .ivecs file in tests/data (example = 0) or examples/data (example = 1);
   NULL if it cannot be read. Directories: RUV_TEST_DATA_DIR and RUV_EXAMPLE_DATA_DIR (compile-time
   paths; the environment variables of the same names override them). max_rows 0 = all. */
float *load_f(int example, const char *file, size_t max_rows, size_t *n, size_t *dim);
int32_t *load_i(const char *file, size_t *n, size_t *dim);
/* The bytes of a file in the test data directory (malloc'd, *len set), or NULL. */
unsigned char *load_bytes(const char *file, size_t *len);

/* ---- independent references (double precision) ------------------------------------------- */
double ref_dist(ruv_metric m, const float *a, const float *b, size_t n);
/* Tolerance for comparing an f32 distance with the double reference. */
double tol(ruv_metric m, double d);

/* ---- random data -------------------------------------------------------------------------- */
uint64_t rng_next(uint64_t *s);
float rng_unit(uint64_t *s); /* uniform in [-1, 1) */
float *random_vecs(size_t n, size_t dim, uint64_t seed);

/* ---- indexes and searches ----------------------------------------------------------------- */
/* An index of kind over n vectors, keys 0..n-1; NULL on failure. */
ruv_index *make_index(ruv_metric metric, ruv_index_kind kind, size_t dim, const float *base,
                      size_t n);
/* Runs all queries (k each); keys into found (nq x k), counts into cnt. */
int search_all(const ruv_index *idx, const float *q, size_t nq, size_t k, uint32_t ef,
               uint64_t *found, size_t *cnt);
/* Same keys and distances. */
int same_hits(const ruv_hit *a, size_t na, const ruv_hit *b, size_t nb);
/* Same hits (keys and bit-identical distances) for every query. */
int same_searches(const ruv_index *a, const ruv_index *b, const float *qs, size_t nq);
/* Recall@10 (ef 64) of idx against the exact neighbours in truth (nq x 10 keys). */
double recall_vs(const ruv_index *idx, const float *qs, size_t nq, const uint64_t *truth);

/* ---- quantized indexes -------------------------------------------------------------------- */
/* A quantized index, trained on train[nt]; NULL on failure. */
ruv_index *quant_index(ruv_quant qt, ruv_metric m, ruv_index_kind kind, size_t dim, uint32_t pq_m,
                       uint32_t drop, const float *train, size_t nt);
/* Adds v[n] under keys 0..n-1. */
int add_all(ruv_index *idx, const float *v, size_t n);
/* Exact top-10 keys of nq queries by a flat f32 index (malloc'd; NULL on failure). */
uint64_t *exact_top10(ruv_metric m, const float *base, size_t nb, size_t dim, const float *qs,
                      size_t nq);
/* Recall@10 at ef and rerank against truth (nq x 10 keys); -1 if a search fails. */
double quant_recall(ruv_index *idx, const float *qs, size_t nq, const uint64_t *truth, uint32_t ef,
                    uint32_t rerank);

/* ---- a counting allocator ----------------------------------------------------------------- */
/* Counts live bytes; fails the allocation numbered fail_at (1-based, 0 = never). */
typedef struct tally {
    size_t live, calls, fail_at;
} tally;
void *tally_alloc(void *user, size_t size);
void tally_free(void *user, void *p, size_t size);

/* ---- saved files -------------------------------------------------------------------------- */
/* The index saved to a malloc'd buffer of *len bytes; NULL on failure. */
unsigned char *save_to_mem(const ruv_index *idx, size_t *len);

/* The file format's constants, from the FORMAT comment of ruvector.h (version 1.0). */
#define FMT_HDR 128u         /* header bytes */
#define FMT_SECENT 32u       /* bytes per section table entry */
#define FMT_NONE 0xFFFFFFFFu /* an empty key or id table entry */
enum {
    FMT_S_SLOTS = 1,
    FMT_S_KEYS = 2,
    FMT_S_KEYTAB = 3,
    FMT_S_LEVELS = 4,
    FMT_S_UPPEROFF = 5,
    FMT_S_UPPER = 6,
    FMT_S_IDREF = 7,
    FMT_S_IDBYTES = 8,
    FMT_S_IDTAB = 9,
    FMT_S_METAREF = 10,
    FMT_S_METABYTES = 11,
    FMT_S_F32 = 12,
    FMT_S_QUANT = 13
};

/* Little-endian integers in a byte buffer, on any host. */
uint32_t rd32le(const unsigned char *p);
uint64_t rd64le(const unsigned char *p);
void wr32le(unsigned char *p, uint32_t v);
void wr64le(unsigned char *p, uint64_t v);

/* Offset of section id's bytes in a saved buffer, its length in *len (0 if absent). */
size_t sec_off(const unsigned char *b, uint32_t id, size_t *len);
/* Recomputes the section and header checksums after a deliberate edit. */
void reseal(unsigned char *b, size_t len);
/* The first n floats of a saved index's quantizer tables (section 13); 0 if absent or short. */
int quant_tables(const ruv_index *idx, float *out, size_t n);

/* XXH64 written for the tests from the xxHash specification (independent of the library's),
   checked against published vectors by the xxh64_vectors case. One shot or streamed. */
typedef struct test_xxh64 {
    uint64_t v[4], total;
    unsigned char buf[32];
    size_t nbuf;
    uint64_t seed;
} test_xxh64;
void test_xxh64_init(test_xxh64 *h, uint64_t seed);
void test_xxh64_update(test_xxh64 *h, const void *data, size_t n);
uint64_t test_xxh64_final(const test_xxh64 *h);
uint64_t test_xxh64_hash(const void *data, size_t n, uint64_t seed);

#endif
