/* ruv_bench concurrent: search throughput of reader threads on one HNSW index while writer
   threads change it (one writer + many readers, issue 21).

     ruv_bench concurrent --base B.fvecs --query Q.fvecs --gt G.ivecs [--metric cos|l2|ip]
                          [--dataset NAME] [--held-out 10000] [--readers 1,2] [--writers 0,1,2]
                          [--oversubscribed 4,2] [--queries 4000] [--ef-search 64] [--M 16]
                          [--ef-construction 200] [--build-threads 2] [--runs 3] [--max-q N]
                          [--serialize 0|1]

   Builds HNSW (keys = row numbers) on the base minus its last --held-out rows (10% by default,
   at most 10,000), with --build-threads threads. Then, for each run, every configuration (R
   readers x W writers, each R of --readers with each W of --writers, then the oversubscribed
   one, --oversubscribed R,W: more threads than the 2 cores of the reference machine) once, in
   an order rotated from run to run (interleaved, so that all see the same machine):
     readers  R threads, each with its own ruv_search_ctx, each searching --queries queries
              (k = 10, --ef-search) one at a time, cycling through the query file from its own
              offset; qps = R x queries / the slowest reader's time
     writers  W threads writing until the readers are done, each on its own keys (key % W):
              in turn, add the next held-out row (a new key), remove the oldest of its held-out
              rows once it has 64 live, and upsert a built row with its own vector (a new graph
              node for the key, the old one deleted; compactions follow from the removes).
              writer_ops_s = write calls / seconds, over all writers. After the readers finish,
              the writers stop and remove their held-out rows (untimed), so that every
              configuration starts from the built set of keys.
   Every reader result is checked after the timed part (the hits of each query's last search
   are kept): k hits, ascending distance, no key twice, every key a row of the base, and each
   distance the exact distance (double precision) to that row's vector within 1e-4 (the
   writers only ever give a key its own row's vector). A failure ends the program with status 1.
   recall10: mean |hits ∩ truth| / 10, where truth is the first 10 ids of the ground-truth file's
   list that are built rows (the file ranks the whole base; at most 64 held-out rows per writer
   are live at a time, so this is the exact top 10 of the built rows, approximately that of the
   live index).
   --serialize 1 takes a bench-side read-write lock around every call (readers shared, writers
   exclusive): what a coarse lock gives, and the only safe way to run this on a library without
   concurrent writers (before issue 21).

   One JSON line per (run, configuration), then, if nothing failed, one summary line per
   configuration:
     {"bench":"concurrent","dataset":..,"n":..,"dim":..,"held_out":..,"ef_search":64,
      "serialize":0,"run":1,"readers":2,"writers":1,"queries":..,"qps":..,"writer_ops_s":..,
      "recall10":..,"checked":..}
     {"bench":"concurrent","summary":1,...,"readers":2,"writers":1,"runs":3,"qps":<median>,
      "qps_min":..,"qps_max":..,"writer_ops_s":<median>,"writer_ops_s_min":..,
      "writer_ops_s_max":..,"recall10":<median>,"recall10_min":..,"recall10_max":..} */
#define _POSIX_C_SOURCE 200809L
#include "../ruvector.h"
#include "texmex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(RUV_NO_THREADS) && (defined(__unix__) || defined(__APPLE__)) &&                       \
    !defined(__EMSCRIPTEN__)
#include <pthread.h>
#include <sched.h>
#define CB_THREADS 1
#else
#define CB_THREADS 0
#endif

int ruv_bench_concurrent(int argc, char **argv);

#if CB_THREADS
#define CB_K 10
#define CB_MAXT 16
#define CB_WINDOW 64 /* held-out rows a writer keeps live at most */

typedef struct cb_shared {
    ruv_index *idx;
    const float *base, *qs;
    size_t nb, built, dim, nq, queries, writers;
    unsigned ef;
    int serialize;
    pthread_rwlock_t rw;
    int go, readers_left; /* atomics */
} cb_shared;

