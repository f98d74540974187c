/* ruv_bench sparse: the sparse index on CSR data (big-ann-benchmarks NeurIPS'23 sparse format,
   e.g. ../shared/data/debian-bm25, fiori-bm25), exact top-k by each search mode in the same run,
   and Xapian on the same weights when built with it (RUV_BENCH_PEERS, libxapian-dev).

     ruv_bench sparse --base B.csr --query Q.csr --gt-scores S.fvecs [--dataset NAME] [--k 10]
                      [--passes 5] [--max-q N]

   Builds a RUV_METRIC_IP sparse index (keys = row numbers), then times --passes passes over the
   queries for each mode (pruned, exhaustive, brute, xapian), the modes alternating within each
   pass, the first of them rotating from pass to pass, each timed after an untimed warm-up of up
   to 100 queries (so that no mode runs on caches another one filled), so that all see the same
   machine. Exactness: a query's top-k is exact when its scores (1 -
   distance) equal the ground-truth scores rank by rank within float rounding (2e-6 relative;
   ties make ids ambiguous, scores are not); for Xapian within its weights' quantization (1/2000
   per unit of query weight). One JSON line per mode:
     {"bench":"sparse","lib":"ruvector","dataset":..,"mode":"pruned","n":..,"nnz":..,"nq":..,
      "k":10,"build_s":..,"bytes_per_nnz":..,"qps":..,"p50_us":..,"p99_us":..,
      "scored_per_q":..,"exact_queries":..}
   qps = nq / median pass time; p50/p99 over every query of every pass; scored_per_q = entries
   whose score was completed per query (the work pruning saves; 0 for Xapian). */
