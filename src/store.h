/* Writes and key lookups: add (single, batch, threaded), put/update/upsert, remove, compact,
   contains, get_vector / get_id / get_meta, id lookup, iteration. */
#ifdef RUV__IMPL

static int ruv__store_cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* RUV_E_EXISTS if two keys of the batch are equal (sorted copy; temporary memory). */
static ruv_result ruv__store_batch_unique(ruv_index *idx, size_t n, const uint64_t *keys) {
    uint64_t *t;
    size_t i;
    int ok = 1, dup = 0;
    size_t bytes = ruv__size_mul(n, sizeof *t, &ok);
    if (n < 2)
        return RUV_OK;
    if (!ok || !(t = (uint64_t *)ruv__mem_alloc(&idx->mem, bytes)))
        return RUV_E_NOMEM;
    memcpy(t, keys, bytes);
    qsort(t, n, sizeof *t, ruv__store_cmp_u64);
    for (i = 1; i < n && !dup; i++)
        dup = t[i] == t[i - 1];
    ruv__mem_free(&idx->mem, t, bytes);
    return dup ? RUV_E_EXISTS : RUV_OK;
}

/* Stores vec (normalised for cosine) in slot s: its code, and its f32 copy if kept. Scratch:
   the index's own ctx. */
static void ruv__store_vec(ruv_index *idx, uint32_t s, const void *vec) {
    ruv_search_ctx *c = idx->ctx;
    const float *x = (const float *)vec;
    if (idx->cfg.dtype != RUV_DTYPE_F32) { /* stored as given (cosine per pair) */
        ruv__code_encode(idx, c, vec, ruv__slot_code(idx, s));
        if (idx->bits_bytes) /* binary vectors on HNSW: the compact copy */
            memcpy(idx->wbits + (size_t)s * idx->bits_bytes, ruv__slot_code(idx, s),
                   idx->bits_bytes);
        return;
    }
    if (idx->cfg.metric == RUV_METRIC_COSINE) {
        ruv__vec_normalize(c->query, x, idx->dim);
        x = c->query;
    }
    if (idx->fvec)
        ruv__code_copy_put(idx, x, idx->fvec + (size_t)s * idx->fvec_bytes);
    ruv__code_encode(idx, c, x, ruv__slot_code(idx, s));
    if (idx->cfg.walk_bits)
        ruv__code_sign_bits(x, ruv__code_walk_mean(idx), idx->dim,
                            idx->wbits + (size_t)s * idx->bits_bytes);
}

/* Appends a new slot for key with vec (room reserved) and links it into the graph. The key table
   entry is added unless replace_pos != (size_t)-1, in which case that position is rewritten.
   Called with the lock held exclusively. The slot is filled first (nothing reads it: it is past
   count, or a compacted slot that scans skip and nothing links to); an HNSW insert then searches
   with the lock released (its new neighbour lists kept in idx->pend) and publishes everything at
   once when it has the lock back: links, level, key, count. */
