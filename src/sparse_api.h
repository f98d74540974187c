/* SPARSE VECTORS (public API)

   A sparse vector is (nnz, ids, values): nnz nonzeros, ids strictly increasing uint32 dimension
   ids (any value below 2^32 - 1), values finite and nonzero floats (an explicit 0 is refused: a
   stored entry is a nonzero). BM25 term weights, SPLADE outputs, bags of features.

   Kernels (any thread): ruv_sparse_dot / ruv_sparse_l2sq of two sparse vectors by a merge of
   the id lists (galloping through the longer list when one is over 16 times the other),
   ruv_sparse_dense_dot of a sparse and a dense vector. Sums in double, in ascending id order,
   returned as float.

   The sparse index (ruv_sparse_index): keyed entries (uint64 keys, one vector each, optional
   string ids and metadata as in the dense store) with put, add, update, upsert, remove, get,
   iteration, filters and stats, and an inverted index (one posting list of (slot, weight) per
   dimension, in slot order, uncompressed: 8 bytes a posting, plus 12 bytes per 64-slot block of a
   list for its largest weight) for exact top-k search: RUV_METRIC_IP      distance 1 - dot (as the
   dense index); the ranked entries are those sharing at least one dimension with the query (their
   dot is the only one that can differ from 0), so *n_out may be below k RUV_METRIC_COSINE  distance
   1 - dot / (|q| |x|), computed as the dot of the normalised query with weights normalised at
   insertion; same entries as IP RUV_METRIC_L2SQ    |q|^2 + |x|^2 - 2 dot (at least 0; +infinity
   where it exceeds the float range) over every live entry (entries sharing no dimension are at
   |q|^2 + |x|^2): the postings give the dots, then every entry's norm is visited, so this metric
   always scans Search modes (ruv_sparse_search_options.mode), all exact and returning the same
   hits: RUV_SPARSE_PRUNED      (default) MaxScore (Turtle & Flood 1995) in windows of slots, with
                            block-max bounds (Ding & Suel 2011): the query's lists sorted by
                            their largest contribution; lists whose bounds sum below the
                            current k-th score only complete candidates found in the others
                            (the essential lists, scattered a window at a time), and a
                            candidate is dropped as soon as its score plus the other lists'
                            largest weights in its 64-slot block cannot reach the k-th score.
                            Queries of more than 512 nonzeros, and indexes that fit in one
                            window, are traversed as RUV_SPARSE_EXHAUSTIVE
     RUV_SPARSE_EXHAUSTIVE  every posting of every query dimension, scores accumulated per
                            entry (term at a time); the baseline pruning is measured against
     RUV_SPARSE_BRUTE       every live entry's vector merged with the query (the reference)
   Every mode sums an entry's products in ascending dimension id order in double precision, so
   scores are bit-identical across modes. Ties (equal scores in that double sum) go to the entry
   written first (lower slot: an entry re-written by upsert takes a new slot); two entries whose
   double scores differ but round to the same float distance keep the order of their doubles.
   Removed entries leave tombstones in the posting lists, skipped by searches and dropped by
   ruv_sparse_compact (and automatically by a write once tombstones outnumber live entries and
   exceed 1024 postings). Threads: searches and getters are readers (any number at once, each
   allocating its own scratch through the index's allocator, which must then be thread-safe); writes
   need the index to themselves. */
