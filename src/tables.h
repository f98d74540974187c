/* Key and string-id hash tables (open addressing, linear probing, no tombstones), the blob
   columns of string ids and metadata, and growth of every per-slot array (ruv__tab_reserve). */
#ifdef RUV__IMPL

/* Open-addressing hash tables of slots with linear probing: `table` by key, `idtab` by string id
   (which = 0 / 1). Both are kept at most half full, so a probe always meets RUV__NONE. */
static const unsigned char *ruv__tab_blob(const ruv__blobs *b, uint32_t s, size_t *len) {
    if (!b->ref) {
        *len = 0;
        return NULL;
    }
    *len = b->ref[2 * (size_t)s + 1];
    return *len ? b->bytes + b->ref[2 * (size_t)s] : NULL;
}

/* Hash of slot s: of keys[s] if keys is not NULL (a key table), else of its string id in ids. */
static uint64_t ruv__slot_hash(const uint64_t *keys, const ruv__blobs *ids, uint32_t s) {
    size_t len;
    const unsigned char *p;
    if (keys)
        return ruv__hash_mix64(keys[s]);
    p = ruv__tab_blob(ids, s, &len);
    return ruv__xxh64(p, len, 0);
}

/* Slot of t (cap entries) whose string id in ids is id[0..len-1], or RUV__NONE (t NULL too). */
static uint32_t ruv__slots_find_id(const ruv__blobs *ids, const uint32_t *t, size_t cap,
                                   const char *id, size_t len) {
    size_t mask = cap - 1, h;
    if (!t)
        return RUV__NONE;
    for (h = (size_t)ruv__xxh64(id, len, 0) & mask;; h = (h + 1) & mask) {
        uint32_t s = t[h];
        size_t l;
        const unsigned char *p;
        if (s == RUV__NONE)
            return s;
        p = ruv__tab_blob(ids, s, &l);
        if (l == len && memcmp(p, id, len) == 0)
            return s;
    }
}

/* Inserts slot s into t (cap entries, a power of two, with room), hashed as ruv__slot_hash. */
static void ruv__slots_put(const uint64_t *keys, const ruv__blobs *ids, uint32_t *t, size_t cap,
                           uint32_t s) {
    size_t mask = cap - 1, h = (size_t)ruv__slot_hash(keys, ids, s) & mask;
    RUV_ASSERT((cap & mask) == 0 && s != RUV__NONE);
    while (t[h] != RUV__NONE)
        h = (h + 1) & mask;
    t[h] = s;
}

/* Position of slot s in t (s must be there). */
static size_t ruv__slots_pos(const uint64_t *keys, const ruv__blobs *ids, const uint32_t *t,
                             size_t cap, uint32_t s) {
    size_t mask = cap - 1, h = (size_t)ruv__slot_hash(keys, ids, s) & mask;
    while (t[h] != s) {
        RUV_ASSERT(t[h] != RUV__NONE);
        h = (h + 1) & mask;
    }
    return h;
}

/* Removes the entry at pos, shifting later members of its probe run back (no tombstones). */
static void ruv__slots_del(const uint64_t *keys, const ruv__blobs *ids, uint32_t *t, size_t cap,
                           size_t pos) {
    size_t mask = cap - 1, j = pos;
    for (;;) {
        size_t home;
        j = (j + 1) & mask;
        if (t[j] == RUV__NONE)
            break;
        home = (size_t)ruv__slot_hash(keys, ids, t[j]) & mask;
        /* t[j] may move to pos unless its home lies cyclically in (pos, j] */
        if (pos <= j ? (home <= pos || home > j) : (home <= pos && home > j)) {
            t[pos] = t[j];
            pos = j;
        }
    }
    t[pos] = RUV__NONE;
}

/* Sets the blob of slot s in b to p[0..len-1] (len 0 clears; the room was reserved), keeping t
   (cap entries), the id table over b, or none (t NULL). Returns the change in the number of
   slots with a blob: -1, 0 or 1. */
