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
