#ifndef RUVECTOR_H
#define RUVECTOR_H

#include <stddef.h>
#include <stdint.h>

#define RUV_VERSION_MAJOR 0
#define RUV_VERSION_MINOR 2
#define RUV_VERSION_PATCH 0
#define RUV_VERSION_STRING "0.2.0"

/* Largest dimension, M, ef (construction and search) and vector count an index accepts. */
#define RUV_MAX_DIM 65536u
#define RUV_MAX_M 512u
#define RUV_MAX_EF 65536u
#define RUV_MAX_COUNT 0x7FFFFFFEu
/* Largest re-rank factor (ruv_index_options.rerank, ruv_search_options.rerank). */
#define RUV_MAX_RERANK 1024u

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: X(name, value, message). */
#define RUV__RESULTS(X)                                                                            \
    X(RUV_OK, 0, "ok")                                                                             \
    X(RUV_E_ARG, -1, "invalid argument")                                                           \
    X(RUV_E_NOMEM, -2, "out of memory")                                                            \
    X(RUV_E_VALUE, -3, "vector has a NaN or infinite component, or is out of range")               \
    X(RUV_E_EXISTS, -4, "key already in the index")                                                \
    X(RUV_E_FULL, -5, "index is full")                                                             \
    X(RUV_E_UNSUPPORTED, -6, "not supported: option combination, CPU or build")                    \
    X(RUV_E_NOTFOUND, -7, "key or id not in the index")                                            \
    X(RUV_E_READONLY, -8, "index is a read-only view")                                             \
    X(RUV_E_IO, -9, "input/output error")                                                          \
    X(RUV_E_SPACE, -10, "buffer too small")                                                        \
    X(RUV_E_FORMAT, -11, "not a ruvector index (bad magic)")                                       \
    X(RUV_E_VERSION, -12, "index format version newer than this library")                          \
    X(RUV_E_ENDIAN, -13, "index written with the other byte order")                                \
    X(RUV_E_TRUNCATED, -14, "index data truncated")                                                \
    X(RUV_E_CHECKSUM, -15, "index data checksum mismatch")                                         \
    X(RUV_E_CORRUPT, -16, "index data inconsistent")                                               \
    X(RUV_E_DIM, -17, "dimension mismatch")                                                        \
    X(RUV_E_UNTRAINED, -18, "quantizer not trained: call ruv_index_train first")                   \
    X(RUV_E_STATE, -19, "index must be empty for this call")                                       \
    X(RUV_E_TRAIN, -20, "too few training vectors (PQ needs at least 256)")                        \
    X(RUV_E_METRIC, -21,                                                                           \
      "index saved with a custom metric: load it with the same distance and id")                   \
    X(RUV_E_BUSY, -22,                                                                             \
      "called from inside a callback of the same index: a write, or a search "                     \
      "without a ctx")                                                                             \
    X(RUV_E_CANCELED, -23, "cancelled by the caller's cancel callback")

#define RUV__RESULT_ENUM(name, value, msg) name = value,
/* Result of every fallible call: RUV_OK (0) or a negative error code (see API CONVENTIONS). */
typedef enum ruv_result { RUV__RESULTS(RUV__RESULT_ENUM) } ruv_result;
#undef RUV__RESULT_ENUM

/* Distance conventions: see CONCEPTS above. */
typedef enum ruv_metric {
    RUV_METRIC_L2SQ = 0,    /* squared Euclidean (default) */
    RUV_METRIC_IP = 1,      /* 1 - dot */
    RUV_METRIC_COSINE = 2,  /* 1 - cosine similarity */
    RUV_METRIC_L1 = 3,      /* sum |a_i - b_i| (Manhattan) */
    RUV_METRIC_CUSTOM = 4,  /* the caller's ruv_distance_fn (ruv_index_options.distance) */
    RUV_METRIC_HAMMING = 5, /* binary vectors: number of differing bits */
    RUV_METRIC_JACCARD = 6  /* binary vectors: 1 - |a and b| / |a or b| (0 when both empty) */
} ruv_metric;

/* A custom metric (RUV_METRIC_CUSTOM): the distance between a and b, dim floats each (a query or
   a stored vector, in either order). Smaller = closer; any finite value, negative included; a
   NaN result is taken as +infinity. Should be symmetric and return the same value for the same
   arguments: HNSW builds its graph on it (a non-metric dissimilarity works, with a recall that
   depends on it), and the flat index sorts by it. Called from every thread that adds or searches
   (several at once with concurrent readers or a threaded build): it must be thread-safe then,
   and must not call back into the index. user = ruv_index_options.distance_user. */
typedef float (*ruv_distance_fn)(void *user, const float *a, const float *b, size_t dim);

/* How the searched copy of each vector is stored (see QUANTIZATION). */
typedef enum ruv_quant {
    RUV_QUANT_NONE = 0, /* f32, exact (default) */
    RUV_QUANT_F16 = 1,  /* IEEE binary16, 2 bytes per dimension */
    RUV_QUANT_BF16 = 2, /* bfloat16, 2 bytes per dimension */
    RUV_QUANT_SQ8 = 3,  /* 8-bit scalar quantization, per-dimension range; trained */
    RUV_QUANT_BIN = 4,  /* 1 bit per dimension, sign after centring on the mean; trained */
    RUV_QUANT_PQ = 5    /* product quantization, pq_m bytes; trained */
} ruv_quant;

typedef enum ruv_index_kind {
    RUV_INDEX_FLAT = 0, /* exact scan (default) */
    RUV_INDEX_HNSW = 1  /* approximate graph index */
} ruv_index_kind;

/* Caller-supplied memory functions. alloc returns NULL on failure (size > 0 always); free gets
   the pointer and the size that alloc was given. user is passed through. All-NULL = default
   (RUV_MALLOC / RUV_FREE). Called from whichever thread calls the library (several at once
   during a multi-threaded ruv_index_add_batch): they must be thread-safe if those are used. */
typedef struct ruv_allocator {
    void *(*alloc)(void *user, size_t size);
    void (*free)(void *user, void *ptr, size_t size);
    void *user;
} ruv_allocator;

/* Options of a new index (ruv_index_create). A zero field means its default, listed per field;
   ruv_index_options_init(dim) gives all defaults. */
