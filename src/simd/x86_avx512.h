/* AVX-512 kernels: F/BW/VL/DQ (Skylake-X), + VNNI and VPOPCNTDQ (Ice Lake, Zen 4), + BF16
   (Sapphire Rapids, Zen 4); the AVX2 and AVX-512 quantization kernels; the x86 kernel table. */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_X86
RUV__X86_BEGIN

RUV__T_AVX512 static float ruv__hsum16(__m512 v) {
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v),
                             _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    return ruv__hsum8(h);
}

RUV__T_AVX512 static int64_t ruv__hsum16i(__m512i v) {
    return ruv__hsum8i(
        _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1)));
}

/* 16 elements at p; masked versions load only the lanes of m (others zero). */
#define RUV__A5_F32(p) _mm512_loadu_ps((const void *)(p))
#define RUV__A5M_F32(p, m) _mm512_maskz_loadu_ps(m, (const void *)(p))
#define RUV__A5_F16(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(const void *)(p)))
#define RUV__A5M_F16(p, m) _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, (const void *)(p)))
#define RUV__A5_BF16(p)                                                                            \
    _mm512_castsi512_ps(_mm512_slli_epi32(                                                         \
        _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(p))), 16))
#define RUV__A5M_BF16(p, m)                                                                        \
    _mm512_castsi512_ps(_mm512_slli_epi32(                                                         \
        _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, (const void *)(p))), 16))

/* Elements of size ES before p reaches a 64-byte boundary, for vectors long enough to gain from
   it (0 otherwise, or when p is not aligned to ES). The integer and binary kernels handle these
   first with a masked step, so that the loads of their main loops never straddle two cache lines
   (both inputs gain when they are equally misaligned, as rows of one array or of one index are).
   Their sums are exact, so the split changes nothing. The floating kernels do not peel: their
   summation order depends on n alone, so a distance has the same bits wherever the vectors lie
   in memory (a loaded index or a view answers bit-identically to the index that was saved). */
#define RUV__HEAD(p, ES, n)                                                                        \
    (((uintptr_t)(p) & ((ES)-1)) || (n) * (ES) < 1024                                              \
         ? (size_t)0                                                                               \
         : ((size_t)(0 - (uintptr_t)(p)) & 63) / (ES))

/* One masked step of a floating kernel: the 16 elements at i + OFF, up to LIM, into the
   accumulators S (and T, U for cosine). */
#define RUV__A5_FSTEP(LDM, ES, LIM, OFF, S, T, U)                                                  \
    {                                                                                              \
        size_t j_ = i + (OFF);                                                                     \
        __mmask16 m = LIM - j_ >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (LIM - j_)) - 1u);   \
        __m512 x = LDM(a + j_ * ES, m), y = LDM(b + j_ * ES, m);                                   \
        if (op == RUV_OP_DOT || op == RUV_OP_COS) {                                                \
            S = _mm512_fmadd_ps(x, y, S);                                                          \
            if (op == RUV_OP_COS) {                                                                \
                T = _mm512_fmadd_ps(x, x, T);                                                      \
                U = _mm512_fmadd_ps(y, y, U);                                                      \
            }                                                                                      \
        } else if (op == RUV_OP_L2SQ) {                                                            \
            x = _mm512_sub_ps(x, y);                                                               \
            S = _mm512_fmadd_ps(x, x, S);                                                          \
        } else                                                                                     \
            S = _mm512_add_ps(S, _mm512_abs_ps(_mm512_sub_ps(x, y)));                              \
    }

