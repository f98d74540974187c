/* GENERATED FILE: edit src/ and run tools/amalgamate.py (which lists the files in order) */
/************** Begin file src/simd/doc.h *********************************************************/
/* ruvector_simd.h - distance kernels for ruvector.h, dispatched at run time.
   Part of ruvector.h; also usable on its own. MIT licence (see end of file).

   Do this in exactly one C or C++ file:
       #define RUVECTOR_SIMD_IMPLEMENTATION   (RUVECTOR_IMPLEMENTATION implies it)
       #include "ruvector_simd.h"
   Other files include it without the define and get the declarations only.
*/
/************** End of src/simd/doc.h *************************************************************/
/************** Begin file src/simd/api.h *********************************************************/
/* DISTANCE KERNELS (ruvector_simd.h, also part of ruvector.h)

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
   needs -march=...+sve (and +dotprod for the sdot/udot kernels), MSVC on ARM64 gets the serial
   kernels. (clang 14 with -fsanitize=address plus UBSan's pointer-overflow check and frame
   pointers omitted crashes in its backend on the AVX-512 kernels, llvm/llvm-project#60442: add
   -fno-omit-frame-pointer.) Define RUV_NO_SIMD to build the
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

/* One query against many stored arrays (a scan): out[i] = the distance between the n elements
   at q and the n elements at base + i * stride bytes, for i < count (same value as the one-pair
   kernel). One call per block of a flat scan, so no indirect call per stored vector. */
typedef void (*ruv_kernel_many_fn)(const void *q, const void *base, size_t stride, size_t n,
                                   size_t count, float *out);

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
    /* One query against many binary codes (n = bytes each): the Hamming and Jaccard scans. */
    ruv_kernel_many_fn hamming_many, jaccard_many;
} ruv_kernels;

/* The best ISA this CPU and build can run (never RUV_ISA_AUTO). Asks the CPU each call (cpuid or
   getauxval, well under a microsecond); keeps no state. Threads: any. */
RUVDEF ruv_isa ruv_isa_best(void);

/* 1 if this CPU and build can run `isa` (RUV_ISA_AUTO and RUV_ISA_SERIAL: always), else 0.
   Threads: any. */
RUVDEF int ruv_isa_available(ruv_isa isa);

/* Short lower-case name ("serial", "avx2", "avx512", "avx512_ice", "avx512_bf16", "neon", "sve",
   "wasm128", "auto"); "?" for other values. Static string. Threads: any. */
RUVDEF const char *ruv_isa_name(ruv_isa isa);

/* Short names of storage types ("f32", "f16", "bf16", "i8", "u8", "bin") and operations ("l2sq",
   "dot", "cos", "l1", "hamming", "jaccard"); "?" for other values. Static strings. Threads: any. */
RUVDEF const char *ruv_dtype_name(ruv_dtype t);
RUVDEF const char *ruv_op_name(ruv_op op);

/* Fills *out with the kernels of `isa` (RUV_ISA_AUTO = ruv_isa_best()). Returns 1 on success, 0
   (leaving *out untouched) when out is NULL or the ISA is unknown, not compiled in or not
   supported by this CPU. (A 1/0 answer rather than a ruv_result: this header stands alone.)
   Threads: any. */
RUVDEF int ruv_kernels_init(ruv_isa isa, ruv_kernels *out);

/* Single-value conversions (portable C; the vectorised array versions are in the table); see
   CONVERSIONS above. Threads: any. */
RUVDEF float ruv_f16_to_f32(uint16_t h);
RUVDEF uint16_t ruv_f32_to_f16(float f);
RUVDEF float ruv_bf16_to_f32(uint16_t h);
RUVDEF uint16_t ruv_f32_to_bf16(float f);

#ifdef __cplusplus
}
#endif
#endif /* RUVECTOR_SIMD_H */
/************** End of src/simd/api.h *************************************************************/
/************** Begin file src/simd/detect.h ******************************************************/
/* The kernels' implementation section: compiled where RUVECTOR_SIMD_IMPLEMENTATION or
   RUVECTOR_IMPLEMENTATION is defined, once per translation unit. RUV__SIMD_IMPL is defined while
   its files are read (src/simd/detect.h to src/simd/dispatch.h, which undefines it).
   This file: the instruction sets this compiler can target, and their intrinsic headers. */
#if (defined(RUVECTOR_SIMD_IMPLEMENTATION) || defined(RUVECTOR_IMPLEMENTATION)) &&                 \
    !defined(RUV__SIMD_IMPL_DONE)
#define RUV__SIMD_IMPL_DONE
#define RUV__SIMD_IMPL 1
#endif
#ifdef RUV__SIMD_IMPL

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
/* The dot-product instructions (sdot/udot) and SVE: GCC compiles them per function; clang 14 only
   when the whole file targets them (-march=armv8.2-a+dotprod, +sve). */
