# Bare-metal Cortex-M build (Debian: gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm):
# every program gets tests/firmware/startup.c (vector table, FPU on) and newlib's semihosting
# library (rdimon), and runs under qemu-system-arm through tools/qemu-cortex-m.sh, which passes
# the program's arguments on the semihosting command line, so ctest runs each case as on a host.
#   cmake -S . -B build-m4 -DCMAKE_TOOLCHAIN_FILE=tools/toolchain-cortex-m.cmake -DRUV_CORTEX_M=m4
# RUV_CORTEX_M: m4 (mps2-an386, the default), m7 (mps2-an500) or m33 (mps2-an505).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
if(NOT RUV_CORTEX_M)
  set(RUV_CORTEX_M m4)
endif()
set(RUV_CORTEX_M ${RUV_CORTEX_M} CACHE STRING "m4, m7 or m33")
set(ruv_start 0)
if(RUV_CORTEX_M STREQUAL "m4")
  set(ruv_cpu "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16")
  set(ruv_machine mps2-an386)
elseif(RUV_CORTEX_M STREQUAL "m7")
  set(ruv_cpu "-mcpu=cortex-m7 -mfpu=fpv5-d16")
  set(ruv_machine mps2-an500)
elseif(RUV_CORTEX_M STREQUAL "m33")
  set(ruv_cpu "-mcpu=cortex-m33 -mfpu=fpv5-sp-d16 -DRUV_FW_STACK_TOP=0x38200000u")
  set(ruv_machine mps2-an505)
  set(ruv_start 0x10000000)
else()
  message(FATAL_ERROR "RUV_CORTEX_M must be m4, m7 or m33")
endif()
set(CMAKE_C_FLAGS_INIT "-mthumb -mfloat-abi=hard ${ruv_cpu} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${CMAKE_C_FLAGS_INIT}")
set(ruv_link "--specs=rdimon.specs -Wl,--gc-sections -Wl,-u,ruv_fw_vectors")
set(ruv_link "${ruv_link} -Wl,--section-start=.vectors=${ruv_start}")
if(RUV_CORTEX_M STREQUAL "m33") # code in the secure alias of the SSRAM
  set(ruv_link "${ruv_link} -Wl,-Ttext-segment=0x10010000")
endif()
set(CMAKE_EXE_LINKER_FLAGS_INIT "${ruv_link}")
set(RUV_FIRMWARE_STARTUP ${CMAKE_CURRENT_LIST_DIR}/../tests/firmware/startup.c)
set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/qemu-cortex-m.sh;${ruv_machine})
