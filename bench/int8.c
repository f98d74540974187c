/* ruv_bench int8: int8 vectors (RUV_DTYPE_I8) from real float data, flat and HNSW, with USearch's
   i8 HNSW (index_dense_t, scalar kind i8) in the same run where it is built in.

     ruv_bench int8 --base B.fvecs --query Q.fvecs [--gt G.ivecs] [--metric cos|l2|ip]
                    [--dataset NAME] [--M 16] [--ef-construction 200]
                    [--ef-search 10,16,24,32,48,64,96,128,192,256] [--k 10] [--passes 3]
                    [--max-n N] [--max-q N] [--repeat R] [--lib ruvector|usearch|all]

   Quantisation, as sentence-transformers' quantize_embeddings(emb, precision="int8",
   calibration_embeddings=base) does it: per dimension d, start[d] = min over the base of x[d],
   step[d] = (max[d] - start[d]) / 255, code = (int8)((x - start) / step - 128), all in float32,
   the cast truncating toward zero (numpy's astype). Base vectors land in -128..127 by
   construction; a query value outside the base's range is clamped to -128..127 (numpy's cast of an
   out-of-range float is undefined; it wraps on x86), and a dimension with max == min gives -128
   (numpy: 0 / 0). Base and queries use the same ranges (calibration = the base set).

   Ground truth, in the int8 space and independent of the library: a brute-force scan per query,
   l2 = sum of squared differences and ip = -dot in 64-bit integers, cos = 1 - dot / sqrt(|a|^2
   |b|^2) in double from the exact integer sums (1 when either vector is all zeros). Integer
   distances tie often, so recall@k counts a returned entry as a hit when its distance (recomputed
   here) is at most the exact k-th distance (for cos with a 1e-12 relative slack). recall10_f32gt
   (with --gt, not with --max-n) is the plain recall@k against the float data's ground truth file:
   how much the int8 codes themselves lose, for information.

   Prints one JSON line per (library, index, ef):
     {"bench":"int8","lib":"ruvector","index":"hnsw","dataset":..,"metric":"cos","n":..,"dim":..,
      "nq":..,"params":{"M":16,"ef_construction":200,"ef_search":64},"build_s":..,"qps":..,
      "recall10":..,"recall10_f32gt":..,"bytes_per_vec":..,"isa":..}
   qps: one query at a time, one thread, nq * R / median pass time, a pass being R rounds over the
   queries (--repeat, default 1: for small sets such as fiori, so that a pass lasts long enough
   to time); at each ef the libraries' passes
   alternate (ruvector, USearch, ruvector, ...) so both see the same machine. USearch gets the same
   int8 codes, metric l2sq / ip / cos, connectivity M (base layer 2M, as ruvector and hnswlib),
   expansion_add = ef_construction, expansion_search = ef; bytes_per_vec: its memory_usage(). */
#define _POSIX_C_SOURCE 200809L
#include "../ruvector.h"
#include "texmex.h"
#ifdef RUV_BENCH_USEARCH
#include "peer.h"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { I8_L2, I8_IP, I8_COS };

