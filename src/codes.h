/* Stored codes: encoding vectors into their stored form (f32, F16, BF16, SQ8, BIN, PQ) and
   decoding them, preparing a query for distances to codes, and every distance helper
   (ruv__dist_*). */
#ifdef RUV__IMPL

/* A query prepared for distances to stored codes: v is the f32 query itself (NONE), its
   converted copy (F16, BF16, BIN bits), the SQ8 weights w, or the PQ tables; c0 an SQ8 constant.
   SQ8 stores c_i in 0..255 for x_i ~ lo_i + sc_i c_i, plus one float t per code, so that
     L2:     |q - x|^2 = sum (q_i - lo_i)^2 + t - 2 sum w_i c_i,  w_i = sc_i (q_i - lo_i),
                                                              t = sum (sc_i c_i)^2
     IP:     q.x = sum q_i lo_i + sum w_i c_i,                w_i = sc_i q_i
     cosine: q.x / |x| = (sum q_i lo_i + sum w_i c_i) t,      t = 1 / |x|
   which is one int16 x u8 dot product per distance (ruv_kernels.dot_i16_u8; f32 x u8 for stored
   vectors prepared by the neighbour selection outside WebAssembly, see ruv__code_prep_slot): q16
   holds the w_i scaled by 1 / qinv and rounded, the scale as large as keeps |q16_i| <= 32767 and
   the kernel's 32-bit sums exact (see ruv__code_sq8_q16). The rounding moves sum w_i c_i by at most
   qinv / 2 sum c_i (qinv = max |w_i| / 32767 up to 256 dimensions), a small fraction of what the
   8-bit codes themselves move it (about sum |w_i| / 2 in the worst case). */
typedef struct ruv__prep {
    const void *v;
    float c0;
    const int16_t *q16;  /* SQ8 */
    float qinv;          /* SQ8 */
    int pq_direct;       /* PQ: v is a decoded vector in sub-space order (ruv__code_prep_slot) */
    int bits;            /* opt.walk_bits: v is the query's bits, distances on the slots' bits */
    int compact;         /* the codes read from ruv_index.wbits (HNSW over binary vectors) */
    ruv_kernel_fn mixed; /* an f32 query v to a typed index: the f32 kernel (ruv__dist_mixed) */
    float *conv;         /* its scratch: a stored vector converted to f32, dim floats */
} ruv__prep;

static const float *ruv__code_sq_lo(const ruv_index *idx) { return idx->qp; }
static const float *ruv__code_sq_scale(const ruv_index *idx) { return idx->qp + idx->dim; }
/* PQ tables: dim u32 (the permutation: sub-space j holds dimensions perm[j dsub ..]) then per
   sub-space dsub x 256 centroid components (transposed, see ruv_kernels.pq_lut). */
static const uint32_t *ruv__code_pq_perm(const ruv_index *idx) {
    return (const uint32_t *)(const void *)idx->qp;
}
static const float *ruv__code_pq_cent(const ruv_index *idx, size_t j) {
    return idx->qp + idx->dim + j * idx->dsub * 256;
}

/* PQ: the dsub components of sub-space j of x, into out. */
static void ruv__code_pq_gather(const ruv_index *idx, const float *x, size_t j, float *out) {
    const uint32_t *perm = ruv__code_pq_perm(idx) + j * idx->dsub;
    size_t d;
    for (d = 0; d < idx->dsub; d++)
        out[d] = x[perm[d]];
}

/* Index of the smallest of v[0..255] (first on ties). */
static unsigned ruv__code_argmin256(const float *v) {
    unsigned i, best = 0;
    for (i = 1; i < 256; i++)
        if (v[i] < v[best])
            best = i;
    return best;
}

/* SQ8 for cosine: only the direction of the decoded vector y matters, so codes are moved one
   step across their rounding boundary wherever that raises cos(x, y) (greedy passes over the
   dimensions, at most 4). Returns |y|^2. */
