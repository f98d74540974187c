/* WebAssembly SIMD128 kernels, selected at compile time (-msimd128). f16 has no conversion
   instruction in SIMD128 and keeps the serial kernels. */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_WASM

#define RUV__W_F32(p) wasm_v128_load(p)

static float ruv__f32x4_sum(v128_t v) {
    return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
           wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}

/* Sum of the four 32-bit lanes (as signed or unsigned) in 64 bits. */
static int64_t ruv__i32x4_sum(v128_t v) {
    return (int64_t)wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) +
           wasm_i32x4_extract_lane(v, 2) + wasm_i32x4_extract_lane(v, 3);
}
static uint64_t ruv__u32x4_sum(v128_t v) {
    return (uint64_t)wasm_u32x4_extract_lane(v, 0) + wasm_u32x4_extract_lane(v, 1) +
           wasm_u32x4_extract_lane(v, 2) + wasm_u32x4_extract_lane(v, 3);
}
#define RUV__W_BF16(p) wasm_i32x4_shl(wasm_u32x4_load16x4(p), 16)

/* Floating kernels, 16 elements per iteration in 4 accumulators; zero-padded tail. */
#define RUV__W_FLOAT(T, ES, LD)                                                                    \
    static void ruv__acc_##T##_wasm128(const unsigned char *a, const unsigned char *b, size_t n,   \
                                       int op, v128_t *r0, v128_t *r1, v128_t *r2) {               \
        v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0, t = s0, u = s0;                \
        unsigned char ta[4 * ES], tb[4 * ES];                                                      \
        size_t i = 0;                                                                              \
        if (op != RUV_OP_COS)                                                                      \
            for (; i + 16 <= n; i += 16) {                                                         \
                v128_t x0 = LD(a + i * ES), y0 = LD(b + i * ES);                                   \
                v128_t x1 = LD(a + (i + 4) * ES), y1 = LD(b + (i + 4) * ES);                       \
                v128_t x2 = LD(a + (i + 8) * ES), y2 = LD(b + (i + 8) * ES);                       \
                v128_t x3 = LD(a + (i + 12) * ES), y3 = LD(b + (i + 12) * ES);                     \
                if (op == RUV_OP_L2SQ) {                                                           \
                    x0 = wasm_f32x4_sub(x0, y0), x1 = wasm_f32x4_sub(x1, y1);                      \
                    x2 = wasm_f32x4_sub(x2, y2), x3 = wasm_f32x4_sub(x3, y3);                      \
                    y0 = x0, y1 = x1, y2 = x2, y3 = x3;                                            \
                }                                                                                  \
                if (op == RUV_OP_L1) {                                                             \
                    s0 = wasm_f32x4_add(s0, wasm_f32x4_abs(wasm_f32x4_sub(x0, y0)));               \
                    s1 = wasm_f32x4_add(s1, wasm_f32x4_abs(wasm_f32x4_sub(x1, y1)));               \
                    s2 = wasm_f32x4_add(s2, wasm_f32x4_abs(wasm_f32x4_sub(x2, y2)));               \
                    s3 = wasm_f32x4_add(s3, wasm_f32x4_abs(wasm_f32x4_sub(x3, y3)));               \
                } else {                                                                           \
                    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(x0, y0));                               \
                    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(x1, y1));                               \
                    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(x2, y2));                               \
                    s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(x3, y3));                               \
                }                                                                                  \
            }                                                                                      \
        for (; i < n; i += 4) {                                                                    \
            const unsigned char *pa = a + i * ES, *pb = b + i * ES;                                \
            v128_t x, y;                                                                           \
            if (n - i < 4) {                                                                       \
                ruv__pad_tail(ta, tb, pa, pb, (n - i) * ES, sizeof ta);                            \
                pa = ta, pb = tb;                                                                  \
            }                                                                                      \
            x = LD(pa), y = LD(pb);                                                                \
            if (op == RUV_OP_L2SQ)                                                                 \
                x = y = wasm_f32x4_sub(x, y);                                                      \
            if (op == RUV_OP_L1)                                                                   \
                s1 = wasm_f32x4_add(s1, wasm_f32x4_abs(wasm_f32x4_sub(x, y)));                     \
            else {                                                                                 \
                s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(x, y));                                     \
                t = wasm_f32x4_add(t, wasm_f32x4_mul(x, x));                                       \
                u = wasm_f32x4_add(u, wasm_f32x4_mul(y, y));                                       \
            }                                                                                      \
        }                                                                                          \
        *r0 = wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3));                      \
        *r1 = t;                                                                                   \
        *r2 = u;                                                                                   \
    }                                                                                              \
    RUV__FLOAT_WRAPPERS(T, wasm128, RUV__NO_TARGET, v128_t, ruv__f32x4_sum)
