/* ruvector.h - embeddable exact and approximate nearest-neighbour search. MIT licence (end of
   file).

   Single-file C99 library (also compiles as C++11..20) with no dependencies beyond the C standard
   library and libm.

   DO THIS in exactly one C or C++ file:
       #define RUVECTOR_IMPLEMENTATION
       #include "ruvector.h"
   and include it without the define everywhere else. Define RUVECTOR_STATIC as well to make every
   function static to that file.

   QUICK START
       ruv_config cfg = ruv_config_init(100);       // dim 100, all else default
       cfg.metric = RUV_METRIC_COSINE;
       cfg.kind = RUV_INDEX_HNSW;
       ruv_index *idx;
       if (ruv_index_create(&cfg, &idx) != RUV_OK) return 1;
       ruv_index_add(idx, 42, vec);                 // key 42, vec = 100 floats
       ruv_hit hits[10]; size_t n;
       ruv_index_search(idx, query, 10, NULL, hits, &n);
       for (size_t i = 0; i < n; i++) printf("%llu %f\n", (unsigned long long)hits[i].key,
                                             hits[i].distance);
       ruv_index_free(idx);

   OPTIONS (define before the implementation include)
       RUVECTOR_STATIC         all functions static (private copy per translation unit)
       RUV_MALLOC(sz, ctx)     default allocator (define both or neither; ctx = allocator user)
       RUV_FREE(p, ctx)
       RUV_ASSERT(x)           internal invariant check, default assert(); never used on input
       RUV_NO_SIMD             serial distance kernels only (see ruvector_simd.h)

   CONCEPTS
     Keys and slots: every vector has a caller-chosen u64 key; internally it lives in a slot
     (0, 1, 2, ... in insertion order). Results carry keys.
     Distances (smaller = closer; results are sorted by ascending distance):
       RUV_METRIC_L2SQ    squared Euclidean distance, sum (a_i - b_i)^2
       RUV_METRIC_IP      1 - a.b  (inner product turned into a distance; may be negative)
       RUV_METRIC_COSINE  1 - a.b / (|a| |b|), in [0, 2]; vectors are normalised on insert and
                          queries on search; an all-zero vector has cosine distance 1 to everything.
     Index kinds:
       RUV_INDEX_FLAT     exact: every query scans every vector. Ties broken by lower slot.
       RUV_INDEX_HNSW     approximate: hierarchical navigable small world graph (Malkov & Yashunin,
                          "Efficient and robust approximate nearest neighbor search using
                          Hierarchical Navigable Small World graphs", arXiv:1603.09320): levels
                          drawn with mL = 1/ln(M) from a seeded generator, heuristic neighbour
                          selection (their Algorithm 4), M links per node on upper levels, 2M on
                          level 0. Larger ef_search = higher recall, slower queries.
     Errors: every function that can fail returns a ruv_result (RUV_OK = 0, errors < 0;
     ruv_result_string() names them). A call that fails leaves the index as it was.
     Threads: an index has no locks. Any number of threads may search one index at the same time
     if each passes its own ruv_search_ctx and nothing writes the index meanwhile; a call that
     adds, or a search without a ctx, needs the index to itself.
     Memory: one allocation per growing array; capacity doubles when full (the capacity hint in
     the config sets the start). Searches allocate nothing once their ctx has grown to the index.
*/
/* The kernels come first and outside the guard: their own guards emit the declarations once and
   the implementation once, whichever include defines RUVECTOR_IMPLEMENTATION. They also define
   RUVDEF (extern, or static under RUVECTOR_STATIC). */
#include "ruvector_simd.h"

#ifndef RUVECTOR_H
#define RUVECTOR_H

#include <stddef.h>
#include <stdint.h>

#define RUV_VERSION_MAJOR 0
#define RUV_VERSION_MINOR 1
#define RUV_VERSION_PATCH 0
#define RUV_VERSION_STRING "0.1.0"

/* Largest dimension, M and vector count an index accepts. */
#define RUV_MAX_DIM 65536u
#define RUV_MAX_M 512u
#define RUV_MAX_COUNT 0x7FFFFFFEu

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: X(name, value, message). */
#define RUV__RESULTS(X)                                                                            \
    X(RUV_OK, 0, "ok")                                                                             \
    X(RUV_E_ARG, -1, "invalid argument")                                                           \
    X(RUV_E_NOMEM, -2, "out of memory")                                                            \
    X(RUV_E_VALUE, -3, "vector has a NaN or infinite component")                                   \
    X(RUV_E_EXISTS, -4, "key already in the index")                                                \
    X(RUV_E_FULL, -5, "index is full")                                                             \
    X(RUV_E_UNSUPPORTED, -6, "instruction set not supported by this CPU or build")

#define RUV__RESULT_ENUM(name, value, msg) name = value,
/* Result of every fallible call: RUV_OK (0) or a negative error code. */
typedef enum ruv_result { RUV__RESULTS(RUV__RESULT_ENUM) } ruv_result;
#undef RUV__RESULT_ENUM

/* Distance conventions: see CONCEPTS above. */
typedef enum ruv_metric {
    RUV_METRIC_L2SQ = 0,  /* squared Euclidean (default) */
    RUV_METRIC_IP = 1,    /* 1 - dot */
    RUV_METRIC_COSINE = 2 /* 1 - cosine similarity */
} ruv_metric;

typedef enum ruv_index_kind {
    RUV_INDEX_FLAT = 0, /* exact scan (default) */
    RUV_INDEX_HNSW = 1  /* approximate graph index */
} ruv_index_kind;

/* Caller-supplied memory functions. alloc returns NULL on failure (size > 0 always); free gets
   the pointer and the size that alloc was given. user is passed through. All-NULL = default
   (RUV_MALLOC / RUV_FREE). */
typedef struct ruv_allocator {
    void *(*alloc)(void *user, size_t size);
    void (*free)(void *user, void *ptr, size_t size);
    void *user;
} ruv_allocator;

