/* AVX2 + FMA + F16C kernels (Haswell and later). */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_X86
RUV__X86_BEGIN

/* ---- AVX2 --------------------------------------------------------------------------------- */
RUV__T_AVX2 static float ruv__hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

RUV__T_AVX2 static int64_t ruv__hsum8i(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    int32_t t[4];
    _mm_storeu_si128((__m128i *)(void *)t, s);
    return (int64_t)t[0] + t[1] + t[2] + t[3];
}

/* Sum of the 4 unsigned 64-bit lanes. */
RUV__T_AVX2 static uint64_t ruv__hsum4u64(__m256i v) {
    __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return (uint64_t)_mm_cvtsi128_si64(s) + (uint64_t)_mm_extract_epi64(s, 1);
}

/* Sum of the 8 lanes, for sums known to fit in 32 bits. */
RUV__T_AVX2 static int32_t ruv__hsum8i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

/* 8 elements from p (already offset) as 8 floats. */
#define RUV__A2_F32(p) _mm256_loadu_ps((const float *)(const void *)(p))
#define RUV__A2_F16(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(p)))
#define RUV__A2_BF16(p)                                                                            \
    _mm256_castsi256_ps(_mm256_slli_epi32(                                                         \
        _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p))), 16))

/* Floating kernels: 32 elements per iteration in 4 accumulators; the tail (< 8 elements) is
   copied into zeroed buffers, which add nothing to any of the sums. ES = element size. */
