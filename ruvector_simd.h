/* ruvector_simd.h - distance kernels for ruvector.h, dispatched at run time.
   Part of ruvector.h; also usable on its own. MIT licence (see end of file).

   Do this in exactly one C or C++ file:
       #define RUVECTOR_SIMD_IMPLEMENTATION   (RUVECTOR_IMPLEMENTATION implies it)
       #include "ruvector_simd.h"
   Other files include it without the define and get the declarations only.

   WHAT IT GIVES
     A table of kernels (struct ruv_kernels) for one instruction set (ISA).
     ruv_isa_best() says which ISA the running CPU supports best (cpuid +
     XGETBV on x86; the compile target elsewhere); ruv_kernels_init() fills a
     table for an ISA, refusing one the CPU or the build cannot run. Callers
     copy the table into their own objects: nothing global is written.

   KERNELS (all take two arrays of n values, any n >= 0, any alignment;
   no read past a[n-1] / b[n-1]; accumulation in f32 with 16 independent
   partial sums, so results may differ from a sequential sum by rounding;
   error bound, checked by the tests: |error| <= 1e-5 * sum |a_i b_i| for dot,
   1e-5 * result for l2sq, 1e-5 absolute for cosine):
     l2sq_f32(a, b, n) = sum (a[i] - b[i])^2          squared Euclidean
     dot_f32(a, b, n)  = sum a[i] * b[i]                inner product
     cos_f32(a, b, n)  = 1 - dot / sqrt(|a|^2 |b|^2)    cosine distance;
                         1 when either vector is all zeros (cos taken as 0),
                         or so small that its squared norm underflows f32

   ISAs: serial (portable C, the reference), x86-64 AVX2+FMA, x86-64
   AVX-512F. All are compiled in one translation unit with per-function
   target attributes: no -m flags are needed. Define RUV_NO_SIMD to build
   the serial kernels only.
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

/* Instruction sets, in increasing order of preference within a family.
   RUV_ISA_AUTO (0) asks for the best the CPU supports. */
typedef enum ruv_isa {
    RUV_ISA_AUTO = 0,
    RUV_ISA_SERIAL = 1,
    RUV_ISA_AVX2 = 2,
    RUV_ISA_AVX512 = 3,
    RUV_ISA_COUNT = 4
} ruv_isa;

/* Distance between two f32 arrays of n values (see the list above). */
typedef float (*ruv_dist_f32_fn)(const float *a, const float *b, size_t n);

/* One ISA's kernels. Plain data: copy it freely. */
typedef struct ruv_kernels {
    ruv_isa isa;
    ruv_dist_f32_fn l2sq_f32;
    ruv_dist_f32_fn dot_f32;
    ruv_dist_f32_fn cos_f32;
} ruv_kernels;

/* The best ISA this CPU and build can run (never RUV_ISA_AUTO). Runs cpuid
   each call (about 100 ns); keeps no state. Thread-safe. */
RUVDEF ruv_isa ruv_isa_best(void);

/* Whether this CPU and build can run `isa` (RUV_ISA_AUTO counts as yes). */
RUVDEF int ruv_isa_available(ruv_isa isa);

/* Short lower-case name: "auto", "serial", "avx2", "avx512"; "?" otherwise. */
RUVDEF const char *ruv_isa_name(ruv_isa isa);

/* Fills *out with the kernels of `isa` (RUV_ISA_AUTO = ruv_isa_best()).
   Returns 1 on success, 0 (and leaves *out untouched) when the ISA is
   unknown, not compiled in, or not supported by this CPU. Thread-safe. */
RUVDEF int ruv_kernels_init(ruv_isa isa, ruv_kernels *out);

