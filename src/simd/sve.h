/* AArch64 SVE kernels (vector-length agnostic, predicated tails). */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_SVE
#include <arm_sve.h>
#if defined(__ARM_FEATURE_SVE)
#define RUV__T_SVE
#else
#define RUV__T_SVE RUV__TARGET("arch=armv8.2-a+sve")
#endif

#define RUV__SAME_F(x) (x)

/* One vector of 32-bit lanes from element i of p; inactive lanes are zero. */
#define RUV__S_F32(pg, p, i) svld1_f32(pg, (const float *)(p) + (i))
#define RUV__S_F16(pg, p, i)                                                                       \
    svcvt_f32_f16_x(pg, svreinterpret_f16_u32(svld1uh_u32(pg, (const uint16_t *)(p) + (i))))
#define RUV__S_BF16(pg, p, i)                                                                      \
    svreinterpret_f32_u32(svlsl_n_u32_x(pg, svld1uh_u32(pg, (const uint16_t *)(p) + (i)), 16))

#define RUV__S_FLOAT(T, LD)                                                                        \
    RUV__T_SVE static void ruv__acc_##T##_sve(const unsigned char *a, const unsigned char *b,      \
                                              size_t n, int op, float *r0, float *r1, float *r2) { \
        svfloat32_t s = svdup_n_f32(0), s2 = s, t = s, u = s;                                      \
        uint64_t i = 0, vl = svcntw();                                                             \
        for (; i < n; i += vl) {                                                                   \
            svbool_t pg = svwhilelt_b32_u64(i, n);                                                 \
            svfloat32_t x = LD(pg, a, i), y = LD(pg, b, i);                                        \
            if (op == RUV_OP_DOT || op == RUV_OP_COS) {                                            \
                s = svmla_f32_m(pg, s, x, y);                                                      \
                if (op == RUV_OP_COS) {                                                            \
                    t = svmla_f32_m(pg, t, x, x);                                                  \
                    u = svmla_f32_m(pg, u, y, y);                                                  \
                }                                                                                  \
            } else if (op == RUV_OP_L2SQ) {                                                        \
                svfloat32_t d = svsub_f32_z(pg, x, y);                                             \
                if ((i / vl) & 1)                                                                  \
                    s2 = svmla_f32_m(pg, s2, d, d);                                                \
                else                                                                               \
                    s = svmla_f32_m(pg, s, d, d);                                                  \
            } else                                                                                 \
                s = svadd_f32_m(pg, s, svabd_f32_z(pg, x, y));                                     \
        }                                                                                          \
        *r0 = svaddv_f32(svptrue_b32(), svadd_f32_x(svptrue_b32(), s, s2));                        \
        *r1 = svaddv_f32(svptrue_b32(), t);                                                        \
        *r2 = svaddv_f32(svptrue_b32(), u);                                                        \
    }                                                                                              \
    RUV__FLOAT_WRAPPERS(T, sve, RUV__T_SVE, float, RUV__SAME_F)
RUV__S_FLOAT(f32, RUV__S_F32)   /* ruv__l2sq_f32_sve, ruv__dot_f32_sve, ruv__l1_f32_sve,
                                   ruv__cos_f32_sve, ruv__acc_f32_sve, ruv__run_f32_sve */
RUV__S_FLOAT(f16, RUV__S_F16)   /* ruv__l2sq_f16_sve, ruv__dot_f16_sve, ruv__l1_f16_sve,
                                   ruv__cos_f16_sve, ruv__acc_f16_sve, ruv__run_f16_sve */
RUV__S_FLOAT(bf16, RUV__S_BF16) /* ruv__l2sq_bf16_sve, ruv__dot_bf16_sve, ruv__l1_bf16_sve,
                                   ruv__cos_bf16_sve, ruv__acc_bf16_sve, ruv__run_bf16_sve */

/* i8/u8 with sdot/udot: 4 products per 32-bit lane per instruction, exact; |a - b| of two i8 or
   two u8 values fits a u8 (svabd), squared (or summed against ones) with udot. */