RUV__W_FLOAT(f32, 4,
             RUV__W_F32) /* ruv__l2sq_f32_wasm128, ruv__dot_f32_wasm128, ruv__l1_f32_wasm128,
                            ruv__cos_f32_wasm128, ruv__acc_f32_wasm128, ruv__run_f32_wasm128 */
RUV__W_FLOAT(bf16, 2,
             RUV__W_BF16) /* ruv__l2sq_bf16_wasm128, ruv__dot_bf16_wasm128, ruv__l1_bf16_wasm128,
                             ruv__cos_bf16_wasm128, ruv__acc_bf16_wasm128, ruv__run_bf16_wasm128 */

/* i8/u8: 8 values widened to i16 per step; i32x4.dot_i16x8 sums pairs of products exactly. */
#define RUV__W_INT(T, WIDEN)                                                                       \
    static void ruv__isum_##T##_wasm128(const void *pa, const void *pb, size_t n, int op,          \
                                        int64_t *r0, int64_t *r1, int64_t *r2) {                   \
        const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;        \
        unsigned char ta[8], tb[8];                                                                \
        size_t i = 0;                                                                              \
        *r0 = *r1 = *r2 = 0;                                                                       \
        while (i < n) {                                                                            \
            size_t end = n - i > RUV__IBLOCK ? i + RUV__IBLOCK : n;                                \
            v128_t s = wasm_i32x4_splat(0), t = s, u = s;                                          \
            for (; i < end; i += 8) {                                                              \
                const unsigned char *p = a + i, *q = b + i;                                        \
                v128_t x, y;                                                                       \
                if (end - i < 8) {                                                                 \
                    ruv__pad_tail(ta, tb, p, q, end - i, sizeof ta);                               \
                    p = ta, q = tb;                                                                \
                    i = end - 8;                                                                   \
                }                                                                                  \
                x = WIDEN(p), y = WIDEN(q);                                                        \
                if (op == RUV_OP_L1)                                                               \
                    s = wasm_i32x4_add(s, wasm_i32x4_extadd_pairwise_i16x8(                        \
                                              wasm_i16x8_abs(wasm_i16x8_sub(x, y))));              \
                else if (op == RUV_OP_L2SQ) {                                                      \
                    v128_t d = wasm_i16x8_sub(x, y);                                               \
                    s = wasm_i32x4_add(s, wasm_i32x4_dot_i16x8(d, d));                             \
                } else {                                                                           \
                    s = wasm_i32x4_add(s, wasm_i32x4_dot_i16x8(x, y));                             \
                    t = wasm_i32x4_add(t, wasm_i32x4_dot_i16x8(x, x));                             \
                    u = wasm_i32x4_add(u, wasm_i32x4_dot_i16x8(y, y));                             \
                }                                                                                  \
            }                                                                                      \
            *r0 += ruv__i32x4_sum(s);                                                              \
            *r1 += ruv__i32x4_sum(t);                                                              \
            *r2 += ruv__i32x4_sum(u);                                                              \
        }                                                                                          \
    }                                                                                              \
    RUV__INT_WRAPPERS(T, wasm128, RUV__NO_TARGET)
RUV__W_INT(i8,
           wasm_i16x8_load8x8) /* ruv__l2sq_i8_wasm128, ruv__dot_i8_wasm128, ruv__l1_i8_wasm128,
                                  ruv__cos_i8_wasm128, ruv__isum_i8_wasm128, ruv__run_i8_wasm128 */
RUV__W_INT(u8,
           wasm_u16x8_load8x8) /* ruv__l2sq_u8_wasm128, ruv__dot_u8_wasm128, ruv__l1_u8_wasm128,
                                  ruv__cos_u8_wasm128, ruv__isum_u8_wasm128, ruv__run_u8_wasm128 */

