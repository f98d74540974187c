/* Journal (write-ahead log) of a dense index: the record writer that the write paths call
   before they change anything (ruv__journal_log_*), replay, attach / detach / sync, and the file
   API (ruv_index_open_file, ruv_index_checkpoint: snapshot + journal side by side). */
#ifdef RUV__IMPL

/* JOURNAL FORMAT (version 1; every integer little-endian)
     header, 32 bytes:
          0  char[8] "RUVJRNL\0"
          8  u32 version (1)
         12  u32 dim of the index
         16  u64 base: id of the snapshot the journal follows (ruv_index_snapshot_id: the
             XXH64 at byte 120 of the saved FORMAT's header)
         24  u64 XXH64 (seed 0) of bytes 0..23
     records, back to back from byte 32; each is a multiple of 8 bytes:
          0  u32 magic 0x4C4A5652 ("RVJL")
          4  u32 op
          8  u64 sequence number: 1 for the first record after the header, then +1
         16  u64 payload length L
         24  payload, then zero padding to a multiple of 8
         24 + L + pad: u64 XXH64 (seed 0) of the record's bytes before it
     ops and their payloads (a vector is one vector of the index dtype as the caller gave it,
     in_bytes bytes: dim f32 for the default dtype):
         1 add     u64 n, u64 0, n u64 keys, n vectors (ruv_index_add, ruv_index_add_batch: a
                   batch is one record, applied all or nothing)
         2 put     u64 key, u32 mode (ruv_put_mode), u32 has (1 vector, 2 id, 4 metadata: the
                   item's non-NULL fields), u64 id length, u64 metadata length, then the vector
                   padded with zeros to a multiple of 8 (if has & 1), the id bytes, the metadata
                   bytes (ruv_index_put, _update, _upsert)
         3 remove  u64 key
         4 tables  the quantizer tables that ruv_index_train or ruv_index_set_sq8_range computed,
                   as section 13 of the saved FORMAT (ruv__index_qp_bytes of them); applied to an
                   empty index (replay does not depend on the kernels that trained them)
     A replay applies the records in order and stops at the first that is short, has a wrong
     magic or checksum, or is not the next sequence number: that part and everything after it is
     reported, never applied. Records are written before the index changes (write-ahead) and the
     write is acknowledged only after the record was written and, per durability level, synced.
*/

/* Test builds define RUV_TEST_IO_HOOK() to run code (e.g. kill the process) before each sync,
   rename and file creation of the journal and file functions, and RUV_TEST_IO_WRITE_HOOK(fd,
   data, len) before each write (it may write part of the data first: a torn write); empty
   otherwise. */
#ifdef RUV_TEST_IO_HOOK
#define RUV__IO_POINT() RUV_TEST_IO_HOOK()
#else
#define RUV__IO_POINT() ((void)0)
#endif
#ifdef RUV_TEST_IO_WRITE_HOOK
#define RUV__IO_WRITE_POINT(fd, p, n) RUV_TEST_IO_WRITE_HOOK(fd, p, n)
#else
#define RUV__IO_WRITE_POINT(fd, p, n) RUV__IO_POINT()
#endif

#define RUV__J_HDR 32u
#define RUV__J_REC 24u
#define RUV__J_MAGIC 0x4C4A5652u
#define RUV__J_VERSION 1u
enum { RUV__J_ADD = 1, RUV__J_PUT, RUV__J_REMOVE, RUV__J_TABLES };

typedef struct ruv__journal {
    ruv_journal_options o;
    ruv_index *idx;
    uint64_t seq;              /* sequence number of the next record */
    uint64_t size;             /* bytes kept in the journal: header and whole records */
    uint32_t pending;          /* records since the last sync */
    int broken;                /* a failed append could not be undone: writes are refused */
    size_t nstage;             /* bytes waiting in stage */
    unsigned char stage[4096]; /* small records go to the writer in one call */
    /* file journals (ruv_index_open_file): path, "<path>.journal", "<path>.journal.ruvtmp" */
    char *names;
    size_t path_len;
    int fd;
} ruv__journal;

typedef struct ruv__jpiece {
    const void *p;
    size_t n;
} ruv__jpiece;

static void ruv__journal_header(unsigned char h[RUV__J_HDR], uint32_t dim, uint64_t base) {
    memcpy(h, "RUVJRNL", 8);
    ruv__le_wr32(h + 8, RUV__J_VERSION);
    ruv__le_wr32(h + 12, dim);
    ruv__le_wr64(h + 16, base);
    ruv__le_wr64(h + 24, ruv__xxh64(h, 24, 0));
}

/* Hands the staged bytes to the writer; 1 on success. */
static int ruv__journal_flush(ruv__journal *j) {
    int ok = j->nstage == 0 || j->o.write(j->o.user, j->stage, j->nstage) == 0;
    j->nstage = 0;
    return ok;
}