#define RUV__S_INT(T, CT, VT, LD, ACC, DUP, DOT, ABDU, ADDV)                                       \
    RUV__T_SVE static void ruv__isum_##T##_sve(const void *pa, const void *pb, size_t n, int op,   \
                                               int64_t *r0, int64_t *r1, int64_t *r2) {            \
        const CT *a = (const CT *)pa, *b = (const CT *)pb;                                         \
        uint64_t i = 0, vl = svcntb();                                                             \
        *r0 = *r1 = *r2 = 0;                                                                       \
        while (i < n) {                                                                            \
            uint64_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                              \
            ACC s = DUP(0), t = s, u = s;                                                          \
            svuint32_t l = svdup_n_u32(0);                                                         \
            const svuint8_t one = svdup_n_u8(1);                                                   \
            for (; i < end; i += vl) {                                                             \
                svbool_t pg = svwhilelt_b8_u64(i, end);                                            \
                VT x = LD(pg, a + i), y = LD(pg, b + i);                                           \
                if (op == RUV_OP_L1 || op == RUV_OP_L2SQ) {                                        \
                    svuint8_t d = ABDU(pg, x, y);                                                  \
                    l = svdot_u32(l, d, op == RUV_OP_L1 ? one : d);                                \
                } else {                                                                           \
                    s = DOT(s, x, y);                                                              \
                    if (op == RUV_OP_COS) {                                                        \
                        t = DOT(t, x, x);                                                          \
                        u = DOT(u, y, y);                                                          \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
            i = end; /* the last step may overshoot */                                             \
            *r0 += (op == RUV_OP_L1 || op == RUV_OP_L2SQ) ? (int64_t)svaddv_u32(svptrue_b32(), l)  \
                                                          : (int64_t)ADDV(svptrue_b32(), s);       \
            *r1 += (int64_t)ADDV(svptrue_b32(), t);                                                \
            *r2 += (int64_t)ADDV(svptrue_b32(), u);                                                \
        }                                                                                          \
    }                                                                                              \
    RUV__INT_WRAPPERS(T, sve, RUV__T_SVE)
#define RUV__S_ABD_S8(pg, x, y) svreinterpret_u8_s8(svabd_s8_z(pg, x, y))
RUV__S_INT(i8, int8_t, svint8_t, svld1_s8, svint32_t, svdup_n_s32, svdot_s32, RUV__S_ABD_S8,
           svaddv_s32) /* ruv__l2sq_i8_sve, ruv__dot_i8_sve, ruv__l1_i8_sve, ruv__cos_i8_sve,
                          ruv__isum_i8_sve, ruv__run_i8_sve */
RUV__S_INT(u8, uint8_t, svuint8_t, svld1_u8, svuint32_t, svdup_n_u32, svdot_u32, svabd_u8_z,
           svaddv_u32) /* ruv__l2sq_u8_sve, ruv__dot_u8_sve, ruv__l1_u8_sve, ruv__cos_u8_sve,
                          ruv__isum_u8_sve, ruv__run_u8_sve */

/* Binary: per-byte popcount, summed into 32-bit lanes with udot against ones. */
RUV__T_SVE static void ruv__bits_sve(const void *pa, const void *pb, size_t n, int jac, uint64_t *x,
                                     uint64_t *an, uint64_t *o) {
    const uint8_t *a = (const uint8_t *)pa, *b = (const uint8_t *)pb;
    uint64_t i = 0, vl = svcntb();
    const svuint8_t one = svdup_n_u8(1);
    *x = *an = *o = 0;
    while (i < n) { /* blocks keep the 32-bit lanes from overflowing */
        uint64_t end = n - i > (1u << 20) ? i + (1u << 20) : n;
        svuint32_t sx = svdup_n_u32(0), sa = sx, so = sx;
        for (; i < end; i += vl) {
            svbool_t pg = svwhilelt_b8_u64(i, end);
            svuint8_t p = svld1_u8(pg, a + i), q = svld1_u8(pg, b + i);
            if (jac) {
                sa = svdot_u32(sa, svcnt_u8_z(pg, svand_u8_z(pg, p, q)), one);
                so = svdot_u32(so, svcnt_u8_z(pg, svorr_u8_z(pg, p, q)), one);
            } else
                sx = svdot_u32(sx, svcnt_u8_z(pg, sveor_u8_z(pg, p, q)), one);
        }
        i = end; /* the last step may overshoot */
        *x += svaddv_u32(svptrue_b32(), sx);
        *an += svaddv_u32(svptrue_b32(), sa);
        *o += svaddv_u32(svptrue_b32(), so);
    }
}

RUV__BIN(sve, RUV__T_SVE) /* ruv__hamming_bin_sve, ruv__jaccard_bin_sve, ruv__hamming_many_sve,
   ruv__jaccard_many_sve */

static void ruv__fill_sve(ruv_kernels *k) {
    RUV__FILL(k, f32, RUV_DTYPE_F32, sve);
    RUV__FILL(k, f16, RUV_DTYPE_F16, sve);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, sve);
    RUV__FILL(k, i8, RUV_DTYPE_I8, sve);
    RUV__FILL(k, u8, RUV_DTYPE_U8, sve);
    RUV__FILL_BIN(k, sve);
}
#endif /* RUV__HAS_SVE */