/* Index configuration. A zero field means its default, listed per field. */
typedef struct ruv_config {
    uint32_t dim;             /* required: 1..RUV_MAX_DIM floats per vector */
    ruv_metric metric;        /* default RUV_METRIC_L2SQ */
    ruv_index_kind kind;      /* default RUV_INDEX_FLAT */
    uint32_t M;               /* HNSW links per node on upper levels, 2*M on level 0; 16; 2..512 */
    uint32_t ef_construction; /* HNSW candidate list size while inserting; 200 (at least M) */
    uint32_t ef_search;       /* HNSW default candidate list size per query; 64 */
    uint64_t capacity;        /* initial number of slots (grows by doubling); 1024 */
    uint64_t seed;            /* HNSW level generator seed; 0 = a fixed default seed */
    ruv_isa isa;              /* kernels to use; RUV_ISA_AUTO = best the CPU supports */
    ruv_allocator alloc;      /* memory functions; zero = RUV_MALLOC / RUV_FREE */
} ruv_config;

/* One search result. */
typedef struct ruv_hit {
    uint64_t key;   /* the key given when the vector was added */
    float distance; /* per the index metric; see CONCEPTS */
} ruv_hit;

/* Opaque index. Create with ruv_index_create, release with ruv_index_free. */
typedef struct ruv_index ruv_index;

/* Scratch memory for searches (visited set, candidate list, normalised query). One per thread
   that searches concurrently. Bound to the allocator of the index it was created for; usable with
   any index of the same dimension. */
typedef struct ruv_search_ctx ruv_search_ctx;

/* Per-query options. A NULL pointer or zero fields mean the defaults. */
typedef struct ruv_search_params {
    uint32_t ef_search;  /* HNSW candidate list size; 0 = the index's; raised to k if smaller */
    ruv_search_ctx *ctx; /* scratch; NULL = the index's own (then not concurrent-safe) */
} ruv_search_params;

/* Library version, "MAJOR.MINOR.PATCH" (RUV_VERSION_STRING). Static string. */
RUVDEF const char *ruv_version(void);

/* Static English message for a result code; "unknown result" for other values. */
RUVDEF const char *ruv_result_string(ruv_result r);

/* A config with every field zero (= default) except dim. */
RUVDEF ruv_config ruv_config_init(uint32_t dim);

/* Creates an empty index; *out receives it (NULL on error). Resolves zero fields to defaults.
   RUV_E_ARG: cfg or out NULL, dim 0 or > RUV_MAX_DIM, unknown metric, kind or isa, M out of
   2..512, capacity > RUV_MAX_COUNT, only one of alloc.alloc / alloc.free set.
   RUV_E_UNSUPPORTED: cfg->isa not runnable here. RUV_E_NOMEM: allocation failed. */
RUVDEF ruv_result ruv_index_create(const ruv_config *cfg, ruv_index **out);

/* Releases the index and everything it owns. NULL is ignored. */
RUVDEF void ruv_index_free(ruv_index *idx);

/* Adds one vector (dim floats, copied) under key. Duplicate keys are refused: RUV_E_EXISTS, index
   unchanged. RUV_E_ARG: idx or vec NULL. RUV_E_VALUE: NaN/Inf component. RUV_E_FULL: already
   RUV_MAX_COUNT vectors. RUV_E_NOMEM: growth failed. On any error the index is unchanged.
   HNSW insertion follows Algorithm 1 of Malkov & Yashunin. Not thread-safe. */
RUVDEF ruv_result ruv_index_add(ruv_index *idx, uint64_t key, const float *vec);

/* Adds n vectors: keys[i] with vecs[i * dim .. i * dim + dim - 1] (n x dim row-major floats), in
   order. All or nothing: every vector and key is checked first (RUV_E_VALUE, RUV_E_EXISTS for a
   key already present or repeated within the batch, RUV_E_FULL, RUV_E_NOMEM) and on any error
   nothing is added. n == 0 is RUV_OK. RUV_E_ARG: idx NULL, or keys/vecs NULL with n > 0. The
   result equals n calls of ruv_index_add (same graph for the same seed). Not thread-safe. */
RUVDEF ruv_result ruv_index_add_batch(ruv_index *idx, size_t n, const uint64_t *keys,
                                      const float *vecs);

/* Up to k nearest vectors to query (dim floats): hits[0..*n_out-1], ascending distance.
   *n_out = min(k, count) for flat; for HNSW also at most k (fewer only if the graph cannot reach
   k nodes, which a connected build does not produce). params may be NULL.
   RUV_E_ARG: idx/query/hits/n_out NULL or k == 0. RUV_E_VALUE: NaN/Inf in query.
   RUV_E_NOMEM: the ctx could not grow. On error *n_out = 0.
   Thread-safety: see params->ctx and CONCEPTS. */
RUVDEF ruv_result ruv_index_search(const ruv_index *idx, const float *query, size_t k,
                                   const ruv_search_params *params, ruv_hit *hits, size_t *n_out);

/* nq searches: query i = queries[i * dim ..], results in hits[i * k ..] (nq x k hits) with count
   n_out[i]. Stops at the first failing query and returns its error (earlier results stay
   written; n_out of the failing and later queries is 0). Same errors and thread-safety as
   ruv_index_search; RUV_E_ARG also for n_out NULL. */
RUVDEF ruv_result ruv_index_search_batch(const ruv_index *idx, size_t nq, const float *queries,
                                         size_t k, const ruv_search_params *params, ruv_hit *hits,
                                         size_t *n_out);

/* Number of vectors in the index (0 for NULL). */
RUVDEF size_t ruv_index_count(const ruv_index *idx);

/* Vector dimension (0 for NULL). */
RUVDEF uint32_t ruv_index_dim(const ruv_index *idx);

/* Bytes currently allocated by the index (vectors, graph, key table, its own scratch). */
RUVDEF size_t ruv_index_memory_usage(const ruv_index *idx);

/* The resolved configuration (defaults filled in; isa = the one in use). Zeroed for NULL. */
RUVDEF ruv_config ruv_index_get_config(const ruv_index *idx);

/* Creates search scratch for idx (allocated with idx's allocator; grows on demand with the
   index). RUV_E_ARG: NULL argument. RUV_E_NOMEM. Free with ruv_search_ctx_free before its index's
   allocator goes away. */
RUVDEF ruv_result ruv_search_ctx_create(const ruv_index *idx, ruv_search_ctx **out);

