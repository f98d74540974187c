/* glove_search: semantic search over real GloVe word vectors with ruvector.h.

   Builds an HNSW index (cosine) over the 25,000 most frequent English words (GloVe 6B 100-d,
   bundled in examples/data), prints the 10 nearest words of each word given on the command line
   (default: king paris computer), then measures recall@10 against exact flat search and
   queries per second over 1,000 held-out query words (not in the index).

     glove_search [--data DIR] [--ef N] [word ...]
*/
#define _POSIX_C_SOURCE 200809L
#define RUVECTOR_IMPLEMENTATION
#include "../bench/texmex.h"
#include "../ruvector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RUV_EXAMPLE_DATA_DIR
#define RUV_EXAMPLE_DATA_DIR "examples/data"
#endif

/* Reads one word per line; returns the array of n pointers into one buffer (*buf). */
static char **read_words(const char *path, size_t n, char **buf) {
    FILE *f = fopen(path, "rb");
    long len;
    char **w = NULL, *p;
    size_t i = 0;
    *buf = NULL;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0)
        goto done;
    *buf = (char *)malloc((size_t)len + 1);
    w = (char **)calloc(n, sizeof *w);
    if (!*buf || !w || fread(*buf, 1, (size_t)len, f) != (size_t)len)
        goto done;
    (*buf)[len] = '\0';
    for (p = *buf; i < n && *p; i++) {
        w[i] = p;
        p += strcspn(p, "\n");
        if (*p)
            *p++ = '\0';
    }
done:
    if (f)
        fclose(f);
    if (i < n) {
        fprintf(stderr, "cannot read %zu words from %s\n", n, path);
        free(w);
        free(*buf);
        *buf = NULL;
        return NULL;
    }
    return w;
}

static void fail(const char *what, ruv_result r) {
    fprintf(stderr, "%s: %s\n", what, ruv_result_string(r));
    exit(1);
}

