/* ruv_bench: ANN benchmark for ruvector.h, with hnswlib and glass measured in the same run.
   (`ruv_bench kernels ...` benchmarks the distance kernels instead: see bench_kernels.c;
   `ruv_bench synth ...` writes a synthetic clustered data set with exact ground truth: synth.c;
   `ruv_bench range ...` measures range search on flat and HNSW: range.c; `ruv_bench bits ...`
   binary vectors against FAISS's binary indexes: bits.c; `ruv_bench int8 ...` int8 vectors
   against USearch's i8 HNSW: int8.c; `ruv_bench concurrent ...` reader threads searching while
   writer threads write: concurrent.c.)

     ruv_bench --base B.fvecs --query Q.fvecs --gt G.ivecs [--metric l2|cos|ip]
               [--index flat|hnsw] [--M 16] [--ef-construction 200]
               [--ef-search 10,16,24,32,48,64,96,128,192,256] [--k 10] [--passes 3]
               [--lib ruvector|hnswlib|glass|faiss|all] [--isa auto|serial|avx2|avx512]
               [--dataset NAME] [--max-n N] [--max-q N] [--seed S] [--persist PATH] [--threads N]

   Prints one JSON object per line per (library, configuration):
     {"lib":"ruvector","index":"hnsw","dataset":"glove100-angular","metric":"cos","n":100000,
      "dim":100,"nq":1000,"params":{"M":16,"ef_construction":200,"ef_search":64},"build_s":..,
      "qps":..,"recall10":..,"bytes_per_vec":..,"threads":1,"p50_us":..,"p95_us":..,"p99_us":..}
   qps: queries one at a time on one thread, nq / median pass time over --passes passes (>= 3).
   recallK: mean |found ∩ truth top-K| / K against the ground-truth file (K = --k).
   bytes_per_vec: index memory / n (ruvector: ruv_index_memory_usage; hnswlib, glass: glibc heap
   growth during the build). rss_per_vec (Linux): growth of the process's resident set
   (/proc/self/statm) during the build / n, for every library. Latency percentiles over every
   query of every pass. glass lines ("glass-sq8u", "glass-sq4u"): one graph built on SQ8U codes
   (R = 2 M, L = ef_construction), searched on SQ8U or SQ4U codes with an FP32 refine.
   --persist PATH adds a line {"lib":"ruvector","bench":"persist",..,"file_bytes":..,
   "save_buffer_s":..,"save_file_s":..,"load_buffer_s":..,"load_file_s":..,"view_s":..}. */
#define _POSIX_C_SOURCE 200809L
#define RUVECTOR_IMPLEMENTATION
#include "../ruvector.h"
#include "texmex.h"
#if defined(RUV_BENCH_HNSWLIB) || defined(RUV_BENCH_FAISS) || defined(RUV_BENCH_GLASS)
#include "peer.h"
#endif
#ifdef __linux__
#include <unistd.h>
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct opts {
    const char *base, *query, *gt, *dataset, *lib, *persist;
    ruv_metric metric;
    ruv_index_kind kind;
    ruv_isa isa;
    unsigned M, efc, k, passes, threads, pq_m, drop_f32, interleave, walk_bits;
    ruv_dtype rerank_dtype; /* --rerank-dtype: the re-ranking copies' type */
    ruv_quant quant;
    unsigned ef[64], rerank[16];
    size_t n_ef, n_rerank, max_n, max_q;
    uint64_t seed;
} opts;

/* One library under test: search one query into keys, return the count. */
typedef size_t (*search_fn)(void *state, const float *q, size_t k, size_t ef, uint64_t *keys);

typedef struct ruv_state {
    ruv_index *idx;
    ruv_search_ctx *ctx;
    unsigned rerank;
    double build_s; /* seconds to train and link, for the interleaved report */
    ruv_hit hits[1024];
} ruv_state;

static size_t ruv_search_one(void *state, const float *q, size_t k, size_t ef, uint64_t *keys) {
    ruv_state *s = (ruv_state *)state;
    ruv_search_options p;
    size_t n = 0, i;
    ruv_result r;
    memset(&p, 0, sizeof p);
    p.ef_search = (uint32_t)ef;
    p.ctx = s->ctx;
    p.rerank = s->rerank;
    r = ruv_index_search(s->idx, q, k, &p, s->hits, &n);
    if (r != RUV_OK) {
        fprintf(stderr, "search: %s\n", ruv_result_string(r));
        exit(1);
    }
    for (i = 0; i < n; i++)
        keys[i] = s->hits[i].key;
    return n;
}