/* Releases a search context. NULL is ignored. */
RUVDEF void ruv_search_ctx_free(ruv_search_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif /* RUVECTOR_H */

/* ======================================================================== */
/* >>implementation */
#if defined(RUVECTOR_IMPLEMENTATION) && !defined(RUV__IMPL_DONE)
#define RUV__IMPL_DONE

#include <math.h>
#include <string.h>

#if defined(RUV_MALLOC) != defined(RUV_FREE)
#error "define both RUV_MALLOC and RUV_FREE, or neither"
#endif
#ifndef RUV_MALLOC
#include <stdlib.h>
#define RUV_MALLOC(sz, ctx) ((void)(ctx), malloc(sz))
#define RUV_FREE(p, ctx) ((void)(ctx), free(p))
#endif
#ifndef RUV_ASSERT
#include <assert.h>
#define RUV_ASSERT(x) assert(x)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RUV__PREFETCH(p) __builtin_prefetch((const void *)(p), 0, 3)
#else
#define RUV__PREFETCH(p) ((void)(p))
#endif

#define RUV__NONE 0xFFFFFFFFu     /* empty slot in the key table, "no node" */
#define RUV__EXPANDED 0x80000000u /* candidate-list flag: neighbours already visited */
#define RUV__ALIGN 64u
#define RUV__MAX_LEVEL 31

/* >>memory */
/* Every allocation goes through these, which count bytes into *used. */
typedef struct ruv__mem {
    ruv_allocator a;
    size_t used;
} ruv__mem;

static void *ruv__malloc_default(void *user, size_t size) {
    (void)user;
    return RUV_MALLOC(size, user);
}
static void ruv__free_default(void *user, void *p, size_t size) {
    (void)size;
    (void)user;
    RUV_FREE(p, user);
}

static void *ruv__alloc(ruv__mem *m, size_t size) {
    void *p;
    if (size == 0)
        size = 1;
    p = m->a.alloc(m->a.user, size);
    if (p)
        m->used += size;
    return p;
}

static void ruv__free(ruv__mem *m, void *p, size_t size) {
    if (!p)
        return;
    if (size == 0)
        size = 1;
    m->a.free(m->a.user, p, size);
    m->used -= size;
}

/* 64-byte aligned block: the raw pointer is stored just below the aligned address. */
static void *ruv__alloc_aligned(ruv__mem *m, size_t size) {
    unsigned char *raw, *p;
    if (size > (size_t)-1 - RUV__ALIGN - sizeof(void *))
        return NULL;
    raw = (unsigned char *)ruv__alloc(m, size + RUV__ALIGN + sizeof(void *));
    if (!raw)
        return NULL;
    p = raw + sizeof(void *);
    p += (RUV__ALIGN - (size_t)((uintptr_t)p % RUV__ALIGN)) % RUV__ALIGN;
    memcpy(p - sizeof(void *), &raw, sizeof(void *));
    return p;
}

static void ruv__free_aligned(ruv__mem *m, void *p, size_t size) {
    unsigned char *raw;
    if (!p)
        return;
    memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof(void *));
    ruv__free(m, raw, size + RUV__ALIGN + sizeof(void *));
}

/* a * b, or 0 with *ok cleared on overflow. */
static size_t ruv__mul(size_t a, size_t b, int *ok) {
    if (a != 0 && b > (size_t)-1 / a) {
        *ok = 0;
        return 0;
    }
    return a * b;
}

/* >>values */
static int ruv__finite(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x7F800000u) != 0x7F800000u;
}

static int ruv__all_finite(const float *v, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (!ruv__finite(v[i]))
            return 0;
    return 1;
}

/* dst = src / |src| (norm in double); all-zero stays all-zero. */
static void ruv__normalize(float *dst, const float *src, size_t n) {
    double s = 0.0, inv;
    size_t i;
    for (i = 0; i < n; i++)
        s += (double)src[i] * (double)src[i];
    inv = s > 0.0 ? 1.0 / sqrt(s) : 0.0;
    for (i = 0; i < n; i++)
        dst[i] = (float)((double)src[i] * inv);
}

/* splitmix64: seeds and hashes. */
static uint64_t ruv__mix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* >>search-context */
/* Candidate: distance and slot (high bit of id = expanded). */
typedef struct ruv__cand {
    float dist;
    uint32_t id;
} ruv__cand;

struct ruv_search_ctx {
    ruv__mem mem;
    uint32_t *visited; /* visited[slot] == epoch: seen in this search */
    size_t visited_cap;
    uint32_t epoch;
    ruv__cand *pool; /* sorted candidate list, or the flat top-k heap */
    size_t pool_cap;
    ruv__cand *sel; /* neighbour selection scratch, m0 + 1 */
    uint32_t *ids;  /* unvisited neighbours of the node being expanded, m0 */
    size_t sel_cap;
    float *query; /* normalised query (cosine) */
    size_t dim;
};

/* Grows ctx so that it can search `slots` slots with a list of `pool` candidates and
   neighbour lists of `sel` entries. All or nothing: on RUV_E_NOMEM nothing changed. */
static ruv_result ruv__ctx_reserve(ruv_search_ctx *c, size_t slots, size_t pool, size_t sel) {
    uint32_t *v = NULL, *ids = NULL;
    ruv__cand *p = NULL, *s = NULL;
    int ok = 1;
    size_t vb = ruv__mul(slots, sizeof *v, &ok), pb = ruv__mul(pool, sizeof *p, &ok);
    size_t sb = ruv__mul(sel, sizeof *s, &ok), ib = ruv__mul(sel, sizeof *ids, &ok);
    if (!ok)
        return RUV_E_NOMEM;
    if (slots > c->visited_cap && !(v = (uint32_t *)ruv__alloc(&c->mem, vb)))
        goto fail;
    if (pool > c->pool_cap && !(p = (ruv__cand *)ruv__alloc(&c->mem, pb)))
        goto fail;
    if (sel > c->sel_cap && (!(s = (ruv__cand *)ruv__alloc(&c->mem, sb)) ||
                             !(ids = (uint32_t *)ruv__alloc(&c->mem, ib))))
        goto fail;
    if (v) {
        memset(v, 0, vb);
        ruv__free(&c->mem, c->visited, c->visited_cap * sizeof *v);
        c->visited = v;
        c->visited_cap = slots;
        c->epoch = 0;
    }
    if (p) {
        ruv__free(&c->mem, c->pool, c->pool_cap * sizeof *p);
        c->pool = p;
        c->pool_cap = pool;
    }
    if (s) {
        ruv__free(&c->mem, c->sel, c->sel_cap * sizeof *s);
        ruv__free(&c->mem, c->ids, c->sel_cap * sizeof *ids);
        c->sel = s;
        c->ids = ids;
        c->sel_cap = sel;
    }
    return RUV_OK;
fail:
    ruv__free(&c->mem, v, vb);
    ruv__free(&c->mem, p, pb);
    ruv__free(&c->mem, s, sb);
    ruv__free(&c->mem, ids, ib);
    return RUV_E_NOMEM;
}