static uint32_t ruv__store_place(ruv_index *idx, uint64_t key, const void *vec, size_t replace_pos,
                                 int link) {
    uint32_t s = (uint32_t)idx->count;
    size_t f = 0;
    int level = 0, entry = 0, hnsw = idx->cfg.kind == RUV_INDEX_HNSW;
    if (idx->nfree) { /* a compacted HNSW slot: nothing links to it */
        f = idx->free_hint < idx->count ? idx->free_hint : 0;
        while (!(idx->levels[f] & RUV__FREE))
            f = f + 1 < idx->count ? f + 1 : 0;
        s = (uint32_t)f;
    }
    memset(idx->data + (size_t)s * idx->stride, 0, idx->stride);
    ruv__store_vec(idx, s, vec);
    if (hnsw) {
        level = ruv__hnsw_draw_level(idx);
        idx->upper_off[s] = (uint32_t)idx->upper_len;
        if (level)
            memset(idx->upper + idx->upper_len, 0, ruv__hnsw_upper_need(idx, level) * 4);
        if (link && ruv__hnsw_pend_room(idx, level)) {
            idx->pend_len = 0;
            idx->pending = 1;
            ruv__excl_pause(idx);
            entry = ruv__hnsw_insert(idx, idx->ctx, s, level);
            ruv__excl_resume(idx);
            idx->pending = 0;
            ruv__hnsw_pend_apply(idx);
        } else if (link) { /* no memory for the lists: linked in place, readers waiting */
            entry = ruv__hnsw_insert(idx, idx->ctx, s, level);
        }
    }
    /* publish */
    if (idx->nfree) {
        idx->free_hint = f + 1;
        idx->nfree--;
    }
    idx->keys[s] = key;
    if (idx->ids.ref)
        idx->ids.ref[2 * (size_t)s] = idx->ids.ref[2 * (size_t)s + 1] = 0;
    if (idx->meta.ref)
        idx->meta.ref[2 * (size_t)s] = idx->meta.ref[2 * (size_t)s + 1] = 0;
    if (replace_pos == (size_t)-1)
        ruv__tab_put(idx, 0, idx->table, idx->table_cap, s);
    else
        idx->table[replace_pos] = s;
    if (s == idx->count)
        idx->count++;
    idx->live++;
    if (hnsw) {
        idx->levels[s] = (uint8_t)level;
        idx->upper_len += ruv__hnsw_upper_need(idx, level);
        idx->upper_canon += ruv__hnsw_upper_need(idx, level);
        if (entry) {
            idx->entry = s;
            idx->max_level = level;
        }
    }
    return s;
}

static void ruv__store_remove_slot(ruv_index *idx, uint32_t s);

/* One worker of a multi-threaded build: claims chunks of the batch and links them. Worker 0 is
   the calling thread, which also reports progress. */
