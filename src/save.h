/* The saved FORMAT (its specification is the comment below) and the writer: section plan,
   checksums, save to a callback or a buffer. */
#ifdef RUV__IMPL

/* FORMAT (version 1.1; every integer little-endian)
     header, 128 bytes:
         0  char[8] "RUVECIDX"          64  u64 seed
         8  u16 major (1), u16 minor (0) 72  u64 level generator state
        12  u32 0x01020304 (byte order)  80  u64 slots (live + deleted HNSW nodes)
        16  u32 header bytes (128)       88  u64 live entries
        20  u32 section count (<= 32)    96  u32 HNSW entry slot (0xFFFFFFFF if none)
        24  u64 file bytes              100  u32 slot stride in bytes
        32  u32 dim, 36 metric, 40 kind 104  u64 configured capacity
        44  u32 quant | copies << 8     112  u32 pq_m, 116 u32 rerank (0, 0 for f32); metric 4
            | dtype << 16 | multi << 24      (custom, 1.1): u64 distance_id at 112 instead
            | walk_bits << 25 (1.1)
        48  u32 M, 52 ef_construction   120  u64 XXH64 (seed 0) of the header, with this field
        56  u32 ef_search, 60 top level          zeroed, followed by the section table
     section table, 32 bytes per section: u32 id, u32 0, u64 offset, u64 length, u64 XXH64 of
     the section's bytes. Sections follow in ascending id order, each at the next multiple of 64
     bytes (zero padding between), the last one ending the file:
         1 slots     slot x stride bytes: per slot [u32 count][u32 links[2M]] (HNSW level 0),
                     zero padding to 16 bytes, the stored vector, zero padding to the stride.
                     The stored vector: dim f32 (1.1, dtype 1 / 2: dim f16 / bf16, finite;
                     dtype 3 / 4: dim i8 / u8; dtype 5: ceil(dim / 8) bytes of bits, bit d % 8
                     of byte d / 8, bits past dim zero);
                     dim f16 / bf16; SQ8 dim u8 codes, zero padding to 4 bytes, f32 t
                     (|x - lo|^2 for L2, 1 / |x| for cosine, 0 for IP, of the decoded x); BIN
                     ceil(dim / 8) bytes, dimension d at bit d % 8 of byte d / 8; PQ pq_m u8
                     centroid numbers
         2 keys      u64 per slot
         3 key table u32 slot per entry (0xFFFFFFFF empty), power-of-two entries, linear
                     probing from splitmix64(key) (see ruv__hash_mix64); one entry per live
                     slot (multi: several slots may share a key, none has an id or metadata)
         4 levels    HNSW: u8 per slot, top level, | 0x80 for a deleted node; 0xC0 (level 0,
                     zeroed slot, no links to it) for a compacted one that inserts reuse
         5 upper off HNSW: u32 per slot, start of its lists in section 6
         6 upper     HNSW: u32 lists, per node and level 1..top: [count][M links]
         7, 10       ids / metadata references: u32 offset, u32 length per slot (0 = none)
         8, 11       ids / metadata bytes
         9 id table  like the key table, probing from XXH64 of the id bytes
        12 copies    quantized with re-ranking copies: dim f32 per slot (normalised for cosine);
                     (1.2) dim u16 f16 or bf16 per slot for header byte 45 = 2 or 3
        13 quantizer trained tables, f32 unless noted: SQ8 lo[dim], step[dim] (value = lo +
                     step x code); BIN mean[dim], mean absolute deviation[dim]; PQ u32 perm[dim]
                     (sub-space j holds dimensions perm[j dim / pq_m ..]), then per sub-space
                     (dim / pq_m) x 256 centroid components, component d of centroid c at d x 256
                     + c; then with walk_bits (1.1) the walk's mean[dim] and deviation[dim]
        14 bits      (1.1) ceil(dim / 8) bytes per slot: with walk_bits, bit d % 8 of byte d / 8
                     set where dimension d of the (normalised) vector exceeds the walk's mean;
                     for HNSW over binary vectors (dtype 5), a copy of each slot's vector
                     (zeros for a compacted slot); optional there (files written before it
                     existed): a loaded index rebuilds it from the slots, a view reads them
     Sections 1-3 always; 4-6 for HNSW; 7-9 once an id was set; 10-11 once metadata was set;
     12 for quantized storage with f32 copies; 13 once trained (always if there are vectors); 14
     with walk_bits and for HNSW over binary vectors.
     Compatibility: a reader accepts its own major version and any minor version of it, skipping
     (but checksumming) sections it does not know; a later minor version only adds sections, or
     values of a field that earlier readers refuse. Version 1.1 adds metrics 4 (custom, f32
     storage only), 5 (Hamming) and 6 (Jaccard), element types (header byte 46: ruv_dtype,
     0 = f32) f16, bf16, i8, u8 and bin, multi-vector keys (header byte 47 bit 0) and the bits
     walk (bit 1); a 1.0 reader refuses them as RUV_E_CORRUPT. Files using them say
     1.1; every other file is written as 1.0, byte for byte as before, and reads with every 1.x
     reader. Version 1.2 adds values 2 (f16) and 3 (bf16) of header byte 45 (copies: 0 f32, 1
     none = drop_f32; ruv_index_options.rerank_dtype), which earlier readers refuse as
     RUV_E_CORRUPT; files with them say 1.2. A newer major version gives RUV_E_VERSION. Every
     later library version reads versions 1.0, 1.1 and 1.2.
     Kind 2 (1.1) is a sparse index (ruv_sparse_save): same header and section table, its own
     fields and sections 2 and 15-17, specified in src/sparse_io.h; ruv_index_load and
     ruv_index_view refuse it (RUV_E_UNSUPPORTED), as ruv_sparse_load refuses kinds 0 and 1.
     Saving is deterministic: the same index state gives the same bytes, and an index loaded from
     a file this library wrote saves to identical bytes. The kernels (ISA) are not part of the
     file: searches after a round trip give bit-identical distances when the same ISA is used
     (ruv_load_options.isa); the best ISA of another CPU may differ in the last bits.
*/