/* Floating kernels, 64 elements per iteration in 4 accumulators, masked tail. */
#define RUV__A5_FLOAT(T, ES, LD, LDM)                                                              \
    RUV__T_AVX512 static void ruv__acc_##T##_avx512(const unsigned char *a,                        \
                                                    const unsigned char *b, size_t n, int op,      \
                                                    __m512 *r0, __m512 *r1, __m512 *r2) {          \
        __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, t0 = s0, u0 = s0, t1 = s0,     \
               u1 = s0;                                                                            \
        size_t i = 0;                                                                              \
        if (op == RUV_OP_COS) {                                                                    \
            for (; i + 32 <= n; i += 32) {                                                         \
                __m512 x = LD(a + i * ES), y = LD(b + i * ES);                                     \
                __m512 x1 = LD(a + (i + 16) * ES), y1 = LD(b + (i + 16) * ES);                     \
                s0 = _mm512_fmadd_ps(x, y, s0);                                                    \
                t0 = _mm512_fmadd_ps(x, x, t0);                                                    \
                u0 = _mm512_fmadd_ps(y, y, u0);                                                    \
                s2 = _mm512_fmadd_ps(x1, y1, s2);                                                  \
                t1 = _mm512_fmadd_ps(x1, x1, t1);                                                  \
                u1 = _mm512_fmadd_ps(y1, y1, u1);                                                  \
            }                                                                                      \
        } else {                                                                                   \
            for (; i + 64 <= n; i += 64) {                                                         \
                __m512 x0 = LD(a + i * ES), y0 = LD(b + i * ES);                                   \
                __m512 x1 = LD(a + (i + 16) * ES), y1 = LD(b + (i + 16) * ES);                     \
                __m512 x2 = LD(a + (i + 32) * ES), y2 = LD(b + (i + 32) * ES);                     \
                __m512 x3 = LD(a + (i + 48) * ES), y3 = LD(b + (i + 48) * ES);                     \
                if (op == RUV_OP_DOT) {                                                            \
                    s0 = _mm512_fmadd_ps(x0, y0, s0);                                              \
                    s1 = _mm512_fmadd_ps(x1, y1, s1);                                              \
                    s2 = _mm512_fmadd_ps(x2, y2, s2);                                              \
                    s3 = _mm512_fmadd_ps(x3, y3, s3);                                              \
                } else if (op == RUV_OP_L2SQ) {                                                    \
                    x0 = _mm512_sub_ps(x0, y0), x1 = _mm512_sub_ps(x1, y1);                        \
                    x2 = _mm512_sub_ps(x2, y2), x3 = _mm512_sub_ps(x3, y3);                        \
                    s0 = _mm512_fmadd_ps(x0, x0, s0);                                              \
                    s1 = _mm512_fmadd_ps(x1, x1, s1);                                              \
                    s2 = _mm512_fmadd_ps(x2, x2, s2);                                              \
                    s3 = _mm512_fmadd_ps(x3, x3, s3);                                              \
                } else {                                                                           \
                    s0 = _mm512_add_ps(s0, _mm512_abs_ps(_mm512_sub_ps(x0, y0)));                  \
                    s1 = _mm512_add_ps(s1, _mm512_abs_ps(_mm512_sub_ps(x1, y1)));                  \
                    s2 = _mm512_add_ps(s2, _mm512_abs_ps(_mm512_sub_ps(x2, y2)));                  \
                    s3 = _mm512_add_ps(s3, _mm512_abs_ps(_mm512_sub_ps(x3, y3)));                  \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (; i + 32 <= n; i += 32) { /* the tail: two chains, then at most two masked steps */   \
            RUV__A5_FSTEP(LDM, ES, n, 0, s1, t0, u0)                                               \
            RUV__A5_FSTEP(LDM, ES, n, 16, s2, t1, u1)                                              \
        }                                                                                          \
        for (; i < n; i += 16)                                                                     \
            RUV__A5_FSTEP(LDM, ES, n, 0, s3, t1, u1)                                               \
        *r0 = _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3));                         \
        *r1 = _mm512_add_ps(t0, t1);                                                               \
        *r2 = _mm512_add_ps(u0, u1);                                                               \
    }                                                                                              \
    RUV__FLOAT_WRAPPERS(T, avx512, RUV__T_AVX512, __m512, ruv__hsum16)
RUV__A5_FLOAT(f32, 4, RUV__A5_F32,
              RUV__A5M_F32) /* ruv__l2sq_f32_avx512, ruv__dot_f32_avx512, ruv__l1_f32_avx512,
                               ruv__cos_f32_avx512, ruv__acc_f32_avx512, ruv__run_f32_avx512 */
RUV__A5_FLOAT(f16, 2, RUV__A5_F16,
              RUV__A5M_F16) /* ruv__l2sq_f16_avx512, ruv__dot_f16_avx512, ruv__l1_f16_avx512,
                               ruv__cos_f16_avx512, ruv__acc_f16_avx512, ruv__run_f16_avx512 */
RUV__A5_FLOAT(bf16, 2, RUV__A5_BF16,
              RUV__A5M_BF16) /* ruv__l2sq_bf16_avx512, ruv__dot_bf16_avx512, ruv__l1_bf16_avx512,
                                ruv__cos_bf16_avx512, ruv__acc_bf16_avx512, ruv__run_bf16_avx512 */

/* Integer kernels, 32 values per step widened to i16. MADD(acc, x, y) adds the pairwise i16
   products into i32 lanes: madd+add on plain AVX-512, one vpdpwssd with VNNI. */
#define RUV__MADD_512(acc, x, y) _mm512_add_epi32(acc, _mm512_madd_epi16(x, y))
#define RUV__MADD_VNNI(acc, x, y) _mm512_dpwssd_epi32(acc, x, y)
#define RUV__A5_INT(T, I, TGT, WIDEN, FLIP, MADD)                                                  \
    TGT static void ruv__isum_##T##_##I(const void *pa, const void *pb, size_t n, int op,          \
                                        int64_t *r0, int64_t *r1, int64_t *r2) {                   \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        const __m256i flip = _mm256_set1_epi8((char)(FLIP));                                       \
        size_t i = 0;                                                                              \
        *r0 = *r1 = *r2 = 0;                                                                       \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            __m512i s = _mm512_setzero_si512(), s2 = s, t = s, u = s;                              \
            for (; i < end; i += 32) {                                                             \
                __mmask32 m = end - i >= 32 ? 0xFFFFFFFFu : (__mmask32)((1u << (end - i)) - 1u);   \
                __m256i x8 = _mm256_maskz_loadu_epi8(m, a + i);                                    \
                __m256i y8 = _mm256_maskz_loadu_epi8(m, b + i);                                    \
                if (op == RUV_OP_L1) {                                                             \
                    __m256i d =                                                                    \
                        _mm256_sad_epu8(_mm256_xor_si256(x8, flip), _mm256_xor_si256(y8, flip));   \
                    s = _mm512_add_epi64(s, _mm512_cvtepu32_epi64(d));                             \
                } else {                                                                           \
                    __m512i x = WIDEN(x8), y = WIDEN(y8);                                          \
                    if (op == RUV_OP_L2SQ) {                                                       \
                        __m512i d = _mm512_sub_epi16(x, y);                                        \
                        if (i & 32)                                                                \
                            s2 = MADD(s2, d, d);                                                   \
                        else                                                                       \
                            s = MADD(s, d, d);                                                     \
                    } else if (op == RUV_OP_DOT) {                                                 \
                        if (i & 32)                                                                \
                            s2 = MADD(s2, x, y);                                                   \
                        else                                                                       \
                            s = MADD(s, x, y);                                                     \
                    } else {                                                                       \
                        s = MADD(s, x, y);                                                         \
                        t = MADD(t, x, x);                                                         \
                        u = MADD(u, y, y);                                                         \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
            if (op == RUV_OP_L1) {                                                                 \
                *r0 += _mm512_reduce_add_epi64(s);                                                 \
            } else {                                                                               \
                *r0 += ruv__hsum16i(_mm512_add_epi32(s, s2));                                      \
                *r1 += ruv__hsum16i(t);                                                            \
                *r2 += ruv__hsum16i(u);                                                            \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    RUV__INT_WRAPPERS_L1_COS(T, I, TGT)
RUV__A5_INT(i8, avx512, RUV__T_AVX512, _mm512_cvtepi8_epi16, 0x80,
            RUV__MADD_512) /* ruv__l1_i8_avx512, ruv__cos_i8_avx512, ruv__isum_i8_avx512,
                              ruv__run_i8_avx512 */
RUV__A5_INT(u8, avx512, RUV__T_AVX512, _mm512_cvtepu8_epi16, 0x00,
            RUV__MADD_512) /* ruv__l1_u8_avx512, ruv__cos_u8_avx512, ruv__isum_u8_avx512,
                              ruv__run_u8_avx512 */
RUV__A5_INT(i8, avx512_ice, RUV__T_AVX512_ICE, _mm512_cvtepi8_epi16, 0x80,
            RUV__MADD_VNNI) /* ruv__l1_i8_avx512_ice, ruv__cos_i8_avx512_ice,
                               ruv__isum_i8_avx512_ice, ruv__run_i8_avx512_ice */
RUV__A5_INT(u8, avx512_ice, RUV__T_AVX512_ICE, _mm512_cvtepu8_epi16, 0x00,
            RUV__MADD_VNNI) /* ruv__l1_u8_avx512_ice, ruv__cos_u8_avx512_ice,
                               ruv__isum_u8_avx512_ice, ruv__run_u8_avx512_ice */

/* Dedicated dot loop without VNNI: 128 values per iteration widened to i16 in four accumulators
   (hides the madd latency); the tail goes through the generic loop. */
#define RUV__A5_L16(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define RUV__A5_DOT(T, WIDEN)                                                                      \
    RUV__T_AVX512 static float ruv__dot_##T##_avx512(const void *pa, const void *pb, size_t n) {   \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        int64_t total = 0, t1, t2, t3;                                                             \
        size_t i = RUV__HEAD(a, 1, n);                                                             \
        if (i) {                                                                                   \
            ruv__isum_##T##_avx512(a, b, i, RUV_OP_DOT, &total, &t2, &t3);                         \
        }                                                                                          \
        while (n - i >= 128) {                                                                     \
            size_t end =                                                                           \
                i + ((n - i) / 128 * 128 < RUV__IBLOCK ? (n - i) / 128 * 128 : RUV__IBLOCK);       \
            __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;                        \
            for (; i < end; i += 128) {                                                            \
                s0 = RUV__MADD_512(s0, WIDEN(RUV__A5_L16(a + i)), WIDEN(RUV__A5_L16(b + i)));      \
                s1 = RUV__MADD_512(s1, WIDEN(RUV__A5_L16(a + i + 32)),                             \
                                   WIDEN(RUV__A5_L16(b + i + 32)));                                \
                s2 = RUV__MADD_512(s2, WIDEN(RUV__A5_L16(a + i + 64)),                             \
                                   WIDEN(RUV__A5_L16(b + i + 64)));                                \
                s3 = RUV__MADD_512(s3, WIDEN(RUV__A5_L16(a + i + 96)),                             \
                                   WIDEN(RUV__A5_L16(b + i + 96)));                                \
            }                                                                                      \
            total +=                                                                               \
                ruv__hsum16i(_mm512_add_epi32(s0, s1)) + ruv__hsum16i(_mm512_add_epi32(s2, s3));   \
        }                                                                                          \
        if (i < n) { /* the tail */                                                                \
            ruv__isum_##T##_avx512(a + i, b + i, n - i, RUV_OP_DOT, &t1, &t2, &t3);                \
            total += t1;                                                                           \
        }                                                                                          \
        return (float)total;                                                                       \
    }
RUV__A5_DOT(i8, _mm512_cvtepi8_epi16) /* ruv__dot_i8_avx512 */
RUV__A5_DOT(u8, _mm512_cvtepu8_epi16) /* ruv__dot_u8_avx512 */

/* l2sq via |a - b|, exact in 8 bits for two i8 or two u8 values (max - min, wrapping), widened
   by unpacking against zero and squared by MADD: fewer shuffles than widening both inputs. */
#define RUV__A5_L2(T, I, TGT, MAX, MIN, MADD)                                                      \
    TGT static float ruv__l2sq_##T##_##I(const void *pa, const void *pb, size_t n) {               \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        const __m512i z = _mm512_setzero_si512();                                                  \
        int64_t total = 0, t1, t2, t3;                                                             \
        size_t i = RUV__HEAD(a, 1, n);                                                             \
        if (i) { /* the head: one masked step (lanes past it load as 0 in both) */                 \
            __mmask64 m = ((__mmask64)1 << i) - 1;                                                 \
            __m512i x = _mm512_maskz_loadu_epi8(m, a), y = _mm512_maskz_loadu_epi8(m, b);          \
            __m512i d = _mm512_sub_epi8(MAX(x, y), MIN(x, y));                                     \
            __m512i l = _mm512_unpacklo_epi8(d, z), h = _mm512_unpackhi_epi8(d, z);                \
            total = ruv__hsum16i(MADD(MADD(z, l, l), h, h));                                       \
        }                                                                                          \
        while (n - i >= 128) {                                                                     \
            size_t end =                                                                           \
                i + ((n - i) / 128 * 128 < RUV__IBLOCK ? (n - i) / 128 * 128 : RUV__IBLOCK);       \
            __m512i s0 = z, s1 = z, s2 = z, s3 = z;                                                \
            for (; i < end; i += 128) {                                                            \
                __m512i x0 = _mm512_loadu_si512(a + i), y0 = _mm512_loadu_si512(b + i);            \
                __m512i x1 = _mm512_loadu_si512(a + i + 64), y1 = _mm512_loadu_si512(b + i + 64);  \
                __m512i d0 = _mm512_sub_epi8(MAX(x0, y0), MIN(x0, y0));                            \
                __m512i d1 = _mm512_sub_epi8(MAX(x1, y1), MIN(x1, y1));                            \
                __m512i l0 = _mm512_unpacklo_epi8(d0, z), h0 = _mm512_unpackhi_epi8(d0, z);        \
                __m512i l1 = _mm512_unpacklo_epi8(d1, z), h1 = _mm512_unpackhi_epi8(d1, z);        \
                s0 = MADD(s0, l0, l0);                                                             \
                s1 = MADD(s1, h0, h0);                                                             \
                s2 = MADD(s2, l1, l1);                                                             \
                s3 = MADD(s3, h1, h1);                                                             \
            }                                                                                      \
            total +=                                                                               \
                ruv__hsum16i(_mm512_add_epi32(s0, s1)) + ruv__hsum16i(_mm512_add_epi32(s2, s3));   \
        }                                                                                          \
        if (i < n) { /* the tail */                                                                \
            ruv__isum_##T##_##I(a + i, b + i, n - i, RUV_OP_L2SQ, &t1, &t2, &t3);                  \
            total += t1;                                                                           \
        }                                                                                          \
        return (float)total;                                                                       \
    }
RUV__A5_L2(i8, avx512, RUV__T_AVX512, _mm512_max_epi8, _mm512_min_epi8,
           RUV__MADD_512) /* ruv__l2sq_i8_avx512 */
RUV__A5_L2(u8, avx512, RUV__T_AVX512, _mm512_max_epu8, _mm512_min_epu8,
           RUV__MADD_512) /* ruv__l2sq_u8_avx512 */
RUV__A5_L2(i8, avx512_ice, RUV__T_AVX512_ICE, _mm512_max_epi8, _mm512_min_epi8,
           RUV__MADD_VNNI) /* ruv__l2sq_i8_avx512_ice */
RUV__A5_L2(u8, avx512_ice, RUV__T_AVX512_ICE, _mm512_max_epu8, _mm512_min_epu8,
           RUV__MADD_VNNI) /* ruv__l2sq_u8_avx512_ice */

/* Dot with vpdpbusd (u8 x s8, 4 products per 32-bit lane). i8 x i8: (a + 128) is a u8, and
   sum (a + 128) b = sum ab + 128 sum b. u8 x u8: (b - 128) is an s8, and sum a (b - 128) =
   sum ab - 128 sum a. The correction sums come from a second vpdpbusd against ones. Masked-off
   lanes load as 0 and add nothing. Exact; flushed every RUV__IBLOCK values. */
#define RUV__A5_VNNI_DOT(T, FIRST, SECOND, CORR, SIGN)                                             \
    RUV__T_AVX512_ICE static float ruv__dot_##T##_avx512_ice(const void *pa, const void *pb,       \
                                                             size_t n) {                           \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        const __m512i flip = _mm512_set1_epi8((char)0x80), ones = _mm512_set1_epi8(1);             \
        int64_t total = 0;                                                                         \
        size_t i = 0, h = RUV__HEAD(a, 1, n);                                                      \
        while (i < n) { /* the first block is the head, if any */                                  \
            size_t end = h ? h : n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                        \
            __m512i s0 = _mm512_setzero_si512(), s1 = s0, c0 = s0, c1 = s0;                        \
            h = 0;                                                                                 \
            for (; i + 128 <= end; i += 128) {                                                     \
                __m512i x0 = _mm512_loadu_si512(a + i), y0 = _mm512_loadu_si512(b + i);            \
                __m512i x1 = _mm512_loadu_si512(a + i + 64), y1 = _mm512_loadu_si512(b + i + 64);  \
                s0 = _mm512_dpbusd_epi32(s0, FIRST(x0, flip), SECOND(y0, flip));                   \
                s1 = _mm512_dpbusd_epi32(s1, FIRST(x1, flip), SECOND(y1, flip));                   \
                c0 = CORR(c0, x0, y0, ones);                                                       \
                c1 = CORR(c1, x1, y1, ones);                                                       \
            }                                                                                      \
            for (; i < end; i += 64) {                                                             \
                __mmask64 m = end - i >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (end - i)) - 1);   \
                __m512i x = _mm512_maskz_loadu_epi8(m, a + i),                                     \
                        y = _mm512_maskz_loadu_epi8(m, b + i);                                     \
                s0 = _mm512_dpbusd_epi32(s0, FIRST(x, flip), SECOND(y, flip));                     \
                c0 = CORR(c0, x, y, ones);                                                         \
            }                                                                                      \
            i = end;                                                                               \
            total += ruv__hsum16i(_mm512_add_epi32(s0, s1)) SIGN 128 *                             \
                     ruv__hsum16i(_mm512_add_epi32(c0, c1));                                       \
        }                                                                                          \
        return (float)total;                                                                       \
    }
