/* The index object: its struct and slot layout, configuration defaults and ranges, the code
   layout of each storage kind, create and free, and the infallible properties. */
#ifdef RUV__IMPL

/* A byte string per slot: ref[2 s] = offset in bytes, ref[2 s + 1] = length (0 = none). Deleted
   strings leave garbage in bytes, dropped when the arena grows (and never saved). */
typedef struct ruv__blobs {
    uint32_t *ref; /* [cap * 2], NULL until first used */
    unsigned char *bytes;
    size_t len, cap; /* arena bytes used / allocated */
    size_t live;     /* bytes referenced */
} ruv__blobs;

#define RUV__DEAD 0x80u  /* levels[] flag: deleted HNSW node (still traversed until compacted) */
#define RUV__FREE 0x40u  /* levels[] flag with DEAD: compacted, nothing links here, reusable */
#define RUV__LEVEL 0x1Fu /* levels[] bits of the top level */

struct ruv_index {
    ruv_index_options cfg; /* resolved */
    ruv__mem mem;
    ruv_kernels kern;
    ruv_kernel_fn f32_dist;      /* l2sq or dot on f32 (NULL for a custom metric) */
    ruv_distance_fn custom;      /* RUV_METRIC_CUSTOM: the caller's distance, else NULL */
    int ip;                      /* metric is IP or cosine: distance = 1 - dot */
    ruv_kernel_fn raw_dist;      /* on stored codes (f32 / f16 / bf16: l2sq or dot; BIN: Hamming) */
    size_t raw_n;                /* its n: dim, or code bytes for BIN */
    ruv_kernel_many_fn raw_many; /* raw_dist against many codes (BIN: Hamming, Jaccard), or NULL */
    int dot_based;               /* code distance = 1 - raw */
    size_t dim;
    size_t in_bytes; /* bytes of one vector as the caller gives it (cfg.dtype) */

    /* quantization (see src/codes.h; the kind is cfg.quant): a slot's code is at vec_off */
    size_t code_bytes;
    size_t bits_bytes;    /* ruv__index_bits_bytes: bytes per slot in wbits, else 0 */
    unsigned char *wbits; /* [cap * bits_bytes], apart from the slots so that a walk reads a
                             compact array: opt.walk_bits's bits, or a copy of the codes of an
                             HNSW index over binary vectors */
    size_t sq_off;        /* SQ8: offset of the per-code float after the dim bytes */
    size_t dsub;          /* PQ: dimensions per sub-quantizer */
    size_t prep_len;      /* floats of a prepared query (ruv__prep) */
    float *qp; /* quantizer tables (NULL until trained), ruv__index_qp_bytes(&cfg) bytes */
    unsigned char *fvec; /* re-ranking copies of a quantized index [cap * fvec_bytes], in
                            cfg.rerank_dtype (f32, f16 or bf16), NULL if none */
    size_t fvec_bytes;   /* bytes of one copy */

    /* slot arena: slot i at data + i * stride: [u32 count][u32 links[m0]] (HNSW only), then at
       vec_off the stored vector (dim floats, or its code). */
    unsigned char *data;
    size_t stride, vec_off;
    size_t count, cap;
    uint64_t *keys;   /* [cap] key of each slot */
    uint32_t *table;  /* key table: open addressing over slots, RUV__NONE = empty */
    size_t table_cap; /* power of two, >= 2 * cap */

    /* HNSW */
    uint32_t M, m0;
    uint8_t *levels;     /* [cap] top level of each slot */
    uint32_t *upper_off; /* [cap] start of a slot's upper-level lists in `upper` */
    uint32_t *upper;     /* per level l >= 1: [u32 count][u32 links[M]] */
    size_t upper_len, upper_cap;
    uint32_t entry;
    int max_level;
    double ml;
    uint64_t rng;

    size_t live;        /* entries that searches return; count - live HNSW nodes are deleted */
    size_t nfree;       /* HNSW slots flagged RUV__FREE, reused by inserts */
    size_t free_hint;   /* where the search for a free slot resumes */
    size_t upper_canon; /* u32s of upper lists of all slots (upper_len also counts garbage) */
    int view;           /* arrays borrowed from a caller's buffer: read-only, not freed */
    ruv__blobs ids;     /* string ids */
    ruv__blobs meta;    /* metadata */
    uint32_t *idtab;    /* id hash table over slots (like table), NULL until an id is set */
    size_t idtab_cap;