/* The serial reference kernels, always available. */
RUVDEF float ruv_l2sq_f32_serial(const float *a, const float *b, size_t n);
RUVDEF float ruv_dot_f32_serial(const float *a, const float *b, size_t n);
RUVDEF float ruv_cos_f32_serial(const float *a, const float *b, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* RUVECTOR_SIMD_H */

/* ======================================================================== */
#if (defined(RUVECTOR_SIMD_IMPLEMENTATION) || defined(RUVECTOR_IMPLEMENTATION)) &&                 \
    !defined(RUV__SIMD_IMPL_DONE)
#define RUV__SIMD_IMPL_DONE

#include <math.h>

/* RUV__HAS_X86: the compiler can emit AVX2/AVX-512 code under target
   attributes (GCC >= 4.9, clang). MSVC needs no attributes but gets the
   serial path until its intrinsics path is written against real CI. */
#if !defined(RUV_NO_SIMD) && (defined(__x86_64__) || defined(_M_X64)) &&                           \
    (defined(__GNUC__) || defined(__clang__))
#define RUV__HAS_X86 1
#include <cpuid.h>
#include <immintrin.h>
#define RUV__TARGET(s) __attribute__((target(s)))
#else
#define RUV__HAS_X86 0
#endif

/* --- serial reference --------------------------------------------------- */
/* 16 independent accumulators let the compiler keep the loop in vector
   registers without -ffast-math (the sum is re-associated by hand). */
#define RUV__LANES 16

RUVDEF float ruv_l2sq_f32_serial(const float *a, const float *b, size_t n) {
    float acc[RUV__LANES] = {0};
    size_t i = 0, j;
    float s = 0.0f;
    for (; i + RUV__LANES <= n; i += RUV__LANES)
        for (j = 0; j < RUV__LANES; j++) {
            float d = a[i + j] - b[i + j];
            acc[j] += d * d;
        }
    for (j = 0; i < n; i++, j++) {
        float d = a[i] - b[i];
        acc[j] += d * d;
    }
    for (j = 0; j < RUV__LANES; j++)
        s += acc[j];
    return s;
}

RUVDEF float ruv_dot_f32_serial(const float *a, const float *b, size_t n) {
    float acc[RUV__LANES] = {0};
    size_t i = 0, j;
    float s = 0.0f;
    for (; i + RUV__LANES <= n; i += RUV__LANES)
        for (j = 0; j < RUV__LANES; j++)
            acc[j] += a[i + j] * b[i + j];
    for (j = 0; i < n; i++, j++)
        acc[j] += a[i] * b[i];
    for (j = 0; j < RUV__LANES; j++)
        s += acc[j];
    return s;
}

/* Shared tail of every cosine kernel: 1 - ab / sqrt(aa * bb), in double so
   that aa * bb cannot overflow; 1 when either norm is zero. */
static float ruv__cos_finish(float ab, float aa, float bb) {
    double den = (double)aa * (double)bb;
    double c;
    if (!(den > 0.0))
        return 1.0f;
    c = (double)ab / sqrt(den);
    if (c > 1.0)
        c = 1.0;
    if (c < -1.0)
        c = -1.0;
    return (float)(1.0 - c);
}

RUVDEF float ruv_cos_f32_serial(const float *a, const float *b, size_t n) {
    float ab[RUV__LANES] = {0}, aa[RUV__LANES] = {0}, bb[RUV__LANES] = {0};
    float sab = 0.0f, saa = 0.0f, sbb = 0.0f;
    size_t i = 0, j;
    for (; i + RUV__LANES <= n; i += RUV__LANES)
        for (j = 0; j < RUV__LANES; j++) {
            ab[j] += a[i + j] * b[i + j];
            aa[j] += a[i + j] * a[i + j];
            bb[j] += b[i + j] * b[i + j];
        }
    for (j = 0; i < n; i++, j++) {
        ab[j] += a[i] * b[i];
        aa[j] += a[i] * a[i];
        bb[j] += b[i] * b[i];
    }
    for (j = 0; j < RUV__LANES; j++) {
        sab += ab[j];
        saa += aa[j];
        sbb += bb[j];
    }
    return ruv__cos_finish(sab, saa, sbb);
}

#if RUV__HAS_X86
/* --- x86-64 AVX2 + FMA -------------------------------------------------- */
/* Four 8-lane accumulators per sum (32 floats per iteration) hide the FMA
   latency; the tail is a masked load, so nothing past n is read. */
RUV__TARGET("avx2,fma") static __m256i ruv__tailmask_avx2(size_t r) {
    static const int32_t m[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(const void *)(m + 8 - r));
}

RUV__TARGET("avx2,fma") static float ruv__hsum_avx2(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* Stamps one two-input reduction kernel. STEP(acc, x, y) folds one vector
   pair into acc; the whole-vector loop and the masked tail share it. */
#define RUV__AVX2_KERNEL(name, STEP)                                                               \
    RUV__TARGET("avx2,fma")                                                                        \
    static float name(const float *a, const float *b, size_t n) {                                  \
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();                                 \
        __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();                                 \
        size_t i = 0;                                                                              \
        for (; i + 32 <= n; i += 32) {                                                             \
            STEP(s0, _mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));                              \
            STEP(s1, _mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));                      \
            STEP(s2, _mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));                    \
            STEP(s3, _mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));                    \
        }                                                                                          \
        for (; i + 8 <= n; i += 8)                                                                 \
            STEP(s0, _mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));                              \
        if (i < n) {                                                                               \
            __m256i m = ruv__tailmask_avx2(n - i);                                                 \
            STEP(s1, _mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m));                  \
        }                                                                                          \
        return ruv__hsum_avx2(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));        \
    }