/* (parenthesised: ruv_index_add_batch is also the name of a macro, see src/api_compat.h) */
static ruv_result ruv__i_add_batch(ruv_index *idx, size_t n, const uint64_t *keys, const void *vecs,
                                   const ruv_build_options *opt) {
    const unsigned char *vb = (const unsigned char *)vecs;
    size_t i, upper = 0, dim, threads = opt && opt->threads > 1 ? opt->threads : 1, nctx = 0;
    size_t placed = n;
    int cancel = opt && opt->cancel, par = 0;
    uint64_t rng;
    ruv_result r;
    ruv__mt *mt = NULL;
    ruv_search_ctx *ctx[63];
    uint32_t *slots = NULL;
    uint8_t *lv = NULL;
    int hnsw;
    if (!idx || (n && (!keys || !vecs)))
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (n == 0)
        return RUV_OK;
    if (!ruv__index_trained(idx))
        return RUV_E_UNTRAINED;
    dim = idx->dim;
    hnsw = idx->cfg.kind == RUV_INDEX_HNSW;
    if (n > RUV_MAX_COUNT - idx->count + idx->nfree)
        return RUV_E_FULL;
    for (i = 0; i < n; i++) {
        if (!ruv__code_accepts(idx, vb + i * idx->in_bytes))
            return RUV_E_VALUE;
        if (!idx->cfg.multi && ruv__tab_find_key(idx, keys[i]) != RUV__NONE)
            return RUV_E_EXISTS;
    }
    if (!idx->cfg.multi && (r = ruv__store_batch_unique(idx, n, keys)) != RUV_OK)
        return r;
    /* Draw the levels once to size the upper lists, then again (same seed) while inserting. */
    rng = idx->rng;
    for (i = 0; hnsw && i < n; i++)
        upper += ruv__hnsw_upper_need(idx, ruv__hnsw_draw_level(idx));
    idx->rng = rng;
    if ((r = ruv__tab_reserve(idx, idx->count + (n > idx->nfree ? n - idx->nfree : 0), upper, 0,
                              0)) != RUV_OK)
        return r;
    if (idx->journal && (r = ruv__journal_log_add(idx, n, keys, vecs)) != RUV_OK)
        return r;
#if RUV__THREADS
    if (threads > 64)
        threads = 64;
    if (threads > n / 64 + 1) /* small batches are not worth threads */
        threads = n / 64 + 1;
#else
    threads = 1;
#endif
    if (!hnsw)
        threads = 1;
    if (cancel || threads > 1) { /* the batch's slots: to link them, or to remove them again */
        int ok = 1;
        ruv__size_mul(n, 4, &ok);
        if (ok)
            slots = (uint32_t *)ruv__mem_alloc(&idx->mem, n * 4);
        if (!slots && cancel)
            return RUV_E_NOMEM;
    }
    if (threads > 1) { /* scratch per extra thread; without memory, fewer threads */
        size_t pool = idx->cfg.ef_construction;
        if (slots && (mt = (ruv__mt *)ruv__mem_alloc(&idx->mem, sizeof *mt)) != NULL &&
            (lv = (uint8_t *)ruv__mem_alloc(&idx->mem, n)) != NULL) {
            for (nctx = 0; nctx + 1 < threads; nctx++) {
                ruv__mem m = idx->mem;
                ctx[nctx] = ruv__ctx_new(&m, dim, idx->prep_len);
                if (!ctx[nctx])
                    break;
                if (ruv__ctx_reserve(ctx[nctx], idx->cap, pool, (size_t)idx->m0 + 1) != RUV_OK) {
                    ruv_search_ctx_free(ctx[nctx]);
                    break;
                }
            }
        }
        threads = nctx + 1;
    }
    if (threads == 1) {
        for (i = 0; i < n; i++) {
            uint32_t s;
            if (cancel && opt->cancel(opt->cancel_user))
                break;
            s = ruv__store_place(idx, keys[i], vb + i * idx->in_bytes, (size_t)-1, 1);
            if (slots)
                slots[i] = s;
            if (opt && opt->progress && ((i + 1) % 1024 == 0 || i + 1 == n))
                opt->progress(opt->progress_user, i + 1, n);
        }
        placed = i;
    } else {
        for (i = 0; i < n; i++) {
            slots[i] = ruv__store_place(idx, keys[i], vb + i * idx->in_bytes, (size_t)-1, 0);
            lv[i] = idx->levels[slots[i]];
        }
        memset(mt, 0, sizeof *mt);
        mt->slots = slots;
        mt->lv = lv;
        mt->n = n;
        ruv__hnsw_link_parallel(idx, mt, ctx, threads, opt);
        if (mt->canceled)
            placed = 0, par = 1;
    }
    r = RUV_OK;
    if (placed < n) { /* cancelled: the batch's vectors are removed again, newest first */
        for (i = par ? n : placed; i-- > 0;)
            ruv__store_remove_slot(idx, slots[i]);
        if (hnsw)
            ruv__hnsw_maybe_compact(idx);
        r = RUV_E_CANCELED;
    }
    for (i = 0; i < nctx; i++)
        ruv_search_ctx_free(ctx[i]);
    ruv__mem_free(&idx->mem, lv, n);
    ruv__mem_free(&idx->mem, slots, n * 4);
    ruv__mem_free(&idx->mem, mt, sizeof *mt);
    return r;
}

RUVDEF ruv_result ruv__add_batch_v01(ruv_index *idx, size_t n, const uint64_t *keys,
                                     const float *vecs) {
    return (ruv_index_add_batch)(idx, n, keys, vecs, NULL);
}

static ruv_result ruv__i_reserve(ruv_index *idx, size_t n) {
    if (!idx)
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (n > RUV_MAX_COUNT)
        return RUV_E_FULL;
    return n <= idx->cap ? RUV_OK : ruv__tab_resize(idx, n, 0, 0, 0);
}

static ruv_result ruv__i_add(ruv_index *idx, uint64_t key, const void *vec) {
    if (!idx || !vec)
        return RUV_E_ARG;
    return ruv__i_add_batch(idx, 1, &key, vec, NULL);
}

