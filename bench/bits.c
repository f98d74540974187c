/* ruv_bench bits: binary vectors (RUV_DTYPE_BIN) from real float data, flat and HNSW, with
   FAISS's IndexBinaryFlat / IndexBinaryHNSW (Hamming) and USearch's b1x8 HNSW (Hamming,
   Tanimoto) in the same run where they are built in.

     ruv_bench bits --base B.fvecs --query Q.fvecs [--binarize sign|gt127] [--metric
                    hamming|jaccard] [--dataset NAME] [--M 16] [--ef-construction 200]
                    [--ef-search 10,16,24,32,48,64,96,128,192,256] [--k 10] [--passes 3]
                    [--max-n N] [--max-q N] [--lib ruvector|faiss|usearch|all]
                    [--index flat|hnsw|all]
     ruv_bench bits --synth N,BITS [--max-q Q] [--index flat] ...   (N random vectors of BITS
                    bits and Q random queries, 100 by default: a set larger than the caches,
                    for the flat scan's bandwidth against `ruv_bench kernels --where dram_seq`)

   Binarisation: sign = bit set where the value is > 0 (GloVe: the sign bits of each
   dimension); gt127 = where it is > 127 (MNIST pixels). Dimension d is bit d % 8 of byte d / 8;
   FAISS and USearch get the same bytes with the dimension rounded up to a multiple of 8 (the
   padding bits are zero, so the distances are equal). Ground truth: the exact k-th smallest
   distance per query, by a popcount scan here (independent of the library). With integer distances
   ties are common, so recall@k counts a returned entry as a hit when its distance (recomputed here)
   is at most that k-th distance. Prints one JSON line per (library, index, ef):
     {"bench":"bits","lib":"ruvector","index":"hnsw","dataset":..,"metric":"hamming","n":..,
      "bits":..,"nq":..,"params":{"M":16,"ef_construction":200,"ef_search":64},"build_s":..,
      "qps":..,"recall10":..,"bytes_per_vec":..,"gbps":..}
   qps: one query at a time, one thread, nq / median pass time; the libraries' passes alternate
   (ruvector, FAISS, USearch, ruvector, ...) at each ef so all see the same machine. gbps (flat):
   bytes of vectors scanned per second. */
#define _POSIX_C_SOURCE 200809L
#include "../ruvector.h"
#include "texmex.h"
#if defined(RUV_BENCH_FAISS) || defined(RUV_BENCH_USEARCH)
#include "peer.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bt_pop(unsigned v) {
    int c = 0;
    for (; v; v &= v - 1)
        c++;
    return c;
}

/* Hamming or Jaccard distance of two packed vectors of nb bytes (padding bits zero). */
static double bt_dist(int jaccard, const uint8_t *a, const uint8_t *b, size_t nb) {
    long x = 0, an = 0, o = 0;
    size_t i;
    for (i = 0; i < nb; i++) {
        x += bt_pop((unsigned)(a[i] ^ b[i]));
        an += bt_pop((unsigned)(a[i] & b[i]));
        o += bt_pop((unsigned)(a[i] | b[i]));
    }
    if (!jaccard)
        return (double)x;
    return o ? 1.0 - (double)an / (double)o : 0.0;
}

/* Packs n x dim floats into n x nb bytes: bit set where v > thr. */
static uint8_t *bt_pack(const float *v, size_t n, size_t dim, size_t nb, float thr) {
    uint8_t *b = (uint8_t *)calloc(n, nb);
    size_t i, j;
    for (i = 0; b && i < n; i++)
        for (j = 0; j < dim; j++)
            if (v[i * dim + j] > thr)
                b[i * nb + j / 8] = (uint8_t)(b[i * nb + j / 8] | 1u << (j % 8));
    return b;
}

typedef size_t (*bt_search_fn)(void *st, const uint8_t *q, size_t k, size_t ef, uint64_t *keys);

