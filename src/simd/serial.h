/* Portable kernels (the reference every ISA is tested against), f16/bf16 conversions, the
   helpers shared by every ISA, and the macros that stamp kernels out per ISA. */
#ifdef RUV__SIMD_IMPL

/* >>conversions */
RUVDEF float ruv_f16_to_f32(uint16_t h) {
    uint32_t s = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1Fu, m = h & 0x3FFu, u;
    float f;
    if (e == 0x1F)
        u = s | 0x7F800000u | (m << 13);
    else if (e)
        u = s | ((e + 112u) << 23) | (m << 13);
    else {
        f = (float)m * 5.9604644775390625e-8f; /* m * 2^-24, exact */
        return s ? -f : f;
    }
    memcpy(&f, &u, sizeof f);
    return f;
}

RUVDEF uint16_t ruv_f32_to_f16(float f) {
    uint32_t u, a, s, e, m, r, rem, half, shift;
    memcpy(&u, &f, sizeof u);
    s = (u >> 16) & 0x8000u;
    a = u & 0x7FFFFFFFu;
    if (a > 0x7F800000u) /* NaN: keep the top payload bits, force quiet */
        return (uint16_t)(s | 0x7E00u | ((a >> 13) & 0x3FFu));
    if (a >= 0x477FF000u) /* >= 65520 (and inf) round to inf */
        return (uint16_t)(s | 0x7C00u);
    e = a >> 23;
    if (e >= 113) { /* normal f16 */
        m = a & 0x7FFFFFu;
        r = ((e - 112u) << 10) | (m >> 13);
        rem = m & 0x1FFFu;
        if (rem > 0x1000u || (rem == 0x1000u && (r & 1u)))
            r++;
        return (uint16_t)(s | r);
    }
    if (e < 102) /* below half the smallest subnormal: rounds to zero */
        return (uint16_t)s;
    m = (a & 0x7FFFFFu) | 0x800000u; /* subnormal f16: value / 2^-24 = m >> (126 - e) */
    shift = 126u - e;
    r = m >> shift;
    rem = m & ((1u << shift) - 1u);
    half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (r & 1u)))
        r++;
    return (uint16_t)(s | r);
}

RUVDEF float ruv_bf16_to_f32(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

RUVDEF uint16_t ruv_f32_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u)
        return (uint16_t)((u >> 16) | 0x40u);
    u += 0x7FFFu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

/* The array converters of the serial table: one scalar conversion per element. */
#define RUV__CONVERT_SERIAL(name, ST, DT, fn)                                                      \
    static void name(const void *src, void *dst, size_t n) {                                       \
        const ST *s = (const ST *)src;                                                             \
        DT *d = (DT *)dst;                                                                         \
        size_t i;                                                                                  \
        for (i = 0; i < n; i++)                                                                    \
            d[i] = fn(s[i]);                                                                       \
    }
RUV__CONVERT_SERIAL(ruv__f32_to_f16_serial, float, uint16_t, ruv_f32_to_f16)
RUV__CONVERT_SERIAL(ruv__f16_to_f32_serial, uint16_t, float, ruv_f16_to_f32)
RUV__CONVERT_SERIAL(ruv__f32_to_bf16_serial, float, uint16_t, ruv_f32_to_bf16)
RUV__CONVERT_SERIAL(ruv__bf16_to_f32_serial, uint16_t, float, ruv_bf16_to_f32)

/* >>shared */
/* Shared tail of every cosine kernel: 1 - ab / sqrt(aa * bb), in double so that aa * bb cannot
   overflow; 1 when a squared norm is below FLT_MIN (or zero). */
static float ruv__cos_finish(double ab, double aa, double bb) {
    double c;
    if (!(aa >= 1.17549435e-38) || !(bb >= 1.17549435e-38))
        return 1.0f;
    c = ab / sqrt(aa * bb);
    if (c > 1.0)
        c = 1.0;
    if (c < -1.0)
        c = -1.0;
    return (float)(1.0 - c);
}