#ifdef RUV_BENCH_HNSWLIB
static size_t hnswlib_search_one(void *state, const float *q, size_t k, size_t ef, uint64_t *keys) {
    return peer_hnswlib_search((peer_index *)state, q, k, ef, keys);
}
#endif
#ifdef RUV_BENCH_GLASS
static size_t glass_search_one(void *state, const float *q, size_t k, size_t ef, uint64_t *keys) {
    return peer_glass_search((peer_glass *)state, q, k, ef, keys);
}
#endif
#ifdef RUV_BENCH_FAISS
static size_t faiss_search_one(void *state, const float *q, size_t k, size_t ef, uint64_t *keys) {
    return peer_faiss_search((peer_faiss *)state, q, k, ef, keys);
}
#endif

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Resident set size of the process in bytes (Linux: /proc/self/statm), 0 where unknown. */
static size_t rss_now(void) {
#ifdef __linux__
    unsigned long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    int ok = f && fscanf(f, "%lu %lu", &pages, &resident) == 2;
    if (f)
        fclose(f);
    return ok ? (size_t)resident * (size_t)sysconf(_SC_PAGESIZE) : 0;
#else
    return 0;
#endif
}

/* ",\"rss_per_vec\":X" for a growth from rss0 to rss1 over n vectors; "" where RSS is unknown. */
static const char *rss_field(char *buf, size_t cap, size_t rss0, size_t rss1, size_t n) {
    if (!rss0 || !rss1)
        return "";
    snprintf(buf, cap, ",\"rss_per_vec\":%.1f", ((double)rss1 - (double)rss0) / (double)n);
    return buf;
}

#if defined(RUV_BENCH_HNSWLIB) || defined(RUV_BENCH_FAISS) || defined(RUV_BENCH_GLASS)
/* Cosine for the peers, which have none: unit rows, then inner product. */
static void normalize_rows(float *v, size_t n, size_t dim) {
    size_t i, j;
    for (i = 0; i < n; i++, v += dim) {
        double s = 0;
        for (j = 0; j < dim; j++)
            s += (double)v[j] * v[j];
        for (j = 0; s > 0 && j < dim; j++)
            v[j] = (float)(v[j] / sqrt(s));
    }
}
#endif

static const char *metric_name(ruv_metric m) {
    return m == RUV_METRIC_L2SQ ? "l2" : m == RUV_METRIC_IP ? "ip" : "cos";
}

/* The passes of one configuration at one ef: found keys of the last pass, latencies and pass
   times of all. */
typedef struct meas {
    uint64_t *found;
    size_t *cnt;
    double *lat, *pass_s;
    unsigned done;
} meas;

static void meas_init(meas *m, const opts *o, size_t nq) {
    m->found = (uint64_t *)malloc(nq * o->k * sizeof *m->found);
    m->cnt = (size_t *)malloc(nq * sizeof *m->cnt);
    m->lat = (double *)malloc(nq * o->passes * sizeof *m->lat);
    m->pass_s = (double *)malloc(o->passes * sizeof *m->pass_s);
    m->done = 0;
    if (!m->found || !m->cnt || !m->lat || !m->pass_s) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
}

/* One pass over the queries. */
static void meas_pass(meas *m, const opts *o, search_fn fn, void *state, const float *qs, size_t nq,
                      size_t dim, unsigned ef) {
    size_t k = o->k, q;
    double t0 = tx_now();
    for (q = 0; q < nq; q++) {
        double t1 = tx_now();
        m->cnt[q] = fn(state, qs + q * dim, k, ef, m->found + q * k);
        m->lat[m->done * nq + q] = tx_now() - t1;
    }
    m->pass_s[m->done++] = tx_now() - t0;
}

/* Prints the JSON line of a finished measurement and frees it. */
static void meas_print(meas *m, const opts *o, const char *lib, size_t nq, size_t dim,
                       const int32_t *gt, size_t gd, size_t n, unsigned ef, double build_s,
                       size_t bytes, const char *extra) {
    double recall, *lat = m->lat;
    char params[160];
    recall = tx_recall(m->found, m->cnt, o->k, gt, gd, nq);
    qsort(m->pass_s, o->passes, sizeof *m->pass_s, cmp_double);
    qsort(lat, nq * o->passes, sizeof *lat, cmp_double);
    if (o->kind == RUV_INDEX_HNSW)
        snprintf(params, sizeof params, "{\"M\":%u,\"ef_construction\":%u,\"ef_search\":%u}", o->M,
                 o->efc, ef);
    else
        snprintf(params, sizeof params, "{}");
#define PCT(x) (1e6 * lat[(size_t)((double)(nq * o->passes - 1) * (x))])
    printf("{\"lib\":\"%s\",\"index\":\"%s\",\"dataset\":\"%s\",\"metric\":\"%s\",\"n\":%zu,"
           "\"dim\":%zu,\"nq\":%zu,\"params\":%s,\"build_s\":%.3f,\"qps\":%.1f,\"recall%u\":%.4f,"
           "\"bytes_per_vec\":%.1f,\"threads\":1,\"p50_us\":%.1f,\"p95_us\":%.1f,"
           "\"p99_us\":%.1f%s}\n",
           lib, o->kind == RUV_INDEX_HNSW ? "hnsw" : "flat", o->dataset, metric_name(o->metric), n,
           dim, nq, params, build_s, (double)nq / m->pass_s[o->passes / 2], o->k, recall,
           (double)bytes / (double)n, PCT(0.50), PCT(0.95), PCT(0.99), extra);
#undef PCT
    fflush(stdout);
    free(m->found);
    free(m->cnt);
    free(m->lat);
    free(m->pass_s);
}