/* Appends p[0..n-1] to the record (hashed into h unless h is NULL); 1 on success. */
static int ruv__journal_put(ruv__journal *j, ruv__xxh *h, const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    if (n == 0)
        return 1;
    if (h)
        ruv__xxh_update(h, p, n);
    while (n) {
        size_t room = sizeof j->stage - j->nstage, k;
        if (n >= sizeof j->stage) /* a large piece goes straight through */
            return ruv__journal_flush(j) && j->o.write(j->o.user, b, n) == 0;
        if (room == 0) {
            if (!ruv__journal_flush(j))
                return 0;
            continue;
        }
        k = n < room ? n : room;
        memcpy(j->stage + j->nstage, b, k);
        j->nstage += k;
        b += k;
        n -= k;
    }
    return 1;
}

static int ruv__journal_sync(ruv__journal *j) {
    if (j->o.sync && j->o.sync(j->o.user) != 0)
        return 0;
    j->pending = 0;
    return 1;
}

/* Appends one record (op, payload = the pieces back to back) and syncs it per the durability
   level. On failure the partial record is cut off (truncate callback) or the journal is marked
   broken; RUV_E_IO either way, and the caller leaves the index unchanged. */
static ruv_result ruv__journal_emit_io(ruv_index *idx, uint32_t op, const ruv__jpiece *pc,
                                       size_t np) {
    ruv__journal *j = idx->journal;
    unsigned char head[RUV__J_REC], tail[16];
    uint64_t len = 0;
    size_t i, pad;
    int ok;
    ruv__xxh h;
    if (j->broken)
        return RUV_E_IO;
    for (i = 0; i < np; i++) /* pieces of objects in memory: the sum fits in 64 bits */
        len += pc[i].n;
    pad = (size_t)((8u - (len & 7u)) & 7u);
    ruv__le_wr32(head, RUV__J_MAGIC);
    ruv__le_wr32(head + 4, op);
    ruv__le_wr64(head + 8, j->seq);
    ruv__le_wr64(head + 16, len);
    memset(tail, 0, sizeof tail);
    ruv__xxh_init(&h, 0);
    j->nstage = 0;
    ok = ruv__journal_put(j, &h, head, sizeof head);
    for (i = 0; ok && i < np; i++)
        ok = ruv__journal_put(j, &h, pc[i].p, pc[i].n);
    if (ok)
        ok = ruv__journal_put(j, &h, tail, pad);
    if (ok) {
        ruv__le_wr64(tail + 8, ruv__xxh_final(&h));
        ok = ruv__journal_put(j, NULL, tail + 8, 8) && ruv__journal_flush(j);
    }
    if (ok && (j->o.durability == RUV_DURABLE_EACH ||
               (j->o.durability == RUV_DURABLE_GROUP && j->pending + 1 >= j->o.group_records)))
        ok = ruv__journal_sync(j);
    else if (ok)
        j->pending++;
    if (!ok) { /* undo: cut the journal back to its last whole record */
        j->nstage = 0;
        if (!j->o.truncate || j->o.truncate(j->o.user, j->size) != 0 ||
            (j->o.sync && j->o.sync(j->o.user) != 0))
            j->broken = 1;
        return RUV_E_IO;
    }
    j->size += RUV__J_REC + len + pad + 8;
    j->seq++;
    return RUV_OK;
}

/* The record is written and synced with the lock released (CONCURRENCY): readers go on during
   the I/O; the writer mutex keeps other writers out, and nothing is published yet. */
static ruv_result ruv__journal_emit(ruv_index *idx, uint32_t op, const ruv__jpiece *pc, size_t np) {
    ruv_result r;
    ruv__excl_pause(idx);
    r = ruv__journal_emit_io(idx, op, pc, np);
    ruv__excl_resume(idx);
    return r;
}

/* ---- hooks: one call from each write path, after its checks, before it changes anything ----- */
static ruv_result ruv__journal_log_add(ruv_index *idx, size_t n, const uint64_t *keys,
                                       const void *vecs) {
    unsigned char h[16];
    ruv__jpiece pc[3];
    ruv__le_wr64(h, n);
    ruv__le_wr64(h + 8, 0);
    pc[0].p = h, pc[0].n = sizeof h;
    pc[1].p = keys, pc[1].n = n * sizeof *keys; /* both arrays are in memory: no overflow */
    pc[2].p = vecs, pc[2].n = n * idx->in_bytes;
    return ruv__journal_emit(idx, RUV__J_ADD, pc, 3);
}

