/* Range search: every entry within a radius of the query. Exact on flat indexes (a scan); on
   HNSW the beam search of ef_search, repeated with ef doubled while most of its list is within
   the radius. */
#ifdef RUV__IMPL

/* Makes room for `need` candidates in c->pool, keeping the first `keep`. All or nothing. */
static ruv_result ruv__range_grow(ruv_search_ctx *c, size_t need, size_t keep) {
    ruv__cand *p;
    size_t cap;
    int ok = 1;
    if (need <= c->pool_cap)
        return RUV_OK;
    cap = c->pool_cap > need / 2 ? 2 * c->pool_cap : need;
    p = (ruv__cand *)ruv__mem_alloc(&c->mem, ruv__size_mul(cap, sizeof *p, &ok));
    if (!ok || !p)
        return RUV_E_NOMEM;
    if (keep)
        memcpy(p, c->pool, keep * sizeof *p);
    ruv__mem_free(&c->mem, c->pool, c->pool_cap * sizeof *p);
    c->pool = p;
    c->pool_cap = cap;
    return RUV_OK;
}

/* Appends (d, s) to c->pool[*n]. */
static ruv_result ruv__range_push(ruv_search_ctx *c, size_t *n, float d, uint32_t s) {
    ruv_result r = ruv__range_grow(c, *n + 1, *n);
    if (r != RUV_OK)
        return r;
    c->pool[*n].dist = d;
    c->pool[(*n)++].id = s;
    return RUV_OK;
}

/* Flat: every passing entry within radius, on the exact f32 distance where f32 copies are kept
   (else on the codes). */
static ruv_result ruv__range_flat(const ruv_index *idx, ruv_search_ctx *c, const void *query,
                                  const ruv__prep *q, float radius, const ruv_search_options *filt,
                                  size_t *n) {
    size_t s;
    int skip = filt || idx->live < idx->count;
    for (s = 0; s < idx->count; s++) {
        float d;
        ruv_result r;
        if ((s & 1023) == 0 && ruv__ctx_cancel(c, 1))
            return RUV_E_CANCELED;
        if (skip && !ruv__search_pass(idx, filt, (uint32_t)s))
            continue;
        d = idx->fvec ? ruv__dist_query_f32(idx, (const float *)query, (uint32_t)s, c->tmp)
                      : ruv__dist_query_code(idx, q, ruv__slot_code(idx, (uint32_t)s));
        if (d <= radius && (r = ruv__range_push(c, n, d, (uint32_t)s)) != RUV_OK)
            return r;
    }
    return RUV_OK;
}

/* HNSW: beam search with ef, repeated with ef doubled while more than half of the list it
   finds is within radius (so that the in-radius entries are the nearer half of a list at least
   twice their number, where a beam search's recall is high); the in-radius entries of the last
   list are the result. An exact scan replaces the walk, being cheaper, when the list would grow
   past 1 / RUV__RANGE_SCAN of the slots, or when the first list is more than half within radius
   and 256 evenly spaced slots say that over 1 / (4 x RUV__RANGE_SCAN) of them are.
   Deleted and filtered-out nodes are walked through (they keep the graph connected) and dropped
   at the end. Distances on the codes; with f32 copies the entries found
   are then measured exactly and those beyond radius dropped. */
#define RUV__RANGE_SCAN 64
static ruv_result ruv__range_hnsw(const ruv_index *idx, ruv_search_ctx *c, const void *query,
                                  const ruv__prep *q, float radius, size_t ef,
                                  const ruv_search_options *filt, size_t *n_out) {
    uint32_t ep = idx->entry;
    float dep = ruv__dist_query_code(idx, q, ruv__slot_code(idx, ep));
    size_t n, i, j, first = ef;
    int l;
    for (l = idx->max_level; l > 0; l--)
        ruv__hnsw_greedy(idx, c, q, l, &ep, &dep);
    for (;;) {
        ruv_result r;
        int scan;
        n = ruv__hnsw_search_layer(idx, c, q, ep, dep, ef, 0);
        if (c->canceled)
            return RUV_E_CANCELED;
        if (n < ef || ef >= idx->count || !(c->pool[n / 2].dist <= radius))
            break;
        scan = 2 * ef > idx->count / RUV__RANGE_SCAN;
        if (!scan && ef == first) { /* a wide range: its share, from evenly spaced slots */
            size_t step = idx->count / 256 + 1, s, seen = 0, in = 0;
            for (s = 0; s < idx->count; s += step)
                if (!ruv__slot_dead(idx, s)) {
                    seen++;
                    in += ruv__dist_query_code(idx, q, ruv__slot_code(idx, (uint32_t)s)) <= radius;
                }
            scan = in * 4 * RUV__RANGE_SCAN > seen; /* above 1 / (4 x RUV__RANGE_SCAN) */
        }
        if (scan) { /* scanning them all is cheaper */
            *n_out = 0;
            return ruv__range_flat(idx, c, query, q, radius, filt, n_out);
        }
        ef *= 2;
        if ((r = ruv__ctx_reserve(c, idx->cap, ef, (size_t)idx->m0 + 1)) != RUV_OK)
            return r;
    }
    for (i = j = 0; i < n; i++) {
        ruv__cand x = c->pool[i];
        if (!(x.dist <= radius) || !ruv__search_pass(idx, filt, x.id))
            continue;
        if (idx->fvec &&
            !((x.dist = ruv__dist_query_f32(idx, (const float *)query, x.id, c->tmp)) <= radius))
            continue;
        c->pool[j++] = x;
    }
    *n_out = j;
    return RUV_OK;
}