/* ---- put, update, remove, lookups ------------------------------------------------------------ */
/* Sets the id (is_id) or metadata of slot s to p[0..len-1] (len 0 clears); room reserved. */
static void ruv__store_blob_set(ruv_index *idx, int is_id, uint32_t s, const void *p, size_t len) {
    (void)ruv__blob_set(is_id ? &idx->ids : &idx->meta, is_id ? idx->idtab : NULL, idx->idtab_cap,
                        s, p, len);
}

/* Moves the id and metadata of slot from to slot to (whose own are empty). */
static void ruv__store_blobs_move(ruv_index *idx, uint32_t from, uint32_t to) {
    ruv__blob_move(&idx->ids, idx->idtab, idx->idtab_cap, from, to);
    ruv__blob_move(&idx->meta, NULL, 0, from, to);
}

static ruv_result ruv__i_put(ruv_index *idx, const ruv_item *it, ruv_put_mode mode) {
    uint32_t s, other;
    int hnsw, newslot;
    size_t upper = 0, id_add = 0, meta_add = 0;
    ruv_result r;
    if (!idx || !it || (unsigned)mode > (unsigned)RUV_PUT_UPSERT)
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (idx->cfg.multi)
        return RUV_E_UNSUPPORTED;
    s = ruv__tab_find_key(idx, it->key);
    if (s != RUV__NONE && mode == RUV_PUT_INSERT)
        return RUV_E_EXISTS;
    if (s == RUV__NONE && mode == RUV_PUT_UPDATE)
        return RUV_E_NOTFOUND;
    if (it->vector && !ruv__index_trained(idx))
        return RUV_E_UNTRAINED;
    if ((s == RUV__NONE && !it->vector) || (it->id && it->id_len > RUV_MAX_ID_BYTES) ||
        (it->meta && it->meta_len > RUV_MAX_META_BYTES))
        return RUV_E_ARG;
    if (it->vector && !ruv__code_accepts(idx, it->vector))
        return RUV_E_VALUE;
    if (it->id && it->id_len) {
        other = ruv__tab_find_id(idx, it->id, it->id_len);
        if (other != RUV__NONE && other != s)
            return RUV_E_EXISTS;
        id_add = it->id_len;
    }
    if (it->meta)
        meta_add = it->meta_len;
    hnsw = idx->cfg.kind == RUV_INDEX_HNSW;
    newslot = s == RUV__NONE || (hnsw && it->vector);
    if (newslot && !idx->nfree && idx->count >= RUV_MAX_COUNT)
        return RUV_E_FULL;
    if (newslot && hnsw) {
        uint64_t rng = idx->rng;
        upper = ruv__hnsw_upper_need(idx, ruv__hnsw_draw_level(idx));
        idx->rng = rng;
    }
    if ((r = ruv__tab_reserve(idx, idx->count + (size_t)(newslot && !idx->nfree), upper, id_add,
                              meta_add)) != RUV_OK)
        return r;
    if (idx->journal && (r = ruv__journal_log_put(idx, it, mode)) != RUV_OK)
        return r;
    /* Nothing fails from here on. */
    if (newslot) {
        uint32_t ns;
        if (s == RUV__NONE) {
            ns = ruv__store_place(idx, it->key, it->vector, (size_t)-1, 1);
        } else { /* HNSW update: a new node takes over the key; the old one is deleted */
            ns = ruv__store_place(idx, it->key, it->vector, ruv__tab_pos(idx, 0, s), 1);
            ruv__store_blobs_move(idx, s, ns);
            idx->levels[s] |= RUV__DEAD;
            idx->live--;
            ruv__hnsw_maybe_compact(idx);
        }
        s = ns;
    } else if (it->vector) {
        ruv__store_vec(idx, s, it->vector);
    }
    if (it->id)
        ruv__store_blob_set(idx, 1, s, it->id, it->id_len);
    if (it->meta)
        ruv__store_blob_set(idx, 0, s, it->meta, it->meta_len);
    return RUV_OK;
}