    ruv_search_ctx *ctx;       /* used by adds and by searches without a ctx */
    struct ruv__mt *mt;        /* locks while a multi-threaded add_batch runs, else NULL */
    uint32_t *pend;            /* an HNSW insert's new neighbour lists, applied when it publishes */
    size_t pend_cap, pend_len; /* u32s allocated / used */
    int pending;               /* an insert is searching: links go to pend */
    int excl;                  /* a writing call holds the lock (ruv__write_begin) */
#if RUV__THREADS
    ruv__rwlock lock; /* one writer, many readers (src/core.h) */
#endif

    /* the attached journal (src/journal.h), else NULL */
    struct ruv__journal *journal;
};

/* ---- concurrency guards ---------------------------------------------------------------------- */
/* Every public call on an index enters through one of these. A reader holds the lock shared for
   the call; a writer holds the writer mutex for the call and the lock exclusively except where it
   pauses (ruv__excl_pause: an HNSW insert's search, which only reads). Nested calls from inside
   a callback of the same index (ruv__tls_held) take nothing. Views are never written: no locks. */
typedef struct ruv__guard {
    const void *prev; /* the thread's held object before this call */
    int prev_writer;
    int how; /* 0 nothing taken, 1 shared, 2 writer mutex and shared, 3 writer */
} ruv__guard;

/* Enters a reading call; own_scratch: it uses the index's own ctx (a search without a ctx, a
   save), so it also excludes writers. RUV_E_BUSY when it cannot: such a call from inside a
   reader's callback of the same index. */
static ruv_result ruv__read_begin(const ruv_index *idx, ruv__guard *g, int own_scratch) {
    g->how = g->prev_writer = 0;
    g->prev = NULL;
#if RUV__THREADS
    if (!idx || idx->view)
        return RUV_OK;
    g->prev = ruv__tls_held;
    g->prev_writer = ruv__tls_writer;
    /* nested: fine, except a ctx-less search inside a reader, and a search or save inside a
       progress report of a multi-threaded batch (other threads are linking meanwhile; the
       getters, which read no links, go on) */
    if (ruv__tls_held == (const void *)idx)
        return (own_scratch && !ruv__tls_writer) || (ruv__tls_writer && idx->mt) ? RUV_E_BUSY
                                                                                 : RUV_OK;
    if (own_scratch)
        pthread_mutex_lock(&((ruv_index *)idx)->lock.w);
    ruv__rw_shared(&((ruv_index *)idx)->lock);
    g->how = own_scratch ? 2 : 1;
    ruv__tls_held = idx;
    ruv__tls_writer = 0;
#else
    (void)idx;
    (void)own_scratch;
#endif
    return RUV_OK;
}

static void ruv__read_end(const ruv_index *idx, ruv__guard *g) {
#if RUV__THREADS
    if (!g->how)
        return;
    ruv__tls_held = g->prev;
    ruv__tls_writer = g->prev_writer;
    ruv__rw_shared_end(&((ruv_index *)idx)->lock);
    if (g->how == 2)
        pthread_mutex_unlock(&((ruv_index *)idx)->lock.w);
#else
    (void)idx;
    (void)g;
#endif
}

/* Enters a writing call: the writer mutex, then the lock exclusively. RUV_E_BUSY from inside a
   callback of the same index (the thread holds it already). */
static ruv_result ruv__write_begin(ruv_index *idx, ruv__guard *g) {
    g->how = g->prev_writer = 0;
    g->prev = NULL;
#if RUV__THREADS
    if (!idx || idx->view)
        return RUV_OK;
    if (ruv__tls_held == (const void *)idx)
        return RUV_E_BUSY;
    g->prev = ruv__tls_held;
    g->prev_writer = ruv__tls_writer;
    pthread_mutex_lock(&idx->lock.w);
    ruv__rw_excl(&idx->lock);
    g->how = 3;
    idx->excl = 1;
    ruv__tls_held = idx;
    ruv__tls_writer = 1;
#else
    (void)idx;
#endif
    return RUV_OK;
}