#define RUV__XOR(x, f) _mm512_xor_si512(x, f)
#define RUV__SAME(x, f) (x)
#define RUV__SUM_B(c, x, y, ones) _mm512_dpbusd_epi32(c, ones, y)
#define RUV__SUM_A(c, x, y, ones) _mm512_dpbusd_epi32(c, x, ones)
RUV__A5_VNNI_DOT(i8, RUV__XOR, RUV__SAME, RUV__SUM_B, -) /* ruv__dot_i8_avx512_ice */
RUV__A5_VNNI_DOT(u8, RUV__SAME, RUV__XOR, RUV__SUM_A, +) /* ruv__dot_u8_avx512_ice */

/* Cosine with vpdpbusd, the same offsets as the dot: U(x) is the u8 form of x and S(x) the s8
   form (i8: U = x ^ 0x80 = x + 128, S = x; u8: U = x, S = x ^ 0x80 = x - 128), so that
   sum U(x) S(y) = sum xy + SIGN 128 sum (i8: y; u8: x); the offsets are taken off in the lanes
   (sums of 64-value steps of one block stay far inside int32), leaving three reductions per
   block. Five vpdpbusd per 64 values (ab, aa, bb and the two plain sums via ONES) against six
   vpdpwssd and four widenings in the generic loop. Exact; the result as ruv__cos_finish. */