#define RUV__A2_FLOAT(T, ES, LD)                                                                   \
    RUV__T_AVX2 static void ruv__acc_##T##_avx2(const unsigned char *a, const unsigned char *b,    \
                                                size_t n, int op, __m256 *r0, __m256 *r1,          \
                                                __m256 *r2) {                                      \
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, u0 = s0,     \
               u1 = s0;                                                                            \
        const __m256 sign = _mm256_set1_ps(-0.0f);                                                 \
        unsigned char ta[8 * ES], tb[8 * ES];                                                      \
        size_t i = 0;                                                                              \
        if (op == RUV_OP_COS) {                                                                    \
            for (; i + 16 <= n; i += 16) {                                                         \
                __m256 x = LD(a + i * ES), y = LD(b + i * ES);                                     \
                __m256 x1 = LD(a + (i + 8) * ES), y1 = LD(b + (i + 8) * ES);                       \
                s0 = _mm256_fmadd_ps(x, y, s0);                                                    \
                t0 = _mm256_fmadd_ps(x, x, t0);                                                    \
                u0 = _mm256_fmadd_ps(y, y, u0);                                                    \
                s2 = _mm256_fmadd_ps(x1, y1, s2);                                                  \
                t1 = _mm256_fmadd_ps(x1, x1, t1);                                                  \
                u1 = _mm256_fmadd_ps(y1, y1, u1);                                                  \
            }                                                                                      \
        } else {                                                                                   \
            for (; i + 32 <= n; i += 32) {                                                         \
                __m256 x0 = LD(a + i * ES), y0 = LD(b + i * ES);                                   \
                __m256 x1 = LD(a + (i + 8) * ES), y1 = LD(b + (i + 8) * ES);                       \
                __m256 x2 = LD(a + (i + 16) * ES), y2 = LD(b + (i + 16) * ES);                     \
                __m256 x3 = LD(a + (i + 24) * ES), y3 = LD(b + (i + 24) * ES);                     \
                if (op == RUV_OP_DOT) {                                                            \
                    s0 = _mm256_fmadd_ps(x0, y0, s0);                                              \
                    s1 = _mm256_fmadd_ps(x1, y1, s1);                                              \
                    s2 = _mm256_fmadd_ps(x2, y2, s2);                                              \
                    s3 = _mm256_fmadd_ps(x3, y3, s3);                                              \
                } else if (op == RUV_OP_L2SQ) {                                                    \
                    x0 = _mm256_sub_ps(x0, y0), x1 = _mm256_sub_ps(x1, y1);                        \
                    x2 = _mm256_sub_ps(x2, y2), x3 = _mm256_sub_ps(x3, y3);                        \
                    s0 = _mm256_fmadd_ps(x0, x0, s0);                                              \
                    s1 = _mm256_fmadd_ps(x1, x1, s1);                                              \
                    s2 = _mm256_fmadd_ps(x2, x2, s2);                                              \
                    s3 = _mm256_fmadd_ps(x3, x3, s3);                                              \
                } else {                                                                           \
                    s0 = _mm256_add_ps(s0, _mm256_andnot_ps(sign, _mm256_sub_ps(x0, y0)));         \
                    s1 = _mm256_add_ps(s1, _mm256_andnot_ps(sign, _mm256_sub_ps(x1, y1)));         \
                    s2 = _mm256_add_ps(s2, _mm256_andnot_ps(sign, _mm256_sub_ps(x2, y2)));         \
                    s3 = _mm256_add_ps(s3, _mm256_andnot_ps(sign, _mm256_sub_ps(x3, y3)));         \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (; i < n; i += 8) {                                                                    \
            const unsigned char *pa = a + i * ES, *pb = b + i * ES;                                \
            __m256 x, y;                                                                           \
            if (n - i < 8) {                                                                       \
                ruv__pad_tail(ta, tb, pa, pb, (n - i) * ES, sizeof ta);                            \
                pa = ta, pb = tb;                                                                  \
            }                                                                                      \
            x = LD(pa), y = LD(pb);                                                                \
            if (op == RUV_OP_DOT || op == RUV_OP_COS) {                                            \
                t1 = _mm256_fmadd_ps(x, x, t1);                                                    \
                u1 = _mm256_fmadd_ps(y, y, u1);                                                    \
                s1 = _mm256_fmadd_ps(x, y, s1);                                                    \
            } else if (op == RUV_OP_L2SQ) {                                                        \
                x = _mm256_sub_ps(x, y);                                                           \
                s1 = _mm256_fmadd_ps(x, x, s1);                                                    \
            } else                                                                                 \
                s1 = _mm256_add_ps(s1, _mm256_andnot_ps(sign, _mm256_sub_ps(x, y)));               \
        }                                                                                          \
        *r0 = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));                         \
        *r1 = _mm256_add_ps(t0, t1);                                                               \
        *r2 = _mm256_add_ps(u0, u1);                                                               \
    }                                                                                              \
    RUV__FLOAT_WRAPPERS(T, avx2, RUV__T_AVX2, __m256, ruv__hsum8)
RUV__A2_FLOAT(f32, 4, RUV__A2_F32) /* ruv__l2sq_f32_avx2, ruv__dot_f32_avx2, ruv__l1_f32_avx2,
                                      ruv__cos_f32_avx2, ruv__acc_f32_avx2, ruv__run_f32_avx2 */
RUV__A2_FLOAT(f16, 2, RUV__A2_F16) /* ruv__l2sq_f16_avx2, ruv__dot_f16_avx2, ruv__l1_f16_avx2,
                                      ruv__cos_f16_avx2, ruv__acc_f16_avx2, ruv__run_f16_avx2 */
RUV__A2_FLOAT(bf16, 2,
              RUV__A2_BF16) /* ruv__l2sq_bf16_avx2, ruv__dot_bf16_avx2, ruv__l1_bf16_avx2,
                               ruv__cos_bf16_avx2, ruv__acc_bf16_avx2, ruv__run_bf16_avx2 */

/* Integer kernels (i8, u8): 16 values widened to i16, products summed in i32 by madd; L1 by
   sad_epu8 (i8 shifted by 128 first, which keeps every difference). Sums are flushed to 64 bits
   every RUV__IBLOCK values, so nothing overflows. */
#define RUV__A2_INT(T, WIDEN, FLIP)                                                                \
    RUV__T_AVX2 static void ruv__isum_##T##_avx2(const void *pa, const void *pb, size_t n, int op, \
                                                 int64_t *r0, int64_t *r1, int64_t *r2) {          \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        const __m128i flip = _mm_set1_epi8((char)(FLIP));                                          \
        unsigned char ta[16], tb[16];                                                              \
        size_t i = 0;                                                                              \
        *r0 = *r1 = *r2 = 0;                                                                       \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            __m256i s = _mm256_setzero_si256(), t = s, u = s;                                      \
            for (; i < end; i += 16) {                                                             \
                const unsigned char *p = a + i, *q = b + i;                                        \
                __m128i x8, y8;                                                                    \
                if (end - i < 16) {                                                                \
                    ruv__pad_tail(ta, tb, p, q, end - i, sizeof ta);                               \
                    p = ta, q = tb;                                                                \
                    i = end - 16; /* the loop step lands exactly on end */                         \
                }                                                                                  \
                x8 = _mm_loadu_si128((const __m128i *)(const void *)p);                            \
                y8 = _mm_loadu_si128((const __m128i *)(const void *)q);                            \
                if (op == RUV_OP_L1) {                                                             \
                    __m128i d = _mm_sad_epu8(_mm_xor_si128(x8, flip), _mm_xor_si128(y8, flip));    \
                    s = _mm256_add_epi64(s, _mm256_cvtepu32_epi64(d));                             \
                } else {                                                                           \
                    __m256i x = WIDEN(x8), y = WIDEN(y8);                                          \
                    if (op == RUV_OP_L2SQ) {                                                       \
                        __m256i d = _mm256_sub_epi16(x, y);                                        \
                        s = _mm256_add_epi32(s, _mm256_madd_epi16(d, d));                          \
                    } else {                                                                       \
                        s = _mm256_add_epi32(s, _mm256_madd_epi16(x, y));                          \
                        if (op == RUV_OP_COS) {                                                    \
                            t = _mm256_add_epi32(t, _mm256_madd_epi16(x, x));                      \
                            u = _mm256_add_epi32(u, _mm256_madd_epi16(y, y));                      \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
            if (op == RUV_OP_L1) {                                                                 \
                int64_t w[4];                                                                      \
                _mm256_storeu_si256((__m256i *)(void *)w, s);                                      \
                *r0 += w[0] + w[1] + w[2] + w[3];                                                  \
            } else {                                                                               \
                *r0 += ruv__hsum8i(s);                                                             \
                *r1 += ruv__hsum8i(t);                                                             \
                *r2 += ruv__hsum8i(u);                                                             \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    RUV__INT_WRAPPERS_L1_COS(T, avx2, RUV__T_AVX2)
RUV__A2_INT(i8, _mm256_cvtepi8_epi16,
            0x80) /* ruv__l1_i8_avx2, ruv__cos_i8_avx2, ruv__isum_i8_avx2, ruv__run_i8_avx2 */
RUV__A2_INT(u8, _mm256_cvtepu8_epi16,
            0x00) /* ruv__l1_u8_avx2, ruv__cos_u8_avx2, ruv__isum_u8_avx2, ruv__run_u8_avx2 */

/* Dedicated dot and l2sq loops (the hot ones): 32 bytes per step, split by SPLIT into the even
   and odd bytes of each 16-bit word, widened to i16 by shifts and masks (which run on more ports
   than unpacking shuffles; both inputs get the same split, so the lane order does not matter),
   multiplied pairwise and summed into i32 by madd. l2sq squares |a - b|, exact in 8 bits as
   max - min (wrapping). The tail goes through the generic loop above. */
#define RUV__A2_SPLIT_I8(x, lo, hi)                                                                \
    lo = _mm256_srai_epi16(_mm256_slli_epi16(x, 8), 8), hi = _mm256_srai_epi16(x, 8)
#define RUV__A2_SPLIT_U8(x, lo, hi)                                                                \
    lo = _mm256_and_si256(x, _mm256_set1_epi16(0xFF)), hi = _mm256_srli_epi16(x, 8)
#define RUV__A2_L2STEP(i, MAX, MIN, S0, S1)                                                        \
    {                                                                                              \
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(a + i));                    \
        __m256i y = _mm256_loadu_si256((const __m256i *)(const void *)(b + i));                    \
        __m256i d = _mm256_sub_epi8(MAX(x, y), MIN(x, y)), dl, dh;                                 \
        RUV__A2_SPLIT_U8(d, dl, dh);                                                               \
        S0 = _mm256_add_epi32(S0, _mm256_madd_epi16(dl, dl));                                      \
        S1 = _mm256_add_epi32(S1, _mm256_madd_epi16(dh, dh));                                      \
    }
#define RUV__A2_DOTSTEP(i, SPLIT, S0, S1)                                                          \
    {                                                                                              \
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(a + i));                    \
        __m256i y = _mm256_loadu_si256((const __m256i *)(const void *)(b + i));                    \
        __m256i xl, xh, yl, yh;                                                                    \
        SPLIT(x, xl, xh);                                                                          \
        SPLIT(y, yl, yh);                                                                          \
        S0 = _mm256_add_epi32(S0, _mm256_madd_epi16(xl, yl));                                      \
        S1 = _mm256_add_epi32(S1, _mm256_madd_epi16(xh, yh));                                      \
    }
#define RUV__A2_DL(T, CT, SPLIT, MAX, MIN)                                                         \
    RUV__T_AVX2 RUV__INLINE static int64_t ruv__dl_##T##_avx2(                                     \
        const unsigned char *a, const unsigned char *b, size_t n, int l2) {                        \
        int64_t total = 0;                                                                         \
        size_t i = 0;                                                                              \
        while (n - i >= 32) {                                                                      \
            size_t end = i + ((n - i) / 32 * 32 < RUV__IBLOCK ? (n - i) / 32 * 32 : RUV__IBLOCK);  \
            __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;                        \
            if (l2) /* two loops, so that neither tests l2 per iteration */                        \
                for (; i < end; i += 32) {                                                         \
                    RUV__A2_L2STEP(i, MAX, MIN, s0, s1)                                            \
                    if ((i += 32) == end)                                                          \
                        break;                                                                     \
                    RUV__A2_L2STEP(i, MAX, MIN, s2, s3)                                            \
                }                                                                                  \
            else                                                                                   \
                for (; i < end; i += 32) {                                                         \
                    RUV__A2_DOTSTEP(i, SPLIT, s0, s1)                                              \
                    if ((i += 32) == end)                                                          \
                        break;                                                                     \
                    RUV__A2_DOTSTEP(i, SPLIT, s2, s3)                                              \
                }                                                                                  \
            i = end;                                                                               \
            /* a block's sum fits in 32 bits: |sum| <= RUV__IBLOCK * 255 * 255 < 2^31 */           \
            total += ruv__hsum8i32(                                                                \
                _mm256_add_epi32(_mm256_add_epi32(s0, s1), _mm256_add_epi32(s2, s3)));             \
        }                                                                                          \
        for (; i < n; i++) { /* the tail, < 32 values */                                           \
            int64_t x = (CT)a[i], y = (CT)b[i];                                                    \
            total += l2 ? (x - y) * (x - y) : x * y;                                               \
        }                                                                                          \
        return total;                                                                              \
    }                                                                                              \
    RUV__T_AVX2 static float ruv__dot_##T##_avx2(const void *a, const void *b, size_t n) {         \
        return (float)ruv__dl_##T##_avx2((const unsigned char *)a, (const unsigned char *)b, n,    \
                                         0);                                                       \
    }                                                                                              \
    RUV__T_AVX2 static float ruv__l2sq_##T##_avx2(const void *a, const void *b, size_t n) {        \
        return (float)ruv__dl_##T##_avx2((const unsigned char *)a, (const unsigned char *)b, n,    \
                                         1);                                                       \
    }
