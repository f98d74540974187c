/* The reader: header and section table checks, section lengths, binding, validation of every
   link, table and blob, load through a callback or from a buffer, and zero-copy views. */
#ifdef RUV__IMPL

static int ruv__load_buf_read(void *user, void *dst, size_t len) {
    ruv__membuf *m = (ruv__membuf *)user;
    if (len > m->len - m->pos)
        return 1;
    memcpy(dst, m->p + m->pos, len);
    m->pos += len;
    return 0;
}

typedef struct ruv__head {
    ruv_index_options cfg;
    uint64_t total, count, live, rng;
    uint32_t entry, stride, nsec;
    int max_level;
    ruv__sec sec[RUV__MAX_SECTIONS];
} ruv__head;

static ruv_result ruv__load_options(const ruv_load_options *in, ruv_load_options *o) {
    if (in)
        *o = *in;
    else
        memset(o, 0, sizeof *o);
    if ((unsigned)o->isa >= (unsigned)RUV_ISA_COUNT || !o->alloc.alloc != !o->alloc.free)
        return RUV_E_ARG;
    if (!ruv__host_le())
        return RUV_E_UNSUPPORTED;
    return RUV_OK;
}

/* First 128 bytes: magic, byte order, version, sizes. */
static ruv_result ruv__load_head_start(const unsigned char *h, uint32_t *nsec) {
    uint32_t mark = ruv__le_rd32(h + 12);
    if (memcmp(h, "RUVECIDX", 8) != 0)
        return RUV_E_FORMAT;
    if (mark == 0x04030201u)
        return RUV_E_ENDIAN;
    if (mark != RUV__ENDIAN_MARK)
        return RUV_E_CORRUPT;
    if (h[8] + 256u * h[9] != RUV__FMT_MAJOR)
        return h[8] + 256u * h[9] > RUV__FMT_MAJOR ? RUV_E_VERSION : RUV_E_CORRUPT;
    *nsec = ruv__le_rd32(h + 20);
    if (ruv__le_rd32(h + 16) != RUV__HDR || *nsec > RUV__MAX_SECTIONS)
        return RUV_E_CORRUPT;
    return RUV_OK;
}