/* ruv_index_put of a vector alone (id and metadata kept). */
static ruv_result ruv__store_put_vector(ruv_index *idx, uint64_t key, const void *vec,
                                        ruv_put_mode mode) {
    ruv_item it;
    if (!vec)
        return RUV_E_ARG;
    memset(&it, 0, sizeof it);
    it.key = key;
    it.vector = vec;
    return ruv__i_put(idx, &it, mode);
}

/* Removes the entry in slot s (its key table entry, id, metadata); HNSW: flags the node. */
static void ruv__store_remove_slot(ruv_index *idx, uint32_t s) {
    uint32_t last;
    ruv__tab_del(idx, 0, ruv__tab_pos(idx, 0, s));
    ruv__store_blob_set(idx, 1, s, NULL, 0);
    ruv__store_blob_set(idx, 0, s, NULL, 0);
    idx->live--;
    if (idx->cfg.kind == RUV_INDEX_HNSW) {
        idx->levels[s] |= RUV__DEAD;
        return;
    }
    /* flat: the last slot fills the hole */
    last = (uint32_t)idx->count - 1;
    if (s != last) {
        idx->table[ruv__tab_pos(idx, 0, last)] = s;
        memcpy(idx->data + (size_t)s * idx->stride, idx->data + (size_t)last * idx->stride,
               idx->stride);
        if (idx->fvec)
            memcpy(idx->fvec + (size_t)s * idx->fvec_bytes,
                   idx->fvec + (size_t)last * idx->fvec_bytes, idx->fvec_bytes);
        idx->keys[s] = idx->keys[last];
        ruv__store_blobs_move(idx, last, s);
    }
    idx->count--;
}

static ruv_result ruv__i_remove(ruv_index *idx, uint64_t key) {
    uint32_t s;
    ruv_result r;
    if (!idx)
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if ((s = ruv__tab_find_key(idx, key)) == RUV__NONE)
        return RUV_E_NOTFOUND;
    if (idx->journal && (r = ruv__journal_log_remove(idx, key)) != RUV_OK)
        return r;
    do /* every vector of key (one unless opt.multi) */
        ruv__store_remove_slot(idx, s);
    while (idx->cfg.multi && (s = ruv__tab_find_key(idx, key)) != RUV__NONE);
    if (idx->cfg.kind == RUV_INDEX_HNSW)
        ruv__hnsw_maybe_compact(idx);
    return RUV_OK;
}

static ruv_result ruv__i_compact(ruv_index *idx) {
    if (!idx)
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    return ruv__hnsw_compact(idx);
}

static int ruv__i_contains(const ruv_index *idx, uint64_t key) {
    return idx && ruv__tab_find_key(idx, key) != RUV__NONE;
}

/* The vector of slot s as ruv_index_get_vector returns it, into out. */
static void ruv__store_slot_vector(const ruv_index *idx, uint32_t s, void *out) {
    if (idx->cfg.dtype != RUV_DTYPE_F32)
        memcpy(out, ruv__slot_code(idx, s), idx->in_bytes);
    else if (idx->fvec) { /* 16-bit copies widen straight into out: a reader writes no scratch of
                             the index (other readers and a writer's insert use idx->ctx) */
        const float *v = ruv__code_copy(idx, s, (float *)out);
        if (v != (const float *)out)
            memcpy(out, v, idx->dim * sizeof(float));
    } else if (idx->cfg.quant == RUV_QUANT_NONE)
        memcpy(out, ruv__slot_code(idx, s), idx->dim * sizeof(float));
    else
        ruv__code_decode(idx, ruv__slot_code(idx, s), (float *)out);
}

static ruv_result ruv__i_get_vector(const ruv_index *idx, uint64_t key, void *out) {
    uint32_t s;
    if (!idx || !out)
        return RUV_E_ARG;
    if ((s = ruv__tab_find_key(idx, key)) == RUV__NONE)
        return RUV_E_NOTFOUND;
    ruv__store_slot_vector(idx, s, out);
    return RUV_OK;
}

