/* The one translation unit of ruv_tests with the implementation: the shipped single file. */
#define RUVECTOR_IMPLEMENTATION
#include "ruvector.h"

#include "test.h"

/* The thread tests build with pthreads exactly when the library does. */
#if TEST_THREADS != RUV__THREADS
#error "tests/test.h's TEST_THREADS disagrees with the library's RUV__THREADS"
#endif