#define RUV__FMT_MAJOR 1u
#define RUV__FMT_MINOR 0u
#define RUV__HDR 128u
#define RUV__SECENT 32u
#define RUV__MAX_SECTIONS 32u
#define RUV__ENDIAN_MARK 0x01020304u
#define RUV__KIND_SPARSE 2u /* header kind of a sparse index file (src/sparse_io.h) */

/* Section ids, in file order. */
enum {
    RUV__S_SLOTS = 1, /* slot arena: count x stride bytes (HNSW level-0 links + vectors) */
    RUV__S_KEYS,      /* u64 key per slot */
    RUV__S_KEYTAB,    /* u32 key hash table (power-of-two entries) */
    RUV__S_LEVELS,    /* HNSW: u8 per slot, top level | 0x80 if deleted */
    RUV__S_UPPEROFF,  /* HNSW: u32 per slot, start of its upper lists in UPPER */
    RUV__S_UPPER,     /* HNSW: u32 upper-level lists */
    RUV__S_IDREF,     /* u32 (offset, length) per slot into IDBYTES */
    RUV__S_IDBYTES,   /* string ids */
    RUV__S_IDTAB,     /* u32 string-id hash table */
    RUV__S_METAREF,   /* u32 (offset, length) per slot into METABYTES */
    RUV__S_METABYTES, /* metadata */
    RUV__S_F32,       /* quantized storage: f32 copy per slot, dim floats */
    RUV__S_QUANT,     /* quantizer tables */
    RUV__S_BITS,      /* ruv_index.wbits: ceil(dim / 8) bytes per slot (1.1) */
    RUV__S_END
};

