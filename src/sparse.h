/* Sparse vectors: kernels, the sparse index (forward store, key map, inverted index), exact
   top-k by MaxScore, term-at-a-time and brute force (see SPARSE VECTORS in the API). */
#ifdef RUV__IMPL

/* ---- kernels ---------------------------------------------------------------------------- */

/* First index j >= lo in ids[0..n-1] (ascending) with ids[j] >= x: galloping, then binary. */
static size_t ruv__sp_gallop(const uint32_t *ids, size_t lo, size_t n, uint32_t x) {
    size_t step = 1, hi;
    if (lo >= n || ids[lo] >= x)
        return lo;
    while (lo + step < n && ids[lo + step] < x)
        lo += step, step *= 2;
    hi = lo + step < n ? lo + step : n; /* ids[lo] < x <= ids[hi] (or hi == n) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < x)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* sum over shared ids of wa(va[i]) * vb[j] in ascending id order, in double (wa: the query's
   weights in double, or NULL for va as is); *shared = whether any id is shared. */
static double ruv__sp_dot(size_t na, const uint32_t *ia, const float *va, const double *wa,
                          size_t nb, const uint32_t *ib, const float *vb, double scale_b,
                          int *shared) {
    double s = 0.0;
    size_t i = 0, j = 0;
    int any = 0;
    if (na * 16 < nb || nb * 16 < na) { /* gallop through the longer list */
        int a_short = na <= nb;
        const uint32_t *is = a_short ? ia : ib, *il = a_short ? ib : ia;
        size_t ns = a_short ? na : nb, nl = a_short ? nb : na;
        for (; i < ns && j < nl; i++) {
            j = ruv__sp_gallop(il, j, nl, is[i]);
            if (j < nl && il[j] == is[i]) {
                size_t x = a_short ? i : j, y = a_short ? j : i;
                double w = wa ? wa[x] : (double)va[x], v = (double)vb[y];
                if (scale_b != 1.0)
                    v = (double)(float)(v * scale_b);
                s += w * v;
                any = 1;
                j++;
            }
        }
    } else {
        while (i < na && j < nb) {
            if (ia[i] < ib[j])
                i++;
            else if (ia[i] > ib[j])
                j++;
            else {
                double w = wa ? wa[i] : (double)va[i], v = (double)vb[j];
                if (scale_b != 1.0)
                    v = (double)(float)(v * scale_b);
                s += w * v;
                any = 1;
                i++, j++;
            }
        }
    }
    if (shared)
        *shared = any;
    return s;
}

RUVDEF float ruv_sparse_dot(size_t na, const uint32_t *ia, const float *va, size_t nb,
                            const uint32_t *ib, const float *vb) {
    if ((na && (!ia || !va)) || (nb && (!ib || !vb)))
        return 0.0f;
    return (float)ruv__sp_dot(na, ia, va, NULL, nb, ib, vb, 1.0, NULL);
}

RUVDEF float ruv_sparse_l2sq(size_t na, const uint32_t *ia, const float *va, size_t nb,
                             const uint32_t *ib, const float *vb) {
    double s = 0.0;
    size_t i = 0, j = 0;
    if ((na && (!ia || !va)) || (nb && (!ib || !vb)))
        return 0.0f;
    while (i < na || j < nb) {
        double d;
        if (j >= nb || (i < na && ia[i] < ib[j]))
            d = (double)va[i++];
        else if (i >= na || ib[j] < ia[i])
            d = (double)vb[j++];
        else
            d = (double)va[i++] - (double)vb[j++];
        s += d * d;
    }
    return (float)s;
}

RUVDEF float ruv_sparse_dense_dot(size_t na, const uint32_t *ia, const float *va, const float *d,
                                  size_t dim) {
    double s = 0.0;
    size_t i;
    if (na && (!ia || !va || (dim && !d)))
        return 0.0f;
    for (i = 0; i < na; i++)
        if (ia[i] < dim)
            s += (double)va[i] * (double)d[ia[i]];
    return (float)s;
}

/* ---- the index ---------------------------------------------------------------------------- */

#define RUV__SP_NONE 0xFFFFFFFFu /* empty map value; also the one invalid dimension id */

/* Open-addressing map (linear probing, backward-shift deletion) from uint64 to uint32. */
typedef struct ruv__sp_map {
    uint64_t *k;
    uint32_t *v; /* RUV__SP_NONE = empty */
    size_t cap, n;
} ruv__sp_map;

/* One dimension's postings, in slot order; maxw / minw bound the stored weights. */
/* A block of a posting list: its postings in the 64-slot range blk (slot >> 6), from index
   first up to the next block's first; hi = their largest weight. */
typedef struct ruv__sp_blk {
    uint32_t blk, first;
    float hi;
} ruv__sp_blk;

typedef struct ruv__sp_list {
    uint32_t *slot;
    float *w;
    uint32_t n, cap;
    float maxw, minw;
    ruv__sp_blk *bk; /* one per 64-slot range holding postings, in order */
    uint32_t nb, bcap;
} ruv__sp_list;

struct ruv_sparse_index {
    ruv__mem mem;
    ruv_metric metric;
    uint32_t max_nnz;
    /* per slot */
    uint64_t *keys;
    size_t *off;   /* into ids / vals */
    uint32_t *nnz; /* ... */
    double *norm2; /* sum of squares of the values as given */
    unsigned char *dead;
    size_t slots, slot_cap, live, dead_postings;
    /* the vectors as given, back to back */
    uint32_t *ids;
    float *vals;
    size_t pool_n, ids_cap, vals_cap;
    ruv__sp_map kmap, tmap; /* key -> slot, dimension -> list */
    ruv__sp_list *lists;
    size_t nlists, lists_cap;
    /* string ids and metadata per slot (ref arrays of slot_cap slots, NULL until first used;
       a tombstone has neither), the id hash table (slots, at most half full) */
    ruv__blobs sid, smeta;
    uint32_t *idtab;
    size_t idtab_cap, nids;
};

/* Replaces *p (cap elements of size es, n in use) by a copy with room for at least need. */
static int ruv__sp_grow(ruv__mem *m, void **p, size_t n, size_t *cap, size_t need, size_t es) {
    size_t c = *cap ? *cap : 4;
    void *q;
    if (need <= *cap)
        return 1;
    while (c < need)
        c = c > ((size_t)-1) / 4 ? need : 2 * c;
    if (c > ((size_t)-1) / es || !(q = ruv__mem_alloc(m, c * es)))
        return 0;
    if (n)
        memcpy(q, *p, n * es);
    ruv__mem_free(m, *p, *cap * es);
    *p = q;
    *cap = c;
    return 1;
}

static uint32_t ruv__sp_map_get(const ruv__sp_map *m, uint64_t key) {
    size_t mask, h;
    if (!m->cap)
        return RUV__SP_NONE;
    mask = m->cap - 1;
    for (h = (size_t)ruv__hash_mix64(key) & mask; m->v[h] != RUV__SP_NONE; h = (h + 1) & mask)
        if (m->k[h] == key)
            return m->v[h];
    return RUV__SP_NONE;
}

/* Inserts key (absent) -> v; room must have been reserved. */
static void ruv__sp_map_put(ruv__sp_map *m, uint64_t key, uint32_t v) {
    size_t mask = m->cap - 1, h = (size_t)ruv__hash_mix64(key) & mask;
    while (m->v[h] != RUV__SP_NONE)
        h = (h + 1) & mask;
    m->k[h] = key;
    m->v[h] = v;
    m->n++;
}

/* Room for n entries at a load of at most 3/4 (a rehash into new arrays). */
static int ruv__sp_map_reserve(ruv__mem *mem, ruv__sp_map *m, size_t n) {
    ruv__sp_map t;
    size_t i;
    if (n * 4 <= m->cap * 3)
        return 1;
    t.cap = m->cap ? m->cap : 16;
    while (n * 4 > t.cap * 3)
        t.cap *= 2;
    t.n = 0;
    t.k = (uint64_t *)ruv__mem_alloc(mem, t.cap * sizeof *t.k);
    t.v = (uint32_t *)ruv__mem_alloc(mem, t.cap * sizeof *t.v);
    if (!t.k || !t.v) {
        ruv__mem_free(mem, t.k, t.k ? t.cap * sizeof *t.k : 0);
        ruv__mem_free(mem, t.v, t.v ? t.cap * sizeof *t.v : 0);
        return 0;
    }
    memset(t.v, 0xFF, t.cap * sizeof *t.v);
    for (i = 0; i < m->cap; i++)
        if (m->v[i] != RUV__SP_NONE)
            ruv__sp_map_put(&t, m->k[i], m->v[i]);
    ruv__mem_free(mem, m->k, m->cap * sizeof *m->k);
    ruv__mem_free(mem, m->v, m->cap * sizeof *m->v);
    *m = t;
    return 1;
}

/* Removes key (present), shifting back the entries of its probe run. */
static void ruv__sp_map_del(ruv__sp_map *m, uint64_t key) {
    size_t mask = m->cap - 1, h = (size_t)ruv__hash_mix64(key) & mask, j;
    while (m->k[h] != key || m->v[h] == RUV__SP_NONE)
        h = (h + 1) & mask;
    for (j = (h + 1) & mask; m->v[j] != RUV__SP_NONE; j = (j + 1) & mask) {
        size_t home = (size_t)ruv__hash_mix64(m->k[j]) & mask;
        /* move j into the hole h unless its home lies cyclically in (h, j] */
        if ((j > h && (home <= h || home > j)) || (j < h && home <= h && home > j)) {
            m->k[h] = m->k[j];
            m->v[h] = m->v[j];
            h = j;
        }
    }
    m->v[h] = RUV__SP_NONE;
    m->n--;
}

RUVDEF ruv_sparse_options ruv_sparse_options_init(void) {
    ruv_sparse_options o;
    memset(&o, 0, sizeof o);
    o.metric = RUV_METRIC_IP;
    o.max_nnz = RUV_SPARSE_DEFAULT_MAX_NNZ;
    return o;
}

RUVDEF ruv_result ruv_sparse_create(const ruv_sparse_options *opt, ruv_sparse_index **out) {
    ruv__mem mem;
    ruv_sparse_index *idx;
    if (out)
        *out = NULL;
    if (!opt || !out || opt->max_nnz > RUV_SPARSE_MAX_NNZ || !opt->alloc.alloc != !opt->alloc.free)
        return RUV_E_ARG;
    if (opt->metric != RUV_METRIC_IP && opt->metric != RUV_METRIC_COSINE &&
        opt->metric != RUV_METRIC_L2SQ)
        return RUV_E_UNSUPPORTED;
    ruv__mem_init(&mem, opt->alloc);
    if (!(idx = (ruv_sparse_index *)ruv__mem_alloc(&mem, sizeof *idx)))
        return RUV_E_NOMEM;
    memset(idx, 0, sizeof *idx);
    idx->mem = mem;
    idx->metric = opt->metric;
    idx->max_nnz = opt->max_nnz ? opt->max_nnz : RUV_SPARSE_DEFAULT_MAX_NNZ;
    *out = idx;
    return RUV_OK;
}

/* Frees every array of idx (not idx itself) through m. */
static void ruv__sp_release(ruv_sparse_index *idx, ruv__mem *m) {
    size_t i, c = idx->slot_cap;
    for (i = 0; i < idx->nlists; i++) {
        ruv__mem_free(m, idx->lists[i].slot, idx->lists[i].cap * sizeof(uint32_t));
        ruv__mem_free(m, idx->lists[i].w, idx->lists[i].cap * sizeof(float));
        ruv__mem_free(m, idx->lists[i].bk, idx->lists[i].bcap * sizeof(ruv__sp_blk));
    }
    ruv__mem_free(m, idx->lists, idx->lists_cap * sizeof *idx->lists);
    ruv__mem_free(m, idx->keys, c * sizeof *idx->keys);
    ruv__mem_free(m, idx->off, c * sizeof *idx->off);
    ruv__mem_free(m, idx->nnz, c * sizeof *idx->nnz);
    ruv__mem_free(m, idx->norm2, c * sizeof *idx->norm2);
    ruv__mem_free(m, idx->dead, c);
    ruv__mem_free(m, idx->ids, idx->ids_cap * sizeof *idx->ids);
    ruv__mem_free(m, idx->vals, idx->vals_cap * sizeof *idx->vals);
    ruv__mem_free(m, idx->kmap.k, idx->kmap.cap * sizeof(uint64_t));
    ruv__mem_free(m, idx->kmap.v, idx->kmap.cap * sizeof(uint32_t));
    ruv__mem_free(m, idx->tmap.k, idx->tmap.cap * sizeof(uint64_t));
    ruv__mem_free(m, idx->tmap.v, idx->tmap.cap * sizeof(uint32_t));
    ruv__mem_free(m, idx->sid.ref, idx->sid.ref ? c * 2 * 4 : 0);
    ruv__mem_free(m, idx->sid.bytes, idx->sid.cap);
    ruv__mem_free(m, idx->smeta.ref, idx->smeta.ref ? c * 2 * 4 : 0);
    ruv__mem_free(m, idx->smeta.bytes, idx->smeta.cap);
    ruv__mem_free(m, idx->idtab, idx->idtab_cap * 4);
}

RUVDEF void ruv_sparse_free(ruv_sparse_index *idx) {
    ruv__mem m;
    if (!idx)
        return;
    m = idx->mem;
    ruv__sp_release(idx, &m);
    ruv__mem_free(&m, idx, sizeof *idx);
}

/* RUV_OK if (nnz, ids, values) is a valid vector for idx (query: nnz 0 allowed); *norm2 = its
   squared norm. */
static ruv_result ruv__sp_check(const ruv_sparse_index *idx, size_t nnz, const uint32_t *ids,
                                const float *values, int query, double *norm2) {
    size_t i;
    double s = 0.0;
    if (nnz && (!ids || !values))
        return RUV_E_ARG;
    if (nnz > idx->max_nnz || (!nnz && !query && idx->metric == RUV_METRIC_COSINE))
        return RUV_E_VALUE;
    for (i = 0; i < nnz; i++) {
        if (!ruv__f32_finite(values[i]) || values[i] == 0.0f || ids[i] == RUV__SP_NONE ||
            (i && ids[i] <= ids[i - 1]))
            return RUV_E_VALUE;
        s += (double)values[i] * (double)values[i];
    }
    if (s > 3.4028234663852886e38) /* FLT_MAX */
        return RUV_E_VALUE;
    *norm2 = s;
    return RUV_OK;
}

/* Doubles the capacity of list l (both arrays, or neither). */
static int ruv__sp_list_grow(ruv__mem *m, ruv__sp_list *l) {
    size_t c = l->cap ? 2 * (size_t)l->cap : 4;
    uint32_t *ns;
    float *nw;
    if (c > 0xFFFFFFFFu)
        return 0;
    ns = (uint32_t *)ruv__mem_alloc(m, c * sizeof *ns);
    nw = (float *)ruv__mem_alloc(m, c * sizeof *nw);
    if (!ns || !nw) {
        ruv__mem_free(m, ns, ns ? c * sizeof *ns : 0);
        ruv__mem_free(m, nw, nw ? c * sizeof *nw : 0);
        return 0;
    }
    if (l->n) {
        memcpy(ns, l->slot, l->n * sizeof *ns);
        memcpy(nw, l->w, l->n * sizeof *nw);
    }
    ruv__mem_free(m, l->slot, l->cap * sizeof *ns);
    ruv__mem_free(m, l->w, l->cap * sizeof *nw);
    l->slot = ns, l->w = nw, l->cap = (uint32_t)c;
    return 1;
}

/* Whether a posting for slot s starts a new block of l. */
static int ruv__sp_new_blk(const ruv__sp_list *l, size_t s) {
    return !l->nb || l->bk[l->nb - 1].blk != (uint32_t)(s >> 6);
}

static int ruv__sp_blk_grow(ruv__mem *m, ruv__sp_list *l) {
    size_t c = l->bcap ? 2 * (size_t)l->bcap : 4;
    ruv__sp_blk *nb;
    if (c > 0xFFFFFFFFu || !(nb = (ruv__sp_blk *)ruv__mem_alloc(m, c * sizeof *nb)))
        return 0;
    if (l->nb)
        memcpy(nb, l->bk, l->nb * sizeof *nb);
    ruv__mem_free(m, l->bk, l->bcap * sizeof *nb);
    l->bk = nb, l->bcap = (uint32_t)c;
    return 1;
}

/* Scale of a stored vector's values in its postings: 1 / |x| for cosine, else 1 (the brute
   force applies the same expression, so that its weights are the postings' bit for bit). */
static double ruv__sp_scale(const ruv_sparse_index *idx, double n2) {
    return idx->metric == RUV_METRIC_COSINE ? 1.0 / sqrt(n2) : 1.0;
}

/* Room for one more slot: the per-slot arrays (and the id / metadata references, where those
   columns exist) grow together by doubling. All or nothing: 0 on failure. */
static int ruv__sp_slot_room(ruv_sparse_index *idx) {
    ruv__mem *m = &idx->mem;
    size_t s = idx->slots, nc = idx->slot_cap, c = nc ? 2 * nc : 16;
    uint64_t *k;
    size_t *o;
    uint32_t *z;
    double *n;
    unsigned char *d;
    ruv__blob_grow gi, gm;
    if (s + 1 <= nc)
        return 1;
    memset(&gi, 0, sizeof gi);
    memset(&gm, 0, sizeof gm);
    k = (uint64_t *)ruv__mem_alloc(m, c * sizeof *k);
    o = (size_t *)ruv__mem_alloc(m, c * sizeof *o);
    z = (uint32_t *)ruv__mem_alloc(m, c * sizeof *z);
    n = (double *)ruv__mem_alloc(m, c * sizeof *n);
    d = (unsigned char *)ruv__mem_alloc(m, c);
    if (!k || !o || !z || !n || !d ||
        (idx->sid.ref && ruv__tab_blob_alloc(m, &idx->sid, c, nc, 0, &gi) != RUV_OK) ||
        (idx->smeta.ref && ruv__tab_blob_alloc(m, &idx->smeta, c, nc, 0, &gm) != RUV_OK)) {
        ruv__mem_free(m, k, k ? c * sizeof *k : 0);
        ruv__mem_free(m, o, o ? c * sizeof *o : 0);
        ruv__mem_free(m, z, z ? c * sizeof *z : 0);
        ruv__mem_free(m, n, n ? c * sizeof *n : 0);
        ruv__mem_free(m, d, d ? c : 0);
        ruv__tab_blob_drop(m, &gi);
        ruv__tab_blob_drop(m, &gm);
        return 0;
    }
    if (s) {
        memcpy(k, idx->keys, s * sizeof *k);
        memcpy(o, idx->off, s * sizeof *o);
        memcpy(z, idx->nnz, s * sizeof *z);
        memcpy(n, idx->norm2, s * sizeof *n);
        memcpy(d, idx->dead, s);
    }
    ruv__mem_free(m, idx->keys, nc * sizeof *k);
    ruv__mem_free(m, idx->off, nc * sizeof *o);
    ruv__mem_free(m, idx->nnz, nc * sizeof *z);
    ruv__mem_free(m, idx->norm2, nc * sizeof *n);
    ruv__mem_free(m, idx->dead, nc);
    idx->keys = k, idx->off = o, idx->nnz = z, idx->norm2 = n, idx->dead = d;
    ruv__tab_blob_commit(m, &idx->sid, &gi, s, nc);
    ruv__tab_blob_commit(m, &idx->smeta, &gm, s, nc);
    idx->slot_cap = c;
    return 1;
}

/* Appends a validated vector under key (absent) as a new slot without id or metadata; the index
   is unchanged on RUV_E_NOMEM / RUV_E_FULL (empty posting lists may have been created:
   invisible). */
static ruv_result ruv__sp_insert(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                 const uint32_t *ids, const float *values, double n2) {
    ruv__mem *m = &idx->mem;
    size_t i, s = idx->slots, fresh = 0;
    if (s >= (size_t)RUV__SP_NONE - 1)
        return RUV_E_FULL;
    if (!ruv__sp_map_reserve(m, &idx->kmap, idx->kmap.n + 1) || !ruv__sp_slot_room(idx))
        return RUV_E_NOMEM;
    if (!ruv__sp_grow(m, (void **)&idx->ids, idx->pool_n, &idx->ids_cap, idx->pool_n + nnz,
                      sizeof *idx->ids) ||
        !ruv__sp_grow(m, (void **)&idx->vals, idx->pool_n, &idx->vals_cap, idx->pool_n + nnz,
                      sizeof *idx->vals))
        return RUV_E_NOMEM;
    /* the lists: room in existing ones, new (empty) ones for new dimensions */
    for (i = 0; i < nnz; i++)
        fresh += ruv__sp_map_get(&idx->tmap, ids[i]) == RUV__SP_NONE;
    if (fresh && (!ruv__sp_map_reserve(m, &idx->tmap, idx->tmap.n + fresh) ||
                  !ruv__sp_grow(m, (void **)&idx->lists, idx->nlists, &idx->lists_cap,
                                idx->nlists + fresh, sizeof *idx->lists)))
        return RUV_E_NOMEM;
    for (i = 0; i < nnz; i++) {
        uint32_t t = ruv__sp_map_get(&idx->tmap, ids[i]);
        ruv__sp_list *l;
        if (t == RUV__SP_NONE) {
            t = (uint32_t)idx->nlists++;
            memset(&idx->lists[t], 0, sizeof idx->lists[t]);
            ruv__sp_map_put(&idx->tmap, ids[i], t);
        }
        l = &idx->lists[t];
        if ((l->n == l->cap && !ruv__sp_list_grow(m, l)) ||
            (ruv__sp_new_blk(l, s) && l->nb == l->bcap && !ruv__sp_blk_grow(m, l)))
            return RUV_E_NOMEM;
    }
    /* commit */
    for (i = 0; i < nnz; i++) {
        ruv__sp_list *l = &idx->lists[ruv__sp_map_get(&idx->tmap, ids[i])];
        double sc = ruv__sp_scale(idx, n2);
        float w = sc != 1.0 ? (float)((double)values[i] * sc) : values[i];
        if (!l->n || w > l->maxw)
            l->maxw = w;
        if (!l->n || w < l->minw)
            l->minw = w;
        if (ruv__sp_new_blk(l, s)) {
            l->bk[l->nb].blk = (uint32_t)(s >> 6);
            l->bk[l->nb].first = l->n;
            l->bk[l->nb++].hi = w;
        } else if (w > l->bk[l->nb - 1].hi)
            l->bk[l->nb - 1].hi = w;
        l->slot[l->n] = (uint32_t)s;
        l->w[l->n++] = w;
    }
    if (nnz) {
        memcpy(idx->ids + idx->pool_n, ids, nnz * sizeof *ids);
        memcpy(idx->vals + idx->pool_n, values, nnz * sizeof *values);
    }
    idx->keys[s] = key;
    if (idx->sid.ref)
        idx->sid.ref[2 * s] = idx->sid.ref[2 * s + 1] = 0;
    if (idx->smeta.ref)
        idx->smeta.ref[2 * s] = idx->smeta.ref[2 * s + 1] = 0;
    idx->off[s] = idx->pool_n;
    idx->nnz[s] = (uint32_t)nnz;
    idx->norm2[s] = n2;
    idx->dead[s] = 0;
    idx->pool_n += nnz;
    idx->slots++;
    idx->live++;
    ruv__sp_map_put(&idx->kmap, key, (uint32_t)s);
    return RUV_OK;
}

/* Marks slot s removed (its postings become tombstones). */
static void ruv__sp_kill(ruv_sparse_index *idx, uint32_t s) {
    idx->dead[s] = 1;
    idx->live--;
    idx->dead_postings += idx->nnz[s];
    ruv__sp_map_del(&idx->kmap, idx->keys[s]);
}

/* Compaction after writes, once tombstones outnumber live entries (a failure keeps them). */
static void ruv__sp_autocompact(ruv_sparse_index *idx) {
    if (idx->dead_postings > 1024 && idx->slots - idx->live > idx->live)
        (void)ruv_sparse_compact(idx);
}

/* Counts a change of ruv__blob_set in the number of entries with an id. */
static void ruv__sp_nids(ruv_sparse_index *idx, int d) {
    if (d > 0)
        idx->nids++;
    else if (d < 0)
        idx->nids--;
}

/* A new id table for one more id, if the current one (at most half full) has no room: *tab is
   NULL if none is needed. 0 on allocation failure. */
static int ruv__sp_idtab_room(ruv_sparse_index *idx, size_t ids, uint32_t **tab, size_t *tcap) {
    size_t c = idx->idtab_cap ? idx->idtab_cap : 16;
    *tab = NULL;
    *tcap = 0;
    while (c / 2 < ids)
        c *= 2;
    if (c == idx->idtab_cap)
        return 1;
    if (c > (size_t)-1 / 4 || !(*tab = (uint32_t *)ruv__mem_alloc(&idx->mem, c * 4)))
        return 0;
    *tcap = c;
    return 1;
}

/* Replaces the id table by tab (tcap entries), filled with every slot that has an id. */
static void ruv__sp_idtab_install(ruv_sparse_index *idx, uint32_t *tab, size_t tcap) {
    size_t s, len;
    memset(tab, 0xFF, tcap * 4);
    for (s = 0; s < idx->slots; s++)
        if (ruv__tab_blob(&idx->sid, (uint32_t)s, &len))
            ruv__slots_put(NULL, &idx->sid, tab, tcap, (uint32_t)s);
    ruv__mem_free(&idx->mem, idx->idtab, idx->idtab_cap * 4);
    idx->idtab = tab;
    idx->idtab_cap = tcap;
}

RUVDEF ruv_result ruv_sparse_put(ruv_sparse_index *idx, const ruv_sparse_item *it,
                                 ruv_put_mode mode) {
    const ruv_sparse_vector *v;
    double n2 = 0.0;
    uint32_t s, ns, *tab = NULL;
    size_t id_add = 0, meta_add = 0, tcap = 0;
    ruv__blob_grow gi, gm;
    ruv__mem *m;
    ruv_result r;
    if (!idx || !it || (unsigned)mode > (unsigned)RUV_PUT_UPSERT ||
        (it->id && it->id_len > RUV_MAX_ID_BYTES) ||
        (it->meta && it->meta_len > RUV_MAX_META_BYTES))
        return RUV_E_ARG;
    m = &idx->mem;
    v = it->vector;
    if (v && (r = ruv__sp_check(idx, v->nnz, v->ids, v->values, 0, &n2)) != RUV_OK)
        return r;
    s = ruv__sp_map_get(&idx->kmap, it->key);
    if (s != RUV__SP_NONE && mode == RUV_PUT_INSERT)
        return RUV_E_EXISTS;
    if (s == RUV__SP_NONE && mode == RUV_PUT_UPDATE)
        return RUV_E_NOTFOUND;
    if (s == RUV__SP_NONE && !v)
        return RUV_E_ARG;
    if (it->id && it->id_len) {
        uint32_t other =
            ruv__slots_find_id(&idx->sid, idx->idtab, idx->idtab_cap, it->id, it->id_len);
        if (other != RUV__SP_NONE && other != s)
            return RUV_E_EXISTS;
        id_add = it->id_len;
    }
    if (it->meta)
        meta_add = it->meta_len;
    if (v && idx->slots >= (size_t)RUV__SP_NONE - 1)
        return RUV_E_FULL;
    /* room first (capacity only: the entries are unchanged if anything fails) */
    memset(&gi, 0, sizeof gi);
    memset(&gm, 0, sizeof gm);
    if (v && !ruv__sp_slot_room(idx))
        return RUV_E_NOMEM;
    if ((r = ruv__tab_blob_alloc(m, &idx->sid, idx->slot_cap, idx->slot_cap, id_add, &gi)) !=
            RUV_OK ||
        (r = ruv__tab_blob_alloc(m, &idx->smeta, idx->slot_cap, idx->slot_cap, meta_add, &gm)) !=
            RUV_OK ||
        (r = (!id_add || ruv__sp_idtab_room(idx, idx->nids + 1, &tab, &tcap))
                 ? RUV_OK
                 : RUV_E_NOMEM) != RUV_OK)
        goto fail;
    ns = s;
    if (v) {
        if (s != RUV__SP_NONE) /* the new slot takes over the key (the map takes the new one) */
            ruv__sp_kill(idx, s);
        if ((r = ruv__sp_insert(idx, it->key, v->nnz, v->ids, v->values, n2)) != RUV_OK) {
            if (s != RUV__SP_NONE) { /* undo the removal: the old slot is intact */
                idx->dead[s] = 0;
                idx->live++;
                idx->dead_postings -= idx->nnz[s];
                ruv__sp_map_put(&idx->kmap, it->key, s); /* room: it was just deleted */
            }
            goto fail;
        }
        ns = (uint32_t)(idx->slots - 1);
    }
    /* Nothing fails from here on. */
    ruv__tab_blob_commit(m, &idx->sid, &gi, idx->slots, idx->slot_cap);
    ruv__tab_blob_commit(m, &idx->smeta, &gm, idx->slots, idx->slot_cap);
    if (tab)
        ruv__sp_idtab_install(idx, tab, tcap);
    if (ns != s && s != RUV__SP_NONE) {
        ruv__blob_move(&idx->sid, idx->idtab, idx->idtab_cap, s, ns);
        ruv__blob_move(&idx->smeta, NULL, 0, s, ns);
    }
    if (it->id)
        ruv__sp_nids(idx,
                     ruv__blob_set(&idx->sid, idx->idtab, idx->idtab_cap, ns, it->id, it->id_len));
    if (it->meta)
        (void)ruv__blob_set(&idx->smeta, NULL, 0, ns, it->meta, it->meta_len);
    if (ns != s && s != RUV__SP_NONE)
        ruv__sp_autocompact(idx);
    return RUV_OK;
fail:
    ruv__tab_blob_drop(m, &gi);
    ruv__tab_blob_drop(m, &gm);
    ruv__mem_free(m, tab, tcap * 4);
    return r;
}

/* ruv_sparse_put of a vector alone. */
static ruv_result ruv__sp_put_vector(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                     const uint32_t *ids, const float *values, ruv_put_mode mode) {
    ruv_sparse_vector v;
    ruv_sparse_item it;
    memset(&it, 0, sizeof it);
    v.nnz = nnz;
    v.ids = ids;
    v.values = values;
    it.key = key;
    it.vector = &v;
    return ruv_sparse_put(idx, &it, mode);
}

RUVDEF ruv_result ruv_sparse_add(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                 const uint32_t *ids, const float *values) {
    return ruv__sp_put_vector(idx, key, nnz, ids, values, RUV_PUT_INSERT);
}

RUVDEF ruv_result ruv_sparse_upsert(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                    const uint32_t *ids, const float *values) {
    return ruv__sp_put_vector(idx, key, nnz, ids, values, RUV_PUT_UPSERT);
}

RUVDEF ruv_result ruv_sparse_update(ruv_sparse_index *idx, uint64_t key, size_t nnz,
                                    const uint32_t *ids, const float *values) {
    return ruv__sp_put_vector(idx, key, nnz, ids, values, RUV_PUT_UPDATE);
}

RUVDEF int ruv_sparse_next(const ruv_sparse_index *idx, size_t *cursor, uint64_t *key) {
    size_t s;
    if (!idx || !cursor || !key)
        return 0;
    for (s = *cursor; s < idx->slots; s++)
        if (!idx->dead[s]) {
            *key = idx->keys[s];
            *cursor = s + 1;
            return 1;
        }
    *cursor = idx->slots;
    return 0;
}

RUVDEF ruv_result ruv_sparse_remove(ruv_sparse_index *idx, uint64_t key) {
    uint32_t s;
    if (!idx)
        return RUV_E_ARG;
    if ((s = ruv__sp_map_get(&idx->kmap, key)) == RUV__SP_NONE)
        return RUV_E_NOTFOUND;
    ruv__sp_nids(idx, ruv__blob_set(&idx->sid, idx->idtab, idx->idtab_cap, s, NULL, 0));
    (void)ruv__blob_set(&idx->smeta, NULL, 0, s, NULL, 0);
    ruv__sp_kill(idx, s);
    ruv__sp_autocompact(idx);
    return RUV_OK;
}

RUVDEF ruv_result ruv_sparse_get(const ruv_sparse_index *idx, uint64_t key, uint32_t *ids,
                                 float *values, size_t cap, size_t *nnz) {
    uint32_t s;
    if (nnz)
        *nnz = 0;
    if (!idx || !nnz || (cap && (!ids || !values)))
        return RUV_E_ARG;
    if ((s = ruv__sp_map_get(&idx->kmap, key)) == RUV__SP_NONE)
        return RUV_E_NOTFOUND;
    *nnz = idx->nnz[s];
    if (cap < idx->nnz[s])
        return RUV_E_SPACE;
    if (idx->nnz[s]) {
        memcpy(ids, idx->ids + idx->off[s], idx->nnz[s] * sizeof *ids);
        memcpy(values, idx->vals + idx->off[s], idx->nnz[s] * sizeof *values);
    }
    return RUV_OK;
}

RUVDEF int ruv_sparse_contains(const ruv_sparse_index *idx, uint64_t key) {
    return idx && ruv__sp_map_get(&idx->kmap, key) != RUV__SP_NONE;
}

RUVDEF size_t ruv_sparse_count(const ruv_sparse_index *idx) { return idx ? idx->live : 0; }

RUVDEF size_t ruv_sparse_memory_usage(const ruv_sparse_index *idx) {
    return idx ? idx->mem.used : 0;
}

static ruv_result ruv__sp_get_blob(const ruv_sparse_index *idx, int is_id, uint64_t key,
                                   const void **p, size_t *len) {
    uint32_t s;
    if (p)
        *p = NULL;
    if (len)
        *len = 0;
    if (!idx || !p || !len)
        return RUV_E_ARG;
    if ((s = ruv__sp_map_get(&idx->kmap, key)) == RUV__SP_NONE)
        return RUV_E_NOTFOUND;
    *p = ruv__tab_blob(is_id ? &idx->sid : &idx->smeta, s, len);
    return RUV_OK;
}

RUVDEF ruv_result ruv_sparse_get_id(const ruv_sparse_index *idx, uint64_t key, const char **id,
                                    size_t *len) {
    const void *p;
    ruv_result r = ruv__sp_get_blob(idx, 1, key, &p, len);
    if (id)
        *id = (const char *)p;
    return id ? r : RUV_E_ARG;
}

RUVDEF ruv_result ruv_sparse_get_meta(const ruv_sparse_index *idx, uint64_t key, const void **meta,
                                      size_t *len) {
    return ruv__sp_get_blob(idx, 0, key, meta, len);
}

RUVDEF ruv_result ruv_sparse_get_key(const ruv_sparse_index *idx, const char *id, size_t len,
                                     uint64_t *key) {
    uint32_t s;
    if (key) /* out-parameters read 0 on an error */
        *key = 0;
    if (!idx || !id || !len || !key)
        return RUV_E_ARG;
    if (len > RUV_MAX_ID_BYTES) /* no id is longer: nothing of id is read */
        return RUV_E_NOTFOUND;
    if ((s = ruv__slots_find_id(&idx->sid, idx->idtab, idx->idtab_cap, id, len)) == RUV__SP_NONE)
        return RUV_E_NOTFOUND;
    *key = idx->keys[s];
    return RUV_OK;
}

RUVDEF ruv_sparse_stats ruv_sparse_get_stats(const ruv_sparse_index *idx) {
    ruv_sparse_stats st;
    size_t i, c;
    memset(&st, 0, sizeof st);
    if (!idx)
        return st;
    c = idx->slot_cap;
    st.live = idx->live;
    st.tombstones = idx->slots - idx->live;
    st.dims = idx->nlists;
    st.dead_postings = idx->dead_postings;
    st.vector_bytes = idx->ids_cap * sizeof *idx->ids + idx->vals_cap * sizeof *idx->vals;
    st.posting_bytes = idx->lists_cap * sizeof *idx->lists + idx->tmap.cap * (8 + 4);
    for (i = 0; i < idx->nlists; i++) {
        const ruv__sp_list *l = &idx->lists[i];
        st.postings += l->n;
        st.posting_bytes += (size_t)l->cap * (4 + 4) + (size_t)l->bcap * sizeof(ruv__sp_blk);
    }
    st.id_bytes = (idx->sid.ref ? c * 8 : 0) + idx->sid.cap + idx->idtab_cap * 4;
    st.meta_bytes = (idx->smeta.ref ? c * 8 : 0) + idx->smeta.cap;
    st.key_bytes =
        c * (sizeof *idx->keys + sizeof *idx->off + sizeof *idx->nnz + sizeof *idx->norm2 + 1) +
        idx->kmap.cap * (8 + 4) + sizeof *idx;
    st.total_bytes = idx->mem.used;
    return st;
}

/* Gives the entries of t (slots 0.. in order) the ids (is_id) or metadata of src's slots that
   dead (NULL: none) does not flag, from src (refs, bytes: lengths checked by the caller), then
   with ids the id table. 0 on allocation failure (what was allocated is t's, freed with it). */
static int ruv__sp_blobs_fill(ruv_sparse_index *t, int is_id, const ruv__blobs *src,
                              const unsigned char *dead) {
    ruv__blobs *d = is_id ? &t->sid : &t->smeta;
    size_t s, j = 0, len, tcap;
    uint32_t *tab;
    if (!src->live)
        return 1;
    if (!(d->ref = (uint32_t *)ruv__mem_alloc(&t->mem, t->slot_cap * 2 * 4)))
        return 0;
    memset(d->ref, 0, t->slot_cap * 2 * 4);
    if (!(d->bytes = (unsigned char *)ruv__mem_alloc(&t->mem, src->live)))
        return 0;
    d->cap = src->live;
    for (s = 0; j < t->slots; s++) {
        const unsigned char *p;
        if (dead && dead[s])
            continue;
        if ((p = ruv__tab_blob(src, (uint32_t)s, &len)) != NULL) {
            memcpy(d->bytes + d->len, p, len);
            d->ref[2 * j] = (uint32_t)d->len;
            d->ref[2 * j + 1] = (uint32_t)len;
            d->len += len;
            t->nids += (size_t)is_id;
        }
        j++;
    }
    d->live = d->len;
    if (!is_id)
        return 1;
    if (!ruv__sp_idtab_room(t, t->nids, &tab, &tcap))
        return 0;
    if (tab)
        ruv__sp_idtab_install(t, tab, tcap);
    return 1;
}

RUVDEF ruv_result ruv_sparse_compact(ruv_sparse_index *idx) {
    ruv_sparse_index t;
    size_t s;
    if (!idx)
        return RUV_E_ARG;
    if (idx->live == idx->slots)
        return RUV_OK;
    memset(&t, 0, sizeof t); /* a fresh index on the same allocator, filled in slot order */
    t.mem = idx->mem;
    t.mem.used = 0;
    t.metric = idx->metric;
    t.max_nnz = idx->max_nnz;
    for (s = 0; s < idx->slots; s++)
        if (!idx->dead[s] && ruv__sp_insert(&t, idx->keys[s], idx->nnz[s], idx->ids + idx->off[s],
                                            idx->vals + idx->off[s], idx->norm2[s]) != RUV_OK) {
            ruv__sp_release(&t, &t.mem);
            return RUV_E_NOMEM;
        }
    if (!ruv__sp_blobs_fill(&t, 1, &idx->sid, idx->dead) ||
        !ruv__sp_blobs_fill(&t, 0, &idx->smeta, idx->dead)) {
        ruv__sp_release(&t, &t.mem);
        return RUV_E_NOMEM;
    }
    ruv__sp_release(idx, &idx->mem); /* leaves the struct's own bytes counted */
    t.mem.used += idx->mem.used;
    *idx = t;
    return RUV_OK;
}

/* ---- search ------------------------------------------------------------------------------ */

typedef struct ruv__sp_cand {
    double score; /* larger is better */
    uint32_t slot;
} ruv__sp_cand;

/* a ranks below b: lower score, or equal and a later slot */
static int ruv__sp_worse(const ruv__sp_cand *a, const ruv__sp_cand *b) {
    return a->score < b->score || (a->score == b->score && a->slot > b->slot);
}

/* Offers x to the k-heap h of *n (root = the worst). Returns 1 if it entered. */
static int ruv__sp_offer(ruv__sp_cand *h, size_t *n, size_t k, ruv__sp_cand x) {
    size_t i;
    if (*n < k) {
        for (i = (*n)++; i > 0 && ruv__sp_worse(&x, &h[(i - 1) / 2]); i = (i - 1) / 2)
            h[i] = h[(i - 1) / 2];
        h[i] = x;
        return 1;
    }
    if (!ruv__sp_worse(&h[0], &x))
        return 0;
    for (i = 0;;) {
        size_t l = 2 * i + 1, w = i;
        const ruv__sp_cand *wc = &x;
        if (l < *n && ruv__sp_worse(&h[l], wc))
            w = l, wc = &h[l];
        if (l + 1 < *n && ruv__sp_worse(&h[l + 1], wc))
            w = l + 1;
        if (w == i)
            break;
        h[i] = h[w];
        i = w;
    }
    h[i] = x;
    return 1;
}

static int ruv__sp_cand_cmp(const void *a, const void *b) {
    const ruv__sp_cand *x = (const ruv__sp_cand *)a, *y = (const ruv__sp_cand *)b;
    return ruv__sp_worse(y, x) ? -1 : ruv__sp_worse(x, y) ? 1 : 0;
}

/* Whether slot s may be a hit (live, passing the filters of o, which may be NULL). */
static int ruv__sp_pass(const ruv_sparse_index *idx, const ruv_sparse_search_options *o,
                        uint32_t s) {
    uint64_t key;
    if (idx->dead[s])
        return 0;
    if (!o || (!o->allow && !o->filter)) /* (the key is a random read: only when needed) */
        return 1;
    key = idx->keys[s];
    if (o->allow && (key >= o->allow_bits || !((o->allow[key / 8] >> (key % 8)) & 1u)))
        return 0;
    return !o->filter || o->filter(o->filter_user, key);
}

/* One query dimension during a MaxScore traversal. */
typedef struct ruv__sp_term {
    const ruv__sp_list *l;
    size_t pos;
    double q, ub; /* query weight; bound of its contribution (>= 0) */
    size_t qi;    /* its position in the query (the summation order) */
    /* while completing the candidates of one 64-slot block: the list's block cursor, whether
       the list has postings there (in [bfirst, bend)), their bound, the bounds' prefix sum */
    size_t bc, be, bfirst, bend;
    size_t wcur, wend; /* an essential list's postings in the window, for the query-order sum */
    int present;
    double bub, cumb;
} ruv__sp_term;

static int ruv__sp_term_cmp(const void *a, const void *b) {
    const ruv__sp_term *x = (const ruv__sp_term *)a, *y = (const ruv__sp_term *)b;
    return x->ub < y->ub ? -1 : x->ub > y->ub ? 1 : (x->qi > y->qi) - (x->qi < y->qi);
}

/* Window of the MaxScore traversal: a power of two from 64 to 4096 slots, no larger than
   needed for the index's slots. */
#define RUV__SP_PRUNE_MAX_NNZ 512u /* larger queries: RUV_SPARSE_EXHAUSTIVE */
static size_t ruv__sp_window(size_t slots) {
    size_t w = 4096;
    while (w > 64 && w / 2 >= slots)
        w /= 2;
    return w;
}

static unsigned ruv__sp_ctz(uint64_t x) { /* x != 0 */
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    for (; !(x & 1u); x >>= 1)
        n++;
    return n;
#endif
}

/* MaxScore (Turtle & Flood 1995) over the m terms t, in windows of W slots. The terms are
   sorted by bound ascending; those from e on are essential (the bounds of the others sum below
   the k-th score, so an entry found only in them cannot enter). Per window: the essential
   lists' postings are scattered into acc (their sum per slot), the other lists' blocks in the
   window are listed (tab) with the sum of their bounds per 64-slot block (nb: block-max, as
   Ding & Suel 2011); then the touched slots of a block whose essential score plus that sum
   cannot reach the k-th score are dropped (without a branch per slot), and each remaining one,
   in order, is completed from the other lists (largest bound first, searching the block's
   postings, dropped as soon as the bounds left cannot reach the k-th score), summed again in
   query order (the sum every mode computes) and offered. Scratch: acc (W) and bits (W / 64),
   zero on entry and exit; nb (W / 64); tab (m * W / 64, RUV__SP_NONE on entry and exit);
   nec (m), cum (m), ord (m), pos (nq). */
static size_t ruv__sp_maxscore(const ruv_sparse_index *idx, ruv__sp_term *t, size_t m, size_t nq,
                               size_t W, double *acc, uint64_t *bits, double *nb, uint32_t *tab,
                               double *nec, double *cum, size_t *ord, size_t *pos, size_t k,
                               const ruv_sparse_search_options *o, ruv__sp_cand *h,
                               uint64_t *scored) {
    size_t n = 0, e = 0, i, j, wd, nw = W / 64;
    double theta = 0.0, tol = 0.0, lim = -HUGE_VAL; /* lim: theta - tol once the heap is full */
    double pv[64];                                  /* a block's scores that pass the bound */
    int filt = o && (o->allow || o->filter);
    qsort(t, m, sizeof *t, ruv__sp_term_cmp);
    for (i = 0; i < m; i++)
        cum[i] = (i ? cum[i - 1] : 0.0) + t[i].ub;
    for (j = 0; j < nq; j++) /* ord: the terms in query order */
        pos[j] = (size_t)-1;
    for (i = 0; i < m; i++)
        pos[t[i].qi] = i;
    for (i = 0, j = 0; j < nq; j++)
        if (pos[j] != (size_t)-1)
            ord[i++] = pos[j];
    for (;;) {
        uint32_t base = RUV__SP_NONE;
        size_t ew = e;
        for (i = ew; i < m; i++) /* the window starts at the least slot of the essential lists */
            if (t[i].pos < t[i].l->n && t[i].l->slot[t[i].pos] < base)
                base = t[i].l->slot[t[i].pos];
        if (base == RUV__SP_NONE)
            break;
        base &= ~(uint32_t)63; /* words of the window = the lists' 64-slot blocks */
        for (i = ew; i < m; i++) {
            const ruv__sp_list *l = t[i].l;
            size_t p = t[i].pos;
            double q = t[i].q;
            t[i].wcur = p;
            for (; p < l->n && l->slot[p] - base < W; p++) {
                size_t off = l->slot[p] - base;
                bits[off >> 6] |= (uint64_t)1 << (off & 63);
                acc[off] += q * (double)l->w[p];
            }
            t[i].pos = t[i].wend = p;
        }
        for (wd = 0; wd < nw; wd++)
            nb[wd] = 0.0;
        for (i = 0; i < ew; i++) { /* the other lists' blocks in the window, bounds per block */
            const ruv__sp_list *l = t[i].l;
            uint32_t b0 = base >> 6, *tb = tab + i * nw;
            size_t c = t[i].bc;
            while (c < l->nb && l->bk[c].blk < b0)
                c++;
            t[i].bc = c;
            for (; c < l->nb && l->bk[c].blk - b0 < nw; c++) {
                double u = t[i].q > 0.0 ? t[i].q * (double)l->bk[c].hi : t[i].ub;
                tb[l->bk[c].blk - b0] = (uint32_t)c;
                nb[l->bk[c].blk - b0] += u > 0.0 ? u : 0.0;
            }
            t[i].be = c;
        }
        for (wd = 0; wd < nw; wd++) {
            uint64_t b = bits[wd], keep = 0;
            double nbw = 0.0, thr = lim - nb[wd], *a = acc + wd * 64;
            if (!b)
                continue;
            bits[wd] = 0;
            for (; b; b &= b - 1) { /* the slots that may reach the k-th score (no branch) */
                unsigned r = ruv__sp_ctz(b);
                double v = a[r];
                a[r] = 0.0;
                pv[r] = v;
                keep |= (uint64_t)(v >= thr) << r;
            }
            if (!keep)
                continue;
            for (i = 0; i < ew; i++) { /* block-max bounds of the other lists in this block */
                const ruv__sp_list *l = t[i].l;
                uint32_t c = tab[i * nw + wd];
                t[i].present = c != RUV__SP_NONE;
                t[i].bub = 0.0;
                if (t[i].present) {
                    t[i].bfirst = l->bk[c].first;
                    t[i].bend = c + 1 < l->nb ? l->bk[c + 1].first : l->n;
                    t[i].bub = t[i].q > 0.0 ? t[i].q * (double)l->bk[c].hi : t[i].ub;
                    if (t[i].bub < 0.0)
                        t[i].bub = 0.0;
                }
                nbw += t[i].bub;
                t[i].cumb = nbw;
            }
            for (; keep; keep &= keep - 1) {
                unsigned r = ruv__sp_ctz(keep);
                uint32_t d = base + (uint32_t)(wd * 64 + r);
                double partial = pv[r], sc = 0.0;
                int ok = 1;
                ruv__sp_cand x;
                if (partial + nbw < lim || idx->dead[d] || (filt && !ruv__sp_pass(idx, o, d)))
                    continue;
                for (i = ew; i-- > 0;) { /* the other lists, largest bound first */
                    const ruv__sp_list *l = t[i].l;
                    size_t p;
                    nec[i] = 0.0;
                    if (partial + t[i].cumb < lim) {
                        ok = 0;
                        break;
                    }
                    if (!t[i].present)
                        continue;
                    p = ruv__sp_gallop(l->slot, t[i].pos > t[i].bfirst ? t[i].pos : t[i].bfirst,
                                       t[i].bend, d);
                    t[i].pos = p;
                    if (p < t[i].bend && l->slot[p] == d) {
                        nec[i] = t[i].q * (double)l->w[p];
                        partial += nec[i];
                        t[i].pos = p + 1;
                    }
                }
                if (!ok)
                    continue;
                for (j = 0; j < m; j++) { /* the score in query order (products are nonzero) */
                    ruv__sp_term *u = &t[ord[j]];
                    double c = 0.0;
                    if (ord[j] < ew)
                        c = nec[ord[j]];
                    else if ((u->wcur = ruv__sp_gallop(u->l->slot, u->wcur, u->wend, d)) <
                                 u->wend &&
                             u->l->slot[u->wcur] == d)
                        c = u->q * (double)u->l->w[u->wcur];
                    if (c != 0.0)
                        sc += c;
                }
                (*scored)++;
                x.score = sc;
                x.slot = d;
                if (ruv__sp_offer(h, &n, k, x) && n == k) {
                    theta = h[0].score;
                    /* bounds are sums of a few exact products: a relative slack far above
                       their rounding keeps every entry that can reach theta */
                    tol = 1e-9 * (fabs(theta) + cum[m - 1]) + 1e-300;
                    lim = theta - tol;
                }
            }
        }
        for (i = 0; i < ew; i++) { /* the window's blocks are done */
            size_t c;
            for (c = t[i].bc; c < t[i].be; c++)
                tab[i * nw + (t[i].l->bk[c].blk - (base >> 6))] = RUV__SP_NONE;
            t[i].bc = t[i].be;
        }
        while (e < m && cum[e] < lim)
            e++;
    }
    return n;
}

RUVDEF ruv_result ruv_sparse_search(const ruv_sparse_index *idx, size_t nnz, const uint32_t *ids,
                                    const float *values, size_t k,
                                    const ruv_sparse_search_options *opt, ruv_hit *hits,
                                    size_t *n_out) {
    ruv__mem mem;
    ruv_sparse_mode mode = opt ? opt->mode : RUV_SPARSE_PRUNED;
    double qn2 = 0.0, qs = 1.0, *qw, *acc = NULL;
    ruv__sp_cand *h;
    ruv__sp_term *t;
    size_t n = 0, m = 0, i, s, bytes, W, nd;
    uint64_t scored = 0;
    unsigned char *blk;
    ruv_result r;
    int l2;
    if (n_out)
        *n_out = 0;
    if (!idx || !hits || !n_out || !k || (opt && opt->allow_bits && !opt->allow) ||
        (unsigned)mode > (unsigned)RUV_SPARSE_BRUTE ||
        (opt && opt->window &&
         (opt->window < 64 || opt->window > 4096 || (opt->window & (opt->window - 1)))))
        return RUV_E_ARG;
    if ((r = ruv__sp_check(idx, nnz, ids, values, 1, &qn2)) != RUV_OK)
        return r;
    if (opt && opt->scored)
        *opt->scored = 0;
    l2 = idx->metric == RUV_METRIC_L2SQ;
    if (!idx->live || (!nnz && !l2))
        return RUV_OK;
    if (k > idx->live)
        k = idx->live;
    if (idx->metric == RUV_METRIC_COSINE)
        qs = 1.0 / sqrt(qn2);
    if (l2 && mode == RUV_SPARSE_PRUNED)
        mode = RUV_SPARSE_EXHAUSTIVE; /* every entry's norm is needed: accumulate the dots */
    if (mode == RUV_SPARSE_PRUNED && nnz > RUV__SP_PRUNE_MAX_NNZ)
        mode = RUV_SPARSE_EXHAUSTIVE; /* a dense-ish query: its window would be too small */
    W = opt && opt->window ? opt->window : ruv__sp_window(idx->slots);
    if (mode == RUV_SPARSE_PRUNED && !(opt && opt->window) && idx->slots <= W)
        mode = RUV_SPARSE_EXHAUSTIVE; /* one window: every list is essential in it */
    /* scratch, one block: heap, query weights, terms, then per mode: the exhaustive mode a score
       per slot, the touched slots and their flags; the pruned mode the cumulative bounds, the
       window (scores, contributions per term, flags) and the term orders */
    nd = mode == RUV_SPARSE_EXHAUSTIVE ? idx->slots
         : mode == RUV_SPARSE_PRUNED   ? 2 * nnz + W + W / 64
                                       : 0;
    bytes = k * sizeof *h + nnz * (sizeof *qw + sizeof *t) + nd * sizeof(double);
    if (mode == RUV_SPARSE_EXHAUSTIVE)
        bytes += idx->slots * (sizeof(uint32_t) + 1);
    if (mode == RUV_SPARSE_PRUNED)
        bytes += W / 8 + 2 * nnz * sizeof(size_t) + nnz * (W / 64) * sizeof(uint32_t);
    mem = idx->mem; /* a copy: searches do not count in the index's memory */
    if (!(blk = (unsigned char *)ruv__mem_alloc(&mem, bytes)))
        return RUV_E_NOMEM;
    h = (ruv__sp_cand *)(void *)blk;
    qw = (double *)(void *)(h + k);
    t = (ruv__sp_term *)(void *)(qw + nnz);
    acc = (double *)(void *)(t + nnz);
    for (i = 0; i < nnz; i++)
        qw[i] = (double)values[i] * qs;
    if (mode == RUV_SPARSE_BRUTE) {
        for (s = 0; s < idx->slots; s++) {
            int shared = 0;
            double dot, n2 = idx->norm2[s];
            ruv__sp_cand x;
            if (idx->dead[s])
                continue;
            dot = ruv__sp_dot(nnz, ids, NULL, qw, idx->nnz[s], idx->ids + idx->off[s],
                              idx->vals + idx->off[s], ruv__sp_scale(idx, n2), &shared);
            if ((!shared && !l2) || !ruv__sp_pass(idx, opt, (uint32_t)s))
                continue;
            scored++;
            x.score = l2 ? -(qn2 + n2 - 2.0 * dot) : dot;
            x.slot = (uint32_t)s;
            ruv__sp_offer(h, &n, k, x);
        }
    } else {
        for (i = 0; i < nnz; i++) { /* the query's dimensions present in the index */
            uint32_t li = ruv__sp_map_get(&idx->tmap, ids[i]);
            const ruv__sp_list *l;
            if (li == RUV__SP_NONE || !(l = &idx->lists[li])->n)
                continue;
            t[m].l = l;
            t[m].pos = 0;
            t[m].bc = 0;
            t[m].q = qw[i];
            t[m].qi = i;
            t[m].ub = qw[i] > 0 ? qw[i] * (double)l->maxw : qw[i] * (double)l->minw;
            if (t[m].ub < 0.0)
                t[m].ub = 0.0;
            m++;
        }
        if (mode == RUV_SPARSE_PRUNED) {
            uint64_t *bits = (uint64_t *)(void *)(acc + nd);
            size_t *ord = (size_t *)(void *)(bits + W / 64);
            uint32_t *tab = (uint32_t *)(void *)(ord + 2 * nnz);
            memset(acc + 2 * nnz, 0, W * sizeof *acc);
            memset(bits, 0, W / 8);
            memset(tab, 0xFF, nnz * (W / 64) * sizeof *tab); /* RUV__SP_NONE */
            n = ruv__sp_maxscore(idx, t, m, nnz, W, acc + 2 * nnz, bits, acc + 2 * nnz + W, tab,
                                 acc, acc + nnz, ord, ord + nnz, k, opt, h, &scored);
        } else { /* term at a time into a score per slot; the touched slots listed once */
            double *sc = acc;
            uint32_t *list = (uint32_t *)(void *)(acc + nd);
            unsigned char *touched = (unsigned char *)(list + idx->slots);
            size_t nt = 0, j;
            memset(sc, 0, idx->slots * sizeof *sc);
            memset(touched, 0, idx->slots);
            for (i = 0; i < m; i++) {              /* query order: ascending ids */
                const uint32_t *ls = t[i].l->slot; /* (locals: sc's stores may alias) */
                const float *lw = t[i].l->w;
                double q = t[i].q;
                size_t p, ln = t[i].l->n;
                for (p = 0; p < ln; p++) {
                    uint32_t x = ls[p];
                    sc[x] += q * (double)lw[p];
                    if (!touched[x]) {
                        touched[x] = 1;
                        list[nt++] = x;
                    }
                }
            }
            for (j = 0; j < (l2 ? idx->slots : nt); j++) { /* L2: every entry */
                uint32_t x = l2 ? (uint32_t)j : list[j];
                ruv__sp_cand c;
                if (!ruv__sp_pass(idx, opt, x))
                    continue;
                scored++;
                c.score = l2 ? -(qn2 + idx->norm2[x] - 2.0 * sc[x]) : sc[x];
                c.slot = x;
                ruv__sp_offer(h, &n, k, c);
            }
        }
    }
    qsort(h, n, sizeof *h, ruv__sp_cand_cmp);
    for (i = 0; i < n; i++) {
        double d = l2 ? -h[i].score : 1.0 - h[i].score;
        hits[i].key = idx->keys[h[i].slot];
        hits[i].distance = (float)(l2 && d < 0.0 ? 0.0 : d);
    }
    *n_out = n;
    if (opt && opt->scored)
        *opt->scored = scored;
    ruv__mem_free(&mem, blk, bytes);
    return RUV_OK;
}

/* ---- rank fusion ------------------------------------------------------------------------- */

RUVDEF ruv_fuse_options ruv_fuse_options_init(void) {
    ruv_fuse_options o;
    memset(&o, 0, sizeof o);
    o.method = RUV_FUSE_RRF;
    o.rrf_k = 60.0;
    return o;
}

typedef struct ruv__fuse_ent {
    uint64_t key;
    double score; /* this list's contribution; after the merge, the key's sum */
    size_t list, rank;
} ruv__fuse_ent;

/* by key, then list, then rank: a key's entries together, lists in order, the best first */
static int ruv__fuse_by_key(const void *a, const void *b) {
    const ruv__fuse_ent *x = (const ruv__fuse_ent *)a, *y = (const ruv__fuse_ent *)b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->list != y->list)
        return x->list < y->list ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* by score descending, then key */
static int ruv__fuse_by_score(const void *a, const void *b) {
    const ruv__fuse_ent *x = (const ruv__fuse_ent *)a, *y = (const ruv__fuse_ent *)b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

RUVDEF ruv_result ruv_fuse(size_t nlists, const ruv_hit *const *lists, const size_t *counts,
                           size_t k, const ruv_fuse_options *opt, ruv_fused_hit *out,
                           size_t *n_out) {
    ruv_fuse_options o = opt ? *opt : ruv_fuse_options_init();
    ruv__mem mem;
    ruv__fuse_ent *e;
    size_t total = 0, n = 0, i, l, j;
    double rk;
    if (n_out)
        *n_out = 0;
    if (!out || !n_out || !k || (nlists && (!lists || !counts)) ||
        (o.method != RUV_FUSE_RRF && o.method != RUV_FUSE_WEIGHTED) || !(o.rrf_k >= 0.0) ||
        o.rrf_k > 1e300 || !o.alloc.alloc != !o.alloc.free)
        return RUV_E_ARG;
    rk = o.rrf_k == 0.0 ? 60.0 : o.rrf_k;
    for (l = 0; l < nlists; l++) {
        if (counts[l] && !lists[l])
            return RUV_E_ARG;
        if (o.weights && !(o.weights[l] >= 0.0f && o.weights[l] <= 3.4028234663852886e38f))
            return RUV_E_VALUE;
        if (counts[l] > (size_t)-1 / sizeof *e - total)
            return RUV_E_ARG;
        for (j = 0; j < counts[l]; j++) {
            float d = lists[l][j].distance;
            if (d != d || (o.method == RUV_FUSE_WEIGHTED &&
                           (d > 3.4028234663852886e38f || d < -3.4028234663852886e38f)))
                return RUV_E_VALUE;
        }
        total += counts[l];
    }
    if (!total)
        return RUV_OK;
    ruv__mem_init(&mem, o.alloc);
    if (!(e = (ruv__fuse_ent *)ruv__mem_alloc(&mem, total * sizeof *e)))
        return RUV_E_NOMEM;
    for (l = 0; l < nlists; l++) {
        double w = o.weights ? (double)o.weights[l] : 1.0, lo = 0.0, hi = 0.0;
        for (j = 0; j < counts[l]; j++) { /* the list's distance range */
            double d = (double)lists[l][j].distance;
            if (!j || d < lo)
                lo = d;
            if (!j || d > hi)
                hi = d;
        }
        for (j = 0; j < counts[l]; j++, n++) {
            double d = (double)lists[l][j].distance;
            e[n].key = lists[l][j].key;
            e[n].list = l;
            e[n].rank = j;
            e[n].score = o.method == RUV_FUSE_RRF ? w / (rk + (double)(j + 1))
                         : hi > lo                ? w * ((hi - d) / (hi - lo))
                                                  : w;
        }
    }
    qsort(e, total, sizeof *e, ruv__fuse_by_key);
    for (i = 0, n = 0; i < total;) { /* one entry per key: the sum of its lists' first hits */
        double sum = 0.0;
        uint64_t key = e[i].key;
        size_t last = (size_t)-1;
        for (; i < total && e[i].key == key; i++)
            if (e[i].list != last) {
                sum += e[i].score;
                last = e[i].list;
            }
        e[n].key = key;
        e[n].score = sum;
        n++;
    }
    qsort(e, n, sizeof *e, ruv__fuse_by_score);
    if (n > k)
        n = k;
    for (i = 0; i < n; i++) {
        out[i].key = e[i].key;
        out[i].score = (float)e[i].score;
    }
    *n_out = n;
    ruv__mem_free(&mem, e, total * sizeof *e);
    return RUV_OK;
}

#endif /* RUV__IMPL */