static ruv_result ruv__journal_log_put(ruv_index *idx, const ruv_item *it, ruv_put_mode mode) {
    unsigned char h[32], zero[8];
    ruv__jpiece pc[5];
    uint32_t has = (it->vector ? 1u : 0u) | (it->id ? 2u : 0u) | (it->meta ? 4u : 0u);
    size_t vb = it->vector ? idx->in_bytes : 0;
    memset(zero, 0, sizeof zero);
    ruv__le_wr64(h, it->key);
    ruv__le_wr32(h + 8, (uint32_t)mode);
    ruv__le_wr32(h + 12, has);
    ruv__le_wr64(h + 16, it->id ? it->id_len : 0);
    ruv__le_wr64(h + 24, it->meta ? it->meta_len : 0);
    pc[0].p = h, pc[0].n = sizeof h;
    pc[1].p = it->vector, pc[1].n = vb;
    pc[2].p = zero, pc[2].n = (8 - (vb & 7)) & 7;
    pc[3].p = it->id, pc[3].n = it->id ? it->id_len : 0;
    pc[4].p = it->meta, pc[4].n = it->meta ? it->meta_len : 0;
    return ruv__journal_emit(idx, RUV__J_PUT, pc, 5);
}

static ruv_result ruv__journal_log_remove(ruv_index *idx, uint64_t key) {
    unsigned char h[8];
    ruv__jpiece pc;
    ruv__le_wr64(h, key);
    pc.p = h, pc.n = sizeof h;
    return ruv__journal_emit(idx, RUV__J_REMOVE, &pc, 1);
}

static ruv_result ruv__journal_log_tables(ruv_index *idx, const float *qp, size_t bytes) {
    ruv__jpiece pc;
    pc.p = qp, pc.n = bytes;
    return ruv__journal_emit(idx, RUV__J_TABLES, &pc, 1);
}

/* ---- replay ------------------------------------------------------------------------------------
 */
/* The writers behind the public calls (src/store.h): a replay holds the index already. */
static ruv_result ruv__i_add_batch(ruv_index *idx, size_t n, const uint64_t *keys, const void *vecs,
                                   const ruv_build_options *opt);
static ruv_result ruv__i_put(ruv_index *idx, const ruv_item *it, ruv_put_mode mode);
static ruv_result ruv__i_remove(ruv_index *idx, uint64_t key);
/* Whether qp (ruv__index_qp_bytes) holds tables the index can use: finite floats, non-negative
   SQ8 steps, a PQ permutation. RUV_E_NOMEM if the permutation check had no memory. */
static ruv_result ruv__journal_tables_ok(ruv_index *idx, const float *qp) {
    size_t d = idx->dim, nf = ruv__index_qp_bytes(&idx->cfg) / sizeof *qp, s;
    ruv_result r = RUV_OK;
    if (idx->cfg.quant == RUV_QUANT_PQ) {
        const uint32_t *perm = (const uint32_t *)(const void *)qp;
        unsigned char *seen = (unsigned char *)ruv__mem_alloc(&idx->mem, d);
        if (!seen)
            return RUV_E_NOMEM;
        memset(seen, 0, d);
        for (s = 0; s < d && r == RUV_OK; s++) {
            if (perm[s] >= d || seen[perm[s]])
                r = RUV_E_CORRUPT;
            else
                seen[perm[s]] = 1;
        }
        ruv__mem_free(&idx->mem, seen, d);
        return r != RUV_OK || ruv__vec_finite(qp + d, nf - d) ? r : RUV_E_CORRUPT;
    }
    if (!ruv__vec_finite(qp, nf))
        return RUV_E_CORRUPT;
    for (s = 0; idx->cfg.quant == RUV_QUANT_SQ8 && s < d; s++)
        if (qp[d + s] < 0.0f)
            return RUV_E_CORRUPT;
    return RUV_OK;
}

/* Applies one record's payload p[0..len-1] (8-byte aligned) through the public write calls. */
static ruv_result ruv__journal_apply(ruv_index *idx, uint32_t op, const unsigned char *p,
                                     uint64_t len) {
    uint64_t n, idl, ml, vb;
    uint32_t mode, has;
    size_t per = 8 + idx->in_bytes, qb;
    ruv_item it;
    float *qp;
    ruv_result r;
    switch (op) {
    case RUV__J_ADD:
        if (len < 16)
            return RUV_E_CORRUPT;
        n = ruv__le_rd64(p);
        if (ruv__le_rd64(p + 8) != 0 || n > (len - 16) / per || 16 + n * per != len)
            return RUV_E_CORRUPT;
        return ruv__i_add_batch(idx, (size_t)n, (const uint64_t *)(const void *)(p + 16),
                                p + 16 + n * 8, NULL);
    case RUV__J_PUT:
        if (len < 32)
            return RUV_E_CORRUPT;
        mode = ruv__le_rd32(p + 8);
        has = ruv__le_rd32(p + 12);
        idl = ruv__le_rd64(p + 16);
        ml = ruv__le_rd64(p + 24);
        vb = has & 1u ? (idx->in_bytes + 7u) & ~(uint64_t)7u : 0;
        if (mode > (uint32_t)RUV_PUT_UPSERT || (has & ~7u) || (!(has & 2u) && idl) ||
            (!(has & 4u) && ml) || idl > len || ml > len || vb > len || 32 + vb + idl + ml != len)
            return RUV_E_CORRUPT;
        memset(&it, 0, sizeof it);
        it.key = ruv__le_rd64(p);
        it.vector = has & 1u ? p + 32 : NULL;
        it.id = has & 2u ? (const char *)(p + 32 + vb) : NULL;
        it.id_len = (size_t)idl;
        it.meta = has & 4u ? p + 32 + vb + idl : NULL;
        it.meta_len = (size_t)ml;
        return ruv__i_put(idx, &it, (ruv_put_mode)mode);
    case RUV__J_REMOVE:
        return len == 8 ? ruv__i_remove(idx, ruv__le_rd64(p)) : RUV_E_CORRUPT;
    case RUV__J_TABLES:
        qb = ruv__index_qp_bytes(&idx->cfg);
        if (!qb || len != qb)
            return RUV_E_CORRUPT;
        if (idx->count)
            return RUV_E_STATE;
        if ((r = ruv__journal_tables_ok(idx, (const float *)(const void *)p)) != RUV_OK)
            return r;
        if (!(qp = (float *)ruv__mem_alloc(&idx->mem, qb)))
            return RUV_E_NOMEM;
        memcpy(qp, p, qb);
        ruv__mem_free(&idx->mem, idx->qp, qb);
        idx->qp = qp;
        return RUV_OK;
    default:
        return RUV_E_CORRUPT;
    }
}

