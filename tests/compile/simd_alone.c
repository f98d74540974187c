/* ruvector_simd.h on its own (the kernels without the indexes), linked with -lm only: the
   declarations, a use, then the implementation. Exit status 0 iff a kernel table for the best
   ISA is filled. */
#include "ruvector_simd.h"

int main(void) {
    ruv_kernels k;
    return !ruv_kernels_init(RUV_ISA_AUTO, &k);
}

#define RUVECTOR_SIMD_IMPLEMENTATION
#include "ruvector_simd.h"