static double ruv__code_sq_cos_refine(const ruv_index *idx, const float *x, unsigned char *code,
                                      double nn) {
    const float *lo = ruv__code_sq_lo(idx), *sc = ruv__code_sq_scale(idx);
    size_t i, d = idx->dim;
    double r = 0.0;
    int pass, changed = 1;
    for (i = 0; i < d; i++)
        r += (double)x[i] * ((double)lo[i] + (double)sc[i] * code[i]);
    for (pass = 0; pass < 4 && changed && r > 0.0; pass++) {
        changed = 0;
        for (i = 0; i < d; i++) {
            double y = (double)lo[i] + (double)sc[i] * code[i], step, r2, n2;
            int up = x[i] > y;
            if (sc[i] <= 0.0f || (up ? code[i] == 255 : code[i] == 0))
                continue;
            step = up ? sc[i] : -(double)sc[i];
            r2 = r + x[i] * step;
            n2 = nn + 2.0 * y * step + step * step;
            if (r2 > 0.0 && n2 > 0.0 && r2 * r2 * nn > r * r * n2) {
                code[i] = (unsigned char)(up ? code[i] + 1 : code[i] - 1);
                r = r2;
                nn = n2;
                changed = 1;
            }
        }
    }
    return nn;
}

/* Whether the dim halves at v (type t: F16 or BF16, uint16_t in host order) are finite and, for
   BF16, have a squared norm of at most FLT_MAX / 4 (see ruv__code_accepts). */
static int ruv__code_halves_ok(ruv_dtype t, const unsigned char *v, size_t dim) {
    unsigned inf = t == RUV_DTYPE_F16 ? 0x7C00u : 0x7F80u;
    double nn = 0.0;
    size_t i;
    for (i = 0; i < dim; i++) {
        uint16_t h;
        double x;
        memcpy(&h, v + 2 * i, 2);
        if ((h & inf) == inf)
            return 0;
        if (t == RUV_DTYPE_BF16) {
            x = (double)ruv_bf16_to_f32(h);
            nn += x * x;
        }
    }
    return nn <= 3.4028234663852886e38 / 4.0;
}

/* Whether x (dim floats, as the caller gave them) can be stored and searched: finite; unless the
   metric is cosine (whose vectors are normalised first), a squared norm of at most FLT_MAX / 4,
   so that no distance between two accepted vectors overflows f32 (|x - y|^2 <= (|x| + |y|)^2,
   |x.y| <= |x| |y|: infinities of opposite signs in the sums would make NaN distances); and for
   F16 storage or F16 re-ranking copies every component below 65520 (what would round to
   infinity is refused rather than stored as infinity). BF16 needs no check of its own: its finite
   range (about 3.3961e38) is far beyond the norm bound. Also for queries and training vectors. F16
   and BF16 vectors (given and stored as halves): every element finite; BF16 also the norm bound,
   for every metric (the kernels sum squares in f32, cosine included); F16 needs none (65504^2 x
   RUV_MAX_DIM is far below it). Every integer or bit pattern is a vector. */
static int ruv__code_accepts(const ruv_index *idx, const void *xv) {
    const float *x = (const float *)xv;
    size_t i, d = idx->dim;
    double nn = 0.0;
    if (idx->cfg.dtype == RUV_DTYPE_F16 || idx->cfg.dtype == RUV_DTYPE_BF16)
        return ruv__code_halves_ok(idx->cfg.dtype, (const unsigned char *)xv, d);
    if (idx->cfg.dtype != RUV_DTYPE_F32)
        return 1;
    if (!ruv__vec_finite(x, d))
        return 0;
    if (idx->cfg.metric == RUV_METRIC_COSINE || idx->custom)
        return 1;
    /* the squared norm by the dispatched kernel: its terms are all >= 0, so no partial sum
       exceeds the total, and an overflow shows as +inf */
    nn = (double)idx->kern.fn[RUV_OP_DOT][RUV_DTYPE_F32](x, x, d);
    if (idx->cfg.rerank_dtype == RUV_DTYPE_BF16) /* its copy, rounded up to (1 + 2^-8) |x|, must
                                                    pass the loader's bound too */
        nn *= (1.0 + 1.0 / 256.0) * (1.0 + 1.0 / 256.0);
    if (!(nn <= 3.4028234663852886e38 / 4.0))
        return 0;
    for (i = 0;
         (idx->cfg.quant == RUV_QUANT_F16 || idx->cfg.rerank_dtype == RUV_DTYPE_F16) && i < d; i++)
        if (!(fabs((double)x[i]) < 65520.0))
            return 0;
    return 1;
}

