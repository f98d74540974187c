/* Shared by the stand-in CRT headers (see README.md). */
#ifndef RUV_MSVC_CRT_H
#define RUV_MSVC_CRT_H
#include <stddef.h>
typedef int errno_t;
#define _CRTIMP __declspec(dllimport)
#endif