static void ruv__ctx_release(ruv_search_ctx *c) {
    ruv__free(&c->mem, c->visited, c->visited_cap * sizeof *c->visited);
    ruv__free(&c->mem, c->pool, c->pool_cap * sizeof *c->pool);
    ruv__free(&c->mem, c->sel, c->sel_cap * sizeof *c->sel);
    ruv__free(&c->mem, c->ids, c->sel_cap * sizeof *c->ids);
    ruv__free(&c->mem, c->query, c->dim * sizeof *c->query);
}

/* Fresh ctx (struct + query buffer) from mem; NULL on failure. */
static ruv_search_ctx *ruv__ctx_new(ruv__mem *mem, size_t dim) {
    ruv__mem m = *mem;
    ruv_search_ctx *c = (ruv_search_ctx *)ruv__alloc(&m, sizeof *c);
    float *q;
    if (!c)
        return NULL;
    q = (float *)ruv__alloc(&m, dim * sizeof *q);
    if (!q) {
        ruv__free(&m, c, sizeof *c);
        return NULL;
    }
    memset(c, 0, sizeof *c);
    c->mem.a = m.a;
    c->mem.used = sizeof *c + dim * sizeof *q;
    c->query = q;
    c->dim = dim;
    return c;
}

/* Starts a new visited generation. */
static void ruv__ctx_next_epoch(ruv_search_ctx *c) {
    if (++c->epoch == 0) {
        memset(c->visited, 0, c->visited_cap * sizeof *c->visited);
        c->epoch = 1;
    }
}

/* >>index */
struct ruv_index {
    ruv_config cfg; /* resolved */
    ruv__mem mem;
    ruv_kernels kern;
    ruv_kernel_fn raw_dist; /* l2sq or dot on f32 */
    int dot_based;          /* distance = 1 - raw */
    size_t dim;

    /* slot arena: slot i at data + i * stride: [u32 count][u32 links[m0]] (HNSW only), then at
       vec_off the vector (dim floats). */
    unsigned char *data;
    size_t stride, vec_off;
    size_t count, cap;
    uint64_t *keys;   /* [cap] key of each slot */
    uint32_t *table;  /* key table: open addressing over slots, RUV__NONE = empty */
    size_t table_cap; /* power of two, >= 2 * cap */

    /* HNSW */
    uint32_t M, m0;
    uint8_t *levels;     /* [cap] top level of each slot */
    uint32_t *upper_off; /* [cap] start of a slot's upper-level lists in `upper` */
    uint32_t *upper;     /* per level l >= 1: [u32 count][u32 links[M]] */
    size_t upper_len, upper_cap;
    uint32_t entry;
    int max_level;
    double ml;
    uint64_t rng;

    ruv_search_ctx *ctx; /* used by adds and by searches without a ctx */
};

static float ruv__dist(const ruv_index *idx, const float *a, const float *b) {
    float d = idx->raw_dist(a, b, idx->dim);
    return idx->dot_based ? 1.0f - d : d;
}

static float *ruv__vec(const ruv_index *idx, uint32_t slot) {
    return (float *)(void *)(idx->data + (size_t)slot * idx->stride + idx->vec_off);
}

/* Neighbour list of slot at level: [0] = count, then the links. */
static uint32_t *ruv__links(const ruv_index *idx, uint32_t slot, int level) {
    if (level == 0)
        return (uint32_t *)(void *)(idx->data + (size_t)slot * idx->stride);
    return idx->upper + idx->upper_off[slot] + (size_t)(level - 1) * (idx->M + 1);
}

static uint64_t ruv__hash(uint64_t key) { return ruv__mix64(key); }

/* Slot holding key, or RUV__NONE. */
static uint32_t ruv__find(const ruv_index *idx, uint64_t key) {
    size_t mask = idx->table_cap - 1, h = (size_t)ruv__hash(key) & mask;
    for (;; h = (h + 1) & mask) {
        uint32_t s = idx->table[h];
        if (s == RUV__NONE || idx->keys[s] == key)
            return s;
    }
}

static void ruv__table_put(uint32_t *table, size_t cap, const uint64_t *keys, uint32_t slot) {
    size_t mask = cap - 1, h = (size_t)ruv__hash(keys[slot]) & mask;
    RUV_ASSERT((cap & mask) == 0 && slot != RUV__NONE);
    while (table[h] != RUV__NONE)
        h = (h + 1) & mask;
    table[h] = slot;
}

static size_t ruv__upper_need(const ruv_index *idx, int level) {
    return (size_t)level * (idx->M + 1);
}

/* Level for a new node: floor(-ln(U) * mL), U uniform in (0, 1]. Advances idx->rng. */
static int ruv__draw_level(ruv_index *idx) {
    double u, l;
    idx->rng += 0x9E3779B97F4A7C15ull;
    u = (double)((ruv__mix64(idx->rng) >> 11) + 1) * (1.0 / 9007199254740992.0);
    l = -log(u) * idx->ml;
    return l >= RUV__MAX_LEVEL ? RUV__MAX_LEVEL : (int)l;
}

