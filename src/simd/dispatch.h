/* ISA names, run-time choice of the best ISA, and the kernel table of an ISA. Closes the
   kernels' implementation section (opened in src/simd/detect.h). */
#ifdef RUV__SIMD_IMPL

RUVDEF const char *ruv_isa_name(ruv_isa isa) {
    static const char *const names[RUV_ISA_COUNT] = {
        "auto", "serial", "avx2", "avx512", "avx512_ice", "avx512_bf16", "neon", "sve", "wasm128"};
    return (unsigned)isa < (unsigned)RUV_ISA_COUNT ? names[isa] : "?";
}

RUVDEF const char *ruv_dtype_name(ruv_dtype t) {
    static const char *const names[RUV_DTYPE_COUNT] = {"f32", "f16", "bf16", "i8", "u8", "bin"};
    return (unsigned)t < (unsigned)RUV_DTYPE_COUNT ? names[t] : "?";
}

RUVDEF const char *ruv_op_name(ruv_op op) {
    static const char *const names[RUV_OP_COUNT] = {"l2sq", "dot",     "cos",
                                                    "l1",   "hamming", "jaccard"};
    return (unsigned)op < (unsigned)RUV_OP_COUNT ? names[op] : "?";
}

RUVDEF ruv_isa ruv_isa_best(void) {
#if RUV__HAS_X86
    return ruv__x86_best();
#elif RUV__HAS_NEON
    return ruv__arm_best();
#elif RUV__HAS_WASM
    return RUV_ISA_WASM128;
#else
    return RUV_ISA_SERIAL;
#endif
}

RUVDEF int ruv_isa_available(ruv_isa isa) {
    ruv_isa best;
    if (isa == RUV_ISA_AUTO || isa == RUV_ISA_SERIAL)
        return 1;
    best = ruv_isa_best();
    if (isa >= RUV_ISA_AVX2 && isa <= RUV_ISA_AVX512_BF16)
        return best >= RUV_ISA_AVX2 && best <= RUV_ISA_AVX512_BF16 && isa <= best;
    if (isa == RUV_ISA_NEON)
        return best == RUV_ISA_NEON || best == RUV_ISA_SVE;
    return isa == best;
}

RUVDEF int ruv_kernels_init(ruv_isa isa, ruv_kernels *out) {
    ruv_kernels k;
    if (isa == RUV_ISA_AUTO)
        isa = ruv_isa_best();
    if (!out || (unsigned)isa >= (unsigned)RUV_ISA_COUNT || !ruv_isa_available(isa))
        return 0;
    ruv__fill_serial(&k);
#if RUV__HAS_X86
    ruv__fill_x86(&k, isa);
#endif
#if RUV__HAS_NEON
    ruv__fill_arm(&k, isa);
#endif
#if RUV__HAS_WASM
    ruv__fill_wasm(&k, isa);
#endif
    k.isa = isa;
    *out = k;
    return 1;
}

#undef RUV__SIMD_IMPL
#endif /* RUV__SIMD_IMPL */