#if defined(__ARM_FEATURE_DOTPROD) || (defined(__GNUC__) && !defined(__clang__))
#define RUV__HAS_DOTPROD 1
#else
#define RUV__HAS_DOTPROD 0
#endif
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
#define RUV__HAS_DOTPROD 0
#define RUV__HAS_SVE 0
#include <arm_neon.h>
#if defined(__linux__)
#include <sys/auxv.h>
#endif
#else
#define RUV__HAS_NEON 0
#define RUV__HAS_DOTPROD 0
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

#endif /* RUV__SIMD_IMPL */
/************** End of src/simd/detect.h **********************************************************/
/************** Begin file src/simd/serial.h ******************************************************/
/* Portable kernels (the reference every ISA is tested against), f16/bf16 conversions, the
   helpers shared by every ISA, and the macros that stamp kernels out per ISA. */
#ifdef RUV__SIMD_IMPL

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

/* The binary kernels of ISA I, written once around its ruv__bits_I(a, b, n, jac, &x, &and, &or)
   (popcounts of a^b, or of a&b and a|b when jac): Hamming and Jaccard for one pair, and for one
   query against count codes stride bytes apart (the pair function inlined into the loop). */
#define RUV__BIN(I, TGT)                                                                           \
    TGT static float ruv__hamming_bin_##I(const void *a, const void *b, size_t n) {                \
        uint64_t x, an, o;                                                                         \
        ruv__bits_##I(a, b, n, 0, &x, &an, &o);                                                    \
        return (float)x;                                                                           \
    }                                                                                              \
    TGT static float ruv__jaccard_bin_##I(const void *a, const void *b, size_t n) {                \
        uint64_t x, an, o;                                                                         \
        ruv__bits_##I(a, b, n, 1, &x, &an, &o);                                                    \
        return ruv__jaccard_finish(an, o);                                                         \
    }                                                                                              \
    TGT static void ruv__hamming_many_##I(const void *q, const void *base, size_t stride,          \
                                          size_t n, size_t count, float *out) {                    \
        const unsigned char *p = (const unsigned char *)base;                                      \
        size_t i;                                                                                  \
        for (i = 0; i < count; i++, p += stride) {                                                 \
            uint64_t x, an, o;                                                                     \
            ruv__bits_##I(q, p, n, 0, &x, &an, &o);                                                \
            out[i] = (float)x;                                                                     \
        }                                                                                          \
    }                                                                                              \
    TGT static void ruv__jaccard_many_##I(const void *q, const void *base, size_t stride,          \
                                          size_t n, size_t count, float *out) {                    \
        const unsigned char *p = (const unsigned char *)base;                                      \
        size_t i;                                                                                  \
        for (i = 0; i < count; i++, p += stride) {                                                 \
            uint64_t x, an, o;                                                                     \
            ruv__bits_##I(q, p, n, 1, &x, &an, &o);                                                \
            out[i] = ruv__jaccard_finish(an, o);                                                   \
        }                                                                                          \
    }

/* Fills the binary kernels of ISA I (stamped by RUV__BIN). */
#define RUV__FILL_BIN(k, I)                                                                        \
    do {                                                                                           \
        (k)->fn[RUV_OP_HAMMING][RUV_DTYPE_BIN] = ruv__hamming_bin_##I;                             \
        (k)->fn[RUV_OP_JACCARD][RUV_DTYPE_BIN] = ruv__jaccard_bin_##I;                             \
        (k)->hamming_many = ruv__hamming_many_##I;                                                 \
        (k)->jaccard_many = ruv__jaccard_many_##I;                                                 \
    } while (0)

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
RUV__SERIAL_FLOAT(f32, RUV__LD_F32)   /* ruv__l2sq_f32_serial, ruv__dot_f32_serial,
                                         ruv__l1_f32_serial, ruv__cos_f32_serial */
RUV__SERIAL_FLOAT(f16, RUV__LD_F16)   /* ruv__l2sq_f16_serial, ruv__dot_f16_serial,
                                         ruv__l1_f16_serial, ruv__cos_f16_serial */
RUV__SERIAL_FLOAT(bf16, RUV__LD_BF16) /* ruv__l2sq_bf16_serial, ruv__dot_bf16_serial,
                                         ruv__l1_bf16_serial, ruv__cos_bf16_serial */

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
RUV__SERIAL_INT(i8, int8_t)  /* ruv__dot_i8_serial, ruv__l2sq_i8_serial, ruv__l1_i8_serial,
                                ruv__cos_i8_serial, ruv__sums_i8_serial */
RUV__SERIAL_INT(u8, uint8_t) /* ruv__dot_u8_serial, ruv__l2sq_u8_serial, ruv__l1_u8_serial,
                                ruv__cos_u8_serial, ruv__sums_u8_serial */