/* Makes room for `slots` slots and `upper` more u32 of upper-level lists. All or nothing. */
static ruv_result ruv__reserve(ruv_index *idx, size_t slots, size_t upper) {
    int ok = 1, hnsw = idx->cfg.kind == RUV_INDEX_HNSW;
    size_t cap = idx->cap, tcap = idx->table_cap, ucap = idx->upper_cap, ulen;
    unsigned char *data = NULL;
    uint64_t *keys = NULL;
    uint32_t *table = NULL, *uoff = NULL, *up = NULL;
    uint8_t *levels = NULL;
    size_t pool;

    if (slots > RUV_MAX_COUNT)
        return RUV_E_FULL;
    if (cap < slots) {
        cap = cap ? cap : slots;
        while (cap < slots)
            cap = cap * 2 > RUV_MAX_COUNT ? RUV_MAX_COUNT : cap * 2;
    }
    while (tcap < 2 * cap)
        tcap *= 2;
    ulen = idx->upper_len + upper;
    if (ulen >= RUV__NONE)
        return RUV_E_FULL;
    while (ucap < ulen)
        ucap = ucap ? ucap * 2 : 1024;
    if (ucap > RUV__NONE)
        ucap = RUV__NONE;
    ruv__mul(cap, idx->stride, &ok);
    if (!ok)
        return RUV_E_NOMEM;

    if (cap > idx->cap) {
        if (!(data = (unsigned char *)ruv__alloc_aligned(&idx->mem, cap * idx->stride)) ||
            !(keys = (uint64_t *)ruv__alloc(&idx->mem, cap * sizeof *keys)))
            goto fail;
        if (hnsw && (!(levels = (uint8_t *)ruv__alloc(&idx->mem, cap)) ||
                     !(uoff = (uint32_t *)ruv__alloc(&idx->mem, cap * sizeof *uoff))))
            goto fail;
    }
    if (tcap > idx->table_cap && !(table = (uint32_t *)ruv__alloc(&idx->mem, tcap * 4)))
        goto fail;
    if (ucap > idx->upper_cap && !(up = (uint32_t *)ruv__alloc(&idx->mem, ucap * 4)))
        goto fail;
    /* the index's own scratch for inserting: last, as it is all or nothing itself */
    pool = idx->cfg.ef_search > idx->cfg.ef_construction ? idx->cfg.ef_search
                                                         : idx->cfg.ef_construction;
    if (ruv__ctx_reserve(idx->ctx, hnsw ? cap : 0, pool, (size_t)idx->m0 + 1) != RUV_OK)
        goto fail;

    /* Nothing can fail from here on. */
    if (data) {
        if (idx->count) {
            memcpy(data, idx->data, idx->count * idx->stride);
            memcpy(keys, idx->keys, idx->count * sizeof *keys);
        }
        ruv__free_aligned(&idx->mem, idx->data, idx->cap * idx->stride);
        ruv__free(&idx->mem, idx->keys, idx->cap * sizeof *keys);
        idx->data = data;
        idx->keys = keys;
        if (hnsw) {
            if (idx->count) {
                memcpy(levels, idx->levels, idx->count);
                memcpy(uoff, idx->upper_off, idx->count * sizeof *uoff);
            }
            ruv__free(&idx->mem, idx->levels, idx->cap);
            ruv__free(&idx->mem, idx->upper_off, idx->cap * sizeof *uoff);
            idx->levels = levels;
            idx->upper_off = uoff;
        }
        idx->cap = cap;
    }
    if (table) {
        size_t i;
        memset(table, 0xFF, tcap * 4);
        for (i = 0; i < idx->count; i++)
            ruv__table_put(table, tcap, idx->keys, (uint32_t)i);
        ruv__free(&idx->mem, idx->table, idx->table_cap * 4);
        idx->table = table;
        idx->table_cap = tcap;
    }
    if (up) {
        if (idx->upper_len)
            memcpy(up, idx->upper, idx->upper_len * 4);
        ruv__free(&idx->mem, idx->upper, idx->upper_cap * 4);
        idx->upper = up;
        idx->upper_cap = ucap;
    }
    return RUV_OK;
fail:
    ruv__free_aligned(&idx->mem, data, cap * idx->stride);
    ruv__free(&idx->mem, keys, cap * sizeof *keys);
    ruv__free(&idx->mem, levels, cap);
    ruv__free(&idx->mem, uoff, cap * sizeof *uoff);
    ruv__free(&idx->mem, table, tcap * 4);
    ruv__free(&idx->mem, up, ucap * 4);
    return RUV_E_NOMEM;
}

/* >>hnsw */
/* Greedy walk at one level from *ep (distance *dep) to a local minimum (ef = 1). */
static void ruv__greedy(const ruv_index *idx, const float *q, int level, uint32_t *ep, float *dep) {
    int changed = 1;
    while (changed) {
        const uint32_t *l = ruv__links(idx, *ep, level);
        uint32_t i, n = l[0];
        changed = 0;
        for (i = 1; i <= n; i++) {
            float d = ruv__dist(idx, q, ruv__vec(idx, l[i]));
            if (d < *dep) {
                *dep = d;
                *ep = l[i];
                changed = 1;
            }
        }
    }
}

/* Inserts (d, id) into the sorted list c[0..*n-1] of capacity cap if it belongs there.
   Returns the position, or cap when it was not inserted. Equal distances go after. */
static size_t ruv__pool_insert(ruv__cand *c, size_t *n, size_t cap, float d, uint32_t id) {
    size_t lo = 0, hi = *n;
    if (*n == cap && !(d < c[cap - 1].dist))
        return cap;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c[mid].dist <= d)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (*n < cap)
        (*n)++;
    memmove(c + lo + 1, c + lo, (*n - 1 - lo) * sizeof *c);
    c[lo].dist = d;
    c[lo].id = id;
    return lo;
}

/* Beam search at one level (Algorithm 2 of Malkov & Yashunin, with the candidate and result
   sets kept as one sorted list of at most ef entries). Starts from ep; leaves the ef closest
   found in ctx->pool, sorted; returns their number. */
static size_t ruv__search_layer(const ruv_index *idx, ruv_search_ctx *c, const float *q,
                                uint32_t ep, float dep, size_t ef, int level) {
    ruv__cand *pool = c->pool;
    uint32_t *vis = c->visited, *ids = c->ids, epoch;
    size_t n = 1, cur = 0;
    RUV_ASSERT(ef >= 1 && ef <= c->pool_cap && idx->count <= c->visited_cap);
    ruv__ctx_next_epoch(c);
    epoch = c->epoch;
    pool[0].dist = dep;
    pool[0].id = ep;
    vis[ep] = epoch;
    while (cur < n) {
        uint32_t node = pool[cur].id, nn = 0, i, cnt;
        const uint32_t *l;
        size_t best = n;
        pool[cur].id |= RUV__EXPANDED;
        l = ruv__links(idx, node, level);
        cnt = l[0];
        for (i = 1; i <= cnt; i++) {
            uint32_t s = l[i];
            if (vis[s] != epoch) {
                vis[s] = epoch;
                ids[nn++] = s;
                RUV__PREFETCH(ruv__vec(idx, s));
            }
        }
        for (i = 0; i < nn; i++) {
            float d;
            size_t pos;
            if (i + 1 < nn)
                RUV__PREFETCH((const char *)ruv__vec(idx, ids[i + 1]) + 64);
            d = ruv__dist(idx, q, ruv__vec(idx, ids[i]));
            pos = ruv__pool_insert(pool, &n, ef, d, ids[i]);
            if (pos < best)
                best = pos;
        }
        cur = best <= cur ? best : cur + 1;
        while (cur < n && (pool[cur].id & RUV__EXPANDED))
            cur++;
    }
    for (cur = 0; cur < n; cur++)
        pool[cur].id &= ~RUV__EXPANDED;
    return n;
}