static int ruv__blob_set(ruv__blobs *b, uint32_t *t, size_t cap, uint32_t s, const void *p,
                         size_t len) {
    uint32_t *r;
    int had;
    if (!b->ref)
        return 0; /* column absent: nothing to clear (a set reserved it) */
    r = b->ref + 2 * (size_t)s;
    had = r[1] != 0;
    if (had) {
        if (t)
            ruv__slots_del(NULL, b, t, cap, ruv__slots_pos(NULL, b, t, cap, s));
        b->live -= r[1];
        r[0] = r[1] = 0;
    }
    if (len) {
        memcpy(b->bytes + b->len, p, len);
        r[0] = (uint32_t)b->len;
        r[1] = (uint32_t)len;
        b->len += len;
        b->live += len;
        if (t)
            ruv__slots_put(NULL, b, t, cap, s);
    }
    return (len != 0) - had;
}

/* Moves the blob of slot from to slot to (whose own is empty), keeping t as ruv__blob_set. */
static void ruv__blob_move(ruv__blobs *b, uint32_t *t, size_t cap, uint32_t from, uint32_t to) {
    uint32_t *f, *d;
    if (!b->ref)
        return;
    f = b->ref + 2 * (size_t)from;
    d = b->ref + 2 * (size_t)to;
    if (t && f[1])
        t[ruv__slots_pos(NULL, b, t, cap, from)] = to;
    d[0] = f[0];
    d[1] = f[1];
    f[0] = f[1] = 0;
}

/* The dense index's two tables: `table` by key, `idtab` by string id (which = 0 / 1). */
#define RUV__TAB_KEYS(idx, which) ((which) ? NULL : (idx)->keys)

/* Slot holding key, or RUV__NONE. */
static uint32_t ruv__tab_find_key(const ruv_index *idx, uint64_t key) {
    size_t mask = idx->table_cap - 1, h = (size_t)ruv__hash_mix64(key) & mask;
    for (;; h = (h + 1) & mask) {
        uint32_t s = idx->table[h];
        if (s == RUV__NONE || idx->keys[s] == key)
            return s;
    }
}

/* Slot whose string id is id[0..len-1], or RUV__NONE. */
static uint32_t ruv__tab_find_id(const ruv_index *idx, const char *id, size_t len) {
    return ruv__slots_find_id(&idx->ids, idx->idtab, idx->idtab_cap, id, len);
}

static void ruv__tab_put(const ruv_index *idx, int which, uint32_t *t, size_t cap, uint32_t s) {
    ruv__slots_put(RUV__TAB_KEYS(idx, which), &idx->ids, t, cap, s);
}

/* Position of slot s in table `which` (s must be there). */
static size_t ruv__tab_pos(const ruv_index *idx, int which, uint32_t s) {
    return ruv__slots_pos(RUV__TAB_KEYS(idx, which), &idx->ids, which ? idx->idtab : idx->table,
                          which ? idx->idtab_cap : idx->table_cap, s);
}

static void ruv__tab_del(const ruv_index *idx, int which, size_t pos) {
    ruv__slots_del(RUV__TAB_KEYS(idx, which), &idx->ids, which ? idx->idtab : idx->table,
                   which ? idx->idtab_cap : idx->table_cap, pos);
}

/* Pending growth of one blob column (see ruv__tab_reserve). */
typedef struct ruv__blob_grow {
    uint32_t *ref;
    unsigned char *bytes;
    size_t ref_n, cap; /* u32s in ref; bytes */
} ruv__blob_grow;

