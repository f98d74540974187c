/* C interface to the bench-only peer libraries (bench/peer_*.cpp). */
#ifndef RUV_BENCH_PEER_H
#define RUV_BENCH_PEER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct peer_index peer_index;

/* Builds hnswlib over n x dim row-major floats (labels = row numbers), one thread, inner-product
   space if ip (the caller normalises for cosine) else L2. *bytes = heap growth during the build
   (glibc mallinfo2). */
peer_index *peer_hnswlib_build(const float *base, size_t n, size_t dim, int ip, int M,
                               int ef_construction, unsigned seed, size_t *bytes);

/* k nearest labels, closest first, into keys; returns how many. */
size_t peer_hnswlib_search(peer_index *p, const float *q, size_t k, size_t ef, uint64_t *keys);

void peer_hnswlib_free(peer_index *p);

/* glass (zilliztech/pyglass, header-only C++20, bench/peer_glass.cpp), one OpenMP thread.
   peer_glass_build: its HNSW graph over n x dim row-major floats (ids = row numbers), built as
   glass::create_hnsw(ip ? "IP" : "L2", "SQ8U", R, L)->Build(): hnswlib's construction on SQ8U
   codes with M = R / 2, so R is the level-0 degree (hnswlib's maxM0 = 2 M) and L is
   ef_construction; the caller normalises for cosine. *build_s: the Build() call. */
typedef struct peer_glass_graph peer_glass_graph;
peer_glass_graph *peer_glass_build(const float *base, size_t n, size_t dim, int ip, int R, int L,
                                   double *build_s);
/* A deep copy of a graph (a searcher consumes the graph it is given). */
peer_glass_graph *peer_glass_graph_copy(const peer_glass_graph *g);
void peer_glass_graph_free(peer_glass_graph *g);
/* A searcher on graph g (consumed, freed): glass::create_searcher(graph, metric, quant, refine)
   with quant "SQ8U" or "SQ4U" and refine "FP32" (or "" / NULL: none), then SetData(base) (codes
   and the refine copy: *setup_s) and Optimize(1) (prefetch depths tuned on 1,000 base rows:
   *optimize_s; the chosen depths in *po, *pl, -1 if unknown). *refine_factor: candidates
   re-ranked per hit (glass's default for quant, 1 without refine). NULL on failure. */
typedef struct peer_glass peer_glass;
peer_glass *peer_glass_searcher(peer_glass_graph *g, const float *base, size_t n, size_t dim,
                                int ip, const char *quant, const char *refine, double *setup_s,
                                double *optimize_s, double *refine_factor, int *po, int *pl);
/* k nearest ids, closest first, into keys (at most 1024); returns how many. */
size_t peer_glass_search(peer_glass *p, const float *q, size_t k, size_t ef, uint64_t *keys);
void peer_glass_free(peer_glass *p);
/* glibc's heap in use (mallinfo2: arena + mmapped blocks), for the glass lines' bytes_per_vec. */
size_t peer_heap_in_use(void);

/* A distance kernel with ruvector's signature. */
typedef float (*peer_kernel_fn)(const void *a, const void *b, size_t n);

/* SimSIMD's implementations of `kernel` (ruvector's name, e.g. "dot_f32", "hamming_bin") that
   this CPU runs: up to cap (SimSIMD ISA name, function) pairs; returns how many. */
size_t peer_simsimd_kernels(const char *kernel, const char **isas, peer_kernel_fn *fns, size_t cap);

/* FAISS (bench-only): kind "sq8" (IndexScalarQuantizer QT_8bit), "pq" (IndexPQ, m bytes, 8 bits),
   or "hnsw_sq8" (IndexHNSWSQ, hnsw_M, efc); wrapped in IndexRefineFlat with k_factor rerank when
   rerank > 1. Trained and filled with the n x dim base (the caller normalises for cosine), one
   thread; *train_s, *add_s in seconds; *bytes = heap growth. NULL for an unknown kind. */