static unsigned ruv__popcount64(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

/* Popcounts of a^b, a&b, a|b over bytes [i, n) (scalar tail of every binary kernel). */
static void ruv__bits_tail(const uint8_t *a, const uint8_t *b, size_t i, size_t n, uint64_t *x,
                           uint64_t *and_, uint64_t *or_) {
    for (; i + 8 <= n; i += 8) {
        uint64_t p, q;
        memcpy(&p, a + i, 8);
        memcpy(&q, b + i, 8);
        *x += ruv__popcount64(p ^ q);
        *and_ += ruv__popcount64(p & q);
        *or_ += ruv__popcount64(p | q);
    }
    for (; i < n; i++) {
        *x += ruv__popcount64((uint64_t)(a[i] ^ b[i]));
        *and_ += ruv__popcount64((uint64_t)(a[i] & b[i]));
        *or_ += ruv__popcount64((uint64_t)(a[i] | b[i]));
    }
}

#if RUV__HAS_X86 || RUV__HAS_NEON || RUV__HAS_WASM
/* Copies the last `bytes` bytes of each input into zeroed buffers of `cap` bytes, so that one
   more full-width step reads only those (zeros add nothing to any sum). */
static void ruv__pad_tail(void *ta, void *tb, const void *a, const void *b, size_t bytes,
                          size_t cap) {
    memset(ta, 0, cap);
    memset(tb, 0, cap);
    memcpy(ta, a, bytes);
    memcpy(tb, b, bytes);
}
#endif

static float ruv__jaccard_finish(uint64_t and_, uint64_t or_) {
    return or_ ? (float)(1.0 - (double)and_ / (double)or_) : 0.0f;
}

/* The binary kernels of ISA I, written once around its ruv__bits_I(a, b, n, jac, &x, &and, &or)
   (popcounts of a^b, or of a&b and a|b when jac): Hamming and Jaccard for one pair, and for one
   query against count codes stride bytes apart (the pair function inlined into the loop). */
#define RUV__BIN(I, TGT)                                                                           \
    TGT static float ruv__hamming_bin_##I(const void *a, const void *b, size_t n) {                \
        uint64_t x, an, o;                                                                         \
        ruv__bits_##I(a, b, n, 0, &x, &an, &o);                                                    \
        return (float)x;                                                                           \
    }                                                                                              \
    TGT static float ruv__jaccard_bin_##I(const void *a, const void *b, size_t n) {                \
        uint64_t x, an, o;                                                                         \
        ruv__bits_##I(a, b, n, 1, &x, &an, &o);                                                    \
        return ruv__jaccard_finish(an, o);                                                         \
    }                                                                                              \
    TGT static void ruv__hamming_many_##I(const void *q, const void *base, size_t stride,          \
                                          size_t n, size_t count, float *out) {                    \
        const unsigned char *p = (const unsigned char *)base;                                      \
        size_t i;                                                                                  \
        for (i = 0; i < count; i++, p += stride) {                                                 \
            uint64_t x, an, o;                                                                     \
            ruv__bits_##I(q, p, n, 0, &x, &an, &o);                                                \
            out[i] = (float)x;                                                                     \
        }                                                                                          \
    }                                                                                              \
    TGT static void ruv__jaccard_many_##I(const void *q, const void *base, size_t stride,          \
                                          size_t n, size_t count, float *out) {                    \
        const unsigned char *p = (const unsigned char *)base;                                      \
        size_t i;                                                                                  \
        for (i = 0; i < count; i++, p += stride) {                                                 \
            uint64_t x, an, o;                                                                     \
            ruv__bits_##I(q, p, n, 1, &x, &an, &o);                                                \
            out[i] = ruv__jaccard_finish(an, o);                                                   \
        }                                                                                          \
    }

/* Fills the binary kernels of ISA I (stamped by RUV__BIN). */
#define RUV__FILL_BIN(k, I)                                                                        \
    do {                                                                                           \
        (k)->fn[RUV_OP_HAMMING][RUV_DTYPE_BIN] = ruv__hamming_bin_##I;                             \
        (k)->fn[RUV_OP_JACCARD][RUV_DTYPE_BIN] = ruv__jaccard_bin_##I;                             \
        (k)->hamming_many = ruv__hamming_many_##I;                                                 \
        (k)->jaccard_many = ruv__jaccard_many_##I;                                                 \
    } while (0)

/* >>serial */
/* Element loaders: value i of array p as float. */
#define RUV__LD_F32(p, i) (((const float *)(p))[i])
#define RUV__LD_F16(p, i) ruv_f16_to_f32(((const uint16_t *)(p))[i])
#define RUV__LD_BF16(p, i) ruv_bf16_to_f32(((const uint16_t *)(p))[i])

