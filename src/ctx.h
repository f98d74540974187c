/* Search contexts: the scratch memory of one search (visited set, candidate list, prepared
   query). The index owns one for writes and searches without a ctx; callers create more. */
#ifdef RUV__IMPL

/* Candidate: distance and slot (high bit of id = expanded). */
typedef struct ruv__cand {
    float dist;
    uint32_t id;
} ruv__cand;

/* Orders candidates by distance, then slot. */
static int ruv__ctx_cand_cmp(const void *a, const void *b) {
    const ruv__cand *x = (const ruv__cand *)a, *y = (const ruv__cand *)b;
    if (x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

struct ruv_search_ctx {
    ruv__mem mem;
    uint32_t *visited; /* visited[slot] == epoch: seen in this search */
    size_t visited_cap;
    uint32_t epoch;
    ruv__cand *pool; /* sorted candidate list, or the flat top-k heap */
    size_t pool_cap;
    ruv__cand *sel; /* neighbour selection scratch, m0 + 1 */
    uint32_t *ids;  /* unvisited neighbours of the node being expanded, m0 */
    uint32_t *lbuf; /* a neighbour list copied under its lock (multi-threaded build), m0 + 1 */
    size_t sel_cap;
    float *query; /* normalised query (cosine) */
    size_t dim;
    float *qprep, *nprep; /* prepared query and prepared stored vector (ruv__prep), prep_cap */
    float *tmp;           /* 2 x dim floats: decoded / permuted vectors */
    size_t prep_cap;
    float *mmr; /* MMR: distance of each candidate to the closest picked one */
    size_t mmr_cap;
    ruv_cancel_fn cancel; /* the running search's cancel callback, or NULL */
    void *cancel_user;
    uint32_t polls; /* work units since the search started */
    int canceled;   /* cancel returned nonzero */
};

/* Counts one unit of work (a node expansion, a slot scanned): every `every` units (a power of
   two), the cancel callback is asked. Returns 1 once the search is cancelled. */
static int ruv__ctx_cancel(ruv_search_ctx *c, uint32_t every) {
    if (!c->cancel)
        return 0;
    if ((++c->polls & (every - 1)) == 0 && !c->canceled && c->cancel(c->cancel_user))
        c->canceled = 1;
    return c->canceled;
}

/* Grows ctx so that it can search `slots` slots with a list of `pool` candidates and
   neighbour lists of `sel` entries. All or nothing: on RUV_E_NOMEM nothing changed. */
static ruv_result ruv__ctx_reserve(ruv_search_ctx *c, size_t slots, size_t pool, size_t sel) {
    uint32_t *v = NULL, *ids = NULL, *lb = NULL;
    ruv__cand *p = NULL, *s = NULL;
    int ok = 1;
    size_t vb = ruv__size_mul(slots, sizeof *v, &ok), pb = ruv__size_mul(pool, sizeof *p, &ok);
    size_t sb = ruv__size_mul(sel, sizeof *s, &ok), ib = ruv__size_mul(sel, sizeof *ids, &ok);
    if (!ok)
        return RUV_E_NOMEM;
    if (slots > c->visited_cap && !(v = (uint32_t *)ruv__mem_alloc(&c->mem, vb)))
        goto fail;
    if (pool > c->pool_cap && !(p = (ruv__cand *)ruv__mem_alloc(&c->mem, pb)))
        goto fail;
    if (sel > c->sel_cap && (!(s = (ruv__cand *)ruv__mem_alloc(&c->mem, sb)) ||
                             !(ids = (uint32_t *)ruv__mem_alloc(&c->mem, ib)) ||
                             !(lb = (uint32_t *)ruv__mem_alloc(&c->mem, ib))))
        goto fail;
    if (v) {
        memset(v, 0, vb);
        ruv__mem_free(&c->mem, c->visited, c->visited_cap * sizeof *v);
        c->visited = v;
        c->visited_cap = slots;
        c->epoch = 0;
    }
    if (p) {
        ruv__mem_free(&c->mem, c->pool, c->pool_cap * sizeof *p);
        c->pool = p;
        c->pool_cap = pool;
    }
    if (s) {
        ruv__mem_free(&c->mem, c->sel, c->sel_cap * sizeof *s);
        ruv__mem_free(&c->mem, c->ids, c->sel_cap * sizeof *ids);
        ruv__mem_free(&c->mem, c->lbuf, c->sel_cap * sizeof *ids);
        c->sel = s;
        c->ids = ids;
        c->lbuf = lb;
        c->sel_cap = sel;
    }
    return RUV_OK;
fail:
    ruv__mem_free(&c->mem, v, vb);
    ruv__mem_free(&c->mem, p, pb);
    ruv__mem_free(&c->mem, s, sb);
    ruv__mem_free(&c->mem, ids, ib);
    ruv__mem_free(&c->mem, lb, ib);
    return RUV_E_NOMEM;
}

static void ruv__ctx_release(ruv_search_ctx *c) {
    ruv__mem_free(&c->mem, c->visited, c->visited_cap * sizeof *c->visited);
    ruv__mem_free(&c->mem, c->pool, c->pool_cap * sizeof *c->pool);
    ruv__mem_free(&c->mem, c->sel, c->sel_cap * sizeof *c->sel);
    ruv__mem_free(&c->mem, c->ids, c->sel_cap * sizeof *c->ids);
    ruv__mem_free(&c->mem, c->lbuf, c->sel_cap * sizeof *c->lbuf);
    ruv__mem_free(&c->mem, c->query, c->dim * sizeof *c->query);
    ruv__mem_free(&c->mem, c->mmr, c->mmr_cap * sizeof *c->mmr);
    ruv__mem_free(&c->mem, c->qprep, c->prep_cap * sizeof *c->qprep);
    ruv__mem_free(&c->mem, c->nprep, c->prep_cap * sizeof *c->nprep);
    ruv__mem_free(&c->mem, c->tmp, c->tmp ? 2 * c->dim * sizeof *c->tmp : 0);
}

/* Grows the prepared-query buffers to `prep` floats (and allocates tmp once). All or nothing. */
static ruv_result ruv__ctx_prep(ruv_search_ctx *c, size_t prep) {
    float *a = NULL, *b = NULL, *t = NULL;
    size_t bytes = prep * sizeof *a, tb = 2 * c->dim * sizeof *t;
    if (prep > c->prep_cap && (!(a = (float *)ruv__mem_alloc(&c->mem, bytes)) ||
                               !(b = (float *)ruv__mem_alloc(&c->mem, bytes)))) {
        ruv__mem_free(&c->mem, a, bytes);
        return RUV_E_NOMEM;
    }
    if (!c->tmp && !(t = (float *)ruv__mem_alloc(&c->mem, tb))) {
        ruv__mem_free(&c->mem, a, bytes);
        ruv__mem_free(&c->mem, b, bytes);
        return RUV_E_NOMEM;
    }
    if (t)
        c->tmp = t;
    if (a) {
        ruv__mem_free(&c->mem, c->qprep, c->prep_cap * sizeof *a);
        ruv__mem_free(&c->mem, c->nprep, c->prep_cap * sizeof *a);
        c->qprep = a;
        c->nprep = b;
        c->prep_cap = prep;
    }
    return RUV_OK;
}

/* Fresh ctx (struct, query buffer, `prep` floats of prepared-query buffers) from mem; NULL on
   failure. */
static ruv_search_ctx *ruv__ctx_new(ruv__mem *mem, size_t dim, size_t prep) {
    ruv__mem m = *mem;
    ruv_search_ctx *c = (ruv_search_ctx *)ruv__mem_alloc(&m, sizeof *c);
    float *q;
    if (!c)
        return NULL;
    q = (float *)ruv__mem_alloc(&m, dim * sizeof *q);
    if (!q) {
        ruv__mem_free(&m, c, sizeof *c);
        return NULL;
    }
    memset(c, 0, sizeof *c);
    c->mem.a = m.a;
    c->mem.used = sizeof *c + dim * sizeof *q;
    c->query = q;
    c->dim = dim;
    if (ruv__ctx_prep(c, prep) != RUV_OK) {
        ruv__ctx_release(c);
        ruv__mem_free(&m, c, sizeof *c);
        return NULL;
    }
    return c;
}

/* Starts a new visited generation. */
static void ruv__ctx_next_epoch(ruv_search_ctx *c) {
    if (++c->epoch == 0) {
        memset(c->visited, 0, c->visited_cap * sizeof *c->visited);
        c->epoch = 1;
    }
}

#endif /* RUV__IMPL */