/* Runs the passes for one ef and prints the JSON line. */
static void measure(const opts *o, const char *lib, search_fn fn, void *state, const float *qs,
                    size_t nq, size_t dim, const int32_t *gt, size_t gd, size_t n, unsigned ef,
                    double build_s, size_t bytes, const char *extra) {
    meas m;
    unsigned p;
    meas_init(&m, o, nq);
    for (p = 0; p < o->passes; p++)
        meas_pass(&m, o, fn, state, qs, nq, dim, ef);
    meas_print(&m, o, lib, nq, dim, gt, gd, n, ef, build_s, bytes, extra);
}

/* --interleave 1: one configuration (a library, or a ruvector re-rank factor) whose passes
   alternate with the others' at each ef. */
typedef struct lane {
    const char *lib, *extra;
    search_fn fn;
    void *state;
    double build_s;
    size_t bytes;
    const ruv_index *mem; /* ruvector: bytes = ruv_index_memory_usage(mem) when printed */
} lane;

#define MAX_LANES 24

/* At each ef: pass 1 of every lane in order, pass 2 of every lane, ...; then their lines. */
static void run_lanes(const opts *o, const lane *ln, size_t n_lanes, const float *qs, size_t nq,
                      size_t dim, const int32_t *gt, size_t gd, size_t n) {
    size_t e, l;
    for (e = 0; e < o->n_ef; e++) {
        meas m[MAX_LANES];
        unsigned pass;
        for (l = 0; l < n_lanes; l++)
            meas_init(&m[l], o, nq);
        for (pass = 0; pass < o->passes; pass++)
            for (l = 0; l < n_lanes; l++)
                meas_pass(&m[l], o, ln[l].fn, ln[l].state, qs, nq, dim, o->ef[e]);
        for (l = 0; l < n_lanes; l++)
            meas_print(&m[l], o, ln[l].lib, nq, dim, gt, gd, n, o->ef[e], ln[l].build_s,
                       ln[l].mem ? ruv_index_memory_usage(ln[l].mem) : ln[l].bytes, ln[l].extra);
    }
}

#ifdef RUV_BENCH_GLASS
/* glass's configurations, its documented fastest ("SQ8U for indexing, SQ4U for searching", with
   an FP32 refine of its default 1.5 x k candidates, prefetch depths tuned by Optimize): one graph
   built on SQ8U codes with R = 2 M (glass's R is the level-0 degree; its hnswlib gets M = R / 2)
   and L = ef_construction, then a searcher per walk code over a copy of it. */
#define GLASS_CONFIGS 2
static const char *const glass_quant[GLASS_CONFIGS] = {"SQ8U", "SQ4U"};
static const char *const glass_lib[GLASS_CONFIGS] = {"glass-sq8u", "glass-sq4u"};

typedef struct glass_run {
    peer_glass *s[GLASS_CONFIGS];
    double build_s;
    size_t bytes[GLASS_CONFIGS];
    char extra[GLASS_CONFIGS][512];
} glass_run;

static double grown(size_t before, size_t after) { return (double)after - (double)before; }

/* Builds the graph and both searchers. Each configuration's memory is what one of them holds:
   the graph build's growth (graph, plus whatever the build leaves behind) plus its own searcher's
   setup (codes, FP32 refine copy, search pools), not the other's nor the copy of the graph. */
static int glass_setup(const opts *o, const float *base, size_t nb, size_t dim, glass_run *g) {
    int ip = o->metric != RUV_METRIC_L2SQ, i, po, pl;
    size_t r0 = rss_now(), h0 = peer_heap_in_use(), r1, h1;
    double build_heap, build_rss;
    peer_glass_graph *graph, *copy;
    char rss[64];
    memset(g, 0, sizeof *g);
    graph = peer_glass_build(base, nb, dim, ip, 2 * (int)o->M, (int)o->efc, &g->build_s);
    if (!graph)
        return 1;
    r1 = rss_now();
    h1 = peer_heap_in_use();
    build_heap = grown(h0, h1);
    build_rss = grown(r0, r1);
    copy = peer_glass_graph_copy(graph);
    for (i = 0; i < GLASS_CONFIGS; i++) {
        size_t rb = rss_now(), hb = peer_heap_in_use(), ra, ha;
        double setup_s, optimize_s, factor, heap;
        g->s[i] = peer_glass_searcher(i == 0 ? graph : copy, base, nb, dim, ip, glass_quant[i],
                                      "FP32", &setup_s, &optimize_s, &factor, &po, &pl);
        if (!g->s[i])
            return 1;
        ra = rss_now();
        ha = peer_heap_in_use();
        heap = build_heap + grown(hb, ha);
        g->bytes[i] = heap > 0 ? (size_t)heap : 0;
        rss[0] = 0;
        if (r0 && ra)
            snprintf(rss, sizeof rss, ",\"rss_per_vec\":%.1f",
                     (build_rss + grown(rb, ra)) / (double)nb);
        snprintf(g->extra[i], sizeof g->extra[i],
                 ",\"quant\":\"%s\",\"rerank\":%g,\"refine\":\"fp32\",\"build_quant\":\"sq8u\","
                 "\"R\":%u,\"L\":%u,\"setup_s\":%.3f,\"optimize_s\":%.3f,\"prefetch_po\":%d,"
                 "\"prefetch_pl\":%d%s%s",
                 i == 0 ? "sq8u" : "sq4u", factor, 2 * o->M, o->efc, setup_s, optimize_s, po, pl,
                 rss, o->interleave ? ",\"interleaved\":1" : "");
    }
    return 0;
}
#endif

