#pragma once
#include "crt.h"
_CRTIMP void *__cdecl memcpy(void *dst, const void *src, size_t n);
_CRTIMP void *__cdecl memmove(void *dst, const void *src, size_t n);
_CRTIMP void *__cdecl memset(void *dst, int c, size_t n);
_CRTIMP int __cdecl memcmp(const void *a, const void *b, size_t n);
_CRTIMP size_t __cdecl strlen(const char *s);
_CRTIMP char *__cdecl strcpy(char *dst, const char *src);
_CRTIMP char *__cdecl strrchr(const char *s, int c);
