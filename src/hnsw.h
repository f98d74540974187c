/* The HNSW graph (Malkov & Yashunin, arXiv:1603.09320): level draw, greedy walk, beam search
   (their Algorithm 2), heuristic neighbour selection (Algorithm 4), insertion (Algorithm 1),
   the multi-threaded linking of a batch, and compaction of deleted nodes. */
#ifdef RUV__IMPL

/* Multi-threaded builds (ruv_index_add_batch with threads > 1): every neighbour list is read
   and written under the lock of its node (striped), and the entry point under a global lock. */
#define RUV__NLOCKS 4096u
typedef struct ruv__mt {
#if RUV__THREADS
    pthread_mutex_t global, counter, node[RUV__NLOCKS];
#endif
    const uint32_t *slots; /* the batch's slots and levels, in order */
    const uint8_t *lv;
    size_t next, n, done;
    int canceled; /* the caller's cancel callback said stop */
} ruv__mt;

#if RUV__THREADS
#define RUV__LOCK(idx, s)                                                                          \
    do {                                                                                           \
        if ((idx)->mt)                                                                             \
            pthread_mutex_lock(&(idx)->mt->node[(s) % RUV__NLOCKS]);                               \
    } while (0)
#define RUV__UNLOCK(idx, s)                                                                        \
    do {                                                                                           \
        if ((idx)->mt)                                                                             \
            pthread_mutex_unlock(&(idx)->mt->node[(s) % RUV__NLOCKS]);                             \
    } while (0)
#define RUV__MLOCK(m) pthread_mutex_lock(m)
#define RUV__MUNLOCK(m) pthread_mutex_unlock(m)
#else
#define RUV__LOCK(idx, s) ((void)(idx), (void)(s))
#define RUV__UNLOCK(idx, s) ((void)(idx), (void)(s))
#define RUV__MLOCK(m) ((void)0)
#define RUV__MUNLOCK(m) ((void)0)
#endif

static size_t ruv__hnsw_upper_need(const ruv_index *idx, int level) {
    return (size_t)level * (idx->M + 1);
}

/* Level for a new node: floor(-ln(U) * mL), U uniform in (0, 1]. Advances idx->rng. */
static int ruv__hnsw_draw_level(ruv_index *idx) {
    double u, l;
    idx->rng += 0x9E3779B97F4A7C15ull;
    u = (double)((ruv__hash_mix64(idx->rng) >> 11) + 1) * (1.0 / 9007199254740992.0);
    l = -log(u) * idx->ml;
    return l >= RUV__MAX_LEVEL ? RUV__MAX_LEVEL : (int)l;
}

/* The neighbour list of slot at level, or (multi-threaded build) a copy taken under its lock. */
static const uint32_t *ruv__hnsw_read_links(const ruv_index *idx, ruv_search_ctx *c, uint32_t slot,
                                            int level) {
    const uint32_t *l = ruv__slot_links(idx, slot, level);
    if (!idx->mt)
        return l;
    RUV__LOCK(idx, slot);
    memcpy(c->lbuf, l, ((size_t)l[0] + 1) * sizeof *l);
    RUV__UNLOCK(idx, slot);
    return c->lbuf;
}

/* Greedy walk at one level from *ep (distance *dep) to a local minimum (ef = 1). */
static void ruv__hnsw_greedy(const ruv_index *idx, ruv_search_ctx *c, const ruv__prep *q, int level,
                             uint32_t *ep, float *dep) {
    int changed = 1;
    while (changed) {
        const uint32_t *l = ruv__hnsw_read_links(idx, c, *ep, level);
        uint32_t i, n = l[0];
        changed = 0;
        for (i = 1; i <= n; i++) {
            float d = ruv__dist_query_code(idx, q, ruv__code_walk(idx, q, l[i]));
            if (d < *dep) {
                *dep = d;
                *ep = l[i];
                changed = 1;
            }
        }
    }
}

