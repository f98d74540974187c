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
       ruv_index_options opt = ruv_index_options_init(100);  // dim 100, all else default
       opt.metric = RUV_METRIC_COSINE;
       opt.kind = RUV_INDEX_HNSW;
       ruv_index *idx;
       if (ruv_index_create(&opt, &idx) != RUV_OK) return 1;
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
       RUV_NO_STDIO            no file functions (ruv_index_save_file / load_file, open_file,
                               checkpoint): no <stdio.h>
       RUV_NO_THREADS          no POSIX threads and no locks: ruv_index_add_batch and
                               ruv_index_search_batch run on the caller, and callers keep
                               writers apart from readers themselves (see CONCURRENCY)
       RUV_NO_DEPRECATED       leave out the 0.1 names (see API CONVENTIONS)

   API CONVENTIONS (the same for every declaration below)
     Names        ruv_<object>_<verb> (ruv_index_add, ruv_search_ctx_create); ruv__ and RUV__
                  are private. u64 keys are the caller's; slots are internal.
     Options      structs named ruv_<what>_options: ruv_index_options, ruv_build_options,
                  ruv_search_options, ruv_load_options. A zero field means its default, a NULL
                  pointer means all defaults; ruv_index_options_init(dim) fills them.
     Errors       every call that can fail returns a ruv_result: RUV_OK (0) or a negative code
                  (ruv_result_string names it), each one listed in its declaration. A call that
                  fails leaves the index as it was; its out-parameters read NULL / 0. Every
                  write to a dense index also gives RUV_E_BUSY when made from inside a callback
                  of that index (CONCURRENCY).
     Properties   ruv_index_<noun>(idx): count, dim, memory_usage, config, stats, is_trained,
                  contains, serialized_size. They cannot fail: they return the value, 0 (or a
                  zeroed struct) for NULL.
     Lookups      ruv_index_get_<noun>(idx, key or id, out...): get_vector, get_id, get_meta
                  (by key) and get_key (by string id) return RUV_E_NOTFOUND when absent.
     Callbacks    take their `void *user` first: allocator, filter, progress, write, read,
                  distance (custom metric), range.
     Ownership    the index copies what it is given; pointers it returns point into the index
                  and stay valid until the next write to it (with a writer on another thread:
                  until ruv_index_read_end, see CONCURRENCY).
     Threads      every declaration ends with one tag (details: CONCURRENCY):
                    Threads: any     no shared state: any thread, any time (e.g. creating).
                    Threads: reader  any number at once, and at the same time as a writer of a
                                     dense index. A search is a reader when it passes a
                                     ruv_search_ctx of its own; without one it also waits for
                                     writers (and they for it).
                    Threads: writer  dense index: safe from any thread; writers take turns,
                                     readers go on. Sparse index: needs the index to itself.
     Deprecated   the 0.1 names (ruv_config, ruv_config_init, ruv_search_params,
                  ruv_index_add_batch_ex, ruv_index_get_config, ruv_index_find_id; the 4-argument
                  ruv_index_add_batch and 2-argument ruv_index_stats) remain as aliases until 0.3
                  unless RUV_NO_DEPRECATED is defined; CHANGELOG.md lists them. The filter and
                  progress callbacks of 0.1 took `user` last: swap their parameters.

   CONCEPTS
     Vectors: of the index's element type (VECTOR TYPES; dim floats by default). Floats must be
     finite; except for cosine (which normalises them) their squared norm
     may be at most FLT_MAX / 4 (about 8.5e37, far above any embedding), so that no distance
     overflows f32. Others are refused with RUV_E_VALUE, as queries and training vectors.
     Keys and slots: every vector has a caller-chosen u64 key; internally it lives in a slot
     (0, 1, 2, ... in insertion order). Results carry keys.
     Distances (smaller = closer; results are sorted by ascending distance):
       RUV_METRIC_L2SQ    squared Euclidean distance, sum (a_i - b_i)^2
       RUV_METRIC_IP      1 - a.b  (inner product turned into a distance; may be negative)
       RUV_METRIC_L1      sum |a_i - b_i| (Manhattan); f32, F16 and BF16 storage only
       RUV_METRIC_COSINE  1 - a.b / (|a| |b|), in [0, 2]; vectors are normalised on insert and
                          queries on search; an all-zero vector has cosine distance 1 to everything.
       RUV_METRIC_HAMMING number of differing bits (binary vectors)
       RUV_METRIC_JACCARD 1 - |a and b| / |a or b| over the set bits (binary vectors; Tanimoto
                          distance); 0 when both vectors are empty
       RUV_METRIC_CUSTOM  the caller's ruv_distance_fn (opt.distance, with opt.distance_user) on
                          the f32 vectors as given (finite; no norm bound); flat and HNSW, f32
                          storage only. Saved files record opt.distance_id, and load only with a
                          distance function and the same id (RUV_E_METRIC otherwise).
     Index kinds:
       RUV_INDEX_FLAT     exact: every query scans every vector. Ties broken by lower slot.
       RUV_INDEX_HNSW     approximate: hierarchical navigable small world graph (Malkov & Yashunin,
                          "Efficient and robust approximate nearest neighbor search using
                          Hierarchical Navigable Small World graphs", arXiv:1603.09320): levels
                          drawn with mL = 1/ln(M) from a seeded generator, heuristic neighbour
                          selection (their Algorithm 4), M links per node on upper levels, 2M on
                          level 0. Larger ef_search = higher recall, slower queries.
     Threads: one writer and any number of readers at once (CONCURRENCY).
     Memory: one allocation per growing array; capacity doubles when full, by half once the slot
     arena passes 64 MiB (opt.capacity sets the start, ruv_index_reserve a size at any time).
   Searches allocate nothing once their ctx has grown to the index. Store: besides its key, an entry
   may carry a string id (unique; ruv_index_get_key maps it back to the key) and a metadata blob
   (opaque bytes, e.g. JSON). ruv_index_put inserts, updates or upserts all three at once;
   ruv_index_remove deletes.

   VECTOR TYPES (opt.dtype: what add, search, get_vector, put take and return)
       type   one vector is                        metrics               storage (opt.quant)
       F32    dim floats (default)                 L2SQ IP COSINE L1     every kind (L1: f32,
                                                   CUSTOM                F16, BF16; CUSTOM: f32)
       F16    dim uint16_t IEEE binary16           L2SQ IP COSINE L1     as given (NONE)
       BF16   dim uint16_t bfloat16 (top half of   L2SQ IP COSINE L1     as given (NONE)
              an f32)
       I8     dim int8_t                           L2SQ IP COSINE L1     as given (NONE)
       U8     dim uint8_t                          L2SQ IP COSINE L1     as given (NONE)
       BIN    ceil(dim / 8) bytes: dimension d is  HAMMING JACCARD       as given (NONE)
              bit d % 8 of byte d / 8 (LSB first;
              bits past dim are ignored)
     Flat and HNSW take every pair in the table; any other (type, metric, storage) is refused by
     ruv_index_create with RUV_E_UNSUPPORTED (Hamming and Jaccard on floats: RUV_QUANT_BIN or
     binarise them). Integer distances are exact (the kernels sum in integers; results below
     2^24 are exact floats); F16 and BF16 distances are summed in f32 from the exact half values.
     L2SQ and L1 as for floats, IP = 1 - a.b, COSINE = 1 - a.b / (|a| |b|) computed per pair
     (typed vectors are stored as given, not normalised; 1 when either is all zeros). Queries
     have the index's type, or are dim floats with ruv_search_options.f32_query = 1 (F16, BF16,
     I8, U8: asymmetric, the stored values converted exactly to f32 and compared with the query
     by the f32 kernels; e.g. a float query against int8 embeddings; not BIN). Every integer or bit
   pattern is a valid vector; F16 / BF16 vectors and queries with an infinite or NaN element, or
   BF16 ones with a squared norm above FLT_MAX / 4, are refused with RUV_E_VALUE. Typed indexes take
   no training and have no f32 copies.

   MULTI-VECTOR KEYS (opt.multi = 1: ColBERT-style token vectors of a document, views of an
   object, chunks of a text)
       opt.multi = 1;
       ruv_index_add_batch(idx, n, doc_of_row, rows, NULL);  // keys may repeat
       ruv_index_search(idx, q, 10, NULL, hits, &n);         // 10 distinct documents
     A key owns every vector added under it. k-NN, range and MMR searches return each key at
     most once, with the distance of its nearest vector (max-sim for IP / cosine): k-NN searches
     the nearest 2k vectors, then 4k, ... until they hold k distinct keys (flat: exact); range
     search keeps the first hit of each key. ruv_index_remove drops all of a key's vectors,
     ruv_index_get_vectors returns them, ruv_index_get_vector one of them; ruv_index_count and
     ruv_index_next count vectors. No string ids or metadata: ruv_index_put, _update and
     _upsert give RUV_E_UNSUPPORTED (remove the key and add its vectors again). Lookups by key
     walk the key's run in the key table, so they cost O(vectors of the key), and adding,
     removing or listing all V vectors of one key O(V^2) table steps: made for tens to about a
     thousand vectors per key (documents of tokens), not for 10^5. Files: format 1.1.

   QUANTIZATION (opt.quant; memory per vector = code + HNSW links + optional f32 copy)
       opt.quant = RUV_QUANT_SQ8;                     // 1 byte per dimension (+ 4)
       ruv_index_create(&opt, &idx);
       ruv_index_train(idx, n, sample);               // SQ8, BIN, PQ: before the first add
       ruv_index_add_batch(idx, n, keys, vecs, NULL);
     Searches compute distances on the stored codes; where f32 copies are kept (the default;
     opt.drop_f32 = 1 drops them) the best rerank x k candidates (opt.rerank, default 4; per query
     ruv_search_options.rerank) are re-ordered by exact f32 distance, and hits carry exact
     distances. Without copies, hits carry the code distance and ruv_index_get_vector returns
     the decoded (approximate) vector. opt.rerank_dtype = RUV_DTYPE_BF16 or RUV_DTYPE_F16 keeps
     the copies in 16 bits (half their memory: on 784-d SQ8, 2,555 instead of 4,123 bytes per
     vector): re-ranking, range search and get_vector then use them widened to f32, exact but
     for their rounding (relative 2^-8 BF16, 2^-11 F16; F16 copies refuse |x| >= 65520 as F16
     storage does). That rounding can cap recall where near neighbours are nearly equidistant:
     on a synthetic 960-d set of tight clusters recall@10 stops at 0.987 with BF16 copies, 0.998
     with F16, 0.9998 with f32 (bench/README.md). Prefer F16 where the values fit its range.
       F16, BF16  the vector rounded to 16 bits (no training); distances on the 16-bit values.
                  F16 refuses components that would round to infinity (|x| >= 65520) with
                  RUV_E_VALUE, in vectors and in queries (cosine vectors are normalised first,
                  so every finite one fits); BF16's range is beyond the norm bound of CONCEPTS.
       SQ8        per dimension, values between the trained lo and hi (0.01% and 99.99% quantiles
                  of the sample; or given: ruv_index_set_sq8_range) map to 256 levels, outliers
                  clamped; one float per code makes the asymmetric distance (query weights
                  rounded to int16, u8 code) exact for the decoded vector up to that rounding
                  (the sum w.c of ruv__prep moves by at most max_i |w_i| / 65534 x sum c_i, up
                  to 256 dimensions): one exact int16 x u8 dot product per distance. For cosine
                  the rounding of each code is refined to maximise the cosine between the vector
                  and its decoded form.
       BIN        one bit per dimension: 1 where the value exceeds the trained mean; the distance
                  is the Hamming distance (number of differing bits). Made for re-ranking (e.g.
                  rerank 10 to 32): HNSW over BIN with f32 copies is the binary walk with exact
                  re-ranking.
       PQ         product quantization (Jegou, Douze & Schmid, "Product quantization for nearest
                  neighbor search", TPAMI 2011): the dimensions split into pq_m sub-spaces (chosen
                  at training so that each gets a similar share of the variance), each coded by
                  the nearest of 256 k-means centroids: pq_m bytes per vector. Queries build a
                  pq_m x 256 table of sub-distances, and a distance is pq_m table look-ups
                  (asymmetric distance computation, ADC).
     HNSW indexes over any storage build and traverse the graph on the codes; between two
     stored vectors PQ compares one's centroids with the other's (the symmetric distance, dim
     operations, no table).
     Three-tier search (opt.walk_bits = 1, HNSW over f32 input, any storage but BIN): each slot
     also keeps one bit per dimension (value above the trained mean, as BIN); a search walks the
     graph on those bits (Hamming, ef candidates), re-scores the candidates on the stored codes
     (SQ8, F16, BF16, PQ or f32) and, where f32 copies are kept, re-ranks the best rerank x k by
     exact distance. The graph itself is built on the codes. Needs ruv_index_train (also with
     f32 storage: the bits' thresholds), ceil(dim / 8) more bytes per vector. The bits pay where
     they order well (784 MNIST bits: the same recall at ef 64; 100 GloVe bits need ef 400 for
     0.95 at 10k); measured by `ruv_bench --walk-bits 1`. Range search walks on the codes.

   CONCURRENCY (dense indexes; builds with POSIX threads)
       thread A (UI):   ruv_search_options so = {0}; so.ctx = my_ctx;   // one ctx per thread
                        ruv_index_search(idx, q, 10, &so, hits, &n);
       thread B (load): ruv_index_add(idx, key, vec);  ruv_index_remove(idx, old);
     Any number of threads search (with their own ruv_search_ctx) and read (get_vector,
     contains, stats, ...) while another adds, puts, updates, removes, compacts or reserves. Writers
     take turns on the index's writer mutex. What a reader sees:
     - Each entry is seen before or after a concurrent write of it, never in between: no torn
       vector, id or metadata, no link to a slot not yet filled, no freed array.
     - A write that returned before a search started is visible to it: an added entry can be
       found, a removed one is never returned, an updated one is returned only with its new vector.
       Writes concurrent with a search may or may not be seen by it, entry by entry (a search is
       not a snapshot of the whole index: it may see one of two concurrent writes and not the
       other).
     How: a reader-writer lock per index, held shared by each reader call and exclusively by a
     writer only while it publishes a change. An HNSW insert searches for its neighbours with the
     lock released (it only reads; no other writer can run), keeps their new lists aside and
     publishes them with its slot, key and count in one short exclusive section; compaction
     re-selects lists the same way, publishing 256 lists at a time, and frees the deleted slots at
     the end; growing the arrays copies them with the lock released and swaps the pointers under
     it; a journal record (PERSISTENCE) is written and synced with the lock released, before
     the write is published. A reader therefore waits at most for one publication (one entry, one
   group of lists, or the final zeroing of the deleted slots of a compaction), never for a whole
   insert, growth or compaction. Exceptions, where readers wait for the whole call: ruv_index_train
   and set_sq8_range (on an empty index), a multi-threaded ruv_index_add_batch (threads > 1: readers
   wait for the batch; use threads = 1 to index in the background), and an HNSW insert whose
   aside-lists cannot be allocated (linked in place). The lock prefers writers: once one waits, new
   readers wait behind it, so searches cannot starve it. The memory ordering comes from the POSIX
   mutex and condition variables alone (every hand-over is a mutex acquire / release); there are no
   atomics. Under RUV_NO_THREADS, on WebAssembly and on non-POSIX targets there are no locks at all:
   the caller keeps writers apart from readers. Callbacks: a filter, range or progress callback may
   read the index it was called from (no lock is taken again, so it cannot deadlock behind a waiting
   writer), but a write or a search without a ctx from it gives RUV_E_BUSY (as do searches and saves
   from the progress callback of a multi-threaded ruv_index_add_batch, whose other threads are
   linking). Pointers from ruv_index_get_id / _get_meta stay valid until the next write: with a
   writer on another thread, take them between ruv_index_read_begin and ruv_index_read_end.
   ruv_index_search_batch runs its queries on opt->threads threads (each query on its own is a
   reader); opt->cancel (searches) and ruv_build_options.cancel (batch adds) stop long calls. Sparse
   indexes have no locks. Measured by `ruv_bench concurrent` (bench/README.md).

   PERSISTENCE
       ruv_index_save_file(idx, "vectors.ruv");              // atomic: temp file, fsync, rename
       ruv_index_load_file("vectors.ruv", NULL, &copy);      // owned copy, writable
       ruv_index_view(buf, len, NULL, &ro);                  // zero-copy over mmap/flash, read-only
     A damaged or hostile file never crashes the loader: every size, offset, link and table is
     checked before use and a specific error comes back (RUV_E_TRUNCATED, RUV_E_CHECKSUM,
     RUV_E_CORRUPT, ...). Files are portable between little-endian machines (x86, ARM, RISC-V,
     WASM); big-endian hosts get RUV_E_UNSUPPORTED. The byte layout (FORMAT) is specified in
     the implementation, next to the writer (src/save.h; search this file for "FORMAT (").
     Journal and checkpoint (incremental, crash-safe saving):
       ruv_open_options oo = {0};
       oo.create = &opt;                                    // used if the file does not exist
       ruv_index_open_file("vectors.ruv", &oo, &idx, NULL); // snapshot + "vectors.ruv.journal"
       ruv_index_add(idx, 42, vec);                         // appended to the journal, fsynced
       ruv_index_checkpoint(idx);                           // full snapshot, empty journal
       ruv_index_free(idx);                                 // closes the journal
     With a journal attached, every write (add, add_batch, put, update, upsert, remove, train,
     set_sq8_range) first appends one checksummed, sequence-numbered record (a batch is one
     record) through a ruv_write_fn, and changes the index only once that append (and its sync,
     per durability level) succeeded; a failing append returns RUV_E_IO and changes nothing.
     Replay applies the valid prefix of a journal: a torn or corrupt tail is ignored and
     reported (ruv_journal_report), never applied. Durability levels (ruv_durability), and what
     a crash (process or power) can lose:
       RUV_DURABLE_EACH    every record synced before its write returns: no acknowledged
                           write (the one in flight may or may not be there) (default)
       RUV_DURABLE_GROUP   synced every group_records records and by ruv_index_sync: the
                           acknowledged writes since the last sync
       RUV_DURABLE_MANUAL  synced only by ruv_index_sync and checkpoints: the acknowledged
                           writes since the caller's last ruv_index_sync
     A checkpoint saves the snapshot atomically (as ruv_index_save_file), then replaces the
     journal atomically by an empty one whose header names the new snapshot (its
     ruv_index_snapshot_id); a journal naming another snapshot is older and ignored on open, so
     a crash between the two steps is safe. Small changes cost journal bytes, not a full save
     (100 adds to a saved 100k x 384 SQ8 index write 0.08% of its size: bench/README.md). The
     callback level (ruv_index_journal_attach / _replay, ruv_index_sync) also runs under
     RUV_NO_STDIO, e.g. onto flash pages; ruv_index_open_file and ruv_index_checkpoint need POSIX
     files. The journal FORMAT is specified in src/journal.h (search this file for "JOURNAL
     FORMAT").
*/
