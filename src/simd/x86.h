/* x86-64: the target attributes of the four x86 ISAs (AVX2+FMA+F16C; AVX-512 F/BW/VL/DQ; + VNNI,
   VPOPCNTDQ; + BF16), and CPU detection by cpuid and XGETBV. Kernels: src/simd/x86_avx2.h and
   src/simd/x86_avx512.h (which also holds the table). */
#if defined(RUV__SIMD_IMPL) && RUV__HAS_X86

/* GCC 12's AVX-512 intrinsics trip a false -Wuninitialized in C++ at -O2 (GCC PR105593): the
   kernel files turn those warnings off between RUV__X86_BEGIN and RUV__X86_END. */
#if defined(__GNUC__) && !defined(__clang__)
#define RUV__X86_BEGIN                                                                             \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")           \
        _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
#define RUV__X86_END _Pragma("GCC diagnostic pop")
#else
#define RUV__X86_BEGIN
#define RUV__X86_END
#endif

#define RUV__T_AVX2 RUV__TARGET("avx2,fma,f16c,popcnt")
#if RUV__MSVC
#define RUV__INLINE __forceinline
#else
#define RUV__INLINE __attribute__((always_inline)) inline
#endif
#define RUV__T_AVX512 RUV__TARGET("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq")
#define RUV__T_AVX512_ICE                                                                          \
    RUV__TARGET("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vpopcntdq")
#define RUV__T_AVX512_BF16                                                                         \
    RUV__TARGET("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vpopcntdq,"     \
                "avx512bf16")

/* r = eax, ebx, ecx, edx of cpuid(leaf, sub). */
static void ruv__cpuid(unsigned leaf, unsigned sub, unsigned r[4]) {
#if RUV__MSVC || defined(RUV__X86_INTRINSIC_CPUID)
    int v[4];
    __cpuidex(v, (int)leaf, (int)sub);
    r[0] = (unsigned)v[0], r[1] = (unsigned)v[1], r[2] = (unsigned)v[2], r[3] = (unsigned)v[3];
#else
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

/* XCR0: the register state the OS saves. Only called once cpuid reports OSXSAVE. */
#if RUV__MSVC || defined(RUV__X86_INTRINSIC_CPUID)
RUV__TARGET("xsave") static uint64_t ruv__xgetbv0(void) { return (uint64_t)_xgetbv(0); }
#else
static uint64_t ruv__xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}
#endif

/* cpuid feature bits, checked against XCR0 so that state the OS does not save is never used. */
static ruv_isa ruv__x86_best(void) {
    unsigned r[4], l1[4], l7[4], a71 = 0;
    uint64_t xcr0;
    ruv__cpuid(0, 0, r);
    if (r[0] < 7)
        return RUV_ISA_SERIAL;
    ruv__cpuid(1, 0, l1);
    /* ecx: fma (12), popcnt (23), osxsave (27), avx (28), f16c (29) */
    if ((l1[2] & 0x38801000u) != 0x38801000u)
        return RUV_ISA_SERIAL;
    xcr0 = ruv__xgetbv0();
    if ((xcr0 & 6u) != 6u)
        return RUV_ISA_SERIAL;
    ruv__cpuid(7, 0, l7);
    if (l7[0] >= 1) {
        ruv__cpuid(7, 1, r);
        a71 = r[0];
    }
    if (!(l7[1] & (1u << 5))) /* ebx: avx2 */
        return RUV_ISA_SERIAL;
    /* ebx: avx512 f (16), dq (17), bw (30), vl (31); opmask + zmm state */
    if ((l7[1] & 0xC0030000u) != 0xC0030000u || (xcr0 & 0xE0u) != 0xE0u)
        return RUV_ISA_AVX2;
    if (!(l7[2] & (1u << 11)) || !(l7[2] & (1u << 14))) /* ecx: vnni, vpopcntdq */
        return RUV_ISA_AVX512;
    return (a71 & (1u << 5)) ? RUV_ISA_AVX512_BF16 : RUV_ISA_AVX512_ICE;
}

#endif /* RUV__HAS_X86 */