/* Whole header + section table (checksum first, then every field). */
static ruv_result ruv__load_head_parse(const unsigned char *h, uint32_t nsec,
                                       const ruv_load_options *o, ruv__head *hd) {
    unsigned char tmp[RUV__HDR];
    ruv__xxh x;
    ruv_index_options c;
    uint64_t want = ruv__le_rd64(h + 120), pos;
    uint32_t i, last = 0, need = 0, have = 0, hnsw, storage = ruv__le_rd32(h + 44), nq;
    if (ruv__le_rd32(h + 40) == RUV__KIND_SPARSE)
        return RUV_E_UNSUPPORTED; /* a sparse index: ruv_sparse_load */
    memcpy(tmp, h, RUV__HDR);
    memset(tmp + 120, 0, 8);
    ruv__xxh_init(&x, 0);
    ruv__xxh_update(&x, tmp, RUV__HDR);
    ruv__xxh_update(&x, h + RUV__HDR, (size_t)nsec * RUV__SECENT);
    if (!RUV__SUM_OK(ruv__xxh_final(&x), want))
        return RUV_E_CHECKSUM;
    memset(hd, 0, sizeof *hd);
    memset(&c, 0, sizeof c);
    c.dim = ruv__le_rd32(h + 32);
    c.metric = (ruv_metric)ruv__le_rd32(h + 36);
    c.kind = (ruv_index_kind)ruv__le_rd32(h + 40);
    c.M = ruv__le_rd32(h + 48);
    c.ef_construction = ruv__le_rd32(h + 52);
    c.ef_search = ruv__le_rd32(h + 56);
    c.seed = ruv__le_rd64(h + 64);
    c.capacity = ruv__le_rd64(h + 104);
    c.quant = (ruv_quant)(storage & 0xFFu);
    c.drop_f32 = (storage >> 8) & 0xFFu; /* 0 f32 copies, 1 none, 2 f16, 3 bf16 copies */
    if (c.drop_f32 == 2 || c.drop_f32 == 3) {
        c.rerank_dtype = c.drop_f32 == 2 ? RUV_DTYPE_F16 : RUV_DTYPE_BF16;
        c.drop_f32 = 0;
    }
    c.dtype = (ruv_dtype)((storage >> 16) & 0xFFu);
    c.multi = (storage >> 24) & 1u;
    c.walk_bits = (storage >> 25) & 1u;
    if (c.metric == RUV_METRIC_CUSTOM) {
        c.distance_id = ruv__le_rd64(h + 112);
        c.distance = o->distance;
        c.distance_user = o->distance_user;
    } else {
        c.pq_m = ruv__le_rd32(h + 112);
        c.rerank = ruv__le_rd32(h + 116);
    }
    hd->total = ruv__le_rd64(h + 24);
    hd->max_level = (int)ruv__le_rd32(h + 60);
    hd->rng = ruv__le_rd64(h + 72);
    hd->count = ruv__le_rd64(h + 80);
    hd->live = ruv__le_rd64(h + 88);
    hd->entry = ruv__le_rd32(h + 96);
    hd->stride = ruv__le_rd32(h + 100);
    hd->nsec = nsec;
    /* every field as ruv_index_create would have resolved it */
    if (c.dim == 0 || c.dim > RUV_MAX_DIM || ruv__le_rd32(h + 36) > (uint32_t)RUV_METRIC_JACCARD ||
        ruv__le_rd32(h + 40) > (uint32_t)RUV_INDEX_HNSW || c.M < 2 || c.M > RUV_MAX_M ||
        c.ef_construction < c.M || c.ef_construction > RUV_MAX_EF || c.ef_search == 0 ||
        c.ef_search > RUV_MAX_EF || c.seed == 0 || c.capacity == 0 || c.capacity > RUV_MAX_COUNT)
        return RUV_E_CORRUPT;
    hnsw = c.kind == RUV_INDEX_HNSW;
    nq = (storage & 0xFFu) == RUV_QUANT_NONE;
    if ((storage & 0xFFu) > (uint32_t)RUV_QUANT_PQ || c.drop_f32 > 1 ||
        ((storage >> 16) & 0xFFu) >= (uint32_t)RUV_DTYPE_COUNT || storage >> 26 ||
        !ruv__index_walk_ok(&c) || !ruv__index_pair_ok(c.dtype, c.metric, c.quant) ||
        (nq && (c.drop_f32 || c.rerank_dtype != RUV_DTYPE_F32 || c.pq_m || c.rerank)) ||
        (!nq && (c.rerank == 0 || c.rerank > RUV_MAX_RERANK)) ||
        (c.quant == RUV_QUANT_PQ ? !c.pq_m || c.pq_m > c.dim || c.dim % c.pq_m : c.pq_m != 0) ||
        (c.metric == RUV_METRIC_L1 && !nq && c.quant != RUV_QUANT_F16 && c.quant != RUV_QUANT_BF16))
        return RUV_E_CORRUPT;
    if (hd->stride != ruv__index_stride(&c) || hd->count > RUV_MAX_COUNT || hd->live > hd->count ||
        hd->max_level < 0 || hd->max_level > RUV__MAX_LEVEL ||
        (!hnsw && (hd->live != hd->count || hd->max_level)) ||
        (hd->count == 0 && (hd->entry != RUV__NONE || hd->max_level)) ||
        (hd->entry != RUV__NONE && hd->entry >= hd->count) || (!hnsw && hd->entry != RUV__NONE))
        return RUV_E_CORRUPT;
    if (o->expect_dim && o->expect_dim != c.dim)
        return RUV_E_DIM;
    if (c.metric == RUV_METRIC_CUSTOM && (!o->distance || o->distance_id != c.distance_id))
        return RUV_E_METRIC;
    c.isa = o->isa;
    c.alloc = o->alloc;
    hd->cfg = c;
    /* sections: ascending ids, each at the next 64-byte boundary, the last ending the file */
    pos = RUV__HDR + (uint64_t)nsec * RUV__SECENT;
    for (i = 0; i < nsec; i++) {
        const unsigned char *e = h + RUV__HDR + i * RUV__SECENT;
        ruv__sec *s = &hd->sec[i];
        s->id = ruv__le_rd32(e);
        s->off = ruv__le_rd64(e + 8);
        s->len = ruv__le_rd64(e + 16);
        s->sum = ruv__le_rd64(e + 24);
        if (s->id <= last || ruv__le_rd32(e + 4) != 0 || s->off != ruv__save_align64(pos) ||
            s->len > hd->total || s->off > hd->total - s->len)
            return RUV_E_CORRUPT;
        pos = s->off + s->len;
        last = s->id;
        if (s->id < RUV__S_END)
            have |= 1u << s->id;
    }
    if (pos != hd->total)
        return RUV_E_CORRUPT;
    need = 1u << RUV__S_SLOTS | 1u << RUV__S_KEYS | 1u << RUV__S_KEYTAB;
    if (hnsw)
        need |= 1u << RUV__S_LEVELS | 1u << RUV__S_UPPEROFF | 1u << RUV__S_UPPER;
    i = have & (1u << RUV__S_IDREF | 1u << RUV__S_IDBYTES | 1u << RUV__S_IDTAB);
    if (i)
        need |= 1u << RUV__S_IDREF | 1u << RUV__S_IDBYTES | 1u << RUV__S_IDTAB;
    i = have & (1u << RUV__S_METAREF | 1u << RUV__S_METABYTES);
    if (i)
        need |= 1u << RUV__S_METAREF | 1u << RUV__S_METABYTES;
    if (!nq && !c.drop_f32)
        need |= 1u << RUV__S_F32;
    if (ruv__index_qp_bytes(&c) && (hd->count || (have & 1u << RUV__S_QUANT)))
        need |= 1u << RUV__S_QUANT; /* an index with vectors was trained */
    if (c.walk_bits) /* binary vectors on HNSW: the copy is rebuilt when a file lacks it */
        need |= 1u << RUV__S_BITS;
    else if (ruv__index_bits_bytes(&c))
        need |= have & 1u << RUV__S_BITS;
    if (have != need)
        return RUV_E_CORRUPT;
    return RUV_OK;
}

