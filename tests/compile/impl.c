/* The implementation alone (compile only): .ci/run compiles it as C99/C11/C17 and as
   C++11..20 (-x c++), with -Wall -Wextra -Werror -pedantic, at -O0 and -O2, with each option
   macro (-DRUVECTOR_STATIC, -DRUV_NO_SIMD, -DRUV_NO_STDIO, -DRUV_NO_THREADS), and copied with
   ruvector.h alone into an empty folder with -Wconversion -Wsign-conversion too. */
#define RUVECTOR_IMPLEMENTATION
#include "ruvector.h"
