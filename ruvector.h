/* GENERATED FILE: edit src/ and run tools/amalgamate.py (which lists the files in order) */
/************** Begin file src/doc.h **************************************************************/
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
/************** End of src/doc.h ******************************************************************/
/************** Begin file src/simd/api.h *********************************************************/
/* DISTANCE KERNELS (ruvector_simd.h, also part of ruvector.h)

   WHAT IT GIVES
     A table of kernels (struct ruv_kernels) for one instruction set (ISA): a distance function for
     every (operation, storage type) pair it defines, and f32 <-> f16/bf16 converters.
     ruv_isa_best() names the best ISA the running CPU supports (cpuid + XGETBV on x86,
     getauxval(AT_HWCAP) on Linux/AArch64, the compile target elsewhere); ruv_kernels_init()
     fills a table for an ISA, refusing one the CPU or the build cannot run. Callers copy the table
     into their own objects: nothing global is written, ever.

   STORAGE TYPES (ruv_dtype) and what n counts
     f32   float                       n = number of values
     f16   IEEE 754 binary16 as u16    n = number of values
     bf16  bfloat16 (top half of f32)  n = number of values
     i8    int8_t                      n = number of values
     u8    uint8_t                     n = number of values
     bin   packed bits                 n = number of BYTES; dimension d is bit d % 8 of byte
                                       d / 8, least significant bit first

   OPERATIONS (ruv_op); all return float
     l2sq     sum (a_i - b_i)^2                       f32 f16 bf16 i8 u8
     dot      sum a_i b_i                             f32 f16 bf16 i8 u8
     cos      1 - dot / sqrt(|a|^2 |b|^2)             f32 f16 bf16 i8 u8
              (= 1 when either vector is all zeros, or so small that its squared norm
              underflows f32, below FLT_MIN: the cosine is taken as 0)
     l1       sum |a_i - b_i|                         f32 f16 bf16 i8 u8
     hamming  popcount(a xor b)                       bin
     jaccard  1 - popcount(a and b) / popcount(a or b); 0 when both are empty   bin
   Any n >= 0, any alignment, no read past the last element. Floating types accumulate in f32
   with many independent partial sums (the order differs from a sequential sum, and depends on n
   and the ISA only: the same vectors give the same bits wherever they lie); i8/u8 accumulate
   exactly in 32-bit integers (flushed to 64 bits every 32768 values); bin by popcount. Error
   bound (checked by the tests against double precision): |error| <= 1e-5 * sum |a_i b_i| for
   dot, 1e-5 * result for l2sq and l1, 1e-5 absolute for cos; integer types are exact up to the
   final rounding to float. f16/bf16 inputs are converted exactly to f32 first.

   CONVERSIONS: f32 -> f16 and f32 -> bf16 round to nearest, ties to even; overflow gives inf;
   NaN stays NaN (quiet). f16/bf16 -> f32 are exact.

   ISAs: serial (portable C, the reference); x86-64 AVX2+FMA+F16C; AVX-512 F/BW/VL/DQ; AVX-512
   with VNNI and VPOPCNTDQ (Ice Lake and later); AVX-512 with BF16 as well; AArch64 NEON (using
   the dot-product instructions where HWCAP reports asimddp); AArch64 SVE; 32-bit ARM NEON with
   VFPv4 (armhf: Cortex-A7/A15/A17 and ARMv8 cores in 32-bit mode; ARMv7 NEON flushes subnormal
   f32 values to zero, so sums over subnormal inputs may come out 0); WebAssembly SIMD128 (chosen
   at compile time with -msimd128: WebAssembly has no run-time detection). All are compiled in
   one translation unit with per-function target attributes (GCC, clang) or, under MSVC, with
   none needed (cpuid by __cpuidex, XCR0 by _xgetbv): no -m flags needed. Exceptions: 32-bit ARM
   with clang needs -mfpu=neon-vfpv4 (GCC on Linux detects it at run time), SVE with clang 14
   needs -march=...+sve (and +dotprod for the sdot/udot kernels), MSVC on ARM64 gets the serial
   kernels. (clang 14 with -fsanitize=address plus UBSan's pointer-overflow check and frame
   pointers omitted crashes in its backend on the AVX-512 kernels, llvm/llvm-project#60442: add
   -fno-omit-frame-pointer.) Define RUV_NO_SIMD to build the
   serial kernels only.
*/
#ifndef RUVECTOR_SIMD_H
#define RUVECTOR_SIMD_H

#include <stddef.h>
#include <stdint.h>

#ifndef RUVDEF
#ifdef RUVECTOR_STATIC
#if defined(__GNUC__) || defined(__clang__)
#define RUVDEF static __attribute__((unused))
#else
#define RUVDEF static
#endif
#else
#define RUVDEF extern
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Instruction sets. Within a family each one includes the ones before it. RUV_ISA_AUTO (0) asks
   for the best the CPU supports. */
typedef enum ruv_isa {
    RUV_ISA_AUTO = 0,
    RUV_ISA_SERIAL = 1,      /* portable C */
    RUV_ISA_AVX2 = 2,        /* x86-64 AVX2 + FMA + F16C (Haswell) */
    RUV_ISA_AVX512 = 3,      /* + AVX-512 F/BW/VL/DQ (Skylake-X) */
    RUV_ISA_AVX512_ICE = 4,  /* + VNNI, VPOPCNTDQ (Ice Lake, Zen 4) */
    RUV_ISA_AVX512_BF16 = 5, /* + AVX512_BF16 (Sapphire Rapids, Zen 4) */
    RUV_ISA_NEON = 6,        /* AArch64 Advanced SIMD (+ dotprod where the CPU has it); 32-bit
                                ARM NEON with VFPv4 */
    RUV_ISA_SVE = 7,         /* AArch64 SVE */
    RUV_ISA_WASM128 = 8,     /* WebAssembly SIMD128 */
    RUV_ISA_COUNT = 9
} ruv_isa;

/* Storage types; see the table above. */
typedef enum ruv_dtype {
    RUV_DTYPE_F32 = 0,
    RUV_DTYPE_F16 = 1,
    RUV_DTYPE_BF16 = 2,
    RUV_DTYPE_I8 = 3,
    RUV_DTYPE_U8 = 4,
    RUV_DTYPE_BIN = 5,
    RUV_DTYPE_COUNT = 6
} ruv_dtype;

/* Kernel operations; see the table above. */
typedef enum ruv_op {
    RUV_OP_L2SQ = 0,
    RUV_OP_DOT = 1,
    RUV_OP_COS = 2,
    RUV_OP_L1 = 3,
    RUV_OP_HAMMING = 4,
    RUV_OP_JACCARD = 5,
    RUV_OP_COUNT = 6
} ruv_op;

/* A distance between two arrays of n elements of one storage type. */
typedef float (*ruv_kernel_fn)(const void *a, const void *b, size_t n);

/* One query against many stored arrays (a scan): out[i] = the distance between the n elements
   at q and the n elements at base + i * stride bytes, for i < count (same value as the one-pair
   kernel). One call per block of a flat scan, so no indirect call per stored vector. */
typedef void (*ruv_kernel_many_fn)(const void *q, const void *base, size_t stride, size_t n,
                                   size_t count, float *out);

/* Converts n values from src to dst (arrays must not overlap). */
typedef void (*ruv_convert_fn)(const void *src, void *dst, size_t n);

/* One ISA's kernels. Plain data: copy it freely. */
typedef struct ruv_kernels {
    ruv_isa isa;
    ruv_kernel_fn fn[RUV_OP_COUNT][RUV_DTYPE_COUNT]; /* NULL where the pair is undefined */
    ruv_convert_fn f32_to_f16, f16_to_f32, f32_to_bf16, bf16_to_f32;
    /* Quantization kernels (used by ruvector.h's SQ8 and PQ storage):
       dot_f32_u8(a, b, n): sum a_i b_i of n floats a and n bytes b (0..255); error as f32 dot.
       dot_i16_u8(a, b, n): sum a_i b_i of n int16 a and n bytes b, exact, for inputs with
         255 * sum |a_i| < 2^31 (sums are kept in 32-bit lanes; ruvector.h scales its SQ8
         query weights to that).
       pq_lut(q, cent, dsub, op, out): out[c] = l2sq (op RUV_OP_L2SQ) or dot (RUV_OP_DOT) of the
         dsub floats q with centroid c, for c = 0..255; cent is dsub x 256 floats, centroid c's
         component d at cent[d * 256 + c] (transposed, so 256 distances come out per pass).
       adc(lut, code, m): sum over j < m of lut[j * 256 + code[j]] (PQ asymmetric distance). */
    float (*dot_f32_u8)(const float *a, const uint8_t *b, size_t n);
    int32_t (*dot_i16_u8)(const int16_t *a, const uint8_t *b, size_t n);
    void (*pq_lut)(const float *q, const float *cent, size_t dsub, int op, float *out);
    float (*adc)(const float *lut, const uint8_t *code, size_t m);
    /* One query against many binary codes (n = bytes each): the Hamming and Jaccard scans. */
    ruv_kernel_many_fn hamming_many, jaccard_many;
} ruv_kernels;

/* The best ISA this CPU and build can run (never RUV_ISA_AUTO). Asks the CPU each call (cpuid or
   getauxval, well under a microsecond); keeps no state. Threads: any. */
RUVDEF ruv_isa ruv_isa_best(void);

/* 1 if this CPU and build can run `isa` (RUV_ISA_AUTO and RUV_ISA_SERIAL: always), else 0.
   Threads: any. */
RUVDEF int ruv_isa_available(ruv_isa isa);

/* Short lower-case name ("serial", "avx2", "avx512", "avx512_ice", "avx512_bf16", "neon", "sve",
   "wasm128", "auto"); "?" for other values. Static string. Threads: any. */
RUVDEF const char *ruv_isa_name(ruv_isa isa);

/* Short names of storage types ("f32", "f16", "bf16", "i8", "u8", "bin") and operations ("l2sq",
   "dot", "cos", "l1", "hamming", "jaccard"); "?" for other values. Static strings. Threads: any. */
RUVDEF const char *ruv_dtype_name(ruv_dtype t);
RUVDEF const char *ruv_op_name(ruv_op op);

/* Fills *out with the kernels of `isa` (RUV_ISA_AUTO = ruv_isa_best()). Returns 1 on success, 0
   (leaving *out untouched) when out is NULL or the ISA is unknown, not compiled in or not
   supported by this CPU. (A 1/0 answer rather than a ruv_result: this header stands alone.)
   Threads: any. */
RUVDEF int ruv_kernels_init(ruv_isa isa, ruv_kernels *out);

/* Single-value conversions (portable C; the vectorised array versions are in the table); see
   CONVERSIONS above. Threads: any. */
RUVDEF float ruv_f16_to_f32(uint16_t h);
RUVDEF uint16_t ruv_f32_to_f16(float f);
RUVDEF float ruv_bf16_to_f32(uint16_t h);
RUVDEF uint16_t ruv_f32_to_bf16(float f);

#ifdef __cplusplus
}
#endif
#endif /* RUVECTOR_SIMD_H */
/************** End of src/simd/api.h *************************************************************/
/************** Begin file src/api.h **************************************************************/
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
/************** End of src/api.h ******************************************************************/
/************** Begin file src/api_compat.h *******************************************************/
/* The 0.1 names, kept as deprecated aliases until 0.3 (CHANGELOG.md lists every rename). Define
   RUV_NO_DEPRECATED to leave them out and find every use. The two 0.1 calls whose arguments
   changed, ruv_index_add_batch with four arguments and ruv_index_stats with two, still compile:
   a macro picks the function by the number of arguments. Not aliased: the filter and progress
   callbacks, which now take `void *user` first (swap the two parameters of a 0.1 callback). */
#if !defined(RUV_NO_DEPRECATED) && !defined(RUV__COMPAT_H)
#define RUV__COMPAT_H

typedef ruv_index_options ruv_config;         /* 0.1: index options */
typedef ruv_search_options ruv_search_params; /* 0.1: search options */
#define ruv_config_init ruv_index_options_init
#define ruv_index_get_config ruv_index_config
#define ruv_index_find_id ruv_index_get_key
#define ruv_index_add_batch_ex ruv_index_add_batch /* same five arguments */

/* The name of the function for the given number of arguments. */
#define RUV__ARGS_6TH(a, b, c, d, e, f, ...) f
#define RUV__ARGS_3RD(a, b, c, ...) c
/* ruv_index_add_batch(idx, n, keys, vecs): 0.1's call without options. */
#define ruv_index_add_batch(...)                                                                   \
    RUV__ARGS_6TH(__VA_ARGS__, ruv_index_add_batch, ruv__add_batch_v01, ~)(__VA_ARGS__)
/* ruv_index_stats(idx, &stats): 0.1's call, returning a ruv_result. */
#define ruv_index_stats(...)                                                                       \
    RUV__ARGS_3RD(__VA_ARGS__, ruv__stats_v01, ruv_index_stats, ~)(__VA_ARGS__)

#endif
/************** End of src/api_compat.h ***********************************************************/
/************** Begin file src/sparse_api.h *******************************************************/
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
/************** End of src/sparse_api.h ***********************************************************/
/************** Begin file src/simd/detect.h ******************************************************/
/* The kernels' implementation section: compiled where RUVECTOR_SIMD_IMPLEMENTATION or
   RUVECTOR_IMPLEMENTATION is defined, once per translation unit. RUV__SIMD_IMPL is defined while
   its files are read (src/simd/detect.h to src/simd/dispatch.h, which undefines it).
   This file: the instruction sets this compiler can target, and their intrinsic headers. */
#if (defined(RUVECTOR_SIMD_IMPLEMENTATION) || defined(RUVECTOR_IMPLEMENTATION)) &&                 \
    !defined(RUV__SIMD_IMPL_DONE)
#define RUV__SIMD_IMPL_DONE
#define RUV__SIMD_IMPL 1
#endif
#ifdef RUV__SIMD_IMPL

#include <math.h>
#include <string.h>

/* MSVC proper (not clang-cl): no target attributes (any function may use any intrinsic), no GCC
   builtins or inline assembly. */
#ifndef RUV__MSVC
#if defined(_MSC_VER) && !defined(__clang__)
#define RUV__MSVC 1
#else
#define RUV__MSVC 0
#endif
#endif

#if !defined(RUV_NO_SIMD) && (defined(__x86_64__) || defined(_M_X64)) &&                           \
    (defined(__GNUC__) || defined(__clang__) || RUV__MSVC)
#define RUV__HAS_X86 1
#if RUV__MSVC
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#include <immintrin.h>
#else
#define RUV__HAS_X86 0
#endif

#if !defined(RUV_NO_SIMD) && defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#define RUV__HAS_NEON 1
#define RUV__NEON_A32 0
#include <arm_neon.h>
#if defined(__linux__)
#include <sys/auxv.h>
#endif
/* The dot-product instructions (sdot/udot) and SVE: GCC compiles them per function; clang 14 only
   when the whole file targets them (-march=armv8.2-a+dotprod, +sve). */
#if defined(__ARM_FEATURE_DOTPROD) || (defined(__GNUC__) && !defined(__clang__))
#define RUV__HAS_DOTPROD 1
#else
#define RUV__HAS_DOTPROD 0
#endif
#if defined(__ARM_FEATURE_SVE) || (defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11)
#define RUV__HAS_SVE 1
#else
#define RUV__HAS_SVE 0
#endif
#elif !defined(RUV_NO_SIMD) && defined(__arm__) && (defined(__GNUC__) || defined(__clang__)) &&    \
    ((defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA)) ||                                        \
     (defined(__linux__) && defined(__GNUC__) && !defined(__clang__) && defined(__ARM_FP) &&       \
      defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'A' && __ARM_ARCH >= 7))
/* 32-bit ARM (armhf): NEON with VFPv4 (fused multiply-add). Built with -mfpu=neon-vfpv4 (or
   better) the kernels are always used; otherwise GCC on Linux compiles them under a target pragma
   and they are chosen at run time when HWCAP reports NEON and VFPv4. */
#define RUV__HAS_NEON 1
#define RUV__NEON_A32 1
#define RUV__HAS_DOTPROD 0
#define RUV__HAS_SVE 0
#include <arm_neon.h>
#if defined(__linux__)
#include <sys/auxv.h>
#endif
#else
#define RUV__HAS_NEON 0
#define RUV__HAS_DOTPROD 0
#define RUV__HAS_SVE 0
#endif

/* Per-function instruction-set targets (GCC, clang; MSVC needs none). */
#if RUV__MSVC
#define RUV__TARGET(s)
#else
#define RUV__TARGET(s) __attribute__((target(s)))
#endif

#if !defined(RUV_NO_SIMD) && defined(__wasm_simd128__)
#define RUV__HAS_WASM 1
#include <wasm_simd128.h>
#else
#define RUV__HAS_WASM 0
#endif

#endif /* RUV__SIMD_IMPL */
/************** End of src/simd/detect.h **********************************************************/
/************** Begin file src/simd/serial.h ******************************************************/
/* Portable kernels (the reference every ISA is tested against), f16/bf16 conversions, the
   helpers shared by every ISA, and the macros that stamp kernels out per ISA. */
#ifdef RUV__SIMD_IMPL

/* >>conversions */
RUVDEF float ruv_f16_to_f32(uint16_t h) {
    uint32_t s = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1Fu, m = h & 0x3FFu, u;
    float f;
    if (e == 0x1F)
        u = s | 0x7F800000u | (m << 13);
    else if (e)
        u = s | ((e + 112u) << 23) | (m << 13);
    else {
        f = (float)m * 5.9604644775390625e-8f; /* m * 2^-24, exact */
        return s ? -f : f;
    }
    memcpy(&f, &u, sizeof f);
    return f;
}

RUVDEF uint16_t ruv_f32_to_f16(float f) {
    uint32_t u, a, s, e, m, r, rem, half, shift;
    memcpy(&u, &f, sizeof u);
    s = (u >> 16) & 0x8000u;
    a = u & 0x7FFFFFFFu;
    if (a > 0x7F800000u) /* NaN: keep the top payload bits, force quiet */
        return (uint16_t)(s | 0x7E00u | ((a >> 13) & 0x3FFu));
    if (a >= 0x477FF000u) /* >= 65520 (and inf) round to inf */
        return (uint16_t)(s | 0x7C00u);
    e = a >> 23;
    if (e >= 113) { /* normal f16 */
        m = a & 0x7FFFFFu;
        r = ((e - 112u) << 10) | (m >> 13);
        rem = m & 0x1FFFu;
        if (rem > 0x1000u || (rem == 0x1000u && (r & 1u)))
            r++;
        return (uint16_t)(s | r);
    }
    if (e < 102) /* below half the smallest subnormal: rounds to zero */
        return (uint16_t)s;
    m = (a & 0x7FFFFFu) | 0x800000u; /* subnormal f16: value / 2^-24 = m >> (126 - e) */
    shift = 126u - e;
    r = m >> shift;
    rem = m & ((1u << shift) - 1u);
    half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (r & 1u)))
        r++;
    return (uint16_t)(s | r);
}

RUVDEF float ruv_bf16_to_f32(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

RUVDEF uint16_t ruv_f32_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u)
        return (uint16_t)((u >> 16) | 0x40u);
    u += 0x7FFFu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

/* The array converters of the serial table: one scalar conversion per element. */
#define RUV__CONVERT_SERIAL(name, ST, DT, fn)                                                      \
    static void name(const void *src, void *dst, size_t n) {                                       \
        const ST *s = (const ST *)src;                                                             \
        DT *d = (DT *)dst;                                                                         \
        size_t i;                                                                                  \
        for (i = 0; i < n; i++)                                                                    \
            d[i] = fn(s[i]);                                                                       \
    }
RUV__CONVERT_SERIAL(ruv__f32_to_f16_serial, float, uint16_t, ruv_f32_to_f16)
RUV__CONVERT_SERIAL(ruv__f16_to_f32_serial, uint16_t, float, ruv_f16_to_f32)
RUV__CONVERT_SERIAL(ruv__f32_to_bf16_serial, float, uint16_t, ruv_f32_to_bf16)
RUV__CONVERT_SERIAL(ruv__bf16_to_f32_serial, uint16_t, float, ruv_bf16_to_f32)

/* >>shared */
/* Shared tail of every cosine kernel: 1 - ab / sqrt(aa * bb), in double so that aa * bb cannot
   overflow; 1 when a squared norm is below FLT_MIN (or zero). */
static float ruv__cos_finish(double ab, double aa, double bb) {
    double c;
    if (!(aa >= 1.17549435e-38) || !(bb >= 1.17549435e-38))
        return 1.0f;
    c = ab / sqrt(aa * bb);
    if (c > 1.0)
        c = 1.0;
    if (c < -1.0)
        c = -1.0;
    return (float)(1.0 - c);
}

static unsigned ruv__popcount64(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

/* Popcounts of a^b, a&b, a|b over bytes [i, n) (scalar tail of every binary kernel). */
static void ruv__bits_tail(const uint8_t *a, const uint8_t *b, size_t i, size_t n, uint64_t *x,
                           uint64_t *and_, uint64_t *or_) {
    for (; i + 8 <= n; i += 8) {
        uint64_t p, q;
        memcpy(&p, a + i, 8);
        memcpy(&q, b + i, 8);
        *x += ruv__popcount64(p ^ q);
        *and_ += ruv__popcount64(p & q);
        *or_ += ruv__popcount64(p | q);
    }
    for (; i < n; i++) {
        *x += ruv__popcount64((uint64_t)(a[i] ^ b[i]));
        *and_ += ruv__popcount64((uint64_t)(a[i] & b[i]));
        *or_ += ruv__popcount64((uint64_t)(a[i] | b[i]));
    }
}

#if RUV__HAS_X86 || RUV__HAS_NEON || RUV__HAS_WASM
/* Copies the last `bytes` bytes of each input into zeroed buffers of `cap` bytes, so that one
   more full-width step reads only those (zeros add nothing to any sum). */
static void ruv__pad_tail(void *ta, void *tb, const void *a, const void *b, size_t bytes,
                          size_t cap) {
    memset(ta, 0, cap);
    memset(tb, 0, cap);
    memcpy(ta, a, bytes);
    memcpy(tb, b, bytes);
}
#endif

static float ruv__jaccard_finish(uint64_t and_, uint64_t or_) {
    return or_ ? (float)(1.0 - (double)and_ / (double)or_) : 0.0f;
}

/* The binary kernels of ISA I, written once around its ruv__bits_I(a, b, n, jac, &x, &and, &or)
   (popcounts of a^b, or of a&b and a|b when jac): Hamming and Jaccard for one pair, and for one
   query against count codes stride bytes apart (the pair function inlined into the loop). */
#define RUV__BIN(I, TGT)                                                                           \
    TGT static float ruv__hamming_bin_##I(const void *a, const void *b, size_t n) {                \
        uint64_t x, an, o;                                                                         \
        ruv__bits_##I(a, b, n, 0, &x, &an, &o);                                                    \
        return (float)x;                                                                           \
    }                                                                                              \
    TGT static float ruv__jaccard_bin_##I(const void *a, const void *b, size_t n) {                \
        uint64_t x, an, o;                                                                         \
        ruv__bits_##I(a, b, n, 1, &x, &an, &o);                                                    \
        return ruv__jaccard_finish(an, o);                                                         \
    }                                                                                              \
    TGT static void ruv__hamming_many_##I(const void *q, const void *base, size_t stride,          \
                                          size_t n, size_t count, float *out) {                    \
        const unsigned char *p = (const unsigned char *)base;                                      \
        size_t i;                                                                                  \
        for (i = 0; i < count; i++, p += stride) {                                                 \
            uint64_t x, an, o;                                                                     \
            ruv__bits_##I(q, p, n, 0, &x, &an, &o);                                                \
            out[i] = (float)x;                                                                     \
        }                                                                                          \
    }                                                                                              \
    TGT static void ruv__jaccard_many_##I(const void *q, const void *base, size_t stride,          \
                                          size_t n, size_t count, float *out) {                    \
        const unsigned char *p = (const unsigned char *)base;                                      \
        size_t i;                                                                                  \
        for (i = 0; i < count; i++, p += stride) {                                                 \
            uint64_t x, an, o;                                                                     \
            ruv__bits_##I(q, p, n, 1, &x, &an, &o);                                                \
            out[i] = ruv__jaccard_finish(an, o);                                                   \
        }                                                                                          \
    }

/* Fills the binary kernels of ISA I (stamped by RUV__BIN). */
#define RUV__FILL_BIN(k, I)                                                                        \
    do {                                                                                           \
        (k)->fn[RUV_OP_HAMMING][RUV_DTYPE_BIN] = ruv__hamming_bin_##I;                             \
        (k)->fn[RUV_OP_JACCARD][RUV_DTYPE_BIN] = ruv__jaccard_bin_##I;                             \
        (k)->hamming_many = ruv__hamming_many_##I;                                                 \
        (k)->jaccard_many = ruv__jaccard_many_##I;                                                 \
    } while (0)

/* >>serial */
/* Element loaders: value i of array p as float. */
#define RUV__LD_F32(p, i) (((const float *)(p))[i])
#define RUV__LD_F16(p, i) ruv_f16_to_f32(((const uint16_t *)(p))[i])
#define RUV__LD_BF16(p, i) ruv_bf16_to_f32(((const uint16_t *)(p))[i])

/* Floating kernels over any element loader: 16 independent accumulators let the compiler keep
   the loop in vector registers without -ffast-math. */
#define RUV__SERIAL_FLOAT(T, LD)                                                                   \
    static float ruv__l2sq_##T##_serial(const void *a, const void *b, size_t n) {                  \
        float acc[16] = {0}, s = 0;                                                                \
        size_t i = 0, j;                                                                           \
        for (; i + 16 <= n; i += 16)                                                               \
            for (j = 0; j < 16; j++) {                                                             \
                float d = LD(a, i + j) - LD(b, i + j);                                             \
                acc[j] += d * d;                                                                   \
            }                                                                                      \
        for (j = 0; i < n; i++, j++) {                                                             \
            float d = LD(a, i) - LD(b, i);                                                         \
            acc[j] += d * d;                                                                       \
        }                                                                                          \
        for (j = 0; j < 16; j++)                                                                   \
            s += acc[j];                                                                           \
        return s;                                                                                  \
    }                                                                                              \
    static float ruv__dot_##T##_serial(const void *a, const void *b, size_t n) {                   \
        float acc[16] = {0}, s = 0;                                                                \
        size_t i = 0, j;                                                                           \
        for (; i + 16 <= n; i += 16)                                                               \
            for (j = 0; j < 16; j++)                                                               \
                acc[j] += LD(a, i + j) * LD(b, i + j);                                             \
        for (j = 0; i < n; i++, j++)                                                               \
            acc[j] += LD(a, i) * LD(b, i);                                                         \
        for (j = 0; j < 16; j++)                                                                   \
            s += acc[j];                                                                           \
        return s;                                                                                  \
    }                                                                                              \
    static float ruv__l1_##T##_serial(const void *a, const void *b, size_t n) {                    \
        float acc[16] = {0}, s = 0;                                                                \
        size_t i = 0, j;                                                                           \
        for (; i + 16 <= n; i += 16)                                                               \
            for (j = 0; j < 16; j++)                                                               \
                acc[j] += (float)fabs(LD(a, i + j) - LD(b, i + j));                                \
        for (j = 0; i < n; i++, j++)                                                               \
            acc[j] += (float)fabs(LD(a, i) - LD(b, i));                                            \
        for (j = 0; j < 16; j++)                                                                   \
            s += acc[j];                                                                           \
        return s;                                                                                  \
    }                                                                                              \
    static float ruv__cos_##T##_serial(const void *a, const void *b, size_t n) {                   \
        float ab[16] = {0}, aa[16] = {0}, bb[16] = {0};                                            \
        double sab = 0, saa = 0, sbb = 0;                                                          \
        size_t i = 0, j;                                                                           \
        for (; i + 16 <= n; i += 16)                                                               \
            for (j = 0; j < 16; j++) {                                                             \
                float x = LD(a, i + j), y = LD(b, i + j);                                          \
                ab[j] += x * y;                                                                    \
                aa[j] += x * x;                                                                    \
                bb[j] += y * y;                                                                    \
            }                                                                                      \
        for (j = 0; i < n; i++, j++) {                                                             \
            float x = LD(a, i), y = LD(b, i);                                                      \
            ab[j] += x * y;                                                                        \
            aa[j] += x * x;                                                                        \
            bb[j] += y * y;                                                                        \
        }                                                                                          \
        for (j = 0; j < 16; j++) {                                                                 \
            sab += ab[j];                                                                          \
            saa += aa[j];                                                                          \
            sbb += bb[j];                                                                          \
        }                                                                                          \
        return ruv__cos_finish(sab, saa, sbb);                                                     \
    }
RUV__SERIAL_FLOAT(f32, RUV__LD_F32)   /* ruv__l2sq_f32_serial, ruv__dot_f32_serial,
                                         ruv__l1_f32_serial, ruv__cos_f32_serial */
RUV__SERIAL_FLOAT(f16, RUV__LD_F16)   /* ruv__l2sq_f16_serial, ruv__dot_f16_serial,
                                         ruv__l1_f16_serial, ruv__cos_f16_serial */
RUV__SERIAL_FLOAT(bf16, RUV__LD_BF16) /* ruv__l2sq_bf16_serial, ruv__dot_bf16_serial,
                                         ruv__l1_bf16_serial, ruv__cos_bf16_serial */

/* Integer kernels: exact sums in 32-bit lanes, flushed to 64 bits every RUV__IBLOCK values. */
#define RUV__IBLOCK 32768u
#define RUV__SERIAL_INT(T, CT)                                                                     \
    static void ruv__sums_##T##_serial(const void *pa, const void *pb, size_t n, int64_t *ab,      \
                                       int64_t *aa, int64_t *bb, int64_t *l2, int64_t *l1) {       \
        const CT *a = (const CT *)pa, *b = (const CT *)pb;                                         \
        size_t i = 0;                                                                              \
        *ab = *aa = *bb = *l2 = *l1 = 0;                                                           \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            int32_t sab = 0, saa = 0, sbb = 0, sl2 = 0, sl1 = 0;                                   \
            for (; i < end; i++) {                                                                 \
                int32_t x = a[i], y = b[i], d = x - y;                                             \
                sab += x * y;                                                                      \
                saa += x * x;                                                                      \
                sbb += y * y;                                                                      \
                sl2 += d * d;                                                                      \
                sl1 += d < 0 ? -d : d;                                                             \
            }                                                                                      \
            *ab += sab, *aa += saa, *bb += sbb, *l2 += sl2, *l1 += sl1;                            \
        }                                                                                          \
    }                                                                                              \
    static float ruv__dot_##T##_serial(const void *a, const void *b, size_t n) {                   \
        const CT *x = (const CT *)a, *y = (const CT *)b;                                           \
        int64_t s = 0;                                                                             \
        size_t i = 0;                                                                              \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            int32_t t = 0;                                                                         \
            for (; i < end; i++)                                                                   \
                t += (int32_t)x[i] * (int32_t)y[i];                                                \
            s += t;                                                                                \
        }                                                                                          \
        return (float)s;                                                                           \
    }                                                                                              \
    static float ruv__l2sq_##T##_serial(const void *a, const void *b, size_t n) {                  \
        const CT *x = (const CT *)a, *y = (const CT *)b;                                           \
        int64_t s = 0;                                                                             \
        size_t i = 0;                                                                              \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            int32_t t = 0;                                                                         \
            for (; i < end; i++) {                                                                 \
                int32_t d = (int32_t)x[i] - (int32_t)y[i];                                         \
                t += d * d;                                                                        \
            }                                                                                      \
            s += t;                                                                                \
        }                                                                                          \
        return (float)s;                                                                           \
    }                                                                                              \
    static float ruv__l1_##T##_serial(const void *a, const void *b, size_t n) {                    \
        int64_t ab, aa, bb, l2, l1;                                                                \
        ruv__sums_##T##_serial(a, b, n, &ab, &aa, &bb, &l2, &l1);                                  \
        return (float)l1;                                                                          \
    }                                                                                              \
    static float ruv__cos_##T##_serial(const void *a, const void *b, size_t n) {                   \
        int64_t ab, aa, bb, l2, l1;                                                                \
        ruv__sums_##T##_serial(a, b, n, &ab, &aa, &bb, &l2, &l1);                                  \
        return ruv__cos_finish((double)ab, (double)aa, (double)bb);                                \
    }
RUV__SERIAL_INT(i8, int8_t)  /* ruv__dot_i8_serial, ruv__l2sq_i8_serial, ruv__l1_i8_serial,
                                ruv__cos_i8_serial, ruv__sums_i8_serial */
RUV__SERIAL_INT(u8, uint8_t) /* ruv__dot_u8_serial, ruv__l2sq_u8_serial, ruv__l1_u8_serial,
                                ruv__cos_u8_serial, ruv__sums_u8_serial */

#define RUV__NO_TARGET
static void ruv__bits_serial(const void *a, const void *b, size_t n, int jac, uint64_t *x,
                             uint64_t *an, uint64_t *o) {
    (void)jac;
    *x = *an = *o = 0;
    ruv__bits_tail((const uint8_t *)a, (const uint8_t *)b, 0, n, x, an, o);
}
RUV__BIN(serial, RUV__NO_TARGET) /* ruv__hamming_bin_serial, ruv__jaccard_bin_serial,
                                    ruv__hamming_many_serial, ruv__jaccard_many_serial */

/* Quantization kernels in portable C, stamped per ISA with its target attribute TGT so that the
   compiler may vectorise them (the loops over the 256 centroids have a fixed trip count). */
#define RUV__Q8DOT_C(I, TGT)                                                                       \
    TGT static float ruv__dot_f32_u8_##I(const float *a, const uint8_t *b, size_t n) {             \
        float s[4] = {0, 0, 0, 0};                                                                 \
        size_t i = 0;                                                                              \
        for (; i + 4 <= n; i += 4) {                                                               \
            s[0] += a[i] * (float)b[i];                                                            \
            s[1] += a[i + 1] * (float)b[i + 1];                                                    \
            s[2] += a[i + 2] * (float)b[i + 2];                                                    \
            s[3] += a[i + 3] * (float)b[i + 3];                                                    \
        }                                                                                          \
        for (; i < n; i++)                                                                         \
            s[0] += a[i] * (float)b[i];                                                            \
        return (s[0] + s[1]) + (s[2] + s[3]);                                                      \
    }
#define RUV__Q16DOT_C(I, TGT)                                                                      \
    TGT static int32_t ruv__dot_i16_u8_##I(const int16_t *a, const uint8_t *b, size_t n) {         \
        int64_t s = 0;                                                                             \
        size_t i;                                                                                  \
        for (i = 0; i < n; i++)                                                                    \
            s += (int32_t)a[i] * b[i];                                                             \
        return (int32_t)s;                                                                         \
    }
#define RUV__PQLUT_C(I, TGT)                                                                       \
    TGT static void ruv__pq_lut_##I(const float *q, const float *cent, size_t dsub, int op,        \
                                    float *out) {                                                  \
        size_t d, c;                                                                               \
        for (c = 0; c < 256; c++)                                                                  \
            out[c] = 0.0f;                                                                         \
        for (d = 0; d < dsub; d++) {                                                               \
            const float x = q[d], *r = cent + d * 256;                                             \
            if (op == RUV_OP_L2SQ)                                                                 \
                for (c = 0; c < 256; c++) {                                                        \
                    float t = x - r[c];                                                            \
                    out[c] += t * t;                                                               \
                }                                                                                  \
            else                                                                                   \
                for (c = 0; c < 256; c++)                                                          \
                    out[c] += x * r[c];                                                            \
        }                                                                                          \
    }
#define RUV__ADC_C(I, TGT)                                                                         \
    TGT static float ruv__adc_##I(const float *lut, const uint8_t *code, size_t m) {               \
        float s[4] = {0, 0, 0, 0};                                                                 \
        size_t j = 0;                                                                              \
        for (; j + 4 <= m; j += 4) {                                                               \
            s[0] += lut[j * 256 + code[j]];                                                        \
            s[1] += lut[(j + 1) * 256 + code[j + 1]];                                              \
            s[2] += lut[(j + 2) * 256 + code[j + 2]];                                              \
            s[3] += lut[(j + 3) * 256 + code[j + 3]];                                              \
        }                                                                                          \
        for (; j < m; j++)                                                                         \
            s[0] += lut[j * 256 + code[j]];                                                        \
        return (s[0] + s[1]) + (s[2] + s[3]);                                                      \
    }
#define RUV__QUANT_C(I, TGT)                                                                       \
    RUV__Q8DOT_C(I, TGT)                                                                           \
    RUV__Q16DOT_C(I, TGT)                                                                          \
    RUV__PQLUT_C(I, TGT)                                                                           \
    RUV__ADC_C(I, TGT)
#define RUV__FILL_QUANT(k, I)                                                                      \
    do {                                                                                           \
        (k)->dot_f32_u8 = ruv__dot_f32_u8_##I;                                                     \
        (k)->dot_i16_u8 = ruv__dot_i16_u8_##I;                                                     \
        (k)->pq_lut = ruv__pq_lut_##I;                                                             \
        (k)->adc = ruv__adc_##I;                                                                   \
    } while (0)

/* Fills the four numeric operations of storage type T for ISA I. */
#define RUV__FILL(k, T, DT, I)                                                                     \
    do {                                                                                           \
        (k)->fn[RUV_OP_L2SQ][DT] = ruv__l2sq_##T##_##I;                                            \
        (k)->fn[RUV_OP_DOT][DT] = ruv__dot_##T##_##I;                                              \
        (k)->fn[RUV_OP_COS][DT] = ruv__cos_##T##_##I;                                              \
        (k)->fn[RUV_OP_L1][DT] = ruv__l1_##T##_##I;                                                \
    } while (0)

/* The four numeric kernels (l2sq, dot, l1, cos) of storage type T on ISA I, written once for
   every ISA around its accumulate function:
     floating: ruv__acc_T_I(a, b, n, op, &r0, &r1, &r2) leaves vector sums of type VT (r0: the
               op's sum; r1, r2: |a|^2 and |b|^2 for cos), reduced by HSUM;
     integer:  ruv__isum_T_I(a, b, n, op, &s, &t, &u) leaves exact int64 sums.
   TGT is the ISA's target attribute (empty for none). */
#define RUV__FLOAT_WRAPPERS(T, I, TGT, VT, HSUM)                                                   \
    TGT static float ruv__run_##T##_##I(const void *a, const void *b, size_t n, int op) {          \
        VT s, t, u;                                                                                \
        ruv__acc_##T##_##I((const unsigned char *)a, (const unsigned char *)b, n, op, &s, &t, &u); \
        return op == RUV_OP_COS ? ruv__cos_finish(HSUM(s), HSUM(t), HSUM(u)) : HSUM(s);            \
    }                                                                                              \
    RUV__OP_WRAPPERS(T, I, TGT)
#define RUV__INT_WRAPPERS(T, I, TGT)                                                               \
    RUV__INT_RUN(T, I, TGT)                                                                        \
    RUV__OP_WRAPPERS(T, I, TGT)
/* Integer types of ISAs whose dot and l2sq have dedicated loops (named ruv__dot_T_I and
   ruv__l2sq_T_I like every kernel): the generic run, l1 and cos. */
#define RUV__INT_WRAPPERS_L1_COS(T, I, TGT)                                                        \
    RUV__INT_RUN(T, I, TGT)                                                                        \
    RUV__WRAP(l1, RUV_OP_L1, T, I, TGT)                                                            \
    RUV__WRAP(cos, RUV_OP_COS, T, I, TGT)
#define RUV__INT_RUN(T, I, TGT)                                                                    \
    TGT static float ruv__run_##T##_##I(const void *a, const void *b, size_t n, int op) {          \
        int64_t s, t, u;                                                                           \
        ruv__isum_##T##_##I(a, b, n, op, &s, &t, &u);                                              \
        return op == RUV_OP_COS ? ruv__cos_finish((double)s, (double)t, (double)u) : (float)s;     \
    }
/* ruv__OPN_T_I: kernel OP of storage type T on ISA I through ruv__run_T_I. */
#define RUV__WRAP(OPN, OP, T, I, TGT)                                                              \
    TGT static float ruv__##OPN##_##T##_##I(const void *a, const void *b, size_t n) {              \
        return ruv__run_##T##_##I(a, b, n, OP);                                                    \
    }
#define RUV__OP_WRAPPERS(T, I, TGT)                                                                \
    RUV__WRAP(l2sq, RUV_OP_L2SQ, T, I, TGT)                                                        \
    RUV__WRAP(dot, RUV_OP_DOT, T, I, TGT)                                                          \
    RUV__WRAP(l1, RUV_OP_L1, T, I, TGT)                                                            \
    RUV__WRAP(cos, RUV_OP_COS, T, I, TGT)
RUV__QUANT_C(serial, RUV__NO_TARGET) /* ruv__dot_f32_u8_serial, ruv__dot_i16_u8_serial,
                                        ruv__pq_lut_serial, ruv__adc_serial */

static void ruv__fill_serial(ruv_kernels *k) {
    memset(k, 0, sizeof *k);
    k->isa = RUV_ISA_SERIAL;
    RUV__FILL(k, f32, RUV_DTYPE_F32, serial);
    RUV__FILL(k, f16, RUV_DTYPE_F16, serial);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, serial);
    RUV__FILL(k, i8, RUV_DTYPE_I8, serial);
    RUV__FILL(k, u8, RUV_DTYPE_U8, serial);
    RUV__FILL_BIN(k, serial);
    k->f32_to_f16 = ruv__f32_to_f16_serial;
    k->f16_to_f32 = ruv__f16_to_f32_serial;
    k->f32_to_bf16 = ruv__f32_to_bf16_serial;
    k->bf16_to_f32 = ruv__bf16_to_f32_serial;
    RUV__FILL_QUANT(k, serial);
}

#endif /* RUV__SIMD_IMPL */
/************** End of src/simd/serial.h **********************************************************/
/************** Begin file src/simd/neon.h ********************************************************/
/* NEON kernels: AArch64 (with the dot-product instructions where HWCAP reports asimddp) and
   32-bit ARM (ARMv7-A and later with NEON and VFPv4). Detection and the table: src/simd/arm.h. */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_NEON

#if RUV__NEON_A32 && !(defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA))
#pragma GCC push_options
#pragma GCC target("fpu=neon-vfpv4")
#define RUV__NEON_PRAGMA 1
#else
#define RUV__NEON_PRAGMA 0
#endif

#if RUV__NEON_A32
/* The AArch64-only reductions, from pairwise steps. */
static float ruv__n_addv_f32(float32x4_t v) {
    float32x2_t s = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(vpadd_f32(s, s), 0);
}
static uint64_t ruv__n_addv_u64(uint64x2_t v) {
    return vgetq_lane_u64(v, 0) + vgetq_lane_u64(v, 1);
}
static uint64_t ruv__n_addlv_u32(uint32x4_t v) { return ruv__n_addv_u64(vpaddlq_u32(v)); }
static int64_t ruv__n_addlv_s32(int32x4_t v) {
    int64x2_t s = vpaddlq_s32(v);
    return vgetq_lane_s64(s, 0) + vgetq_lane_s64(s, 1);
}
/* 4 f16 values to f32 with integer steps (the f16 conversion intrinsics need -mfp16-format, and
   ARMv7 NEON flushes subnormals, so those go through an exact int-to-float conversion). */
static float32x4_t ruv__n_f16_a32(uint16x4_t x) {
    uint32x4_t h = vmovl_u16(x), em = vandq_u32(h, vdupq_n_u32(0x7FFFu));
    uint32x4_t r = vaddq_u32(vshlq_n_u32(em, 13), vdupq_n_u32(112u << 23));
    float32x4_t sub = vmulq_n_f32(vcvtq_f32_u32(em), 5.9604644775390625e-8f); /* m * 2^-24 */
    r = vbslq_u32(vcgeq_u32(em, vdupq_n_u32(0x7C00u)), vaddq_u32(r, vdupq_n_u32(112u << 23)), r);
    r = vbslq_u32(vcltq_u32(em, vdupq_n_u32(0x400u)), vreinterpretq_u32_f32(sub), r);
    return vreinterpretq_f32_u32(vorrq_u32(r, vshlq_n_u32(vandq_u32(h, vdupq_n_u32(0x8000u)), 16)));
}
#define RUV__N_ADDV_F32 ruv__n_addv_f32
#define RUV__N_ADDV_U64 ruv__n_addv_u64
#define RUV__ADDV_S(v) ruv__n_addlv_s32(v)
#define RUV__ADDV_U(v) ruv__n_addlv_u32(v)
#define RUV__MULLH_S8(x, y) vmull_s8(vget_high_s8(x), vget_high_s8(y))
#define RUV__MULLH_U8(x, y) vmull_u8(vget_high_u8(x), vget_high_u8(y))
#define RUV__N_F16(p) ruv__n_f16_a32(vld1_u16((const uint16_t *)(const void *)(p)))
#else
#define RUV__N_ADDV_F32 vaddvq_f32
#define RUV__N_ADDV_U64 vaddvq_u64
#define RUV__ADDV_S(v) vaddlvq_s32(v)
#define RUV__ADDV_U(v) vaddlvq_u32(v)
#define RUV__MULLH_S8 vmull_high_s8
#define RUV__MULLH_U8 vmull_high_u8
#define RUV__N_F16(p)                                                                              \
    vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16((const uint16_t *)(const void *)(p))))
#endif

/* ---- NEON floating kernels ---------------------------------------------------------------- */
/* 4 elements at p as 4 floats. */
#define RUV__N_F32(p) vld1q_f32((const float *)(const void *)(p))
#define RUV__N_BF16(p)                                                                             \
    vreinterpretq_f32_u32(vshll_n_u16(vld1_u16((const uint16_t *)(const void *)(p)), 16))

/* 16 elements per iteration in 4 accumulators; the tail (< 4 elements) goes through zeroed
   buffers, which add nothing to any sum. */
#define RUV__N_FLOAT(T, ES, LD)                                                                    \
    static void ruv__acc_##T##_neon(const unsigned char *a, const unsigned char *b, size_t n,      \
                                    int op, float32x4_t *r0, float32x4_t *r1, float32x4_t *r2) {   \
        float32x4_t s0 = vdupq_n_f32(0), s1 = s0, s2 = s0, s3 = s0, t = s0, u = s0;                \
        unsigned char ta[4 * ES], tb[4 * ES];                                                      \
        size_t i = 0;                                                                              \
        if (op != RUV_OP_COS)                                                                      \
            for (; i + 16 <= n; i += 16) {                                                         \
                float32x4_t x0 = LD(a + i * ES), y0 = LD(b + i * ES);                              \
                float32x4_t x1 = LD(a + (i + 4) * ES), y1 = LD(b + (i + 4) * ES);                  \
                float32x4_t x2 = LD(a + (i + 8) * ES), y2 = LD(b + (i + 8) * ES);                  \
                float32x4_t x3 = LD(a + (i + 12) * ES), y3 = LD(b + (i + 12) * ES);                \
                if (op == RUV_OP_DOT) {                                                            \
                    s0 = vfmaq_f32(s0, x0, y0), s1 = vfmaq_f32(s1, x1, y1);                        \
                    s2 = vfmaq_f32(s2, x2, y2), s3 = vfmaq_f32(s3, x3, y3);                        \
                } else if (op == RUV_OP_L2SQ) {                                                    \
                    x0 = vsubq_f32(x0, y0), x1 = vsubq_f32(x1, y1);                                \
                    x2 = vsubq_f32(x2, y2), x3 = vsubq_f32(x3, y3);                                \
                    s0 = vfmaq_f32(s0, x0, x0), s1 = vfmaq_f32(s1, x1, x1);                        \
                    s2 = vfmaq_f32(s2, x2, x2), s3 = vfmaq_f32(s3, x3, x3);                        \
                } else {                                                                           \
                    s0 = vaddq_f32(s0, vabdq_f32(x0, y0)), s1 = vaddq_f32(s1, vabdq_f32(x1, y1));  \
                    s2 = vaddq_f32(s2, vabdq_f32(x2, y2)), s3 = vaddq_f32(s3, vabdq_f32(x3, y3));  \
                }                                                                                  \
            }                                                                                      \
        for (; i < n; i += 4) {                                                                    \
            const unsigned char *pa = a + i * ES, *pb = b + i * ES;                                \
            float32x4_t x, y;                                                                      \
            if (n - i < 4) {                                                                       \
                ruv__pad_tail(ta, tb, pa, pb, (n - i) * ES, sizeof ta);                            \
                pa = ta, pb = tb;                                                                  \
            }                                                                                      \
            x = LD(pa), y = LD(pb);                                                                \
            if (op == RUV_OP_DOT || op == RUV_OP_COS) {                                            \
                s1 = vfmaq_f32(s1, x, y);                                                          \
                t = vfmaq_f32(t, x, x);                                                            \
                u = vfmaq_f32(u, y, y);                                                            \
            } else if (op == RUV_OP_L2SQ) {                                                        \
                x = vsubq_f32(x, y);                                                               \
                s1 = vfmaq_f32(s1, x, x);                                                          \
            } else                                                                                 \
                s1 = vaddq_f32(s1, vabdq_f32(x, y));                                               \
        }                                                                                          \
        *r0 = vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3));                                     \
        *r1 = t;                                                                                   \
        *r2 = u;                                                                                   \
    }                                                                                              \
    RUV__FLOAT_WRAPPERS(T, neon, RUV__NO_TARGET, float32x4_t, RUV__N_ADDV_F32)
RUV__N_FLOAT(f32, 4, RUV__N_F32)   /* ruv__l2sq_f32_neon, ruv__dot_f32_neon, ruv__l1_f32_neon,
                                      ruv__cos_f32_neon, ruv__acc_f32_neon, ruv__run_f32_neon */
RUV__N_FLOAT(f16, 2, RUV__N_F16)   /* ruv__l2sq_f16_neon, ruv__dot_f16_neon, ruv__l1_f16_neon,
                                      ruv__cos_f16_neon, ruv__acc_f16_neon, ruv__run_f16_neon */
RUV__N_FLOAT(bf16, 2, RUV__N_BF16) /* ruv__l2sq_bf16_neon, ruv__dot_bf16_neon, ruv__l1_bf16_neon,
                                      ruv__cos_bf16_neon, ruv__acc_bf16_neon, ruv__run_bf16_neon */

/* ---- NEON integer kernels ----------------------------------------------------------------- */
/* 16 values per step. Products and squared differences are widened to 16 bits and pairwise
   accumulated into 32-bit lanes (exact; flushed to 64 bits every RUV__IBLOCK values). The
   |difference| of two i8 or two u8 values fits a u8 exactly (vabd), which the dot-product path
   squares with udot. */
#define RUV__N_INT(T, CT, LDQ, MULL, MULLH, PADAL, ACC, ZERO, ADDV, ABD)                           \
    static void ruv__isum_##T##_neon(const void *pa, const void *pb, size_t n, int op,             \
                                     int64_t *r0, int64_t *r1, int64_t *r2) {                      \
        const CT *a = (const CT *)pa, *b = (const CT *)pb;                                         \
        CT ta[16], tb[16];                                                                         \
        size_t i = 0;                                                                              \
        *r0 = *r1 = *r2 = 0;                                                                       \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            ACC s = ZERO(0), t = s, u = s;                                                         \
            uint32x4_t l = vdupq_n_u32(0);                                                         \
            for (; i < end; i += 16) {                                                             \
                const CT *p = a + i, *q = b + i;                                                   \
                if (end - i < 16) {                                                                \
                    ruv__pad_tail(ta, tb, p, q, end - i, sizeof ta);                               \
                    p = ta, q = tb;                                                                \
                    i = end - 16;                                                                  \
                }                                                                                  \
                {                                                                                  \
                    __typeof__(LDQ(p)) x = LDQ(p), y = LDQ(q);                                     \
                    if (op == RUV_OP_L1 || op == RUV_OP_L2SQ) {                                    \
                        uint8x16_t d = ABD(x, y);                                                  \
                        if (op == RUV_OP_L1)                                                       \
                            l = vpadalq_u16(l, vpaddlq_u8(d));                                     \
                        else {                                                                     \
                            l = vpadalq_u16(l, vmull_u8(vget_low_u8(d), vget_low_u8(d)));          \
                            l = vpadalq_u16(l, RUV__MULLH_U8(d, d));                               \
                        }                                                                          \
                    } else {                                                                       \
                        s = PADAL(PADAL(s, MULL(x, y)), MULLH(x, y));                              \
                        if (op == RUV_OP_COS) {                                                    \
                            t = PADAL(PADAL(t, MULL(x, x)), MULLH(x, x));                          \
                            u = PADAL(PADAL(u, MULL(y, y)), MULLH(y, y));                          \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
            *r0 += (op == RUV_OP_L1 || op == RUV_OP_L2SQ) ? (int64_t)RUV__ADDV_U(l)                \
                                                          : (int64_t)ADDV(s);                      \
            *r1 += (int64_t)ADDV(t);                                                               \
            *r2 += (int64_t)ADDV(u);                                                               \
        }                                                                                          \
    }                                                                                              \
    RUV__INT_WRAPPERS(T, neon, RUV__NO_TARGET)
#define RUV__MULL_S8(x, y) vmull_s8(vget_low_s8(x), vget_low_s8(y))
#define RUV__MULL_U8(x, y) vmull_u8(vget_low_u8(x), vget_low_u8(y))
#define RUV__ABD_S8(x, y) vreinterpretq_u8_s8(vabdq_s8(x, y))
RUV__N_INT(i8, int8_t, vld1q_s8, RUV__MULL_S8, RUV__MULLH_S8, vpadalq_s16, int32x4_t, vdupq_n_s32,
           RUV__ADDV_S, RUV__ABD_S8) /* ruv__l2sq_i8_neon, ruv__dot_i8_neon, ruv__l1_i8_neon,
                                        ruv__cos_i8_neon, ruv__isum_i8_neon, ruv__run_i8_neon */
RUV__N_INT(u8, uint8_t, vld1q_u8, RUV__MULL_U8, RUV__MULLH_U8, vpadalq_u16, uint32x4_t, vdupq_n_u32,
           RUV__ADDV_U, vabdq_u8) /* ruv__l2sq_u8_neon, ruv__dot_u8_neon, ruv__l1_u8_neon,
                                     ruv__cos_u8_neon, ruv__isum_u8_neon, ruv__run_u8_neon */

#if RUV__HAS_DOTPROD
#if defined(__ARM_FEATURE_DOTPROD)
#define RUV__T_DOT
#else
#define RUV__T_DOT RUV__TARGET("arch=armv8.2-a+dotprod")
#endif
/* Dot-product instructions (sdot/udot): 16 products per instruction into 4 lanes. */
#define RUV__N_DOT(T, CT, LDQ, DOT, ACC, ZERO, ADDV, ABD)                                          \
    RUV__T_DOT static void ruv__isum_##T##_dotprod_neon(                                           \
        const void *pa, const void *pb, size_t n, int op, int64_t *r0, int64_t *r1, int64_t *r2) { \
        const CT *a = (const CT *)pa, *b = (const CT *)pb;                                         \
        CT ta[16], tb[16];                                                                         \
        size_t i = 0;                                                                              \
        *r0 = *r1 = *r2 = 0;                                                                       \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            ACC s = ZERO(0), t = s, u = s;                                                         \
            uint32x4_t l = vdupq_n_u32(0);                                                         \
            const uint8x16_t one = vdupq_n_u8(1);                                                  \
            for (; i < end; i += 16) {                                                             \
                const CT *p = a + i, *q = b + i;                                                   \
                if (end - i < 16) {                                                                \
                    ruv__pad_tail(ta, tb, p, q, end - i, sizeof ta);                               \
                    p = ta, q = tb;                                                                \
                    i = end - 16;                                                                  \
                }                                                                                  \
                {                                                                                  \
                    __typeof__(LDQ(p)) x = LDQ(p), y = LDQ(q);                                     \
                    if (op == RUV_OP_L1 || op == RUV_OP_L2SQ) {                                    \
                        uint8x16_t d = ABD(x, y);                                                  \
                        l = vdotq_u32(l, d, op == RUV_OP_L1 ? one : d);                            \
                    } else {                                                                       \
                        s = DOT(s, x, y);                                                          \
                        if (op == RUV_OP_COS) {                                                    \
                            t = DOT(t, x, x);                                                      \
                            u = DOT(u, y, y);                                                      \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
            *r0 += (op == RUV_OP_L1 || op == RUV_OP_L2SQ) ? (int64_t)RUV__ADDV_U(l)                \
                                                          : (int64_t)ADDV(s);                      \
            *r1 += (int64_t)ADDV(t);                                                               \
            *r2 += (int64_t)ADDV(u);                                                               \
        }                                                                                          \
    }                                                                                              \
    RUV__INT_WRAPPERS(T, dotprod_neon, RUV__T_DOT)
RUV__N_DOT(
    i8, int8_t, vld1q_s8, vdotq_s32, int32x4_t, vdupq_n_s32, RUV__ADDV_S,
    RUV__ABD_S8) /* ruv__l2sq_i8_dotprod_neon, ruv__dot_i8_dotprod_neon, ruv__l1_i8_dotprod_neon,
                    ruv__cos_i8_dotprod_neon, ruv__isum_i8_dotprod_neon, ruv__run_i8_dotprod_neon */
RUV__N_DOT(
    u8, uint8_t, vld1q_u8, vdotq_u32, uint32x4_t, vdupq_n_u32, RUV__ADDV_U,
    vabdq_u8) /* ruv__l2sq_u8_dotprod_neon, ruv__dot_u8_dotprod_neon, ruv__l1_u8_dotprod_neon,
                 ruv__cos_u8_dotprod_neon, ruv__isum_u8_dotprod_neon, ruv__run_u8_dotprod_neon */
#endif

/* ---- NEON binary and conversions ---------------------------------------------------------- */
static void ruv__bits_neon(const void *pa, const void *pb, size_t n, int jac, uint64_t *x,
                           uint64_t *an, uint64_t *o) {
    const uint8_t *a = (const uint8_t *)pa, *b = (const uint8_t *)pb;
    uint64x2_t sx = vdupq_n_u64(0), sa = sx, so = sx;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        uint8x16_t p = vld1q_u8(a + i), q = vld1q_u8(b + i);
        if (jac) {
            sa = vpadalq_u32(sa, vpaddlq_u16(vpaddlq_u8(vcntq_u8(vandq_u8(p, q)))));
            so = vpadalq_u32(so, vpaddlq_u16(vpaddlq_u8(vcntq_u8(vorrq_u8(p, q)))));
        } else
            sx = vpadalq_u32(sx, vpaddlq_u16(vpaddlq_u8(vcntq_u8(veorq_u8(p, q)))));
    }
    *x = *an = *o = 0;
    ruv__bits_tail(a, b, i, n, x, an, o);
    *x += RUV__N_ADDV_U64(sx);
    *an += RUV__N_ADDV_U64(sa);
    *o += RUV__N_ADDV_U64(so);
}

RUV__BIN(neon, RUV__NO_TARGET) /* ruv__hamming_bin_neon, ruv__jaccard_bin_neon,
   ruv__hamming_many_neon, ruv__jaccard_many_neon */

#if !RUV__NEON_A32
/* f16 conversions use the FPCR rounding mode, round to nearest even unless changed. */
static void ruv__f32_to_f16_neon(const void *src, void *dst, size_t n) {
    const float *s = (const float *)src;
    uint16_t *d = (uint16_t *)dst;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1_u16(d + i, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(s + i))));
    ruv__f32_to_f16_serial(s + i, d + i, n - i);
}
#endif

static void ruv__f16_to_f32_neon(const void *src, void *dst, size_t n) {
    const uint16_t *s = (const uint16_t *)src;
    float *d = (float *)dst;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(d + i, RUV__N_F16(s + i));
    ruv__f16_to_f32_serial(s + i, d + i, n - i);
}

static void ruv__f32_to_bf16_neon(const void *src, void *dst, size_t n) {
    const float *s = (const float *)src;
    uint16_t *d = (uint16_t *)dst;
    const uint32x4_t bias = vdupq_n_u32(0x7FFF), one = vdupq_n_u32(1),
                     inf = vdupq_n_u32(0x7F800000);
    const uint32x4_t absm = vdupq_n_u32(0x7FFFFFFF), quiet = vdupq_n_u32(0x40);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32x4_t u = vreinterpretq_u32_f32(vld1q_f32(s + i));
        uint32x4_t nan = vcgtq_u32(vandq_u32(u, absm), inf);
        uint32x4_t r = vaddq_u32(u, vaddq_u32(bias, vandq_u32(vshrq_n_u32(u, 16), one)));
        r = vbslq_u32(nan, vorrq_u32(vshrq_n_u32(u, 16), quiet), vshrq_n_u32(r, 16));
        vst1_u16(d + i, vmovn_u32(r));
    }
    ruv__f32_to_bf16_serial(s + i, d + i, n - i);
}

static void ruv__bf16_to_f32_neon(const void *src, void *dst, size_t n) {
    const uint16_t *s = (const uint16_t *)src;
    float *d = (float *)dst;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(d + i, RUV__N_BF16(s + i));
    ruv__bf16_to_f32_serial(s + i, d + i, n - i);
}

#if RUV__NEON_PRAGMA
#pragma GCC pop_options
#endif
#endif /* RUV__HAS_NEON */
/************** End of src/simd/neon.h ************************************************************/
/************** Begin file src/simd/sve.h *********************************************************/
/* AArch64 SVE kernels (vector-length agnostic, predicated tails). */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_SVE
#include <arm_sve.h>
#if defined(__ARM_FEATURE_SVE)
#define RUV__T_SVE
#else
#define RUV__T_SVE RUV__TARGET("arch=armv8.2-a+sve")
#endif

#define RUV__SAME_F(x) (x)

/* One vector of 32-bit lanes from element i of p; inactive lanes are zero. */
#define RUV__S_F32(pg, p, i) svld1_f32(pg, (const float *)(p) + (i))
#define RUV__S_F16(pg, p, i)                                                                       \
    svcvt_f32_f16_x(pg, svreinterpret_f16_u32(svld1uh_u32(pg, (const uint16_t *)(p) + (i))))
#define RUV__S_BF16(pg, p, i)                                                                      \
    svreinterpret_f32_u32(svlsl_n_u32_x(pg, svld1uh_u32(pg, (const uint16_t *)(p) + (i)), 16))

#define RUV__S_FLOAT(T, LD)                                                                        \
    RUV__T_SVE static void ruv__acc_##T##_sve(const unsigned char *a, const unsigned char *b,      \
                                              size_t n, int op, float *r0, float *r1, float *r2) { \
        svfloat32_t s = svdup_n_f32(0), s2 = s, t = s, u = s;                                      \
        uint64_t i = 0, vl = svcntw();                                                             \
        for (; i < n; i += vl) {                                                                   \
            svbool_t pg = svwhilelt_b32_u64(i, n);                                                 \
            svfloat32_t x = LD(pg, a, i), y = LD(pg, b, i);                                        \
            if (op == RUV_OP_DOT || op == RUV_OP_COS) {                                            \
                s = svmla_f32_m(pg, s, x, y);                                                      \
                if (op == RUV_OP_COS) {                                                            \
                    t = svmla_f32_m(pg, t, x, x);                                                  \
                    u = svmla_f32_m(pg, u, y, y);                                                  \
                }                                                                                  \
            } else if (op == RUV_OP_L2SQ) {                                                        \
                svfloat32_t d = svsub_f32_z(pg, x, y);                                             \
                if ((i / vl) & 1)                                                                  \
                    s2 = svmla_f32_m(pg, s2, d, d);                                                \
                else                                                                               \
                    s = svmla_f32_m(pg, s, d, d);                                                  \
            } else                                                                                 \
                s = svadd_f32_m(pg, s, svabd_f32_z(pg, x, y));                                     \
        }                                                                                          \
        *r0 = svaddv_f32(svptrue_b32(), svadd_f32_x(svptrue_b32(), s, s2));                        \
        *r1 = svaddv_f32(svptrue_b32(), t);                                                        \
        *r2 = svaddv_f32(svptrue_b32(), u);                                                        \
    }                                                                                              \
    RUV__FLOAT_WRAPPERS(T, sve, RUV__T_SVE, float, RUV__SAME_F)
RUV__S_FLOAT(f32, RUV__S_F32)   /* ruv__l2sq_f32_sve, ruv__dot_f32_sve, ruv__l1_f32_sve,
                                   ruv__cos_f32_sve, ruv__acc_f32_sve, ruv__run_f32_sve */
RUV__S_FLOAT(f16, RUV__S_F16)   /* ruv__l2sq_f16_sve, ruv__dot_f16_sve, ruv__l1_f16_sve,
                                   ruv__cos_f16_sve, ruv__acc_f16_sve, ruv__run_f16_sve */
RUV__S_FLOAT(bf16, RUV__S_BF16) /* ruv__l2sq_bf16_sve, ruv__dot_bf16_sve, ruv__l1_bf16_sve,
                                   ruv__cos_bf16_sve, ruv__acc_bf16_sve, ruv__run_bf16_sve */

/* i8/u8 with sdot/udot: 4 products per 32-bit lane per instruction, exact; |a - b| of two i8 or
   two u8 values fits a u8 (svabd), squared (or summed against ones) with udot. */
#define RUV__S_INT(T, CT, VT, LD, ACC, DUP, DOT, ABDU, ADDV)                                       \
    RUV__T_SVE static void ruv__isum_##T##_sve(const void *pa, const void *pb, size_t n, int op,   \
                                               int64_t *r0, int64_t *r1, int64_t *r2) {            \
        const CT *a = (const CT *)pa, *b = (const CT *)pb;                                         \
        uint64_t i = 0, vl = svcntb();                                                             \
        *r0 = *r1 = *r2 = 0;                                                                       \
        while (i < n) {                                                                            \
            uint64_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                              \
            ACC s = DUP(0), t = s, u = s;                                                          \
            svuint32_t l = svdup_n_u32(0);                                                         \
            const svuint8_t one = svdup_n_u8(1);                                                   \
            for (; i < end; i += vl) {                                                             \
                svbool_t pg = svwhilelt_b8_u64(i, end);                                            \
                VT x = LD(pg, a + i), y = LD(pg, b + i);                                           \
                if (op == RUV_OP_L1 || op == RUV_OP_L2SQ) {                                        \
                    svuint8_t d = ABDU(pg, x, y);                                                  \
                    l = svdot_u32(l, d, op == RUV_OP_L1 ? one : d);                                \
                } else {                                                                           \
                    s = DOT(s, x, y);                                                              \
                    if (op == RUV_OP_COS) {                                                        \
                        t = DOT(t, x, x);                                                          \
                        u = DOT(u, y, y);                                                          \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
            i = end; /* the last step may overshoot */                                             \
            *r0 += (op == RUV_OP_L1 || op == RUV_OP_L2SQ) ? (int64_t)svaddv_u32(svptrue_b32(), l)  \
                                                          : (int64_t)ADDV(svptrue_b32(), s);       \
            *r1 += (int64_t)ADDV(svptrue_b32(), t);                                                \
            *r2 += (int64_t)ADDV(svptrue_b32(), u);                                                \
        }                                                                                          \
    }                                                                                              \
    RUV__INT_WRAPPERS(T, sve, RUV__T_SVE)
#define RUV__S_ABD_S8(pg, x, y) svreinterpret_u8_s8(svabd_s8_z(pg, x, y))
RUV__S_INT(i8, int8_t, svint8_t, svld1_s8, svint32_t, svdup_n_s32, svdot_s32, RUV__S_ABD_S8,
           svaddv_s32) /* ruv__l2sq_i8_sve, ruv__dot_i8_sve, ruv__l1_i8_sve, ruv__cos_i8_sve,
                          ruv__isum_i8_sve, ruv__run_i8_sve */
RUV__S_INT(u8, uint8_t, svuint8_t, svld1_u8, svuint32_t, svdup_n_u32, svdot_u32, svabd_u8_z,
           svaddv_u32) /* ruv__l2sq_u8_sve, ruv__dot_u8_sve, ruv__l1_u8_sve, ruv__cos_u8_sve,
                          ruv__isum_u8_sve, ruv__run_u8_sve */

/* Binary: per-byte popcount, summed into 32-bit lanes with udot against ones. */
RUV__T_SVE static void ruv__bits_sve(const void *pa, const void *pb, size_t n, int jac, uint64_t *x,
                                     uint64_t *an, uint64_t *o) {
    const uint8_t *a = (const uint8_t *)pa, *b = (const uint8_t *)pb;
    uint64_t i = 0, vl = svcntb();
    const svuint8_t one = svdup_n_u8(1);
    *x = *an = *o = 0;
    while (i < n) { /* blocks keep the 32-bit lanes from overflowing */
        uint64_t end = n - i > (1u << 20) ? i + (1u << 20) : n;
        svuint32_t sx = svdup_n_u32(0), sa = sx, so = sx;
        for (; i < end; i += vl) {
            svbool_t pg = svwhilelt_b8_u64(i, end);
            svuint8_t p = svld1_u8(pg, a + i), q = svld1_u8(pg, b + i);
            if (jac) {
                sa = svdot_u32(sa, svcnt_u8_z(pg, svand_u8_z(pg, p, q)), one);
                so = svdot_u32(so, svcnt_u8_z(pg, svorr_u8_z(pg, p, q)), one);
            } else
                sx = svdot_u32(sx, svcnt_u8_z(pg, sveor_u8_z(pg, p, q)), one);
        }
        i = end; /* the last step may overshoot */
        *x += svaddv_u32(svptrue_b32(), sx);
        *an += svaddv_u32(svptrue_b32(), sa);
        *o += svaddv_u32(svptrue_b32(), so);
    }
}

RUV__BIN(sve, RUV__T_SVE) /* ruv__hamming_bin_sve, ruv__jaccard_bin_sve, ruv__hamming_many_sve,
   ruv__jaccard_many_sve */

static void ruv__fill_sve(ruv_kernels *k) {
    RUV__FILL(k, f32, RUV_DTYPE_F32, sve);
    RUV__FILL(k, f16, RUV_DTYPE_F16, sve);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, sve);
    RUV__FILL(k, i8, RUV_DTYPE_I8, sve);
    RUV__FILL(k, u8, RUV_DTYPE_U8, sve);
    RUV__FILL_BIN(k, sve);
}
#endif /* RUV__HAS_SVE */
/************** End of src/simd/sve.h *************************************************************/
/************** Begin file src/simd/arm.h *********************************************************/
/* ARM: CPU detection (HWCAP), the quantization kernels and the kernel table of the NEON and SVE
   ISAs. */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_NEON
#if RUV__NEON_PRAGMA
#pragma GCC push_options
#pragma GCC target("fpu=neon-vfpv4")
#endif

#define RUV__HWCAP_ASIMDDP (1ul << 20) /* AArch64 */
#define RUV__HWCAP_SVE (1ul << 22)     /* AArch64 */
#define RUV__HWCAP_NEON (1ul << 12)    /* 32-bit ARM */
#define RUV__HWCAP_VFPV4 (1ul << 16)   /* 32-bit ARM */

#if RUV__HAS_DOTPROD || RUV__HAS_SVE || RUV__NEON_PRAGMA
static unsigned long ruv__arm_hwcap(void) {
#if defined(__linux__)
    return getauxval(AT_HWCAP);
#else
    return 0; /* other systems: NEON only (the AArch64 baseline) */
#endif
}
#endif

static ruv_isa ruv__arm_best(void) {
#if RUV__NEON_PRAGMA
    unsigned long need = RUV__HWCAP_NEON | RUV__HWCAP_VFPV4;
    if ((ruv__arm_hwcap() & need) != need)
        return RUV_ISA_SERIAL;
#endif
#if RUV__HAS_SVE
    if (ruv__arm_hwcap() & RUV__HWCAP_SVE)
        return RUV_ISA_SVE;
#endif
    return RUV_ISA_NEON;
}

/* Quantization kernels: table look-ups and centroid tables stay portable C; f32 x u8 widens
   8 bytes per step to two float vectors. */
RUV__PQLUT_C(neon, RUV__NO_TARGET) /* ruv__pq_lut_neon */
RUV__ADC_C(neon, RUV__NO_TARGET)   /* ruv__adc_neon */
static float ruv__dot_f32_u8_neon(const float *a, const uint8_t *b, size_t n) {
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0;
    float t = 0.0f;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint16x8_t c = vmovl_u8(vld1_u8(b + i));
        s0 = vfmaq_f32(s0, vld1q_f32(a + i), vcvtq_f32_u32(vmovl_u16(vget_low_u16(c))));
        s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vcvtq_f32_u32(vmovl_u16(vget_high_u16(c))));
    }
    for (; i < n; i++)
        t += a[i] * (float)b[i];
    return RUV__N_ADDV_F32(vaddq_f32(s0, s1)) + t;
}

/* int16 x u8: bytes widened to 16 bits, multiply-accumulated into 32-bit lanes (exact). */
static int32_t ruv__dot_i16_u8_neon(const int16_t *a, const uint8_t *b, size_t n) {
    int32x4_t s0 = vdupq_n_s32(0), s1 = s0;
    int32_t t = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        int16x8_t c = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(b + i))), x = vld1q_s16(a + i);
        s0 = vmlal_s16(s0, vget_low_s16(x), vget_low_s16(c));
        s1 = vmlal_s16(s1, vget_high_s16(x), vget_high_s16(c));
    }
    for (; i < n; i++)
        t += (int32_t)a[i] * b[i];
    return (int32_t)RUV__ADDV_S(vaddq_s32(s0, s1)) + t;
}

static void ruv__fill_arm(ruv_kernels *k, ruv_isa isa) {
    if (isa != RUV_ISA_NEON && isa != RUV_ISA_SVE)
        return;
    RUV__FILL(k, f32, RUV_DTYPE_F32, neon);
    RUV__FILL(k, f16, RUV_DTYPE_F16, neon);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, neon);
    RUV__FILL(k, i8, RUV_DTYPE_I8, neon);
    RUV__FILL(k, u8, RUV_DTYPE_U8, neon);
#if RUV__HAS_DOTPROD
    if (ruv__arm_hwcap() & RUV__HWCAP_ASIMDDP) {
        RUV__FILL(k, i8, RUV_DTYPE_I8, dotprod_neon);
        RUV__FILL(k, u8, RUV_DTYPE_U8, dotprod_neon);
    }
#endif
#if !RUV__NEON_A32
    k->f32_to_f16 = ruv__f32_to_f16_neon; /* 32-bit ARM keeps the serial one */
#endif
    RUV__FILL_BIN(k, neon);
    k->f16_to_f32 = ruv__f16_to_f32_neon;
    k->f32_to_bf16 = ruv__f32_to_bf16_neon;
    k->bf16_to_f32 = ruv__bf16_to_f32_neon;
    RUV__FILL_QUANT(k, neon);
#if RUV__HAS_SVE
    if (isa == RUV_ISA_SVE)
        ruv__fill_sve(k);
#endif
}

#if RUV__NEON_PRAGMA
#pragma GCC pop_options
#endif
#endif /* RUV__HAS_NEON */
/************** End of src/simd/arm.h *************************************************************/
/************** Begin file src/simd/wasm.h ********************************************************/
/* WebAssembly SIMD128 kernels, selected at compile time (-msimd128). f16 has no conversion
   instruction in SIMD128 and keeps the serial kernels. */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_WASM

#define RUV__W_F32(p) wasm_v128_load(p)

static float ruv__f32x4_sum(v128_t v) {
    return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
           wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}

/* Sum of the four 32-bit lanes (as signed or unsigned) in 64 bits. */
static int64_t ruv__i32x4_sum(v128_t v) {
    return (int64_t)wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) +
           wasm_i32x4_extract_lane(v, 2) + wasm_i32x4_extract_lane(v, 3);
}
static uint64_t ruv__u32x4_sum(v128_t v) {
    return (uint64_t)wasm_u32x4_extract_lane(v, 0) + wasm_u32x4_extract_lane(v, 1) +
           wasm_u32x4_extract_lane(v, 2) + wasm_u32x4_extract_lane(v, 3);
}
#define RUV__W_BF16(p) wasm_i32x4_shl(wasm_u32x4_load16x4(p), 16)

/* Floating kernels, 16 elements per iteration in 4 accumulators; zero-padded tail. */
#define RUV__W_FLOAT(T, ES, LD)                                                                    \
    static void ruv__acc_##T##_wasm128(const unsigned char *a, const unsigned char *b, size_t n,   \
                                       int op, v128_t *r0, v128_t *r1, v128_t *r2) {               \
        v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0, t = s0, u = s0;                \
        unsigned char ta[4 * ES], tb[4 * ES];                                                      \
        size_t i = 0;                                                                              \
        if (op != RUV_OP_COS)                                                                      \
            for (; i + 16 <= n; i += 16) {                                                         \
                v128_t x0 = LD(a + i * ES), y0 = LD(b + i * ES);                                   \
                v128_t x1 = LD(a + (i + 4) * ES), y1 = LD(b + (i + 4) * ES);                       \
                v128_t x2 = LD(a + (i + 8) * ES), y2 = LD(b + (i + 8) * ES);                       \
                v128_t x3 = LD(a + (i + 12) * ES), y3 = LD(b + (i + 12) * ES);                     \
                if (op == RUV_OP_L2SQ) {                                                           \
                    x0 = wasm_f32x4_sub(x0, y0), x1 = wasm_f32x4_sub(x1, y1);                      \
                    x2 = wasm_f32x4_sub(x2, y2), x3 = wasm_f32x4_sub(x3, y3);                      \
                    y0 = x0, y1 = x1, y2 = x2, y3 = x3;                                            \
                }                                                                                  \
                if (op == RUV_OP_L1) {                                                             \
                    s0 = wasm_f32x4_add(s0, wasm_f32x4_abs(wasm_f32x4_sub(x0, y0)));               \
                    s1 = wasm_f32x4_add(s1, wasm_f32x4_abs(wasm_f32x4_sub(x1, y1)));               \
                    s2 = wasm_f32x4_add(s2, wasm_f32x4_abs(wasm_f32x4_sub(x2, y2)));               \
                    s3 = wasm_f32x4_add(s3, wasm_f32x4_abs(wasm_f32x4_sub(x3, y3)));               \
                } else {                                                                           \
                    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(x0, y0));                               \
                    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(x1, y1));                               \
                    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(x2, y2));                               \
                    s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(x3, y3));                               \
                }                                                                                  \
            }                                                                                      \
        for (; i < n; i += 4) {                                                                    \
            const unsigned char *pa = a + i * ES, *pb = b + i * ES;                                \
            v128_t x, y;                                                                           \
            if (n - i < 4) {                                                                       \
                ruv__pad_tail(ta, tb, pa, pb, (n - i) * ES, sizeof ta);                            \
                pa = ta, pb = tb;                                                                  \
            }                                                                                      \
            x = LD(pa), y = LD(pb);                                                                \
            if (op == RUV_OP_L2SQ)                                                                 \
                x = y = wasm_f32x4_sub(x, y);                                                      \
            if (op == RUV_OP_L1)                                                                   \
                s1 = wasm_f32x4_add(s1, wasm_f32x4_abs(wasm_f32x4_sub(x, y)));                     \
            else {                                                                                 \
                s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(x, y));                                     \
                t = wasm_f32x4_add(t, wasm_f32x4_mul(x, x));                                       \
                u = wasm_f32x4_add(u, wasm_f32x4_mul(y, y));                                       \
            }                                                                                      \
        }                                                                                          \
        *r0 = wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3));                      \
        *r1 = t;                                                                                   \
        *r2 = u;                                                                                   \
    }                                                                                              \
    RUV__FLOAT_WRAPPERS(T, wasm128, RUV__NO_TARGET, v128_t, ruv__f32x4_sum)
RUV__W_FLOAT(f32, 4,
             RUV__W_F32) /* ruv__l2sq_f32_wasm128, ruv__dot_f32_wasm128, ruv__l1_f32_wasm128,
                            ruv__cos_f32_wasm128, ruv__acc_f32_wasm128, ruv__run_f32_wasm128 */
RUV__W_FLOAT(bf16, 2,
             RUV__W_BF16) /* ruv__l2sq_bf16_wasm128, ruv__dot_bf16_wasm128, ruv__l1_bf16_wasm128,
                             ruv__cos_bf16_wasm128, ruv__acc_bf16_wasm128, ruv__run_bf16_wasm128 */

/* i8/u8: 8 values widened to i16 per step; i32x4.dot_i16x8 sums pairs of products exactly. */
#define RUV__W_INT(T, WIDEN)                                                                       \
    static void ruv__isum_##T##_wasm128(const void *pa, const void *pb, size_t n, int op,          \
                                        int64_t *r0, int64_t *r1, int64_t *r2) {                   \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        unsigned char ta[8], tb[8];                                                                \
        size_t i = 0;                                                                              \
        *r0 = *r1 = *r2 = 0;                                                                       \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            v128_t s = wasm_i32x4_splat(0), t = s, u = s;                                          \
            for (; i < end; i += 8) {                                                              \
                const unsigned char *p = a + i, *q = b + i;                                        \
                v128_t x, y;                                                                       \
                if (end - i < 8) {                                                                 \
                    ruv__pad_tail(ta, tb, p, q, end - i, sizeof ta);                               \
                    p = ta, q = tb;                                                                \
                    i = end - 8;                                                                   \
                }                                                                                  \
                x = WIDEN(p), y = WIDEN(q);                                                        \
                if (op == RUV_OP_L1)                                                               \
                    s = wasm_i32x4_add(s, wasm_i32x4_extadd_pairwise_i16x8(                        \
                                              wasm_i16x8_abs(wasm_i16x8_sub(x, y))));              \
                else if (op == RUV_OP_L2SQ) {                                                      \
                    v128_t d = wasm_i16x8_sub(x, y);                                               \
                    s = wasm_i32x4_add(s, wasm_i32x4_dot_i16x8(d, d));                             \
                } else {                                                                           \
                    s = wasm_i32x4_add(s, wasm_i32x4_dot_i16x8(x, y));                             \
                    t = wasm_i32x4_add(t, wasm_i32x4_dot_i16x8(x, x));                             \
                    u = wasm_i32x4_add(u, wasm_i32x4_dot_i16x8(y, y));                             \
                }                                                                                  \
            }                                                                                      \
            *r0 += ruv__i32x4_sum(s);                                                              \
            *r1 += ruv__i32x4_sum(t);                                                              \
            *r2 += ruv__i32x4_sum(u);                                                              \
        }                                                                                          \
    }                                                                                              \
    RUV__INT_WRAPPERS(T, wasm128, RUV__NO_TARGET)
RUV__W_INT(i8,
           wasm_i16x8_load8x8) /* ruv__l2sq_i8_wasm128, ruv__dot_i8_wasm128, ruv__l1_i8_wasm128,
                                  ruv__cos_i8_wasm128, ruv__isum_i8_wasm128, ruv__run_i8_wasm128 */
RUV__W_INT(u8,
           wasm_u16x8_load8x8) /* ruv__l2sq_u8_wasm128, ruv__dot_u8_wasm128, ruv__l1_u8_wasm128,
                                  ruv__cos_u8_wasm128, ruv__isum_u8_wasm128, ruv__run_u8_wasm128 */

static void ruv__bits_wasm128(const void *pa, const void *pb, size_t n, int jac, uint64_t *x,
                              uint64_t *an, uint64_t *o) {
    const uint8_t *a = (const uint8_t *)pa, *b = (const uint8_t *)pb;
    v128_t sx = wasm_i32x4_splat(0), sa = sx, so = sx;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v128_t p = wasm_v128_load(a + i), q = wasm_v128_load(b + i);
        if (jac) {
            sa = wasm_i32x4_add(
                sa, wasm_u32x4_extadd_pairwise_u16x8(
                        wasm_u16x8_extadd_pairwise_u8x16(wasm_i8x16_popcnt(wasm_v128_and(p, q)))));
            so = wasm_i32x4_add(
                so, wasm_u32x4_extadd_pairwise_u16x8(
                        wasm_u16x8_extadd_pairwise_u8x16(wasm_i8x16_popcnt(wasm_v128_or(p, q)))));
        } else
            sx = wasm_i32x4_add(
                sx, wasm_u32x4_extadd_pairwise_u16x8(
                        wasm_u16x8_extadd_pairwise_u8x16(wasm_i8x16_popcnt(wasm_v128_xor(p, q)))));
    }
    *x = *an = *o = 0;
    ruv__bits_tail(a, b, i, n, x, an, o);
    *x += ruv__u32x4_sum(sx);
    *an += ruv__u32x4_sum(sa);
    *o += ruv__u32x4_sum(so);
}

RUV__BIN(wasm128, RUV__NO_TARGET) /* ruv__hamming_bin_wasm128, ruv__jaccard_bin_wasm128,
   ruv__hamming_many_wasm128, ruv__jaccard_many_wasm128 */

/* Quantization kernels: f32 x u8 widens 4 bytes per step (u8 -> u16 -> u32 -> f32); the PQ
   table kernels stay portable C. */
RUV__PQLUT_C(wasm128, RUV__NO_TARGET) /* ruv__pq_lut_wasm128 */
RUV__ADC_C(wasm128, RUV__NO_TARGET)   /* ruv__adc_wasm128 */
static float ruv__dot_f32_u8_wasm128(const float *a, const uint8_t *b, size_t n) {
    v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0;
    float t = 0.0f;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint32_t w[2];
        v128_t c;
        memcpy(w, b + i, 8);
        c = wasm_u16x8_extend_low_u8x16(wasm_i32x4_make((int32_t)w[0], (int32_t)w[1], 0, 0));
        s0 = wasm_f32x4_add(
            s0, wasm_f32x4_mul(wasm_v128_load(a + i),
                               wasm_f32x4_convert_u32x4(wasm_u32x4_extend_low_u16x8(c))));
        s1 = wasm_f32x4_add(
            s1, wasm_f32x4_mul(wasm_v128_load(a + i + 4),
                               wasm_f32x4_convert_u32x4(wasm_u32x4_extend_high_u16x8(c))));
    }
    for (; i < n; i++)
        t += a[i] * (float)b[i];
    return ruv__f32x4_sum(wasm_f32x4_add(s0, s1)) + t;
}

/* int16 x u8: 8 bytes widened by the load, i32x4.dot_i16x8_s (exact). */
static int32_t ruv__dot_i16_u8_wasm128(const int16_t *a, const uint8_t *b, size_t n) {
    v128_t s0 = wasm_i32x4_splat(0), s1 = s0;
    int32_t t = 0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = wasm_i32x4_add(s0,
                            wasm_i32x4_dot_i16x8(wasm_v128_load(a + i), wasm_u16x8_load8x8(b + i)));
        s1 = wasm_i32x4_add(
            s1, wasm_i32x4_dot_i16x8(wasm_v128_load(a + i + 8), wasm_u16x8_load8x8(b + i + 8)));
    }
    if (i + 8 <= n) {
        s0 = wasm_i32x4_add(s0,
                            wasm_i32x4_dot_i16x8(wasm_v128_load(a + i), wasm_u16x8_load8x8(b + i)));
        i += 8;
    }
    for (; i < n; i++)
        t += (int32_t)a[i] * b[i];
    s0 = wasm_i32x4_add(s0, s1);
    return wasm_i32x4_extract_lane(s0, 0) + wasm_i32x4_extract_lane(s0, 1) +
           wasm_i32x4_extract_lane(s0, 2) + wasm_i32x4_extract_lane(s0, 3) + t;
}

static void ruv__fill_wasm(ruv_kernels *k, ruv_isa isa) {
    if (isa != RUV_ISA_WASM128)
        return;
    RUV__FILL(k, f32, RUV_DTYPE_F32, wasm128);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, wasm128);
    RUV__FILL(k, i8, RUV_DTYPE_I8, wasm128);
    RUV__FILL(k, u8, RUV_DTYPE_U8, wasm128);
    RUV__FILL_BIN(k, wasm128);
    RUV__FILL_QUANT(k, wasm128);
}
#endif /* RUV__HAS_WASM */
/************** End of src/simd/wasm.h ************************************************************/
/************** Begin file src/simd/x86.h *********************************************************/
/* x86-64: the target attributes of the four x86 ISAs (AVX2+FMA+F16C; AVX-512 F/BW/VL/DQ; + VNNI,
   VPOPCNTDQ; + BF16), and CPU detection by cpuid and XGETBV. Kernels: src/simd/x86_avx2.h and
   src/simd/x86_avx512.h (which also holds the table). */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_X86

/* GCC 12's AVX-512 intrinsics trip a false -Wuninitialized in C++ at -O2 (GCC PR105593): the
   kernel files turn those warnings off between RUV__X86_BEGIN and RUV__X86_END. */
#if defined(__GNUC__) && !defined(__clang__)
#define RUV__X86_BEGIN                                                                             \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")           \
        _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
#define RUV__X86_END _Pragma("GCC diagnostic pop")
#else
#define RUV__X86_BEGIN
#define RUV__X86_END
#endif

#define RUV__T_AVX2 RUV__TARGET("avx2,fma,f16c,popcnt")
#if RUV__MSVC
#define RUV__INLINE __forceinline
#else
#define RUV__INLINE __attribute__((always_inline)) inline
#endif
#define RUV__T_AVX512 RUV__TARGET("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq")
#define RUV__T_AVX512_ICE                                                                          \
    RUV__TARGET("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vpopcntdq")
#define RUV__T_AVX512_BF16                                                                         \
    RUV__TARGET("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vpopcntdq,"     \
                "avx512bf16")

/* r = eax, ebx, ecx, edx of cpuid(leaf, sub). */
static void ruv__cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
#if RUV__MSVC || defined(RUV__X86_INTRINSIC_CPUID)
    int v[4];
    __cpuidex(v, (int)leaf, (int)sub);
    r[0] = (unsigned)v[0], r[1] = (unsigned)v[1], r[2] = (unsigned)v[2], r[3] = (unsigned)v[3];
#else
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

/* XCR0: the register state the OS saves. Only called once cpuid reports OSXSAVE. */
#if RUV__MSVC || defined(RUV__X86_INTRINSIC_CPUID)
RUV__TARGET("xsave") static uint64_t ruv__xgetbv0(void) { return (uint64_t)_xgetbv(0); }
#else
static uint64_t ruv__xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}
#endif

/* cpuid feature bits, checked against XCR0 so that state the OS does not save is never used. */
static ruv_isa ruv__x86_best(void) {
    unsigned r[4], l1[4], l7[4], a71 = 0;
    uint64_t xcr0;
    ruv__cpuid(0, 0, r);
    if (r[0] < 7)
        return RUV_ISA_SERIAL;
    ruv__cpuid(1, 0, l1);
    /* ecx: fma (12), popcnt (23), osxsave (27), avx (28), f16c (29) */
    if ((l1[2] & 0x38801000u) != 0x38801000u)
        return RUV_ISA_SERIAL;
    xcr0 = ruv__xgetbv0();
    if ((xcr0 & 6u) != 6u)
        return RUV_ISA_SERIAL;
    ruv__cpuid(7, 0, l7);
    if (l7[0] >= 1) {
        ruv__cpuid(7, 1, r);
        a71 = r[0];
    }
    if (!(l7[1] & (1u << 5))) /* ebx: avx2 */
        return RUV_ISA_SERIAL;
    /* ebx: avx512 f (16), dq (17), bw (30), vl (31); opmask + zmm state */
    if ((l7[1] & 0xC0030000u) != 0xC0030000u || (xcr0 & 0xE0u) != 0xE0u)
        return RUV_ISA_AVX2;
    if (!(l7[2] & (1u << 11)) || !(l7[2] & (1u << 14))) /* ecx: vnni, vpopcntdq */
        return RUV_ISA_AVX512;
    return (a71 & (1u << 5)) ? RUV_ISA_AVX512_BF16 : RUV_ISA_AVX512_ICE;
}

#endif /* RUV__HAS_X86 */
/************** End of src/simd/x86.h *************************************************************/
/************** Begin file src/simd/x86_avx2.h ****************************************************/
/* AVX2 + FMA + F16C kernels (Haswell and later). */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_X86
RUV__X86_BEGIN

/* ---- AVX2 --------------------------------------------------------------------------------- */
RUV__T_AVX2 static float ruv__hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

RUV__T_AVX2 static int64_t ruv__hsum8i(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    int32_t t[4];
    _mm_storeu_si128((__m128i *)(void *)t, s);
    return (int64_t)t[0] + t[1] + t[2] + t[3];
}

/* Sum of the 4 unsigned 64-bit lanes. */
RUV__T_AVX2 static uint64_t ruv__hsum4u64(__m256i v) {
    __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return (uint64_t)_mm_cvtsi128_si64(s) + (uint64_t)_mm_extract_epi64(s, 1);
}

/* Sum of the 8 lanes, for sums known to fit in 32 bits. */
RUV__T_AVX2 static int32_t ruv__hsum8i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

/* 8 elements from p (already offset) as 8 floats. */
#define RUV__A2_F32(p) _mm256_loadu_ps((const float *)(const void *)(p))
#define RUV__A2_F16(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(p)))
#define RUV__A2_BF16(p)                                                                            \
    _mm256_castsi256_ps(_mm256_slli_epi32(                                                         \
        _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p))), 16))

/* Floating kernels: 32 elements per iteration in 4 accumulators; the tail (< 8 elements) is
   copied into zeroed buffers, which add nothing to any of the sums. ES = element size. */
#define RUV__A2_FLOAT(T, ES, LD)                                                                   \
    RUV__T_AVX2 static void ruv__acc_##T##_avx2(const unsigned char *a, const unsigned char *b,    \
                                                size_t n, int op, __m256 *r0, __m256 *r1,          \
                                                __m256 *r2) {                                      \
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, u0 = s0,     \
               u1 = s0;                                                                            \
        const __m256 sign = _mm256_set1_ps(-0.0f);                                                 \
        unsigned char ta[8 * ES], tb[8 * ES];                                                      \
        size_t i = 0;                                                                              \
        if (op == RUV_OP_COS) {                                                                    \
            for (; i + 16 <= n; i += 16) {                                                         \
                __m256 x = LD(a + i * ES), y = LD(b + i * ES);                                     \
                __m256 x1 = LD(a + (i + 8) * ES), y1 = LD(b + (i + 8) * ES);                       \
                s0 = _mm256_fmadd_ps(x, y, s0);                                                    \
                t0 = _mm256_fmadd_ps(x, x, t0);                                                    \
                u0 = _mm256_fmadd_ps(y, y, u0);                                                    \
                s2 = _mm256_fmadd_ps(x1, y1, s2);                                                  \
                t1 = _mm256_fmadd_ps(x1, x1, t1);                                                  \
                u1 = _mm256_fmadd_ps(y1, y1, u1);                                                  \
            }                                                                                      \
        } else {                                                                                   \
            for (; i + 32 <= n; i += 32) {                                                         \
                __m256 x0 = LD(a + i * ES), y0 = LD(b + i * ES);                                   \
                __m256 x1 = LD(a + (i + 8) * ES), y1 = LD(b + (i + 8) * ES);                       \
                __m256 x2 = LD(a + (i + 16) * ES), y2 = LD(b + (i + 16) * ES);                     \
                __m256 x3 = LD(a + (i + 24) * ES), y3 = LD(b + (i + 24) * ES);                     \
                if (op == RUV_OP_DOT) {                                                            \
                    s0 = _mm256_fmadd_ps(x0, y0, s0);                                              \
                    s1 = _mm256_fmadd_ps(x1, y1, s1);                                              \
                    s2 = _mm256_fmadd_ps(x2, y2, s2);                                              \
                    s3 = _mm256_fmadd_ps(x3, y3, s3);                                              \
                } else if (op == RUV_OP_L2SQ) {                                                    \
                    x0 = _mm256_sub_ps(x0, y0), x1 = _mm256_sub_ps(x1, y1);                        \
                    x2 = _mm256_sub_ps(x2, y2), x3 = _mm256_sub_ps(x3, y3);                        \
                    s0 = _mm256_fmadd_ps(x0, x0, s0);                                              \
                    s1 = _mm256_fmadd_ps(x1, x1, s1);                                              \
                    s2 = _mm256_fmadd_ps(x2, x2, s2);                                              \
                    s3 = _mm256_fmadd_ps(x3, x3, s3);                                              \
                } else {                                                                           \
                    s0 = _mm256_add_ps(s0, _mm256_andnot_ps(sign, _mm256_sub_ps(x0, y0)));         \
                    s1 = _mm256_add_ps(s1, _mm256_andnot_ps(sign, _mm256_sub_ps(x1, y1)));         \
                    s2 = _mm256_add_ps(s2, _mm256_andnot_ps(sign, _mm256_sub_ps(x2, y2)));         \
                    s3 = _mm256_add_ps(s3, _mm256_andnot_ps(sign, _mm256_sub_ps(x3, y3)));         \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (; i < n; i += 8) {                                                                    \
            const unsigned char *pa = a + i * ES, *pb = b + i * ES;                                \
            __m256 x, y;                                                                           \
            if (n - i < 8) {                                                                       \
                ruv__pad_tail(ta, tb, pa, pb, (n - i) * ES, sizeof ta);                            \
                pa = ta, pb = tb;                                                                  \
            }                                                                                      \
            x = LD(pa), y = LD(pb);                                                                \
            if (op == RUV_OP_DOT || op == RUV_OP_COS) {                                            \
                t1 = _mm256_fmadd_ps(x, x, t1);                                                    \
                u1 = _mm256_fmadd_ps(y, y, u1);                                                    \
                s1 = _mm256_fmadd_ps(x, y, s1);                                                    \
            } else if (op == RUV_OP_L2SQ) {                                                        \
                x = _mm256_sub_ps(x, y);                                                           \
                s1 = _mm256_fmadd_ps(x, x, s1);                                                    \
            } else                                                                                 \
                s1 = _mm256_add_ps(s1, _mm256_andnot_ps(sign, _mm256_sub_ps(x, y)));               \
        }                                                                                          \
        *r0 = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));                         \
        *r1 = _mm256_add_ps(t0, t1);                                                               \
        *r2 = _mm256_add_ps(u0, u1);                                                               \
    }                                                                                              \
    RUV__FLOAT_WRAPPERS(T, avx2, RUV__T_AVX2, __m256, ruv__hsum8)
RUV__A2_FLOAT(f32, 4, RUV__A2_F32) /* ruv__l2sq_f32_avx2, ruv__dot_f32_avx2, ruv__l1_f32_avx2,
                                      ruv__cos_f32_avx2, ruv__acc_f32_avx2, ruv__run_f32_avx2 */
RUV__A2_FLOAT(f16, 2, RUV__A2_F16) /* ruv__l2sq_f16_avx2, ruv__dot_f16_avx2, ruv__l1_f16_avx2,
                                      ruv__cos_f16_avx2, ruv__acc_f16_avx2, ruv__run_f16_avx2 */
RUV__A2_FLOAT(bf16, 2,
              RUV__A2_BF16) /* ruv__l2sq_bf16_avx2, ruv__dot_bf16_avx2, ruv__l1_bf16_avx2,
                               ruv__cos_bf16_avx2, ruv__acc_bf16_avx2, ruv__run_bf16_avx2 */

/* Integer kernels (i8, u8): 16 values widened to i16, products summed in i32 by madd; L1 by
   sad_epu8 (i8 shifted by 128 first, which keeps every difference). Sums are flushed to 64 bits
   every RUV__IBLOCK values, so nothing overflows. */
#define RUV__A2_INT(T, WIDEN, FLIP)                                                                \
    RUV__T_AVX2 static void ruv__isum_##T##_avx2(const void *pa, const void *pb, size_t n, int op, \
                                                 int64_t *r0, int64_t *r1, int64_t *r2) {          \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        const __m128i flip = _mm_set1_epi8((char)(FLIP));                                          \
        unsigned char ta[16], tb[16];                                                              \
        size_t i = 0;                                                                              \
        *r0 = *r1 = *r2 = 0;                                                                       \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            __m256i s = _mm256_setzero_si256(), t = s, u = s;                                      \
            for (; i < end; i += 16) {                                                             \
                const unsigned char *p = a + i, *q = b + i;                                        \
                __m128i x8, y8;                                                                    \
                if (end - i < 16) {                                                                \
                    ruv__pad_tail(ta, tb, p, q, end - i, sizeof ta);                               \
                    p = ta, q = tb;                                                                \
                    i = end - 16; /* the loop step lands exactly on end */                         \
                }                                                                                  \
                x8 = _mm_loadu_si128((const __m128i *)(const void *)p);                            \
                y8 = _mm_loadu_si128((const __m128i *)(const void *)q);                            \
                if (op == RUV_OP_L1) {                                                             \
                    __m128i d = _mm_sad_epu8(_mm_xor_si128(x8, flip), _mm_xor_si128(y8, flip));    \
                    s = _mm256_add_epi64(s, _mm256_cvtepu32_epi64(d));                             \
                } else {                                                                           \
                    __m256i x = WIDEN(x8), y = WIDEN(y8);                                          \
                    if (op == RUV_OP_L2SQ) {                                                       \
                        __m256i d = _mm256_sub_epi16(x, y);                                        \
                        s = _mm256_add_epi32(s, _mm256_madd_epi16(d, d));                          \
                    } else {                                                                       \
                        s = _mm256_add_epi32(s, _mm256_madd_epi16(x, y));                          \
                        if (op == RUV_OP_COS) {                                                    \
                            t = _mm256_add_epi32(t, _mm256_madd_epi16(x, x));                      \
                            u = _mm256_add_epi32(u, _mm256_madd_epi16(y, y));                      \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
            if (op == RUV_OP_L1) {                                                                 \
                int64_t w[4];                                                                      \
                _mm256_storeu_si256((__m256i *)(void *)w, s);                                      \
                *r0 += w[0] + w[1] + w[2] + w[3];                                                  \
            } else {                                                                               \
                *r0 += ruv__hsum8i(s);                                                             \
                *r1 += ruv__hsum8i(t);                                                             \
                *r2 += ruv__hsum8i(u);                                                             \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    RUV__INT_WRAPPERS_L1_COS(T, avx2, RUV__T_AVX2)
RUV__A2_INT(i8, _mm256_cvtepi8_epi16,
            0x80) /* ruv__l1_i8_avx2, ruv__cos_i8_avx2, ruv__isum_i8_avx2, ruv__run_i8_avx2 */
RUV__A2_INT(u8, _mm256_cvtepu8_epi16,
            0x00) /* ruv__l1_u8_avx2, ruv__cos_u8_avx2, ruv__isum_u8_avx2, ruv__run_u8_avx2 */

/* Dedicated dot and l2sq loops (the hot ones): 32 bytes per step, split by SPLIT into the even
   and odd bytes of each 16-bit word, widened to i16 by shifts and masks (which run on more ports
   than unpacking shuffles; both inputs get the same split, so the lane order does not matter),
   multiplied pairwise and summed into i32 by madd. l2sq squares |a - b|, exact in 8 bits as
   max - min (wrapping). The tail goes through the generic loop above. */
#define RUV__A2_SPLIT_I8(x, lo, hi)                                                                \
    lo = _mm256_srai_epi16(_mm256_slli_epi16(x, 8), 8), hi = _mm256_srai_epi16(x, 8)
#define RUV__A2_SPLIT_U8(x, lo, hi)                                                                \
    lo = _mm256_and_si256(x, _mm256_set1_epi16(0xFF)), hi = _mm256_srli_epi16(x, 8)
#define RUV__A2_L2STEP(i, MAX, MIN, S0, S1)                                                        \
    {                                                                                              \
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(a + i));                    \
        __m256i y = _mm256_loadu_si256((const __m256i *)(const void *)(b + i));                    \
        __m256i d = _mm256_sub_epi8(MAX(x, y), MIN(x, y)), dl, dh;                                 \
        RUV__A2_SPLIT_U8(d, dl, dh);                                                               \
        S0 = _mm256_add_epi32(S0, _mm256_madd_epi16(dl, dl));                                      \
        S1 = _mm256_add_epi32(S1, _mm256_madd_epi16(dh, dh));                                      \
    }
#define RUV__A2_DOTSTEP(i, SPLIT, S0, S1)                                                          \
    {                                                                                              \
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(a + i));                    \
        __m256i y = _mm256_loadu_si256((const __m256i *)(const void *)(b + i));                    \
        __m256i xl, xh, yl, yh;                                                                    \
        SPLIT(x, xl, xh);                                                                          \
        SPLIT(y, yl, yh);                                                                          \
        S0 = _mm256_add_epi32(S0, _mm256_madd_epi16(xl, yl));                                      \
        S1 = _mm256_add_epi32(S1, _mm256_madd_epi16(xh, yh));                                      \
    }
#define RUV__A2_DL(T, CT, SPLIT, MAX, MIN)                                                         \
    RUV__T_AVX2 RUV__INLINE static int64_t ruv__dl_##T##_avx2(                                     \
        const unsigned char *a, const unsigned char *b, size_t n, int l2) {                        \
        int64_t total = 0;                                                                         \
        size_t i = 0;                                                                              \
        while (n - i >= 32) {                                                                      \
            size_t end = i + ((n - i) / 32 * 32 < RUV__IBLOCK ? (n - i) / 32 * 32 : RUV__IBLOCK);  \
            __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;                        \
            if (l2) /* two loops, so that neither tests l2 per iteration */                        \
                for (; i < end; i += 32) {                                                         \
                    RUV__A2_L2STEP(i, MAX, MIN, s0, s1)                                            \
                    if ((i += 32) == end)                                                          \
                        break;                                                                     \
                    RUV__A2_L2STEP(i, MAX, MIN, s2, s3)                                            \
                }                                                                                  \
            else                                                                                   \
                for (; i < end; i += 32) {                                                         \
                    RUV__A2_DOTSTEP(i, SPLIT, s0, s1)                                              \
                    if ((i += 32) == end)                                                          \
                        break;                                                                     \
                    RUV__A2_DOTSTEP(i, SPLIT, s2, s3)                                              \
                }                                                                                  \
            i = end;                                                                               \
            /* a block's sum fits in 32 bits: |sum| <= RUV__IBLOCK * 255 * 255 < 2^31 */           \
            total += ruv__hsum8i32(                                                                \
                _mm256_add_epi32(_mm256_add_epi32(s0, s1), _mm256_add_epi32(s2, s3)));             \
        }                                                                                          \
        for (; i < n; i++) { /* the tail, < 32 values */                                           \
            int64_t x = (CT)a[i], y = (CT)b[i];                                                    \
            total += l2 ? (x - y) * (x - y) : x * y;                                               \
        }                                                                                          \
        return total;                                                                              \
    }                                                                                              \
    RUV__T_AVX2 static float ruv__dot_##T##_avx2(const void *a, const void *b, size_t n) {         \
        return (float)ruv__dl_##T##_avx2((const unsigned char *)a, (const unsigned char *)b, n,    \
                                         0);                                                       \
    }                                                                                              \
    RUV__T_AVX2 static float ruv__l2sq_##T##_avx2(const void *a, const void *b, size_t n) {        \
        return (float)ruv__dl_##T##_avx2((const unsigned char *)a, (const unsigned char *)b, n,    \
                                         1);                                                       \
    }
RUV__A2_DL(i8, int8_t, RUV__A2_SPLIT_I8, _mm256_max_epi8,
           _mm256_min_epi8) /* ruv__dot_i8_avx2, ruv__l2sq_i8_avx2, ruv__dl_i8_avx2 */
RUV__A2_DL(u8, uint8_t, RUV__A2_SPLIT_U8, _mm256_max_epu8,
           _mm256_min_epu8) /* ruv__dot_u8_avx2, ruv__l2sq_u8_avx2, ruv__dl_u8_avx2 */

/* Binary: popcount by nibble lookup (vpshufb), bytes summed with sad_epu8. */
RUV__T_AVX2 static __m256i ruv__popcnt_bytes_avx2(__m256i v) {
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2,
                                         1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0F);
    __m256i lo = _mm256_shuffle_epi8(lut, _mm256_and_si256(v, low));
    __m256i hi = _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(v, 4), low));
    return _mm256_sad_epu8(_mm256_add_epi8(lo, hi), _mm256_setzero_si256());
}

RUV__T_AVX2 RUV__INLINE static void ruv__bits_avx2(const void *pa, const void *pb, size_t n,
                                                   int jac, uint64_t *x, uint64_t *an,
                                                   uint64_t *o) {
    const uint8_t *a = (const uint8_t *)pa, *b = (const uint8_t *)pb;
    __m256i sx = _mm256_setzero_si256(), sa = sx, so = sx;
    size_t i = 0;
    uint64_t tx = 0, ta = 0, to = 0;
    /* below 96 bytes, 64-bit words with popcnt are faster than the lookup */
    for (; n >= 96 && i + 32 <= n; i += 32) {
        __m256i p = _mm256_loadu_si256((const __m256i *)(const void *)(a + i));
        __m256i q = _mm256_loadu_si256((const __m256i *)(const void *)(b + i));
        if (jac) {
            sa = _mm256_add_epi64(sa, ruv__popcnt_bytes_avx2(_mm256_and_si256(p, q)));
            so = _mm256_add_epi64(so, ruv__popcnt_bytes_avx2(_mm256_or_si256(p, q)));
        } else
            sx = _mm256_add_epi64(sx, ruv__popcnt_bytes_avx2(_mm256_xor_si256(p, q)));
    }
    for (; i < n; i += 8) { /* tail: 64-bit words with popcnt, the last one zero-padded */
        uint64_t p = 0, q = 0;
        if (n - i >= 8) {
            memcpy(&p, a + i, 8);
            memcpy(&q, b + i, 8);
        } else {
            size_t j;
            for (j = 0; j < n - i; j++) {
                p |= (uint64_t)a[i + j] << (8 * j);
                q |= (uint64_t)b[i + j] << (8 * j);
            }
        }
        if (jac) {
            ta += (uint64_t)_mm_popcnt_u64(p & q);
            to += (uint64_t)_mm_popcnt_u64(p | q);
        } else
            tx += (uint64_t)_mm_popcnt_u64(p ^ q);
    }
    *x = tx, *an = ta, *o = to;
    if (n >= 96) {
        if (jac) {
            *an += ruv__hsum4u64(sa);
            *o += ruv__hsum4u64(so);
        } else
            *x += ruv__hsum4u64(sx);
    }
}

RUV__BIN(avx2, RUV__T_AVX2) /* ruv__hamming_bin_avx2, ruv__jaccard_bin_avx2, ruv__hamming_many_avx2,
   ruv__jaccard_many_avx2 */

/* Conversions, 8 at a time; scalar tails. bf16 rounding: add 0x7FFF + lsb, keep NaNs quiet. */
RUV__T_AVX2 static void ruv__f32_to_f16_avx2(const void *src, void *dst, size_t n) {
    const float *s = (const float *)src;
    uint16_t *d = (uint16_t *)dst;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(void *)(d + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT));
    ruv__f32_to_f16_serial(s + i, d + i, n - i);
}

RUV__T_AVX2 static void ruv__f16_to_f32_avx2(const void *src, void *dst, size_t n) {
    const uint16_t *s = (const uint16_t *)src;
    float *d = (float *)dst;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(d + i, RUV__A2_F16(s + i));
    ruv__f16_to_f32_serial(s + i, d + i, n - i);
}

RUV__T_AVX2 static void ruv__f32_to_bf16_avx2(const void *src, void *dst, size_t n) {
    const float *s = (const float *)src;
    uint16_t *d = (uint16_t *)dst;
    const __m256i absm = _mm256_set1_epi32(0x7FFFFFFF), inf = _mm256_set1_epi32(0x7F800000);
    const __m256i bias = _mm256_set1_epi32(0x7FFF), one = _mm256_set1_epi32(1);
    const __m256i quiet = _mm256_set1_epi32(0x40);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i u = _mm256_castps_si256(_mm256_loadu_ps(s + i));
        __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, absm), inf);
        __m256i r = _mm256_add_epi32(
            u, _mm256_add_epi32(bias, _mm256_and_si256(_mm256_srli_epi32(u, 16), one)));
        __m256i q = _mm256_or_si256(_mm256_srli_epi32(u, 16), quiet);
        r = _mm256_blendv_epi8(_mm256_srli_epi32(r, 16), q, nan);
        r = _mm256_permute4x64_epi64(_mm256_packus_epi32(r, r), 0x08);
        _mm_storeu_si128((__m128i *)(void *)(d + i), _mm256_castsi256_si128(r));
    }
    ruv__f32_to_bf16_serial(s + i, d + i, n - i);
}

RUV__T_AVX2 static void ruv__bf16_to_f32_avx2(const void *src, void *dst, size_t n) {
    const uint16_t *s = (const uint16_t *)src;
    float *d = (float *)dst;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(d + i, RUV__A2_BF16(s + i));
    ruv__bf16_to_f32_serial(s + i, d + i, n - i);
}

/* ---- quantization kernels ----------------------------------------------------------------------
 */
RUV__PQLUT_C(avx2, RUV__T_AVX2) /* ruv__pq_lut_avx2 */
RUV__ADC_C(avx2, RUV__T_AVX2)   /* ruv__adc_avx2 */

/* f32 x u8: bytes widened to 32-bit integers, converted, multiplied in; 16 per step in two
   accumulators, the tail (< 8) in scalar code. */
RUV__T_AVX2 static float ruv__dot_f32_u8_avx2(const float *a, const uint8_t *b, size_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0;
    float t = 0.0f;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(c)),
                             s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8),
                             _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(c, 8))), s1);
    }
    for (; i + 8 <= n; i += 8) {
        __m128i c = _mm_loadl_epi64((const __m128i *)(const void *)(b + i));
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(c)),
                             s0);
    }
    for (; i < n; i++)
        t += a[i] * (float)b[i];
    return ruv__hsum8(_mm256_add_ps(s0, s1)) + t;
}

/* Masked loads for the tail: lanes past n are neither read nor counted. */
/* int16 x u8 dot products: bytes widened to 16 bits, pairs multiplied and summed into 32-bit
   lanes (vpmaddwd: exact, as every byte is below 2^15). */
RUV__T_AVX2 static int32_t ruv__dot_i16_u8_avx2(const int16_t *a, const uint8_t *b, size_t n) {
    __m256i s0 = _mm256_setzero_si256(), s1 = s0;
    int32_t t = 0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i c0 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(b + i)));
        __m256i c1 =
            _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(b + i + 16)));
        s0 = _mm256_add_epi32(
            s0, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(a + i)), c0));
        s1 = _mm256_add_epi32(
            s1,
            _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(a + i + 16)), c1));
    }
    if (i + 16 <= n) {
        __m256i c = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(b + i)));
        s0 = _mm256_add_epi32(
            s0, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(a + i)), c));
        i += 16;
    }
    for (; i < n; i++)
        t += (int32_t)a[i] * b[i];
    return ruv__hsum8i32(_mm256_add_epi32(s0, s1)) + t;
}

RUV__X86_END
#endif /* RUV__HAS_X86 */
/************** End of src/simd/x86_avx2.h ********************************************************/
/************** Begin file src/simd/x86_avx512.h **************************************************/
/* AVX-512 kernels: F/BW/VL/DQ (Skylake-X), + VNNI and VPOPCNTDQ (Ice Lake, Zen 4), + BF16
   (Sapphire Rapids, Zen 4); the AVX2 and AVX-512 quantization kernels; the x86 kernel table. */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_X86
RUV__X86_BEGIN

RUV__T_AVX512 static float ruv__hsum16(__m512 v) {
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v),
                             _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    return ruv__hsum8(h);
}

RUV__T_AVX512 static int64_t ruv__hsum16i(__m512i v) {
    return ruv__hsum8i(
        _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1)));
}

/* 16 elements at p; masked versions load only the lanes of m (others zero). */
#define RUV__A5_F32(p) _mm512_loadu_ps((const void *)(p))
#define RUV__A5M_F32(p, m) _mm512_maskz_loadu_ps(m, (const void *)(p))
#define RUV__A5_F16(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(const void *)(p)))
#define RUV__A5M_F16(p, m) _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, (const void *)(p)))
#define RUV__A5_BF16(p)                                                                            \
    _mm512_castsi512_ps(_mm512_slli_epi32(                                                         \
        _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(p))), 16))
#define RUV__A5M_BF16(p, m)                                                                        \
    _mm512_castsi512_ps(_mm512_slli_epi32(                                                         \
        _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, (const void *)(p))), 16))

/* Elements of size ES before p reaches a 64-byte boundary, for vectors long enough to gain from
   it (0 otherwise, or when p is not aligned to ES). The integer and binary kernels handle these
   first with a masked step, so that the loads of their main loops never straddle two cache lines
   (both inputs gain when they are equally misaligned, as rows of one array or of one index are).
   Their sums are exact, so the split changes nothing. The floating kernels do not peel: their
   summation order depends on n alone, so a distance has the same bits wherever the vectors lie
   in memory (a loaded index or a view answers bit-identically to the index that was saved). */
#define RUV__HEAD(p, ES, n)                                                                        \
    (((uintptr_t)(p) & ((ES)-1)) || (n) * (ES) < 1024                                              \
         ? (size_t)0                                                                               \
         : ((size_t)(0 - (uintptr_t)(p)) & 63) / (ES))

/* One masked step of a floating kernel: the 16 elements at i + OFF, up to LIM, into the
   accumulators S (and T, U for cosine). */
#define RUV__A5_FSTEP(LDM, ES, LIM, OFF, S, T, U)                                                  \
    {                                                                                              \
        size_t j_ = i + (OFF);                                                                     \
        __mmask16 m = LIM - j_ >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (LIM - j_)) - 1u);   \
        __m512 x = LDM(a + j_ * ES, m), y = LDM(b + j_ * ES, m);                                   \
        if (op == RUV_OP_DOT || op == RUV_OP_COS) {                                                \
            S = _mm512_fmadd_ps(x, y, S);                                                          \
            if (op == RUV_OP_COS) {                                                                \
                T = _mm512_fmadd_ps(x, x, T);                                                      \
                U = _mm512_fmadd_ps(y, y, U);                                                      \
            }                                                                                      \
        } else if (op == RUV_OP_L2SQ) {                                                            \
            x = _mm512_sub_ps(x, y);                                                               \
            S = _mm512_fmadd_ps(x, x, S);                                                          \
        } else                                                                                     \
            S = _mm512_add_ps(S, _mm512_abs_ps(_mm512_sub_ps(x, y)));                              \
    }

/* Floating kernels, 64 elements per iteration in 4 accumulators, masked tail. */
#define RUV__A5_FLOAT(T, ES, LD, LDM)                                                              \
    RUV__T_AVX512 static void ruv__acc_##T##_avx512(const unsigned char *a,                        \
                                                    const unsigned char *b, size_t n, int op,      \
                                                    __m512 *r0, __m512 *r1, __m512 *r2) {          \
        __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, u0 = s0, t1 = s0,     \
               u1 = s0;                                                                            \
        size_t i = 0;                                                                              \
        if (op == RUV_OP_COS) {                                                                    \
            for (; i + 32 <= n; i += 32) {                                                         \
                __m512 x = LD(a + i * ES), y = LD(b + i * ES);                                     \
                __m512 x1 = LD(a + (i + 16) * ES), y1 = LD(b + (i + 16) * ES);                     \
                s0 = _mm512_fmadd_ps(x, y, s0);                                                    \
                t0 = _mm512_fmadd_ps(x, x, t0);                                                    \
                u0 = _mm512_fmadd_ps(y, y, u0);                                                    \
                s2 = _mm512_fmadd_ps(x1, y1, s2);                                                  \
                t1 = _mm512_fmadd_ps(x1, x1, t1);                                                  \
                u1 = _mm512_fmadd_ps(y1, y1, u1);                                                  \
            }                                                                                      \
        } else {                                                                                   \
            for (; i + 64 <= n; i += 64) {                                                         \
                __m512 x0 = LD(a + i * ES), y0 = LD(b + i * ES);                                   \
                __m512 x1 = LD(a + (i + 16) * ES), y1 = LD(b + (i + 16) * ES);                     \
                __m512 x2 = LD(a + (i + 32) * ES), y2 = LD(b + (i + 32) * ES);                     \
                __m512 x3 = LD(a + (i + 48) * ES), y3 = LD(b + (i + 48) * ES);                     \
                if (op == RUV_OP_DOT) {                                                            \
                    s0 = _mm512_fmadd_ps(x0, y0, s0);                                              \
                    s1 = _mm512_fmadd_ps(x1, y1, s1);                                              \
                    s2 = _mm512_fmadd_ps(x2, y2, s2);                                              \
                    s3 = _mm512_fmadd_ps(x3, y3, s3);                                              \
                } else if (op == RUV_OP_L2SQ) {                                                    \
                    x0 = _mm512_sub_ps(x0, y0), x1 = _mm512_sub_ps(x1, y1);                        \
                    x2 = _mm512_sub_ps(x2, y2), x3 = _mm512_sub_ps(x3, y3);                        \
                    s0 = _mm512_fmadd_ps(x0, x0, s0);                                              \
                    s1 = _mm512_fmadd_ps(x1, x1, s1);                                              \
                    s2 = _mm512_fmadd_ps(x2, x2, s2);                                              \
                    s3 = _mm512_fmadd_ps(x3, x3, s3);                                              \
                } else {                                                                           \
                    s0 = _mm512_add_ps(s0, _mm512_abs_ps(_mm512_sub_ps(x0, y0)));                  \
                    s1 = _mm512_add_ps(s1, _mm512_abs_ps(_mm512_sub_ps(x1, y1)));                  \
                    s2 = _mm512_add_ps(s2, _mm512_abs_ps(_mm512_sub_ps(x2, y2)));                  \
                    s3 = _mm512_add_ps(s3, _mm512_abs_ps(_mm512_sub_ps(x3, y3)));                  \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (; i + 32 <= n; i += 32) { /* the tail: two chains, then at most two masked steps */   \
            RUV__A5_FSTEP(LDM, ES, n, 0, s1, t0, u0)                                               \
            RUV__A5_FSTEP(LDM, ES, n, 16, s2, t1, u1)                                              \
        }                                                                                          \
        for (; i < n; i += 16)                                                                     \
            RUV__A5_FSTEP(LDM, ES, n, 0, s3, t1, u1)                                               \
        *r0 = _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3));                         \
        *r1 = _mm512_add_ps(t0, t1);                                                               \
        *r2 = _mm512_add_ps(u0, u1);                                                               \
    }                                                                                              \
    RUV__FLOAT_WRAPPERS(T, avx512, RUV__T_AVX512, __m512, ruv__hsum16)
RUV__A5_FLOAT(f32, 4, RUV__A5_F32,
              RUV__A5M_F32) /* ruv__l2sq_f32_avx512, ruv__dot_f32_avx512, ruv__l1_f32_avx512,
                               ruv__cos_f32_avx512, ruv__acc_f32_avx512, ruv__run_f32_avx512 */
RUV__A5_FLOAT(f16, 2, RUV__A5_F16,
              RUV__A5M_F16) /* ruv__l2sq_f16_avx512, ruv__dot_f16_avx512, ruv__l1_f16_avx512,
                               ruv__cos_f16_avx512, ruv__acc_f16_avx512, ruv__run_f16_avx512 */
RUV__A5_FLOAT(bf16, 2, RUV__A5_BF16,
              RUV__A5M_BF16) /* ruv__l2sq_bf16_avx512, ruv__dot_bf16_avx512, ruv__l1_bf16_avx512,
                                ruv__cos_bf16_avx512, ruv__acc_bf16_avx512, ruv__run_bf16_avx512 */

/* Integer kernels, 32 values per step widened to i16. MADD(acc, x, y) adds the pairwise i16
   products into i32 lanes: madd+add on plain AVX-512, one vpdpwssd with VNNI. */
#define RUV__MADD_512(acc, x, y) _mm512_add_epi32(acc, _mm512_madd_epi16(x, y))
#define RUV__MADD_VNNI(acc, x, y) _mm512_dpwssd_epi32(acc, x, y)
#define RUV__A5_INT(T, I, TGT, WIDEN, FLIP, MADD)                                                  \
    TGT static void ruv__isum_##T##_##I(const void *pa, const void *pb, size_t n, int op,          \
                                        int64_t *r0, int64_t *r1, int64_t *r2) {                   \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        const __m256i flip = _mm256_set1_epi8((char)(FLIP));                                       \
        size_t i = 0;                                                                              \
        *r0 = *r1 = *r2 = 0;                                                                       \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            __m512i s = _mm512_setzero_si512(), s2 = s, t = s, u = s;                              \
            for (; i < end; i += 32) {                                                             \
                __mmask32 m = end - i >= 32 ? 0xFFFFFFFFu : (__mmask32)((1u << (end - i)) - 1u);   \
                __m256i x8 = _mm256_maskz_loadu_epi8(m, a + i);                                    \
                __m256i y8 = _mm256_maskz_loadu_epi8(m, b + i);                                    \
                if (op == RUV_OP_L1) {                                                             \
                    __m256i d =                                                                    \
                        _mm256_sad_epu8(_mm256_xor_si256(x8, flip), _mm256_xor_si256(y8, flip));   \
                    s = _mm512_add_epi64(s, _mm512_cvtepu32_epi64(d));                             \
                } else {                                                                           \
                    __m512i x = WIDEN(x8), y = WIDEN(y8);                                          \
                    if (op == RUV_OP_L2SQ) {                                                       \
                        __m512i d = _mm512_sub_epi16(x, y);                                        \
                        if (i & 32)                                                                \
                            s2 = MADD(s2, d, d);                                                   \
                        else                                                                       \
                            s = MADD(s, d, d);                                                     \
                    } else if (op == RUV_OP_DOT) {                                                 \
                        if (i & 32)                                                                \
                            s2 = MADD(s2, x, y);                                                   \
                        else                                                                       \
                            s = MADD(s, x, y);                                                     \
                    } else {                                                                       \
                        s = MADD(s, x, y);                                                         \
                        t = MADD(t, x, x);                                                         \
                        u = MADD(u, y, y);                                                         \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
            if (op == RUV_OP_L1) {                                                                 \
                *r0 += _mm512_reduce_add_epi64(s);                                                 \
            } else {                                                                               \
                *r0 += ruv__hsum16i(_mm512_add_epi32(s, s2));                                      \
                *r1 += ruv__hsum16i(t);                                                            \
                *r2 += ruv__hsum16i(u);                                                            \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    RUV__INT_WRAPPERS_L1_COS(T, I, TGT)
RUV__A5_INT(i8, avx512, RUV__T_AVX512, _mm512_cvtepi8_epi16, 0x80,
            RUV__MADD_512) /* ruv__l1_i8_avx512, ruv__cos_i8_avx512, ruv__isum_i8_avx512,
                              ruv__run_i8_avx512 */
RUV__A5_INT(u8, avx512, RUV__T_AVX512, _mm512_cvtepu8_epi16, 0x00,
            RUV__MADD_512) /* ruv__l1_u8_avx512, ruv__cos_u8_avx512, ruv__isum_u8_avx512,
                              ruv__run_u8_avx512 */
RUV__A5_INT(i8, avx512_ice, RUV__T_AVX512_ICE, _mm512_cvtepi8_epi16, 0x80,
            RUV__MADD_VNNI) /* ruv__l1_i8_avx512_ice, ruv__cos_i8_avx512_ice,
                               ruv__isum_i8_avx512_ice, ruv__run_i8_avx512_ice */
RUV__A5_INT(u8, avx512_ice, RUV__T_AVX512_ICE, _mm512_cvtepu8_epi16, 0x00,
            RUV__MADD_VNNI) /* ruv__l1_u8_avx512_ice, ruv__cos_u8_avx512_ice,
                               ruv__isum_u8_avx512_ice, ruv__run_u8_avx512_ice */

/* Dedicated dot loop without VNNI: 128 values per iteration widened to i16 in four accumulators
   (hides the madd latency); the tail goes through the generic loop. */
#define RUV__A5_L16(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define RUV__A5_DOT(T, WIDEN)                                                                      \
    RUV__T_AVX512 static float ruv__dot_##T##_avx512(const void *pa, const void *pb, size_t n) {   \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        int64_t total = 0, t1, t2, t3;                                                             \
        size_t i = RUV__HEAD(a, 1, n);                                                             \
        if (i) {                                                                                   \
            ruv__isum_##T##_avx512(a, b, i, RUV_OP_DOT, &total, &t2, &t3);                         \
        }                                                                                          \
        while (n - i >= 128) {                                                                     \
            size_t end =                                                                           \
                i + ((n - i) / 128 * 128 < RUV__IBLOCK ? (n - i) / 128 * 128 : RUV__IBLOCK);       \
            __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;                        \
            for (; i < end; i += 128) {                                                            \
                s0 = RUV__MADD_512(s0, WIDEN(RUV__A5_L16(a + i)), WIDEN(RUV__A5_L16(b + i)));      \
                s1 = RUV__MADD_512(s1, WIDEN(RUV__A5_L16(a + i + 32)),                             \
                                   WIDEN(RUV__A5_L16(b + i + 32)));                                \
                s2 = RUV__MADD_512(s2, WIDEN(RUV__A5_L16(a + i + 64)),                             \
                                   WIDEN(RUV__A5_L16(b + i + 64)));                                \
                s3 = RUV__MADD_512(s3, WIDEN(RUV__A5_L16(a + i + 96)),                             \
                                   WIDEN(RUV__A5_L16(b + i + 96)));                                \
            }                                                                                      \
            total +=                                                                               \
                ruv__hsum16i(_mm512_add_epi32(s0, s1)) + ruv__hsum16i(_mm512_add_epi32(s2, s3));   \
        }                                                                                          \
        if (i < n) { /* the tail */                                                                \
            ruv__isum_##T##_avx512(a + i, b + i, n - i, RUV_OP_DOT, &t1, &t2, &t3);                \
            total += t1;                                                                           \
        }                                                                                          \
        return (float)total;                                                                       \
    }
RUV__A5_DOT(i8, _mm512_cvtepi8_epi16) /* ruv__dot_i8_avx512 */
RUV__A5_DOT(u8, _mm512_cvtepu8_epi16) /* ruv__dot_u8_avx512 */

/* l2sq via |a - b|, exact in 8 bits for two i8 or two u8 values (max - min, wrapping), widened
   by unpacking against zero and squared by MADD: fewer shuffles than widening both inputs. */
#define RUV__A5_L2(T, I, TGT, MAX, MIN, MADD)                                                      \
    TGT static float ruv__l2sq_##T##_##I(const void *pa, const void *pb, size_t n) {               \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        const __m512i z = _mm512_setzero_si512();                                                  \
        int64_t total = 0, t1, t2, t3;                                                             \
        size_t i = RUV__HEAD(a, 1, n);                                                             \
        if (i) { /* the head: one masked step (lanes past it load as 0 in both) */                 \
            __mmask64 m = ((__mmask64)1 << i) - 1;                                                 \
            __m512i x = _mm512_maskz_loadu_epi8(m, a), y = _mm512_maskz_loadu_epi8(m, b);          \
            __m512i d = _mm512_sub_epi8(MAX(x, y), MIN(x, y));                                     \
            __m512i l = _mm512_unpacklo_epi8(d, z), h = _mm512_unpackhi_epi8(d, z);                \
            total = ruv__hsum16i(MADD(MADD(z, l, l), h, h));                                       \
        }                                                                                          \
        while (n - i >= 128) {                                                                     \
            size_t end =                                                                           \
                i + ((n - i) / 128 * 128 < RUV__IBLOCK ? (n - i) / 128 * 128 : RUV__IBLOCK);       \
            __m512i s0 = z, s1 = z, s2 = z, s3 = z;                                                \
            for (; i < end; i += 128) {                                                            \
                __m512i x0 = _mm512_loadu_si512(a + i), y0 = _mm512_loadu_si512(b + i);            \
                __m512i x1 = _mm512_loadu_si512(a + i + 64), y1 = _mm512_loadu_si512(b + i + 64);  \
                __m512i d0 = _mm512_sub_epi8(MAX(x0, y0), MIN(x0, y0));                            \
                __m512i d1 = _mm512_sub_epi8(MAX(x1, y1), MIN(x1, y1));                            \
                __m512i l0 = _mm512_unpacklo_epi8(d0, z), h0 = _mm512_unpackhi_epi8(d0, z);        \
                __m512i l1 = _mm512_unpacklo_epi8(d1, z), h1 = _mm512_unpackhi_epi8(d1, z);        \
                s0 = MADD(s0, l0, l0);                                                             \
                s1 = MADD(s1, h0, h0);                                                             \
                s2 = MADD(s2, l1, l1);                                                             \
                s3 = MADD(s3, h1, h1);                                                             \
            }                                                                                      \
            total +=                                                                               \
                ruv__hsum16i(_mm512_add_epi32(s0, s1)) + ruv__hsum16i(_mm512_add_epi32(s2, s3));   \
        }                                                                                          \
        if (i < n) { /* the tail */                                                                \
            ruv__isum_##T##_##I(a + i, b + i, n - i, RUV_OP_L2SQ, &t1, &t2, &t3);                  \
            total += t1;                                                                           \
        }                                                                                          \
        return (float)total;                                                                       \
    }
RUV__A5_L2(i8, avx512, RUV__T_AVX512, _mm512_max_epi8, _mm512_min_epi8,
           RUV__MADD_512) /* ruv__l2sq_i8_avx512 */
RUV__A5_L2(u8, avx512, RUV__T_AVX512, _mm512_max_epu8, _mm512_min_epu8,
           RUV__MADD_512) /* ruv__l2sq_u8_avx512 */
RUV__A5_L2(i8, avx512_ice, RUV__T_AVX512_ICE, _mm512_max_epi8, _mm512_min_epi8,
           RUV__MADD_VNNI) /* ruv__l2sq_i8_avx512_ice */
RUV__A5_L2(u8, avx512_ice, RUV__T_AVX512_ICE, _mm512_max_epu8, _mm512_min_epu8,
           RUV__MADD_VNNI) /* ruv__l2sq_u8_avx512_ice */

/* Dot with vpdpbusd (u8 x s8, 4 products per 32-bit lane). i8 x i8: (a + 128) is a u8, and
   sum (a + 128) b = sum ab + 128 sum b. u8 x u8: (b - 128) is an s8, and sum a (b - 128) =
   sum ab - 128 sum a. The correction sums come from a second vpdpbusd against ones. Masked-off
   lanes load as 0 and add nothing. Exact; flushed every RUV__IBLOCK values. */
#define RUV__A5_VNNI_DOT(T, FIRST, SECOND, CORR, SIGN)                                             \
    RUV__T_AVX512_ICE static float ruv__dot_##T##_avx512_ice(const void *pa, const void *pb,       \
                                                             size_t n) {                           \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        const __m512i flip = _mm512_set1_epi8((char)0x80), ones = _mm512_set1_epi8(1);             \
        int64_t total = 0;                                                                         \
        size_t i = 0, h = RUV__HEAD(a, 1, n);                                                      \
        while (i < n) { /* the first block is the head, if any */                                  \
            size_t end = h ? h : n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                        \
            __m512i s0 = _mm512_setzero_si512(), s1 = s0, c0 = s0, c1 = s0;                        \
            h = 0;                                                                                 \
            for (; i + 128 <= end; i += 128) {                                                     \
                __m512i x0 = _mm512_loadu_si512(a + i), y0 = _mm512_loadu_si512(b + i);            \
                __m512i x1 = _mm512_loadu_si512(a + i + 64), y1 = _mm512_loadu_si512(b + i + 64);  \
                s0 = _mm512_dpbusd_epi32(s0, FIRST(x0, flip), SECOND(y0, flip));                   \
                s1 = _mm512_dpbusd_epi32(s1, FIRST(x1, flip), SECOND(y1, flip));                   \
                c0 = CORR(c0, x0, y0, ones);                                                       \
                c1 = CORR(c1, x1, y1, ones);                                                       \
            }                                                                                      \
            for (; i < end; i += 64) {                                                             \
                __mmask64 m = end - i >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (end - i)) - 1);   \
                __m512i x = _mm512_maskz_loadu_epi8(m, a + i),                                     \
                        y = _mm512_maskz_loadu_epi8(m, b + i);                                     \
                s0 = _mm512_dpbusd_epi32(s0, FIRST(x, flip), SECOND(y, flip));                     \
                c0 = CORR(c0, x, y, ones);                                                         \
            }                                                                                      \
            i = end;                                                                               \
            total += ruv__hsum16i(_mm512_add_epi32(s0, s1)) SIGN 128 *                             \
                     ruv__hsum16i(_mm512_add_epi32(c0, c1));                                       \
        }                                                                                          \
        return (float)total;                                                                       \
    }
#define RUV__XOR(x, f) _mm512_xor_si512(x, f)
#define RUV__SAME(x, f) (x)
#define RUV__SUM_B(c, x, y, ones) _mm512_dpbusd_epi32(c, ones, y)
#define RUV__SUM_A(c, x, y, ones) _mm512_dpbusd_epi32(c, x, ones)
RUV__A5_VNNI_DOT(i8, RUV__XOR, RUV__SAME, RUV__SUM_B, -) /* ruv__dot_i8_avx512_ice */
RUV__A5_VNNI_DOT(u8, RUV__SAME, RUV__XOR, RUV__SUM_A, +) /* ruv__dot_u8_avx512_ice */

/* Cosine with vpdpbusd, the same offsets as the dot: U(x) is the u8 form of x and S(x) the s8
   form (i8: U = x ^ 0x80 = x + 128, S = x; u8: U = x, S = x ^ 0x80 = x - 128), so that
   sum U(x) S(y) = sum xy + SIGN 128 sum (i8: y; u8: x); the offsets are taken off in the lanes
   (sums of 64-value steps of one block stay far inside int32), leaving three reductions per
   block. Five vpdpbusd per 64 values (ab, aa, bb and the two plain sums via ONES) against six
   vpdpwssd and four widenings in the generic loop. Exact; the result as ruv__cos_finish. */
#define RUV__A5_VNNI_COS(T, U, S, SUMV, CORR, AB)                                                  \
    RUV__T_AVX512_ICE static float ruv__cosv_##T##_avx512_ice(const void *pa, const void *pb,      \
                                                              size_t n) {                          \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        const __m512i flip = _mm512_set1_epi8((char)0x80), ones = _mm512_set1_epi8(1);             \
        int64_t ab = 0, aa = 0, bb = 0;                                                            \
        size_t i = 0;                                                                              \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            __m512i s = _mm512_setzero_si512(), t = s, u = s, ca = s, cb = s, s2 = s, t2 = s,      \
                    u2 = s;                                                                        \
            for (; i + 128 <= end; i += 128) { /* two chains of each sum */                        \
                __m512i x = _mm512_loadu_si512(a + i), y = _mm512_loadu_si512(b + i);              \
                __m512i x1 = _mm512_loadu_si512(a + i + 64), y1 = _mm512_loadu_si512(b + i + 64);  \
                s = _mm512_dpbusd_epi32(s, U(x, flip), S(y, flip));                                \
                t = _mm512_dpbusd_epi32(t, U(x, flip), S(x, flip));                                \
                u = _mm512_dpbusd_epi32(u, U(y, flip), S(y, flip));                                \
                s2 = _mm512_dpbusd_epi32(s2, U(x1, flip), S(y1, flip));                            \
                t2 = _mm512_dpbusd_epi32(t2, U(x1, flip), S(x1, flip));                            \
                u2 = _mm512_dpbusd_epi32(u2, U(y1, flip), S(y1, flip));                            \
                ca = SUMV(SUMV(ca, x, ones), x1, ones);                                            \
                cb = SUMV(SUMV(cb, y, ones), y1, ones);                                            \
            }                                                                                      \
            s = _mm512_add_epi32(s, s2);                                                           \
            t = _mm512_add_epi32(t, t2);                                                           \
            u = _mm512_add_epi32(u, u2);                                                           \
            for (; i < end; i += 64) {                                                             \
                __mmask64 m = end - i >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (end - i)) - 1);   \
                __m512i x = _mm512_maskz_loadu_epi8(m, a + i);                                     \
                __m512i y = _mm512_maskz_loadu_epi8(m, b + i);                                     \
                s = _mm512_dpbusd_epi32(s, U(x, flip), S(y, flip));                                \
                t = _mm512_dpbusd_epi32(t, U(x, flip), S(x, flip));                                \
                u = _mm512_dpbusd_epi32(u, U(y, flip), S(y, flip));                                \
                ca = SUMV(ca, x, ones);                                                            \
                cb = SUMV(cb, y, ones);                                                            \
            }                                                                                      \
            ca = _mm512_slli_epi32(ca, 7); /* 128 sum x, 128 sum y */                              \
            cb = _mm512_slli_epi32(cb, 7);                                                         \
            ab += ruv__hsum16i(CORR(s, AB));                                                       \
            aa += ruv__hsum16i(CORR(t, ca));                                                       \
            bb += ruv__hsum16i(CORR(u, cb));                                                       \
        }                                                                                          \
        return ruv__cos_finish((double)ab, (double)aa, (double)bb);                                \
    }
#define RUV__SUM_S8(c, x, ones) _mm512_dpbusd_epi32(c, ones, x) /* sum of x as s8 */
#define RUV__SUM_U8(c, x, ones) _mm512_dpbusd_epi32(c, x, ones) /* sum of x as u8 */
RUV__A5_VNNI_COS(i8, RUV__XOR, RUV__SAME, RUV__SUM_S8, _mm512_sub_epi32,
                 cb) /* ruv__cosv_i8_avx512_ice */
RUV__A5_VNNI_COS(u8, RUV__SAME, RUV__XOR, RUV__SUM_U8, _mm512_add_epi32,
                 ca) /* ruv__cosv_u8_avx512_ice */

/* Binary: nibble-lookup popcount on plain AVX-512, vpopcntq with VPOPCNTDQ. */
RUV__T_AVX512 static __m512i ruv__popcnt_avx512(__m512i v) {
    const __m512i lut = _mm512_set4_epi32(0x04030302, 0x03020201, 0x03020201, 0x02010100);
    const __m512i low = _mm512_set1_epi8(0x0F);
    __m512i lo = _mm512_shuffle_epi8(lut, _mm512_and_si512(v, low));
    __m512i hi = _mm512_shuffle_epi8(lut, _mm512_and_si512(_mm512_srli_epi16(v, 4), low));
    return _mm512_sad_epu8(_mm512_add_epi8(lo, hi), _mm512_setzero_si512());
}
RUV__T_AVX512_ICE static __m512i ruv__popcnt_avx512_ice(__m512i v) {
    return _mm512_popcnt_epi64(v);
}

/* One step over 64 bytes p, q into the Hamming (SX) or Jaccard (SA, SO) sums. */
#define RUV__A5_BSTEP(POPCNT, p, q, SX, SA, SO)                                                    \
    if (jac) {                                                                                     \
        SA = _mm512_add_epi64(SA, POPCNT(_mm512_and_si512(p, q)));                                 \
        SO = _mm512_add_epi64(SO, POPCNT(_mm512_or_si512(p, q)));                                  \
    } else                                                                                         \
        SX = _mm512_add_epi64(SX, POPCNT(_mm512_xor_si512(p, q)));
/* Two 64-byte steps per iteration into two sets of sums, then one full and one masked step. */
#define RUV__A5_BIN(I, TGT, POPCNT)                                                                \
    TGT RUV__INLINE static void ruv__bits_##I(const void *pa, const void *pb, size_t n, int jac,   \
                                              uint64_t *x, uint64_t *an, uint64_t *o) {            \
        const uint8_t *a = (const uint8_t *)pa, *b = (const uint8_t *)pb;                          \
        __m512i sx = _mm512_setzero_si512(), sa = sx, so = sx, tx = sx, ta = sx, to = sx, p, q;    \
        size_t i = 0;                                                                              \
        for (; i + 128 <= n; i += 128) {                                                           \
            __m512i p1 = _mm512_loadu_si512(a + i + 64), q1 = _mm512_loadu_si512(b + i + 64);      \
            p = _mm512_loadu_si512(a + i);                                                         \
            q = _mm512_loadu_si512(b + i);                                                         \
            RUV__A5_BSTEP(POPCNT, p, q, sx, sa, so)                                                \
            RUV__A5_BSTEP(POPCNT, p1, q1, tx, ta, to)                                              \
        }                                                                                          \
        if (i + 64 <= n) {                                                                         \
            p = _mm512_loadu_si512(a + i);                                                         \
            q = _mm512_loadu_si512(b + i);                                                         \
            RUV__A5_BSTEP(POPCNT, p, q, sx, sa, so)                                                \
            i += 64;                                                                               \
        }                                                                                          \
        if (i < n) {                                                                               \
            __mmask64 m = ((__mmask64)1 << (n - i)) - 1;                                           \
            p = _mm512_maskz_loadu_epi8(m, a + i);                                                 \
            q = _mm512_maskz_loadu_epi8(m, b + i);                                                 \
            RUV__A5_BSTEP(POPCNT, p, q, tx, ta, to)                                                \
        }                                                                                          \
        sx = _mm512_add_epi64(sx, tx), sa = _mm512_add_epi64(sa, ta);                              \
        so = _mm512_add_epi64(so, to);                                                             \
        *x = *an = *o = 0;                                                                         \
        if (jac) {                                                                                 \
            *an = (uint64_t)_mm512_reduce_add_epi64(sa);                                           \
            *o = (uint64_t)_mm512_reduce_add_epi64(so);                                            \
        } else                                                                                     \
            *x = (uint64_t)_mm512_reduce_add_epi64(sx);                                            \
    }                                                                                              \
    RUV__BIN(I, TGT)                                                                               \
    /* Hamming of one query against codes of up to 64 bytes, 8 codes per step: one masked load     \
       and popcount each, then the 8 sums of 8 lanes by a transposing add tree (3 levels) instead  \
       of 8 reductions; longer codes and the last count % 8 go through the pair kernel. */         \
    TGT static void ruv__hamming_many8_##I(const void *q, const void *base, size_t stride,         \
                                           size_t n, size_t count, float *out) {                   \
        const unsigned char *p = (const unsigned char *)base;                                      \
        size_t i = 0;                                                                              \
        if (n <= 64) {                                                                             \
            __mmask64 m = n == 64 ? ~(__mmask64)0 : ((__mmask64)1 << n) - 1;                       \
            __m512i qv = _mm512_maskz_loadu_epi8(m, q), v[8], s[4], t0, t1, u;                     \
            for (; i + 8 <= count; i += 8, p += 8 * stride) {                                      \
                size_t j;                                                                          \
                for (j = 0; j < 8; j++)                                                            \
                    v[j] =                                                                         \
                        POPCNT(_mm512_xor_si512(qv, _mm512_maskz_loadu_epi8(m, p + j * stride)));  \
                for (j = 0; j < 4; j++) /* 128-bit lane L: (code 2j, code 2j+1) partial sums */    \
                    s[j] = _mm512_add_epi64(_mm512_unpacklo_epi64(v[2 * j], v[2 * j + 1]),         \
                                            _mm512_unpackhi_epi64(v[2 * j], v[2 * j + 1]));        \
                t0 = _mm512_add_epi64(_mm512_shuffle_i64x2(s[0], s[1], 0x88),                      \
                                      _mm512_shuffle_i64x2(s[0], s[1], 0xDD));                     \
                t1 = _mm512_add_epi64(_mm512_shuffle_i64x2(s[2], s[3], 0x88),                      \
                                      _mm512_shuffle_i64x2(s[2], s[3], 0xDD));                     \
                u = _mm512_add_epi64(_mm512_shuffle_i64x2(t0, t1, 0x88),                           \
                                     _mm512_shuffle_i64x2(t0, t1, 0xDD));                          \
                _mm256_storeu_ps(out + i, _mm512_cvtepi64_ps(u));                                  \
            }                                                                                      \
        }                                                                                          \
        ruv__hamming_many_##I(q, p, stride, n, count - i, out + i);                                \
    }
RUV__A5_BIN(
    avx512, RUV__T_AVX512,
    ruv__popcnt_avx512) /* ruv__hamming_bin_avx512, ruv__jaccard_bin_avx512, ruv__bits_avx512 */
RUV__A5_BIN(avx512_ice, RUV__T_AVX512_ICE,
            ruv__popcnt_avx512_ice) /* ruv__hamming_bin_avx512_ice, ruv__jaccard_bin_avx512_ice,
                                       ruv__bits_avx512_ice */

/* bf16 dot and cosine with vdpbf16ps (pairs of bf16 products accumulated in f32). */
RUV__T_AVX512_BF16 static void ruv__bf16dp_avx512_bf16(const void *pa, const void *pb, size_t n,
                                                       int cos, __m512 *ab, __m512 *aa,
                                                       __m512 *bb) {
    const uint16_t *a = (const uint16_t *)pa, *b = (const uint16_t *)pb;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, t = s0, u = s0;
    size_t i = 0;
    for (; i < n; i += 32) {
        __mmask32 m = n - i >= 32 ? 0xFFFFFFFFu : (__mmask32)((1u << (n - i)) - 1u);
        __m512bh x = (__m512bh)_mm512_maskz_loadu_epi16(m, a + i);
        __m512bh y = (__m512bh)_mm512_maskz_loadu_epi16(m, b + i);
        if (cos) {
            s0 = _mm512_dpbf16_ps(s0, x, y);
            t = _mm512_dpbf16_ps(t, x, x);
            u = _mm512_dpbf16_ps(u, y, y);
        } else if (i & 32)
            s1 = _mm512_dpbf16_ps(s1, x, y);
        else
            s0 = _mm512_dpbf16_ps(s0, x, y);
    }
    *ab = _mm512_add_ps(s0, s1);
    *aa = t;
    *bb = u;
}

RUV__T_AVX512_BF16 static float ruv__dot_bf16_avx512_bf16(const void *pa, const void *pb,
                                                          size_t n) {
    const uint16_t *a = (const uint16_t *)pa, *b = (const uint16_t *)pb;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, t, u;
    size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        s0 = _mm512_dpbf16_ps(s0, (__m512bh)_mm512_loadu_si512(a + i),
                              (__m512bh)_mm512_loadu_si512(b + i));
        s1 = _mm512_dpbf16_ps(s1, (__m512bh)_mm512_loadu_si512(a + i + 32),
                              (__m512bh)_mm512_loadu_si512(b + i + 32));
        s2 = _mm512_dpbf16_ps(s2, (__m512bh)_mm512_loadu_si512(a + i + 64),
                              (__m512bh)_mm512_loadu_si512(b + i + 64));
        s3 = _mm512_dpbf16_ps(s3, (__m512bh)_mm512_loadu_si512(a + i + 96),
                              (__m512bh)_mm512_loadu_si512(b + i + 96));
    }
    if (i < n) {
        __m512 r;
        ruv__bf16dp_avx512_bf16(a + i, b + i, n - i, 0, &r, &t, &u);
        s0 = _mm512_add_ps(s0, r);
    }
    return ruv__hsum16(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

RUV__T_AVX512_BF16 static float ruv__cos_bf16_avx512_bf16(const void *a, const void *b, size_t n) {
    __m512 s, t, u;
    ruv__bf16dp_avx512_bf16(a, b, n, 1, &s, &t, &u);
    return ruv__cos_finish(ruv__hsum16(s), ruv__hsum16(t), ruv__hsum16(u));
}

/* Conversions, 16 at a time. */
RUV__T_AVX512 static void ruv__f32_to_f16_avx512(const void *src, void *dst, size_t n) {
    const float *s = (const float *)src;
    uint16_t *d = (uint16_t *)dst;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i *)(void *)(d + i),
                            _mm512_cvtps_ph(_mm512_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT));
    ruv__f32_to_f16_serial(s + i, d + i, n - i);
}

RUV__T_AVX512 static void ruv__f16_to_f32_avx512(const void *src, void *dst, size_t n) {
    const uint16_t *s = (const uint16_t *)src;
    float *d = (float *)dst;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(d + i, RUV__A5_F16(s + i));
    ruv__f16_to_f32_serial(s + i, d + i, n - i);
}

RUV__T_AVX512 static void ruv__f32_to_bf16_avx512(const void *src, void *dst, size_t n) {
    const float *s = (const float *)src;
    uint16_t *d = (uint16_t *)dst;
    const __m512i absm = _mm512_set1_epi32(0x7FFFFFFF), inf = _mm512_set1_epi32(0x7F800000);
    const __m512i bias = _mm512_set1_epi32(0x7FFF), one = _mm512_set1_epi32(1);
    const __m512i quiet = _mm512_set1_epi32(0x40);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i u = _mm512_castps_si512(_mm512_loadu_ps(s + i));
        __mmask16 nan = _mm512_cmpgt_epi32_mask(_mm512_and_si512(u, absm), inf);
        __m512i r = _mm512_add_epi32(
            u, _mm512_add_epi32(bias, _mm512_and_si512(_mm512_srli_epi32(u, 16), one)));
        r = _mm512_mask_blend_epi32(nan, _mm512_srli_epi32(r, 16),
                                    _mm512_or_si512(_mm512_srli_epi32(u, 16), quiet));
        _mm256_storeu_si256((__m256i *)(void *)(d + i), _mm512_cvtepi32_epi16(r));
    }
    ruv__f32_to_bf16_serial(s + i, d + i, n - i);
}

RUV__T_AVX512 static void ruv__bf16_to_f32_avx512(const void *src, void *dst, size_t n) {
    const uint16_t *s = (const uint16_t *)src;
    float *d = (float *)dst;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(d + i, RUV__A5_BF16(s + i));
    ruv__bf16_to_f32_serial(s + i, d + i, n - i);
}

/* ---- quantization kernels ------------------------------------------------------------------ */
RUV__PQLUT_C(avx512, RUV__T_AVX512) /* ruv__pq_lut_avx512 */

RUV__T_AVX512 static int32_t ruv__dot_i16_u8_avx512(const int16_t *a, const uint8_t *b, size_t n) {
    __m512i s0 = _mm512_setzero_si512(), s1 = s0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i c0 =
            _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(b + i)));
        __m512i c1 =
            _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(b + i + 32)));
        s0 = _mm512_add_epi32(s0, _mm512_madd_epi16(_mm512_loadu_si512((const void *)(a + i)), c0));
        s1 = _mm512_add_epi32(
            s1, _mm512_madd_epi16(_mm512_loadu_si512((const void *)(a + i + 32)), c1));
    }
    if (i + 32 <= n) {
        __m512i c =
            _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(b + i)));
        s0 = _mm512_add_epi32(s0, _mm512_madd_epi16(_mm512_loadu_si512((const void *)(a + i)), c));
        i += 32;
    }
    /* the tail 16 at a time: a masked load still touches every cache line its full width spans,
       so a wider one would reach past the code into a line nothing else needs (a miss per call
       on an HNSW slot arena) */
    for (; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m256i c = _mm256_cvtepu8_epi16(_mm_maskz_loadu_epi8(k, b + i));
        s1 = _mm512_add_epi32(
            s1, _mm512_zextsi256_si512(_mm256_madd_epi16(_mm256_maskz_loadu_epi16(k, a + i), c)));
    }
    return _mm512_reduce_add_epi32(_mm512_add_epi32(s0, s1));
}

RUV__T_AVX512 static float ruv__dot_f32_u8_avx512(const float *a, const uint8_t *b, size_t n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512i c0 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(const void *)(b + i)));
        __m512i c1 =
            _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(const void *)(b + i + 16)));
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_cvtepi32_ps(c0), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_cvtepi32_ps(c1), s1);
    }
    for (; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512i c = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(k, b + i));
        s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, a + i), _mm512_cvtepi32_ps(c), s0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

/* PQ distance with 16 table look-ups per gather: code j indexes row j of the table. */
RUV__T_AVX512 static float ruv__adc_avx512(const float *lut, const uint8_t *code, size_t m) {
    const __m512i row =
        _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                           _mm512_set1_epi32(256));
    __m512 s = _mm512_setzero_ps();
    size_t j = 0;
    for (; j < m; j += 16) {
        __mmask16 k = m - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (m - j)) - 1u);
        __m512i c = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(k, code + j));
        s = _mm512_add_ps(s, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), k,
                                                      _mm512_add_epi32(c, row), lut + j * 256, 4));
    }
    return _mm512_reduce_add_ps(s);
}

RUV__X86_END

static void ruv__fill_x86(ruv_kernels *k, ruv_isa isa) {
    if (isa < RUV_ISA_AVX2 || isa > RUV_ISA_AVX512_BF16)
        return;
    RUV__FILL(k, f32, RUV_DTYPE_F32, avx2);
    RUV__FILL(k, f16, RUV_DTYPE_F16, avx2);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, avx2);
    RUV__FILL(k, i8, RUV_DTYPE_I8, avx2);
    RUV__FILL(k, u8, RUV_DTYPE_U8, avx2);
    RUV__FILL_BIN(k, avx2);
    k->f32_to_f16 = ruv__f32_to_f16_avx2;
    k->f16_to_f32 = ruv__f16_to_f32_avx2;
    k->f32_to_bf16 = ruv__f32_to_bf16_avx2;
    k->bf16_to_f32 = ruv__bf16_to_f32_avx2;
    k->dot_f32_u8 = ruv__dot_f32_u8_avx2;
    k->dot_i16_u8 = ruv__dot_i16_u8_avx2;
    k->pq_lut = ruv__pq_lut_avx2;
    k->adc = ruv__adc_avx2;
    if (isa == RUV_ISA_AVX2)
        return;
    RUV__FILL(k, f32, RUV_DTYPE_F32, avx512);
    RUV__FILL(k, f16, RUV_DTYPE_F16, avx512);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, avx512);
    RUV__FILL(k, i8, RUV_DTYPE_I8, avx512);
    RUV__FILL(k, u8, RUV_DTYPE_U8, avx512);
    RUV__FILL_BIN(k, avx512);
    k->hamming_many = ruv__hamming_many8_avx512;
    k->f32_to_f16 = ruv__f32_to_f16_avx512;
    k->f16_to_f32 = ruv__f16_to_f32_avx512;
    k->f32_to_bf16 = ruv__f32_to_bf16_avx512;
    k->bf16_to_f32 = ruv__bf16_to_f32_avx512;
    RUV__FILL_QUANT(k, avx512);
    if (isa == RUV_ISA_AVX512)
        return;
    RUV__FILL(k, i8, RUV_DTYPE_I8, avx512_ice);
    RUV__FILL(k, u8, RUV_DTYPE_U8, avx512_ice);
    k->fn[RUV_OP_COS][RUV_DTYPE_I8] = ruv__cosv_i8_avx512_ice;
    k->fn[RUV_OP_COS][RUV_DTYPE_U8] = ruv__cosv_u8_avx512_ice;
    RUV__FILL_BIN(k, avx512_ice);
    k->hamming_many = ruv__hamming_many8_avx512_ice;
    if (isa == RUV_ISA_AVX512_ICE)
        return;
    k->fn[RUV_OP_DOT][RUV_DTYPE_BF16] = ruv__dot_bf16_avx512_bf16;
    k->fn[RUV_OP_COS][RUV_DTYPE_BF16] = ruv__cos_bf16_avx512_bf16;
}

#endif /* RUV__HAS_X86 */
/************** End of src/simd/x86_avx512.h ******************************************************/
/************** Begin file src/simd/dispatch.h ****************************************************/
/* ISA names, run-time choice of the best ISA, and the kernel table of an ISA. Closes the
   kernels' implementation section (opened in src/simd/detect.h). */
#ifdef RUV__SIMD_IMPL

RUVDEF const char *ruv_isa_name(ruv_isa isa) {
    static const char *const names[RUV_ISA_COUNT] = {
        "auto", "serial", "avx2", "avx512", "avx512_ice", "avx512_bf16", "neon", "sve", "wasm128"};
    return (unsigned)isa < (unsigned)RUV_ISA_COUNT ? names[isa] : "?";
}

RUVDEF const char *ruv_dtype_name(ruv_dtype t) {
    static const char *const names[RUV_DTYPE_COUNT] = {"f32", "f16", "bf16", "i8", "u8", "bin"};
    return (unsigned)t < (unsigned)RUV_DTYPE_COUNT ? names[t] : "?";
}

RUVDEF const char *ruv_op_name(ruv_op op) {
    static const char *const names[RUV_OP_COUNT] = {"l2sq", "dot",     "cos",
                                                    "l1",   "hamming", "jaccard"};
    return (unsigned)op < (unsigned)RUV_OP_COUNT ? names[op] : "?";
}

RUVDEF ruv_isa ruv_isa_best(void) {
#if RUV__HAS_X86
    return ruv__x86_best();
#elif RUV__HAS_NEON
    return ruv__arm_best();
#elif RUV__HAS_WASM
    return RUV_ISA_WASM128;
#else
    return RUV_ISA_SERIAL;
#endif
}

RUVDEF int ruv_isa_available(ruv_isa isa) {
    ruv_isa best;
    if (isa == RUV_ISA_AUTO || isa == RUV_ISA_SERIAL)
        return 1;
    best = ruv_isa_best();
    if (isa >= RUV_ISA_AVX2 && isa <= RUV_ISA_AVX512_BF16)
        return best >= RUV_ISA_AVX2 && best <= RUV_ISA_AVX512_BF16 && isa <= best;
    if (isa == RUV_ISA_NEON)
        return best == RUV_ISA_NEON || best == RUV_ISA_SVE;
    return isa == best;
}

RUVDEF int ruv_kernels_init(ruv_isa isa, ruv_kernels *out) {
    ruv_kernels k;
    if (isa == RUV_ISA_AUTO)
        isa = ruv_isa_best();
    if (!out || (unsigned)isa >= (unsigned)RUV_ISA_COUNT || !ruv_isa_available(isa))
        return 0;
    ruv__fill_serial(&k);
#if RUV__HAS_X86
    ruv__fill_x86(&k, isa);
#endif
#if RUV__HAS_NEON
    ruv__fill_arm(&k, isa);
#endif
#if RUV__HAS_WASM
    ruv__fill_wasm(&k, isa);
#endif
    k.isa = isa;
    *out = k;
    return 1;
}

#undef RUV__SIMD_IMPL
#endif /* RUV__SIMD_IMPL */
/************** End of src/simd/dispatch.h ********************************************************/
/************** Begin file src/core.h *************************************************************/
/* The implementation section: compiled where RUVECTOR_IMPLEMENTATION is defined, once per
   translation unit. RUV__IMPL is defined while its files are read (src/core.h to src/file.h, which
   undefines it). This file: platform headers and switches, the allocator with byte accounting,
   float checks, little-endian field access and XXH64. */
#if defined(RUVECTOR_IMPLEMENTATION) && !defined(RUV__IMPL_DONE)
#define RUV__IMPL_DONE
#define RUV__IMPL 1
#endif
#ifdef RUV__IMPL

#include <math.h>
#include <string.h>
#ifndef RUV_NO_STDIO
#include <stdio.h>
#if defined(_WIN32)
#include <io.h>
#include <windows.h>
#elif defined(__unix__) || defined(__APPLE__) || defined(__EMSCRIPTEN__)
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#define RUV__POSIX_IO 1
#endif
#endif

#if !defined(RUV_NO_THREADS) && (defined(__unix__) || defined(__APPLE__)) &&                       \
    !defined(__EMSCRIPTEN__)
#include <pthread.h>
#define RUV__THREADS 1
#else
#define RUV__THREADS 0
#endif

#if defined(RUV_MALLOC) != defined(RUV_FREE)
#error "define both RUV_MALLOC and RUV_FREE, or neither"
#endif
#include <stdlib.h> /* qsort; malloc and free unless RUV_MALLOC / RUV_FREE are given */
#ifndef RUV_MALLOC
#define RUV_MALLOC(sz, ctx) ((void)(ctx), malloc(sz))
#define RUV_FREE(p, ctx) ((void)(ctx), free(p))
#endif
#ifndef RUV_ASSERT
#include <assert.h>
#define RUV_ASSERT(x) assert(x)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RUV__PREFETCH(p) __builtin_prefetch((const void *)(p), 0, 3)
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <xmmintrin.h>
#define RUV__PREFETCH(p) _mm_prefetch((const char *)(const void *)(p), _MM_HINT_T0)
#else
#define RUV__PREFETCH(p) ((void)(p))
#endif

/* Starts the cache lines of p[from..to) loading, one prefetch per 64 bytes. */
static void ruv__prefetch_span(const void *p, size_t from, size_t to) {
    size_t b;
    for (b = from; b < to; b += 64)
        RUV__PREFETCH((const unsigned char *)p + b);
    (void)p;
}

#define RUV__NONE 0xFFFFFFFFu     /* empty slot in the key table, "no node" */
#define RUV__EXPANDED 0x80000000u /* candidate-list flag: neighbours already visited */
#define RUV__ALIGN 64u
#define RUV__MAX_LEVEL 31

/* ---- memory ---------------------------------------------------------------------------------- */
/* Every allocation goes through these, which count bytes into *used. */
typedef struct ruv__mem {
    ruv_allocator a;
    size_t used;
} ruv__mem;

static void *ruv__mem_default_alloc(void *user, size_t size) {
    (void)user;
    return RUV_MALLOC(size, user);
}
static void ruv__mem_default_free(void *user, void *p, size_t size) {
    (void)size;
    (void)user;
    RUV_FREE(p, user);
}

/* A counter over the allocator a (all-NULL: RUV_MALLOC / RUV_FREE), nothing counted yet. */
static void ruv__mem_init(ruv__mem *m, ruv_allocator a) {
    m->a = a;
    if (!m->a.alloc) {
        m->a.alloc = ruv__mem_default_alloc;
        m->a.free = ruv__mem_default_free;
    }
    m->used = 0;
}

static void *ruv__mem_alloc(ruv__mem *m, size_t size) {
    void *p;
    if (size == 0)
        size = 1;
    /* no object may exceed PTRDIFF_MAX (pointer differences within it would overflow), and on
       32-bit targets allocators take sizes above it for negative heap increments (Emscripten's
       sbrk: a 2.6 GB request shrank the heap) */
    if (size > (size_t)PTRDIFF_MAX)
        return NULL;
    p = m->a.alloc(m->a.user, size);
    if (p)
        m->used += size;
    return p;
}

static void ruv__mem_free(ruv__mem *m, void *p, size_t size) {
    if (!p)
        return;
    if (size == 0)
        size = 1;
    m->a.free(m->a.user, p, size);
    m->used -= size;
}

/* 64-byte aligned block: the raw pointer is stored just below the aligned address. */
static void *ruv__mem_alloc_aligned(ruv__mem *m, size_t size) {
    unsigned char *raw, *p;
    if (size > (size_t)-1 - RUV__ALIGN - sizeof(void *))
        return NULL;
    raw = (unsigned char *)ruv__mem_alloc(m, size + RUV__ALIGN + sizeof(void *));
    if (!raw)
        return NULL;
    p = raw + sizeof(void *);
    p += (RUV__ALIGN - (size_t)((uintptr_t)p % RUV__ALIGN)) % RUV__ALIGN;
    memcpy(p - sizeof(void *), &raw, sizeof(void *));
    return p;
}

static void ruv__mem_free_aligned(ruv__mem *m, void *p, size_t size) {
    unsigned char *raw;
    if (!p)
        return;
    memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof(void *));
    ruv__mem_free(m, raw, size + RUV__ALIGN + sizeof(void *));
}

/* a * b, or 0 with *ok cleared on overflow. */
static size_t ruv__size_mul(size_t a, size_t b, int *ok) {
    if (a != 0 && b > (size_t)-1 / a) {
        *ok = 0;
        return 0;
    }
    return a * b;
}

/* ---- values ---------------------------------------------------------------------------------- */
static int ruv__f32_finite(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x7F800000u) != 0x7F800000u;
}

/* The largest float below x, for finite x > 0. */
static float ruv__f32_prev(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    u--;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Whether v[0..n-1] are all finite: one pass without an early exit, an OR of exponent tests
   that compilers vectorise (a query's check costs a few percent of a fast search). */
static int ruv__vec_finite(const float *v, size_t n) {
    size_t i;
    uint32_t bad = 0;
    for (i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, v + i, sizeof u);
        bad |= (uint32_t)((u & 0x7F800000u) == 0x7F800000u);
    }
    return !bad;
}

/* dst = src / |src| (norm in double); all-zero stays all-zero. */
static void ruv__vec_normalize(float *dst, const float *src, size_t n) {
    double s = 0.0, inv;
    size_t i;
    for (i = 0; i < n; i++)
        s += (double)src[i] * (double)src[i];
    inv = s > 0.0 ? 1.0 / sqrt(s) : 0.0;
    for (i = 0; i < n; i++)
        dst[i] = (float)((double)src[i] * inv);
}

/* splitmix64: seeds and hashes. */
static uint64_t ruv__hash_mix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* ---- locks ----------------------------------------------------------------------------------- */
/* One writer and many readers (see CONCURRENCY in the documentation): a writer mutex that
   serialises the index's writers, and a reader-writer lock that the writer holds exclusively only
   while it publishes a change. The lock prefers the writer: once it waits, new readers wait too,
   so a stream of searches cannot starve it (and a reader waits at most for one publication). Made
   of a POSIX mutex and two condition variables: every hand-over is a mutex acquire / release,
   which orders all memory accesses before it (no atomics needed). RUV_NO_THREADS builds, WASM and
   non-POSIX targets have no locks at all. */
#if RUV__THREADS
typedef struct ruv__rwlock {
    pthread_mutex_t w;     /* serialises writers */
    pthread_mutex_t m;     /* guards the fields below */
    pthread_cond_t rd, wr; /* readers wait for the writer to leave; the writer for readers */
    size_t readers;        /* threads holding the lock shared */
    int writer, waiting;   /* exclusive holder present; writers waiting for readers to leave */
    int ok;                /* initialised */
} ruv__rwlock;

/* 0 on success; on failure nothing is left to destroy. */
static int ruv__rw_init(ruv__rwlock *l) {
    memset(l, 0, sizeof *l);
    if (pthread_mutex_init(&l->w, NULL))
        return -1;
    if (pthread_mutex_init(&l->m, NULL)) {
        pthread_mutex_destroy(&l->w);
        return -1;
    }
    if (pthread_cond_init(&l->rd, NULL)) {
        pthread_mutex_destroy(&l->m);
        pthread_mutex_destroy(&l->w);
        return -1;
    }
    if (pthread_cond_init(&l->wr, NULL)) {
        pthread_cond_destroy(&l->rd);
        pthread_mutex_destroy(&l->m);
        pthread_mutex_destroy(&l->w);
        return -1;
    }
    l->ok = 1;
    return 0;
}

static void ruv__rw_destroy(ruv__rwlock *l) {
    if (!l->ok)
        return;
    pthread_cond_destroy(&l->wr);
    pthread_cond_destroy(&l->rd);
    pthread_mutex_destroy(&l->m);
    pthread_mutex_destroy(&l->w);
    l->ok = 0;
}

static void ruv__rw_shared(ruv__rwlock *l) {
    pthread_mutex_lock(&l->m);
    while (l->writer || l->waiting)
        pthread_cond_wait(&l->rd, &l->m);
    l->readers++;
    pthread_mutex_unlock(&l->m);
}

static void ruv__rw_shared_end(ruv__rwlock *l) {
    pthread_mutex_lock(&l->m);
    if (--l->readers == 0 && l->waiting)
        pthread_cond_signal(&l->wr);
    pthread_mutex_unlock(&l->m);
}

static void ruv__rw_excl(ruv__rwlock *l) {
    pthread_mutex_lock(&l->m);
    l->waiting++;
    while (l->writer || l->readers)
        pthread_cond_wait(&l->wr, &l->m);
    l->waiting--;
    l->writer = 1;
    pthread_mutex_unlock(&l->m);
}

static void ruv__rw_excl_end(ruv__rwlock *l) {
    pthread_mutex_lock(&l->m);
    l->writer = 0;
    if (l->waiting)
        pthread_cond_signal(&l->wr);
    else
        pthread_cond_broadcast(&l->rd);
    pthread_mutex_unlock(&l->m);
}

/* The index (or other object) whose lock this thread holds, shared or as its writer: calls made
   from inside a callback of that object (a filter reading metadata, a progress report that
   searches) then take no lock again, which could deadlock behind a waiting writer. */
#if defined(__cplusplus)
static thread_local const void *ruv__tls_held;
static thread_local int ruv__tls_writer, ruv__tls_pin;
#else
static __thread const void *ruv__tls_held;
static __thread int ruv__tls_writer, ruv__tls_pin; /* pin: held by ruv_index_read_begin */
#endif
#endif

/* Runs fn(jobs[0]) on the calling thread and fn(jobs[t]), t = 1..n-1 (n <= 64, each job
   `size` bytes), on threads of their own, then joins them. A thread that cannot start runs no
   job: the jobs must share their work (a counter), so the others do its share. Without threads
   only jobs[0] runs. */
static void ruv__threads_run(void *(*fn)(void *), void *jobs, size_t size, size_t n) {
#if RUV__THREADS
    pthread_t tid[64];
    size_t t, started = 0;
    for (t = 1; t < n && t < 64; t++)
        if (pthread_create(&tid[started], NULL, fn, (char *)jobs + t * size) == 0)
            started++;
    (void)fn(jobs);
    for (t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
#else
    (void)size;
    (void)n;
    (void)fn(jobs);
#endif
}

/* Whether this host stores integers little-endian (saved files and journals need it). */
static int ruv__host_le(void) {
    uint16_t x = 1;
    unsigned char c;
    memcpy(&c, &x, 1);
    return c == 1;
}

/* ---- byte order and XXH64 -------------------------------------------------------------------- */
/* Little-endian field access, independent of the host's byte order. */
static uint32_t ruv__le_rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t ruv__le_rd64(const unsigned char *p) {
    return (uint64_t)ruv__le_rd32(p) | (uint64_t)ruv__le_rd32(p + 4) << 32;
}
static void ruv__le_wr32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}
static void ruv__le_wr64(unsigned char *p, uint64_t v) {
    ruv__le_wr32(p, (uint32_t)v);
    ruv__le_wr32(p + 4, (uint32_t)(v >> 32));
}

/* XXH64 (Yann Collet, xxHash specification, github.com/Cyan4973/xxHash doc/xxhash_spec.md),
   streaming: checksums of the saved format and hashes of string ids. */
#define RUV__XP1 0x9E3779B185EBCA87ull
#define RUV__XP2 0xC2B2AE3D27D4EB4Full
#define RUV__XP3 0x165667B19E3779F9ull
#define RUV__XP4 0x85EBCA77C2B2AE63ull
#define RUV__XP5 0x27D4EB2F165667C5ull

typedef struct ruv__xxh {
    uint64_t v[4], total, seed;
    unsigned char buf[32];
    size_t n; /* bytes in buf */
} ruv__xxh;

static uint64_t ruv__xxh_rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t ruv__xxh_round(uint64_t acc, uint64_t in) {
    return ruv__xxh_rotl64(acc + in * RUV__XP2, 31) * RUV__XP1;
}

static void ruv__xxh_init(ruv__xxh *h, uint64_t seed) {
    memset(h, 0, sizeof *h);
    h->seed = seed;
    h->v[0] = seed + RUV__XP1 + RUV__XP2;
    h->v[1] = seed + RUV__XP2;
    h->v[2] = seed;
    h->v[3] = seed - RUV__XP1;
}

static void ruv__xxh_stripe(uint64_t v[4], const unsigned char *p) {
    v[0] = ruv__xxh_round(v[0], ruv__le_rd64(p));
    v[1] = ruv__xxh_round(v[1], ruv__le_rd64(p + 8));
    v[2] = ruv__xxh_round(v[2], ruv__le_rd64(p + 16));
    v[3] = ruv__xxh_round(v[3], ruv__le_rd64(p + 24));
}

static void ruv__xxh_update(ruv__xxh *h, const void *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    h->total += len;
    if (h->n) {
        size_t t = 32 - h->n < len ? 32 - h->n : len;
        memcpy(h->buf + h->n, p, t);
        h->n += t;
        p += t;
        len -= t;
        if (h->n < 32)
            return;
        ruv__xxh_stripe(h->v, h->buf);
        h->n = 0;
    }
    for (; len >= 32; p += 32, len -= 32)
        ruv__xxh_stripe(h->v, p);
    memcpy(h->buf, p, len);
    h->n = len;
}

static uint64_t ruv__xxh_final(const ruv__xxh *h) {
    const unsigned char *p = h->buf;
    size_t len = h->n, i;
    uint64_t x;
    if (h->total >= 32) {
        x = ruv__xxh_rotl64(h->v[0], 1) + ruv__xxh_rotl64(h->v[1], 7) +
            ruv__xxh_rotl64(h->v[2], 12) + ruv__xxh_rotl64(h->v[3], 18);
        for (i = 0; i < 4; i++)
            x = (x ^ ruv__xxh_round(0, h->v[i])) * RUV__XP1 + RUV__XP4;
    } else {
        x = h->seed + RUV__XP5;
    }
    x += h->total;
    for (; len >= 8; p += 8, len -= 8)
        x = ruv__xxh_rotl64(x ^ ruv__xxh_round(0, ruv__le_rd64(p)), 27) * RUV__XP1 + RUV__XP4;
    if (len >= 4) {
        x = ruv__xxh_rotl64(x ^ (uint64_t)ruv__le_rd32(p) * RUV__XP1, 23) * RUV__XP2 + RUV__XP3;
        p += 4;
        len -= 4;
    }
    for (; len; p++, len--)
        x = ruv__xxh_rotl64(x ^ *p * RUV__XP5, 11) * RUV__XP1;
    x ^= x >> 33;
    x *= RUV__XP2;
    x ^= x >> 29;
    x *= RUV__XP3;
    return x ^ (x >> 32);
}

static uint64_t ruv__xxh64(const void *data, size_t len, uint64_t seed) {
    ruv__xxh h;
    ruv__xxh_init(&h, seed);
    ruv__xxh_update(&h, data, len);
    return ruv__xxh_final(&h);
}

#endif /* RUV__IMPL */
/************** End of src/core.h *****************************************************************/
/************** Begin file src/ctx.h **************************************************************/
/* Search contexts: the scratch memory of one search (visited set, candidate list, prepared
   query). The index owns one for writes and searches without a ctx; callers create more. */
#ifdef RUV__IMPL

/* Candidate: distance and slot (high bit of id = expanded). */
typedef struct ruv__cand {
    float dist;
    uint32_t id;
} ruv__cand;

/* Orders candidates by distance, then slot. */
static int ruv__ctx_cand_cmp(const void *a, const void *b) {
    const ruv__cand *x = (const ruv__cand *)a, *y = (const ruv__cand *)b;
    if (x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

struct ruv_search_ctx {
    ruv__mem mem;
    uint32_t *visited; /* visited[slot] == epoch: seen in this search */
    size_t visited_cap;
    uint32_t epoch;
    ruv__cand *pool; /* sorted candidate list, or the flat top-k heap */
    size_t pool_cap;
    ruv__cand *sel; /* neighbour selection scratch, m0 + 1 */
    uint32_t *ids;  /* unvisited neighbours of the node being expanded, m0 */
    uint32_t *lbuf; /* a neighbour list copied under its lock (multi-threaded build), m0 + 1 */
    size_t sel_cap;
    float *query; /* normalised query (cosine) */
    size_t dim;
    float *qprep, *nprep; /* prepared query and prepared stored vector (ruv__prep), prep_cap */
    float *tmp;           /* 2 x dim floats: decoded / permuted vectors */
    size_t prep_cap;
    float *mmr; /* MMR: distance of each candidate to the closest picked one */
    size_t mmr_cap;
    ruv_cancel_fn cancel; /* the running search's cancel callback, or NULL */
    void *cancel_user;
    uint32_t polls; /* work units since the search started */
    int canceled;   /* cancel returned nonzero */
};

/* Counts one unit of work (a node expansion, a slot scanned): every `every` units (a power of
   two), the cancel callback is asked. Returns 1 once the search is cancelled. */
static int ruv__ctx_cancel(ruv_search_ctx *c, uint32_t every) {
    if (!c->cancel)
        return 0;
    if ((++c->polls & (every - 1)) == 0 && !c->canceled && c->cancel(c->cancel_user))
        c->canceled = 1;
    return c->canceled;
}

/* Grows ctx so that it can search `slots` slots with a list of `pool` candidates and
   neighbour lists of `sel` entries. All or nothing: on RUV_E_NOMEM nothing changed. */
static ruv_result ruv__ctx_reserve(ruv_search_ctx *c, size_t slots, size_t pool, size_t sel) {
    uint32_t *v = NULL, *ids = NULL, *lb = NULL;
    ruv__cand *p = NULL, *s = NULL;
    int ok = 1;
    size_t vb = ruv__size_mul(slots, sizeof *v, &ok), pb = ruv__size_mul(pool, sizeof *p, &ok);
    size_t sb = ruv__size_mul(sel, sizeof *s, &ok), ib = ruv__size_mul(sel, sizeof *ids, &ok);
    if (!ok)
        return RUV_E_NOMEM;
    if (slots > c->visited_cap && !(v = (uint32_t *)ruv__mem_alloc(&c->mem, vb)))
        goto fail;
    if (pool > c->pool_cap && !(p = (ruv__cand *)ruv__mem_alloc(&c->mem, pb)))
        goto fail;
    if (sel > c->sel_cap && (!(s = (ruv__cand *)ruv__mem_alloc(&c->mem, sb)) ||
                             !(ids = (uint32_t *)ruv__mem_alloc(&c->mem, ib)) ||
                             !(lb = (uint32_t *)ruv__mem_alloc(&c->mem, ib))))
        goto fail;
    if (v) {
        memset(v, 0, vb);
        ruv__mem_free(&c->mem, c->visited, c->visited_cap * sizeof *v);
        c->visited = v;
        c->visited_cap = slots;
        c->epoch = 0;
    }
    if (p) {
        ruv__mem_free(&c->mem, c->pool, c->pool_cap * sizeof *p);
        c->pool = p;
        c->pool_cap = pool;
    }
    if (s) {
        ruv__mem_free(&c->mem, c->sel, c->sel_cap * sizeof *s);
        ruv__mem_free(&c->mem, c->ids, c->sel_cap * sizeof *ids);
        ruv__mem_free(&c->mem, c->lbuf, c->sel_cap * sizeof *ids);
        c->sel = s;
        c->ids = ids;
        c->lbuf = lb;
        c->sel_cap = sel;
    }
    return RUV_OK;
fail:
    ruv__mem_free(&c->mem, v, vb);
    ruv__mem_free(&c->mem, p, pb);
    ruv__mem_free(&c->mem, s, sb);
    ruv__mem_free(&c->mem, ids, ib);
    ruv__mem_free(&c->mem, lb, ib);
    return RUV_E_NOMEM;
}

static void ruv__ctx_release(ruv_search_ctx *c) {
    ruv__mem_free(&c->mem, c->visited, c->visited_cap * sizeof *c->visited);
    ruv__mem_free(&c->mem, c->pool, c->pool_cap * sizeof *c->pool);
    ruv__mem_free(&c->mem, c->sel, c->sel_cap * sizeof *c->sel);
    ruv__mem_free(&c->mem, c->ids, c->sel_cap * sizeof *c->ids);
    ruv__mem_free(&c->mem, c->lbuf, c->sel_cap * sizeof *c->lbuf);
    ruv__mem_free(&c->mem, c->query, c->dim * sizeof *c->query);
    ruv__mem_free(&c->mem, c->mmr, c->mmr_cap * sizeof *c->mmr);
    ruv__mem_free(&c->mem, c->qprep, c->prep_cap * sizeof *c->qprep);
    ruv__mem_free(&c->mem, c->nprep, c->prep_cap * sizeof *c->nprep);
    ruv__mem_free(&c->mem, c->tmp, c->tmp ? 2 * c->dim * sizeof *c->tmp : 0);
}

/* Grows the prepared-query buffers to `prep` floats (and allocates tmp once). All or nothing. */
static ruv_result ruv__ctx_prep(ruv_search_ctx *c, size_t prep) {
    float *a = NULL, *b = NULL, *t = NULL;
    size_t bytes = prep * sizeof *a, tb = 2 * c->dim * sizeof *t;
    if (prep > c->prep_cap && (!(a = (float *)ruv__mem_alloc(&c->mem, bytes)) ||
                               !(b = (float *)ruv__mem_alloc(&c->mem, bytes)))) {
        ruv__mem_free(&c->mem, a, bytes);
        return RUV_E_NOMEM;
    }
    if (!c->tmp && !(t = (float *)ruv__mem_alloc(&c->mem, tb))) {
        ruv__mem_free(&c->mem, a, bytes);
        ruv__mem_free(&c->mem, b, bytes);
        return RUV_E_NOMEM;
    }
    if (t)
        c->tmp = t;
    if (a) {
        ruv__mem_free(&c->mem, c->qprep, c->prep_cap * sizeof *a);
        ruv__mem_free(&c->mem, c->nprep, c->prep_cap * sizeof *a);
        c->qprep = a;
        c->nprep = b;
        c->prep_cap = prep;
    }
    return RUV_OK;
}

/* Fresh ctx (struct, query buffer, `prep` floats of prepared-query buffers) from mem; NULL on
   failure. */
static ruv_search_ctx *ruv__ctx_new(ruv__mem *mem, size_t dim, size_t prep) {
    ruv__mem m = *mem;
    ruv_search_ctx *c = (ruv_search_ctx *)ruv__mem_alloc(&m, sizeof *c);
    float *q;
    if (!c)
        return NULL;
    q = (float *)ruv__mem_alloc(&m, dim * sizeof *q);
    if (!q) {
        ruv__mem_free(&m, c, sizeof *c);
        return NULL;
    }
    memset(c, 0, sizeof *c);
    c->mem.a = m.a;
    c->mem.used = sizeof *c + dim * sizeof *q;
    c->query = q;
    c->dim = dim;
    if (ruv__ctx_prep(c, prep) != RUV_OK) {
        ruv__ctx_release(c);
        ruv__mem_free(&m, c, sizeof *c);
        return NULL;
    }
    return c;
}

/* Starts a new visited generation. */
static void ruv__ctx_next_epoch(ruv_search_ctx *c) {
    if (++c->epoch == 0) {
        memset(c->visited, 0, c->visited_cap * sizeof *c->visited);
        c->epoch = 1;
    }
}

#endif /* RUV__IMPL */
/************** End of src/ctx.h ******************************************************************/
/************** Begin file src/index.h ************************************************************/
/* The index object: its struct and slot layout, configuration defaults and ranges, the code
   layout of each storage kind, create and free, and the infallible properties. */
#ifdef RUV__IMPL

/* A byte string per slot: ref[2 s] = offset in bytes, ref[2 s + 1] = length (0 = none). Deleted
   strings leave garbage in bytes, dropped when the arena grows (and never saved). */
typedef struct ruv__blobs {
    uint32_t *ref; /* [cap * 2], NULL until first used */
    unsigned char *bytes;
    size_t len, cap; /* arena bytes used / allocated */
    size_t live;     /* bytes referenced */
} ruv__blobs;

#define RUV__DEAD 0x80u  /* levels[] flag: deleted HNSW node (still traversed until compacted) */
#define RUV__FREE 0x40u  /* levels[] flag with DEAD: compacted, nothing links here, reusable */
#define RUV__LEVEL 0x1Fu /* levels[] bits of the top level */

struct ruv_index {
    ruv_index_options cfg; /* resolved */
    ruv__mem mem;
    ruv_kernels kern;
    ruv_kernel_fn f32_dist;      /* l2sq or dot on f32 (NULL for a custom metric) */
    ruv_distance_fn custom;      /* RUV_METRIC_CUSTOM: the caller's distance, else NULL */
    int ip;                      /* metric is IP or cosine: distance = 1 - dot */
    ruv_kernel_fn raw_dist;      /* on stored codes (f32 / f16 / bf16: l2sq or dot; BIN: Hamming) */
    size_t raw_n;                /* its n: dim, or code bytes for BIN */
    ruv_kernel_many_fn raw_many; /* raw_dist against many codes (BIN: Hamming, Jaccard), or NULL */
    int dot_based;               /* code distance = 1 - raw */
    size_t dim;
    size_t in_bytes; /* bytes of one vector as the caller gives it (cfg.dtype) */

    /* quantization (see src/codes.h; the kind is cfg.quant): a slot's code is at vec_off */
    size_t code_bytes;
    size_t bits_bytes;    /* ruv__index_bits_bytes: bytes per slot in wbits, else 0 */
    unsigned char *wbits; /* [cap * bits_bytes], apart from the slots so that a walk reads a
                             compact array: opt.walk_bits's bits, or a copy of the codes of an
                             HNSW index over binary vectors */
    size_t sq_off;        /* SQ8: offset of the per-code float after the dim bytes */
    size_t dsub;          /* PQ: dimensions per sub-quantizer */
    size_t prep_len;      /* floats of a prepared query (ruv__prep) */
    float *qp; /* quantizer tables (NULL until trained), ruv__index_qp_bytes(&cfg) bytes */
    unsigned char *fvec; /* re-ranking copies of a quantized index [cap * fvec_bytes], in
                            cfg.rerank_dtype (f32, f16 or bf16), NULL if none */
    size_t fvec_bytes;   /* bytes of one copy */

    /* slot arena: slot i at data + i * stride: [u32 count][u32 links[m0]] (HNSW only), then at
       vec_off the stored vector (dim floats, or its code). */
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

    size_t live;        /* entries that searches return; count - live HNSW nodes are deleted */
    size_t nfree;       /* HNSW slots flagged RUV__FREE, reused by inserts */
    size_t free_hint;   /* where the search for a free slot resumes */
    size_t upper_canon; /* u32s of upper lists of all slots (upper_len also counts garbage) */
    int view;           /* arrays borrowed from a caller's buffer: read-only, not freed */
    ruv__blobs ids;     /* string ids */
    ruv__blobs meta;    /* metadata */
    uint32_t *idtab;    /* id hash table over slots (like table), NULL until an id is set */
    size_t idtab_cap;

    ruv_search_ctx *ctx;       /* used by adds and by searches without a ctx */
    struct ruv__mt *mt;        /* locks while a multi-threaded add_batch runs, else NULL */
    uint32_t *pend;            /* an HNSW insert's new neighbour lists, applied when it publishes */
    size_t pend_cap, pend_len; /* u32s allocated / used */
    int pending;               /* an insert is searching: links go to pend */
    int excl;                  /* a writing call holds the lock (ruv__write_begin) */
#if RUV__THREADS
    ruv__rwlock lock; /* one writer, many readers (src/core.h) */
#endif

    /* the attached journal (src/journal.h), else NULL */
    struct ruv__journal *journal;
};

/* ---- concurrency guards ---------------------------------------------------------------------- */
/* Every public call on an index enters through one of these. A reader holds the lock shared for
   the call; a writer holds the writer mutex for the call and the lock exclusively except where it
   pauses (ruv__excl_pause: an HNSW insert's search, which only reads). Nested calls from inside
   a callback of the same index (ruv__tls_held) take nothing. Views are never written: no locks. */
typedef struct ruv__guard {
    const void *prev; /* the thread's held object before this call */
    int prev_writer;
    int how; /* 0 nothing taken, 1 shared, 2 writer mutex and shared, 3 writer */
} ruv__guard;

/* Enters a reading call; own_scratch: it uses the index's own ctx (a search without a ctx, a
   save), so it also excludes writers. RUV_E_BUSY when it cannot: such a call from inside a
   reader's callback of the same index. */
static ruv_result ruv__read_begin(const ruv_index *idx, ruv__guard *g, int own_scratch) {
    g->how = g->prev_writer = 0;
    g->prev = NULL;
#if RUV__THREADS
    if (!idx || idx->view)
        return RUV_OK;
    g->prev = ruv__tls_held;
    g->prev_writer = ruv__tls_writer;
    /* nested: fine, except a ctx-less search inside a reader, and a search or save inside a
       progress report of a multi-threaded batch (other threads are linking meanwhile; the
       getters, which read no links, go on) */
    if (ruv__tls_held == (const void *)idx)
        return (own_scratch && !ruv__tls_writer) || (ruv__tls_writer && idx->mt) ? RUV_E_BUSY
                                                                                 : RUV_OK;
    if (own_scratch)
        pthread_mutex_lock(&((ruv_index *)idx)->lock.w);
    ruv__rw_shared(&((ruv_index *)idx)->lock);
    g->how = own_scratch ? 2 : 1;
    ruv__tls_held = idx;
    ruv__tls_writer = 0;
#else
    (void)idx;
    (void)own_scratch;
#endif
    return RUV_OK;
}

static void ruv__read_end(const ruv_index *idx, ruv__guard *g) {
#if RUV__THREADS
    if (!g->how)
        return;
    ruv__tls_held = g->prev;
    ruv__tls_writer = g->prev_writer;
    ruv__rw_shared_end(&((ruv_index *)idx)->lock);
    if (g->how == 2)
        pthread_mutex_unlock(&((ruv_index *)idx)->lock.w);
#else
    (void)idx;
    (void)g;
#endif
}

/* Enters a writing call: the writer mutex, then the lock exclusively. RUV_E_BUSY from inside a
   callback of the same index (the thread holds it already). */
static ruv_result ruv__write_begin(ruv_index *idx, ruv__guard *g) {
    g->how = g->prev_writer = 0;
    g->prev = NULL;
#if RUV__THREADS
    if (!idx || idx->view)
        return RUV_OK;
    if (ruv__tls_held == (const void *)idx)
        return RUV_E_BUSY;
    g->prev = ruv__tls_held;
    g->prev_writer = ruv__tls_writer;
    pthread_mutex_lock(&idx->lock.w);
    ruv__rw_excl(&idx->lock);
    g->how = 3;
    idx->excl = 1;
    ruv__tls_held = idx;
    ruv__tls_writer = 1;
#else
    (void)idx;
#endif
    return RUV_OK;
}

static void ruv__write_end(ruv_index *idx, ruv__guard *g) {
#if RUV__THREADS
    if (!g->how)
        return;
    ruv__tls_held = g->prev;
    ruv__tls_writer = g->prev_writer;
    idx->excl = 0;
    ruv__rw_excl_end(&idx->lock);
    pthread_mutex_unlock(&idx->lock.w);
#else
    (void)idx;
    (void)g;
#endif
}

/* Inside a writing call: lets readers in while the writer only reads (it keeps the writer
   mutex, so nothing else changes the index), and takes the lock back to publish. */
static void ruv__excl_pause(ruv_index *idx) {
#if RUV__THREADS
    if (idx->excl && !idx->mt)
        ruv__rw_excl_end(&idx->lock);
#else
    (void)idx;
#endif
}

static void ruv__excl_resume(ruv_index *idx) {
#if RUV__THREADS
    if (idx->excl && !idx->mt)
        ruv__rw_excl(&idx->lock);
#else
    (void)idx;
#endif
}

/* Public calls as one expression between the guards: R(ead) or W(rite), returning T (a
   ruv_result where the guard can fail: it becomes the result). */
#define RUV__READ(idx, T, call)                                                                    \
    do {                                                                                           \
        ruv__guard g_;                                                                             \
        T r_;                                                                                      \
        (void)ruv__read_begin(idx, &g_, 0);                                                        \
        r_ = call;                                                                                 \
        ruv__read_end(idx, &g_);                                                                   \
        return r_;                                                                                 \
    } while (0)
#define RUV__READ_R(idx, own, call)                                                                \
    do {                                                                                           \
        ruv__guard g_;                                                                             \
        ruv_result r_ = ruv__read_begin(idx, &g_, own);                                            \
        if (r_ == RUV_OK)                                                                          \
            r_ = call;                                                                             \
        ruv__read_end(idx, &g_);                                                                   \
        return r_;                                                                                 \
    } while (0)
#define RUV__WRITE(idx, call)                                                                      \
    do {                                                                                           \
        ruv__guard g_;                                                                             \
        ruv_result r_ = ruv__write_begin(idx, &g_);                                                \
        if (r_ == RUV_OK)                                                                          \
            r_ = call;                                                                             \
        ruv__write_end(idx, &g_);                                                                  \
        return r_;                                                                                 \
    } while (0)

/* ---- slots ------------------------------------------------------------------------------------
 */
/* Stored form of slot's vector: dim floats (RUV_QUANT_NONE) or its code. */
static unsigned char *ruv__slot_code(const ruv_index *idx, uint32_t slot) {
    return idx->data + (size_t)slot * idx->stride + idx->vec_off;
}

/* Neighbour list of slot at level: [0] = count, then the links. */
static uint32_t *ruv__slot_links(const ruv_index *idx, uint32_t slot, int level) {
    if (level == 0)
        return (uint32_t *)(void *)(idx->data + (size_t)slot * idx->stride);
    return idx->upper + idx->upper_off[slot] + (size_t)(level - 1) * (idx->M + 1);
}

/* Whether slot s holds a deleted (or free) HNSW node. */
static int ruv__slot_dead(const ruv_index *idx, size_t s) {
    return idx->levels && (idx->levels[s] & RUV__DEAD);
}

/* Candidate-list size the index's own ctx needs: inserts (ef_construction) and searches
   without a ctx (ef_search). */
static size_t ruv__index_pool(const ruv_index *idx) {
    return idx->cfg.ef_search > idx->cfg.ef_construction ? idx->cfg.ef_search
                                                         : idx->cfg.ef_construction;
}

/* ---- configuration, layout, create and free -------------------------------------------------- */
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

RUVDEF ruv_index_options ruv_index_options_init(uint32_t dim) {
    ruv_index_options c;
    memset(&c, 0, sizeof c);
    c.dim = dim;
    return c;
}

/* Whether (element type, metric, storage) is supported; the table is VECTOR TYPES in the
   documentation. F32 takes every storage and every metric but Hamming and Jaccard (custom: f32
   storage only); F16, BF16, I8 and U8 are stored as given (their own kernels) with L2SQ, IP,
   cosine and L1; BIN as given with Hamming and Jaccard. */
static int ruv__index_pair_ok(ruv_dtype t, ruv_metric m, ruv_quant q) {
    int bits = m == RUV_METRIC_HAMMING || m == RUV_METRIC_JACCARD;
    switch (t) {
    case RUV_DTYPE_F32:
        return !bits && (m != RUV_METRIC_CUSTOM || q == RUV_QUANT_NONE);
    case RUV_DTYPE_F16:
    case RUV_DTYPE_BF16:
    case RUV_DTYPE_I8:
    case RUV_DTYPE_U8:
        return q == RUV_QUANT_NONE && !bits && m != RUV_METRIC_CUSTOM;
    case RUV_DTYPE_BIN:
        return q == RUV_QUANT_NONE && bits;
    default:
        return 0;
    }
}

/* Whether opt.walk_bits fits the rest of the configuration: HNSW over f32 input, storage other
   than BIN (whose codes are the bits already), a built-in metric. */
static int ruv__index_walk_ok(const ruv_index_options *c) {
    return !c->walk_bits || (c->kind == RUV_INDEX_HNSW && c->dtype == RUV_DTYPE_F32 &&
                             c->quant != RUV_QUANT_BIN && c->metric != RUV_METRIC_CUSTOM);
}

/* Fills defaults and checks ranges: the one place config rules live. */
static ruv_result ruv__index_resolve(const ruv_index_options *in, ruv_index_options *out) {
    ruv_index_options c = *in;
    if (c.dim == 0 || c.dim > RUV_MAX_DIM)
        return RUV_E_ARG;
    if ((unsigned)c.metric > (unsigned)RUV_METRIC_JACCARD ||
        (c.metric == RUV_METRIC_CUSTOM) != (c.distance != NULL) ||
        (unsigned)c.dtype >= (unsigned)RUV_DTYPE_COUNT)
        return RUV_E_ARG;
    if ((unsigned)c.kind > (unsigned)RUV_INDEX_HNSW || c.multi > 1 || c.walk_bits > 1)
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
    if (c.ef_construction > RUV_MAX_EF || c.ef_search > RUV_MAX_EF)
        return RUV_E_ARG;
    if (!c.capacity)
        c.capacity = 1024;
    if (c.capacity > RUV_MAX_COUNT)
        return RUV_E_ARG;
    if (!c.seed)
        c.seed = 0x2545F4914F6CDD1Dull;
    if ((unsigned)c.isa >= (unsigned)RUV_ISA_COUNT)
        return RUV_E_ARG;
    if (!c.alloc.alloc != !c.alloc.free)
        return RUV_E_ARG;
    if ((unsigned)c.quant > (unsigned)RUV_QUANT_PQ || c.drop_f32 > 1 || c.rerank > RUV_MAX_RERANK)
        return RUV_E_ARG;
    if (c.rerank_dtype != RUV_DTYPE_F32 &&
        ((c.rerank_dtype != RUV_DTYPE_F16 && c.rerank_dtype != RUV_DTYPE_BF16) ||
         c.quant == RUV_QUANT_NONE || c.drop_f32))
        return RUV_E_ARG;
    if (c.metric != RUV_METRIC_CUSTOM) {
        c.distance_user = NULL;
        c.distance_id = 0;
    }
    if (!ruv__index_pair_ok(c.dtype, c.metric, c.quant) || !ruv__index_walk_ok(&c))
        return RUV_E_UNSUPPORTED;
    if (c.quant == RUV_QUANT_NONE) {
        c.pq_m = c.rerank = c.drop_f32 = 0;
    } else {
        if (!c.rerank)
            c.rerank = 4;
        if (c.quant != RUV_QUANT_PQ)
            c.pq_m = 0;
        else if (!c.pq_m && c.dim % 4 == 0)
            c.pq_m = c.dim / 4;
        if (c.quant == RUV_QUANT_PQ && (!c.pq_m || c.pq_m > c.dim || c.dim % c.pq_m))
            return RUV_E_ARG;
        if (c.metric == RUV_METRIC_L1 && c.quant != RUV_QUANT_F16 && c.quant != RUV_QUANT_BF16)
            return RUV_E_UNSUPPORTED;
    }
    {
        ruv__mem m;
        ruv__mem_init(&m, c.alloc);
        c.alloc = m.a;
    }
    *out = c;
    return RUV_OK;
}

/* The kernel operation behind a metric (cosine: dot on vectors normalised beforehand). */
static ruv_op ruv__index_metric_op(ruv_metric m) {
    switch (m) {
    case RUV_METRIC_L2SQ:
        return RUV_OP_L2SQ;
    case RUV_METRIC_L1:
        return RUV_OP_L1;
    case RUV_METRIC_HAMMING:
        return RUV_OP_HAMMING;
    case RUV_METRIC_JACCARD:
        return RUV_OP_JACCARD;
    default:
        return RUV_OP_DOT;
    }
}

/* Bytes of one vector of dim elements of type t. */
static size_t ruv__dtype_bytes(ruv_dtype t, size_t dim) {
    switch (t) {
    case RUV_DTYPE_BIN:
        return (dim + 7) / 8;
    case RUV_DTYPE_I8:
    case RUV_DTYPE_U8:
        return dim;
    case RUV_DTYPE_F16:
    case RUV_DTYPE_BF16:
        return dim * 2;
    default:
        return dim * 4;
    }
}

/* Bytes per slot of the compact array beside the slots (ruv_index.wbits): opt.walk_bits's
   bits; for HNSW over binary vectors a copy of each code (13 bytes for 100 bits against a slot
   stride of 160: the walk's reads stay in cache); else 0. */
static size_t ruv__index_bits_bytes(const ruv_index_options *c) {
    int copy = c->dtype == RUV_DTYPE_BIN && c->kind == RUV_INDEX_HNSW;
    return c->walk_bits || copy ? ((size_t)c->dim + 7) / 8 : 0;
}

/* Bytes of one stored vector (its code) for a resolved config. */
static size_t ruv__index_code_bytes(const ruv_index_options *c) {
    switch (c->quant) {
    case RUV_QUANT_NONE: /* as given */
        return ruv__dtype_bytes(c->dtype, c->dim);
    case RUV_QUANT_F16:
    case RUV_QUANT_BF16:
        return (size_t)c->dim * 2;
    case RUV_QUANT_SQ8: /* dim bytes, padding to 4, the float t (see ruv__prep) */
        return (((size_t)c->dim + 3) & ~(size_t)3) + 4;
    case RUV_QUANT_BIN:
        return ((size_t)c->dim + 7) / 8;
    default:
        return c->pq_m;
    }
}

/* Slot stride: the HNSW level-0 list (padded to 16 bytes), the code, padding to 16 bytes. */
static size_t ruv__index_stride(const ruv_index_options *c) {
    size_t off = c->kind == RUV_INDEX_HNSW ? ((size_t)(2 * c->M + 1) * 4 + 15) & ~(size_t)15 : 0;
    return (off + ruv__index_code_bytes(c) + 15) & ~(size_t)15;
}

/* Bytes of the storage's own quantizer tables (0 if it needs none); opt.walk_bits's mean and
   deviation (like BIN's) follow them. */
static size_t ruv__index_qp_main(const ruv_index_options *c) {
    switch (c->quant) {
    case RUV_QUANT_SQ8:
    case RUV_QUANT_BIN:
        return (size_t)c->dim * 8;
    case RUV_QUANT_PQ:
        return (size_t)c->dim * 4 + (size_t)c->dim * 256 * 4;
    default:
        return 0;
    }
}

/* Bytes of the quantizer tables of a resolved config (0 if it needs none). */
static size_t ruv__index_qp_bytes(const ruv_index_options *c) {
    return ruv__index_qp_main(c) + (c->walk_bits ? (size_t)c->dim * 8 : 0);
}

/* Whether the index can take vectors: quantizer tables present or not needed. */
static int ruv__index_trained(const ruv_index *idx) {
    return idx->qp != NULL || ruv__index_qp_bytes(&idx->cfg) == 0;
}

/* Code layout and distance functions of idx->cfg's storage. */
static void ruv__index_layout(ruv_index *idx) {
    const ruv_index_options *c = &idx->cfg;
    ruv_dtype t = c->quant == RUV_QUANT_F16    ? RUV_DTYPE_F16
                  : c->quant == RUV_QUANT_BF16 ? RUV_DTYPE_BF16
                                               : RUV_DTYPE_F32;
    size_t d = c->dim;
    idx->code_bytes = ruv__index_code_bytes(c);
    idx->bits_bytes = ruv__index_bits_bytes(c);
    idx->fvec_bytes = d * (c->rerank_dtype == RUV_DTYPE_F32 ? 4u : 2u);
    idx->dot_based = idx->ip;
    idx->raw_n = d;
    idx->raw_dist = NULL;
    idx->raw_many = NULL;
    idx->prep_len = 1;
    switch (c->quant) {
    case RUV_QUANT_SQ8:
        idx->sq_off = (d + 3) & ~(size_t)3;
        idx->prep_len = d + (d + 1) / 2; /* the f32 weights, then their int16 form */
        break;
    case RUV_QUANT_PQ:
        idx->dsub = d / c->pq_m;
        idx->prep_len = (size_t)c->pq_m * 256 > d ? (size_t)c->pq_m * 256 : d; /* or direct */
        break;
    case RUV_QUANT_BIN:
        idx->raw_dist = idx->kern.fn[RUV_OP_HAMMING][RUV_DTYPE_BIN];
        idx->raw_many = idx->kern.hamming_many;
        idx->raw_n = idx->code_bytes;
        idx->dot_based = 0;
        idx->prep_len = (idx->code_bytes + 3) / 4;
        break;
    default:
        if (c->dtype != RUV_DTYPE_F32) { /* halves, integer and bit vectors, stored as given */
            ruv_op op = c->metric == RUV_METRIC_COSINE ? RUV_OP_COS /* 1 - cos, per pair */
                                                       : ruv__index_metric_op(c->metric);
            t = c->dtype;
            idx->raw_dist = idx->kern.fn[op][t];
            idx->raw_n = t == RUV_DTYPE_BIN ? idx->code_bytes : d;
            if (t == RUV_DTYPE_BIN)
                idx->raw_many =
                    op == RUV_OP_HAMMING ? idx->kern.hamming_many : idx->kern.jaccard_many;
            idx->dot_based = c->metric == RUV_METRIC_IP;
        } else if (!idx->custom) { /* (a custom metric: ruv__dist_custom) */
            idx->raw_dist = idx->kern.fn[ruv__index_metric_op(c->metric)][t];
        }
        idx->prep_len = (idx->code_bytes + 3) / 4;
    }
    idx->in_bytes = c->dtype == RUV_DTYPE_F32 ? d * 4 : idx->code_bytes;
    if (idx->prep_len < (idx->bits_bytes + 3) / 4) /* the bits of a query (c->nprep) */
        idx->prep_len = (idx->bits_bytes + 3) / 4;
}

/* Growth of every per-slot array: src/tables.h. */
static ruv_result ruv__tab_reserve(ruv_index *idx, size_t slots, size_t upper, size_t id_add,
                                   size_t meta_add);

/* Creates an index from cfg: struct, kernels, scratch ctx and, if `arrays`, the key table and
   cfg->capacity slots. Without arrays (the loader, which binds its own) every array is NULL. */
static ruv_result ruv__index_new(const ruv_index_options *cfg, int arrays, ruv_index **out) {
    ruv_index_options c;
    ruv_kernels k;
    ruv__mem mem;
    ruv_index *idx;
    ruv_result r;
    if (!out)
        return RUV_E_ARG;
    *out = NULL;
    if (!cfg)
        return RUV_E_ARG;
    if ((r = ruv__index_resolve(cfg, &c)) != RUV_OK)
        return r;
    if (!ruv_kernels_init(c.isa, &k))
        return RUV_E_UNSUPPORTED;
    c.isa = k.isa;
    mem.a = c.alloc;
    mem.used = 0;
    idx = (ruv_index *)ruv__mem_alloc(&mem, sizeof *idx);
    if (!idx)
        return RUV_E_NOMEM;
    memset(idx, 0, sizeof *idx);
    idx->mem = mem;
    idx->cfg = c;
    idx->kern = k;
    idx->dim = c.dim;
    idx->ip = c.metric == RUV_METRIC_IP || c.metric == RUV_METRIC_COSINE;
    idx->custom = c.distance;
    idx->f32_dist = idx->custom ? NULL : k.fn[ruv__index_metric_op(c.metric)][RUV_DTYPE_F32];
    ruv__index_layout(idx);
    if (c.kind == RUV_INDEX_HNSW) {
        idx->M = c.M;
        idx->m0 = 2 * c.M;
        idx->vec_off = ((size_t)(idx->m0 + 1) * 4 + 15) & ~(size_t)15;
        idx->ml = 1.0 / log((double)c.M);
        idx->rng = c.seed;
    }
    idx->stride = ruv__index_stride(&c);
    idx->entry = RUV__NONE;
#if RUV__THREADS
    if (ruv__rw_init(&idx->lock) != 0) {
        ruv__mem_free(&idx->mem, idx, sizeof *idx);
        return RUV_E_NOMEM;
    }
#endif
    idx->ctx = ruv__ctx_new(&idx->mem, c.dim, idx->prep_len);
    if (idx->ctx && !arrays) {
        *out = idx;
        return RUV_OK;
    }
    idx->table_cap = 16;
    if (idx->ctx)
        idx->table = (uint32_t *)ruv__mem_alloc(&idx->mem, idx->table_cap * 4);
    if (!idx->ctx || !idx->table) {
        ruv_index_free(idx);
        return RUV_E_NOMEM;
    }
    memset(idx->table, 0xFF, idx->table_cap * 4);
    if ((r = ruv__tab_reserve(idx, (size_t)c.capacity, 0, 0, 0)) != RUV_OK) {
        ruv_index_free(idx);
        return r;
    }
    *out = idx;
    return RUV_OK;
}

RUVDEF ruv_result ruv_index_create(const ruv_index_options *opt, ruv_index **out) {
    if (out)
        *out = NULL;
    return opt && out ? ruv__index_new(opt, 1, out) : RUV_E_ARG;
}

static void ruv__journal_close(ruv_index *idx); /* src/journal.h */

RUVDEF void ruv_index_free(ruv_index *idx) {
    ruv__mem m;
    if (!idx)
        return;
    ruv__journal_close(idx);
    m = idx->mem;
#if RUV__THREADS
    ruv__rw_destroy(&idx->lock);
#endif
    if (idx->ctx)
        ruv_search_ctx_free(idx->ctx);
    ruv__mem_free(&m, idx->pend, idx->pend_cap * 4);
    if (!idx->view) {
        ruv__mem_free_aligned(&m, idx->data, idx->cap * idx->stride);
        ruv__mem_free(&m, idx->keys, idx->cap * sizeof *idx->keys);
        ruv__mem_free(&m, idx->table, idx->table_cap * 4);
        ruv__mem_free(&m, idx->levels, idx->cap);
        ruv__mem_free(&m, idx->upper_off, idx->cap * sizeof *idx->upper_off);
        ruv__mem_free(&m, idx->upper, idx->upper_cap * 4);
        ruv__mem_free(&m, idx->ids.ref, idx->ids.ref ? idx->cap * 2 * 4 : 0);
        ruv__mem_free(&m, idx->ids.bytes, idx->ids.cap);
        ruv__mem_free(&m, idx->meta.ref, idx->meta.ref ? idx->cap * 2 * 4 : 0);
        ruv__mem_free(&m, idx->meta.bytes, idx->meta.cap);
        ruv__mem_free(&m, idx->idtab, idx->idtab_cap * 4);
        ruv__mem_free(&m, idx->fvec, idx->fvec ? idx->cap * idx->fvec_bytes : 0);
        ruv__mem_free(&m, idx->wbits, idx->wbits ? idx->cap * idx->bits_bytes : 0);
        ruv__mem_free(&m, idx->qp, ruv__index_qp_bytes(&idx->cfg));
    }
    ruv__mem_free(&m, idx, sizeof *idx);
}

/* ---- properties --------------------------------------------------------------------------------
 */
static size_t ruv__i_count(const ruv_index *idx) { return idx ? idx->live : 0; }

RUVDEF uint32_t ruv_index_dim(const ruv_index *idx) { return idx ? idx->cfg.dim : 0; }

static size_t ruv__i_memory_usage(const ruv_index *idx) {
    return idx ? idx->mem.used + idx->ctx->mem.used : 0;
}

/* (parenthesised: ruv_index_stats is also the name of a macro, see src/api_compat.h) */
static ruv_stats ruv__i_stats(const ruv_index *idx) {
    ruv_stats st, *out = &st;
    size_t cap;
    memset(out, 0, sizeof *out);
    if (!idx)
        return st;
    cap = idx->cap;
    out->live = idx->live;
    out->deleted = idx->count - idx->live;
    out->free_slots = idx->nfree;
    out->capacity = cap;
    if (idx->cfg.quant == RUV_QUANT_NONE) {
        out->vector_bytes = cap * idx->code_bytes;
    } else {
        out->vector_bytes = idx->fvec ? cap * idx->fvec_bytes : 0;
        out->code_bytes = cap * idx->code_bytes;
    }
    out->code_bytes += cap * idx->bits_bytes + (idx->qp ? ruv__index_qp_bytes(&idx->cfg) : 0);
    out->graph_bytes = cap * (idx->stride - idx->code_bytes); /* links and slot padding */
    if (idx->levels)
        out->graph_bytes += cap * (1 + sizeof *idx->upper_off) + idx->upper_cap * 4;
    out->key_bytes = cap * sizeof *idx->keys + idx->table_cap * 4;
    out->id_bytes = (idx->ids.ref ? cap * 8 : 0) + idx->ids.cap + idx->idtab_cap * 4;
    out->meta_bytes = (idx->meta.ref ? cap * 8 : 0) + idx->meta.cap;
    out->total_bytes = ruv__i_memory_usage(idx);
    out->readonly = idx->view;
    return st;
}

RUVDEF ruv_result ruv__stats_v01(const ruv_index *idx, ruv_stats *out) {
    if (!out)
        return RUV_E_ARG;
    *out = (ruv_index_stats)(idx); /* zeroed for NULL, as 0.1 left it */
    return idx ? RUV_OK : RUV_E_ARG;
}

RUVDEF ruv_index_options ruv_index_config(const ruv_index *idx) {
    ruv_index_options c;
    if (idx)
        return idx->cfg;
    memset(&c, 0, sizeof c);
    return c;
}

static int ruv__i_is_trained(const ruv_index *idx) { return idx && ruv__index_trained(idx); }

/* ---- the public calls, between the concurrency guards ---- */
RUVDEF size_t ruv_index_count(const ruv_index *idx) { RUV__READ(idx, size_t, ruv__i_count(idx)); }
RUVDEF size_t ruv_index_memory_usage(const ruv_index *idx) {
    RUV__READ(idx, size_t, ruv__i_memory_usage(idx));
}
/* (parenthesised: ruv_index_stats is also the name of a macro, see src/api_compat.h) */
RUVDEF ruv_stats(ruv_index_stats)(const ruv_index *idx) {
    RUV__READ(idx, ruv_stats, ruv__i_stats(idx));
}
RUVDEF int ruv_index_is_trained(const ruv_index *idx) {
    RUV__READ(idx, int, ruv__i_is_trained(idx));
}

#endif /* RUV__IMPL */
/************** End of src/index.h ****************************************************************/
/************** Begin file src/codes.h ************************************************************/
/* Stored codes: encoding vectors into their stored form (f32, F16, BF16, SQ8, BIN, PQ) and
   decoding them, preparing a query for distances to codes, and every distance helper
   (ruv__dist_*). */
#ifdef RUV__IMPL

/* A query prepared for distances to stored codes: v is the f32 query itself (NONE), its
   converted copy (F16, BF16, BIN bits), the SQ8 weights w, or the PQ tables; c0 an SQ8 constant.
   SQ8 stores c_i in 0..255 for x_i ~ lo_i + sc_i c_i, plus one float t per code, so that
     L2:     |q - x|^2 = sum (q_i - lo_i)^2 + t - 2 sum w_i c_i,  w_i = sc_i (q_i - lo_i),
                                                              t = sum (sc_i c_i)^2
     IP:     q.x = sum q_i lo_i + sum w_i c_i,                w_i = sc_i q_i
     cosine: q.x / |x| = (sum q_i lo_i + sum w_i c_i) t,      t = 1 / |x|
   which is one int16 x u8 dot product per distance (ruv_kernels.dot_i16_u8; f32 x u8 for stored
   vectors prepared by the neighbour selection outside WebAssembly, see ruv__code_prep_slot): q16
   holds the w_i scaled by 1 / qinv and rounded, the scale as large as keeps |q16_i| <= 32767 and
   the kernel's 32-bit sums exact (see ruv__code_sq8_q16). The rounding moves sum w_i c_i by at most
   qinv / 2 sum c_i (qinv = max |w_i| / 32767 up to 256 dimensions), a small fraction of what the
   8-bit codes themselves move it (about sum |w_i| / 2 in the worst case). */
typedef struct ruv__prep {
    const void *v;
    float c0;
    const int16_t *q16;  /* SQ8 */
    float qinv;          /* SQ8 */
    int pq_direct;       /* PQ: v is a decoded vector in sub-space order (ruv__code_prep_slot) */
    int bits;            /* opt.walk_bits: v is the query's bits, distances on the slots' bits */
    int compact;         /* the codes read from ruv_index.wbits (HNSW over binary vectors) */
    ruv_kernel_fn mixed; /* an f32 query v to a typed index: the f32 kernel (ruv__dist_mixed) */
    float *conv;         /* its scratch: a stored vector converted to f32, dim floats */
} ruv__prep;

static const float *ruv__code_sq_lo(const ruv_index *idx) { return idx->qp; }
static const float *ruv__code_sq_scale(const ruv_index *idx) { return idx->qp + idx->dim; }
/* PQ tables: dim u32 (the permutation: sub-space j holds dimensions perm[j dsub ..]) then per
   sub-space dsub x 256 centroid components (transposed, see ruv_kernels.pq_lut). */
static const uint32_t *ruv__code_pq_perm(const ruv_index *idx) {
    return (const uint32_t *)(const void *)idx->qp;
}
static const float *ruv__code_pq_cent(const ruv_index *idx, size_t j) {
    return idx->qp + idx->dim + j * idx->dsub * 256;
}

/* PQ: the dsub components of sub-space j of x, into out. */
static void ruv__code_pq_gather(const ruv_index *idx, const float *x, size_t j, float *out) {
    const uint32_t *perm = ruv__code_pq_perm(idx) + j * idx->dsub;
    size_t d;
    for (d = 0; d < idx->dsub; d++)
        out[d] = x[perm[d]];
}

/* Index of the smallest of v[0..255] (first on ties). */
static unsigned ruv__code_argmin256(const float *v) {
    unsigned i, best = 0;
    for (i = 1; i < 256; i++)
        if (v[i] < v[best])
            best = i;
    return best;
}

/* SQ8 for cosine: only the direction of the decoded vector y matters, so codes are moved one
   step across their rounding boundary wherever that raises cos(x, y) (greedy passes over the
   dimensions, at most 4). Returns |y|^2. */
static double ruv__code_sq_cos_refine(const ruv_index *idx, const float *x, unsigned char *code,
                                      double nn) {
    const float *lo = ruv__code_sq_lo(idx), *sc = ruv__code_sq_scale(idx);
    size_t i, d = idx->dim;
    double r = 0.0;
    int pass, changed = 1;
    for (i = 0; i < d; i++)
        r += (double)x[i] * ((double)lo[i] + (double)sc[i] * code[i]);
    for (pass = 0; pass < 4 && changed && r > 0.0; pass++) {
        changed = 0;
        for (i = 0; i < d; i++) {
            double y = (double)lo[i] + (double)sc[i] * code[i], step, r2, n2;
            int up = x[i] > y;
            if (sc[i] <= 0.0f || (up ? code[i] == 255 : code[i] == 0))
                continue;
            step = up ? sc[i] : -(double)sc[i];
            r2 = r + x[i] * step;
            n2 = nn + 2.0 * y * step + step * step;
            if (r2 > 0.0 && n2 > 0.0 && r2 * r2 * nn > r * r * n2) {
                code[i] = (unsigned char)(up ? code[i] + 1 : code[i] - 1);
                r = r2;
                nn = n2;
                changed = 1;
            }
        }
    }
    return nn;
}

/* Whether the dim halves at v (type t: F16 or BF16, uint16_t in host order) are finite and, for
   BF16, have a squared norm of at most FLT_MAX / 4 (see ruv__code_accepts). */
static int ruv__code_halves_ok(ruv_dtype t, const unsigned char *v, size_t dim) {
    unsigned inf = t == RUV_DTYPE_F16 ? 0x7C00u : 0x7F80u;
    double nn = 0.0;
    size_t i;
    for (i = 0; i < dim; i++) {
        uint16_t h;
        double x;
        memcpy(&h, v + 2 * i, 2);
        if ((h & inf) == inf)
            return 0;
        if (t == RUV_DTYPE_BF16) {
            x = (double)ruv_bf16_to_f32(h);
            nn += x * x;
        }
    }
    return nn <= 3.4028234663852886e38 / 4.0;
}

/* Whether x (dim floats, as the caller gave them) can be stored and searched: finite; unless the
   metric is cosine (whose vectors are normalised first), a squared norm of at most FLT_MAX / 4,
   so that no distance between two accepted vectors overflows f32 (|x - y|^2 <= (|x| + |y|)^2,
   |x.y| <= |x| |y|: infinities of opposite signs in the sums would make NaN distances); and for
   F16 storage or F16 re-ranking copies every component below 65520 (what would round to
   infinity is refused rather than stored as infinity). BF16 needs no check of its own: its finite
   range (about 3.3961e38) is far beyond the norm bound. Also for queries and training vectors. F16
   and BF16 vectors (given and stored as halves): every element finite; BF16 also the norm bound,
   for every metric (the kernels sum squares in f32, cosine included); F16 needs none (65504^2 x
   RUV_MAX_DIM is far below it). Every integer or bit pattern is a vector. */
static int ruv__code_accepts(const ruv_index *idx, const void *xv) {
    const float *x = (const float *)xv;
    size_t i, d = idx->dim;
    double nn = 0.0;
    if (idx->cfg.dtype == RUV_DTYPE_F16 || idx->cfg.dtype == RUV_DTYPE_BF16)
        return ruv__code_halves_ok(idx->cfg.dtype, (const unsigned char *)xv, d);
    if (idx->cfg.dtype != RUV_DTYPE_F32)
        return 1;
    if (!ruv__vec_finite(x, d))
        return 0;
    if (idx->cfg.metric == RUV_METRIC_COSINE || idx->custom)
        return 1;
    /* the squared norm by the dispatched kernel: its terms are all >= 0, so no partial sum
       exceeds the total, and an overflow shows as +inf */
    nn = (double)idx->kern.fn[RUV_OP_DOT][RUV_DTYPE_F32](x, x, d);
    if (idx->cfg.rerank_dtype == RUV_DTYPE_BF16) /* its copy, rounded up to (1 + 2^-8) |x|, must
                                                    pass the loader's bound too */
        nn *= (1.0 + 1.0 / 256.0) * (1.0 + 1.0 / 256.0);
    if (!(nn <= 3.4028234663852886e38 / 4.0))
        return 0;
    for (i = 0;
         (idx->cfg.quant == RUV_QUANT_F16 || idx->cfg.rerank_dtype == RUV_DTYPE_F16) && i < d; i++)
        if (!(fabs((double)x[i]) < 65520.0))
            return 0;
    return 1;
}

/* Bit i of out (ceil(d / 8) bytes, dimension i at bit i % 8 of byte i / 8) = x_i > mean_i. */
static void ruv__code_sign_bits(const float *x, const float *mean, size_t d, unsigned char *out) {
    size_t i;
    memset(out, 0, (d + 7) / 8);
    for (i = 0; i < d; i++)
        if (x[i] > mean[i])
            out[i / 8] = (unsigned char)(out[i / 8] | 1u << (i % 8));
}

/* opt.walk_bits: the thresholds of the walk's bits (after the storage's tables). */
static const float *ruv__code_walk_mean(const ruv_index *idx) {
    return idx->qp + ruv__index_qp_main(&idx->cfg) / sizeof *idx->qp;
}

/* Encodes x (normalised for cosine; dim floats) into code; scratch c->tmp[dim..]. */
static void ruv__code_encode(const ruv_index *idx, ruv_search_ctx *c, const void *xv,
                             unsigned char *code) {
    const float *x = (const float *)xv;
    size_t d = idx->dim, i;
    switch (idx->cfg.quant) {
    case RUV_QUANT_NONE: /* as given; bits past dim of a binary vector cleared */
        memcpy(code, xv, idx->code_bytes);
        if (idx->cfg.dtype == RUV_DTYPE_BIN && d % 8)
            code[d / 8] = (unsigned char)(code[d / 8] & ((1u << (d % 8)) - 1u));
        break;
    case RUV_QUANT_F16:
        idx->kern.f32_to_f16(x, code, d);
        break;
    case RUV_QUANT_BF16:
        idx->kern.f32_to_bf16(x, code, d);
        break;
    case RUV_QUANT_SQ8: {
        const float *lo = ruv__code_sq_lo(idx), *sc = ruv__code_sq_scale(idx);
        double t = 0.0;
        float tf;
        for (i = 0; i < d; i++) {
            float v = sc[i] > 0.0f ? (x[i] - lo[i]) / sc[i] : 0.0f;
            unsigned q = v <= 0.0f ? 0u : v >= 255.0f ? 255u : (unsigned)(v + 0.5f);
            double y = (double)sc[i] * q;
            code[i] = (unsigned char)q;
            if (idx->cfg.metric == RUV_METRIC_COSINE)
                y += lo[i];
            t += y * y;
        }
        if (idx->cfg.metric == RUV_METRIC_COSINE)
            t = ruv__code_sq_cos_refine(idx, x, code, t);
        /* t stays finite (the loader refuses anything else) for ranges trained on extreme vectors
           and, for cosine, a decoded vector whose norm is tiny but not zero */
        if (idx->cfg.metric == RUV_METRIC_COSINE)
            t = t > 0.0 ? 1.0 / sqrt(t) : 0.0;
        else if (idx->cfg.metric != RUV_METRIC_L2SQ)
            t = 0.0;
        tf = (float)(t < 3.4028234663852886e38 ? t : 3.4028234663852886e38);
        memset(code + d, 0, idx->sq_off - d);
        memcpy(code + idx->sq_off, &tf, sizeof tf);
        break;
    }
    case RUV_QUANT_BIN:
        ruv__code_sign_bits(x, idx->qp, d, code);
        break;
    default: { /* PQ: nearest centroid per sub-space */
        float lut[256], *sub = c->tmp + d;
        for (i = 0; i < idx->cfg.pq_m; i++) {
            ruv__code_pq_gather(idx, x, i, sub);
            idx->kern.pq_lut(sub, ruv__code_pq_cent(idx, i), idx->dsub, RUV_OP_L2SQ, lut);
            code[i] = (unsigned char)ruv__code_argmin256(lut);
        }
    }
    }
}

/* The vector a code stands for (approximate for SQ8, BIN, PQ), into out (dim floats). */
static void ruv__code_decode(const ruv_index *idx, const unsigned char *code, float *out) {
    size_t d = idx->dim, i, j;
    switch (idx->cfg.quant) {
    case RUV_QUANT_NONE:
        memcpy(out, code, d * sizeof *out);
        break;
    case RUV_QUANT_F16:
        idx->kern.f16_to_f32(code, out, d);
        break;
    case RUV_QUANT_BF16:
        idx->kern.bf16_to_f32(code, out, d);
        break;
    case RUV_QUANT_SQ8:
        for (i = 0; i < d; i++)
            out[i] = ruv__code_sq_lo(idx)[i] + ruv__code_sq_scale(idx)[i] * (float)code[i];
        break;
    case RUV_QUANT_BIN: /* mean -/+ the mean absolute deviation */
        for (i = 0; i < d; i++)
            out[i] =
                idx->qp[i] + ((code[i / 8] >> (i % 8)) & 1u ? idx->qp[d + i] : -idx->qp[d + i]);
        break;
    default:
        for (j = 0; j < idx->cfg.pq_m; j++) {
            const uint32_t *perm = ruv__code_pq_perm(idx) + j * idx->dsub;
            const float *cent = ruv__code_pq_cent(idx, j);
            for (i = 0; i < idx->dsub; i++)
                out[perm[i]] = cent[i * 256 + code[j]];
        }
    }
}

/* The SQ8 weights w (d floats) as int16 q16 for ruv_kernels.dot_i16_u8; returns the factor
   back (sum w_i c_i ~ qinv sum q16_i c_i). The scale qs is the largest with |q16_i| <= 32767
   and 255 d max |q16_i| < 2^31 (so that the kernel's 32-bit sums are exact: the same scale as
   |q16_i| <= 32767 alone up to 256 dimensions); 0 for an all-zero w; -1 if a weight is not
   finite (tables of a hostile file: the caller keeps the f32 weights). Both passes vectorise:
   the largest |w_i| is an integer maximum of the bit patterns (ordered as the values are), the
   rounding a select and a truncation. */
static float ruv__code_sq8_q16(const float *w, size_t d, int16_t *q16) {
    uint32_t m = 0, m8[8] = {0, 0, 0, 0, 0, 0, 0, 0}, u;
    float mxf, qsf;
    double mx, qs, lim;
    size_t i, j;
    for (i = 0; i + 8 <= d; i += 8) /* eight independent lanes: no chain of dependent selects */
        for (j = 0; j < 8; j++) {
            memcpy(&u, w + i + j, sizeof u);
            u &= 0x7FFFFFFFu;
            m8[j] = u > m8[j] ? u : m8[j];
        }
    for (; i < d; i++) {
        memcpy(&u, w + i, sizeof u);
        u &= 0x7FFFFFFFu;
        m = u > m ? u : m;
    }
    for (j = 0; j < 8; j++)
        m = m8[j] > m ? m8[j] : m;
    if (m >= 0x7F800000u) /* NaN or inf */
        return -1.0f;
    if (m == 0) {
        memset(q16, 0, d * sizeof *q16);
        return 0.0f;
    }
    memcpy(&mxf, &m, sizeof mxf);
    mx = mxf;
    qs = 32767.0 / mx;
    lim = (2147483647.0 / 255.0 - (double)d) / ((double)d * mx); /* d <= RUV_MAX_DIM: > 0 */
    if (lim < qs)
        qs = lim;
    if (qs > 3.4028234663852886e38) /* tiny weights: the largest float scale */
        qs = 3.4028234663852886e38;
    /* to nearest, halves away from zero; qsf is qs rounded down so that no |w_i qsf| exceeds
       the bounds above */
    qsf = (float)qs;
    if ((double)qsf > qs)
        qsf = ruv__f32_prev(qsf);
    for (i = 0; i < d; i++) {
        float y = w[i] * qsf;
        y += y < 0.0f ? -0.5f : 0.5f;
        q16[i] = (int16_t)(int32_t)y;
    }
    return (float)(1.0 / (double)qsf);
}

/* Every field of p cleared, v set: each prep below then sets what it uses. */
static void ruv__code_prep_init(ruv__prep *p, const void *v) {
    p->v = v;
    p->c0 = p->qinv = 0.0f;
    p->q16 = NULL;
    p->pq_direct = p->bits = p->compact = 0;
    p->mixed = NULL;
    p->conv = NULL;
}

/* Prepares x (normalised for cosine) for ruv__dist_query_code into buf (idx->prep_len floats);
   scratch c->tmp[dim..]. q16: SQ8 distances through the int16 weights (queries and vectors being
   inserted, prepared once for many distances) rather than the f32 ones (stored vectors prepared
   for a few distances each by the neighbour selection: see ruv__code_prep_slot). */
static void ruv__code_prep_query(const ruv_index *idx, ruv_search_ctx *c, const void *xv,
                                 float *buf, int q16, ruv__prep *p) {
    const float *x = (const float *)xv;
    size_t d = idx->dim, i;
    ruv__code_prep_init(p, buf);
    p->compact = idx->wbits && !idx->cfg.walk_bits; /* binary vectors: their compact copy */
    switch (idx->cfg.quant) {
    case RUV_QUANT_NONE:
        p->v = xv;
        if (idx->cfg.dtype == RUV_DTYPE_BIN && d % 8) { /* bits past dim cleared */
            ruv__code_encode(idx, c, xv, (unsigned char *)buf);
            p->v = buf;
        }
        break;
    case RUV_QUANT_SQ8: {
        const float *lo = ruv__code_sq_lo(idx), *sc = ruv__code_sq_scale(idx);
        /* c0 only shifts every distance of this query alike: the f32 kernels' sums do */
        if (idx->cfg.metric == RUV_METRIC_L2SQ) {
            for (i = 0; i < d; i++)
                buf[i] = (x[i] - lo[i]) * sc[i];
            p->c0 = idx->kern.fn[RUV_OP_L2SQ][RUV_DTYPE_F32](x, lo, d);
        } else {
            for (i = 0; i < d; i++)
                buf[i] = x[i] * sc[i];
            p->c0 = idx->kern.fn[RUV_OP_DOT][RUV_DTYPE_F32](x, lo, d);
        }
        if (q16 && (p->qinv = ruv__code_sq8_q16(buf, d, (int16_t *)(void *)(buf + d))) >= 0.0f)
            p->q16 = (const int16_t *)(const void *)(buf + d);
        break;
    }
    case RUV_QUANT_PQ: {
        float *sub = c->tmp + d;
        int op = idx->ip ? RUV_OP_DOT : RUV_OP_L2SQ;
        for (i = 0; i < idx->cfg.pq_m; i++) {
            ruv__code_pq_gather(idx, x, i, sub);
            idx->kern.pq_lut(sub, ruv__code_pq_cent(idx, i), idx->dsub, op, buf + i * 256);
        }
        break;
    }
    default: /* F16, BF16, BIN: the query in the stored form */
        ruv__code_encode(idx, c, x, (unsigned char *)buf);
    }
}

/* PQ without a lookup table: squared L2 (or dot, for IP and cosine) between x, dim floats in
   sub-space order (sub-space j at x[j dsub ..]), and the centroids of code. dim operations
   instead of the 256 dim of building a table: for the few distances from one stored vector
   that HNSW's neighbour selection takes (on two decoded vectors this is the symmetric distance
   of Jegou et al. 2011). */
static float ruv__code_pq_direct(const ruv_index *idx, const float *x, const unsigned char *code) {
    size_t j, d, ds = idx->dsub;
    float r = 0.0f;
    for (j = 0; j < idx->cfg.pq_m; j++) {
        const float *cent = ruv__code_pq_cent(idx, j) + code[j], *xj = x + j * ds;
        for (d = 0; d < ds; d++) {
            float y = cent[d * 256];
            r += idx->ip ? xj[d] * y : (xj[d] - y) * (xj[d] - y);
        }
    }
    return r;
}

/* A custom metric's distance between two f32 vectors; NaN is taken as +infinity. */
static float ruv__dist_custom(const ruv_index *idx, const float *a, const void *b) {
    float d = idx->custom(idx->cfg.distance_user, a, (const float *)b, idx->dim);
    return d == d ? d : (float)HUGE_VAL;
}

/* opt.walk_bits: the query x (normalised for cosine) as bits, into c->nprep, prepared for the
   walk (Hamming distances to the slots' bits). */
static void ruv__code_prep_bits(const ruv_index *idx, ruv_search_ctx *c, const float *x,
                                ruv__prep *p) {
    ruv__code_sign_bits(x, ruv__code_walk_mean(idx), idx->dim, (unsigned char *)c->nprep);
    ruv__code_prep_init(p, c->nprep);
    p->bits = 1;
}

/* Whether an f32 query to a typed index (ruv_search_options.f32_query) can be measured: finite,
   with a squared norm of at most FLT_MAX / 4 (every metric: the kernels sum its squares). */
static int ruv__code_f32_ok(const ruv_index *idx, const float *q) {
    double nn = 0.0;
    size_t i;
    if (!ruv__vec_finite(q, idx->dim))
        return 0;
    for (i = 0; i < idx->dim; i++)
        nn += (double)q[i] * (double)q[i];
    return nn <= 3.4028234663852886e38 / 4.0;
}

/* Prepares the f32 query q to a typed (F16, BF16, I8, U8) index: distances by the f32 kernel of
   the metric's operation on the stored vector converted to f32 (exact) in c->tmp. */
static void ruv__code_prep_mixed(const ruv_index *idx, ruv_search_ctx *c, const float *q,
                                 ruv__prep *p) {
    ruv_op op =
        idx->cfg.metric == RUV_METRIC_COSINE ? RUV_OP_COS : ruv__index_metric_op(idx->cfg.metric);
    ruv__code_prep_init(p, q);
    p->mixed = idx->kern.fn[op][RUV_DTYPE_F32];
    p->conv = c->tmp;
}

/* ruv__dist_query_code for a prep of ruv__code_prep_mixed. */
static float ruv__dist_mixed(const ruv_index *idx, const ruv__prep *p, const unsigned char *code) {
    size_t i, d = idx->dim;
    float r, *x = p->conv;
    switch (idx->cfg.dtype) {
    case RUV_DTYPE_F16:
        idx->kern.f16_to_f32(code, x, d);
        break;
    case RUV_DTYPE_BF16:
        idx->kern.bf16_to_f32(code, x, d);
        break;
    case RUV_DTYPE_I8:
        for (i = 0; i < d; i++)
            x[i] = (float)((const int8_t *)(const void *)code)[i];
        break;
    default:
        for (i = 0; i < d; i++)
            x[i] = (float)code[i];
    }
    r = p->mixed(p->v, x, d);
    return idx->cfg.metric == RUV_METRIC_IP ? 1.0f - r : r;
}

/* What the distances of prep q read for slot s: its code, or its entry in the compact array
   (opt.walk_bits's bits, or the copy of a binary code). */
static const unsigned char *ruv__code_walk(const ruv_index *idx, const ruv__prep *q, uint32_t s) {
    return q->bits || q->compact ? idx->wbits + (size_t)s * idx->bits_bytes
                                 : ruv__slot_code(idx, s);
}

/* Distance from a prepared query to a stored code (ruv__code_walk), in the index metric's
   convention. */
static float ruv__dist_query_code(const ruv_index *idx, const ruv__prep *p,
                                  const unsigned char *code) {
    float r, t;
    if (p->bits)
        return idx->kern.fn[RUV_OP_HAMMING][RUV_DTYPE_BIN](p->v, code, idx->bits_bytes);
    if (p->mixed)
        return ruv__dist_mixed(idx, p, code);
    if (idx->custom)
        return ruv__dist_custom(idx, (const float *)p->v, code);
    if (idx->raw_dist) {
        r = idx->raw_dist(p->v, code, idx->raw_n);
        return idx->dot_based ? 1.0f - r : r;
    }
    if (idx->cfg.quant == RUV_QUANT_PQ) {
        r = p->pq_direct ? ruv__code_pq_direct(idx, (const float *)p->v, code)
                         : idx->kern.adc((const float *)p->v, code, idx->cfg.pq_m);
        return idx->dot_based ? 1.0f - r : r;
    }
    r = p->q16 ? (float)idx->kern.dot_i16_u8(p->q16, code, idx->dim) * p->qinv
               : idx->kern.dot_f32_u8((const float *)p->v, code, idx->dim);
    memcpy(&t, code + idx->sq_off, sizeof t);
    switch (idx->cfg.metric) {
    case RUV_METRIC_L2SQ:
        return p->c0 + t - 2.0f * r;
    case RUV_METRIC_IP:
        return 1.0f - (p->c0 + r);
    default:
        return 1.0f - (p->c0 + r) * t;
    }
}

/* Distances of p to the count slots from s0 on, into out: one call of the one-to-many kernel
   where the stored form has one (binary codes), else one ruv__dist_query_code per slot. */
static void ruv__dist_query_block(const ruv_index *idx, const ruv__prep *p, uint32_t s0,
                                  size_t count, float *out) {
    size_t i;
    if (idx->raw_many && !p->bits && !p->mixed)
        idx->raw_many(p->v, ruv__slot_code(idx, s0), idx->stride, idx->raw_n, count, out);
    else
        for (i = 0; i < count; i++)
            out[i] = ruv__dist_query_code(idx, p, ruv__slot_code(idx, s0 + (uint32_t)i));
}

/* Slot s prepared as a query (for distances between stored vectors): the code itself where the
   stored form is the prepared form, else decoded into c->tmp and prepared into c->nprep (also
   with f32 copies: both sides then carry the same quantization, which built better graphs). */
static void ruv__code_prep_slot(const ruv_index *idx, ruv_search_ctx *c, uint32_t s, ruv__prep *p) {
    const unsigned char *code = ruv__slot_code(idx, s);
    ruv__code_prep_init(p, code);
    if (idx->raw_dist || idx->custom)
        return;
    if (idx->cfg.quant == RUV_QUANT_PQ) { /* its centroids, gathered into sub-space order */
        size_t j, d, ds = idx->dsub;
        for (j = 0; j < idx->cfg.pq_m; j++)
            for (d = 0; d < ds; d++)
                c->nprep[j * ds + d] = ruv__code_pq_cent(idx, j)[d * 256 + code[j]];
        p->v = c->nprep;
        p->pq_direct = 1;
        return;
    }
    /* int16 weights only where the f32 x u8 kernel is slow (SIMD128 has no widening u8 -> f32
       load: about 5x the int16 one), else rounding costs more than the few distances save */
    if (idx->cfg.quant == RUV_QUANT_SQ8 && idx->cfg.metric == RUV_METRIC_L2SQ &&
        idx->kern.isa != RUV_ISA_WASM128) {
        /* L2: the weights straight from the code (its decoded vector x = lo + sc c): w = sc (x -
           lo) = sc^2 c and c0 = |x - lo|^2 = t, the code's own float; IP and cosine decode below */
        const float *sc = ruv__code_sq_scale(idx);
        float *w = c->nprep;
        size_t i, d = idx->dim;
        for (i = 0; i < d; i++)
            w[i] = sc[i] * (sc[i] * (float)code[i]);
        memcpy(&p->c0, code + idx->sq_off, sizeof p->c0);
        p->v = w;
        return;
    }
    ruv__code_decode(idx, code, c->tmp);
    if (idx->cfg.quant == RUV_QUANT_SQ8 && idx->cfg.metric == RUV_METRIC_COSINE) {
        size_t i;
        float t;
        memcpy(&t, code + idx->sq_off, sizeof t);
        for (i = 0; i < idx->dim; i++)
            c->tmp[i] *= t;
    }
    ruv__code_prep_query(idx, c, c->tmp, c->nprep, idx->kern.isa == RUV_ISA_WASM128, p);
}

/* Distance between two stored vectors a and b (via c->nprep). */
static float ruv__dist_slot_code(const ruv_index *idx, ruv_search_ctx *c, uint32_t a, uint32_t b) {
    ruv__prep p;
    ruv__code_prep_slot(idx, c, a, &p);
    return ruv__dist_query_code(idx, &p, ruv__slot_code(idx, b));
}

/* x (dim floats, normalised for cosine) as a re-ranking copy at out (cfg.rerank_dtype). */
static void ruv__code_copy_put(const ruv_index *idx, const float *x, unsigned char *out) {
    if (idx->cfg.rerank_dtype == RUV_DTYPE_F16)
        idx->kern.f32_to_f16(x, out, idx->dim);
    else if (idx->cfg.rerank_dtype == RUV_DTYPE_BF16)
        idx->kern.f32_to_bf16(x, out, idx->dim);
    else
        memcpy(out, x, idx->dim * sizeof *x);
}

/* Slot s's re-ranking copy as f32: the copy itself, or (f16 / bf16 copies) widened into buf
   (dim floats). */
static const float *ruv__code_copy(const ruv_index *idx, uint32_t s, float *buf) {
    const unsigned char *p = idx->fvec + (size_t)s * idx->fvec_bytes;
    if (idx->cfg.rerank_dtype == RUV_DTYPE_F16)
        idx->kern.f16_to_f32(p, buf, idx->dim);
    else if (idx->cfg.rerank_dtype == RUV_DTYPE_BF16)
        idx->kern.bf16_to_f32(p, buf, idx->dim);
    else
        return (const float *)(const void *)p;
    return buf;
}

/* Distance from q (normalised for cosine) to slot s by its re-ranking copy (widened into buf, dim
   floats, if not f32), or the stored vector of an unquantized f32 index: exact but for the
   rounding of f16 / bf16 copies. */
static float ruv__dist_query_f32(const ruv_index *idx, const float *q, uint32_t s, float *buf) {
    const float *v = idx->fvec ? ruv__code_copy(idx, s, buf)
                               : (const float *)(const void *)ruv__slot_code(idx, s);
    float r;
    if (idx->custom)
        return ruv__dist_custom(idx, q, v);
    r = idx->f32_dist(q, v, idx->dim);
    return idx->ip ? 1.0f - r : r;
}

/* Distance between slots a and b: exact where f32 vectors are kept, else on the codes. */
static float ruv__dist_slot_slot(const ruv_index *idx, ruv_search_ctx *c, uint32_t a, uint32_t b) {
    if ((idx->cfg.quant == RUV_QUANT_NONE && idx->cfg.dtype == RUV_DTYPE_F32) || idx->fvec) {
        const float *v = idx->fvec ? ruv__code_copy(idx, a, c->tmp)
                                   : (const float *)(const void *)ruv__slot_code(idx, a);
        return ruv__dist_query_f32(idx, v, b, c->tmp + idx->dim);
    }
    return ruv__dist_slot_code(idx, c, a, b);
}

/* The f32 vector of slot s (normalised for cosine): stored, its copy (widened into c->tmp if
   f16 / bf16), or decoded into c->tmp. */
static const float *ruv__code_f32(const ruv_index *idx, ruv_search_ctx *c, uint32_t s) {
    if (idx->cfg.quant == RUV_QUANT_NONE)
        return (const float *)(const void *)ruv__slot_code(idx, s);
    if (idx->fvec)
        return ruv__code_copy(idx, s, c->tmp);
    ruv__code_decode(idx, ruv__slot_code(idx, s), c->tmp);
    return c->tmp;
}

#endif /* RUV__IMPL */
/************** End of src/codes.h ****************************************************************/
/************** Begin file src/tables.h ***********************************************************/
/* Key and string-id hash tables (open addressing, linear probing, no tombstones), the blob
   columns of string ids and metadata, and growth of every per-slot array (ruv__tab_reserve). */
#ifdef RUV__IMPL

/* Open-addressing hash tables of slots with linear probing: `table` by key, `idtab` by string id
   (which = 0 / 1). Both are kept at most half full, so a probe always meets RUV__NONE. */
static const unsigned char *ruv__tab_blob(const ruv__blobs *b, uint32_t s, size_t *len) {
    if (!b->ref) {
        *len = 0;
        return NULL;
    }
    *len = b->ref[2 * (size_t)s + 1];
    return *len ? b->bytes + b->ref[2 * (size_t)s] : NULL;
}

/* Hash of slot s: of keys[s] if keys is not NULL (a key table), else of its string id in ids. */
static uint64_t ruv__slot_hash(const uint64_t *keys, const ruv__blobs *ids, uint32_t s) {
    size_t len;
    const unsigned char *p;
    if (keys)
        return ruv__hash_mix64(keys[s]);
    p = ruv__tab_blob(ids, s, &len);
    return ruv__xxh64(p, len, 0);
}

/* Slot of t (cap entries) whose string id in ids is id[0..len-1], or RUV__NONE (t NULL too). */
static uint32_t ruv__slots_find_id(const ruv__blobs *ids, const uint32_t *t, size_t cap,
                                   const char *id, size_t len) {
    size_t mask = cap - 1, h;
    if (!t)
        return RUV__NONE;
    for (h = (size_t)ruv__xxh64(id, len, 0) & mask;; h = (h + 1) & mask) {
        uint32_t s = t[h];
        size_t l;
        const unsigned char *p;
        if (s == RUV__NONE)
            return s;
        p = ruv__tab_blob(ids, s, &l);
        if (l == len && memcmp(p, id, len) == 0)
            return s;
    }
}

/* Inserts slot s into t (cap entries, a power of two, with room), hashed as ruv__slot_hash. */
static void ruv__slots_put(const uint64_t *keys, const ruv__blobs *ids, uint32_t *t, size_t cap,
                           uint32_t s) {
    size_t mask = cap - 1, h = (size_t)ruv__slot_hash(keys, ids, s) & mask;
    RUV_ASSERT((cap & mask) == 0 && s != RUV__NONE);
    while (t[h] != RUV__NONE)
        h = (h + 1) & mask;
    t[h] = s;
}

/* Position of slot s in t (s must be there). */
static size_t ruv__slots_pos(const uint64_t *keys, const ruv__blobs *ids, const uint32_t *t,
                             size_t cap, uint32_t s) {
    size_t mask = cap - 1, h = (size_t)ruv__slot_hash(keys, ids, s) & mask;
    while (t[h] != s) {
        RUV_ASSERT(t[h] != RUV__NONE);
        h = (h + 1) & mask;
    }
    return h;
}

/* Removes the entry at pos, shifting later members of its probe run back (no tombstones). */
static void ruv__slots_del(const uint64_t *keys, const ruv__blobs *ids, uint32_t *t, size_t cap,
                           size_t pos) {
    size_t mask = cap - 1, j = pos;
    for (;;) {
        size_t home;
        j = (j + 1) & mask;
        if (t[j] == RUV__NONE)
            break;
        home = (size_t)ruv__slot_hash(keys, ids, t[j]) & mask;
        /* t[j] may move to pos unless its home lies cyclically in (pos, j] */
        if (pos <= j ? (home <= pos || home > j) : (home <= pos && home > j)) {
            t[pos] = t[j];
            pos = j;
        }
    }
    t[pos] = RUV__NONE;
}

/* Sets the blob of slot s in b to p[0..len-1] (len 0 clears; the room was reserved), keeping t
   (cap entries), the id table over b, or none (t NULL). Returns the change in the number of
   slots with a blob: -1, 0 or 1. */
static int ruv__blob_set(ruv__blobs *b, uint32_t *t, size_t cap, uint32_t s, const void *p,
                         size_t len) {
    uint32_t *r;
    int had;
    if (!b->ref)
        return 0; /* column absent: nothing to clear (a set reserved it) */
    r = b->ref + 2 * (size_t)s;
    had = r[1] != 0;
    if (had) {
        if (t)
            ruv__slots_del(NULL, b, t, cap, ruv__slots_pos(NULL, b, t, cap, s));
        b->live -= r[1];
        r[0] = r[1] = 0;
    }
    if (len) {
        memcpy(b->bytes + b->len, p, len);
        r[0] = (uint32_t)b->len;
        r[1] = (uint32_t)len;
        b->len += len;
        b->live += len;
        if (t)
            ruv__slots_put(NULL, b, t, cap, s);
    }
    return (len != 0) - had;
}

/* Moves the blob of slot from to slot to (whose own is empty), keeping t as ruv__blob_set. */
static void ruv__blob_move(ruv__blobs *b, uint32_t *t, size_t cap, uint32_t from, uint32_t to) {
    uint32_t *f, *d;
    if (!b->ref)
        return;
    f = b->ref + 2 * (size_t)from;
    d = b->ref + 2 * (size_t)to;
    if (t && f[1])
        t[ruv__slots_pos(NULL, b, t, cap, from)] = to;
    d[0] = f[0];
    d[1] = f[1];
    f[0] = f[1] = 0;
}

/* The dense index's two tables: `table` by key, `idtab` by string id (which = 0 / 1). */
#define RUV__TAB_KEYS(idx, which) ((which) ? NULL : (idx)->keys)

/* Slot holding key, or RUV__NONE. */
static uint32_t ruv__tab_find_key(const ruv_index *idx, uint64_t key) {
    size_t mask = idx->table_cap - 1, h = (size_t)ruv__hash_mix64(key) & mask;
    for (;; h = (h + 1) & mask) {
        uint32_t s = idx->table[h];
        if (s == RUV__NONE || idx->keys[s] == key)
            return s;
    }
}

/* Slot whose string id is id[0..len-1], or RUV__NONE. */
static uint32_t ruv__tab_find_id(const ruv_index *idx, const char *id, size_t len) {
    return ruv__slots_find_id(&idx->ids, idx->idtab, idx->idtab_cap, id, len);
}

static void ruv__tab_put(const ruv_index *idx, int which, uint32_t *t, size_t cap, uint32_t s) {
    ruv__slots_put(RUV__TAB_KEYS(idx, which), &idx->ids, t, cap, s);
}

/* Position of slot s in table `which` (s must be there). */
static size_t ruv__tab_pos(const ruv_index *idx, int which, uint32_t s) {
    return ruv__slots_pos(RUV__TAB_KEYS(idx, which), &idx->ids, which ? idx->idtab : idx->table,
                          which ? idx->idtab_cap : idx->table_cap, s);
}

static void ruv__tab_del(const ruv_index *idx, int which, size_t pos) {
    ruv__slots_del(RUV__TAB_KEYS(idx, which), &idx->ids, which ? idx->idtab : idx->table,
                   which ? idx->idtab_cap : idx->table_cap, pos);
}

/* Pending growth of one blob column (see ruv__tab_reserve). */
typedef struct ruv__blob_grow {
    uint32_t *ref;
    unsigned char *bytes;
    size_t ref_n, cap; /* u32s in ref; bytes */
} ruv__blob_grow;

/* Plans and allocates room in b for `add` more bytes with `slots` slots. All or nothing. */
static ruv_result ruv__tab_blob_alloc(ruv__mem *m, const ruv__blobs *b, size_t slots,
                                      size_t old_slots, size_t add, ruv__blob_grow *g) {
    memset(g, 0, sizeof *g);
    if (!b->ref && !add)
        return RUV_OK;
    if (!b->ref || slots > old_slots) {
        g->ref_n = slots * 2;
        if (!(g->ref = (uint32_t *)ruv__mem_alloc(m, g->ref_n * 4)))
            return RUV_E_NOMEM;
    }
    if (b->len + add > b->cap) {
        size_t need = b->live + add;
        if (need > 0xFFFFFFFFu)
            return RUV_E_FULL;
        g->cap = need < 32 ? 64 : (need > 0x7FFFFFFFu ? 0xFFFFFFFFu : 2 * need);
        if (!(g->bytes = (unsigned char *)ruv__mem_alloc(m, g->cap)))
            return RUV_E_NOMEM;
    }
    return RUV_OK;
}

static void ruv__tab_blob_drop(ruv__mem *m, ruv__blob_grow *g) {
    ruv__mem_free(m, g->ref, g->ref_n * 4);
    ruv__mem_free(m, g->bytes, g->cap);
}

/* Installs g into b (refs copied for count slots, live strings compacted into the new arena). */
static void ruv__tab_blob_commit(ruv__mem *m, ruv__blobs *b, ruv__blob_grow *g, size_t count,
                                 size_t old_slots) {
    size_t s;
    if (g->ref) {
        memset(g->ref, 0, g->ref_n * 4);
        if (b->ref)
            memcpy(g->ref, b->ref, count * 2 * 4);
        ruv__mem_free(m, b->ref, b->ref ? old_slots * 2 * 4 : 0);
        b->ref = g->ref;
    }
    if (g->bytes) {
        size_t len = 0;
        for (s = 0; s < count; s++) {
            uint32_t *r = b->ref + 2 * s;
            if (r[1]) {
                memcpy(g->bytes + len, b->bytes + r[0], r[1]);
                r[0] = (uint32_t)len;
                len += r[1];
            }
        }
        ruv__mem_free(m, b->bytes, b->cap);
        b->bytes = g->bytes;
        b->cap = g->cap;
        b->len = len;
    }
}

/* Grows every per-slot array to `cap` slots (cap >= idx->cap; idx->cap keeps them), adds room
   for `upper` more u32 of upper-level lists and id_add / meta_add more bytes of string ids /
   metadata (a column is created when first given bytes). Sizes are computed in 64 bits and
   refused with RUV_E_NOMEM when this machine cannot address them (32-bit hosts, WebAssembly).
   All or nothing: RUV_E_NOMEM or RUV_E_FULL with nothing changed. */
static ruv_result ruv__tab_resize(ruv_index *idx, size_t cap, size_t upper, size_t id_add,
                                  size_t meta_add) {
    int ok = 1, hnsw = idx->cfg.kind == RUV_INDEX_HNSW;
    size_t tcap, ucap, old_cap = idx->cap;
    uint64_t t64 = idx->table_cap, u64 = idx->upper_cap, ulen;
    unsigned char *data = NULL;
    uint64_t *keys = NULL;
    uint32_t *table = NULL, *uoff = NULL, *up = NULL, *idtab = NULL;
    uint8_t *levels = NULL;
    unsigned char *fv = NULL, *wb = NULL;
    int copies = idx->cfg.quant != RUV_QUANT_NONE && !idx->cfg.drop_f32;
    ruv__blob_grow gi, gm;
    ruv_result r = RUV_E_NOMEM;

    memset(&gi, 0, sizeof gi);
    memset(&gm, 0, sizeof gm);
    if (cap > RUV_MAX_COUNT)
        return RUV_E_FULL;
    RUV_ASSERT(cap >= idx->cap);
    while (t64 < 2 * (uint64_t)cap) /* key (and id) table: at most half full */
        t64 *= 2;
    ulen = (uint64_t)idx->upper_len + upper;
    if (ulen >= RUV__NONE)
        return RUV_E_FULL;
    while (u64 < ulen)
        u64 = u64 ? 2 * u64 : 1024;
    if (u64 > RUV__NONE)
        u64 = RUV__NONE;
    if (t64 > (size_t)-1 / 4 || u64 > (size_t)-1 / 4)
        return RUV_E_NOMEM;
    tcap = (size_t)t64;
    ucap = (size_t)u64;
    ruv__size_mul(cap, idx->stride + RUV__ALIGN, &ok);
    ruv__size_mul(cap, idx->dim * sizeof *fv, &ok);
    ruv__size_mul(cap, 8, &ok);
    if (!ok)
        return RUV_E_NOMEM;

    if (cap > idx->cap) {
        if (!(data = (unsigned char *)ruv__mem_alloc_aligned(&idx->mem, cap * idx->stride)) ||
            !(keys = (uint64_t *)ruv__mem_alloc(&idx->mem, cap * sizeof *keys)))
            goto fail;
        if (hnsw && (!(levels = (uint8_t *)ruv__mem_alloc(&idx->mem, cap)) ||
                     !(uoff = (uint32_t *)ruv__mem_alloc(&idx->mem, cap * sizeof *uoff))))
            goto fail;
        if (copies && !(fv = (unsigned char *)ruv__mem_alloc(&idx->mem, cap * idx->fvec_bytes)))
            goto fail;
        if (idx->bits_bytes &&
            !(wb = (unsigned char *)ruv__mem_alloc(&idx->mem, cap * idx->bits_bytes)))
            goto fail;
    }
    if (tcap > idx->table_cap && !(table = (uint32_t *)ruv__mem_alloc(&idx->mem, tcap * 4)))
        goto fail;
    if ((idx->idtab || id_add) && idx->idtab_cap != tcap &&
        !(idtab = (uint32_t *)ruv__mem_alloc(&idx->mem, tcap * 4)))
        goto fail;
    if (ucap > idx->upper_cap && !(up = (uint32_t *)ruv__mem_alloc(&idx->mem, ucap * 4)))
        goto fail;
    if ((r = ruv__tab_blob_alloc(&idx->mem, &idx->ids, cap, old_cap, id_add, &gi)) != RUV_OK ||
        (r = ruv__tab_blob_alloc(&idx->mem, &idx->meta, cap, old_cap, meta_add, &gm)) != RUV_OK)
        goto fail;
    /* the index's own scratch for inserting: last, as it is all or nothing itself */
    r = RUV_E_NOMEM;
    if (ruv__ctx_reserve(idx->ctx, hnsw ? cap : 0, ruv__index_pool(idx), (size_t)idx->m0 + 1) !=
        RUV_OK)
        goto fail;

    /* Nothing can fail from here on. The copies are made with the lock released: readers keep
       using the old arrays, which only this writer could change; then the new ones replace
       them under the lock. */
    ruv__excl_pause(idx);
    if (data && idx->count) {
        memcpy(data, idx->data, idx->count * idx->stride);
        memcpy(keys, idx->keys, idx->count * sizeof *keys);
        if (copies)
            memcpy(fv, idx->fvec, idx->count * idx->fvec_bytes);
        if (wb)
            memcpy(wb, idx->wbits, idx->count * idx->bits_bytes);
        if (hnsw) {
            memcpy(levels, idx->levels, idx->count);
            memcpy(uoff, idx->upper_off, idx->count * sizeof *uoff);
        }
    }
    if (table) {
        size_t i;
        memset(table, 0xFF, tcap * 4);
        for (i = 0; i < idx->count; i++)
            if (!ruv__slot_dead(idx, i))
                ruv__tab_put(idx, 0, table, tcap, (uint32_t)i);
    }
    if (idtab) {
        size_t i, len;
        memset(idtab, 0xFF, tcap * 4);
        for (i = 0; i < idx->count; i++)
            if (ruv__tab_blob(&idx->ids, (uint32_t)i, &len))
                ruv__tab_put(idx, 1, idtab, tcap, (uint32_t)i);
    }
    if (up && idx->upper_len)
        memcpy(up, idx->upper, idx->upper_len * 4);
    ruv__excl_resume(idx);
    if (data) {
        ruv__mem_free_aligned(&idx->mem, idx->data, idx->cap * idx->stride);
        ruv__mem_free(&idx->mem, idx->keys, idx->cap * sizeof *keys);
        idx->data = data;
        idx->keys = keys;
        if (copies) {
            ruv__mem_free(&idx->mem, idx->fvec, idx->cap * idx->fvec_bytes);
            idx->fvec = fv;
        }
        if (wb) {
            ruv__mem_free(&idx->mem, idx->wbits, idx->cap * idx->bits_bytes);
            idx->wbits = wb;
        }
        if (hnsw) {
            ruv__mem_free(&idx->mem, idx->levels, idx->cap);
            ruv__mem_free(&idx->mem, idx->upper_off, idx->cap * sizeof *uoff);
            idx->levels = levels;
            idx->upper_off = uoff;
        }
        idx->cap = cap;
    }
    ruv__tab_blob_commit(&idx->mem, &idx->ids, &gi, idx->count, old_cap);
    ruv__tab_blob_commit(&idx->mem, &idx->meta, &gm, idx->count, old_cap);
    if (table) {
        ruv__mem_free(&idx->mem, idx->table, idx->table_cap * 4);
        idx->table = table;
        idx->table_cap = tcap;
    }
    if (idtab) {
        ruv__mem_free(&idx->mem, idx->idtab, idx->idtab_cap * 4);
        idx->idtab = idtab;
        idx->idtab_cap = tcap;
    }
    if (up) {
        ruv__mem_free(&idx->mem, idx->upper, idx->upper_cap * 4);
        idx->upper = up;
        idx->upper_cap = ucap;
    }
    return RUV_OK;
fail:
    ruv__mem_free_aligned(&idx->mem, data, cap * idx->stride);
    ruv__mem_free(&idx->mem, keys, cap * sizeof *keys);
    ruv__mem_free(&idx->mem, levels, cap);
    ruv__mem_free(&idx->mem, uoff, cap * sizeof *uoff);
    ruv__mem_free(&idx->mem, fv, cap * idx->dim * sizeof *fv);
    ruv__mem_free(&idx->mem, wb, cap * idx->bits_bytes);
    ruv__mem_free(&idx->mem, table, tcap * 4);
    ruv__mem_free(&idx->mem, idtab, tcap * 4);
    ruv__mem_free(&idx->mem, up, ucap * 4);
    ruv__tab_blob_drop(&idx->mem, &gi);
    ruv__tab_blob_drop(&idx->mem, &gm);
    return r;
}

/* Makes room for `slots` slots (growing by doubling while the slot arena is below 64 MiB, then by
   half, so that a large index does not need three times its arena while it grows; where that
   much cannot be had, by less, down to exactly `slots`; the first arrays exactly `slots`), `upper`
   more u32 of upper-level lists and id / metadata bytes: see ruv__tab_resize. */
static ruv_result ruv__tab_reserve(ruv_index *idx, size_t slots, size_t upper, size_t id_add,
                                   size_t meta_add) {
    uint64_t cap = idx->cap, want;
    ruv_result r;
    unsigned k;
    if (slots > RUV_MAX_COUNT)
        return RUV_E_FULL;
    if (cap == 0) { /* the first arrays: exactly the capacity asked for */
        cap = slots;
    } else {
        while (cap < slots)
            cap += cap * idx->stride < ((uint64_t)64 << 20) ? cap : cap / 2 + 1;
        if (cap > RUV_MAX_COUNT)
            cap = RUV_MAX_COUNT;
    }
    /* near the memory limit, settle for less spare room: 7/8, 6/8, ... of the step, down to
       exactly `slots` (a failed attempt keeps nothing) */
    for (k = 8;; k--) {
        want = slots + (cap - slots) * k / 8;
        r = ruv__tab_resize(idx, (size_t)want, upper, id_add, meta_add);
        if (r != RUV_E_NOMEM || k == 0 || want <= idx->cap)
            return r;
    }
}

#endif /* RUV__IMPL */
/************** End of src/tables.h ***************************************************************/
/************** Begin file src/journal.h **********************************************************/
/* Journal (write-ahead log) of a dense index: the record writer that the write paths call
   before they change anything (ruv__journal_log_*), replay, attach / detach / sync, and the file
   API (ruv_index_open_file, ruv_index_checkpoint: snapshot + journal side by side). */
#ifdef RUV__IMPL

/* JOURNAL FORMAT (version 1; every integer little-endian)
     header, 32 bytes:
          0  char[8] "RUVJRNL\0"
          8  u32 version (1)
         12  u32 dim of the index
         16  u64 base: id of the snapshot the journal follows (ruv_index_snapshot_id: the
             XXH64 at byte 120 of the saved FORMAT's header)
         24  u64 XXH64 (seed 0) of bytes 0..23
     records, back to back from byte 32; each is a multiple of 8 bytes:
          0  u32 magic 0x4C4A5652 ("RVJL")
          4  u32 op
          8  u64 sequence number: 1 for the first record after the header, then +1
         16  u64 payload length L
         24  payload, then zero padding to a multiple of 8
         24 + L + pad: u64 XXH64 (seed 0) of the record's bytes before it
     ops and their payloads (a vector is one vector of the index dtype as the caller gave it,
     in_bytes bytes: dim f32 for the default dtype):
         1 add     u64 n, u64 0, n u64 keys, n vectors (ruv_index_add, ruv_index_add_batch: a
                   batch is one record, applied all or nothing)
         2 put     u64 key, u32 mode (ruv_put_mode), u32 has (1 vector, 2 id, 4 metadata: the
                   item's non-NULL fields), u64 id length, u64 metadata length, then the vector
                   padded with zeros to a multiple of 8 (if has & 1), the id bytes, the metadata
                   bytes (ruv_index_put, _update, _upsert)
         3 remove  u64 key
         4 tables  the quantizer tables that ruv_index_train or ruv_index_set_sq8_range computed,
                   as section 13 of the saved FORMAT (ruv__index_qp_bytes of them); applied to an
                   empty index (replay does not depend on the kernels that trained them)
     A replay applies the records in order and stops at the first that is short, has a wrong
     magic or checksum, or is not the next sequence number: that part and everything after it is
     reported, never applied. Records are written before the index changes (write-ahead) and the
     write is acknowledged only after the record was written and, per durability level, synced.
*/

/* Test builds define RUV_TEST_IO_HOOK() to run code (e.g. kill the process) before each sync,
   rename and file creation of the journal and file functions, and RUV_TEST_IO_WRITE_HOOK(fd,
   data, len) before each write (it may write part of the data first: a torn write); empty
   otherwise. */
#ifdef RUV_TEST_IO_HOOK
#define RUV__IO_POINT() RUV_TEST_IO_HOOK()
#else
#define RUV__IO_POINT() ((void)0)
#endif
#ifdef RUV_TEST_IO_WRITE_HOOK
#define RUV__IO_WRITE_POINT(fd, p, n) RUV_TEST_IO_WRITE_HOOK(fd, p, n)
#else
#define RUV__IO_WRITE_POINT(fd, p, n) RUV__IO_POINT()
#endif

#define RUV__J_HDR 32u
#define RUV__J_REC 24u
#define RUV__J_MAGIC 0x4C4A5652u
#define RUV__J_VERSION 1u
enum { RUV__J_ADD = 1, RUV__J_PUT, RUV__J_REMOVE, RUV__J_TABLES };

typedef struct ruv__journal {
    ruv_journal_options o;
    ruv_index *idx;
    uint64_t seq;              /* sequence number of the next record */
    uint64_t size;             /* bytes kept in the journal: header and whole records */
    uint32_t pending;          /* records since the last sync */
    int broken;                /* a failed append could not be undone: writes are refused */
    size_t nstage;             /* bytes waiting in stage */
    unsigned char stage[4096]; /* small records go to the writer in one call */
    /* file journals (ruv_index_open_file): path, "<path>.journal", "<path>.journal.ruvtmp" */
    char *names;
    size_t path_len;
    int fd;
} ruv__journal;

typedef struct ruv__jpiece {
    const void *p;
    size_t n;
} ruv__jpiece;

static void ruv__journal_header(unsigned char h[RUV__J_HDR], uint32_t dim, uint64_t base) {
    memcpy(h, "RUVJRNL", 8);
    ruv__le_wr32(h + 8, RUV__J_VERSION);
    ruv__le_wr32(h + 12, dim);
    ruv__le_wr64(h + 16, base);
    ruv__le_wr64(h + 24, ruv__xxh64(h, 24, 0));
}

/* Hands the staged bytes to the writer; 1 on success. */
static int ruv__journal_flush(ruv__journal *j) {
    int ok = j->nstage == 0 || j->o.write(j->o.user, j->stage, j->nstage) == 0;
    j->nstage = 0;
    return ok;
}

/* Appends p[0..n-1] to the record (hashed into h unless h is NULL); 1 on success. */
static int ruv__journal_put(ruv__journal *j, ruv__xxh *h, const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    if (n == 0)
        return 1;
    if (h)
        ruv__xxh_update(h, p, n);
    while (n) {
        size_t room = sizeof j->stage - j->nstage, k;
        if (n >= sizeof j->stage) /* a large piece goes straight through */
            return ruv__journal_flush(j) && j->o.write(j->o.user, b, n) == 0;
        if (room == 0) {
            if (!ruv__journal_flush(j))
                return 0;
            continue;
        }
        k = n < room ? n : room;
        memcpy(j->stage + j->nstage, b, k);
        j->nstage += k;
        b += k;
        n -= k;
    }
    return 1;
}

static int ruv__journal_sync(ruv__journal *j) {
    if (j->o.sync && j->o.sync(j->o.user) != 0)
        return 0;
    j->pending = 0;
    return 1;
}

/* Appends one record (op, payload = the pieces back to back) and syncs it per the durability
   level. On failure the partial record is cut off (truncate callback) or the journal is marked
   broken; RUV_E_IO either way, and the caller leaves the index unchanged. */
static ruv_result ruv__journal_emit_io(ruv_index *idx, uint32_t op, const ruv__jpiece *pc,
                                       size_t np) {
    ruv__journal *j = idx->journal;
    unsigned char head[RUV__J_REC], tail[16];
    uint64_t len = 0;
    size_t i, pad;
    int ok;
    ruv__xxh h;
    if (j->broken)
        return RUV_E_IO;
    for (i = 0; i < np; i++) /* pieces of objects in memory: the sum fits in 64 bits */
        len += pc[i].n;
    pad = (size_t)((8u - (len & 7u)) & 7u);
    ruv__le_wr32(head, RUV__J_MAGIC);
    ruv__le_wr32(head + 4, op);
    ruv__le_wr64(head + 8, j->seq);
    ruv__le_wr64(head + 16, len);
    memset(tail, 0, sizeof tail);
    ruv__xxh_init(&h, 0);
    j->nstage = 0;
    ok = ruv__journal_put(j, &h, head, sizeof head);
    for (i = 0; ok && i < np; i++)
        ok = ruv__journal_put(j, &h, pc[i].p, pc[i].n);
    if (ok)
        ok = ruv__journal_put(j, &h, tail, pad);
    if (ok) {
        ruv__le_wr64(tail + 8, ruv__xxh_final(&h));
        ok = ruv__journal_put(j, NULL, tail + 8, 8) && ruv__journal_flush(j);
    }
    if (ok && (j->o.durability == RUV_DURABLE_EACH ||
               (j->o.durability == RUV_DURABLE_GROUP && j->pending + 1 >= j->o.group_records)))
        ok = ruv__journal_sync(j);
    else if (ok)
        j->pending++;
    if (!ok) { /* undo: cut the journal back to its last whole record */
        j->nstage = 0;
        if (!j->o.truncate || j->o.truncate(j->o.user, j->size) != 0 ||
            (j->o.sync && j->o.sync(j->o.user) != 0))
            j->broken = 1;
        return RUV_E_IO;
    }
    j->size += RUV__J_REC + len + pad + 8;
    j->seq++;
    return RUV_OK;
}

/* The record is written and synced with the lock released (CONCURRENCY): readers go on during
   the I/O; the writer mutex keeps other writers out, and nothing is published yet. */
static ruv_result ruv__journal_emit(ruv_index *idx, uint32_t op, const ruv__jpiece *pc, size_t np) {
    ruv_result r;
    ruv__excl_pause(idx);
    r = ruv__journal_emit_io(idx, op, pc, np);
    ruv__excl_resume(idx);
    return r;
}

/* ---- hooks: one call from each write path, after its checks, before it changes anything ----- */
static ruv_result ruv__journal_log_add(ruv_index *idx, size_t n, const uint64_t *keys,
                                       const void *vecs) {
    unsigned char h[16];
    ruv__jpiece pc[3];
    ruv__le_wr64(h, n);
    ruv__le_wr64(h + 8, 0);
    pc[0].p = h, pc[0].n = sizeof h;
    pc[1].p = keys, pc[1].n = n * sizeof *keys; /* both arrays are in memory: no overflow */
    pc[2].p = vecs, pc[2].n = n * idx->in_bytes;
    return ruv__journal_emit(idx, RUV__J_ADD, pc, 3);
}

static ruv_result ruv__journal_log_put(ruv_index *idx, const ruv_item *it, ruv_put_mode mode) {
    unsigned char h[32], zero[8];
    ruv__jpiece pc[5];
    uint32_t has = (it->vector ? 1u : 0u) | (it->id ? 2u : 0u) | (it->meta ? 4u : 0u);
    size_t vb = it->vector ? idx->in_bytes : 0;
    memset(zero, 0, sizeof zero);
    ruv__le_wr64(h, it->key);
    ruv__le_wr32(h + 8, (uint32_t)mode);
    ruv__le_wr32(h + 12, has);
    ruv__le_wr64(h + 16, it->id ? it->id_len : 0);
    ruv__le_wr64(h + 24, it->meta ? it->meta_len : 0);
    pc[0].p = h, pc[0].n = sizeof h;
    pc[1].p = it->vector, pc[1].n = vb;
    pc[2].p = zero, pc[2].n = (8 - (vb & 7)) & 7;
    pc[3].p = it->id, pc[3].n = it->id ? it->id_len : 0;
    pc[4].p = it->meta, pc[4].n = it->meta ? it->meta_len : 0;
    return ruv__journal_emit(idx, RUV__J_PUT, pc, 5);
}

static ruv_result ruv__journal_log_remove(ruv_index *idx, uint64_t key) {
    unsigned char h[8];
    ruv__jpiece pc;
    ruv__le_wr64(h, key);
    pc.p = h, pc.n = sizeof h;
    return ruv__journal_emit(idx, RUV__J_REMOVE, &pc, 1);
}

static ruv_result ruv__journal_log_tables(ruv_index *idx, const float *qp, size_t bytes) {
    ruv__jpiece pc;
    pc.p = qp, pc.n = bytes;
    return ruv__journal_emit(idx, RUV__J_TABLES, &pc, 1);
}

/* ---- replay ------------------------------------------------------------------------------------
 */
/* The writers behind the public calls (src/store.h): a replay holds the index already. */
static ruv_result ruv__i_add_batch(ruv_index *idx, size_t n, const uint64_t *keys, const void *vecs,
                                   const ruv_build_options *opt);
static ruv_result ruv__i_put(ruv_index *idx, const ruv_item *it, ruv_put_mode mode);
static ruv_result ruv__i_remove(ruv_index *idx, uint64_t key);
/* Whether qp (ruv__index_qp_bytes) holds tables the index can use: finite floats, non-negative
   SQ8 steps, a PQ permutation. RUV_E_NOMEM if the permutation check had no memory. */
static ruv_result ruv__journal_tables_ok(ruv_index *idx, const float *qp) {
    size_t d = idx->dim, nf = ruv__index_qp_bytes(&idx->cfg) / sizeof *qp, s;
    ruv_result r = RUV_OK;
    if (idx->cfg.quant == RUV_QUANT_PQ) {
        const uint32_t *perm = (const uint32_t *)(const void *)qp;
        unsigned char *seen = (unsigned char *)ruv__mem_alloc(&idx->mem, d);
        if (!seen)
            return RUV_E_NOMEM;
        memset(seen, 0, d);
        for (s = 0; s < d && r == RUV_OK; s++) {
            if (perm[s] >= d || seen[perm[s]])
                r = RUV_E_CORRUPT;
            else
                seen[perm[s]] = 1;
        }
        ruv__mem_free(&idx->mem, seen, d);
        return r != RUV_OK || ruv__vec_finite(qp + d, nf - d) ? r : RUV_E_CORRUPT;
    }
    if (!ruv__vec_finite(qp, nf))
        return RUV_E_CORRUPT;
    for (s = 0; idx->cfg.quant == RUV_QUANT_SQ8 && s < d; s++)
        if (qp[d + s] < 0.0f)
            return RUV_E_CORRUPT;
    return RUV_OK;
}

/* Applies one record's payload p[0..len-1] (8-byte aligned) through the public write calls. */
static ruv_result ruv__journal_apply(ruv_index *idx, uint32_t op, const unsigned char *p,
                                     uint64_t len) {
    uint64_t n, idl, ml, vb;
    uint32_t mode, has;
    size_t per = 8 + idx->in_bytes, qb;
    ruv_item it;
    float *qp;
    ruv_result r;
    switch (op) {
    case RUV__J_ADD:
        if (len < 16)
            return RUV_E_CORRUPT;
        n = ruv__le_rd64(p);
        if (ruv__le_rd64(p + 8) != 0 || n > (len - 16) / per || 16 + n * per != len)
            return RUV_E_CORRUPT;
        return ruv__i_add_batch(idx, (size_t)n, (const uint64_t *)(const void *)(p + 16),
                                p + 16 + n * 8, NULL);
    case RUV__J_PUT:
        if (len < 32)
            return RUV_E_CORRUPT;
        mode = ruv__le_rd32(p + 8);
        has = ruv__le_rd32(p + 12);
        idl = ruv__le_rd64(p + 16);
        ml = ruv__le_rd64(p + 24);
        vb = has & 1u ? (idx->in_bytes + 7u) & ~(uint64_t)7u : 0;
        if (mode > (uint32_t)RUV_PUT_UPSERT || (has & ~7u) || (!(has & 2u) && idl) ||
            (!(has & 4u) && ml) || idl > len || ml > len || vb > len || 32 + vb + idl + ml != len)
            return RUV_E_CORRUPT;
        memset(&it, 0, sizeof it);
        it.key = ruv__le_rd64(p);
        it.vector = has & 1u ? p + 32 : NULL;
        it.id = has & 2u ? (const char *)(p + 32 + vb) : NULL;
        it.id_len = (size_t)idl;
        it.meta = has & 4u ? p + 32 + vb + idl : NULL;
        it.meta_len = (size_t)ml;
        return ruv__i_put(idx, &it, (ruv_put_mode)mode);
    case RUV__J_REMOVE:
        return len == 8 ? ruv__i_remove(idx, ruv__le_rd64(p)) : RUV_E_CORRUPT;
    case RUV__J_TABLES:
        qb = ruv__index_qp_bytes(&idx->cfg);
        if (!qb || len != qb)
            return RUV_E_CORRUPT;
        if (idx->count)
            return RUV_E_STATE;
        if ((r = ruv__journal_tables_ok(idx, (const float *)(const void *)p)) != RUV_OK)
            return r;
        if (!(qp = (float *)ruv__mem_alloc(&idx->mem, qb)))
            return RUV_E_NOMEM;
        memcpy(qp, p, qb);
        ruv__mem_free(&idx->mem, idx->qp, qb);
        idx->qp = qp;
        return RUV_OK;
    default:
        return RUV_E_CORRUPT;
    }
}

/* Builds without the checksum gate reach the record checks from any fuzzer input. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define RUV__J_SUM_OK(a, b) ((void)(a), (void)(b), 1)
#else
#define RUV__J_SUM_OK(a, b) ((a) == (b))
#endif

/* Replays records from b + off (header already checked) into idx; fills rep. */
static ruv_result ruv__journal_records(ruv_index *idx, const unsigned char *b, uint64_t len,
                                       ruv_journal_report *rep) {
    uint64_t off = RUV__J_HDR, seq = 1, plen, total;
    ruv_result r = RUV_OK;
    for (;;) {
        const unsigned char *rec = b + off, *p;
        unsigned char *copy = NULL;
        size_t i;
        int zero = 1;
        if (off == len) {
            rep->stop = RUV_JOURNAL_END;
            break;
        }
        if (len - off < RUV__J_REC + 8) {
            rep->stop = RUV_JOURNAL_TORN;
            break;
        }
        if (ruv__le_rd32(rec) != RUV__J_MAGIC) {
            rep->stop = RUV_JOURNAL_MAGIC;
            break;
        }
        plen = ruv__le_rd64(rec + 16);
        if (plen > len - off - RUV__J_REC - 8 ||
            ((plen + 7u) & ~(uint64_t)7u) > len - off - RUV__J_REC - 8) {
            rep->stop = RUV_JOURNAL_TORN;
            break;
        }
        total = RUV__J_REC + ((plen + 7u) & ~(uint64_t)7u) + 8;
        if (!RUV__J_SUM_OK(ruv__xxh64(rec, (size_t)(total - 8), 0),
                           ruv__le_rd64(rec + total - 8))) {
            rep->stop = RUV_JOURNAL_CHECKSUM;
            break;
        }
        if (ruv__le_rd64(rec + 8) != seq) {
            rep->stop = RUV_JOURNAL_SEQUENCE;
            break;
        }
        for (i = (size_t)plen; i < (size_t)(total - RUV__J_REC - 8); i++)
            zero &= rec[RUV__J_REC + i] == 0;
        p = rec + RUV__J_REC;
        if (!zero) {
            r = RUV_E_CORRUPT;
        } else if (((uintptr_t)p & 7u) && plen) { /* the vectors and keys are read in place */
            if (!(copy = (unsigned char *)ruv__mem_alloc(&idx->mem, (size_t)plen)))
                r = RUV_E_NOMEM;
            else
                memcpy(copy, p, (size_t)plen), p = copy;
        }
        if (r == RUV_OK)
            r = ruv__journal_apply(idx, ruv__le_rd32(rec + 4), p, plen);
        ruv__mem_free(&idx->mem, copy, (size_t)plen);
        if (r != RUV_OK) {
            rep->stop = RUV_JOURNAL_RECORD;
            rep->status = r;
            r = r == RUV_E_NOMEM ? RUV_E_NOMEM : RUV_E_CORRUPT;
            break;
        }
        off += total;
        seq++;
        rep->records++;
    }
    rep->valid_bytes = off;
    rep->ignored_bytes = len - off;
    rep->next_seq = seq;
    return r;
}

static ruv_result ruv__i_journal_replay(ruv_index *idx, const void *buf, size_t len, uint64_t base,
                                        ruv_journal_report *rep) {
    const unsigned char *b = (const unsigned char *)buf;
    ruv_journal_report tmp;
    ruv__journal *j;
    ruv_result r;
    if (!rep)
        rep = &tmp;
    memset(rep, 0, sizeof *rep);
    rep->ignored_bytes = len;
    rep->next_seq = 1;
    if (!idx || (!buf && len))
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (len < RUV__J_HDR) {
        rep->stop = RUV_JOURNAL_TORN;
        return RUV_OK;
    }
    if (memcmp(b, "RUVJRNL", 8) != 0) {
        rep->stop = RUV_JOURNAL_MAGIC;
        return RUV_OK;
    }
    if (!RUV__J_SUM_OK(ruv__xxh64(b, 24, 0), ruv__le_rd64(b + 24))) {
        rep->stop = RUV_JOURNAL_CHECKSUM;
        return RUV_OK;
    }
    rep->base = ruv__le_rd64(b + 16);
    if (ruv__le_rd32(b + 8) != RUV__J_VERSION) {
        rep->stop = RUV_JOURNAL_VERSION;
        return RUV_OK;
    }
    if ((base && rep->base != base) || ruv__le_rd32(b + 12) != idx->cfg.dim) {
        rep->stop = RUV_JOURNAL_BASE;
        return RUV_OK;
    }
    j = idx->journal; /* replayed writes are not logged again */
    idx->journal = NULL;
    r = ruv__journal_records(idx, b, len, rep);
    idx->journal = j;
    return r;
}

/* ---- attach, detach, sync ------------------------------------------------------------------- */
static ruv__journal *ruv__journal_new(ruv_index *idx, const ruv_journal_options *opt) {
    ruv__journal *j = (ruv__journal *)ruv__mem_alloc(&idx->mem, sizeof *j);
    if (!j)
        return NULL;
    memset(j, 0, sizeof *j);
    j->o = *opt;
    if (!j->o.group_records)
        j->o.group_records = 64;
    j->idx = idx;
    j->fd = -1;
    j->seq = opt->next_seq ? opt->next_seq : 1;
    j->size = opt->next_seq ? opt->size : 0;
    return j;
}

/* Syncs (if records wait) and releases the journal of idx; 0 if that sync failed. */
static int ruv__journal_end(ruv_index *idx) {
    ruv__journal *j = idx->journal;
    int ok = 1;
    if (!j)
        return 1;
    if (j->pending && !j->broken)
        ok = ruv__journal_sync(j);
#if defined(RUV__POSIX_IO)
    if (j->fd >= 0)
        close(j->fd);
#endif
    if (j->names)
        ruv__mem_free(&idx->mem, j->names, 3 * (j->path_len + 16));
    ruv__mem_free(&idx->mem, j, sizeof *j);
    idx->journal = NULL;
    return ok;
}

/* Called by ruv_index_free. */
static void ruv__journal_close(ruv_index *idx) { (void)ruv__journal_end(idx); }

static ruv_result ruv__i_journal_attach(ruv_index *idx, const ruv_journal_options *opt) {
    ruv__journal *j;
    unsigned char h[RUV__J_HDR];
    if (!idx || !opt || !opt->write || (unsigned)opt->durability > (unsigned)RUV_DURABLE_MANUAL)
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (!ruv__host_le())
        return RUV_E_UNSUPPORTED;
    if (!(j = ruv__journal_new(idx, opt)))
        return RUV_E_NOMEM;
    if (!opt->next_seq) {
        ruv__journal_header(h, idx->cfg.dim, opt->base);
        if (opt->write(opt->user, h, sizeof h) != 0 || (opt->sync && opt->sync(opt->user) != 0)) {
            ruv__mem_free(&idx->mem, j, sizeof *j);
            return RUV_E_IO;
        }
        j->size = RUV__J_HDR;
    }
    (void)ruv__journal_end(idx);
    idx->journal = j;
    return RUV_OK;
}

static ruv_result ruv__i_journal_detach(ruv_index *idx) {
    if (!idx)
        return RUV_E_ARG;
    return ruv__journal_end(idx) ? RUV_OK : RUV_E_IO;
}

static ruv_result ruv__i_sync(ruv_index *idx) {
    if (!idx)
        return RUV_E_ARG;
    if (!idx->journal)
        return RUV_OK;
    return ruv__journal_sync(idx->journal) ? RUV_OK : RUV_E_IO;
}

/* ---- the public calls, between the concurrency guards (src/index.h) ---- */
RUVDEF ruv_result ruv_index_journal_replay(ruv_index *idx, const void *buf, size_t len,
                                           uint64_t base, ruv_journal_report *rep) {
    if (rep) { /* what a refused call reports */
        memset(rep, 0, sizeof *rep);
        rep->ignored_bytes = len;
        rep->next_seq = 1;
    }
    RUV__WRITE(idx, ruv__i_journal_replay(idx, buf, len, base, rep));
}
RUVDEF ruv_result ruv_index_journal_attach(ruv_index *idx, const ruv_journal_options *opt) {
    RUV__WRITE(idx, ruv__i_journal_attach(idx, opt));
}
RUVDEF ruv_result ruv_index_journal_detach(ruv_index *idx) {
    RUV__WRITE(idx, ruv__i_journal_detach(idx));
}
RUVDEF ruv_result ruv_index_sync(ruv_index *idx) { RUV__WRITE(idx, ruv__i_sync(idx)); }

/* Keeps the first 128 bytes a save writes, then stops it. */
typedef struct ruv__jcap {
    unsigned char h[128];
    size_t n;
} ruv__jcap;

static int ruv__journal_capture(void *user, const void *data, size_t len) {
    ruv__jcap *c = (ruv__jcap *)user;
    size_t k = len < sizeof c->h - c->n ? len : sizeof c->h - c->n;
    memcpy(c->h + c->n, data, k);
    c->n += k;
    return c->n == sizeof c->h;
}

RUVDEF uint64_t ruv_index_snapshot_id(const ruv_index *idx) {
    ruv__jcap c;
    if (!idx)
        return 0;
    c.n = 0;
    (void)ruv_index_save(idx, ruv__journal_capture, &c);
    return c.n == sizeof c.h ? ruv__le_rd64(c.h + 120) : 0;
}

/* ---- files: snapshot "<path>" and journal "<path>.journal" ---------------------------------- */
#ifndef RUV_NO_STDIO
#if defined(RUV__POSIX_IO)
static char *ruv__jf_path(ruv__journal *j) { return j->names; }
static char *ruv__jf_jname(ruv__journal *j) { return j->names + j->path_len + 16; }
static char *ruv__jf_tmp(ruv__journal *j) { return j->names + 2 * (j->path_len + 16); }

/* Writes all of data to fd (retrying short writes and EINTR); 0 on success. Also the atomic
   save's writer (src/file.h). Test builds: a crash point before each write call. */
static int ruv__jf_write_fd(int fd, const void *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    while (len) {
        ssize_t w;
        RUV__IO_WRITE_POINT(fd, p, len);
        w = write(fd, p, len > 0x40000000u ? 0x40000000u : len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Reads exactly len bytes; 0 on success. */
static int ruv__jf_read_fd(int fd, void *dst, size_t len) {
    unsigned char *p = (unsigned char *)dst;
    while (len) {
        ssize_t r = read(fd, p, len > 0x40000000u ? 0x40000000u : len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

static int ruv__jf_write(void *user, const void *data, size_t len) {
    return ruv__jf_write_fd(((ruv__journal *)user)->fd, data, len);
}

static int ruv__jf_sync(void *user) {
    RUV__IO_POINT();
    return fsync(((ruv__journal *)user)->fd) == 0 ? 0 : -1;
}

/* Opens the temporary journal for writing; -1 on failure. */
static int ruv__jf_begin(ruv__journal *j) {
    RUV__IO_POINT();
    return open(ruv__jf_tmp(j), O_WRONLY | O_CREAT | O_TRUNC, 0666);
}

/* Syncs the temporary journal fd, renames it over the journal, syncs the directory, and makes
   it the journal's fd. Closes fd on failure. 0 on success. */
static int ruv__jf_finish(ruv__journal *j, int fd) {
    char *dir = ruv__jf_tmp(j);
    const char *slash;
    int dfd;
    RUV__IO_POINT();
    if (fsync(fd) != 0) {
        close(fd);
        unlink(ruv__jf_tmp(j));
        return -1;
    }
    RUV__IO_POINT();
    if (rename(ruv__jf_tmp(j), ruv__jf_jname(j)) != 0) {
        close(fd);
        unlink(ruv__jf_tmp(j));
        return -1;
    }
    slash = strrchr(ruv__jf_path(j), '/');
    if (!slash) {
        strcpy(dir, ".");
    } else {
        size_t n = slash == ruv__jf_path(j) ? 1 : (size_t)(slash - ruv__jf_path(j));
        memcpy(dir, ruv__jf_path(j), n);
        dir[n] = 0;
    }
    if ((dfd = open(dir, O_RDONLY)) >= 0) {
        RUV__IO_POINT();
        (void)fsync(dfd); /* not every file system syncs directories */
        close(dfd);
    }
    memcpy(dir, ruv__jf_jname(j), j->path_len + 8); /* the temporary's name again */
    memcpy(dir + j->path_len + 8, ".ruvtmp", 8);
    if (j->fd >= 0)
        close(j->fd);
    j->fd = fd;
    return 0;
}

/* Replaces the journal atomically by data[0..len-1]; 0 on success. */
static int ruv__jf_create(ruv__journal *j, const void *data, size_t len) {
    int fd = ruv__jf_begin(j);
    if (fd < 0)
        return -1;
    if (ruv__jf_write_fd(fd, data, len) != 0) {
        close(fd);
        unlink(ruv__jf_tmp(j));
        return -1;
    }
    return ruv__jf_finish(j, fd);
}

/* Truncate callback: replaces the journal atomically by its first size bytes (a copy). */
static int ruv__jf_truncate(void *user, uint64_t size) {
    ruv__journal *j = (ruv__journal *)user;
    unsigned char b[8192];
    int in = open(ruv__jf_jname(j), O_RDONLY), out;
    if (in < 0)
        return -1;
    if ((out = ruv__jf_begin(j)) < 0) {
        close(in);
        return -1;
    }
    while (size) {
        size_t n = size < sizeof b ? (size_t)size : sizeof b;
        if (ruv__jf_read_fd(in, b, n) != 0 || ruv__jf_write_fd(out, b, n) != 0) {
            close(in);
            close(out);
            unlink(ruv__jf_tmp(j));
            return -1;
        }
        size -= n;
    }
    close(in);
    return ruv__jf_finish(j, out);
}

/* The snapshot id in the header of the saved index at path; 0 if unreadable. */
static uint64_t ruv__jf_snapshot_id(const char *path) {
    unsigned char h[128];
    int fd = open(path, O_RDONLY), ok;
    if (fd < 0)
        return 0;
    ok = ruv__jf_read_fd(fd, h, sizeof h) == 0 && memcmp(h, "RUVECIDX", 8) == 0;
    close(fd);
    return ok ? ruv__le_rd64(h + 120) : 0;
}

/* Attaches a file journal for path to idx (no file opened yet: j->fd = -1). */
static ruv_result ruv__jf_attach(ruv_index *idx, const char *path, const ruv_open_options *opt) {
    ruv_journal_options o;
    ruv__journal *j;
    size_t n = strlen(path);
    memset(&o, 0, sizeof o);
    o.write = ruv__jf_write;
    o.sync = ruv__jf_sync;
    o.truncate = ruv__jf_truncate;
    o.durability = opt ? opt->durability : RUV_DURABLE_EACH;
    o.group_records = opt ? opt->group_records : 0;
    o.next_seq = 1;
    o.size = RUV__J_HDR;
    if (n > ((size_t)-1) / 4 - 16 || !(j = ruv__journal_new(idx, &o)))
        return RUV_E_NOMEM;
    if (!(j->names = (char *)ruv__mem_alloc(&idx->mem, 3 * (n + 16)))) {
        ruv__mem_free(&idx->mem, j, sizeof *j);
        return RUV_E_NOMEM;
    }
    j->o.user = j;
    j->path_len = n;
    memcpy(ruv__jf_path(j), path, n + 1);
    memcpy(ruv__jf_jname(j), path, n);
    memcpy(ruv__jf_jname(j) + n, ".journal", 9);
    memcpy(ruv__jf_tmp(j), path, n);
    memcpy(ruv__jf_tmp(j) + n, ".journal.ruvtmp", 16);
    (void)ruv__journal_end(idx);
    idx->journal = j;
    return RUV_OK;
}

/* Starts an empty journal after the snapshot id; 0 on success. */
static int ruv__jf_fresh(ruv__journal *j, uint64_t id) {
    unsigned char h[RUV__J_HDR];
    ruv__journal_header(h, j->idx->cfg.dim, id);
    if (ruv__jf_create(j, h, sizeof h) != 0)
        return -1;
    j->o.base = id;
    j->seq = 1;
    j->size = RUV__J_HDR;
    j->pending = 0;
    j->broken = 0;
    return 0;
}

static ruv_result ruv__i_checkpoint(ruv_index *idx) {
    ruv__journal *j;
    ruv_result r;
    uint64_t id;
    if (!idx || !(j = idx->journal) || !j->names)
        return RUV_E_ARG;
    if ((r = ruv_index_save_file(idx, ruv__jf_path(j))) != RUV_OK)
        return r;
    /* the new snapshot is in place: the old journal must not take more records */
    if (!(id = ruv__jf_snapshot_id(ruv__jf_path(j))) || ruv__jf_fresh(j, id) != 0) {
        j->broken = 1;
        return RUV_E_IO;
    }
    return RUV_OK;
}

/* Reads the journal file of j into memory (*buf, *len); 1 if it is missing, -1 on error. */
static int ruv__jf_read_all(ruv__journal *j, unsigned char **buf, size_t *len) {
    int fd = open(ruv__jf_jname(j), O_RDONLY), ok;
    off_t end;
    *buf = NULL;
    *len = 0;
    if (fd < 0)
        return errno == ENOENT ? 1 : -1;
    end = lseek(fd, 0, SEEK_END);
    if (end < 0 || (uint64_t)end > (uint64_t)PTRDIFF_MAX || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    *len = (size_t)end;
    if (!(*buf = (unsigned char *)ruv__mem_alloc(&j->idx->mem, *len))) {
        close(fd);
        return -1;
    }
    ok = ruv__jf_read_fd(fd, *buf, *len) == 0;
    close(fd);
    if (!ok) {
        ruv__mem_free(&j->idx->mem, *buf, *len);
        *buf = NULL;
        return -1;
    }
    return 0;
}

/* Replays and reopens the journal of a loaded snapshot (id) for appending. */
static ruv_result ruv__jf_recover(ruv_index *idx, uint64_t id, ruv_journal_report *rep) {
    ruv__journal *j = idx->journal;
    unsigned char *buf;
    size_t len;
    ruv_result r = RUV_OK;
    int fd, got = ruv__jf_read_all(j, &buf, &len);
    if (got < 0)
        return RUV_E_IO;
    if (got == 1) {
        rep->stop = RUV_JOURNAL_MISSING;
        rep->next_seq = 1;
        return ruv__jf_fresh(j, id) == 0 ? RUV_OK : RUV_E_IO;
    }
    idx->journal = NULL; /* replay does not append */
    r = ruv__i_journal_replay(idx, buf, len, id, rep);
    idx->journal = j;
    if (r == RUV_OK && rep->stop == RUV_JOURNAL_VERSION)
        r = RUV_E_VERSION; /* a later library's journal: not overwritten */
    if (r != RUV_OK) {
        ruv__mem_free(&idx->mem, buf, len);
        return r;
    }
    if (rep->valid_bytes < RUV__J_HDR || rep->stop == RUV_JOURNAL_BASE) {
        r = ruv__jf_fresh(j, id) == 0 ? RUV_OK : RUV_E_IO; /* unreadable or older: replaced */
    } else if (rep->ignored_bytes) { /* cut the torn or corrupt tail before appending */
        r = ruv__jf_create(j, buf, (size_t)rep->valid_bytes) == 0 ? RUV_OK : RUV_E_IO;
    } else if ((fd = open(ruv__jf_jname(j), O_WRONLY)) < 0 || lseek(fd, 0, SEEK_END) < 0) {
        if (fd >= 0)
            close(fd);
        r = RUV_E_IO;
    } else {
        j->fd = fd;
    }
    if (r == RUV_OK && rep->valid_bytes >= RUV__J_HDR && rep->stop != RUV_JOURNAL_BASE) {
        j->o.base = id;
        j->seq = rep->next_seq;
        j->size = rep->valid_bytes;
    }
    ruv__mem_free(&idx->mem, buf, len);
    return r;
}

RUVDEF ruv_result ruv_index_open_file(const char *path, const ruv_open_options *opt,
                                      ruv_index **out, ruv_journal_report *report) {
    ruv_journal_report rep;
    ruv_index *idx = NULL;
    ruv_result r;
    uint64_t id;
    int fd;
    memset(&rep, 0, sizeof rep);
    rep.next_seq = 1;
    if (report)
        *report = rep;
    if (out)
        *out = NULL;
    if (!path || !*path || !out ||
        (opt && (unsigned)opt->durability > (unsigned)RUV_DURABLE_MANUAL))
        return RUV_E_ARG;
    if (!ruv__host_le())
        return RUV_E_UNSUPPORTED;
    if ((fd = open(path, O_RDONLY)) < 0) { /* a new index: snapshot and journal */
        if (errno != ENOENT || !opt || !opt->create)
            return RUV_E_IO;
        if ((r = ruv_index_create(opt->create, &idx)) != RUV_OK)
            return r;
        if ((r = ruv__jf_attach(idx, path, opt)) == RUV_OK)
            r = ruv_index_checkpoint(idx);
        rep.stop = RUV_JOURNAL_MISSING;
    } else {
        close(fd);
        if ((r = ruv_index_load_file(path, opt ? opt->load : NULL, &idx)) != RUV_OK)
            return r;
        if (!(id = ruv__jf_snapshot_id(path)))
            r = RUV_E_IO;
        else if ((r = ruv__jf_attach(idx, path, opt)) == RUV_OK)
            r = ruv__jf_recover(idx, id, &rep);
    }
    if (report)
        *report = rep;
    if (r != RUV_OK) {
        ruv_index_free(idx);
        return r;
    }
    *out = idx;
    return RUV_OK;
}
#else  /* no POSIX files */
RUVDEF ruv_result ruv_index_open_file(const char *path, const ruv_open_options *opt,
                                      ruv_index **out, ruv_journal_report *report) {
    (void)path, (void)opt;
    if (out)
        *out = NULL;
    if (report) {
        memset(report, 0, sizeof *report);
        report->next_seq = 1;
    }
    return RUV_E_UNSUPPORTED;
}

static ruv_result ruv__i_checkpoint(ruv_index *idx) {
    return idx && idx->journal ? RUV_E_UNSUPPORTED : RUV_E_ARG;
}
#endif /* RUV__POSIX_IO */

RUVDEF ruv_result ruv_index_checkpoint(ruv_index *idx) { RUV__WRITE(idx, ruv__i_checkpoint(idx)); }
#endif /* RUV_NO_STDIO */

#endif /* RUV__IMPL */
/************** End of src/journal.h **************************************************************/
/************** Begin file src/hnsw.h *************************************************************/
/* The HNSW graph (Malkov & Yashunin, arXiv:1603.09320): level draw, greedy walk, beam search
   (their Algorithm 2), heuristic neighbour selection (Algorithm 4), insertion (Algorithm 1),
   the multi-threaded linking of a batch, and compaction of deleted nodes. */
#ifdef RUV__IMPL

/* Multi-threaded builds (ruv_index_add_batch with threads > 1): every neighbour list is read
   and written under the lock of its node (striped), and the entry point under a global lock. */
#define RUV__NLOCKS 4096u
typedef struct ruv__mt {
#if RUV__THREADS
    pthread_mutex_t global, counter, node[RUV__NLOCKS];
#endif
    const uint32_t *slots; /* the batch's slots and levels, in order */
    const uint8_t *lv;
    size_t next, n, done;
    int canceled; /* the caller's cancel callback said stop */
} ruv__mt;

#if RUV__THREADS
#define RUV__LOCK(idx, s)                                                                          \
    do {                                                                                           \
        if ((idx)->mt)                                                                             \
            pthread_mutex_lock(&(idx)->mt->node[(s) % RUV__NLOCKS]);                               \
    } while (0)
#define RUV__UNLOCK(idx, s)                                                                        \
    do {                                                                                           \
        if ((idx)->mt)                                                                             \
            pthread_mutex_unlock(&(idx)->mt->node[(s) % RUV__NLOCKS]);                             \
    } while (0)
#define RUV__MLOCK(m) pthread_mutex_lock(m)
#define RUV__MUNLOCK(m) pthread_mutex_unlock(m)
#else
#define RUV__LOCK(idx, s) ((void)(idx), (void)(s))
#define RUV__UNLOCK(idx, s) ((void)(idx), (void)(s))
#define RUV__MLOCK(m) ((void)0)
#define RUV__MUNLOCK(m) ((void)0)
#endif

static size_t ruv__hnsw_upper_need(const ruv_index *idx, int level) {
    return (size_t)level * (idx->M + 1);
}

/* Level for a new node: floor(-ln(U) * mL), U uniform in (0, 1]. Advances idx->rng. */
static int ruv__hnsw_draw_level(ruv_index *idx) {
    double u, l;
    idx->rng += 0x9E3779B97F4A7C15ull;
    u = (double)((ruv__hash_mix64(idx->rng) >> 11) + 1) * (1.0 / 9007199254740992.0);
    l = -log(u) * idx->ml;
    return l >= RUV__MAX_LEVEL ? RUV__MAX_LEVEL : (int)l;
}

/* The neighbour list of slot at level, or (multi-threaded build) a copy taken under its lock. */
static const uint32_t *ruv__hnsw_read_links(const ruv_index *idx, ruv_search_ctx *c, uint32_t slot,
                                            int level) {
    const uint32_t *l = ruv__slot_links(idx, slot, level);
    if (!idx->mt)
        return l;
    RUV__LOCK(idx, slot);
    memcpy(c->lbuf, l, ((size_t)l[0] + 1) * sizeof *l);
    RUV__UNLOCK(idx, slot);
    return c->lbuf;
}

/* Greedy walk at one level from *ep (distance *dep) to a local minimum (ef = 1). */
static void ruv__hnsw_greedy(const ruv_index *idx, ruv_search_ctx *c, const ruv__prep *q, int level,
                             uint32_t *ep, float *dep) {
    int changed = 1;
    while (changed) {
        const uint32_t *l = ruv__hnsw_read_links(idx, c, *ep, level);
        uint32_t i, n = l[0];
        changed = 0;
        for (i = 1; i <= n; i++) {
            float d = ruv__dist_query_code(idx, q, ruv__code_walk(idx, q, l[i]));
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
static size_t ruv__hnsw_pool_insert(ruv__cand *c, size_t *n, size_t cap, float d, uint32_t id) {
    size_t lo = 0, len = *n;
    if (*n == cap && !(d < c[cap - 1].dist))
        return cap;
    /* first position whose distance exceeds d; branch-free halving (a conditional move) */
    while (len > 1) {
        size_t half = len / 2;
        lo = c[lo + half - 1].dist <= d ? lo + half : lo;
        len -= half;
    }
    lo += len == 1 && c[lo].dist <= d;
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
static size_t ruv__hnsw_search_layer(const ruv_index *idx, ruv_search_ctx *c, const ruv__prep *q,
                                     uint32_t ep, float dep, size_t ef, int level) {
    ruv__cand *pool = c->pool;
    uint32_t *vis = c->visited, *ids = c->ids, epoch;
    size_t n = 1, cur = 0;
    size_t len = q->bits ? idx->bits_bytes : idx->code_bytes; /* what the distances read */
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
        if (ruv__ctx_cancel(c, 64))
            break;
        pool[cur].id |= RUV__EXPANDED;
        { /* the links of the next candidate to expand, most likely, load meanwhile */
            size_t nx = cur + 1;
            while (nx < n && (pool[nx].id & RUV__EXPANDED))
                nx++;
            if (nx < n)
                ruv__prefetch_span(ruv__slot_links(idx, pool[nx].id, level), 0,
                                   ((size_t)idx->m0 + 1) * 4);
        }
        l = ruv__hnsw_read_links(idx, c, node, level);
        cnt = l[0];
        for (i = 1; i <= cnt; i++) {
            uint32_t s = l[i];
            if (vis[s] != epoch) {
                vis[s] = epoch;
                ids[nn++] = s;
                RUV__PREFETCH(ruv__code_walk(idx, q, s));
                if (len <= 128) /* a short code: its last line too */
                    RUV__PREFETCH(ruv__code_walk(idx, q, s) + len - 1);
            }
        }
        for (i = 0; i < nn; i++) {
            float d;
            size_t pos;
            if (i + 1 < nn && len > 128) /* the next code's other lines */
                ruv__prefetch_span(ruv__code_walk(idx, q, ids[i + 1]), 64, len);
            d = ruv__dist_query_code(idx, q, ruv__code_walk(idx, q, ids[i]));
            pos = ruv__hnsw_pool_insert(pool, &n, ef, d, ids[i]);
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
static size_t ruv__hnsw_select(const ruv_index *idx, ruv_search_ctx *ctx, ruv__cand *c, size_t n,
                               size_t m) {
    size_t i, j, kept = 0;
    if (n <= m)
        return n;
    for (i = 0; i < n && kept < m; i++) {
        ruv__prep v;
        int good = 1;
        ruv__code_prep_slot(idx, ctx, c[i].id, &v);
        for (j = 0; j < kept; j++)
            if (ruv__dist_query_code(idx, &v, ruv__slot_code(idx, c[j].id)) < c[i].dist) {
                good = 0;
                break;
            }
        if (good)
            c[kept++] = c[i];
    }
    return kept;
}

/* Appends an entry for the list of slot at level to idx->pend (room reserved) and returns the
   list to fill: [count][links], count 0. Entries: [slot][level][list], (max + 3) u32 each. */
static uint32_t *ruv__hnsw_pend_push(ruv_index *idx, uint32_t slot, int level) {
    uint32_t *p = idx->pend + idx->pend_len;
    p[0] = slot;
    p[1] = (uint32_t)level;
    p[2] = 0;
    idx->pend_len += (size_t)(level ? idx->M : idx->m0) + 3;
    return p + 2;
}

/* Adds a link from `from` to `to` at level; when the list is full, re-selects among the old
   links plus `to` with the heuristic, keeping at most the level's maximum. */
static void ruv__hnsw_link(ruv_index *idx, ruv_search_ctx *c, uint32_t from, uint32_t to,
                           int level) {
    uint32_t *l = ruv__slot_links(idx, from, level), max = level ? idx->M : idx->m0, i;
    ruv__cand *s = c->sel;
    ruv__prep v;
    size_t n = 0, kept;
    RUV__LOCK(idx, from);
    RUV_ASSERT(l[0] <= max && from != to);
    if (idx->pending) { /* the new list goes to idx->pend, the old one stays for readers */
        uint32_t *p = ruv__hnsw_pend_push(idx, from, level);
        memcpy(p, l, ((size_t)l[0] + 1) * sizeof *l);
        l = p;
    }
    if (l[0] < max) {
        l[++l[0]] = to;
        RUV__UNLOCK(idx, from);
        return;
    }
    ruv__code_prep_slot(idx, c, from, &v);
    for (i = 0; i <= l[0]; i++) {
        uint32_t id = i < l[0] ? l[i + 1] : to;
        size_t pos = n;
        float d = ruv__dist_query_code(idx, &v, ruv__slot_code(idx, id));
        while (pos > 0 && s[pos - 1].dist > d) {
            s[pos] = s[pos - 1];
            pos--;
        }
        s[pos].dist = d;
        s[pos].id = id;
        n++;
    }
    kept = ruv__hnsw_select(idx, c, s, n, max);
    for (i = 0; i < kept; i++)
        l[i + 1] = s[i].id;
    l[0] = (uint32_t)kept;
    RUV__UNLOCK(idx, from);
}

/* Algorithm 1 of Malkov & Yashunin for slot s (vector stored, upper lists zeroed), with scratch
   c. Returns 1 if s is to become the entry point (an empty graph, or a level above the top):
   the caller publishes that, except in a multi-threaded build, where a node above the current
   top level holds the global lock for its whole insertion (as hnswlib does) and sets the entry
   point itself once it is linked. */
static int ruv__hnsw_insert(ruv_index *idx, ruv_search_ctx *c, uint32_t s, int level) {
    ruv__prep qp, *q = &qp;
    uint32_t ep;
    float dep;
    int l, top, held = 0;
    c->cancel = NULL; /* a search without a ctx may have left its callback */
    if (idx->mt)
        RUV__MLOCK(&idx->mt->global);
    ep = idx->entry;
    top = idx->max_level;
    if (ep == RUV__NONE || level > top)
        held = 1;
    if (idx->mt && !held)
        RUV__MUNLOCK(&idx->mt->global);
    if (ep != RUV__NONE) {
        ruv__code_prep_query(idx, c, ruv__code_f32(idx, c, s), c->qprep, 1, q);
        dep = ruv__dist_query_code(idx, q, ruv__slot_code(idx, ep));
        for (l = top; l > level; l--)
            ruv__hnsw_greedy(idx, c, q, l, &ep, &dep);
        for (l = level < top ? level : top; l >= 0; l--) {
            size_t n = ruv__hnsw_search_layer(idx, c, q, ep, dep, idx->cfg.ef_construction, l), i,
                   kept;
            uint32_t *links = ruv__slot_links(idx, s, l);
            ep = c->pool[0].id;
            dep = c->pool[0].dist;
            kept = ruv__hnsw_select(idx, c, c->pool, n, idx->M);
            RUV__LOCK(idx, s);
            links[0] = (uint32_t)kept;
            for (i = 0; i < kept; i++)
                links[i + 1] = c->pool[i].id;
            RUV__UNLOCK(idx, s);
            for (i = 0; i < kept; i++)
                ruv__hnsw_link(idx, c, c->pool[i].id, s, l);
        }
    }
    if (held && idx->mt) {
        idx->entry = s;
        idx->max_level = level;
        RUV__MUNLOCK(&idx->mt->global);
        return 0;
    }
    return held;
}

/* Room in idx->pend for the neighbour lists an insert at `level` may change: at most M
   neighbours per level, each list (max + 1) u32 after its slot and level. 0 without memory. */
static int ruv__hnsw_pend_room(ruv_index *idx, int level) {
    size_t need = ((size_t)level + 1) * idx->M * ((size_t)idx->m0 + 3);
    uint32_t *p;
    if (need <= idx->pend_cap)
        return 1;
    if (!(p = (uint32_t *)ruv__mem_alloc(&idx->mem, need * 4)))
        return 0;
    ruv__mem_free(&idx->mem, idx->pend, idx->pend_cap * 4);
    idx->pend = p;
    idx->pend_cap = need;
    return 1;
}

/* Publishes the lists an insert or a compaction left in idx->pend (the lock held
   exclusively): entries of [slot][level][count][links], (max + 3) u32 each. */
static void ruv__hnsw_pend_apply(ruv_index *idx) {
    size_t i = 0;
    while (i < idx->pend_len) {
        const uint32_t *p = idx->pend + i;
        int level = (int)p[1];
        memcpy(ruv__slot_links(idx, p[0], level), p + 2, ((size_t)p[2] + 1) * 4);
        i += (size_t)(level ? idx->M : idx->m0) + 3;
    }
    idx->pend_len = 0;
}

/* Appends live, not yet seen node y with its distance to v (compaction scratch). */
static void ruv__hnsw_compact_add(ruv_index *idx, ruv__cand *cand, size_t *nc, const ruv__prep *v,
                                  uint32_t y) {
    ruv_search_ctx *c = idx->ctx;
    if ((idx->levels[y] & RUV__DEAD) || c->visited[y] == c->epoch)
        return;
    c->visited[y] = c->epoch;
    cand[*nc].id = y;
    cand[(*nc)++].dist = ruv__dist_query_code(idx, v, ruv__slot_code(idx, y));
}

/* Compaction of deleted HNSW nodes: every live node that links to a deleted one gets its list at
   that level re-selected (Algorithm 4) from its live links plus the live links of the deleted
   ones (two hops), after which nothing links to a deleted node: the slots are zeroed, flagged
   RUV__FREE and reused by inserts. A deleted entry point is replaced by a live node of the
   highest level. RUV_E_NOMEM if the scratch cannot be allocated (nothing changes).
   Readers go on meanwhile: the new lists are computed with the lock released (a repair reads
   only its own node's list, which nothing else changes, and deleted nodes' lists, which nothing
   changes), RUV__COMPACT_LISTS at a time, and each group is published under the lock; the
   deleted slots are freed at the end, once nothing links to them. */
#define RUV__COMPACT_LISTS 256
static ruv_result ruv__hnsw_compact(ruv_index *idx) {
    ruv_search_ctx *c = idx->ctx;
    size_t cap = (size_t)idx->m0 * (idx->m0 + 1), s, n = idx->count;
    size_t entry_len = (size_t)idx->m0 + 3, group = RUV__COMPACT_LISTS * entry_len;
    ruv__cand *cand;
    uint8_t *lv = idx->levels;
    if (!lv || n - idx->live == idx->nfree)
        return RUV_OK;
    RUV_ASSERT(c->visited_cap >= n);
    if (!(cand = (ruv__cand *)ruv__mem_alloc(&idx->mem, cap * sizeof *cand)))
        return RUV_E_NOMEM;
    if (group > idx->pend_cap) {
        uint32_t *p = (uint32_t *)ruv__mem_alloc(&idx->mem, group * 4);
        if (!p) {
            ruv__mem_free(&idx->mem, cand, cap * sizeof *cand);
            return RUV_E_NOMEM;
        }
        ruv__mem_free(&idx->mem, idx->pend, idx->pend_cap * 4);
        idx->pend = p;
        idx->pend_cap = group;
    }
    idx->pend_len = 0;
    ruv__excl_pause(idx);
    for (s = 0; s < n; s++) {
        int l, top = lv[s] & RUV__LEVEL;
        if (lv[s] & RUV__DEAD)
            continue;
        for (l = 0; l <= top; l++) {
            uint32_t *li = ruv__slot_links(idx, (uint32_t)s, l), i, j, max = l ? idx->M : idx->m0;
            uint32_t *p;
            size_t nc = 0, kept;
            ruv__prep pv, *v = &pv;
            for (i = 1; i <= li[0] && !(lv[li[i]] & RUV__DEAD); i++)
                ;
            if (i > li[0])
                continue; /* no deleted neighbour */
            ruv__ctx_next_epoch(c);
            c->visited[s] = c->epoch;
            ruv__code_prep_slot(idx, c, (uint32_t)s, v);
            for (i = 1; i <= li[0]; i++) {
                uint32_t x = li[i];
                const uint32_t *lx = ruv__slot_links(idx, x, l);
                if (!(lv[x] & RUV__DEAD))
                    ruv__hnsw_compact_add(idx, cand, &nc, v, x);
                else
                    for (j = 1; j <= lx[0]; j++)
                        ruv__hnsw_compact_add(idx, cand, &nc, v, lx[j]);
            }
            qsort(cand, nc, sizeof *cand, ruv__ctx_cand_cmp);
            kept = ruv__hnsw_select(idx, c, cand, nc, max);
            if (idx->pend_len + entry_len > idx->pend_cap) { /* publish this group */
                ruv__excl_resume(idx);
                ruv__hnsw_pend_apply(idx);
                ruv__excl_pause(idx);
            }
            p = ruv__hnsw_pend_push(idx, (uint32_t)s, l);
            p[0] = (uint32_t)kept;
            for (i = 0; i < kept; i++)
                p[i + 1] = cand[i].id;
        }
    }
    ruv__excl_resume(idx);
    ruv__hnsw_pend_apply(idx);
    for (s = 0; s < n; s++)
        if ((lv[s] & (RUV__DEAD | RUV__FREE)) == RUV__DEAD) {
            idx->upper_canon -= ruv__hnsw_upper_need(idx, lv[s] & RUV__LEVEL);
            memset(idx->data + s * idx->stride, 0, idx->stride);
            if (idx->fvec)
                memset(idx->fvec + s * idx->fvec_bytes, 0, idx->fvec_bytes);
            if (idx->wbits)
                memset(idx->wbits + s * idx->bits_bytes, 0, idx->bits_bytes);
            lv[s] = RUV__DEAD | RUV__FREE;
            idx->nfree++;
        }
    if (lv[idx->entry] & RUV__DEAD) {
        idx->entry = RUV__NONE;
        idx->max_level = 0;
        for (s = 0; s < n; s++)
            if (!(lv[s] & RUV__DEAD) &&
                (idx->entry == RUV__NONE || (int)(lv[s] & RUV__LEVEL) > idx->max_level)) {
                idx->entry = (uint32_t)s;
                idx->max_level = lv[s] & RUV__LEVEL;
            }
    }
    ruv__mem_free(&idx->mem, cand, cap * sizeof *cand);
    return RUV_OK;
}

/* Compacts once deleted-but-linked nodes exceed a tenth of the live ones (and 16): each
   compaction costs O(n M) and frees them all, so deletes stay O(M^2) amortised and the slots of
   an index under churn stay within about 1.1x its largest live count. Skipped, harmlessly, when
   its scratch cannot be allocated. */
static void ruv__hnsw_maybe_compact(ruv_index *idx) {
    size_t tomb = idx->count - idx->live - idx->nfree;
    if (idx->levels && tomb > 16 && tomb * 10 > idx->live)
        (void)ruv__hnsw_compact(idx);
}

typedef struct ruv__job {
    ruv_index *idx;
    ruv_search_ctx *ctx;
    const ruv_build_options *opt;
    int first;
} ruv__job;

static void *ruv__hnsw_worker(void *arg) {
    ruv__job *j = (ruv__job *)arg;
    ruv_index *idx = j->idx;
    ruv__mt *mt = idx->mt;
    for (;;) {
        size_t i, from, to, done;
        if (j->first && j->opt && j->opt->cancel && j->opt->cancel(j->opt->cancel_user)) {
            RUV__MLOCK(&mt->counter);
            mt->next = mt->n; /* the others stop after their chunk */
            mt->canceled = 1;
            RUV__MUNLOCK(&mt->counter);
            break;
        }
        RUV__MLOCK(&mt->counter);
        from = mt->next;
        to = from + 16 < mt->n ? from + 16 : mt->n;
        mt->next = to;
        RUV__MUNLOCK(&mt->counter);
        if (from >= to)
            break;
        for (i = from; i < to; i++)
            (void)ruv__hnsw_insert(idx, j->ctx, mt->slots[i], mt->lv[i]);
        RUV__MLOCK(&mt->counter);
        done = mt->done += to - from;
        RUV__MUNLOCK(&mt->counter);
        if (j->first && j->opt && j->opt->progress)
            j->opt->progress(j->opt->progress_user, done, mt->n);
    }
    return NULL;
}

/* Links the placed slots of a batch with `threads` threads (the caller's one included). */
static void ruv__hnsw_link_parallel(ruv_index *idx, ruv__mt *mt, ruv_search_ctx **ctx,
                                    size_t threads, const ruv_build_options *opt) {
    ruv__job jobs[64];
    size_t t;
#if RUV__THREADS
    pthread_mutex_init(&mt->global, NULL);
    pthread_mutex_init(&mt->counter, NULL);
    for (t = 0; t < RUV__NLOCKS; t++)
        pthread_mutex_init(&mt->node[t], NULL);
#endif
    idx->mt = mt;
    for (t = 0; t < threads; t++) {
        jobs[t].idx = idx;
        jobs[t].ctx = t ? ctx[t - 1] : idx->ctx;
        jobs[t].opt = opt;
        jobs[t].first = t == 0;
    }
    ruv__threads_run(ruv__hnsw_worker, jobs, sizeof *jobs, threads);
#if RUV__THREADS
    pthread_mutex_destroy(&mt->global);
    pthread_mutex_destroy(&mt->counter);
    for (t = 0; t < RUV__NLOCKS; t++)
        pthread_mutex_destroy(&mt->node[t]);
#endif
    idx->mt = NULL;
    if (opt && opt->progress && mt->done == mt->n)
        opt->progress(opt->progress_user, mt->n, mt->n); /* the last chunk may be another's */
}

#endif /* RUV__IMPL */
/************** End of src/hnsw.h *****************************************************************/
/************** Begin file src/train.h ************************************************************/
/* Quantizer training: SQ8 per-dimension ranges (quantiles), BIN means and deviations, PQ
   sub-space balancing and k-means with k-means++ seeding. */
#ifdef RUV__IMPL

static uint64_t ruv__train_rand(uint64_t *state) {
    *state += 0x9E3779B97F4A7C15ull;
    return ruv__hash_mix64(*state);
}

/* Uniform in [0, 1). */
static double ruv__train_rand01(uint64_t *state) {
    return (double)(ruv__train_rand(state) >> 11) * (1.0 / 9007199254740992.0);
}

static float ruv__train_l2(const float *a, const float *b, size_t n) {
    float s = 0.0f;
    size_t i;
    for (i = 0; i < n; i++)
        s += (a[i] - b[i]) * (a[i] - b[i]);
    return s;
}

/* Scratch of the k-means of one PQ sub-space over ns points of ds dimensions. */
typedef struct ruv__km {
    float *x;      /* ns x ds points */
    float *cent;   /* 256 x ds centroids */
    double *sum;   /* 256 x ds */
    float *d2;     /* ns: k-means++ distances */
    uint8_t *asg;  /* ns: assignment */
    size_t *count; /* 256 */
} ruv__km;

/* Lloyd's k-means with k-means++ seeding (Arthur & Vassilvitskii, "k-means++: the advantages of
   careful seeding", SODA 2007) of k->x into 256 centroids, written transposed to ct (ds x 256).
   At most 25 iterations (fewer when no assignment changes); an empty cluster takes half of the
   largest one, the two centroids moved apart by 1/1024 of their components. */
static void ruv__train_kmeans(const ruv_kernels *kern, ruv__km *k, size_t ns, size_t ds,
                              uint64_t *rng, float *ct) {
    float lut[256];
    size_t i, c, d, it;
    double total = 0.0;
    /* k-means++: each next centroid is a point drawn with probability ~ squared distance */
    memcpy(k->cent, k->x + (ruv__train_rand(rng) % ns) * ds, ds * sizeof *k->cent);
    for (i = 0; i < ns; i++)
        total += k->d2[i] = ruv__train_l2(k->x + i * ds, k->cent, ds);
    for (c = 1; c < 256; c++) {
        size_t pick = ns - 1;
        double r = ruv__train_rand01(rng) * total, acc = 0.0;
        if (total <= 0.0) {
            pick = ruv__train_rand(rng) % ns;
        } else {
            for (i = 0; i < ns; i++)
                if ((acc += k->d2[i]) > r) {
                    pick = i;
                    break;
                }
        }
        memcpy(k->cent + c * ds, k->x + pick * ds, ds * sizeof *k->cent);
        total = 0.0;
        for (i = 0; i < ns; i++) {
            float e = ruv__train_l2(k->x + i * ds, k->cent + c * ds, ds);
            if (e < k->d2[i])
                k->d2[i] = e;
            total += k->d2[i];
        }
    }
    for (it = 0;; it++) {
        size_t changed = 0;
        for (c = 0; c < 256; c++)
            for (d = 0; d < ds; d++)
                ct[d * 256 + c] = k->cent[c * ds + d];
        if (it == 25)
            break;
        for (i = 0; i < ns; i++) {
            unsigned a;
            kern->pq_lut(k->x + i * ds, ct, ds, RUV_OP_L2SQ, lut);
            a = ruv__code_argmin256(lut);
            changed += it == 0 || a != k->asg[i];
            k->asg[i] = (uint8_t)a;
        }
        if (!changed)
            break;
        memset(k->sum, 0, 256 * ds * sizeof *k->sum);
        memset(k->count, 0, 256 * sizeof *k->count);
        for (i = 0; i < ns; i++) {
            double *s = k->sum + (size_t)k->asg[i] * ds;
            k->count[k->asg[i]]++;
            for (d = 0; d < ds; d++)
                s[d] += k->x[i * ds + d];
        }
        for (c = 0; c < 256; c++)
            if (k->count[c])
                for (d = 0; d < ds; d++)
                    k->cent[c * ds + d] = (float)(k->sum[c * ds + d] / (double)k->count[c]);
        for (c = 0; c < 256; c++) {
            size_t big = 0, b;
            if (k->count[c])
                continue;
            for (b = 1; b < 256; b++)
                if (k->count[b] > k->count[big])
                    big = b;
            if (k->count[big] < 2)
                break;
            for (d = 0; d < ds; d++) {
                float v = k->cent[big * ds + d], e = (d % 2 ? 1.0f : -1.0f) / 1024.0f;
                k->cent[c * ds + d] = v * (1.0f + e);
                k->cent[big * ds + d] = v * (1.0f - e);
            }
            k->count[c] = k->count[big] / 2;
            k->count[big] -= k->count[c];
        }
    }
}

/* PQ: which dimensions form each sub-space. Dimensions sorted by decreasing variance go one by
   one to the sub-space (with room left) whose sum of log-variances is smallest, so that every
   sub-space gets a similar share of the data's spread (in the spirit of the eigenvalue
   allocation of Ge et al., "Optimized product quantization", TPAMI 2014, without the rotation);
   each sub-space's dimensions in increasing order. */
static void ruv__train_pq_balance(const double *var, size_t dim, size_t m, uint32_t *perm,
                                  uint32_t *order, double *load, size_t *fill) {
    size_t ds = dim / m, i, j;
    for (i = 0; i < dim; i++)
        order[i] = (uint32_t)i;
    for (i = 1; i < dim; i++) { /* insertion sort by decreasing variance, then index */
        uint32_t t = order[i];
        j = i;
        while (j > 0 && var[order[j - 1]] < var[t]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = t;
    }
    for (j = 0; j < m; j++) {
        load[j] = 0.0;
        fill[j] = 0;
    }
    for (i = 0; i < dim; i++) {
        size_t best = m;
        for (j = 0; j < m; j++)
            if (fill[j] < ds && (best == m || load[j] < load[best]))
                best = j;
        perm[best * ds + fill[best]++] = order[i];
        load[best] += log(var[order[i]] + 1e-12);
    }
    for (j = 0; j < m; j++) /* increasing within each sub-space */
        for (i = 1; i < ds; i++) {
            uint32_t t = perm[j * ds + i];
            size_t q = i;
            while (q > 0 && perm[j * ds + q - 1] > t) {
                perm[j * ds + q] = perm[j * ds + q - 1];
                q--;
            }
            perm[j * ds + q] = t;
        }
}

/* Row i of the training set as the index stores it (normalised for cosine), maybe into out. */
static const float *ruv__train_row(const ruv_index *idx, const float *vecs, size_t i, float *out) {
    const float *v = vecs + i * idx->dim;
    if (idx->cfg.metric != RUV_METRIC_COSINE)
        return v;
    ruv__vec_normalize(out, v, idx->dim);
    return out;
}

/* The training sample: rows[0..ns-1] = the first ns of a seeded shuffle of 0..n-1. */
static void ruv__train_sample(uint32_t *rows, size_t n, size_t ns, uint64_t *rng) {
    size_t i;
    for (i = 0; i < n; i++)
        rows[i] = (uint32_t)i;
    if (ns < n)
        for (i = 0; i < ns; i++) {
            size_t t = i + (size_t)(ruv__train_rand(rng) % (n - i));
            uint32_t x = rows[i];
            rows[i] = rows[t];
            rows[t] = x;
        }
}

/* One value of a dimension into its a + 1 smallest (lo, ascending) and largest (hi,
   descending) so far; thr_lo / thr_hi hold their last entries, the bars a value must pass. */
static void ruv__train_sq8_keep(float v, float *lo, float *hi, size_t a, float *thr_lo,
                                float *thr_hi) {
    size_t q;
    if (v < *thr_lo) {
        for (q = a; q > 0 && lo[q - 1] > v; q--)
            lo[q] = lo[q - 1];
        lo[q] = v;
        *thr_lo = lo[a];
    }
    if (v > *thr_hi) {
        for (q = a; q > 0 && hi[q - 1] < v; q--)
            hi[q] = hi[q - 1];
        hi[q] = v;
        *thr_hi = hi[a];
    }
}

/* SQ8 training into qp: per dimension, lo and hi are the 0.01% and 99.99% quantiles of a sample
   of at most 65,536 vectors (the minimum and maximum below 10,000 of them): the few outliers
   beyond are clamped, and every other value gets a finer step. sc = (hi - lo) / 255.
   The quantile of rank a (a <= 6) is found in one pass over the sample, keeping the a + 1
   smallest and largest values of each dimension: O(d) memory (a sorted copy of the sample
   would take ns d floats) and no sort. */
static ruv_result ruv__train_sq8(ruv_index *idx, size_t n, const float *vecs, float *qp) {
    size_t d = idx->dim, ns = n < 65536 ? n : 65536, i, j;
    size_t a = (size_t)(1e-4 * (double)(ns - 1)), w = a + 1;
    uint64_t rng = idx->cfg.seed;
    uint32_t *rows = (uint32_t *)ruv__mem_alloc(&idx->mem, n * sizeof *rows);
    float *keep = (float *)ruv__mem_alloc(&idx->mem, (2 * w + 2) * d * sizeof *keep);
    float *row = idx->ctx->query;
    if (rows && keep) {
        float *lo = keep, *hi = keep + w * d, *thr_lo = hi + w * d, *thr_hi = thr_lo + d;
        for (j = 0; j < w * d; j++) {
            lo[j] = (float)HUGE_VAL;
            hi[j] = -(float)HUGE_VAL;
        }
        for (j = 0; j < d; j++) {
            thr_lo[j] = (float)HUGE_VAL;
            thr_hi[j] = -(float)HUGE_VAL;
        }
        ruv__train_sample(rows, n, ns, &rng);
        for (i = 0; i < ns; i++) {
            const float *v = ruv__train_row(idx, vecs, rows[i], row);
            for (j = 0; j < d; j++)
                if (v[j] < thr_lo[j] || v[j] > thr_hi[j])
                    ruv__train_sq8_keep(v[j], lo + j * w, hi + j * w, a, thr_lo + j, thr_hi + j);
        }
        for (j = 0; j < d; j++) {
            qp[j] = thr_lo[j];
            qp[d + j] = (float)(((double)thr_hi[j] - thr_lo[j]) / 255.0);
        }
    }
    ruv__mem_free(&idx->mem, rows, n * sizeof *rows);
    ruv__mem_free(&idx->mem, keep, (2 * w + 2) * d * sizeof *keep);
    return rows && keep ? RUV_OK : RUV_E_NOMEM;
}

/* PQ training into qp (ruv__index_qp_bytes): sample, permutation, k-means per sub-space. */
static ruv_result ruv__train_pq(ruv_index *idx, size_t n, const float *vecs, float *qp) {
    size_t d = idx->dim, m = idx->cfg.pq_m, ds = d / m, ns = n < 65536 ? n : 65536, i, j;
    uint64_t rng = idx->cfg.seed;
    uint32_t *rows = NULL, *perm = (uint32_t *)(void *)qp, *order = NULL;
    double *var = NULL, *mean = NULL, *load = NULL;
    size_t *fill = NULL;
    float *row = idx->ctx->query;
    ruv__km k;
    ruv__mem *mm = &idx->mem;
    ruv_result r = RUV_E_NOMEM;
    memset(&k, 0, sizeof k);
    if (!(rows = (uint32_t *)ruv__mem_alloc(mm, n * sizeof *rows)) ||
        !(order = (uint32_t *)ruv__mem_alloc(mm, d * sizeof *order)) ||
        !(var = (double *)ruv__mem_alloc(mm, d * sizeof *var)) ||
        !(mean = (double *)ruv__mem_alloc(mm, d * sizeof *mean)) ||
        !(load = (double *)ruv__mem_alloc(mm, m * sizeof *load)) ||
        !(fill = (size_t *)ruv__mem_alloc(mm, m * sizeof *fill)) ||
        !(k.x = (float *)ruv__mem_alloc(mm, ns * ds * sizeof *k.x)) ||
        !(k.cent = (float *)ruv__mem_alloc(mm, 256 * ds * sizeof *k.cent)) ||
        !(k.sum = (double *)ruv__mem_alloc(mm, 256 * ds * sizeof *k.sum)) ||
        !(k.d2 = (float *)ruv__mem_alloc(mm, ns * sizeof *k.d2)) ||
        !(k.asg = (uint8_t *)ruv__mem_alloc(mm, ns)) ||
        !(k.count = (size_t *)ruv__mem_alloc(mm, 256 * sizeof *k.count)))
        goto done;
    ruv__train_sample(rows, n, ns, &rng);
    for (j = 0; j < d; j++)
        var[j] = mean[j] = 0.0;
    for (i = 0; i < ns; i++) {
        const float *v = ruv__train_row(idx, vecs, rows[i], row);
        for (j = 0; j < d; j++) {
            mean[j] += v[j];
            var[j] += (double)v[j] * v[j];
        }
    }
    for (j = 0; j < d; j++) {
        mean[j] /= (double)ns;
        var[j] = var[j] / (double)ns - mean[j] * mean[j];
    }
    ruv__train_pq_balance(var, d, m, perm, order, load, fill);
    for (j = 0; j < m; j++) {
        for (i = 0; i < ns; i++) {
            const float *v = ruv__train_row(idx, vecs, rows[i], row);
            size_t t;
            for (t = 0; t < ds; t++)
                k.x[i * ds + t] = v[perm[j * ds + t]];
        }
        ruv__train_kmeans(&idx->kern, &k, ns, ds, &rng, qp + d + j * ds * 256);
    }
    r = RUV_OK;
done:
    ruv__mem_free(mm, rows, n * sizeof *rows);
    ruv__mem_free(mm, order, d * sizeof *order);
    ruv__mem_free(mm, var, d * sizeof *var);
    ruv__mem_free(mm, mean, d * sizeof *mean);
    ruv__mem_free(mm, load, m * sizeof *load);
    ruv__mem_free(mm, fill, m * sizeof *fill);
    ruv__mem_free(mm, k.x, ns * ds * sizeof *k.x);
    ruv__mem_free(mm, k.cent, 256 * ds * sizeof *k.cent);
    ruv__mem_free(mm, k.sum, 256 * ds * sizeof *k.sum);
    ruv__mem_free(mm, k.d2, ns * sizeof *k.d2);
    ruv__mem_free(mm, k.asg, ns);
    ruv__mem_free(mm, k.count, 256 * sizeof *k.count);
    return r;
}

/* BIN thresholds into qp[0..2 dim - 1]: per dimension the mean, then the mean absolute
   deviation, of the n training vectors (normalised for cosine). */
static void ruv__train_mean_dev(ruv_index *idx, size_t n, const float *vecs, float *qp) {
    size_t i, j, d = idx->dim;
    float *row = idx->ctx->query;
    for (j = 0; j < 2 * d; j++)
        qp[j] = 0.0f;
    for (i = 0; i < n; i++) {
        const float *v = ruv__train_row(idx, vecs, i, row);
        for (j = 0; j < d; j++)
            qp[j] += (v[j] - qp[j]) / (float)(i + 1);
    }
    for (i = 0; i < n; i++) {
        const float *v = ruv__train_row(idx, vecs, i, row);
        for (j = 0; j < d; j++)
            qp[d + j] += (fabsf(v[j] - qp[j]) - qp[d + j]) / (float)(i + 1);
    }
}

/* Installs new quantizer tables, releasing the old ones. */
static void ruv__train_set_tables(ruv_index *idx, float *qp) {
    ruv__mem_free(&idx->mem, idx->qp, ruv__index_qp_bytes(&idx->cfg));
    idx->qp = qp;
}

static ruv_result ruv__i_train(ruv_index *idx, size_t n, const float *vecs) {
    size_t d, i, bytes;
    float *qp;
    ruv_result r = RUV_OK;
    if (!idx || n == 0 || !vecs)
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (idx->count)
        return RUV_E_STATE;
    if (idx->cfg.dtype != RUV_DTYPE_F32) /* typed vectors: nothing to train (rows are floats) */
        return RUV_OK;
    d = idx->dim;
    for (i = 0; i < n; i++)
        if (!ruv__code_accepts(idx, vecs + i * d))
            return RUV_E_VALUE;
    if (!(bytes = ruv__index_qp_bytes(&idx->cfg)))
        return RUV_OK;
    if (idx->cfg.quant == RUV_QUANT_PQ && n < 256)
        return RUV_E_TRAIN;
    if (!(qp = (float *)ruv__mem_alloc(&idx->mem, bytes)))
        return RUV_E_NOMEM;
    if (idx->cfg.quant == RUV_QUANT_SQ8)
        r = ruv__train_sq8(idx, n, vecs, qp);
    else if (idx->cfg.quant == RUV_QUANT_BIN)
        ruv__train_mean_dev(idx, n, vecs, qp);
    else if (idx->cfg.quant == RUV_QUANT_PQ)
        r = ruv__train_pq(idx, n, vecs, qp);
    if (idx->cfg.walk_bits) /* the walk's bits, after the storage's tables */
        ruv__train_mean_dev(idx, n, vecs, qp + ruv__index_qp_main(&idx->cfg) / sizeof *qp);
    if (r == RUV_OK && idx->journal)
        r = ruv__journal_log_tables(idx, qp, bytes);
    if (r != RUV_OK) {
        ruv__mem_free(&idx->mem, qp, bytes);
        return r;
    }
    ruv__train_set_tables(idx, qp);
    return RUV_OK;
}

static ruv_result ruv__i_set_sq8_range(ruv_index *idx, const float *lo, const float *hi) {
    size_t d, j;
    float *qp;
    if (!idx || !lo || !hi || idx->cfg.quant != RUV_QUANT_SQ8)
        return RUV_E_ARG;
    d = idx->dim;
    for (j = 0; j < d; j++)
        if (!ruv__vec_finite(lo + j, 1) || !ruv__vec_finite(hi + j, 1) || !(lo[j] <= hi[j]))
            return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (idx->count)
        return RUV_E_STATE;
    if (!(qp = (float *)ruv__mem_alloc(&idx->mem, ruv__index_qp_bytes(&idx->cfg))))
        return RUV_E_NOMEM;
    for (j = 0; j < d; j++) {
        qp[j] = lo[j];
        qp[d + j] = (float)(((double)hi[j] - lo[j]) / 255.0);
        if (idx->cfg.walk_bits) { /* the walk's bits: the middle of each range */
            qp[2 * d + j] = (float)(((double)lo[j] + hi[j]) / 2.0);
            qp[3 * d + j] = (float)(((double)hi[j] - lo[j]) / 4.0);
        }
    }
    if (idx->journal &&
        ruv__journal_log_tables(idx, qp, ruv__index_qp_bytes(&idx->cfg)) != RUV_OK) {
        ruv__mem_free(&idx->mem, qp, ruv__index_qp_bytes(&idx->cfg));
        return RUV_E_IO;
    }
    ruv__train_set_tables(idx, qp);
    return RUV_OK;
}

/* ---- the public calls, between the concurrency guards (src/index.h) ---- */
RUVDEF ruv_result ruv_index_train(ruv_index *idx, size_t n, const float *vecs) {
    RUV__WRITE(idx, ruv__i_train(idx, n, vecs));
}
RUVDEF ruv_result ruv_index_set_sq8_range(ruv_index *idx, const float *lo, const float *hi) {
    RUV__WRITE(idx, ruv__i_set_sq8_range(idx, lo, hi));
}

#endif /* RUV__IMPL */
/************** End of src/train.h ****************************************************************/
/************** Begin file src/store.h ************************************************************/
/* Writes and key lookups: add (single, batch, threaded), put/update/upsert, remove, compact,
   contains, get_vector / get_id / get_meta, id lookup, iteration. */
#ifdef RUV__IMPL

static int ruv__store_cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* RUV_E_EXISTS if two keys of the batch are equal (sorted copy; temporary memory). */
static ruv_result ruv__store_batch_unique(ruv_index *idx, size_t n, const uint64_t *keys) {
    uint64_t *t;
    size_t i;
    int ok = 1, dup = 0;
    size_t bytes = ruv__size_mul(n, sizeof *t, &ok);
    if (n < 2)
        return RUV_OK;
    if (!ok || !(t = (uint64_t *)ruv__mem_alloc(&idx->mem, bytes)))
        return RUV_E_NOMEM;
    memcpy(t, keys, bytes);
    qsort(t, n, sizeof *t, ruv__store_cmp_u64);
    for (i = 1; i < n && !dup; i++)
        dup = t[i] == t[i - 1];
    ruv__mem_free(&idx->mem, t, bytes);
    return dup ? RUV_E_EXISTS : RUV_OK;
}

/* Stores vec (normalised for cosine) in slot s: its code, and its f32 copy if kept. Scratch:
   the index's own ctx. */
static void ruv__store_vec(ruv_index *idx, uint32_t s, const void *vec) {
    ruv_search_ctx *c = idx->ctx;
    const float *x = (const float *)vec;
    if (idx->cfg.dtype != RUV_DTYPE_F32) { /* stored as given (cosine per pair) */
        ruv__code_encode(idx, c, vec, ruv__slot_code(idx, s));
        if (idx->bits_bytes) /* binary vectors on HNSW: the compact copy */
            memcpy(idx->wbits + (size_t)s * idx->bits_bytes, ruv__slot_code(idx, s),
                   idx->bits_bytes);
        return;
    }
    if (idx->cfg.metric == RUV_METRIC_COSINE) {
        ruv__vec_normalize(c->query, x, idx->dim);
        x = c->query;
    }
    if (idx->fvec)
        ruv__code_copy_put(idx, x, idx->fvec + (size_t)s * idx->fvec_bytes);
    ruv__code_encode(idx, c, x, ruv__slot_code(idx, s));
    if (idx->cfg.walk_bits)
        ruv__code_sign_bits(x, ruv__code_walk_mean(idx), idx->dim,
                            idx->wbits + (size_t)s * idx->bits_bytes);
}

/* Appends a new slot for key with vec (room reserved) and links it into the graph. The key table
   entry is added unless replace_pos != (size_t)-1, in which case that position is rewritten.
   Called with the lock held exclusively. The slot is filled first (nothing reads it: it is past
   count, or a compacted slot that scans skip and nothing links to); an HNSW insert then searches
   with the lock released (its new neighbour lists kept in idx->pend) and publishes everything at
   once when it has the lock back: links, level, key, count. */
static uint32_t ruv__store_place(ruv_index *idx, uint64_t key, const void *vec, size_t replace_pos,
                                 int link) {
    uint32_t s = (uint32_t)idx->count;
    size_t f = 0;
    int level = 0, entry = 0, hnsw = idx->cfg.kind == RUV_INDEX_HNSW;
    if (idx->nfree) { /* a compacted HNSW slot: nothing links to it */
        f = idx->free_hint < idx->count ? idx->free_hint : 0;
        while (!(idx->levels[f] & RUV__FREE))
            f = f + 1 < idx->count ? f + 1 : 0;
        s = (uint32_t)f;
    }
    memset(idx->data + (size_t)s * idx->stride, 0, idx->stride);
    ruv__store_vec(idx, s, vec);
    if (hnsw) {
        level = ruv__hnsw_draw_level(idx);
        idx->upper_off[s] = (uint32_t)idx->upper_len;
        if (level)
            memset(idx->upper + idx->upper_len, 0, ruv__hnsw_upper_need(idx, level) * 4);
        if (link && ruv__hnsw_pend_room(idx, level)) {
            idx->pend_len = 0;
            idx->pending = 1;
            ruv__excl_pause(idx);
            entry = ruv__hnsw_insert(idx, idx->ctx, s, level);
            ruv__excl_resume(idx);
            idx->pending = 0;
            ruv__hnsw_pend_apply(idx);
        } else if (link) { /* no memory for the lists: linked in place, readers waiting */
            entry = ruv__hnsw_insert(idx, idx->ctx, s, level);
        }
    }
    /* publish */
    if (idx->nfree) {
        idx->free_hint = f + 1;
        idx->nfree--;
    }
    idx->keys[s] = key;
    if (idx->ids.ref)
        idx->ids.ref[2 * (size_t)s] = idx->ids.ref[2 * (size_t)s + 1] = 0;
    if (idx->meta.ref)
        idx->meta.ref[2 * (size_t)s] = idx->meta.ref[2 * (size_t)s + 1] = 0;
    if (replace_pos == (size_t)-1)
        ruv__tab_put(idx, 0, idx->table, idx->table_cap, s);
    else
        idx->table[replace_pos] = s;
    if (s == idx->count)
        idx->count++;
    idx->live++;
    if (hnsw) {
        idx->levels[s] = (uint8_t)level;
        idx->upper_len += ruv__hnsw_upper_need(idx, level);
        idx->upper_canon += ruv__hnsw_upper_need(idx, level);
        if (entry) {
            idx->entry = s;
            idx->max_level = level;
        }
    }
    return s;
}

static void ruv__store_remove_slot(ruv_index *idx, uint32_t s);

/* One worker of a multi-threaded build: claims chunks of the batch and links them. Worker 0 is
   the calling thread, which also reports progress. */
/* (parenthesised: ruv_index_add_batch is also the name of a macro, see src/api_compat.h) */
static ruv_result ruv__i_add_batch(ruv_index *idx, size_t n, const uint64_t *keys, const void *vecs,
                                   const ruv_build_options *opt) {
    const unsigned char *vb = (const unsigned char *)vecs;
    size_t i, upper = 0, dim, threads = opt && opt->threads > 1 ? opt->threads : 1, nctx = 0;
    size_t placed = n;
    int cancel = opt && opt->cancel, par = 0;
    uint64_t rng;
    ruv_result r;
    ruv__mt *mt = NULL;
    ruv_search_ctx *ctx[63];
    uint32_t *slots = NULL;
    uint8_t *lv = NULL;
    int hnsw;
    if (!idx || (n && (!keys || !vecs)))
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (n == 0)
        return RUV_OK;
    if (!ruv__index_trained(idx))
        return RUV_E_UNTRAINED;
    dim = idx->dim;
    hnsw = idx->cfg.kind == RUV_INDEX_HNSW;
    if (n > RUV_MAX_COUNT - idx->count + idx->nfree)
        return RUV_E_FULL;
    for (i = 0; i < n; i++) {
        if (!ruv__code_accepts(idx, vb + i * idx->in_bytes))
            return RUV_E_VALUE;
        if (!idx->cfg.multi && ruv__tab_find_key(idx, keys[i]) != RUV__NONE)
            return RUV_E_EXISTS;
    }
    if (!idx->cfg.multi && (r = ruv__store_batch_unique(idx, n, keys)) != RUV_OK)
        return r;
    /* Draw the levels once to size the upper lists, then again (same seed) while inserting. */
    rng = idx->rng;
    for (i = 0; hnsw && i < n; i++)
        upper += ruv__hnsw_upper_need(idx, ruv__hnsw_draw_level(idx));
    idx->rng = rng;
    if ((r = ruv__tab_reserve(idx, idx->count + (n > idx->nfree ? n - idx->nfree : 0), upper, 0,
                              0)) != RUV_OK)
        return r;
    if (idx->journal && (r = ruv__journal_log_add(idx, n, keys, vecs)) != RUV_OK)
        return r;
#if RUV__THREADS
    if (threads > 64)
        threads = 64;
    if (threads > n / 64 + 1) /* small batches are not worth threads */
        threads = n / 64 + 1;
#else
    threads = 1;
#endif
    if (!hnsw)
        threads = 1;
    if (cancel || threads > 1) { /* the batch's slots: to link them, or to remove them again */
        int ok = 1;
        ruv__size_mul(n, 4, &ok);
        if (ok)
            slots = (uint32_t *)ruv__mem_alloc(&idx->mem, n * 4);
        if (!slots && cancel)
            return RUV_E_NOMEM;
    }
    if (threads > 1) { /* scratch per extra thread; without memory, fewer threads */
        size_t pool = idx->cfg.ef_construction;
        if (slots && (mt = (ruv__mt *)ruv__mem_alloc(&idx->mem, sizeof *mt)) != NULL &&
            (lv = (uint8_t *)ruv__mem_alloc(&idx->mem, n)) != NULL) {
            for (nctx = 0; nctx + 1 < threads; nctx++) {
                ruv__mem m = idx->mem;
                ctx[nctx] = ruv__ctx_new(&m, dim, idx->prep_len);
                if (!ctx[nctx])
                    break;
                if (ruv__ctx_reserve(ctx[nctx], idx->cap, pool, (size_t)idx->m0 + 1) != RUV_OK) {
                    ruv_search_ctx_free(ctx[nctx]);
                    break;
                }
            }
        }
        threads = nctx + 1;
    }
    if (threads == 1) {
        for (i = 0; i < n; i++) {
            uint32_t s;
            if (cancel && opt->cancel(opt->cancel_user))
                break;
            s = ruv__store_place(idx, keys[i], vb + i * idx->in_bytes, (size_t)-1, 1);
            if (slots)
                slots[i] = s;
            if (opt && opt->progress && ((i + 1) % 1024 == 0 || i + 1 == n))
                opt->progress(opt->progress_user, i + 1, n);
        }
        placed = i;
    } else {
        for (i = 0; i < n; i++) {
            slots[i] = ruv__store_place(idx, keys[i], vb + i * idx->in_bytes, (size_t)-1, 0);
            lv[i] = idx->levels[slots[i]];
        }
        memset(mt, 0, sizeof *mt);
        mt->slots = slots;
        mt->lv = lv;
        mt->n = n;
        ruv__hnsw_link_parallel(idx, mt, ctx, threads, opt);
        if (mt->canceled)
            placed = 0, par = 1;
    }
    r = RUV_OK;
    if (placed < n) { /* cancelled: the batch's vectors are removed again, newest first */
        for (i = par ? n : placed; i-- > 0;)
            ruv__store_remove_slot(idx, slots[i]);
        if (hnsw)
            ruv__hnsw_maybe_compact(idx);
        r = RUV_E_CANCELED;
    }
    for (i = 0; i < nctx; i++)
        ruv_search_ctx_free(ctx[i]);
    ruv__mem_free(&idx->mem, lv, n);
    ruv__mem_free(&idx->mem, slots, n * 4);
    ruv__mem_free(&idx->mem, mt, sizeof *mt);
    return r;
}

RUVDEF ruv_result ruv__add_batch_v01(ruv_index *idx, size_t n, const uint64_t *keys,
                                     const float *vecs) {
    return (ruv_index_add_batch)(idx, n, keys, vecs, NULL);
}

static ruv_result ruv__i_reserve(ruv_index *idx, size_t n) {
    if (!idx)
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (n > RUV_MAX_COUNT)
        return RUV_E_FULL;
    return n <= idx->cap ? RUV_OK : ruv__tab_resize(idx, n, 0, 0, 0);
}

static ruv_result ruv__i_add(ruv_index *idx, uint64_t key, const void *vec) {
    if (!idx || !vec)
        return RUV_E_ARG;
    return ruv__i_add_batch(idx, 1, &key, vec, NULL);
}

/* ---- put, update, remove, lookups ------------------------------------------------------------ */
/* Sets the id (is_id) or metadata of slot s to p[0..len-1] (len 0 clears); room reserved. */
static void ruv__store_blob_set(ruv_index *idx, int is_id, uint32_t s, const void *p, size_t len) {
    (void)ruv__blob_set(is_id ? &idx->ids : &idx->meta, is_id ? idx->idtab : NULL, idx->idtab_cap,
                        s, p, len);
}

/* Moves the id and metadata of slot from to slot to (whose own are empty). */
static void ruv__store_blobs_move(ruv_index *idx, uint32_t from, uint32_t to) {
    ruv__blob_move(&idx->ids, idx->idtab, idx->idtab_cap, from, to);
    ruv__blob_move(&idx->meta, NULL, 0, from, to);
}

static ruv_result ruv__i_put(ruv_index *idx, const ruv_item *it, ruv_put_mode mode) {
    uint32_t s, other;
    int hnsw, newslot;
    size_t upper = 0, id_add = 0, meta_add = 0;
    ruv_result r;
    if (!idx || !it || (unsigned)mode > (unsigned)RUV_PUT_UPSERT)
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (idx->cfg.multi)
        return RUV_E_UNSUPPORTED;
    s = ruv__tab_find_key(idx, it->key);
    if (s != RUV__NONE && mode == RUV_PUT_INSERT)
        return RUV_E_EXISTS;
    if (s == RUV__NONE && mode == RUV_PUT_UPDATE)
        return RUV_E_NOTFOUND;
    if (it->vector && !ruv__index_trained(idx))
        return RUV_E_UNTRAINED;
    if ((s == RUV__NONE && !it->vector) || (it->id && it->id_len > RUV_MAX_ID_BYTES) ||
        (it->meta && it->meta_len > RUV_MAX_META_BYTES))
        return RUV_E_ARG;
    if (it->vector && !ruv__code_accepts(idx, it->vector))
        return RUV_E_VALUE;
    if (it->id && it->id_len) {
        other = ruv__tab_find_id(idx, it->id, it->id_len);
        if (other != RUV__NONE && other != s)
            return RUV_E_EXISTS;
        id_add = it->id_len;
    }
    if (it->meta)
        meta_add = it->meta_len;
    hnsw = idx->cfg.kind == RUV_INDEX_HNSW;
    newslot = s == RUV__NONE || (hnsw && it->vector);
    if (newslot && !idx->nfree && idx->count >= RUV_MAX_COUNT)
        return RUV_E_FULL;
    if (newslot && hnsw) {
        uint64_t rng = idx->rng;
        upper = ruv__hnsw_upper_need(idx, ruv__hnsw_draw_level(idx));
        idx->rng = rng;
    }
    if ((r = ruv__tab_reserve(idx, idx->count + (size_t)(newslot && !idx->nfree), upper, id_add,
                              meta_add)) != RUV_OK)
        return r;
    if (idx->journal && (r = ruv__journal_log_put(idx, it, mode)) != RUV_OK)
        return r;
    /* Nothing fails from here on. */
    if (newslot) {
        uint32_t ns;
        if (s == RUV__NONE) {
            ns = ruv__store_place(idx, it->key, it->vector, (size_t)-1, 1);
        } else { /* HNSW update: a new node takes over the key; the old one is deleted */
            ns = ruv__store_place(idx, it->key, it->vector, ruv__tab_pos(idx, 0, s), 1);
            ruv__store_blobs_move(idx, s, ns);
            idx->levels[s] |= RUV__DEAD;
            idx->live--;
            ruv__hnsw_maybe_compact(idx);
        }
        s = ns;
    } else if (it->vector) {
        ruv__store_vec(idx, s, it->vector);
    }
    if (it->id)
        ruv__store_blob_set(idx, 1, s, it->id, it->id_len);
    if (it->meta)
        ruv__store_blob_set(idx, 0, s, it->meta, it->meta_len);
    return RUV_OK;
}

/* ruv_index_put of a vector alone (id and metadata kept). */
static ruv_result ruv__store_put_vector(ruv_index *idx, uint64_t key, const void *vec,
                                        ruv_put_mode mode) {
    ruv_item it;
    if (!vec)
        return RUV_E_ARG;
    memset(&it, 0, sizeof it);
    it.key = key;
    it.vector = vec;
    return ruv__i_put(idx, &it, mode);
}

/* Removes the entry in slot s (its key table entry, id, metadata); HNSW: flags the node. */
static void ruv__store_remove_slot(ruv_index *idx, uint32_t s) {
    uint32_t last;
    ruv__tab_del(idx, 0, ruv__tab_pos(idx, 0, s));
    ruv__store_blob_set(idx, 1, s, NULL, 0);
    ruv__store_blob_set(idx, 0, s, NULL, 0);
    idx->live--;
    if (idx->cfg.kind == RUV_INDEX_HNSW) {
        idx->levels[s] |= RUV__DEAD;
        return;
    }
    /* flat: the last slot fills the hole */
    last = (uint32_t)idx->count - 1;
    if (s != last) {
        idx->table[ruv__tab_pos(idx, 0, last)] = s;
        memcpy(idx->data + (size_t)s * idx->stride, idx->data + (size_t)last * idx->stride,
               idx->stride);
        if (idx->fvec)
            memcpy(idx->fvec + (size_t)s * idx->fvec_bytes,
                   idx->fvec + (size_t)last * idx->fvec_bytes, idx->fvec_bytes);
        idx->keys[s] = idx->keys[last];
        ruv__store_blobs_move(idx, last, s);
    }
    idx->count--;
}

static ruv_result ruv__i_remove(ruv_index *idx, uint64_t key) {
    uint32_t s;
    ruv_result r;
    if (!idx)
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if ((s = ruv__tab_find_key(idx, key)) == RUV__NONE)
        return RUV_E_NOTFOUND;
    if (idx->journal && (r = ruv__journal_log_remove(idx, key)) != RUV_OK)
        return r;
    do /* every vector of key (one unless opt.multi) */
        ruv__store_remove_slot(idx, s);
    while (idx->cfg.multi && (s = ruv__tab_find_key(idx, key)) != RUV__NONE);
    if (idx->cfg.kind == RUV_INDEX_HNSW)
        ruv__hnsw_maybe_compact(idx);
    return RUV_OK;
}

static ruv_result ruv__i_compact(ruv_index *idx) {
    if (!idx)
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    return ruv__hnsw_compact(idx);
}

static int ruv__i_contains(const ruv_index *idx, uint64_t key) {
    return idx && ruv__tab_find_key(idx, key) != RUV__NONE;
}

/* The vector of slot s as ruv_index_get_vector returns it, into out. */
static void ruv__store_slot_vector(const ruv_index *idx, uint32_t s, void *out) {
    if (idx->cfg.dtype != RUV_DTYPE_F32)
        memcpy(out, ruv__slot_code(idx, s), idx->in_bytes);
    else if (idx->fvec) { /* 16-bit copies widen straight into out: a reader writes no scratch of
                             the index (other readers and a writer's insert use idx->ctx) */
        const float *v = ruv__code_copy(idx, s, (float *)out);
        if (v != (const float *)out)
            memcpy(out, v, idx->dim * sizeof(float));
    } else if (idx->cfg.quant == RUV_QUANT_NONE)
        memcpy(out, ruv__slot_code(idx, s), idx->dim * sizeof(float));
    else
        ruv__code_decode(idx, ruv__slot_code(idx, s), (float *)out);
}

static ruv_result ruv__i_get_vector(const ruv_index *idx, uint64_t key, void *out) {
    uint32_t s;
    if (!idx || !out)
        return RUV_E_ARG;
    if ((s = ruv__tab_find_key(idx, key)) == RUV__NONE)
        return RUV_E_NOTFOUND;
    ruv__store_slot_vector(idx, s, out);
    return RUV_OK;
}

/* Number of live slots holding key (their key table entries share its probe run). */
static size_t ruv__store_key_count(const ruv_index *idx, uint64_t key) {
    size_t mask = idx->table_cap - 1, h = (size_t)ruv__hash_mix64(key) & mask, n = 0;
    uint32_t s;
    for (; (s = idx->table[h]) != RUV__NONE; h = (h + 1) & mask)
        n += idx->keys[s] == key;
    return n;
}

static ruv_result ruv__i_get_vectors(const ruv_index *idx, uint64_t key, void *out, size_t cap,
                                     size_t *n_out) {
    size_t n, i, j;
    if (n_out)
        *n_out = 0;
    if (!idx || !n_out || (cap && !out))
        return RUV_E_ARG;
    if ((n = ruv__store_key_count(idx, key)) == 0)
        return RUV_E_NOTFOUND;
    /* slot order: the smallest slot above the last one written, n passes over the probe run */
    for (i = 0, j = 0; i < n && i < cap; i++) {
        uint32_t best = RUV__NONE, s;
        size_t mask = idx->table_cap - 1, h = (size_t)ruv__hash_mix64(key) & mask;
        for (; (s = idx->table[h]) != RUV__NONE; h = (h + 1) & mask)
            if (idx->keys[s] == key && (i == 0 || s > j) && (best == RUV__NONE || s < best))
                best = s;
        j = best;
        ruv__store_slot_vector(idx, best, (unsigned char *)out + i * idx->in_bytes);
    }
    *n_out = n;
    return RUV_OK;
}

static ruv_result ruv__store_get_blob(const ruv_index *idx, int is_id, uint64_t key, const void **p,
                                      size_t *len) {
    uint32_t s;
    if (p)
        *p = NULL;
    if (len)
        *len = 0;
    if (!idx || !p || !len)
        return RUV_E_ARG;
    if ((s = ruv__tab_find_key(idx, key)) == RUV__NONE)
        return RUV_E_NOTFOUND;
    *p = ruv__tab_blob(is_id ? &idx->ids : &idx->meta, s, len);
    return RUV_OK;
}

static ruv_result ruv__i_get_id(const ruv_index *idx, uint64_t key, const char **id, size_t *len) {
    const void *p;
    ruv_result r = ruv__store_get_blob(idx, 1, key, &p, len);
    if (id)
        *id = (const char *)p;
    return id ? r : RUV_E_ARG;
}

static ruv_result ruv__i_get_meta(const ruv_index *idx, uint64_t key, const void **meta,
                                  size_t *len) {
    return ruv__store_get_blob(idx, 0, key, meta, len);
}

static ruv_result ruv__i_get_key(const ruv_index *idx, const char *id, size_t len, uint64_t *key) {
    uint32_t s;
    if (key) /* out-parameters read 0 on an error */
        *key = 0;
    if (!idx || !id || !len || !key)
        return RUV_E_ARG;
    if (len > RUV_MAX_ID_BYTES) /* no id is longer: nothing of id is read */
        return RUV_E_NOTFOUND;
    if ((s = ruv__tab_find_id(idx, id, len)) == RUV__NONE)
        return RUV_E_NOTFOUND;
    *key = idx->keys[s];
    return RUV_OK;
}

static int ruv__i_next(const ruv_index *idx, size_t *cursor, uint64_t *key) {
    size_t s;
    if (!idx || !cursor || !key)
        return 0;
    for (s = *cursor; s < idx->count; s++)
        if (!ruv__slot_dead(idx, s)) {
            *key = idx->keys[s];
            *cursor = s + 1;
            return 1;
        }
    *cursor = idx->count;
    return 0;
}

/* ---- the public calls, between the concurrency guards (src/index.h) ---- */
/* (parenthesised: ruv_index_add_batch is also the name of a macro, see src/api_compat.h) */
RUVDEF ruv_result(ruv_index_add_batch)(ruv_index *idx, size_t n, const uint64_t *keys,
                                       const void *vecs, const ruv_build_options *opt) {
    RUV__WRITE(idx, ruv__i_add_batch(idx, n, keys, vecs, opt));
}
RUVDEF ruv_result ruv_index_reserve(ruv_index *idx, size_t n) {
    RUV__WRITE(idx, ruv__i_reserve(idx, n));
}
RUVDEF ruv_result ruv_index_add(ruv_index *idx, uint64_t key, const void *vec) {
    RUV__WRITE(idx, ruv__i_add(idx, key, vec));
}
RUVDEF ruv_result ruv_index_put(ruv_index *idx, const ruv_item *item, ruv_put_mode mode) {
    RUV__WRITE(idx, ruv__i_put(idx, item, mode));
}
RUVDEF ruv_result ruv_index_update(ruv_index *idx, uint64_t key, const void *vec) {
    RUV__WRITE(idx, ruv__store_put_vector(idx, key, vec, RUV_PUT_UPDATE));
}
RUVDEF ruv_result ruv_index_upsert(ruv_index *idx, uint64_t key, const void *vec) {
    RUV__WRITE(idx, ruv__store_put_vector(idx, key, vec, RUV_PUT_UPSERT));
}
RUVDEF ruv_result ruv_index_remove(ruv_index *idx, uint64_t key) {
    RUV__WRITE(idx, ruv__i_remove(idx, key));
}
RUVDEF ruv_result ruv_index_compact(ruv_index *idx) { RUV__WRITE(idx, ruv__i_compact(idx)); }
RUVDEF int ruv_index_contains(const ruv_index *idx, uint64_t key) {
    RUV__READ(idx, int, ruv__i_contains(idx, key));
}
RUVDEF ruv_result ruv_index_get_vector(const ruv_index *idx, uint64_t key, void *out) {
    RUV__READ(idx, ruv_result, ruv__i_get_vector(idx, key, out));
}
RUVDEF ruv_result ruv_index_get_vectors(const ruv_index *idx, uint64_t key, void *out, size_t cap,
                                        size_t *n_out) {
    RUV__READ(idx, ruv_result, ruv__i_get_vectors(idx, key, out, cap, n_out));
}
RUVDEF ruv_result ruv_index_get_id(const ruv_index *idx, uint64_t key, const char **id,
                                   size_t *len) {
    RUV__READ(idx, ruv_result, ruv__i_get_id(idx, key, id, len));
}
RUVDEF ruv_result ruv_index_get_meta(const ruv_index *idx, uint64_t key, const void **meta,
                                     size_t *len) {
    RUV__READ(idx, ruv_result, ruv__i_get_meta(idx, key, meta, len));
}
RUVDEF ruv_result ruv_index_get_key(const ruv_index *idx, const char *id, size_t len,
                                    uint64_t *key) {
    RUV__READ(idx, ruv_result, ruv__i_get_key(idx, id, len, key));
}
RUVDEF int ruv_index_next(const ruv_index *idx, size_t *cursor, uint64_t *key) {
    RUV__READ(idx, int, ruv__i_next(idx, cursor, key));
}

RUVDEF ruv_result ruv_index_read_begin(const ruv_index *idx) {
    if (!idx)
        return RUV_E_ARG;
#if RUV__THREADS
    if (ruv__tls_held)
        return RUV_E_BUSY;
    if (!idx->view) {
        ruv__rw_shared(&((ruv_index *)idx)->lock);
        ruv__tls_held = idx;
        ruv__tls_writer = 0;
        ruv__tls_pin = 1;
    }
#endif
    return RUV_OK;
}

RUVDEF void ruv_index_read_end(const ruv_index *idx) {
#if RUV__THREADS
    if (!idx || !ruv__tls_pin || ruv__tls_held != (const void *)idx)
        return;
    ruv__tls_held = NULL;
    ruv__tls_pin = 0;
    ruv__rw_shared_end(&((ruv_index *)idx)->lock);
#else
    (void)idx;
#endif
}

#endif /* RUV__IMPL */
/************** End of src/store.h ****************************************************************/
/************** Begin file src/search.h ***********************************************************/
/* Search: the exact scan with a bounded heap, filters (allow-list bitset, callback), the
   filtered-HNSW fallback to a scan, re-ranking on f32 copies, MMR, batches, search contexts. */
#ifdef RUV__IMPL

/* Exact top-k by scanning every slot with a max-heap of size k on (distance, slot). */
#define RUV__SCAN_BLOCK 64 /* slots per distance block of a scan without filters */
static int ruv__search_worse(const ruv__cand *a, const ruv__cand *b) {
    return a->dist > b->dist || (a->dist == b->dist && a->id > b->id);
}

/* Whether slot s may be a hit: live and passing the filters of p (may be NULL). */
static int ruv__search_pass(const ruv_index *idx, const ruv_search_options *p, uint32_t s) {
    uint64_t key;
    if (ruv__slot_dead(idx, s))
        return 0;
    if (!p)
        return 1;
    key = idx->keys[s];
    if (p->allow && (key >= p->allow_bits || !((p->allow[key / 8] >> (key % 8)) & 1u)))
        return 0;
    return !p->filter || p->filter(p->filter_user, key);
}

/* Adds candidate x to the max-heap h of n (< k, or == k: then replacing the worst if x is
   better). */
static void ruv__search_heap_push(ruv__cand *h, size_t *n, size_t k, ruv__cand x) {
    size_t i = 0;
    if (*n < k) { /* sift up */
        i = (*n)++;
        while (i > 0 && ruv__search_worse(&x, &h[(i - 1) / 2])) {
            h[i] = h[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        h[i] = x;
    } else if (ruv__search_worse(&h[0], &x)) { /* replace the worst, sift down */
        for (;;) {
            size_t l = 2 * i + 1, w = i;
            const ruv__cand *wc = &x;
            if (l < *n && ruv__search_worse(&h[l], wc))
                w = l, wc = &h[l];
            if (l + 1 < *n && ruv__search_worse(&h[l + 1], wc))
                w = l + 1;
            if (w == i)
                break;
            h[i] = h[w];
            i = w;
        }
        h[i] = x;
    }
}

/* Exact top-k by scanning every slot that passes (filt: NULL = every live one). With filters,
   distances only for the slots that pass; without, distances a block of slots at a time (one
   kernel call per block where the storage has a one-to-many kernel) and the liveness checked only
   for those that would enter the heap. Slots ascend, so an equal distance never displaces. */
static size_t ruv__search_flat(const ruv_index *idx, ruv_search_ctx *c, const ruv__prep *q,
                               size_t k, const ruv_search_options *filt, int skip_dead) {
    ruv__cand *h = c->pool;
    size_t n = 0, s;
    if (k == 0)
        return 0;
    if (filt) {
        for (s = 0; s < idx->count; s++) {
            ruv__cand x;
            if ((s & 1023) == 0 && ruv__ctx_cancel(c, 1))
                break;
            if (!ruv__search_pass(idx, filt, (uint32_t)s))
                continue;
            x.dist = ruv__dist_query_code(idx, q, ruv__slot_code(idx, (uint32_t)s));
            x.id = (uint32_t)s;
            ruv__search_heap_push(h, &n, k, x);
        }
    } else {
        float d[RUV__SCAN_BLOCK];
        for (s = 0; s < idx->count; s += RUV__SCAN_BLOCK) {
            size_t b = idx->count - s < RUV__SCAN_BLOCK ? idx->count - s : RUV__SCAN_BLOCK, j;
            if (ruv__ctx_cancel(c, 16)) /* 16 blocks of 64 */
                break;
            ruv__dist_query_block(idx, q, (uint32_t)s, b, d);
            for (j = 0; j < b; j++) {
                ruv__cand x;
                if (n == k && !(d[j] < h[0].dist))
                    continue;
                if (skip_dead && ruv__slot_dead(idx, s + j))
                    continue;
                x.dist = d[j];
                x.id = (uint32_t)(s + j);
                ruv__search_heap_push(h, &n, k, x);
            }
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
            if (l < s - 1 && ruv__search_worse(&h[l], wc))
                w = l, wc = &h[l];
            if (l + 1 < s - 1 && ruv__search_worse(&h[l + 1], wc))
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

/* Fraction of live entries passing p's filters, from up to 256 evenly spaced slots. */
static double ruv__search_pass_rate(const ruv_index *idx, const ruv_search_options *p) {
    size_t step = idx->count / 256 + 1, s, seen = 0, passed = 0;
    for (s = 0; s < idx->count; s += step)
        if (!ruv__slot_dead(idx, s)) {
            seen++;
            passed += (size_t)ruv__search_pass(idx, p, (uint32_t)s);
        }
    return seen ? (double)passed / (double)seen : 0.0;
}

/* Re-ranking: the first n candidates of c->pool get their exact f32 distance to q and are
   sorted again (ties by slot). */
static void ruv__search_rerank(const ruv_index *idx, ruv_search_ctx *c, const float *q, size_t n) {
    size_t i, bytes = idx->fvec_bytes, head = bytes < 256 ? bytes : 256;
    /* the copies are cold: start every candidate's first lines loading, then the next whole
       vector while one is measured */
    for (i = 0; idx->fvec && i < n; i++)
        ruv__prefetch_span(idx->fvec + (size_t)c->pool[i].id * bytes, 0, head);
    for (i = 0; i < n; i++) {
        if (idx->fvec && i + 1 < n)
            ruv__prefetch_span(idx->fvec + (size_t)c->pool[i + 1].id * bytes, head, bytes);
        c->pool[i].dist = ruv__dist_query_f32(idx, q, c->pool[i].id, c->tmp);
    }
    qsort(c->pool, n, sizeof *c->pool, ruv__ctx_cand_cmp);
}

/* The checks every search makes of its arguments (besides its own: k, radius): RUV_E_ARG for
   a NULL idx or query, allow_bits without allow, rerank too large or a ctx of another
   dimension; RUV_E_VALUE for a query the index would refuse as a vector. *cp = the ctx to use. */
static ruv_result ruv__search_open(const ruv_index *idx, const void *query,
                                   const ruv_search_options *params, ruv_search_ctx **cp) {
    int f32q = params && params->f32_query;
    if (!idx || !query || (params && params->allow_bits && !params->allow) ||
        (params && (params->rerank > RUV_MAX_RERANK || params->f32_query > 1)))
        return RUV_E_ARG;
    if (f32q && idx->cfg.dtype == RUV_DTYPE_BIN)
        return RUV_E_UNSUPPORTED;
    if (f32q && idx->cfg.dtype != RUV_DTYPE_F32 ? !ruv__code_f32_ok(idx, (const float *)query)
                                                : !ruv__code_accepts(idx, query))
        return RUV_E_VALUE;
    *cp = params && params->ctx ? params->ctx : idx->ctx;
    if ((*cp)->dim != idx->dim)
        return RUV_E_ARG;
    (*cp)->cancel = params ? params->cancel : NULL;
    (*cp)->cancel_user = params ? params->cancel_user : NULL;
    (*cp)->polls = 0;
    (*cp)->canceled = 0;
    return RUV_OK;
}

/* The query as the search measures it, prepared into *qp: normalised into c->query first for a
   float cosine index (returned, for exact distances), else query itself; an f32 query to a
   typed index (params->f32_query) prepared for ruv__dist_mixed. */
static const void *ruv__search_query(const ruv_index *idx, ruv_search_ctx *c, const void *query,
                                     const ruv_search_options *params, ruv__prep *qp) {
    if (params && params->f32_query && idx->cfg.dtype != RUV_DTYPE_F32) {
        ruv__code_prep_mixed(idx, c, (const float *)query, qp);
        return query;
    }
    if (idx->cfg.metric == RUV_METRIC_COSINE && idx->cfg.dtype == RUV_DTYPE_F32) {
        ruv__vec_normalize(c->query, (const float *)query, idx->dim);
        query = c->query;
    }
    ruv__code_prep_query(idx, c, query, c->qprep, 1, qp);
    return query;
}

/* The search behind ruv_index_search: leaves the n_out hits in (*cp)->pool as (distance, slot),
   closest first, and the normalised query (cosine) in (*cp)->query. */
static ruv_result ruv__search_run(const ruv_index *idx, const void *query, size_t k,
                                  const ruv_search_options *params, ruv_search_ctx **cp,
                                  size_t *n_out) {
    ruv_search_ctx *c;
    size_t ef, n, i, want, rr = 0;
    ruv_result r;
    const ruv_search_options *filt = NULL;
    ruv__prep qp, qb, *walk = &qp;
    int exact;
    *n_out = 0;
    if (k == 0)
        return RUV_E_ARG;
    if ((r = ruv__search_open(idx, query, params, cp)) != RUV_OK)
        return r;
    c = *cp;
    if (idx->live == 0)
        return RUV_OK;
    if (k > idx->live)
        k = idx->live;
    if (idx->fvec) /* re-rank rr x k candidates found on the codes */
        rr = params && params->rerank ? params->rerank : idx->cfg.rerank;
    want = rr && k <= idx->live / rr ? rr * k : rr ? idx->live : k;
    if (params && (params->filter || params->allow))
        filt = params;
    ef = params && params->ef_search ? params->ef_search : idx->cfg.ef_search;
    if (ef < want)
        ef = want;
    exact = idx->cfg.kind == RUV_INDEX_FLAT;
    if (filt && !exact) {
        double rate = ruv__search_pass_rate(idx, filt), est = rate * (double)idx->live;
        exact = est * 20.0 < (double)idx->live || est < 4.0 * (double)ef;
        if (!exact) /* expect about ef passing candidates in the list */
            ef = (size_t)((double)ef / rate) + 1;
    }
    if (exact)
        ef = want;
    if (ef > idx->count)
        ef = idx->count;
    r = ruv__ctx_reserve(c, idx->cfg.kind == RUV_INDEX_HNSW ? idx->cap : 0, ef,
                         (size_t)idx->m0 + 1);
    if (r == RUV_OK && c->prep_cap < idx->prep_len)
        r = ruv__ctx_prep(c, idx->prep_len);
    if (r != RUV_OK)
        return r;
    query = ruv__search_query(idx, c, query, params, &qp);
    if (exact) {
        n = ruv__search_flat(idx, c, &qp, want, filt, idx->live < idx->count);
    } else {
        uint32_t ep = idx->entry;
        float dep;
        int l;
        if (idx->cfg.walk_bits) { /* opt.walk_bits: the walk on bits, then the codes */
            ruv__code_prep_bits(idx, c, (const float *)query, &qb);
            walk = &qb;
        }
        dep = ruv__dist_query_code(idx, walk, ruv__code_walk(idx, walk, ep));
        for (l = idx->max_level; l > 0; l--)
            ruv__hnsw_greedy(idx, c, walk, l, &ep, &dep);
        for (;;) {
            size_t j;
            n = ruv__hnsw_search_layer(idx, c, walk, ep, dep, ef, 0);
            if (c->canceled)
                return RUV_E_CANCELED;
            if (idx->live == idx->count && !filt)
                break;
            /* deleted and filtered-out nodes are traversed but not returned: drop them, and
               widen the search while fewer than k remain */
            for (i = j = 0; i < n; i++)
                if (ruv__search_pass(idx, filt, c->pool[i].id))
                    c->pool[j++] = c->pool[i];
            n = j;
            if (n >= k || ef >= idx->count)
                break;
            ef = 2 * ef < idx->count ? 2 * ef : idx->count;
            if ((r = ruv__ctx_reserve(c, idx->cap, ef, (size_t)idx->m0 + 1)) != RUV_OK)
                return r;
        }
        if (walk == &qb) { /* the candidates found on bits, re-scored on the stored codes */
            for (i = 0; i < n; i++)
                c->pool[i].dist =
                    ruv__dist_query_code(idx, &qp, ruv__slot_code(idx, c->pool[i].id));
            qsort(c->pool, n, sizeof *c->pool, ruv__ctx_cand_cmp);
        }
        if (n > want)
            n = want;
        /* HNSW graphs are not always connected (a node whose in-links were all pruned by its
           neighbours' selections is unreachable, as in hnswlib): a walk that ends with fewer than
           k passing entries, which happens only when nearly all of them were asked for, is
           replaced by an exact scan, so that *n_out = min(k, passing) holds for HNSW too */
        if (n < k)
            n = ruv__search_flat(idx, c, &qp, want, filt, idx->live < idx->count);
    }
    if (c->canceled)
        return RUV_E_CANCELED;
    if (rr)
        ruv__search_rerank(idx, c, (const float *)query, n);
    *n_out = n < k ? n : k;
    return RUV_OK;
}

/* opt.multi: keeps the first (nearest) entry of each key among c->pool[0..*n-1], in order, and
   sets *n to how many remain. Marks the key's first slot in the key table as seen. */
static ruv_result ruv__search_unique_keys(const ruv_index *idx, ruv_search_ctx *c, size_t *n) {
    size_t i, j;
    ruv_result r = ruv__ctx_reserve(c, idx->cap, 0, 0);
    if (r != RUV_OK)
        return r;
    ruv__ctx_next_epoch(c);
    for (i = j = 0; i < *n; i++) {
        uint32_t h = ruv__tab_find_key(idx, idx->keys[c->pool[i].id]);
        if (c->visited[h] == c->epoch)
            continue;
        c->visited[h] = c->epoch;
        c->pool[j++] = c->pool[i];
    }
    *n = j;
    return RUV_OK;
}

/* ruv__search_run for k keys: with opt.multi, the nearest 2k vectors are searched, then 4k,
   ... until they hold k distinct keys or every passing entry (flat: exact, as any key missing
   from the nearest f vectors is farther than all of them). */
static ruv_result ruv__search_keys(const ruv_index *idx, const void *query, size_t k,
                                   const ruv_search_options *params, ruv_search_ctx **cp,
                                   size_t *n_out) {
    size_t fetch = k, n, m;
    ruv_result r;
    if (!idx || !idx->cfg.multi || k == 0 || idx->live == 0)
        return ruv__search_run(idx, query, k, params, cp, n_out);
    for (;;) {
        fetch = fetch > idx->live / 2 ? idx->live : 2 * fetch;
        if ((r = ruv__search_run(idx, query, fetch, params, cp, &n)) != RUV_OK)
            return r;
        m = n;
        if ((r = ruv__search_unique_keys(idx, *cp, &m)) != RUV_OK) {
            *n_out = 0;
            return r;
        }
        if (m >= k || n < fetch || fetch >= idx->live) {
            *n_out = m < k ? m : k;
            return RUV_OK;
        }
    }
}

static ruv_result ruv__i_search(const ruv_index *idx, const void *query, size_t k,
                                const ruv_search_options *params, ruv_hit *hits, size_t *n_out) {
    ruv_search_ctx *c = NULL;
    size_t n = 0, i;
    ruv_result r;
    if (n_out)
        *n_out = 0;
    if (!hits || !n_out)
        return RUV_E_ARG;
    if ((r = ruv__search_keys(idx, query, k, params, &c, &n)) != RUV_OK)
        return r;
    for (i = 0; i < n; i++) {
        hits[i].key = idx->keys[c->pool[i].id];
        hits[i].distance = c->pool[i].dist;
    }
    *n_out = n;
    return RUV_OK;
}

static ruv_result ruv__i_search_mmr(const ruv_index *idx, const void *query, size_t k, float lambda,
                                    size_t fetch, const ruv_search_options *params, ruv_hit *hits,
                                    size_t *n_out) {
    ruv_search_ctx *c = NULL;
    size_t m = 0, t, i;
    ruv_result r;
    if (n_out)
        *n_out = 0;
    if (!hits || !n_out || k == 0 || !(lambda >= 0.0f && lambda <= 1.0f))
        return RUV_E_ARG;
    if (!fetch)
        fetch = k > (size_t)-1 / 4 ? k : 4 * k;
    if (fetch < k)
        fetch = k;
    if ((r = ruv__search_keys(idx, query, fetch, params, &c, &m)) != RUV_OK)
        return r;
    if (m > c->mmr_cap) {
        int ok = 1;
        size_t bytes = ruv__size_mul(m, sizeof *c->mmr, &ok);
        float *f = ok ? (float *)ruv__mem_alloc(&c->mem, bytes) : NULL;
        if (!f)
            return RUV_E_NOMEM;
        ruv__mem_free(&c->mem, c->mmr, c->mmr_cap * sizeof *c->mmr);
        c->mmr = f;
        c->mmr_cap = m;
    }
    /* pool[0..t-1] = picked; mmr[i] = distance from candidate i to the closest picked one */
    for (t = 0; t < k && t < m; t++) {
        size_t best = t;
        float best_score = 0;
        for (i = t; i < m; i++) {
            float div = t ? c->mmr[i] : 0.0f;
            float score = (1.0f - lambda) * div - lambda * c->pool[i].dist;
            if (i == t || score > best_score) {
                best = i;
                best_score = score;
            }
        }
        if (best != t) {
            ruv__cand x = c->pool[t];
            float f = c->mmr[t];
            c->pool[t] = c->pool[best];
            c->mmr[t] = c->mmr[best];
            c->pool[best] = x;
            c->mmr[best] = f;
        }
        for (i = t + 1; i < m; i++) {
            float d = ruv__dist_slot_slot(idx, c, c->pool[i].id, c->pool[t].id);
            if (t == 0 || d < c->mmr[i])
                c->mmr[i] = d;
        }
    }
    for (i = 0; i < t; i++) {
        hits[i].key = idx->keys[c->pool[i].id];
        hits[i].distance = c->pool[i].dist;
    }
    *n_out = t;
    return RUV_OK;
}

/* A batch shared by threads: each claims the next query under `m`; the lowest failing query
   is kept. */
typedef struct ruv__sbatch {
    const ruv_index *idx;
    const unsigned char *queries;
    size_t nq, k, qb, next, fail;
    ruv_result err;
    ruv_hit *hits;
    size_t *n_out;
#if RUV__THREADS
    pthread_mutex_t m;
#endif
} ruv__sbatch;

typedef struct ruv__sjob {
    ruv__sbatch *b;
    ruv_search_options opt; /* the caller's, with this thread's ctx */
} ruv__sjob;

static void *ruv__search_worker(void *arg) {
    ruv__sjob *j = (ruv__sjob *)arg;
    ruv__sbatch *b = j->b;
    for (;;) {
        size_t i;
        ruv_result r;
        RUV__MLOCK(&b->m);
        i = b->next < b->fail ? b->next++ : b->nq;
        RUV__MUNLOCK(&b->m);
        if (i >= b->nq)
            break;
        r = ruv_index_search(b->idx, b->queries + i * b->qb, b->k, &j->opt, b->hits + i * b->k,
                             b->n_out + i);
        if (r != RUV_OK) {
            RUV__MLOCK(&b->m);
            if (i < b->fail) {
                b->fail = i;
                b->err = r;
            }
            RUV__MUNLOCK(&b->m);
        }
    }
    return NULL;
}

RUVDEF ruv_result ruv_index_search_batch(const ruv_index *idx, size_t nq, const void *queries,
                                         size_t k, const ruv_search_options *params, ruv_hit *hits,
                                         size_t *n_out) {
    size_t i, qb, threads = params && params->threads > 1 ? params->threads : 1;
    ruv__sbatch b;
    ruv__sjob jobs[64];
    ruv_search_ctx *own[64];
    if (!idx || !n_out || (nq && (!queries || !hits)) || k == 0)
        return RUV_E_ARG;
    qb = params && params->f32_query ? idx->dim * sizeof(float) : idx->in_bytes;
    /* nq x k hits and nq queries must be addressable (else nothing is written) */
    if (nq > (size_t)-1 / sizeof(ruv_hit) / k || nq > (size_t)-1 / qb)
        return RUV_E_ARG;
    for (i = 0; i < nq; i++)
        n_out[i] = 0;
#if RUV__THREADS
    if (threads > 64)
        threads = 64;
    if (threads > nq)
        threads = nq;
    /* from inside a callback of idx this thread holds it: threads of its own would wait for the
       lock behind a waiting writer, which waits for this thread */
    if (ruv__tls_held == (const void *)idx)
        threads = 1;
#else
    threads = 1;
#endif
    memset(&b, 0, sizeof b);
    b.idx = idx;
    b.queries = (const unsigned char *)queries;
    b.nq = b.fail = nq;
    b.k = k;
    b.qb = qb;
    b.hits = hits;
    b.n_out = n_out;
    /* one ctx per thread (the caller's own if it gave one); without memory, fewer threads */
    for (i = 0; i < threads; i++) {
        if (params)
            jobs[i].opt = *params;
        else
            memset(&jobs[i].opt, 0, sizeof jobs[i].opt);
        jobs[i].b = &b;
        own[i] = NULL;
        if (threads > 1 && !(i == 0 && params && params->ctx)) {
            if (ruv_search_ctx_create(idx, &own[i]) != RUV_OK)
                break;
            jobs[i].opt.ctx = own[i];
        }
    }
    if (i < threads) /* ctx i failed: threads 0..i-1 have theirs (or none is threaded) */
        threads = i ? i : 1;
    if (threads > 1) {
#if RUV__THREADS
        pthread_mutex_init(&b.m, NULL);
#endif
        ruv__threads_run(ruv__search_worker, jobs, sizeof *jobs, threads);
#if RUV__THREADS
        pthread_mutex_destroy(&b.m);
#endif
    } else { /* the calling thread alone: no lock */
        for (i = 0; i < nq; i++) {
            ruv_result r =
                ruv_index_search(idx, b.queries + i * qb, k, params, hits + i * k, n_out + i);
            if (r != RUV_OK) {
                b.fail = i;
                b.err = r;
                break;
            }
        }
    }
    for (i = 0; i < threads; i++)
        ruv_search_ctx_free(own[i]);
    for (i = b.fail; i < nq; i++) /* as one thread leaves them: nothing from the failing one on */
        n_out[i] = 0;
    return b.fail < nq ? b.err : RUV_OK;
}

static ruv_result ruv__i_ctx_create(const ruv_index *idx, ruv_search_ctx **out) {
    ruv__mem m;
    if (out)
        *out = NULL;
    if (!idx || !out)
        return RUV_E_ARG;
    m = idx->mem;
    *out = ruv__ctx_new(&m, idx->dim, idx->prep_len);
    return *out ? RUV_OK : RUV_E_NOMEM;
}

RUVDEF void ruv_search_ctx_free(ruv_search_ctx *ctx) {
    ruv__mem m;
    if (!ctx)
        return;
    ruv__ctx_release(ctx);
    m = ctx->mem;
    ruv__mem_free(&m, ctx, sizeof *ctx);
}

/* ---- the public calls, between the concurrency guards (src/index.h): a search without a ctx
   uses the index's own scratch, so it also excludes writers ---- */
#define RUV__OWN(p) (!(p) || !(p)->ctx)
RUVDEF ruv_result ruv_index_search(const ruv_index *idx, const void *query, size_t k,
                                   const ruv_search_options *params, ruv_hit *hits, size_t *n_out) {
    if (n_out)
        *n_out = 0;
    RUV__READ_R(idx, RUV__OWN(params), ruv__i_search(idx, query, k, params, hits, n_out));
}
RUVDEF ruv_result ruv_index_search_mmr(const ruv_index *idx, const void *query, size_t k,
                                       float lambda, size_t fetch, const ruv_search_options *params,
                                       ruv_hit *hits, size_t *n_out) {
    if (n_out)
        *n_out = 0;
    RUV__READ_R(idx, RUV__OWN(params),
                ruv__i_search_mmr(idx, query, k, lambda, fetch, params, hits, n_out));
}
RUVDEF ruv_result ruv_search_ctx_create(const ruv_index *idx, ruv_search_ctx **out) {
    RUV__READ(idx, ruv_result, ruv__i_ctx_create(idx, out));
}

#endif /* RUV__IMPL */
/************** End of src/search.h ***************************************************************/
/************** Begin file src/range.h ************************************************************/
/* Range search: every entry within a radius of the query. Exact on flat indexes (a scan); on
   HNSW the beam search of ef_search, repeated with ef doubled while most of its list is within
   the radius. */
#ifdef RUV__IMPL

/* Makes room for `need` candidates in c->pool, keeping the first `keep`. All or nothing. */
static ruv_result ruv__range_grow(ruv_search_ctx *c, size_t need, size_t keep) {
    ruv__cand *p;
    size_t cap;
    int ok = 1;
    if (need <= c->pool_cap)
        return RUV_OK;
    cap = c->pool_cap > need / 2 ? 2 * c->pool_cap : need;
    p = (ruv__cand *)ruv__mem_alloc(&c->mem, ruv__size_mul(cap, sizeof *p, &ok));
    if (!ok || !p)
        return RUV_E_NOMEM;
    if (keep)
        memcpy(p, c->pool, keep * sizeof *p);
    ruv__mem_free(&c->mem, c->pool, c->pool_cap * sizeof *p);
    c->pool = p;
    c->pool_cap = cap;
    return RUV_OK;
}

/* Appends (d, s) to c->pool[*n]. */
static ruv_result ruv__range_push(ruv_search_ctx *c, size_t *n, float d, uint32_t s) {
    ruv_result r = ruv__range_grow(c, *n + 1, *n);
    if (r != RUV_OK)
        return r;
    c->pool[*n].dist = d;
    c->pool[(*n)++].id = s;
    return RUV_OK;
}

/* Flat: every passing entry within radius, on the exact f32 distance where f32 copies are kept
   (else on the codes). */
static ruv_result ruv__range_flat(const ruv_index *idx, ruv_search_ctx *c, const void *query,
                                  const ruv__prep *q, float radius, const ruv_search_options *filt,
                                  size_t *n) {
    size_t s;
    int skip = filt || idx->live < idx->count;
    for (s = 0; s < idx->count; s++) {
        float d;
        ruv_result r;
        if ((s & 1023) == 0 && ruv__ctx_cancel(c, 1))
            return RUV_E_CANCELED;
        if (skip && !ruv__search_pass(idx, filt, (uint32_t)s))
            continue;
        d = idx->fvec ? ruv__dist_query_f32(idx, (const float *)query, (uint32_t)s, c->tmp)
                      : ruv__dist_query_code(idx, q, ruv__slot_code(idx, (uint32_t)s));
        if (d <= radius && (r = ruv__range_push(c, n, d, (uint32_t)s)) != RUV_OK)
            return r;
    }
    return RUV_OK;
}

/* HNSW: beam search with ef, repeated with ef doubled while more than half of the list it
   finds is within radius (so that the in-radius entries are the nearer half of a list at least
   twice their number, where a beam search's recall is high); the in-radius entries of the last
   list are the result. An exact scan replaces the walk, being cheaper, when the list would grow
   past 1 / RUV__RANGE_SCAN of the slots, or when the first list is more than half within radius
   and 256 evenly spaced slots say that over 1 / (4 x RUV__RANGE_SCAN) of them are.
   Deleted and filtered-out nodes are walked through (they keep the graph connected) and dropped
   at the end. Distances on the codes; with f32 copies the entries found
   are then measured exactly and those beyond radius dropped. */
#define RUV__RANGE_SCAN 64
static ruv_result ruv__range_hnsw(const ruv_index *idx, ruv_search_ctx *c, const void *query,
                                  const ruv__prep *q, float radius, size_t ef,
                                  const ruv_search_options *filt, size_t *n_out) {
    uint32_t ep = idx->entry;
    float dep = ruv__dist_query_code(idx, q, ruv__slot_code(idx, ep));
    size_t n, i, j, first = ef;
    int l;
    for (l = idx->max_level; l > 0; l--)
        ruv__hnsw_greedy(idx, c, q, l, &ep, &dep);
    for (;;) {
        ruv_result r;
        int scan;
        n = ruv__hnsw_search_layer(idx, c, q, ep, dep, ef, 0);
        if (c->canceled)
            return RUV_E_CANCELED;
        if (n < ef || ef >= idx->count || !(c->pool[n / 2].dist <= radius))
            break;
        scan = 2 * ef > idx->count / RUV__RANGE_SCAN;
        if (!scan && ef == first) { /* a wide range: its share, from evenly spaced slots */
            size_t step = idx->count / 256 + 1, s, seen = 0, in = 0;
            for (s = 0; s < idx->count; s += step)
                if (!ruv__slot_dead(idx, s)) {
                    seen++;
                    in += ruv__dist_query_code(idx, q, ruv__slot_code(idx, (uint32_t)s)) <= radius;
                }
            scan = in * 4 * RUV__RANGE_SCAN > seen; /* above 1 / (4 x RUV__RANGE_SCAN) */
        }
        if (scan) { /* scanning them all is cheaper */
            *n_out = 0;
            return ruv__range_flat(idx, c, query, q, radius, filt, n_out);
        }
        ef *= 2;
        if ((r = ruv__ctx_reserve(c, idx->cap, ef, (size_t)idx->m0 + 1)) != RUV_OK)
            return r;
    }
    for (i = j = 0; i < n; i++) {
        ruv__cand x = c->pool[i];
        if (!(x.dist <= radius) || !ruv__search_pass(idx, filt, x.id))
            continue;
        if (idx->fvec &&
            !((x.dist = ruv__dist_query_f32(idx, (const float *)query, x.id, c->tmp)) <= radius))
            continue;
        c->pool[j++] = x;
    }
    *n_out = j;
    return RUV_OK;
}

/* The search behind both range functions: leaves the n_out entries within radius in c->pool,
   closest first (ties by slot). */
static ruv_result ruv__range_run(const ruv_index *idx, const void *query, float radius,
                                 const ruv_search_options *params, ruv_search_ctx **cp,
                                 size_t *n_out) {
    ruv_search_ctx *c;
    const ruv_search_options *filt = NULL;
    size_t ef;
    ruv__prep qp;
    ruv_result r;
    int exact;
    *n_out = 0;
    if (radius != radius)
        return RUV_E_ARG;
    if ((r = ruv__search_open(idx, query, params, cp)) != RUV_OK)
        return r;
    c = *cp;
    if (idx->live == 0)
        return RUV_OK;
    if (params && (params->filter || params->allow))
        filt = params;
    ef = params && params->ef_search ? params->ef_search : idx->cfg.ef_search;
    if (ef > idx->count)
        ef = idx->count;
    exact = idx->cfg.kind == RUV_INDEX_FLAT;
    if (filt && !exact) /* few pass: scanning them is cheaper than walking the graph */
        exact = ruv__search_pass_rate(idx, filt) * 20.0 < 1.0;
    r = ruv__ctx_reserve(c, exact ? 0 : idx->cap, exact ? 16 : ef, (size_t)idx->m0 + 1);
    if (r == RUV_OK && c->prep_cap < idx->prep_len)
        r = ruv__ctx_prep(c, idx->prep_len);
    if (r != RUV_OK)
        return r;
    query = ruv__search_query(idx, c, query, params, &qp);
    if (exact)
        r = ruv__range_flat(idx, c, query, &qp, radius, filt, n_out);
    else
        r = ruv__range_hnsw(idx, c, query, &qp, radius, ef, filt, n_out);
    if (r != RUV_OK) {
        *n_out = 0;
        return r;
    }
    qsort(c->pool, *n_out, sizeof *c->pool, ruv__ctx_cand_cmp);
    if (idx->cfg.multi && (r = ruv__search_unique_keys(idx, c, n_out)) != RUV_OK)
        *n_out = 0;
    return r;
}

static ruv_result ruv__i_search_range(const ruv_index *idx, const void *query, float radius,
                                      const ruv_search_options *params, ruv_hit *hits, size_t cap,
                                      size_t *n_out) {
    ruv_search_ctx *c = NULL;
    size_t n = 0, i;
    ruv_result r;
    if (n_out)
        *n_out = 0;
    if (!n_out || (cap && !hits))
        return RUV_E_ARG;
    if ((r = ruv__range_run(idx, query, radius, params, &c, &n)) != RUV_OK)
        return r;
    for (i = 0; i < n && i < cap; i++) {
        hits[i].key = idx->keys[c->pool[i].id];
        hits[i].distance = c->pool[i].dist;
    }
    *n_out = n;
    return RUV_OK;
}

static ruv_result ruv__i_search_range_each(const ruv_index *idx, const void *query, float radius,
                                           const ruv_search_options *params, ruv_range_fn fn,
                                           void *user, size_t *n_out) {
    ruv_search_ctx *c = NULL;
    size_t n = 0, i;
    ruv_result r;
    if (n_out)
        *n_out = 0;
    if (!fn)
        return RUV_E_ARG;
    if ((r = ruv__range_run(idx, query, radius, params, &c, &n)) != RUV_OK)
        return r;
    if (n_out)
        *n_out = n;
    for (i = 0; i < n; i++)
        if (fn(user, idx->keys[c->pool[i].id], c->pool[i].dist))
            break;
    return RUV_OK;
}

/* ---- the public calls, between the concurrency guards (src/index.h) ---- */
RUVDEF ruv_result ruv_index_search_range(const ruv_index *idx, const void *query, float radius,
                                         const ruv_search_options *params, ruv_hit *hits,
                                         size_t cap, size_t *n_out) {
    if (n_out)
        *n_out = 0;
    RUV__READ_R(idx, RUV__OWN(params),
                ruv__i_search_range(idx, query, radius, params, hits, cap, n_out));
}
RUVDEF ruv_result ruv_index_search_range_each(const ruv_index *idx, const void *query, float radius,
                                              const ruv_search_options *params, ruv_range_fn fn,
                                              void *user, size_t *n_out) {
    if (n_out)
        *n_out = 0;
    RUV__READ_R(idx, RUV__OWN(params),
                ruv__i_search_range_each(idx, query, radius, params, fn, user, n_out));
}

#endif /* RUV__IMPL */
/************** End of src/range.h ****************************************************************/
/************** Begin file src/sparse.h ***********************************************************/
/* Sparse vectors: kernels, the sparse index (forward store, key map, inverted index), exact
   top-k by MaxScore, term-at-a-time and brute force (see SPARSE VECTORS in the API). */
#ifdef RUV__IMPL

/* ---- kernels ---------------------------------------------------------------------------- */

/* First index j >= lo in ids[0..n-1] (ascending) with ids[j] >= x: galloping, then binary. */
static size_t ruv__sp_gallop(const uint32_t *ids, size_t lo, size_t n, uint32_t x) {
    size_t step = 1, hi;
    if (lo >= n || ids[lo] >= x)
        return lo;
    while (lo + step < n && ids[lo + step] < x)
        lo += step, step *= 2;
    hi = lo + step < n ? lo + step : n; /* ids[lo] < x <= ids[hi] (or hi == n) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < x)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* sum over shared ids of wa(va[i]) * vb[j] in ascending id order, in double (wa: the query's
   weights in double, or NULL for va as is); *shared = whether any id is shared. */
static double ruv__sp_dot(size_t na, const uint32_t *ia, const float *va, const double *wa,
                          size_t nb, const uint32_t *ib, const float *vb, double scale_b,
                          int *shared) {
    double s = 0.0;
    size_t i = 0, j = 0;
    int any = 0;
    if (na * 16 < nb || nb * 16 < na) { /* gallop through the longer list */
        int a_short = na <= nb;
        const uint32_t *is = a_short ? ia : ib, *il = a_short ? ib : ia;
        size_t ns = a_short ? na : nb, nl = a_short ? nb : na;
        for (; i < ns && j < nl; i++) {
            j = ruv__sp_gallop(il, j, nl, is[i]);
            if (j < nl && il[j] == is[i]) {
                size_t x = a_short ? i : j, y = a_short ? j : i;
                double w = wa ? wa[x] : (double)va[x], v = (double)vb[y];
                if (scale_b != 1.0)
                    v = (double)(float)(v * scale_b);
                s += w * v;
                any = 1;
                j++;
            }
        }
    } else {
        while (i < na && j < nb) {
            if (ia[i] < ib[j])
                i++;
            else if (ia[i] > ib[j])
                j++;
            else {
                double w = wa ? wa[i] : (double)va[i], v = (double)vb[j];
                if (scale_b != 1.0)
                    v = (double)(float)(v * scale_b);
                s += w * v;
                any = 1;
                i++, j++;
            }
        }
    }
    if (shared)
        *shared = any;
    return s;
}

RUVDEF float ruv_sparse_dot(size_t na, const uint32_t *ia, const float *va, size_t nb,
                            const uint32_t *ib, const float *vb) {
    if ((na && (!ia || !va)) || (nb && (!ib || !vb)))
        return 0.0f;
    return (float)ruv__sp_dot(na, ia, va, NULL, nb, ib, vb, 1.0, NULL);
}

RUVDEF float ruv_sparse_l2sq(size_t na, const uint32_t *ia, const float *va, size_t nb,
                             const uint32_t *ib, const float *vb) {
    double s = 0.0;
    size_t i = 0, j = 0;
    if ((na && (!ia || !va)) || (nb && (!ib || !vb)))
        return 0.0f;
    while (i < na || j < nb) {
        double d;
        if (j >= nb || (i < na && ia[i] < ib[j]))
            d = (double)va[i++];
        else if (i >= na || ib[j] < ia[i])
            d = (double)vb[j++];
        else
            d = (double)va[i++] - (double)vb[j++];
        s += d * d;
    }
    return (float)s;
}

RUVDEF float ruv_sparse_dense_dot(size_t na, const uint32_t *ia, const float *va, const float *d,
                                  size_t dim) {
    double s = 0.0;
    size_t i;
    if (na && (!ia || !va || (dim && !d)))
        return 0.0f;
    for (i = 0; i < na; i++)
        if (ia[i] < dim)
            s += (double)va[i] * (double)d[ia[i]];
    return (float)s;
}

/* ---- the index ---------------------------------------------------------------------------- */

#define RUV__SP_NONE 0xFFFFFFFFu /* empty map value; also the one invalid dimension id */

/* Open-addressing map (linear probing, backward-shift deletion) from uint64 to uint32. */
typedef struct ruv__sp_map {
    uint64_t *k;
    uint32_t *v; /* RUV__SP_NONE = empty */
    size_t cap, n;
} ruv__sp_map;

/* One dimension's postings, in slot order; maxw / minw bound the stored weights. */
/* A block of a posting list: its postings in the 64-slot range blk (slot >> 6), from index
   first up to the next block's first; hi = their largest weight. */
typedef struct ruv__sp_blk {
    uint32_t blk, first;
    float hi;
} ruv__sp_blk;

typedef struct ruv__sp_list {
    uint32_t *slot;
    float *w;
    uint32_t n, cap;
    float maxw, minw;
    ruv__sp_blk *bk; /* one per 64-slot range holding postings, in order */
    uint32_t nb, bcap;
} ruv__sp_list;

struct ruv_sparse_index {
    ruv__mem mem;
    ruv_metric metric;
    uint32_t max_nnz;
    /* per slot */
    uint64_t *keys;
    size_t *off;   /* into ids / vals */
    uint32_t *nnz; /* ... */
    double *norm2; /* sum of squares of the values as given */
    unsigned char *dead;
    size_t slots, slot_cap, live, dead_postings;
    /* the vectors as given, back to back */
    uint32_t *ids;
    float *vals;
    size_t pool_n, ids_cap, vals_cap;
    ruv__sp_map kmap, tmap; /* key -> slot, dimension -> list */
    ruv__sp_list *lists;
    size_t nlists, lists_cap;
    /* string ids and metadata per slot (ref arrays of slot_cap slots, NULL until first used;
       a tombstone has neither), the id hash table (slots, at most half full) */
    ruv__blobs sid, smeta;
    uint32_t *idtab;
    size_t idtab_cap, nids;
};

/* Replaces *p (cap elements of size es, n in use) by a copy with room for at least need. */
static int ruv__sp_grow(ruv__mem *m, void **p, size_t n, size_t *cap, size_t need, size_t es) {
    size_t c = *cap ? *cap : 4;
    void *q;
    if (need <= *cap)
        return 1;
    while (c < need)
        c = c > ((size_t)-1) / 4 ? need : 2 * c;
    if (c > ((size_t)-1) / es || !(q = ruv__mem_alloc(m, c * es)))
        return 0;
    if (n)
        memcpy(q, *p, n * es);
    ruv__mem_free(m, *p, *cap * es);
    *p = q;
    *cap = c;
    return 1;
}

static uint32_t ruv__sp_map_get(const ruv__sp_map *m, uint64_t key) {
    size_t mask, h;
    if (!m->cap)
        return RUV__SP_NONE;
    mask = m->cap - 1;
    for (h = (size_t)ruv__hash_mix64(key) & mask; m->v[h] != RUV__SP_NONE; h = (h + 1) & mask)
        if (m->k[h] == key)
            return m->v[h];
    return RUV__SP_NONE;
}

/* Inserts key (absent) -> v; room must have been reserved. */
static void ruv__sp_map_put(ruv__sp_map *m, uint64_t key, uint32_t v) {
    size_t mask = m->cap - 1, h = (size_t)ruv__hash_mix64(key) & mask;
    while (m->v[h] != RUV__SP_NONE)
        h = (h + 1) & mask;
    m->k[h] = key;
    m->v[h] = v;
    m->n++;
}

/* Room for n entries at a load of at most 3/4 (a rehash into new arrays). */
static int ruv__sp_map_reserve(ruv__mem *mem, ruv__sp_map *m, size_t n) {
    ruv__sp_map t;
    size_t i;
    if (n * 4 <= m->cap * 3)
        return 1;
    t.cap = m->cap ? m->cap : 16;
    while (n * 4 > t.cap * 3)
        t.cap *= 2;
    t.n = 0;
    t.k = (uint64_t *)ruv__mem_alloc(mem, t.cap * sizeof *t.k);
    t.v = (uint32_t *)ruv__mem_alloc(mem, t.cap * sizeof *t.v);
    if (!t.k || !t.v) {
        ruv__mem_free(mem, t.k, t.k ? t.cap * sizeof *t.k : 0);
        ruv__mem_free(mem, t.v, t.v ? t.cap * sizeof *t.v : 0);
        return 0;
    }
    memset(t.v, 0xFF, t.cap * sizeof *t.v);
    for (i = 0; i < m->cap; i++)
        if (m->v[i] != RUV__SP_NONE)
            ruv__sp_map_put(&t, m->k[i], m->v[i]);
    ruv__mem_free(mem, m->k, m->cap * sizeof *m->k);
    ruv__mem_free(mem, m->v, m->cap * sizeof *m->v);
    *m = t;
    return 1;
}

/* Removes key (present), shifting back the entries of its probe run. */
static void ruv__sp_map_del(ruv__sp_map *m, uint64_t key) {
    size_t mask = m->cap - 1, h = (size_t)ruv__hash_mix64(key) & mask, j;
    while (m->k[h] != key || m->v[h] == RUV__SP_NONE)
        h = (h + 1) & mask;
    for (j = (h + 1) & mask; m->v[j] != RUV__SP_NONE; j = (j + 1) & mask) {
        size_t home = (size_t)ruv__hash_mix64(m->k[j]) & mask;
        /* move j into the hole h unless its home lies cyclically in (h, j] */
        if ((j > h && (home <= h || home > j)) || (j < h && home <= h && home > j)) {
            m->k[h] = m->k[j];
            m->v[h] = m->v[j];
            h = j;
        }
    }
    m->v[h] = RUV__SP_NONE;
    m->n--;
}

RUVDEF ruv_sparse_options ruv_sparse_options_init(void) {
    ruv_sparse_options o;
    memset(&o, 0, sizeof o);
    o.metric = RUV_METRIC_IP;
    o.max_nnz = RUV_SPARSE_DEFAULT_MAX_NNZ;
    return o;
}

RUVDEF ruv_result ruv_sparse_create(const ruv_sparse_options *opt, ruv_sparse_index **out) {
    ruv__mem mem;
    ruv_sparse_index *idx;
    if (out)
        *out = NULL;
    if (!opt || !out || opt->max_nnz > RUV_SPARSE_MAX_NNZ || !opt->alloc.alloc != !opt->alloc.free)
        return RUV_E_ARG;
    if (opt->metric != RUV_METRIC_IP && opt->metric != RUV_METRIC_COSINE &&
        opt->metric != RUV_METRIC_L2SQ)
        return RUV_E_UNSUPPORTED;
    ruv__mem_init(&mem, opt->alloc);
    if (!(idx = (ruv_sparse_index *)ruv__mem_alloc(&mem, sizeof *idx)))
        return RUV_E_NOMEM;
    memset(idx, 0, sizeof *idx);
    idx->mem = mem;
    idx->metric = opt->metric;
    idx->max_nnz = opt->max_nnz ? opt->max_nnz : RUV_SPARSE_DEFAULT_MAX_NNZ;
    *out = idx;
    return RUV_OK;
}

/* Frees every array of idx (not idx itself) through m. */
static void ruv__sp_release(ruv_sparse_index *idx, ruv__mem *m) {
    size_t i, c = idx->slot_cap;
    for (i = 0; i < idx->nlists; i++) {
        ruv__mem_free(m, idx->lists[i].slot, idx->lists[i].cap * sizeof(uint32_t));
        ruv__mem_free(m, idx->lists[i].w, idx->lists[i].cap * sizeof(float));
        ruv__mem_free(m, idx->lists[i].bk, idx->lists[i].bcap * sizeof(ruv__sp_blk));
    }
    ruv__mem_free(m, idx->lists, idx->lists_cap * sizeof *idx->lists);
    ruv__mem_free(m, idx->keys, c * sizeof *idx->keys);
    ruv__mem_free(m, idx->off, c * sizeof *idx->off);
    ruv__mem_free(m, idx->nnz, c * sizeof *idx->nnz);
    ruv__mem_free(m, idx->norm2, c * sizeof *idx->norm2);
    ruv__mem_free(m, idx->dead, c);
    ruv__mem_free(m, idx->ids, idx->ids_cap * sizeof *idx->ids);
    ruv__mem_free(m, idx->vals, idx->vals_cap * sizeof *idx->vals);
    ruv__mem_free(m, idx->kmap.k, idx->kmap.cap * sizeof(uint64_t));
    ruv__mem_free(m, idx->kmap.v, idx->kmap.cap * sizeof(uint32_t));
    ruv__mem_free(m, idx->tmap.k, idx->tmap.cap * sizeof(uint64_t));
    ruv__mem_free(m, idx->tmap.v, idx->tmap.cap * sizeof(uint32_t));
    ruv__mem_free(m, idx->sid.ref, idx->sid.ref ? c * 2 * 4 : 0);
    ruv__mem_free(m, idx->sid.bytes, idx->sid.cap);
    ruv__mem_free(m, idx->smeta.ref, idx->smeta.ref ? c * 2 * 4 : 0);
    ruv__mem_free(m, idx->smeta.bytes, idx->smeta.cap);
    ruv__mem_free(m, idx->idtab, idx->idtab_cap * 4);
}

RUVDEF void ruv_sparse_free(ruv_sparse_index *idx) {
    ruv__mem m;
    if (!idx)
        return;
    m = idx->mem;
    ruv__sp_release(idx, &m);
    ruv__mem_free(&m, idx, sizeof *idx);
}

/* RUV_OK if (nnz, ids, values) is a valid vector for idx (query: nnz 0 allowed); *norm2 = its
   squared norm. */
static ruv_result ruv__sp_check(const ruv_sparse_index *idx, size_t nnz, const uint32_t *ids,
                                const float *values, int query, double *norm2) {
    size_t i;
    double s = 0.0;
    if (nnz && (!ids || !values))
        return RUV_E_ARG;
    if (nnz > idx->max_nnz || (!nnz && !query && idx->metric == RUV_METRIC_COSINE))
        return RUV_E_VALUE;
    for (i = 0; i < nnz; i++) {
        if (!ruv__f32_finite(values[i]) || values[i] == 0.0f || ids[i] == RUV__SP_NONE ||
            (i && ids[i] <= ids[i - 1]))
            return RUV_E_VALUE;
        s += (double)values[i] * (double)values[i];
    }
    if (s > 3.4028234663852886e38) /* FLT_MAX */
        return RUV_E_VALUE;
    *norm2 = s;
    return RUV_OK;
}

/* Doubles the capacity of list l (both arrays, or neither). */
static int ruv__sp_list_grow(ruv__mem *m, ruv__sp_list *l) {
    size_t c = l->cap ? 2 * (size_t)l->cap : 4;
    uint32_t *ns;
    float *nw;
    if (c > 0xFFFFFFFFu)
        return 0;
    ns = (uint32_t *)ruv__mem_alloc(m, c * sizeof *ns);
    nw = (float *)ruv__mem_alloc(m, c * sizeof *nw);
    if (!ns || !nw) {
        ruv__mem_free(m, ns, ns ? c * sizeof *ns : 0);
        ruv__mem_free(m, nw, nw ? c * sizeof *nw : 0);
        return 0;
    }
    if (l->n) {
        memcpy(ns, l->slot, l->n * sizeof *ns);
        memcpy(nw, l->w, l->n * sizeof *nw);
    }
    ruv__mem_free(m, l->slot, l->cap * sizeof *ns);
    ruv__mem_free(m, l->w, l->cap * sizeof *nw);
    l->slot = ns, l->w = nw, l->cap = (uint32_t)c;
    return 1;
}

/* Whether a posting for slot s starts a new block of l. */
static int ruv__sp_new_blk(const ruv__sp_list *l, size_t s) {
    return !l->nb || l->bk[l->nb - 1].blk != (uint32_t)(s >> 6);
}

static int ruv__sp_blk_grow(ruv__mem *m, ruv__sp_list *l) {
    size_t c = l->bcap ? 2 * (size_t)l->bcap : 4;
    ruv__sp_blk *nb;
    if (c > 0xFFFFFFFFu || !(nb = (ruv__sp_blk *)ruv__mem_alloc(m, c * sizeof *nb)))
        return 0;
    if (l->nb)
        memcpy(nb, l->bk, l->nb * sizeof *nb);
    ruv__mem_free(m, l->bk, l->bcap * sizeof *nb);
    l->bk = nb, l->bcap = (uint32_t)c;
    return 1;
}

/* Scale of a stored vector's values in its postings: 1 / |x| for cosine, else 1 (the brute
   force applies the same expression, so that its weights are the postings' bit for bit). */
static double ruv__sp_scale(const ruv_sparse_index *idx, double n2) {
    return idx->metric == RUV_METRIC_COSINE ? 1.0 / sqrt(n2) : 1.0;
}

/* Room for one more slot: the per-slot arrays (and the id / metadata references, where those
   columns exist) grow together by doubling. All or nothing: 0 on failure. */
static int ruv__sp_slot_room(ruv_sparse_index *idx) {
    ruv__mem *m = &idx->mem;
    size_t s = idx->slots, nc = idx->slot_cap, c = nc ? 2 * nc : 16;
    uint64_t *k;
    size_t *o;
    uint32_t *z;
    double *n;
    unsigned char *d;
    ruv__blob_grow gi, gm;
    if (s + 1 <= nc)
        return 1;
    memset(&gi, 0, sizeof gi);
    memset(&gm, 0, sizeof gm);
    k = (uint64_t *)ruv__mem_alloc(m, c * sizeof *k);
    o = (size_t *)ruv__mem_alloc(m, c * sizeof *o);
    z = (uint32_t *)ruv__mem_alloc(m, c * sizeof *z);
    n = (double *)ruv__mem_alloc(m, c * sizeof *n);
    d = (unsigned char *)ruv__mem_alloc(m, c);
    if (!k || !o || !z || !n || !d ||
        (idx->sid.ref && ruv__tab_blob_alloc(m, &idx->sid, c, nc, 0, &gi) != RUV_OK) ||
        (idx->smeta.ref && ruv__tab_blob_alloc(m, &idx->smeta, c, nc, 0, &gm) != RUV_OK)) {
        ruv__mem_free(m, k, k ? c * sizeof *k : 0);
        ruv__mem_free(m, o, o ? c * sizeof *o : 0);
        ruv__mem_free(m, z, z ? c * sizeof *z : 0);
        ruv__mem_free(m, n, n ? c * sizeof *n : 0);
        ruv__mem_free(m, d, d ? c : 0);
        ruv__tab_blob_drop(m, &gi);
        ruv__tab_blob_drop(m, &gm);
        return 0;
    }
    if (s) {
        memcpy(k, idx->keys, s * sizeof *k);
        memcpy(o, idx->off, s * sizeof *o);
        memcpy(z, idx->nnz, s * sizeof *z);
        memcpy(n, idx->norm2, s * sizeof *n);
        memcpy(d, idx->dead, s);
    }
    ruv__mem_free(m, idx->keys, nc * sizeof *k);
    ruv__mem_free(m, idx->off, nc * sizeof *o);
    ruv__mem_free(m, idx->nnz, nc * sizeof *z);
    ruv__mem_free(m, idx->norm2, nc * sizeof *n);
    ruv__mem_free(m, idx->dead, nc);
    idx->keys = k, idx->off = o, idx->nnz = z, idx->norm2 = n, idx->dead = d;
    ruv__tab_blob_commit(m, &idx->sid, &gi, s, nc);
    ruv__tab_blob_commit(m, &idx->smeta, &gm, s, nc);
    idx->slot_cap = c;
    return 1;
}

/* Appends a validated vector under key (absent) as a new slot without id or metadata; the index
   is unchanged on RUV_E_NOMEM / RUV_E_FULL (empty posting lists may have been created:
   invisible). */
static ruv_result ruv__sp_insert(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                 const uint32_t *ids, const float *values, double n2) {
    ruv__mem *m = &idx->mem;
    size_t i, s = idx->slots, fresh = 0;
    if (s >= (size_t)RUV__SP_NONE - 1)
        return RUV_E_FULL;
    if (!ruv__sp_map_reserve(m, &idx->kmap, idx->kmap.n + 1) || !ruv__sp_slot_room(idx))
        return RUV_E_NOMEM;
    if (!ruv__sp_grow(m, (void **)&idx->ids, idx->pool_n, &idx->ids_cap, idx->pool_n + nnz,
                      sizeof *idx->ids) ||
        !ruv__sp_grow(m, (void **)&idx->vals, idx->pool_n, &idx->vals_cap, idx->pool_n + nnz,
                      sizeof *idx->vals))
        return RUV_E_NOMEM;
    /* the lists: room in existing ones, new (empty) ones for new dimensions */
    for (i = 0; i < nnz; i++)
        fresh += ruv__sp_map_get(&idx->tmap, ids[i]) == RUV__SP_NONE;
    if (fresh && (!ruv__sp_map_reserve(m, &idx->tmap, idx->tmap.n + fresh) ||
                  !ruv__sp_grow(m, (void **)&idx->lists, idx->nlists, &idx->lists_cap,
                                idx->nlists + fresh, sizeof *idx->lists)))
        return RUV_E_NOMEM;
    for (i = 0; i < nnz; i++) {
        uint32_t t = ruv__sp_map_get(&idx->tmap, ids[i]);
        ruv__sp_list *l;
        if (t == RUV__SP_NONE) {
            t = (uint32_t)idx->nlists++;
            memset(&idx->lists[t], 0, sizeof idx->lists[t]);
            ruv__sp_map_put(&idx->tmap, ids[i], t);
        }
        l = &idx->lists[t];
        if ((l->n == l->cap && !ruv__sp_list_grow(m, l)) ||
            (ruv__sp_new_blk(l, s) && l->nb == l->bcap && !ruv__sp_blk_grow(m, l)))
            return RUV_E_NOMEM;
    }
    /* commit */
    for (i = 0; i < nnz; i++) {
        ruv__sp_list *l = &idx->lists[ruv__sp_map_get(&idx->tmap, ids[i])];
        double sc = ruv__sp_scale(idx, n2);
        float w = sc != 1.0 ? (float)((double)values[i] * sc) : values[i];
        if (!l->n || w > l->maxw)
            l->maxw = w;
        if (!l->n || w < l->minw)
            l->minw = w;
        if (ruv__sp_new_blk(l, s)) {
            l->bk[l->nb].blk = (uint32_t)(s >> 6);
            l->bk[l->nb].first = l->n;
            l->bk[l->nb++].hi = w;
        } else if (w > l->bk[l->nb - 1].hi)
            l->bk[l->nb - 1].hi = w;
        l->slot[l->n] = (uint32_t)s;
        l->w[l->n++] = w;
    }
    if (nnz) {
        memcpy(idx->ids + idx->pool_n, ids, nnz * sizeof *ids);
        memcpy(idx->vals + idx->pool_n, values, nnz * sizeof *values);
    }
    idx->keys[s] = key;
    if (idx->sid.ref)
        idx->sid.ref[2 * s] = idx->sid.ref[2 * s + 1] = 0;
    if (idx->smeta.ref)
        idx->smeta.ref[2 * s] = idx->smeta.ref[2 * s + 1] = 0;
    idx->off[s] = idx->pool_n;
    idx->nnz[s] = (uint32_t)nnz;
    idx->norm2[s] = n2;
    idx->dead[s] = 0;
    idx->pool_n += nnz;
    idx->slots++;
    idx->live++;
    ruv__sp_map_put(&idx->kmap, key, (uint32_t)s);
    return RUV_OK;
}

/* Marks slot s removed (its postings become tombstones). */
static void ruv__sp_kill(ruv_sparse_index *idx, uint32_t s) {
    idx->dead[s] = 1;
    idx->live--;
    idx->dead_postings += idx->nnz[s];
    ruv__sp_map_del(&idx->kmap, idx->keys[s]);
}

/* Compaction after writes, once tombstones outnumber live entries (a failure keeps them). */
static void ruv__sp_autocompact(ruv_sparse_index *idx) {
    if (idx->dead_postings > 1024 && idx->slots - idx->live > idx->live)
        (void)ruv_sparse_compact(idx);
}

/* Counts a change of ruv__blob_set in the number of entries with an id. */
static void ruv__sp_nids(ruv_sparse_index *idx, int d) {
    if (d > 0)
        idx->nids++;
    else if (d < 0)
        idx->nids--;
}

/* A new id table for one more id, if the current one (at most half full) has no room: *tab is
   NULL if none is needed. 0 on allocation failure. */
static int ruv__sp_idtab_room(ruv_sparse_index *idx, size_t ids, uint32_t **tab, size_t *tcap) {
    size_t c = idx->idtab_cap ? idx->idtab_cap : 16;
    *tab = NULL;
    *tcap = 0;
    while (c / 2 < ids)
        c *= 2;
    if (c == idx->idtab_cap)
        return 1;
    if (c > (size_t)-1 / 4 || !(*tab = (uint32_t *)ruv__mem_alloc(&idx->mem, c * 4)))
        return 0;
    *tcap = c;
    return 1;
}

/* Replaces the id table by tab (tcap entries), filled with every slot that has an id. */
static void ruv__sp_idtab_install(ruv_sparse_index *idx, uint32_t *tab, size_t tcap) {
    size_t s, len;
    memset(tab, 0xFF, tcap * 4);
    for (s = 0; s < idx->slots; s++)
        if (ruv__tab_blob(&idx->sid, (uint32_t)s, &len))
            ruv__slots_put(NULL, &idx->sid, tab, tcap, (uint32_t)s);
    ruv__mem_free(&idx->mem, idx->idtab, idx->idtab_cap * 4);
    idx->idtab = tab;
    idx->idtab_cap = tcap;
}

RUVDEF ruv_result ruv_sparse_put(ruv_sparse_index *idx, const ruv_sparse_item *it,
                                 ruv_put_mode mode) {
    const ruv_sparse_vector *v;
    double n2 = 0.0;
    uint32_t s, ns, *tab = NULL;
    size_t id_add = 0, meta_add = 0, tcap = 0;
    ruv__blob_grow gi, gm;
    ruv__mem *m;
    ruv_result r;
    if (!idx || !it || (unsigned)mode > (unsigned)RUV_PUT_UPSERT ||
        (it->id && it->id_len > RUV_MAX_ID_BYTES) ||
        (it->meta && it->meta_len > RUV_MAX_META_BYTES))
        return RUV_E_ARG;
    m = &idx->mem;
    v = it->vector;
    if (v && (r = ruv__sp_check(idx, v->nnz, v->ids, v->values, 0, &n2)) != RUV_OK)
        return r;
    s = ruv__sp_map_get(&idx->kmap, it->key);
    if (s != RUV__SP_NONE && mode == RUV_PUT_INSERT)
        return RUV_E_EXISTS;
    if (s == RUV__SP_NONE && mode == RUV_PUT_UPDATE)
        return RUV_E_NOTFOUND;
    if (s == RUV__SP_NONE && !v)
        return RUV_E_ARG;
    if (it->id && it->id_len) {
        uint32_t other =
            ruv__slots_find_id(&idx->sid, idx->idtab, idx->idtab_cap, it->id, it->id_len);
        if (other != RUV__SP_NONE && other != s)
            return RUV_E_EXISTS;
        id_add = it->id_len;
    }
    if (it->meta)
        meta_add = it->meta_len;
    if (v && idx->slots >= (size_t)RUV__SP_NONE - 1)
        return RUV_E_FULL;
    /* room first (capacity only: the entries are unchanged if anything fails) */
    memset(&gi, 0, sizeof gi);
    memset(&gm, 0, sizeof gm);
    if (v && !ruv__sp_slot_room(idx))
        return RUV_E_NOMEM;
    if ((r = ruv__tab_blob_alloc(m, &idx->sid, idx->slot_cap, idx->slot_cap, id_add, &gi)) !=
            RUV_OK ||
        (r = ruv__tab_blob_alloc(m, &idx->smeta, idx->slot_cap, idx->slot_cap, meta_add, &gm)) !=
            RUV_OK ||
        (r = (!id_add || ruv__sp_idtab_room(idx, idx->nids + 1, &tab, &tcap))
                 ? RUV_OK
                 : RUV_E_NOMEM) != RUV_OK)
        goto fail;
    ns = s;
    if (v) {
        if (s != RUV__SP_NONE) /* the new slot takes over the key (the map takes the new one) */
            ruv__sp_kill(idx, s);
        if ((r = ruv__sp_insert(idx, it->key, v->nnz, v->ids, v->values, n2)) != RUV_OK) {
            if (s != RUV__SP_NONE) { /* undo the removal: the old slot is intact */
                idx->dead[s] = 0;
                idx->live++;
                idx->dead_postings -= idx->nnz[s];
                ruv__sp_map_put(&idx->kmap, it->key, s); /* room: it was just deleted */
            }
            goto fail;
        }
        ns = (uint32_t)(idx->slots - 1);
    }
    /* Nothing fails from here on. */
    ruv__tab_blob_commit(m, &idx->sid, &gi, idx->slots, idx->slot_cap);
    ruv__tab_blob_commit(m, &idx->smeta, &gm, idx->slots, idx->slot_cap);
    if (tab)
        ruv__sp_idtab_install(idx, tab, tcap);
    if (ns != s && s != RUV__SP_NONE) {
        ruv__blob_move(&idx->sid, idx->idtab, idx->idtab_cap, s, ns);
        ruv__blob_move(&idx->smeta, NULL, 0, s, ns);
    }
    if (it->id)
        ruv__sp_nids(idx,
                     ruv__blob_set(&idx->sid, idx->idtab, idx->idtab_cap, ns, it->id, it->id_len));
    if (it->meta)
        (void)ruv__blob_set(&idx->smeta, NULL, 0, ns, it->meta, it->meta_len);
    if (ns != s && s != RUV__SP_NONE)
        ruv__sp_autocompact(idx);
    return RUV_OK;
fail:
    ruv__tab_blob_drop(m, &gi);
    ruv__tab_blob_drop(m, &gm);
    ruv__mem_free(m, tab, tcap * 4);
    return r;
}

/* ruv_sparse_put of a vector alone. */
static ruv_result ruv__sp_put_vector(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                     const uint32_t *ids, const float *values, ruv_put_mode mode) {
    ruv_sparse_vector v;
    ruv_sparse_item it;
    memset(&it, 0, sizeof it);
    v.nnz = nnz;
    v.ids = ids;
    v.values = values;
    it.key = key;
    it.vector = &v;
    return ruv_sparse_put(idx, &it, mode);
}

RUVDEF ruv_result ruv_sparse_add(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                 const uint32_t *ids, const float *values) {
    return ruv__sp_put_vector(idx, key, nnz, ids, values, RUV_PUT_INSERT);
}

RUVDEF ruv_result ruv_sparse_upsert(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                    const uint32_t *ids, const float *values) {
    return ruv__sp_put_vector(idx, key, nnz, ids, values, RUV_PUT_UPSERT);
}

RUVDEF ruv_result ruv_sparse_update(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                    const uint32_t *ids, const float *values) {
    return ruv__sp_put_vector(idx, key, nnz, ids, values, RUV_PUT_UPDATE);
}

RUVDEF int ruv_sparse_next(const ruv_sparse_index *idx, size_t *cursor, uint64_t *key) {
    size_t s;
    if (!idx || !cursor || !key)
        return 0;
    for (s = *cursor; s < idx->slots; s++)
        if (!idx->dead[s]) {
            *key = idx->keys[s];
            *cursor = s + 1;
            return 1;
        }
    *cursor = idx->slots;
    return 0;
}

RUVDEF ruv_result ruv_sparse_remove(ruv_sparse_index *idx, uint64_t key) {
    uint32_t s;
    if (!idx)
        return RUV_E_ARG;
    if ((s = ruv__sp_map_get(&idx->kmap, key)) == RUV__SP_NONE)
        return RUV_E_NOTFOUND;
    ruv__sp_nids(idx, ruv__blob_set(&idx->sid, idx->idtab, idx->idtab_cap, s, NULL, 0));
    (void)ruv__blob_set(&idx->smeta, NULL, 0, s, NULL, 0);
    ruv__sp_kill(idx, s);
    ruv__sp_autocompact(idx);
    return RUV_OK;
}

RUVDEF ruv_result ruv_sparse_get(const ruv_sparse_index *idx, uint64_t key, uint32_t *ids,
                                 float *values, size_t cap, size_t *nnz) {
    uint32_t s;
    if (nnz)
        *nnz = 0;
    if (!idx || !nnz || (cap && (!ids || !values)))
        return RUV_E_ARG;
    if ((s = ruv__sp_map_get(&idx->kmap, key)) == RUV__SP_NONE)
        return RUV_E_NOTFOUND;
    *nnz = idx->nnz[s];
    if (cap < idx->nnz[s])
        return RUV_E_SPACE;
    if (idx->nnz[s]) {
        memcpy(ids, idx->ids + idx->off[s], idx->nnz[s] * sizeof *ids);
        memcpy(values, idx->vals + idx->off[s], idx->nnz[s] * sizeof *values);
    }
    return RUV_OK;
}

RUVDEF int ruv_sparse_contains(const ruv_sparse_index *idx, uint64_t key) {
    return idx && ruv__sp_map_get(&idx->kmap, key) != RUV__SP_NONE;
}

RUVDEF size_t ruv_sparse_count(const ruv_sparse_index *idx) { return idx ? idx->live : 0; }

RUVDEF size_t ruv_sparse_memory_usage(const ruv_sparse_index *idx) {
    return idx ? idx->mem.used : 0;
}

static ruv_result ruv__sp_get_blob(const ruv_sparse_index *idx, int is_id, uint64_t key,
                                   const void **p, size_t *len) {
    uint32_t s;
    if (p)
        *p = NULL;
    if (len)
        *len = 0;
    if (!idx || !p || !len)
        return RUV_E_ARG;
    if ((s = ruv__sp_map_get(&idx->kmap, key)) == RUV__SP_NONE)
        return RUV_E_NOTFOUND;
    *p = ruv__tab_blob(is_id ? &idx->sid : &idx->smeta, s, len);
    return RUV_OK;
}

RUVDEF ruv_result ruv_sparse_get_id(const ruv_sparse_index *idx, uint64_t key, const char **id,
                                    size_t *len) {
    const void *p;
    ruv_result r = ruv__sp_get_blob(idx, 1, key, &p, len);
    if (id)
        *id = (const char *)p;
    return id ? r : RUV_E_ARG;
}

RUVDEF ruv_result ruv_sparse_get_meta(const ruv_sparse_index *idx, uint64_t key, const void **meta,
                                      size_t *len) {
    return ruv__sp_get_blob(idx, 0, key, meta, len);
}

RUVDEF ruv_result ruv_sparse_get_key(const ruv_sparse_index *idx, const char *id, size_t len,
                                     uint64_t *key) {
    uint32_t s;
    if (key) /* out-parameters read 0 on an error */
        *key = 0;
    if (!idx || !id || !len || !key)
        return RUV_E_ARG;
    if (len > RUV_MAX_ID_BYTES) /* no id is longer: nothing of id is read */
        return RUV_E_NOTFOUND;
    if ((s = ruv__slots_find_id(&idx->sid, idx->idtab, idx->idtab_cap, id, len)) == RUV__SP_NONE)
        return RUV_E_NOTFOUND;
    *key = idx->keys[s];
    return RUV_OK;
}

RUVDEF ruv_sparse_stats ruv_sparse_get_stats(const ruv_sparse_index *idx) {
    ruv_sparse_stats st;
    size_t i, c;
    memset(&st, 0, sizeof st);
    if (!idx)
        return st;
    c = idx->slot_cap;
    st.live = idx->live;
    st.tombstones = idx->slots - idx->live;
    st.dims = idx->nlists;
    st.dead_postings = idx->dead_postings;
    st.vector_bytes = idx->ids_cap * sizeof *idx->ids + idx->vals_cap * sizeof *idx->vals;
    st.posting_bytes = idx->lists_cap * sizeof *idx->lists + idx->tmap.cap * (8 + 4);
    for (i = 0; i < idx->nlists; i++) {
        const ruv__sp_list *l = &idx->lists[i];
        st.postings += l->n;
        st.posting_bytes += (size_t)l->cap * (4 + 4) + (size_t)l->bcap * sizeof(ruv__sp_blk);
    }
    st.id_bytes = (idx->sid.ref ? c * 8 : 0) + idx->sid.cap + idx->idtab_cap * 4;
    st.meta_bytes = (idx->smeta.ref ? c * 8 : 0) + idx->smeta.cap;
    st.key_bytes =
        c * (sizeof *idx->keys + sizeof *idx->off + sizeof *idx->nnz + sizeof *idx->norm2 + 1) +
        idx->kmap.cap * (8 + 4) + sizeof *idx;
    st.total_bytes = idx->mem.used;
    return st;
}

/* Gives the entries of t (slots 0.. in order) the ids (is_id) or metadata of src's slots that
   dead (NULL: none) does not flag, from src (refs, bytes: lengths checked by the caller), then
   with ids the id table. 0 on allocation failure (what was allocated is t's, freed with it). */
static int ruv__sp_blobs_fill(ruv_sparse_index *t, int is_id, const ruv__blobs *src,
                              const unsigned char *dead) {
    ruv__blobs *d = is_id ? &t->sid : &t->smeta;
    size_t s, j = 0, len, tcap;
    uint32_t *tab;
    if (!src->live)
        return 1;
    if (!(d->ref = (uint32_t *)ruv__mem_alloc(&t->mem, t->slot_cap * 2 * 4)))
        return 0;
    memset(d->ref, 0, t->slot_cap * 2 * 4);
    if (!(d->bytes = (unsigned char *)ruv__mem_alloc(&t->mem, src->live)))
        return 0;
    d->cap = src->live;
    for (s = 0; j < t->slots; s++) {
        const unsigned char *p;
        if (dead && dead[s])
            continue;
        if ((p = ruv__tab_blob(src, (uint32_t)s, &len)) != NULL) {
            memcpy(d->bytes + d->len, p, len);
            d->ref[2 * j] = (uint32_t)d->len;
            d->ref[2 * j + 1] = (uint32_t)len;
            d->len += len;
            t->nids += (size_t)is_id;
        }
        j++;
    }
    d->live = d->len;
    if (!is_id)
        return 1;
    if (!ruv__sp_idtab_room(t, t->nids, &tab, &tcap))
        return 0;
    if (tab)
        ruv__sp_idtab_install(t, tab, tcap);
    return 1;
}

RUVDEF ruv_result ruv_sparse_compact(ruv_sparse_index *idx) {
    ruv_sparse_index t;
    size_t s;
    if (!idx)
        return RUV_E_ARG;
    if (idx->live == idx->slots)
        return RUV_OK;
    memset(&t, 0, sizeof t); /* a fresh index on the same allocator, filled in slot order */
    t.mem = idx->mem;
    t.mem.used = 0;
    t.metric = idx->metric;
    t.max_nnz = idx->max_nnz;
    for (s = 0; s < idx->slots; s++)
        if (!idx->dead[s] && ruv__sp_insert(&t, idx->keys[s], idx->nnz[s], idx->ids + idx->off[s],
                                            idx->vals + idx->off[s], idx->norm2[s]) != RUV_OK) {
            ruv__sp_release(&t, &t.mem);
            return RUV_E_NOMEM;
        }
    if (!ruv__sp_blobs_fill(&t, 1, &idx->sid, idx->dead) ||
        !ruv__sp_blobs_fill(&t, 0, &idx->smeta, idx->dead)) {
        ruv__sp_release(&t, &t.mem);
        return RUV_E_NOMEM;
    }
    ruv__sp_release(idx, &idx->mem); /* leaves the struct's own bytes counted */
    t.mem.used += idx->mem.used;
    *idx = t;
    return RUV_OK;
}

/* ---- search ------------------------------------------------------------------------------ */

typedef struct ruv__sp_cand {
    double score; /* larger is better */
    uint32_t slot;
} ruv__sp_cand;

/* a ranks below b: lower score, or equal and a later slot */
static int ruv__sp_worse(const ruv__sp_cand *a, const ruv__sp_cand *b) {
    return a->score < b->score || (a->score == b->score && a->slot > b->slot);
}

/* Offers x to the k-heap h of *n (root = the worst). Returns 1 if it entered. */
static int ruv__sp_offer(ruv__sp_cand *h, size_t *n, size_t k, ruv__sp_cand x) {
    size_t i;
    if (*n < k) {
        for (i = (*n)++; i > 0 && ruv__sp_worse(&x, &h[(i - 1) / 2]); i = (i - 1) / 2)
            h[i] = h[(i - 1) / 2];
        h[i] = x;
        return 1;
    }
    if (!ruv__sp_worse(&h[0], &x))
        return 0;
    for (i = 0;;) {
        size_t l = 2 * i + 1, w = i;
        const ruv__sp_cand *wc = &x;
        if (l < *n && ruv__sp_worse(&h[l], wc))
            w = l, wc = &h[l];
        if (l + 1 < *n && ruv__sp_worse(&h[l + 1], wc))
            w = l + 1;
        if (w == i)
            break;
        h[i] = h[w];
        i = w;
    }
    h[i] = x;
    return 1;
}

static int ruv__sp_cand_cmp(const void *a, const void *b) {
    const ruv__sp_cand *x = (const ruv__sp_cand *)a, *y = (const ruv__sp_cand *)b;
    return ruv__sp_worse(y, x) ? -1 : ruv__sp_worse(x, y) ? 1 : 0;
}

/* Whether slot s may be a hit (live, passing the filters of o, which may be NULL). */
static int ruv__sp_pass(const ruv_sparse_index *idx, const ruv_sparse_search_options *o,
                        uint32_t s) {
    uint64_t key;
    if (idx->dead[s])
        return 0;
    if (!o || (!o->allow && !o->filter)) /* (the key is a random read: only when needed) */
        return 1;
    key = idx->keys[s];
    if (o->allow && (key >= o->allow_bits || !((o->allow[key / 8] >> (key % 8)) & 1u)))
        return 0;
    return !o->filter || o->filter(o->filter_user, key);
}

/* One query dimension during a MaxScore traversal. */
typedef struct ruv__sp_term {
    const ruv__sp_list *l;
    size_t pos;
    double q, ub; /* query weight; bound of its contribution (>= 0) */
    size_t qi;    /* its position in the query (the summation order) */
    /* while completing the candidates of one 64-slot block: the list's block cursor, whether
       the list has postings there (in [bfirst, bend)), their bound, the bounds' prefix sum */
    size_t bc, be, bfirst, bend;
    size_t wcur, wend; /* an essential list's postings in the window, for the query-order sum */
    int present;
    double bub, cumb;
} ruv__sp_term;

static int ruv__sp_term_cmp(const void *a, const void *b) {
    const ruv__sp_term *x = (const ruv__sp_term *)a, *y = (const ruv__sp_term *)b;
    return x->ub < y->ub ? -1 : x->ub > y->ub ? 1 : (x->qi > y->qi) - (x->qi < y->qi);
}

/* Window of the MaxScore traversal: a power of two from 64 to 4096 slots, no larger than
   needed for the index's slots. */
#define RUV__SP_PRUNE_MAX_NNZ 512u /* larger queries: RUV_SPARSE_EXHAUSTIVE */
static size_t ruv__sp_window(size_t slots) {
    size_t w = 4096;
    while (w > 64 && w / 2 >= slots)
        w /= 2;
    return w;
}

static unsigned ruv__sp_ctz(uint64_t x) { /* x != 0 */
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    for (; !(x & 1u); x >>= 1)
        n++;
    return n;
#endif
}

/* MaxScore (Turtle & Flood 1995) over the m terms t, in windows of W slots. The terms are
   sorted by bound ascending; those from e on are essential (the bounds of the others sum below
   the k-th score, so an entry found only in them cannot enter). Per window: the essential
   lists' postings are scattered into acc (their sum per slot), the other lists' blocks in the
   window are listed (tab) with the sum of their bounds per 64-slot block (nb: block-max, as
   Ding & Suel 2011); then the touched slots of a block whose essential score plus that sum
   cannot reach the k-th score are dropped (without a branch per slot), and each remaining one,
   in order, is completed from the other lists (largest bound first, searching the block's
   postings, dropped as soon as the bounds left cannot reach the k-th score), summed again in
   query order (the sum every mode computes) and offered. Scratch: acc (W) and bits (W / 64),
   zero on entry and exit; nb (W / 64); tab (m * W / 64, RUV__SP_NONE on entry and exit);
   nec (m), cum (m), ord (m), pos (nq). */
static size_t ruv__sp_maxscore(const ruv_sparse_index *idx, ruv__sp_term *t, size_t m, size_t nq,
                               size_t W, double *acc, uint64_t *bits, double *nb, uint32_t *tab,
                               double *nec, double *cum, size_t *ord, size_t *pos, size_t k,
                               const ruv_sparse_search_options *o, ruv__sp_cand *h,
                               uint64_t *scored) {
    size_t n = 0, e = 0, i, j, wd, nw = W / 64;
    double theta = 0.0, tol = 0.0, lim = -HUGE_VAL; /* lim: theta - tol once the heap is full */
    double pv[64];                                  /* a block's scores that pass the bound */
    int filt = o && (o->allow || o->filter);
    qsort(t, m, sizeof *t, ruv__sp_term_cmp);
    for (i = 0; i < m; i++)
        cum[i] = (i ? cum[i - 1] : 0.0) + t[i].ub;
    for (j = 0; j < nq; j++) /* ord: the terms in query order */
        pos[j] = (size_t)-1;
    for (i = 0; i < m; i++)
        pos[t[i].qi] = i;
    for (i = 0, j = 0; j < nq; j++)
        if (pos[j] != (size_t)-1)
            ord[i++] = pos[j];
    for (;;) {
        uint32_t base = RUV__SP_NONE;
        size_t ew = e;
        for (i = ew; i < m; i++) /* the window starts at the least slot of the essential lists */
            if (t[i].pos < t[i].l->n && t[i].l->slot[t[i].pos] < base)
                base = t[i].l->slot[t[i].pos];
        if (base == RUV__SP_NONE)
            break;
        base &= ~(uint32_t)63; /* words of the window = the lists' 64-slot blocks */
        for (i = ew; i < m; i++) {
            const ruv__sp_list *l = t[i].l;
            size_t p = t[i].pos;
            double q = t[i].q;
            t[i].wcur = p;
            for (; p < l->n && l->slot[p] - base < W; p++) {
                size_t off = l->slot[p] - base;
                bits[off >> 6] |= (uint64_t)1 << (off & 63);
                acc[off] += q * (double)l->w[p];
            }
            t[i].pos = t[i].wend = p;
        }
        for (wd = 0; wd < nw; wd++)
            nb[wd] = 0.0;
        for (i = 0; i < ew; i++) { /* the other lists' blocks in the window, bounds per block */
            const ruv__sp_list *l = t[i].l;
            uint32_t b0 = base >> 6, *tb = tab + i * nw;
            size_t c = t[i].bc;
            while (c < l->nb && l->bk[c].blk < b0)
                c++;
            t[i].bc = c;
            for (; c < l->nb && l->bk[c].blk - b0 < nw; c++) {
                double u = t[i].q > 0.0 ? t[i].q * (double)l->bk[c].hi : t[i].ub;
                tb[l->bk[c].blk - b0] = (uint32_t)c;
                nb[l->bk[c].blk - b0] += u > 0.0 ? u : 0.0;
            }
            t[i].be = c;
        }
        for (wd = 0; wd < nw; wd++) {
            uint64_t b = bits[wd], keep = 0;
            double nbw = 0.0, thr = lim - nb[wd], *a = acc + wd * 64;
            if (!b)
                continue;
            bits[wd] = 0;
            for (; b; b &= b - 1) { /* the slots that may reach the k-th score (no branch) */
                unsigned r = ruv__sp_ctz(b);
                double v = a[r];
                a[r] = 0.0;
                pv[r] = v;
                keep |= (uint64_t)(v >= thr) << r;
            }
            if (!keep)
                continue;
            for (i = 0; i < ew; i++) { /* block-max bounds of the other lists in this block */
                const ruv__sp_list *l = t[i].l;
                uint32_t c = tab[i * nw + wd];
                t[i].present = c != RUV__SP_NONE;
                t[i].bub = 0.0;
                if (t[i].present) {
                    t[i].bfirst = l->bk[c].first;
                    t[i].bend = c + 1 < l->nb ? l->bk[c + 1].first : l->n;
                    t[i].bub = t[i].q > 0.0 ? t[i].q * (double)l->bk[c].hi : t[i].ub;
                    if (t[i].bub < 0.0)
                        t[i].bub = 0.0;
                }
                nbw += t[i].bub;
                t[i].cumb = nbw;
            }
            for (; keep; keep &= keep - 1) {
                unsigned r = ruv__sp_ctz(keep);
                uint32_t d = base + (uint32_t)(wd * 64 + r);
                double partial = pv[r], sc = 0.0;
                int ok = 1;
                ruv__sp_cand x;
                if (partial + nbw < lim || idx->dead[d] || (filt && !ruv__sp_pass(idx, o, d)))
                    continue;
                for (i = ew; i-- > 0;) { /* the other lists, largest bound first */
                    const ruv__sp_list *l = t[i].l;
                    size_t p;
                    nec[i] = 0.0;
                    if (partial + t[i].cumb < lim) {
                        ok = 0;
                        break;
                    }
                    if (!t[i].present)
                        continue;
                    p = ruv__sp_gallop(l->slot, t[i].pos > t[i].bfirst ? t[i].pos : t[i].bfirst,
                                       t[i].bend, d);
                    t[i].pos = p;
                    if (p < t[i].bend && l->slot[p] == d) {
                        nec[i] = t[i].q * (double)l->w[p];
                        partial += nec[i];
                        t[i].pos = p + 1;
                    }
                }
                if (!ok)
                    continue;
                for (j = 0; j < m; j++) { /* the score in query order (products are nonzero) */
                    ruv__sp_term *u = &t[ord[j]];
                    double c = 0.0;
                    if (ord[j] < ew)
                        c = nec[ord[j]];
                    else if ((u->wcur = ruv__sp_gallop(u->l->slot, u->wcur, u->wend, d)) <
                                 u->wend &&
                             u->l->slot[u->wcur] == d)
                        c = u->q * (double)u->l->w[u->wcur];
                    if (c != 0.0)
                        sc += c;
                }
                (*scored)++;
                x.score = sc;
                x.slot = d;
                if (ruv__sp_offer(h, &n, k, x) && n == k) {
                    theta = h[0].score;
                    /* bounds are sums of a few exact products: a relative slack far above
                       their rounding keeps every entry that can reach theta */
                    tol = 1e-9 * (fabs(theta) + cum[m - 1]) + 1e-300;
                    lim = theta - tol;
                }
            }
        }
        for (i = 0; i < ew; i++) { /* the window's blocks are done */
            size_t c;
            for (c = t[i].bc; c < t[i].be; c++)
                tab[i * nw + (t[i].l->bk[c].blk - (base >> 6))] = RUV__SP_NONE;
            t[i].bc = t[i].be;
        }
        while (e < m && cum[e] < lim)
            e++;
    }
    return n;
}

RUVDEF ruv_result ruv_sparse_search(const ruv_sparse_index *idx, size_t nnz, const uint32_t *ids,
                                    const float *values, size_t k,
                                    const ruv_sparse_search_options *opt, ruv_hit *hits,
                                    size_t *n_out) {
    ruv__mem mem;
    ruv_sparse_mode mode = opt ? opt->mode : RUV_SPARSE_PRUNED;
    double qn2 = 0.0, qs = 1.0, *qw, *acc = NULL;
    ruv__sp_cand *h;
    ruv__sp_term *t;
    size_t n = 0, m = 0, i, s, bytes, W, nd;
    uint64_t scored = 0;
    unsigned char *blk;
    ruv_result r;
    int l2;
    if (n_out)
        *n_out = 0;
    if (!idx || !hits || !n_out || !k || (opt && opt->allow_bits && !opt->allow) ||
        (unsigned)mode > (unsigned)RUV_SPARSE_BRUTE ||
        (opt && opt->window &&
         (opt->window < 64 || opt->window > 4096 || (opt->window & (opt->window - 1)))))
        return RUV_E_ARG;
    if ((r = ruv__sp_check(idx, nnz, ids, values, 1, &qn2)) != RUV_OK)
        return r;
    if (opt && opt->scored)
        *opt->scored = 0;
    l2 = idx->metric == RUV_METRIC_L2SQ;
    if (!idx->live || (!nnz && !l2))
        return RUV_OK;
    if (k > idx->live)
        k = idx->live;
    if (idx->metric == RUV_METRIC_COSINE)
        qs = 1.0 / sqrt(qn2);
    if (l2 && mode == RUV_SPARSE_PRUNED)
        mode = RUV_SPARSE_EXHAUSTIVE; /* every entry's norm is needed: accumulate the dots */
    if (mode == RUV_SPARSE_PRUNED && nnz > RUV__SP_PRUNE_MAX_NNZ)
        mode = RUV_SPARSE_EXHAUSTIVE; /* a dense-ish query: its window would be too small */
    W = opt && opt->window ? opt->window : ruv__sp_window(idx->slots);
    if (mode == RUV_SPARSE_PRUNED && !(opt && opt->window) && idx->slots <= W)
        mode = RUV_SPARSE_EXHAUSTIVE; /* one window: every list is essential in it */
    /* scratch, one block: heap, query weights, terms, then per mode: the exhaustive mode a score
       per slot, the touched slots and their flags; the pruned mode the cumulative bounds, the
       window (scores, contributions per term, flags) and the term orders */
    nd = mode == RUV_SPARSE_EXHAUSTIVE ? idx->slots
         : mode == RUV_SPARSE_PRUNED   ? 2 * nnz + W + W / 64
                                       : 0;
    bytes = k * sizeof *h + nnz * (sizeof *qw + sizeof *t) + nd * sizeof(double);
    if (mode == RUV_SPARSE_EXHAUSTIVE)
        bytes += idx->slots * (sizeof(uint32_t) + 1);
    if (mode == RUV_SPARSE_PRUNED)
        bytes += W / 8 + 2 * nnz * sizeof(size_t) + nnz * (W / 64) * sizeof(uint32_t);
    mem = idx->mem; /* a copy: searches do not count in the index's memory */
    if (!(blk = (unsigned char *)ruv__mem_alloc(&mem, bytes)))
        return RUV_E_NOMEM;
    h = (ruv__sp_cand *)(void *)blk;
    qw = (double *)(void *)(h + k);
    t = (ruv__sp_term *)(void *)(qw + nnz);
    acc = (double *)(void *)(t + nnz);
    for (i = 0; i < nnz; i++)
        qw[i] = (double)values[i] * qs;
    if (mode == RUV_SPARSE_BRUTE) {
        for (s = 0; s < idx->slots; s++) {
            int shared = 0;
            double dot, n2 = idx->norm2[s];
            ruv__sp_cand x;
            if (idx->dead[s])
                continue;
            dot = ruv__sp_dot(nnz, ids, NULL, qw, idx->nnz[s], idx->ids + idx->off[s],
                              idx->vals + idx->off[s], ruv__sp_scale(idx, n2), &shared);
            if ((!shared && !l2) || !ruv__sp_pass(idx, opt, (uint32_t)s))
                continue;
            scored++;
            x.score = l2 ? -(qn2 + n2 - 2.0 * dot) : dot;
            x.slot = (uint32_t)s;
            ruv__sp_offer(h, &n, k, x);
        }
    } else {
        for (i = 0; i < nnz; i++) { /* the query's dimensions present in the index */
            uint32_t li = ruv__sp_map_get(&idx->tmap, ids[i]);
            const ruv__sp_list *l;
            if (li == RUV__SP_NONE || !(l = &idx->lists[li])->n)
                continue;
            t[m].l = l;
            t[m].pos = 0;
            t[m].bc = 0;
            t[m].q = qw[i];
            t[m].qi = i;
            t[m].ub = qw[i] > 0 ? qw[i] * (double)l->maxw : qw[i] * (double)l->minw;
            if (t[m].ub < 0.0)
                t[m].ub = 0.0;
            m++;
        }
        if (mode == RUV_SPARSE_PRUNED) {
            uint64_t *bits = (uint64_t *)(void *)(acc + nd);
            size_t *ord = (size_t *)(void *)(bits + W / 64);
            uint32_t *tab = (uint32_t *)(void *)(ord + 2 * nnz);
            memset(acc + 2 * nnz, 0, W * sizeof *acc);
            memset(bits, 0, W / 8);
            memset(tab, 0xFF, nnz * (W / 64) * sizeof *tab); /* RUV__SP_NONE */
            n = ruv__sp_maxscore(idx, t, m, nnz, W, acc + 2 * nnz, bits, acc + 2 * nnz + W, tab,
                                 acc, acc + nnz, ord, ord + nnz, k, opt, h, &scored);
        } else { /* term at a time into a score per slot; the touched slots listed once */
            double *sc = acc;
            uint32_t *list = (uint32_t *)(void *)(acc + nd);
            unsigned char *touched = (unsigned char *)(list + idx->slots);
            size_t nt = 0, j;
            memset(sc, 0, idx->slots * sizeof *sc);
            memset(touched, 0, idx->slots);
            for (i = 0; i < m; i++) {              /* query order: ascending ids */
                const uint32_t *ls = t[i].l->slot; /* (locals: sc's stores may alias) */
                const float *lw = t[i].l->w;
                double q = t[i].q;
                size_t p, ln = t[i].l->n;
                for (p = 0; p < ln; p++) {
                    uint32_t x = ls[p];
                    sc[x] += q * (double)lw[p];
                    if (!touched[x]) {
                        touched[x] = 1;
                        list[nt++] = x;
                    }
                }
            }
            for (j = 0; j < (l2 ? idx->slots : nt); j++) { /* L2: every entry */
                uint32_t x = l2 ? (uint32_t)j : list[j];
                ruv__sp_cand c;
                if (!ruv__sp_pass(idx, opt, x))
                    continue;
                scored++;
                c.score = l2 ? -(qn2 + idx->norm2[x] - 2.0 * sc[x]) : sc[x];
                c.slot = x;
                ruv__sp_offer(h, &n, k, c);
            }
        }
    }
    qsort(h, n, sizeof *h, ruv__sp_cand_cmp);
    for (i = 0; i < n; i++) {
        double d = l2 ? -h[i].score : 1.0 - h[i].score;
        hits[i].key = idx->keys[h[i].slot];
        hits[i].distance = (float)(l2 && d < 0.0 ? 0.0 : d);
    }
    *n_out = n;
    if (opt && opt->scored)
        *opt->scored = scored;
    ruv__mem_free(&mem, blk, bytes);
    return RUV_OK;
}

/* ---- rank fusion ------------------------------------------------------------------------- */

RUVDEF ruv_fuse_options ruv_fuse_options_init(void) {
    ruv_fuse_options o;
    memset(&o, 0, sizeof o);
    o.method = RUV_FUSE_RRF;
    o.rrf_k = 60.0;
    return o;
}

typedef struct ruv__fuse_ent {
    uint64_t key;
    double score; /* this list's contribution; after the merge, the key's sum */
    size_t list, rank;
} ruv__fuse_ent;

/* by key, then list, then rank: a key's entries together, lists in order, the best first */
static int ruv__fuse_by_key(const void *a, const void *b) {
    const ruv__fuse_ent *x = (const ruv__fuse_ent *)a, *y = (const ruv__fuse_ent *)b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->list != y->list)
        return x->list < y->list ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* by score descending, then key */
static int ruv__fuse_by_score(const void *a, const void *b) {
    const ruv__fuse_ent *x = (const ruv__fuse_ent *)a, *y = (const ruv__fuse_ent *)b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

RUVDEF ruv_result ruv_fuse(size_t nlists, const ruv_hit *const *lists, const size_t *counts,
                           size_t k, const ruv_fuse_options *opt, ruv_fused_hit *out,
                           size_t *n_out) {
    ruv_fuse_options o = opt ? *opt : ruv_fuse_options_init();
    ruv__mem mem;
    ruv__fuse_ent *e;
    size_t total = 0, n = 0, i, l, j;
    double rk;
    if (n_out)
        *n_out = 0;
    if (!out || !n_out || !k || (nlists && (!lists || !counts)) ||
        (o.method != RUV_FUSE_RRF && o.method != RUV_FUSE_WEIGHTED) || !(o.rrf_k >= 0.0) ||
        o.rrf_k > 1e300 || !o.alloc.alloc != !o.alloc.free)
        return RUV_E_ARG;
    rk = o.rrf_k == 0.0 ? 60.0 : o.rrf_k;
    for (l = 0; l < nlists; l++) {
        if (counts[l] && !lists[l])
            return RUV_E_ARG;
        if (o.weights && !(o.weights[l] >= 0.0f && o.weights[l] <= 3.4028234663852886e38f))
            return RUV_E_VALUE;
        if (counts[l] > (size_t)-1 / sizeof *e - total)
            return RUV_E_ARG;
        for (j = 0; j < counts[l]; j++) {
            float d = lists[l][j].distance;
            if (d != d || (o.method == RUV_FUSE_WEIGHTED &&
                           (d > 3.4028234663852886e38f || d < -3.4028234663852886e38f)))
                return RUV_E_VALUE;
        }
        total += counts[l];
    }
    if (!total)
        return RUV_OK;
    ruv__mem_init(&mem, o.alloc);
    if (!(e = (ruv__fuse_ent *)ruv__mem_alloc(&mem, total * sizeof *e)))
        return RUV_E_NOMEM;
    for (l = 0; l < nlists; l++) {
        double w = o.weights ? (double)o.weights[l] : 1.0, lo = 0.0, hi = 0.0;
        for (j = 0; j < counts[l]; j++) { /* the list's distance range */
            double d = (double)lists[l][j].distance;
            if (!j || d < lo)
                lo = d;
            if (!j || d > hi)
                hi = d;
        }
        for (j = 0; j < counts[l]; j++, n++) {
            double d = (double)lists[l][j].distance;
            e[n].key = lists[l][j].key;
            e[n].list = l;
            e[n].rank = j;
            e[n].score = o.method == RUV_FUSE_RRF ? w / (rk + (double)(j + 1))
                         : hi > lo                ? w * ((hi - d) / (hi - lo))
                                                  : w;
        }
    }
    qsort(e, total, sizeof *e, ruv__fuse_by_key);
    for (i = 0, n = 0; i < total;) { /* one entry per key: the sum of its lists' first hits */
        double sum = 0.0;
        uint64_t key = e[i].key;
        size_t last = (size_t)-1;
        for (; i < total && e[i].key == key; i++)
            if (e[i].list != last) {
                sum += e[i].score;
                last = e[i].list;
            }
        e[n].key = key;
        e[n].score = sum;
        n++;
    }
    qsort(e, n, sizeof *e, ruv__fuse_by_score);
    if (n > k)
        n = k;
    for (i = 0; i < n; i++) {
        out[i].key = e[i].key;
        out[i].score = (float)e[i].score;
    }
    *n_out = n;
    ruv__mem_free(&mem, e, total * sizeof *e);
    return RUV_OK;
}

#endif /* RUV__IMPL */
/************** End of src/sparse.h ***************************************************************/
/************** Begin file src/save.h *************************************************************/
/* The saved FORMAT (its specification is the comment below) and the writer: section plan,
   checksums, save to a callback or a buffer. */
#ifdef RUV__IMPL

/* FORMAT (version 1.1; every integer little-endian)
     header, 128 bytes:
         0  char[8] "RUVECIDX"          64  u64 seed
         8  u16 major (1), u16 minor (0) 72  u64 level generator state
        12  u32 0x01020304 (byte order)  80  u64 slots (live + deleted HNSW nodes)
        16  u32 header bytes (128)       88  u64 live entries
        20  u32 section count (<= 32)    96  u32 HNSW entry slot (0xFFFFFFFF if none)
        24  u64 file bytes              100  u32 slot stride in bytes
        32  u32 dim, 36 metric, 40 kind 104  u64 configured capacity
        44  u32 quant | copies << 8     112  u32 pq_m, 116 u32 rerank (0, 0 for f32); metric 4
            | dtype << 16 | multi << 24      (custom, 1.1): u64 distance_id at 112 instead
            | walk_bits << 25 (1.1)
        48  u32 M, 52 ef_construction   120  u64 XXH64 (seed 0) of the header, with this field
        56  u32 ef_search, 60 top level          zeroed, followed by the section table
     section table, 32 bytes per section: u32 id, u32 0, u64 offset, u64 length, u64 XXH64 of
     the section's bytes. Sections follow in ascending id order, each at the next multiple of 64
     bytes (zero padding between), the last one ending the file:
         1 slots     slot x stride bytes: per slot [u32 count][u32 links[2M]] (HNSW level 0),
                     zero padding to 16 bytes, the stored vector, zero padding to the stride.
                     The stored vector: dim f32 (1.1, dtype 1 / 2: dim f16 / bf16, finite;
                     dtype 3 / 4: dim i8 / u8; dtype 5: ceil(dim / 8) bytes of bits, bit d % 8
                     of byte d / 8, bits past dim zero);
                     dim f16 / bf16; SQ8 dim u8 codes, zero padding to 4 bytes, f32 t
                     (|x - lo|^2 for L2, 1 / |x| for cosine, 0 for IP, of the decoded x); BIN
                     ceil(dim / 8) bytes, dimension d at bit d % 8 of byte d / 8; PQ pq_m u8
                     centroid numbers
         2 keys      u64 per slot
         3 key table u32 slot per entry (0xFFFFFFFF empty), power-of-two entries, linear
                     probing from splitmix64(key) (see ruv__hash_mix64); one entry per live
                     slot (multi: several slots may share a key, none has an id or metadata)
         4 levels    HNSW: u8 per slot, top level, | 0x80 for a deleted node; 0xC0 (level 0,
                     zeroed slot, no links to it) for a compacted one that inserts reuse
         5 upper off HNSW: u32 per slot, start of its lists in section 6
         6 upper     HNSW: u32 lists, per node and level 1..top: [count][M links]
         7, 10       ids / metadata references: u32 offset, u32 length per slot (0 = none)
         8, 11       ids / metadata bytes
         9 id table  like the key table, probing from XXH64 of the id bytes
        12 copies    quantized with re-ranking copies: dim f32 per slot (normalised for cosine);
                     (1.2) dim u16 f16 or bf16 per slot for header byte 45 = 2 or 3
        13 quantizer trained tables, f32 unless noted: SQ8 lo[dim], step[dim] (value = lo +
                     step x code); BIN mean[dim], mean absolute deviation[dim]; PQ u32 perm[dim]
                     (sub-space j holds dimensions perm[j dim / pq_m ..]), then per sub-space
                     (dim / pq_m) x 256 centroid components, component d of centroid c at d x 256
                     + c; then with walk_bits (1.1) the walk's mean[dim] and deviation[dim]
        14 bits      (1.1) ceil(dim / 8) bytes per slot: with walk_bits, bit d % 8 of byte d / 8
                     set where dimension d of the (normalised) vector exceeds the walk's mean;
                     for HNSW over binary vectors (dtype 5), a copy of each slot's vector
                     (zeros for a compacted slot); optional there (files written before it
                     existed): a loaded index rebuilds it from the slots, a view reads them
     Sections 1-3 always; 4-6 for HNSW; 7-9 once an id was set; 10-11 once metadata was set;
     12 for quantized storage with f32 copies; 13 once trained (always if there are vectors); 14
     with walk_bits and for HNSW over binary vectors.
     Compatibility: a reader accepts its own major version and any minor version of it, skipping
     (but checksumming) sections it does not know; a later minor version only adds sections, or
     values of a field that earlier readers refuse. Version 1.1 adds metrics 4 (custom, f32
     storage only), 5 (Hamming) and 6 (Jaccard), element types (header byte 46: ruv_dtype,
     0 = f32) f16, bf16, i8, u8 and bin, multi-vector keys (header byte 47 bit 0) and the bits
     walk (bit 1); a 1.0 reader refuses them as RUV_E_CORRUPT. Files using them say
     1.1; every other file is written as 1.0, byte for byte as before, and reads with every 1.x
     reader. Version 1.2 adds values 2 (f16) and 3 (bf16) of header byte 45 (copies: 0 f32, 1
     none = drop_f32; ruv_index_options.rerank_dtype), which earlier readers refuse as
     RUV_E_CORRUPT; files with them say 1.2. A newer major version gives RUV_E_VERSION. Every
     later library version reads versions 1.0, 1.1 and 1.2.
     Kind 2 (1.1) is a sparse index (ruv_sparse_save): same header and section table, its own
     fields and sections 2 and 15-17, specified in src/sparse_io.h; ruv_index_load and
     ruv_index_view refuse it (RUV_E_UNSUPPORTED), as ruv_sparse_load refuses kinds 0 and 1.
     Saving is deterministic: the same index state gives the same bytes, and an index loaded from
     a file this library wrote saves to identical bytes. The kernels (ISA) are not part of the
     file: searches after a round trip give bit-identical distances when the same ISA is used
     (ruv_load_options.isa); the best ISA of another CPU may differ in the last bits.
*/

#define RUV__FMT_MAJOR 1u
#define RUV__FMT_MINOR 0u
#define RUV__HDR 128u
#define RUV__SECENT 32u
#define RUV__MAX_SECTIONS 32u
#define RUV__ENDIAN_MARK 0x01020304u
#define RUV__KIND_SPARSE 2u /* header kind of a sparse index file (src/sparse_io.h) */

/* Section ids, in file order. */
enum {
    RUV__S_SLOTS = 1, /* slot arena: count x stride bytes (HNSW level-0 links + vectors) */
    RUV__S_KEYS,      /* u64 key per slot */
    RUV__S_KEYTAB,    /* u32 key hash table (power-of-two entries) */
    RUV__S_LEVELS,    /* HNSW: u8 per slot, top level | 0x80 if deleted */
    RUV__S_UPPEROFF,  /* HNSW: u32 per slot, start of its upper lists in UPPER */
    RUV__S_UPPER,     /* HNSW: u32 upper-level lists */
    RUV__S_IDREF,     /* u32 (offset, length) per slot into IDBYTES */
    RUV__S_IDBYTES,   /* string ids */
    RUV__S_IDTAB,     /* u32 string-id hash table */
    RUV__S_METAREF,   /* u32 (offset, length) per slot into METABYTES */
    RUV__S_METABYTES, /* metadata */
    RUV__S_F32,       /* quantized storage: f32 copy per slot, dim floats */
    RUV__S_QUANT,     /* quantizer tables */
    RUV__S_BITS,      /* ruv_index.wbits: ceil(dim / 8) bytes per slot (1.1) */
    RUV__S_END
};

/* Builds without the checksum gate so that a fuzzer reaches the structural checks (which run
   whatever the checksums say); never for production. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define RUV__SUM_OK(a, b) ((void)(a), (void)(b), 1)
#else
#define RUV__SUM_OK(a, b) ((a) == (b))
#endif

typedef struct ruv__sec {
    uint32_t id;
    uint64_t off, len, sum;
} ruv__sec;

static uint64_t ruv__save_align64(uint64_t x) { return (x + 63u) & ~(uint64_t)63u; }

static int ruv__save_sec_present(const ruv_index *idx, uint32_t id) {
    switch (id) {
    case RUV__S_LEVELS:
    case RUV__S_UPPEROFF:
    case RUV__S_UPPER:
        return idx->cfg.kind == RUV_INDEX_HNSW;
    case RUV__S_IDREF:
    case RUV__S_IDBYTES:
    case RUV__S_IDTAB:
        return idx->ids.ref != NULL;
    case RUV__S_METAREF:
    case RUV__S_METABYTES:
        return idx->meta.ref != NULL;
    case RUV__S_F32:
        return idx->fvec != NULL;
    case RUV__S_QUANT:
        return idx->qp != NULL;
    case RUV__S_BITS:
        return idx->bits_bytes != 0;
    default:
        return 1;
    }
}

/* Byte 1 of the storage word (offset 44): 0 f32 copies, 1 none (drop_f32), 2 f16 copies, 3 bf16
   copies (rerank_dtype). */
static uint32_t ruv__save_copies_byte(const ruv_index_options *c) {
    if (c->drop_f32 || c->quant == RUV_QUANT_NONE)
        return c->drop_f32;
    return c->rerank_dtype == RUV_DTYPE_F16 ? 2u : c->rerank_dtype == RUV_DTYPE_BF16 ? 3u : 0u;
}

/* Byte length of section id for the index's state (also what a loader expects). */
static uint64_t ruv__save_sec_len(const ruv_index *idx, uint32_t id) {
    uint64_t n = idx->count;
    switch (id) {
    case RUV__S_SLOTS:
        return n * idx->stride;
    case RUV__S_KEYS:
        return n * 8;
    case RUV__S_KEYTAB:
        return (uint64_t)idx->table_cap * 4;
    case RUV__S_LEVELS:
        return n;
    case RUV__S_UPPEROFF:
        return n * 4;
    case RUV__S_UPPER:
        return (uint64_t)idx->upper_canon * 4;
    case RUV__S_IDREF:
    case RUV__S_METAREF:
        return n * 8;
    case RUV__S_IDBYTES:
        return idx->ids.live;
    case RUV__S_IDTAB:
        return (uint64_t)idx->idtab_cap * 4;
    case RUV__S_F32:
        return n * idx->fvec_bytes;
    case RUV__S_QUANT:
        return ruv__index_qp_bytes(&idx->cfg);
    case RUV__S_BITS:
        return n * idx->bits_bytes;
    default:
        return idx->meta.live;
    }
}

/* Section table of idx: ids, offsets and lengths; returns the count, *total = file bytes. */
static uint32_t ruv__save_plan(const ruv_index *idx, ruv__sec *sec, uint64_t *total) {
    uint32_t n = 0, id, i;
    uint64_t off;
    for (id = RUV__S_SLOTS; id < RUV__S_END; id++)
        if (ruv__save_sec_present(idx, id)) {
            sec[n].id = id;
            sec[n].len = ruv__save_sec_len(idx, id);
            sec[n++].sum = 0;
        }
    off = RUV__HDR + (uint64_t)n * RUV__SECENT;
    for (i = 0; i < n; i++) {
        sec[i].off = ruv__save_align64(off);
        off = sec[i].off + sec[i].len;
    }
    *total = off;
    return n;
}

/* Output of the writer: a callback, or (write == NULL) a running checksum. */
typedef struct ruv__sink {
    ruv_write_fn write;
    void *user;
    ruv__xxh h;
    int failed;
} ruv__sink;

static void ruv__save_put(ruv__sink *k, const void *p, size_t n) {
    if (!n || k->failed)
        return;
    if (!k->write)
        ruv__xxh_update(&k->h, p, n);
    else if (k->write(k->user, p, n) != 0)
        k->failed = 1;
}

/* Emits the bytes of section id. Blob columns are written compacted, in slot order. */
static void ruv__save_emit(const ruv_index *idx, uint32_t id, ruv__sink *k) {
    const ruv__blobs *b = id <= RUV__S_IDTAB ? &idx->ids : &idx->meta;
    size_t s, n = 0, len;
    uint32_t off = 0;
    unsigned char buf[256];
    switch (id) {
    case RUV__S_SLOTS:
        ruv__save_put(k, idx->data, idx->count * idx->stride);
        break;
    case RUV__S_KEYS:
        ruv__save_put(k, idx->keys, idx->count * 8);
        break;
    case RUV__S_KEYTAB:
        ruv__save_put(k, idx->table, idx->table_cap * 4);
        break;
    case RUV__S_LEVELS:
        ruv__save_put(k, idx->levels, idx->count);
        break;
    case RUV__S_UPPEROFF: /* canonical: slot by slot, without the garbage of reused slots */
        for (s = 0; s < idx->count; s++) {
            ruv__le_wr32(buf + n, off);
            off += (uint32_t)ruv__hnsw_upper_need(idx, idx->levels[s] & RUV__LEVEL);
            if ((n += 4) == sizeof buf) {
                ruv__save_put(k, buf, n);
                n = 0;
            }
        }
        ruv__save_put(k, buf, n);
        break;
    case RUV__S_UPPER:
        for (s = 0; s < idx->count; s++) {
            size_t need = ruv__hnsw_upper_need(idx, idx->levels[s] & RUV__LEVEL);
            if (need) /* (upper is NULL while no node has an upper level) */
                ruv__save_put(k, idx->upper + idx->upper_off[s], need * 4);
        }
        break;
    case RUV__S_IDTAB:
        ruv__save_put(k, idx->idtab, idx->idtab_cap * 4);
        break;
    case RUV__S_F32:
        ruv__save_put(k, idx->fvec, idx->count * idx->fvec_bytes);
        break;
    case RUV__S_QUANT:
        ruv__save_put(k, idx->qp, ruv__index_qp_bytes(&idx->cfg));
        break;
    case RUV__S_BITS:
        if (idx->wbits)
            ruv__save_put(k, idx->wbits, idx->count * idx->bits_bytes);
        else /* a view of a file without the copy of binary codes: the slots have them */
            for (s = 0; s < idx->count; s++)
                ruv__save_put(k, ruv__slot_code(idx, (uint32_t)s), idx->bits_bytes);
        break;
    case RUV__S_IDREF:
    case RUV__S_METAREF:
        for (s = 0; s < idx->count; s++) {
            ruv__tab_blob(b, (uint32_t)s, &len);
            ruv__le_wr32(buf + n, len ? off : 0);
            ruv__le_wr32(buf + n + 4, (uint32_t)len);
            off += (uint32_t)len;
            if ((n += 8) == sizeof buf) {
                ruv__save_put(k, buf, n);
                n = 0;
            }
        }
        ruv__save_put(k, buf, n);
        break;
    default: /* IDBYTES, METABYTES */
        for (s = 0; s < idx->count; s++) {
            const unsigned char *p = ruv__tab_blob(b, (uint32_t)s, &len);
            ruv__save_put(k, p, len);
        }
    }
}

static size_t ruv__i_serialized_size(const ruv_index *idx) {
    ruv__sec sec[RUV__S_END];
    uint64_t total;
    if (!idx)
        return 0;
    ruv__save_plan(idx, sec, &total);
    return total > (size_t)-1 ? 0 : (size_t)total;
}

static ruv_result ruv__i_save(const ruv_index *idx, ruv_write_fn write, void *user) {
    ruv__sec sec[RUV__S_END];
    unsigned char head[RUV__HDR + RUV__S_END * RUV__SECENT], zero[64];
    uint64_t total, pos;
    uint32_t n, i;
    ruv__sink k;
    const ruv_index_options *c;
    if (!idx || !write)
        return RUV_E_ARG;
    if (!ruv__host_le())
        return RUV_E_UNSUPPORTED;
    c = &idx->cfg;
    n = ruv__save_plan(idx, sec, &total);
    memset(&k, 0, sizeof k);
    for (i = 0; i < n; i++) {
        ruv__xxh_init(&k.h, 0);
        ruv__save_emit(idx, sec[i].id, &k);
        sec[i].sum = ruv__xxh_final(&k.h);
    }
    memset(head, 0, sizeof head);
    memcpy(head, "RUVECIDX", 8);
    head[8] = (unsigned char)RUV__FMT_MAJOR;
    head[10] = (unsigned char)RUV__FMT_MINOR;
    ruv__le_wr32(head + 12, RUV__ENDIAN_MARK);
    ruv__le_wr32(head + 16, RUV__HDR);
    ruv__le_wr32(head + 20, n);
    ruv__le_wr64(head + 24, total);
    ruv__le_wr32(head + 32, c->dim);
    ruv__le_wr32(head + 36, (uint32_t)c->metric);
    ruv__le_wr32(head + 40, (uint32_t)c->kind);
    ruv__le_wr32(head + 44, (uint32_t)c->quant | ruv__save_copies_byte(c) << 8 |
                                (uint32_t)c->dtype << 16 | c->multi << 24 | c->walk_bits << 25);
    if (c->dtype != RUV_DTYPE_F32 || c->metric >= RUV_METRIC_CUSTOM || c->multi || c->walk_bits)
        head[10] = 1; /* version 1.1 features: see FORMAT */
    if (ruv__save_copies_byte(c) >= 2)
        head[10] = 2; /* version 1.2: 16-bit re-ranking copies */
    ruv__le_wr32(head + 48, c->M);
    ruv__le_wr32(head + 52, c->ef_construction);
    ruv__le_wr32(head + 56, c->ef_search);
    ruv__le_wr32(head + 60, (uint32_t)idx->max_level);
    ruv__le_wr64(head + 64, c->seed);
    ruv__le_wr64(head + 72, idx->rng);
    ruv__le_wr64(head + 80, idx->count);
    ruv__le_wr64(head + 88, idx->live);
    ruv__le_wr32(head + 96, idx->entry);
    ruv__le_wr32(head + 100, (uint32_t)idx->stride);
    ruv__le_wr64(head + 104, c->capacity);
    if (c->metric == RUV_METRIC_CUSTOM) { /* version 1.1: the distance id in their place */
        ruv__le_wr64(head + 112, c->distance_id);
    } else {
        ruv__le_wr32(head + 112, c->pq_m);
        ruv__le_wr32(head + 116, c->rerank);
    }
    for (i = 0; i < n; i++) {
        unsigned char *e = head + RUV__HDR + i * RUV__SECENT;
        ruv__le_wr32(e, sec[i].id);
        ruv__le_wr64(e + 8, sec[i].off);
        ruv__le_wr64(e + 16, sec[i].len);
        ruv__le_wr64(e + 24, sec[i].sum);
    }
    pos = RUV__HDR + (uint64_t)n * RUV__SECENT;
    ruv__le_wr64(head + 120, ruv__xxh64(head, (size_t)pos, 0));
    k.write = write;
    k.user = user;
    ruv__save_put(&k, head, (size_t)pos);
    memset(zero, 0, sizeof zero);
    for (i = 0; i < n; i++) {
        ruv__save_put(&k, zero, (size_t)(sec[i].off - pos));
        ruv__save_emit(idx, sec[i].id, &k);
        pos = sec[i].off + sec[i].len;
    }
    return k.failed ? RUV_E_IO : RUV_OK;
}

typedef struct ruv__membuf {
    unsigned char *p;
    size_t len, pos;
} ruv__membuf;

static int ruv__save_buf_write(void *user, const void *data, size_t len) {
    ruv__membuf *m = (ruv__membuf *)user;
    if (len > m->len - m->pos)
        return 1;
    memcpy(m->p + m->pos, data, len);
    m->pos += len;
    return 0;
}

static ruv_result ruv__i_save_buffer(const ruv_index *idx, void *buf, size_t cap, size_t *written) {
    ruv__membuf m;
    size_t need;
    ruv_result r;
    if (written)
        *written = 0;
    if (!idx || !written || (!buf && cap))
        return RUV_E_ARG;
    need = ruv__i_serialized_size(idx);
    if (need == 0)
        return RUV_E_NOMEM; /* larger than the address space */
    if (need > cap) {
        *written = need;
        return RUV_E_SPACE;
    }
    m.p = (unsigned char *)buf;
    m.len = cap;
    m.pos = 0;
    r = ruv__i_save(idx, ruv__save_buf_write, &m);
    if (r == RUV_OK)
        *written = m.pos;
    return r;
}

/* ---- loading ---- */

/* ---- the public calls, between the concurrency guards (src/index.h): a save reads every slot,
   compacted ones too, so it excludes writers as well ---- */
RUVDEF size_t ruv_index_serialized_size(const ruv_index *idx) {
    RUV__READ(idx, size_t, ruv__i_serialized_size(idx));
}
RUVDEF ruv_result ruv_index_save(const ruv_index *idx, ruv_write_fn write, void *user) {
    RUV__READ_R(idx, 1, ruv__i_save(idx, write, user));
}
RUVDEF ruv_result ruv_index_save_buffer(const ruv_index *idx, void *buf, size_t cap,
                                        size_t *written) {
    if (written)
        *written = 0;
    RUV__READ_R(idx, 1, ruv__i_save_buffer(idx, buf, cap, written));
}

#endif /* RUV__IMPL */
/************** End of src/save.h *****************************************************************/
/************** Begin file src/load.h *************************************************************/
/* The reader: header and section table checks, section lengths, binding, validation of every
   link, table and blob, load through a callback or from a buffer, and zero-copy views. */
#ifdef RUV__IMPL

static int ruv__load_buf_read(void *user, void *dst, size_t len) {
    ruv__membuf *m = (ruv__membuf *)user;
    if (len > m->len - m->pos)
        return 1;
    memcpy(dst, m->p + m->pos, len);
    m->pos += len;
    return 0;
}

typedef struct ruv__head {
    ruv_index_options cfg;
    uint64_t total, count, live, rng;
    uint32_t entry, stride, nsec;
    int max_level;
    ruv__sec sec[RUV__MAX_SECTIONS];
} ruv__head;

static ruv_result ruv__load_options(const ruv_load_options *in, ruv_load_options *o) {
    if (in)
        *o = *in;
    else
        memset(o, 0, sizeof *o);
    if ((unsigned)o->isa >= (unsigned)RUV_ISA_COUNT || !o->alloc.alloc != !o->alloc.free)
        return RUV_E_ARG;
    if (!ruv__host_le())
        return RUV_E_UNSUPPORTED;
    return RUV_OK;
}

/* First 128 bytes: magic, byte order, version, sizes. */
static ruv_result ruv__load_head_start(const unsigned char *h, uint32_t *nsec) {
    uint32_t mark = ruv__le_rd32(h + 12);
    if (memcmp(h, "RUVECIDX", 8) != 0)
        return RUV_E_FORMAT;
    if (mark == 0x04030201u)
        return RUV_E_ENDIAN;
    if (mark != RUV__ENDIAN_MARK)
        return RUV_E_CORRUPT;
    if (h[8] + 256u * h[9] != RUV__FMT_MAJOR)
        return h[8] + 256u * h[9] > RUV__FMT_MAJOR ? RUV_E_VERSION : RUV_E_CORRUPT;
    *nsec = ruv__le_rd32(h + 20);
    if (ruv__le_rd32(h + 16) != RUV__HDR || *nsec > RUV__MAX_SECTIONS)
        return RUV_E_CORRUPT;
    return RUV_OK;
}

/* Whole header + section table (checksum first, then every field). */
static ruv_result ruv__load_head_parse(const unsigned char *h, uint32_t nsec,
                                       const ruv_load_options *o, ruv__head *hd) {
    unsigned char tmp[RUV__HDR];
    ruv__xxh x;
    ruv_index_options c;
    uint64_t want = ruv__le_rd64(h + 120), pos;
    uint32_t i, last = 0, need = 0, have = 0, hnsw, storage = ruv__le_rd32(h + 44), nq;
    if (ruv__le_rd32(h + 40) == RUV__KIND_SPARSE)
        return RUV_E_UNSUPPORTED; /* a sparse index: ruv_sparse_load */
    memcpy(tmp, h, RUV__HDR);
    memset(tmp + 120, 0, 8);
    ruv__xxh_init(&x, 0);
    ruv__xxh_update(&x, tmp, RUV__HDR);
    ruv__xxh_update(&x, h + RUV__HDR, (size_t)nsec * RUV__SECENT);
    if (!RUV__SUM_OK(ruv__xxh_final(&x), want))
        return RUV_E_CHECKSUM;
    memset(hd, 0, sizeof *hd);
    memset(&c, 0, sizeof c);
    c.dim = ruv__le_rd32(h + 32);
    c.metric = (ruv_metric)ruv__le_rd32(h + 36);
    c.kind = (ruv_index_kind)ruv__le_rd32(h + 40);
    c.M = ruv__le_rd32(h + 48);
    c.ef_construction = ruv__le_rd32(h + 52);
    c.ef_search = ruv__le_rd32(h + 56);
    c.seed = ruv__le_rd64(h + 64);
    c.capacity = ruv__le_rd64(h + 104);
    c.quant = (ruv_quant)(storage & 0xFFu);
    c.drop_f32 = (storage >> 8) & 0xFFu; /* 0 f32 copies, 1 none, 2 f16, 3 bf16 copies */
    if (c.drop_f32 == 2 || c.drop_f32 == 3) {
        c.rerank_dtype = c.drop_f32 == 2 ? RUV_DTYPE_F16 : RUV_DTYPE_BF16;
        c.drop_f32 = 0;
    }
    c.dtype = (ruv_dtype)((storage >> 16) & 0xFFu);
    c.multi = (storage >> 24) & 1u;
    c.walk_bits = (storage >> 25) & 1u;
    if (c.metric == RUV_METRIC_CUSTOM) {
        c.distance_id = ruv__le_rd64(h + 112);
        c.distance = o->distance;
        c.distance_user = o->distance_user;
    } else {
        c.pq_m = ruv__le_rd32(h + 112);
        c.rerank = ruv__le_rd32(h + 116);
    }
    hd->total = ruv__le_rd64(h + 24);
    hd->max_level = (int)ruv__le_rd32(h + 60);
    hd->rng = ruv__le_rd64(h + 72);
    hd->count = ruv__le_rd64(h + 80);
    hd->live = ruv__le_rd64(h + 88);
    hd->entry = ruv__le_rd32(h + 96);
    hd->stride = ruv__le_rd32(h + 100);
    hd->nsec = nsec;
    /* every field as ruv_index_create would have resolved it */
    if (c.dim == 0 || c.dim > RUV_MAX_DIM || ruv__le_rd32(h + 36) > (uint32_t)RUV_METRIC_JACCARD ||
        ruv__le_rd32(h + 40) > (uint32_t)RUV_INDEX_HNSW || c.M < 2 || c.M > RUV_MAX_M ||
        c.ef_construction < c.M || c.ef_construction > RUV_MAX_EF || c.ef_search == 0 ||
        c.ef_search > RUV_MAX_EF || c.seed == 0 || c.capacity == 0 || c.capacity > RUV_MAX_COUNT)
        return RUV_E_CORRUPT;
    hnsw = c.kind == RUV_INDEX_HNSW;
    nq = (storage & 0xFFu) == RUV_QUANT_NONE;
    if ((storage & 0xFFu) > (uint32_t)RUV_QUANT_PQ || c.drop_f32 > 1 ||
        ((storage >> 16) & 0xFFu) >= (uint32_t)RUV_DTYPE_COUNT || storage >> 26 ||
        !ruv__index_walk_ok(&c) || !ruv__index_pair_ok(c.dtype, c.metric, c.quant) ||
        (nq && (c.drop_f32 || c.rerank_dtype != RUV_DTYPE_F32 || c.pq_m || c.rerank)) ||
        (!nq && (c.rerank == 0 || c.rerank > RUV_MAX_RERANK)) ||
        (c.quant == RUV_QUANT_PQ ? !c.pq_m || c.pq_m > c.dim || c.dim % c.pq_m : c.pq_m != 0) ||
        (c.metric == RUV_METRIC_L1 && !nq && c.quant != RUV_QUANT_F16 && c.quant != RUV_QUANT_BF16))
        return RUV_E_CORRUPT;
    if (hd->stride != ruv__index_stride(&c) || hd->count > RUV_MAX_COUNT || hd->live > hd->count ||
        hd->max_level < 0 || hd->max_level > RUV__MAX_LEVEL ||
        (!hnsw && (hd->live != hd->count || hd->max_level)) ||
        (hd->count == 0 && (hd->entry != RUV__NONE || hd->max_level)) ||
        (hd->entry != RUV__NONE && hd->entry >= hd->count) || (!hnsw && hd->entry != RUV__NONE))
        return RUV_E_CORRUPT;
    if (o->expect_dim && o->expect_dim != c.dim)
        return RUV_E_DIM;
    if (c.metric == RUV_METRIC_CUSTOM && (!o->distance || o->distance_id != c.distance_id))
        return RUV_E_METRIC;
    c.isa = o->isa;
    c.alloc = o->alloc;
    hd->cfg = c;
    /* sections: ascending ids, each at the next 64-byte boundary, the last ending the file */
    pos = RUV__HDR + (uint64_t)nsec * RUV__SECENT;
    for (i = 0; i < nsec; i++) {
        const unsigned char *e = h + RUV__HDR + i * RUV__SECENT;
        ruv__sec *s = &hd->sec[i];
        s->id = ruv__le_rd32(e);
        s->off = ruv__le_rd64(e + 8);
        s->len = ruv__le_rd64(e + 16);
        s->sum = ruv__le_rd64(e + 24);
        if (s->id <= last || ruv__le_rd32(e + 4) != 0 || s->off != ruv__save_align64(pos) ||
            s->len > hd->total || s->off > hd->total - s->len)
            return RUV_E_CORRUPT;
        pos = s->off + s->len;
        last = s->id;
        if (s->id < RUV__S_END)
            have |= 1u << s->id;
    }
    if (pos != hd->total)
        return RUV_E_CORRUPT;
    need = 1u << RUV__S_SLOTS | 1u << RUV__S_KEYS | 1u << RUV__S_KEYTAB;
    if (hnsw)
        need |= 1u << RUV__S_LEVELS | 1u << RUV__S_UPPEROFF | 1u << RUV__S_UPPER;
    i = have & (1u << RUV__S_IDREF | 1u << RUV__S_IDBYTES | 1u << RUV__S_IDTAB);
    if (i)
        need |= 1u << RUV__S_IDREF | 1u << RUV__S_IDBYTES | 1u << RUV__S_IDTAB;
    i = have & (1u << RUV__S_METAREF | 1u << RUV__S_METABYTES);
    if (i)
        need |= 1u << RUV__S_METAREF | 1u << RUV__S_METABYTES;
    if (!nq && !c.drop_f32)
        need |= 1u << RUV__S_F32;
    if (ruv__index_qp_bytes(&c) && (hd->count || (have & 1u << RUV__S_QUANT)))
        need |= 1u << RUV__S_QUANT; /* an index with vectors was trained */
    if (c.walk_bits) /* binary vectors on HNSW: the copy is rebuilt when a file lacks it */
        need |= 1u << RUV__S_BITS;
    else if (ruv__index_bits_bytes(&c))
        need |= have & 1u << RUV__S_BITS;
    if (have != need)
        return RUV_E_CORRUPT;
    return RUV_OK;
}

/* An index struct for hd with every array NULL and every size field set from the sections;
   the arrays are bound by the caller. */
static ruv_result ruv__load_shell(const ruv__head *hd, ruv_index **out) {
    ruv_index *idx;
    ruv_result r;
    uint32_t i;
    if ((r = ruv__index_new(&hd->cfg, 0, &idx)) != RUV_OK)
        return r;
    idx->count = idx->cap = (size_t)hd->count;
    idx->live = (size_t)hd->live;
    idx->entry = hd->entry;
    idx->max_level = hd->max_level;
    idx->rng = hd->rng;
    for (i = 0; i < hd->nsec; i++) {
        size_t len = (size_t)hd->sec[i].len;
        switch (hd->sec[i].id) {
        case RUV__S_KEYTAB:
            idx->table_cap = len / 4;
            break;
        case RUV__S_UPPER:
            idx->upper_cap = idx->upper_len = idx->upper_canon = len / 4;
            break;
        case RUV__S_IDBYTES:
            idx->ids.cap = idx->ids.len = len;
            break;
        case RUV__S_IDTAB:
            idx->idtab_cap = len / 4;
            break;
        case RUV__S_METABYTES:
            idx->meta.cap = idx->meta.len = len;
            break;
        default:
            break;
        }
    }
    *out = idx;
    return RUV_OK;
}

/* Expected length of known sections; sizes must fit this machine. */
static ruv_result ruv__load_check_lens(const ruv_index *idx, const ruv__head *hd) {
    uint32_t i;
    for (i = 0; i < hd->nsec; i++) {
        const ruv__sec *s = &hd->sec[i];
        uint64_t want = s->len;
        if (s->len > (size_t)-1 / 2)
            return RUV_E_NOMEM;
        switch (s->id) {
        case RUV__S_SLOTS:
        case RUV__S_KEYS:
        case RUV__S_LEVELS:
        case RUV__S_UPPEROFF:
        case RUV__S_IDREF:
        case RUV__S_METAREF:
        case RUV__S_F32:
        case RUV__S_QUANT:
        case RUV__S_BITS:
            want = ruv__save_sec_len(idx, s->id);
            break;
        case RUV__S_KEYTAB:
        case RUV__S_IDTAB: /* power of two >= 16 entries */
            if (s->len % 4 || s->len < 64 || (s->len & (s->len - 1)) || s->len / 4 > RUV__NONE)
                return RUV_E_CORRUPT;
            break;
        case RUV__S_UPPER:
            if (s->len % 4 || s->len / 4 >= RUV__NONE)
                return RUV_E_CORRUPT;
            break;
        case RUV__S_IDBYTES:
        case RUV__S_METABYTES:
            if (s->len > 0xFFFFFFFFu)
                return RUV_E_CORRUPT;
            break;
        default:
            break;
        }
        if (s->len != want)
            return RUV_E_CORRUPT;
    }
    return RUV_OK;
}

/* Points section id's array at p (view) or at freshly loaded memory. */
static void ruv__load_bind(ruv_index *idx, uint32_t id, void *p) {
    switch (id) {
    case RUV__S_SLOTS:
        idx->data = (unsigned char *)p;
        break;
    case RUV__S_KEYS:
        idx->keys = (uint64_t *)p;
        break;
    case RUV__S_KEYTAB:
        idx->table = (uint32_t *)p;
        break;
    case RUV__S_LEVELS:
        idx->levels = (uint8_t *)p;
        break;
    case RUV__S_UPPEROFF:
        idx->upper_off = (uint32_t *)p;
        break;
    case RUV__S_UPPER:
        idx->upper = (uint32_t *)p;
        break;
    case RUV__S_IDREF:
        idx->ids.ref = (uint32_t *)p;
        break;
    case RUV__S_IDBYTES:
        idx->ids.bytes = (unsigned char *)p;
        break;
    case RUV__S_IDTAB:
        idx->idtab = (uint32_t *)p;
        break;
    case RUV__S_METAREF:
        idx->meta.ref = (uint32_t *)p;
        break;
    case RUV__S_METABYTES:
        idx->meta.bytes = (unsigned char *)p;
        break;
    case RUV__S_F32:
        idx->fvec = (unsigned char *)p;
        break;
    case RUV__S_QUANT:
        idx->qp = (float *)p;
        break;
    case RUV__S_BITS:
        idx->wbits = (unsigned char *)p;
        break;
    default:
        break;
    }
}

/* Whether a stored code holds only finite values: f32 vectors, F16 / BF16 halves (exponent not
   all ones), the SQ8 per-code float. An index built through the API never holds another. */
static int ruv__load_code_finite(const ruv_index *idx, const unsigned char *code) {
    size_t i;
    uint16_t h;
    float t;
    switch (idx->cfg.quant) {
    case RUV_QUANT_NONE: /* f32 finite; halves as an add takes them; the padding bits of a
                            binary vector zero */
        if (idx->cfg.dtype == RUV_DTYPE_BIN)
            return idx->dim % 8 == 0 || !(code[idx->dim / 8] >> (idx->dim % 8));
        if (idx->cfg.dtype == RUV_DTYPE_F16 || idx->cfg.dtype == RUV_DTYPE_BF16)
            return ruv__code_halves_ok(idx->cfg.dtype, code, idx->dim);
        return idx->cfg.dtype != RUV_DTYPE_F32 ||
               ruv__vec_finite((const float *)(const void *)code, idx->dim);
    case RUV_QUANT_F16:
    case RUV_QUANT_BF16:
        for (i = 0; i < idx->dim; i++) {
            memcpy(&h, code + 2 * i, 2);
            if ((h & (idx->cfg.quant == RUV_QUANT_F16 ? 0x7C00u : 0x7F80u)) ==
                (idx->cfg.quant == RUV_QUANT_F16 ? 0x7C00u : 0x7F80u))
                return 0;
        }
        return 1;
    case RUV_QUANT_SQ8:
        memcpy(&t, code + idx->sq_off, sizeof t);
        return ruv__f32_finite(t);
    default: /* BIN bits, PQ centroid numbers */
        return 1;
    }
}

/* Whether slot s is in the key table's probe run from its key's home (opt.multi indexes, where
   several slots share a key). */
static int ruv__load_key_reachable(const ruv_index *idx, uint32_t s) {
    size_t mask = idx->table_cap - 1, h = (size_t)ruv__hash_mix64(idx->keys[s]) & mask;
    for (; idx->table[h] != RUV__NONE; h = (h + 1) & mask)
        if (idx->table[h] == s)
            return 1;
    return 0;
}

/* Checks everything the search and write paths rely on, so that no input can make them read or
   write out of bounds or loop forever. O(size of the index). */
static ruv_result ruv__load_validate(ruv_index *idx) {
    size_t s, h, n, dead = 0, nids = 0;
    uint64_t uo = 0;
    int hnsw = idx->cfg.kind == RUV_INDEX_HNSW, c;
    if (idx->qp && idx->cfg.quant == RUV_QUANT_PQ) { /* the PQ permutation: each dimension once */
        const uint32_t *perm = ruv__code_pq_perm(idx);
        ruv_search_ctx *x = idx->ctx; /* its tmp: dim floats, used here as a seen-flag array */
        memset(x->tmp, 0, idx->dim * sizeof *x->tmp);
        for (s = 0; s < idx->dim; s++) {
            if (perm[s] >= idx->dim || x->tmp[perm[s]] != 0.0f)
                return RUV_E_CORRUPT;
            x->tmp[perm[s]] = 1.0f;
        }
    }
    if (idx->qp && idx->cfg.quant == RUV_QUANT_PQ && /* the centroids */
        !ruv__vec_finite(idx->qp + idx->dim, idx->dim * 256))
        return RUV_E_CORRUPT;
    for (s = 0; idx->wbits && !idx->cfg.walk_bits && s < idx->count; s++) /* binary copies */
        if (memcmp(idx->wbits + s * idx->bits_bytes, ruv__slot_code(idx, (uint32_t)s),
                   idx->bits_bytes) != 0)
            return RUV_E_CORRUPT;
    if (idx->qp && idx->cfg.walk_bits && /* the walk's mean and deviation */
        !ruv__vec_finite(ruv__code_walk_mean(idx), 2 * idx->dim))
        return RUV_E_CORRUPT;
    if (idx->fvec && idx->cfg.rerank_dtype == RUV_DTYPE_F32 && /* the copies */
        !ruv__vec_finite((const float *)(const void *)idx->fvec, idx->count * idx->dim))
        return RUV_E_CORRUPT;
    for (s = 0; idx->fvec && idx->cfg.rerank_dtype != RUV_DTYPE_F32 && s < idx->count; s++)
        if (!ruv__code_halves_ok(idx->cfg.rerank_dtype, idx->fvec + s * idx->fvec_bytes, idx->dim))
            return RUV_E_CORRUPT;
    for (s = 0; s < idx->count; s++) /* every stored vector (zeros in free slots) */
        if (!ruv__load_code_finite(idx, ruv__slot_code(idx, (uint32_t)s)))
            return RUV_E_CORRUPT;
    if (idx->qp && idx->cfg.quant != RUV_QUANT_PQ) { /* SQ8 lo, scale >= 0; BIN mean, deviation */
        if (!ruv__vec_finite(idx->qp, ruv__index_qp_bytes(&idx->cfg) / sizeof *idx->qp))
            return RUV_E_CORRUPT;
        for (s = 0; idx->cfg.quant == RUV_QUANT_SQ8 && s < idx->dim; s++)
            if (idx->qp[idx->dim + s] < 0.0f)
                return RUV_E_CORRUPT;
    }
    if (hnsw) {
        for (s = 0; s < idx->count; s++) {
            unsigned lv = idx->levels[s];
            if ((lv & 0x20u) || (int)(lv & RUV__LEVEL) > idx->max_level ||
                idx->upper_off[s] != uo ||
                ((lv & RUV__FREE) &&
                 (lv != (RUV__DEAD | RUV__FREE) || ruv__slot_links(idx, (uint32_t)s, 0)[0])))
                return RUV_E_CORRUPT;
            dead += lv >> 7;
            idx->nfree += (lv >> 6) & 1u;
            uo += (uint64_t)(lv & RUV__LEVEL) * (idx->M + 1);
        }
        if (uo != idx->upper_len || dead != idx->count - idx->live)
            return RUV_E_CORRUPT;
        if (idx->entry == RUV__NONE
                ? idx->nfree != idx->count || idx->max_level
                : (idx->levels[idx->entry] & RUV__FREE) ||
                      (int)(idx->levels[idx->entry] & RUV__LEVEL) != idx->max_level)
            return RUV_E_CORRUPT;
        for (s = 0; s < idx->count; s++) {
            int l, top = idx->levels[s] & RUV__LEVEL;
            for (l = 0; l <= top; l++) {
                const uint32_t *li = ruv__slot_links(idx, (uint32_t)s, l);
                uint32_t i;
                if (li[0] > (l ? idx->M : idx->m0))
                    return RUV_E_CORRUPT;
                for (i = 1; i <= li[0]; i++)
                    if (li[i] >= idx->count || (idx->levels[li[i]] & RUV__FREE) ||
                        (int)(idx->levels[li[i]] & RUV__LEVEL) < l)
                        return RUV_E_CORRUPT;
            }
        }
    }
    /* key table: exactly the live slots, each reachable by its key */
    if (idx->live >= idx->table_cap)
        return RUV_E_CORRUPT;
    for (h = n = 0; h < idx->table_cap; h++) {
        uint32_t t = idx->table[h];
        if (t == RUV__NONE)
            continue;
        if (t >= idx->count || ruv__slot_dead(idx, t))
            return RUV_E_CORRUPT;
        n++;
    }
    if (n != idx->live)
        return RUV_E_CORRUPT;
    for (s = 0; s < idx->count; s++) /* multi: found in its key's probe run; else the first */
        if (!ruv__slot_dead(idx, s) && (idx->cfg.multi ? !ruv__load_key_reachable(idx, (uint32_t)s)
                                                       : ruv__tab_find_key(idx, idx->keys[s]) != s))
            return RUV_E_CORRUPT;
    if (idx->cfg.multi && (idx->ids.ref || idx->meta.ref)) /* multi indexes take neither */
        return RUV_E_CORRUPT;
    /* blobs: in bounds, none on deleted slots */
    for (c = 0; c < 2; c++) {
        ruv__blobs *b = c ? &idx->ids : &idx->meta;
        uint64_t sum = 0;
        if (!b->ref)
            continue;
        for (s = 0; s < idx->count; s++) {
            uint64_t off = b->ref[2 * s], len = b->ref[2 * s + 1];
            if (!len)
                continue;
            if (ruv__slot_dead(idx, s) || off + len > b->len ||
                len > (c ? RUV_MAX_ID_BYTES : RUV_MAX_META_BYTES))
                return RUV_E_CORRUPT;
            sum += len;
            nids += (size_t)c;
        }
        if (sum > b->len)
            return RUV_E_CORRUPT;
        b->live = (size_t)sum;
    }
    if (idx->idtab) {
        if (nids >= idx->idtab_cap)
            return RUV_E_CORRUPT;
        for (h = n = 0; h < idx->idtab_cap; h++) {
            uint32_t t = idx->idtab[h];
            size_t len;
            if (t == RUV__NONE)
                continue;
            if (t >= idx->count || !ruv__tab_blob(&idx->ids, t, &len))
                return RUV_E_CORRUPT;
            n++;
        }
        if (n != nids)
            return RUV_E_CORRUPT;
        for (s = 0; s < idx->count; s++) {
            size_t len;
            const unsigned char *p = ruv__tab_blob(&idx->ids, (uint32_t)s, &len);
            if (p && ruv__tab_find_id(idx, (const char *)p, len) != s)
                return RUV_E_CORRUPT;
        }
    }
    return RUV_OK;
}

/* Reads n bytes: RUV_OK, RUV_E_TRUNCATED or RUV_E_IO. */
static ruv_result ruv__load_read(ruv_read_fn read, void *user, void *dst, size_t n) {
    int rc;
    if (!n)
        return RUV_OK;
    rc = read(user, dst, n);
    return rc == 0 ? RUV_OK : rc == 1 ? RUV_E_TRUNCATED : RUV_E_IO;
}

/* Reads the gap bytes of zero padding before a section (under 64: sections are 64-byte
   aligned); RUV_E_CORRUPT if one is not 0. */
static ruv_result ruv__load_gap(ruv_read_fn read, void *user, size_t gap) {
    unsigned char buf[64];
    size_t j;
    ruv_result r;
    if (gap > sizeof buf)
        return RUV_E_CORRUPT;
    if ((r = ruv__load_read(read, user, buf, gap)) != RUV_OK)
        return r;
    for (j = 0; j < gap; j++)
        if (buf[j])
            return RUV_E_CORRUPT;
    return RUV_OK;
}

/* Reads len bytes of a section this reader does not know (a later minor version) into x. */
static ruv_result ruv__load_skip(ruv_read_fn read, void *user, size_t len, ruv__xxh *x) {
    unsigned char buf[256];
    size_t j;
    ruv_result r;
    for (j = 0; j < len; j += sizeof buf) {
        size_t t = len - j < sizeof buf ? len - j : sizeof buf;
        if ((r = ruv__load_read(read, user, buf, t)) != RUV_OK)
            return r;
        ruv__xxh_update(x, buf, t);
    }
    return RUV_OK;
}

/* Loads through read; limit = bytes available if known (checked before allocating). */
static ruv_result ruv__load_run(ruv_read_fn read, void *user, uint64_t limit,
                                const ruv_load_options *opt, ruv_index **out) {
    unsigned char head[RUV__HDR + RUV__MAX_SECTIONS * RUV__SECENT];
    ruv_load_options o;
    ruv__head hd;
    ruv_index *idx = NULL;
    uint64_t pos;
    uint32_t nsec, i;
    ruv_result r;
    if (out)
        *out = NULL;
    if (!read || !out)
        return RUV_E_ARG;
    if ((r = ruv__load_options(opt, &o)) != RUV_OK)
        return r;
    if ((r = ruv__load_read(read, user, head, RUV__HDR)) != RUV_OK ||
        (r = ruv__load_head_start(head, &nsec)) != RUV_OK ||
        (r = ruv__load_read(read, user, head + RUV__HDR, (size_t)nsec * RUV__SECENT)) != RUV_OK ||
        (r = ruv__load_head_parse(head, nsec, &o, &hd)) != RUV_OK)
        return r;
    if (hd.total > limit)
        return RUV_E_TRUNCATED;
    if ((r = ruv__load_shell(&hd, &idx)) != RUV_OK)
        return r;
    if ((r = ruv__load_check_lens(idx, &hd)) != RUV_OK)
        goto fail;
    pos = RUV__HDR + (uint64_t)nsec * RUV__SECENT;
    for (i = 0; i < nsec; i++) {
        const ruv__sec *s = &hd.sec[i];
        size_t len = (size_t)s->len;
        ruv__xxh x;
        if ((r = ruv__load_gap(read, user, (size_t)(s->off - pos))) != RUV_OK)
            goto fail;
        ruv__xxh_init(&x, 0);
        if (s->id < RUV__S_END) {
            void *p = s->id == RUV__S_SLOTS ? ruv__mem_alloc_aligned(&idx->mem, len)
                                            : ruv__mem_alloc(&idx->mem, len);
            if (!p) {
                r = RUV_E_NOMEM;
                goto fail;
            }
            ruv__load_bind(idx, s->id, p);
            if ((r = ruv__load_read(read, user, p, len)) != RUV_OK)
                goto fail;
            ruv__xxh_update(&x, p, len);
        } else if ((r = ruv__load_skip(read, user, len, &x)) != RUV_OK) /* later minor version */
            goto fail;
        if (!RUV__SUM_OK(ruv__xxh_final(&x), s->sum)) {
            r = RUV_E_CHECKSUM;
            goto fail;
        }
        pos = s->off + s->len;
    }
    if ((r = ruv__load_validate(idx)) != RUV_OK)
        goto fail;
    if (!idx->wbits && idx->bits_bytes && idx->count) { /* a file without section 14 */
        size_t s;
        if (!(idx->wbits =
                  (unsigned char *)ruv__mem_alloc(&idx->mem, idx->count * idx->bits_bytes))) {
            r = RUV_E_NOMEM;
            goto fail;
        }
        for (s = 0; s < idx->count; s++)
            memcpy(idx->wbits + s * idx->bits_bytes, ruv__slot_code(idx, (uint32_t)s),
                   idx->bits_bytes);
    }
    if (ruv__ctx_reserve(idx->ctx, idx->levels ? idx->cap : 0, ruv__index_pool(idx),
                         (size_t)idx->m0 + 1) != RUV_OK) {
        r = RUV_E_NOMEM;
        goto fail;
    }
    *out = idx;
    return RUV_OK;
fail:
    ruv_index_free(idx);
    return r;
}

RUVDEF ruv_result ruv_index_load(ruv_read_fn read, void *user, const ruv_load_options *opt,
                                 ruv_index **out) {
    return ruv__load_run(read, user, (uint64_t)-1, opt, out);
}

RUVDEF ruv_result ruv_index_load_buffer(const void *buf, size_t len, const ruv_load_options *opt,
                                        ruv_index **out) {
    ruv__membuf m;
    if (out)
        *out = NULL;
    if (!buf && len)
        return RUV_E_ARG;
    m.p = (unsigned char *)(uintptr_t)buf;
    m.len = len;
    m.pos = 0;
    return ruv__load_run(ruv__load_buf_read, &m, len, opt, out);
}

RUVDEF ruv_result ruv_index_view(const void *buf, size_t len, const ruv_load_options *opt,
                                 ruv_index **out) {
    const unsigned char *b = (const unsigned char *)buf;
    ruv_load_options o;
    ruv__head hd;
    ruv_index *idx = NULL;
    uint64_t pos;
    uint32_t nsec, i;
    ruv_result r;
    if (out)
        *out = NULL;
    if (!out || (!buf && len) || (uintptr_t)buf % 8)
        return RUV_E_ARG;
    if ((r = ruv__load_options(opt, &o)) != RUV_OK)
        return r;
    if (len < RUV__HDR)
        return len >= 8 && memcmp(b, "RUVECIDX", 8) != 0 ? RUV_E_FORMAT : RUV_E_TRUNCATED;
    if ((r = ruv__load_head_start(b, &nsec)) != RUV_OK)
        return r;
    if (len < RUV__HDR + (size_t)nsec * RUV__SECENT)
        return RUV_E_TRUNCATED;
    if ((r = ruv__load_head_parse(b, nsec, &o, &hd)) != RUV_OK)
        return r;
    if (hd.total > len)
        return RUV_E_TRUNCATED;
    if ((r = ruv__load_shell(&hd, &idx)) != RUV_OK)
        return r;
    idx->view = 1;
    if ((r = ruv__load_check_lens(idx, &hd)) != RUV_OK)
        goto fail;
    pos = RUV__HDR + (uint64_t)nsec * RUV__SECENT;
    for (i = 0; i < nsec; i++) {
        const ruv__sec *s = &hd.sec[i];
        for (; pos < s->off; pos++)
            if (b[pos]) {
                r = RUV_E_CORRUPT;
                goto fail;
            }
        if (!RUV__SUM_OK(ruv__xxh64(b + s->off, (size_t)s->len, 0), s->sum)) {
            r = RUV_E_CHECKSUM;
            goto fail;
        }
        ruv__load_bind(idx, s->id, (void *)(uintptr_t)(b + s->off));
        pos = s->off + s->len;
    }
    if ((r = ruv__load_validate(idx)) != RUV_OK)
        goto fail;
    *out = idx;
    return RUV_OK;
fail:
    ruv_index_free(idx);
    return r;
}

#endif /* RUV__IMPL */
/************** End of src/load.h *****************************************************************/
/************** Begin file src/sparse_io.h ********************************************************/
/* Sparse indexes in the saved FORMAT (src/save.h, kind 2): the writer and the reader. */
#ifdef RUV__IMPL

/* A sparse index file (FORMAT version 1.1, kind 2) is the same container: the 128-byte header
   with "RUVECIDX", version 1.1, the byte-order mark, header bytes, section count and file bytes
   as for dense indexes; u32 max_nnz at 32, u32 metric at 36 (0 L2SQ, 1 IP, 2 cosine), u32 kind
   2 at 40, u64 entries at 80 and again at 88; every other byte before the checksum at 120 is 0.
   Sections, in this order: 2 keys (u64 per entry); 7 / 8 and 10 / 11, string ids and
   metadata, only when some entry has one: per entry u32 offset, u32 length (offsets running
   over the entries in order, 0 with length 0; ids 1..RUV_MAX_ID_BYTES bytes and unique,
   metadata up to RUV_MAX_META_BYTES), then the bytes back to back (not empty); 15 sparse nnz
   (u32 per entry), 16 sparse ids (u32 per nonzero, every entry's ids back to back in entry
   order, strictly increasing within an entry, below 2^32 - 1), 17 sparse values (f32 per
   nonzero, as given: finite, nonzero). Entries are the live ones in slot order (ties keep their
   order); the posting lists and hash tables are rebuilt by the loader, which checks every entry
   as ruv_sparse_put does. */
enum { RUV__S_SPNNZ = 15, RUV__S_SPIDS = 16, RUV__S_SPVALS = 17 };

/* Where the loader keeps section id (see ruv__sp_load_run's data), or -1 if not a section of
   sparse files. */
static int ruv__sp_sec_slot(uint32_t id) {
    switch (id) {
    case RUV__S_KEYS:
        return 0;
    case RUV__S_SPNNZ:
    case RUV__S_SPIDS:
    case RUV__S_SPVALS:
        return (int)(id - RUV__S_SPNNZ) + 1;
    case RUV__S_IDREF:
        return 4;
    case RUV__S_IDBYTES:
        return 5;
    case RUV__S_METAREF:
        return 6;
    case RUV__S_METABYTES:
        return 7;
    default:
        return -1;
    }
}

/* Checks n (offset, length) references as the writer lays them out (offsets running, 0 with
   length 0, lengths up to max; ids: at least one nonempty) and sets *bytes to their total. */
static int ruv__sp_load_refs(const uint32_t *ref, uint64_t n, uint32_t max, uint64_t *bytes) {
    uint64_t e, run = 0;
    for (e = 0; e < n; e++) {
        uint32_t off = ref[2 * e], len = ref[2 * e + 1];
        if (len > max || off != (len ? run : 0))
            return 0;
        run += len;
    }
    *bytes = run;
    return run > 0 && run <= 0xFFFFFFFFu;
}

/* Number of nonzeros of the live entries. */
static uint64_t ruv__sp_live_nnz(const ruv_sparse_index *idx) {
    uint64_t p = 0;
    size_t s;
    for (s = 0; s < idx->slots; s++)
        if (!idx->dead[s])
            p += idx->nnz[s];
    return p;
}

#define RUV__SP_SECTIONS 8u /* at most */

/* The sections of idx (4 to 8): ids, offsets and lengths; returns their count, *total = file
   bytes. */
static uint32_t ruv__sp_plan(const ruv_sparse_index *idx, ruv__sec *sec, uint64_t *total) {
    static const uint32_t ids[RUV__SP_SECTIONS] = {RUV__S_KEYS,    RUV__S_IDREF,     RUV__S_IDBYTES,
                                                   RUV__S_METAREF, RUV__S_METABYTES, RUV__S_SPNNZ,
                                                   RUV__S_SPIDS,   RUV__S_SPVALS};
    uint64_t live = idx->live, p = ruv__sp_live_nnz(idx), pos;
    uint32_t i, n = 0;
    for (i = 0; i < RUV__SP_SECTIONS; i++) {
        uint32_t id = ids[i];
        if ((id == RUV__S_IDREF || id == RUV__S_IDBYTES) && !idx->sid.live)
            continue;
        if ((id == RUV__S_METAREF || id == RUV__S_METABYTES) && !idx->smeta.live)
            continue;
        sec[n].id = id;
        sec[n].len = id == RUV__S_KEYS || id == RUV__S_IDREF || id == RUV__S_METAREF ? 8 * live
                     : id == RUV__S_IDBYTES                                          ? idx->sid.live
                     : id == RUV__S_METABYTES ? idx->smeta.live
                     : id == RUV__S_SPNNZ     ? 4 * live
                                              : 4 * p;
        sec[n++].sum = 0;
    }
    pos = RUV__HDR + (uint64_t)n * RUV__SECENT;
    for (i = 0; i < n; i++) {
        sec[i].off = ruv__save_align64(pos);
        pos = sec[i].off + sec[i].len;
    }
    *total = pos;
    return n;
}

/* Writes section id of idx through k, in chunks of a small buffer (the live entries only). */
static void ruv__sp_emit(const ruv_sparse_index *idx, uint32_t id, ruv__sink *k) {
    unsigned char buf[1024]; /* (stack: firmware) */
    size_t n = 0, s;
    uint32_t boff = 0;
    for (s = 0; s < idx->slots; s++) {
        const unsigned char *src;
        size_t len;
        uint32_t z = idx->nnz[s], ref[2];
        if (idx->dead[s])
            continue;
        if (id == RUV__S_KEYS)
            src = (const unsigned char *)&idx->keys[s], len = 8;
        else if (id == RUV__S_IDREF || id == RUV__S_METAREF) {
            ruv__tab_blob(id == RUV__S_IDREF ? &idx->sid : &idx->smeta, (uint32_t)s, &len);
            ref[0] = len ? boff : 0;
            ref[1] = (uint32_t)len;
            boff += (uint32_t)len;
            src = (const unsigned char *)ref, len = 8;
        } else if (id == RUV__S_IDBYTES || id == RUV__S_METABYTES)
            src = ruv__tab_blob(id == RUV__S_IDBYTES ? &idx->sid : &idx->smeta, (uint32_t)s, &len);
        else if (id == RUV__S_SPNNZ)
            src = (const unsigned char *)&z, len = 4;
        else if (id == RUV__S_SPIDS)
            src = (const unsigned char *)(idx->ids + idx->off[s]), len = 4 * (size_t)z;
        else
            src = (const unsigned char *)(idx->vals + idx->off[s]), len = 4 * (size_t)z;
        while (len) { /* (host little-endian: checked by the caller) */
            size_t t = len < sizeof buf - n ? len : sizeof buf - n;
            memcpy(buf + n, src, t);
            n += t, src += t, len -= t;
            if (n == sizeof buf) {
                ruv__save_put(k, buf, n);
                n = 0;
            }
        }
    }
    ruv__save_put(k, buf, n);
}

RUVDEF size_t ruv_sparse_serialized_size(const ruv_sparse_index *idx) {
    ruv__sec sec[RUV__SP_SECTIONS];
    uint64_t total;
    if (!idx)
        return 0;
    ruv__sp_plan(idx, sec, &total);
    return total > (uint64_t)(size_t)-1 ? 0 : (size_t)total;
}

RUVDEF ruv_result ruv_sparse_save(const ruv_sparse_index *idx, ruv_write_fn write, void *user) {
    unsigned char head[RUV__HDR + RUV__SP_SECTIONS * RUV__SECENT], zero[64];
    ruv__sec sec[RUV__SP_SECTIONS];
    uint64_t total, pos;
    uint32_t i, n;
    ruv__sink k;
    if (!idx || !write)
        return RUV_E_ARG;
    if (!ruv__host_le())
        return RUV_E_UNSUPPORTED;
    n = ruv__sp_plan(idx, sec, &total);
    memset(&k, 0, sizeof k);
    for (i = 0; i < n; i++) {
        ruv__xxh_init(&k.h, 0);
        ruv__sp_emit(idx, sec[i].id, &k);
        sec[i].sum = ruv__xxh_final(&k.h);
    }
    memset(head, 0, sizeof head);
    memcpy(head, "RUVECIDX", 8);
    head[8] = (unsigned char)RUV__FMT_MAJOR;
    head[10] = 1; /* version 1.1: sparse indexes */
    ruv__le_wr32(head + 12, RUV__ENDIAN_MARK);
    ruv__le_wr32(head + 16, RUV__HDR);
    ruv__le_wr32(head + 20, n);
    ruv__le_wr64(head + 24, total);
    ruv__le_wr32(head + 32, idx->max_nnz);
    ruv__le_wr32(head + 36, (uint32_t)idx->metric);
    ruv__le_wr32(head + 40, RUV__KIND_SPARSE);
    ruv__le_wr64(head + 80, idx->live);
    ruv__le_wr64(head + 88, idx->live);
    for (i = 0; i < n; i++) {
        unsigned char *e = head + RUV__HDR + i * RUV__SECENT;
        ruv__le_wr32(e, sec[i].id);
        ruv__le_wr64(e + 8, sec[i].off);
        ruv__le_wr64(e + 16, sec[i].len);
        ruv__le_wr64(e + 24, sec[i].sum);
    }
    pos = RUV__HDR + (uint64_t)n * RUV__SECENT;
    ruv__le_wr64(head + 120, ruv__xxh64(head, (size_t)pos, 0));
    k.write = write;
    k.user = user;
    ruv__save_put(&k, head, (size_t)pos);
    memset(zero, 0, sizeof zero);
    for (i = 0; i < n; i++) {
        ruv__save_put(&k, zero, (size_t)(sec[i].off - pos));
        ruv__sp_emit(idx, sec[i].id, &k);
        pos = sec[i].off + sec[i].len;
    }
    return k.failed ? RUV_E_IO : RUV_OK;
}

RUVDEF ruv_result ruv_sparse_save_buffer(const ruv_sparse_index *idx, void *buf, size_t cap,
                                         size_t *written) {
    ruv__membuf m;
    size_t need;
    ruv_result r;
    if (written)
        *written = 0;
    if (!idx || !written || (!buf && cap))
        return RUV_E_ARG;
    if ((need = ruv_sparse_serialized_size(idx)) == 0)
        return RUV_E_NOMEM; /* larger than the address space */
    if (need > cap) {
        *written = need;
        return RUV_E_SPACE;
    }
    m.p = (unsigned char *)buf;
    m.len = cap;
    m.pos = 0;
    if ((r = ruv_sparse_save(idx, ruv__save_buf_write, &m)) == RUV_OK)
        *written = m.pos;
    return r;
}

/* Loads a sparse index through read; limit = bytes available if known. */
static ruv_result ruv__sp_load_run(ruv_read_fn read, void *user, uint64_t limit,
                                   const ruv_load_options *opt, ruv_sparse_index **out) {
    unsigned char head[RUV__HDR + RUV__MAX_SECTIONS * RUV__SECENT];
    ruv_load_options o;
    ruv_sparse_options so;
    ruv_sparse_index *idx = NULL;
    ruv__sec sec[RUV__MAX_SECTIONS];
    /* keys, nnz, ids, values, id refs, id bytes, metadata refs, metadata bytes */
    void *data[8] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    size_t dlen[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    uint64_t total, entries, pos, p = 0, e, sum, blen[2] = {0, 0};
    uint32_t nsec, i, last = 0, have = 0, metric;
    ruv__mem mem;
    ruv_result r;
    ruv__xxh x;
    if (out)
        *out = NULL;
    if (!read || !out)
        return RUV_E_ARG;
    if ((r = ruv__load_options(opt, &o)) != RUV_OK)
        return r;
    if ((r = ruv__load_read(read, user, head, RUV__HDR)) != RUV_OK ||
        (r = ruv__load_head_start(head, &nsec)) != RUV_OK)
        return r;
    if (ruv__le_rd32(head + 40) != RUV__KIND_SPARSE)
        return RUV_E_UNSUPPORTED; /* a dense index: ruv_index_load */
    if ((r = ruv__load_read(read, user, head + RUV__HDR, (size_t)nsec * RUV__SECENT)) != RUV_OK)
        return r;
    sum = ruv__le_rd64(head + 120);
    memset(head + 120, 0, 8);
    if (!RUV__SUM_OK(ruv__xxh64(head, RUV__HDR + (size_t)nsec * RUV__SECENT, 0), sum))
        return RUV_E_CHECKSUM;
    total = ruv__le_rd64(head + 24);
    entries = ruv__le_rd64(head + 80);
    metric = ruv__le_rd32(head + 36);
    so = ruv_sparse_options_init();
    so.max_nnz = ruv__le_rd32(head + 32);
    so.metric = (ruv_metric)metric;
    so.alloc = o.alloc;
    for (i = 44; i < 120; i++) /* the fields a sparse file does not use */
        if (head[i] && (i < 80 || i >= 96))
            return RUV_E_CORRUPT;
    if ((metric != RUV_METRIC_IP && metric != RUV_METRIC_COSINE && metric != RUV_METRIC_L2SQ) ||
        so.max_nnz == 0 || so.max_nnz > RUV_SPARSE_MAX_NNZ || ruv__le_rd64(head + 88) != entries ||
        entries > (uint64_t)RUV__SP_NONE - 1)
        return RUV_E_CORRUPT;
    pos = RUV__HDR + (uint64_t)nsec * RUV__SECENT;
    for (i = 0; i < nsec; i++) { /* ascending ids, 64-byte aligned, the last ending the file */
        const unsigned char *t = head + RUV__HDR + i * RUV__SECENT;
        sec[i].id = ruv__le_rd32(t);
        sec[i].off = ruv__le_rd64(t + 8);
        sec[i].len = ruv__le_rd64(t + 16);
        sec[i].sum = ruv__le_rd64(t + 24);
        if (sec[i].id <= last || ruv__le_rd32(t + 4) != 0 || sec[i].off != ruv__save_align64(pos) ||
            sec[i].len > total || sec[i].off > total - sec[i].len)
            return RUV_E_CORRUPT;
        if (sec[i].len > (uint64_t)((size_t)-1 / 2)) /* beyond this address space (32-bit) */
            return RUV_E_NOMEM;
        pos = sec[i].off + sec[i].len;
        last = sec[i].id;
        if (ruv__sp_sec_slot(sec[i].id) >= 0)
            have |= 1u << ruv__sp_sec_slot(sec[i].id);
        else if (sec[i].id < RUV__S_SPNNZ) /* other dense sections have no place here */
            return RUV_E_CORRUPT;
    }
    /* keys, nnz, ids, values; id refs with id bytes; metadata refs with metadata bytes */
    if (pos != total || (have & 15u) != 15u || !(have & 16u) != !(have & 32u) ||
        !(have & 64u) != !(have & 128u) || entries > total / 12)
        return RUV_E_CORRUPT;
    if (total > limit)
        return RUV_E_TRUNCATED;
    ruv__mem_init(&mem, o.alloc);
    pos = RUV__HDR + (uint64_t)nsec * RUV__SECENT;
    for (i = 0; i < nsec; i++) {
        size_t len = (size_t)sec[i].len;
        int d = ruv__sp_sec_slot(sec[i].id);
        if ((r = ruv__load_gap(read, user, (size_t)(sec[i].off - pos))) != RUV_OK)
            goto done;
        ruv__xxh_init(&x, 0);
        if (d >= 0) { /* lengths: keys, refs 8, nnz 4 per entry; ids, values 4 per nonzero */
            uint64_t want = d == 0 || d == 4 || d == 6 ? 8 * entries
                            : d == 1                   ? 4 * entries
                            : d == 5 || d == 7         ? blen[(d - 5) / 2]
                                                       : 4 * p;
            if (sec[i].len != want || (want == 0 && (d == 5 || d == 7))) {
                r = RUV_E_CORRUPT;
                goto done;
            }
            if (!(data[d] = ruv__mem_alloc(&mem, len))) {
                r = RUV_E_NOMEM;
                goto done;
            }
            dlen[d] = len;
            if ((r = ruv__load_read(read, user, data[d], len)) != RUV_OK)
                goto done;
            ruv__xxh_update(&x, data[d], len);
            if (d == 1) /* the nonzeros the next two sections hold */
                for (e = 0; e < entries; e++) {
                    uint32_t z;
                    memcpy(&z, (unsigned char *)data[1] + 4 * e, 4);
                    if (z > so.max_nnz) {
                        r = RUV_E_CORRUPT;
                        goto done;
                    }
                    p += z;
                }
            if ((d == 4 || d == 6) &&
                !ruv__sp_load_refs((const uint32_t *)data[d], entries,
                                   d == 4 ? RUV_MAX_ID_BYTES : RUV_MAX_META_BYTES,
                                   &blen[(d - 4) / 2])) {
                r = RUV_E_CORRUPT;
                goto done;
            }
        } else if ((r = ruv__load_skip(read, user, len, &x)) != RUV_OK) /* later minor version */
            goto done;
        if (!RUV__SUM_OK(ruv__xxh_final(&x), sec[i].sum)) {
            r = RUV_E_CHECKSUM;
            goto done;
        }
        pos = sec[i].off + sec[i].len;
    }
    /* the entries, each checked as ruv_sparse_add checks it */
    if ((r = ruv_sparse_create(&so, &idx)) != RUV_OK)
        goto done;
    for (e = 0, p = 0; e < entries; e++) {
        uint64_t key;
        uint32_t z;
        double n2 = 0.0;
        const uint32_t *ids = (const uint32_t *)data[2] + p;
        const float *vals = (const float *)data[3] + p;
        memcpy(&key, (unsigned char *)data[0] + 8 * e, 8);
        memcpy(&z, (unsigned char *)data[1] + 4 * e, 4);
        if (ruv__sp_check(idx, z, ids, vals, 0, &n2) != RUV_OK ||
            ruv__sp_map_get(&idx->kmap, key) != RUV__SP_NONE) {
            r = RUV_E_CORRUPT;
            goto done;
        }
        if ((r = ruv__sp_insert(idx, key, z, ids, vals, n2)) != RUV_OK)
            goto done;
        p += z;
    }
    for (i = 0; i < 2; i++) { /* ids, metadata; then the ids are unique */
        ruv__blobs b;
        memset(&b, 0, sizeof b);
        b.ref = (uint32_t *)data[4 + 2 * i];
        b.bytes = (unsigned char *)data[5 + 2 * i];
        b.live = b.len = b.cap = (size_t)blen[i];
        if (b.ref && !ruv__sp_blobs_fill(idx, !i, &b, NULL)) {
            r = RUV_E_NOMEM;
            goto done;
        }
    }
    for (e = 0; e < entries; e++) {
        size_t len;
        const unsigned char *q = ruv__tab_blob(&idx->sid, (uint32_t)e, &len);
        if (q && ruv__slots_find_id(&idx->sid, idx->idtab, idx->idtab_cap, (const char *)q, len) !=
                     (uint32_t)e) {
            r = RUV_E_CORRUPT;
            goto done;
        }
    }
    *out = idx;
    idx = NULL;
done:
    for (i = 0; i < 8; i++)
        ruv__mem_free(&mem, data[i], dlen[i]);
    ruv_sparse_free(idx);
    return r;
}

RUVDEF ruv_result ruv_sparse_load(ruv_read_fn read, void *user, const ruv_load_options *opt,
                                  ruv_sparse_index **out) {
    return ruv__sp_load_run(read, user, (uint64_t)-1, opt, out);
}

RUVDEF ruv_result ruv_sparse_load_buffer(const void *buf, size_t len, const ruv_load_options *opt,
                                         ruv_sparse_index **out) {
    ruv__membuf m;
    if (out)
        *out = NULL;
    if (!buf || !out)
        return RUV_E_ARG;
    m.p = (unsigned char *)(uintptr_t)buf;
    m.len = len;
    m.pos = 0;
    return ruv__sp_load_run(ruv__load_buf_read, &m, len, opt, out);
}

#endif /* RUV__IMPL */
/************** End of src/sparse_io.h ************************************************************/
/************** Begin file src/file.h *************************************************************/
/* Files (absent under RUV_NO_STDIO): atomic save (temporary file, fsync, rename, directory
   sync) and load. Closes the implementation section (opened in src/core.h). */
#ifdef RUV__IMPL

#ifndef RUV_NO_STDIO
/* fopen, without MSVC's deprecation warning (C4996). */
static FILE *ruv__file_open(const char *path, const char *mode) {
#if defined(_MSC_VER)
    FILE *f = NULL;
    return fopen_s(&f, path, mode) == 0 ? f : NULL;
#else
    return fopen(path, mode);
#endif
}

static int ruv__file_read(void *user, void *dst, size_t len) {
    FILE *f = (FILE *)user;
    if (fread(dst, 1, len, f) == len)
        return 0;
    return feof(f) ? 1 : -1;
}

/* Opens path for reading; *size = its bytes ((uint64_t)-1 if unknown). NULL on failure. */
static FILE *ruv__file_open_sized(const char *path, uint64_t *size) {
    FILE *f;
#if defined(_WIN32) /* long is 32 bits there */
    long long n = -1;
#else
    long n = -1;
#endif
    if (!(f = ruv__file_open(path, "rb")))
        return NULL;
#if defined(_WIN32)
    if (_fseeki64(f, 0, SEEK_END) == 0)
        n = _ftelli64(f);
#else
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
#endif
    if (fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    *size = n < 0 ? (uint64_t)-1 : (uint64_t)n;
    return f;
}

RUVDEF ruv_result ruv_index_load_file(const char *path, const ruv_load_options *opt,
                                      ruv_index **out) {
    FILE *f;
    uint64_t size;
    ruv_result r;
    if (out)
        *out = NULL;
    if (!path || !out)
        return RUV_E_ARG;
    if (!(f = ruv__file_open_sized(path, &size)))
        return RUV_E_IO;
    r = ruv__load_run(ruv__file_read, f, size, opt, out);
    fclose(f);
    return r;
}

RUVDEF ruv_result ruv_sparse_load_file(const char *path, const ruv_load_options *opt,
                                       ruv_sparse_index **out) {
    FILE *f;
    uint64_t size;
    ruv_result r;
    if (out)
        *out = NULL;
    if (!path || !out)
        return RUV_E_ARG;
    if (!(f = ruv__file_open_sized(path, &size)))
        return RUV_E_IO;
    r = ruv__sp_load_run(ruv__file_read, f, size, opt, out);
    fclose(f);
    return r;
}

/* What a file save writes: a dense or a sparse index. */
typedef struct ruv__file_obj {
    const ruv_index *dense;
    const ruv_sparse_index *sparse;
} ruv__file_obj;

static ruv_result ruv__file_save_obj(const ruv__file_obj *o, ruv_write_fn write, void *user) {
    return o->dense ? ruv_index_save(o->dense, write, user)
                    : ruv_sparse_save(o->sparse, write, user);
}

#if defined(RUV__POSIX_IO)
static int ruv__file_fd_write(void *user, const void *data, size_t len) {
    return ruv__jf_write_fd(*(int *)user, data, len); /* src/journal.h (with its crash point) */
}

/* Writes tmp, syncs it, renames it to path, syncs the directory. */
static ruv_result ruv__file_save_atomic(const ruv__file_obj *idx, char *tmp, const char *path) {
    int fd;
    ruv_result r;
    const char *slash;
    RUV__IO_POINT();
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0)
        return RUV_E_IO;
    r = ruv__file_save_obj(idx, ruv__file_fd_write, &fd);
    RUV__IO_POINT();
    if (r == RUV_OK && fsync(fd) != 0)
        r = RUV_E_IO;
    if (close(fd) != 0 && r == RUV_OK)
        r = RUV_E_IO;
    RUV__IO_POINT();
    if (r == RUV_OK && rename(tmp, path) != 0)
        r = RUV_E_IO;
    if (r != RUV_OK) {
        remove(tmp);
        return r;
    }
    /* the rename itself reaches the disk with the directory */
    slash = strrchr(path, '/');
    if (!slash) {
        strcpy(tmp, ".");
    } else {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        memcpy(tmp, path, n);
        tmp[n] = 0;
    }
    if ((fd = open(tmp, O_RDONLY)) >= 0) {
        RUV__IO_POINT();
        (void)fsync(fd); /* not every file system can sync a directory; the data is already safe */
        close(fd);
    }
    return RUV_OK;
}
#else
static int ruv__file_write(void *user, const void *data, size_t len) {
    return fwrite(data, 1, len, (FILE *)user) == len ? 0 : -1;
}

static ruv_result ruv__file_save_atomic(const ruv__file_obj *idx, char *tmp, const char *path) {
    FILE *f = ruv__file_open(tmp, "wb");
    ruv_result r;
    if (!f)
        return RUV_E_IO;
    r = ruv__file_save_obj(idx, ruv__file_write, f);
    if (r == RUV_OK && fflush(f) != 0)
        r = RUV_E_IO;
#if defined(_WIN32)
    if (r == RUV_OK && _commit(_fileno(f)) != 0)
        r = RUV_E_IO;
#endif
    if (fclose(f) != 0 && r == RUV_OK)
        r = RUV_E_IO;
#if defined(_WIN32)
    if (r == RUV_OK && !MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        r = RUV_E_IO;
#else
    /* no atomic replace in ISO C: the old file goes first */
    if (r == RUV_OK && (remove(path), rename(tmp, path) != 0))
        r = RUV_E_IO;
#endif
    if (r != RUV_OK)
        remove(tmp);
    return r;
}
#endif

/* Saves o to path through "<path>.ruvtmp" (its name allocated through m). */
static ruv_result ruv__file_save(const ruv__file_obj *o, ruv__mem m, const char *path) {
    size_t n = strlen(path);
    char *tmp;
    ruv_result r;
    if (n > (size_t)-1 - 8 || !(tmp = (char *)ruv__mem_alloc(&m, n + 8)))
        return RUV_E_NOMEM;
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".ruvtmp", 8);
    r = ruv__file_save_atomic(o, tmp, path);
    ruv__mem_free(&m, tmp, n + 8);
    return r;
}

RUVDEF ruv_result ruv_index_save_file(const ruv_index *idx, const char *path) {
    ruv__file_obj o;
    if (!idx || !path || !*path)
        return RUV_E_ARG;
    o.dense = idx, o.sparse = NULL;
    return ruv__file_save(&o, idx->mem, path);
}

RUVDEF ruv_result ruv_sparse_save_file(const ruv_sparse_index *idx, const char *path) {
    ruv__file_obj o;
    if (!idx || !path || !*path)
        return RUV_E_ARG;
    o.dense = NULL, o.sparse = idx;
    return ruv__file_save(&o, idx->mem, path);
}
#endif /* RUV_NO_STDIO */

#undef RUV__IMPL

#endif /* RUV__IMPL */
/************** End of src/file.h *****************************************************************/
/************** Begin file src/license.h **********************************************************/
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
/************** End of src/license.h **************************************************************/