/* Builds without the checksum gate so that a fuzzer reaches the structural checks (which run
   whatever the checksums say); never for production. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define RUV__SUM_OK(a, b) ((void)(a), (void)(b), 1)
#else
#define RUV__SUM_OK(a, b) ((a) == (b))
#endif

typedef struct ruv__sec {
    uint32_t id;
    uint64_t off, len, sum;
} ruv__sec;

static uint64_t ruv__save_align64(uint64_t x) { return (x + 63u) & ~(uint64_t)63u; }

static int ruv__save_sec_present(const ruv_index *idx, uint32_t id) {
    switch (id) {
    case RUV__S_LEVELS:
    case RUV__S_UPPEROFF:
    case RUV__S_UPPER:
        return idx->cfg.kind == RUV_INDEX_HNSW;
    case RUV__S_IDREF:
    case RUV__S_IDBYTES:
    case RUV__S_IDTAB:
        return idx->ids.ref != NULL;
    case RUV__S_METAREF:
    case RUV__S_METABYTES:
        return idx->meta.ref != NULL;
    case RUV__S_F32:
        return idx->fvec != NULL;
    case RUV__S_QUANT:
        return idx->qp != NULL;
    case RUV__S_BITS:
        return idx->bits_bytes != 0;
    default:
        return 1;
    }
}

/* Byte 1 of the storage word (offset 44): 0 f32 copies, 1 none (drop_f32), 2 f16 copies, 3 bf16
   copies (rerank_dtype). */
static uint32_t ruv__save_copies_byte(const ruv_index_options *c) {
    if (c->drop_f32 || c->quant == RUV_QUANT_NONE)
        return c->drop_f32;
    return c->rerank_dtype == RUV_DTYPE_F16 ? 2u : c->rerank_dtype == RUV_DTYPE_BF16 ? 3u : 0u;
}

/* Byte length of section id for the index's state (also what a loader expects). */
static uint64_t ruv__save_sec_len(const ruv_index *idx, uint32_t id) {
    uint64_t n = idx->count;
    switch (id) {
    case RUV__S_SLOTS:
        return n * idx->stride;
    case RUV__S_KEYS:
        return n * 8;
    case RUV__S_KEYTAB:
        return (uint64_t)idx->table_cap * 4;
    case RUV__S_LEVELS:
        return n;
    case RUV__S_UPPEROFF:
        return n * 4;
    case RUV__S_UPPER:
        return (uint64_t)idx->upper_canon * 4;
    case RUV__S_IDREF:
    case RUV__S_METAREF:
        return n * 8;
    case RUV__S_IDBYTES:
        return idx->ids.live;
    case RUV__S_IDTAB:
        return (uint64_t)idx->idtab_cap * 4;
    case RUV__S_F32:
        return n * idx->fvec_bytes;
    case RUV__S_QUANT:
        return ruv__index_qp_bytes(&idx->cfg);
    case RUV__S_BITS:
        return n * idx->bits_bytes;
    default:
        return idx->meta.live;
    }
}

/* Section table of idx: ids, offsets and lengths; returns the count, *total = file bytes. */
static uint32_t ruv__save_plan(const ruv_index *idx, ruv__sec *sec, uint64_t *total) {
    uint32_t n = 0, id, i;
    uint64_t off;
    for (id = RUV__S_SLOTS; id < RUV__S_END; id++)
        if (ruv__save_sec_present(idx, id)) {
            sec[n].id = id;
            sec[n].len = ruv__save_sec_len(idx, id);
            sec[n++].sum = 0;
        }
    off = RUV__HDR + (uint64_t)n * RUV__SECENT;
    for (i = 0; i < n; i++) {
        sec[i].off = ruv__save_align64(off);
        off = sec[i].off + sec[i].len;
    }
    *total = off;
    return n;
}

/* Output of the writer: a callback, or (write == NULL) a running checksum. */
typedef struct ruv__sink {
    ruv_write_fn write;
    void *user;
    ruv__xxh h;
    int failed;
} ruv__sink;

static void ruv__save_put(ruv__sink *k, const void *p, size_t n) {
    if (!n || k->failed)
        return;
    if (!k->write)
        ruv__xxh_update(&k->h, p, n);
    else if (k->write(k->user, p, n) != 0)
        k->failed = 1;
}

