/* Sparse indexes in the saved FORMAT (src/save.h, kind 2): the writer and the reader. */
#ifdef RUV__IMPL

/* A sparse index file (FORMAT version 1.1, kind 2) is the same container: the 128-byte header
   with "RUVECIDX", version 1.1, the byte-order mark, header bytes, section count and file bytes
   as for dense indexes; u32 max_nnz at 32, u32 metric at 36 (0 L2SQ, 1 IP, 2 cosine), u32 kind
   2 at 40, u64 entries at 80 and again at 88; every other byte before the checksum at 120 is 0.
   Sections, in this order: 2 keys (u64 per entry); 7 / 8 and 10 / 11, string ids and
   metadata, only when some entry has one: per entry u32 offset, u32 length (offsets running
   over the entries in order, 0 with length 0; ids 1..RUV_MAX_ID_BYTES bytes and unique,
   metadata up to RUV_MAX_META_BYTES), then the bytes back to back (not empty); 15 sparse nnz
   (u32 per entry), 16 sparse ids (u32 per nonzero, every entry's ids back to back in entry
   order, strictly increasing within an entry, below 2^32 - 1), 17 sparse values (f32 per
   nonzero, as given: finite, nonzero). Entries are the live ones in slot order (ties keep their
   order); the posting lists and hash tables are rebuilt by the loader, which checks every entry
   as ruv_sparse_put does. */
enum { RUV__S_SPNNZ = 15, RUV__S_SPIDS = 16, RUV__S_SPVALS = 17 };

/* Where the loader keeps section id (see ruv__sp_load_run's data), or -1 if not a section of
   sparse files. */
static int ruv__sp_sec_slot(uint32_t id) {
    switch (id) {
    case RUV__S_KEYS:
        return 0;
    case RUV__S_SPNNZ:
    case RUV__S_SPIDS:
    case RUV__S_SPVALS:
        return (int)(id - RUV__S_SPNNZ) + 1;
    case RUV__S_IDREF:
        return 4;
    case RUV__S_IDBYTES:
        return 5;
    case RUV__S_METAREF:
        return 6;
    case RUV__S_METABYTES:
        return 7;
    default:
        return -1;
    }
}

/* Checks n (offset, length) references as the writer lays them out (offsets running, 0 with
   length 0, lengths up to max; ids: at least one nonempty) and sets *bytes to their total. */
static int ruv__sp_load_refs(const uint32_t *ref, uint64_t n, uint32_t max, uint64_t *bytes) {
    uint64_t e, run = 0;
    for (e = 0; e < n; e++) {
        uint32_t off = ref[2 * e], len = ref[2 * e + 1];
        if (len > max || off != (len ? run : 0))
            return 0;
        run += len;
    }
    *bytes = run;
    return run > 0 && run <= 0xFFFFFFFFu;
}

/* Number of nonzeros of the live entries. */
static uint64_t ruv__sp_live_nnz(const ruv_sparse_index *idx) {
    uint64_t p = 0;
    size_t s;
    for (s = 0; s < idx->slots; s++)
        if (!idx->dead[s])
            p += idx->nnz[s];
    return p;
}

#define RUV__SP_SECTIONS 8u /* at most */

/* The sections of idx (4 to 8): ids, offsets and lengths; returns their count, *total = file
   bytes. */