/* Heuristic neighbour selection (Algorithm 4 of Malkov & Yashunin, without extending the
   candidates or keeping pruned ones): walks c[0..n-1] (sorted by distance to the base) and keeps
   a candidate unless an already kept one is closer to it than the base is. Keeps at most m,
   compacted to the front of c; returns how many. */
static size_t ruv__select(const ruv_index *idx, ruv__cand *c, size_t n, size_t m) {
    size_t i, j, kept = 0;
    if (n <= m)
        return n;
    for (i = 0; i < n && kept < m; i++) {
        const float *v = ruv__vec(idx, c[i].id);
        int good = 1;
        for (j = 0; j < kept; j++)
            if (ruv__dist(idx, v, ruv__vec(idx, c[j].id)) < c[i].dist) {
                good = 0;
                break;
            }
        if (good)
            c[kept++] = c[i];
    }
    return kept;
}

/* Adds a link from `from` to `to` at level; when the list is full, re-selects among the old
   links plus `to` with the heuristic, keeping at most the level's maximum. */
static void ruv__link(ruv_index *idx, uint32_t from, uint32_t to, int level) {
    uint32_t *l = ruv__links(idx, from, level), max = level ? idx->M : idx->m0, i;
    ruv__cand *s = idx->ctx->sel;
    const float *v = ruv__vec(idx, from);
    size_t n = 0, kept;
    RUV_ASSERT(l[0] <= max && from != to);
    if (l[0] < max) {
        l[++l[0]] = to;
        return;
    }
    for (i = 0; i <= l[0]; i++) {
        uint32_t id = i < l[0] ? l[i + 1] : to;
        size_t pos = n;
        float d = ruv__dist(idx, v, ruv__vec(idx, id));
        while (pos > 0 && s[pos - 1].dist > d) {
            s[pos] = s[pos - 1];
            pos--;
        }
        s[pos].dist = d;
        s[pos].id = id;
        n++;
    }
    kept = ruv__select(idx, s, n, max);
    for (i = 0; i < kept; i++)
        l[i + 1] = s[i].id;
    l[0] = (uint32_t)kept;
}

/* Algorithm 1 of Malkov & Yashunin for slot s (vector and level already stored). */
static void ruv__hnsw_insert(ruv_index *idx, uint32_t s, int level) {
    ruv_search_ctx *c = idx->ctx;
    const float *q = ruv__vec(idx, s);
    uint32_t ep = idx->entry;
    float dep;
    int l;
    if (idx->count == 1) {
        idx->entry = s;
        idx->max_level = level;
        return;
    }
    dep = ruv__dist(idx, q, ruv__vec(idx, ep));
    for (l = idx->max_level; l > level; l--)
        ruv__greedy(idx, q, l, &ep, &dep);
    for (l = level < idx->max_level ? level : idx->max_level; l >= 0; l--) {
        size_t n = ruv__search_layer(idx, c, q, ep, dep, idx->cfg.ef_construction, l);
        uint32_t *links = ruv__links(idx, s, l), i;
        size_t kept;
        ep = c->pool[0].id;
        dep = c->pool[0].dist;
        kept = ruv__select(idx, c->pool, n, idx->M);
        links[0] = (uint32_t)kept;
        for (i = 0; i < kept; i++)
            links[i + 1] = c->pool[i].id;
        for (i = 0; i < kept; i++)
            ruv__link(idx, links[i + 1], s, l);
    }
    if (level > idx->max_level) {
        idx->max_level = level;
        idx->entry = s;
    }
}

/* >>api */
#define RUV__RESULT_CASE(name, value, msg)                                                         \
    case name:                                                                                     \
        return msg;
RUVDEF const char *ruv_result_string(ruv_result r) {
    switch (r) {
        RUV__RESULTS(RUV__RESULT_CASE)
    default:
        return "unknown result";
    }
}
#undef RUV__RESULT_CASE

RUVDEF const char *ruv_version(void) { return RUV_VERSION_STRING; }

RUVDEF ruv_config ruv_config_init(uint32_t dim) {
    ruv_config c;
    memset(&c, 0, sizeof c);
    c.dim = dim;
    return c;
}

/* Fills defaults and checks ranges: the one place config rules live. */
static ruv_result ruv__config_resolve(const ruv_config *in, ruv_config *out) {
    ruv_config c = *in;
    if (c.dim == 0 || c.dim > RUV_MAX_DIM)
        return RUV_E_ARG;
    if ((int)c.metric < 0 || (int)c.metric > (int)RUV_METRIC_COSINE)
        return RUV_E_ARG;
    if ((int)c.kind < 0 || (int)c.kind > (int)RUV_INDEX_HNSW)
        return RUV_E_ARG;
    if (!c.M)
        c.M = 16;
    if (c.M < 2 || c.M > RUV_MAX_M)
        return RUV_E_ARG;
    if (!c.ef_construction)
        c.ef_construction = 200;
    if (c.ef_construction < c.M)
        c.ef_construction = c.M;
    if (!c.ef_search)
        c.ef_search = 64;
    if (!c.capacity)
        c.capacity = 1024;
    if (c.capacity > RUV_MAX_COUNT)
        return RUV_E_ARG;
    if (!c.seed)
        c.seed = 0x2545F4914F6CDD1Dull;
    if ((int)c.isa < 0 || (int)c.isa >= (int)RUV_ISA_COUNT)
        return RUV_E_ARG;
    if (!c.alloc.alloc != !c.alloc.free)
        return RUV_E_ARG;
    if (!c.alloc.alloc) {
        c.alloc.alloc = ruv__malloc_default;
        c.alloc.free = ruv__free_default;
    }
    *out = c;
    return RUV_OK;
}