/* Emits the bytes of section id. Blob columns are written compacted, in slot order. */
static void ruv__save_emit(const ruv_index *idx, uint32_t id, ruv__sink *k) {
    const ruv__blobs *b = id <= RUV__S_IDTAB ? &idx->ids : &idx->meta;
    size_t s, n = 0, len;
    uint32_t off = 0;
    unsigned char buf[256];
    switch (id) {
    case RUV__S_SLOTS:
        ruv__save_put(k, idx->data, idx->count * idx->stride);
        break;
    case RUV__S_KEYS:
        ruv__save_put(k, idx->keys, idx->count * 8);
        break;
    case RUV__S_KEYTAB:
        ruv__save_put(k, idx->table, idx->table_cap * 4);
        break;
    case RUV__S_LEVELS:
        ruv__save_put(k, idx->levels, idx->count);
        break;
    case RUV__S_UPPEROFF: /* canonical: slot by slot, without the garbage of reused slots */
        for (s = 0; s < idx->count; s++) {
            ruv__le_wr32(buf + n, off);
            off += (uint32_t)ruv__hnsw_upper_need(idx, idx->levels[s] & RUV__LEVEL);
            if ((n += 4) == sizeof buf) {
                ruv__save_put(k, buf, n);
                n = 0;
            }
        }
        ruv__save_put(k, buf, n);
        break;
    case RUV__S_UPPER:
        for (s = 0; s < idx->count; s++) {
            size_t need = ruv__hnsw_upper_need(idx, idx->levels[s] & RUV__LEVEL);
            if (need) /* (upper is NULL while no node has an upper level) */
                ruv__save_put(k, idx->upper + idx->upper_off[s], need * 4);
        }
        break;
    case RUV__S_IDTAB:
        ruv__save_put(k, idx->idtab, idx->idtab_cap * 4);
        break;
    case RUV__S_F32:
        ruv__save_put(k, idx->fvec, idx->count * idx->fvec_bytes);
        break;
    case RUV__S_QUANT:
        ruv__save_put(k, idx->qp, ruv__index_qp_bytes(&idx->cfg));
        break;
    case RUV__S_BITS:
        if (idx->wbits)
            ruv__save_put(k, idx->wbits, idx->count * idx->bits_bytes);
        else /* a view of a file without the copy of binary codes: the slots have them */
            for (s = 0; s < idx->count; s++)
                ruv__save_put(k, ruv__slot_code(idx, (uint32_t)s), idx->bits_bytes);
        break;
    case RUV__S_IDREF:
    case RUV__S_METAREF:
        for (s = 0; s < idx->count; s++) {
            ruv__tab_blob(b, (uint32_t)s, &len);
            ruv__le_wr32(buf + n, len ? off : 0);
            ruv__le_wr32(buf + n + 4, (uint32_t)len);
            off += (uint32_t)len;
            if ((n += 8) == sizeof buf) {
                ruv__save_put(k, buf, n);
                n = 0;
            }
        }
        ruv__save_put(k, buf, n);
        break;
    default: /* IDBYTES, METABYTES */
        for (s = 0; s < idx->count; s++) {
            const unsigned char *p = ruv__tab_blob(b, (uint32_t)s, &len);
            ruv__save_put(k, p, len);
        }
    }
}

static size_t ruv__i_serialized_size(const ruv_index *idx) {
    ruv__sec sec[RUV__S_END];
    uint64_t total;
    if (!idx)
        return 0;
    ruv__save_plan(idx, sec, &total);
    return total > (size_t)-1 ? 0 : (size_t)total;
}

