/* ruvector_simd.h - distance kernels for ruvector.h, dispatched at run time.
   Part of ruvector.h; also usable on its own. MIT licence (see end of file).

   Do this in exactly one C or C++ file:
       #define RUVECTOR_SIMD_IMPLEMENTATION   (RUVECTOR_IMPLEMENTATION implies it)
       #include "ruvector_simd.h"
   Other files include it without the define and get the declarations only.

   WHAT IT GIVES
     A table of kernels (struct ruv_kernels) for one instruction set (ISA): a distance function for
     every (operation, storage type) pair it defines, and f32 <-> f16/bf16 converters.
     ruv_isa_best() names the best ISA the running CPU supports (cpuid + XGETBV on x86,
     getauxval(AT_HWCAP) on Linux/AArch64, the compile target elsewhere); ruv_kernels_init()
     fills a table for an ISA, refusing one the CPU or the build cannot run. Callers copy the table
     into their own objects: nothing global is written, ever.

   STORAGE TYPES (ruv_dtype) and what n counts
     f32   float                       n = number of values
     f16   IEEE 754 binary16 as u16    n = number of values
     bf16  bfloat16 (top half of f32)  n = number of values
     i8    int8_t                      n = number of values
     u8    uint8_t                     n = number of values
     bin   packed bits                 n = number of BYTES; dimension d is bit d % 8 of byte
                                       d / 8, least significant bit first

   OPERATIONS (ruv_op); all return float
     l2sq     sum (a_i - b_i)^2                       f32 f16 bf16 i8 u8
     dot      sum a_i b_i                             f32 f16 bf16 i8 u8
     cos      1 - dot / sqrt(|a|^2 |b|^2)             f32 f16 bf16 i8 u8
              (= 1 when either vector is all zeros, or so small that its squared norm
              underflows f32, below FLT_MIN: the cosine is taken as 0)
     l1       sum |a_i - b_i|                         f32 f16 bf16 i8 u8
     hamming  popcount(a xor b)                       bin
     jaccard  1 - popcount(a and b) / popcount(a or b); 0 when both are empty   bin
   Any n >= 0, any alignment, no read past the last element. Floating types accumulate in f32
   with many independent partial sums (the order differs from a sequential sum, and depends on n
   and the ISA only: the same vectors give the same bits wherever they lie); i8/u8 accumulate
   exactly in 32-bit integers (flushed to 64 bits every 32768 values); bin by popcount. Error
   bound (checked by the tests against double precision): |error| <= 1e-5 * sum |a_i b_i| for
   dot, 1e-5 * result for l2sq and l1, 1e-5 absolute for cos; integer types are exact up to the
   final rounding to float. f16/bf16 inputs are converted exactly to f32 first.

   CONVERSIONS: f32 -> f16 and f32 -> bf16 round to nearest, ties to even; overflow gives inf;
   NaN stays NaN (quiet). f16/bf16 -> f32 are exact.

   ISAs: serial (portable C, the reference); x86-64 AVX2+FMA+F16C; AVX-512 F/BW/VL/DQ; AVX-512
   with VNNI and VPOPCNTDQ (Ice Lake and later); AVX-512 with BF16 as well; AArch64 NEON (using
   the dot-product instructions where HWCAP reports asimddp); AArch64 SVE; 32-bit ARM NEON with
   VFPv4 (armhf: Cortex-A7/A15/A17 and ARMv8 cores in 32-bit mode; ARMv7 NEON flushes subnormal
   f32 values to zero, so sums over subnormal inputs may come out 0); WebAssembly SIMD128 (chosen
   at compile time with -msimd128: WebAssembly has no run-time detection). All are compiled in
   one translation unit with per-function target attributes (GCC, clang) or, under MSVC, with
   none needed (cpuid by __cpuidex, XCR0 by _xgetbv): no -m flags needed. Exceptions: 32-bit ARM
   with clang needs -mfpu=neon-vfpv4 (GCC on Linux detects it at run time), SVE with clang 14
   needs -march=...+sve, MSVC on ARM64 gets the serial kernels. Define RUV_NO_SIMD to build the
   serial kernels only.
*/
#ifndef RUVECTOR_SIMD_H
#define RUVECTOR_SIMD_H

#include <stddef.h>
#include <stdint.h>

