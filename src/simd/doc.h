/* ruvector_simd.h - distance kernels for ruvector.h, dispatched at run time.
   Part of ruvector.h; also usable on its own. MIT licence (see end of file).

   Do this in exactly one C or C++ file:
       #define RUVECTOR_SIMD_IMPLEMENTATION   (RUVECTOR_IMPLEMENTATION implies it)
       #include "ruvector_simd.h"
   Other files include it without the define and get the declarations only.
*/