/* An index struct for hd with every array NULL and every size field set from the sections;
   the arrays are bound by the caller. */
static ruv_result ruv__load_shell(const ruv__head *hd, ruv_index **out) {
    ruv_index *idx;
    ruv_result r;
    uint32_t i;
    if ((r = ruv__index_new(&hd->cfg, 0, &idx)) != RUV_OK)
        return r;
    idx->count = idx->cap = (size_t)hd->count;
    idx->live = (size_t)hd->live;
    idx->entry = hd->entry;
    idx->max_level = hd->max_level;
    idx->rng = hd->rng;
    for (i = 0; i < hd->nsec; i++) {
        size_t len = (size_t)hd->sec[i].len;
        switch (hd->sec[i].id) {
        case RUV__S_KEYTAB:
            idx->table_cap = len / 4;
            break;
        case RUV__S_UPPER:
            idx->upper_cap = idx->upper_len = idx->upper_canon = len / 4;
            break;
        case RUV__S_IDBYTES:
            idx->ids.cap = idx->ids.len = len;
            break;
        case RUV__S_IDTAB:
            idx->idtab_cap = len / 4;
            break;
        case RUV__S_METABYTES:
            idx->meta.cap = idx->meta.len = len;
            break;
        default:
            break;
        }
    }
    *out = idx;
    return RUV_OK;
}

