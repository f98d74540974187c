#pragma once
#include "crt.h"
_CRTIMP int __cdecl _commit(int fd);