/* Builds without the checksum gate reach the record checks from any fuzzer input. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define RUV__J_SUM_OK(a, b) ((void)(a), (void)(b), 1)
#else
#define RUV__J_SUM_OK(a, b) ((a) == (b))
#endif

/* Replays records from b + off (header already checked) into idx; fills rep. */
static ruv_result ruv__journal_records(ruv_index *idx, const unsigned char *b, uint64_t len,
                                       ruv_journal_report *rep) {
    uint64_t off = RUV__J_HDR, seq = 1, plen, total;
    ruv_result r = RUV_OK;
    for (;;) {
        const unsigned char *rec = b + off, *p;
        unsigned char *copy = NULL;
        size_t i;
        int zero = 1;
        if (off == len) {
            rep->stop = RUV_JOURNAL_END;
            break;
        }
        if (len - off < RUV__J_REC + 8) {
            rep->stop = RUV_JOURNAL_TORN;
            break;
        }
        if (ruv__le_rd32(rec) != RUV__J_MAGIC) {
            rep->stop = RUV_JOURNAL_MAGIC;
            break;
        }
        plen = ruv__le_rd64(rec + 16);
        if (plen > len - off - RUV__J_REC - 8 ||
            ((plen + 7u) & ~(uint64_t)7u) > len - off - RUV__J_REC - 8) {
            rep->stop = RUV_JOURNAL_TORN;
            break;
        }
        total = RUV__J_REC + ((plen + 7u) & ~(uint64_t)7u) + 8;
        if (!RUV__J_SUM_OK(ruv__xxh64(rec, (size_t)(total - 8), 0),
                           ruv__le_rd64(rec + total - 8))) {
            rep->stop = RUV_JOURNAL_CHECKSUM;
            break;
        }
        if (ruv__le_rd64(rec + 8) != seq) {
            rep->stop = RUV_JOURNAL_SEQUENCE;
            break;
        }
        for (i = (size_t)plen; i < (size_t)(total - RUV__J_REC - 8); i++)
            zero &= rec[RUV__J_REC + i] == 0;
        p = rec + RUV__J_REC;
        if (!zero) {
            r = RUV_E_CORRUPT;
        } else if (((uintptr_t)p & 7u) && plen) { /* the vectors and keys are read in place */
            if (!(copy = (unsigned char *)ruv__mem_alloc(&idx->mem, (size_t)plen)))
                r = RUV_E_NOMEM;
            else
                memcpy(copy, p, (size_t)plen), p = copy;
        }
        if (r == RUV_OK)
            r = ruv__journal_apply(idx, ruv__le_rd32(rec + 4), p, plen);
        ruv__mem_free(&idx->mem, copy, (size_t)plen);
        if (r != RUV_OK) {
            rep->stop = RUV_JOURNAL_RECORD;
            rep->status = r;
            r = r == RUV_E_NOMEM ? RUV_E_NOMEM : RUV_E_CORRUPT;
            break;
        }
        off += total;
        seq++;
        rep->records++;
    }
    rep->valid_bytes = off;
    rep->ignored_bytes = len - off;
    rep->next_seq = seq;
    return r;
}