int main(int argc, char **argv) {
    const char *dir = RUV_EXAMPLE_DATA_DIR;
    const char *defaults[] = {"king", "paris", "computer"};
    const char **query_words = defaults;
    size_t n_words = 3, nb, dim, nq, qd, i, j, k = 10;
    uint32_t ef = 64;
    char path[1024], *wbuf, **words;
    float *base, *queries;
    uint64_t *keys, *exact, *approx;
    size_t *cnt_e, *cnt_a;
    ruv_hit *hits;
    ruv_index *hnsw, *flat;
    ruv_index_options cfg;
    ruv_result r;
    ruv_search_options sp;
    double t0, build_s, best = 1e30, recall;
    int a, pass;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--data") == 0 && a + 1 < argc)
            dir = argv[++a];
        else if (strcmp(argv[a], "--ef") == 0 && a + 1 < argc)
            ef = (uint32_t)strtoul(argv[++a], NULL, 10);
        else
            break;
    }
    if (a < argc) {
        query_words = (const char **)(argv + a);
        n_words = (size_t)(argc - a);
    }

    snprintf(path, sizeof path, "%s/glove25k.fvecs", dir);
    base = tx_read_fvecs(path, 0, &nb, &dim);
    snprintf(path, sizeof path, "%s/glove_query.fvecs", dir);
    queries = tx_read_fvecs(path, 0, &nq, &qd);
    snprintf(path, sizeof path, "%s/glove25k.words", dir);
    words = base ? read_words(path, nb, &wbuf) : NULL;
    if (!base || !queries || !words || qd != dim) {
        fprintf(stderr, "missing data in %s (use --data DIR)\n", dir);
        return 1;
    }

    keys = (uint64_t *)malloc(nb * sizeof *keys);
    exact = (uint64_t *)malloc(nq * k * sizeof *exact);
    approx = (uint64_t *)malloc(nq * k * sizeof *approx);
    cnt_e = (size_t *)malloc(nq * sizeof *cnt_e);
    cnt_a = (size_t *)malloc(nq * sizeof *cnt_a);
    hits = (ruv_hit *)malloc(nq * (k + 1) * sizeof *hits);
    if (!keys || !exact || !approx || !cnt_e || !cnt_a || !hits)
        fail("setup", RUV_E_NOMEM);
    for (i = 0; i < nb; i++)
        keys[i] = i; /* key = row = word number */

    cfg = ruv_index_options_init((uint32_t)dim);
    cfg.metric = RUV_METRIC_COSINE;
    cfg.kind = RUV_INDEX_HNSW;
    cfg.capacity = nb;
    if ((r = ruv_index_create(&cfg, &hnsw)) != RUV_OK)
        fail("create", r);
    t0 = tx_now();
    if ((r = ruv_index_add_batch(hnsw, nb, keys, base, NULL)) != RUV_OK)
        fail("add", r);
    build_s = tx_now() - t0;
    printf("ruvector %s (%s kernels): HNSW over %zu GloVe words x %zu dims, M=%u "
           "ef_construction=%u, built in %.2f s, %.0f bytes/vector\n",
           ruv_version(), ruv_isa_name(ruv_index_config(hnsw).isa), nb, dim,
           ruv_index_config(hnsw).M, ruv_index_config(hnsw).ef_construction, build_s,
           (double)ruv_index_memory_usage(hnsw) / (double)nb);

    memset(&sp, 0, sizeof sp);
    sp.ef_search = ef;
    for (a = 0; a < (int)n_words; a++) {
        const char *w = query_words[a];
        size_t n;
        for (i = 0; i < nb && strcmp(words[i], w) != 0; i++)
            ;
        if (i == nb) {
            printf("\n%s: not among the %zu words\n", w, nb);
            continue;
        }
        if ((r = ruv_index_search(hnsw, base + i * dim, k + 1, &sp, hits, &n)) != RUV_OK)
            fail("search", r);
        printf("\nnearest to %s:\n", w);
        for (j = 0; j < n; j++)
            if (hits[j].key != i)
                printf("  %-16s %.3f\n", words[hits[j].key], 1.0 - hits[j].distance);
    }

    /* held-out queries: exact flat search is the reference */
    cfg.kind = RUV_INDEX_FLAT;
    if ((r = ruv_index_create(&cfg, &flat)) != RUV_OK ||
        (r = ruv_index_add_batch(flat, nb, keys, base, NULL)) != RUV_OK ||
        (r = ruv_index_search_batch(flat, nq, queries, k, NULL, hits, cnt_e)) != RUV_OK)
        fail("flat", r);
    for (i = 0; i < nq * k; i++)
        exact[i] = hits[i].key;
    for (pass = 0; pass < 3; pass++) {
        t0 = tx_now();
        for (i = 0; i < nq; i++)
            if ((r = ruv_index_search(hnsw, queries + i * qd, k, &sp, hits + i * k, cnt_a + i)) !=
                RUV_OK)
                fail("search", r);
        t0 = tx_now() - t0;
        if (t0 < best)
            best = t0;
    }
    for (i = 0; i < nq * k; i++)
        approx[i] = hits[i].key;
    {
        size_t hit = 0;
        for (i = 0; i < nq; i++)
            for (j = 0; j < cnt_a[i]; j++) {
                size_t e;
                for (e = 0; e < cnt_e[i]; e++)
                    if (approx[i * k + j] == exact[i * k + e]) {
                        hit++;
                        break;
                    }
            }
        recall = (double)hit / (double)(nq * k);
    }
    printf("\n%zu held-out query words, ef_search=%u: recall@10 = %.4f (vs exact flat search), "
           "%.0f queries/s (one at a time, one thread, best of 3)\n",
           nq, ef, recall, (double)nq / best);

    ruv_index_free(hnsw);
    ruv_index_free(flat);
    free(base);
    free(queries);
    free(words);
    free(wbuf);
    free(keys);
    free(exact);
    free(approx);
    free(cnt_e);
    free(cnt_a);
    free(hits);
    return recall >= 0.95 ? 0 : 2;
}