/* Bit i of out (ceil(d / 8) bytes, dimension i at bit i % 8 of byte i / 8) = x_i > mean_i. */
static void ruv__code_sign_bits(const float *x, const float *mean, size_t d, unsigned char *out) {
    size_t i;
    memset(out, 0, (d + 7) / 8);
    for (i = 0; i < d; i++)
        if (x[i] > mean[i])
            out[i / 8] = (unsigned char)(out[i / 8] | 1u << (i % 8));
}

/* opt.walk_bits: the thresholds of the walk's bits (after the storage's tables). */
static const float *ruv__code_walk_mean(const ruv_index *idx) {
    return idx->qp + ruv__index_qp_main(&idx->cfg) / sizeof *idx->qp;
}

/* Encodes x (normalised for cosine; dim floats) into code; scratch c->tmp[dim..]. */
static void ruv__code_encode(const ruv_index *idx, ruv_search_ctx *c, const void *xv,
                             unsigned char *code) {
    const float *x = (const float *)xv;
    size_t d = idx->dim, i;
    switch (idx->cfg.quant) {
    case RUV_QUANT_NONE: /* as given; bits past dim of a binary vector cleared */
        memcpy(code, xv, idx->code_bytes);
        if (idx->cfg.dtype == RUV_DTYPE_BIN && d % 8)
            code[d / 8] = (unsigned char)(code[d / 8] & ((1u << (d % 8)) - 1u));
        break;
    case RUV_QUANT_F16:
        idx->kern.f32_to_f16(x, code, d);
        break;
    case RUV_QUANT_BF16:
        idx->kern.f32_to_bf16(x, code, d);
        break;
    case RUV_QUANT_SQ8: {
        const float *lo = ruv__code_sq_lo(idx), *sc = ruv__code_sq_scale(idx);
        double t = 0.0;
        float tf;
        for (i = 0; i < d; i++) {
            float v = sc[i] > 0.0f ? (x[i] - lo[i]) / sc[i] : 0.0f;
            unsigned q = v <= 0.0f ? 0u : v >= 255.0f ? 255u : (unsigned)(v + 0.5f);
            double y = (double)sc[i] * q;
            code[i] = (unsigned char)q;
            if (idx->cfg.metric == RUV_METRIC_COSINE)
                y += lo[i];
            t += y * y;
        }
        if (idx->cfg.metric == RUV_METRIC_COSINE)
            t = ruv__code_sq_cos_refine(idx, x, code, t);
        /* t stays finite (the loader refuses anything else) for ranges trained on extreme vectors
           and, for cosine, a decoded vector whose norm is tiny but not zero */
        if (idx->cfg.metric == RUV_METRIC_COSINE)
            t = t > 0.0 ? 1.0 / sqrt(t) : 0.0;
        else if (idx->cfg.metric != RUV_METRIC_L2SQ)
            t = 0.0;
        tf = (float)(t < 3.4028234663852886e38 ? t : 3.4028234663852886e38);
        memset(code + d, 0, idx->sq_off - d);
        memcpy(code + idx->sq_off, &tf, sizeof tf);
        break;
    }
    case RUV_QUANT_BIN:
        ruv__code_sign_bits(x, idx->qp, d, code);
        break;
    default: { /* PQ: nearest centroid per sub-space */
        float lut[256], *sub = c->tmp + d;
        for (i = 0; i < idx->cfg.pq_m; i++) {
            ruv__code_pq_gather(idx, x, i, sub);
            idx->kern.pq_lut(sub, ruv__code_pq_cent(idx, i), idx->dsub, RUV_OP_L2SQ, lut);
            code[i] = (unsigned char)ruv__code_argmin256(lut);
        }
    }
    }
}