static ruv_result ruv__i_journal_replay(ruv_index *idx, const void *buf, size_t len, uint64_t base,
                                        ruv_journal_report *rep) {
    const unsigned char *b = (const unsigned char *)buf;
    ruv_journal_report tmp;
    ruv__journal *j;
    ruv_result r;
    if (!rep)
        rep = &tmp;
    memset(rep, 0, sizeof *rep);
    rep->ignored_bytes = len;
    rep->next_seq = 1;
    if (!idx || (!buf && len))
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (len < RUV__J_HDR) {
        rep->stop = RUV_JOURNAL_TORN;
        return RUV_OK;
    }
    if (memcmp(b, "RUVJRNL", 8) != 0) {
        rep->stop = RUV_JOURNAL_MAGIC;
        return RUV_OK;
    }
    if (!RUV__J_SUM_OK(ruv__xxh64(b, 24, 0), ruv__le_rd64(b + 24))) {
        rep->stop = RUV_JOURNAL_CHECKSUM;
        return RUV_OK;
    }
    rep->base = ruv__le_rd64(b + 16);
    if (ruv__le_rd32(b + 8) != RUV__J_VERSION) {
        rep->stop = RUV_JOURNAL_VERSION;
        return RUV_OK;
    }
    if ((base && rep->base != base) || ruv__le_rd32(b + 12) != idx->cfg.dim) {
        rep->stop = RUV_JOURNAL_BASE;
        return RUV_OK;
    }
    j = idx->journal; /* replayed writes are not logged again */
    idx->journal = NULL;
    r = ruv__journal_records(idx, b, len, rep);
    idx->journal = j;
    return r;
}

/* ---- attach, detach, sync ------------------------------------------------------------------- */
static ruv__journal *ruv__journal_new(ruv_index *idx, const ruv_journal_options *opt) {
    ruv__journal *j = (ruv__journal *)ruv__mem_alloc(&idx->mem, sizeof *j);
    if (!j)
        return NULL;
    memset(j, 0, sizeof *j);
    j->o = *opt;
    if (!j->o.group_records)
        j->o.group_records = 64;
    j->idx = idx;
    j->fd = -1;
    j->seq = opt->next_seq ? opt->next_seq : 1;
    j->size = opt->next_seq ? opt->size : 0;
    return j;
}

/* Syncs (if records wait) and releases the journal of idx; 0 if that sync failed. */
static int ruv__journal_end(ruv_index *idx) {
    ruv__journal *j = idx->journal;
    int ok = 1;
    if (!j)
        return 1;
    if (j->pending && !j->broken)
        ok = ruv__journal_sync(j);
#if defined(RUV__POSIX_IO)
    if (j->fd >= 0)
        close(j->fd);
#endif
    if (j->names)
        ruv__mem_free(&idx->mem, j->names, 3 * (j->path_len + 16));
    ruv__mem_free(&idx->mem, j, sizeof *j);
    idx->journal = NULL;
    return ok;
}

/* Called by ruv_index_free. */
static void ruv__journal_close(ruv_index *idx) { (void)ruv__journal_end(idx); }

static ruv_result ruv__i_journal_attach(ruv_index *idx, const ruv_journal_options *opt) {
    ruv__journal *j;
    unsigned char h[RUV__J_HDR];
    if (!idx || !opt || !opt->write || (unsigned)opt->durability > (unsigned)RUV_DURABLE_MANUAL)
        return RUV_E_ARG;
    if (idx->view)
        return RUV_E_READONLY;
    if (!ruv__host_le())
        return RUV_E_UNSUPPORTED;
    if (!(j = ruv__journal_new(idx, opt)))
        return RUV_E_NOMEM;
    if (!opt->next_seq) {
        ruv__journal_header(h, idx->cfg.dim, opt->base);
        if (opt->write(opt->user, h, sizeof h) != 0 || (opt->sync && opt->sync(opt->user) != 0)) {
            ruv__mem_free(&idx->mem, j, sizeof *j);
            return RUV_E_IO;
        }
        j->size = RUV__J_HDR;
    }
    (void)ruv__journal_end(idx);
    idx->journal = j;
    return RUV_OK;
}

static ruv_result ruv__i_journal_detach(ruv_index *idx) {
    if (!idx)
        return RUV_E_ARG;
    return ruv__journal_end(idx) ? RUV_OK : RUV_E_IO;
}

static ruv_result ruv__i_sync(ruv_index *idx) {
    if (!idx)
        return RUV_E_ARG;
    if (!idx->journal)
        return RUV_OK;
    return ruv__journal_sync(idx->journal) ? RUV_OK : RUV_E_IO;
}

/* ---- the public calls, between the concurrency guards (src/index.h) ---- */
RUVDEF ruv_result ruv_index_journal_replay(ruv_index *idx, const void *buf, size_t len,
                                           uint64_t base, ruv_journal_report *rep) {
    if (rep) { /* what a refused call reports */
        memset(rep, 0, sizeof *rep);
        rep->ignored_bytes = len;
        rep->next_seq = 1;
    }
    RUV__WRITE(idx, ruv__i_journal_replay(idx, buf, len, base, rep));
}
RUVDEF ruv_result ruv_index_journal_attach(ruv_index *idx, const ruv_journal_options *opt) {
    RUV__WRITE(idx, ruv__i_journal_attach(idx, opt));
}
RUVDEF ruv_result ruv_index_journal_detach(ruv_index *idx) {
    RUV__WRITE(idx, ruv__i_journal_detach(idx));
}
RUVDEF ruv_result ruv_index_sync(ruv_index *idx) { RUV__WRITE(idx, ruv__i_sync(idx)); }