static uint32_t ruv__sp_plan(const ruv_sparse_index *idx, ruv__sec *sec, uint64_t *total) {
    static const uint32_t ids[RUV__SP_SECTIONS] = {RUV__S_KEYS,    RUV__S_IDREF,     RUV__S_IDBYTES,
                                                   RUV__S_METAREF, RUV__S_METABYTES, RUV__S_SPNNZ,
                                                   RUV__S_SPIDS,   RUV__S_SPVALS};
    uint64_t live = idx->live, p = ruv__sp_live_nnz(idx), pos;
    uint32_t i, n = 0;
    for (i = 0; i < RUV__SP_SECTIONS; i++) {
        uint32_t id = ids[i];
        if ((id == RUV__S_IDREF || id == RUV__S_IDBYTES) && !idx->sid.live)
            continue;
        if ((id == RUV__S_METAREF || id == RUV__S_METABYTES) && !idx->smeta.live)
            continue;
        sec[n].id = id;
        sec[n].len = id == RUV__S_KEYS || id == RUV__S_IDREF || id == RUV__S_METAREF ? 8 * live
                     : id == RUV__S_IDBYTES                                          ? idx->sid.live
                     : id == RUV__S_METABYTES ? idx->smeta.live
                     : id == RUV__S_SPNNZ     ? 4 * live
                                              : 4 * p;
        sec[n++].sum = 0;
    }
    pos = RUV__HDR + (uint64_t)n * RUV__SECENT;
    for (i = 0; i < n; i++) {
        sec[i].off = ruv__save_align64(pos);
        pos = sec[i].off + sec[i].len;
    }
    *total = pos;
    return n;
}

/* Writes section id of idx through k, in chunks of a small buffer (the live entries only). */
static void ruv__sp_emit(const ruv_sparse_index *idx, uint32_t id, ruv__sink *k) {
    unsigned char buf[1024]; /* (stack: firmware) */
    size_t n = 0, s;
    uint32_t boff = 0;
    for (s = 0; s < idx->slots; s++) {
        const unsigned char *src;
        size_t len;
        uint32_t z = idx->nnz[s], ref[2];
        if (idx->dead[s])
            continue;
        if (id == RUV__S_KEYS)
            src = (const unsigned char *)&idx->keys[s], len = 8;
        else if (id == RUV__S_IDREF || id == RUV__S_METAREF) {
            ruv__tab_blob(id == RUV__S_IDREF ? &idx->sid : &idx->smeta, (uint32_t)s, &len);
            ref[0] = len ? boff : 0;
            ref[1] = (uint32_t)len;
            boff += (uint32_t)len;
            src = (const unsigned char *)ref, len = 8;
        } else if (id == RUV__S_IDBYTES || id == RUV__S_METABYTES)
            src = ruv__tab_blob(id == RUV__S_IDBYTES ? &idx->sid : &idx->smeta, (uint32_t)s, &len);
        else if (id == RUV__S_SPNNZ)
            src = (const unsigned char *)&z, len = 4;
        else if (id == RUV__S_SPIDS)
            src = (const unsigned char *)(idx->ids + idx->off[s]), len = 4 * (size_t)z;
        else
            src = (const unsigned char *)(idx->vals + idx->off[s]), len = 4 * (size_t)z;
        while (len) { /* (host little-endian: checked by the caller) */
            size_t t = len < sizeof buf - n ? len : sizeof buf - n;
            memcpy(buf + n, src, t);
            n += t, src += t, len -= t;
            if (n == sizeof buf) {
                ruv__save_put(k, buf, n);
                n = 0;
            }
        }
    }
    ruv__save_put(k, buf, n);
}

RUVDEF size_t ruv_sparse_serialized_size(const ruv_sparse_index *idx) {
    ruv__sec sec[RUV__SP_SECTIONS];
    uint64_t total;
    if (!idx)
        return 0;
    ruv__sp_plan(idx, sec, &total);
    return total > (uint64_t)(size_t)-1 ? 0 : (size_t)total;
}

