/* texmex.h - readers for the texmex vector formats, and a clock. Shared by bench/, examples/ and
   tests/ (not part of the library).

   .fvecs: per record an int32 dim, then dim float32; .ivecs: the same with int32 values; both
   little-endian. All records of a file must have the same dim. */
#ifndef RUV_TEXMEX_H
#define RUV_TEXMEX_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef TX_NO_CLOCK
#include <time.h>
#endif

/* Reads a whole .fvecs/.ivecs file (4-byte values) into one malloc'd n x dim array. Returns NULL
   (with a message on stderr) if the file is missing, empty, ragged or truncated. max_rows > 0
   reads at most that many rows. */
static inline void *tx_read_vecs(const char *path, size_t max_rows, size_t *n, size_t *dim) {
    FILE *f = fopen(path, "rb");
    int32_t d = 0;
    size_t rows = 0, cap = 0;
    unsigned char *out = NULL;
    *n = *dim = 0;
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    while ((max_rows == 0 || rows < max_rows) && fread(&d, 4, 1, f) == 1) {
        if (d <= 0 || (*dim && (size_t)d != *dim)) {
            fprintf(stderr, "%s: bad or ragged dim %d at row %zu\n", path, (int)d, rows);
            goto fail;
        }
        *dim = (size_t)d;
        if (rows == cap) {
            void *p;
            cap = cap ? cap * 2 : 1024;
            p = realloc(out, cap * *dim * 4);
            if (!p)
                goto fail;
            out = (unsigned char *)p;
        }
        if (fread(out + rows * *dim * 4, 4, *dim, f) != *dim) {
            fprintf(stderr, "%s: truncated at row %zu\n", path, rows);
            goto fail;
        }
        rows++;
    }
    fclose(f);
    if (!rows) {
        fprintf(stderr, "%s: no rows\n", path);
        free(out);
        return NULL;
    }
    *n = rows;
    return out;
fail:
    fclose(f);
    free(out);
    *n = *dim = 0;
    return NULL;
}

static inline float *tx_read_fvecs(const char *path, size_t max_rows, size_t *n, size_t *dim) {
    return (float *)tx_read_vecs(path, max_rows, n, dim);
}

static inline int32_t *tx_read_ivecs(const char *path, size_t max_rows, size_t *n, size_t *dim) {
    return (int32_t *)tx_read_vecs(path, max_rows, n, dim);
}

#ifndef TX_NO_CLOCK
/* Monotonic seconds (POSIX clock_gettime; define _POSIX_C_SOURCE before any include). */
static inline double tx_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
#endif

/* A comma-separated list of unsigned numbers ("16,64,256") into out[0..cap-1]; returns how many. */
static inline size_t tx_list(const char *s, unsigned *out, size_t cap) {
    size_t n = 0;
    while (*s && n < cap) {
        out[n++] = (unsigned)strtoul(s, NULL, 10);
        s += strcspn(s, ",");
        if (*s == ',')
            s++;
    }
    return n;
}

/* qsort comparison of doubles, ascending. */
static inline int tx_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* recall@k of `found` (nq x k keys, count[i] valid per row) against truth (nq x tdim ids, first k
   used): mean over queries of |found_i ∩ truth_i[0..k-1]| / k. */
static inline double tx_recall(const uint64_t *found, const size_t *count, size_t k,
                               const int32_t *truth, size_t tdim, size_t nq) {
    size_t q, i, j, hit = 0;
    for (q = 0; q < nq; q++)
        for (i = 0; i < count[q] && i < k; i++)
            for (j = 0; j < k && j < tdim; j++)
                if (found[q * k + i] == (uint64_t)truth[q * tdim + j]) {
                    hit++;
                    break;
                }
    return nq ? (double)hit / (double)(nq * k) : 0.0;
}

/* A sparse matrix in the big-ann-benchmarks CSR format (.csr): int64 rows, cols, nnz, int64 row
   pointers[rows + 1], uint32 ids[nnz], float32 values[nnz], little-endian host assumed. */
typedef struct tx_csr {
    int64_t rows, cols, nnz, *ptr;
    uint32_t *ids;
    float *vals;
} tx_csr;

/* Releases the arrays of *c and clears it. */
static inline void tx_free_csr(tx_csr *c) {
    free(c->ptr);
    free(c->ids);
    free(c->vals);
    memset(c, 0, sizeof *c);
}

/* Reads a .csr file into *c (malloc'd arrays, tx_free_csr releases them); 0 if the file is
   missing, truncated or inconsistent (then *c holds nothing). */
static inline int tx_read_csr(const char *path, tx_csr *c) {
    FILE *f = fopen(path, "rb");
    int64_t h[3];
    int ok = f && fread(h, 8, 3, f) == 3 && h[0] > 0 && h[2] >= 0;
    memset(c, 0, sizeof *c);
    if (ok) {
        c->rows = h[0], c->cols = h[1], c->nnz = h[2];
        c->ptr = (int64_t *)malloc((size_t)(h[0] + 1) * 8);
        c->ids = (uint32_t *)malloc((size_t)h[2] * 4 + 4);
        c->vals = (float *)malloc((size_t)h[2] * 4 + 4);
        ok = c->ptr && c->ids && c->vals &&
             fread(c->ptr, 8, (size_t)h[0] + 1, f) == (size_t)h[0] + 1 &&
             fread(c->ids, 4, (size_t)h[2], f) == (size_t)h[2] &&
             fread(c->vals, 4, (size_t)h[2], f) == (size_t)h[2] && c->ptr[h[0]] == h[2];
    }
    if (f)
        fclose(f);
    if (!ok)
        tx_free_csr(c);
    return ok;
}

#endif
