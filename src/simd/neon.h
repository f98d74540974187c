/* NEON kernels: AArch64 (with the dot-product instructions where HWCAP reports asimddp) and
   32-bit ARM (ARMv7-A and later with NEON and VFPv4). Detection and the table: src/simd/arm.h. */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_NEON

#if RUV__NEON_A32 && !(defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA))
#pragma GCC push_options
#pragma GCC target("fpu=neon-vfpv4")
#define RUV__NEON_PRAGMA 1
#else
#define RUV__NEON_PRAGMA 0
#endif

#if RUV__NEON_A32
/* The AArch64-only reductions, from pairwise steps. */
static float ruv__n_addv_f32(float32x4_t v) {
    float32x2_t s = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(vpadd_f32(s, s), 0);
}
static uint64_t ruv__n_addv_u64(uint64x2_t v) {
    return vgetq_lane_u64(v, 0) + vgetq_lane_u64(v, 1);
}
static uint64_t ruv__n_addlv_u32(uint32x4_t v) { return ruv__n_addv_u64(vpaddlq_u32(v)); }
static int64_t ruv__n_addlv_s32(int32x4_t v) {
    int64x2_t s = vpaddlq_s32(v);
    return vgetq_lane_s64(s, 0) + vgetq_lane_s64(s, 1);
}
/* 4 f16 values to f32 with integer steps (the f16 conversion intrinsics need -mfp16-format, and
   ARMv7 NEON flushes subnormals, so those go through an exact int-to-float conversion). */
static float32x4_t ruv__n_f16_a32(uint16x4_t x) {
    uint32x4_t h = vmovl_u16(x), em = vandq_u32(h, vdupq_n_u32(0x7FFFu));
    uint32x4_t r = vaddq_u32(vshlq_n_u32(em, 13), vdupq_n_u32(112u << 23));
    float32x4_t sub = vmulq_n_f32(vcvtq_f32_u32(em), 5.9604644775390625e-8f); /* m * 2^-24 */
    r = vbslq_u32(vcgeq_u32(em, vdupq_n_u32(0x7C00u)), vaddq_u32(r, vdupq_n_u32(112u << 23)), r);
    r = vbslq_u32(vcltq_u32(em, vdupq_n_u32(0x400u)), vreinterpretq_u32_f32(sub), r);
    return vreinterpretq_f32_u32(vorrq_u32(r, vshlq_n_u32(vandq_u32(h, vdupq_n_u32(0x8000u)), 16)));
}
#define RUV__N_ADDV_F32 ruv__n_addv_f32
#define RUV__N_ADDV_U64 ruv__n_addv_u64
#define RUV__ADDV_S(v) ruv__n_addlv_s32(v)
#define RUV__ADDV_U(v) ruv__n_addlv_u32(v)
#define RUV__MULLH_S8(x, y) vmull_s8(vget_high_s8(x), vget_high_s8(y))
#define RUV__MULLH_U8(x, y) vmull_u8(vget_high_u8(x), vget_high_u8(y))
#define RUV__N_F16(p) ruv__n_f16_a32(vld1_u16((const uint16_t *)(const void *)(p)))
#else
#define RUV__N_ADDV_F32 vaddvq_f32
#define RUV__N_ADDV_U64 vaddvq_u64
#define RUV__ADDV_S(v) vaddlvq_s32(v)
#define RUV__ADDV_U(v) vaddlvq_u32(v)
#define RUV__MULLH_S8 vmull_high_s8
#define RUV__MULLH_U8 vmull_high_u8
#define RUV__N_F16(p)                                                                              \
    vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16((const uint16_t *)(const void *)(p))))
#endif

/* ---- NEON floating kernels ---------------------------------------------------------------- */
/* 4 elements at p as 4 floats. */
#define RUV__N_F32(p) vld1q_f32((const float *)(const void *)(p))
#define RUV__N_BF16(p)                                                                             \
    vreinterpretq_f32_u32(vshll_n_u16(vld1_u16((const uint16_t *)(const void *)(p)), 16))