static void ruv__write_end(ruv_index *idx, ruv__guard *g) {
#if RUV__THREADS
    if (!g->how)
        return;
    ruv__tls_held = g->prev;
    ruv__tls_writer = g->prev_writer;
    idx->excl = 0;
    ruv__rw_excl_end(&idx->lock);
    pthread_mutex_unlock(&idx->lock.w);
#else
    (void)idx;
    (void)g;
#endif
}

/* Inside a writing call: lets readers in while the writer only reads (it keeps the writer
   mutex, so nothing else changes the index), and takes the lock back to publish. */
static void ruv__excl_pause(ruv_index *idx) {
#if RUV__THREADS
    if (idx->excl && !idx->mt)
        ruv__rw_excl_end(&idx->lock);
#else
    (void)idx;
#endif
}

static void ruv__excl_resume(ruv_index *idx) {
#if RUV__THREADS
    if (idx->excl && !idx->mt)
        ruv__rw_excl(&idx->lock);
#else
    (void)idx;
#endif
}

/* Public calls as one expression between the guards: R(ead) or W(rite), returning T (a
   ruv_result where the guard can fail: it becomes the result). */
#define RUV__READ(idx, T, call)                                                                    \
    do {                                                                                           \
        ruv__guard g_;                                                                             \
        T r_;                                                                                      \
        (void)ruv__read_begin(idx, &g_, 0);                                                        \
        r_ = call;                                                                                 \
        ruv__read_end(idx, &g_);                                                                   \
        return r_;                                                                                 \
    } while (0)
#define RUV__READ_R(idx, own, call)                                                                \
    do {                                                                                           \
        ruv__guard g_;                                                                             \
        ruv_result r_ = ruv__read_begin(idx, &g_, own);                                            \
        if (r_ == RUV_OK)                                                                          \
            r_ = call;                                                                             \
        ruv__read_end(idx, &g_);                                                                   \
        return r_;                                                                                 \
    } while (0)
#define RUV__WRITE(idx, call)                                                                      \
    do {                                                                                           \
        ruv__guard g_;                                                                             \
        ruv_result r_ = ruv__write_begin(idx, &g_);                                                \
        if (r_ == RUV_OK)                                                                          \
            r_ = call;                                                                             \
        ruv__write_end(idx, &g_);                                                                  \
        return r_;                                                                                 \
    } while (0)

/* ---- slots ------------------------------------------------------------------------------------
 */
/* Stored form of slot's vector: dim floats (RUV_QUANT_NONE) or its code. */
static unsigned char *ruv__slot_code(const ruv_index *idx, uint32_t slot) {
    return idx->data + (size_t)slot * idx->stride + idx->vec_off;
}

/* Neighbour list of slot at level: [0] = count, then the links. */
static uint32_t *ruv__slot_links(const ruv_index *idx, uint32_t slot, int level) {
    if (level == 0)
        return (uint32_t *)(void *)(idx->data + (size_t)slot * idx->stride);
    return idx->upper + idx->upper_off[slot] + (size_t)(level - 1) * (idx->M + 1);
}

/* Whether slot s holds a deleted (or free) HNSW node. */
static int ruv__slot_dead(const ruv_index *idx, size_t s) {
    return idx->levels && (idx->levels[s] & RUV__DEAD);
}

/* Candidate-list size the index's own ctx needs: inserts (ef_construction) and searches
   without a ctx (ef_search). */
static size_t ruv__index_pool(const ruv_index *idx) {
    return idx->cfg.ef_search > idx->cfg.ef_construction ? idx->cfg.ef_search
                                                         : idx->cfg.ef_construction;
}

/* ---- configuration, layout, create and free -------------------------------------------------- */
#define RUV__RESULT_CASE(name, value, msg)                                                         \
    case name:                                                                                     \
        return msg;
RUVDEF const char *ruv_result_string(ruv_result r) {
    switch (r) {
        RUV__RESULTS(RUV__RESULT_CASE)
    default:
        return "unknown result";
    }
}
#undef RUV__RESULT_CASE

RUVDEF const char *ruv_version(void) { return RUV_VERSION_STRING; }