#define RUV__NO_TARGET
static void ruv__bits_serial(const void *a, const void *b, size_t n, int jac, uint64_t *x,
                             uint64_t *an, uint64_t *o) {
    (void)jac;
    *x = *an = *o = 0;
    ruv__bits_tail((const uint8_t *)a, (const uint8_t *)b, 0, n, x, an, o);
}
RUV__BIN(serial, RUV__NO_TARGET) /* ruv__hamming_bin_serial, ruv__jaccard_bin_serial,
                                    ruv__hamming_many_serial, ruv__jaccard_many_serial */

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
    RUV__INT_RUN(T, I, TGT)                                                                        \
    RUV__OP_WRAPPERS(T, I, TGT)
/* Integer types of ISAs whose dot and l2sq have dedicated loops (named ruv__dot_T_I and
   ruv__l2sq_T_I like every kernel): the generic run, l1 and cos. */
#define RUV__INT_WRAPPERS_L1_COS(T, I, TGT)                                                        \
    RUV__INT_RUN(T, I, TGT)                                                                        \
    RUV__WRAP(l1, RUV_OP_L1, T, I, TGT)                                                            \
    RUV__WRAP(cos, RUV_OP_COS, T, I, TGT)
#define RUV__INT_RUN(T, I, TGT)                                                                    \
    TGT static float ruv__run_##T##_##I(const void *a, const void *b, size_t n, int op) {          \
        int64_t s, t, u;                                                                           \
        ruv__isum_##T##_##I(a, b, n, op, &s, &t, &u);                                              \
        return op == RUV_OP_COS ? ruv__cos_finish((double)s, (double)t, (double)u) : (float)s;     \
    }
/* ruv__OPN_T_I: kernel OP of storage type T on ISA I through ruv__run_T_I. */
#define RUV__WRAP(OPN, OP, T, I, TGT)                                                              \
    TGT static float ruv__##OPN##_##T##_##I(const void *a, const void *b, size_t n) {              \
        return ruv__run_##T##_##I(a, b, n, OP);                                                    \
    }
#define RUV__OP_WRAPPERS(T, I, TGT)                                                                \
    RUV__WRAP(l2sq, RUV_OP_L2SQ, T, I, TGT)                                                        \
    RUV__WRAP(dot, RUV_OP_DOT, T, I, TGT)                                                          \
    RUV__WRAP(l1, RUV_OP_L1, T, I, TGT)                                                            \
    RUV__WRAP(cos, RUV_OP_COS, T, I, TGT)
RUV__QUANT_C(serial, RUV__NO_TARGET) /* ruv__dot_f32_u8_serial, ruv__dot_i16_u8_serial,
                                        ruv__pq_lut_serial, ruv__adc_serial */

static void ruv__fill_serial(ruv_kernels *k) {
    memset(k, 0, sizeof *k);
    k->isa = RUV_ISA_SERIAL;
    RUV__FILL(k, f32, RUV_DTYPE_F32, serial);
    RUV__FILL(k, f16, RUV_DTYPE_F16, serial);
    RUV__FILL(k, bf16, RUV_DTYPE_BF16, serial);
    RUV__FILL(k, i8, RUV_DTYPE_I8, serial);
    RUV__FILL(k, u8, RUV_DTYPE_U8, serial);
    RUV__FILL_BIN(k, serial);
    k->f32_to_f16 = ruv__f32_to_f16_serial;
    k->f16_to_f32 = ruv__f16_to_f32_serial;
    k->f32_to_bf16 = ruv__f32_to_bf16_serial;
    k->bf16_to_f32 = ruv__bf16_to_f32_serial;
    RUV__FILL_QUANT(k, serial);
}

#endif /* RUV__SIMD_IMPL */
/************** End of src/simd/serial.h **********************************************************/
/************** Begin file src/simd/neon.h ********************************************************/
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
/************** End of src/simd/neon.h ************************************************************/
/************** Begin file src/simd/sve.h *********************************************************/
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
/************** End of src/simd/sve.h *************************************************************/
/************** Begin file src/simd/arm.h *********************************************************/
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
/************** End of src/simd/arm.h *************************************************************/
/************** Begin file src/simd/wasm.h ********************************************************/
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
/************** End of src/simd/wasm.h ************************************************************/
/************** Begin file src/simd/x86.h *********************************************************/
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
/************** End of src/simd/x86.h *************************************************************/
/************** Begin file src/simd/x86_avx2.h ****************************************************/
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
/************** End of src/simd/x86_avx2.h ********************************************************/
/************** Begin file src/simd/x86_avx512.h **************************************************/
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
/************** End of src/simd/x86_avx512.h ******************************************************/
/************** Begin file src/simd/dispatch.h ****************************************************/
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
/************** End of src/simd/dispatch.h ********************************************************/
/************** Begin file src/license.h **********************************************************/
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
/************** End of src/license.h **************************************************************/
