/* Firmware-style test of ruvector.h on Cortex-M (bare metal, run under qemu-system-arm with
   semihosting): the library is built with no OS services (RUV_NO_STDIO, RUV_NO_THREADS, no
   default allocator: RUV_MALLOC is defined to fail, so every byte comes from the static arena
   passed as the index's allocator) and checked against exact double-precision answers:

     flat f32 (squared L2)      recall@10 = 1
     HNSW f32 (squared L2)      recall@10 >= 0.95
     HNSW SQ8 (cosine), trained recall@10 >= 0.90 (with f32 copies re-ranking, and codes only)
     delete + search            deleted keys never returned
     HNSW int8 (squared L2) and HNSW binary (Hamming, the sign bits): recall@10 >= 0.95 by
                                distance (integer distances tie: a hit is a returned entry at
                                most the exact 10th distance away)
     sparse (inner product)     top-10 exact (pruned, pruned in 64-slot windows, brute force
                                after a save to a buffer and a load through the arena)

   Prints one line per check, the RAM per vector of each index and the arena's high-water mark,
   and ends with "N passed, N failed" (exit status 0 iff nothing failed). */
#include "fw_config.h"

#include <math.h>
#include <stdio.h>

#define N 1200
#define DIM 24
#define NQ 40
#define K 10

/* ---- a first-fit arena with coalescing free list: the caller's allocator ------------------- */
#define ARENA_BYTES (1536u * 1024u)
static union {
    unsigned char bytes[ARENA_BYTES];
    double align;
} g_arena;
typedef struct blk {
    size_t size; /* bytes including this header */
    struct blk *next;
} blk;
static blk *g_free;
static size_t g_used, g_peak;

static void arena_init(void) {
    g_free = (blk *)(void *)g_arena.bytes;
    g_free->size = ARENA_BYTES;
    g_free->next = NULL;
}

static void *arena_alloc(void *user, size_t size) {
    blk **pp, *b;
    size_t need = (size + sizeof(blk) + 15) & ~(size_t)15;
    (void)user;
    for (pp = &g_free; (b = *pp) != NULL; pp = &b->next)
        if (b->size >= need) {
            if (b->size - need >= 64) { /* split: the tail stays free */
                blk *rest = (blk *)(void *)((unsigned char *)b + need);
                rest->size = b->size - need;
                rest->next = b->next;
                *pp = rest;
                b->size = need;
            } else
                *pp = b->next;
            g_used += b->size;
            if (g_used > g_peak)
                g_peak = g_used;
            return (unsigned char *)b + sizeof(blk);
        }
    return NULL;
}

static void arena_free(void *user, void *p, size_t size) {
    blk *b, **pp;
    (void)user;
    (void)size;
    if (!p)
        return;
    b = (blk *)(void *)((unsigned char *)p - sizeof(blk));
    g_used -= b->size;
    for (pp = &g_free; *pp && *pp < b; pp = &(*pp)->next) /* address order, then coalesce */
        ;
    b->next = *pp;
    *pp = b;
    if (b->next && (unsigned char *)b + b->size == (unsigned char *)b->next) {
        b->size += b->next->size;
        b->next = b->next->next;
    }
    if (pp != &g_free) {
        blk *prev = (blk *)(void *)((unsigned char *)pp - offsetof(blk, next));
        if ((unsigned char *)prev + prev->size == (unsigned char *)b) {
            prev->size += b->size;
            prev->next = b->next;
        }
    }
}

/* ---- data: clustered vectors from a fixed-seed generator ---------------------------------- */
static float g_base[N][DIM], g_query[NQ][DIM];
static uint64_t g_rng = 0x9E3779B97F4A7C15ull;
static float frand(void) { /* uniform in [-1, 1) */
    g_rng = g_rng * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((double)(g_rng >> 40) / (double)(1u << 23) - 1.0);
}

static void make_data(void) {
    static float centre[16][DIM];
    int c, i, d;
    for (c = 0; c < 16; c++)
        for (d = 0; d < DIM; d++)
            centre[c][d] = 2.0f * frand();
    for (i = 0; i < N; i++)
        for (d = 0; d < DIM; d++)
            g_base[i][d] = centre[i % 16][d] + 0.5f * frand();
    for (i = 0; i < NQ; i++)
        for (d = 0; d < DIM; d++)
            g_query[i][d] = centre[(i * 7) % 16][d] + 0.5f * frand();
}