RUVDEF ruv_result ruv_sparse_save(const ruv_sparse_index *idx, ruv_write_fn write, void *user) {
    unsigned char head[RUV__HDR + RUV__SP_SECTIONS * RUV__SECENT], zero[64];
    ruv__sec sec[RUV__SP_SECTIONS];
    uint64_t total, pos;
    uint32_t i, n;
    ruv__sink k;
    if (!idx || !write)
        return RUV_E_ARG;
    if (!ruv__host_le())
        return RUV_E_UNSUPPORTED;
    n = ruv__sp_plan(idx, sec, &total);
    memset(&k, 0, sizeof k);
    for (i = 0; i < n; i++) {
        ruv__xxh_init(&k.h, 0);
        ruv__sp_emit(idx, sec[i].id, &k);
        sec[i].sum = ruv__xxh_final(&k.h);
    }
    memset(head, 0, sizeof head);
    memcpy(head, "RUVECIDX", 8);
    head[8] = (unsigned char)RUV__FMT_MAJOR;
    head[10] = 1; /* version 1.1: sparse indexes */
    ruv__le_wr32(head + 12, RUV__ENDIAN_MARK);
    ruv__le_wr32(head + 16, RUV__HDR);
    ruv__le_wr32(head + 20, n);
    ruv__le_wr64(head + 24, total);
    ruv__le_wr32(head + 32, idx->max_nnz);
    ruv__le_wr32(head + 36, (uint32_t)idx->metric);
    ruv__le_wr32(head + 40, RUV__KIND_SPARSE);
    ruv__le_wr64(head + 80, idx->live);
    ruv__le_wr64(head + 88, idx->live);
    for (i = 0; i < n; i++) {
        unsigned char *e = head + RUV__HDR + i * RUV__SECENT;
        ruv__le_wr32(e, sec[i].id);
        ruv__le_wr64(e + 8, sec[i].off);
        ruv__le_wr64(e + 16, sec[i].len);
        ruv__le_wr64(e + 24, sec[i].sum);
    }
    pos = RUV__HDR + (uint64_t)n * RUV__SECENT;
    ruv__le_wr64(head + 120, ruv__xxh64(head, (size_t)pos, 0));
    k.write = write;
    k.user = user;
    ruv__save_put(&k, head, (size_t)pos);
    memset(zero, 0, sizeof zero);
    for (i = 0; i < n; i++) {
        ruv__save_put(&k, zero, (size_t)(sec[i].off - pos));
        ruv__sp_emit(idx, sec[i].id, &k);
        pos = sec[i].off + sec[i].len;
    }
    return k.failed ? RUV_E_IO : RUV_OK;
}

RUVDEF ruv_result ruv_sparse_save_buffer(const ruv_sparse_index *idx, void *buf, size_t cap,
                                         size_t *written) {
    ruv__membuf m;
    size_t need;
    ruv_result r;
    if (written)
        *written = 0;
    if (!idx || !written || (!buf && cap))
        return RUV_E_ARG;
    if ((need = ruv_sparse_serialized_size(idx)) == 0)
        return RUV_E_NOMEM; /* larger than the address space */
    if (need > cap) {
        *written = need;
        return RUV_E_SPACE;
    }
    m.p = (unsigned char *)buf;
    m.len = cap;
    m.pos = 0;
    if ((r = ruv_sparse_save(idx, ruv__save_buf_write, &m)) == RUV_OK)
        *written = m.pos;
    return r;
}