static void usage(void) {
    fprintf(
        stderr,
        "usage: ruv_bench --base B.fvecs --query Q.fvecs --gt G.ivecs [--metric "
        "l2|cos|ip] [--index flat|hnsw] [--M 16] [--ef-construction 200] "
        "[--ef-search 10,16,...] [--k 10] [--passes 3] [--lib ruvector|hnswlib|glass|all] "
        "[--isa auto|serial|avx2|avx512] [--dataset NAME] [--max-n N] [--max-q N] "
        "[--seed S] [--persist PATH] [--threads N] [--quant none|f16|bf16|sq8|bin|pq] "
        "[--pq-m M] [--rerank 1,4,...] [--drop-f32 1] [--rerank-dtype f32|f16|bf16] "
        "[--walk-bits 1]\n"
        "  --lib faiss|all also runs FAISS for --quant sq8 (flat, hnsw) and pq (flat)\n"
        "  --lib glass|all also runs glass (SQ8U graph; SQ8U and SQ4U walks, FP32 refine)\n"
        "  --interleave 1 (--lib all, hnsw): builds ruvector (any --quant), hnswlib and glass\n"
        "    first, then alternates their passes at each ef, so that all see the same machine\n");
    exit(2);
}

static void parse(int argc, char **argv, opts *o) {
    int a;
    const char *efs = "10,16,24,32,48,64,96,128,192,256", *rrs = "4";
    static const char *qnames[] = {"none", "f16", "bf16", "sq8", "bin", "pq"};
    memset(o, 0, sizeof *o);
    o->M = 16;
    o->efc = 200;
    o->k = 10;
    o->passes = 3;
    o->lib = "all";
    o->kind = RUV_INDEX_HNSW;
    o->metric = RUV_METRIC_L2SQ;
    o->seed = 100;
    for (a = 1; a < argc; a++) {
        const char *k = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!v)
            usage();
        a++;
        if (!strcmp(k, "--base"))
            o->base = v;
        else if (!strcmp(k, "--query"))
            o->query = v;
        else if (!strcmp(k, "--gt"))
            o->gt = v;
        else if (!strcmp(k, "--dataset"))
            o->dataset = v;
        else if (!strcmp(k, "--lib"))
            o->lib = v;
        else if (!strcmp(k, "--metric"))
            o->metric = !strcmp(v, "l2")    ? RUV_METRIC_L2SQ
                        : !strcmp(v, "ip")  ? RUV_METRIC_IP
                        : !strcmp(v, "cos") ? RUV_METRIC_COSINE
                                            : (usage(), RUV_METRIC_L2SQ);
        else if (!strcmp(k, "--index"))
            o->kind = !strcmp(v, "flat")   ? RUV_INDEX_FLAT
                      : !strcmp(v, "hnsw") ? RUV_INDEX_HNSW
                                           : (usage(), RUV_INDEX_FLAT);
        else if (!strcmp(k, "--isa")) {
            int i;
            for (i = 0; i < RUV_ISA_COUNT && strcmp(v, ruv_isa_name((ruv_isa)i)); i++)
                ;
            if (i == RUV_ISA_COUNT)
                usage();
            o->isa = (ruv_isa)i;
        } else if (!strcmp(k, "--M"))
            o->M = (unsigned)atoi(v);
        else if (!strcmp(k, "--ef-construction"))
            o->efc = (unsigned)atoi(v);
        else if (!strcmp(k, "--ef-search"))
            efs = v;
        else if (!strcmp(k, "--k"))
            o->k = (unsigned)atoi(v);
        else if (!strcmp(k, "--passes"))
            o->passes = (unsigned)atoi(v);
        else if (!strcmp(k, "--max-n"))
            o->max_n = (size_t)atol(v);
        else if (!strcmp(k, "--max-q"))
            o->max_q = (size_t)atol(v);
        else if (!strcmp(k, "--threads"))
            o->threads = (unsigned)atoi(v);
        else if (!strcmp(k, "--persist"))
            o->persist = v;
        else if (!strcmp(k, "--seed"))
            o->seed = (uint64_t)atoll(v);
        else if (!strcmp(k, "--quant")) {
            unsigned i;
            for (i = 0; i < 6 && strcmp(v, qnames[i]); i++)
                ;
            if (i == 6)
                usage();
            o->quant = (ruv_quant)i;
        } else if (!strcmp(k, "--pq-m"))
            o->pq_m = (unsigned)atoi(v);
        else if (!strcmp(k, "--rerank"))
            rrs = v;
        else if (!strcmp(k, "--interleave"))
            o->interleave = (unsigned)atoi(v);
        else if (!strcmp(k, "--drop-f32"))
            o->drop_f32 = (unsigned)atoi(v);
        else if (!strcmp(k, "--rerank-dtype")) /* quantized: the copies in f32, f16 or bf16 */
            o->rerank_dtype = !strcmp(v, "f16")    ? RUV_DTYPE_F16
                              : !strcmp(v, "bf16") ? RUV_DTYPE_BF16
                              : !strcmp(v, "f32")  ? RUV_DTYPE_F32
                                                   : (usage(), RUV_DTYPE_F32);
        else if (!strcmp(k, "--walk-bits")) /* HNSW: the walk on 1-bit codes (three tiers) */
            o->walk_bits = (unsigned)atoi(v);
        else
            usage();
    }
    if (!o->base || !o->query || !o->gt || o->k == 0 || o->k > 1024 || o->passes < 3)
        usage();
    while (*efs && o->n_ef < 64) {
        o->ef[o->n_ef++] = (unsigned)strtoul(efs, NULL, 10);
        efs += strcspn(efs, ",");
        if (*efs == ',')
            efs++;
    }
    while (*rrs && o->n_rerank < 16) {
        o->rerank[o->n_rerank++] = (unsigned)strtoul(rrs, NULL, 10);
        rrs += strcspn(rrs, ",");
        if (*rrs == ',')
            rrs++;
    }
    if (o->quant == RUV_QUANT_NONE || o->drop_f32) { /* nothing to re-rank with */
        o->n_rerank = 1;
        o->rerank[0] = 0;
    }
    if (!o->dataset) { /* "dir/NAME_base.fvecs" -> NAME */
        static char name[256];
        const char *s = strrchr(o->base, '/');
        size_t len;
        s = s ? s + 1 : o->base;
        len = strcspn(s, ".");
        if (len >= 5 && !strncmp(s + len - 5, "_base", 5))
            len -= 5;
        snprintf(name, sizeof name, "%.*s", (int)len, s);
        o->dataset = name;
    }
}