/* Keeps the first 128 bytes a save writes, then stops it. */
typedef struct ruv__jcap {
    unsigned char h[128];
    size_t n;
} ruv__jcap;

static int ruv__journal_capture(void *user, const void *data, size_t len) {
    ruv__jcap *c = (ruv__jcap *)user;
    size_t k = len < sizeof c->h - c->n ? len : sizeof c->h - c->n;
    memcpy(c->h + c->n, data, k);
    c->n += k;
    return c->n == sizeof c->h;
}

RUVDEF uint64_t ruv_index_snapshot_id(const ruv_index *idx) {
    ruv__jcap c;
    if (!idx)
        return 0;
    c.n = 0;
    (void)ruv_index_save(idx, ruv__journal_capture, &c);
    return c.n == sizeof c.h ? ruv__le_rd64(c.h + 120) : 0;
}

/* ---- files: snapshot "<path>" and journal "<path>.journal" ---------------------------------- */
#ifndef RUV_NO_STDIO
#if defined(RUV__POSIX_IO)
static char *ruv__jf_path(ruv__journal *j) { return j->names; }
static char *ruv__jf_jname(ruv__journal *j) { return j->names + j->path_len + 16; }
static char *ruv__jf_tmp(ruv__journal *j) { return j->names + 2 * (j->path_len + 16); }

/* Writes all of data to fd (retrying short writes and EINTR); 0 on success. Also the atomic
   save's writer (src/file.h). Test builds: a crash point before each write call. */