typedef struct ruv_index_options {
    uint32_t dim;             /* required: 1..RUV_MAX_DIM floats per vector */
    ruv_metric metric;        /* default RUV_METRIC_L2SQ */
    ruv_index_kind kind;      /* default RUV_INDEX_FLAT */
    uint32_t M;               /* HNSW links per node on upper levels, 2*M on level 0; 16; 2..512 */
    uint32_t ef_construction; /* HNSW candidate list size while inserting; 200; M..RUV_MAX_EF */
    uint32_t ef_search;       /* HNSW default candidate list size per query; 64; <= RUV_MAX_EF */
    uint64_t capacity;        /* initial number of slots (see ruv_index_reserve); 1024 */
    uint64_t seed;            /* HNSW level generator seed; 0 = a fixed default seed */
    ruv_isa isa;              /* kernels to use; RUV_ISA_AUTO = best the CPU supports */
    ruv_allocator alloc;      /* memory functions; zero = RUV_MALLOC / RUV_FREE */
    ruv_quant quant;          /* storage of the searched vectors; RUV_QUANT_NONE (f32) */
    uint32_t pq_m;            /* PQ sub-quantizers (code bytes); must divide dim; dim / 4 if it
                                 divides, else required */
    uint32_t rerank;          /* quantized storage: search rerank x k candidates on the codes,
                                 then order them by exact f32 distance; 4; 1..RUV_MAX_RERANK */
    uint32_t drop_f32;        /* quantized storage: 1 = keep no f32 copies (less memory, no
                                 re-ranking: distances come from the codes); 0 = keep them */
    ruv_distance_fn distance; /* RUV_METRIC_CUSTOM: required; other metrics: must be NULL */
    void *distance_user;      /* passed to distance */
    uint64_t distance_id;     /* RUV_METRIC_CUSTOM: the caller's name for its function, saved
                                 in files; loading them needs the same id (ruv_load_options) */
    ruv_dtype dtype;          /* element type of the vectors given and returned (see VECTOR
                                 TYPES): RUV_DTYPE_F32 (default), F16, BF16, I8,
                                 U8 or BIN */
    uint32_t multi;           /* 1 = a key may own several vectors (see MULTI-VECTOR KEYS):
                                 adds under a present key add another vector, searches return
                                 each key once with its best distance, remove drops them all;
                                 0 = one vector per key (default) */
    uint32_t walk_bits;       /* HNSW over f32 input: 1 = keep 1 bit per dimension (value above
                                 the trained mean) beside each stored vector and walk the graph
                                 on those bits (Hamming), re-scoring the ef candidates found on
                                 the stored codes, then re-ranking by the f32 copies if kept (the
                                 three-tier search); needs ruv_index_train; 0 = off (default) */
    ruv_dtype rerank_dtype;   /* quantized storage with copies kept (drop_f32 0): the element type
                                 of the re-ranking copies: RUV_DTYPE_F32 (default, exact),
                                 RUV_DTYPE_BF16 (half the bytes; 8-bit mantissa, any f32 range; the
                                 norm bound of CONCEPTS shrinks by (1 + 2^-8)^2, the copies'
                                 rounding) or RUV_DTYPE_F16 (half the bytes; 11-bit mantissa;
                                 |x| < 65520, else adds, queries and training return RUV_E_VALUE).
                                 Re-ranking and get_vector use the copies widened to f32. Their
                                 rounding can cap recall on tightly clustered data (QUANTIZATION):
                                 F16 where the range allows */
} ruv_index_options;

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

/* Search filter callback: nonzero keeps the entry with this key. Called from the searching
   thread, for candidate entries only; must not modify the index. */
typedef int (*ruv_filter_fn)(void *user, uint64_t key);

/* Cancellation callback (ruv_search_options.cancel, ruv_build_options.cancel): nonzero stops the
   call with RUV_E_CANCELED, e.g. once a deadline has passed. Polled from the thread doing the
   work at a bounded interval (see the options); must not call into the index. */
typedef int (*ruv_cancel_fn)(void *user);

/* Options of one search. A NULL pointer or zero fields mean the defaults.
   Filters: an entry can be a hit only if it passes both the allow-list (bit key % 8 of
   allow[key / 8] set, keys >= allow_bits excluded) and the callback, where given. Filtered
   searches return min(k, number of live entries that pass) hits: HNSW widens its candidate list
   until it has k passing ones, and switches to an exact scan of the index (every entry's filter,
   distances only for those passing) when the filter passes fewer than 5% of the live entries,
   or fewer than 4 x ef_search of them, as estimated from 256 evenly spaced entries. */
typedef struct ruv_search_options {
    uint32_t ef_search;   /* HNSW candidate list size; 0 = the index's; raised to k if smaller */
    ruv_search_ctx *ctx;  /* scratch; NULL = the index's own (the search is then a writer) */
    ruv_filter_fn filter; /* NULL = no callback */
    void *filter_user;    /* passed to filter */
    const uint8_t *allow; /* allow-list bitset over keys; NULL = none */
    uint64_t allow_bits;  /* number of bits in allow */
    uint32_t rerank;      /* quantized storage with f32 copies: re-rank factor for this query;
                             0 = the index's; > RUV_MAX_RERANK is RUV_E_ARG */
    uint32_t f32_query;   /* 1 = the query is dim floats whatever the index dtype (asymmetric:
                             F16, BF16, I8 and U8 vectors compared with the f32 query in f32,
                             the stored values converted exactly); 0 = the index's dtype. BIN
                             indexes: RUV_E_UNSUPPORTED (no float Hamming); > 1: RUV_E_ARG */
    uint32_t threads;     /* ruv_index_search_batch: threads sharing the queries, the caller's
                             included, each with a ctx of its own; 0 or 1 = the caller only */
    ruv_cancel_fn cancel; /* NULL = none; polled every 64 HNSW node expansions and every 1024
                             slots of a scan: nonzero ends the search with RUV_E_CANCELED */
    void *cancel_user;    /* passed to cancel */
} ruv_search_options;

/* Build progress: done of total vectors linked so far. Called from the thread that called
   ruv_index_add_batch. */
typedef void (*ruv_progress_fn)(void *user, size_t done, size_t total);

/* Options of ruv_index_add_batch. A NULL pointer or zero fields mean the defaults. */
typedef struct ruv_build_options {
    uint32_t threads;         /* HNSW: threads that link the batch, the caller's included;
                                 0 or 1 = the calling thread only (deterministic) */
    ruv_progress_fn progress; /* NULL = none; about every 1024 vectors (16 when threaded) */
    void *progress_user;      /* passed to progress */
    ruv_cancel_fn cancel;     /* NULL = none; polled before each vector is linked (each 16 when
                                 threaded): nonzero removes the batch's vectors again and
                                 returns RUV_E_CANCELED */
    void *cancel_user;        /* passed to cancel */
} ruv_build_options;