/* Floating kernels over any element loader: 16 independent accumulators let the compiler keep
   the loop in vector registers without -ffast-math. */
#define RUV__SERIAL_FLOAT(T, LD)                                                                   \
    static float ruv__l2sq_##T##_serial(const void *a, const void *b, size_t n) {                  \
        float acc[16] = {0}, s = 0;                                                                \
        size_t i = 0, j;                                                                           \
        for (; i + 16 <= n; i += 16)                                                               \
            for (j = 0; j < 16; j++) {                                                             \
                float d = LD(a, i + j) - LD(b, i + j);                                             \
                acc[j] += d * d;                                                                   \
            }                                                                                      \
        for (j = 0; i < n; i++, j++) {                                                             \
            float d = LD(a, i) - LD(b, i);                                                         \
            acc[j] += d * d;                                                                       \
        }                                                                                          \
        for (j = 0; j < 16; j++)                                                                   \
            s += acc[j];                                                                           \
        return s;                                                                                  \
    }                                                                                              \
    static float ruv__dot_##T##_serial(const void *a, const void *b, size_t n) {                   \
        float acc[16] = {0}, s = 0;                                                                \
        size_t i = 0, j;                                                                           \
        for (; i + 16 <= n; i += 16)                                                               \
            for (j = 0; j < 16; j++)                                                               \
                acc[j] += LD(a, i + j) * LD(b, i + j);                                             \
        for (j = 0; i < n; i++, j++)                                                               \
            acc[j] += LD(a, i) * LD(b, i);                                                         \
        for (j = 0; j < 16; j++)                                                                   \
            s += acc[j];                                                                           \
        return s;                                                                                  \
    }                                                                                              \
    static float ruv__l1_##T##_serial(const void *a, const void *b, size_t n) {                    \
        float acc[16] = {0}, s = 0;                                                                \
        size_t i = 0, j;                                                                           \
        for (; i + 16 <= n; i += 16)                                                               \
            for (j = 0; j < 16; j++)                                                               \
                acc[j] += (float)fabs(LD(a, i + j) - LD(b, i + j));                                \
        for (j = 0; i < n; i++, j++)                                                               \
            acc[j] += (float)fabs(LD(a, i) - LD(b, i));                                            \
        for (j = 0; j < 16; j++)                                                                   \
            s += acc[j];                                                                           \
        return s;                                                                                  \
    }                                                                                              \
    static float ruv__cos_##T##_serial(const void *a, const void *b, size_t n) {                   \
        float ab[16] = {0}, aa[16] = {0}, bb[16] = {0};                                            \
        double sab = 0, saa = 0, sbb = 0;                                                          \
        size_t i = 0, j;                                                                           \
        for (; i + 16 <= n; i += 16)                                                               \
            for (j = 0; j < 16; j++) {                                                             \
                float x = LD(a, i + j), y = LD(b, i + j);                                          \
                ab[j] += x * y;                                                                    \
                aa[j] += x * x;                                                                    \
                bb[j] += y * y;                                                                    \
            }                                                                                      \
        for (j = 0; i < n; i++, j++) {                                                             \
            float x = LD(a, i), y = LD(b, i);                                                      \
            ab[j] += x * y;                                                                        \
            aa[j] += x * x;                                                                        \
            bb[j] += y * y;                                                                        \
        }                                                                                          \
        for (j = 0; j < 16; j++) {                                                                 \
            sab += ab[j];                                                                          \
            saa += aa[j];                                                                          \
            sbb += bb[j];                                                                          \
        }                                                                                          \
        return ruv__cos_finish(sab, saa, sbb);                                                     \
    }
RUV__SERIAL_FLOAT(f32, RUV__LD_F32)   /* ruv__l2sq_f32_serial, ruv__dot_f32_serial,
                                         ruv__l1_f32_serial, ruv__cos_f32_serial */
RUV__SERIAL_FLOAT(f16, RUV__LD_F16)   /* ruv__l2sq_f16_serial, ruv__dot_f16_serial,
                                         ruv__l1_f16_serial, ruv__cos_f16_serial */
RUV__SERIAL_FLOAT(bf16, RUV__LD_BF16) /* ruv__l2sq_bf16_serial, ruv__dot_bf16_serial,
                                         ruv__l1_bf16_serial, ruv__cos_bf16_serial */