RUV__A2_DL(i8, int8_t, RUV__A2_SPLIT_I8, _mm256_max_epi8,
           _mm256_min_epi8) /* ruv__dot_i8_avx2, ruv__l2sq_i8_avx2, ruv__dl_i8_avx2 */
RUV__A2_DL(u8, uint8_t, RUV__A2_SPLIT_U8, _mm256_max_epu8,
           _mm256_min_epu8) /* ruv__dot_u8_avx2, ruv__l2sq_u8_avx2, ruv__dl_u8_avx2 */

/* Binary: popcount by nibble lookup (vpshufb), bytes summed with sad_epu8. */
RUV__T_AVX2 static __m256i ruv__popcnt_bytes_avx2(__m256i v) {
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2,
                                         1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0F);
    __m256i lo = _mm256_shuffle_epi8(lut, _mm256_and_si256(v, low));
    __m256i hi = _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(v, 4), low));
    return _mm256_sad_epu8(_mm256_add_epi8(lo, hi), _mm256_setzero_si256());
}

RUV__T_AVX2 RUV__INLINE static void ruv__bits_avx2(const void *pa, const void *pb, size_t n,
                                                   int jac, uint64_t *x, uint64_t *an,
                                                   uint64_t *o) {
    const uint8_t *a = (const uint8_t *)pa, *b = (const uint8_t *)pb;
    __m256i sx = _mm256_setzero_si256(), sa = sx, so = sx;
    size_t i = 0;
    uint64_t tx = 0, ta = 0, to = 0;
    /* below 96 bytes, 64-bit words with popcnt are faster than the lookup */
    for (; n >= 96 && i + 32 <= n; i += 32) {
        __m256i p = _mm256_loadu_si256((const __m256i *)(const void *)(a + i));
        __m256i q = _mm256_loadu_si256((const __m256i *)(const void *)(b + i));
        if (jac) {
            sa = _mm256_add_epi64(sa, ruv__popcnt_bytes_avx2(_mm256_and_si256(p, q)));
            so = _mm256_add_epi64(so, ruv__popcnt_bytes_avx2(_mm256_or_si256(p, q)));
        } else
            sx = _mm256_add_epi64(sx, ruv__popcnt_bytes_avx2(_mm256_xor_si256(p, q)));
    }
    for (; i < n; i += 8) { /* tail: 64-bit words with popcnt, the last one zero-padded */
        uint64_t p = 0, q = 0;
        if (n - i >= 8) {
            memcpy(&p, a + i, 8);
            memcpy(&q, b + i, 8);
        } else {
            size_t j;
            for (j = 0; j < n - i; j++) {
                p |= (uint64_t)a[i + j] << (8 * j);
                q |= (uint64_t)b[i + j] << (8 * j);
            }
        }
        if (jac) {
            ta += (uint64_t)_mm_popcnt_u64(p & q);
            to += (uint64_t)_mm_popcnt_u64(p | q);
        } else
            tx += (uint64_t)_mm_popcnt_u64(p ^ q);
    }
    *x = tx, *an = ta, *o = to;
    if (n >= 96) {
        if (jac) {
            *an += ruv__hsum4u64(sa);
            *o += ruv__hsum4u64(so);
        } else
            *x += ruv__hsum4u64(sx);
    }
}