/* Library version, "MAJOR.MINOR.PATCH" (RUV_VERSION_STRING). Static string. Threads: any. */
RUVDEF const char *ruv_version(void);

/* Static English message for a result code; "unknown result" for other values. Threads: any. */
RUVDEF const char *ruv_result_string(ruv_result r);

/* Options with every field zero (= default) except dim. Threads: any. */
RUVDEF ruv_index_options ruv_index_options_init(uint32_t dim);

/* Creates an empty index; *out receives it (NULL on error). Resolves zero fields to defaults.
   RUV_E_ARG: opt or out NULL, dim 0 or > RUV_MAX_DIM, unknown metric, kind, isa or quant, M out
   of 2..512, ef_construction or ef_search > RUV_MAX_EF, capacity > RUV_MAX_COUNT, only one of
   alloc.alloc / alloc.free set, rerank > RUV_MAX_RERANK, drop_f32 > 1, rerank_dtype other than
   F32, F16 or BF16, or F16 / BF16 without copies (f32 storage or drop_f32 1), PQ with pq_m not
   dividing dim (or 0 when 4 does not), RUV_METRIC_CUSTOM without distance or another metric
   with it, multi or walk_bits > 1. RUV_E_UNSUPPORTED: opt->isa not runnable here; L1 with
   SQ8, BIN or PQ; RUV_METRIC_CUSTOM with any storage but f32 (the quantizers' code distances
   are built on the algebra of the built-in metrics); a (dtype, metric, storage) outside VECTOR
   TYPES; walk_bits on a flat index, with a dtype other than F32, BIN storage or a custom
   metric. RUV_E_NOMEM: allocation failed. SQ8, BIN and PQ indexes, and every index with
   walk_bits, take vectors only after ruv_index_train (before it, adds give RUV_E_UNTRAINED).
   Threads: any (a new index). */
RUVDEF ruv_result ruv_index_create(const ruv_index_options *opt, ruv_index **out);

/* Releases the index and everything it owns. NULL is ignored. Threads: writer, and more: no
   other call may be using the index or start on it afterwards (join its readers first). */
RUVDEF void ruv_index_free(ruv_index *idx);

/* Adds one vector (dim floats, or one vector of opt.dtype: see VECTOR TYPES; copied) under
   key. Duplicate keys are refused: RUV_E_EXISTS, index unchanged (opt.multi: the key gets one
   more vector). RUV_E_ARG: idx or vec NULL.
   RUV_E_VALUE: a NaN/Inf component, a squared norm above FLT_MAX / 4 (not for f32 cosine; for
   BF16 vectors always), or with F16 storage a component of 65520 or more (see CONCEPTS,
   QUANTIZATION and VECTOR TYPES); never for integer or bit vectors. RUV_E_FULL: already
   RUV_MAX_COUNT vectors. RUV_E_NOMEM: growth failed. RUV_E_UNTRAINED: an SQ8/BIN/PQ or
   walk_bits index not trained yet. RUV_E_READONLY: a view. On any error the
   index is unchanged.
   HNSW insertion follows Algorithm 1 of Malkov & Yashunin. Threads: writer. */
RUVDEF ruv_result ruv_index_add(ruv_index *idx, uint64_t key, const void *vec);

/* Adds n vectors: keys[i] with vector i of vecs (n x dim row-major floats; for another
   opt.dtype, n vectors of its size back to back, see VECTOR TYPES), in order. All or nothing:
   every vector and key is checked first (RUV_E_VALUE, RUV_E_EXISTS for a key already present or
   repeated within the batch unless opt.multi, RUV_E_FULL, RUV_E_NOMEM, RUV_E_UNTRAINED,
   RUV_E_READONLY) and on any error nothing is added. n == 0 is RUV_OK. RUV_E_ARG: idx NULL, or
   keys/vecs NULL with n > 0. opt may be NULL. With one thread the result equals n calls of
   ruv_index_add (same graph for the same seed).
     opt->threads > 1: an HNSW batch is linked by several POSIX threads (striped per-node locks
   and a global entry-point lock, as in hnswlib). Slots, keys, vectors and levels are still
   assigned in order, so the result is the same set of entries, but the graph (and hence which
   near neighbours a search finds) depends on thread timing. Threads are capped at 64 and at one
   per 64 vectors; if a thread or its scratch cannot be had, the others do its share. Builds
   without threads (RUV_NO_THREADS, WebAssembly, non-POSIX) run on the calling thread. Readers
   of the index wait for a multi-threaded batch; with one thread they go on, and see its vectors
   one at a time.
     opt->cancel: polled by the calling thread before each vector (each chunk of 16 when
   threaded); once it returns nonzero the vectors added so far are removed again (HNSW: as
   deleted nodes, see ruv_index_remove) and RUV_E_CANCELED comes back: the entries are as before
   the call (RUV_E_NOMEM if the list of the batch's slots cannot be allocated, before anything).
   Threads: writer (the threads it starts are its own). */
RUVDEF ruv_result ruv_index_add_batch(ruv_index *idx, size_t n, const uint64_t *keys,
                                      const void *vecs, const ruv_build_options *opt);

/* Makes room for n entries in all (live, deleted and free slots together) at once, so that adds
   up to that count grow no per-slot array: vectors, keys, key table, graph levels (HNSW upper-level
   lists, string ids and metadata still grow as they are used). Without it the slot arrays grow
   by doubling while the slot arena is under 64 MiB, then by half. n at or below the current
   capacity: RUV_OK, nothing changes. All or nothing: RUV_E_FULL (n > RUV_MAX_COUNT), RUV_E_NOMEM
   (also when the sizes cannot be addressed on this machine), RUV_E_READONLY, RUV_E_ARG (idx
   NULL). Threads: writer. */
RUVDEF ruv_result ruv_index_reserve(ruv_index *idx, size_t n);

/* Up to k nearest vectors to query (dim floats, or one vector of the index dtype):
   hits[0..*n_out-1], ascending distance. *n_out = min(k, live entries passing the filters of
   opt), for both kinds: HNSW graphs are not always connected (as in hnswlib, a node whose
   in-links were all pruned by its neighbours' selections cannot be reached), so an HNSW walk
   that ends with fewer than k passing entries is completed by an exact scan (this happens when
   nearly all entries are asked for). opt may be NULL (see ruv_search_options for ef_search, ctx
   and filters).
   Quantized storage: distances on the codes; with f32 copies the rerank x k nearest on the
   codes (HNSW: ef_search raised to that) are re-ordered by exact distance (see QUANTIZATION).
   opt.multi: k distinct keys, each with the distance of its nearest vector (see MULTI-VECTOR
   KEYS); *n_out = min(k, keys with a passing vector).
   RUV_E_ARG: idx/query/hits/n_out NULL, k == 0, allow_bits > 0 with allow NULL, rerank too
   large, f32_query > 1, a ctx of another dimension. RUV_E_UNSUPPORTED: f32_query on a BIN
   index. RUV_E_VALUE: as for ruv_index_add (an f32_query: non-finite, or a squared norm above
   FLT_MAX / 4). RUV_E_NOMEM: the ctx could not grow. On error *n_out = 0. The same argument
   errors hold for every search (MMR, batch, range). RUV_E_CANCELED: opt->cancel returned
   nonzero. RUV_E_BUSY: no opt->ctx, called from inside a reader's callback of the same index.
   Threads: reader with opt->ctx of its own, else writer. */