/* Integer kernels: exact sums in 32-bit lanes, flushed to 64 bits every RUV__IBLOCK values. */
#define RUV__IBLOCK 32768u
#define RUV__SERIAL_INT(T, CT)                                                                     \
    static void ruv__sums_##T##_serial(const void *pa, const void *pb, size_t n, int64_t *ab,      \
                                       int64_t *aa, int64_t *bb, int64_t *l2, int64_t *l1) {       \
        const CT *a = (const CT *)pa, *b = (const CT *)pb;                                         \
        size_t i = 0;                                                                              \
        *ab = *aa = *bb = *l2 = *l1 = 0;                                                           \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            int32_t sab = 0, saa = 0, sbb = 0, sl2 = 0, sl1 = 0;                                   \
            for (; i < end; i++) {                                                                 \
                int32_t x = a[i], y = b[i], d = x - y;                                             \
                sab += x * y;                                                                      \
                saa += x * x;                                                                      \
                sbb += y * y;                                                                      \
                sl2 += d * d;                                                                      \
                sl1 += d < 0 ? -d : d;                                                             \
            }                                                                                      \
            *ab += sab, *aa += saa, *bb += sbb, *l2 += sl2, *l1 += sl1;                            \
        }                                                                                          \
    }                                                                                              \
    static float ruv__dot_##T##_serial(const void *a, const void *b, size_t n) {                   \
        const CT *x = (const CT *)a, *y = (const CT *)b;                                           \
        int64_t s = 0;                                                                             \
        size_t i = 0;                                                                              \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            int32_t t = 0;                                                                         \
            for (; i < end; i++)                                                                   \
                t += (int32_t)x[i] * (int32_t)y[i];                                                \
            s += t;                                                                                \
        }                                                                                          \
        return (float)s;                                                                           \
    }                                                                                              \
    static float ruv__l2sq_##T##_serial(const void *a, const void *b, size_t n) {                  \
        const CT *x = (const CT *)a, *y = (const CT *)b;                                           \
        int64_t s = 0;                                                                             \
        size_t i = 0;                                                                              \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            int32_t t = 0;                                                                         \
            for (; i < end; i++) {                                                                 \
                int32_t d = (int32_t)x[i] - (int32_t)y[i];                                         \
                t += d * d;                                                                        \
            }                                                                                      \
            s += t;                                                                                \
        }                                                                                          \
        return (float)s;                                                                           \
    }                                                                                              \
    static float ruv__l1_##T##_serial(const void *a, const void *b, size_t n) {                    \
        int64_t ab, aa, bb, l2, l1;                                                                \
        ruv__sums_##T##_serial(a, b, n, &ab, &aa, &bb, &l2, &l1);                                  \
        return (float)l1;                                                                          \
    }                                                                                              \
    static float ruv__cos_##T##_serial(const void *a, const void *b, size_t n) {                   \
        int64_t ab, aa, bb, l2, l1;                                                                \
        ruv__sums_##T##_serial(a, b, n, &ab, &aa, &bb, &l2, &l1);                                  \
        return ruv__cos_finish((double)ab, (double)aa, (double)bb);                                \
    }
RUV__SERIAL_INT(i8, int8_t)  /* ruv__dot_i8_serial, ruv__l2sq_i8_serial, ruv__l1_i8_serial,
                                ruv__cos_i8_serial, ruv__sums_i8_serial */
RUV__SERIAL_INT(u8, uint8_t) /* ruv__dot_u8_serial, ruv__l2sq_u8_serial, ruv__l1_u8_serial,
                                ruv__cos_u8_serial, ruv__sums_u8_serial */

#define RUV__NO_TARGET
static void ruv__bits_serial(const void *a, const void *b, size_t n, int jac, uint64_t *x,
                             uint64_t *an, uint64_t *o) {
    (void)jac;
    *x = *an = *o = 0;
    ruv__bits_tail((const uint8_t *)a, (const uint8_t *)b, 0, n, x, an, o);
}
RUV__BIN(serial, RUV__NO_TARGET) /* ruv__hamming_bin_serial, ruv__jaccard_bin_serial,
                                    ruv__hamming_many_serial, ruv__jaccard_many_serial */

/* Quantization kernels in portable C, stamped per ISA with its target attribute TGT so that the
   compiler may vectorise them (the loops over the 256 centroids have a fixed trip count). */
