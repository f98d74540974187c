/* hybrid_search: dense + sparse (keyword) search over the same documents, fused by rank.

   678 chunks of the SAP Fiori tools documentation, each in two forms: a MiniLM-L6 sentence
   embedding (384 floats, cosine; tests/data/fiori_*.fvecs) and its BM25 term weights (a sparse
   vector over 13,968 terms, inner product = BM25 score; tests/data/fiori_bm25_*.csr). A dense
   HNSW index and a sparse index share the keys (document numbers); ruv_fuse merges their top
   lists with Reciprocal Rank Fusion. Prints the top hits of the first queries for each, then
   checks each against its own ground truth over all 100 queries: the dense HNSW top-10 against
   the exact cosine top-10, the sparse top-10 against the exact BM25 scores (it must equal them).
   Exit status 1 if the sparse search is not exact or the dense recall@10 is below 0.9.

     hybrid_search [--data DIR] [--text DIR] [--show N]
*/
#define _POSIX_C_SOURCE 200809L
#define RUVECTOR_IMPLEMENTATION
#include "../bench/texmex.h"
#include "../ruvector.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RUV_TEST_DATA_DIR
#define RUV_TEST_DATA_DIR "tests/data"
#endif
#ifndef RUV_EXAMPLE_DATA_DIR
#define RUV_EXAMPLE_DATA_DIR "examples/data"
#endif

/* The lines of a text file (one buffer, *n lines), or NULL. */
static char **read_lines(const char *path, size_t *n, char **buf) {
    FILE *f = fopen(path, "rb");
    long len;
    size_t cap = 0, i;
    char **l = NULL;
    *n = 0;
    *buf = NULL;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
        !(*buf = (char *)malloc((size_t)len + 1)) ||
        fread(*buf, 1, (size_t)len, f) != (size_t)len) {
        if (f)
            fclose(f);
        free(*buf);
        return NULL;
    }
    fclose(f);
    (*buf)[len] = '\0';
    for (i = 0; i < (size_t)len; i++)
        cap += (*buf)[i] == '\n';
    l = (char **)malloc((cap + 1) * sizeof *l);
    for (i = 0; l && i < (size_t)len;) {
        l[(*n)++] = *buf + i;
        i += strcspn(*buf + i, "\n");
        (*buf)[i++] = '\0';
    }
    return l;
}

static void fail(const char *what, ruv_result r) {
    fprintf(stderr, "%s: %s\n", what, ruv_result_string(r));
    exit(1);
}