#define _POSIX_C_SOURCE 200809L
#include "../ruvector.h"
#include "peer.h"
#include "texmex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sp_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int ruv_bench_sparse(int argc, char **argv);
int ruv_bench_sparse(int argc, char **argv) {
    static const char *names[4] = {"pruned", "exhaustive", "brute", "xapian"};
    const char *basep = NULL, *queryp = NULL, *gtp = NULL, *dataset = "unnamed";
    unsigned k = 10, passes = 5;
    size_t max_q = 0, nq, gn = 0, gd = 0, i, q, p, mode;
    tx_csr b, qs;
    float *gs;
    ruv_sparse_options opt = ruv_sparse_options_init();
    ruv_sparse_index *idx = NULL;
    ruv_hit *hits;
    double t0, build_s, xbuild_s = 0.0, *lat[4], tp[4][16], *xs;
    uint64_t scored[4] = {0, 0, 0, 0}, *xk;
    size_t exact[4] = {0, 0, 0, 0}, nmodes = 3, mi;
    const char *xver = "";
    int a;
    for (a = 1; a + 1 < argc; a += 2) {
        const char *key = argv[a], *v = argv[a + 1];
        if (!strcmp(key, "--base"))
            basep = v;
        else if (!strcmp(key, "--query"))
            queryp = v;
        else if (!strcmp(key, "--gt-scores"))
            gtp = v;
        else if (!strcmp(key, "--dataset"))
            dataset = v;
        else if (!strcmp(key, "--k"))
            k = (unsigned)atoi(v);
        else if (!strcmp(key, "--passes"))
            passes = (unsigned)atoi(v);
        else if (!strcmp(key, "--max-q"))
            max_q = (size_t)atoll(v);
        else
            a = argc;
    }
    if (!basep || !queryp || !gtp || a != argc || !k || k > 100 || passes < 3 || passes > 15) {
        fprintf(stderr, "usage: ruv_bench sparse --base B.csr --query Q.csr --gt-scores S.fvecs "
                        "[--dataset NAME] [--k 10] [--passes 5] [--max-q N]\n");
        return 2;
    }
    gs = tx_read_fvecs(gtp, 0, &gn, &gd);
    if (!tx_read_csr(basep, &b) || !tx_read_csr(queryp, &qs) || !gs || gn != (size_t)qs.rows ||
        gd < k) {
        fprintf(stderr, "sparse: data files missing or inconsistent\n");
        return 1;
    }
    nq = max_q && max_q < (size_t)qs.rows ? max_q : (size_t)qs.rows;
    hits = (ruv_hit *)malloc(k * sizeof *hits);
    xk = (uint64_t *)malloc(k * sizeof *xk);
    xs = (double *)malloc(k * sizeof *xs);
    for (mode = 0; mode < 4; mode++)
        lat[mode] = (double *)malloc(nq * passes * sizeof(double));
    if (!hits || !xk || !xs || !lat[0] || !lat[1] || !lat[2] || !lat[3] ||
        ruv_sparse_create(&opt, &idx) != RUV_OK)
        return 1;
#ifdef RUV_BENCH_XAPIAN
    if (!peer_xapian_build(b.ptr, b.ids, b.vals, (size_t)b.rows, &xbuild_s, &xver)) {
        fprintf(stderr, "sparse: the Xapian peer failed to build\n");
        return 1;
    }
    nmodes = 4;
#endif
    t0 = tx_now();
    for (i = 0; i < (size_t)b.rows; i++)
        if (ruv_sparse_add(idx, i, (size_t)(b.ptr[i + 1] - b.ptr[i]), b.ids + b.ptr[i],
                           b.vals + b.ptr[i]) != RUV_OK) {
            fprintf(stderr, "sparse: row %zu refused\n", i);
            return 1;
        }
    build_s = tx_now() - t0;
    for (p = 0; p < passes; p++)
        for (mi = 0; mi < nmodes; mi++) { /* the first mode of a pass rotates (a cold cache) */
            size_t mode = (p + mi) % nmodes;
            ruv_sparse_search_options o;
            double ts;
            memset(&o, 0, sizeof o);
            o.mode = (ruv_sparse_mode)mode;
            for (q = 0; q < nq && q < 100; q++) { /* warm-up, untimed: the caches are this mode's */
                size_t n = 0, qn = (size_t)(qs.ptr[q + 1] - qs.ptr[q]);
                if (mode == 3) {
#ifdef RUV_BENCH_XAPIAN
                    (void)peer_xapian_search(qs.ids + qs.ptr[q], qs.vals + qs.ptr[q], qn, k, xk, xs,
                                             &n);
#endif
                } else
                    (void)ruv_sparse_search(idx, qn, qs.ids + qs.ptr[q], qs.vals + qs.ptr[q], k, &o,
                                            hits, &n);
            }
            ts = tx_now();
            for (q = 0; q < nq; q++) {
                uint64_t sc = 0;
                size_t n = 0, r, ok = 1, qn = (size_t)(qs.ptr[q + 1] - qs.ptr[q]);
                double t1 = tx_now(), slack = 2e-6, wsum = 0.0;
                o.scored = &sc;
                if (mode == 3) { /* Xapian: weights quantized to 1/1000 */
#ifdef RUV_BENCH_XAPIAN
                    if (!peer_xapian_search(qs.ids + qs.ptr[q], qs.vals + qs.ptr[q], qn, k, xk, xs,
                                            &n))
#endif
                        return 1;
                } else if (ruv_sparse_search(idx, qn, qs.ids + qs.ptr[q], qs.vals + qs.ptr[q], k,
                                             &o, hits, &n) != RUV_OK)
                    return 1;
                lat[mode][p * nq + q] = tx_now() - t1;
                if (p)
                    continue;
                scored[mode] += sc;
                for (r = 0; r < qn; r++)
                    wsum += qs.vals[qs.ptr[q] + r];
                for (r = 0; r < k; r++) { /* exact: scores equal rank by rank */
                    double want = gs[q * gd + r], got = r >= n      ? 0.0
                                                        : mode == 3 ? xs[r]
                                                                    : 1.0 - hits[r].distance;
                    if (fabs(got - want) >
                        (mode == 3 ? 0.0005 * wsum + 1e-6 : slack * (1.0 + fabs(want))))
                        ok = 0;
                }
                exact[mode] += ok;
            }
            tp[mode][p] = tx_now() - ts;
        }
    for (mode = 0; mode < nmodes; mode++) {
        qsort(tp[mode], passes, sizeof(double), tx_cmp_double);
        qsort(lat[mode], nq * passes, sizeof(double), sp_cmp_double);
        printf("{\"bench\":\"sparse\",\"lib\":\"%s%s\",\"dataset\":\"%s\",\"mode\":\"%s\","
               "\"n\":%lld,\"nnz\":%lld,"
               "\"nq\":%zu,\"k\":%u,\"build_s\":%.3f,\"bytes_per_nnz\":%.1f,\"qps\":%.1f,"
               "\"p50_us\":%.1f,\"p99_us\":%.1f,\"scored_per_q\":%.1f,\"exact_queries\":%zu}\n",
               mode == 3 ? "xapian " : "ruvector", mode == 3 ? xver : "", dataset, names[mode],
               (long long)b.rows, (long long)b.nnz, nq, k, mode == 3 ? xbuild_s : build_s,
               mode == 3 ? 0.0 : (double)ruv_sparse_memory_usage(idx) / (double)b.nnz,
               (double)nq / tp[mode][passes / 2], lat[mode][nq * passes / 2] * 1e6,
               lat[mode][(size_t)((double)(nq * passes) * 0.99)] * 1e6,
               (double)scored[mode] / (double)nq, exact[mode]);
    }
    ruv_sparse_free(idx);
#ifdef RUV_BENCH_XAPIAN
    peer_xapian_free();
#endif
    for (mode = 0; mode < 4; mode++)
        free(lat[mode]);
    free(hits), free(xk), free(xs);
    free(gs);
    tx_free_csr(&b), tx_free_csr(&qs);
    return 0;
}