#define RUV__Q8DOT_C(I, TGT)                                                                       \
    TGT static float ruv__dot_f32_u8_##I(const float *a, const uint8_t *b, size_t n) {             \
        float s[4] = {0, 0, 0, 0};                                                                 \
        size_t i = 0;                                                                              \
        for (; i + 4 <= n; i += 4) {                                                               \
            s[0] += a[i] * (float)b[i];                                                            \
            s[1] += a[i + 1] * (float)b[i + 1];                                                    \
            s[2] += a[i + 2] * (float)b[i + 2];                                                    \
            s[3] += a[i + 3] * (float)b[i + 3];                                                    \
        }                                                                                          \
        for (; i < n; i++)                                                                         \
            s[0] += a[i] * (float)b[i];                                                            \
        return (s[0] + s[1]) + (s[2] + s[3]);                                                      \
    }
#define RUV__Q16DOT_C(I, TGT)                                                                      \
    TGT static int32_t ruv__dot_i16_u8_##I(const int16_t *a, const uint8_t *b, size_t n) {         \
        int64_t s = 0;                                                                             \
        size_t i;                                                                                  \
        for (i = 0; i < n; i++)                                                                    \
            s += (int32_t)a[i] * b[i];                                                             \
        return (int32_t)s;                                                                         \
    }
#define RUV__PQLUT_C(I, TGT)                                                                       \
    TGT static void ruv__pq_lut_##I(const float *q, const float *cent, size_t dsub, int op,        \
                                    float *out) {                                                  \
        size_t d, c;                                                                               \
        for (c = 0; c < 256; c++)                                                                  \
            out[c] = 0.0f;                                                                         \
        for (d = 0; d < dsub; d++) {                                                               \
            const float x = q[d], *r = cent + d * 256;                                             \
            if (op == RUV_OP_L2SQ)                                                                 \
                for (c = 0; c < 256; c++) {                                                        \
                    float t = x - r[c];                                                            \
                    out[c] += t * t;                                                               \
                }                                                                                  \
            else                                                                                   \
                for (c = 0; c < 256; c++)                                                          \
                    out[c] += x * r[c];                                                            \
        }                                                                                          \
    }
#define RUV__ADC_C(I, TGT)                                                                         \
    TGT static float ruv__adc_##I(const float *lut, const uint8_t *code, size_t m) {               \
        float s[4] = {0, 0, 0, 0};                                                                 \
        size_t j = 0;                                                                              \
        for (; j + 4 <= m; j += 4) {                                                               \
            s[0] += lut[j * 256 + code[j]];                                                        \
            s[1] += lut[(j + 1) * 256 + code[j + 1]];                                              \
            s[2] += lut[(j + 2) * 256 + code[j + 2]];                                              \
            s[3] += lut[(j + 3) * 256 + code[j + 3]];                                              \
        }                                                                                          \
        for (; j < m; j++)                                                                         \
            s[0] += lut[j * 256 + code[j]];                                                        \
        return (s[0] + s[1]) + (s[2] + s[3]);                                                      \
    }
#define RUV__QUANT_C(I, TGT)                                                                       \
    RUV__Q8DOT_C(I, TGT)                                                                           \
    RUV__Q16DOT_C(I, TGT)                                                                          \
    RUV__PQLUT_C(I, TGT)                                                                           \
    RUV__ADC_C(I, TGT)
#define RUV__FILL_QUANT(k, I)                                                                      \
    do {                                                                                           \
        (k)->dot_f32_u8 = ruv__dot_f32_u8_##I;                                                     \
        (k)->dot_i16_u8 = ruv__dot_i16_u8_##I;                                                     \
        (k)->pq_lut = ruv__pq_lut_##I;                                                             \
        (k)->adc = ruv__adc_##I;                                                                   \
    } while (0)

/* Fills the four numeric operations of storage type T for ISA I. */
#define RUV__FILL(k, T, DT, I)                                                                     \
    do {                                                                                           \
        (k)->fn[RUV_OP_L2SQ][DT] = ruv__l2sq_##T##_##I;                                            \
        (k)->fn[RUV_OP_DOT][DT] = ruv__dot_##T##_##I;                                              \
        (k)->fn[RUV_OP_COS][DT] = ruv__cos_##T##_##I;                                              \
        (k)->fn[RUV_OP_L1][DT] = ruv__l1_##T##_##I;                                                \
    } while (0)