#define RUV__A5_VNNI_COS(T, U, S, SUMV, CORR, AB)                                                  \
    RUV__T_AVX512_ICE static float ruv__cosv_##T##_avx512_ice(const void *pa, const void *pb,      \
                                                              size_t n) {                          \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        const __m512i flip = _mm512_set1_epi8((char)0x80), ones = _mm512_set1_epi8(1);             \
        int64_t ab = 0, aa = 0, bb = 0;                                                            \
        size_t i = 0;                                                                              \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            __m512i s = _mm512_setzero_si512(), t = s, u = s, ca = s, cb = s, s2 = s, t2 = s,      \
                    u2 = s;                                                                        \
            for (; i + 128 <= end; i += 128) { /* two chains of each sum */                        \
                __m512i x = _mm512_loadu_si512(a + i), y = _mm512_loadu_si512(b + i);              \
                __m512i x1 = _mm512_loadu_si512(a + i + 64), y1 = _mm512_loadu_si512(b + i + 64);  \
                s = _mm512_dpbusd_epi32(s, U(x, flip), S(y, flip));                                \
                t = _mm512_dpbusd_epi32(t, U(x, flip), S(x, flip));                                \
                u = _mm512_dpbusd_epi32(u, U(y, flip), S(y, flip));                                \
                s2 = _mm512_dpbusd_epi32(s2, U(x1, flip), S(y1, flip));                            \
                t2 = _mm512_dpbusd_epi32(t2, U(x1, flip), S(x1, flip));                            \
                u2 = _mm512_dpbusd_epi32(u2, U(y1, flip), S(y1, flip));                            \
                ca = SUMV(SUMV(ca, x, ones), x1, ones);                                            \
                cb = SUMV(SUMV(cb, y, ones), y1, ones);                                            \
            }                                                                                      \
            s = _mm512_add_epi32(s, s2);                                                           \
            t = _mm512_add_epi32(t, t2);                                                           \
            u = _mm512_add_epi32(u, u2);                                                           \
            for (; i < end; i += 64) {                                                             \
                __mmask64 m = end - i >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (end - i)) - 1);   \
                __m512i x = _mm512_maskz_loadu_epi8(m, a + i);                                     \
                __m512i y = _mm512_maskz_loadu_epi8(m, b + i);                                     \
                s = _mm512_dpbusd_epi32(s, U(x, flip), S(y, flip));                                \
                t = _mm512_dpbusd_epi32(t, U(x, flip), S(x, flip));                                \
                u = _mm512_dpbusd_epi32(u, U(y, flip), S(y, flip));                                \
                ca = SUMV(ca, x, ones);                                                            \
                cb = SUMV(cb, y, ones);                                                            \
            }                                                                                      \
            ca = _mm512_slli_epi32(ca, 7); /* 128 sum x, 128 sum y */                              \
            cb = _mm512_slli_epi32(cb, 7);                                                         \
            ab += ruv__hsum16i(CORR(s, AB));                                                       \
            aa += ruv__hsum16i(CORR(t, ca));                                                       \
            bb += ruv__hsum16i(CORR(u, cb));                                                       \
        }                                                                                          \
        return ruv__cos_finish((double)ab, (double)aa, (double)bb);                                \
    }