/* Inserts (d, id) into the sorted list c[0..*n-1] of capacity cap if it belongs there.
   Returns the position, or cap when it was not inserted. Equal distances go after. */
static size_t ruv__hnsw_pool_insert(ruv__cand *c, size_t *n, size_t cap, float d, uint32_t id) {
    size_t lo = 0, len = *n;
    if (*n == cap && !(d < c[cap - 1].dist))
        return cap;
    /* first position whose distance exceeds d; branch-free halving (a conditional move) */
    while (len > 1) {
        size_t half = len / 2;
        lo = c[lo + half - 1].dist <= d ? lo + half : lo;
        len -= half;
    }
    lo += len == 1 && c[lo].dist <= d;
    if (*n < cap)
        (*n)++;
    memmove(c + lo + 1, c + lo, (*n - 1 - lo) * sizeof *c);
    c[lo].dist = d;
    c[lo].id = id;
    return lo;
}

/* Beam search at one level (Algorithm 2 of Malkov & Yashunin, with the candidate and result
   sets kept as one sorted list of at most ef entries). Starts from ep; leaves the ef closest
   found in ctx->pool, sorted; returns their number. */
static size_t ruv__hnsw_search_layer(const ruv_index *idx, ruv_search_ctx *c, const ruv__prep *q,
                                     uint32_t ep, float dep, size_t ef, int level) {
    ruv__cand *pool = c->pool;
    uint32_t *vis = c->visited, *ids = c->ids, epoch;
    size_t n = 1, cur = 0;
    size_t len = q->bits ? idx->bits_bytes : idx->code_bytes; /* what the distances read */
    RUV_ASSERT(ef >= 1 && ef <= c->pool_cap && idx->count <= c->visited_cap);
    ruv__ctx_next_epoch(c);
    epoch = c->epoch;
    pool[0].dist = dep;
    pool[0].id = ep;
    vis[ep] = epoch;
    while (cur < n) {
        uint32_t node = pool[cur].id, nn = 0, i, cnt;
        const uint32_t *l;
        size_t best = n;
        if (ruv__ctx_cancel(c, 64))
            break;
        pool[cur].id |= RUV__EXPANDED;
        { /* the links of the next candidate to expand, most likely, load meanwhile */
            size_t nx = cur + 1;
            while (nx < n && (pool[nx].id & RUV__EXPANDED))
                nx++;
            if (nx < n)
                ruv__prefetch_span(ruv__slot_links(idx, pool[nx].id, level), 0,
                                   ((size_t)idx->m0 + 1) * 4);
        }
        l = ruv__hnsw_read_links(idx, c, node, level);
        cnt = l[0];
        for (i = 1; i <= cnt; i++) {
            uint32_t s = l[i];
            if (vis[s] != epoch) {
                vis[s] = epoch;
                ids[nn++] = s;
                RUV__PREFETCH(ruv__code_walk(idx, q, s));
                if (len <= 128) /* a short code: its last line too */
                    RUV__PREFETCH(ruv__code_walk(idx, q, s) + len - 1);
            }
        }
        for (i = 0; i < nn; i++) {
            float d;
            size_t pos;
            if (i + 1 < nn && len > 128) /* the next code's other lines */
                ruv__prefetch_span(ruv__code_walk(idx, q, ids[i + 1]), 64, len);
            d = ruv__dist_query_code(idx, q, ruv__code_walk(idx, q, ids[i]));
            pos = ruv__hnsw_pool_insert(pool, &n, ef, d, ids[i]);
            if (pos < best)
                best = pos;
        }
        cur = best <= cur ? best : cur + 1;
        while (cur < n && (pool[cur].id & RUV__EXPANDED))
            cur++;
    }
    for (cur = 0; cur < n; cur++)
        pool[cur].id &= ~RUV__EXPANDED;
    return n;
}

/* Heuristic neighbour selection (Algorithm 4 of Malkov & Yashunin, without extending the
   candidates or keeping pruned ones): walks c[0..n-1] (sorted by distance to the base) and keeps
   a candidate unless an already kept one is closer to it than the base is. Keeps at most m,
   compacted to the front of c; returns how many. */
