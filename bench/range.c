/* ruv_bench range: range search (ruv_index_search_range) on flat and HNSW indexes.

     ruv_bench range --base B.fvecs --query Q.fvecs [--metric l2|cos|ip] [--dataset NAME]
                     [--inside 10,100,1000] [--ef-search 16,64,256] [--M 16]
                     [--ef-construction 200] [--max-n N] [--max-q N] [--passes 3]

   For each --inside value t, each query's radius is the distance of its t-th nearest base
   vector (from the exact flat top-t), so that about t entries lie within it. The exact in-radius
   sets come from the flat index's range search (exact: tests/test_range.c checks it against a
   double-precision brute force). Prints one JSON line per (index, inside, ef):
     {"bench":"range","lib":"ruvector","index":"hnsw","dataset":..,"metric":..,"n":..,"dim":..,
      "nq":..,"inside":10,"params":{"M":16,"ef_construction":200,"ef_search":64},
      "qps":..,"recall":..,"mean_found":..,"mean_inside":..}
   qps: queries one at a time on one thread, nq / median pass time over --passes passes.
   recall: sum over queries of |found ∩ exact| / sum of |exact| (the in-radius set). */
#define _POSIX_C_SOURCE 200809L
#include "../ruvector.h"
#include "texmex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rg_cmp_key(const void *a, const void *b) {
    uint64_t x = ((const ruv_hit *)a)->key, y = ((const ruv_hit *)b)->key;
    return x < y ? -1 : x > y;
}

/* Runs every query `passes` times at its radius; hits of the last pass per query in
   found[q * n ..] (sorted by key), counts in cnt. Returns the median pass time in seconds. */
static double rg_run(const ruv_index *idx, ruv_search_ctx *ctx, const float *qs, size_t nq,
                     size_t dim, const float *radius, unsigned ef, unsigned passes, ruv_hit *found,
                     size_t n, size_t *cnt) {
    ruv_search_options opt;
    double t[16];
    unsigned p;
    size_t q;
    memset(&opt, 0, sizeof opt);
    opt.ctx = ctx;
    opt.ef_search = ef;
    for (p = 0; p < passes && p < 16; p++) {
        double t0 = tx_now();
        for (q = 0; q < nq; q++)
            if (ruv_index_search_range(idx, qs + q * dim, radius[q], &opt, found + q * n, n,
                                       &cnt[q]) != RUV_OK) {
                fprintf(stderr, "range: search failed\n");
                exit(1);
            }
        t[p] = tx_now() - t0;
    }
    qsort(t, p, sizeof *t, tx_cmp_double);
    for (q = 0; q < nq; q++)
        qsort(found + q * n, cnt[q] < n ? cnt[q] : n, sizeof *found, rg_cmp_key);
    return t[p / 2];
}