typedef struct peer_faiss peer_faiss;
peer_faiss *peer_faiss_build(const char *kind, const float *base, size_t n, size_t dim, int ip,
                             int m, int hnsw_M, int efc, unsigned rerank, double *train_s,
                             double *add_s, size_t *bytes);
size_t peer_faiss_search(peer_faiss *p, const float *q, size_t k, size_t ef, uint64_t *keys);

/* FAISS binary indexes (Hamming): kind "flat" (IndexBinaryFlat) or "hnsw" (IndexBinaryHNSW, M,
   efConstruction efc) over n vectors of bits / 8 bytes (bits a multiple of 8), one thread;
   *add_s in seconds, *bytes = heap growth. NULL for an unknown kind. Search: k nearest labels,
   closest first; ef = efSearch (HNSW). */
typedef struct peer_faiss_bin peer_faiss_bin;
peer_faiss_bin *peer_faiss_bin_build(const char *kind, const uint8_t *base, size_t n, size_t bits,
                                     int M, int efc, double *add_s, size_t *bytes);
size_t peer_faiss_bin_search(peer_faiss_bin *p, const uint8_t *q, size_t k, size_t ef,
                             uint64_t *keys);
void peer_faiss_bin_free(peer_faiss_bin *p);
void peer_faiss_free(peer_faiss *p);

/* USearch (bench-only, header-only): index_dense_t over n x dim int8 vectors (keys = row
   numbers), scalar kind i8, metric "l2" (l2sq), "ip" or "cos", connectivity M, expansion_add efc,
   one thread; *add_s in seconds, *bytes = its memory_usage(), *isa = the name of the kernel USearch
   picked (NumKong's ISA, or its auto-vectorised fallback). NULL on failure or an unknown metric.
   Search: k nearest keys, closest first, expansion_search ef. */
typedef struct peer_usearch peer_usearch;
peer_usearch *peer_usearch_build_i8(const int8_t *base, size_t n, size_t dim, const char *metric,
                                    int M, int efc, double *add_s, size_t *bytes, const char **isa);
size_t peer_usearch_search_i8(peer_usearch *p, const int8_t *q, size_t k, size_t ef,
                              uint64_t *keys);
/* The same over n packed binary vectors of `bits` bits ((bits + 7) / 8 bytes each, bit d = bit
   d % 8 of byte d / 8, as ruvector's RUV_DTYPE_BIN), scalar kind b1x8, Hamming or (jaccard)
   Tanimoto. */
peer_usearch *peer_usearch_build_b1(const uint8_t *base, size_t n, size_t bits, int jaccard, int M,
                                    int efc, double *add_s, size_t *bytes, const char **isa);
size_t peer_usearch_search_b1(peer_usearch *p, const uint8_t *q, size_t k, size_t ef,
                              uint64_t *keys);
void peer_usearch_free(peer_usearch *p);

/* Xapian (ruv_bench sparse): a glass database in a temporary directory holding rows CSR rows
   (wdf = round(weight x 1000)), scored by sum(wqf x wdf / 1000); 0 on failure. The search takes
   a query with integer weights (wqf) and returns up to k (row, score) pairs, best first, ties
   to the lower row; 0 on failure. peer_xapian_free removes the database. */
int peer_xapian_build(const int64_t *ptr, const uint32_t *ids, const float *vals, size_t rows,
                      double *build_s, const char **version);
int peer_xapian_search(const uint32_t *qids, const float *qvals, size_t qn, size_t k,
                       uint64_t *keys, double *scores, size_t *n);
void peer_xapian_free(void);

/* USearch's kernel for `kernel` (ruvector's name: dot_i8, cos_i8, l2sq_i8; its ip distance is
   1 - dot) as USearch calls it: at most one (ISA name, function) pair; returns how many. */
size_t peer_usearch_kernels(const char *kernel, const char **isas, peer_kernel_fn *fns, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