#ifndef RUVDEF
#ifdef RUVECTOR_STATIC
#if defined(__GNUC__) || defined(__clang__)
#define RUVDEF static __attribute__((unused))
#else
#define RUVDEF static
#endif
#else
#define RUVDEF extern
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Instruction sets. Within a family each one includes the ones before it. RUV_ISA_AUTO (0) asks
   for the best the CPU supports. */
typedef enum ruv_isa {
    RUV_ISA_AUTO = 0,
    RUV_ISA_SERIAL = 1,      /* portable C */
    RUV_ISA_AVX2 = 2,        /* x86-64 AVX2 + FMA + F16C (Haswell) */
    RUV_ISA_AVX512 = 3,      /* + AVX-512 F/BW/VL/DQ (Skylake-X) */
    RUV_ISA_AVX512_ICE = 4,  /* + VNNI, VPOPCNTDQ (Ice Lake, Zen 4) */
    RUV_ISA_AVX512_BF16 = 5, /* + AVX512_BF16 (Sapphire Rapids, Zen 4) */
    RUV_ISA_NEON = 6,        /* AArch64 Advanced SIMD (+ dotprod where the CPU has it); 32-bit
                                ARM NEON with VFPv4 */
    RUV_ISA_SVE = 7,         /* AArch64 SVE */
    RUV_ISA_WASM128 = 8,     /* WebAssembly SIMD128 */
    RUV_ISA_COUNT = 9
} ruv_isa;

/* Storage types; see the table above. */
typedef enum ruv_dtype {
    RUV_DTYPE_F32 = 0,
    RUV_DTYPE_F16 = 1,
    RUV_DTYPE_BF16 = 2,
    RUV_DTYPE_I8 = 3,
    RUV_DTYPE_U8 = 4,
    RUV_DTYPE_BIN = 5,
    RUV_DTYPE_COUNT = 6
} ruv_dtype;

/* Kernel operations; see the table above. */
typedef enum ruv_op {
    RUV_OP_L2SQ = 0,
    RUV_OP_DOT = 1,
    RUV_OP_COS = 2,
    RUV_OP_L1 = 3,
    RUV_OP_HAMMING = 4,
    RUV_OP_JACCARD = 5,
    RUV_OP_COUNT = 6
} ruv_op;

/* A distance between two arrays of n elements of one storage type. */
typedef float (*ruv_kernel_fn)(const void *a, const void *b, size_t n);

/* Converts n values from src to dst (arrays must not overlap). */
typedef void (*ruv_convert_fn)(const void *src, void *dst, size_t n);

/* One ISA's kernels. Plain data: copy it freely. */
typedef struct ruv_kernels {
    ruv_isa isa;
    ruv_kernel_fn fn[RUV_OP_COUNT][RUV_DTYPE_COUNT]; /* NULL where the pair is undefined */
    ruv_convert_fn f32_to_f16, f16_to_f32, f32_to_bf16, bf16_to_f32;
    /* Quantization kernels (used by ruvector.h's SQ8 and PQ storage):
       dot_f32_u8(a, b, n): sum a_i b_i of n floats a and n bytes b (0..255); error as f32 dot.
       dot_i16_u8(a, b, n): sum a_i b_i of n int16 a and n bytes b, exact, for inputs with
         255 * sum |a_i| < 2^31 (sums are kept in 32-bit lanes; ruvector.h scales its SQ8
         query weights to that).
       pq_lut(q, cent, dsub, op, out): out[c] = l2sq (op RUV_OP_L2SQ) or dot (RUV_OP_DOT) of the
         dsub floats q with centroid c, for c = 0..255; cent is dsub x 256 floats, centroid c's
         component d at cent[d * 256 + c] (transposed, so 256 distances come out per pass).
       adc(lut, code, m): sum over j < m of lut[j * 256 + code[j]] (PQ asymmetric distance). */
    float (*dot_f32_u8)(const float *a, const uint8_t *b, size_t n);
    int32_t (*dot_i16_u8)(const int16_t *a, const uint8_t *b, size_t n);
    void (*pq_lut)(const float *q, const float *cent, size_t dsub, int op, float *out);
    float (*adc)(const float *lut, const uint8_t *code, size_t m);
} ruv_kernels;

