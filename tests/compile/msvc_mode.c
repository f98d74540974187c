/* The implementation as Microsoft's compiler sees it, for a compile-only check in CI (MSVC itself
   does not run there). Built by clang in MSVC-compatible mode:

     clang --target=x86_64-pc-windows-msvc -fms-compatibility -fms-extensions -nostdlibinc
           -isystem tests/compile/msvc -mavx2 -mfma -mf16c -mpopcnt -mxsave -mavx512f ... -c

   tests/compile/msvc/ holds stand-ins for the CRT and Windows declarations the header uses (with
   Microsoft's signatures, fopen deprecated as in MSVC). After the system headers, __clang__ is
   undefined, so the header takes every _MSC_VER path
   (no target attributes, __cpuidex/_xgetbv, _mm_prefetch, fopen_s, _ftelli64, _WIN32 file
   replacement), and the GCC extensions it must not use there are poisoned: any that leaks into
   an MSVC path is an error. The -m flags stand in for MSVC's rule that any function may use any
   intrinsic. Also compiled as C++ (-x c++). */
#include <immintrin.h>
#include <intrin.h>

#include <assert.h>
#include <io.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <xmmintrin.h>

#if !defined(_MSC_VER) || !defined(_WIN32) || !defined(_M_X64)
#error "compile with --target=x86_64-pc-windows-msvc"
#endif
#undef __clang__
#pragma GCC poison __attribute__ __builtin_popcountll __builtin_prefetch __asm__ __typeof__
#pragma GCC poison __builtin_expect __builtin_ctz __builtin_clz __builtin_popcount

#define RUVECTOR_IMPLEMENTATION
#include "ruvector.h"

#if !RUV__MSVC || !RUV__HAS_X86
#error "the MSVC x86-64 paths were not taken"
#endif

int ruv_msvc_mode_check(void);
int ruv_msvc_mode_check(void) {
    ruv_kernels k;
    return ruv_kernels_init(RUV_ISA_AUTO, &k) && ruv_isa_best() != RUV_ISA_SERIAL;
}
