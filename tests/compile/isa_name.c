/* Prints the ISA the dispatch picks on this CPU. .ci/run builds it twice, with GCC's cpuid path
   and with the MSVC one (__cpuidex, _xgetbv: -DRUV__X86_INTRINSIC_CPUID, which GCC also has),
   and requires both to print the same name, natively and on emulated CPUs. */
#define RUVECTOR_IMPLEMENTATION
#include "ruvector.h"

#include <stdio.h>

int main(void) {
    puts(ruv_isa_name(ruv_isa_best()));
    return 0;
}