typedef struct cb_thread {
    cb_shared *s;
    size_t no;
    double secs;
    /* reader: the hits of each query's last search (nq x k) and their counts */
    ruv_hit *hits;
    size_t *cnt;
    double *lat; /* reader: seconds of each search */
    int fail;
    /* writer */
    size_t ops, next_held, live_from, live_to; /* held-out rows [live_from, live_to) are live */
    uint64_t rng;
} cb_thread;

static void cb_rd(cb_shared *s) {
    if (s->serialize)
        pthread_rwlock_rdlock(&s->rw);
}
static void cb_wr(cb_shared *s) {
    if (s->serialize)
        pthread_rwlock_wrlock(&s->rw);
}
static void cb_un(cb_shared *s) {
    if (s->serialize)
        pthread_rwlock_unlock(&s->rw);
}

static void cb_wait_go(cb_shared *s) {
    while (!__atomic_load_n(&s->go, __ATOMIC_ACQUIRE))
        sched_yield();
}

static void *cb_reader(void *arg) {
    cb_thread *t = (cb_thread *)arg;
    cb_shared *s = t->s;
    ruv_search_ctx *ctx = NULL;
    ruv_search_options so;
    ruv_hit h[CB_K];
    size_t i, n, q;
    double t0;
    memset(&so, 0, sizeof so);
    so.ef_search = s->ef;
    if (ruv_search_ctx_create(s->idx, &ctx) != RUV_OK)
        t->fail = 1;
    so.ctx = ctx;
    cb_wait_go(s);
    t0 = tx_now();
    for (i = 0; i < s->queries && !t->fail; i++) {
        ruv_result e;
        double ts = tx_now();
        q = (t->no * (s->nq / 4 + 1) + i) % s->nq;
        cb_rd(s);
        e = ruv_index_search(s->idx, s->qs + q * s->dim, CB_K, &so, h, &n);
        cb_un(s);
        t->lat[i] = tx_now() - ts;
        if (e != RUV_OK) {
            fprintf(stderr, "concurrent: search: %s\n", ruv_result_string(e));
            t->fail = 1;
        }
        memcpy(t->hits + q * CB_K, h, n * sizeof *h);
        t->cnt[q] = n;
    }
    t->secs = tx_now() - t0;
    __atomic_fetch_sub(&s->readers_left, 1, __ATOMIC_SEQ_CST);
    ruv_search_ctx_free(ctx);
    return NULL;
}

/* The held-out rows of writer w are built + w, built + w + W, ...: the i-th of them. */
static size_t cb_held(const cb_thread *t, size_t i) {
    return t->s->built + t->no + i * t->s->writers;
}

static void *cb_writer(void *arg) {
    cb_thread *t = (cb_thread *)arg;
    cb_shared *s = t->s;
    size_t held = (s->nb - s->built - t->no + s->writers - 1) / s->writers, step = 0;
    double t0;
    cb_wait_go(s);
    t0 = tx_now();
    while (__atomic_load_n(&s->readers_left, __ATOMIC_ACQUIRE) > 0 && !t->fail) {
        ruv_result e = RUV_OK;
        unsigned what = (unsigned)(step++ % 3);
        if (what == 1 && t->live_to - t->live_from < CB_WINDOW)
            what = 2;
        if (what == 0 && (t->live_to - t->live_from >= CB_WINDOW || t->next_held >= held))
            what = t->live_to > t->live_from ? 1 : 2;
        cb_wr(s);
        if (what == 0) { /* a new key */
            size_t row = cb_held(t, t->next_held++);
            e = ruv_index_add(s->idx, row, s->base + row * s->dim);
            t->live_to = t->next_held;
        } else if (what == 1) { /* the oldest live held-out row goes */
            e = ruv_index_remove(s->idx, cb_held(t, t->live_from++));
        } else { /* a built row of this writer's keys re-inserted with its own vector */
            size_t row =
                (size_t)(t->rng = t->rng * 6364136223846793005ull + 1442695040888963407ull);
            row = ((row >> 17) % (s->built / s->writers)) * s->writers + t->no;
            e = ruv_index_upsert(s->idx, row, s->base + row * s->dim);
        }
        cb_un(s);
        if (e != RUV_OK) {
            fprintf(stderr, "concurrent: write %u: %s\n", what, ruv_result_string(e));
            t->fail = 1;
        }
        t->ops++;
        if (t->next_held >= held && t->live_from == t->live_to) /* all used: start again */
            t->next_held = t->live_from = t->live_to = 0;
    }
    t->secs = tx_now() - t0;
    return NULL;
}