/* Number of live slots holding key (their key table entries share its probe run). */
static size_t ruv__store_key_count(const ruv_index *idx, uint64_t key) {
    size_t mask = idx->table_cap - 1, h = (size_t)ruv__hash_mix64(key) & mask, n = 0;
    uint32_t s;
    for (; (s = idx->table[h]) != RUV__NONE; h = (h + 1) & mask)
        n += idx->keys[s] == key;
    return n;
}

static ruv_result ruv__i_get_vectors(const ruv_index *idx, uint64_t key, void *out, size_t cap,
                                     size_t *n_out) {
    size_t n, i, j;
    if (n_out)
        *n_out = 0;
    if (!idx || !n_out || (cap && !out))
        return RUV_E_ARG;
    if ((n = ruv__store_key_count(idx, key)) == 0)
        return RUV_E_NOTFOUND;
    /* slot order: the smallest slot above the last one written, n passes over the probe run */
    for (i = 0, j = 0; i < n && i < cap; i++) {
        uint32_t best = RUV__NONE, s;
        size_t mask = idx->table_cap - 1, h = (size_t)ruv__hash_mix64(key) & mask;
        for (; (s = idx->table[h]) != RUV__NONE; h = (h + 1) & mask)
            if (idx->keys[s] == key && (i == 0 || s > j) && (best == RUV__NONE || s < best))
                best = s;
        j = best;
        ruv__store_slot_vector(idx, best, (unsigned char *)out + i * idx->in_bytes);
    }
    *n_out = n;
    return RUV_OK;
}

static ruv_result ruv__store_get_blob(const ruv_index *idx, int is_id, uint64_t key, const void **p,
                                      size_t *len) {
    uint32_t s;
    if (p)
        *p = NULL;
    if (len)
        *len = 0;
    if (!idx || !p || !len)
        return RUV_E_ARG;
    if ((s = ruv__tab_find_key(idx, key)) == RUV__NONE)
        return RUV_E_NOTFOUND;
    *p = ruv__tab_blob(is_id ? &idx->ids : &idx->meta, s, len);
    return RUV_OK;
}

static ruv_result ruv__i_get_id(const ruv_index *idx, uint64_t key, const char **id, size_t *len) {
    const void *p;
    ruv_result r = ruv__store_get_blob(idx, 1, key, &p, len);
    if (id)
        *id = (const char *)p;
    return id ? r : RUV_E_ARG;
}

static ruv_result ruv__i_get_meta(const ruv_index *idx, uint64_t key, const void **meta,
                                  size_t *len) {
    return ruv__store_get_blob(idx, 0, key, meta, len);
}

static ruv_result ruv__i_get_key(const ruv_index *idx, const char *id, size_t len, uint64_t *key) {
    uint32_t s;
    if (key) /* out-parameters read 0 on an error */
        *key = 0;
    if (!idx || !id || !len || !key)
        return RUV_E_ARG;
    if (len > RUV_MAX_ID_BYTES) /* no id is longer: nothing of id is read */
        return RUV_E_NOTFOUND;
    if ((s = ruv__tab_find_id(idx, id, len)) == RUV__NONE)
        return RUV_E_NOTFOUND;
    *key = idx->keys[s];
    return RUV_OK;
}

static int ruv__i_next(const ruv_index *idx, size_t *cursor, uint64_t *key) {
    size_t s;
    if (!idx || !cursor || !key)
        return 0;
    for (s = *cursor; s < idx->count; s++)
        if (!ruv__slot_dead(idx, s)) {
            *key = idx->keys[s];
            *cursor = s + 1;
            return 1;
        }
    *cursor = idx->count;
    return 0;
}