/* Exact top K by brute force in double precision; cosine = 1 - cos, l2 = squared distance. */
static void exact(const float *q, int cosine, const unsigned char *gone, uint64_t out[K]) {
    double best[K];
    int i, d, j, m = 0;
    for (i = 0; i < N; i++) {
        double s = 0, qq = 0, bb = 0, dist;
        if (gone && gone[i])
            continue;
        for (d = 0; d < DIM; d++) {
            double x = q[d], y = g_base[i][d];
            if (cosine)
                s += x * y, qq += x * x, bb += y * y;
            else
                s += (x - y) * (x - y);
        }
        dist = cosine ? 1.0 - s / sqrt(qq * bb) : s;
        if (m == K && dist >= best[K - 1])
            continue;
        j = m < K ? m++ : K - 1;
        for (; j > 0 && best[j - 1] > dist; j--)
            best[j] = best[j - 1], out[j] = out[j - 1];
        best[j] = dist, out[j] = (uint64_t)i;
    }
}

static int g_passed, g_failed;
static void report(const char *what, int ok, double value, double floor) {
    printf("[%s] %-34s %.4f (floor %.2f)\n", ok ? " OK " : "FAIL", what, value, floor);
    if (ok)
        g_passed++;
    else
        g_failed++;
}

/* Builds an index of N vectors (keys = row numbers), searches the NQ queries and returns the
   recall@K against the exact answers; deletes every 5th key first when del is set. */
static double run(const char *name, ruv_index_kind kind, ruv_metric metric, ruv_quant quant,
                  int drop_f32, int del) {
    ruv_index_options cfg = ruv_index_options_init(DIM);
    ruv_index *idx = NULL;
    ruv_search_options sp;
    ruv_stats st;
    static unsigned char gone[N];
    uint64_t i;
    int q, hits = 0, bad = 0;
    cfg.kind = kind;
    cfg.metric = metric;
    cfg.quant = quant;
    cfg.drop_f32 = drop_f32;
    cfg.M = 8;
    cfg.ef_construction = 64;
    cfg.capacity = N;
    cfg.alloc.alloc = arena_alloc;
    cfg.alloc.free = arena_free;
    if (ruv_index_create(&cfg, &idx) != RUV_OK)
        return -1;
    if (quant == RUV_QUANT_SQ8 && ruv_index_train(idx, N, &g_base[0][0]) != RUV_OK)
        return ruv_index_free(idx), -1;
    for (i = 0; i < N; i++)
        if (ruv_index_add(idx, i, g_base[i]) != RUV_OK)
            return ruv_index_free(idx), -1;
    for (i = 0; i < N; i++)
        gone[i] = del && i % 5 == 0;
    for (i = 0; del && i < N; i += 5)
        if (ruv_index_remove(idx, i) != RUV_OK)
            return ruv_index_free(idx), -1;
    memset(&sp, 0, sizeof sp);
    sp.ef_search = 64;
    for (q = 0; q < NQ; q++) {
        ruv_hit got[K];
        uint64_t want[K];
        size_t n = 0, a, b;
        if (ruv_index_search(idx, g_query[q], K, &sp, got, &n) != RUV_OK || n != K)
            return ruv_index_free(idx), -1;
        exact(g_query[q], metric == RUV_METRIC_COSINE, gone, want);
        for (a = 0; a < K; a++) {
            bad += gone[got[a].key];
            for (b = 0; b < K; b++)
                hits += got[a].key == want[b];
        }
    }
    st = ruv_index_stats(idx);
    printf("       %s: %u B of RAM per vector (%u vectors, capacity %u)\n", name,
           (unsigned)(st.total_bytes / N), (unsigned)N, (unsigned)st.capacity);
    ruv_index_free(idx);
    return bad ? -2 : (double)hits / (NQ * K);
}

/* The data as int8 (x 64, clamped) or as sign bits (dimension d = bit d % 8 of byte d / 8). */
static unsigned char g_tb[N][DIM], g_tq[NQ][DIM];
static void make_typed(ruv_dtype t) {
    int i, d;
    memset(g_tb, 0, sizeof g_tb);
    memset(g_tq, 0, sizeof g_tq);
    for (i = 0; i < N + NQ; i++)
        for (d = 0; d < DIM; d++) {
            float x = i < N ? g_base[i][d] : g_query[i - N][d];
            unsigned char *v = i < N ? g_tb[i] : g_tq[i - N];
            float y = x * 64.0f; /* the data reach about +-2: clamped to int8 */
            if (t == RUV_DTYPE_I8)
                v[d] = (unsigned char)(signed char)(y > 127.0f ? 127 : y < -127.0f ? -127 : (int)y);
            else if (x > 0.0f)
                v[d / 8] = (unsigned char)(v[d / 8] | 1u << (d % 8));
        }
}