/* Expected length of known sections; sizes must fit this machine. */
static ruv_result ruv__load_check_lens(const ruv_index *idx, const ruv__head *hd) {
    uint32_t i;
    for (i = 0; i < hd->nsec; i++) {
        const ruv__sec *s = &hd->sec[i];
        uint64_t want = s->len;
        if (s->len > (size_t)-1 / 2)
            return RUV_E_NOMEM;
        switch (s->id) {
        case RUV__S_SLOTS:
        case RUV__S_KEYS:
        case RUV__S_LEVELS:
        case RUV__S_UPPEROFF:
        case RUV__S_IDREF:
        case RUV__S_METAREF:
        case RUV__S_F32:
        case RUV__S_QUANT:
        case RUV__S_BITS:
            want = ruv__save_sec_len(idx, s->id);
            break;
        case RUV__S_KEYTAB:
        case RUV__S_IDTAB: /* power of two >= 16 entries */
            if (s->len % 4 || s->len < 64 || (s->len & (s->len - 1)) || s->len / 4 > RUV__NONE)
                return RUV_E_CORRUPT;
            break;
        case RUV__S_UPPER:
            if (s->len % 4 || s->len / 4 >= RUV__NONE)
                return RUV_E_CORRUPT;
            break;
        case RUV__S_IDBYTES:
        case RUV__S_METABYTES:
            if (s->len > 0xFFFFFFFFu)
                return RUV_E_CORRUPT;
            break;
        default:
            break;
        }
        if (s->len != want)
            return RUV_E_CORRUPT;
    }
    return RUV_OK;
}

/* Points section id's array at p (view) or at freshly loaded memory. */
static void ruv__load_bind(ruv_index *idx, uint32_t id, void *p) {
    switch (id) {
    case RUV__S_SLOTS:
        idx->data = (unsigned char *)p;
        break;
    case RUV__S_KEYS:
        idx->keys = (uint64_t *)p;
        break;
    case RUV__S_KEYTAB:
        idx->table = (uint32_t *)p;
        break;
    case RUV__S_LEVELS:
        idx->levels = (uint8_t *)p;
        break;
    case RUV__S_UPPEROFF:
        idx->upper_off = (uint32_t *)p;
        break;
    case RUV__S_UPPER:
        idx->upper = (uint32_t *)p;
        break;
    case RUV__S_IDREF:
        idx->ids.ref = (uint32_t *)p;
        break;
    case RUV__S_IDBYTES:
        idx->ids.bytes = (unsigned char *)p;
        break;
    case RUV__S_IDTAB:
        idx->idtab = (uint32_t *)p;
        break;
    case RUV__S_METAREF:
        idx->meta.ref = (uint32_t *)p;
        break;
    case RUV__S_METABYTES:
        idx->meta.bytes = (unsigned char *)p;
        break;
    case RUV__S_F32:
        idx->fvec = (unsigned char *)p;
        break;
    case RUV__S_QUANT:
        idx->qp = (float *)p;
        break;
    case RUV__S_BITS:
        idx->wbits = (unsigned char *)p;
        break;
    default:
        break;
    }
}

/* Whether a stored code holds only finite values: f32 vectors, F16 / BF16 halves (exponent not
   all ones), the SQ8 per-code float. An index built through the API never holds another. */
static int ruv__load_code_finite(const ruv_index *idx, const unsigned char *code) {
    size_t i;
    uint16_t h;
    float t;
    switch (idx->cfg.quant) {
    case RUV_QUANT_NONE: /* f32 finite; halves as an add takes them; the padding bits of a
                            binary vector zero */
        if (idx->cfg.dtype == RUV_DTYPE_BIN)
            return idx->dim % 8 == 0 || !(code[idx->dim / 8] >> (idx->dim % 8));
        if (idx->cfg.dtype == RUV_DTYPE_F16 || idx->cfg.dtype == RUV_DTYPE_BF16)
            return ruv__code_halves_ok(idx->cfg.dtype, code, idx->dim);
        return idx->cfg.dtype != RUV_DTYPE_F32 ||
               ruv__vec_finite((const float *)(const void *)code, idx->dim);
    case RUV_QUANT_F16:
    case RUV_QUANT_BF16:
        for (i = 0; i < idx->dim; i++) {
            memcpy(&h, code + 2 * i, 2);
            if ((h & (idx->cfg.quant == RUV_QUANT_F16 ? 0x7C00u : 0x7F80u)) ==
                (idx->cfg.quant == RUV_QUANT_F16 ? 0x7C00u : 0x7F80u))
                return 0;
        }
        return 1;
    case RUV_QUANT_SQ8:
        memcpy(&t, code + idx->sq_off, sizeof t);
        return ruv__f32_finite(t);
    default: /* BIN bits, PQ centroid numbers */
        return 1;
    }
}