/* The vector a code stands for (approximate for SQ8, BIN, PQ), into out (dim floats). */
static void ruv__code_decode(const ruv_index *idx, const unsigned char *code, float *out) {
    size_t d = idx->dim, i, j;
    switch (idx->cfg.quant) {
    case RUV_QUANT_NONE:
        memcpy(out, code, d * sizeof *out);
        break;
    case RUV_QUANT_F16:
        idx->kern.f16_to_f32(code, out, d);
        break;
    case RUV_QUANT_BF16:
        idx->kern.bf16_to_f32(code, out, d);
        break;
    case RUV_QUANT_SQ8:
        for (i = 0; i < d; i++)
            out[i] = ruv__code_sq_lo(idx)[i] + ruv__code_sq_scale(idx)[i] * (float)code[i];
        break;
    case RUV_QUANT_BIN: /* mean -/+ the mean absolute deviation */
        for (i = 0; i < d; i++)
            out[i] =
                idx->qp[i] + ((code[i / 8] >> (i % 8)) & 1u ? idx->qp[d + i] : -idx->qp[d + i]);
        break;
    default:
        for (j = 0; j < idx->cfg.pq_m; j++) {
            const uint32_t *perm = ruv__code_pq_perm(idx) + j * idx->dsub;
            const float *cent = ruv__code_pq_cent(idx, j);
            for (i = 0; i < idx->dsub; i++)
                out[perm[i]] = cent[i * 256 + code[j]];
        }
    }
}

/* The SQ8 weights w (d floats) as int16 q16 for ruv_kernels.dot_i16_u8; returns the factor
   back (sum w_i c_i ~ qinv sum q16_i c_i). The scale qs is the largest with |q16_i| <= 32767
   and 255 d max |q16_i| < 2^31 (so that the kernel's 32-bit sums are exact: the same scale as
   |q16_i| <= 32767 alone up to 256 dimensions); 0 for an all-zero w; -1 if a weight is not
   finite (tables of a hostile file: the caller keeps the f32 weights). Both passes vectorise:
   the largest |w_i| is an integer maximum of the bit patterns (ordered as the values are), the
   rounding a select and a truncation. */
static float ruv__code_sq8_q16(const float *w, size_t d, int16_t *q16) {
    uint32_t m = 0, m8[8] = {0, 0, 0, 0, 0, 0, 0, 0}, u;
    float mxf, qsf;
    double mx, qs, lim;
    size_t i, j;
    for (i = 0; i + 8 <= d; i += 8) /* eight independent lanes: no chain of dependent selects */
        for (j = 0; j < 8; j++) {
            memcpy(&u, w + i + j, sizeof u);
            u &= 0x7FFFFFFFu;
            m8[j] = u > m8[j] ? u : m8[j];
        }
    for (; i < d; i++) {
        memcpy(&u, w + i, sizeof u);
        u &= 0x7FFFFFFFu;
        m = u > m ? u : m;
    }
    for (j = 0; j < 8; j++)
        m = m8[j] > m ? m8[j] : m;
    if (m >= 0x7F800000u) /* NaN or inf */
        return -1.0f;
    if (m == 0) {
        memset(q16, 0, d * sizeof *q16);
        return 0.0f;
    }
    memcpy(&mxf, &m, sizeof mxf);
    mx = mxf;
    qs = 32767.0 / mx;
    lim = (2147483647.0 / 255.0 - (double)d) / ((double)d * mx); /* d <= RUV_MAX_DIM: > 0 */
    if (lim < qs)
        qs = lim;
    if (qs > 3.4028234663852886e38) /* tiny weights: the largest float scale */
        qs = 3.4028234663852886e38;
    /* to nearest, halves away from zero; qsf is qs rounded down so that no |w_i qsf| exceeds
       the bounds above */
    qsf = (float)qs;
    if ((double)qsf > qs)
        qsf = ruv__f32_prev(qsf);
    for (i = 0; i < d; i++) {
        float y = w[i] * qsf;
        y += y < 0.0f ? -0.5f : 0.5f;
        q16[i] = (int16_t)(int32_t)y;
    }
    return (float)(1.0 / (double)qsf);
}