/* Exact distance (double) of the metric between a query and a base row. */
static double cb_dist(ruv_metric m, const float *a, const float *b, size_t dim) {
    double s = 0, aa = 0, bb = 0;
    size_t i;
    for (i = 0; i < dim; i++) {
        double x = a[i], y = b[i];
        if (m == RUV_METRIC_L2SQ)
            s += (x - y) * (x - y);
        else
            s += x * y, aa += x * x, bb += y * y;
    }
    if (m == RUV_METRIC_L2SQ)
        return s;
    if (m == RUV_METRIC_IP)
        return 1.0 - s;
    return aa > 0 && bb > 0 ? 1.0 - s / sqrt(aa * bb) : 1.0;
}

/* The checks and recall of one reader's kept hits; returns the number of failed checks. */
static size_t cb_check(const cb_shared *s, ruv_metric m, const cb_thread *t, const int32_t *truth,
                       size_t *checked, double *recall_sum, size_t *recall_n) {
    size_t q, i, j, bad = 0;
    for (q = 0; q < s->nq; q++) {
        const ruv_hit *h = t->hits + q * CB_K;
        size_t n = t->cnt[q], hit = 0;
        if (n == (size_t)-1)
            continue; /* not searched in this run */
        if (n != CB_K)
            bad++;
        for (i = 0; i < n && i < CB_K; i++) {
            double d;
            if (h[i].key >= s->nb) {
                bad++;
                continue;
            }
            d = cb_dist(m, s->qs + q * s->dim, s->base + h[i].key * s->dim, s->dim);
            if (fabs((double)h[i].distance - d) > 1e-4 * (1.0 + fabs(d)))
                bad++;
            if (i > 0 && h[i].distance < h[i - 1].distance)
                bad++;
            for (j = 0; j < i; j++)
                bad += h[j].key == h[i].key;
            for (j = 0; j < CB_K; j++)
                hit += truth[q * CB_K + j] >= 0 && (uint64_t)truth[q * CB_K + j] == h[i].key;
        }
        *checked += 1;
        *recall_sum += (double)hit / CB_K;
        *recall_n += 1;
    }
    return bad;
}

static int cb_cmp(const void *a, const void *b) { return tx_cmp_double(a, b); }