/* Plans and allocates room in b for `add` more bytes with `slots` slots. All or nothing. */
static ruv_result ruv__tab_blob_alloc(ruv__mem *m, const ruv__blobs *b, size_t slots,
                                      size_t old_slots, size_t add, ruv__blob_grow *g) {
    memset(g, 0, sizeof *g);
    if (!b->ref && !add)
        return RUV_OK;
    if (!b->ref || slots > old_slots) {
        g->ref_n = slots * 2;
        if (!(g->ref = (uint32_t *)ruv__mem_alloc(m, g->ref_n * 4)))
            return RUV_E_NOMEM;
    }
    if (b->len + add > b->cap) {
        size_t need = b->live + add;
        if (need > 0xFFFFFFFFu)
            return RUV_E_FULL;
        g->cap = need < 32 ? 64 : (need > 0x7FFFFFFFu ? 0xFFFFFFFFu : 2 * need);
        if (!(g->bytes = (unsigned char *)ruv__mem_alloc(m, g->cap)))
            return RUV_E_NOMEM;
    }
    return RUV_OK;
}

static void ruv__tab_blob_drop(ruv__mem *m, ruv__blob_grow *g) {
    ruv__mem_free(m, g->ref, g->ref_n * 4);
    ruv__mem_free(m, g->bytes, g->cap);
}

/* Installs g into b (refs copied for count slots, live strings compacted into the new arena). */
static void ruv__tab_blob_commit(ruv__mem *m, ruv__blobs *b, ruv__blob_grow *g, size_t count,
                                 size_t old_slots) {
    size_t s;
    if (g->ref) {
        memset(g->ref, 0, g->ref_n * 4);
        if (b->ref)
            memcpy(g->ref, b->ref, count * 2 * 4);
        ruv__mem_free(m, b->ref, b->ref ? old_slots * 2 * 4 : 0);
        b->ref = g->ref;
    }
    if (g->bytes) {
        size_t len = 0;
        for (s = 0; s < count; s++) {
            uint32_t *r = b->ref + 2 * s;
            if (r[1]) {
                memcpy(g->bytes + len, b->bytes + r[0], r[1]);
                r[0] = (uint32_t)len;
                len += r[1];
            }
        }
        ruv__mem_free(m, b->bytes, b->cap);
        b->bytes = g->bytes;
        b->cap = g->cap;
        b->len = len;
    }
}

/* Grows every per-slot array to `cap` slots (cap >= idx->cap; idx->cap keeps them), adds room
   for `upper` more u32 of upper-level lists and id_add / meta_add more bytes of string ids /
   metadata (a column is created when first given bytes). Sizes are computed in 64 bits and
   refused with RUV_E_NOMEM when this machine cannot address them (32-bit hosts, WebAssembly).
   All or nothing: RUV_E_NOMEM or RUV_E_FULL with nothing changed. */