/* Every field of p cleared, v set: each prep below then sets what it uses. */
static void ruv__code_prep_init(ruv__prep *p, const void *v) {
    p->v = v;
    p->c0 = p->qinv = 0.0f;
    p->q16 = NULL;
    p->pq_direct = p->bits = p->compact = 0;
    p->mixed = NULL;
    p->conv = NULL;
}

/* Prepares x (normalised for cosine) for ruv__dist_query_code into buf (idx->prep_len floats);
   scratch c->tmp[dim..]. q16: SQ8 distances through the int16 weights (queries and vectors being
   inserted, prepared once for many distances) rather than the f32 ones (stored vectors prepared
   for a few distances each by the neighbour selection: see ruv__code_prep_slot). */
static void ruv__code_prep_query(const ruv_index *idx, ruv_search_ctx *c, const void *xv,
                                 float *buf, int q16, ruv__prep *p) {
    const float *x = (const float *)xv;
    size_t d = idx->dim, i;
    ruv__code_prep_init(p, buf);
    p->compact = idx->wbits && !idx->cfg.walk_bits; /* binary vectors: their compact copy */
    switch (idx->cfg.quant) {
    case RUV_QUANT_NONE:
        p->v = xv;
        if (idx->cfg.dtype == RUV_DTYPE_BIN && d % 8) { /* bits past dim cleared */
            ruv__code_encode(idx, c, xv, (unsigned char *)buf);
            p->v = buf;
        }
        break;
    case RUV_QUANT_SQ8: {
        const float *lo = ruv__code_sq_lo(idx), *sc = ruv__code_sq_scale(idx);
        /* c0 only shifts every distance of this query alike: the f32 kernels' sums do */
        if (idx->cfg.metric == RUV_METRIC_L2SQ) {
            for (i = 0; i < d; i++)
                buf[i] = (x[i] - lo[i]) * sc[i];
            p->c0 = idx->kern.fn[RUV_OP_L2SQ][RUV_DTYPE_F32](x, lo, d);
        } else {
            for (i = 0; i < d; i++)
                buf[i] = x[i] * sc[i];
            p->c0 = idx->kern.fn[RUV_OP_DOT][RUV_DTYPE_F32](x, lo, d);
        }
        if (q16 && (p->qinv = ruv__code_sq8_q16(buf, d, (int16_t *)(void *)(buf + d))) >= 0.0f)
            p->q16 = (const int16_t *)(const void *)(buf + d);
        break;
    }
    case RUV_QUANT_PQ: {
        float *sub = c->tmp + d;
        int op = idx->ip ? RUV_OP_DOT : RUV_OP_L2SQ;
        for (i = 0; i < idx->cfg.pq_m; i++) {
            ruv__code_pq_gather(idx, x, i, sub);
            idx->kern.pq_lut(sub, ruv__code_pq_cent(idx, i), idx->dsub, op, buf + i * 256);
        }
        break;
    }
    default: /* F16, BF16, BIN: the query in the stored form */
        ruv__code_encode(idx, c, x, (unsigned char *)buf);
    }
}

/* PQ without a lookup table: squared L2 (or dot, for IP and cosine) between x, dim floats in
   sub-space order (sub-space j at x[j dsub ..]), and the centroids of code. dim operations
   instead of the 256 dim of building a table: for the few distances from one stored vector
   that HNSW's neighbour selection takes (on two decoded vectors this is the symmetric distance
   of Jegou et al. 2011). */
