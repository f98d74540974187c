/* Bench-only peer: SimSIMD's C kernels (headers from the npm package `simsimd`), wrapped to
   ruvector's kernel signature so that both are timed by the same loop in the same run. */
#define SIMSIMD_DYNAMIC_DISPATCH 0
#define SIMSIMD_NATIVE_F16 0
#define SIMSIMD_NATIVE_BF16 0
#define SIMSIMD_TARGET_HASWELL 1
#define SIMSIMD_TARGET_SKYLAKE 1
#define SIMSIMD_TARGET_ICE 1
#define SIMSIMD_TARGET_GENOA 1
#define SIMSIMD_TARGET_SAPPHIRE 1
#include <simsimd/simsimd.h>
#include <string.h>

#include "peer.h"

/* W(kernel, isa, element type) defines w_<kernel>_<isa>(a, b, n) -> float. */
#define W(K, I, T)                                                                                 \
    static float w_##K##_##I(const void *a, const void *b, size_t n) {                             \
        simsimd_distance_t r;                                                                      \
        simsimd_##K##_##I((T const *)a, (T const *)b, n, &r);                                      \
        return (float)r;                                                                           \
    }
#define W_FLOATS(I, T, SUF) W(l2sq_##SUF, I, T) W(dot_##SUF, I, T) W(cos_##SUF, I, T)
W_FLOATS(serial, simsimd_f32_t, f32)
W_FLOATS(haswell, simsimd_f32_t, f32)
W_FLOATS(skylake, simsimd_f32_t, f32)
W_FLOATS(serial, simsimd_f16_t, f16)
W_FLOATS(haswell, simsimd_f16_t, f16)
W_FLOATS(sapphire, simsimd_f16_t, f16)
W_FLOATS(serial, simsimd_bf16_t, bf16)
W_FLOATS(haswell, simsimd_bf16_t, bf16)
W_FLOATS(genoa, simsimd_bf16_t, bf16)
W_FLOATS(serial, simsimd_i8_t, i8)
W_FLOATS(haswell, simsimd_i8_t, i8)
W_FLOATS(ice, simsimd_i8_t, i8)
W_FLOATS(serial, simsimd_u8_t, u8)
W_FLOATS(haswell, simsimd_u8_t, u8)
W_FLOATS(ice, simsimd_u8_t, u8)
W(hamming_b8, serial, simsimd_b8_t)
W(hamming_b8, haswell, simsimd_b8_t)
W(hamming_b8, ice, simsimd_b8_t)
W(jaccard_b8, serial, simsimd_b8_t)
W(jaccard_b8, haswell, simsimd_b8_t)
W(jaccard_b8, ice, simsimd_b8_t)

typedef struct entry {
    const char *kernel, *isa;
    unsigned cap;
    float (*fn)(const void *, const void *, size_t);
} entry;

#define E3(SUF, I, CAP)                                                                            \
    {"l2sq_" #SUF, #I, CAP, w_l2sq_##SUF##_##I}, {"dot_" #SUF, #I, CAP, w_dot_##SUF##_##I},        \
        {"cos_" #SUF, #I, CAP, w_cos_##SUF##_##I},
static const entry g_entries[] = {
    E3(f32, serial, 0) E3(f32, haswell, simsimd_cap_haswell_k)
        E3(f32, skylake, simsimd_cap_skylake_k) E3(f16, serial, 0)
            E3(f16, haswell, simsimd_cap_haswell_k) E3(f16, sapphire, simsimd_cap_sapphire_k)
                E3(bf16, serial, 0) E3(bf16, haswell, simsimd_cap_haswell_k)
                    E3(bf16, genoa, simsimd_cap_genoa_k) E3(i8, serial, 0)
                        E3(i8, haswell, simsimd_cap_haswell_k) E3(i8, ice, simsimd_cap_ice_k)
                            E3(u8, serial, 0) E3(u8, haswell, simsimd_cap_haswell_k)
                                E3(u8, ice, simsimd_cap_ice_k){"hamming_bin", "serial", 0,
                                                               w_hamming_b8_serial},
    {"hamming_bin", "haswell", simsimd_cap_haswell_k, w_hamming_b8_haswell},
    {"hamming_bin", "ice", simsimd_cap_ice_k, w_hamming_b8_ice},
    {"jaccard_bin", "serial", 0, w_jaccard_b8_serial},
    {"jaccard_bin", "haswell", simsimd_cap_haswell_k, w_jaccard_b8_haswell},
    {"jaccard_bin", "ice", simsimd_cap_ice_k, w_jaccard_b8_ice},
};

size_t peer_simsimd_kernels(const char *kernel, const char **isas, peer_kernel_fn *fns,
                            size_t cap) {
    simsimd_capability_t have = simsimd_capabilities();
    size_t i, n = 0;
    for (i = 0; i < sizeof g_entries / sizeof g_entries[0] && n < cap; i++)
        if (!strcmp(g_entries[i].kernel, kernel) && (g_entries[i].cap & have) == g_entries[i].cap) {
            isas[n] = g_entries[i].isa;
            fns[n++] = g_entries[i].fn;
        }
    return n;
}