/* Whether slot s is in the key table's probe run from its key's home (opt.multi indexes, where
   several slots share a key). */
static int ruv__load_key_reachable(const ruv_index *idx, uint32_t s) {
    size_t mask = idx->table_cap - 1, h = (size_t)ruv__hash_mix64(idx->keys[s]) & mask;
    for (; idx->table[h] != RUV__NONE; h = (h + 1) & mask)
        if (idx->table[h] == s)
            return 1;
    return 0;
}

/* Checks everything the search and write paths rely on, so that no input can make them read or
   write out of bounds or loop forever. O(size of the index). */
static ruv_result ruv__load_validate(ruv_index *idx) {
    size_t s, h, n, dead = 0, nids = 0;
    uint64_t uo = 0;
    int hnsw = idx->cfg.kind == RUV_INDEX_HNSW, c;
    if (idx->qp && idx->cfg.quant == RUV_QUANT_PQ) { /* the PQ permutation: each dimension once */
        const uint32_t *perm = ruv__code_pq_perm(idx);
        ruv_search_ctx *x = idx->ctx; /* its tmp: dim floats, used here as a seen-flag array */
        memset(x->tmp, 0, idx->dim * sizeof *x->tmp);
        for (s = 0; s < idx->dim; s++) {
            if (perm[s] >= idx->dim || x->tmp[perm[s]] != 0.0f)
                return RUV_E_CORRUPT;
            x->tmp[perm[s]] = 1.0f;
        }
    }
    if (idx->qp && idx->cfg.quant == RUV_QUANT_PQ && /* the centroids */
        !ruv__vec_finite(idx->qp + idx->dim, idx->dim * 256))
        return RUV_E_CORRUPT;
    for (s = 0; idx->wbits && !idx->cfg.walk_bits && s < idx->count; s++) /* binary copies */
        if (memcmp(idx->wbits + s * idx->bits_bytes, ruv__slot_code(idx, (uint32_t)s),
                   idx->bits_bytes) != 0)
            return RUV_E_CORRUPT;
    if (idx->qp && idx->cfg.walk_bits && /* the walk's mean and deviation */
        !ruv__vec_finite(ruv__code_walk_mean(idx), 2 * idx->dim))
        return RUV_E_CORRUPT;
    if (idx->fvec && idx->cfg.rerank_dtype == RUV_DTYPE_F32 && /* the copies */
        !ruv__vec_finite((const float *)(const void *)idx->fvec, idx->count * idx->dim))
        return RUV_E_CORRUPT;
    for (s = 0; idx->fvec && idx->cfg.rerank_dtype != RUV_DTYPE_F32 && s < idx->count; s++)
        if (!ruv__code_halves_ok(idx->cfg.rerank_dtype, idx->fvec + s * idx->fvec_bytes, idx->dim))
            return RUV_E_CORRUPT;
    for (s = 0; s < idx->count; s++) /* every stored vector (zeros in free slots) */
        if (!ruv__load_code_finite(idx, ruv__slot_code(idx, (uint32_t)s)))
            return RUV_E_CORRUPT;
    if (idx->qp && idx->cfg.quant != RUV_QUANT_PQ) { /* SQ8 lo, scale >= 0; BIN mean, deviation */
        if (!ruv__vec_finite(idx->qp, ruv__index_qp_bytes(&idx->cfg) / sizeof *idx->qp))
            return RUV_E_CORRUPT;
        for (s = 0; idx->cfg.quant == RUV_QUANT_SQ8 && s < idx->dim; s++)
            if (idx->qp[idx->dim + s] < 0.0f)
                return RUV_E_CORRUPT;
    }
    if (hnsw) {
        for (s = 0; s < idx->count; s++) {
            unsigned lv = idx->levels[s];
            if ((lv & 0x20u) || (int)(lv & RUV__LEVEL) > idx->max_level ||
                idx->upper_off[s] != uo ||
                ((lv & RUV__FREE) &&
                 (lv != (RUV__DEAD | RUV__FREE) || ruv__slot_links(idx, (uint32_t)s, 0)[0])))
                return RUV_E_CORRUPT;
            dead += lv >> 7;
            idx->nfree += (lv >> 6) & 1u;
            uo += (uint64_t)(lv & RUV__LEVEL) * (idx->M + 1);
        }
        if (uo != idx->upper_len || dead != idx->count - idx->live)
            return RUV_E_CORRUPT;
        if (idx->entry == RUV__NONE
                ? idx->nfree != idx->count || idx->max_level
                : (idx->levels[idx->entry] & RUV__FREE) ||
                      (int)(idx->levels[idx->entry] & RUV__LEVEL) != idx->max_level)
            return RUV_E_CORRUPT;
        for (s = 0; s < idx->count; s++) {
            int l, top = idx->levels[s] & RUV__LEVEL;
            for (l = 0; l <= top; l++) {
                const uint32_t *li = ruv__slot_links(idx, (uint32_t)s, l);
                uint32_t i;
                if (li[0] > (l ? idx->M : idx->m0))
                    return RUV_E_CORRUPT;
                for (i = 1; i <= li[0]; i++)
                    if (li[i] >= idx->count || (idx->levels[li[i]] & RUV__FREE) ||
                        (int)(idx->levels[li[i]] & RUV__LEVEL) < l)
                        return RUV_E_CORRUPT;
            }
        }
    }
    /* key table: exactly the live slots, each reachable by its key */
    if (idx->live >= idx->table_cap)
        return RUV_E_CORRUPT;
    for (h = n = 0; h < idx->table_cap; h++) {
        uint32_t t = idx->table[h];
        if (t == RUV__NONE)
            continue;
        if (t >= idx->count || ruv__slot_dead(idx, t))
            return RUV_E_CORRUPT;
        n++;
    }
    if (n != idx->live)
        return RUV_E_CORRUPT;
    for (s = 0; s < idx->count; s++) /* multi: found in its key's probe run; else the first */
        if (!ruv__slot_dead(idx, s) && (idx->cfg.multi ? !ruv__load_key_reachable(idx, (uint32_t)s)
                                                       : ruv__tab_find_key(idx, idx->keys[s]) != s))
            return RUV_E_CORRUPT;
    if (idx->cfg.multi && (idx->ids.ref || idx->meta.ref)) /* multi indexes take neither */
        return RUV_E_CORRUPT;
    /* blobs: in bounds, none on deleted slots */
    for (c = 0; c < 2; c++) {
        ruv__blobs *b = c ? &idx->ids : &idx->meta;
        uint64_t sum = 0;
        if (!b->ref)
            continue;
        for (s = 0; s < idx->count; s++) {
            uint64_t off = b->ref[2 * s], len = b->ref[2 * s + 1];
            if (!len)
                continue;
            if (ruv__slot_dead(idx, s) || off + len > b->len ||
                len > (c ? RUV_MAX_ID_BYTES : RUV_MAX_META_BYTES))
                return RUV_E_CORRUPT;
            sum += len;
            nids += (size_t)c;
        }
        if (sum > b->len)
            return RUV_E_CORRUPT;
        b->live = (size_t)sum;
    }
    if (idx->idtab) {
        if (nids >= idx->idtab_cap)
            return RUV_E_CORRUPT;
        for (h = n = 0; h < idx->idtab_cap; h++) {
            uint32_t t = idx->idtab[h];
            size_t len;
            if (t == RUV__NONE)
                continue;
            if (t >= idx->count || !ruv__tab_blob(&idx->ids, t, &len))
                return RUV_E_CORRUPT;
            n++;
        }
        if (n != nids)
            return RUV_E_CORRUPT;
        for (s = 0; s < idx->count; s++) {
            size_t len;
            const unsigned char *p = ruv__tab_blob(&idx->ids, (uint32_t)s, &len);
            if (p && ruv__tab_find_id(idx, (const char *)p, len) != s)
                return RUV_E_CORRUPT;
        }
    }
    return RUV_OK;
}