int ruv_bench_range(int argc, char **argv);
int ruv_bench_range(int argc, char **argv) {
    const char *basep = NULL, *queryp = NULL, *dataset = "unnamed", *mname = "l2";
    unsigned inside[16], efs[32], M = 16, efc = 200, passes = 3;
    size_t n_inside, n_ef, max_n = 0, max_q = 0, nb, dim, nq, qd, t, e, q, cap = 0;
    ruv_metric metric = RUV_METRIC_L2SQ;
    float *base, *qs, *radius;
    ruv_index *flat = NULL, *hnsw = NULL;
    ruv_search_ctx *ctx = NULL;
    ruv_index_options cfg;
    ruv_hit *truth, *found, *top;
    size_t *tcnt, *fcnt;
    uint64_t *keys;
    int a;
    n_inside = tx_list("10,100,1000", inside, 16);
    n_ef = tx_list("16,64,256", efs, 32);
    for (a = 1; a + 1 < argc; a += 2) {
        const char *k = argv[a], *v = argv[a + 1];
        if (!strcmp(k, "--base"))
            basep = v;
        else if (!strcmp(k, "--query"))
            queryp = v;
        else if (!strcmp(k, "--dataset"))
            dataset = v;
        else if (!strcmp(k, "--metric"))
            mname = v;
        else if (!strcmp(k, "--inside"))
            n_inside = tx_list(v, inside, 16);
        else if (!strcmp(k, "--ef-search"))
            n_ef = tx_list(v, efs, 32);
        else if (!strcmp(k, "--M"))
            M = (unsigned)atoi(v);
        else if (!strcmp(k, "--ef-construction"))
            efc = (unsigned)atoi(v);
        else if (!strcmp(k, "--max-n"))
            max_n = (size_t)atoll(v);
        else if (!strcmp(k, "--max-q"))
            max_q = (size_t)atoll(v);
        else if (!strcmp(k, "--passes"))
            passes = (unsigned)atoi(v);
        else
            a = argc;
    }
    if (!strcmp(mname, "cos"))
        metric = RUV_METRIC_COSINE;
    else if (!strcmp(mname, "ip"))
        metric = RUV_METRIC_IP;
    else if (strcmp(mname, "l2"))
        a = argc + 1;
    if (!basep || !queryp || a != argc || passes < 3 || passes > 16 || !n_inside || !n_ef) {
        fprintf(stderr, "usage: ruv_bench range --base B.fvecs --query Q.fvecs [--metric "
                        "l2|cos|ip] [--dataset NAME] [--inside 10,100,1000] [--ef-search "
                        "16,64,256] [--M 16] [--ef-construction 200] [--max-n N] [--max-q N] "
                        "[--passes 3..16]\n");
        return 2;
    }
    base = tx_read_fvecs(basep, max_n, &nb, &dim);
    qs = tx_read_fvecs(queryp, max_q, &nq, &qd);
    if (!base || !qs || qd != dim) {
        fprintf(stderr, "range: data files missing or inconsistent\n");
        return 1;
    }
    for (t = 0; t < n_inside; t++) /* room for every in-radius set (ties aside: about t) */
        cap = 2 * (size_t)inside[t] + 64 > cap ? 2 * (size_t)inside[t] + 64 : cap;
    cap = cap < nb ? cap : nb;
    keys = (uint64_t *)malloc(nb * sizeof *keys);
    radius = (float *)malloc(nq * sizeof *radius);
    truth = (ruv_hit *)malloc(nq * cap * sizeof *truth);
    found = (ruv_hit *)malloc(nq * cap * sizeof *found);
    top = (ruv_hit *)malloc(nb * sizeof *top);
    tcnt = (size_t *)malloc(nq * sizeof *tcnt);
    fcnt = (size_t *)malloc(nq * sizeof *fcnt);
    if (!keys || !radius || !truth || !found || !top || !tcnt || !fcnt) {
        fprintf(stderr, "range: out of memory (nq x n hits: use --max-q / --max-n)\n");
        return 1;
    }
    for (t = 0; t < nb; t++)
        keys[t] = t;
    cfg = ruv_index_options_init((uint32_t)dim);
    cfg.metric = metric;
    cfg.M = M;
    cfg.ef_construction = efc;
    if (ruv_index_create(&cfg, &flat) != RUV_OK ||
        ruv_index_add_batch(flat, nb, keys, base, NULL) != RUV_OK) {
        fprintf(stderr, "range: flat index failed\n");
        return 1;
    }
    cfg.kind = RUV_INDEX_HNSW;
    if (ruv_index_create(&cfg, &hnsw) != RUV_OK ||
        ruv_index_add_batch(hnsw, nb, keys, base, NULL) != RUV_OK ||
        ruv_search_ctx_create(hnsw, &ctx) != RUV_OK) {
        fprintf(stderr, "range: HNSW index failed\n");
        return 1;
    }
    for (t = 0; t < n_inside; t++) {
        size_t want = inside[t] < nb ? inside[t] : nb, sum_t = 0;
        double tf;
        for (q = 0; q < nq; q++) { /* radius: the distance of the want-th nearest */
            size_t c = 0;
            if (ruv_index_search(flat, qs + q * dim, want, NULL, top, &c) != RUV_OK || !c) {
                fprintf(stderr, "range: flat search failed\n");
                return 1;
            }
            radius[q] = top[c - 1].distance;
        }
        tf = rg_run(flat, NULL, qs, nq, dim, radius, 0, passes, truth, cap, tcnt);
        for (q = 0; q < nq; q++) {
            sum_t += tcnt[q];
            if (tcnt[q] > cap) {
                fprintf(stderr,
                        "range: %zu entries within the radius of query %zu (ties?): more "
                        "than the %zu kept\n",
                        tcnt[q], q, cap);
                return 1;
            }
        }
        printf("{\"bench\":\"range\",\"lib\":\"ruvector\",\"index\":\"flat\",\"dataset\":\"%s\","
               "\"metric\":\"%s\",\"n\":%zu,\"dim\":%zu,\"nq\":%zu,\"inside\":%zu,\"qps\":%.1f,"
               "\"recall\":1,\"mean_found\":%.2f,\"mean_inside\":%.2f}\n",
               dataset, mname, nb, dim, nq, want, (double)nq / tf, (double)sum_t / (double)nq,
               (double)sum_t / (double)nq);
        for (e = 0; e < n_ef; e++) {
            size_t hit = 0, sum_f = 0;
            double th = rg_run(hnsw, ctx, qs, nq, dim, radius, efs[e], passes, found, cap, fcnt);
            for (q = 0; q < nq; q++) { /* both lists sorted by key */
                const ruv_hit *x = truth + q * cap, *y = found + q * cap;
                size_t i = 0, j = 0, nf = fcnt[q] < cap ? fcnt[q] : cap;
                sum_f += fcnt[q];
                while (i < tcnt[q] && j < nf) {
                    if (x[i].key == y[j].key)
                        hit++, i++, j++;
                    else if (x[i].key < y[j].key)
                        i++;
                    else
                        j++;
                }
            }
            printf("{\"bench\":\"range\",\"lib\":\"ruvector\",\"index\":\"hnsw\",\"dataset\":"
                   "\"%s\",\"metric\":\"%s\",\"n\":%zu,\"dim\":%zu,\"nq\":%zu,\"inside\":%zu,"
                   "\"params\":{\"M\":%u,\"ef_construction\":%u,\"ef_search\":%u},\"qps\":%.1f,"
                   "\"recall\":%.4f,\"mean_found\":%.2f,\"mean_inside\":%.2f}\n",
                   dataset, mname, nb, dim, nq, want, M, efc, efs[e], (double)nq / th,
                   sum_t ? (double)hit / (double)sum_t : 1.0, (double)sum_f / (double)nq,
                   (double)sum_t / (double)nq);
            fflush(stdout);
        }
    }
    ruv_search_ctx_free(ctx);
    ruv_index_free(flat);
    ruv_index_free(hnsw);
    free(base);
    free(qs);
    free(keys);
    free(radius);
    free(truth);
    free(found);
    free(top);
    free(tcnt);
    free(fcnt);
    return 0;
}
