/* Element types (ruv_index_options.dtype): f16, bf16, int8, uint8 and binary vectors given and
   stored as they are, against references computed here (squared L2, dot, L1 and popcounts in
   64-bit integers, cosine and Jaccard in double; halves decoded here and summed in double). With
   integer distances ties are common, so top-k checks compare distances: the k returned must be the
   k smallest reference distances. */
#include "test.h"

/* ---- references --------------------------------------------------------------------------- */
static double ref_int(ruv_metric m, ruv_dtype t, const void *a, const void *b, size_t dim) {
    const int8_t *ai = (const int8_t *)a, *bi = (const int8_t *)b;
    const uint8_t *au = (const uint8_t *)a, *bu = (const uint8_t *)b;
    int64_t s = 0, aa = 0, bb = 0;
    size_t i;
    for (i = 0; i < dim; i++) {
        int64_t x = t == RUV_DTYPE_I8 ? ai[i] : au[i], y = t == RUV_DTYPE_I8 ? bi[i] : bu[i];
        switch (m) {
        case RUV_METRIC_L2SQ:
            s += (x - y) * (x - y);
            break;
        case RUV_METRIC_L1:
            s += x > y ? x - y : y - x;
            break;
        default:
            s += x * y;
            aa += x * x;
            bb += y * y;
        }
    }
    if (m == RUV_METRIC_IP)
        return 1.0 - (double)s;
    if (m == RUV_METRIC_COSINE)
        return aa && bb ? 1.0 - (double)s / sqrt((double)aa * (double)bb) : 1.0;
    return (double)s;
}

/* An IEEE binary16 or bfloat16 (t) as a double, decoded here from its bits. */
static double half_value(ruv_dtype t, uint16_t h) {
    if (t == RUV_DTYPE_BF16) {
        uint32_t u = (uint32_t)h << 16;
        float f;
        memcpy(&f, &u, sizeof f);
        return (double)f;
    } else {
        int e = (h >> 10) & 31;
        double m = (double)(h & 1023), v = e ? ldexp(1024.0 + m, e - 25) : ldexp(m, -24);
        return h & 0x8000u ? -v : v;
    }
}

/* Reference distance between two vectors of halves, in double. */
static double ref_half(ruv_metric m, ruv_dtype t, const void *a, const void *b, size_t dim) {
    const uint16_t *ah = (const uint16_t *)a, *bh = (const uint16_t *)b;
    double s = 0.0, aa = 0.0, bb = 0.0;
    size_t i;
    for (i = 0; i < dim; i++) {
        double x = half_value(t, ah[i]), y = half_value(t, bh[i]);
        s += m == RUV_METRIC_L2SQ ? (x - y) * (x - y) : m == RUV_METRIC_L1 ? fabs(x - y) : x * y;
        aa += x * x;
        bb += y * y;
    }
    if (m == RUV_METRIC_IP)
        return 1.0 - s;
    if (m == RUV_METRIC_COSINE)
        return aa > 0.0 && bb > 0.0 ? 1.0 - s / sqrt(aa * bb) : 1.0;
    return s;
}

/* n random halves of type t with exponents 2^-3 .. 2^2 and random signs and mantissas. */
static uint16_t *random_halves(ruv_dtype t, size_t n, uint64_t seed) {
    uint16_t *h = (uint16_t *)malloc((n ? n : 1) * sizeof *h);
    size_t i;
    for (i = 0; h && i < n; i++) {
        uint64_t r = rng_next(&seed);
        unsigned e = (unsigned)(r >> 61) % 6, sign = (unsigned)(r >> 60) & 1u;
        h[i] = t == RUV_DTYPE_F16 ? (uint16_t)(sign << 15 | (12u + e) << 10 | (unsigned)(r & 1023u))
                                  : (uint16_t)(sign << 15 | (124u + e) << 7 | (unsigned)(r & 127u));
    }
    return h;
}

static int popcount8(unsigned v) {
    int c = 0;
    for (; v; v &= v - 1)
        c++;
    return c;
}

/* Hamming or Jaccard over the first dim bits (bits past dim ignored). */
static double ref_bits(ruv_metric m, const uint8_t *a, const uint8_t *b, size_t dim) {
    int64_t x = 0, an = 0, o = 0;
    size_t i;
    for (i = 0; i < (dim + 7) / 8; i++) {
        unsigned mask = i == dim / 8 && dim % 8 ? (1u << (dim % 8)) - 1u : 0xFFu;
        unsigned p = a[i] & mask, q = b[i] & mask;
        x += popcount8(p ^ q);
        an += popcount8(p & q);
        o += popcount8(p | q);
    }
    if (m == RUV_METRIC_HAMMING)
        return (double)x;
    return o ? 1.0 - (double)an / (double)o : 0.0;
}

static double ref_any(ruv_metric m, ruv_dtype t, const void *a, const void *b, size_t dim) {
    if (t == RUV_DTYPE_F16 || t == RUV_DTYPE_BF16)
        return ref_half(m, t, a, b, dim);
    return t == RUV_DTYPE_BIN ? ref_bits(m, (const uint8_t *)a, (const uint8_t *)b, dim)
                              : ref_int(m, t, a, b, dim);
}

/* Whether a returned distance matches the reference: exactly for integer sums, else within
   what f32 summation can move it. */
