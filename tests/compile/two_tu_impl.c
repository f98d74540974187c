/* Translation unit 1 of 2: the implementation. */
#define RUVECTOR_IMPLEMENTATION
#include "../../ruvector.h"
