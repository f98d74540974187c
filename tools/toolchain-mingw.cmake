# Windows x86-64 build with Debian's mingw-w64 cross compiler (gcc-mingw-w64-x86-64,
# g++-mingw-w64-x86-64); the tests run under Wine (wine64):
#   cmake -S . -B build-windows -DCMAKE_TOOLCHAIN_FILE=tools/toolchain-mingw.cmake
#   WINEDEBUG=-all ctest --test-dir build-windows
# This exercises the _WIN32 paths (file replacement with MoveFileExA, _commit, 64-bit file
# offsets); the MSVC-only paths are compile-checked by tests/compile/msvc_mode.c.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# static runtime: Wine then needs no MinGW DLLs beside the programs
set(CMAKE_EXE_LINKER_FLAGS_INIT -static)
set(CMAKE_CROSSCOMPILING_EMULATOR /usr/lib/wine/wine64)
