/* ruv_bench sparse-kernels: does a galloping or SIMD intersection pay for the sparse dot product?
   On real CSR data (e.g. ../shared/data/debian-bm25), times the dot product of three kinds of
   pairs of rows:
     qd   a query with a base row (short x medium: a few terms against tens)
     dd   two base rows (medium x medium)
     ql   a query with one of the 1% longest base rows (short x long: where galloping can pay)
   with each implementation in the same run, interleaved, --runs times:
     library     ruv_sparse_dot (merge; gallops through the longer list when it is over 16 times
                 the other)
     merge       a plain branchy merge (bench-local)
     branchless  a merge advancing both cursors by comparison results, no unpredictable branch
     gallop      always galloping the shorter list through the longer one
     simd4       (x86 SSE2, GCC / Clang) blocks of 4 x 4 ids compared all-against-all
                 with _mm_cmpeq_epi32 and three rotations (Schlegel, Willhalm & Lehner 2011 /
                 Lemire et al. 2016 style), a scalar tail
   and ruv_sparse_dense_dot (a query against a dense vector of the vocabulary's size). Every
   implementation sums the shared products in double in ascending id order, and every result is
   checked equal to the library's (an implementation that differs fails the run).

     ruv_bench sparse-kernels --base B.csr --query Q.csr [--pairs 200000] [--runs 5]

   One JSON line per (pair kind, implementation):
     {"bench":"sparse_kernels","kind":"qd","impl":"merge","pairs":..,"avg_nnz_a":..,
      "avg_nnz_b":..,"ns_per_pair":..,"ns_min":..,"ns_max":..}
   ns_per_pair is the median over the runs, ns_min / ns_max the spread. */
#define _POSIX_C_SOURCE 200809L
#include "../ruvector.h"
#include "texmex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SK_SIMD 1
#else
#define SK_SIMD 0
#endif

typedef double (*sk_fn)(size_t na, const uint32_t *ia, const float *va, size_t nb,
                        const uint32_t *ib, const float *vb);

static double sk_library(size_t na, const uint32_t *ia, const float *va, size_t nb,
                         const uint32_t *ib, const float *vb) {
    return (double)ruv_sparse_dot(na, ia, va, nb, ib, vb);
}

/* The merge from ia[i], ib[j] on, added to s. */
static double sk_merge_from(size_t i, size_t j, double s, size_t na, const uint32_t *ia,
                            const float *va, size_t nb, const uint32_t *ib, const float *vb) {
    while (i < na && j < nb) {
        if (ia[i] < ib[j])
            i++;
        else if (ia[i] > ib[j])
            j++;
        else
            s += (double)va[i++] * (double)vb[j++];
    }
    return (double)(float)s;
}

static double sk_merge(size_t na, const uint32_t *ia, const float *va, size_t nb,
                       const uint32_t *ib, const float *vb) {
    return sk_merge_from(0, 0, 0.0, na, ia, va, nb, ib, vb);
}

static double sk_branchless(size_t na, const uint32_t *ia, const float *va, size_t nb,
                            const uint32_t *ib, const float *vb) {
    size_t i = 0, j = 0;
    double s = 0.0;
    while (i < na && j < nb) {
        uint32_t a = ia[i], b = ib[j];
        double p = (double)va[i] * (double)vb[j];
        s += a == b ? p : 0.0;
        i += a <= b;
        j += b <= a;
    }
    return (double)(float)s;
}

static size_t sk_gallop_to(const uint32_t *ids, size_t lo, size_t n, uint32_t x) {
    size_t step = 1, hi;
    if (lo >= n || ids[lo] >= x)
        return lo;
    while (lo + step < n && ids[lo + step] < x)
        lo += step, step *= 2;
    hi = lo + step < n ? lo + step : n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < x)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

static double sk_gallop(size_t na, const uint32_t *ia, const float *va, size_t nb,
                        const uint32_t *ib, const float *vb) {
    size_t i, j = 0;
    double s = 0.0;
    int a_short = na <= nb;
    const uint32_t *is = a_short ? ia : ib, *il = a_short ? ib : ia;
    const float *vs = a_short ? va : vb, *vl = a_short ? vb : va;
    size_t ns = a_short ? na : nb, nl = a_short ? nb : na;
    for (i = 0; i < ns && j < nl; i++) {
        j = sk_gallop_to(il, j, nl, is[i]);
        if (j < nl && il[j] == is[i]) {
            s += (double)vs[i] * (double)vl[j]; /* the product is the same either way round */
            j++;
        }
    }
    return (double)(float)s;
}

#if SK_SIMD
/* 4 x 4 blocks: the matches of ia[i..i+3] among ib[j..j+3] (all-against-all by rotating b),
   their products summed in id order; the block whose last id is smaller advances. */