RUVDEF ruv_result ruv_index_search(const ruv_index *idx, const void *query, size_t k,
                                   const ruv_search_options *opt, ruv_hit *hits, size_t *n_out);

/* Diverse top-k by maximal marginal relevance (Carbonell & Goldstein, "The use of MMR,
   diversity-based reranking...", SIGIR 1998): searches the `fetch` nearest (0 = 4k) with opt,
   then picks k of them one at a time, each maximising
       lambda * sim(q, d) - (1 - lambda) * max over picked s of sim(d, s),   sim = -distance
   (the first pick is the nearest). lambda = 1 keeps the nearest order; smaller values favour
   hits unlike those already picked. hits[0..*n_out-1] in pick order, with their distance to the
   query. RUV_E_ARG also for lambda outside [0, 1]; otherwise as ruv_index_search (the ctx keeps
   a scratch array of fetch floats). Threads: reader with opt->ctx of its own, else writer. */
RUVDEF ruv_result ruv_index_search_mmr(const ruv_index *idx, const void *query, size_t k,
                                       float lambda, size_t fetch, const ruv_search_options *opt,
                                       ruv_hit *hits, size_t *n_out);

/* nq searches: query i = queries[i * dim ..] (nq x dim row-major floats; typed: nq vectors of
   the index dtype back to back, or floats with opt->f32_query), results in
   hits[i * k ..] (nq x k hits) with count n_out[i]. Stops at the first failing query and
   returns its error (earlier results stay written; n_out of the failing and later queries is
   0). opt->threads > 1 (POSIX threads builds): that many threads, the caller's included (at
   most 64 and nq), take the queries in turn, each with a ctx of its own (created and freed by
   the call; the caller's opt->ctx serves one of them); the results are those of one thread, and
   on an error the lowest failing query decides as above. A thread or ctx that cannot be had
   leaves its share to the others; called from inside a callback of idx, it runs on the caller. Same
   errors as ruv_index_search (RUV_E_CANCELED included: a cancel callback must then be thread-safe);
   RUV_E_ARG also for n_out NULL. Threads: reader with opt->ctx of its own or opt->threads > 1, else
   writer. */
RUVDEF ruv_result ruv_index_search_batch(const ruv_index *idx, size_t nq, const void *queries,
                                         size_t k, const ruv_search_options *opt, ruv_hit *hits,
                                         size_t *n_out);

/* Range search callback: one entry within the radius (see ruv_index_search_range_each). Return
   0 to receive the next one, nonzero to stop. Must not modify the index or search with the same
   ctx. */
typedef int (*ruv_range_fn)(void *user, uint64_t key, float distance);

/* Every live entry passing the filters of opt whose distance to query (a vector of the index
   dtype) is at most radius (in the index's distance units, see CONCEPTS; a negative radius is
   valid for inner product). *n_out = how many were found, which may exceed cap; hits[0..min(cap,
   *n_out)-1] receive the closest of them, ascending distance (ties by slot). cap 0 with hits NULL
   counts only: call again with cap = *n_out to have them all. Flat: exact (every entry measured;
   with quantized storage and f32 copies on the exact f32 distance, without them on the codes).
   HNSW: approximate. A beam search with ef = ef_search, repeated with ef doubled while more than
   half of the ef entries it finds are within radius, returns the in-radius entries of its last list
   (a range of S entries is thus taken from a list of at least 2S, where the beam's recall is high);
   an exact scan, cheaper there, replaces the walk when the list would exceed a 64th of the slots or
   when 256 evenly spaced slots put over a 256th of the entries within radius. Deleted and
   filtered-out nodes are walked through, not returned; a filter passing under 5% of the entries
   (estimated as for ruv_index_search) also switches to the scan. HNSW over quantized storage walks
   on the codes; with f32 copies the entries found are measured exactly and those beyond radius
   dropped. The ctx grows to hold the list (8 bytes per entry). Measured by `ruv_bench range`.
   opt->rerank is not used. opt.multi: each key once, with its nearest vector's distance (the
   count too). RUV_E_ARG: idx/query/n_out NULL, hits NULL with cap > 0, radius NaN,
   allow_bits > 0 with allow NULL, a ctx of another dimension. RUV_E_VALUE: as for
   ruv_index_add. RUV_E_NOMEM: the ctx could not grow. On error *n_out = 0 and hits are not
   written. Threads: reader with opt->ctx of its own, else writer. */
RUVDEF ruv_result ruv_index_search_range(const ruv_index *idx, const void *query, float radius,
                                         const ruv_search_options *opt, ruv_hit *hits, size_t cap,
                                         size_t *n_out);

/* As ruv_index_search_range, with no bound on the results: fn(user, key, distance) is called
   for every entry found, ascending distance, until it returns nonzero. *n_out (n_out may be
   NULL) = how many were found, whether or not fn stopped early. RUV_E_ARG also for fn NULL;
   on an error fn is not called. Threads: reader with opt->ctx of its own, else writer. */
RUVDEF ruv_result ruv_index_search_range_each(const ruv_index *idx, const void *query, float radius,
                                              const ruv_search_options *opt, ruv_range_fn fn,
                                              void *user, size_t *n_out);

/* Number of live vectors in the index (0 for NULL; opt.multi: vectors, not keys). Threads:
   reader. */
RUVDEF size_t ruv_index_count(const ruv_index *idx);

/* Vector dimension (0 for NULL). Threads: reader. */
RUVDEF uint32_t ruv_index_dim(const ruv_index *idx);

/* Bytes currently allocated by the index (vectors, graph, key table, its own scratch). 0 for
   NULL. Threads: reader. */
RUVDEF size_t ruv_index_memory_usage(const ruv_index *idx);

/* The index's options with every default resolved (isa = the kernels in use). Zeroed for NULL.
   Threads: reader. */
RUVDEF ruv_index_options ruv_index_config(const ruv_index *idx);