/* --persist PATH: times save (buffer, file), load (buffer, file) and view (buffer) of the built
   index, median of --passes; checks that the loaded index and the view answer like the original
   and that the loaded index saves to the same bytes. One JSON line. */
static int persist(const opts *o, const ruv_index *idx) {
    size_t len = ruv_index_serialized_size(idx), got, p, np = (size_t)o->passes;
    unsigned char *a = (unsigned char *)malloc(len), *b = (unsigned char *)malloc(len);
    double t[5][16];
    const char *names[5] = {"save_buffer_s", "save_file_s", "load_buffer_s", "load_file_s",
                            "view_s"};
    int i, ok = 1;
    if (!a || !b || np > 16)
        return 1;
    for (p = 0; p < np; p++) {
        ruv_index *ld = NULL, *lf = NULL, *vw = NULL;
        double t0 = tx_now();
        ok &= ruv_index_save_buffer(idx, a, len, &got) == RUV_OK;
        t[0][p] = tx_now() - t0;
        t0 = tx_now();
        ok &= ruv_index_save_file(idx, o->persist) == RUV_OK;
        t[1][p] = tx_now() - t0;
        t0 = tx_now();
        ok &= ruv_index_load_buffer(a, len, NULL, &ld) == RUV_OK;
        t[2][p] = tx_now() - t0;
        t0 = tx_now();
        ok &= ruv_index_load_file(o->persist, NULL, &lf) == RUV_OK;
        t[3][p] = tx_now() - t0;
        t0 = tx_now();
        ok &= ruv_index_view(a, len, NULL, &vw) == RUV_OK;
        t[4][p] = tx_now() - t0;
        if (ok && p == 0) {
            float q[4096];
            ruv_hit h0[10], h1[10], h2[10];
            size_t n0, n1, n2, d = ruv_index_dim(idx), j;
            ok &= ruv_index_save_buffer(ld, b, len, &got) == RUV_OK && memcmp(a, b, len) == 0;
            for (j = 0; j < d && j < 4096; j++)
                q[j] = (float)(j % 5) - 2.0f;
            ok &= d <= 4096 && ruv_index_search(idx, q, 10, NULL, h0, &n0) == RUV_OK &&
                  ruv_index_search(lf, q, 10, NULL, h1, &n1) == RUV_OK &&
                  ruv_index_search(vw, q, 10, NULL, h2, &n2) == RUV_OK && n0 == n1 && n0 == n2 &&
                  memcmp(h0, h1, n0 * sizeof *h0) == 0 && memcmp(h0, h2, n0 * sizeof *h0) == 0;
        }
        ruv_index_free(ld);
        ruv_index_free(lf);
        ruv_index_free(vw);
    }
    remove(o->persist);
    if (!ok) {
        fprintf(stderr, "persist: a save, load or view failed or disagreed\n");
        return 1;
    }
    printf("{\"lib\":\"ruvector\",\"bench\":\"persist\",\"dataset\":\"%s\",\"n\":%zu,"
           "\"file_bytes\":%zu",
           o->dataset, ruv_index_count(idx), len);
    for (i = 0; i < 5; i++) {
        qsort(t[i], np, sizeof t[i][0], cmp_double);
        printf(",\"%s\":%.4f", names[i], t[i][np / 2]);
    }
    printf("}\n");
    free(a);
    free(b);
    return 0;
}