static float ruv__code_pq_direct(const ruv_index *idx, const float *x, const unsigned char *code) {
    size_t j, d, ds = idx->dsub;
    float r = 0.0f;
    for (j = 0; j < idx->cfg.pq_m; j++) {
        const float *cent = ruv__code_pq_cent(idx, j) + code[j], *xj = x + j * ds;
        for (d = 0; d < ds; d++) {
            float y = cent[d * 256];
            r += idx->ip ? xj[d] * y : (xj[d] - y) * (xj[d] - y);
        }
    }
    return r;
}

/* A custom metric's distance between two f32 vectors; NaN is taken as +infinity. */
static float ruv__dist_custom(const ruv_index *idx, const float *a, const void *b) {
    float d = idx->custom(idx->cfg.distance_user, a, (const float *)b, idx->dim);
    return d == d ? d : (float)HUGE_VAL;
}

/* opt.walk_bits: the query x (normalised for cosine) as bits, into c->nprep, prepared for the
   walk (Hamming distances to the slots' bits). */
static void ruv__code_prep_bits(const ruv_index *idx, ruv_search_ctx *c, const float *x,
                                ruv__prep *p) {
    ruv__code_sign_bits(x, ruv__code_walk_mean(idx), idx->dim, (unsigned char *)c->nprep);
    ruv__code_prep_init(p, c->nprep);
    p->bits = 1;
}

/* Whether an f32 query to a typed index (ruv_search_options.f32_query) can be measured: finite,
   with a squared norm of at most FLT_MAX / 4 (every metric: the kernels sum its squares). */
static int ruv__code_f32_ok(const ruv_index *idx, const float *q) {
    double nn = 0.0;
    size_t i;
    if (!ruv__vec_finite(q, idx->dim))
        return 0;
    for (i = 0; i < idx->dim; i++)
        nn += (double)q[i] * (double)q[i];
    return nn <= 3.4028234663852886e38 / 4.0;
}

/* Prepares the f32 query q to a typed (F16, BF16, I8, U8) index: distances by the f32 kernel of
   the metric's operation on the stored vector converted to f32 (exact) in c->tmp. */
static void ruv__code_prep_mixed(const ruv_index *idx, ruv_search_ctx *c, const float *q,
                                 ruv__prep *p) {
    ruv_op op =
        idx->cfg.metric == RUV_METRIC_COSINE ? RUV_OP_COS : ruv__index_metric_op(idx->cfg.metric);
    ruv__code_prep_init(p, q);
    p->mixed = idx->kern.fn[op][RUV_DTYPE_F32];
    p->conv = c->tmp;
}

/* ruv__dist_query_code for a prep of ruv__code_prep_mixed. */
static float ruv__dist_mixed(const ruv_index *idx, const ruv__prep *p, const unsigned char *code) {
    size_t i, d = idx->dim;
    float r, *x = p->conv;
    switch (idx->cfg.dtype) {
    case RUV_DTYPE_F16:
        idx->kern.f16_to_f32(code, x, d);
        break;
    case RUV_DTYPE_BF16:
        idx->kern.bf16_to_f32(code, x, d);
        break;
    case RUV_DTYPE_I8:
        for (i = 0; i < d; i++)
            x[i] = (float)((const int8_t *)(const void *)code)[i];
        break;
    default:
        for (i = 0; i < d; i++)
            x[i] = (float)code[i];
    }
    r = p->mixed(p->v, x, d);
    return idx->cfg.metric == RUV_METRIC_IP ? 1.0f - r : r;
}

/* What the distances of prep q read for slot s: its code, or its entry in the compact array
   (opt.walk_bits's bits, or the copy of a binary code). */
static const unsigned char *ruv__code_walk(const ruv_index *idx, const ruv__prep *q, uint32_t s) {
    return q->bits || q->compact ? idx->wbits + (size_t)s * idx->bits_bytes
                                 : ruv__slot_code(idx, s);
}

/* Distance from a prepared query to a stored code (ruv__code_walk), in the index metric's
   convention. */