RUVDEF ruv_index_options ruv_index_options_init(uint32_t dim) {
    ruv_index_options c;
    memset(&c, 0, sizeof c);
    c.dim = dim;
    return c;
}

/* Whether (element type, metric, storage) is supported; the table is VECTOR TYPES in the
   documentation. F32 takes every storage and every metric but Hamming and Jaccard (custom: f32
   storage only); F16, BF16, I8 and U8 are stored as given (their own kernels) with L2SQ, IP,
   cosine and L1; BIN as given with Hamming and Jaccard. */
static int ruv__index_pair_ok(ruv_dtype t, ruv_metric m, ruv_quant q) {
    int bits = m == RUV_METRIC_HAMMING || m == RUV_METRIC_JACCARD;
    switch (t) {
    case RUV_DTYPE_F32:
        return !bits && (m != RUV_METRIC_CUSTOM || q == RUV_QUANT_NONE);
    case RUV_DTYPE_F16:
    case RUV_DTYPE_BF16:
    case RUV_DTYPE_I8:
    case RUV_DTYPE_U8:
        return q == RUV_QUANT_NONE && !bits && m != RUV_METRIC_CUSTOM;
    case RUV_DTYPE_BIN:
        return q == RUV_QUANT_NONE && bits;
    default:
        return 0;
    }
}

/* Whether opt.walk_bits fits the rest of the configuration: HNSW over f32 input, storage other
   than BIN (whose codes are the bits already), a built-in metric. */
static int ruv__index_walk_ok(const ruv_index_options *c) {
    return !c->walk_bits || (c->kind == RUV_INDEX_HNSW && c->dtype == RUV_DTYPE_F32 &&
                             c->quant != RUV_QUANT_BIN && c->metric != RUV_METRIC_CUSTOM);
}

/* Fills defaults and checks ranges: the one place config rules live. */
static ruv_result ruv__index_resolve(const ruv_index_options *in, ruv_index_options *out) {
    ruv_index_options c = *in;
    if (c.dim == 0 || c.dim > RUV_MAX_DIM)
        return RUV_E_ARG;
    if ((unsigned)c.metric > (unsigned)RUV_METRIC_JACCARD ||
        (c.metric == RUV_METRIC_CUSTOM) != (c.distance != NULL) ||
        (unsigned)c.dtype >= (unsigned)RUV_DTYPE_COUNT)
        return RUV_E_ARG;
    if ((unsigned)c.kind > (unsigned)RUV_INDEX_HNSW || c.multi > 1 || c.walk_bits > 1)
        return RUV_E_ARG;
    if (!c.M)
        c.M = 16;
    if (c.M < 2 || c.M > RUV_MAX_M)
        return RUV_E_ARG;
    if (!c.ef_construction)
        c.ef_construction = 200;
    if (c.ef_construction < c.M)
        c.ef_construction = c.M;
    if (!c.ef_search)
        c.ef_search = 64;
    if (c.ef_construction > RUV_MAX_EF || c.ef_search > RUV_MAX_EF)
        return RUV_E_ARG;
    if (!c.capacity)
        c.capacity = 1024;
    if (c.capacity > RUV_MAX_COUNT)
        return RUV_E_ARG;
    if (!c.seed)
        c.seed = 0x2545F4914F6CDD1Dull;
    if ((unsigned)c.isa >= (unsigned)RUV_ISA_COUNT)
        return RUV_E_ARG;
    if (!c.alloc.alloc != !c.alloc.free)
        return RUV_E_ARG;
    if ((unsigned)c.quant > (unsigned)RUV_QUANT_PQ || c.drop_f32 > 1 || c.rerank > RUV_MAX_RERANK)
        return RUV_E_ARG;
    if (c.rerank_dtype != RUV_DTYPE_F32 &&
        ((c.rerank_dtype != RUV_DTYPE_F16 && c.rerank_dtype != RUV_DTYPE_BF16) ||
         c.quant == RUV_QUANT_NONE || c.drop_f32))
        return RUV_E_ARG;
    if (c.metric != RUV_METRIC_CUSTOM) {
        c.distance_user = NULL;
        c.distance_id = 0;
    }
    if (!ruv__index_pair_ok(c.dtype, c.metric, c.quant) || !ruv__index_walk_ok(&c))
        return RUV_E_UNSUPPORTED;
    if (c.quant == RUV_QUANT_NONE) {
        c.pq_m = c.rerank = c.drop_f32 = 0;
    } else {
        if (!c.rerank)
            c.rerank = 4;
        if (c.quant != RUV_QUANT_PQ)
            c.pq_m = 0;
        else if (!c.pq_m && c.dim % 4 == 0)
            c.pq_m = c.dim / 4;
        if (c.quant == RUV_QUANT_PQ && (!c.pq_m || c.pq_m > c.dim || c.dim % c.pq_m))
            return RUV_E_ARG;
        if (c.metric == RUV_METRIC_L1 && c.quant != RUV_QUANT_F16 && c.quant != RUV_QUANT_BF16)
            return RUV_E_UNSUPPORTED;
    }
    {
        ruv__mem m;
        ruv__mem_init(&m, c.alloc);
        c.alloc = m.a;
    }
    *out = c;
    return RUV_OK;
}