static size_t ruv__hnsw_select(const ruv_index *idx, ruv_search_ctx *ctx, ruv__cand *c, size_t n,
                               size_t m) {
    size_t i, j, kept = 0;
    if (n <= m)
        return n;
    for (i = 0; i < n && kept < m; i++) {
        ruv__prep v;
        int good = 1;
        ruv__code_prep_slot(idx, ctx, c[i].id, &v);
        for (j = 0; j < kept; j++)
            if (ruv__dist_query_code(idx, &v, ruv__slot_code(idx, c[j].id)) < c[i].dist) {
                good = 0;
                break;
            }
        if (good)
            c[kept++] = c[i];
    }
    return kept;
}

/* Appends an entry for the list of slot at level to idx->pend (room reserved) and returns the
   list to fill: [count][links], count 0. Entries: [slot][level][list], (max + 3) u32 each. */
static uint32_t *ruv__hnsw_pend_push(ruv_index *idx, uint32_t slot, int level) {
    uint32_t *p = idx->pend + idx->pend_len;
    p[0] = slot;
    p[1] = (uint32_t)level;
    p[2] = 0;
    idx->pend_len += (size_t)(level ? idx->M : idx->m0) + 3;
    return p + 2;
}

/* Adds a link from `from` to `to` at level; when the list is full, re-selects among the old
   links plus `to` with the heuristic, keeping at most the level's maximum. */
static void ruv__hnsw_link(ruv_index *idx, ruv_search_ctx *c, uint32_t from, uint32_t to,
                           int level) {
    uint32_t *l = ruv__slot_links(idx, from, level), max = level ? idx->M : idx->m0, i;
    ruv__cand *s = c->sel;
    ruv__prep v;
    size_t n = 0, kept;
    RUV__LOCK(idx, from);
    RUV_ASSERT(l[0] <= max && from != to);
    if (idx->pending) { /* the new list goes to idx->pend, the old one stays for readers */
        uint32_t *p = ruv__hnsw_pend_push(idx, from, level);
        memcpy(p, l, ((size_t)l[0] + 1) * sizeof *l);
        l = p;
    }
    if (l[0] < max) {
        l[++l[0]] = to;
        RUV__UNLOCK(idx, from);
        return;
    }
    ruv__code_prep_slot(idx, c, from, &v);
    for (i = 0; i <= l[0]; i++) {
        uint32_t id = i < l[0] ? l[i + 1] : to;
        size_t pos = n;
        float d = ruv__dist_query_code(idx, &v, ruv__slot_code(idx, id));
        while (pos > 0 && s[pos - 1].dist > d) {
            s[pos] = s[pos - 1];
            pos--;
        }
        s[pos].dist = d;
        s[pos].id = id;
        n++;
    }
    kept = ruv__hnsw_select(idx, c, s, n, max);
    for (i = 0; i < kept; i++)
        l[i + 1] = s[i].id;
    l[0] = (uint32_t)kept;
    RUV__UNLOCK(idx, from);
}

/* Algorithm 1 of Malkov & Yashunin for slot s (vector stored, upper lists zeroed), with scratch
   c. Returns 1 if s is to become the entry point (an empty graph, or a level above the top):
   the caller publishes that, except in a multi-threaded build, where a node above the current
   top level holds the global lock for its whole insertion (as hnswlib does) and sets the entry
   point itself once it is linked. */