/* Loads a sparse index through read; limit = bytes available if known. */
static ruv_result ruv__sp_load_run(ruv_read_fn read, void *user, uint64_t limit,
                                   const ruv_load_options *opt, ruv_sparse_index **out) {
    unsigned char head[RUV__HDR + RUV__MAX_SECTIONS * RUV__SECENT];
    ruv_load_options o;
    ruv_sparse_options so;
    ruv_sparse_index *idx = NULL;
    ruv__sec sec[RUV__MAX_SECTIONS];
    /* keys, nnz, ids, values, id refs, id bytes, metadata refs, metadata bytes */
    void *data[8] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    size_t dlen[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    uint64_t total, entries, pos, p = 0, e, sum, blen[2] = {0, 0};
    uint32_t nsec, i, last = 0, have = 0, metric;
    ruv__mem mem;
    ruv_result r;
    ruv__xxh x;
    if (out)
        *out = NULL;
    if (!read || !out)
        return RUV_E_ARG;
    if ((r = ruv__load_options(opt, &o)) != RUV_OK)
        return r;
    if ((r = ruv__load_read(read, user, head, RUV__HDR)) != RUV_OK ||
        (r = ruv__load_head_start(head, &nsec)) != RUV_OK)
        return r;
    if (ruv__le_rd32(head + 40) != RUV__KIND_SPARSE)
        return RUV_E_UNSUPPORTED; /* a dense index: ruv_index_load */
    if ((r = ruv__load_read(read, user, head + RUV__HDR, (size_t)nsec * RUV__SECENT)) != RUV_OK)
        return r;
    sum = ruv__le_rd64(head + 120);
    memset(head + 120, 0, 8);
    if (!RUV__SUM_OK(ruv__xxh64(head, RUV__HDR + (size_t)nsec * RUV__SECENT, 0), sum))
        return RUV_E_CHECKSUM;
    total = ruv__le_rd64(head + 24);
    entries = ruv__le_rd64(head + 80);
    metric = ruv__le_rd32(head + 36);
    so = ruv_sparse_options_init();
    so.max_nnz = ruv__le_rd32(head + 32);
    so.metric = (ruv_metric)metric;
    so.alloc = o.alloc;
    for (i = 44; i < 120; i++) /* the fields a sparse file does not use */
        if (head[i] && (i < 80 || i >= 96))
            return RUV_E_CORRUPT;
    if ((metric != RUV_METRIC_IP && metric != RUV_METRIC_COSINE && metric != RUV_METRIC_L2SQ) ||
        so.max_nnz == 0 || so.max_nnz > RUV_SPARSE_MAX_NNZ || ruv__le_rd64(head + 88) != entries ||
        entries > (uint64_t)RUV__SP_NONE - 1)
        return RUV_E_CORRUPT;
    pos = RUV__HDR + (uint64_t)nsec * RUV__SECENT;
    for (i = 0; i < nsec; i++) { /* ascending ids, 64-byte aligned, the last ending the file */
        const unsigned char *t = head + RUV__HDR + i * RUV__SECENT;
        sec[i].id = ruv__le_rd32(t);
        sec[i].off = ruv__le_rd64(t + 8);
        sec[i].len = ruv__le_rd64(t + 16);
        sec[i].sum = ruv__le_rd64(t + 24);
        if (sec[i].id <= last || ruv__le_rd32(t + 4) != 0 || sec[i].off != ruv__save_align64(pos) ||
            sec[i].len > total || sec[i].off > total - sec[i].len)
            return RUV_E_CORRUPT;
        if (sec[i].len > (uint64_t)((size_t)-1 / 2)) /* beyond this address space (32-bit) */
            return RUV_E_NOMEM;
        pos = sec[i].off + sec[i].len;
        last = sec[i].id;
        if (ruv__sp_sec_slot(sec[i].id) >= 0)
            have |= 1u << ruv__sp_sec_slot(sec[i].id);
        else if (sec[i].id < RUV__S_SPNNZ) /* other dense sections have no place here */
            return RUV_E_CORRUPT;
    }
    /* keys, nnz, ids, values; id refs with id bytes; metadata refs with metadata bytes */
    if (pos != total || (have & 15u) != 15u || !(have & 16u) != !(have & 32u) ||
        !(have & 64u) != !(have & 128u) || entries > total / 12)
        return RUV_E_CORRUPT;
    if (total > limit)
        return RUV_E_TRUNCATED;
    ruv__mem_init(&mem, o.alloc);
    pos = RUV__HDR + (uint64_t)nsec * RUV__SECENT;
    for (i = 0; i < nsec; i++) {
        size_t len = (size_t)sec[i].len;
        int d = ruv__sp_sec_slot(sec[i].id);
        if ((r = ruv__load_gap(read, user, (size_t)(sec[i].off - pos))) != RUV_OK)
            goto done;
        ruv__xxh_init(&x, 0);
        if (d >= 0) { /* lengths: keys, refs 8, nnz 4 per entry; ids, values 4 per nonzero */
            uint64_t want = d == 0 || d == 4 || d == 6 ? 8 * entries
                            : d == 1                   ? 4 * entries
                            : d == 5 || d == 7         ? blen[(d - 5) / 2]
                                                       : 4 * p;
            if (sec[i].len != want || (want == 0 && (d == 5 || d == 7))) {
                r = RUV_E_CORRUPT;
                goto done;
            }
            if (!(data[d] = ruv__mem_alloc(&mem, len))) {
                r = RUV_E_NOMEM;
                goto done;
            }
            dlen[d] = len;
            if ((r = ruv__load_read(read, user, data[d], len)) != RUV_OK)
                goto done;
            ruv__xxh_update(&x, data[d], len);
            if (d == 1) /* the nonzeros the next two sections hold */
                for (e = 0; e < entries; e++) {
                    uint32_t z;
                    memcpy(&z, (unsigned char *)data[1] + 4 * e, 4);
                    if (z > so.max_nnz) {
                        r = RUV_E_CORRUPT;
                        goto done;
                    }
                    p += z;
                }
            if ((d == 4 || d == 6) &&
                !ruv__sp_load_refs((const uint32_t *)data[d], entries,
                                   d == 4 ? RUV_MAX_ID_BYTES : RUV_MAX_META_BYTES,
                                   &blen[(d - 4) / 2])) {
                r = RUV_E_CORRUPT;
                goto done;
            }
        } else if ((r = ruv__load_skip(read, user, len, &x)) != RUV_OK) /* later minor version */
            goto done;
        if (!RUV__SUM_OK(ruv__xxh_final(&x), sec[i].sum)) {
            r = RUV_E_CHECKSUM;
            goto done;
        }
        pos = sec[i].off + sec[i].len;
    }
    /* the entries, each checked as ruv_sparse_add checks it */
    if ((r = ruv_sparse_create(&so, &idx)) != RUV_OK)
        goto done;
    for (e = 0, p = 0; e < entries; e++) {
        uint64_t key;
        uint32_t z;
        double n2 = 0.0;
        const uint32_t *ids = (const uint32_t *)data[2] + p;
        const float *vals = (const float *)data[3] + p;
        memcpy(&key, (unsigned char *)data[0] + 8 * e, 8);
        memcpy(&z, (unsigned char *)data[1] + 4 * e, 4);
        if (ruv__sp_check(idx, z, ids, vals, 0, &n2) != RUV_OK ||
            ruv__sp_map_get(&idx->kmap, key) != RUV__SP_NONE) {
            r = RUV_E_CORRUPT;
            goto done;
        }
        if ((r = ruv__sp_insert(idx, key, z, ids, vals, n2)) != RUV_OK)
            goto done;
        p += z;
    }
    for (i = 0; i < 2; i++) { /* ids, metadata; then the ids are unique */
        ruv__blobs b;
        memset(&b, 0, sizeof b);
        b.ref = (uint32_t *)data[4 + 2 * i];
        b.bytes = (unsigned char *)data[5 + 2 * i];
        b.live = b.len = b.cap = (size_t)blen[i];
        if (b.ref && !ruv__sp_blobs_fill(idx, !i, &b, NULL)) {
            r = RUV_E_NOMEM;
            goto done;
        }
    }
    for (e = 0; e < entries; e++) {
        size_t len;
        const unsigned char *q = ruv__tab_blob(&idx->sid, (uint32_t)e, &len);
        if (q && ruv__slots_find_id(&idx->sid, idx->idtab, idx->idtab_cap, (const char *)q, len) !=
                     (uint32_t)e) {
            r = RUV_E_CORRUPT;
            goto done;
        }
    }
    *out = idx;
    idx = NULL;
done:
    for (i = 0; i < 8; i++)
        ruv__mem_free(&mem, data[i], dlen[i]);
    ruv_sparse_free(idx);
    return r;
}

RUVDEF ruv_result ruv_sparse_load(ruv_read_fn read, void *user, const ruv_load_options *opt,
                                  ruv_sparse_index **out) {
    return ruv__sp_load_run(read, user, (uint64_t)-1, opt, out);
}

RUVDEF ruv_result ruv_sparse_load_buffer(const void *buf, size_t len, const ruv_load_options *opt,
                                         ruv_sparse_index **out) {
    ruv__membuf m;
    if (out)
        *out = NULL;
    if (!buf || !out)
        return RUV_E_ARG;
    m.p = (unsigned char *)(uintptr_t)buf;
    m.len = len;
    m.pos = 0;
    return ruv__sp_load_run(ruv__load_buf_read, &m, len, opt, out);
}

#endif /* RUV__IMPL */