/* The kernel operation behind a metric (cosine: dot on vectors normalised beforehand). */
static ruv_op ruv__index_metric_op(ruv_metric m) {
    switch (m) {
    case RUV_METRIC_L2SQ:
        return RUV_OP_L2SQ;
    case RUV_METRIC_L1:
        return RUV_OP_L1;
    case RUV_METRIC_HAMMING:
        return RUV_OP_HAMMING;
    case RUV_METRIC_JACCARD:
        return RUV_OP_JACCARD;
    default:
        return RUV_OP_DOT;
    }
}

/* Bytes of one vector of dim elements of type t. */
static size_t ruv__dtype_bytes(ruv_dtype t, size_t dim) {
    switch (t) {
    case RUV_DTYPE_BIN:
        return (dim + 7) / 8;
    case RUV_DTYPE_I8:
    case RUV_DTYPE_U8:
        return dim;
    case RUV_DTYPE_F16:
    case RUV_DTYPE_BF16:
        return dim * 2;
    default:
        return dim * 4;
    }
}

/* Bytes per slot of the compact array beside the slots (ruv_index.wbits): opt.walk_bits's
   bits; for HNSW over binary vectors a copy of each code (13 bytes for 100 bits against a slot
   stride of 160: the walk's reads stay in cache); else 0. */
static size_t ruv__index_bits_bytes(const ruv_index_options *c) {
    int copy = c->dtype == RUV_DTYPE_BIN && c->kind == RUV_INDEX_HNSW;
    return c->walk_bits || copy ? ((size_t)c->dim + 7) / 8 : 0;
}

/* Bytes of one stored vector (its code) for a resolved config. */
static size_t ruv__index_code_bytes(const ruv_index_options *c) {
    switch (c->quant) {
    case RUV_QUANT_NONE: /* as given */
        return ruv__dtype_bytes(c->dtype, c->dim);
    case RUV_QUANT_F16:
    case RUV_QUANT_BF16:
        return (size_t)c->dim * 2;
    case RUV_QUANT_SQ8: /* dim bytes, padding to 4, the float t (see ruv__prep) */
        return (((size_t)c->dim + 3) & ~(size_t)3) + 4;
    case RUV_QUANT_BIN:
        return ((size_t)c->dim + 7) / 8;
    default:
        return c->pq_m;
    }
}

/* Slot stride: the HNSW level-0 list (padded to 16 bytes), the code, padding to 16 bytes. */
static size_t ruv__index_stride(const ruv_index_options *c) {
    size_t off = c->kind == RUV_INDEX_HNSW ? ((size_t)(2 * c->M + 1) * 4 + 15) & ~(size_t)15 : 0;
    return (off + ruv__index_code_bytes(c) + 15) & ~(size_t)15;
}

/* Bytes of the storage's own quantizer tables (0 if it needs none); opt.walk_bits's mean and
   deviation (like BIN's) follow them. */