static int ruv__hnsw_insert(ruv_index *idx, ruv_search_ctx *c, uint32_t s, int level) {
    ruv__prep qp, *q = &qp;
    uint32_t ep;
    float dep;
    int l, top, held = 0;
    c->cancel = NULL; /* a search without a ctx may have left its callback */
    if (idx->mt)
        RUV__MLOCK(&idx->mt->global);
    ep = idx->entry;
    top = idx->max_level;
    if (ep == RUV__NONE || level > top)
        held = 1;
    if (idx->mt && !held)
        RUV__MUNLOCK(&idx->mt->global);
    if (ep != RUV__NONE) {
        ruv__code_prep_query(idx, c, ruv__code_f32(idx, c, s), c->qprep, 1, q);
        dep = ruv__dist_query_code(idx, q, ruv__slot_code(idx, ep));
        for (l = top; l > level; l--)
            ruv__hnsw_greedy(idx, c, q, l, &ep, &dep);
        for (l = level < top ? level : top; l >= 0; l--) {
            size_t n = ruv__hnsw_search_layer(idx, c, q, ep, dep, idx->cfg.ef_construction, l), i,
                   kept;
            uint32_t *links = ruv__slot_links(idx, s, l);
            ep = c->pool[0].id;
            dep = c->pool[0].dist;
            kept = ruv__hnsw_select(idx, c, c->pool, n, idx->M);
            RUV__LOCK(idx, s);
            links[0] = (uint32_t)kept;
            for (i = 0; i < kept; i++)
                links[i + 1] = c->pool[i].id;
            RUV__UNLOCK(idx, s);
            for (i = 0; i < kept; i++)
                ruv__hnsw_link(idx, c, c->pool[i].id, s, l);
        }
    }
    if (held && idx->mt) {
        idx->entry = s;
        idx->max_level = level;
        RUV__MUNLOCK(&idx->mt->global);
        return 0;
    }
    return held;
}

/* Room in idx->pend for the neighbour lists an insert at `level` may change: at most M
   neighbours per level, each list (max + 1) u32 after its slot and level. 0 without memory. */
static int ruv__hnsw_pend_room(ruv_index *idx, int level) {
    size_t need = ((size_t)level + 1) * idx->M * ((size_t)idx->m0 + 3);
    uint32_t *p;
    if (need <= idx->pend_cap)
        return 1;
    if (!(p = (uint32_t *)ruv__mem_alloc(&idx->mem, need * 4)))
        return 0;
    ruv__mem_free(&idx->mem, idx->pend, idx->pend_cap * 4);
    idx->pend = p;
    idx->pend_cap = need;
    return 1;
}

/* Publishes the lists an insert or a compaction left in idx->pend (the lock held
   exclusively): entries of [slot][level][count][links], (max + 3) u32 each. */
static void ruv__hnsw_pend_apply(ruv_index *idx) {
    size_t i = 0;
    while (i < idx->pend_len) {
        const uint32_t *p = idx->pend + i;
        int level = (int)p[1];
        memcpy(ruv__slot_links(idx, p[0], level), p + 2, ((size_t)p[2] + 1) * 4);
        i += (size_t)(level ? idx->M : idx->m0) + 3;
    }
    idx->pend_len = 0;
}

/* Appends live, not yet seen node y with its distance to v (compaction scratch). */
static void ruv__hnsw_compact_add(ruv_index *idx, ruv__cand *cand, size_t *nc, const ruv__prep *v,
                                  uint32_t y) {
    ruv_search_ctx *c = idx->ctx;
    if ((idx->levels[y] & RUV__DEAD) || c->visited[y] == c->epoch)
        return;
    c->visited[y] = c->epoch;
    cand[*nc].id = y;
    cand[(*nc)++].dist = ruv__dist_query_code(idx, v, ruv__slot_code(idx, y));
}

/* Compaction of deleted HNSW nodes: every live node that links to a deleted one gets its list at
   that level re-selected (Algorithm 4) from its live links plus the live links of the deleted
   ones (two hops), after which nothing links to a deleted node: the slots are zeroed, flagged
   RUV__FREE and reused by inserts. A deleted entry point is replaced by a live node of the
   highest level. RUV_E_NOMEM if the scratch cannot be allocated (nothing changes).
   Readers go on meanwhile: the new lists are computed with the lock released (a repair reads
   only its own node's list, which nothing else changes, and deleted nodes' lists, which nothing
   changes), RUV__COMPACT_LISTS at a time, and each group is published under the lock; the
   deleted slots are freed at the end, once nothing links to them. */