static long typed_dist(ruv_dtype t, const unsigned char *a, const unsigned char *b) {
    long s = 0;
    int d;
    for (d = 0; d < DIM; d++) {
        long x = (signed char)a[d], y = (signed char)b[d];
        if (t == RUV_DTYPE_I8)
            s += (x - y) * (x - y);
        else if (d < (DIM + 7) / 8) {
            unsigned v = (unsigned)(a[d] ^ b[d]);
            for (; v; v &= v - 1)
                s++;
        }
    }
    return s;
}

/* HNSW over int8 or binary vectors: recall@K by distance against a scan here. */
static double run_typed(const char *name, ruv_dtype t, ruv_metric metric) {
    ruv_index_options cfg = ruv_index_options_init(DIM);
    ruv_index *idx = NULL;
    ruv_search_options sp;
    ruv_stats st;
    static long dist[N];
    int q, i, hits = 0;
    make_typed(t);
    cfg.kind = RUV_INDEX_HNSW;
    cfg.metric = metric;
    cfg.dtype = t;
    cfg.M = 8;
    cfg.ef_construction = 64;
    cfg.capacity = N;
    cfg.alloc.alloc = arena_alloc;
    cfg.alloc.free = arena_free;
    if (ruv_index_create(&cfg, &idx) != RUV_OK)
        return -1;
    for (i = 0; i < N; i++)
        if (ruv_index_add(idx, (uint64_t)i, g_tb[i]) != RUV_OK)
            return ruv_index_free(idx), -1;
    memset(&sp, 0, sizeof sp);
    sp.ef_search = 64;
    for (q = 0; q < NQ; q++) {
        ruv_hit got[K];
        size_t n = 0, a;
        long kth;
        int below;
        if (ruv_index_search(idx, g_tq[q], K, &sp, got, &n) != RUV_OK || n != K)
            return ruv_index_free(idx), -1;
        for (i = 0; i < N; i++)
            dist[i] = typed_dist(t, g_tq[q], g_tb[i]);
        for (kth = 0;; kth++) { /* the K-th smallest distance: fewer than K below it */
            for (i = 0, below = 0; i < N; i++)
                below += dist[i] <= kth;
            if (below >= K)
                break;
        }
        for (a = 0; a < K; a++)
            hits += dist[got[a].key] <= kth && (float)dist[got[a].key] == got[a].distance;
    }
    st = ruv_index_stats(idx);
    printf("       %s: %u B of RAM per vector\n", name, (unsigned)(st.total_bytes / N));
    ruv_index_free(idx);
    return (double)hits / (NQ * K);
}

/* Sparse vectors from the dense rows: the dimensions above 0.3 (ids ascending, their values). */
static size_t to_sparse(const float *x, uint32_t *ids, float *vals) {
    size_t n = 0, d;
    for (d = 0; d < DIM; d++)
        if (x[d] > 0.3f) {
            ids[n] = (uint32_t)d;
            vals[n++] = x[d];
        }
    return n;
}

/* A sparse index (inner product) on the arena: every query's top-K in windows of 64 slots
   (pruning) and by brute force equals the exact order computed here (dot in double in
   ascending id order, as the library sums; ties to the lower key); then saved to a buffer and
   loaded back through the arena, the same hits. Returns the fraction of exact queries (both
   indexes), or -1 on a failed call. */
