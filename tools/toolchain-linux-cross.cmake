# Cross build for Linux on another CPU with Debian's cross compilers, tests run under qemu-user:
#   cmake -S . -B build-armhf -DCMAKE_TOOLCHAIN_FILE=tools/toolchain-linux-cross.cmake \
#         -DRUV_CROSS=arm-linux-gnueabihf
# RUV_CROSS is the GNU triple: aarch64-linux-gnu, arm-linux-gnueabihf, riscv64-linux-gnu or
# s390x-linux-gnu (Debian: gcc-TRIPLE g++-TRIPLE and libc6-dev-ARCH-cross; qemu-user-static).
# QEMU_CPU picks the emulated CPU when ctest runs (aarch64: max = SVE, cortex-a53 = NEON only).
if(NOT RUV_CROSS)
  message(FATAL_ERROR "set RUV_CROSS to a GNU triple, e.g. -DRUV_CROSS=aarch64-linux-gnu")
endif()
set(RUV_CROSS ${RUV_CROSS} CACHE STRING "GNU triple of the cross compiler")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES RUV_CROSS) # (try_compile reads this file too)
string(REGEX MATCH "^[^-]+" ruv_arch ${RUV_CROSS})
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${ruv_arch})
set(CMAKE_C_COMPILER ${RUV_CROSS}-gcc)
set(CMAKE_CXX_COMPILER ${RUV_CROSS}-g++)
set(CMAKE_FIND_ROOT_PATH /usr/${RUV_CROSS})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${ruv_arch}-static;-L;/usr/${RUV_CROSS})
