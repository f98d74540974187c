/* ruv_bench journal: the journal and checkpoints of ruv_index_open_file (src/journal.h), on files.

     ruv_bench journal [--dir DIR] [--dim 384] [--records 2000] [--sync-records 300]
                       [--group 64] [--n 100000] [--change 100] [--runs 3]

   1. Append throughput: single-vector upserts (dim f32, random, keys 0..records-1) into a flat
      f32 index opened with ruv_index_open_file in DIR, per durability level: RUV_DURABLE_MANUAL
      (no fsync), RUV_DURABLE_GROUP (fsync every --group records) and RUV_DURABLE_EACH (fsync
      per record, --sync-records of them), and the same upserts without a journal (the index's
      own cost). records/s = records / time of the loop (the final ruv_index_sync included).
   2. A saved database of --n x dim SQ8 vectors (flat, f32 copies kept, synthetic uniform data):
      the bytes of a full save (ruv_index_save_file, timed), the journal bytes written by
      --change single-vector adds after opening it with ruv_index_open_file, their ratio, and
      the time of ruv_index_checkpoint (full snapshot + new journal, both synced).
   Every figure is the median of --runs runs, printed with the smallest and largest. One JSON
   line per figure:
     {"bench":"journal","what":"append","durability":"each","dim":384,"records":300,
      "per_s":..,"min":..,"max":..}
   DIR (default ".") should be on the disk being measured: fsync on a RAM file system is
   nearly free. Files ruv_bench_journal.ruv and .journal are created there and removed. */
#define _POSIX_C_SOURCE 200809L
#include "../ruvector.h"
#include "texmex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t jb_rng = 88172645463325252ull;
static float jb_unit(void) { /* uniform [-1, 1) */
    jb_rng ^= jb_rng << 13, jb_rng ^= jb_rng >> 7, jb_rng ^= jb_rng << 17;
    return (float)((double)(jb_rng >> 11) / 4503599627370496.0 - 1.0);
}

static int jb_cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median, min, max of v[0..n-1] (sorts v). */
static void jb_stats(double *v, int n, double *med, double *lo, double *hi) {
    qsort(v, (size_t)n, sizeof *v, jb_cmp);
    *med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    *lo = v[0];
    *hi = v[n - 1];
}

static void jb_remove(const char *path) {
    char b[1100];
    snprintf(b, sizeof b, "%s.journal", path);
    remove(b);
    remove(path);
}

static long jb_file_size(const char *path) {
    FILE *f = fopen(path, "rb");
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (f)
        fclose(f);
    return n;
}

/* One append run: records upserts at durability dur (-1: no journal); records per second. */
static double jb_append(const char *path, unsigned dim, size_t records, int dur, unsigned group,
                        const float *vecs) {
    ruv_index_options o = ruv_index_options_init(dim);
    ruv_open_options oo;
    ruv_index *idx = NULL;
    size_t i;
    double t0, t;
    o.capacity = records;
    jb_remove(path);
    memset(&oo, 0, sizeof oo);
    oo.create = &o;
    oo.durability = dur < 0 ? RUV_DURABLE_MANUAL : (ruv_durability)dur;
    oo.group_records = group;
    if (dur < 0) {
        if (ruv_index_create(&o, &idx) != RUV_OK)
            return -1;
    } else if (ruv_index_open_file(path, &oo, &idx, NULL) != RUV_OK) {
        return -1;
    }
    t0 = tx_now();
    for (i = 0; i < records; i++)
        if (ruv_index_upsert(idx, i, vecs + (i % 1000) * dim) != RUV_OK)
            return -1;
    if (ruv_index_sync(idx) != RUV_OK)
        return -1;
    t = tx_now() - t0;
    ruv_index_free(idx);
    jb_remove(path);
    return (double)records / t;
}