RUVDEF ruv_result ruv_index_create(const ruv_config *cfg, ruv_index **out) {
    ruv_config c;
    ruv_kernels k;
    ruv__mem mem;
    ruv_index *idx;
    ruv_result r;
    if (!out)
        return RUV_E_ARG;
    *out = NULL;
    if (!cfg)
        return RUV_E_ARG;
    if ((r = ruv__config_resolve(cfg, &c)) != RUV_OK)
        return r;
    if (!ruv_kernels_init(c.isa, &k))
        return RUV_E_UNSUPPORTED;
    c.isa = k.isa;
    mem.a = c.alloc;
    mem.used = 0;
    idx = (ruv_index *)ruv__alloc(&mem, sizeof *idx);
    if (!idx)
        return RUV_E_NOMEM;
    memset(idx, 0, sizeof *idx);
    idx->mem = mem;
    idx->cfg = c;
    idx->kern = k;
    idx->dim = c.dim;
    idx->dot_based = c.metric != RUV_METRIC_L2SQ;
    idx->raw_dist = k.fn[idx->dot_based ? RUV_OP_DOT : RUV_OP_L2SQ][RUV_DTYPE_F32];
    if (c.kind == RUV_INDEX_HNSW) {
        idx->M = c.M;
        idx->m0 = 2 * c.M;
        idx->vec_off = ((size_t)(idx->m0 + 1) * 4 + 15) & ~(size_t)15;
        idx->ml = 1.0 / log((double)c.M);
        idx->rng = c.seed;
    }
    idx->stride = (idx->vec_off + (size_t)c.dim * 4 + 15) & ~(size_t)15;
    idx->table_cap = 16;
    idx->entry = RUV__NONE;
    idx->ctx = ruv__ctx_new(&idx->mem, c.dim);
    if (idx->ctx) {
        idx->table = (uint32_t *)ruv__alloc(&idx->mem, idx->table_cap * 4);
    }
    if (!idx->ctx || !idx->table) {
        ruv_index_free(idx);
        return RUV_E_NOMEM;
    }
    memset(idx->table, 0xFF, idx->table_cap * 4);
    if ((r = ruv__reserve(idx, (size_t)c.capacity, 0)) != RUV_OK) {
        ruv_index_free(idx);
        return r;
    }
    *out = idx;
    return RUV_OK;
}

RUVDEF void ruv_index_free(ruv_index *idx) {
    ruv__mem m;
    if (!idx)
        return;
    m = idx->mem;
    if (idx->ctx)
        ruv_search_ctx_free(idx->ctx);
    ruv__free_aligned(&m, idx->data, idx->cap * idx->stride);
    ruv__free(&m, idx->keys, idx->cap * sizeof *idx->keys);
    ruv__free(&m, idx->table, idx->table_cap * 4);
    ruv__free(&m, idx->levels, idx->cap);
    ruv__free(&m, idx->upper_off, idx->cap * sizeof *idx->upper_off);
    ruv__free(&m, idx->upper, idx->upper_cap * 4);
    ruv__free(&m, idx, sizeof *idx);
}

static int ruv__cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* RUV_E_EXISTS if two keys of the batch are equal (sorted copy; temporary memory). */
static ruv_result ruv__batch_unique(ruv_index *idx, size_t n, const uint64_t *keys) {
    uint64_t *t;
    size_t i;
    int ok = 1, dup = 0;
    size_t bytes = ruv__mul(n, sizeof *t, &ok);
    if (n < 2)
        return RUV_OK;
    if (!ok || !(t = (uint64_t *)ruv__alloc(&idx->mem, bytes)))
        return RUV_E_NOMEM;
    memcpy(t, keys, bytes);
    qsort(t, n, sizeof *t, ruv__cmp_u64);
    for (i = 1; i < n && !dup; i++)
        dup = t[i] == t[i - 1];
    ruv__free(&idx->mem, t, bytes);
    return dup ? RUV_E_EXISTS : RUV_OK;
}

RUVDEF ruv_result ruv_index_add_batch(ruv_index *idx, size_t n, const uint64_t *keys,
                                      const float *vecs) {
    size_t i, upper = 0, dim;
    uint64_t rng;
    ruv_result r;
    int hnsw;
    if (!idx || (n && (!keys || !vecs)))
        return RUV_E_ARG;
    if (n == 0)
        return RUV_OK;
    dim = idx->dim;
    hnsw = idx->cfg.kind == RUV_INDEX_HNSW;
    if (n > RUV_MAX_COUNT - idx->count)
        return RUV_E_FULL;
    for (i = 0; i < n; i++) {
        if (!ruv__all_finite(vecs + i * dim, dim))
            return RUV_E_VALUE;
        if (ruv__find(idx, keys[i]) != RUV__NONE)
            return RUV_E_EXISTS;
    }
    if ((r = ruv__batch_unique(idx, n, keys)) != RUV_OK)
        return r;
    /* Draw the levels once to size the upper lists, then again (same seed) while inserting. */
    rng = idx->rng;
    for (i = 0; hnsw && i < n; i++)
        upper += ruv__upper_need(idx, ruv__draw_level(idx));
    idx->rng = rng;
    if ((r = ruv__reserve(idx, idx->count + n, upper)) != RUV_OK)
        return r;
    for (i = 0; i < n; i++) {
        uint32_t s = (uint32_t)idx->count;
        float *v = ruv__vec(idx, s);
        if (idx->cfg.metric == RUV_METRIC_COSINE)
            ruv__normalize(v, vecs + i * dim, dim);
        else
            memcpy(v, vecs + i * dim, dim * sizeof *v);
        idx->keys[s] = keys[i];
        ruv__table_put(idx->table, idx->table_cap, idx->keys, s);
        idx->count++;
        if (hnsw) {
            int level = ruv__draw_level(idx), l;
            idx->levels[s] = (uint8_t)level;
            idx->upper_off[s] = (uint32_t)idx->upper_len;
            idx->upper_len += ruv__upper_need(idx, level);
            *ruv__links(idx, s, 0) = 0;
            for (l = 1; l <= level; l++)
                *ruv__links(idx, s, l) = 0;
            ruv__hnsw_insert(idx, s, level);
        }
    }
    return RUV_OK;
}

RUVDEF ruv_result ruv_index_add(ruv_index *idx, uint64_t key, const float *vec) {
    if (!idx || !vec)
        return RUV_E_ARG;
    return ruv_index_add_batch(idx, 1, &key, vec);
}