#define RUV__STEP_DOT_AVX2(s, x, y) s = _mm256_fmadd_ps(x, y, s)
#define RUV__STEP_L2_AVX2(s, x, y)                                                                 \
    do {                                                                                           \
        __m256 d_ = _mm256_sub_ps(x, y);                                                           \
        s = _mm256_fmadd_ps(d_, d_, s);                                                            \
    } while (0)
RUV__AVX2_KERNEL(ruv__dot_f32_avx2, RUV__STEP_DOT_AVX2)
RUV__AVX2_KERNEL(ruv__l2sq_f32_avx2, RUV__STEP_L2_AVX2)

RUV__TARGET("avx2,fma") static float ruv__cos_f32_avx2(const float *a, const float *b, size_t n) {
    __m256 ab = _mm256_setzero_ps(), aa = _mm256_setzero_ps(), bb = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_loadu_ps(a + i), y = _mm256_loadu_ps(b + i);
        ab = _mm256_fmadd_ps(x, y, ab);
        aa = _mm256_fmadd_ps(x, x, aa);
        bb = _mm256_fmadd_ps(y, y, bb);
    }
    if (i < n) {
        __m256i m = ruv__tailmask_avx2(n - i);
        __m256 x = _mm256_maskload_ps(a + i, m), y = _mm256_maskload_ps(b + i, m);
        ab = _mm256_fmadd_ps(x, y, ab);
        aa = _mm256_fmadd_ps(x, x, aa);
        bb = _mm256_fmadd_ps(y, y, bb);
    }
    return ruv__cos_finish(ruv__hsum_avx2(ab), ruv__hsum_avx2(aa), ruv__hsum_avx2(bb));
}

/* --- x86-64 AVX-512F ---------------------------------------------------- */
/* GCC 12's AVX-512 intrinsics trip a false -Wuninitialized in C++ at -O2
   (GCC PR105593); silenced for this block only. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
RUV__TARGET("avx512f") static float ruv__hsum_avx512(__m512 v) {
    __m128 s;
    v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4E));
    v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0xB1));
    s = _mm512_castps512_ps128(v);
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#define RUV__AVX512_KERNEL(name, STEP)                                                             \
    RUV__TARGET("avx512f")                                                                         \
    static float name(const float *a, const float *b, size_t n) {                                  \
        __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();                                 \
        __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();                                 \
        size_t i = 0;                                                                              \
        for (; i + 64 <= n; i += 64) {                                                             \
            STEP(s0, _mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));                              \
            STEP(s1, _mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));                    \
            STEP(s2, _mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));                    \
            STEP(s3, _mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));                    \
        }                                                                                          \
        for (; i + 16 <= n; i += 16)                                                               \
            STEP(s0, _mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));                              \
        if (i < n) {                                                                               \
            __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);                                       \
            STEP(s1, _mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));            \
        }                                                                                          \
        return ruv__hsum_avx512(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));      \
    }
#define RUV__STEP_DOT_AVX512(s, x, y) s = _mm512_fmadd_ps(x, y, s)
#define RUV__STEP_L2_AVX512(s, x, y)                                                               \
    do {                                                                                           \
        __m512 d_ = _mm512_sub_ps(x, y);                                                           \
        s = _mm512_fmadd_ps(d_, d_, s);                                                            \
    } while (0)
RUV__AVX512_KERNEL(ruv__dot_f32_avx512, RUV__STEP_DOT_AVX512)
RUV__AVX512_KERNEL(ruv__l2sq_f32_avx512, RUV__STEP_L2_AVX512)

RUV__TARGET("avx512f")
static float ruv__cos_f32_avx512(const float *a, const float *b, size_t n) {
    __m512 ab = _mm512_setzero_ps(), aa = _mm512_setzero_ps(), bb = _mm512_setzero_ps();
    size_t i = 0;
    for (; i < n; i += 16) {
        __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 x = _mm512_maskz_loadu_ps(m, a + i), y = _mm512_maskz_loadu_ps(m, b + i);
        ab = _mm512_fmadd_ps(x, y, ab);
        aa = _mm512_fmadd_ps(x, x, aa);
        bb = _mm512_fmadd_ps(y, y, bb);
    }
    return ruv__cos_finish(ruv__hsum_avx512(ab), ruv__hsum_avx512(aa), ruv__hsum_avx512(bb));
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* --- detection ---------------------------------------------------------- */
static uint64_t ruv__xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* cpuid leaf 1 / leaf 7 feature bits, checked against the OS's XCR0 so
   that a CPU whose kernel does not save the wide registers is not used. */