static double run_sparse(void) {
    ruv_sparse_options so = ruv_sparse_options_init();
    ruv_sparse_index *idx = NULL, *back = NULL;
    ruv_allocator a;
    static uint32_t ids[DIM];
    static float vals[DIM];
    static double score[N];
    unsigned char *buf;
    size_t i, q, len = 0, nz = 0;
    int exact = 0, loaded;
    ruv_result r;
    a.alloc = arena_alloc, a.free = arena_free, a.user = NULL;
    so.alloc = a;
    if (ruv_sparse_create(&so, &idx) != RUV_OK)
        return -1;
    for (i = 0; i < N; i++) {
        size_t z = to_sparse(g_base[i], ids, vals);
        nz += z;
        if (ruv_sparse_add(idx, i, z, ids, vals) != RUV_OK)
            return ruv_sparse_free(idx), -1;
    }
    len = ruv_sparse_serialized_size(idx);
    if (!(buf = (unsigned char *)arena_alloc(NULL, len))) {
        ruv_sparse_free(idx);
        return -1;
    }
    r = ruv_sparse_save_buffer(idx, buf, len, &len);
    if (r == RUV_OK) {
        ruv_load_options lo;
        memset(&lo, 0, sizeof lo);
        lo.alloc = a;
        if (ruv_sparse_load_buffer(buf, len, &lo, &back) != RUV_OK)
            back = NULL;
    } else if (r == RUV_E_UNSUPPORTED) { /* a big-endian host (documented): no reload */
        printf("       sparse ip: big-endian host, no save/load\n");
        back = idx;
    }
    arena_free(NULL, buf, ruv_sparse_serialized_size(idx));
    for (q = 0; q < NQ && back; q++) {
        size_t nq = to_sparse(g_query[q], ids, vals), k, j, mode, ok = 1;
        uint64_t want[K];
        for (i = 0; i < N; i++) { /* reference: the same sum, in double */
            uint32_t bi[DIM];
            float bv[DIM];
            size_t nb = to_sparse(g_base[i], bi, bv), x = 0, y = 0;
            int shared = 0;
            score[i] = 0.0;
            while (x < nq && y < nb)
                if (ids[x] == bi[y]) {
                    score[i] += (double)vals[x++] * (double)bv[y++];
                    shared = 1;
                } else if (ids[x] < bi[y])
                    x++;
                else
                    y++;
            if (!shared)
                score[i] = -1e300;
        }
        for (k = 0; k < K; k++) { /* selection: best score, then the lower key */
            size_t best = N;
            for (i = 0; i < N; i++) {
                int taken = 0;
                for (j = 0; j < k; j++)
                    taken |= want[j] == i;
                if (!taken && score[i] > -1e300 && (best == N || score[i] > score[best]))
                    best = i;
            }
            want[k] = best;
        }
        for (mode = 0; mode < 3; mode++) {
            ruv_sparse_search_options o;
            ruv_hit got[K];
            size_t n = 0;
            memset(&o, 0, sizeof o);
            o.mode = mode == 2 ? RUV_SPARSE_BRUTE : RUV_SPARSE_PRUNED;
            o.window = mode == 1 ? 64u : 0u;
            if (ruv_sparse_search(mode == 2 ? back : idx, nq, ids, vals, K, &o, got, &n) != RUV_OK)
                ok = 0;
            for (k = 0; k < K; k++)
                ok &= k < n ? want[k] != N && got[k].key == want[k] : want[k] == N;
        }
        exact += (int)ok;
    }
    printf("       sparse ip: %u B of RAM per nonzero\n",
           (unsigned)(ruv_sparse_memory_usage(idx) / (nz ? nz : 1)));
    loaded = back != NULL;
    if (back != idx)
        ruv_sparse_free(back);
    ruv_sparse_free(idx);
    return loaded ? (double)exact / NQ : -1;
}

int main(void) {
    double r;
    arena_init();
    make_data();
    printf("ruvector %s on Cortex-M, kernels: %s; %d x %d vectors, %d queries\n", ruv_version(),
           ruv_isa_name(ruv_isa_best()), N, DIM, NQ);
    r = run("flat f32", RUV_INDEX_FLAT, RUV_METRIC_L2SQ, RUV_QUANT_NONE, 0, 0);
    report("flat f32 l2sq recall@10", r == 1.0, r, 1.0);
    r = run("hnsw f32", RUV_INDEX_HNSW, RUV_METRIC_L2SQ, RUV_QUANT_NONE, 0, 0);
    report("hnsw f32 l2sq recall@10", r >= 0.95, r, 0.95);
    r = run("hnsw sq8 + f32 copies", RUV_INDEX_HNSW, RUV_METRIC_COSINE, RUV_QUANT_SQ8, 0, 0);
    report("hnsw sq8 cosine recall@10", r >= 0.90, r, 0.90);
    r = run("hnsw sq8 codes only", RUV_INDEX_HNSW, RUV_METRIC_COSINE, RUV_QUANT_SQ8, 1, 0);
    report("hnsw sq8 codes only recall@10", r >= 0.90, r, 0.90);
    r = run("hnsw f32, 20% deleted", RUV_INDEX_HNSW, RUV_METRIC_L2SQ, RUV_QUANT_NONE, 0, 1);
    report("hnsw after deletes recall@10", r >= 0.95, r, 0.95);
    r = run_typed("hnsw int8", RUV_DTYPE_I8, RUV_METRIC_L2SQ);
    report("hnsw int8 l2sq recall@10", r >= 0.95, r, 0.95);
    r = run_typed("hnsw binary", RUV_DTYPE_BIN, RUV_METRIC_HAMMING);
    report("hnsw binary hamming recall@10", r >= 0.95, r, 0.95);
    r = run_sparse();
    report("sparse ip top-10 exact (+ reload)", r == 1.0, r, 1.0);
    report("arena back to empty after frees", g_used == 0, (double)g_used, 0);
    printf("arena high-water mark: %u bytes\n", (unsigned)g_peak);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed != 0;
}
