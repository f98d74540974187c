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