static ruv_result ruv__i_save(const ruv_index *idx, ruv_write_fn write, void *user) {
    ruv__sec sec[RUV__S_END];
    unsigned char head[RUV__HDR + RUV__S_END * RUV__SECENT], zero[64];
    uint64_t total, pos;
    uint32_t n, i;
    ruv__sink k;
    const ruv_index_options *c;
    if (!idx || !write)
        return RUV_E_ARG;
    if (!ruv__host_le())
        return RUV_E_UNSUPPORTED;
    c = &idx->cfg;
    n = ruv__save_plan(idx, sec, &total);
    memset(&k, 0, sizeof k);
    for (i = 0; i < n; i++) {
        ruv__xxh_init(&k.h, 0);
        ruv__save_emit(idx, sec[i].id, &k);
        sec[i].sum = ruv__xxh_final(&k.h);
    }
    memset(head, 0, sizeof head);
    memcpy(head, "RUVECIDX", 8);
    head[8] = (unsigned char)RUV__FMT_MAJOR;
    head[10] = (unsigned char)RUV__FMT_MINOR;
    ruv__le_wr32(head + 12, RUV__ENDIAN_MARK);
    ruv__le_wr32(head + 16, RUV__HDR);
    ruv__le_wr32(head + 20, n);
    ruv__le_wr64(head + 24, total);
    ruv__le_wr32(head + 32, c->dim);
    ruv__le_wr32(head + 36, (uint32_t)c->metric);
    ruv__le_wr32(head + 40, (uint32_t)c->kind);
    ruv__le_wr32(head + 44, (uint32_t)c->quant | ruv__save_copies_byte(c) << 8 |
                                (uint32_t)c->dtype << 16 | c->multi << 24 | c->walk_bits << 25);
    if (c->dtype != RUV_DTYPE_F32 || c->metric >= RUV_METRIC_CUSTOM || c->multi || c->walk_bits)
        head[10] = 1; /* version 1.1 features: see FORMAT */
    if (ruv__save_copies_byte(c) >= 2)
        head[10] = 2; /* version 1.2: 16-bit re-ranking copies */
    ruv__le_wr32(head + 48, c->M);
    ruv__le_wr32(head + 52, c->ef_construction);
    ruv__le_wr32(head + 56, c->ef_search);
    ruv__le_wr32(head + 60, (uint32_t)idx->max_level);
    ruv__le_wr64(head + 64, c->seed);
    ruv__le_wr64(head + 72, idx->rng);
    ruv__le_wr64(head + 80, idx->count);
    ruv__le_wr64(head + 88, idx->live);
    ruv__le_wr32(head + 96, idx->entry);
    ruv__le_wr32(head + 100, (uint32_t)idx->stride);
    ruv__le_wr64(head + 104, c->capacity);
    if (c->metric == RUV_METRIC_CUSTOM) { /* version 1.1: the distance id in their place */
        ruv__le_wr64(head + 112, c->distance_id);
    } else {
        ruv__le_wr32(head + 112, c->pq_m);
        ruv__le_wr32(head + 116, c->rerank);
    }
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
        ruv__save_emit(idx, sec[i].id, &k);
        pos = sec[i].off + sec[i].len;
    }
    return k.failed ? RUV_E_IO : RUV_OK;
}

typedef struct ruv__membuf {
    unsigned char *p;
    size_t len, pos;
} ruv__membuf;

static int ruv__save_buf_write(void *user, const void *data, size_t len) {
    ruv__membuf *m = (ruv__membuf *)user;
    if (len > m->len - m->pos)
        return 1;
    memcpy(m->p + m->pos, data, len);
    m->pos += len;
    return 0;
}

static ruv_result ruv__i_save_buffer(const ruv_index *idx, void *buf, size_t cap, size_t *written) {
    ruv__membuf m;
    size_t need;
    ruv_result r;
    if (written)
        *written = 0;
    if (!idx || !written || (!buf && cap))
        return RUV_E_ARG;
    need = ruv__i_serialized_size(idx);
    if (need == 0)
        return RUV_E_NOMEM; /* larger than the address space */
    if (need > cap) {
        *written = need;
        return RUV_E_SPACE;
    }
    m.p = (unsigned char *)buf;
    m.len = cap;
    m.pos = 0;
    r = ruv__i_save(idx, ruv__save_buf_write, &m);
    if (r == RUV_OK)
        *written = m.pos;
    return r;
}

/* ---- loading ---- */

/* ---- the public calls, between the concurrency guards (src/index.h): a save reads every slot,
   compacted ones too, so it excludes writers as well ---- */
RUVDEF size_t ruv_index_serialized_size(const ruv_index *idx) {
    RUV__READ(idx, size_t, ruv__i_serialized_size(idx));
}
RUVDEF ruv_result ruv_index_save(const ruv_index *idx, ruv_write_fn write, void *user) {
    RUV__READ_R(idx, 1, ruv__i_save(idx, write, user));
}
RUVDEF ruv_result ruv_index_save_buffer(const ruv_index *idx, void *buf, size_t cap,
                                        size_t *written) {
    if (written)
        *written = 0;
    RUV__READ_R(idx, 1, ruv__i_save_buffer(idx, buf, cap, written));
}

#endif /* RUV__IMPL */
