#pragma once
#include "crt.h"
typedef struct _iobuf FILE;
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_SET 0
#define EOF (-1)
_CRTIMP errno_t __cdecl fopen_s(FILE **f, const char *name, const char *mode);
_CRTIMP __declspec(deprecated("use fopen_s")) FILE *__cdecl fopen(const char *name,
                                                                  const char *mode);
_CRTIMP int __cdecl fclose(FILE *f);
_CRTIMP int __cdecl fflush(FILE *f);
_CRTIMP size_t __cdecl fread(void *dst, size_t size, size_t n, FILE *f);
_CRTIMP size_t __cdecl fwrite(const void *src, size_t size, size_t n, FILE *f);
_CRTIMP int __cdecl fseek(FILE *f, long off, int origin);
_CRTIMP long __cdecl ftell(FILE *f);
_CRTIMP int __cdecl _fseeki64(FILE *f, __int64 off, int origin);
_CRTIMP __int64 __cdecl _ftelli64(FILE *f);
_CRTIMP int __cdecl feof(FILE *f);
_CRTIMP int __cdecl _fileno(FILE *f);
_CRTIMP int __cdecl remove(const char *path);
_CRTIMP int __cdecl rename(const char *from, const char *to);
_CRTIMP int __cdecl printf(const char *fmt, ...);