static ruv_result ruv__tab_resize(ruv_index *idx, size_t cap, size_t upper, size_t id_add,
                                  size_t meta_add) {
    int ok = 1, hnsw = idx->cfg.kind == RUV_INDEX_HNSW;
    size_t tcap, ucap, old_cap = idx->cap;
    uint64_t t64 = idx->table_cap, u64 = idx->upper_cap, ulen;
    unsigned char *data = NULL;
    uint64_t *keys = NULL;
    uint32_t *table = NULL, *uoff = NULL, *up = NULL, *idtab = NULL;
    uint8_t *levels = NULL;
    unsigned char *fv = NULL, *wb = NULL;
    int copies = idx->cfg.quant != RUV_QUANT_NONE && !idx->cfg.drop_f32;
    ruv__blob_grow gi, gm;
    ruv_result r = RUV_E_NOMEM;

    memset(&gi, 0, sizeof gi);
    memset(&gm, 0, sizeof gm);
    if (cap > RUV_MAX_COUNT)
        return RUV_E_FULL;
    RUV_ASSERT(cap >= idx->cap);
    while (t64 < 2 * (uint64_t)cap) /* key (and id) table: at most half full */
        t64 *= 2;
    ulen = (uint64_t)idx->upper_len + upper;
    if (ulen >= RUV__NONE)
        return RUV_E_FULL;
    while (u64 < ulen)
        u64 = u64 ? 2 * u64 : 1024;
    if (u64 > RUV__NONE)
        u64 = RUV__NONE;
    if (t64 > (size_t)-1 / 4 || u64 > (size_t)-1 / 4)
        return RUV_E_NOMEM;
    tcap = (size_t)t64;
    ucap = (size_t)u64;
    ruv__size_mul(cap, idx->stride + RUV__ALIGN, &ok);
    ruv__size_mul(cap, idx->dim * sizeof *fv, &ok);
    ruv__size_mul(cap, 8, &ok);
    if (!ok)
        return RUV_E_NOMEM;

    if (cap > idx->cap) {
        if (!(data = (unsigned char *)ruv__mem_alloc_aligned(&idx->mem, cap * idx->stride)) ||
            !(keys = (uint64_t *)ruv__mem_alloc(&idx->mem, cap * sizeof *keys)))
            goto fail;
        if (hnsw && (!(levels = (uint8_t *)ruv__mem_alloc(&idx->mem, cap)) ||
                     !(uoff = (uint32_t *)ruv__mem_alloc(&idx->mem, cap * sizeof *uoff))))
            goto fail;
        if (copies && !(fv = (unsigned char *)ruv__mem_alloc(&idx->mem, cap * idx->fvec_bytes)))
            goto fail;
        if (idx->bits_bytes &&
            !(wb = (unsigned char *)ruv__mem_alloc(&idx->mem, cap * idx->bits_bytes)))
            goto fail;
    }
    if (tcap > idx->table_cap && !(table = (uint32_t *)ruv__mem_alloc(&idx->mem, tcap * 4)))
        goto fail;
    if ((idx->idtab || id_add) && idx->idtab_cap != tcap &&
        !(idtab = (uint32_t *)ruv__mem_alloc(&idx->mem, tcap * 4)))
        goto fail;
    if (ucap > idx->upper_cap && !(up = (uint32_t *)ruv__mem_alloc(&idx->mem, ucap * 4)))
        goto fail;
    if ((r = ruv__tab_blob_alloc(&idx->mem, &idx->ids, cap, old_cap, id_add, &gi)) != RUV_OK ||
        (r = ruv__tab_blob_alloc(&idx->mem, &idx->meta, cap, old_cap, meta_add, &gm)) != RUV_OK)
        goto fail;
    /* the index's own scratch for inserting: last, as it is all or nothing itself */
    r = RUV_E_NOMEM;
    if (ruv__ctx_reserve(idx->ctx, hnsw ? cap : 0, ruv__index_pool(idx), (size_t)idx->m0 + 1) !=
        RUV_OK)
        goto fail;

    /* Nothing can fail from here on. The copies are made with the lock released: readers keep
       using the old arrays, which only this writer could change; then the new ones replace
       them under the lock. */
    ruv__excl_pause(idx);
    if (data && idx->count) {
        memcpy(data, idx->data, idx->count * idx->stride);
        memcpy(keys, idx->keys, idx->count * sizeof *keys);
        if (copies)
            memcpy(fv, idx->fvec, idx->count * idx->fvec_bytes);
        if (wb)
            memcpy(wb, idx->wbits, idx->count * idx->bits_bytes);
        if (hnsw) {
            memcpy(levels, idx->levels, idx->count);
            memcpy(uoff, idx->upper_off, idx->count * sizeof *uoff);
        }
    }
    if (table) {
        size_t i;
        memset(table, 0xFF, tcap * 4);
        for (i = 0; i < idx->count; i++)
            if (!ruv__slot_dead(idx, i))
                ruv__tab_put(idx, 0, table, tcap, (uint32_t)i);
    }
    if (idtab) {
        size_t i, len;
        memset(idtab, 0xFF, tcap * 4);
        for (i = 0; i < idx->count; i++)
            if (ruv__tab_blob(&idx->ids, (uint32_t)i, &len))
                ruv__tab_put(idx, 1, idtab, tcap, (uint32_t)i);
    }
    if (up && idx->upper_len)
        memcpy(up, idx->upper, idx->upper_len * 4);
    ruv__excl_resume(idx);
    if (data) {
        ruv__mem_free_aligned(&idx->mem, idx->data, idx->cap * idx->stride);
        ruv__mem_free(&idx->mem, idx->keys, idx->cap * sizeof *keys);
        idx->data = data;
        idx->keys = keys;
        if (copies) {
            ruv__mem_free(&idx->mem, idx->fvec, idx->cap * idx->fvec_bytes);
            idx->fvec = fv;
        }
        if (wb) {
            ruv__mem_free(&idx->mem, idx->wbits, idx->cap * idx->bits_bytes);
            idx->wbits = wb;
        }
        if (hnsw) {
            ruv__mem_free(&idx->mem, idx->levels, idx->cap);
            ruv__mem_free(&idx->mem, idx->upper_off, idx->cap * sizeof *uoff);
            idx->levels = levels;
            idx->upper_off = uoff;
        }
        idx->cap = cap;
    }
    ruv__tab_blob_commit(&idx->mem, &idx->ids, &gi, idx->count, old_cap);
    ruv__tab_blob_commit(&idx->mem, &idx->meta, &gm, idx->count, old_cap);
    if (table) {
        ruv__mem_free(&idx->mem, idx->table, idx->table_cap * 4);
        idx->table = table;
        idx->table_cap = tcap;
    }
    if (idtab) {
        ruv__mem_free(&idx->mem, idx->idtab, idx->idtab_cap * 4);
        idx->idtab = idtab;
        idx->idtab_cap = tcap;
    }
    if (up) {
        ruv__mem_free(&idx->mem, idx->upper, idx->upper_cap * 4);
        idx->upper = up;
        idx->upper_cap = ucap;
    }
    return RUV_OK;
fail:
    ruv__mem_free_aligned(&idx->mem, data, cap * idx->stride);
    ruv__mem_free(&idx->mem, keys, cap * sizeof *keys);
    ruv__mem_free(&idx->mem, levels, cap);
    ruv__mem_free(&idx->mem, uoff, cap * sizeof *uoff);
    ruv__mem_free(&idx->mem, fv, cap * idx->dim * sizeof *fv);
    ruv__mem_free(&idx->mem, wb, cap * idx->bits_bytes);
    ruv__mem_free(&idx->mem, table, tcap * 4);
    ruv__mem_free(&idx->mem, idtab, tcap * 4);
    ruv__mem_free(&idx->mem, up, ucap * 4);
    ruv__tab_blob_drop(&idx->mem, &gi);
    ruv__tab_blob_drop(&idx->mem, &gm);
    return r;
}