static size_t ruv__index_qp_main(const ruv_index_options *c) {
    switch (c->quant) {
    case RUV_QUANT_SQ8:
    case RUV_QUANT_BIN:
        return (size_t)c->dim * 8;
    case RUV_QUANT_PQ:
        return (size_t)c->dim * 4 + (size_t)c->dim * 256 * 4;
    default:
        return 0;
    }
}

/* Bytes of the quantizer tables of a resolved config (0 if it needs none). */
static size_t ruv__index_qp_bytes(const ruv_index_options *c) {
    return ruv__index_qp_main(c) + (c->walk_bits ? (size_t)c->dim * 8 : 0);
}

/* Whether the index can take vectors: quantizer tables present or not needed. */
static int ruv__index_trained(const ruv_index *idx) {
    return idx->qp != NULL || ruv__index_qp_bytes(&idx->cfg) == 0;
}

/* Code layout and distance functions of idx->cfg's storage. */
static void ruv__index_layout(ruv_index *idx) {
    const ruv_index_options *c = &idx->cfg;
    ruv_dtype t = c->quant == RUV_QUANT_F16    ? RUV_DTYPE_F16
                  : c->quant == RUV_QUANT_BF16 ? RUV_DTYPE_BF16
                                               : RUV_DTYPE_F32;
    size_t d = c->dim;
    idx->code_bytes = ruv__index_code_bytes(c);
    idx->bits_bytes = ruv__index_bits_bytes(c);
    idx->fvec_bytes = d * (c->rerank_dtype == RUV_DTYPE_F32 ? 4u : 2u);
    idx->dot_based = idx->ip;
    idx->raw_n = d;
    idx->raw_dist = NULL;
    idx->raw_many = NULL;
    idx->prep_len = 1;
    switch (c->quant) {
    case RUV_QUANT_SQ8:
        idx->sq_off = (d + 3) & ~(size_t)3;
        idx->prep_len = d + (d + 1) / 2; /* the f32 weights, then their int16 form */
        break;
    case RUV_QUANT_PQ:
        idx->dsub = d / c->pq_m;
        idx->prep_len = (size_t)c->pq_m * 256 > d ? (size_t)c->pq_m * 256 : d; /* or direct */
        break;
    case RUV_QUANT_BIN:
        idx->raw_dist = idx->kern.fn[RUV_OP_HAMMING][RUV_DTYPE_BIN];
        idx->raw_many = idx->kern.hamming_many;
        idx->raw_n = idx->code_bytes;
        idx->dot_based = 0;
        idx->prep_len = (idx->code_bytes + 3) / 4;
        break;
    default:
        if (c->dtype != RUV_DTYPE_F32) { /* halves, integer and bit vectors, stored as given */
            ruv_op op = c->metric == RUV_METRIC_COSINE ? RUV_OP_COS /* 1 - cos, per pair */
                                                       : ruv__index_metric_op(c->metric);
            t = c->dtype;
            idx->raw_dist = idx->kern.fn[op][t];
            idx->raw_n = t == RUV_DTYPE_BIN ? idx->code_bytes : d;
            if (t == RUV_DTYPE_BIN)
                idx->raw_many =
                    op == RUV_OP_HAMMING ? idx->kern.hamming_many : idx->kern.jaccard_many;
            idx->dot_based = c->metric == RUV_METRIC_IP;
        } else if (!idx->custom) { /* (a custom metric: ruv__dist_custom) */
            idx->raw_dist = idx->kern.fn[ruv__index_metric_op(c->metric)][t];
        }
        idx->prep_len = (idx->code_bytes + 3) / 4;
    }
    idx->in_bytes = c->dtype == RUV_DTYPE_F32 ? d * 4 : idx->code_bytes;
    if (idx->prep_len < (idx->bits_bytes + 3) / 4) /* the bits of a query (c->nprep) */
        idx->prep_len = (idx->bits_bytes + 3) / 4;
}

/* Growth of every per-slot array: src/tables.h. */
static ruv_result ruv__tab_reserve(ruv_index *idx, size_t slots, size_t upper, size_t id_add,
                                   size_t meta_add);

/* Creates an index from cfg: struct, kernels, scratch ctx and, if `arrays`, the key table and
   cfg->capacity slots. Without arrays (the loader, which binds its own) every array is NULL. */