RUV__BIN(avx2, RUV__T_AVX2) /* ruv__hamming_bin_avx2, ruv__jaccard_bin_avx2, ruv__hamming_many_avx2,
   ruv__jaccard_many_avx2 */

/* Conversions, 8 at a time; scalar tails. bf16 rounding: add 0x7FFF + lsb, keep NaNs quiet. */
RUV__T_AVX2 static void ruv__f32_to_f16_avx2(const void *src, void *dst, size_t n) {
    const float *s = (const float *)src;
    uint16_t *d = (uint16_t *)dst;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(void *)(d + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT));
    ruv__f32_to_f16_serial(s + i, d + i, n - i);
}

RUV__T_AVX2 static void ruv__f16_to_f32_avx2(const void *src, void *dst, size_t n) {
    const uint16_t *s = (const uint16_t *)src;
    float *d = (float *)dst;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(d + i, RUV__A2_F16(s + i));
    ruv__f16_to_f32_serial(s + i, d + i, n - i);
}

RUV__T_AVX2 static void ruv__f32_to_bf16_avx2(const void *src, void *dst, size_t n) {
    const float *s = (const float *)src;
    uint16_t *d = (uint16_t *)dst;
    const __m256i absm = _mm256_set1_epi32(0x7FFFFFFF), inf = _mm256_set1_epi32(0x7F800000);
    const __m256i bias = _mm256_set1_epi32(0x7FFF), one = _mm256_set1_epi32(1);
    const __m256i quiet = _mm256_set1_epi32(0x40);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i u = _mm256_castps_si256(_mm256_loadu_ps(s + i));
        __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, absm), inf);
        __m256i r = _mm256_add_epi32(
            u, _mm256_add_epi32(bias, _mm256_and_si256(_mm256_srli_epi32(u, 16), one)));
        __m256i q = _mm256_or_si256(_mm256_srli_epi32(u, 16), quiet);
        r = _mm256_blendv_epi8(_mm256_srli_epi32(r, 16), q, nan);
        r = _mm256_permute4x64_epi64(_mm256_packus_epi32(r, r), 0x08);
        _mm_storeu_si128((__m128i *)(void *)(d + i), _mm256_castsi256_si128(r));
    }
    ruv__f32_to_bf16_serial(s + i, d + i, n - i);
}