#define RUV__SUM_S8(c, x, ones) _mm512_dpbusd_epi32(c, ones, x) /* sum of x as s8 */
#define RUV__SUM_U8(c, x, ones) _mm512_dpbusd_epi32(c, x, ones) /* sum of x as u8 */
RUV__A5_VNNI_COS(i8, RUV__XOR, RUV__SAME, RUV__SUM_S8, _mm512_sub_epi32,
                 cb) /* ruv__cosv_i8_avx512_ice */
RUV__A5_VNNI_COS(u8, RUV__SAME, RUV__XOR, RUV__SUM_U8, _mm512_add_epi32,
                 ca) /* ruv__cosv_u8_avx512_ice */

/* Binary: nibble-lookup popcount on plain AVX-512, vpopcntq with VPOPCNTDQ. */
RUV__T_AVX512 static __m512i ruv__popcnt_avx512(__m512i v) {
    const __m512i lut = _mm512_set4_epi32(0x04030302, 0x03020201, 0x03020201, 0x02010100);
    const __m512i low = _mm512_set1_epi8(0x0F);
    __m512i lo = _mm512_shuffle_epi8(lut, _mm512_and_si512(v, low));
    __m512i hi = _mm512_shuffle_epi8(lut, _mm512_and_si512(_mm512_srli_epi16(v, 4), low));
    return _mm512_sad_epu8(_mm512_add_epi8(lo, hi), _mm512_setzero_si512());
}
RUV__T_AVX512_ICE static __m512i ruv__popcnt_avx512_ice(__m512i v) {
    return _mm512_popcnt_epi64(v);
}