/* The best ISA this CPU and build can run (never RUV_ISA_AUTO). Asks the CPU each call (cpuid or
   getauxval, well under a microsecond); keeps no state. Thread-safe. */
RUVDEF ruv_isa ruv_isa_best(void);

/* 1 if this CPU and build can run `isa` (RUV_ISA_AUTO and RUV_ISA_SERIAL: always), else 0. */
RUVDEF int ruv_isa_available(ruv_isa isa);

/* Short lower-case name ("serial", "avx2", "avx512", "avx512_ice", "avx512_bf16", "neon", "sve",
   "wasm128", "auto"); "?" for other values. Static string. */
RUVDEF const char *ruv_isa_name(ruv_isa isa);

/* Short names of storage types ("f32", "f16", "bf16", "i8", "u8", "bin") and operations ("l2sq",
   "dot", "cos", "l1", "hamming", "jaccard"); "?" for other values. */
RUVDEF const char *ruv_dtype_name(ruv_dtype t);
RUVDEF const char *ruv_op_name(ruv_op op);

/* Fills *out with the kernels of `isa` (RUV_ISA_AUTO = ruv_isa_best()). Returns 1 on success, 0
   (leaving *out untouched) when out is NULL or the ISA is unknown, not compiled in or not
   supported by this CPU. Thread-safe. */
RUVDEF int ruv_kernels_init(ruv_isa isa, ruv_kernels *out);

/* Single-value conversions (portable C; the vectorised array versions are in the table). */
RUVDEF float ruv_f16_to_f32(uint16_t h);
RUVDEF uint16_t ruv_f32_to_f16(float f);
RUVDEF float ruv_bf16_to_f32(uint16_t h);
RUVDEF uint16_t ruv_f32_to_bf16(float f);

#ifdef __cplusplus
}
#endif
#endif /* RUVECTOR_SIMD_H */

/* ======================================================================== */
#if (defined(RUVECTOR_SIMD_IMPLEMENTATION) || defined(RUVECTOR_IMPLEMENTATION)) &&                 \
    !defined(RUV__SIMD_IMPL_DONE)
#define RUV__SIMD_IMPL_DONE

#include <math.h>
#include <string.h>

/* MSVC proper (not clang-cl): no target attributes (any function may use any intrinsic), no GCC
   builtins or inline assembly. */
#ifndef RUV__MSVC
#if defined(_MSC_VER) && !defined(__clang__)
#define RUV__MSVC 1
#else
#define RUV__MSVC 0
#endif
#endif

#if !defined(RUV_NO_SIMD) && (defined(__x86_64__) || defined(_M_X64)) &&                           \
    (defined(__GNUC__) || defined(__clang__) || RUV__MSVC)
#define RUV__HAS_X86 1
#if RUV__MSVC
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#include <immintrin.h>
#else
#define RUV__HAS_X86 0
#endif

#if !defined(RUV_NO_SIMD) && defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#define RUV__HAS_NEON 1
#define RUV__NEON_A32 0
#include <arm_neon.h>
#if defined(__linux__)
#include <sys/auxv.h>
#endif
/* SVE: GCC compiles it per function; clang 14 only when the whole file targets SVE. */
#if defined(__ARM_FEATURE_SVE) || (defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11)
#define RUV__HAS_SVE 1
#else
#define RUV__HAS_SVE 0
#endif
#elif !defined(RUV_NO_SIMD) && defined(__arm__) && (defined(__GNUC__) || defined(__clang__)) &&    \
    ((defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA)) ||                                        \
     (defined(__linux__) && defined(__GNUC__) && !defined(__clang__) && defined(__ARM_FP) &&       \
      defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'A' && __ARM_ARCH >= 7))
/* 32-bit ARM (armhf): NEON with VFPv4 (fused multiply-add). Built with -mfpu=neon-vfpv4 (or
   better) the kernels are always used; otherwise GCC on Linux compiles them under a target pragma
   and they are chosen at run time when HWCAP reports NEON and VFPv4. */
#define RUV__HAS_NEON 1
#define RUV__NEON_A32 1
#define RUV__HAS_SVE 0
#include <arm_neon.h>
#if defined(__linux__)
#include <sys/auxv.h>
#endif
#else
#define RUV__HAS_NEON 0
#define RUV__HAS_SVE 0
#endif