/* The search behind both range functions: leaves the n_out entries within radius in c->pool,
   closest first (ties by slot). */
static ruv_result ruv__range_run(const ruv_index *idx, const void *query, float radius,
                                 const ruv_search_options *params, ruv_search_ctx **cp,
                                 size_t *n_out) {
    ruv_search_ctx *c;
    const ruv_search_options *filt = NULL;
    size_t ef;
    ruv__prep qp;
    ruv_result r;
    int exact;
    *n_out = 0;
    if (radius != radius)
        return RUV_E_ARG;
    if ((r = ruv__search_open(idx, query, params, cp)) != RUV_OK)
        return r;
    c = *cp;
    if (idx->live == 0)
        return RUV_OK;
    if (params && (params->filter || params->allow))
        filt = params;
    ef = params && params->ef_search ? params->ef_search : idx->cfg.ef_search;
    if (ef > idx->count)
        ef = idx->count;
    exact = idx->cfg.kind == RUV_INDEX_FLAT;
    if (filt && !exact) /* few pass: scanning them is cheaper than walking the graph */
        exact = ruv__search_pass_rate(idx, filt) * 20.0 < 1.0;
    r = ruv__ctx_reserve(c, exact ? 0 : idx->cap, exact ? 16 : ef, (size_t)idx->m0 + 1);
    if (r == RUV_OK && c->prep_cap < idx->prep_len)
        r = ruv__ctx_prep(c, idx->prep_len);
    if (r != RUV_OK)
        return r;
    query = ruv__search_query(idx, c, query, params, &qp);
    if (exact)
        r = ruv__range_flat(idx, c, query, &qp, radius, filt, n_out);
    else
        r = ruv__range_hnsw(idx, c, query, &qp, radius, ef, filt, n_out);
    if (r != RUV_OK) {
        *n_out = 0;
        return r;
    }
    qsort(c->pool, *n_out, sizeof *c->pool, ruv__ctx_cand_cmp);
    if (idx->cfg.multi && (r = ruv__search_unique_keys(idx, c, n_out)) != RUV_OK)
        *n_out = 0;
    return r;
}

static ruv_result ruv__i_search_range(const ruv_index *idx, const void *query, float radius,
                                      const ruv_search_options *params, ruv_hit *hits, size_t cap,
                                      size_t *n_out) {
    ruv_search_ctx *c = NULL;
    size_t n = 0, i;
    ruv_result r;
    if (n_out)
        *n_out = 0;
    if (!n_out || (cap && !hits))
        return RUV_E_ARG;
    if ((r = ruv__range_run(idx, query, radius, params, &c, &n)) != RUV_OK)
        return r;
    for (i = 0; i < n && i < cap; i++) {
        hits[i].key = idx->keys[c->pool[i].id];
        hits[i].distance = c->pool[i].dist;
    }
    *n_out = n;
    return RUV_OK;
}

static ruv_result ruv__i_search_range_each(const ruv_index *idx, const void *query, float radius,
                                           const ruv_search_options *params, ruv_range_fn fn,
                                           void *user, size_t *n_out) {
    ruv_search_ctx *c = NULL;
    size_t n = 0, i;
    ruv_result r;
    if (n_out)
        *n_out = 0;
    if (!fn)
        return RUV_E_ARG;
    if ((r = ruv__range_run(idx, query, radius, params, &c, &n)) != RUV_OK)
        return r;
    if (n_out)
        *n_out = n;
    for (i = 0; i < n; i++)
        if (fn(user, idx->keys[c->pool[i].id], c->pool[i].dist))
            break;
    return RUV_OK;
}

/* ---- the public calls, between the concurrency guards (src/index.h) ---- */
RUVDEF ruv_result ruv_index_search_range(const ruv_index *idx, const void *query, float radius,
                                         const ruv_search_options *params, ruv_hit *hits,
                                         size_t cap, size_t *n_out) {
    if (n_out)
        *n_out = 0;
    RUV__READ_R(idx, RUV__OWN(params),
                ruv__i_search_range(idx, query, radius, params, hits, cap, n_out));
}
RUVDEF ruv_result ruv_index_search_range_each(const ruv_index *idx, const void *query, float radius,
                                              const ruv_search_options *params, ruv_range_fn fn,
                                              void *user, size_t *n_out) {
    if (n_out)
        *n_out = 0;
    RUV__READ_R(idx, RUV__OWN(params),
                ruv__i_search_range_each(idx, query, radius, params, fn, user, n_out));
}

#endif /* RUV__IMPL */