int ruv_bench_kernels(int argc, char **argv);        /* bench_kernels.c */
int ruv_bench_synth(int argc, char **argv);          /* synth.c */
int ruv_bench_range(int argc, char **argv);          /* range.c */
int ruv_bench_bits(int argc, char **argv);           /* bits.c */
int ruv_bench_int8(int argc, char **argv);           /* int8.c */
int ruv_bench_sparse(int argc, char **argv);         /* sparse.c */
int ruv_bench_sparse_kernels(int argc, char **argv); /* sparse_kernels.c */
int ruv_bench_concurrent(int argc, char **argv);     /* concurrent.c */
int ruv_bench_journal(int argc, char **argv);        /* journal.c */

int main(int argc, char **argv) {
    opts o;
    size_t nb, dim, nq, qd, ng, gd, i, e;
    float *base, *qs;
    int32_t *gt;
    int run_ruv, run_peer, run_faiss, run_glass;
    ruv_state ruv_st; /* --interleave: the ruvector index, searched after the peers are built */
    static ruv_state ruv_rr[16]; /* --interleave: ruv_st with each re-rank factor */
    static char ruv_extra[16][384];
    static lane lanes[MAX_LANES];
    size_t n_lanes = 0;
#if defined(RUV_BENCH_HNSWLIB) || defined(RUV_BENCH_FAISS) || defined(RUV_BENCH_GLASS)
    int unit = 0; /* base and queries normalised (cosine, for the peers) */
#endif
#ifdef RUV_BENCH_HNSWLIB
    peer_index *hnswlib = NULL;
    static char hnswlib_extra[128];
#endif
#ifdef RUV_BENCH_GLASS
    static glass_run glass;
#endif
    memset(&ruv_st, 0, sizeof ruv_st);
    if (argc > 1 && !strcmp(argv[1], "kernels"))
        return ruv_bench_kernels(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "synth"))
        return ruv_bench_synth(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "range"))
        return ruv_bench_range(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "bits"))
        return ruv_bench_bits(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "int8"))
        return ruv_bench_int8(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "sparse"))
        return ruv_bench_sparse(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "sparse-kernels"))
        return ruv_bench_sparse_kernels(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "concurrent"))
        return ruv_bench_concurrent(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "journal"))
        return ruv_bench_journal(argc - 1, argv + 1);
    parse(argc, argv, &o);
    base = tx_read_fvecs(o.base, o.max_n, &nb, &dim);
    qs = tx_read_fvecs(o.query, o.max_q, &nq, &qd);
    gt = tx_read_ivecs(o.gt, o.max_q, &ng, &gd);
    if (!base || !qs || !gt || qd != dim || ng != nq || gd < o.k) {
        fprintf(stderr, "data files missing or inconsistent\n");
        return 1;
    }
    if (o.max_n)
        fprintf(stderr, "note: --max-n makes the ground truth file's ids only partly valid\n");
    run_ruv = !strcmp(o.lib, "all") || !strcmp(o.lib, "ruvector");
    run_peer = (!strcmp(o.lib, "all") && (o.quant == RUV_QUANT_NONE || o.interleave)) ||
               !strcmp(o.lib, "hnswlib");
    run_glass = (!strcmp(o.lib, "all") && (o.quant == RUV_QUANT_NONE || o.interleave)) ||
                !strcmp(o.lib, "glass");
#if !defined(RUV_BENCH_HNSWLIB) && !defined(RUV_BENCH_GLASS)
    o.interleave = 0; /* no peer to interleave with */