static int dist_ok(int exact, float got, double ref) {
    return exact ? (double)got == ref : fabs((double)got - ref) <= 1e-5 * (1.0 + fabs(ref));
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static size_t vec_bytes(ruv_dtype t, size_t dim) {
    return t == RUV_DTYPE_BIN                          ? (dim + 7) / 8
           : t == RUV_DTYPE_F16 || t == RUV_DTYPE_BF16 ? dim * 2
                                                       : dim;
}

static ruv_index *typed_index(ruv_dtype t, ruv_metric m, ruv_index_kind kind, size_t dim,
                              const uint8_t *base, size_t n) {
    ruv_index_options cfg = ruv_index_options_init((uint32_t)dim);
    ruv_index *idx = NULL;
    uint64_t *keys = (uint64_t *)malloc(n * sizeof *keys);
    size_t i;
    cfg.dtype = t;
    cfg.metric = m;
    cfg.kind = kind;
    if (!keys)
        return NULL;
    for (i = 0; i < n; i++)
        keys[i] = i;
    if (ruv_index_create(&cfg, &idx) != RUV_OK ||
        ruv_index_add_batch(idx, n, keys, base, NULL) != RUV_OK) {
        ruv_index_free(idx);
        idx = NULL;
    }
    free(keys);
    return idx;
}

static uint8_t *random_bytes(size_t n, uint64_t seed) {
    uint8_t *b = (uint8_t *)malloc(n ? n : 1);
    size_t i;
    for (i = 0; b && i < n; i++)
        b[i] = (uint8_t)(rng_next(&seed) >> 56);
    return b;
}

/* Searches nq queries (k = 10) on flat and HNSW indexes of (t, m) over base: flat distances
   equal the reference (exactly for integer results) and are the 10 smallest; returns HNSW's
   recall@10 by distance (a hit is a returned entry whose reference distance is at most the
   10th smallest). */
static double typed_check(ruv_dtype t, ruv_metric m, size_t dim, const uint8_t *base, size_t nb,
                          const uint8_t *qs, size_t nq, uint32_t ef) {
    size_t vb = vec_bytes(t, dim), q, i, hit = 0;
    ruv_index *flat = typed_index(t, m, RUV_INDEX_FLAT, dim, base, nb);
    ruv_index *hnsw = typed_index(t, m, RUV_INDEX_HNSW, dim, base, nb);
    double *d = (double *)malloc(nb * sizeof *d);
    int exact = m != RUV_METRIC_COSINE && m != RUV_METRIC_JACCARD && t != RUV_DTYPE_F16 &&
                t != RUV_DTYPE_BF16;
    ruv_search_options opt;
    memset(&opt, 0, sizeof opt);
    opt.ef_search = ef;
    if (!flat || !hnsw || !d) {
        g_failed_checks++;
        printf("  could not build the (%s, metric %d) indexes\n", ruv_dtype_name(t), (int)m);
        ruv_index_free(flat);
        ruv_index_free(hnsw);
        free(d);
        return 0;
    }
    for (q = 0; q < nq; q++) {
        const uint8_t *qv = qs + q * vb;
        ruv_hit h[10];
        size_t n;
        double kth;
        for (i = 0; i < nb; i++)
            d[i] = ref_any(m, t, qv, base + i * vb, dim);
        CHECK(ruv_index_search(flat, qv, 10, NULL, h, &n) == RUV_OK && n == 10);
        for (i = 0; i < n; i++)
            CHECK(dist_ok(exact, h[i].distance, ref_any(m, t, qv, base + h[i].key * vb, dim)));
        qsort(d, nb, sizeof *d, cmp_double);
        kth = d[9];
        for (i = 0; i < n; i++)
            CHECK(dist_ok(exact, h[i].distance, d[i]));
        CHECK(ruv_index_search(hnsw, qv, 10, &opt, h, &n) == RUV_OK && n == 10);
        for (i = 0; i < n; i++) {
            double r = ref_any(m, t, qv, base + h[i].key * vb, dim);
            CHECK(dist_ok(exact, h[i].distance, r));
            hit += r <= kth + (exact ? 0.0 : 1e-5 * (1.0 + fabs(kth)));
        }
    }
    ruv_index_free(flat);
    ruv_index_free(hnsw);
    free(d);
    return (double)hit / (double)(nq * 10);
}

TEST(dtype_int8) {
    static const ruv_metric ms[4] = {RUV_METRIC_L2SQ, RUV_METRIC_IP, RUV_METRIC_COSINE,
                                     RUV_METRIC_L1};
    size_t nb = 2000, dim = 48, nq = 20, mi, ti;
    for (ti = 0; ti < 2; ti++) {
        ruv_dtype t = ti ? RUV_DTYPE_U8 : RUV_DTYPE_I8;
        uint8_t *base = random_bytes(nb * dim, 141 + ti), *qs = random_bytes(nq * dim, 143 + ti);
        REQUIRE(base && qs);
        for (mi = 0; mi < 4; mi++) {
            double rec = typed_check(t, ms[mi], dim, base, nb, qs, nq, 64);
            printf("  %s metric %d: HNSW recall@10 %.4f (ef 64)\n", ruv_dtype_name(t), (int)ms[mi],
                   rec);
            CHECK(rec >= 0.95);
        }
        free(base);
        free(qs);
    }
}

/* F16 and BF16 vectors (halves given and stored as they are), every metric; NaN and infinite
   elements and (BF16) a squared norm beyond FLT_MAX / 4 refused in vectors and queries with the
   index unchanged; get_vector returns the halves given. */
TEST(dtype_half) {
    static const ruv_metric ms[4] = {RUV_METRIC_L2SQ, RUV_METRIC_IP, RUV_METRIC_COSINE,
                                     RUV_METRIC_L1};
    size_t nb = 2000, dim = 40, nq = 20, mi, ti, i;
    for (ti = 0; ti < 2; ti++) {
        ruv_dtype t = ti ? RUV_DTYPE_BF16 : RUV_DTYPE_F16;
        uint16_t *base = random_halves(t, nb * dim, 181 + ti);
        uint16_t *qs = random_halves(t, nq * dim, 183 + ti), bad[40], out[40];
        ruv_index *idx;
        ruv_hit h[3];
        size_t n;
        REQUIRE(base && qs);
        for (mi = 0; mi < 4; mi++) {
            double rec =
                typed_check(t, ms[mi], dim, (const uint8_t *)base, nb, (const uint8_t *)qs, nq, 64);
            printf("  %s metric %d: HNSW recall@10 %.4f (ef 64)\n", ruv_dtype_name(t), (int)ms[mi],
                   rec);
            CHECK(rec >= 0.95);
        }
        idx = typed_index(t, RUV_METRIC_L2SQ, RUV_INDEX_HNSW, dim, (const uint8_t *)base, 50);
        REQUIRE(idx);
        for (i = 0; i < 4; i++) { /* +inf, -inf, NaN, and (BF16) a huge norm or a large F16 */
            static const uint16_t f16v[4] = {0x7C00u, 0xFC00u, 0x7E01u, 0x7BFFu};
            static const uint16_t bf16v[4] = {0x7F80u, 0xFF80u, 0x7FC1u, 0x7F7Fu};
            ruv_result want = i < 3 || t == RUV_DTYPE_BF16 ? RUV_E_VALUE : RUV_OK;
            memcpy(bad, qs, sizeof bad);
            bad[7] = t == RUV_DTYPE_F16 ? f16v[i] : bf16v[i];
            CHECK(ruv_index_add(idx, 1000 + i, bad) == want);
            CHECK(ruv_index_update(idx, 3, bad) == (want == RUV_OK ? RUV_OK : want));
            CHECK(ruv_index_search(idx, bad, 3, NULL, h, &n) == want);
            if (want == RUV_OK) { /* 65504 is the largest finite F16: taken as it is */
                CHECK(ruv_index_get_vector(idx, 1000 + i, out) == RUV_OK &&
                      memcmp(out, bad, sizeof bad) == 0);
                CHECK(ruv_index_remove(idx, 1000 + i) == RUV_OK &&
                      ruv_index_update(idx, 3, base + 3 * dim) == RUV_OK);
            }
        }
        CHECK(ruv_index_count(idx) == 50);
        CHECK(ruv_index_get_vector(idx, 3, out) == RUV_OK &&
              memcmp(out, base + 3 * dim, sizeof out) == 0);
        CHECK(ruv_index_search(idx, base + 3 * dim, 3, NULL, h, &n) == RUV_OK && n == 3 &&
              h[0].key == 3 && h[0].distance == 0.0f);
        ruv_index_free(idx);
        { /* files: the type survives a round trip; an infinite element is refused on load */
            size_t len = 0, off, slen;
            unsigned char *b;
            ruv_index *back = NULL;
            idx = typed_index(t, RUV_METRIC_COSINE, RUV_INDEX_FLAT, dim, (const uint8_t *)base, 30);
            REQUIRE(idx);
            b = save_to_mem(idx, &len);
            REQUIRE(b);
            CHECK(b[10] == 1 && b[46] == t);
            CHECK(ruv_index_load_buffer(b, len, NULL, &back) == RUV_OK && back);
            CHECK(back && ruv_index_config(back).dtype == t &&
                  ruv_index_get_vector(back, 5, out) == RUV_OK &&
                  memcmp(out, base + 5 * dim, sizeof out) == 0);
            ruv_index_free(back);
            back = NULL;
            off = sec_off(b, FMT_S_SLOTS, &slen);
            REQUIRE(off && slen == 30 * (size_t)rd32le(b + 100));
            b[off + 2 * 7 + 1] = t == RUV_DTYPE_F16 ? 0x7Cu : 0x7Fu; /* slot 0, element 7 */
            b[off + 2 * 7] = t == RUV_DTYPE_F16 ? 0x00u : 0x80u;
            reseal(b, len);
            CHECK(ruv_index_load_buffer(b, len, NULL, &back) == RUV_E_CORRUPT && !back);
            free(b);
            ruv_index_free(idx);
        }
        free(base);
        free(qs);
    }
}

/* Element i of a typed vector (F16, BF16, I8, U8) as a double, decoded here. */
static double typed_value(ruv_dtype t, const void *v, size_t i) {
    switch (t) {
    case RUV_DTYPE_F16:
    case RUV_DTYPE_BF16:
        return half_value(t, ((const uint16_t *)v)[i]);
    case RUV_DTYPE_I8:
        return (double)((const int8_t *)v)[i];
    default:
        return (double)((const uint8_t *)v)[i];
    }
}

/* Reference distance between an f32 query and a typed vector, in double. */
static double ref_mixed(ruv_metric m, ruv_dtype t, const float *q, const void *b, size_t dim) {
    double s = 0.0, aa = 0.0, bb = 0.0;
    size_t i;
    for (i = 0; i < dim; i++) {
        double x = (double)q[i], y = typed_value(t, b, i);
        s += m == RUV_METRIC_L2SQ ? (x - y) * (x - y) : m == RUV_METRIC_L1 ? fabs(x - y) : x * y;
        aa += x * x;
        bb += y * y;
    }
    if (m == RUV_METRIC_IP)
        return 1.0 - s;
    if (m == RUV_METRIC_COSINE)
        return aa > 0.0 && bb > 0.0 ? 1.0 - s / sqrt(aa * bb) : 1.0;
    return s;
}

/* f32 queries to typed indexes (ruv_search_options.f32_query): for F16, BF16, I8 and U8 and
   every metric, flat hits are the 10 smallest reference distances (f32 query against the stored
   values decoded here, in double) and HNSW reaches recall@10 >= 0.95 at ef 64; range search on
   flat equals brute force; a batch of f32 queries (dim floats apart) equals single searches;
   refused: BIN (RUV_E_UNSUPPORTED), a flag above 1 (RUV_E_ARG), NaN or a huge norm
   (RUV_E_VALUE); the flag changes nothing on an f32 index. */
TEST(dtype_f32_query) {
    static const ruv_metric ms[4] = {RUV_METRIC_L2SQ, RUV_METRIC_IP, RUV_METRIC_COSINE,
                                     RUV_METRIC_L1};
    static const ruv_dtype ts[4] = {RUV_DTYPE_F16, RUV_DTYPE_BF16, RUV_DTYPE_I8, RUV_DTYPE_U8};
    size_t nb = 1500, dim = 32, nq = 12, ti, mi, q, i;
    float *qf = (float *)malloc(nq * dim * sizeof *qf);
    double *d = (double *)malloc(nb * sizeof *d);
    uint64_t seed = 191;
    ruv_search_options opt;
    REQUIRE(qf && d);
    memset(&opt, 0, sizeof opt);
    opt.f32_query = 1;
    for (ti = 0; ti < 4; ti++) {
        ruv_dtype t = ts[ti];
        size_t vb = vec_bytes(t, dim);
        void *base = t == RUV_DTYPE_F16 || t == RUV_DTYPE_BF16
                         ? (void *)random_halves(t, nb * dim, 193 + ti)
                         : (void *)random_bytes(nb * dim, 193 + ti);
        double scale = t == RUV_DTYPE_I8 || t == RUV_DTYPE_U8 ? 100.0 : 2.0;
        REQUIRE(base);
        for (i = 0; i < nq * dim; i++) /* in the range of the stored values */
            qf[i] = (float)(((double)(rng_next(&seed) >> 11) / 9007199254740992.0 -
                             (t == RUV_DTYPE_U8 ? 0.0 : 0.5)) *
                            scale);
        for (mi = 0; mi < 4; mi++) {
            ruv_metric m = ms[mi];
            ruv_index *flat = typed_index(t, m, RUV_INDEX_FLAT, dim, (const uint8_t *)base, nb);
            ruv_index *hnsw = typed_index(t, m, RUV_INDEX_HNSW, dim, (const uint8_t *)base, nb);
            size_t hit = 0, cnt[12];
            ruv_hit h[10], bh[12 * 10];
            REQUIRE(flat && hnsw);
            for (q = 0; q < nq; q++) {
                const float *qv = qf + q * dim;
                size_t n, inside = 0;
                double kth, radius;
                for (i = 0; i < nb; i++)
                    d[i] = ref_mixed(m, t, qv, (const uint8_t *)base + i * vb, dim);
                CHECK(ruv_index_search(flat, qv, 10, &opt, h, &n) == RUV_OK && n == 10);
                for (i = 0; i < n; i++)
                    CHECK(dist_ok(0, h[i].distance,
                                  ref_mixed(m, t, qv, (const uint8_t *)base + h[i].key * vb, dim)));
                {
                    double *sd = (double *)malloc(nb * sizeof *sd);
                    REQUIRE(sd);
                    memcpy(sd, d, nb * sizeof *sd);
                    qsort(sd, nb, sizeof *sd, cmp_double);
                    for (i = 0; i < n; i++)
                        CHECK(dist_ok(0, h[i].distance, sd[i]));
                    kth = sd[9];
                    radius = sd[29]; /* about 30 inside */
                    free(sd);
                }
                CHECK(ruv_index_search(hnsw, qv, 10, &opt, h, &n) == RUV_OK && n == 10);
                for (i = 0; i < n; i++)
                    hit += d[h[i].key] <= kth + 1e-5 * (1.0 + fabs(kth));
                /* range on flat: every entry within the radius (away from rounding ties) */
                {
                    ruv_hit rh[64];
                    size_t rn, lo = 0, hi = 0;
                    for (i = 0; i < nb; i++) {
                        lo += d[i] <= radius - 1e-5 * (1.0 + fabs(radius));
                        hi += d[i] <= radius + 1e-5 * (1.0 + fabs(radius));
                    }
                    CHECK(ruv_index_search_range(flat, qv, (float)radius, &opt, rh, 64, &rn) ==
                          RUV_OK);
                    CHECK(rn >= lo && rn <= hi);
                    for (i = 0; i < rn && i < 64; i++)
                        inside += d[rh[i].key] <= radius + 1e-5 * (1.0 + fabs(radius));
                    CHECK(inside == (rn < 64 ? rn : 64));
                }
            }
            printf("  %s metric %d, f32 queries: HNSW recall@10 %.4f (ef 64)\n", ruv_dtype_name(t),
                   (int)m, (double)hit / (double)(nq * 10));
            CHECK((double)hit / (double)(nq * 10) >= 0.95);
            CHECK(ruv_index_search_batch(hnsw, nq, qf, 10, &opt, bh, cnt) == RUV_OK);
            for (q = 0; q < nq; q++) {
                size_t n;
                CHECK(ruv_index_search(hnsw, qf + q * dim, 10, &opt, h, &n) == RUV_OK);
                CHECK(same_hits(h, n, bh + q * 10, cnt[q]));
            }
            if (mi == 0) { /* refusals leave the index as it was */
                float bad[32];
                size_t n;
                memcpy(bad, qf, sizeof bad);
                bad[3] = NAN;
                CHECK(ruv_index_search(flat, bad, 10, &opt, h, &n) == RUV_E_VALUE && n == 0);
                bad[3] = 1e30f;
                bad[4] = 1e30f;
                CHECK(ruv_index_search(hnsw, bad, 10, &opt, h, &n) == RUV_E_VALUE);
                opt.f32_query = 2;
                CHECK(ruv_index_search(flat, qf, 10, &opt, h, &n) == RUV_E_ARG);
                opt.f32_query = 1;
                CHECK(ruv_index_search(flat, qf, 10, &opt, h, &n) == RUV_OK && n == 10);
            }
            ruv_index_free(flat);
            ruv_index_free(hnsw);
        }
        free(base);
    }
    { /* BIN: refused; F32: the flag changes nothing */
        uint8_t bits[4 * 8];
        float fv[2 * 32];
        ruv_index *b, *f;
        ruv_hit h0[2], h1[2];
        size_t n0, n1;
        memset(bits, 0x5A, sizeof bits);
        b = typed_index(RUV_DTYPE_BIN, RUV_METRIC_HAMMING, RUV_INDEX_FLAT, 64, bits, 4);
        REQUIRE(b);
        CHECK(ruv_index_search(b, qf, 2, &opt, h0, &n0) == RUV_E_UNSUPPORTED);
        CHECK(ruv_index_search(b, bits, 2, NULL, h0, &n0) == RUV_OK && n0 == 2);
        ruv_index_free(b);
        for (i = 0; i < 64; i++)
            fv[i] = qf[i];
        f = make_index(RUV_METRIC_COSINE, RUV_INDEX_FLAT, 32, fv, 2);
        REQUIRE(f);
        CHECK(ruv_index_search(f, qf + 64, 2, &opt, h0, &n0) == RUV_OK);
        CHECK(ruv_index_search(f, qf + 64, 2, NULL, h1, &n1) == RUV_OK);
        CHECK(same_hits(h0, n0, h1, n1));
        ruv_index_free(f);
    }
    free(qf);
    free(d);
}

/* n binary vectors of vb bytes around 50 random centres, each bit flipped with probability 1/8
   (like the hashes of similar items; uniformly random bits have no near neighbours to find). */
static uint8_t *clustered_bits(size_t n, size_t vb, uint64_t seed) {
    uint8_t *c = random_bytes(50 * vb, seed), *v = (uint8_t *)malloc(n * vb);
    size_t i, j, b;
    for (i = 0; c && v && i < n; i++) {
        const uint8_t *ctr = c + (size_t)(rng_next(&seed) % 50) * vb;
        for (j = 0; j < vb; j++) {
            unsigned flip = 0;
            for (b = 0; b < 8; b++)
                flip |= (rng_next(&seed) >> 61 == 0 ? 1u : 0u) << b;
            v[i * vb + j] = (uint8_t)(ctr[j] ^ flip);
        }
    }
    free(c);
    return v;
}

TEST(dtype_binary) {
    size_t nb = 3000, nq = 20, di;
    static const size_t dims[2] = {256, 100}; /* 100: a partial last byte */
    for (di = 0; di < 2; di++) {
        size_t dim = dims[di], vb = (dim + 7) / 8;
        uint8_t *base = clustered_bits(nb + nq, vb, 151 + di), *qs; /* queries: the last nq */
        double rec;
        REQUIRE(base);
        qs = base + nb * vb;
        rec = typed_check(RUV_DTYPE_BIN, RUV_METRIC_HAMMING, dim, base, nb, qs, nq, 64);
        printf("  bin %zu Hamming: HNSW recall@10 %.4f (ef 64)\n", dim, rec);
        CHECK(rec >= 0.95);
        rec = typed_check(RUV_DTYPE_BIN, RUV_METRIC_JACCARD, dim, base, nb, qs, nq, 64);
        printf("  bin %zu Jaccard: HNSW recall@10 %.4f (ef 64)\n", dim, rec);
        CHECK(rec >= 0.95);
        /* the stored vector comes back with the bits past dim cleared */
        {
            ruv_index *idx =
                typed_index(RUV_DTYPE_BIN, RUV_METRIC_HAMMING, RUV_INDEX_FLAT, dim, base, 10);
            uint8_t out[40], want[40];
            REQUIRE(idx);
            memset(out, 0xAA, sizeof out);
            memcpy(want, base + 3 * vb, vb);
            if (dim % 8)
                want[dim / 8] = (uint8_t)(want[dim / 8] & ((1u << (dim % 8)) - 1u));
            CHECK(ruv_index_get_vector(idx, 3, out) == RUV_OK);
            CHECK(memcmp(out, want, vb) == 0 && out[vb] == 0xAA);
            ruv_index_free(idx);
        }
        free(base);
    }
}

/* MNIST digits binarised at pixel > 127 (784 bits): Hamming and Jaccard. */
TEST(dtype_binary_mnist) {
    size_t nb, dim, nq, qd, i, j, vb;
    float *fb = load_f(0, "mnist_base.fvecs", 0, &nb, &dim);
    float *fq = load_f(0, "mnist_query.fvecs", 50, &nq, &qd);
    uint8_t *base, *qs;
    double rec;
    REQUIRE(fb && fq && qd == dim);
    vb = (dim + 7) / 8;
    base = (uint8_t *)calloc(nb, vb);
    qs = (uint8_t *)calloc(nq, vb);
    REQUIRE(base && qs);
    for (i = 0; i < nb; i++)
        for (j = 0; j < dim; j++)
            if (fb[i * dim + j] > 127.0f)
                base[i * vb + j / 8] = (uint8_t)(base[i * vb + j / 8] | 1u << (j % 8));
    for (i = 0; i < nq; i++)
        for (j = 0; j < dim; j++)
            if (fq[i * dim + j] > 127.0f)
                qs[i * vb + j / 8] = (uint8_t)(qs[i * vb + j / 8] | 1u << (j % 8));
    rec = typed_check(RUV_DTYPE_BIN, RUV_METRIC_HAMMING, dim, base, nb, qs, nq, 64);
    printf("  MNIST %zu x 784 bits, Hamming: HNSW recall@10 %.4f (ef 64)\n", nb, rec);
    CHECK(rec >= 0.95);
    rec = typed_check(RUV_DTYPE_BIN, RUV_METRIC_JACCARD, dim, base, nb, qs, nq, 64);
    printf("  MNIST bits, Jaccard: HNSW recall@10 %.4f (ef 64)\n", rec);
    CHECK(rec >= 0.95);
    free(fb);
    free(fq);
    free(base);
    free(qs);
}

/* Every (type, metric, storage) outside the table is refused at create time. */
TEST(dtype_options) {
    static const struct {
        ruv_dtype t;
        ruv_metric m;
        ruv_quant q;
        ruv_result want;
    } c[] = {
        {RUV_DTYPE_BIN, RUV_METRIC_L2SQ, RUV_QUANT_NONE, RUV_E_UNSUPPORTED},
        {RUV_DTYPE_BIN, RUV_METRIC_COSINE, RUV_QUANT_NONE, RUV_E_UNSUPPORTED},
        {RUV_DTYPE_F32, RUV_METRIC_HAMMING, RUV_QUANT_NONE, RUV_E_UNSUPPORTED},
        {RUV_DTYPE_F32, RUV_METRIC_JACCARD, RUV_QUANT_BIN, RUV_E_UNSUPPORTED},
        {RUV_DTYPE_I8, RUV_METRIC_HAMMING, RUV_QUANT_NONE, RUV_E_UNSUPPORTED},
        {RUV_DTYPE_I8, RUV_METRIC_L2SQ, RUV_QUANT_SQ8, RUV_E_UNSUPPORTED},
        {RUV_DTYPE_U8, RUV_METRIC_IP, RUV_QUANT_F16, RUV_E_UNSUPPORTED},
        {RUV_DTYPE_F16, RUV_METRIC_L2SQ, RUV_QUANT_SQ8, RUV_E_UNSUPPORTED},
        {RUV_DTYPE_BF16, RUV_METRIC_HAMMING, RUV_QUANT_NONE, RUV_E_UNSUPPORTED},
        {RUV_DTYPE_F16, RUV_METRIC_CUSTOM, RUV_QUANT_NONE, RUV_E_ARG}, /* no function */
        {RUV_DTYPE_BF16, RUV_METRIC_L1, RUV_QUANT_NONE, RUV_OK},
        {(ruv_dtype)6, RUV_METRIC_L2SQ, RUV_QUANT_NONE, RUV_E_ARG},
        {RUV_DTYPE_BIN, (ruv_metric)7, RUV_QUANT_NONE, RUV_E_ARG},
        {RUV_DTYPE_I8, RUV_METRIC_L1, RUV_QUANT_NONE, RUV_OK},
        {RUV_DTYPE_BIN, RUV_METRIC_JACCARD, RUV_QUANT_NONE, RUV_OK},
    };
    size_t i, k;
    for (i = 0; i < sizeof c / sizeof c[0]; i++)
        for (k = 0; k < 2; k++) {
            ruv_index_options cfg = ruv_index_options_init(16);
            ruv_index *idx = NULL;
            ruv_result r;
            cfg.dtype = c[i].t;
            cfg.metric = c[i].m;
            cfg.quant = c[i].q;
            cfg.kind = k ? RUV_INDEX_HNSW : RUV_INDEX_FLAT;
            r = ruv_index_create(&cfg, &idx);
            if (r != c[i].want)
                printf("  case %zu kind %zu: %d, expected %d\n", i, k, (int)r, (int)c[i].want);
            CHECK(r == c[i].want && (r == RUV_OK) == (idx != NULL));
            if (idx)
                CHECK(ruv_index_config(idx).dtype == c[i].t);
            ruv_index_free(idx);
        }
    /* the store with typed vectors: add, upsert, update, get_vector, search, remove */
    {
        ruv_index_options cfg = ruv_index_options_init(5);
        ruv_index *idx = NULL;
        int8_t a[5] = {1, -2, 3, -4, 5}, b[5] = {-128, 127, 0, 0, 0}, out[5];
        ruv_hit h[2];
        size_t n;
        cfg.dtype = RUV_DTYPE_I8;
        cfg.kind = RUV_INDEX_HNSW;
        REQUIRE(ruv_index_create(&cfg, &idx) == RUV_OK);
        CHECK(ruv_index_add(idx, 7, a) == RUV_OK);
        CHECK(ruv_index_add(idx, 7, b) == RUV_E_EXISTS);
        CHECK(ruv_index_upsert(idx, 8, b) == RUV_OK);
        CHECK(ruv_index_update(idx, 7, b) == RUV_OK);
        CHECK(ruv_index_get_vector(idx, 7, out) == RUV_OK && memcmp(out, b, 5) == 0);
        CHECK(ruv_index_search(idx, a, 2, NULL, h, &n) == RUV_OK && n == 2);
        CHECK(h[0].distance == (float)ref_int(RUV_METRIC_L2SQ, RUV_DTYPE_I8, a, b, 5));
        CHECK(ruv_index_remove(idx, 8) == RUV_OK && ruv_index_count(idx) == 1);
        ruv_index_free(idx);
    }
}

/* Typed indexes survive save, load and view (same hits; the file says 1.1), and the loader
   refuses a binary vector with bits set past dim, an unknown type and a type-metric pair
   outside the table. */
TEST(dtype_persist) {
    size_t nb = 400, dim = 20, vb = 3, len = 0, i, q;
    uint8_t *base = random_bytes(nb * vb, 161);
    ruv_index *idx, *back = NULL, *view = NULL;
    unsigned char *b, *b2;
    REQUIRE(base);
    for (i = 0; i < nb; i++) /* bits past dim 20 are ignored on insert */
        base[i * vb + 2] = (uint8_t)(base[i * vb + 2] | 0xF0u);
    idx = typed_index(RUV_DTYPE_BIN, RUV_METRIC_HAMMING, RUV_INDEX_HNSW, dim, base, nb);
    REQUIRE(idx);
    b = save_to_mem(idx, &len);
    REQUIRE(b);
    CHECK(b[10] == 1 && b[46] == RUV_DTYPE_BIN);
    CHECK(ruv_index_load_buffer(b, len, NULL, &back) == RUV_OK && back);
    CHECK(ruv_index_view(b, len, NULL, &view) == RUV_OK && view);
    for (q = 0; back && view && q < 20; q++) {
        ruv_hit h0[10], h1[10], h2[10];
        size_t n0, n1, n2;
        CHECK(ruv_index_search(idx, base + q * vb, 10, NULL, h0, &n0) == RUV_OK);
        CHECK(ruv_index_search(back, base + q * vb, 10, NULL, h1, &n1) == RUV_OK);
        CHECK(ruv_index_search(view, base + q * vb, 10, NULL, h2, &n2) == RUV_OK);
        CHECK(same_hits(h0, n0, h1, n1) && same_hits(h0, n0, h2, n2));
        CHECK(n0 == 10 && h0[0].distance == 0.0f);
    }
    ruv_index_free(back);
    ruv_index_free(view);
    back = NULL;
    b2 = (unsigned char *)malloc(len);
    REQUIRE(b2);
    { /* a padding bit set in slot 0's vector (it starts at the slot's vector offset) */
        size_t off, slen;
        uint32_t stride = rd32le(b + 100);
        off = sec_off(b, FMT_S_SLOTS, &slen);
        REQUIRE(off && slen == nb * stride);
        memcpy(b2, b, len);
        /* HNSW, M 16: the vector follows the level-0 list (4 + 32 x 4 bytes, padded to 144) */
        b2[off + 144 + 2] = (unsigned char)(b2[off + 144 + 2] | 0x80u);
        reseal(b2, len);
        CHECK(ruv_index_load_buffer(b2, len, NULL, &back) == RUV_E_CORRUPT && !back);
    }
    memcpy(b2, b, len);
    b2[46] = 9; /* unknown type */
    reseal(b2, len);
    CHECK(ruv_index_load_buffer(b2, len, NULL, &back) == RUV_E_CORRUPT && !back);
    memcpy(b2, b, len);
    wr32le(b2 + 36, RUV_METRIC_L2SQ); /* bits with L2 */
    reseal(b2, len);
    CHECK(ruv_index_load_buffer(b2, len, NULL, &back) == RUV_E_CORRUPT && !back);
    free(b2);
    free(b);
    ruv_index_free(idx);
    free(base);
}

/* A file of an HNSW index over binary vectors written before the compact copy of its codes
   existed (format 1.1 without section 14; the fuzz seed of commit f04978d) still loads (the
   copy rebuilt from the slots) and views (the walk reads the slots), with the same results; the
   loaded index saves with the copy, that file loads too, and the view saves the same bytes. */
TEST(dtype_binary_old_file) {
    size_t len = 0, len2 = 0, q;
    unsigned char *b = load_bytes("hnsw-bin-jaccard-1.1-no-section14.ruv", &len), *b2;
    ruv_index *ld = NULL, *vw = NULL, *ld2 = NULL;
    ruv_index_options c;
    REQUIRE(b);
    CHECK(ruv_index_load_buffer(b, len, NULL, &ld) == RUV_OK && ld);
    CHECK(ruv_index_view(b, len, NULL, &vw) == RUV_OK && vw);
    REQUIRE(ld && vw);
    c = ruv_index_config(ld);
    CHECK(c.dtype == RUV_DTYPE_BIN && c.kind == RUV_INDEX_HNSW && ruv_index_count(ld) > 10);
    for (q = 0; q < 8; q++) {
        uint8_t v[8];
        ruv_hit h0[5], h1[5];
        size_t n0, n1, i;
        for (i = 0; i < sizeof v; i++)
            v[i] = (uint8_t)(q * 37 + i * 11);
        v[2] &= 0x0F; /* dim 20: bits past it clear */
        CHECK(ruv_index_search(ld, v, 5, NULL, h0, &n0) == RUV_OK && n0 == 5);
        CHECK(ruv_index_search(vw, v, 5, NULL, h1, &n1) == RUV_OK);
        CHECK(same_hits(h0, n0, h1, n1));
    }
    b2 = save_to_mem(ld, &len2);
    REQUIRE(b2);
    CHECK(len2 > len && ruv_index_load_buffer(b2, len2, NULL, &ld2) == RUV_OK && ld2);
    ruv_index_free(ld2);
    { /* the view (no copy: it reads the slots) saves the same bytes as the loaded index */
        size_t len3 = 0;
        unsigned char *b3 = save_to_mem(vw, &len3);
        CHECK(b3 && len3 == len2 && memcmp(b2, b3, len2) == 0);
        free(b3);
    }
    ruv_index_free(ld);
    ruv_index_free(vw);
    free(b2);
    free(b);
}

static int even_key(void *user, uint64_t key) {
    (void)user;
    return key % 2 == 0;
}

/* The other search paths on typed indexes: range (exact on flat, against the reference),
   batches of typed queries (vectors of the type's size back to back) equal single searches,
   filters, and MMR with lambda 1 (the plain order). */
TEST(dtype_search_paths) {
    size_t nb = 500, dim = 70, vb = 9, nq = 6, q, i, n, cnt[6];
    uint8_t *base = random_bytes(nb * vb, 171), *qs = random_bytes(nq * vb, 172);
    ruv_index *bits, *u8;
    ruv_hit h[64], bh[6 * 5], m[5];
    ruv_search_options opt;
    REQUIRE(base && qs);
    bits = typed_index(RUV_DTYPE_BIN, RUV_METRIC_HAMMING, RUV_INDEX_FLAT, dim, base, nb);
    u8 = typed_index(RUV_DTYPE_U8, RUV_METRIC_L2SQ, RUV_INDEX_HNSW, vb, base, nb);
    REQUIRE(bits && u8);
    memset(&opt, 0, sizeof opt);
    opt.filter = even_key;
    for (q = 0; q < nq; q++) {
        const uint8_t *qv = qs + q * vb;
        double d[500], r;
        size_t inside = 0, inside_even = 0;
        for (i = 0; i < nb; i++)
            d[i] = ref_bits(RUV_METRIC_HAMMING, qv, base + i * vb, dim);
        r = 28; /* a Hamming radius holding a few of 500 random 70-bit vectors */
        for (i = 0; i < nb; i++) {
            inside += d[i] <= r;
            inside_even += d[i] <= r && i % 2 == 0;
        }
        CHECK(inside > 0 && inside_even < inside);
        CHECK(ruv_index_search_range(bits, qv, (float)r, NULL, h, 64, &n) == RUV_OK);
        CHECK(n == inside);
        for (i = 0; i < n && i < 64; i++)
            CHECK((double)h[i].distance == d[h[i].key] && d[h[i].key] <= r);
        CHECK(ruv_index_search_range(bits, qv, (float)r, &opt, h, 64, &n) == RUV_OK);
        CHECK(n == inside_even);
        for (i = 0; i < n && i < 64; i++)
            CHECK(h[i].key % 2 == 0);
        /* MMR with lambda 1 keeps the nearest order */
        CHECK(ruv_index_search(u8, qv, 5, NULL, h, &n) == RUV_OK && n == 5);
        CHECK(ruv_index_search_mmr(u8, qv, 5, 1.0f, 20, NULL, m, &n) == RUV_OK && n == 5);
        for (i = 0; i < 5; i++)
            CHECK(m[i].key == h[i].key && m[i].distance == h[i].distance);
    }
    CHECK(ruv_index_search_batch(u8, nq, qs, 5, NULL, bh, cnt) == RUV_OK);
    for (q = 0; q < nq; q++) {
        CHECK(ruv_index_search(u8, qs + q * vb, 5, NULL, h, &n) == RUV_OK);
        CHECK(same_hits(h, n, bh + q * 5, cnt[q]));
        CHECK(h[0].distance ==
              (float)ref_int(RUV_METRIC_L2SQ, RUV_DTYPE_U8, qs + q * vb, base + h[0].key * vb, vb));
    }
    ruv_index_free(bits);
    ruv_index_free(u8);
    free(base);
    free(qs);
}
