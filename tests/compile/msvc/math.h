#pragma once
#include "crt.h"
_CRTIMP double __cdecl sqrt(double x);
_CRTIMP double __cdecl log(double x);
_CRTIMP double __cdecl fabs(double x);
_CRTIMP double __cdecl floor(double x);
_CRTIMP double __cdecl ceil(double x);
_CRTIMP double __cdecl pow(double x, double y);
_CRTIMP double __cdecl exp(double x);
_CRTIMP float __cdecl sqrtf(float x);
_CRTIMP float __cdecl fabsf(float x);
_CRTIMP float __cdecl logf(float x);
_CRTIMP float __cdecl expf(float x);
#define HUGE_VAL __builtin_huge_val()