/* Reads n bytes: RUV_OK, RUV_E_TRUNCATED or RUV_E_IO. */
static ruv_result ruv__load_read(ruv_read_fn read, void *user, void *dst, size_t n) {
    int rc;
    if (!n)
        return RUV_OK;
    rc = read(user, dst, n);
    return rc == 0 ? RUV_OK : rc == 1 ? RUV_E_TRUNCATED : RUV_E_IO;
}

/* Reads the gap bytes of zero padding before a section (under 64: sections are 64-byte
   aligned); RUV_E_CORRUPT if one is not 0. */
static ruv_result ruv__load_gap(ruv_read_fn read, void *user, size_t gap) {
    unsigned char buf[64];
    size_t j;
    ruv_result r;
    if (gap > sizeof buf)
        return RUV_E_CORRUPT;
    if ((r = ruv__load_read(read, user, buf, gap)) != RUV_OK)
        return r;
    for (j = 0; j < gap; j++)
        if (buf[j])
            return RUV_E_CORRUPT;
    return RUV_OK;
}

/* Reads len bytes of a section this reader does not know (a later minor version) into x. */
static ruv_result ruv__load_skip(ruv_read_fn read, void *user, size_t len, ruv__xxh *x) {
    unsigned char buf[256];
    size_t j;
    ruv_result r;
    for (j = 0; j < len; j += sizeof buf) {
        size_t t = len - j < sizeof buf ? len - j : sizeof buf;
        if ((r = ruv__load_read(read, user, buf, t)) != RUV_OK)
            return r;
        ruv__xxh_update(x, buf, t);
    }
    return RUV_OK;
}