/* One step over 64 bytes p, q into the Hamming (SX) or Jaccard (SA, SO) sums. */
#define RUV__A5_BSTEP(POPCNT, p, q, SX, SA, SO)                                                    \
    if (jac) {                                                                                     \
        SA = _mm512_add_epi64(SA, POPCNT(_mm512_and_si512(p, q)));                                 \
        SO = _mm512_add_epi64(SO, POPCNT(_mm512_or_si512(p, q)));                                  \
    } else                                                                                         \
        SX = _mm512_add_epi64(SX, POPCNT(_mm512_xor_si512(p, q)));
/* Two 64-byte steps per iteration into two sets of sums, then one full and one masked step. */
#define RUV__A5_BIN(I, TGT, POPCNT)                                                                \
    TGT RUV__INLINE static void ruv__bits_##I(const void *pa, const void *pb, size_t n, int jac,   \
                                              uint64_t *x, uint64_t *an, uint64_t *o) {            \
        const uint8_t *a = (const uint8_t *)pa, *b = (const uint8_t *)pb;                          \
        __m512i sx = _mm512_setzero_si512(), sa = sx, so = sx, tx = sx, ta = sx, to = sx, p, q;    \
        size_t i = 0;                                                                              \
        for (; i + 128 <= n; i += 128) {                                                           \
            __m512i p1 = _mm512_loadu_si512(a + i + 64), q1 = _mm512_loadu_si512(b + i + 64);      \
            p = _mm512_loadu_si512(a + i);                                                         \
            q = _mm512_loadu_si512(b + i);                                                         \
            RUV__A5_BSTEP(POPCNT, p, q, sx, sa, so)                                                \
            RUV__A5_BSTEP(POPCNT, p1, q1, tx, ta, to)                                              \
        }                                                                                          \
        if (i + 64 <= n) {                                                                         \
            p = _mm512_loadu_si512(a + i);                                                         \
            q = _mm512_loadu_si512(b + i);                                                         \
            RUV__A5_BSTEP(POPCNT, p, q, sx, sa, so)                                                \
            i += 64;                                                                               \
        }                                                                                          \
        if (i < n) {                                                                               \
            __mmask64 m = ((__mmask64)1 << (n - i)) - 1;                                           \
            p = _mm512_maskz_loadu_epi8(m, a + i);                                                 \
            q = _mm512_maskz_loadu_epi8(m, b + i);                                                 \
            RUV__A5_BSTEP(POPCNT, p, q, tx, ta, to)                                                \
        }                                                                                          \
        sx = _mm512_add_epi64(sx, tx), sa = _mm512_add_epi64(sa, ta);                              \
        so = _mm512_add_epi64(so, to);                                                             \
        *x = *an = *o = 0;                                                                         \
        if (jac) {                                                                                 \
            *an = (uint64_t)_mm512_reduce_add_epi64(sa);                                           \
            *o = (uint64_t)_mm512_reduce_add_epi64(so);                                            \
        } else                                                                                     \
            *x = (uint64_t)_mm512_reduce_add_epi64(sx);                                            \
    }                                                                                              \
    RUV__BIN(I, TGT)                                                                               \
    /* Hamming of one query against codes of up to 64 bytes, 8 codes per step: one masked load     \
       and popcount each, then the 8 sums of 8 lanes by a transposing add tree (3 levels) instead  \
       of 8 reductions; longer codes and the last count % 8 go through the pair kernel. */         \
    TGT static void ruv__hamming_many8_##I(const void *q, const void *base, size_t stride,         \
                                           size_t n, size_t count, float *out) {                   \
        const unsigned char *p = (const unsigned char *)base;                                      \
        size_t i = 0;                                                                              \
        if (n <= 64) {                                                                             \
            __mmask64 m = n == 64 ? ~(__mmask64)0 : ((__mmask64)1 << n) - 1;                       \
            __m512i qv = _mm512_maskz_loadu_epi8(m, q), v[8], s[4], t0, t1, u;                     \
            for (; i + 8 <= count; i += 8, p += 8 * stride) {                                      \
                size_t j;                                                                          \
                for (j = 0; j < 8; j++)                                                            \
                    v[j] =                                                                         \
                        POPCNT(_mm512_xor_si512(qv, _mm512_maskz_loadu_epi8(m, p + j * stride)));  \
                for (j = 0; j < 4; j++) /* 128-bit lane L: (code 2j, code 2j+1) partial sums */    \
                    s[j] = _mm512_add_epi64(_mm512_unpacklo_epi64(v[2 * j], v[2 * j + 1]),         \
                                            _mm512_unpackhi_epi64(v[2 * j], v[2 * j + 1]));        \
                t0 = _mm512_add_epi64(_mm512_shuffle_i64x2(s[0], s[1], 0x88),                      \
                                      _mm512_shuffle_i64x2(s[0], s[1], 0xDD));                     \
                t1 = _mm512_add_epi64(_mm512_shuffle_i64x2(s[2], s[3], 0x88),                      \
                                      _mm512_shuffle_i64x2(s[2], s[3], 0xDD));                     \
                u = _mm512_add_epi64(_mm512_shuffle_i64x2(t0, t1, 0x88),                           \
                                     _mm512_shuffle_i64x2(t0, t1, 0xDD));                          \
                _mm256_storeu_ps(out + i, _mm512_cvtepi64_ps(u));                                  \
            }                                                                                      \
        }                                                                                          \
        ruv__hamming_many_##I(q, p, stride, n, count - i, out + i);                                \
    }
RUV__A5_BIN(
    avx512, RUV__T_AVX512,
    ruv__popcnt_avx512) /* ruv__hamming_bin_avx512, ruv__jaccard_bin_avx512, ruv__bits_avx512 */