/* ---- the public calls, between the concurrency guards (src/index.h) ---- */
/* (parenthesised: ruv_index_add_batch is also the name of a macro, see src/api_compat.h) */
RUVDEF ruv_result(ruv_index_add_batch)(ruv_index *idx, size_t n, const uint64_t *keys,
                                       const void *vecs, const ruv_build_options *opt) {
    RUV__WRITE(idx, ruv__i_add_batch(idx, n, keys, vecs, opt));
}
RUVDEF ruv_result ruv_index_reserve(ruv_index *idx, size_t n) {
    RUV__WRITE(idx, ruv__i_reserve(idx, n));
}
RUVDEF ruv_result ruv_index_add(ruv_index *idx, uint64_t key, const void *vec) {
    RUV__WRITE(idx, ruv__i_add(idx, key, vec));
}
RUVDEF ruv_result ruv_index_put(ruv_index *idx, const ruv_item *item, ruv_put_mode mode) {
    RUV__WRITE(idx, ruv__i_put(idx, item, mode));
}
RUVDEF ruv_result ruv_index_update(ruv_index *idx, uint64_t key, const void *vec) {
    RUV__WRITE(idx, ruv__store_put_vector(idx, key, vec, RUV_PUT_UPDATE));
}
RUVDEF ruv_result ruv_index_upsert(ruv_index *idx, uint64_t key, const void *vec) {
    RUV__WRITE(idx, ruv__store_put_vector(idx, key, vec, RUV_PUT_UPSERT));
}
RUVDEF ruv_result ruv_index_remove(ruv_index *idx, uint64_t key) {
    RUV__WRITE(idx, ruv__i_remove(idx, key));
}
RUVDEF ruv_result ruv_index_compact(ruv_index *idx) { RUV__WRITE(idx, ruv__i_compact(idx)); }
RUVDEF int ruv_index_contains(const ruv_index *idx, uint64_t key) {
    RUV__READ(idx, int, ruv__i_contains(idx, key));
}
RUVDEF ruv_result ruv_index_get_vector(const ruv_index *idx, uint64_t key, void *out) {
    RUV__READ(idx, ruv_result, ruv__i_get_vector(idx, key, out));
}
RUVDEF ruv_result ruv_index_get_vectors(const ruv_index *idx, uint64_t key, void *out, size_t cap,
                                        size_t *n_out) {
    RUV__READ(idx, ruv_result, ruv__i_get_vectors(idx, key, out, cap, n_out));
}
RUVDEF ruv_result ruv_index_get_id(const ruv_index *idx, uint64_t key, const char **id,
                                   size_t *len) {
    RUV__READ(idx, ruv_result, ruv__i_get_id(idx, key, id, len));
}
RUVDEF ruv_result ruv_index_get_meta(const ruv_index *idx, uint64_t key, const void **meta,
                                     size_t *len) {
    RUV__READ(idx, ruv_result, ruv__i_get_meta(idx, key, meta, len));
}
RUVDEF ruv_result ruv_index_get_key(const ruv_index *idx, const char *id, size_t len,
                                    uint64_t *key) {
    RUV__READ(idx, ruv_result, ruv__i_get_key(idx, id, len, key));
}
RUVDEF int ruv_index_next(const ruv_index *idx, size_t *cursor, uint64_t *key) {
    RUV__READ(idx, int, ruv__i_next(idx, cursor, key));
}

RUVDEF ruv_result ruv_index_read_begin(const ruv_index *idx) {
    if (!idx)
        return RUV_E_ARG;
#if RUV__THREADS
    if (ruv__tls_held)
        return RUV_E_BUSY;
    if (!idx->view) {
        ruv__rw_shared(&((ruv_index *)idx)->lock);
        ruv__tls_held = idx;
        ruv__tls_writer = 0;
        ruv__tls_pin = 1;
    }
#endif
    return RUV_OK;
}

RUVDEF void ruv_index_read_end(const ruv_index *idx) {
#if RUV__THREADS
    if (!idx || !ruv__tls_pin || ruv__tls_held != (const void *)idx)
        return;
    ruv__tls_held = NULL;
    ruv__tls_pin = 0;
    ruv__rw_shared_end(&((ruv_index *)idx)->lock);
#else
    (void)idx;
#endif
}

#endif /* RUV__IMPL */
