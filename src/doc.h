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
       RUV_NO_STDIO            no file functions (ruv_index_save_file / load_file): no <stdio.h>
       RUV_NO_THREADS          no POSIX threads: ruv_index_add_batch_ex runs on the caller

   CONCEPTS
     Keys and slots: every vector has a caller-chosen u64 key; internally it lives in a slot
     (0, 1, 2, ... in insertion order). Results carry keys.
     Distances (smaller = closer; results are sorted by ascending distance):
       RUV_METRIC_L2SQ    squared Euclidean distance, sum (a_i - b_i)^2
       RUV_METRIC_IP      1 - a.b  (inner product turned into a distance; may be negative)
       RUV_METRIC_L1      sum |a_i - b_i| (Manhattan); f32, F16 and BF16 storage only
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
     Threads: any number of threads may search one index at the same time if each passes its
     own ruv_search_ctx and nothing writes the index meanwhile; a call that writes, or a search
     without a ctx, needs the index to itself. ruv_index_add_batch_ex can link an HNSW batch on
     several POSIX threads (locks exist only during that call).
     Memory: one allocation per growing array; capacity doubles when full (the capacity hint in
     the config sets the start). Searches allocate nothing once their ctx has grown to the index.
     Store: besides its key, an entry may carry a string id (unique; ruv_index_find_id maps it
     back to the key) and a metadata blob (opaque bytes, e.g. JSON). ruv_index_put inserts,
     updates or upserts all three at once; ruv_index_remove deletes.

   QUANTIZATION (ruv_config.quant; memory per vector = code + HNSW links + optional f32 copy)
       cfg.quant = RUV_QUANT_SQ8;                     // 1 byte per dimension (+ 4)
       ruv_index_create(&cfg, &idx);
       ruv_index_train(idx, n, sample);               // SQ8, BIN, PQ: before the first add
       ruv_index_add_batch(idx, n, keys, vecs);
     Searches compute distances on the stored codes; where f32 copies are kept (the default;
     cfg.drop_f32 = 1 drops them) the best rerank x k candidates (cfg.rerank, default 4; per query
     ruv_search_params.rerank) are re-ordered by exact f32 distance, and hits carry exact
     distances. Without copies, hits carry the code distance and ruv_index_get_vector returns
     the decoded (approximate) vector.
       F16, BF16  the vector rounded to 16 bits (no training); distances on the 16-bit values.
       SQ8        per dimension, values between the trained lo and hi (0.01% and 99.99% quantiles
                  of the sample; or given: ruv_index_set_sq8_range) map to 256 levels, outliers
                  clamped; one float per code makes the asymmetric distance (query weights
                  rounded to int16, u8 code) exact for the decoded vector up to that rounding
                  (the sum w.c of ruv__prep moves by at most max_i |w_i| / 65534 x sum c_i, up
                  to 256 dimensions): one exact int16 x u8 dot product per distance. For cosine
                  the rounding of each code is refined to maximise the cosine between the vector
                  and its decoded form.
       BIN        one bit per dimension: 1 where the value exceeds the trained mean; the distance
                  is the Hamming distance (number of differing bits). Flat indexes only; made for
                  re-ranking (e.g. rerank 10).
       PQ         product quantization (Jegou, Douze & Schmid, "Product quantization for nearest
                  neighbor search", TPAMI 2011): the dimensions split into pq_m sub-spaces (chosen
                  at training so that each gets a similar share of the variance), each coded by
                  the nearest of 256 k-means centroids: pq_m bytes per vector. Queries build a
                  pq_m x 256 table of sub-distances, and a distance is pq_m table look-ups
                  (asymmetric distance computation, ADC). Flat indexes only.
     HNSW indexes over F16, BF16 or SQ8 build and traverse the graph on the codes.

   PERSISTENCE
       ruv_index_save_file(idx, "vectors.ruv");              // atomic: temp file, fsync, rename
       ruv_index_load_file("vectors.ruv", NULL, &copy);      // owned copy, writable
       ruv_index_view(buf, len, NULL, &ro);                  // zero-copy over mmap/flash, read-only
     A damaged or hostile file never crashes the loader: every size, offset, link and table is
     checked before use and a specific error comes back (RUV_E_TRUNCATED, RUV_E_CHECKSUM,
     RUV_E_CORRUPT, ...). Files are portable between little-endian machines (x86, ARM, RISC-V,
     WASM); big-endian hosts get RUV_E_UNSUPPORTED.
*/