/* Loads through read; limit = bytes available if known (checked before allocating). */
static ruv_result ruv__load_run(ruv_read_fn read, void *user, uint64_t limit,
                                const ruv_load_options *opt, ruv_index **out) {
    unsigned char head[RUV__HDR + RUV__MAX_SECTIONS * RUV__SECENT];
    ruv_load_options o;
    ruv__head hd;
    ruv_index *idx = NULL;
    uint64_t pos;
    uint32_t nsec, i;
    ruv_result r;
    if (out)
        *out = NULL;
    if (!read || !out)
        return RUV_E_ARG;
    if ((r = ruv__load_options(opt, &o)) != RUV_OK)
        return r;
    if ((r = ruv__load_read(read, user, head, RUV__HDR)) != RUV_OK ||
        (r = ruv__load_head_start(head, &nsec)) != RUV_OK ||
        (r = ruv__load_read(read, user, head + RUV__HDR, (size_t)nsec * RUV__SECENT)) != RUV_OK ||
        (r = ruv__load_head_parse(head, nsec, &o, &hd)) != RUV_OK)
        return r;
    if (hd.total > limit)
        return RUV_E_TRUNCATED;
    if ((r = ruv__load_shell(&hd, &idx)) != RUV_OK)
        return r;
    if ((r = ruv__load_check_lens(idx, &hd)) != RUV_OK)
        goto fail;
    pos = RUV__HDR + (uint64_t)nsec * RUV__SECENT;
    for (i = 0; i < nsec; i++) {
        const ruv__sec *s = &hd.sec[i];
        size_t len = (size_t)s->len;
        ruv__xxh x;
        if ((r = ruv__load_gap(read, user, (size_t)(s->off - pos))) != RUV_OK)
            goto fail;
        ruv__xxh_init(&x, 0);
        if (s->id < RUV__S_END) {
            void *p = s->id == RUV__S_SLOTS ? ruv__mem_alloc_aligned(&idx->mem, len)
                                            : ruv__mem_alloc(&idx->mem, len);
            if (!p) {
                r = RUV_E_NOMEM;
                goto fail;
            }
            ruv__load_bind(idx, s->id, p);
            if ((r = ruv__load_read(read, user, p, len)) != RUV_OK)
                goto fail;
            ruv__xxh_update(&x, p, len);
        } else if ((r = ruv__load_skip(read, user, len, &x)) != RUV_OK) /* later minor version */
            goto fail;
        if (!RUV__SUM_OK(ruv__xxh_final(&x), s->sum)) {
            r = RUV_E_CHECKSUM;
            goto fail;
        }
        pos = s->off + s->len;
    }
    if ((r = ruv__load_validate(idx)) != RUV_OK)
        goto fail;
    if (!idx->wbits && idx->bits_bytes && idx->count) { /* a file without section 14 */
        size_t s;
        if (!(idx->wbits =
                  (unsigned char *)ruv__mem_alloc(&idx->mem, idx->count * idx->bits_bytes))) {
            r = RUV_E_NOMEM;
            goto fail;
        }
        for (s = 0; s < idx->count; s++)
            memcpy(idx->wbits + s * idx->bits_bytes, ruv__slot_code(idx, (uint32_t)s),
                   idx->bits_bytes);
    }
    if (ruv__ctx_reserve(idx->ctx, idx->levels ? idx->cap : 0, ruv__index_pool(idx),
                         (size_t)idx->m0 + 1) != RUV_OK) {
        r = RUV_E_NOMEM;
        goto fail;
    }
    *out = idx;
    return RUV_OK;
fail:
    ruv_index_free(idx);
    return r;
}