static void ruv__bits_wasm128(const void *pa, const void *pb, size_t n, int jac, uint64_t *x,
                              uint64_t *an, uint64_t *o) {
    const uint8_t *a = (const uint8_t *)pa, *b = (const uint8_t *)pb;
    v128_t sx = wasm_i32x4_splat(0), sa = sx, so = sx;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v128_t p = wasm_v128_load(a + i), q = wasm_v128_load(b + i);
        if (jac) {
            sa = wasm_i32x4_add(
                sa, wasm_u32x4_extadd_pairwise_u16x8(
                        wasm_u16x8_extadd_pairwise_u8x16(wasm_i8x16_popcnt(wasm_v128_and(p, q)))));
            so = wasm_i32x4_add(
                so, wasm_u32x4_extadd_pairwise_u16x8(
                        wasm_u16x8_extadd_pairwise_u8x16(wasm_i8x16_popcnt(wasm_v128_or(p, q)))));
        } else
            sx = wasm_i32x4_add(
                sx, wasm_u32x4_extadd_pairwise_u16x8(
                        wasm_u16x8_extadd_pairwise_u8x16(wasm_i8x16_popcnt(wasm_v128_xor(p, q)))));
    }
    *x = *an = *o = 0;
    ruv__bits_tail(a, b, i, n, x, an, o);
    *x += ruv__u32x4_sum(sx);
    *an += ruv__u32x4_sum(sa);
    *o += ruv__u32x4_sum(so);
}

RUV__BIN(wasm128, RUV__NO_TARGET) /* ruv__hamming_bin_wasm128, ruv__jaccard_bin_wasm128,
   ruv__hamming_many_wasm128, ruv__jaccard_many_wasm128 */

/* Quantization kernels: f32 x u8 widens 4 bytes per step (u8 -> u16 -> u32 -> f32); the PQ
   table kernels stay portable C. */
RUV__PQLUT_C(wasm128, RUV__NO_TARGET) /* ruv__pq_lut_wasm128 */
RUV__ADC_C(wasm128, RUV__NO_TARGET)   /* ruv__adc_wasm128 */
static float ruv__dot_f32_u8_wasm128(const float *a, const uint8_t *b, size_t n) {
    v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0;
    float t = 0.0f;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint32_t w[2];
        v128_t c;
        memcpy(w, b + i, 8);
        c = wasm_u16x8_extend_low_u8x16(wasm_i32x4_make((int32_t)w[0], (int32_t)w[1], 0, 0));
        s0 = wasm_f32x4_add(
            s0, wasm_f32x4_mul(wasm_v128_load(a + i),
                               wasm_f32x4_convert_u32x4(wasm_u32x4_extend_low_u16x8(c))));
        s1 = wasm_f32x4_add(
            s1, wasm_f32x4_mul(wasm_v128_load(a + i + 4),
                               wasm_f32x4_convert_u32x4(wasm_u32x4_extend_high_u16x8(c))));
    }
    for (; i < n; i++)
        t += a[i] * (float)b[i];
    return ruv__f32x4_sum(wasm_f32x4_add(s0, s1)) + t;
}

/* int16 x u8: 8 bytes widened by the load, i32x4.dot_i16x8_s (exact). */
static int32_t ruv__dot_i16_u8_wasm128(const int16_t *a, const uint8_t *b, size_t n) {
    v128_t s0 = wasm_i32x4_splat(0), s1 = s0;
    int32_t t = 0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = wasm_i32x4_add(s0,
                            wasm_i32x4_dot_i16x8(wasm_v128_load(a + i), wasm_u16x8_load8x8(b + i)));
        s1 = wasm_i32x4_add(
            s1, wasm_i32x4_dot_i16x8(wasm_v128_load(a + i + 8), wasm_u16x8_load8x8(b + i + 8)));
    }
    if (i + 8 <= n) {
        s0 = wasm_i32x4_add(s0,
                            wasm_i32x4_dot_i16x8(wasm_v128_load(a + i), wasm_u16x8_load8x8(b + i)));
        i += 8;
    }
    for (; i < n; i++)
        t += (int32_t)a[i] * b[i];
    s0 = wasm_i32x4_add(s0, s1);
    return wasm_i32x4_extract_lane(s0, 0) + wasm_i32x4_extract_lane(s0, 1) +
           wasm_i32x4_extract_lane(s0, 2) + wasm_i32x4_extract_lane(s0, 3) + t;
}

static void ruv__fill_wasm(ruv_kernels *k, ruv_isa isa) {
    if (isa != RUV_ISA_WASM128)
        return;
    RUV__FILL(k, f32, RUV_DTYPE_F32, wasm128);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, wasm128);
    RUV__FILL(k, i8, RUV_DTYPE_I8, wasm128);
    RUV__FILL(k, u8, RUV_DTYPE_U8, wasm128);
    RUV__FILL_BIN(k, wasm128);
    RUV__FILL_QUANT(k, wasm128);
}
#endif /* RUV__HAS_WASM */