#define RUV__COMPACT_LISTS 256
static ruv_result ruv__hnsw_compact(ruv_index *idx) {
    ruv_search_ctx *c = idx->ctx;
    size_t cap = (size_t)idx->m0 * (idx->m0 + 1), s, n = idx->count;
    size_t entry_len = (size_t)idx->m0 + 3, group = RUV__COMPACT_LISTS * entry_len;
    ruv__cand *cand;
    uint8_t *lv = idx->levels;
    if (!lv || n - idx->live == idx->nfree)
        return RUV_OK;
    RUV_ASSERT(c->visited_cap >= n);
    if (!(cand = (ruv__cand *)ruv__mem_alloc(&idx->mem, cap * sizeof *cand)))
        return RUV_E_NOMEM;
    if (group > idx->pend_cap) {
        uint32_t *p = (uint32_t *)ruv__mem_alloc(&idx->mem, group * 4);
        if (!p) {
            ruv__mem_free(&idx->mem, cand, cap * sizeof *cand);
            return RUV_E_NOMEM;
        }
        ruv__mem_free(&idx->mem, idx->pend, idx->pend_cap * 4);
        idx->pend = p;
        idx->pend_cap = group;
    }
    idx->pend_len = 0;
    ruv__excl_pause(idx);
    for (s = 0; s < n; s++) {
        int l, top = lv[s] & RUV__LEVEL;
        if (lv[s] & RUV__DEAD)
            continue;
        for (l = 0; l <= top; l++) {
            uint32_t *li = ruv__slot_links(idx, (uint32_t)s, l), i, j, max = l ? idx->M : idx->m0;
            uint32_t *p;
            size_t nc = 0, kept;
            ruv__prep pv, *v = &pv;
            for (i = 1; i <= li[0] && !(lv[li[i]] & RUV__DEAD); i++)
                ;
            if (i > li[0])
                continue; /* no deleted neighbour */
            ruv__ctx_next_epoch(c);
            c->visited[s] = c->epoch;
            ruv__code_prep_slot(idx, c, (uint32_t)s, v);
            for (i = 1; i <= li[0]; i++) {
                uint32_t x = li[i];
                const uint32_t *lx = ruv__slot_links(idx, x, l);
                if (!(lv[x] & RUV__DEAD))
                    ruv__hnsw_compact_add(idx, cand, &nc, v, x);
                else
                    for (j = 1; j <= lx[0]; j++)
                        ruv__hnsw_compact_add(idx, cand, &nc, v, lx[j]);
            }
            qsort(cand, nc, sizeof *cand, ruv__ctx_cand_cmp);
            kept = ruv__hnsw_select(idx, c, cand, nc, max);
            if (idx->pend_len + entry_len > idx->pend_cap) { /* publish this group */
                ruv__excl_resume(idx);
                ruv__hnsw_pend_apply(idx);
                ruv__excl_pause(idx);
            }
            p = ruv__hnsw_pend_push(idx, (uint32_t)s, l);
            p[0] = (uint32_t)kept;
            for (i = 0; i < kept; i++)
                p[i + 1] = cand[i].id;
        }
    }
    ruv__excl_resume(idx);
    ruv__hnsw_pend_apply(idx);
    for (s = 0; s < n; s++)
        if ((lv[s] & (RUV__DEAD | RUV__FREE)) == RUV__DEAD) {
            idx->upper_canon -= ruv__hnsw_upper_need(idx, lv[s] & RUV__LEVEL);
            memset(idx->data + s * idx->stride, 0, idx->stride);
            if (idx->fvec)
                memset(idx->fvec + s * idx->fvec_bytes, 0, idx->fvec_bytes);
            if (idx->wbits)
                memset(idx->wbits + s * idx->bits_bytes, 0, idx->bits_bytes);
            lv[s] = RUV__DEAD | RUV__FREE;
            idx->nfree++;
        }
    if (lv[idx->entry] & RUV__DEAD) {
        idx->entry = RUV__NONE;
        idx->max_level = 0;
        for (s = 0; s < n; s++)
            if (!(lv[s] & RUV__DEAD) &&
                (idx->entry == RUV__NONE || (int)(lv[s] & RUV__LEVEL) > idx->max_level)) {
                idx->entry = (uint32_t)s;
                idx->max_level = lv[s] & RUV__LEVEL;
            }
    }
    ruv__mem_free(&idx->mem, cand, cap * sizeof *cand);
    return RUV_OK;
}