/* 16 elements per iteration in 4 accumulators; the tail (< 4 elements) goes through zeroed
   buffers, which add nothing to any sum. */
#define RUV__N_FLOAT(T, ES, LD)                                                                    \
    static void ruv__acc_##T##_neon(const unsigned char *a, const unsigned char *b, size_t n,      \
                                    int op, float32x4_t *r0, float32x4_t *r1, float32x4_t *r2) {   \
        float32x4_t s0 = vdupq_n_f32(0), s1 = s0, s2 = s0, s3 = s0, t = s0, u = s0;                \
        unsigned char ta[4 * ES], tb[4 * ES];                                                      \
        size_t i = 0;                                                                              \
        if (op != RUV_OP_COS)                                                                      \
            for (; i + 16 <= n; i += 16) {                                                         \
                float32x4_t x0 = LD(a + i * ES), y0 = LD(b + i * ES);                              \
                float32x4_t x1 = LD(a + (i + 4) * ES), y1 = LD(b + (i + 4) * ES);                  \
                float32x4_t x2 = LD(a + (i + 8) * ES), y2 = LD(b + (i + 8) * ES);                  \
                float32x4_t x3 = LD(a + (i + 12) * ES), y3 = LD(b + (i + 12) * ES);                \
                if (op == RUV_OP_DOT) {                                                            \
                    s0 = vfmaq_f32(s0, x0, y0), s1 = vfmaq_f32(s1, x1, y1);                        \
                    s2 = vfmaq_f32(s2, x2, y2), s3 = vfmaq_f32(s3, x3, y3);                        \
                } else if (op == RUV_OP_L2SQ) {                                                    \
                    x0 = vsubq_f32(x0, y0), x1 = vsubq_f32(x1, y1);                                \
                    x2 = vsubq_f32(x2, y2), x3 = vsubq_f32(x3, y3);                                \
                    s0 = vfmaq_f32(s0, x0, x0), s1 = vfmaq_f32(s1, x1, x1);                        \
                    s2 = vfmaq_f32(s2, x2, x2), s3 = vfmaq_f32(s3, x3, x3);                        \
                } else {                                                                           \
                    s0 = vaddq_f32(s0, vabdq_f32(x0, y0)), s1 = vaddq_f32(s1, vabdq_f32(x1, y1));  \
                    s2 = vaddq_f32(s2, vabdq_f32(x2, y2)), s3 = vaddq_f32(s3, vabdq_f32(x3, y3));  \
                }                                                                                  \
            }                                                                                      \
        for (; i < n; i += 4) {                                                                    \
            const unsigned char *pa = a + i * ES, *pb = b + i * ES;                                \
            float32x4_t x, y;                                                                      \
            if (n - i < 4) {                                                                       \
                ruv__pad_tail(ta, tb, pa, pb, (n - i) * ES, sizeof ta);                            \
                pa = ta, pb = tb;                                                                  \
            }                                                                                      \
            x = LD(pa), y = LD(pb);                                                                \
            if (op == RUV_OP_DOT || op == RUV_OP_COS) {                                            \
                s1 = vfmaq_f32(s1, x, y);                                                          \
                t = vfmaq_f32(t, x, x);                                                            \
                u = vfmaq_f32(u, y, y);                                                            \
            } else if (op == RUV_OP_L2SQ) {                                                        \
                x = vsubq_f32(x, y);                                                               \
                s1 = vfmaq_f32(s1, x, x);                                                          \
            } else                                                                                 \
                s1 = vaddq_f32(s1, vabdq_f32(x, y));                                               \
        }                                                                                          \
        *r0 = vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3));                                     \
        *r1 = t;                                                                                   \
        *r2 = u;                                                                                   \
    }                                                                                              \
    RUV__FLOAT_WRAPPERS(T, neon, RUV__NO_TARGET, float32x4_t, RUV__N_ADDV_F32)
RUV__N_FLOAT(f32, 4, RUV__N_F32)   /* ruv__l2sq_f32_neon, ruv__dot_f32_neon, ruv__l1_f32_neon,
                                      ruv__cos_f32_neon, ruv__acc_f32_neon, ruv__run_f32_neon */