static double cb_median(double *v, size_t n, double *lo, double *hi) {
    qsort(v, n, sizeof *v, cb_cmp);
    *lo = v[0];
    *hi = v[n - 1];
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
#endif

int ruv_bench_concurrent(int argc, char **argv) {
#if CB_THREADS
    const char *basep = NULL, *queryp = NULL, *gtp = NULL, *dataset = "unnamed", *mname = "cos";
    unsigned rlist[8], wlist[8], over[2] = {4, 2}, M = 16, efc = 200, bthreads = 2, runs = 3;
    size_t nr, nw, nover = 2, held = 0, max_q = 0, ng, gd, i, j, q, run, c, ncfg;
    int held_set = 0, a, fails = 0;
    ruv_metric metric = RUV_METRIC_COSINE;
    cb_shared s;
    float *base, *qs;
    int32_t *gt, *truth;
    uint64_t *keys;
    ruv_index_options cfg;
    ruv_build_options bo;
    double build_s, *qps, *wops, *rec, *p50, *p99, *pmax, *all;
    unsigned cr[72], cw[72];
    memset(&s, 0, sizeof s);
    s.queries = 4000;
    s.ef = 64;
    nr = tx_list("1,2", rlist, 8);
    nw = tx_list("0,1,2", wlist, 8);
    for (a = 1; a + 1 < argc; a += 2) {
        const char *k = argv[a], *v = argv[a + 1];
        if (!strcmp(k, "--base"))
            basep = v;
        else if (!strcmp(k, "--query"))
            queryp = v;
        else if (!strcmp(k, "--gt"))
            gtp = v;
        else if (!strcmp(k, "--dataset"))
            dataset = v;
        else if (!strcmp(k, "--metric"))
            mname = v;
        else if (!strcmp(k, "--held-out"))
            held = (size_t)atoll(v), held_set = 1;
        else if (!strcmp(k, "--readers"))
            nr = tx_list(v, rlist, 8);
        else if (!strcmp(k, "--writers"))
            nw = tx_list(v, wlist, 8);
        else if (!strcmp(k, "--oversubscribed"))
            nover = tx_list(v, over, 2);
        else if (!strcmp(k, "--queries"))
            s.queries = (size_t)atoll(v);
        else if (!strcmp(k, "--ef-search"))
            s.ef = (unsigned)atoi(v);
        else if (!strcmp(k, "--M"))
            M = (unsigned)atoi(v);
        else if (!strcmp(k, "--ef-construction"))
            efc = (unsigned)atoi(v);
        else if (!strcmp(k, "--build-threads"))
            bthreads = (unsigned)atoi(v);
        else if (!strcmp(k, "--runs"))
            runs = (unsigned)atoi(v);
        else if (!strcmp(k, "--max-q"))
            max_q = (size_t)atoll(v);
        else if (!strcmp(k, "--serialize"))
            s.serialize = atoi(v) != 0;
        else
            a = argc;
    }
    if (!strcmp(mname, "l2"))
        metric = RUV_METRIC_L2SQ;
    else if (!strcmp(mname, "ip"))
        metric = RUV_METRIC_IP;
    else if (strcmp(mname, "cos"))
        a = argc + 1;
    for (i = 0; i < nr; i++)
        a = rlist[i] < 1 || rlist[i] > CB_MAXT / 2 ? argc + 1 : a;
    for (i = 0; i < nw; i++)
        a = wlist[i] > CB_MAXT / 2 ? argc + 1 : a;
    if (nover == 2 && (over[0] < 1 || over[0] > CB_MAXT / 2 || over[1] > CB_MAXT / 2))
        a = argc + 1;
    if (!basep || !queryp || !gtp || a != argc || runs < 1 || runs > 64 || !nr || !nw ||
        (nover != 0 && nover != 2) || s.queries < 1 || s.ef < CB_K) {
        fprintf(stderr,
                "usage: ruv_bench concurrent --base B.fvecs --query Q.fvecs --gt G.ivecs "
                "[--metric cos|l2|ip] [--dataset NAME] [--held-out N] [--readers 1,2] "
                "[--writers 0,1,2] [--oversubscribed R,W] [--queries 4000] [--ef-search 64] "
                "[--M 16] [--ef-construction 200] [--build-threads 2] [--runs 3] [--max-q N] "
                "[--serialize 0|1]\n");
        return 2;
    }
    base = tx_read_fvecs(basep, 0, &s.nb, &s.dim);
    qs = tx_read_fvecs(queryp, max_q, &s.nq, &i);
    gt = tx_read_ivecs(gtp, max_q, &ng, &gd);
    if (!base || !qs || !gt || i != s.dim || ng != s.nq || gd < CB_K) {
        fprintf(stderr, "concurrent: data files missing or inconsistent\n");
        return 1;
    }
    if (!held_set)
        held = s.nb / 10 < 10000 ? s.nb / 10 : 10000;
    if (held >= s.nb / 2) {
        fprintf(stderr, "concurrent: --held-out must be under half the base\n");
        return 2;
    }
    s.built = s.nb - held;
    s.base = base;
    s.qs = qs;
    /* truth: the first 10 ids of each ground-truth list that are built rows (-1: too few) */
    truth = (int32_t *)malloc(s.nq * CB_K * sizeof *truth);
    keys = (uint64_t *)malloc(s.built * sizeof *keys);
    if (!truth || !keys) {
        fprintf(stderr, "concurrent: out of memory\n");
        return 1;
    }
    for (q = 0; q < s.nq; q++) {
        for (i = j = 0; i < gd && j < CB_K; i++)
            if (gt[q * gd + i] >= 0 && (size_t)gt[q * gd + i] < s.built)
                truth[q * CB_K + j++] = gt[q * gd + i];
        for (; j < CB_K; j++)
            truth[q * CB_K + j] = -1;
    }
    for (i = 0; i < s.built; i++)
        keys[i] = i;
    cfg = ruv_index_options_init((uint32_t)s.dim);
    cfg.kind = RUV_INDEX_HNSW;
    cfg.metric = metric;
    cfg.M = M;
    cfg.ef_construction = efc;
    memset(&bo, 0, sizeof bo);
    bo.threads = bthreads;
    build_s = tx_now();
    if (ruv_index_create(&cfg, &s.idx) != RUV_OK ||
        ruv_index_reserve(s.idx, s.nb + 1024) != RUV_OK ||
        ruv_index_add_batch(s.idx, s.built, keys, base, &bo) != RUV_OK) {
        fprintf(stderr, "concurrent: build failed\n");
        return 1;
    }
    build_s = tx_now() - build_s;
    fprintf(stderr, "concurrent: built %zu of %zu rows in %.1f s (%u threads)\n", s.built, s.nb,
            build_s, bthreads);
    pthread_rwlock_init(&s.rw, NULL);
    /* the configurations: readers x writers, then the oversubscribed one */
    for (ncfg = i = 0; i < nr; i++)
        for (j = 0; j < nw; j++)
            cr[ncfg] = rlist[i], cw[ncfg++] = wlist[j];
    if (nover == 2)
        cr[ncfg] = over[0], cw[ncfg++] = over[1];
    qps = (double *)malloc(ncfg * runs * sizeof *qps);
    p50 = (double *)malloc(ncfg * runs * sizeof *p50);
    p99 = (double *)malloc(ncfg * runs * sizeof *p99);
    pmax = (double *)malloc(ncfg * runs * sizeof *pmax);
    all = (double *)malloc(CB_MAXT * s.queries * sizeof *all);
    wops = (double *)malloc(ncfg * runs * sizeof *wops);
    rec = (double *)malloc(ncfg * runs * sizeof *rec);
    if (!qps || !wops || !rec || !p50 || !p99 || !pmax || !all) {
        fprintf(stderr, "concurrent: out of memory\n");
        return 1;
    }
    for (run = 0; run < runs; run++)
        for (c = 0; c < ncfg; c++) {
            size_t ci = (c + run) % ncfg, R = cr[ci], W = cw[ci], nt = R + W, checked = 0, rn = 0,
                   bad = 0, ops = 0;
            cb_thread th[CB_MAXT];
            pthread_t tid[CB_MAXT];
            double slowest = 0, wsecs = 0, rsum = 0;
            memset(th, 0, sizeof th);
            s.writers = W;
            s.go = 0;
            s.readers_left = (int)R;
            for (i = 0; i < nt; i++) {
                th[i].s = &s;
                th[i].no = i < R ? i : i - R;
                th[i].rng = 0x9E3779B97F4A7C15ull * (run * 64 + i + 1);
                if (i < R) {
                    th[i].hits = (ruv_hit *)malloc(s.nq * CB_K * sizeof *th[i].hits);
                    th[i].cnt = (size_t *)malloc(s.nq * sizeof *th[i].cnt);
                    th[i].lat = (double *)malloc(s.queries * sizeof *th[i].lat);
                    if (!th[i].hits || !th[i].cnt || !th[i].lat) {
                        fprintf(stderr, "concurrent: out of memory\n");
                        return 1;
                    }
                    for (q = 0; q < s.nq; q++)
                        th[i].cnt[q] = (size_t)-1;
                }
                if (pthread_create(&tid[i], NULL, i < R ? cb_reader : cb_writer, &th[i])) {
                    fprintf(stderr, "concurrent: pthread_create failed\n");
                    return 1;
                }
            }
            __atomic_store_n(&s.go, 1, __ATOMIC_RELEASE);
            for (i = 0; i < nt; i++)
                pthread_join(tid[i], NULL);
            for (i = 0; i < R; i++) /* every search's latency, all readers together */
                memcpy(all + i * s.queries, th[i].lat, s.queries * sizeof *all);
            qsort(all, R * s.queries, sizeof *all, cb_cmp);
            p50[ci * runs + run] = all[R * s.queries / 2] * 1e6;
            p99[ci * runs + run] = all[R * s.queries * 99 / 100] * 1e6;
            pmax[ci * runs + run] = all[R * s.queries - 1] * 1e6;
            for (i = 0; i < nt; i++) {
                fails += th[i].fail;
                if (i < R) {
                    slowest = th[i].secs > slowest ? th[i].secs : slowest;
                    bad += cb_check(&s, metric, &th[i], truth, &checked, &rsum, &rn);
                    free(th[i].hits);
                    free(th[i].cnt);
                    free(th[i].lat);
                } else {
                    ops += th[i].ops;
                    wsecs = th[i].secs > wsecs ? th[i].secs : wsecs;
                    /* back to the built set (untimed) */
                    for (; th[i].live_from < th[i].live_to; th[i].live_from++)
                        if (ruv_index_remove(s.idx, cb_held(&th[i], th[i].live_from)) != RUV_OK)
                            fails++;
                }
            }
            if (bad) {
                fprintf(stderr, "concurrent: %zu failed result checks (%zu readers, %zu writers)\n",
                        bad, R, W);
                fails++;
            }
            qps[ci * runs + run] = (double)(R * s.queries) / slowest;
            wops[ci * runs + run] = W && wsecs > 0 ? (double)ops / wsecs : 0;
            rec[ci * runs + run] = rn ? rsum / (double)rn : 0;
            printf("{\"bench\":\"concurrent\",\"dataset\":\"%s\",\"n\":%zu,\"dim\":%zu,"
                   "\"held_out\":%zu,\"ef_search\":%u,\"serialize\":%d,\"run\":%zu,"
                   "\"readers\":%zu,\"writers\":%zu,\"queries\":%zu,\"qps\":%.1f,"
                   "\"writer_ops_s\":%.1f,\"recall10\":%.4f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
                   "\"max_us\":%.1f,\"checked\":%zu,\"failed\":%zu}\n",
                   dataset, s.built, s.dim, held, s.ef, s.serialize, run + 1, R, W, R * s.queries,
                   qps[ci * runs + run], wops[ci * runs + run], rec[ci * runs + run],
                   p50[ci * runs + run], p99[ci * runs + run], pmax[ci * runs + run], checked, bad);
            fflush(stdout);
        }
    for (c = 0; c < ncfg && !fails; c++) { /* (none after a failure: the smoke test looks) */
        double ql, qh, wl, wh, rl, rh, qm, wm, rm, p5, p9, pm, x0, x1;
        p5 = cb_median(p50 + c * runs, runs, &x0, &x1);
        p9 = cb_median(p99 + c * runs, runs, &x0, &x1);
        pm = cb_median(pmax + c * runs, runs, &x0, &x1);
        qm = cb_median(qps + c * runs, runs, &ql, &qh);
        wm = cb_median(wops + c * runs, runs, &wl, &wh);
        rm = cb_median(rec + c * runs, runs, &rl, &rh);
        printf("{\"bench\":\"concurrent\",\"summary\":1,\"dataset\":\"%s\",\"n\":%zu,\"dim\":%zu,"
               "\"held_out\":%zu,\"M\":%u,\"ef_construction\":%u,\"ef_search\":%u,"
               "\"serialize\":%d,\"build_s\":%.2f,\"readers\":%u,\"writers\":%u,\"runs\":%u,"
               "\"qps\":%.1f,\"qps_min\":%.1f,\"qps_max\":%.1f,\"writer_ops_s\":%.1f,"
               "\"writer_ops_s_min\":%.1f,\"writer_ops_s_max\":%.1f,\"recall10\":%.4f,"
               "\"recall10_min\":%.4f,\"recall10_max\":%.4f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
               "\"max_us\":%.1f}\n",
               dataset, s.built, s.dim, held, M, efc, s.ef, s.serialize, build_s, cr[c], cw[c],
               runs, qm, ql, qh, wm, wl, wh, rm, rl, rh, p5, p9, pm);
    }
    /* ruv_index_search_batch over every query with 1 and 2 threads, alternating (first one, then
       the other, swapped each run); the two must give the same hits */
    if (!s.serialize && !fails) {
        ruv_hit *h1 = (ruv_hit *)malloc(s.nq * CB_K * sizeof *h1),
                *h2 = (ruv_hit *)malloc(s.nq * CB_K * sizeof *h2);
        size_t *n1 = (size_t *)malloc(s.nq * sizeof *n1), *n2 = (size_t *)malloc(s.nq * sizeof *n2);
        double *sp = (double *)malloc(runs * sizeof *sp), *t1 = (double *)malloc(runs * sizeof *t1),
               *t2 = (double *)malloc(runs * sizeof *t2), lo, hi, m1, m2, ms, l1, u1, l2, u2;
        ruv_search_ctx *ctx = NULL;
        if (!h1 || !h2 || !n1 || !n2 || !sp || !t1 || !t2 ||
            ruv_search_ctx_create(s.idx, &ctx) != RUV_OK) {
            fprintf(stderr, "concurrent: out of memory\n");
            return 1;
        }
        for (run = 0; run < runs; run++) {
            int order;
            for (order = 0; order < 2; order++) {
                int two = (int)((order + run) % 2);
                ruv_search_options so;
                double t0;
                memset(&so, 0, sizeof so);
                so.ctx = ctx;
                so.ef_search = s.ef;
                so.threads = two ? 2 : 1;
                t0 = tx_now();
                if (ruv_index_search_batch(s.idx, s.nq, s.qs, CB_K, &so, two ? h2 : h1,
                                           two ? n2 : n1) != RUV_OK)
                    fails++;
                t0 = tx_now() - t0;
                (two ? t2 : t1)[run] = (double)s.nq / t0;
            }
            for (q = 0; q < s.nq; q++) {
                if (n1[q] != n2[q])
                    fails++;
                for (i = 0; i < n1[q] && i < n2[q]; i++)
                    if (h1[q * CB_K + i].key != h2[q * CB_K + i].key ||
                        h1[q * CB_K + i].distance != h2[q * CB_K + i].distance)
                        fails++;
            }
            sp[run] = t2[run] / t1[run];
            printf("{\"bench\":\"concurrent_batch\",\"dataset\":\"%s\",\"run\":%zu,"
                   "\"queries\":%zu,\"qps_1\":%.1f,\"qps_2\":%.1f,\"speedup\":%.3f,"
                   "\"identical\":%d}\n",
                   dataset, run + 1, s.nq, t1[run], t2[run], sp[run], !fails);
        }
        if (!fails) {
            m1 = cb_median(t1, runs, &l1, &u1);
            m2 = cb_median(t2, runs, &l2, &u2);
            ms = cb_median(sp, runs, &lo, &hi);
            printf("{\"bench\":\"concurrent_batch\",\"summary\":1,\"dataset\":\"%s\","
                   "\"runs\":%u,\"queries\":%zu,\"ef_search\":%u,\"qps_1\":%.1f,"
                   "\"qps_1_min\":%.1f,\"qps_1_max\":%.1f,\"qps_2\":%.1f,\"qps_2_min\":%.1f,"
                   "\"qps_2_max\":%.1f,\"speedup\":%.3f,\"speedup_min\":%.3f,"
                   "\"speedup_max\":%.3f}\n",
                   dataset, runs, s.nq, s.ef, m1, l1, u1, m2, l2, u2, ms, lo, hi);
        } else {
            fprintf(stderr, "concurrent: batch search with 2 threads differs from 1 thread\n");
        }
        ruv_search_ctx_free(ctx);
        free(h1);
        free(h2);
        free(n1);
        free(n2);
        free(sp);
        free(t1);
        free(t2);
    }
    pthread_rwlock_destroy(&s.rw);
    ruv_index_free(s.idx);
    free(qps);
    free(wops);
    free(rec);
    free(p50);
    free(p99);
    free(pmax);
    free(all);
    free(truth);
    free(keys);
    free(base);
    free(qs);
    free(gt);
    if (fails)
        fprintf(stderr, "concurrent: FAILED (%d)\n", fails);
    return fails ? 1 : 0;
#else
    (void)argc;
    (void)argv;
    fprintf(stderr, "ruv_bench concurrent needs POSIX threads\n");
    return 2;
#endif
}
