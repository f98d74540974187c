#pragma once
#include "crt.h"
_CRTIMP void *__cdecl _aligned_malloc(size_t size, size_t alignment);
_CRTIMP void __cdecl _aligned_free(void *p);