RUVDEF ruv_result ruv_index_load(ruv_read_fn read, void *user, const ruv_load_options *opt,
                                 ruv_index **out) {
    return ruv__load_run(read, user, (uint64_t)-1, opt, out);
}

RUVDEF ruv_result ruv_index_load_buffer(const void *buf, size_t len, const ruv_load_options *opt,
                                        ruv_index **out) {
    ruv__membuf m;
    if (out)
        *out = NULL;
    if (!buf && len)
        return RUV_E_ARG;
    m.p = (unsigned char *)(uintptr_t)buf;
    m.len = len;
    m.pos = 0;
    return ruv__load_run(ruv__load_buf_read, &m, len, opt, out);
}

RUVDEF ruv_result ruv_index_view(const void *buf, size_t len, const ruv_load_options *opt,
                                 ruv_index **out) {
    const unsigned char *b = (const unsigned char *)buf;
    ruv_load_options o;
    ruv__head hd;
    ruv_index *idx = NULL;
    uint64_t pos;
    uint32_t nsec, i;
    ruv_result r;
    if (out)
        *out = NULL;
    if (!out || (!buf && len) || (uintptr_t)buf % 8)
        return RUV_E_ARG;
    if ((r = ruv__load_options(opt, &o)) != RUV_OK)
        return r;
    if (len < RUV__HDR)
        return len >= 8 && memcmp(b, "RUVECIDX", 8) != 0 ? RUV_E_FORMAT : RUV_E_TRUNCATED;
    if ((r = ruv__load_head_start(b, &nsec)) != RUV_OK)
        return r;
    if (len < RUV__HDR + (size_t)nsec * RUV__SECENT)
        return RUV_E_TRUNCATED;
    if ((r = ruv__load_head_parse(b, nsec, &o, &hd)) != RUV_OK)
        return r;
    if (hd.total > len)
        return RUV_E_TRUNCATED;
    if ((r = ruv__load_shell(&hd, &idx)) != RUV_OK)
        return r;
    idx->view = 1;
    if ((r = ruv__load_check_lens(idx, &hd)) != RUV_OK)
        goto fail;
    pos = RUV__HDR + (uint64_t)nsec * RUV__SECENT;
    for (i = 0; i < nsec; i++) {
        const ruv__sec *s = &hd.sec[i];
        for (; pos < s->off; pos++)
            if (b[pos]) {
                r = RUV_E_CORRUPT;
                goto fail;
            }
        if (!RUV__SUM_OK(ruv__xxh64(b + s->off, (size_t)s->len, 0), s->sum)) {
            r = RUV_E_CHECKSUM;
            goto fail;
        }
        ruv__load_bind(idx, s->id, (void *)(uintptr_t)(b + s->off));
        pos = s->off + s->len;
    }
    if ((r = ruv__load_validate(idx)) != RUV_OK)
        goto fail;
    *out = idx;
    return RUV_OK;
fail:
    ruv_index_free(idx);
    return r;
}

#endif /* RUV__IMPL */
