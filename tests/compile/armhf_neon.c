/* 32-bit ARM built with -mfpu=neon-vfpv4: the NEON kernels are compiled in without a run-time
   check (compile only; .ci/run builds it with clang --target=arm-linux-gnueabihf). */
#define RUVECTOR_IMPLEMENTATION
#include "ruvector.h"

#if !RUV__HAS_NEON
#error "NEON kernels are not compiled in with -mfpu=neon-vfpv4"
#endif
