#pragma once
#include "crt.h"
_CRTIMP void *__cdecl malloc(size_t n);
_CRTIMP void *__cdecl calloc(size_t n, size_t size);
_CRTIMP void *__cdecl realloc(void *p, size_t n);
_CRTIMP void __cdecl free(void *p);
_CRTIMP void __cdecl abort(void);
_CRTIMP void __cdecl qsort(void *base, size_t n, size_t size,
                           int(__cdecl *cmp)(const void *, const void *));