static int ruv__jf_write_fd(int fd, const void *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    while (len) {
        ssize_t w;
        RUV__IO_WRITE_POINT(fd, p, len);
        w = write(fd, p, len > 0x40000000u ? 0x40000000u : len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Reads exactly len bytes; 0 on success. */
static int ruv__jf_read_fd(int fd, void *dst, size_t len) {
    unsigned char *p = (unsigned char *)dst;
    while (len) {
        ssize_t r = read(fd, p, len > 0x40000000u ? 0x40000000u : len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

static int ruv__jf_write(void *user, const void *data, size_t len) {
    return ruv__jf_write_fd(((ruv__journal *)user)->fd, data, len);
}

static int ruv__jf_sync(void *user) {
    RUV__IO_POINT();
    return fsync(((ruv__journal *)user)->fd) == 0 ? 0 : -1;
}

/* Opens the temporary journal for writing; -1 on failure. */
static int ruv__jf_begin(ruv__journal *j) {
    RUV__IO_POINT();
    return open(ruv__jf_tmp(j), O_WRONLY | O_CREAT | O_TRUNC, 0666);
}

/* Syncs the temporary journal fd, renames it over the journal, syncs the directory, and makes
   it the journal's fd. Closes fd on failure. 0 on success. */
static int ruv__jf_finish(ruv__journal *j, int fd) {
    char *dir = ruv__jf_tmp(j);
    const char *slash;
    int dfd;
    RUV__IO_POINT();
    if (fsync(fd) != 0) {
        close(fd);
        unlink(ruv__jf_tmp(j));
        return -1;
    }
    RUV__IO_POINT();
    if (rename(ruv__jf_tmp(j), ruv__jf_jname(j)) != 0) {
        close(fd);
        unlink(ruv__jf_tmp(j));
        return -1;
    }
    slash = strrchr(ruv__jf_path(j), '/');
    if (!slash) {
        strcpy(dir, ".");
    } else {
        size_t n = slash == ruv__jf_path(j) ? 1 : (size_t)(slash - ruv__jf_path(j));
        memcpy(dir, ruv__jf_path(j), n);
        dir[n] = 0;
    }
    if ((dfd = open(dir, O_RDONLY)) >= 0) {
        RUV__IO_POINT();
        (void)fsync(dfd); /* not every file system syncs directories */
        close(dfd);
    }
    memcpy(dir, ruv__jf_jname(j), j->path_len + 8); /* the temporary's name again */
    memcpy(dir + j->path_len + 8, ".ruvtmp", 8);
    if (j->fd >= 0)
        close(j->fd);
    j->fd = fd;
    return 0;
}

/* Replaces the journal atomically by data[0..len-1]; 0 on success. */
static int ruv__jf_create(ruv__journal *j, const void *data, size_t len) {
    int fd = ruv__jf_begin(j);
    if (fd < 0)
        return -1;
    if (ruv__jf_write_fd(fd, data, len) != 0) {
        close(fd);
        unlink(ruv__jf_tmp(j));
        return -1;
    }
    return ruv__jf_finish(j, fd);
}

/* Truncate callback: replaces the journal atomically by its first size bytes (a copy). */
static int ruv__jf_truncate(void *user, uint64_t size) {
    ruv__journal *j = (ruv__journal *)user;
    unsigned char b[8192];
    int in = open(ruv__jf_jname(j), O_RDONLY), out;
    if (in < 0)
        return -1;
    if ((out = ruv__jf_begin(j)) < 0) {
        close(in);
        return -1;
    }
    while (size) {
        size_t n = size < sizeof b ? (size_t)size : sizeof b;
        if (ruv__jf_read_fd(in, b, n) != 0 || ruv__jf_write_fd(out, b, n) != 0) {
            close(in);
            close(out);
            unlink(ruv__jf_tmp(j));
            return -1;
        }
        size -= n;
    }
    close(in);
    return ruv__jf_finish(j, out);
}

/* The snapshot id in the header of the saved index at path; 0 if unreadable. */
static uint64_t ruv__jf_snapshot_id(const char *path) {
    unsigned char h[128];
    int fd = open(path, O_RDONLY), ok;
    if (fd < 0)
        return 0;
    ok = ruv__jf_read_fd(fd, h, sizeof h) == 0 && memcmp(h, "RUVECIDX", 8) == 0;
    close(fd);
    return ok ? ruv__le_rd64(h + 120) : 0;
}

/* Attaches a file journal for path to idx (no file opened yet: j->fd = -1). */
static ruv_result ruv__jf_attach(ruv_index *idx, const char *path, const ruv_open_options *opt) {
    ruv_journal_options o;
    ruv__journal *j;
    size_t n = strlen(path);
    memset(&o, 0, sizeof o);
    o.write = ruv__jf_write;
    o.sync = ruv__jf_sync;
    o.truncate = ruv__jf_truncate;
    o.durability = opt ? opt->durability : RUV_DURABLE_EACH;
    o.group_records = opt ? opt->group_records : 0;
    o.next_seq = 1;
    o.size = RUV__J_HDR;
    if (n > ((size_t)-1) / 4 - 16 || !(j = ruv__journal_new(idx, &o)))
        return RUV_E_NOMEM;
    if (!(j->names = (char *)ruv__mem_alloc(&idx->mem, 3 * (n + 16)))) {
        ruv__mem_free(&idx->mem, j, sizeof *j);
        return RUV_E_NOMEM;
    }
    j->o.user = j;
    j->path_len = n;
    memcpy(ruv__jf_path(j), path, n + 1);
    memcpy(ruv__jf_jname(j), path, n);
    memcpy(ruv__jf_jname(j) + n, ".journal", 9);
    memcpy(ruv__jf_tmp(j), path, n);
    memcpy(ruv__jf_tmp(j) + n, ".journal.ruvtmp", 16);
    (void)ruv__journal_end(idx);
    idx->journal = j;
    return RUV_OK;
}

/* Starts an empty journal after the snapshot id; 0 on success. */
static int ruv__jf_fresh(ruv__journal *j, uint64_t id) {
    unsigned char h[RUV__J_HDR];
    ruv__journal_header(h, j->idx->cfg.dim, id);
    if (ruv__jf_create(j, h, sizeof h) != 0)
        return -1;
    j->o.base = id;
    j->seq = 1;
    j->size = RUV__J_HDR;
    j->pending = 0;
    j->broken = 0;
    return 0;
}

static ruv_result ruv__i_checkpoint(ruv_index *idx) {
    ruv__journal *j;
    ruv_result r;
    uint64_t id;
    if (!idx || !(j = idx->journal) || !j->names)
        return RUV_E_ARG;
    if ((r = ruv_index_save_file(idx, ruv__jf_path(j))) != RUV_OK)
        return r;
    /* the new snapshot is in place: the old journal must not take more records */
    if (!(id = ruv__jf_snapshot_id(ruv__jf_path(j))) || ruv__jf_fresh(j, id) != 0) {
        j->broken = 1;
        return RUV_E_IO;
    }
    return RUV_OK;
}

/* Reads the journal file of j into memory (*buf, *len); 1 if it is missing, -1 on error. */
static int ruv__jf_read_all(ruv__journal *j, unsigned char **buf, size_t *len) {
    int fd = open(ruv__jf_jname(j), O_RDONLY), ok;
    off_t end;
    *buf = NULL;
    *len = 0;
    if (fd < 0)
        return errno == ENOENT ? 1 : -1;
    end = lseek(fd, 0, SEEK_END);
    if (end < 0 || (uint64_t)end > (uint64_t)PTRDIFF_MAX || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    *len = (size_t)end;
    if (!(*buf = (unsigned char *)ruv__mem_alloc(&j->idx->mem, *len))) {
        close(fd);
        return -1;
    }
    ok = ruv__jf_read_fd(fd, *buf, *len) == 0;
    close(fd);
    if (!ok) {
        ruv__mem_free(&j->idx->mem, *buf, *len);
        *buf = NULL;
        return -1;
    }
    return 0;
}

/* Replays and reopens the journal of a loaded snapshot (id) for appending. */
static ruv_result ruv__jf_recover(ruv_index *idx, uint64_t id, ruv_journal_report *rep) {
    ruv__journal *j = idx->journal;
    unsigned char *buf;
    size_t len;
    ruv_result r = RUV_OK;
    int fd, got = ruv__jf_read_all(j, &buf, &len);
    if (got < 0)
        return RUV_E_IO;
    if (got == 1) {
        rep->stop = RUV_JOURNAL_MISSING;
        rep->next_seq = 1;
        return ruv__jf_fresh(j, id) == 0 ? RUV_OK : RUV_E_IO;
    }
    idx->journal = NULL; /* replay does not append */
    r = ruv__i_journal_replay(idx, buf, len, id, rep);
    idx->journal = j;
    if (r == RUV_OK && rep->stop == RUV_JOURNAL_VERSION)
        r = RUV_E_VERSION; /* a later library's journal: not overwritten */
    if (r != RUV_OK) {
        ruv__mem_free(&idx->mem, buf, len);
        return r;
    }
    if (rep->valid_bytes < RUV__J_HDR || rep->stop == RUV_JOURNAL_BASE) {
        r = ruv__jf_fresh(j, id) == 0 ? RUV_OK : RUV_E_IO; /* unreadable or older: replaced */
    } else if (rep->ignored_bytes) { /* cut the torn or corrupt tail before appending */
        r = ruv__jf_create(j, buf, (size_t)rep->valid_bytes) == 0 ? RUV_OK : RUV_E_IO;
    } else if ((fd = open(ruv__jf_jname(j), O_WRONLY)) < 0 || lseek(fd, 0, SEEK_END) < 0) {
        if (fd >= 0)
            close(fd);
        r = RUV_E_IO;
    } else {
        j->fd = fd;
    }
    if (r == RUV_OK && rep->valid_bytes >= RUV__J_HDR && rep->stop != RUV_JOURNAL_BASE) {
        j->o.base = id;
        j->seq = rep->next_seq;
        j->size = rep->valid_bytes;
    }
    ruv__mem_free(&idx->mem, buf, len);
    return r;
}

RUVDEF ruv_result ruv_index_open_file(const char *path, const ruv_open_options *opt,
                                      ruv_index **out, ruv_journal_report *report) {
    ruv_journal_report rep;
    ruv_index *idx = NULL;
    ruv_result r;
    uint64_t id;
    int fd;
    memset(&rep, 0, sizeof rep);
    rep.next_seq = 1;
    if (report)
        *report = rep;
    if (out)
        *out = NULL;
    if (!path || !*path || !out ||
        (opt && (unsigned)opt->durability > (unsigned)RUV_DURABLE_MANUAL))
        return RUV_E_ARG;
    if (!ruv__host_le())
        return RUV_E_UNSUPPORTED;
    if ((fd = open(path, O_RDONLY)) < 0) { /* a new index: snapshot and journal */
        if (errno != ENOENT || !opt || !opt->create)
            return RUV_E_IO;
        if ((r = ruv_index_create(opt->create, &idx)) != RUV_OK)
            return r;
        if ((r = ruv__jf_attach(idx, path, opt)) == RUV_OK)
            r = ruv_index_checkpoint(idx);
        rep.stop = RUV_JOURNAL_MISSING;
    } else {
        close(fd);
        if ((r = ruv_index_load_file(path, opt ? opt->load : NULL, &idx)) != RUV_OK)
            return r;
        if (!(id = ruv__jf_snapshot_id(path)))
            r = RUV_E_IO;
        else if ((r = ruv__jf_attach(idx, path, opt)) == RUV_OK)
            r = ruv__jf_recover(idx, id, &rep);
    }
    if (report)
        *report = rep;
    if (r != RUV_OK) {
        ruv_index_free(idx);
        return r;
    }
    *out = idx;
    return RUV_OK;
}
#else  /* no POSIX files */
RUVDEF ruv_result ruv_index_open_file(const char *path, const ruv_open_options *opt,
                                      ruv_index **out, ruv_journal_report *report) {
    (void)path, (void)opt;
    if (out)
        *out = NULL;
    if (report) {
        memset(report, 0, sizeof *report);
        report->next_seq = 1;
    }
    return RUV_E_UNSUPPORTED;
}

static ruv_result ruv__i_checkpoint(ruv_index *idx) {
    return idx && idx->journal ? RUV_E_UNSUPPORTED : RUV_E_ARG;
}
#endif /* RUV__POSIX_IO */

RUVDEF ruv_result ruv_index_checkpoint(ruv_index *idx) { RUV__WRITE(idx, ruv__i_checkpoint(idx)); }
#endif /* RUV_NO_STDIO */

#endif /* RUV__IMPL */
