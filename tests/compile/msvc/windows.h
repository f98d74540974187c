#pragma once
typedef int BOOL;
typedef unsigned long DWORD;
typedef const char *LPCSTR;
#define WINAPI __stdcall
#define MOVEFILE_REPLACE_EXISTING 0x00000001
#define MOVEFILE_WRITE_THROUGH 0x00000008
__declspec(dllimport) BOOL WINAPI MoveFileExA(LPCSTR existing, LPCSTR next, DWORD flags);