/* Creates search scratch for idx (allocated with idx's allocator; grows on demand with the
   index). RUV_E_ARG: NULL argument. RUV_E_NOMEM. Free with ruv_search_ctx_free before its index's
   allocator goes away. Threads: reader. */
RUVDEF ruv_result ruv_search_ctx_create(const ruv_index *idx, ruv_search_ctx **out);

/* Releases a search context. NULL is ignored. Threads: the ctx's own (no search may use it). */
RUVDEF void ruv_search_ctx_free(ruv_search_ctx *ctx);

/* Trains the quantizer of an empty index on n sample vectors (n x dim row-major floats, copied
   as needed; cosine indexes normalise them first). SQ8: per-dimension range (0.01% and 99.99%
   quantiles of a seeded sample); BIN: per-dimension mean and mean absolute deviation; PQ:
   k-means (Lloyd, k-means++ seeding, seeded by opt.seed, at most 25 iterations, empty clusters
   re-seeded by splitting the largest) per sub-space on at most 65,536 of the vectors (a seeded
   sample), 256 centroids each; walk_bits: the bits' per-dimension mean, after the storage's
   tables (needed by every storage then). F32, F16 and BF16 storage without walk_bits, and
   indexes of another dtype (I8, U8, BIN, F16, BF16 vectors), need no training: RUV_OK without
   change.
   Deterministic: the same sample and seed give the same tables. Training again replaces the
   tables. RUV_E_ARG: idx NULL, vecs NULL, n == 0. RUV_E_VALUE: as for ruv_index_add. RUV_E_STATE:
   the index holds vectors. RUV_E_TRAIN: PQ with n < 256. RUV_E_READONLY, RUV_E_NOMEM (index
   unchanged). Threads: writer. */
RUVDEF ruv_result ruv_index_train(ruv_index *idx, size_t n, const float *vecs);

/* Sets an SQ8 index's per-dimension range directly instead of training: lo[i] <= hi[i] (dim
   floats each, finite); values outside are clamped. For cosine indexes the range applies to the
   normalised vectors. With walk_bits the bits' thresholds are the middle of each range.
   RUV_E_ARG: not SQ8, NULL, lo > hi, NaN/Inf. RUV_E_STATE: not empty.
   RUV_E_READONLY. RUV_E_NOMEM. Threads: writer. */
RUVDEF ruv_result ruv_index_set_sq8_range(ruv_index *idx, const float *lo, const float *hi);

/* 1 if the index can take vectors: its quantizer is trained or needs no training (0 for NULL).
   Threads: reader. */
RUVDEF int ruv_index_is_trained(const ruv_index *idx);

/* ---- store: entries with string ids and metadata, delete, update, lookups -------------------- */
/* Largest string id and metadata blob, in bytes. */
#define RUV_MAX_ID_BYTES 1024u
#define RUV_MAX_META_BYTES 0x1000000u

/* How ruv_index_put treats the key. */
typedef enum ruv_put_mode {
    RUV_PUT_INSERT = 0, /* new key only: RUV_E_EXISTS if present */
    RUV_PUT_UPDATE = 1, /* existing key only: RUV_E_NOTFOUND if absent */
    RUV_PUT_UPSERT = 2  /* either */
} ruv_put_mode;

/* One entry for ruv_index_put. A NULL field keeps what the key already has (nothing for a new
   key); a non-NULL field with length 0 clears it. */
typedef struct ruv_item {
    uint64_t key;
    const void *vector; /* one vector of the index dtype, copied; required for a new key */
    const char *id;     /* string id, any bytes, unique in the index; 1..RUV_MAX_ID_BYTES */
    size_t id_len;
    const void *meta; /* metadata blob, copied; 0..RUV_MAX_META_BYTES bytes */
    size_t meta_len;
} ruv_item;

/* Counts and sizes (bytes) by part. For a view, sizes are those of the viewed buffer's parts. */
typedef struct ruv_stats {
    size_t live;         /* searchable entries (= ruv_index_count) */
    size_t deleted;      /* HNSW slots of deleted/updated entries (traversed until compacted) */
    size_t free_slots;   /* of those, compacted ones that inserts reuse */
    size_t capacity;     /* slots allocated */
    size_t vector_bytes; /* stored vectors (the searched ones, or a quantized index's re-ranking
                            copies) */
    size_t code_bytes;   /* quantized codes (with their per-code float) and quantizer tables */
    size_t graph_bytes;  /* HNSW links and levels */
    size_t key_bytes;    /* keys and the key hash table */
    size_t id_bytes;     /* string ids and their hash table */
    size_t meta_bytes;   /* metadata */
    size_t total_bytes;  /* ruv_index_memory_usage */
    int readonly;        /* 1 for a view */
} ruv_stats;

/* Inserts, updates or upserts one entry (vector, string id, metadata) per mode; see ruv_item.
   All or nothing. RUV_E_ARG: idx/item NULL, unknown mode, no vector for a new key, id_len or
   meta_len too large. RUV_E_EXISTS: INSERT of a present key, or an id another key has.
   RUV_E_NOTFOUND: UPDATE of an absent key. RUV_E_VALUE: as for ruv_index_add. RUV_E_FULL,
   RUV_E_NOMEM, RUV_E_READONLY (view), RUV_E_UNTRAINED (a vector for an untrained SQ8/BIN/PQ index).
   A new vector for an HNSW entry is inserted as a new node and the old node is kept as a deleted
   one (see ruv_index_remove). RUV_E_UNSUPPORTED on an opt.multi index (no ids or metadata there;
   to change a key's vectors, remove it and add them again). Threads: writer. */
RUVDEF ruv_result ruv_index_put(ruv_index *idx, const ruv_item *item, ruv_put_mode mode);

/* New vector for an existing key (id and metadata kept): ruv_index_put with RUV_PUT_UPDATE
   (RUV_E_UNSUPPORTED on an opt.multi index). Threads: writer. */
RUVDEF ruv_result ruv_index_update(ruv_index *idx, uint64_t key, const void *vec);

/* Adds the key or replaces its vector: ruv_index_put with RUV_PUT_UPSERT (RUV_E_UNSUPPORTED on
   an opt.multi index). Threads: writer. */
RUVDEF ruv_result ruv_index_upsert(ruv_index *idx, uint64_t key, const void *vec);