static double sk_simd4(size_t na, const uint32_t *ia, const float *va, size_t nb,
                       const uint32_t *ib, const float *vb) {
    size_t i = 0, j = 0;
    double s = 0.0;
    while (i + 4 <= na && j + 4 <= nb) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(ia + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(ib + j));
        __m128i m = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi32(a, b),
                         _mm_cmpeq_epi32(a, _mm_shuffle_epi32(b, _MM_SHUFFLE(0, 3, 2, 1)))),
            _mm_or_si128(_mm_cmpeq_epi32(a, _mm_shuffle_epi32(b, _MM_SHUFFLE(1, 0, 3, 2))),
                         _mm_cmpeq_epi32(a, _mm_shuffle_epi32(b, _MM_SHUFFLE(2, 1, 0, 3)))));
        int mask = _mm_movemask_ps(_mm_castsi128_ps(m));
        uint32_t amax = ia[i + 3], bmax = ib[j + 3];
        while (mask) { /* a's matching lanes in ascending order: ids ascend too */
            int l = __builtin_ctz((unsigned)mask);
            size_t k = j;
            while (ib[k] != ia[i + (size_t)l])
                k++;
            s += (double)va[i + (size_t)l] * (double)vb[k];
            mask &= mask - 1;
        }
        i += amax <= bmax ? 4 : 0;
        j += bmax <= amax ? 4 : 0;
    }
    return sk_merge_from(i, j, s, na, ia, va, nb, ib, vb); /* scalar tail */
}
#endif

static int sk_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct sk_pair {
    const uint32_t *ia, *ib;
    const float *va, *vb;
    size_t na, nb;
} sk_pair;