RUV__N_FLOAT(f16, 2, RUV__N_F16)   /* ruv__l2sq_f16_neon, ruv__dot_f16_neon, ruv__l1_f16_neon,
                                      ruv__cos_f16_neon, ruv__acc_f16_neon, ruv__run_f16_neon */
RUV__N_FLOAT(bf16, 2, RUV__N_BF16) /* ruv__l2sq_bf16_neon, ruv__dot_bf16_neon, ruv__l1_bf16_neon,
                                      ruv__cos_bf16_neon, ruv__acc_bf16_neon, ruv__run_bf16_neon */

/* ---- NEON integer kernels ----------------------------------------------------------------- */
/* 16 values per step. Products and squared differences are widened to 16 bits and pairwise
   accumulated into 32-bit lanes (exact; flushed to 64 bits every RUV__IBLOCK values). The
   |difference| of two i8 or two u8 values fits a u8 exactly (vabd), which the dot-product path
   squares with udot. */
#define RUV__N_INT(T, CT, LDQ, MULL, MULLH, PADAL, ACC, ZERO, ADDV, ABD)                           \
    static void ruv__isum_##T##_neon(const void *pa, const void *pb, size_t n, int op,             \
                                     int64_t *r0, int64_t *r1, int64_t *r2) {                      \
        const CT *a = (const CT *)pa, *b = (const CT *)pb;                                         \
        CT ta[16], tb[16];                                                                         \
        size_t i = 0;                                                                              \
        *r0 = *r1 = *r2 = 0;                                                                       \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            ACC s = ZERO(0), t = s, u = s;                                                         \
            uint32x4_t l = vdupq_n_u32(0);                                                         \
            for (; i < end; i += 16) {                                                             \
                const CT *p = a + i, *q = b + i;                                                   \
                if (end - i < 16) {                                                                \
                    ruv__pad_tail(ta, tb, p, q, end - i, sizeof ta);                               \
                    p = ta, q = tb;                                                                \
                    i = end - 16;                                                                  \
                }                                                                                  \
                {                                                                                  \
                    __typeof__(LDQ(p)) x = LDQ(p), y = LDQ(q);                                     \
                    if (op == RUV_OP_L1 || op == RUV_OP_L2SQ) {                                    \
                        uint8x16_t d = ABD(x, y);                                                  \
                        if (op == RUV_OP_L1)                                                       \
                            l = vpadalq_u16(l, vpaddlq_u8(d));                                     \
                        else {                                                                     \
                            l = vpadalq_u16(l, vmull_u8(vget_low_u8(d), vget_low_u8(d)));          \
                            l = vpadalq_u16(l, RUV__MULLH_U8(d, d));                               \
                        }                                                                          \
                    } else {                                                                       \
                        s = PADAL(PADAL(s, MULL(x, y)), MULLH(x, y));                              \
                        if (op == RUV_OP_COS) {                                                    \
                            t = PADAL(PADAL(t, MULL(x, x)), MULLH(x, x));                          \
                            u = PADAL(PADAL(u, MULL(y, y)), MULLH(y, y));                          \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
            *r0 += (op == RUV_OP_L1 || op == RUV_OP_L2SQ) ? (int64_t)RUV__ADDV_U(l)                \
                                                          : (int64_t)ADDV(s);                      \
            *r1 += (int64_t)ADDV(t);                                                               \
            *r2 += (int64_t)ADDV(u);                                                               \
        }                                                                                          \
    }                                                                                              \
    RUV__INT_WRAPPERS(T, neon, RUV__NO_TARGET)
#define RUV__MULL_S8(x, y) vmull_s8(vget_low_s8(x), vget_low_s8(y))
#define RUV__MULL_U8(x, y) vmull_u8(vget_low_u8(x), vget_low_u8(y))
#define RUV__ABD_S8(x, y) vreinterpretq_u8_s8(vabdq_s8(x, y))
RUV__N_INT(i8, int8_t, vld1q_s8, RUV__MULL_S8, RUV__MULLH_S8, vpadalq_s16, int32x4_t, vdupq_n_s32,
           RUV__ADDV_S, RUV__ABD_S8) /* ruv__l2sq_i8_neon, ruv__dot_i8_neon, ruv__l1_i8_neon,
                                        ruv__cos_i8_neon, ruv__isum_i8_neon, ruv__run_i8_neon */
RUV__N_INT(u8, uint8_t, vld1q_u8, RUV__MULL_U8, RUV__MULLH_U8, vpadalq_u16, uint32x4_t, vdupq_n_u32,
           RUV__ADDV_U, vabdq_u8) /* ruv__l2sq_u8_neon, ruv__dot_u8_neon, ruv__l1_u8_neon,
                                     ruv__cos_u8_neon, ruv__isum_u8_neon, ruv__run_u8_neon */

#if RUV__HAS_DOTPROD
#if defined(__ARM_FEATURE_DOTPROD)
#define RUV__T_DOT
#else
#define RUV__T_DOT RUV__TARGET("arch=armv8.2-a+dotprod")
#endif
/* Dot-product instructions (sdot/udot): 16 products per instruction into 4 lanes. */
#define RUV__N_DOT(T, CT, LDQ, DOT, ACC, ZERO, ADDV, ABD)                                          \
    RUV__T_DOT static void ruv__isum_##T##_dotprod_neon(                                           \
        const void *pa, const void *pb, size_t n, int op, int64_t *r0, int64_t *r1, int64_t *r2) { \
        const CT *a = (const CT *)pa, *b = (const CT *)pb;                                         \
        CT ta[16], tb[16];                                                                         \
        size_t i = 0;                                                                              \
        *r0 = *r1 = *r2 = 0;                                                                       \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            ACC s = ZERO(0), t = s, u = s;                                                         \
            uint32x4_t l = vdupq_n_u32(0);                                                         \
            const uint8x16_t one = vdupq_n_u8(1);                                                  \
            for (; i < end; i += 16) {                                                             \
                const CT *p = a + i, *q = b + i;                                                   \
                if (end - i < 16) {                                                                \
                    ruv__pad_tail(ta, tb, p, q, end - i, sizeof ta);                               \
                    p = ta, q = tb;                                                                \
                    i = end - 16;                                                                  \
                }                                                                                  \
                {                                                                                  \
                    __typeof__(LDQ(p)) x = LDQ(p), y = LDQ(q);                                     \
                    if (op == RUV_OP_L1 || op == RUV_OP_L2SQ) {                                    \
                        uint8x16_t d = ABD(x, y);                                                  \
                        l = vdotq_u32(l, d, op == RUV_OP_L1 ? one : d);                            \
                    } else {                                                                       \
                        s = DOT(s, x, y);                                                          \
                        if (op == RUV_OP_COS) {                                                    \
                            t = DOT(t, x, x);                                                      \
                            u = DOT(u, y, y);                                                      \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
            *r0 += (op == RUV_OP_L1 || op == RUV_OP_L2SQ) ? (int64_t)RUV__ADDV_U(l)                \
                                                          : (int64_t)ADDV(s);                      \
            *r1 += (int64_t)ADDV(t);                                                               \
            *r2 += (int64_t)ADDV(u);                                                               \
        }                                                                                          \
    }                                                                                              \
    RUV__INT_WRAPPERS(T, dotprod_neon, RUV__T_DOT)
RUV__N_DOT(
    i8, int8_t, vld1q_s8, vdotq_s32, int32x4_t, vdupq_n_s32, RUV__ADDV_S,
    RUV__ABD_S8) /* ruv__l2sq_i8_dotprod_neon, ruv__dot_i8_dotprod_neon, ruv__l1_i8_dotprod_neon,
                    ruv__cos_i8_dotprod_neon, ruv__isum_i8_dotprod_neon, ruv__run_i8_dotprod_neon */
RUV__N_DOT(
    u8, uint8_t, vld1q_u8, vdotq_u32, uint32x4_t, vdupq_n_u32, RUV__ADDV_U,
    vabdq_u8) /* ruv__l2sq_u8_dotprod_neon, ruv__dot_u8_dotprod_neon, ruv__l1_u8_dotprod_neon,
                 ruv__cos_u8_dotprod_neon, ruv__isum_u8_dotprod_neon, ruv__run_u8_dotprod_neon */
#endif

/* ---- NEON binary and conversions ---------------------------------------------------------- */
static void ruv__bits_neon(const void *pa, const void *pb, size_t n, int jac, uint64_t *x,
                           uint64_t *an, uint64_t *o) {
    const uint8_t *a = (const uint8_t *)pa, *b = (const uint8_t *)pb;
    uint64x2_t sx = vdupq_n_u64(0), sa = sx, so = sx;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        uint8x16_t p = vld1q_u8(a + i), q = vld1q_u8(b + i);
        if (jac) {
            sa = vpadalq_u32(sa, vpaddlq_u16(vpaddlq_u8(vcntq_u8(vandq_u8(p, q)))));
            so = vpadalq_u32(so, vpaddlq_u16(vpaddlq_u8(vcntq_u8(vorrq_u8(p, q)))));
        } else
            sx = vpadalq_u32(sx, vpaddlq_u16(vpaddlq_u8(vcntq_u8(veorq_u8(p, q)))));
    }
    *x = *an = *o = 0;
    ruv__bits_tail(a, b, i, n, x, an, o);
    *x += RUV__N_ADDV_U64(sx);
    *an += RUV__N_ADDV_U64(sa);
    *o += RUV__N_ADDV_U64(so);
}

RUV__BIN(neon, RUV__NO_TARGET) /* ruv__hamming_bin_neon, ruv__jaccard_bin_neon,
   ruv__hamming_many_neon, ruv__jaccard_many_neon */

#if !RUV__NEON_A32
/* f16 conversions use the FPCR rounding mode, round to nearest even unless changed. */
static void ruv__f32_to_f16_neon(const void *src, void *dst, size_t n) {
    const float *s = (const float *)src;
    uint16_t *d = (uint16_t *)dst;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1_u16(d + i, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(s + i))));
    ruv__f32_to_f16_serial(s + i, d + i, n - i);
}
#endif

static void ruv__f16_to_f32_neon(const void *src, void *dst, size_t n) {
    const uint16_t *s = (const uint16_t *)src;
    float *d = (float *)dst;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(d + i, RUV__N_F16(s + i));
    ruv__f16_to_f32_serial(s + i, d + i, n - i);
}

static void ruv__f32_to_bf16_neon(const void *src, void *dst, size_t n) {
    const float *s = (const float *)src;
    uint16_t *d = (uint16_t *)dst;
    const uint32x4_t bias = vdupq_n_u32(0x7FFF), one = vdupq_n_u32(1),
                     inf = vdupq_n_u32(0x7F800000);
    const uint32x4_t absm = vdupq_n_u32(0x7FFFFFFF), quiet = vdupq_n_u32(0x40);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32x4_t u = vreinterpretq_u32_f32(vld1q_f32(s + i));
        uint32x4_t nan = vcgtq_u32(vandq_u32(u, absm), inf);
        uint32x4_t r = vaddq_u32(u, vaddq_u32(bias, vandq_u32(vshrq_n_u32(u, 16), one)));
        r = vbslq_u32(nan, vorrq_u32(vshrq_n_u32(u, 16), quiet), vshrq_n_u32(r, 16));
        vst1_u16(d + i, vmovn_u32(r));
    }
    ruv__f32_to_bf16_serial(s + i, d + i, n - i);
}

static void ruv__bf16_to_f32_neon(const void *src, void *dst, size_t n) {
    const uint16_t *s = (const uint16_t *)src;
    float *d = (float *)dst;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(d + i, RUV__N_BF16(s + i));
    ruv__bf16_to_f32_serial(s + i, d + i, n - i);
}

#if RUV__NEON_PRAGMA
#pragma GCC pop_options
#endif
#endif /* RUV__HAS_NEON */