RUV__T_AVX2 static void ruv__bf16_to_f32_avx2(const void *src, void *dst, size_t n) {
    const uint16_t *s = (const uint16_t *)src;
    float *d = (float *)dst;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(d + i, RUV__A2_BF16(s + i));
    ruv__bf16_to_f32_serial(s + i, d + i, n - i);
}

/* ---- quantization kernels ----------------------------------------------------------------------
 */
RUV__PQLUT_C(avx2, RUV__T_AVX2) /* ruv__pq_lut_avx2 */
RUV__ADC_C(avx2, RUV__T_AVX2)   /* ruv__adc_avx2 */

/* f32 x u8: bytes widened to 32-bit integers, converted, multiplied in; 16 per step in two
   accumulators, the tail (< 8) in scalar code. */
RUV__T_AVX2 static float ruv__dot_f32_u8_avx2(const float *a, const uint8_t *b, size_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0;
    float t = 0.0f;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(c)),
                             s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8),
                             _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(c, 8))), s1);
    }
    for (; i + 8 <= n; i += 8) {
        __m128i c = _mm_loadl_epi64((const __m128i *)(const void *)(b + i));
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(c)),
                             s0);
    }
    for (; i < n; i++)
        t += a[i] * (float)b[i];
    return ruv__hsum8(_mm256_add_ps(s0, s1)) + t;
}

/* Masked loads for the tail: lanes past n are neither read nor counted. */
/* int16 x u8 dot products: bytes widened to 16 bits, pairs multiplied and summed into 32-bit
   lanes (vpmaddwd: exact, as every byte is below 2^15). */
RUV__T_AVX2 static int32_t ruv__dot_i16_u8_avx2(const int16_t *a, const uint8_t *b, size_t n) {
    __m256i s0 = _mm256_setzero_si256(), s1 = s0;
    int32_t t = 0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i c0 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(b + i)));
        __m256i c1 =
            _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(b + i + 16)));
        s0 = _mm256_add_epi32(
            s0, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(a + i)), c0));
        s1 = _mm256_add_epi32(
            s1,
            _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(a + i + 16)), c1));
    }
    if (i + 16 <= n) {
        __m256i c = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(b + i)));
        s0 = _mm256_add_epi32(
            s0, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(a + i)), c));
        i += 16;
    }
    for (; i < n; i++)
        t += (int32_t)a[i] * b[i];
    return ruv__hsum8i32(_mm256_add_epi32(s0, s1)) + t;
}

RUV__X86_END
#endif /* RUV__HAS_X86 */