int ruv_bench_journal(int argc, char **argv) {
    const char *dir = ".";
    char path[1024];
    unsigned dim = 384, group = 64, runs = 3, r;
    size_t records = 2000, sync_records = 300, n = 100000, change = 100, i;
    static const char *names[] = {"none", "each", "group", "manual"};
    double v[3][32], med, lo, hi;
    float *vecs;
    int a, d;
    for (a = 1; a + 1 < argc; a += 2) {
        if (!strcmp(argv[a], "--dir"))
            dir = argv[a + 1];
        else if (!strcmp(argv[a], "--dim"))
            dim = (unsigned)atoi(argv[a + 1]);
        else if (!strcmp(argv[a], "--records"))
            records = (size_t)atol(argv[a + 1]);
        else if (!strcmp(argv[a], "--sync-records"))
            sync_records = (size_t)atol(argv[a + 1]);
        else if (!strcmp(argv[a], "--group"))
            group = (unsigned)atoi(argv[a + 1]);
        else if (!strcmp(argv[a], "--n"))
            n = (size_t)atol(argv[a + 1]);
        else if (!strcmp(argv[a], "--change"))
            change = (size_t)atol(argv[a + 1]);
        else if (!strcmp(argv[a], "--runs"))
            runs = (unsigned)atoi(argv[a + 1]);
        else {
            fprintf(stderr, "ruv_bench journal: unknown option %s\n", argv[a]);
            return 1;
        }
    }
    if (!dim || !runs || runs > 32 || !records || !sync_records) {
        fprintf(stderr, "ruv_bench journal: bad options\n");
        return 1;
    }
    snprintf(path, sizeof path, "%s/ruv_bench_journal.ruv", dir);
    /* 1. appends: no journal, then each / group / manual */
    if (!(vecs = (float *)malloc((size_t)1000 * dim * sizeof *vecs)))
        return 1;
    for (i = 0; i < (size_t)1000 * dim; i++)
        vecs[i] = jb_unit();
    for (d = -1; d <= (int)RUV_DURABLE_MANUAL; d++) {
        size_t nrec = d == (int)RUV_DURABLE_EACH ? sync_records : records;
        for (r = 0; r < runs; r++)
            if ((v[0][r] = jb_append(path, dim, nrec, d, group, vecs)) < 0) {
                fprintf(stderr, "ruv_bench journal: append run failed\n");
                return 1;
            }
        jb_stats(v[0], (int)runs, &med, &lo, &hi);
        printf("{\"bench\":\"journal\",\"what\":\"append\",\"durability\":\"%s\",\"group\":%u,"
               "\"dim\":%u,\"records\":%lu,\"per_s\":%.0f,\"min\":%.0f,\"max\":%.0f}\n",
               names[d + 1], d == (int)RUV_DURABLE_GROUP ? group : 0, dim, (unsigned long)nrec, med,
               lo, hi);
        fflush(stdout);
    }
    free(vecs);
    /* 2. a saved n x dim SQ8 database: full save, a small change, checkpoint */
    if (n) {
        ruv_index_options o = ruv_index_options_init(dim);
        ruv_index *idx = NULL, *db = NULL;
        uint64_t *keys = (uint64_t *)malloc(n * sizeof *keys);
        float *x = (float *)malloc(n * dim * sizeof *x);
        long full = 0, jbytes = 0;
        char jpath[1100];
        snprintf(jpath, sizeof jpath, "%s.journal", path);
        o.quant = RUV_QUANT_SQ8;
        o.capacity = n + change;
        if (!keys || !x || ruv_index_create(&o, &idx) != RUV_OK)
            return 1;
        for (i = 0; i < n * dim; i++)
            x[i] = jb_unit();
        for (i = 0; i < n; i++)
            keys[i] = i;
        if (ruv_index_train(idx, n < 20000 ? n : 20000, x) != RUV_OK ||
            ruv_index_add_batch(idx, n, keys, x, NULL) != RUV_OK)
            return 1;
        for (r = 0; r < runs; r++) {
            double t0;
            jb_remove(path);
            t0 = tx_now();
            if (ruv_index_save_file(idx, path) != RUV_OK)
                return 1;
            v[0][r] = tx_now() - t0;
            full = jb_file_size(path);
            if (ruv_index_open_file(path, NULL, &db, NULL) != RUV_OK)
                return 1;
            for (i = 0; i < change; i++)
                if (ruv_index_add(db, n + i, x + i * dim) != RUV_OK)
                    return 1;
            jbytes = jb_file_size(jpath) - 32; /* the records, without the journal's header */
            t0 = tx_now();
            if (ruv_index_checkpoint(db) != RUV_OK)
                return 1;
            v[1][r] = tx_now() - t0;
            ruv_index_free(db);
        }
        jb_stats(v[0], (int)runs, &med, &lo, &hi);
        printf("{\"bench\":\"journal\",\"what\":\"full_save\",\"quant\":\"sq8\",\"n\":%lu,"
               "\"dim\":%u,\"bytes\":%ld,\"s\":%.3f,\"min\":%.3f,\"max\":%.3f}\n",
               (unsigned long)n, dim, full, med, lo, hi);
        printf("{\"bench\":\"journal\",\"what\":\"small_change\",\"quant\":\"sq8\",\"n\":%lu,"
               "\"dim\":%u,\"adds\":%lu,\"journal_bytes\":%ld,\"full_save_bytes\":%ld,"
               "\"percent\":%.4f}\n",
               (unsigned long)n, dim, (unsigned long)change, jbytes, full,
               100.0 * (double)jbytes / (double)full);
        jb_stats(v[1], (int)runs, &med, &lo, &hi);
        printf("{\"bench\":\"journal\",\"what\":\"checkpoint\",\"quant\":\"sq8\",\"n\":%lu,"
               "\"dim\":%u,\"s\":%.3f,\"min\":%.3f,\"max\":%.3f}\n",
               (unsigned long)(n + change), dim, med, lo, hi);
        jb_remove(path);
        ruv_index_free(idx);
        free(keys);
        free(x);
    }
    return 0;
}