int main(int argc, char **argv) {
    const char *data = RUV_TEST_DATA_DIR, *text = RUV_EXAMPLE_DATA_DIR;
    char path[1024], *nbuf = NULL, *vbuf = NULL, **names, **vocab;
    size_t nb, dim, nq, qd, gn, gd, sn, sd, nnames, nvocab, i, q, j, show = 3, k = 10, pool = 50;
    size_t dense_hits = 0, sparse_exact = 0, fused_in_dense = 0, fused_in_sparse = 0;
    float *base, *queries, *gt_scores;
    int32_t *gt;
    tx_csr sb, sq;
    ruv_index *dense;
    ruv_sparse_index *sparse;
    ruv_index_options cfg;
    ruv_sparse_options scfg = ruv_sparse_options_init();
    ruv_search_options so;
    ruv_result r;
    int a;

    for (a = 1; a + 1 < argc; a += 2) {
        if (!strcmp(argv[a], "--data"))
            data = argv[a + 1];
        else if (!strcmp(argv[a], "--text"))
            text = argv[a + 1];
        else if (!strcmp(argv[a], "--show"))
            show = (size_t)strtoul(argv[a + 1], NULL, 10);
        else
            break;
    }
    if (a < argc) {
        fprintf(stderr, "usage: hybrid_search [--data DIR] [--text DIR] [--show N]\n");
        return 2;
    }
    snprintf(path, sizeof path, "%s/fiori_base.fvecs", data);
    base = tx_read_fvecs(path, 0, &nb, &dim);
    snprintf(path, sizeof path, "%s/fiori_query.fvecs", data);
    queries = tx_read_fvecs(path, 0, &nq, &qd);
    snprintf(path, sizeof path, "%s/fiori_groundtruth.ivecs", data);
    gt = tx_read_ivecs(path, 0, &gn, &gd);
    snprintf(path, sizeof path, "%s/fiori_bm25_groundtruth_scores.fvecs", data);
    gt_scores = tx_read_fvecs(path, 0, &sn, &sd);
    snprintf(path, sizeof path, "%s/fiori_bm25_base.csr", data);
    a = tx_read_csr(path, &sb);
    snprintf(path, sizeof path, "%s/fiori_bm25_query.csr", data);
    a = a && tx_read_csr(path, &sq);
    snprintf(path, sizeof path, "%s/fiori_names.txt", text);
    names = read_lines(path, &nnames, &nbuf);
    snprintf(path, sizeof path, "%s/fiori_bm25_vocab.txt", text);
    vocab = read_lines(path, &nvocab, &vbuf);
    if (!base || !queries || !gt || !gt_scores || !a || !names || !vocab || qd != dim ||
        (size_t)sb.rows != nb || (size_t)sq.rows != nq || gn != nq || sn != nq || gd < k ||
        sd < k || nnames < nb + nq || nvocab < (size_t)sb.cols) {
        fprintf(stderr, "missing data in %s / %s (use --data DIR --text DIR)\n", data, text);
        return 1;
    }

    /* the two indexes, keys = document numbers */
    cfg = ruv_index_options_init((uint32_t)dim);
    cfg.metric = RUV_METRIC_COSINE;
    cfg.kind = RUV_INDEX_HNSW;
    if ((r = ruv_index_create(&cfg, &dense)) != RUV_OK)
        fail("ruv_index_create", r);
    if ((r = ruv_sparse_create(&scfg, &sparse)) != RUV_OK)
        fail("ruv_sparse_create", r);
    for (i = 0; i < nb; i++) {
        if ((r = ruv_index_add(dense, i, base + i * dim)) != RUV_OK)
            fail("ruv_index_add", r);
        if ((r = ruv_sparse_add(sparse, i, (size_t)(sb.ptr[i + 1] - sb.ptr[i]), sb.ids + sb.ptr[i],
                                sb.vals + sb.ptr[i])) != RUV_OK)
            fail("ruv_sparse_add", r);
    }
    printf("%zu documents: dense HNSW (MiniLM %zu-d, cosine) and sparse BM25 (%lld terms, "
           "%lld nonzeros), keys shared\n",
           nb, dim, (long long)sb.cols, (long long)sb.nnz);

    memset(&so, 0, sizeof so);
    so.ef_search = 64;
    for (q = 0; q < nq; q++) {
        ruv_hit dh[50], sh[50];
        ruv_fused_hit fh[10];
        const ruv_hit *lists[2];
        size_t counts[2], nd = 0, ns = 0, nf = 0, qn = (size_t)(sq.ptr[q + 1] - sq.ptr[q]), t;
        if ((r = ruv_index_search(dense, queries + q * dim, pool, &so, dh, &nd)) != RUV_OK)
            fail("ruv_index_search", r);
        if ((r = ruv_sparse_search(sparse, qn, sq.ids + sq.ptr[q], sq.vals + sq.ptr[q], pool, NULL,
                                   sh, &ns)) != RUV_OK)
            fail("ruv_sparse_search", r);
        lists[0] = dh, lists[1] = sh, counts[0] = nd, counts[1] = ns;
        if ((r = ruv_fuse(2, lists, counts, k, NULL, fh, &nf)) != RUV_OK) /* RRF, k = 60 */
            fail("ruv_fuse", r);

        /* each against its own ground truth */
        for (i = 0; i < k && i < nd; i++)
            for (j = 0; j < k; j++)
                dense_hits += dh[i].key == (uint64_t)gt[q * gd + j];
        for (i = 0, a = 1; i < k; i++) { /* BM25 score = 1 - distance (inner product) */
            double want = gt_scores[q * sd + i], got = i < ns ? 1.0 - (double)sh[i].distance : 0;
            a = a && fabs(got - want) <= 1e-4 * (1.0 + fabs(want));
        }
        sparse_exact += (size_t)a;
        for (i = 0; i < nf; i++)
            for (j = 0; j < k; j++) {
                fused_in_dense += fh[i].key == (uint64_t)gt[q * gd + j];
                fused_in_sparse += j < ns && fh[i].key == sh[j].key;
            }

        if (q >= show)
            continue;
        printf("\nquery %zu (%s), BM25 terms:", q, names[nb + q]);
        for (t = 0; t < qn; t++)
            printf(" %s", vocab[sq.ids[sq.ptr[q] + t]]);
        printf("\n  %-8s", "dense");
        for (i = 0; i < 3 && i < nd; i++)
            printf("  %s (%.3f)", names[dh[i].key], dh[i].distance);
        printf("\n  %-8s", "sparse");
        for (i = 0; i < 3 && i < ns; i++)
            printf("  %s (BM25 %.2f)", names[sh[i].key], 1.0 - sh[i].distance);
        printf("\n  %-8s", "fused");
        for (i = 0; i < 3 && i < nf; i++)
            printf("  %s (RRF %.4f)", names[fh[i].key], fh[i].score);
        printf("\n");
    }
    printf("\nover %zu queries:\n", nq);
    printf("  dense  HNSW ef 64 recall@10 against the exact cosine top-10: %.3f\n",
           (double)dense_hits / (double)(nq * k));
    printf("  sparse top-10 equal to the exact BM25 scores: %zu of %zu queries\n", sparse_exact,
           nq);
    printf("  fused  top-10 (RRF of the top %zu each): %.3f of the dense ground truth, %.3f of the "
           "sparse top-10\n",
           pool, (double)fused_in_dense / (double)(nq * k),
           (double)fused_in_sparse / (double)(nq * k));
    ruv_index_free(dense);
    ruv_sparse_free(sparse);
    free(base), free(queries), free(gt), free(gt_scores), free(names), free(nbuf), free(vocab);
    free(vbuf), tx_free_csr(&sb), tx_free_csr(&sq);
    return sparse_exact == nq && dense_hits >= nq * k * 9 / 10 ? 0 : 1;
}
