/* Search: the exact scan with a bounded heap, filters (allow-list bitset, callback), the
   filtered-HNSW fallback to a scan, re-ranking on f32 copies, MMR, batches, search contexts. */
#ifdef RUV__IMPL

/* Exact top-k by scanning every slot with a max-heap of size k on (distance, slot). */
#define RUV__SCAN_BLOCK 64 /* slots per distance block of a scan without filters */
static int ruv__search_worse(const ruv__cand *a, const ruv__cand *b) {
    return a->dist > b->dist || (a->dist == b->dist && a->id > b->id);
}

/* Whether slot s may be a hit: live and passing the filters of p (may be NULL). */
static int ruv__search_pass(const ruv_index *idx, const ruv_search_options *p, uint32_t s) {
    uint64_t key;
    if (ruv__slot_dead(idx, s))
        return 0;
    if (!p)
        return 1;
    key = idx->keys[s];
    if (p->allow && (key >= p->allow_bits || !((p->allow[key / 8] >> (key % 8)) & 1u)))
        return 0;
    return !p->filter || p->filter(p->filter_user, key);
}

/* Adds candidate x to the max-heap h of n (< k, or == k: then replacing the worst if x is
   better). */
static void ruv__search_heap_push(ruv__cand *h, size_t *n, size_t k, ruv__cand x) {
    size_t i = 0;
    if (*n < k) { /* sift up */
        i = (*n)++;
        while (i > 0 && ruv__search_worse(&x, &h[(i - 1) / 2])) {
            h[i] = h[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        h[i] = x;
    } else if (ruv__search_worse(&h[0], &x)) { /* replace the worst, sift down */
        for (;;) {
            size_t l = 2 * i + 1, w = i;
            const ruv__cand *wc = &x;
            if (l < *n && ruv__search_worse(&h[l], wc))
                w = l, wc = &h[l];
            if (l + 1 < *n && ruv__search_worse(&h[l + 1], wc))
                w = l + 1;
            if (w == i)
                break;
            h[i] = h[w];
            i = w;
        }
        h[i] = x;
    }
}

/* Exact top-k by scanning every slot that passes (filt: NULL = every live one). With filters,
   distances only for the slots that pass; without, distances a block of slots at a time (one
   kernel call per block where the storage has a one-to-many kernel) and the liveness checked only
   for those that would enter the heap. Slots ascend, so an equal distance never displaces. */
static size_t ruv__search_flat(const ruv_index *idx, ruv_search_ctx *c, const ruv__prep *q,
                               size_t k, const ruv_search_options *filt, int skip_dead) {
    ruv__cand *h = c->pool;
    size_t n = 0, s;
    if (k == 0)
        return 0;
    if (filt) {
        for (s = 0; s < idx->count; s++) {
            ruv__cand x;
            if ((s & 1023) == 0 && ruv__ctx_cancel(c, 1))
                break;
            if (!ruv__search_pass(idx, filt, (uint32_t)s))
                continue;
            x.dist = ruv__dist_query_code(idx, q, ruv__slot_code(idx, (uint32_t)s));
            x.id = (uint32_t)s;
            ruv__search_heap_push(h, &n, k, x);
        }
    } else {
        float d[RUV__SCAN_BLOCK];
        for (s = 0; s < idx->count; s += RUV__SCAN_BLOCK) {
            size_t b = idx->count - s < RUV__SCAN_BLOCK ? idx->count - s : RUV__SCAN_BLOCK, j;
            if (ruv__ctx_cancel(c, 16)) /* 16 blocks of 64 */
                break;
            ruv__dist_query_block(idx, q, (uint32_t)s, b, d);
            for (j = 0; j < b; j++) {
                ruv__cand x;
                if (n == k && !(d[j] < h[0].dist))
                    continue;
                if (skip_dead && ruv__slot_dead(idx, s + j))
                    continue;
                x.dist = d[j];
                x.id = (uint32_t)(s + j);
                ruv__search_heap_push(h, &n, k, x);
            }
        }
    }
    /* heap -> ascending by repeatedly moving the worst to the end */
    for (s = n; s > 1; s--) {
        ruv__cand x = h[s - 1];
        size_t i = 0;
        h[s - 1] = h[0];
        for (;;) {
            size_t l = 2 * i + 1, w = i;
            const ruv__cand *wc = &x;
            if (l < s - 1 && ruv__search_worse(&h[l], wc))
                w = l, wc = &h[l];
            if (l + 1 < s - 1 && ruv__search_worse(&h[l + 1], wc))
                w = l + 1;
            if (w == i)
                break;
            h[i] = h[w];
            i = w;
        }
        h[i] = x;
    }
    return n;
}

/* Fraction of live entries passing p's filters, from up to 256 evenly spaced slots. */
static double ruv__search_pass_rate(const ruv_index *idx, const ruv_search_options *p) {
    size_t step = idx->count / 256 + 1, s, seen = 0, passed = 0;
    for (s = 0; s < idx->count; s += step)
        if (!ruv__slot_dead(idx, s)) {
            seen++;
            passed += (size_t)ruv__search_pass(idx, p, (uint32_t)s);
        }
    return seen ? (double)passed / (double)seen : 0.0;
}

/* Re-ranking: the first n candidates of c->pool get their exact f32 distance to q and are
   sorted again (ties by slot). */
static void ruv__search_rerank(const ruv_index *idx, ruv_search_ctx *c, const float *q, size_t n) {
    size_t i, bytes = idx->fvec_bytes, head = bytes < 256 ? bytes : 256;
    /* the copies are cold: start every candidate's first lines loading, then the next whole
       vector while one is measured */
    for (i = 0; idx->fvec && i < n; i++)
        ruv__prefetch_span(idx->fvec + (size_t)c->pool[i].id * bytes, 0, head);
    for (i = 0; i < n; i++) {
        if (idx->fvec && i + 1 < n)
            ruv__prefetch_span(idx->fvec + (size_t)c->pool[i + 1].id * bytes, head, bytes);
        c->pool[i].dist = ruv__dist_query_f32(idx, q, c->pool[i].id, c->tmp);
    }
    qsort(c->pool, n, sizeof *c->pool, ruv__ctx_cand_cmp);
}

/* The checks every search makes of its arguments (besides its own: k, radius): RUV_E_ARG for
   a NULL idx or query, allow_bits without allow, rerank too large or a ctx of another
   dimension; RUV_E_VALUE for a query the index would refuse as a vector. *cp = the ctx to use. */
static ruv_result ruv__search_open(const ruv_index *idx, const void *query,
                                   const ruv_search_options *params, ruv_search_ctx **cp) {
    int f32q = params && params->f32_query;
    if (!idx || !query || (params && params->allow_bits && !params->allow) ||
        (params && (params->rerank > RUV_MAX_RERANK || params->f32_query > 1)))
        return RUV_E_ARG;
    if (f32q && idx->cfg.dtype == RUV_DTYPE_BIN)
        return RUV_E_UNSUPPORTED;
    if (f32q && idx->cfg.dtype != RUV_DTYPE_F32 ? !ruv__code_f32_ok(idx, (const float *)query)
                                                : !ruv__code_accepts(idx, query))
        return RUV_E_VALUE;
    *cp = params && params->ctx ? params->ctx : idx->ctx;
    if ((*cp)->dim != idx->dim)
        return RUV_E_ARG;
    (*cp)->cancel = params ? params->cancel : NULL;
    (*cp)->cancel_user = params ? params->cancel_user : NULL;
    (*cp)->polls = 0;
    (*cp)->canceled = 0;
    return RUV_OK;
}

/* The query as the search measures it, prepared into *qp: normalised into c->query first for a
   float cosine index (returned, for exact distances), else query itself; an f32 query to a
   typed index (params->f32_query) prepared for ruv__dist_mixed. */
static const void *ruv__search_query(const ruv_index *idx, ruv_search_ctx *c, const void *query,
                                     const ruv_search_options *params, ruv__prep *qp) {
    if (params && params->f32_query && idx->cfg.dtype != RUV_DTYPE_F32) {
        ruv__code_prep_mixed(idx, c, (const float *)query, qp);
        return query;
    }
    if (idx->cfg.metric == RUV_METRIC_COSINE && idx->cfg.dtype == RUV_DTYPE_F32) {
        ruv__vec_normalize(c->query, (const float *)query, idx->dim);
        query = c->query;
    }
    ruv__code_prep_query(idx, c, query, c->qprep, 1, qp);
    return query;
}

/* The search behind ruv_index_search: leaves the n_out hits in (*cp)->pool as (distance, slot),
   closest first, and the normalised query (cosine) in (*cp)->query. */
static ruv_result ruv__search_run(const ruv_index *idx, const void *query, size_t k,
                                  const ruv_search_options *params, ruv_search_ctx **cp,
                                  size_t *n_out) {
    ruv_search_ctx *c;
    size_t ef, n, i, want, rr = 0;
    ruv_result r;
    const ruv_search_options *filt = NULL;
    ruv__prep qp, qb, *walk = &qp;
    int exact;
    *n_out = 0;
    if (k == 0)
        return RUV_E_ARG;
    if ((r = ruv__search_open(idx, query, params, cp)) != RUV_OK)
        return r;
    c = *cp;
    if (idx->live == 0)
        return RUV_OK;
    if (k > idx->live)
        k = idx->live;
    if (idx->fvec) /* re-rank rr x k candidates found on the codes */
        rr = params && params->rerank ? params->rerank : idx->cfg.rerank;
    want = rr && k <= idx->live / rr ? rr * k : rr ? idx->live : k;
    if (params && (params->filter || params->allow))
        filt = params;
    ef = params && params->ef_search ? params->ef_search : idx->cfg.ef_search;
    if (ef < want)
        ef = want;
    exact = idx->cfg.kind == RUV_INDEX_FLAT;
    if (filt && !exact) {
        double rate = ruv__search_pass_rate(idx, filt), est = rate * (double)idx->live;
        exact = est * 20.0 < (double)idx->live || est < 4.0 * (double)ef;
        if (!exact) /* expect about ef passing candidates in the list */
            ef = (size_t)((double)ef / rate) + 1;
    }
    if (exact)
        ef = want;
    if (ef > idx->count)
        ef = idx->count;
    r = ruv__ctx_reserve(c, idx->cfg.kind == RUV_INDEX_HNSW ? idx->cap : 0, ef,
                         (size_t)idx->m0 + 1);
    if (r == RUV_OK && c->prep_cap < idx->prep_len)
        r = ruv__ctx_prep(c, idx->prep_len);
    if (r != RUV_OK)
        return r;
    query = ruv__search_query(idx, c, query, params, &qp);
    if (exact) {
        n = ruv__search_flat(idx, c, &qp, want, filt, idx->live < idx->count);
    } else {
        uint32_t ep = idx->entry;
        float dep;
        int l;
        if (idx->cfg.walk_bits) { /* opt.walk_bits: the walk on bits, then the codes */
            ruv__code_prep_bits(idx, c, (const float *)query, &qb);
            walk = &qb;
        }
        dep = ruv__dist_query_code(idx, walk, ruv__code_walk(idx, walk, ep));
        for (l = idx->max_level; l > 0; l--)
            ruv__hnsw_greedy(idx, c, walk, l, &ep, &dep);
        for (;;) {
            size_t j;
            n = ruv__hnsw_search_layer(idx, c, walk, ep, dep, ef, 0);
            if (c->canceled)
                return RUV_E_CANCELED;
            if (idx->live == idx->count && !filt)
                break;
            /* deleted and filtered-out nodes are traversed but not returned: drop them, and
               widen the search while fewer than k remain */
            for (i = j = 0; i < n; i++)
                if (ruv__search_pass(idx, filt, c->pool[i].id))
                    c->pool[j++] = c->pool[i];
            n = j;
            if (n >= k || ef >= idx->count)
                break;
            ef = 2 * ef < idx->count ? 2 * ef : idx->count;
            if ((r = ruv__ctx_reserve(c, idx->cap, ef, (size_t)idx->m0 + 1)) != RUV_OK)
                return r;
        }
        if (walk == &qb) { /* the candidates found on bits, re-scored on the stored codes */
            for (i = 0; i < n; i++)
                c->pool[i].dist =
                    ruv__dist_query_code(idx, &qp, ruv__slot_code(idx, c->pool[i].id));
            qsort(c->pool, n, sizeof *c->pool, ruv__ctx_cand_cmp);
        }
        if (n > want)
            n = want;
        /* HNSW graphs are not always connected (a node whose in-links were all pruned by its
           neighbours' selections is unreachable, as in hnswlib): a walk that ends with fewer than
           k passing entries, which happens only when nearly all of them were asked for, is
           replaced by an exact scan, so that *n_out = min(k, passing) holds for HNSW too */
        if (n < k)
            n = ruv__search_flat(idx, c, &qp, want, filt, idx->live < idx->count);
    }
    if (c->canceled)
        return RUV_E_CANCELED;
    if (rr)
        ruv__search_rerank(idx, c, (const float *)query, n);
    *n_out = n < k ? n : k;
    return RUV_OK;
}

/* opt.multi: keeps the first (nearest) entry of each key among c->pool[0..*n-1], in order, and
   sets *n to how many remain. Marks the key's first slot in the key table as seen. */
static ruv_result ruv__search_unique_keys(const ruv_index *idx, ruv_search_ctx *c, size_t *n) {
    size_t i, j;
    ruv_result r = ruv__ctx_reserve(c, idx->cap, 0, 0);
    if (r != RUV_OK)
        return r;
    ruv__ctx_next_epoch(c);
    for (i = j = 0; i < *n; i++) {
        uint32_t h = ruv__tab_find_key(idx, idx->keys[c->pool[i].id]);
        if (c->visited[h] == c->epoch)
            continue;
        c->visited[h] = c->epoch;
        c->pool[j++] = c->pool[i];
    }
    *n = j;
    return RUV_OK;
}

/* ruv__search_run for k keys: with opt.multi, the nearest 2k vectors are searched, then 4k,
   ... until they hold k distinct keys or every passing entry (flat: exact, as any key missing
   from the nearest f vectors is farther than all of them). */
static ruv_result ruv__search_keys(const ruv_index *idx, const void *query, size_t k,
                                   const ruv_search_options *params, ruv_search_ctx **cp,
                                   size_t *n_out) {
    size_t fetch = k, n, m;
    ruv_result r;
    if (!idx || !idx->cfg.multi || k == 0 || idx->live == 0)
        return ruv__search_run(idx, query, k, params, cp, n_out);
    for (;;) {
        fetch = fetch > idx->live / 2 ? idx->live : 2 * fetch;
        if ((r = ruv__search_run(idx, query, fetch, params, cp, &n)) != RUV_OK)
            return r;
        m = n;
        if ((r = ruv__search_unique_keys(idx, *cp, &m)) != RUV_OK) {
            *n_out = 0;
            return r;
        }
        if (m >= k || n < fetch || fetch >= idx->live) {
            *n_out = m < k ? m : k;
            return RUV_OK;
        }
    }
}

static ruv_result ruv__i_search(const ruv_index *idx, const void *query, size_t k,
                                const ruv_search_options *params, ruv_hit *hits, size_t *n_out) {
    ruv_search_ctx *c = NULL;
    size_t n = 0, i;
    ruv_result r;
    if (n_out)
        *n_out = 0;
    if (!hits || !n_out)
        return RUV_E_ARG;
    if ((r = ruv__search_keys(idx, query, k, params, &c, &n)) != RUV_OK)
        return r;
    for (i = 0; i < n; i++) {
        hits[i].key = idx->keys[c->pool[i].id];
        hits[i].distance = c->pool[i].dist;
    }
    *n_out = n;
    return RUV_OK;
}

static ruv_result ruv__i_search_mmr(const ruv_index *idx, const void *query, size_t k, float lambda,
                                    size_t fetch, const ruv_search_options *params, ruv_hit *hits,
                                    size_t *n_out) {
    ruv_search_ctx *c = NULL;
    size_t m = 0, t, i;
    ruv_result r;
    if (n_out)
        *n_out = 0;
    if (!hits || !n_out || k == 0 || !(lambda >= 0.0f && lambda <= 1.0f))
        return RUV_E_ARG;
    if (!fetch)
        fetch = k > (size_t)-1 / 4 ? k : 4 * k;
    if (fetch < k)
        fetch = k;
    if ((r = ruv__search_keys(idx, query, fetch, params, &c, &m)) != RUV_OK)
        return r;
    if (m > c->mmr_cap) {
        int ok = 1;
        size_t bytes = ruv__size_mul(m, sizeof *c->mmr, &ok);
        float *f = ok ? (float *)ruv__mem_alloc(&c->mem, bytes) : NULL;
        if (!f)
            return RUV_E_NOMEM;
        ruv__mem_free(&c->mem, c->mmr, c->mmr_cap * sizeof *c->mmr);
        c->mmr = f;
        c->mmr_cap = m;
    }
    /* pool[0..t-1] = picked; mmr[i] = distance from candidate i to the closest picked one */
    for (t = 0; t < k && t < m; t++) {
        size_t best = t;
        float best_score = 0;
        for (i = t; i < m; i++) {
            float div = t ? c->mmr[i] : 0.0f;
            float score = (1.0f - lambda) * div - lambda * c->pool[i].dist;
            if (i == t || score > best_score) {
                best = i;
                best_score = score;
            }
        }
        if (best != t) {
            ruv__cand x = c->pool[t];
            float f = c->mmr[t];
            c->pool[t] = c->pool[best];
            c->mmr[t] = c->mmr[best];
            c->pool[best] = x;
            c->mmr[best] = f;
        }
        for (i = t + 1; i < m; i++) {
            float d = ruv__dist_slot_slot(idx, c, c->pool[i].id, c->pool[t].id);
            if (t == 0 || d < c->mmr[i])
                c->mmr[i] = d;
        }
    }
    for (i = 0; i < t; i++) {
        hits[i].key = idx->keys[c->pool[i].id];
        hits[i].distance = c->pool[i].dist;
    }
    *n_out = t;
    return RUV_OK;
}

/* A batch shared by threads: each claims the next query under `m`; the lowest failing query
   is kept. */
typedef struct ruv__sbatch {
    const ruv_index *idx;
    const unsigned char *queries;
    size_t nq, k, qb, next, fail;
    ruv_result err;
    ruv_hit *hits;
    size_t *n_out;
#if RUV__THREADS
    pthread_mutex_t m;
#endif
} ruv__sbatch;

typedef struct ruv__sjob {
    ruv__sbatch *b;
    ruv_search_options opt; /* the caller's, with this thread's ctx */
} ruv__sjob;

static void *ruv__search_worker(void *arg) {
    ruv__sjob *j = (ruv__sjob *)arg;
    ruv__sbatch *b = j->b;
    for (;;) {
        size_t i;
        ruv_result r;
        RUV__MLOCK(&b->m);
        i = b->next < b->fail ? b->next++ : b->nq;
        RUV__MUNLOCK(&b->m);
        if (i >= b->nq)
            break;
        r = ruv_index_search(b->idx, b->queries + i * b->qb, b->k, &j->opt, b->hits + i * b->k,
                             b->n_out + i);
        if (r != RUV_OK) {
            RUV__MLOCK(&b->m);
            if (i < b->fail) {
                b->fail = i;
                b->err = r;
            }
            RUV__MUNLOCK(&b->m);
        }
    }
    return NULL;
}

RUVDEF ruv_result ruv_index_search_batch(const ruv_index *idx, size_t nq, const void *queries,
                                         size_t k, const ruv_search_options *params, ruv_hit *hits,
                                         size_t *n_out) {
    size_t i, qb, threads = params && params->threads > 1 ? params->threads : 1;
    ruv__sbatch b;
    ruv__sjob jobs[64];
    ruv_search_ctx *own[64];
    if (!idx || !n_out || (nq && (!queries || !hits)) || k == 0)
        return RUV_E_ARG;
    qb = params && params->f32_query ? idx->dim * sizeof(float) : idx->in_bytes;
    /* nq x k hits and nq queries must be addressable (else nothing is written) */
    if (nq > (size_t)-1 / sizeof(ruv_hit) / k || nq > (size_t)-1 / qb)
        return RUV_E_ARG;
    for (i = 0; i < nq; i++)
        n_out[i] = 0;
#if RUV__THREADS
    if (threads > 64)
        threads = 64;
    if (threads > nq)
        threads = nq;
    /* from inside a callback of idx this thread holds it: threads of its own would wait for the
       lock behind a waiting writer, which waits for this thread */
    if (ruv__tls_held == (const void *)idx)
        threads = 1;
#else
    threads = 1;
#endif
    memset(&b, 0, sizeof b);
    b.idx = idx;
    b.queries = (const unsigned char *)queries;
    b.nq = b.fail = nq;
    b.k = k;
    b.qb = qb;
    b.hits = hits;
    b.n_out = n_out;
    /* one ctx per thread (the caller's own if it gave one); without memory, fewer threads */
    for (i = 0; i < threads; i++) {
        if (params)
            jobs[i].opt = *params;
        else
            memset(&jobs[i].opt, 0, sizeof jobs[i].opt);
        jobs[i].b = &b;
        own[i] = NULL;
        if (threads > 1 && !(i == 0 && params && params->ctx)) {
            if (ruv_search_ctx_create(idx, &own[i]) != RUV_OK)
                break;
            jobs[i].opt.ctx = own[i];
        }
    }
    if (i < threads) /* ctx i failed: threads 0..i-1 have theirs (or none is threaded) */
        threads = i ? i : 1;
    if (threads > 1) {
#if RUV__THREADS
        pthread_mutex_init(&b.m, NULL);
#endif
        ruv__threads_run(ruv__search_worker, jobs, sizeof *jobs, threads);
#if RUV__THREADS
        pthread_mutex_destroy(&b.m);
#endif
    } else { /* the calling thread alone: no lock */
        for (i = 0; i < nq; i++) {
            ruv_result r =
                ruv_index_search(idx, b.queries + i * qb, k, params, hits + i * k, n_out + i);
            if (r != RUV_OK) {
                b.fail = i;
                b.err = r;
                break;
            }
        }
    }
    for (i = 0; i < threads; i++)
        ruv_search_ctx_free(own[i]);
    for (i = b.fail; i < nq; i++) /* as one thread leaves them: nothing from the failing one on */
        n_out[i] = 0;
    return b.fail < nq ? b.err : RUV_OK;
}

static ruv_result ruv__i_ctx_create(const ruv_index *idx, ruv_search_ctx **out) {
    ruv__mem m;
    if (out)
        *out = NULL;
    if (!idx || !out)
        return RUV_E_ARG;
    m = idx->mem;
    *out = ruv__ctx_new(&m, idx->dim, idx->prep_len);
    return *out ? RUV_OK : RUV_E_NOMEM;
}

RUVDEF void ruv_search_ctx_free(ruv_search_ctx *ctx) {
    ruv__mem m;
    if (!ctx)
        return;
    ruv__ctx_release(ctx);
    m = ctx->mem;
    ruv__mem_free(&m, ctx, sizeof *ctx);
}

/* ---- the public calls, between the concurrency guards (src/index.h): a search without a ctx
   uses the index's own scratch, so it also excludes writers ---- */
#define RUV__OWN(p) (!(p) || !(p)->ctx)
RUVDEF ruv_result ruv_index_search(const ruv_index *idx, const void *query, size_t k,
                                   const ruv_search_options *params, ruv_hit *hits, size_t *n_out) {
    if (n_out)
        *n_out = 0;
    RUV__READ_R(idx, RUV__OWN(params), ruv__i_search(idx, query, k, params, hits, n_out));
}
RUVDEF ruv_result ruv_index_search_mmr(const ruv_index *idx, const void *query, size_t k,
                                       float lambda, size_t fetch, const ruv_search_options *params,
                                       ruv_hit *hits, size_t *n_out) {
    if (n_out)
        *n_out = 0;
    RUV__READ_R(idx, RUV__OWN(params),
                ruv__i_search_mmr(idx, query, k, lambda, fetch, params, hits, n_out));
}
RUVDEF ruv_result ruv_search_ctx_create(const ruv_index *idx, ruv_search_ctx **out) {
    RUV__READ(idx, ruv_result, ruv__i_ctx_create(idx, out));
}

#endif /* RUV__IMPL */