static ruv_result ruv__index_new(const ruv_index_options *cfg, int arrays, ruv_index **out) {
    ruv_index_options c;
    ruv_kernels k;
    ruv__mem mem;
    ruv_index *idx;
    ruv_result r;
    if (!out)
        return RUV_E_ARG;
    *out = NULL;
    if (!cfg)
        return RUV_E_ARG;
    if ((r = ruv__index_resolve(cfg, &c)) != RUV_OK)
        return r;
    if (!ruv_kernels_init(c.isa, &k))
        return RUV_E_UNSUPPORTED;
    c.isa = k.isa;
    mem.a = c.alloc;
    mem.used = 0;
    idx = (ruv_index *)ruv__mem_alloc(&mem, sizeof *idx);
    if (!idx)
        return RUV_E_NOMEM;
    memset(idx, 0, sizeof *idx);
    idx->mem = mem;
    idx->cfg = c;
    idx->kern = k;
    idx->dim = c.dim;
    idx->ip = c.metric == RUV_METRIC_IP || c.metric == RUV_METRIC_COSINE;
    idx->custom = c.distance;
    idx->f32_dist = idx->custom ? NULL : k.fn[ruv__index_metric_op(c.metric)][RUV_DTYPE_F32];
    ruv__index_layout(idx);
    if (c.kind == RUV_INDEX_HNSW) {
        idx->M = c.M;
        idx->m0 = 2 * c.M;
        idx->vec_off = ((size_t)(idx->m0 + 1) * 4 + 15) & ~(size_t)15;
        idx->ml = 1.0 / log((double)c.M);
        idx->rng = c.seed;
    }
    idx->stride = ruv__index_stride(&c);
    idx->entry = RUV__NONE;
#if RUV__THREADS
    if (ruv__rw_init(&idx->lock) != 0) {
        ruv__mem_free(&idx->mem, idx, sizeof *idx);
        return RUV_E_NOMEM;
    }
#endif
    idx->ctx = ruv__ctx_new(&idx->mem, c.dim, idx->prep_len);
    if (idx->ctx && !arrays) {
        *out = idx;
        return RUV_OK;
    }
    idx->table_cap = 16;
    if (idx->ctx)
        idx->table = (uint32_t *)ruv__mem_alloc(&idx->mem, idx->table_cap * 4);
    if (!idx->ctx || !idx->table) {
        ruv_index_free(idx);
        return RUV_E_NOMEM;
    }
    memset(idx->table, 0xFF, idx->table_cap * 4);
    if ((r = ruv__tab_reserve(idx, (size_t)c.capacity, 0, 0, 0)) != RUV_OK) {
        ruv_index_free(idx);
        return r;
    }
    *out = idx;
    return RUV_OK;
}

RUVDEF ruv_result ruv_index_create(const ruv_index_options *opt, ruv_index **out) {
    if (out)
        *out = NULL;
    return opt && out ? ruv__index_new(opt, 1, out) : RUV_E_ARG;
}

static void ruv__journal_close(ruv_index *idx); /* src/journal.h */

RUVDEF void ruv_index_free(ruv_index *idx) {
    ruv__mem m;
    if (!idx)
        return;
    ruv__journal_close(idx);
    m = idx->mem;
#if RUV__THREADS
    ruv__rw_destroy(&idx->lock);
#endif
    if (idx->ctx)
        ruv_search_ctx_free(idx->ctx);
    ruv__mem_free(&m, idx->pend, idx->pend_cap * 4);
    if (!idx->view) {
        ruv__mem_free_aligned(&m, idx->data, idx->cap * idx->stride);
        ruv__mem_free(&m, idx->keys, idx->cap * sizeof *idx->keys);
        ruv__mem_free(&m, idx->table, idx->table_cap * 4);
        ruv__mem_free(&m, idx->levels, idx->cap);
        ruv__mem_free(&m, idx->upper_off, idx->cap * sizeof *idx->upper_off);
        ruv__mem_free(&m, idx->upper, idx->upper_cap * 4);
        ruv__mem_free(&m, idx->ids.ref, idx->ids.ref ? idx->cap * 2 * 4 : 0);
        ruv__mem_free(&m, idx->ids.bytes, idx->ids.cap);
        ruv__mem_free(&m, idx->meta.ref, idx->meta.ref ? idx->cap * 2 * 4 : 0);
        ruv__mem_free(&m, idx->meta.bytes, idx->meta.cap);
        ruv__mem_free(&m, idx->idtab, idx->idtab_cap * 4);
        ruv__mem_free(&m, idx->fvec, idx->fvec ? idx->cap * idx->fvec_bytes : 0);
        ruv__mem_free(&m, idx->wbits, idx->wbits ? idx->cap * idx->bits_bytes : 0);
        ruv__mem_free(&m, idx->qp, ruv__index_qp_bytes(&idx->cfg));
    }
    ruv__mem_free(&m, idx, sizeof *idx);
}