RUV__A5_BIN(avx512_ice, RUV__T_AVX512_ICE,
            ruv__popcnt_avx512_ice) /* ruv__hamming_bin_avx512_ice, ruv__jaccard_bin_avx512_ice,
                                       ruv__bits_avx512_ice */

/* bf16 dot and cosine with vdpbf16ps (pairs of bf16 products accumulated in f32). */
RUV__T_AVX512_BF16 static void ruv__bf16dp_avx512_bf16(const void *pa, const void *pb, size_t n,
                                                       int cos, __m512 *ab, __m512 *aa,
                                                       __m512 *bb) {
    const uint16_t *a = (const uint16_t *)pa, *b = (const uint16_t *)pb;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, t = s0, u = s0;
    size_t i = 0;
    for (; i < n; i += 32) {
        __mmask32 m = n - i >= 32 ? 0xFFFFFFFFu : (__mmask32)((1u << (n - i)) - 1u);
        __m512bh x = (__m512bh)_mm512_maskz_loadu_epi16(m, a + i);
        __m512bh y = (__m512bh)_mm512_maskz_loadu_epi16(m, b + i);
        if (cos) {
            s0 = _mm512_dpbf16_ps(s0, x, y);
            t = _mm512_dpbf16_ps(t, x, x);
            u = _mm512_dpbf16_ps(u, y, y);
        } else if (i & 32)
            s1 = _mm512_dpbf16_ps(s1, x, y);
        else
            s0 = _mm512_dpbf16_ps(s0, x, y);
    }
    *ab = _mm512_add_ps(s0, s1);
    *aa = t;
    *bb = u;
}

RUV__T_AVX512_BF16 static float ruv__dot_bf16_avx512_bf16(const void *pa, const void *pb,
                                                          size_t n) {
    const uint16_t *a = (const uint16_t *)pa, *b = (const uint16_t *)pb;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, t, u;
    size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        s0 = _mm512_dpbf16_ps(s0, (__m512bh)_mm512_loadu_si512(a + i),
                              (__m512bh)_mm512_loadu_si512(b + i));
        s1 = _mm512_dpbf16_ps(s1, (__m512bh)_mm512_loadu_si512(a + i + 32),
                              (__m512bh)_mm512_loadu_si512(b + i + 32));
        s2 = _mm512_dpbf16_ps(s2, (__m512bh)_mm512_loadu_si512(a + i + 64),
                              (__m512bh)_mm512_loadu_si512(b + i + 64));
        s3 = _mm512_dpbf16_ps(s3, (__m512bh)_mm512_loadu_si512(a + i + 96),
                              (__m512bh)_mm512_loadu_si512(b + i + 96));
    }
    if (i < n) {
        __m512 r;
        ruv__bf16dp_avx512_bf16(a + i, b + i, n - i, 0, &r, &t, &u);
        s0 = _mm512_add_ps(s0, r);
    }
    return ruv__hsum16(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

RUV__T_AVX512_BF16 static float ruv__cos_bf16_avx512_bf16(const void *a, const void *b, size_t n) {
    __m512 s, t, u;
    ruv__bf16dp_avx512_bf16(a, b, n, 1, &s, &t, &u);
    return ruv__cos_finish(ruv__hsum16(s), ruv__hsum16(t), ruv__hsum16(u));
}

/* Conversions, 16 at a time. */
RUV__T_AVX512 static void ruv__f32_to_f16_avx512(const void *src, void *dst, size_t n) {
    const float *s = (const float *)src;
    uint16_t *d = (uint16_t *)dst;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i *)(void *)(d + i),
                            _mm512_cvtps_ph(_mm512_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT));
    ruv__f32_to_f16_serial(s + i, d + i, n - i);
}

RUV__T_AVX512 static void ruv__f16_to_f32_avx512(const void *src, void *dst, size_t n) {
    const uint16_t *s = (const uint16_t *)src;
    float *d = (float *)dst;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(d + i, RUV__A5_F16(s + i));
    ruv__f16_to_f32_serial(s + i, d + i, n - i);
}

RUV__T_AVX512 static void ruv__f32_to_bf16_avx512(const void *src, void *dst, size_t n) {
    const float *s = (const float *)src;
    uint16_t *d = (uint16_t *)dst;
    const __m512i absm = _mm512_set1_epi32(0x7FFFFFFF), inf = _mm512_set1_epi32(0x7F800000);
    const __m512i bias = _mm512_set1_epi32(0x7FFF), one = _mm512_set1_epi32(1);
    const __m512i quiet = _mm512_set1_epi32(0x40);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i u = _mm512_castps_si512(_mm512_loadu_ps(s + i));
        __mmask16 nan = _mm512_cmpgt_epi32_mask(_mm512_and_si512(u, absm), inf);
        __m512i r = _mm512_add_epi32(
            u, _mm512_add_epi32(bias, _mm512_and_si512(_mm512_srli_epi32(u, 16), one)));
        r = _mm512_mask_blend_epi32(nan, _mm512_srli_epi32(r, 16),
                                    _mm512_or_si512(_mm512_srli_epi32(u, 16), quiet));
        _mm256_storeu_si256((__m256i *)(void *)(d + i), _mm512_cvtepi32_epi16(r));
    }
    ruv__f32_to_bf16_serial(s + i, d + i, n - i);
}

RUV__T_AVX512 static void ruv__bf16_to_f32_avx512(const void *src, void *dst, size_t n) {
    const uint16_t *s = (const uint16_t *)src;
    float *d = (float *)dst;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(d + i, RUV__A5_BF16(s + i));
    ruv__bf16_to_f32_serial(s + i, d + i, n - i);
}