/* Exact top-k by scanning every slot with a max-heap of size k on (distance, slot). */
static int ruv__worse(const ruv__cand *a, const ruv__cand *b) {
    return a->dist > b->dist || (a->dist == b->dist && a->id > b->id);
}

static size_t ruv__flat_search(const ruv_index *idx, ruv_search_ctx *c, const float *q, size_t k) {
    ruv__cand *h = c->pool;
    size_t n = 0, s;
    for (s = 0; s < idx->count; s++) {
        ruv__cand x;
        size_t i = 0;
        x.dist = ruv__dist(idx, q, ruv__vec(idx, (uint32_t)s));
        x.id = (uint32_t)s;
        if (n < k) { /* sift up */
            i = n++;
            while (i > 0 && ruv__worse(&x, &h[(i - 1) / 2])) {
                h[i] = h[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            h[i] = x;
        } else if (ruv__worse(&h[0], &x)) { /* replace the worst, sift down */
            for (;;) {
                size_t l = 2 * i + 1, w = i;
                const ruv__cand *wc = &x;
                if (l < n && ruv__worse(&h[l], wc))
                    w = l, wc = &h[l];
                if (l + 1 < n && ruv__worse(&h[l + 1], wc))
                    w = l + 1;
                if (w == i)
                    break;
                h[i] = h[w];
                i = w;
            }
            h[i] = x;
        }
    }
    /* heap -> ascending by repeatedly moving the worst to the end */
    for (s = n; s > 1; s--) {
        ruv__cand x = h[s - 1];
        size_t i = 0;
        h[s - 1] = h[0];
        for (;;) {
            size_t l = 2 * i + 1, w = i;
            const ruv__cand *wc = &x;
            if (l < s - 1 && ruv__worse(&h[l], wc))
                w = l, wc = &h[l];
            if (l + 1 < s - 1 && ruv__worse(&h[l + 1], wc))
                w = l + 1;
            if (w == i)
                break;
            h[i] = h[w];
            i = w;
        }
        h[i] = x;
    }
    return n;
}

RUVDEF ruv_result ruv_index_search(const ruv_index *idx, const float *query, size_t k,
                                   const ruv_search_params *params, ruv_hit *hits, size_t *n_out) {
    ruv_search_ctx *c;
    size_t ef, n, i;
    ruv_result r;
    if (n_out)
        *n_out = 0;
    if (!idx || !query || !hits || !n_out || k == 0)
        return RUV_E_ARG;
    if (!ruv__all_finite(query, idx->dim))
        return RUV_E_VALUE;
    c = params && params->ctx ? params->ctx : idx->ctx;
    if (c->dim != idx->dim)
        return RUV_E_ARG;
    if (idx->count == 0)
        return RUV_OK;
    if (k > idx->count)
        k = idx->count;
    ef = params && params->ef_search ? params->ef_search : idx->cfg.ef_search;
    if (ef < k || idx->cfg.kind == RUV_INDEX_FLAT)
        ef = k;
    r = ruv__ctx_reserve(c, idx->cfg.kind == RUV_INDEX_HNSW ? idx->cap : 0, ef,
                         (size_t)idx->m0 + 1);
    if (r != RUV_OK)
        return r;
    if (idx->cfg.metric == RUV_METRIC_COSINE) {
        ruv__normalize(c->query, query, idx->dim);
        query = c->query;
    }
    if (idx->cfg.kind == RUV_INDEX_FLAT) {
        n = ruv__flat_search(idx, c, query, k);
    } else {
        uint32_t ep = idx->entry;
        float dep = ruv__dist(idx, query, ruv__vec(idx, ep));
        int l;
        for (l = idx->max_level; l > 0; l--)
            ruv__greedy(idx, query, l, &ep, &dep);
        n = ruv__search_layer(idx, c, query, ep, dep, ef, 0);
        if (n > k)
            n = k;
    }
    for (i = 0; i < n; i++) {
        hits[i].key = idx->keys[c->pool[i].id];
        hits[i].distance = c->pool[i].dist;
    }
    *n_out = n;
    return RUV_OK;
}

RUVDEF ruv_result ruv_index_search_batch(const ruv_index *idx, size_t nq, const float *queries,
                                         size_t k, const ruv_search_params *params, ruv_hit *hits,
                                         size_t *n_out) {
    size_t i;
    if (!idx || !n_out || (nq && (!queries || !hits)) || k == 0)
        return RUV_E_ARG;
    for (i = 0; i < nq; i++)
        n_out[i] = 0;
    for (i = 0; i < nq; i++) {
        ruv_result r =
            ruv_index_search(idx, queries + i * idx->dim, k, params, hits + i * k, n_out + i);
        if (r != RUV_OK)
            return r;
    }
    return RUV_OK;
}

RUVDEF size_t ruv_index_count(const ruv_index *idx) { return idx ? idx->count : 0; }

RUVDEF uint32_t ruv_index_dim(const ruv_index *idx) { return idx ? idx->cfg.dim : 0; }

RUVDEF size_t ruv_index_memory_usage(const ruv_index *idx) {
    return idx ? idx->mem.used + idx->ctx->mem.used : 0;
}

RUVDEF ruv_config ruv_index_get_config(const ruv_index *idx) {
    ruv_config c;
    if (idx)
        return idx->cfg;
    memset(&c, 0, sizeof c);
    return c;
}

RUVDEF ruv_result ruv_search_ctx_create(const ruv_index *idx, ruv_search_ctx **out) {
    ruv__mem m;
    if (out)
        *out = NULL;
    if (!idx || !out)
        return RUV_E_ARG;
    m = idx->mem;
    *out = ruv__ctx_new(&m, idx->dim);
    return *out ? RUV_OK : RUV_E_NOMEM;
}

RUVDEF void ruv_search_ctx_free(ruv_search_ctx *ctx) {
    ruv__mem m;
    if (!ctx)
        return;
    ruv__ctx_release(ctx);
    m = ctx->mem;
    ruv__free(&m, ctx, sizeof *ctx);
}

#endif /* RUVECTOR_IMPLEMENTATION */

/*
MIT License. Copyright (c) 2026 the ruvector.h authors.
Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions: The above copyright notice and this
permission notice shall be included in all copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
*/