/* Compacts once deleted-but-linked nodes exceed a tenth of the live ones (and 16): each
   compaction costs O(n M) and frees them all, so deletes stay O(M^2) amortised and the slots of
   an index under churn stay within about 1.1x its largest live count. Skipped, harmlessly, when
   its scratch cannot be allocated. */
static void ruv__hnsw_maybe_compact(ruv_index *idx) {
    size_t tomb = idx->count - idx->live - idx->nfree;
    if (idx->levels && tomb > 16 && tomb * 10 > idx->live)
        (void)ruv__hnsw_compact(idx);
}

typedef struct ruv__job {
    ruv_index *idx;
    ruv_search_ctx *ctx;
    const ruv_build_options *opt;
    int first;
} ruv__job;

static void *ruv__hnsw_worker(void *arg) {
    ruv__job *j = (ruv__job *)arg;
    ruv_index *idx = j->idx;
    ruv__mt *mt = idx->mt;
    for (;;) {
        size_t i, from, to, done;
        if (j->first && j->opt && j->opt->cancel && j->opt->cancel(j->opt->cancel_user)) {
            RUV__MLOCK(&mt->counter);
            mt->next = mt->n; /* the others stop after their chunk */
            mt->canceled = 1;
            RUV__MUNLOCK(&mt->counter);
            break;
        }
        RUV__MLOCK(&mt->counter);
        from = mt->next;
        to = from + 16 < mt->n ? from + 16 : mt->n;
        mt->next = to;
        RUV__MUNLOCK(&mt->counter);
        if (from >= to)
            break;
        for (i = from; i < to; i++)
            (void)ruv__hnsw_insert(idx, j->ctx, mt->slots[i], mt->lv[i]);
        RUV__MLOCK(&mt->counter);
        done = mt->done += to - from;
        RUV__MUNLOCK(&mt->counter);
        if (j->first && j->opt && j->opt->progress)
            j->opt->progress(j->opt->progress_user, done, mt->n);
    }
    return NULL;
}

/* Links the placed slots of a batch with `threads` threads (the caller's one included). */
static void ruv__hnsw_link_parallel(ruv_index *idx, ruv__mt *mt, ruv_search_ctx **ctx,
                                    size_t threads, const ruv_build_options *opt) {
    ruv__job jobs[64];
    size_t t;
#if RUV__THREADS
    pthread_mutex_init(&mt->global, NULL);
    pthread_mutex_init(&mt->counter, NULL);
    for (t = 0; t < RUV__NLOCKS; t++)
        pthread_mutex_init(&mt->node[t], NULL);
#endif
    idx->mt = mt;
    for (t = 0; t < threads; t++) {
        jobs[t].idx = idx;
        jobs[t].ctx = t ? ctx[t - 1] : idx->ctx;
        jobs[t].opt = opt;
        jobs[t].first = t == 0;
    }
    ruv__threads_run(ruv__hnsw_worker, jobs, sizeof *jobs, threads);
#if RUV__THREADS
    pthread_mutex_destroy(&mt->global);
    pthread_mutex_destroy(&mt->counter);
    for (t = 0; t < RUV__NLOCKS; t++)
        pthread_mutex_destroy(&mt->node[t]);
#endif
    idx->mt = NULL;
    if (opt && opt->progress && mt->done == mt->n)
        opt->progress(opt->progress_user, mt->n, mt->n); /* the last chunk may be another's */
}

#endif /* RUV__IMPL */