/* Deletes the entry of key with its id and metadata (opt.multi: every vector of key). Flat: the
   last slot moves into the hole. HNSW: the node is flagged deleted; searches still traverse it but
   never return it (and widen until they have k live hits). Once deleted nodes exceed a tenth of the
   live ones (and 16), the graph is compacted (ruv_index_compact): neighbours' links are repaired
   and the slots reused by later inserts, so memory stays bounded under churn. RUV_E_ARG: idx NULL.
   RUV_E_NOTFOUND. RUV_E_READONLY. Never fails for memory (compaction needs scratch; without it, it
   waits). Threads: writer. */
RUVDEF ruv_result ruv_index_remove(ruv_index *idx, uint64_t key);

/* HNSW: compacts now. Every live node linking to a deleted one has that list re-selected with
   the heuristic from its live links and the deleted node's live links (two hops); the deleted
   slots are then zeroed and reused by inserts; a deleted entry point is replaced. O(n M) plus
   O(M^2) distances per repaired list. Flat: nothing to do. RUV_E_ARG, RUV_E_READONLY,
   RUV_E_NOMEM (nothing changed). Threads: writer. */
RUVDEF ruv_result ruv_index_compact(ruv_index *idx);

/* 1 if key has a live entry, else 0 (also for NULL). Threads: reader. */
RUVDEF int ruv_index_contains(const ruv_index *idx, uint64_t key);

/* Copies the stored vector of key into out (dim floats, or one vector of the index dtype as it
   was given; binary: with the bits past dim cleared). Float cosine indexes store vectors normalised
   to unit length, so that is what comes back. Quantized storage: the f32 copy, or without copies
   the vector decoded from its code (approximate). opt.multi: one of the key's vectors (see
   ruv_index_get_vectors). RUV_E_ARG, RUV_E_NOTFOUND. Threads: reader. */
RUVDEF ruv_result ruv_index_get_vector(const ruv_index *idx, uint64_t key, void *out);

/* Every vector of key (several with opt.multi, else one), as ruv_index_get_vector gives one:
   the first min(cap, *n_out) into out (cap x dim floats, or cap vectors of the index dtype, back
   to back), in slot order. *n_out = how many the key has, which may exceed cap (cap 0 with out
   NULL counts only). RUV_E_ARG: idx or n_out NULL, out NULL with cap > 0. RUV_E_NOTFOUND
   (*n_out = 0). Threads: reader. */
RUVDEF ruv_result ruv_index_get_vectors(const ruv_index *idx, uint64_t key, void *out, size_t cap,
                                        size_t *n_out);

/* The string id of key: *id points into the index (not NUL-terminated), valid until the next
   write to the index; *id = NULL, *len = 0 if the entry has none. RUV_E_ARG, RUV_E_NOTFOUND.
   Threads: reader. */
RUVDEF ruv_result ruv_index_get_id(const ruv_index *idx, uint64_t key, const char **id,
                                   size_t *len);

/* The metadata of key, like ruv_index_get_id. RUV_E_ARG, RUV_E_NOTFOUND. Threads: reader. */
RUVDEF ruv_result ruv_index_get_meta(const ruv_index *idx, uint64_t key, const void **meta,
                                     size_t *len);

/* The key of the entry whose string id is id[0..len-1]. RUV_E_ARG (NULL, len 0),
   RUV_E_NOTFOUND (also for len > RUV_MAX_ID_BYTES). Threads: reader. */
RUVDEF ruv_result ruv_index_get_key(const ruv_index *idx, const char *id, size_t len,
                                    uint64_t *key);

/* Iterates live entries in slot order: start with *cursor = 0; each call that returns 1 stores
   the next key (opt.multi: a key once per vector); 0 at the end (and for NULL arguments). Writes to
   the index invalidate the cursor. Threads: reader. */
RUVDEF int ruv_index_next(const ruv_index *idx, size_t *cursor, uint64_t *key);

/* Holds the index for reading across several calls of this thread: until ruv_index_read_end,
   writers wait (other readers go on), so that pointers from ruv_index_get_id / _get_meta, a
   ruv_index_next cursor and several lookups all see one state while a writer runs elsewhere.
   Calls to the index from this thread meanwhile take no lock; writes and searches without a ctx
   from it give RUV_E_BUSY. Keep it short: a waiting writer also holds up new readers.
   RUV_E_ARG: idx NULL. RUV_E_BUSY: this thread already holds an index (inside a callback, or an
   earlier ruv_index_read_begin not ended). Without threads (RUV_NO_THREADS, WebAssembly): RUV_OK,
   nothing held. Threads: reader. */
RUVDEF ruv_result ruv_index_read_begin(const ruv_index *idx);

/* Ends ruv_index_read_begin (on the same thread; nothing for NULL or when nothing is held).
   Threads: reader. */
RUVDEF void ruv_index_read_end(const ruv_index *idx);

/* Counts and sizes of the index (zeroed for NULL). Threads: reader. */
RUVDEF ruv_stats ruv_index_stats(const ruv_index *idx);

/* ---- persistence: save, load, view (FORMAT: src/save.h) -------------------------------------- */
/* Writer: consume len bytes, return 0 on success (anything else aborts the save: RUV_E_IO). */
typedef int (*ruv_write_fn)(void *user, const void *data, size_t len);
/* Reader: fill dst with exactly len bytes; return 0 on success, 1 if the data ended first
   (RUV_E_TRUNCATED), anything else for an error (RUV_E_IO). */
typedef int (*ruv_read_fn)(void *user, void *dst, size_t len);

/* Options of loading and viewing. A NULL pointer or zero fields mean the defaults. */
typedef struct ruv_load_options {
    uint32_t expect_dim; /* 0 = any; else RUV_E_DIM if the data's dimension differs */
    ruv_isa isa;         /* kernels (as in ruv_index_options); RUV_ISA_AUTO = best */
    ruv_allocator alloc; /* used for everything the index allocates; zero = default */
    /* Data saved with RUV_METRIC_CUSTOM needs its distance function and the distance_id it was
       saved with (else RUV_E_METRIC); ignored for data with a built-in metric. */
    ruv_distance_fn distance; /* the custom distance */
    void *distance_user;      /* passed to distance */
    uint64_t distance_id;     /* must equal the saved id */
} ruv_load_options;

/* Exact number of bytes ruv_index_save writes (0 for NULL). Threads: reader. */
RUVDEF size_t ruv_index_serialized_size(const ruv_index *idx);

/* Writes the index in the saved FORMAT (specified in src/save.h, the section of this file that
   begins "FORMAT (version") through write. Allocates nothing. RUV_E_ARG, RUV_E_IO (write
   failed), RUV_E_UNSUPPORTED (big-endian host). Threads: reader. */
RUVDEF ruv_result ruv_index_save(const ruv_index *idx, ruv_write_fn write, void *user);