static ruv_isa ruv__x86_best(void) {
    unsigned a, b, c, d;
    uint64_t xcr0;
    int avx2, avx512;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return RUV_ISA_SERIAL;
    if (!(c & (1u << 27)) || !(c & (1u << 28)) || !(c & (1u << 12))) /* osxsave, avx, fma */
        return RUV_ISA_SERIAL;
    xcr0 = ruv__xgetbv0();
    if ((xcr0 & 6u) != 6u) /* xmm + ymm state */
        return RUV_ISA_SERIAL;
    if (__get_cpuid_max(0, NULL) < 7)
        return RUV_ISA_SERIAL;
    __cpuid_count(7, 0, a, b, c, d);
    avx2 = (b >> 5) & 1u;
    avx512 = ((b >> 16) & 1u) && (xcr0 & 0xE6u) == 0xE6u; /* avx512f + opmask/zmm state */
    if (avx512 && avx2)
        return RUV_ISA_AVX512;
    return avx2 ? RUV_ISA_AVX2 : RUV_ISA_SERIAL;
}
#endif /* RUV__HAS_X86 */

RUVDEF ruv_isa ruv_isa_best(void) {
#if RUV__HAS_X86
    return ruv__x86_best();
#else
    return RUV_ISA_SERIAL;
#endif
}

RUVDEF int ruv_isa_available(ruv_isa isa) {
    if (isa == RUV_ISA_AUTO || isa == RUV_ISA_SERIAL)
        return 1;
#if RUV__HAS_X86
    if (isa == RUV_ISA_AVX2 || isa == RUV_ISA_AVX512)
        return (int)isa <= (int)ruv__x86_best();
#endif
    return 0;
}

RUVDEF const char *ruv_isa_name(ruv_isa isa) {
    switch (isa) {
    case RUV_ISA_AUTO:
        return "auto";
    case RUV_ISA_SERIAL:
        return "serial";
    case RUV_ISA_AVX2:
        return "avx2";
    case RUV_ISA_AVX512:
        return "avx512";
    default:
        return "?";
    }
}

RUVDEF int ruv_kernels_init(ruv_isa isa, ruv_kernels *out) {
    ruv_kernels k;
    if (isa == RUV_ISA_AUTO)
        isa = ruv_isa_best();
    if (!out || !ruv_isa_available(isa))
        return 0;
    k.isa = RUV_ISA_SERIAL;
    k.l2sq_f32 = ruv_l2sq_f32_serial;
    k.dot_f32 = ruv_dot_f32_serial;
    k.cos_f32 = ruv_cos_f32_serial;
#if RUV__HAS_X86
    if (isa == RUV_ISA_AVX2) {
        k.isa = isa;
        k.l2sq_f32 = ruv__l2sq_f32_avx2;
        k.dot_f32 = ruv__dot_f32_avx2;
        k.cos_f32 = ruv__cos_f32_avx2;
    } else if (isa == RUV_ISA_AVX512) {
        k.isa = isa;
        k.l2sq_f32 = ruv__l2sq_f32_avx512;
        k.dot_f32 = ruv__dot_f32_avx512;
        k.cos_f32 = ruv__cos_f32_avx512;
    }
#endif
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