static float ruv__dist_query_code(const ruv_index *idx, const ruv__prep *p,
                                  const unsigned char *code) {
    float r, t;
    if (p->bits)
        return idx->kern.fn[RUV_OP_HAMMING][RUV_DTYPE_BIN](p->v, code, idx->bits_bytes);
    if (p->mixed)
        return ruv__dist_mixed(idx, p, code);
    if (idx->custom)
        return ruv__dist_custom(idx, (const float *)p->v, code);
    if (idx->raw_dist) {
        r = idx->raw_dist(p->v, code, idx->raw_n);
        return idx->dot_based ? 1.0f - r : r;
    }
    if (idx->cfg.quant == RUV_QUANT_PQ) {
        r = p->pq_direct ? ruv__code_pq_direct(idx, (const float *)p->v, code)
                         : idx->kern.adc((const float *)p->v, code, idx->cfg.pq_m);
        return idx->dot_based ? 1.0f - r : r;
    }
    r = p->q16 ? (float)idx->kern.dot_i16_u8(p->q16, code, idx->dim) * p->qinv
               : idx->kern.dot_f32_u8((const float *)p->v, code, idx->dim);
    memcpy(&t, code + idx->sq_off, sizeof t);
    switch (idx->cfg.metric) {
    case RUV_METRIC_L2SQ:
        return p->c0 + t - 2.0f * r;
    case RUV_METRIC_IP:
        return 1.0f - (p->c0 + r);
    default:
        return 1.0f - (p->c0 + r) * t;
    }
}

/* Distances of p to the count slots from s0 on, into out: one call of the one-to-many kernel
   where the stored form has one (binary codes), else one ruv__dist_query_code per slot. */
static void ruv__dist_query_block(const ruv_index *idx, const ruv__prep *p, uint32_t s0,
                                  size_t count, float *out) {
    size_t i;
    if (idx->raw_many && !p->bits && !p->mixed)
        idx->raw_many(p->v, ruv__slot_code(idx, s0), idx->stride, idx->raw_n, count, out);
    else
        for (i = 0; i < count; i++)
            out[i] = ruv__dist_query_code(idx, p, ruv__slot_code(idx, s0 + (uint32_t)i));
}

/* Slot s prepared as a query (for distances between stored vectors): the code itself where the
   stored form is the prepared form, else decoded into c->tmp and prepared into c->nprep (also
   with f32 copies: both sides then carry the same quantization, which built better graphs). */
static void ruv__code_prep_slot(const ruv_index *idx, ruv_search_ctx *c, uint32_t s, ruv__prep *p) {
    const unsigned char *code = ruv__slot_code(idx, s);
    ruv__code_prep_init(p, code);
    if (idx->raw_dist || idx->custom)
        return;
    if (idx->cfg.quant == RUV_QUANT_PQ) { /* its centroids, gathered into sub-space order */
        size_t j, d, ds = idx->dsub;
        for (j = 0; j < idx->cfg.pq_m; j++)
            for (d = 0; d < ds; d++)
                c->nprep[j * ds + d] = ruv__code_pq_cent(idx, j)[d * 256 + code[j]];
        p->v = c->nprep;
        p->pq_direct = 1;
        return;
    }
    /* int16 weights only where the f32 x u8 kernel is slow (SIMD128 has no widening u8 -> f32
       load: about 5x the int16 one), else rounding costs more than the few distances save */
    if (idx->cfg.quant == RUV_QUANT_SQ8 && idx->cfg.metric == RUV_METRIC_L2SQ &&
        idx->kern.isa != RUV_ISA_WASM128) {
        /* L2: the weights straight from the code (its decoded vector x = lo + sc c): w = sc (x -
           lo) = sc^2 c and c0 = |x - lo|^2 = t, the code's own float; IP and cosine decode below */
        const float *sc = ruv__code_sq_scale(idx);
        float *w = c->nprep;
        size_t i, d = idx->dim;
        for (i = 0; i < d; i++)
            w[i] = sc[i] * (sc[i] * (float)code[i]);
        memcpy(&p->c0, code + idx->sq_off, sizeof p->c0);
        p->v = w;
        return;
    }
    ruv__code_decode(idx, code, c->tmp);
    if (idx->cfg.quant == RUV_QUANT_SQ8 && idx->cfg.metric == RUV_METRIC_COSINE) {
        size_t i;
        float t;
        memcpy(&t, code + idx->sq_off, sizeof t);
        for (i = 0; i < idx->dim; i++)
            c->tmp[i] *= t;
    }
    ruv__code_prep_query(idx, c, c->tmp, c->nprep, idx->kern.isa == RUV_ISA_WASM128, p);
}