/* Saves into buf[0..cap-1]; *written = bytes used (RUV_E_SPACE if cap is too small, then
 *written = the size needed). RUV_E_ARG, RUV_E_UNSUPPORTED. Threads: reader. */
RUVDEF ruv_result ruv_index_save_buffer(const ruv_index *idx, void *buf, size_t cap,
                                        size_t *written);

/* Saves to a file atomically: writes "<path>.ruvtmp", flushes it to the device (fsync on POSIX),
   renames it over path, and syncs the directory, so path holds the old or the new index, never
   a mix. RUV_E_IO (the temporary is removed), RUV_E_NOMEM (the temporary's name), RUV_E_ARG,
   RUV_E_UNSUPPORTED. Absent under RUV_NO_STDIO. Threads: reader (two saves to one path at once
   are not supported). */
RUVDEF ruv_result ruv_index_save_file(const ruv_index *idx, const char *path);

/* Reads an index written by ruv_index_save into a new index owned by the caller (*out, NULL on
   error). Everything is checked before use: RUV_E_FORMAT, RUV_E_VERSION, RUV_E_ENDIAN,
   RUV_E_TRUNCATED, RUV_E_CHECKSUM, RUV_E_CORRUPT (sizes, offsets, links, tables inconsistent),
   RUV_E_DIM (opt->expect_dim), RUV_E_METRIC (saved with RUV_METRIC_CUSTOM, and opt->distance
   is NULL or opt->distance_id differs from the saved one), RUV_E_IO, RUV_E_NOMEM, RUV_E_ARG,
   RUV_E_UNSUPPORTED (isa, a big-endian host, or a sparse index's file: ruv_sparse_load). Nothing
   leaks on any error. Threads: any (a new index). */
RUVDEF ruv_result ruv_index_load(ruv_read_fn read, void *user, const ruv_load_options *opt,
                                 ruv_index **out);

/* ruv_index_load from buf[0..len-1] (bytes after the index are ignored). Threads: any. */
RUVDEF ruv_result ruv_index_load_buffer(const void *buf, size_t len, const ruv_load_options *opt,
                                        ruv_index **out);

/* ruv_index_load from a file. Absent under RUV_NO_STDIO. Threads: any. */
RUVDEF ruv_result ruv_index_load_file(const char *path, const ruv_load_options *opt,
                                      ruv_index **out);

/* Zero-copy, read-only index over buf (a saved index, e.g. mmap-ed or in flash): vectors, graph,
   keys, ids and metadata stay in buf, which must stay unchanged and alive until ruv_index_free;
   only the index struct and search scratch are allocated. buf must be 8-byte aligned (64 is best;
   else RUV_E_ARG). Checked like ruv_index_load (checksums included, so opening reads the whole
   buffer once). Searches and getters work as usual; every write returns RUV_E_READONLY.
   Threads: any (a new index; any number of views may share one buffer). */
RUVDEF ruv_result ruv_index_view(const void *buf, size_t len, const ruv_load_options *opt,
                                 ruv_index **out);

/* ---- journal: incremental, crash-safe persistence (PERSISTENCE; format: src/journal.h) ------- */
/* Sync: make everything written so far durable (fsync, a flash page commit); 0 on success. */
typedef int (*ruv_sync_fn)(void *user);
/* Truncate: cut the journal back to its first size bytes (and write there next); 0 on success.
   Lets a failed append be undone so that later records do not follow a partial one. */
typedef int (*ruv_truncate_fn)(void *user, uint64_t size);

/* When journal records reach the device (the sync callback), and what a crash can lose. */
typedef enum ruv_durability {
    RUV_DURABLE_EACH = 0,  /* every record is synced before its write returns: a crash loses no
                              acknowledged write (at most the one in flight) (default) */
    RUV_DURABLE_GROUP = 1, /* synced every group_records records and by ruv_index_sync: a crash
                              loses at most the acknowledged writes since the last sync */
    RUV_DURABLE_MANUAL = 2 /* synced only by ruv_index_sync (and checkpoints): a crash loses the
                              acknowledged writes since the caller's last ruv_index_sync */
} ruv_durability;

/* A journal for ruv_index_journal_attach. write is required; the other callbacks may be NULL. */
typedef struct ruv_journal_options {
    ruv_write_fn write;        /* appends bytes to the journal (0 = success) */
    ruv_sync_fn sync;          /* NULL: nothing to sync (e.g. memory) */
    ruv_truncate_fn truncate;  /* NULL: a failed append leaves the journal unusable (every later
                                  write is RUV_E_IO until it is attached again) */
    void *user;                /* passed to the three callbacks */
    ruv_durability durability; /* default RUV_DURABLE_EACH */
    uint32_t group_records;    /* RUV_DURABLE_GROUP: records per sync; 0 = 64 */
    uint64_t base;             /* new journal: the id of the snapshot it follows
                                  (ruv_index_snapshot_id), written in its header */
    uint64_t next_seq;         /* 0 = a new journal: its 32-byte header is written first and
                                  records count from 1; else continue an existing journal
                                  (its replay report's next_seq), no header written */
    uint64_t size;             /* continuing: bytes the journal holds (report.valid_bytes) */
} ruv_journal_options;

/* Why a replay stopped: the first record not applied and everything after it were ignored. */
typedef enum ruv_journal_stop {
    RUV_JOURNAL_END = 0,      /* the data ended after a whole record: nothing ignored */
    RUV_JOURNAL_TORN = 1,     /* the data ended inside the header or a record (a torn append) */
    RUV_JOURNAL_MAGIC = 2,    /* a header or record does not start with its magic */
    RUV_JOURNAL_CHECKSUM = 3, /* a header or record checksum mismatch */
    RUV_JOURNAL_SEQUENCE = 4, /* a record's sequence number is not the next one */
    RUV_JOURNAL_BASE = 5,     /* the journal follows another snapshot (base), or another
                                 dimension: older than the snapshot, nothing applied */
    RUV_JOURNAL_VERSION = 6,  /* journal format version newer than this library */
    RUV_JOURNAL_RECORD = 7,   /* a record with a valid checksum that does not apply (unknown
                                 operation, inconsistent sizes, or refused by the index) */
    RUV_JOURNAL_MISSING = 8   /* ruv_index_open_file: no journal file (a new one was started) */
} ruv_journal_stop;

/* What a replay did. valid_bytes is the prefix to keep (header + applied records): a journal
   continued after a replay must first be cut to it. */