/* The four numeric kernels (l2sq, dot, l1, cos) of storage type T on ISA I, written once for
   every ISA around its accumulate function:
     floating: ruv__acc_T_I(a, b, n, op, &r0, &r1, &r2) leaves vector sums of type VT (r0: the
               op's sum; r1, r2: |a|^2 and |b|^2 for cos), reduced by HSUM;
     integer:  ruv__isum_T_I(a, b, n, op, &s, &t, &u) leaves exact int64 sums.
   TGT is the ISA's target attribute (empty for none). */
#define RUV__FLOAT_WRAPPERS(T, I, TGT, VT, HSUM)                                                   \
    TGT static float ruv__run_##T##_##I(const void *a, const void *b, size_t n, int op) {          \
        VT s, t, u;                                                                                \
        ruv__acc_##T##_##I((const unsigned char *)a, (const unsigned char *)b, n, op, &s, &t, &u); \
        return op == RUV_OP_COS ? ruv__cos_finish(HSUM(s), HSUM(t), HSUM(u)) : HSUM(s);            \
    }                                                                                              \
    RUV__OP_WRAPPERS(T, I, TGT)
#define RUV__INT_WRAPPERS(T, I, TGT)                                                               \
    RUV__INT_RUN(T, I, TGT)                                                                        \
    RUV__OP_WRAPPERS(T, I, TGT)
/* Integer types of ISAs whose dot and l2sq have dedicated loops (named ruv__dot_T_I and
   ruv__l2sq_T_I like every kernel): the generic run, l1 and cos. */
#define RUV__INT_WRAPPERS_L1_COS(T, I, TGT)                                                        \
    RUV__INT_RUN(T, I, TGT)                                                                        \
    RUV__WRAP(l1, RUV_OP_L1, T, I, TGT)                                                            \
    RUV__WRAP(cos, RUV_OP_COS, T, I, TGT)
#define RUV__INT_RUN(T, I, TGT)                                                                    \
    TGT static float ruv__run_##T##_##I(const void *a, const void *b, size_t n, int op) {          \
        int64_t s, t, u;                                                                           \
        ruv__isum_##T##_##I(a, b, n, op, &s, &t, &u);                                              \
        return op == RUV_OP_COS ? ruv__cos_finish((double)s, (double)t, (double)u) : (float)s;     \
    }
/* ruv__OPN_T_I: kernel OP of storage type T on ISA I through ruv__run_T_I. */
#define RUV__WRAP(OPN, OP, T, I, TGT)                                                              \
    TGT static float ruv__##OPN##_##T##_##I(const void *a, const void *b, size_t n) {              \
        return ruv__run_##T##_##I(a, b, n, OP);                                                    \
    }
#define RUV__OP_WRAPPERS(T, I, TGT)                                                                \
    RUV__WRAP(l2sq, RUV_OP_L2SQ, T, I, TGT)                                                        \
    RUV__WRAP(dot, RUV_OP_DOT, T, I, TGT)                                                          \
    RUV__WRAP(l1, RUV_OP_L1, T, I, TGT)                                                            \
    RUV__WRAP(cos, RUV_OP_COS, T, I, TGT)
RUV__QUANT_C(serial, RUV__NO_TARGET) /* ruv__dot_f32_u8_serial, ruv__dot_i16_u8_serial,
                                        ruv__pq_lut_serial, ruv__adc_serial */

static void ruv__fill_serial(ruv_kernels *k) {
    memset(k, 0, sizeof *k);
    k->isa = RUV_ISA_SERIAL;
    RUV__FILL(k, f32, RUV_DTYPE_F32, serial);
    RUV__FILL(k, f16, RUV_DTYPE_F16, serial);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, serial);
    RUV__FILL(k, i8, RUV_DTYPE_I8, serial);
    RUV__FILL(k, u8, RUV_DTYPE_U8, serial);
    RUV__FILL_BIN(k, serial);
    k->f32_to_f16 = ruv__f32_to_f16_serial;
    k->f16_to_f32 = ruv__f16_to_f32_serial;
    k->f32_to_bf16 = ruv__f32_to_bf16_serial;
    k->bf16_to_f32 = ruv__bf16_to_f32_serial;
    RUV__FILL_QUANT(k, serial);
}

#endif /* RUV__SIMD_IMPL */