/* Distance between two stored vectors a and b (via c->nprep). */
static float ruv__dist_slot_code(const ruv_index *idx, ruv_search_ctx *c, uint32_t a, uint32_t b) {
    ruv__prep p;
    ruv__code_prep_slot(idx, c, a, &p);
    return ruv__dist_query_code(idx, &p, ruv__slot_code(idx, b));
}

/* x (dim floats, normalised for cosine) as a re-ranking copy at out (cfg.rerank_dtype). */
static void ruv__code_copy_put(const ruv_index *idx, const float *x, unsigned char *out) {
    if (idx->cfg.rerank_dtype == RUV_DTYPE_F16)
        idx->kern.f32_to_f16(x, out, idx->dim);
    else if (idx->cfg.rerank_dtype == RUV_DTYPE_BF16)
        idx->kern.f32_to_bf16(x, out, idx->dim);
    else
        memcpy(out, x, idx->dim * sizeof *x);
}

/* Slot s's re-ranking copy as f32: the copy itself, or (f16 / bf16 copies) widened into buf
   (dim floats). */
static const float *ruv__code_copy(const ruv_index *idx, uint32_t s, float *buf) {
    const unsigned char *p = idx->fvec + (size_t)s * idx->fvec_bytes;
    if (idx->cfg.rerank_dtype == RUV_DTYPE_F16)
        idx->kern.f16_to_f32(p, buf, idx->dim);
    else if (idx->cfg.rerank_dtype == RUV_DTYPE_BF16)
        idx->kern.bf16_to_f32(p, buf, idx->dim);
    else
        return (const float *)(const void *)p;
    return buf;
}

/* Distance from q (normalised for cosine) to slot s by its re-ranking copy (widened into buf, dim
   floats, if not f32), or the stored vector of an unquantized f32 index: exact but for the
   rounding of f16 / bf16 copies. */
static float ruv__dist_query_f32(const ruv_index *idx, const float *q, uint32_t s, float *buf) {
    const float *v = idx->fvec ? ruv__code_copy(idx, s, buf)
                               : (const float *)(const void *)ruv__slot_code(idx, s);
    float r;
    if (idx->custom)
        return ruv__dist_custom(idx, q, v);
    r = idx->f32_dist(q, v, idx->dim);
    return idx->ip ? 1.0f - r : r;
}

/* Distance between slots a and b: exact where f32 vectors are kept, else on the codes. */
static float ruv__dist_slot_slot(const ruv_index *idx, ruv_search_ctx *c, uint32_t a, uint32_t b) {
    if ((idx->cfg.quant == RUV_QUANT_NONE && idx->cfg.dtype == RUV_DTYPE_F32) || idx->fvec) {
        const float *v = idx->fvec ? ruv__code_copy(idx, a, c->tmp)
                                   : (const float *)(const void *)ruv__slot_code(idx, a);
        return ruv__dist_query_f32(idx, v, b, c->tmp + idx->dim);
    }
    return ruv__dist_slot_code(idx, c, a, b);
}

/* The f32 vector of slot s (normalised for cosine): stored, its copy (widened into c->tmp if
   f16 / bf16), or decoded into c->tmp. */
static const float *ruv__code_f32(const ruv_index *idx, ruv_search_ctx *c, uint32_t s) {
    if (idx->cfg.quant == RUV_QUANT_NONE)
        return (const float *)(const void *)ruv__slot_code(idx, s);
    if (idx->fvec)
        return ruv__code_copy(idx, s, c->tmp);
    ruv__code_decode(idx, ruv__slot_code(idx, s), c->tmp);
    return c->tmp;
}

#endif /* RUV__IMPL */