typedef struct ruv_journal_report {
    uint64_t records;       /* records applied */
    uint64_t valid_bytes;   /* bytes of the header and the applied records */
    uint64_t ignored_bytes; /* bytes after them, not applied */
    uint64_t next_seq;      /* sequence number of the next record (continue with it) */
    uint64_t base;          /* the base in the journal header (0 if unreadable) */
    ruv_journal_stop stop;  /* why the replay stopped */
    ruv_result status;      /* RUV_JOURNAL_RECORD: the index's status for the record, else OK */
} ruv_journal_report;

/* Id of the snapshot ruv_index_save would write now: the XXH64 its header carries at byte 120
   (it covers the header and every section's checksum). Computed by a save pass without output
   (O(index size)). 0 for NULL or on a big-endian host. Threads: reader. */
RUVDEF uint64_t ruv_index_snapshot_id(const ruv_index *idx);

/* Attaches a journal: from now on every successful write (add, add_batch, put, update, upsert,
   remove, train, set_sq8_range) first appends one record through opt->write (a batch is one
   record), syncs it per opt->durability, and only then changes the index and returns RUV_OK.
   If the append or the sync fails, the write returns RUV_E_IO and the index is unchanged; the
   partial record is cut off with opt->truncate when given (else every later write returns
   RUV_E_IO until a journal is attached again). Compaction, reserve and searches write no record.
   A new journal (opt->next_seq == 0) writes its header here (and syncs it). Replaces an attached
   journal (which is detached first). RUV_E_ARG: idx, opt or opt->write NULL, unknown durability.
   RUV_E_READONLY: a view. RUV_E_NOMEM. RUV_E_IO: the header could not be written or synced
   (nothing attached). The callbacks are called from the writing thread. Threads: writer. */
RUVDEF ruv_result ruv_index_journal_attach(ruv_index *idx, const ruv_journal_options *opt);

/* Syncs (if a sync callback was given) and detaches the journal; later writes append nothing.
   RUV_OK also when none was attached (or it was opened by ruv_index_open_file: that one is
   closed). RUV_E_ARG: idx NULL. RUV_E_IO: the sync failed (detached anyway). Threads: writer. */
RUVDEF ruv_result ruv_index_journal_detach(ruv_index *idx);

/* Applies the journal buf[0..len-1] to idx, which must hold the snapshot the journal follows:
   the valid prefix of its records, in order, each record all or nothing (a batch entirely);
   the first damaged or missing part (short data, wrong magic, bad checksum, sequence gap) and
   everything after it are ignored, never applied, and reported in *rep (may be NULL). A header
   whose base differs from base (0 = accept any) applies nothing (RUV_JOURNAL_BASE). Nothing is
   appended to a journal attached to idx. buf needs no alignment (records are copied when it is
   not 8-byte aligned). RUV_OK whenever the journal was read (torn and corrupt tails included:
   see rep->stop). RUV_E_CORRUPT: a record with a valid checksum did not apply (rep->stop =
   RUV_JOURNAL_RECORD, rep->status = why); the records before it stay applied. RUV_E_NOMEM
   (likewise). RUV_E_ARG: idx NULL, buf NULL with len > 0. RUV_E_READONLY: a view.
   Threads: writer. */
RUVDEF ruv_result ruv_index_journal_replay(ruv_index *idx, const void *buf, size_t len,
                                           uint64_t base, ruv_journal_report *rep);

/* Syncs the attached journal now (RUV_DURABLE_GROUP and _MANUAL: makes every acknowledged write
   durable). RUV_OK when no journal is attached or it has no sync callback. RUV_E_ARG: idx NULL.
   RUV_E_IO: the sync failed. Threads: writer. */
RUVDEF ruv_result ruv_index_sync(ruv_index *idx);

/* Options of ruv_index_open_file. A NULL pointer or zero fields mean the defaults. */
typedef struct ruv_open_options {
    const ruv_index_options *create; /* options of a new index if path does not exist; NULL:
                                        a missing path is RUV_E_IO */
    const ruv_load_options *load;    /* for loading the snapshot; NULL = defaults */
    ruv_durability durability;       /* of the journal; default RUV_DURABLE_EACH */
    uint32_t group_records;          /* RUV_DURABLE_GROUP: records per sync; 0 = 64 */
} ruv_open_options;

/* Opens the index kept in the snapshot file path and its journal "<path>.journal": loads the
   snapshot, replays the journal (a torn or corrupt tail is reported in *report, may be NULL,
   and cut off the file before anything is appended; a journal that follows another snapshot is
   ignored and replaced), and attaches the journal, so that every later write is appended to it
   (ruv_index_journal_attach). A missing path with opt->create: a new empty index is created and
   checkpointed (both files written). The index owns the files until ruv_index_free (which syncs
   and closes the journal) or ruv_index_journal_detach. POSIX only. RUV_E_ARG: path or out NULL,
   path empty, bad opt->durability; RUV_E_IO: a file could not be read, written or synced (or
   path is missing without opt->create); the statuses of ruv_index_load (snapshot) and
   ruv_index_create (opt->create); RUV_E_CORRUPT and RUV_E_NOMEM as in ruv_index_journal_replay;
   RUV_E_VERSION: the journal was written by a later format version (left as it is);
   RUV_E_UNSUPPORTED: not a POSIX system, or a big-endian host. Absent under RUV_NO_STDIO.
   *out is NULL on error. Threads: any (a new index; one opener per path at a time). */
RUVDEF ruv_result ruv_index_open_file(const char *path, const ruv_open_options *opt,
                                      ruv_index **out, ruv_journal_report *report);

/* For an index from ruv_index_open_file: writes a full snapshot to its path atomically
   (ruv_index_save_file: temporary file, fsync, rename, directory sync), then starts an empty
   journal atomically (temporary, fsync, rename, directory sync) whose header names the new
   snapshot. A crash between the two leaves the new snapshot and the old journal, which names
   the old snapshot and is ignored at the next open. On RUV_E_IO before the snapshot is renamed
   nothing changed; after it, if the new journal could not be started, writes return RUV_E_IO
   until a checkpoint succeeds. RUV_E_ARG: idx NULL or not opened by ruv_index_open_file.
   RUV_E_NOMEM, RUV_E_UNSUPPORTED (as ruv_index_save_file). Absent under RUV_NO_STDIO.
   Threads: writer. */
RUVDEF ruv_result ruv_index_checkpoint(ruv_index *idx);

/* 0.1 entry points behind the deprecated aliases (src/api_compat.h); not for new code. */
RUVDEF ruv_result ruv__add_batch_v01(ruv_index *idx, size_t n, const uint64_t *keys,
                                     const float *vecs);
RUVDEF ruv_result ruv__stats_v01(const ruv_index *idx, ruv_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* RUVECTOR_H */
