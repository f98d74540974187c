#pragma once
#include "crt.h"
_CRTIMP void __cdecl _assert(const char *msg, const char *file, unsigned line);
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((void)((e) || (_assert(#e, __FILE__, __LINE__), 0)))
#endif