typedef struct bt_ruv {
    ruv_index *idx;
    ruv_search_ctx *ctx;
    ruv_hit hits[1024];
} bt_ruv;

static size_t bt_ruv_search(void *st, const uint8_t *q, size_t k, size_t ef, uint64_t *keys) {
    bt_ruv *s = (bt_ruv *)st;
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

#ifdef RUV_BENCH_FAISS
static size_t bt_faiss_search(void *st, const uint8_t *q, size_t k, size_t ef, uint64_t *keys) {
    return peer_faiss_bin_search((peer_faiss_bin *)st, q, k, ef, keys);
}
#endif
#ifdef RUV_BENCH_USEARCH
static size_t bt_usearch_search(void *st, const uint8_t *q, size_t k, size_t ef, uint64_t *keys) {
    return peer_usearch_search_b1((peer_usearch *)st, q, k, ef, keys);
}
#endif

/* One library under test: its search, state, build time, memory and pass times. */
typedef struct bt_lib {
    const char *name;
    bt_search_fn fn;
    void *st;
    double build_s, t[16];
    size_t bytes;
} bt_lib;

/* One pass over the queries: seconds; keys of the last pass in found (nq x k), counts in cnt. */
static double bt_pass(bt_search_fn fn, void *st, const uint8_t *qs, size_t nq, size_t nb, size_t k,
                      size_t ef, uint64_t *found, size_t *cnt) {
    double t0 = tx_now();
    size_t q;
    for (q = 0; q < nq; q++)
        cnt[q] = fn(st, qs + q * nb, k, ef, found + q * k);
    return tx_now() - t0;
}

static double bt_recall(int jac, const uint8_t *base, const uint8_t *qs, size_t nq, size_t nb,
                        size_t k, const double *kth, const uint64_t *found, const size_t *cnt) {
    size_t q, i, hit = 0;
    for (q = 0; q < nq; q++)
        for (i = 0; i < cnt[q]; i++)
            hit += bt_dist(jac, qs + q * nb, base + found[q * k + i] * nb, nb) <= kth[q] + 1e-9;
    return (double)hit / (double)(nq * k);
}

int ruv_bench_bits(int argc, char **argv);
int ruv_bench_bits(int argc, char **argv) {
    const char *basep = NULL, *queryp = NULL, *dataset = "unnamed", *bin = "sign",
               *metric = "hamming";
    const char *lib = "all", *which = "all";
    size_t synth_n = 0, synth_bits = 0;
    unsigned efs[64], M = 16, efc = 200, k = 10, passes = 3;
    size_t n_ef, max_n = 0, max_q = 0, n, dim, nq, qd, nb, i, q, e, p;
    float *fb, *fq;
    uint8_t *base, *qs;
    double *kth, *d;
    uint64_t *found, *keys;
    size_t *cnt;
    int jac, a;
    n_ef = tx_list("10,16,24,32,48,64,96,128,192,256", efs, 64);
    for (a = 1; a + 1 < argc; a += 2) {
        const char *key = argv[a], *v = argv[a + 1];
        if (!strcmp(key, "--base"))
            basep = v;
        else if (!strcmp(key, "--query"))
            queryp = v;
        else if (!strcmp(key, "--dataset"))
            dataset = v;
        else if (!strcmp(key, "--binarize"))
            bin = v;
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
        else if (!strcmp(key, "--index"))
            which = v;
        else if (!strcmp(key, "--synth") && sscanf(v, "%zu,%zu", &synth_n, &synth_bits) == 2)
            ;
        else
            a = argc;
    }
    jac = !strcmp(metric, "jaccard");
    if ((!synth_n && (!basep || !queryp)) || a != argc || (!jac && strcmp(metric, "hamming")) ||
        (strcmp(which, "all") && strcmp(which, "flat") && strcmp(which, "hnsw")) ||
        (strcmp(bin, "sign") && strcmp(bin, "gt127")) ||
        (strcmp(lib, "all") && strcmp(lib, "ruvector") && strcmp(lib, "faiss") &&
         strcmp(lib, "usearch")) ||
        !k || k > 1024 || passes < 3 || passes > 15 || !n_ef) {
        fprintf(stderr, "usage: ruv_bench bits --base B.fvecs --query Q.fvecs [--binarize "
                        "sign|gt127] [--metric hamming|jaccard] [--dataset NAME] [--M 16] "
                        "[--ef-construction 200] [--ef-search 10,16,...] [--k 10] [--passes 3] "
                        "[--max-n N] [--max-q N] [--lib ruvector|faiss|usearch|all] [--index "
                        "flat|hnsw|all] | --synth N,BITS\n");
        return 2;
    }
    if (synth_n) { /* random bits (padding bits past dim zero) */
        uint64_t x = 0x9E3779B97F4A7C15ull;
        n = synth_n;
        dim = synth_bits;
        nq = max_q ? max_q : 100;
        nb = (dim + 7) / 8;
        base = (uint8_t *)malloc(n * nb + 1);
        qs = (uint8_t *)malloc(nq * nb + 1);
        for (i = 0; base && qs && i < (n + nq) * nb; i++) {
            uint8_t *o = i < n * nb ? base + i : qs + (i - n * nb);
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            *o = (uint8_t)(x >> 32);
            if (dim % 8 && i % nb == nb - 1)
                *o = (uint8_t)(*o & ((1u << (dim % 8)) - 1u));
        }
        fb = fq = NULL;
    } else {
        fb = tx_read_fvecs(basep, max_n, &n, &dim);
        fq = tx_read_fvecs(queryp, max_q, &nq, &qd);
        if (!fb || !fq || qd != dim) {
            fprintf(stderr, "bits: data files missing or inconsistent\n");
            return 1;
        }
        nb = (dim + 7) / 8;
        base = bt_pack(fb, n, dim, nb, !strcmp(bin, "sign") ? 0.0f : 127.0f);
        qs = bt_pack(fq, nq, dim, nb, !strcmp(bin, "sign") ? 0.0f : 127.0f);
    }
    kth = (double *)malloc(nq * sizeof *kth);
    d = (double *)malloc(n * sizeof *d);
    found = (uint64_t *)malloc(nq * k * sizeof *found);
    keys = (uint64_t *)malloc(n * sizeof *keys);
    cnt = (size_t *)malloc(nq * sizeof *cnt);
    if (!base || !qs || !kth || !d || !found || !keys || !cnt || n < k) {
        fprintf(stderr, "bits: out of memory or fewer than k vectors\n");
        return 1;
    }
    free(fb);
    free(fq);
    for (q = 0; q < nq; q++) { /* exact k-th distance by a scan */
        for (i = 0; i < n; i++)
            d[i] = bt_dist(jac, qs + q * nb, base + i * nb, nb);
        qsort(d, n, sizeof *d, tx_cmp_double);
        kth[q] = d[k - 1];
    }
    for (i = 0; i < n; i++)
        keys[i] = i;
    for (p = 0; p < 2; p++) { /* flat, then HNSW */
        ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
        bt_ruv rs;
        bt_lib libs[3];
        size_t nl = 1, l, ne = p ? n_ef : 1;
        double t0;
        if (strcmp(which, "all") && strcmp(which, p ? "hnsw" : "flat"))
            continue;
        memset(&rs, 0, sizeof rs);
        memset(libs, 0, sizeof libs);
        cfg.dtype = RUV_DTYPE_BIN;
        cfg.metric = jac ? RUV_METRIC_JACCARD : RUV_METRIC_HAMMING;
        cfg.kind = p ? RUV_INDEX_HNSW : RUV_INDEX_FLAT;
        cfg.M = M;
        cfg.ef_construction = efc;
        t0 = tx_now();
        if (ruv_index_create(&cfg, &rs.idx) != RUV_OK ||
            ruv_index_add_batch(rs.idx, n, keys, base, NULL) != RUV_OK ||
            ruv_search_ctx_create(rs.idx, &rs.ctx) != RUV_OK) {
            fprintf(stderr, "bits: ruvector index failed\n");
            return 1;
        }
        libs[0].name = "ruvector", libs[0].fn = bt_ruv_search, libs[0].st = &rs;
        libs[0].build_s = tx_now() - t0;
        libs[0].bytes = ruv_index_memory_usage(rs.idx);
        /* the peers get the packed bytes with a multiple of 8 bits (padding zero) */
#ifdef RUV_BENCH_FAISS
        if (!jac && (!strcmp(lib, "all") || !strcmp(lib, "faiss"))) { /* FAISS: Hamming only */
            bt_lib *f = &libs[nl++];
            f->name = "faiss", f->fn = bt_faiss_search;
            f->st = peer_faiss_bin_build(p ? "hnsw" : "flat", base, n, nb * 8, (int)M, (int)efc,
                                         &f->build_s, &f->bytes);
            if (!f->st) {
                fprintf(stderr, "bits: FAISS index failed\n");
                return 1;
            }
        }
#endif
#ifdef RUV_BENCH_USEARCH
        if (p && (!strcmp(lib, "all") || !strcmp(lib, "usearch"))) { /* HNSW only */
            bt_lib *u = &libs[nl++];
            u->name = "usearch", u->fn = bt_usearch_search;
            u->st = peer_usearch_build_b1(base, n, nb * 8, jac, (int)M, (int)efc, &u->build_s,
                                          &u->bytes, NULL);
            if (!u->st) {
                fprintf(stderr, "bits: USearch index failed\n");
                return 1;
            }
        }
#endif
        for (e = 0; e < ne; e++) {
            size_t ef = p ? efs[e] : 0, r;
            for (r = 0; r < passes; r++) /* interleaved passes */
                for (l = 0; l < nl; l++)
                    libs[l].t[r] = bt_pass(libs[l].fn, libs[l].st, qs, nq, nb, k, ef, found, cnt);
            for (l = 0; l < nl; l++) {
                double rec, med;
                bt_pass(libs[l].fn, libs[l].st, qs, nq, nb, k, ef, found, cnt);
                rec = bt_recall(jac, base, qs, nq, nb, k, kth, found, cnt);
                qsort(libs[l].t, passes, sizeof *libs[l].t, tx_cmp_double);
                med = libs[l].t[passes / 2];
                printf("{\"bench\":\"bits\",\"lib\":\"%s\",\"index\":\"%s\",\"dataset\":\"%s\","
                       "\"metric\":\"%s\",\"n\":%zu,\"bits\":%zu,\"nq\":%zu,\"params\":{\"M\":%u,"
                       "\"ef_construction\":%u,\"ef_search\":%zu},\"build_s\":%.3f,\"qps\":%.1f,"
                       "\"recall10\":%.4f,\"bytes_per_vec\":%.1f,\"gbps\":%.2f}\n",
                       libs[l].name, p ? "hnsw" : "flat", dataset, metric, n, dim, nq, M, efc, ef,
                       libs[l].build_s, (double)nq / med, rec, (double)libs[l].bytes / (double)n,
                       p ? 0.0 : (double)nq * (double)n * (double)nb / med / 1e9);
            }
            fflush(stdout);
        }
        ruv_search_ctx_free(rs.ctx);
        ruv_index_free(rs.idx);
        for (l = 1; l < nl; l++) {
#ifdef RUV_BENCH_FAISS
            if (!strcmp(libs[l].name, "faiss"))
                peer_faiss_bin_free((peer_faiss_bin *)libs[l].st);
#endif
#ifdef RUV_BENCH_USEARCH
            if (!strcmp(libs[l].name, "usearch"))
                peer_usearch_free((peer_usearch *)libs[l].st);
#endif
        }
    }
    free(base);
    free(qs);
    free(kth);
    free(d);
    free(found);
    free(keys);
    free(cnt);
    (void)lib;
    return 0;
}
