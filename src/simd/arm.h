/* ARM: CPU detection (HWCAP), the quantization kernels and the kernel table of the NEON and SVE
   ISAs. */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_NEON
#if RUV__NEON_PRAGMA
#pragma GCC push_options
#pragma GCC target("fpu=neon-vfpv4")
#endif

#define RUV__HWCAP_ASIMDDP (1ul << 20) /* AArch64 */
#define RUV__HWCAP_SVE (1ul << 22)     /* AArch64 */
#define RUV__HWCAP_NEON (1ul << 12)    /* 32-bit ARM */
#define RUV__HWCAP_VFPV4 (1ul << 16)   /* 32-bit ARM */

#if RUV__HAS_DOTPROD || RUV__HAS_SVE || RUV__NEON_PRAGMA
static unsigned long ruv__arm_hwcap(void) {
#if defined(__linux__)
    return getauxval(AT_HWCAP);
#else
    return 0; /* other systems: NEON only (the AArch64 baseline) */
#endif
}
#endif

static ruv_isa ruv__arm_best(void) {
#if RUV__NEON_PRAGMA
    unsigned long need = RUV__HWCAP_NEON | RUV__HWCAP_VFPV4;
    if ((ruv__arm_hwcap() & need) != need)
        return RUV_ISA_SERIAL;
#endif
#if RUV__HAS_SVE
    if (ruv__arm_hwcap() & RUV__HWCAP_SVE)
        return RUV_ISA_SVE;
#endif
    return RUV_ISA_NEON;
}

/* Quantization kernels: table look-ups and centroid tables stay portable C; f32 x u8 widens
   8 bytes per step to two float vectors. */
RUV__PQLUT_C(neon, RUV__NO_TARGET) /* ruv__pq_lut_neon */
RUV__ADC_C(neon, RUV__NO_TARGET)   /* ruv__adc_neon */
static float ruv__dot_f32_u8_neon(const float *a, const uint8_t *b, size_t n) {
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0;
    float t = 0.0f;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint16x8_t c = vmovl_u8(vld1_u8(b + i));
        s0 = vfmaq_f32(s0, vld1q_f32(a + i), vcvtq_f32_u32(vmovl_u16(vget_low_u16(c))));
        s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vcvtq_f32_u32(vmovl_u16(vget_high_u16(c))));
    }
    for (; i < n; i++)
        t += a[i] * (float)b[i];
    return RUV__N_ADDV_F32(vaddq_f32(s0, s1)) + t;
}

/* int16 x u8: bytes widened to 16 bits, multiply-accumulated into 32-bit lanes (exact). */
static int32_t ruv__dot_i16_u8_neon(const int16_t *a, const uint8_t *b, size_t n) {
    int32x4_t s0 = vdupq_n_s32(0), s1 = s0;
    int32_t t = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        int16x8_t c = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(b + i))), x = vld1q_s16(a + i);
        s0 = vmlal_s16(s0, vget_low_s16(x), vget_low_s16(c));
        s1 = vmlal_s16(s1, vget_high_s16(x), vget_high_s16(c));
    }
    for (; i < n; i++)
        t += (int32_t)a[i] * b[i];
    return (int32_t)RUV__ADDV_S(vaddq_s32(s0, s1)) + t;
}

static void ruv__fill_arm(ruv_kernels *k, ruv_isa isa) {
    if (isa != RUV_ISA_NEON && isa != RUV_ISA_SVE)
        return;
    RUV__FILL(k, f32, RUV_DTYPE_F32, neon);
    RUV__FILL(k, f16, RUV_DTYPE_F16, neon);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, neon);
    RUV__FILL(k, i8, RUV_DTYPE_I8, neon);
    RUV__FILL(k, u8, RUV_DTYPE_U8, neon);
#if RUV__HAS_DOTPROD
    if (ruv__arm_hwcap() & RUV__HWCAP_ASIMDDP) {
        RUV__FILL(k, i8, RUV_DTYPE_I8, dotprod_neon);
        RUV__FILL(k, u8, RUV_DTYPE_U8, dotprod_neon);
    }
#endif
#if !RUV__NEON_A32
    k->f32_to_f16 = ruv__f32_to_f16_neon; /* 32-bit ARM keeps the serial one */
#endif
    RUV__FILL_BIN(k, neon);
    k->f16_to_f32 = ruv__f16_to_f32_neon;
    k->f32_to_bf16 = ruv__f32_to_bf16_neon;
    k->bf16_to_f32 = ruv__bf16_to_f32_neon;
    RUV__FILL_QUANT(k, neon);
#if RUV__HAS_SVE
    if (isa == RUV_ISA_SVE)
        ruv__fill_sve(k);
#endif
}

#if RUV__NEON_PRAGMA
#pragma GCC pop_options
#endif
#endif /* RUV__HAS_NEON */