/* ---- quantization kernels ------------------------------------------------------------------ */
RUV__PQLUT_C(avx512, RUV__T_AVX512) /* ruv__pq_lut_avx512 */

RUV__T_AVX512 static int32_t ruv__dot_i16_u8_avx512(const int16_t *a, const uint8_t *b, size_t n) {
    __m512i s0 = _mm512_setzero_si512(), s1 = s0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i c0 =
            _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(b + i)));
        __m512i c1 =
            _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(b + i + 32)));
        s0 = _mm512_add_epi32(s0, _mm512_madd_epi16(_mm512_loadu_si512((const void *)(a + i)), c0));
        s1 = _mm512_add_epi32(
            s1, _mm512_madd_epi16(_mm512_loadu_si512((const void *)(a + i + 32)), c1));
    }
    if (i + 32 <= n) {
        __m512i c =
            _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)(b + i)));
        s0 = _mm512_add_epi32(s0, _mm512_madd_epi16(_mm512_loadu_si512((const void *)(a + i)), c));
        i += 32;
    }
    /* the tail 16 at a time: a masked load still touches every cache line its full width spans,
       so a wider one would reach past the code into a line nothing else needs (a miss per call
       on an HNSW slot arena) */
    for (; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m256i c = _mm256_cvtepu8_epi16(_mm_maskz_loadu_epi8(k, b + i));
        s1 = _mm512_add_epi32(
            s1, _mm512_zextsi256_si512(_mm256_madd_epi16(_mm256_maskz_loadu_epi16(k, a + i), c)));
    }
    return _mm512_reduce_add_epi32(_mm512_add_epi32(s0, s1));
}

RUV__T_AVX512 static float ruv__dot_f32_u8_avx512(const float *a, const uint8_t *b, size_t n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512i c0 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(const void *)(b + i)));
        __m512i c1 =
            _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(const void *)(b + i + 16)));
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_cvtepi32_ps(c0), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_cvtepi32_ps(c1), s1);
    }
    for (; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512i c = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(k, b + i));
        s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, a + i), _mm512_cvtepi32_ps(c), s0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

/* PQ distance with 16 table look-ups per gather: code j indexes row j of the table. */
RUV__T_AVX512 static float ruv__adc_avx512(const float *lut, const uint8_t *code, size_t m) {
    const __m512i row =
        _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                           _mm512_set1_epi32(256));
    __m512 s = _mm512_setzero_ps();
    size_t j = 0;
    for (; j < m; j += 16) {
        __mmask16 k = m - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (m - j)) - 1u);
        __m512i c = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(k, code + j));
        s = _mm512_add_ps(s, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), k,
                                                      _mm512_add_epi32(c, row), lut + j * 256, 4));
    }
    return _mm512_reduce_add_ps(s);
}

RUV__X86_END

static void ruv__fill_x86(ruv_kernels *k, ruv_isa isa) {
    if (isa < RUV_ISA_AVX2 || isa > RUV_ISA_AVX512_BF16)
        return;
    RUV__FILL(k, f32, RUV_DTYPE_F32, avx2);
    RUV__FILL(k, f16, RUV_DTYPE_F16, avx2);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, avx2);
    RUV__FILL(k, i8, RUV_DTYPE_I8, avx2);
    RUV__FILL(k, u8, RUV_DTYPE_U8, avx2);
    RUV__FILL_BIN(k, avx2);
    k->f32_to_f16 = ruv__f32_to_f16_avx2;
    k->f16_to_f32 = ruv__f16_to_f32_avx2;
    k->f32_to_bf16 = ruv__f32_to_bf16_avx2;
    k->bf16_to_f32 = ruv__bf16_to_f32_avx2;
    k->dot_f32_u8 = ruv__dot_f32_u8_avx2;
    k->dot_i16_u8 = ruv__dot_i16_u8_avx2;
    k->pq_lut = ruv__pq_lut_avx2;
    k->adc = ruv__adc_avx2;
    if (isa == RUV_ISA_AVX2)
        return;
    RUV__FILL(k, f32, RUV_DTYPE_F32, avx512);
    RUV__FILL(k, f16, RUV_DTYPE_F16, avx512);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, avx512);
    RUV__FILL(k, i8, RUV_DTYPE_I8, avx512);
    RUV__FILL(k, u8, RUV_DTYPE_U8, avx512);
    RUV__FILL_BIN(k, avx512);
    k->hamming_many = ruv__hamming_many8_avx512;
    k->f32_to_f16 = ruv__f32_to_f16_avx512;
    k->f16_to_f32 = ruv__f16_to_f32_avx512;
    k->f32_to_bf16 = ruv__f32_to_bf16_avx512;
    k->bf16_to_f32 = ruv__bf16_to_f32_avx512;
    RUV__FILL_QUANT(k, avx512);
    if (isa == RUV_ISA_AVX512)
        return;
    RUV__FILL(k, i8, RUV_DTYPE_I8, avx512_ice);
    RUV__FILL(k, u8, RUV_DTYPE_U8, avx512_ice);
    k->fn[RUV_OP_COS][RUV_DTYPE_I8] = ruv__cosv_i8_avx512_ice;
    k->fn[RUV_OP_COS][RUV_DTYPE_U8] = ruv__cosv_u8_avx512_ice;
    RUV__FILL_BIN(k, avx512_ice);
    k->hamming_many = ruv__hamming_many8_avx512_ice;
    if (isa == RUV_ISA_AVX512_ICE)
        return;
    k->fn[RUV_OP_DOT][RUV_DTYPE_BF16] = ruv__dot_bf16_avx512_bf16;
    k->fn[RUV_OP_COS][RUV_DTYPE_BF16] = ruv__cos_bf16_avx512_bf16;
}

#endif /* RUV__HAS_X86 */