/* Makes room for `slots` slots (growing by doubling while the slot arena is below 64 MiB, then by
   half, so that a large index does not need three times its arena while it grows; where that
   much cannot be had, by less, down to exactly `slots`; the first arrays exactly `slots`), `upper`
   more u32 of upper-level lists and id / metadata bytes: see ruv__tab_resize. */
static ruv_result ruv__tab_reserve(ruv_index *idx, size_t slots, size_t upper, size_t id_add,
                                   size_t meta_add) {
    uint64_t cap = idx->cap, want;
    ruv_result r;
    unsigned k;
    if (slots > RUV_MAX_COUNT)
        return RUV_E_FULL;
    if (cap == 0) { /* the first arrays: exactly the capacity asked for */
        cap = slots;
    } else {
        while (cap < slots)
            cap += cap * idx->stride < ((uint64_t)64 << 20) ? cap : cap / 2 + 1;
        if (cap > RUV_MAX_COUNT)
            cap = RUV_MAX_COUNT;
    }
    /* near the memory limit, settle for less spare room: 7/8, 6/8, ... of the step, down to
       exactly `slots` (a failed attempt keeps nothing) */
    for (k = 8;; k--) {
        want = slots + (cap - slots) * k / 8;
        r = ruv__tab_resize(idx, (size_t)want, upper, id_add, meta_add);
        if (r != RUV_E_NOMEM || k == 0 || want <= idx->cap)
            return r;
    }
}

#endif /* RUV__IMPL */