/* Per-function instruction-set targets (GCC, clang; MSVC needs none). */
#if RUV__MSVC
#define RUV__TARGET(s)
#else
#define RUV__TARGET(s) __attribute__((target(s)))
#endif

#if !defined(RUV_NO_SIMD) && defined(__wasm_simd128__)
#define RUV__HAS_WASM 1
#include <wasm_simd128.h>
#else
#define RUV__HAS_WASM 0
#endif

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
RUV__SERIAL_FLOAT(f32, RUV__LD_F32)
RUV__SERIAL_FLOAT(f16, RUV__LD_F16)
RUV__SERIAL_FLOAT(bf16, RUV__LD_BF16)

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
RUV__SERIAL_INT(i8, int8_t)
RUV__SERIAL_INT(u8, uint8_t)

static float ruv__hamming_bin_serial(const void *a, const void *b, size_t n) {
    uint64_t x = 0, an = 0, o = 0;
    ruv__bits_tail((const uint8_t *)a, (const uint8_t *)b, 0, n, &x, &an, &o);
    return (float)x;
}

static float ruv__jaccard_bin_serial(const void *a, const void *b, size_t n) {
    uint64_t x = 0, an = 0, o = 0;
    ruv__bits_tail((const uint8_t *)a, (const uint8_t *)b, 0, n, &x, &an, &o);
    return ruv__jaccard_finish(an, o);
}

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
    TGT static float ruv__run_##T##_##I(const void *a, const void *b, size_t n, int op) {          \
        int64_t s, t, u;                                                                           \
        ruv__isum_##T##_##I(a, b, n, op, &s, &t, &u);                                              \
        return op == RUV_OP_COS ? ruv__cos_finish((double)s, (double)t, (double)u) : (float)s;     \
    }                                                                                              \
    RUV__OP_WRAPPERS(T, I, TGT)
#define RUV__OP_WRAPPERS(T, I, TGT)                                                                \
    TGT static float ruv__l2sq_##T##_##I(const void *a, const void *b, size_t n) {                 \
        return ruv__run_##T##_##I(a, b, n, RUV_OP_L2SQ);                                           \
    }                                                                                              \
    TGT static float ruv__dot_##T##_##I(const void *a, const void *b, size_t n) {                  \
        return ruv__run_##T##_##I(a, b, n, RUV_OP_DOT);                                            \
    }                                                                                              \
    TGT static float ruv__l1_##T##_##I(const void *a, const void *b, size_t n) {                   \
        return ruv__run_##T##_##I(a, b, n, RUV_OP_L1);                                             \
    }                                                                                              \
    TGT static float ruv__cos_##T##_##I(const void *a, const void *b, size_t n) {                  \
        return ruv__run_##T##_##I(a, b, n, RUV_OP_COS);                                            \
    }
#define RUV__NO_TARGET
RUV__QUANT_C(serial, RUV__NO_TARGET)

static void ruv__fill_serial(ruv_kernels *k) {
    memset(k, 0, sizeof *k);
    k->isa = RUV_ISA_SERIAL;
    RUV__FILL(k, f32, RUV_DTYPE_F32, serial);
    RUV__FILL(k, f16, RUV_DTYPE_F16, serial);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, serial);
    RUV__FILL(k, i8, RUV_DTYPE_I8, serial);
    RUV__FILL(k, u8, RUV_DTYPE_U8, serial);
    k->fn[RUV_OP_HAMMING][RUV_DTYPE_BIN] = ruv__hamming_bin_serial;
    k->fn[RUV_OP_JACCARD][RUV_DTYPE_BIN] = ruv__jaccard_bin_serial;
    k->f32_to_f16 = ruv__f32_to_f16_serial;
    k->f16_to_f32 = ruv__f16_to_f32_serial;
    k->f32_to_bf16 = ruv__f32_to_bf16_serial;
    k->bf16_to_f32 = ruv__bf16_to_f32_serial;
    RUV__FILL_QUANT(k, serial);
}

#include "simd/arm.h"
#include "simd/wasm.h"
#include "simd/x86.h"

/* >>dispatch */
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

#endif /* RUVECTOR_SIMD_IMPLEMENTATION */

/*
MIT License. Copyright (c) 2026 the ruvector.h authors.
Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions: The above copyright notice and this
permission notice shall be included in all copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
*/