/* ---- properties --------------------------------------------------------------------------------
 */
static size_t ruv__i_count(const ruv_index *idx) { return idx ? idx->live : 0; }

RUVDEF uint32_t ruv_index_dim(const ruv_index *idx) { return idx ? idx->cfg.dim : 0; }

static size_t ruv__i_memory_usage(const ruv_index *idx) {
    return idx ? idx->mem.used + idx->ctx->mem.used : 0;
}

/* (parenthesised: ruv_index_stats is also the name of a macro, see src/api_compat.h) */
static ruv_stats ruv__i_stats(const ruv_index *idx) {
    ruv_stats st, *out = &st;
    size_t cap;
    memset(out, 0, sizeof *out);
    if (!idx)
        return st;
    cap = idx->cap;
    out->live = idx->live;
    out->deleted = idx->count - idx->live;
    out->free_slots = idx->nfree;
    out->capacity = cap;
    if (idx->cfg.quant == RUV_QUANT_NONE) {
        out->vector_bytes = cap * idx->code_bytes;
    } else {
        out->vector_bytes = idx->fvec ? cap * idx->fvec_bytes : 0;
        out->code_bytes = cap * idx->code_bytes;
    }
    out->code_bytes += cap * idx->bits_bytes + (idx->qp ? ruv__index_qp_bytes(&idx->cfg) : 0);
    out->graph_bytes = cap * (idx->stride - idx->code_bytes); /* links and slot padding */
    if (idx->levels)
        out->graph_bytes += cap * (1 + sizeof *idx->upper_off) + idx->upper_cap * 4;
    out->key_bytes = cap * sizeof *idx->keys + idx->table_cap * 4;
    out->id_bytes = (idx->ids.ref ? cap * 8 : 0) + idx->ids.cap + idx->idtab_cap * 4;
    out->meta_bytes = (idx->meta.ref ? cap * 8 : 0) + idx->meta.cap;
    out->total_bytes = ruv__i_memory_usage(idx);
    out->readonly = idx->view;
    return st;
}

RUVDEF ruv_result ruv__stats_v01(const ruv_index *idx, ruv_stats *out) {
    if (!out)
        return RUV_E_ARG;
    *out = (ruv_index_stats)(idx); /* zeroed for NULL, as 0.1 left it */
    return idx ? RUV_OK : RUV_E_ARG;
}

RUVDEF ruv_index_options ruv_index_config(const ruv_index *idx) {
    ruv_index_options c;
    if (idx)
        return idx->cfg;
    memset(&c, 0, sizeof c);
    return c;
}

static int ruv__i_is_trained(const ruv_index *idx) { return idx && ruv__index_trained(idx); }

/* ---- the public calls, between the concurrency guards ---- */
RUVDEF size_t ruv_index_count(const ruv_index *idx) { RUV__READ(idx, size_t, ruv__i_count(idx)); }
RUVDEF size_t ruv_index_memory_usage(const ruv_index *idx) {
    RUV__READ(idx, size_t, ruv__i_memory_usage(idx));
}
/* (parenthesised: ruv_index_stats is also the name of a macro, see src/api_compat.h) */
RUVDEF ruv_stats(ruv_index_stats)(const ruv_index *idx) {
    RUV__READ(idx, ruv_stats, ruv__i_stats(idx));
}
RUVDEF int ruv_index_is_trained(const ruv_index *idx) {
    RUV__READ(idx, int, ruv__i_is_trained(idx));
}

#endif /* RUV__IMPL */