#ifndef RUVECTOR_SPARSE_API
#define RUVECTOR_SPARSE_API
#ifdef __cplusplus
extern "C" {
#endif

/* Default and largest nnz per vector (ruv_sparse_options.max_nnz). */
#define RUV_SPARSE_DEFAULT_MAX_NNZ 65536u
#define RUV_SPARSE_MAX_NNZ (1u << 24)

/* Dot product of sparse vectors a (na nonzeros, ids ia, values va) and b; ids strictly
   increasing in each (not checked: unsorted ids give a wrong result, not a crash). 0 when they
   share no id. Threads: any. */
RUVDEF float ruv_sparse_dot(size_t na, const uint32_t *ia, const float *va, size_t nb,
                            const uint32_t *ib, const float *vb);

/* Squared Euclidean distance of sparse vectors a and b (as ruv_sparse_dot). Threads: any. */
RUVDEF float ruv_sparse_l2sq(size_t na, const uint32_t *ia, const float *va, size_t nb,
                             const uint32_t *ib, const float *vb);

/* Dot product of sparse a with dense d (dim floats); ids >= dim count as zeros of d.
   Threads: any. */
RUVDEF float ruv_sparse_dense_dot(size_t na, const uint32_t *ia, const float *va, const float *d,
                                  size_t dim);

/* Opaque sparse index. ruv_sparse_create / ruv_sparse_free. */
typedef struct ruv_sparse_index ruv_sparse_index;

/* Options of a sparse index. Start from ruv_sparse_options_init() (metric IP). */
typedef struct ruv_sparse_options {
    ruv_metric metric;   /* RUV_METRIC_IP, RUV_METRIC_COSINE or RUV_METRIC_L2SQ */
    uint32_t max_nnz;    /* nonzeros allowed per vector; 0 = RUV_SPARSE_DEFAULT_MAX_NNZ;
                            above RUV_SPARSE_MAX_NNZ: RUV_E_ARG */
    ruv_allocator alloc; /* all-NULL = RUV_MALLOC / RUV_FREE */
} ruv_sparse_options;

/* Search algorithm (see SPARSE VECTORS); every mode gives the same hits. */
typedef enum ruv_sparse_mode {
    RUV_SPARSE_PRUNED = 0,
    RUV_SPARSE_EXHAUSTIVE = 1,
    RUV_SPARSE_BRUTE = 2
} ruv_sparse_mode;

/* Options of one sparse search; NULL or zeros = defaults (pruned, no filters). */
typedef struct ruv_sparse_search_options {
    ruv_sparse_mode mode;
    ruv_filter_fn filter; /* as ruv_search_options: called for candidate entries only */
    void *filter_user;
    const uint8_t *allow; /* allow-list bitset over keys, as ruv_search_options */
    uint64_t allow_bits;
    uint64_t *scored; /* if not NULL, receives the number of entries whose score was
                         completed (a measure of the work pruning saved) */
    uint32_t window;  /* RUV_SPARSE_PRUNED: slots per window, a power of two from 64 to 4096;
                         0 = automatic: 4096, and an index of at most 4096 slots is traversed as
                         RUV_SPARSE_EXHAUSTIVE (one window: nothing to prune) */
} ruv_sparse_search_options;

/* Defaults: metric RUV_METRIC_IP, max_nnz RUV_SPARSE_DEFAULT_MAX_NNZ, default allocator.
   Threads: any. */
RUVDEF ruv_sparse_options ruv_sparse_options_init(void);

/* New empty sparse index. RUV_E_ARG: opt or out NULL, max_nnz too large, alloc with only one of
   alloc/free. RUV_E_UNSUPPORTED: a metric other than IP, cosine or L2SQ. RUV_E_NOMEM.
   Threads: any. */
RUVDEF ruv_result ruv_sparse_create(const ruv_sparse_options *opt, ruv_sparse_index **out);

/* Releases idx and everything it allocated (NULL: no-op). Threads: writer. */
RUVDEF void ruv_sparse_free(ruv_sparse_index *idx);

/* Adds the sparse vector (nnz, ids, values) under key (copied). RUV_E_ARG: idx NULL, ids/values
   NULL with nnz > 0. RUV_E_VALUE: ids not strictly increasing or equal to 2^32 - 1, a value
   NaN, infinite or 0, nnz above max_nnz, nnz 0 with the cosine metric, a squared norm above
   FLT_MAX. RUV_E_EXISTS: key present. RUV_E_FULL: 2^32 - 2 slots used (compact).
   RUV_E_NOMEM. On error the index is unchanged. Threads: writer. */
RUVDEF ruv_result ruv_sparse_add(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                 const uint32_t *ids, const float *values);

/* ruv_sparse_add, replacing the vector of key if present (it takes a new slot; the key keeps its
   string id and metadata). Same errors but RUV_E_EXISTS; on error the old vector stays.
   Threads: writer. */
RUVDEF ruv_result ruv_sparse_upsert(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                    const uint32_t *ids, const float *values);

/* ruv_sparse_upsert for a key that is present: RUV_E_NOTFOUND (index unchanged) if it is not
   (an invalid vector is reported first). Threads: writer. */
RUVDEF ruv_result ruv_sparse_update(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                    const uint32_t *ids, const float *values);

/* Iterates the live entries in slot order (write order; an upsert moves its key last): start
   with *cursor = 0; each call that returns 1 stores the next key; 0 at the end (and for NULL
   arguments). Writes to the index invalidate the cursor. Threads: reader. */
RUVDEF int ruv_sparse_next(const ruv_sparse_index *idx, size_t *cursor, uint64_t *key);

/* Removes key's entry (vector, string id, metadata). RUV_E_ARG: idx NULL. RUV_E_NOTFOUND.
   Threads: writer. */
RUVDEF ruv_result ruv_sparse_remove(ruv_sparse_index *idx, uint64_t key);

/* Copies key's vector as given (ids ascending, values as added) into ids/values of capacity cap;
   *nnz = its nnz. RUV_E_ARG: idx or nnz NULL, ids/values NULL with cap > 0. RUV_E_NOTFOUND.
   RUV_E_SPACE: cap < nnz (*nnz set, nothing copied). Threads: reader. */
RUVDEF ruv_result ruv_sparse_get(const ruv_sparse_index *idx, uint64_t key, uint32_t *ids,
                                 float *values, size_t cap, size_t *nnz);

/* 1 if key is present, else 0 (idx NULL: 0). Threads: reader. */
RUVDEF int ruv_sparse_contains(const ruv_sparse_index *idx, uint64_t key);

/* Number of live entries (idx NULL: 0). Threads: reader. */
RUVDEF size_t ruv_sparse_count(const ruv_sparse_index *idx);

/* Bytes allocated through the index's allocator (idx NULL: 0). Threads: reader. */
RUVDEF size_t ruv_sparse_memory_usage(const ruv_sparse_index *idx);

/* Rebuilds the stored vectors and posting lists without removed entries (slots renumbered,
   order kept). RUV_E_ARG: idx NULL. RUV_E_NOMEM (index unchanged). Threads: writer. */
RUVDEF ruv_result ruv_sparse_compact(ruv_sparse_index *idx);

/* A sparse vector as ruv_sparse_add takes it: nnz nonzeros, ids strictly increasing, values. */
typedef struct ruv_sparse_vector {
    size_t nnz;
    const uint32_t *ids;
    const float *values;
} ruv_sparse_vector;

/* One entry for ruv_sparse_put, as ruv_item for dense indexes: a NULL field keeps what the key
   already has (nothing for a new key); a non-NULL id or meta with length 0 clears it. */
typedef struct ruv_sparse_item {
    uint64_t key;
    const ruv_sparse_vector *vector; /* copied; required for a new key */
    const char *id;                  /* string id, any bytes, unique in the index; copied;
                                        1..RUV_MAX_ID_BYTES bytes (0 clears) */
    size_t id_len;
    const void *meta; /* metadata blob, copied; 0..RUV_MAX_META_BYTES bytes */
    size_t meta_len;
} ruv_sparse_item;

/* Inserts, updates or upserts one entry (vector, string id, metadata) per mode (RUV_PUT_INSERT:
   new key only; RUV_PUT_UPDATE: present key only; RUV_PUT_UPSERT: either). All or nothing. A new
   vector takes a new slot (the old one becomes a tombstone) and the key keeps its id and metadata
   unless the item sets them. ruv_sparse_add, _upsert and _update are this call with a vector
   only. Checked in this order: RUV_E_ARG (idx or item NULL, unknown mode, ids/values NULL with
   nnz > 0, id_len or meta_len too large); RUV_E_VALUE (an invalid vector, as ruv_sparse_add);
   RUV_E_EXISTS (INSERT of a present key); RUV_E_NOTFOUND (UPDATE of an absent key); RUV_E_ARG
   (no vector for a new key); RUV_E_EXISTS (an id another key has); RUV_E_FULL; RUV_E_NOMEM. On
   error the index is unchanged. Threads: writer. */
RUVDEF ruv_result ruv_sparse_put(ruv_sparse_index *idx, const ruv_sparse_item *item,
                                 ruv_put_mode mode);

/* The string id of key: *id points into the index (not NUL-terminated), valid until the next
   write; *id = NULL, *len = 0 if the entry has none. RUV_E_ARG (a NULL argument),
   RUV_E_NOTFOUND. Threads: reader. */
RUVDEF ruv_result ruv_sparse_get_id(const ruv_sparse_index *idx, uint64_t key, const char **id,
                                    size_t *len);

/* The metadata of key, as ruv_sparse_get_id. RUV_E_ARG, RUV_E_NOTFOUND. Threads: reader. */
RUVDEF ruv_result ruv_sparse_get_meta(const ruv_sparse_index *idx, uint64_t key, const void **meta,
                                      size_t *len);

/* The key of the entry whose string id is id[0..len-1]. RUV_E_ARG (a NULL argument, len 0),
   RUV_E_NOTFOUND (also for len > RUV_MAX_ID_BYTES). Threads: reader. */
RUVDEF ruv_result ruv_sparse_get_key(const ruv_sparse_index *idx, const char *id, size_t len,
                                     uint64_t *key);

/* Counts and allocated bytes by part of a sparse index; the byte fields sum to total_bytes. */
typedef struct ruv_sparse_stats {
    size_t live;          /* entries (= ruv_sparse_count) */
    size_t tombstones;    /* slots of removed or replaced entries, until compaction */
    size_t dims;          /* posting lists: distinct dimension ids stored (until compaction) */
    size_t postings;      /* postings, tombstones' included */
    size_t dead_postings; /* of those, the tombstones' */
    size_t vector_bytes;  /* the stored vectors (ids and values) */
    size_t posting_bytes; /* posting lists, block maxima, the dimension map */
    size_t key_bytes;     /* per-slot arrays, the key map, the index object */
    size_t id_bytes;      /* string ids and their hash table */
    size_t meta_bytes;    /* metadata */
    size_t total_bytes;   /* ruv_sparse_memory_usage */
} ruv_sparse_stats;

/* Counts and sizes of idx (zeroed for NULL). Threads: reader. */
RUVDEF ruv_sparse_stats ruv_sparse_get_stats(const ruv_sparse_index *idx);

/* The k nearest entries to the sparse query (nnz, ids, values; validated as ruv_sparse_add
   but nnz 0 is allowed and finds nothing for IP and cosine) into hits[0..*n_out-1], ascending
   distance, ties to the lower slot (see SPARSE VECTORS for the metric semantics and modes).
   RUV_E_ARG: idx, hits or n_out NULL, k == 0, ids/values NULL with nnz > 0, allow_bits > 0 with
   allow NULL, an unknown mode, a window not 0 nor a power of two in 64..4096. RUV_E_VALUE: an
   invalid query. RUV_E_NOMEM: scratch. On error *n_out = 0. Threads: reader. */
RUVDEF ruv_result ruv_sparse_search(const ruv_sparse_index *idx, size_t nnz, const uint32_t *ids,
                                    const float *values, size_t k,
                                    const ruv_sparse_search_options *opt, ruv_hit *hits,
                                    size_t *n_out);

/* Bytes ruv_sparse_save writes (0 if idx is NULL or the size exceeds size_t). Threads: reader. */
RUVDEF size_t ruv_sparse_serialized_size(const ruv_sparse_index *idx);

/* Writes the index in the saved FORMAT (kind 2: specified in src/sparse_io.h, the section of
   ruvector.h after the dense reader): header, keys, and the live entries' vectors in slot order
   (tombstones are not written; the loader rebuilds the posting lists). Deterministic: the same
   entries give the same bytes, and a loaded index saves to identical bytes. RUV_E_ARG (idx or
   write NULL), RUV_E_IO (write failed), RUV_E_UNSUPPORTED (big-endian host). Allocates
   nothing. Threads: reader. */
RUVDEF ruv_result ruv_sparse_save(const ruv_sparse_index *idx, ruv_write_fn write, void *user);

/* Saves into buf[0..cap-1]; *written = bytes used (RUV_E_SPACE if cap is too small, then
 *written = the size needed). RUV_E_ARG, RUV_E_UNSUPPORTED, RUV_E_NOMEM (the size exceeds
 size_t). Threads: reader. */
RUVDEF ruv_result ruv_sparse_save_buffer(const ruv_sparse_index *idx, void *buf, size_t cap,
                                         size_t *written);

/* Saves to a file atomically, as ruv_index_save_file. Absent under RUV_NO_STDIO. RUV_E_ARG,
   RUV_E_IO, RUV_E_NOMEM, RUV_E_UNSUPPORTED. Threads: reader. */
RUVDEF ruv_result ruv_sparse_save_file(const ruv_sparse_index *idx, const char *path);

/* Reads a sparse index written by ruv_sparse_save into a new index (*out, NULL on error).
   opt: alloc is used (NULL = defaults); the other fields are ignored but must be valid (isa in
   range, else RUV_E_ARG). Every field, length and checksum is checked, and
   every entry as ruv_sparse_add checks it (ids strictly increasing, values finite and nonzero,
   nnz within max_nnz, keys unique): RUV_E_FORMAT, RUV_E_VERSION, RUV_E_ENDIAN, RUV_E_TRUNCATED,
   RUV_E_CHECKSUM, RUV_E_CORRUPT, RUV_E_IO, RUV_E_NOMEM (also a section larger than half the
   address space), RUV_E_ARG (read or out NULL, a bad allocator), RUV_E_UNSUPPORTED (a dense
   index's file: ruv_index_load, told by the header's kind before its checksum; a big-endian
   host).
   Nothing leaks on any error. Threads: any (a new index). */
RUVDEF ruv_result ruv_sparse_load(ruv_read_fn read, void *user, const ruv_load_options *opt,
                                  ruv_sparse_index **out);

/* ruv_sparse_load from buf[0..len-1] (bytes after the index are ignored). Threads: any. */
RUVDEF ruv_result ruv_sparse_load_buffer(const void *buf, size_t len, const ruv_load_options *opt,
                                         ruv_sparse_index **out);

/* ruv_sparse_load from a file. Absent under RUV_NO_STDIO. Threads: any. */
RUVDEF ruv_result ruv_sparse_load_file(const char *path, const ruv_load_options *opt,
                                       ruv_sparse_index **out);

/* HYBRID SEARCH: rank fusion of result lists by key.

   ruv_fuse merges nlists result lists (each as a search returns it: ruv_hit, best first; e.g.
   a dense ruv_index_search and a ruv_sparse_search over the same keys) into one ranking:
     RUV_FUSE_RRF       Reciprocal Rank Fusion (Cormack, Clarke & Buettcher, SIGIR 2009):
                        score(key) = sum over lists l holding key of w_l / (rrf_k + rank_l),
                        rank_l = its 1-based position in list l; rrf_k 60 by default
     RUV_FUSE_WEIGHTED  weighted sum of min-max normalised scores: in list l with distances
                        d_min..d_max, s = (d_max - d) / (d_max - d_min) (1 when all are
                        equal), score(key) = sum over lists holding key of w_l * s
   A key missing from a list adds nothing from it; a key repeated within one list counts at its
   first (best) position only. Scores are summed in double in list order; the output is the k
   best keys, score descending, ties to the smaller key; out[i].score is that sum as a float. */

/* Fusion method of ruv_fuse. */
typedef enum ruv_fuse_method { RUV_FUSE_RRF = 0, RUV_FUSE_WEIGHTED = 1 } ruv_fuse_method;

/* Options of ruv_fuse; zeros = RRF with rrf_k 60, weights 1, the default allocator. */
typedef struct ruv_fuse_options {
    ruv_fuse_method method;
    double rrf_k;         /* RRF's constant, 0 to 1e300; 0 means 60 */
    const float *weights; /* nlists weights, finite and >= 0; NULL = 1 each */
    ruv_allocator alloc;  /* scratch (32 bytes per input hit); all-NULL = RUV_MALLOC */
} ruv_fuse_options;

/* One fused result: a key and its fused score (larger is better). */
typedef struct ruv_fused_hit {
    uint64_t key;
    float score;
} ruv_fused_hit;

/* Defaults: RRF, rrf_k 60, weights 1, default allocator. Threads: any. */
RUVDEF ruv_fuse_options ruv_fuse_options_init(void);

/* Fuses lists[0..nlists-1] (counts[l] hits each) into out[0..*n_out-1], at most k, per the
   HYBRID SEARCH rules above (opt NULL = defaults). RUV_E_ARG: out or n_out NULL, k 0, lists or
   counts NULL with nlists > 0, a list NULL with a count > 0, an unknown method, rrf_k negative,
   above 1e300 or NaN, the allocator with only one of alloc/free, more hits than size_t can
   count in scratch bytes. RUV_E_VALUE: a weight negative or
   not finite, a distance NaN (RUV_FUSE_WEIGHTED: or infinite). RUV_E_NOMEM: scratch. On error
   *n_out = 0. Threads: any (the allocator's own rules apply). */
RUVDEF ruv_result ruv_fuse(size_t nlists, const ruv_hit *const *lists, const size_t *counts,
                           size_t k, const ruv_fuse_options *opt, ruv_fused_hit *out,
                           size_t *n_out);

#ifdef __cplusplus
}
#endif
#endif /* RUVECTOR_SPARSE_API */