#endif
    if (o.interleave && (!run_ruv || !run_peer || o.kind != RUV_INDEX_HNSW || o.persist)) {
        fprintf(stderr, "--interleave needs --lib all, --index hnsw and no --persist\n");
        return 1;
    }
    run_faiss =
        (!strcmp(o.lib, "all") || !strcmp(o.lib, "faiss")) &&
        (o.quant == RUV_QUANT_SQ8 || (o.quant == RUV_QUANT_PQ && o.kind == RUV_INDEX_FLAT)) &&
        !o.interleave;

    if (run_ruv) {
        ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
        ruv_state st;
        ruv_build_options bo;
        uint64_t *keys = (uint64_t *)malloc(nb * sizeof *keys);
        ruv_result r;
        double t0, build_s, train_s = 0.0;
        ruv_stats stats;
        size_t rss0 = rss_now();
        char rss[64];
        const char *rss_json;
        static const char *qn[] = {"f32", "f16", "bf16", "sq8", "bin", "pq"};
        cfg.quant = o.quant;
        cfg.pq_m = o.pq_m;
        cfg.drop_f32 = o.drop_f32;
        cfg.rerank_dtype = o.rerank_dtype;
        cfg.walk_bits = o.walk_bits;
        cfg.metric = o.metric;
        cfg.kind = o.kind;
        cfg.M = o.M;
        cfg.ef_construction = o.efc;
        cfg.capacity = nb;
        cfg.seed = o.seed;
        cfg.isa = o.isa;
        for (i = 0; keys && i < nb; i++)
            keys[i] = i;
        if (!keys || (r = ruv_index_create(&cfg, &st.idx)) != RUV_OK ||
            (r = ruv_search_ctx_create(st.idx, &st.ctx)) != RUV_OK) {
            fprintf(stderr, "ruvector: cannot create the index\n");
            return 1;
        }
        t0 = tx_now();
        if ((r = ruv_index_train(st.idx, nb, base)) != RUV_OK) {
            fprintf(stderr, "ruvector train: %s\n", ruv_result_string(r));
            return 1;
        }
        train_s = tx_now() - t0;
        t0 = tx_now();
        memset(&bo, 0, sizeof bo);
        bo.threads = o.threads;
        if ((r = ruv_index_add_batch(st.idx, nb, keys, base, &bo)) != RUV_OK) {
            fprintf(stderr, "ruvector add: %s\n", ruv_result_string(r));
            return 1;
        }
        build_s = tx_now() - t0;
        rss_json = rss_field(rss, sizeof rss, rss0, rss_now(), nb);
        stats = ruv_index_stats(st.idx);
        st.build_s = build_s;
        for (i = 0; i < o.n_rerank; i++)
            snprintf(ruv_extra[i], sizeof ruv_extra[i],
                     ",\"isa\":\"%s\",\"build_threads\":%u,\"quant\":\"%s\",\"rerank\":%u,"
                     "\"f32_copy\":%d,\"code_bytes_per_vec\":%.1f,\"train_s\":%.3f,"
                     "\"walk_bits\":%u,\"rerank_dtype\":\"%s\"%s%s",
                     ruv_isa_name(ruv_index_config(st.idx).isa), o.threads ? o.threads : 1,
                     qn[o.quant], o.rerank[i], stats.vector_bytes > 0,
                     (double)(o.quant ? stats.code_bytes : stats.vector_bytes) / (double)nb,
                     train_s, o.walk_bits, ruv_dtype_name(o.rerank_dtype), rss_json,
                     o.interleave ? ",\"interleaved\":1" : "");
        for (e = 0; !o.interleave && e < (o.kind == RUV_INDEX_HNSW ? o.n_ef : 1); e++)
            for (i = 0; i < o.n_rerank; i++) {
                st.rerank = o.rerank[i];
                measure(&o, "ruvector", ruv_search_one, &st, qs, nq, dim, gt, gd, nb, o.ef[e],
                        build_s, ruv_index_memory_usage(st.idx), ruv_extra[i]);
            }
        if (o.persist && persist(&o, st.idx) != 0)
            return 1;
        if (o.interleave) { /* searched with the peers below */
            ruv_st = st;
            for (i = 0; i < o.n_rerank; i++) {
                lane *l = &lanes[n_lanes++];
                ruv_rr[i] = st;
                ruv_rr[i].rerank = o.rerank[i];
                l->lib = "ruvector";
                l->extra = ruv_extra[i];
                l->fn = ruv_search_one;
                l->state = &ruv_rr[i];
                l->build_s = build_s;
                l->mem = st.idx;
            }
        } else {
            ruv_search_ctx_free(st.ctx);
            ruv_index_free(st.idx);
        }
        free(keys);
    }
    if (run_peer && o.kind == RUV_INDEX_HNSW) {
#ifdef RUV_BENCH_HNSWLIB
        size_t bytes, rss0;
        double t0, build_s;
        char rss[64];
        if (o.metric == RUV_METRIC_COSINE && !unit) { /* hnswlib has no cosine: normalise, use ip */
            normalize_rows(base, nb, dim);
            normalize_rows(qs, nq, dim);
            unit = 1;
        }
        rss0 = rss_now();
        t0 = tx_now();
        hnswlib = peer_hnswlib_build(base, nb, dim, o.metric != RUV_METRIC_L2SQ, (int)o.M,
                                     (int)o.efc, (unsigned)o.seed, &bytes);
        build_s = tx_now() - t0;
        snprintf(hnswlib_extra, sizeof hnswlib_extra, "%s%s",
                 rss_field(rss, sizeof rss, rss0, rss_now(), nb),
                 o.interleave ? ",\"interleaved\":1" : "");
        for (e = 0; !o.interleave && e < o.n_ef; e++)
            measure(&o, "hnswlib", hnswlib_search_one, hnswlib, qs, nq, dim, gt, gd, nb, o.ef[e],
                    build_s, bytes, hnswlib_extra);
        /* interleaved: searched with the others below (cosine: the queries are normalised now,
           which changes no cosine distance) */
        if (o.interleave) {
            lane *l = &lanes[n_lanes++];
            l->lib = "hnswlib";
            l->extra = hnswlib_extra;
            l->fn = hnswlib_search_one;
            l->state = hnswlib;
            l->build_s = build_s;
            l->bytes = bytes;
        } else {
            peer_hnswlib_free(hnswlib);
            hnswlib = NULL;
        }
#else
        if (strcmp(o.lib, "all") != 0) {
            fprintf(stderr, "this ruv_bench was built without hnswlib (libhnswlib-dev)\n");
            return 1;
        }
#endif
    }
    if (run_glass && o.kind != RUV_INDEX_HNSW && !strcmp(o.lib, "glass")) {
        fprintf(stderr, "glass is a graph index: --lib glass needs --index hnsw\n");
        return 1;
    }
    if (run_glass && o.kind == RUV_INDEX_HNSW) {
#ifdef RUV_BENCH_GLASS
        if (o.metric == RUV_METRIC_COSINE && !unit) {
            normalize_rows(base, nb, dim); /* glass has no cosine: normalise, use ip */
            normalize_rows(qs, nq, dim);
            unit = 1;
        }
        if (glass_setup(&o, base, nb, dim, &glass) != 0) {
            fprintf(stderr, "glass: cannot build its graph or searchers\n");
            return 1;
        }
        for (i = 0; i < GLASS_CONFIGS; i++) {
            for (e = 0; !o.interleave && e < o.n_ef; e++)
                measure(&o, glass_lib[i], glass_search_one, glass.s[i], qs, nq, dim, gt, gd, nb,
                        o.ef[e], glass.build_s, glass.bytes[i], glass.extra[i]);
            if (o.interleave) {
                lane *l = &lanes[n_lanes++];
                l->lib = glass_lib[i];
                l->extra = glass.extra[i];
                l->fn = glass_search_one;
                l->state = glass.s[i];
                l->build_s = glass.build_s;
                l->bytes = glass.bytes[i];
            } else {
                peer_glass_free(glass.s[i]);
                glass.s[i] = NULL;
            }
        }
#else
        if (strcmp(o.lib, "all") != 0) {
            fprintf(stderr, "this ruv_bench was built without glass: configure with "
                            "-DRUV_GLASS_DIR=<zilliztech/pyglass sources> (g++ >= 11, OpenMP; "
                            "see bench/README.md)\n");
            return 1;
        }
#endif
    }
    if (o.interleave) { /* every build done: the passes of all configurations, alternating */
        run_lanes(&o, lanes, n_lanes, qs, nq, dim, gt, gd, nb);
        ruv_search_ctx_free(ruv_st.ctx);
        ruv_index_free(ruv_st.idx);
#ifdef RUV_BENCH_HNSWLIB
        peer_hnswlib_free(hnswlib);
#endif
#ifdef RUV_BENCH_GLASS
        for (i = 0; i < GLASS_CONFIGS; i++)
            peer_glass_free(glass.s[i]);
#endif
    }
    if (run_faiss) {
#ifdef RUV_BENCH_FAISS
        size_t bytes, r;
        double train_s, add_s;
        char extra[256];
        const char *kind = o.quant == RUV_QUANT_PQ    ? "pq"
                           : o.kind == RUV_INDEX_HNSW ? "hnsw_sq8"
                                                      : "sq8";
        if (o.metric == RUV_METRIC_COSINE && !unit) { /* FAISS: cosine = ip of unit vectors */
            normalize_rows(base, nb, dim);
            normalize_rows(qs, nq, dim);
            unit = 1;
        }
        for (r = 0; r < o.n_rerank; r++) {
            unsigned rr = o.rerank[r] > 1 ? o.rerank[r] : 1;
            peer_faiss *p = peer_faiss_build(kind, base, nb, dim, o.metric != RUV_METRIC_L2SQ,
                                             (int)(o.pq_m ? o.pq_m : (unsigned)dim / 4), (int)o.M,
                                             (int)o.efc, rr, &train_s, &add_s, &bytes);
            if (!p) {
                fprintf(stderr, "faiss: cannot build %s\n", kind);
                return 1;
            }
            snprintf(extra, sizeof extra,
                     ",\"quant\":\"%s\",\"rerank\":%u,\"f32_copy\":%d,\"code_bytes_per_vec\":%u,"
                     "\"train_s\":%.3f",
                     o.quant == RUV_QUANT_PQ ? "pq" : "sq8", rr, rr > 1,
                     o.quant == RUV_QUANT_PQ ? (o.pq_m ? o.pq_m : (unsigned)dim / 4)
                                             : (unsigned)dim,
                     train_s);
            for (e = 0; e < (o.kind == RUV_INDEX_HNSW ? o.n_ef : 1); e++)
                measure(&o, "faiss", faiss_search_one, p, qs, nq, dim, gt, gd, nb, o.ef[e],
                        train_s + add_s, bytes, extra);
            peer_faiss_free(p);
        }
#else
        if (strcmp(o.lib, "all") != 0) {
            fprintf(stderr, "this ruv_bench was built without FAISS (libfaiss-dev)\n");
            return 1;
        }
#endif
    }
    free(base);
    free(qs);
    free(gt);
    return 0;
}
