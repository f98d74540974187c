/* ruv_bench synth: writes a synthetic clustered data set in texmex format with exact ground
   truth, for the scale benchmark.

     ruv_bench synth --out PREFIX [--n 1000000] [--dim 128] [--nq 1000] [--clusters 1000]
                     [--sigma 0.1] [--seed 7] [--k 100]

   Writes PREFIX_base.fvecs (n x dim), PREFIX_query.fvecs (nq x dim) and
   PREFIX_groundtruth.ivecs (nq x k ids of the exact nearest base vectors in squared L2, by
   ruvector's flat index). Points are cluster centres (uniform in [-1, 1]^dim) plus Gaussian
   noise of standard deviation sigma per coordinate; each point's cluster is drawn uniformly; the
   queries come from the same distribution (not from the base). The same arguments give the same
   bytes. */
#define _POSIX_C_SOURCE 200809L
#include "../ruvector.h"
#include "texmex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t sy_next(uint64_t *s) {
    uint64_t x = (*s += 0x9E3779B97F4A7C15ull);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static double sy_unit(uint64_t *s) { /* (0, 1] */
    return (double)((sy_next(s) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

static double sy_gauss(uint64_t *s) { /* Box-Muller */
    return sqrt(-2.0 * log(sy_unit(s))) * cos(6.283185307179586 * sy_unit(s));
}

/* n x dim points around the centres. */
static float *sy_points(const float *centres, size_t nc, size_t n, size_t dim, double sigma,
                        uint64_t *seed) {
    float *v = (float *)malloc(n * dim * sizeof *v);
    size_t i, j;
    for (i = 0; v && i < n; i++) {
        const float *c = centres + (size_t)(sy_next(seed) % nc) * dim;
        for (j = 0; j < dim; j++)
            v[i * dim + j] = (float)(c[j] + sigma * sy_gauss(seed));
    }
    return v;
}

static int sy_write(const char *path, const void *rows, size_t n, size_t dim) {
    FILE *f = fopen(path, "wb");
    int32_t d = (int32_t)dim;
    size_t i;
    int ok = f != NULL;
    for (i = 0; ok && i < n; i++)
        ok = fwrite(&d, 4, 1, f) == 1 && fwrite((const char *)rows + i * dim * 4, 4, dim, f) == dim;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "synth: cannot write %s\n", path);
    return ok;
}

int ruv_bench_synth(int argc, char **argv);
int ruv_bench_synth(int argc, char **argv) {
    size_t n = 1000000, dim = 128, nq = 1000, nc = 1000, k = 100, i, j;
    double sigma = 0.1, t0;
    uint64_t seed = 7, *keys;
    const char *out = NULL;
    char path[1024];
    float *centres, *base, *qs;
    int32_t *gt;
    ruv_index_options cfg;
    ruv_index *flat;
    ruv_hit *hits;
    size_t *cnt;
    int a;
    for (a = 1; a + 1 < argc; a += 2) {
        const char *key = argv[a], *v = argv[a + 1];
        if (!strcmp(key, "--out"))
            out = v;
        else if (!strcmp(key, "--n"))
            n = (size_t)atoll(v);
        else if (!strcmp(key, "--dim"))
            dim = (size_t)atoll(v);
        else if (!strcmp(key, "--nq"))
            nq = (size_t)atoll(v);
        else if (!strcmp(key, "--clusters"))
            nc = (size_t)atoll(v);
        else if (!strcmp(key, "--sigma"))
            sigma = atof(v);
        else if (!strcmp(key, "--seed"))
            seed = (uint64_t)atoll(v);
        else if (!strcmp(key, "--k"))
            k = (size_t)atoll(v);
        else
            out = NULL, a = argc;
    }
    if (!out || !n || !dim || !nq || !nc || !k || k > n || a != argc) {
        fprintf(stderr, "usage: ruv_bench synth --out PREFIX [--n 1000000] [--dim 128] "
                        "[--nq 1000] [--clusters 1000] [--sigma 0.1] [--seed 7] [--k 100]\n");
        return 2;
    }
    t0 = tx_now();
    centres = (float *)malloc(nc * dim * sizeof *centres);
    for (i = 0; centres && i < nc * dim; i++)
        centres[i] = (float)(2.0 * sy_unit(&seed) - 1.0);
    base = centres ? sy_points(centres, nc, n, dim, sigma, &seed) : NULL;
    qs = base ? sy_points(centres, nc, nq, dim, sigma, &seed) : NULL;
    keys = (uint64_t *)malloc(n * sizeof *keys);
    gt = (int32_t *)malloc(nq * k * sizeof *gt);
    hits = (ruv_hit *)malloc(nq * k * sizeof *hits);
    cnt = (size_t *)malloc(nq * sizeof *cnt);
    if (!qs || !keys || !gt || !hits || !cnt) {
        fprintf(stderr, "synth: out of memory\n");
        return 1;
    }
    for (i = 0; i < n; i++)
        keys[i] = i;
    cfg = ruv_index_options_init((uint32_t)dim);
    cfg.capacity = n;
    if (ruv_index_create(&cfg, &flat) != RUV_OK ||
        ruv_index_add_batch(flat, n, keys, base, NULL) != RUV_OK ||
        ruv_index_search_batch(flat, nq, qs, k, NULL, hits, cnt) != RUV_OK) {
        fprintf(stderr, "synth: exact search failed\n");
        return 1;
    }
    for (i = 0; i < nq; i++)
        for (j = 0; j < k; j++)
            gt[i * k + j] = (int32_t)hits[i * k + j].key;
    snprintf(path, sizeof path, "%s_base.fvecs", out);
    if (!sy_write(path, base, n, dim))
        return 1;
    snprintf(path, sizeof path, "%s_query.fvecs", out);
    if (!sy_write(path, qs, nq, dim))
        return 1;
    snprintf(path, sizeof path, "%s_groundtruth.ivecs", out);
    if (!sy_write(path, gt, nq, k))
        return 1;
    fprintf(stderr, "synth: %zu x %zu base, %zu queries, exact top-%zu in %.1f s\n", n, dim, nq, k,
            tx_now() - t0);
    ruv_index_free(flat);
    free(centres);
    free(base);
    free(qs);
    free(keys);
    free(gt);
    free(hits);
    free(cnt);
    return 0;
}
