/* The acceptance check: a file with only the implementation links with -lm alone (as C99 and,
   with -x c++, as C++17). Exit status 0 iff the library reports the header's version. */
#define RUVECTOR_IMPLEMENTATION
#include "ruvector.h"

#include <string.h>

int main(void) { return strcmp(ruv_version(), RUV_VERSION_STRING) != 0; }