int ruv_bench_sparse_kernels(int argc, char **argv);
int ruv_bench_sparse_kernels(int argc, char **argv) {
    static const char *kinds[3] = {"qd", "dd", "ql"};
    static const char *names[5] = {"library", "merge", "branchless", "gallop", "simd4"};
    static const sk_fn fns[5] = {
        sk_library,
        sk_merge,
        sk_branchless,
        sk_gallop,
#if SK_SIMD
        sk_simd4
#else
        NULL
#endif
    };
    const char *basep = NULL, *queryp = NULL;
    size_t npairs = 200000, runs = 5, nimpl = SK_SIMD ? 5 : 4, kind, r, f, p, nlong = 0;
    tx_csr b, q;
    sk_pair *pairs;
    int64_t *longrows;
    uint64_t rng = 12345;
    volatile double sink = 0.0;
    int a, bad = 0;
    for (a = 1; a + 1 < argc; a += 2) {
        if (!strcmp(argv[a], "--base"))
            basep = argv[a + 1];
        else if (!strcmp(argv[a], "--query"))
            queryp = argv[a + 1];
        else if (!strcmp(argv[a], "--pairs"))
            npairs = (size_t)strtoull(argv[a + 1], NULL, 10);
        else if (!strcmp(argv[a], "--runs"))
            runs = (size_t)strtoull(argv[a + 1], NULL, 10);
        else {
            fprintf(stderr, "unknown option %s\n", argv[a]);
            return 2;
        }
    }
    if (!basep || !queryp || !npairs || !runs || runs > 64) {
        fprintf(stderr, "usage: ruv_bench sparse-kernels --base B.csr --query Q.csr "
                        "[--pairs 200000] [--runs 5 (1..64)]\n");
        return 2;
    }
    if (!tx_read_csr(basep, &b) || !tx_read_csr(queryp, &q)) {
        fprintf(stderr, "cannot read %s / %s\n", basep, queryp);
        return 1;
    }
    pairs = (sk_pair *)malloc(npairs * sizeof *pairs);
    longrows = (int64_t *)malloc((size_t)b.rows * sizeof *longrows);
    if (!pairs || !longrows || b.rows < 2 || q.rows < 1)
        return 1;
    { /* the 1% longest base rows: those with at least the 99th percentile of nnz */
        int64_t i, *len = (int64_t *)malloc((size_t)b.rows * sizeof *len), cut;
        double *d = (double *)malloc((size_t)b.rows * sizeof *d);
        if (!len || !d)
            return 1;
        for (i = 0; i < b.rows; i++)
            d[i] = (double)(b.ptr[i + 1] - b.ptr[i]);
        qsort(d, (size_t)b.rows, sizeof *d, sk_cmp_double);
        cut = (int64_t)d[(size_t)((double)b.rows * 0.99)];
        for (i = 0; i < b.rows; i++)
            if (b.ptr[i + 1] - b.ptr[i] >= cut)
                longrows[nlong++] = i;
        free(len);
        free(d);
    }
    for (kind = 0; kind < 3; kind++) {
        double ns[5][64], sa = 0.0, sb = 0.0;
        for (p = 0; p < npairs; p++) { /* random pairs of the kind */
            int64_t x, y;
            const tx_csr *ca = kind == 1 ? &b : &q;
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            x = (int64_t)((rng >> 33) % (uint64_t)ca->rows);
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            y = kind == 2 ? longrows[(rng >> 33) % nlong]
                          : (int64_t)((rng >> 33) % (uint64_t)b.rows);
            pairs[p].na = (size_t)(ca->ptr[x + 1] - ca->ptr[x]);
            pairs[p].ia = ca->ids + ca->ptr[x];
            pairs[p].va = ca->vals + ca->ptr[x];
            pairs[p].nb = (size_t)(b.ptr[y + 1] - b.ptr[y]);
            pairs[p].ib = b.ids + b.ptr[y];
            pairs[p].vb = b.vals + b.ptr[y];
            sa += (double)pairs[p].na;
            sb += (double)pairs[p].nb;
        }
        for (p = 0; p < npairs; p++) /* every implementation gives the library's result */
            for (f = 1; f < nimpl; f++) {
                const sk_pair *e = &pairs[p];
                double want = sk_library(e->na, e->ia, e->va, e->nb, e->ib, e->vb),
                       got = fns[f](e->na, e->ia, e->va, e->nb, e->ib, e->vb);
                if (want != got && !bad++)
                    fprintf(stderr, "%s differs on pair %zu: %.9g vs %.9g\n", names[f], p, got,
                            want);
            }
        for (r = 0; r < runs; r++)
            for (f = 0; f < nimpl; f++) {
                size_t g = (f + r) % nimpl; /* rotate the order from run to run */
                double t0 = tx_now(), s = 0.0;
                for (p = 0; p < npairs; p++)
                    s += fns[g](pairs[p].na, pairs[p].ia, pairs[p].va, pairs[p].nb, pairs[p].ib,
                                pairs[p].vb);
                ns[g][r] = (tx_now() - t0) * 1e9 / (double)npairs;
                sink += s;
            }
        for (f = 0; f < nimpl; f++) {
            qsort(ns[f], runs, sizeof(double), sk_cmp_double);
            printf("{\"bench\":\"sparse_kernels\",\"kind\":\"%s\",\"impl\":\"%s\",\"pairs\":%zu,"
                   "\"avg_nnz_a\":%.1f,\"avg_nnz_b\":%.1f,\"ns_per_pair\":%.2f,\"ns_min\":%.2f,"
                   "\"ns_max\":%.2f}\n",
                   kinds[kind], names[f], npairs, sa / (double)npairs, sb / (double)npairs,
                   ns[f][runs / 2], ns[f][0], ns[f][runs - 1]);
        }
    }
    { /* sparse x dense: each query against a dense vector over the vocabulary */
        size_t dim = (size_t)b.cols, rr;
        float *dense = (float *)malloc(dim * sizeof *dense);
        double ns[64], nz = 0.0;
        int64_t i;
        if (!dense)
            return 1;
        for (rr = 0; rr < dim; rr++)
            dense[rr] = (float)(rr % 97) / 97.0f;
        for (i = 0; i < q.rows; i++)
            nz += (double)(q.ptr[i + 1] - q.ptr[i]);
        for (r = 0; r < runs; r++) {
            double t0 = tx_now(), s = 0.0;
            for (rr = 0; rr < 20; rr++)
                for (i = 0; i < q.rows; i++)
                    s += (double)ruv_sparse_dense_dot((size_t)(q.ptr[i + 1] - q.ptr[i]),
                                                      q.ids + q.ptr[i], q.vals + q.ptr[i], dense,
                                                      dim);
            ns[r] = (tx_now() - t0) * 1e9 / (20.0 * (double)q.rows);
            sink += s;
        }
        qsort(ns, runs, sizeof(double), sk_cmp_double);
        printf("{\"bench\":\"sparse_kernels\",\"kind\":\"q_dense\",\"impl\":\"library\","
               "\"pairs\":%lld,\"avg_nnz_a\":%.1f,\"avg_nnz_b\":%zu,\"ns_per_pair\":%.2f,"
               "\"ns_min\":%.2f,\"ns_max\":%.2f}\n",
               (long long)q.rows, nz / (double)q.rows, dim, ns[runs / 2], ns[0], ns[runs - 1]);
        free(dense);
    }
    free(pairs);
    free(longrows);
    tx_free_csr(&b);
    tx_free_csr(&q);
    (void)sink;
    return bad ? 1 : 0;
}