/* Per-dimension ranges of the n x dim base: start (min) and step ((max - min) / 255). */
static void i8_ranges(const float *v, size_t n, size_t dim, float *start, float *step) {
    size_t i, j;
    for (j = 0; j < dim; j++) {
        float lo = v[j], hi = v[j];
        for (i = 1; i < n; i++) {
            float x = v[i * dim + j];
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
        start[j] = lo;
        step[j] = (hi - lo) / 255.0f;
    }
}

static int8_t *i8_quantize(const float *v, size_t n, size_t dim, const float *start,
                           const float *step) {
    int8_t *out = (int8_t *)malloc(n * dim);
    size_t i, j;
    for (i = 0; out && i < n; i++)
        for (j = 0; j < dim; j++) {
            float b = step[j] > 0.0f ? (v[i * dim + j] - start[j]) / step[j] - 128.0f : -128.0f;
            b = b < -128.0f ? -128.0f : b > 127.0f ? 127.0f : b;
            out[i * dim + j] = (int8_t)b; /* truncates toward zero */
        }
    return out;
}

static int64_t i8_norm2(const int8_t *a, size_t dim) {
    int64_t s = 0;
    size_t i;
    for (i = 0; i < dim; i++)
        s += (int32_t)a[i] * a[i];
    return s;
}

/* The exact distance of two int8 vectors (norms given for cosine). */
static double i8_dist(int metric, const int8_t *a, const int8_t *b, size_t dim, int64_t na,
                      int64_t nb) {
    int64_t s = 0;
    size_t i;
    if (metric == I8_L2) {
        for (i = 0; i < dim; i++) {
            int32_t d = (int32_t)a[i] - b[i];
            s += d * d;
        }
        return (double)s;
    }
    for (i = 0; i < dim; i++)
        s += (int32_t)a[i] * b[i];
    if (metric == I8_IP)
        return -(double)s;
    if (!na || !nb)
        return 1.0;
    return 1.0 - (double)s / sqrt((double)na * (double)nb);
}

typedef size_t (*i8_search_fn)(void *st, const int8_t *q, size_t k, size_t ef, uint64_t *keys);

typedef struct i8_ruv {
    ruv_index *idx;
    ruv_search_ctx *ctx;
    ruv_hit hits[1024];
} i8_ruv;

static size_t i8_ruv_search(void *st, const int8_t *q, size_t k, size_t ef, uint64_t *keys) {
    i8_ruv *s = (i8_ruv *)st;
    ruv_search_options o;
    size_t n = 0, i;
    memset(&o, 0, sizeof o);
    o.ctx = s->ctx;
    o.ef_search = (uint32_t)ef;
    if (ruv_index_search(s->idx, q, k, &o, s->hits, &n) != RUV_OK)
        return 0;
    for (i = 0; i < n; i++)
        keys[i] = s->hits[i].key;
    return n;
}

#ifdef RUV_BENCH_USEARCH
static size_t i8_usearch_search(void *st, const int8_t *q, size_t k, size_t ef, uint64_t *keys) {
    return peer_usearch_search_i8((peer_usearch *)st, q, k, ef, keys);
}
#endif

/* One pass over the queries: seconds; keys in found (nq x k), counts in cnt. */
static double i8_pass(i8_search_fn fn, void *st, const int8_t *qs, size_t nq, size_t dim, size_t k,
                      size_t ef, uint64_t *found, size_t *cnt, unsigned repeat) {
    double t0 = tx_now();
    size_t q;
    unsigned r;
    for (r = 0; r < repeat; r++)
        for (q = 0; q < nq; q++)
            cnt[q] = fn(st, qs + q * dim, k, ef, found + q * k);
    return tx_now() - t0;
}

static double i8_recall(int metric, const int8_t *base, const int64_t *bn, const int8_t *qs,
                        const int64_t *qn, size_t nq, size_t n, size_t dim, size_t k,
                        const double *kth, const uint64_t *found, const size_t *cnt) {
    size_t q, i, hit = 0;
    for (q = 0; q < nq; q++)
        for (i = 0; i < cnt[q] && i < k; i++) {
            uint64_t id = found[q * k + i];
            double d, slack = metric == I8_COS ? 1e-12 * (1.0 + fabs(kth[q])) : 0.0;
            if (id >= n)
                continue;
            d = i8_dist(metric, qs + q * dim, base + id * dim, dim, qn[q], bn[id]);
            hit += d <= kth[q] + slack;
        }
    return (double)hit / (double)(nq * k);
}

int ruv_bench_int8(int argc, char **argv);
int ruv_bench_int8(int argc, char **argv) {
    const char *basep = NULL, *queryp = NULL, *gtp = NULL, *dataset = "unnamed", *metric = "cos";
    const char *lib = "all";
    unsigned efs[64], M = 16, efc = 200, k = 10, passes = 3, repeat = 1;
    size_t n_ef, max_n = 0, max_q = 0, n, dim, nq, qd, ng = 0, gd = 0, i, q, e, p, j;
    float *fb, *fq, *start, *step;
    int8_t *base, *qs;
    int64_t *bn, *qn;
    double *kth, best[1024];
    int32_t *gt = NULL;
    uint64_t *found, *keys;
    size_t *cnt;
    int mt, a, run_ruv, run_us = 0;
    double t0;
    n_ef = tx_list("10,16,24,32,48,64,96,128,192,256", efs, 64);
    for (a = 1; a + 1 < argc; a += 2) {
        const char *key = argv[a], *v = argv[a + 1];
        if (!strcmp(key, "--base"))
            basep = v;
        else if (!strcmp(key, "--query"))
            queryp = v;
        else if (!strcmp(key, "--gt"))
            gtp = v;
        else if (!strcmp(key, "--dataset"))
            dataset = v;
        else if (!strcmp(key, "--metric"))
            metric = v;
        else if (!strcmp(key, "--lib"))
            lib = v;
        else if (!strcmp(key, "--M"))
            M = (unsigned)atoi(v);
        else if (!strcmp(key, "--ef-construction"))
            efc = (unsigned)atoi(v);
        else if (!strcmp(key, "--ef-search"))
            n_ef = tx_list(v, efs, 64);
        else if (!strcmp(key, "--k"))
            k = (unsigned)atoi(v);
        else if (!strcmp(key, "--passes"))
            passes = (unsigned)atoi(v);
        else if (!strcmp(key, "--max-n"))
            max_n = (size_t)atoll(v);
        else if (!strcmp(key, "--max-q"))
            max_q = (size_t)atoll(v);
        else if (!strcmp(key, "--repeat"))
            repeat = (unsigned)atoi(v);
        else
            a = argc;
    }
    mt = !strcmp(metric, "l2") ? I8_L2 : !strcmp(metric, "ip") ? I8_IP : I8_COS;
    if (!basep || !queryp || a != argc ||
        (strcmp(metric, "cos") && strcmp(metric, "l2") && strcmp(metric, "ip")) || !k || k > 1024 ||
        passes < 3 || passes > 15 || !n_ef || !repeat ||
        (strcmp(lib, "all") && strcmp(lib, "ruvector") && strcmp(lib, "usearch"))) {
        fprintf(stderr, "usage: ruv_bench int8 --base B.fvecs --query Q.fvecs [--gt G.ivecs] "
                        "[--metric cos|l2|ip] [--dataset NAME] [--M 16] [--ef-construction 200] "
                        "[--ef-search 10,16,...] [--k 10] [--passes 3] [--max-n N] [--max-q N] "
                        "[--repeat R] [--lib ruvector|usearch|all]\n");
        return 2;
    }
    run_ruv = strcmp(lib, "usearch") != 0;
#ifdef RUV_BENCH_USEARCH
    run_us = strcmp(lib, "ruvector") != 0;
#else
    if (!strcmp(lib, "usearch")) {
        fprintf(stderr, "int8: USearch is not built in (-DRUV_USEARCH_INCLUDE=...)\n");
        return 1;
    }
#endif
    fb = tx_read_fvecs(basep, max_n, &n, &dim);
    fq = tx_read_fvecs(queryp, max_q, &nq, &qd);
    if (gtp && !max_n) {
        gt = tx_read_ivecs(gtp, max_q, &ng, &gd);
        if (!gt || ng != nq || gd < k) {
            fprintf(stderr, "int8: ground truth file missing or inconsistent\n");
            return 1;
        }
    }
    if (!fb || !fq || qd != dim) {
        fprintf(stderr, "int8: data files missing or inconsistent\n");
        return 1;
    }
    start = (float *)malloc(dim * sizeof *start);
    step = (float *)malloc(dim * sizeof *step);
    if (!start || !step)
        return 1;
    i8_ranges(fb, n, dim, start, step);
    base = i8_quantize(fb, n, dim, start, step);
    qs = i8_quantize(fq, nq, dim, start, step);
    bn = (int64_t *)malloc(n * sizeof *bn);
    qn = (int64_t *)malloc(nq * sizeof *qn);
    kth = (double *)malloc(nq * sizeof *kth);
    found = (uint64_t *)malloc(nq * k * sizeof *found);
    keys = (uint64_t *)malloc(n * sizeof *keys);
    cnt = (size_t *)malloc(nq * sizeof *cnt);
    if (!base || !qs || !bn || !qn || !kth || !found || !keys || !cnt || n < k) {
        fprintf(stderr, "int8: out of memory or fewer than k vectors\n");
        return 1;
    }
    free(fb);
    free(fq);
    free(start);
    free(step);
    for (i = 0; i < n; i++)
        bn[i] = i8_norm2(base + i * dim, dim);
    for (q = 0; q < nq; q++)
        qn[q] = i8_norm2(qs + q * dim, dim);
    t0 = tx_now();
    for (q = 0; q < nq; q++) { /* exact k-th distance by a scan, keeping the k best sorted */
        size_t have = 0;
        for (i = 0; i < n; i++) {
            double d = i8_dist(mt, qs + q * dim, base + i * dim, dim, qn[q], bn[i]);
            if (have == k && d >= best[k - 1])
                continue;
            j = have < k ? have++ : k - 1;
            for (; j > 0 && best[j - 1] > d; j--)
                best[j] = best[j - 1];
            best[j] = d;
        }
        kth[q] = best[k - 1];
    }
    fprintf(stderr, "int8: %s n %zu dim %zu nq %zu, exact int8 ground truth in %.1f s\n", dataset,
            n, dim, nq, tx_now() - t0);
    for (i = 0; i < n; i++)
        keys[i] = i;
    for (p = 0; p < 2; p++) { /* flat, then HNSW */
        ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
        i8_ruv rs;
        double build_r = 0, build_u = 0, tr[16], tu[16];
        size_t bytes_u = 0, ne = p ? n_ef : 1;
        const char *isa_u = "";
        void *us = NULL;
        memset(&rs, 0, sizeof rs);
        cfg.dtype = RUV_DTYPE_I8;
        cfg.metric = mt == I8_L2   ? RUV_METRIC_L2SQ
                     : mt == I8_IP ? RUV_METRIC_IP
                                   : RUV_METRIC_COSINE;
        cfg.kind = p ? RUV_INDEX_HNSW : RUV_INDEX_FLAT;
        cfg.M = M;
        cfg.ef_construction = efc;
        if (run_ruv) {
            t0 = tx_now();
            if (ruv_index_create(&cfg, &rs.idx) != RUV_OK ||
                ruv_index_add_batch(rs.idx, n, keys, base, NULL) != RUV_OK ||
                ruv_search_ctx_create(rs.idx, &rs.ctx) != RUV_OK) {
                fprintf(stderr, "int8: ruvector index failed\n");
                return 1;
            }
            build_r = tx_now() - t0;
        }
#ifdef RUV_BENCH_USEARCH
        if (run_us && p) { /* USearch: HNSW only */
            us = peer_usearch_build_i8(base, n, dim, metric, (int)M, (int)efc, &build_u, &bytes_u,
                                       &isa_u);
            if (!us) {
                fprintf(stderr, "int8: USearch index failed\n");
                return 1;
            }
        }
#endif
        for (e = 0; e < ne; e++) {
            size_t ef = p ? efs[e] : 0, r;
            double rec[2] = {0, 0}, recf[2] = {-1, -1}, med[2] = {0, 0};
            for (r = 0; r < passes; r++) { /* interleaved passes */
                if (rs.idx)
                    tr[r] = i8_pass(i8_ruv_search, &rs, qs, nq, dim, k, ef, found, cnt, repeat);
#ifdef RUV_BENCH_USEARCH
                if (us)
                    tu[r] = i8_pass(i8_usearch_search, us, qs, nq, dim, k, ef, found, cnt, repeat);
#endif
            }
            for (r = 0; r < 2; r++) {
                if (r ? !us : !rs.idx)
                    continue;
#ifdef RUV_BENCH_USEARCH
                if (r)
                    i8_pass(i8_usearch_search, us, qs, nq, dim, k, ef, found, cnt, 1);
                else
#endif
                    i8_pass(i8_ruv_search, &rs, qs, nq, dim, k, ef, found, cnt, 1);
                rec[r] = i8_recall(mt, base, bn, qs, qn, nq, n, dim, k, kth, found, cnt);
                if (gt)
                    recf[r] = tx_recall(found, cnt, k, gt, gd, nq);
                qsort(r ? tu : tr, passes, sizeof *tr, tx_cmp_double);
                med[r] = (r ? tu : tr)[passes / 2];
            }
            for (r = 0; r < 2; r++) {
                char fr[32] = "null";
                if (r ? !us : !rs.idx)
                    continue;
                if (recf[r] >= 0)
                    snprintf(fr, sizeof fr, "%.4f", recf[r]);
                printf("{\"bench\":\"int8\",\"lib\":\"%s\",\"index\":\"%s\",\"dataset\":\"%s\","
                       "\"metric\":\"%s\",\"n\":%zu,\"dim\":%zu,\"nq\":%zu,\"params\":{\"M\":%u,"
                       "\"ef_construction\":%u,\"ef_search\":%zu},\"build_s\":%.3f,\"qps\":%.1f,"
                       "\"recall10\":%.4f,\"recall10_f32gt\":%s,\"bytes_per_vec\":%.1f,"
                       "\"isa\":\"%s\"}\n",
                       r ? "usearch" : "ruvector", p ? "hnsw" : "flat", dataset, metric, n, dim, nq,
                       M, efc, ef, r ? build_u : build_r, (double)nq * repeat / med[r], rec[r], fr,
                       r ? (double)bytes_u / (double)n
                         : (double)ruv_index_memory_usage(rs.idx) / (double)n,
                       r ? isa_u : ruv_isa_name(ruv_index_config(rs.idx).isa));
            }
            fflush(stdout);
        }
        ruv_search_ctx_free(rs.ctx);
        ruv_index_free(rs.idx);
#ifdef RUV_BENCH_USEARCH
        peer_usearch_free((peer_usearch *)us);
#endif
        (void)tu;
        (void)build_u;
        (void)bytes_u;
        (void)isa_u;
    }
    free(base);
    free(qs);
    free(bn);
    free(qn);
    free(kth);
    free(found);
    free(keys);
    free(cnt);
    free(gt);
    (void)run_us;
    return 0;
}
